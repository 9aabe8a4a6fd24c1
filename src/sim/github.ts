/**
 * A loopback GitHub API for tests and the demo: real HTTP on 127.0.0.1 that our GitHub client
 * (src/report/github.ts: Octokit with the retry and throttling plugins) uses unmodified with
 * `baseUrl: server.url`. It serves exactly the calls the reports make, with GitHub's shapes:
 *
 *   GET   /repos/{o}/{r}                              (the default branch)
 *   GET   /repos/{o}/{r}/commits/{sha}/pulls          (PRs of a deployed commit)
 *   GET   /repos/{o}/{r}/issues/{n}/comments          (paged: per_page, page, Link)
 *   POST  /repos/{o}/{r}/issues/{n}/comments          (201)
 *   GET   /repos/{o}/{r}/issues/comments/{id}
 *   PATCH /repos/{o}/{r}/issues/comments/{id}
 *   POST  /repos/{o}/{r}/check-runs                   (201; GitHub Apps only)
 *   GET   /repos/{o}/{r}/check-runs/{id}
 *   PATCH /repos/{o}/{r}/check-runs/{id}              (annotations appended)
 *   GET   /repos/{o}/{r}/check-runs/{id}/annotations  (paged)
 *   GET   /repos/{o}/{r}/commits/{ref}/check-runs     (check_name, status, filter; paged)
 *   POST  /graphql                                    (only `query { viewer { login } }`)
 *
 * Like GitHub, the `Link` headers of paged answers point at `/repositories/{id}/...`, which is
 * served too. Errors are GitHub's: `{ message, documentation_url, status }` (plus `errors` for
 * 422 Validation Failed), 401 for a missing or unknown token, 404 for anything else, the real
 * messages for the limits (comment 65,536 characters; check output 65,535 characters and bytes;
 * 50 annotations a request). Every answer carries the `x-ratelimit-*` headers.
 *
 *   const gh = await startGitHubServer();
 *   gh.addPullRequest({ number: 7, headSha: sha });
 *   const client = createGitHubClient(gh.token, { baseUrl: gh.url, log });
 *   ...
 *   expect(gh.comments(7)).toHaveLength(1);
 *   await gh.close();
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback } from './listen.js';

export interface GitHubServerOptions {
  /** The one repository served; default `acme`/`shop`. Others are 404, as for a private repo. */
  owner?: string;
  repo?: string;
  /** Web URL the `html_url`s are under; default `https://github.example`. */
  serverUrl?: string;
  /** The token accepted (`Authorization: token X` or `Bearer X`); default a fake `ghs_` token. */
  token?: string;
  /** Who that token is; default `github-actions[bot]` (the GITHUB_TOKEN). */
  login?: string;
  /** Default `main`. */
  defaultBranch?: string;
  /** Branch name -> head commit; the default branch gets a made-up commit when absent. */
  branches?: Record<string, string>;
  /** The answers' clock (`created_at`, `completed_at`, rate-limit reset); default the real one. */
  now?: () => Date;
  /** Port on 127.0.0.1; default: any free port. */
  port?: number;
}

export interface GitHubRequestRecord {
  method: string;
  /** The URL path as requested, without the query. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** The login of the token, when it was accepted. */
  login?: string;
  /** The parsed JSON body of a POST or PATCH. */
  body?: unknown;
}

export interface SimPullRequestInput {
  number: number;
  headSha: string;
  /** Default `open`. */
  state?: 'open' | 'closed';
  /** From a fork: the head repository is `contributor/{repo}` unless `headRepo` says otherwise. */
  fork?: boolean;
  /** `owner/repo` of the head; `null`: the fork was deleted (GitHub's `head.repo: null`). */
  headRepo?: string | null;
  /** Other commits the PR contains (a stacked PR contains its base PR's head). */
  commits?: string[];
  /** Default `feature-{number}`. */
  headRef?: string;
  /** Default: the default branch. */
  baseRef?: string;
  title?: string;
  /** The author; default `octocat`. */
  login?: string;
}

export interface SimComment {
  id: number;
  issueNumber: number;
  body: string;
  login: string;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string;
}

export interface SimAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column: number | null;
  end_column: number | null;
  annotation_level: string;
  title: string | null;
  message: string;
  raw_details: string | null;
}

export interface SimCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation, in the order they were sent (updates append). */
  annotations: SimAnnotation[];
  /** The login of the app's bot that created it. */
  app: string;
  htmlUrl: string;
}

export interface SimCheckRunSeed {
  name: string;
  headSha: string;
  status?: SimCheckRun['status'];
  conclusion?: string;
  startedAt?: string;
  completedAt?: string;
  output?: { title?: string; summary?: string; text?: string };
  detailsUrl?: string;
}

export interface GitHubFailOptions {
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /**
   * For 403 and 429: a secondary rate limit (default; GitHub's message, `Retry-After` when
   * given) or the primary one (`x-ratelimit-remaining: 0`, reset `retryAfter` seconds from now,
   * default 60).
   */
  rateLimit?: 'secondary' | 'primary';
  /** Only requests with this method (and path prefix) fail; default any. */
  method?: string;
  path?: string;
  /** The answer's message, instead of GitHub's for the status. */
  message?: string;
}

