/**
 * Tests never reach out: every server a test needs runs on 127.0.0.1. A connection to any
 * other host fails at once, naming the host.
 *
 * This patches net.Socket#connect once per process (Jest may run every test file in one
 * process, each with a fresh module registry): loading nock here instead would stack one
 * interceptor per test file on every socket. Tests that mock HTTP import nock themselves.
 */
import net from 'node:net';

const GUARD = Symbol.for('chaos-gate.test.no-network');
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const proto = net.Socket.prototype as unknown as Record<symbol | string, unknown>;

if (!proto[GUARD]) {
  const original = proto.connect as Connect;
  proto[GUARD] = true;
  proto.connect = function guarded(this: net.Socket, ...args: unknown[]): net.Socket {
    const first = args[0];
    const opts = (Array.isArray(first) ? first[0] : first) as unknown;
    let host: string | undefined;
    if (typeof opts === 'object' && opts !== null) {
      const o = opts as { host?: string; path?: string };
      if (o.path === undefined) host = o.host ?? 'localhost';
    } else if (typeof opts === 'number') {
      host = typeof args[1] === 'string' ? args[1] : 'localhost';
    }
    if (host !== undefined && !LOOPBACK.has(host)) {
      const err = new Error(`tests never reach out: connection to ${host} refused`);
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return original.apply(this, args);
  };
}
