/**
 * Which cluster we talk to (SPEC sections 2 and 8): the kubeconfig input (YAML or a path), else
 * KUBECONFIG, else ~/.kube/config; then kube-context, checked against safety.kubeContexts, with
 * every credential masked. Every test passes `env` and a `home` of its own, so the real home
 * directory and the real KUBECONFIG are never read.
 */
import path from 'node:path';
import { KubeAccessError, loadKubeConfig, type KubeAccessOptions } from '../src/kube/config.js';
import { workdir, type Workdir } from './support/workdir.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.staging-token.c2lnbmF0dXJl';
const KEY_DATA = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCmtleS1kYXRh';
const CERT_DATA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmNlcnQtZGF0YQ==';
const PASSWORD = 'hunter2-basic-auth';

/** A kubeconfig with one cluster, user and context per name, the first current. */
function kubeconfig(
  contexts: { name: string; user: string; userBody: string; server?: string }[],
  current = contexts[0]?.name ?? '',
): string {
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${current}`, 'clusters:'];
  for (const c of contexts)
    lines.push(
      `- name: ${c.name}-cluster`,
      '  cluster:',
      `    server: ${c.server ?? `https://${c.name}.example.test:6443`}`,
      '    insecure-skip-tls-verify: true',
    );
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.user}`, '  user:', c.userBody);
  lines.push('contexts:');
  for (const c of contexts)
    lines.push(
      `- name: ${c.name}`,
      '  context:',
      `    cluster: ${c.name}-cluster`,
      `    user: ${c.user}`,
    );
  return lines.join('\n') + '\n';
}

const tokenUser = `    token: ${TOKEN}`;
const certUser = `    client-certificate-data: ${CERT_DATA}\n    client-key-data: ${KEY_DATA}`;
const basicUser = `    username: admin\n    password: ${PASSWORD}`;

const THREE = kubeconfig([
  { name: 'staging-eu', user: 'ci', userBody: tokenUser },
  { name: 'staging-us', user: 'cert-user', userBody: certUser },
  { name: 'prod-eu', user: 'basic-user', userBody: basicUser },
]);

let wd: Workdir;
let emptyHome: string;
beforeEach(() => {
  wd = workdir('chaos-gate-kubeconfig-');
  emptyHome = path.join(wd.dir, 'empty-home');
});
afterEach(() => wd.remove());

function load(opts: Partial<KubeAccessOptions>): {
  result: ReturnType<typeof loadKubeConfig>;
  masked: string[];
} {
  const masked: string[] = [];
  const result = loadKubeConfig({
    env: {},
    home: emptyHome,
    mask: (s) => masked.push(s),
    ...opts,
  });
  return { result, masked };
}

function loadError(opts: Partial<KubeAccessOptions>): KubeAccessError {
  try {
    load(opts);
  } catch (err) {
    expect(err).toBeInstanceOf(KubeAccessError);
    return err as KubeAccessError;
  }
  throw new Error('expected loadKubeConfig to throw');
}

