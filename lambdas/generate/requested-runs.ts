import { GENERATION_LIMITS, GenerationRecord, type GenerationRun, type GenerationRunResult, type GenerationTrigger } from "../../contract/index.js";
import { truncateUtf8 } from "./history.js";
import type { RequestedRun } from "./queue.js";

/**
 * A requested run's life as `GET /v1/generations/{id}` shows it: queued when `POST /v1/generate`
 * answers 202, running once the worker takes it, then finished with its result or failed with
 * why. A run that fails, requested or not, also enters the history as a record whose one error
 * says why (file `(run)`), so a failure is never silent there.
 */
export function queuedRun(message: RequestedRun, at: Date): GenerationRun {
  const { id, dryRun, force } = message;
  return { id, dryRun, force, state: "queued", queuedAt: at.toISOString(), startedAt: null, finishedAt: null, result: null, error: null };
}

export function runningRun(run: GenerationRun, at: Date): GenerationRun {
  return { ...run, state: "running", startedAt: at.toISOString(), finishedAt: null, error: null };
}

export function finishedRun(run: GenerationRun, result: GenerationRunResult, at: Date): GenerationRun {
  return { ...run, state: "finished", finishedAt: at.toISOString(), result, error: null };
}

export function failedRun(run: GenerationRun, error: unknown, at: Date): GenerationRun {
  return { ...run, state: "failed", finishedAt: at.toISOString(), error: truncateUtf8(messageOf(error), GENERATION_LIMITS.maxMessageBytes) };
}

/** The history's record of a run that failed before it had a result. */
export function failureRecord(run: { id: string; trigger: GenerationTrigger; dryRun: boolean; startedAt: Date }, error: unknown, now: Date): GenerationRecord {
  return GenerationRecord.parse({
    id: run.id,
    startedAt: run.startedAt.toISOString(),
    trigger: run.trigger,
    sourceRevision: "",
    durationMs: Math.max(0, now.getTime() - run.startedAt.getTime()),
    dryRun: run.dryRun,
    clustersChanged: 0,
    applicationsAdded: 0,
    applicationsChanged: 0,
    applicationsRemoved: 0,
    errors: [{ file: "(run)", message: truncateUtf8(messageOf(error), GENERATION_LIMITS.maxMessageBytes) }],
    errorCount: 1,
  });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
