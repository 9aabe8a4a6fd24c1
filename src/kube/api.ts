/**
 * The Kubernetes calls chaos-gate makes, behind one small interface so providers and tests
 * do not depend on the client library. Authentication and watches are @kubernetes/client-node's
 * (KubeConfig, Watch); the REST requests are made here with undici on the KubeConfig's
 * authentication, and retried on 429, 5xx and dropped connections with backoff (Retry-After
 * honoured).
 */
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { request, type Dispatcher } from 'undici';
import { isKubeObject, isRecord, type KubeObject } from './object.js';
import type { ObjectRef, ResourceRef } from './resources.js';
import { withRetry, retryAfterMs, type RetryDecision, type RetryPolicy } from '../retry.js';

/** A failed API call: the HTTP code and the server's Status reason and message. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly causes: { field?: string; message?: string }[] = [],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

export interface WatchHandle {
  abort(): void;
}

export interface KubeApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(
    r: ResourceRef,
    namespace: string,
    query?: Omit<WatchQuery, 'resourceVersion'>,
  ): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  create(
    r: ResourceRef,
    namespace: string,
    body: KubeObject,
    opts?: { dryRun?: boolean },
  ): Promise<KubeObject>;
  /** RFC 7386 merge patch. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject>;
  /**
   * Deletes; answers with the object as the server left it (with `deletionTimestamp` and its
   * finalizers while they keep it), or undefined when it was already gone. With `uid`, only the
   * object with that uid is deleted (a precondition): another one of the same name is a 409.
   */
  delete(ref: ObjectRef, opts?: { uid?: string }): Promise<KubeObject | undefined>;
  /** Deletes every object a label selector matches; answers with what was deleted. */
  deleteCollection(r: ResourceRef, namespace: string, labelSelector: string): Promise<KubeObject[]>;
  crdInstalled(name: string): Promise<boolean>;
  serviceAccountExists(namespace: string, name: string): Promise<boolean>;
  /**
   * Streams changes. `onDone` is called once when the stream ends: null on a clean close, else
   * the error (a KubeApiError with code 410 when the resourceVersion is too old).
   */
  watch(
    r: ResourceRef,
    namespace: string,
    query: WatchQuery,
    onEvent: (type: WatchEventType, object: KubeObject | undefined, raw: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle>;
}

/** The API server's error answer (a Status, or any text) as a KubeApiError. */
function kubeApiErrorOf(
  code: number,
  text: string,
  retryAfterHeader?: string | null,
): KubeApiError {
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: keep the text
  }
  const retryAfter = retryAfterMs(retryAfterHeader ?? undefined);
  if (isRecord(body) && body.kind === 'Status') {
    const details = isRecord(body.details) ? body.details : {};
    const causes = Array.isArray(details.causes)
      ? details.causes.filter(isRecord).map((c) => ({
          field: typeof c.field === 'string' ? c.field : undefined,
          message: typeof c.message === 'string' ? c.message : undefined,
        }))
      : [];
    return new KubeApiError(
      code,
      typeof body.reason === 'string' ? body.reason : '',
      typeof body.message === 'string' ? body.message : `HTTP ${code}`,
      causes,
      retryAfter,
    );
  }
  const short = text ? text.slice(0, 300) : `HTTP ${code}`;
  return new KubeApiError(code, code === 401 ? 'Unauthorized' : '', short, [], retryAfter);
}

const RETRYABLE_NETWORK =
  /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|other side closed|fetch failed|terminated/i;

