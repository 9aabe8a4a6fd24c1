/** Gate decisions (SPEC sections 1.3, 1.4, 5, 6). */
import { burnRate, type BudgetFigure } from '../src/gates/budget.js';
import {
  budgetGate,
  burnRateBreach,
  preflightGate,
  suiteGate,
  worstFigure,
  worstGate,
  type GateResult,
  type SloRef,
} from '../src/gates/evaluate.js';
import type { Gates } from '../src/suite/model.js';

const avail: SloRef = { name: 'avail', onNoData: 'fail' };
const latency: SloRef = { name: 'latency', onNoData: 'ignore' };
const value = (v: number): BudgetFigure => ({ kind: 'value', value: v });
const NO_DATA: BudgetFigure = { kind: 'no-data', reason: 'the error-ratio query returned no data' };
const NO_ERRORS: BudgetFigure = {
  kind: 'no-errors-allowed',
  reason: 'objective 100% allows no errors, and 0.01% of requests failed',
};

const preflight = (
  minBudgetRemaining: number | undefined,
  onLowBudget: Gates['preflight']['onLowBudget'] = 'skip',
): Pick<Gates, 'preflight'> => ({
  preflight: { ...(minBudgetRemaining !== undefined ? { minBudgetRemaining } : {}), onLowBudget },
});

describe('preflightGate', () => {
  test.each<[string, Pick<Gates, 'preflight'>, BudgetFigure, SloRef, string, GateResult, string]>([
    [
      'budget above the minimum',
      preflight(25),
      value(80),
      avail,
      'run',
      'pass',
      'avail: 80% of the error budget remains (minimum 25%)',
    ],
    [
      'budget exactly at the minimum runs',
      preflight(25),
      value(25),
      avail,
      'run',
      'pass',
      'avail: 25% of the error budget remains (minimum 25%)',
    ],
    [
      'no minimum: any budget runs',
      preflight(undefined),
      value(-50),
      avail,
      'run',
      'pass',
      'avail: -50% of the error budget remains (already overspent)',
    ],
    [
      'low budget, onLowBudget skip',
      preflight(25, 'skip'),
      value(12.5),
      avail,
      'skip',
      'warn',
      'avail: 12.5% of the error budget remains, below the minimum 25%: chaos skipped (onLowBudget: skip)',
    ],
    [
      'low budget, onLowBudget fail',
      preflight(25, 'fail'),
      value(12.5),
      avail,
      'fail',
      'fail',
      'avail: 12.5% of the error budget remains, below the minimum 25%: the run fails (onLowBudget: fail)',
    ],
    [
      'low budget, onLowBudget run: reported, runs',
      preflight(25, 'run'),
      value(12.5),
      avail,
      'run',
      'warn',
      'avail: 12.5% of the error budget remains, below the minimum 25%: running anyway (onLowBudget: run)',
    ],
    [
      'budget already negative',
      preflight(0, 'skip'),
      value(-20),
      avail,
      'skip',
      'warn',
      'avail: -20% of the error budget remains (already overspent), below the minimum 0%: chaos skipped (onLowBudget: skip)',
    ],
    [
      'objective 100 with errors is below any minimum',
      preflight(0, 'fail'),
      NO_ERRORS,
      avail,
      'fail',
      'fail',
      'avail: objective 100% allows no errors, and 0.01% of requests failed: no budget remains, below the minimum 0%: the run fails (onLowBudget: fail)',
    ],
    [
      'no data fails (onNoData fail)',
      preflight(25, 'skip'),
      NO_DATA,
      avail,
      'fail',
      'fail',
      'avail: no data (the error-ratio query returned no data): fails the gate (set onNoData: ignore to allow it)',
    ],
    [
      'no data fails even with onLowBudget run',
      preflight(25, 'run'),
      NO_DATA,
      avail,
      'fail',
      'fail',
      'avail: no data (the error-ratio query returned no data): fails the gate (set onNoData: ignore to allow it)',
    ],
    [
      'no data ignored (onNoData ignore)',
      preflight(25, 'skip'),
      NO_DATA,
      latency,
      'run',
      'pass',
      'latency: no data (the error-ratio query returned no data): ignored (onNoData: ignore)',
    ],
    [
      'no data without a minimum: reported only',
      preflight(undefined),
      NO_DATA,
      avail,
      'run',
      'pass',
      'avail: no data (the error-ratio query returned no data): reported only: no gate is set',
    ],
  ])('%s', (_, gates, remaining, slo, decision, gate, reason) => {
    const r = preflightGate([{ slo, remaining }], gates);
    expect(r.decision).toBe(decision);
    expect(r.gate).toBe(gate);
    expect(r.slos).toHaveLength(1);
    expect(r.slos[0]!.reason).toBe(reason);
    expect(r.reasons).toEqual(r.slos[0]!.result === 'ok' ? [] : [reason]);
  });

  test('fail beats skip beats run, and every SLO is reported', () => {
    const gates = preflight(25, 'skip');
    const ok = { slo: { name: 'ok', onNoData: 'fail' as const }, remaining: value(90) };
    const low = { slo: { name: 'low', onNoData: 'fail' as const }, remaining: value(10) };
    const none = { slo: avail, remaining: NO_DATA };
    expect(preflightGate([ok, low], gates)).toMatchObject({ decision: 'skip', gate: 'warn' });
    const r = preflightGate([ok, low, none], gates);
    expect(r.decision).toBe('fail');
    expect(r.gate).toBe('fail');
    expect(r.slos.map((s) => [s.name, s.result, s.gate])).toEqual([
      ['ok', 'ok', 'pass'],
      ['low', 'low', 'warn'],
      ['avail', 'no-data', 'fail'],
    ]);
    expect(r.reasons).toHaveLength(2);
    expect(r.slos[0]!.minimum).toBe(25);
  });

  test('no SLOs: run', () => {
    expect(preflightGate([], preflight(25))).toEqual({
      decision: 'run',
      gate: 'pass',
      reasons: [],
      slos: [],
    });
  });
});

