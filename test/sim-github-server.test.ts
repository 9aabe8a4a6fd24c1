/**
 * The loopback GitHub server (src/sim/github.ts) driven by our own client (src/report/github.ts,
 * the production Octokit with its retry and throttling plugins): the sticky comment across pages,
 * the check run with batched annotations, the baseline from the default branch, the PRs of a
 * deployed commit, a 5xx and a secondary rate limit retried, a read-only token's warning. The
 * server's recorded state is what is asserted; a few raw requests pin GitHub's wire shapes.
 */
import Bottleneck from 'bottleneck';
import {
  completeCheckRun,
  createGitHubClient,
  findBaseline,
  findPullRequests,
  findStickyComment,
  startCheckRun,
  stickyMarker,
  upsertStickyComment,
  type ExperimentAnnotation,
  type GitHubClient,
  type GitHubLog,
} from '../src/report/github.js';
import type { GitHubRunContext } from '../src/report/github-context.js';
import { startGitHubServer, type GitHubServer } from '../src/sim/github.js';

const SUITE = 'checkout';
const MARKER = stickyMarker(SUITE);
const REPO = { owner: 'acme', repo: 'shop' };
const HEAD = 'a'.repeat(40);
const MAIN = 'b'.repeat(40);
const PR = { number: 7, headSha: HEAD, fromFork: false };
const target = { repository: REPO, pullRequest: PR, suite: SUITE };
const checkTarget = { repository: REPO, sha: HEAD, suite: SUITE };

let gh: GitHubServer;
let lines: string[];

function recorder(): GitHubLog {
  const push = (m: string): void => {
    lines.push(m);
  };
  return { info: push, warning: (m) => push(`warning: ${m}`), debug: (m) => push(`debug: ${m}`) };
}

/** The production client against the server: 1 ms per second of waiting, no spacing of writes. */
function client(token = gh.token): GitHubClient {
  const fast = (): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
  return createGitHubClient(token, {
    baseUrl: gh.url,
    log: recorder(),
    retryAfterBaseValue: 1,
    throttleGroups: { write: fast(), notifications: fast() },
  });
}

/** The requests the server answered, as `METHOD /path status`. */
const seen = (): string[] => gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

