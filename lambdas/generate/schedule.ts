/**
 * The embedded hub's generation schedule: a run every RADIAL_GENERATE_INTERVAL seconds (default
 * 300; 0 turns it off). Each wait is jittered by ±10% so several hubs sharing a table do not
 * contend for the lease in lockstep. On AWS an EventBridge rule invokes `lambdas/handlers/schedule.ts`
 * instead.
 */
export const DEFAULT_GENERATE_INTERVAL_SECONDS = 300;
const JITTER = 0.1;

/** RADIAL_GENERATE_INTERVAL in seconds: a whole number, 0 for no schedule. */
export function generateIntervalSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.RADIAL_GENERATE_INTERVAL;
  if (text === undefined || text === "") return DEFAULT_GENERATE_INTERVAL_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`RADIAL_GENERATE_INTERVAL must be a whole number of seconds (0 turns the schedule off), got "${text}"`);
  return seconds;
}

/** Calls `tick` after every jittered interval until stopped; the timer never keeps the process alive. */
export function startSchedule(tick: () => void, intervalSeconds: number, random: () => number = Math.random): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    const delay = intervalSeconds * 1000 * (1 - JITTER + 2 * JITTER * random());
    timer = setTimeout(() => {
      tick();
      next();
    }, delay);
    timer.unref();
  };
  if (intervalSeconds > 0) next();
  return { stop: () => clearTimeout(timer) };
}
