/**
 * Deleting what we created (src/providers/kube-ops.ts `deleteAndWait`) against the loopback API
 * server: the uid our create answered with travels as a delete precondition, so an object that
 * replaced ours under the same name is never touched; finalizers are waited for on a watch (the
 * caller's, when it has one open), and a delete the server finishes at once needs nothing more.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { startCluster, RUN_DATA, type TestCluster } from './support/cluster.js';
import { ownerLabels } from '../src/kube/names.js';
import { ChaosExperiment, objectRef } from '../src/kube/resources.js';
import { byName, WatchedSet } from '../src/kube/watch.js';
import { deleteAndWait, type DeleteOptions } from '../src/providers/kube-ops.js';
import type { KubeObject } from '../src/kube/object.js';

const RUN = 'gh-77-1';
let cluster: TestCluster;

beforeEach(async () => {
  // No pod-delete fault installed: the test creates its own ChaosExperiments (no controller
  // acts on them).
  cluster = await startCluster({ podDeleteFault: false });
});

afterEach(async () => {
  await cluster.close();
});

function experiment(name: string, labels: Record<string, string> = ownerLabels(RUN, 'x')) {
  const o = parseDocument(
    readFileSync(path.join(RUN_DATA, 'litmus', 'pod-delete.chaosexperiment.yaml'), 'utf8'),
  ).toJS() as KubeObject;
  o.metadata = { name, namespace: 'shop', labels };
  return o;
}

const ref = objectRef(ChaosExperiment, 'shop', 'fault-a');
const store = (): TestCluster['server']['store'] => cluster.server.store;
const resource = () => store().resource('litmuschaos.io', 'chaosexperiments')!;
const methods = (): string[] =>
  cluster.server.requests
    .filter((r) => r.path.includes('/chaosexperiments'))
    .map((r) => (r.query.watch === 'true' ? 'WATCH' : r.method));

function setFinalizer(name: string, finalizers: string[]): void {
  store().mutate(resource(), 'shop', name, (o) => {
    (o.metadata as Record<string, unknown>).finalizers = finalizers;
  });
}

/** deleteAndWait of `ref` for run RUN, with the options a test varies. */
function remove(opts: Partial<DeleteOptions> = {}): Promise<boolean> {
  return deleteAndWait(cluster.api, ref, {
    timeoutMs: 5_000,
    runId: RUN,
    stuckMeaning: 'chaos may still be active',
    ...opts,
  });
}

test('with the uid: one DELETE, no read first, and the object is gone', async () => {
  const created = await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a'));
  const before = cluster.server.requests.length;
  const done = await remove({ uid: created.metadata.uid! });
  expect(done).toBe(true);
  expect(cluster.server.requests.slice(before).map((r) => r.method)).toEqual(['DELETE']);
  expect(store().get(resource(), 'shop', 'fault-a')).toBeUndefined();
});

test('an object that replaced ours under the same name is left alone (uid precondition)', async () => {
  const ours = await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a'));
  store().delete(resource(), 'shop', 'fault-a');
  // Someone else's object, same name, even with labels that look like ours.
  const theirs = await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a'));
  expect(theirs.metadata.uid).not.toBe(ours.metadata.uid);
  const done = await remove({ uid: ours.metadata.uid! });
  expect(done).toBe(true);
  expect(store().get(resource(), 'shop', 'fault-a')?.metadata.uid).toBe(theirs.metadata.uid);
});

test('without a uid, an object not labelled as this run is refused and not deleted', async () => {
  await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a', { team: 'sre' }));
  await expect(remove()).rejects.toThrow(/not labelled as this run's: left alone/);
  expect(store().get(resource(), 'shop', 'fault-a')).toBeDefined();
  expect(methods().filter((m) => m === 'DELETE')).toEqual([]);
});

test("a finalizer is waited for on the caller's open watch: no new list or watch", async () => {
  const created = await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a'));
  setFinalizer('fault-a', ['test/hold']);
  const watching = new WatchedSet(cluster.api, {
    resource: ChaosExperiment,
    namespace: 'shop',
    fieldSelector: byName('fault-a'),
  });
  await watching.start();
  try {
    // The watch request itself goes out after start() returns.
    while (!methods().includes('WATCH')) await new Promise((r) => setTimeout(r, 5));
    const before = methods().length;
    let finished = false;
    const done = remove({ uid: created.metadata.uid!, watching }).then((v) => {
      finished = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(finished).toBe(false); // the finalizer keeps it
    setFinalizer('fault-a', []);
    expect(await done).toBe(true);
    expect(methods().slice(before)).toEqual(['DELETE']);
  } finally {
    watching.stop();
  }
});

test('without an open watch, a finalizer is waited for by list and watch; stuck past the timeout is an error naming it', async () => {
  const created = await cluster.api.create(ChaosExperiment, 'shop', experiment('fault-a'));
  setFinalizer('fault-a', ['test/hold']);
  const before = methods().length;
  await expect(remove({ timeoutMs: 300, uid: created.metadata.uid! })).rejects.toThrow(
    /ChaosExperiment shop\/fault-a is still there .* after it was deleted \(finalizers: test\/hold\): chaos may still be active/,
  );
  expect(methods().slice(before)).toEqual(['DELETE', 'GET', 'WATCH']);
  setFinalizer('fault-a', []);
});
