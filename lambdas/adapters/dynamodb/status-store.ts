import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { ClusterCapabilities, ClusterStatus, StoredApplicationStatus, StoredDriftEvent } from "../../../contract/index.js";
import type { ApplicationVersion, StatusHeartbeat, StatusStore, StoredStatus } from "../../ports.js";
import { statusDigest } from "../../status/digest.js";
import { fromAttributes, toAttributes } from "./attributes.js";
import { ItemKey, parseItem, StoredStringMap } from "./item.js";
import { TTL_ATTRIBUTE } from "./table.js";
import { batchWrite } from "./batch-write.js";

/**
 * A cluster's status under its partition (see table.ts), so deleting the cluster
 * deletes it too:
 *   sk = STATUS                        the summary of the last report (one item), and the digest
 *                                      of each of its applications (and one digest of them all, which
 *                                      a heartbeat's conditional write compares): written last, it commits a report
 *   sk = APP#<app>#<digest>            one application's status as a report stated it; only those
 *                                      the status item names are read, so a report a crash cut
 *                                      short before its status item shows nothing of itself
 *   sk = DRIFT#<at, UTC ISO>#<digest>  one drift event, expired by `expiresAt`; the digest of the
 *                                      event makes a re-sent event overwrite itself
 *   sk = CAPABILITIES                  the Kubernetes version and API versions the agent last sent
 *                                      (< 310,000 bytes by REPORT_LIMITS), read by generation for helm
 */
const partition = (cluster: string) => `CLUSTER#${cluster}`;
const STATUS = "STATUS";
/** The status item's sort key, which a cluster's deletion removes first. */
export const STATUS_SORT_KEY = STATUS;
const APP = "APP#";
const DRIFT = "DRIFT#";
const CAPABILITIES = "CAPABILITIES";
/** Application items keyed by name and digest. */
const APP_LAYOUT = 2;

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
  // Application names are user-named keys.
  digests: StoredStringMap,
  driftStored: z.number().int(),
  seq: z.number().int(),
  /** Absent before the cluster's first rebuild. */
  incarnation: z.number().int().min(1).optional(),
  /** Absent on items of hubs that keyed application items by name alone. */
  layout: z.literal(APP_LAYOUT).optional(),
  /** Absent until the cluster's agent sent its capabilities. */
  capabilitiesDigest: z.string().optional(),
});

const appKey = ({ name, digest }: ApplicationVersion) => `${APP}${name}#${digest}`;
/**
 * One string for the status item's whole `digests` map, which a heartbeat's condition compares:
 * DynamoDB compares maps with `=`, but dynalite (the embedded store) compares them by reference.
 */