const budget = (b: Gates['budget']): Pick<Gates, 'budget'> => ({ budget: b });
const LIMITS = budget({ maxConsumed: 5, warnConsumed: 2 });

describe('budgetGate', () => {
  test.each<
    [
      string,
      Pick<Gates, 'budget'>,
      BudgetFigure,
      SloRef,
      string,
      GateResult,
      number | undefined,
      string,
    ]
  >([
    [
      'well within',
      LIMITS,
      value(1.5),
      avail,
      'pass',
      'pass',
      5,
      'avail: consumed 1.5% of the error budget, within the maximum 5%',
    ],
    [
      'exactly at warnConsumed passes',
      LIMITS,
      value(2),
      avail,
      'pass',
      'pass',
      5,
      'avail: consumed 2% of the error budget, within the maximum 5%',
    ],
    [
      'just above warnConsumed warns',
      LIMITS,
      value(2.01),
      avail,
      'warn',
      'warn',
      2,
      'avail: consumed 2.01% of the error budget, above the warning level 2%',
    ],
    [
      'exactly at maxConsumed warns (above warn, not above max)',
      LIMITS,
      value(5),
      avail,
      'warn',
      'warn',
      2,
      'avail: consumed 5% of the error budget, above the warning level 2%',
    ],
    [
      'exactly at maxConsumed without warnConsumed passes',
      budget({ maxConsumed: 5 }),
      value(5),
      avail,
      'pass',
      'pass',
      5,
      'avail: consumed 5% of the error budget, within the maximum 5%',
    ],
    [
      'above maxConsumed fails',
      LIMITS,
      value(5.5),
      avail,
      'fail',
      'fail',
      5,
      'avail: consumed 5.5% of the error budget, above the maximum 5%',
    ],
    [
      'window shorter than the run: 200% fails',
      LIMITS,
      value(200),
      avail,
      'fail',
      'fail',
      5,
      'avail: consumed 200% of the error budget, above the maximum 5%',
    ],
    [
      'only warnConsumed, within',
      budget({ warnConsumed: 2 }),
      value(1),
      avail,
      'pass',
      'pass',
      2,
      'avail: consumed 1% of the error budget, within the warning level 2%',
    ],
    [
      'no limits: reported',
      budget({}),
      value(7),
      avail,
      'pass',
      'pass',
      undefined,
      'avail: consumed 7% of the error budget (no limit set)',
    ],
    [
      'objective 100 with errors fails',
      LIMITS,
      NO_ERRORS,
      avail,
      'fail',
      'fail',
      5,
      'avail: objective 100% allows no errors, and 0.01% of requests failed: the consumed share is unbounded, above the maximum 5%',
    ],
    [
      'objective 100 with errors, only warn',
      budget({ warnConsumed: 2 }),
      NO_ERRORS,
      avail,
      'warn',
      'warn',
      2,
      'avail: objective 100% allows no errors, and 0.01% of requests failed: the consumed share is unbounded, above the warning level 2%',
    ],
    [
      'no data fails (onNoData fail)',
      LIMITS,
      NO_DATA,
      avail,
      'no-data',
      'fail',
      undefined,
      'avail: no data (the error-ratio query returned no data): fails the gate (set onNoData: ignore to allow it)',
    ],
    [
      'no data ignored (onNoData ignore)',
      LIMITS,
      NO_DATA,
      latency,
      'no-data',
      'pass',
      undefined,
      'latency: no data (the error-ratio query returned no data): ignored (onNoData: ignore)',
    ],
    [
      'no data without limits',
      budget({ maxBurnRate: 10 }),
      NO_DATA,
      avail,
      'no-data',
      'pass',
      undefined,
      'avail: no data (the error-ratio query returned no data): reported only: no gate is set',
    ],
  ])('%s', (_, gates, consumed, slo, result, gate, limit, reason) => {
    const r = budgetGate([{ slo, consumed }], gates);
    expect(r.slos).toEqual([
      { name: slo.name, result, consumed, ...(limit !== undefined ? { limit } : {}), gate, reason },
    ]);
    expect(r.worst).toBe(gate);
    expect(r.worstConsumed).toEqual(consumed);
  });

  test('worst of several SLOs, and the worst consumed share', () => {
    const r = budgetGate(
      [
        { slo: { name: 'a', onNoData: 'fail' }, consumed: value(1) },
        { slo: { name: 'b', onNoData: 'fail' }, consumed: value(3) },
        { slo: latency, consumed: NO_DATA },
      ],
      LIMITS,
    );
    expect(r.slos.map((s) => s.result)).toEqual(['pass', 'warn', 'no-data']);
    expect(r.worst).toBe('warn');
    expect(r.worstConsumed).toEqual(value(3));
  });

  test('no SLOs', () => {
    expect(budgetGate([], LIMITS)).toEqual({ worst: 'pass', slos: [] });
  });
});

