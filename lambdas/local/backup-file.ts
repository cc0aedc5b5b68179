import { readFile, rename, writeFile } from "node:fs/promises";
import * as z from "zod";
import { parseWith } from "../../contract/index.js";
import { HubSetupError } from "./setup-error.js";

/** One DynamoDB attribute value as the low-level API writes it in JSON (binary types are not used by the hub's table). */
export type StoredValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { L: StoredValue[] }
  | { M: Record<string, StoredValue> };

const Numeric = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "must be a number");
const Value: z.ZodType<StoredValue> = z.lazy(() =>
  z.union([
    z.strictObject({ S: z.string() }),
    z.strictObject({ N: Numeric }),
    z.strictObject({ BOOL: z.boolean() }),
    z.strictObject({ NULL: z.literal(true) }),
    z.strictObject({ SS: z.array(z.string()).min(1) }),
    z.strictObject({ NS: z.array(Numeric).min(1) }),
    z.strictObject({ L: z.array(Value) }),
    z.strictObject({ M: z.record(z.string(), Value) }),
  ]),
);
const Key = z.strictObject({ S: z.string().min(1).max(1024) });
const Item = z.record(z.string(), Value).and(z.looseObject({ pk: Key, sk: Key }));

export const BACKUP_FORMAT = "radial-hub-backup";

/** What `radial hub backup` writes: every item of the embedded table but the generation lease. */
export const BackupFile = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  items: z.array(Item),
});
export type BackupFile = z.infer<typeof BackupFile>;

/**
 * Validated as a restore will read it (so a backup written is a backup that restores), written
 * beside `file` and renamed over it (so a crash never leaves half a backup under its name), mode
 * 0600 (it holds token hashes).
 */
export async function writeBackup(file: string, items: unknown[]): Promise<number> {
  const parsed = parseWith(BackupFile, { format: BACKUP_FORMAT, version: 1, createdAt: new Date().toISOString(), items }, "backup");
  if (!parsed.ok) throw new Error(`the inventory holds an item the backup format cannot carry: ${parsed.message}; nothing was written`);
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, `${JSON.stringify(parsed.value)}\n`, { mode: 0o600 });
  await rename(partial, file);
  return items.length;
}

/** Reads and validates a backup in full before anything is touched; a bad one is refused naming the file and the field. */
export async function readBackup(file: string): Promise<BackupFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new HubSetupError(`cannot read the backup ${file} (${(error as Error).message}); nothing was changed`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HubSetupError(`the backup ${file} is not JSON (${(error as Error).message}): is it truncated? Nothing was changed`);
  }
  const parsed = parseWith(BackupFile, json, `backup ${file}`);
  if (!parsed.ok) throw new HubSetupError(`${parsed.message}. It is not a backup written by radial hub backup; nothing was changed`);
  const keys = new Set<string>();
  for (const [index, item] of parsed.value.items.entries()) {
    const key = JSON.stringify([item.pk.S, item.sk.S]);
    if (keys.has(key)) throw new HubSetupError(`invalid backup ${file}: items[${index}] repeats the key ${key}; nothing was changed`);
    keys.add(key);
  }
  return parsed.value;
}