const applicationsDigest = (digests: Record<string, string>) => statusDigest(Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
/** Application items a report's write reads at once, to carry their sync history forward. */
const CONCURRENT_APPLICATION_READS = 16;

export class DynamoDBStatusStore implements StatusStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getStatus(cluster: string): Promise<StoredStatus | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes({ pk: partition(cluster), sk: STATUS }), ConsistentRead: true }),
    );
    return Item ? statusFromItem(Item) : undefined;
  }

  /** These application items, read consistently a few at a time (a report changes few of its applications). */
  async readApplications(cluster: string, versions: ApplicationVersion[]): Promise<StoredApplicationStatus[]> {
    const applications: StoredApplicationStatus[] = [];
    for (let i = 0; i < versions.length; i += CONCURRENT_APPLICATION_READS) {
      const items = await Promise.all(
        versions.slice(i, i + CONCURRENT_APPLICATION_READS).map(async (version) => {
          const key = toAttributes(applicationItemKey(cluster, version));
          return (await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
        }),
      );
      for (const item of items) if (item) applications.push(applicationFromItem(fromAttributes(item)));
    }
    return applications;
  }

  /**
   * One conditional UpdateItem instead of a read and a conditional put: the condition holds the
   * status item to what the heartbeat's summary was computed from (the same application digests,
   * compared as one `applicationsDigest` that putStatus writes beside them,
   * the layout that keys items by digest, the incarnation, the capabilities it sent), and `seq`
   * still moves, so a report that read the item before this write fails its own conditional put.
   */
  async touchStatus(
    cluster: string,
    { summary, digests, incarnation, capabilitiesDigest }: StatusHeartbeat,
  ): Promise<{ capabilitiesDigest: string | null } | undefined> {
    const conditions = [
      "layout = :layout",
      "applicationsDigest = :applications",
      incarnation === 1 ? "attribute_not_exists(incarnation)" : "incarnation = :incarnation",
    ];
    if (capabilitiesDigest !== undefined) conditions.push("capabilitiesDigest = :capabilities");
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes({ pk: partition(cluster), sk: STATUS }),
          UpdateExpression: "SET summary = :summary, seq = seq + :one",
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeValues: toAttributes({
            ":summary": summary,
            ":one": 1,
            ":layout": APP_LAYOUT,
            ":applications": applicationsDigest(digests),
            ...(incarnation === 1 ? {} : { ":incarnation": incarnation }),
            ...(capabilitiesDigest === undefined ? {} : { ":capabilities": capabilitiesDigest }),
          }),
          ReturnValues: "ALL_NEW",
        }),
      );
      return { capabilitiesDigest: Attributes?.capabilitiesDigest?.S ?? null };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Writes the status item if its `seq` is still `expectedSeq` (undefined: no item yet); false if another write came first. */
  async putStatus(cluster: string, status: StoredStatus, expectedSeq: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toAttributes({
            pk: partition(cluster),
            sk: STATUS,
            kind: "status",
            ...status,
            layout: APP_LAYOUT,
            applicationsDigest: applicationsDigest(status.digests),
          }),
          ...(expectedSeq === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "seq = :expected", ExpressionAttributeValues: { ":expected": { N: String(expectedSeq) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putApplications(cluster: string, applications: { application: StoredApplicationStatus; digest: string }[], seq: number): Promise<void> {
    await batchWrite(
      this.documents,
      this.tableName,
      applications.map(({ application, digest }) => ({
        PutRequest: { Item: { pk: partition(cluster), sk: appKey({ name: application.name, digest }), kind: "application", seq, application } },
      })),
    );
  }

  async deleteApplications(cluster: string, applications: ApplicationVersion[], seq: number): Promise<void> {
    // One conditional delete each: a concurrent report may have written the same name and digest
    // again for its own commit, and that item must stay.
    await Promise.all(
      applications.map(async (application) => {
        try {
          await this.client.send(
            new DeleteItemCommand({
              TableName: this.tableName,
              Key: toAttributes({ pk: partition(cluster), sk: appKey(application) }),
              ConditionExpression: "attribute_not_exists(seq) OR seq <= :seq",
              ExpressionAttributeValues: { ":seq": { N: String(seq) } },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async listApplications(cluster: string, digests: Record<string, string>): Promise<StoredApplicationStatus[]> {
    const applications: StoredApplicationStatus[] = [];
    for await (const page of this.query(cluster, APP, { ScanIndexForward: true })) {
      for (const item of page.Items ?? []) {
        const [name, digest] = String(item.sk).slice(APP.length).split("#");
        if (name === undefined || !Object.hasOwn(digests, name) || digests[name] !== digest) continue;
        applications.push(applicationFromItem(item));
      }
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

  async putCapabilities(cluster: string, capabilities: ClusterCapabilities): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: partition(cluster), sk: CAPABILITIES, kind: "capabilities", capabilities } }),
    );
  }

  async getCapabilities(cluster: string): Promise<ClusterCapabilities | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: partition(cluster), sk: CAPABILITIES }, ConsistentRead: true }),
    );
    return Item ? parseItem(ClusterCapabilities, Item, Item.capabilities, ["capabilities"]) : undefined;
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

/** The keys of a cluster's status item and of one of its application items (for batch reads elsewhere, such as the fleet snapshot). */
export const statusItemKey = (cluster: string) => ({ pk: partition(cluster), sk: STATUS });
export const applicationItemKey = (cluster: string, version: ApplicationVersion) => ({ pk: partition(cluster), sk: appKey(version) });

/** A status item as read from the table. */
export function statusFromItem(attributes: Record<string, AttributeValue>): StoredStatus {
  const { layout, ...status } = parseItem(StatusItem, fromAttributes(attributes));
  // An older hub's application items are not found by digest: the next report writes every one again.
  return layout === APP_LAYOUT ? status : { ...status, digests: Object.create(null) as Record<string, string> };
}

/** An application item (as the document client reads it). */
export const applicationFromItem = (item: Record<string, unknown>): StoredApplicationStatus =>
  parseItem(StoredApplicationStatus, item, item.application, ["application"]);
