/**
 * The loopback Kubernetes API server (src/sim/kube/server.ts) driven by the real client,
 * @kubernetes/client-node 2.x, with the upstream example manifests in test/data/upstream.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import YAML from 'yaml';
import { isRecord, type KubeObject } from '../src/kube/object.js';
import { applyJsonPatch, applyMergePatch, PatchError } from '../src/sim/kube/patch.js';
import { compileSchema, compiledSchemaCount } from '../src/sim/kube/schema-ajv.js';
import { loadCrdFile, crdServing, selectCrds } from '../src/sim/kube/crds.js';
import { startKubeApiServer, type KubeApiServer } from '../src/sim/kube/server.js';
import { StoreError } from '../src/sim/kube/store.js';

const DATA = path.resolve(import.meta.dirname, 'data', 'upstream');

function manifest(rel: string): KubeObject {
  const v: unknown = YAML.parse(readFileSync(path.join(DATA, rel), 'utf8'));
  if (!isRecord(v) || !isRecord(v.metadata)) throw new Error(`${rel} is not an object`);
  return v as KubeObject;
}

const LITMUS = { group: 'litmuschaos.io', version: 'v1alpha1', plural: 'chaosengines' };
const MESH = { group: 'chaos-mesh.org', version: 'v1alpha1' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const servers: KubeApiServer[] = [];
async function start(opts: Parameters<typeof startKubeApiServer>[0] = {}): Promise<KubeApiServer> {
  const s = await startKubeApiServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function clients(server: KubeApiServer, kubeconfig = server.kubeconfig()) {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    kc,
    custom: kc.makeApiClient(CustomObjectsApi),
    core: kc.makeApiClient(CoreV1Api),
    ext: kc.makeApiClient(ApiextensionsV1Api),
  };
}

/** The Status body of a failed call (client-node gives the raw text for error codes). */
async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const raw: unknown = e.body;
    const status: unknown = typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : raw;
    return { code: e.code, status: isRecord(status) ? status : {}, headers: e.headers };
  }
  throw new Error('expected the call to fail');
}

function causes(status: Record<string, unknown>): Array<{ field: string; message: string }> {
  const details = status.details;
  if (!isRecord(details) || !Array.isArray(details.causes)) return [];
  return details.causes
    .filter(isRecord)
    .map((c) => ({ field: String(c.field), message: String(c.message) }));
}

interface Collected {
  events: Array<{ type: string; object: Record<string, unknown> }>;
  done: Promise<unknown>;
  abort(): void;
  /** Resolves when an event satisfies `pred`. */
  next(
    pred: (e: { type: string; object: Record<string, unknown> }) => boolean,
  ): Promise<{ type: string; object: Record<string, unknown> }>;
}

