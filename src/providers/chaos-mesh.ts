/**
 * Chaos Mesh: one chaos object of a one-shot or duration-bound kind, or a Workflow.
 * Selector fields from the chaos-mesh.org CRDs: `spec.selector` on every pod-level kind,
 * `spec.target.selector` on NetworkChaos, and the same inside each Workflow template.
 */
import type { ConfigIssue, SourcePosition } from '../errors.js';
import { parseDuration } from '../suite/duration.js';
import { asArray, asString, dig, isRecord, type KubeObject } from '../kube/object.js';
import { ownNamespace, readObjects, touch } from './kube-manifest.js';
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

export const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';

/** Chaos kinds and the key that embeds each in a Workflow template. */
export const CHAOS_KINDS: Readonly<Record<string, string>> = {
  PodChaos: 'podChaos',
  NetworkChaos: 'networkChaos',
  StressChaos: 'stressChaos',
  IOChaos: 'ioChaos',
  DNSChaos: 'dnsChaos',
  HTTPChaos: 'httpChaos',
  TimeChaos: 'timeChaos',
  JVMChaos: 'jvmChaos',
  KernelChaos: 'kernelChaos',
  BlockChaos: 'blockChaos',
  PhysicalMachineChaos: 'physicalmachineChaos',
  AWSChaos: 'awsChaos',
  AzureChaos: 'azureChaos',
  GCPChaos: 'gcpChaos',
};

/** Kinds that act on nodes, kernels, block devices or cloud machines: need `allowNodeChaos`. */
const NODE_LEVEL_KINDS = new Set([
  'KernelChaos',
  'BlockChaos',
  'PhysicalMachineChaos',
  'AWSChaos',
  'AzureChaos',
  'GCPChaos',
]);

/** Chaos Mesh's one-shot actions: done once injected, no duration (desiredphase controller). */
export function isOneShot(kind: string, spec: unknown): boolean {
  const action = dig(spec, 'action');
  return (
    (kind === 'PodChaos' && (action === 'pod-kill' || action === 'container-kill')) ||
    (kind === 'AWSChaos' && action === 'ec2-restart') ||
    (kind === 'AzureChaos' && action === 'vm-restart') ||
    (kind === 'GCPChaos' && action === 'node-reset')
  );
}

const REFUSED_KINDS: Readonly<Record<string, string>> = {
  Schedule:
    'a Schedule repeats chaos on a cron, and a gate runs one-shot chaos: give the chaos object it wraps instead',
  StatusCheck:
    'a StatusCheck on its own injects nothing: put it in a Workflow next to the chaos it checks',
};

interface ChaosSpec {
  kind: string;
  spec: unknown;
  /** JSON pointer of the spec in its document. */
  ptr: string;
  /** `spec` or `spec.templates[2].networkChaos`. */
  field: string;
  /** A Workflow template's `deadline`, which bounds its chaos like `duration` does. */
  deadline?: unknown;
}

/** The chaos specs an object carries: itself, or each chaos template of a Workflow. */
function chaosSpecs(object: KubeObject): ChaosSpec[] {
  if (object.kind !== 'Workflow')
    return [{ kind: object.kind, spec: object.spec, ptr: '/spec', field: 'spec' }];
  const out: ChaosSpec[] = [];
  asArray(dig(object.spec, 'templates')).forEach((t, i) => {
    for (const [kind, key] of Object.entries(CHAOS_KINDS)) {
      if (isRecord(t) && isRecord(t[key])) {
        out.push({
          kind,
          spec: t[key],
          ptr: `/spec/templates/${i}/${key}`,
          field: `spec.templates[${i}].${key}`,
          deadline: t.deadline,
        });
      }
    }
  });
  return out;
}