describe('where the kubeconfig comes from', () => {
  test('the input as YAML', () => {
    const { result } = load({ kubeconfig: THREE });
    expect(result.source).toBe('the kubeconfig input');
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
    expect(result.kc.getCurrentCluster()?.server).toBe('https://staging-eu.example.test:6443');
  });

  test('the input as a path', () => {
    const file = wd.write('ci/kubeconfig.yaml', THREE);
    const { result } = load({ kubeconfig: file });
    expect(result.source).toBe(file);
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test('the input wins over KUBECONFIG and ~/.kube/config', () => {
    const other = kubeconfig([{ name: 'other', user: 'u', userBody: tokenUser }]);
    const envFile = wd.write('env/config', other);
    const home = path.join(wd.dir, 'home');
    wd.write('home/.kube/config', other);
    const { result } = load({ kubeconfig: THREE, env: { KUBECONFIG: envFile }, home });
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test('an input that is neither YAML nor an existing file is an error naming it', () => {
    const missing = path.join(wd.dir, 'nope.yaml');
    const err = loadError({ kubeconfig: missing });
    expect(err.message).toContain(missing);
  });

  test('KUBECONFIG with one file', () => {
    const file = wd.write('kc/a.yaml', THREE);
    const { result } = load({ env: { KUBECONFIG: file } });
    expect(result.source).toContain(file);
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test("KUBECONFIG with several files joined with ':': contexts of all of them", () => {
    const a = wd.write(
      'kc/a.yaml',
      kubeconfig([{ name: 'staging-eu', user: 'ci-eu', userBody: tokenUser }]),
    );
    const b = wd.write(
      'kc/b.yaml',
      kubeconfig([{ name: 'staging-us', user: 'ci-us', userBody: certUser }]),
    );
    const missing = path.join(wd.dir, 'kc/missing.yaml');
    const { result, masked } = load({
      env: { KUBECONFIG: [a, missing, b].join(':') },
      context: 'staging-us',
    });
    expect(result.kc.getContexts().map((c) => c.name)).toEqual(['staging-eu', 'staging-us']);
    expect(result.kc.getCurrentContext()).toBe('staging-us');
    expect(result.kc.getCurrentCluster()?.server).toBe('https://staging-us.example.test:6443');
    expect(masked).toEqual(expect.arrayContaining([TOKEN, KEY_DATA]));
  });

  test('KUBECONFIG with several files: the first current-context wins (as kubectl)', () => {
    const a = wd.write(
      'kc/a.yaml',
      kubeconfig([{ name: 'staging-eu', user: 'ci-eu', userBody: tokenUser }]),
    );
    const b = wd.write(
      'kc/b.yaml',
      kubeconfig([{ name: 'prod-eu', user: 'ci-prod', userBody: tokenUser }]),
    );
    const { result } = load({ env: { KUBECONFIG: `${a}:${b}` } });
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test('KUBECONFIG with several files defining the same user: the first wins (as kubectl)', () => {
    const a = wd.write(
      'kc/a.yaml',
      kubeconfig([{ name: 'staging-eu', user: 'admin', userBody: tokenUser }]),
    );
    const b = wd.write(
      'kc/b.yaml',
      kubeconfig([{ name: 'staging-us', user: 'admin', userBody: basicUser }]),
    );
    const { result } = load({ env: { KUBECONFIG: `${a}:${b}` }, context: 'staging-eu' });
    expect(result.kc.getCurrentUser()?.token).toBe(TOKEN);
  });

  test('~/.kube/config under the `home` option when there is no KUBECONFIG', () => {
    const home = path.join(wd.dir, 'home');
    const file = wd.write('home/.kube/config', THREE);
    const { result } = load({ home });
    expect(result.source).toBe(file);
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test('KUBECONFIG naming only missing files falls back to ~/.kube/config', () => {
    const home = path.join(wd.dir, 'home');
    wd.write('home/.kube/config', THREE);
    const { result } = load({ home, env: { KUBECONFIG: path.join(wd.dir, 'gone.yaml') } });
    expect(result.kc.getCurrentContext()).toBe('staging-eu');
  });

  test('nothing found: a clear error saying what to set', () => {
    const err = loadError({});
    expect(err.message).toMatch(/no Kubernetes credentials/);
    expect(err.message).toContain('kubeconfig');
    expect(err.message).toContain('KUBECONFIG');
    expect(err.message).toContain('~/.kube/config');
  });

  test('a blank input counts as no input', () => {
    const err = loadError({ kubeconfig: '  \n ' });
    expect(err.message).toMatch(/no Kubernetes credentials/);
  });
});

describe('kube-context and safety.kubeContexts', () => {
  test('context selects a context', () => {
    const { result } = load({ kubeconfig: THREE, context: 'staging-us' });
    expect(result.kc.getCurrentContext()).toBe('staging-us');
    expect(result.kc.getCurrentCluster()?.server).toBe('https://staging-us.example.test:6443');
  });

  test('an unknown context is an error listing the contexts there are', () => {
    const err = loadError({ kubeconfig: THREE, context: 'staging-ap' });
    expect(err.message).toContain('staging-ap');
    for (const c of ['staging-eu', 'staging-us', 'prod-eu']) expect(err.message).toContain(c);
  });

  test.each<[string, string | undefined, string[]]>([
    ['the current context, allowed', undefined, ['staging-eu']],
    ['a chosen context, allowed', 'staging-us', ['staging-eu', 'staging-us']],
  ])('%s', (_what, context, allowedContexts) => {
    const { result } = load({
      kubeconfig: THREE,
      allowedContexts,
      ...(context ? { context } : {}),
    });
    expect(allowedContexts).toContain(result.kc.getCurrentContext());
  });

  test.each<[string, string | undefined, string]>([
    ['the current context, not listed', undefined, 'staging-eu'],
    ['a chosen context, not listed', 'prod-eu', 'prod-eu'],
  ])('%s: refused, naming it', (_what, context, refused) => {
    const err = loadError({
      kubeconfig: THREE,
      allowedContexts: ['staging-us'],
      ...(context ? { context } : {}),
    });
    expect(err.message).toContain(refused);
    expect(err.message).toContain('safety.kubeContexts');
    expect(err.message).toMatch(/refus/);
  });
});

describe('credentials are masked', () => {
  test.each<[string, string, string[]]>([
    ['token', 'staging-eu', [TOKEN]],
    ['client-key-data (and the certificate)', 'staging-us', [KEY_DATA, CERT_DATA]],
    ['password', 'prod-eu', [PASSWORD]],
  ])('%s', (_what, context, secrets) => {
    const { masked } = load({ kubeconfig: THREE, context });
    expect(masked).toEqual(expect.arrayContaining(secrets));
  });

  test('every credential in the file, also of contexts not used, from a path', () => {
    const file = wd.write('kc/config', THREE);
    const { masked } = load({ kubeconfig: file });
    expect(masked).toEqual(expect.arrayContaining([TOKEN, KEY_DATA, CERT_DATA, PASSWORD]));
  });

  test('from ~/.kube/config too', () => {
    const home = path.join(wd.dir, 'home');
    wd.write('home/.kube/config', THREE);
    const { masked } = load({ home, context: 'prod-eu' });
    expect(masked).toEqual(expect.arrayContaining([TOKEN, KEY_DATA, PASSWORD]));
  });

  test('masked even when the context is then refused', () => {
    const masked: string[] = [];
    expect(() =>
      loadKubeConfig({
        kubeconfig: THREE,
        allowedContexts: ['nowhere'],
        env: {},
        home: emptyHome,
        mask: (s) => masked.push(s),
      }),
    ).toThrow(KubeAccessError);
    expect(masked).toEqual(expect.arrayContaining([TOKEN, KEY_DATA, PASSWORD]));
  });
});
