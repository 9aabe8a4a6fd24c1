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
  test('declares exactly the inputs of the spec, and the code reads the same names', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...SPEC_INPUTS].sort());
    expect(Object.values(Input).sort()).toEqual([...SPEC_INPUTS].sort());
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
