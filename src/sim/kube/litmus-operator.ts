/**
 * A simulated LitmusChaos control plane working directly on the object store: the chaos-operator
 * (ChaosEngine reconcile), the chaos-runner it launches and the litmus-go experiment pod the runner
 * launches, collapsed into one controller. The status shapes and strings are those of
 * chaos-operator `api/litmuschaos/v1alpha1` (chaosengine_types.go, chaosresult_types.go),
 * chaos-runner `pkg/utils/status.go` and litmus-go `pkg/result`; the behaviour follows the
 * operator state machine (`controllers/chaosengine_controller.go`):
 *
 * | spec.engineState | status.engineStatus | what the simulation does                                |
 * |------------------|---------------------|---------------------------------------------------------|
 * | active           | "" / stopped / completed | initialize: finalizer, `initialized`, runner pod `<engine>-runner` (labels app, chaosUID), run |
 * | active           | initialized         | when the runner's `chaos-runner` container terminated `Completed`: `completed` + `spec.engineState: stop` |
 * | stop             | initialized         | forced abort: ChaosResult Stopped, chaos pods deleted, experiments "Forcefully Aborted"/"Stopped", finalizer removed, `stopped` |
 * | stop             | completed           | `jobCleanUpPolicy: delete` deletes the chaos pods                                   |
 * | (being deleted)  | initialized         | forced abort, then the finalizer goes                                               |
 *
 * The runner: for each `spec.experiments[]`, a missing ChaosExperiment gives "ChaosExperiment Not
 * Found"/"Fail"; otherwise "Waiting for Job Creation"/"N/A", the experiment pod, "Running"/
 * "Awaited", the ChaosResult at SOT (created or reused), target selection, TOTAL_CHAOS_DURATION
 * seconds of chaos (engine env over the ChaosExperiment's, default 15), the verdict at EOT and
 * "Completed"/<verdict> on the engine. Scenarios (by engine-name prefix) choose the verdict.
 *
 * Not simulated: Jobs (the experiment pod is created directly, owned by the engine), RBAC and
 * service accounts, probes actually running, RAMP_TIME, pod-delete actually deleting pods, the
 * 180 s wait for pods to go (see `stopDelayMs`), Argo workflows.
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../../kube/object.js';
import {
  CancelSignal,
  Cancelled,
  SimController,
  keyOf,
  type ObjectKey,
  type SimControllerOptions,
} from './controller.js';
import { EventRecorder } from './events.js';
import {
  addFinalizer,
  controllerReference,
  isDeleting,
  isoTime,
  ownerReferencesOf,
  patchObject,
  randomSuffix,
  removeFinalizer,
  statusOf,
  writeStatus,
} from './meta.js';
import { completePod, createRunningPod, podsResource } from './pods.js';
import {
  LITMUS_GROUP,
  finishResult,
  probesOf,
  resultsResource,
  setResultTargets,
  startResult,
  type ResultOutcome,
} from './litmus-result.js';
import { selectLitmusTargets } from './litmus-targets.js';
import { ScenarioBook } from './scenarios.js';
import type { ObjectStore, ResourceType, StoreEvent } from './store.js';

export interface LitmusScenario {
  /** The ChaosResult verdict at EOT; default Pass. */
  verdict?: 'Pass' | 'Fail' | 'Error';
  /** For Fail: the reported `probeSuccessPercentage` (the probes' verdicts follow it). */
  probeSuccessPercentage?: number;
  /** For Error: `errorOutput.errorCode` (default GENERIC_ERROR), e.g. TARGET_SELECTION_ERROR. */
  errorCode?: string;
  /** For Error: `errorOutput.reason`. */
  reason?: string;
  /** The chaos never ends: the runner never finishes (abort it). */
  hang?: boolean;
  /** The operator never removes its finalizer (an engine being deleted stays). */
  stuckFinalizer?: boolean;
  /** A forced abort takes this long (simulated ms, scaled) before the engine is `stopped`. */
  stopDelayMs?: number;
}

export type LitmusOperatorOptions = SimControllerOptions;

export const ENGINE_FINALIZER = 'chaosengine.litmuschaos.io/finalizer';
const RUNNER_CONTAINER = 'chaos-runner';
const DEFAULT_CHAOS_DURATION_S = 15;

/** How long each step takes, in simulated ms (multiplied by timeScale). */
const LATENCY = { runnerStart: 2_000, jobCreate: 1_000, podStart: 2_000, report: 1_000 };

