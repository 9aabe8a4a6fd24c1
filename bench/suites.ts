/**
 * Generated suites: N experiments cycling through three kinds whose simulated durations are
 * known, written as files (suite.yml + one manifest each) so they go through the real loader.
 * The kinds and what the simulated controllers do with them:
 *
 * | kind       | object                               | until the verdict                       | cleanup          |
 * |------------|--------------------------------------|-----------------------------------------|------------------|
 * | mesh-kill  | PodChaos pod-kill (one-shot)         | apply 1 s                               | recover 1 s      |
 * | mesh-delay | NetworkChaos delay, duration 5s      | apply 1 s + 5 s + recover 1 s           | none             |
 * | litmus     | ChaosEngine pod-delete, chaos 1 s    | runner 2 s + job 1 s + pod 2 s + 1 s    | none             |
 *
 * (simulated seconds, times the controllers' timeScale). The figures are the simulators'
 * constants: OPERATION_LATENCY in src/sim/kube/chaos-mesh-chaos.ts and LATENCY in
 * src/sim/kube/litmus-operator.ts; the bench checks them against what the controllers did.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export type Kind = 'mesh-kill' | 'mesh-delay' | 'litmus';
export const KINDS: readonly Kind[] = ['mesh-kill', 'mesh-delay', 'litmus'];

/** Simulated milliseconds from create to the decisive status, and from delete to gone. */
export const NOMINAL_SIM_MS: Record<Kind, { verdict: number; cleanup: number }> = {
  'mesh-kill': { verdict: 1_000, cleanup: 1_000 },
  'mesh-delay': { verdict: 1_000 + 5_000 + 1_000, cleanup: 0 },
  litmus: { verdict: 2_000 + 1_000 + 2_000 + 1_000, cleanup: 0 },
};

export const PROVIDER: Record<Kind, 'chaos-mesh' | 'litmus'> = {
  'mesh-kill': 'chaos-mesh',
  'mesh-delay': 'chaos-mesh',
  litmus: 'litmus',
};

export interface GeneratedExperiment {
  name: string;
  kind: Kind;
  /** Real milliseconds the simulated controller takes for it (verdict + cleanup). */
  nominalMs: number;
}

export interface GeneratedSuite {
  file: string;
  maxParallel: number;
  experiments: GeneratedExperiment[];
}

const SELECTOR = { namespaces: ['shop'], labelSelectors: { app: 'web' } };

function manifest(kind: Kind, name: string): Record<string, unknown> {
  switch (kind) {
    case 'mesh-kill':
      return {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'PodChaos',
        metadata: { name, namespace: 'shop' },
        spec: { action: 'pod-kill', mode: 'one', selector: SELECTOR },
      };
    case 'mesh-delay':
      return {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'NetworkChaos',
        metadata: { name, namespace: 'shop' },
        spec: {
          action: 'delay',
          mode: 'one',
          selector: SELECTOR,
          delay: { latency: '90ms', correlation: '25', jitter: '10ms' },
          // Long enough that the engine's first list comes before the chaos is over even on a
          // busy machine: the engine cannot tell a chaos object that ran and recovered before
          // it first looked from one that never ran (see docs/performance.md).
          duration: '5s',
        },
      };
    case 'litmus':
      return {
        apiVersion: 'litmuschaos.io/v1alpha1',
        kind: 'ChaosEngine',
        metadata: { name, namespace: 'shop' },
        spec: {
          appinfo: { appns: 'shop', applabel: 'app=web', appkind: 'deployment' },
          engineState: 'active',
          chaosServiceAccount: 'pod-delete-sa',
          jobCleanUpPolicy: 'delete',
          experiments: [
            {
              name: 'pod-delete',
              spec: {
                components: {
                  env: [
                    { name: 'TOTAL_CHAOS_DURATION', value: '1' },
                    { name: 'CHAOS_INTERVAL', value: '1' },
                    { name: 'FORCE', value: 'false' },
                  ],
                },
              },
            },
          ],
        },
      };
  }
}

/**
 * Writes a suite of `n` experiments (kinds in turn, or all of `only`) under `dir` and returns
 * it with each experiment's nominal duration at `timeScale`.
 */
export function writeSuite(
  dir: string,
  opts: { n: number; maxParallel: number; timeScale: number; only?: Kind },
): GeneratedSuite {
  mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  const experiments: GeneratedExperiment[] = [];
  const entries: Record<string, unknown>[] = [];
  for (let i = 0; i < opts.n; i++) {
    const kind = opts.only ?? KINDS[i % KINDS.length] ?? 'mesh-kill';
    const name = `e${String(i + 1).padStart(3, '0')}-${kind}`;
    const file = `manifests/${name}.yaml`;
    writeFileSync(path.join(dir, file), stringify(manifest(kind, `bench-${name}`)));
    const nominal = NOMINAL_SIM_MS[kind];
    experiments.push({
      name,
      kind,
      nominalMs: (nominal.verdict + nominal.cleanup) * opts.timeScale,
    });
    entries.push({ name, provider: PROVIDER[kind], manifest: file });
  }
  const suite = {
    version: 1,
    name: `bench-${opts.n}x${opts.maxParallel}`,
    defaults: { namespace: 'shop', timeout: '5m' },
    safety: { namespaces: ['shop'], maxParallel: opts.maxParallel },
    experiments: entries,
  };
  const file = path.join(dir, 'suite.yml');
  writeFileSync(file, stringify(suite));
  return { file, maxParallel: opts.maxParallel, experiments };
}

/**
 * The experiments' own critical path: each starts, in suite order, as soon as one of
 * `maxParallel` slots is free (what the engine does), and takes exactly its duration.
 */
export function criticalPath(durations: readonly number[], maxParallel: number): number {
  const slots = new Array<number>(Math.max(1, maxParallel)).fill(0);
  for (const d of durations) {
    let i = 0;
    for (let j = 1; j < slots.length; j++) if ((slots[j] ?? 0) < (slots[i] ?? 0)) i = j;
    slots[i] = (slots[i] ?? 0) + d;
  }
  return Math.max(...slots);
}
