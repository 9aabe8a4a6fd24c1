/**
 * The measuring side of a run (SPEC sections 1.3-1.5 and 5), the I/O around the pure gate math
 * of ./budget.ts and ./evaluate.ts and the probe checks of ../probes/:
 * - the **preflight**: each SLO's remaining budget over its window, and every probe once, before
 *   anything is created;
 * - **during** each experiment: its probes at their own intervals and the burn rate of its SLOs
 *   (`errorRatio` over the last minute) at its shortest probe interval; a breach of
 *   `maxBurnRate` with `abortOnBreach` stops the experiment through its provider and keeps the
 *   rest of the suite from starting;
 * - **after** its cleanup: the probes until they hold again (the recovery time), within each
 *   probe's `recoveryTimeout`;
 * - the **budget consumed** by the whole run, once it is over.
 *
 * A failed query or sample is a figure ("no data: query failed: ...") or a failed sample, never
 * an exception: a flaky Prometheus costs samples, not the run.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { sleep } from '../retry.js';
import {
  promDuration,
  substituteWindow,
  type PromClient,
  type PromResult,
} from '../prom/client.js';
import type { ProbeCheck } from '../probes/check.js';
import { takeSample, type SampleClients } from '../probes/sample.js';
import {
  meetsTolerance,
  recoveryTime,
  slowestRecovery,
  summarizeProbe,
  type Phase,
  type ProbeSample,
  type ProbeSummary,
  type Recovery,
  type Tolerance,
} from '../probes/summary.js';
import { formatDuration } from '../suite/duration.js';
import type { Experiment, Gates, Probe, Slo } from '../suite/model.js';
import { DEFAULTS } from '../suite/model.js';
import { burnRate, consumedBudget, remainingBudget, type BudgetFigure } from './budget.js';
import {
  budgetGate,
  burnRateBreach,
  preflightGate,
  worstFigure,
  type BudgetGateResult,
  type BurnRateCheck,
  type PreflightResult,
} from './evaluate.js';

/** The burn rate is `errorRatio` over this range (SPEC 5: "errorRatio(last 1m)"). */
export const BURN_WINDOW_MS = 60_000;
/**
 * `rate()` needs two scrapes: the consumed share is measured over the run, but over at least this
 * range. A shorter run counts every error of the last minute as its own (`errorRatio(1m) * 1m`):
 * it may overstate, never understate, what the run spent (`errorRatio(1m) * run` would dilute a
 * 5 s burst of errors in 55 s of calm and then multiply by 5 s).
 */
export const MIN_RUN_WINDOW_MS = 60_000;

export interface MonitorOptions {
  slos: Record<string, Slo>;
  probes: Record<string, Probe>;
  gates: Gates;
  /** The Prometheus for an SLO's or probe's own URL (undefined: the suite's, else the input's). */
  prometheus: (url?: string) => PromClient;
  fetch?: typeof fetch;
  log: Logger;
  now?: () => number;
}

/** What the engine may do when a gate is breached. */
export interface BreachControl {
  /** Stop this experiment through its provider (verdict `aborted`). */
  stopExperiment(message: string): void;
  /** Keep the experiments that have not started from starting. */
  stopSuite(message: string): void;
}

export interface SteadyState {
  ok: boolean;
  /** Every probe's sample, in suite order. */
  probes: { probe: string; check: ProbeCheck }[];
  /** The failed probes, one per line ("storefront: expected 200, got 503"). */
  failures: string[];
}

export type PreflightDecision = 'run' | 'skip' | 'fail' | 'error';

export interface PreflightReport {
  decision: PreflightDecision;
  /** Why not `run`, for people; empty when the run goes ahead. */
  reason: string;
  budget: PreflightResult;
  steady: SteadyState;
}

/** One probe of one experiment, for the report and the verdict. */
export interface ProbeOutcome {
  probe: string;
  summary: ProbeSummary;
  /** `successRate` against the samples during chaos. */
  tolerance: Tolerance;
  required: number;
  recovery?: Recovery;
}

/** The burn rate of one SLO during one experiment. */
export interface SloBurn {
  slo: string;
  samples: number;
  /** The highest figure seen (no data only when every sample had none). */
  worst?: BudgetFigure;
  limit?: number;
  /** The first sample beyond the limit, when there was one. */
  breach?: { at: number; reason: string };
}

export interface ExperimentMonitoring {
  /** The steady state right before the experiment (only checked when experiments run one at a time). */
  steady?: SteadyState;
  probes: ProbeOutcome[];
  burn: SloBurn[];
  /** The first gate breach during the experiment. */
  breach?: { at: number; reason: string };
  /** The slowest probe's recovery, or the first that did not recover. */
  recovery?: Recovery;
  /** From the end of cleanup (recovery times count from here). */
  cleanupEndAt?: number;
}

