import * as z from "zod";

/** An item read from the table does not have the shape the hub writes: named by its key and the first bad field. */
export class CorruptItemError extends Error {
  constructor(
    readonly key: { pk: unknown; sk: unknown },
    readonly field: string,
    problem: string,
  ) {
    super(`corrupt item in the inventory table (pk ${JSON.stringify(key.pk)}, sk ${JSON.stringify(key.sk)}): ${field}: ${problem}`);
    this.name = "CorruptItemError";
  }
}

/**
 * Parses an item (or a value stored in one) read from DynamoDB: what the table holds was written by
 * this code, but a hand edit, a restore or a bug in an older version can leave anything there, and a
 * clear error beats a record that breaks far from where it was read. `item` is the whole item, for
 * its key; `path` the attribute `value` came from, when it is not the item itself.
 */
export function parseItem<T>(schema: z.ZodType<T>, item: Record<string, unknown>, value: unknown = item, path: string[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [...path, ...issue.path.map(String)].join(".") || "(the item)";
  throw new CorruptItemError({ pk: item.pk, sk: item.sk }, field, issue.message);
}

/** The key attributes of an item read with `ProjectionExpression: "pk, sk"`. */
export const ItemKey = z.object({ pk: z.string(), sk: z.string() });
export type ItemKey = z.infer<typeof ItemKey>;

/**
 * A map of strings whose keys users name (labels, annotations, application digests), kept as read:
 * the null-prototype object attributes.ts builds, never copied into a `{}` where `__proto__` would vanish.
 */
export const StoredStringMap = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: "must be a map of strings" });
      return;
    }
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== "string") ctx.addIssue({ code: "custom", path: [key], message: `must be a string, not ${typeof entry}` });
    }
  })
  .transform((value) => value as Record<string, string>);
