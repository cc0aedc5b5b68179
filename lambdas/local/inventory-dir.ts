import { Level } from "level";
import { HubSetupError } from "./setup-error.js";

/** Where the embedded store keeps its LevelDB under the data dir. */
export const INVENTORY_DIR = "inventory";

/**
 * Opens the embedded store's LevelDB once, with the library dynalite uses, and closes it again.
 * dynalite opens it lazily and throws its failure ("Database is closed") from a callback, which
 * kills the process with a stack trace naming neither the path nor the cause; opened here first,
 * the failure is a HubSetupError that does. LevelDB's LOCK file also tells whether another
 * process (a running hub) holds the store: the OS releases that lock when its holder dies, even
 * by kill -9, so unlike a pid file it is never stale.
 */
export async function checkInventory(path: string, dataDir: string): Promise<void> {
  await (await openInventory(path, dataDir)).close();
}

/** The store at `path` opened (so its LOCK held) until closed; a HubSetupError saying what is wrong when it cannot be. */
export async function openInventory(path: string, dataDir: string): Promise<Level> {
  const db = new Level(path, { createIfMissing: true });
  try {
    await db.open();
  } catch (error) {
    throw new HubSetupError(inventoryProblem(path, dataDir, error));
  }
  return db;
}

function inventoryProblem(path: string, dataDir: string, error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error);
  const detail = cause.message.trim();
  if (/lock/i.test(detail) && /(held|unavailable|temporarily)/i.test(detail)) {
    return `the inventory at ${path} is in use by another process (a hub running on data dir ${dataDir}?): stop that hub first, or pass another --data-dir`;
  }
  return (
    `the inventory at ${path} cannot be opened (${detail}): it is corrupt or unreadable. ` +
    `Move it aside (mv ${path} ${path}.broken) to start with an empty inventory, ` +
    `or restore a backup into this data dir (radial hub restore FILE --data-dir ${dataDir})`
  );
}
