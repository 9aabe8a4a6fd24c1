/** Probe sample summaries, tolerance and recovery time (SPEC sections 1.4, 3 `probes`). */
import {
  meetsTolerance,
  recoveryTime,
  RECOVERY_PASSES,
  slowestRecovery,
  summarize,
  summarizeProbe,
  type PhaseSummary,
  type Phase,
  type ProbeSample,
  type Recovery,
} from '../src/probes/summary.js';
import type { HttpProbe, PrometheusProbe } from '../src/suite/model.js';

const HTTP: HttpProbe = {
  type: 'http',
  url: 'http://127.0.0.1:8080/health',
  method: 'GET',
  headers: {},
  expectStatus: { class: 2 },
  timeoutMs: 2000,
};
const MAX_03: PrometheusProbe = { type: 'prometheus', query: 'q', max: 0.3 };
const MIN_10: PrometheusProbe = { type: 'prometheus', query: 'q', min: 10 };
const BETWEEN: PrometheusProbe = { type: 'prometheus', query: 'q', min: 10, max: 20 };
const E503 = 'expected 2xx, got 503';

const pass = (at: number, value?: number, phase: Phase = 'during'): ProbeSample => ({
  at,
  phase,
  ok: true,
  reason: 'ok',
  ...(value !== undefined ? { value } : {}),
});
const fail = (at: number, reason = E503, value?: number, phase: Phase = 'during'): ProbeSample => ({
  at,
  phase,
  ok: false,
  reason,
  ...(value !== undefined ? { value } : {}),
});
/** `n` samples at 1, 2, ... of which those at `failing` positions (1-based) fail. */
const series = (n: number, failing: number[] = []): ProbeSample[] =>
  Array.from({ length: n }, (_, i) => (failing.includes(i + 1) ? fail(i + 1) : pass(i + 1)));

describe('summarize', () => {
  test.each<[string, ProbeSample[], HttpProbe | PrometheusProbe, PhaseSummary]>([
    ['no samples', [], HTTP, { count: 0, passes: 0 }],
    [
      'one pass',
      [pass(10, 80)],
      HTTP,
      { count: 1, passes: 1, successRate: 100, worst: { value: 80, at: 10 } },
    ],
    [
      'HTTP: the slowest response is the worst',
      [pass(1, 100), pass(2, 300), pass(3, 200)],
      HTTP,
      { count: 3, passes: 3, successRate: 100, worst: { value: 300, at: 2 } },
    ],
    [
      '2 of 3: 66.7 (half-up to one decimal)',
      [pass(1), fail(2), pass(3)],
      HTTP,
      { count: 3, passes: 2, successRate: 66.7, firstFailure: { at: 2, reason: E503 } },
    ],
    [
      '1 of 3: 33.3',
      [fail(1, 'timed out after 2s'), fail(2), pass(3)],
      HTTP,
      {
        count: 3,
        passes: 1,
        successRate: 33.3,
        firstFailure: { at: 1, reason: 'timed out after 2s' },
      },
    ],
    [
      '39 of 40: 97.5',
      series(40, [17]),
      HTTP,
      { count: 40, passes: 39, successRate: 97.5, firstFailure: { at: 17, reason: E503 } },
    ],
    [
      '999 of 1000: 99.9',
      series(1000, [1000]),
      HTTP,
      { count: 1000, passes: 999, successRate: 99.9, firstFailure: { at: 1000, reason: E503 } },
    ],
    [
      'all fail: 0',
      [fail(1), fail(2)],
      HTTP,
      { count: 2, passes: 0, successRate: 0, firstFailure: { at: 1, reason: E503 } },
    ],
    [
      'samples in any order: the first failure is the earliest',
      [fail(30, 'late'), pass(10), fail(20, 'early')],
      HTTP,
      { count: 3, passes: 1, successRate: 33.3, firstFailure: { at: 20, reason: 'early' } },
    ],
    [
      'prometheus max: the furthest above the bound',
      [
        pass(1, 0.1),
        fail(2, '0.5 is above the maximum 0.3', 0.5),
        fail(3, '0.4 is above the maximum 0.3', 0.4),
      ],
      MAX_03,
      {
        count: 3,
        passes: 1,
        successRate: 33.3,
        worst: { value: 0.5, at: 2 },
        firstFailure: { at: 2, reason: '0.5 is above the maximum 0.3' },
      },
    ],
    [
      'prometheus max, all within: the closest to the bound',
      [pass(1, 0.1), pass(2, 0.29), pass(3, 0.2)],
      MAX_03,
      { count: 3, passes: 3, successRate: 100, worst: { value: 0.29, at: 2 } },
    ],
    [
      'prometheus min: the furthest below',
      [pass(1, 12), fail(2, 'low', 3), fail(3, 'low', 8)],
      MIN_10,
      {
        count: 3,
        passes: 1,
        successRate: 33.3,
        worst: { value: 3, at: 2 },
        firstFailure: { at: 2, reason: 'low' },
      },
    ],
    [
      'prometheus min and max: the least margin to the nearer bound',
      [pass(1, 11), pass(2, 19.5), pass(3, 15)],
      BETWEEN,
      { count: 3, passes: 3, successRate: 100, worst: { value: 19.5, at: 2 } },
    ],
    [
      'samples without a value (no data) have no worst',
      [fail(1, 'query returned no data'), pass(2, 0.2)],
      MAX_03,
      {
        count: 2,
        passes: 1,
        successRate: 50,
        worst: { value: 0.2, at: 2 },
        firstFailure: { at: 1, reason: 'query returned no data' },
      },
    ],
    [
      'ties: the earliest',
      [pass(5, 0.3), pass(1, 0.3)],
      MAX_03,
      { count: 2, passes: 2, successRate: 100, worst: { value: 0.3, at: 1 } },
    ],
  ])('%s', (_, samples, check, expected) => {
    expect(summarize(samples, check)).toEqual(expected);
  });
});