async function watch(
  kc: KubeConfig,
  p: string,
  query: Record<string, string | number | boolean | undefined>,
): Promise<Collected> {
  const events: Collected['events'] = [];
  const waiters: Array<{
    pred: (e: Collected['events'][number]) => boolean;
    resolve: (e: Collected['events'][number]) => void;
  }> = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const ctrl = await new Watch(kc).watch(
    p,
    query,
    (type, object: unknown) => {
      const e = { type, object: isRecord(object) ? object : {} };
      events.push(e);
      for (const w of [...waiters])
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
    },
    (err: unknown) => finish(err ?? null),
  );
  return {
    events,
    done,
    abort: () => ctrl.abort(),
    next: (pred) => {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

function engine(name = 'nginx-chaos'): KubeObject {
  const e = manifest('litmus/examples/pod-delete.chaosengine.yaml');
  e.metadata.name = name;
  return e;
}

describe('discovery and CRDs', () => {
  test('the installed CRDs are served, listed in discovery and readable as objects', async () => {
    const server = await start({
      crds: ['chaosengine_crd.yaml', 'PodChaos', 'workflows.chaos-mesh.org'],
    });
    const { ext } = clients(server);
    const crd = await ext.readCustomResourceDefinition({ name: 'chaosengines.litmuschaos.io' });
    expect(crd.spec.names.kind).toBe('ChaosEngine');
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    const all = await ext.listCustomResourceDefinition();
    expect(all.items.map((c) => c.metadata?.name).sort()).toEqual([
      'chaosengines.litmuschaos.io',
      'podchaos.chaos-mesh.org',
      'workflows.chaos-mesh.org',
    ]);

    const get = async (p: string): Promise<Record<string, unknown>> => {
      const res = await fetch(server.url + p);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await get('/version')).toMatchObject({ major: '1' });
    expect(await get('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = await get('/apis');
    expect(JSON.stringify(groups)).toContain('"groupVersion":"chaos-mesh.org/v1alpha1"');
    expect(await get('/apis/litmuschaos.io')).toMatchObject({
      kind: 'APIGroup',
      preferredVersion: { groupVersion: 'litmuschaos.io/v1alpha1', version: 'v1alpha1' },
    });
    const mesh = await get('/apis/chaos-mesh.org/v1alpha1');
    expect(mesh.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'podchaos', kind: 'PodChaos', namespaced: true }),
        expect.objectContaining({ name: 'workflows', kind: 'Workflow', shortNames: ['wf'] }),
        expect.objectContaining({ name: 'workflows/status', verbs: ['get', 'patch', 'update'] }),
      ]),
    );
    expect(JSON.stringify(mesh)).not.toContain('podchaos/status');
    const core = await get('/api/v1');
    expect(core.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'namespaces', namespaced: false, shortNames: ['ns'] }),
        expect.objectContaining({ name: 'pods', namespaced: true }),
        expect.objectContaining({ name: 'configmaps' }),
        expect.objectContaining({ name: 'serviceaccounts' }),
        expect.objectContaining({ name: 'events' }),
      ]),
    );
    expect((await fetch(server.url + '/apis/nothing.example.com/v1')).status).toBe(404);
    expect((await fetch(server.url + '/openapi/v2')).status).toBe(404);
  });

  test('creating a CRD object serves its resource; deleting it removes the resource and its objects', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { ext, custom } = clients(server);
    const [podchaos] = loadCrdFile('chaos-mesh.org_podchaos.yaml');
    await expect(
      custom.listNamespacedCustomObject({ ...MESH, namespace: 'default', plural: 'podchaos' }),
    ).rejects.toMatchObject({ code: 404 });
    await ext.createCustomResourceDefinition({ body: podchaos as never });
    await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'podchaos',
      body: manifest('chaos-mesh/examples/pod-kill-example.yaml'),
    });
    const list = await custom.listNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'podchaos',
    });
    expect(list.items).toHaveLength(1);

    await ext.deleteCustomResourceDefinition({ name: 'podchaos.chaos-mesh.org' });
    await expect(
      custom.listNamespacedCustomObject({ ...MESH, namespace: 'default', plural: 'podchaos' }),
    ).rejects.toMatchObject({ code: 404 });
    expect(server.store.resource('chaos-mesh.org', 'podchaos')).toBeUndefined();
  });

  test('a malformed CRD is refused with 422', async () => {
    const server = await start({ crds: [] });
    const { ext } = clients(server);
    const [crd] = loadCrdFile('chaos-mesh.org_podchaos.yaml');
    crd!.metadata.name = 'wrong.chaos-mesh.org';
    const f = await failure(ext.createCustomResourceDefinition({ body: crd as never }));
    expect(f.code).toBe(422);
    expect(causes(f.status)).toEqual([expect.objectContaining({ field: 'metadata.name' })]);
  });

  test('selectors name files, kinds, plurals, short names or CRD names; unknown ones throw', () => {
    const kinds = (sel: string[]) => selectCrds(sel).map((c) => crdServing(c).resource.kind);
    expect(
      kinds(['chaosresults_crd.yaml', 'networkchaos', 'wf', 'statuschecks.chaos-mesh.org']),
    ).toEqual(['ChaosResult', 'NetworkChaos', 'Workflow', 'StatusCheck']);
    expect(() => selectCrds(['NoSuchChaos'])).toThrow(/no CRD "NoSuchChaos"/);
  });
});

