/**
 * What the Kubernetes providers share: turning a manifest object into the object we create
 * (our name suffix and labels), checking CRDs, server-side dry runs, creating with a ledger
 * entry, and deleting while waiting until the object (and its finalizers' work) is gone.
 */
import { KubeApiError, type KubeApi } from '../kube/api.js';
import { isOurs, ownerLabels, suffixedName } from '../kube/names.js';
import { asArray, type KubeObject } from '../kube/object.js';
import {
  crdName,
  describeRef,
  objectRef,
  resourceOf,
  type ObjectRef,
  type ResourceRef,
} from '../kube/resources.js';
import { byName, objectIn, waitFor, WaitAborted, WatchedSet } from '../kube/watch.js';
import type { Ledger } from '../engine/ledger.js';
import type { ProviderName } from '../suite/types.js';
import { formatDuration } from '../suite/duration.js';

/** Experiments prepared (dry runs, prerequisite checks) at once per provider. */
export const PREPARE_CONCURRENCY = 8;

/** A manifest object made ours: suffixed name (unless kept), our labels, no server fields. */
export function instantiate(
  manifest: KubeObject,
  runId: string,
  experiment: string,
  opts: { keepName?: boolean } = {},
): KubeObject {
  const o = structuredClone(manifest);
  // Server-owned fields (uid, resourceVersion, timestamps, finalizers) are not carried over.
  const SERVER_FIELDS = new Set([
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'deletionTimestamp',
    'generation',
    'managedFields',
    'ownerReferences',
    'finalizers',
  ]);
  const md = Object.fromEntries(
    Object.entries(o.metadata).filter(([k]) => !SERVER_FIELDS.has(k)),
  ) as Record<string, unknown>;
  const name = o.metadata.name ?? '';
  md.name = opts.keepName ? name : suffixedName(name, runId);
  md.labels = { ...(o.metadata.labels ?? {}), ...ownerLabels(runId, experiment) };
  o.metadata = md as KubeObject['metadata'];
  delete o.status;
  return o;
}

export function refOf(o: KubeObject): ObjectRef {
  const r = resourceOf(o.apiVersion, o.kind);
  if (!r) throw new Error(`chaos-gate does not know how to create ${o.apiVersion} ${o.kind}`);
  return objectRef(r, o.metadata.namespace ?? 'default', o.metadata.name ?? '');
}

/** Problems for every CRD among `resources` the cluster lacks, with how to install it. */
export async function missingCrds(
  api: KubeApi,
  resources: ResourceRef[],
  install: string,
): Promise<string[]> {
  const names = [...new Set(resources.map(crdName))];
  const found = await Promise.all(names.map((n) => api.crdInstalled(n)));
  return names
    .filter((_, i) => !found[i])
    .map((n) => `the cluster at ${api.server} has no CustomResourceDefinition ${n}: ${install}`);
}

/** A dry-run create; returns the problem, or undefined when the server accepts it. */
export async function dryRun(
  api: KubeApi,
  o: KubeObject,
  where: string,
): Promise<string | undefined> {
  const ref = refOf(o);
  try {
    await api.create(ref, ref.namespace, o, { dryRun: true });
    return undefined;
  } catch (err) {
    return `${where}: the API server refused ${describeRef(ref)} in a dry run: ${kubeErrorText(err)}`;
  }
}

