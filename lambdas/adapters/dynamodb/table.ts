import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

/**
 * The inventory is one table with a generic key, so each access pattern is one Query on one
 * partition and no partition holds the whole fleet:
 *   pk = CLUSTER#<name>, sk = META            the cluster (one item per cluster)
 *   pk = CLUSTER#<name>, sk = STATUS          the cluster's last status report, without its applications
 *   pk = CLUSTER#<name>, sk = APP#<app>#<digest>
 *                                             one application's status as a report stated it; the
 *                                             STATUS item names the ones that make up the last report
 *   pk = CLUSTER#<name>, sk = DRIFT#<time>#<digest>
 *                                             drift history, newest 200 kept, expired by `expiresAt`
 *                                             (../status/status-store.ts); deleting the cluster
 *                                             deletes its whole partition, status included
 *   pk = GENERATIONS#<yyyy-mm-dd>, sk = <time>#<id>
 *                                             generation history, one partition per day (runs are
 *                                             serialized, so a day's partition sees one writer),
 *                                             expired by `expiresAt`
 *   pk = HUB#secrets, sk = PAGE_TOKENS         the secret page tokens are signed with, when
 *                                             RADIAL_PAGE_TOKEN_SECRET is unset (page-token-secret.ts)
 * Listing every cluster (selector evaluation, the console) uses the sparse index `byShard`: only
 * cluster items carry `shard` = CLUSTERS#<0..SHARDS-1>, picked by a hash of the name, and `name`.
 * Spreading the fleet over SHARDS index partitions keeps a fleet-wide read from landing on one
 * partition, and heartbeats never touch the index because status lives on other items.
 */
export const SHARDS = 8;
export const SHARD_INDEX = "byShard";

/** The attribute DynamoDB's TTL reads to expire events. */
export const TTL_ATTRIBUTE = "expiresAt";

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "shard", AttributeType: "S" },
      { AttributeName: "name", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: SHARD_INDEX,
        KeySchema: [
          { AttributeName: "shard", KeyType: "HASH" },
          { AttributeName: "name", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
  };
}

/** Creates the table when it does not exist and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE" && (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === "ACTIVE")) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
