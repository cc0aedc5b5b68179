import { GENERATION_LIMITS, GenerationRecord, type GenerationRecordError, type GenerationTrigger } from "../../contract/generation.js";
import type { GenerationError, GenerationResult } from "./pipeline/run.js";

/**
 * A generation run summarized into the record the history keeps: far below DynamoDB's 400 KB an
 * item, at most GENERATION_LIMITS.maxErrors errors (`errorCount` holds the true total), each message
 * cut to 1 KB of UTF-8 and the other error fields to 256 bytes. The record's schema and bounds are
 * the API's (`contract/generation.ts`); the store is a port (`GenerationHistory`).
 */
const { maxErrors: MAX_ERRORS, maxMessageBytes: MAX_MESSAGE_BYTES, maxFieldBytes: MAX_FIELD_BYTES } = GENERATION_LIMITS;

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
