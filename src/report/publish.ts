/**
 * Where a run's result goes (SPEC 7): the check run (`in_progress` when chaos starts, completed
 * after), the sticky PR comment on every open PR of the deployed commit, the baseline for the
 * delta (the previous comment's data, else the default branch's latest check run), Slack per
 * `slack-on`, and the one Markdown body they and the job summary share.
 *
 * Every failure here is a warning naming what to grant or fix: a report never changes the
 * verdict and never throws.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Logger } from '../log.js';
import type { RunReport } from '../pipeline.js';
import type { Suite } from '../suite/model.js';
import {
  readGitHubContext,
  type GitHubEnv,
  type GitHubRunContext,
  type PullRequestRef,
} from './github-context.js';
import {
  completeCheckRun,
  createGitHubClient,
  findBaseline,
  findPullRequests,
  findStickyComment,
  startCheckRun,
  writeStickyComment,
  type CheckRunRef,
  type ExperimentAnnotation,
  type GitHubClient,
  type StickyComment,
} from './github.js';
import {
  readBaselineData,
  renderMarkdown,
  scoreDelta,
  summaryLine,
  type BaselineData,
} from './markdown.js';
import { buildSlackMessage, shouldPostToSlack } from './slack.js';
import { postToSlack, slackApiUrl } from './slack-send.js';

export interface PublishOptions {
  suite: Pick<Suite, 'name' | 'file' | 'experiments'>;
  inputs: Inputs;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Tests and the demo: the fetch of the GitHub client and of Slack. */
  fetch?: typeof fetch;
  /** Tests: the GitHub plugins' wait unit (ms per second of Retry-After). */
  githubRetryAfterBaseValue?: number;
}

export interface Published {
  /** The Markdown of the comment, the check run and the job summary. */
  markdown: string;
  baseline?: BaselineData;
  /** `score-delta`, when this run and the baseline both have a score. */
  scoreDelta?: number;
  commentUrls: string[];
  checkRunUrl?: string;
  slack: 'posted' | 'not-configured' | 'filtered' | 'failed';
  /** Every report that failed, with what to grant (already logged as warnings). */
  warnings: string[];
}

function eventPayload(env: NodeJS.ProcessEnv, log: Logger): unknown {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    log.debug(`could not read the event payload ${file}: ${errorMessage(err)}`);
    return {};
  }
}

/** The reporting of one run: create it when chaos starts, finish it with the run's report. */
export class Reporter {
  private readonly warnings: string[] = [];
  private client?: GitHubClient;
  private context?: GitHubRunContext;
  private checkRun?: CheckRunRef;

