/**
 * Waiting on the object store instead of sleeping: `check` runs now and after every store change
 * until it returns a value (anything but undefined/false), or the timeout passes. Tests and the
 * demo use it so that nothing depends on how fast the simulated controllers are.
 */
import type { KubeObject } from '../../kube/object.js';
import type { ObjectStore, ResourceType } from './store.js';

export interface WaitOptions {
  /** Real milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Says what was awaited, in the timeout error. */
  what?: string;
}

export function waitFor<T>(
  store: ObjectStore,
  check: () => T | undefined | false,
  opts: WaitOptions = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let lastError: unknown;
    const evaluate = (): boolean => {
      try {
        const v = check();
        if (v === undefined || v === false) return false;
        done = true;
        cleanup();
        resolve(v);
        return true;
      } catch (err) {
        lastError = err;
        return false;
      }
    };
    const unsubscribe = store.subscribe(() => {
      if (!done) evaluate();
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      cleanup();
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      reject(new Error(`timed out waiting for ${opts.what ?? 'a condition'}${why}`));
    }, opts.timeoutMs ?? 10_000);
    function cleanup(): void {
      unsubscribe();
      clearTimeout(timer);
    }
    evaluate();
  });
}

/**
 * Waits until the object satisfies `predicate` (which sees undefined while it does not exist, so
 * `(o) => !o` waits for a deletion). Resolves with the object (undefined for a deletion).
 */
export async function waitForObject(
  store: ObjectStore,
  r: ResourceType,
  namespace: string | undefined,
  name: string,
  predicate: (o: KubeObject | undefined) => boolean,
  opts: WaitOptions = {},
): Promise<KubeObject | undefined> {
  const found = await waitFor(
    store,
    () => {
      const o = store.get(r, namespace, name);
      return predicate(o) ? { o } : undefined;
    },
    {
      ...opts,
      what: `${r.plural} ${namespace ? namespace + '/' : ''}${name}: ${opts.what ?? 'predicate'}`,
    },
  ).catch((err: unknown) => {
    const last = store.get(r, namespace, name);
    const detail = last ? JSON.stringify(last.status ?? {}) : 'object absent';
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last status: ${detail}`);
  });
  return found.o;
}
