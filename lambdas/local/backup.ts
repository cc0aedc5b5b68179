import { BatchWriteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ensureTable } from "../adapters/dynamodb/table.js";
import { readBackup, writeBackup, type BackupFile } from "./backup-file.js";
import { startEmbeddedDynamoDB } from "./embedded-dynamodb.js";
import { TABLE_NAME } from "./hub.js";
import { INVENTORY_DIR, openInventory } from "./inventory-dir.js";
import { HubSetupError } from "./setup-error.js";

/** Held only while a run lasts; restored, it would block runs until it expired. */
const LEASE_PK = "LEASE#generation";

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
}

/** Every item of the table, with consistent reads; dynalite serves one process, so nothing writes meanwhile. */
async function scanAll(dynamodb: DynamoDBClient): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Writes the stopped hub's inventory (clusters with their token hashes — tokens themselves are
 * never stored —, statuses, drift events, generation history) to `file`. The store's LevelDB lock
 * refuses a running hub's data dir: a copy taken under a live writer would not be consistent.
 */
export async function backupHub(dataDir: string, file: string): Promise<{ items: number; clusters: number }> {
  const path = join(dataDir, INVENTORY_DIR);
  if (!existsSync(path)) throw new HubSetupError(`there is no inventory at ${path} to back up: is ${dataDir} the hub's --data-dir?`);
  const store = await startEmbeddedDynamoDB(dataDir);
  const dynamodb = client(store.endpoint);
  try {
    await ensureTable(dynamodb, TABLE_NAME);
    const items = (await scanAll(dynamodb)).filter((item) => item.pk?.S !== LEASE_PK);
    await writeBackup(file, items);
    return { items: items.length, clusters: items.filter((item) => item.sk?.S === "META" && item.pk?.S?.startsWith("CLUSTER#")).length };
  } finally {
    dynamodb.destroy();
    await store.close();
  }
}

async function writeAll(dynamodb: DynamoDBClient, items: BackupFile["items"]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let batch: WriteRequest[] = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt >= 8) throw new Error(`the new inventory did not take ${batch.length} items after ${attempt} attempts`);
      const { UnprocessedItems } = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE_NAME]: batch } }));
      batch = UnprocessedItems?.[TABLE_NAME] ?? [];
    }
  }
}

/** Builds a complete store from the backup at `staging`, checking it holds every item. */
async function buildStore(dataDir: string, staging: string, backup: BackupFile): Promise<void> {
  const store = await startEmbeddedDynamoDB(dataDir, staging);
  const dynamodb = client(store.endpoint);
  try {
    await ensureTable(dynamodb, TABLE_NAME);
    await writeAll(dynamodb, backup.items);
    const held = (await scanAll(dynamodb)).length;
    if (held !== backup.items.length) throw new Error(`the new inventory holds ${held} items, not the backup's ${backup.items.length}`);
  } finally {
    dynamodb.destroy();
    await store.close();
  }
}

/**
 * Replaces the stopped hub's inventory with the backup in `file`. The file is validated in full
 * first; the new store is built beside the live one and swapped in by two renames only once it
 * is complete, and the old one is kept (`inventory.before-restore-<time>`), so a bad file, a
 * failure or a crash midway loses nothing. A running hub holds the live store's LevelDB lock:
 * that refuses the restore, and holding the lock ourselves keeps a hub from starting until the
 * swap (the OS frees it when its holder dies, so unlike a pid file it is never stale).
 */
export async function restoreHub(dataDir: string, file: string): Promise<{ items: number; previous: string | null }> {
  const backup = await readBackup(file);
  const live = join(dataDir, INVENTORY_DIR);
  const liveLock = existsSync(live) ? await openInventory(live, dataDir) : undefined;
  const staging = join(dataDir, `${INVENTORY_DIR}.restoring-${process.pid}`);
  try {
    await rm(staging, { recursive: true, force: true });
    await buildStore(dataDir, staging, backup);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    await liveLock?.close();
    throw error;
  }
  let previous: string | null = null;
  if (liveLock) {
    await liveLock.close();
    previous = `${live}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await rename(live, previous);
  }
  await rename(staging, live);
  return { items: backup.items.length, previous };
}
