/**
 * Reading a Litmus run's outcome (SPEC section 4; fixtures README section 2). Objects are built
 * with the exact upstream field names: ChaosEngine `status.engineStatus` and
 * `status.experiments[]`, ChaosResult `status.experimentStatus.{phase, verdict,
 * probeSuccessPercentage, errorOutput}` and `status.probeStatuses[]`, label `chaosUID`.
 */
import type { KubeObject } from '../src/kube/object.js';
import {
  expectedResults,
  litmusState,
  type LitmusObservation,
  type LitmusState,
} from '../src/providers/litmus-verdict.js';
import type { ProviderVerdict } from '../src/providers/provider.js';

const NS = 'shop';
const UID = '4a0b2c1d-0000-4000-8000-000000000001';
const OLD_UID = '9f9f9f9f-0000-4000-8000-000000000009';

interface EngineOpts {
  name?: string;
  experiments?: { name: string; instanceId?: string }[];
  engineStatus?: 'initialized' | 'completed' | 'stopped';
  statuses?: { name: string; status: string; verdict: string }[];
}

function engine(o: EngineOpts = {}): KubeObject {
  const name = o.name ?? 'checkout-pod-delete-x1y2z';
  const experiments = o.experiments ?? [{ name: 'pod-delete' }];
  const status: Record<string, unknown> = {};
  if (o.engineStatus) status.engineStatus = o.engineStatus;
  if (o.statuses)
    status.experiments = o.statuses.map((s) => ({
      name: s.name,
      runner: `${name}-runner`,
      experimentPod: `${s.name}-abc12-xyz`,
      status: s.status,
      verdict: s.verdict,
      lastUpdateTime: '2026-01-01T00:00:00Z',
    }));
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name, namespace: NS, uid: UID },
    spec: {
      engineState: 'active',
      chaosServiceAccount: 'pod-delete-sa',
      appinfo: { appns: NS, applabel: 'app=cart', appkind: 'deployment' },
      experiments: experiments.map((e) => ({
        name: e.name,
        spec: {
          components: {
            env: [
              { name: 'TOTAL_CHAOS_DURATION', value: '30' },
              ...(e.instanceId !== undefined ? [{ name: 'INSTANCE_ID', value: e.instanceId }] : []),
            ],
          },
        },
      })),
    },
    ...(Object.keys(status).length ? { status } : {}),
  };
}

interface ProbeStatus {
  name: string;
  type: string;
  mode: string;
  verdict: 'Passed' | 'Failed' | 'N/A' | 'Awaited';
  description?: string;
}

interface ResultOpts {
  uid?: string;
  phase?: string;
  verdict?: string;
  probeSuccessPercentage?: string;
  errorOutput?: { errorCode: string; reason: string };
  probes?: ProbeStatus[];
  noStatus?: boolean;
}

function result(name: string, o: ResultOpts = {}): KubeObject {
  const experimentStatus: Record<string, unknown> = {
    phase: o.phase ?? 'Running',
    verdict: o.verdict ?? 'Awaited',
    probeSuccessPercentage: o.probeSuccessPercentage ?? 'Awaited',
  };
  if (o.errorOutput) experimentStatus.errorOutput = o.errorOutput;
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosResult',
    metadata: {
      name,
      namespace: NS,
      labels: { chaosUID: o.uid ?? UID, name: 'pod-delete', 'app.kubernetes.io/part-of': 'litmus' },
    },
    spec: { engine: 'checkout-pod-delete-x1y2z', experiment: 'pod-delete' },
    ...(o.noStatus
      ? {}
      : {
          status: {
            experimentStatus,
            ...(o.probes
              ? {
                  probeStatuses: o.probes.map((p) => ({
                    name: p.name,
                    type: p.type,
                    mode: p.mode,
                    status: {
                      verdict: p.verdict,
                      ...(p.description ? { description: p.description } : {}),
                    },
                  })),
                }
              : {}),
            history: { passedRuns: 0, failedRuns: 0, stoppedRuns: 0, targets: [] },
          },
        }),
  };
}

const RESULT = 'checkout-pod-delete-x1y2z-pod-delete';

function observe(e: KubeObject | undefined, results: KubeObject[], forEngine = e): LitmusState {
  const obs: LitmusObservation = {
    engine: e,
    engineUid: UID,
    results,
    expected: expectedResults(forEngine ?? engine()),
  };
  return litmusState(obs);
}

