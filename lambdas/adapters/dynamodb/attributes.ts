import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * DynamoDB's attribute values to and from plain data, for items whose maps have keys users name
 * (labels, annotations, EKS tags, application names). The SDK's own marshaller decides whether a
 * value is a map by `value.constructor`, so a label named `constructor` makes it throw, and its
 * unmarshaller builds maps by assignment, so a key `__proto__` vanishes. Here a map's keys are only
 * ever read with Object.entries and written into null-prototype objects: no key is special.
 */
export type Attributes = Record<string, AttributeValue>;

export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (typeof value === "object") return { M: toAttributes(value as Record<string, unknown>) };
  throw new Error(`cannot store a ${typeof value} in DynamoDB`);
}

/** The attributes of an item or map; undefined values are left out, as absent fields are. */
export function toAttributes(value: Record<string, unknown>): Attributes {
  const out: Attributes = Object.create(null) as Attributes;
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) out[key] = toAttributeValue(entry);
  return out;
}

export function fromAttributeValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.M !== undefined) return fromAttributes(value.M);
  // Sets and binary are never written by the hub; parseItem names the field that holds one.
  return value;
}

/** An item read back, every map a null-prototype object. */
export function fromAttributes(attributes: Attributes): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, entry] of Object.entries(attributes)) out[key] = fromAttributeValue(entry);
  return out;
}
