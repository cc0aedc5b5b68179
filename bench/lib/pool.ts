/**
 * Runs `task(0)` … `task(count - 1)` with at most `concurrency` in flight, the way a client with a
 * connection pool would. The first failure rejects, and no new tasks start after it.
 */
export async function forEachBounded(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
