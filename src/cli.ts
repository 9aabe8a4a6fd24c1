#!/usr/bin/env node
/**
 * `npx chaos-gate validate|plan|run|demo|cleanup [--suite FILE] [flags named like the inputs]`.
 * Exit codes (SPEC section 9): 0 success, 1 verdict failed, 2 configuration or usage error
 * (nothing injected), 3 cleanup failed.
 */
import { parseArgs } from 'node:util';
import { Input, type InputName } from './constants.js';
import { ConfigurationError, ExitCode, errorMessage } from './errors.js';
import { parseInputs, type Inputs } from './inputs.js';
import { labelValue } from './kube/names.js';
import { consoleLogger, type Logger } from './log.js';
import { prepare } from './main.js';
import { parseDuration } from './suite/duration.js';
import { buildPlan, renderPlanText } from './suite/plan.js';
import { didYouMean } from './suggest.js';
import type { Suite } from './suite/model.js';

const COMMANDS = ['validate', 'plan', 'run', 'demo', 'cleanup'] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `Usage: chaos-gate <command> [--suite FILE] [options]

Commands:
  validate   check the suite, its manifests and the blast radius; inject nothing
  plan       validate, then print what a run would do: order, concurrency, targets, worst-case time
  run        run the suite against the cluster (LitmusChaos, Chaos Mesh) and print the verdict
  demo       run examples/demo/suite.yml against local simulators and write demo-out/
  cleanup    remove what runs that died hard left behind, by label and tag, in the suite's
             safety.namespaces and FIS: exactly one of --run ID and --older-than DURATION

Options (named like the action's inputs):
  --suite FILE          suite file (default .github/chaos/suite.yml)
  --experiments LIST    comma-separated names and tag:NAME selectors (default: all)
  --environment NAME    environment, checked against safety.environments (default staging)
  --kubeconfig PATH     kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --kube-context NAME   kubeconfig context, checked against safety.kubeContexts
  --timeout DURATION    deadline of the whole run (default 30m)
  --fail-on LEVEL       fail, warn or never (default fail)
  --aws-region REGION   region for FIS (default AWS_REGION)
  --prometheus-url URL  Prometheus for probes and SLOs
  --json                print the plan (or validation result) as JSON
  --verbose             debug output
  -h, --help            this text

Cleanup options:
  --run ID                the run whose leftovers to remove (gh-<run id>-<attempt>, local-...)
  --older-than DURATION   every run's leftovers created longer ago than this (2h, 1d)
  --list                  only list what would be removed (exit 3 when something is found)

Exit codes: 0 success, 1 verdict failed, 2 configuration or usage error (nothing injected), 3 cleanup failed.
`;

const INPUT_FLAGS = Object.values(Input).filter(
  (n) =>
    ![
      'github-token',
      'slack-token',
      'slack-webhook-url',
      'prometheus-token',
      // `cleanup --run` / `--older-than` on the command line.
      'cleanup-run',
      'cleanup-older-than',
    ].includes(n),
);
/** Flags of `cleanup` only. */
const CLEANUP_FLAGS = ['run', 'older-than', 'list'] as const;

export interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function summary(suite: Suite): string {
  const byProvider = new Map<string, number>();
  for (const e of suite.experiments)
    byProvider.set(e.provider, (byProvider.get(e.provider) ?? 0) + 1);
  const providers = [...byProvider].map(([p, n]) => `${p} ${n}`).join(', ');
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${suite.file}: suite "${suite.name}" is valid: ${n(suite.experiments.length, 'experiment')} (${providers}), ${n(Object.keys(suite.probes).length, 'probe')}, ${n(Object.keys(suite.slos).length, 'SLO')}; ${suite.selected.length} selected.`;
}

export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  const log: Logger = consoleLogger(io.out, io.err, argv.includes('--verbose'));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(INPUT_FLAGS.map((n) => [n, { type: 'string' as const }])),
        run: { type: 'string' },
        'older-than': { type: 'string' },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const unknown = /'(-{1,2}[^']+)'/.exec(errorMessage(err))?.[1];
    const hint = unknown
      ? didYouMean(unknown.replace(/^-+/, ''), [
          ...INPUT_FLAGS,
          ...CLEANUP_FLAGS,
          'json',
          'verbose',
          'help',
        ]).replace('`', '`--')
      : '';
    io.err.write(`chaos-gate: ${errorMessage(err)}${hint}\n\n${USAGE}`);
    return ExitCode.Configuration;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out.write(USAGE);
    return ExitCode.Success;
  }
  const [command, ...extra] = positionals;
  const problem = !command
    ? 'a command is required'
    : !COMMANDS.includes(command as Command)
      ? `unknown command \`${command}\`${didYouMean(command, COMMANDS)}`
      : extra.length > 0
        ? `unexpected argument${extra.length === 1 ? '' : 's'}: ${extra.join(' ')} (options take the form --name value)`
        : command === 'cleanup'
          ? cleanupUsageProblem(values.run, values['older-than'])
          : CLEANUP_FLAGS.filter((f) => values[f] !== undefined)
              .map((f) => `--${f} is an option of \`cleanup\`, not of \`${command}\``)
              .at(0);
  if (problem) {
    io.err.write(`chaos-gate: ${problem}\n\n${USAGE}`);
    return ExitCode.Configuration;
  }
  const flag = (name: InputName): string => {
    if (command === 'cleanup') {
      if (name === Input.Mode) return 'cleanup';
      if (name === Input.CleanupRun) return values.run ?? '';
      if (name === Input.CleanupOlderThan) return values['older-than'] ?? '';
    }
    const v = (values as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : '';
  };
  if (command === 'demo') return demoCommand(io);
  try {
    const get = (name: InputName): string => {
      // Secrets come from the environment on the command line, never from argv (shell history).
      const fromEnv: Partial<Record<InputName, string | undefined>> = {
        'github-token': io.env.GITHUB_TOKEN,
        'slack-webhook-url': io.env.SLACK_WEBHOOK_URL,
        'slack-token': io.env.SLACK_TOKEN,
        'prometheus-token': io.env.PROMETHEUS_TOKEN,
      };
      return flag(name) || fromEnv[name] || '';
    };
    const inputs = parseInputs(get, { mask: () => undefined, env: io.env });
    const suite = prepare(inputs, io.env, io.cwd);
    if (command === 'run') return await runCommand(suite, inputs, log, io);
    if (command === 'cleanup')
      return await cleanupCommand(suite, inputs, log, io, values.list === true);
    if (command === 'validate') {
      if (values.json)
        io.out.write(
          JSON.stringify(
            {
              valid: true,
              suite: suite.name,
              experiments: suite.experiments.map((e) => e.name),
              selected: suite.selected.map((e) => e.name),
            },
            null,
            2,
          ) + '\n',
        );
      else log.info(summary(suite));
      return ExitCode.Success;
    }
    const plan = buildPlan(suite, inputs.timeoutMs);
    if (values.json) {
      io.out.write(
        JSON.stringify(
          {
            suite: plan.suite,
            maxParallel: plan.maxParallel,
            worstCaseMs: plan.worstCaseMs,
            runTimeoutMs: plan.runTimeoutMs,
            notSelected: plan.skipped,
            steps: plan.steps.map((s) => ({
              name: s.experiment.name,
              provider: s.experiment.provider,
              kind: s.experiment.plan.kind,
              targets: s.experiment.plan.targets,
              durationMs: s.experiment.plan.durationMs ?? null,
              timeoutMs: s.experiment.timeoutMs,
              slot: s.slot,
              startMs: s.startMs,
              worstMs: s.worstMs,
            })),
          },
          null,
          2,
        ) + '\n',
      );
    } else log.info(renderPlanText(plan));
    return ExitCode.Success;
  } catch (err) {
    if (err instanceof ConfigurationError) {
      err.issues.forEach((i) => log.problem(i));
      io.err.write(
        `chaos-gate: configuration error (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}); nothing was injected.\n`,
      );
      return ExitCode.Configuration;
    }
    io.err.write(`chaos-gate: ${errorMessage(err)}\n`);
    return ExitCode.VerdictFailed;
  }
}

/** `cleanup` takes exactly one of --run and --older-than, each well-formed. */
function cleanupUsageProblem(
  run: string | undefined,
  olderThan: string | undefined,
): string | undefined {
  if (!run === !olderThan)
    return `cleanup takes exactly one of --run ID and --older-than DURATION${run ? ', not both' : ''}`;
  if (run && labelValue(run) !== run)
    return `--run '${run}' is not a run id (expected something like gh-1234-1 or local-m3x9k2-ab12)`;
  if (olderThan && !((parseDuration(olderThan) ?? 0) > 0))
    return `--older-than '${olderThan}' is not a duration (expected something like 2h, 90m or 1d)`;
  return undefined;
}

/**
 * `chaos-gate cleanup`: the orphan sweep (src/sweep.ts). Exit 0 when nothing of the selection
 * is left, 3 when something may still be active (or was only listed).
 */
async function cleanupCommand(
  suite: Suite,
  inputs: Inputs,
  log: Logger,
  io: CliIo,
  listOnly: boolean,
): Promise<ExitCode> {
  const { sweep } = await import('./sweep.js');
  try {
    const swept = await sweep(
      suite,
      inputs,
      { log, env: io.env, mask: () => undefined, cwd: io.cwd },
      { listOnly },
    );
    if (swept.exitCode !== ExitCode.Success && swept.problems.length)
      io.err.write(`${swept.message}\n`);
    return swept.exitCode;
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    io.err.write(`chaos-gate cleanup failed; chaos may still be active: ${errorMessage(err)}\n`);
    return ExitCode.CleanupFailed;
  }
}

/** `chaos-gate demo`: everything simulated on 127.0.0.1 (loaded only for this command). */
async function demoCommand(io: CliIo): Promise<ExitCode> {
  const { runDemo } = await import('./demo/run.js');
  const ac = new AbortController();
  const onSignal = (): void => ac.abort('SIGINT');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runDemo({
      out: io.out,
      err: io.err,
      cwd: io.cwd,
      signal: ac.signal,
      ...(io.env.CHAOS_GATE_DEMO_PROMETHEUS === 'simulated' ? { simulatedPrometheus: true } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `chaos-gate run`: the action's pipeline with the terminal as its log. */
async function runCommand(suite: Suite, inputs: Inputs, log: Logger, io: CliIo): Promise<ExitCode> {
  const { executeRun, exitCodeOf } = await import('./pipeline.js');
  const { renderRunText } = await import('./report/run-summary.js');
  const ac = new AbortController();
  const onSignal = (sig: string): void => {
    if (!ac.signal.aborted)
      io.err.write(`chaos-gate: ${sig}: stopping every experiment and cleaning up\n`);
    ac.abort(sig);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    log.info(renderPlanText(buildPlan(suite, inputs.timeoutMs)));
    const report = await executeRun(suite, inputs, {
      log,
      env: io.env,
      mask: () => undefined,
      saveState: () => undefined,
      signal: ac.signal,
      cwd: io.cwd,
    });
    log.info(renderRunText(report));
    const { writeReportFiles } = await import('./report/files.js');
    const files = await writeReportFiles(suite, report, inputs, io.cwd, log);
    if (files.json) log.info(`JSON report: ${files.json}`);
    if (files.junit) log.info(`JUnit report: ${files.junit}`);
    const code = exitCodeOf(report, inputs.failOn);
    if (code === ExitCode.CleanupFailed)
      io.err.write(
        `chaos-gate: cleanup failed; chaos may still be active. The ledger is ${report.ledgerPath}.\n`,
      );
    return code;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

// Run when executed (dist/cli.js, or tsx), not when imported by tests.
const entry = process.argv[1] ?? '';
if (/(^|[\\/])cli\.(js|ts|mjs)$/.test(entry) || entry.endsWith('/chaos-gate')) {
  process.exitCode = await main(process.argv.slice(2), {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}
