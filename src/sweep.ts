/**
 * The orphan sweep (`chaos-gate cleanup`, `mode: cleanup`): for the rare run that died so hard
 * that neither its SIGTERM handler nor its post step ran, find what chaos-gate created that no
 * ledger knows about any more, and remove it.
 *
 * Found by label (`app.kubernetes.io/managed-by=chaos-gate`, and `chaos-gate.io/run=<id>` for one
 * run) in every kind chaos-gate creates, only in the suite's `safety.namespaces` (never a
 * protected one), and by tag among the region's live FIS experiments. Each orphan is turned into
 * the ledger entry its run would have written and handed to its provider's `undo`, the path the
 * post step takes (engine/undo.ts): Litmus `engineState: stop`, the Chaos Mesh pause (Workflow abort)
 * annotation, FIS `StopExperiment`; then delete and wait until the finalizers have recovered the
 * targets. A delete still waiting at its timeout is a problem naming the object: chaos may still
 * be active (exit code 3). Finalizers are never removed by force.
 */
import type { FisApi, FisExperiment } from './aws/fis-api.js';
import { ledgerId, type LedgerEntry } from './engine/ledger.js';
import { ConfigurationError, ExitCode, errorMessage } from './errors.js';
import type { Inputs } from './inputs.js';
import { KubeApiError, type KubeApi } from './kube/api.js';
import {
  EXPERIMENT_LABEL,
  labelValue,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  RUN_LABEL,
} from './kube/names.js';
import { asString, type KubeObject } from './kube/object.js';
import {
  ChaosEngine,
  ChaosExperiment,
  ChaosResult,
  describeRef,
  objectRef,
  resourceOf,
  Workflow,
  type ObjectRef,
  type ResourceRef,
} from './kube/resources.js';
import type { Logger } from './log.js';
import { connectFis, connectKube } from './pipeline.js';
import { CHAOS_KINDS, CHAOS_MESH_API_VERSION } from './providers/chaos-mesh.js';
import { providerSet, type ProviderClients } from './providers/factory.js';
import type { UndoResult } from './providers/provider.js';
import { kubeErrorText, waitGone } from './providers/kube-ops.js';
import { formatDuration } from './suite/duration.js';
import type { Suite } from './suite/model.js';
import type { ProviderName } from './suite/types.js';
import {
  describeSelector,
  formatAge,
  selectOrphan,
  sweepNamespaces,
  type SweepCandidate,
  type SweepSelector,
} from './sweep-select.js';

/** A kind chaos-gate creates, and the provider that knows how to stop it. */
interface SweptKind {
  resource: ResourceRef;
  provider: ProviderName;
}

/**
 * Every kind chaos-gate creates: Litmus engines, the ChaosExperiments it installed (labelled;
 * one the cluster already had is not), ChaosResults that carry our labels (the engine's own are
 * found by its chaosUID when the engine is undone), every Chaos Mesh chaos kind and Workflow.
 */
export const SWEPT_KINDS: readonly SweptKind[] = [
  { resource: ChaosEngine, provider: 'litmus' },
  { resource: ChaosResult, provider: 'litmus' },
  { resource: ChaosExperiment, provider: 'litmus' },
  { resource: Workflow, provider: 'chaos-mesh' },
  ...Object.keys(CHAOS_KINDS).flatMap((kind): SweptKind[] => {
    const r = resourceOf(CHAOS_MESH_API_VERSION, kind);
    return r ? [{ resource: r, provider: 'chaos-mesh' }] : [];
  }),
];

export interface SweepDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
  mask: (secret: string) => void;
  /** A relative kubeconfig path is relative to this (the workspace). */
  cwd?: string;
  /** The clock (tests). */
  now?: () => number;
  /** Tests hand in clients for their own servers. */
  kubeApi?: KubeApi;
  fis?: FisApi;
  /** The delete timeout (default 3 minutes, as in a run) and FIS polling, for tests. */
  kubeOptions?: ProviderClients['kubeOptions'];
  fisOptions?: ProviderClients['fisOptions'];
}

export interface SweepOptions {
  /** Only say what would be removed. */
  listOnly?: boolean;
}

/** Something chaos-gate created that the sweep removes. */
export interface Orphan {
  /** `PodChaos shop/kill-x1y2z`, `FIS experiment EXP123 (running)`. */
  what: string;
  runId: string;
  /** The experiment label or tag, when there is one. */
  experiment?: string;
  createdAt?: number;
  /** The ledger entry the run would have written: what the provider's `undo` works from. */
  entry: LedgerEntry;
}