describe('CRUD on custom resources', () => {
  test('ChaosEngine from the upstream example: create, get, list by label, patch, delete', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const body = engine();
    body.metadata.labels = { 'chaos-gate/run': '42' };
    const created = await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body,
    });
    expect(created.metadata.uid).toEqual(expect.any(String));
    expect(created.metadata.resourceVersion).toEqual(expect.any(String));
    expect(created.metadata.generation).toBe(1);
    expect(created.spec.engineState).toBe('active');

    const got = await custom.getNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    expect(got).toEqual(created);

    await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine('other'),
    });
    const byLabel = await custom.listNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      labelSelector: 'chaos-gate/run=42',
    });
    expect(byLabel.kind).toBe('ChaosEngineList');
    expect(byLabel.items.map((i: KubeObject) => i.metadata.name)).toEqual(['nginx-chaos']);
    expect(Number(byLabel.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(created.metadata.resourceVersion),
    );
    const byName = await custom.listNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      fieldSelector: 'metadata.name=other',
    });
    expect(byName.items.map((i: KubeObject) => i.metadata.name)).toEqual(['other']);
    const everywhere = await custom.listCustomObjectForAllNamespaces({
      group: LITMUS.group,
      version: LITMUS.version,
      resourcePlural: LITMUS.plural,
    });
    expect(everywhere.items).toHaveLength(2);

    const stopped = await custom.patchNamespacedCustomObject(
      {
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { spec: { engineState: 'stop' } },
      },
      MERGE,
    );
    expect(stopped.spec.engineState).toBe('stop');
    expect(stopped.spec.chaosServiceAccount).toBe('pod-delete-sa');
    expect(stopped.metadata.generation).toBe(2);

    // JSON Patch (client-node's default for patch), with a `test` guarding the change.
    const patched = await custom.patchNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
      body: [
        { op: 'test', path: '/spec/engineState', value: 'stop' },
        { op: 'replace', path: '/spec/engineState', value: 'active' },
        { op: 'add', path: '/metadata/annotations', value: { note: 'a/b' } },
      ],
    });
    expect(patched.spec.engineState).toBe('active');
    const failedTest = await failure(
      custom.patchNamespacedCustomObject({
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: [{ op: 'test', path: '/spec/engineState', value: 'stop' }],
      }),
    );
    expect(failedTest.code).toBe(422);
    expect(JSON.stringify(failedTest.status)).toContain('test failed');

    const deleted = await custom.deleteNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    expect(deleted.metadata.name).toBe('nginx-chaos');
    const gone = await failure(
      custom.getNamespacedCustomObject({ ...LITMUS, namespace: 'default', name: 'nginx-chaos' }),
    );
    expect(gone.code).toBe(404);
    expect(gone.status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'chaosengines.litmuschaos.io "nginx-chaos" not found',
      code: 404,
    });
  });

  test('conflicts: an existing name is 409 AlreadyExists, a stale resourceVersion 409 Conflict', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const created = await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine(),
    });
    const again = await failure(
      custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() }),
    );
    expect(again.code).toBe(409);
    expect(again.status.reason).toBe('AlreadyExists');

    const replaced = await custom.replaceNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
      body: { ...created, spec: { ...created.spec, engineState: 'stop' } },
    });
    expect(replaced.spec.engineState).toBe('stop');
    const stale = await failure(
      custom.replaceNamespacedCustomObject({
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: created,
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    // Custom resources refuse unconditional updates.
    const { resourceVersion: _rv, ...meta } = created.metadata as Record<string, unknown>;
    const noRv = await failure(
      custom.replaceNamespacedCustomObject({
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { ...created, metadata: meta },
      }),
    );
    expect(noRv.code).toBe(422);
    expect(causes(noRv.status)[0]?.field).toBe('metadata.resourceVersion');
    expect(_rv).toBeDefined();
  });

  test('a strategic merge patch on a custom resource is 415; on a built-in it applies', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, core } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const smp = await failure(
      custom.patchNamespacedCustomObject(
        {
          ...LITMUS,
          namespace: 'default',
          name: 'nginx-chaos',
          body: { spec: { engineState: 'stop' } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(smp.code).toBe(415);
    expect(smp.status.reason).toBe('UnsupportedMediaType');

    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const cm = await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'cfg', body: { data: { b: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(cm.data).toEqual({ a: '1', b: '2' });
  });

  test('dryRun=All validates and answers but stores nothing', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const revision = server.store.currentRevision;
    const dry = await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine(),
      dryRun: 'All',
    });
    expect(dry.metadata.name).toBe('nginx-chaos');
    const list = await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });
    expect(list.items).toEqual([]);
    const bad = engine();
    bad.spec = { ...bad.spec, engineState: 'paused' };
    expect(
      (
        await failure(
          custom.createNamespacedCustomObject({
            ...LITMUS,
            namespace: 'default',
            body: bad,
            dryRun: 'All',
          }),
        )
      ).code,
    ).toBe(422);

    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const rv = server.store.currentRevision;
    const dryPatch = await custom.patchNamespacedCustomObject(
      {
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { spec: { engineState: 'stop' } },
        dryRun: 'All',
      },
      MERGE,
    );
    expect(dryPatch.spec.engineState).toBe('stop');
    await custom.deleteNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
      dryRun: 'All',
    });
    const still = await custom.getNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    expect(still.spec.engineState).toBe('active');
    expect(server.store.currentRevision).toBe(rv);
    expect(rv).toBe(revision + 1);
  });

  test('a finalizer keeps a deleted object, with deletionTimestamp, until it is removed', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, kc } = clients(server);
    const body = engine();
    body.metadata = {
      ...body.metadata,
      finalizers: ['chaosengine.litmuschaos.io/finalizer'],
    } as KubeObject['metadata'];
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body });
    const w = await watch(kc, '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines', {});
    await w.next((e) => e.type === 'ADDED');

    const deleting = await custom.deleteNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    expect(deleting.metadata.deletionTimestamp).toEqual(expect.any(String));
    const held = await custom.getNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    expect(held.metadata.deletionTimestamp).toEqual(expect.any(String));
    // A deleting object cannot gain finalizers.
    const more = await failure(
      custom.patchNamespacedCustomObject(
        {
          ...LITMUS,
          namespace: 'default',
          name: 'nginx-chaos',
          body: { metadata: { finalizers: ['a/b', 'chaosengine.litmuschaos.io/finalizer'] } },
        },
        MERGE,
      ),
    );
    expect(more.code).toBe(422);

    await custom.patchNamespacedCustomObject(
      {
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { metadata: { finalizers: null } },
      },
      MERGE,
    );
    expect(
      (
        await failure(
          custom.getNamespacedCustomObject({
            ...LITMUS,
            namespace: 'default',
            name: 'nginx-chaos',
          }),
        )
      ).code,
    ).toBe(404);
    await w.next((e) => e.type === 'DELETED');
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    w.abort();
  });

  test('built-ins: namespaces, pods (status subresource), service accounts, events, config maps', async () => {
    const server = await start({ crds: [], namespaces: ['default', 'shop'] });
    const { core } = clients(server);
    const ns = await core.readNamespace({ name: 'shop' });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('shop');
    await core.createNamespace({ body: { metadata: { name: 'new-ns' } } });
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual([
      'default',
      'new-ns',
      'shop',
    ]);

    const pod = await core.createNamespacedPod({
      namespace: 'shop',
      body: {
        metadata: { name: 'web-1', labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
        status: { phase: 'Running' },
      },
    });
    expect(pod.status?.phase).toBe('Pending');
    const running = await core.replaceNamespacedPodStatus({
      namespace: 'shop',
      name: 'web-1',
      body: { ...pod, status: { phase: 'Running' } },
    });
    expect(running.status?.phase).toBe('Running');
    expect(
      (await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' })).items,
    ).toHaveLength(1);

    await core.createNamespacedServiceAccount({
      namespace: 'shop',
      body: { metadata: { name: 'pod-delete-sa' } },
    });
    await core.createNamespacedEvent({
      namespace: 'shop',
      body: { metadata: { name: 'e1' }, involvedObject: { name: 'web-1' }, reason: 'Test' },
    });
    expect((await core.listNamespacedEvent({ namespace: 'shop' })).items).toHaveLength(1);
    expect(
      (
        await failure(
          core.createNamespacedConfigMap({
            namespace: 'nowhere',
            body: { metadata: { name: 'c' } },
          }),
        )
      ).code,
    ).toBe(404);

    await core.deleteNamespace({ name: 'shop' });
    expect((await core.listPodForAllNamespaces()).items).toEqual([]);
  });
});

