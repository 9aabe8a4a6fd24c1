/**
 * Issue 7's cancellation proof: the bundled action (`node dist/index.js`, as the runner starts it)
 * runs a mixed suite (Litmus, Chaos Mesh, AWS FIS, two at a time) against the loopback Kubernetes
 * API, FIS and GitHub; at one moment it gets SIGINT, then SIGTERM, then SIGKILL (GitHub's cancel
 * sequence, compressed); then the post step runs with the state the main step saved. Whatever the
 * moment (time offsets and events: during the dry runs, the creates, mid-watch, during cleanup,
 * during reporting), nothing of the run may be left. GitHub waits 7.5 s after SIGINT and 2.5 s
 * after SIGTERM; the test gives 1 s and 2 s, so some main steps are killed mid-cleanup or
 * mid-report and the post step must finish their work: no object, no injected chaos, no running FIS
 * experiment. Prints the tally.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_LABEL } from '../src/kube/names.js';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { CREDENTIALS, startFis, type TestFis } from './support/fis.js';
import { runBundleAsync, stateEnv } from './support/runner.js';

const EXPERIMENTS = 'litmus-pass,mesh-delay,fis-completed,mesh-kill';
const GITHUB_TOKEN = 'ghs_cancelcancelcancel';
const SHA = '0123456789abcdef0123456789abcdef01234567';

let cluster: TestCluster;
let fis: TestFis;
let github: GitHubServer;
let workspace: string;

beforeAll(async () => {
  // Slower chaos than elsewhere, so every phase lasts long enough to be hit.
  cluster = await startCluster({ timeScale: 0.03 });
  fis = await startFis({ timeScale: 0.01 });
  github = await startGitHubServer({ token: GITHUB_TOKEN });
  github.addPullRequest({ number: 3, headSha: SHA });
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-cancel-'));
  cpSync(RUN_DATA, workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'kubeconfig.yaml'), cluster.kubeconfig);
});

afterAll(async () => {
  await cluster?.close();
  await fis?.close();
  await github?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** What the test can observe to pick its moment. */
interface World {
  kubeRequests: () => { method: string; path: string; query: Record<string, string> }[];
  /** Kinds of this run's objects (by its run label). */
  kinds: () => string[];
  /** Kinds of every object in the store (ChaosResults carry Litmus' labels, not ours). */
  allKinds: () => string[];
  fisTargets: () => string[];
  githubRequests: () => { method: string; path: string }[];
}

type Trigger = { name: string } & ({ afterMs: number } | { when: (w: World) => boolean });

const posts = (w: World): { path: string; query: Record<string, string> }[] =>
  w.kubeRequests().filter((r) => r.method === 'POST');
const nth =
  <T>(list: (w: World) => T[], n: number, pred: (x: T) => boolean = () => true) =>
  (w: World): boolean =>
    list(w).filter(pred).length >= n;

const TRIGGERS: Trigger[] = [
  ...[0, 30, 60, 100, 150, 200, 300, 450, 600, 800, 1000, 1300, 1700, 2200].map((ms) => ({
    name: `at +${ms}ms`,
    afterMs: ms,
  })),
  { name: 'first Kubernetes request', when: nth((w) => w.kubeRequests(), 1) },
  { name: 'first dry run', when: nth(posts, 1, (r) => r.query.dryRun === 'All') },
  { name: 'third dry run', when: nth(posts, 3, (r) => r.query.dryRun === 'All') },
  { name: 'first real create', when: nth(posts, 1, (r) => !r.query.dryRun) },
  { name: 'second real create', when: nth(posts, 2, (r) => !r.query.dryRun) },
  { name: 'ChaosEngine exists', when: (w) => w.kinds().includes('ChaosEngine') },
  { name: 'ChaosResult exists', when: (w) => w.allKinds().includes('ChaosResult') },
  { name: 'NetworkChaos exists', when: (w) => w.kinds().includes('NetworkChaos') },
  { name: 'PodChaos exists', when: (w) => w.kinds().includes('PodChaos') },
  {
    name: 'FIS start sent',
    when: nth(
      (w) => w.fisTargets(),
      1,
      (t) => t === 'StartExperiment',
    ),
  },
  {
    name: 'FIS polled twice',
    when: nth(
      (w) => w.fisTargets(),
      2,
      (t) => t === 'GetExperiment',
    ),
  },
  {
    name: 'first cleanup delete',
    when: nth(
      (w) => w.kubeRequests(),
      1,
      (r) => r.method === 'DELETE',
    ),
  },
  {
    name: 'third cleanup delete',
    when: nth(
      (w) => w.kubeRequests(),
      3,
      (r) => r.method === 'DELETE',
    ),
  },
  {
    name: 'check run started (reporting)',
    when: nth(
      (w) => w.githubRequests(),
      1,
      (r) => r.method === 'POST',
    ),
  },
  {
    name: 'comments listed (reporting)',
    when: nth(
      (w) => w.githubRequests(),
      1,
      (r) => r.method === 'GET' && r.path.includes('comments'),
    ),
  },
  {
    name: 'check run completing (reporting)',
    when: nth(
      (w) => w.githubRequests(),
      1,
      (r) => r.method === 'PATCH',
    ),
  },
];

interface Outcome {
  trigger: string;
  fired: boolean;
  mainStatus: number | null;
  postStatus: number | null;
  left: string[];
}

