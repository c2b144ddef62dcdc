/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** First sample time at which the counter had reached `count` (samples sorted by time). */
export function timeReached(samples: readonly { t: number; count: number }[], count: number, from = 0): { t: number; index: number } | null {
  for (let i = from; i < samples.length; i++) if (samples[i]!.count >= count) return { t: samples[i]!.t, index: i };
  return null;
}
