/**
 * Chaos Mesh target selection (chaos-mesh `pkg/selector/pod`, `pkg/selector/container`) against
 * the Pods in the store:
 * - `spec.selector`: `namespaces` (empty means the chaos object's own namespace, as the admission
 *   webhook's `DefaultNamespace` sets it), `pods` (`{ns: [names]}`, which replaces the namespace
 *   and label filters), `labelSelectors`, `expressionSelectors` (In, NotIn, Exists,
 *   DoesNotExist), `annotationSelectors`, `fieldSelectors` (metadata.name, metadata.namespace,
 *   spec.nodeName, status.phase), `nodes`, `podPhaseSelectors`. `nodeSelectors` is not
 *   simulated (there are no Node objects) and is ignored.
 * - `spec.mode`/`spec.value` (`pkg/selector/generic/mode`): one, all, fixed, fixed-percent,
 *   random-max-percent; random picks are random, as upstream.
 * - Record ids: `<ns>/<pod>` for pod-level chaos, `<ns>/<pod>/<container>` for container-level
 *   chaos (`containerNames` filters; empty means every container).
 * Pods being deleted are never selected.
 */
import { asArray, asString, isRecord, type KubeObject } from '../../kube/object.js';
import { annotationsOf, isDeleting } from './meta.js';
import { containerNamesOf, podPhase, podsResource } from './pods.js';
import type { ObjectStore } from './store.js';

export function selectPods(
  store: ObjectStore,
  defaultNamespace: string,
  selector: unknown,
): KubeObject[] {
  const pods = podsResource(store);
  if (!pods) return [];
  const sel = isRecord(selector) ? selector : {};
  let candidates: KubeObject[];
  if (isRecord(sel.pods) && Object.keys(sel.pods).length > 0) {
    candidates = [];
    for (const [ns, names] of Object.entries(sel.pods))
      for (const name of asArray(names)) {
        const p = typeof name === 'string' ? store.get(pods, ns, name) : undefined;
        if (p) candidates.push(p);
      }
  } else {
    const namespaces = stringList(sel.namespaces);
    const nss = namespaces.length > 0 ? namespaces : [defaultNamespace];
    candidates = nss.flatMap((ns) => store.list(pods, { namespace: ns }));
    candidates = candidates.filter(
      (p) =>
        matchMap(p.metadata.labels ?? {}, sel.labelSelectors) &&
        matchExpressions(p.metadata.labels ?? {}, sel.expressionSelectors) &&
        matchMap(annotationsOf(p), sel.annotationSelectors),
    );
  }
  const nodes = stringList(sel.nodes);
  const phases = stringList(sel.podPhaseSelectors);
  return candidates.filter(
    (p) =>
      !isDeleting(p) &&
      matchFields(p, sel.fieldSelectors) &&
      (nodes.length === 0 || nodes.includes(asString((p.spec ?? {}).nodeName) ?? '')) &&
      (phases.length === 0 || phases.includes(podPhase(p))),
  );
}

/** Picks targets per `mode`/`value` (chaos-mesh `pkg/selector/generic/mode`). */
export function applyMode<T>(items: T[], mode: string | undefined, value: string | undefined): T[] {
  const shuffled = shuffle(items);
  const n = Number(value ?? '');
  switch (mode) {
    case 'all':
      return items;
    case 'fixed':
      return Number.isInteger(n) && n > 0 ? shuffled.slice(0, n) : [];
    case 'fixed-percent':
      return validPercent(n) ? shuffled.slice(0, Math.floor((items.length * n) / 100)) : [];
    case 'random-max-percent': {
      if (!validPercent(n)) return [];
      const max = Math.floor((items.length * n) / 100);
      return shuffled.slice(0, Math.floor(Math.random() * (max + 1)));
    }
    case 'one':
    default:
      return shuffled.slice(0, 1);
  }
}

export interface SelectedTarget {
  id: string;
  pod: KubeObject;
  container?: string;
}

/** Record ids for the selected pods: per pod, or per container for container-level chaos. */
export function targetsOf(
  pods: KubeObject[],
  containerLevel: boolean,
  containerNames: unknown,
): SelectedTarget[] {
  const wanted = stringList(containerNames);
  const out: SelectedTarget[] = [];
  for (const pod of pods) {
    const base = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    if (!containerLevel) {
      out.push({ id: base, pod });
      continue;
    }
    for (const c of containerNamesOf(pod))
      if (wanted.length === 0 || wanted.includes(c))
        out.push({ id: `${base}/${c}`, pod, container: c });
  }
  return out;
}

function validPercent(n: number): boolean {
  return Number.isFinite(n) && n > 0 && n <= 100;
}

function stringList(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string');
}

function matchMap(actual: Record<string, string>, wanted: unknown): boolean {
  if (!isRecord(wanted)) return true;
  return Object.entries(wanted).every(([k, v]) => actual[k] === v);
}

function matchExpressions(labels: Record<string, string>, exprs: unknown): boolean {
  return asArray(exprs).every((e) => {
    if (!isRecord(e)) return true;
    const key = asString(e.key) ?? '';
    const values = stringList(e.values);
    const v = labels[key];
    switch (e.operator) {
      case 'In':
        return v !== undefined && values.includes(v);
      case 'NotIn':
        return v === undefined || !values.includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
      default:
        return false;
    }
  });
}

function matchFields(pod: KubeObject, fields: unknown): boolean {
  if (!isRecord(fields)) return true;
  return Object.entries(fields).every(([path, want]) => {
    const actual: Record<string, string | undefined> = {
      'metadata.name': pod.metadata.name,
      'metadata.namespace': pod.metadata.namespace,
      'spec.nodeName': asString((pod.spec ?? {}).nodeName),
      'status.phase': podPhase(pod),
    };
    return actual[path] === want;
  });
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
