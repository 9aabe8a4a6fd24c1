/**
 * The one Markdown renderer (PR comment, check run, job summary): what it shows for a realistic
 * mixed run, the delta against a baseline, hostile text from the suite and the cluster made
 * harmless, truncation that keeps the marker, headline and hidden data, and the hidden data
 * read back as the next run's baseline.
 */
import type { ExperimentResult } from '../src/engine/result.js';
import type { ProbeOutcome, SloBurn } from '../src/gates/monitor.js';
import type { RunReport } from '../src/pipeline.js';
import {
  MAX_MARKDOWN_LENGTH,
  baselineData,
  formatDelta,
  readBaselineData,
  renderMarkdown,
  scoreDelta,
  signedDelta,
  suiteMarker,
  summaryLine,
  type MarkdownInput,
} from '../src/report/markdown.js';
import { experimentResult, iso, T0 } from './support/reports.js';

function probe(name: string, passes: number, count: number, required = 80): ProbeOutcome {
  const met = count > 0 && (100 * passes) / count >= required;
  return {
    probe: name,
    summary: {
      probe: name,
      before: { count: 1, passes: 1, successRate: 100 },
      during: { count, passes, ...(count ? { successRate: (100 * passes) / count } : {}) },
      after: { count: 2, passes: 2, successRate: 100 },
    },
    tolerance: { met, reason: `${passes} of ${count} passed (required ${required}%)` },
    required,
    recovery: { recovered: true, ms: 3000, at: T0 + 60_000 },
  };
}

const experiment = experimentResult;

const burn = (slo: string, value: number, breach = false): SloBurn => ({
  slo,
  samples: 6,
  worst: { kind: 'value', value },
  limit: 14.4,
  ...(breach ? { breach: { at: T0 + 5000, reason: `${slo}: burning at ${value}x` } } : {}),
});

/** A run of five: pass, fail (probes), aborted on a breach, error, and one that never started. */
function mixedReport(): RunReport {
  const results: ExperimentResult[] = [
    experiment({
      name: 'pod-delete',
      verdict: 'pass',
      weight: 2,
      monitoring: {
        probes: [probe('storefront', 10, 10)],
        burn: [burn('checkout-availability', 0.8)],
        recovery: { recovered: true, ms: 3000, at: T0 + 60_000 },
      },
    }),
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
      monitoring: {
        probes: [probe('storefront', 9, 10)],
        burn: [burn('checkout-availability', 2.5)],
        recovery: { recovered: true, ms: 12_400, at: T0 + 70_000 },
      },
    }),
    experiment({
      name: 'network-delay',
      provider: 'chaos-mesh',
      verdict: 'aborted',
      critical: true,
      stoppedBy: 'breach',
      reason: 'aborted: gate breached: checkout-availability: burning the error budget at 20x',
      monitoring: {
        probes: [probe('storefront', 3, 10)],
        burn: [burn('checkout-availability', 20, true)],
        breach: { at: T0 + 5000, reason: 'checkout-availability: burning at 20x' },
        recovery: { recovered: false, reason: 'not recovered within 15s' },
      },
    }),
    experiment({
      name: 'az-outage',
      provider: 'aws-fis',
      verdict: 'error',
      reason: 'FIS experiment EXP1 failed (InvalidTarget: Target resolution failed)',
    }),
    experiment({
      name: 'zone-drain',
      provider: 'aws-fis',
      verdict: 'error',
      started: false,
      startedAt: undefined,
      finishedAt: undefined,
      durationMs: undefined,
      cleanupMs: undefined,
      created: [],
      reason: 'not started: the suite stopped: network-delay breached a gate',
    }),
  ];
  return {
    runId: 'gh-4242-1',
    outcome: {
      results,
      prepareProblems: [],
      cleanupProblems: [],
      cancelled: false,
      preflight: { decision: 'run', reason: '' },
      startedAt: iso(T0 - 2000),
      finishedAt: iso(T0 + 192_000),
    },
    score: { score: 62.5, covered: 3, total: 5 },
    verdict: 'fail',
    gates: {
      preflight: {
        decision: 'run',
        reason: '',
        budget: {
          decision: 'run',
          gate: 'pass',
          reasons: [],
          slos: [
            {
              name: 'checkout-availability',
              result: 'ok',
              remaining: { kind: 'value', value: 50 },
              minimum: 25,
              gate: 'pass',
              reason: 'checkout-availability: 50% of the error budget remains (minimum 25%)',
            },
          ],
        },
        steady: { ok: true, probes: [], failures: [] },
      },
      budget: {
        worst: 'warn',
        fromMs: T0,
        toMs: T0 + 190_000,
        worstConsumed: { kind: 'value', value: 42.5 },
        slos: [
          {
            name: 'checkout-availability',
            result: 'warn',
            consumed: { kind: 'value', value: 42.5 },
            limit: 40,
            gate: 'warn',
            reason:
              'checkout-availability: consumed 42.5% of the error budget, above the warning level 40%',
          },
        ],
      },
      breaches: [
        {
          experiment: 'network-delay',
          at: T0 + 5000,
          reason: 'checkout-availability: burning at 20x',
        },
      ],
      result: 'fail',
    },
    ledgerPath: '/tmp/ledger.json',
    leftover: { version: 1, runId: 'gh-4242-1', entries: [] },
  };
}

