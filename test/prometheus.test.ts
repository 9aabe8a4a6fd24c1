/**
 * The Prometheus client against a real Prometheus (Debian's 2.42, see test/support/prometheus.ts):
 * 28 days of backfilled history, a live exporter scraped every second, and the ways a query
 * fails. Prometheus missing or not starting fails this file (beforeAll throws), it never skips.
 */
import { createPromClient, substituteWindow, type PromResult } from '../src/prom/client.js';
import { backfillOpenMetrics, startExporter, type Exporter } from '../src/sim/exporter.js';
import { startPrometheus, type TestPrometheus } from '../src/sim/prometheus.js';

const SLO_QUERY =
  'sum(rate(http_requests_total{job="checkout",code=~"5.."}[$window])) / sum(rate(http_requests_total{job="checkout"}[$window]))';
const DAY = 86_400_000;
const FAST = { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 };
/** History ends on a 5-minute boundary 10 minutes ago: out of any [1m] window, and in the past. */
const END = new Date(Math.floor((Date.now() - 10 * 60_000) / 300_000) * 300_000);

let prom: TestPrometheus | undefined;
let exporter: Exporter | undefined;

beforeAll(async () => {
  exporter = await startExporter({ rps: 200, errorRatio: 0 });
  prom = await startPrometheus({
    scrapeTargets: [exporter.target],
    scrapeIntervalMs: 1000,
    backfill: backfillOpenMetrics({ days: 28, errorRatio: 0.0005, rps: 10, end: END }),
  });
}, 30_000);

afterAll(async () => {
  await prom?.close();
  await exporter?.close();
});

function client(opts: { retry?: typeof FAST; onRetry?: (m: string) => void } = {}) {
  if (!prom) throw new Error('Prometheus did not start');
  return createPromClient({ url: prom.url, timeoutMs: 5000, retry: FAST, ...opts });
}

/** Polls until `done` holds for a result, or fails at the deadline with the last result. */
async function pollUntil(
  query: () => Promise<PromResult>,
  done: (r: PromResult) => boolean,
  deadlineMs: number,
): Promise<{ result: PromResult; afterMs: number }> {
  const start = Date.now();
  let last: PromResult | undefined;
  while (Date.now() - start < deadlineMs) {
    last = await query();
    if (done(last)) return { result: last, afterMs: Date.now() - start };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `not met within ${deadlineMs} ms; last result ${JSON.stringify(last)}\nPrometheus log:\n${prom?.log() ?? ''}`,
  );
}

test('$window becomes a Prometheus duration the real server accepts', () => {
  expect(substituteWindow(SLO_QUERY, 28 * DAY)).toContain('[28d]');
  expect(substituteWindow(SLO_QUERY, 60_000)).toContain('[1m]');
});

test('a live exporter at 20% errors: the [1m] error ratio rises above 0.1 within 15 s', async () => {
  exporter!.setErrorRatio(0.2);
  const c = client();
  const query = substituteWindow(SLO_QUERY, 60_000);
  const { result } = await pollUntil(
    () => c.instant(query),
    (r) => r.kind === 'value' && r.value > 0.1,
    15_000,
  );
  expect(result).toMatchObject({ kind: 'value', labels: {}, series: 1 });
  if (result.kind === 'value') expect(result.value).toBeLessThanOrEqual(0.21);
}, 20_000);

test('28 days of backfilled history at 0.05% errors: the [28d] SLO ratio is 0.0005', async () => {
  const c = client();
  const query = substituteWindow(SLO_QUERY, 28 * DAY);
  expect(query).toContain('[28d]');
  const r = await c.instant(query, END);
  expect(r).toMatchObject({ kind: 'value', labels: {}, series: 1 });
  if (r.kind !== 'value') return;
  expect(r.value).toBeCloseTo(0.0005, 6);
  expect(r.at.getTime()).toBe(END.getTime());
  // The history alone (the live exporter's series have another instance) at the present time.
  const now = await c.instant(
    query.replaceAll('job="checkout"', 'job="checkout",instance="backfill"'),
  );
  expect(now).toMatchObject({ kind: 'value' });
  if (now.kind === 'value') expect(now.value).toBeCloseTo(0.0005, 5);
});

test('a long query goes as a POST form and still answers', async () => {
  const long = `${SLO_QUERY}${' + 0 * sum(rate(http_requests_total{job="checkout"}[$window]))'.repeat(40)}`;
  const query = substituteWindow(long, 28 * DAY);
  expect(query.length).toBeGreaterThan(2048);
  const r = await client().instant(query, END);
  expect(r).toMatchObject({ kind: 'value' });
  if (r.kind === 'value') expect(r.value).toBeCloseTo(0.0005, 6);
});

test('a metric that does not exist is no-data', async () => {
  const r = await client().instant('sum(rate(chaos_gate_no_such_metric_total[5m]))');
  expect(r).toEqual({ kind: 'no-data', note: 'the query returned no series' });
});

test('0/0 is no-data with a note; x/0 is +Inf', async () => {
  const c = client();
  expect(await c.instant('vector(0) / vector(0)')).toMatchObject({
    kind: 'no-data',
    note: expect.stringContaining('NaN'),
  });
  expect(await c.instant('vector(1) / vector(0)')).toMatchObject({
    kind: 'value',
    value: Infinity,
    note: expect.stringContaining('+Inf'),
  });
});

test("a malformed query is an error with Prometheus's own message, not retried", async () => {
  const retries: string[] = [];
  const r = await client({ onRetry: (m) => retries.push(m) }).instant('sum(rate(foo[5m]');
  expect(r).toMatchObject({ kind: 'error', status: 400, errorType: 'bad_data' });
  if (r.kind === 'error') expect(r.message).toMatch(/parse error: unclosed left parenthesis/);
  expect(retries).toEqual([]);
});

test('a range vector is an error that says what to do', async () => {
  const r = await client().instant('http_requests_total[5m]');
  expect(r).toMatchObject({ kind: 'error', message: expect.stringContaining('rate()') });
});

test('nothing listening: an error after the retries, never a throw', async () => {
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const retries: string[] = [];
  const c = createPromClient({
    url: `http://127.0.0.1:${port}`,
    retry: FAST,
    onRetry: (m) => retries.push(m),
  });
  const r = await c.instant('up');
  expect(r).toMatchObject({ kind: 'error' });
  if (r.kind === 'error') {
    expect(r.message).toContain(`Prometheus at http://127.0.0.1:${port}`);
    expect(r.message).toMatch(/ECONNREFUSED/);
    expect(r.message).toContain('after 3 attempts');
  }
  expect(retries).toHaveLength(2);
});
