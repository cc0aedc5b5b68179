// Reads the fields a health check needs from an unstructured object. gitops-engine converts the object
// to its typed Go struct first: an absent field reads as its zero value, a field of the wrong type
// fails the conversion, and the check reports Unknown with that error.

/** A check could not assess the object: its health is Unknown, with this message. */
export class HealthCheckError extends Error {}

/** The object does not fit the typed shape of its kind (gitops-engine's conversion error). */
export class ConversionError extends HealthCheckError {}

export type Path = readonly string[];

export function at(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Whether a field is set (Go's non-nil pointer). */
export const present = (value: unknown, path: Path): boolean => at(value, path) != null;

const where = (path: Path) => path.join(".");

/** An integer field; undefined when absent (Go's nil pointer). */
export function optionalInt(value: unknown, path: Path): number | undefined {
  const field = at(value, path);
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "number" || !Number.isInteger(field)) throw new ConversionError(`${where(path)}: expected an integer, got ${JSON.stringify(field)}`);
  return field;
}

/** An integer field; 0 when absent (Go's zero value). */
export const int = (value: unknown, path: Path): number => optionalInt(value, path) ?? 0;

/** A string field; "" when absent. */
export function str(value: unknown, path: Path): string {
  const field = at(value, path);
  if (field === undefined || field === null) return "";
  if (typeof field !== "string") throw new ConversionError(`${where(path)}: expected a string, got ${JSON.stringify(field)}`);
  return field;
}

export function bool(value: unknown, path: Path): boolean {
  const field = at(value, path);
  if (field === undefined || field === null) return false;
  if (typeof field !== "boolean") throw new ConversionError(`${where(path)}: expected a boolean, got ${JSON.stringify(field)}`);
  return field;
}

/** A list of objects; [] when absent. */
export function objects(value: unknown, path: Path): Record<string, unknown>[] {
  const field = at(value, path);
  if (field === undefined || field === null) return [];
  if (!Array.isArray(field) || field.some((item) => item === null || typeof item !== "object" || Array.isArray(item))) {
    throw new ConversionError(`${where(path)}: expected a list of objects`);
  }
  return field as Record<string, unknown>[];
}

/** A status condition as every kind spells it. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export function conditions(value: unknown, path: Path = ["status", "conditions"]): Condition[] {
  return objects(value, path).map((item) => ({
    type: str(item, ["type"]),
    status: str(item, ["status"]),
    reason: str(item, ["reason"]),
    message: str(item, ["message"]),
  }));
}
