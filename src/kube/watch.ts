/**
 * Waiting by watch, not polling. A WatchedSet keeps an up-to-date copy of the objects one
 * query matches: it lists once, then watches from the list's resourceVersion; a dropped stream
 * resumes from the last resourceVersion seen (with backoff when it keeps failing), and a 410 Gone
 * (history compacted) relists. `waitFor` resolves as soon as a decision can be made from the
 * sets, so a status change is noticed when its watch event arrives.
 */
import { isRecord, type KubeObject } from './object.js';
import { KubeApiError, type KubeApi, type WatchHandle } from './api.js';
import type { ResourceRef } from './resources.js';

export interface SetQuery {
  resource: ResourceRef;
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions {
  /** First reconnect delay; doubles up to `maxBackoffMs` while reconnects keep failing. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A line for the log when a stream drops or is relisted. */
  log?: (message: string) => void;
}

export class WatchedSet {
  readonly objects = new Map<string, KubeObject>();
  /** The last state of objects deleted while watched (e.g. a StatusCheck gone with its node). */
  readonly deleted = new Map<string, KubeObject>();
  /** Set when the set cannot be kept up to date any more (the list itself is refused). */
  error: unknown;
  private resourceVersion = '';
  private handle: WatchHandle | undefined;
  private stopped = false;
  private gone = false;
  /** The stream carried an ERROR event other than 410: reconnect with backoff. */
  private serverError = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: KubeApi,
    readonly query: SetQuery,
    private readonly opts: WatchOptions = {},
  ) {}

  /** For messages: `ChaosEngine checkout (metadata.name=x)`. */
  get description(): string {
    const sel = [this.query.fieldSelector, this.query.labelSelector].filter(Boolean).join(',');
    return `${this.query.resource.kind} in ${this.query.namespace}${sel ? ` (${sel})` : ''}`;
  }

  /**
   * Lists, then starts watching, unless `settled` says the list already answers the question
   * (then no watch is opened at all). Rejects when the first list fails.
   */
  async start(settled?: () => boolean): Promise<void> {
    await this.relist();
    if (settled?.()) return;
    void this.connect();
  }

  /**
   * Starts watching from a known point instead of listing: `resourceVersion` is that of an
   * object we just created (from the create's answer) and `initial` what the set holds at that
   * point (the object itself, or nothing for objects that can only appear after it, such as
   * the ChaosResults of a new engine). Every change after it arrives as an event, so the list
   * request is saved; a 410 (history gone) lists as usual.
   */
  startFrom(resourceVersion: string, initial: KubeObject[]): void {
    this.objects.clear();
    for (const o of initial) this.objects.set(o.metadata.name ?? '', o);
    this.resourceVersion = resourceVersion;
    this.gone = false;
    void this.connect();
  }

  /**
   * Adds an object we just created (the create's answer) unless the set has already seen it:
   * its own events, which follow, are newer and replace it.
   */
  seed(o: KubeObject): void {
    const name = o.metadata.name ?? '';
    if (this.objects.has(name)) return;
    const gone = this.deleted.get(name);
    if (gone && gone.metadata.uid === o.metadata.uid) return;
    this.objects.set(name, o);
    this.notify();
  }

