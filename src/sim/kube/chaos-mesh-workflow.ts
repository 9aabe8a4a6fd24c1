/**
 * Chaos Mesh Workflows (chaos-mesh `pkg/workflow/controllers`):
 * - Workflow (`workflow_entry_reconciler.go`, `abort_workflow_reconciler.go`): spawn the entry
 *   WorkflowNode from `spec.entry`; `status {entryNode, startTime, endTime, conditions
 *   [Scheduled, Accomplished]}` through `/status` (Accomplished when the entry node is finished);
 *   the annotation `workflow.chaos-mesh.org/abort: "true"` sets the entry node `Aborted=True`
 *   (WorkflowAborted).
 * - WorkflowNode (`new_node.go`): named `<template>-<random>`, labels
 *   `chaos-mesh.org/workflow` and `chaos-mesh.org/controlled-by` (parent node, or the workflow for
 *   the entry), owned by its parent; spec `{templateName, workflowName, type, startTime,
 *   deadline (start + template deadline, scaled), children, statusCheck, <embedded chaos>, ...}`.
 * - per node type: Serial (children one after another) and Parallel (all at once), with
 *   `activeChildren`/`finishedChildren` and `Accomplished` when all children are finished
 *   (`serial_node_reconciler.go`, `parallel_node_reconciler.go`); chaos kinds create the embedded
 *   chaos object owned by the node, `chaosResource` + `ChaosInjected` (ChaosCRCreated /
 *   ChaosCRNotExists), and delete it once the node is finished (`chaos_node_reconciler.go`);
 *   StatusCheck creates a StatusCheck CR owned by the node, `Accomplished` (StatusCheckCompleted)
 *   when it completes, `Aborted` (StatusCheckNotExceedSuccessThreshold) with
 *   `abortWithStatusCheck` when it completes without SuccessThresholdExceed, and deletes it once
 *   the node is finished (`statuscheck_reconciler.go`); Suspend just waits for its deadline.
 * - `deadline_reconciler.go`: `DeadlineExceed` True (NodeDeadlineExceed, or NodeDeadlineOmitted
 *   when already Accomplished) or False (NodeDeadlineNotExceed); a Serial/Parallel node past its
 *   deadline passes it on to unfinished children (ParentNodeDeadlineExceed).
 * - `abort_node_reconciler.go`: an aborted StatusCheck node puts the abort annotation on the
 *   Workflow; an aborted Serial/Parallel/Task node passes `Aborted` (ParentNodeAborted) on to its
 *   unfinished children.
 * A node is finished when Accomplished, DeadlineExceed or Aborted is True.
 * Not simulated: Task (pods), Schedule templates, conditional branches, the
 * `foregroundDeletion` finalizer on nodes (the store deletes owned objects at once).
 */
import { asArray, asString, isRecord, type KubeObject } from '../../kube/object.js';
import {
  conditionsOf,
  getCondition,
  isConditionTrue,
  setCondition,
  type Condition,
} from './conditions.js';
import type { ObjectKey } from './controller.js';
import {
  CHAOS_KINDS,
  CHAOS_MESH_GROUP,
  CHAOS_MESH_VERSION,
  LABEL_CONTROLLED_BY,
  LABEL_WORKFLOW,
  chaosKindByKind,
  type ChaosMeshContext,
} from './chaos-mesh-kinds.js';
import { parseGoDuration } from './go-duration.js';
import {
  annotationsOf,
  controllerReference,
  isDeleting,
  isoTime,
  parseTime,
  patchObject,
  statusOf,
  writeStatus,
} from './meta.js';
import type { ResourceType } from './store.js';

export const WORKFLOW_ABORT_ANNOTATION = 'workflow.chaos-mesh.org/abort';

const API_VERSION = `${CHAOS_MESH_GROUP}/${CHAOS_MESH_VERSION}`;
/** Template fields a WorkflowNode's spec copies (besides the embedded chaos). */
const COPIED_FIELDS = [
  'children',
  'task',
  'conditionalBranches',
  'schedule',
  'statusCheck',
  'abortWithStatusCheck',
];

