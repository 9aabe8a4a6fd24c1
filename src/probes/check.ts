/**
 * Judging one probe sample (pure): the steady state of SPEC sections 1.3-1.4 and the suite's
 * `probes` (section 3). The I/O that takes the sample lives elsewhere.
 *
 * Rules where the SPEC is silent:
 * - HTTP checks run in order (timeout, status, `expectBody`, `expectBodyRegex`) and the reason
 *   names the first that failed: a body check on a 503 page only adds noise.
 * - A response that arrived after the probe's `timeout` fails as "timed out" even if the client
 *   did not cut it off.
 * - Reasons never quote the response body (it may hold something that should not reach a PR
 *   comment); they quote what the suite expected.
 * - Prometheus bounds are inclusive (`max: 0.3` accepts 0.3). NaN is no data; an infinite value
 *   is compared like any other (`histogram_quantile` gives +Inf beyond the last bucket).
 */
import { formatDuration } from '../suite/duration.js';
import type { ExpectStatus, HttpProbe, PrometheusProbe } from '../suite/model.js';

/** The outcome of one sample. `value`: response time in ms (HTTP) or the query's value. */
export interface ProbeCheck {
  ok: boolean;
  reason: string;
  value?: number;
}

export type HttpSample =
  | { kind: 'response'; status: number; body: string; elapsedMs: number }
  /** No response: connection refused, DNS, TLS, or the client's timeout (`timedOut`). */
  | { kind: 'transport-error'; error: string; timedOut?: boolean; elapsedMs?: number };

export type PrometheusSample =
  | { kind: 'value'; value: number }
  /** The query returned an empty vector. */
  | { kind: 'no-data' }
  | { kind: 'error'; error: string };

const QUOTE_MAX = 80;

/** A string from the suite, quoted and cut for a reason. */
function quote(s: string): string {
  return JSON.stringify(s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}...` : s);
}

/** `2xx`, `200`, `200 or 204`, `200, 201 or 204`. */
export function describeExpectStatus(expect: ExpectStatus): string {
  if ('class' in expect) return `${expect.class}xx`;
  const codes = expect.codes.map(String);
  const last = codes.pop();
  return codes.length ? `${codes.join(', ')} or ${last}` : (last ?? 'no status');
}

export function statusMatches(status: number, expect: ExpectStatus): boolean {
  if ('class' in expect) return Math.floor(status / 100) === expect.class;
  return expect.codes.includes(status);
}

const ms = (x: number): string => formatDuration(x);

export function checkHttp(sample: HttpSample, probe: HttpProbe): ProbeCheck {
  const timeout = ms(probe.timeoutMs);
  const elapsed = sample.elapsedMs !== undefined ? { value: sample.elapsedMs } : {};
  if (sample.kind === 'transport-error') {
    const reason = sample.timedOut
      ? `timed out after ${timeout}`
      : `request failed: ${sample.error}`;
    return { ok: false, reason, ...elapsed };
  }
  const fail = (reason: string): ProbeCheck => ({ ok: false, reason, ...elapsed });
  if (sample.elapsedMs > probe.timeoutMs)
    return fail(`timed out after ${timeout} (answered after ${ms(sample.elapsedMs)})`);
  if (!statusMatches(sample.status, probe.expectStatus))
    return fail(`expected ${describeExpectStatus(probe.expectStatus)}, got ${sample.status}`);
  if (probe.expectBody !== undefined && !sample.body.includes(probe.expectBody))
    return fail(
      sample.body === ''
        ? `body is empty, expected it to contain ${quote(probe.expectBody)}`
        : `body does not contain ${quote(probe.expectBody)}`,
    );
  // search() ignores the `g`/`y` flags and lastIndex, so a RegExp object is never mutated.
  if (probe.expectBodyRegex !== undefined && sample.body.search(probe.expectBodyRegex) === -1)
    return fail(`body does not match ${String(probe.expectBodyRegex)}`);
  return { ok: true, reason: `${sample.status} in ${ms(sample.elapsedMs)}`, ...elapsed };
}

export function checkPrometheus(sample: PrometheusSample, probe: PrometheusProbe): ProbeCheck {
  if (sample.kind === 'error') return { ok: false, reason: `query failed: ${sample.error}` };
  if (sample.kind === 'no-data') return { ok: false, reason: 'query returned no data' };
  const v = sample.value;
  if (Number.isNaN(v)) return { ok: false, reason: 'query returned NaN (no data)' };
  if (probe.max !== undefined && v > probe.max)
    return { ok: false, reason: `${v} is above the maximum ${probe.max}`, value: v };
  if (probe.min !== undefined && v < probe.min)
    return { ok: false, reason: `${v} is below the minimum ${probe.min}`, value: v };
  const bounds = [
    ...(probe.min !== undefined ? [`minimum ${probe.min}`] : []),
    ...(probe.max !== undefined ? [`maximum ${probe.max}`] : []),
  ];
  return { ok: true, reason: `${v} is within the ${bounds.join(' and ')}`, value: v };
}
