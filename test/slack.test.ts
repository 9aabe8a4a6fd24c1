/** The Slack message (pure): Block Kit payload per verdict, `slack-on`, escaping and limits. */
import type { ExperimentResult } from '../src/engine/result.js';
import type { SlackOn } from '../src/inputs.js';
import { ChaosEngine, type ObjectRef } from '../src/kube/resources.js';
import type { ProviderVerdict } from '../src/providers/provider.js';
import {
  buildSlackMessage,
  clip,
  shouldPostToSlack,
  slackPlainText,
  SLACK_LIMITS,
  slackText,
  worstExperiments,
  type SlackBlock,
  type SlackMessage,
  type SlackMessageInput,
  type TextObject,
} from '../src/report/slack.js';
import { formatDelta, scoreDelta } from '../src/report/markdown.js';
import type { SuiteVerdict } from '../src/score/score.js';

const RUN_URL = 'https://github.com/acme/shop/actions/runs/42';
const PR_URL = 'https://github.com/acme/shop/pull/7';
const AT = '2025-03-01T10:00:00.000Z';
const END = '2025-03-01T10:12:30.000Z';

function exp(
  name: string,
  verdict: ExperimentResult['verdict'],
  o: Partial<ExperimentResult> & {
    probes?: Pick<ProviderVerdict, 'providerProbes' | 'probeSuccessPercentage'>;
  } = {},
): ExperimentResult {
  const { probes, ...rest } = o;
  return {
    name,
    index: 0,
    provider: 'litmus',
    weight: 1,
    critical: false,
    verdict,
    reason: verdict === 'pass' ? 'all probes passed' : `${verdict}: something went wrong`,
    started: verdict !== 'skipped',
    created: [],
    cleanupProblems: [],
    ...(probes ? { providerVerdict: { verdict: 'fail', reason: 'probes failed', ...probes } } : {}),
    ...rest,
  };
}

type Report = SlackMessageInput['report'];

const leftoverRef = (i: number): ObjectRef => ({
  ...ChaosEngine,
  namespace: 'shop',
  name: `pod-delete-${i}`,
});

function report(
  verdict: SuiteVerdict,
  results: ExperimentResult[],
  o: {
    score?: number;
    covered?: number;
    consumed?: number;
    gate?: 'pass' | 'warn' | 'fail';
    outcome?: Partial<Report['outcome']>;
    leftover?: number;
  } = {},
): Report {
  const indexed = results.map((r, index) => ({ ...r, index }));
  return {
    runId: 'cg-20250301-abc123',
    verdict,
    score: {
      ...(o.score !== undefined ? { score: o.score } : {}),
      covered: o.covered ?? results.length,
      total: results.length,
    },
    outcome: {
      results: indexed,
      prepareProblems: [],
      cleanupProblems: [],
      cancelled: false,
      startedAt: AT,
      finishedAt: END,
      ...o.outcome,
    },
    gates: {
      breaches: [],
      result: o.gate ?? 'pass',
      ...(o.consumed !== undefined
        ? {
            budget: {
              worst: o.gate ?? 'pass',
              slos: [],
              worstConsumed: { kind: 'value', value: o.consumed },
              fromMs: Date.parse(AT),
              toMs: Date.parse(END),
            },
          }
        : {}),
    },
    leftover: {
      version: 1,
      runId: 'cg-20250301-abc123',
      entries: Array.from({ length: o.leftover ?? 0 }, (_, i) => ({
        id: `litmus:ChaosEngine:shop/pod-delete-${i}`,
        provider: 'litmus' as const,
        experiment: 'pod-delete',
        target: { type: 'kubernetes' as const, ref: leftoverRef(i) },
        state: 'created' as const,
        createdAt: AT,
      })),
    },
  };
}

function input(r: Report, o: Partial<SlackMessageInput> = {}): SlackMessageInput {
  return {
    report: r,
    suiteName: 'checkout',
    environment: 'staging',
    runUrl: RUN_URL,
    prUrl: PR_URL,
    ...o,
  };
}

/** Every text object of a message, with where it is. */
function texts(m: SlackMessage): { where: string; t: TextObject }[] {
  return m.blocks.flatMap((b: SlackBlock, i) => {
    if (b.type === 'header') return [{ where: `${i} header`, t: b.text }];
    if (b.type === 'context') return b.elements.map((t) => ({ where: `${i} context`, t }));
    if (b.type === 'section' && 'fields' in b)
      return b.fields.map((t) => ({ where: `${i} field`, t }));
    if (b.type === 'section') return [{ where: `${i} section`, t: b.text }];
    return [];
  });
}