export function nodeFinished(conds: readonly Condition[]): boolean {
  return ['Accomplished', 'DeadlineExceed', 'Aborted'].some((t) => isConditionTrue(conds, t));
}

export class WorkflowReconciler {
  constructor(private readonly ctx: ChaosMeshContext) {}

  private res(plural: string): ResourceType | undefined {
    return this.ctx.store.resource(CHAOS_MESH_GROUP, plural);
  }

  // ---- Workflow ------------------------------------------------------------------------------

  reconcileWorkflow(key: ObjectKey): void {
    const { store } = this.ctx;
    const wf = store.get(key.resource, key.namespace, key.name);
    const nodes = this.res('workflownodes');
    if (!wf || !nodes || isDeleting(wf)) return;
    const ns = wf.metadata.namespace ?? 'default';
    let entry = this.children(nodes, ns, key.name, key.name)[0];
    if (!entry) {
      const entryName = asString(wf.spec?.entry) ?? '';
      entry = this.spawn(wf, entryName, undefined);
      if (entry)
        this.ctx.recorder.event(
          wf,
          'Normal',
          'EntryCreated',
          `Entry node created: ${entry.metadata.name ?? ''}`,
          'workflow',
        );
      else
        this.ctx.recorder.event(
          wf,
          'Warning',
          'InvalidEntry',
          `Failed to spawn entry node: template ${entryName} not found`,
          'workflow',
        );
    }
    if (entry) {
      const aborted = annotationsOf(wf)[WORKFLOW_ABORT_ANNOTATION] === 'true';
      const conds = conditionsOf(entry.status);
      if (aborted || !isConditionTrue(conds, 'Aborted'))
        this.setNodeConditions(nodes, entry, [
          aborted
            ? { type: 'Aborted', status: 'True', reason: 'WorkflowAborted' }
            : { type: 'Aborted', status: 'False', reason: '' },
        ]);
      entry = store.get(nodes, ns, entry.metadata.name ?? '') ?? entry;
    }
    const status = statusOf(wf);
    let conds = conditionsOf(status);
    const finished = entry !== undefined && nodeFinished(conditionsOf(entry.status));
    conds = setCondition(conds, {
      type: 'Scheduled',
      status: entry ? 'True' : 'False',
      reason: '',
    });
    conds = setCondition(conds, {
      type: 'Accomplished',
      status: finished ? 'True' : 'False',
      reason: '',
    });
    const next: Record<string, unknown> = { ...status, conditions: conds };
    if (entry) next.entryNode = entry.metadata.name;
    next.startTime ??= isoTime();
    if (finished) next.endTime ??= isoTime();
    else delete next.endTime;
    writeStatus(store, key.resource, wf, next);
  }

  // ---- WorkflowNode --------------------------------------------------------------------------

  reconcileNode(key: ObjectKey): void {
    const { store } = this.ctx;
    const node = store.get(key.resource, key.namespace, key.name);
    if (!node || isDeleting(node)) return;
    const spec = node.spec ?? {};
    const type = asString(spec.type) ?? '';
    const status = statusOf(node);
    let conds = this.deadline(key, node, conditionsOf(status));
    const next: Record<string, unknown> = { ...status };

    if (type === 'Serial' || type === 'Parallel')
      conds = this.syncChildren(key.resource, node, type, conds, next);
    else if (type === 'StatusCheck') conds = this.syncStatusCheck(node, conds);
    else if (chaosKindByKind(type)) conds = this.syncChaos(node, type, conds, next);
    else if (type !== 'Suspend')
      this.ctx.recorder.event(
        node,
        'Warning',
        'NotSimulated',
        `template type ${type} is not simulated`,
        'workflow',
      );

    next.conditions = conds;
    writeStatus(store, key.resource, node, next);

    if (isConditionTrue(conds, 'Aborted')) {
      if (type === 'StatusCheck') this.abortWorkflow(node);
      else if (type === 'Serial' || type === 'Parallel' || type === 'Task')
        this.passOn(key.resource, node, {
          type: 'Aborted',
          status: 'True',
          reason: 'ParentNodeAborted',
        });
    }
    if (isConditionTrue(conds, 'DeadlineExceed') && (type === 'Serial' || type === 'Parallel'))
      this.passOn(key.resource, node, {
        type: 'DeadlineExceed',
        status: 'True',
        reason: 'ParentNodeDeadlineExceed',
      });
  }