async function raw(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${gh.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${gh.token}`, ...init.headers },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: res.headers,
  };
}

beforeEach(async () => {
  lines = [];
  gh = await startGitHubServer({
    serverUrl: 'https://github.example',
    branches: { main: MAIN },
    now: () => new Date('2025-03-01T10:00:00.000Z'),
  });
  gh.addPullRequest({ number: 7, headSha: HEAD });
});

afterEach(async () => {
  await gh.close();
  // The token never reaches a log line.
  expect(lines.join('\n')).not.toContain(gh.token);
});

describe('sticky comment', () => {
  test('upserted twice: one comment by the bot, updated in place', async () => {
    gh.addComment(7, { body: 'LGTM', login: 'alice' });
    const c = client();

    const first = await upsertStickyComment(c, target, `${MARKER}\nscore 80.0`);
    expect(first).toEqual({
      ok: true,
      value: {
        url: expect.stringMatching(
          /^https:\/\/github\.example\/acme\/shop\/pull\/7#issuecomment-\d+$/,
        ),
        created: true,
      },
    });
    const second = await upsertStickyComment(c, target, `${MARKER}\nscore 92.5`);
    expect(second).toEqual({
      ok: true,
      value: {
        url: first.ok ? first.value.url : '',
        created: false,
        previousBody: `${MARKER}\nscore 80.0`,
      },
    });

    const comments = gh.comments(7);
    expect(comments.map((x) => [x.login, x.body])).toEqual([
      ['alice', 'LGTM'],
      ['github-actions[bot]', `${MARKER}\nscore 92.5`],
    ]);
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /repos/acme/shop/issues/7/comments 201',
      'GET /repos/acme/shop/issues/7/comments 200',
      `PATCH /repos/acme/shop/issues/comments/${comments[1]!.id} 200`,
    ]);
    expect(gh.requests[0]!.query).toEqual({ per_page: '100' });
    expect(gh.requests[1]!.body).toEqual({ body: `${MARKER}\nscore 80.0` });
  });

  test('150 comments: ours is found on page 2 through the Link header', async () => {
    for (let i = 0; i < 140; i++) gh.addComment(7, { body: `chatter ${i}`, login: 'alice' });
    gh.addComment(7, { body: `quoting: ${MARKER}`, login: 'mallory' });
    const ours = gh.addComment(7, { body: `${MARKER}\nold`, login: 'github-actions[bot]' });
    for (let i = 0; i < 8; i++) gh.addComment(7, { body: `more ${i}`, login: 'bob' });
    expect(gh.comments(7)).toHaveLength(150);

    const found = await findStickyComment(client(), target);
    expect(found).toEqual({
      ok: true,
      value: {
        id: ours.id,
        body: `${MARKER}\nold`,
        url: ours.htmlUrl,
        author: 'github-actions[bot]',
      },
    });
    // Page 2 is fetched from the Link header, which names the repository by id (as GitHub does).
    expect(gh.requests.map((r) => [r.path.replace(/\d{6,}/, 'ID'), r.query])).toEqual([
      ['/repos/acme/shop/issues/7/comments', { per_page: '100' }],
      ['/repositories/ID/issues/7/comments', { per_page: '100', page: '2' }],
    ]);

    const first = await raw('/repos/acme/shop/issues/7/comments?per_page=100');
    expect(first.headers.get('link')).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/repositories\/\d+\/issues\/7\/comments\?per_page=100&page=2>; rel="next", <[^>]+page=2>; rel="last"$/,
    );
    const second = await raw('/repos/acme/shop/issues/7/comments?per_page=100&page=2');
    expect(second.body).toHaveLength(50);
    expect(second.headers.get('link')).toMatch(/rel="prev".*rel="first"/);
    const byDefault = await raw('/repos/acme/shop/issues/7/comments');
    expect(byDefault.body).toHaveLength(30);
  });

  test('a read-only token: the warning names pull-requests: write; nothing is written', async () => {
    gh.forbid('/repos/acme/shop/issues', ['POST', 'PATCH']);
    const r = await upsertStickyComment(client(), target, `${MARKER}\nscore 80.0`);
    expect(r).toEqual({
      ok: false,
      warning:
        'commenting on #7 failed (403 Resource not accessible by integration - https://docs.github.com/rest/issues/comments#create-an-issue-comment): grant the workflow `pull-requests: write` (`permissions:` in the workflow or job).',
    });
    expect(gh.comments(7)).toEqual([]);
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /repos/acme/shop/issues/7/comments 403',
    ]);
  });

  test('a fork PR whose comments cannot be read: the warning says why and what to do', async () => {
    gh.addPullRequest({ number: 8, headSha: HEAD, fork: true });
    gh.forbid('/repos/acme/shop/issues');
    const r = await findStickyComment(client(), {
      ...target,
      pullRequest: { number: 8, headSha: HEAD, fromFork: true, headRepo: 'contributor/shop' },
    });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.warning).toMatch(
      /^reading the comments of #8 failed \(403 Resource not accessible by integration.*\): grant the workflow `pull-requests: write`.* comes from a fork \(contributor\/shop\)/,
    );
  });

  test('a body over 65,536 characters is refused with GitHub 422 body', async () => {
    const res = await raw('/repos/acme/shop/issues/7/comments', {
      method: 'POST',
      body: JSON.stringify({ body: 'x'.repeat(65_537) }),
    });
    expect(res).toMatchObject({
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'unprocessable',
            field: 'data',
            message: 'Body is too long (maximum is 65536 characters)',
          },
        ],
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '422',
      },
    });
    // Our client truncates with a note instead (and keeps the marker).
    const r = await upsertStickyComment(client(), target, `${MARKER}\n${'y'.repeat(70_000)}`);
    expect(r.ok).toBe(true);
    const [stored] = gh.comments(7);
    expect(stored!.body.length).toBeLessThanOrEqual(65_536);
    expect(stored!.body).toContain(MARKER);
    expect(stored!.body).toContain('**Truncated:**');
  });

  test("someone else's token: GraphQL viewer says who it is, and its comment is updated", async () => {
    gh.addToken('ghp_deployer_pat_0123456789abcdef', 'deploy-user');
    gh.addComment(7, { body: `${MARKER}\nby the PAT`, login: 'deploy-user' });
    const r = await upsertStickyComment(
      client('ghp_deployer_pat_0123456789abcdef'),
      target,
      `${MARKER}\nnew`,
    );
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ created: false }) });
    expect(gh.comments(7).map((c) => [c.login, c.body])).toEqual([
      ['deploy-user', `${MARKER}\nnew`],
    ]);
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /graphql 200',
      expect.stringMatching(/^PATCH \/repos\/acme\/shop\/issues\/comments\/\d+ 200$/),
    ]);
    expect(gh.requests[1]!.body).toEqual({ query: 'query { viewer { login } }' });
  });

  test('a wrong token: 401 Bad credentials, reported as a warning', async () => {
    const r = await upsertStickyComment(client('ghs_wrong_token_00000000000000'), target, 'x');
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(/^reading the comments of #7 failed \(401 Bad credentials/),
    });
    expect(seen()).toEqual(['GET /repos/acme/shop/issues/7/comments 401']);
    const anonymous = await fetch(`${gh.url}/repos/acme/shop/issues/7/comments`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });
});

describe('faults', () => {
  test('a 502, then success: plugin-retry tries again and the attempt is logged', async () => {
    gh.failNext(1, 502);
    const r = await upsertStickyComment(client(), target, `${MARKER}\nscore 80.0`);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ created: true }) });
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 502',
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /repos/acme/shop/issues/7/comments 201',
    ]);
    expect(lines).toContain(
      `GitHub GET ${gh.url}/repos/acme/shop/issues/7/comments?per_page=100: attempt 1 of 4 failed (502: Server Error); retrying`,
    );
    expect(gh.comments(7)).toHaveLength(1);
  });

  test('5xx on every attempt: four tries, then a warning', async () => {
    gh.failNext(10, 503, { method: 'POST' });
    const r = await upsertStickyComment(client(), target, `${MARKER}\nx`);
    expect(r).toEqual({ ok: false, warning: 'commenting on #7 failed (503 Service Unavailable).' });
    expect(seen().filter((s) => s.startsWith('POST'))).toHaveLength(4);
    expect(lines.at(-1)).toMatch(/attempt 4 of 4 failed \(503: Service Unavailable\); giving up$/);
  });

  test('a secondary rate limit (403 with Retry-After): the throttling plugin waits and retries', async () => {
    gh.failNext(1, 403, { retryAfter: 2, method: 'POST' });
    const r = await upsertStickyComment(client(), target, `${MARKER}\nx`);
    expect(r.ok).toBe(true);
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /repos/acme/shop/issues/7/comments 403',
      'POST /repos/acme/shop/issues/7/comments 201',
    ]);
    expect(lines).toContain(
      'GitHub POST /repos/{owner}/{repo}/issues/{issue_number}/comments: secondary rate limit (attempt 1 of 3); retrying in 2 s',
    );
  });

  test("the secondary rate limit's answer is GitHub's", async () => {
    gh.failNext(1, 429, { retryAfter: 30 });
    const res = await raw('/repos/acme/shop/issues/7/comments');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body).toEqual({
      message: expect.stringMatching(/^You have exceeded a secondary rate limit\. Please wait/),
      documentation_url: expect.stringContaining('#about-secondary-rate-limits'),
      status: '429',
    });
    gh.failNext(1, 403, { rateLimit: 'primary' });
    const primary = await raw('/repos/acme/shop/issues/7/comments');
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(primary.headers.get('x-ratelimit-reset')) - Date.now() / 1000;
    expect(reset).toBeGreaterThan(55);
    expect(reset).toBeLessThanOrEqual(60);
  });

  test('a secondary rate limit that does not lift: three tries, then the rate-limit warning', async () => {
    gh.failNext(5, 403, { method: 'POST' });
    const r = await upsertStickyComment(client(), target, `${MARKER}\nx`);
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(
        /^commenting on #7 failed \(403 You have exceeded a secondary rate limit.*\): GitHub's rate limit; the report is skipped, the verdict stands\.$/,
      ),
    });
    expect(seen().filter((s) => s.startsWith('POST'))).toHaveLength(3);
  });

  test('a primary rate limit: waited out when it resets within a minute, else given up', async () => {
    gh.failNext(1, 403, { rateLimit: 'primary', retryAfter: 5 });
    expect((await upsertStickyComment(client(), target, `${MARKER}\nx`)).ok).toBe(true);
    expect(seen()).toEqual([
      'GET /repos/acme/shop/issues/7/comments 403',
      'GET /repos/acme/shop/issues/7/comments 200',
      'POST /repos/acme/shop/issues/7/comments 201',
    ]);

    gh.failNext(1, 403, { rateLimit: 'primary', retryAfter: 3600 });
    const r = await upsertStickyComment(client(), target, `${MARKER}\ny`);
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(
        /^reading the comments of #7 failed \(403 API rate limit exceeded.*\): GitHub's rate limit; the report is skipped, the verdict stands\.$/,
      ),
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /rate limit reached \(attempt 1 of 2\); it resets in \d+ s: giving up$/,
      ),
    );
  });
});

describe('check run', () => {
  const annotations: ExperimentAnnotation[] = Array.from({ length: 120 }, (_, i) => ({
    path: 'chaos/suite.yml',
    startLine: i + 1,
    title: `experiment ${i} failed`,
    message: `p99 latency breached in experiment ${i}`,
  }));

  test('started in_progress, completed with 120 annotations in three requests (appended)', async () => {
    const c = client();
    const started = await startCheckRun(c, {
      ...checkTarget,
      detailsUrl: 'https://ci.example/run/1',
    });
    expect(started).toEqual({
      ok: true,
      value: {
        id: expect.any(Number),
        url: expect.stringMatching(/^https:\/\/github\.example\/acme\/shop\/runs\/\d+$/),
        // GitHub names the open PR whose head is the commit: no PR lookup needed later.
        pullRequests: [{ number: 7, headSha: HEAD, fromFork: false }],
      },
    });
    const id = started.ok ? started.value.id : 0;
    expect(gh.checkRuns()).toEqual([
      expect.objectContaining({
        id,
        name: 'chaos-gate / checkout',
        headSha: HEAD,
        status: 'in_progress',
        conclusion: null,
      }),
    ]);

    const done = await completeCheckRun(c, checkTarget, started.ok ? started.value : undefined, {
      verdict: 'fail',
      title: 'fail · score 41.0',
      summary: `${MARKER}\n## fail`,
      annotations,
    });
    expect(done).toEqual({
      ok: true,
      value: expect.objectContaining({ id, url: expect.any(String) }),
    });

    const [run] = gh.checkRuns();
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      completedAt: expect.stringMatching(/Z$/),
      detailsUrl: 'https://ci.example/run/1',
      output: { title: 'fail · score 41.0', summary: `${MARKER}\n## fail`, text: null },
    });
    expect(run!.annotations).toHaveLength(120);
    expect(run!.annotations.map((a) => a.start_line)).toEqual(annotations.map((a) => a.startLine));
    expect(run!.annotations[0]).toEqual({
      path: 'chaos/suite.yml',
      start_line: 1,
      end_line: 1,
      start_column: null,
      end_column: null,
      annotation_level: 'failure',
      title: 'experiment 0 failed',
      message: 'p99 latency breached in experiment 0',
      raw_details: null,
    });
    expect(seen()).toEqual([
      'POST /repos/acme/shop/check-runs 201',
      `PATCH /repos/acme/shop/check-runs/${id} 200`,
      `PATCH /repos/acme/shop/check-runs/${id} 200`,
      `PATCH /repos/acme/shop/check-runs/${id} 200`,
    ]);
    const batches = gh.requests.slice(1).map((r) => {
      const body = r.body as { output: { annotations: unknown[] } };
      return body.output.annotations.length;
    });
    expect(batches).toEqual([50, 50, 20]);

    const wire = await raw(`/repos/acme/shop/check-runs/${id}`);
    expect(wire.body).toMatchObject({
      id,
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'failure',
      output: {
        annotations_count: 120,
        annotations_url: expect.stringContaining(`/check-runs/${id}/annotations`),
      },
      app: { slug: 'github-actions' },
      pull_requests: [
        expect.objectContaining({ number: 7, head: expect.objectContaining({ sha: HEAD }) }),
      ],
    });
  });

  test('51 annotations in one request are refused with GitHub message', async () => {
    const body = {
      name: 'x',
      head_sha: HEAD,
      output: {
        title: 't',
        summary: 's',
        annotations: Array.from({ length: 51 }, () => ({
          path: 'a',
          start_line: 1,
          end_line: 1,
          annotation_level: 'failure',
          message: 'm',
        })),
      },
    };
    const res = await raw('/repos/acme/shop/check-runs', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      message: 'Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.',
    });
    const noConclusion = await raw('/repos/acme/shop/check-runs', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', head_sha: HEAD, status: 'completed' }),
    });
    expect(noConclusion.status).toBe(422);
    const tooBig = await raw('/repos/acme/shop/check-runs', {
      method: 'POST',
      body: JSON.stringify({
        name: 'x',
        head_sha: HEAD,
        output: { title: 't', summary: 'é'.repeat(40_000) },
      }),
    });
    expect(tooBig.body).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'CheckRun',
          field: 'summary',
          message: 'summary exceeds a maximum bytesize of 65535',
        },
      ],
    });
    expect(gh.checkRuns()).toEqual([]);
  });

  test('a summary over 65,535 bytes is cut by the client and accepted by the server', async () => {
    const summary = `${MARKER}\n${'é'.repeat(40_000)}`;
    const r = await completeCheckRun(client(), checkTarget, undefined, {
      verdict: 'pass',
      title: 'pass',
      summary,
    });
    expect(r.ok).toBe(true);
    const [run] = gh.checkRuns();
    expect(Buffer.byteLength(run!.output.summary ?? '', 'utf8')).toBeLessThanOrEqual(65_535);
    expect(run!.output.summary).toContain('**Truncated:**');
    expect(run).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  test('a personal token cannot create check runs: the warning names checks: write', async () => {
    gh.addToken('ghp_someone_0123456789abcdef', 'someone');
    const r = await startCheckRun(client('ghp_someone_0123456789abcdef'), checkTarget);
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(
        /^creating the check run 'chaos-gate \/ checkout' on aaaaaaaaaaaa failed \(403 You must authenticate via a GitHub App\..*\): grant the workflow `checks: write`/,
      ),
    });
  });
});

