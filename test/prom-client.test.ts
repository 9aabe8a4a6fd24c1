/**
 * The Prometheus client's own logic against a scripted loopback server: requests (GET, POST for
 * long queries, time, token, path prefix), answers (vector, scalar, several series, NaN, Inf,
 * matrix, warnings), failures (Prometheus's error JSON, retries with Retry-After, timeouts, a
 * proxy's HTML) and $window substitution.
 */
import http from 'node:http';
import {
  MAX_GET_URL_LENGTH,
  createPromClient,
  parseSampleValue,
  promDuration,
  substituteWindow,
  type PromClientOptions,
} from '../src/prom/client.js';

interface Seen {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

const FAST = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

let server: http.Server;
let base: string;
let seen: Seen[] = [];
let replies: Reply[] = [];

const vector = (...series: [Record<string, string>, string][]): Reply => ({
  body: {
    status: 'success',
    data: {
      resultType: 'vector',
      result: series.map(([metric, v]) => ({ metric, value: [1796219100.5, v] })),
    },
  },
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        params: req.method === 'POST' ? new URLSearchParams(raw) : url.searchParams,
        headers: req.headers,
      });
      const reply = replies.shift() ?? vector([{}, '1']);
      if (reply.hang) return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, {
        'Content-Type': typeof reply.body === 'string' ? 'text/html' : 'application/json',
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen = [];
  replies = [];
});

function client(opts: Partial<PromClientOptions> = {}) {
  return createPromClient({ url: base, retry: FAST, ...opts });
}

describe('promDuration and substituteWindow', () => {
  test.each([
    [28 * 86_400_000, '28d'],
    [60_000, '1m'],
    [90_000, '90s'],
    [36 * 3_600_000, '36h'],
    [3_600_000, '1h'],
    [1500, '1500ms'],
    [250, '250ms'],
    [7 * 86_400_000, '7d'],
  ])('%d ms is %s', (ms, text) => {
    expect(promDuration(ms)).toBe(text);
  });

  test('a duration that is not positive is refused', () => {
    expect(() => promDuration(0)).toThrow(RangeError);
    expect(() => promDuration(-5)).toThrow(RangeError);
    expect(() => promDuration(Number.NaN)).toThrow(RangeError);
  });

  test('every $window is replaced, other $names are not', () => {
    expect(
      substituteWindow(
        'sum(rate(a[$window])) / sum(rate(b[$window])) + $windows + $window_x',
        60_000,
      ),
    ).toBe('sum(rate(a[1m])) / sum(rate(b[1m])) + $windows + $window_x');
  });

  test('a query without $window is left alone (the window is not even checked)', () => {
    expect(substituteWindow('up', 0)).toBe('up');
  });
});

test('sample values: NaN and the infinities as Prometheus writes them', () => {
  expect(parseSampleValue('NaN')).toBeNaN();
  expect(parseSampleValue('+Inf')).toBe(Infinity);
  expect(parseSampleValue('-Inf')).toBe(-Infinity);
  expect(parseSampleValue('0.0005')).toBe(0.0005);
  expect(parseSampleValue('1e-3')).toBe(0.001);
  expect(parseSampleValue('')).toBeUndefined();
  expect(parseSampleValue('abc')).toBeUndefined();
});