  private deadline(key: ObjectKey, node: KubeObject, conds: Condition[]): Condition[] {
    const deadline = parseTime(node.spec?.deadline);
    if (Number.isNaN(deadline)) return conds;
    const now = Date.now();
    if (now >= deadline) {
      if (isConditionTrue(conds, 'DeadlineExceed')) return conds;
      const reason = isConditionTrue(conds, 'Accomplished')
        ? 'NodeDeadlineOmitted'
        : 'NodeDeadlineExceed';
      return setCondition(conds, { type: 'DeadlineExceed', status: 'True', reason });
    }
    this.ctx.requeueAfterReal(key, deadline - now);
    if (getCondition(conds, 'DeadlineExceed')) return conds;
    return setCondition(conds, {
      type: 'DeadlineExceed',
      status: 'False',
      reason: 'NodeDeadlineNotExceed',
    });
  }

  private syncChildren(
    nodes: ResourceType,
    node: KubeObject,
    type: 'Serial' | 'Parallel',
    conds: Condition[],
    next: Record<string, unknown>,
  ): Condition[] {
    const ns = node.metadata.namespace ?? 'default';
    const name = node.metadata.name ?? '';
    const wfName = asString(node.spec?.workflowName) ?? '';
    const wanted = asArray(node.spec?.children).filter((c): c is string => typeof c === 'string');
    let children = this.children(nodes, ns, wfName, name);
    const split = (): { active: KubeObject[]; finished: KubeObject[] } => ({
      active: children.filter((c) => !nodeFinished(conditionsOf(c.status))),
      finished: children.filter((c) => nodeFinished(conditionsOf(c.status))),
    });
    const workflows = this.res('workflows');
    const wf = workflows ? this.ctx.store.get(workflows, ns, wfName) : undefined;
    if (!nodeFinished(conds) && wf) {
      const { active, finished } = split();
      if (type === 'Parallel' && children.length === 0)
        for (const t of wanted) this.spawn(wf, t, node);
      const following = wanted[finished.length];
      if (type === 'Serial' && active.length === 0 && following !== undefined)
        this.spawn(wf, following, node);
      children = this.children(nodes, ns, wfName, name);
    }
    const { active, finished } = split();
    delete next.activeChildren;
    delete next.finishedChildren;
    if (active.length > 0) next.activeChildren = active.map((c) => ({ name: c.metadata.name }));
    if (finished.length > 0)
      next.finishedChildren = finished.map((c) => ({ name: c.metadata.name }));
    const accomplished = finished.length >= wanted.length;
    return setCondition(conds, {
      type: 'Accomplished',
      status: accomplished ? 'True' : 'False',
      reason: '',
    });
  }

  private syncStatusCheck(node: KubeObject, conds: Condition[]): Condition[] {
    const statusChecks = this.res('statuschecks');
    if (!statusChecks) return conds;
    const ns = node.metadata.namespace ?? 'default';
    const name = node.metadata.name ?? '';
    const owned = this.ctx.store.list(statusChecks, {
      namespace: ns,
      labelSelector: `${LABEL_CONTROLLED_BY}=${name}`,
    });
    if (nodeFinished(conds)) {
      for (const sc of owned) this.ctx.store.delete(statusChecks, ns, sc.metadata.name ?? '');
      return conds;
    }
    const sc =
      owned[0] ?? this.createOwned(statusChecks, node, 'StatusCheck', node.spec?.statusCheck);
    if (!sc) return conds;
    const scConds = conditionsOf(sc.status);
    const completed = isConditionTrue(scConds, 'Completed');
    conds = setCondition(
      conds,
      completed
        ? { type: 'Accomplished', status: 'True', reason: 'StatusCheckCompleted' }
        : { type: 'Accomplished', status: 'False', reason: '' },
    );
    const abort =
      node.spec?.abortWithStatusCheck === true &&
      completed &&
      scConds.some((c) => c.type === 'SuccessThresholdExceed' && c.status !== 'True');
    if (abort)
      return setCondition(conds, {
        type: 'Aborted',
        status: 'True',
        reason: 'StatusCheckNotExceedSuccessThreshold',
      });
    if (isConditionTrue(conds, 'Aborted')) return conds;
    return setCondition(conds, { type: 'Aborted', status: 'False', reason: '' });
  }

