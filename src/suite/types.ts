/**
 * The suite file's shape, as TypeScript. `schema/suite.schema.json` is the one source of truth
 * for what is accepted; these types describe what the schema guarantees after validation.
 */
export type ProviderName = 'litmus' | 'chaos-mesh' | 'aws-fis';
export const PROVIDERS: readonly ProviderName[] = ['litmus', 'chaos-mesh', 'aws-fis'];

export interface SuiteFile {
  version: 1;
  name: string;
  description?: string;
  defaults?: { namespace?: string; timeout?: string; weight?: number; probes?: string[] };
  safety?: SafetyFile;
  prometheus?: { url?: string; token?: string };
  slos?: Record<string, SloFile>;
  probes?: Record<string, ProbeFile>;
  gates?: GatesFile;
  experiments: ExperimentFile[];
}

export interface SafetyFile {
  namespaces?: string[];
  protectedNamespaces?: string[];
  kubeContexts?: string[];
  environments?: string[];
  maxParallel?: number;
  allowNodeChaos?: boolean;
  fis?: { requiredTags?: Record<string, string>; requireStopConditions?: boolean };
  aws?: { accounts?: string[] };
}

export interface SloFile {
  objective: number;
  window: string;
  prometheus: { errorRatio: string; url?: string };
  onNoData?: 'fail' | 'ignore';
}

export interface HttpProbeFile {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  expectStatus?: number | number[] | string;
  expectBody?: string;
  expectBodyRegex?: string;
  timeout?: string;
}

export interface PrometheusProbeFile {
  query: string;
  max?: number;
  min?: number;
  url?: string;
}

export interface ProbeFile {
  http?: HttpProbeFile;
  prometheus?: PrometheusProbeFile;
  interval?: string;
  successRate?: number;
  recoveryTimeout?: string;
}

export interface GatesFile {
  preflight?: { minBudgetRemaining?: number; onLowBudget?: 'skip' | 'fail' | 'run' };
  budget?: { maxConsumed?: number; warnConsumed?: number; maxBurnRate?: number };
  score?: { pass?: number; warn?: number };
  abortOnBreach?: boolean;
}

export interface ExperimentFile {
  name: string;
  description?: string;
  provider: ProviderName;
  manifest?: string | Record<string, unknown>;
  template?: { id?: string; tags?: Record<string, string> };
  namespace?: string;
  weight?: number;
  critical?: boolean;
  tags?: string[];
  probes?: string[];
  slos?: string[];
  timeout?: string;
}
