/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`), for SLO error ratios and
 * Prometheus probes.
 *
 * - An instant query never throws: every outcome is a {@link PromResult}. A failure is
 *   `{ kind: 'error' }`, with Prometheus's own `errorType` and `error` when it answered with its
 *   error JSON (`{"status":"error","errorType":"bad_data","error":"...parse error..."}`).
 * - `GET /api/v1/query`, or a `POST` form when the URL would be longer than
 *   {@link MAX_GET_URL_LENGTH} (long queries break proxies and servers' URL limits).
 * - The bearer token goes in the `Authorization` header only; credentials in the URL
 *   (`https://user:pass@host`) become a Basic `Authorization` header. Neither ever appears in a
 *   message: messages name the URL without its credentials.
 * - Each attempt has a timeout (`timeoutMs`, AbortSignal.timeout); Prometheus is also asked to
 *   stop evaluating a little before it (the `timeout` parameter) so a slow query reports
 *   Prometheus's own "query timed out" where possible.
 * - HTTP 429 and 5xx, network failures and attempt timeouts are retried with
 *   {@link withRetry} (Retry-After honoured); 4xx answers (a malformed query, a bad token) are not.
 */
import { errorMessage } from '../errors.js';
import {
  DEFAULT_RETRY,
  retryAfterMs,
  withRetry,
  type RetryDecision,
  type RetryPolicy,
} from '../retry.js';

export type PromLabels = Record<string, string>;

/**
 * The outcome of an instant query.
 *
 * Several series: `value` is the **largest** of them and `labels` that series' labels, `series`
 * says how many there were. Every caller compares a value against a ceiling (an error ratio
 * against its budget, a probe against its `max`), and the largest value is the safe reading
 * there; a query meant for one number should aggregate (`sum(...)`, `max(...)`) itself. A
 * caller checking a floor (`min`) must aggregate with `min(...)` in its query.
 *
 * Special values: `NaN` (typically 0/0, a ratio over a window without traffic) is not a number
 * we can gate on, so a NaN series is dropped and a query with only NaN series is `no-data` with a
 * `note`. `+Inf`/`-Inf` (x/0 with x > 0) are returned as the numbers `Infinity`/`-Infinity`,
 * with a `note`: they compare as expected against any limit (`+Inf` breaches every `max`).
 */
export type PromResult =
  | {
      kind: 'value';
      value: number;
      labels: PromLabels;
      /** How many series the query returned (NaN ones included); 1 for a scalar. */
      series: number;
      /** The evaluation time Prometheus reports. */
      at: Date;
      note?: string;
      /** Prometheus's warnings (for instance from a partial response), when it sent any. */
      warnings?: string[];
    }
  | { kind: 'no-data'; note?: string; warnings?: string[] }
  | {
      kind: 'error';
      message: string;
      /** The HTTP status of the last answer, when there was one. */
      status?: number;
      /** Prometheus's `errorType` (`bad_data`, `execution`, `timeout`...), when it sent one. */
      errorType?: string;
    };

export interface PromClientOptions {
  /** Base URL of Prometheus (a path prefix such as `/prometheus` is kept). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per attempt; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** Called with a message for every retry (it names the URL without credentials, never a token). */
  onRetry?: (message: string) => void;
  /** Cancels every query in flight and stops retries. */
  signal?: AbortSignal;
}

export interface PromClient {
  /** The base URL without credentials, for messages. */
  readonly url: string;
  /** An instant query at `time` (default: now as Prometheus sees it). Never throws. */
  instant(query: string, time?: Date): Promise<PromResult>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Longer GET URLs are sent as a POST form instead (the smallest common proxy limit is ~2 KB). */
export const MAX_GET_URL_LENGTH = 2048;

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
] as const;

/**
 * A Prometheus range duration in one unit, the largest that divides it exactly: `28d`, `1m`,
 * `90s`, `36h`, `1500ms`. Weeks and years are not used (`28d`, not `4w`). Milliseconds are
 * rounded to whole milliseconds; a duration that is not positive is a RangeError.
 */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  if (!Number.isFinite(ms) || whole <= 0)
    throw new RangeError(`not a positive duration for Prometheus: ${ms} ms`);
  for (const [unit, size] of UNITS) if (whole % size === 0) return `${whole / size}${unit}`;
  return `${whole}ms`;
}

