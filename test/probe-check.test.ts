/** Judging one probe sample (SPEC sections 1.3-1.4, 3 `probes`). */
import {
  checkHttp,
  checkPrometheus,
  describeExpectStatus,
  statusMatches,
  type HttpSample,
  type ProbeCheck,
  type PrometheusSample,
} from '../src/probes/check.js';
import type { ExpectStatus, HttpProbe, PrometheusProbe } from '../src/suite/model.js';

const http = (o: Partial<HttpProbe> = {}): HttpProbe => ({
  type: 'http',
  url: 'http://127.0.0.1:8080/health',
  method: 'GET',
  headers: {},
  expectStatus: { class: 2 },
  timeoutMs: 2000,
  ...o,
});
const res = (status: number, body = '', elapsedMs = 120): HttpSample => ({
  kind: 'response',
  status,
  body,
  elapsedMs,
});
const CLASS_2XX: ExpectStatus = { class: 2 };
const ONLY_200: ExpectStatus = { codes: [200] };
const TWO: ExpectStatus = { codes: [200, 204] };
const THREE: ExpectStatus = { codes: [200, 201, 204] };
const STATUS_RE = /"status":\s*"(ok|up)"/;

describe('describeExpectStatus and statusMatches', () => {
  test.each<[ExpectStatus, string]>([
    [CLASS_2XX, '2xx'],
    [{ class: 3 }, '3xx'],
    [ONLY_200, '200'],
    [TWO, '200 or 204'],
    [THREE, '200, 201 or 204'],
  ])('%p reads %p', (e, text) => {
    expect(describeExpectStatus(e)).toBe(text);
  });

  test.each<[number, ExpectStatus, boolean]>([
    [200, CLASS_2XX, true],
    [299, CLASS_2XX, true],
    [199, CLASS_2XX, false],
    [300, CLASS_2XX, false],
    [204, ONLY_200, false],
    [204, TWO, true],
    [201, TWO, false],
  ])('%p against %p: %p', (status, e, ok) => {
    expect(statusMatches(status, e)).toBe(ok);
  });
});

describe('checkHttp', () => {
  test.each<[string, HttpSample, Partial<HttpProbe>, ProbeCheck]>([
    ['2xx class, 200', res(200), {}, { ok: true, reason: '200 in 120ms', value: 120 }],
    ['2xx class, 204', res(204), {}, { ok: true, reason: '204 in 120ms', value: 120 }],
    ['2xx class, 503', res(503), {}, { ok: false, reason: 'expected 2xx, got 503', value: 120 }],
    [
      '3xx class, 301',
      res(301),
      { expectStatus: { class: 3 } },
      { ok: true, reason: '301 in 120ms', value: 120 },
    ],
    [
      'one code, other status',
      res(204),
      { expectStatus: ONLY_200 },
      { ok: false, reason: 'expected 200, got 204', value: 120 },
    ],
    [
      'list of codes, listed',
      res(204),
      { expectStatus: TWO },
      { ok: true, reason: '204 in 120ms', value: 120 },
    ],
    [
      'list of two codes, not listed',
      res(500),
      { expectStatus: TWO },
      { ok: false, reason: 'expected 200 or 204, got 500', value: 120 },
    ],
    [
      'list of three codes, not listed',
      res(500),
      { expectStatus: THREE },
      { ok: false, reason: 'expected 200, 201 or 204, got 500', value: 120 },
    ],
    [
      'substring present',
      res(200, '{"status":"ok"}'),
      { expectBody: '"ok"' },
      { ok: true, reason: '200 in 120ms', value: 120 },
    ],
    [
      'substring absent',
      res(200, '{"status":"degraded"}'),
      { expectBody: '"ok"' },
      { ok: false, reason: 'body does not contain "\\"ok\\""', value: 120 },
    ],
    [
      'substring is case-sensitive',
      res(200, 'OK'),
      { expectBody: 'ok' },
      { ok: false, reason: 'body does not contain "ok"', value: 120 },
    ],
    [
      'substring, empty body',
      res(200, ''),
      { expectBody: 'ok' },
      { ok: false, reason: 'body is empty, expected it to contain "ok"', value: 120 },
    ],
    [
      'substring cut at 80 characters',
      res(200, 'no'),
      { expectBody: 'x'.repeat(100) },
      { ok: false, reason: `body does not contain "${'x'.repeat(80)}..."`, value: 120 },
    ],
    [
      'regex matches',
      res(200, '{"status": "up"}'),
      { expectBodyRegex: STATUS_RE },
      { ok: true, reason: '200 in 120ms', value: 120 },
    ],
    [
      'regex does not match',
      res(200, '{"status": "down"}'),
      { expectBodyRegex: STATUS_RE },
      { ok: false, reason: 'body does not match /"status":\\s*"(ok|up)"/', value: 120 },
    ],
    [
      'substring passes, regex fails',
      res(200, 'ok: false'),
      { expectBody: 'ok', expectBodyRegex: /ok: true/ },
      { ok: false, reason: 'body does not match /ok: true/', value: 120 },
    ],
    [
      'status is checked before the body',
      res(503, 'maintenance'),
      { expectBody: 'ok', expectBodyRegex: /ok/ },
      { ok: false, reason: 'expected 2xx, got 503', value: 120 },
    ],
    [
      'answered exactly at the timeout',
      res(200, '', 2000),
      {},
      { ok: true, reason: '200 in 2s', value: 2000 },
    ],
    [
      'answered after the timeout',
      res(200, '', 2500),
      {},
      { ok: false, reason: 'timed out after 2s (answered after 2s500ms)', value: 2500 },
    ],
    [
      'client timeout',
      { kind: 'transport-error', error: 'aborted', timedOut: true, elapsedMs: 2000 },
      {},
      { ok: false, reason: 'timed out after 2s', value: 2000 },
    ],
    [
      'client timeout, no elapsed time',
      { kind: 'transport-error', error: 'aborted', timedOut: true },
      { timeoutMs: 500 },
      { ok: false, reason: 'timed out after 500ms' },
    ],
    [
      'connection refused',
      { kind: 'transport-error', error: 'connect ECONNREFUSED 127.0.0.1:8080' },
      {},
      { ok: false, reason: 'request failed: connect ECONNREFUSED 127.0.0.1:8080' },
    ],
  ])('%s', (_, sample, probe, expected) => {
    expect(checkHttp(sample, http(probe))).toEqual(expected);
  });

  test('a regex with the g flag gives the same answer every time (lastIndex untouched)', () => {
    const probe = http({ expectBodyRegex: /ok/g });
    expect(checkHttp(res(200, 'ok'), probe).ok).toBe(true);
    expect(checkHttp(res(200, 'ok'), probe).ok).toBe(true);
    expect(probe.expectBodyRegex?.lastIndex).toBe(0);
  });
});

