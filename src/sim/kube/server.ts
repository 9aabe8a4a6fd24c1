/**
 * A loopback Kubernetes API server for tests and the demo: real HTTP on 127.0.0.1 that
 * `@kubernetes/client-node` and `kubectl` use unmodified, backed by the in-memory ObjectStore.
 * It serves discovery, the built-in kinds the sims need, every CRD in `src/sim/crds/` (or the
 * chosen ones) with schema pruning/defaulting/validation, CRUD, patches, the status subresource,
 * dry runs, watches, bearer-token auth, a request log and fault injection.
 *
 *   const server = await startKubeApiServer({ crds: ['ChaosEngine'], token: 't' });
 *   kc.loadFromString(server.kubeconfig());
 *   ...
 *   await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { installAdmission } from './admission.js';
import { BUILTIN_RESOURCES, CRDS, NAMESPACES } from './builtins.js';
import { selectCrds } from './crds.js';
import {
  SERVER_VERSION,
  coreVersions,
  groupDocument,
  groupList,
  openApiV3Document,
  openApiV3Root,
  resourceList,
} from './discovery.js';
import { Faults, type KubeFaults } from './faults.js';
import { handleResource, isWatchRequest, resolveTarget, type HandlerContext } from './handlers.js';
import { ApiError, Reply } from './http.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { LOOPBACK_TLS_CERT, LOOPBACK_TLS_KEY } from './loopback-tls.js';
import { parsePath, type Route } from './paths.js';
import { ObjectStore } from './store.js';
import { WatchStream } from './watch.js';

export interface KubeApiServerOptions {
  /**
   * CRDs to install: file names in src/sim/crds/, kinds, plurals or CRD names
   * (`chaosengine_crd.yaml`, `PodChaos`, `workflows.chaos-mesh.org`). Default: all of them.
   */
  crds?: string[];
  /**
   * Requests must carry `Authorization: Bearer <token>` (else 401). Default: no auth.
   * kubectl (client-go) sends credentials only over TLS: use `tls: true` with it.
   */
  token?: string;
  /**
   * Serve HTTPS with the self-signed loopback certificate (loopback-tls.ts); the kubeconfig then
   * carries it as the cluster's CA. Default: plain HTTP.
   */
  tls?: boolean;
  /** Namespaces that exist from the start. Default: `['default']`. */
  namespaces?: string[];
  /** Port on 127.0.0.1; default: any free port. */
  port?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Seed of the random failures of `faults.failRate`. */
  seed?: number;
  /** Where CRD files are looked up; default src/sim/crds/. */
  crdDir?: string;
}

export interface KubeRequestRecord {
  method: string;
  /** The URL path, without the query. */
  path: string;
  query: Record<string, string>;
  /** The HTTP status sent (200 for a watch, at the time its headers went out). */
  status: number;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  url: string;
  store: ObjectStore;
  /** A kubeconfig (YAML) for this server, with the token when one is set. */
  kubeconfig(opts?: { context?: string; namespace?: string }): string;
  /** Every answered request, in order. */
  requests: KubeRequestRecord[];
  faults: KubeFaults;
  /** Ends open watches, closes every connection and stops listening. */
  close(): Promise<void>;
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new ObjectStore();
  for (const r of BUILTIN_RESOURCES) store.addResource(r);
  const admission = installAdmission(store);
  for (const name of opts.namespaces ?? ['default'])
    store.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  for (const crd of selectCrds(opts.crds, opts.crdDir)) store.create(CRDS, undefined, crd);

  const watches = new Set<WatchStream>();
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const requests: KubeRequestRecord[] = [];
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
  let closing = false;
  let closed: Promise<void> | undefined;

  const faults = new Faults(
    {
      dropWatches: () => {
        const open = [...watches];
        for (const w of open) w.drop();
        return open.length;
      },
      compact: () => store.compact(),
    },
    opts.seed,
  );

  const ctx: HandlerContext = {
    store,
    admission,
    watch(reply, params) {
      const w = new WatchStream(store, reply, params, {
        bookmarkIntervalMs,
        onClose: (x) => watches.delete(x),
      });
      watches.add(w);
      w.start();
    },
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const d = {
        timer: setTimeout(() => {
          delays.delete(d);
          resolve();
        }, ms),
        resolve,
      };
      delays.add(d);
    });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res);
  };
  const server = opts.tls
    ? createTlsServer({ cert: LOOPBACK_TLS_CERT, key: LOOPBACK_TLS_KEY }, onRequest)
    : createServer(onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  let address = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const reply = new Reply(res, (status) =>
      requests.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status,
      }),
    );
    try {
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      if (closing) {
        res.destroy();
        return;
      }
      const route = parsePath(url.pathname);
      if (opts.token !== undefined && route.type !== 'health') {
        if (req.headers.authorization !== `Bearer ${opts.token}`) throw new ApiError(401);
      }
      const watching = route.type === 'resource' && isWatchRequest(route.target, url.searchParams);
      const injected = faults.pick(method, url.pathname, watching);
      if (injected) throw injected;
      await dispatch(route, req, reply, url.searchParams);
    } catch (e) {
      if (!reply.sent) reply.error(e);
      else res.destroy();
    }
  }

  async function dispatch(
    route: Route,
    req: IncomingMessage,
    reply: Reply,
    query: URLSearchParams,
  ): Promise<void> {
    const resources = store.allResources();
    const found = (doc: Record<string, unknown> | undefined): void => {
      if (!doc) throw new ApiError(404);
      reply.json(200, doc);
    };
    if (route.type !== 'resource' && req.method !== 'GET') throw new ApiError(405);
    switch (route.type) {
      case 'version':
        return reply.json(200, SERVER_VERSION);
      case 'health':
        return reply.json(200, 'ok');
      case 'coreVersions':
        return reply.json(200, coreVersions(address));
      case 'groups':
        return reply.json(200, groupList(resources));
      case 'group':
        return found(groupDocument(resources, route.group));
      case 'resources':
        return found(resourceList(resources, route.group, route.version));
      case 'openapiV3':
        if (route.group === undefined) return reply.json(200, openApiV3Root(resources));
        return found(openApiV3Document(resources, route.group, route.version ?? ''));
      case 'resource':
        return handleResource(ctx, req, reply, resolveTarget(store, route.target), query);
      case 'unknown':
        throw new ApiError(404);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `${opts.tls ? 'https' : 'http'}://${address}`;

  return {
    url,
    store,
    requests,
    faults,
    kubeconfig: (k = {}) =>
      kubeconfigYaml({
        server: url,
        ...k,
        ...(opts.token !== undefined ? { token: opts.token } : {}),
        ...(opts.tls ? { certificateAuthority: LOOPBACK_TLS_CERT } : {}),
      }),
    close() {
      closed ??= (async () => {
        closing = true;
        for (const w of [...watches]) w.end();
        for (const d of [...delays]) {
          clearTimeout(d.timer);
          d.resolve();
        }
        delays.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
        await stopped;
        admission.dispose();
      })();
      return closed;
    },
  };
}

export type { FaultMatch, FaultOptions, KubeFaults } from './faults.js';
