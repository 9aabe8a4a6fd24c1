// Preloaded with `node --import` into a child process under test: records every attempt to open
// a network connection (sockets, DNS, fetch) to the file named by CHAOS_GATE_NETLOG.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.CHAOS_GATE_NETLOG;
const record = (what) => {
  if (log) appendFileSync(log, `${what}\n`);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() hands Socket#connect its normalized arguments: [options, callback].
  const target = Array.isArray(args[0]) ? args[0][0] : args[0];
  record(
    `connect ${typeof target === 'object' && target !== null ? `${target.host ?? ''}:${target.port ?? target.path ?? ''}` : String(target)}`,
  );
  return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  record(`dns ${host}`);
  return lookup.call(this, host, ...rest);
};
const realFetch = globalThis.fetch;
globalThis.fetch = function (input, init) {
  record(`fetch ${typeof input === 'string' ? input : (input?.url ?? String(input))}`);
  return realFetch(input, init);
};
