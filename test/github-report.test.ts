/**
 * The GitHub reports against nock: the sticky comment (found by marker and author across pages,
 * updated in place), the PRs of a deployed commit, the check run per verdict with batched
 * annotations, the baseline, failures as warnings that say what to grant, the retry and
 * throttling plugins, and the number of requests a normal run makes (issue 8: at most 5).
 */
import Bottleneck from 'bottleneck';
import nock from 'nock';
import {
  readGitHubContext,
  type GitHubRunContext,
  type PullRequestRef,
} from '../src/report/github-context.js';
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_OUTPUT_MAX_BYTES,
  checkConclusion,
  completeCheckRun,
  createGitHubClient,
  findBaseline,
  findPullRequests,
  findStickyComment,
  redact,
  startCheckRun,
  stickyMarker,
  truncateForGitHub,
  upsertStickyComment,
  writeStickyComment,
  type ExperimentAnnotation,
  type GitHubClient,
  type GitHubLog,
} from '../src/report/github.js';
import type { SuiteVerdict } from '../src/score/score.js';

const API = 'https://api.github.com';
const TOKEN = 'ghs_not-a-real-token-0123456789';
const REPO = { owner: 'acme', repo: 'shop' };
const SHA = 'a'.repeat(40);
const SUITE = 'checkout';
const MARKER = stickyMarker(SUITE);
const BOT = { login: 'github-actions[bot]', type: 'Bot' };
const PR: PullRequestRef = { number: 7, headSha: SHA, fromFork: false };
const COMMENTS = '/repos/acme/shop/issues/7/comments';

/** Every log line of every test: none may carry the token. */
const everyLine: string[] = [];
/** Every request the clients made, as `METHOD /path`. */
let requests: string[] = [];

const countingFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  requests.push(`${init?.method ?? 'GET'} ${url.pathname}`);
  return fetch(input, init);
};

function recorder(): { log: GitHubLog; lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => {
    lines.push(m);
    everyLine.push(m);
  };
  return {
    lines,
    log: { info: push, warning: (m) => push(`warning: ${m}`), debug: (m) => push(`debug: ${m}`) },
  };
}

/** The production client, with 1 ms per second of waiting and no 1 s spacing of writes. */
function client(log: GitHubLog = recorder().log, token = TOKEN): GitHubClient {
  const fast = (): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
  return createGitHubClient(token, {
    baseUrl: API,
    fetch: countingFetch,
    log,
    retryAfterBaseValue: 1,
    throttleGroups: { write: fast(), notifications: fast() },
  });
}

interface Comment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

const comment = (id: number, body: string, user = BOT): Comment => ({
  id,
  body,
  html_url: `https://github.com/acme/shop/pull/7#issuecomment-${id}`,
  user,
});

/**
 * A PR's comments in memory behind nock: list (paged), create, update. (nock 15 hands a reply
 * function the fetch Request.)
 */
function commentsApi(comments: Comment[], perPage = 100): nock.Scope {
  let next = 1000;
  const bodyOf = async (req: Request): Promise<string> =>
    ((await req.json()) as { body: string }).body;
  return nock(API)
    .persist()
    .get(COMMENTS)
    .query(true)
    .reply((req: Request) => {
      const page = Number(new URL(req.url).searchParams.get('page') ?? '1');
      const slice = comments.slice((page - 1) * perPage, page * perPage);
      const more = page * perPage < comments.length;
      return [
        200,
        slice,
        more ? { link: `<${API}${COMMENTS}?per_page=100&page=${page + 1}>; rel="next"` } : {},
      ];
    })
    .post(COMMENTS)
    .reply(async (req: Request) => {
      const c = comment(next++, await bodyOf(req));
      comments.push(c);
      return [201, c];
    })
    .patch(/\/repos\/acme\/shop\/issues\/comments\/\d+$/)
    .reply(async (req: Request) => {
      const id = Number(new URL(req.url).pathname.split('/').pop());
      const c = comments.find((x) => x.id === id);
      if (!c) return [404, { message: 'Not Found' }];
      c.body = await bodyOf(req);
      return [200, c];
    });
}

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  requests = [];
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
  // The token never reaches a log line or a warning.
  expect(everyLine.join('\n')).not.toContain(TOKEN);
});