type ExperimentStatusString =
  | 'Waiting for Job Creation'
  | 'Running'
  | 'Completed'
  | 'ChaosExperiment Not Found'
  | 'Forcefully Aborted'
  | 'Skipped';

interface ExperimentEntry {
  name: string;
  runner: string;
  experimentPod: string;
  status: ExperimentStatusString;
  verdict: string;
  lastUpdateTime: string;
}

interface EngineRun {
  uid: string;
  namespace: string;
  name: string;
  signal: CancelSignal;
  /** ChaosResults whose experiment is between SOT and EOT. */
  openResults: Set<string>;
}

export class LitmusOperatorSim extends SimController {
  private readonly scenarios = new ScenarioBook<LitmusScenario>();
  private readonly runs = new Map<string, EngineRun>();
  private readonly aborting = new Set<string>();
  private readonly active = new Map<string, string>();
  private readonly recorder: EventRecorder;

  constructor(store: ObjectStore, opts: LitmusOperatorOptions = {}) {
    super(store, opts);
    this.recorder = new EventRecorder(store, 'chaos-operator');
  }

  /** Behaviour for engines whose name starts with `enginePrefix` ('' = default). */
  scenario(enginePrefix: string, s: LitmusScenario): void {
    this.scenarios.set(enginePrefix, s);
  }

  /** What is injecting chaos right now: one entry per running experiment. */
  activeChaos(): string[] {
    return [...this.active.values()].sort();
  }

  protected watches(r: ResourceType): boolean {
    return r.group === LITMUS_GROUP && r.plural === 'chaosengines';
  }

  /** Engine changes, and changes to the pods an engine owns (its runner finishing). */
  protected override keysFor(e: StoreEvent): ObjectKey[] {
    if (this.watches(e.resource)) return [keyOf(e.resource, e.object)];
    const engines = this.engines();
    if (!engines || e.resource.plural !== 'pods' || e.resource.group !== '') return [];
    return ownerReferencesOf(e.object)
      .filter((ref) => ref.kind === 'ChaosEngine')
      .map((ref) => ({
        resource: engines,
        namespace: e.object.metadata.namespace,
        name: ref.name,
      }));
  }

  protected override onStop(): void {
    for (const run of this.runs.values()) run.signal.cancel();
    this.runs.clear();
    this.aborting.clear();
  }

  protected reconcile(key: ObjectKey): void {
    const engine = this.store.get(key.resource, key.namespace, key.name);
    if (!engine) {
      for (const [uid, run] of this.runs)
        if (run.namespace === key.namespace && run.name === key.name) this.cancelRun(uid);
      return;
    }
    const uid = engine.metadata.uid ?? '';
    const scenario = this.scenarios.match(key.name);
    const engineStatus = asString(dig(engine, 'status', 'engineStatus')) ?? '';
    const engineState = asString(dig(engine, 'spec', 'engineState')) || 'active';

    if (isDeleting(engine)) {
      if (engineStatus === 'initialized') this.forceAbort(key.resource, engine, scenario);
      else if (!scenario.stuckFinalizer)
        patchObject(this.store, key.resource, engine, (o) => removeFinalizer(o, ENGINE_FINALIZER));
      return;
    }
    if (engineState === 'active') {
      if (engineStatus !== 'initialized') this.initialize(key.resource, engine);
      else if (this.runnerCompleted(engine)) this.complete(key.resource, engine);
      else if (!this.runs.has(uid) && !this.aborting.has(uid)) this.startRun(engine);
      return;
    }
    if (engineStatus === 'initialized') this.forceAbort(key.resource, engine, scenario);
    else if (
      engineStatus === 'completed' &&
      asString(dig(engine, 'spec', 'jobCleanUpPolicy')) === 'delete'
    )
      this.deleteChaosPods(engine);
  }

  // ---- operator ------------------------------------------------------------------------------

  private initialize(engines: ResourceType, engine: KubeObject): void {
    const { namespace = 'default', name = '' } = engine.metadata;
    const uid = engine.metadata.uid ?? '';
    this.cancelRun(uid);
    // A restart (active again after completed/stopped) replaces the previous runner.
    this.deleteChaosPods(engine);
    patchObject(this.store, engines, engine, (o) => addFinalizer(o, ENGINE_FINALIZER));
    writeStatus(this.store, engines, engine, { engineStatus: 'initialized', experiments: [] });
    try {
      createRunningPod(this.store, runnerPod(engine));
    } catch (err) {
      // "The same path runs when the runner pod cannot be created": a forced abort.
      this.logError(`runner pod of ${namespace}/${name}`, err);
      const cur = this.store.get(engines, namespace, name);
      if (cur) this.forceAbort(engines, cur, this.scenarios.match(name));
      return;
    }
    this.recorder.event(
      engine,
      'Normal',
      'ChaosEngineInitialized',
      `Identifying app under test & launching ${name}-runner`,
    );
    this.startRun(engine);
  }

