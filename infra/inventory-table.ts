import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from "aws-cdk-lib/aws-dynamodb";
import type { CreateTableCommandInput, KeySchemaElement } from "@aws-sdk/client-dynamodb";
import type { Construct } from "constructs";
import { tableDefinition, TTL_ATTRIBUTE } from "../lambdas/adapters/dynamodb/table.js";

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

/** A key attribute of the definition with the type its AttributeDefinitions give it. */
function keyAttribute(definition: CreateTableCommandInput, schema: KeySchemaElement[] | undefined, keyType: "HASH" | "RANGE"): Attribute | undefined {
  const name = schema?.find((key) => key.KeyType === keyType)?.AttributeName;
  if (name === undefined) return undefined;
  const type = definition.AttributeDefinitions?.find((attribute) => attribute.AttributeName === name)?.AttributeType;
  if (type === undefined) throw new Error(`the table definition's key ${name} has no AttributeDefinition`);
  return { name, type: ATTRIBUTE_TYPES[type] };
}

/**
 * The inventory table, built from `tableDefinition()`, the definition the embedded hub creates, so
 * the keys and every index are the same on AWS; the stack adds what only AWS has: TTL,
 * point-in-time recovery, encryption with the account's DynamoDB key and deletion protection.
 */
export function inventoryTable(scope: Construct, id: string): Table {
  const definition = tableDefinition("radial");
  const partitionKey = keyAttribute(definition, definition.KeySchema, "HASH");
  if (!partitionKey) throw new Error("the table definition has no partition key");
  const sortKey = keyAttribute(definition, definition.KeySchema, "RANGE");
  if (definition.BillingMode !== "PAY_PER_REQUEST") throw new Error(`the stack bills on demand, but the table definition says ${definition.BillingMode}`);
  const table = new Table(scope, id, {
    partitionKey,
    ...(sortKey ? { sortKey } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: TTL_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    const indexKey = keyAttribute(definition, index.KeySchema, "HASH");
    if (!indexKey) throw new Error(`the table definition's index ${index.IndexName} has no partition key`);
    const indexSortKey = keyAttribute(definition, index.KeySchema, "RANGE");
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName!,
      partitionKey: indexKey,
      ...(indexSortKey ? { sortKey: indexSortKey } : {}),
      projectionType: ProjectionType[index.Projection?.ProjectionType ?? "ALL"],
      ...(index.Projection?.NonKeyAttributes ? { nonKeyAttributes: index.Projection.NonKeyAttributes } : {}),
    });
  }
  return table;
}
