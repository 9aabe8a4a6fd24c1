/**
 * What the simulated Chaos Mesh controller knows about each chaos kind (chaos-mesh
 * `api/v1alpha1/*_types.go`): its plural, the key under which a Workflow template / WorkflowNode
 * embeds it (`EmbedChaos` JSON names), whether its records are per pod (`<ns>/<pod>`), per
 * container (`<ns>/<pod>/<container>`) or per cloud resource, and which actions are one-shot
 * (`IsOneShot`: always desiredPhase Run). Plus the shared context and scenario knobs.
 */
import type { ObjectKey } from './controller.js';
import type { EventRecorder } from './events.js';
import type { ScenarioBook } from './scenarios.js';
import type { ObjectStore } from './store.js';

export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_VERSION = 'v1alpha1';

export type RecordLevel = 'pod' | 'container' | 'cloud';

export interface ChaosKindInfo {
  kind: string;
  plural: string;
  embedKey: string;
  level: RecordLevel;
  oneShotActions: readonly string[];
  /** Actions whose records are per container although the kind's are per pod. */
  containerActions?: readonly string[];
}

export const CHAOS_KINDS: readonly ChaosKindInfo[] = [
  {
    kind: 'PodChaos',
    plural: 'podchaos',
    embedKey: 'podChaos',
    level: 'pod',
    oneShotActions: ['pod-kill', 'container-kill'],
    containerActions: ['container-kill'],
  },
  {
    kind: 'NetworkChaos',
    plural: 'networkchaos',
    embedKey: 'networkChaos',
    level: 'pod',
    oneShotActions: [],
  },
  {
    kind: 'StressChaos',
    plural: 'stresschaos',
    embedKey: 'stressChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'IOChaos',
    plural: 'iochaos',
    embedKey: 'ioChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'DNSChaos',
    plural: 'dnschaos',
    embedKey: 'dnsChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'HTTPChaos',
    plural: 'httpchaos',
    embedKey: 'httpChaos',
    level: 'pod',
    oneShotActions: [],
  },
  {
    kind: 'TimeChaos',
    plural: 'timechaos',
    embedKey: 'timeChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'JVMChaos',
    plural: 'jvmchaos',
    embedKey: 'jvmChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'KernelChaos',
    plural: 'kernelchaos',
    embedKey: 'kernelChaos',
    level: 'pod',
    oneShotActions: [],
  },
  {
    kind: 'BlockChaos',
    plural: 'blockchaos',
    embedKey: 'blockChaos',
    level: 'container',
    oneShotActions: [],
  },
  {
    kind: 'AWSChaos',
    plural: 'awschaos',
    embedKey: 'awsChaos',
    level: 'cloud',
    oneShotActions: ['ec2-restart'],
  },
  {
    kind: 'AzureChaos',
    plural: 'azurechaos',
    embedKey: 'azureChaos',
    level: 'cloud',
    oneShotActions: ['vm-restart'],
  },
  {
    kind: 'GCPChaos',
    plural: 'gcpchaos',
    embedKey: 'gcpChaos',
    level: 'cloud',
    oneShotActions: ['node-reset'],
  },
  {
    kind: 'PhysicalMachineChaos',
    plural: 'physicalmachinechaos',
    embedKey: 'physicalmachineChaos',
    level: 'cloud',
    oneShotActions: [],
  },
];

export function chaosKindByKind(kind: string): ChaosKindInfo | undefined {
  return CHAOS_KINDS.find((k) => k.kind === kind);
}

export function chaosKindByPlural(plural: string): ChaosKindInfo | undefined {
  return CHAOS_KINDS.find((k) => k.plural === plural);
}

/** Labels of `api/v1alpha1` (workflownode_types.go). */
export const LABEL_CONTROLLED_BY = 'chaos-mesh.org/controlled-by';
export const LABEL_WORKFLOW = 'chaos-mesh.org/workflow';

export interface ChaosMeshScenario {
  /** Every Apply fails (record events `Failed`, Event `Failed`); never AllInjected. */
  injectFail?: boolean;
  /** Selection finds nothing (as if no pod matched). */
  noTargets?: boolean;
  /** The `chaos-mesh/records` finalizer is never removed. */
  stuckFinalizer?: boolean;
  /** Recovery on deletion takes this long (simulated ms, scaled). */
  slowRecoveryMs?: number;
  /** StatusCheck probe outcome (matched by workflow name, else StatusCheck name); default success. */
  statusCheck?: 'success' | 'failure';
}

/** What the sub-reconcilers need from the controller. */
export interface ChaosMeshContext {
  store: ObjectStore;
  scenarios: ScenarioBook<ChaosMeshScenario>;
  recorder: EventRecorder;
  /** Real ms for simulated ms. */
  real(simMs: number): number;
  requeueAfterReal(key: ObjectKey, ms: number): void;
  /** What is injected right now (the chaos-daemon's view): key → description. */
  active: Map<string, string>;
}
