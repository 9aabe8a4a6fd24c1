/**
 * The GitHub side of the reports (SPEC section 7): the sticky PR comment, the check run
 * `chaos-gate / NAME` on the deployed commit, and the baseline of the previous run.
 *
 * A report that cannot be published is a warning that says what to grant; it never changes the
 * verdict, so nothing here throws: every function returns `{ ok: false, warning }` instead.
 * Every function takes the client as a parameter. Retries are the Octokit plugins' (5xx:
 * plugin-retry; rate limits: plugin-throttling); each retry is logged with its attempt number.
 * The token is never logged (Octokit redacts it from its errors too).
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { SuiteVerdict } from '../score/score.js';
import { suiteMarker } from './markdown.js';
import {
  forkOf,
  pullRequestSource,
  type GitHubRunContext,
  type PullRequestRef,
  type RepoRef,
} from './github-context.js';

export type GitHubClient = ReturnType<typeof getOctokit>;
/** @octokit/core's plugin type, taken from @actions/github (core is not our direct dependency). */
type OctokitPlugin = NonNullable<Parameters<typeof getOctokit>[2]>;
export type GitHubLog = Pick<Logger, 'info' | 'warning' | 'debug'>;

/** What a report step gives back: a value, or a warning for the log (never an exception). */
export type ReportResult<T> =
  | { ok: true; value: T; /** Published, but something on the side failed. */ warning?: string }
  | { ok: false; warning: string };

/** The login of the `GITHUB_TOKEN` (the GitHub Actions app's bot user). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/** 5xx retries (plugin-retry): attempts after the first one fails. */
export const SERVER_ERROR_RETRIES = 3;
/** Rate limits (plugin-throttling): retries of a primary and of a secondary limit. */
export const PRIMARY_RATE_LIMIT_RETRIES = 1;
export const SECONDARY_RATE_LIMIT_RETRIES = 2;
/** A primary limit resets hourly: wait for it only when the reset is this close (seconds). */
export const PRIMARY_RATE_LIMIT_MAX_WAIT_S = 60;

/** Checks API limits: bytes of `output.summary`/`text`, annotations per request. */
export const CHECK_OUTPUT_MAX_BYTES = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/** Issue comment bodies: 65,536 characters; counted in bytes here, which is never more. */
export const COMMENT_MAX_BYTES = 65_536;

export interface GitHubClientOptions {
  /** REST API root (GHES: `https://HOST/api/v3`); default: `GITHUB_API_URL` or api.github.com. */
  baseUrl?: string;
  /** Replaces @actions/github's own undici fetch (tests: the global fetch, which nock sees). */
  fetch?: typeof globalThis.fetch;
  log: GitHubLog;
  /**
   * Milliseconds per second of the plugins' waits (backoff and Retry-After): 1000. Tests set
   * a small value so retries take no time.
   */
  retryAfterBaseValue?: number;
  /**
   * Tests only: the throttling plugin's limiter groups. Its defaults space writes by 1 s (GitHub's
   * advice against secondary rate limits), which would make every test of writes slow.
   */
  throttleGroups?: Pick<ThrottlingOptions, 'write' | 'notifications' | 'search'>;
}

/**
 * Octokit from @actions/github with the retry and throttling plugins: 5xx and network errors
 * retried {@link SERVER_ERROR_RETRIES} times with backoff; a primary rate limit waited out once
 * (when it resets within a minute), a secondary one twice (after its Retry-After).
 */