describe('requests', () => {
  test('a URL that is not http(s) is refused without repeating it', () => {
    expect(() => createPromClient({ url: 'not a url :secret' })).toThrow(
      /^the Prometheus URL must be an http:\/\/ or https:\/\/ URL$/,
    );
    expect(() => createPromClient({ url: 'ftp://x' })).toThrow(/http/);
  });

  test('GET /api/v1/query with the query, time in seconds and a server-side timeout', async () => {
    replies = [vector([{}, '0.25'])];
    const r = await client({ timeoutMs: 2000 }).instant('up', new Date(1796219100250));
    expect(r).toEqual({
      kind: 'value',
      value: 0.25,
      labels: {},
      series: 1,
      at: new Date(1796219100500),
    });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.method).toBe('GET');
    expect(req!.path).toBe('/api/v1/query');
    expect(req!.params.get('query')).toBe('up');
    expect(req!.params.get('time')).toBe('1796219100.250');
    expect(req!.params.get('timeout')).toBe('1800ms');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.headers.accept).toBe('application/json');
  });

  test('without a time, Prometheus evaluates at its own now', async () => {
    await client().instant('up');
    expect(seen[0]!.params.has('time')).toBe(false);
  });

  test('a bearer token is sent as a header', async () => {
    await client({ token: 's3cret-token' }).instant('up');
    expect(seen[0]!.headers.authorization).toBe('Bearer s3cret-token');
  });

  test('a path prefix is kept; credentials in the URL become Basic auth and never show', async () => {
    const u = new URL(base);
    replies = [
      { status: 500, body: 'boom' },
      { status: 500, body: 'boom' },
      { status: 500, body: 'boom' },
    ];
    const retries: string[] = [];
    const c = createPromClient({
      url: `http://ops:pa%24%24@${u.host}/prometheus/`,
      retry: FAST,
      onRetry: (m) => retries.push(m),
    });
    expect(c.url).toBe(`http://${u.host}/prometheus`);
    const r = await c.instant('up');
    expect(seen[0]!.path).toBe('/prometheus/api/v1/query');
    expect(seen[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:pa$$').toString('base64')}`,
    );
    const text = JSON.stringify([r, retries]);
    expect(text).not.toContain('pa$$');
    expect(text).not.toContain('pa%24%24');
    expect(text).not.toContain('ops:');
  });

  test(`a query making the URL longer than ${MAX_GET_URL_LENGTH} goes as a POST form`, async () => {
    const long = `sum(up{job=~"${'a|'.repeat(1200)}b"})`;
    await client({ token: 't' }).instant(long, new Date(1000));
    const [req] = seen;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/api/v1/query');
    expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req!.headers.authorization).toBe('Bearer t');
    expect(req!.params.get('query')).toBe(long);
    expect(req!.params.get('time')).toBe('1.000');
  });
});

describe('answers', () => {
  test('several series: the largest value, its labels, how many there were', async () => {
    replies = [vector([{ pod: 'a' }, '0.1'], [{ pod: 'b' }, '0.3'], [{ pod: 'c' }, '0.2'])];
    expect(await client().instant('x')).toMatchObject({
      kind: 'value',
      value: 0.3,
      labels: { pod: 'b' },
      series: 3,
      note: '3 series: the largest value is used',
    });
  });

  test('an empty vector is no-data', async () => {
    replies = [vector()];
    expect(await client().instant('x')).toEqual({
      kind: 'no-data',
      note: 'the query returned no series',
    });
  });

  test('NaN is no-data with a note; NaN next to numbers is ignored, and said so', async () => {
    replies = [vector([{}, 'NaN']), vector([{ a: '1' }, 'NaN'], [{ a: '2' }, '0.5'])];
    const c = client();
    expect(await c.instant('x')).toEqual({
      kind: 'no-data',
      note: 'the query evaluated to NaN (for a ratio: no traffic in the window, 0/0)',
    });
    expect(await c.instant('x')).toMatchObject({
      kind: 'value',
      value: 0.5,
      labels: { a: '2' },
      series: 2,
      note: '1 of 2 series were NaN and ignored',
    });
  });

  test('+Inf is a value (it breaches any max) with a note', async () => {
    replies = [vector([{}, '+Inf'])];
    expect(await client().instant('x')).toMatchObject({
      kind: 'value',
      value: Infinity,
      note: expect.stringContaining('+Inf'),
    });
  });

  test('a scalar is a value without labels', async () => {
    replies = [{ body: { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } } }];
    expect(await client().instant('42')).toMatchObject({ kind: 'value', value: 42, labels: {} });
  });

  test('a matrix or a string is an error that says why', async () => {
    replies = [
      { body: { status: 'success', data: { resultType: 'matrix', result: [] } } },
      { body: { status: 'success', data: { resultType: 'string', result: [1, 'x'] } } },
    ];
    const c = client();
    expect(await c.instant('up[5m]')).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('range vector'),
    });
    expect(await c.instant('"x"')).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('a string, not a number'),
    });
    expect(seen).toHaveLength(2);
  });

  test("Prometheus's warnings are passed on", async () => {
    replies = [{ body: { ...(vector([{}, '1']).body as object), warnings: ['partial response'] } }];
    expect(await client().instant('x')).toMatchObject({
      kind: 'value',
      warnings: ['partial response'],
    });
  });

  test('a 200 that is not the Prometheus API (a login page) is an error naming the URL', async () => {
    replies = [{ body: '<html>Sign in</html>' }];
    const r = await client().instant('x');
    expect(r).toMatchObject({ kind: 'error' });
    if (r.kind === 'error') expect(r.message).toMatch(/not a Prometheus API answer.*base URL/);
    expect(seen).toHaveLength(1);
  });
});

