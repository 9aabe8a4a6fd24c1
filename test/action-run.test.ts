/**
 * The committed bundle in `mode: run`, as the GitHub runner runs it, against the loopback
 * Kubernetes API (kubeconfig input pointing at it): the verdict outputs, the summary, masked
 * credentials, only loopback connections; then the post step, which finds nothing left. And a
 * main step killed mid-experiment: the post step removes what its ledger holds.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundleAsync, stateEnv } from './support/runner.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { CREDENTIALS, startFis } from './support/fis.js';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';
import { startSlackServer, type SlackServer } from '../src/sim/slack.js';

const TOKEN = 'loopback-token-0123456789abcdef';
const GITHUB_TOKEN = 'ghs_secretsecretsecret';
/** The runner's GITHUB_SHA (test/support/runner.ts). */
const SHA = '0123456789abcdef0123456789abcdef01234567';
let cluster: TestCluster;
let github: GitHubServer;
let slack: SlackServer;
let workspace: string;
let runnerTemp: string;

beforeEach(async () => {
  cluster = await startCluster({ token: TOKEN });
  github = await startGitHubServer({ token: GITHUB_TOKEN });
  slack = await startSlackServer();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-ws-'));
  runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-temp-'));
  cpSync(RUN_DATA, workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'kubeconfig.yaml'), cluster.kubeconfig);
});

afterEach(async () => {
  const left = cluster.leftovers();
  await cluster.close();
  await github.close();
  await slack.close();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(runnerTemp, { recursive: true, force: true });
  expect(left).toEqual([]);
});

const inputs = (experiments: string): Record<string, string> => ({
  suite: 'suite.yml',
  experiments,
  mode: 'run',
  kubeconfig: 'kubeconfig.yaml',
  'github-token': GITHUB_TOKEN,
});
/** The runner's environment: the loopback GitHub API. */
const gh = (): Record<string, string> => ({ GITHUB_API_URL: github.url });

test('run: verdict outputs and summary; the token is masked; only loopback; the post step finds nothing left', async () => {
  github.addPullRequest({ number: 7, headSha: SHA });
  const main = await runBundleAsync(
    'index',
    { ...inputs('litmus-pass,mesh-delay'), 'slack-webhook-url': slack.webhookUrl },
    { workspace, runnerTemp, env: gh() },
  );
  expect(main.stderr).toBe('');
  expect(main.status).toBe(0);
  expect(main.outputs).toMatchObject({
    verdict: 'pass',
    score: '100.0',
    passed: '2',
    failed: '0',
    errored: '0',
  });
  expect(main.summary).toContain('<!-- chaos-gate:suite=run-it -->');
  expect(main.summary).toMatch(/\| litmus-pass \| LitmusChaos \| ✅ pass \| 100\.0 \|/);
  // The reports (SPEC 7): the sticky comment on the commit's open PR, the check run on the
  // deployed commit, Slack; their URLs in the outputs.
  const comments = github.comments(7);
  expect(comments).toHaveLength(1);
  expect(comments[0]?.body.trim()).toBe(main.summary.trim());
  expect(main.outputs['comment-url']).toBe(comments[0]?.htmlUrl);
  const [check] = github.checkRuns();
  expect(check).toMatchObject({
    name: 'chaos-gate / run-it',
    headSha: SHA,
    status: 'completed',
    conclusion: 'success',
  });
  expect(main.outputs['check-run-url']).toBe(check?.htmlUrl);
  expect(slack.messages).toHaveLength(1);
  expect(slack.messages[0]?.text).toContain('run-it');
  expect(main.stdout).toContain('::group::litmus-pass (litmus)');
  expect(main.stdout).toMatch(/\[mesh-delay\] \+\d+\.\ds created NetworkChaos shop\/web-delay-/);
  // The kubeconfig's token is masked before anything is logged, and never printed otherwise.
  expect(main.stdout).toContain(`::add-mask::${TOKEN}`);
  const withToken = (main.stdout + main.summary).split('\n').filter((l) => l.includes(TOKEN));
  expect(withToken.every((l) => l === `::add-mask::${TOKEN}`)).toBe(true);
  const port = new URL(cluster.server.url).port;
  expect(main.network.length).toBeGreaterThan(0);
  const ports = `(${port}|${new URL(github.url).port}|${new URL(slack.url).port})`;
  for (const line of main.network)
    expect(line).toMatch(
      new RegExp(`^(connect 127\\.0\\.0\\.1:${ports}|fetch http://127\\.0\\.0\\.1:${ports}/)`),
    );
  expect(main.state['run-id']).toBe('gh-42-1');

  const post = await runBundleAsync('post', inputs('litmus-pass,mesh-delay'), {
    workspace,
    runnerTemp,
    env: stateEnv(main.state),
  });
  expect(post.status).toBe(0);
  expect(post.stdout).toContain('chaos-gate post step: run gh-42-1 left nothing to clean up.');
  expect(post.network).toEqual([]);
});

