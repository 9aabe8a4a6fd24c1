/**
 * Gate decisions of SPEC sections 1.3 (preflight), 1.4 (abort on breach), 5 (gates) and 6 (the
 * suite verdict's "a gate failed / is at warn"), as pure functions over the figures of
 * ./budget.ts and the suite's `gates`.
 *
 * Rules where the SPEC is silent:
 * - A limit is the most allowed: a figure exactly at `minBudgetRemaining`, `maxConsumed`,
 *   `warnConsumed` or `maxBurnRate` is within it; only beyond it counts.
 * - "No data" fails its gate unless the SLO says `onNoData: ignore` (SPEC 5); a gate that is not
 *   set has nothing to fail, so no data is then only reported. In the preflight, no data fails
 *   the run whatever `onLowBudget` says: an unknown budget is not a low one.
 * - `no-errors-allowed` (objective 100 with errors) is beyond every limit.
 * - The preflight with `onLowBudget: run` and a low budget runs, and its gate is `warn`, so the
 *   verdict shows it; `skip` makes the gate `warn` too (the verdict is `skipped` anyway).
 * - A burn-rate breach makes the suite's gate `fail` whether or not `abortOnBreach` stopped chaos.
 */
import type { Gates, Slo } from '../suite/model.js';
import { formatFigure, type BudgetFigure } from './budget.js';

export type GateResult = 'pass' | 'warn' | 'fail';

/** What the gates need to know about an SLO. */
export type SloRef = Pick<Slo, 'name' | 'onNoData'>;

const RANK: Record<GateResult, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst of some gate results; `pass` when there are none. */
export function worstGate(results: Iterable<GateResult>): GateResult {
  let worst: GateResult = 'pass';
  for (const r of results) if (RANK[r] > RANK[worst]) worst = r;
  return worst;
}

const pct = (x: number): string => `${formatFigure(x)}%`;

/** How a no-data figure counts: `fail` unless ignored or no gate is set (see the module comment). */
function noDataGate(slo: SloRef, gateSet: boolean): { gate: GateResult; note: string } {
  if (slo.onNoData === 'ignore') return { gate: 'pass', note: 'ignored (onNoData: ignore)' };
  if (!gateSet) return { gate: 'pass', note: 'reported only: no gate is set' };
  return { gate: 'fail', note: 'fails the gate (set onNoData: ignore to allow it)' };
}

// ---------------------------------------------------------------------------------------------
// Preflight (SPEC 1.3, 5: `preflight.minBudgetRemaining`, `onLowBudget`)

export type PreflightDecision = 'run' | 'skip' | 'fail';

export interface PreflightSlo {
  name: string;
  result: 'ok' | 'low' | 'no-data';
  remaining: BudgetFigure;
  minimum?: number;
  gate: GateResult;
  reason: string;
}

export interface PreflightResult {
  decision: PreflightDecision;
  gate: GateResult;
  /** One line per SLO that is low or has no data (empty when every budget is fine). */
  reasons: string[];
  slos: PreflightSlo[];
}

const LOW_BUDGET: Record<
  Gates['preflight']['onLowBudget'],
  { decision: PreflightDecision; gate: GateResult; says: string }
> = {
  skip: { decision: 'skip', gate: 'warn', says: 'chaos skipped (onLowBudget: skip)' },
  fail: { decision: 'fail', gate: 'fail', says: 'the run fails (onLowBudget: fail)' },
  run: { decision: 'run', gate: 'warn', says: 'running anyway (onLowBudget: run)' },
};

/** Each SLO's remaining budget against `minBudgetRemaining`; fail beats skip beats run. */
export function preflightGate(
  slos: readonly { slo: SloRef; remaining: BudgetFigure }[],
  gates: Pick<Gates, 'preflight'>,
): PreflightResult {
  const { minBudgetRemaining: min, onLowBudget } = gates.preflight;
  const low = LOW_BUDGET[onLowBudget];
  const out: PreflightSlo[] = [];
  const decisions: PreflightDecision[] = [];
  for (const { slo, remaining } of slos) {
    const base = { name: slo.name, remaining, ...(min !== undefined ? { minimum: min } : {}) };
    if (remaining.kind === 'no-data') {
      const { gate, note } = noDataGate(slo, min !== undefined);
      if (gate === 'fail') decisions.push('fail');
      out.push({
        ...base,
        result: 'no-data',
        gate,
        reason: `${slo.name}: no data (${remaining.reason}): ${note}`,
      });
      continue;
    }
    const what =
      remaining.kind === 'value'
        ? `${pct(remaining.value)} of the error budget remains${remaining.value < 0 ? ' (already overspent)' : ''}`
        : `${remaining.reason}: no budget remains`;
    const isLow =
      min !== undefined && (remaining.kind === 'no-errors-allowed' || remaining.value < min);
    if (isLow) {
      decisions.push(low.decision);
      out.push({
        ...base,
        result: 'low',
        gate: low.gate,
        reason: `${slo.name}: ${what}, below the minimum ${pct(min)}: ${low.says}`,
      });
    } else {
      out.push({
        ...base,
        result: 'ok',
        gate: 'pass',
        reason: `${slo.name}: ${what}${min !== undefined ? ` (minimum ${pct(min)})` : ''}`,
      });
    }
  }
  const decision: PreflightDecision = decisions.includes('fail')
    ? 'fail'
    : decisions.includes('skip')
      ? 'skip'
      : 'run';
  return {
    decision,
    gate: worstGate(out.map((s) => s.gate)),
    reasons: out.filter((s) => s.result !== 'ok').map((s) => s.reason),
    slos: out,
  };
}

