/**
 * The orphan sweep (`chaos-gate cleanup`, `mode: cleanup`, src/sweep.ts): the selection rules as
 * tables, then against the loopback Kubernetes API (simulated Litmus and Chaos Mesh controllers)
 * and FIS with objects and experiments left behind by "dead" runs, planted with chaos-gate's
 * labels and tags as a run would have created them: by run id, by age, a stuck finalizer, a
 * namespace the suite does not allow, the CLI's exit codes and the action's `mode: cleanup`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { main as cli } from '../src/cli.js';
import type { InputName } from '../src/constants.js';
import { parseInputs, type Inputs } from '../src/inputs.js';
import { ownerLabels, RUN_LABEL } from '../src/kube/names.js';
import { isKubeObject, type KubeObject } from '../src/kube/object.js';
import { describeRef, objectRef, resourceOf, type ObjectRef } from '../src/kube/resources.js';
import type { Logger } from '../src/log.js';
import { run } from '../src/main.js';
import { fakeAction } from './support/action.js';
import { instantiate, refOf } from '../src/providers/kube-ops.js';
import { loadSuite } from '../src/suite/load.js';
import type { Suite } from '../src/suite/model.js';
import { sweep, type SweepReport } from '../src/sweep.js';
import {
  selectOrphan,
  sweepNamespaces,
  type SweepCandidate,
  type SweepScope,
} from '../src/sweep-select.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { CREDENTIALS, startFis, type TestFis } from './support/fis.js';
import { workdir, type Workdir } from './support/workdir.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');

// ---- the selection, pure ------------------------------------------------------------------

describe('selectOrphan', () => {
  const safety = { namespaces: ['shop', 'web'], protectedNamespaces: ['kube-system', 'payments'] };
  const ours = (run: string, extra: Record<string, string> = {}): Record<string, string> => ({
    ...ownerLabels(run, 'exp'),
    ...extra,
  });
  const kube = (over: Partial<SweepCandidate> = {}): SweepCandidate => ({
    what: 'PodChaos shop/kill-abcde',
    namespace: 'shop',
    labels: ours('gh-1-1'),
    createdAt: NOW - 3 * HOUR,
    ...over,
  });
  const byRun = (runId: string): SweepScope => ({ selector: { runId }, now: NOW, safety });
  const byAge = (olderThanMs: number): SweepScope => ({
    selector: { olderThanMs },
    now: NOW,
    safety,
  });

  test.each<[string, SweepCandidate, SweepScope, string]>([
    ['our object of the run', kube(), byRun('gh-1-1'), 'selected gh-1-1'],
    ['another run', kube(), byRun('gh-2-1'), 'run: belongs to run gh-1-1'],
    [
      'no managed-by label',
      kube({ labels: { [RUN_LABEL]: 'gh-1-1' } }),
      byRun('gh-1-1'),
      'not-ours: not labelled app.kubernetes.io/managed-by=chaos-gate',
    ],
    [
      'managed by someone else',
      kube({ labels: ours('gh-1-1', { 'app.kubernetes.io/managed-by': 'helm' }) }),
      byRun('gh-1-1'),
      'not-ours: not labelled app.kubernetes.io/managed-by=chaos-gate',
    ],
    [
      'managed-by but no run label',
      kube({ labels: { 'app.kubernetes.io/managed-by': 'chaos-gate' } }),
      byAge(HOUR),
      'not-ours: no chaos-gate.io/run label: not something a chaos-gate run created',
    ],
    [
      'a namespace the suite does not allow',
      kube({ namespace: 'other' }),
      byRun('gh-1-1'),
      'namespace: namespace other is not in safety.namespaces',
    ],
    [
      'a protected namespace of the suite',
      kube({ namespace: 'payments' }),
      byRun('gh-1-1'),
      'namespace: namespace payments is protected',
    ],
    [
      'kube-system, whatever the suite says',
      kube({ namespace: 'kube-system' }),
      { ...byRun('gh-1-1'), safety: { namespaces: ['kube-system'], protectedNamespaces: [] } },
      'namespace: namespace kube-system is protected',
    ],
    ['3h old, older than 2h', kube(), byAge(2 * HOUR), 'selected gh-1-1'],
    [
      '1h old, not older than 2h',
      kube({ createdAt: NOW - HOUR }),
      byAge(2 * HOUR),
      'age: created 1h ago, not older than 2h',
    ],
    [
      'exactly 2h old is not older than 2h',
      kube({ createdAt: NOW - 2 * HOUR }),
      byAge(2 * HOUR),
      'age: created 2h ago, not older than 2h',
    ],
    [
      'created in the future (clock skew)',
      kube({ createdAt: NOW + HOUR }),
      byAge(2 * HOUR),
      'age: created just now, not older than 2h',
    ],
    [
      'unknown age: left alone',
      { what: 'PodChaos shop/x', namespace: 'shop', labels: ours('gh-1-1') },
      byAge(HOUR),
      'age: its creation time is unknown',
    ],
    [
      'a run id that is not label-safe matches its label form',
      kube({ labels: ours('local run/1') }),
      byRun('local run/1'),
      'selected local-run-1',
    ],
    [
      'FIS: running experiment of the run (tags carry the id as is)',
      { what: 'FIS experiment E1', labels: ours('gh-1-1'), fisStatus: 'running' },
      byRun('gh-1-1'),
      'selected gh-1-1',
    ],
    ...(['pending', 'initiating', 'stopping'] as const).map(
      (status): [string, SweepCandidate, SweepScope, string] => [
        `FIS: ${status} is live`,
        { what: 'FIS experiment E1', labels: ours('gh-1-1'), fisStatus: status },
        byRun('gh-1-1'),
        'selected gh-1-1',
      ],
    ),
    ...(['completed', 'stopped', 'failed', 'cancelled'] as const).map(
      (status): [string, SweepCandidate, SweepScope, string] => [
        `FIS: ${status} is done with`,
        { what: 'FIS experiment E1', labels: ours('gh-1-1'), fisStatus: status },
        byRun('gh-1-1'),
        `finished: already ${status}`,
      ],
    ),
    [
      'FIS: old and running',
      { what: 'E', labels: ours('gh-1-1'), fisStatus: 'running', createdAt: NOW - 5 * HOUR },
      byAge(2 * HOUR),
      'selected gh-1-1',
    ],
  ])('%s', (_name, candidate, scope, expected) => {
    const s = selectOrphan(candidate, scope);
    expect(s.selected ? `selected ${s.runId}` : `${s.because}: ${s.reason}`).toBe(expected);
  });

  test('sweepNamespaces: the allowed ones, never a protected one', () => {
    expect(
      sweepNamespaces({
        namespaces: ['shop', 'kube-system', 'web', 'shop', 'payments'],
        protectedNamespaces: ['payments'],
      }),
    ).toEqual(['shop', 'web']);
    expect(sweepNamespaces({ namespaces: [], protectedNamespaces: [] })).toEqual([]);
  });
});

// ---- against the loopback cluster and FIS -------------------------------------------------

function manifest(file: string): KubeObject {
  const [o] = parseAllDocuments(readFileSync(path.join(RUN_DATA, file), 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter(isKubeObject);
  if (!o) throw new Error(`no object in ${file}`);
  return o;
}

interface Recorded {
  log: Logger;
  lines: string[];
  text(): string;
}

function recorder(): Recorded {
  const lines: string[] = [];
  return {
    lines,
    text: () => lines.join('\n'),
    log: {
      info: (m) => lines.push(m),
      warning: (m) => lines.push(`warning: ${m}`),
      problem: (i) => lines.push(`problem: ${i.message}`),
      debug: (m) => lines.push(`debug: ${m}`),
      group: (_n, fn) => fn(),
    },
  };
}

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

const RUN_A = 'gh-1001-1';
const RUN_B = 'gh-1002-1';

let wd: Workdir;
let cluster: TestCluster;
let fis: TestFis;

beforeAll(() => {
  wd = workdir();
  // Kubernetes only: shop allowed.
  wd.write('kill.yaml', readRunData('mesh/web-kill.yaml'));
  wd.write(
    'suite.yml',
    [
      'version: 1',
      'name: sweep',
      'safety: { namespaces: [shop] }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: kill.yaml }',
      '',
    ].join('\n'),
  );
  // Kubernetes and FIS.
  wd.write(
    'mixed.yml',
    [
      'version: 1',
      'name: sweep-mixed',
      'safety: { namespaces: [shop], fis: { requiredTags: { Environment: staging } } }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: kill.yaml }',
      '  - { name: az, provider: aws-fis, template: { id: EXThang01 } }',
      '',
    ].join('\n'),
  );
  // Only the namespace `other`.
  wd.write(
    'other-kill.yaml',
    readRunData('mesh/web-kill.yaml')
      .replace('namespace: shop', 'namespace: other')
      .replace('namespaces: [shop]', 'namespaces: [other]'),
  );
  wd.write(
    'other.yml',
    [
      'version: 1',
      'name: sweep-other',
      'safety: { namespaces: [other] }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: other-kill.yaml }',
      '',
    ].join('\n'),
  );
});
afterAll(() => wd.remove());

function readRunData(file: string): string {
  return readFileSync(path.join(RUN_DATA, file), 'utf8');
}

beforeEach(async () => {
  // The pod-delete ChaosExperiment is planted by the "dead" run (installed by chaos-gate).
  cluster = await startCluster({ podDeleteFault: false });
  fis = await startFis();
  // A namespace the suites (but `other.yml`) do not allow.
  const ns = cluster.server.store.resource('', 'namespaces');
  if (ns)
    cluster.server.store.create(ns, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'other' },
    });
});

afterEach(async () => {
  const left = cluster.leftovers();
  const running = fis.server.running();
  const violations = fis.server.violations;
  await fis.close();
  await cluster.close();
  // Every test removes what it planted: nothing of ours left, no FIS experiment running.
  expect(left).toEqual([]);
  expect(running).toEqual([]);
  expect(violations).toEqual([]);
});

/** Creates `file`'s object as run `runId` would have (our name suffix and labels). */
async function plant(
  file: string,
  runId: string,
  experiment: string,
  opts: { keepName?: boolean; namespace?: string } = {},
): Promise<ObjectRef> {
  const m = manifest(file);
  if (opts.namespace) m.metadata.namespace = opts.namespace;
  const o = instantiate(m, runId, experiment, opts.keepName ? { keepName: true } : {});
  const ref = refOf(o);
  await cluster.api.create(ref, ref.namespace, o);
  return ref;
}

