/**
 * Waiting by watch (src/kube/watch.ts) against a small in-test KubeApi: list once, watch from the
 * list's resourceVersion, resume a dropped stream from the last resourceVersion seen, relist on
 * 410 Gone, and leave nothing running after stop().
 */
import type { KubeObject } from '../src/kube/object.js';
import {
  KubeApiError,
  type KubeApi,
  type WatchEventType,
  type WatchHandle,
  type WatchQuery,
} from '../src/kube/api.js';
import { ChaosEngine, type ResourceRef } from '../src/kube/resources.js';
import {
  SharedSets,
  WaitAborted,
  WatchedSet,
  byName,
  objectIn,
  startAll,
  waitFor,
} from '../src/kube/watch.js';

interface WatchCall {
  query: WatchQuery;
  onEvent: (type: WatchEventType, object: KubeObject | undefined, raw: unknown) => void;
  onDone: (err: unknown) => void;
  aborted: boolean;
}

/** A KubeApi whose list answers from a queue and whose watches the test drives by hand. */
class FakeApi implements KubeApi {
  readonly server = 'https://fake.test';
  readonly watches: WatchCall[] = [];
  readonly lists: { namespace: string; query: unknown }[] = [];
  /** What the next list calls answer, in turn; the last one repeats. */
  listAnswers: ({ items: KubeObject[]; resourceVersion: string } | Error)[] = [];

  get last(): WatchCall {
    const w = this.watches[this.watches.length - 1];
    if (!w) throw new Error('no watch yet');
    return w;
  }

  async list(
    _r: ResourceRef,
    namespace: string,
    query?: Omit<WatchQuery, 'resourceVersion'>,
  ): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    this.lists.push({ namespace, query });
    const a = this.listAnswers.length > 1 ? this.listAnswers.shift()! : this.listAnswers[0];
    if (!a) throw new Error('no list answer configured');
    if (a instanceof Error) throw a;
    return { items: a.items.map((o) => structuredClone(o)), resourceVersion: a.resourceVersion };
  }

  async watch(
    _r: ResourceRef,
    _namespace: string,
    query: WatchQuery,
    onEvent: WatchCall['onEvent'],
    onDone: WatchCall['onDone'],
  ): Promise<WatchHandle> {
    const call: WatchCall = { query, onEvent, onDone, aborted: false };
    this.watches.push(call);
    return {
      abort: () => {
        call.aborted = true;
      },
    };
  }

  /** Sends an event on the current watch, the raw object carrying its resourceVersion. */
  send(type: WatchEventType, o: KubeObject): void {
    this.last.onEvent(type, o, o);
  }

  get(): Promise<KubeObject | undefined> {
    throw new Error('not used');
  }
  create(): Promise<KubeObject> {
    throw new Error('not used');
  }
  mergePatch(): Promise<KubeObject> {
    throw new Error('not used');
  }
  delete(): Promise<KubeObject | undefined> {
    throw new Error('not used');
  }
  deleteCollection(): Promise<KubeObject[]> {
    throw new Error('not used');
  }
  crdInstalled(): Promise<boolean> {
    throw new Error('not used');
  }
  serviceAccountExists(): Promise<boolean> {
    throw new Error('not used');
  }
}

function engine(name: string, rv: string, engineStatus?: string): KubeObject {
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name, namespace: 'shop', resourceVersion: rv },
    spec: { engineState: 'active' },
    ...(engineStatus ? { status: { engineStatus } } : {}),
  };
}

/** Lets promises and zero-delay timers run until `cond` holds (a bounded number of turns). */
async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs the event loop for a few turns (for "nothing else happened" checks). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 1));
}

const timeouts = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** The engine a single-object set (`metadata.name=pod-delete-x1`) holds. */
const engineIn = (set: WatchedSet): KubeObject | undefined => set.objects.get('pod-delete-x1');

let api: FakeApi;
const sets: WatchedSet[] = [];
function newSet(opts: ConstructorParameters<typeof WatchedSet>[2] = {}): WatchedSet {
  const s = new WatchedSet(
    api,
    { resource: ChaosEngine, namespace: 'shop', fieldSelector: byName('pod-delete-x1') },
    { backoffMs: 1, maxBackoffMs: 2, ...opts },
  );
  sets.push(s);
  return s;
}

