/**
 * The simulated Chaos Mesh controller (src/sim/kube/chaos-mesh-controller.ts), driven through the
 * object store only, with the upstream examples (test/data/upstream/chaos-mesh) as inputs. Every
 * write, the controller's status writes included, is validated against the upstream CRD schemas,
 * and a field the schema does not declare (which the API server would silently prune) fails it.
 * No timing asserts: every step is awaited on store events.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { asArray, dig, isKubeObject, isRecord, type KubeObject } from '../src/kube/object.js';
import { seedApp } from '../src/sim/kube/app.js';
import {
  CLEAN_FINALIZER_ANNOTATION,
  PAUSE_ANNOTATION,
  RECORDS_FINALIZER,
} from '../src/sim/kube/chaos-mesh-chaos.js';
import { ChaosMeshControllerSim } from '../src/sim/kube/chaos-mesh-controller.js';
import { applyMode, selectPods } from '../src/sim/kube/chaos-mesh-select.js';
import { parseGoDuration } from '../src/sim/kube/go-duration.js';
import { WORKFLOW_ABORT_ANNOTATION } from '../src/sim/kube/chaos-mesh-workflow.js';
import { crdServing, schemaValidator, selectCrds, unknownFields } from '../src/sim/kube/crds.js';
import { finalizersOf } from '../src/sim/kube/meta.js';
import {
  ObjectStore,
  resourceKey,
  type ResourceType,
  type StatusCause,
} from '../src/sim/kube/store.js';
import { waitFor, waitForObject } from '../src/sim/kube/wait.js';

const DATA = path.join(import.meta.dirname, 'data/upstream/chaos-mesh/examples');
const NS = 'tidb';

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
const NAMESPACES = core('namespaces', 'Namespace', false, true);
const PODS = core('pods', 'Pod', true, true);
const EVENTS = core('events', 'Event', true, false);

/** The upstream CRDs, and a validator that also rejects what pruning would drop. */
const SERVED = selectCrds([
  'podchaos',
  'networkchaos',
  'stresschaos',
  'workflows',
  'workflownodes',
  'statuschecks',
]).map((crd) => {
  const { resource, schema } = crdServing(crd);
  return { resource, schema, validate: schemaValidator(schema) };
});
const res = (plural: string): ResourceType => {
  const s = SERVED.find((x) => x.resource.plural === plural);
  if (!s) throw new Error(plural);
  return s.resource;
};
const PODCHAOS = res('podchaos');
const NETWORKCHAOS = res('networkchaos');
const STRESSCHAOS = res('stresschaos');
const WORKFLOWS = res('workflows');
const NODES = res('workflownodes');
const STATUSCHECKS = res('statuschecks');

function strictValidator(r: ResourceType, obj: KubeObject): StatusCause[] {
  const s = SERVED.find((x) => resourceKey(x.resource) === resourceKey(r));
  if (!s) return [];
  const unknown = unknownFields(obj, s.schema).map((field) => ({
    reason: 'FieldValueInvalid',
    message: 'field not declared in the schema (would be pruned)',
    field,
  }));
  return [...unknown, ...s.validate(obj)];
}

function load(file: string): KubeObject {
  const doc: unknown = parse(readFileSync(path.join(DATA, file), 'utf8'));
  if (!isKubeObject(doc)) throw new Error(`${file} is not a Kubernetes object`);
  return doc;
}

// Compile every schema now (Ajv compiles on first use), not inside a test's scaled deadlines.
beforeAll(() => {
  for (const s of SERVED)
    s.validate({
      apiVersion: `${s.resource.group}/${s.resource.version}`,
      kind: s.resource.kind,
      metadata: {},
    });
});

let store: ObjectStore;
let sim: ChaosMeshControllerSim;
let tikv: KubeObject[];

