/** The resilience score and the suite verdict (SPEC section 6). */
import type { ExperimentResult } from '../src/engine/result.js';
import type { ProviderVerdict, Verdict } from '../src/providers/provider.js';
import {
  experimentScore,
  roundScore,
  suiteScore,
  suiteVerdict,
  type ProbeTally,
} from '../src/score/score.js';

let n = 0;
function exp(
  verdict: Verdict,
  o: {
    weight?: number;
    critical?: boolean;
    provider?: Pick<ProviderVerdict, 'providerProbes' | 'probeSuccessPercentage'>;
  } = {},
): ExperimentResult {
  const i = n++;
  return {
    name: `exp-${i}`,
    index: i,
    provider: 'litmus',
    weight: o.weight ?? 1,
    critical: o.critical ?? false,
    verdict,
    reason: verdict,
    started: true,
    created: [],
    cleanupProblems: [],
    ...(o.provider ? { providerVerdict: { verdict, reason: verdict, ...o.provider } } : {}),
  };
}

const tally = (passed: number, total: number): ProbeTally => ({ passed, total });

describe('experimentScore (per experiment)', () => {
  test.each<[string, number | undefined, ExperimentResult, ProbeTally | undefined]>([
    ['pass', 100, exp('pass'), undefined],
    ['pass, whatever its probes', 100, exp('pass'), tally(0, 3)],
    ['aborted on a breach', 0, exp('aborted'), tally(3, 3)],
    ['error is not scored', undefined, exp('error'), tally(3, 3)],
    ['fail with no probes at all', 0, exp('fail'), undefined],
    [
      "fail, provider probes only: Litmus' own figure (4 probes, 75%)",
      75,
      exp('fail', { provider: { providerProbes: 4, probeSuccessPercentage: 75 } }),
      undefined,
    ],
    [
      "fail, provider probes only: Litmus' own figure (2 probes, 50%)",
      50,
      exp('fail', { provider: { providerProbes: 2, probeSuccessPercentage: 50 } }),
      tally(0, 0),
    ],
    ['fail, ours only: 1 of 4 met its tolerance', 25, exp('fail'), tally(1, 4)],
    [
      "fail, ours (3 of 3) + provider's (1 probe at 0%)",
      75,
      exp('fail', { provider: { providerProbes: 1, probeSuccessPercentage: 0 } }),
      tally(3, 3),
    ],
    [
      "fail, ours (1 of 2) + provider's (2 probes at 50%)",
      50,
      exp('fail', { provider: { providerProbes: 2, probeSuccessPercentage: 50 } }),
      tally(1, 2),
    ],
  ])('%s -> %s', (_what, expected, r, ours) => {
    expect(experimentScore(r, ours)).toBe(expected);
  });
});

describe('roundScore: half-up to one decimal, within 0-100', () => {
  test.each([
    [66.65, 66.7],
    [33.333, 33.3],
    [66.666, 66.7],
    [0.05, 0.1],
    [0.04999, 0],
    [22.25, 22.3],
    [99.95, 100],
    [100, 100],
    [0, 0],
    [104.2, 100],
    [-3, 0],
  ])('%d -> %d', (x, expected) => {
    expect(roundScore(x)).toBe(expected);
  });
});