beforeEach(() => {
  api = new FakeApi();
  api.listAnswers = [{ items: [engine('pod-delete-x1', '100')], resourceVersion: '100' }];
});
afterEach(() => {
  sets.splice(0).forEach((s) => s.stop());
});

describe('WatchedSet', () => {
  test('lists, then watches from the list resourceVersion with the same selectors', async () => {
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1, 'the first watch');
    expect(api.lists).toEqual([
      { namespace: 'shop', query: { fieldSelector: 'metadata.name=pod-delete-x1' } },
    ]);
    expect(api.last.query).toEqual({
      fieldSelector: 'metadata.name=pod-delete-x1',
      resourceVersion: '100',
    });
    expect([...set.objects.keys()]).toEqual(['pod-delete-x1']);
    expect(engineIn(set)?.metadata.resourceVersion).toBe('100');
  });

  test('no watch is opened when the first list already settles the question (the object is gone)', async () => {
    api.listAnswers = [{ items: [], resourceVersion: '100' }];
    const set = newSet();
    await set.start(() => !set.objects.has('pod-delete-x1'));
    await new Promise((r) => setTimeout(r, 20));
    expect(api.lists).toHaveLength(1);
    expect(api.watches).toHaveLength(0);
    // While the object is there, the same question opens the watch.
    api.listAnswers = [{ items: [engine('pod-delete-x1', '100')], resourceVersion: '100' }];
    const other = newSet();
    await other.start(() => !other.objects.has('pod-delete-x1'));
    await until(() => api.watches.length === 1, 'the watch');
  });

  test('events update the set', async () => {
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1);
    api.send('MODIFIED', engine('pod-delete-x1', '101', 'initialized'));
    expect(engineIn(set)?.status?.engineStatus).toBe('initialized');
    api.send('ADDED', engine('pod-delete-x2', '102'));
    expect([...set.objects.keys()].sort()).toEqual(['pod-delete-x1', 'pod-delete-x2']);
    api.send('DELETED', engine('pod-delete-x1', '103'));
    expect([...set.objects.keys()]).toEqual(['pod-delete-x2']);
  });

  test('the first list refused: start rejects', async () => {
    api.listAnswers = [new KubeApiError(403, 'Forbidden', 'chaosengines is forbidden')];
    const set = newSet();
    await expect(set.start()).rejects.toMatchObject({ code: 403 });
    expect(api.watches).toHaveLength(0);
  });

  test('a dropped stream resumes from the LAST resourceVersion seen, without listing', async () => {
    const logs: string[] = [];
    const set = newSet({ log: (m) => logs.push(m) });
    await set.start();
    await until(() => api.watches.length === 1);
    api.send('MODIFIED', engine('pod-delete-x1', '105', 'initialized'));
    api.send('MODIFIED', engine('pod-delete-x1', '107', 'completed'));
    api.last.onDone(new Error('read ECONNRESET'));
    await until(() => api.watches.length === 2, 'the second watch');
    expect(api.watches[1]!.query.resourceVersion).toBe('107');
    expect(api.lists).toHaveLength(1);
    expect(engineIn(set)?.status?.engineStatus).toBe('completed');
    expect(logs.join('\n')).toContain('ECONNRESET');
  });

  test('a BOOKMARK moves the resume point without changing the set', async () => {
    const set = newSet();
    let changes = 0;
    await set.start();
    set.onChange(() => changes++);
    await until(() => api.watches.length === 1);
    api.last.onEvent('BOOKMARK', undefined, {
      kind: 'ChaosEngine',
      apiVersion: 'litmuschaos.io/v1alpha1',
      metadata: { resourceVersion: '150' },
    });
    expect(changes).toBe(0);
    api.last.onDone(new Error('socket hang up'));
    await until(() => api.watches.length === 2);
    expect(api.watches[1]!.query.resourceVersion).toBe('150');
  });

  test('a clean close reconnects at once, from the last resourceVersion', async () => {
    // A backoff far beyond the test: reconnecting at all means it did not wait for it.
    const set = newSet({ backoffMs: 60_000, maxBackoffMs: 60_000 });
    await set.start();
    await until(() => api.watches.length === 1);
    api.send('MODIFIED', engine('pod-delete-x1', '120'));
    api.last.onDone(null);
    await until(() => api.watches.length === 2, 'the reconnect');
    expect(api.watches[1]!.query.resourceVersion).toBe('120');
    expect(api.lists).toHaveLength(1);
  });

  test('410 Gone as an ERROR event, then a clean close: relists and watches from the new list', async () => {
    const set = newSet();
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '100')], resourceVersion: '100' },
      { items: [engine('pod-delete-x1', '300', 'completed')], resourceVersion: '300' },
    ];
    await set.start();
    await until(() => api.watches.length === 1);
    api.last.onEvent('ERROR', undefined, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Expired',
      message: 'too old resource version: 100 (250)',
      code: 410,
    });
    api.last.onDone(null);
    await until(() => api.watches.length === 2, 'the watch after the relist');
    expect(api.lists).toHaveLength(2);
    expect(api.watches[1]!.query.resourceVersion).toBe('300');
    expect(engineIn(set)?.status?.engineStatus).toBe('completed');
  });

  test('410 Gone as the stream error: relists', async () => {
    const set = newSet();
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '100')], resourceVersion: '100' },
      { items: [], resourceVersion: '400' },
    ];
    await set.start();
    await until(() => api.watches.length === 1);
    api.last.onDone(new KubeApiError(410, 'Gone', 'watch ChaosEngine in shop: HTTP 410'));
    await until(() => api.watches.length === 2);
    expect(api.lists).toHaveLength(2);
    expect(api.watches[1]!.query.resourceVersion).toBe('400');
    // the relist replaced the set: the engine is gone
    expect(set.objects.size).toBe(0);
  });

  test('an ERROR event other than 410 does not relist', async () => {
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1);
    api.last.onEvent('ERROR', undefined, { kind: 'Status', code: 500, message: 'etcd hiccup' });
    api.last.onDone(null);
    await until(() => api.watches.length === 2);
    expect(api.lists).toHaveLength(1);
    expect(api.watches[1]!.query.resourceVersion).toBe('100');
  });

  test('after a 410, a relist failing with 500 is retried with backoff, not at once', async () => {
    const set = newSet({ backoffMs: 60_000, maxBackoffMs: 60_000 });
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '100')], resourceVersion: '100' },
      new KubeApiError(500, 'InternalError', 'etcdserver: request timed out'),
    ];
    await set.start();
    await until(() => api.watches.length === 1);
    api.last.onDone(new KubeApiError(410, 'Gone', 'HTTP 410'));
    await until(() => api.lists.length >= 2, 'the relist');
    await settle();
    // the initial list and the failed relist; the next try waits for the backoff
    expect(api.lists).toHaveLength(2);
  });

  test('after a 410 ERROR event, a relist failing with 500 is retried with backoff, not at once', async () => {
    const set = newSet({ backoffMs: 60_000, maxBackoffMs: 60_000 });
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '100')], resourceVersion: '100' },
      new KubeApiError(500, 'InternalError', 'etcdserver: request timed out'),
    ];
    await set.start();
    await until(() => api.watches.length === 1);
    api.last.onEvent('ERROR', undefined, { kind: 'Status', code: 410, reason: 'Expired' });
    api.last.onDone(null);
    await until(() => api.lists.length >= 2, 'the relist');
    await settle();
    // the initial list and the failed relist; the next try waits for the backoff
    expect(api.lists).toHaveLength(2);
  });

  test('stop() aborts the stream and leaves no timers', async () => {
    const set = newSet({ backoffMs: 60_000, maxBackoffMs: 60_000 });
    await set.start();
    await until(() => api.watches.length === 1);
    const withoutReconnect = timeouts();
    // a failed stream schedules a reconnect a minute away ...
    api.last.onDone(new Error('read ECONNRESET'));
    expect(timeouts()).toBe(withoutReconnect + 1);
    // ... which stop() cancels
    set.stop();
    expect(timeouts()).toBe(withoutReconnect);
    await settle();
    expect(api.watches).toHaveLength(1);

    const other = newSet();
    await other.start();
    await until(() => api.watches.length === 2);
    other.stop();
    expect(api.last.aborted).toBe(true);
  });

  test('events after stop() are ignored', async () => {
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1);
    set.stop();
    api.send('MODIFIED', engine('pod-delete-x1', '101', 'completed'));
    expect(engineIn(set)?.status).toBeUndefined();
  });
});

