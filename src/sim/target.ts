/**
 * The service under chaos, for the gate tests and the demo: a loopback HTTP service whose
 * `/health` answers 200 or 503, and a hook that makes it (and the exporter's error ratio) suffer
 * while chaos of ours exists in the loopback cluster, the way a real service suffers while a
 * NetworkChaos is injected.
 */
import http from 'node:http';
import { MANAGED_BY_LABEL } from '../kube/names.js';
import type { ObjectStore, StoreEvent } from './kube/store.js';
import { listenLoopback } from './listen.js';

export interface Target {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** False: every request fails. */
  healthy: boolean;
  /** While healthy, this share of requests fails anyway (deterministic: evenly spread), 0..1. */
  failRatio: number;
  /** Requests to /health so far. */
  readonly hits: number;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  let hits = 0;
  const state = { healthy: true, failRatio: 0, flaky: 0 };
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/health') {
      res.writeHead(404).end();
      return;
    }
    hits++;
    const before = Math.floor(state.flaky * state.failRatio);
    state.flaky++;
    const flakes = Math.floor(state.flaky * state.failRatio) > before;
    if (state.healthy && !flakes) res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('degraded\n');
  });
  server.keepAliveTimeout = 100;
  const listening = await listenLoopback(server);
  return {
    url: listening.url,
    get healthy() {
      return state.healthy;
    },
    set healthy(v: boolean) {
      state.healthy = v;
    },
    get failRatio() {
      return state.failRatio;
    },
    set failRatio(v: number) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`failRatio must be within 0..1, got ${v}`);
      state.failRatio = v;
      state.flaky = 0;
    },
    get hits() {
      return hits;
    },
    close: () => listening.close(),
  };
}

const CHAOS_GROUPS = new Set(['chaos-mesh.org', 'litmuschaos.io']);

export interface ChaosTimeline {
  /** When each chaos object of ours appeared and disappeared (epoch ms). */
  added: { name: string; at: number }[];
  deleted: { name: string; at: number }[];
}

/**
 * Calls `onStart` when the first chaos object of ours (Chaos Mesh kinds, ChaosEngines) is
 * created and `onEnd` when the last one is gone; returns the timeline and an unsubscribe.
 */
export function onChaos(
  store: ObjectStore,
  hooks: { onStart?: () => void; onEnd?: () => void },
): { timeline: ChaosTimeline; stop: () => void } {
  const timeline: ChaosTimeline = { added: [], deleted: [] };
  const live = new Set<string>();
  const stop = store.subscribe((e: StoreEvent) => {
    if (!CHAOS_GROUPS.has(e.resource.group) || e.resource.plural === 'chaosexperiments') return;
    if (e.resource.plural === 'chaosresults') return;
    if (e.object.metadata?.labels?.[MANAGED_BY_LABEL] !== 'chaos-gate') return;
    const key = `${e.resource.plural}/${e.object.metadata?.namespace ?? ''}/${e.object.metadata?.name ?? ''}`;
    if (e.type === 'ADDED' && !live.has(key)) {
      live.add(key);
      timeline.added.push({ name: key, at: Date.now() });
      if (live.size === 1) hooks.onStart?.();
    } else if (e.type === 'DELETED' && live.delete(key)) {
      timeline.deleted.push({ name: key, at: Date.now() });
      if (live.size === 0) hooks.onEnd?.();
    }
  });
  return { timeline, stop };
}
