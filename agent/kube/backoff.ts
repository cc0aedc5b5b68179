/**
 * The wait before retry number `attempt` (0-based): exponential from `baseMs`, capped at `maxMs`,
 * times a random factor in [0.5, 1) so a fleet of agents does not retry in step.
 */
export function backoff(attempt: number, maxMs = 5_000, baseMs = 100): number {
  const base = Math.min(baseMs * 2 ** Math.min(attempt, 30), maxMs);
  return base / 2 + Math.random() * (base / 2);
}

/** Waits `ms`; an abort ends the wait early (without throwing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
