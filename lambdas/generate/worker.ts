import { z } from "zod";
import { GenerationTrigger } from "../../contract/index.js";
import type { GenerationService } from "./service.js";

/**
 * What invokes the generation worker on AWS: the EventBridge schedule (`{ "source": "aws.events", ... }`),
 * or an asynchronous invocation carrying a background trigger (`{ "trigger": "webhook" }`).
 */
export const WorkerEvent = z.union([
  z.looseObject({ source: z.literal("aws.events") }).transform(() => "schedule" as const),
  z.strictObject({ trigger: GenerationTrigger }).transform((event) => event.trigger),
]);

/** Runs generation for one worker event, with its follow-ups, before the invocation ends. */
export function workerHandler(generation: GenerationService | null): (event: unknown) => Promise<void> {
  return async (event) => {
    if (!generation) throw new Error("generation is not configured: set RADIAL_REPO_URL on the function");
    await generation.drain(WorkerEvent.parse(event));
  };
}
