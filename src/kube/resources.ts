/**
 * The custom resources chaos-gate creates or reads, by kind: group, version and plural as the
 * upstream CRDs declare them (litmuschaos/chaos-operator deploy/crds, chaos-mesh manifests/crd.yaml).
 */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export interface ObjectRef extends ResourceRef {
  namespace: string;
  name: string;
}

const LITMUS = (kind: string, plural: string): ResourceRef => ({
  group: 'litmuschaos.io',
  version: 'v1alpha1',
  plural,
  kind,
});
const MESH = (kind: string, plural: string): ResourceRef => ({
  group: 'chaos-mesh.org',
  version: 'v1alpha1',
  plural,
  kind,
});

export const ChaosEngine = LITMUS('ChaosEngine', 'chaosengines');
export const ChaosExperiment = LITMUS('ChaosExperiment', 'chaosexperiments');
export const ChaosResult = LITMUS('ChaosResult', 'chaosresults');
export const Workflow = MESH('Workflow', 'workflows');
export const WorkflowNode = MESH('WorkflowNode', 'workflownodes');
export const StatusCheck = MESH('StatusCheck', 'statuschecks');

const ALL: ResourceRef[] = [
  ChaosEngine,
  ChaosExperiment,
  ChaosResult,
  Workflow,
  WorkflowNode,
  StatusCheck,
  MESH('Schedule', 'schedules'),
  MESH('PodChaos', 'podchaos'),
  MESH('NetworkChaos', 'networkchaos'),
  MESH('StressChaos', 'stresschaos'),
  MESH('IOChaos', 'iochaos'),
  MESH('DNSChaos', 'dnschaos'),
  MESH('HTTPChaos', 'httpchaos'),
  MESH('TimeChaos', 'timechaos'),
  MESH('JVMChaos', 'jvmchaos'),
  MESH('KernelChaos', 'kernelchaos'),
  MESH('BlockChaos', 'blockchaos'),
  MESH('PhysicalMachineChaos', 'physicalmachinechaos'),
  MESH('AWSChaos', 'awschaos'),
  MESH('AzureChaos', 'azurechaos'),
  MESH('GCPChaos', 'gcpchaos'),
];

/** The resource of a manifest object, by apiVersion and kind; undefined for kinds we do not run. */
export function resourceOf(apiVersion: string, kind: string): ResourceRef | undefined {
  return ALL.find((r) => `${r.group}/${r.version}` === apiVersion && r.kind === kind);
}

/** `chaosengines.litmuschaos.io`: the CRD's name. */
export function crdName(r: ResourceRef): string {
  return `${r.plural}.${r.group}`;
}

export function objectRef(r: ResourceRef, namespace: string, name: string): ObjectRef {
  return { ...r, namespace, name };
}

/** `ChaosEngine checkout/pod-delete-x1y2z`: how messages name an object. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