describe('worstFigure', () => {
  test.each<[string, BudgetFigure[], BudgetFigure | undefined]>([
    ['none', [], undefined],
    ['largest value', [value(1), value(-3), value(2.5)], value(2.5)],
    ['a value beats no data', [NO_DATA, value(0)], value(0)],
    ['no errors allowed beats any value', [value(900), NO_ERRORS, value(1)], NO_ERRORS],
    ['only no data', [NO_DATA], NO_DATA],
  ])('%s', (_, figures, expected) => {
    expect(worstFigure(figures)).toEqual(expected);
  });
});

describe('burnRateBreach', () => {
  const gates = budget({ maxBurnRate: 14.4 });
  test.each<[string, Pick<Gates, 'budget'>, BudgetFigure, SloRef, boolean, string]>([
    [
      'below the limit',
      gates,
      value(2),
      avail,
      false,
      'avail: burning the error budget at 2x, within the maximum 14.4x',
    ],
    [
      'exactly at the limit is not a breach',
      gates,
      value(14.4),
      avail,
      false,
      'avail: burning the error budget at 14.4x, within the maximum 14.4x',
    ],
    [
      'above the limit is a breach',
      gates,
      value(14.41),
      avail,
      true,
      'avail: burning the error budget at 14.41x, above the maximum 14.4x',
    ],
    [
      'objective 100 with errors is a breach',
      gates,
      NO_ERRORS,
      avail,
      true,
      'avail: objective 100% allows no errors, and 0.01% of requests failed: the burn rate is unbounded, above the maximum 14.4x',
    ],
    [
      'no data is a breach (onNoData fail)',
      gates,
      NO_DATA,
      avail,
      true,
      'avail: no burn-rate data (the error-ratio query returned no data): fails the gate (set onNoData: ignore to allow it)',
    ],
    [
      'no data ignored (onNoData ignore)',
      gates,
      NO_DATA,
      latency,
      false,
      'latency: no burn-rate data (the error-ratio query returned no data): ignored (onNoData: ignore)',
    ],
    [
      'no maxBurnRate: never a breach',
      budget({ maxConsumed: 5 }),
      value(1000),
      avail,
      false,
      'avail: burning the error budget at 1000x (no maxBurnRate set)',
    ],
    [
      'no maxBurnRate, no data: reported only',
      budget({}),
      NO_DATA,
      avail,
      false,
      'avail: no burn-rate data (the error-ratio query returned no data): reported only: no gate is set',
    ],
  ])('%s', (_, g, burn, slo, breach, reason) => {
    const r = burnRateBreach(burn, g, slo);
    expect(r).toEqual({
      breach,
      burn,
      ...(g.budget.maxBurnRate !== undefined ? { limit: g.budget.maxBurnRate } : {}),
      reason,
    });
  });

  test('a burn computed at exactly the limit (0.0144 at 99.9) is not a breach', () => {
    const burn = burnRate({ objective: 99.9, errorRatioLastMinute: 0.0144 });
    expect(burnRateBreach(burn, gates, avail).breach).toBe(false);
    const over = burnRate({ objective: 99.9, errorRatioLastMinute: 0.01441 });
    expect(burnRateBreach(over, gates, avail).breach).toBe(true);
  });
});

