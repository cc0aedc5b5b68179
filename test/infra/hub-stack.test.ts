import assert from "node:assert/strict";
import { test } from "node:test";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { HubStack } from "../../infra/hub-stack.js";
import { tableDefinition } from "../../lambdas/adapters/dynamodb/table.js";

test("the CDK stack's inventory table has the keys the hub creates locally, with TTL and PITR", () => {
  const template = Template.fromStack(new HubStack(new App(), "Test"));
  const tables = Object.values(template.findResources("AWS::DynamoDB::Table")) as { Properties: Record<string, unknown> }[];
  assert.equal(tables.length, 1);
  const properties = tables[0]!.Properties;
  assert.deepEqual(properties.KeySchema, tableDefinition("radial").KeySchema);
  assert.equal(properties.BillingMode, "PAY_PER_REQUEST");
  assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: "expiresAt", Enabled: true });
  assert.deepEqual(properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
});
