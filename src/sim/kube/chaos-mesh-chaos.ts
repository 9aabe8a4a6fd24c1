/**
 * One reconcile for every Chaos Mesh chaos kind, doing in one pass what chaos-mesh's pipeline of
 * common controllers does (`controllers/common/*`), in their order:
 * 1. finalizers `InitReconciler`: add `chaos-mesh/records` (event FinalizerInited);
 * 2. desiredphase: deleting → Stop (Deleted); one-shot → Run; start + `spec.duration` passed →
 *    Stop (TimeUp); annotation `experiment.chaos-mesh.org/pause: "true"` → Stop (Paused); else
 *    Run (Started). Upstream's start is the creationTimestamp; here it is the first Apply (or,
 *    when nothing was selected, when the object was first seen): at a scaled clock a busy event
 *    loop could otherwise let a short duration pass before anything was injected;
 * 3. records: select targets once (`containerRecords` stays absent and a Warning Event `Failed`
 *    "Failed to select targets: no target has been selected" is recorded when a selector picks
 *    nothing); then Apply what should run and Recover what should stop, after a short latency,
 *    with `{type, operation, message?, timestamp}` record events (at most 10 kept) and Events
 *    Applied/Recovered/Failed; a failed Apply is retried with exponential backoff;
 * 4. condition: Selected, AllInjected, AllRecovered, Paused (always all four);
 * 5. finalizers `CleanReconciler`: once deleted and every record is "Not Injected", remove the
 *    finalizer (or at once with `chaos-mesh.chaos-mesh.org/cleanFinalizer: forced`).
 * Each object's status is written once per reconcile and only when it changed.
 */
import { asArray, asString, isRecord, type KubeObject } from '../../kube/object.js';
import { trueOrFalse, type Condition } from './conditions.js';
import { keyString, type ObjectKey } from './controller.js';
import { applyMode, selectPods, targetsOf, type SelectedTarget } from './chaos-mesh-select.js';
import {
  chaosKindByKind,
  type ChaosKindInfo,
  type ChaosMeshContext,
  type ChaosMeshScenario,
} from './chaos-mesh-kinds.js';
import { parseGoDuration } from './go-duration.js';
import {
  addFinalizer,
  annotationsOf,
  finalizersOf,
  isDeleting,
  isoTime,
  patchObject,
  removeFinalizer,
  statusOf,
  writeStatus,
} from './meta.js';
import { podsResource, replacePod, restartContainer } from './pods.js';

export const RECORDS_FINALIZER = 'chaos-mesh/records';
export const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';
export const CLEAN_FINALIZER_ANNOTATION = 'chaos-mesh.chaos-mesh.org/cleanFinalizer';

/** Simulated ms from "should apply/recover" to done (the chaos-daemon's gRPC round trip). */
const OPERATION_LATENCY = 1_000;
/** controllers/config `MaxEvents`. */
const MAX_RECORD_EVENTS = 10;
const MAX_RETRY_BACKOFF = 60_000;

type DesiredPhase = 'Run' | 'Stop';
type RecordPhase = 'Not Injected' | 'Injected';

interface RecordEvent {
  type: 'Succeeded' | 'Failed';
  operation: 'Apply' | 'Recover';
  message?: string;
  timestamp: string;
}

interface ChaosRecord {
  id: string;
  selectorKey: string;
  phase: RecordPhase;
  injectedCount: number;
  recoveredCount: number;
  events?: RecordEvent[];
}

interface ChaosState {
  uid: string;
  firstSeen: number;
  /** When the first Apply was attempted: the duration counts from here. */
  started?: number;
  /** When the pending apply/recover operations complete (real ms epoch). */
  due?: number;
  failures: number;
  reportedNoTarget: boolean;
}

export class ChaosReconciler {
  private readonly states = new Map<string, ChaosState>();

  constructor(private readonly ctx: ChaosMeshContext) {}