describe('waitFor', () => {
  test('resolves when an event makes the decision', async () => {
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1);
    let decided = false;
    const p = waitFor([set], () => {
      const s = engineIn(set)?.status?.engineStatus;
      return s === 'completed' ? s : undefined;
    }).then((v) => {
      decided = true;
      return v;
    });
    api.send('MODIFIED', engine('pod-delete-x1', '101', 'initialized'));
    await settle(2);
    expect(decided).toBe(false);
    api.send('MODIFIED', engine('pod-delete-x1', '102', 'completed'));
    await expect(p).resolves.toBe('completed');
  });

  test('resolves at once when the decision is already there', async () => {
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '1', 'completed')], resourceVersion: '1' },
    ];
    const set = newSet();
    await set.start();
    await expect(waitFor([set], () => engineIn(set)?.status?.engineStatus)).resolves.toBe(
      'completed',
    );
  });

  test('rejects with WaitAborted carrying the signal reason', async () => {
    const set = newSet();
    await set.start();
    const ctrl = new AbortController();
    const p = waitFor([set], () => undefined, ctrl.signal);
    const reason = { stop: 'breach', gate: 'storefront' };
    ctrl.abort(reason);
    const err: unknown = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitAborted);
    expect((err as WaitAborted).reason).toBe(reason);
  });

  test('an already aborted signal rejects at once', async () => {
    const set = newSet();
    await set.start();
    const ctrl = new AbortController();
    ctrl.abort('deadline');
    await expect(waitFor([set], () => 'ready', ctrl.signal)).rejects.toMatchObject({
      name: 'WaitAborted',
      reason: 'deadline',
    });
  });

  test('a watch refused with 403 fails the set at once; a 401 is retried (an exec plugin renews its token)', async () => {
    const refused = newSet();
    await refused.start();
    await until(() => api.watches.length === 1);
    api.last.onDone(new KubeApiError(403, 'Forbidden', 'watch ChaosEngine in shop: HTTP 403'));
    expect(refused.error).toMatchObject({ code: 403 });
    await settle();
    expect(api.watches).toHaveLength(1);

    const unauthorized = newSet();
    await unauthorized.start();
    await until(() => api.watches.length === 2);
    api.last.onDone(new KubeApiError(401, 'Unauthorized', 'watch ChaosEngine in shop: HTTP 401'));
    await until(() => api.watches.length === 3, 'the retried watch');
    expect(unauthorized.error).toBeUndefined();
  });

  test('a list refused with 403 during a relist makes waitFor reject with it', async () => {
    const forbidden = new KubeApiError(
      403,
      'Forbidden',
      'chaosengines.litmuschaos.io is forbidden',
    );
    api.listAnswers = [
      { items: [engine('pod-delete-x1', '100')], resourceVersion: '100' },
      forbidden,
    ];
    const set = newSet();
    await set.start();
    await until(() => api.watches.length === 1);
    const p = waitFor([set], () => undefined);
    api.last.onDone(new KubeApiError(410, 'Gone', 'HTTP 410'));
    await expect(p).rejects.toBe(forbidden);
    expect(set.error).toBe(forbidden);
    // and a later wait on that set fails at once
    await expect(waitFor([set], () => 'x')).rejects.toBe(forbidden);
  });

  test('an exception in the decision rejects', async () => {
    const set = newSet();
    await set.start();
    await expect(
      waitFor([set], () => {
        throw new Error('bad object');
      }),
    ).rejects.toThrow('bad object');
  });

  test('several sets: any change re-evaluates', async () => {
    const a = newSet();
    const b = new WatchedSet(api, {
      resource: ChaosEngine,
      namespace: 'shop',
      labelSelector: 'chaosUID=u1',
    });
    sets.push(b);
    await startAll([a, b]);
    await until(() => api.watches.length === 2);
    const bWatch = api.watches[1]!;
    expect(bWatch.query.labelSelector).toBe('chaosUID=u1');
    const p = waitFor([a, b], () => (b.objects.has('result-1') ? 'found' : undefined));
    bWatch.onEvent('ADDED', engine('result-1', '200'), engine('result-1', '200'));
    await expect(p).resolves.toBe('found');
  });

  test('recheckMs re-evaluates as time passes, and stops when settled', async () => {
    const set = newSet();
    await set.start();
    let n = 0;
    await expect(waitFor([set], () => (++n >= 3 ? n : undefined), undefined, 1)).resolves.toBe(3);
    await settle();
    expect(n).toBe(3);
  });

  test('startAll stops every set when one cannot start', async () => {
    const ok = newSet();
    const refusing = new FakeApi();
    refusing.listAnswers = [
      new KubeApiError(404, 'NotFound', 'the server could not find chaosresults'),
    ];
    const bad = new WatchedSet(refusing, { resource: ChaosEngine, namespace: 'shop' });
    await expect(startAll([ok, bad])).rejects.toMatchObject({ code: 404 });
    await settle();
    expect(api.watches.every((w) => w.aborted)).toBe(true);
  });
});

