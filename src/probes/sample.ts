/**
 * Taking one probe sample (I/O): an HTTP request with the probe's method, headers, body and
 * timeout, or an instant Prometheus query; judged by the pure checks of ./check.ts. A sample
 * never throws: every failure (refused, timed out, query error) is a failed sample with its
 * reason, so a flaky dependency costs a sample, never the run.
 */
import { errorWithCause } from '../errors.js';
import type { HttpProbe, Probe } from '../suite/model.js';
import type { PromClient, PromResult } from '../prom/client.js';
import { checkHttp, checkPrometheus, type HttpSample, type PrometheusSample } from './check.js';
import type { ProbeCheck } from './check.js';

/** Response bodies are read up to this many bytes (body checks look at this much). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface SampleClients {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** The Prometheus client for a probe's own URL (undefined: the suite's or the input's). */
  prometheus: (url?: string) => PromClient;
}

async function readBody(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

export async function httpSample(
  probe: HttpProbe,
  fetchImpl: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<HttpSample> {
  const timeout = AbortSignal.timeout(probe.timeoutMs);
  const t0 = performance.now();
  const elapsed = (): number => Math.round(performance.now() - t0);
  try {
    const res = await fetchImpl(probe.url, {
      method: probe.method,
      headers: probe.headers,
      ...(probe.body !== undefined ? { body: probe.body } : {}),
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const body = await readBody(res);
    return { kind: 'response', status: res.status, body, elapsedMs: elapsed() };
  } catch (err) {
    return {
      kind: 'transport-error',
      error: errorWithCause(err),
      timedOut: timeout.aborted,
      elapsedMs: elapsed(),
    };
  }
}

export function prometheusSample(r: PromResult): PrometheusSample {
  if (r.kind === 'value') return { kind: 'value', value: r.value };
  if (r.kind === 'no-data') return { kind: 'no-data' };
  return { kind: 'error', error: r.message };
}

/** One sample of a probe, judged. */
export async function takeSample(
  probe: Pick<Probe, 'check'>,
  clients: SampleClients,
  signal?: AbortSignal,
): Promise<ProbeCheck> {
  const c = probe.check;
  if (c.type === 'http') return checkHttp(await httpSample(c, clients.fetch, signal), c);
  const result = await clients.prometheus(c.url).instant(c.query);
  return checkPrometheus(prometheusSample(result), c);
}
