/**
 * The object store behind the loopback Kubernetes API (tests and the demo): what etcd and the
 * API server's registry do for us, in memory. resourceVersion is one counter across all objects,
 * like etcd's revision; deletes honour finalizers; every change is kept in a bounded history so
 * a watch can replay from a resourceVersion and gets 410 Gone once that history is compacted.
 *
 * Controllers that simulate Litmus and Chaos Mesh use this API in-process; clients use HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../kube/object.js';

/** A served resource: a built-in (namespaces, pods, ...) or a CRD's version. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  /** The CRD declares `subresources.status`: writes to the main resource ignore `.status`. */
  statusSubresource: boolean;
  shortNames?: string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  /** A deep copy of the object after the change (for DELETED: its last state, with a new resourceVersion). */
  object: KubeObject;
  resourceVersion: number;
}

export type StoreErrorReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Gone'
  | 'BadRequest'
  | 'MethodNotAllowed';

const CODES: Record<StoreErrorReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Gone: 410,
  BadRequest: 400,
  MethodNotAllowed: 405,
};

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** An API error, shaped like the server's `Status` object. */
export class StoreError extends Error {
  readonly code: number;
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    readonly details: { name?: string; group?: string; kind?: string; causes?: StatusCause[] } = {},
  ) {
    super(message);
    this.name = 'StoreError';
    this.code = CODES[reason];
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

/** Checks an object against its resource's schema; returns the problems (empty when valid). */
export type Validator = (resource: ResourceType, object: KubeObject) => StatusCause[];

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function resourceKey(r: Pick<ResourceType, 'group' | 'plural'>): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export function apiVersionOf(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** How many changes a watch can replay; older resourceVersions get 410 Gone. */
const DEFAULT_HISTORY = 10_000;

export class ObjectStore {
  private readonly resources = new Map<string, ResourceType>();
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private revision = 1;
  /** Lowest resourceVersion a watch may resume from. */
  private compactedTo = 0;
  validator: Validator | undefined;

  constructor(private readonly historyLimit = DEFAULT_HISTORY) {}

  // ---- resources -------------------------------------------------------------------------

  addResource(r: ResourceType): void {
    this.resources.set(resourceKey(r), r);
  }

  removeResource(group: string, plural: string): void {
    this.resources.delete(resourceKey({ group, plural }));
  }

  resource(group: string, plural: string): ResourceType | undefined {
    return this.resources.get(resourceKey({ group, plural }));
  }

  resourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const r of this.resources.values()) {
      if (apiVersionOf(r) === apiVersion && r.kind === kind) return r;
    }
    return undefined;
  }

  allResources(): ResourceType[] {
    return [...this.resources.values()];
  }

  get currentRevision(): number {
    return this.revision;
  }

  // ---- reads -----------------------------------------------------------------------------

  get(r: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(r, namespace, name));
    return o ? clone(o) : undefined;
  }

  mustGet(r: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const o = this.get(r, namespace, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  list(r: ResourceType, opts: ListOptions = {}): KubeObject[] {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
    const prefix = resourceKey(r) + '|';
    const out: KubeObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      if (r.namespaced && opts.namespace !== undefined && o.metadata.namespace !== opts.namespace)
        continue;
      if (!matchesLabels(o.metadata.labels ?? {}, labels)) continue;
      if (!matchesFields(o, fields)) continue;
      out.push(clone(o));
    }
    out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
    return out;
  }

  // ---- writes ----------------------------------------------------------------------------

  /**
   * Creates an object. `dryRun` validates and fills in server fields without storing.
   * With a status subresource, `.status` in the body is dropped (as the real server does).
   */
  create(
    r: ResourceType,
    namespace: string | undefined,
    body: KubeObject,
    dryRun = false,
  ): KubeObject {
    const obj = clone(body);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    obj.metadata = { ...(obj.metadata ?? {}) };
    if (r.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace)
        throw new StoreError(
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
      if (!obj.metadata.namespace) throw new StoreError('BadRequest', 'namespace is required');
      if (r.plural !== 'namespaces' && !this.namespaceExists(obj.metadata.namespace))
        throw new StoreError('NotFound', `namespaces "${obj.metadata.namespace}" not found`, {
          name: obj.metadata.namespace,
          kind: 'namespaces',
        });
    } else {
      delete obj.metadata.namespace;
    }
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
    const name = obj.metadata.name;
    if (!name)
      throw new StoreError('Invalid', `${r.kind} "" is invalid: metadata.name: Required value`, {
        kind: r.kind,
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.name' },
        ],
      });
    checkName(r, name);
    const key = this.key(r, obj.metadata.namespace, name);
    if (this.objects.has(key))
      throw new StoreError('AlreadyExists', `${resourceKey(r)} "${name}" already exists`, {
        name,
        group: r.group,
        kind: r.plural,
      });
    if (r.statusSubresource) delete obj.status;
    for (const f of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'generation',
    ])
      Reflect.deleteProperty(obj.metadata, f);
    obj.metadata.uid = randomUUID();
    (obj.metadata as Record<string, unknown>).creationTimestamp = now();
    (obj.metadata as Record<string, unknown>).generation = 1;
    this.validate(r, obj);
    if (dryRun) {
      obj.metadata.resourceVersion = String(this.revision);
      return obj;
    }
    obj.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, obj);
    this.emit('ADDED', r, obj);
    return clone(obj);
  }

  /**
   * Replaces an object (PUT). `subresource: 'status'` replaces only `.status`; the main resource
   * keeps the stored `.status` when the CRD has a status subresource. A resourceVersion in the
   * body must match (optimistic concurrency).
   */
  update(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: { subresource?: 'status'; dryRun?: boolean } = {},
  ): KubeObject {
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(r, name);
    const rv = body.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion)
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${resourceKey(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: r.group, kind: r.plural },
      );
    if (body.metadata?.name && body.metadata.name !== name)
      throw new StoreError(
        'BadRequest',
        'the name of the object does not match the name on the URL',
      );
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = clone(current);
      if (body.status === undefined) delete next.status;
      else next.status = clone(body.status);
    } else {
      next = clone(body);
      next.apiVersion = apiVersionOf(r);
      next.kind = r.kind;
      const md = { ...(next.metadata ?? {}) } as Record<string, unknown>;
      const cur = current.metadata as Record<string, unknown>;
      // Server-owned metadata cannot be changed by a client.
      for (const f of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'generation',
        'namespace',
        'name',
      ])
        if (cur[f] === undefined) Reflect.deleteProperty(md, f);
        else md[f] = cur[f];
      next.metadata = md as KubeObject['metadata'];
      if (r.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      // A deleting object may lose finalizers but not gain new ones.
      if (cur.deletionTimestamp) {
        const before = new Set((cur.finalizers as string[] | undefined) ?? []);
        const after = (md.finalizers as string[] | undefined) ?? [];
        if (after.some((f) => !before.has(f)))
          throw new StoreError(
            'Invalid',
            `${r.kind} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted`,
            {
              name,
              kind: r.kind,
              causes: [
                {
                  reason: 'FieldValueForbidden',
                  message: 'no new finalizers can be added if the object is being deleted',
                  field: 'metadata.finalizers',
                },
              ],
            },
          );
      }
      if (specChanged(current, next)) md.generation = ((cur.generation as number) ?? 1) + 1;
    }
    this.validate(r, next);
    if (opts.dryRun) return next;
    if (JSON.stringify(stripRv(next)) === JSON.stringify(stripRv(current))) return clone(current);
    next.metadata.resourceVersion = String(++this.revision);
    const md = next.metadata as Record<string, unknown>;
    if (md.deletionTimestamp && ((md.finalizers as string[] | undefined) ?? []).length === 0) {
      this.objects.delete(key);
      this.emit('DELETED', r, next);
      // The last finalizer is gone, so the object is really deleted now: what it owns goes too
      // (a ChaosEngine's runner pod, a chaos object's dependents), as the garbage collector does.
      this.cascade(next);
      return clone(next);
    }
    this.objects.set(key, next);
    this.emit('MODIFIED', r, next);
    return clone(next);
  }

  /** Read-modify-write for in-process controllers: `fn` edits a copy, which is then stored. */
  mutate(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    fn: (o: KubeObject) => void,
    subresource?: 'status',
  ): KubeObject | undefined {
    const cur = this.get(r, namespace, name);
    if (!cur) return undefined;
    fn(cur);
    return this.update(r, namespace, name, cur, subresource ? { subresource } : {});
  }

  /**
   * Deletes an object: with finalizers it only gets a deletionTimestamp (MODIFIED); without,
   * it is gone (DELETED). Deleting an object already being deleted changes nothing.
   */
  delete(r: ResourceType, namespace: string | undefined, name: string, dryRun = false): KubeObject {
    const key = this.key(r, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(r, name);
    const md = current.metadata as Record<string, unknown>;
    const finalizers = (md.finalizers as string[] | undefined) ?? [];
    if (dryRun) return clone(current);
    if (finalizers.length > 0) {
      if (md.deletionTimestamp) return clone(current);
      const next = clone(current);
      (next.metadata as Record<string, unknown>).deletionTimestamp = now();
      (next.metadata as Record<string, unknown>).deletionGracePeriodSeconds = 0;
      next.metadata.resourceVersion = String(++this.revision);
      this.objects.set(key, next);
      this.emit('MODIFIED', r, next);
      return clone(next);
    }
    this.objects.delete(key);
    const gone = clone(current);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit('DELETED', r, gone);
    this.cascade(current);
    return clone(gone);
  }

  // ---- watch -----------------------------------------------------------------------------

  /** Every change from now on, for in-process controllers. Returns the unsubscribe function. */
  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The changes after `resourceVersion` (exclusive), for a watch that resumes.
   * Throws 410 Gone when that history has been compacted away.
   */
  eventsSince(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.compactedTo)
      throw new StoreError(
        'Gone',
        `too old resource version: ${resourceVersion} (${this.compactedTo})`,
      );
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** Forgets the change history, as etcd compaction does: older watches get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedTo = this.revision;
  }

  // ---- internals -------------------------------------------------------------------------

  private key(r: ResourceType, namespace: string | undefined, name: string): string {
    return `${resourceKey(r)}|${r.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  private namespaceExists(ns: string): boolean {
    return this.objects.has(`namespaces||${ns}`);
  }

  private validate(r: ResourceType, obj: KubeObject): void {
    const causes = this.validator?.(r, obj) ?? [];
    if (causes.length === 0) return;
    const name = obj.metadata.name ?? '';
    throw new StoreError(
      'Invalid',
      // apimachinery's aggregate error: one cause as is, several in brackets.
      `${r.group ? `${r.kind}.${r.group}` : r.kind} "${name}" is invalid: ${
        causes.length === 1
          ? `${causes[0]?.field}: ${causes[0]?.message}`
          : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`
      }`,
      { name, group: r.group, kind: r.kind, causes },
    );
  }

  private emit(type: WatchEventType, r: ResourceType, obj: KubeObject): void {
    const e: StoreEvent = {
      type,
      resource: r,
      object: clone(obj),
      resourceVersion: Number(obj.metadata.resourceVersion),
    };
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedTo = dropped.at(-1)?.resourceVersion ?? this.compactedTo;
    }
    for (const l of [...this.listeners]) l(e);
  }

  /** Garbage collection: objects owned (ownerReferences uid) by a deleted object are deleted too. */
  private cascade(owner: KubeObject): void {
    const uid = owner.metadata.uid;
    if (!uid) return;
    for (const [k, o] of [...this.objects]) {
      const refs = (o.metadata as Record<string, unknown>).ownerReferences;
      if (!Array.isArray(refs) || !refs.some((ref) => (ref as { uid?: string }).uid === uid))
        continue;
      const r = this.resources.get(k.split('|')[0] ?? '');
      if (r) {
        try {
          this.delete(r, o.metadata.namespace, o.metadata.name ?? '');
        } catch {
          // already gone
        }
      }
    }
    // Deleting a namespace deletes what is in it.
    if (owner.kind === 'Namespace' && owner.metadata.name) {
      for (const [k, o] of [...this.objects]) {
        if (o.metadata.namespace !== owner.metadata.name) continue;
        const r = this.resources.get(k.split('|')[0] ?? '');
        if (r?.namespaced) {
          try {
            this.delete(r, o.metadata.namespace, o.metadata.name ?? '');
          } catch {
            // already gone
          }
        }
      }
    }
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function notFound(r: ResourceType, name: string): StoreError {
  return new StoreError('NotFound', `${resourceKey(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
function checkName(r: ResourceType, name: string): void {
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return;
  const message = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  throw new StoreError(
    'Invalid',
    `${r.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${message}`,
    {
      name,
      kind: r.kind,
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": ${message}`,
          field: 'metadata.name',
        },
      ],
    },
  );
}