beforeEach(() => {
  store = new ObjectStore();
  for (const r of [NAMESPACES, PODS, EVENTS, ...SERVED.map((s) => s.resource)])
    store.addResource(r);
  store.validator = strictValidator;
  tikv = seedApp(store, {
    namespace: NS,
    name: 'basic-tikv',
    labels: { 'app.kubernetes.io/component': 'tikv' },
    replicas: 3,
    containers: ['tikv', 'sidecar'],
  });
  seedApp(store, {
    namespace: NS,
    name: 'hello-kubernetes',
    labels: { app: 'hello-kubernetes' },
    replicas: 2,
  });
  sim = new ChaosMeshControllerSim(store, { timeScale: 0.005 });
  sim.start();
});

afterEach(() => {
  sim.stop();
  expect(sim.errors()).toEqual([]);
});

function conditions(o: KubeObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of asArray(dig(o, 'status', 'conditions')))
    if (isRecord(c)) out[String(c.type)] = String(c.status);
  return out;
}
function condition(o: KubeObject | undefined, type: string): Record<string, unknown> | undefined {
  return asArray(dig(o, 'status', 'conditions'))
    .filter(isRecord)
    .find((c) => c.type === type);
}
const records = (o: KubeObject | undefined): Record<string, unknown>[] =>
  asArray(dig(o, 'status', 'experiment', 'containerRecords')).filter(isRecord);
const desiredPhase = (o: KubeObject | undefined): unknown =>
  dig(o, 'status', 'experiment', 'desiredPhase');

async function waitObj(
  r: ResourceType,
  name: string,
  what: string,
  pred: (o: KubeObject | undefined) => boolean,
): Promise<KubeObject | undefined> {
  return waitForObject(store, r, NS, name, pred, { what });
}

function eventsFor(name: string): { reason: string; message: string; type: string }[] {
  return store
    .list(EVENTS, { namespace: NS })
    .filter((e) => dig(e, 'involvedObject', 'name') === name)
    .map((e) => ({ reason: String(e.reason), message: String(e.message), type: String(e.type) }));
}

function quiet(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('selection and durations', () => {
  test('Go durations', () => {
    expect(parseGoDuration('10s')).toBe(10_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('100ms')).toBe(100);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-2s')).toBe(-2_000);
    for (const bad of ['', '10', '1d', '5 s', 's']) expect(parseGoDuration(bad)).toBeUndefined();
  });

  test('modes pick one, all, fixed, fixed-percent or at most random-max-percent of the pods', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(applyMode(items, 'one', undefined)).toHaveLength(1);
    expect(applyMode(items, 'all', undefined)).toEqual(items);
    expect(applyMode(items, 'fixed', '3')).toHaveLength(3);
    expect(applyMode(items, 'fixed-percent', '50')).toHaveLength(5);
    expect(applyMode(items, 'random-max-percent', '30').length).toBeLessThanOrEqual(3);
    expect(applyMode(items, 'fixed', 'x')).toEqual([]);
  });

  test('selectors: namespaces default to the object, expressions, the pods map, phases', () => {
    const names = (pods: KubeObject[]): string[] => pods.map((p) => p.metadata.name ?? '').sort();
    const all = names(tikv);
    const tikvSelector = { labelSelectors: { 'app.kubernetes.io/component': 'tikv' } };
    expect(names(selectPods(store, NS, tikvSelector))).toEqual(all);
    expect(selectPods(store, 'elsewhere', tikvSelector)).toEqual([]);
    const hello = { key: 'app', operator: 'In', values: ['hello-kubernetes'] };
    expect(selectPods(store, 'x', { namespaces: [NS], expressionSelectors: [hello] })).toHaveLength(
      2,
    );
    expect(names(selectPods(store, 'x', { pods: { [NS]: [all[0]] } }))).toEqual([all[0]]);
    expect(selectPods(store, NS, { podPhaseSelectors: ['Pending'] })).toEqual([]);
  });
});