  constructor(private readonly opts: PublishOptions) {
    const { inputs, env, log } = opts;
    const wantsGitHub = inputs.comment || inputs.checkRun;
    if (!wantsGitHub) return;
    if (!inputs.githubToken) {
      log.info('No github-token: no PR comment and no check run.');
      return;
    }
    const ctx = readGitHubContext(env as GitHubEnv, eventPayload(env, log));
    if (!ctx.ok) {
      this.warn(`No PR comment or check run: ${ctx.reason}`);
      return;
    }
    this.context = ctx.context;
    this.client = createGitHubClient(inputs.githubToken, {
      log,
      ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.githubRetryAfterBaseValue !== undefined
        ? { retryAfterBaseValue: opts.githubRetryAfterBaseValue }
        : {}),
    });
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.opts.log.warning(message);
  }

  /** The check run `chaos-gate / NAME`, `in_progress` on the deployed commit. */
  async start(): Promise<void> {
    const { client, context } = this;
    if (!client || !context || !this.opts.inputs.checkRun) return;
    const r = await startCheckRun(client, {
      repository: context.repository,
      sha: context.deployedSha,
      suite: this.opts.suite.name,
      ...(context.runUrl ? { detailsUrl: context.runUrl } : {}),
      ...(context.pullRequest ? { pullRequest: context.pullRequest } : {}),
    });
    if (r.ok) this.checkRun = r.value;
    else this.warn(r.warning);
  }

  async finish(report: RunReport): Promise<Published> {
    const { client, context } = this;
    const { inputs, suite, log } = this.opts;

    // 1. The PRs, our comment on the first, and the baseline.
    let prs: PullRequestRef[] = [];
    const comments = new Map<number, StickyComment | undefined>();
    let baseline: BaselineData | undefined;
    if (client && context && inputs.comment) {
      const found = await findPullRequests(client, context, log, this.checkRun?.pullRequests);
      if (found.ok) prs = found.value;
      else this.warn(found.warning);
      for (const pr of prs) {
        const c = await findStickyComment(
          client,
          { repository: context.repository, pullRequest: pr, suite: suite.name },
          { log },
        );
        if (c.ok) comments.set(pr.number, c.value);
        else this.warn(c.warning);
      }
      if (!prs.length) log.info('No open pull request for this commit: no PR comment.');
    }
    if (client && context) {
      const first = prs[0] !== undefined ? comments.get(prs[0].number) : undefined;
      const b = await findBaseline(client, {
        repository: context.repository,
        suite: suite.name,
        ...(first ? { comment: first } : {}),
        ...(context.defaultBranch ? { defaultBranch: context.defaultBranch } : {}),
        ...(this.checkRun ? { excludeCheckRunId: this.checkRun.id } : {}),
      });
      if (b.ok) baseline = b.value ? readBaselineData(b.value.body) : undefined;
      else this.warn(b.warning);
    }

    // 2. The body.
    const links = {
      ...(context?.runUrl ? { run: context.runUrl } : {}),
      ...(prs[0] && context
        ? {
            pullRequest: `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}/pull/${prs[0].number}`,
          }
        : {}),
    };
    const markdown = renderMarkdown({
      suite: suite.name,
      environment: inputs.environment,
      report,
      ...(baseline ? { baseline } : {}),
      links,
    });
    const delta = scoreDelta(report.score.score, baseline?.score);

    // 3. The comments and the check run.
    const commentUrls: string[] = [];
    if (client && context)
      for (const pr of prs) {
        const w = await writeStickyComment(
          client,
          { repository: context.repository, pullRequest: pr, suite: suite.name },
          markdown,
          comments.get(pr.number),
        );
        if (w.ok) commentUrls.push(w.value.url);
        else this.warn(w.warning);
      }
    let checkRunUrl: string | undefined;
    if (client && context && inputs.checkRun) {
      const done = await completeCheckRun(
        client,
        {
          repository: context.repository,
          sha: context.deployedSha,
          suite: suite.name,
          ...(context.runUrl ? { detailsUrl: context.runUrl } : {}),
          ...(context.pullRequest ? { pullRequest: context.pullRequest } : {}),
        },
        this.checkRun,
        {
          verdict: report.verdict,
          title: `chaos-gate: ${summaryLine(report, baseline)}`,
          summary: markdown,
          annotations: annotations(suite, report),
        },
      );
      if (done.ok) checkRunUrl = done.value.url;
      else this.warn(done.warning);
    }

    // 4. Slack.
    let slack: Published['slack'] = 'not-configured';
    if (inputs.slackWebhookUrl || inputs.slackToken) {
      if (!shouldPostToSlack(inputs.slackOn, report.verdict, baseline?.verdict)) {
        slack = 'filtered';
        log.info(`Slack: not posted (slack-on: ${inputs.slackOn}).`);
      } else {
        const message = buildSlackMessage({
          report,
          suiteName: suite.name,
          environment: inputs.environment,
          ...(baseline ? { baseline } : {}),
          ...(links.run ? { runUrl: links.run } : {}),
          ...(links.pullRequest ? { prUrl: links.pullRequest } : {}),
        });
        const sent = await postToSlack(message, {
          ...(inputs.slackWebhookUrl ? { webhookUrl: inputs.slackWebhookUrl } : {}),
          ...(inputs.slackToken ? { token: inputs.slackToken } : {}),
          ...(inputs.slackChannel ? { channel: inputs.slackChannel } : {}),
          apiUrl: slackApiUrl(this.opts.env),
          ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
          log,
        });
        if (sent.ok) {
          slack = 'posted';
          log.info(`Slack: posted (${sent.via}).`);
        } else {
          slack = 'failed';
          this.warn(sent.warning);
        }
      }
    }
    return {
      markdown,
      ...(baseline ? { baseline } : {}),
      ...(delta !== undefined ? { scoreDelta: delta } : {}),
      commentUrls,
      ...(checkRunUrl ? { checkRunUrl } : {}),
      slack,
      warnings: [...this.warnings],
    };
  }
}

/** A failure annotation per failed, aborted or errored experiment, at its entry in the suite. */
export function annotations(
  suite: Pick<Suite, 'experiments'>,
  report: RunReport,
): ExperimentAnnotation[] {
  const out: ExperimentAnnotation[] = [];
  for (const r of report.outcome.results) {
    if (r.verdict === 'pass' || r.verdict === 'skipped') continue;
    const e = suite.experiments.find((x) => x.name === r.name);
    if (!e) continue;
    out.push({
      path: e.position.file,
      startLine: e.position.line,
      title: `${r.name}: ${r.verdict}`,
      message: r.reason,
      level: r.verdict === 'error' ? 'warning' : 'failure',
    });
  }
  return out;
}
