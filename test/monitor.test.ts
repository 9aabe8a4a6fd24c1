/**
 * The measuring side of a run with stub probes and a stub Prometheus (the real one is in
 * run-gates.test.ts): preflight decisions, breaches with and without abortOnBreach, no data,
 * recovery, cancellation. Intervals are a few milliseconds; nothing asserts on elapsed time.
 */
import { RunMonitor } from '../src/gates/monitor.js';
import type { Logger } from '../src/log.js';
import type { PromClient, PromResult } from '../src/prom/client.js';
import type { Experiment, Gates, Probe, Slo } from '../src/suite/model.js';

const at = { file: 's.yml', line: 1, column: 1 };
const slo = (over: Partial<Slo> = {}): Slo => ({
  name: 'avail',
  objective: 99.9,
  windowMs: 28 * 86_400_000,
  errorRatioQuery: 'errors[$window]',
  onNoData: 'fail',
  position: at,
  ...over,
});
const gates = (over: Partial<Gates> = {}): Gates => ({
  preflight: { minBudgetRemaining: 25, onLowBudget: 'skip' },
  budget: { maxBurnRate: 14.4 },
  score: { pass: 90, warn: 75 },
  abortOnBreach: true,
  ...over,
});
const promProbe = (name: string, intervalMs = 5, recoveryTimeoutMs = 200): Probe => ({
  name,
  check: { type: 'prometheus', query: `probe:${name}`, max: 1 },
  intervalMs,
  successRate: 100,
  recoveryTimeoutMs,
  position: at,
});
const experiment = (over: Partial<Experiment> = {}): Experiment =>
  ({
    name: 'e1',
    index: 0,
    provider: 'litmus',
    weight: 1,
    critical: false,
    tags: [],
    probes: ['p'],
    slos: ['avail'],
    timeoutMs: 60_000,
    position: at,
    objects: [],
    blastRadius: { namespaces: [], nodeLevel: false },
    plan: { kind: 'x', targets: [] },
    ...over,
  }) as Experiment;

/** A Prometheus whose answers the test decides per query: `errors[28d]`, `errors[1m]`, `probe:p`. */
function stubProm(answer: (query: string) => PromResult): {
  client: PromClient;
  queries: string[];
} {
  const queries: string[] = [];
  return {
    queries,
    client: {
      url: 'http://prom',
      instant: (q) => {
        queries.push(q);
        return Promise.resolve(answer(q));
      },
    },
  };
}
const value = (v: number): PromResult => ({
  kind: 'value',
  value: v,
  labels: {},
  series: 1,
  at: new Date(),
});

function logger(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    info: (m) => infos.push(m),
    warning: (m) => warnings.push(m),
    problem: (i) => warnings.push(i.message),
    debug: () => undefined,
    group: (_n, fn) => fn(),
  };
}

function monitor(answer: (q: string) => PromResult, g: Gates = gates(), slos = [slo()]) {
  const prom = stubProm(answer);
  const log = logger();
  const m = new RunMonitor({
    slos: Object.fromEntries(slos.map((s) => [s.name, s])),
    probes: { p: promProbe('p') },
    gates: g,
    prometheus: () => prom.client,
    log,
  });
  return { m, prom, log };
}