/** Starts a FIS experiment that never ends by itself, tagged as run `runId` would have. */
async function startFisAs(runId: string, experiment: string): Promise<string> {
  const e = await fis.api.start({
    templateId: 'EXThang01',
    clientToken: `${runId}-${experiment}`,
    tags: ownerLabels(runId, experiment),
  });
  return e.id;
}

/** Backdates an object's creationTimestamp in the simulated API server's store. */
function backdate(ref: ObjectRef, ageMs: number): void {
  const objects = (cluster.server.store as unknown as { objects: Map<string, KubeObject> }).objects;
  let hit = false;
  for (const o of objects.values()) {
    if (o.kind !== ref.kind || o.metadata.namespace !== ref.namespace) continue;
    if (o.metadata.name !== ref.name) continue;
    (o.metadata as Record<string, unknown>).creationTimestamp = new Date(Date.now() - ageMs)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    hit = true;
  }
  if (!hit) throw new Error(`${describeRef(ref)} is not in the store`);
}

function backdateFis(id: string, ageMs: number): void {
  fis.server.patchExperiment(id, (e) => {
    e.creationTime = Math.round(Date.now() - ageMs) / 1000;
  });
}

async function exists(ref: ObjectRef): Promise<boolean> {
  return (await cluster.api.get(ref)) !== undefined;
}