describe('schema validation and pruning', () => {
  test('an invalid engineState is 422 Invalid with the field path and the real message', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const body = engine();
    body.spec = { ...body.spec, engineState: 'foo' };
    const f = await failure(
      custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body }),
    );
    expect(f.code).toBe(422);
    expect(f.status).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
      details: { name: 'nginx-chaos', group: 'litmuschaos.io', kind: 'ChaosEngine' },
    });
    expect(causes(f.status)).toEqual([
      {
        field: 'spec.engineState',
        message: `Invalid value: "foo": spec.engineState in body should match '^(active|stop)$'`,
      },
    ]);
    expect(f.status.message).toBe(
      `ChaosEngine.litmuschaos.io "nginx-chaos" is invalid: spec.engineState: Invalid value: "foo": spec.engineState in body should match '^(active|stop)$'`,
    );
  });

  test('a NetworkChaos with an action outside the enum is 422 with the supported values', async () => {
    const server = await start({ crds: ['NetworkChaos'] });
    const { custom } = clients(server);
    const body = manifest('chaos-mesh/examples/network-delay-example.yaml');
    await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'networkchaos',
      body,
    });
    body.metadata.name = 'bad';
    body.spec = { ...body.spec, action: 'explode', mode: 5 };
    const f = await failure(
      custom.createNamespacedCustomObject({
        ...MESH,
        namespace: 'default',
        plural: 'networkchaos',
        body,
      }),
    );
    expect(f.code).toBe(422);
    expect(causes(f.status)).toEqual(
      expect.arrayContaining([
        {
          field: 'spec.action',
          message:
            'Unsupported value: "explode": supported values: "netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth"',
        },
        expect.objectContaining({
          field: 'spec.mode',
          message: expect.stringContaining('spec.mode in body must be of type string: "integer"'),
        }),
      ]),
    );
  });

  test('a missing required field is reported as "Required value"', async () => {
    const server = await start({ crds: ['PodChaos'] });
    const { custom } = clients(server);
    const body = manifest('chaos-mesh/examples/pod-kill-example.yaml');
    delete body.spec?.selector;
    const f = await failure(
      custom.createNamespacedCustomObject({
        ...MESH,
        namespace: 'default',
        plural: 'podchaos',
        body,
      }),
    );
    expect(causes(f.status)).toEqual([{ field: 'spec.selector', message: 'Required value' }]);
  });

  test('unknown fields are pruned (with a warning); fieldValidation=Strict refuses them with 400', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const body = engine();
    body.spec = { ...body.spec, bogus: 1, appinfo: { appns: 'default', surprise: true } };
    (body.metadata as Record<string, unknown>).extra = 'x';
    (body as Record<string, unknown>).topLevel = 'y';
    const res = await custom.createNamespacedCustomObjectWithHttpInfo({
      ...LITMUS,
      namespace: 'default',
      body,
    });
    expect(res.httpStatusCode).toBe(201);
    expect(res.headers.warning).toContain('unknown field \\"spec.appinfo.surprise\\"');
    const stored = await custom.getNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });
    // ChaosEngine's spec is x-kubernetes-preserve-unknown-fields; spec.appinfo is not.
    expect(stored.spec.bogus).toBe(1);
    expect(stored.spec.appinfo).toEqual({ appns: 'default' });
    expect(stored.metadata.extra).toBeUndefined();
    expect(stored.topLevel).toBeUndefined();
    expect(stored.spec.experiments[0].spec.components.env).toHaveLength(4); // known fields kept

    body.metadata.name = 'strict';
    const f = await failure(
      custom.createNamespacedCustomObject({
        ...LITMUS,
        namespace: 'default',
        body,
        fieldValidation: 'Strict',
      }),
    );
    expect(f.code).toBe(400);
    expect(f.status.reason).toBe('BadRequest');
    expect(f.status.message).toContain(
      'cannot be handled as a ChaosEngine: strict decoding error: ',
    );
    expect(f.status.message).toContain('unknown field "spec.appinfo.surprise"');
    expect(f.status.message).toContain('unknown field "metadata.extra"');
    expect(f.status.message).not.toContain('spec.bogus');
  });

  test('preserve-unknown-fields keeps everything; Chaos Mesh defaults are applied', async () => {
    const server = await start({ crds: ['ChaosResult', 'NetworkChaos'] });
    const { custom } = clients(server);
    const result = await custom.createNamespacedCustomObject({
      group: 'litmuschaos.io',
      version: 'v1alpha1',
      plural: 'chaosresults',
      namespace: 'default',
      body: {
        apiVersion: 'litmuschaos.io/v1alpha1',
        kind: 'ChaosResult',
        metadata: { name: 'nginx-chaos-pod-delete' },
        spec: { engine: 'nginx-chaos', experiment: 'pod-delete', anything: { goes: [1] } },
        status: { experimentStatus: { phase: 'Running', verdict: 'Awaited' } },
      },
    });
    expect(result.spec.anything).toEqual({ goes: [1] });
    expect(result.status.experimentStatus.verdict).toBe('Awaited');
    const nc = await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'networkchaos',
      body: manifest('chaos-mesh/examples/network-delay-example.yaml'),
    });
    expect(nc.spec.direction).toBe('to'); // `default: to` in the CRD
  });

  test('in-process writes through the store are validated too', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const r = server.store.resource('litmuschaos.io', 'chaosengines')!;
    const body = engine();
    body.spec = { ...body.spec, engineState: 'nope' };
    expect(() => server.store.create(r, 'default', body)).toThrow(StoreError);
    try {
      server.store.create(r, 'default', body);
    } catch (e) {
      expect(e).toMatchObject({ reason: 'Invalid', code: 422 });
    }
  });

  test('every upstream example validates; the Workflow CRD compiles quickly and only once per process', async () => {
    const [workflowCrd] = loadCrdFile('chaos-mesh.org_workflows.yaml');
    const { schema } = crdServing(workflowCrd!);
    const compiled = compileSchema(schema);
    // Reported, not asserted: see the report in src/sim/kube/schema-ajv.ts.
    console.log(`Workflow CRD schema compiled in ${compiled.compileMs.toFixed(0)} ms`);
    const a = await start({
      crds: [
        'Workflow',
        'StatusCheck',
        'Schedule',
        'PodChaos',
        'NetworkChaos',
        'ChaosEngine',
        'ChaosExperiment',
      ],
    });
    const examples: Array<[string, string, string]> = [
      ['chaos-mesh/examples/workflow-status-check.yaml', 'chaos-mesh.org', 'workflows'],
      ['chaos-mesh/examples/statuscheck-example.yaml', 'chaos-mesh.org', 'statuschecks'],
      ['chaos-mesh/examples/schedule-podchaos.yaml', 'chaos-mesh.org', 'schedules'],
      ['chaos-mesh/examples/pod-kill-example.yaml', 'chaos-mesh.org', 'podchaos'],
      ['chaos-mesh/examples/network-delay-example.yaml', 'chaos-mesh.org', 'networkchaos'],
      ['litmus/examples/pod-delete.chaosengine.yaml', 'litmuschaos.io', 'chaosengines'],
      ['litmus/examples/pod-network-latency.chaosengine.yaml', 'litmuschaos.io', 'chaosengines'],
      ['litmus/examples/pod-delete.chaosexperiment.yaml', 'litmuschaos.io', 'chaosexperiments'],
      [
        'litmus/examples/pod-network-latency.chaosexperiment.yaml',
        'litmuschaos.io',
        'chaosexperiments',
      ],
    ];
    for (const [file, group, plural] of examples) {
      const body = manifest(file);
      delete body.metadata.namespace;
      await clients(a).custom.createNamespacedCustomObject({
        group,
        version: 'v1alpha1',
        plural,
        namespace: 'default',
        body,
      });
    }
    // A second server validates a Workflow with the schema compiled above: no new compilation.
    const compiledBefore = compiledSchemaCount();
    const b = await start({ crds: ['Workflow', 'ChaosEngine'] });
    await clients(b).custom.createNamespacedCustomObject({
      ...MESH,
      plural: 'workflows',
      namespace: 'default',
      body: manifest('chaos-mesh/examples/workflow-status-check.yaml'),
    });
    await clients(b).custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine(),
    });
    expect(compiledSchemaCount()).toBe(compiledBefore);
  });
});