export interface GitHubServer {
  /** `http://127.0.0.1:<port>`: the client's `baseUrl` (GraphQL is at `${url}/graphql`). */
  url: string;
  owner: string;
  repo: string;
  serverUrl: string;
  token: string;
  login: string;
  defaultBranch: string;
  /** Accepts another token (a PAT, another app's installation token) as `login`. */
  addToken(token: string, login: string, opts?: { app?: boolean }): void;
  /** Points a branch at a commit (the default branch's head is the baseline's place). */
  setBranch(name: string, sha: string): void;
  addPullRequest(pr: SimPullRequestInput): void;
  /** A comment as someone wrote it; returns it. */
  addComment(pr: number, c: { body: string; login?: string }): SimComment;
  /** The PR's comments, oldest first (copies). */
  comments(pr: number): SimComment[];
  /** A check run as if an earlier run made it (by the server's own login); returns it. */
  addCheckRun(seed: SimCheckRunSeed): SimCheckRun;
  /** Every check run, in creation order (copies). */
  checkRuns(): SimCheckRun[];
  /** Every answered request, in order. */
  requests: GitHubRequestRecord[];
  /** The next `n` matching requests (after authentication) fail with `status`. */
  failNext(n: number, status: number, opts?: GitHubFailOptions): void;
  /**
   * Requests under `pathPrefix` (`/repos/acme/shop/issues`), of the given methods (default any),
   * answer 403 "Resource not accessible by integration": a token without that permission.
   */
  forbid(pathPrefix: string, methods?: string[]): void;
  /** Drops pending failures and forbidden paths. */
  clearFaults(): void;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

const DOCS = 'https://docs.github.com/rest';
const DOC = {
  repo: `${DOCS}/repos/repos#get-a-repository`,
  pullsOfCommit: `${DOCS}/commits/commits#list-pull-requests-associated-with-a-commit`,
  listComments: `${DOCS}/issues/comments#list-issue-comments`,
  createComment: `${DOCS}/issues/comments#create-an-issue-comment`,
  getComment: `${DOCS}/issues/comments#get-an-issue-comment`,
  updateComment: `${DOCS}/issues/comments#update-an-issue-comment`,
  createCheckRun: `${DOCS}/checks/runs#create-a-check-run`,
  getCheckRun: `${DOCS}/checks/runs#get-a-check-run`,
  updateCheckRun: `${DOCS}/checks/runs#update-a-check-run`,
  annotations: `${DOCS}/checks/runs#list-check-run-annotations`,
  checkRunsForRef: `${DOCS}/checks/runs#list-check-runs-for-a-git-reference`,
  graphql: 'https://docs.github.com/graphql',
  secondary:
    'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  primary:
    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
} as const;

/** The GitHub Actions app and its bot user, as github.com has them. */
const ACTIONS_APP = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };
const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282 };

/** Limits GitHub enforces on what we send. */
const COMMENT_MAX_CHARS = 65_536;
const CHECK_OUTPUT_MAX = 65_535;
const ANNOTATIONS_MAX = 50;
const ANNOTATION_TITLE_MAX = 255;
const ANNOTATION_MESSAGE_MAX_BYTES = 64 * 1024;
const BODY_MAX_BYTES = 25 * 1024 * 1024;
const RATE_LIMIT = 5000;

const CHECK_STATUSES = ['queued', 'in_progress', 'completed'] as const;
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'timed_out',
] as const;
const LEVELS = ['notice', 'warning', 'failure'] as const;

// ---------------------------------------------------------------------------------------------
// Answers and errors

interface Answer {
  status: number;
  /** JSON body; absent: no body (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** An error answer with GitHub's body: `{ message, errors?, documentation_url, status }`. */
class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = DOCS,
    readonly errors?: Record<string, unknown>[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GitHubError';
  }

  toAnswer(): Answer {
    // GitHub's server errors carry the message only.
    if (this.status >= 500)
      return { status: this.status, body: { message: this.message }, headers: this.headers };
    return {
      status: this.status,
      body: {
        message: this.message,
        ...(this.errors ? { errors: this.errors } : {}),
        documentation_url: this.documentationUrl,
        status: String(this.status),
      },
      headers: this.headers,
    };
  }
}

const notFound = (doc: string = DOCS): GitHubError => new GitHubError(404, 'Not Found', doc);

/** GitHub's schema-level refusal: `Invalid request.\n\n<what>`. */
const invalid = (doc: string, what: string): GitHubError =>
  new GitHubError(422, `Invalid request.\n\n${what}`, doc);

/** GitHub's model-level refusal: 422 Validation Failed with one `errors` entry. */
const validationFailed = (doc: string, error: Record<string, unknown>): GitHubError =>
  new GitHubError(422, 'Validation Failed', doc, [error]);

const noCommit = (doc: string, ref: string): GitHubError =>
  new GitHubError(422, `No commit found for SHA: ${ref}`, doc);

