import * as z from "zod";

/**
 * The generation API: what `POST /v1/generate` answers, the run records of `GET /v1/generations`,
 * and the answer of `POST /v1/webhooks/git`. The hub validates records with these schemas before
 * storing them; the CLI validates every answer with them.
 */

/** Bounds that keep one run record far below DynamoDB's 400 KB item limit. */
export const GENERATION_LIMITS = {
  /** Errors kept per record (`errorCount` holds the true total). */
  maxErrors: 100,
  maxMessageBytes: 1024,
  maxFieldBytes: 256,
} as const;

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;
const bounded = (max: number) => z.string().refine((s) => byteLength(s) <= max, { error: `at most ${max} bytes of UTF-8` });
const count = z.number().int().nonnegative();
const names = z.array(z.string());

/** What started a run; `poll`: the hub's source poll saw a head move (RADIAL_SOURCE_POLL_INTERVAL). */
export const GenerationTrigger = z.enum(["inventory", "webhook", "api", "schedule", "poll"]);
export type GenerationTrigger = z.infer<typeof GenerationTrigger>;

/** One problem of a run: the generator file (or `(inventory)` / `(deploy)`), and what it names. */
export const GenerationError = z.strictObject({
  file: z.string(),
  applicationSet: z.string().optional(),
  application: z.string().optional(),
  cluster: z.string().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type GenerationError = z.infer<typeof GenerationError>;

/** Why a run wrote nothing: it would have removed more than the allowed share of Applications. */
export const GenerationBlocked = z.strictObject({
  removed: count,
  current: count,
  share: z.number().nonnegative(),
  maxRemovalShare: z.number().nonnegative(),
  message: z.string(),
});

/** The answer of `POST /v1/generate`: per cluster what changed (dry run: would change, with diffs). */
export const GenerationRunResult = z.strictObject({
  id: z.string(),
  sourceRevision: z.string(),
  dryRun: z.boolean(),
  durationMs: z.number().nonnegative(),
  clusters: z.array(
    z.strictObject({
      name: z.string(),
      /** The new commit on the cluster's deploy branch; null when unchanged, dry run, blocked or failed. */
      commit: z.string().nullable(),
      added: names,
      changed: names,
      removed: names,
      /** Dry runs only: a unified line diff per changed file. */
      diffs: z.array(z.strictObject({ path: z.string(), diff: z.string() })).optional(),
    }),
  ),
  errors: z.array(GenerationError),
  blocked: GenerationBlocked.optional(),
});
export type GenerationRunResult = z.infer<typeof GenerationRunResult>;

export const GenerationRecordError = z.strictObject({
  file: bounded(GENERATION_LIMITS.maxFieldBytes),
  applicationSet: bounded(GENERATION_LIMITS.maxFieldBytes).optional(),
  application: bounded(GENERATION_LIMITS.maxFieldBytes).optional(),
  cluster: bounded(GENERATION_LIMITS.maxFieldBytes).optional(),
  field: bounded(GENERATION_LIMITS.maxFieldBytes).optional(),
  message: bounded(GENERATION_LIMITS.maxMessageBytes),
});
export type GenerationRecordError = z.infer<typeof GenerationRecordError>;

/** One run as the history keeps it: a bounded summary of its result. */
export const GenerationRecord = z.strictObject({
  /** Unique per run; no `#` so the history's sort key splits unambiguously. */
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
  /** UTC, with milliseconds (`Date#toISOString`), so records order by time as strings. */
  startedAt: z.iso.datetime({ precision: 3 }),
  trigger: GenerationTrigger,
  sourceRevision: bounded(GENERATION_LIMITS.maxFieldBytes),
  durationMs: count,
  dryRun: z.boolean(),
  /** Clusters whose deploy branch got a commit (dry run: that would change). */
  clustersChanged: count,
  applicationsAdded: count,
  applicationsChanged: count,
  applicationsRemoved: count,
  /** At most GENERATION_LIMITS.maxErrors of them, in the run's order. */
  errors: z.array(GenerationRecordError).max(GENERATION_LIMITS.maxErrors),
  /** All errors the run reported, kept or not. */
  errorCount: count,
  blocked: GenerationBlocked.extend({ message: bounded(GENERATION_LIMITS.maxMessageBytes) }).optional(),
});
export type GenerationRecord = z.infer<typeof GenerationRecord>;

/** `GET /v1/generations`: newest first; `nextPageToken` is null on the last page. */
export const GenerationHistoryPage = z.strictObject({ items: z.array(GenerationRecord), nextPageToken: z.string().nullable() });
export type GenerationHistoryPage = z.infer<typeof GenerationHistoryPage>;

/** `POST /v1/webhooks/git` after a valid signature: whether a run started, and why (not). */
export const WebhookAnswer = z.strictObject({ started: z.boolean(), reason: z.string() });
export type WebhookAnswer = z.infer<typeof WebhookAnswer>;

/** Where a requested run is: queued (202 from `POST /v1/generate`), running, finished (see `result`), or failed (see `error`). */
export const GenerationRunState = z.enum(["queued", "running", "finished", "failed"]);
export type GenerationRunState = z.infer<typeof GenerationRunState>;

/** `POST /v1/generate` (202) and `GET /v1/generations/{id}`: a requested run and, once finished, its result. */
export const GenerationRun = z.strictObject({
  id: GenerationRecord.shape.id,
  dryRun: z.boolean(),
  force: z.boolean(),
  state: GenerationRunState,
  queuedAt: z.iso.datetime({ precision: 3 }),
  startedAt: z.iso.datetime({ precision: 3 }).nullable(),
  finishedAt: z.iso.datetime({ precision: 3 }).nullable(),
  /** Finished runs: what the run did, as `radial generate` prints it (a dry run's diffs may be cut to keep the run storable: `diffsOmitted`). */
  result: GenerationRunResult.extend({ diffsOmitted: z.boolean().optional() }).nullable(),
  /** Failed runs: why (the fleet repo unreachable, the lease held by another hub, the worker gave up). */
  error: bounded(GENERATION_LIMITS.maxMessageBytes).nullable(),
});
export type GenerationRun = z.infer<typeof GenerationRun>;
