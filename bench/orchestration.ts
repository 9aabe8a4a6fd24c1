/**
 * (a) orchestration overhead, (b) verdict detection latency and (d) Kubernetes requests: a
 * generated suite through the real pipeline (`executeRun`, as the action calls it) against the
 * simulated cluster, with every log line and every store change timed on one clock.
 *
 * Per experiment, the engine's own lines (`starting`, `created`, `finished`, `cleaned up`) and the
 * simulator's marks (created, decisive status, delete requested, gone) give where time goes:
 *
 *   starting -> created             the create request (ledger entry first)
 *   created  -> decisive            the simulated controller (not overhead)
 *   decisive -> finished            detection: watch event -> engine
 *   finished -> delete requested    stopping the wait, the GET before the DELETE
 *   delete requested -> gone        the simulated controller's cleanup (not overhead)
 *   gone     -> cleaned up          noticing it, and what follows (ChaosResults, ledger)
 */
import * as core from '@actions/core';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeApi } from '../src/kube/api.js';
import { labelValue } from '../src/kube/names.js';
import type { Logger } from '../src/log.js';
import { executeRun, type RunReport } from '../src/pipeline.js';
import { loadSuite } from '../src/suite/load.js';
import type { Suite } from '../src/suite/model.js';
import type { SimCluster } from './cluster.js';
import type { ExperimentMarks, TimedRequest } from './sim-worker.js';
import { clock, median, sum } from './stats.js';
import { criticalPath, type GeneratedSuite, type Kind } from './suites.js';

export interface LogLine {
  at: number;
  text: string;
}

export interface ExperimentTimeline {
  name: string;
  kind: Kind;
  nominalMs: number;
  /** Engine lines. */
  starting: number;
  createdLine: number;
  finished: number;
  cleaned: number;
  /** Simulator marks. */
  marks: ExperimentMarks;
  /** decisive -> finished */
  detectionMs: number;
  /** What the simulated controller took (create -> decisive, delete -> gone). */
  controllerMs: number;
  /** The engine's part of the experiment's slot: its span minus the controller's. */
  engineMs: number;
  parts: { createMs: number; detectionMs: number; deleteLagMs: number; cleanupTailMs: number };
}

export type Phase = 'prepare' | 'start' | 'wait' | 'cleanup' | 'during' | 'after';

export interface ClassifiedRequest {
  at: number;
  /** `LIST chaosresults`, `WATCH podchaos`, `DRY-RUN chaosengines`, `GET customresourcedefinitions`. */
  op: string;
  /** The kind of experiment its resource belongs to, or `run` (the CRD checks). */
  kind: Kind | 'run';
  /** The experiment whose object it names (or, in a serial run, in whose window it fell). */
  experiment?: string;
  /**
   * `prepare`: before the first experiment started. For its experiment: `start` before the
   * `created` line, `wait` until the `finished` line, `cleanup` after. `during`: while
   * experiments ran, not attributable (a create, in a parallel run); `after`: after the last.
   */
  phase: Phase;
}

export interface SuiteMeasurement {
  label: string;
  n: number;
  maxParallel: number;
  wallMs: number;
  /** The experiments' own critical path from the nominal durations. */
  idealMs: number;
  overheadMs: number;
  /** wall / ideal */
  ratio: number;
  /** The same critical path from what the controllers actually took. */
  controllerPathMs: number;
  /** From the run's start to the first experiment's start (connect, CRD checks, dry runs). */
  prepareMs: number;
  /** From the last cleanup to the end of executeRun (gates, score). */
  tailMs: number;
  /** Engine event-loop utilisation during the run (0..1). */
  eventLoopUtilization: number;
  /** How long the engine's event loop was busy during the run, ms. */
  engineBusyMs: number;
  /** TCP connections the API server accepted during the run. */
  connections: number;
  /** CPU of the whole process (engine and simulator threads), ms. */
  cpuMs: number;
  timelines: ExperimentTimeline[];
  requests: ClassifiedRequest[];
  /** Lines about dropped watches and relists. */
  watchNotes: string[];
  report: RunReport;
  suite: Suite;
}

