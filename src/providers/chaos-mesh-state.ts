/**
 * Reading Chaos Mesh objects (fixtures README section 3, from api/v1alpha1 and the condition,
 * desiredphase and workflow controllers). Chaos Mesh has no verdict of its own: a chaos object
 * must be Selected and AllInjected, and a duration-bound one must then reach desiredPhase Stop
 * with AllRecovered; the verdict is then our probes'. A Workflow passes when Accomplished with
 * no failed StatusCheck. The trackers keep what must outlive a single status (was it ever
 * injected, since when nothing is selected, which StatusChecks failed before being deleted).
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../kube/object.js';
import type { ProviderVerdict } from './provider.js';

export type ChaosState = { done: false; note: string } | { done: true; verdict: ProviderVerdict };

export const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';
export const WORKFLOW_ABORT_ANNOTATION = 'workflow.chaos-mesh.org/abort';

function condition(o: KubeObject, type: string): { status?: string; reason?: string } {
  for (const c of asArray(dig(o.status, 'conditions')))
    if (isRecord(c) && c.type === type)
      return { status: asString(c.status), reason: asString(c.reason) };
  return {};
}

interface RecordSummary {
  total: number;
  injected: number;
  /** Records whose `injectedCount` is above 0: injected at some point (also after recovery). */
  everInjected: number;
  failures: string[];
}

function records(o: KubeObject): RecordSummary | undefined {
  const recs = dig(o.status, 'experiment', 'containerRecords');
  if (!Array.isArray(recs)) return undefined;
  const failures: string[] = [];
  let injected = 0;
  let everInjected = 0;
  for (const r of recs) {
    if (dig(r, 'phase') === 'Injected') injected++;
    const count = dig(r, 'injectedCount');
    if (typeof count === 'number' && count > 0) everInjected++;
    for (const ev of asArray(dig(r, 'events')))
      if (dig(ev, 'type') === 'Failed' && dig(ev, 'operation') === 'Apply')
        failures.push(
          `${asString(dig(r, 'id')) ?? '?'}: ${asString(dig(ev, 'message')) ?? 'apply failed'}`,
        );
  }
  return { total: recs.length, injected, everInjected, failures };
}

export interface ChaosTrackerOptions {
  /** One-shot kinds (pod-kill, container-kill, ...) are done once injected. */
  oneShot: boolean;
  /** How long "nothing selected" (or failed injection) may last before it is an error. */
  graceMs: number;
}

/** Follows one chaos object's status through a run. Feed it every version seen, with the time. */
export class ChaosTracker {
  private injectedSeen = false;
  private problemSince: number | undefined;
  private injectedTargets = 0;

  constructor(private readonly opts: ChaosTrackerOptions) {}

  get wasInjected(): boolean {
    return this.injectedSeen;
  }

  observe(o: KubeObject | undefined, now: number): ChaosState {
    if (!o) return err('the chaos object was deleted while the experiment ran');
    const what = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    if ((o.metadata as Record<string, unknown>).deletionTimestamp)
      return err(`${what} is being deleted by someone else`);
    const selected = condition(o, 'Selected').status;
    const allInjected = condition(o, 'AllInjected').status;
    const allRecovered = condition(o, 'AllRecovered').status;
    const paused = condition(o, 'Paused').status;
    const phase = asString(dig(o.status, 'experiment', 'desiredPhase'));
    const recs = records(o);
    const details = {
      desiredPhase: phase,
      selected,
      allInjected,
      allRecovered,
      targets: recs?.total ?? 0,
    };

    if (selected === 'True' && allInjected === 'True' && recs && recs.total > 0) {
      if (!this.injectedSeen) this.injectedTargets = recs.total;
      this.injectedSeen = true;
      this.problemSince = undefined;
      if (this.opts.oneShot)
        return ok(
          `${what} injected into ${recs.total} target${recs.total === 1 ? '' : 's'} (one-shot)`,
          details,
        );
    }
    if (paused === 'True' && o.metadata.annotations?.[PAUSE_ANNOTATION] === 'true')
      return err(`${what} was paused outside chaos-gate`, details);
    if (phase === 'Stop' && allRecovered === 'True' && !this.opts.oneShot) {
      // Short chaos can be over before the first status we see: the records' injectedCount
      // still says every target was injected (found by the benchmark under load).
      if (
        !this.injectedSeen &&
        selected === 'True' &&
        recs &&
        recs.total > 0 &&
        recs.everInjected === recs.total
      ) {
        this.injectedSeen = true;
        this.injectedTargets = recs.total;
      }
      if (this.injectedSeen)
        return ok(
          `${what} was injected into ${this.injectedTargets} target${this.injectedTargets === 1 ? '' : 's'} and recovered`,
          details,
        );
      return err(`${what} ended without being injected into every target`, details);
    }
    if (!this.injectedSeen) {
      const noTarget =
        selected === 'False' ||
        (selected === undefined &&
          recs === undefined &&
          condition(o, 'AllInjected').status !== undefined);
      const failing = recs && recs.failures.length > 0;
      if (noTarget || failing) {
        this.problemSince ??= now;
        if (now - this.problemSince >= this.opts.graceMs)
          return noTarget
            ? err(`no target selected: ${what} matched no pod (Selected=False)`, details)
            : err(`not injected: ${recs?.failures.slice(0, 3).join('; ')}`, details);
        return { done: false, note: noTarget ? 'no target selected yet' : 'injection failing' };
      }
      this.problemSince = undefined;
      return {
        done: false,
        note:
          selected === 'True'
            ? `injecting (${recs?.injected ?? 0}/${recs?.total ?? 0})`
            : 'waiting for the controller',
      };
    }
    return {
      done: false,
      note: phase === 'Stop' ? 'recovering' : `injected into ${this.injectedTargets} targets`,
    };
  }
}