export function createGitHubClient(token: string, options: GitHubClientOptions): GitHubClient {
  const { log } = options;
  const clean = (text: string): string => redact(text, token);
  const base = options.retryAfterBaseValue;
  const describe = (o: { method: string; url: string }): string => `GitHub ${o.method} ${o.url}`;
  const client = getOctokit(
    token,
    {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      // Replaces @actions/github's `request` defaults (its proxy-aware fetch) only when asked.
      ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
      retry: {
        retries: SERVER_ERROR_RETRIES,
        // Rate limits (403, 429) are the throttling plugin's; the rest of 4xx are final.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
        ...(base !== undefined ? { retryAfterBaseValue: base } : {}),
      },
      throttle: {
        ...(base !== undefined ? { retryAfterBaseValue: base } : {}),
        ...options.throttleGroups,
        onRateLimit: (retryAfter, o, _octokit, retryCount) => {
          const attempt = `attempt ${retryCount + 1} of ${PRIMARY_RATE_LIMIT_RETRIES + 1}`;
          if (
            retryCount < PRIMARY_RATE_LIMIT_RETRIES &&
            retryAfter <= PRIMARY_RATE_LIMIT_MAX_WAIT_S
          ) {
            log.info(
              `${describe(o)}: rate limit reached (${attempt}); retrying in ${retryAfter} s`,
            );
            return true;
          }
          log.info(
            `${describe(o)}: rate limit reached (${attempt}); it resets in ${retryAfter} s: giving up`,
          );
          return false;
        },
        onSecondaryRateLimit: (retryAfter, o, _octokit, retryCount) => {
          const attempt = `attempt ${retryCount + 1} of ${SECONDARY_RATE_LIMIT_RETRIES + 1}`;
          if (retryCount < SECONDARY_RATE_LIMIT_RETRIES) {
            log.info(
              `${describe(o)}: secondary rate limit (${attempt}); retrying in ${retryAfter} s`,
            );
            return true;
          }
          log.info(`${describe(o)}: secondary rate limit (${attempt}); giving up`);
          return false;
        },
      },
    },
    // Order matters: the first plugin's error hook is the innermost, so it sees every attempt.
    logServerErrors(log, clean),
    retry,
    throttling,
  );
  tokens.set(client, token);
  return client;
}

/** Each client's token, only to keep it out of the messages we log and return. */
const tokens = new WeakMap<GitHubClient, string>();

/**
 * The text with the token, any `Authorization` value and anything shaped like a GitHub token
 * replaced by `***` (an error message may quote a request; nock's do).
 */