function stripRv(o: KubeObject): unknown {
  const c = clone(o);
  delete c.metadata.resourceVersion;
  return c;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const rest = (o: KubeObject): unknown => {
    const others: Record<string, unknown> = { ...o };
    delete others.metadata;
    delete others.status;
    return others;
  };
  return JSON.stringify(rest(a)) !== JSON.stringify(rest(b));
}

// ---- selectors -------------------------------------------------------------------------

export type LabelRequirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`. Throws BadRequest on nonsense. */
export function parseLabelSelector(s: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      out.push({
        key: m[1] ?? '',
        op: m[2] as 'in' | 'notin',
        values: (m[3] ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      });
    } else if ((m = p.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      out.push({ key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' });
    } else if ((m = p.match(/^!\s*([\w./-]+)$/))) {
      out.push({ key: m[1] ?? '', op: '!' });
    } else if ((m = p.match(/^([\w./-]+)$/))) {
      out.push({ key: m[1] ?? '', op: 'exists' });
    } else {
      throw new StoreError('BadRequest', `unable to parse requirement: ${p}`);
    }
  }
  return out;
}

export function matchesLabels(labels: Record<string, string>, reqs: LabelRequirement[]): boolean {
  return reqs.every((r) => {
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        return v === r.value;
      case '!=':
        return v !== r.value;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      case '!':
        return v === undefined;
    }
  });
}

export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

const SUPPORTED_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

export function parseFieldSelector(s: string): FieldRequirement[] {
  return s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = p.match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
      if (!m) throw new StoreError('BadRequest', `invalid selector: '${p}'`);
      if (!SUPPORTED_FIELDS.has(m[1] ?? ''))
        throw new StoreError('BadRequest', `field label not supported: ${m[1]}`);
      return { path: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' };
    });
}

export function matchesFields(o: KubeObject, reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => {
    const v = r.path === 'metadata.name' ? o.metadata.name : o.metadata.namespace;
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}
