/** Exponential from 100 ms with jitter, capped at `maxMs`: the wait before retry number `attempt` (0-based). */
export function backoff(attempt: number, maxMs = 5_000): number {
  const base = Math.min(100 * 2 ** attempt, maxMs);
  return base / 2 + Math.random() * (base / 2);
}

/** Waits `ms`; an abort ends the wait early (without throwing). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
