import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import { z } from "zod";
import { EksClusterInfo } from "../../../contract/index.js";
import { batchWrite } from "./batch-write.js";
import type { ClusterRecord } from "../../inventory/cluster-record.js";
import { decodePageCursor, encodePageCursor } from "../../inventory/page-cursor.js";
import { ClusterExistsError, VersionConflictError, type ClusterPage, type InventoryStore } from "../../ports.js";
import { ItemKey, parseItem } from "./item.js";
import { SHARD_INDEX, SHARDS } from "./table.js";

const clusterKey = (name: string) => ({ pk: `CLUSTER#${name}`, sk: "META" });

export function shardOf(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) % SHARDS;
}

interface Cursor {
  shard: number;
  after?: string;
}

const decodeCursor = (text: string) =>
  decodePageCursor<Cursor>(
    text,
    (c) => Number.isInteger(c.shard) && c.shard >= 0 && c.shard < SHARDS && (c.after === undefined || typeof c.after === "string"),
  );

function toItem(record: ClusterRecord) {
  return { ...clusterKey(record.name), shard: `CLUSTERS#${shardOf(record.name)}`, kind: "cluster", ...record };
}

/** A cluster item as `toItem` writes it; the key, shard and kind attributes are left out of the record. */
const ClusterItem = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  server: z.string().nullable(),
  eks: EksClusterInfo.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  tokenHash: z.string(),
  previousToken: z.object({ hash: z.string(), validUntil: z.string() }).nullable(),
}) satisfies z.ZodType<ClusterRecord>;

function fromItem(item: Record<string, unknown>): ClusterRecord {
  return parseItem(ClusterItem, item);
}

/** The inventory on DynamoDB: the same code against AWS, DynamoDB Local and dynalite. */
export class DynamoDBInventoryStore implements InventoryStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async createCluster(record: ClusterRecord): Promise<void> {
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: toItem(record), ConditionExpression: "attribute_not_exists(pk)" }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ClusterExistsError(`cluster ${record.name} is already registered`);
      throw error;
    }
  }

  async getCluster(name: string): Promise<ClusterRecord | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: clusterKey(name), ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async replaceCluster(record: ClusterRecord, expectedVersion: number): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: "attribute_exists(pk) AND version = :expected",
          ExpressionAttributeValues: { ":expected": expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`cluster ${record.name} changed since version ${expectedVersion}`);
      throw error;
    }
  }

  async deleteCluster(name: string): Promise<boolean> {
    // The cluster item goes first, so the cluster (and its token) is gone at once; what hangs
    // under it (statuses, events) follows.
    const { Attributes } = await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: clusterKey(name), ReturnValues: "ALL_OLD" }));
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": clusterKey(name).pk },
          ProjectionExpression: "pk, sk",
          ExclusiveStartKey: startKey,
        }),
      );
      await this.deleteKeys((page.Items ?? []).map((item) => parseItem(ItemKey, item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return Attributes !== undefined;
  }

  private deleteKeys(keys: ItemKey[]): Promise<void> {
    return batchWrite(
      this.documents,
      this.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  cursorAfter(record: ClusterRecord): string {
    return encodePageCursor({ shard: shardOf(record.name), after: record.name });
  }

  async listClusters(limit: number, cursorText?: string): Promise<ClusterPage> {
    let cursor: Cursor | undefined = cursorText ? decodeCursor(cursorText) : { shard: 0 };
    const records: ClusterRecord[] = [];
    let scanned = 0;
    while (cursor && records.length < limit) {
      const page: QueryCommandOutput = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SHARD_INDEX,
          KeyConditionExpression: cursor.after === undefined ? "#shard = :shard" : "#shard = :shard AND #name > :after",
          ExpressionAttributeNames: cursor.after === undefined ? { "#shard": "shard" } : { "#shard": "shard", "#name": "name" },
          ExpressionAttributeValues: { ":shard": `CLUSTERS#${cursor.shard}`, ...(cursor.after === undefined ? {} : { ":after": cursor.after }) },
          Limit: limit - records.length,
        }),
      );
      const items = (page.Items ?? []).map(fromItem);
      scanned += page.ScannedCount ?? items.length;
      records.push(...items);
      if (page.LastEvaluatedKey) cursor = { shard: cursor.shard, after: String(page.LastEvaluatedKey.name) };
      else cursor = cursor.shard + 1 < SHARDS ? { shard: cursor.shard + 1 } : undefined;
    }
    return { records, scanned, ...(cursor ? { cursor: encodePageCursor(cursor) } : {}) };
  }
}