/** 429 and 5xx from the server, and dropped connections, are worth another try. */
export function classifyKubeError(err: unknown): RetryDecision {
  if (err instanceof KubeApiError) {
    if (err.code === 429 || err.code >= 500)
      return {
        retry: true,
        reason: `HTTP ${err.code}${err.reason ? ` ${err.reason}` : ''}`,
        ...(err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : {}),
      };
    return { retry: false, reason: `HTTP ${err.code}` };
  }
  const text =
    err instanceof Error
      ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`
      : String(err);
  if (RETRYABLE_NETWORK.test(text)) return { retry: true, reason: text.trim().slice(0, 120) };
  return { retry: false, reason: text.slice(0, 120) };
}

export interface ClientOptions {
  retry?: RetryPolicy;
  onRetry?: (message: string) => void;
}

type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => unknown;

/** What makes two requests' TLS settings the same (the credentials and the trust). */
function dispatcherKey(cluster: unknown, o: Record<string, unknown>): string {
  const text = (v: unknown): unknown =>
    Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'string' ? v : (v ?? null);
  const c = isRecord(cluster) ? cluster : {};
  return JSON.stringify([
    c.name ?? null,
    c.server ?? null,
    ...['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'].map((k) =>
      text(o[k]),
    ),
  ]);
}

/**
 * @kubernetes/client-node 2.0.1 builds a new undici Agent, so a new TLS connection, for every
 * request to an https cluster (KubeConfig#createDispatcher): measured by the benchmark as 2001
 * connections for 2001 requests, and most of the memory and a third of the CPU of a large run.
 * One Agent per set of TLS settings is reused instead (credentials rotated by an exec plugin
 * give a new key, so a new Agent).
 */
function reuseConnections(kc: KubeConfig): void {
  const target = kc as unknown as { createDispatcher?: CreateDispatcher };
  const original = target.createDispatcher;
  if (typeof original !== 'function') return;
  const cache = new Map<string, unknown>();
  target.createDispatcher = function (cluster, agentOptions) {
    const key = dispatcherKey(cluster, agentOptions);
    if (!cache.has(key)) cache.set(key, original.call(this, cluster, agentOptions));
    return cache.get(key);
  };
}

/** The package's own User-Agent, as client-node's generated clients sent theirs. */
const USER_AGENT = 'chaos-gate (@kubernetes/client-node)';

export function createKubeApi(kc: KubeConfig, opts: ClientOptions = {}): KubeApi {
  reuseConnections(kc);
  const watcher = new Watch(kc);
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)';

  /**
   * One REST request. Authentication (tokens, client certificates, exec plugins, proxies) is
   * client-node's KubeConfig, as for its generated clients; the request itself is undici's
   * request() on the dispatcher it sets up, which keeps the bundle free of the generated API
   * classes and their models (see docs/performance.md). Answers with the parsed body
   * (undefined when empty); non-2xx answers throw a KubeApiError.
   */
  const send = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    o: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {},
  ): Promise<unknown> => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), method);
    await kc.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = {
      ...ctx.getHeaders(),
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const dispatcher = ctx.getDispatcher() as Dispatcher | undefined;
    const res = await request(url, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      ...(dispatcher ? { dispatcher } : {}),
      // A DELETE carries DeleteOptions (the uid precondition) in its body; undici would close
      // the connection after any body on a method that does not expect one. The API server
      // reads it, so the connection stays usable.
      reset: false,
    });
    const text = await res.body.text();
    const status = res.statusCode;
    if (status < 200 || status >= 300) {
      const ra = res.headers['retry-after'];
      throw kubeApiErrorOf(status, text, Array.isArray(ra) ? ra[0] : ra);
    }
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`the API server answered ${method} ${path} with something that is not JSON`);
    }
  };

  const call = (what: string, fn: () => Promise<unknown>): Promise<unknown> =>
    withRetry(what, fn, classifyKubeError, {
      ...(opts.retry ? { policy: opts.retry } : {}),
      ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
    });

  const asObject = (v: unknown, what: string): KubeObject => {
    if (!isKubeObject(v))
      throw new Error(`${what}: the API server answered with something that is not an object`);
    return v;
  };
  const notFoundIsUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw err;
    }
  };
  const collection = (r: ResourceRef, namespace: string): string =>
    `/apis/${r.group}/${r.version}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  const item = (ref: ObjectRef): string =>
    `${collection(ref, ref.namespace)}/${encodeURIComponent(ref.name)}`;

  return {
    server,
    async get(ref) {
      const v = await notFoundIsUndefined(
        call(`get ${ref.kind} ${ref.namespace}/${ref.name}`, () => send('GET', item(ref))),
      );
      return v === undefined ? undefined : asObject(v, `get ${ref.kind}`);
    },
    async list(r, namespace, query = {}) {
      const v = await call(`list ${r.kind} in ${namespace}`, () =>
        send('GET', collection(r, namespace), {
          query: { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector },
        }),
      );
      const items = isRecord(v) && Array.isArray(v.items) ? v.items.filter(isKubeObject) : [];
      const md = isRecord(v) && isRecord(v.metadata) ? v.metadata : {};
      // Items of a list carry no apiVersion/kind on some servers; fill them in.
      for (const o of items) {
        o.apiVersion ??= `${r.group}/${r.version}`;
        o.kind ??= r.kind;
      }
      return {
        items,
        resourceVersion: typeof md.resourceVersion === 'string' ? md.resourceVersion : '',
      };
    },
    async create(r, namespace, body, o = {}) {
      const v = await call(
        `${o.dryRun ? 'dry-run create' : 'create'} ${r.kind} ${namespace}/${body.metadata.name ?? ''}`,
        () =>
          send('POST', collection(r, namespace), {
            body,
            query: { dryRun: o.dryRun ? 'All' : undefined },
          }),
      );
      return asObject(v, `create ${r.kind}`);
    },
    async mergePatch(ref, patch) {
      const v = await call(`patch ${ref.kind} ${ref.namespace}/${ref.name}`, () =>
        send('PATCH', item(ref), { body: patch, contentType: 'application/merge-patch+json' }),
      );
      return asObject(v, `patch ${ref.kind}`);
    },
    async delete(ref, o = {}) {
      const v = await notFoundIsUndefined(
        call(`delete ${ref.kind} ${ref.namespace}/${ref.name}`, () =>
          send('DELETE', item(ref), {
            body: {
              apiVersion: 'v1',
              kind: 'DeleteOptions',
              propagationPolicy: 'Background',
              ...(o.uid ? { preconditions: { uid: o.uid } } : {}),
            },
          }),
        ),
      );
      if (v === undefined) return undefined;
      // A server may answer a finished delete with a Status (Success) instead of the object.
      return isKubeObject(v) ? v : { apiVersion: 'v1', kind: 'Status', metadata: {} };
    },
    async deleteCollection(r, namespace, labelSelector) {
      const v = await call(`delete ${r.kind} in ${namespace} (${labelSelector})`, () =>
        send('DELETE', collection(r, namespace), {
          query: { labelSelector },
          body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
        }),
      );
      return isRecord(v) && Array.isArray(v.items) ? v.items.filter(isKubeObject) : [];
    },
    async crdInstalled(name) {
      const v = await notFoundIsUndefined(
        call(`get CustomResourceDefinition ${name}`, () =>
          send(
            'GET',
            `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
          ),
        ),
      );
      return v !== undefined;
    },
    async serviceAccountExists(namespace, name) {
      const v = await notFoundIsUndefined(
        call(`get ServiceAccount ${namespace}/${name}`, () =>
          send(
            'GET',
            `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`,
          ),
        ),
      );
      return v !== undefined;
    },
    async watch(r, namespace, query, onEvent, onDone) {
      const ctrl = await watcher.watch(
        collection(r, namespace),
        {
          allowWatchBookmarks: true,
          ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
          ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
          ...(query.resourceVersion ? { resourceVersion: query.resourceVersion } : {}),
        },
        (type: string, obj: unknown) => {
          // `obj` is the event's object: a Status for ERROR events.
          onEvent(type as WatchEventType, isKubeObject(obj) ? obj : undefined, obj);
        },
        (err: unknown) => {
          const code =
            isRecord(err) && typeof err.statusCode === 'number' ? err.statusCode : undefined;
          onDone(
            code !== undefined
              ? new KubeApiError(code, '', `watch ${r.kind} in ${namespace}: HTTP ${code}`)
              : (err ?? null),
          );
        },
      );
      return { abort: () => ctrl.abort() };
    },
  };
}
