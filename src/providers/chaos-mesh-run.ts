/**
 * Chaos Mesh at run time (SPEC section 4, fixtures README section 3): create the chaos object or
 * Workflow, watch until injected and finished (recovered for duration-bound kinds), stop with
 * the pause (or workflow abort) annotation, then delete and wait until the finalizer has
 * recovered every target. A delete stuck past its timeout is an error: chaos may still be active.
 */
import { mapLimit } from '../concurrency.js';
import { asString, dig, type KubeObject } from '../kube/object.js';
import {
  describeRef,
  objectRef,
  resourceOf,
  StatusCheck,
  WorkflowNode,
  type ObjectRef,
  type ResourceRef,
} from '../kube/resources.js';
import { objectIn, SharedSets, startAfterCreate, waitFor, WatchedSet } from '../kube/watch.js';
import { labelValue, RUN_LABEL } from '../kube/names.js';
import { ledgerId, type LedgerEntry } from '../engine/ledger.js';
import type { Experiment } from '../suite/model.js';
import { chaosMesh, isOneShot } from './chaos-mesh.js';
import {
  ChaosTracker,
  PAUSE_ANNOTATION,
  WORKFLOW_ABORT_ANNOTATION,
  WorkflowTracker,
} from './chaos-mesh-state.js';
import {
  createTracked,
  deleteAndWait,
  dryRun,
  instantiate,
  kubeErrorText,
  missingCrds,
  waitGone,
  refOf,
  PREPARE_CONCURRENCY,
} from './kube-ops.js';
import type { KubeProviderOptions } from './litmus-run.js';
import {
  CleanupError,
  PrepareError,
  type Provider,
  type ProviderVerdict,
  type RunningExperiment,
  type StopReason,
  type UndoResult,
} from './provider.js';

export interface ChaosMeshProviderOptions extends KubeProviderOptions {
  /** How long "no target selected" or a failing injection may last before it is an error. */
  selectionGraceMs?: number;
  /** Time source for the grace period (tests). */
  now?: () => number;
}

const INSTALL =
  'install Chaos Mesh with its Helm chart, e.g. helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace';
const STUCK =
  'Chaos Mesh has not recovered every target (its chaos-mesh/records finalizer is still there); chaos may still be active';

function chaosObject(e: Experiment): KubeObject {
  const o = e.objects[0]?.object;
  if (!o) throw new Error(`experiment ${e.name} has no Chaos Mesh object`);
  return o;
}

function resourcesFor(o: KubeObject): ResourceRef[] {
  const r = resourceOf(o.apiVersion, o.kind);
  const out = r ? [r] : [];
  if (o.kind === 'Workflow') out.push(WorkflowNode, StatusCheck);
  return out;
}

