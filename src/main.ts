/**
 * The action's pipeline, top to bottom:
 * inputs -> suite -> plan -> (connect -> preflight -> run -> gate -> score -> report).
 * Only this function and the post step's call core.setFailed.
 */
import * as core from '@actions/core';
import { Output, type InputName } from './constants.js';
import { ConfigurationError, ExitCode, errorMessage } from './errors.js';
import type { PipelineDeps } from './pipeline.js';
import { parseInputs, type Inputs } from './inputs.js';
import { actionsLogger, type Logger } from './log.js';
import { loadSuite } from './suite/load.js';
import type { Suite } from './suite/model.js';
import type { SuiteVerdict } from './score/score.js';
import { buildPlan, renderPlanMarkdown, renderPlanText } from './suite/plan.js';

export interface RunDependencies {
  log: Logger;
  env: NodeJS.ProcessEnv;
  getInput: (name: InputName) => string;
  setSecret: (value: string) => void;
  setOutput: (name: string, value: string) => void;
  writeSummary: (markdown: string) => Promise<void>;
  setFailed: (message: string) => void;
  saveState: (name: string, value: string) => void;
  /** Cancellation (SIGINT/SIGTERM from a cancelled workflow). */
  signal?: AbortSignal;
  /** Extra pipeline wiring for tests and the demo (their own Kubernetes API). */
  pipeline?: Pick<PipelineDeps, 'kubeApi' | 'kubeOptions' | 'onControl'>;
  /** Tests: the fetch of the GitHub and Slack clients (nock sees the global one). */
  reportFetch?: typeof fetch;
}

const actionsDependencies = (): RunDependencies => ({
  log: actionsLogger,
  env: process.env,
  getInput: (name) => core.getInput(name),
  setSecret: (v) => core.setSecret(v),
  setOutput: (name, value) => core.setOutput(name, value),
  writeSummary: async (markdown) => {
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write();
  },
  setFailed: (message) => core.setFailed(message),
  saveState: (name, value) => core.saveState(name, value),
  signal: cancellationSignal(),
});

/**
 * GitHub cancels a job with SIGINT, then SIGTERM, then a kill after a short grace: the first
 * signal aborts the run (running experiments are stopped and cleaned up at once); the post step
 * finishes whatever is left.
 */
function cancellationSignal(): AbortSignal {
  const ac = new AbortController();
  const onSignal = (sig: string): void => {
    if (!ac.signal.aborted)
      core.warning(`chaos-gate: ${sig} received: stopping every experiment and cleaning up.`);
    ac.abort(sig);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return ac.signal;
}

/** Loads and checks everything the run needs; throws ConfigurationError on the first layer that fails. */
export function prepare(inputs: Inputs, env: NodeJS.ProcessEnv, cwd?: string): Suite {
  return loadSuite(inputs.suite, {
    env,
    selection: inputs.experiments,
    environment: inputs.environment,
    ...(inputs.kubeContext ? { kubeContext: inputs.kubeContext } : {}),
    ...(inputs.prometheusUrl ? { prometheusUrl: inputs.prometheusUrl } : {}),
    ...(cwd ? { cwd } : {}),
  });
}

function pipelineDeps(deps: RunDependencies): PipelineDeps {
  return {
    log: deps.log,
    env: deps.env,
    mask: deps.setSecret,
    saveState: deps.saveState,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.env.GITHUB_WORKSPACE ? { cwd: deps.env.GITHUB_WORKSPACE } : {}),
    ...deps.pipeline,
  };
}

/** Outputs of a run that produced no score: a dry run (`skipped`) or one that failed before chaos (`error`). */
function setOutputsWithoutScore(deps: RunDependencies, verdict: SuiteVerdict): void {
  deps.setOutput(Output.Verdict, verdict);
  for (const name of [
    Output.Score,
    Output.ScoreDelta,
    Output.BudgetConsumed,
    Output.CommentUrl,
    Output.CheckRunUrl,
  ])
    deps.setOutput(name, '');
  for (const name of [Output.Passed, Output.Failed, Output.Errored]) deps.setOutput(name, '0');
}