describe('sticky comment', () => {
  const target = { repository: REPO, pullRequest: PR, suite: SUITE };

  test('created on the first run, updated in place on the second: one comment', async () => {
    const comments: Comment[] = [comment(1, 'LGTM', { login: 'alice', type: 'User' })];
    commentsApi(comments);
    const gh = client();

    const first = await upsertStickyComment(gh, target, `${MARKER}\nscore 80.0`);
    expect(first).toEqual({
      ok: true,
      value: { url: expect.stringContaining('#issuecomment-1000'), created: true },
    });

    const second = await upsertStickyComment(gh, target, `${MARKER}\nscore 92.5 (+12.5)`);
    expect(second).toEqual({
      ok: true,
      value: {
        url: expect.stringContaining('#issuecomment-1000'),
        created: false,
        previousBody: `${MARKER}\nscore 80.0`,
      },
    });
    expect(comments.filter((c) => c.body.includes(MARKER))).toHaveLength(1);
    expect(comments[1]!.body).toBe(`${MARKER}\nscore 92.5 (+12.5)`);
  });

  test('ours is found on page 2; a foreign comment with the same marker is left alone', async () => {
    const comments = [
      comment(1, 'first'),
      comment(2, `quoting the bot: ${MARKER}`, { login: 'mallory', type: 'User' }),
      ...Array.from({ length: 100 }, (_, i) => comment(10 + i, `chatter ${i}`)),
      comment(500, `${MARKER}\nold report`),
    ];
    commentsApi(comments);
    const gh = client();

    const found = await findStickyComment(gh, target);
    expect(found).toEqual({ ok: true, value: expect.objectContaining({ id: 500 }) });
    expect(requests).toEqual([`GET ${COMMENTS}`, `GET ${COMMENTS}`]);

    const written = await writeStickyComment(
      gh,
      target,
      `${MARKER}\nnew`,
      found.ok ? found.value : undefined,
    );
    expect(written).toEqual({
      ok: true,
      value: expect.objectContaining({ id: 500, created: false }),
    });
    expect(comments.find((c) => c.id === 2)!.body).toBe(`quoting the bot: ${MARKER}`);
    expect(comments.find((c) => c.id === 500)!.body).toBe(`${MARKER}\nnew`);
  });

  test("only someone else's comment has the marker: the token's login decides, a new one is created", async () => {
    const comments = [comment(2, `${MARKER}\ncopied`, { login: 'mallory', type: 'User' })];
    commentsApi(comments);
    const viewer = nock(API)
      .post('/graphql', (b: { query: string }) => b.query.includes('viewer'))
      .reply(200, { data: { viewer: { login: 'github-actions[bot]' } } });

    const r = await upsertStickyComment(client(), target, `${MARKER}\nours`);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ created: true }) });
    expect(viewer.isDone()).toBe(true);
    expect(comments.map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]']);
    expect(comments[0]!.body).toBe(`${MARKER}\ncopied`);
  });

  test("a personal token's comment is its own (its login from GraphQL viewer)", async () => {
    const comments = [
      comment(3, `${MARKER}\nby the PAT`, { login: 'deploy-bot-user', type: 'User' }),
    ];
    commentsApi(comments);
    nock(API)
      .post('/graphql')
      .reply(200, { data: { viewer: { login: 'deploy-bot-user' } } });

    const r = await upsertStickyComment(
      client(recorder().log, 'ghp_pat'),
      target,
      `${MARKER}\nnew`,
    );
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ created: false }) });
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toBe(`${MARKER}\nnew`);
  });

  test('the marker is added when the body lacks it', async () => {
    const comments: Comment[] = [];
    commentsApi(comments);
    await upsertStickyComment(client(), target, 'score 99');
    expect(comments[0]!.body).toBe(`${MARKER}\nscore 99`);
  });

  test('the marker of one suite does not match another suite whose name starts the same', () => {
    expect(stickyMarker('checkout')).toBe('<!-- chaos-gate:suite=checkout -->');
    expect(stickyMarker('a-->b')).not.toContain('-->b');
    expect(`${stickyMarker('checkout-eu')}`.includes(stickyMarker('checkout'))).toBe(false);
  });
});