  reconcile(key: ObjectKey): void {
    const { store, recorder } = this.ctx;
    const r = key.resource;
    const obj = store.get(r, key.namespace, key.name);
    const sk = keyString(key);
    if (!obj) {
      this.states.delete(sk);
      return;
    }
    const info = chaosKindByKind(obj.kind);
    if (!info) return;
    const st = this.state(sk, obj);
    const deleting = isDeleting(obj);
    const scenario = this.ctx.scenarios.match(key.name);
    const annotations = annotationsOf(obj);

    if (!deleting && !finalizersOf(obj).includes(RECORDS_FINALIZER)) {
      recorder.event(
        obj,
        'Normal',
        'FinalizerInited',
        'Finalizer has been inited',
        'initFinalizers',
      );
      patchObject(store, r, obj, (o) => addFinalizer(o, RECORDS_FINALIZER));
      return;
    }
    if (deleting && annotations[CLEAN_FINALIZER_ANNOTATION] === 'forced') {
      // Dangerous upstream too: the finalizer goes without recovering (chaos stays injected).
      patchObject(store, r, obj, (o) => removeFinalizer(o, RECORDS_FINALIZER));
      return;
    }

    const status = statusOf(obj);
    const experiment = isRecord(status.experiment) ? status.experiment : {};
    const now = Date.now();
    let records = parseRecords(experiment.containerRecords);
    // A restarted controller finds records already applied: count from its own start.
    if (st.started === undefined && records?.some((rec) => rec.injectedCount > 0))
      st.started = st.firstSeen;
    const phase = this.desiredPhase(
      key,
      obj,
      info,
      st,
      experiment.desiredPhase,
      now,
      records === undefined,
    );

    if (records === undefined) {
      records = this.select(obj, info, scenario);
      if (records === undefined && !st.reportedNoTarget) {
        st.reportedNoTarget = true;
        recorder.event(
          obj,
          'Warning',
          'Failed',
          'Failed to select targets: no target has been selected',
          'records',
        );
      }
    }
    if (records) this.operate(key, obj, info, st, scenario, records, phase, now);

    const paused = annotations[PAUSE_ANNOTATION] === 'true';
    const next: Record<string, unknown> = {
      ...status,
      conditions: chaosConditions(records, paused),
      experiment: {
        ...experiment,
        desiredPhase: phase,
        ...(records ? { containerRecords: records } : {}),
      },
    };
    writeStatus(store, r, obj, next);

    const recovered = (records ?? []).every((rec) => rec.phase === 'Not Injected');
    if (deleting && recovered && !scenario.stuckFinalizer) {
      recorder.event(
        obj,
        'Normal',
        'FinalizerRemoved',
        'Finalizer has been removed',
        'cleanFinalizers',
      );
      patchObject(store, r, obj, (o) => removeFinalizer(o, RECORDS_FINALIZER));
    }
  }

  private state(sk: string, obj: KubeObject): ChaosState {
    const uid = obj.metadata.uid ?? '';
    let st = this.states.get(sk);
    if (!st || st.uid !== uid) {
      st = { uid, firstSeen: Date.now(), failures: 0, reportedNoTarget: false };
      this.states.set(sk, st);
    }
    return st;
  }

  /** desiredphase/controller.go `CalcDesiredPhase`, with its events. */
  private desiredPhase(
    key: ObjectKey,
    obj: KubeObject,
    info: ChaosKindInfo,
    st: ChaosState,
    previous: unknown,
    now: number,
    unselected: boolean,
  ): DesiredPhase {
    const event = (phase: DesiredPhase, reason: string, message: string): DesiredPhase => {
      if (previous !== phase)
        this.ctx.recorder.event(obj, 'Normal', reason, message, 'desiredphase');
      return phase;
    };
    if (isDeleting(obj)) return event('Stop', 'Deleted', 'Experiment has been deleted');
    const action = asString((obj.spec ?? {}).action) ?? '';
    if (info.oneShotActions.includes(action)) return 'Run';
    const duration = parseGoDuration(asString((obj.spec ?? {}).duration) ?? '');
    const start = st.started ?? (unselected ? st.firstSeen : undefined);
    if (duration !== undefined && start !== undefined) {
      const end = start + this.ctx.real(duration);
      if (now >= end) return event('Stop', 'TimeUp', 'Time up according to the duration');
      this.ctx.requeueAfterReal(key, end - now);
    }
    if (annotationsOf(obj)[PAUSE_ANNOTATION] === 'true')
      return event('Stop', 'Paused', 'Experiment has been paused');
    return event('Run', 'Started', 'Experiment has started');
  }