export interface BudgetReport extends BudgetGateResult {
  /** The range the consumed share was measured over. */
  fromMs: number;
  toMs: number;
  /** The suite's `gates.budget` limits the shares were judged against. */
  limits?: Pick<Gates['budget'], 'maxConsumed' | 'warnConsumed'>;
}

/**
 * A budget figure from an error-ratio query: a failed query is no data with its reason; else
 * `compute` gets the ratio (undefined for an empty result, which it reports as no data).
 */
function figureOf(
  r: PromResult,
  compute: (ratio: number | undefined) => BudgetFigure,
): BudgetFigure {
  if (r.kind === 'error')
    return { kind: 'no-data', reason: `the error-ratio query failed: ${r.message}` };
  return compute(r.kind === 'value' ? r.value : undefined);
}

export class RunMonitor {
  private readonly now: () => number;
  private readonly clients: SampleClients;
  /** The last preflight's figures (for the report). */
  lastPreflight?: PreflightReport;

  constructor(private readonly opts: MonitorOptions) {
    this.now = opts.now ?? Date.now;
    this.clients = {
      prometheus: opts.prometheus,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    };
  }

  /** The SLOs any of these experiments is measured against, in suite order. */
  slosOf(experiments: readonly Experiment[]): Slo[] {
    const names = new Set(experiments.flatMap((e) => e.slos));
    return Object.values(this.opts.slos).filter((s) => names.has(s.name));
  }

  probesOf(experiments: readonly Experiment[]): Probe[] {
    const names = new Set(experiments.flatMap((e) => e.probes));
    return Object.values(this.opts.probes).filter((p) => names.has(p.name));
  }

  private async errorRatio(slo: Slo, windowMs: number, at?: Date): Promise<PromResult> {
    const query = substituteWindow(slo.errorRatioQuery, windowMs);
    return this.opts.prometheus(slo.prometheusUrl).instant(query, at);
  }

  /** Every probe once (in parallel); the steady state holds when all pass. */
  async steadyState(probes: readonly Probe[], signal?: AbortSignal): Promise<SteadyState> {
    const checks = await Promise.all(
      probes.map(async (p) => ({ probe: p.name, check: await this.probeSample(p, signal) })),
    );
    const failures = checks.filter((c) => !c.check.ok).map((c) => `${c.probe}: ${c.check.reason}`);
    return { ok: failures.length === 0, probes: checks, failures };
  }

  /** One judged sample of a probe; never throws. */
  async probeSample(p: Pick<Probe, 'check'>, signal?: AbortSignal): Promise<ProbeCheck> {
    try {
      return await takeSample(p, this.clients, signal);
    } catch (err) {
      return { ok: false, reason: `sample failed: ${errorMessage(err)}` };
    }
  }

  /**
   * SPEC 1.3: each SLO's remaining budget over its window and every probe once. The decision:
   * `fail` (a budget gate failed) beats `skip` (low budget, `onLowBudget: skip`) beats `error`
   * (the steady state does not hold) beats `run`.
   */
  async preflight(
    experiments: readonly Experiment[],
    signal?: AbortSignal,
  ): Promise<PreflightReport> {
    const { log } = this.opts;
    const slos = this.slosOf(experiments);
    const [remaining, steady] = await Promise.all([
      Promise.all(
        slos.map(async (slo) => {
          const remaining = figureOf(await this.errorRatio(slo, slo.windowMs), (ratio) =>
            remainingBudget({ objective: slo.objective, errorRatioOverWindow: ratio }),
          );
          return { slo, remaining };
        }),
      ),
      this.steadyState(this.probesOf(experiments), signal),
    ]);
    const budget = preflightGate(remaining, this.opts.gates);
    for (const s of budget.slos) {
      const slo = this.opts.slos[s.name];
      const m = `Preflight: SLO ${s.reason}${slo ? ` (objective ${slo.objective}% over ${formatDuration(slo.windowMs)})` : ''}`;
      if (s.result === 'ok') log.info(m);
      else log.warning(m);
    }
    for (const p of steady.probes) {
      const m = `Preflight: probe ${p.probe} ${p.check.ok ? 'holds' : 'fails'}: ${p.check.reason}`;
      if (p.check.ok) log.info(m);
      else log.warning(m);
    }
    let decision: PreflightDecision = budget.decision;
    let reason = budget.reasons.join('; ');
    if (decision === 'run' && !steady.ok) {
      decision = 'error';
      reason = `steady state not met before chaos: ${steady.failures.join('; ')}`;
    } else if (decision === 'skip') {
      reason = `error budget too low: ${reason}`;
    } else if (decision === 'fail') {
      reason = `preflight gate failed: ${reason}`;
    } else if (decision === 'run') {
      reason = '';
    }
    this.lastPreflight = { decision, reason, budget, steady };
    return this.lastPreflight;
  }

