/** Small statistics and the one clock every figure of the bench is read from. */

/**
 * Milliseconds on the process's monotonic clock (CLOCK_MONOTONIC through uv_hrtime): the same
 * clock in the main thread and the simulator's worker thread, so their timestamps compare.
 */
export function clock(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The q-quantile (0..1) by linear interpolation between closest ranks; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Summary of a sample, rounded for results.json. */
export interface Distribution {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function distribution(values: readonly number[], digits = 1): Distribution {
  return {
    n: values.length,
    min: round(values.length ? Math.min(...values) : Number.NaN, digits),
    p50: round(quantile(values, 0.5), digits),
    p95: round(quantile(values, 0.95), digits),
    max: round(values.length ? Math.max(...values) : Number.NaN, digits),
    mean: round(values.length ? sum(values) / values.length : Number.NaN, digits),
  };
}
