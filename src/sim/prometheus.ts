/**
 * A real Prometheus for integration tests (Debian's `prometheus` 2.42 and `promtool`, installed by
 * .ci/run): a temporary config and data directory under os.tmpdir(), optional history backfilled
 * with `promtool tsdb create-blocks-from openmetrics` before the start, 127.0.0.1 on a free port,
 * ready once `/-/ready` answers 200. Its output goes to a log file that a failed start shows
 * (the directory is then removed).
 * close() stops it (SIGTERM, then SIGKILL after 5 s) and removes the directory; a watchdog stops
 * it too when the test process ends in any way (see WATCHDOG), so no Prometheus outlives the test
 * run. Start one instance per test file.
 *
 * Quirks found with 2.42:
 * - promtool cuts backfilled history into blocks aligned to the largest of 2h * 3^k (2h, 6h,
 *   18h, 54h, 162h, 486h...) not above `--max-block-duration` (default 2h). 28 days at 2 h is
 *   ~340 blocks and takes ~12 s; `--max-block-duration=744h` (a Go duration: `31d` is refused)
 *   gives 486 h blocks, 2-3 of them, in ~0.3 s.
 * - Backfilled blocks are queryable as soon as `/-/ready` answers; no flag is needed.
 * - Blocks past the retention (default 15d) are deleted by the TSDB:
 *   `--storage.tsdb.retention.time=60d` keeps a 28-day history whole.
 * - The TSDB head starts at the newest block's end and refuses older samples, so backfilled
 *   history must end in the past (`end` <= now) or live scrapes would be dropped.
 * - The scrape manager applies targets after ~5 s (its reload is throttled), so the first scrape
 *   of a target comes ~5-6 s after the start whatever the scrape interval.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './listen.js';

export interface PrometheusOptions {
  /** `host:port` of each target, scraped at `/metrics` (the exporter's own labels kept). */
  scrapeTargets?: string[];
  /** Default 1000 ms. */
  scrapeIntervalMs?: number;
  /** OpenMetrics text (ending in `# EOF`) backfilled into the data directory before the start. */
  backfill?: string;
  /** How long to wait for `/-/ready`; default 20 s. */
  readyTimeoutMs?: number;
}

export interface TestPrometheus {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Prometheus's stdout and stderr. */
  logFile: string;
  /** The log so far (for a failing assertion's message). */
  log(): string;
  close(): Promise<void>;
}

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const INSTALL_HINT =
  "install Debian's prometheus package (apt-get install prometheus, as .ci/run does) or set PROMETHEUS_BIN/PROMTOOL_BIN";

function tail(file: string, chars = 4000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > chars ? `...${text.slice(-chars)}` : text;
  } catch {
    return '(no log)';
  }
}

function config(targets: string[], intervalMs: number): string {
  const interval = `${Math.max(1, Math.round(intervalMs))}ms`;
  const lines = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
  ];
  if (targets.length === 0) return `${lines.join('\n')} []\n`;
  lines.push(
    '  - job_name: chaos-gate-test',
    // The exporter sets job="checkout" itself, as a real service's exporter behind a proxy would.
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
  );
  return `${lines.join('\n')}\n`;
}

function backfill(openMetrics: string, dir: string, logFile: string): Promise<void> {
  const input = path.join(dir, 'backfill.om');
  writeFileSync(input, openMetrics.endsWith('\n') ? openMetrics : `${openMetrics}\n`);
  return new Promise((resolve, reject) => {
    execFile(
      PROMTOOL,
      [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '--quiet',
        '--max-block-duration=744h', // a Go duration: no "d" unit
        input,
        path.join(dir, 'data'),
      ],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        writeFileSync(logFile, `== promtool\n${stdout}${stderr}`, { flag: 'a' });
        if (!err) return resolve();
        const code = (err as NodeJS.ErrnoException).code;
        reject(
          new Error(
            code === 'ENOENT'
              ? `promtool not found (${PROMTOOL}): ${INSTALL_HINT}`
              : `promtool could not backfill the history: ${err.message}`,
          ),
        );
      },
    );
  });
}

/**
 * Prometheus runs under a small sh watchdog whose stdin is a pipe from this process: the pipe
 * closes when close() ends it or when this process dies in any way (an exit, a crash, SIGKILL,
 * Jest giving up on a worker), and the watchdog then stops Prometheus (SIGTERM, SIGKILL after
 * 5 s). An `exit` hook would not do: inside Jest, `process` is the sandbox's copy and its `exit`
 * listeners never run. The watchdog exits with Prometheus's exit code (127: not installed).
 */
const WATCHDOG = `
exec 3<&0
"$0" "$@" </dev/null 3<&- &
pid=$!
(
  cat <&3 >/dev/null
  kill -TERM "$pid" 2>/dev/null || exit 0
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null
) &
exec 3<&-
wait "$pid"
`;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Ends the watchdog's stdin (it stops Prometheus) and waits until both are gone. */
async function stop(child: ChildProcess): Promise<void> {
  child.stdin?.destroy();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

async function launch(
  dir: string,
  logFile: string,
  readyTimeoutMs: number,
): Promise<{ child: ChildProcess; url: string } | 'port-taken'> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'sh',
      [
        '-c',
        WATCHDOG,
        PROMETHEUS,
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        '--storage.tsdb.retention.time=60d',
        '--log.level=info',
      ],
      { stdio: ['pipe', log, log], cwd: dir },
    );
  } finally {
    closeSync(log);
  }
  // Neither the child nor the pipe holds the test process open: a forgotten close() does not
  // hang Jest, and the pipe closing at exit stops Prometheus.
  child.unref();
  (child.stdin as (typeof child.stdin & { unref?: () => void }) | null)?.unref?.();
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`prometheus could not be started: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      child.stdin?.destroy();
      if (child.exitCode === 127)
        throw new Error(`prometheus not found (${PROMETHEUS}): ${INSTALL_HINT}`);
      if (/address already in use/.test(tail(logFile))) return 'port-taken';
      throw new Error(
        `prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready; its log:\n${tail(logFile)}`,
      );
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(
        `prometheus was not ready within ${readyTimeoutMs} ms; its log:\n${tail(logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startPrometheus(opts: PrometheusOptions = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-prometheus-'));
  const logFile = path.join(dir, 'prometheus.log');
  writeFileSync(logFile, '');
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    config(opts.scrapeTargets ?? [], opts.scrapeIntervalMs ?? 1000),
  );
  let started: { child: ChildProcess; url: string } | undefined;
  try {
    if (opts.backfill !== undefined) await backfill(opts.backfill, dir, logFile);
    for (let i = 0; i < 3 && !started; i++) {
      const r = await launch(dir, logFile, opts.readyTimeoutMs ?? 20_000);
      if (r !== 'port-taken') started = r;
    }
    if (!started)
      throw new Error(`prometheus found no free port in 3 attempts; its log:\n${tail(logFile)}`);
  } finally {
    // A failed start leaves nothing behind: its message carries the log.
    if (!started) rmSync(dir, { recursive: true, force: true });
  }
  const { child, url } = started;
  return {
    url,
    logFile,
    log: () => tail(logFile, 20_000),
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