async function fisStatus(id: string): Promise<string | undefined> {
  return (await fis.api.get(id))?.status;
}

/** Until the simulated controllers say chaos is injected (so the sweep has something to stop). */
async function injected(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (cluster.mesh.activeChaos().length + cluster.litmus.activeChaos().length >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(
    `chaos not injected in time: ${[...cluster.mesh.activeChaos(), ...cluster.litmus.activeChaos()].join(', ')}`,
  );
}

function cleanupInputs(values: Partial<Record<InputName, string>>): Inputs {
  return parseInputs((n) => ({ mode: 'cleanup', ...values })[n] ?? '', {
    mask: () => undefined,
    env: {},
  });
}

function suiteOf(file: string): Suite {
  return loadSuite(path.join(wd.dir, file), { env: {}, environment: 'staging', cwd: wd.dir });
}

async function sweepWith(
  file: string,
  values: Partial<Record<InputName, string>>,
  opts: { listOnly?: boolean; deleteTimeoutMs?: number } = {},
): Promise<{ report: SweepReport; rec: Recorded }> {
  const rec = recorder();
  const report = await sweep(
    suiteOf(file),
    cleanupInputs(values),
    {
      log: rec.log,
      env: {},
      mask: () => undefined,
      kubeApi: cluster.api,
      fis: fis.api,
      kubeOptions: { deleteTimeoutMs: opts.deleteTimeoutMs ?? 10_000 },
      fisOptions: { pollMs: { first: 10, max: 50 } },
    },
    opts.listOnly ? { listOnly: true } : {},
  );
  if (process.env.DEBUG_RUN) process.stderr.write(`${rec.text()}\n${report.message}\n`);
  return { report, rec };
}

describe('sweep', () => {
  test('--run A removes only run A: Litmus engine (stopped first), its results and the ChaosExperiment it installed, Chaos Mesh chaos and Workflow, the running FIS experiment', async () => {
    cluster.litmus.scenario('web-delete-hang', { hang: true });
    const aExperiment = await plant('litmus/pod-delete.chaosexperiment.yaml', RUN_A, 'hang', {
      keepName: true,
      namespace: 'shop',
    });
    const aEngine = await plant('litmus/web-delete-hang.yaml', RUN_A, 'hang');
    const aDelay = await plant('mesh/web-delay-long.yaml', RUN_A, 'delay');
    const aWorkflow = await plant('mesh/workflow-ok.yaml', RUN_A, 'workflow');
    const bDelay = await plant('mesh/web-delay-long.yaml', RUN_B, 'delay');
    const aFis = await startFisAs(RUN_A, 'az');
    const bFis = await startFisAs(RUN_B, 'az');
    await injected(3);
    const stops: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.type !== 'MODIFIED') return;
      const md = e.object.metadata;
      if (e.object.spec?.engineState === 'stop') stops.push(`${e.object.kind} ${md.name}`);
      if (md.annotations?.['experiment.chaos-mesh.org/pause'] === 'true')
        stops.push(`${e.object.kind} ${md.name}`);
      if (md.annotations?.['workflow.chaos-mesh.org/abort'] === 'true')
        stops.push(`${e.object.kind} ${md.name}`);
    });

    const { report, rec } = await sweepWith('mixed.yml', { 'cleanup-run': RUN_A });
    unsubscribe();

    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.found.map((o) => o.what).sort()).toEqual(
      [
        describeRef(aEngine),
        describeRef(aExperiment),
        describeRef(aDelay),
        describeRef(aWorkflow),
        `FIS experiment ${aFis} (running)`,
      ].sort(),
    );
    // Each stopped through its provider's own stop path before it was deleted.
    expect(stops).toEqual(
      expect.arrayContaining([
        `ChaosEngine ${aEngine.name}`,
        `NetworkChaos ${aDelay.name}`,
        `Workflow ${aWorkflow.name}`,
      ]),
    );
    for (const ref of [aEngine, aExperiment, aDelay, aWorkflow])
      expect(await exists(ref)).toBe(false);
    expect(report.removed).toEqual(
      expect.arrayContaining([describeRef(aEngine), describeRef(aDelay), describeRef(aWorkflow)]),
    );
    // The engine's ChaosResults (labelled with its chaosUID, not ours) went with it.
    const results = resourceOf('litmuschaos.io/v1alpha1', 'ChaosResult')!;
    expect((await cluster.api.list(results, 'shop')).items).toEqual([]);
    expect(await fisStatus(aFis)).toBe('stopped');

    // Run B is untouched and still injecting.
    expect(await exists(bDelay)).toBe(true);
    expect((await cluster.api.get(bDelay))?.metadata.annotations ?? {}).not.toHaveProperty(
      'experiment.chaos-mesh.org/pause',
    );
    expect(cluster.mesh.activeChaos().join()).toContain(bDelay.name);
    expect(await fisStatus(bFis)).toBe('running');

    const out = rec.text();
    expect(out).toContain(
      `chaos-gate cleanup: looking for what chaos-gate created of run ${RUN_A} in Kubernetes namespace shop (${cluster.api.server}) and live FIS experiments in eu-west-1.`,
    );
    expect(out).toContain('Found 5:');
    expect(out).toContain(`  ${describeRef(aEngine)} (run ${RUN_A}, experiment hang, created `);
    expect(out).toContain(`removed ${describeRef(aDelay)}`);
    expect(report.message).toBe(
      `chaos-gate cleanup: removed 5; nothing chaos-gate created of run ${RUN_A} is left.`,
    );

    // Run B next; a second sweep of A finds nothing (idempotent).
    const b = await sweepWith('mixed.yml', { 'cleanup-run': RUN_B });
    expect(b.report.exitCode).toBe(0);
    expect(b.report.found).toHaveLength(2);
    expect(await exists(bDelay)).toBe(false);
    expect(await fisStatus(bFis)).toBe('stopped');
    const again = await sweepWith('mixed.yml', { 'cleanup-run': RUN_A });
    expect(again.report.exitCode).toBe(0);
    expect(again.report.message).toContain('nothing to clean up');
  });

  test('--older-than 2h: by creationTimestamp and FIS creation time, whatever the run', async () => {
    const oldA = await plant('mesh/web-delay-long.yaml', RUN_A, 'delay');
    const oldB = await plant('mesh/web-kill.yaml', RUN_B, 'kill');
    const young = await plant('mesh/web-delay-2.yaml', RUN_B, 'delay-2');
    backdate(oldA, 3 * HOUR);
    backdate(oldB, 2 * HOUR + 60_000);
    backdate(young, HOUR);
    const oldFis = await startFisAs(RUN_A, 'az');
    const youngFis = await startFisAs(RUN_B, 'az');
    backdateFis(oldFis, 5 * HOUR);
    backdateFis(youngFis, 10 * 60_000);

    const { report, rec } = await sweepWith('mixed.yml', { 'cleanup-older-than': '2h' });
    expect(report.exitCode).toBe(0);
    expect(report.found.map((o) => o.what).sort()).toEqual(
      [describeRef(oldA), describeRef(oldB), `FIS experiment ${oldFis} (running)`].sort(),
    );
    expect(await exists(oldA)).toBe(false);
    expect(await exists(oldB)).toBe(false);
    expect(await exists(young)).toBe(true);
    expect(await fisStatus(oldFis)).toBe('stopped');
    expect(await fisStatus(youngFis)).toBe('running');
    expect(rec.text()).toContain(
      `  ${describeRef(oldA)} (run ${RUN_A}, experiment delay, created 3h`,
    );
    expect(rec.text()).toContain('Left alone: 2 chaos-gate objects not older than 2h.');
    expect(rec.text()).toContain(`debug: left alone: ${describeRef(young)}: created 1h`);

    const rest = await sweepWith('mixed.yml', { 'cleanup-older-than': '1s' });
    expect(rest.report.exitCode).toBe(0);
    expect(await exists(young)).toBe(false);
    expect(await fisStatus(youngFis)).toBe('stopped');
  });

  test('a stuck finalizer: exit 3 naming the object, "chaos may still be active"; once it recovers, a second sweep finishes', async () => {
    cluster.mesh.scenario('web-delay-stuck', { stuckFinalizer: true });
    const stuck = await plant('mesh/web-delay-stuck.yaml', RUN_A, 'stuck');
    const fine = await plant('mesh/web-kill.yaml', RUN_A, 'kill');
    await injected(1);
    const { report } = await sweepWith(
      'suite.yml',
      { 'cleanup-run': RUN_A },
      { deleteTimeoutMs: 500 },
    );
    expect(report.exitCode).toBe(3);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(
      new RegExp(
        `^NetworkChaos shop/${stuck.name} is still there 500ms after it was deleted \\(finalizers: chaos-mesh/records\\): .*chaos may still be active`,
      ),
    );
    expect(report.message).toMatch(
      /^chaos-gate cleanup failed; chaos may still be active:\n {2}- NetworkChaos shop\//,
    );
    expect(report.removed).toEqual([describeRef(fine)]);
    expect(await exists(stuck)).toBe(true);

    // The controller recovers at last: the next sweep confirms it gone.
    cluster.mesh.scenario('web-delay-stuck', {});
    const nc = cluster.server.store.resource('chaos-mesh.org', 'networkchaos')!;
    cluster.server.store.mutate(nc, 'shop', stuck.name, (o) => {
      (o.metadata as Record<string, unknown>).finalizers = [];
    });
    const again = await sweepWith('suite.yml', { 'cleanup-run': RUN_A });
    expect(again.report.exitCode).toBe(0);
    expect(await exists(stuck)).toBe(false);
  });

  test('nothing of ours: exit 0, "nothing to clean up"; an unlabelled chaos object is left alone', async () => {
    // An unlabelled chaos object (someone else's) in the allowed namespace.
    const m = manifest('mesh/web-kill.yaml');
    const foreign = objectRef(resourceOf(m.apiVersion, m.kind)!, 'shop', 'someone-elses');
    await cluster.api.create(foreign, 'shop', {
      ...m,
      metadata: { ...m.metadata, name: 'someone-elses' },
    });
    const { report, rec } = await sweepWith('mixed.yml', { 'cleanup-run': RUN_A });
    expect(report.exitCode).toBe(0);
    expect(report.found).toEqual([]);
    expect(report.message).toBe(
      `chaos-gate cleanup: nothing to clean up: nothing chaos-gate created of run ${RUN_A} in Kubernetes namespace shop (${cluster.api.server}) or live FIS experiments in eu-west-1.`,
    );
    expect(rec.text()).toContain(report.message);
    expect(await exists(foreign)).toBe(true);
    await cluster.api.delete(foreign);
    await waitUntilGone(foreign);
  });

  test('objects in a namespace not in safety.namespaces are never touched (not even read)', async () => {
    const inShop = await plant('mesh/web-kill.yaml', RUN_A, 'kill');
    const outside = await plant('mesh/web-kill.yaml', RUN_A, 'kill', { namespace: 'other' });
    const before = cluster.server.requests.length;
    const { report } = await sweepWith('suite.yml', { 'cleanup-run': RUN_A });
    const requests = cluster.server.requests.slice(before);
    expect(report.exitCode).toBe(0);
    expect(report.found.map((o) => o.what)).toEqual([describeRef(inShop)]);
    expect(await exists(outside)).toBe(true);
    expect(requests.filter((r) => r.path.includes('/namespaces/other/'))).toEqual([]);
    expect(requests.some((r) => r.path.includes('/namespaces/shop/'))).toBe(true);
    // A suite that allows `other` sweeps it.
    const other = await sweepWith('other.yml', { 'cleanup-run': RUN_A });
    expect(other.report.found.map((o) => o.what)).toEqual([describeRef(outside)]);
    expect(await exists(outside)).toBe(false);
  });

  test('--list says what it would remove and removes nothing (exit 3: it may still be active)', async () => {
    const ref = await plant('mesh/web-delay-long.yaml', RUN_A, 'delay');
    const id = await startFisAs(RUN_A, 'az');
    const { report, rec } = await sweepWith(
      'mixed.yml',
      { 'cleanup-run': RUN_A },
      { listOnly: true },
    );
    expect(report.exitCode).toBe(3);
    expect(report.found).toHaveLength(2);
    expect(report.removed).toEqual([]);
    expect(rec.text()).toContain('2 found and listed only; nothing was removed');
    expect(await exists(ref)).toBe(true);
    expect(await fisStatus(id)).toBe('running');
    expect((await sweepWith('mixed.yml', { 'cleanup-run': RUN_A })).report.exitCode).toBe(0);
  });
});

