/** Nearest-rank percentile (p in 0..100) of unsorted samples; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Milliseconds rounded to 0.1. */
export function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Time an async step in milliseconds. */
export async function timed<T>(step: () => Promise<T>): Promise<{ readonly value: T; readonly ms: number }> {
  const started = performance.now();
  const value = await step();
  return { value, ms: ms(performance.now() - started) };
}
