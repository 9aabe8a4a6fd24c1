/** What the engine knows about each experiment once the run is over. */
import type { ProviderName } from '../suite/types.js';
import type { ProviderVerdict, StopReason, Verdict } from '../providers/provider.js';

export interface ExperimentResult {
  name: string;
  /** Position in the suite file's `experiments` list. */
  index: number;
  provider: ProviderName;
  weight: number;
  critical: boolean;
  verdict: Verdict;
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
}

export interface RunOutcome {
  results: ExperimentResult[];
  /** Problems found before anything was created (nothing was injected). */
  prepareProblems: string[];
  /** Every cleanup problem of the run (exit code 3). */
  cleanupProblems: string[];
  cancelled: boolean;
  startedAt: string;
  finishedAt: string;
}
