/**
 * The run engine: experiments in suite order, at most `safety.maxParallel` at once, each through
 * start -> wait -> [stop] -> cleanup, with the experiment's `timeout` and the run's deadline as
 * hard limits. Anything created is in the ledger before it exists, and cleanup runs for every
 * experiment that started, whatever happened to it. A line per state change with elapsed time.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from '../suite/duration.js';
import type { Experiment } from '../suite/model.js';
import type { ProviderName } from '../suite/types.js';
import { WaitAborted } from '../kube/watch.js';
import {
  CleanupError,
  PrepareError,
  type ExperimentContext,
  type Provider,
  type RunningExperiment,
  type StopReason,
} from '../providers/provider.js';
import type {
  BreachControl,
  ExperimentMonitoring,
  PreflightReport,
  SteadyState,
} from '../gates/monitor.js';
import type { Recovery } from '../probes/summary.js';
import type { Ledger } from './ledger.js';
import type { ExperimentResult, RunOutcome } from './result.js';
import { combinedVerdict } from './verdict.js';

/** Why the engine stops an experiment, with the words for the report. */
export interface StopRequest {
  kind: StopReason;
  message: string;
}

export interface EngineOptions {
  experiments: Experiment[];
  maxParallel: number;
  provider: (name: ProviderName) => Provider;
  ledger: Ledger;
  log: Logger;
  /** The run's deadline (the `timeout` input), from the engine's start. */
  runTimeoutMs: number;
  /** Cancellation of the whole run (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Probes, SLOs and gates: the preflight, sampling during chaos, recovery after cleanup. */
  monitor?: EngineMonitor;
  /** `mode: dry-run`: prepare (connect, server-side dry run) and preflight, then stop. */
  dryRun?: boolean;
  now?: () => number;
}

/** What the engine needs from the measuring side (../gates/monitor.ts's RunMonitor). */
export interface EngineMonitor {
  preflight(
    experiments: readonly Experiment[],
    signal?: AbortSignal,
  ): Promise<Pick<PreflightReport, 'decision' | 'reason'>>;
  watch(e: Experiment, control: BreachControl): EngineWatch;
}

export interface EngineWatch {
  readonly hasProbes: boolean;
  before(signal?: AbortSignal): Promise<SteadyState>;
  startDuring(): void;
  endDuring(): Promise<void>;
  recover(signal?: AbortSignal): Promise<Recovery | undefined>;
  result(): ExperimentMonitoring;
}

/** Lets a caller stop running experiments (a gate breach) and keep the rest from starting. */
export interface EngineControl {
  stopExperiment(name: string, request: StopRequest): void;
  stopSuite(request: StopRequest): void;
}

function isStopRequest(v: unknown): v is StopRequest {
  return typeof v === 'object' && v !== null && 'kind' in v && 'message' in v;
}