describe('status subresource', () => {
  test('workflows and statuschecks: status only through /status; podchaos: no /status, status through the object', async () => {
    const server = await start({ crds: ['Workflow', 'StatusCheck', 'PodChaos'] });
    const { custom } = clients(server);
    const wf = manifest('chaos-mesh/examples/workflow-status-check.yaml');
    wf.status = { conditions: [{ type: 'Accomplished', status: 'True' }] };
    const created = await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'workflows',
      body: wf,
    });
    expect(created.status).toBeUndefined();
    const ignored = await custom.patchNamespacedCustomObject(
      {
        ...MESH,
        namespace: 'default',
        plural: 'workflows',
        name: 'try-workflow-status-check',
        body: { status: { entryNode: 'x' } },
      },
      MERGE,
    );
    expect(ignored.status).toBeUndefined();
    const st = await custom.patchNamespacedCustomObjectStatus(
      {
        ...MESH,
        namespace: 'default',
        plural: 'workflows',
        name: 'try-workflow-status-check',
        body: { status: { entryNode: 'the-entry-abc' }, spec: { entry: 'changed' } },
      },
      MERGE,
    );
    expect(st.status.entryNode).toBe('the-entry-abc');
    expect(st.spec.entry).toBe('the-entry'); // /status ignores everything else
    const read = await custom.getNamespacedCustomObjectStatus({
      ...MESH,
      namespace: 'default',
      plural: 'workflows',
      name: 'try-workflow-status-check',
    });
    expect(read.status.entryNode).toBe('the-entry-abc');

    const sc = await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'statuschecks',
      body: manifest('chaos-mesh/examples/statuscheck-example.yaml'),
    });
    const replaced = await custom.replaceNamespacedCustomObjectStatus({
      ...MESH,
      namespace: 'default',
      plural: 'statuschecks',
      name: 'status-check-example',
      body: {
        ...sc,
        status: {
          conditions: [
            {
              type: 'Completed',
              status: 'True',
              reason: 'Done',
              lastProbeTime: '2026-01-01T00:00:00Z',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
    });
    expect(replaced.status.conditions[0].type).toBe('Completed');

    await custom.createNamespacedCustomObject({
      ...MESH,
      namespace: 'default',
      plural: 'podchaos',
      body: manifest('chaos-mesh/examples/pod-kill-example.yaml'),
    });
    const none = await failure(
      custom.getNamespacedCustomObjectStatus({
        ...MESH,
        namespace: 'default',
        plural: 'podchaos',
        name: 'pod-kill-example',
      }),
    );
    expect(none.code).toBe(404);
    const withStatus = await custom.patchNamespacedCustomObject(
      {
        ...MESH,
        namespace: 'default',
        plural: 'podchaos',
        name: 'pod-kill-example',
        body: { status: { experiment: { desiredPhase: 'Run' } } },
      },
      MERGE,
    );
    expect(withStatus.status.experiment.desiredPhase).toBe('Run');
  });
});