describe('suiteScore', () => {
  test.each<[string, number | undefined, number, number, ExperimentResult[]]>([
    ['one pass', 100, 1, 1, [exp('pass')]],
    ['pass + aborted', 50, 2, 2, [exp('pass'), exp('aborted')]],
    ['error excluded: pass + error', 100, 1, 2, [exp('pass'), exp('error')]],
    ['only errors: no score', undefined, 0, 2, [exp('error'), exp('error')]],
    ['nothing at all: no score', undefined, 0, 0, []],
    ['weights: pass w3 + fail w1', 75, 2, 2, [exp('pass', { weight: 3 }), exp('fail')]],
    ['1 of 3 passed', 33.3, 3, 3, [exp('pass'), exp('fail'), exp('aborted')]],
    ['2 of 3 passed', 66.7, 3, 3, [exp('pass'), exp('pass'), exp('fail')]],
    [
      'pass + fail at 33.3% of one provider probe (66.65)',
      66.7,
      2,
      2,
      [exp('pass'), exp('fail', { provider: { providerProbes: 1, probeSuccessPercentage: 33.3 } })],
    ],
  ])('%s -> %s (covers %d of %d)', (_what, score, covered, total, results) => {
    const s = suiteScore(results);
    expect(s.score).toBe(score);
    expect(s.covered).toBe(covered);
    expect(s.total).toBe(total);
    if (score === undefined) expect('score' in s).toBe(false);
  });

  test('our probe tallies are looked up per experiment', () => {
    const a = exp('fail');
    const b = exp('pass');
    const s = suiteScore([a, b], (r) => (r === a ? tally(1, 2) : undefined));
    expect(s.score).toBe(75);
  });
});

describe('suiteVerdict: first match wins', () => {
  const gates = { score: { pass: 90, warn: 75 } };
  test.each<
    [string, string, ExperimentResult[], number | undefined, Parameters<typeof suiteVerdict>[3]]
  >([
    [
      'preflight skipped beats everything',
      'skipped',
      [exp('fail', { critical: true })],
      0,
      { skipped: true },
    ],
    ['critical fail, even at a high score', 'fail', [exp('fail', { critical: true })], 95, {}],
    ['critical aborted', 'fail', [exp('aborted', { critical: true })], 95, {}],
    ['a critical error is no critical fail', 'error', [exp('error', { critical: true })], 95, {}],
    ['a gate failed', 'fail', [exp('pass')], 100, { gate: 'fail' }],
    ['score < warn beats an error', 'fail', [exp('fail'), exp('error')], 74.9, {}],
    ['score == warn is not fail', 'warn', [exp('pass'), exp('fail')], 75, {}],
    ['an error beats warn', 'error', [exp('pass'), exp('error')], 80, {}],
    ['an error at a passing score', 'error', [exp('pass'), exp('error')], 100, {}],
    ['score < pass', 'warn', [exp('pass'), exp('fail')], 89.9, {}],
    ['a gate at warn', 'warn', [exp('pass')], 100, { gate: 'warn' }],
    ['score == pass', 'pass', [exp('pass')], 90, {}],
    ['a non-critical fail at a passing score', 'pass', [exp('fail')], 95, {}],
    ['all pass', 'pass', [exp('pass'), exp('pass')], 100, { gate: 'pass' }],
  ])('%s -> %s', (_what, expected, results, score, opts) => {
    expect(suiteVerdict(results, score, gates, opts)).toBe(expected);
  });

  test('the thresholds come from gates.score', () => {
    const results = [exp('pass')];
    expect(suiteVerdict(results, 80, { score: { pass: 80, warn: 50 } })).toBe('pass');
    expect(suiteVerdict(results, 80, { score: { pass: 95, warn: 85 } })).toBe('fail');
  });
});

describe("cross-check with Litmus' own formula", () => {
  // For a Litmus-only suite without probes of ours, the score is Litmus' weighted resilience
  // score: sum(weight * probeSuccessPercentage) / sum(weight) (a Pass has 100%: every probe passed).
  let seed = 7;
  const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  test.each(Array.from({ length: 25 }, (_, i) => i))('random suite %i', () => {
    const results = Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
      const weight = 1 + Math.floor(random() * 5);
      const probes = 1 + Math.floor(random() * 4);
      const pass = random() < 0.4;
      const psp = pass ? 100 : Math.round((100 * Math.floor(random() * probes)) / probes);
      return exp(pass ? 'pass' : 'fail', {
        weight,
        provider: { providerProbes: probes, probeSuccessPercentage: psp },
      });
    });
    const litmus =
      results.reduce((s, r) => s + r.weight * (r.providerVerdict?.probeSuccessPercentage ?? 0), 0) /
      results.reduce((s, r) => s + r.weight, 0);
    expect(suiteScore(results).score).toBe(roundScore(litmus));
  });
});