describe("SharedSets: one watch per kind and namespace for all of a run's objects", () => {
  const withUid = (o: KubeObject, uid: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, uid },
  });
  let shared: SharedSets;
  afterEach(() => shared.close());

  test('the first object starts it (one list, one watch, by the run label); later ones reuse it', async () => {
    api.listAnswers = [{ items: [], resourceVersion: '100' }];
    shared = new SharedSets(api, 'chaos-gate.io/run=gh-1-1');
    const a = withUid(engine('pod-delete-x1', '101'), 'u1');
    const b = withUid(engine('pod-delete-x2', '102'), 'u2');
    const [setA, setB] = await Promise.all([
      shared.holding(ChaosEngine, 'shop', a),
      shared.holding(ChaosEngine, 'shop', b),
    ]);
    expect(setA).toBe(setB);
    await until(() => api.watches.length === 1, 'the watch');
    expect(api.lists).toEqual([
      { namespace: 'shop', query: { labelSelector: 'chaos-gate.io/run=gh-1-1' } },
    ]);
    expect(api.last.query).toEqual({
      labelSelector: 'chaos-gate.io/run=gh-1-1',
      resourceVersion: '100',
    });
    // Created after the list: seeded from the create's answer until their events arrive.
    expect(objectIn(setA, 'pod-delete-x1', 'u1')?.metadata.resourceVersion).toBe('101');
    expect(objectIn(setA, 'pod-delete-x2', 'u2')).toBeDefined();
    // Their events replace the seeds.
    api.send('MODIFIED', withUid(engine('pod-delete-x1', '103', 'initialized'), 'u1'));
    expect(objectIn(setA, 'pod-delete-x1', 'u1')?.metadata.resourceVersion).toBe('103');
    // Another namespace is another set.
    api.listAnswers = [{ items: [], resourceVersion: '104' }];
    const other = await shared.holding(ChaosEngine, 'payments', withUid(engine('x', '104'), 'u3'));
    expect(other).not.toBe(setA);
  });

  test('a seed never replaces what the set has seen, nor brings back an object already deleted', async () => {
    api.listAnswers = [{ items: [], resourceVersion: '100' }];
    shared = new SharedSets(api, 'chaos-gate.io/run=gh-1-1');
    const created = withUid(engine('pod-delete-x1', '101'), 'u1');
    const set = await shared.holding(ChaosEngine, 'shop', created);
    await until(() => api.watches.length === 1);
    api.send('MODIFIED', withUid(engine('pod-delete-x1', '105', 'completed'), 'u1'));
    set.seed(created);
    expect(set.objects.get('pod-delete-x1')?.metadata.resourceVersion).toBe('105');
    api.send('DELETED', withUid(engine('pod-delete-x1', '106'), 'u1'));
    set.seed(created);
    expect(set.objects.has('pod-delete-x1')).toBe(false);
    // A new object of the same name (another uid) is not ours to look at.
    api.send('ADDED', withUid(engine('pod-delete-x1', '107'), 'u9'));
    expect(objectIn(set, 'pod-delete-x1', 'u1')).toBeUndefined();
  });

  test('a first list that fails is tried again by the next experiment', async () => {
    api.listAnswers = [
      new KubeApiError(500, 'InternalError', 'etcdserver: request timed out'),
      { items: [], resourceVersion: '100' },
    ];
    shared = new SharedSets(api, 'chaos-gate.io/run=gh-1-1');
    const a = withUid(engine('pod-delete-x1', '101'), 'u1');
    await expect(shared.holding(ChaosEngine, 'shop', a)).rejects.toMatchObject({ code: 500 });
    const set = await shared.holding(ChaosEngine, 'shop', a);
    expect(objectIn(set, 'pod-delete-x1', 'u1')).toBeDefined();
    expect(api.lists).toHaveLength(2);
  });
});