  private syncChaos(
    node: KubeObject,
    kind: string,
    conds: Condition[],
    next: Record<string, unknown>,
  ): Condition[] {
    const info = chaosKindByKind(kind);
    const r = info && this.res(info.plural);
    if (!info || !r) return conds;
    const ns = node.metadata.namespace ?? 'default';
    const name = node.metadata.name ?? '';
    const list = (): KubeObject[] =>
      this.ctx.store.list(r, { namespace: ns, labelSelector: `${LABEL_CONTROLLED_BY}=${name}` });
    let owned = list();
    if (nodeFinished(conds)) {
      for (const c of owned.filter((o) => !isDeleting(o))) {
        this.ctx.store.delete(r, ns, c.metadata.name ?? '');
        this.ctx.recorder.event(
          node,
          'Normal',
          'ChaosCRDeleted',
          `chaos CR ${c.metadata.name ?? ''} deleted`,
          'workflow',
        );
      }
      owned = list();
    } else if (owned.length === 0) {
      const created = this.createOwned(r, node, info.kind, node.spec?.[info.embedKey]);
      if (created)
        this.ctx.recorder.event(
          node,
          'Normal',
          'ChaosCRCreated',
          `chaos CR ${created.metadata.name ?? ''} created`,
          'workflow',
        );
      owned = list();
    }
    const chaos = owned[0];
    if (chaos) {
      next.chaosResource = {
        apiGroup: CHAOS_MESH_GROUP,
        kind: info.kind,
        name: chaos.metadata.name,
      };
      return setCondition(conds, {
        type: 'ChaosInjected',
        status: 'True',
        reason: 'ChaosCRCreated',
      });
    }
    delete next.chaosResource;
    return setCondition(conds, {
      type: 'ChaosInjected',
      status: 'False',
      reason: 'ChaosCRNotExists',
    });
  }

  /** A chaos object or StatusCheck owned by `node` (generateName `<node>-`). */
  private createOwned(
    r: ResourceType,
    node: KubeObject,
    kind: string,
    spec: unknown,
  ): KubeObject | undefined {
    const name = node.metadata.name ?? '';
    try {
      return this.ctx.store.create(r, node.metadata.namespace, {
        apiVersion: API_VERSION,
        kind,
        metadata: {
          generateName: `${name}-`,
          namespace: node.metadata.namespace,
          labels: {
            [LABEL_CONTROLLED_BY]: name,
            [LABEL_WORKFLOW]: asString(node.spec?.workflowName) ?? '',
          },
          ownerReferences: [controllerReference(node)],
        } as KubeObject['metadata'],
        spec: isRecord(spec) ? structuredClone(spec) : {},
      });
    } catch (err) {
      const reason = kind === 'StatusCheck' ? 'StatusCheckCreatedFailed' : 'ChaosCRCreateFailed';
      this.ctx.recorder.event(
        node,
        'Warning',
        reason,
        `failed to create ${kind}: ${String(err)}`,
        'workflow',
      );
      return undefined;
    }
  }

