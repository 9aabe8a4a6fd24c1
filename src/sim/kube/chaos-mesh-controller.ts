/**
 * A simulated Chaos Mesh controller-manager working directly on the object store: every chaos
 * kind registered under `chaos-mesh.org` (chaos-mesh-chaos.ts), StatusCheck
 * (chaos-mesh-statuscheck.ts) and Workflow/WorkflowNode (chaos-mesh-workflow.ts). Changes to an
 * owned object (a node's chaos object or StatusCheck, a child node) also reconcile the owner, as
 * controller-runtime's `Owns()` does.
 *
 * Not simulated: Schedule, the admission webhooks (no defaulting or validation beyond the CRD
 * schema the store may check), chaos-daemon effects on traffic (a NetworkChaos delays nothing),
 * PodNetworkChaos/PodIOChaos/PodHttpChaos intermediates and `status.instances`, remote clusters.
 */
import { ChaosReconciler } from './chaos-mesh-chaos.js';
import {
  CHAOS_MESH_GROUP,
  chaosKindByPlural,
  type ChaosMeshContext,
  type ChaosMeshScenario,
} from './chaos-mesh-kinds.js';
import { StatusCheckReconciler } from './chaos-mesh-statuscheck.js';
import { WorkflowReconciler } from './chaos-mesh-workflow.js';
import { SimController, type ObjectKey, type SimControllerOptions } from './controller.js';
import { EventRecorder } from './events.js';
import { ownerReferencesOf } from './meta.js';
import { ScenarioBook } from './scenarios.js';
import type { ObjectStore, ResourceType, StoreEvent } from './store.js';

export type { ChaosMeshScenario } from './chaos-mesh-kinds.js';
export type ChaosMeshControllerOptions = SimControllerOptions;

const WORKFLOW_PLURALS = new Set(['workflows', 'workflownodes', 'statuschecks']);
const OWNER_PLURALS: Record<string, string> = {
  WorkflowNode: 'workflownodes',
  Workflow: 'workflows',
};

export class ChaosMeshControllerSim extends SimController {
  private readonly scenarios = new ScenarioBook<ChaosMeshScenario>();
  private readonly active = new Map<string, string>();
  private readonly chaos: ChaosReconciler;
  private readonly statusChecks: StatusCheckReconciler;
  private readonly workflows: WorkflowReconciler;

  constructor(store: ObjectStore, opts: ChaosMeshControllerOptions = {}) {
    super(store, opts);
    const ctx: ChaosMeshContext = {
      store,
      scenarios: this.scenarios,
      recorder: new EventRecorder(store, 'chaos-controller-manager'),
      real: (ms) => this.real(ms),
      requeueAfterReal: (key, ms) => this.requeueAfterReal(key, ms),
      active: this.active,
    };
    this.chaos = new ChaosReconciler(ctx);
    this.statusChecks = new StatusCheckReconciler(ctx);
    this.workflows = new WorkflowReconciler(ctx);
  }

  /** Behaviour for objects whose name starts with `namePrefix` ('' = default). */
  scenario(namePrefix: string, s: ChaosMeshScenario): void {
    this.scenarios.set(namePrefix, s);
  }

  /** What is injected right now, one entry per record (`<Kind> <ns>/<name> <record id>`). One-shot chaos is never listed. */
  activeChaos(): string[] {
    return [...this.active.values()].sort();
  }

  protected watches(r: ResourceType): boolean {
    return (
      r.group === CHAOS_MESH_GROUP &&
      (chaosKindByPlural(r.plural) !== undefined || WORKFLOW_PLURALS.has(r.plural))
    );
  }

  protected override keysFor(e: StoreEvent): ObjectKey[] {
    const keys = super.keysFor(e);
    if (e.resource.group !== CHAOS_MESH_GROUP) return keys;
    for (const ref of ownerReferencesOf(e.object)) {
      const plural = OWNER_PLURALS[ref.kind];
      const owner = plural && this.store.resource(CHAOS_MESH_GROUP, plural);
      if (owner)
        keys.push({ resource: owner, namespace: e.object.metadata.namespace, name: ref.name });
    }
    return keys;
  }

  protected reconcile(key: ObjectKey): void {
    switch (key.resource.plural) {
      case 'workflows':
        return this.workflows.reconcileWorkflow(key);
      case 'workflownodes':
        return this.workflows.reconcileNode(key);
      case 'statuschecks':
        return this.statusChecks.reconcile(key);
      default:
        return this.chaos.reconcile(key);
    }
  }
}