describe('failures', () => {
  test("Prometheus's error JSON is the message; a 4xx is not retried", async () => {
    replies = [
      {
        status: 400,
        body: {
          status: 'error',
          errorType: 'bad_data',
          error: 'invalid parameter "query": 1:16: parse error: unclosed left parenthesis',
        },
      },
    ];
    const r = await client().instant('sum(rate(x[5m]');
    expect(r).toEqual({
      kind: 'error',
      status: 400,
      errorType: 'bad_data',
      message: `Prometheus at ${base}: HTTP 400 bad_data: invalid parameter "query": 1:16: parse error: unclosed left parenthesis`,
    });
    expect(seen).toHaveLength(1);
  });

  test('503 and 429 are retried, then the answer is used', async () => {
    const retries: string[] = [];
    replies = [
      { status: 503, body: { status: 'error', errorType: 'unavailable', error: 'busy' } },
      { status: 429, body: 'slow down' },
      vector([{}, '0.01']),
    ];
    const r = await client({ onRetry: (m) => retries.push(m) }).instant('x');
    expect(r).toMatchObject({ kind: 'value', value: 0.01 });
    expect(seen).toHaveLength(3);
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/attempt 1 of 3 failed \(HTTP 503 unavailable: busy\)/);
    expect(retries[1]).toMatch(/attempt 2 of 3 failed \(HTTP 429 Too Many Requests: slow down\)/);
  });

  test('Retry-After is honoured', async () => {
    replies = [{ status: 429, headers: { 'Retry-After': '0.3' }, body: 'later' }];
    const start = Date.now();
    const r = await client().instant('x');
    expect(r).toMatchObject({ kind: 'value' });
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  test('5xx every time: an error naming the attempts and the last answer', async () => {
    replies = [0, 1, 2].map(() => ({ status: 502, body: '<html> Bad   gateway </html>' }));
    const r = await client().instant('x');
    expect(r).toEqual({
      kind: 'error',
      status: 502,
      message: `Prometheus at ${base}: HTTP 502 Bad Gateway: <html> Bad gateway </html> (after 3 attempts)`,
    });
  });

  test('a 401 is not retried, hints at the token and never shows it', async () => {
    replies = [{ status: 401, body: 'Unauthorized' }];
    const r = await client({ token: 'tok-123' }).instant('x');
    expect(r).toMatchObject({ kind: 'error', status: 401 });
    if (r.kind === 'error') {
      expect(r.message).toContain('check prometheus-token');
      expect(r.message).not.toContain('tok-123');
    }
    expect(seen).toHaveLength(1);
  });

  test('no answer within the timeout: retried, then an error', async () => {
    replies = [{ hang: true }, { hang: true }];
    const retries: string[] = [];
    const r = await client({
      timeoutMs: 100,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      onRetry: (m) => retries.push(m),
    }).instant('x');
    expect(r).toEqual({
      kind: 'error',
      message: `Prometheus at ${base}: no answer within 100 ms (after 2 attempts)`,
    });
    expect(retries).toHaveLength(1);
    server.closeAllConnections();
  });

  test('a network failure from the given fetch is retried and reported with its code', async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls++;
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9090'), {
          code: 'ECONNREFUSED',
        }),
      });
    };
    const r = await createPromClient({ url: 'http://10.0.0.1:9090', retry: FAST, fetch }).instant(
      'up',
    );
    expect(calls).toBe(3);
    expect(r).toEqual({
      kind: 'error',
      message:
        'Prometheus at http://10.0.0.1:9090: fetch failed: connect ECONNREFUSED 10.0.0.1:9090 (after 3 attempts)',
    });
  });

  test('cancelled through the signal: an error at once, no retries', async () => {
    const ac = new AbortController();
    replies = [{ hang: true }];
    const p = client({ signal: ac.signal }).instant('x');
    setTimeout(() => ac.abort(), 50);
    const r = await p;
    expect(r).toMatchObject({ kind: 'error', message: expect.stringContaining(': cancelled') });
    expect(seen).toHaveLength(1);
    server.closeAllConnections();
  });
});