  /** new_node.go `renderNodesByTemplates` for one template; undefined when there is no such template. */
  private spawn(
    wf: KubeObject,
    templateName: string,
    parent: KubeObject | undefined,
  ): KubeObject | undefined {
    const nodes = this.res('workflownodes');
    const template = asArray(wf.spec?.templates).find(
      (t) => isRecord(t) && t.name === templateName,
    );
    if (!nodes || !isRecord(template)) return undefined;
    const now = Date.now();
    const type = asString(template.templateType) ?? '';
    const spec: Record<string, unknown> = {
      templateName,
      workflowName: wf.metadata.name,
      type,
      startTime: isoTime(now),
    };
    const deadline = parseGoDuration(asString(template.deadline) ?? '');
    if (deadline !== undefined) spec.deadline = isoTime(now + this.ctx.real(deadline));
    for (const f of COPIED_FIELDS)
      if (template[f] !== undefined) spec[f] = structuredClone(template[f]);
    for (const k of CHAOS_KINDS)
      if (template[k.embedKey] !== undefined)
        spec[k.embedKey] = structuredClone(template[k.embedKey]);
    const owner = parent ?? wf;
    return this.ctx.store.create(nodes, wf.metadata.namespace, {
      apiVersion: API_VERSION,
      kind: 'WorkflowNode',
      metadata: {
        generateName: `${templateName}-`,
        namespace: wf.metadata.namespace,
        labels: {
          [LABEL_CONTROLLED_BY]: owner.metadata.name ?? '',
          [LABEL_WORKFLOW]: wf.metadata.name ?? '',
        },
        ownerReferences: [controllerReference(owner)],
      } as KubeObject['metadata'],
      spec,
    });
  }

  /** Nodes controlled by `controller` in workflow `wfName`, oldest first. */
  private children(
    nodes: ResourceType,
    ns: string,
    wfName: string,
    controller: string,
  ): KubeObject[] {
    return this.ctx.store
      .list(nodes, {
        namespace: ns,
        labelSelector: `${LABEL_CONTROLLED_BY}=${controller},${LABEL_WORKFLOW}=${wfName}`,
      })
      .sort((a, b) => creation(a) - creation(b));
  }

  private setNodeConditions(nodes: ResourceType, node: KubeObject, set: Condition[]): void {
    const status = statusOf(node);
    let conds = conditionsOf(status);
    for (const c of set) conds = setCondition(conds, c);
    writeStatus(this.ctx.store, nodes, node, { ...status, conditions: conds });
  }

  /** abort_node_reconciler.go `propagateAbortToChildren` (and the deadline's, alike). */
  private passOn(nodes: ResourceType, parent: KubeObject, cond: Condition): void {
    const ns = parent.metadata.namespace ?? 'default';
    for (const child of this.children(
      nodes,
      ns,
      asString(parent.spec?.workflowName) ?? '',
      parent.metadata.name ?? '',
    )) {
      const conds = conditionsOf(child.status);
      if (nodeFinished(conds) || isConditionTrue(conds, cond.type)) continue;
      this.setNodeConditions(nodes, child, [cond]);
    }
  }

  /** abort_node_reconciler.go `abortWorkflow`: the abort annotation on the parent Workflow. */
  private abortWorkflow(node: KubeObject): void {
    const workflows = this.res('workflows');
    const wfName = node.metadata.labels?.[LABEL_WORKFLOW];
    if (!workflows || !wfName) return;
    patchObject(
      this.ctx.store,
      workflows,
      { metadata: { name: wfName, namespace: node.metadata.namespace } },
      (o) => {
        if (annotationsOf(o)[WORKFLOW_ABORT_ANNOTATION] === 'true') return false;
        o.metadata.annotations = { ...annotationsOf(o), [WORKFLOW_ABORT_ANNOTATION]: 'true' };
        return true;
      },
    );
  }
}

/** When a node started: `spec.startTime` (ms precision), else its creationTimestamp. */
function creation(o: KubeObject): number {
  const start = parseTime(o.spec?.startTime);
  if (!Number.isNaN(start)) return start;
  const t = parseTime((o.metadata as Record<string, unknown>).creationTimestamp);
  return Number.isNaN(t) ? 0 : t;
}
