/**
 * The Kubernetes client keeps its TLS connections: @kubernetes/client-node 2.0.1 would open a new
 * one for every request to an https cluster (src/kube/api.ts, reuseConnections). Counted at the
 * server, which sees every new TLS session.
 */
import tls from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeApi } from '../src/kube/api.js';
import { startKubeApiServer } from '../src/sim/kube/server.js';
import { ChaosEngine, ChaosResult, objectRef } from '../src/kube/resources.js';

test('45 requests (GETs and DELETEs with a body) to an https cluster go over a handful of connections, not 45', async () => {
  const server = await startKubeApiServer({ tls: true, token: 'tls-token-0123456789' });
  const connects: string[] = [];
  const original = tls.connect;
  const patched = ((...args: Parameters<typeof tls.connect>) => {
    connects.push('tls');
    return original(...args);
  }) as typeof tls.connect;
  (tls as { connect: typeof tls.connect }).connect = patched;
  try {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig({ context: 'tls' }));
    const api = createKubeApi(kc);
    for (let i = 0; i < 30; i++) await api.crdInstalled('chaosengines.litmuschaos.io');
    // DELETEs carry a body (DeleteOptions with the uid precondition), on which undici would
    // close the connection by default.
    const engine = objectRef(ChaosEngine, 'default', 'gone');
    for (let i = 0; i < 10; i++) await api.delete(engine, { uid: 'u-1' });
    for (let i = 0; i < 5; i++) await api.deleteCollection(ChaosResult, 'default', 'chaosUID=u-1');
    expect(server.requests.length).toBeGreaterThanOrEqual(45);
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.length).toBeLessThanOrEqual(3);
  } finally {
    (tls as { connect: typeof tls.connect }).connect = original;
    await server.close();
  }
});