  /** Still kept up to date (started, not stopped, not failed). */
  get active(): boolean {
    return !this.stopped && this.error === undefined;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.handle?.abort();
    this.handle = undefined;
    this.listeners.clear();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.api.list(
      this.query.resource,
      this.query.namespace,
      {
        ...(this.query.labelSelector ? { labelSelector: this.query.labelSelector } : {}),
        ...(this.query.fieldSelector ? { fieldSelector: this.query.fieldSelector } : {}),
      },
    );
    this.objects.clear();
    for (const o of items) this.objects.set(o.metadata.name ?? '', o);
    this.resourceVersion = resourceVersion;
    this.gone = false;
    this.notify();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const handle = await this.api.watch(
        this.query.resource,
        this.query.namespace,
        {
          ...(this.query.labelSelector ? { labelSelector: this.query.labelSelector } : {}),
          ...(this.query.fieldSelector ? { fieldSelector: this.query.fieldSelector } : {}),
          ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
        },
        (type, object, raw) => this.onEvent(type, object, raw),
        (err) => this.onDone(err),
      );
      if (this.stopped) handle.abort();
      else this.handle = handle;
    } catch (err) {
      this.onDone(err);
    }
  }

  private onEvent(type: string, object: KubeObject | undefined, raw: unknown): void {
    if (this.stopped) return;
    if (type === 'ERROR') {
      // The server ends a watch whose resourceVersion is too old with an ERROR event (410).
      const code = isRecord(raw) ? raw.code : undefined;
      if (code === 410) this.gone = true;
      else {
        this.serverError = true;
        this.opts.log?.(
          `watch ${this.description}: server error ${JSON.stringify(raw).slice(0, 200)}`,
        );
      }
      return;
    }
    const rv = isRecord(raw) && isRecord(raw.metadata) ? raw.metadata.resourceVersion : undefined;
    if (typeof rv === 'string' && rv) this.resourceVersion = rv;
    this.failures = 0;
    if (type === 'BOOKMARK' || !object) return;
    const name = object.metadata.name ?? '';
    if (type === 'DELETED') {
      this.objects.delete(name);
      this.deleted.set(name, object);
    } else this.objects.set(name, object);
    this.notify();
  }

  private onDone(err: unknown): void {
    this.handle = undefined;
    if (this.stopped) return;
    const gone = this.gone || (err instanceof KubeApiError && err.code === 410);
    const timeout = err instanceof Error && err.name === 'TimeoutError';
    if (gone) {
      this.opts.log?.(`watch ${this.description}: history expired (410 Gone); listing again`);
      this.schedule(0, true);
      return;
    }
    if (err instanceof KubeApiError && (err.code === 403 || err.code === 404)) {
      // The watch itself is refused (RBAC, or the resource is not served): retrying will not
      // help. A 401 is retried: an exec plugin's expired token is renewed on the next attempt.
      this.error = err;
      this.notify();
      return;
    }
    const serverError = this.serverError;
    this.serverError = false;
    if (!serverError && (err === null || err === undefined || timeout)) {
      // A clean close (server timeout) or the client's inactivity timeout: resume at once.
      this.schedule(0, false);
      return;
    }
    const delay = this.backoff();
    const why = serverError
      ? 'the server sent an error'
      : err instanceof Error
        ? err.message
        : String(err);
    this.opts.log?.(
      `watch ${this.description} dropped (${why}); resuming from resourceVersion ${this.resourceVersion} in ${delay} ms (attempt ${this.failures})`,
    );
    this.schedule(delay, false);
  }

  /** The next delay after one more failure in a row. */
  private backoff(): number {
    this.failures++;
    const base = this.opts.backoffMs ?? 100;
    return Math.min(this.opts.maxBackoffMs ?? 5_000, base * 2 ** (this.failures - 1));
  }

  private schedule(delayMs: number, relist: boolean): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const next = relist ? this.relist() : Promise.resolve();
      next.then(
        () => void this.connect(),
        (err: unknown) => {
          if (err instanceof KubeApiError && err.code < 500 && err.code !== 429) {
            // The list itself is refused (403, 404): nothing to resume.
            this.error = err;
            this.notify();
            return;
          }
          if (relist) {
            // The relist after a 410 failed (5xx, 429, network): list again, with backoff.
            const delay = this.backoff();
            this.opts.log?.(
              `watch ${this.description}: listing again failed (${err instanceof Error ? err.message : String(err)}); retrying in ${delay} ms (attempt ${this.failures})`,
            );
            this.schedule(delay, true);
            return;
          }
          this.onDone(err);
        },
      );
    }, delayMs);
  }
}