/** Replaces every `$window` (not `$windows`, `$window_x`...) with {@link promDuration}. */
export function substituteWindow(query: string, windowMs: number): string {
  let duration: string | undefined;
  return query.replace(/\$window(?![A-Za-z0-9_])/g, () => (duration ??= promDuration(windowMs)));
}

/** A failed attempt: an HTTP answer that was not a success. */
class PromHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'PromHttpError';
  }
}

/** An answer we cannot use (a matrix, not JSON...): not worth a retry. */
class PromAnswerError extends Error {
  override name = 'PromAnswerError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLabels(v: unknown): v is PromLabels {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Prometheus writes sample values as strings, with `NaN`, `+Inf` and `-Inf` for the specials. */
export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

interface Sample {
  labels: PromLabels;
  value: number;
  at: number;
}

function parseSample(pair: unknown, labels: PromLabels): Sample {
  if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'number') {
    const v = typeof pair[1] === 'string' ? parseSampleValue(pair[1]) : undefined;
    if (v !== undefined) return { labels, value: v, at: pair[0] };
  }
  throw new PromAnswerError(`unexpected sample in the answer: ${JSON.stringify(pair)}`);
}

/** The query's answer (`data`) as a result; throws PromAnswerError when it is not usable. */
export function readQueryData(data: unknown, warnings?: string[]): PromResult {
  if (!isRecord(data)) throw new PromAnswerError('the answer has no data');
  const extra = warnings && warnings.length > 0 ? { warnings } : {};
  let samples: Sample[];
  let dropped = 0;
  switch (data.resultType) {
    case 'scalar':
      samples = [parseSample(data.result, {})];
      break;
    case 'vector': {
      if (!Array.isArray(data.result)) throw new PromAnswerError('the vector has no result list');
      samples = [];
      for (const s of data.result as unknown[]) {
        if (!isRecord(s) || !isLabels(s.metric))
          throw new PromAnswerError(`unexpected series in the answer: ${JSON.stringify(s)}`);
        // Native histogram samples (`histogram` instead of `value`) are not a number to gate on.
        if (s.value === undefined && s.histogram !== undefined) {
          dropped++;
          continue;
        }
        samples.push(parseSample(s.value, s.metric));
      }
      break;
    }
    case 'matrix':
      throw new PromAnswerError(
        'the query returns a range vector (matrix), not a number: use the range inside a function such as rate() or avg_over_time()',
      );
    case 'string':
      throw new PromAnswerError('the query returns a string, not a number');
    default:
      throw new PromAnswerError(`unknown resultType ${JSON.stringify(data.resultType)}`);
  }
  const series = samples.length + dropped;
  if (series === 0) return { kind: 'no-data', note: 'the query returned no series', ...extra };
  const numbers = samples.filter((s) => !Number.isNaN(s.value));
  if (numbers.length === 0) {
    const note =
      dropped > 0 && samples.length === 0
        ? 'the query returned native histograms, not numbers'
        : 'the query evaluated to NaN (for a ratio: no traffic in the window, 0/0)';
    return { kind: 'no-data', note, ...extra };
  }
  let best = numbers[0] as Sample;
  for (const s of numbers) if (s.value > best.value) best = s;
  const notes: string[] = [];
  if (!Number.isFinite(best.value))
    notes.push(`the query evaluated to ${best.value > 0 ? '+Inf' : '-Inf'} (a division by zero?)`);
  const nan = samples.length - numbers.length;
  if (nan > 0) notes.push(`${nan} of ${series} series were NaN and ignored`);
  if (numbers.length > 1) notes.push(`${series} series: the largest value is used`);
  return {
    kind: 'value',
    value: best.value,
    labels: best.labels,
    series,
    at: new Date(Math.round(best.at * 1000)),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    ...extra,
  };
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; isObject(e) && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error || (isObject(err) && 'name' in err)
    ? String((err as { name: unknown }).name)
    : undefined;
}