describe('watch', () => {
  test('replays the changes after a resourceVersion, then streams', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, kc } = clients(server);
    const created = await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine(),
    });
    await custom.patchNamespacedCustomObject(
      {
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { spec: { engineState: 'stop' } },
      },
      MERGE,
    );
    await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine('second'),
    });

    const w = await watch(kc, '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines', {
      resourceVersion: created.metadata.resourceVersion,
    });
    await w.next((e) => e.type === 'ADDED');
    await custom.deleteNamespacedCustomObject({ ...LITMUS, namespace: 'default', name: 'second' });
    await w.next((e) => e.type === 'DELETED');
    expect(
      w.events.map(
        (e) => `${e.type} ${String((e.object.metadata as KubeObject['metadata']).name)}`,
      ),
    ).toEqual(['MODIFIED nginx-chaos', 'ADDED second', 'DELETED second']);
    w.abort();
  });

  test('without resourceVersion: ADDED for what exists; selectors filter, and a label change is a DELETED', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, kc } = clients(server);
    const a = engine('a');
    a.metadata.labels = { run: '1' };
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: a });
    await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine('b'),
    });
    const byLabel = await watch(
      kc,
      '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines',
      { labelSelector: 'run=1' },
    );
    const byName = await watch(
      kc,
      '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines',
      { fieldSelector: 'metadata.name=b' },
    );
    await byLabel.next((e) => e.type === 'ADDED');
    await byName.next((e) => e.type === 'ADDED');
    await custom.patchNamespacedCustomObject(
      { ...LITMUS, namespace: 'default', name: 'b', body: { metadata: { labels: { run: '1' } } } },
      MERGE,
    );
    await custom.patchNamespacedCustomObject(
      { ...LITMUS, namespace: 'default', name: 'a', body: { metadata: { labels: { run: null } } } },
      MERGE,
    );
    await byLabel.next((e) => e.type === 'DELETED');
    await byName.next((e) => e.type === 'MODIFIED');
    const names = (c: Collected) =>
      c.events.map(
        (e) => `${e.type} ${String((e.object.metadata as KubeObject['metadata']).name)}`,
      );
    expect(names(byLabel)).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    expect(names(byName)).toEqual(['ADDED b', 'MODIFIED b']);
    byLabel.abort();
    byName.abort();
  });

  test('bookmarks carry the current resourceVersion; timeoutSeconds ends the stream cleanly', async () => {
    const server = await start({ crds: ['ChaosEngine'], bookmarkIntervalMs: 50 });
    const { kc } = clients(server);
    const w = await watch(kc, '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines', {
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    const bm = await w.next((e) => e.type === 'BOOKMARK');
    expect(bm.object).toMatchObject({
      kind: 'ChaosEngine',
      apiVersion: 'litmuschaos.io/v1alpha1',
      metadata: { resourceVersion: String(server.store.currentRevision) },
    });
    expect(await w.done).toBeNull();
  });

  test('a resourceVersion older than the compacted history gets an ERROR event with 410 Expired', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, kc } = clients(server);
    const created = await custom.createNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      body: engine(),
    });
    await custom.patchNamespacedCustomObject(
      {
        ...LITMUS,
        namespace: 'default',
        name: 'nginx-chaos',
        body: { spec: { engineState: 'stop' } },
      },
      MERGE,
    );
    server.faults.compact();
    const w = await watch(kc, '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines', {
      resourceVersion: created.metadata.resourceVersion,
    });
    expect(await w.done).toBeNull();
    expect(w.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: expect.stringContaining('too old resource version'),
        }),
      },
    ]);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      status: 200,
      query: expect.objectContaining({ watch: 'true' }),
    });
  });

  test('dropWatches ends the client watch with an error', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom, kc } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const w = await watch(kc, '/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines', {});
    await w.next((e) => e.type === 'ADDED');
    expect(server.faults.dropWatches()).toBe(1);
    const err = await w.done;
    expect(err).toBeInstanceOf(Error);
    expect(server.faults.dropWatches()).toBe(0);
  });

  test('the legacy /watch/ path prefix streams too', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const ctrl = new AbortController();
    const res = await fetch(
      `${server.url}/apis/litmuschaos.io/v1alpha1/watch/namespaces/default/chaosengines`,
      { signal: ctrl.signal },
    );
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    const line = JSON.parse(new TextDecoder().decode(value).split('\n')[0]!) as { type: string };
    expect(line.type).toBe('ADDED');
    ctrl.abort();
  });
});

