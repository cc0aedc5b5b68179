import { RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { tableDefinition, TTL_ATTRIBUTE } from "../lambdas/adapters/dynamodb/table.js";

/** The hub in AWS. The inventory table comes from the same definition the embedded hub creates. */
export class HubStack extends Stack {
  readonly table: Table;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const definition = tableDefinition("radial");
    const key = (type: "HASH" | "RANGE") => {
      const name = definition.KeySchema!.find((k) => k.KeyType === type)!.AttributeName!;
      return { name, type: AttributeType.STRING };
    };
    this.table = new Table(this, "Inventory", {
      partitionKey: key("HASH"),
      sortKey: key("RANGE"),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
