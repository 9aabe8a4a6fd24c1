/**
 * The loopback API server (src/sim/kube/server.ts) against a real outside client: `kubectl`
 * (Debian's kubernetes-client on CI, see .ci/run). Every test gets a fresh kubeconfig file
 * and discovery cache directory; `--validate=false` keeps `create` working with kubectl
 * versions that validate against /openapi/v2, which the server does not serve.
 * Plain HTTP without a token, except one test: client-go sends bearer tokens only over TLS.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isRecord } from '../src/kube/object.js';
import { startKubeApiServer, type KubeApiServer } from '../src/sim/kube/server.js';

const run = promisify(execFile);
const ENGINE = path.resolve(
  import.meta.dirname,
  'data/upstream/litmus/examples/pod-delete.chaosengine.yaml',
);

let server: KubeApiServer;
let dir: string;
let kubeconfig: string;

async function start(opts: Parameters<typeof startKubeApiServer>[0] = {}): Promise<void> {
  server = await startKubeApiServer({ crds: ['ChaosEngine'], ...opts });
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-kubectl-'));
  await start();
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function args(extra: string[]): string[] {
  return ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...extra];
}

const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: dir });

async function kubectl(...extra: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args(extra), { env: env(), timeout: 20_000 });
  return stdout;
}

/** kubectl's failure output (it exits non-zero). */
async function kubectlFails(...extra: string[]): Promise<string> {
  try {
    await run('kubectl', args(extra), { env: env(), timeout: 20_000 });
  } catch (e) {
    return isRecord(e) ? String(e.stderr) : String(e);
  }
  throw new Error(`kubectl ${extra.join(' ')} succeeded`);
}

async function clientMinor(): Promise<number> {
  const { stdout } = await run('kubectl', ['version', '--client', '-o', 'json'], { env: env() });
  const v: unknown = JSON.parse(stdout);
  const minor = isRecord(v) && isRecord(v.clientVersion) ? String(v.clientVersion.minor) : '0';
  return parseInt(minor, 10);
}

const ENGINES = { group: 'litmuschaos.io', plural: 'chaosengines' };

test('kubectl creates, reads, patches, watches and deletes a ChaosEngine', async () => {
  const created = await kubectl('create', '--validate=false', '-f', ENGINE);
  expect(created.trim()).toBe('chaosengine.litmuschaos.io/nginx-chaos created');

  const got: unknown = JSON.parse(
    await kubectl('get', 'chaosengine', 'nginx-chaos', '-n', 'default', '-o', 'json'),
  );
  expect(got).toMatchObject({
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: { name: 'nginx-chaos', namespace: 'default' },
    spec: { engineState: 'active', chaosServiceAccount: 'pod-delete-sa' },
  });

  const patched = await kubectl(
    'patch',
    'chaosengine',
    'nginx-chaos',
    '-n',
    'default',
    '--type',
    'merge',
    '-p',
    '{"spec":{"engineState":"stop"}}',
  );
  expect(patched.trim()).toBe('chaosengine.litmuschaos.io/nginx-chaos patched');
  const r = server.store.resource(ENGINES.group, ENGINES.plural)!;
  expect(server.store.get(r, 'default', 'nginx-chaos')?.spec?.engineState).toBe('stop');

  // A kubectl patch the schema refuses shows the server's 422 message.
  const invalid = await kubectlFails(
    'patch',
    'chaosengine',
    'nginx-chaos',
    '-n',
    'default',
    '--type',
    'merge',
    '-p',
    '{"spec":{"engineState":"paused"}}',
  );
  expect(invalid).toContain(`spec.engineState in body should match '^(active|stop)$'`);

  // get -w: the line for a change made through the store arrives, then kubectl is stopped.
  const child = spawn(
    'kubectl',
    args([
      'get',
      'chaosengine',
      'nginx-chaos',
      '-n',
      'default',
      '-w',
      '--no-headers',
      '-o',
      'custom-columns=NAME:.metadata.name,STATE:.spec.engineState',
    ]),
    { env: env() },
  );
  let out = '';
  let onOutput = (): void => undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    onOutput();
  });
  const seen = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      onOutput = () => {
        if (pattern.test(out)) resolve();
      };
      child.once('exit', (code) => reject(new Error(`kubectl get -w exited (${code}): ${out}`)));
      onOutput();
    });
  try {
    await seen(/nginx-chaos\s+stop/);
    // Change it once kubectl's watch is open (it GETs the object first, then watches).
    while (!server.requests.some((q) => q.query.watch === 'true'))
      await new Promise((resolve) => setTimeout(resolve, 20));
    server.store.mutate(r, 'default', 'nginx-chaos', (o) => {
      o.spec = { ...o.spec, engineState: 'active' };
    });
    await seen(/nginx-chaos\s+active/);
  } finally {
    child.kill();
  }
  expect(
    out
      .trim()
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' ')),
  ).toEqual(['nginx-chaos stop', 'nginx-chaos active']);

  const deleted = await kubectl('delete', 'chaosengine', 'nginx-chaos', '-n', 'default');
  expect(deleted.trim()).toBe('chaosengine.litmuschaos.io "nginx-chaos" deleted');
  expect(server.store.list(r)).toEqual([]);
  expect(await kubectl('get', 'chaosengines', '-n', 'default', '-o', 'name')).toBe('');

  const methods = new Set(
    server.requests.filter((q) => q.path.includes('/chaosengines')).map((q) => q.method),
  );
  expect([...methods].sort()).toEqual(['DELETE', 'GET', 'PATCH', 'POST']);
});

