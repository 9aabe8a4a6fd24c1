/**
 * The one Markdown rendering of a run (SPEC 7), shared by the sticky PR comment, the check run's
 * summary and the job summary: the hidden marker that finds the sticky comment, the verdict and
 * score (with the delta against a baseline), the experiments and gates tables, a collapsed
 * section with the reason of every non-pass, the environment and links, and the run's data as
 * hidden JSON that the next run reads back as its baseline ({@link readBaselineData}).
 *
 * Pure: no I/O and no clock (the times shown are the report's own).
 *
 * Rules where the SPEC is silent:
 * - Everything from the suite, the cluster, the provider or the workflow (names, reasons,
 *   environment, run id) goes through {@link escapeMarkdown} after control characters (a lone
 *   CR ends a Markdown line) are made spaces and `$` (GitHub math) is escaped; long texts are
 *   clipped. Links are only http(s) URLs, with the characters that could end a Markdown link
 *   percent-encoded.
 * - The marker and the hidden data are HTML comments: the suite name in the marker has `%`, `<`,
 *   `>`, `@` and control characters percent-encoded, and the JSON has `<`, `>`, `@` and `--`
 *   written as JSON escapes, so neither can end its comment early, open another one or mention
 *   anyone.
 * - Over-long bodies lose rows from the end of the details first, then the gates table, then
 *   the experiments table; the marker, the headline, the notices, the footer and the hidden data
 *   are never cut, and a visible note says what was left out. Should the hidden data alone not
 *   fit, it keeps the suite's figures and drops the per-experiment ones.
 * - Cleanup problems (chaos may still be active) are listed above the tables, where truncation
 *   never reaches (the first ten; the rest lead the details).
 */
import type { ExperimentResult, ExperimentVerdict } from '../engine/result.js';
import { probeTally } from '../engine/verdict.js';
import { formatFigure, type BudgetFigure } from '../gates/budget.js';
import { worstFigure, worstGate, type GateResult } from '../gates/evaluate.js';
import type { RunReport } from '../pipeline.js';
import { experimentScore, roundScore, type SuiteVerdict } from '../score/score.js';
import { formatDuration } from '../suite/duration.js';
import type { ProviderName } from '../suite/types.js';
import { escapeMarkdown } from './escape.js';

/** GitHub's limit for a comment body and a check run's summary is 65,536 characters. */
export const MAX_MARKDOWN_LENGTH = 65_535;
/** Version of the hidden data's format. */
export const BASELINE_DATA_VERSION = 1;

const MARKER_START = '<!-- chaos-gate:suite=';
const DATA_START = '<!-- chaos-gate:data ';
const COMMENT_END = ' -->';

/** What the previous run measured: the delta and `slack-on: change` compare with it. */
export interface Baseline {
  score?: number;
  verdict?: SuiteVerdict;
}

export interface MarkdownLinks {
  /** The workflow run (`{server}/{repo}/actions/runs/{id}`). */
  run?: string;
  pullRequest?: string;
}

export interface MarkdownInput {
  /** The suite's name (also in the marker). */
  suite: string;
  /** The `environment` input. */
  environment: string;
  report: RunReport;
  baseline?: Baseline;
  links?: MarkdownLinks;
  /** Longest body to return (default {@link MAX_MARKDOWN_LENGTH}). */
  maxLength?: number;
}

/** The run's data in its comment (`<!-- chaos-gate:data {...} -->`), for the next run. */
export interface BaselineData extends Baseline {
  version: typeof BASELINE_DATA_VERSION;
  suite: string;
  verdict: SuiteVerdict;
  score?: number;
  environment?: string;
  runId?: string;
  finishedAt?: string;
  /** Absent when the data had to be cut to fit the size limit. */
  experiments?: BaselineExperiment[];
}

export interface BaselineExperiment {
  name: string;
  verdict: ExperimentVerdict;
  score?: number;
}

const SUITE_VERDICTS: readonly SuiteVerdict[] = ['pass', 'warn', 'fail', 'error', 'skipped'];
const EXPERIMENT_VERDICTS: readonly ExperimentVerdict[] = [
  'pass',
  'fail',
  'error',
  'aborted',
  'skipped',
];

