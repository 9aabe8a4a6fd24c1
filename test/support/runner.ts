/**
 * Runs a bundle the way the GitHub runner does: `node dist/<entry>.js` with INPUT_* variables and
 * the GITHUB_* files, and reads back what it wrote. Every network attempt is recorded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const NO_NETWORK = path.join(ROOT, 'test/support/no-network.mjs');

export interface RunnerResult {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Network attempts, one line each; empty when none. */
  network: string[];
}

/** Parses GITHUB_OUTPUT / GITHUB_STATE files (`name<<delimiter` blocks). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '');
    out[name ?? ''] = value.join('\n');
  }
  return out;
}

function prepareRun(
  entry: 'index' | 'post',
  inputs: Record<string, string>,
  options: { workspace: string; env?: Record<string, string>; runnerTemp?: string },
): { env: Record<string, string>; files: Record<string, string>; args: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-runner-'));
  const files = {
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state'),
    summary: path.join(dir, 'summary.md'),
    net: path.join(dir, 'network.log'),
    event: path.join(dir, 'event.json'),
  };
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '');
  writeFileSync(files.event, '{}');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '42',
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: options.runnerTemp ?? dir,
    CHAOS_GATE_NETLOG: files.net,
    NODE_OPTIONS: `--import=${NO_NETWORK}`,
    ...options.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return { env, files, args: [path.join(ROOT, 'dist', `${entry}.js`)] };
}

export function runBundle(
  entry: 'index' | 'post',
  inputs: Record<string, string>,
  options: { workspace: string; env?: Record<string, string> },
): RunnerResult {
  const { env, files, args } = prepareRun(entry, inputs, options);
  const child = spawnSync(process.execPath, args, {
    cwd: options.workspace,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return collect(child.status, child.stdout, child.stderr, files);
}

function collect(
  status: number | null,
  stdout: string,
  stderr: string,
  files: Record<string, string>,
): RunnerResult {
  const read = (f: string | undefined): string =>
    f && existsSync(f) ? readFileSync(f, 'utf8') : '';
  return {
    status,
    stdout,
    stderr,
    outputs: parseCommandFile(read(files.output)),
    state: parseCommandFile(read(files.state)),
    summary: read(files.summary),
    network: read(files.net)
      .split('\n')
      .filter((l) => l !== ''),
  };
}

/**
 * The same, without blocking this process: for tests whose servers (the loopback Kubernetes
 * API) run in the test process. `onStart` gets the child, e.g. to signal or kill it.
 */
export function runBundleAsync(
  entry: 'index' | 'post',
  inputs: Record<string, string>,
  options: {
    workspace: string;
    env?: Record<string, string>;
    runnerTemp?: string;
    onStart?: (child: ChildProcess) => void;
  },
): Promise<RunnerResult> {
  const { env, files, args } = prepareRun(entry, inputs, options);
  const child = spawn(process.execPath, args, { cwd: options.workspace, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  options.onStart?.(child);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(collect(code ?? (signal ? 128 : null), stdout, stderr, files));
    });
  });
}

/** The post step's environment: what the main step saved, as the runner hands it back. */
export function stateEnv(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
}
