/**
 * Litmus target selection, as litmus-go `pkg/utils/common` (`GetPodList`, `GetTargetPods`) does it
 * inside the experiment pod, against the Pods in the store:
 * - `spec.appinfo` `{appns, applabel}`: pods in `appns` (default: the engine's namespace) that
 *   match the label selector `applabel`;
 * - `spec.selectors.pods[]` `{namespace, names}` (comma-separated names) and
 *   `spec.selectors.workloads[]` `{kind, namespace, names|labels}` (a workload's pods are the
 *   pods named `<workload>-...`, or labelled `labels`);
 * - env `TARGET_PODS` (comma-separated names in the app namespace).
 * Nothing to select by gives TARGET_SELECTION_ERROR "provide one of the appLabel or TARGET_PODS";
 * no matching pod gives TARGET_SELECTION_ERROR "no pod found with matching labels" (the litmus-go
 * reasons). `PODS_AFFECTED_PERC` picks max(1, perc × pods / 100) of them, the first ones by name
 * (upstream picks randomly). `appkind` and the workload kind do not filter: the store has no
 * Deployments to own the pods.
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../../kube/object.js';
import { isDeleting } from './meta.js';
import { podsResource } from './pods.js';
import { matchesLabels, parseLabelSelector, type ObjectStore, type ResourceType } from './store.js';

export type TargetSelection =
  | { ok: true; pods: KubeObject[]; kind: string }
  | { ok: false; errorCode: 'TARGET_SELECTION_ERROR'; reason: string; target?: string };

export function selectLitmusTargets(
  store: ObjectStore,
  engine: KubeObject,
  env: ReadonlyMap<string, string>,
): TargetSelection {
  const pods = podsResource(store);
  const engineNs = engine.metadata.namespace ?? 'default';
  const appns = asString(dig(engine, 'spec', 'appinfo', 'appns')) || engineNs;
  const applabel = asString(dig(engine, 'spec', 'appinfo', 'applabel')) ?? '';
  const kind = asString(dig(engine, 'spec', 'appinfo', 'appkind')) || 'pod';
  const targetPods = splitNames(env.get('TARGET_PODS'));
  const selectors = dig(engine, 'spec', 'selectors');
  const podSelectors = asArray(dig(selectors, 'pods')).filter(isRecord);
  const workloadSelectors = asArray(dig(selectors, 'workloads')).filter(isRecord);

  if (
    !applabel &&
    targetPods.length === 0 &&
    podSelectors.length === 0 &&
    workloadSelectors.length === 0
  )
    return {
      ok: false,
      errorCode: 'TARGET_SELECTION_ERROR',
      reason: 'provide one of the appLabel or TARGET_PODS',
    };
  if (!pods)
    return { ok: false, errorCode: 'TARGET_SELECTION_ERROR', reason: 'pods are not served' };

  try {
    return pick(store, pods, env, {
      engineNs,
      appns,
      applabel,
      kind,
      targetPods,
      podSelectors,
      workloadSelectors,
    });
  } catch (err) {
    // An unparsable label selector, say.
    return {
      ok: false,
      errorCode: 'TARGET_SELECTION_ERROR',
      reason: err instanceof Error ? err.message : String(err),
    };
  }
}

interface Inputs {
  engineNs: string;
  appns: string;
  applabel: string;
  kind: string;
  targetPods: string[];
  podSelectors: Record<string, unknown>[];
  workloadSelectors: Record<string, unknown>[];
}

function pick(
  store: ObjectStore,
  pods: ResourceType,
  env: ReadonlyMap<string, string>,
  { engineNs, appns, applabel, kind, targetPods, podSelectors, workloadSelectors }: Inputs,
): TargetSelection {
  const live = (ns: string): KubeObject[] =>
    store.list(pods, { namespace: ns }).filter((p) => !isDeleting(p));
  let found: KubeObject[] = [];
  let target: string;
  if (targetPods.length > 0) {
    found = live(appns).filter((p) => targetPods.includes(p.metadata.name ?? ''));
    target = `{podNames: ${targetPods.join(',')}, namespace: ${appns}}`;
  } else if (podSelectors.length > 0) {
    for (const s of podSelectors) {
      const names = splitNames(asString(s.names));
      found.push(
        ...live(asString(s.namespace) || engineNs).filter((p) =>
          names.includes(p.metadata.name ?? ''),
        ),
      );
    }
    target = '{selectors.pods}';
  } else if (workloadSelectors.length > 0) {
    for (const w of workloadSelectors) {
      const ns = asString(w.namespace) || engineNs;
      const names = splitNames(asString(w.names));
      const labels = asString(w.labels);
      const reqs = labels ? parseLabelSelector(labels) : [];
      found.push(
        ...live(ns).filter((p) =>
          names.length > 0
            ? names.some((n) => (p.metadata.name ?? '').startsWith(`${n}-`))
            : matchesLabels(p.metadata.labels ?? {}, reqs),
        ),
      );
    }
    target = '{selectors.workloads}';
  } else {
    const reqs = parseLabelSelector(applabel);
    found = live(appns).filter((p) => matchesLabels(p.metadata.labels ?? {}, reqs));
    target = `{podLabels: ${applabel}, namespace: ${appns}}`;
  }
  if (found.length === 0)
    return {
      ok: false,
      errorCode: 'TARGET_SELECTION_ERROR',
      reason: 'no pod found with matching labels',
      target,
    };

  const perc = Number(env.get('PODS_AFFECTED_PERC') || '0');
  const count = Math.max(1, Math.floor(((Number.isFinite(perc) ? perc : 0) * found.length) / 100));
  return { ok: true, pods: found.slice(0, count), kind };
}

function splitNames(s: string | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}
