/**
 * LitmusChaos: a ChaosEngine (and optionally the ChaosExperiments it names, in the same file).
 * Field paths: chaos-operator api/litmuschaos/v1alpha1 and the ChaosEngine CRD's selectors.
 */
import type { ConfigIssue, SourcePosition } from '../errors.js';
import { asArray, asString, dig } from '../kube/object.js';
import { readObjects, ownNamespace, touch } from './kube-manifest.js';
import {
  positionIn,
  type BlastRadius,
  type DescribeInput,
  type ManifestCheck,
  type ManifestDocument,
  type ManifestObject,
  type PlanDescription,
  type StaticProvider,
} from './static.js';

export const LITMUS_API_VERSION = 'litmuschaos.io/v1alpha1';

/** Faults that act on nodes or cloud infrastructure rather than on pods of one namespace. */
const NODE_FAULTS = new Set([
  'kubelet-service-kill',
  'docker-service-kill',
  'containerd-service-kill',
]);
const NODE_FAULT_PREFIXES = [
  'node-',
  'ec2-',
  'ebs-',
  'aws-',
  'az-',
  'azure-',
  'gcp-',
  'vm-',
  'vmware-',
];

export function isNodeLevelFault(name: string): boolean {
  return NODE_FAULTS.has(name) || NODE_FAULT_PREFIXES.some((p) => name.startsWith(p));
}

/** Env variables of the fault that name the namespace it targets. */
const NAMESPACE_ENV = new Set(['APP_NAMESPACE', 'TARGET_NAMESPACE']);

interface EngineExperiment {
  name: string;
  index: number;
}

function engineExperiments(spec: unknown): EngineExperiment[] {
  return asArray(dig(spec, 'experiments')).flatMap((e, index) => {
    const name = asString(dig(e, 'name'));
    return name ? [{ name, index }] : [];
  });
}

/** Env entries (`APP_NAMESPACE`, ...) that name the namespace `fault` targets, at `ptr` (the env list). */
function touchNamespaceEnv(
  doc: ManifestDocument,
  env: unknown,
  ptr: string,
  fault: string,
  radius: BlastRadius,
): void {
  asArray(env).forEach((e, i) => {
    const name = asString(dig(e, 'name'));
    const value = dig(e, 'value');
    if (name && NAMESPACE_ENV.has(name) && value !== '' && value !== undefined && value !== null) {
      touch(
        doc,
        `${ptr}/${i}/value`,
        `${fault} env ${name}`,
        value,
        radius.namespaces,
        radius.invalid,
      );
    }
  });
}

function envValue(env: unknown, name: string): string | undefined {
  for (const e of asArray(env)) if (dig(e, 'name') === name) return asString(dig(e, 'value'));
  return undefined;
}

