/**
 * The action's pipeline, top to bottom:
 * inputs -> suite -> plan -> (connect -> preflight -> run -> gate -> score -> report).
 * Only this function and the post step's call core.setFailed.
 */
import * as core from '@actions/core';
import { Input, Output, type InputName } from './constants.js';
import { ConfigurationError, errorMessage } from './errors.js';
import { parseInputs, type Inputs } from './inputs.js';
import { actionsLogger, type Logger } from './log.js';
import { loadSuite } from './suite/load.js';
import type { Suite } from './suite/model.js';
import { buildPlan, renderPlanMarkdown, renderPlanText } from './suite/plan.js';

export interface RunDependencies {
  log: Logger;
  env: NodeJS.ProcessEnv;
  getInput: (name: InputName) => string;
  setSecret: (value: string) => void;
  setOutput: (name: string, value: string) => void;
  writeSummary: (markdown: string) => Promise<void>;
  setFailed: (message: string) => void;
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
});

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

/** Outputs of a run that produced no score: a dry run (`skipped`) or one that failed before chaos (`error`). */
function setOutputsWithoutScore(deps: RunDependencies, verdict: 'skipped' | 'error'): void {
  deps.setOutput(Output.Verdict, verdict);
  for (const name of [Output.Score, Output.ScoreDelta, Output.BudgetConsumed])
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
    const plan = buildPlan(suite, inputs.timeoutMs);
    log.info(renderPlanText(plan));
    if (inputs.mode === 'dry-run') {
      await deps.writeSummary(renderPlanMarkdown(plan));
      // Nothing ran: the verdict of a dry run is `skipped`, with no score.
      setOutputsWithoutScore(deps, 'skipped');
      log.info('Dry run: nothing was injected.');
      return;
    }
    setOutputsWithoutScore(deps, 'error');
    deps.setFailed(
      `${Input.Mode} 'run' is not available in this version of chaos-gate: the provider adapters are not built yet. Use ${Input.Mode}: dry-run to check the suite and print the plan.`,
    );
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
