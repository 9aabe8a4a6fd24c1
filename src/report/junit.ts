/**
 * The run as JUnit XML (`junit-path`, SPEC 2): one `<testsuite>` named after the suite, one
 * `<testcase>` per experiment (`classname="chaos-gate.PROVIDER"`, `time` in seconds: start to
 * verdict), inside a `<testsuites>` root with the same totals, so CI test reporters show chaos
 * experiments next to the other tests. Pure: the caller writes the file.
 *
 * Verdicts: `fail` and `aborted` are `<failure>` (type = the verdict), `error` is `<error>`
 * (type `not-started` when the experiment never started), `skipped` is `<skipped/>`, and `pass`
 * has no child. The reason is the message (on one line); the element's text adds what the
 * provider, our probes and the recovery said. The suite's properties are `suite-verdict`,
 * `suite-score`, `score-covers`, `environment` and `run-id`, each case's `verdict`, `score`
 * (absent when left out of the score), `weight` and `critical`; problems outside any experiment (preparation, cleanup) go to the suite's
 * `<system-err>`; an experiment's cleanup problems to the text of its failure or error, or
 * to its `<system-err>` when it passed.
 *
 * Text is escaped for XML, and characters XML 1.0 cannot carry at all (control characters other
 * than tab, LF and CR, lone surrogates, U+FFFE/U+FFFF) are replaced: controls by their `\xNN`
 * notation, so an ANSI colour code in a reason stays readable, the rest by U+FFFD.
 */
import type { ExperimentResult } from '../engine/result.js';
import type { RunReport } from '../pipeline.js';
import { reportedScore } from './markdown.js';

export interface JunitInput {
  /** The suite's name. */
  suite: string;
  /** The `environment` input. */
  environment: string;
  report: RunReport;
}

/** Not a character of XML 1.0 (https://www.w3.org/TR/xml/#charsets). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlSafe(s: string): string {
  return s.replace(NOT_XML, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x20 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : '\uFFFD';
  });
}

/**
 * Text content: `&`, `<`, `>` escaped (so `]]>` cannot appear either), line ends as LF (what an
 * XML parser makes of them anyway).
 */
export function xmlText(s: string): string {
  return xmlSafe(s)
    .replace(/\r\n?/g, '\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * An attribute value in double quotes, on one line: a parser would turn tabs and line ends into
 * spaces (or, some JUnit consumers, keep `&#10;` verbatim), so they are spaces here already; the
 * element's text keeps them.
 */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\t\n]/g, ' ');
}

const seconds = (ms: number | undefined): string =>
  (ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

function properties(indent: string, p: Record<string, string | number | undefined>): string[] {
  const set = Object.entries(p).filter((e): e is [string, string | number] => e[1] !== undefined);
  if (!set.length) return [];
  return [
    `${indent}<properties>`,
    ...set.map(([name, value]) => `${indent}  <property${attrs({ name, value })}/>`),
    `${indent}</properties>`,
  ];
}

const cleanupText = (r: ExperimentResult): string =>
  `cleanup failed, chaos may still be active:\n${r.cleanupProblems.join('\n')}`;

/** What our measurements add to the reason of a case that did not pass. */
function detail(r: ExperimentResult): string {
  const lines = [r.reason];
  if (r.providerVerdict && r.providerVerdict.reason !== r.reason)
    lines.push(
      `provider (${r.provider}): ${r.providerVerdict.verdict}: ${r.providerVerdict.reason}`,
    );
  if (r.stoppedBy) lines.push(`stopped by chaos-gate: ${r.stoppedBy}`);
  const m = r.monitoring;
  for (const p of m?.probes ?? [])
    lines.push(`probe ${p.probe}: ${p.tolerance.met ? 'met' : 'not met'}: ${p.tolerance.reason}`);
  if (m?.breach) lines.push(`gate breached: ${m.breach.reason}`);
  if (m?.recovery && !m.recovery.recovered) lines.push(`recovery: ${m.recovery.reason}`);
  if (r.created.length) lines.push(`created: ${r.created.join(', ')}`);
  if (r.cleanupProblems.length) lines.push(cleanupText(r));
  return lines.join('\n');
}

function testcase(r: ExperimentResult): string[] {
  const score = reportedScore(r);
  const open = `    <testcase${attrs({ name: r.name, classname: `chaos-gate.${r.provider}`, time: seconds(r.durationMs) })}>`;
  const lines = [
    open,
    ...properties('      ', {
      verdict: r.verdict,
      score: score?.toFixed(1),
      weight: r.weight,
      critical: String(r.critical),
    }),
  ];
  switch (r.verdict) {
    case 'fail':
    case 'aborted':
      lines.push(
        `      <failure${attrs({ message: r.reason, type: r.verdict })}>${xmlText(detail(r))}</failure>`,
      );
      break;
    case 'error':
      lines.push(
        `      <error${attrs({ message: r.reason, type: r.started ? 'error' : 'not-started' })}>${xmlText(detail(r))}</error>`,
      );
      break;
    case 'skipped':
      lines.push(`      <skipped${attrs({ message: r.reason })}/>`);
      break;
    case 'pass':
      break;
  }
  // A failure or error carries them in its text; consumers read `<system-err>` as its trace.
  if (r.cleanupProblems.length && (r.verdict === 'pass' || r.verdict === 'skipped'))
    lines.push(`      <system-err>${xmlText(cleanupText(r))}</system-err>`);
  lines.push('    </testcase>');
  return lines;
}

/** The run as a JUnit XML document. */
export function renderJunit(input: JunitInput): string {
  const { report } = input;
  const { outcome } = report;
  const count = (...v: string[]): number =>
    outcome.results.filter((r) => v.includes(r.verdict)).length;
  const totals = {
    tests: outcome.results.length,
    failures: count('fail', 'aborted'),
    errors: count('error'),
    skipped: count('skipped'),
    time: seconds(Date.parse(outcome.finishedAt) - Date.parse(outcome.startedAt)),
  };
  const problems = [
    ...outcome.prepareProblems.map((p) => `not started: ${p}`),
    ...outcome.cleanupProblems.map((p) => `cleanup failed, chaos may still be active: ${p}`),
    ...(outcome.preflight && outcome.preflight.decision !== 'run'
      ? [`preflight: ${outcome.preflight.reason}`]
      : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'chaos-gate', ...totals })}>`,
    `  <testsuite${attrs({ name: input.suite, ...totals, timestamp: outcome.startedAt })}>`,
    // Named apart from the cases' own: some consumers copy the suite's properties into each case.
    ...properties('    ', {
      'suite-verdict': report.verdict,
      'suite-score': report.score.score?.toFixed(1),
      'score-covers': `${report.score.covered} of ${report.score.total}`,
      environment: input.environment,
      'run-id': report.runId,
    }),
    ...outcome.results.flatMap(testcase),
    ...(problems.length ? [`    <system-err>${xmlText(problems.join('\n'))}</system-err>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
