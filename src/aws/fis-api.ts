/**
 * The FIS interface chaos-gate uses, without the AWS SDK: the SDK (src/aws/fis.ts) is loaded
 * only when a run calls FIS, so a Kubernetes-only run never loads it (docs/performance.md).
 */
export interface FisTemplate {
  id: string;
  description?: string;
  tags: Record<string, string>;
  stopConditions: { source: string; value?: string }[];
  targets: Record<
    string,
    {
      resourceType?: string;
      selectionMode?: string;
      resourceTags?: Record<string, string>;
      resourceArns?: string[];
      filters?: { path?: string; values?: string[] }[];
    }
  >;
  actions: Record<string, { actionId?: string; parameters?: Record<string, string> }>;
}

export interface FisExperiment {
  id: string;
  templateId?: string;
  status: string;
  reason?: string;
  error?: { code?: string; location?: string; accountId?: string };
  actions: Record<string, { status?: string; reason?: string }>;
  tags: Record<string, string>;
  /** FIS's creationTime (it creates and starts in one call). */
  createdAt?: Date;
  endTime?: Date;
}

export interface FisApi {
  readonly region: string;
  getTemplate(id: string): Promise<FisTemplate | undefined>;
  /** Every template (all pages), summaries with tags. */
  listTemplates(): Promise<{ id: string; tags: Record<string, string> }[]>;
  start(input: {
    templateId: string;
    clientToken: string;
    tags: Record<string, string>;
  }): Promise<FisExperiment>;
  get(id: string): Promise<FisExperiment | undefined>;
  stop(id: string): Promise<FisExperiment | undefined>;
  /** Experiments of a template, or every experiment of the region without one (all pages). */
  listExperiments(templateId?: string): Promise<FisExperiment[]>;
  /** The AWS account the credentials belong to (STS GetCallerIdentity). */
  account(): Promise<string>;
  close(): void;
}

/** Terminal states: the experiment will not change any more. */
export const TERMINAL = new Set(['completed', 'stopped', 'failed', 'cancelled']);

export interface FisClientOptions {
  region: string;
  /** AWS_ENDPOINT_URL_FIS (or AWS_ENDPOINT_URL): proxies, GovCloud endpoints, tests. */
  endpoint?: string;
  /** AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL). */
  stsEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (its retry strategy handles throttling and 5xx). */
  maxAttempts?: number;
}

/**
 * A FisApi that loads the AWS SDK (src/aws/fis.ts) on its first call: what a run that may
 * never call FIS holds.
 */
export function lazyFisApi(opts: FisClientOptions): FisApi {
  let real: Promise<FisApi> | undefined;
  const api = (): Promise<FisApi> =>
    (real ??= import('./fis.js').then((m) => m.createFisApi(opts)));
  return {
    region: opts.region,
    getTemplate: async (id) => (await api()).getTemplate(id),
    listTemplates: async () => (await api()).listTemplates(),
    start: async (input) => (await api()).start(input),
    get: async (id) => (await api()).get(id),
    stop: async (id) => (await api()).stop(id),
    listExperiments: async (templateId) => (await api()).listExperiments(templateId),
    account: async () => (await api()).account(),
    close() {
      void real?.then((a) => a.close());
    },
  };
}