export async function run(deps: RunDependencies = actionsDependencies()): Promise<void> {
  const { log } = deps;
  try {
    const inputs = parseInputs(deps.getInput, { mask: deps.setSecret, env: deps.env });
    const suite = await log.group(`Load suite ${inputs.suite}`, async () => {
      const s = prepare(inputs, deps.env, deps.env.GITHUB_WORKSPACE);
      s.secrets.forEach(deps.setSecret);
      log.info(
        `Suite "${s.name}" is valid: ${s.selected.length} of ${s.experiments.length} experiments selected.`,
      );
      return s;
    });
    if (inputs.mode === 'cleanup') {
      // The orphan sweep: what runs that died hard left behind (src/sweep.ts); no plan, no run.
      const { sweep } = await import('./sweep.js');
      const swept = await sweep(suite, inputs, pipelineDeps(deps));
      if (swept.exitCode !== ExitCode.Success) deps.setFailed(swept.message);
      return;
    }
    const plan = buildPlan(suite, inputs.timeoutMs);
    log.info(renderPlanText(plan));
    // Loaded only once the suite is valid: a bad suite never pays for the Kubernetes and AWS clients.
    const { executeRun, exitCodeOf, failsStep } = await import('./pipeline.js');
    if (inputs.mode === 'dry-run') {
      // SPEC 2: load, connect, preflight, print the plan; inject nothing.
      const report = await executeRun(suite, inputs, pipelineDeps(deps));
      const { renderPreflightMarkdown } = await import('./report/run-summary.js');
      await deps.writeSummary(renderPlanMarkdown(plan) + renderPreflightMarkdown(report));
      // Nothing ran: no score; `skipped` unless connecting or the preflight found a problem.
      setOutputsWithoutScore(deps, report.verdict);
      log.info('Dry run: nothing was injected.');
      if (report.outcome.prepareProblems.length)
        deps.setFailed(
          `chaos-gate dry run: ${report.outcome.prepareProblems.length} problem(s) found while connecting; nothing was injected`,
        );
      else if (failsStep(report.verdict, inputs.failOn))
        deps.setFailed(
          `chaos-gate dry run: ${report.outcome.preflight?.reason ?? report.verdict}; nothing was injected`,
        );
      return;
    }
    const { renderRunText } = await import('./report/run-summary.js');
    const { budgetConsumed } = await import('./report/json.js');
    const { writeReportFiles } = await import('./report/files.js');
    const { Reporter } = await import('./report/publish.js');
    const { signedDelta } = await import('./report/markdown.js');
    const { formatFigure } = await import('./gates/budget.js');
    const reporter = new Reporter({
      suite,
      inputs,
      env: deps.env,
      log,
      ...(deps.reportFetch ? { fetch: deps.reportFetch } : {}),
    });
    await reporter.start();
    const report = await executeRun(suite, inputs, pipelineDeps(deps));
    const { results } = report.outcome;
    // Outputs first: whatever happens to the reports, the verdict is out.
    deps.setOutput(Output.Verdict, report.verdict);
    deps.setOutput(
      Output.Score,
      report.score.score !== undefined ? report.score.score.toFixed(1) : '',
    );
    const consumed = budgetConsumed(report);
    deps.setOutput(Output.BudgetConsumed, consumed !== undefined ? formatFigure(consumed) : '');
    deps.setOutput(Output.Passed, String(results.filter((r) => r.verdict === 'pass').length));
    deps.setOutput(
      Output.Failed,
      String(results.filter((r) => r.verdict === 'fail' || r.verdict === 'aborted').length),
    );
    deps.setOutput(Output.Errored, String(results.filter((r) => r.verdict === 'error').length));
    log.info(renderRunText(report));
    const published = await reporter.finish(report);
    deps.setOutput(
      Output.ScoreDelta,
      published.scoreDelta !== undefined ? signedDelta(published.scoreDelta) : '',
    );
    deps.setOutput(Output.CommentUrl, published.commentUrls[0] ?? '');
    deps.setOutput(Output.CheckRunUrl, published.checkRunUrl ?? '');
    await deps.writeSummary(published.markdown);
    const files = await writeReportFiles(
      suite,
      report,
      inputs,
      deps.env.GITHUB_WORKSPACE || process.cwd(),
      log,
    );
    if (files.json) deps.setOutput(Output.ReportPath, files.json);
    if (exitCodeOf(report, inputs.failOn) === ExitCode.CleanupFailed)
      deps.setFailed(
        `chaos-gate could not remove everything it created; chaos may still be active:\n${report.outcome.cleanupProblems.join('\n')}`,
      );
    else if (failsStep(report.verdict, inputs.failOn))
      deps.setFailed(`chaos-gate verdict: ${report.verdict} (fail-on: ${inputs.failOn})`);
  } catch (err) {
    setOutputsWithoutScore(deps, 'error');
    if (err instanceof ConfigurationError) {
      err.issues.forEach((i) => log.problem(i));
      deps.setFailed(`Configuration error, nothing was injected:\n${err.message}`);
    } else {
      deps.setFailed(`chaos-gate failed: ${errorMessage(err)}`);
    }
  }
}
