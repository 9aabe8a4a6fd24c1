/**
 * What a run would do, without doing it: order, concurrency, targets and the worst-case wall
 * time. Pure; rendered for the terminal and as Markdown for the job summary.
 */
import { escapeMarkdown } from '../report/escape.js';
import { formatDuration } from './duration.js';
import type { Experiment, Suite } from './model.js';

export interface PlanStep {
  experiment: Experiment;
  /** Concurrency slot (1-based) it runs in, in the worst case. */
  slot: number;
  /** Worst-case start, from the start of the run. */
  startMs: number;
  /** Worst-case time it occupies its slot: its timeout plus the longest recovery of its probes. */
  worstMs: number;
  /** Whether the run's deadline arrives before this experiment would finish in the worst case. */
  pastDeadline: boolean;
}

export interface Plan {
  suite: string;
  maxParallel: number;
  steps: PlanStep[];
  /** Worst case for the whole suite, not capped by the run's timeout. */
  worstCaseMs: number;
  runTimeoutMs: number;
  skipped: string[];
}

export function worstCaseOf(e: Experiment, suite: Suite): number {
  const recovery = Math.max(0, ...e.probes.map((p) => suite.probes[p]?.recoveryTimeoutMs ?? 0));
  return e.timeoutMs + recovery;
}

/** Experiments start in suite order as soon as one of `maxParallel` slots is free. */
export function buildPlan(suite: Suite, runTimeoutMs: number): Plan {
  const slots = Array.from({ length: suite.safety.maxParallel }, () => 0);
  const steps: PlanStep[] = suite.selected.map((experiment) => {
    let slot = 0;
    for (let i = 1; i < slots.length; i++) if ((slots[i] ?? 0) < (slots[slot] ?? 0)) slot = i;
    const startMs = slots[slot] ?? 0;
    const worstMs = worstCaseOf(experiment, suite);
    slots[slot] = startMs + worstMs;
    return {
      experiment,
      slot: slot + 1,
      startMs,
      worstMs,
      pastDeadline: startMs + worstMs > runTimeoutMs,
    };
  });
  const selected = new Set(suite.selected);
  return {
    suite: suite.name,
    maxParallel: suite.safety.maxParallel,
    steps,
    worstCaseMs: Math.max(0, ...slots),
    runTimeoutMs,
    skipped: suite.experiments.filter((e) => !selected.has(e)).map((e) => e.name),
  };
}

function chaosDuration(step: PlanStep): string {
  const d = step.experiment.plan.durationMs;
  return d === undefined ? '-' : formatDuration(d);
}

function summaryLine(plan: Plan): string {
  const worst = formatDuration(plan.worstCaseMs);
  const capped =
    plan.worstCaseMs > plan.runTimeoutMs
      ? `; the run's timeout of ${formatDuration(plan.runTimeoutMs)} comes first, and whatever is still running then is aborted and cleaned up`
      : '';
  return `${plan.steps.length} experiment${plan.steps.length === 1 ? '' : 's'}, at most ${plan.maxParallel} at once; worst-case wall time ${worst}${capped}.`;
}

/** Plain text for a terminal or a log. */
export function renderPlanText(plan: Plan): string {
  const lines = [`Plan for suite "${plan.suite}": ${summaryLine(plan)}`];
  for (const [i, s] of plan.steps.entries()) {
    const e = s.experiment;
    lines.push('');
    lines.push(
      `${i + 1}. ${e.name} [${e.provider}] ${e.plan.kind}${e.critical ? ' (critical)' : ''}`,
      `   starts at +${formatDuration(s.startMs)} in slot ${s.slot}; chaos lasts ${chaosDuration(s)}; timeout ${formatDuration(e.timeoutMs)}; worst case ${formatDuration(s.worstMs)}${s.pastDeadline ? ' (past the run deadline)' : ''}`,
      ...e.plan.targets.map((t) => `   target: ${t}`),
    );
    if (e.probes.length) lines.push(`   probes: ${e.probes.join(', ')}`);
  }
  if (plan.skipped.length) lines.push('', `Not selected: ${plan.skipped.join(', ')}`);
  return lines.join('\n');
}

/** Markdown for the job summary. Everything from the suite is escaped. */
export function renderPlanMarkdown(plan: Plan): string {
  const rows = plan.steps.map((s, i) => {
    const e = s.experiment;
    const cells = [
      String(i + 1),
      `\`${escapeMarkdown(e.name)}\`${e.critical ? ' (critical)' : ''}`,
      e.provider,
      escapeMarkdown(e.plan.kind),
      e.plan.targets.map(escapeMarkdown).join('<br>'),
      `+${formatDuration(s.startMs)} (slot ${s.slot})`,
      chaosDuration(s),
      formatDuration(e.timeoutMs),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    `## chaos-gate plan: ${escapeMarkdown(plan.suite)}`,
    '',
    `Dry run: nothing was injected. ${escapeMarkdown(summaryLine(plan))}`,
    '',
    '| # | experiment | provider | kind | targets | starts | chaos | timeout |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    ...(plan.skipped.length
      ? ['', `Not selected: ${plan.skipped.map((n) => `\`${escapeMarkdown(n)}\``).join(', ')}`]
      : []),
    '',
  ].join('\n');
}
