/**
 * `mode: run` (and `chaos-gate run`): connect -> preflight -> run -> gate -> score, after the
 * suite has been loaded; `mode: dry-run` stops after the preflight.
 * Kept out of main.ts and loaded with import() so validation and dry runs never load the
 * Kubernetes and AWS clients. Reports (PR comment, check run, Slack) build on its result.
 */
import { tmpdir } from 'node:os';
import { State } from './constants.js';
import { ExitCode } from './errors.js';
import type { Inputs } from './inputs.js';
import type { Logger } from './log.js';
import { lazyFisApi, type FisApi } from './aws/fis-api.js';
import { createKubeApi, type KubeApi } from './kube/api.js';
import { KubeAccessError, loadKubeConfig } from './kube/config.js';
import { newRunId } from './kube/names.js';
import { fileSink, Ledger, ledgerFile, stateSink, type LedgerData } from './engine/ledger.js';
import type { RunOutcome } from './engine/result.js';
import { runExperiments, type EngineControl } from './engine/run.js';
import { providerSet, type ProviderClients } from './providers/factory.js';
import { probeTally } from './engine/verdict.js';
import { RunMonitor, type BudgetReport, type PreflightReport } from './gates/monitor.js';
import { suiteGate, type GateResult } from './gates/evaluate.js';
import { createPromClient, type PromClient } from './prom/client.js';
import type { RetryPolicy } from './retry.js';
import { suiteScore, suiteVerdict, type ScoreSummary, type SuiteVerdict } from './score/score.js';
import type { Suite } from './suite/model.js';
import { ConfigurationError } from './errors.js';

export interface PipelineDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  mask: (secret: string) => void;
  /** The action's saved state (core.saveState); a no-op on the command line. */
  saveState: (name: string, value: string) => void;
  /** Cancels the run (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Tests and the demo hand in a client for their own API server. */
  kubeApi?: KubeApi;
  kubeOptions?: ProviderClients['kubeOptions'];
  fisApi?: FisApi;
  fisOptions?: ProviderClients['fisOptions'];
  onControl?: (control: EngineControl) => void;
  /** Relative paths (the kubeconfig input) are relative to this; default the process's. */
  cwd?: string;
  /** For HTTP probes (default: the global fetch). */
  fetch?: typeof fetch;
  /** Retries of Prometheus queries (tests make them fast). */
  prometheusRetry?: RetryPolicy;
}

/** The error-budget gates of a run (SPEC 5), with the figures they were judged on. */
export interface GateReport {
  /** Before anything was created (absent when the suite has no SLOs or probes). */
  preflight?: PreflightReport;
  /** Budget consumed by the run (absent when nothing started or the suite has no SLO). */
  budget?: BudgetReport;
  /** Experiments during which a gate was breached. */
  breaches: { experiment: string; at: number; reason: string }[];
  /** The worst of them, for the suite verdict. */
  result: GateResult;
}

export interface RunReport {
  runId: string;
  outcome: RunOutcome;
  score: ScoreSummary;
  verdict: SuiteVerdict;
  gates: GateReport;
  ledgerPath: string;
  /** What is still in the ledger after the run (empty when everything was removed). */
  leftover: LedgerData;
}

export function connectKube(
  inputs: Inputs,
  suite: Suite,
  deps: Pick<PipelineDeps, 'env' | 'mask' | 'log' | 'cwd'>,
): KubeApi {
  try {
    const { kc, source } = loadKubeConfig({
      ...(inputs.kubeconfig ? { kubeconfig: inputs.kubeconfig } : {}),
      ...(inputs.kubeContext ? { context: inputs.kubeContext } : {}),
      ...(suite.safety.kubeContexts ? { allowedContexts: suite.safety.kubeContexts } : {}),
      env: deps.env,
      mask: deps.mask,
      ...(deps.cwd ? { cwd: deps.cwd } : {}),
    });
    const api = createKubeApi(kc, { onRetry: (m) => deps.log.warning(m) });
    deps.log.info(`Kubernetes: context ${kc.getCurrentContext()} from ${source} (${api.server})`);
    return api;
  } catch (err) {
    if (err instanceof KubeAccessError) throw new ConfigurationError([{ message: err.message }]);
    throw err;
  }
}

