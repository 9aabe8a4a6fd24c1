/**
 * Issue 7's secret-leak grep: the bundled action runs with a GitHub token, a Slack webhook URL, a
 * Prometheus token and a kubeconfig whose user has a bearer token, through a passing run and
 * through failing reports (GitHub refusing, Slack down); then everything the run wrote is
 * searched for every secret: the log (except the `::add-mask::` commands that register them),
 * stderr, the outputs, the saved state, the job summary, the JSON and JUnit reports, the ledger,
 * and what GitHub and Slack received. The post step's output too.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';
import { startSlackServer, type SlackServer } from '../src/sim/slack.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { runBundleAsync, stateEnv, type RunnerResult } from './support/runner.js';

const KUBE_TOKEN = 'kube-bearer-5ecr3t-0123456789abcdef';
const GITHUB_TOKEN = 'ghs_l3akch3ckGitHubT0ken0123456789';
const PROMETHEUS_TOKEN = 'prom-5ecr3t-t0ken-9876543210';
const SHA = '0123456789abcdef0123456789abcdef01234567';

let cluster: TestCluster;
let github: GitHubServer;
let slack: SlackServer;
let workspace: string;
let runnerTemp: string;

beforeEach(async () => {
  cluster = await startCluster({ token: KUBE_TOKEN });
  github = await startGitHubServer({ token: GITHUB_TOKEN });
  github.addPullRequest({ number: 9, headSha: SHA });
  slack = await startSlackServer();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-secrets-'));
  runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-secrets-temp-'));
  cpSync(RUN_DATA, workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'kubeconfig.yaml'), cluster.kubeconfig);
});

afterEach(async () => {
  await cluster.close();
  await github.close();
  await slack.close();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(runnerTemp, { recursive: true, force: true });
});

/** The secrets, and the parts of them that would still identify them. */
function secrets(): string[] {
  const hookPath = new URL(slack.webhookUrl).pathname;
  return [KUBE_TOKEN, GITHUB_TOKEN, PROMETHEUS_TOKEN, slack.webhookUrl, hookPath];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

function leaks(texts: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [where, text] of Object.entries(texts))
    for (const secret of secrets())
      for (const line of text.split('\n'))
        if (line.includes(secret) && !line.startsWith('::add-mask::'))
          out.push(`${where}: ${line.slice(0, 200)}`);
  return out;
}

async function runAndGrep(
  extra: Record<string, string>,
): Promise<{ main: RunnerResult; found: string[] }> {
  const inputs = {
    suite: 'suite.yml',
    experiments: 'litmus-pass,mesh-delay',
    kubeconfig: 'kubeconfig.yaml',
    'github-token': GITHUB_TOKEN,
    'slack-webhook-url': slack.webhookUrl,
    'prometheus-token': PROMETHEUS_TOKEN,
    'junit-path': 'out/junit.xml',
    'report-path': 'out/report.json',
    ...extra,
  };
  const env = { GITHUB_API_URL: github.url };
  const main = await runBundleAsync('index', inputs, { workspace, runnerTemp, env });
  const post = await runBundleAsync('post', inputs, {
    workspace,
    runnerTemp,
    env: { ...env, ...stateEnv(main.state) },
  });
  const written: Record<string, string> = {
    stdout: main.stdout,
    stderr: main.stderr,
    summary: main.summary,
    outputs: JSON.stringify(main.outputs),
    state: JSON.stringify(main.state),
    'post stdout': post.stdout,
    'post stderr': post.stderr,
    'GitHub comments': JSON.stringify(github.comments(9)),
    'GitHub check runs': JSON.stringify(github.checkRuns()),
    'Slack messages': JSON.stringify(slack.messages),
  };
  for (const f of [...filesUnder(path.join(workspace, 'out')), ...filesUnder(runnerTemp)])
    written[f] = readFileSync(f, 'utf8');
  // The grep must have something to grep: the reports and the ledger were written.
  expect(Object.keys(written).some((k) => k.endsWith('report.json'))).toBe(true);
  expect(Object.keys(written).some((k) => k.endsWith('junit.xml'))).toBe(true);
  expect(Object.keys(written).some((k) => k.endsWith('.ledger.json'))).toBe(true);
  return { main, found: leaks(written) };
}

test('a passing run with every report: no secret anywhere it wrote (masks registered first)', async () => {
  const { main, found } = await runAndGrep({});
  expect(main.status).toBe(0);
  expect(github.comments(9)).toHaveLength(1);
  expect(slack.messages).toHaveLength(1);
  expect(found).toEqual([]);
  for (const s of [KUBE_TOKEN, GITHUB_TOKEN, PROMETHEUS_TOKEN, slack.webhookUrl])
    expect(main.stdout).toContain(`::add-mask::${s}`);
  // Registered before anything else is logged.
  const firstMask = main.stdout.indexOf('::add-mask::');
  expect(main.stdout.slice(0, firstMask).trim()).toBe('');
}, 60_000);

test('failing reports (GitHub refuses, Slack is down): the warnings name no secret', async () => {
  github.forbid('/repos/acme/shop/issues');
  github.forbid('/repos/acme/shop/check-runs');
  slack.failNext(20, 503);
  const { main, found } = await runAndGrep({});
  expect(main.status).toBe(0);
  expect(main.stdout).toContain('pull-requests: write');
  expect(main.stdout).toMatch(/::warning::.*Slack/);
  expect(found).toEqual([]);
}, 90_000);
