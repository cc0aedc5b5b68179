import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import { GENERATION_LIMITS, GenerationRecord, type GenerationRecordError, type GenerationTrigger } from "../../contract/generation.js";
import type { GenerationError, GenerationResult } from "./pipeline/run.js";
import { decodePageCursor, encodePageCursor } from "../inventory/page-cursor.js";

/**
 * The history of generation runs, one item per run:
 *   pk = GENERATIONS#<yyyy-mm-dd> (UTC day of startedAt), sk = <startedAt ISO>#<id>
 * with `expiresAt` (epoch seconds, the table's TTL attribute) = startedAt + retention.
 *
 * Guarantees:
 * - Every record is validated by `GenerationRecord` before it is written and when it is read.
 * - An item stays far below DynamoDB's 400 KB: at most GENERATION_LIMITS.maxErrors errors are kept (`errorCount`
 *   holds the true total), each message cut to 1 KB of UTF-8 and the other error fields to 256 bytes.
 * - `list` returns newest first across day partitions, walking back day by day no further than
 *   the retention; records past `expiresAt` are never returned even before TTL deletes them
 *   (DynamoDB deletes expired items lazily, within days).
 * - `record` never overwrites: a second record with the same startedAt and id is refused.
 *
 * The record's schema and bounds are the API's (`contract/generation.ts`).
 */
const { maxErrors: MAX_ERRORS, maxMessageBytes: MAX_MESSAGE_BYTES, maxFieldBytes: MAX_FIELD_BYTES } = GENERATION_LIMITS;
export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/** Cuts `text` to at most `max` bytes of UTF-8 without splitting a character; marks a cut with "…". */
export function truncateUtf8(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  const budget = max - byteLength("…");
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    out += char;
    used += size;
  }
  return `${out}…`;
}

function boundError(error: GenerationError): GenerationRecordError {
  const field = (value: string | undefined) => (value === undefined ? undefined : truncateUtf8(value, MAX_FIELD_BYTES));
  const out: GenerationRecordError = { file: truncateUtf8(error.file, MAX_FIELD_BYTES), message: truncateUtf8(error.message, MAX_MESSAGE_BYTES) };
  for (const key of ["applicationSet", "application", "cluster", "field"] as const) {
    const value = field(error[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Summarizes a run into a bounded record. */
export function recordOf(result: GenerationResult, run: { id: string; startedAt: Date; trigger: GenerationTrigger }): GenerationRecord {
  const sum = (pick: (c: GenerationResult["clusters"][number]) => string[]) => result.clusters.reduce((n, c) => n + pick(c).length, 0);
  const changed = result.clusters.filter((c) => (result.dryRun ? c.added.length + c.changed.length + c.removed.length > 0 : c.commit !== null));
  return GenerationRecord.parse({
    id: run.id,
    startedAt: run.startedAt.toISOString(),
    trigger: run.trigger,
    sourceRevision: truncateUtf8(result.sourceRevision, MAX_FIELD_BYTES),
    durationMs: Math.max(0, Math.round(result.durationMs)),
    dryRun: result.dryRun,
    clustersChanged: changed.length,
    applicationsAdded: sum((c) => c.added),
    applicationsChanged: sum((c) => c.changed),
    applicationsRemoved: sum((c) => c.removed),
    errors: result.errors.slice(0, MAX_ERRORS).map(boundError),
    errorCount: result.errors.length,
    ...(result.blocked ? { blocked: { ...result.blocked, message: truncateUtf8(result.blocked.message, MAX_MESSAGE_BYTES) } } : {}),
  });
}

export interface GenerationPage {
  records: GenerationRecord[];
  /** Present when older records may follow; the last page may come back empty. */
  cursor?: string;
}

export interface GenerationHistory {
  record(record: GenerationRecord): Promise<void>;
  list(limit: number, cursor?: string): Promise<GenerationPage>;
}

const dayOf = (time: Date) => time.toISOString().slice(0, 10);
const partition = (day: string) => `GENERATIONS#${day}`;
const sortKey = (record: Pick<GenerationRecord, "startedAt" | "id">) => `${record.startedAt}#${record.id}`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface Cursor {
  day: string;
  /** The sort key of the last record returned from `day`. */
  after?: string;
}

const decodeCursor = (text: string) =>
  decodePageCursor<Cursor>(
    text,
    (c) =>
      typeof c.day === "string" &&
      DAY.test(c.day) &&
      !Number.isNaN(Date.parse(`${c.day}T00:00:00Z`)) &&
      (c.after === undefined || (typeof c.after === "string" && c.after.startsWith(c.day))),
  );

function previousDay(day: string): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS));
}

export class DynamoDBGenerationHistory implements GenerationHistory {
  private readonly documents: DynamoDBDocumentClient;
  private readonly retentionDays: number;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => Date,
    options: { retentionDays?: number } = {},
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
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
      if (error instanceof ConditionalCheckFailedException) throw new Error(`generation ${record.id} at ${record.startedAt} is already recorded`);
      throw error;
    }
  }

  async list(limit: number, cursorText?: string): Promise<GenerationPage> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
    const now = this.clock();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // The oldest day that can hold an unexpired record.
    const oldest = dayOf(new Date(now.getTime() - this.retentionDays * DAY_MS));
    let cursor: Cursor | undefined = cursorText ? decodeCursor(cursorText) : { day: dayOf(now) };
    const records: GenerationRecord[] = [];
    while (cursor && cursor.day >= oldest && records.length < limit) {
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
        records.push(GenerationRecord.parse(item.record));
      }
      if (page.LastEvaluatedKey) cursor = { day: cursor.day, after: String(page.LastEvaluatedKey.sk) };
      else cursor = { day: previousDay(cursor.day) };
    }
    return { records, ...(cursor && cursor.day >= oldest ? { cursor: encodePageCursor(cursor) } : {}) };
  }
}
