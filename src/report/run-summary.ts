/**
 * Plain text of a run for the terminal and the log (verdict, score, a line per experiment, the
 * budget), and a dry run's preflight for its job summary. The Markdown of a run (PR comment,
 * check run, job summary) is ./markdown.ts.
 */
import type { RunReport } from '../pipeline.js';
import { escapeMarkdown } from './escape.js';

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