describe('auth, faults and the request log', () => {
  test('without the bearer token: 401 Status', async () => {
    const server = await start({ crds: ['ChaosEngine'], token: 's3cret' });
    const withToken = clients(server);
    expect(
      (await withToken.custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' }))
        .items,
    ).toEqual([]);
    expect(server.kubeconfig()).toContain('token: s3cret');

    const anonymous = server.kubeconfig().replace(/token: s3cret/, 'token: wrong');
    const f = await failure(
      clients(server, anonymous).custom.listNamespacedCustomObject({
        ...LITMUS,
        namespace: 'default',
      }),
    );
    expect(f.code).toBe(401);
    const raw = await fetch(`${server.url}/apis`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  test('failNext answers with the status (and Retry-After), then requests succeed again', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    server.faults.failNext(
      1,
      429,
      { method: 'GET', pathIncludes: '/chaosengines' },
      { retryAfterSeconds: 7 },
    );
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() }); // POST: not matched
    const f = await failure(
      custom.getNamespacedCustomObject({ ...LITMUS, namespace: 'default', name: 'nginx-chaos' }),
    );
    expect(f.code).toBe(429);
    expect(f.headers['retry-after']).toBe('7');
    expect(f.status).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 7 },
    });
    await custom.getNamespacedCustomObject({
      ...LITMUS,
      namespace: 'default',
      name: 'nginx-chaos',
    });

    server.faults.failNext(2, 500);
    expect(
      (
        await failure(
          custom.getNamespacedCustomObject({
            ...LITMUS,
            namespace: 'default',
            name: 'nginx-chaos',
          }),
        )
      ).status.reason,
    ).toBe('InternalError');
    expect(
      (await failure(custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' }))).code,
    ).toBe(500);
    await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });

    const statuses = server.requests
      .filter((r) => r.path.endsWith('/nginx-chaos'))
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(['GET 429', 'GET 200', 'GET 500']);
  });

  test('failRate fails a reproducible fraction of requests for a given seed', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    const run = async (): Promise<string> => {
      server.faults.failRate(0.5, 503, { seed: 7 });
      let out = '';
      for (let i = 0; i < 20; i++) {
        try {
          await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });
          out += '.';
        } catch (e) {
          out += e instanceof ApiException && e.code === 503 ? 'x' : '?';
        }
      }
      return out;
    };
    const first = await run();
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await run()).toBe(first);
    server.faults.failRate(0);
    await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });
  });

  test('latencyMs delays responses; close() ends pending ones', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    server.faults.latencyMs = 30;
    const list = await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });
    expect(list.items).toEqual([]);
    server.faults.reset();
    expect(server.faults.latencyMs).toBe(0);
  });

  test('kubeconfig: context name and default namespace', async () => {
    const server = await start({ crds: [] });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig({ context: 'sim', namespace: 'shop' }));
    expect(kc.getCurrentContext()).toBe('sim');
    expect(kc.getContextObject('sim')?.namespace).toBe('shop');
    expect(kc.getCurrentCluster()?.server).toBe(server.url);
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBe(true);
  });
});