/** A failure in words, without stack traces (network errors name their code). */
function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof PromHttpError || err instanceof PromAnswerError) return err.message;
  if (errorName(err) === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (errorName(err) === 'AbortError') return 'cancelled';
  const code = errorCode(err);
  const message = errorMessage(err);
  const cause = isObject(err) ? (err as { cause?: unknown }).cause : undefined;
  const detail = isObject(cause) ? errorMessage(cause) || undefined : undefined;
  if (code && detail) return `${message}: ${detail.includes(code) ? detail : `${code} ${detail}`}`;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Strips user info (credentials) from a URL for messages. */
function redact(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

/** Throws when `url` is not an http(s) URL (the message does not repeat it: it may hold a password). */
export function createPromClient(opts: PromClientOptions): PromClient {
  const base = URL.parse(opts.url);
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:'))
    throw new Error('the Prometheus URL must be an http:// or https:// URL');
  const shown = redact(base);
  const endpoint = new URL(redact(base));
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/api/v1/query`;
  endpoint.search = '';
  endpoint.hash = '';
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const policy = opts.retry ?? DEFAULT_RETRY;

  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'chaos-gate',
  };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  else if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }

  const classify = (err: unknown): RetryDecision => {
    if (err instanceof PromHttpError) {
      const retry = err.status === 429 || err.status >= 500;
      return {
        retry,
        reason: err.message,
        ...(err.retryAfterMs !== undefined ? { afterMs: err.retryAfterMs } : {}),
      };
    }
    if (err instanceof PromAnswerError) return { retry: false, reason: err.message };
    const name = errorName(err);
    if (name === 'AbortError') return { retry: false, reason: 'cancelled' };
    if (name === 'TimeoutError') return { retry: true, reason: describe(err, timeoutMs) };
    const code = errorCode(err);
    const network =
      (code !== undefined && RETRYABLE_CODES.has(code)) ||
      (err instanceof TypeError && err.message === 'fetch failed');
    return { retry: network, reason: describe(err, timeoutMs) };
  };

  const attempt = async (query: string, time: Date | undefined): Promise<PromResult> => {
    const params = new URLSearchParams({ query });
    if (time) params.set('time', (time.getTime() / 1000).toFixed(3));
    // Ask Prometheus to give up a little before we do, so its own timeout message reaches us.
    params.set('timeout', `${Math.max(1, Math.floor(timeoutMs * 0.9))}ms`);
    const getUrl = `${endpoint.href}?${params.toString()}`;
    const post = getUrl.length > MAX_GET_URL_LENGTH;
    const signal = opts.signal
      ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const res = await doFetch(
      post ? endpoint.href : getUrl,
      post
        ? {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: params.toString(),
            signal,
          }
        : { method: 'GET', headers, signal },
    );
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = undefined;
    }
    const retryAfter = retryAfterMs(res.headers.get('retry-after') ?? undefined);
    if (isRecord(body) && body.status === 'error') {
      const errorType = typeof body.errorType === 'string' ? body.errorType : undefined;
      const error = typeof body.error === 'string' ? body.error : 'no message';
      throw new PromHttpError(
        `HTTP ${res.status}${errorType ? ` ${errorType}` : ''}: ${error}`,
        res.status,
        errorType,
        retryAfter,
      );
    }
    if (!res.ok) {
      const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
      const hint = res.status === 401 || res.status === 403 ? ' (check prometheus-token)' : '';
      throw new PromHttpError(
        `HTTP ${res.status} ${res.statusText}${hint}${snippet ? `: ${snippet}` : ''}`.trim(),
        res.status,
        undefined,
        retryAfter,
      );
    }
    if (!isRecord(body) || body.status !== 'success')
      throw new PromAnswerError(
        `not a Prometheus API answer (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}): is ${shown} the Prometheus base URL?`,
      );
    const warnings = Array.isArray(body.warnings)
      ? body.warnings.filter((w): w is string => typeof w === 'string')
      : undefined;
    return readQueryData(body.data, warnings);
  };

  return {
    url: shown,
    async instant(query, time) {
      let attempts = 0;
      try {
        return await withRetry(
          `Prometheus query at ${shown}`,
          (n) => {
            attempts = n;
            return attempt(query, time);
          },
          classify,
          {
            policy,
            ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          },
        );
      } catch (err) {
        const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
        return {
          kind: 'error',
          message: `Prometheus at ${shown}: ${describe(err, timeoutMs)}${tries}`,
          ...(err instanceof PromHttpError
            ? { status: err.status, ...(err.errorType ? { errorType: err.errorType } : {}) }
            : {}),
        };
      }
    },
  };
}
