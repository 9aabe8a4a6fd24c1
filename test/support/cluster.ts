/**
 * A loopback "cluster" for integration tests: the Kubernetes API server on 127.0.0.1 (validating
 * every object against the upstream CRDs), the simulated Litmus operator and Chaos Mesh
 * controller behind it, a target app (namespace `shop`, pods `app=web`), the pod-delete
 * ChaosExperiment and its service account, and a real @kubernetes/client-node client.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createKubeApi, type KubeApi } from '../../src/kube/api.js';
import { MANAGED_BY_LABEL } from '../../src/kube/names.js';
import { isKubeObject, type KubeObject } from '../../src/kube/object.js';
import { startKubeApiServer, type KubeApiServer } from '../../src/sim/kube/server.js';
import { LitmusOperatorSim } from '../../src/sim/kube/litmus-operator.js';
import { ChaosMeshControllerSim } from '../../src/sim/kube/chaos-mesh-controller.js';
import { seedApp, seedServiceAccount } from '../../src/sim/kube/app.js';

export const RUN_DATA = path.resolve(import.meta.dirname, '..', 'data', 'run');

export interface TestCluster {
  server: KubeApiServer;
  litmus: LitmusOperatorSim;
  mesh: ChaosMeshControllerSim;
  api: KubeApi;
  kubeconfig: string;
  /** Everything of ours still in the API, and whatever the controllers still inject. */
  leftovers(): string[];
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** Simulated durations times this; 0.005 makes 20 s of chaos last 100 ms. */
  timeScale?: number;
  /** Install the pod-delete ChaosExperiment in `shop` (as a cluster with the fault would have). */
  podDeleteFault?: boolean;
  crds?: string[];
  /** The API requires this bearer token (it is in the kubeconfig). */
  token?: string;
}

function docs(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter(isKubeObject);
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const server = await startKubeApiServer({
    namespaces: ['default'],
    ...(opts.crds ? { crds: opts.crds } : {}),
    ...(opts.token ? { token: opts.token } : {}),
  });
  const { store } = server;
  seedApp(store, { namespace: 'shop', name: 'web', labels: { app: 'web' }, replicas: 3 });
  seedServiceAccount(store, 'shop', 'pod-delete-sa');
  if (opts.podDeleteFault ?? true) {
    const r = store.resource('litmuschaos.io', 'chaosexperiments');
    const [fault] = docs(path.join(RUN_DATA, 'litmus', 'pod-delete.chaosexperiment.yaml'));
    if (r && fault) store.create(r, 'shop', fault);
  }
  const timeScale = opts.timeScale ?? 0.005;
  const litmus = new LitmusOperatorSim(store, { timeScale });
  const mesh = new ChaosMeshControllerSim(store, { timeScale });
  litmus.start();
  mesh.start();
  const kubeconfig = server.kubeconfig({ context: 'loopback' });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const api = createKubeApi(kc, { retry: { attempts: 5, baseDelayMs: 20, maxDelayMs: 200 } });
  return {
    server,
    litmus,
    mesh,
    api,
    kubeconfig,
    leftovers() {
      const out: string[] = [];
      for (const r of store.allResources()) {
        for (const o of store.list(r)) {
          const ours = o.metadata.labels?.[MANAGED_BY_LABEL] === 'chaos-gate';
          const result = r.plural === 'chaosresults';
          const chaos = r.group === 'chaos-mesh.org' || r.plural === 'chaosengines';
          if (ours || result || chaos)
            out.push(`${r.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
        }
      }
      return [...out, ...litmus.activeChaos(), ...mesh.activeChaos()];
    },
    async close() {
      litmus.stop();
      mesh.stop();
      await server.close();
    },
  };
}