describe('the PRs of the deployed commit', () => {
  const DEPLOYED = 'd'.repeat(40);
  const pulls = (n: number, state: string, head: string, headRepo = 'acme/shop') => ({
    number: n,
    state,
    head: { sha: head, repo: { full_name: headRepo } },
    base: { repo: { full_name: 'acme/shop' } },
  });

  function ctxOf(event: string, payload: unknown): GitHubRunContext {
    const r = readGitHubContext(
      { GITHUB_EVENT_NAME: event, GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/shop' },
      payload,
    );
    if (!r.ok) throw new Error(r.reason);
    return r.context;
  }

  test('deployment_status: the open PR whose head was deployed gets the comment', async () => {
    const ctx = ctxOf('deployment_status', {
      deployment: { sha: DEPLOYED },
      deployment_status: { state: 'success' },
    });
    nock(API)
      .get(`/repos/acme/shop/commits/${DEPLOYED}/pulls`)
      .query({ per_page: '100' })
      .reply(200, [
        pulls(3, 'closed', DEPLOYED),
        pulls(9, 'open', 'e'.repeat(40)), // a stacked PR that contains the commit
        pulls(8, 'open', DEPLOYED),
      ]);
    const prs = await findPullRequests(client(), ctx, recorder().log);
    expect(prs).toEqual({
      ok: true,
      value: [{ number: 8, headSha: DEPLOYED, fromFork: false }],
    });

    nock(API)
      .get('/repos/acme/shop/issues/8/comments')
      .query(true)
      .reply(200, [])
      .post('/repos/acme/shop/issues/8/comments')
      .reply(201, comment(1, 'x'));
    const sticky = { repository: REPO, pullRequest: prs.ok ? prs.value[0]! : PR, suite: SUITE };
    expect(await upsertStickyComment(client(), sticky, 'x')).toEqual({
      ok: true,
      value: expect.objectContaining({ created: true }),
    });
    expect(requests).toEqual([
      `GET /repos/acme/shop/commits/${DEPLOYED}/pulls`,
      'GET /repos/acme/shop/issues/8/comments',
      'POST /repos/acme/shop/issues/8/comments',
    ]);
  });

  test('no head matches: every open PR that contains the commit; forks marked', async () => {
    nock(API)
      .get(`/repos/acme/shop/commits/${DEPLOYED}/pulls`)
      .query(true)
      .reply(200, [
        pulls(4, 'open', 'e'.repeat(40), 'mallory/shop'),
        pulls(5, 'open', 'f'.repeat(40)),
      ]);
    const prs = await findPullRequests(
      client(),
      ctxOf('deployment', { deployment: { sha: DEPLOYED } }),
      recorder().log,
    );
    expect(prs.ok && prs.value.map((p) => [p.number, p.fromFork])).toEqual([
      [4, true],
      [5, false],
    ]);
  });

  test('no open PR: no comment and no error', async () => {
    nock(API)
      .get(`/repos/acme/shop/commits/${SHA}/pulls`)
      .query(true)
      .reply(200, [pulls(3, 'closed', SHA)]);
    const prs = await findPullRequests(client(), ctxOf('push', {}), recorder().log);
    expect(prs).toEqual({ ok: true, value: [] });
    expect(requests).toEqual([`GET /repos/acme/shop/commits/${SHA}/pulls`]);
  });

  test('a scheduled run has no PR and asks nothing', async () => {
    const { log, lines } = recorder();
    const prs = await findPullRequests(client(), ctxOf('schedule', {}), log);
    expect(prs).toEqual({ ok: true, value: [] });
    expect(requests).toEqual([]);
    expect(lines.join('\n')).toMatch(/schedule run has no pull request/);
  });

  test('pull_request: the event PR, no request', async () => {
    const ctx = ctxOf('pull_request', {
      pull_request: {
        number: 12,
        head: { sha: SHA, repo: { full_name: 'acme/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    });
    expect(await findPullRequests(client(), ctx, recorder().log)).toEqual({
      ok: true,
      value: [{ number: 12, headSha: SHA, fromFork: false }],
    });
    expect(requests).toEqual([]);
  });

  test('403 on the lookup: a warning naming the permission', async () => {
    nock(API)
      .get(`/repos/acme/shop/commits/${SHA}/pulls`)
      .query(true)
      .reply(403, { message: 'Resource not accessible by integration' });
    const prs = await findPullRequests(client(), ctxOf('push', {}), recorder().log);
    expect(prs).toEqual({ ok: false, warning: expect.stringContaining('`pull-requests: write`') });
  });
});

describe('report failures are warnings that say what to grant', () => {
  const target = { repository: REPO, pullRequest: PR, suite: SUITE };

  test('403 listing comments: grant pull-requests: write', async () => {
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(403, { message: 'Resource not accessible by integration' });
    const r = await upsertStickyComment(client(), target, 'x');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.warning).toMatch(
      /reading the comments of #7 failed \(403 Resource not accessible by integration.*\): grant the workflow `pull-requests: write`/,
    );
    expect(!r.ok && r.warning).not.toMatch(/fork/);
  });

  test('403 creating the comment on a fork PR: the read-only token is explained', async () => {
    commentsApi([]);
    nock.cleanAll();
    nock(API).get(COMMENTS).query(true).reply(200, []);
    nock(API).post(COMMENTS).reply(403, { message: 'Resource not accessible by integration' });
    const fork = { ...target, pullRequest: { ...PR, fromFork: true, headRepo: 'mallory/shop' } };
    const r = await upsertStickyComment(client(), fork, 'x');
    expect(r).toEqual({ ok: false, warning: expect.stringContaining('`pull-requests: write`') });
    expect(!r.ok && r.warning).toMatch(/#7 comes from a fork \(mallory\/shop\).*read-only token/);
    expect(!r.ok && r.warning).toMatch(/workflow_run/);
  });

  test('404 on the check run: grant checks: write', async () => {
    nock(API).post('/repos/acme/shop/check-runs').reply(404, { message: 'Not Found' });
    const r = await startCheckRun(client(), { repository: REPO, sha: SHA, suite: SUITE });
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(
        /creating the check run 'chaos-gate \/ checkout' on aaaaaaaaaaaa failed \(404 Not Found.*\): grant the workflow `checks: write`/,
      ),
    });
  });

  test('a 422 is reported as it is, with no advice to grant anything', async () => {
    nock(API)
      .post('/repos/acme/shop/check-runs')
      .reply(422, { message: 'No commit found for SHA: aaaa' });
    const r = await startCheckRun(client(), { repository: REPO, sha: SHA, suite: SUITE });
    expect(r).toEqual({ ok: false, warning: expect.stringContaining('422 No commit found') });
    expect(!r.ok && r.warning).not.toMatch(/grant/);
  });
});

describe('check run', () => {
  const target = {
    repository: REPO,
    sha: SHA,
    suite: SUITE,
    detailsUrl: 'https://github.com/acme/shop/actions/runs/987',
  };

  test.each<[SuiteVerdict, string]>([
    ['pass', 'success'],
    ['warn', 'neutral'],
    ['skipped', 'neutral'],
    ['fail', 'failure'],
    ['error', 'failure'],
  ])('%s: in_progress, then completed %s', async (verdict, conclusion) => {
    expect(checkConclusion(verdict)).toBe(conclusion);
    const bodies: Record<string, unknown>[] = [];
    nock(API)
      .post('/repos/acme/shop/check-runs', (b: Record<string, unknown>) => !!bodies.push(b))
      .reply(201, { id: 55, html_url: 'https://github.com/acme/shop/runs/55', url: 'x' })
      .patch('/repos/acme/shop/check-runs/55', (b: Record<string, unknown>) => !!bodies.push(b))
      .reply(200, { id: 55, html_url: 'https://github.com/acme/shop/runs/55', url: 'x' });
    const gh = client();

    const started = await startCheckRun(gh, target);
    expect(started).toEqual({
      ok: true,
      value: { id: 55, url: 'https://github.com/acme/shop/runs/55' },
    });
    const done = await completeCheckRun(gh, target, started.ok ? started.value : undefined, {
      verdict,
      title: `${verdict}: score 88.0`,
      summary: `${MARKER}\n## chaos-gate`,
    });
    expect(done).toEqual({
      ok: true,
      value: { id: 55, url: 'https://github.com/acme/shop/runs/55' },
    });

    expect(bodies[0]).toMatchObject({
      name: 'chaos-gate / checkout',
      head_sha: SHA,
      status: 'in_progress',
      details_url: target.detailsUrl,
      started_at: expect.any(String),
    });
    expect(bodies[1]).toMatchObject({
      status: 'completed',
      conclusion,
      completed_at: expect.any(String),
      output: { title: `${verdict}: score 88.0`, summary: `${MARKER}\n## chaos-gate` },
    });
  });

  test('annotations for failed experiments, 50 a request, the first batch with the conclusion', async () => {
    const annotations: ExperimentAnnotation[] = Array.from({ length: 120 }, (_, i) => ({
      path: '.github/chaos/suite.yml',
      startLine: 20 + i,
      title: `exp-${i} failed`,
      message: 'probe storefront: 80% of samples passed, 99% required',
    }));
    const patches: { output: { annotations: unknown[] }; conclusion?: string }[] = [];
    nock(API)
      .persist()
      .patch('/repos/acme/shop/check-runs/55', (b: (typeof patches)[number]) => !!patches.push(b))
      .reply(200, { id: 55, html_url: 'h', url: 'x' });

    const r = await completeCheckRun(
      client(),
      target,
      { id: 55, url: 'h' },
      {
        verdict: 'fail',
        title: 'fail',
        summary: 's',
        annotations,
      },
    );
    expect(r.ok && !r.warning).toBe(true);
    expect(patches.map((p) => p.output.annotations.length)).toEqual([50, 50, 20]);
    expect(patches.map((p) => p.conclusion)).toEqual(['failure', undefined, undefined]);
    expect(patches[0]!.output.annotations[0]).toEqual({
      path: '.github/chaos/suite.yml',
      start_line: 20,
      end_line: 20,
      annotation_level: 'failure',
      title: 'exp-0 failed',
      message: 'probe storefront: 80% of samples passed, 99% required',
    });
    expect(ANNOTATIONS_PER_REQUEST).toBe(50);
  });

  test('a failed annotation batch after completion is a warning, the check stays completed', async () => {
    nock(API)
      .patch('/repos/acme/shop/check-runs/55')
      .reply(200, { id: 55, html_url: 'h', url: 'x' })
      .patch('/repos/acme/shop/check-runs/55')
      .reply(403, { message: 'Resource not accessible by integration' });
    const annotations = Array.from({ length: 60 }, (_, i) => ({
      path: 's.yml',
      startLine: i + 1,
      title: 't',
      message: 'm',
    }));
    const r = await completeCheckRun(
      client(),
      target,
      { id: 55, url: 'h' },
      {
        verdict: 'fail',
        title: 'fail',
        summary: 's',
        annotations,
      },
    );
    expect(r).toEqual({
      ok: true,
      value: { id: 55, url: 'h' },
      warning: expect.stringMatching(/checks: write.*10 of 60 annotations not published/),
    });
  });

  test('the start failed: completion creates the check run completed', async () => {
    let body: Record<string, unknown> = {};
    nock(API)
      .post('/repos/acme/shop/check-runs', (b: Record<string, unknown>) => !!(body = b))
      .reply(201, { id: 56, html_url: 'h56', url: 'x' });
    const r = await completeCheckRun(client(), target, undefined, {
      verdict: 'warn',
      title: 'warn',
      summary: 's',
    });
    expect(r).toEqual({ ok: true, value: { id: 56, url: 'h56' } });
    expect(body).toMatchObject({
      name: 'chaos-gate / checkout',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'neutral',
    });
  });

  test('a summary over 65,535 bytes is truncated with a note', async () => {
    let sent = '';
    nock(API)
      .patch('/repos/acme/shop/check-runs/55', (b: { output: { summary: string } }) => {
        sent = b.output.summary;
        return true;
      })
      .reply(200, { id: 55, html_url: 'h', url: 'x' });
    await completeCheckRun(
      client(),
      target,
      { id: 55, url: 'h' },
      {
        verdict: 'pass',
        title: 'pass',
        summary: `${MARKER}\n${'| row | ✅ |\n'.repeat(10_000)}`,
      },
    );
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    expect(sent).toMatch(/\*\*Truncated:\*\*/);
    expect(sent).toContain(MARKER);
  });
});

describe('retries: the Octokit plugins', () => {
  test('502 twice, then success (plugin-retry), each attempt logged', async () => {
    const { log, lines } = recorder();
    nock(API)
      .get(COMMENTS)
      .query(true)
      .twice()
      .reply(502, { message: 'Server Error' })
      .get(COMMENTS)
      .query(true)
      .reply(200, [comment(9, `${MARKER}\nx`)]);
    const r = await findStickyComment(client(log), {
      repository: REPO,
      pullRequest: PR,
      suite: SUITE,
    });
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ id: 9 }) });
    expect(requests).toHaveLength(3);
    expect(lines).toEqual([
      expect.stringMatching(
        /^GitHub GET https:\/\/api\.github\.com\/repos\/acme\/shop\/issues\/7\/comments\?per_page=100: attempt 1 of 4 failed \(502: .*\); retrying$/,
      ),
      expect.stringMatching(/attempt 2 of 4 failed \(502: .*\); retrying$/),
    ]);
  });

  test('5xx every time: given up after 4 attempts, a warning', async () => {
    const { log, lines } = recorder();
    nock(API).post('/repos/acme/shop/check-runs').times(4).reply(503, { message: 'Unavailable' });
    const r = await startCheckRun(client(log), { repository: REPO, sha: SHA, suite: SUITE });
    expect(r).toEqual({ ok: false, warning: expect.stringContaining('503') });
    expect(requests).toHaveLength(4);
    expect(lines.at(-1)).toMatch(/attempt 4 of 4 failed \(503: .*\); giving up/);
  });

  test('a secondary rate limit (403 with Retry-After) is waited out and retried', async () => {
    const { log, lines } = recorder();
    nock(API)
      .post(COMMENTS)
      .reply(
        403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        },
        { 'retry-after': '2' },
      )
      .post(COMMENTS)
      .reply(201, comment(77, 'x'));
    const r = await writeStickyComment(
      client(log),
      { repository: REPO, pullRequest: PR, suite: SUITE },
      'x',
      undefined,
    );
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ id: 77, created: true }) });
    expect(lines).toEqual([
      'GitHub POST /repos/{owner}/{repo}/issues/{issue_number}/comments: secondary rate limit (attempt 1 of 3); retrying in 2 s',
    ]);
  });

  test('a secondary rate limit that persists: retried twice, then a rate-limit warning', async () => {
    const { log, lines } = recorder();
    nock(API)
      .post('/repos/acme/shop/check-runs')
      .times(3)
      .reply(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '1' });
    const r = await startCheckRun(client(log), { repository: REPO, sha: SHA, suite: SUITE });
    expect(requests).toHaveLength(3);
    expect(r).toEqual({ ok: false, warning: expect.stringContaining("GitHub's rate limit") });
    expect(!r.ok && r.warning).not.toMatch(/grant/);
    expect(lines.at(-1)).toMatch(/secondary rate limit \(attempt 3 of 3\); giving up/);
  });

  test('a primary rate limit resetting soon is retried once', async () => {
    const { log, lines } = recorder();
    const reset = String(Math.floor(Date.now() / 1000));
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(
        403,
        { message: 'API rate limit exceeded for installation.' },
        {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        },
      )
      .get(COMMENTS)
      .query(true)
      .reply(200, []);
    const r = await findStickyComment(client(log), {
      repository: REPO,
      pullRequest: PR,
      suite: SUITE,
    });
    expect(r).toEqual({ ok: true, value: undefined });
    expect(lines).toEqual([
      expect.stringMatching(/rate limit reached \(attempt 1 of 2\); retrying in \d s$/),
    ]);
  });
});

