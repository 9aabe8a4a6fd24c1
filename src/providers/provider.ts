/**
 * The run-time half of a provider: what the engine asks of LitmusChaos, Chaos Mesh and AWS FIS.
 * Adding a provider is one file implementing `Provider` and one line in `factory.ts`.
 *
 * The engine drives each experiment through: prepare (all experiments, before anything is
 * created) -> start -> wait -> [stop] -> cleanup. A provider records everything it creates in
 * the ledger before it creates it, and removes the entry once the object is confirmed gone.
 */
import type { Ledger, LedgerEntry } from '../engine/ledger.js';
import type { Experiment } from '../suite/model.js';
import type { PlanDescription } from './static.js';
import type { ProviderName } from '../suite/types.js';

/** The experiment verdicts of SPEC section 4. */
export type Verdict = 'pass' | 'fail' | 'error' | 'aborted';

/** Why we stopped an experiment before its provider finished it. */
export type StopReason = 'breach' | 'deadline' | 'cancelled';

export interface ProviderVerdict {
  verdict: Verdict;
  /** One line for people: why this verdict. */
  reason: string;
  /** The provider's own probe score (Litmus probeSuccessPercentage), 0-100. */
  probeSuccessPercentage?: number;
  /** How many probes of its own the provider ran (Litmus probeStatuses). */
  providerProbes?: number;
  /** Provider state worth keeping in the report (phases, records, node conditions). */
  details?: Record<string, unknown>;
}

export interface ExperimentContext {
  runId: string;
  ledger: Ledger;
  /** A line per state change; the engine prefixes the experiment and the elapsed time. */
  progress(message: string): void;
  warning(message: string): void;
}

/** An experiment that has been started. */
export interface RunningExperiment {
  readonly experiment: Experiment;
  /** What was created, for the log and the report (`ChaosEngine checkout/pod-delete-x1y2z`). */
  readonly created: string[];
  /**
   * Resolves with the provider's verdict once the experiment finished by itself. Rejects with
   * `WaitAborted` when `signal` aborts (the engine then calls `stop`).
   */
  wait(signal: AbortSignal): Promise<ProviderVerdict>;
  /** Stops the chaos now. Never throws for an object that is already gone. */
  stop(reason: StopReason): Promise<void>;
  /**
   * Removes everything this experiment created and waits until it is gone. Throws
   * `CleanupError` naming every object that may still be injecting chaos.
   */
  cleanup(): Promise<void>;
}

/** Could not check or reach a provider before anything was created: nothing was injected. */
export class PrepareError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PrepareError';
  }
}

/** Something we created could not be removed: chaos may still be active. */
export class CleanupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'CleanupError';
  }
}

export interface UndoResult {
  /** What was stopped or deleted. */
  removed: string[];
  /** What may still be active (each line names the object and why). */
  problems: string[];
}

export interface Provider {
  readonly name: ProviderName;
  /**
   * Checks the provider is reachable and installed, the prerequisites exist and every object
   * passes a server-side dry run. Throws PrepareError listing every problem.
   */
  prepare(experiments: Experiment[], ctx: { runId: string }): Promise<void>;
  start(experiment: Experiment, ctx: ExperimentContext): Promise<RunningExperiment>;
  /**
   * What the experiment targets, for the plan: from the manifest, or (FIS, after `prepare`)
   * from the resolved template.
   */
  describe(experiment: Experiment): PlanDescription;
  /** For the post step and the SIGTERM handler: undo one ledger entry with no handle. */
  undo(entry: LedgerEntry, ctx: { runId: string }): Promise<UndoResult>;
  /** Releases connections and timers. */
  close(): void;
}