const SUITE_ICON: Record<SuiteVerdict, string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  error: '💥',
  skipped: '⏭️',
};
const EXPERIMENT_ICON: Record<ExperimentVerdict, string> = {
  pass: '✅',
  fail: '❌',
  aborted: '🛑',
  error: '💥',
  skipped: '⏭️',
};
const GATE_ICON: Record<GateResult, string> = { pass: '✅', warn: '⚠️', fail: '❌' };
const PROVIDER_LABEL: Record<ProviderName, string> = {
  litmus: 'LitmusChaos',
  'chaos-mesh': 'Chaos Mesh',
  'aws-fis': 'AWS FIS',
};

// ---------------------------------------------------------------------------------------------
// Text from outside

/** At most `max` characters (code points), with `…` when cut. */
function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Text from the suite, the cluster or the workflow, for a table cell or a line: control and
 * line-separator characters become spaces, then {@link escapeMarkdown}, then `$` is escaped.
 */
function text(s: string, max = 300): string {
  const flat = s.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
  return escapeMarkdown(clip(flat, max)).replace(/\$/g, '\\$');
}

/** An http(s) URL that cannot break out of `[label](url)`, or undefined. */
function safeUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const href = url.href.replace(
    /[()[\]<>"'`|\\\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return href.length <= 2000 ? href : undefined;
}

// ---------------------------------------------------------------------------------------------
// Marker, score delta, hidden data

/** The sticky comment's marker for a suite: `<!-- chaos-gate:suite=NAME -->`. */
export function suiteMarker(suite: string): string {
  const name = suite.replace(
    /[%<>@\p{Cc}]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `${MARKER_START}${name}${COMMENT_END}`;
}

/**
 * This run's score minus the baseline's, to one decimal (half away from zero, as the scores
 * round); undefined when either is missing. (src/report/slack.ts has the same function.)
 */
export function scoreDelta(
  score: number | undefined,
  baseline: number | undefined,
): number | undefined {
  if (score === undefined || baseline === undefined) return undefined;
  const d = score - baseline;
  return (Math.sign(d) * Math.floor(Math.abs(d) * 10 + 0.5 + 1e-9)) / 10 || 0;
}

/** `+4.5`, `-4.5` or `0.0`: the `score-delta` output. */
export function signedDelta(delta: number): string {
  if (delta > 0) return `+${delta.toFixed(1)}`;
  if (delta < 0) return `-${Math.abs(delta).toFixed(1)}`;
  return '0.0';
}

/** `▲ +4.5`, `▼ -4.5` or `= 0.0`, as in the headline (and in Slack). */
export function formatDelta(delta: number): string {
  return `${delta > 0 ? '▲' : delta < 0 ? '▼' : '='} ${signedDelta(delta)}`;
}

/** One experiment's score as reported (rounded; undefined when it is left out of the score). */
export function reportedScore(r: ExperimentResult): number | undefined {
  const s = experimentScore(r, probeTally(r.monitoring));
  return s === undefined ? undefined : roundScore(s);
}

/** The data the next run compares with (written hidden in the body). */
export function baselineData(
  input: Pick<MarkdownInput, 'suite' | 'environment' | 'report'>,
): BaselineData {
  const { report } = input;
  return {
    version: BASELINE_DATA_VERSION,
    suite: input.suite,
    verdict: report.verdict,
    ...(report.score.score !== undefined ? { score: report.score.score } : {}),
    environment: input.environment,
    runId: report.runId,
    finishedAt: report.outcome.finishedAt,
    experiments: report.outcome.results.map((r) => {
      const score = reportedScore(r);
      return { name: r.name, verdict: r.verdict, ...(score !== undefined ? { score } : {}) };
    }),
  };
}

/** `<!-- chaos-gate:data {...} -->`: JSON that cannot end the comment or open another. */
function dataComment(data: BaselineData): string {
  const json = JSON.stringify({
    ...data,
    score: data.score ?? null,
    ...(data.experiments
      ? { experiments: data.experiments.map((e) => ({ ...e, score: e.score ?? null })) }
      : {}),
  })
    // `<`, `>`, `@` and `--` only occur inside JSON strings, where escapes read back the same.
    // (`@`: no mention in a comment's source either.)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/--/g, '-\\u002d')
    .replace(/@/g, '\\u0040');
  return `${DATA_START}${json}${COMMENT_END}`;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** A score as written: null (none) or a number within 0-100. */
function readScore(x: unknown): { ok: true; score?: number } | { ok: false } {
  if (x === null || x === undefined) return { ok: true };
  if (typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 100)
    return { ok: true, score: x };
  return { ok: false };
}

const optionalString = (x: unknown): x is string | undefined =>
  x === undefined || typeof x === 'string';

/**
 * The hidden data of a body written by {@link renderMarkdown}; undefined when the body has none,
 * or when it is not valid JSON of the known shape (a broken baseline is no baseline).
 */
export function readBaselineData(body: string): BaselineData | undefined {
  const start = body.indexOf(DATA_START);
  if (start < 0) return undefined;
  const end = body.indexOf(COMMENT_END, start + DATA_START.length);
  if (end < 0) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.slice(start + DATA_START.length, end));
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || raw.version !== BASELINE_DATA_VERSION) return undefined;
  const { suite, verdict, environment, runId, finishedAt, experiments } = raw;
  const score = readScore(raw.score);
  if (
    typeof suite !== 'string' ||
    !SUITE_VERDICTS.includes(verdict as SuiteVerdict) ||
    !score.ok ||
    !optionalString(environment) ||
    !optionalString(runId) ||
    !optionalString(finishedAt) ||
    (experiments !== undefined && !Array.isArray(experiments))
  )
    return undefined;
  let list: BaselineExperiment[] | undefined;
  if (Array.isArray(experiments)) {
    list = [];
    for (const e of experiments as unknown[]) {
      if (!isRecord(e) || typeof e.name !== 'string') return undefined;
      if (!EXPERIMENT_VERDICTS.includes(e.verdict as ExperimentVerdict)) return undefined;
      const s = readScore(e.score);
      if (!s.ok) return undefined;
      list.push({
        name: e.name,
        verdict: e.verdict as ExperimentVerdict,
        ...(s.score !== undefined ? { score: s.score } : {}),
      });
    }
  }
  return {
    version: BASELINE_DATA_VERSION,
    suite,
    verdict: verdict as SuiteVerdict,
    ...(score.score !== undefined ? { score: score.score } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(list ? { experiments: list } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Pieces

/** `42s`, `1m5s`, `250ms`: whole seconds from one second up. */
function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return formatDuration(Math.round(ms / 1000) * 1000);
}

const pct = (x: number): string => `${formatFigure(x)}%`;

/** `consumed ≤ 5% (warn above 2%)`, from the suite's limits (else the one the SLO was judged on). */
function consumedLimits(report: RunReport, judged: number | undefined): string[] {
  const l = report.gates.budget?.limits;
  if (l?.maxConsumed !== undefined)
    return [
      `consumed ≤ ${pct(l.maxConsumed)}${l.warnConsumed !== undefined ? ` (warn above ${pct(l.warnConsumed)})` : ''}`,
    ];
  if (l?.warnConsumed !== undefined) return [`consumed ≤ ${pct(l.warnConsumed)} (warn)`];
  return judged !== undefined ? [`consumed ≤ ${pct(judged)}`] : [];
}

function figure(f: BudgetFigure | undefined, unit: string): string {
  if (!f) return '—';
  if (f.kind === 'value') return `${formatFigure(f.value)}${unit}`;
  return f.kind === 'no-data' ? 'no data' : 'unbounded';
}

const scoreText = (s: number | undefined): string => (s === undefined ? '—' : s.toFixed(1));

/** Our probes' samples during chaos (`9/10 (90%)`) and the provider's own probe score. */
function probeSuccess(r: ExperimentResult): string {
  const parts: string[] = [];
  const probes = r.monitoring?.probes ?? [];
  if (probes.length) {
    const count = probes.reduce((n, p) => n + p.summary.during.count, 0);
    const passes = probes.reduce((n, p) => n + p.summary.during.passes, 0);
    parts.push(
      count ? `${passes}/${count} (${pct(roundScore((100 * passes) / count))})` : 'no samples',
    );
  }
  const pv = r.providerVerdict;
  if (pv?.providerProbes && pv.probeSuccessPercentage !== undefined)
    parts.push(`${PROVIDER_LABEL[r.provider]} probes ${pct(pv.probeSuccessPercentage)}`);
  return parts.length ? parts.join('; ') : '—';
}

function recovery(r: ExperimentResult): string {
  const rec = r.monitoring?.recovery;
  if (!rec) return '—';
  return rec.recovered ? duration(rec.ms) : '❌ not recovered';
}

function experimentRow(r: ExperimentResult): string {
  return `| ${text(r.name, 100)} | ${PROVIDER_LABEL[r.provider]} | ${EXPERIMENT_ICON[r.verdict]} ${r.verdict} | ${scoreText(reportedScore(r))} | ${duration(r.durationMs)} | ${recovery(r)} | ${probeSuccess(r)} |`;
}

/** One row per SLO of the preflight, the budget gate and the burn rates, in that order. */
function gateRows(report: RunReport): string[] {
  const { preflight, budget } = report.gates;
  const burns = report.outcome.results.flatMap((r) => r.monitoring?.burn ?? []);
  const names = [
    ...new Set([
      ...(preflight?.budget.slos.map((s) => s.name) ?? []),
      ...(budget?.slos.map((s) => s.name) ?? []),
      ...burns.map((b) => b.slo),
    ]),
  ];
  return names.map((name) => {
    const before = preflight?.budget.slos.find((s) => s.name === name);
    const spent = budget?.slos.find((s) => s.name === name);
    const mine = burns.filter((b) => b.slo === name);
    const worstBurn = worstFigure(mine.flatMap((b) => (b.worst ? [b.worst] : [])));
    const burnLimit = mine.find((b) => b.limit !== undefined)?.limit;
    const breached = mine.some((b) => b.breach);
    const result = worstGate([
      before?.gate ?? 'pass',
      spent?.gate ?? 'pass',
      breached ? 'fail' : 'pass',
    ]);
    const limits = [
      ...(before?.minimum !== undefined ? [`before ≥ ${pct(before.minimum)}`] : []),
      ...consumedLimits(report, spent?.limit),
      ...(burnLimit !== undefined ? [`burn ≤ ${formatFigure(burnLimit)}x`] : []),
    ];
    return `| ${text(name, 100)} | ${figure(before?.remaining, '%')} | ${figure(spent?.consumed, '%')} | ${mine.length ? figure(worstBurn, 'x') : '—'}${breached ? ' (breach)' : ''} | ${limits.join(', ') || '—'} | ${GATE_ICON[result]} ${result} |`;
  });
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The lines of the collapsed section: every problem and every non-pass with its reason, the
 * most urgent first (truncation cuts from the end): cleanup beyond the ones shown above the
 * tables, preparation, preflight, the experiments, the error budget.
 */
function detailRows(report: RunReport): { rows: string[]; summary: string } {
  const { outcome, gates } = report;
  const rows: string[] = [];
  let problems = 0;
  const section = (title: string, items: string[]): void => {
    if (!items.length) return;
    problems += items.length;
    rows.push(...(rows.length ? [''] : []), title, '', ...items.map((p) => `- ${text(p, 1000)}`));
  };
  section(
    '**Cleanup failed: chaos may still be active** (more)',
    cleanupProblems(report).slice(VISIBLE_CLEANUP),
  );
  section('**Problems found before anything was created** (nothing was injected)', [
    ...outcome.prepareProblems,
  ]);
  const pf = gates.preflight ?? outcome.preflight;
  const said = pf && pf.decision !== 'run' ? pf.reason : '';
  const more = gates.preflight
    ? [
        ...gates.preflight.budget.slos.filter((s) => s.result !== 'ok').map((s) => s.reason),
        ...gates.preflight.steady.failures,
      ]
    : [];
  // The decision's reason already names the SLOs and probes behind it.
  section('**Preflight**', [...(said ? [said] : []), ...more.filter((m) => !said.includes(m))]);
  const failed = outcome.results.filter((r) => r.verdict !== 'pass');
  if (failed.length)
    rows.push(
      ...(rows.length ? [''] : []),
      '**Experiments that did not pass**',
      '',
      ...failed.map(
        (r) =>
          `- ${EXPERIMENT_ICON[r.verdict]} **${text(r.name, 100)}** (${r.verdict}): ${text(r.reason, 1000)}`,
      ),
    );
  section('**Error budget**', [
    ...(gates.budget?.slos.filter((s) => s.gate !== 'pass').map((s) => s.reason) ?? []),
    ...gates.breaches.map((b) => `${b.experiment}: gate breached: ${b.reason}`),
  ]);
  const parts = [
    ...(failed.length
      ? [`${plural(failed.length, 'experiment')} did not pass`]
      : ['every experiment passed']),
    ...(problems ? [plural(problems, 'other problem')] : []),
  ];
  return { rows, summary: `Details: ${parts.join(', ')}` };
}

/** Cleanup problems shown above the tables (never cut); any more go first in the details. */
const VISIBLE_CLEANUP = 10;

/** What may still be injecting chaos: the cleanup problems, else what the ledger still holds. */
function cleanupProblems(report: RunReport): string[] {
  const { cleanupProblems: problems } = report.outcome;
  return problems.length
    ? problems
    : report.leftover.entries.map(
        (e) => `${e.id} (${e.experiment}) is still in the ledger: it may still be active`,
      );
}

/** Short lines right under the headline: what a reader must not miss. */
function notices(report: RunReport): string[] {
  const { outcome } = report;
  const lines: string[] = [];
  const cleanup = cleanupProblems(report);
  if (cleanup.length)
    lines.push(
      [
        '⚠️ **Cleanup failed: chaos may still be active**',
        '',
        ...cleanup.slice(0, VISIBLE_CLEANUP).map((p) => `- ${text(p)}`),
        ...(cleanup.length > VISIBLE_CLEANUP
          ? [`- and ${cleanup.length - VISIBLE_CLEANUP} more, in the details`]
          : []),
      ].join('\n'),
    );
  if (outcome.prepareProblems.length)
    lines.push(
      `**Nothing was injected**: ${plural(outcome.prepareProblems.length, 'problem')} found before anything was created.`,
    );
  else if (outcome.preflight && outcome.preflight.decision !== 'run')
    lines.push(`**Nothing was injected**: ${text(outcome.preflight.reason)}`);
  if (outcome.cancelled) lines.push('**The run was cancelled** before it finished.');
  return lines;
}

function scoreLine(report: RunReport, baseline: Baseline | undefined): string {
  const { score, covered, total } = report.score;
  const parts: string[] = [];
  if (score === undefined)
    parts.push(
      report.verdict === 'skipped'
        ? 'No resilience score: nothing ran.'
        : 'No resilience score: no experiment could be scored.',
    );
  else parts.push(`Resilience score **${score.toFixed(1)}**`);
  if (baseline) {
    const was = [
      ...(baseline.score !== undefined ? [baseline.score.toFixed(1)] : []),
      ...(baseline.verdict ? [baseline.verdict] : []),
    ].join(', ');
    const delta = scoreDelta(score, baseline.score);
    if (delta !== undefined) parts.push(`${formatDelta(delta)} against the baseline (${was})`);
    else if (was) parts.push(`(baseline: ${was})`);
  }
  if (score !== undefined && covered < total)
    parts.push(
      `· score covers ${covered} of ${total} experiments (${total - covered} errored or did not run)`,
    );
  return parts.join(' ');
}

/** A one-line plain-text summary (`fail, score 62.5 (▼ -4.5)`) for titles and logs. */
export function summaryLine(report: RunReport, baseline?: Baseline): string {
  const { score } = report.score;
  const delta = scoreDelta(score, baseline?.score);
  return `${report.verdict}${score !== undefined ? `, score ${score.toFixed(1)}` : ''}${delta === undefined ? '' : ` (${formatDelta(delta)})`}`;
}

/** `2024-05-01 12:00:05 UTC`, or undefined for something that is not a time. */
function utc(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isFinite(ms)
    ? new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : undefined;
}

function footer(input: MarkdownInput): string {
  const { report, environment, links } = input;
  const started = utc(report.outcome.startedAt);
  const took = Date.parse(report.outcome.finishedAt) - Date.parse(report.outcome.startedAt);
  const run = safeUrl(links?.run);
  const pr = safeUrl(links?.pullRequest);
  return [
    `Environment **${text(environment, 100)}**`,
    `run ${text(report.runId, 100)}`,
    ...(started ? [`started ${started}${took >= 0 ? `, took ${duration(took)}` : ''}`] : []),
    ...(run ? [`[workflow run](${run})`] : []),
    ...(pr ? [`[pull request](${pr})`] : []),
  ].join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Assembly and truncation

/** A part of the body that may lose rows from its end; `head` and `tail` come with any row. */
interface Section {
  /** For the truncation note. */
  name: string;
  head: string[];
  rows: string[];
  tail: string[];
}

/** Characters the lines take, one newline each. */
const cost = (lines: readonly string[]): number => lines.reduce((n, l) => n + l.length + 1, 0);

function truncationNote(max: number, lines: number, names: string[]): string {
  return `> ⚠️ **Truncated**: ${plural(lines, 'line')} of the ${names.join(', ')} left out to fit the limit of ${max.toLocaleString('en-US')} characters. The JSON report and the workflow log have everything.`;
}

/**
 * The body within `max` characters: every section whole if they fit, else sections in order
 * until one has to be cut row by row; the ones after it are left out, and a note says so.
 */
function assemble(top: string[], sections: Section[], bottom: string[], max: number): string {
  const whole = [...top, ...sections.flatMap((s) => [...s.head, ...s.rows, ...s.tail]), ...bottom];
  if (cost(whole) - 1 <= max) return whole.join('\n');
  const allRows = sections.reduce((n, s) => n + s.rows.length, 0);
  const reserve = cost([
    '',
    truncationNote(
      max,
      allRows,
      sections.map((s) => s.name),
    ),
  ]);
  let budget = max + 1 - cost(top) - cost(bottom) - reserve;
  if (budget < 0) throw new RangeError(`maxLength ${max} is too small for the headline and data`);
  const body: string[] = [];
  const cut: string[] = [];
  let left = 0;
  for (const s of sections) {
    const all = [...s.head, ...s.rows, ...s.tail];
    if (!cut.length && cost(all) <= budget) {
      body.push(...all);
      budget -= cost(all);
      continue;
    }
    let kept = 0;
    if (!cut.length && cost([...s.head, ...s.tail]) < budget) {
      let room = budget - cost([...s.head, ...s.tail]);
      for (const row of s.rows) {
        if (cost([row]) > room) break;
        room -= cost([row]);
        kept++;
      }
      if (kept) {
        body.push(...s.head, ...s.rows.slice(0, kept), ...s.tail);
        budget = room;
      }
    }
    cut.push(s.name);
    left += s.rows.length - kept;
  }
  return [...top, ...body, '', truncationNote(max, left, cut), ...bottom].join('\n');
}

/**
 * The report as Markdown, at most `maxLength` characters (see the module comment for what is
 * cut first). Throws RangeError only when `maxLength` cannot hold even the headline and data.
 */
export function renderMarkdown(input: MarkdownInput): string {
  const { report, baseline } = input;
  const max = input.maxLength ?? MAX_MARKDOWN_LENGTH;
  const results = report.outcome.results;
  const top = [
    suiteMarker(input.suite),
    `## ${SUITE_ICON[report.verdict]} chaos-gate: ${text(input.suite, 100)} · **${report.verdict}**`,
    '',
    scoreLine(report, baseline),
    ...notices(report).flatMap((l) => ['', l]),
  ];
  const sections: Section[] = [];
  if (results.length)
    sections.push({
      name: 'experiments table',
      head: [
        '',
        '### Experiments',
        '',
        '| experiment | provider | verdict | score | duration | recovery | probe success |',
        '|---|---|---|--:|--:|--:|---|',
      ],
      rows: results.map(experimentRow),
      tail: [],
    });
  const gates = gateRows(report);
  if (gates.length)
    sections.push({
      name: 'gates table',
      head: [
        '',
        `### Error budget: ${GATE_ICON[report.gates.result]} ${report.gates.result}`,
        '',
        '| SLO | budget before | consumed | highest burn rate | limit | result |',
        '|---|--:|--:|--:|---|---|',
      ],
      rows: gates,
      tail: [],
    });
  const details = detailRows(report);
  if (details.rows.length) {
    sections.push({
      name: 'details',
      head: ['', '<details>', `<summary>${details.summary}</summary>`, ''],
      rows: details.rows,
      tail: ['', '</details>'],
    });
  }
  const end = (data: BaselineData): string[] => ['', footer(input), '', dataComment(data)];
  const data = baselineData(input);
  const bottom =
    cost([...top, ...end(data)]) + 500 > max ? end({ ...data, experiments: undefined }) : end(data);
  return assemble(top, sections, bottom, max);
}
