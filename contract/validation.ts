import * as z from "zod";
import { ECHO_LIMIT } from "./echo.js";

export interface FieldProblem {
  /** Dotted path with indexes, e.g. `applications[3].resources`; empty for the whole value. */
  field: string;
  problem: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; problems: FieldProblem[] };

/** A field path for a message: a user-named key can make it thousands of characters long; `details` keeps it whole. */
function shortPath(field: string): string {
  return field.length <= 2 * ECHO_LIMIT ? field : `${field.slice(0, 2 * ECHO_LIMIT)}… (a path of ${field.length} characters)`;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

/**
 * The path of the first `__proto__` key in parsed JSON, if any. JSON.parse keeps such a key as an
 * own property, but zod skips it, so a map with it would lose it silently; no field of the API can
 * be named so (labels, annotations and application names refuse it anyway), so it is refused.
 */
function protoKeyPath(input: unknown): PropertyKey[] | undefined {
  // Iterative, with links to parents rather than copied paths: deep nesting costs neither stack nor quadratic memory.
  interface Node {
    value: object;
    key: PropertyKey;
    parent: Node | undefined;
  }
  const pathOf = (node: Node): PropertyKey[] => {
    const keys: PropertyKey[] = [];
    for (let at = node; at.parent; at = at.parent) keys.unshift(at.key);
    return keys;
  };
  // Breadth first, in document order: the first such key a reader of the body would meet.
  const pending: Node[] = typeof input === "object" && input !== null ? [{ value: input, key: "", parent: undefined }] : [];
  for (let next = 0, node = pending[0]; node; node = pending[++next]) {
    const { value } = node;
    if (!Array.isArray(value) && Object.hasOwn(value, "__proto__")) return [...pathOf(node), "__proto__"];
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      if (typeof entry === "object" && entry !== null) pending.push({ value: entry, key: Array.isArray(value) ? Number(key) : key, parent: node });
    }
  }
  return undefined;
}

/** A map whose keys users name, as a null-prototype object: no key, `constructor` or `__proto__`, means anything else. */
export function userKeyed<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/**
 * Validates untrusted input against a schema and, on failure, says which fields are wrong in one
 * message a person can act on (`applications[0].name: must be a DNS-1123 subdomain ...`).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): Parsed<z.infer<S>> {
  const proto = protoKeyPath(input);
  if (proto) {
    const field = fieldPath(proto);
    return { ok: false, message: `invalid ${what}: ${field}: "__proto__" cannot be a key`, problems: [{ field, problem: '"__proto__" cannot be a key' }] };
  }
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({ field: fieldPath(issue.path), problem: issue.message }));
  const shown = problems.slice(0, 5).map((p) => (p.field ? `${shortPath(p.field)}: ${p.problem}` : p.problem));
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
  return { ok: false, message: `invalid ${what}: ${shown.join("; ")}${more}`, problems };
}

/**
 * The length of `text` in UTF-8 bytes, which is what DynamoDB counts against its 400 KB item limit
 * (JavaScript's `length` counts UTF-16 units: a CJK character is 1 of those and 3 bytes). A lone
 * surrogate counts 3, as the U+FFFD it is written as.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A string of at most `max` UTF-8 bytes (so also at most `max` characters, which the API description shows). */
export function utf8String(max: number) {
  return z
    .string()
    .max(max)
    .refine((text) => utf8Length(text) <= max, { error: `must be at most ${max} bytes in UTF-8` });
}
