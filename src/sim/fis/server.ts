/**
 * A loopback AWS Fault Injection Service for tests and the demo: real HTTP on 127.0.0.1 that
 * `@aws-sdk/client-fis` uses unmodified (`endpoint: server.url`), speaking restJson1 as the
 * Smithy model in `model/` defines it. Routes come from the model's `smithy.api#http` traits;
 * every request is checked against the operation's input shape (400 ValidationException, as the
 * real service) and every answer against its output or error shape: an answer that does not fit
 * the model is a 500 `SimulatorShapeViolation` naming the problems, and both kinds are kept in
 * `violations`, so tests notice when the sim drifts from the real API.
 *
 * It implements StartExperiment (idempotent by clientToken), GetExperiment, StopExperiment,
 * ListExperiments, GetExperimentTemplate, ListExperimentTemplates and ListTagsForResource (other
 * modelled operations answer 501), plus STS GetCallerIdentity on `POST /` (query protocol, XML).
 * SigV4 signatures are not checked, but an `Authorization` header must be present.
 *
 *   const server = await startFisServer({ timeScale: 0.001 });
 *   const templateId = server.addTemplate();
 *   server.scenario(templateId, { outcome: 'stopped-by-alarm', durationMs: 30_000 });
 *   const fis = new FisClient({ region: 'eu-west-1', endpoint: server.url, credentials });
 *   ...
 *   await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bindInput } from './bindings.js';
import { SimClock } from './clock.js';
import { FisState } from './experiments.js';
import { Faults, type FisFaults } from './faults.js';
import {
  errorBody,
  FisError,
  parseJsonBody,
  readBody,
  toFisError,
  validation,
  writeJson,
  writeText,
} from './http.js';
import {
  FIS_NAMESPACE,
  isRecord,
  loadFisModel,
  matchRoute,
  operationRoutes,
  type OperationRoute,
} from './model.js';
import { OPERATIONS } from './operations.js';
import { assertShape, validateShape } from './shapes.js';
import { defaultIdentity, handleSts, stsError } from './sts.js';
import type { Experiment, ExperimentTemplate, Scenario, TemplateInput } from './types.js';

export interface FisServerOptions {
  /**
   * Wall-clock time per simulated time: 0.001 runs a one-minute experiment in 60 ms. The
   * timestamps in answers follow the simulated clock. Default 1 (real time).
   */
  timeScale?: number;
  /** Default `123456789012`. */
  accountId?: string;
  /** Used in ARNs. Default `eu-west-1`. */
  region?: string;
  /** Seed of the generated template and experiment ids. */
  seed?: number;
  /** Port on 127.0.0.1; default: any free port. */
  port?: number;
}

export interface FisRequestRecord {
  method: string;
  /** The URL path, without the query. */
  path: string;
  query: Record<string, string>;
  /** The status answered; 0 while unanswered and when the answer was dropped. */
  status: number;
  /** The operation (`StartExperiment`, ..., `GetCallerIdentity`), when one matched. */
  target?: string;
  /** The connection was reset instead of answering (`faults.dropNextResponse`). */
  dropped?: boolean;
}

export interface FisViolation {
  operation: string;
  /** `request`: the client sent what the model does not allow (answered 400). */
  direction: 'request' | 'response';
  problems: string[];
}

export interface FisServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  accountId: string;
  region: string;
  /** Adds an experiment template (defaults: see `FisState.addTemplate`); returns its id. */
  addTemplate(t?: TemplateInput): string;
  /** How experiments started from the template from now on end. */
  scenario(templateId: string, s: Scenario): void;
  /** Copies of the experiments as stored (wire form), in start order. */
  experiments(): Experiment[];
  /** Copies of the templates as stored. */
  templates(): ExperimentTemplate[];
  /** Ids of the experiments not in a terminal state. */
  running(): string[];
  /** Changes a stored experiment in place (states the scenarios do not produce). */
  patchExperiment(id: string, fn: (e: Experiment) => void): void;
  /** Every request, in arrival order. */
  requests: FisRequestRecord[];
  /** Model violations seen, in requests and in the server's own answers. */
  violations: FisViolation[];
  faults: FisFaults;
  /** The simulated clock's now. */
  now(): Date;
  /** Clears every timer, closes every connection and stops listening. */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  text: string;
  contentType: string;
  headers: Record<string, string>;
}

const SIGV4_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

/** The auth check: an Authorization header, and a SigV4 scope (if any) for `service`. */
function authProblem(req: IncomingMessage, service: string): FisError | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined || auth.trim() === '')
    return new FisError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid: there is no Authorization header.',
    );
  const scoped = SIGV4_SCOPE.exec(auth)?.[1];
  if (scoped !== undefined && scoped !== service)
    return new FisError(
      403,
      service === 'sts' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
      `Credential should be scoped to correct service: '${service}'.`,
    );
  return undefined;
}