  private runnerCompleted(engine: KubeObject): boolean {
    const pods = podsResource(this.store);
    const runner =
      pods &&
      this.store.get(pods, engine.metadata.namespace, `${engine.metadata.name ?? ''}-runner`);
    if (!runner) return false;
    return asArray(dig(runner, 'status', 'containerStatuses')).some(
      (c) =>
        dig(c, 'name') === RUNNER_CONTAINER &&
        dig(c, 'state', 'terminated', 'reason') === 'Completed',
    );
  }

  /** The runner is done: `completed` and `spec.engineState: stop` (event ChaosEngineCompleted). */
  private complete(engines: ResourceType, engine: KubeObject): void {
    this.runs.delete(engine.metadata.uid ?? '');
    this.recorder.event(
      engine,
      'Normal',
      'ChaosEngineCompleted',
      'ChaosEngine completed, will delete or retain the resources according to jobCleanUpPolicy',
    );
    const status = { ...statusOf(engine), engineStatus: 'completed' };
    if (engines.statusSubresource) writeStatus(this.store, engines, engine, status);
    patchObject(this.store, engines, engine, (o) => {
      o.spec = { ...(o.spec ?? {}), engineState: 'stop' };
      if (!engines.statusSubresource) o.status = status;
      return true;
    });
  }

  /**
   * Forced abort (engineState stop while initialized, or deletion): the experiment pod's abort
   * watcher marks its ChaosResult Stopped, the chaos pods are deleted, then (after
   * `stopDelayMs`) the experiments become "Forcefully Aborted"/"Stopped", the finalizer goes and
   * the engine is `stopped` (event ChaosEngineStopped).
   */
  private forceAbort(
    engines: ResourceType,
    engine: KubeObject,
    scenario: Partial<LitmusScenario>,
  ): void {
    const uid = engine.metadata.uid ?? '';
    if (this.aborting.has(uid)) return;
    this.aborting.add(uid);
    const { namespace = 'default', name = '' } = engine.metadata;
    const run = this.runs.get(uid);
    this.cancelRun(uid);
    const results = resultsResource(this.store);
    const open = run
      ? [...run.openResults]
      : results
        ? this.store
            .list(results, { namespace, labelSelector: `chaosUID=${uid}` })
            .filter((r) => dig(r, 'status', 'experimentStatus', 'phase') === 'Running')
            .map((r) => r.metadata.name ?? '')
        : [];
    for (const resultName of open)
      finishResult(this.store, namespace, resultName, { verdict: 'Stopped' });
    this.deleteChaosPods(engine);
    const finish = (): void => {
      this.aborting.delete(uid);
      const cur = this.store.get(engines, namespace, name);
      if (!cur || cur.metadata.uid !== uid) return;
      this.recorder.event(cur, 'Normal', 'ChaosEngineStopped', 'Chaos Engine is stopped');
      const status = statusOf(cur);
      status.engineStatus = 'stopped';
      status.experiments = asArray(status.experiments).map((e) =>
        isRecord(e) && (e.status === 'Running' || e.status === 'Waiting for Job Creation')
          ? { ...e, status: 'Forcefully Aborted', verdict: 'Stopped', lastUpdateTime: isoTime() }
          : e,
      );
      if (engines.statusSubresource) writeStatus(this.store, engines, cur, status);
      patchObject(this.store, engines, cur, (o) => {
        if (!engines.statusSubresource) o.status = status;
        if (!scenario.stuckFinalizer) removeFinalizer(o, ENGINE_FINALIZER);
        return true;
      });
    };
    if (scenario.stopDelayMs) this.after(scenario.stopDelayMs, finish);
    else finish();
  }

  /** Deletes the runner and experiment pods (labelled `chaosUID=<uid>`). */
  private deleteChaosPods(engine: KubeObject): void {
    const pods = podsResource(this.store);
    if (!pods) return;
    const { namespace } = engine.metadata;
    for (const p of this.store.list(pods, {
      namespace,
      labelSelector: `chaosUID=${engine.metadata.uid ?? ''}`,
    }))
      this.store.delete(pods, namespace, p.metadata.name ?? '');
  }

