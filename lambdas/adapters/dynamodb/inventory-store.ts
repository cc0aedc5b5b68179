import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import * as z from "zod";
import { ClusterName, EksClusterInfo, RebuildState } from "../../../contract/index.js";
import type { ClusterRecord } from "../../inventory/cluster-record.js";
import type { PageTokens } from "../../inventory/page-cursor.js";
import { ClusterExistsError, VersionConflictError, type ClusterEdit, type ClusterPage, type InventoryStore } from "../../ports.js";
import { fromAttributes, toAttributes, toAttributeValue, type Attributes } from "./attributes.js";
import { batchWrite } from "./batch-write.js";
import { ItemKey, parseItem, StoredStringMap } from "./item.js";
import { pageTokenSecret } from "./page-token-secret.js";
import { STATUS_SORT_KEY } from "./status-store.js";
import { SHARD_INDEX, SHARDS } from "./table.js";

const clusterKey = (name: string) => ({ pk: `CLUSTER#${name}`, sk: "META" });

export function shardOf(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) % SHARDS;
}

/** Where a listing stopped: a shard of the index, and the last name read from it. */
const Cursor = z.strictObject({
  shard: z
    .number()
    .int()
    .min(0)
    .max(SHARDS - 1),
  after: ClusterName.optional(),
});
type Cursor = z.infer<typeof Cursor>;
/** What a listing reads from the index: the name, and nothing the table may already have changed. */
const IndexName = z.object({ name: ClusterName });

function toItem(record: ClusterRecord): Attributes {
  return toAttributes({ ...clusterKey(record.name), shard: `CLUSTERS#${shardOf(record.name)}`, kind: "cluster", ...record });
}

/** A cluster item as `toItem` writes it; the key, shard and kind attributes are left out of the record. */
const ClusterItem = z.object({
  name: z.string(),
  labels: StoredStringMap,
  annotations: StoredStringMap,
  server: z.string().nullable(),
  eks: EksClusterInfo.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  tokenHash: z.string(),
  /** Absent on items written before token issue times were kept. */
  tokenIssuedAt: z.string().optional(),
  previousToken: z.object({ hash: z.string(), validUntil: z.string() }).nullable(),
  /** Absent on items written before rebuilds existed: the first incarnation. */
  incarnation: z.number().int().min(1).optional(),
  rebuild: RebuildState.optional(),
  /** Set by the first step of a deletion: the cluster is gone from then on, whatever steps a crash left undone. */
  deleting: z.literal(true).optional(),
});

/** The record in a cluster item, or undefined for a cluster being deleted. */
function fromItem(attributes: Attributes): ClusterRecord | undefined {
  const item = fromAttributes(attributes);
  const { deleting, ...record } = parseItem(ClusterItem, item);
  return deleting ? undefined : record;
}

const conditional = async <T>(write: () => Promise<T>, onConflict: () => Error): Promise<T> => {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw onConflict();
    throw error;
  }
};

/**
 * The inventory on DynamoDB: the same code against AWS, DynamoDB Local and dynalite.
 *
 * Crash safety: every change is one conditional write of the cluster item, except deletion, whose
 * first write marks the item `deleting` (gone for every reader) before anything under it is removed,
 * and whose last removes the item. Listings read names from the `byShard` index and the items
 * themselves from the table: the index may hold an entry the table does not (dynalite writes the
 * index before the item, so a kill -9 between the two leaves one; on AWS the index lags the table),
 * and a listing shows only what a read of the cluster would.
 */