const SCENARIOS: Record<SuiteVerdict, SlackMessageInput> = {
  pass: input(
    report(
      'pass',
      [exp('pod-delete', 'pass'), exp('network-latency', 'pass'), exp('az-outage', 'pass')],
      { score: 100, consumed: 3.2 },
    ),
    { baseline: { score: 97.5, verdict: 'pass' } },
  ),
  warn: input(
    report(
      'warn',
      [
        exp('pod-delete', 'pass'),
        exp('network-latency', 'fail', {
          reason: 'probe storefront: 88% of samples succeeded, 95% required',
          probes: { providerProbes: 2, probeSuccessPercentage: 50 },
        }),
        exp('cpu-hog', 'pass', { provider: 'chaos-mesh' }),
      ],
      { score: 83.3, consumed: 41.5, gate: 'warn' },
    ),
    { baseline: { score: 90, verdict: 'pass' } },
  ),
  fail: input(
    report(
      'fail',
      [
        exp('pod-delete', 'pass'),
        exp('az-outage', 'aborted', {
          provider: 'aws-fis',
          critical: true,
          reason: 'stopped: burn rate 14.2x over the limit 10x',
          stoppedBy: 'breach',
        }),
        exp('network-latency', 'fail', {
          probes: { providerProbes: 4, probeSuccessPercentage: 25 },
        }),
        exp('io-stress', 'error', { provider: 'chaos-mesh', reason: 'StressChaos never started' }),
        exp('dns-chaos', 'fail', { probes: { providerProbes: 2, probeSuccessPercentage: 50 } }),
      ],
      {
        score: 43.8,
        covered: 4,
        consumed: 120,
        gate: 'fail',
        outcome: {
          cleanupProblems: ['ChaosEngine shop/pod-delete-x1y2z: still there after 5m'],
        },
        leftover: 1,
      },
    ),
    { baseline: { score: 80, verdict: 'warn' } },
  ),
  error: input(
    report(
      'error',
      [
        exp('pod-delete', 'error', {
          reason: 'not started: 1 problem found before anything was created',
        }),
        exp('az-outage', 'error', {
          provider: 'aws-fis',
          reason: 'not started: 1 problem found before anything was created',
        }),
      ],
      {
        covered: 0,
        outcome: { prepareProblems: ['litmus: ChaosEngine CRD not installed in the cluster'] },
      },
    ),
    { prUrl: undefined },
  ),
  skipped: input(
    report('skipped', [exp('pod-delete', 'skipped'), exp('az-outage', 'skipped')], {
      covered: 0,
      outcome: {
        preflight: {
          decision: 'skip',
          reason: 'error budget of checkout-availability is 8% (minimum 20%)',
        },
      },
    }),
    { prUrl: undefined, baseline: { score: 91.2, verdict: 'pass' } },
  ),
};

describe('buildSlackMessage: one payload per suite verdict', () => {
  test.each(Object.keys(SCENARIOS) as SuiteVerdict[])('%s', (verdict) => {
    const m = buildSlackMessage(SCENARIOS[verdict]);
    expect(m).toMatchSnapshot();
  });

  test('the header carries the verdict, the score and the delta against the baseline', () => {
    const header = (v: SuiteVerdict): string => {
      const b = buildSlackMessage(SCENARIOS[v]).blocks[0];
      return b?.type === 'header' ? b.text.text : '';
    };
    expect(header('pass')).toBe('✅ Chaos suite PASS · score 100.0 ▲ +2.5');
    expect(header('warn')).toBe('⚠️ Chaos suite WARN · score 83.3 ▼ -6.7');
    expect(header('fail')).toBe('❌ Chaos suite FAIL · score 43.8 ▼ -36.2');
    expect(header('error')).toBe('💥 Chaos suite ERROR · no score');
    expect(header('skipped')).toBe('⏭️ Chaos suite SKIPPED · no score');
  });

  test('the worst experiments come first: aborted, then failed by lowest score, then errored', () => {
    const m = buildSlackMessage(SCENARIOS.fail);
    const lines = texts(m)
      .map(({ t }) => t.text)
      .filter((t) => /^(🛑|❌|💥) \*/.test(t))
      .map((t) => t.split(' · ')[0]);
    expect(lines).toEqual([
      '🛑 *az-outage*',
      '❌ *network-latency*',
      '❌ *dns-chaos*',
      '💥 *io-stress*',
    ]);
  });

  test('chaos that may still be active is said at the top', () => {
    const m = buildSlackMessage(SCENARIOS.fail);
    const i = m.blocks.findIndex(
      (b) => b.type === 'section' && 'text' in b && b.text.text.startsWith('🚨'),
    );
    expect(i).toBe(2);
  });

  test('links only to our own http(s) URLs; a missing or strange URL is left out', () => {
    const links = (o: Partial<SlackMessageInput>): string[] =>
      texts(buildSlackMessage({ ...SCENARIOS.pass, ...o }))
        .map(({ t }) => t.text)
        .filter((t) => t.includes('|Workflow run>') || t.includes('|Pull request>'));
    expect(links({})).toEqual([`<${RUN_URL}|Workflow run> · <${PR_URL}|Pull request>`]);
    expect(links({ prUrl: 'javascript:alert(1)', runUrl: 'not a url' })).toEqual([]);
    expect(links({ prUrl: undefined, runUrl: 'https://ghe.example/a|b?x=1&y=<2>' })).toEqual([
      '<https://ghe.example/a%7Cb?x=1&amp;y=%3C2%3E|Workflow run>',
    ]);
  });

  test('every mrkdwn object is verbatim (no auto-linked URLs, channels or mentions)', () => {
    for (const v of Object.keys(SCENARIOS) as SuiteVerdict[])
      for (const { t } of texts(buildSlackMessage(SCENARIOS[v])))
        if (t.type === 'mrkdwn') expect(t.verbatim).toBe(true);
  });
});

