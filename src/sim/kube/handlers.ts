/**
 * The REST verbs on resources (get, list, watch, create, update, patch, delete, deletecollection,
 * and the `status` subresource), with the request checks and responses of the real API server's
 * generic handlers (k8s.io/apiserver/pkg/endpoints/handlers).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isRecord, type KubeObject } from '../../kube/object.js';
import type { Admission } from './admission.js';
import { isBuiltin } from './builtins.js';
import { ApiError, decodeBody, mediaType, readBody, type Reply } from './http.js';
import { PatchError, applyJsonPatch, applyMergePatch } from './patch.js';
import type { ResourceTarget } from './paths.js';
import {
  StoreError,
  apiVersionOf,
  resourceKey,
  type ObjectStore,
  type ResourceType,
} from './store.js';
import type { WatchParams } from './watch.js';

export interface HandlerContext {
  store: ObjectStore;
  admission: Admission;
  /** Starts streaming a watch on this reply (the server keeps track of open watches). */
  watch(reply: Reply, params: WatchParams): void;
}

export interface ResolvedTarget extends ResourceTarget {
  resource: ResourceType;
}

/** The served resource a path names, or 404 like the real server for anything else. */
export function resolveTarget(store: ObjectStore, t: ResourceTarget): ResolvedTarget {
  const r = store.resource(t.group, t.plural);
  const notFound = new ApiError(404);
  if (!r || r.version !== t.version) throw notFound;
  if (!r.namespaced && t.namespace !== undefined) throw notFound;
  if (r.namespaced && t.namespace === undefined && t.name !== undefined) throw notFound;
  if (t.subresource !== undefined && (t.subresource !== 'status' || !r.statusSubresource))
    throw notFound;
  return { ...t, resource: r };
}

export function isWatchRequest(t: ResourceTarget, query: URLSearchParams): boolean {
  const w = query.get('watch');
  return t.watchPrefix || w === 'true' || w === '1';
}

export async function handleResource(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  const collection = t.name === undefined;
  if (method === 'GET') {
    if (isWatchRequest(t, query)) return startWatch(ctx, reply, t, query);
    if (collection) return reply.json(200, list(ctx.store, t, query));
    return reply.json(200, ctx.store.mustGet(t.resource, t.namespace, t.name ?? ''));
  }
  if (t.watchPrefix) throw new ApiError(405);
  switch (method) {
    case 'POST':
      if (!collection || (t.resource.namespaced && t.namespace === undefined))
        throw new ApiError(405);
      return create(ctx, req, reply, t, query);
    case 'PUT':
      if (collection) throw new ApiError(405);
      return update(ctx, req, reply, t, query);
    case 'PATCH':
      if (collection) throw new ApiError(405);
      return patch(ctx, req, reply, t, query);
    case 'DELETE':
      if (t.subresource !== undefined) throw new ApiError(405);
      return collection
        ? deleteCollection(ctx, req, reply, t, query)
        : remove(ctx, req, reply, t, query);
    default:
      throw new ApiError(405);
  }
}

// ---- reads ---------------------------------------------------------------------------------

function selectors(query: URLSearchParams): { labelSelector?: string; fieldSelector?: string } {
  const labelSelector = query.get('labelSelector') ?? undefined;
  const fieldSelector = query.get('fieldSelector') ?? undefined;
  return {
    ...(labelSelector ? { labelSelector } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
  };
}

function listOf(
  r: ResourceType,
  items: KubeObject[],
  resourceVersion: number,
): Record<string, unknown> {
  return {
    apiVersion: apiVersionOf(r),
    kind: `${r.kind}List`,
    metadata: { resourceVersion: String(resourceVersion) },
    items,
  };
}

/** LIST: `limit`/`continue` are ignored (everything comes in one page, with no continue token). */
function list(
  store: ObjectStore,
  t: ResolvedTarget,
  query: URLSearchParams,
): Record<string, unknown> {
  const items = store.list(t.resource, {
    ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    ...selectors(query),
  });
  return listOf(t.resource, items, store.currentRevision);
}

function startWatch(
  ctx: HandlerContext,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): void {
  const sel = selectors(query);
  // GET .../{name}?watch=true is the deprecated form of a fieldSelector on the name.
  if (t.name !== undefined)
    sel.fieldSelector = [`metadata.name=${t.name}`, sel.fieldSelector].filter(Boolean).join(',');
  const timeout = query.get('timeoutSeconds');
  const rv = query.get('resourceVersion');
  ctx.watch(reply, {
    resource: t.resource,
    ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    ...sel,
    ...(rv !== null ? { resourceVersion: rv } : {}),
    ...(timeout !== null && /^\d+$/.test(timeout) ? { timeoutSeconds: Number(timeout) } : {}),
    allowBookmarks: query.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: query.get('sendInitialEvents') === 'true',
  });
}

// ---- write options -------------------------------------------------------------------------

function dryRun(query: URLSearchParams, fromBody?: unknown): boolean {
  const values = [...query.getAll('dryRun')];
  if (Array.isArray(fromBody)) values.push(...fromBody.map(String));
  for (const v of values)
    if (v !== 'All')
      throw new ApiError(
        400,
        `Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`,
      );
  return values.length > 0;
}

type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** `fieldValidation`: the server default is Warn (Kubernetes >= 1.27). */
function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
  throw new ApiError(400, `invalid fieldValidation directive: ${v}`);
}

