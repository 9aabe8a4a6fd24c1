/**
 * A plain summary of a run for the job summary and the terminal: verdict, score and one row per
 * experiment. (The full report with gates, baseline and PR comment builds on the same data.)
 */
import type { RunReport } from '../pipeline.js';
import { formatDuration } from '../suite/duration.js';
import { escapeMarkdown } from './escape.js';

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
  return lines.join('\n') + '\n';
}

export function renderRunText(report: RunReport): string {
  const { outcome, score, verdict } = report;
  const rows = outcome.results.map(
    (r) => `  ${r.verdict.padEnd(7)} ${r.name} (${r.provider}): ${r.reason}`,
  );
  return [
    `Verdict: ${verdict}${score.score !== undefined ? `, score ${score.score.toFixed(1)}` : ''}${score.covered < score.total ? ` (covers ${score.covered} of ${score.total})` : ''}`,
    ...rows,
  ].join('\n');
}
