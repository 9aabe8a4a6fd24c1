/** Where something is in a file the user wrote: 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found in the user's configuration. */
export interface ConfigIssue {
  message: string;
  /** Absent for problems that have no place in a file (an action input, say). */
  position?: SourcePosition;
}

export function formatPosition(p: SourcePosition): string {
  return `${p.file}:${p.line}:${p.column}`;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.position ? `${formatPosition(issue.position)}: ${issue.message}` : issue.message;
}

/**
 * A mistake in what the user gave us (inputs, suite, manifests): reported as such, never as a
 * crash, and always before anything is injected. Carries every problem found, not just the first.
 */
export class ConfigurationError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[] | string) {
    const list = typeof issues === 'string' ? [{ message: issues }] : issues;
    super(ConfigurationError.describe(list));
    this.name = 'ConfigurationError';
    this.issues = list;
  }

  private static describe(issues: ConfigIssue[]): string {
    if (issues.length === 1 && issues[0]) return formatIssue(issues[0]);
    return [`${issues.length} problems:`, ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
  }
}

/** Exit codes of the command line (SPEC section 9). */
export const ExitCode = {
  Success: 0,
  VerdictFailed: 1,
  Configuration: 2,
  CleanupFailed: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function errorMessage(err: unknown): string {
  // Duck-typed: errors from another realm (Node's own fetch under a test runner's VM) are not
  // `instanceof Error` here, and String() would add their class name.
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const m = (err as { message: unknown }).message;
    if (typeof m === 'string') return m;
  }
  return String(err);
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:9`: a message with its cause's, when it has one. */
export function errorWithCause(err: unknown): string {
  const message = errorMessage(err);
  const cause =
    typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  if (cause === undefined || cause === null) return message;
  const inner = errorMessage(cause);
  const code = (cause as { code?: unknown }).code;
  const detail = typeof code === 'string' && !inner.includes(code) ? `${code} ${inner}` : inner;
  return detail && detail !== message ? `${message}: ${detail}` : message;
}
