/**
 * core/v1 Pods and Namespaces as the simulated controllers create and read them. There is no
 * kubelet: a pod is written `Running` (or terminated) directly, through `/status` when the
 * resource has that subresource.
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../../kube/object.js';
import { createWithStatus, isoTime, randomSuffix, writeStatus } from './meta.js';
import type { ObjectStore, ResourceType } from './store.js';

export function podsResource(store: ObjectStore): ResourceType | undefined {
  return store.resource('', 'pods');
}

export function podPhase(pod: KubeObject): string {
  return asString(dig(pod, 'status', 'phase')) ?? 'Pending';
}

export function containerNamesOf(pod: KubeObject): string[] {
  return asArray(dig(pod, 'spec', 'containers'))
    .map((c) => (isRecord(c) ? asString(c.name) : undefined))
    .filter((n): n is string => n !== undefined);
}

/** A running pod's status: every container ready and running. */
export function runningPodStatus(
  containers: string[],
  startedAt = isoTime(),
): Record<string, unknown> {
  return {
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    hostIP: '10.0.0.1',
    podIP: `10.244.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
    startTime: startedAt,
    containerStatuses: containers.map((name) => ({
      name,
      ready: true,
      started: true,
      restartCount: 0,
      image: 'registry.k8s.io/pause:3.9',
      imageID: '',
      state: { running: { startedAt } },
    })),
  };
}

/** A finished pod's status: every container terminated with `reason` (`Completed` on success). */
export function terminatedPodStatus(
  containers: string[],
  reason = 'Completed',
  exitCode = 0,
): Record<string, unknown> {
  const finishedAt = isoTime();
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'PodCompleted' },
      { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: containers.map((name) => ({
      name,
      ready: false,
      started: false,
      restartCount: 0,
      image: 'registry.k8s.io/pause:3.9',
      imageID: '',
      state: { terminated: { exitCode, reason, finishedAt } },
    })),
  };
}

/** Creates a pod that is already Running. */
export function createRunningPod(store: ObjectStore, pod: KubeObject): KubeObject | undefined {
  const pods = podsResource(store);
  if (!pods) return undefined;
  const containers = containerNamesOf(pod);
  return createWithStatus(store, pods, { ...pod, status: runningPodStatus(containers) });
}

/** Marks a pod's containers terminated (`Completed`), as a finished Job pod is. */
export function completePod(store: ObjectStore, namespace: string, name: string): void {
  const pods = podsResource(store);
  const pod = pods && store.get(pods, namespace, name);
  if (!pods || !pod) return;
  writeStatus(store, pods, pod, terminatedPodStatus(containerNamesOf(pod)));
}

/** Creates the namespace when it does not exist yet. */
export function ensureNamespace(store: ObjectStore, name: string): void {
  const namespaces = store.resource('', 'namespaces');
  if (!namespaces || store.get(namespaces, undefined, name)) return;
  createWithStatus(store, namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

/**
 * What the owning ReplicaSet would do after a pod-kill: a new Running pod with the same labels
 * and spec, named from `generateName` (nothing when the killed pod had none: a bare pod).
 */
export function replacePod(store: ObjectStore, killed: KubeObject): KubeObject | undefined {
  const generateName = killed.metadata.generateName;
  if (!generateName) return undefined;
  return createRunningPod(store, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generateName + randomSuffix(5),
      generateName,
      namespace: killed.metadata.namespace,
      labels: { ...(killed.metadata.labels ?? {}) },
    },
    spec: structuredClone(killed.spec ?? {}),
  });
}

/** A container-kill: the kubelet restarts the container (restartCount + 1). */
export function restartContainer(store: ObjectStore, pod: KubeObject, container: string): void {
  const pods = podsResource(store);
  if (!pods) return;
  const status = isRecord(pod.status) ? structuredClone(pod.status) : {};
  status.containerStatuses = asArray(status.containerStatuses).map((c) =>
    isRecord(c) && c.name === container
      ? {
          ...c,
          restartCount: (typeof c.restartCount === 'number' ? c.restartCount : 0) + 1,
          lastState: { terminated: { exitCode: 137, reason: 'Error', finishedAt: isoTime() } },
          state: { running: { startedAt: isoTime() } },
        }
      : c,
  );
  writeStatus(store, pods, pod, status);
}
