/**
 * The simulated Litmus control plane (src/sim/kube/litmus-operator.ts), driven through the object
 * store only, with the upstream chaos-charts manifests (test/data/upstream/litmus) as inputs.
 * No timing asserts: every step is awaited on store events.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { asArray, dig, isKubeObject, isRecord, type KubeObject } from '../src/kube/object.js';
import { seedApp } from '../src/sim/kube/app.js';
import { ENGINE_FINALIZER, LitmusOperatorSim } from '../src/sim/kube/litmus-operator.js';
import { finalizersOf } from '../src/sim/kube/meta.js';
import { ObjectStore, type ResourceType } from '../src/sim/kube/store.js';
import { waitFor, waitForObject } from '../src/sim/kube/wait.js';

const DATA = path.join(import.meta.dirname, 'data/upstream/litmus/examples');
const NS = 'shop';

function core(
  plural: string,
  kind: string,
  namespaced: boolean,
  statusSubresource: boolean,
): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    statusSubresource,
  };
}
function litmus(plural: string, kind: string): ResourceType {
  return {
    group: 'litmuschaos.io',
    version: 'v1alpha1',
    plural,
    kind,
    singular: kind.toLowerCase(),
    namespaced: true,
    statusSubresource: false,
  };
}
const NAMESPACES = core('namespaces', 'Namespace', false, true);
const PODS = core('pods', 'Pod', true, true);
const EVENTS = core('events', 'Event', true, false);
const ENGINES = litmus('chaosengines', 'ChaosEngine');
const EXPERIMENTS = litmus('chaosexperiments', 'ChaosExperiment');
const RESULTS = litmus('chaosresults', 'ChaosResult');

function load(file: string, vars: Record<string, string> = {}): KubeObject {
  let text = readFileSync(path.join(DATA, file), 'utf8');
  for (const [k, v] of Object.entries(vars))
    text = text.replaceAll(`{{workflow.parameters.${k}}}`, v);
  const doc: unknown = parse(text);
  if (!isKubeObject(doc)) throw new Error(`${file} is not a Kubernetes object`);
  return doc;
}

/** The upstream pod-delete engine, renamed, aimed at the seeded app, with a chaos duration. */
function podDeleteEngine(
  name: string,
  opts: { duration?: string; appinfo?: Record<string, string> } = {},
): KubeObject {
  const e = load('pod-delete.chaosengine.yaml');
  e.metadata = { name, namespace: NS };
  const spec = e.spec ?? {};
  spec.appinfo = opts.appinfo ?? { appns: NS, applabel: 'app=web', appkind: 'deployment' };
  const env = asArray(dig(spec, 'experiments', '0', 'spec', 'components', 'env')).filter(isRecord);
  for (const v of env) if (v.name === 'TOTAL_CHAOS_DURATION') v.value = opts.duration ?? '20';
  return e;
}

let store: ObjectStore;
let sim: LitmusOperatorSim;

beforeEach(() => {
  store = new ObjectStore();
  for (const r of [NAMESPACES, PODS, EVENTS, ENGINES, EXPERIMENTS, RESULTS]) store.addResource(r);
  seedApp(store, { namespace: NS, name: 'web', replicas: 3 });
  const ce = load('pod-delete.chaosexperiment.yaml');
  store.create(EXPERIMENTS, NS, ce);
  sim = new LitmusOperatorSim(store, { timeScale: 0.005 });
  sim.start();
});

afterEach(() => {
  sim.stop();
  expect(sim.errors()).toEqual([]);
});

const engineOf = (name: string): KubeObject | undefined => store.get(ENGINES, NS, name);
const engineStatus = (o: KubeObject | undefined): unknown => dig(o, 'status', 'engineStatus');

function waitEngine(
  name: string,
  what: string,
  pred: (o: KubeObject | undefined) => boolean,
): Promise<KubeObject | undefined> {
  return waitForObject(store, ENGINES, NS, name, pred, { what });
}