export async function runExperiments(
  opts: EngineOptions,
  onControl?: (control: EngineControl) => void,
): Promise<RunOutcome> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const startedAt = new Date(t0).toISOString();
  const { log } = opts;
  const results: ExperimentResult[] = [];
  const base = (e: Experiment): ExperimentResult => ({
    name: e.name,
    index: e.index,
    provider: e.provider,
    weight: e.weight,
    critical: e.critical,
    verdict: 'error',
    reason: '',
    started: false,
    created: [],
    cleanupProblems: [],
  });

  // 1. Prepare every provider before anything is created.
  const byProvider = new Map<ProviderName, Experiment[]>();
  for (const e of opts.experiments)
    byProvider.set(e.provider, [...(byProvider.get(e.provider) ?? []), e]);
  const prepareProblems: string[] = [];
  await log.group('Connect and check providers', async () => {
    await Promise.all(
      [...byProvider].map(async ([name, exps]) => {
        try {
          const provider = opts.provider(name);
          await provider.prepare(exps, { runId: opts.ledger.runId });
          log.info(
            name === 'aws-fis'
              ? `${name}: reachable; ${exps.length} template${exps.length === 1 ? '' : 's'} resolved and checked against safety.fis`
              : `${name}: reachable, installed, ${exps.length} experiment${exps.length === 1 ? '' : 's'} accepted by a server-side dry run`,
          );
          // What each experiment targets, now that the provider has been asked (FIS: the
          // template's targets, selection mode, tags and filters).
          for (const e of exps) {
            const d = provider.describe(e);
            log.info(
              `  ${e.name}: ${d.kind}${d.targets.length ? `; ${d.targets.join('; ')}` : ''}`,
            );
          }
        } catch (err) {
          const problems =
            err instanceof PrepareError ? err.problems : [`${name}: ${errorMessage(err)}`];
          problems.forEach((p) => log.warning(p));
          prepareProblems.push(...problems);
        }
      }),
    );
  });
  if (prepareProblems.length) {
    for (const e of opts.experiments)
      results.push({
        ...base(e),
        reason: `not started: ${prepareProblems.length} problem${prepareProblems.length === 1 ? '' : 's'} found before anything was created`,
      });
    return {
      results,
      prepareProblems,
      cleanupProblems: [],
      cancelled: false,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
    };
  }

  // 2. The preflight (SPEC 1.3): error budget and steady state, before anything is created.
  const { monitor } = opts;
  if (monitor) {
    const pf = await log.group('Preflight: error budget and steady state', () =>
      monitor.preflight(opts.experiments, opts.signal),
    );
    if (pf.decision !== 'run') {
      log.warning(`Nothing was injected: ${pf.reason}`);
      for (const e of opts.experiments)
        results.push({
          ...base(e),
          verdict: pf.decision === 'error' ? 'error' : 'skipped',
          reason: `not started: ${pf.reason}`,
        });
      return {
        results,
        prepareProblems,
        cleanupProblems: [],
        cancelled: false,
        preflight: pf,
        startedAt,
        finishedAt: new Date(now()).toISOString(),
      };
    }
    log.info('Preflight passed: the error budget allows chaos and the steady state holds.');
  }
  if (opts.dryRun) {
    log.info(
      'Dry run: every provider is reachable and accepted the experiments; nothing was injected.',
    );
    for (const e of opts.experiments)
      results.push({ ...base(e), verdict: 'skipped', reason: 'dry run: nothing was injected' });
    return {
      results,
      prepareProblems,
      cleanupProblems: [],
      cancelled: false,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
    };
  }

  // 3. The suite-wide stop: the run's deadline, cancellation, or a caller (gate breach).
  //    `halt` is the hard part of it (deadline, cancellation): it also cuts recovery short.
  const suite = new AbortController();
  const halt = new AbortController();
  const running = new Map<string, AbortController>();
  const hardStop = (request: StopRequest): void => {
    suite.abort(request);
    halt.abort(request);
  };
  const runDeadline = setTimeout(
    () =>
      hardStop({
        kind: 'deadline',
        message: `timed out: the run's timeout of ${formatDuration(opts.runTimeoutMs)} was reached`,
      }),
    opts.runTimeoutMs,
  );
  const onCancel = (): void =>
    hardStop({ kind: 'cancelled', message: 'cancelled: the workflow run was cancelled' });
  if (opts.signal?.aborted) onCancel();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  onControl?.({
    stopExperiment: (name, request) => running.get(name)?.abort(request),
    stopSuite: (request) => suite.abort(request),
  });

  const cleanupProblems: string[] = [];
  const one = async (e: Experiment): Promise<ExperimentResult> => {
    const r = base(e);
    const t = now();
    const prefix = `[${e.name}]`;
    const progress = (m: string): void =>
      log.info(`${prefix} +${((now() - t) / 1000).toFixed(1)}s ${m}`);
    const ctx: ExperimentContext = {
      runId: opts.ledger.runId,
      ledger: opts.ledger,
      progress,
      warning: (m) => log.warning(`${prefix} ${m}`),
    };
    const ac = new AbortController();
    const watch = monitor?.watch(e, {
      stopExperiment: (message) => ac.abort({ kind: 'breach', message } satisfies StopRequest),
      stopSuite: (message) => suite.abort({ kind: 'breach', message } satisfies StopRequest),
    });
    // One at a time, the steady state is checked again right before each experiment: the one
    // before it has recovered, or this one would measure its leftovers. (In parallel, other
    // experiments' chaos is the steady state; the preflight checked it before the run.)
    if (watch?.hasProbes && opts.maxParallel <= 1) {
      const steady = await watch.before(suite.signal);
      if (!steady.ok && !suite.signal.aborted) {
        r.reason = `not started: steady state not met before chaos: ${steady.failures.join('; ')}`;
        r.monitoring = watch.result();
        log.warning(`${prefix} ${r.reason}`);
        return r;
      }
    }
    if (suite.signal.aborted) {
      r.reason = `not started: ${(suite.signal.reason as StopRequest).message}`;
      return r;
    }
    running.set(e.name, ac);
    const onSuite = (): void => ac.abort(suite.signal.reason);
    suite.signal.addEventListener('abort', onSuite, { once: true });
    const timer = setTimeout(
      () =>
        ac.abort({
          kind: 'deadline',
          message: `timed out after ${formatDuration(e.timeoutMs)} (the experiment's timeout)`,
        } satisfies StopRequest),
      e.timeoutMs,
    );
    const provider = opts.provider(e.provider);
    let handle: RunningExperiment | undefined;
    r.started = true;
    r.startedAt = new Date(t).toISOString();
    try {
      progress(`starting (${e.provider}, timeout ${formatDuration(e.timeoutMs)})`);
      handle = await provider.start(e, ctx);
      r.created = [...handle.created];
      watch?.startDuring();
      const pv = await handle.wait(ac.signal);
      r.verdict = pv.verdict;
      r.reason = pv.reason;
      r.providerVerdict = pv;
      progress(`finished: ${pv.verdict} (${pv.reason})`);
    } catch (err) {
      if (err instanceof WaitAborted && isStopRequest(err.reason) && handle) {
        const req = err.reason;
        r.stoppedBy = req.kind;
        r.verdict = req.kind === 'breach' ? 'aborted' : 'error';
        r.reason = req.message;
        progress(`stopping: ${req.message}`);
        await handle.stop(req.kind);
      } else {
        r.verdict = 'error';
        r.reason = `${handle ? 'failed while waiting' : 'could not start'}: ${errorMessage(err)}`;
        progress(r.reason);
        if (handle) await handle.stop('cancelled').catch(() => undefined);
      }
    } finally {
      clearTimeout(timer);
      suite.signal.removeEventListener('abort', onSuite);
      running.delete(e.name);
      await watch?.endDuring();
    }
    r.durationMs = now() - t;
    r.finishedAt = new Date(now()).toISOString();
    // 3. Clean up, whatever happened.
    const c = now();
    try {
      if (handle) await handle.cleanup();
      else await undoExperiment(provider, opts.ledger, e.name);
    } catch (err) {
      const problems = err instanceof CleanupError ? err.problems : [errorMessage(err)];
      r.cleanupProblems.push(...problems);
      cleanupProblems.push(...problems.map((p) => `${e.name}: ${p}`));
      if (r.verdict === 'pass' || r.verdict === 'fail') r.verdict = 'error';
      r.reason = `${r.reason}; cleanup failed, chaos may still be active: ${problems.join('; ')}`;
      problems.forEach((p) => log.warning(`${prefix} cleanup failed: ${p}`));
    }
    r.cleanupMs = now() - c;
    if (!r.cleanupProblems.length) progress(`cleaned up in ${formatDuration(r.cleanupMs)}`);
    // 4. Recovery: the probes until they hold again (not after a failed cleanup: chaos may
    //    still be active, and waiting would only delay the report of it).
    if (watch && handle && !r.cleanupProblems.length && !halt.signal.aborted) {
      const rec = await watch.recover(halt.signal);
      if (rec)
        progress(
          rec.recovered
            ? `recovered: the probes held again ${formatDuration(rec.ms)} after cleanup`
            : `did not recover: ${rec.reason}`,
        );
    }
    if (watch) {
      r.monitoring = watch.result();
      const v = combinedVerdict(r, r.monitoring);
      if (v.verdict !== r.verdict) progress(`verdict: ${v.verdict} (${v.reason})`);
      r.verdict = v.verdict;
      r.reason = v.reason;
    }
    return r;
  };

  const inFlight = new Set<Promise<void>>();
  const ordered: (ExperimentResult | undefined)[] = new Array<ExperimentResult | undefined>(
    opts.experiments.length,
  );
  const grouped = opts.maxParallel <= 1;
  for (const [i, e] of opts.experiments.entries()) {
    while (inFlight.size >= Math.max(1, opts.maxParallel)) await Promise.race(inFlight);
    if (suite.signal.aborted) {
      const req = suite.signal.reason as StopRequest;
      ordered[i] = { ...base(e), reason: `not started: ${req.message}` };
      continue;
    }
    const p: Promise<void> = (
      grouped ? log.group(`${e.name} (${e.provider})`, () => one(e)) : one(e)
    ).then(
      (res) => {
        ordered[i] = res;
      },
      (err: unknown) => {
        ordered[i] = { ...base(e), started: true, reason: `engine error: ${errorMessage(err)}` };
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  clearTimeout(runDeadline);
  opts.signal?.removeEventListener('abort', onCancel);
  for (const r of ordered) if (r) results.push(r);
  return {
    results,
    prepareProblems,
    cleanupProblems,
    cancelled: (suite.signal.reason as StopRequest | undefined)?.kind === 'cancelled',
    startedAt,
    finishedAt: new Date(now()).toISOString(),
  };
}

/** Undo what the ledger holds for one experiment (a start that failed half-way). */
async function undoExperiment(
  provider: Provider,
  ledger: Ledger,
  experiment: string,
): Promise<void> {
  const problems: string[] = [];
  for (const entry of ledger.entries().filter((x) => x.experiment === experiment)) {
    const res = await provider.undo(entry, { runId: ledger.runId });
    problems.push(...res.problems);
    if (!res.problems.length) ledger.remove(entry.id);
  }
  if (problems.length) throw new CleanupError(problems);
}