export async function startFisServer(opts: FisServerOptions = {}): Promise<FisServer> {
  const model = loadFisModel();
  const routes = operationRoutes(model);
  const accountId = opts.accountId ?? '123456789012';
  const region = opts.region ?? 'eu-west-1';
  const clock = new SimClock(opts.timeScale ?? 1);
  const state = new FisState(clock, accountId, region, opts.seed ?? 0x5eed, (t) =>
    assertShape(model, `${FIS_NAMESPACE}#ExperimentTemplate`, t, { constraints: true }),
  );
  const faults = new Faults();
  const identity = defaultIdentity(accountId);
  const requests: FisRequestRecord[] = [];
  const violations: FisViolation[] = [];
  let closing = false;
  let closed: Promise<void> | undefined;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
    status,
    text: JSON.stringify(body),
    contentType: 'application/json',
    headers,
  });

  /** The answer to an error, its body checked against the model's error shape. */
  function errorAnswer(e: unknown, operation: string | undefined): Answer {
    let err = toFisError(e);
    const shape = model.shapes[`${FIS_NAMESPACE}#${err.code}`];
    if (shape?.traits?.['smithy.api#error'] !== undefined) {
      const problems = validateShape(model, `${FIS_NAMESPACE}#${err.code}`, errorBody(err));
      const status = shape.traits['smithy.api#httpError'];
      if (typeof status === 'number' && status !== err.status)
        problems.push(`${err.code} is HTTP ${status} in the model, answered ${err.status}`);
      if (problems.length > 0) err = violation(operation ?? '(none)', problems);
    }
    return json(err.status, errorBody(err), { 'x-amzn-errortype': err.code });
  }

  function violation(operation: string, problems: string[]): FisError {
    violations.push({ operation, direction: 'response', problems });
    return new FisError(
      500,
      'SimulatorShapeViolation',
      `the loopback FIS server's ${operation} answer does not fit the model: ${problems.join('; ')}`,
    );
  }

  function callOperation(
    route: OperationRoute,
    labels: Record<string, string>,
    url: URL,
    req: IncomingMessage,
    text: string,
  ): Answer {
    const handler = OPERATIONS[route.name];
    if (!handler)
      throw new FisError(
        501,
        'NotImplementedException',
        `the loopback FIS server does not implement ${route.name}`,
      );
    const bound = bindInput(
      model,
      route,
      labels,
      url.searchParams,
      req.headers,
      parseJsonBody(text),
    );
    if (bound.problems.length > 0) {
      violations.push({ operation: route.name, direction: 'request', problems: bound.problems });
      const n = bound.problems.length;
      throw validation(
        `${n} validation error${n === 1 ? '' : 's'} detected: ${bound.problems.join('; ')}`,
      );
    }
    // A snapshot: later changes of the stored objects must not reach a pending answer.
    const output: unknown = JSON.parse(JSON.stringify(handler(state, bound.input)));
    const problems = validateShape(model, route.output, output, { httpBody: true });
    if (problems.length > 0) throw violation(route.name, problems);
    return json(route.code, isRecord(output) ? output : {});
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: FisRequestRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    requests.push(record);
    let drop = false;
    let answer: Answer;
    try {
      const text = await readBody(req);
      if (faults.latencyMs > 0) await clock.sleep(faults.latencyMs);
      if (closing) {
        res.destroy();
        return;
      }
      if (method === 'POST' && url.pathname === '/') {
        record.target = 'GetCallerIdentity';
        const denied = authProblem(req, 'sts');
        const injected = denied ? undefined : faults.pickFailure(record.target);
        drop = !denied && !injected && faults.pickDrop(record.target);
        const sts = denied
          ? stsError(denied.status, denied.code, denied.message)
          : injected
            ? stsError(injected.status, injected.code, injected.message)
            : handleSts(text, identity);
        answer = { status: sts.status, text: sts.xml, contentType: 'text/xml', headers: {} };
      } else {
        const match = matchRoute(routes, method, url.pathname);
        if (!match)
          throw new FisError(
            404,
            'UnknownOperationException',
            `no FIS operation answers ${method} ${url.pathname}`,
          );
        record.target = match.route.name;
        const denied = authProblem(req, 'fis');
        if (denied) throw denied;
        const injected = faults.pickFailure(match.route.name);
        if (injected) throw injected;
        drop = faults.pickDrop(match.route.name);
        answer = callOperation(match.route, match.labels, url, req, text);
      }
    } catch (e) {
      answer = errorAnswer(e, record.target);
    }
    if (drop || closing) {
      if (drop) record.dropped = true;
      res.destroy();
      return;
    }
    record.status = answer.status;
    writeText(res, answer.status, answer.text, answer.contentType, answer.headers);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { message: String(e) });
      else res.destroy();
    });
  });
  const listening = await listenLoopback(server, opts.port);

  return {
    url: listening.url,
    accountId,
    region,
    addTemplate: (t) => state.addTemplate(t),
    scenario: (id, s) => state.setScenario(id, s),
    experiments: () => structuredClone(state.all()),
    templates: () => structuredClone(state.allTemplates()),
    running: () => state.running(),
    patchExperiment: (id, fn) => state.patch(id, fn),
    requests,
    violations,
    faults,
    now: () => new Date(clock.now()),
    close() {
      closed ??= (async () => {
        closing = true;
        clock.dispose();
        await listening.close();
      })();
      return closed;
    },
  };
}

export type { FisFaultMatch, FisFaults } from './faults.js';
export type {
  Experiment,
  ExperimentTemplate,
  Scenario,
  ScenarioOutcome,
  TemplateInput,
} from './types.js';
import { listenLoopback } from '../listen.js';