/**
 * FIS in the `aws-region` input's region (else AWS_REGION / AWS_DEFAULT_REGION), credentials from
 * the standard AWS chain (as aws-actions/configure-aws-credentials leaves them), and the endpoint
 * from AWS_ENDPOINT_URL_FIS or AWS_ENDPOINT_URL when set (proxies, tests).
 */
export function connectFis(inputs: Inputs, deps: Pick<PipelineDeps, 'env' | 'log'>): FisApi {
  const region = inputs.awsRegion || deps.env.AWS_REGION || deps.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('no AWS region for FIS: set the aws-region input or AWS_REGION');
  const endpoint = deps.env.AWS_ENDPOINT_URL_FIS || deps.env.AWS_ENDPOINT_URL;
  const stsEndpoint = deps.env.AWS_ENDPOINT_URL_STS || deps.env.AWS_ENDPOINT_URL;
  deps.log.info(`AWS FIS: region ${region}${endpoint ? ` at ${endpoint}` : ''}`);
  return lazyFisApi({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(stsEndpoint ? { stsEndpoint } : {}),
  });
}

/**
 * Prometheus clients: the SLO's or probe's own URL, else the `prometheus-url` input, else the
 * suite's `prometheus.url`; the token is the `prometheus-token` input, else the suite's (the
 * workflow knows its environment better than a suite shared between environments). One client
 * per URL.
 */
export function prometheusClients(
  suite: Pick<Suite, 'prometheus'>,
  inputs: Pick<Inputs, 'prometheusUrl' | 'prometheusToken'>,
  deps: Pick<PipelineDeps, 'log' | 'signal' | 'prometheusRetry'>,
): (url?: string) => PromClient {
  const clients = new Map<string, PromClient>();
  const token = inputs.prometheusToken ?? suite.prometheus.token;
  return (own) => {
    const url = own ?? inputs.prometheusUrl ?? suite.prometheus.url;
    if (!url) throw new Error('no Prometheus URL (the suite was validated without one)');
    let c = clients.get(url);
    if (!c) {
      c = createPromClient({
        url,
        ...(token ? { token } : {}),
        onRetry: (m) => deps.log.warning(m),
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.prometheusRetry ? { retry: deps.prometheusRetry } : {}),
      });
      clients.set(url, c);
    }
    return c;
  };
}

/** Whether the selected experiments are measured at all (probes or SLOs). */
function measures(suite: Suite): boolean {
  return suite.selected.some((e) => e.probes.length > 0 || e.slos.length > 0);
}