/** How long after a run its last requests may still arrive. */
const SETTLE_MS = 250;

const LINE = /^\[([^\]]+)\] \+\d+(?:\.\d+)?s (.*)$/;

const KIND_OF_PLURAL: Record<string, Kind> = {
  podchaos: 'mesh-kill',
  networkchaos: 'mesh-delay',
  chaosengines: 'litmus',
  chaosresults: 'litmus',
  chaosexperiments: 'litmus',
  serviceaccounts: 'litmus',
};

/** The request as `VERB plural`, with the object it names (path or field selector), if any. */
function requestOp(r: TimedRequest): {
  op: string;
  kind: Kind | 'run';
  name?: string;
  uid?: string;
} {
  const parts = r.path.split('/').filter(Boolean);
  // /api/v1/namespaces/ns/plural[/name] or /apis/group/version/namespaces/ns/plural[/name]
  // or /apis/apiextensions.k8s.io/v1/customresourcedefinitions/name
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  let plural = rest[0] ?? '';
  let name = rest[1];
  if (plural === 'namespaces' && rest.length >= 3) {
    plural = rest[2] ?? '';
    name = rest[3];
  }
  const watching = r.query.watch === 'true' || r.query.watch === '1';
  let verb: string = r.method;
  if (watching) verb = 'WATCH';
  else if (r.method === 'GET') verb = name ? 'GET' : 'LIST';
  else if (r.method === 'POST') verb = r.query.dryRun ? 'DRY-RUN' : 'CREATE';
  const named = name ?? /(?:^|,)metadata\.name=([^,]+)/.exec(r.query.fieldSelector ?? '')?.[1];
  const uid = /(?:^|,)chaosUID=([^,]+)/.exec(r.query.labelSelector ?? '')?.[1];
  return {
    op: `${verb} ${plural || r.path}`,
    kind: KIND_OF_PLURAL[plural] ?? 'run',
    ...(named ? { name: named } : {}),
    ...(uid ? { uid } : {}),
  };
}