export function redact(text: string, token?: string): string {
  let out = token && token.length >= 4 ? text.split(token).join('***') : text;
  out = out.replace(
    /(authorization["']?\s*[:=]\s*["']?)(?:(token|bearer|basic)\s+)?[^\s"',}]+/gi,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}***`,
  );
  return out.replace(/\b(?:gh[opsuhr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{20,})/g, '***');
}

/** Logs each failed attempt that plugin-retry retries (it logs nothing itself). */
function logServerErrors(log: GitHubLog, clean: (text: string) => string): OctokitPlugin {
  return (octokit) => {
    octokit.hook.error('request', (error, options) => {
      // Network errors come as status 500 too (@octokit/request); other errors are not retried.
      const status = statusOf(error);
      if (status !== undefined && status >= 500) {
        const retryCount = Number(options.request?.retryCount ?? 0) || 0;
        const attempt = retryCount + 1;
        const more = attempt <= SERVER_ERROR_RETRIES ? 'retrying' : 'giving up';
        log.info(
          `GitHub ${options.method} ${options.url}: attempt ${attempt} of ${SERVER_ERROR_RETRIES + 1} failed (${status}: ${clean(firstLine(errorMessage(error)))}); ${more}`,
        );
      }
      throw error;
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Pull requests

/**
 * The PRs that get the comment. The event's own for pull_request (no request). For
 * deployment_status, deployment, push, workflow_run and workflow_dispatch: the deployed
 * commit's **open** PRs (`GET /repos/{o}/{r}/commits/{sha}/pulls`, one request): those whose
 * head is exactly the deployed commit when there are any (a stacked PR further up contains the
 * commit but did not deploy it), else every open PR that contains it. Other events: none.
 * No PR is not an error: the value is an empty list.
 */
export async function findPullRequests(
  client: GitHubClient,
  ctx: GitHubRunContext,
  log: GitHubLog,
  /** The open PRs at the deployed commit GitHub already named (the check run's). */
  known?: PullRequestRef[],
): Promise<ReportResult<PullRequestRef[]>> {
  const source = pullRequestSource(ctx);
  if (source.kind === 'event') return { ok: true, value: [source.pullRequest] };
  if (source.kind === 'none') {
    log.debug(`PR comment: ${source.reason}`);
    return { ok: true, value: [] };
  }
  // The check run on the deployed commit lists the open PRs whose head it is: the ones we would
  // choose below. Without one there (a commit behind a PR's head, a PR from a fork), ask.
  if (known?.length) return { ok: true, value: known };
  try {
    const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
      ...ctx.repository,
      commit_sha: source.sha,
      per_page: 100,
    });
    const open = data.filter((pr) => pr.state === 'open');
    const atHead = open.filter((pr) => pr.head.sha === source.sha);
    const chosen = atHead.length ? atHead : open;
    if (!chosen.length) log.debug(`PR comment: commit ${source.sha} is in no open pull request`);
    return {
      ok: true,
      value: chosen.map((pr) => ({
        number: pr.number,
        headSha: pr.head.sha,
        ...forkOf(pr.head.repo?.full_name, pr.base.repo.full_name, pr.head.repo === null),
      })),
    };
  } catch (err) {
    return {
      ok: false,
      warning: failure(
        client,
        err,
        `finding the pull requests of commit ${source.sha}`,
        'pull-requests',
      ),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Sticky comment

export interface StickyTarget {
  repository: RepoRef;
  pullRequest: PullRequestRef;
  /** The suite's name: one sticky comment per suite per PR. */
  suite: string;
}

export interface StickyComment {
  id: number;
  body: string;
  url: string;
  author: string;
}

export interface FindCommentOptions {
  /**
   * Whose comment is ours. Default: `github-actions[bot]` (the GITHUB_TOKEN); when only others'
   * comments carry the marker, the token's own login is asked (GraphQL `viewer`, which answers
   * for app installation tokens and personal tokens alike).
   */
  author?: string;
  log?: GitHubLog;
}

/**
 * The hidden marker that, with our author, identifies the suite's comment: the renderer's own
 * (src/report/markdown.ts), so the body it renders and the comment we look for always agree.
 */
export function stickyMarker(suite: string): string {
  return suiteMarker(suite);
}

const viewerLogins = new WeakMap<GitHubClient, Promise<string | undefined>>();

/** The token's own login (GraphQL `viewer`), asked once per client; undefined when unknown. */
export function tokenLogin(client: GitHubClient, log?: GitHubLog): Promise<string | undefined> {
  let login = viewerLogins.get(client);
  if (!login) {
    login = client
      .graphql<{ viewer?: { login?: unknown } }>('query { viewer { login } }')
      .then((r) => (typeof r.viewer?.login === 'string' ? r.viewer.login : undefined))
      .catch((err: unknown) => {
        log?.debug(
          `GitHub: could not ask who the token is (${redact(firstLine(errorMessage(err)), tokens.get(client))})`,
        );
        return undefined;
      });
    viewerLogins.set(client, login);
  }
  return login;
}

/**
 * Our sticky comment on the PR: the oldest comment that carries the suite's marker and is by
 * our own author, looked for across every page of the PR's comments (100 a page, stopping at
 * the first match). Comments by anyone else are ignored even with the marker.
 */
export async function findStickyComment(
  client: GitHubClient,
  target: StickyTarget,
  opts: FindCommentOptions = {},
): Promise<ReportResult<StickyComment | undefined>> {
  const marker = stickyMarker(target.suite);
  const expected = opts.author ?? ACTIONS_BOT_LOGIN;
  const others: StickyComment[] = [];
  try {
    const pages = client.paginate.iterator(client.rest.issues.listComments, {
      ...target.repository,
      issue_number: target.pullRequest.number,
      per_page: 100,
    });
    for await (const { data } of pages) {
      for (const c of data) {
        if (!c.body?.includes(marker)) continue;
        const comment = {
          id: c.id,
          body: c.body,
          url: c.html_url,
          author: c.user?.login ?? '',
        };
        if (sameLogin(comment.author, expected)) return { ok: true, value: comment };
        others.push(comment);
      }
    }
  } catch (err) {
    return {
      ok: false,
      warning: failure(
        client,
        err,
        `reading the comments of #${target.pullRequest.number}`,
        'pull-requests',
        target.pullRequest,
      ),
    };
  }
  if (!others.length || opts.author) return { ok: true, value: undefined };
  // Only others' comments carry the marker: ours if the token is not the GITHUB_TOKEN.
  const login = await tokenLogin(client, opts.log);
  const mine = login ? others.find((c) => sameLogin(c.author, login)) : undefined;
  if (!mine)
    opts.log?.debug(
      `PR comment: ignoring ${others.length} comment(s) with the marker by ${[...new Set(others.map((c) => c.author))].join(', ')}`,
    );
  return { ok: true, value: mine };
}

