/** SPEC 4: pass only when the provider passed, every probe met its tolerance and no gate was breached. */
import { combinedVerdict, probeTally } from '../src/engine/verdict.js';
import type { ExperimentMonitoring, ProbeOutcome } from '../src/gates/monitor.js';
import type { ExperimentVerdict } from '../src/engine/result.js';

const phase = { count: 0, passes: 0 };
const probe = (name: string, met: boolean, recovered = true): ProbeOutcome => ({
  probe: name,
  summary: { probe: name, before: phase, during: phase, after: phase },
  tolerance: {
    met,
    reason: met ? '100% of 5 samples passed' : '40% of 5 samples passed, below the required 99%',
  },
  required: 99,
  recovery: recovered
    ? { recovered: true, ms: 1200, at: 0 }
    : { recovered: false, reason: 'not recovered within 5m' },
});
const monitoring = (over: Partial<ExperimentMonitoring> = {}): ExperimentMonitoring => ({
  probes: [],
  burn: [],
  ...over,
});
const pv = (verdict: ExperimentVerdict) => ({ verdict, reason: 'the provider says so' });

test.each<[string, ExperimentVerdict, ExperimentMonitoring | undefined, ExperimentVerdict, RegExp]>(
  [
    ['no measurements', 'pass', undefined, 'pass', /^the provider says so$/],
    [
      'probes held',
      'pass',
      monitoring({ probes: [probe('a', true), probe('b', true)] }),
      'pass',
      /^the provider says so$/,
    ],
    [
      'one probe below tolerance',
      'pass',
      monitoring({ probes: [probe('a', true), probe('b', false)] }),
      'fail',
      /, but probe b: 40% of 5 samples passed/,
    ],
    [
      'breach without abort',
      'pass',
      monitoring({ breach: { at: 1, reason: 'slo: burning at 20x' } }),
      'fail',
      /, but gate breached during the experiment: slo: burning at 20x/,
    ],
    [
      'not recovered',
      'pass',
      monitoring({ probes: [probe('a', true, false)] }),
      'fail',
      /probe a did not hold again after cleanup: not recovered within 5m/,
    ],
    [
      'provider fail stays fail',
      'fail',
      monitoring({ probes: [probe('a', false)] }),
      'fail',
      /^the provider says so$/,
    ],
    [
      'aborted stays aborted',
      'aborted',
      monitoring({ breach: { at: 1, reason: 'x' } }),
      'aborted',
      /^the provider says so$/,
    ],
    [
      'error stays error',
      'error',
      monitoring({ probes: [probe('a', false)] }),
      'error',
      /^the provider says so$/,
    ],
  ],
)('%s', (_name, provider, m, verdict, reason) => {
  const v = combinedVerdict(pv(provider), m);
  expect(v.verdict).toBe(verdict);
  expect(v.reason).toMatch(reason);
});

test('all reasons are listed: breach, then tolerances, then recovery', () => {
  const v = combinedVerdict(
    pv('pass'),
    monitoring({ breach: { at: 1, reason: 'B' }, probes: [probe('a', false, false)] }),
  );
  expect(v.reason).toBe(
    'the provider says so, but gate breached during the experiment: B; probe a: 40% of 5 samples passed, below the required 99%; probe a did not hold again after cleanup: not recovered within 5m',
  );
});

test('probe tally for the score: attached probes and those within tolerance', () => {
  expect(probeTally(undefined)).toEqual({ total: 0, passed: 0 });
  expect(
    probeTally(monitoring({ probes: [probe('a', true), probe('b', false), probe('c', true)] })),
  ).toEqual({ total: 3, passed: 2 });
});
