/**
 * The action's `run()` (src/main.ts) with fake runner I/O: inputs from a map, outputs, the
 * failure, the job summary and the masked secrets recorded, and every log line kept in order.
 */
import type { InputName } from '../../src/constants.js';
import type { ConfigIssue } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunDependencies } from '../../src/main.js';

export interface ActionRecord {
  outputs: Record<string, string>;
  failed: string[];
  summary: string[];
  secrets: string[];
  info: string[];
  warnings: string[];
  problems: ConfigIssue[];
  /** Every line in order: info as is, `warning: ...`, `debug: ...`. */
  lines: string[];
}

export interface FakeActionOptions {
  inputs: Partial<Record<InputName, string>>;
  env: NodeJS.ProcessEnv;
  pipeline?: RunDependencies['pipeline'];
  /** Instead of the recording logger. */
  log?: Logger;
}

export function fakeAction(opts: FakeActionOptions): {
  deps: RunDependencies;
  record: ActionRecord;
} {
  const record: ActionRecord = {
    outputs: {},
    failed: [],
    summary: [],
    secrets: [],
    info: [],
    warnings: [],
    problems: [],
    lines: [],
  };
  const log: Logger = opts.log ?? {
    info: (m) => {
      record.info.push(m);
      record.lines.push(m);
    },
    warning: (m) => {
      record.warnings.push(m);
      record.lines.push(`warning: ${m}`);
    },
    problem: (i) => {
      record.problems.push(i);
      record.lines.push(`problem: ${i.message}`);
    },
    debug: (m) => record.lines.push(`debug: ${m}`),
    group: (_name, fn) => fn(),
  };
  const deps: RunDependencies = {
    log,
    env: opts.env,
    getInput: (name) => opts.inputs[name] ?? '',
    setSecret: (v) => record.secrets.push(v),
    setOutput: (name, value) => {
      record.outputs[name] = value;
    },
    writeSummary: async (md) => {
      record.summary.push(md);
    },
    setFailed: (m) => record.failed.push(m),
    saveState: () => undefined,
    ...(opts.pipeline ? { pipeline: opts.pipeline } : {}),
  };
  return { deps, record };
}
