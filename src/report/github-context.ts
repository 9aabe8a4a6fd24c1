/**
 * What the reports need to know about the workflow run, read from the Actions environment and the
 * event payload (pure: the caller reads `process.env` and the file at `GITHUB_EVENT_PATH`).
 *
 * The deployed SHA is the commit the check run goes on and whose PRs get the comment (SPEC
 * section 7): a deployment's own SHA, a PR's head (GITHUB_SHA is the merge commit there), the
 * triggering run's head for workflow_run (GITHUB_SHA is the default branch's head), else
 * GITHUB_SHA.
 */

/** The Actions variables the reports read; anything else in the environment is ignored. */
export interface GitHubEnv {
  GITHUB_EVENT_NAME?: string;
  GITHUB_SHA?: string;
  GITHUB_REPOSITORY?: string;
  GITHUB_SERVER_URL?: string;
  GITHUB_RUN_ID?: string;
  GITHUB_RUN_ATTEMPT?: string;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A pull request as the reports need it. */
export interface PullRequestRef {
  number: number;
  /** The PR's head commit (absent when the payload did not carry it). */
  headSha?: string;
  /** The head comes from another repository: the workflow's token is read-only there. */
  fromFork: boolean;
  /** `owner/repo` of the head, when it differs from the base (for the fork warning). */
  headRepo?: string;
}

/** Where the PR comment goes: the event's own PR, the deployed commit's open PRs, or none. */
export type PullRequestSource =
  | { kind: 'event'; pullRequest: PullRequestRef }
  | { kind: 'commit'; sha: string }
  | { kind: 'none'; reason: string };

export interface GitHubRunContext {
  eventName: string;
  repository: RepoRef;
  /** The commit the check run goes on and whose PRs are looked up. */
  deployedSha: string;
  /** The event's own PR (pull_request and its kin), if any. */
  pullRequest?: PullRequestRef;
  /** From the payload's `repository.default_branch`; absent for payloads without it. */
  defaultBranch?: string;
  serverUrl: string;
  /** The workflow run's page (a later attempt's own page when GITHUB_RUN_ATTEMPT > 1). */
  runUrl?: string;
}

export type GitHubContextResult =
  { ok: true; context: GitHubRunContext } | { ok: false; reason: string };

/** Events whose payload carries `pull_request` (the PR the run is about). */
const PR_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/** Events after which the deployed commit's open PRs get the comment (SPEC section 7). */
const COMMIT_PR_EVENTS = new Set([
  'deployment_status',
  'deployment',
  'push',
  'workflow_run',
  'workflow_dispatch',
]);

export function readGitHubContext(env: GitHubEnv, payload: unknown): GitHubContextResult {
  const event = asRecord(payload);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const repository = parseRepository(env.GITHUB_REPOSITORY) ?? repositoryFromPayload(event);
  if (!repository)
    return {
      ok: false,
      reason: `no repository: GITHUB_REPOSITORY is ${describe(env.GITHUB_REPOSITORY)}, expected {owner}/{repo}`,
    };

  const pullRequest = PR_EVENTS.has(eventName)
    ? pullRequestFrom(asRecord(event.pull_request))
    : undefined;
  const deployedSha = deployedShaOf(eventName, event, pullRequest) ?? nonEmpty(env.GITHUB_SHA);
  if (!deployedSha) return { ok: false, reason: 'no commit: GITHUB_SHA is not set' };

  const serverUrl = (nonEmpty(env.GITHUB_SERVER_URL) ?? 'https://github.com').replace(/\/+$/, '');
  const defaultBranch = nonEmpty(str(asRecord(event.repository).default_branch));
  const runUrl = workflowRunUrl(serverUrl, repository, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT);
  return {
    ok: true,
    context: {
      eventName,
      repository,
      deployedSha,
      ...(pullRequest ? { pullRequest } : {}),
      ...(defaultBranch ? { defaultBranch } : {}),
      serverUrl,
      ...(runUrl ? { runUrl } : {}),
    },
  };
}

/** Which PRs the comment goes to for this event. */
export function pullRequestSource(ctx: GitHubRunContext): PullRequestSource {
  if (ctx.pullRequest) return { kind: 'event', pullRequest: ctx.pullRequest };
  if (PR_EVENTS.has(ctx.eventName))
    return { kind: 'none', reason: `the ${ctx.eventName} event carries no pull request number` };
  if (COMMIT_PR_EVENTS.has(ctx.eventName)) return { kind: 'commit', sha: ctx.deployedSha };
  return {
    kind: 'none',
    reason: `a ${ctx.eventName || 'local'} run has no pull request (comments follow pull_request, deployment, deployment_status, push, workflow_run and workflow_dispatch)`,
  };
}

/** `owner/repo` -> parts; undefined unless exactly two non-empty parts. */
export function parseRepository(value: string | undefined): RepoRef | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value?.trim() ?? '');
  return m?.[1] && m[2] ? { owner: m[1], repo: m[2] } : undefined;
}

function deployedShaOf(
  eventName: string,
  event: Record<string, unknown>,
  pr: PullRequestRef | undefined,
): string | undefined {
  switch (eventName) {
    case 'deployment':
    case 'deployment_status':
      return nonEmpty(str(asRecord(event.deployment).sha));
    case 'workflow_run':
      return nonEmpty(str(asRecord(event.workflow_run).head_sha));
    default:
      return PR_EVENTS.has(eventName) ? pr?.headSha : undefined;
  }
}

function pullRequestFrom(pr: Record<string, unknown>): PullRequestRef | undefined {
  const number = pr.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) return undefined;
  const head = asRecord(pr.head);
  const headSha = nonEmpty(str(head.sha));
  const headRepo = str(asRecord(head.repo).full_name);
  const baseRepo = str(asRecord(asRecord(pr.base).repo).full_name);
  return {
    number,
    ...(headSha ? { headSha } : {}),
    ...forkOf(headRepo, baseRepo, head.repo === null),
  };
}

/**
 * A PR is from a fork when its head repository differs from its base; a deleted fork shows as
 * `head.repo: null`, which is a fork too.
 */
export function forkOf(
  headRepo: string | undefined,
  baseRepo: string | undefined,
  headRepoDeleted = false,
): Pick<PullRequestRef, 'fromFork' | 'headRepo'> {
  if (headRepoDeleted) return { fromFork: true };
  if (headRepo && baseRepo && headRepo.toLowerCase() !== baseRepo.toLowerCase())
    return { fromFork: true, headRepo };
  return { fromFork: false };
}

function workflowRunUrl(
  serverUrl: string,
  repo: RepoRef,
  runId: string | undefined,
  attempt: string | undefined,
): string | undefined {
  if (!runId || !/^\d+$/.test(runId)) return undefined;
  const base = `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}`;
  return attempt && /^\d+$/.test(attempt) && Number(attempt) > 1
    ? `${base}/attempts/${attempt}`
    : base;
}

function repositoryFromPayload(event: Record<string, unknown>): RepoRef | undefined {
  return parseRepository(str(asRecord(event.repository).full_name));
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function describe(value: string | undefined): string {
  return value === undefined ? 'not set' : `'${value}'`;
}