export async function executeRun(
  suite: Suite,
  inputs: Inputs,
  deps: PipelineDeps,
): Promise<RunReport> {
  const { log } = deps;
  const runId = newRunId(deps.env);
  const ledgerPath = ledgerFile(deps.env.RUNNER_TEMP || tmpdir(), runId);
  deps.saveState(State.RunId, runId);
  deps.saveState(State.LedgerFile, ledgerPath);
  const ledger = new Ledger(runId, [
    fileSink(ledgerPath),
    stateSink((v) => deps.saveState(State.Ledger, v)),
  ]);
  log.info(
    `Run ${runId}: ${suite.selected.length} experiment${suite.selected.length === 1 ? '' : 's'}, at most ${suite.safety.maxParallel} at once.`,
  );

  // Connect before anything else, so a wrong context is refused before the first request.
  let kube: KubeApi | undefined = deps.kubeApi;
  if (!kube && suite.selected.some((e) => e.provider !== 'aws-fis'))
    kube = connectKube(inputs, suite, deps);
  let fis: FisApi | undefined = deps.fisApi;
  const providers = providerSet({
    kube: () => {
      if (!kube) throw new Error('no Kubernetes connection');
      return kube;
    },
    fis: () => (fis ??= connectFis(inputs, deps)),
    safety: suite.safety,
    ...(deps.kubeOptions ? { kubeOptions: deps.kubeOptions } : {}),
    ...(deps.fisOptions ? { fisOptions: deps.fisOptions } : {}),
  });
  const monitor = measures(suite)
    ? new RunMonitor({
        slos: suite.slos,
        probes: suite.probes,
        gates: suite.gates,
        prometheus: prometheusClients(suite, inputs, deps),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        log,
      })
    : undefined;
  try {
    const outcome = await runExperiments(
      {
        experiments: suite.selected,
        maxParallel: suite.safety.maxParallel,
        provider: (name) => providers.get(name),
        ledger,
        log,
        runTimeoutMs: inputs.timeoutMs,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(monitor ? { monitor } : {}),
        ...(inputs.mode === 'dry-run' ? { dryRun: true } : {}),
      },
      deps.onControl,
    );
    const gates = await gateReport(suite, outcome, monitor);
    const score = suiteScore(outcome.results, (r) => probeTally(r.monitoring));
    const verdict = outcome.prepareProblems.length
      ? 'error'
      : inputs.mode === 'dry-run'
        ? dryRunVerdict(outcome)
        : suiteVerdict(outcome.results, score.score, suite.gates, {
            skipped: outcome.preflight?.decision === 'skip',
            gate: gates.result,
          });
    return { runId, outcome, score, verdict, gates, ledgerPath, leftover: ledger.data() };
  } finally {
    providers.all().forEach((p) => p.close());
  }
}

/**
 * A dry run's verdict: `skipped` (nothing ran) when everything is ready, else what the real run
 * would have been before injecting anything: `fail` (a preflight gate failed), `error` (the
 * steady state does not hold).
 */
function dryRunVerdict(outcome: RunOutcome): SuiteVerdict {
  const d = outcome.preflight?.decision;
  return d === 'fail' ? 'fail' : d === 'error' ? 'error' : 'skipped';
}

/** The preflight as measured, the budget consumed once the run is over, and any breach. */
async function gateReport(
  suite: Suite,
  outcome: RunOutcome,
  monitor: RunMonitor | undefined,
): Promise<GateReport> {
  const preflight = monitor?.lastPreflight;
  const started = outcome.results.filter((r) => r.started && r.startedAt);
  const from = Math.min(...started.map((r) => Date.parse(r.startedAt ?? '')));
  const budget =
    monitor && started.length && monitor.slosOf(suite.selected).length
      ? await monitor.budget(suite.selected, from, Date.parse(outcome.finishedAt))
      : undefined;
  const breaches = outcome.results.flatMap((r) =>
    r.monitoring?.breach ? [{ experiment: r.name, ...r.monitoring.breach }] : [],
  );
  const result = suiteGate({
    ...(preflight ? { preflight: preflight.budget } : {}),
    ...(budget ? { budget } : {}),
    burnRate: breaches.map(() => ({ breach: true })),
  });
  return {
    ...(preflight ? { preflight } : {}),
    ...(budget ? { budget } : {}),
    breaches,
    result,
  };
}

/** The process exit code of a run (SPEC section 9). */
export function exitCodeOf(report: RunReport, failOn: Inputs['failOn']): ExitCode {
  if (report.outcome.cleanupProblems.length || report.leftover.entries.length)
    return ExitCode.CleanupFailed;
  return failsStep(report.verdict, failOn) ? ExitCode.VerdictFailed : ExitCode.Success;
}

export function failsStep(verdict: SuiteVerdict, failOn: Inputs['failOn']): boolean {
  if (failOn === 'never') return false;
  if (verdict === 'fail' || verdict === 'error') return true;
  return failOn === 'warn' && verdict === 'warn';
}
