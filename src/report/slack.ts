/**
 * The Slack message of a run (SPEC 7), built by a pure function: a Block Kit message with the
 * verdict, score and delta, the environment, the suite, the worst experiments with their
 * reasons, and links to the workflow run and the PR. Sent by ./slack-send.ts.
 *
 * Everything that comes from the suite or the cluster goes through {@link slackText} (mrkdwn) or
 * {@link slackPlainText} (plain_text), is cut to a sane length first, and every mrkdwn object is
 * `verbatim` (no auto-linking of bare URLs, channel names or mentions). Only our own inputs
 * (the run and PR URLs) become links. The message stays within Block Kit's limits whatever the
 * suite holds ({@link SLACK_LIMITS}).
 */
import { formatDelta, scoreDelta } from './markdown.js';
import type { ExperimentResult } from '../engine/result.js';
import { probeTally } from '../engine/verdict.js';
import { formatFigure } from '../gates/budget.js';
import type { SlackOn } from '../inputs.js';
import type { RunReport } from '../pipeline.js';
import { experimentScore, roundScore, type SuiteVerdict } from '../score/score.js';
import { budgetConsumed } from './json.js';

/** Block Kit's limits (Slack's reference for messages, header, section and context blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  /** The top-level `text` (notifications): Slack advises at most 4,000 characters. */
  text: 4000,
} as const;

/** How many experiments the message lists, and how much of each we show. */
const WORST_SHOWN = 5;
const MAX_NAME = 80;
const MAX_REASON = 280;
const MAX_SUITE = 150;
const MAX_ENVIRONMENT = 80;
const MAX_URL = 1400;

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnObject {
  type: 'mrkdwn';
  text: string;
  /** True: Slack links no bare URLs, channel names or mentions in it. */
  verbatim?: boolean;
}

export type TextObject = PlainTextObject | MrkdwnObject;

