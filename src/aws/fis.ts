/**
 * The FIS calls chaos-gate makes, behind a small interface (tests and the demo hand in a client
 * for their own endpoint). Status strings stay strings: the SDK on the registry predates
 * `cancelled`, and FIS may add more.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  FisClient,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import type { FisApi, FisClientOptions, FisExperiment } from './fis-api.js';

export type { FisApi, FisClientOptions, FisExperiment, FisTemplate } from './fis-api.js';
export { TERMINAL } from './fis-api.js';

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'ResourceNotFoundException';
}

interface SdkExperiment {
  id?: string;
  experimentTemplateId?: string;
  state?: {
    status?: string;
    reason?: string;
    error?: { code?: string; location?: string; accountId?: string };
  };
  actions?: Record<string, { state?: { status?: string; reason?: string } }>;
  tags?: Record<string, string>;
  creationTime?: Date;
  endTime?: Date;
}

function experimentOf(e: SdkExperiment | undefined): FisExperiment {
  if (!e?.id) throw new Error('FIS answered without an experiment');
  return {
    id: e.id,
    ...(e.experimentTemplateId ? { templateId: e.experimentTemplateId } : {}),
    status: e.state?.status ?? 'unknown',
    ...(e.state?.reason ? { reason: e.state.reason } : {}),
    ...(e.state?.error ? { error: e.state.error } : {}),
    actions: Object.fromEntries(
      Object.entries(e.actions ?? {}).map(([k, v]) => [
        k,
        {
          ...(v.state?.status ? { status: v.state.status } : {}),
          ...(v.state?.reason ? { reason: v.state.reason } : {}),
        },
      ]),
    ),
    tags: e.tags ?? {},
    ...(e.creationTime ? { createdAt: e.creationTime } : {}),
    ...(e.endTime ? { endTime: e.endTime } : {}),
  };
}

export function createFisApi(opts: FisClientOptions): FisApi {
  const common = {
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? 5,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // @smithy/node-http-handler 2.5 leaves a 3 s timer behind after a failed request unless the
    // timeouts are given (0 means none, the default): the process would linger after an error.
    requestHandler: { requestTimeout: 0, connectionTimeout: 0 },
  };
  const client = new FisClient({
    ...common,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
  let sts: STSClient | undefined;
  return {
    region: opts.region,
    async getTemplate(id) {
      try {
        const out = await client.send(new GetExperimentTemplateCommand({ id }));
        const t = out.experimentTemplate;
        if (!t?.id) return undefined;
        return {
          id: t.id,
          ...(t.description ? { description: t.description } : {}),
          tags: t.tags ?? {},
          stopConditions: (t.stopConditions ?? []).map((s) => ({
            source: s.source ?? '',
            ...(s.value ? { value: s.value } : {}),
          })),
          targets: Object.fromEntries(
            Object.entries(t.targets ?? {}).map(([k, v]) => [
              k,
              {
                ...(v.resourceType ? { resourceType: v.resourceType } : {}),
                ...(v.selectionMode ? { selectionMode: v.selectionMode } : {}),
                ...(v.resourceTags ? { resourceTags: v.resourceTags } : {}),
                ...(v.resourceArns ? { resourceArns: v.resourceArns } : {}),
                ...(v.filters
                  ? {
                      filters: v.filters.map((f) => ({
                        ...(f.path ? { path: f.path } : {}),
                        ...(f.values ? { values: f.values } : {}),
                      })),
                    }
                  : {}),
              },
            ]),
          ),
          actions: Object.fromEntries(
            Object.entries(t.actions ?? {}).map(([k, v]) => [
              k,
              {
                ...(v.actionId ? { actionId: v.actionId } : {}),
                ...(v.parameters ? { parameters: v.parameters } : {}),
              },
            ]),
          ),
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async listTemplates() {
      const out: { id: string; tags: Record<string, string> }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListExperimentTemplatesCommand({
            maxResults: 100,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        for (const t of page.experimentTemplates ?? [])
          if (t.id) out.push({ id: t.id, tags: t.tags ?? {} });
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    },
    async start(input) {
      const out = await client.send(
        new StartExperimentCommand({
          experimentTemplateId: input.templateId,
          clientToken: input.clientToken,
          tags: input.tags,
        }),
      );
      return experimentOf(out.experiment);
    },
    async get(id) {
      try {
        return experimentOf((await client.send(new GetExperimentCommand({ id }))).experiment);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async stop(id) {
      try {
        return experimentOf((await client.send(new StopExperimentCommand({ id }))).experiment);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async listExperiments(templateId) {
      const out: FisExperiment[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          // The SDK on the registry predates the experimentTemplateId filter: filter here.
          new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
        );
        for (const e of page.experiments ?? [])
          if (e.id && (templateId === undefined || e.experimentTemplateId === templateId))
            out.push(experimentOf(e));
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    },
    async account() {
      sts ??= new STSClient({
        ...common,
        ...(opts.stsEndpoint ? { endpoint: opts.stsEndpoint } : {}),
      });
      const out = await sts.send(new GetCallerIdentityCommand({}));
      if (!out.Account) throw new Error('STS GetCallerIdentity answered without an account');
      return out.Account;
    },
    close() {
      client.destroy();
      sts?.destroy();
    },
  };
}
