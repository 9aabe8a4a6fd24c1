/**
 * The resilience score and the suite verdict of SPEC section 6 (pure).
 * Per experiment: pass 100; fail 100 * (P_pass + Q * q/100) / (P + Q) (0 without probes);
 * aborted 0; error left out. Score = weighted mean, rounded half-up to one decimal, 0-100.
 */
import type { ExperimentResult } from '../engine/result.js';
import type { Gates } from '../suite/model.js';

export type SuiteVerdict = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface ProbeTally {
  /** Our probes attached to the experiment, and those that met their tolerance. */
  total: number;
  passed: number;
}

export function experimentScore(
  r: ExperimentResult,
  ours: ProbeTally = { total: 0, passed: 0 },
): number | undefined {
  switch (r.verdict) {
    case 'pass':
      return 100;
    case 'aborted':
      return 0;
    case 'error':
    case 'skipped':
      return undefined;
    case 'fail': {
      const Q = r.providerVerdict?.providerProbes ?? 0;
      const q = r.providerVerdict?.probeSuccessPercentage ?? 0;
      const P = ours.total;
      if (P + Q === 0) return 0;
      return (100 * (ours.passed + (Q * q) / 100)) / (P + Q);
    }
  }
}

/** Half-up to one decimal, within 0-100. */
export function roundScore(x: number): number {
  const clamped = Math.min(100, Math.max(0, x));
  return Math.floor(clamped * 10 + 0.5 + 1e-9) / 10;
}

export interface ScoreSummary {
  score?: number;
  /** How many experiments the score covers, of how many selected. */
  covered: number;
  total: number;
}

export function suiteScore(
  results: ExperimentResult[],
  probes: (r: ExperimentResult) => ProbeTally | undefined = () => undefined,
): ScoreSummary {
  let num = 0;
  let den = 0;
  let covered = 0;
  for (const r of results) {
    const s = experimentScore(r, probes(r));
    if (s === undefined) continue;
    covered++;
    num += r.weight * s;
    den += r.weight;
  }
  return { ...(den > 0 ? { score: roundScore(num / den) } : {}), covered, total: results.length };
}

/** First match wins (SPEC section 6). `gate` is the worst gate result (issue 5 adds gates). */
export function suiteVerdict(
  results: ExperimentResult[],
  score: number | undefined,
  gates: Pick<Gates, 'score'>,
  opts: { skipped?: boolean; gate?: 'pass' | 'warn' | 'fail' } = {},
): SuiteVerdict {
  if (opts.skipped) return 'skipped';
  if (results.some((r) => r.critical && (r.verdict === 'fail' || r.verdict === 'aborted')))
    return 'fail';
  if (opts.gate === 'fail') return 'fail';
  if (score !== undefined && score < gates.score.warn) return 'fail';
  if (results.some((r) => r.verdict === 'error')) return 'error';
  if (score !== undefined && score < gates.score.pass) return 'warn';
  if (opts.gate === 'warn') return 'warn';
  if (score === undefined) return 'error';
  return 'pass';
}