/**
 * Updates our comment in place (when `existing` is given) or creates it; the body gets the
 * marker when it lacks one and is truncated with a note past GitHub's limit. Returns the
 * comment's URL.
 */
export async function writeStickyComment(
  client: GitHubClient,
  target: StickyTarget,
  body: string,
  existing: StickyComment | undefined,
): Promise<ReportResult<{ id: number; url: string; created: boolean }>> {
  const marker = stickyMarker(target.suite);
  const full = body.includes(marker) ? body : `${marker}\n${body}`;
  const text = truncateForGitHub(full, COMMENT_MAX_BYTES);
  const pr = target.pullRequest;
  try {
    if (existing) {
      const { data } = await client.rest.issues.updateComment({
        ...target.repository,
        comment_id: existing.id,
        body: text,
      });
      return { ok: true, value: { id: data.id, url: data.html_url, created: false } };
    }
    const { data } = await client.rest.issues.createComment({
      ...target.repository,
      issue_number: pr.number,
      body: text,
    });
    return { ok: true, value: { id: data.id, url: data.html_url, created: true } };
  } catch (err) {
    const what = existing ? `updating the comment on #${pr.number}` : `commenting on #${pr.number}`;
    return { ok: false, warning: failure(client, err, what, 'pull-requests', pr) };
  }
}

/**
 * Find, then update or create: the comment's URL and the previous body (the baseline's data),
 * for callers that render the body without the baseline.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  target: StickyTarget,
  body: string,
  opts: FindCommentOptions = {},
): Promise<ReportResult<{ url: string; created: boolean; previousBody?: string }>> {
  const found = await findStickyComment(client, target, opts);
  if (!found.ok) return found;
  const written = await writeStickyComment(client, target, body, found.value);
  if (!written.ok) return written;
  return {
    ok: true,
    value: {
      url: written.value.url,
      created: written.value.created,
      ...(found.value ? { previousBody: found.value.body } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Check run

export interface CheckRunTarget {
  repository: RepoRef;
  /** The deployed commit. */
  sha: string;
  suite: string;
  /** Link from the check (the workflow run). */
  detailsUrl?: string;
  /** The event's PR, for the fork hint when the token turns out read-only. */
  pullRequest?: PullRequestRef;
}

export interface CheckRunRef {
  id: number;
  url: string;
  /**
   * GitHub's `pull_requests` of the check run: the open PRs of this repository whose head is the
   * check's commit (PRs from forks are never listed there).
   */
  pullRequests?: PullRequestRef[];
}

/** A failed experiment, pointed at its place in the suite file (path from the repository root). */
export interface ExperimentAnnotation {
  path: string;
  startLine: number;
  endLine?: number;
  title: string;
  message: string;
  /** Default `failure`. */
  level?: 'notice' | 'warning' | 'failure';
}