describe('summarizeProbe', () => {
  test('splits the samples by phase', () => {
    const samples = [
      pass(1, 50, 'before'),
      pass(2, 90, 'during'),
      fail(3, E503, 2000, 'during'),
      pass(4, 60, 'after'),
    ];
    expect(summarizeProbe({ name: 'storefront', check: HTTP }, samples)).toEqual({
      probe: 'storefront',
      before: { count: 1, passes: 1, successRate: 100, worst: { value: 50, at: 1 } },
      during: {
        count: 2,
        passes: 1,
        successRate: 50,
        worst: { value: 2000, at: 3 },
        firstFailure: { at: 3, reason: E503 },
      },
      after: { count: 1, passes: 1, successRate: 100, worst: { value: 60, at: 4 } },
    });
  });

  test('no samples at all', () => {
    const empty = { count: 0, passes: 0 };
    expect(summarizeProbe({ name: 'p99', check: MAX_03 }, [])).toEqual({
      probe: 'p99',
      before: empty,
      during: empty,
      after: empty,
    });
  });
});

describe('meetsTolerance (success rate >= successRate)', () => {
  test.each<[string, ProbeSample[], number, boolean, string]>([
    ['100 required, all pass', series(40), 100, true, '100% of 40 samples passed (required 100%)'],
    [
      '100 required, one failed sample',
      series(40, [17]),
      100,
      false,
      `97.5% of 40 samples passed, below the required 100%; first failure: ${E503}`,
    ],
    [
      '100 required, the only sample failed',
      [fail(1)],
      100,
      false,
      `0% of 1 sample passed, below the required 100%; first failure: ${E503}`,
    ],
    [
      'exactly at the required rate',
      series(100, [3]),
      99,
      true,
      '99% of 100 samples passed (required 99%)',
    ],
    [
      '999 of 1000 against 99.9 (no float noise)',
      series(1000, [1]),
      99.9,
      true,
      '99.9% of 1000 samples passed (required 99.9%)',
    ],
    [
      'just below the required rate',
      series(100, [3, 4]),
      99,
      false,
      `98% of 100 samples passed, below the required 99%; first failure: ${E503}`,
    ],
    [
      '2 of 3 against 66.7: compared unrounded, shown with two decimals',
      series(3, [2]),
      66.7,
      false,
      `66.67% of 3 samples passed, below the required 66.7%; first failure: ${E503}`,
    ],
    [
      '2 of 3 against 66.6',
      series(3, [2]),
      66.6,
      true,
      '66.7% of 3 samples passed (required 66.6%)',
    ],
    [
      '0 required, all failed',
      series(4, [1, 2, 3, 4]),
      0,
      true,
      '0% of 4 samples passed (required 0%)',
    ],
    ['no samples', [], 99, false, 'no samples: cannot tell whether the probe held'],
    ['no samples, 0 required', [], 0, true, 'no samples (required 0%)'],
  ])('%s', (_, samples, successRate, met, reason) => {
    expect(meetsTolerance(summarize(samples, HTTP), successRate)).toEqual({ met, reason });
  });
});

