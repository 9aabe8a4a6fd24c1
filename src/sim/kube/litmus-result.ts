/**
 * The ChaosResult as litmus-go (`pkg/result/chaosresult.go`, `pkg/types/types.go`) writes it, with
 * the field names of chaos-operator `api/litmuschaos/v1alpha1/chaosresult_types.go`:
 * - name `<engine>-<experiment>[-<INSTANCE_ID>]` in the engine's namespace, labels = the
 *   experiment pod's labels plus `chaosUID`, spec `{engine, experiment, instance?}`, no owner;
 * - SOT: created, or an existing one REUSED: patched back to Running/Awaited with the new labels
 *   while `history` keeps counting;
 * - EOT: `experimentStatus {phase, verdict, probeSuccessPercentage (a string), errorOutput?}`,
 *   `probeStatuses[] {name, type, mode, status: {verdict, description?}}` (still-Awaited probes
 *   become N/A after a Fail, Error or Stop), `history {passedRuns, failedRuns, stoppedRuns,
 *   targets[] {name, kind, chaosStatus}}`.
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../../kube/object.js';
import { statusOf, writeStatus } from './meta.js';
import type { ObjectStore, ResourceType } from './store.js';

export const LITMUS_GROUP = 'litmuschaos.io';

export interface ProbeRef {
  name: string;
  type: string;
  mode: string;
}

export interface ResultIdentity {
  namespace: string;
  name: string;
  engine: string;
  experiment: string;
  instance?: string;
  labels: Record<string, string>;
}

export type ResultOutcome =
  | { verdict: 'Pass' }
  | { verdict: 'Fail'; probeSuccessPercentage?: number }
  | { verdict: 'Error'; errorCode: string; reason: string }
  | { verdict: 'Stopped' };

const NOT_EVALUATED = 'Either probe is not executed or not evaluated';

export function resultsResource(store: ObjectStore): ResourceType | undefined {
  return store.resource(LITMUS_GROUP, 'chaosresults');
}

/** The probes of one `spec.experiments[]` entry of a ChaosEngine. */
export function probesOf(experimentEntry: unknown): ProbeRef[] {
  return asArray(dig(experimentEntry, 'spec', 'probe'))
    .filter(isRecord)
    .map((p) => ({
      name: asString(p.name) ?? '',
      type: asString(p.type) ?? '',
      mode: asString(p.mode) ?? '',
    }));
}

/** SOT: creates the ChaosResult, or reuses the existing one (Running/Awaited, history kept). */
export function startResult(store: ObjectStore, id: ResultIdentity, probes: ProbeRef[]): void {
  const r = resultsResource(store);
  if (!r) return;
  const spec: Record<string, unknown> = { engine: id.engine, experiment: id.experiment };
  if (id.instance) spec.instance = id.instance;
  const existing = store.get(r, id.namespace, id.name);
  const history = historyOf(existing);
  const status = {
    experimentStatus: { phase: 'Running', verdict: 'Awaited', probeSuccessPercentage: 'Awaited' },
    probeStatuses: probes.map((p) => ({ ...p, status: { verdict: 'Awaited' } })),
    history: { ...history, targets: [] },
  };
  if (!existing) {
    store.create(r, id.namespace, {
      apiVersion: `${LITMUS_GROUP}/v1alpha1`,
      kind: 'ChaosResult',
      metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
      spec,
      status,
    });
    return;
  }
  existing.metadata.labels = id.labels;
  existing.spec = spec;
  existing.status = status;
  store.update(r, id.namespace, id.name, existing);
}

/** Records the targets (`history.targets[]`) with their chaos status. */
export function setResultTargets(
  store: ObjectStore,
  namespace: string,
  name: string,
  targets: { name: string; kind: string }[],
  chaosStatus: string,
): void {
  const r = resultsResource(store);
  const cur = r && store.get(r, namespace, name);
  if (!r || !cur) return;
  const status = statusOf(cur);
  const history = isRecord(status.history) ? status.history : {};
  status.history = { ...history, targets: targets.map((t) => ({ ...t, chaosStatus })) };
  writeStatus(store, r, cur, status);
}

