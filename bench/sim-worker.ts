/**
 * The simulated cluster, in a worker thread of the bench: the loopback Kubernetes API server
 * (validating against the upstream CRDs) with the simulated Litmus operator and Chaos Mesh
 * controller, the app `shop/web` (3 pods), the pod-delete ChaosExperiment and its service
 * account, as test/support/cluster.ts sets them up.
 *
 * It runs in its own thread so the engine under test has its event loop to itself, as it would
 * against a real API server; the simulator's CPU (JSON, CRD validation, controllers) is not
 * charged to the engine. It watches its own store and records, per experiment, when the
 * controller created, decided, started deleting and removed its object, on the clock of
 * ./stats.ts (shared by both threads), and when each API request was answered.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { parseAllDocuments } from 'yaml';
import { EXPERIMENT_LABEL, MANAGED_BY_LABEL, RUN_LABEL } from '../src/kube/names.js';
import {
  asArray,
  asString,
  dig,
  isKubeObject,
  isRecord,
  type KubeObject,
} from '../src/kube/object.js';
import { seedApp, seedServiceAccount } from '../src/sim/kube/app.js';
import { ChaosMeshControllerSim } from '../src/sim/kube/chaos-mesh-controller.js';
import { LitmusOperatorSim } from '../src/sim/kube/litmus-operator.js';
import { startKubeApiServer, type KubeRequestRecord } from '../src/sim/kube/server.js';
import type { StoreEvent } from '../src/sim/kube/store.js';
import { clock } from './stats.js';

export interface SimWorkerData {
  role: 'sim';
  /** Simulated time per real time of both controllers. */
  timeScale: number;
  /** The repository root (for the pod-delete ChaosExperiment fixture). */
  root: string;
  /** Bearer token the API server requires. */
  token: string;
}

/** What the controller did to one experiment's object, in clock() milliseconds. */
export interface ExperimentMarks {
  run: string;
  experiment: string;
  kind: string;
  /** The chaos object's name and uid (requests name one or the other). */
  objectName: string;
  uid: string;
  /** The chaos object appeared in the store (our create went through). */
  created?: number;
  /**
   * The controller wrote the status from which the verdict can be read: a ChaosResult's final
   * phase and verdict (Litmus), AllInjected (Chaos Mesh one-shot), desiredPhase Stop with
   * AllRecovered (Chaos Mesh with a duration).
   */
  decisive?: number;
  /** Our delete reached the store (deletionTimestamp set, or the object removed at once). */
  deleteRequested?: number;
  /** The object left the store (finalizers done). */
  gone?: number;
}

export interface TimedRequest extends KubeRequestRecord {
  /** When the answer's headers went out. */
  at: number;
}

export interface Collected {
  marks: ExperimentMarks[];
  requests: TimedRequest[];
  /** Our objects still in the API and chaos still injected. */
  leftovers: string[];
  /** Reconcile errors of the simulated controllers. */
  controllerErrors: string[];
  /** TCP (TLS) connections the API server accepted. */
  connections: number;
}

export type SimRequest = { id: number; op: 'collect' } | { id: number; op: 'close' };
export type SimReply =
  | { op: 'ready'; url: string; kubeconfig: string }
  | { id: number; ok: true; value?: Collected }
  | { id: number; ok: false; error: string };

const CHAOS_GROUPS = new Set(['chaos-mesh.org', 'litmuschaos.io']);
const ONE_SHOT_ACTIONS = new Set(['pod-kill', 'container-kill']);

function conditionTrue(o: KubeObject, type: string): boolean {
  return asArray(dig(o.status, 'conditions')).some(
    (c) => isRecord(c) && c.type === type && c.status === 'True',
  );
}

/** Whether this version of a chaos object carries the status the engine decides on. */
function isDecisive(o: KubeObject): boolean {
  if (o.kind === 'ChaosResult') {
    const phase = asString(dig(o.status, 'experimentStatus', 'phase'));
    const verdict = asString(dig(o.status, 'experimentStatus', 'verdict'));
    return (
      phase !== undefined && verdict !== undefined && phase !== 'Running' && verdict !== 'Awaited'
    );
  }
  if (o.kind === 'ChaosEngine') return false;
  if (ONE_SHOT_ACTIONS.has(asString(dig(o.spec, 'action')) ?? ''))
    return conditionTrue(o, 'Selected') && conditionTrue(o, 'AllInjected');
  return (
    asString(dig(o.status, 'experiment', 'desiredPhase')) === 'Stop' &&
    conditionTrue(o, 'AllRecovered') &&
    !(o.metadata as Record<string, unknown>).deletionTimestamp
  );
}

