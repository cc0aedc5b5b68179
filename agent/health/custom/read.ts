// Reads fields the way Argo CD's Lua health scripts do: a missing field (or one of another shape)
// is nil, never an error, and a script's message is absent when the field it copies is nil.
import { HealthCheckError } from "../fields.js";

export type Fields = Record<string, unknown>;

export const isFields = (value: unknown): value is Fields => value !== null && typeof value === "object" && !Array.isArray(value);

/** The value at a path, or undefined when any step is missing or not an object. */
export function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isFields(current)) return undefined;
    current = current[key];
  }
  return current ?? undefined;
}

/** A string field; undefined (Lua's nil) when absent; numbers and booleans as Lua's tostring writes them. */
export function text(value: unknown, ...path: string[]): string | undefined {
  const field = get(value, ...path);
  if (typeof field === "string") return field;
  if (typeof field === "number" || typeof field === "boolean") return String(field);
  return undefined;
}

/** A list (Lua's ipairs over a table); [] when absent. */
export function list(value: unknown, ...path: string[]): unknown[] {
  const field = get(value, ...path);
  return Array.isArray(field) ? field : [];
}

/** Lua's tonumber: a number, or a string that reads as one; else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const number = Number(value.trim());
  return Number.isNaN(number) ? undefined : number;
}

/** A status condition as the scripts read it: each field nil when absent. */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: unknown;
}

export function conditions(value: unknown, ...path: string[]): Condition[] {
  return list(value, ...(path.length > 0 ? path : ["status", "conditions"])).map((item) => ({
    type: text(item, "type"),
    status: text(item, "status"),
    reason: text(item, "reason"),
    message: text(item, "message"),
    observedGeneration: get(item, "observedGeneration"),
  }));
}

/** Where the Lua script would stop with an error (e.g. indexing a nil status): that object's health is Unknown. */
export function fail(message: string): never {
  throw new HealthCheckError(message);
}
