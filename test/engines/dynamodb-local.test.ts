import { test } from "node:test";
import assert from "node:assert/strict";
import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { installDynamoDBLocal, startDynamoDBLocal } from "./dynamodb-local.js";
import { timed, rssMegabytes } from "./measure.js";

test("DynamoDB Local stores items and enforces conditional writes", { timeout: 15 * 60_000 }, async (t) => {
  const [, installSeconds] = await timed(installDynamoDBLocal);
  const [server, startSeconds] = await timed(startDynamoDBLocal);
  t.after(() => server.stop());

  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  t.after(() => client.destroy());

  const TableName = "radial-smoke";
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );

  const item = { pk: { S: "cluster#prod-eu" }, sk: { S: "meta" }, revision: { N: "1" } };
  const createOnly = { TableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" };
  await client.send(new PutItemCommand(createOnly));

  const { Item } = await client.send(new GetItemCommand({ TableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
  assert.deepEqual(Item, item);

  await assert.rejects(client.send(new PutItemCommand(createOnly)), ConditionalCheckFailedException);

  console.error(`dynamodb-local: install ${installSeconds.toFixed(1)} s, start ${startSeconds.toFixed(2)} s, RSS ${rssMegabytes(server.pid).toFixed(0)} MB`);
});
