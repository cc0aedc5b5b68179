import * as z from "zod";

/**
 * What EventBridge Scheduler sends the schedule function, as its target's input: `run` from the
 * schedule every GenerateIntervalMinutes (a full run, the safety net), `poll` from the one every
 * minute (the source poll: a run only when a head moved). The stack sets one per schedule.
 */
export const ScheduleInput = z.strictObject({ action: z.enum(["run", "poll"]) });
export type ScheduleInput = z.infer<typeof ScheduleInput>;

/** The event as the schedule function takes it; anything else stops the invocation naming the field. */
export function parseScheduleInput(event: unknown): ScheduleInput {
  const parsed = ScheduleInput.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(the event)"}: ${issue.message}`);
  throw new Error(`the schedule's input is not {"action": "run" | "poll"}: ${problems.join("; ")}`);
}
