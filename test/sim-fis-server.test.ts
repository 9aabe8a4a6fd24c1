/**
 * The loopback AWS FIS server (src/sim/fis/) driven by the real client, @aws-sdk/client-fis
 * 3.523.0, and its Smithy shape validator checked against the upstream example responses in
 * test/data/fis/.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConflictException,
  ExperimentStatus,
  FisClient,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListActionsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  ValidationException,
  paginateListExperimentTemplates,
  paginateListExperiments,
  type Experiment as SdkExperiment,
  type FisClientConfig,
} from '@aws-sdk/client-fis';
import { SimClock } from '../src/sim/fis/clock.js';
import { longestDurationMs } from '../src/sim/fis/experiments.js';
import {
  FIS_MODEL_FILE,
  isRecord,
  loadFisModel,
  matchRoute,
  operationRoutes,
} from '../src/sim/fis/model.js';
import { startFisServer, type FisServer } from '../src/sim/fis/server.js';
import { validateShape } from '../src/sim/fis/shapes.js';

const DATA = path.resolve(import.meta.dirname, 'data', 'fis');
const FIS = 'com.amazonaws.fis#';
const model = loadFisModel();
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
/** A signature the server does not check, but whose scope it does. */
const AUTH = (service: string): string =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

function upstream(name: string): unknown {
  return JSON.parse(readFileSync(path.join(DATA, name), 'utf8')) as unknown;
}

const servers: FisServer[] = [];
const clients: FisClient[] = [];
async function start(opts: Parameters<typeof startFisServer>[0] = {}): Promise<FisServer> {
  const s = await startFisServer({ timeScale: 0.001, ...opts });
  servers.push(s);
  return s;
}
/**
 * The SDK's HTTP handler (@smithy/node-http-handler 2.5.0) starts a socket-usage check timer of
 * `requestTimeout + connectionTimeout` (2 s + 1 s when unset) for each request and clears it only
 * on success, so a failed request keeps the process alive for 3 s. Both timeouts at 0 mean what
 * unset means (no timeout) and make that timer 0 ms: Jest exits at once after these tests.
 */
const requestHandler = { requestTimeout: 0, connectionTimeout: 0 };
function client(server: FisServer, extra: Partial<FisClientConfig> = {}): FisClient {
  const c = new FisClient({
    region: 'eu-west-1',
    endpoint: server.url,
    credentials,
    requestHandler,
    ...extra,
  });
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  const closing = servers.splice(0);
  for (const s of closing)
    expect(s.violations.filter((v) => v.direction === 'response')).toEqual([]);
  await Promise.all(closing.map((s) => s.close()));
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['completed', 'stopped', 'failed', 'cancelled'];

/** Polls GetExperiment until `done` (no timing asserts: only a bound on the number of polls). */
async function pollUntil(
  fis: FisClient,
  id: string,
  done: (e: SdkExperiment) => boolean,
): Promise<SdkExperiment> {
  for (let i = 0; i < 2000; i++) {
    const { experiment } = await fis.send(new GetExperimentCommand({ id }));
    if (experiment && done(experiment)) return experiment;
    await sleep(2);
  }
  throw new Error(`experiment ${id} never reached the expected state`);
}
const terminal = (fis: FisClient, id: string): Promise<SdkExperiment> =>
  pollUntil(fis, id, (e) => TERMINAL.includes(String(e.state?.status)));

/** What the SDK makes of a failed call. */
async function failure(p: Promise<unknown>): Promise<{
  name: string;
  status: number | undefined;
  attempts: number | undefined;
  message: string;
  error: unknown;
}> {
  try {
    await p;
  } catch (error) {
    const e = error as {
      name?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number; attempts?: number };
    };
    return {
      name: e.name ?? '',
      status: e.$metadata?.httpStatusCode,
      attempts: e.$metadata?.attempts,
      message: e.message ?? '',
      error,
    };
  }
  throw new Error('expected the call to fail');
}