describe('preflight', () => {
  test.each<[string, number, number, string, RegExp]>([
    ['budget fine, steady', 0.0005, 0.5, 'run', /^$/],
    [
      'budget fine, probe fails',
      0.0005,
      2,
      'error',
      /^steady state not met before chaos: p: 2 is above the maximum 1$/,
    ],
    [
      'budget low, probe fails: skip wins',
      0.0009,
      2,
      'skip',
      /^error budget too low: avail: 10% of the error budget remains/,
    ],
  ])('%s', async (_n, ratio, probeValue, decision, reason) => {
    const { m, prom } = monitor((q) => (q === 'errors[28d]' ? value(ratio) : value(probeValue)));
    const pf = await m.preflight([experiment()]);
    expect(pf.decision).toBe(decision);
    expect(pf.reason).toMatch(reason);
    expect(prom.queries.sort()).toEqual(['errors[28d]', 'probe:p']);
    expect(m.lastPreflight).toBe(pf);
  });

  test('low budget with onLowBudget fail beats everything', async () => {
    const { m } = monitor(
      (q) => (q === 'errors[28d]' ? value(0.0009) : value(2)),
      gates({ preflight: { minBudgetRemaining: 25, onLowBudget: 'fail' } }),
    );
    expect((await m.preflight([experiment()])).decision).toBe('fail');
  });

  test('only the SLOs and probes of the selected experiments are read', async () => {
    const { m, prom } = monitor(() => value(0), gates(), [
      slo(),
      slo({ name: 'other', errorRatioQuery: 'other[$window]' }),
    ]);
    await m.preflight([experiment({ slos: ['avail'], probes: [] })]);
    expect(prom.queries).toEqual(['errors[28d]']);
  });
});

describe('during an experiment', () => {
  const control = () => {
    const calls: string[] = [];
    return {
      calls,
      stopExperiment: (msg: string) => calls.push(`experiment: ${msg}`),
      stopSuite: (msg: string) => calls.push(`suite: ${msg}`),
    };
  };
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  test('a breach with abortOnBreach stops the experiment and the suite once, then keeps measuring', async () => {
    const { m, log } = monitor((q) => (q === 'errors[1m]' ? value(0.05) : value(0.5)));
    const c = control();
    const w = m.watch(experiment(), c);
    w.startDuring();
    await until(() => w.result().burn[0]!.samples >= 3);
    await w.endDuring();
    expect(c.calls).toEqual([
      'experiment: aborted: gate breached: avail: burning the error budget at 50x, above the maximum 14.4x',
      'suite: the suite stopped: e1 breached a gate: avail: burning the error budget at 50x, above the maximum 14.4x',
    ]);
    const r = w.result();
    expect(r.breach?.reason).toBe(
      'avail: burning the error budget at 50x, above the maximum 14.4x',
    );
    expect(r.burn[0]).toMatchObject({
      slo: 'avail',
      worst: { kind: 'value', value: 50 },
      limit: 14.4,
    });
    expect(log.warnings.filter((x) => x.includes('gate breached'))).toHaveLength(1);
  });

  test('abortOnBreach false: the breach is recorded and chaos continues', async () => {
    const { m, log } = monitor(
      (q) => (q === 'errors[1m]' ? value(0.05) : value(0.5)),
      gates({ abortOnBreach: false }),
    );
    const c = control();
    const w = m.watch(experiment(), c);
    w.startDuring();
    await until(() => w.result().burn[0]!.samples >= 2);
    await w.endDuring();
    expect(c.calls).toEqual([]);
    expect(w.result().breach).toBeDefined();
    expect(log.warnings[0]).toMatch(/abortOnBreach is false: chaos continues/);
  });

  test('burn exactly at the limit is no breach', async () => {
    const { m } = monitor((q) => (q === 'errors[1m]' ? value(0.0144) : value(0.5)));
    const c = control();
    const w = m.watch(experiment(), c);
    w.startDuring();
    await until(() => w.result().burn[0]!.samples >= 2);
    await w.endDuring();
    expect(c.calls).toEqual([]);
    expect(w.result().breach).toBeUndefined();
  });

  test.each<['fail' | 'ignore', boolean]>([
    ['fail', true],
    ['ignore', false],
  ])('a failed burn query with onNoData %s: breach %s', async (onNoData, breach) => {
    const { m } = monitor(
      (q) => (q === 'errors[1m]' ? { kind: 'error', message: 'timeout' } : value(0.5)),
      gates(),
      [slo({ onNoData })],
    );
    const c = control();
    const w = m.watch(experiment(), c);
    w.startDuring();
    await until(() => w.result().burn[0]!.samples >= 1);
    await w.endDuring();
    expect(Boolean(w.result().breach)).toBe(breach);
    if (breach)
      expect(w.result().breach?.reason).toMatch(
        /no burn-rate data \(the error-ratio query failed: timeout\)/,
      );
  });

  test('probe samples during chaos are summarised and judged against successRate', async () => {
    let n = 0;
    const { m } = monitor((q) => (q === 'probe:p' ? value(++n % 2 ? 0.5 : 3) : value(0)));
    const w = m.watch(experiment(), control());
    w.startDuring();
    await until(() => w.result().probes[0]!.summary.during.count >= 4);
    await w.endDuring();
    const p = w.result().probes[0]!;
    expect(p.summary.during.passes).toBeGreaterThan(0);
    expect(p.summary.during.passes).toBeLessThan(p.summary.during.count);
    expect(p.tolerance.met).toBe(false);
    expect(p.summary.during.firstFailure?.reason).toBe('3 is above the maximum 1');
  });
});