test('dry-run: connects, creates only with dryRun=All, prints the plan; verdict skipped, nothing left', async () => {
  const before = cluster.server.requests.length;
  const main = await runBundleAsync(
    'index',
    { ...inputs('litmus-pass,mesh-delay'), mode: 'dry-run' },
    { workspace, runnerTemp, env: gh() },
  );
  expect(main.stderr).toBe('');
  expect(main.status).toBe(0);
  expect(main.stdout).toContain('Plan for suite "run-it": 2 experiments');
  expect(main.stdout).toContain('Dry run: nothing was injected.');
  expect(main.outputs).toMatchObject({ verdict: 'skipped', score: '', passed: '0' });
  expect(main.summary).toContain('## chaos-gate plan: run-it');
  const writes = cluster.server.requests
    .slice(before)
    .filter((r) => r.method !== 'GET' && r.method !== 'LIST');
  expect(writes.length).toBeGreaterThan(0);
  expect(writes.every((r) => r.method === 'POST' && r.query.dryRun === 'All')).toBe(true);
});

test('a main step killed mid-experiment: the post step stops and deletes what the ledger holds', async () => {
  cluster.litmus.scenario('web-delete-hang', { hang: true });
  let killed = false;
  const main = await runBundleAsync('index', inputs('litmus-hang'), {
    workspace,
    runnerTemp,
    env: gh(),
    onStart: (child) => {
      const unsubscribe = cluster.server.store.subscribe((e) => {
        // Once the chaos is running, the runner dies without a chance to clean up.
        if (e.object.kind === 'ChaosResult' && !killed) {
          killed = true;
          unsubscribe();
          child.kill('SIGKILL');
        }
      });
    },
  });
  expect(killed).toBe(true);
  expect(main.status).not.toBe(0);
  const engines = cluster.server.store.list(
    cluster.server.store.resource('litmuschaos.io', 'chaosengines')!,
  );
  expect(engines.map((e) => e.metadata.name)).toEqual([
    expect.stringMatching(/^web-delete-hang-[a-z0-9]{5}$/),
  ]);

  // An object of this run that its ledger does not know (as if its entry were lost): the post
  // step's label sweep finds it after undoing the ledger.
  const { store } = cluster.server;
  store.create(store.resource('chaos-mesh.org', 'podchaos')!, 'shop', {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'PodChaos',
    metadata: {
      name: 'unledgered-kill',
      namespace: 'shop',
      labels: {
        'app.kubernetes.io/managed-by': 'chaos-gate',
        'chaos-gate.io/run': 'gh-42-1',
        'chaos-gate.io/experiment': 'mesh-kill',
      },
    },
    spec: { action: 'pod-kill', mode: 'one', selector: { namespaces: ['shop'] } },
  });
  const post = await runBundleAsync('post', inputs('litmus-hang'), {
    workspace,
    runnerTemp,
    env: stateEnv(main.state),
  });
  expect(post.stderr).toBe('');
  if (post.status !== 0) process.stderr.write(post.stdout);
  expect(post.status).toBe(0);
  expect(post.stdout).toContain(
    'chaos-gate post step: run gh-42-1 left 1 object in its ledger; removing.',
  );
  expect(post.stdout).toMatch(/removed ChaosEngine shop\/web-delete-hang-[a-z0-9]{5}/);
  expect(post.stdout).toMatch(/removed ChaosResult shop\/web-delete-hang-[a-z0-9]{5}-pod-delete/);
  expect(post.stdout).toContain('the label sweep found 1 more object of run gh-42-1');
  expect(post.stdout).toContain('nothing of run gh-42-1 is left');

  // Running it again is harmless.
  const again = await runBundleAsync('post', inputs('litmus-hang'), {
    workspace,
    runnerTemp,
    env: stateEnv(main.state),
  });
  expect(again.status).toBe(0);
});