describe('shape validator (shapes.ts) against the Smithy model', () => {
  it('reads the model copied verbatim from aws/api-models-aws', () => {
    const bytes = readFileSync(FIS_MODEL_FILE);
    expect([bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([
      194704,
      '9a2c79961b3ec6dd4c6fd93d1a1d17b4865b137c07aab123c9397badf702a9a6',
    ]);
    expect(model.smithy).toBe('2.0');
    expect(model.shapes['com.amazonaws.fis#FaultInjectionSimulator']?.type).toBe('service');
  });

  it('accepts the upstream example responses', () => {
    expect(
      validateShape(model, `${FIS}GetExperimentResponse`, upstream('get-experiment.output.json')),
    ).toEqual([]);
    expect(
      validateShape(model, `${FIS}StopExperimentResponse`, upstream('stop-experiment.output.json')),
    ).toEqual([]);
    expect(
      validateShape(
        model,
        `${FIS}CreateExperimentTemplateResponse`,
        upstream('create-experiment-template.output.json'),
      ),
    ).toEqual([]);
  });

  it('checks length, range and pattern only when asked: real answers break them', () => {
    // The upstream stop-experiment answer has an action reason "" (pattern ^[\s\S]+$).
    expect(
      validateShape(
        model,
        `${FIS}StopExperimentResponse`,
        upstream('stop-experiment.output.json'),
        {
          constraints: true,
        },
      ),
    ).toEqual([
      '$.experiment.actions.wait.state.reason: string "" does not match the pattern ^[\\s\\S]+$ of ExperimentActionStatusReason',
    ]);
    expect(
      validateShape(model, `${FIS}ListExperimentsMaxResults`, 0, { constraints: true }),
    ).toEqual(['$: 0 is out of the range [1, 100]']);
    expect(validateShape(model, `${FIS}ListExperimentsMaxResults`, 0)).toEqual([]);
    expect(validateShape(model, `${FIS}ClientToken`, 'a b', { constraints: true })).toEqual([
      '$: string "a b" does not match the pattern ^[\\S]+$ of ClientToken',
    ]);
    expect(validateShape(model, `${FIS}ClientToken`, '', { constraints: true })).toEqual([
      '$: length 0 is below the minimum 1',
      '$: string "" does not match the pattern ^[\\S]+$ of ClientToken',
    ]);
  });

  it('catches enum violations, unknown members, wrong types and missing required members', () => {
    const good = upstream('get-experiment.output.json');
    if (!isRecord(good) || !isRecord(good.experiment)) throw new Error('unexpected fixture');
    const bad = structuredClone(good) as { experiment: Record<string, unknown> };
    bad.experiment.state = { status: 'paused', reason: 'x', colour: 'red' };
    bad.experiment.creationTime = '2021-03-22T16:41:49.662Z';
    bad.experiment.tags = { team: 7 };
    bad.experiment.stopConditions = { source: 'none' };
    bad.experiment.endTime = null;
    bad.experiment.bogus = true;
    expect(validateShape(model, `${FIS}GetExperimentResponse`, bad)).toEqual([
      '$.experiment.state.status: "paused" is not a value of enum ExperimentStatus (pending, initiating, running, completed, stopping, stopped, failed, cancelled)',
      '$.experiment.state.colour: unknown member of ExperimentState',
      '$.experiment.stopConditions: expected a ExperimentStopConditionList array, got an object',
      '$.experiment.creationTime: expected a timestamp in epoch seconds (a number), got string "2021-03-22T16:41:49.662Z"',
      '$.experiment.endTime: is null (omit the member instead)',
      '$.experiment.tags.team: expected a string (TagValue), got number 7',
      '$.experiment.bogus: unknown member of Experiment',
    ]);
    expect(validateShape(model, `${FIS}StartExperimentRequest`, { tags: {} })).toEqual([
      '$.clientToken: required member of StartExperimentRequest is missing',
      '$.experimentTemplateId: required member of StartExperimentRequest is missing',
    ]);
    expect(validateShape(model, `${FIS}ActionParameter`, { required: 'yes' })).toEqual([
      '$.required: expected a boolean, got string "yes"',
    ]);
    expect(validateShape(model, `${FIS}GetExperimentResponse`, [])).toEqual([
      '$: expected a GetExperimentResponse object, got an array',
    ]);
    expect(validateShape(model, 'smithy.api#Integer', 1.5)).toEqual([
      '$: expected an integer (integer), got number 1.5',
    ]);
    expect(() => validateShape(model, `${FIS}Nope`, {})).toThrow('shape com.amazonaws.fis#Nope');
  });

  it('leaves the HTTP-bound members (labels, query) out of a body', () => {
    expect(validateShape(model, `${FIS}GetExperimentRequest`, {})).toEqual([
      '$.id: required member of GetExperimentRequest is missing',
    ]);
    expect(validateShape(model, `${FIS}GetExperimentRequest`, {}, { httpBody: true })).toEqual([]);
    expect(
      validateShape(model, `${FIS}ListExperimentsRequest`, { maxResults: 5 }, { httpBody: true }),
    ).toEqual([
      '$.maxResults: member maxResults of ListExperimentsRequest is bound to the HTTP message, not the body',
    ]);
  });

  it('routes by the http traits of the model', () => {
    const routes = operationRoutes(model);
    const at = (method: string, p: string): [string | undefined, Record<string, string>] => {
      const m = matchRoute(routes, method, p);
      return [m?.route.name, m?.labels ?? {}];
    };
    expect(at('POST', '/experiments')).toEqual(['StartExperiment', {}]);
    expect(at('GET', '/experiments/EXP1')).toEqual(['GetExperiment', { id: 'EXP1' }]);
    expect(at('DELETE', '/experiments/EXP1')).toEqual(['StopExperiment', { id: 'EXP1' }]);
    expect(at('GET', '/experiments')).toEqual(['ListExperiments', {}]);
    expect(at('GET', '/experimentTemplates/EXT1')).toEqual([
      'GetExperimentTemplate',
      { id: 'EXT1' },
    ]);
    expect(at('GET', '/experimentTemplates')).toEqual(['ListExperimentTemplates', {}]);
    expect(at('GET', '/experiments/EXP1/resolvedTargets')).toEqual([
      'ListExperimentResolvedTargets',
      { experimentId: 'EXP1' },
    ]);
    const arn = 'arn:aws:fis:eu-west-1:123456789012:experiment/EXP1';
    expect(at('GET', `/tags/${encodeURIComponent(arn)}`)).toEqual([
      'ListTagsForResource',
      { resourceArn: arn },
    ]);
    expect(at('PUT', '/experiments')[0]).toBeUndefined();
  });

  it('reads ISO 8601 durations and keeps simulated time', () => {
    expect(longestDurationMs(['PT1M', 'PT30S', 'x', 'PT2M30S'])).toBe(150_000);
    expect(longestDurationMs(['PT1H'])).toBe(3_600_000);
    expect(longestDurationMs(['none', 'P', 'PT'])).toBeUndefined();
    const clock = new SimClock(0.5);
    let fired = false;
    const cancel = clock.after(1_000_000, () => (fired = true));
    expect(clock.pending()).toBe(1);
    cancel();
    expect(clock.pending()).toBe(0);
    clock.after(1_000_000, () => (fired = true));
    clock.dispose();
    expect(clock.pending()).toBe(0);
    expect(fired).toBe(false);
    expect(() => new SimClock(0)).toThrow('timeScale');
  });
});

describe('loopback FIS server with @aws-sdk/client-fis', () => {
  it('serves the default template shaped like the upstream CreateExperimentTemplate answer', async () => {
    const server = await start();
    const id = server.addTemplate({ tags: { team: 'checkout' } });
    const fis = client(server);
    const { experimentTemplate: t } = await fis.send(new GetExperimentTemplateCommand({ id }));
    expect(t?.id).toBe(id);
    expect(t?.stopConditions).toEqual([
      {
        source: 'aws:cloudwatch:alarm',
        value: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:chaos-gate-error-budget',
      },
    ]);
    expect(Object.values(t?.targets ?? {})).toEqual([
      expect.objectContaining({ resourceType: 'aws:ec2:instance', selectionMode: 'COUNT(1)' }),
    ]);
    expect(Object.values(t?.actions ?? {})).toEqual([
      expect.objectContaining({
        actionId: 'aws:ec2:stop-instances',
        parameters: { startInstancesAfterDuration: 'PT1M' },
      }),
    ]);
    expect(t?.creationTime).toBeInstanceOf(Date);
    expect(t?.tags).toEqual({ team: 'checkout' });

    // Every member of the upstream answer is in ours (recursively for the nested objects).
    const res = await fetch(`${server.url}/experimentTemplates/${id}`, {
      headers: { authorization: AUTH('fis') },
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    const ours: unknown = await res.json();
    expectMembersCovered(upstream('create-experiment-template.output.json'), ours);

    expect(() => server.addTemplate({ id })).toThrow('already exists');
    expect(() =>
      server.addTemplate({ stopConditions: [{ source: 'none', value: 7 as unknown as string }] }),
    ).toThrow('$.stopConditions[0].value: expected a string');
    expect(() =>
      server.addTemplate({
        actions: { a: { actionId: 'aws:fis:wait', targets: { Instances: 'nope' } } },
      }),
    ).toThrow('unknown target nope');
    // Templates are checked like CreateExperimentTemplate input, constraints included.
    expect(() => server.addTemplate({ description: 'x'.repeat(513) })).toThrow(
      '$.description: length 513 is above the maximum 512',
    );
  });

  it.each([
    ['completed', {}],
    ['stopped-by-alarm', { durationMs: 30_000 }],
    ['failed', { errorCode: 'ConfigurationFailure', reason: 'Role cannot stop instances.' }],
    ['cancelled', {}],
  ] as const)('runs an experiment to its %s outcome', async (outcome, extra) => {
    const server = await start();
    const templateId = server.addTemplate();
    server.scenario(templateId, { outcome, ...extra });
    const fis = client(server);
    const started = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId, tags: { run: '42' } }),
    );
    const id = started.experiment?.id ?? '';
    expect(started.experiment?.state?.status).toBe('initiating');
    expect(started.experiment?.actions?.['stop-instances']?.state?.status).toBe('pending');
    expect(server.experiments().map((x) => x.id)).toEqual([id]);

    const e = await terminal(fis, id);
    const action = e.actions?.['stop-instances'];
    expect(e.creationTime).toBeInstanceOf(Date);
    expect(e.startTime).toBeInstanceOf(Date);
    expect(e.endTime).toBeInstanceOf(Date);
    expect(e.endTime!.getTime()).toBeGreaterThanOrEqual(e.startTime!.getTime());
    expect(e.tags).toEqual({ run: '42' });
    expect(e.experimentTemplateId).toBe(templateId);
    expect(e.stopConditions?.[0]?.source).toBe('aws:cloudwatch:alarm');
    expect(e.targets?.['Instances-Target-1']?.selectionMode).toBe('COUNT(1)');
    expect(server.running()).toEqual([]);
    switch (outcome) {
      case 'completed':
        expect(e.state).toEqual({ status: 'completed', reason: 'Experiment completed.' });
        expect(action?.state?.status).toBe('completed');
        expect(action?.endTime).toBeInstanceOf(Date);
        break;
      case 'stopped-by-alarm':
        expect(e.state?.status).toBe('stopped');
        expect(e.state?.reason).toContain(
          'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:chaos-gate-error-budget',
        );
        expect(action?.state?.status).toBe('stopped');
        break;
      case 'failed':
        expect(e.state).toEqual({
          status: 'failed',
          reason: 'Role cannot stop instances.',
          error: {
            accountId: '123456789012',
            code: 'ConfigurationFailure',
            location: 'stop-instances',
          },
        });
        expect(action?.state?.status).toBe('failed');
        break;
      case 'cancelled':
        // 3.523.0 predates `cancelled`: not in its enum, but the string comes through.
        expect(Object.values(ExperimentStatus)).not.toContain('cancelled');
        expect(e.state?.status).toBe('cancelled');
        expect(e.state?.reason).toContain('safety lever');
        expect(action?.state?.status).toBe('cancelled');
        break;
    }
    expect(server.experiments()[0]?.state.status).toBe(e.state?.status);
  });

  it('keeps a hanging experiment running until StopExperiment', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    server.scenario(templateId, { outcome: 'hang' });
    const fis = client(server);
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId }),
    );
    const id = experiment!.id!;
    await pollUntil(fis, id, (e) => e.state?.status === 'running');
    await sleep(100); // 100 simulated seconds, well past the template's one minute
    const still = await fis.send(new GetExperimentCommand({ id }));
    expect(still.experiment?.state?.status).toBe('running');
    expect(still.experiment?.actions?.['stop-instances']?.state?.status).toBe('running');
    expect(server.running()).toEqual([id]);

    const stopping = await fis.send(new StopExperimentCommand({ id }));
    expect(stopping.experiment?.state?.status).toBe('stopping');
    const e = await terminal(fis, id);
    expect(e.state?.status).toBe('stopped');
    expect(e.state?.reason).toMatch(/stopped by the user/);
    expect(e.actions?.['stop-instances']?.state?.status).toBe('stopped');
    // Stopping an ended experiment answers it as it is.
    const again = await fis.send(new StopExperimentCommand({ id }));
    expect(again.experiment?.state).toEqual(e.state);
  });

  it('is idempotent by clientToken', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    const other = server.addTemplate();
    const fis = client(server);
    const input = { experimentTemplateId: templateId, clientToken: 'run-7-exp-1' };
    const a = await fis.send(new StartExperimentCommand(input));
    const b = await fis.send(new StartExperimentCommand(input));
    expect(b.experiment?.id).toBe(a.experiment?.id);
    expect(server.experiments()).toHaveLength(1);
    const conflict = await failure(
      fis.send(new StartExperimentCommand({ ...input, experimentTemplateId: other })),
    );
    expect(conflict.error).toBeInstanceOf(ConflictException);
    expect(conflict.status).toBe(409);
    expect(server.experiments()).toHaveLength(1);
  });

  it('loses a StartExperiment answer after starting; the SDK retry with the same token gets the same experiment', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    server.faults.dropNextResponse({ operation: 'StartExperiment' });
    const fis = client(server, { maxAttempts: 3 });
    // No clientToken given: the SDK fills one in once, before its retries.
    const { experiment, $metadata } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId }),
    );
    expect($metadata.attempts).toBe(2);
    expect(server.experiments().map((e) => e.id)).toEqual([experiment?.id]);
    const starts = server.requests.filter((r) => r.target === 'StartExperiment');
    expect(starts.map((r) => [r.status, r.dropped])).toEqual([
      [0, true],
      [200, undefined],
    ]);

    // Without a retry the caller sees a connection reset, yet the experiment started.
    server.faults.dropNextResponse({ operation: 'StartExperiment' });
    const once = client(server, { maxAttempts: 1 });
    const lost = await failure(
      once.send(new StartExperimentCommand({ experimentTemplateId: templateId })),
    );
    expect(lost.message).toMatch(/socket hang up|ECONNRESET/);
    expect(server.experiments()).toHaveLength(2);
  });

  it('throttles as AWS does, and the SDK retries (status 400 or 429, by the error name)', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    const fis = client(server, { maxAttempts: 4 });
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId }),
    );
    const id = experiment!.id!;

    server.faults.throttleNext(3, { operation: 'GetExperiment' });
    const ok = await fis.send(new GetExperimentCommand({ id }));
    expect(ok.experiment?.id).toBe(id);
    expect(ok.$metadata.attempts).toBe(4);
    const gets = server.requests.filter((r) => r.target === 'GetExperiment').map((r) => r.status);
    expect(gets).toEqual([400, 400, 400, 200]);

    server.faults.throttleNext(1, { operation: 'GetExperiment' }, { status: 429 });
    expect((await fis.send(new GetExperimentCommand({ id }))).$metadata.attempts).toBe(2);

    // More throttles than attempts: the SDK gives up with the error's name.
    server.faults.throttleNext(5, { operation: 'ListExperiments' });
    const tired = client(server, { maxAttempts: 2 });
    const f = await failure(tired.send(new ListExperimentsCommand({})));
    expect(f.name).toBe('ThrottlingException');
    expect(f.status).toBe(400);
    expect(f.attempts).toBe(2);
    expect(f.message).toBe('Rate exceeded');

    // Other injected failures; a 4xx that is not throttling is not retried.
    server.faults.reset();
    server.faults.failNext(1, 403, { operation: 'GetExperiment' });
    const denied = await failure(fis.send(new GetExperimentCommand({ id })));
    expect([denied.name, denied.status, denied.attempts]).toEqual([
      'AccessDeniedException',
      403,
      1,
    ]);
    server.faults.failNext(1, 503);
    expect((await fis.send(new GetExperimentCommand({ id }))).$metadata.attempts).toBe(2);
  });

  it('pages ListExperimentTemplates and ListExperiments by maxResults', async () => {
    const server = await start();
    const ids = [1, 2, 3, 4, 5].map((n) => server.addTemplate({ tags: { n: String(n) } }));
    const fis = client(server);
    const pages: string[][] = [];
    for await (const page of paginateListExperimentTemplates({ client: fis, pageSize: 2 }, {}))
      pages.push((page.experimentTemplates ?? []).map((t) => t.id ?? ''));
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    const listed = server.requests.filter((r) => r.target === 'ListExperimentTemplates');
    expect(listed.map((r) => [r.query.maxResults, 'nextToken' in r.query])).toEqual([
      ['2', false],
      ['2', true],
      ['2', true],
    ]);
    const all = await fis.send(new ListExperimentTemplatesCommand({}));
    expect(all.experimentTemplates?.map((t) => t.tags?.n)).toEqual(['1', '2', '3', '4', '5']);
    expect(all.nextToken).toBeUndefined();

    const [first, second] = ids as [string, string];
    for (const t of [first, second, first])
      await fis.send(new StartExperimentCommand({ experimentTemplateId: t, tags: { t } }));
    // 3.523.0 predates the experimentTemplateId filter of ListExperiments (it sends no such
    // query parameter): page through everything with the SDK, and check the filter raw.
    const seen: string[] = [];
    for await (const page of paginateListExperiments({ client: fis, pageSize: 1 }, {}))
      for (const e of page.experiments ?? []) {
        expect(e.tags).toEqual({ t: e.experimentTemplateId });
        expect(e.creationTime).toBeInstanceOf(Date);
        seen.push(e.id ?? '');
      }
    expect(seen).toEqual(server.experiments().map((e) => e.id));
    const filtered = await fetch(
      `${server.url}/experiments?experimentTemplateId=${first}&maxResults=1`,
      { headers: { authorization: AUTH('fis') } },
    );
    const body = (await filtered.json()) as { experiments: { id: string }[]; nextToken: string };
    expect(body.experiments.map((e) => e.id)).toEqual([server.experiments()[0]?.id]);
    const rest = await fetch(
      `${server.url}/experiments?experimentTemplateId=${first}&nextToken=${body.nextToken}`,
      { headers: { authorization: AUTH('fis') } },
    );
    expect(await rest.json()).toEqual({
      experiments: [
        expect.objectContaining({ id: server.experiments()[2]?.id, tags: { t: first } }),
      ],
    });

    const bad = await failure(
      fis.send(new ListExperimentTemplatesCommand({ nextToken: 'not-a-token' })),
    );
    expect(bad.error).toBeInstanceOf(ValidationException);
  });

  it('answers 404 ResourceNotFoundException for unknown ids and lists tags by ARN', async () => {
    const server = await start();
    const fis = client(server);
    const nf = await failure(fis.send(new GetExperimentCommand({ id: 'EXPnope' })));
    expect(nf.error).toBeInstanceOf(ResourceNotFoundException);
    expect([nf.name, nf.status, nf.message]).toEqual([
      'ResourceNotFoundException',
      404,
      'Experiment EXPnope not found.',
    ]);
    for (const call of [
      fis.send(new StopExperimentCommand({ id: 'EXPnope' })),
      fis.send(new GetExperimentTemplateCommand({ id: 'EXTnope' })),
      fis.send(new StartExperimentCommand({ experimentTemplateId: 'EXTnope' })),
    ])
      expect((await failure(call)).name).toBe('ResourceNotFoundException');

    const templateId = server.addTemplate();
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId, tags: { 'run-id': '9' } }),
    );
    // 3.523.0 drops the experiment's `arn` from its answers (it predates the member).
    expect(experiment).not.toHaveProperty('arn');
    const resourceArn = server.experiments()[0]!.arn;
    expect(resourceArn).toBe(`arn:aws:fis:eu-west-1:123456789012:experiment/${experiment!.id!}`);
    const { tags } = await fis.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(tags).toEqual({ 'run-id': '9' });
    const template = await fis.send(
      new ListTagsForResourceCommand({ resourceArn: server.templates()[0]!.arn }),
    );
    expect(template.tags).toEqual({});
    const raw = await fetch(`${server.url}/experiments/EXPnope`, {
      headers: { authorization: AUTH('fis') },
    });
    expect(raw.status).toBe(404);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await raw.json()).toEqual({ message: 'Experiment EXPnope not found.' });
  });

  it('validates requests against the model (400 ValidationException) and needs an Authorization header', async () => {
    const server = await start();
    const fis = client(server);
    const v = await failure(fis.send(new ListExperimentTemplatesCommand({ maxResults: 0 })));
    expect(v.error).toBeInstanceOf(ValidationException);
    expect(v.message).toContain('query maxResults: 0 is out of the range [1, 100]');
    expect(server.violations).toEqual([
      {
        operation: 'ListExperimentTemplates',
        direction: 'request',
        problems: ['query maxResults: 0 is out of the range [1, 100]'],
      },
    ]);

    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/experiments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const unknown = await post(
      JSON.stringify({ clientToken: 't', experimentTemplateId: 'EXT1', colour: 'red' }),
      { authorization: AUTH('fis') },
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      message: '1 validation error detected: body.colour: unknown member of StartExperimentRequest',
    });

    const anonymous = await post('{}');
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    const wrongService = await post('{}', { authorization: AUTH('sts') });
    expect(wrongService.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');

    const nowhere = await fetch(`${server.url}/nowhere`, { headers: { authorization: 'x' } });
    expect([nowhere.status, nowhere.headers.get('x-amzn-errortype')]).toEqual([
      404,
      'UnknownOperationException',
    ]);
    const notYet = await failure(fis.send(new ListActionsCommand({})));
    expect([notYet.name, notYet.status]).toEqual(['NotImplementedException', 501]);
  });

  it('fails loudly (500) when its own answer does not fit the model', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    server.scenario(templateId, { outcome: 'hang' });
    const fis = client(server, { maxAttempts: 1 });
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId }),
    );
    await pollUntil(fis, experiment!.id!, (e) => e.state?.status === 'running');
    server.patchExperiment(experiment!.id!, (e) => {
      e.state.status = 'paused';
    });
    const f = await failure(fis.send(new GetExperimentCommand({ id: experiment!.id! })));
    expect([f.name, f.status]).toEqual(['SimulatorShapeViolation', 500]);
    expect(f.message).toContain('"paused" is not a value of enum ExperimentStatus');
    expect(server.violations.splice(0)).toEqual([
      {
        operation: 'GetExperiment',
        direction: 'response',
        problems: [expect.stringContaining('$.experiment.state.status: "paused"')],
      },
    ]);
  });

  it('carries every member of the upstream GetExperiment and StopExperiment answers', async () => {
    const server = await start();
    const templateId = server.addTemplate();
    const fis = client(server);
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: templateId }),
    );
    const id = experiment!.id!;
    const raw = async (method: string): Promise<unknown> => {
      const res = await fetch(`${server.url}/experiments/${id}`, {
        method,
        headers: { authorization: AUTH('fis') },
      });
      expect(res.status).toBe(200);
      return res.json();
    };
    await terminal(fis, id);
    const done = await raw('GET');
    expectMembersCovered(upstream('get-experiment.output.json'), done, ['startAfter']);
    const e = (done as { experiment: Record<string, unknown> }).experiment;
    for (const k of ['creationTime', 'startTime', 'endTime']) expect(typeof e[k]).toBe('number');

    server.scenario(templateId, { outcome: 'hang' });
    const next = await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }));
    await pollUntil(fis, next.experiment!.id!, (x) => x.state?.status === 'running');
    const stopping = await fetch(`${server.url}/experiments/${next.experiment!.id!}`, {
      method: 'DELETE',
      headers: { authorization: AUTH('fis') },
    });
    // The upstream answer has a second action with startAfter; ours has one action.
    expectMembersCovered(upstream('stop-experiment.output.json'), await stopping.json(), [
      'startAfter',
      'wait',
    ]);
  });

  it('answers STS GetCallerIdentity on POST / (query protocol, XML)', async () => {
    const server = await start({ accountId: '210987654321' });
    const call = (body: string, auth?: string) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          ...(auth ? { authorization: auth } : {}),
        },
        body,
      });
    const res = await call('Action=GetCallerIdentity&Version=2011-06-15', AUTH('sts'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const xml = await res.text();
    expect(xml).toMatch(
      /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
    );
    expect(xml).toContain('<Account>210987654321</Account>');
    expect(xml).toContain(
      '<Arn>arn:aws:sts::210987654321:assumed-role/chaos-gate-ci/GitHubActions</Arn>',
    );
    expect(xml).toMatch(/<UserId>AROA[A-Z0-9]+:GitHubActions<\/UserId>/);
    expect(xml).toMatch(/<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>/);

    const anonymous = await call('Action=GetCallerIdentity&Version=2011-06-15');
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>UnrecognizedClientException</Code>');
    const misSigned = await call('Action=GetCallerIdentity&Version=2011-06-15', AUTH('fis'));
    expect(misSigned.status).toBe(403);
    expect(await misSigned.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const other = await call('Action=AssumeRole&Version=2011-06-15', AUTH('sts'));
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('<Code>InvalidAction</Code>');
    expect(server.requests.map((r) => [r.target, r.status])).toEqual([
      ['GetCallerIdentity', 200],
      ['GetCallerIdentity', 403],
      ['GetCallerIdentity', 403],
      ['GetCallerIdentity', 400],
    ]);
  });

  it('closes with experiments still running, and twice', async () => {
    const server = await startFisServer({ timeScale: 1 });
    const templateId = server.addTemplate();
    server.faults.latencyMs = 10_000;
    const fis = new FisClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials,
      requestHandler,
      maxAttempts: 1,
    });
    const pending = failure(
      fis.send(new StartExperimentCommand({ experimentTemplateId: templateId })),
    );
    await sleep(20);
    await server.close();
    await server.close();
    expect((await pending).message).toMatch(/socket hang up|ECONNRESET|closed/i);
    fis.destroy();
  });
});

/**
 * Every member of `theirs` (an upstream answer) is a member of `ours`, recursively through
 * objects; the keys of maps are names (actions, targets) and are compared by their first entry.
 */
function expectMembersCovered(theirs: unknown, ours: unknown, skip: string[] = [], at = '$'): void {
  if (!isRecord(theirs)) return;
  expect(isRecord(ours) ? at : `${at} is not an object`).toBe(at);
  if (!isRecord(ours)) return;
  const mapLike = ['targets', 'actions', 'parameters', 'tags'].some((k) => at.endsWith(`.${k}`));
  if (mapLike) {
    const mine = Object.values(ours)[0];
    for (const [k, v] of Object.entries(theirs))
      if (!skip.includes(k)) expectMembersCovered(v, mine, skip, `${at}[${k}]`);
    return;
  }
  for (const [k, v] of Object.entries(theirs)) {
    if (skip.includes(k)) continue;
    expect([at, k, k in ours]).toEqual([at, k, true]);
    expectMembersCovered(v, ours[k], skip, `${at}.${k}`);
  }
}