describe('ChaosMeshControllerSim: chaos kinds', () => {
  test('NetworkChaos with a duration: Selected → AllInjected → Stop → AllRecovered, then delete', async () => {
    const seen: string[] = [];
    store.subscribe((e) => {
      if (e.resource !== NETWORKCHAOS) return;
      const c = conditions(e.object);
      const step = `${String(desiredPhase(e.object))} S=${c.Selected} I=${c.AllInjected} R=${c.AllRecovered}`;
      if (c.Selected && seen[seen.length - 1] !== step) seen.push(step);
    });
    store.create(NETWORKCHAOS, NS, load('network-delay-example.yaml'));

    const injected = await waitObj(
      NETWORKCHAOS,
      'network-delay-example',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    expect(finalizersOf(injected!)).toEqual([RECORDS_FINALIZER]);
    expect(desiredPhase(injected)).toBe('Run');
    const [rec] = records(injected);
    expect(records(injected)).toHaveLength(1); // mode: one
    expect(tikv.map((p) => `${NS}/${p.metadata.name}`)).toContain(rec?.id);
    expect(rec).toMatchObject({
      selectorKey: '.',
      phase: 'Injected',
      injectedCount: 1,
      recoveredCount: 0,
    });
    expect(rec?.events).toEqual([
      { type: 'Succeeded', operation: 'Apply', timestamp: expect.any(String) },
    ]);
    expect(sim.activeChaos()).toEqual([
      `NetworkChaos ${NS}/network-delay-example ${String(rec?.id)}`,
    ]);

    const done = await waitObj(
      NETWORKCHAOS,
      'network-delay-example',
      'Stop + AllRecovered',
      (o) => desiredPhase(o) === 'Stop' && conditions(o).AllRecovered === 'True',
    );
    expect(conditions(done)).toEqual({
      Selected: 'True',
      AllInjected: 'False',
      AllRecovered: 'True',
      Paused: 'False',
    });
    expect(records(done)[0]).toMatchObject({
      phase: 'Not Injected',
      injectedCount: 1,
      recoveredCount: 1,
    });
    expect(asArray(records(done)[0]?.events).map((e) => dig(e, 'operation'))).toEqual([
      'Apply',
      'Recover',
    ]);
    expect(seen).toEqual([
      'Run S=True I=False R=True',
      'Run S=True I=True R=False',
      'Stop S=True I=True R=False',
      'Stop S=True I=False R=True',
    ]);
    expect(sim.activeChaos()).toEqual([]);
    expect(eventsFor('network-delay-example').map((e) => e.reason)).toEqual(
      expect.arrayContaining(['FinalizerInited', 'Started', 'Applied', 'TimeUp', 'Recovered']),
    );

    // Nothing more happens once recovered: no status written in a loop.
    const revision = store.currentRevision;
    await quiet();
    expect(store.currentRevision).toBe(revision);

    store.delete(NETWORKCHAOS, NS, 'network-delay-example');
    await waitObj(NETWORKCHAOS, 'network-delay-example', 'gone', (o) => o === undefined);
  });

  test('PodChaos pod-kill is one-shot: stays Run, done at AllInjected; the pod is replaced', async () => {
    store.create(PODCHAOS, NS, load('pod-kill-example.yaml'));
    const done = await waitObj(
      PODCHAOS,
      'pod-kill-example',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    const [rec] = records(done);
    const [, killed] = String(rec?.id).split('/');
    expect(store.get(PODS, NS, killed ?? '')).toBeUndefined();
    const left = store.list(PODS, {
      namespace: NS,
      labelSelector: 'app.kubernetes.io/component=tikv',
    });
    expect(left).toHaveLength(3);
    expect(sim.activeChaos()).toEqual([]);
    await quiet();
    expect(desiredPhase(store.get(PODCHAOS, NS, 'pod-kill-example'))).toBe('Run');

    store.delete(PODCHAOS, NS, 'pod-kill-example');
    await waitObj(PODCHAOS, 'pod-kill-example', 'gone', (o) => o === undefined);
  });

  test('no target: no containerRecords, Selected=False, Event Failed "no target has been selected"', async () => {
    const chaos = load('network-delay-example.yaml');
    chaos.metadata.name = 'no-target';
    chaos.spec = {
      ...chaos.spec,
      selector: { labelSelectors: { 'app.kubernetes.io/component': 'pd' } },
    };
    delete chaos.spec.duration; // keeps desiredPhase Run whatever the machine's speed
    store.create(NETWORKCHAOS, NS, chaos);
    await waitFor(
      store,
      () =>
        eventsFor('no-target').find(
          (e) => e.reason === 'Failed' && e.message.includes('no target has been selected'),
        ),
      { what: 'the Failed event' },
    );
    const o = store.get(NETWORKCHAOS, NS, 'no-target');
    expect(conditions(o)).toEqual({
      Selected: 'False',
      AllInjected: 'False',
      AllRecovered: 'False',
      Paused: 'False',
    });
    expect(dig(o, 'status', 'experiment')).toEqual({ desiredPhase: 'Run' });
    expect(eventsFor('no-target').find((e) => e.reason === 'Failed')?.type).toBe('Warning');
  });

  test('pause annotation: Stop → recovered → Paused=True; "false" resumes and injects again', async () => {
    const chaos = load('network-delay-example.yaml');
    chaos.metadata.name = 'pausable';
    delete chaos.spec?.duration;
    store.create(NETWORKCHAOS, NS, chaos);
    await waitObj(
      NETWORKCHAOS,
      'pausable',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    const annotate = (value: string): void => {
      store.mutate(NETWORKCHAOS, NS, 'pausable', (o) => {
        o.metadata.annotations = { ...o.metadata.annotations, [PAUSE_ANNOTATION]: value };
      });
    };
    annotate('true');
    const paused = await waitObj(
      NETWORKCHAOS,
      'pausable',
      'paused and recovered',
      (o) => conditions(o).AllRecovered === 'True',
    );
    expect(desiredPhase(paused)).toBe('Stop');
    expect(conditions(paused).Paused).toBe('True');
    expect(sim.activeChaos()).toEqual([]);
    annotate('false');
    const resumed = await waitObj(
      NETWORKCHAOS,
      'pausable',
      'injected again',
      (o) => conditions(o).AllInjected === 'True',
    );
    expect(conditions(resumed).Paused).toBe('False');
    expect(records(resumed)[0]).toMatchObject({ injectedCount: 2, recoveredCount: 1 });
  });

  test('delete waits for recovery before the finalizer goes', async () => {
    sim.scenario('slow', { slowRecoveryMs: 4_000 });
    const chaos = load('network-delay-example.yaml');
    chaos.metadata.name = 'slow-recovery';
    chaos.spec = { ...chaos.spec, mode: 'all' };
    delete chaos.spec.duration;
    store.create(NETWORKCHAOS, NS, chaos);
    await waitObj(
      NETWORKCHAOS,
      'slow-recovery',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    expect(sim.activeChaos()).toHaveLength(3);
    let lastState: KubeObject | undefined;
    store.subscribe((e) => {
      if (e.resource === NETWORKCHAOS && e.type === 'DELETED') lastState = e.object;
    });
    store.delete(NETWORKCHAOS, NS, 'slow-recovery');
    const deleting = store.get(NETWORKCHAOS, NS, 'slow-recovery');
    expect(dig(deleting, 'metadata', 'deletionTimestamp')).toEqual(expect.any(String));
    expect(records(deleting).every((r) => r.phase === 'Injected')).toBe(true);
    await waitObj(NETWORKCHAOS, 'slow-recovery', 'gone', (o) => o === undefined);
    expect(records(lastState).map((r) => r.phase)).toEqual([
      'Not Injected',
      'Not Injected',
      'Not Injected',
    ]);
    expect(desiredPhase(lastState)).toBe('Stop');
    expect(sim.activeChaos()).toEqual([]);
  });

  test('stuck finalizer: recovered but never removed; the forced cleanFinalizer annotation drops it', async () => {
    sim.scenario('sticky', { stuckFinalizer: true });
    const chaos = load('network-delay-example.yaml');
    chaos.metadata.name = 'sticky';
    delete chaos.spec?.duration;
    store.create(NETWORKCHAOS, NS, chaos);
    await waitObj(
      NETWORKCHAOS,
      'sticky',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    store.delete(NETWORKCHAOS, NS, 'sticky');
    const stuck = await waitObj(
      NETWORKCHAOS,
      'sticky',
      'recovered',
      (o) => conditions(o).AllRecovered === 'True',
    );
    await quiet();
    expect(finalizersOf(store.get(NETWORKCHAOS, NS, 'sticky')!)).toEqual([RECORDS_FINALIZER]);
    expect(desiredPhase(stuck)).toBe('Stop');
    store.mutate(NETWORKCHAOS, NS, 'sticky', (o) => {
      o.metadata.annotations = {
        ...o.metadata.annotations,
        [CLEAN_FINALIZER_ANNOTATION]: 'forced',
      };
    });
    await waitObj(NETWORKCHAOS, 'sticky', 'gone', (o) => o === undefined);
  });

  test('injectFail: record events Failed, an Event Failed, never AllInjected', async () => {
    sim.scenario('broken', { injectFail: true });
    const chaos = load('network-delay-example.yaml');
    chaos.metadata.name = 'broken-delay';
    store.create(NETWORKCHAOS, NS, chaos);
    const failed = await waitObj(NETWORKCHAOS, 'broken-delay', 'a failed apply', (o) =>
      asArray(records(o)[0]?.events).some((e) => dig(e, 'type') === 'Failed'),
    );
    expect(records(failed)[0]).toMatchObject({ phase: 'Not Injected', injectedCount: 0 });
    expect(asArray(records(failed)[0]?.events)[0]).toMatchObject({
      type: 'Failed',
      operation: 'Apply',
      message: expect.any(String),
    });
    expect(
      eventsFor('broken-delay').some(
        (e) => e.reason === 'Failed' && e.message.startsWith('Failed to apply chaos'),
      ),
    ).toBe(true);
    // The duration ends the experiment; nothing was ever injected.
    const done = await waitObj(
      NETWORKCHAOS,
      'broken-delay',
      'Stop',
      (o) => desiredPhase(o) === 'Stop',
    );
    expect(conditions(done).AllInjected).toBe('False');
    expect(sim.activeChaos()).toEqual([]);
  });

  test('container-level chaos: StressChaos records are <ns>/<pod>/<container>', async () => {
    store.create(STRESSCHAOS, NS, {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'StressChaos',
      metadata: { name: 'burn-cpu' },
      spec: {
        mode: 'all',
        selector: { labelSelectors: { 'app.kubernetes.io/component': 'tikv' } },
        containerNames: ['tikv'],
        stressors: { cpu: { workers: 1, load: 50 } },
        duration: '5s',
      },
    });
    const injected = await waitObj(
      STRESSCHAOS,
      'burn-cpu',
      'AllInjected',
      (o) => conditions(o).AllInjected === 'True',
    );
    expect(
      records(injected)
        .map((r) => r.id)
        .sort(),
    ).toEqual(tikv.map((p) => `${NS}/${p.metadata.name}/tikv`).sort());
    await waitObj(
      STRESSCHAOS,
      'burn-cpu',
      'recovered',
      (o) => conditions(o).AllRecovered === 'True' && desiredPhase(o) === 'Stop',
    );
  });
});

describe('ChaosMeshControllerSim: workflows', () => {
  /** Keeps the last state of every StatusCheck (they are deleted once their node is finished). */
  function captureStatusChecks(): Map<string, KubeObject> {
    const seen = new Map<string, KubeObject>();
    store.subscribe((e) => {
      if (e.resource === STATUSCHECKS && e.type !== 'DELETED')
        seen.set(e.object.metadata.name ?? '', e.object);
    });
    return seen;
  }
  const nodeFor = (template: string): KubeObject | undefined =>
    store.list(NODES, { namespace: NS }).find((n) => n.spec?.templateName === template);

  test('StatusCheck success: nodes, StatusCheck CR, NetworkChaos owned by its node; Accomplished, no abort', async () => {
    const statusChecks = captureStatusChecks();
    const chaosNames = new Set<string>();
    store.subscribe((e) => {
      if (e.resource === NETWORKCHAOS) chaosNames.add(e.object.metadata.name ?? '');
    });
    store.create(WORKFLOWS, NS, load('workflow-status-check.yaml'));
    const wf = await waitObj(
      WORKFLOWS,
      'try-workflow-status-check',
      'Accomplished',
      (o) => conditions(o).Accomplished === 'True',
    );
    expect(conditions(wf)).toEqual({ Scheduled: 'True', Accomplished: 'True' });
    expect(dig(wf, 'status', 'endTime')).toEqual(expect.any(String));
    expect(dig(wf, 'status', 'startTime')).toEqual(expect.any(String));
    expect(wf?.metadata.annotations?.[WORKFLOW_ABORT_ANNOTATION]).toBeUndefined();

    const entry = nodeFor('the-entry');
    expect(dig(wf, 'status', 'entryNode')).toBe(entry?.metadata.name);
    expect(entry?.metadata.name).toMatch(/^the-entry-[a-z0-9]{5}$/);
    expect(entry?.metadata.labels).toEqual({
      'chaos-mesh.org/workflow': 'try-workflow-status-check',
      'chaos-mesh.org/controlled-by': 'try-workflow-status-check',
    });
    expect(conditions(entry)).toMatchObject({ Accomplished: 'True', Aborted: 'False' });
    expect(asArray(dig(entry, 'status', 'finishedChildren'))).toHaveLength(2);

    const checkNode = nodeFor('workflow-status-check');
    expect(checkNode?.metadata.labels?.['chaos-mesh.org/controlled-by']).toBe(entry?.metadata.name);
    expect(condition(checkNode, 'DeadlineExceed')).toEqual({
      type: 'DeadlineExceed',
      status: 'True',
      reason: 'NodeDeadlineExceed',
    });
    expect(conditions(checkNode).Aborted).toBe('False');

    // Continuous mode, no duration: never Completed, probed until its node's deadline; then deleted.
    const [sc] = [...statusChecks.values()];
    expect(sc?.metadata.labels).toEqual({
      'chaos-mesh.org/controlled-by': checkNode?.metadata.name,
      'chaos-mesh.org/workflow': 'try-workflow-status-check',
    });
    expect(
      asArray(dig(sc, 'status', 'records')).every((r) => dig(r, 'outcome') === 'Success'),
    ).toBe(true);
    expect(conditions(sc)).toEqual({
      Completed: 'False',
      DurationExceed: 'False',
      FailureThresholdExceed: 'False',
      SuccessThresholdExceed: 'True',
    });
    await waitFor(store, () => store.list(STATUSCHECKS, { namespace: NS }).length === 0, {
      what: 'StatusCheck deletion',
    });

    const chaosNode = nodeFor('workflow-network-chaos');
    expect(conditions(chaosNode)).toMatchObject({ DeadlineExceed: 'True' });
    const [chaosName] = [...chaosNames];
    expect(chaosName).toMatch(new RegExp(`^${String(chaosNode?.metadata.name)}-`));
    // The chaos object is deleted (after recovery) once its node is finished.
    await waitObj(NETWORKCHAOS, chaosName ?? '', 'gone', (o) => o === undefined);
    await waitObj(
      NODES,
      chaosNode?.metadata.name ?? '',
      'ChaosCRNotExists',
      (o) => dig(condition(o, 'ChaosInjected'), 'reason') === 'ChaosCRNotExists',
    );
    expect(sim.activeChaos()).toEqual([]);

    // The entry's own deadline (240s) still fires after it was Accomplished; then all is quiet.
    const late = await waitObj(NODES, entry?.metadata.name ?? '', 'its deadline', (o) =>
      Boolean(condition(o, 'DeadlineExceed')?.status === 'True'),
    );
    expect(condition(late, 'DeadlineExceed')?.reason).toBe('NodeDeadlineOmitted');
    const revision = store.currentRevision;
    await quiet();
    expect(store.currentRevision).toBe(revision);
  });

  test('StatusCheck failure with abortWithStatusCheck: node Aborted, workflow abort annotation, others Aborted', async () => {
    sim.scenario('failing-', { statusCheck: 'failure' });
    const statusChecks = captureStatusChecks();
    const wfBody = load('workflow-status-check.yaml');
    wfBody.metadata.name = 'failing-wf';
    for (const t of asArray(wfBody.spec?.templates).filter(isRecord))
      if (t.templateType === 'StatusCheck') {
        t.abortWithStatusCheck = true;
        t.statusCheck = { ...(isRecord(t.statusCheck) ? t.statusCheck : {}), intervalSeconds: 1 };
        t.deadline = '10m'; // only the abort can finish it
      } else if (t.templateType === 'NetworkChaos') t.deadline = '10m';
    store.create(WORKFLOWS, NS, wfBody);

    const wf = await waitObj(
      WORKFLOWS,
      'failing-wf',
      'Accomplished',
      (o) => conditions(o).Accomplished === 'True',
    );
    await waitObj(
      WORKFLOWS,
      'failing-wf',
      'abort annotation',
      (o) => o?.metadata.annotations?.[WORKFLOW_ABORT_ANNOTATION] === 'true',
    );
    expect(dig(wf, 'status', 'endTime')).toEqual(expect.any(String));

    const checkNode = nodeFor('workflow-status-check');
    expect(condition(checkNode, 'Aborted')).toEqual({
      type: 'Aborted',
      status: 'True',
      reason: 'StatusCheckNotExceedSuccessThreshold',
    });
    expect(condition(checkNode, 'Accomplished')).toEqual({
      type: 'Accomplished',
      status: 'True',
      reason: 'StatusCheckCompleted',
    });
    const entry = nodeFor('the-entry');
    expect(condition(entry, 'Aborted')).toEqual({
      type: 'Aborted',
      status: 'True',
      reason: 'WorkflowAborted',
    });
    const chaosNode = await waitObj(
      NODES,
      nodeFor('workflow-network-chaos')?.metadata.name ?? '',
      'aborted',
      (o) => conditions(o).Aborted === 'True',
    );
    expect(condition(chaosNode, 'Aborted')).toEqual({
      type: 'Aborted',
      status: 'True',
      reason: 'ParentNodeAborted',
    });

    const [sc] = [...statusChecks.values()];
    expect(condition(sc, 'Completed')).toMatchObject({
      status: 'True',
      reason: 'StatusCheckFailureThresholdExceed',
    });
    expect(conditions(sc)).toMatchObject({
      FailureThresholdExceed: 'True',
      SuccessThresholdExceed: 'False',
    });
    expect(asArray(dig(sc, 'status', 'records')).map((r) => dig(r, 'outcome'))).toEqual([
      'Failure',
      'Failure',
      'Failure',
    ]);
    expect(dig(sc, 'status', 'count')).toBe(3);
    expect(dig(sc, 'status', 'completionTime')).toEqual(expect.any(String));

    await waitFor(store, () => store.list(NETWORKCHAOS, { namespace: NS }).length === 0, {
      what: 'chaos deleted',
    });
    expect(sim.activeChaos()).toEqual([]);
  });

  test('a Serial entry past its deadline: DeadlineExceed, passed on to the running child, the next never starts', async () => {
    store.create(WORKFLOWS, NS, {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'short' },
      spec: {
        entry: 'entry',
        templates: [
          {
            name: 'entry',
            templateType: 'Serial',
            deadline: '30s',
            children: ['long-delay', 'after'],
          },
          {
            name: 'long-delay',
            templateType: 'NetworkChaos',
            deadline: '10m',
            networkChaos: {
              action: 'delay',
              mode: 'all',
              selector: { labelSelectors: { app: 'hello-kubernetes' } },
              delay: { latency: '90ms' },
            },
          },
          { name: 'after', templateType: 'Suspend', deadline: '1s' },
        ],
      },
    });
    await waitObj(WORKFLOWS, 'short', 'Accomplished', (o) => conditions(o).Accomplished === 'True');
    const entry = nodeFor('entry');
    expect(condition(entry, 'DeadlineExceed')).toEqual({
      type: 'DeadlineExceed',
      status: 'True',
      reason: 'NodeDeadlineExceed',
    });
    expect(conditions(entry).Accomplished).toBe('False');
    const child = nodeFor('long-delay');
    expect(condition(child, 'DeadlineExceed')).toEqual({
      type: 'DeadlineExceed',
      status: 'True',
      reason: 'ParentNodeDeadlineExceed',
    });
    expect(nodeFor('after')).toBeUndefined();
    await waitFor(store, () => store.list(NETWORKCHAOS, { namespace: NS }).length === 0, {
      what: 'chaos deleted',
    });
    expect(sim.activeChaos()).toEqual([]);
  });

  test('a Serial workflow runs its children in order and is Accomplished', async () => {
    store.create(WORKFLOWS, NS, {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'steps' },
      spec: {
        entry: 'entry',
        templates: [
          { name: 'entry', templateType: 'Serial', children: ['pause-1', 'pause-2'] },
          { name: 'pause-1', templateType: 'Suspend', deadline: '2s' },
          { name: 'pause-2', templateType: 'Suspend', deadline: '2s' },
        ],
      },
    });
    await waitObj(WORKFLOWS, 'steps', 'Accomplished', (o) => conditions(o).Accomplished === 'True');
    const first = nodeFor('pause-1');
    const second = nodeFor('pause-2');
    expect(Date.parse(String(second?.spec?.startTime))).toBeGreaterThanOrEqual(
      Date.parse(String(first?.spec?.startTime)),
    );
    expect(
      asArray(dig(nodeFor('entry'), 'status', 'finishedChildren')).map((c) => dig(c, 'name')),
    ).toEqual([first?.metadata.name, second?.metadata.name]);
  });

  test('deleting a Workflow cascades: nodes, StatusCheck and chaos (after recovery) are gone', async () => {
    const wfBody = load('workflow-status-check.yaml');
    wfBody.metadata.name = 'doomed';
    for (const t of asArray(wfBody.spec?.templates).filter(isRecord)) t.deadline = '10m';
    store.create(WORKFLOWS, NS, wfBody);
    await waitFor(
      store,
      () =>
        sim.activeChaos().length === 2 && store.list(STATUSCHECKS, { namespace: NS }).length === 1,
      {
        what: 'chaos injected and the StatusCheck created',
      },
    );
    store.delete(WORKFLOWS, NS, 'doomed');
    await waitFor(
      store,
      () =>
        store.list(NODES, { namespace: NS }).length === 0 &&
        store.list(STATUSCHECKS, { namespace: NS }).length === 0 &&
        store.list(NETWORKCHAOS, { namespace: NS }).length === 0,
      { what: 'everything owned by the workflow to be gone' },
    );
    expect(sim.activeChaos()).toEqual([]);
  });
});
