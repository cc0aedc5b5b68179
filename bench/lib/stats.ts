/** Summary of a sample of measurements (latencies in ms, counts per run, ...). */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The p-th percentile (0 < p <= 100) by nearest rank: always a value that was measured, so a
 * p99 over 100 samples is the second-worst run rather than an interpolation that never happened.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of an empty sample");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}
