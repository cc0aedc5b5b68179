import type { z } from "zod";

export interface FieldProblem {
  /** Dotted path with indexes, e.g. `applications[3].resources`; empty for the whole value. */
  field: string;
  problem: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; problems: FieldProblem[] };

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

/**
 * Validates untrusted input against a schema and, on failure, says which fields are wrong in one
 * message a person can act on (`applications[0].name: must be a DNS-1123 subdomain ...`).
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): Parsed<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({ field: fieldPath(issue.path), problem: issue.message }));
  const shown = problems.slice(0, 5).map((p) => (p.field ? `${p.field}: ${p.problem}` : p.problem));
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
  return { ok: false, message: `invalid ${what}: ${shown.join("; ")}${more}`, problems };
}
