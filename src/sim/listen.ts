/**
 * Listening on 127.0.0.1 for the simulators and test servers: a free port, and a close that
 * ends every connection at once (keep-alive sockets would otherwise hold `server.close()` open).
 */
import type { Server } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface Listening {
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Stops listening and destroys every open connection; idempotent. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0: any free one), tracking connections for {@link Listening.close}. */
export async function listenLoopback(server: Server, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

/** A loopback port free right now (bound, then released): nothing listens on it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
