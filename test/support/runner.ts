/**
 * Runs a bundle the way the GitHub runner does: `node dist/<entry>.js` with INPUT_* variables and
 * the GITHUB_* files, and reads back what it wrote. Every network attempt is recorded.
 */
import { spawnSync } from 'node:child_process';
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

export function runBundle(
  entry: 'index' | 'post',
  inputs: Record<string, string>,
  options: { workspace: string; env?: Record<string, string> },
): RunnerResult {
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
    RUNNER_TEMP: dir,
    CHAOS_GATE_NETLOG: files.net,
    NODE_OPTIONS: `--import=${NO_NETWORK}`,
    ...options.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawnSync(process.execPath, [path.join(ROOT, 'dist', `${entry}.js`)], {
    cwd: options.workspace,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  return {
    status: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
    outputs: parseCommandFile(read(files.output)),
    state: parseCommandFile(read(files.state)),
    summary: read(files.summary),
    network: read(files.net)
      .split('\n')
      .filter((l) => l !== ''),
  };
}
