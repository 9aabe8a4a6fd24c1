/**
 * `npm run bench [-- --short]`: how fast chaos-gate is, against the loopback simulators, in one
 * run. Prints a table of figures next to their targets (issue 8, item 3) and writes
 * bench/results.json with the machine they came from. A missed target is a figure, not a
 * failure: the exit code is 0 unless something went wrong (an experiment that did not pass,
 * something left in the cluster, a crash).
 *
 *   (a) orchestration overhead: wall time minus the experiments' own critical path
 *   (b) verdict detection latency: controller's final status in the store -> engine's line
 *   (c) cold start of `node dist/index.js` to its first log line
 *   (d) Kubernetes requests per experiment, GitHub requests per run
 *   (e) peak RSS of the action at 200 experiments
 *   (f) bundle size
 *
 * scripts/bench.mjs bundles this file; the same bundle runs the simulated cluster in a worker
 * thread (./sim-worker.ts), chosen by `workerData.role`.
 */
import * as core from '@actions/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { fileSink, Ledger, type LedgerSink } from '../src/engine/ledger.js';
import { State } from '../src/constants.js';
import { SimCluster } from './cluster.js';
import { measureGitHub, type GitHubEvent, type GitHubRun } from './github.js';
import {
  engineParts,
  measureSuite,
  serialBreakdown,
  type SuiteMeasurement,
} from './orchestration.js';
import { bundleSize, coldStart, runAction, type ActionRun, type ColdStart } from './processes.js';
import { runSimWorker, type SimWorkerData } from './sim-worker.js';
import { clock, distribution, round, sum } from './stats.js';
import { KINDS, NOMINAL_SIM_MS, writeSuite } from './suites.js';
import { met, renderTable, type Figure } from './table.js';

interface Options {
  short: boolean;
  /** Simulated time per real time of the controllers. */
  timeScale: number;
  /** Suites of (a): [experiments, maxParallel]. */
  suites: [number, number][];
  coldStartRuns: number;
  /** Sizes of the action runs of (e); the last is the one with the target. */
  actionSizes: number[];
  githubEvents: GitHubEvent[];
  out: string;
}

const USAGE = `usage: npm run bench [-- OPTIONS]
  --short          CI mode: smaller suites, fewer cold starts (also BENCH_SHORT=1)
  --suites LIST    the suites of (a), as NxP (N experiments, maxParallel P): e.g. 10x1,50x10
  --action-size N  experiments in the action run of (e) with the target (default 200)
  --time-scale X   simulated time per real time of the simulated controllers (default 0.1)
  --out FILE       where the results go (default bench/results.json)`;