test('over TLS, kubectl authenticates with the bearer token from the kubeconfig', async () => {
  await server.close();
  await start({ tls: true, token: 'kubectl-token' });
  expect(server.url).toMatch(/^https:/);
  expect(await kubectl('get', 'namespaces', '-o', 'name')).toBe('namespace/default\n');
  expect(server.requests.length).toBeGreaterThan(0);
  expect(server.requests.filter((q) => q.status === 401)).toEqual([]);
  writeFileSync(kubeconfig, server.kubeconfig().replace('kubectl-token', 'wrong'));
  expect(await kubectlFails('get', 'namespaces')).toMatch(/Unauthorized|provide credentials/);
});

test('kubectl reads discovery: api-resources, CRDs, namespaces', async () => {
  const resources = await kubectl('api-resources', '--no-headers');
  expect(resources).toMatch(/^chaosengines\s+litmuschaos\.io\/v1alpha1\s+true\s+ChaosEngine$/m);
  expect(resources).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  expect(await kubectl('get', 'crd', '-o', 'name')).toBe(
    'customresourcedefinition.apiextensions.k8s.io/chaosengines.litmuschaos.io\n',
  );
  expect(await kubectl('get', 'namespaces', '-o', 'name')).toBe('namespace/default\n');
});

test('kubectl >= 1.27 validates on the server: an unknown field is refused by fieldValidation=Strict', async () => {
  if ((await clientMinor()) < 27) return; // older kubectl validates against /openapi/v2 itself
  const file = path.join(dir, 'engine.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: litmuschaos.io/v1alpha1',
      'kind: ChaosEngine',
      'metadata:',
      '  name: typo',
      'spec:',
      '  engineState: active',
      '  appinfo:',
      '    appns: default',
      '    applabl: app=web',
      '',
    ].join('\n'),
  );
  const err = await kubectlFails('create', '-n', 'default', '-f', file);
  expect(err).toContain('strict decoding error: unknown field "spec.appinfo.applabl"');
  const warned = await run(
    'kubectl',
    args(['create', '-n', 'default', '--validate=warn', '-f', file]),
    { env: env() },
  );
  expect(warned.stderr).toContain('Warning: unknown field "spec.appinfo.applabl"');
  expect(
    server.store.list(server.store.resource(ENGINES.group, ENGINES.plural)!)[0]?.spec?.appinfo,
  ).toEqual({
    appns: 'default',
  });
});
