/**
 * The state of the loopback FIS service: experiment templates, experiments and their life
 * cycle. A started experiment is `initiating`, then `running`, then ends as the template's
 * scenario says:
 *
 *   completed         every action `completed`, reason `Experiment completed.`
 *   stopped-by-alarm  `stopping`, then `stopped`; the reason names the alarm ARN of the
 *                     template's CloudWatch stop condition; running actions `stopped`, pending
 *                     ones `cancelled`
 *   failed            `failed` with `state.error` {accountId, code, location}; the running
 *                     actions `failed`, pending ones `cancelled`
 *   cancelled         `cancelled` straight from `initiating` (the account's safety lever is
 *                     engaged); every action `cancelled`
 *   hang              stays `running` until StopExperiment
 *
 * StopExperiment makes a live experiment `stopping`, then `stopped` (reason: stopped by the
 * user). StartExperiment is idempotent by `clientToken`. All waits are simulated time (clock.ts).
 */
import { notFound, validation, FisError } from './http.js';
import type { SimClock } from './clock.js';
import {
  TERMINAL_STATUSES,
  type Experiment,
  type ExperimentAction,
  type ExperimentTemplate,
  type Scenario,
  type Tags,
  type TemplateInput,
} from './types.js';

/** Simulated time an experiment spends `initiating`, and `stopping`. */
export const INITIATING_MS = 2_000;
export const STOPPING_MS = 2_000;
const DEFAULT_DURATION_MS = 60_000;

const REASONS = {
  initiating: 'Experiment is initiating.',
  running: 'Experiment is running.',
  completed: 'Experiment completed.',
  stopping: 'Stopping Experiment.',
  stoppedByUser: 'Experiment stopped by the user (StopExperiment).',
  failed: 'Experiment failed.',
  cancelled: 'Experiment cancelled: the safety lever of the account and Region is engaged.',
  actionPending: 'Initial state',
  actionRunning: 'Action is running.',
  actionCompleted: 'Action was completed.',
  actionStopped: 'Action was stopped.',
  actionCancelled: 'Action was cancelled.',
  actionFailed: 'Action failed.',
  actionSkipped: 'Action was skipped (actionsMode skip-all).',
};

export interface StartInput {
  clientToken: string;
  experimentTemplateId: string;
  tags?: Tags;
  experimentOptions?: { actionsMode?: string };
}

interface Stored {
  experiment: Experiment;
  clientToken: string;
  /** Cancels of the pending transitions. */
  timers: (() => void)[];
}

/** mulberry32: a small seedable PRNG, so the ids of a run are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The longest ISO 8601 duration (`PT1M`, `PT2M30S`, `PT1H`) among the values, in ms. */
export function longestDurationMs(values: string[]): number | undefined {
  let best: number | undefined;
  for (const v of values) {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
    if (!m || v === 'P' || v.endsWith('T')) continue;
    const [, d, h, min, s] = m;
    const ms =
      ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 +
      Number(s ?? 0) * 1000;
    if (best === undefined || ms > best) best = ms;
  }
  return best;
}

export class FisState {
  private readonly templates = new Map<string, ExperimentTemplate>();
  private readonly stored = new Map<string, Stored>();
  private readonly tokens = new Map<string, string>();
  private readonly scenarios = new Map<string, Scenario>();
  private readonly random: () => number;

  constructor(
    private readonly clock: SimClock,
    readonly accountId: string,
    readonly region: string,
    seed: number,
    /** Throws when a template is not a valid ExperimentTemplate. */
    private readonly checkTemplate: (t: ExperimentTemplate) => void,
  ) {
    this.random = rng(seed);
  }

  private newId(prefix: string, length: number): string {
    let id = prefix;
    for (let i = 0; i < length; i++)
      id += ALPHABET[Math.floor(this.random() * ALPHABET.length)] ?? 'A';
    return id;
  }

  private arn(kind: 'experiment' | 'experiment-template', id: string): string {
    return `arn:aws:fis:${this.region}:${this.accountId}:${kind}/${id}`;
  }

  // ---- templates

