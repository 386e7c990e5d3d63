/** Percentiles over latency samples (ns in, µs out). */
export function percentileUs(samplesNs: readonly number[], p: number): number {
  if (samplesNs.length === 0) return 0;
  const sorted = Float64Array.from(samplesNs).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round2((sorted[i] as number) / 1000);
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
