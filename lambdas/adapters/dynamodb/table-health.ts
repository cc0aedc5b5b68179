import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { InventoryHealth } from "../../ports.js";

/** The inventory answers when DescribeTable of its table does. */
export class DynamoDBTableHealth implements InventoryHealth {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async check(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
    } catch (error) {
      throw new Error(`inventory table ${this.tableName} is not reachable: ${(error as Error).message}`, { cause: error });
    }
  }
}