export interface CheckRunCompletion {
  verdict: SuiteVerdict;
  /** One line: verdict and score. */
  title: string;
  /** The same Markdown as the comment; truncated with a note past 65,535 bytes. */
  summary: string;
  /** Optional details (also up to 65,535 bytes). */
  text?: string;
  annotations?: ExperimentAnnotation[];
}

export type CheckConclusion = 'success' | 'neutral' | 'failure';

export function checkRunName(suite: string): string {
  return `chaos-gate / ${suite}`;
}

/** pass -> success; warn and skipped -> neutral; fail and error -> failure. */
export function checkConclusion(verdict: SuiteVerdict): CheckConclusion {
  switch (verdict) {
    case 'pass':
      return 'success';
    case 'warn':
    case 'skipped':
      return 'neutral';
    case 'fail':
    case 'error':
      return 'failure';
  }
}

/** Creates the check run `in_progress` as chaos starts (one request). */
export async function startCheckRun(
  client: GitHubClient,
  target: CheckRunTarget,
  output: { title: string; summary: string } = {
    title: 'Chaos experiments running',
    summary: `chaos-gate is running the suite \`${target.suite}\`.`,
  },
): Promise<ReportResult<CheckRunRef>> {
  try {
    const { data } = await client.rest.checks.create({
      ...target.repository,
      name: checkRunName(target.suite),
      head_sha: target.sha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
      output: {
        title: output.title,
        summary: truncateForGitHub(output.summary, CHECK_OUTPUT_MAX_BYTES),
      },
    });
    return { ok: true, value: checkRunRef(data) };
  } catch (err) {
    return { ok: false, warning: checkFailure(client, err, 'creating', target) };
  }
}

/**
 * Completes the check run with the verdict's conclusion, the summary and the first 50
 * annotations (one request); further annotations follow 50 a request (GitHub appends them).
 * Without a started check run (its start failed or was skipped), creates it completed.
 */
export async function completeCheckRun(
  client: GitHubClient,
  target: CheckRunTarget,
  started: CheckRunRef | undefined,
  completion: CheckRunCompletion,
): Promise<ReportResult<CheckRunRef>> {
  const annotations = (completion.annotations ?? []).map(toAnnotation);
  const batches: (typeof annotations)[] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = {
    title: clip(completion.title, 255),
    summary: truncateForGitHub(completion.summary, CHECK_OUTPUT_MAX_BYTES),
    ...(completion.text !== undefined
      ? { text: truncateForGitHub(completion.text, CHECK_OUTPUT_MAX_BYTES) }
      : {}),
  };
  const final = {
    ...target.repository,
    status: 'completed' as const,
    conclusion: checkConclusion(completion.verdict),
    completed_at: new Date().toISOString(),
    ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
    output: { ...output, ...(batches[0] ? { annotations: batches[0] } : {}) },
  };
  let ref: CheckRunRef;
  try {
    const { data } = started
      ? await client.rest.checks.update({ ...final, check_run_id: started.id })
      : await client.rest.checks.create({
          ...final,
          name: checkRunName(target.suite),
          head_sha: target.sha,
        });
    ref = checkRunRef(data);
  } catch (err) {
    return {
      ok: false,
      warning: checkFailure(client, err, started ? 'completing' : 'creating', target),
    };
  }
  for (const [i, batch] of batches.entries()) {
    if (i === 0) continue;
    try {
      await client.rest.checks.update({
        ...target.repository,
        check_run_id: ref.id,
        output: { ...output, annotations: batch },
      });
    } catch (err) {
      const left = annotations.length - i * ANNOTATIONS_PER_REQUEST;
      return {
        ok: true,
        value: ref,
        warning: `${checkFailure(client, err, 'annotating', target)} (${left} of ${annotations.length} annotations not published)`,
      };
    }
  }
  return { ok: true, value: ref };
}