/** EOT (or the abort watcher's Stopped): writes the verdict; returns it. */
export function finishResult(
  store: ObjectStore,
  namespace: string,
  name: string,
  outcome: ResultOutcome,
): string {
  const r = resultsResource(store);
  const cur = r && store.get(r, namespace, name);
  if (!r || !cur) return outcome.verdict;
  const status = statusOf(cur);
  const probes = asArray(status.probeStatuses).filter(isRecord);
  const { experimentStatus, probeStatuses } = evaluate(outcome, probes);
  const history = historyOf(cur);
  if (outcome.verdict === 'Pass') history.passedRuns++;
  else if (outcome.verdict === 'Stopped') history.stoppedRuns++;
  else history.failedRuns++;
  const targets = asArray(dig(status, 'history', 'targets'))
    .filter(isRecord)
    .map((t) => (t.chaosStatus === 'injected' ? { ...t, chaosStatus: 'reverted' } : t));
  writeStatus(store, r, cur, {
    ...status,
    experimentStatus,
    probeStatuses,
    history: { ...history, targets },
  });
  return outcome.verdict;
}

function evaluate(
  outcome: ResultOutcome,
  probes: Record<string, unknown>[],
): { experimentStatus: Record<string, unknown>; probeStatuses: Record<string, unknown>[] } {
  const total = probes.length;
  const notEvaluated = (p: Record<string, unknown>): Record<string, unknown> =>
    dig(p, 'status', 'verdict') === 'Awaited'
      ? { ...p, status: { verdict: 'N/A', description: NOT_EVALUATED } }
      : p;
  switch (outcome.verdict) {
    case 'Pass':
      return {
        experimentStatus: { phase: 'Completed', verdict: 'Pass', probeSuccessPercentage: '100' },
        probeStatuses: probes.map((p) => ({ ...p, status: { verdict: 'Passed' } })),
      };
    case 'Fail': {
      // Verdict downgrade rule (updateResultAttributes): a failed probe makes the phase
      // Completed_With_Probe_Failure. Which probes failed follows the requested percentage.
      const want = outcome.probeSuccessPercentage;
      const passed =
        total === 0
          ? 0
          : Math.min(
              total - 1,
              Math.max(0, want === undefined ? total - 1 : Math.round((want * total) / 100)),
            );
      const pct =
        want !== undefined
          ? String(want)
          : total === 0
            ? '0'
            : String(Math.floor((passed * 100) / total));
      return {
        experimentStatus: {
          phase: total > 0 ? 'Completed_With_Probe_Failure' : 'Completed',
          verdict: 'Fail',
          probeSuccessPercentage: pct,
        },
        probeStatuses: probes.map((p, i) =>
          i < passed
            ? { ...p, status: { verdict: 'Passed' } }
            : { ...p, status: { verdict: 'Failed', description: 'simulated probe failure' } },
        ),
      };
    }
    case 'Error':
      return {
        experimentStatus: {
          phase: 'Error',
          verdict: 'Error',
          probeSuccessPercentage: '0',
          errorOutput: { errorCode: outcome.errorCode, reason: outcome.reason },
        },
        probeStatuses: probes.map(notEvaluated),
      };
    case 'Stopped': {
      const passed = probes.filter((p) => dig(p, 'status', 'verdict') === 'Passed').length;
      return {
        experimentStatus: {
          phase: 'Stopped',
          verdict: 'Stopped',
          probeSuccessPercentage: total === 0 ? '0' : String(Math.floor((passed * 100) / total)),
        },
        probeStatuses: probes.map(notEvaluated),
      };
    }
  }
}

interface History {
  passedRuns: number;
  failedRuns: number;
  stoppedRuns: number;
}

function historyOf(result: KubeObject | undefined): History {
  const h = dig(result, 'status', 'history');
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return {
    passedRuns: n(dig(h, 'passedRuns')),
    failedRuns: n(dig(h, 'failedRuns')),
    stoppedRuns: n(dig(h, 'stoppedRuns')),
  };
}