const RUN_URL = 'https://github.com/acme/shop/actions/runs/4242';

function render(over: Partial<MarkdownInput> = {}): string {
  return renderMarkdown({
    suite: 'checkout',
    environment: 'staging',
    report: mixedReport(),
    links: { run: RUN_URL },
    ...over,
  });
}

/** Table rows of a body: lines that start with `|`. */
const rows = (body: string): string[] => body.split('\n').filter((l) => l.startsWith('|'));
/** The tables of a body: runs of lines that start with `|`. */
function tables(body: string): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const line of [...body.split('\n'), '']) {
    if (line.startsWith('|')) cur.push(line);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  return out;
}
/** Cell separators in a row: `|` not escaped by a backslash. */
const pipes = (row: string): number => row.match(/(?<!\\)\|/g)?.length ?? 0;

describe('a realistic mixed run', () => {
  const body = render({ baseline: { score: 58, verdict: 'warn' } });

  test('marker first, then the verdict and the score with its delta', () => {
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- chaos-gate:suite=checkout -->');
    expect(lines[1]).toBe('## ❌ chaos-gate: checkout · **fail**');
    expect(body).toContain('Resilience score **62.5** ▲ +4.5 against the baseline (58.0, warn)');
    expect(body).toContain('score covers 3 of 5 experiments');
  });

  test('the experiments table: provider, verdict, score, duration, recovery, probe success', () => {
    expect(body).toContain(
      '| experiment | provider | verdict | score | duration | recovery | probe success |',
    );
    expect(rows(body)).toEqual(
      expect.arrayContaining([
        '| pod-delete | LitmusChaos | ✅ pass | 100.0 | 42s | 3s | 10/10 (100%) |',
        '| cpu-hog | LitmusChaos | ❌ fail | 75.0 | 42s | 12s | 9/10 (90%); LitmusChaos probes 50% |',
        '| network-delay | Chaos Mesh | 🛑 aborted | 0.0 | 42s | ❌ not recovered | 3/10 (30%) |',
        '| az-outage | AWS FIS | 💥 error | — | 42s | — | — |',
        '| zone-drain | AWS FIS | 💥 error | — | — | — | — |',
      ]),
    );
  });

  test('the gates table: budget before, consumed, highest burn rate, limit, result', () => {
    expect(body).toContain('### Error budget: ❌ fail');
    expect(body).toContain(
      '| SLO | budget before | consumed | highest burn rate | limit | result |',
    );
    expect(rows(body)).toContain(
      '| checkout-availability | 50% | 42.5% | 20x (breach) | before ≥ 25%, consumed ≤ 40%, burn ≤ 14.4x | ❌ fail |',
    );
  });

  test('every non-pass with its reason in a collapsed section', () => {
    const details = body.slice(body.indexOf('<details>'), body.indexOf('</details>'));
    expect(details).toContain(
      '<summary>Details: 4 experiments did not pass, 2 other problems</summary>',
    );
    for (const r of mixedReport().outcome.results.filter((x) => x.verdict !== 'pass'))
      expect(details).toContain(`**${r.name}** (${r.verdict}):`);
    expect(details).toContain('(InvalidTarget: Target resolution failed)');
    expect(details).toContain('not started: the suite stopped: network-delay breached a gate');
    expect(details).toContain(
      'network-delay: gate breached: checkout-availability: burning at 20x',
    );
    expect(details).not.toContain('pod-delete');
  });

  test('environment, run and the workflow link; the data hidden at the end', () => {
    expect(body).toContain(
      `Environment **staging** · run gh-4242-1 · started 2024-05-01 11:59:58 UTC, took 3m14s · [workflow run](${RUN_URL})`,
    );
    const last = body.split('\n').at(-1)!;
    expect(last).toMatch(/^<!-- chaos-gate:data \{.*\} -->$/);
    expect(readBaselineData(body)).toEqual({
      version: 1,
      suite: 'checkout',
      verdict: 'fail',
      score: 62.5,
      environment: 'staging',
      runId: 'gh-4242-1',
      finishedAt: '2024-05-01T12:03:12.000Z',
      experiments: [
        { name: 'pod-delete', verdict: 'pass', score: 100 },
        { name: 'cpu-hog', verdict: 'fail', score: 75 },
        { name: 'network-delay', verdict: 'aborted', score: 0 },
        { name: 'az-outage', verdict: 'error' },
        { name: 'zone-drain', verdict: 'error' },
      ],
    });
  });

  test('pure: the same input renders the same body', () => {
    expect(render({ baseline: { score: 58, verdict: 'warn' } })).toBe(body);
  });
});

