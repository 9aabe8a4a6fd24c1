/**
 * The post step (`post-if: always()`). It removes whatever the run's ledger says is still ours.
 * This version of chaos-gate creates nothing in a cluster or in AWS (only `dry-run` exists), so
 * there is never anything to remove; the ledger arrives with the provider adapters.
 */
import * as core from '@actions/core';
import { errorMessage } from './errors.js';
import { State } from './constants.js';

export async function cleanup(): Promise<void> {
  try {
    const runId = core.getState(State.RunId);
    core.info(
      runId
        ? `chaos-gate post step: run ${runId} left nothing to clean up.`
        : 'chaos-gate post step: no chaos was started, nothing to clean up.',
    );
  } catch (err) {
    core.setFailed(`chaos-gate cleanup failed: ${errorMessage(err)}`);
  }
}