function serverErrorMessage(status: number): string {
  if (status === 503) return 'Service Unavailable';
  if (status === 504)
    return "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.";
  return 'Server Error';
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** GitHub's timestamps: ISO 8601 in UTC, whole seconds. */
function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable number from text, for ids of users and repositories we make up. */
function stableId(text: string, base: number): number {
  return base + (createHash('sha1').update(text).digest().readUInt32BE(0) % 90_000_000);
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

/** Characters as GitHub counts them (code points, not UTF-16 units). */
function codePoints(text: string): number {
  return Array.from(text).length;
}

const HEX_SHA = /^[0-9a-f]{7,40}$/i;

// ---------------------------------------------------------------------------------------------
// Stored state

interface StoredPull {
  number: number;
  id: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  headRepo: string | null;
  state: 'open' | 'closed';
  commits: string[];
  title: string;
  login: string;
  createdAt: string;
}

interface Identity {
  login: string;
  /** An app's installation token (may create check runs), not a user's token. */
  app: boolean;
}

interface Fault {
  remaining: number;
  status: number;
  opts: GitHubFailOptions;
}

interface Route {
  method: string;
  pattern: RegExp;
  doc: string;
  handle(params: string[], ctx: RequestContext): Answer;
}

interface RequestContext {
  identity: Identity;
  query: URLSearchParams;
  body: unknown;
  /** The canonical path (`/repositories/{id}` rewritten to `/repos/{o}/{r}`). */
  path: string;
}

export async function startGitHubServer(opts: GitHubServerOptions = {}): Promise<GitHubServer> {
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'shop';
  const fullName = `${owner}/${repo}`;
  const serverUrl = (opts.serverUrl ?? 'https://github.example').replace(/\/+$/, '');
  const token = opts.token ?? 'ghs_loopbackGitHubToken0123456789abcdef';
  const login = opts.login ?? ACTIONS_BOT.login;
  const defaultBranch = opts.defaultBranch ?? 'main';
  const now = opts.now ?? ((): Date => new Date());
  const repoId = stableId(fullName, 600_000_000);

  const tokens = new Map<string, Identity>([[token, { login, app: login.endsWith('[bot]') }]]);
  const branches = new Map<string, string>(Object.entries(opts.branches ?? {}));
  if (!branches.has(defaultBranch))
    branches.set(
      defaultBranch,
      createHash('sha1').update(`${fullName}@${defaultBranch}`).digest('hex'),
    );
  const pulls = new Map<number, StoredPull>();
  const comments: SimComment[] = [];
  const checkRuns: SimCheckRun[] = [];
  const checkSuites = new Map<string, number>();
  const requests: GitHubRequestRecord[] = [];
  let faults: Fault[] = [];
  let forbidden: { prefix: string; methods?: string[] }[] = [];
  const used = new Map<string, number>();
  let nextCommentId = 2_100_000_001;
  let nextCheckRunId = 31_000_000_001;
  let nextSuiteId = 29_000_000_001;
  let requestSeq = 0;
  let url = '';

  const apiRepo = (): string => `${url}/repos/${fullName}`;
  const webRepo = `${serverUrl}/${fullName}`;

  // -------------------------------------------------------------------------------------------
  // Wire shapes

  function userJson(who: string): Json {
    const bot = who.endsWith('[bot]');
    const id = who === ACTIONS_BOT.login ? ACTIONS_BOT.id : stableId(who, 10_000_000);
    const api = `${url}/users/${encodeURIComponent(who)}`;
    return {
      login: who,
      id,
      node_id: nodeId(bot ? 'BOT' : 'U', id),
      avatar_url: `${serverUrl}/avatars/u/${id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: bot ? `${serverUrl}/apps/${who.slice(0, -'[bot]'.length)}` : `${serverUrl}/${who}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: bot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  }

  function appJson(botLogin: string): Json {
    const slug = botLogin.replace(/\[bot\]$/, '');
    const actions = slug === ACTIONS_APP.slug;
    const id = actions ? ACTIONS_APP.id : stableId(slug, 100_000);
    return {
      id,
      client_id: `Iv1.${createHash('sha1').update(slug).digest('hex').slice(0, 16)}`,
      slug,
      node_id: nodeId('A', id),
      owner: { ...userJson(actions ? 'github' : owner), type: 'Organization' },
      name: actions ? ACTIONS_APP.name : slug,
      description: actions ? 'Automate your workflow from idea to production' : '',
      external_url: actions ? 'https://help.github.com/en/actions' : `${serverUrl}/apps/${slug}`,
      html_url: `${serverUrl}/apps/${slug}`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { checks: 'write', issues: 'write', metadata: 'read', pull_requests: 'write' },
      events: ['check_run', 'check_suite', 'pull_request'],
    };
  }

  function repoJson(name: string): Json {
    const [o = owner, r = repo] = name.split('/');
    const id = name === fullName ? repoId : stableId(name, 700_000_000);
    const api = `${url}/repos/${name}`;
    return {
      id,
      node_id: nodeId('R', id),
      name: r,
      full_name: name,
      private: false,
      owner: { ...userJson(o), type: name === fullName ? 'Organization' : 'User' },
      html_url: `${serverUrl}/${name}`,
      description: null,
      fork: name !== fullName,
      url: api,
      pulls_url: `${api}/pulls{/number}`,
      issues_url: `${api}/issues{/number}`,
      git_url: `git://${new URL(serverUrl).host}/${name}.git`,
      clone_url: `${serverUrl}/${name}.git`,
      created_at: '2023-01-05T10:00:00Z',
      updated_at: '2024-05-01T10:00:00Z',
      pushed_at: '2024-05-01T10:00:00Z',
      visibility: 'public',
      default_branch: defaultBranch,
      archived: false,
      disabled: false,
    };
  }

  function pullJson(pr: StoredPull): Json {
    const api = `${apiRepo()}/pulls/${pr.number}`;
    const head = pr.headRepo;
    const headOwner = head?.split('/')[0] ?? 'ghost';
    const closedAt = pr.state === 'closed' ? pr.createdAt : null;
    return {
      url: api,
      id: pr.id,
      node_id: nodeId('PR', pr.id),
      html_url: `${webRepo}/pull/${pr.number}`,
      diff_url: `${webRepo}/pull/${pr.number}.diff`,
      patch_url: `${webRepo}/pull/${pr.number}.patch`,
      issue_url: `${apiRepo()}/issues/${pr.number}`,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${apiRepo()}/pulls/comments{/number}`,
      comments_url: `${apiRepo()}/issues/${pr.number}/comments`,
      statuses_url: `${apiRepo()}/statuses/${pr.headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: userJson(pr.login),
      body: null,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: pr.createdAt,
      updated_at: pr.createdAt,
      closed_at: closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${headOwner}:${pr.headRef}`,
        ref: pr.headRef,
        sha: pr.headSha,
        user: userJson(headOwner),
        repo: head === null ? null : repoJson(head),
      },
      base: {
        label: `${owner}:${pr.baseRef}`,
        ref: pr.baseRef,
        sha: branches.get(pr.baseRef) ?? branches.get(defaultBranch),
        user: { ...userJson(owner), type: 'Organization' },
        repo: repoJson(fullName),
      },
      _links: {
        self: { href: api },
        html: { href: `${webRepo}/pull/${pr.number}` },
        issue: { href: `${apiRepo()}/issues/${pr.number}` },
        comments: { href: `${apiRepo()}/issues/${pr.number}/comments` },
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: false,
    };
  }

  function commentJson(c: SimComment): Json {
    const bot = c.login.endsWith('[bot]');
    return {
      url: `${apiRepo()}/issues/comments/${c.id}`,
      html_url: c.htmlUrl,
      issue_url: `${apiRepo()}/issues/${c.issueNumber}`,
      id: c.id,
      node_id: nodeId('IC', c.id),
      user: userJson(c.login),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: bot ? 'NONE' : 'MEMBER',
      body: c.body,
      reactions: {
        url: `${apiRepo()}/issues/comments/${c.id}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      performed_via_github_app: bot ? appJson(c.login) : null,
    };
  }

  function checkRunJson(r: SimCheckRun): Json {
    const api = `${apiRepo()}/check-runs/${r.id}`;
    const minimal = [...pulls.values()]
      .filter((p) => p.state === 'open' && p.headSha === r.headSha && p.headRepo === fullName)
      .map((p) => ({
        url: `${apiRepo()}/pulls/${p.number}`,
        id: p.id,
        number: p.number,
        head: { ref: p.headRef, sha: p.headSha, repo: { id: repoId, url: apiRepo(), name: repo } },
        base: {
          ref: p.baseRef,
          sha: branches.get(p.baseRef) ?? '',
          repo: { id: repoId, url: apiRepo(), name: repo },
        },
      }));
    return {
      id: r.id,
      name: r.name,
      node_id: nodeId('CR', r.id),
      head_sha: r.headSha,
      external_id: r.externalId ?? '',
      url: api,
      html_url: r.htmlUrl,
      details_url: r.detailsUrl ?? appJson(r.app).html_url,
      status: r.status,
      conclusion: r.conclusion,
      started_at: r.startedAt,
      completed_at: r.completedAt,
      output: {
        title: r.output.title,
        summary: r.output.summary,
        text: r.output.text,
        annotations_count: r.annotations.length,
        annotations_url: `${api}/annotations`,
      },
      check_suite: { id: checkSuites.get(`${r.app}@${r.headSha}`) ?? 0 },
      app: appJson(r.app),
      pull_requests: minimal,
    };
  }

  function annotationJson(r: SimCheckRun, a: SimAnnotation): Json {
    return { ...a, blob_href: `${webRepo}/blob/${r.headSha}/${a.path}` };
  }

  // -------------------------------------------------------------------------------------------
  // Paging: per_page (default 30, at most 100), page, and a Link header like GitHub's

  function page<T>(
    items: T[],
    ctx: RequestContext,
  ): { items: T[]; headers: Record<string, string> } {
    const perRaw = Number.parseInt(ctx.query.get('per_page') ?? '', 10);
    const perPage = Number.isFinite(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 30;
    const pageRaw = Number.parseInt(ctx.query.get('page') ?? '', 10);
    const current = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((current - 1) * perPage, current * perPage);
    if (last === 1) return { items: slice, headers: {} };
    // GitHub's links name the repository by id: /repositories/{id}/...
    const base = ctx.path.replace(`/repos/${fullName}`, `/repositories/${repoId}`);
    const link = (n: number, rel: string): string => {
      const q = new URLSearchParams(ctx.query);
      q.set('per_page', String(perPage));
      q.set('page', String(n));
      return `<${url}${base}?${q.toString()}>; rel="${rel}"`;
    };
    const links = [
      ...(current > 1 ? [link(current - 1, 'prev')] : []),
      ...(current < last ? [link(current + 1, 'next')] : []),
      ...(current < last ? [link(last, 'last')] : []),
      ...(current > 1 ? [link(1, 'first')] : []),
    ];
    return { items: slice, headers: links.length ? { link: links.join(', ') } : {} };
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  function pullOrThrow(n: string, doc: string): StoredPull {
    const pr = pulls.get(Number(n));
    if (!pr) throw notFound(doc);
    return pr;
  }

  function commentOrThrow(id: string, doc: string): SimComment {
    const c = comments.find((x) => x.id === Number(id));
    if (!c) throw notFound(doc);
    return c;
  }

  function runOrThrow(id: string, doc: string): SimCheckRun {
    const r = checkRuns.find((x) => x.id === Number(id));
    if (!r) throw notFound(doc);
    return r;
  }

  /** A branch name or a commit SHA (any 7 to 40 hex digits is taken as an existing commit). */
  function resolveRef(ref: string, doc: string): string {
    const branch = branches.get(ref.replace(/^refs\/heads\//, ''));
    if (branch) return branch;
    if (HEX_SHA.test(ref)) return ref.toLowerCase();
    throw noCommit(doc, ref);
  }

  function suiteFor(app: string, sha: string): void {
    const key = `${app}@${sha}`;
    if (!checkSuites.has(key)) checkSuites.set(key, nextSuiteId++);
  }

  // -------------------------------------------------------------------------------------------
  // Validation of what clients send

  function requireBody(ctx: RequestContext, doc: string): Json {
    if (!isRecord(ctx.body)) throw new GitHubError(400, 'Problems parsing JSON', doc);
    return ctx.body;
  }

  function requireString(obj: Json, key: string, doc: string, where = ''): string {
    const v = obj[key];
    if (v === undefined || v === null) throw invalid(doc, `"${key}" wasn't supplied.`);
    if (typeof v !== 'string')
      throw invalid(doc, `For 'properties/${where}${key}', ${JSON.stringify(v)} is not a string.`);
    return v;
  }

  function optionalString(obj: Json, key: string, doc: string): string | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string')
      throw invalid(doc, `For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
    return v;
  }

  function member<T extends string>(
    obj: Json,
    key: string,
    allowed: readonly T[],
    doc: string,
    where = '',
  ): T | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
      throw invalid(
        doc,
        `For 'properties/${where}${key}', ${JSON.stringify(v)} is not a member of ${JSON.stringify(allowed)}.`,
      );
    return v as T;
  }

  function timestamp(obj: Json, key: string, doc: string): string | undefined {
    const v = optionalString(obj, key, doc);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t))
      throw invalid(doc, `For 'properties/${key}', ${JSON.stringify(v)} is not a date-time.`);
    return iso(new Date(t));
  }

  /** The limits on `summary` and `text`: characters (schema) and bytes (model), as GitHub. */
  function outputText(o: Json, key: 'summary' | 'text', doc: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string')
      throw invalid(doc, `For 'properties/output/${key}', ${JSON.stringify(v)} is not a string.`);
    const chars = codePoints(v);
    if (chars > CHECK_OUTPUT_MAX)
      throw invalid(
        doc,
        `Only ${CHECK_OUTPUT_MAX} characters are allowed; ${chars} were supplied.`,
      );
    if (Buffer.byteLength(v, 'utf8') > CHECK_OUTPUT_MAX)
      throw validationFailed(doc, {
        resource: 'CheckRun',
        code: 'custom',
        field: key,
        message: `${key} exceeds a maximum bytesize of ${CHECK_OUTPUT_MAX}`,
      });
    return v;
  }

  function annotationsOf(o: Json, doc: string): SimAnnotation[] {
    const list = o.annotations;
    if (list === undefined) return [];
    if (!Array.isArray(list))
      throw invalid(
        doc,
        `For 'properties/output/annotations', ${JSON.stringify(list)} is not an array.`,
      );
    if (list.length > ANNOTATIONS_MAX)
      throw invalid(
        doc,
        `No more than ${ANNOTATIONS_MAX} items are allowed; ${list.length} were supplied.`,
      );
    return list.map((raw: unknown, i): SimAnnotation => {
      const where = `output/annotations/items/`;
      if (!isRecord(raw))
        throw invalid(doc, `For 'items', ${JSON.stringify(raw)} is not an object.`);
      const path = requireString(raw, 'path', doc, where);
      const message = requireString(raw, 'message', doc, where);
      const level = member(raw, 'annotation_level', LEVELS, doc, where);
      if (!level) throw invalid(doc, `"annotation_level" wasn't supplied.`);
      const line = (key: string, required: boolean): number | null => {
        const v = raw[key];
        if (v === undefined || v === null) {
          if (required) throw invalid(doc, `"${key}" wasn't supplied.`);
          return null;
        }
        if (typeof v !== 'number' || !Number.isInteger(v))
          throw invalid(
            doc,
            `For 'properties/${where}${key}', ${JSON.stringify(v)} is not an integer.`,
          );
        return v;
      };
      const start = line('start_line', true) ?? 0;
      const end = line('end_line', true) ?? 0;
      const startColumn = line('start_column', false);
      const endColumn = line('end_column', false);
      const title = raw.title === undefined ? null : requireString(raw, 'title', doc, where);
      const rawDetails =
        raw.raw_details === undefined ? null : requireString(raw, 'raw_details', doc, where);
      const problem = (field: string, message: string): GitHubError =>
        validationFailed(doc, { resource: 'CheckRun', code: 'custom', field, index: i, message });
      if (start < 1) throw problem('start_line', 'start_line must be greater than 0');
      if (end < start)
        throw problem('end_line', 'end_line must be greater than or equal to start_line');
      if ((startColumn !== null || endColumn !== null) && start !== end)
        throw problem('start_column', 'columns are only allowed when start_line equals end_line');
      if (title !== null && codePoints(title) > ANNOTATION_TITLE_MAX)
        throw problem('title', `title is too long (maximum is ${ANNOTATION_TITLE_MAX} characters)`);
      if (Buffer.byteLength(message, 'utf8') > ANNOTATION_MESSAGE_MAX_BYTES)
        throw problem(
          'message',
          `message exceeds a maximum bytesize of ${ANNOTATION_MESSAGE_MAX_BYTES}`,
        );
      return {
        path,
        start_line: start,
        end_line: end,
        start_column: startColumn,
        end_column: endColumn,
        annotation_level: level,
        title,
        message,
        raw_details: rawDetails,
      };
    });
  }

  /** Applies a create or update body to a check run (validated first: nothing changes on 422). */
  function applyCheckRun(run: SimCheckRun, b: Json, doc: string, creating: boolean): void {
    const name = creating ? requireString(b, 'name', doc) : optionalString(b, 'name', doc);
    if (name !== undefined && !name.trim()) throw invalid(doc, `"name" can't be blank.`);
    const detailsUrl = optionalString(b, 'details_url', doc);
    const externalId = optionalString(b, 'external_id', doc);
    let status = member(b, 'status', CHECK_STATUSES, doc);
    const conclusion = member(b, 'conclusion', CONCLUSIONS, doc);
    const startedAt = timestamp(b, 'started_at', doc);
    const completedAt = timestamp(b, 'completed_at', doc);
    // Docs: conclusion is required with `status: completed` or `completed_at`, and sets the
    // status to completed itself.
    if (conclusion) status = 'completed';
    if ((status === 'completed' || completedAt) && !conclusion && !run.conclusion)
      throw invalid(doc, `"conclusion" wasn't supplied.`);
    let output: { title?: string; summary?: string; text?: string } | undefined;
    let annotations: SimAnnotation[] = [];
    if (b.output !== undefined) {
      if (!isRecord(b.output))
        throw invalid(
          doc,
          `For 'properties/output', ${JSON.stringify(b.output)} is not an object.`,
        );
      const o = b.output;
      const title = creating
        ? requireString(o, 'title', doc, 'output/')
        : o.title === undefined
          ? undefined
          : requireString(o, 'title', doc, 'output/');
      if (o.summary === undefined) throw invalid(doc, `"summary" wasn't supplied.`);
      const summary = outputText(o, 'summary', doc);
      const text = outputText(o, 'text', doc);
      annotations = annotationsOf(o, doc);
      output = {
        ...(title !== undefined ? { title } : {}),
        ...(summary !== undefined ? { summary } : {}),
        ...(text !== undefined ? { text } : {}),
      };
    }
    if (name !== undefined) run.name = name;
    if (detailsUrl !== undefined) run.detailsUrl = detailsUrl;
    if (externalId !== undefined) run.externalId = externalId;
    if (startedAt !== undefined) run.startedAt = startedAt;
    if (status) run.status = status;
    if (conclusion) run.conclusion = conclusion;
    if (run.status === 'completed') run.completedAt = completedAt ?? run.completedAt ?? iso(now());
    if (run.status !== 'queued') run.startedAt ??= iso(now());
    if (output) {
      if (output.title !== undefined) run.output.title = output.title;
      if (output.summary !== undefined) run.output.summary = output.summary;
      if (output.text !== undefined) run.output.text = output.text;
      run.annotations.push(...annotations);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Routes (patterns match the raw path; captured parts are URL-decoded)

  const REPO = '/repos/([^/]+)/([^/]+)';
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}$`),
      doc: DOC.repo,
      handle: () => ({ status: 200, body: repoJson(fullName) }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/commits/([^/]+)/pulls$`),
      doc: DOC.pullsOfCommit,
      handle: ([sha = ''], ctx) => {
        const commit = resolveRef(sha, DOC.pullsOfCommit);
        const found = [...pulls.values()]
          .filter((p) => p.headSha === commit || p.commits.includes(commit))
          .sort((a, b) => b.number - a.number)
          .map(pullJson);
        const { items, headers } = page(found, ctx);
        return { status: 200, body: items, headers };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`),
      doc: DOC.listComments,
      handle: ([n = ''], ctx) => {
        const pr = pullOrThrow(n, DOC.listComments);
        const since = ctx.query.get('since');
        const all = comments
          .filter((c) => c.issueNumber === pr.number)
          .filter((c) => !since || c.updatedAt >= since)
          .map(commentJson);
        const { items, headers } = page(all, ctx);
        return { status: 200, body: items, headers };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`),
      doc: DOC.createComment,
      handle: ([n = ''], ctx) => {
        const pr = pullOrThrow(n, DOC.createComment);
        const body = commentBody(requireBody(ctx, DOC.createComment), DOC.createComment);
        const c = storeComment(pr.number, body, ctx.identity.login);
        return {
          status: 201,
          body: commentJson(c),
          headers: { location: `${apiRepo()}/issues/comments/${c.id}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/issues/comments/(\\d+)$`),
      doc: DOC.getComment,
      handle: ([id = '']) => ({
        status: 200,
        body: commentJson(commentOrThrow(id, DOC.getComment)),
      }),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^${REPO}/issues/comments/(\\d+)$`),
      doc: DOC.updateComment,
      handle: ([id = ''], ctx) => {
        const c = commentOrThrow(id, DOC.updateComment);
        c.body = commentBody(requireBody(ctx, DOC.updateComment), DOC.updateComment);
        c.updatedAt = iso(now());
        return { status: 200, body: commentJson(c) };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${REPO}/check-runs$`),
      doc: DOC.createCheckRun,
      handle: (_p, ctx) => {
        const doc = DOC.createCheckRun;
        if (!ctx.identity.app)
          throw new GitHubError(403, 'You must authenticate via a GitHub App.', doc);
        const b = requireBody(ctx, doc);
        const headSha = resolveRef(requireString(b, 'head_sha', doc), doc);
        const run = newCheckRun(ctx.identity.login, headSha);
        applyCheckRun(run, b, doc, true);
        storeCheckRun(run);
        return {
          status: 201,
          body: checkRunJson(run),
          headers: { location: `${apiRepo()}/check-runs/${run.id}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/check-runs/(\\d+)$`),
      doc: DOC.getCheckRun,
      handle: ([id = '']) => ({ status: 200, body: checkRunJson(runOrThrow(id, DOC.getCheckRun)) }),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^${REPO}/check-runs/(\\d+)$`),
      doc: DOC.updateCheckRun,
      handle: ([id = ''], ctx) => {
        const doc = DOC.updateCheckRun;
        const run = runOrThrow(id, doc);
        if (!ctx.identity.app)
          throw new GitHubError(403, 'You must authenticate via a GitHub App.', doc);
        // Another app's check run is not this token's to change.
        if (run.app !== ctx.identity.login)
          throw new GitHubError(403, 'Resource not accessible by integration', doc);
        const b = requireBody(ctx, doc);
        // Validate on a copy so a refused update changes nothing.
        const draft: SimCheckRun = structuredClone(run);
        applyCheckRun(draft, b, doc, false);
        Object.assign(run, draft);
        return { status: 200, body: checkRunJson(run) };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/check-runs/(\\d+)/annotations$`),
      doc: DOC.annotations,
      handle: ([id = ''], ctx) => {
        const run = runOrThrow(id, DOC.annotations);
        const { items, headers } = page(
          run.annotations.map((a) => annotationJson(run, a)),
          ctx,
        );
        return { status: 200, body: items, headers };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/commits/([^/]+)/check-runs$`),
      doc: DOC.checkRunsForRef,
      handle: ([ref = ''], ctx) => {
        const doc = DOC.checkRunsForRef;
        const sha = resolveRef(ref, doc);
        const q = ctx.query;
        const status = q.get('status');
        if (status !== null && !(CHECK_STATUSES as readonly string[]).includes(status))
          throw invalid(
            doc,
            `For 'status', ${JSON.stringify(status)} is not a member of ${JSON.stringify(CHECK_STATUSES)}.`,
          );
        const filter = q.get('filter') ?? 'latest';
        if (filter !== 'latest' && filter !== 'all')
          throw invalid(
            doc,
            `For 'filter', ${JSON.stringify(filter)} is not a member of ["latest","all"].`,
          );
        const name = q.get('check_name');
        let runs = checkRuns.filter(
          (r) =>
            r.headSha === sha &&
            (name === null || r.name === name) &&
            (status === null || r.status === status),
        );
        if (filter === 'latest') runs = latestPerName(runs);
        const sorted = [...runs].sort((a, b) => b.id - a.id);
        const { items, headers } = page(sorted, ctx);
        return {
          status: 200,
          body: { total_count: sorted.length, check_runs: items.map(checkRunJson) },
          headers,
        };
      },
    },
  ];

  /**
   * `filter=latest`: per check suite and name, the most recent run (the last completed, an
   * unfinished one counting as the newest). Applied after `check_name` and `status` here.
   */
  function latestPerName(runs: SimCheckRun[]): SimCheckRun[] {
    const best = new Map<string, SimCheckRun>();
    const rank = (r: SimCheckRun): [string, number] => [r.completedAt ?? '\uffff', r.id];
    for (const r of runs) {
      const key = `${r.app}@${r.headSha}/${r.name}`;
      const held = best.get(key);
      if (!held) {
        best.set(key, r);
        continue;
      }
      const [a, ai] = rank(r);
      const [b, bi] = rank(held);
      if (a > b || (a === b && ai > bi)) best.set(key, r);
    }
    return [...best.values()];
  }

  function commentBody(b: Json, doc: string): string {
    const body = requireString(b, 'body', doc);
    if (codePoints(body) > COMMENT_MAX_CHARS)
      throw validationFailed(doc, {
        resource: 'IssueComment',
        code: 'unprocessable',
        field: 'data',
        message: `Body is too long (maximum is ${COMMENT_MAX_CHARS} characters)`,
      });
    return body;
  }

  function storeComment(issue: number, body: string, who: string): SimComment {
    const id = nextCommentId++;
    const at = iso(now());
    const c: SimComment = {
      id,
      issueNumber: issue,
      body,
      login: who,
      createdAt: at,
      updatedAt: at,
      htmlUrl: `${webRepo}/pull/${issue}#issuecomment-${id}`,
    };
    comments.push(c);
    return c;
  }

  function newCheckRun(app: string, headSha: string): SimCheckRun {
    const id = nextCheckRunId++;
    return {
      id,
      name: '',
      headSha,
      status: 'queued',
      conclusion: null,
      startedAt: null,
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      app,
      htmlUrl: `${webRepo}/runs/${id}`,
    };
  }

  function storeCheckRun(run: SimCheckRun): void {
    suiteFor(run.app, run.headSha);
    checkRuns.push(run);
  }

  // -------------------------------------------------------------------------------------------
  // GraphQL: the one query the client sends

  function graphql(ctx: RequestContext): Answer {
    const b = isRecord(ctx.body) ? ctx.body : {};
    const query = typeof b.query === 'string' ? b.query.replace(/\s+/g, ' ').trim() : '';
    if (!query)
      return {
        status: 200,
        body: {
          errors: [{ message: 'A query attribute must be specified and must be a string.' }],
        },
      };
    if (/^(query\s*)?\{ ?viewer ?\{ ?login ?\} ?\}$/.test(query))
      return { status: 200, body: { data: { viewer: { login: ctx.identity.login } } } };
    return {
      status: 200,
      body: {
        errors: [
          {
            type: 'UNSUPPORTED',
            message: `the loopback GitHub server answers only 'query { viewer { login } }', not '${query.slice(0, 200)}'`,
          },
        ],
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  function pickFault(method: string, path: string): Fault | undefined {
    const f = faults.find(
      (x) =>
        x.remaining > 0 &&
        (!x.opts.method || x.opts.method.toUpperCase() === method) &&
        (!x.opts.path || path.startsWith(x.opts.path)),
    );
    if (!f) return undefined;
    f.remaining--;
    faults = faults.filter((x) => x.remaining > 0);
    return f;
  }

  function faultError(f: Fault, reqId: string): GitHubError {
    const { status, opts: o } = f;
    const retry: Record<string, string> =
      o.retryAfter !== undefined ? { 'retry-after': String(o.retryAfter) } : {};
    if (status === 403 || status === 429) {
      if (o.rateLimit === 'primary') {
        // Epoch seconds the client compares with its own clock: real time, not `now`.
        const reset = Math.floor(Date.now() / 1000) + (o.retryAfter ?? 60);
        return new GitHubError(
          status,
          o.message ?? `API rate limit exceeded for installation ID 12345678.`,
          DOC.primary,
          undefined,
          { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
        );
      }
      return new GitHubError(
        status,
        o.message ??
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${reqId}.`,
        DOC.secondary,
        undefined,
        retry,
      );
    }
    if (status >= 500)
      return new GitHubError(
        status,
        o.message ?? serverErrorMessage(status),
        DOCS,
        undefined,
        retry,
      );
    return new GitHubError(status, o.message ?? 'Injected failure', DOCS, undefined, retry);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  function identify(req: IncomingMessage): Identity | GitHubError {
    const header = req.headers.authorization;
    if (!header) return new GitHubError(401, 'Requires authentication');
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    const who = m?.[1] ? tokens.get(m[1]) : undefined;
    return who ?? new GitHubError(401, 'Bad credentials');
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= BODY_MAX_BYTES) chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function send(res: ServerResponse, answer: Answer, who: string | undefined, reqId: string): void {
    const key = who ?? '(anonymous)';
    const count = (used.get(key) ?? 0) + 1;
    used.set(key, count);
    const reset = Math.floor(Date.now() / 1000 / 3600 + 1) * 3600;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': reqId,
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - count)),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(count),
      'x-ratelimit-resource': 'core',
      ...answer.headers,
    };
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, headers).end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const reqId = `${(0xc0de0000 + ++requestSeq).toString(16).toUpperCase()}:5EED:${requestSeq}`;
    const record: GitHubRequestRecord = {
      method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      status: 0,
    };
    let answer: Answer;
    try {
      answer = dispatch(req, parsed, await readBody(req), record, reqId);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      answer = (
        e instanceof GitHubError ? e : new GitHubError(500, `loopback GitHub server: ${message}`)
      ).toAnswer();
    }
    record.status = answer.status;
    requests.push(record);
    send(res, answer, record.login, reqId);
  }

  /** Authenticates, parses, injects faults and routes; fills in `record`'s login and body. */
  function dispatch(
    req: IncomingMessage,
    parsed: URL,
    text: string,
    record: GitHubRequestRecord,
    reqId: string,
  ): Answer {
    const { method } = record;
    // `/repositories/{id}/...` (GitHub's Link headers) is the same as `/repos/{o}/{r}/...`.
    const raw = parsed.pathname.replace(/\/+$/, '') || '/';
    const alias = /^\/repositories\/(\d+)(\/.*)?$/.exec(raw);
    let path = raw;
    if (alias) {
      if (Number(alias[1]) !== repoId) throw notFound();
      path = `/repos/${fullName}${alias[2] ?? ''}`;
    }
    const identity = identify(req);
    if (identity instanceof GitHubError) {
      if (path === '/graphql') throw new GitHubError(401, identity.message, DOC.graphql);
      throw identity;
    }
    record.login = identity.login;
    let body: unknown;
    if (text && method !== 'GET' && method !== 'HEAD') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        throw new GitHubError(400, 'Problems parsing JSON');
      }
      record.body = body;
    }
    const ctx: RequestContext = { identity, query: parsed.searchParams, body, path };

    const fault = pickFault(method, path);
    if (fault) throw faultError(fault, reqId);

    if (path === '/graphql') {
      if (method !== 'POST') throw notFound(DOC.graphql);
      return graphql(ctx);
    }
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (!m || route.method !== method) continue;
      const [, o = '', r = '', ...rest] = m;
      if (decodeURIComponent(o).toLowerCase() !== owner.toLowerCase()) throw notFound(route.doc);
      if (decodeURIComponent(r).toLowerCase() !== repo.toLowerCase()) throw notFound(route.doc);
      const deny = forbidden.find(
        (f) => path.startsWith(f.prefix) && (!f.methods || f.methods.includes(method)),
      );
      if (deny) throw new GitHubError(403, 'Resource not accessible by integration', route.doc);
      return route.handle(
        rest.map((p) => decodeURIComponent(p)),
        ctx,
      );
    }
    // GitHub answers 404 for unknown paths and for methods a path does not take.
    throw notFound();
  }

  // -------------------------------------------------------------------------------------------
  // Listen

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const listening = await listenLoopback(server, opts.port);
  url = listening.url;

  return {
    url,
    owner,
    repo,
    serverUrl,
    token,
    login,
    defaultBranch,
    requests,
    addToken(t, who, o = {}) {
      tokens.set(t, { login: who, app: o.app ?? who.endsWith('[bot]') });
    },
    setBranch(name, sha) {
      branches.set(name, sha);
    },
    addPullRequest(pr) {
      const headRepo =
        pr.headRepo !== undefined ? pr.headRepo : pr.fork ? `contributor/${repo}` : fullName;
      pulls.set(pr.number, {
        number: pr.number,
        id: 1_800_000_000 + pr.number,
        headSha: pr.headSha,
        headRef: pr.headRef ?? `feature-${pr.number}`,
        baseRef: pr.baseRef ?? defaultBranch,
        headRepo,
        state: pr.state ?? 'open',
        commits: pr.commits ?? [],
        title: pr.title ?? `Pull request #${pr.number}`,
        login: pr.login ?? 'octocat',
        createdAt: iso(now()),
      });
    },
    addComment(pr, c) {
      if (!pulls.has(pr)) throw new Error(`no pull request #${pr}: addPullRequest first`);
      return { ...storeComment(pr, c.body, c.login ?? 'octocat') };
    },
    comments(pr) {
      return comments.filter((c) => c.issueNumber === pr).map((c) => ({ ...c }));
    },
    addCheckRun(seed) {
      const run = newCheckRun(login, seed.headSha);
      run.name = seed.name;
      run.status = seed.status ?? (seed.conclusion ? 'completed' : 'queued');
      run.conclusion = seed.conclusion ?? null;
      run.startedAt = seed.startedAt ?? (run.status === 'queued' ? null : iso(now()));
      run.completedAt = seed.completedAt ?? (run.status === 'completed' ? iso(now()) : null);
      run.detailsUrl = seed.detailsUrl ?? null;
      run.output = {
        title: seed.output?.title ?? null,
        summary: seed.output?.summary ?? null,
        text: seed.output?.text ?? null,
      };
      storeCheckRun(run);
      return structuredClone(run);
    },
    checkRuns() {
      return checkRuns.map((r) => structuredClone(r));
    },
    failNext(n, status, o = {}) {
      if (n > 0) faults.push({ remaining: n, status, opts: o });
    },
    forbid(prefix, methods) {
      forbidden.push({
        prefix,
        ...(methods ? { methods: methods.map((m) => m.toUpperCase()) } : {}),
      });
    },
    clearFaults() {
      faults = [];
      forbidden = [];
    },
    close: () => listening.close(),
  };
}
