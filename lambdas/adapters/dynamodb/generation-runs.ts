import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { GenerationRun } from "../../../contract/generation.js";
import type { GenerationRuns } from "../../generate/queue.js";
import { parseItem } from "./item.js";
import { DEFAULT_RETENTION_DAYS } from "./generation-history.js";

/**
 * Requested generation runs, one item each: pk = RUN#<id>, sk = RUN, the run as JSON in `run`, expiring (`expiresAt`, the table's TTL) with the history. A result too large for an item
 * (400 KB) is stored without its dry-run diffs (`diffsOmitted`).
 *
 * Guarantees: every run is validated by the contract's `GenerationRun` before it is written and
 * when it is read; a corrupt item is an error naming its key and field.
 */
const MAX_STORED_BYTES = 350_000;
const key = (id: string) => ({ pk: `RUN#${id}`, sk: "RUN" });

const StoredRun = z.object({ run: z.string() });

export class DynamoDBGenerationRuns implements GenerationRuns {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays: number = DEFAULT_RETENTION_DAYS,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async put(input: GenerationRun): Promise<void> {
    const run = GenerationRun.parse(input);
    const expiresAt = Math.floor(Date.parse(run.queuedAt) / 1000) + this.retentionDays * 86_400;
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { ...key(run.id), kind: "generation-run", expiresAt, run: storable(run) } }));
  }

  async get(id: string): Promise<GenerationRun | undefined> {
    const { Item: item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }));
    if (!item) return undefined;
    const { run } = parseItem(StoredRun, item);
    let json: unknown;
    try {
      json = JSON.parse(run);
    } catch (error) {
      return parseItem(z.never({ error: `not JSON (${(error as Error).message})` }), item, undefined, ["run"]);
    }
    return parseItem(GenerationRun, item, json, ["run"]);
  }
}

/** The run as JSON, cut down until it fits an item. */
function storable(run: GenerationRun): string {
  const { result } = run;
  const candidates: GenerationRun[] = [run];
  if (result) {
    const withoutDiffs = { ...result, clusters: result.clusters.map(({ diffs: _diffs, ...cluster }) => cluster), diffsOmitted: result.dryRun };
    candidates.push({ ...run, result: withoutDiffs });
  }
  for (const candidate of candidates) {
    const json = JSON.stringify(candidate);
    if (Buffer.byteLength(json) <= MAX_STORED_BYTES) return json;
  }
  throw new Error(`generation run ${run.id} does not fit a table item even without its diffs`);
}