describe('baseline', () => {
  const checkRun = (id: number, completedAt: string, summary: string) => ({
    id,
    name: 'chaos-gate / checkout',
    head_sha: 'c'.repeat(40),
    status: 'completed',
    conclusion: 'success',
    completed_at: completedAt,
    html_url: `https://github.com/acme/shop/runs/${id}`,
    output: { title: 't', summary, text: null, annotations_count: 0 },
  });

  test('the sticky comment, when there is one, without a request', async () => {
    const r = await findBaseline(client(), {
      repository: REPO,
      suite: SUITE,
      defaultBranch: 'main',
      comment: { id: 1, body: 'previous', url: 'u', author: BOT.login },
    });
    expect(r).toEqual({ ok: true, value: { source: 'comment', body: 'previous', url: 'u' } });
    expect(requests).toEqual([]);
  });

  test("otherwise the default branch's latest completed check run, not this run's own", async () => {
    nock(API)
      .get('/repos/acme/shop/commits/main/check-runs')
      .query({
        check_name: 'chaos-gate / checkout',
        status: 'completed',
        filter: 'latest',
        per_page: '10',
      })
      .reply(200, {
        total_count: 3,
        check_runs: [
          checkRun(1, '2026-11-01T03:00:00Z', 'older'),
          checkRun(3, '2026-11-03T03:00:00Z', 'this run'),
          checkRun(2, '2026-11-02T03:00:00Z', 'nightly <!-- data -->'),
        ],
      });
    const r = await findBaseline(client(), {
      repository: REPO,
      suite: SUITE,
      defaultBranch: 'main',
      excludeCheckRunId: 3,
    });
    expect(r).toEqual({
      ok: true,
      value: {
        source: 'check-run',
        body: 'nightly <!-- data -->',
        url: 'https://github.com/acme/shop/runs/2',
        sha: 'c'.repeat(40),
      },
    });
  });

  test('no default branch in the payload: asked from the repository; none found: undefined', async () => {
    nock(API)
      .get('/repos/acme/shop')
      .reply(200, { default_branch: 'trunk' })
      .get('/repos/acme/shop/commits/trunk/check-runs')
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    const r = await findBaseline(client(), { repository: REPO, suite: SUITE });
    expect(r).toEqual({ ok: true, value: undefined });
    expect(requests).toHaveLength(2);
  });

  test('403 reading check runs: a warning', async () => {
    nock(API)
      .get('/repos/acme/shop/commits/main/check-runs')
      .query(true)
      .reply(403, { message: 'Resource not accessible by integration' });
    const r = await findBaseline(client(), {
      repository: REPO,
      suite: SUITE,
      defaultBranch: 'main',
    });
    expect(r).toEqual({ ok: false, warning: expect.stringContaining('`checks: read`') });
  });
});

