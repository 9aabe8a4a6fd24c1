/**
 * The JUnit XML report, read by a real JUnit consumer (test-results-parser, the parser behind
 * TestBeats): totals, one case per experiment with its status, message and properties, and
 * hostile names and reasons that stay well-formed XML and come back as written.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type ITestCase, type ITestResult } from 'test-results-parser';
import type { ExperimentResult } from '../src/engine/result.js';
import type { RunReport } from '../src/pipeline.js';
import { renderJunit, xmlAttr, xmlText } from '../src/report/junit.js';
import { workdir, type Workdir } from './support/workdir.js';
import { experimentResult, runReport } from './support/reports.js';

let tmp: Workdir;
beforeEach(() => {
  tmp = workdir();
});
afterEach(() => tmp.remove());

const experiment = experimentResult;
const report = (
  results: ExperimentResult[],
  outcome: Partial<RunReport['outcome']> = {},
): RunReport =>
  runReport(results, { score: { score: 62.5, covered: 3, total: results.length }, outcome });

/** Writes the XML and reads it back with the consumer. */
function consume(suite: string, r: RunReport): { xml: string; result: ITestResult } {
  const xml = renderJunit({ suite, environment: 'staging', report: r });
  const file = path.join(tmp.dir, 'junit.xml');
  writeFileSync(file, xml);
  return { xml, result: parse({ type: 'junit', files: [file] }) };
}

const byName = (result: ITestResult): Record<string, ITestCase> =>
  Object.fromEntries(result.suites.flatMap((s) => s.cases).map((c) => [String(c.name), c]));

describe('a mixed run', () => {
  const results = [
    experiment({ name: 'pod-delete', verdict: 'pass', weight: 2 }),
    experiment({
      name: 'cpu-hog',
      verdict: 'fail',
      reason: 'ChaosResult verdict Fail (probe success 50%)',
      providerVerdict: {
        verdict: 'fail',
        reason: 'Fail',
        probeSuccessPercentage: 50,
        providerProbes: 1,
      },
    }),
    experiment({
      name: 'network-delay',
      provider: 'chaos-mesh',
      verdict: 'aborted',
      stoppedBy: 'breach',
      reason: 'aborted: gate breached: checkout: burning the error budget at 20x',
      cleanupProblems: ['NetworkChaos shop/network-delay-x1y2z: finalizer stuck'],
    }),
    experiment({
      name: 'az-outage',
      provider: 'aws-fis',
      verdict: 'error',
      reason: 'FIS experiment EXP1 failed (InvalidTarget)',
    }),
    experiment({
      name: 'zone-drain',
      provider: 'aws-fis',
      verdict: 'error',
      started: false,
      durationMs: undefined,
      reason: 'not started: the suite stopped',
    }),
    experiment({
      name: 'later',
      verdict: 'skipped',
      started: false,
      durationMs: undefined,
      reason: 'not started: error budget too low',
    }),
  ];

  test('totals: one case per experiment; fail and aborted are failures, error errors', () => {
    const { result } = consume('checkout', report(results));
    // The consumer counts skipped cases out of the total.
    expect(result).toMatchObject({ total: 5, passed: 1, failed: 2, errors: 2, skipped: 1 });
    expect(result.suites).toHaveLength(1);
    const [suite] = result.suites;
    expect(suite).toMatchObject({
      name: 'checkout',
      total: 5,
      passed: 1,
      failed: 2,
      errors: 2,
      skipped: 1,
      duration: 121_000,
    });
    expect(suite!.metadata).toMatchObject({
      'suite-verdict': 'fail',
      'suite-score': 62.5,
      'score-covers': '3 of 6',
      environment: 'staging',
      'run-id': 'gh-7-1',
    });
    expect(suite!.cases.map((c) => `${c.name}=${c.status}`)).toEqual([
      'pod-delete=PASS',
      'cpu-hog=FAIL',
      'network-delay=FAIL',
      'az-outage=FAIL',
      'zone-drain=FAIL',
      'later=SKIP',
    ]);
  });

  test('each case: time in seconds, the reason as the message, verdict and score properties', () => {
    const { result, xml } = consume('checkout', report(results));
    const cases = byName(result);
    expect(cases['pod-delete']).toMatchObject({
      duration: 42_000,
      metadata: { verdict: 'pass', score: 100, weight: 2, critical: false },
    });
    expect(cases['cpu-hog']).toMatchObject({
      failure: 'ChaosResult verdict Fail (probe success 50%)',
      metadata: { verdict: 'fail', score: 50 },
    });
    expect(cases['cpu-hog']!.stack_trace).toContain('provider (litmus): fail: Fail');
    expect(cases['network-delay']!.failure).toBe(
      'aborted: gate breached: checkout: burning the error budget at 20x',
    );
    expect(cases['network-delay']!.stack_trace).toContain('stopped by chaos-gate: breach');
    expect(cases['az-outage']!.failure).toBe('FIS experiment EXP1 failed (InvalidTarget)');
    expect(cases['zone-drain']).toMatchObject({ duration: 0, metadata: { verdict: 'error' } });
    expect(cases['zone-drain']!.metadata).not.toHaveProperty('score');
    // The element and type a JUnit viewer shows.
    expect(xml).toContain('classname="chaos-gate.chaos-mesh"');
    expect(xml).toMatch(/<failure message="aborted: [^"]*" type="aborted">/);
    expect(xml).toMatch(/<error message="not started: the suite stopped" type="not-started">/);
    expect(xml).toMatch(/<error message="FIS [^"]*" type="error">/);
    expect(xml).toContain('<skipped message="not started: error budget too low"/>');
    expect(cases['network-delay']!.stack_trace).toContain(
      'cleanup failed, chaos may still be active:\nNetworkChaos shop/network-delay-x1y2z: finalizer stuck',
    );
  });

  test('problems outside any experiment go to the suite', () => {
    const r = report(
      results.slice(4).map((x) => ({ ...x, verdict: 'error' as const })),
      {
        prepareProblems: ['fis-untagged: FIS template EXT1 lacks the tag Environment=staging'],
      },
    );
    const { xml, result } = consume('checkout', r);
    expect(result).toMatchObject({ total: 2, errors: 2 });
    expect(xml).toContain(
      '<system-err>not started: fis-untagged: FIS template EXT1 lacks the tag Environment=staging</system-err>',
    );
  });

  test('no experiments: an empty, valid suite', () => {
    const { result } = consume('checkout', report([]));
    expect(result).toMatchObject({ total: 0, passed: 0, failed: 0, errors: 0 });
  });
});

