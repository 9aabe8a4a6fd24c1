/**
 * Retries for calls to services we do not own (Kubernetes, FIS, GitHub, Slack): exponential
 * backoff with jitter, a server's Retry-After honoured, every retry reported with its attempt
 * number and reason, and cancellation through an AbortSignal.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** What the caller decides about a failure: retry (after at least `afterMs`) or give up. */
export interface RetryDecision {
  retry: boolean;
  reason: string;
  afterMs?: number;
}

export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  classify: (err: unknown) => RetryDecision,
  opts: {
    policy?: RetryPolicy;
    onRetry?: (message: string) => void;
    signal?: AbortSignal;
    random?: () => number;
  } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const d = classify(err);
      if (!d.retry || attempt >= policy.attempts || opts.signal?.aborted) throw err;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.max(d.afterMs ?? 0, Math.round(backoff * (0.5 + random() / 2)));
      opts.onRetry?.(
        `${what}: attempt ${attempt} of ${policy.attempts} failed (${d.reason}); retrying in ${delay} ms`,
      );
      await sleep(delay, opts.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