export function chaosMeshProvider(opts: ChaosMeshProviderOptions): Provider {
  const { api } = opts;
  const deleteTimeoutMs = opts.deleteTimeoutMs ?? 180_000;
  const graceMs = opts.selectionGraceMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const watchOpts = opts.debug ? { log: opts.debug } : {};
  /** The run's chaos objects, one watch per kind and namespace (started by the first wait). */
  let shared: SharedSets | undefined;

  async function stopObject(ref: ObjectRef): Promise<void> {
    const key = ref.kind === 'Workflow' ? WORKFLOW_ABORT_ANNOTATION : PAUSE_ANNOTATION;
    await api.mergePatch(ref, { metadata: { annotations: { [key]: 'true' } } });
  }

  return {
    name: 'chaos-mesh',

    async prepare(experiments, { runId }) {
      const kinds = experiments.flatMap((e) => resourcesFor(chaosObject(e)));
      const problems = await missingCrds(api, kinds, INSTALL);
      if (problems.length) throw new PrepareError(problems);
      // The dry runs are independent: a few at a time (the benchmark found preparation serial).
      const dry = await mapLimit(experiments, PREPARE_CONCURRENCY, (e) =>
        dryRun(api, instantiate(chaosObject(e), runId, e.name), e.name),
      );
      for (const p of dry) if (p) problems.push(p);
      if (problems.length) throw new PrepareError(problems);
    },

    async start(e, ctx) {
      const manifest = chaosObject(e);
      const created = await createTracked(
        api,
        ctx.ledger,
        'chaos-mesh',
        e.name,
        instantiate(manifest, ctx.runId, e.name),
      );
      const ref = refOf(created);
      const uid = created.metadata.uid ?? '';
      ctx.progress(`created ${describeRef(ref)}`);
      let stoppedByUs = false;
      let lastNote = '';
      const note = (n: string): void => {
        if (n !== lastNote) ctx.progress(n);
        lastNote = n;
      };
      /** Chaos objects the workflow's nodes created (deleted with it; we wait for them too). */
      const children = new Map<string, ObjectRef>();
      /** The watch the wait saw the object on; cleanup sees it go there too. */
      let watching: WatchedSet | undefined;

      const handle: RunningExperiment = {
        experiment: e,
        created: [describeRef(ref)],
        async wait(signal): Promise<ProviderVerdict> {
          const isWorkflow = ref.kind === 'Workflow';
          const sel = `chaos-mesh.org/workflow=${ref.name}`;
          const nodeSet = new WatchedSet(
            api,
            { resource: WorkflowNode, namespace: ref.namespace, labelSelector: sel },
            watchOpts,
          );
          const checkSet = new WatchedSet(
            api,
            { resource: StatusCheck, namespace: ref.namespace, labelSelector: sel },
            watchOpts,
          );
          shared ??= new SharedSets(api, `${RUN_LABEL}=${labelValue(ctx.runId)}`, watchOpts);
          const main = await shared.holding(ref, ref.namespace, created);
          watching = main;
          const current = (): KubeObject | undefined => objectIn(main, ref.name, uid);
          // Nodes and status checks can only appear after the Workflow: none to list.
          const own = isWorkflow ? [nodeSet, checkSet] : [];
          await startAfterCreate(
            created,
            own.map((set) => ({ set, initial: [] })),
          );
          const sets = [main, ...own];
          try {
            if (isWorkflow) {
              const tracker = new WorkflowTracker();
              return await waitFor(
                sets,
                () => {
                  const nodes = [...nodeSet.objects.values()];
                  for (const n of nodes) {
                    const cr = dig(n.status, 'chaosResource');
                    const kind = asString(dig(cr, 'kind'));
                    const name = asString(dig(cr, 'name'));
                    // TypedLocalObjectReference: {apiGroup, kind, name}.
                    const group = asString(dig(cr, 'apiGroup')) ?? 'chaos-mesh.org';
                    const r = kind ? resourceOf(`${group}/v1alpha1`, kind) : undefined;
                    if (r && name)
                      children.set(`${kind}/${name}`, objectRef(r, ref.namespace, name));
                  }
                  const s = tracker.observe(
                    current(),
                    nodes,
                    [...checkSet.objects.values(), ...checkSet.deleted.values()],
                    stoppedByUs,
                    now(),
                  );
                  if (!s.done) note(s.note);
                  return s.done ? s.verdict : undefined;
                },
                signal,
                250,
              );
            }
            const tracker = new ChaosTracker({
              oneShot: isOneShot(manifest.kind, manifest.spec),
              graceMs,
            });
            const decide = (): ProviderVerdict | undefined => {
              const s = tracker.observe(current(), now());
              if (!s.done) note(s.note);
              return s.done ? s.verdict : undefined;
            };
            // Re-evaluated on a timer too, so a grace period ends without a new event.
            return await waitFor(sets, decide, signal, Math.max(50, Math.min(1_000, graceMs / 4)));
          } finally {
            own.forEach((s) => s.stop());
          }
        },
        async stop(reason: StopReason) {
          stoppedByUs = true;
          try {
            await stopObject(ref);
            ctx.progress(
              `stopping ${describeRef(ref)} (${ref.kind === 'Workflow' ? 'abort' : 'pause'} annotation) because of ${reason}`,
            );
          } catch (err) {
            ctx.warning(
              `could not pause ${describeRef(ref)}: ${kubeErrorText(err)}; deleting it recovers the targets too`,
            );
          }
        },
        async cleanup() {
          const problems: string[] = [];
          try {
            await deleteAndWait(api, ref, {
              timeoutMs: deleteTimeoutMs,
              uid,
              runId: ctx.runId,
              stuckMeaning: STUCK,
              ...(watching ? { watching } : {}),
            });
            ctx.progress(`deleted ${describeRef(ref)} (targets recovered)`);
          } catch (err) {
            problems.push(kubeErrorText(err));
          }
          // A Workflow's chaos objects belong to its nodes and go with them; wait until they have.
          for (const child of children.values()) {
            try {
              if (await waitGone(api, child, deleteTimeoutMs))
                problems.push(
                  `${describeRef(child)} (created by the Workflow) is still there: ${STUCK}`,
                );
            } catch (err) {
              problems.push(kubeErrorText(err));
            }
          }
          if (problems.length) throw new CleanupError(problems);
          ctx.ledger.remove(ledgerId('chaos-mesh', ref));
        },
      };
      return handle;
    },

    describe: (e) => chaosMesh.describe({ objects: e.objects }),

    async undo(entry: LedgerEntry, { runId }): Promise<UndoResult> {
      const out: UndoResult = { removed: [], problems: [] };
      if (entry.target.type !== 'kubernetes') return out;
      const target = entry.target;
      const ref = target.ref;
      try {
        const current = await api.get(ref);
        if (!current || (target.uid && current.metadata.uid !== target.uid)) return out;
        try {
          await stopObject(ref);
        } catch {
          // deleting recovers as well
        }
        await deleteAndWait(api, ref, {
          timeoutMs: deleteTimeoutMs,
          runId,
          stuckMeaning: STUCK,
          ...(target.uid ? { uid: target.uid } : {}),
        });
        out.removed.push(describeRef(ref));
      } catch (err) {
        out.problems.push(kubeErrorText(err));
      }
      return out;
    },

    close() {
      shared?.close();
      shared = undefined;
    },
  };
}