describe('recoveryTime', () => {
  const END = 1000;
  const MINUTE = 60_000;
  test.each<[string, ProbeSample[], number, Recovery]>([
    ['first sample after cleanup passes', [pass(1500)], 1, { recovered: true, ms: 500, at: 1500 }],
    [
      'two failures, then a pass',
      [fail(2000), fail(7000), pass(12_000), fail(17_000)],
      1,
      { recovered: true, ms: 11_000, at: 12_000 },
    ],
    [
      'samples before the end of cleanup are ignored',
      [pass(900), fail(1000), pass(6000)],
      1,
      { recovered: true, ms: 5000, at: 6000 },
    ],
    ['a pass exactly at the end of cleanup', [pass(1000)], 1, { recovered: true, ms: 0, at: 1000 }],
    [
      'a pass exactly at the deadline',
      [fail(2000), pass(END + MINUTE)],
      1,
      { recovered: true, ms: MINUTE, at: END + MINUTE },
    ],
    [
      'samples in any order',
      [pass(12_000), fail(2000), pass(20_000)],
      1,
      { recovered: true, ms: 11_000, at: 12_000 },
    ],
    [
      'a pass after the deadline does not count',
      [fail(2000), fail(30_000), pass(END + MINUTE + 1)],
      1,
      { recovered: false, reason: `not recovered within 1m: last failure: ${E503}` },
    ],
    [
      'no samples',
      [],
      1,
      { recovered: false, reason: 'not recovered within 1m: no samples after cleanup' },
    ],
    [
      'only samples before cleanup',
      [pass(500)],
      1,
      { recovered: false, reason: 'not recovered within 1m: no samples after cleanup' },
    ],
    [
      '3 consecutive passes: the run starts after the last failure',
      [fail(2000), pass(3000), pass(4000), fail(5000, 'again'), pass(6000), pass(7000), pass(8000)],
      3,
      { recovered: true, ms: 5000, at: 6000 },
    ],
    [
      '3 consecutive passes not reached',
      [fail(2000, 'down'), pass(3000), pass(4000)],
      3,
      { recovered: false, reason: 'not recovered within 1m: last failure: down' },
    ],
  ])('%s', (_, samples, passes, expected) => {
    expect(recoveryTime(samples, END, MINUTE, passes)).toEqual(expected);
  });

  test('three consecutive passes by default, timed from the first of them', () => {
    expect(RECOVERY_PASSES).toBe(3);
    expect(recoveryTime([fail(2000), pass(3000)], END, MINUTE)).toMatchObject({
      recovered: false,
    });
    expect(
      recoveryTime(
        [fail(2000), pass(3000), fail(3500), pass(4000), pass(5000), pass(6000)],
        END,
        MINUTE,
      ),
    ).toEqual({
      recovered: true,
      ms: 3000,
      at: 4000,
    });
  });
});

describe('slowestRecovery', () => {
  const ok = (ms: number): Recovery => ({ recovered: true, ms, at: ms });
  const not: Recovery = { recovered: false, reason: 'not recovered within 5m' };
  test.each<[string, Recovery[], Recovery | undefined]>([
    ['no probes', [], undefined],
    ['the slowest', [ok(500), ok(1200), ok(800)], ok(1200)],
    ['one did not recover', [ok(500), not, ok(800)], not],
  ])('%s', (_, recoveries, expected) => {
    expect(slowestRecovery(recoveries)).toEqual(expected);
  });
});