export async function measureSuite(
  cluster: SimCluster,
  gen: GeneratedSuite,
  opts: { label: string; tempDir: string },
): Promise<SuiteMeasurement> {
  const env = { RUNNER_TEMP: opts.tempDir };
  const suite = loadSuite(gen.file, { env, selection: '', environment: 'staging' });
  const lines: LogLine[] = [];
  const warnings: string[] = [];
  const watchNotes: string[] = [];
  const log: Logger = {
    info: (m) => lines.push({ at: clock(), text: m }),
    warning: (m) => warnings.push(m),
    problem: (i) => warnings.push(i.message),
    debug: () => undefined,
    group: (name, fn) => {
      lines.push({ at: clock(), text: `== ${name}` });
      return fn();
    },
  };
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const kubeApi = createKubeApi(kc, { onRetry: (m) => warnings.push(`retry: ${m}`) });

  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = clock();
  const report = await executeRun(
    suite,
    {
      suite: gen.file,
      experiments: '',
      mode: 'run',
      failOn: 'fail',
      timeoutMs: 30 * 60_000,
      environment: 'staging',
      comment: false,
      checkRun: false,
      slackOn: 'never',
      reportPath: path.join(opts.tempDir, 'report.json'),
    },
    {
      log,
      env,
      mask: () => undefined,
      // As the action does: to the file at GITHUB_STATE (bench.ts points it at a temp file).
      saveState: (name, value) => core.saveState(name, value),
      kubeApi,
      // Only the debug lines (dropped watches, relists); every other option keeps its default.
      kubeOptions: { debug: (m) => watchNotes.push(m) },
    },
  );
  const t1 = clock();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  // Requests still in flight when executeRun returned (a watch being opened as its set was
  // stopped) are part of this run's cost: let them land before asking the simulator.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const collected = await cluster.collect();

  const byName = new Map<
    string,
    Partial<Record<'starting' | 'created' | 'finished' | 'cleaned', number>>
  >();
  for (const l of lines) {
    const m = LINE.exec(l.text);
    if (!m?.[1] || m[2] === undefined) continue;
    const e = byName.get(m[1]) ?? {};
    byName.set(m[1], e);
    const what = m[2];
    if (what.startsWith('starting')) e.starting ??= l.at;
    else if (what.startsWith('created ')) e.created ??= l.at;
    else if (what.startsWith('finished:')) e.finished ??= l.at;
    else if (what.startsWith('cleaned up')) e.cleaned ??= l.at;
  }
  // This run's objects only (a late event of the previous run's would start a mark of its own).
  const marks = collected.marks.filter((m) => m.run === labelValue(report.runId));
  const marksOf = new Map(marks.map((m) => [m.experiment, m]));
  const firstStart = Math.min(...[...byName.values()].map((e) => e.starting ?? Infinity));
  const lastCleaned = Math.max(...[...byName.values()].map((e) => e.cleaned ?? -Infinity));
  const serial = gen.maxParallel <= 1;
  const experimentOf = (op: ReturnType<typeof requestOp>, at: number): string | undefined => {
    for (const m of marks)
      if (
        (op.name && (op.name === m.objectName || op.name.startsWith(`${m.objectName}-`))) ||
        (op.uid && op.uid === m.uid)
      )
        return m.experiment;
    if (!serial) return undefined;
    for (const [name, e] of byName)
      if (
        e.starting !== undefined &&
        e.cleaned !== undefined &&
        at >= e.starting &&
        at <= e.cleaned
      )
        return name;
    return undefined;
  };
  const requests: ClassifiedRequest[] = collected.requests.map((r) => {
    const op = requestOp(r);
    const experiment = r.at < firstStart ? undefined : experimentOf(op, r.at);
    const e = experiment ? byName.get(experiment) : undefined;
    let phase: Phase;
    if (r.at < firstStart) phase = 'prepare';
    else if (e)
      phase =
        r.at < (e.created ?? Infinity)
          ? 'start'
          : r.at <= (e.finished ?? Infinity)
            ? 'wait'
            : 'cleanup';
    else phase = r.at > lastCleaned ? 'after' : 'during';
    return { at: r.at, op: op.op, kind: op.kind, phase, ...(experiment ? { experiment } : {}) };
  });

  // A benchmark that measured something else than it claims is an error, not a figure.
  const problems: string[] = [];
  for (const r of report.outcome.results) {
    if (r.verdict === 'pass') continue;
    problems.push(`${r.name}: ${r.verdict} (${r.reason})`);
    // What the engine and the simulator saw, from the experiment's start.
    const e = byName.get(r.name) ?? {};
    const mk = marksOf.get(r.name);
    const t = e.starting ?? t0;
    const rel = (v: number | undefined): string =>
      v === undefined ? '-' : `+${Math.round(v - t)}`;
    problems.push(
      `  engine: created ${rel(e.created)}, finished ${rel(e.finished)}; simulator: created ${rel(mk?.created)}, decisive ${rel(mk?.decisive)}, delete ${rel(mk?.deleteRequested)}, gone ${rel(mk?.gone)} (ms)`,
      `  requests: ${requests
        .filter((q) => q.experiment === r.name)
        .map((q) => `${q.op} ${rel(q.at)}`)
        .join(', ')}`,
    );
  }
  problems.push(...report.outcome.prepareProblems, ...warnings);
  if (collected.leftovers.length)
    problems.push(`left in the cluster: ${collected.leftovers.join(', ')}`);
  if (collected.controllerErrors.length)
    problems.push(`simulated controllers: ${collected.controllerErrors.join('; ')}`);
  if (problems.length)
    throw new Error(
      `${opts.label}: the run did not go as the bench expects:\n  ${problems.join('\n  ')}`,
    );

  const timelines: ExperimentTimeline[] = gen.experiments.map((x) => {
    const l = byName.get(x.name) ?? {};
    const mk = marksOf.get(x.name);
    const need = {
      starting: l.starting,
      createdLine: l.created,
      finished: l.finished,
      cleaned: l.cleaned,
      created: mk?.created,
      decisive: mk?.decisive,
      deleteRequested: mk?.deleteRequested,
      gone: mk?.gone,
    };
    const missing = Object.entries(need)
      .filter(([, v]) => v === undefined)
      .map(([k]) => k);
    if (missing.length || !mk)
      throw new Error(`${opts.label}: ${x.name}: no ${missing.join(', ')} recorded`);
    const v = need as Record<keyof typeof need, number>;
    const controllerMs = v.decisive - v.created + (v.gone - v.deleteRequested);
    return {
      name: x.name,
      kind: x.kind,
      nominalMs: x.nominalMs,
      starting: v.starting,
      createdLine: v.createdLine,
      finished: v.finished,
      cleaned: v.cleaned,
      marks: mk,
      detectionMs: v.finished - v.decisive,
      controllerMs,
      engineMs: v.cleaned - v.starting - controllerMs,
      parts: {
        createMs: v.created - v.starting,
        detectionMs: v.finished - v.decisive,
        deleteLagMs: v.deleteRequested - v.finished,
        cleanupTailMs: v.cleaned - v.gone,
      },
    };
  });

  const wallMs = t1 - t0;
  const idealMs = criticalPath(
    gen.experiments.map((x) => x.nominalMs),
    gen.maxParallel,
  );
  return {
    label: opts.label,
    n: gen.experiments.length,
    maxParallel: gen.maxParallel,
    wallMs,
    idealMs,
    overheadMs: wallMs - idealMs,
    ratio: wallMs / idealMs,
    controllerPathMs: criticalPath(
      timelines.map((t) => t.controllerMs),
      gen.maxParallel,
    ),
    prepareMs: firstStart - t0,
    tailMs: t1 - lastCleaned,
    eventLoopUtilization: elu.utilization,
    engineBusyMs: elu.active,
    connections: collected.connections,
    cpuMs: (cpu.user + cpu.system) / 1000,
    timelines,
    requests,
    watchNotes,
    report,
    suite,
  };
}

