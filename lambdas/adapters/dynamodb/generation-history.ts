import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { GenerationRecord } from "../../../contract/generation.js";
import type { PageTokens } from "../../inventory/page-cursor.js";
import { parseItem } from "./item.js";
import { pageTokenSecret } from "./page-token-secret.js";
import type { Clock, GenerationHistory, GenerationPage } from "../../ports.js";

/**
 * The history of generation runs, one item per run:
 *   pk = GENERATIONS#<yyyy-mm-dd> (UTC day of startedAt), sk = <startedAt ISO>#<id>
 * with `expiresAt` (epoch seconds, the table's TTL attribute) = startedAt + retention.
 *
 * Guarantees:
 * - Every record is validated by `GenerationRecord` before it is written and when it is read
 *   (records are bounded by `recordOf`, generate/history.ts).
 * - `list` returns newest first across day partitions, walking back day by day no further than
 *   the retention; records past `expiresAt` are never returned even before TTL deletes them
 *   (DynamoDB deletes expired items lazily, within days).
 * - `record` never overwrites: a second record with the same startedAt and id is refused.
 *
 * The record's schema and bounds are the API's (`contract/generation.ts`).
 */
export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

const dayOf = (time: Date) => time.toISOString().slice(0, 10);
const partition = (day: string) => `GENERATIONS#${day}`;
const sortKey = (record: Pick<GenerationRecord, "startedAt" | "id">) => `${record.startedAt}#${record.id}`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Where a listing stopped: a day, and the sort key of the last record returned from it. */
const Cursor = z
  .strictObject({
    day: z
      .string()
      .regex(DAY)
      .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`))),
    // `<startedAt ISO>#<id>`: far below DynamoDB's 1,024-byte sort key.
    after: z.string().max(200).optional(),
  })
  .refine((c) => c.after === undefined || c.after.startsWith(c.day));
type Cursor = z.infer<typeof Cursor>;

function previousDay(day: string): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS));
}

export class DynamoDBGenerationHistory implements GenerationHistory {
  private readonly documents: DynamoDBDocumentClient;
  private readonly retentionDays: number;
  private readonly pageTokens: () => Promise<PageTokens>;

  /** `pageTokenSecret`: RADIAL_PAGE_TOKEN_SECRET, if the operator set one (see page-token-secret.ts). */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    options: { retentionDays?: number; pageTokenSecret?: string | undefined } = {},
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.pageTokens = pageTokenSecret(this.documents, tableName, options.pageTokenSecret);
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) throw new Error(`retentionDays must be a positive integer, got ${this.retentionDays}`);
  }

  async record(input: GenerationRecord): Promise<void> {
    const record = GenerationRecord.parse(input);
    const started = new Date(record.startedAt);
    const expiresAt = Math.floor(started.getTime() / 1000) + this.retentionDays * 86_400;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(dayOf(started)), sk: sortKey(record), kind: "generation", expiresAt, record },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new Error(`generation ${record.id} at ${record.startedAt} is already recorded`, { cause: error });
      throw error;
    }
  }

  async list(limit: number, cursorText?: string): Promise<GenerationPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
    const now = this.clock();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // The oldest day that can hold an unexpired record.
    const oldest = dayOf(new Date(now.getTime() - this.retentionDays * DAY_MS));
    const tokens = await this.pageTokens();
    let cursor: Cursor = cursorText ? tokens.decode(cursorText, Cursor) : { day: dayOf(now) };
    const records: GenerationRecord[] = [];
    while (cursor.day >= oldest && records.length < limit) {
      const page: QueryCommandOutput = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": partition(cursor.day) },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: limit - records.length,
          ...(cursor.after === undefined ? {} : { ExclusiveStartKey: { pk: partition(cursor.day), sk: cursor.after } }),
        }),
      );
      for (const item of page.Items ?? []) {
        if (typeof item.expiresAt === "number" && item.expiresAt <= nowSeconds) continue;
        records.push(parseItem(GenerationRecord, item, item.record, ["record"]));
      }
      if (page.LastEvaluatedKey) cursor = { day: cursor.day, after: String(page.LastEvaluatedKey.sk) };
      else cursor = { day: previousDay(cursor.day) };
    }
    return { records, ...(cursor.day >= oldest ? { cursor: tokens.encode(cursor) } : {}) };
  }
}