async function cancelAt(trigger: Trigger, runId: number): Promise<Outcome> {
  const kubeFrom = cluster.server.requests.length;
  const fisFrom = fis.server.requests.length;
  const ghFrom = github.requests.length;
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-cancel-temp-'));
  const world: World = {
    kubeRequests: () => cluster.server.requests.slice(kubeFrom),
    kinds: () =>
      cluster.server.store.allResources().flatMap((r) =>
        cluster.server.store
          .list(r)
          .filter((o) => o.metadata.labels?.[RUN_LABEL] === `gh-${runId}-1`)
          .map(() => r.kind),
      ),
    allKinds: () =>
      cluster.server.store
        .allResources()
        .filter((r) => r.group === 'litmuschaos.io')
        .flatMap((r) => cluster.server.store.list(r).map(() => r.kind)),
    fisTargets: () =>
      fis.server.requests
        .slice(fisFrom)
        .map((r) => r.target ?? '')
        .filter(Boolean),
    githubRequests: () => github.requests.slice(ghFrom),
  };
  const env = {
    GITHUB_RUN_ID: String(runId),
    GITHUB_API_URL: github.url,
    MAX_PARALLEL: '2',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_FIS: fis.server.url,
    AWS_ENDPOINT_URL_STS: fis.server.url,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  const inputs = {
    suite: 'suite.yml',
    experiments: EXPERIMENTS,
    kubeconfig: 'kubeconfig.yaml',
    'github-token': GITHUB_TOKEN,
  };
  let fired = false;
  const timers: NodeJS.Timeout[] = [];
  try {
    const main = await runBundleAsync('index', inputs, {
      workspace,
      runnerTemp,
      env,
      onStart: (child) => {
        const t0 = Date.now();
        const fire = (): void => {
          if (fired || child.exitCode !== null) return;
          fired = true;
          child.kill('SIGINT');
          timers.push(setTimeout(() => child.kill('SIGTERM'), 1000));
          timers.push(
            setTimeout(() => child.kill('SIGKILL'), Number(process.env.KILL_AFTER ?? 3000)),
          );
        };
        const poll = setInterval(() => {
          if (child.exitCode !== null || child.signalCode !== null || fired) {
            clearInterval(poll);
            return;
          }
          const go =
            'afterMs' in trigger ? Date.now() - t0 >= trigger.afterMs : trigger.when(world);
          if (go) fire();
        }, 2);
        timers.push(poll);
      },
    });
    timers.forEach((t) => clearTimeout(t));
    const post = await runBundleAsync('post', inputs, {
      workspace,
      runnerTemp,
      env: { ...env, ...stateEnv(main.state) },
    });
    const left = [
      ...world.kinds().map((k) => `${k} of gh-${runId}-1`),
      ...fis.server
        .experiments()
        .filter(
          (e) =>
            e.tags?.['chaos-gate.io/run'] === `gh-${runId}-1` &&
            !['completed', 'stopped', 'failed', 'cancelled'].includes(e.state?.status ?? ''),
        )
        .map((e) => `FIS experiment ${e.id ?? '?'} ${e.state?.status ?? '?'}`),
    ];
    if (left.length || post.status !== 0 || process.env.DEBUG_CANCEL)
      process.stderr.write(
        `[${trigger.name}] main ${main.status}\n${main.stdout.slice(-3000)}\n${main.stderr}\npost ${post.status}\n${post.stdout}\n${post.stderr}\n`,
      );
    return {
      trigger: trigger.name,
      fired,
      mainStatus: main.status,
      postStatus: post.status,
      left,
    };
  } finally {
    timers.forEach((t) => clearTimeout(t));
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

test(`SIGINT, SIGTERM, SIGKILL at ${TRIGGERS.length} moments of a mixed suite, then the post step: nothing left, every time`, async () => {
  expect(TRIGGERS.length).toBeGreaterThanOrEqual(30);
  const outcomes: Outcome[] = [];
  const only = process.env.DEBUG_CANCEL;
  for (const [i, t] of TRIGGERS.entries())
    if (!only || t.name.includes(only)) outcomes.push(await cancelAt(t, 700 + i));
  const clean = outcomes.filter((o) => o.left.length === 0 && o.postStatus === 0);
  const fired = outcomes.filter((o) => o.fired).length;
  const graceful = outcomes.filter((o) => o.fired && o.mainStatus !== 128).length;
  process.stdout.write(
    `cancellation: ${clean.length}/${outcomes.length} moments left nothing behind (${fired} signalled mid-run, ${graceful} of them stopped and exited before SIGKILL; the rest had finished)\n` +
      outcomes
        .map(
          (o) =>
            `  ${o.left.length === 0 && o.postStatus === 0 ? 'ok  ' : 'LEFT'} ${o.trigger}: main exit ${o.mainStatus}, post exit ${o.postStatus}${o.fired ? '' : ' (finished before the signal)'}${o.left.length ? `: ${o.left.join(', ')}` : ''}`,
        )
        .join('\n') +
      '\n',
  );
  expect(outcomes.filter((o) => o.left.length > 0)).toEqual([]);
  expect(outcomes.filter((o) => o.postStatus !== 0)).toEqual([]);
  // Most moments must actually interrupt the run, or the test proves little.
  expect(fired).toBeGreaterThanOrEqual(25);
  expect(cluster.leftovers()).toEqual([]);
  expect(fis.server.running()).toEqual([]);
}, 600_000);
