import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { Rebuild, type RebuildState } from "../../../contract/index.js";
import type { ClusterRecord } from "../../inventory/cluster-record.js";
import type { RebuildStore } from "../../ports.js";
import { toAttributes } from "./attributes.js";
import { batchWrite } from "./batch-write.js";
import { ItemKey, parseItem } from "./item.js";

/**
 * Rebuilds under their cluster's partition (see table.ts), so deleting the cluster deletes them:
 *   sk = META                    the cluster item's `incarnation` and `rebuild`: the latest rebuild, the
 *                                one that counts; every phase change is one conditional update of it
 *   sk = REBUILD#<incarnation>   one rebuild's record with its preflight (zero-padded, so newest sorts last)
 */
const partition = (cluster: string) => `CLUSTER#${cluster}`;
const HISTORY = "REBUILD#";
const historyKey = (incarnation: number) => `${HISTORY}${String(incarnation).padStart(10, "0")}`;

export class DynamoDBRebuildStore implements RebuildStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putHistory(cluster: string, rebuild: Rebuild): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: partition(cluster), sk: historyKey(rebuild.incarnation), kind: "rebuild", rebuild } }),
    );
  }

  private query(cluster: string, limit?: number): AsyncGenerator<QueryCommandOutput> {
    const { documents, tableName } = this;
    return (async function* () {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": partition(cluster), ":prefix": HISTORY },
            ScanIndexForward: false,
            ConsistentRead: true,
            ...(limit === undefined ? {} : { Limit: limit }),
            ExclusiveStartKey,
          }),
        );
        yield page;
        ExclusiveStartKey = limit === undefined ? page.LastEvaluatedKey : undefined;
      } while (ExclusiveStartKey);
    })();
  }

  async listHistory(cluster: string, limit: number): Promise<Rebuild[]> {
    const rebuilds: Rebuild[] = [];
    for await (const page of this.query(cluster, limit)) {
      for (const item of page.Items ?? []) rebuilds.push(parseItem(Rebuild, item, item.rebuild, ["rebuild"]));
    }
    return rebuilds;
  }

  async trimHistory(cluster: string, keep: number): Promise<void> {
    const keys: ItemKey[] = [];
    for await (const page of this.query(cluster)) for (const item of page.Items ?? []) keys.push(parseItem(ItemKey, item));
    await batchWrite(
      this.documents,
      this.tableName,
      keys.slice(keep).map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  async updateCurrent(cluster: string, state: RebuildState, expectedRev: number, record?: Pick<ClusterRecord, "eks" | "server">): Promise<boolean> {
    const sets = ["#rebuild = :rebuild", "version = version + :one"];
    if (record) sets.push("eks = :eks", "#server = :server");
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes({ pk: partition(cluster), sk: "META" }),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting) AND incarnation = :incarnation AND #rebuild.rev = :rev",
          ExpressionAttributeNames: { "#rebuild": "rebuild", ...(record ? { "#server": "server" } : {}) },
          ExpressionAttributeValues: toAttributes({
            ":rebuild": state,
            ":one": 1,
            ":incarnation": state.incarnation,
            ":rev": expectedRev,
            ...(record ? { ":eks": record.eks, ":server": record.server } : {}),
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