function ok(reason: string, details: Record<string, unknown>): ChaosState {
  return { done: true, verdict: { verdict: 'pass', reason, details } };
}
function err(reason: string, details?: Record<string, unknown>): ChaosState {
  return { done: true, verdict: { verdict: 'error', reason, ...(details ? { details } : {}) } };
}

/** The outcome of one StatusCheck, from its conditions (controllers/statuscheck). */
export function statusCheckOutcome(sc: KubeObject): 'success' | 'failure' | undefined {
  if (condition(sc, 'FailureThresholdExceed').status === 'True') return 'failure';
  if (condition(sc, 'Completed').status !== 'True') return undefined;
  // As the workflow's StatusCheck reconciler decides (needToAbort): a completed check that did
  // not reach its success threshold did not succeed, whatever ended it.
  return condition(sc, 'SuccessThresholdExceed').status === 'True' ? 'success' : 'failure';
}

/** Follows a Workflow, its WorkflowNodes and the StatusChecks they spawn. */
export class WorkflowTracker {
  private readonly checks = new Map<string, 'success' | 'failure'>();
  /** StatusCheck node name -> its outcome (StatusChecks are labelled controlled-by the node). */
  private readonly byNode = new Map<string, 'success' | 'failure'>();
  private settlingSince: number | undefined;

  /**
   * `settleMs`: the Workflow, its nodes and its StatusChecks come on separate watches, so one may
   * run ahead of the others. A decision that needs a node's or a check's state waits this long
   * for it to arrive before deciding without it.
   */
  constructor(private readonly settleMs = 3_000) {}

  observe(
    wf: KubeObject | undefined,
    nodes: KubeObject[],
    statusChecks: KubeObject[],
    stoppedByUs: boolean,
    now = Date.now(),
  ): ChaosState {
    // StatusChecks are deleted once their node finishes: remember each outcome when seen.
    for (const sc of statusChecks) {
      const out = statusCheckOutcome(sc);
      if (!out) continue;
      this.checks.set(sc.metadata.name ?? '', out);
      const node = sc.metadata.labels?.['chaos-mesh.org/controlled-by'];
      if (node) this.byNode.set(node, out);
    }
    if (!wf) return err('the Workflow was deleted while the experiment ran');
    const what = `Workflow ${wf.metadata.namespace ?? ''}/${wf.metadata.name ?? ''}`;
    const failedNodes = nodes
      .filter(
        (n) =>
          condition(n, 'Aborted').status === 'True' &&
          condition(n, 'Aborted').reason === 'StatusCheckNotExceedSuccessThreshold',
      )
      .map((n) => n.metadata.name ?? '?');
    const failedChecks = [...this.checks].filter(([, v]) => v === 'failure').map(([k]) => k);
    const aborted = wf.metadata.annotations?.[WORKFLOW_ABORT_ANNOTATION] === 'true';
    // Only a StatusCheck node with abortWithStatusCheck (or a person) sets the abort annotation.
    // Its own reason may since have been overwritten by the abort passed down from its parent,
    // so an aborted StatusCheck node of a workflow we did not stop counts as a failed check.
    if (aborted && !stoppedByUs && failedNodes.length === 0)
      for (const n of nodes)
        if (dig(n.spec, 'type') === 'StatusCheck' && condition(n, 'Aborted').status === 'True')
          failedNodes.push(n.metadata.name ?? '?');
    const accomplished =
      condition(wf, 'Accomplished').status === 'True' &&
      asString(dig(wf.status, 'endTime')) !== undefined;
    const details = {
      nodes: nodes.map((n) => ({
        name: n.metadata.name,
        template: asString(dig(n.spec, 'templateName')),
        conditions: asArray(dig(n.status, 'conditions')),
      })),
      statusChecks: Object.fromEntries(this.checks),
    };
    if (failedNodes.length || failedChecks.length) {
      if (accomplished || aborted)
        return {
          done: true,
          verdict: {
            verdict: 'fail',
            reason: `${what}: status check failed (${[...failedNodes, ...failedChecks].join(', ')})${aborted ? '; the workflow was aborted' : ''}`,
            details,
          },
        };
    }
    // Waiting for evidence: an abort we did not cause, or a finished workflow with StatusCheck
    // nodes whose outcome has not arrived yet.
    const unknownChecks = nodes.filter(
      (n) => dig(n.spec, 'type') === 'StatusCheck' && !this.byNode.has(n.metadata.name ?? ''),
    );
    const needEvidence = (aborted && !stoppedByUs) || (accomplished && unknownChecks.length > 0);
    if (needEvidence && (accomplished || aborted)) {
      this.settlingSince ??= now;
      if (now - this.settlingSince < this.settleMs)
        return { done: false, note: 'waiting for the status checks to report' };
    }
    if (aborted && !stoppedByUs && accomplished)
      return err(`${what} was aborted outside chaos-gate`, details);
    if (accomplished)
      return {
        done: true,
        verdict: {
          verdict: 'pass',
          reason: `${what} accomplished${this.checks.size ? `; ${this.checks.size} status check${this.checks.size === 1 ? '' : 's'} passed` : ''}`,
          details,
        },
      };
    const active = nodes
      .filter((n) => condition(n, 'Accomplished').status !== 'True')
      .map((n) => asString(dig(n.spec, 'templateName')) ?? n.metadata.name);
    return { done: false, note: active.length ? `running ${active.join(', ')}` : 'scheduled' };
  }
}