describe('sweep: what it cannot see', () => {
  test('a cluster without Litmus: its kinds are skipped (404), the rest is swept', async () => {
    await cluster.close();
    cluster = await startCluster({ podDeleteFault: false, crds: ['PodChaos', 'NetworkChaos'] });
    const ref = await plant('mesh/web-kill.yaml', RUN_A, 'kill');
    const { report } = await sweepWith('suite.yml', { 'cleanup-run': RUN_A });
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.found.map((o) => o.what)).toEqual([describeRef(ref)]);
    expect(await exists(ref)).toBe(false);
  });

  test('a kind it may not list (403): exit 3, "may still be active", and the rest is still removed', async () => {
    const ref = await plant('mesh/web-kill.yaml', RUN_A, 'kill');
    cluster.server.faults.failNext(1, 403, { method: 'GET', pathIncludes: '/networkchaos' });
    const { report } = await sweepWith('suite.yml', { 'cleanup-run': RUN_A });
    expect(report.exitCode).toBe(3);
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^could not list NetworkChaos in shop \(.*HTTP 403.*\): if chaos-gate left one there, chaos may still be active$/,
      ),
    ]);
    expect(await exists(ref)).toBe(false);
  });
});

async function waitUntilGone(ref: ObjectRef): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await exists(ref)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