async function waitResult(
  name: string,
  what: string,
  pred: (o: KubeObject) => boolean,
): Promise<KubeObject> {
  const r = await waitForObject(store, RESULTS, NS, name, (o) => o !== undefined && pred(o), {
    what,
  });
  if (!r) throw new Error('unreachable');
  return r;
}

/** Every distinct (status, verdict) the engine's first experiment went through. */
function recordExperimentSteps(name: string): string[] {
  const steps: string[] = [];
  store.subscribe((e) => {
    if (e.resource !== ENGINES || e.object.metadata.name !== name) return;
    const x = dig(e.object, 'status', 'experiments', '0');
    if (!isRecord(x)) return;
    const step = `${String(x.status)}/${String(x.verdict)}`;
    if (steps[steps.length - 1] !== step) steps.push(step);
  });
  return steps;
}

describe('LitmusOperatorSim', () => {
  test('a passing run: initialized, runner, experiment statuses, ChaosResult, completed + engineState stop', async () => {
    const steps = recordExperimentSteps('web-chaos-1');
    const created = store.create(ENGINES, NS, podDeleteEngine('web-chaos-1'));
    const uid = created.metadata.uid;

    const initialized = await waitEngine(
      'web-chaos-1',
      'initialized',
      (o) => engineStatus(o) === 'initialized',
    );
    expect(finalizersOf(initialized!)).toContain(ENGINE_FINALIZER);
    const runner = store.get(PODS, NS, 'web-chaos-1-runner');
    expect(runner?.metadata.labels).toMatchObject({ app: 'web-chaos-1', chaosUID: uid });

    const running = await waitResult('web-chaos-1-pod-delete', 'Running', () => true);
    expect(dig(running, 'status', 'experimentStatus')).toEqual({
      phase: 'Running',
      verdict: 'Awaited',
      probeSuccessPercentage: 'Awaited',
    });
    await waitFor(store, () => sim.activeChaos().length > 0, { what: 'chaos to be injecting' });

    const done = await waitEngine(
      'web-chaos-1',
      'completed',
      (o) => engineStatus(o) === 'completed',
    );
    expect(dig(done, 'spec', 'engineState')).toBe('stop');
    const [exp] = asArray(dig(done, 'status', 'experiments'));
    expect(exp).toMatchObject({
      name: 'pod-delete',
      runner: 'web-chaos-1-runner',
      status: 'Completed',
      verdict: 'Pass',
    });
    expect(String(dig(exp, 'experimentPod'))).toMatch(/^pod-delete-[a-z0-9]{6}-[a-z0-9]{5}$/);
    expect(steps).toEqual(['Waiting for Job Creation/N/A', 'Running/Awaited', 'Completed/Pass']);

    const result = store.get(RESULTS, NS, 'web-chaos-1-pod-delete')!;
    expect(result.metadata.labels).toMatchObject({ chaosUID: uid, name: 'pod-delete' });
    expect(result.spec).toEqual({ engine: 'web-chaos-1', experiment: 'pod-delete' });
    expect(dig(result, 'status', 'experimentStatus')).toEqual({
      phase: 'Completed',
      verdict: 'Pass',
      probeSuccessPercentage: '100',
    });
    expect(dig(result, 'status', 'history')).toMatchObject({
      passedRuns: 1,
      failedRuns: 0,
      stoppedRuns: 0,
    });
    expect(asArray(dig(result, 'status', 'history', 'targets'))).toEqual([
      expect.objectContaining({ kind: 'deployment', chaosStatus: 'reverted' }),
    ]);
    // jobCleanUpPolicy is unset (retain): the chaos pods stay; the experiment pod finished.
    const expPod = store.get(PODS, NS, String(dig(exp, 'experimentPod')));
    expect(dig(expPod, 'status', 'phase')).toBe('Succeeded');
    expect(sim.activeChaos()).toEqual([]);

    // Nothing more happens once completed: no status written in a loop.
    const revision = store.currentRevision;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(store.currentRevision).toBe(revision);
  });

  test('INSTANCE_ID names the ChaosResult <engine>-<experiment>-<instance> and sets spec.instance', async () => {
    const e = podDeleteEngine('blue-1', { duration: '1' });
    const env = asArray(dig(e, 'spec', 'experiments', '0', 'spec', 'components', 'env'));
    env.push({ name: 'INSTANCE_ID', value: 'blue' });
    store.create(ENGINES, NS, e);
    await waitEngine('blue-1', 'completed', (o) => engineStatus(o) === 'completed');
    const result = store.get(RESULTS, NS, 'blue-1-pod-delete-blue');
    expect(result?.spec).toEqual({ engine: 'blue-1', experiment: 'pod-delete', instance: 'blue' });
    expect(dig(result, 'status', 'experimentStatus', 'verdict')).toBe('Pass');
  });

  test('Fail with probes: Completed_With_Probe_Failure, the requested probeSuccessPercentage, probe verdicts', async () => {
    sim.scenario('catalogue', { verdict: 'Fail', probeSuccessPercentage: 50 });
    const engine = load('excerpts/sock-shop.pod-delete.httpProbe-cmdProbe.chaosengine.yaml', {
      adminModeNamespace: NS,
      appNamespace: NS,
    });
    engine.metadata.name = 'catalogue-pod-delete-chaos-r1';
    engine.spec = {
      ...engine.spec,
      appinfo: { appns: NS, applabel: 'app=web', appkind: 'deployment' },
    };
    store.create(ENGINES, NS, engine);
    const done = await waitEngine(
      'catalogue-pod-delete-chaos-r1',
      'completed',
      (o) => engineStatus(o) === 'completed',
    );
    expect(dig(done, 'status', 'experiments', '0', 'verdict')).toBe('Fail');
    const result = store.get(RESULTS, NS, 'catalogue-pod-delete-chaos-r1-pod-delete');
    expect(dig(result, 'status', 'experimentStatus')).toEqual({
      phase: 'Completed_With_Probe_Failure',
      verdict: 'Fail',
      probeSuccessPercentage: '50',
    });
    expect(dig(result, 'status', 'probeStatuses')).toEqual([
      {
        name: 'check-catalogue-access-url',
        type: 'httpProbe',
        mode: 'Continuous',
        status: { verdict: 'Passed' },
      },
      {
        name: 'check-benchmark',
        type: 'cmdProbe',
        mode: 'Edge',
        status: { verdict: 'Failed', description: expect.any(String) },
      },
    ]);
    expect(dig(result, 'status', 'history', 'failedRuns')).toBe(1);
  });

  test('Error: phase Error with errorOutput', async () => {
    sim.scenario('broken', {
      verdict: 'Error',
      errorCode: 'CHAOS_INJECT_ERROR',
      reason: 'helper pod failed',
    });
    store.create(ENGINES, NS, podDeleteEngine('broken-1'));
    const done = await waitEngine('broken-1', 'completed', (o) => engineStatus(o) === 'completed');
    expect(dig(done, 'status', 'experiments', '0')).toMatchObject({
      status: 'Completed',
      verdict: 'Error',
    });
    expect(
      dig(store.get(RESULTS, NS, 'broken-1-pod-delete'), 'status', 'experimentStatus'),
    ).toEqual({
      phase: 'Error',
      verdict: 'Error',
      probeSuccessPercentage: '0',
      errorOutput: { errorCode: 'CHAOS_INJECT_ERROR', reason: 'helper pod failed' },
    });
  });

  test('a missing ChaosExperiment: "ChaosExperiment Not Found" / Fail, and the engine still completes', async () => {
    const e = load('pod-network-latency.chaosengine.yaml');
    e.metadata = { name: 'latency-1', namespace: NS };
    store.create(ENGINES, NS, e);
    const done = await waitEngine('latency-1', 'completed', (o) => engineStatus(o) === 'completed');
    expect(dig(done, 'status', 'experiments', '0')).toMatchObject({
      name: 'pod-network-latency',
      status: 'ChaosExperiment Not Found',
      verdict: 'Fail',
      experimentPod: '',
    });
    expect(store.get(RESULTS, NS, 'latency-1-pod-network-latency')).toBeUndefined();
  });

  test('no target: the upstream engine as is (empty appinfo), then a label that matches nothing', async () => {
    const upstream = load('pod-delete.chaosengine.yaml');
    upstream.metadata = { name: 'nginx-chaos', namespace: NS };
    store.create(ENGINES, NS, upstream);
    store.create(
      ENGINES,
      NS,
      podDeleteEngine('nomatch-1', {
        appinfo: { appns: NS, applabel: 'app=nothing', appkind: '' },
      }),
    );
    await waitEngine('nginx-chaos', 'completed', (o) => engineStatus(o) === 'completed');
    await waitEngine('nomatch-1', 'completed', (o) => engineStatus(o) === 'completed');
    expect(
      dig(store.get(RESULTS, NS, 'nginx-chaos-pod-delete'), 'status', 'experimentStatus'),
    ).toEqual({
      phase: 'Error',
      verdict: 'Error',
      probeSuccessPercentage: '0',
      errorOutput: {
        errorCode: 'TARGET_SELECTION_ERROR',
        reason: 'provide one of the appLabel or TARGET_PODS',
      },
    });
    expect(
      dig(
        store.get(RESULTS, NS, 'nomatch-1-pod-delete'),
        'status',
        'experimentStatus',
        'errorOutput',
      ),
    ).toEqual({
      errorCode: 'TARGET_SELECTION_ERROR',
      reason: `no pod found with matching labels, target: {podLabels: app=nothing, namespace: ${NS}}`,
    });
    expect(dig(engineOf('nomatch-1'), 'status', 'experiments', '0', 'verdict')).toBe('Error');
  });

  test('abort with spec.engineState stop: Forcefully Aborted / Stopped, result Stopped, pods deleted, finalizer removed', async () => {
    sim.scenario('long', { hang: true, stopDelayMs: 2000 });
    store.create(ENGINES, NS, podDeleteEngine('long-1'));
    await waitEngine(
      'long-1',
      'experiment running',
      (o) => dig(o, 'status', 'experiments', '0', 'status') === 'Running',
    );
    await waitFor(store, () => sim.activeChaos().length === 1, { what: 'chaos to be injecting' });
    store.mutate(ENGINES, NS, 'long-1', (o) => {
      o.spec = { ...o.spec, engineState: 'stop' };
    });
    const stopped = await waitEngine('long-1', 'stopped', (o) => engineStatus(o) === 'stopped');
    expect(dig(stopped, 'status', 'experiments', '0')).toMatchObject({
      status: 'Forcefully Aborted',
      verdict: 'Stopped',
    });
    expect(finalizersOf(stopped!)).not.toContain(ENGINE_FINALIZER);
    const result = store.get(RESULTS, NS, 'long-1-pod-delete');
    expect(dig(result, 'status', 'experimentStatus')).toEqual({
      phase: 'Stopped',
      verdict: 'Stopped',
      probeSuccessPercentage: '0',
    });
    expect(dig(result, 'status', 'history', 'stoppedRuns')).toBe(1);
    expect(
      store.list(PODS, { namespace: NS, labelSelector: `chaosUID=${stopped!.metadata.uid}` }),
    ).toEqual([]);
    expect(sim.activeChaos()).toEqual([]);
  });

  test('deleting a running engine: forced abort through the finalizer, then the engine is gone', async () => {
    sim.scenario('doomed', { hang: true });
    const created = store.create(ENGINES, NS, podDeleteEngine('doomed-1'));
    await waitFor(store, () => sim.activeChaos().length === 1, { what: 'chaos to be injecting' });
    const deleting = store.delete(ENGINES, NS, 'doomed-1');
    expect(dig(deleting, 'metadata', 'deletionTimestamp')).toEqual(expect.any(String));
    await waitEngine('doomed-1', 'gone', (o) => o === undefined);
    expect(
      dig(store.get(RESULTS, NS, 'doomed-1-pod-delete'), 'status', 'experimentStatus', 'verdict'),
    ).toBe('Stopped');
    expect(
      store.list(PODS, { namespace: NS, labelSelector: `chaosUID=${created.metadata.uid}` }),
    ).toEqual([]);
    expect(sim.activeChaos()).toEqual([]);
  });

  test('stuck finalizer: the engine stays with a deletionTimestamp, stopped, finalizer kept', async () => {
    sim.scenario('sticky', { hang: true, stuckFinalizer: true });
    store.create(ENGINES, NS, podDeleteEngine('sticky-1'));
    await waitFor(store, () => sim.activeChaos().length === 1, { what: 'chaos to be injecting' });
    store.delete(ENGINES, NS, 'sticky-1');
    const stuck = await waitEngine('sticky-1', 'stopped', (o) => engineStatus(o) === 'stopped');
    expect(dig(stuck, 'metadata', 'deletionTimestamp')).toEqual(expect.any(String));
    expect(finalizersOf(stuck!)).toEqual([ENGINE_FINALIZER]);
    expect(sim.activeChaos()).toEqual([]);
    // Removing the finalizer by hand (what an operator does when the controller is gone) deletes it.
    store.mutate(ENGINES, NS, 'sticky-1', (o) => {
      (o.metadata as Record<string, unknown>).finalizers = [];
    });
    expect(engineOf('sticky-1')).toBeUndefined();
  });

  test('jobCleanUpPolicy delete removes the runner and experiment pods after completion', async () => {
    const e = podDeleteEngine('tidy-1', { duration: '1' });
    e.spec = { ...e.spec, jobCleanUpPolicy: 'delete' };
    const created = store.create(ENGINES, NS, e);
    await waitEngine('tidy-1', 'completed', (o) => engineStatus(o) === 'completed');
    await waitFor(
      store,
      () =>
        store.list(PODS, { namespace: NS, labelSelector: `chaosUID=${created.metadata.uid}` })
          .length === 0,
      { what: 'chaos pods to be deleted' },
    );
  });

  test('a ChaosResult of the same name is reused: back to Running/Awaited, new chaosUID, history grows', async () => {
    store.create(ENGINES, NS, podDeleteEngine('again', { duration: '1' }));
    await waitEngine('again', 'completed', (o) => engineStatus(o) === 'completed');
    const firstUid = engineOf('again')?.metadata.uid;
    store.delete(ENGINES, NS, 'again');
    await waitEngine('again', 'gone', (o) => o === undefined);
    // The retained runner and experiment pods were owned by the engine: garbage-collected with it.
    expect(
      store.list(PODS, { namespace: NS, labelSelector: `chaosUID=${String(firstUid)}` }),
    ).toEqual([]);
    const first = store.get(RESULTS, NS, 'again-pod-delete')!;
    expect(dig(first, 'status', 'history', 'passedRuns')).toBe(1);

    const second = store.create(ENGINES, NS, podDeleteEngine('again', { duration: '1' }));
    const reused = await waitResult(
      'again-pod-delete',
      'Running again',
      (o) => o.metadata.labels?.chaosUID === second.metadata.uid,
    );
    expect(reused.metadata.uid).toBe(first.metadata.uid);
    expect(dig(reused, 'status', 'experimentStatus', 'verdict')).toBe('Awaited');
    await waitEngine('again', 'completed', (o) => engineStatus(o) === 'completed');
    const after = store.get(RESULTS, NS, 'again-pod-delete');
    expect(dig(after, 'status', 'history')).toMatchObject({
      passedRuns: 2,
      failedRuns: 0,
      stoppedRuns: 0,
    });
  });
});
