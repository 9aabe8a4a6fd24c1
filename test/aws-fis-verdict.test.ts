/** FIS terminal states to verdicts (SPEC section 4), template checks and target descriptions. */
import type { FisExperiment, FisTemplate } from '../src/aws/fis.js';
import { clientToken } from '../src/providers/aws-fis-run.js';
import {
  describeTargets,
  fisVerdict,
  stoppedByStopCondition,
  templateProblems,
} from '../src/providers/aws-fis-verdict.js';

const exp = (status: string, extra: Partial<FisExperiment> = {}): FisExperiment => ({
  id: 'EXP123',
  status,
  actions: { stop: { status: 'completed' } },
  tags: {},
  ...extra,
});

describe('fisVerdict', () => {
  test('completed -> pass (the actions ran; probes decide the rest)', () => {
    const v = fisVerdict(exp('completed'));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toBe('FIS experiment EXP123 completed: all actions ran');
  });

  test('completed with an action that did not complete says which', () => {
    const v = fisVerdict(
      exp('completed', { actions: { a: { status: 'completed' }, b: { status: 'skipped' } } }),
    );
    expect(v.reason).toContain('(b: skipped)');
  });

  test('stopped by a CloudWatch alarm stop condition -> fail, naming the alarm', () => {
    const reason =
      'Experiment stopped by stop condition arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-5xx';
    const v = fisVerdict(exp('stopped', { reason }));
    expect(v.verdict).toBe('fail');
    expect(v.reason).toContain('alarm:checkout-5xx');
  });

  test('stopped for another reason (someone called StopExperiment) -> error', () => {
    const v = fisVerdict(exp('stopped', { reason: 'Experiment stopped by user' }));
    expect(v.verdict).toBe('error');
    expect(v.reason).toContain('stopped outside chaos-gate');
  });

  test('failed -> error with the code, location and reason', () => {
    const v = fisVerdict(
      exp('failed', {
        reason: 'Target resolution failed',
        error: { code: 'TargetResolutionFailed', location: 'targets.Instances' },
      }),
    );
    expect(v.verdict).toBe('error');
    expect(v.reason).toBe(
      'FIS experiment EXP123 failed (TargetResolutionFailed at targets.Instances): Target resolution failed',
    );
  });

  test('cancelled (the safety lever) -> error', () => {
    const v = fisVerdict(exp('cancelled', { reason: 'Safety lever engaged' }));
    expect(v.verdict).toBe('error');
    expect(v.reason).toContain('safety lever');
  });

  test('a status this SDK does not know is an error, not a crash', () => {
    expect(fisVerdict(exp('evaporated')).reason).toContain('does not know: evaporated');
  });

  test.each([
    ['Experiment stopped by stop condition', true],
    ['CloudWatch alarm arn:... went into ALARM', true],
    ['Experiment stopped by user', false],
    [undefined, false],
  ])('stoppedByStopCondition(%p) = %p', (reason, expected) => {
    expect(stoppedByStopCondition(reason)).toBe(expected);
  });
});

const template = (extra: Partial<FisTemplate> = {}): FisTemplate => ({
  id: 'EXT1',
  tags: { Environment: 'staging', Name: 'az-outage' },
  stopConditions: [
    { source: 'aws:cloudwatch:alarm', value: 'arn:aws:cloudwatch:eu-west-1:1:alarm:a' },
  ],
  targets: {
    Instances: {
      resourceType: 'aws:ec2:instance',
      selectionMode: 'PERCENT(25)',
      resourceTags: { env: 'staging' },
      filters: [{ path: 'State.Name', values: ['running'] }],
    },
  },
  actions: {},
  ...extra,
});

describe('templateProblems', () => {
  const rules = { requiredTags: { Environment: 'staging' }, requireStopConditions: true };
  test('a template with the tags and an alarm stop condition is fine', () => {
    expect(templateProblems(template(), rules)).toEqual([]);
  });
  test('a missing or different required tag is named', () => {
    expect(templateProblems(template({ tags: { Environment: 'prod' } }), rules)).toEqual([
      'FIS template EXT1 lacks the tag safety.fis.requiredTags asks for: Environment=staging',
    ]);
  });
  test('only a "none" stop condition is refused unless requireStopConditions is false', () => {
    const t = template({ stopConditions: [{ source: 'none' }] });
    expect(templateProblems(t, rules)[0]).toContain('has no stop condition');
    expect(templateProblems(t, { ...rules, requireStopConditions: false })).toEqual([]);
  });
});

test('describeTargets: resource type, selection mode, tags and filters', () => {
  expect(describeTargets(template())).toEqual([
    'Instances: aws:ec2:instance PERCENT(25), tagged env=staging, where State.Name in (running)',
  ]);
});

test('clientToken: the same run and experiment give the same token; others differ', () => {
  expect(clientToken('gh-1-1', 'az')).toBe(clientToken('gh-1-1', 'az'));
  expect(clientToken('gh-1-1', 'az')).not.toBe(clientToken('gh-1-2', 'az'));
  expect(clientToken('gh-1-1', 'az')).toMatch(/^[0-9a-f]{64}$/);
});
