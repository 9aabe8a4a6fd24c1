/**
 * The post step (`post-if: always()`): whatever the run's ledger still holds is stopped and
 * deleted, after success, failure, timeout or cancellation. The ledger comes from the ledger
 * file under RUNNER_TEMP (written on every change) or, failing that, the action's state.
 * Running it twice is harmless: what is already gone is skipped.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { State, type InputName } from './constants.js';
import { errorMessage } from './errors.js';
import { parseInputs, type Inputs } from './inputs.js';
import type { Suite } from './suite/model.js';
import { actionsLogger, type Logger } from './log.js';
import { parseLedger, type LedgerData } from './engine/ledger.js';
import type { KubeApi } from './kube/api.js';

export interface PostDependencies {
  log: Logger;
  env: NodeJS.ProcessEnv;
  getState: (name: string) => string;
  getInput: (name: InputName) => string;
  setSecret: (v: string) => void;
  setFailed: (message: string) => void;
  kubeApi?: KubeApi;
}

const actionsDependencies = (): PostDependencies => ({
  log: actionsLogger,
  env: process.env,
  getState: (n) => core.getState(n),
  getInput: (n) => core.getInput(n),
  setSecret: (v) => core.setSecret(v),
  setFailed: (m) => core.setFailed(m),
});

/**
 * The orphan sweep for this run's id (labels in the suite's namespaces, FIS tags); its problems,
 * or none. A suite that no longer loads here only costs the fallback, with a warning.
 */
async function sweepRun(
  ledger: LedgerData,
  inputs: Inputs,
  deps: PostDependencies,
  kubeApi: KubeApi | undefined,
): Promise<string[]> {
  const { runId } = ledger;
  const { prepare } = await import('./main.js');
  let suite: Suite;
  try {
    suite = prepare(inputs, deps.env, deps.env.GITHUB_WORKSPACE);
  } catch (err) {
    deps.log.warning(
      `chaos-gate post step: the label sweep for run ${runId} was skipped: the suite did not load (${errorMessage(err)})`,
    );
    return [];
  }
  // Only where this run had chaos: Kubernetes when its ledger had Kubernetes objects, FIS (in the
  // region it started in) when it had FIS experiments.
  const kube = ledger.entries.some((e) => e.target.type !== 'fis');
  const fis = ledger.entries.find((e) => e.target.type === 'fis')?.target;
  const scoped: Suite = {
    ...suite,
    experiments: suite.experiments.filter((e) => (e.provider === 'aws-fis' ? fis : kube)),
  };
  if (!scoped.experiments.length) return [];
  const { sweep } = await import('./sweep.js');
  const report = await sweep(
    scoped,
    {
      ...inputs,
      cleanup: { runId },
      ...(fis?.type === 'fis' ? { awsRegion: fis.region } : {}),
    },
    {
      log: deps.log,
      env: deps.env,
      mask: deps.setSecret,
      ...(deps.env.GITHUB_WORKSPACE ? { cwd: deps.env.GITHUB_WORKSPACE } : {}),
      ...(kubeApi ? { kubeApi } : {}),
    },
  );
  if (report.found.length)
    deps.log.info(
      `chaos-gate post step: the label sweep found ${report.found.length} more object${report.found.length === 1 ? '' : 's'} of run ${runId}.`,
    );
  return report.problems;
}

/** The newest ledger: the file if it can be read, else the state. */
export function readSavedLedger(getState: (name: string) => string): LedgerData | undefined {
  const file = getState(State.LedgerFile);
  if (file) {
    try {
      const fromFile = parseLedger(readFileSync(file, 'utf8'));
      if (fromFile) return fromFile;
    } catch {
      // fall back to the state
    }
  }
  return parseLedger(getState(State.Ledger));
}

export async function cleanup(deps: PostDependencies = actionsDependencies()): Promise<void> {
  const { log } = deps;
  try {
    const runId = deps.getState(State.RunId);
    const ledger = readSavedLedger(deps.getState);
    if (!ledger || ledger.entries.length === 0) {
      log.info(
        runId
          ? `chaos-gate post step: run ${runId} left nothing to clean up.`
          : 'chaos-gate post step: no chaos was started, nothing to clean up.',
      );
      return;
    }
    log.info(
      `chaos-gate post step: run ${ledger.runId} left ${ledger.entries.length} object${ledger.entries.length === 1 ? '' : 's'} in its ledger; removing.`,
    );
    const inputs = parseInputs(deps.getInput, { mask: deps.setSecret, env: deps.env });
    const { undoLedger } = await import('./engine/undo.js');
    const { providerSet } = await import('./providers/factory.js');
    const { createKubeApi } = await import('./kube/api.js');
    const { loadKubeConfig } = await import('./kube/config.js');
    const { connectFis } = await import('./pipeline.js');
    // FIS experiments are stopped in the region they were started in.
    const fisRegion = ledger.entries.find((e) => e.target.type === 'fis')?.target;
    let kube = deps.kubeApi;
    const providers = providerSet({
      kube: () => {
        // The suite's safety.kubeContexts were checked when these objects were created; the
        // post step talks to the same context to remove them.
        kube ??= createKubeApi(
          loadKubeConfig({
            ...(inputs.kubeconfig ? { kubeconfig: inputs.kubeconfig } : {}),
            ...(inputs.kubeContext ? { context: inputs.kubeContext } : {}),
            env: deps.env,
            mask: deps.setSecret,
            ...(deps.env.GITHUB_WORKSPACE ? { cwd: deps.env.GITHUB_WORKSPACE } : {}),
          }).kc,
          { onRetry: (m) => log.warning(m) },
        );
        return kube;
      },
      fis: () =>
        connectFis(
          {
            ...inputs,
            ...(fisRegion?.type === 'fis' ? { awsRegion: fisRegion.region } : {}),
          },
          { env: deps.env, log },
        ),
      kubeOptions: { deleteTimeoutMs: 120_000 },
    });
    const result = await undoLedger(ledger, (n) => providers.get(n), log);
    providers.all().forEach((p) => p.close());
    // The fallback: anything else still labelled or tagged with this run (the ledger is written
    // before every create, so this finds only what the ledger could not know about).
    if (!result.problems.length)
      result.problems.push(...(await sweepRun(ledger, inputs, deps, kube)));
    if (result.problems.length)
      deps.setFailed(
        `chaos-gate cleanup failed; chaos may still be active:\n${result.problems.join('\n')}`,
      );
    else
      log.info(
        `chaos-gate post step: removed ${result.removed.length} object${result.removed.length === 1 ? '' : 's'}; nothing of run ${ledger.runId} is left.`,
      );
  } catch (err) {
    deps.setFailed(`chaos-gate cleanup failed; chaos may still be active: ${errorMessage(err)}`);
  }
}
