/**
 * The size DynamoDB bills an item at, following its documented rules: attribute names count,
 * strings are UTF-8 bytes, numbers about one byte per two significant digits plus one, booleans
 * and nulls one byte, maps and lists three bytes plus one per element. Capacity units are whole
 * 1 KB (write) and 4 KB (read) steps of this, so it decides what an item costs.
 */
export function dynamoItemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number") return Math.ceil(significantDigits(value) / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return 3 + entries.reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  }
  throw new Error(`no DynamoDB size rule for a ${typeof value}`);
}

function significantDigits(value: number): number {
  const digits = Math.abs(value).toExponential().split("e")[0]!.replace(".", "");
  return Math.max(1, digits.replace(/0+$/, "").length);
}
