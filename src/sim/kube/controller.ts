/**
 * The controller-runtime shape the simulated controllers share: store events are mapped to object
 * keys and put on a de-duplicating work queue; each key is reconciled on its own (never
 * re-entrantly: a reconcile's own writes only enqueue the key again); `requeueAfter` schedules a
 * later reconcile (the earliest request wins, like `RequeueAfter`); a failed reconcile is retried
 * with exponential backoff. Reconciles read the store fresh and write only what changed, so
 * every loop converges instead of feeding itself MODIFIED events.
 *
 * Time: every simulated duration (ms) is multiplied by `timeScale` to get real milliseconds.
 * `stop()` clears every timer and unsubscribes, so a test process exits cleanly.
 */
import type { KubeObject } from '../../kube/object.js';
import { resourceKey, type ObjectStore, type ResourceType, type StoreEvent } from './store.js';

export interface ObjectKey {
  resource: ResourceType;
  namespace: string | undefined;
  name: string;
}

export interface SimControllerOptions {
  /** Multiplies every simulated duration (tests use ~0.005). Default 1. */
  timeScale?: number;
}

export function keyOf(resource: ResourceType, o: Pick<KubeObject, 'metadata'>): ObjectKey {
  return { resource, namespace: o.metadata.namespace, name: o.metadata.name ?? '' };
}

export function keyString(k: ObjectKey): string {
  return `${resourceKey(k.resource)}|${k.namespace ?? ''}|${k.name}`;
}

/** Thrown into pending `sleep`s when a run is cancelled or the controller stops. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

const MAX_RETRIES = 12;

export abstract class SimController {
  readonly timeScale: number;
  private unsubscribe: (() => void) | undefined;
  private readonly queue = new Map<string, ObjectKey>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly requeues = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<(err: Error) => void>();
  private readonly failures = new Map<string, number>();
  private readonly errorLog: string[] = [];

  constructor(
    protected readonly store: ObjectStore,
    opts: SimControllerOptions = {},
  ) {
    this.timeScale = opts.timeScale ?? 1;
  }

  /** Subscribes to the store and reconciles what already exists (an informer's initial list). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.subscribe((e) => {
      for (const k of this.keysFor(e)) this.enqueue(k);
    });
    for (const r of this.store.allResources())
      if (this.watches(r)) for (const o of this.store.list(r)) this.enqueue(keyOf(r, o));
  }

  /** Unsubscribes and clears every timer; in-flight simulated work is abandoned. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.queue.clear();
    for (const { timer } of this.requeues.values()) clearTimeout(timer);
    this.requeues.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const sleepers = [...this.sleepers];
    this.sleepers.clear();
    for (const reject of sleepers) reject(new Cancelled());
    this.onStop();
  }

  get running(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Reconcile errors so far (a test can assert there were none). */
  errors(): string[] {
    return [...this.errorLog];
  }

  /** Real milliseconds for a simulated duration. */
  real(simMs: number): number {
    return Math.max(0, Math.round(simMs * this.timeScale));
  }

  protected abstract watches(r: ResourceType): boolean;
  protected abstract reconcile(key: ObjectKey): void;
  protected onStop(): void {}

  /** The keys to reconcile after a change; by default the object itself when watched. */
  protected keysFor(e: StoreEvent): ObjectKey[] {
    return this.watches(e.resource) ? [keyOf(e.resource, e.object)] : [];
  }

  enqueue(key: ObjectKey): void {
    if (!this.unsubscribe) return;
    this.queue.set(keyString(key), key);
    this.flushTimer ??= setTimeout(() => this.flush(), 0);
  }

  /** Reconcile `key` again after `simMs` simulated milliseconds. */
  requeueAfter(key: ObjectKey, simMs: number): void {
    this.requeueAfterReal(key, this.real(simMs));
  }

  requeueAfterReal(key: ObjectKey, ms: number): void {
    if (!this.unsubscribe) return;
    const s = keyString(key);
    const due = Date.now() + Math.max(0, ms);
    const cur = this.requeues.get(s);
    if (cur && cur.due <= due) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(
      () => {
        this.requeues.delete(s);
        this.enqueue(key);
      },
      Math.max(0, ms),
    );
    this.requeues.set(s, { due, timer });
  }

  /** Runs `fn` after `simMs` simulated milliseconds (errors are logged); returns a cancel function. */
  after(simMs: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        fn();
      } catch (err) {
        this.logError('timer', err);
      }
    }, this.real(simMs));
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /**
   * Resolves after `simMs` simulated milliseconds; rejects with `Cancelled` when `signal` is
   * cancelled first or the controller stops. `Infinity` waits until cancelled.
   */
  sleep(simMs: number, signal?: CancelSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.unsubscribe || signal?.cancelled) {
        reject(new Cancelled());
        return;
      }
      let cancelTimer = (): void => {};
      const fail = (err: Error): void => {
        cancelTimer();
        this.sleepers.delete(fail);
        signal?.off(fail);
        reject(err);
      };
      this.sleepers.add(fail);
      signal?.on(fail);
      if (Number.isFinite(simMs))
        cancelTimer = this.after(simMs, () => {
          this.sleepers.delete(fail);
          signal?.off(fail);
          resolve();
        });
    });
  }

  protected logError(where: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.errorLog.push(`${where}: ${msg}`);
    if (this.errorLog.length > 100) this.errorLog.shift();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = [...this.queue.entries()];
    this.queue.clear();
    for (const [s, k] of batch) {
      if (!this.unsubscribe) return;
      try {
        this.reconcile(k);
        this.failures.delete(s);
      } catch (err) {
        // controller-runtime's default rate limiter: 5 ms doubling, per key.
        const n = (this.failures.get(s) ?? 0) + 1;
        this.failures.set(s, n);
        this.logError(s, err);
        if (n <= MAX_RETRIES) this.requeueAfterReal(k, Math.min(5 * 2 ** n, 10_000));
      }
    }
  }
}

/** A cancellation token for one simulated run (a Litmus engine's runner, say). */
export class CancelSignal {
  cancelled = false;
  private readonly listeners = new Set<(err: Error) => void>();

  on(fn: (err: Error) => void): void {
    this.listeners.add(fn);
  }

  off(fn: (err: Error) => void): void {
    this.listeners.delete(fn);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const fns = [...this.listeners];
    this.listeners.clear();
    for (const fn of fns) fn(new Cancelled());
  }
}