/**
 * Server-side field validation of unknown fields (pruning drops them either way): Strict fails
 * with 400 as the strict decoder does, Warn answers with one `Warning` header per field.
 */
function checkUnknownFields(
  ctx: HandlerContext,
  r: ResourceType,
  obj: KubeObject,
  mode: FieldValidation,
): OutgoingHttpHeaders {
  if (mode === 'Ignore') return {};
  const unknown = ctx.admission.unknownFields(r, obj);
  if (unknown.length === 0) return {};
  if (mode === 'Strict')
    throw new ApiError(
      400,
      `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown
        .map((f) => `unknown field "${f}"`)
        .join(', ')}`,
    );
  return { Warning: unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`) };
}

/** The body as an object of this resource's kind, as the decoder checks it. */
async function readObject(req: IncomingMessage, r: ResourceType): Promise<KubeObject> {
  const body = decodeBody(await readBody(req), req.headers['content-type']);
  if (!isRecord(body)) throw new ApiError(400, `the body of the request is not an object`);
  const custom = !isBuiltin(r);
  const compact = JSON.stringify(body).slice(0, 200);
  // Custom resources are decoded as unstructured objects, which need apiVersion and kind.
  if (custom && (typeof body.kind !== 'string' || body.kind === ''))
    throw new ApiError(400, `Object 'Kind' is missing in '${compact}'`);
  if (custom && (typeof body.apiVersion !== 'string' || body.apiVersion === ''))
    throw new ApiError(400, `Object 'apiVersion' is missing in '${compact}'`);
  const apiVersion = body.apiVersion ?? apiVersionOf(r);
  const kind = body.kind ?? r.kind;
  if (apiVersion !== apiVersionOf(r) || kind !== r.kind)
    throw new ApiError(
      400,
      `the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the expected ${apiVersionOf(r)}, Kind=${r.kind}`,
    );
  const metadata = body.metadata ?? {};
  if (!isRecord(metadata)) throw new ApiError(400, 'metadata must be an object');
  return { ...body, apiVersion: apiVersionOf(r), kind: r.kind, metadata };
}

// ---- writes --------------------------------------------------------------------------------

async function create(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const obj = await readObject(req, t.resource);
  const warnings = checkUnknownFields(ctx, t.resource, obj, fieldValidation(query));
  const created = ctx.store.create(t.resource, t.namespace, obj, dryRun(query));
  reply.json(201, created, warnings);
}

async function update(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const r = t.resource;
  const name = t.name ?? '';
  const obj = await readObject(req, r);
  const mode = fieldValidation(query);
  const dry = dryRun(query);
  // Custom resources do not allow unconditional updates (AllowUnconditionalUpdate is false).
  if (!isBuiltin(r) && !obj.metadata.resourceVersion) {
    ctx.store.mustGet(r, t.namespace, name);
    const message = 'Invalid value: 0x0: must be specified for an update';
    throw new StoreError(
      'Invalid',
      `${r.kind}.${r.group} "${name}" is invalid: metadata.resourceVersion: ${message}`,
      {
        name,
        group: r.group,
        kind: r.kind,
        causes: [{ reason: 'FieldValueInvalid', message, field: 'metadata.resourceVersion' }],
      },
    );
  }
  const warnings = checkUnknownFields(ctx, r, obj, mode);
  const updated = ctx.store.update(r, t.namespace, name, obj, {
    dryRun: dry,
    ...(t.subresource === 'status' ? { subresource: 'status' as const } : {}),
  });
  reply.json(200, updated, warnings);
}

const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

async function patch(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const r = t.resource;
  const name = t.name ?? '';
  const type = mediaType(req.headers['content-type']);
  // Strategic merge patch needs Go struct tags, so custom resources do not accept it. For the
  // built-ins it is applied as a JSON merge patch (no list merge keys, no $patch directives).
  // Server-side apply is not implemented.
  const accepted = [JSON_PATCH, MERGE_PATCH, ...(isBuiltin(r) ? [STRATEGIC_MERGE_PATCH] : [])];
  if (!accepted.includes(type))
    throw new ApiError(
      415,
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  const mode = fieldValidation(query);
  const dry = dryRun(query);
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, `error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  const current = ctx.store.mustGet(r, t.namespace, name);
  let patched: unknown;
  try {
    if (type === JSON_PATCH) patched = applyJsonPatch(current, body);
    else {
      if (!isRecord(body))
        throw new PatchError(
          'json: cannot unmarshal patch into Go value of type map[string]interface {}',
          'decode',
        );
      patched = applyMergePatch(current, body);
    }
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    if (e.phase === 'decode') throw new ApiError(400, e.message);
    // apiserver's patcher: NewGenericServerResponse(422, ...) with the patch library's error.
    throw new ApiError(422, undefined, 'Invalid', {
      causes: [{ reason: 'UnexpectedServerResponse', message: e.message, field: '' }],
    });
  }
  if (!isRecord(patched) || !isRecord(patched.metadata))
    throw new ApiError(422, 'the patched object is not a Kubernetes object');
  const obj = patched as KubeObject;
  const warnings = checkUnknownFields(ctx, r, obj, mode);
  const updated = ctx.store.update(r, t.namespace, name, obj, {
    dryRun: dry,
    ...(t.subresource === 'status' ? { subresource: 'status' as const } : {}),
  });
  reply.json(200, updated, warnings);
}

/** DeleteOptions from the body (kubectl and client-go send one), or {}. */
async function deleteOptions(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  const body = decodeBody(text, req.headers['content-type']);
  if (!isRecord(body)) throw new ApiError(400, 'the body of the request is not DeleteOptions');
  return body;
}

function checkPreconditions(
  r: ResourceType,
  current: KubeObject,
  options: Record<string, unknown>,
): void {
  const pre = isRecord(options.preconditions) ? options.preconditions : {};
  const name = current.metadata.name ?? '';
  const fail = (what: string, want: unknown, have: unknown): never => {
    throw new StoreError(
      'Conflict',
      `Operation cannot be fulfilled on ${resourceKey(r)} "${name}": Precondition failed: ${what} in precondition: ${String(want)}, ${what} in object meta: ${String(have)}`,
      { name, group: r.group, kind: r.plural },
    );
  };
  if (typeof pre.uid === 'string' && pre.uid !== current.metadata.uid)
    fail('UID', pre.uid, current.metadata.uid);
  if (
    typeof pre.resourceVersion === 'string' &&
    pre.resourceVersion !== current.metadata.resourceVersion
  )
    fail('ResourceVersion', pre.resourceVersion, current.metadata.resourceVersion);
}

/**
 * DELETE: answers with the object (with deletionTimestamp set when finalizers keep it), as the
 * real server does for custom resources. Dependents are always deleted in the background
 * (propagationPolicy and gracePeriodSeconds are accepted and ignored).
 */
async function remove(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const options = await deleteOptions(req);
  const dry = dryRun(query, options.dryRun);
  const name = t.name ?? '';
  const current = ctx.store.mustGet(t.resource, t.namespace, name);
  checkPreconditions(t.resource, current, options);
  reply.json(200, ctx.store.delete(t.resource, t.namespace, name, dry));
}

async function deleteCollection(
  ctx: HandlerContext,
  req: IncomingMessage,
  reply: Reply,
  t: ResolvedTarget,
  query: URLSearchParams,
): Promise<void> {
  const options = await deleteOptions(req);
  const dry = dryRun(query, options.dryRun);
  const items = ctx.store.list(t.resource, {
    ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    ...selectors(query),
  });
  const deleted = items.map((o) =>
    ctx.store.delete(t.resource, o.metadata.namespace, o.metadata.name ?? '', dry),
  );
  reply.json(200, listOf(t.resource, deleted, ctx.store.currentRevision));
}
