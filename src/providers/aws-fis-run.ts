/**
 * AWS FIS at run time (SPEC section 4, fixtures README section 4): resolve the template by id or
 * tags, check it against the suite's FIS safety rules, start it with a client token derived from
 * the run and the experiment (a retried start never starts twice) and our tags, poll
 * GetExperiment with backoff (1 s doubling to 10 s, reset on a state change), stop with
 * StopExperiment and wait until it is stopped.
 */
import { createHash } from 'node:crypto';
import { TERMINAL, type FisApi, type FisExperiment, type FisTemplate } from '../aws/fis-api.js';
import { errorMessage } from '../errors.js';
import type { LedgerEntry } from '../engine/ledger.js';
import { EXPERIMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_LABEL } from '../kube/names.js';
import { WaitAborted } from '../kube/watch.js';
import { sleep } from '../retry.js';
import type { Experiment, Safety } from '../suite/model.js';
import { describeTargets, fisVerdict, templateProblems } from './aws-fis-verdict.js';
import { awsFis } from './aws-fis.js';
import {
  CleanupError,
  PrepareError,
  type Provider,
  type ProviderVerdict,
  type RunningExperiment,
  type StopReason,
  type UndoResult,
} from './provider.js';

export interface FisProviderOptions {
  api: FisApi;
  safety: Pick<Safety, 'fis'> & Partial<Pick<Safety, 'aws'>>;
  /** Poll backoff: first delay and ceiling (SPEC: 1 s doubling to 10 s). */
  pollMs?: { first: number; max: number };
  /** Consecutive failed polls (after the SDK's own retries) before giving up. */
  pollFailures?: number;
  /** How long a stop may take to reach `stopped`. */
  stopTimeoutMs?: number;
  debug?: (message: string) => void;
}

/** A client token from the run and the experiment: the same start, retried, is the same start. */
export function clientToken(runId: string, experiment: string): string {
  return createHash('sha256').update(`${runId}\n${experiment}`).digest('hex').slice(0, 64);
}

function describeSelector(e: Experiment): string {
  if (e.template?.id) return `id ${e.template.id}`;
  return `tags ${Object.entries(e.template?.tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}`;
}

