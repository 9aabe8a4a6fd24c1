/**
 * What is measured on the committed bundle, in child processes of this Node (24):
 * (c) cold start of `node dist/index.js` to its first log line, (e) peak RSS of the action
 * running 200 experiments against the simulated cluster, (f) the bundle's size, all of dist/ and
 * what a run loads (recorded in the run of (e) by ./preload.mjs).
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { clock, median } from './stats.js';

export interface SpawnTiming {
  /** Spawn -> first byte on stdout. */
  firstLineMs: number;
  /** Spawn -> exit. */
  exitMs: number;
  code: number | null;
  firstLine: string;
}

function timeSpawn(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<SpawnTiming> {
  return new Promise((resolve, reject) => {
    const t0 = clock();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let first: number | undefined;
    let firstLine = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (first === undefined) {
        first = clock();
        firstLine = chunk.toString('utf8').split('\n')[0] ?? '';
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const end = clock();
      resolve({ firstLineMs: (first ?? end) - t0, exitMs: end - t0, code, firstLine });
    });
  });
}

export interface StartupModule {
  file: string;
  bytes: number;
  /** What the chunk is mostly, from marker strings. */
  holds: string;
}

export interface ColdStart {
  runs: number;
  /** Node's own start (performance.nodeTiming.bootstrapComplete), median. */
  nodeBootstrapMs: number;
  /** From the entry's import to its first write on stdout, in the process, median. */
  importToFirstLineMs: number;
  /** What dist/index.js loads before its first line, largest first. */
  startupModules: StartupModule[];
  /** The first spawn of the bench (file cache possibly cold), not in the median. */
  firstMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianExitMs: number;
  /** `node -e` writing one line: what Node itself costs. */
  nodeBaselineMedianMs: number;
  firstLine: string;
}

/** (c) `node dist/index.js`, dry run, with a suite path that does not exist: it fails fast. */
export async function coldStart(root: string, runs: number, tempDir: string): Promise<ColdStart> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    INPUT_MODE: 'dry-run',
    INPUT_SUITE: path.join(tempDir, 'no-such-dir', 'suite.yml'),
  };
  const index = path.join(root, 'dist', 'index.js');
  const first = await timeSpawn([index], env, tempDir);
  if (!first.firstLine) throw new Error(`dist/index.js printed nothing (exit ${first.code})`);
  const times: SpawnTiming[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(await timeSpawn([index], env, tempDir));
    baseline.push(
      (await timeSpawn(['-e', "process.stdout.write('x\\n')"], { PATH: env.PATH }, tempDir))
        .firstLineMs,
    );
  }
  const firsts = times.map((t) => t.firstLineMs);
  // In the process: Node's bootstrap, then importing the bundle until the first write.
  const inside = `const t0 = performance.now();
let first;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (...a) => { first ??= performance.now(); return write(...a); };
process.on('exit', () => process.stderr.write('BENCH ' + JSON.stringify({ boot: performance.nodeTiming.bootstrapComplete, toFirst: first - t0 }) + '\\n'));
await import(${JSON.stringify(pathToFileURL(index).href)});`;
  const boot: number[] = [];
  const toFirst: number[] = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', inside], {
        env,
        cwd: tempDir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.on('error', reject);
      child.on('close', () => resolve(err));
    });
    const m = /^BENCH (.*)$/m.exec(text)?.[1];
    if (!m) throw new Error(`cold start probe: no figures (${text.slice(0, 300)})`);
    const v = JSON.parse(m) as { boot: number; toFirst: number };
    boot.push(v.boot);
    toFirst.push(v.toFirst);
  }
  return {
    runs,
    nodeBootstrapMs: median(boot),
    importToFirstLineMs: median(toFirst),
    startupModules: await startupModules(root, env, tempDir),
    firstMs: first.firstLineMs,
    medianMs: median(firsts),
    minMs: Math.min(...firsts),
    maxMs: Math.max(...firsts),
    medianExitMs: median(times.map((t) => t.exitMs)),
    nodeBaselineMedianMs: median(baseline),
    firstLine: first.firstLine,
  };
}