// ---------------------------------------------------------------------------------------------
// Budget consumed by the run (SPEC 5: `budget.maxConsumed` fail, `budget.warnConsumed` warn)

export interface BudgetSlo {
  name: string;
  result: 'pass' | 'warn' | 'fail' | 'no-data';
  consumed: BudgetFigure;
  /** The limit the result was judged against (`maxConsumed` for fail, `warnConsumed` for warn). */
  limit?: number;
  /** How this SLO counts towards the suite's gate (no data: see the module comment). */
  gate: GateResult;
  reason: string;
}

export interface BudgetGateResult {
  worst: GateResult;
  slos: BudgetSlo[];
  /** The largest consumed share (`no-errors-allowed` beats any value; no-data only when all are). */
  worstConsumed?: BudgetFigure;
}

/** Each SLO's consumed share against the limits; a share equal to a limit is within it. */
export function budgetGate(
  perSlo: readonly { slo: SloRef; consumed: BudgetFigure }[],
  gates: Pick<Gates, 'budget'>,
): BudgetGateResult {
  const { maxConsumed: max, warnConsumed: warn } = gates.budget;
  const slos = perSlo.map(({ slo, consumed }): BudgetSlo => {
    if (consumed.kind === 'no-data') {
      const { gate, note } = noDataGate(slo, max !== undefined || warn !== undefined);
      return {
        name: slo.name,
        result: 'no-data',
        consumed,
        gate,
        reason: `${slo.name}: no data (${consumed.reason}): ${note}`,
      };
    }
    const what =
      consumed.kind === 'value'
        ? `consumed ${pct(consumed.value)} of the error budget`
        : `${consumed.reason}: the consumed share is unbounded`;
    const over = (limit: number | undefined): limit is number =>
      limit !== undefined && (consumed.kind === 'no-errors-allowed' || consumed.value > limit);
    if (over(max))
      return judged(slo, consumed, 'fail', max, `${what}, above the maximum ${pct(max)}`);
    if (over(warn))
      return judged(slo, consumed, 'warn', warn, `${what}, above the warning level ${pct(warn)}`);
    const limit = max ?? warn;
    const within =
      limit === undefined
        ? ' (no limit set)'
        : `, within the ${max !== undefined ? 'maximum' : 'warning level'} ${pct(limit)}`;
    return judged(slo, consumed, 'pass', limit, `${what}${within}`);
  });
  const worstConsumed = worstFigure(slos.map((s) => s.consumed));
  return {
    worst: worstGate(slos.map((s) => s.gate)),
    slos,
    ...(worstConsumed ? { worstConsumed } : {}),
  };
}

function judged(
  slo: SloRef,
  consumed: BudgetFigure,
  result: GateResult,
  limit: number | undefined,
  text: string,
): BudgetSlo {
  return {
    name: slo.name,
    result,
    consumed,
    ...(limit !== undefined ? { limit } : {}),
    gate: result,
    reason: `${slo.name}: ${text}`,
  };
}

const FIGURE_RANK: Record<BudgetFigure['kind'], number> = {
  'no-data': 0,
  value: 1,
  'no-errors-allowed': 2,
};

/** The largest figure: `no-errors-allowed`, else the largest value, else the first no-data. */
export function worstFigure(figures: readonly BudgetFigure[]): BudgetFigure | undefined {
  let worst: BudgetFigure | undefined;
  for (const f of figures) {
    if (
      !worst ||
      FIGURE_RANK[f.kind] > FIGURE_RANK[worst.kind] ||
      (f.kind === 'value' && worst.kind === 'value' && f.value > worst.value)
    )
      worst = f;
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Burn rate during an experiment (SPEC 1.4, 5: `budget.maxBurnRate`)

export interface BurnRateCheck {
  breach: boolean;
  burn: BudgetFigure;
  limit?: number;
  reason: string;
}

/** One burn-rate sample against `maxBurnRate`: above it is a breach, exactly at it is not. */
export function burnRateBreach(
  burn: BudgetFigure,
  gates: Pick<Gates, 'budget'>,
  slo: SloRef,
): BurnRateCheck {
  const limit = gates.budget.maxBurnRate;
  const withLimit = limit !== undefined ? { limit } : {};
  if (burn.kind === 'no-data') {
    const { gate, note } = noDataGate(slo, limit !== undefined);
    return {
      breach: gate === 'fail',
      burn,
      ...withLimit,
      reason: `${slo.name}: no burn-rate data (${burn.reason}): ${note}`,
    };
  }
  const what =
    burn.kind === 'value'
      ? `burning the error budget at ${formatFigure(burn.value)}x`
      : `${burn.reason}: the burn rate is unbounded`;
  if (limit === undefined)
    return { breach: false, burn, reason: `${slo.name}: ${what} (no maxBurnRate set)` };
  const breach = burn.kind === 'no-errors-allowed' || burn.value > limit;
  return {
    breach,
    burn,
    limit,
    reason: `${slo.name}: ${what}, ${breach ? 'above' : 'within'} the maximum ${formatFigure(limit)}x`,
  };
}

// ---------------------------------------------------------------------------------------------
// The suite's gate result (SPEC 6, `suiteVerdict(..., { gate })`)

/** Worst of the preflight, the budget gate and any burn-rate breach (a breach is `fail`). */
export function suiteGate(parts: {
  preflight?: Pick<PreflightResult, 'gate'>;
  budget?: Pick<BudgetGateResult, 'worst'>;
  burnRate?: readonly Pick<BurnRateCheck, 'breach'>[];
}): GateResult {
  return worstGate([
    parts.preflight?.gate ?? 'pass',
    parts.budget?.worst ?? 'pass',
    (parts.burnRate ?? []).some((b) => b.breach) ? 'fail' : 'pass',
  ]);
}