describe('worstGate and suiteGate', () => {
  test.each<[GateResult[], GateResult]>([
    [[], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'warn'], 'warn'],
    [['warn', 'fail', 'pass'], 'fail'],
  ])('worstGate(%p) = %p', (results, worst) => {
    expect(worstGate(results)).toBe(worst);
  });

  test.each<[string, Parameters<typeof suiteGate>[0], GateResult]>([
    ['nothing evaluated', {}, 'pass'],
    [
      'all pass',
      { preflight: { gate: 'pass' }, budget: { worst: 'pass' }, burnRate: [{ breach: false }] },
      'pass',
    ],
    [
      'preflight ran on a low budget',
      { preflight: { gate: 'warn' }, budget: { worst: 'pass' } },
      'warn',
    ],
    ['budget at warn', { preflight: { gate: 'pass' }, budget: { worst: 'warn' } }, 'warn'],
    ['budget failed', { preflight: { gate: 'warn' }, budget: { worst: 'fail' } }, 'fail'],
    [
      'a burn-rate breach fails',
      { budget: { worst: 'pass' }, burnRate: [{ breach: false }, { breach: true }] },
      'fail',
    ],
    ['preflight failed', { preflight: { gate: 'fail' } }, 'fail'],
  ])('%s', (_, parts, gate) => {
    expect(suiteGate(parts)).toBe(gate);
  });
});