function checkChaosSpec(doc: ManifestDocument, c: ChaosSpec, issues: ConfigIssue[]): void {
  if (!isRecord(c.spec)) {
    issues.push({ message: `\`${c.field}\` must be a mapping`, position: positionIn(doc, c.ptr) });
    return;
  }
  if (c.spec.remoteCluster !== undefined && c.spec.remoteCluster !== '') {
    issues.push({
      message: `\`${c.field}.remoteCluster\` sends chaos to another cluster, outside this suite's kubeContexts and namespaces: refused`,
      position: positionIn(doc, `${c.ptr}/remoteCluster`),
    });
  }
  const duration = c.spec.duration;
  if (duration === undefined) {
    if (!isOneShot(c.kind, c.spec) && c.deadline === undefined) {
      issues.push({
        message: `${c.kind} without \`duration\` runs until someone deletes it: set \`${c.field}.duration\` (for example 30s)${c.field === 'spec' ? '' : " or the template's `deadline`"}`,
        position: positionIn(doc, c.ptr),
      });
    }
  } else if (typeof duration !== 'string' || parseDuration(duration) === undefined) {
    issues.push({
      message: `\`${c.field}.duration\` must be a duration such as 30s or 5m, not \`${String(duration)}\``,
      position: positionIn(doc, `${c.ptr}/duration`),
    });
  }
}

function selectorNamespaces(
  doc: ManifestDocument,
  selector: unknown,
  ptr: string,
  field: string,
  radius: BlastRadius,
): void {
  asArray(dig(selector, 'namespaces')).forEach((ns, i) =>
    touch(
      doc,
      `${ptr}/namespaces/${i}`,
      `${field}.namespaces[${i}]`,
      ns,
      radius.namespaces,
      radius.invalid,
    ),
  );
  const pods = dig(selector, 'pods');
  if (isRecord(pods)) {
    for (const ns of Object.keys(pods))
      touch(doc, `${ptr}/pods/${ns}`, `${field}.pods`, ns, radius.namespaces, radius.invalid, true);
  }
}

