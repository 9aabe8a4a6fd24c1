/**
 * Error-budget arithmetic of SPEC section 5 (pure). For an SLO with objective `O` percent over a
 * window `W`, the allowed error ratio is `e = 1 - O/100`, and:
 * - remaining budget before the run: `1 - errorRatio(W) / e`, in percent (can be negative);
 * - consumed by the run: `errorRatio(run) * duration(run) / (e * W)`, in percent of the budget;
 * - burn rate: `errorRatio(last 1m) / e`.
 *
 * Every figure is a {@link BudgetFigure}, never NaN or Infinity:
 * - **No data.** An error ratio that is `undefined` (the query returned nothing), NaN (Prometheus'
 *   `0/0`: no traffic in the range), infinite (errors but no requests: a broken query) or
 *   negative is `no-data` with the reason. Zero traffic is therefore no data, not a ratio of 0.
 * - **Objective 100.** `e = 0`: the SLO allows no errors at all. With an error ratio of 0 the
 *   figures are the ordinary ones (100% remaining, 0% consumed, burn rate 0); with any error
 *   the division has no finite answer, and the figure is `no-errors-allowed` with a reason
 *   ("objective 100% allows no errors"). The gates treat it as beyond every limit, so it is a
 *   loud breach rather than a capped number. (The suite schema refuses objective 100; this is
 *   for callers that build SLOs themselves.)
 * - **Rounding.** `e` and every result are rounded to 12 significant digits, so objective 99.9
 *   gives `e = 0.001` exactly and a burn of `0.0144 / 0.001` is 14.4, not 14.399999999999999:
 *   a figure exactly at a gate's limit compares as equal. Twelve digits are far beyond what
 *   any Prometheus measurement means.
 * - **No caps.** A window shorter than the run gives a consumed share above 100% (the run spent
 *   more than one window's budget); an overspent budget gives a negative remaining share.
 *
 * Arguments outside their domain (objective outside 0-100, a negative run, a window that is not
 * positive) are programming errors: the loader refuses such suites, so these throw RangeError.
 */

export type BudgetFigure =
  | { kind: 'value'; value: number }
  | { kind: 'no-data'; reason: string }
  | { kind: 'no-errors-allowed'; reason: string };

const SIGNIFICANT_DIGITS = 12;

/** `x` rounded to 12 significant digits (see the module comment); 0 stays 0. */
export function tidy(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(SIGNIFICANT_DIGITS));
}

/** A figure for people: at most two decimals (`12.35`, `-20`, `14.4`), two significant digits below 0.01. */
export function formatFigure(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 0.01) return String(Number(x.toPrecision(2)));
  return String(Number(x.toFixed(2)));
}

/** `e = 1 - O/100` (SPEC section 5), rounded to 12 significant digits. */
export function allowedErrorRatio(objectivePercent: number): number {
  if (!Number.isFinite(objectivePercent) || objectivePercent < 0 || objectivePercent > 100)
    throw new RangeError(`objective must be a percentage from 0 to 100, got ${objectivePercent}`);
  return tidy((100 - objectivePercent) / 100);
}

type Ratio = { ok: true; ratio: number } | { ok: false; figure: BudgetFigure };

/** An error ratio from Prometheus, or why it is no data. */
function readRatio(ratio: number | undefined): Ratio {
  const noData = (reason: string): Ratio => ({ ok: false, figure: { kind: 'no-data', reason } });
  if (ratio === undefined) return noData('the error-ratio query returned no data');
  if (Number.isNaN(ratio))
    return noData('the error-ratio query returned NaN (no requests in the range)');
  if (!Number.isFinite(ratio))
    return noData(`the error-ratio query returned ${ratio} (errors without requests: check it)`);
  if (ratio < 0) return noData(`the error-ratio query returned ${ratio}, below 0: check it`);
  return { ok: true, ratio };
}

function noErrorsAllowed(ratio: number): BudgetFigure {
  return {
    kind: 'no-errors-allowed',
    reason: `objective 100% allows no errors, and ${formatFigure(tidy(ratio * 100))}% of requests failed`,
  };
}

const value = (x: number): BudgetFigure => ({ kind: 'value', value: tidy(x) });

/** Remaining budget before the run, percent: `100 * (1 - errorRatio(W) / e)`; negative when overspent. */
export function remainingBudget(input: {
  objective: number;
  errorRatioOverWindow: number | undefined;
}): BudgetFigure {
  const e = allowedErrorRatio(input.objective);
  const r = readRatio(input.errorRatioOverWindow);
  if (!r.ok) return r.figure;
  if (r.ratio === 0) return value(100);
  if (e === 0) return noErrorsAllowed(r.ratio);
  return value(100 * (1 - r.ratio / e));
}

/**
 * Budget consumed by the run, percent of the whole window's budget:
 * `100 * errorRatio(run) * duration(run) / (e * W)`. Not capped: a run longer than the window
 * at the allowed ratio consumes more than 100%.
 */
export function consumedBudget(input: {
  objective: number;
  errorRatioDuringRun: number | undefined;
  runMs: number;
  windowMs: number;
}): BudgetFigure {
  const e = allowedErrorRatio(input.objective);
  if (!Number.isFinite(input.runMs) || input.runMs < 0)
    throw new RangeError(`run duration must be 0 ms or more, got ${input.runMs}`);
  if (!Number.isFinite(input.windowMs) || input.windowMs <= 0)
    throw new RangeError(`SLO window must be positive, got ${input.windowMs} ms`);
  const r = readRatio(input.errorRatioDuringRun);
  if (!r.ok) return r.figure;
  if (r.ratio === 0 || input.runMs === 0) return value(0);
  if (e === 0) return noErrorsAllowed(r.ratio);
  return value((100 * r.ratio * input.runMs) / (e * input.windowMs));
}

/** Burn rate over the last minute: `errorRatio(1m) / e` (1 = spending the budget exactly over W). */
export function burnRate(input: {
  objective: number;
  errorRatioLastMinute: number | undefined;
}): BudgetFigure {
  const e = allowedErrorRatio(input.objective);
  const r = readRatio(input.errorRatioLastMinute);
  if (!r.ok) return r.figure;
  if (r.ratio === 0) return value(0);
  if (e === 0) return noErrorsAllowed(r.ratio);
  return value(r.ratio / e);
}
