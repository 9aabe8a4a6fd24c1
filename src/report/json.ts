/**
 * The JSON report of a run (SPEC 7, `report-path`): every experiment with its timings, the
 * provider's state, its probes' summaries, recovery and burn rate, the gates' figures and the
 * score. Built by a pure function; written by {@link writeJsonReport}.
 */
import type { BudgetFigure } from '../gates/budget.js';
import type { RunReport } from '../pipeline.js';
import { experimentScore, roundScore } from '../score/score.js';
import { probeTally } from '../engine/verdict.js';
import type { Suite } from '../suite/model.js';

export const REPORT_VERSION = 1;

/** A budget figure as JSON: the number, or `null` with the reason. */
export type FigureJson = { value: number } | { value: null; reason: string };

function figure(f: BudgetFigure | undefined): FigureJson | null {
  if (!f) return null;
  return f.kind === 'value' ? { value: f.value } : { value: null, reason: f.reason };
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/** The worst SLO's consumed share in percent (`budget-consumed`), when it is a number. */
export function budgetConsumed(report: Pick<RunReport, 'gates'>): number | undefined {
  const w = report.gates.budget?.worstConsumed;
  return w?.kind === 'value' ? w.value : undefined;
}

export function buildJsonReport(
  suite: Pick<Suite, 'name' | 'file'>,
  report: RunReport,
  meta: { environment: string },
): Record<string, unknown> {
  const { outcome, gates } = report;
  return {
    version: REPORT_VERSION,
    suite: { name: suite.name, file: suite.file },
    runId: report.runId,
    environment: meta.environment,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    verdict: report.verdict,
    score: report.score.score ?? null,
    scoreCovers: { experiments: report.score.covered, of: report.score.total },
    budgetConsumed: budgetConsumed(report) ?? null,
    experiments: outcome.results.map((r) => {
      const m = r.monitoring;
      const s = experimentScore(r, probeTally(m));
      return {
        name: r.name,
        provider: r.provider,
        verdict: r.verdict,
        reason: r.reason,
        weight: r.weight,
        critical: r.critical,
        score: s === undefined ? null : roundScore(s),
        started: r.started,
        startedAt: r.startedAt ?? null,
        finishedAt: r.finishedAt ?? null,
        durationMs: r.durationMs ?? null,
        cleanupMs: r.cleanupMs ?? null,
        recoveryMs: m?.recovery?.recovered ? m.recovery.ms : null,
        recovery: m?.recovery ?? null,
        stoppedBy: r.stoppedBy ?? null,
        created: r.created,
        providerVerdict: r.providerVerdict ?? null,
        cleanupProblems: r.cleanupProblems,
        probes: (m?.probes ?? []).map((p) => ({
          probe: p.probe,
          requiredSuccessRate: p.required,
          met: p.tolerance.met,
          reason: p.tolerance.reason,
          before: p.summary.before,
          during: p.summary.during,
          after: p.summary.after,
          recovery: p.recovery ?? null,
        })),
        burnRate: (m?.burn ?? []).map((b) => ({
          slo: b.slo,
          samples: b.samples,
          worst: figure(b.worst),
          limit: b.limit ?? null,
          breach: b.breach ? { at: iso(b.breach.at), reason: b.breach.reason } : null,
        })),
      };
    }),
    gates: {
      result: gates.result,
      preflight: gates.preflight
        ? {
            decision: gates.preflight.decision,
            reason: gates.preflight.reason,
            result: gates.preflight.budget.gate,
            slos: gates.preflight.budget.slos.map((x) => ({
              slo: x.name,
              remaining: figure(x.remaining),
              minimum: x.minimum ?? null,
              result: x.result,
              gate: x.gate,
              reason: x.reason,
            })),
            steadyState: {
              ok: gates.preflight.steady.ok,
              probes: gates.preflight.steady.probes.map((p) => ({
                probe: p.probe,
                ok: p.check.ok,
                reason: p.check.reason,
              })),
            },
          }
        : null,
      budget: gates.budget
        ? {
            result: gates.budget.worst,
            from: iso(gates.budget.fromMs),
            to: iso(gates.budget.toMs),
            worstConsumed: figure(gates.budget.worstConsumed),
            slos: gates.budget.slos.map((x) => ({
              slo: x.name,
              consumed: figure(x.consumed),
              limit: x.limit ?? null,
              result: x.result,
              gate: x.gate,
              reason: x.reason,
            })),
          }
        : null,
      breaches: gates.breaches.map((b) => ({
        experiment: b.experiment,
        at: iso(b.at),
        reason: b.reason,
      })),
    },
    problems: { prepare: outcome.prepareProblems, cleanup: outcome.cleanupProblems },
  };
}