function verdictOf(s: LitmusState): ProviderVerdict {
  if (!s.done) throw new Error(`expected a finished state, got ${JSON.stringify(s)}`);
  return s.verdict;
}

describe('expectedResults: the ChaosResult names a ChaosEngine produces', () => {
  test.each([
    ['one experiment', [{ name: 'pod-delete' }], ['checkout-pod-delete-x1y2z-pod-delete']],
    [
      'INSTANCE_ID appended',
      [{ name: 'pod-delete', instanceId: 'run7' }],
      ['checkout-pod-delete-x1y2z-pod-delete-run7'],
    ],
    [
      'an empty INSTANCE_ID is not appended',
      [{ name: 'pod-delete', instanceId: '' }],
      ['checkout-pod-delete-x1y2z-pod-delete'],
    ],
    [
      'two experiments, each its own result',
      [{ name: 'pod-delete' }, { name: 'pod-network-latency', instanceId: 'b' }],
      ['checkout-pod-delete-x1y2z-pod-delete', 'checkout-pod-delete-x1y2z-pod-network-latency-b'],
    ],
  ])('%s', (_what, experiments, names) => {
    const got = expectedResults(engine({ experiments }));
    expect(got.map((r) => r.resultName)).toEqual(names);
    expect(got.map((r) => r.experiment)).toEqual(experiments.map((e) => e.name));
  });
});

describe('litmusState: finished results map to verdicts', () => {
  const completed = engine({
    engineStatus: 'completed',
    statuses: [{ name: 'pod-delete', status: 'Completed', verdict: 'Pass' }],
  });

  test('Pass -> pass', () => {
    const v = verdictOf(
      observe(completed, [
        result(RESULT, { phase: 'Completed', verdict: 'Pass', probeSuccessPercentage: '100' }),
      ]),
    );
    expect(v.verdict).toBe('pass');
    expect(v.reason).toContain(`${RESULT}: Pass`);
  });

  test('Fail with probes -> fail, keeps the string probeSuccessPercentage as a number', () => {
    const v = verdictOf(
      observe(completed, [
        result(RESULT, {
          phase: 'Completed_With_Probe_Failure',
          verdict: 'Fail',
          probeSuccessPercentage: '50',
          probes: [
            {
              name: 'check-frontend',
              type: 'httpProbe',
              mode: 'Continuous',
              verdict: 'Passed',
              description: 'Probe passed',
            },
            {
              name: 'check-catalogue',
              type: 'cmdProbe',
              mode: 'Edge',
              verdict: 'Failed',
              description: 'Actual value: 503, Expected value: 200',
            },
          ],
        }),
      ]),
    );
    expect(v.verdict).toBe('fail');
    expect(v.probeSuccessPercentage).toBe(50);
    expect(v.providerProbes).toBe(2);
    expect(v.reason).toContain('probe success 50%');
    expect(v.reason).toContain('check-catalogue: Actual value: 503, Expected value: 200');
    expect(v.reason).not.toContain('check-frontend');
  });

  test('Fail without probes -> fail, no provider probe score', () => {
    const v = verdictOf(
      observe(completed, [
        result(RESULT, { phase: 'Completed', verdict: 'Fail', probeSuccessPercentage: '0' }),
      ]),
    );
    expect(v.verdict).toBe('fail');
    expect(v.providerProbes).toBe(0);
    expect(v.probeSuccessPercentage).toBeUndefined();
  });

  test('Error -> error, the reason carries errorOutput code and reason', () => {
    const v = verdictOf(
      observe(completed, [
        result(RESULT, {
          phase: 'Error',
          verdict: 'Error',
          probeSuccessPercentage: '0',
          errorOutput: {
            errorCode: 'TARGET_SELECTION_ERROR',
            reason: 'no target pods found with app=cart',
          },
        }),
      ]),
    );
    expect(v.verdict).toBe('error');
    expect(v.reason).toContain('TARGET_SELECTION_ERROR');
    expect(v.reason).toContain('no target pods found with app=cart');
  });

  test('Stopped (not by us) -> error saying Litmus stopped it', () => {
    const stopped = engine({
      engineStatus: 'stopped',
      statuses: [{ name: 'pod-delete', status: 'Forcefully Aborted', verdict: 'Stopped' }],
    });
    const v = verdictOf(
      observe(stopped, [
        result(RESULT, { phase: 'Stopped', verdict: 'Stopped', probeSuccessPercentage: '0' }),
      ]),
    );
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/Stopped/);
  });

  test('the result with INSTANCE_ID in its name is the one read', () => {
    const e = engine({
      engineStatus: 'completed',
      experiments: [{ name: 'pod-delete', instanceId: 'i1' }],
      statuses: [{ name: 'pod-delete', status: 'Completed', verdict: 'Fail' }],
    });
    const v = verdictOf(
      observe(e, [
        // the name without the instance: not ours, even with our uid
        result(RESULT, { phase: 'Completed', verdict: 'Pass', probeSuccessPercentage: '100' }),
        result(`${RESULT}-i1`, {
          phase: 'Completed',
          verdict: 'Fail',
          probeSuccessPercentage: '0',
        }),
      ]),
    );
    expect(v.verdict).toBe('fail');
    expect(v.reason).toContain(`${RESULT}-i1`);
  });
});

