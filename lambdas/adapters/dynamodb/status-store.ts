import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { ClusterStatus, StoredApplicationStatus, StoredDriftEvent } from "../../../contract/index.js";
import type { StatusStore, StoredStatus } from "../../ports.js";
import { statusDigest } from "../../status/digest.js";
import { ItemKey, parseItem } from "./item.js";
import { TTL_ATTRIBUTE } from "./table.js";
import { batchWrite } from "./batch-write.js";

/**
 * A cluster's status under its partition (see table.ts), so deleting the cluster
 * deletes it too:
 *   sk = STATUS                        the summary of the last report (one item)
 *   sk = APP#<app>                     the latest status of one application (one item each)
 *   sk = DRIFT#<at, UTC ISO>#<digest>  one drift event, expired by `expiresAt`; the digest of the
 *                                      event makes a re-sent event overwrite itself
 */
const partition = (cluster: string) => `CLUSTER#${cluster}`;
const STATUS = "STATUS";
const APP = "APP#";
const DRIFT = "DRIFT#";

export function driftKey(event: StoredDriftEvent): string {
  const { receivedAt: _receivedAt, ...reported } = event;
  return `${DRIFT}${new Date(event.at).toISOString()}#${statusDigest(reported)}`;
}

const StatusItem = z.object({
  summary: ClusterStatus.pick({
    agentVersion: true,
    heartbeatAt: true,
    revision: true,
    conditions: true,
    sync: true,
    health: true,
    syncCounts: true,
    healthCounts: true,
  }).extend({
    receivedAt: z.string(),
  }),
  digests: z.record(z.string(), z.string()),
  driftStored: z.number().int(),
  seq: z.number().int(),
}) satisfies z.ZodType<StoredStatus>;

export class DynamoDBStatusStore implements StatusStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getStatus(cluster: string): Promise<StoredStatus | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: partition(cluster), sk: STATUS }, ConsistentRead: true }),
    );
    return Item ? parseItem(StatusItem, Item) : undefined;
  }

  /** Writes the status item if its `seq` is still `expectedSeq` (undefined: no item yet); false if another write came first. */
  async putStatus(cluster: string, status: StoredStatus, expectedSeq: number | undefined): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(cluster), sk: STATUS, kind: "status", ...status },
          ...(expectedSeq === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "seq = :expected", ExpressionAttributeValues: { ":expected": expectedSeq } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putApplications(cluster: string, applications: StoredApplicationStatus[]): Promise<void> {
    await batchWrite(
      this.documents,
      this.tableName,
      applications.map((application) => ({
        PutRequest: { Item: { pk: partition(cluster), sk: `${APP}${application.name}`, kind: "application", application } },
      })),
    );
  }

  async deleteApplications(cluster: string, names: string[]): Promise<void> {
    await batchWrite(
      this.documents,
      this.tableName,
      names.map((name) => ({ DeleteRequest: { Key: { pk: partition(cluster), sk: `${APP}${name}` } } })),
    );
  }

  /** Every application item of the cluster, by name. */
  async listApplications(cluster: string): Promise<StoredApplicationStatus[]> {
    const applications: StoredApplicationStatus[] = [];
    for await (const page of this.query(cluster, APP, { ScanIndexForward: true })) {
      for (const item of page.Items ?? []) applications.push(parseItem(StoredApplicationStatus, item, item.application, ["application"]));
    }
    return applications;
  }

  /** Writes each event under its own key (a re-sent event overwrites itself), expiring at `expiresAt` (epoch seconds). */
  async putDriftEvents(cluster: string, events: StoredDriftEvent[], expiresAt: number): Promise<void> {
    const byKey = new Map(events.map((event) => [driftKey(event), event]));
    await batchWrite(
      this.documents,
      this.tableName,
      [...byKey].map(([sk, event]) => ({ PutRequest: { Item: { pk: partition(cluster), sk, kind: "drift", [TTL_ATTRIBUTE]: expiresAt, event } } })),
    );
  }

  /** The newest `limit` drift events not yet expired at `nowSeconds`, newest first. */
  async listDriftEvents(cluster: string, limit: number, nowSeconds: number): Promise<StoredDriftEvent[]> {
    const events: StoredDriftEvent[] = [];
    if (limit === 0) return events;
    for await (const page of this.query(cluster, DRIFT, { ScanIndexForward: false, Limit: limit })) {
      for (const item of page.Items ?? []) {
        // TTL deletes lazily (within days), so an expired event may still be stored.
        if (typeof item[TTL_ATTRIBUTE] === "number" && item[TTL_ATTRIBUTE] <= nowSeconds) continue;
        if (events.length < limit) events.push(parseItem(StoredDriftEvent, item, item.event, ["event"]));
      }
      if (events.length >= limit) break;
    }
    return events;
  }

  /** Deletes all but the newest `keep` drift events; returns how many are left. */
  async trimDriftEvents(cluster: string, keep: number): Promise<number> {
    const keys: ItemKey[] = [];
    for await (const page of this.query(cluster, DRIFT, { ScanIndexForward: false, ProjectionExpression: "pk, sk" })) {
      keys.push(...(page.Items ?? []).map((item) => parseItem(ItemKey, item)));
    }
    await batchWrite(
      this.documents,
      this.tableName,
      keys.slice(keep).map((Key) => ({ DeleteRequest: { Key } })),
    );
    return Math.min(keys.length, keep);
  }

  private async *query(
    cluster: string,
    prefix: string,
    options: { ScanIndexForward: boolean; Limit?: number; ProjectionExpression?: string },
  ): AsyncGenerator<QueryCommandOutput> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": partition(cluster), ":prefix": prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...options,
        }),
      );
      yield page;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
