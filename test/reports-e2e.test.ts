/**
 * The reports of SPEC 7 through the action's own pipeline (`run()` of src/main.ts), against the
 * loopback cluster, a loopback GitHub API (src/sim/github.ts) and a loopback Slack: the sticky
 * comment created, then updated in place with the delta; the PR found from a deployment_status
 * event's SHA; no PR, no comment, no error; a read-only token is a warning that never changes the
 * verdict; the check run per verdict; slack-on.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InputName } from '../src/constants.js';
import { run } from '../src/main.js';
import { fakeAction, type ActionRecord } from './support/action.js';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';
import { startSlackServer, type SlackServer } from '../src/sim/slack.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';

const TOKEN = 'ghs_reportsreportsreports';
const SHA = 'a'.repeat(40);
let cluster: TestCluster;
let github: GitHubServer;
let slack: SlackServer;
let workspace: string;

beforeEach(async () => {
  cluster = await startCluster();
  github = await startGitHubServer({ token: TOKEN });
  slack = await startSlackServer();
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-reports-'));
  cpSync(RUN_DATA, workspace, { recursive: true });
});

afterEach(async () => {
  const left = cluster.leftovers();
  await cluster.close();
  await github.close();
  await slack.close();
  rmSync(workspace, { recursive: true, force: true });
  expect(left).toEqual([]);
});

async function action(
  inputs: Partial<Record<InputName, string>>,
  event: { name: string; payload: unknown },
): Promise<ActionRecord> {
  const eventPath = path.join(workspace, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const { deps, record } = fakeAction({
    inputs: {
      suite: 'suite.yml',
      'github-token': TOKEN,
      'slack-webhook-url': slack.webhookUrl,
      ...inputs,
    },
    env: {
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: workspace,
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_RUN_ID: '99',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
    },
    pipeline: { kubeApi: cluster.api },
  });
  await run(deps);
  return record;
}

const deployment = {
  name: 'deployment_status',
  payload: {
    deployment_status: { state: 'success' },
    deployment: { sha: SHA, environment: 'staging' },
    repository: { full_name: 'acme/shop', default_branch: 'main' },
  },
};

test('deployment_status: the PR of the deployed SHA gets one comment, updated in place with the delta', async () => {
  github.addPullRequest({ number: 12, headSha: SHA });
  const first = await action({ experiments: 'litmus-pass' }, deployment);
  expect(first.failed).toEqual([]);
  expect(first.outputs).toMatchObject({ verdict: 'pass', score: '100.0', 'score-delta': '' });
  expect(github.comments(12)).toHaveLength(1);
  expect(first.outputs['comment-url']).toBe(github.comments(12)[0]?.htmlUrl);
  // The check run created when chaos started named PR #12 (its head is the deployed commit):
  // no lookup of the commit's pull requests.
  expect(github.requests.filter((r) => r.path.endsWith(`/commits/${SHA}/pulls`))).toEqual([]);

  cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 50 });
  const second = await action({ experiments: 'litmus-fail' }, deployment);
  expect(second.outputs).toMatchObject({ verdict: 'fail', score: '50.0', 'score-delta': '-50.0' });
  const comments = github.comments(12);
  expect(comments).toHaveLength(1);
  expect(comments[0]?.body).toContain('Resilience score **50.0**');
  expect(comments[0]?.body).toContain('▼ -50.0');
  // Two check runs on the deployed commit, one per run, with their conclusions.
  expect(github.checkRuns().map((c) => [c.name, c.headSha, c.status, c.conclusion])).toEqual([
    ['chaos-gate / run-it', SHA, 'completed', 'success'],
    ['chaos-gate / run-it', SHA, 'completed', 'failure'],
  ]);
  // The failed experiment is annotated at its line in the suite file.
  expect(github.checkRuns()[1]?.annotations).toEqual([
    expect.objectContaining({
      path: 'suite.yml',
      start_line: 14,
      annotation_level: 'failure',
      title: 'litmus-fail: fail',
    }),
  ]);
  expect(slack.messages).toHaveLength(2);
}, 60_000);

test('no open PR for the commit: no comment, no error; the check run still goes out', async () => {
  const r = await action({ experiments: 'mesh-kill' }, deployment);
  expect(r.failed).toEqual([]);
  expect(r.warnings).toEqual([]);
  expect(r.outputs).toMatchObject({ verdict: 'pass', 'comment-url': '' });
  expect(github.checkRuns()).toHaveLength(1);
}, 30_000);

test('a read-only token (403 on comments and checks): warnings naming the permissions, verdict unchanged', async () => {
  github.addPullRequest({ number: 12, headSha: SHA });
  github.forbid('/repos/acme/shop/issues');
  github.forbid('/repos/acme/shop/check-runs');
  const r = await action({ experiments: 'mesh-kill' }, deployment);
  expect(r.failed).toEqual([]);
  expect(r.outputs).toMatchObject({ verdict: 'pass', score: '100.0', 'comment-url': '' });
  expect(r.warnings.some((w) => w.includes('pull-requests: write'))).toBe(true);
  expect(r.warnings.some((w) => w.includes('checks: write'))).toBe(true);
  expect(r.warnings.join('\n')).not.toContain(TOKEN);
  expect(r.summary[0]).toContain('<!-- chaos-gate:suite=run-it -->');
}, 30_000);

test('slack-on: failure skips a pass; change skips a verdict equal to the baseline', async () => {
  github.addPullRequest({ number: 12, headSha: SHA });
  await action({ experiments: 'mesh-kill', 'slack-on': 'failure' }, deployment);
  expect(slack.messages).toHaveLength(0);
  await action({ experiments: 'mesh-kill', 'slack-on': 'change' }, deployment);
  expect(slack.messages).toHaveLength(0);
  cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 0 });
  await action({ experiments: 'litmus-fail', 'slack-on': 'change' }, deployment);
  expect(slack.messages).toHaveLength(1);
}, 60_000);