  /** records/controller.go: one record per target of every selector; undefined when one picks none. */
  private select(
    obj: KubeObject,
    info: ChaosKindInfo,
    scenario: Partial<ChaosMeshScenario>,
  ): ChaosRecord[] | undefined {
    if (scenario.noTargets) return undefined;
    const spec = obj.spec ?? {};
    const ns = obj.metadata.namespace ?? 'default';
    const action = asString(spec.action) ?? '';
    const selectors: { key: string; ids: string[] }[] = [];
    if (info.level === 'cloud') {
      selectors.push({ key: '.', ids: [cloudId(info, spec, obj)] });
    } else {
      const containerLevel =
        info.level === 'container' || (info.containerActions ?? []).includes(action);
      const pick = (
        sel: unknown,
        mode: unknown,
        value: unknown,
        containers: boolean,
      ): SelectedTarget[] =>
        targetsOf(
          applyMode(selectPods(this.ctx.store, ns, sel), asString(mode), asString(value)),
          containers,
          spec.containerNames,
        );
      selectors.push({
        key: '.',
        ids: pick(spec.selector, spec.mode, spec.value, containerLevel).map((t) => t.id),
      });
      if (info.kind === 'NetworkChaos' && isRecord(spec.target)) {
        const t = spec.target;
        selectors.push({
          key: 'target',
          ids: pick(t.selector, t.mode, t.value, false).map((x) => x.id),
        });
      }
    }
    if (selectors.some((s) => s.ids.length === 0)) return undefined;
    return selectors.flatMap((s) =>
      s.ids.map((id) => ({
        id,
        selectorKey: s.key,
        phase: 'Not Injected' as const,
        injectedCount: 0,
        recoveredCount: 0,
      })),
    );
  }

  /** The Apply/Recover cycle of records/controller.go, after OPERATION_LATENCY. */
  private operate(
    key: ObjectKey,
    obj: KubeObject,
    info: ChaosKindInfo,
    st: ChaosState,
    scenario: Partial<ChaosMeshScenario>,
    records: ChaosRecord[],
    phase: DesiredPhase,
    now: number,
  ): void {
    const pending = records.filter((rec) => (phase === 'Run') !== (rec.phase === 'Injected'));
    if (pending.length === 0) {
      st.due = undefined;
      return;
    }
    if (st.due === undefined) {
      const slow =
        isDeleting(obj) && scenario.slowRecoveryMs ? scenario.slowRecoveryMs : OPERATION_LATENCY;
      st.due = now + this.ctx.real(slow);
    }
    if (now < st.due) {
      this.ctx.requeueAfterReal(key, st.due - now);
      return;
    }
    st.due = undefined;
    if (phase === 'Run' && st.started === undefined) {
      st.started = now;
      const duration = parseGoDuration(asString((obj.spec ?? {}).duration) ?? '');
      if (duration !== undefined) this.ctx.requeueAfterReal(key, this.ctx.real(duration));
    }
    const action = asString((obj.spec ?? {}).action) ?? '';
    for (const rec of pending) {
      if (phase === 'Run') {
        if (scenario.injectFail) {
          const message = 'simulated injection failure';
          pushEvent(rec, { type: 'Failed', operation: 'Apply', message, timestamp: isoTime() });
          this.ctx.recorder.event(
            obj,
            'Warning',
            'Failed',
            `Failed to apply chaos: ${message}`,
            'records',
          );
          continue;
        }
        rec.phase = 'Injected';
        rec.injectedCount++;
        pushEvent(rec, { type: 'Succeeded', operation: 'Apply', timestamp: isoTime() });
        this.ctx.recorder.event(
          obj,
          'Normal',
          'Applied',
          `Successfully apply chaos for ${rec.id}`,
          'records',
        );
        if (info.oneShotActions.includes(action)) this.oneShot(action, rec.id);
        else this.ctx.active.set(activeKey(obj, rec.id), `${obj.kind} ${activeKey(obj, rec.id)}`);
      } else {
        rec.phase = 'Not Injected';
        rec.recoveredCount++;
        pushEvent(rec, { type: 'Succeeded', operation: 'Recover', timestamp: isoTime() });
        this.ctx.recorder.event(
          obj,
          'Normal',
          'Recovered',
          `Successfully recover chaos for ${rec.id}`,
          'records',
        );
        this.ctx.active.delete(activeKey(obj, rec.id));
      }
    }
    if (phase === 'Run' && scenario.injectFail) {
      // controller-runtime requeues failed records with exponential backoff.
      st.failures++;
      st.due = now + this.ctx.real(Math.min(1_000 * 2 ** (st.failures - 1), MAX_RETRY_BACKOFF));
      this.ctx.requeueAfterReal(key, st.due - now);
    }
  }

