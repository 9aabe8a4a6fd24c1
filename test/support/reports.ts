/** Hand-built run results for the report tests (renderers, JUnit, schema): realistic, fixed times. */
import type { ExperimentResult } from '../../src/engine/result.js';
import type { RunReport } from '../../src/pipeline.js';

export const T0 = Date.parse('2024-05-01T12:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A started Litmus experiment that ran 42 s and cleaned up in 1 s, unless `over` says otherwise. */
export function experimentResult(
  over: Partial<ExperimentResult> & Pick<ExperimentResult, 'name' | 'verdict'>,
): ExperimentResult {
  return {
    index: 0,
    provider: 'litmus',
    weight: 1,
    critical: false,
    reason: `${over.verdict} reason`,
    started: true,
    startedAt: iso(T0),
    finishedAt: iso(T0 + 42_000),
    durationMs: 42_000,
    cleanupMs: 1000,
    created: [`ChaosEngine shop/${over.name}-x1y2z`],
    cleanupProblems: [],
    ...over,
  };
}

/** A run of `results` (verdict fail, score 62.5 unless `over` says otherwise). */
export function runReport(
  results: ExperimentResult[],
  over: Partial<Omit<RunReport, 'outcome'>> & { outcome?: Partial<RunReport['outcome']> } = {},
): RunReport {
  const { outcome, ...rest } = over;
  return {
    runId: 'gh-7-1',
    score: { score: 62.5, covered: results.length, total: results.length },
    verdict: 'fail',
    gates: { breaches: [], result: 'pass' },
    ledgerPath: '/tmp/ledger.json',
    leftover: { version: 1, runId: over.runId ?? 'gh-7-1', entries: [] },
    ...rest,
    outcome: {
      results,
      prepareProblems: [],
      cleanupProblems: [],
      cancelled: false,
      startedAt: iso(T0 - 1000),
      finishedAt: iso(T0 + 120_000),
      ...outcome,
    },
  };
}