describe('baseline', () => {
  test("the default branch's latest completed check run, found through GET /repos", async () => {
    gh.addCheckRun({
      name: 'chaos-gate / checkout',
      headSha: MAIN,
      conclusion: 'success',
      completedAt: '2025-02-27T09:00:00Z',
      output: { title: 'old', summary: 'score 70.0' },
    });
    // The latest completed run on main: the baseline.
    const c = client();
    await completeCheckRun(c, { ...checkTarget, sha: MAIN }, undefined, {
      verdict: 'pass',
      title: 'pass · score 88.0',
      summary: `${MARKER}\nscore 88.0`,
      text: 'details',
    });
    // Another suite's and a running one are not.
    gh.addCheckRun({ name: 'chaos-gate / payments', headSha: MAIN, conclusion: 'failure' });
    gh.addCheckRun({ name: 'chaos-gate / checkout', headSha: MAIN, status: 'in_progress' });
    gh.requests.length = 0;

    const r = await findBaseline(c, { repository: REPO, suite: SUITE });
    expect(r).toEqual({
      ok: true,
      value: {
        source: 'check-run',
        body: `${MARKER}\nscore 88.0\n\ndetails`,
        url: expect.stringMatching(/^https:\/\/github\.example\/acme\/shop\/runs\/\d+$/),
        sha: MAIN,
      },
    });
    expect(gh.requests.map((q) => [q.method, q.path, q.query, q.status])).toEqual([
      ['GET', '/repos/acme/shop', {}, 200],
      [
        'GET',
        '/repos/acme/shop/commits/main/check-runs',
        {
          check_name: 'chaos-gate / checkout',
          status: 'completed',
          filter: 'latest',
          per_page: '10',
        },
        200,
      ],
    ]);
  });

  test('no completed run on the default branch: no baseline', async () => {
    const r = await findBaseline(client(), {
      repository: REPO,
      suite: SUITE,
      defaultBranch: 'main',
    });
    expect(r).toEqual({ ok: true, value: undefined });
    expect(seen()).toEqual(['GET /repos/acme/shop/commits/main/check-runs 200']);
  });

  test('an unknown branch: 422 No commit found, a warning', async () => {
    const r = await findBaseline(client(), {
      repository: REPO,
      suite: SUITE,
      defaultBranch: 'trunk',
    });
    expect(r).toEqual({
      ok: false,
      warning: expect.stringMatching(
        /^reading the baseline check run failed \(422 No commit found for SHA: trunk/,
      ),
    });
  });
});

describe('the PRs of a deployed commit', () => {
  const ctx = (sha: string): GitHubRunContext => ({
    eventName: 'deployment_status',
    repository: REPO,
    deployedSha: sha,
    serverUrl: 'https://github.example',
  });

  test('open PRs whose head is the commit; a stacked PR that only contains it is not chosen', async () => {
    gh.addPullRequest({ number: 9, headSha: 'c'.repeat(40), commits: [HEAD] });
    gh.addPullRequest({ number: 5, headSha: HEAD, state: 'closed' });
    gh.addPullRequest({ number: 11, headSha: HEAD, fork: true });
    const r = await findPullRequests(client(), ctx(HEAD), recorder());
    expect(r).toEqual({
      ok: true,
      value: [
        { number: 11, headSha: HEAD, fromFork: true, headRepo: 'contributor/shop' },
        { number: 7, headSha: HEAD, fromFork: false },
      ],
    });
    expect(gh.requests[0]!.query).toEqual({ per_page: '100' });
  });

  test('a deleted fork (head.repo null) is a fork', async () => {
    gh.addPullRequest({ number: 12, headSha: 'e'.repeat(40), headRepo: null });
    const r = await findPullRequests(client(), ctx('e'.repeat(40)), recorder());
    expect(r).toEqual({
      ok: true,
      value: [{ number: 12, headSha: 'e'.repeat(40), fromFork: true }],
    });
  });
});

describe('wire shapes', () => {
  test('a created comment looks like GitHub one', async () => {
    const res = await raw('/repos/acme/shop/issues/7/comments', {
      method: 'POST',
      body: JSON.stringify({ body: 'hello' }),
    });
    expect(res.status).toBe(201);
    const body = res.body as { id: number };
    expect(res.headers.get('location')).toBe(
      `${gh.url}/repos/acme/shop/issues/comments/${body.id}`,
    );
    expect(res.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      node_id: expect.any(String),
      url: `${gh.url}/repos/acme/shop/issues/comments/${body.id}`,
      html_url: `https://github.example/acme/shop/pull/7#issuecomment-${body.id}`,
      issue_url: `${gh.url}/repos/acme/shop/issues/7`,
      body: 'hello',
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      created_at: '2025-03-01T10:00:00Z',
      updated_at: '2025-03-01T10:00:00Z',
      author_association: 'NONE',
      performed_via_github_app: { slug: 'github-actions' },
    });
  });

  test('unknown repositories, PRs and paths are 404 with GitHub body', async () => {
    for (const path of [
      '/repos/acme/other/issues/7/comments',
      '/repos/acme/shop/issues/99/comments',
      '/repos/acme/shop/nothing-here',
    ]) {
      const res = await raw(path);
      expect([path, res.status, (res.body as { message: string }).message]).toEqual([
        path,
        404,
        'Not Found',
      ]);
    }
    const bad = await raw('/repos/acme/shop/issues/7/comments', {
      method: 'POST',
      body: '{not json',
    });
    expect(bad).toMatchObject({ status: 400, body: { message: 'Problems parsing JSON' } });
  });
});
