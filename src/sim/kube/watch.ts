/**
 * One WATCH connection, as the real server streams it: HTTP 200 with the headers flushed at once,
 * then one JSON event per line, `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`.
 *
 * - no resourceVersion (or "0"): an ADDED event for every current object first, then changes;
 * - resourceVersion N: the changes after N, replayed from the store's history; when that history
 *   has been compacted the stream is HTTP 200 + one ERROR event carrying a 410 `Expired` Status,
 *   and ends (clients must list again);
 * - label and field selectors filter events; an object that stops matching is sent as DELETED,
 *   one that starts matching as ADDED (for objects this watch has seen; on a resumed watch the
 *   earlier state of an object is unknown and its event keeps its type);
 * - `allowWatchBookmarks`: a BOOKMARK with the current resourceVersion every interval;
 * - `sendInitialEvents=true` (watch-list): the initial ADDED events end with a BOOKMARK
 *   annotated `k8s.io/initial-events-end`;
 * - `timeoutSeconds`: the stream ends cleanly after that long.
 */
import type { KubeObject } from '../../kube/object.js';
import { statusBody, type Reply } from './http.js';
import {
  StoreError,
  apiVersionOf,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  resourceKey,
  type FieldRequirement,
  type LabelRequirement,
  type ObjectStore,
  type ResourceType,
  type StoreEvent,
} from './store.js';

export interface WatchParams {
  resource: ResourceType;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
}

type EventType = StoreEvent['type'] | 'BOOKMARK' | 'ERROR';

export class WatchStream {
  private readonly labels: LabelRequirement[];
  private readonly fields: FieldRequirement[];
  private readonly key: string;
  /** uid → whether the client currently has the object (it matched the selectors). */
  private readonly visible = new Map<string, boolean>();
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  /** Throws a StoreError (400) for bad selectors or resourceVersion, before anything is sent. */
  constructor(
    private readonly store: ObjectStore,
    private readonly reply: Reply,
    private readonly params: WatchParams,
    private readonly opts: { bookmarkIntervalMs: number; onClose: (w: WatchStream) => void },
  ) {
    this.labels = params.labelSelector ? parseLabelSelector(params.labelSelector) : [];
    this.fields = params.fieldSelector ? parseFieldSelector(params.fieldSelector) : [];
    this.key = resourceKey(params.resource);
    const rv = params.resourceVersion;
    if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv))
      throw new StoreError('BadRequest', `invalid resource version: ${JSON.stringify(rv)}`);
  }

  start(): void {
    const { params, store } = this;
    const rv = Number(params.resourceVersion ?? 0);
    let initial: StoreEvent[];
    const fromState = rv === 0 || params.sendInitialEvents;
    if (fromState) {
      initial = this.currentState();
    } else {
      try {
        initial = store.eventsSince(rv).filter((e) => resourceKey(e.resource) === this.key);
      } catch (e) {
        if (!(e instanceof StoreError) || e.reason !== 'Gone') throw e;
        this.reply.stream();
        this.write('ERROR', statusBody(410, 'Expired', e.message));
        this.finish();
        return;
      }
    }
    this.reply.stream();
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
    const res = this.reply.res;
    res.on('close', () => this.cleanup());
    for (const e of initial) this.onEvent(e);
    if (params.sendInitialEvents) this.bookmark(true);
    if (params.allowBookmarks && this.opts.bookmarkIntervalMs > 0)
      this.timers.push(setInterval(() => this.bookmark(false), this.opts.bookmarkIntervalMs));
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0)
      this.timers.push(setTimeout(() => this.end(), params.timeoutSeconds * 1000));
  }

  /** Ends the stream cleanly (the client sees the response finish). */
  end(): void {
    if (this.closed) return;
    this.finish();
  }

  /** Destroys the connection abruptly (the client sees a network error). */
  drop(): void {
    if (this.closed) return;
    this.cleanup();
    this.reply.res.socket?.destroy();
    this.reply.res.destroy();
  }

  private finish(): void {
    this.cleanup();
    this.reply.res.end();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.opts.onClose(this);
  }

  /** The objects in scope now, as ADDED events; the ones not matching are remembered as such. */
  private currentState(): StoreEvent[] {
    const { resource, namespace } = this.params;
    const all = this.store.list(resource, namespace !== undefined ? { namespace } : {});
    const out: StoreEvent[] = [];
    for (const o of all) {
      if (this.matches(o)) {
        out.push({
          type: 'ADDED',
          resource,
          object: o,
          resourceVersion: Number(o.metadata.resourceVersion),
        });
      } else if (o.metadata.uid) this.visible.set(o.metadata.uid, false);
    }
    return out;
  }

  private matches(o: KubeObject): boolean {
    return matchesLabels(o.metadata.labels ?? {}, this.labels) && matchesFields(o, this.fields);
  }

  private onEvent(e: StoreEvent): void {
    if (this.closed || resourceKey(e.resource) !== this.key) return;
    const o = e.object;
    const ns = this.params.namespace;
    if (ns !== undefined && o.metadata.namespace !== ns) return;
    const uid = o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    const before = this.visible.get(uid);
    const now = this.matches(o);
    if (e.type === 'DELETED') {
      this.visible.delete(uid);
      if (now || before === true) this.write('DELETED', o);
      return;
    }
    this.visible.set(uid, now);
    if (now) this.write(e.type === 'MODIFIED' && before === false ? 'ADDED' : e.type, o);
    else if (before === true) this.write('DELETED', o);
  }

  private bookmark(initialEventsEnd: boolean): void {
    const r = this.params.resource;
    this.write('BOOKMARK', {
      kind: r.kind,
      apiVersion: apiVersionOf(r),
      metadata: {
        resourceVersion: String(this.store.currentRevision),
        ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
      },
    });
  }

  private write(type: EventType, object: unknown): void {
    const res = this.reply.res;
    if (res.writableEnded || res.destroyed) return;
    res.write(JSON.stringify({ type, object }) + '\n');
  }
}