export class DynamoDBInventoryStore implements InventoryStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly pageTokens: () => Promise<PageTokens>;

  /** `pageTokenSecret`: RADIAL_PAGE_TOKEN_SECRET, if the operator set one (see page-token-secret.ts). */
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: { pageTokenSecret?: string | undefined } = {},
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.pageTokens = pageTokenSecret(this.documents, tableName, options.pageTokenSecret);
  }

  async createCluster(record: ClusterRecord): Promise<void> {
    await conditional(
      () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: toItem(record),
            // A deletion a crash cut short leaves its marked item: the name is free.
            ConditionExpression: "attribute_not_exists(pk) OR deleting = :true",
            ExpressionAttributeValues: { ":true": { BOOL: true } },
          }),
        ),
      () => new ClusterExistsError(`cluster ${record.name} is already registered`),
    );
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: toAttributes(clusterKey(name)), ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async replaceCluster(record: ClusterRecord, expectedVersion: number): Promise<void> {
    await conditional(
      () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: toItem(record),
            ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting) AND version = :expected",
            ExpressionAttributeValues: { ":expected": toAttributeValue(expectedVersion) },
          }),
        ),
      () => new VersionConflictError(`cluster ${record.name} changed since version ${expectedVersion}`),
    );
  }

  async editCluster(name: string, edit: ClusterEdit): Promise<ClusterRecord> {
    const { Attributes: written } = await conditional(
      () =>
        this.client.send(
          new UpdateItemCommand({ TableName: this.tableName, Key: toAttributes(clusterKey(name)), ...editExpression(edit), ReturnValues: "ALL_NEW" }),
        ),
      () => new VersionConflictError(`cluster ${name} changed or went away during the edit`),
    );
    const record = written ? fromItem(written) : undefined;
    if (!record) throw new Error(`the edit of cluster ${name} returned no cluster`);
    return record;
  }

  async deleteCluster(name: string): Promise<boolean> {
    const key = toAttributes(clusterKey(name));
    let marked: Attributes | undefined;
    try {
      ({ Attributes: marked } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: "SET deleting = :true",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":true": { BOOL: true } },
          ReturnValues: "ALL_OLD",
        }),
      ));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    // The status item first: a crash after it leaves application items no summary points at, never a
    // summary whose applications are half gone (which a re-registered cluster would inherit).
    const partition = clusterKey(name).pk;
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toAttributes({ pk: partition, sk: STATUS_SORT_KEY }) }));
    await this.deleteUnder(partition);
    try {
      // Only the marked item: a registration that took the name meanwhile stays.
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: "deleting = :true",
          ExpressionAttributeValues: { ":true": { BOOL: true } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // An item a crashed deletion had marked was already gone for every reader.
    return marked !== undefined && fromItem(marked) !== undefined;
  }

  /** Deletes every item of the partition but the cluster item. */
  private async deleteUnder(partition: string): Promise<void> {
    let startKey: Attributes | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: partition } },
          ProjectionExpression: "pk, sk",
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (page.Items ?? []).map((item) => parseItem(ItemKey, fromAttributes(item))).filter((k) => k.sk !== "META");
      await batchWrite(
        this.documents,
        this.tableName,
        keys.map((Key) => ({ DeleteRequest: { Key } })),
      );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async cursorAfter(record: ClusterRecord): Promise<string> {
    return (await this.pageTokens()).encode({ shard: shardOf(record.name), after: record.name } satisfies Cursor);
  }

  async listClusters(limit: number, cursorText?: string): Promise<ClusterPage> {
    const tokens = await this.pageTokens();
    let cursor: Cursor | undefined = cursorText ? tokens.decode(cursorText, Cursor) : { shard: 0 };
    const records: ClusterRecord[] = [];
    let scanned = 0;
    while (cursor && records.length < limit) {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SHARD_INDEX,
          KeyConditionExpression: cursor.after === undefined ? "#shard = :shard" : "#shard = :shard AND #name > :after",
          ExpressionAttributeNames: { "#shard": "shard", "#name": "name" },
          ExpressionAttributeValues: toAttributes({ ":shard": `CLUSTERS#${cursor.shard}`, ":after": cursor.after }),
          ProjectionExpression: "#name",
          Limit: limit - records.length,
        }),
      );
      const names = (page.Items ?? []).map((item) => parseItem(IndexName, fromAttributes(item)).name);
      scanned += page.ScannedCount ?? names.length;
      records.push(...(await this.currentRecords(names)));
      if (page.LastEvaluatedKey) cursor = { shard: cursor.shard, after: parseItem(IndexName, fromAttributes(page.LastEvaluatedKey)).name };
      else cursor = cursor.shard + 1 < SHARDS ? { shard: cursor.shard + 1 } : undefined;
    }
    return { records, scanned, ...(cursor ? { cursor: tokens.encode(cursor) } : {}) };
  }

  /** The clusters of these names as the table holds them now, in the same order; names with no cluster (any more) are left out. */
  private async currentRecords(names: string[]): Promise<ClusterRecord[]> {
    const found = new Map<string, ClusterRecord>();
    for (let i = 0; i < names.length; i += BATCH_GET_SIZE) {
      let request: KeysAndAttributes | undefined = {
        Keys: names.slice(i, i + BATCH_GET_SIZE).map((name) => toAttributes(clusterKey(name))),
        ConsistentRead: true,
      };
      for (let attempt = 0; request?.Keys?.length; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`could not read ${request.Keys.length} clusters after ${attempt} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const output: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: request } }));
        for (const item of output.Responses?.[this.tableName] ?? []) {
          const record = fromItem(item);
          if (record) found.set(record.name, record);
        }
        request = output.UnprocessedKeys?.[this.tableName];
      }
    }
    return names.flatMap((name) => found.get(name) ?? []);
  }
}

const BATCH_GET_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;

/**
 * One UpdateItem for a PATCH: each changed key is its own SET or REMOVE on the map, so editors of
 * different keys never overwrite each other; the version moves on every edit (so If-Match still
 * means "the version I read"), but is a condition only when asked.
 */
function editExpression(edit: ClusterEdit) {
  // DynamoDB refuses a name or value the expressions do not use, so each is added where it is used.
  const names: Record<string, string> = {};
  const values: Attributes = toAttributes({ ":one": 1, ":now": edit.updatedAt });
  const sets = ["version = version + :one", "updatedAt = :now"];
  const removes: string[] = [];
  let n = 0;
  for (const [map, changes] of [
    ["labels", edit.labels],
    ["annotations", edit.annotations],
  ] as const) {
    for (const [key, value] of changes) {
      names[`#${map}`] = map;
      names[`#k${++n}`] = key;
      if (value === null) removes.push(`#${map}.#k${n}`);
      else {
        values[`:v${n}`] = { S: value };
        sets.push(`#${map}.#k${n} = :v${n}`);
      }
    }
  }
  const conditions = ["attribute_exists(pk)", "attribute_not_exists(deleting)"];
  if (edit.version !== undefined) {
    conditions.push("version = :version");
    values[":version"] = toAttributeValue(edit.version);
  }
  if (edit.maxKeysBefore) {
    Object.assign(names, { "#labels": "labels", "#annotations": "annotations" });
    conditions.push("size(#labels) <= :maxLabels", "size(#annotations) <= :maxAnnotations");
    values[":maxLabels"] = toAttributeValue(edit.maxKeysBefore.labels);
    values[":maxAnnotations"] = toAttributeValue(edit.maxKeysBefore.annotations);
  }
  return {
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: conditions.join(" AND "),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}
