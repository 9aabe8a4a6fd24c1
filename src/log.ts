/**
 * Where progress goes: the Actions log (with groups and annotations) or a terminal. Injected, so
 * the same pipeline runs in the action, on the command line and in tests.
 */
import * as core from '@actions/core';
import type { ConfigIssue } from './errors.js';
import { formatIssue } from './errors.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  /** A problem in the user's configuration, shown at its place in the file where possible. */
  problem(issue: ConfigIssue): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  problem: (issue) =>
    issue.position
      ? core.error(issue.message, {
          file: issue.position.file,
          startLine: issue.position.line,
          startColumn: issue.position.column,
          title: 'chaos-gate',
        })
      : core.error(issue.message, { title: 'chaos-gate' }),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
};

export function consoleLogger(
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  verbose = false,
): Logger {
  return {
    info: (m) => out.write(m + '\n'),
    warning: (m) => err.write(`warning: ${m}\n`),
    problem: (issue) => err.write(`${formatIssue(issue)}\n`),
    debug: (m) => {
      if (verbose) err.write(`debug: ${m}\n`);
    },
    group: async (name, fn) => {
      out.write(`== ${name}\n`);
      return fn();
    },
  };
}