export function fisProvider(opts: FisProviderOptions): Provider {
  const { api } = opts;
  const first = opts.pollMs?.first ?? 1_000;
  const max = opts.pollMs?.max ?? 10_000;
  const maxFailures = opts.pollFailures ?? 10;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 180_000;
  const templates = new Map<string, FisTemplate>();

  async function resolve(e: Experiment): Promise<FisTemplate | string> {
    let id = e.template?.id;
    if (!id) {
      const want = Object.entries(e.template?.tags ?? {});
      const matches = (await api.listTemplates()).filter((t) =>
        want.every(([k, v]) => t.tags[k] === v),
      );
      if (matches.length === 0)
        return `${e.name}: no FIS template in ${api.region} matches ${describeSelector(e)}`;
      if (matches.length > 1)
        return `${e.name}: ${matches.length} FIS templates in ${api.region} match ${describeSelector(e)} (${matches.map((m) => m.id).join(', ')}): make the tags select exactly one, or use template.id`;
      id = matches[0]?.id ?? '';
    }
    const t = await api.getTemplate(id);
    return t ?? `${e.name}: FIS template ${id} does not exist in ${api.region}`;
  }

  /** Polls until terminal (or the signal aborts); reports each state change. */
  async function poll(
    id: string,
    signal: AbortSignal | undefined,
    onChange: (e: FisExperiment) => void,
  ): Promise<FisExperiment> {
    let delay = first;
    let last = '';
    let failures = 0;
    for (;;) {
      let e: FisExperiment | undefined;
      let answered = false;
      try {
        e = await api.get(id);
        answered = true;
      } catch (err) {
        // The SDK has retried throttling and 5xx already; this is our own budget on top.
        failures++;
        opts.debug?.(
          `GetExperiment ${id}: attempt failed (${errorMessage(err)}); ${failures} in a row`,
        );
        if (failures >= maxFailures) throw err;
      }
      if (answered) {
        failures = 0;
        if (!e) throw new Error(`FIS experiment ${id} no longer exists`);
        const state = `${e.status}|${JSON.stringify(e.actions)}`;
        if (state !== last) {
          last = state;
          delay = first;
          onChange(e);
        }
        if (TERMINAL.has(e.status)) return e;
      }
      try {
        await sleep(delay, signal);
      } catch {
        throw new WaitAborted(signal?.reason);
      }
      delay = Math.min(max, delay * 2);
    }
  }

  async function stopAndWait(id: string): Promise<FisExperiment | undefined> {
    let current = await api.get(id);
    if (!current || TERMINAL.has(current.status)) return current;
    current = await api.stop(id);
    if (!current || TERMINAL.has(current.status)) return current;
    return poll(id, AbortSignal.timeout(stopTimeoutMs), () => undefined);
  }

  return {
    name: 'aws-fis',

    async prepare(experiments) {
      const problems: string[] = [];
      const accounts = opts.safety.aws?.accounts;
      if (accounts?.length) {
        // Refuse any other account before a template is even read.
        let account: string;
        try {
          account = await api.account();
        } catch (err) {
          throw new PrepareError([
            `safety.aws.accounts is set but the AWS account could not be read (STS GetCallerIdentity): ${errorMessage(err)}`,
          ]);
        }
        if (!accounts.includes(account))
          throw new PrepareError([
            `the AWS credentials belong to account ${account}, which is not in safety.aws.accounts (${accounts.join(', ')}): refusing to start FIS experiments`,
          ]);
      }
      for (const e of experiments) {
        let t: FisTemplate | string;
        try {
          t = await resolve(e);
        } catch (err) {
          problems.push(
            `${e.name}: FIS in ${api.region} could not be reached: ${errorMessage(err)}`,
          );
          continue;
        }
        if (typeof t === 'string') {
          problems.push(t);
          continue;
        }
        problems.push(...templateProblems(t, opts.safety.fis).map((p) => `${e.name}: ${p}`));
        templates.set(e.name, t);
      }
      if (problems.length) throw new PrepareError(problems);
    },

    async start(e, ctx) {
      const t = templates.get(e.name);
      if (!t) throw new Error(`${e.name}: the FIS template was not resolved before the run`);
      ctx.progress(`template ${t.id}: ${describeTargets(t).join('; ') || 'no targets'}`);
      const token = clientToken(ctx.runId, e.name);
      const entry = ctx.ledger.add({
        provider: 'aws-fis',
        experiment: e.name,
        target: { type: 'fis', templateId: t.id, clientToken: token, region: api.region },
      });
      const started = await api.start({
        templateId: t.id,
        clientToken: token,
        tags: {
          [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
          [RUN_LABEL]: ctx.runId,
          [EXPERIMENT_LABEL]: e.name,
        },
      });
      ctx.ledger.created(entry.id, started.id);
      ctx.progress(`started FIS experiment ${started.id} (${started.status})`);
      const id = started.id;

      const handle: RunningExperiment = {
        experiment: e,
        created: [`FIS experiment ${id}`],
        async wait(signal): Promise<ProviderVerdict> {
          const done = await poll(id, signal, (x) => {
            const acts = Object.entries(x.actions)
              .map(([k, a]) => `${k} ${a.status ?? '?'}`)
              .join(', ');
            ctx.progress(`${x.status}${acts ? ` (${acts})` : ''}`);
          });
          return fisVerdict(done);
        },
        async stop(reason: StopReason) {
          try {
            await api.stop(id);
            ctx.progress(`stopping FIS experiment ${id} (StopExperiment) because of ${reason}`);
          } catch (err) {
            ctx.warning(`StopExperiment ${id} failed: ${errorMessage(err)}; cleanup tries again`);
          }
        },
        async cleanup() {
          let final: FisExperiment | undefined;
          try {
            final = await stopAndWait(id);
          } catch (err) {
            throw new CleanupError([
              `FIS experiment ${id} could not be confirmed stopped (${errorMessage(err)}): chaos may still be active`,
            ]);
          }
          if (final && !TERMINAL.has(final.status))
            throw new CleanupError([
              `FIS experiment ${id} is still ${final.status}: chaos may still be active`,
            ]);
          // FIS experiments cannot be deleted; a stopped or finished one is done with.
          ctx.ledger.remove(entry.id);
        },
      };
      return handle;
    },

    describe(e) {
      const t = templates.get(e.name);
      if (!t)
        return awsFis.describe({ objects: [], ...(e.template ? { template: e.template } : {}) });
      return { kind: `FIS template ${t.id}`, targets: describeTargets(t) };
    },

    async undo(entry: LedgerEntry, { runId }): Promise<UndoResult> {
      const out: UndoResult = { removed: [], problems: [] };
      if (entry.target.type !== 'fis') return out;
      const target = entry.target;
      try {
        let id = target.experimentId;
        if (!id) {
          // The start was sent but its answer never arrived: find it by our tags.
          const found = (await api.listExperiments(target.templateId)).find(
            (x) => x.tags[RUN_LABEL] === runId && x.tags[EXPERIMENT_LABEL] === entry.experiment,
          );
          if (!found) return out;
          id = found.id;
        }
        const final = await stopAndWait(id);
        if (final && !TERMINAL.has(final.status))
          out.problems.push(
            `FIS experiment ${id} is still ${final.status}: chaos may still be active`,
          );
        else out.removed.push(`FIS experiment ${id} (${final?.status ?? 'gone'})`);
      } catch (err) {
        out.problems.push(
          `FIS experiment of ${entry.experiment}: ${errorMessage(err)}: chaos may still be active`,
        );
      }
      return out;
    },

    close() {
      api.close();
    },
  };
}
