import fc from "fast-check";
import { MEMBER_NAMES } from "./budget.js";

interface Op {
  at: number;
  kind: "set" | "delete" | "replace";
  key: string;
  value: unknown;
}

/** Hostile leaves: wrong types, empty and huge strings, multi-byte text, member names, extreme numbers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom("", " ", "a".repeat(5000), "語".repeat(2000), "🚀".repeat(700), ...MEMBER_NAMES, -1, 0, 1.5, 1e308, -0, null, true, [], {}),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...MEMBER_NAMES, "", "a/b", "x".repeat(300)), fc.string({ maxLength: 20 }));

function containers(value: unknown, into: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof value === "object" && value !== null) {
    into.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) containers(child, into);
  }
  return into;
}

function apply(base: unknown, ops: Op[]): unknown {
  const root = structuredClone(base);
  for (const { value: shared, ...op } of ops) {
    // A copy: constantFrom hands out one instance, which set twice would nest in itself.
    const value = structuredClone(shared);
    const all = containers(root);
    const target = all[op.at % all.length]!;
    const keys = Object.keys(target);
    if (op.kind === "delete" && keys.length > 0) Reflect.deleteProperty(target, keys[op.at % keys.length]!);
    else if (op.kind === "replace" && keys.length > 0) Reflect.set(target, keys[op.at % keys.length]!, value);
    // defineProperty, so a `__proto__` key is an own property that JSON.stringify sends, as a hostile client would.
    else Object.defineProperty(target, op.key, { value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

/** `base` (a valid input) with one to four random edits: a key set, deleted or its value replaced anywhere in the tree. */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  const op = fc.record({ at: fc.nat(), kind: fc.constantFrom("set" as const, "delete" as const, "replace" as const), key: hostileKey, value: hostileValue });
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => apply(base, ops));
}
