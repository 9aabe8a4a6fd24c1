/**
 * The AWS FIS provider end to end against the loopback FIS (the real @aws-sdk/client-fis talks
 * to it; every request and answer is checked against the FIS Smithy model), and a suite mixing
 * Litmus, Chaos Mesh and FIS against the loopback Kubernetes API and FIS at once.
 */
import type { Logger } from '../src/log.js';
import { undoLedger } from '../src/engine/undo.js';
import { providerSet } from '../src/providers/factory.js';
import { startCluster, type TestCluster } from './support/cluster.js';
import { runSuite, type SuiteRun } from './support/run-suite.js';
import { startFis, type TestFis } from './support/fis.js';
import { workdir, type Workdir } from './support/workdir.js';

let fis: TestFis;
let cluster: TestCluster | undefined;
let tmp: Workdir;

beforeEach(async () => {
  fis = await startFis();
  tmp = workdir();
});

afterEach(async () => {
  const running = fis.server.running();
  const violations = fis.server.violations;
  const left = cluster?.leftovers() ?? [];
  await fis.close();
  await cluster?.close();
  cluster = undefined;
  tmp.remove();
  // Nothing left running, and neither side strayed from the FIS API model.
  expect(running).toEqual([]);
  expect(violations).toEqual([]);
  expect(left).toEqual([]);
});

function run(
  experiments: string,
  opts: { timeout?: number; env?: Record<string, string> } = {},
): Promise<SuiteRun> {
  return runSuite(experiments, {
    tempDir: tmp.dir,
    fisApi: fis.api,
    ...(cluster ? { kubeApi: cluster.api } : {}),
    ...opts,
  });
}