describe('slackText', () => {
  test.each([
    ['plain', 'pod-delete', 'pod-delete'],
    ['control characters', 'a & b < c > d', 'a &amp; b &lt; c &gt; d'],
    ['a broadcast', '<!channel> <!here>', '&lt;!channel&gt; &lt;!here&gt;'],
    ['a user mention', '<@U123>', '&lt;@\u200bU123&gt;'],
    ['a disguised link', '<https://evil|click>', '&lt;https://evil|click&gt;'],
    ['bold, italics, strike, code', '*b* _i_ ~s~ `c`', '∗b∗ ˍiˍ ∼s∼ ˋcˋ'],
    ['a bare @here', 'ping @here', 'ping @\u200bhere'],
    ['a leading quote', '> quoted', '\u00ad&gt; quoted'],
    ['lines', 'one\n> two\r\nthree', 'one &gt; two three'],
    ['bidi overrides and controls', 'a\u202eb\u0007c', 'abc'],
    ['an entity stays as typed', '&amp;', '&amp;amp;'],
  ])('%s', (_, raw, escaped) => {
    expect(slackText(raw)).toBe(escaped);
  });

  test('plain_text keeps formatting characters (they do nothing there)', () => {
    expect(slackPlainText('*a* <!channel>\nb')).toBe('*a* &lt;!channel&gt; b');
  });

  test('clip cuts at code points, with an ellipsis', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect(clip('😀😀😀😀😀', 3)).toBe('😀😀…');
  });
});

describe('hostile names and reasons are rendered harmless', () => {
  const HOSTILE =
    '<!channel> <script>alert(1)</script> | `rm -rf /` *bold* _it_ ~x~ <https://evil|click> <@U123> @here';
  const m = buildSlackMessage(
    input(
      report(
        'fail',
        [
          exp(HOSTILE, 'fail', { reason: `${HOSTILE}\n> quote` }),
          exp('ok', 'aborted', { reason: HOSTILE }),
        ],
        {
          score: 0,
          outcome: { cleanupProblems: [HOSTILE], preflight: { decision: 'run', reason: '' } },
        },
      ),
      { suiteName: HOSTILE, environment: HOSTILE },
    ),
  );
  const all = [m.text, ...texts(m).map(({ t }) => t.text)];
  const ours =
    /<https:\/\/github\.com\/acme\/shop\/(actions\/runs\/42|pull\/7)\|(Workflow run|Pull request)>/g;

  test('no control sequence survives: no broadcast, mention, link or HTML', () => {
    for (const t of all) {
      const rest = t.replace(ours, '');
      expect(rest).not.toMatch(/[<>]/);
      expect(rest).not.toContain('<!channel>');
      expect(rest).not.toMatch(/(^|[^\u200b])@here/);
    }
    expect(JSON.stringify(m)).not.toContain('<script>');
    expect(JSON.stringify(m)).not.toContain('<https://evil');
  });

  test('no formatting from the suite: no backticks, and every * and _ is ours', () => {
    for (const { t } of texts(m)) {
      expect(t.text).not.toContain('`');
      expect(t.text).not.toContain('*bold*');
      expect(t.text).not.toContain('_it_');
      expect(t.text).not.toContain('~x~');
    }
  });

  test('the text is still there for people to read', () => {
    const field = texts(m).find(({ t }) => t.text.startsWith('*Suite*'));
    expect(field?.t.text).toContain('&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; |');
    expect(field?.t.text).toContain('∗bold∗');
  });
});