function parseSuites(v: string): [number, number][] {
  return v.split(',').map((x) => {
    const m = /^(\d+)x(\d+)$/.exec(x.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
      throw new Error(`Invalid --suites entry '${x}'. Expected NxP, e.g. 10x1.`);
    return [Number(m[1]), Number(m[2])];
  });
}

function parseArgs(argv: string[], root: string): Options {
  let short = process.env.BENCH_SHORT === '1' || process.env.BENCH_SHORT === 'true';
  let timeScale = 0.1;
  let out = path.join(root, 'bench', 'results.json');
  let suites: [number, number][] | undefined;
  let actionSize = 200;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--short') short = true;
    else if (a === '--time-scale') {
      const v = value();
      timeScale = Number(v);
      if (!(timeScale > 0 && timeScale <= 1))
        throw new Error(`Invalid --time-scale '${v}'. Expected a number in (0, 1].`);
    } else if (a === '--out') out = path.resolve(value());
    else if (a === '--suites') suites = parseSuites(value());
    else if (a === '--action-size') {
      const v = value();
      actionSize = Number(v);
      if (!Number.isInteger(actionSize) || actionSize < 1)
        throw new Error(`Invalid --action-size '${v}'. Expected a positive integer.`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`Unknown argument '${a}'.\n${USAGE}`);
  }
  return {
    short,
    timeScale,
    suites:
      suites ??
      (short
        ? [
            [1, 1],
            [10, 1],
            [10, 10],
            [50, 10],
          ]
        : [
            [1, 1],
            [10, 1],
            [50, 1],
            [1, 10],
            [10, 10],
            [50, 10],
          ]),
    coldStartRuns: short ? 5 : 15,
    actionSizes: short ? [actionSize] : [20, actionSize],
    githubEvents: short ? ['deployment_status'] : ['pull_request', 'deployment_status'],
    out,
  };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const MB = 1024 * 1024;

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

interface KindRequests {
  experiments: number;
  prepare: number;
  start: number;
  wait: number;
  cleanup: number;
  /** Requests of the kind's resources not attributable to a phase (creates, in parallel runs). */
  unattributed: number;
  total: number;
  /** Prepare requests by kind of call, per experiment (dry runs name no object). */
  prepareOps: Record<string, number>;
  /** The requests of its first experiment after the prepare, in order. */
  calls: string[];
}

/** Requests per experiment by kind (by the resources they name) and phase, and the per-run ones. */
function requestsPerKind(m: SuiteMeasurement): {
  perRun: string[];
  kinds: Record<string, KindRequests>;
} {
  const perRun = m.requests.filter((r) => r.kind === 'run').map((r) => `${r.phase} ${r.op}`);
  const kinds: Record<string, KindRequests> = {};
  for (const k of KINDS) {
    const n = m.timelines.filter((t) => t.kind === k).length;
    if (!n) continue;
    const mine = m.requests.filter((r) => r.kind === k);
    const phase = (p: string): number => mine.filter((r) => r.phase === p).length / n;
    const first = m.timelines.find((t) => t.kind === k)?.name;
    kinds[k] = {
      experiments: n,
      prepare: phase('prepare'),
      start: phase('start'),
      wait: phase('wait'),
      cleanup: phase('cleanup'),
      unattributed: phase('during') + phase('after'),
      total: mine.length / n,
      prepareOps: mine
        .filter((r) => r.phase === 'prepare')
        .reduce<Record<string, number>>((acc, r) => {
          acc[r.op] = (acc[r.op] ?? 0) + 1 / n;
          return acc;
        }, {}),
      calls: mine
        .filter((r) => r.experiment === first && r.phase !== 'prepare')
        .map((r) => `${r.phase} ${r.op}`),
    };
  }
  return { perRun, kinds };
}

/** What one ledger change costs the event loop: the file under RUNNER_TEMP and the action's state. */
function ledgerSaveCost(
  dir: string,
  entries: number,
): { fileMs: ReturnType<typeof distribution>; stateMs: ReturnType<typeof distribution> } {
  const fileTimes: number[] = [];
  const stateTimes: number[] = [];
  const file = fileSink(path.join(dir, 'ledger', 'bench.ledger.json'));
  const timedFile: LedgerSink = (d) => {
    const t = clock();
    file(d);
    fileTimes.push(clock() - t);
  };
  const timedState: LedgerSink = (d) => {
    const t = clock();
    core.saveState(State.Ledger, JSON.stringify(d));
    stateTimes.push(clock() - t);
  };
  const ledger = new Ledger('bench', [timedFile, timedState]);
  for (let i = 0; i < 100; i++) {
    const e = ledger.add({
      provider: 'chaos-mesh',
      experiment: `e${i}`,
      target: {
        type: 'kubernetes',
        ref: {
          group: 'chaos-mesh.org',
          version: 'v1alpha1',
          plural: 'podchaos',
          kind: 'PodChaos',
          namespace: 'shop',
          name: `bench-e${i}-abcde`,
        },
      },
    });
    ledger.created(e.id, `uid-${i}`);
    if (ledger.size > entries) ledger.remove(ledger.entries()[0]?.id ?? '');
  }
  return { fileMs: distribution(fileTimes, 2), stateMs: distribution(stateTimes, 2) };
}

async function main(): Promise<void> {
  const root = process.env.BENCH_ROOT ?? process.cwd();
  const opts = parseArgs(process.argv.slice(2), root);
  const temp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-bench-run-'));
  try {
    await bench(root, opts, temp);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

async function bench(root: string, opts: Options, temp: string): Promise<void> {
  const started = clock();
  // The in-process runs save the ledger to the action's state as the action does (core.saveState).
  process.env.GITHUB_STATE = path.join(temp, 'github-state');
  writeFileSync(process.env.GITHUB_STATE, '');
  const dirFor = (name: string): string => {
    const d = path.join(temp, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  say(
    `chaos-gate bench (${opts.short ? 'short' : 'full'}): SIMULATED providers on 127.0.0.1, controllers at timeScale ${opts.timeScale}`,
  );
  say(
    `  experiment kinds (real ms, verdict + cleanup): ${KINDS.map((k) => `${k} ${Math.round((NOMINAL_SIM_MS[k].verdict + NOMINAL_SIM_MS[k].cleanup) * opts.timeScale)}`).join(', ')}`,
  );

  // (c) first, while nothing else runs on the machine.
  say(`(c) cold start of dist/index.js, ${opts.coldStartRuns} runs...`);
  const cold: ColdStart = await coldStart(root, opts.coldStartRuns, dirFor('cold-start'));

  const cluster = await SimCluster.start(new URL(import.meta.url), {
    timeScale: opts.timeScale,
    root,
    token: 'bench-token-not-a-secret',
  });
  const runs: SuiteMeasurement[] = [];
  let warm: SuiteMeasurement;
  let github: GitHubRun[];
  const actions: { run: ActionRun; requests: number; connections: number }[] = [];
  try {
    // The first run of a process pays for compiling the engine's code paths: measured on its
    // own, then the figures come from warm runs (each action run is a fresh process: see docs).
    warm = await measureSuite(
      cluster,
      writeSuite(dirFor('warm-up'), { n: 3, maxParallel: 1, timeScale: opts.timeScale }),
      {
        label: 'first run in the process (3 experiments, maxParallel 1)',
        tempDir: dirFor('warm-up'),
      },
    );
    say(
      `  first run in the process: ${s(warm.wallMs)} for ${s(warm.idealMs)} of chaos (preparing took ${Math.round(warm.prepareMs)} ms)`,
    );
    for (const [n, mp] of opts.suites) {
      const dir = dirFor(`suite-${n}x${mp}`);
      const label = `${n} experiment${n === 1 ? '' : 's'}, maxParallel ${mp}`;
      const m = await measureSuite(
        cluster,
        writeSuite(dir, { n, maxParallel: mp, timeScale: opts.timeScale }),
        { label, tempDir: dir },
      );
      runs.push(m);
      say(
        `(a) ${label}: wall ${s(m.wallMs)}, ideal ${s(m.idealMs)}, overhead ${Math.round(m.overheadMs)} ms, ${m.requests.length} Kubernetes requests`,
      );
    }
    const forReports = runs.find((m) => m.n === 10 && m.maxParallel === 1) ?? runs[0];
    if (!forReports) throw new Error('no run to report');
    say('(d) GitHub reports...');
    github = await measureGitHub(
      forReports.suite,
      forReports.report,
      dirFor('github'),
      opts.githubEvents,
    );

    for (const size of opts.actionSizes) {
      say(`(e) the action (dist/index.js) with ${size} experiments, maxParallel 10...`);
      const ws = dirFor(`action-${size}`);
      writeSuite(ws, { n: size, maxParallel: 10, timeScale: opts.timeScale });
      const kubeconfigFile = path.join(ws, 'kubeconfig.yaml');
      writeFileSync(kubeconfigFile, cluster.kubeconfig, { mode: 0o600 });
      const run = await runAction(root, {
        workspace: ws,
        kubeconfigFile,
        experiments: size,
        maxParallel: 10,
      });
      const after = await cluster.collect();
      if (run.exitCode !== 0 || run.verdict !== 'pass' || after.leftovers.length)
        throw new Error(
          `the action run ended with exit code ${run.exitCode}, verdict ${run.verdict}${after.leftovers.length ? `, left behind: ${after.leftovers.join(', ')}` : ''}`,
        );
      actions.push({ run, requests: after.requests.length, connections: after.connections });
    }
  } finally {
    await cluster.close();
  }
  const last = actions[actions.length - 1];
  if (!last) throw new Error('no action run');
  const action = last.run;
  const ledger = ledgerSaveCost(temp, 10);
  const bundle = bundleSize(root, action.loadedFromDist);

  // ---- figures -------------------------------------------------------------------------------
  const figures: Figure[] = [];
  for (const m of runs) {
    const per10 = m.n > 10 ? `, ${Math.round((m.overheadMs * 10) / m.n)} ms per 10` : '';
    figures.push({
      part: 'a',
      measure: `overhead, ${m.n} exp., maxParallel ${m.maxParallel}`,
      value: m.overheadMs,
      unit: 'ms',
      detail: `(wall ${s(m.wallMs)}, ideal ${s(m.idealMs)}${per10})`,
      ...(m.n === 10
        ? { target: { op: '<' as const, value: 1000, text: '< 1 s per suite of 10' } }
        : {}),
    });
  }
  const big = runs.find((m) => m.n === 50 && m.maxParallel === 10);
  if (big)
    figures.push({
      part: 'a',
      measure: '50 exp. at maxParallel 10, wall / ideal',
      value: big.ratio,
      unit: 'x',
      detail: `(${s(big.wallMs)} / ${s(big.idealMs)})`,
      target: { op: '<=', value: 1.1, text: '<= 1.1x ideal' },
    });
  const detections = runs.flatMap((m) => m.timelines.map((t) => t.detectionMs));
  const det = distribution(detections);
  const detBy = (pred: (m: SuiteMeasurement) => boolean): ReturnType<typeof distribution> =>
    distribution(runs.filter(pred).flatMap((m) => m.timelines.map((t) => t.detectionMs)));
  figures.push(
    {
      part: 'b',
      measure: `verdict detection p50 (Kubernetes, n=${det.n})`,
      value: det.p50,
      unit: 'ms',
    },
    {
      part: 'b',
      measure: `verdict detection p95 (Kubernetes, n=${det.n})`,
      value: det.p95,
      unit: 'ms',
      detail: `(maxParallel 1: ${detBy((m) => m.maxParallel === 1).p95} ms, 10: ${detBy((m) => m.maxParallel > 1).p95} ms; max ${det.max} ms)`,
      target: { op: '<', value: 250, text: '< 250 ms' },
    },
    {
      part: 'c',
      measure: `cold start to first log line (median of ${cold.runs})`,
      value: cold.medianMs,
      unit: 'ms',
      detail: `(min ${Math.round(cold.minMs)}, max ${Math.round(cold.maxMs)}; node alone ${Math.round(cold.nodeBaselineMedianMs)} ms; in the process: bootstrap ${Math.round(cold.nodeBootstrapMs)} + import ${Math.round(cold.importToFirstLineMs)} ms)`,
      target: { op: '<', value: 300, text: '< 300 ms' },
    },
  );
  const serial = [...runs].filter((m) => m.maxParallel === 1).sort((a, b) => b.n - a.n)[0];
  const perKind = serial ? requestsPerKind(serial) : undefined;
  const perKindParallel = big ? requestsPerKind(big) : undefined;
  if (big)
    figures.push({
      part: 'd',
      measure: `Kubernetes requests per experiment (run of 50)`,
      value: big.requests.length / big.n,
      unit: 'requests',
      detail: `(${big.requests.length} in all)`,
      target: { op: '<=', value: 8, text: '<= 8' },
    });
  for (const [k, v] of Object.entries(perKind?.kinds ?? {}))
    figures.push({
      part: 'd',
      measure: `  of which ${k}`,
      value: v.total,
      unit: 'requests',
      detail: `(prepare ${round(v.prepare)}, start ${round(v.start)}, wait ${round(v.wait)}, cleanup ${round(v.cleanup)})`,
      target: { op: '<=', value: 8, text: '<= 8' },
    });
  figures.push({
    part: 'd',
    measure: `Kubernetes requests per experiment (action, ${action.experiments})`,
    value: last.requests / action.experiments,
    unit: 'requests',
    detail: `(${last.connections} TLS connections)`,
    target: { op: '<=', value: 8, text: '<= 8' },
  });
  for (const g of github)
    figures.push({
      part: 'd',
      measure: `GitHub requests, ${g.event}, ${g.run} run`,
      value: g.requests,
      unit: 'requests',
      detail: `(${s(g.startMs + g.finishMs)})`,
      target: { op: '<=', value: 5, text: '<= 5 per run' },
    });
  for (const { run } of actions)
    figures.push({
      part: 'e',
      measure: `peak RSS, action with ${run.experiments} experiments`,
      value: run.maxRssBytes / MB,
      unit: 'MB',
      detail: `(V8 heap ${Math.round(run.peakBytes.heapTotal / MB)} MB, live after GC ${run.heapUsedAfterGcBytes !== undefined ? Math.round(run.heapUsedAfterGcBytes / MB) : '?'} MB; ${s(run.wallMs)})`,
      ...(run === action ? { target: { op: '<' as const, value: 150, text: '< 150 MB' } } : {}),
    });
  figures.push(
    {
      part: 'f',
      measure: `dist/ (${bundle.distFiles} files)`,
      value: bundle.distBytes / 1024,
      unit: 'KB',
      detail: `(gzip ${Math.round(bundle.distGzipBytes / 1024)} KB)`,
    },
    {
      part: 'f',
      measure: `loaded by a run (index.js + ${bundle.runFiles - 1} chunks)`,
      value: bundle.runBytes / 1024,
      unit: 'KB',
      detail: `(gzip ${Math.round(bundle.runGzipBytes / 1024)} KB)`,
    },
  );

  const table = renderTable(figures);
  say('');
  say(table);
  const missed = figures.filter((f) => met(f) === false).map((f) => f.measure.trim());
  say('');
  say(missed.length ? `Targets missed: ${missed.join('; ')}.` : 'Every target met.');
  if (bundle.srcChangedSinceDist)
    say(
      `Note: src/ changed since dist/ was last rebuilt (${bundle.distCommit ?? '?'}): (c), (e) and (f) measure the committed bundle.`,
    );

  const summary = (m: SuiteMeasurement): Record<string, unknown> => ({
    label: m.label,
    experiments: m.n,
    maxParallel: m.maxParallel,
    wallMs: round(m.wallMs),
    idealMs: round(m.idealMs),
    overheadMs: round(m.overheadMs),
    ratio: round(m.ratio, 3),
    controllersCriticalPathMs: round(m.controllerPathMs),
    overheadBeyondControllersMs: round(m.wallMs - m.controllerPathMs),
    prepareMs: round(m.prepareMs),
    tailMs: round(m.tailMs),
    engineEventLoopUtilization: round(m.eventLoopUtilization, 3),
    engineBusyMs: round(m.engineBusyMs),
    processCpuMs: round(m.cpuMs),
    perExperimentMedians: Object.fromEntries(
      Object.entries(engineParts(m.timelines)).map(([k, v]) => [k, round(v)]),
    ),
    ...(m.maxParallel <= 1
      ? {
          serialBreakdownMs: Object.fromEntries(
            Object.entries(serialBreakdown(m)).map(([k, v]) => [k, round(v)]),
          ),
        }
      : {}),
    detectionMs: distribution(m.timelines.map((t) => t.detectionMs)),
    kubernetes: {
      requests: m.requests.length,
      perExperiment: round(m.requests.length / m.n, 2),
      connections: m.connections,
      byOp: Object.fromEntries(
        Object.entries(
          m.requests.reduce<Record<string, number>>((acc, r) => {
            acc[r.op] = (acc[r.op] ?? 0) + 1;
            return acc;
          }, {}),
        ).sort((a, b) => b[1] - a[1]),
      ),
      watchNotes: m.watchNotes.length,
    },
  });
  const results = {
    schema: 1,
    date: new Date().toISOString(),
    mode: opts.short ? 'short' : 'full',
    machine: machine(),
    settings: {
      timeScale: opts.timeScale,
      kubernetesApi: 'loopback (TLS, bearer token), simulated controllers in a worker thread',
      experimentKinds: Object.fromEntries(
        KINDS.map((k) => [
          k,
          {
            verdictMs: NOMINAL_SIM_MS[k].verdict * opts.timeScale,
            cleanupMs: NOMINAL_SIM_MS[k].cleanup * opts.timeScale,
          },
        ]),
      ),
    },
    figures: figures.map((f) => ({
      part: f.part,
      measure: f.measure.trim(),
      value: round(f.value, 2),
      unit: f.unit,
      ...(f.detail ? { detail: f.detail } : {}),
      ...(f.target ? { target: f.target.text, met: met(f) } : {}),
    })),
    table,
    orchestration: {
      firstRunInProcess: summary(warm),
      runs: runs.map(summary),
    },
    detection: {
      all: det,
      maxParallel1: detBy((m) => m.maxParallel === 1),
      maxParallel10: detBy((m) => m.maxParallel > 1),
      litmus: distribution(
        runs.flatMap((m) =>
          m.timelines.filter((t) => t.kind === 'litmus').map((t) => t.detectionMs),
        ),
      ),
      chaosMesh: distribution(
        runs.flatMap((m) =>
          m.timelines.filter((t) => t.kind !== 'litmus').map((t) => t.detectionMs),
        ),
      ),
    },
    kubernetesRequests: {
      fromRun: serial?.label,
      perRun: perKind?.perRun,
      perKind: perKind?.kinds,
      perKindAtMaxParallel10: perKindParallel && { fromRun: big?.label, ...perKindParallel },
      action: {
        experiments: action.experiments,
        requests: last.requests,
        connections: last.connections,
      },
    },
    github,
    coldStart: cold,
    memory: actions.map(({ run, requests, connections }) => ({
      experiments: run.experiments,
      maxParallel: run.maxParallel,
      wallMs: round(run.wallMs),
      maxRssBytes: run.maxRssBytes,
      peakBytes: run.peakBytes,
      heapUsedAfterGcBytes: run.heapUsedAfterGcBytes,
      stdoutLines: run.stdoutLines,
      githubStateFileBytes: run.stateFileBytes,
      kubernetesRequests: requests,
      connections,
    })),
    bundle: { ...bundle, loadedByRun: action.loadedFromDist },
    engineInternals: {
      ledgerSaveToFileMs: ledger.fileMs,
      ledgerSaveToStateMs: ledger.stateMs,
      note: 'each ledger change (3 per Kubernetes experiment) runs both sinks synchronously',
    },
    durationMs: round(clock() - started),
  };
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  const shown = path.relative(root, opts.out);
  say(`Wrote ${shown.startsWith('..') ? opts.out : shown} (${s(clock() - started)}).`);
  say(`Total time in the runs of (a): ${s(sum(runs.map((m) => m.wallMs)))}.`);
}

if (!isMainThread && (workerData as SimWorkerData | undefined)?.role === 'sim') {
  await runSimWorker(workerData as SimWorkerData);
} else {
  try {
    await main();
  } catch (err) {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  }
}
