import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Input, Output } from '../src/constants.js';

const action = parse(readFileSync(path.resolve(import.meta.dirname, '../action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: Record<string, string>;
  branding: Record<string, string>;
};

// SPEC section 2, verbatim: users' workflows depend on these names.
const SPEC_INPUTS = [
  'suite',
  'experiments',
  'mode',
  'fail-on',
  'timeout',
  'environment',
  'github-token',
  'comment',
  'check-run',
  'slack-webhook-url',
  'slack-token',
  'slack-channel',
  'slack-on',
  'kubeconfig',
  'kube-context',
  'aws-region',
  'prometheus-url',
  'prometheus-token',
  'report-path',
  'junit-path',
];
// Beyond SPEC section 2: `mode: cleanup`, the orphan sweep (issue 7).
const CLEANUP_INPUTS = ['cleanup-run', 'cleanup-older-than'];
const SPEC_OUTPUTS = [
  'verdict',
  'score',
  'score-delta',
  'budget-consumed',
  'passed',
  'failed',
  'errored',
  'report-path',
  'comment-url',
  'check-run-url',
];

describe('action.yml', () => {
  test('declares exactly the inputs of the spec (and cleanup mode), and the code reads the same names', () => {
    const all = [...SPEC_INPUTS, ...CLEANUP_INPUTS].sort();
    expect(Object.keys(action.inputs).sort()).toEqual(all);
    expect(Object.values(Input).sort()).toEqual(all);
  });

  test('cleanup inputs default to empty and say which mode they belong to', () => {
    for (const name of CLEANUP_INPUTS) {
      expect(action.inputs[name]?.default).toBe('');
      expect(action.inputs[name]?.description).toContain('`mode: cleanup`');
    }
    expect(action.inputs.mode?.description).toContain('`cleanup`');
  });

  test('declares exactly the outputs of the spec', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...SPEC_OUTPUTS].sort());
    expect(Object.values(Output).sort()).toEqual([...SPEC_OUTPUTS].sort());
  });

  test('has the spec defaults', () => {
    expect(action.inputs.suite?.default).toBe('.github/chaos/suite.yml');
    expect(action.inputs.mode?.default).toBe('run');
    expect(action.inputs['fail-on']?.default).toBe('fail');
    expect(action.inputs.timeout?.default).toBe('30m');
    expect(action.inputs.environment?.default).toBe('staging');
    expect(action.inputs['github-token']?.default).toBe('${{ github.token }}');
    expect(action.inputs['slack-on']?.default).toBe('always');
    expect(action.inputs['report-path']?.default).toBe('chaos-gate-report.json');
  });

  test('runs on node24 with a post step that always runs', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post.js',
      'post-if': 'always()',
    });
    expect(action.branding).toEqual({ icon: 'zap', color: 'orange' });
  });
});