  addTemplate(t: TemplateInput = {}): string {
    const id = t.id ?? this.newId('EXT', 14);
    if (this.templates.has(id)) throw new Error(`experiment template ${id} already exists`);
    const now = this.clock.epochSeconds();
    const { accountId: acct, region } = this;
    const template: ExperimentTemplate = {
      id,
      arn: this.arn('experiment-template', id),
      description: t.description ?? 'chaos-gate loopback FIS template',
      targets: structuredClone(
        t.targets ?? {
          'Instances-Target-1': {
            resourceType: 'aws:ec2:instance',
            resourceArns: [`arn:aws:ec2:${region}:${acct}:instance/i-0123456789abcdef0`],
            selectionMode: 'COUNT(1)',
          },
        },
      ),
      actions: structuredClone(
        t.actions ?? {
          'stop-instances': {
            actionId: 'aws:ec2:stop-instances',
            description: 'stop one instance for a minute',
            parameters: { startInstancesAfterDuration: 'PT1M' },
            targets: { Instances: 'Instances-Target-1' },
          },
        },
      ),
      stopConditions: structuredClone(
        t.stopConditions ?? [
          {
            source: 'aws:cloudwatch:alarm',
            value: `arn:aws:cloudwatch:${region}:${acct}:alarm:chaos-gate-error-budget`,
          },
        ],
      ),
      creationTime: now,
      lastUpdateTime: now,
      roleArn: t.roleArn ?? `arn:aws:iam::${acct}:role/chaos-gate-fis`,
      tags: { ...(t.tags ?? {}) },
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      targetAccountConfigurationsCount: 0,
    };
    this.checkTemplate(template);
    for (const [name, a] of Object.entries(template.actions)) {
      for (const target of Object.values(a.targets ?? {}))
        if (!template.targets[target])
          throw new Error(`action ${name} of template ${id} names the unknown target ${target}`);
      for (const before of a.startAfter ?? [])
        if (!template.actions[before])
          throw new Error(`action ${name} of template ${id} starts after the unknown ${before}`);
    }
    this.templates.set(id, template);
    return id;
  }

  template(id: string): ExperimentTemplate {
    const t = this.templates.get(id);
    if (!t) throw notFound(`Experiment template ${id} not found.`);
    return t;
  }

  allTemplates(): ExperimentTemplate[] {
    return [...this.templates.values()];
  }

  setScenario(templateId: string, s: Scenario): void {
    const t = this.templates.get(templateId);
    if (!t) throw new Error(`no experiment template ${templateId}`);
    if (s.outcome === 'stopped-by-alarm' && !alarmOf(t))
      throw new Error(`template ${templateId} has no aws:cloudwatch:alarm stop condition`);
    if (s.durationMs !== undefined && !(s.durationMs >= 0))
      throw new Error(`durationMs must be >= 0, got ${s.durationMs}`);
    this.scenarios.set(templateId, { ...s });
  }

  // ---- experiments

  all(): Experiment[] {
    return [...this.stored.values()].map((s) => s.experiment);
  }

  get(id: string): Experiment {
    const s = this.stored.get(id);
    if (!s) throw notFound(`Experiment ${id} not found.`);
    return s.experiment;
  }

  running(): string[] {
    return this.all()
      .filter((e) => !TERMINAL_STATUSES.includes(e.state.status))
      .map((e) => e.id);
  }

  /** The tags of an experiment or template ARN. */
  tagsOf(arn: string): Tags {
    for (const t of this.templates.values()) if (t.arn === arn) return t.tags;
    for (const s of this.stored.values()) if (s.experiment.arn === arn) return s.experiment.tags;
    throw notFound(`Resource ${arn} not found.`);
  }

  start(input: StartInput): Experiment {
    const known = this.tokens.get(input.clientToken);
    if (known !== undefined) {
      const e = this.get(known);
      if (e.experimentTemplateId !== input.experimentTemplateId)
        throw new FisError(
          409,
          'ConflictException',
          `The clientToken ${input.clientToken} was used for experiment ${e.id} of another template.`,
        );
      return e;
    }
    const t = this.template(input.experimentTemplateId);
    const actionsMode = input.experimentOptions?.actionsMode ?? 'run-all';
    if (actionsMode !== 'run-all' && actionsMode !== 'skip-all')
      throw validation(`unknown actionsMode ${actionsMode}`);
    const id = this.newId('EXP', 15);
    const now = this.clock.epochSeconds();
    const actions: Record<string, ExperimentAction> = {};
    for (const [name, a] of Object.entries(t.actions))
      actions[name] = {
        ...structuredClone(a),
        state: { status: 'pending', reason: REASONS.actionPending },
      };
    const experiment: Experiment = {
      id,
      arn: this.arn('experiment', id),
      experimentTemplateId: t.id,
      roleArn: t.roleArn,
      state: { status: 'initiating', reason: REASONS.initiating },
      targets: structuredClone(t.targets),
      actions,
      stopConditions: structuredClone(t.stopConditions),
      creationTime: now,
      startTime: now,
      tags: { ...(input.tags ?? {}) },
      experimentOptions: { ...t.experimentOptions, actionsMode },
      targetAccountConfigurationsCount: 0,
    };
    const s: Stored = { experiment, clientToken: input.clientToken, timers: [] };
    this.stored.set(id, s);
    this.tokens.set(input.clientToken, id);
    const scenario = this.scenarios.get(t.id) ?? {};
    s.timers.push(this.clock.after(INITIATING_MS, () => this.begin(s, t, scenario)));
    return experiment;
  }