describe('request budget (issue 8: a normal run makes at most 5 GitHub requests)', () => {
  /** What the report step does: check run, PR, comment + baseline, completion. */
  async function normalRun(gh: GitHubClient, ctx: GitHubRunContext): Promise<void> {
    const target = { repository: ctx.repository, sha: ctx.deployedSha, suite: SUITE };
    const started = await startCheckRun(gh, target);
    const prs = await findPullRequests(
      gh,
      ctx,
      recorder().log,
      started.ok ? started.value.pullRequests : undefined,
    );
    const pr = prs.ok ? prs.value[0] : undefined;
    const sticky = pr ? { repository: ctx.repository, pullRequest: pr, suite: SUITE } : undefined;
    const found = sticky ? await findStickyComment(gh, sticky) : undefined;
    const existing = found?.ok ? found.value : undefined;
    await findBaseline(gh, {
      repository: ctx.repository,
      suite: SUITE,
      ...(ctx.defaultBranch ? { defaultBranch: ctx.defaultBranch } : {}),
      ...(existing ? { comment: existing } : {}),
      ...(started.ok ? { excludeCheckRunId: started.value.id } : {}),
    });
    if (sticky) await writeStickyComment(gh, sticky, `${MARKER}\nreport`, existing);
    await completeCheckRun(gh, target, started.ok ? started.value : undefined, {
      verdict: 'pass',
      title: 'pass',
      summary: 'report',
      annotations: [{ path: 's.yml', startLine: 3, title: 't', message: 'm' }],
    });
  }

  function githubApi(comments: Comment[], pullNumber = 7, prHead = SHA): void {
    commentsApi(comments);
    // GitHub names the open PRs of the repository whose head is the check run's commit.
    const atHead = (sha: string) =>
      sha === prHead
        ? [
            {
              id: 900,
              number: pullNumber,
              url: `${API}/repos/acme/shop/pulls/${pullNumber}`,
              head: { ref: 'feature', sha, repo: { id: 1, url: 'r', name: 'shop' } },
              base: { ref: 'main', sha: 'b', repo: { id: 1, url: 'r', name: 'shop' } },
            },
          ]
        : [];
    nock(API)
      .persist()
      .post('/repos/acme/shop/check-runs')
      .reply(async (req: Request) => {
        const sha = ((await req.json()) as { head_sha: string }).head_sha;
        return [
          201,
          { id: 55, html_url: 'h', url: 'x', head_sha: sha, pull_requests: atHead(sha) },
        ];
      })
      .patch('/repos/acme/shop/check-runs/55')
      .reply(200, { id: 55, html_url: 'h', url: 'x' })
      .get(/\/repos\/acme\/shop\/commits\/\w+\/check-runs/)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(/\/repos\/acme\/shop\/commits\/\w+\/pulls/)
      .query(true)
      .reply(200, [
        {
          number: pullNumber,
          state: 'open',
          head: { sha: prHead, repo: { full_name: 'acme/shop' } },
          base: { repo: { full_name: 'acme/shop' } },
        },
      ]);
  }

  const env = (event: string) => ({
    GITHUB_EVENT_NAME: event,
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/shop',
  });
  const prPayload = {
    repository: { full_name: 'acme/shop', default_branch: 'main' },
    pull_request: {
      number: 7,
      head: { sha: SHA, repo: { full_name: 'acme/shop' } },
      base: { repo: { full_name: 'acme/shop' } },
    },
  };

  /** A first run with the PR known: check run, comments, baseline from main, comment, completion. */
  const FIRST_RUN = [
    'POST /repos/acme/shop/check-runs',
    `GET ${COMMENTS}`,
    'GET /repos/acme/shop/commits/main/check-runs',
    `POST ${COMMENTS}`,
    'PATCH /repos/acme/shop/check-runs/55',
  ];

  test('pull_request: 5 on the first run (baseline from main), 4 after (baseline from the comment)', async () => {
    const r = readGitHubContext(env('pull_request'), prPayload);
    if (!r.ok) throw new Error(r.reason);
    const comments: Comment[] = [];
    githubApi(comments);
    const gh = client();

    await normalRun(gh, r.context);
    expect(requests).toEqual(FIRST_RUN);

    requests = [];
    await normalRun(gh, r.context);
    expect(requests).toEqual([
      'POST /repos/acme/shop/check-runs',
      `GET ${COMMENTS}`,
      'PATCH /repos/acme/shop/issues/comments/1000',
      'PATCH /repos/acme/shop/check-runs/55',
    ]);
    expect(comments).toHaveLength(1);
  });

  /** The context of a `deployment_status` event for the commit SHA. */
  function deploymentContext(): GitHubRunContext {
    const r = readGitHubContext(env('deployment_status'), {
      repository: { full_name: 'acme/shop', default_branch: 'main' },
      deployment: { sha: SHA },
    });
    if (!r.ok) throw new Error(r.reason);
    return r.context;
  }

  test("deployment_status of a PR's head: the check run names the PR, no lookup: 5 on the first run, 4 after", async () => {
    const context = deploymentContext();
    const comments: Comment[] = [];
    githubApi(comments);
    const gh = client();
    await normalRun(gh, context);
    expect(requests).toEqual(FIRST_RUN);
    expect(comments).toHaveLength(1);
    requests = [];
    await normalRun(gh, context);
    expect(requests).toHaveLength(4);
  });

  test('deployment_status of a commit that is no PR head: the commit PR lookup, 6 on the first run', async () => {
    const comments: Comment[] = [];
    githubApi(comments, 7, 'f'.repeat(40));
    await normalRun(client(), deploymentContext());
    expect(requests).toHaveLength(6);
    expect(requests[1]).toBe(`GET /repos/acme/shop/commits/${SHA}/pulls`);
    expect(comments).toHaveLength(1);
  });
});