export const litmus: StaticProvider = {
  kubernetes: true,

  checkManifest(
    docs: ManifestDocument[],
    defaultNamespace: string | undefined,
    where: SourcePosition,
  ): ManifestCheck {
    // Litmus looks a ChaosExperiment up in its engine's namespace, so one written without a
    // namespace belongs to the engine's.
    const engineDoc = docs.find((d) => dig(d.value, 'kind') === 'ChaosEngine');
    const engineNamespace =
      asString(dig(engineDoc?.value, 'metadata', 'namespace')) ?? defaultNamespace;
    const read = readObjects(docs, LITMUS_API_VERSION, 'Litmus', engineNamespace, where);
    const issues: ConfigIssue[] = [...read.issues];
    const objects: ManifestObject[] = [];
    for (const o of read.objects) {
      if (o.object.kind === 'ChaosEngine' || o.object.kind === 'ChaosExperiment') objects.push(o);
      else {
        issues.push({
          message: `kind \`${o.object.kind}\` is not run by the litmus provider: give a ChaosEngine (and, optionally, the ChaosExperiment it names)`,
          position: positionIn(o.doc, '/kind'),
        });
      }
    }
    const engines = objects.filter((o) => o.object.kind === 'ChaosEngine');
    if (engines.length !== 1 && read.issues.length === 0) {
      issues.push({
        message:
          engines.length === 0
            ? 'the manifest has no ChaosEngine'
            : `the manifest has ${engines.length} ChaosEngines; one experiment runs one engine`,
        position: engines[1] ? positionIn(engines[1].doc, '') : where,
      });
    }
    const engine = engines[0];
    if (engine) {
      const spec = engine.object.spec;
      const named = engineExperiments(spec);
      if (named.length === 0) {
        issues.push({
          message: 'the ChaosEngine names no fault in `spec.experiments`',
          position: positionIn(engine.doc, spec ? '/spec' : ''),
        });
      }
      const state = dig(spec, 'engineState');
      if (state !== undefined && state !== 'active') {
        issues.push({
          message: `\`spec.engineState\` is \`${String(state)}\`; chaos-gate starts the engine itself, so leave it \`active\` or unset`,
          position: positionIn(engine.doc, '/spec/engineState'),
        });
      }
      for (const exp of objects.filter((o) => o.object.kind === 'ChaosExperiment')) {
        const name = exp.object.metadata.name ?? '';
        if (!named.some((n) => n.name === name)) {
          issues.push({
            message: `ChaosExperiment \`${name}\` is not named in the engine's \`spec.experiments\` (${named.map((n) => n.name).join(', ') || 'none'})`,
            position: positionIn(exp.doc, '/metadata/name'),
          });
        }
        if (exp.object.metadata.namespace !== engine.object.metadata.namespace) {
          issues.push({
            message: `ChaosExperiment \`${name}\` must be in the engine's namespace \`${engine.object.metadata.namespace ?? ''}\`, not \`${exp.object.metadata.namespace ?? ''}\``,
            position: positionIn(exp.doc, '/metadata/namespace'),
          });
        }
      }
    }
    return { objects: engine ? objects : [], issues };
  },

  blastRadius(objects: ManifestObject[]): BlastRadius {
    const radius: BlastRadius = { namespaces: [], clusterWide: [], nodeLevel: [], invalid: [] };
    for (const { object, doc } of objects) {
      radius.namespaces.push(ownNamespace(doc, object));
      if (object.kind === 'ChaosExperiment') {
        if (dig(object.spec, 'definition', 'scope') === 'Cluster') {
          radius.nodeLevel.push({
            reason: `ChaosExperiment \`${object.metadata.name ?? ''}\` has \`scope: Cluster\``,
            position: positionIn(doc, '/spec/definition/scope'),
          });
        }
        // The fault's defaults: they apply unless the engine overrides them.
        touchNamespaceEnv(
          doc,
          dig(object.spec, 'definition', 'env'),
          '/spec/definition/env',
          object.metadata.name ?? '',
          radius,
        );
        continue;
      }
      const spec = object.spec;
      const appns = dig(spec, 'appinfo', 'appns');
      if (typeof appns === 'string' && appns !== '') {
        touch(
          doc,
          '/spec/appinfo/appns',
          'spec.appinfo.appns',
          appns,
          radius.namespaces,
          radius.invalid,
        );
      } else if (
        asString(dig(spec, 'appinfo', 'applabel')) ||
        asString(dig(spec, 'appinfo', 'appkind'))
      ) {
        radius.clusterWide.push({
          reason:
            '`spec.appinfo` selects by label or kind but `appns` is empty, so it is not bound to a namespace: set `spec.appinfo.appns`',
          position: positionIn(doc, '/spec/appinfo'),
        });
      }
      asArray(dig(spec, 'selectors', 'workloads')).forEach((w, i) => {
        touch(
          doc,
          `/spec/selectors/workloads/${i}/namespace`,
          `spec.selectors.workloads[${i}].namespace`,
          dig(w, 'namespace'),
          radius.namespaces,
          radius.invalid,
        );
      });
      asArray(dig(spec, 'selectors', 'pods')).forEach((p, i) => {
        touch(
          doc,
          `/spec/selectors/pods/${i}/namespace`,
          `spec.selectors.pods[${i}].namespace`,
          dig(p, 'namespace'),
          radius.namespaces,
          radius.invalid,
        );
      });
      for (const exp of engineExperiments(spec)) {
        if (isNodeLevelFault(exp.name)) {
          radius.nodeLevel.push({
            reason: `\`${exp.name}\` is a node-level fault`,
            position: positionIn(doc, `/spec/experiments/${exp.index}/name`),
          });
        }
        const env = dig(spec, 'experiments', String(exp.index), 'spec', 'components', 'env');
        touchNamespaceEnv(
          doc,
          env,
          `/spec/experiments/${exp.index}/spec/components/env`,
          exp.name,
          radius,
        );
      }
    }
    return radius;
  },

  describe({ objects }: DescribeInput): PlanDescription {
    const engine = objects.find((o) => o.object.kind === 'ChaosEngine')?.object;
    const spec = engine?.spec;
    const faults = engineExperiments(spec);
    const targets: string[] = [];
    const appinfo = dig(spec, 'appinfo');
    const appns = asString(dig(appinfo, 'appns'));
    const applabel = asString(dig(appinfo, 'applabel'));
    const appkind = asString(dig(appinfo, 'appkind'));
    if (appns || applabel) {
      targets.push(
        `${appkind || 'pods'} in ${appns || engine?.metadata.namespace || '?'}${applabel ? ` labelled ${applabel}` : ''}`,
      );
    }
    for (const w of asArray(dig(spec, 'selectors', 'workloads'))) {
      const sel = asString(dig(w, 'names'))
        ? `named ${asString(dig(w, 'names'))}`
        : `labelled ${asString(dig(w, 'labels')) ?? '?'}`;
      targets.push(
        `${asString(dig(w, 'kind')) ?? 'workload'} in ${asString(dig(w, 'namespace')) ?? '?'} ${sel}`,
      );
    }
    for (const p of asArray(dig(spec, 'selectors', 'pods'))) {
      targets.push(
        `pods ${asString(dig(p, 'names')) ?? '?'} in ${asString(dig(p, 'namespace')) ?? '?'}`,
      );
    }
    let durationMs: number | undefined;
    for (const f of faults) {
      const env = dig(spec, 'experiments', String(f.index), 'spec', 'components', 'env');
      const targetPods = envValue(env, 'TARGET_PODS');
      if (targetPods)
        targets.push(`pods ${targetPods} in ${appns || engine?.metadata.namespace || '?'}`);
      const own = envValue(env, 'TOTAL_CHAOS_DURATION');
      const fromFault = objects.find(
        (o) => o.object.kind === 'ChaosExperiment' && o.object.metadata.name === f.name,
      );
      const seconds = Number(
        own ?? envValue(dig(fromFault?.object.spec, 'definition', 'env'), 'TOTAL_CHAOS_DURATION'),
      );
      if (Number.isFinite(seconds) && seconds > 0)
        durationMs = Math.max(durationMs ?? 0, seconds * 1000);
    }
    if (targets.length === 0)
      targets.push(`pods chosen by the fault in ${engine?.metadata.namespace ?? '?'}`);
    return {
      kind: `ChaosEngine ${engine?.metadata.name ?? '?'} (${faults.map((f) => f.name).join(', ') || 'no fault'})`,
      targets,
      ...(durationMs !== undefined ? { durationMs } : {}),
    };
  },
};