export interface SweepReport {
  /** What was looked at: `Kubernetes namespaces shop, web (https://...)`, `live FIS experiments in eu-west-1`. */
  scope: string[];
  found: Orphan[];
  removed: string[];
  /** Each names what may still be active (or could not be looked at) and why. */
  problems: string[];
  /** chaos-gate's objects that did not match (another run, or too young). */
  leftAlone: number;
  /** 0: nothing of the selection is left; 3: something may still be active. */
  exitCode: ExitCode;
  /** The closing line (the error message when exitCode is 3). */
  message: string;
}

const STILL_ACTIVE = 'chaos may still be active';

/** Finds and removes what chaos-gate left behind; see the module comment. */
export async function sweep(
  suite: Suite,
  inputs: Inputs,
  deps: SweepDeps,
  opts: SweepOptions = {},
): Promise<SweepReport> {
  const { log } = deps;
  const selector = inputs.cleanup;
  if (!selector)
    throw new ConfigurationError(
      'cleanup needs a run id (cleanup-run, --run) or an age (cleanup-older-than, --older-than)',
    );
  const now = (deps.now ?? Date.now)();
  const namespaces = sweepNamespaces(suite.safety);
  // FIS is looked at when the suite runs FIS experiments (any of them, whatever `experiments` selects).
  const usesFis = suite.experiments.some((e) => e.provider === 'aws-fis');
  const scope: string[] = [];
  const problems: string[] = [];
  const candidates: { candidate: SweepCandidate; entry: LedgerEntry }[] = [];

  let kube: KubeApi | undefined;
  if (namespaces.length > 0) {
    kube = deps.kubeApi ?? connectKube(inputs, suite, deps);
    scope.push(
      `Kubernetes namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')} (${kube.server})`,
    );
  }
  let fis = deps.fis;
  if (!fis && usesFis) {
    if (!(inputs.awsRegion || deps.env.AWS_REGION || deps.env.AWS_DEFAULT_REGION))
      throw new ConfigurationError(
        'the suite runs FIS experiments: set the aws-region input (--aws-region) or AWS_REGION so cleanup can look for them',
      );
    fis = connectFis(inputs, deps);
  }
  if (fis) scope.push(`live FIS experiments in ${fis.region}`);

  try {
    if (scope.length === 0) {
      const message =
        'chaos-gate cleanup: nothing to clean up: the suite allows no Kubernetes namespace and runs no FIS experiment.';
      log.info(message);
      return report([], [], [], 0, ExitCode.Success, message);
    }
    log.info(
      `chaos-gate cleanup: looking for what chaos-gate created ${describeSelector(selector)} in ${scope.join(' and ')}.`,
    );
    if (kube) candidates.push(...(await findKube(kube, namespaces, selector, problems)));
    if (fis) candidates.push(...(await findFis(fis, problems)));

    const found: Orphan[] = [];
    let leftAlone = 0;
    for (const { candidate, entry } of candidates) {
      const s = selectOrphan(candidate, {
        selector,
        now,
        safety: suite.safety,
      });
      if (s.selected) {
        const experiment = candidate.labels[EXPERIMENT_LABEL];
        found.push({
          what: candidate.what,
          runId: s.runId,
          ...(experiment ? { experiment } : {}),
          ...(candidate.createdAt !== undefined ? { createdAt: candidate.createdAt } : {}),
          entry,
        });
        continue;
      }
      if (s.because === 'run' || s.because === 'age') leftAlone++;
      log.debug(`left alone: ${candidate.what}: ${s.reason}`);
    }
    if (leftAlone)
      log.info(
        `Left alone: ${leftAlone} chaos-gate object${leftAlone === 1 ? '' : 's'} not ${describeSelector(selector)}.`,
      );

    if (found.length === 0) {
      if (problems.length) return failed([], [], problems, leftAlone);
      const message = `chaos-gate cleanup: nothing to clean up: nothing chaos-gate created ${describeSelector(selector)} in ${scope.join(' or ')}.`;
      log.info(message);
      return report([], [], [], leftAlone, ExitCode.Success, message);
    }
    log.info(`Found ${found.length}:`);
    for (const o of found) log.info(`  ${describeOrphan(o, now)}`);

    if (opts.listOnly) {
      const message = `chaos-gate cleanup: ${found.length} found and listed only; nothing was removed, so chaos may still be active.`;
      if (problems.length) return failed(found, [], problems, leftAlone);
      log.info(message);
      return report(found, [], [], leftAlone, ExitCode.CleanupFailed, message);
    }

    const removed = await removeAll(found, { kube, fis, deps, problems });
    if (problems.length) return failed(found, removed, problems, leftAlone);
    const message = `chaos-gate cleanup: removed ${found.length}; nothing chaos-gate created ${describeSelector(selector)} is left.`;
    log.info(message);
    return report(found, removed, [], leftAlone, ExitCode.Success, message);
  } finally {
    // Only what the sweep connected itself; injected clients belong to their owner.
    if (fis && !deps.fis) fis.close();
  }

  function report(
    found: Orphan[],
    removed: string[],
    probs: string[],
    leftAlone: number,
    exitCode: ExitCode,
    message: string,
  ): SweepReport {
    return { scope, found, removed, problems: probs, leftAlone, exitCode, message };
  }

  function failed(
    found: Orphan[],
    removed: string[],
    probs: string[],
    leftAlone: number,
  ): SweepReport {
    const message = `chaos-gate cleanup failed; chaos may still be active:\n${probs.map((p) => `  - ${p}`).join('\n')}`;
    return report(found, removed, probs, leftAlone, ExitCode.CleanupFailed, message);
  }
}

