/**
 * The deploy-branch heads the hub pushed, one item per cluster under the cluster's partition (so
 * deleting the cluster deletes it too):
 *   sk = HEAD    commit, writtenAt (epoch ms): the head generation pushed last, and when
 * Read strongly consistent: a waiting agent must see a head as soon as it is written.
 */
import { GetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { Revision } from "../../../contract/names.js";
import type { DeployHeadStore, StoredDeployHead } from "../../status/deploy-heads.js";
import { fromAttributes, toAttributes } from "./attributes.js";
import { batchWrite } from "./batch-write.js";
import { parseItem } from "./item.js";

const HEAD = "HEAD";
const partition = (cluster: string) => `CLUSTER#${cluster}`;
const HeadItem = z.object({ commit: Revision, writtenAt: z.number().int().nonnegative() });

export class DynamoDBDeployHeadStore implements DeployHeadStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async put(heads: ReadonlyMap<string, string>, writtenAt: number): Promise<void> {
    const requests = [...heads].map(([cluster, commit]) => ({ PutRequest: { Item: { pk: partition(cluster), sk: HEAD, commit, writtenAt } } }));
    await batchWrite(this.documents, this.tableName, requests);
  }

  async get(cluster: string): Promise<StoredDeployHead | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes({ pk: partition(cluster), sk: HEAD }), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const item = fromAttributes(Item);
    return parseItem(HeadItem, item);
  }
}
