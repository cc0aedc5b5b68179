import * as z from "zod";
import { GenerationRecord, GenerationTrigger, type GenerationRun } from "../../contract/index.js";

/**
 * The generation queue's messages: a background trigger (inventory change, webhook, schedule,
 * poll), which any later run covers, or a run an operator requested (`POST /v1/generate`), known
 * by its id and run as asked. The worker parses every message with this schema; one that fails is
 * dead-lettered with the reason.
 */
export const TriggerMessage = z.strictObject({ trigger: GenerationTrigger });
export const RequestedRunMessage = z.strictObject({ id: GenerationRecord.shape.id, trigger: z.literal("api"), dryRun: z.boolean(), force: z.boolean() });
export type GenerationMessage = z.infer<typeof TriggerMessage> | z.infer<typeof RequestedRunMessage>;
export type RequestedRun = Extract<GenerationMessage, { id: string }>;

export const isRequestedRun = (message: GenerationMessage): message is RequestedRun => "id" in message;

/**
 * How messages reach the worker, one run at a time across the hub. `send` resolves once the
 * message is queued (durably, on AWS: a Lambda may be frozen as soon as it answers), not when it
 * has run. Embedded, the worker is this process (adapters/queue/in-process.ts); on AWS an SQS FIFO
 * queue whose one message group the worker function drains (adapters/queue/sqs.ts).
 */
export interface GenerationQueue {
  send(message: GenerationMessage): Promise<void>;
  /** Resolves once nothing this process queued is still running here (shutdown, tests). */
  idle(): Promise<void>;
}

/** Requested runs by id, from queued to finished or failed (`GET /v1/generations/{id}`). */
export interface GenerationRuns {
  put(run: GenerationRun): Promise<void>;
  get(id: string): Promise<GenerationRun | undefined>;
}
