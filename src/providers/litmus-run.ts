/**
 * LitmusChaos at run time (SPEC section 4, fixtures README section 2): create the ChaosEngine
 * (and the ChaosExperiments its file holds, when the cluster lacks them), watch the engine and
 * its ChaosResults until the verdict is written, stop with `engineState: stop`, and clean up the
 * engine, the ChaosResults it produced and any ChaosExperiment we installed.
 */
import { mapLimit } from '../concurrency.js';
import { KubeApiError, type KubeApi } from '../kube/api.js';
import { asString, dig, type KubeObject } from '../kube/object.js';
import {
  ChaosEngine,
  ChaosExperiment,
  ChaosResult,
  describeRef,
  objectRef,
  type ObjectRef,
} from '../kube/resources.js';
import { objectIn, SharedSets, startAfterCreate, waitFor, WatchedSet } from '../kube/watch.js';
import { labelValue, RUN_LABEL } from '../kube/names.js';
import { ledgerId, type LedgerEntry } from '../engine/ledger.js';
import type { Experiment } from '../suite/model.js';
import {
  createTracked,
  deleteAndWait,
  dryRun,
  instantiate,
  kubeErrorText,
  missingCrds,
  refOf,
  PREPARE_CONCURRENCY,
} from './kube-ops.js';
import { expectedResults, litmusState } from './litmus-verdict.js';
import { litmus } from './litmus.js';
import {
  CleanupError,
  PrepareError,
  type ExperimentContext,
  type Provider,
  type ProviderVerdict,
  type RunningExperiment,
  type StopReason,
  type UndoResult,
} from './provider.js';

export interface KubeProviderOptions {
  api: KubeApi;
  /** How long a delete may wait for finalizers (the controller recovering targets). */
  deleteTimeoutMs?: number;
  /** Lines about dropped watches and retries. */
  debug?: (message: string) => void;
}

const INSTALL =
  'install LitmusChaos (the chaos-operator and its CRDs), e.g. helm install litmus-core litmuschaos/litmus-core -n litmus';
/** How long a completed engine's final ChaosResult may lag behind it on its own watch. */
const RESULT_GRACE_MS = 3_000;
const STUCK =
  'the chaos-operator has not finished aborting it; chaos may still be active (check the runner and experiment pods)';

function engineOf(e: Experiment): KubeObject {
  const engine = e.objects.find((o) => o.object.kind === 'ChaosEngine')?.object;
  if (!engine) throw new Error(`experiment ${e.name} has no ChaosEngine`);
  return engine;
}

function manifestExperiments(e: Experiment): KubeObject[] {
  return e.objects.filter((o) => o.object.kind === 'ChaosExperiment').map((o) => o.object);
}