  /** Measures one experiment: create it when the experiment is about to start. */
  watch(e: Experiment, control: BreachControl): ExperimentWatch {
    return new ExperimentWatch(e, this.opts, this, this.now, control);
  }

  /**
   * SPEC 5: the budget each SLO consumed between `fromMs` and `toMs` (at least the minute before
   * `toMs`, see {@link MIN_RUN_WINDOW_MS}), against the budget gates.
   */
  async budget(
    experiments: readonly Experiment[],
    fromMs: number,
    toMs: number,
  ): Promise<BudgetReport> {
    const runMs = Math.max(0, toMs - fromMs);
    const windowMs = Math.max(MIN_RUN_WINDOW_MS, Math.ceil(runMs / 1000) * 1000);
    const perSlo = await Promise.all(
      this.slosOf(experiments).map(async (slo) => {
        const consumed = figureOf(await this.errorRatio(slo, windowMs, new Date(toMs)), (ratio) =>
          consumedBudget({
            objective: slo.objective,
            errorRatioDuringRun: ratio,
            runMs: windowMs,
            windowMs: slo.windowMs,
          }),
        );
        return { slo, consumed };
      }),
    );
    const result = budgetGate(perSlo, this.opts.gates);
    for (const s of result.slos) {
      const m = `Budget: SLO ${s.reason} (run of ${formatDuration(runMs)}, error ratio over ${promDuration(windowMs)})`;
      if (s.gate === 'pass') this.opts.log.info(m);
      else this.opts.log.warning(m);
    }
    const { maxConsumed, warnConsumed } = this.opts.gates.budget;
    return {
      ...result,
      fromMs,
      toMs,
      limits: {
        ...(maxConsumed !== undefined ? { maxConsumed } : {}),
        ...(warnConsumed !== undefined ? { warnConsumed } : {}),
      },
    };
  }

  /** One burn-rate reading of an SLO. */
  async burn(slo: Slo): Promise<BurnRateCheck> {
    const figure = figureOf(await this.errorRatio(slo, BURN_WINDOW_MS), (ratio) =>
      burnRate({ objective: slo.objective, errorRatioLastMinute: ratio }),
    );
    return burnRateBreach(figure, this.opts.gates, slo);
  }
}

/** Runs `fn` now and then every `intervalMs` (skipping missed ticks) until the signal aborts. */
async function every(
  intervalMs: number,
  signal: AbortSignal,
  now: () => number,
  fn: () => Promise<void>,
): Promise<void> {
  const t0 = now();
  let tick = 0;
  while (!signal.aborted) {
    await fn();
    const elapsed = now() - t0;
    tick = Math.max(tick + 1, Math.ceil(elapsed / intervalMs));
    try {
      await sleep(t0 + tick * intervalMs - now(), signal);
    } catch {
      return;
    }
  }
}

/** The measurements of one experiment, from before its start to its recovery. */
export class ExperimentWatch {
  private readonly samples = new Map<string, ProbeSample[]>();
  /** Every burn-rate reading per SLO, with when it was taken. */
  private readonly burns = new Map<string, { at: number; check: BurnRateCheck }[]>();
  private readonly probes: Probe[];
  private readonly slos: Slo[];
  private steady?: SteadyState;
  private breach?: { at: number; reason: string };
  private during?: { stop: AbortController; loops: Promise<void>[] };
  private recovery?: Recovery;
  private probeRecovery = new Map<string, Recovery>();
  private cleanupEndAt?: number;

  constructor(
    private readonly e: Experiment,
    private readonly opts: MonitorOptions,
    private readonly monitor: RunMonitor,
    private readonly now: () => number,
    private readonly control: BreachControl,
  ) {
    this.probes = monitor.probesOf([e]);
    this.slos = monitor.slosOf([e]);
    for (const p of this.probes) this.samples.set(p.name, []);
    for (const s of this.slos) this.burns.set(s.name, []);
  }

  /** Whether the experiment has probes (a steady state to check, a recovery to wait for). */
  get hasProbes(): boolean {
    return this.probes.length > 0;
  }

  /** The experiment's shortest probe interval: how often its burn rate is read. */
  get burnIntervalMs(): number {
    return this.probes.length
      ? Math.min(...this.probes.map((p) => p.intervalMs))
      : DEFAULTS.probeIntervalMs;
  }

  private record(p: Probe, check: ProbeCheck, phase: Phase, at: number): void {
    this.samples.get(p.name)?.push({ ...check, at, phase });
  }

  /** One sample of each probe right before the start (phase `before`); false: do not inject. */
  async before(signal?: AbortSignal): Promise<SteadyState> {
    const at = this.now();
    const steady = await this.monitor.steadyState(this.probes, signal);
    for (const { probe, check } of steady.probes) {
      const p = this.probes.find((x) => x.name === probe);
      if (p) this.record(p, check, 'before', at);
    }
    this.steady = steady;
    return steady;
  }