describe('delta against the baseline', () => {
  test.each([
    [{ score: 58 }, '▲ +4.5 against the baseline (58.0)', '+4.5'],
    [{ score: 67, verdict: 'pass' as const }, '▼ -4.5 against the baseline (67.0, pass)', '-4.5'],
    [{ score: 62.5, verdict: 'fail' as const }, '= 0.0 against the baseline (62.5, fail)', '0.0'],
  ])('%j', (baseline, shown, delta) => {
    expect(render({ baseline })).toContain(`Resilience score **62.5** ${shown}`);
    expect(signedDelta(scoreDelta(62.5, baseline.score)!)).toBe(delta);
    expect(formatDelta(scoreDelta(62.5, baseline.score)!)).toBe(shown.split(' against')[0]);
  });

  test('no baseline: no arrow; a baseline without a score: shown, no delta', () => {
    const none = render();
    expect(none).toMatch(/Resilience score \*\*62\.5\*\* · score covers/);
    expect(none).not.toMatch(/[▲▼]|against the baseline/);
    expect(render({ baseline: { verdict: 'skipped' } })).toContain(
      'Resilience score **62.5** (baseline: skipped) ·',
    );
    expect(scoreDelta(undefined, 50)).toBeUndefined();
    expect(scoreDelta(50.1, 49.9)).toBe(0.2);
    // Half away from zero, whatever the floats say; never -0.
    expect(scoreDelta(80.1, 80.05)).toBe(0.1);
    expect(scoreDelta(80.05, 80.1)).toBe(-0.1);
    expect(Object.is(scoreDelta(70, 70), 0)).toBe(true);
  });

  test('the plain summary line', () => {
    expect(summaryLine(mixedReport(), { score: 67 })).toBe('fail, score 62.5 (▼ -4.5)');
    expect(summaryLine(mixedReport())).toBe('fail, score 62.5');
  });
});

