/**
 * A plain summary of a run for the job summary and the terminal: verdict, score and one row per
 * experiment. (The full report with gates, baseline and PR comment builds on the same data.)
 */
import type { RunReport } from '../pipeline.js';
import { formatFigure, type BudgetFigure } from '../gates/budget.js';
import { formatDuration } from '../suite/duration.js';
import { escapeMarkdown } from './escape.js';

function figure(f: BudgetFigure | undefined, unit: string): string {
  if (!f) return '';
  if (f.kind === 'value') return `${formatFigure(f.value)}${unit}`;
  return f.kind === 'no-data' ? 'no data' : 'unbounded';
}

const pct = (x: number | undefined): string => (x === undefined ? '' : `${formatFigure(x)}%`);

/** The error budget per SLO (before, consumed) and the burn rate and probes per experiment. */
export function renderGatesMarkdown(report: RunReport): string {
  const { preflight, budget } = report.gates;
  const names = [
    ...new Set([
      ...(preflight?.budget.slos.map((s) => s.name) ?? []),
      ...(budget?.slos.map((s) => s.name) ?? []),
    ]),
  ];
  const lines: string[] = [];
  if (names.length) {
    lines.push(
      '',
      `### Error budget: ${report.gates.result}`,
      '',
      '| SLO | budget before | minimum | consumed by the run | limit | result |',
      '|---|---|---|---|---|---|',
    );
    for (const name of names) {
      const before = preflight?.budget.slos.find((s) => s.name === name);
      const spent = budget?.slos.find((s) => s.name === name);
      const result = spent?.result ?? before?.result ?? '';
      lines.push(
        `| ${escapeMarkdown(name)} | ${figure(before?.remaining, '%')} | ${pct(before?.minimum)} | ${figure(spent?.consumed, '%')} | ${pct(spent?.limit)} | ${result} |`,
      );
    }
  }
  const burns = report.outcome.results.flatMap((r) =>
    (r.monitoring?.burn ?? []).map((b) => ({ r, b })),
  );
  if (burns.length) {
    lines.push(
      '',
      '| experiment | SLO | highest burn rate | limit | breach |',
      '|---|---|---|---|---|',
      ...burns.map(
        ({ r, b }) =>
          `| ${escapeMarkdown(r.name)} | ${escapeMarkdown(b.slo)} | ${figure(b.worst, 'x')} | ${b.limit !== undefined ? `${formatFigure(b.limit)}x` : ''} | ${b.breach ? 'yes' : ''} |`,
      ),
    );
  }
  const probes = report.outcome.results.flatMap((r) =>
    (r.monitoring?.probes ?? []).map((p) => ({ r, p })),
  );
  if (probes.length) {
    lines.push(
      '',
      '| experiment | probe | passed during chaos | required | recovery |',
      '|---|---|---|---|---|',
      ...probes.map(({ r, p }) => {
        const d = p.summary.during;
        const rec = p.recovery
          ? p.recovery.recovered
            ? formatDuration(p.recovery.ms)
            : 'not recovered'
          : '';
        return `| ${escapeMarkdown(r.name)} | ${escapeMarkdown(p.probe)} | ${d.count ? `${d.passes}/${d.count} (${pct(d.successRate)})` : 'no samples'} | ${pct(p.required)} | ${rec} |`;
      }),
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** A dry run's preflight: the budgets and the steady state, under the plan. */
export function renderPreflightMarkdown(report: RunReport): string {
  const lines: string[] = [];
  const pf = report.gates.preflight;
  if (report.outcome.prepareProblems.length)
    lines.push(
      '',
      '**Problems found while connecting** (nothing was injected):',
      '',
      ...report.outcome.prepareProblems.map((p) => `- ${escapeMarkdown(p)}`),
    );
  if (pf) {
    lines.push(
      '',
      `### Preflight: ${pf.decision === 'run' ? 'ready' : escapeMarkdown(pf.reason)}`,
      '',
    );
    lines.push(...pf.budget.slos.map((s) => `- ${escapeMarkdown(s.reason)}`));
    lines.push(
      ...pf.steady.probes.map(
        (p) =>
          `- probe ${escapeMarkdown(p.probe)} ${p.check.ok ? 'holds' : 'fails'}: ${escapeMarkdown(p.check.reason)}`,
      ),
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export function renderRunMarkdown(suiteName: string, report: RunReport): string {
  const { outcome, score, verdict } = report;
  const lines = [
    `## chaos-gate: ${escapeMarkdown(suiteName)}: **${verdict}**`,
    '',
    score.score !== undefined
      ? `Resilience score **${score.score.toFixed(1)}**${score.covered < score.total ? ` (covers ${score.covered} of ${score.total} experiments)` : ''}`
      : 'No score: no experiment could be scored.',
    '',
    '| experiment | provider | verdict | duration | reason |',
    '|---|---|---|---|---|',
    ...outcome.results.map(
      (r) =>
        `| ${escapeMarkdown(r.name)} | ${r.provider} | ${r.verdict} | ${r.durationMs !== undefined ? formatDuration(r.durationMs) : ''} | ${escapeMarkdown(r.reason)} |`,
    ),
  ];
  if (outcome.preflight && outcome.preflight.decision !== 'run')
    lines.push('', `**Nothing was injected**: ${escapeMarkdown(outcome.preflight.reason)}`);
  if (outcome.prepareProblems.length)
    lines.push(
      '',
      '**Nothing was injected**: problems found while connecting:',
      '',
      ...outcome.prepareProblems.map((p) => `- ${escapeMarkdown(p)}`),
    );
  if (outcome.cleanupProblems.length)
    lines.push(
      '',
      '**Cleanup failed: chaos may still be active**',
      '',
      ...outcome.cleanupProblems.map((p) => `- ${escapeMarkdown(p)}`),
    );
  return lines.join('\n') + '\n' + renderGatesMarkdown(report);
}

export function renderRunText(report: RunReport): string {
  const { outcome, score, verdict } = report;
  const rows = outcome.results.map(
    (r) => `  ${r.verdict.padEnd(7)} ${r.name} (${r.provider}): ${r.reason}`,
  );
  const { budget } = report.gates;
  const gates = budget
    ? [`Error budget: ${report.gates.result}`, ...budget.slos.map((s) => `  ${s.reason}`)]
    : [];
  return [
    `Verdict: ${verdict}${score.score !== undefined ? `, score ${score.score.toFixed(1)}` : ''}${score.covered < score.total ? ` (covers ${score.covered} of ${score.total})` : ''}`,
    ...rows,
    ...gates,
  ].join('\n');
}
