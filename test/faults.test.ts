/**
 * Issue 7's fault-injection proof: the same mixed suite (Litmus pass and fail, Chaos Mesh delay
 * and kill, FIS completed and stopped by an alarm; two at a time) runs through the action's
 * pipeline (`run()` of src/main.ts) twice: fault-free, then with 10% of Kubernetes requests
 * failing with 500, every watch dropped each second, one 410 Gone, FIS throttled, and GitHub
 * answering 502 twice. Verdicts and score must be identical, with no duplicate objects and
 * nothing left.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUN_LABEL } from '../src/kube/names.js';
import { run } from '../src/main.js';
import { fakeAction, type ActionRecord } from './support/action.js';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { CREDENTIALS, startFis, type TestFis } from './support/fis.js';

const TOKEN = 'ghs_faultsfaultsfaults';
const SHA = 'f'.repeat(40);
const EXPERIMENTS = 'litmus-pass,litmus-fail,mesh-delay,mesh-kill,fis-completed,fis-alarm';

let cluster: TestCluster;
let fis: TestFis;
let github: GitHubServer;
let workspace: string;

beforeAll(async () => {
  cluster = await startCluster({ timeScale: 0.03 });
  cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 50 });
  fis = await startFis({ timeScale: 0.01 });
  github = await startGitHubServer({ token: TOKEN });
  github.addPullRequest({ number: 5, headSha: SHA });
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-faults-'));
  cpSync(RUN_DATA, workspace, { recursive: true });
  writeFileSync(
    path.join(workspace, 'event.json'),
    JSON.stringify({
      deployment: { sha: SHA },
      deployment_status: { state: 'success' },
      repository: { full_name: 'acme/shop', default_branch: 'main' },
    }),
  );
});

afterAll(async () => {
  await cluster?.close();
  await fis?.close();
  await github?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

interface Result extends ActionRecord {
  /** Every chaos object of the run the API server ever created (ADDED events), by name. */
  created: string[];
}

async function action(runId: string): Promise<Result> {
  const created: string[] = [];
  const stop = cluster.server.store.subscribe((e) => {
    if (e.type === 'ADDED' && e.object.metadata.labels?.[RUN_LABEL] === `gh-${runId}-1`)
      created.push(`${e.object.kind ?? ''} ${e.object.metadata.name ?? ''}`);
  });
  const { deps, record } = fakeAction({
    inputs: { suite: 'suite.yml', experiments: EXPERIMENTS, 'github-token': TOKEN },
    env: {
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: workspace,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'deployment_status',
      GITHUB_EVENT_PATH: path.join(workspace, 'event.json'),
      MAX_PARALLEL: '2',
      // FIS through the real SDK client pointed at the loopback FIS (the pipeline connects).
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_FIS: fis.server.url,
      AWS_ENDPOINT_URL_STS: fis.server.url,
    },
  });
  deps.pipeline = {
    kubeApi: cluster.api,
    kubeOptions: {
      selectionGraceMs: 300,
      deleteTimeoutMs: 10_000,
      debug: (m) => record.lines.push(`debug: ${m}`),
    },
  };
  // The SDK reads its credentials from the process environment.
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  try {
    await run(deps);
  } finally {
    process.env = saved;
    stop();
  }
  return { ...record, created };
}

const verdicts = (r: Result): string[] =>
  r.lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => /^ {2}(pass|fail|error|aborted|skipped) +\S+ \(/.test(l))
    .map((l) => {
      const m = /^ {2}(\S+) +(\S+) /.exec(l);
      return `${m?.[2] ?? ''}: ${m?.[1] ?? ''}`;
    });

test('faults in Kubernetes, FIS and GitHub change nothing: same verdicts, same score, no duplicates', async () => {
  const clean = await action('501');
  expect(['warn', 'fail']).toContain(clean.outputs.verdict);
  expect(clean.outputs.score).not.toBe('');
  if (verdicts(clean).length !== 6) process.stderr.write(clean.lines.join('\n'));
  expect(verdicts(clean)).toHaveLength(6);

  // The faults.
  cluster.server.faults.failRate(0.1, 500, { seed: 42 });
  const dropper = setInterval(() => cluster.server.faults.dropWatches(), 1000);
  // Once the engines are being watched: history forgotten and moved on, every watch dropped, so
  // a watch resuming from before gets 410 Gone.
  let compactor: NodeJS.Timeout | undefined;
  const { store } = cluster.server;
  const unsubscribe = store.subscribe((e) => {
    if (compactor || e.type !== 'ADDED' || e.object.kind !== 'ChaosEngine') return;
    compactor = setTimeout(() => {
      const configMaps = store.resource('', 'configmaps');
      cluster.server.faults.compact();
      if (configMaps)
        store.create(configMaps, 'default', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'moves-history-on' },
        });
      cluster.server.faults.dropWatches();
    }, 150);
  });
  fis.server.faults.throttleNext(4);
  github.failNext(2, 502);
  const requestsBefore = cluster.server.requests.length;
  let faulty: Result;
  try {
    faulty = await action('502');
  } finally {
    clearInterval(dropper);
    clearTimeout(compactor);
    unsubscribe();
    cluster.server.faults.reset();
  }
  const failed = cluster.server.requests.slice(requestsBefore).filter((r) => r.status === 500);
  expect(failed.length).toBeGreaterThan(3);
  if (process.env.DEBUG_FAULTS) process.stderr.write(faulty.lines.join('\n'));
  // The compacted history: a watch that resumed got 410 Gone (inside its stream) and listed again.
  expect(faulty.lines.some((l) => l.includes('history expired (410 Gone); listing again'))).toBe(
    true,
  );

  expect(verdicts(faulty)).toEqual(verdicts(clean));
  expect(faulty.outputs.verdict).toBe(clean.outputs.verdict);
  expect(faulty.outputs.score).toBe(clean.outputs.score);
  // Retries never made a second object: the same kinds, as many of each, as without faults (a
  // retried create of the same name is refused by the server, so a duplicate would have to be a
  // second name: it would show here as one object too many).
  const kinds = (r: Result): string[] => r.created.map((c) => c.split(' ')[0] ?? '').sort();
  expect(kinds(faulty)).toEqual(kinds(clean));
  expect(faulty.created.length).toBeGreaterThan(0);
  // The retries were said, with their attempt number.
  expect(faulty.lines.filter((l) => /attempt \d of \d/.test(l))).not.toEqual([]);
  // GitHub's 502s were retried: the report went out.
  expect(faulty.outputs['comment-url']).not.toBe('');
  expect(faulty.outputs['check-run-url']).not.toBe('');
  expect(cluster.leftovers()).toEqual([]);
  expect(fis.server.running()).toEqual([]);
}, 180_000);