  /** StopExperiment: a live experiment goes `stopping`, then `stopped`; others stay as they are. */
  stop(id: string): Experiment {
    const s = this.stored.get(id);
    if (!s) throw notFound(`Experiment ${id} not found.`);
    const e = s.experiment;
    if (TERMINAL_STATUSES.includes(e.state.status) || e.state.status === 'stopping') return e;
    this.cancelTimers(s);
    e.state = { status: 'stopping', reason: REASONS.stopping };
    s.timers.push(
      this.clock.after(STOPPING_MS, () => this.halt(s, 'stopped', REASONS.stoppedByUser)),
    );
    return e;
  }

  /** Applies `fn` to the stored experiment (for states the scenarios do not produce). */
  patch(id: string, fn: (e: Experiment) => void): void {
    fn(this.get(id));
  }

  // ---- life cycle

  private cancelTimers(s: Stored): void {
    for (const cancel of s.timers.splice(0)) cancel();
  }

  private begin(s: Stored, t: ExperimentTemplate, scenario: Scenario): void {
    const e = s.experiment;
    const outcome = scenario.outcome ?? 'completed';
    if (outcome === 'cancelled') {
      for (const a of Object.values(e.actions))
        a.state = { status: 'cancelled', reason: REASONS.actionCancelled };
      this.end(e, { status: 'cancelled', reason: scenario.reason ?? REASONS.cancelled });
      return;
    }
    const now = this.clock.epochSeconds();
    e.state = { status: 'running', reason: REASONS.running };
    const skip = e.experimentOptions?.actionsMode === 'skip-all';
    for (const a of Object.values(e.actions)) {
      if (skip) a.state = { status: 'skipped', reason: REASONS.actionSkipped };
      else if ((a.startAfter ?? []).length === 0) {
        a.state = { status: 'running', reason: REASONS.actionRunning };
        a.startTime = now;
      }
    }
    const durationMs = skip
      ? 0
      : (scenario.durationMs ??
        longestDurationMs(
          Object.values(t.actions).flatMap((a) => Object.values(a.parameters ?? {})),
        ) ??
        DEFAULT_DURATION_MS);
    if (outcome === 'hang') return;
    s.timers.push(this.clock.after(durationMs, () => this.conclude(s, scenario, outcome)));
  }

  private conclude(s: Stored, scenario: Scenario, outcome: string): void {
    const e = s.experiment;
    if (outcome === 'completed') {
      const now = this.clock.epochSeconds();
      for (const a of Object.values(e.actions)) {
        if (a.state.status === 'skipped') continue;
        a.startTime ??= now;
        a.endTime = now;
        a.state = { status: 'completed', reason: REASONS.actionCompleted };
      }
      this.end(e, { status: 'completed', reason: scenario.reason ?? REASONS.completed });
    } else if (outcome === 'stopped-by-alarm') {
      const alarm = alarmOf(this.template(e.experimentTemplateId)) ?? 'unknown alarm';
      const reason =
        scenario.reason ?? `Experiment stopped: stop condition ${alarm} was triggered (ALARM).`;
      e.state = { status: 'stopping', reason };
      s.timers.push(this.clock.after(STOPPING_MS, () => this.halt(s, 'stopped', reason)));
    } else if (outcome === 'failed') {
      const running = Object.entries(e.actions).find(([, a]) => a.state.status === 'running');
      const location = running?.[0] ?? Object.keys(e.actions)[0] ?? 'experiment';
      this.halt(s, 'failed', scenario.reason ?? REASONS.failed, {
        accountId: this.accountId,
        code: scenario.errorCode ?? 'InternalFailure',
        location,
      });
    }
  }

  /** Ends an experiment before its actions completed: stopped or failed. */
  private halt(
    s: Stored,
    status: 'stopped' | 'failed',
    reason: string,
    error?: { accountId: string; code: string; location: string },
  ): void {
    const now = this.clock.epochSeconds();
    for (const a of Object.values(s.experiment.actions)) {
      if (a.state.status === 'running') {
        a.endTime = now;
        a.state =
          status === 'failed'
            ? { status: 'failed', reason: REASONS.actionFailed }
            : { status: 'stopped', reason: REASONS.actionStopped };
      } else if (a.state.status === 'pending' || a.state.status === 'initiating')
        a.state = { status: 'cancelled', reason: REASONS.actionCancelled };
    }
    this.end(s.experiment, { status, reason, ...(error ? { error } : {}) });
  }

  private end(e: Experiment, state: Experiment['state']): void {
    e.state = state;
    e.endTime = this.clock.epochSeconds();
  }
}

/** The alarm ARN of a template's first CloudWatch stop condition. */
function alarmOf(t: ExperimentTemplate): string | undefined {
  return t.stopConditions.find((c) => c.source === 'aws:cloudwatch:alarm' && c.value)?.value;
}
