/**
 * Fault injection for tests of FIS clients: throttling as AWS answers it, failures with any
 * status, added latency, and responses lost after the server acted (the request is processed in
 * full, e.g. the experiment starts, then the connection is reset without an answer: a client
 * must retry with the same `clientToken` and get the same experiment back).
 */
import { codeForStatus, FisError } from './http.js';

export interface FisFaultMatch {
  /** The operation name: `StartExperiment`, `GetExperiment`, ..., or `GetCallerIdentity`. */
  operation?: string;
}

export interface FisFaults {
  /** Wall-clock delay before every answer, in milliseconds (0: none). Not scaled. */
  latencyMs: number;
  /**
   * The next `n` matching requests are throttled: `x-amzn-errortype: ThrottlingException`,
   * message `Rate exceeded`, status 400 (the default, as AWS JSON services answer) or 429. The
   * SDK retries either: its retry strategy calls an error throttling when its name (from the
   * header) is `ThrottlingException` or when the status is 429.
   */
  throttleNext(n: number, match?: FisFaultMatch, opts?: { status?: 400 | 429 }): void;
  /**
   * The next `n` matching requests fail with `status`; the error type is the one AWS uses for
   * it (`InternalServerException` for 500, `ServiceUnavailableException` for 503, ...) unless
   * `opts.code` says otherwise.
   */
  failNext(
    n: number,
    status: number,
    match?: FisFaultMatch,
    opts?: { code?: string; message?: string },
  ): void;
  /**
   * The next `n` (default 1) matching requests are processed, then their connection is destroyed
   * without an answer (the client sees a connection reset, ECONNRESET).
   */
  dropNextResponse(match?: FisFaultMatch, n?: number): void;
  /** Clears every pending fault and the latency. */
  reset(): void;
}

interface Rule {
  remaining: number;
  match: FisFaultMatch;
  make: () => FisError;
}

const matches = (m: FisFaultMatch, operation: string): boolean =>
  m.operation === undefined || m.operation === operation;

export class Faults implements FisFaults {
  latencyMs = 0;
  private failures: Rule[] = [];
  private drops: { remaining: number; match: FisFaultMatch }[] = [];

  throttleNext(n: number, match: FisFaultMatch = {}, opts: { status?: 400 | 429 } = {}): void {
    const status = opts.status ?? 400;
    if (n > 0)
      this.failures.push({
        remaining: n,
        match,
        make: () => new FisError(status, 'ThrottlingException', 'Rate exceeded'),
      });
  }

  failNext(
    n: number,
    status: number,
    match: FisFaultMatch = {},
    opts: { code?: string; message?: string } = {},
  ): void {
    const code = opts.code ?? codeForStatus(status);
    const message = opts.message ?? `injected fault (HTTP ${status})`;
    if (n > 0)
      this.failures.push({ remaining: n, match, make: () => new FisError(status, code, message) });
  }

  dropNextResponse(match: FisFaultMatch = {}, n = 1): void {
    if (n > 0) this.drops.push({ remaining: n, match });
  }

  reset(): void {
    this.failures = [];
    this.drops = [];
    this.latencyMs = 0;
  }

  /** The injected error for this request, if any (consumes one). */
  pickFailure(operation: string): FisError | undefined {
    const rule = this.failures.find((r) => matches(r.match, operation));
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.failures = this.failures.filter((r) => r !== rule);
    return rule.make();
  }

  /** Whether this request's answer is to be dropped (consumes one). */
  pickDrop(operation: string): boolean {
    const rule = this.drops.find((r) => matches(r.match, operation));
    if (!rule) return false;
    rule.remaining--;
    if (rule.remaining <= 0) this.drops = this.drops.filter((r) => r !== rule);
    return true;
  }
}
