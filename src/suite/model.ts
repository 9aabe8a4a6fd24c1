/** The suite after loading: defaults applied, durations in milliseconds, references resolved. */
import type { SourcePosition } from '../errors.js';
import type { BlastRadius, ManifestObject, PlanDescription } from '../providers/static.js';
import type { ProviderName } from './types.js';
import type { SourceMap } from './yaml.js';

export interface Safety {
  namespaces: string[];
  /** Includes kube-system, kube-public and kube-node-lease. */
  protectedNamespaces: string[];
  kubeContexts?: string[];
  environments?: string[];
  maxParallel: number;
  allowNodeChaos: boolean;
  fis: { requiredTags: Record<string, string>; requireStopConditions: boolean };
  aws: { accounts?: string[] };
}

export interface Slo {
  name: string;
  objective: number;
  windowMs: number;
  errorRatioQuery: string;
  prometheusUrl?: string;
  onNoData: 'fail' | 'ignore';
  position: SourcePosition;
}

export type ExpectStatus = { codes: number[] } | { class: number };

export interface HttpProbe {
  type: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: ExpectStatus;
  expectBody?: string;
  expectBodyRegex?: RegExp;
  timeoutMs: number;
}

export interface PrometheusProbe {
  type: 'prometheus';
  query: string;
  max?: number;
  min?: number;
  url?: string;
}

export interface Probe {
  name: string;
  check: HttpProbe | PrometheusProbe;
  intervalMs: number;
  /** Percent of samples during chaos that must pass. */
  successRate: number;
  recoveryTimeoutMs: number;
  position: SourcePosition;
}

export interface Gates {
  preflight: { minBudgetRemaining?: number; onLowBudget: 'skip' | 'fail' | 'run' };
  budget: { maxConsumed?: number; warnConsumed?: number; maxBurnRate?: number };
  score: { pass: number; warn: number };
  abortOnBreach: boolean;
}

export interface Experiment {
  name: string;
  /** Position in the suite's `experiments` list. */
  index: number;
  provider: ProviderName;
  description?: string;
  weight: number;
  critical: boolean;
  tags: string[];
  probes: string[];
  slos: string[];
  timeoutMs: number;
  /** The experiment's entry in the suite file (for annotations and errors). */
  position: SourcePosition;
  /** Kubernetes providers: the objects to create, in order (a ChaosExperiment before its engine). */
  objects: ManifestObject[];
  /** Where the manifest came from: a path relative to the suite, or `inline`. */
  manifestFile?: string;
  template?: { id?: string; tags?: Record<string, string> };
  blastRadius: BlastRadius;
  plan: PlanDescription;
}

export interface Suite {
  /** The suite file as given. */
  file: string;
  name: string;
  description?: string;
  source: SourceMap;
  safety: Safety;
  prometheus: { url?: string; token?: string };
  slos: Record<string, Slo>;
  probes: Record<string, Probe>;
  gates: Gates;
  /** Every experiment of the file, in order. */
  experiments: Experiment[];
  /** The experiments this run uses (the `experiments` input), in suite order. */
  selected: Experiment[];
  /** Values from the suite that must never be printed (tokens, auth headers). */
  secrets: string[];
}

export const DEFAULTS = {
  timeoutMs: 10 * 60_000,
  weight: 1,
  probeIntervalMs: 10_000,
  probeSuccessRate: 100,
  recoveryTimeoutMs: 5 * 60_000,
  httpTimeoutMs: 5_000,
  maxParallel: 1,
  scorePass: 90,
  scoreWarn: 75,
} as const;
