/** Error-budget arithmetic (SPEC section 5). */
import {
  allowedErrorRatio,
  burnRate,
  consumedBudget,
  formatFigure,
  remainingBudget,
  tidy,
  type BudgetFigure,
} from '../src/gates/budget.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const value = (v: number): BudgetFigure => ({ kind: 'value', value: v });
const noData = (reason: string): BudgetFigure => ({ kind: 'no-data', reason });

describe('allowedErrorRatio: e = 1 - O/100', () => {
  test.each<[number, number]>([
    [99.9, 0.001],
    [99.95, 0.0005],
    [99.999, 0.00001],
    [95, 0.05],
    [0, 1],
    [100, 0],
  ])('objective %p -> %p (exactly: 12 significant digits remove subtraction noise)', (o, e) => {
    expect(allowedErrorRatio(o)).toBe(e);
  });

  test.each([101, -1, Number.NaN, Infinity])('objective %p is refused', (o) => {
    expect(() => allowedErrorRatio(o)).toThrow(RangeError);
  });
});

describe('remainingBudget: 100 * (1 - errorRatio(W) / e)', () => {
  test.each<[string, number, number | undefined, BudgetFigure]>([
    ['a quarter spent', 99.9, 0.00025, value(75)],
    ['nothing spent', 99.9, 0, value(100)],
    ['exactly spent', 99.9, 0.001, value(0)],
    ['budget already negative', 99.9, 0.0012, value(-20)],
    ['three times over', 99.9, 0.003, value(-200)],
    ['objective 99.999, half spent', 99.999, 0.000005, value(50)],
    ['objective 99.999, a quarter spent', 99.999, 0.0000025, value(75)],
    ['objective 100 without errors', 100, 0, value(100)],
    [
      'objective 100 with errors',
      100,
      0.0001,
      {
        kind: 'no-errors-allowed',
        reason: 'objective 100% allows no errors, and 0.01% of requests failed',
      },
    ],
    ['no data (empty vector)', 99.9, undefined, noData('the error-ratio query returned no data')],
    [
      'zero traffic (0/0 is NaN)',
      99.9,
      Number.NaN,
      noData('the error-ratio query returned NaN (no requests in the range)'),
    ],
    [
      'zero traffic at objective 100',
      100,
      Number.NaN,
      noData('the error-ratio query returned NaN (no requests in the range)'),
    ],
    [
      'errors without requests',
      99.9,
      Infinity,
      noData('the error-ratio query returned Infinity (errors without requests: check it)'),
    ],
    [
      'a negative ratio',
      99.9,
      -0.1,
      noData('the error-ratio query returned -0.1, below 0: check it'),
    ],
  ])('%s', (_, objective, errorRatioOverWindow, expected) => {
    expect(remainingBudget({ objective, errorRatioOverWindow })).toEqual(expected);
  });
});

describe('consumedBudget: 100 * errorRatio(run) * duration(run) / (e * W)', () => {
  test.each<[string, number, number | undefined, number, number, BudgetFigure]>([
    // 100 * 0.01 * 864,000 / (0.001 * 86,400,000) = 864,000 / 86,400
    ['1% errors for 14.4 min of a 1d window at 99.9', 99.9, 0.01, 864_000, DAY, value(10)],
    // 100 * 0.01 * 2h / (0.01 * 1h): two windows' worth of budget
    ['window shorter than the run', 99, 0.01, 2 * HOUR, HOUR, value(200)],
    ['run as long as the window at the allowed ratio', 99, 0.01, HOUR, HOUR, value(100)],
    // 25/36 = 0.69444... is not representable: the figure is it to 12 significant digits
    ['objective 99.999', 99.999, 0.0001, 30 * 60_000, 30 * DAY, value(0.694444444444)],
    ['no errors', 99.9, 0, HOUR, DAY, value(0)],
    ['a run of 0 ms', 99.9, 0.5, 0, DAY, value(0)],
    ['objective 100 without errors', 100, 0, HOUR, DAY, value(0)],
    ['objective 100, errors but a run of 0 ms', 100, 0.5, 0, DAY, value(0)],
    [
      'objective 100 with errors',
      100,
      0.005,
      HOUR,
      DAY,
      {
        kind: 'no-errors-allowed',
        reason: 'objective 100% allows no errors, and 0.5% of requests failed',
      },
    ],
    ['no data', 99.9, undefined, HOUR, DAY, noData('the error-ratio query returned no data')],
    [
      'zero traffic during the run',
      99.9,
      Number.NaN,
      HOUR,
      DAY,
      noData('the error-ratio query returned NaN (no requests in the range)'),
    ],
  ])('%s', (_, objective, errorRatioDuringRun, runMs, windowMs, expected) => {
    expect(consumedBudget({ objective, errorRatioDuringRun, runMs, windowMs })).toEqual(expected);
  });

  test.each<[string, number, number]>([
    ['a negative run', -1, DAY],
    ['a window of 0', HOUR, 0],
    ['a NaN window', HOUR, Number.NaN],
  ])('%s is refused', (_, runMs, windowMs) => {
    expect(() =>
      consumedBudget({ objective: 99.9, errorRatioDuringRun: 0.01, runMs, windowMs }),
    ).toThrow(RangeError);
  });
});

describe('burnRate: errorRatio(1m) / e', () => {
  test.each<[string, number, number | undefined, BudgetFigure]>([
    ['14.4x at 99.9 (exactly, not 14.399999999999999)', 99.9, 0.0144, value(14.4)],
    ['1x: spending the budget exactly over the window', 99.9, 0.001, value(1)],
    ['objective 99.999', 99.999, 0.000144, value(14.4)],
    ['objective 99.999, every request failing', 99.999, 1, value(100_000)],
    ['no errors', 99.9, 0, value(0)],
    ['objective 100 without errors', 100, 0, value(0)],
    [
      'objective 100 with one error in a million',
      100,
      0.000001,
      {
        kind: 'no-errors-allowed',
        reason: 'objective 100% allows no errors, and 0.0001% of requests failed',
      },
    ],
    [
      'zero traffic in the last minute',
      99.9,
      Number.NaN,
      noData('the error-ratio query returned NaN (no requests in the range)'),
    ],
    ['no data', 99.9, undefined, noData('the error-ratio query returned no data')],
  ])('%s', (_, objective, errorRatioLastMinute, expected) => {
    expect(burnRate({ objective, errorRatioLastMinute })).toEqual(expected);
  });
});

describe('tidy and formatFigure', () => {
  test.each<[number, number]>([
    [0.0144 / 0.001, 14.4],
    [100 * (1 - 0.000999 / 0.001), 0.1],
    [0, 0],
    [-20.000000000000004, -20],
  ])('tidy(%p) = %p', (x, y) => {
    expect(tidy(x)).toBe(y);
  });

  test.each<[number, string]>([
    [0, '0'],
    [5, '5'],
    [14.4, '14.4'],
    [12.345, '12.35'],
    [-20, '-20'],
    [0.0042, '0.0042'],
    [0.694444444444, '0.69'],
    [100_000, '100000'],
  ])('formatFigure(%p) = %p', (x, s) => {
    expect(formatFigure(x)).toBe(s);
  });
});
