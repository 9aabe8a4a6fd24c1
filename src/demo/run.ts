/**
 * `npm run demo` / `npx chaos-gate demo`: the whole pipeline (load, connect, preflight, run with
 * probes and gates, clean up, score, reports) through the very same engine as a real run, against
 * the simulated world of ./world.ts, with `examples/demo/suite.yml`. Writes `demo-out/` and says
 * plainly that everything is simulated. Leaves no process behind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, ExitCode } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { consoleLogger } from '../log.js';
import { executeRun, exitCodeOf } from '../pipeline.js';
import { budgetConsumed } from '../report/json.js';
import { writeReportFiles } from '../report/files.js';
import { Reporter } from '../report/publish.js';
import { renderRunText } from '../report/run-summary.js';
import { formatFigure } from '../gates/budget.js';
import { packagePath } from '../sim/paths.js';
import { loadSuite } from '../suite/load.js';
import { startWorld } from './world.js';

export interface DemoIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  cwd: string;
  /** Where the reports go (default `<cwd>/demo-out`). */
  outDir?: string;
  /** Force the simulated Prometheus. */
  simulatedPrometheus?: boolean;
  signal?: AbortSignal;
}

const BANNER = `chaos-gate demo: SIMULATED providers on 127.0.0.1 (a Kubernetes API with simulated
LitmusChaos and Chaos Mesh controllers, a simulated AWS FIS, a small storefront service).
Nothing here touches a real cluster or AWS account. The engine, gates and reports are the real ones.`;

export async function runDemo(io: DemoIo): Promise<ExitCode> {
  const say = (line: string): void => {
    io.out.write(`${line}\n`);
  };
  const started = Date.now();
  say(BANNER);
  say('');
  const temp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-demo-'));
  const world = await startWorld({
    say: (l) => say(`  ${l}`),
    ...(io.simulatedPrometheus ? { simulatedPrometheus: true } : {}),
  });
  try {
    const suiteFile = packagePath('examples', 'demo', 'suite.yml');
    const env: NodeJS.ProcessEnv = {
      PROM_URL: world.prometheus.url,
      TARGET_URL: world.target.url,
      RUNNER_TEMP: temp,
    };
    const suite = loadSuite(suiteFile, { env, selection: '', environment: 'staging' });
    const outDir = io.outDir ?? path.join(io.cwd, 'demo-out');
    const inputs: Inputs = {
      suite: path.relative(io.cwd, suiteFile) || suiteFile,
      experiments: '',
      mode: 'run',
      failOn: 'never',
      timeoutMs: 120_000,
      environment: 'staging',
      githubToken: world.github.token,
      comment: true,
      checkRun: true,
      slackWebhookUrl: world.slack.webhookUrl,
      slackOn: 'always',
      reportPath: path.join(outDir, 'report.json'),
      junitPath: path.join(outDir, 'junit.xml'),
    };
    say('');
    const log = consoleLogger(io.out, io.err);
    const reporter = new Reporter({ suite, inputs, env: { ...env, ...world.githubEnv }, log });
    await reporter.start();
    const report = await executeRun(suite, inputs, {
      log,
      env,
      mask: () => undefined,
      saveState: () => undefined,
      kubeApi: world.kube.api,
      fisApi: world.fis.api,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    say('');
    say(renderRunText(report));

    mkdirSync(outDir, { recursive: true });
    await writeReportFiles(suite, report, inputs, io.cwd, log, {
      simulated: true,
      prometheus: world.prometheus.note,
    });
    const published = await reporter.finish(report);
    // What the receivers got: the PR comment as GitHub stored it, the Slack message as posted.
    const comment = world.github.comments(world.pullRequest)[0]?.body ?? published.markdown;
    writeFileSync(path.join(outDir, 'comment.md'), comment);
    writeFileSync(path.join(outDir, 'summary.md'), published.markdown);
    const posted = world.slack.messages[0]?.payload;
    writeFileSync(path.join(outDir, 'slack.json'), JSON.stringify(posted ?? null, null, 2) + '\n');
    const check = world.github.checkRuns()[0];
    say('');
    say(
      `Reports (received by the simulated GitHub and Slack): PR #${world.pullRequest} comment ${published.commentUrls[0] ?? '(none)'}, check run "${check?.name ?? '?'}" ${check?.conclusion ?? '?'}, Slack ${published.slack}.`,
    );
    const left = world.leftovers();
    const consumed = budgetConsumed(report);
    say('');
    say(
      `Resilience score ${report.score.score !== undefined ? report.score.score.toFixed(1) : '(none)'}, verdict ${report.verdict}` +
        (consumed !== undefined ? `, error budget consumed ${formatFigure(consumed)}%` : '') +
        ` (${((Date.now() - started) / 1000).toFixed(1)} s, Prometheus: ${world.prometheus.note}).`,
    );
    say(
      `Reports: ${path.relative(io.cwd, outDir) || outDir}/ (comment.md, summary.md, report.json, junit.xml, slack.json)`,
    );
    if (left.length) {
      io.err.write(`chaos-gate demo: left behind in the simulators: ${left.join(', ')}\n`);
      return ExitCode.CleanupFailed;
    }
    say(
      'Nothing was left behind: every chaos object was removed and no FIS experiment is running.',
    );
    // The demo's own verdict is by design not green (a probe fails during the network delay):
    // exit 0 says the demo ran; the verdict is in the output and the reports.
    return exitCodeOf(report, 'never');
  } catch (err) {
    io.err.write(`chaos-gate demo failed: ${errorMessage(err)}\n`);
    return ExitCode.VerdictFailed;
  } finally {
    await world.close();
    rmSync(temp, { recursive: true, force: true });
  }
}