/** Per-experiment engine time by part (medians), for "where the overhead goes". */
export function engineParts(timelines: readonly ExperimentTimeline[]): Record<string, number> {
  return {
    createMs: median(timelines.map((t) => t.parts.createMs)),
    detectionMs: median(timelines.map((t) => t.parts.detectionMs)),
    deleteLagMs: median(timelines.map((t) => t.parts.deleteLagMs)),
    cleanupTailMs: median(timelines.map((t) => t.parts.cleanupTailMs)),
    engineMs: median(timelines.map((t) => t.engineMs)),
    /** Controller time beyond the nominal duration (the simulator's timers running late). */
    simulatorLateMs: median(timelines.map((t) => t.controllerMs - t.nominalMs)),
  };
}

/** A serial run's time, decomposed: prepare + experiments' engine and controller parts + gaps + tail. */
export function serialBreakdown(m: SuiteMeasurement): Record<string, number> {
  const engine = sum(m.timelines.map((t) => t.engineMs));
  const controller = sum(m.timelines.map((t) => t.controllerMs));
  const nominal = sum(m.timelines.map((t) => t.nominalMs));
  const spans = sum(m.timelines.map((t) => t.cleaned - t.starting));
  return {
    prepareMs: m.prepareMs,
    engineInExperimentsMs: engine,
    simulatorLateMs: controller - nominal,
    betweenExperimentsMs: m.wallMs - m.prepareMs - m.tailMs - spans,
    tailMs: m.tailMs,
  };
}
