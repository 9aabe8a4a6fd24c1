/**
 * (d) Requests to GitHub per run: the real Reporter (check run, sticky PR comment, baseline)
 * against the loopback GitHub API with an open PR, for the two ways a run finds its PR (the
 * pull_request event's own PR, a deployment_status event's commit), first run (the comment is
 * created) and second run (found and updated in place).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../src/inputs.js';
import type { Logger } from '../src/log.js';
import type { RunReport } from '../src/pipeline.js';
import { Reporter } from '../src/report/publish.js';
import { startGitHubServer } from '../src/sim/github.js';
import type { Suite } from '../src/suite/model.js';
import { clock } from './stats.js';

export interface GitHubRun {
  event: string;
  run: 'first' | 'second';
  requests: number;
  /** `METHOD /path`, in order. */
  calls: string[];
  /** Reporter.start() (the check run, before chaos) and Reporter.finish() (after). */
  startMs: number;
  finishMs: number;
  commentUrls: number;
  checkRun: boolean;
}

const SHA = 'c0ffee'.padEnd(40, '0');

export type GitHubEvent = 'pull_request' | 'deployment_status';

export async function measureGitHub(
  suite: Suite,
  report: RunReport,
  tempDir: string,
  which: readonly GitHubEvent[],
): Promise<GitHubRun[]> {
  const payloads: Record<GitHubEvent, unknown> = {
    pull_request: {
      pull_request: {
        number: 7,
        head: { sha: SHA, repo: { full_name: 'acme/shop' } },
        base: { repo: { full_name: 'acme/shop' } },
      },
      repository: { full_name: 'acme/shop', default_branch: 'main' },
    },
    deployment_status: {
      deployment_status: { state: 'success', environment: 'staging' },
      deployment: { sha: SHA, environment: 'staging' },
      repository: { full_name: 'acme/shop', default_branch: 'main' },
    },
  };
  const out: GitHubRun[] = [];
  for (const event of which) {
    const payload = payloads[event];
    const gh = await startGitHubServer({ owner: 'acme', repo: 'shop' });
    try {
      gh.addPullRequest({ number: 7, headSha: SHA, title: 'bench' });
      const eventPath = path.join(tempDir, `${event}.json`);
      writeFileSync(eventPath, JSON.stringify(payload));
      const env: NodeJS.ProcessEnv = {
        GITHUB_API_URL: gh.url,
        GITHUB_SERVER_URL: gh.serverUrl,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: 'b'.repeat(40),
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_EVENT_NAME: event,
        GITHUB_EVENT_PATH: eventPath,
      };
      const inputs: Inputs = {
        suite: 'suite.yml',
        experiments: '',
        mode: 'run',
        failOn: 'fail',
        timeoutMs: 30 * 60_000,
        environment: 'staging',
        githubToken: gh.token,
        comment: true,
        checkRun: true,
        slackOn: 'never',
        reportPath: path.join(tempDir, 'report.json'),
      };
      const warnings: string[] = [];
      const log: Logger = {
        info: () => undefined,
        warning: (m) => warnings.push(m),
        problem: (i) => warnings.push(i.message),
        debug: () => undefined,
        group: (_n, fn) => fn(),
      };
      for (const run of ['first', 'second'] as const) {
        const before = gh.requests.length;
        const t0 = clock();
        const reporter = new Reporter({ suite, inputs, env, log });
        await reporter.start();
        const t1 = clock();
        const published = await reporter.finish(report);
        const t2 = clock();
        if (warnings.length)
          throw new Error(`GitHub reports (${event}, ${run} run): ${warnings.join('; ')}`);
        const calls = gh.requests.slice(before).map((r) => `${r.method} ${r.path}`);
        out.push({
          event,
          run,
          requests: calls.length,
          calls,
          startMs: t1 - t0,
          finishMs: t2 - t1,
          commentUrls: published.commentUrls.length,
          checkRun: published.checkRunUrl !== undefined,
        });
      }
    } finally {
      await gh.close();
    }
  }
  return out;
}