describe('chaos-gate run (the CLI)', () => {
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    const { main } = await import('../src/cli.js');
    let out = '';
    let err = '';
    const sink = (f: (s: string) => void): NodeJS.WritableStream =>
      ({ write: (s: string) => (f(s), true) }) as unknown as NodeJS.WritableStream;
    const code = await main(args, {
      out: sink((s) => (out += s)),
      err: sink((s) => (err += s)),
      env: { RUNNER_TEMP: runnerTemp },
      cwd: workspace,
    });
    return { code, out, err };
  };

  test('exit 0 and the verdict for a passing run', async () => {
    const r = await cli([
      'run',
      '--suite',
      'suite.yml',
      '--experiments',
      'mesh-kill',
      '--kubeconfig',
      'kubeconfig.yaml',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Verdict: pass, score 100.0');
  });

  test('exit 1 when the verdict fails', async () => {
    cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 0 });
    const r = await cli([
      'run',
      '--suite',
      'suite.yml',
      '--experiments',
      'litmus-fail',
      '--kubeconfig',
      'kubeconfig.yaml',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Verdict: fail, score 0.0');
    expect(r.out).toMatch(
      /fail +litmus-fail \(litmus\): Litmus web-delete-fail-[a-z0-9]{5}-pod-delete: Fail/,
    );
  });
});

test('the post step (the bundle) stops a FIS experiment its ledger holds, in the ledger region', async () => {
  const fis = await startFis();
  try {
    const running = await fis.api.start({
      templateId: 'EXThang01',
      clientToken: 'post-step-token',
      tags: { 'chaos-gate.io/run': 'gh-42-1', 'chaos-gate.io/experiment': 'fis-hang' },
    });
    const ledger = {
      version: 1,
      runId: 'gh-42-1',
      entries: [
        {
          id: 'aws-fis:fis-hang:post-step-token',
          provider: 'aws-fis',
          experiment: 'fis-hang',
          state: 'created',
          createdAt: new Date().toISOString(),
          target: {
            type: 'fis',
            templateId: 'EXThang01',
            clientToken: 'post-step-token',
            region: 'eu-west-1',
            experimentId: running.id,
          },
        },
      ],
    };
    const post = await runBundleAsync('post', inputs(''), {
      workspace,
      runnerTemp,
      env: {
        ...stateEnv({ 'run-id': 'gh-42-1', ledger: JSON.stringify(ledger) }),
        AWS_ENDPOINT_URL_FIS: fis.server.url,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    });
    expect(post.stderr).toBe('');
    expect(post.status).toBe(0);
    expect(post.stdout).toContain(`removed FIS experiment ${running.id} (stopped)`);
    expect(fis.server.running()).toEqual([]);
    expect(fis.server.requests.some((r) => r.target === 'StopExperiment')).toBe(true);
  } finally {
    await fis.close();
  }
});