function toAnnotation(a: ExperimentAnnotation): {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
} {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine ?? a.startLine,
    annotation_level: a.level ?? 'failure',
    title: clip(a.title, 255),
    message: truncateForGitHub(a.message, CHECK_OUTPUT_MAX_BYTES),
  };
}

function checkRunRef(data: {
  id: number | bigint;
  html_url: string | null;
  url: string;
  head_sha?: string;
  pull_requests?: {
    number: number;
    head: { sha: string; repo: { id: number } };
    base: { repo: { id: number } };
  }[];
}): CheckRunRef {
  const prs = (data.pull_requests ?? [])
    .filter((p) => p.head.sha === data.head_sha && p.head.repo.id === p.base.repo.id)
    .map((p) => ({ number: p.number, headSha: p.head.sha, fromFork: false }));
  return {
    id: Number(data.id),
    url: data.html_url ?? data.url,
    ...(prs.length ? { pullRequests: prs } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Baseline

export interface Baseline {
  source: 'comment' | 'check-run';
  /** The Markdown that carries the previous run's hidden data (the caller parses it). */
  body: string;
  url?: string;
  /** The commit the baseline ran on (check-run baselines). */
  sha?: string;
}

export interface BaselineQuery {
  repository: RepoRef;
  suite: string;
  /** Our sticky comment on this PR, when there is one: its data is the baseline (no request). */
  comment?: StickyComment;
  /** From the event payload; asked from the API (one more request) when absent. */
  defaultBranch?: string;
  /** This run's own check run, never its own baseline. */
  excludeCheckRunId?: number;
}

/**
 * The previous run to compare with (SPEC section 7): the sticky comment's body on this PR;
 * otherwise the latest completed `chaos-gate / NAME` check run on the default branch's head
 * (`GET /repos/{o}/{r}/commits/{branch}/check-runs?check_name=...&status=completed&filter=latest`),
 * its output summary and text. Undefined when there is none.
 */
export async function findBaseline(
  client: GitHubClient,
  q: BaselineQuery,
): Promise<ReportResult<Baseline | undefined>> {
  if (q.comment)
    return { ok: true, value: { source: 'comment', body: q.comment.body, url: q.comment.url } };
  try {
    const branch =
      q.defaultBranch ?? (await client.rest.repos.get({ ...q.repository })).data.default_branch;
    const { data } = await client.rest.checks.listForRef({
      ...q.repository,
      ref: branch,
      check_name: checkRunName(q.suite),
      status: 'completed',
      filter: 'latest',
      per_page: 10,
    });
    const latest = data.check_runs
      .filter((r) => r.status === 'completed' && Number(r.id) !== q.excludeCheckRunId)
      .sort((a, b) => (b.completed_at ?? '').localeCompare(a.completed_at ?? ''))[0];
    if (!latest) return { ok: true, value: undefined };
    const body = [latest.output.summary, latest.output.text].filter((s) => !!s).join('\n\n');
    return {
      ok: true,
      value: {
        source: 'check-run',
        body,
        ...(latest.html_url ? { url: latest.html_url } : {}),
        sha: latest.head_sha,
      },
    };
  } catch (err) {
    return {
      ok: false,
      warning: failure(client, err, 'reading the baseline check run', 'checks-read'),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Failures as warnings

type Permission = 'pull-requests' | 'checks' | 'checks-read';

const GRANT: Record<Permission, string> = {
  'pull-requests':
    'grant the workflow `pull-requests: write` (`permissions:` in the workflow or job)',
  checks: 'grant the workflow `checks: write` (`permissions:` in the workflow or job)',
  'checks-read': 'grant the workflow `checks: read` (`permissions:` in the workflow or job)',
};

/** The HTTP status of an Octokit RequestError (duck-typed: errors may come from another realm). */
export function statusOf(err: unknown): number | undefined {
  const s =
    typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof s === 'number' ? s : undefined;
}

function isRateLimit(err: unknown): boolean {
  return /rate limit/i.test(errorMessage(err));
}

/**
 * `PR comment: commenting on #7 failed (403 Resource not accessible by integration): grant ...`
 * with the fork hint when the PR's head is another repository.
 */
function failure(
  client: GitHubClient,
  err: unknown,
  what: string,
  permission: Permission,
  pr?: PullRequestRef,
): string {
  const status = statusOf(err);
  const message = redact(firstLine(errorMessage(err)), tokens.get(client));
  const cause = `${status !== undefined ? `${status} ` : ''}${message}`;
  const head = `${what} failed (${cause})`;
  if (status !== undefined && isRateLimit(err))
    return `${head}: GitHub's rate limit; the report is skipped, the verdict stands.`;
  if (status === 403 || status === 404) {
    const fork = pr?.fromFork
      ? ` Pull request #${pr.number} comes from a fork${pr.headRepo ? ` (${pr.headRepo})` : ''}: GitHub gives workflows triggered by fork PRs a read-only token whatever \`permissions:\` says; publish the report from a \`workflow_run\` workflow instead.`
      : '';
    return `${head}: ${GRANT[permission]}.${fork}`;
  }
  return `${head}.`;
}

function checkFailure(
  client: GitHubClient,
  err: unknown,
  verb: string,
  target: CheckRunTarget,
): string {
  return failure(
    client,
    err,
    `${verb} the check run '${checkRunName(target.suite)}' on ${target.sha.slice(0, 12)}`,
    'checks',
    target.pullRequest,
  );
}

// ---------------------------------------------------------------------------------------------
// Text limits

/**
 * The body cut to `maxBytes` of UTF-8 (GitHub counts the check output in bytes), with a visible
 * note. Our hidden `<!-- chaos-gate... -->` comments (the marker and the run's data) are kept
 * whole at the end when they fit, so the next run still finds the comment and its baseline;
 * `<details>` and code fences left open by the cut are closed so the note shows.
 */
export function truncateForGitHub(body: string, maxBytes: number): string {
  const total = Buffer.byteLength(body, 'utf8');
  if (total <= maxBytes) return body;
  const hidden = body.match(/<!-- chaos-gate[\s\S]*?-->/g) ?? [];
  const visible = body.replace(/<!-- chaos-gate[\s\S]*?-->/g, '');
  const note = `\n\n---\n**Truncated:** this report is ${total} bytes and GitHub takes ${maxBytes}; the job summary and the JSON report have all of it.\n`;
  const closers = '\n</details>'.repeat(4) + '\n```';
  let keep = hidden.join('\n');
  const room = (extra: string): number =>
    maxBytes - Buffer.byteLength(note + closers, 'utf8') - Buffer.byteLength(extra, 'utf8') - 1;
  if (room(keep) < 0)
    keep = hidden.filter((h) => h.startsWith('<!-- chaos-gate:suite=')).join('\n');
  const budget = Math.max(0, room(keep));
  const cut = cutUtf8(visible, budget);
  return `${cut}${close(cut)}${note}${keep ? `${keep}\n` : ''}`;
}

/** At most `bytes` of UTF-8, never splitting a character, at a line end when one is near. */
function cutUtf8(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  let end = Math.min(bytes, buf.length);
  while (end > 0 && end < buf.length && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  const cut = buf.subarray(0, end).toString('utf8');
  const nl = cut.lastIndexOf('\n');
  return nl > cut.length * 0.9 ? cut.slice(0, nl) : cut;
}

/** Closes code fences and `<details>` the cut left open (at most 4 details, as budgeted). */
function close(cut: string): string {
  let s = '';
  if ((cut.match(/^\s*```/gm) ?? []).length % 2 === 1) s += '\n```';
  const open =
    (cut.match(/<details[\s>]/gi) ?? []).length - (cut.match(/<\/details>/gi) ?? []).length;
  s += '\n</details>'.repeat(Math.min(4, Math.max(0, open)));
  return s;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