describe('HTTP details', () => {
  test('error statuses: 405 for a verb a path does not take, 404 for unknown paths and subresources, 400 for bad input', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const base = `${server.url}/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines`;
    const call = async (method: string, url: string, body?: string, type = 'application/json') => {
      const res = await fetch(url, {
        method,
        ...(body !== undefined ? { body, headers: { 'Content-Type': type } } : {}),
      });
      const status = (await res.json()) as Record<string, unknown>;
      return { code: res.status, reason: status.reason, message: String(status.message) };
    };
    expect(await call('POST', `${base}/nginx-chaos`, '{}')).toMatchObject({
      code: 405,
      reason: 'MethodNotAllowed',
    });
    expect(await call('PUT', base, '{}')).toMatchObject({ code: 405 });
    expect(await call('GET', `${base}/nginx-chaos/scale`)).toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
    expect(
      await call(
        'GET',
        `${server.url}/apis/litmuschaos.io/v1beta1/namespaces/default/chaosengines`,
      ),
    ).toMatchObject({ code: 404 });
    expect(
      await call('GET', `${server.url}/apis/litmuschaos.io/v1alpha1/chaosengines/nginx-chaos`),
    ).toMatchObject({ code: 404 });
    expect(
      await call('GET', `${base}?labelSelector=${encodeURIComponent('a in (b')}`),
    ).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(await call('GET', `${base}?fieldSelector=spec.engineState%3Dstop`)).toMatchObject({
      code: 400,
      message: 'field label not supported: spec.engineState',
    });
    expect(await call('POST', base, '{not json')).toMatchObject({ code: 400 });
    expect(await call('POST', base, JSON.stringify({ metadata: { name: 'x' } }))).toMatchObject({
      code: 400,
      message: expect.stringContaining("Object 'Kind' is missing"),
    });
    expect(
      await call(
        'POST',
        base,
        JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }),
      ),
    ).toMatchObject({ code: 400 });
    expect(await call('POST', `${base}?dryRun=Some`, JSON.stringify(engine()))).toMatchObject({
      code: 400,
    });
    expect(
      await call('PATCH', `${base}/nginx-chaos`, '{}', 'application/apply-patch+yaml'),
    ).toMatchObject({ code: 415 });
    expect(
      await call('PATCH', `${base}/nginx-chaos`, '{"op":"add"}', 'application/json-patch+json'),
    ).toMatchObject({ code: 400 });
    expect(
      await call('PATCH', `${base}/missing`, '{}', 'application/merge-patch+json'),
    ).toMatchObject({ code: 404 });
    const yaml = await fetch(base, {
      method: 'POST',
      body: YAML.stringify({ ...engine('from-yaml') }),
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(yaml.status).toBe(201);
    // DeleteOptions preconditions.
    expect(
      await call(
        'DELETE',
        `${base}/nginx-chaos`,
        JSON.stringify({ preconditions: { uid: 'not-it' } }),
      ),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: expect.stringContaining('Precondition failed: UID'),
    });
  });

  test('DELETE on a collection deletes what the selector matches', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    for (const [name, run] of [
      ['a', '1'],
      ['b', '1'],
      ['c', '2'],
    ] as const) {
      const e = engine(name);
      e.metadata.labels = { run };
      await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: e });
    }
    const res = await fetch(
      `${server.url}/apis/litmuschaos.io/v1alpha1/namespaces/default/chaosengines?labelSelector=run%3D1`,
      {
        method: 'DELETE',
      },
    );
    const body = (await res.json()) as { kind: string; items: KubeObject[] };
    expect(body.kind).toBe('ChaosEngineList');
    expect(body.items.map((i) => i.metadata.name)).toEqual(['a', 'b']);
    const left = await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' });
    expect(left.items.map((i: KubeObject) => i.metadata.name)).toEqual(['c']);
  });

  test('sendInitialEvents ends the initial ADDED events with an annotated BOOKMARK', async () => {
    const server = await start({ crds: ['ChaosEngine'] });
    const { custom } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    const ctrl = new AbortController();
    const res = await fetch(
      `${server.url}/apis/litmuschaos.io/v1alpha1/chaosengines?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
      { signal: ctrl.signal },
    );
    const reader = res.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3)
      text += new TextDecoder().decode((await reader.read()).value);
    const [added, bookmark] = text
      .split('\n')
      .map((l) => JSON.parse(l || '{}') as Record<string, unknown>);
    expect(added).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'nginx-chaos' } } });
    expect(bookmark).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    ctrl.abort();
  });

  test('TLS: https with the loopback certificate as the kubeconfig CA, and the token', async () => {
    const server = await start({ crds: ['ChaosEngine'], tls: true, token: 't0k' });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect(server.kubeconfig()).toContain('certificate-authority-data');
    const { custom } = clients(server);
    await custom.createNamespacedCustomObject({ ...LITMUS, namespace: 'default', body: engine() });
    expect(
      (await custom.listNamespacedCustomObject({ ...LITMUS, namespace: 'default' })).items,
    ).toHaveLength(1);
  });
});

describe('patch formats (RFC 7386, RFC 6902)', () => {
  test('merge patch: objects merge, null removes, anything else replaces', () => {
    const target = { a: { b: 1, c: [1, 2] }, d: 'x' };
    expect(applyMergePatch(target, { a: { b: null, c: [3] }, e: { f: 1 } })).toEqual({
      a: { c: [3] },
      d: 'x',
      e: { f: 1 },
    });
    expect(target).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });

  test('JSON patch: every operation, pointer escapes, "-" and failures', () => {
    const doc = { spec: { list: [1, 2], 'a/b': { '~c': 1 } } };
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/spec/list/-', value: 3 },
        { op: 'add', path: '/spec/list/0', value: 0 },
        { op: 'remove', path: '/spec/list/1' },
        { op: 'replace', path: '/spec/a~1b/~0c', value: 2 },
        { op: 'copy', from: '/spec/list', path: '/spec/copy' },
        { op: 'move', from: '/spec/copy', path: '/moved' },
        { op: 'test', path: '/moved', value: [0, 2, 3] },
      ]),
    ).toEqual({ spec: { list: [0, 2, 3], 'a/b': { '~c': 2 } }, moved: [0, 2, 3] });
    expect(doc.spec.list).toEqual([1, 2]);
    const fails = (ops: unknown): string => {
      try {
        applyJsonPatch(doc, ops);
      } catch (e) {
        return e instanceof PatchError ? `${e.phase}: ${e.message}` : String(e);
      }
      return 'applied';
    };
    expect(fails([{ op: 'test', path: '/spec/list/0', value: 9 }])).toBe(
      'apply: testing value /spec/list/0 failed: test failed',
    );
    expect(fails([{ op: 'replace', path: '/spec/nope', value: 1 }])).toMatch(
      /^apply: doc is missing/,
    );
    expect(fails([{ op: 'remove', path: '/spec/list/5' }])).toMatch(/^apply: index out of range/);
    expect(fails([{ op: 'add', path: '/missing/deep', value: 1 }])).toMatch(
      /^apply: doc is missing path/,
    );
    expect(fails({ op: 'add' })).toMatch(/^decode:/);
    expect(fails([{ op: 'frobnicate', path: '/a' }])).toMatch(/^decode:/);
  });
});