export async function runSimWorker(data: SimWorkerData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('the simulator must run in a worker thread');
  // TLS and a bearer token, as a real API server: the client's handshakes are part of the cost.
  const server = await startKubeApiServer({
    namespaces: ['default'],
    tls: true,
    token: data.token,
  });
  const sockets = new WeakSet<object>();
  let connections = 0;
  subscribe('http.server.request.start', (msg) => {
    const socket = (msg as { socket?: object }).socket;
    if (socket && !sockets.has(socket)) {
      sockets.add(socket);
      connections++;
    }
  });
  const { store } = server;
  seedApp(store, { namespace: 'shop', name: 'web', labels: { app: 'web' }, replicas: 3 });
  seedServiceAccount(store, 'shop', 'pod-delete-sa');
  const faultFile = path.join(
    data.root,
    'test',
    'data',
    'run',
    'litmus',
    'pod-delete.chaosexperiment.yaml',
  );
  const fault = parseAllDocuments(readFileSync(faultFile, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .find(isKubeObject);
  const experiments = store.resource('litmuschaos.io', 'chaosexperiments');
  if (!fault || !experiments) throw new Error(`no ChaosExperiment in ${faultFile}`);
  store.create(experiments, 'shop', fault);
  const litmus = new LitmusOperatorSim(store, { timeScale: data.timeScale });
  const mesh = new ChaosMeshControllerSim(store, { timeScale: data.timeScale });
  litmus.start();
  mesh.start();

  // The server logs requests without a time: note the time of each as it is logged.
  const times: number[] = [];
  const log = server.requests;
  const push = log.push.bind(log);
  log.push = (...items: KubeRequestRecord[]): number => {
    for (let i = 0; i < items.length; i++) times.push(clock());
    return push(...items);
  };
  let requestsSeen = 0;

  const marks = new Map<string, ExperimentMarks>();
  const byEngineUid = new Map<string, string>();
  const markOf = (o: KubeObject): ExperimentMarks | undefined => {
    const labels = o.metadata.labels ?? {};
    let key: string | undefined;
    if (labels[MANAGED_BY_LABEL] === 'chaos-gate' && labels[EXPERIMENT_LABEL])
      key = `${labels[RUN_LABEL] ?? ''}|${labels[EXPERIMENT_LABEL]}`;
    else if (o.kind === 'ChaosResult' && labels.chaosUID) key = byEngineUid.get(labels.chaosUID);
    if (!key) return undefined;
    let m = marks.get(key);
    if (!m) {
      const [run = '', experiment = ''] = key.split('|');
      m = {
        run,
        experiment,
        kind: o.kind,
        objectName: o.metadata.name ?? '',
        uid: o.metadata.uid ?? '',
      };
      marks.set(key, m);
    }
    return m;
  };
  store.subscribe((e: StoreEvent) => {
    if (!CHAOS_GROUPS.has(e.resource.group)) return;
    const o = e.object;
    const m = markOf(o);
    if (!m) return;
    const now = clock();
    const main = o.kind === m.kind;
    if (main && e.type === 'ADDED') {
      m.created ??= now;
      if (o.kind === 'ChaosEngine' && o.metadata.uid)
        byEngineUid.set(o.metadata.uid, `${m.run}|${m.experiment}`);
    }
    if (m.decisive === undefined && e.type !== 'DELETED' && isDecisive(o)) m.decisive = now;
    if (main && (e.type === 'DELETED' || (o.metadata as Record<string, unknown>).deletionTimestamp))
      m.deleteRequested ??= now;
    if (main && e.type === 'DELETED') m.gone ??= now;
  });

  const leftovers = (): string[] => {
    const out: string[] = [];
    for (const r of store.allResources()) {
      if (!CHAOS_GROUPS.has(r.group) || r.plural === 'chaosexperiments') continue;
      for (const o of store.list(r))
        out.push(`${r.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
    }
    return [...out, ...litmus.activeChaos(), ...mesh.activeChaos()];
  };

  const collect = (): Collected => {
    const requests = log
      .slice(requestsSeen)
      .map((r, i) => ({ ...r, at: times[requestsSeen + i] ?? 0 }));
    requestsSeen = log.length;
    const out: Collected = {
      marks: [...marks.values()],
      requests,
      leftovers: leftovers(),
      controllerErrors: [...litmus.errors(), ...mesh.errors()],
      connections,
    };
    connections = 0;
    marks.clear();
    byEngineUid.clear();
    return out;
  };

  port.on('message', (msg: SimRequest) => {
    void (async () => {
      try {
        if (msg.op === 'collect')
          port.postMessage({ id: msg.id, ok: true, value: collect() } satisfies SimReply);
        else {
          litmus.stop();
          mesh.stop();
          await server.close();
          port.postMessage({ id: msg.id, ok: true } satisfies SimReply);
          port.close();
        }
      } catch (err) {
        port.postMessage({
          id: msg.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        } satisfies SimReply);
      }
    })();
  });
  port.postMessage({
    op: 'ready',
    url: server.url,
    kubeconfig: server.kubeconfig({ context: 'bench' }),
  } satisfies SimReply);
}