describe('other runs', () => {
  test('all passed, no SLOs: no gates table, no details, no coverage note', () => {
    const report = mixedReport();
    report.outcome.results = [experiment({ name: 'pod-delete', verdict: 'pass' })];
    report.gates = { breaches: [], result: 'pass' };
    report.score = { score: 100, covered: 1, total: 1 };
    report.verdict = 'pass';
    const body = render({ report });
    expect(body).toContain('## ✅ chaos-gate: checkout · **pass**');
    expect(body).not.toContain('Error budget');
    expect(body).not.toContain('<details');
    expect(body).not.toContain('score covers');
    expect(rows(body)).toContain('| pod-delete | LitmusChaos | ✅ pass | 100.0 | 42s | — | — |');
  });

  test('skipped by the preflight: no score, nothing injected, the reason in the details', () => {
    const report = mixedReport();
    const reason = 'error budget too low: checkout-availability: 10% of the error budget remains';
    report.outcome.preflight = { decision: 'skip', reason };
    report.outcome.results = report.outcome.results.map((r) => ({
      ...r,
      verdict: 'skipped' as const,
      started: false,
      reason: `not started: ${reason}`,
      monitoring: undefined,
    }));
    report.gates = { breaches: [], result: 'warn' };
    report.score = { covered: 0, total: 5 };
    report.verdict = 'skipped';
    const body = render({ report, baseline: { score: 80 } });
    expect(body).toContain('## ⏭️ chaos-gate: checkout · **skipped**');
    expect(body).toContain('No resilience score: nothing ran. (baseline: 80.0)');
    expect(body).toContain('**Nothing was injected**: error budget too low: checkout-availability');
    expect(body).toContain('**Preflight**');
    expect(readBaselineData(body)).toMatchObject({ verdict: 'skipped' });
    expect(readBaselineData(body)?.score).toBeUndefined();
  });

  test('cleanup failed: listed above the tables, where truncation never reaches', () => {
    const report = mixedReport();
    report.outcome.cleanupProblems = Array.from(
      { length: 12 },
      (_, i) => `NetworkChaos shop/network-delay-${i}: finalizer stuck`,
    );
    const body = render({ report });
    const warning = body.indexOf('⚠️ **Cleanup failed: chaos may still be active**');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(body.indexOf('### Experiments'));
    expect(body).toContain(
      '- NetworkChaos shop/network-delay-9: finalizer stuck\n- and 2 more, in the details',
    );
    const details = body.slice(body.indexOf('<details>'));
    expect(details).toContain('- NetworkChaos shop/network-delay-11: finalizer stuck');
    expect(details).not.toContain('network-delay-9:');
    // Cut to the bone, the list stays.
    report.outcome.results = Array.from({ length: 100 }, (_, i) =>
      experiment({ name: `e${i}`, verdict: 'fail', reason: 'x'.repeat(300) }),
    );
    const cut = render({ report, maxLength: 5000 });
    expect(cut).toContain('Truncated');
    expect(cut).toContain('- NetworkChaos shop/network-delay-0: finalizer stuck');
  });

  test('what the ledger still holds counts as cleanup failed', () => {
    const report = mixedReport();
    report.leftover.entries = [
      {
        id: 'chaos-mesh:NetworkChaos:shop/x',
        provider: 'chaos-mesh',
        experiment: 'network-delay',
        target: { kind: 'NetworkChaos', namespace: 'shop', name: 'x' } as never,
        state: 'created',
        createdAt: iso(T0),
      },
    ];
    expect(render({ report })).toContain(
      '- chaos-mesh:NetworkChaos:shop/x (network-delay) is still in the ledger',
    );
  });

  test('problems before anything was created are listed', () => {
    const report = mixedReport();
    report.outcome.prepareProblems = ['fis-untagged: FIS template EXT1 lacks the tag Environment'];
    const body = render({ report });
    expect(body).toContain(
      '**Nothing was injected**: 1 problem found before anything was created.',
    );
    expect(body).toContain('- fis-untagged: FIS template EXT1 lacks the tag Environment');
  });

  test('links: only http(s), and nothing that could end the link', () => {
    const body = render({
      links: { run: 'javascript:alert(1)', pullRequest: 'https://github.com/a/b/pull/1?x=)](evil' },
    });
    expect(body).not.toContain('javascript:');
    expect(body).not.toContain('[workflow run]');
    expect(body).toContain('[pull request](https://github.com/a/b/pull/1?x=%29%5D%28evil)');
  });
});