export function kubeErrorText(err: unknown): string {
  if (err instanceof KubeApiError) {
    const fields = err.causes
      .filter((c) => c.field)
      .map((c) => `${c.field}: ${c.message ?? ''}`.trim());
    return `${err.message}${fields.length && !err.message.includes(fields[0] ?? '') ? ` (${fields.join('; ')})` : ''} [HTTP ${err.code}]`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates `o`, writing the ledger entry first. A create that answers AlreadyExists for an
 * object of this run (a retried request that had gone through) is taken as created.
 */
export async function createTracked(
  api: KubeApi,
  ledger: Ledger,
  provider: ProviderName,
  experiment: string,
  o: KubeObject,
): Promise<KubeObject> {
  const ref = refOf(o);
  const entry = ledger.add({ provider, experiment, target: { type: 'kubernetes', ref } });
  let created: KubeObject;
  try {
    created = await api.create(ref, ref.namespace, o);
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 409) {
      const existing = await api.get(ref);
      if (existing && isOurs(existing.metadata.labels, ledger.runId)) {
        ledger.created(entry.id, existing.metadata.uid);
        return existing;
      }
      ledger.remove(entry.id);
      throw new Error(
        `${describeRef(ref)} already exists and is not this run's: chaos-gate will not touch it`,
        { cause: err },
      );
    }
    // The request may or may not have reached the server: keep the entry for cleanup to check.
    throw err;
  }
  ledger.created(entry.id, created.metadata.uid);
  return created;
}

export interface DeleteOptions {
  /** How long to wait for finalizers (recovery) before calling it stuck. */
  timeoutMs: number;
  /**
   * Only delete the object with this uid (a newer object of the same name is not ours). The uid
   * our create answered with is the proof the object is ours: the delete carries it as a
   * precondition and needs no read first. Without it, the object is read and its labels checked.
   */
  uid?: string;
  runId: string;
  /** What a stuck delete means for this kind, e.g. "chaos may still be active". */
  stuckMeaning: string;
  /**
   * A set already watching the object (the wait's): used to see it go instead of a new list
   * and watch.
   */
  watching?: WatchedSet;
}

function finalizersOf(o: KubeObject): string[] {
  return asArray((o.metadata as Record<string, unknown>).finalizers).filter(
    (f): f is string => typeof f === 'string',
  );
}

/**
 * Deletes an object of ours and waits until it is gone. Returns true when it was deleted (or
 * already gone); throws with a message naming the object and its finalizers when it is stuck.
 */
export async function deleteAndWait(
  api: KubeApi,
  ref: ObjectRef,
  opts: DeleteOptions,
): Promise<boolean> {
  if (!opts.uid) {
    const current = await api.get(ref);
    if (!current) return true;
    if (!isOurs(current.metadata.labels, opts.runId))
      throw new Error(`${describeRef(ref)} is not labelled as this run's: left alone`);
  }
  let answer: KubeObject | undefined;
  try {
    answer = await api.delete(ref, opts.uid ? { uid: opts.uid } : {});
  } catch (err) {
    // The precondition failed: the object of that name is a newer one, not ours; ours is gone.
    if (opts.uid && err instanceof KubeApiError && err.code === 409) return true;
    throw err;
  }
  // Gone at once (no finalizer kept it), or already gone before.
  if (!answer || finalizersOf(answer).length === 0) return true;
  const uid = opts.uid ?? answer.metadata.uid;
  // On the caller's watch when it runs; without one, or when it fails (a relist refused), on a
  // watch of this object alone.
  const seen = opts.watching?.active
    ? await goneFrom(opts.watching, ref.name, uid, opts.timeoutMs).then(
        (last) => ({ ok: true as const, last }),
        () => ({ ok: false as const }),
      )
    : { ok: false as const };
  const still = seen.ok ? seen.last : await waitGone(api, ref, opts.timeoutMs, uid);
  if (!still) return true;
  const finalizers = finalizersOf(still).join(', ');
  throw new Error(
    `${describeRef(ref)} is still there ${formatDuration(opts.timeoutMs)} after it was deleted${finalizers ? ` (finalizers: ${finalizers})` : ''}: ${opts.stuckMeaning}`,
  );
}

/** Waits on a running set until the object has left it; its last state on timeout. */
async function goneFrom(
  set: WatchedSet,
  name: string,
  uid: string | undefined,
  timeoutMs: number,
): Promise<KubeObject | undefined> {
  try {
    await waitFor(
      [set],
      () => (objectIn(set, name, uid ?? '') ? undefined : true),
      AbortSignal.timeout(timeoutMs),
    );
    return undefined;
  } catch (err) {
    if (err instanceof WaitAborted) return objectIn(set, name, uid ?? '');
    throw err;
  }
}

/**
 * Waits (by watch) until the object is gone; undefined when it is, else its last state once
 * `timeoutMs` has passed. With `uid`, another object of the same name does not count. When the
 * first list already shows it gone, no watch is opened.
 */
export async function waitGone(
  api: KubeApi,
  ref: ObjectRef,
  timeoutMs: number,
  uid?: string,
): Promise<KubeObject | undefined> {
  const set = new WatchedSet(api, {
    resource: ref,
    namespace: ref.namespace,
    fieldSelector: byName(ref.name),
  });
  try {
    await set.start(() => !objectIn(set, ref.name, uid ?? ''));
    return await goneFrom(set, ref.name, uid, timeoutMs);
  } finally {
    set.stop();
  }
}