describe('hostile names and reasons', () => {
  const suite = 'evil <script>alert("x")</script> & \'co\'';
  const name = '<script>alert("pwn")</script> & co';
  const reason = 'bad "quote" & <tag> ]]> \'apos\'\nsecond line\ttab';
  const control = 'ctl\u0000\u0007\u001b[31mred\u001b[0m\uFFFE\uD800end';

  test('well-formed, and the consumer reads every name and message back as written', () => {
    const { result, xml } = consume(
      suite,
      report([
        experiment({ name, verdict: 'fail', reason }),
        experiment({ name: control, verdict: 'error', reason: control }),
        experiment({ name: 'amp&amp;', verdict: 'pass' }),
      ]),
    );
    expect(xml).not.toContain('<script');
    expect(result.suites[0]!.name).toBe(suite);
    const cases = byName(result);
    expect(Object.keys(cases)).toEqual([
      name,
      'ctl\\x00\\x07\\x1B[31mred\\x1B[0m\uFFFD\uFFFDend',
      'amp&amp;',
    ]);
    // The message attribute on one line; the text keeps the lines.
    expect(cases[name]!.failure).toBe(reason.replace(/[\n\t]/g, ' '));
    expect(cases[name]!.stack_trace).toBe(`${reason}\ncreated: ChaosEngine shop/${name}-x1y2z`);
    expect(result).toMatchObject({ total: 3, passed: 1, failed: 1, errors: 1 });
  });

  test('nothing outside XML 1.0 reaches the document', () => {
    const xml = renderJunit({
      suite: control,
      environment: control,
      report: report([experiment({ name: control, verdict: 'fail', reason: control })]),
    });
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
    expect(xml).not.toMatch(/[\uD800-\uDFFF]/);
  });

  test.each([
    ['a & b', 'a &amp; b', 'a &amp; b'],
    ['<x>', '&lt;x&gt;', '&lt;x&gt;'],
    ['"q" \'a\'', '"q" \'a\'', '&quot;q&quot; &apos;a&apos;'],
    ['a\nb\tc\r\nd\re', 'a\nb\tc\nd\ne', 'a b c d e'],
    ['\u001b', '\\x1B', '\\x1B'],
    ['😀', '😀', '😀'],
  ])('%j: text %j, attribute %j', (input, text, attr) => {
    expect(xmlText(input)).toBe(text);
    expect(xmlAttr(input)).toBe(attr);
  });
});