describe('redact', () => {
  test('the token, Authorization values and token-shaped strings never reach a message', () => {
    expect(redact(`failed: "authorization": "token ${TOKEN}", x`, TOKEN)).toBe(
      'failed: "authorization": "token ***", x',
    );
    expect(redact('Authorization: Bearer abc.def')).toBe('Authorization: Bearer ***');
    expect(
      redact(
        'bad credentials for ghp_0123456789abcdefABCDEF and github_pat_11AAAAAAA0123456789_abcdefghij',
      ),
    ).toBe('bad credentials for *** and ***');
    expect(redact('Server Error')).toBe('Server Error');
  });
});

describe('truncateForGitHub', () => {
  test('short bodies are unchanged', () => {
    expect(truncateForGitHub('abc', 10)).toBe('abc');
  });

  test('long bodies fit in bytes, keep our hidden comments and close what the cut left open', () => {
    const data = '<!-- chaos-gate:data {"score":91.5} -->';
    const body = `${MARKER}\n<details><summary>why</summary>\n\n${'é reason line\n'.repeat(500)}</details>\n${data}`;
    const cut = truncateForGitHub(body, 2_000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2_000);
    expect(cut).toContain(MARKER);
    expect(cut).toContain(data);
    expect(cut).toMatch(/<\/details>\n\n---\n\*\*Truncated:\*\*/);
    expect(cut).not.toContain('\uFFFD');
  });

  test('hidden data too large to keep: the marker alone survives', () => {
    const data = `<!-- chaos-gate:data ${'x'.repeat(5_000)} -->`;
    const cut = truncateForGitHub(`${MARKER}\n${'y'.repeat(5_000)}\n${data}`, 1_000);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1_000);
    expect(cut).toContain(MARKER);
    expect(cut).not.toContain('chaos-gate:data');
  });
});
