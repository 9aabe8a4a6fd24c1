/**
 * Taking probe samples for real: HTTP against a loopback server (method, headers, body, timeout,
 * refused connections, redirects, large bodies) and Prometheus through a client stub (the real
 * Prometheus is in run-gates.test.ts). A sample never throws.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PromClient, PromResult } from '../src/prom/client.js';
import { httpSample, MAX_BODY_BYTES, takeSample } from '../src/probes/sample.js';
import { freePort as closedPort } from '../src/sim/listen.js';
import type { HttpProbe, Probe } from '../src/suite/model.js';

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body });
      const url = req.url ?? '';
      if (url === '/ok') res.writeHead(200).end('status: healthy');
      else if (url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 400);
      else if (url === '/redirect') res.writeHead(302, { Location: '/ok' }).end();
      else if (url === '/big') res.writeHead(200).end('x'.repeat(MAX_BODY_BYTES + 4096));
      else res.writeHead(503).end('down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const probe = (over: Partial<HttpProbe> = {}): HttpProbe => ({
  type: 'http',
  url: `${base}/ok`,
  method: 'GET',
  headers: {},
  expectStatus: { codes: [200] },
  timeoutMs: 1000,
  ...over,
});

const noProm = (): PromClient => {
  throw new Error('no Prometheus in this test');
};

test('sends the method, headers and body of the probe and judges the answer', async () => {
  seen.length = 0;
  const p: Probe = {
    name: 'api',
    check: probe({
      method: 'POST',
      headers: { 'X-Probe': 'chaos-gate', 'Content-Type': 'application/json' },
      body: '{"ping":true}',
      expectBody: 'healthy',
    }),
    intervalMs: 1000,
    successRate: 100,
    recoveryTimeoutMs: 1000,
    position: { file: 's.yml', line: 1, column: 1 },
  };
  const check = await takeSample(p, { prometheus: noProm });
  expect(check.ok).toBe(true);
  expect(check.reason).toMatch(/^200 in \d+ms$/);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ method: 'POST', body: '{"ping":true}' });
  expect(seen[0]?.headers['x-probe']).toBe('chaos-gate');
});

test('a wrong status fails with what was expected and what came', async () => {
  const check = await takeSample(
    { check: probe({ url: `${base}/down`, expectStatus: { class: 2 } }) },
    { prometheus: noProm },
  );
  expect(check).toMatchObject({ ok: false, reason: 'expected 2xx, got 503' });
});

test('a slow answer is cut at the timeout and fails as timed out', async () => {
  const s = await httpSample(probe({ url: `${base}/slow`, timeoutMs: 100 }));
  expect(s).toMatchObject({ kind: 'transport-error', timedOut: true });
  const check = await takeSample(
    { check: probe({ url: `${base}/slow`, timeoutMs: 100 }) },
    { prometheus: noProm },
  );
  expect(check).toMatchObject({ ok: false, reason: 'timed out after 100ms' });
});

test('nothing listening: a failed sample naming the refusal, no throw', async () => {
  const check = await takeSample(
    { check: probe({ url: `http://127.0.0.1:${await closedPort()}/health` }) },
    { prometheus: noProm },
  );
  expect(check.ok).toBe(false);
  expect(check.reason).toMatch(
    /^request failed: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
  );
});

test('redirects are not followed: a 302 is judged as a 302', async () => {
  const check = await takeSample(
    { check: probe({ url: `${base}/redirect` }) },
    { prometheus: noProm },
  );
  expect(check).toMatchObject({ ok: false, reason: 'expected 200, got 302' });
});

test('a huge body is read up to the limit, not to the end', async () => {
  const s = await httpSample(probe({ url: `${base}/big` }));
  expect(s.kind).toBe('response');
  if (s.kind === 'response') expect(s.body.length).toBe(MAX_BODY_BYTES);
});

test('a cancelled run stops a sample in flight', async () => {
  const ac = new AbortController();
  const pending = httpSample(probe({ url: `${base}/slow`, timeoutMs: 5000 }), fetch, ac.signal);
  ac.abort();
  expect(await pending).toMatchObject({ kind: 'transport-error', timedOut: false });
});

test('Prometheus probes: value, no data and a failed query, through the probe URL', async () => {
  const answers: PromResult[] = [
    { kind: 'value', value: 0.25, labels: {}, series: 1, at: new Date() },
    { kind: 'value', value: 0.5, labels: {}, series: 1, at: new Date() },
    { kind: 'no-data' },
    { kind: 'error', message: 'bad_data: parse error' },
  ];
  const urls: (string | undefined)[] = [];
  const queries: string[] = [];
  const client: PromClient = {
    url: 'http://prom',
    instant: (q) => {
      queries.push(q);
      return Promise.resolve(answers.shift()!);
    },
  };
  const p = { check: { type: 'prometheus' as const, query: 'p99', max: 0.3, url: 'http://own' } };
  const prometheus = (url?: string): PromClient => {
    urls.push(url);
    return client;
  };
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await takeSample(p, { prometheus }));
  expect(results.map((r) => [r.ok, r.reason])).toEqual([
    [true, '0.25 is within the maximum 0.3'],
    [false, '0.5 is above the maximum 0.3'],
    [false, 'query returned no data'],
    [false, 'query failed: bad_data: parse error'],
  ]);
  expect(urls).toEqual(['http://own', 'http://own', 'http://own', 'http://own']);
  expect(queries).toEqual(['p99', 'p99', 'p99', 'p99']);
});
