/**
 * The run's GitHub context (pure): repository, deployed SHA, the event's own PR, default branch,
 * run URL, and where the PR comment goes, for each event the SPEC names.
 */
import {
  parseRepository,
  pullRequestSource,
  readGitHubContext,
  type GitHubEnv,
  type GitHubRunContext,
} from '../src/report/github-context.js';

const SHA = '1111111111111111111111111111111111111111';
const HEAD = '2222222222222222222222222222222222222222';
const DEPLOYED = '3333333333333333333333333333333333333333';

const env = (event: string, extra: GitHubEnv = {}): GitHubEnv => ({
  GITHUB_EVENT_NAME: event,
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '987',
  GITHUB_RUN_ATTEMPT: '1',
  ...extra,
});

const repository = { full_name: 'acme/shop', default_branch: 'main' };

const pullRequest = (headRepo: string | null = 'acme/shop') => ({
  number: 42,
  head: { sha: HEAD, repo: headRepo === null ? null : { full_name: headRepo } },
  base: { sha: SHA, repo: { full_name: 'acme/shop' } },
});

function context(e: GitHubEnv, payload: unknown): GitHubRunContext {
  const r = readGitHubContext(e, payload);
  if (!r.ok) throw new Error(r.reason);
  return r.context;
}

describe('readGitHubContext: the deployed SHA per event', () => {
  test.each([
    ['deployment', { deployment: { sha: DEPLOYED }, repository }, DEPLOYED],
    ['deployment_status', { deployment: { sha: DEPLOYED }, repository }, DEPLOYED],
    ['pull_request', { pull_request: pullRequest(), repository }, HEAD],
    ['pull_request_target', { pull_request: pullRequest(), repository }, HEAD],
    ['workflow_run', { workflow_run: { head_sha: DEPLOYED }, repository }, DEPLOYED],
    ['push', { after: SHA, repository }, SHA],
    ['workflow_dispatch', { repository }, SHA],
    ['schedule', { schedule: '0 3 * * *' }, SHA],
    // A payload without the field falls back to GITHUB_SHA rather than to nothing.
    ['deployment_status', { deployment: {}, repository }, SHA],
  ])('%s -> %s', (event, payload, sha) => {
    expect(context(env(event), payload).deployedSha).toBe(sha);
  });
});

describe('readGitHubContext: the rest of the context', () => {
  test('repository, default branch and workflow run URL', () => {
    const ctx = context(env('push'), { repository });
    expect(ctx.repository).toEqual({ owner: 'acme', repo: 'shop' });
    expect(ctx.defaultBranch).toBe('main');
    expect(ctx.runUrl).toBe('https://github.com/acme/shop/actions/runs/987');
    expect(ctx.pullRequest).toBeUndefined();
  });

  test('a re-run links to its own attempt; GHES server URL kept', () => {
    const ctx = context(
      env('push', { GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_RUN_ATTEMPT: '3' }),
      {},
    );
    expect(ctx.runUrl).toBe('https://ghe.example.com/acme/shop/actions/runs/987/attempts/3');
    expect(ctx.defaultBranch).toBeUndefined();
  });

  test('the event PR, same repository', () => {
    const ctx = context(env('pull_request'), { pull_request: pullRequest(), repository });
    expect(ctx.pullRequest).toEqual({ number: 42, headSha: HEAD, fromFork: false });
  });

  test('a fork PR says so, also when the fork was deleted', () => {
    expect(
      context(env('pull_request'), { pull_request: pullRequest('mallory/shop') }).pullRequest,
    ).toEqual({ number: 42, headSha: HEAD, fromFork: true, headRepo: 'mallory/shop' });
    expect(context(env('pull_request'), { pull_request: pullRequest(null) }).pullRequest).toEqual({
      number: 42,
      headSha: HEAD,
      fromFork: true,
    });
  });

  test('GITHUB_REPOSITORY missing: the payload repository; neither: a reason', () => {
    expect(context(env('push', { GITHUB_REPOSITORY: '' }), { repository }).repository).toEqual({
      owner: 'acme',
      repo: 'shop',
    });
    const r = readGitHubContext(env('push', { GITHUB_REPOSITORY: 'acme' }), {});
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("'acme'") });
    expect(r.ok || r.reason).toMatch(/expected \{owner\}\/\{repo\}/);
  });

  test('no GITHUB_SHA and nothing in the payload: a reason', () => {
    const r = readGitHubContext(env('push', { GITHUB_SHA: undefined }), { repository });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('GITHUB_SHA') });
  });

  test.each([null, 'not json', [], 42])('a payload of %p is read as empty', (payload) => {
    expect(context(env('push'), payload).deployedSha).toBe(SHA);
  });

  test('parseRepository', () => {
    expect(parseRepository('a/b')).toEqual({ owner: 'a', repo: 'b' });
    for (const bad of [undefined, '', 'a', 'a/b/c', '/b', 'a/']) {
      expect(parseRepository(bad)).toBeUndefined();
    }
  });
});

describe('pullRequestSource: where the comment goes', () => {
  test.each([
    ['deployment_status', { deployment: { sha: DEPLOYED } }, { kind: 'commit', sha: DEPLOYED }],
    ['deployment', { deployment: { sha: DEPLOYED } }, { kind: 'commit', sha: DEPLOYED }],
    ['push', {}, { kind: 'commit', sha: SHA }],
    ['workflow_run', { workflow_run: { head_sha: DEPLOYED } }, { kind: 'commit', sha: DEPLOYED }],
    ['workflow_dispatch', {}, { kind: 'commit', sha: SHA }],
  ])('%s: the open PRs of the deployed commit', (event, payload, source) => {
    expect(pullRequestSource(context(env(event), payload))).toEqual(source);
  });

  test('pull_request: the event PR', () => {
    expect(
      pullRequestSource(context(env('pull_request'), { pull_request: pullRequest() })),
    ).toEqual({ kind: 'event', pullRequest: { number: 42, headSha: HEAD, fromFork: false } });
  });

  test.each(['schedule', 'release', 'repository_dispatch', ''])('%p: none, with a reason', (e) => {
    const source = pullRequestSource(context(env(e), {}));
    expect(source).toEqual({ kind: 'none', reason: expect.stringContaining('no pull request') });
  });
});
