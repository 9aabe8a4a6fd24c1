/**
 * A SIMULATED Prometheus for the demo on machines without the real one: an HTTP server on
 * 127.0.0.1 answering `GET|POST /api/v1/query` for one query shape only, the error ratio of a
 * job's `http_requests_total` counters:
 *
 *   sum(rate(http_requests_total{job="J",code=~"5.."}[W])) / sum(rate(http_requests_total{job="J"}[W]))
 *
 * It reads the counters of loopback exporters every 250 ms and assumes a history before its start
 * at a fixed rate and error ratio (what a backfill gives the real Prometheus). Any other query is
 * a `bad_data` error saying so. It is labelled as simulated wherever the demo mentions it.
 */
import http from 'node:http';
import type { Exporter } from './exporter.js';
import { listenLoopback } from './listen.js';

export interface SimulatedPrometheus {
  url: string;
  close(): Promise<void>;
}

export interface SimulatedPrometheusOptions {
  /** Exporters by job. */
  jobs: Record<string, Exporter>;
  /** The assumed history before the start: requests per second and error ratio. */
  history: { rps: number; errorRatio: number };
}

const QUERY =
  /^\s*sum\(rate\(http_requests_total\{job="([^"]+)",code=~"5\.\."\}\[(\d+(?:ms|s|m|h|d))\]\)\)\s*\/\s*sum\(rate\(http_requests_total\{job="\1"\}\[\2\]\)\)\s*$/;
const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * (UNIT[m[2] ?? 's'] ?? 1000) : NaN;
}

interface Point {
  at: number;
  ok: number;
  errors: number;
}

export async function startSimulatedPrometheus(
  opts: SimulatedPrometheusOptions,
): Promise<SimulatedPrometheus> {
  const t0 = Date.now();
  const points = new Map<string, Point[]>();
  const read = (): void => {
    const at = Date.now();
    for (const [job, e] of Object.entries(opts.jobs)) {
      const c = e.counters();
      const list = points.get(job) ?? [];
      list.push({ at, ok: c.ok, errors: c.errors });
      points.set(job, list);
    }
  };
  read();
  const timer = setInterval(read, 250);
  timer.unref();

  /** The counters' increase over (from, to], live points plus the assumed history. */
  const ratio = (job: string, windowMs: number, at: number): number => {
    const list = (points.get(job) ?? []).filter((p) => p.at <= at);
    const from = at - windowMs;
    const inside = list.filter((p) => p.at >= from);
    const first = inside[0];
    const last = inside.at(-1);
    let errors = first && last ? last.errors - first.errors : 0;
    let total = first && last ? last.ok + last.errors - (first.ok + first.errors) : 0;
    const before = Math.max(0, Math.min(windowMs, t0 - from) / 1000);
    total += before * opts.history.rps;
    errors += before * opts.history.rps * opts.history.errorRatio;
    return total > 0 ? errors / total : NaN;
  };

  const answer = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v1/query') {
      answer(res, 404, { status: 'error', errorType: 'not_found', error: 'not found' });
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const query = params.get('query') ?? '';
      const time = params.get('time');
      const at = time ? Math.round(Number(time) * 1000) : Date.now();
      const m = QUERY.exec(query);
      const job = m?.[1];
      const windowMs = durationMs(m?.[2] ?? '');
      if (!m || job === undefined || !(job in opts.jobs) || !Number.isFinite(windowMs)) {
        answer(res, 400, {
          status: 'error',
          errorType: 'bad_data',
          error: `the simulated Prometheus of the demo only answers the error ratio of a job's http_requests_total (jobs: ${Object.keys(opts.jobs).join(', ')})`,
        });
        return;
      }
      const v = ratio(job, windowMs, at);
      answer(res, 200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [at / 1000, Number.isNaN(v) ? 'NaN' : String(v)] }],
        },
      });
    });
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.url,
    close: () => {
      clearInterval(timer);
      return listening.close();
    },
  };
}