describe('checkPrometheus', () => {
  const max = (m: number): PrometheusProbe => ({ type: 'prometheus', query: 'q', max: m });
  const min = (m: number): PrometheusProbe => ({ type: 'prometheus', query: 'q', min: m });
  const both: PrometheusProbe = { type: 'prometheus', query: 'q', min: 10, max: 20 };
  const v = (value: number): PrometheusSample => ({ kind: 'value', value });
  test.each<[string, PrometheusSample, PrometheusProbe, ProbeCheck]>([
    [
      'below max',
      v(0.25),
      max(0.3),
      { ok: true, reason: '0.25 is within the maximum 0.3', value: 0.25 },
    ],
    [
      'exactly at max',
      v(0.3),
      max(0.3),
      { ok: true, reason: '0.3 is within the maximum 0.3', value: 0.3 },
    ],
    [
      'above max',
      v(0.42),
      max(0.3),
      { ok: false, reason: '0.42 is above the maximum 0.3', value: 0.42 },
    ],
    [
      '+Inf above max',
      v(Infinity),
      max(0.3),
      { ok: false, reason: 'Infinity is above the maximum 0.3', value: Infinity },
    ],
    [
      'exactly at min',
      v(10),
      min(10),
      { ok: true, reason: '10 is within the minimum 10', value: 10 },
    ],
    ['below min', v(5), min(10), { ok: false, reason: '5 is below the minimum 10', value: 5 }],
    [
      'between min and max',
      v(15),
      both,
      { ok: true, reason: '15 is within the minimum 10 and maximum 20', value: 15 },
    ],
    [
      'above min and max',
      v(21),
      both,
      { ok: false, reason: '21 is above the maximum 20', value: 21 },
    ],
    ['no data', { kind: 'no-data' }, max(0.3), { ok: false, reason: 'query returned no data' }],
    [
      'NaN is no data',
      v(Number.NaN),
      max(0.3),
      { ok: false, reason: 'query returned NaN (no data)' },
    ],
    [
      'query error',
      { kind: 'error', error: 'bad_data: parse error at char 5' },
      max(0.3),
      { ok: false, reason: 'query failed: bad_data: parse error at char 5' },
    ],
  ])('%s', (_, sample, probe, expected) => {
    expect(checkPrometheus(sample, probe)).toEqual(expected);
  });
});
