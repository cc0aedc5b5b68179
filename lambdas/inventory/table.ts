import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type CreateTableCommandInput, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * The inventory is one table with a generic key, so each access pattern is one Query on one
 * partition and no partition holds the whole fleet:
 *   pk = CLUSTER#<name>, sk = META            the cluster (one item per cluster)
 *   pk = CLUSTER#<name>, sk = APP#<app>       latest status of one application on that cluster
 *   pk = CLUSTER#<name>, sk = EVENT#<time>    bounded event history, expired by `expiresAt`
 * The CDK stack and the embedded hub both create the table from this one definition.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
  };
}

/** The attribute DynamoDB's TTL reads to expire events. */
export const TTL_ATTRIBUTE = "expiresAt";

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
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