export function litmusProvider(opts: KubeProviderOptions): Provider {
  const { api } = opts;
  const deleteTimeoutMs = opts.deleteTimeoutMs ?? 180_000;
  /** ChaosExperiments this run installed, with how many running experiments use each. */
  const installed = new Map<
    string,
    { ref: ObjectRef; users: number; ready: Promise<void>; installedByUs: boolean }
  >();
  const watchOpts = opts.debug ? { log: opts.debug } : {};
  /** The run's ChaosEngines, one watch per namespace (started by the first wait). */
  let shared: SharedSets | undefined;
  /** RBAC refused `deletecollection` on chaosresults: delete them one by one. */
  let collectionRefused = false;

  async function ensureChaosExperiment(
    o: KubeObject,
    e: Experiment,
    ctx: ExperimentContext,
  ): Promise<void> {
    const ref = refOf(o);
    const key = `${ref.namespace}/${ref.name}`;
    let slot = installed.get(key);
    if (!slot) {
      const s: { ref: ObjectRef; users: number; ready: Promise<void>; installedByUs: boolean } = {
        ref,
        users: 0,
        ready: Promise.resolve(),
        installedByUs: false,
      };
      s.ready = (async () => {
        if (await api.get(ref)) return; // the cluster has it: use it, never remove it
        await createTracked(
          api,
          ctx.ledger,
          'litmus',
          e.name,
          instantiate(o, ctx.runId, e.name, { keepName: true }),
        );
        s.installedByUs = true;
        ctx.progress(`installed ${describeRef(ref)} (it will be removed afterwards)`);
      })();
      installed.set(key, s);
      slot = s;
    }
    slot.users++;
    await slot.ready;
  }

  async function releaseChaosExperiments(
    e: Experiment,
    runId: string,
    problems: string[],
  ): Promise<void> {
    for (const o of manifestExperiments(e)) {
      const ref = refOf(o);
      const slot = installed.get(`${ref.namespace}/${ref.name}`);
      if (!slot) continue;
      slot.users--;
      if (slot.users > 0 || !slot.installedByUs) continue;
      try {
        await deleteAndWait(api, ref, {
          timeoutMs: deleteTimeoutMs,
          runId,
          stuckMeaning: 'it could not be removed',
        });
        installed.delete(`${ref.namespace}/${ref.name}`);
      } catch (err) {
        problems.push(kubeErrorText(err));
      }
    }
  }

  /**
   * The engine's ChaosResults, in one request (deletecollection). Where RBAC grants only
   * `delete` (a Role written before chaos-gate asked for `deletecollection`), one by one.
   */
  async function deleteResults(namespace: string, uid: string): Promise<string[]> {
    // ChaosResults carry the experiment pod's labels, not ours: the chaosUID label (the uid of
    // the engine we created) is the proof.
    const selector = `chaosUID=${uid}`;
    const name = (r: KubeObject): string =>
      describeRef(objectRef(ChaosResult, namespace, r.metadata.name ?? ''));
    if (!collectionRefused)
      try {
        return (await api.deleteCollection(ChaosResult, namespace, selector)).map(name);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 403)) throw err;
        collectionRefused = true; // not asked again in this run
      }
    const removed: string[] = [];
    const { items } = await api.list(ChaosResult, namespace, { labelSelector: selector });
    for (const r of items)
      if (await api.delete(objectRef(ChaosResult, namespace, r.metadata.name ?? '')))
        removed.push(name(r));
    return removed;
  }

  return {
    name: 'litmus',

    async prepare(experiments, { runId }) {
      const problems = await missingCrds(api, [ChaosEngine, ChaosExperiment, ChaosResult], INSTALL);
      if (problems.length) throw new PrepareError(problems);
      // The same ChaosExperiment or service account is asked about once, however many
      // experiments use it.
      const asked = new Map<string, Promise<boolean>>();
      const once = (key: string, ask: () => Promise<boolean>): Promise<boolean> => {
        let p = asked.get(key);
        if (!p) {
          p = ask();
          asked.set(key, p);
        }
        return p;
      };
      const exists = (ref: ObjectRef): Promise<boolean> =>
        once(`${ref.kind} ${ref.namespace}/${ref.name}`, async () => !!(await api.get(ref)));
      // Each experiment's checks are independent: a few experiments at a time (the benchmark
      // found preparation serial); the problems keep the suite's order.
      const perExperiment = await mapLimit(experiments, PREPARE_CONCURRENCY, async (e) => {
        const problems: string[] = [];
        const engine = engineOf(e);
        const ns = engine.metadata.namespace ?? 'default';
        const inFile = new Set(manifestExperiments(e).map((o) => o.metadata.name));
        for (const name of expectedResults(engine).map((r) => r.experiment)) {
          if (inFile.has(name)) continue;
          if (!(await exists(objectRef(ChaosExperiment, ns, name))))
            problems.push(
              `${e.name}: ChaosExperiment ${ns}/${name}, which the ChaosEngine runs, is not installed: apply the fault's ChaosExperiment first or add it to ${e.manifestFile ?? 'the manifest'}`,
            );
        }
        const sa = asString(dig(engine.spec, 'chaosServiceAccount'));
        if (
          sa &&
          !(await once(`ServiceAccount ${ns}/${sa}`, () => api.serviceAccountExists(ns, sa)))
        )
          problems.push(
            `${e.name}: the ChaosEngine's chaosServiceAccount ${ns}/${sa} does not exist: create it with the RBAC the fault needs`,
          );
        for (const o of manifestExperiments(e)) {
          if (await exists(refOf(o))) continue;
          const p = await dryRun(api, instantiate(o, runId, e.name, { keepName: true }), e.name);
          if (p) problems.push(p);
        }
        const p = await dryRun(api, instantiate(engine, runId, e.name), e.name);
        if (p) problems.push(p);
        return problems;
      });
      problems.push(...perExperiment.flat());
      if (problems.length) throw new PrepareError(problems);
    },

    async start(e, ctx) {
      for (const o of manifestExperiments(e)) await ensureChaosExperiment(o, e, ctx);
      const body = instantiate(engineOf(e), ctx.runId, e.name);
      body.spec = { ...(body.spec ?? {}), engineState: 'active' };
      const engine = await createTracked(api, ctx.ledger, 'litmus', e.name, body);
      const ref = refOf(engine);
      const uid = engine.metadata.uid ?? '';
      ctx.progress(`created ${describeRef(ref)}`);
      const expected = expectedResults(engine);
      let lastNote = '';
      /** The watch the wait saw the engine on; cleanup sees it go there too. */
      let watching: WatchedSet | undefined;

      const handle: RunningExperiment = {
        experiment: e,
        created: [describeRef(ref)],
        async wait(signal): Promise<ProviderVerdict> {
          shared ??= new SharedSets(api, `${RUN_LABEL}=${labelValue(ctx.runId)}`, watchOpts);
          const engineSet = await shared.holding(ChaosEngine, ref.namespace, engine);
          watching = engineSet;
          const resultSet = new WatchedSet(
            api,
            { resource: ChaosResult, namespace: ref.namespace, labelSelector: `chaosUID=${uid}` },
            watchOpts,
          );
          // The engine's ChaosResults carry its new uid: none can exist before it.
          await startAfterCreate(engine, [{ set: resultSet, initial: [] }]);
          let awaitingSince: number | undefined;
          try {
            return await waitFor(
              [engineSet, resultSet],
              () => {
                const obs = {
                  engine: objectIn(engineSet, ref.name, uid),
                  engineUid: uid,
                  // A result deleted under us still tells its verdict.
                  results: [...resultSet.objects.values(), ...resultSet.deleted.values()],
                  expected,
                  resultGraceOver:
                    awaitingSince !== undefined && Date.now() - awaitingSince >= RESULT_GRACE_MS,
                };
                const note = describeProgress(obs.engine, obs.results);
                if (note && note !== lastNote) {
                  lastNote = note;
                  ctx.progress(note);
                }
                const s = litmusState(obs);
                if (!s.done && s.awaitingResults) awaitingSince ??= Date.now();
                return s.done ? s.verdict : undefined;
              },
              signal,
              250,
            );
          } finally {
            resultSet.stop();
          }
        },
        async stop(reason: StopReason) {
          try {
            await api.mergePatch(ref, { spec: { engineState: 'stop' } });
            ctx.progress(`stopping ${describeRef(ref)} (engineState: stop) because of ${reason}`);
          } catch (err) {
            ctx.warning(
              `could not stop ${describeRef(ref)}: ${kubeErrorText(err)}; deleting it aborts it too`,
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
            ctx.progress(`deleted ${describeRef(ref)}`);
            const removed = await deleteResults(ref.namespace, uid);
            if (removed.length) ctx.progress(`deleted ${removed.join(', ')}`);
            ctx.ledger.remove(ledgerId('litmus', ref));
          } catch (err) {
            problems.push(kubeErrorText(err));
          }
          await releaseChaosExperiments(e, ctx.runId, problems);
          for (const o of manifestExperiments(e)) {
            const r = refOf(o);
            if (!installed.has(`${r.namespace}/${r.name}`))
              ctx.ledger.remove(ledgerId('litmus', r));
          }
          if (problems.length) throw new CleanupError(problems);
        },
      };
      return handle;
    },

    describe: (e) => litmus.describe({ objects: e.objects }),

    async undo(entry: LedgerEntry, { runId }): Promise<UndoResult> {
      const out: UndoResult = { removed: [], problems: [] };
      if (entry.target.type !== 'kubernetes') return out;
      const target = entry.target;
      const ref = target.ref;
      try {
        const current = await api.get(ref);
        const uid = target.uid ?? current?.metadata.uid;
        if (
          ref.kind === 'ChaosEngine' &&
          current &&
          (!target.uid || current.metadata.uid === target.uid)
        ) {
          try {
            await api.mergePatch(ref, { spec: { engineState: 'stop' } });
          } catch {
            // deleting aborts it as well
          }
        }
        if (current) {
          await deleteAndWait(api, ref, {
            timeoutMs: deleteTimeoutMs,
            runId,
            stuckMeaning: STUCK,
            ...(target.uid ? { uid: target.uid } : {}),
          });
          out.removed.push(describeRef(ref));
        }
        if (ref.kind === 'ChaosEngine' && uid)
          out.removed.push(...(await deleteResults(ref.namespace, uid)));
      } catch (err) {
        out.problems.push(kubeErrorText(err));
      }
      return out;
    },

    close() {
      installed.clear();
      shared?.close();
      shared = undefined;
    },
  };
}

/** One line for the log when the engine or a result changes state. */
function describeProgress(engine: KubeObject | undefined, results: KubeObject[]): string {
  const parts: string[] = [];
  const es = asString(dig(engine?.status, 'engineStatus'));
  if (es) parts.push(`engine ${es}`);
  for (const r of results) {
    const phase = asString(dig(r.status, 'experimentStatus', 'phase'));
    const verdict = asString(dig(r.status, 'experimentStatus', 'verdict'));
    if (phase) parts.push(`${r.metadata.name}: ${phase}/${verdict ?? '?'}`);
  }
  return parts.join(', ');
}