/** `ChaosEngine shop/x-abcde (run gh-1-1, experiment x, created 3h ago)`. */
export function describeOrphan(o: Orphan, now: number): string {
  const facts = [
    `run ${o.runId}`,
    ...(o.experiment ? [`experiment ${o.experiment}`] : []),
    ...(o.createdAt !== undefined ? [`created ${formatAge(now - o.createdAt)}`] : []),
  ];
  return `${o.what} (${facts.join(', ')})`;
}

function creationTime(o: KubeObject): number | undefined {
  const t = asString((o.metadata as Record<string, unknown>).creationTimestamp);
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Every labelled object of every kind in the namespaces, as candidates with ledger entries. */
async function findKube(
  api: KubeApi,
  namespaces: string[],
  selector: SweepSelector,
  problems: string[],
): Promise<{ candidate: SweepCandidate; entry: LedgerEntry }[]> {
  // The server narrows by label; the selection checks again (and decides on age).
  const labelSelector = [
    `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    ...('runId' in selector ? [`${RUN_LABEL}=${labelValue(selector.runId)}`] : []),
  ].join(',');
  const lists = namespaces.flatMap((ns) =>
    SWEPT_KINDS.map(async ({ resource, provider }) => {
      let items: KubeObject[];
      try {
        ({ items } = await api.list(resource, ns, { labelSelector }));
      } catch (err) {
        // A CRD that is not installed: nothing of that kind can exist.
        if (err instanceof KubeApiError && err.code === 404) return [];
        problems.push(
          `could not list ${resource.kind} in ${ns} (${kubeErrorText(err)}): if chaos-gate left one there, ${STILL_ACTIVE}`,
        );
        return [];
      }
      return items.map((o) => {
        const ref = objectRef(resource, o.metadata.namespace ?? ns, o.metadata.name ?? '');
        const createdAt = creationTime(o);
        const labels = o.metadata.labels ?? {};
        const entry: LedgerEntry = {
          id: ledgerId(provider, ref),
          provider,
          experiment: labels[EXPERIMENT_LABEL] ?? '',
          target: {
            type: 'kubernetes',
            ref,
            ...(o.metadata.uid ? { uid: o.metadata.uid } : {}),
          },
          state: 'created',
          createdAt: new Date(createdAt ?? 0).toISOString(),
        };
        const candidate: SweepCandidate = {
          what: describeRef(ref),
          namespace: ref.namespace,
          labels,
          ...(createdAt !== undefined ? { createdAt } : {}),
        };
        return { candidate, entry };
      });
    }),
  );
  return (await Promise.all(lists)).flat();
}

/** Every FIS experiment tagged as ours, as candidates with ledger entries. */
async function findFis(
  fis: FisApi,
  problems: string[],
): Promise<{ candidate: SweepCandidate; entry: LedgerEntry }[]> {
  let all: FisExperiment[];
  try {
    all = await fis.listExperiments();
  } catch (err) {
    problems.push(
      `could not list the FIS experiments in ${fis.region} (${errorMessage(err)}): if chaos-gate left one running, ${STILL_ACTIVE}`,
    );
    return [];
  }
  return all
    .filter((x) => x.tags[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
    .map((x) => {
      const experiment = x.tags[EXPERIMENT_LABEL] ?? '';
      const entry: LedgerEntry = {
        id: `aws-fis:${experiment}:${x.id}`,
        provider: 'aws-fis',
        experiment,
        // The experiment id is known, so `undo` stops it directly (no client token needed).
        target: {
          type: 'fis',
          templateId: x.templateId ?? '',
          clientToken: '',
          region: fis.region,
          experimentId: x.id,
        },
        state: 'created',
        createdAt: (x.createdAt ?? new Date(0)).toISOString(),
      };
      const candidate: SweepCandidate = {
        what: `FIS experiment ${x.id} (${x.status})`,
        labels: x.tags,
        fisStatus: x.status,
        ...(x.createdAt !== undefined ? { createdAt: x.createdAt.getTime() } : {}),
      };
      return { candidate, entry };
    });
}

/** How problems name an orphan: `PodChaos shop/kill-x1y2z`, `FIS experiment EXP123`. */
function nameOf(entry: LedgerEntry): string {
  return entry.target.type === 'kubernetes'
    ? describeRef(entry.target.ref)
    : `FIS experiment ${entry.target.experimentId ?? '(unknown id)'}`;
}

/** At most this many orphans are being stopped and deleted at once. */
const CONCURRENCY = 8;

/**
 * Hands every orphan to its provider's `undo` (the post step's path), engines before the
 * ChaosExperiments they run, then waits for what deleted Workflows made. Every problem names
 * the object it is about.
 */
async function removeAll(
  found: Orphan[],
  ctx: {
    kube: KubeApi | undefined;
    fis: FisApi | undefined;
    deps: SweepDeps;
    problems: string[];
  },
): Promise<string[]> {
  const { kube, fis, deps, problems } = ctx;
  const { log } = deps;
  const providers = providerSet({
    kube: () => {
      if (!kube) throw new Error('no Kubernetes connection');
      return kube;
    },
    fis: () => {
      if (!fis) throw new Error('no FIS connection');
      return fis;
    },
    ...(deps.kubeOptions ? { kubeOptions: deps.kubeOptions } : {}),
    ...(deps.fisOptions ? { fisOptions: deps.fisOptions } : {}),
  });
  const removed: string[] = [];
  const undoOne = async (o: Orphan): Promise<void> => {
    const name = nameOf(o.entry);
    let r: UndoResult;
    try {
      r = await providers.get(o.entry.provider).undo(o.entry, { runId: o.runId });
    } catch (err) {
      r = { removed: [], problems: [errorMessage(err)] };
    }
    for (const line of r.removed) {
      removed.push(line);
      log.info(`removed ${line}`);
    }
    for (const p of r.problems) {
      // Some provider messages are the API's answer alone: say which object it was about.
      let text = p.includes(name) ? p : `${name}: ${p}`;
      if (!text.includes(STILL_ACTIVE)) text += `: ${STILL_ACTIVE}`;
      problems.push(text);
      log.warning(`could not remove: ${text}`);
    }
  };
  try {
    const last = (o: Orphan): boolean =>
      o.entry.target.type === 'kubernetes' && o.entry.target.ref.kind === 'ChaosExperiment';
    await eachLimited(
      found.filter((o) => !last(o)),
      CONCURRENCY,
      undoOne,
    );
    await eachLimited(found.filter(last), CONCURRENCY, undoOne);
    // A Workflow's chaos objects belong to its nodes and are deleted with it: wait until they
    // have recovered their targets too, as the run's own cleanup does. Only for the Workflows
    // removed: a stuck Workflow is already a problem of its own.
    if (kube) {
      const timeoutMs = deps.kubeOptions?.deleteTimeoutMs ?? 180_000;
      const workflows = found.flatMap((o) =>
        o.entry.target.type === 'kubernetes' &&
        o.entry.target.ref.kind === 'Workflow' &&
        removed.includes(describeRef(o.entry.target.ref))
          ? [o.entry.target.ref]
          : [],
      );
      for (const wf of workflows) problems.push(...(await workflowLeftovers(kube, wf, timeoutMs)));
    }
  } finally {
    // The FIS client is closed by sweep() (or its owner): the provider's close would close it.
    for (const p of providers.all()) if (p.name !== 'aws-fis') p.close();
  }
  return [...new Set(removed)];
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Chaos objects a deleted Workflow's nodes created that are still there after `timeoutMs`. */
async function workflowLeftovers(
  api: KubeApi,
  wf: ObjectRef,
  timeoutMs: number,
): Promise<string[]> {
  const labelSelector = `chaos-mesh.org/workflow=${wf.name}`;
  const kinds = SWEPT_KINDS.filter(
    (k) => k.provider === 'chaos-mesh' && k.resource.kind !== 'Workflow',
  );
  const perKind = await Promise.all(
    kinds.map(async ({ resource }) => {
      let items: KubeObject[];
      try {
        ({ items } = await api.list(resource, wf.namespace, { labelSelector }));
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return [];
        return [
          `could not list the ${resource.kind} objects ${describeRef(wf)} created (${kubeErrorText(err)}): ${STILL_ACTIVE}`,
        ];
      }
      const out: string[] = [];
      for (const o of items) {
        const ref = objectRef(resource, wf.namespace, o.metadata.name ?? '');
        try {
          if (await waitGone(api, ref, timeoutMs))
            out.push(
              `${describeRef(ref)} (created by ${describeRef(wf)}) is still there ${formatDuration(timeoutMs)} after the Workflow was deleted: ${STILL_ACTIVE}`,
            );
        } catch (err) {
          out.push(`${describeRef(ref)}: ${kubeErrorText(err)}: ${STILL_ACTIVE}`);
        }
      }
      return out;
    }),
  );
  return perKind.flat();
}