export type SlackBlock =
  | { type: 'header'; text: PlainTextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

/** What chat.postMessage and an incoming webhook accept (the parts we use). */
export interface SlackMessage {
  /** The notification and fallback text (mrkdwn). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMessageInput {
  report: Pick<RunReport, 'runId' | 'outcome' | 'score' | 'verdict' | 'gates' | 'leftover'>;
  suiteName: string;
  environment: string;
  /** The previous run's figures (SPEC 7, Baseline), for the delta. */
  baseline?: { score?: number; verdict?: SuiteVerdict };
  /** The workflow run; our own input, never text from the suite or the cluster. */
  runUrl?: string;
  /** The pull request, when there is one. */
  prUrl?: string;
}

// Lookalikes for mrkdwn's formatting characters: Slack has no escape for them (jsx-slack's
// <Escape> does the same), and a lookalike reads the same to people.
const LOOKALIKES: Record<string, string> = {
  '*': '\u2217', // asterisk operator
  _: '\u02cd', // modifier letter low macron
  '~': '\u223c', // tilde operator
  '`': '\u02cb', // modifier letter grave accent
};

/** C0/C1 controls and bidirectional overrides: never wanted in a message, and they can spoof text. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Slack's three control characters as entities (Slack's own rule, for every text object). */
function escapeControl(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(INVISIBLE, '');
}

/**
 * Text from the suite or the cluster, made inert for a mrkdwn text object: one line; `&`, `<`
 * and `>` as entities (so `<!channel>`, `<@U123>` and `<https://evil|click>` show as typed);
 * `*`, `_`, `~` and backticks as lookalikes (no bold, italics, strike or code); `@` followed by
 * a zero-width space (no `@here` even where Slack links names); a leading `>` (a quote) behind a
 * soft hyphen.
 */
export function slackText(text: string): string {
  const out = escapeControl(oneLine(text))
    .replace(/[*_~`]/g, (c) => LOOKALIKES[c] ?? c)
    .replace(/@/g, '@\u200b');
  return out.startsWith('&gt;') ? `\u00ad${out}` : out;
}

/** Text from the suite or the cluster for a plain_text object: one line, control characters escaped. */
export function slackPlainText(text: string): string {
  return escapeControl(oneLine(text));
}

/** At most `max` characters (code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

/**
 * Escaped text within `max` UTF-16 units (Slack's count), cut where no entity is split.
 * A safety net: the builders below cut the raw text first, so this rarely cuts anything.
 */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  cut = cut.replace(/&[a-z]{0,3}$/, ''); // a half entity (`&am`)
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // half a surrogate pair
  return `${cut}…`;
}

const mrkdwn = (text: string, max: number): MrkdwnObject => ({
  type: 'mrkdwn',
  text: fit(text, max),
  verbatim: true,
});

const section = (text: string): SlackBlock => ({
  type: 'section',
  text: mrkdwn(text, SLACK_LIMITS.sectionText),
});

const context = (...texts: string[]): SlackBlock => ({
  type: 'context',
  elements: texts
    .slice(0, SLACK_LIMITS.contextElements)
    .map((t) => mrkdwn(t, SLACK_LIMITS.sectionText)),
});

const VERDICT_ICON: Record<SuiteVerdict, string> = {
  pass: '✅',
  warn: '⚠️',
  fail: '❌',
  error: '💥',
  skipped: '⏭️',
};

const EXPERIMENT_ICON: Record<ExperimentResult['verdict'], string> = {
  pass: '✅',
  fail: '❌',
  aborted: '🛑',
  error: '💥',
  skipped: '⏭️',
};

const formatScore = (score: number | undefined): string =>
  score === undefined ? 'no score' : score.toFixed(1);

/** `score 62.5 ▼ -7.5`, or `no score`. */
const scoreWithDelta = (score: number | undefined, delta: number | undefined): string =>
  score === undefined
    ? 'no score'
    : `score ${formatScore(score)}${delta === undefined ? '' : ` ${formatDelta(delta)}`}`;

/** `shouldPostToSlack`: SPEC 2, `slack-on`. Without a baseline, `change` posts. */
export function shouldPostToSlack(
  slackOn: SlackOn,
  verdict: SuiteVerdict,
  baselineVerdict?: SuiteVerdict,
): boolean {
  switch (slackOn) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'failure':
      return verdict === 'warn' || verdict === 'fail' || verdict === 'error';
    case 'change':
      return baselineVerdict === undefined || verdict !== baselineVerdict;
  }
}

const SEVERITY: Partial<Record<ExperimentResult['verdict'], number>> = {
  aborted: 0,
  fail: 1,
  error: 2,
};

export interface RankedExperiment {
  r: ExperimentResult;
  score: number | undefined;
}

/** Aborted, failed and errored experiments, worst first: verdict, lowest score, critical, suite order. */
export function worstExperiments(results: ExperimentResult[]): RankedExperiment[] {
  return results
    .filter((r) => SEVERITY[r.verdict] !== undefined)
    .map((r) => {
      const s = experimentScore(r, probeTally(r.monitoring));
      return { r, score: s === undefined ? undefined : roundScore(s) };
    })
    .sort(
      (a, b) =>
        (SEVERITY[a.r.verdict] ?? 9) - (SEVERITY[b.r.verdict] ?? 9) ||
        (a.score ?? 101) - (b.score ?? 101) ||
        Number(b.r.critical) - Number(a.r.critical) ||
        a.r.index - b.r.index,
    );
}

function experimentLine({ r, score }: RankedExperiment): string {
  const facts = [
    r.verdict,
    ...(score !== undefined ? [`score ${score.toFixed(1)}`] : []),
    ...(r.critical ? ['critical'] : []),
    r.provider,
  ];
  const reason = r.reason.trim() ? `\n${slackText(clip(r.reason.trim(), MAX_REASON))}` : '';
  return `${EXPERIMENT_ICON[r.verdict]} *${slackText(clip(r.name.trim(), MAX_NAME))}* · ${facts.join(' · ')}${reason}`;
}

function counts(results: ExperimentResult[]): string {
  const order: ExperimentResult['verdict'][] = ['pass', 'fail', 'aborted', 'error', 'skipped'];
  const label: Record<ExperimentResult['verdict'], string> = {
    pass: 'passed',
    fail: 'failed',
    aborted: 'aborted',
    error: 'errored',
    skipped: 'skipped',
  };
  const parts = order.flatMap((v) => {
    const n = results.filter((r) => r.verdict === v).length;
    return n ? [`${n} ${label[v]}`] : [];
  });
  return parts.length ? parts.join(' · ') : 'none selected';
}

function budgetField(report: SlackMessageInput['report']): string {
  const consumed = budgetConsumed(report);
  const worst = report.gates.budget?.worstConsumed;
  const figure =
    consumed !== undefined
      ? `${formatFigure(consumed)}% (worst SLO)`
      : worst?.kind === 'no-data'
        ? 'no data'
        : worst?.kind === 'no-errors-allowed'
          ? 'objective allows no errors'
          : 'not measured';
  return `${figure} · gates: ${report.gates.result}`;
}

/** An http(s) URL as a mrkdwn link target, or undefined when it is not one. */
function linkTarget(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  const href = u.href.replace(/\|/g, '%7C').replace(/&/g, '&amp;');
  // Two links and their labels stay within a section's 3,000 characters; a longer URL is not ours.
  return href.length <= MAX_URL ? href : undefined;
}

/** The Block Kit message for a run. */
export function buildSlackMessage(input: SlackMessageInput): SlackMessage {
  const { report } = input;
  const { outcome, score, verdict } = report;
  const results = outcome.results;
  const delta = scoreDelta(score.score, input.baseline?.score);
  const deltaText = delta === undefined ? '' : ` ${formatDelta(delta)}`;
  const suite = slackText(clip(input.suiteName, MAX_SUITE));
  const environment = slackText(clip(input.environment, MAX_ENVIRONMENT));

  const header = `${VERDICT_ICON[verdict]} Chaos suite ${verdict.toUpperCase()} · ${scoreWithDelta(score.score, delta)}`;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: fit(header, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
  ];

  const baseline = input.baseline;
  const baselineText =
    baseline && (baseline.score !== undefined || baseline.verdict)
      ? `\nbaseline ${baseline.score !== undefined ? baseline.score.toFixed(1) : 'no score'}${baseline.verdict ? ` (${baseline.verdict})` : ''}`
      : '';
  const fields = [
    `*Suite*\n${suite}`,
    `*Environment*\n${environment}`,
    `*Score*\n${formatScore(score.score)}${deltaText}${baselineText}\ncovers ${score.covered} of ${score.total} experiment${score.total === 1 ? '' : 's'}`,
    `*Error budget consumed*\n${budgetField(report)}`,
    `*Experiments*\n${counts(results)}`,
  ];
  blocks.push({ type: 'section', fields: fields.map((f) => mrkdwn(f, SLACK_LIMITS.fieldText)) });

  // What needs someone now: chaos that may still be active comes first.
  const leftover = report.leftover.entries.length;
  const cleanup = outcome.cleanupProblems;
  if (leftover || cleanup.length) {
    const n = leftover || cleanup.length;
    const first = cleanup[0];
    blocks.push(
      section(
        `🚨 *Chaos may still be active:* ${n} object${n === 1 ? '' : 's'} could not be removed${first ? `: ${slackText(clip(first, MAX_REASON))}` : ''}. See the workflow run.`,
      ),
    );
  }
  if (outcome.prepareProblems.length) {
    const [first] = outcome.prepareProblems;
    const more = outcome.prepareProblems.length - 1;
    blocks.push(
      section(
        `*Nothing was injected:* ${slackText(clip(first ?? '', MAX_REASON))}${more ? ` (and ${more} more)` : ''}`,
      ),
    );
  } else if (outcome.preflight && outcome.preflight.decision !== 'run') {
    blocks.push(
      section(
        `*Preflight: ${outcome.preflight.decision}.* Nothing was injected: ${slackText(clip(outcome.preflight.reason, MAX_REASON))}`,
      ),
    );
  }
  if (outcome.cancelled) blocks.push(section('*The run was cancelled.*'));

  const worst = worstExperiments(results);
  if (worst.length) {
    blocks.push(section(`*Worst experiments* (${worst.length} of ${results.length})`));
    for (const w of worst.slice(0, WORST_SHOWN)) blocks.push(section(experimentLine(w)));
    if (worst.length > WORST_SHOWN)
      blocks.push(context(`…and ${worst.length - WORST_SHOWN} more: see the workflow run.`));
  } else if (results.length && results.every((r) => r.verdict === 'pass')) {
    blocks.push(
      section(
        `All ${results.length} experiment${results.length === 1 ? '' : 's'} passed.${report.gates.result !== 'pass' ? ` Error-budget gates: ${report.gates.result}.` : ''}`,
      ),
    );
  }

  const links = [
    { url: linkTarget(input.runUrl), label: 'Workflow run' },
    { url: linkTarget(input.prUrl), label: 'Pull request' },
  ].flatMap(({ url, label }) => (url ? [`<${url}|${label}>`] : []));
  if (links.length) blocks.push(section(links.join(' · ')));
  blocks.push(
    context(
      `chaos-gate · run ${slackText(report.runId)} · finished ${slackText(outcome.finishedAt)}`,
    ),
  );

  const text = fit(
    `${VERDICT_ICON[verdict]} chaos-gate ${suite} (${environment}): ${verdict}, ${scoreWithDelta(score.score, delta)}`,
    SLACK_LIMITS.text,
  );
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