export const chaosMesh: StaticProvider = {
  kubernetes: true,

  checkManifest(
    docs: ManifestDocument[],
    defaultNamespace: string | undefined,
    where: SourcePosition,
  ): ManifestCheck {
    const read = readObjects(docs, CHAOS_MESH_API_VERSION, 'Chaos Mesh', defaultNamespace, where);
    const issues: ConfigIssue[] = [...read.issues];
    if (docs.length > 1) {
      const second = docs[1];
      issues.push({
        message: `the manifest has ${docs.length} documents; a Chaos Mesh experiment is one chaos object or one Workflow`,
        position: second ? positionIn(second, '') : where,
      });
    }
    const objects: ManifestObject[] = [];
    for (const o of read.objects) {
      const kind = o.object.kind;
      const refused = REFUSED_KINDS[kind];
      if (refused) {
        issues.push({
          message: `kind \`${kind}\` is refused: ${refused}`,
          position: positionIn(o.doc, '/kind'),
        });
        continue;
      }
      if (kind !== 'Workflow' && !(kind in CHAOS_KINDS)) {
        issues.push({
          message: `kind \`${kind}\` is not a Chaos Mesh chaos kind or Workflow (expected one of ${[...Object.keys(CHAOS_KINDS), 'Workflow'].join(', ')})`,
          position: positionIn(o.doc, '/kind'),
        });
        continue;
      }
      if (kind === 'Workflow') {
        const templates = asArray(dig(o.object.spec, 'templates'));
        const entry = dig(o.object.spec, 'entry');
        if (typeof entry !== 'string' || !templates.some((t) => dig(t, 'name') === entry)) {
          issues.push({
            message: `\`spec.entry\` must name one of the Workflow's templates, not \`${String(entry)}\``,
            position: positionIn(o.doc, typeof entry === 'string' ? '/spec/entry' : '/spec'),
          });
        }
        templates.forEach((t, i) => {
          if (dig(t, 'templateType') === 'Schedule' || dig(t, 'schedule') !== undefined) {
            issues.push({
              message: `\`spec.templates[${i}]\` is a Schedule, which repeats chaos; a gate runs one-shot chaos: refused`,
              position: positionIn(o.doc, `/spec/templates/${i}`),
            });
          }
        });
      }
      for (const c of chaosSpecs(o.object)) checkChaosSpec(o.doc, c, issues);
      objects.push(o);
    }
    return { objects, issues };
  },

  blastRadius(objects: ManifestObject[]): BlastRadius {
    const radius: BlastRadius = { namespaces: [], clusterWide: [], nodeLevel: [], invalid: [] };
    for (const { object, doc } of objects) {
      // An empty selector namespace list means the object's own namespace (Chaos Mesh's
      // defaulting webhook), so the object's namespace is always touched.
      radius.namespaces.push(ownNamespace(doc, object));
      for (const c of chaosSpecs(object)) {
        if (NODE_LEVEL_KINDS.has(c.kind)) {
          radius.nodeLevel.push({
            reason: `${c.kind} acts on nodes or machines, not on pods of one namespace`,
            position: positionIn(doc, c.ptr),
          });
        }
        selectorNamespaces(
          doc,
          dig(c.spec, 'selector'),
          `${c.ptr}/selector`,
          `${c.field}.selector`,
          radius,
        );
        selectorNamespaces(
          doc,
          dig(c.spec, 'target', 'selector'),
          `${c.ptr}/target/selector`,
          `${c.field}.target.selector`,
          radius,
        );
      }
    }
    return radius;
  },

  describe({ objects }: DescribeInput): PlanDescription {
    const object = objects[0]?.object;
    if (!object) return { kind: 'Chaos Mesh (nothing)', targets: [] };
    const specs = chaosSpecs(object);
    const targets: string[] = [];
    let durationMs: number | undefined;
    for (const c of specs) {
      const action = asString(dig(c.spec, 'action'));
      const mode = asString(dig(c.spec, 'mode'));
      const value = asString(dig(c.spec, 'value'));
      const prefix = object.kind === 'Workflow' ? `${c.kind}${action ? ` ${action}` : ''}: ` : '';
      targets.push(
        prefix +
          describeSelector(dig(c.spec, 'selector'), mode, value, object.metadata.namespace ?? '?'),
      );
      const target = dig(c.spec, 'target');
      if (isRecord(target)) {
        targets.push(
          `${prefix}traffic to ${describeSelector(target.selector, asString(target.mode), asString(target.value), object.metadata.namespace ?? '?')}`,
        );
      }
      // A Workflow node's deadline ends its chaos even when the chaos' own duration is longer.
      const bounds = [asString(dig(c.spec, 'duration')), asString(c.deadline)]
        .map((d) => (d === undefined ? undefined : parseDuration(d)))
        .filter((ms): ms is number => ms !== undefined);
      if (bounds.length > 0) durationMs = Math.max(durationMs ?? 0, Math.min(...bounds));
    }
    const first = specs[0];
    const action = first ? asString(dig(first.spec, 'action')) : undefined;
    const kind =
      object.kind === 'Workflow'
        ? `Workflow ${object.metadata.name ?? ''} (${specs.length} chaos node${specs.length === 1 ? '' : 's'})`
        : `${object.kind}${action ? ` ${action}` : ''}`;
    return { kind, targets, ...(durationMs !== undefined ? { durationMs } : {}) };
  },
};

function describeSelector(
  selector: unknown,
  mode: string | undefined,
  value: string | undefined,
  ownNs: string,
): string {
  const namespaces = asArray(dig(selector, 'namespaces')).map(String);
  const pods = dig(selector, 'pods');
  const labels = dig(selector, 'labelSelectors');
  const parts: string[] = [];
  const how = mode ? ` (mode ${mode}${value ? ` ${value}` : ''})` : '';
  if (isRecord(pods)) {
    for (const [ns, names] of Object.entries(pods))
      parts.push(`pods ${asArray(names).map(String).join(', ')} in ${ns}`);
  } else {
    parts.push(`pods in ${namespaces.length ? namespaces.join(', ') : ownNs}`);
  }
  if (isRecord(labels))
    parts.push(
      `labelled ${Object.entries(labels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')}`,
    );
  return parts.join(' ') + how;
}
