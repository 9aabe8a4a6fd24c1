/**
 * Which of the objects and FIS experiments the orphan sweep found it may remove: pure, so the
 * rules are tested with tables. An object is an orphan of the sweep when it is in a namespace the
 * suite allows (and not a protected one), carries chaos-gate's managed-by and run labels (tags on
 * FIS), and matches the run id or is older than the age asked for; a FIS experiment must also
 * still be live.
 */
import { formatDuration } from './suite/duration.js';
import { labelValue, MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL } from './kube/names.js';
import { ALWAYS_PROTECTED_NAMESPACES } from './kube/object.js';
import type { Safety } from './suite/model.js';

/** What to sweep: one run's leftovers, or every run's older than an age. */
export type SweepSelector = { runId: string } | { olderThanMs: number };

/** Something the sweep found, as the selection sees it. */
export interface SweepCandidate {
  /** How messages name it: `PodChaos shop/kill-x1y2z`, `FIS experiment EXP123`. */
  what: string;
  /** A Kubernetes object's namespace; absent for FIS experiments. */
  namespace?: string;
  /** Kubernetes labels, or FIS tags. */
  labels: Record<string, string>;
  /** creationTimestamp (Kubernetes) or creationTime (FIS), ms since the epoch, when known. */
  createdAt?: number;
  /** A FIS experiment's state. Kubernetes objects have none: every one of ours is removed. */
  fisStatus?: string;
}

export interface SweepScope {
  selector: SweepSelector;
  /** The clock's now, ms since the epoch. */
  now: number;
  safety: Pick<Safety, 'namespaces' | 'protectedNamespaces'>;
}

/** Why something was left alone: outside the scope, not ours, another run, too young, finished. */
export type LeftAloneBecause = 'namespace' | 'not-ours' | 'run' | 'age' | 'finished';

export type Selection =
  | { selected: true; runId: string }
  | { selected: false; because: LeftAloneBecause; reason: string };

/** FIS states in which an experiment may still act (`stopping` has not finished rolling back). */
export const FIS_LIVE_STATES: ReadonlySet<string> = new Set([
  'pending',
  'initiating',
  'running',
  'stopping',
]);

/** The namespaces the sweep looks in: the suite's allowed ones, never a protected one. */
export function sweepNamespaces(
  safety: Pick<Safety, 'namespaces' | 'protectedNamespaces'>,
): string[] {
  const refused = new Set<string>([...ALWAYS_PROTECTED_NAMESPACES, ...safety.protectedNamespaces]);
  return [...new Set(safety.namespaces)].filter((ns) => !refused.has(ns));
}

/** `run gh-42-1` / `older than 2h`: what the selector asks for, for messages. */
export function describeSelector(selector: SweepSelector): string {
  return 'runId' in selector
    ? `of run ${selector.runId}`
    : `older than ${formatDuration(selector.olderThanMs)}`;
}

/** Whether the sweep removes `c`, and if not, why not. */
export function selectOrphan(c: SweepCandidate, scope: SweepScope): Selection {
  const no = (because: LeftAloneBecause, reason: string): Selection => ({
    selected: false,
    because,
    reason,
  });
  if (c.namespace !== undefined) {
    const refused =
      (ALWAYS_PROTECTED_NAMESPACES as readonly string[]).includes(c.namespace) ||
      scope.safety.protectedNamespaces.includes(c.namespace);
    if (refused) return no('namespace', `namespace ${c.namespace} is protected`);
    if (!scope.safety.namespaces.includes(c.namespace))
      return no('namespace', `namespace ${c.namespace} is not in safety.namespaces`);
  }
  if (c.labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE)
    return no('not-ours', `not labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`);
  const run = c.labels[RUN_LABEL];
  if (!run) return no('not-ours', `no ${RUN_LABEL} label: not something a chaos-gate run created`);
  // FIS keeps finished experiments for months: those are history, not something left alone.
  if (c.fisStatus !== undefined && !FIS_LIVE_STATES.has(c.fisStatus))
    return no('finished', `already ${c.fisStatus}`);
  const { selector } = scope;
  if ('runId' in selector) {
    // FIS tags carry the run id as is, Kubernetes labels its label-safe form.
    if (run !== selector.runId && run !== labelValue(selector.runId))
      return no('run', `belongs to run ${run}`);
  } else {
    // An object whose age is unknown may belong to a run still going: left alone.
    if (c.createdAt === undefined || !Number.isFinite(c.createdAt))
      return no('age', 'its creation time is unknown');
    const age = scope.now - c.createdAt;
    if (age <= selector.olderThanMs)
      return no(
        'age',
        `created ${formatAge(age)}, not older than ${formatDuration(selector.olderThanMs)}`,
      );
  }
  return { selected: true, runId: run };
}

/** `3h2m ago`: whole seconds, `just now` under one. */
export function formatAge(ms: number): string {
  return ms >= 1000 ? `${formatDuration(Math.floor(ms / 1000) * 1000)} ago` : 'just now';
}