describe('recovery', () => {
  test('three passing samples in a row end the wait', async () => {
    let n = 0;
    const { m } = monitor((q) => (q === 'probe:p' ? value(++n >= 3 ? 0 : 5) : value(0)));
    const w = m.watch(experiment({ slos: [] }), {
      stopExperiment: () => undefined,
      stopSuite: () => undefined,
    });
    const rec = await w.recover();
    expect(rec?.recovered).toBe(true);
    const after = w.result().probes[0]!.summary.after;
    expect(after).toMatchObject({ count: 5, passes: 3 });
    expect(w.result().recovery).toEqual(rec);
  });

  test('not holding again within recoveryTimeout is reported with the last failure', async () => {
    const { m } = monitor(() => value(5));
    const w = m.watch(experiment({ slos: [] }), {
      stopExperiment: () => undefined,
      stopSuite: () => undefined,
    });
    const rec = await w.recover();
    expect(rec).toEqual({
      recovered: false,
      reason: 'not recovered within 200ms: last failure: 5 is above the maximum 1',
    });
  });

  test('a cancelled run stops waiting for recovery at once', async () => {
    const { m } = monitor(() => value(5));
    const w = m.watch(experiment({ slos: [] }), {
      stopExperiment: () => undefined,
      stopSuite: () => undefined,
    });
    const ac = new AbortController();
    const pending = w.recover(ac.signal);
    ac.abort();
    expect(await pending).toEqual({
      recovered: false,
      reason: 'not measured: the run was stopped',
    });
  });

  test('an experiment without probes has no recovery to measure', async () => {
    const { m } = monitor(() => value(0));
    const w = m.watch(experiment({ probes: [] }), {
      stopExperiment: () => undefined,
      stopSuite: () => undefined,
    });
    expect(await w.recover()).toBeUndefined();
  });
});

describe('budget consumed by the run', () => {
  test('measured over the run, at least one minute, at its end', async () => {
    const { m, prom } = monitor(
      () => value(0.02),
      gates({ budget: { maxConsumed: 10, warnConsumed: 0.001 } }),
      [slo({ windowMs: 3_600_000 })],
    );
    const report = await m.budget([experiment()], 1_000_000, 1_030_000);
    // 2% errors over 1 min against 0.1% allowed over 1 h: 0.02 * 60 / (0.001 * 3600) = 33.3%.
    expect(prom.queries).toEqual(['errors[1m]']);
    expect(report.slos[0]).toMatchObject({ result: 'fail', limit: 10 });
    expect(report.worstConsumed).toEqual({ kind: 'value', value: 33.3333333333 });
    const longer = await m.budget([experiment()], 1_000_000, 1_000_000 + 90_500);
    expect(prom.queries[1]).toBe('errors[91s]');
    expect(longer.worstConsumed).toEqual({ kind: 'value', value: 50.5555555556 });
  });
});
