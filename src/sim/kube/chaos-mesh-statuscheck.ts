/**
 * The StatusCheck controller (chaos-mesh `controllers/statuscheck`: controller.go, conditions.go,
 * the worker's probe loop), with the HTTP probe replaced by the scenario's outcome
 * (`statusCheck: 'success' | 'failure'`, matched by the `chaos-mesh.org/workflow` label, else the
 * StatusCheck's name). One probe at once, then one every `intervalSeconds` (scaled):
 * - `records[] {startTime, outcome: Success|Failure}` (at most `recordsHistoryLimit`), `count`;
 * - conditions `{type, status, reason, lastProbeTime, lastTransitionTime}` of the four types:
 *   DurationExceed (start + `duration` passed), FailureThresholdExceed / SuccessThresholdExceed
 *   (that many consecutive outcomes at the tail of records), and Completed with reason
 *   StatusCheckDurationExceed, StatusCheckFailureThresholdExceed or (Synchronous mode only)
 *   StatusCheckSuccessThresholdExceed;
 * - `startTime`, `completionTime`; a completed StatusCheck is never probed again.
 * Defaults are the CRD's (mode Synchronous, intervalSeconds 10, failureThreshold 3,
 * successThreshold 1, recordsHistoryLimit 100).
 */
import { asArray, asString, isRecord, type KubeObject } from '../../kube/object.js';
import {
  conditionsOf,
  getCondition,
  isConditionTrue,
  trueOrFalse,
  type Condition,
} from './conditions.js';
import { keyString, type ObjectKey } from './controller.js';
import { LABEL_WORKFLOW, type ChaosMeshContext } from './chaos-mesh-kinds.js';
import { parseGoDuration } from './go-duration.js';
import { isDeleting, isoTime, parseTime, statusOf, writeStatus } from './meta.js';

const CONDITION_ORDER = [
  'Completed',
  'DurationExceed',
  'FailureThresholdExceed',
  'SuccessThresholdExceed',
];

interface ProbeState {
  uid: string;
  firstSeen: number;
  next: number;
}

export class StatusCheckReconciler {
  private readonly states = new Map<string, ProbeState>();

  constructor(private readonly ctx: ChaosMeshContext) {}

  reconcile(key: ObjectKey): void {
    const sk = keyString(key);
    const sc = this.ctx.store.get(key.resource, key.namespace, key.name);
    if (!sc || isDeleting(sc) || isConditionTrue(conditionsOf(sc.status), 'Completed')) {
      this.states.delete(sk);
      return;
    }
    const now = Date.now();
    let st = this.states.get(sk);
    if (!st || st.uid !== sc.metadata.uid) {
      st = { uid: sc.metadata.uid ?? '', firstSeen: now, next: now };
      this.states.set(sk, st);
    }
    if (now < st.next) {
      this.ctx.requeueAfterReal(key, st.next - now);
      return;
    }
    const completed = this.probe(key, sc, st.firstSeen, now);
    if (!completed) {
      const interval = this.ctx.real(num(sc.spec?.intervalSeconds, 10) * 1000);
      st.next = now + interval;
      this.ctx.requeueAfterReal(key, interval);
    }
  }

  /** One probe: a record, the conditions, the status write. Returns whether it completed. */
  private probe(key: ObjectKey, sc: KubeObject, firstSeen: number, now: number): boolean {
    const spec = sc.spec ?? {};
    const status = statusOf(sc);
    const scenarioName = sc.metadata.labels?.[LABEL_WORKFLOW] ?? key.name;
    const outcome =
      this.ctx.scenarios.match(scenarioName).statusCheck === 'failure' ? 'Failure' : 'Success';
    const limit = num(spec.recordsHistoryLimit, 100);
    const records = [
      ...asArray(status.records).filter(isRecord),
      { startTime: isoTime(now), outcome },
    ].slice(-limit);
    const startTime = asString(status.startTime) ?? isoTime(firstSeen);
    const duration = parseGoDuration(asString(spec.duration) ?? '');
    const durationExceed =
      duration !== undefined && parseTime(startTime) + this.ctx.real(duration) <= now;
    const failureExceed = thresholdExceeded(records, 'Failure', num(spec.failureThreshold, 3));
    const successExceed = thresholdExceeded(records, 'Success', num(spec.successThreshold, 1));
    const synchronous = (asString(spec.mode) ?? 'Synchronous') === 'Synchronous';
    const completedReason = durationExceed
      ? 'StatusCheckDurationExceed'
      : failureExceed
        ? 'StatusCheckFailureThresholdExceed'
        : synchronous && successExceed
          ? 'StatusCheckSuccessThresholdExceed'
          : '';
    let conditions = conditionsOf(status);
    const set = (type: string, value: boolean, reason = ''): void => {
      conditions = setProbeCondition(conditions, type, value, reason, isoTime(now));
    };
    set('DurationExceed', durationExceed);
    set('FailureThresholdExceed', failureExceed);
    set('SuccessThresholdExceed', successExceed);
    set('Completed', completedReason !== '', completedReason);
    conditions.sort((a, b) => CONDITION_ORDER.indexOf(a.type) - CONDITION_ORDER.indexOf(b.type));
    const next: Record<string, unknown> = {
      ...status,
      startTime,
      count: num(status.count, 0) + 1,
      records,
      conditions,
    };
    if (completedReason) {
      next.completionTime ??= isoTime(now);
      this.ctx.recorder.event(
        sc,
        'Normal',
        'Completed',
        `status check completed: ${completedReason}`,
        'statuscheck',
      );
    }
    writeStatus(this.ctx.store, key.resource, sc, next);
    return completedReason !== '';
  }
}

/** conditions.go `setCondition`: lastProbeTime always moves, lastTransitionTime on a change. */
function setProbeCondition(
  list: Condition[],
  type: string,
  value: boolean,
  reason: string,
  now: string,
): Condition[] {
  const status = trueOrFalse(value);
  const cur = getCondition(list, type);
  const lastTransitionTime = cur && cur.status === status ? cur.lastTransitionTime : now;
  return [
    ...list.filter((c) => c.type !== type),
    { type, status, reason, lastProbeTime: now, lastTransitionTime },
  ];
}

/** conditions.go `isThresholdExceed`: `threshold` equal outcomes at the tail of records. */
function thresholdExceeded(
  records: Record<string, unknown>[],
  want: string,
  threshold: number,
): boolean {
  let count = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i]?.outcome !== want) return false;
    if (++count >= threshold) return true;
  }
  return false;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
