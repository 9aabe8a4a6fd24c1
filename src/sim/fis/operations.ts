/**
 * The FIS operations the loopback server implements, from their (already validated) input to
 * their output, both in restJson1 wire form. Input members bound to the URI (labels, query) are
 * merged into the input by the server before it gets here.
 */
import type { FisState } from './experiments.js';
import { validation } from './http.js';
import { isRecord } from './model.js';
import type { Experiment, ExperimentTemplate, Tags } from './types.js';

export type OperationInput = Record<string, unknown>;
export type OperationHandler = (state: FisState, input: OperationInput) => Record<string, unknown>;

/** Page size when the request has no `maxResults`. */
export const DEFAULT_PAGE_SIZE = 100;

function str(input: OperationInput, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

function required(input: OperationInput, key: string): string {
  const v = str(input, key);
  if (v === undefined) throw validation(`${key} is required`);
  return v;
}

function tags(input: OperationInput): Tags | undefined {
  const v = input.tags;
  if (!isRecord(v)) return undefined;
  const out: Tags = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** `nextToken`s are opaque to clients: here the list, its filter and the offset, base64url. */
function pageOf<T>(
  items: T[],
  input: OperationInput,
  list: string,
): { page: T[]; nextToken?: string } {
  const size = typeof input.maxResults === 'number' ? input.maxResults : DEFAULT_PAGE_SIZE;
  const filter = str(input, 'experimentTemplateId') ?? '';
  let offset = 0;
  const token = str(input, 'nextToken');
  if (token !== undefined) {
    const [l, f, o] = Buffer.from(token, 'base64url').toString('utf8').split('\n');
    offset = Number(o);
    if (l !== list || f !== filter || !Number.isInteger(offset) || offset < 0)
      throw validation(`The nextToken ${token} is not valid for this request.`);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { page, nextToken: Buffer.from(`${list}\n${filter}\n${next}`).toString('base64url') }
    : { page };
}

function experimentSummary(e: Experiment): Record<string, unknown> {
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.experimentTemplateId,
    state: e.state,
    creationTime: e.creationTime,
    tags: e.tags,
    ...(e.experimentOptions ? { experimentOptions: e.experimentOptions } : {}),
  };
}

function templateSummary(t: ExperimentTemplate): Record<string, unknown> {
  return {
    id: t.id,
    arn: t.arn,
    description: t.description,
    creationTime: t.creationTime,
    lastUpdateTime: t.lastUpdateTime,
    tags: t.tags,
  };
}

export const OPERATIONS: Record<string, OperationHandler> = {
  StartExperiment(state, input) {
    const options = input.experimentOptions;
    const actionsMode = isRecord(options) ? options.actionsMode : undefined;
    const t = tags(input);
    return {
      experiment: state.start({
        clientToken: required(input, 'clientToken'),
        experimentTemplateId: required(input, 'experimentTemplateId'),
        ...(t ? { tags: t } : {}),
        ...(typeof actionsMode === 'string' ? { experimentOptions: { actionsMode } } : {}),
      }),
    };
  },

  GetExperiment: (state, input) => ({ experiment: state.get(required(input, 'id')) }),

  StopExperiment: (state, input) => ({ experiment: state.stop(required(input, 'id')) }),

  ListExperiments(state, input) {
    const templateId = str(input, 'experimentTemplateId');
    const all = state
      .all()
      .filter((e) => templateId === undefined || e.experimentTemplateId === templateId);
    const { page, nextToken } = pageOf(all, input, 'experiments');
    return { experiments: page.map(experimentSummary), ...(nextToken ? { nextToken } : {}) };
  },

  GetExperimentTemplate: (state, input) => ({
    experimentTemplate: state.template(required(input, 'id')),
  }),

  ListExperimentTemplates(state, input) {
    const { page, nextToken } = pageOf(state.allTemplates(), input, 'experimentTemplates');
    return {
      experimentTemplates: page.map(templateSummary),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  ListTagsForResource: (state, input) => ({ tags: state.tagsOf(required(input, 'resourceArn')) }),
};
