/**
 * Runs experiments of the integration suite (test/data/run/suite.yml) through the real pipeline
 * (`executeRun`) against whatever loopback providers the test started, recording the log.
 * `DEBUG_RUN=1` also prints the log as it happens.
 */
import path from 'node:path';
import type { FisApi } from '../../src/aws/fis.js';
import type { ExperimentResult } from '../../src/engine/result.js';
import type { KubeApi } from '../../src/kube/api.js';
import type { Logger } from '../../src/log.js';
import { executeRun, type PipelineDeps, type RunReport } from '../../src/pipeline.js';
import { loadSuite } from '../../src/suite/load.js';
import type { Suite } from '../../src/suite/model.js';
import { RUN_DATA } from './cluster.js';

export interface RunRecord {
  lines: string[];
  warnings: string[];
  state: Record<string, string>;
}

export interface SuiteRun {
  report: RunReport;
  rec: RunRecord;
  /** Every log line, warnings and debug lines included, in order. */
  lines: string[];
  byName: Record<string, ExperimentResult>;
  suite: Suite;
}

export interface SuiteRunOptions {
  /** Where the ledger file goes (RUNNER_TEMP). */
  tempDir: string;
  kubeApi?: KubeApi;
  fisApi?: FisApi;
  env?: Record<string, string>;
  /** The run's timeout input (default 60 s). */
  timeout?: number;
  signal?: AbortSignal;
  /** Default test/data/run/suite.yml. */
  suiteFile?: string;
  /** Default `run`. */
  mode?: 'run' | 'dry-run';
  /** Extra pipeline dependencies (Prometheus retries, fetch). */
  pipeline?: Pick<PipelineDeps, 'prometheusRetry' | 'fetch'>;
}

export async function runSuite(experiments: string, opts: SuiteRunOptions): Promise<SuiteRun> {
  const env = { RUNNER_TEMP: opts.tempDir, ...opts.env };
  const suite = loadSuite(opts.suiteFile ?? path.join(RUN_DATA, 'suite.yml'), {
    env,
    selection: experiments,
    environment: 'staging',
  });
  const rec: RunRecord = { lines: [], warnings: [], state: {} };
  const lines: string[] = [];
  const line = (m: string): void => {
    lines.push(m);
    if (process.env.DEBUG_RUN) process.stderr.write(`${m}\n`);
  };
  const log: Logger = {
    info: (m) => {
      rec.lines.push(m);
      line(m);
    },
    warning: (m) => {
      rec.warnings.push(m);
      line(`warning: ${m}`);
    },
    problem: (i) => {
      rec.warnings.push(i.message);
      line(i.message);
    },
    debug: () => undefined,
    group: (_n, fn) => fn(),
  };
  const debug = (m: string): void => {
    rec.lines.push(m);
    line(`debug: ${m}`);
  };
  const report = await executeRun(
    suite,
    {
      suite: 'suite.yml',
      experiments,
      mode: opts.mode ?? 'run',
      failOn: 'fail',
      timeoutMs: opts.timeout ?? 60_000,
      environment: 'staging',
      comment: false,
      checkRun: false,
      slackOn: 'never',
      reportPath: path.join(opts.tempDir, 'report.json'),
    },
    {
      log,
      env,
      mask: () => undefined,
      saveState: (k, v) => {
        rec.state[k] = v;
      },
      ...(opts.kubeApi
        ? {
            kubeApi: opts.kubeApi,
            kubeOptions: { selectionGraceMs: 300, deleteTimeoutMs: 3_000, debug },
          }
        : {}),
      ...(opts.fisApi
        ? { fisApi: opts.fisApi, fisOptions: { pollMs: { first: 10, max: 80 }, debug } }
        : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...opts.pipeline,
    },
  );
  const byName = Object.fromEntries(report.outcome.results.map((r) => [r.name, r]));
  return { report, rec, lines, byName, suite };
}
