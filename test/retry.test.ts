/** Retries for calls to services we do not own: backoff, Retry-After, messages, cancellation. */
import {
  retryAfterMs,
  sleep,
  withRetry,
  type RetryDecision,
  type RetryPolicy,
} from '../src/retry.js';

const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter?: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Retries 429 and 5xx (honouring Retry-After), nothing else. */
function classify(err: unknown): RetryDecision {
  if (err instanceof HttpError && (err.status === 429 || err.status >= 500)) {
    const after = retryAfterMs(err.retryAfter);
    return {
      retry: true,
      reason: `HTTP ${err.status}`,
      ...(after !== undefined ? { afterMs: after } : {}),
    };
  }
  return { retry: false, reason: String(err) };
}

/** A call that fails with `errors` in turn, then answers `value`. */
function flaky<T>(
  errors: unknown[],
  value: T,
): { fn: (attempt: number) => Promise<T>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    fn: async (attempt) => {
      calls.push(attempt);
      const e = errors[calls.length - 1];
      if (e !== undefined) throw e;
      return value;
    },
  };
}

describe('withRetry', () => {
  test('retries then succeeds; each retry message names the attempt and the reason', async () => {
    const messages: string[] = [];
    const { fn, calls } = flaky([new HttpError(503), new HttpError(429)], 'ok');
    const got = await withRetry('get ChaosEngine shop/x', fn, classify, {
      policy: FAST,
      onRetry: (m) => messages.push(m),
    });
    expect(got).toBe('ok');
    expect(calls).toEqual([1, 2, 3]);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('get ChaosEngine shop/x');
    expect(messages[0]).toContain('attempt 1 of 3');
    expect(messages[0]).toContain('HTTP 503');
    expect(messages[1]).toContain('attempt 2 of 3');
    expect(messages[1]).toContain('HTTP 429');
  });

  test('gives up after the last attempt with the last error', async () => {
    const messages: string[] = [];
    const last = new HttpError(502);
    const { fn, calls } = flaky([new HttpError(500), new HttpError(503), last], 'never');
    await expect(
      withRetry('list', fn, classify, { policy: FAST, onRetry: (m) => messages.push(m) }),
    ).rejects.toBe(last);
    expect(calls).toEqual([1, 2, 3]);
    expect(messages).toHaveLength(2);
  });

  test('a non-retryable error is thrown at once', async () => {
    const messages: string[] = [];
    const forbidden = new HttpError(403);
    const { fn, calls } = flaky([forbidden], 'never');
    await expect(
      withRetry('create', fn, classify, { policy: FAST, onRetry: (m) => messages.push(m) }),
    ).rejects.toBe(forbidden);
    expect(calls).toEqual([1]);
    expect(messages).toEqual([]);
  });

  test('backoff doubles up to the maximum (shown in the messages)', async () => {
    const messages: string[] = [];
    const { fn } = flaky(
      [new HttpError(500), new HttpError(500), new HttpError(500), new HttpError(500)],
      1,
    );
    await withRetry('x', fn, classify, {
      policy: { attempts: 5, baseDelayMs: 2, maxDelayMs: 5 },
      random: () => 1,
      onRetry: (m) => messages.push(m),
    });
    expect(messages.map((m) => /retrying in (\d+) ms/.exec(m)?.[1])).toEqual(['2', '4', '5', '5']);
  });

  test('Retry-After in seconds is honoured: it waited at least that long', async () => {
    const messages: string[] = [];
    const { fn, calls } = flaky([new HttpError(429, '0.06')], 'ok');
    const t0 = performance.now();
    await withRetry('x', fn, classify, {
      policy: FAST,
      random: () => 0,
      onRetry: (m) => messages.push(m),
    });
    expect(calls).toEqual([1, 2]);
    expect(messages[0]).toContain('retrying in 60 ms');
    // timers may fire up to 1 ms early
    expect(performance.now() - t0).toBeGreaterThanOrEqual(58);
  });

  test('Retry-After as an HTTP date is honoured: it waited until then', async () => {
    const messages: string[] = [];
    // HTTP dates have whole seconds: the next whole second is at most 1 s away.
    const at = new Date(Math.ceil((Date.now() + 50) / 1000) * 1000);
    const { fn, calls } = flaky([new HttpError(503, at.toUTCString())], 'ok');
    await withRetry('x', fn, classify, {
      policy: FAST,
      random: () => 0,
      onRetry: (m) => messages.push(m),
    });
    expect(calls).toEqual([1, 2]);
    expect(messages[0]).toMatch(/retrying in \d+ ms/);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 1);
  });

  test('abort while waiting: rejects with the signal reason, no further attempt', async () => {
    const ctrl = new AbortController();
    const calls: number[] = [];
    const reason = new Error('run cancelled');
    const p = withRetry(
      'x',
      async (attempt) => {
        calls.push(attempt);
        throw new HttpError(503);
      },
      classify,
      {
        policy: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
        signal: ctrl.signal,
        onRetry: () => ctrl.abort(reason),
      },
    );
    await expect(p).rejects.toBe(reason);
    expect(calls).toEqual([1]);
  });

  test('an already aborted signal: the failure is not retried', async () => {
    const ctrl = new AbortController();
    ctrl.abort(new Error('deadline'));
    const err = new HttpError(503);
    const { fn, calls } = flaky([err, err], 'ok');
    await expect(withRetry('x', fn, classify, { policy: FAST, signal: ctrl.signal })).rejects.toBe(
      err,
    );
    expect(calls).toEqual([1]);
  });
});

describe('sleep', () => {
  test('resolves after the delay', async () => {
    const t0 = performance.now();
    await sleep(20);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(18);
  });

  test('rejects with the reason when aborted, also when aborted before', async () => {
    const ctrl = new AbortController();
    const p = sleep(60_000, ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await expect(sleep(60_000, ctrl.signal)).rejects.toThrow('stop');
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  test.each<[string | undefined, number | undefined]>([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1500],
    [' 3 ', 3000],
    ['Wed, 21 Oct 2015 07:28:02 GMT', 2000],
    ['Wed, 21 Oct 2015 07:29:00 GMT', 60_000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %s', (value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });
});