  private cancelRun(uid: string): void {
    const run = this.runs.get(uid);
    if (!run) return;
    run.signal.cancel();
    this.runs.delete(uid);
    for (const k of [...this.active.keys()])
      if (k.startsWith(`${run.namespace}/${run.name}/`)) this.active.delete(k);
  }

  // ---- chaos-runner and litmus-go ---------------------------------------------------------------

  private startRun(engine: KubeObject): void {
    const run: EngineRun = {
      uid: engine.metadata.uid ?? '',
      namespace: engine.metadata.namespace ?? 'default',
      name: engine.metadata.name ?? '',
      signal: new CancelSignal(),
      openResults: new Set(),
    };
    this.runs.set(run.uid, run);
    this.runEngine(run).catch((err: unknown) => {
      if (!(err instanceof Cancelled)) this.logError(`runner ${run.namespace}/${run.name}`, err);
    });
  }

  private async runEngine(run: EngineRun): Promise<void> {
    await this.sleep(LATENCY.runnerStart, run.signal);
    const entries = asArray(dig(this.currentEngine(run), 'spec', 'experiments')).filter(isRecord);
    for (const entry of entries) await this.runExperiment(run, entry);
    // The runner exits; the operator notices its container terminated `Completed`.
    const engines = this.engines();
    if (podsResource(this.store)) completePod(this.store, run.namespace, `${run.name}-runner`);
    else if (engines) this.complete(engines, this.currentEngine(run));
  }

  private async runExperiment(run: EngineRun, entry: Record<string, unknown>): Promise<void> {
    const expName = asString(entry.name) ?? '';
    const experiments = this.store.resource(LITMUS_GROUP, 'chaosexperiments');
    const ce = experiments && this.store.get(experiments, run.namespace, expName);
    if (!ce) {
      // chaos-runner `ExperimentNotFoundPatchEngine`.
      this.patchExperiment(run, expName, '', 'ChaosExperiment Not Found', 'Fail');
      return;
    }
    this.patchExperiment(run, expName, '', 'Waiting for Job Creation', 'N/A');
    await this.sleep(LATENCY.jobCreate, run.signal);
    const env = experimentEnv(ce, entry);
    const jobName = `${expName}-${randomSuffix(6)}`;
    const podName = `${jobName}-${randomSuffix(5)}`;
    const labels = { ...definitionLabels(ce), 'job-name': jobName, chaosUID: run.uid };
    createRunningPod(this.store, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: run.namespace,
        labels,
        ownerReferences: [controllerReference(this.currentEngine(run))],
      } as KubeObject['metadata'],
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: jobName,
            image: asString(dig(ce, 'spec', 'definition', 'image')) ?? 'litmuschaos/go-runner',
          },
        ],
      },
    });
    this.patchExperiment(run, expName, podName, 'Running', 'Awaited');
    await this.sleep(LATENCY.podStart, run.signal);
    const verdict = await this.litmusGo(run, entry, expName, env, labels);
    completePod(this.store, run.namespace, podName);
    await this.sleep(LATENCY.report, run.signal);
    this.patchExperiment(run, expName, podName, 'Completed', verdict);
  }

  /** What the experiment pod does: SOT result, target selection, chaos, EOT verdict. */
  private async litmusGo(
    run: EngineRun,
    entry: Record<string, unknown>,
    expName: string,
    env: ReadonlyMap<string, string>,
    labels: Record<string, string>,
  ): Promise<string> {
    const scenario = this.scenarios.match(run.name);
    const instance = env.get('INSTANCE_ID') || undefined;
    const resultName = instance ? `${run.name}-${expName}-${instance}` : `${run.name}-${expName}`;
    startResult(
      this.store,
      {
        namespace: run.namespace,
        name: resultName,
        engine: run.name,
        experiment: expName,
        instance,
        labels,
      },
      probesOf(entry),
    );
    run.openResults.add(resultName);
    let outcome: ResultOutcome;
    const selection = selectLitmusTargets(this.store, this.currentEngine(run), env);
    if (scenario.verdict === 'Error') {
      outcome = {
        verdict: 'Error',
        errorCode: scenario.errorCode ?? 'GENERIC_ERROR',
        reason: scenario.reason ?? 'simulated experiment error',
      };
    } else if (!selection.ok) {
      const target = selection.target ? `, target: ${selection.target}` : '';
      outcome = {
        verdict: 'Error',
        errorCode: selection.errorCode,
        reason: selection.reason + target,
      };
    } else {
      const targets = selection.pods.map((p) => ({
        name: p.metadata.name ?? '',
        kind: selection.kind,
      }));
      const activeKey = `${run.namespace}/${run.name}/${expName}`;
      this.active.set(
        activeKey,
        `ChaosEngine ${run.namespace}/${run.name} ${expName}: ${targets.map((t) => t.name).join(', ')}`,
      );
      // After `active` is set, so that whoever waits on this write sees the chaos injecting.
      setResultTargets(this.store, run.namespace, resultName, targets, 'injected');
      await this.sleep(scenario.hang ? Infinity : chaosDurationS(env) * 1000, run.signal);
      this.active.delete(activeKey);
      outcome =
        scenario.verdict === 'Fail'
          ? { verdict: 'Fail', probeSuccessPercentage: scenario.probeSuccessPercentage }
          : { verdict: 'Pass' };
    }
    const verdict = finishResult(this.store, run.namespace, resultName, outcome);
    run.openResults.delete(resultName);
    this.recorder.event(
      this.currentEngine(run),
      verdict === 'Pass' ? 'Normal' : 'Warning',
      'Summary',
      `${expName} experiment has been ${verdict}ed`,
      `${expName}-experiment`,
    );
    return verdict;
  }

  /** chaos-runner `PatchChaosEngineStatus`: the entry for `name` in `status.experiments[]`. */
  private patchExperiment(
    run: EngineRun,
    name: string,
    experimentPod: string,
    status: ExperimentStatusString,
    verdict: string,
  ): void {
    const engines = this.engines();
    const engine = this.currentEngine(run);
    if (!engines) return;
    const entry: ExperimentEntry = {
      name,
      runner: `${run.name}-runner`,
      experimentPod,
      status,
      verdict,
      lastUpdateTime: isoTime(),
    };
    const st = statusOf(engine);
    const list = asArray(st.experiments).filter(isRecord);
    const i = list.findIndex((e) => e.name === name);
    if (i >= 0) list[i] = { ...entry };
    else list.push({ ...entry });
    writeStatus(this.store, engines, engine, { ...st, experiments: list });
  }

  private engines(): ResourceType | undefined {
    return this.store.resource(LITMUS_GROUP, 'chaosengines');
  }

  /** The engine this run belongs to; cancels the run when it is gone or was replaced. */
  private currentEngine(run: EngineRun): KubeObject {
    const engines = this.engines();
    const engine = engines && this.store.get(engines, run.namespace, run.name);
    if (!engine || engine.metadata.uid !== run.uid || run.signal.cancelled) {
      run.signal.cancel();
      throw new Cancelled();
    }
    return engine;
  }
}

