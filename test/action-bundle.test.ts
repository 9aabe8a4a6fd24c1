/**
 * The committed bundle, run as the GitHub runner runs it. CI rebuilds dist/ and fails when it
 * differs from the committed one, so this exercises exactly what users get.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runBundle } from './support/runner.js';

let workspace: string;

beforeAll(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-ws-'));
  cpSync(path.join(ROOT, 'examples'), path.join(workspace, 'examples'), { recursive: true });
  writeFileSync(
    path.join(workspace, 'bad.yml'),
    [
      'version: 1',
      'name: checkout',
      'experiments:',
      '  - name: pod-delete',
      '    provider: litmus',
      '    manifets: chaos/engine.yaml',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('node dist/index.js as the runner runs it', () => {
  test('the network guard notices a connection (so its silence below means something)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-guard-'));
    const log = path.join(dir, 'net.log');
    spawnSync(process.execPath, ['-e', "fetch('http://127.0.0.1:9').catch(() => {})"], {
      env: {
        PATH: process.env.PATH ?? '',
        CHAOS_GATE_NETLOG: log,
        NODE_OPTIONS: `--import=${path.join(ROOT, 'test/support/no-network.mjs')}`,
      },
      encoding: 'utf8',
    });
    expect(readFileSync(log, 'utf8')).toContain('127.0.0.1');
  });

  test('a bad suite fails the step with file:line:column, sets verdict error and opens no connection', () => {
    const r = runBundle(
      'index',
      { suite: 'bad.yml', mode: 'dry-run', 'github-token': 'ghs_secretsecretsecret' },
      { workspace },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('::add-mask::ghs_secretsecretsecret');
    expect(r.stdout).toMatch(
      /::error title=chaos-gate,file=bad\.yml,line=6,col=5::unknown key `manifets` in `experiments\[0\]`: did you mean `manifest`\?/,
    );
    expect(r.stdout).toMatch(
      /::error::Configuration error, nothing was injected:[^\n]*bad\.yml:6:5: unknown key `manifets`/,
    );
    expect(r.outputs.verdict).toBe('error');
    expect(r.outputs.passed).toBe('0');
    expect(r.network).toEqual([]);
    expect(r.stdout.replace('::add-mask::ghs_secretsecretsecret', '')).not.toContain(
      'ghs_secretsecretsecret',
    );
  });

  test('a good suite in dry-run prints the plan, then connects: no cluster here is a configuration error, no request sent', () => {
    const r = runBundle(
      'index',
      { suite: 'examples/checkout/suite.yml', mode: 'dry-run', experiments: 'tag:smoke' },
      { workspace },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Plan for suite "checkout": 2 experiments, at most 2 at once');
    expect(r.stdout).toContain(
      '1. checkout-pod-delete [litmus] ChaosEngine checkout-pod-delete (pod-delete) (critical)',
    );
    expect(r.stdout).toContain('2. cart-pod-kill [chaos-mesh] PodChaos pod-kill');
    expect(r.stdout).toContain('Configuration error, nothing was injected');
    expect(r.outputs.verdict).toBe('error');
    expect(r.outputs.score).toBe('');
    expect(r.network).toEqual([]);
  });

  test('a bad input value is quoted with what was expected', () => {
    const r = runBundle(
      'index',
      { suite: 'examples/checkout/suite.yml', mode: 'dry-run', 'fail-on': 'sometimes' },
      { workspace },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "Invalid input 'fail-on': 'sometimes'. Expected one of: fail, warn, never.",
    );
    expect(r.network).toEqual([]);
  });

  test('the post step runs after a dry run and finds nothing to clean up', () => {
    const r = runBundle('post', {}, { workspace });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('nothing to clean up');
    expect(r.network).toEqual([]);
  });
});
