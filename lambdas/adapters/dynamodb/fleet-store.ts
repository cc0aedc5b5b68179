import { BatchGetItemCommand, QueryCommand, type BatchGetItemCommandOutput, type DynamoDBClient, type QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import * as z from "zod";
import type { StoredApplicationStatus } from "../../../contract/index.js";
import type { ApplicationVersion, FleetClusterEntry, FleetStore, StoredStatus } from "../../ports.js";
import { fromAttributes, toAttributes, type Attributes } from "./attributes.js";
import { parseItem, StoredStringMap } from "./item.js";
import { applicationFromItem, applicationItemKey, statusFromItem, statusItemKey } from "./status-store.js";
import { SHARD_INDEX, SHARDS } from "./table.js";
import { pool } from "../../../core/pool.js";

const itemId = (key: { pk: string; sk: string }) => `${key.pk}\n${key.sk}`;

/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_GET_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;
/**
 * Batches in flight at once. Few: a refresh is background work and must not crowd out the status
 * intake on the same table (on the embedded store, the same worker thread serves both, one request
 * after another: eight batches of 100 items ahead of a heartbeat held it up by hundreds of ms at
 * 10,000 clusters, bench/console). The version scan, which runs every refresh, takes one at a time.
 */
const CONCURRENT_BATCHES = 2;
const CONCURRENT_VERSION_BATCHES = 1;

const IndexEntry = z.object({
  name: z.string(),
  labels: StoredStringMap,
  createdAt: z.string(),
  incarnation: z.number().int().min(1).optional(),
  rebuild: z.looseObject({ requestedAt: z.string() }).optional(),
  deleting: z.literal(true).optional(),
});

/** What a refresh reads of every status item to tell whether it changed. */
const StatusVersion = z.object({ pk: z.string(), seq: z.number().int(), summary: z.object({ receivedAt: z.string() }) });

/**
 * The fleet snapshot's reads on the inventory table: the clusters from the eight `byShard`
 * partitions (the index projects every attribute, so no item is read twice), and status and
 * application items by key in BatchGetItem requests of 100. Reads are eventually consistent: a
 * snapshot is a few seconds old by design.
 */
export class DynamoDBFleetStore implements FleetStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async listClusters(): Promise<FleetClusterEntry[]> {
    const shards = await Promise.all(Array.from({ length: SHARDS }, (_, shard) => this.shard(shard)));
    return shards.flat();
  }

  private async shard(shard: number): Promise<FleetClusterEntry[]> {
    const entries: FleetClusterEntry[] = [];
    let startKey: Attributes | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: SHARD_INDEX,
          KeyConditionExpression: "#shard = :shard",
          ExpressionAttributeNames: {
            "#shard": "shard",
            "#name": "name",
            "#labels": "labels",
            "#createdAt": "createdAt",
            "#incarnation": "incarnation",
            "#rebuild": "rebuild",
            "#deleting": "deleting",
          },
          ExpressionAttributeValues: toAttributes({ ":shard": `CLUSTERS#${shard}` }),
          ProjectionExpression: "pk, sk, #name, #labels, #createdAt, #incarnation, #rebuild.requestedAt, #deleting",
          ExclusiveStartKey: startKey,
        }),
      );
      for (const attributes of page.Items ?? []) {
        const { name, labels, createdAt, incarnation, rebuild, deleting } = parseItem(IndexEntry, fromAttributes(attributes));
        // As GET /v1/clusters/{name}/status reads it: a rebuilt cluster shows its new incarnation's status only.
        if (!deleting) entries.push({ name, labels, since: rebuild?.requestedAt ?? createdAt, incarnation: incarnation ?? 1 });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  /** Only `seq` and `summary.receivedAt` of each status item: a few bytes where the item is kilobytes (the same read units on AWS). */
  async getStatusVersions(clusters: string[]): Promise<Map<string, { seq: number; receivedAt: string }>> {
    const versions = new Map<string, { seq: number; receivedAt: string }>();
    const projection = { ProjectionExpression: "pk, seq, summary.receivedAt" };
    for (const item of await this.batchGet(clusters.map(statusItemKey), projection, CONCURRENT_VERSION_BATCHES)) {
      const { pk, seq, summary } = parseItem(StatusVersion, fromAttributes(item));
      versions.set(pk.slice("CLUSTER#".length), { seq, receivedAt: summary.receivedAt });
    }
    return versions;
  }

  async getStatuses(clusters: string[]): Promise<Map<string, StoredStatus>> {
    const statuses = new Map<string, StoredStatus>();
    const items = await this.batchGet(clusters.map(statusItemKey));
    for (const item of items) statuses.set(String(item.pk?.S).slice("CLUSTER#".length), statusFromItem(item));
    return statuses;
  }

  async getApplications(
    versions: (ApplicationVersion & { cluster: string })[],
  ): Promise<(ApplicationVersion & { cluster: string; status: StoredApplicationStatus })[]> {
    const keyed = new Map(versions.map((version) => [itemId(applicationItemKey(version.cluster, version)), version]));
    const items = await this.batchGet(versions.map((version) => applicationItemKey(version.cluster, version)));
    return items.map((item) => ({
      ...keyed.get(itemId({ pk: String(item.pk?.S), sk: String(item.sk?.S) }))!,
      status: applicationFromItem(fromAttributes(item)),
    }));
  }

  /** The items of these keys that exist, in no particular order. */
  private async batchGet(
    keys: { pk: string; sk: string }[],
    projection: { ProjectionExpression?: string } = {},
    concurrency = CONCURRENT_BATCHES,
  ): Promise<Attributes[]> {
    const batches: { pk: string; sk: string }[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_SIZE) batches.push(keys.slice(i, i + BATCH_GET_SIZE));
    const results = await pool(batches, concurrency, (batch) => this.batch(batch, projection));
    return results.flat();
  }

  private async batch(keys: { pk: string; sk: string }[], projection: { ProjectionExpression?: string }): Promise<Attributes[]> {
    const items: Attributes[] = [];
    let pending: Attributes[] = keys.map((key) => toAttributes(key));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`could not read ${pending.length} items after ${attempt} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const output: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ...projection } } }),
      );
      items.push(...(output.Responses?.[this.tableName] ?? []));
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }
}