describe('FIS verdicts', () => {
  test('completed -> pass; started with our client token and tags; the plan names the targets', async () => {
    const { byName, lines, report } = await run('fis-completed');
    if (process.env.DEBUG_RUN) process.stderr.write(lines.join('\n'));
    expect(byName['fis-completed']!.verdict).toBe('pass');
    expect(byName['fis-completed']!.reason).toMatch(
      /^FIS experiment \S+ completed: all actions ran$/,
    );
    const [e] = fis.server.experiments();
    expect(e!.tags).toMatchObject({
      'app.kubernetes.io/managed-by': 'chaos-gate',
      'chaos-gate.io/run': report.runId,
      'chaos-gate.io/experiment': 'fis-completed',
    });
    expect(
      lines.some((l) =>
        /\[fis-completed\] .* template EXTcompleted01: Instances-Target-1: aws:ec2:instance COUNT\(1\)/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(report.leftover.entries).toEqual([]);
  });

  test('stopped by a CloudWatch alarm stop condition -> fail naming the alarm', async () => {
    const { byName } = await run('fis-alarm');
    expect(byName['fis-alarm']!.verdict).toBe('fail');
    expect(byName['fis-alarm']!.reason).toMatch(/stopped by a stop condition.*arn:aws:cloudwatch/);
  });

  test('failed -> error with the error code and reason', async () => {
    const { byName } = await run('fis-failed');
    expect(byName['fis-failed']!.verdict).toBe('error');
    expect(byName['fis-failed']!.reason).toContain('(InvalidTarget');
    expect(byName['fis-failed']!.reason).toContain('Target resolution failed');
  });

  test('cancelled (a status the SDK types do not know) -> error, no crash', async () => {
    const { byName } = await run('fis-cancelled');
    expect(byName['fis-cancelled']!.verdict).toBe('error');
    expect(byName['fis-cancelled']!.reason).toContain('was cancelled');
  });

  test('deadline reached -> StopExperiment called, stopped, verdict error "timed out"', async () => {
    const { byName } = await run('fis-hang');
    expect(byName['fis-hang']!.verdict).toBe('error');
    expect(byName['fis-hang']!.reason).toContain("timed out after 1s (the experiment's timeout)");
    expect(fis.server.requests.some((r) => r.target === 'StopExperiment')).toBe(true);
    expect(fis.server.experiments()[0]!.state?.status).toBe('stopped');
  });
});

describe('FIS templates', () => {
  test('by tags: exactly one match is used, and its targets are described once resolved', async () => {
    const { byName, lines } = await run('fis-by-tags');
    expect(lines).toContain(
      '  fis-by-tags: FIS template EXTaz01; Instances-Target-1: aws:ec2:instance COUNT(1), 1 ARN',
    );
    expect(byName['fis-by-tags']!.verdict).toBe('pass');
    expect(fis.server.experiments()[0]!.experimentTemplateId).toBe('EXTaz01');
  });

  test('by tags: no match, and two matches, are refused before any start, listing the matches', async () => {
    const none = await run('fis-no-match');
    expect(none.report.outcome.prepareProblems).toEqual([
      'fis-no-match: no FIS template in eu-west-1 matches tags Name=no-such-template',
    ]);
    fis.server.addTemplate({ id: 'EXTaz02', tags: { Environment: 'staging', Name: 'az-outage' } });
    const two = await run('fis-by-tags');
    expect(two.report.verdict).toBe('error');
    expect(two.report.outcome.prepareProblems).toEqual([
      expect.stringMatching(
        /^fis-by-tags: 2 FIS templates in eu-west-1 match tags Name=az-outage \(EXTaz0[12], EXTaz0[12]\)/,
      ),
    ]);
    expect(fis.server.requests.some((r) => r.target === 'StartExperiment')).toBe(false);
  });

  test('a template without the required tags, or without a stop condition, is refused before any start', async () => {
    const { report } = await run('fis-untagged,fis-no-stop,fis-completed');
    expect(report.verdict).toBe('error');
    expect(report.outcome.prepareProblems).toEqual([
      'fis-untagged: FIS template EXTuntagged01 lacks the tag safety.fis.requiredTags asks for: Environment=staging',
      expect.stringContaining('fis-no-stop: FIS template EXTnostop01 has no stop condition'),
    ]);
    expect(fis.server.requests.some((r) => r.target === 'StartExperiment')).toBe(false);
  });
});

test('credentials of an account outside safety.aws.accounts are refused before any template is read', async () => {
  const { report } = await run('fis-completed', { env: { AWS_ACCOUNT: '999999999999' } });
  expect(report.verdict).toBe('error');
  expect(report.outcome.prepareProblems).toEqual([
    'the AWS credentials belong to account 123456789012, which is not in safety.aws.accounts (999999999999): refusing to start FIS experiments',
  ]);
  expect(fis.server.requests.map((r) => r.target)).toEqual(['GetCallerIdentity']);
});

describe('FIS faults', () => {
  test('throttling on the first calls is retried (SDK retries plus our polling budget)', async () => {
    fis.server.faults.throttleNext(6, { operation: 'GetExperiment' });
    const { byName } = await run('fis-completed');
    expect(byName['fis-completed']!.verdict).toBe('pass');
    expect(
      fis.server.requests.filter((r) => r.target === 'GetExperiment' && r.status !== 200).length,
    ).toBe(6);
  });

  test('a start whose answer was lost is retried with the same client token: one experiment, not two', async () => {
    fis.server.faults.dropNextResponse({ operation: 'StartExperiment' });
    const { byName } = await run('fis-completed');
    expect(byName['fis-completed']!.verdict).toBe('pass');
    expect(fis.server.requests.filter((r) => r.target === 'StartExperiment').length).toBe(2);
    expect(fis.server.experiments()).toHaveLength(1);
  });

  test('the post step stops a running experiment from the ledger', async () => {
    // A run that died mid-experiment left this ledger (the experiment id was recorded).
    const started = await fis.api.start({
      templateId: 'EXThang01',
      clientToken: 'tok-1',
      tags: { 'chaos-gate.io/run': 'gh-9-1', 'chaos-gate.io/experiment': 'fis-hang' },
    });
    const lost = await fis.api.start({
      templateId: 'EXThang01',
      clientToken: 'tok-2',
      tags: { 'chaos-gate.io/run': 'gh-9-1', 'chaos-gate.io/experiment': 'fis-lost' },
    });
    expect(fis.server.running()).toHaveLength(2);
    const providers = providerSet({
      kube: () => {
        throw new Error('no kube');
      },
      fis: () => fis.api,
      fisOptions: { pollMs: { first: 10, max: 50 } },
    });
    const lines: string[] = [];
    const log: Logger = {
      info: (m) => lines.push(m),
      warning: (m) => lines.push(m),
      problem: () => undefined,
      debug: () => undefined,
      group: (_n, f) => f(),
    };
    const result = await undoLedger(
      {
        version: 1,
        runId: 'gh-9-1',
        entries: [
          {
            id: 'a',
            provider: 'aws-fis',
            experiment: 'fis-hang',
            state: 'created',
            createdAt: '',
            target: {
              type: 'fis',
              templateId: 'EXThang01',
              clientToken: 'tok-1',
              region: 'eu-west-1',
              experimentId: started.id,
            },
          },
          // The start was sent but its answer never came: found by our tags.
          {
            id: 'b',
            provider: 'aws-fis',
            experiment: 'fis-lost',
            state: 'creating',
            createdAt: '',
            target: {
              type: 'fis',
              templateId: 'EXThang01',
              clientToken: 'tok-2',
              region: 'eu-west-1',
            },
          },
        ],
      },
      (n) => providers.get(n),
      log,
    );
    expect(result.problems).toEqual([]);
    expect(result.removed.sort()).toEqual(
      [`FIS experiment ${started.id} (stopped)`, `FIS experiment ${lost.id} (stopped)`].sort(),
    );
    expect(fis.server.running()).toEqual([]);
  });
});

test('a suite mixing Litmus, Chaos Mesh and FIS runs end to end', async () => {
  cluster = await startCluster();
  const { report, byName } = await run('litmus-pass,mesh-delay,mesh-kill,fis-completed,fis-alarm');
  expect(Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, v.verdict]))).toEqual({
    'litmus-pass': 'pass',
    'mesh-delay': 'pass',
    'mesh-kill': 'pass',
    'fis-completed': 'pass',
    'fis-alarm': 'fail',
  });
  // Weighted: litmus-pass counts twice; fis-alarm (no probes) scores 0. (2+1+1+1)*100 / 6.
  expect(report.score.score).toBe(83.3);
  expect(report.verdict).toBe('warn');
  expect(report.leftover.entries).toEqual([]);
});