/** The runner pod `<engine>-runner` (labels `app=<engine>`, `chaosUID=<uid>`), owned by the engine. */
function runnerPod(engine: KubeObject): KubeObject {
  const { namespace = 'default', name = '', uid = '' } = engine.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-runner`,
      namespace,
      labels: {
        app: name,
        chaosUID: uid,
        'app.kubernetes.io/component': 'chaos-runner',
        'app.kubernetes.io/part-of': 'litmus',
      },
      ownerReferences: [controllerReference(engine)],
    } as KubeObject['metadata'],
    spec: {
      serviceAccountName: asString(dig(engine, 'spec', 'chaosServiceAccount')) ?? 'default',
      restartPolicy: 'OnFailure',
      containers: [
        {
          name: RUNNER_CONTAINER,
          image: 'litmuschaos.docker.scarf.sh/litmuschaos/chaos-runner:latest',
        },
      ],
    },
  };
}

/** The experiment's env: the ChaosExperiment's `spec.definition.env`, overridden by the engine's. */
function experimentEnv(ce: KubeObject, entry: Record<string, unknown>): Map<string, string> {
  const env = new Map<string, string>();
  for (const list of [
    dig(ce, 'spec', 'definition', 'env'),
    dig(entry, 'spec', 'components', 'env'),
  ])
    for (const e of asArray(list))
      if (isRecord(e) && typeof e.name === 'string') env.set(e.name, asString(e.value) ?? '');
  return env;
}

function chaosDurationS(env: ReadonlyMap<string, string>): number {
  const n = Number.parseInt(env.get('TOTAL_CHAOS_DURATION') ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_CHAOS_DURATION_S;
}

function definitionLabels(ce: KubeObject): Record<string, string> {
  const labels = dig(ce, 'spec', 'definition', 'labels');
  const out: Record<string, string> = {};
  if (isRecord(labels))
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}