describe('litmusState: not finished yet', () => {
  test.each([
    ['no result yet', []],
    ['Running / Awaited', [result(RESULT)]],
    ['phase Completed but verdict still Awaited', [result(RESULT, { phase: 'Completed' })]],
    ['verdict Pass but phase still Running', [result(RESULT, { verdict: 'Pass' })]],
    ['a result without status', [result(RESULT, { noStatus: true })]],
  ])('%s -> not done', (_what, results) => {
    const e = engine({
      engineStatus: 'initialized',
      statuses: [{ name: 'pod-delete', status: 'Running', verdict: 'Awaited' }],
    });
    const s = observe(e, results);
    expect(s).toEqual({ done: false, running: true });
  });

  test('an engine not yet initialized with no result is not running', () => {
    expect(observe(engine(), [])).toEqual({ done: false, running: false });
  });

  test('a final result of an older engine (another chaosUID) is ignored', () => {
    const e = engine({
      engineStatus: 'initialized',
      statuses: [{ name: 'pod-delete', status: 'Running', verdict: 'Awaited' }],
    });
    const stale = result(RESULT, {
      uid: OLD_UID,
      phase: 'Completed',
      verdict: 'Pass',
      probeSuccessPercentage: '100',
    });
    expect(observe(e, [stale]).done).toBe(false);
  });

  test('an old result of the same name does not hide ours', () => {
    const e = engine({ engineStatus: 'initialized' });
    const stale = result(RESULT, { uid: OLD_UID, phase: 'Completed', verdict: 'Fail' });
    const ours = result(RESULT, { phase: 'Completed', verdict: 'Pass' });
    expect(observe(e, [stale]).done).toBe(false);
    expect(verdictOf(observe(e, [stale, ours])).verdict).toBe('pass');
    expect(verdictOf(observe(e, [ours, stale])).verdict).toBe('pass');
  });
});