/**
 * One watch per kind and namespace for all of a run's objects (those with its run label),
 * instead of one per object: a run of 200 experiments keeps a few streams open, not hundreds of
 * connections opened and closed. A set starts (list, then watch) the first time an object of
 * its kind and namespace is created, so it holds every later one as its events arrive; the
 * created object itself is seeded in case its ADDED event has not arrived yet.
 */
export class SharedSets {
  private readonly sets = new Map<string, { set: WatchedSet; ready: Promise<void> }>();

  constructor(
    private readonly api: KubeApi,
    /** e.g. `chaos-gate.io/run=gh-1-1` */
    private readonly labelSelector: string,
    private readonly opts: WatchOptions = {},
  ) {}

  /** The running set for `resource` in `namespace`, holding `created`. */
  async holding(
    resource: ResourceRef,
    namespace: string,
    created: KubeObject,
  ): Promise<WatchedSet> {
    const key = `${resource.group}/${resource.plural} ${namespace}`;
    let entry = this.sets.get(key);
    if (!entry) {
      const set = new WatchedSet(
        this.api,
        { resource, namespace, labelSelector: this.labelSelector },
        this.opts,
      );
      const e = { set, ready: set.start() };
      // A failed first list: the next experiment asks again.
      e.ready.catch(() => {
        if (this.sets.get(key) === e) this.sets.delete(key);
      });
      this.sets.set(key, e);
      entry = e;
    }
    await entry.ready;
    entry.set.seed(created);
    return entry.set;
  }

  close(): void {
    for (const { set } of this.sets.values()) set.stop();
    this.sets.clear();
  }
}

/** The object `name` in `set`, only when it has `uid` (a newer object of the name is not ours). */
export function objectIn(set: WatchedSet, name: string, uid: string): KubeObject | undefined {
  const o = set.objects.get(name);
  return o && (!uid || o.metadata.uid === uid) ? o : undefined;
}

export class WaitAborted extends Error {
  constructor(readonly reason: unknown) {
    super('wait aborted');
    this.name = 'WaitAborted';
  }
}

/**
 * Resolves with the first non-undefined value of `decide`, evaluated now and after every change
 * of any set. Rejects when `signal` aborts (WaitAborted with its reason) or a set fails.
 */
export function waitFor<T>(
  sets: WatchedSet[],
  decide: () => T | undefined,
  signal?: AbortSignal,
  /** Also re-evaluate this often, for decisions that depend on time passing (grace periods). */
  recheckMs?: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unsubscribe: (() => void)[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer) clearInterval(timer);
      unsubscribe.forEach((u) => u());
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(new WaitAborted(signal?.reason)));
    const check = (): void => {
      const failed = sets.find((s) => s.error !== undefined);
      if (failed) return finish(() => reject(failed.error as Error));
      let value: T | undefined;
      try {
        value = decide();
      } catch (err) {
        return finish(() => reject(err as Error));
      }
      if (value !== undefined) finish(() => resolve(value));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const s of sets) unsubscribe.push(s.onChange(check));
    if (recheckMs) timer = setInterval(check, recheckMs);
    check();
  });
}

/**
 * Starts the sets of an object just created: from the create's resourceVersion when it is known
 * (`initial` gives what each set holds then), else by listing.
 */
export async function startAfterCreate(
  created: KubeObject,
  sets: { set: WatchedSet; initial: KubeObject[] }[],
): Promise<void> {
  const rv = created.metadata.resourceVersion;
  if (rv) for (const { set, initial } of sets) set.startFrom(rv, initial);
  else await startAll(sets.map((s) => s.set));
}

/** Starts the sets (list + watch); stops them all if one cannot start. */
export async function startAll(sets: WatchedSet[]): Promise<void> {
  try {
    await Promise.all(sets.map((s) => s.start()));
  } catch (err) {
    sets.forEach((s) => s.stop());
    throw err;
  }
}

export function byName(name: string): string {
  return `metadata.name=${name}`;
}