  /** pod-kill deletes the pod (its ReplicaSet makes a new one); container-kill restarts one. */
  private oneShot(action: string, id: string): void {
    const pods = podsResource(this.ctx.store);
    const [ns, podName, container] = id.split('/');
    const pod = pods && this.ctx.store.get(pods, ns, podName ?? '');
    if (!pods || !pod) return;
    if (action === 'pod-kill') {
      this.ctx.store.delete(pods, ns, podName ?? '');
      replacePod(this.ctx.store, pod);
    } else if (action === 'container-kill' && container) {
      restartContainer(this.ctx.store, pod, container);
    }
  }
}

function activeKey(obj: KubeObject, id: string): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''} ${id}`;
}

function pushEvent(rec: ChaosRecord, e: RecordEvent): void {
  rec.events = [...(rec.events ?? []), e].slice(-MAX_RECORD_EVENTS);
}

/** condition/controller.go `diffConditions` (in a fixed order: upstream's is a map's). */
function chaosConditions(records: ChaosRecord[] | undefined, paused: boolean): Condition[] {
  const selected = records !== undefined;
  return [
    { type: 'Selected', status: trueOrFalse(selected) },
    {
      type: 'AllInjected',
      status: trueOrFalse(selected && records.every((r) => r.phase === 'Injected')),
    },
    {
      type: 'AllRecovered',
      status: trueOrFalse(selected && records.every((r) => r.phase === 'Not Injected')),
    },
    { type: 'Paused', status: trueOrFalse(paused) },
  ];
}

function parseRecords(v: unknown): ChaosRecord[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return asArray(v)
    .filter(isRecord)
    .map((r) => {
      const rec: ChaosRecord = {
        id: asString(r.id) ?? '',
        selectorKey: asString(r.selectorKey) ?? '.',
        phase: r.phase === 'Injected' ? 'Injected' : 'Not Injected',
        injectedCount: typeof r.injectedCount === 'number' ? r.injectedCount : 0,
        recoveredCount: typeof r.recoveredCount === 'number' ? r.recoveredCount : 0,
      };
      const events = asArray(r.events).filter(isRecord) as unknown as RecordEvent[];
      if (events.length > 0) rec.events = events;
      return rec;
    });
}

/** The one record of a cloud chaos (sim-specific ids: the upstream ones are JSON blobs). */
function cloudId(info: ChaosKindInfo, spec: Record<string, unknown>, obj: KubeObject): string {
  const parts: Record<string, unknown[]> = {
    AWSChaos: [spec.awsRegion, spec.ec2Instance],
    AzureChaos: [spec.resourceGroupName, spec.vmName],
    GCPChaos: [spec.project, spec.zone, spec.instance],
    PhysicalMachineChaos: [asArray(spec.address).join(',')],
  };
  const id = (parts[info.kind] ?? []).filter((p) => typeof p === 'string' && p !== '').join('/');
  return id || `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