describe('Block Kit limits', () => {
  const LONG = '&<>*'.repeat(3000);
  const many = Array.from({ length: 200 }, (_, i) =>
    exp(`${LONG}-${i}`, i % 3 === 0 ? 'aborted' : i % 3 === 1 ? 'fail' : 'error', {
      reason: LONG,
      cleanupProblems: [LONG],
    }),
  );
  const m = buildSlackMessage(
    input(
      report('fail', many, {
        score: 12.3,
        outcome: {
          cleanupProblems: many.map(() => LONG),
          prepareProblems: [LONG, LONG],
        },
        leftover: 200,
      }),
      {
        suiteName: LONG,
        environment: LONG,
        baseline: { score: 99.9, verdict: 'pass' },
        runUrl: `${RUN_URL}?${'x'.repeat(5000)}`,
      },
    ),
  );

  test('with 200 experiments and huge names and reasons', () => {
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    for (const b of m.blocks) {
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
      if (b.type === 'section' && 'text' in b) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      if (b.type === 'section' && 'fields' in b) {
        expect(b.fields.length).toBeLessThanOrEqual(10);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
      if (b.type === 'context') {
        expect(b.elements.length).toBeLessThanOrEqual(10);
        for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
      }
    }
  });

  test('shows the 5 worst and counts the rest', () => {
    const shown = texts(m).filter(({ t }) => /^(🛑|❌|💥) \*/.test(t.text));
    expect(shown).toHaveLength(5);
    expect(shown.every(({ t }) => t.text.startsWith('🛑'))).toBe(true);
    expect(texts(m).some(({ t }) => t.text === '…and 195 more: see the workflow run.')).toBe(true);
  });

  test('no entity is cut in half', () => {
    for (const { t } of texts(m)) expect(t.text).not.toMatch(/&(a|am|amp|l|lt|g|gt)?…/);
  });

  test('an over-long run URL is left out rather than cut', () => {
    expect(JSON.stringify(m)).not.toContain('|Workflow run>');
  });
});

describe('score delta', () => {
  test.each<[number | undefined, number | undefined, number | undefined, string | undefined]>([
    [92.5, 90, 2.5, '▲ +2.5'],
    [62.5, 70, -7.5, '▼ -7.5'],
    [80, 80, 0, '= 0.0'],
    [80.1, 80.05, 0.1, '▲ +0.1'],
    [undefined, 80, undefined, undefined],
    [80, undefined, undefined, undefined],
  ])('%s against %s', (score, base, delta, shown) => {
    const d = scoreDelta(score, base);
    expect(d).toBe(delta);
    if (d !== undefined) expect(formatDelta(d)).toBe(shown);
  });
});

describe('worstExperiments', () => {
  test('passes and skips are not listed; critical first among equal scores', () => {
    const ranked = worstExperiments(
      [
        exp('a', 'pass'),
        exp('b', 'skipped'),
        exp('c', 'fail'),
        exp('d', 'fail', { critical: true }),
        exp('e', 'error'),
      ].map((r, index) => ({ ...r, index })),
    );
    expect(ranked.map((w) => w.r.name)).toEqual(['d', 'c', 'e']);
  });
});

describe('shouldPostToSlack (slack-on)', () => {
  test.each<[SlackOn, SuiteVerdict, SuiteVerdict | undefined, boolean]>([
    ['always', 'pass', undefined, true],
    ['always', 'skipped', 'skipped', true],
    ['never', 'fail', undefined, false],
    ['never', 'error', 'pass', false],
    ['failure', 'pass', undefined, false],
    ['failure', 'skipped', undefined, false],
    ['failure', 'warn', undefined, true],
    ['failure', 'fail', 'fail', true],
    ['failure', 'error', undefined, true],
    ['change', 'pass', undefined, true],
    ['change', 'pass', 'pass', false],
    ['change', 'fail', 'fail', false],
    ['change', 'fail', 'pass', true],
    ['change', 'pass', 'warn', true],
    ['change', 'skipped', 'pass', true],
  ])('%s, verdict %s, baseline %s -> %s', (on, verdict, baseline, post) => {
    expect(shouldPostToSlack(on, verdict, baseline)).toBe(post);
  });
});
