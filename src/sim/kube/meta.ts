/**
 * Object helpers shared by the simulated controllers: the metadata fields `KubeMetadata` does not
 * type (finalizers, ownerReferences, deletionTimestamp), owner references as controller-runtime's
 * `SetControllerReference` writes them, and status writes that go through the `/status`
 * subresource exactly when the resource has one (and only when something changed, so a
 * reconcile loop never emits a MODIFIED event for a no-op).
 */
import { asArray, asString, isRecord, type KubeObject } from '../../kube/object.js';
import type { ObjectStore, ResourceType } from './store.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

function md(o: KubeObject): Record<string, unknown> {
  return o.metadata as Record<string, unknown>;
}

export function finalizersOf(o: KubeObject): string[] {
  return asArray(md(o).finalizers).filter((f): f is string => typeof f === 'string');
}

/** Adds `f` to `o` (in place); false when it was already there. */
export function addFinalizer(o: KubeObject, f: string): boolean {
  const list = finalizersOf(o);
  if (list.includes(f)) return false;
  md(o).finalizers = [...list, f];
  return true;
}

/** Removes `f` from `o` (in place); false when it was not there. */
export function removeFinalizer(o: KubeObject, f: string): boolean {
  const list = finalizersOf(o);
  if (!list.includes(f)) return false;
  md(o).finalizers = list.filter((x) => x !== f);
  return true;
}

export function isDeleting(o: KubeObject): boolean {
  return typeof md(o).deletionTimestamp === 'string';
}

export function labelsOf(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

export function annotationsOf(o: KubeObject): Record<string, string> {
  return o.metadata.annotations ?? {};
}

export function ownerReferencesOf(o: KubeObject): OwnerReference[] {
  const out: OwnerReference[] = [];
  for (const ref of asArray(md(o).ownerReferences)) {
    if (!isRecord(ref)) continue;
    const kind = asString(ref.kind);
    const name = asString(ref.name);
    const uid = asString(ref.uid);
    if (kind && name && uid)
      out.push({ apiVersion: asString(ref.apiVersion) ?? '', kind, name, uid });
  }
  return out;
}

/** The owner reference a controller sets on what it creates (controller: true). */
export function controllerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function setOwnerReferences(o: KubeObject, refs: OwnerReference[]): void {
  md(o).ownerReferences = refs;
}

/** RFC 3339 with milliseconds: simulated time runs fast, so seconds are too coarse. */
export function isoTime(ms = Date.now()): string {
  return new Date(ms).toISOString();
}

/** Parses an RFC 3339 time; NaN when absent or invalid. */
export function parseTime(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

/** The alphabet of apimachinery's `rand.String` (no vowels, no look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A copy of `o.status` as a mutable record (empty when absent). */
export function statusOf(o: KubeObject): Record<string, unknown> {
  return isRecord(o.status) ? structuredClone(o.status) : {};
}

/**
 * Replaces the stored object's `.status` with `status` unless it is already equal. Uses the
 * `/status` subresource when the resource has one, a plain update otherwise (Litmus and the Chaos
 * Mesh chaos kinds have none). Returns the stored object, or undefined when it is gone.
 */
export function writeStatus(
  store: ObjectStore,
  r: ResourceType,
  o: Pick<KubeObject, 'metadata'>,
  status: Record<string, unknown>,
): KubeObject | undefined {
  const name = o.metadata.name ?? '';
  const cur = store.get(r, o.metadata.namespace, name);
  if (!cur) return undefined;
  if (sameJson(cur.status ?? {}, status)) return cur;
  cur.status = status;
  return store.update(
    r,
    cur.metadata.namespace,
    name,
    cur,
    r.statusSubresource ? { subresource: 'status' } : {},
  );
}

/**
 * Creates an object with its status: on a resource with a status subresource the create drops
 * `.status` (as the API server does), so it is written afterwards through `/status`.
 */
export function createWithStatus(
  store: ObjectStore,
  r: ResourceType,
  body: KubeObject,
): KubeObject {
  const created = store.create(r, body.metadata.namespace, body);
  if (!r.statusSubresource || body.status === undefined) return created;
  return writeStatus(store, r, created, body.status) ?? created;
}

/** Edits the stored object's metadata/spec with `fn`; no write when `fn` reports no change. */
export function patchObject(
  store: ObjectStore,
  r: ResourceType,
  o: Pick<KubeObject, 'metadata'>,
  fn: (cur: KubeObject) => boolean,
): KubeObject | undefined {
  const cur = store.get(r, o.metadata.namespace, o.metadata.name ?? '');
  if (!cur) return undefined;
  if (!fn(cur)) return cur;
  return store.update(r, cur.metadata.namespace, cur.metadata.name ?? '', cur);
}

/** Deletes if present; false when it was already gone. */
export function deleteIfPresent(
  store: ObjectStore,
  r: ResourceType,
  namespace: string | undefined,
  name: string,
): boolean {
  if (!store.get(r, namespace, name)) return false;
  store.delete(r, namespace, name);
  return true;
}