describe('litmusState: errors of the engine itself', () => {
  test('ChaosExperiment Not Found -> error naming the experiment', () => {
    const e = engine({
      experiments: [{ name: 'pod-cpu-hog' }],
      engineStatus: 'initialized',
      statuses: [{ name: 'pod-cpu-hog', status: 'ChaosExperiment Not Found', verdict: 'Fail' }],
    });
    const v = verdictOf(observe(e, []));
    expect(v.verdict).toBe('error');
    expect(v.reason).toContain('pod-cpu-hog');
    expect(v.reason).toMatch(/not found/i);
  });

  test('engine missing -> error', () => {
    const v = verdictOf(observe(undefined, [], engine()));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/ChaosEngine/);
  });

  test('engineStatus stopped before any result -> error', () => {
    const e = engine({
      engineStatus: 'stopped',
      statuses: [{ name: 'pod-delete', status: 'Forcefully Aborted', verdict: 'Stopped' }],
    });
    const v = verdictOf(observe(e, [result(RESULT)]));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/stopped/);
  });

  test.each([
    ['recorded Completed', 'Completed', 'Pass'],
    // chaos-runner records a skipped experiment with verdict Fail and writes no result
    ['recorded Skipped', 'Skipped', 'Fail'],
  ])(
    'completed engine (%s) whose result never came -> error naming the result',
    (_what, status, verdict) => {
      const e = engine({
        engineStatus: 'completed',
        statuses: [{ name: 'pod-delete', status, verdict }],
      });
      const v = verdictOf(observe(e, []));
      expect(v.verdict).toBe('error');
      expect(v.reason).toContain(RESULT);
    },
  );

  test('while the caller still waits for a lagging result, a completed engine without it is not an error yet', () => {
    const e = engine({
      engineStatus: 'completed',
      statuses: [{ name: 'pod-delete', status: 'Completed', verdict: 'Pass' }],
    });
    const s = litmusState({
      engine: e,
      engineUid: UID,
      results: [],
      expected: expectedResults(e),
      resultGraceOver: false,
    });
    expect(s).toEqual({ done: false, running: false, awaitingResults: true });
  });

  test('completed engine with only an older engine result -> error, not that old verdict', () => {
    const e = engine({
      engineStatus: 'completed',
      statuses: [{ name: 'pod-delete', status: 'Completed', verdict: 'Pass' }],
    });
    const stale = result(RESULT, { uid: OLD_UID, phase: 'Completed', verdict: 'Pass' });
    const v = verdictOf(observe(e, [stale]));
    expect(v.verdict).toBe('error');
    expect(v.reason).toContain(RESULT);
  });
});

describe('litmusState: two experiments in one engine', () => {
  const two = [{ name: 'pod-delete' }, { name: 'pod-network-latency' }];
  const e = engine({
    experiments: two,
    engineStatus: 'completed',
    statuses: [
      { name: 'pod-delete', status: 'Completed', verdict: 'Pass' },
      { name: 'pod-network-latency', status: 'Completed', verdict: 'Fail' },
    ],
  });
  const R2 = 'checkout-pod-delete-x1y2z-pod-network-latency';
  const pass = result(RESULT, { phase: 'Completed', verdict: 'Pass' });
  const fail = result(R2, { phase: 'Completed', verdict: 'Fail', probeSuccessPercentage: '0' });
  const error = result(R2, {
    phase: 'Error',
    verdict: 'Error',
    errorOutput: { errorCode: 'CHAOS_INJECT_ERROR', reason: 'tc: command not found' },
  });

  test.each([
    ['Pass + Fail', 'fail', [pass, fail]],
    ['Fail + Pass (order does not matter)', 'fail', [fail, pass]],
    ['Pass + Error', 'error', [pass, error]],
    ['Pass + Pass', 'pass', [pass, result(R2, { phase: 'Completed', verdict: 'Pass' })]],
  ])('%s -> %s (worst wins), both named', (_what, expected, results) => {
    const v = verdictOf(observe(e, results));
    expect(v.verdict).toBe(expected);
    expect(v.reason).toContain(RESULT);
    expect(v.reason).toContain(R2);
  });

  test('one finished, the other still running -> not done', () => {
    const s = observe({ ...e, status: { engineStatus: 'initialized' } }, [pass, result(R2)]);
    expect(s.done).toBe(false);
  });

  test('the provider probe score is over all probes of the engine (1 of 4 passed -> 25)', () => {
    const probe = (name: string, verdict: ProbeStatus['verdict']): ProbeStatus => ({
      name,
      type: 'httpProbe',
      mode: 'Continuous',
      verdict,
    });
    // pod-delete: 1 probe, passed (100); latency: 3 probes, all failed (0).
    const a = result(RESULT, {
      phase: 'Completed',
      verdict: 'Pass',
      probeSuccessPercentage: '100',
      probes: [probe('a1', 'Passed')],
    });
    const b = result(R2, {
      phase: 'Completed_With_Probe_Failure',
      verdict: 'Fail',
      probeSuccessPercentage: '0',
      probes: [probe('b1', 'Failed'), probe('b2', 'Failed'), probe('b3', 'Failed')],
    });
    const v = verdictOf(observe(e, [a, b]));
    expect(v.verdict).toBe('fail');
    expect(v.providerProbes).toBe(4);
    // Q * q / 100 must be the number of passed provider probes (SPEC section 6): 4 * 25% = 1.
    expect(v.probeSuccessPercentage).toBe(25);
  });
});
