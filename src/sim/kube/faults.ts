/**
 * Fault injection for tests of the clients: failed requests (a Status error with any code,
 * optionally with Retry-After, as the real server sends for 429 and 503), random failures from a
 * seeded generator (reproducible), added latency, dropped watch connections and compacted watch
 * history (resuming watches then get 410 Gone).
 */
import { ApiError } from './http.js';

export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** A substring of the request path (without the query). */
  pathIncludes?: string;
}

export interface FaultOptions {
  /** Sent as the `Retry-After` header and `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
}

export interface KubeFaults {
  /** Delay before every response, in milliseconds (0: none). */
  latencyMs: number;
  /** Abruptly destroys every open watch connection; returns how many there were. */
  dropWatches(): number;
  /** Forgets the store's change history: a watch resuming from before now gets 410 Gone. */
  compact(): void;
  /** The next `n` requests that match (all requests, watches included) fail with `status`. */
  failNext(n: number, status: number, match?: FaultMatch, opts?: FaultOptions): void;
  /**
   * From now on each non-watch request fails with probability `p` (0 turns it off), with
   * `status` (default 500). `seed` restarts the generator, so a run is reproducible.
   */
  failRate(p: number, status?: number, opts?: FaultOptions & { seed?: number }): void;
  /** Clears failNext, failRate and latency. */
  reset(): void;
}

interface FailRule {
  remaining: number;
  status: number;
  match: FaultMatch;
  opts: FaultOptions;
}

/** mulberry32: a small, good enough, seedable PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEFAULT_SEED = 0x5eed;

export class Faults implements KubeFaults {
  latencyMs = 0;
  private rules: FailRule[] = [];
  private rate = 0;
  private rateStatus = 500;
  private rateOpts: FaultOptions = {};
  private random: () => number;

  constructor(
    private readonly hooks: { dropWatches: () => number; compact: () => void },
    seed = DEFAULT_SEED,
  ) {
    this.random = rng(seed);
  }

  dropWatches(): number {
    return this.hooks.dropWatches();
  }

  compact(): void {
    this.hooks.compact();
  }

  failNext(n: number, status: number, match: FaultMatch = {}, opts: FaultOptions = {}): void {
    if (n > 0) this.rules.push({ remaining: n, status, match, opts });
  }

  failRate(p: number, status = 500, opts: FaultOptions & { seed?: number } = {}): void {
    this.rate = Math.max(0, Math.min(1, p));
    this.rateStatus = status;
    this.rateOpts =
      opts.retryAfterSeconds !== undefined ? { retryAfterSeconds: opts.retryAfterSeconds } : {};
    if (opts.seed !== undefined) this.random = rng(opts.seed);
  }

  reset(): void {
    this.rules = [];
    this.rate = 0;
    this.latencyMs = 0;
  }

  /** The injected error for this request, if any (consumes a failNext). */
  pick(method: string, path: string, isWatch: boolean): ApiError | undefined {
    const rule = this.rules.find(
      (r) =>
        (r.match.method === undefined || r.match.method.toUpperCase() === method.toUpperCase()) &&
        (r.match.pathIncludes === undefined || path.includes(r.match.pathIncludes)),
    );
    if (rule) {
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return injected(rule.status, rule.opts);
    }
    if (!isWatch && this.rate > 0 && this.random() < this.rate)
      return injected(this.rateStatus, this.rateOpts);
    return undefined;
  }
}

function injected(status: number, opts: FaultOptions): ApiError {
  const retry = opts.retryAfterSeconds;
  const message =
    status === 429
      ? 'Too many requests, please try again later.'
      : status >= 500
        ? `Internal error occurred: injected fault (HTTP ${status})`
        : `injected fault (HTTP ${status})`;
  return new ApiError(
    status,
    message,
    undefined,
    retry !== undefined ? { retryAfterSeconds: retry } : {},
    retry !== undefined ? { 'Retry-After': String(retry) } : {},
  );
}
