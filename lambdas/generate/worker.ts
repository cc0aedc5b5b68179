import { GenerationTrigger } from "../../contract/index.js";
import { isRequestedRun, RequestedRunMessage, TriggerMessage, type GenerationMessage } from "./queue.js";
import type { GenerationService } from "./service.js";

/** One message as the queue delivers it: its id (to redeliver it) and its body. */
export interface DeliveredMessage {
  messageId: string;
  body: string;
}

export interface WorkerDeps {
  generation: GenerationService;
  /** Moves a message the worker cannot process to the dead-letter queue, with the reason. */
  deadLetter(message: DeliveredMessage, reason: string): Promise<void>;
}

/**
 * Works one batch of the generation queue, in order, and returns the ids of the messages to
 * deliver again: on a failure, that message and every later one, so the queue's order holds.
 * A trigger followed by another trigger is covered by the later one's run and costs nothing. A
 * message that is not a generation message is dead-lettered with the reason and recorded in the
 * history, never retried.
 */
export async function workBatch(batch: DeliveredMessage[], deps: WorkerDeps): Promise<string[]> {
  const messages = batch.map((delivered) => ({ delivered, parsed: parseMessage(delivered.body) }));
  for (const [index, { delivered, parsed }] of messages.entries()) {
    const next = messages[index + 1]?.parsed;
    try {
      if (!parsed.ok) await deadLetter(delivered, parsed, deps);
      else if (isRequestedRun(parsed.message) || !next?.ok || isRequestedRun(next.message)) await deps.generation.process(parsed.message);
    } catch {
      return batch.slice(index).map((message) => message.messageId);
    }
  }
  return [];
}

async function deadLetter(delivered: DeliveredMessage, bad: { reason: string; trigger: GenerationTrigger }, deps: WorkerDeps): Promise<void> {
  await deps.deadLetter(delivered, bad.reason);
  const failure = new Error(`queue message ${delivered.messageId} was dead-lettered: ${bad.reason}`);
  await deps.generation.recordFailure({ trigger: bad.trigger, dryRun: false, startedAt: new Date() }, failure);
}

/** A message, or why it is none; a bad one keeps the trigger it names, if any, for the history (else `api`). */
function parseMessage(body: string): { ok: true; message: GenerationMessage } | { ok: false; reason: string; trigger: GenerationTrigger } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: "the body is not JSON", trigger: "api" };
  }
  // The schema by the message's kind, so a refusal names the field at fault.
  const requested = typeof json === "object" && json !== null && "id" in json;
  const parsed = (requested ? RequestedRunMessage : TriggerMessage).safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  const trigger = GenerationTrigger.safeParse((json as { trigger?: unknown } | null)?.trigger).data ?? "api";
  return { ok: false, reason: `not a generation message: ${issue.path.join(".") || "(the message)"}: ${issue.message}`, trigger };
}
