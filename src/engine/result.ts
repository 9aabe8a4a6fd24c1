/** What the engine knows about each experiment once the run is over. */
import type { ProviderName } from '../suite/types.js';
import type { ExperimentMonitoring, PreflightDecision } from '../gates/monitor.js';
import type { ProviderVerdict, StopReason, Verdict } from '../providers/provider.js';

/** A provider's verdicts, and `skipped` when the preflight kept the run from starting. */
export type ExperimentVerdict = Verdict | 'skipped';

export interface ExperimentResult {
  name: string;
  /** Position in the suite file's `experiments` list. */
  index: number;
  provider: ProviderName;
  weight: number;
  critical: boolean;
  verdict: ExperimentVerdict;
  /** Why this verdict, for people. */
  reason: string;
  /** False when the experiment never started (the suite stopped, the run's deadline, preparation failed). */
  started: boolean;
  startedAt?: string;
  finishedAt?: string;
  /** From start until the provider's verdict (or the stop). */
  durationMs?: number;
  /** Until everything it created was gone. */
  cleanupMs?: number;
  /** What was created (`ChaosEngine ns/name`). */
  created: string[];
  /** Our stop, when we stopped it. */
  stoppedBy?: StopReason;
  /** The provider's own verdict and details, when it gave one. */
  providerVerdict?: ProviderVerdict;
  /** Objects that could not be removed: chaos may still be active. */
  cleanupProblems: string[];
  /** Probes, burn rate and recovery, when the suite measures any. */
  monitoring?: ExperimentMonitoring;
}

export interface RunOutcome {
  results: ExperimentResult[];
  /** Problems found before anything was created (nothing was injected). */
  prepareProblems: string[];
  /** Every cleanup problem of the run (exit code 3). */
  cleanupProblems: string[];
  cancelled: boolean;
  /** The preflight (SPEC 1.3), when the run had one: anything but `run` started nothing. */
  preflight?: { decision: PreflightDecision; reason: string };
  startedAt: string;
  finishedAt: string;
}