const MARKERS: [RegExp, string][] = [
  [/undici/g, 'undici (the HTTP client of @actions/core and of the Kubernetes requests)'],
  [/\bAjv\b/g, 'ajv'],
  [/YAMLParseError/g, 'yaml'],
  [/KubeConfig/g, '@kubernetes/client-node'],
  [/@aws-sdk|FISClient/g, 'AWS SDK'],
  [/octokit/gi, 'Octokit'],
];

/** The files dist/index.js loads before its first line (one run, probed by preload.mjs). */
async function startupModules(
  root: string,
  env: NodeJS.ProcessEnv,
  tempDir: string,
): Promise<StartupModule[]> {
  const probe = path.join(tempDir, 'startup-probe.json');
  const preload = pathToFileURL(path.join(root, 'bench', 'preload.mjs')).href;
  await timeSpawn(
    ['--import', preload, path.join(root, 'dist', 'index.js')],
    { ...env, BENCH_PROBE_OUT: probe },
    tempDir,
  );
  const { modules } = JSON.parse(readFileSync(probe, 'utf8')) as { modules: string[] };
  const dist = path.join(root, 'dist') + path.sep;
  return modules
    .map((u) => fileURLToPath(u))
    .filter((f) => f.startsWith(dist))
    .map((f) => {
      const text = readFileSync(f, 'utf8');
      const hits = MARKERS.map(([re, name]) => [name, text.match(re)?.length ?? 0] as const)
        .filter(([, n]) => n >= 3)
        .sort((a, b) => b[1] - a[1]);
      return {
        file: path.relative(root, f),
        bytes: Buffer.byteLength(text),
        holds: hits[0]?.[0] ?? 'chaos-gate and small dependencies',
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

export interface ActionRun {
  experiments: number;
  maxParallel: number;
  wallMs: number;
  exitCode: number | null;
  verdict: string;
  /** getrusage's ru_maxrss at exit. */
  maxRssBytes: number;
  /** Peaks sampled every 50 ms (process.memoryUsage()). */
  peakBytes: { rss: number; heapTotal: number; heapUsed: number; external: number };
  /** The live heap at exit, after a full GC: what the run really keeps. */
  heapUsedAfterGcBytes?: number;
  /** Files under dist/ the process loaded. */
  loadedFromDist: string[];
  stdoutLines: number;
  /** Size of the GITHUB_STATE file the run left (the ledger is saved there on every change). */
  stateFileBytes: number;
}

/**
 * (e) The action itself (`node dist/index.js`, `mode: run`) with a generated suite in
 * `workspace`, against the simulated cluster through `kubeconfigFile`, probed by preload.mjs.
 */
export async function runAction(
  root: string,
  opts: { workspace: string; kubeconfigFile: string; experiments: number; maxParallel: number },
): Promise<ActionRun> {
  const w = opts.workspace;
  const files = {
    probe: path.join(w, 'probe.json'),
    output: path.join(w, 'github-output'),
    state: path.join(w, 'github-state'),
    summary: path.join(w, 'step-summary.md'),
  };
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    GITHUB_WORKSPACE: w,
    RUNNER_TEMP: w,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    INPUT_SUITE: 'suite.yml',
    INPUT_MODE: 'run',
    INPUT_KUBECONFIG: opts.kubeconfigFile,
    INPUT_TIMEOUT: '30m',
    INPUT_COMMENT: 'false',
    'INPUT_CHECK-RUN': 'false',
    'INPUT_REPORT-PATH': 'report.json',
    BENCH_PROBE_OUT: files.probe,
  };
  const preload = pathToFileURL(path.join(root, 'bench', 'preload.mjs')).href;
  const t0 = clock();
  const { code, lines } = await new Promise<{ code: number | null; lines: number }>(
    (resolve, reject) => {
      // --expose-gc only lets the probe collect at exit, after the figures it reports were read.
      // BENCH_ACTION_NODE_FLAGS adds Node flags to the action, e.g. "--heap-prof".
      const extra = (process.env.BENCH_ACTION_NODE_FLAGS ?? '').split(' ').filter(Boolean);
      const args = [
        '--expose-gc',
        ...extra,
        '--import',
        preload,
        path.join(root, 'dist', 'index.js'),
      ];
      const child = spawn(process.execPath, args, {
        env,
        cwd: w,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let n = 0;
      // BENCH_ACTION_STDOUT=FILE keeps the action's output (e.g. with --trace-gc).
      const keep = process.env.BENCH_ACTION_STDOUT;
      if (keep) writeFileSync(keep, '');
      child.stdout.on('data', (c: Buffer) => {
        if (keep) appendFileSync(keep, c);
        for (const b of c) if (b === 10) n++;
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, lines: n }));
    },
  );
  const wallMs = clock() - t0;
  if (!existsSync(files.probe)) throw new Error(`the action run wrote no probe (exit ${code})`);
  const probe = JSON.parse(readFileSync(files.probe, 'utf8')) as {
    maxRssKiB: number;
    peaks: ActionRun['peakBytes'];
    heapUsedAfterGc?: number;
    modules: string[];
  };
  const verdict = /^verdict<<(\S+)\n(.*)\n/m.exec(readFileSync(files.output, 'utf8'))?.[2] ?? '?';
  const dist = path.join(root, 'dist');
  return {
    experiments: opts.experiments,
    maxParallel: opts.maxParallel,
    wallMs,
    exitCode: code,
    verdict,
    maxRssBytes: probe.maxRssKiB * 1024,
    peakBytes: probe.peaks,
    ...(probe.heapUsedAfterGc !== undefined ? { heapUsedAfterGcBytes: probe.heapUsedAfterGc } : {}),
    loadedFromDist: probe.modules
      .map((u) => fileURLToPath(u))
      .filter((f) => f.startsWith(dist + path.sep))
      .map((f) => path.relative(root, f))
      .sort(),
    stdoutLines: lines,
    stateFileBytes: statSync(files.state).size,
  };
}

export interface BundleSize {
  distFiles: number;
  distBytes: number;
  distGzipBytes: number;
  indexBytes: number;
  /** dist/index.js and every chunk a run loaded. */
  runFiles: number;
  runBytes: number;
  runGzipBytes: number;
  /** When the committed dist/ was last changed, and whether src/ changed since. */
  distCommit?: string;
  srcChangedSinceDist?: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)],
  );
}

function sizes(files: readonly string[]): { bytes: number; gzip: number } {
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const b = readFileSync(f);
    bytes += b.length;
    gzip += gzipSync(b).length;
  }
  return { bytes, gzip };
}

/** (f) */
export function bundleSize(root: string, loadedForRun: readonly string[]): BundleSize {
  const all = walk(path.join(root, 'dist'));
  const d = sizes(all);
  const run = sizes(loadedForRun.map((f) => path.join(root, f)));
  const out: BundleSize = {
    distFiles: all.length,
    distBytes: d.bytes,
    distGzipBytes: d.gzip,
    indexBytes: statSync(path.join(root, 'dist', 'index.js')).size,
    runFiles: loadedForRun.length,
    runBytes: run.bytes,
    runGzipBytes: run.gzip,
  };
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const commit = git('log', '-1', '--format=%h', '--', 'dist');
    if (commit) {
      out.distCommit = commit;
      out.srcChangedSinceDist =
        git('diff', '--name-only', commit, '--', 'src').length > 0 ||
        git('status', '--porcelain', '--', 'src').length > 0;
    }
  } catch {
    // not a git checkout: no freshness figure
  }
  return out;
}