  /** Starts sampling the probes and the burn rate (call once chaos has been created). */
  startDuring(): void {
    if (this.during) return;
    const stop = new AbortController();
    const loops = this.probes.map((p) =>
      every(p.intervalMs, stop.signal, this.now, async () => {
        const at = this.now();
        const check = await this.monitor.probeSample(p, stop.signal);
        // A sample cut short by the end of the phase says nothing about the system.
        if (!stop.signal.aborted) this.record(p, check, 'during', at);
      }),
    );
    if (this.slos.length)
      loops.push(
        every(this.burnIntervalMs, stop.signal, this.now, async () => {
          await Promise.all(this.slos.map((s) => this.readBurn(s)));
        }),
      );
    this.during = { stop, loops };
  }

  private async readBurn(slo: Slo): Promise<void> {
    const at = this.now();
    const check = await this.monitor.burn(slo);
    this.burns.get(slo.name)?.push({ at, check });
    if (!check.breach || this.breach) return;
    this.breach = { at, reason: check.reason };
    const { log } = this.opts;
    if (this.opts.gates.abortOnBreach) {
      log.warning(
        `[${this.e.name}] gate breached: ${check.reason}: aborting the experiment and the suite`,
      );
      this.control.stopExperiment(`aborted: gate breached: ${check.reason}`);
      this.control.stopSuite(`the suite stopped: ${this.e.name} breached a gate: ${check.reason}`);
    } else {
      log.warning(
        `[${this.e.name}] gate breached: ${check.reason} (abortOnBreach is false: chaos continues)`,
      );
    }
  }

  /** Stops sampling (the provider's verdict is in, or the experiment was stopped). */
  async endDuring(): Promise<void> {
    if (!this.during) return;
    this.during.stop.abort();
    await Promise.all(this.during.loops);
  }

  /**
   * After cleanup: samples every probe at its interval until it holds again or its
   * `recoveryTimeout` passes (or the run is cancelled).
   */
  async recover(signal?: AbortSignal): Promise<Recovery | undefined> {
    const cleanupEndAt = this.now();
    this.cleanupEndAt = cleanupEndAt;
    if (!this.probes.length) return undefined;
    const results = await Promise.all(
      this.probes.map(async (p) => {
        const done = new AbortController();
        const onAbort = (): void => done.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const deadline = setTimeout(() => done.abort(), p.recoveryTimeoutMs);
        let rec: Recovery | undefined;
        await every(p.intervalMs, done.signal, this.now, async () => {
          const at = this.now();
          const check = await this.monitor.probeSample(p, signal);
          if (at - cleanupEndAt > p.recoveryTimeoutMs) return;
          this.record(p, check, 'after', at);
          const r = recoveryTime(this.samples.get(p.name) ?? [], cleanupEndAt, p.recoveryTimeoutMs);
          if (r.recovered) {
            rec = r;
            done.abort();
          }
        });
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        const final =
          rec ??
          (signal?.aborted
            ? ({ recovered: false, reason: 'not measured: the run was stopped' } as const)
            : recoveryTime(this.samples.get(p.name) ?? [], cleanupEndAt, p.recoveryTimeoutMs));
        this.probeRecovery.set(p.name, final);
        return final;
      }),
    );
    this.recovery = slowestRecovery(results);
    return this.recovery;
  }

  /** Everything measured, for the verdict and the report. */
  result(): ExperimentMonitoring {
    const probes = this.probes.map((p): ProbeOutcome => {
      const summary = summarizeProbe(p, this.samples.get(p.name) ?? []);
      const rec = this.probeRecovery.get(p.name);
      return {
        probe: p.name,
        summary,
        tolerance: meetsTolerance(summary.during, p.successRate),
        required: p.successRate,
        ...(rec ? { recovery: rec } : {}),
      };
    });
    const burn = this.slos.map((s): SloBurn => {
      const readings = this.burns.get(s.name) ?? [];
      const worst = worstFigure(readings.map((r) => r.check.burn));
      const first = readings.find((r) => r.check.breach);
      const limit = this.opts.gates.budget.maxBurnRate;
      return {
        slo: s.name,
        samples: readings.length,
        ...(worst ? { worst } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(first ? { breach: { at: first.at, reason: first.check.reason } } : {}),
      };
    });
    return {
      ...(this.steady ? { steady: this.steady } : {}),
      probes,
      burn,
      ...(this.breach ? { breach: this.breach } : {}),
      ...(this.recovery ? { recovery: this.recovery } : {}),
      ...(this.cleanupEndAt !== undefined ? { cleanupEndAt: this.cleanupEndAt } : {}),
    };
  }
}
