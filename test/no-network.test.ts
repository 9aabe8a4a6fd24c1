/** The test set-up refuses connections that leave 127.0.0.1 (and lets loopback through). */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

test('a connection to another host fails at once, naming it', async () => {
  const err = await new Promise<Error>((resolve) => {
    const s = net.connect({ host: '192.0.2.1', port: 80 });
    s.on('error', resolve);
  });
  expect(err.message).toBe('tests never reach out: connection to 192.0.2.1 refused');
});

test('fetch to another host fails too', async () => {
  await expect(fetch('http://192.0.2.1:9/')).rejects.toThrow();
});

test('loopback works', async () => {
  const server = http.createServer((_q, r) => r.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`);
  expect(await res.text()).toBe('ok');
  await new Promise((r) => server.close(r));
});