// ---- the command line ---------------------------------------------------------------------

async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = sink();
  const err = sink();
  const code = await cli(argv, { out, err, env, cwd: wd.dir });
  return { code, out: out.text, err: err.text };
}

describe('chaos-gate cleanup', () => {
  beforeEach(() => {
    writeFileSync(path.join(wd.dir, 'kubeconfig.yaml'), cluster.kubeconfig);
  });

  test.each([
    [
      ['cleanup', '--suite', 'suite.yml'],
      'cleanup takes exactly one of --run ID and --older-than DURATION',
    ],
    [
      ['cleanup', '--suite', 'suite.yml', '--run', RUN_A, '--older-than', '2h'],
      'cleanup takes exactly one of --run ID and --older-than DURATION, not both',
    ],
    [
      ['cleanup', '--suite', 'suite.yml', '--older-than', 'soon'],
      "--older-than 'soon' is not a duration",
    ],
    [['cleanup', '--suite', 'suite.yml', '--run', 'a b'], "--run 'a b' is not a run id"],
    [
      ['run', '--suite', 'suite.yml', '--run', RUN_A],
      '--run is an option of `cleanup`, not of `run`',
    ],
    [['plan', '--suite', 'suite.yml', '--list'], '--list is an option of `cleanup`, not of `plan`'],
  ])('usage error %j exits 2', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('Usage: chaos-gate <command>');
  });

  test('a kubeconfig that does not exist is a configuration error (2)', async () => {
    const r = await runCli([
      'cleanup',
      '--suite',
      'suite.yml',
      '--run',
      RUN_A,
      '--kubeconfig',
      'nope.yaml',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('neither kubeconfig YAML nor an existing file: nope.yaml');
  });

  test('nothing found: 0; --list: 3, nothing removed; too young for --older-than: 0; --run: removed, 0', async () => {
    const base = ['cleanup', '--suite', 'suite.yml', '--kubeconfig', 'kubeconfig.yaml'];
    const none = await runCli([...base, '--run', RUN_A]);
    expect(none.code).toBe(0);
    expect(none.out).toContain('nothing to clean up');
    expect(none.err).toBe('');

    const ref = await plant('mesh/web-kill.yaml', RUN_A, 'kill');
    const listed = await runCli([...base, '--run', RUN_A, '--list']);
    expect(listed.code).toBe(3);
    expect(listed.out).toContain(`  ${describeRef(ref)} (run ${RUN_A}, experiment kill, created`);
    expect(await exists(ref)).toBe(true);
    const young = await runCli([...base, '--older-than', '1h']);
    expect(young.code).toBe(0);
    expect(young.out).toContain('Left alone: 1 chaos-gate object not older than 1h.');
    expect(await exists(ref)).toBe(true);
    const byRun = await runCli([...base, '--run', RUN_A]);
    expect(byRun.code).toBe(0);
    expect(await exists(ref)).toBe(false);
  });

  test('FIS through the environment (region, endpoint, credentials chain): a running experiment of the run is stopped', async () => {
    const id = await startFisAs(RUN_A, 'az');
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    try {
      const r = await runCli(
        ['cleanup', '--suite', 'mixed.yml', '--kubeconfig', 'kubeconfig.yaml', '--run', RUN_A],
        { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_FIS: fis.server.url },
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`FIS experiment ${id} (running) (run ${RUN_A}, experiment az`);
      expect(await fisStatus(id)).toBe('stopped');
    } finally {
      process.env = saved;
    }
  });

  test('a FIS suite without a region is a configuration error (2)', async () => {
    const r = await runCli([
      'cleanup',
      '--suite',
      'mixed.yml',
      '--kubeconfig',
      'kubeconfig.yaml',
      '--run',
      RUN_A,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('set the aws-region input (--aws-region) or AWS_REGION');
  });

  test('a delete that fails exits 3 and names the object on stderr', async () => {
    // (A stuck finalizer takes the CLI's 3-minute delete timeout; the sweep and action tests
    // shorten it. An API server that refuses the delete leaves the chaos just as active.)
    const ref = await plant('mesh/web-delay-long.yaml', RUN_A, 'delay');
    await injected(1);
    cluster.server.faults.failNext(100, 403, { method: 'DELETE' });
    const base = ['cleanup', '--suite', 'suite.yml', '--kubeconfig', 'kubeconfig.yaml'];
    const r = await runCli([...base, '--run', RUN_A]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      new RegExp(
        `\\nchaos-gate cleanup failed; chaos may still be active:\\n  - NetworkChaos shop/${ref.name}: .*HTTP 403.*: chaos may still be active\\n$`,
      ),
    );
    cluster.server.faults.reset();
    expect((await runCli([...base, '--run', RUN_A])).code).toBe(0);
    expect(await exists(ref)).toBe(false);
  });
});

// ---- the action: mode cleanup through run() -----------------------------------------------

function cleanupAction(inputs: Partial<Record<InputName, string>>, deleteTimeoutMs = 10_000) {
  const rec = recorder();
  const { deps, record } = fakeAction({
    inputs,
    env: { GITHUB_WORKSPACE: wd.dir },
    pipeline: { kubeApi: cluster.api, kubeOptions: { deleteTimeoutMs } },
    log: rec.log,
  });
  return { deps, rec, failed: record.failed, outputs: record.outputs };
}

describe('action mode: cleanup', () => {
  test("cleanup-run removes the run's objects; the step succeeds and prints no plan", async () => {
    const ref = await plant('mesh/web-delay-long.yaml', RUN_A, 'delay');
    const other = await plant('mesh/web-kill.yaml', RUN_B, 'kill');
    const { deps, rec, failed } = cleanupAction({
      suite: 'suite.yml',
      mode: 'cleanup',
      'cleanup-run': RUN_A,
    });
    await run(deps);
    expect(failed).toEqual([]);
    expect(await exists(ref)).toBe(false);
    expect(await exists(other)).toBe(true);
    expect(rec.text()).toContain(
      `chaos-gate cleanup: removed 1; nothing chaos-gate created of run ${RUN_A} is left.`,
    );
    expect(rec.text()).not.toContain('worst case');
    const older = cleanupAction({
      suite: 'suite.yml',
      mode: 'cleanup',
      'cleanup-older-than': '2h',
    });
    await run(older.deps);
    expect(older.failed).toEqual([]);
    expect(await exists(other)).toBe(true);
    const b = cleanupAction({ suite: 'suite.yml', mode: 'cleanup', 'cleanup-run': RUN_B });
    await run(b.deps);
    expect(await exists(other)).toBe(false);
  });

  test('a stuck finalizer fails the step naming the object', async () => {
    cluster.mesh.scenario('web-delay-stuck', { stuckFinalizer: true });
    const stuck = await plant('mesh/web-delay-stuck.yaml', RUN_A, 'stuck');
    await injected(1);
    const { deps, failed } = cleanupAction(
      { suite: 'suite.yml', mode: 'cleanup', 'cleanup-run': RUN_A },
      300,
    );
    await run(deps);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('chaos-gate cleanup failed; chaos may still be active');
    expect(failed[0]).toContain(
      `NetworkChaos shop/${stuck.name} is still there 300ms after it was deleted`,
    );
    cluster.mesh.scenario('web-delay-stuck', {});
    const nc = cluster.server.store.resource('chaos-mesh.org', 'networkchaos')!;
    cluster.server.store.mutate(nc, 'shop', stuck.name, (o) => {
      (o.metadata as Record<string, unknown>).finalizers = [];
    });
    await waitUntilGone(stuck);
  });

  test('mode cleanup without cleanup-run or cleanup-older-than is a configuration error', async () => {
    const { deps, failed, outputs } = cleanupAction({ suite: 'suite.yml', mode: 'cleanup' });
    await run(deps);
    expect(failed[0]).toContain('Configuration error, nothing was injected');
    expect(failed[0]).toContain("mode 'cleanup' takes exactly one of 'cleanup-run'");
    expect(outputs.verdict).toBe('error');
  });
});
