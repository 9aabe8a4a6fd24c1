/**
 * The "target app" the simulated chaos controllers act on: a namespace and Running pods named and
 * labelled the way a Deployment's pods are (`<name>-<template hash>-<random>`, with
 * `generateName` set, so a killed pod can be replaced by an identical one).
 */
import type { KubeObject } from '../../kube/object.js';
import { randomSuffix } from './meta.js';
import { createRunningPod, ensureNamespace } from './pods.js';
import type { ObjectStore } from './store.js';

export interface SeedAppOptions {
  namespace: string;
  name: string;
  /** Pod labels; default `{ app: <name> }`. */
  labels?: Record<string, string>;
  /** Default 2. */
  replicas?: number;
  /** Container names; default `[<name>]`. */
  containers?: string[];
}

/** Creates the namespace (if needed) and `replicas` Running pods; returns the pods. */
export function seedApp(store: ObjectStore, opts: SeedAppOptions): KubeObject[] {
  ensureNamespace(store, opts.namespace);
  const labels = opts.labels ?? { app: opts.name };
  const hash = randomSuffix(10);
  const containers = opts.containers ?? [opts.name];
  const out: KubeObject[] = [];
  for (let i = 0; i < (opts.replicas ?? 2); i++) {
    const pod = createRunningPod(
      store,
      appPod(opts.namespace, `${opts.name}-${hash}-`, labels, containers, hash),
    );
    if (pod) out.push(pod);
  }
  return out;
}

/** A Deployment-style pod body (used again when pod-kill makes a replacement). */
export function appPod(
  namespace: string,
  generateName: string,
  labels: Record<string, string>,
  containers: string[],
  templateHash: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generateName + randomSuffix(5),
      generateName,
      namespace,
      labels: { ...labels, 'pod-template-hash': templateHash },
    },
    spec: {
      nodeName: 'sim-node-1',
      restartPolicy: 'Always',
      containers: containers.map((name) => ({ name, image: 'registry.k8s.io/pause:3.9' })),
    },
  };
}

/** A ServiceAccount (what a Litmus ChaosEngine's `chaosServiceAccount` must name). */
export function seedServiceAccount(store: ObjectStore, namespace: string, name: string): void {
  ensureNamespace(store, namespace);
  const sa = store.resource('', 'serviceaccounts');
  if (sa)
    store.create(sa, namespace, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace },
    });
}