describe('hostile text from the suite and the cluster', () => {
  const suite = 'evil <script>alert(1)</script> | `rm -rf` @channel --> <!-- $x$';
  const hostile = '<img src=x onerror=alert(1)> | `code` @here <!channel> --> [x](javascript:1)';
  function hostileReport(): RunReport {
    const report = mixedReport();
    report.runId = 'run --> <b>';
    report.outcome.results[0]!.name = `pod|delete ${hostile}`;
    report.outcome.results[1]!.reason = `line1\nline2\r| injected | row |\u2028${hostile}`;
    report.outcome.results[2]!.monitoring!.burn[0]!.slo = `slo ${hostile}`;
    report.outcome.prepareProblems = [`\u001b[31m${hostile}`];
    return report;
  }
  const body = renderMarkdown({
    suite,
    environment: `prod ${hostile}`,
    report: hostileReport(),
    links: { run: RUN_URL },
  });

  test('the marker holds the name and cannot be closed early', () => {
    const first = body.split('\n')[0]!;
    expect(first).toBe(suiteMarker(suite));
    expect(first).toBe(
      '<!-- chaos-gate:suite=evil %3Cscript%3Ealert(1)%3C/script%3E | `rm -rf` %40channel --%3E %3C!-- $x$ -->',
    );
    expect(suiteMarker('a%3E')).not.toBe(suiteMarker('a>'));
  });

  test('no HTML but ours, and comments only where we put them', () => {
    const tags = body.match(/<[^\s]*/g) ?? [];
    expect(new Set(tags)).toEqual(
      new Set(['<!--', '<details>', '<summary>Details:', '</summary>', '</details>']),
    );
    // Two comments: the marker and the data; each opens and closes once.
    expect(body.match(/<!--/g)).toHaveLength(2);
    expect(body.match(/-->/g)).toHaveLength(2);
    expect(body.startsWith('<!-- chaos-gate:suite=')).toBe(true);
    expect(body).toMatch(/\n<!-- chaos-gate:data [^\n]* -->$/);
  });

  test('no mentions, code spans, links, math or table breaks', () => {
    expect(body).not.toMatch(/@(channel|here)/);
    // What GitHub shows: everything but the two comments.
    const visible = body.replace(/<!--[^\n]*-->/g, '');
    expect(visible).not.toMatch(/(?<!\\)`/);
    expect(visible).not.toMatch(/(?<!\\)\[x\]/);
    expect(visible).not.toMatch(/(?<!\\)\$/);
    expect(visible).not.toContain('<script');
    for (const c of ['\r', '\u2028', '\u001b']) expect(body).not.toContain(c);
    expect(body).not.toContain('| injected | row |');
    // Every row of a table has as many cells as its header.
    for (const table of tables(body))
      for (const row of table) expect(pipes(row)).toBe(pipes(table[0]!));
    expect(tables(body).map((t) => t.length)).toEqual([2 + 5, 2 + 2]);
    expect(body).not.toContain('| injected | row |');
  });

  test('the hidden data gives the names back exactly', () => {
    const data = readBaselineData(body)!;
    expect(data.suite).toBe(suite);
    expect(data.environment).toBe(`prod ${hostile}`);
    expect(data.runId).toBe('run --> <b>');
    expect(data.experiments?.[0]?.name).toBe(`pod|delete ${hostile}`);
  });
});

describe('truncation', () => {
  function bigReport(n: number, reasonLength: number): RunReport {
    const report = mixedReport();
    report.outcome.results = Array.from({ length: n }, (_, i) =>
      experiment({
        name: `experiment-${String(i).padStart(4, '0')}`,
        verdict: i % 2 ? 'fail' : 'pass',
        reason: `reason ${i} `.padEnd(reasonLength, 'x'),
      }),
    );
    report.score = { score: 50, covered: n, total: n };
    return report;
  }

  test('an over-long body keeps the marker, headline and data, cuts the details, and says so', () => {
    const report = bigReport(40, 400);
    const full = render({ report });
    expect(full.length).toBeGreaterThan(8000);
    const body = render({ report, maxLength: 8000 });
    expect(body.length).toBeLessThanOrEqual(8000);
    expect(body.split('\n')[0]).toBe('<!-- chaos-gate:suite=checkout -->');
    expect(body).toContain('## ❌ chaos-gate: checkout · **fail**');
    expect(body).toContain('Resilience score **50.0**');
    expect(body).toMatch(
      /> ⚠️ \*\*Truncated\*\*: \d+ lines of the details left out to fit the limit of 8,000 characters/,
    );
    // The tables are whole; the details are cut but closed.
    expect(rows(body).filter((r) => r.startsWith('| experiment-'))).toHaveLength(40);
    expect(body.match(/<details>/g)).toHaveLength(1);
    expect(body.match(/<\/details>/g)).toHaveLength(1);
    expect(readBaselineData(body)).toEqual(readBaselineData(full));
  });

  test('tables are cut when the details alone do not make room', () => {
    const body = render({ report: bigReport(200, 50), maxLength: 20_000 });
    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body).toMatch(/lines of the experiments table, gates table, details left out/);
    const kept = rows(body).filter((r) => r.startsWith('| experiment-'));
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(200);
    expect(body).not.toContain('<details');
    expect(readBaselineData(body)?.experiments).toHaveLength(200);
  });

  test("GitHub's limit by default; data too large for it keeps the suite's figures", () => {
    const body = render({ report: bigReport(3000, 200) });
    expect(body.length).toBeLessThanOrEqual(MAX_MARKDOWN_LENGTH);
    expect(body).toContain('Truncated');
    const data = readBaselineData(body)!;
    expect(data).toMatchObject({ suite: 'checkout', verdict: 'fail', score: 50 });
    expect(data.experiments).toBeUndefined();
  });

  test('a limit too small for the headline and data is refused', () => {
    expect(() => render({ maxLength: 200 })).toThrow(RangeError);
  });
});

describe('readBaselineData', () => {
  const data = baselineData({ suite: 'checkout', environment: 'staging', report: mixedReport() });
  const comment = (json: string): string => `hello\n<!-- chaos-gate:data ${json} -->\n`;

  test('round trip through a body, also with `--` and `-->` in the text', () => {
    const tricky = { ...data, environment: 'a--b-->c---d <!-- e' };
    const body = renderMarkdown({
      suite: 'checkout',
      environment: tricky.environment,
      report: mixedReport(),
    });
    const line = body.split('\n').at(-1)!;
    expect(line.slice('<!-- '.length, -' -->'.length)).not.toMatch(/--|<|>/);
    expect(readBaselineData(body)).toEqual(tricky);
  });

  test.each([
    ['no data at all', 'a comment from someone else'],
    ['no end of the comment', '<!-- chaos-gate:data {"version":1}'],
    ['broken JSON', comment('{"version":1,"suite":')],
    ['not an object', comment('[1,2]')],
    ['another version', comment(JSON.stringify({ ...data, version: 2 }))],
    ['an unknown verdict', comment(JSON.stringify({ ...data, verdict: 'great' }))],
    ['a score above 100', comment(JSON.stringify({ ...data, score: 1000 }))],
    ['a score that is a string', comment(JSON.stringify({ ...data, score: '62.5' }))],
    ['no suite', comment(JSON.stringify({ ...data, suite: undefined }))],
    [
      'an experiment with an unknown verdict',
      comment(JSON.stringify({ ...data, experiments: [{ name: 'x', verdict: 'meh' }] })),
    ],
  ])('%s: undefined', (_what, body) => {
    expect(readBaselineData(body)).toBeUndefined();
  });

  test('what it returns is a baseline for the next render', () => {
    const back = readBaselineData(comment(JSON.stringify({ ...data, score: 60 })))!;
    expect(render({ baseline: back })).toContain('▲ +2.5 against the baseline (60.0, fail)');
  });
});
