/**
 * Traffic for Prometheus tests: a loopback exporter serving `/metrics` in the Prometheus text
 * format, and the same counters as OpenMetrics history for `promtool` to backfill.
 *
 * Both expose `http_requests_total{job="checkout",code="200"|"500"}`: requests arrive at `rps`
 * per second and a fraction `errorRatio` of them fail with 500, so
 * `sum(rate(http_requests_total{job="checkout",code=~"5.."}[W])) / sum(rate(http_requests_total{job="checkout"}[W]))`
 * is `errorRatio`.
 */
import http from 'node:http';
import { listenLoopback } from './listen.js';

export interface Exporter {
  /** `http://127.0.0.1:PORT/metrics` */
  url: string;
  /** `127.0.0.1:PORT`, for a scrape config. */
  target: string;
  /** The share of requests that fail from now on, 0..1. */
  setErrorRatio(ratio: number): void;
  /** Requests per second from now on. */
  setRate(rps: number): void;
  /** How many times `/metrics` was read. */
  readonly scrapes: number;
  /** The counters as the next scrape would show them. */
  counters(): { ok: number; errors: number };
  close(): Promise<void>;
}

export interface ExporterOptions {
  errorRatio?: number;
  rps?: number;
  job?: string;
}

function checkRatio(r: number): number {
  if (!(r >= 0 && r <= 1)) throw new RangeError(`error ratio must be within 0..1, got ${r}`);
  return r;
}

function checkRate(rps: number): number {
  if (!(rps >= 0) || !Number.isFinite(rps))
    throw new RangeError(`request rate must be >= 0, got ${rps}`);
  return rps;
}

function series(job: string, code: string): string {
  return `http_requests_total{job="${job}",code="${code}"}`;
}

/**
 * The counters advance with time at the current rate and ratio: every read (a scrape, a
 * setter, counters()) first adds the requests of the time since the previous one. That is a
 * timer without the timer: counts are exact at scrape time and nothing keeps the process alive.
 */
export async function startExporter(opts: ExporterOptions = {}): Promise<Exporter> {
  const job = opts.job ?? 'checkout';
  let ratio = checkRatio(opts.errorRatio ?? 0);
  let rps = checkRate(opts.rps ?? 100);
  let ok = 0;
  let errors = 0;
  let last = performance.now();
  let scrapes = 0;

  const advance = (): void => {
    const now = performance.now();
    const requests = (rps * (now - last)) / 1000;
    last = now;
    errors += requests * ratio;
    ok += requests * (1 - ratio);
  };
  const counters = (): { ok: number; errors: number } => {
    advance();
    return { ok: Math.floor(ok), errors: Math.floor(errors) };
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    scrapes++;
    const c = counters();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(
      [
        '# HELP http_requests_total Requests served, by status code.',
        '# TYPE http_requests_total counter',
        `${series(job, '200')} ${c.ok}`,
        `${series(job, '500')} ${c.errors}`,
        '',
      ].join('\n'),
    );
  });
  const listening = await listenLoopback(server);
  const target = `127.0.0.1:${listening.port}`;

  return {
    url: `http://${target}/metrics`,
    target,
    setErrorRatio(r) {
      advance();
      ratio = checkRatio(r);
    },
    setRate(r) {
      advance();
      rps = checkRate(r);
    },
    get scrapes() {
      return scrapes;
    },
    counters,
    close: () => listening.close(),
  };
}

export interface BackfillOptions {
  days: number;
  /** 0..1 */
  errorRatio: number;
  rps: number;
  /** The last sample's time; must not be in the future (Prometheus's head starts there). */
  end: Date;
  /** Default 5 minutes. */
  stepMs?: number;
  job?: string;
  /** Added as an `instance` label so the history is told apart from live scrapes; default `backfill`. */
  instance?: string;
}

/**
 * OpenMetrics text (ending in `# EOF`) of the exporter's counters over `days` up to `end`, one
 * sample per step, for `promtool tsdb create-blocks-from openmetrics`. Counters are whole
 * numbers (errors rounded down), so the error ratio over the whole history is `errorRatio`
 * within 1 / (total requests).
 */
export function backfillOpenMetrics(opts: BackfillOptions): string {
  const stepMs = opts.stepMs ?? 300_000;
  const steps = Math.round((opts.days * 86_400_000) / stepMs);
  const endMs = opts.end.getTime();
  const ratio = checkRatio(opts.errorRatio);
  const rps = checkRate(opts.rps);
  const job = opts.job ?? 'checkout';
  const instance = opts.instance ?? 'backfill';
  const perStep = (rps * stepMs) / 1000;
  const okLines: string[] = [];
  const errorLines: string[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = ((endMs - (steps - i) * stepMs) / 1000).toFixed(3);
    const total = Math.round(perStep * i);
    const errors = Math.floor(total * ratio + 1e-9);
    okLines.push(
      `http_requests_total{job="${job}",instance="${instance}",code="200"} ${total - errors} ${t}`,
    );
    errorLines.push(
      `http_requests_total{job="${job}",instance="${instance}",code="500"} ${errors} ${t}`,
    );
  }
  return [
    '# HELP http_requests Requests served, by status code.',
    '# TYPE http_requests counter',
    ...okLines,
    ...errorLines,
    '# EOF',
    '',
  ].join('\n');
}
