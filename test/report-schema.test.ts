/**
 * `schema/report.schema.json` describes exactly what `buildJsonReport` writes: REAL reports of
 * runs through the pipeline (Litmus, Chaos Mesh and FIS against the loopback cluster and FIS, an
 * HTTP probe on a loopback service) are valid, as written to disk (JSON round trip), and broken
 * ones are not. The SLO figures (budget, burn rate, breach) need a Prometheus; a report built by
 * hand from the same types covers them (test/run-gates.test.ts runs them for real).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import schema from '../schema/report.schema.json' with { type: 'json' };
import type { ExperimentResult } from '../src/engine/result.js';
import type { RunReport } from '../src/pipeline.js';
import { buildJsonReport } from '../src/report/json.js';
import { baselineData, readBaselineData, renderMarkdown } from '../src/report/markdown.js';
import { RUN_DATA, startCluster, type TestCluster } from './support/cluster.js';
import { startFis, type TestFis } from './support/fis.js';
import { runSuite, type SuiteRun } from './support/run-suite.js';
import { workdir, type Workdir } from './support/workdir.js';

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** The report as it is written to `report-path` and read back. */
function written(run: Pick<SuiteRun, 'report' | 'suite'>): Record<string, unknown> {
  const json = buildJsonReport(run.suite, run.report, { environment: 'staging' });
  return JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
}

function errorsOf(data: unknown): string[] {
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

let cluster: TestCluster | undefined;
let fis: TestFis | undefined;
let tmp: Workdir;

beforeEach(() => {
  tmp = workdir();
});

afterEach(async () => {
  const left = cluster?.leftovers() ?? [];
  await cluster?.close();
  await fis?.close();
  cluster = undefined;
  fis = undefined;
  tmp.remove();
  expect(left).toEqual([]);
});

async function run(
  experiments: string,
  opts: { timeout?: number; suiteFile?: string; env?: Record<string, string> } = {},
): Promise<SuiteRun> {
  return runSuite(experiments, {
    tempDir: tmp.dir,
    ...(cluster ? { kubeApi: cluster.api } : {}),
    ...(fis ? { fisApi: fis.api } : {}),
    ...opts,
  });
}

/** Every real report is valid, and its Markdown carries its data back. */
function expectValid(r: SuiteRun): Record<string, unknown> {
  const data = written(r);
  expect(errorsOf(data)).toEqual([]);
  const body = renderMarkdown({ suite: r.suite.name, environment: 'staging', report: r.report });
  expect(readBaselineData(body)).toEqual(
    baselineData({ suite: r.suite.name, environment: 'staging', report: r.report }),
  );
  return data;
}

describe('real reports are valid', () => {
  test('Litmus, Chaos Mesh and FIS at once: pass, fail (Litmus probes at 50%) and error', async () => {
    cluster = await startCluster();
    fis = await startFis();
    cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 50 });
    const r = await run(
      'litmus-pass,litmus-fail,mesh-no-target,fis-completed,fis-alarm,fis-failed',
    );
    const verdicts = r.report.outcome.results.map((x) => `${x.name}=${x.verdict}`);
    expect(verdicts).toEqual([
      'litmus-pass=pass',
      'litmus-fail=fail',
      'mesh-no-target=error',
      'fis-completed=pass',
      'fis-alarm=fail',
      'fis-failed=error',
    ]);
    const data = expectValid(r);
    // (2 * 100 + 50 + 100 + 0) / 5, below the default warn level.
    expect(data).toMatchObject({ verdict: 'fail', score: 70 });
    expect(data.scoreCovers).toEqual({ experiments: 4, of: 6 });
    const litmusFail = (data.experiments as Record<string, unknown>[])[1]!;
    expect(litmusFail.providerVerdict).toMatchObject({ probeSuccessPercentage: 50 });
    expect(litmusFail.score).toBe(50);
  });

  test("an experiment stopped by the run's timeout and one that never started", async () => {
    cluster = await startCluster();
    cluster.litmus.scenario('web-delete-hang', { hang: true });
    const r = await run('litmus-hang,mesh-delay', { timeout: 300 });
    expect(r.byName['litmus-hang']!.verdict).toBe('error');
    expect(r.byName['mesh-delay']!.started).toBe(false);
    const data = expectValid(r);
    const [hang, never] = data.experiments as Record<string, unknown>[];
    expect(hang!.stoppedBy).toBe('deadline');
    expect(never).toMatchObject({ started: false, startedAt: null, durationMs: null });
  });

  test('problems found before anything was created: every experiment not started', async () => {
    fis = await startFis();
    const r = await run('fis-untagged,fis-completed');
    const data = expectValid(r);
    expect((data.problems as { prepare: string[] }).prepare).toHaveLength(1);
    expect(data.score).toBeNull();
  });

  describe('with an HTTP probe on a loopback service', () => {
    let server: http.Server;
    let url = '';
    let healthy = true;

    beforeAll(async () => {
      server = http.createServer((_req, res) => {
        res.statusCode = healthy ? 200 : 503;
        res.end(healthy ? 'ok' : 'down');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    afterEach(() => {
      healthy = true;
    });

    function probeSuite(): string {
      return tmp.write(
        'suite.yml',
        [
          'version: 1',
          'name: probed',
          'defaults: { namespace: shop, timeout: 1m }',
          'safety: { namespaces: [shop] }',
          'probes:',
          `  health: { http: { url: "${url}/health", expectStatus: 200, timeout: 1s }, interval: 100ms, successRate: 50, recoveryTimeout: 5s }`,
          'experiments:',
          `  - { name: mesh-delay, provider: chaos-mesh, manifest: ${JSON.stringify(path.join(RUN_DATA, 'mesh', 'web-delay.yaml'))}, probes: [health] }`,
          `  - { name: mesh-kill, provider: chaos-mesh, manifest: ${JSON.stringify(path.join(RUN_DATA, 'mesh', 'web-kill.yaml'))}, probes: [health] }`,
          '',
        ].join('\n'),
      );
    }

    test('probes sampled before, during and after, recovery time and the preflight', async () => {
      cluster = await startCluster({ timeScale: 0.02 });
      const r = await run('mesh-delay,mesh-kill', { suiteFile: probeSuite() });
      const data = expectValid(r);
      const [delay] = data.experiments as Record<string, unknown>[];
      expect(delay!.verdict).toBe('pass');
      const [probe] = delay!.probes as Record<string, unknown>[];
      expect(probe).toMatchObject({ probe: 'health', met: true, requiredSuccessRate: 50 });
      expect((probe!.before as { count: number }).count).toBe(1);
      expect(delay!.recovery).toMatchObject({ recovered: true });
      expect(data.gates).toMatchObject({
        result: 'pass',
        preflight: { decision: 'run', steadyState: { ok: true } },
        budget: null,
      });
    });

    test('steady state not met before chaos: error, nothing started', async () => {
      cluster = await startCluster();
      healthy = false;
      const r = await run('mesh-delay', { suiteFile: probeSuite() });
      const data = expectValid(r);
      expect(data.verdict).toBe('error');
      expect(data.gates).toMatchObject({
        preflight: { decision: 'error', steadyState: { ok: false } },
      });
    });
  });
});

/** What a Prometheus-measured run reports: budget, burn rate, a breach, an aborted experiment. */
function measuredReport(): RunReport {
  const at = Date.parse('2024-05-01T12:00:00.000Z');
  const base = {
    index: 0,
    weight: 1,
    critical: false,
    created: [],
    cleanupProblems: [],
  };
  const aborted: ExperimentResult = {
    ...base,
    name: 'burn',
    provider: 'chaos-mesh',
    verdict: 'aborted',
    reason: 'aborted: gate breached: checkout: burning the error budget at 20x',
    started: true,
    startedAt: '2024-05-01T12:00:00.000Z',
    finishedAt: '2024-05-01T12:00:30.000Z',
    durationMs: 30_000,
    cleanupMs: 1200,
    stoppedBy: 'breach',
    created: ['NetworkChaos shop/burn-x1y2z'],
    providerVerdict: { verdict: 'aborted', reason: 'stopped', details: { phase: 'Paused' } },
    monitoring: {
      probes: [
        {
          probe: 'health',
          summary: {
            probe: 'health',
            before: { count: 1, passes: 1, successRate: 100, worst: { value: 12, at } },
            during: {
              count: 10,
              passes: 6,
              successRate: 60,
              firstFailure: { at: at + 3000, reason: 'expected 200, got 503' },
            },
            after: { count: 0, passes: 0 },
          },
          tolerance: { met: false, reason: '60% of 10 samples passed, below the required 99%' },
          required: 99,
          recovery: { recovered: false, reason: 'not recovered within 15s' },
        },
      ],
      burn: [
        {
          slo: 'checkout',
          samples: 5,
          worst: { kind: 'value', value: 20 },
          limit: 14.4,
          breach: { at: at + 5000, reason: 'checkout: burning the error budget at 20x' },
        },
        { slo: 'search', samples: 0 },
      ],
      breach: { at: at + 5000, reason: 'checkout: burning the error budget at 20x' },
      recovery: { recovered: false, reason: 'not recovered within 15s' },
      cleanupEndAt: at + 31_200,
    },
  };
  const skipped: ExperimentResult = {
    ...base,
    index: 1,
    name: 'later',
    provider: 'aws-fis',
    verdict: 'skipped',
    reason: 'not started: the suite stopped',
    started: false,
  };
  return {
    runId: 'gh-1-1',
    outcome: {
      results: [aborted, skipped],
      prepareProblems: [],
      cleanupProblems: [],
      cancelled: false,
      preflight: { decision: 'run', reason: '' },
      startedAt: '2024-05-01T11:59:58.000Z',
      finishedAt: '2024-05-01T12:01:00.000Z',
    },
    score: { score: 0, covered: 1, total: 2 },
    verdict: 'fail',
    gates: {
      preflight: {
        decision: 'run',
        reason: '',
        budget: {
          decision: 'run',
          gate: 'warn',
          reasons: ['search: no data (no traffic): reported only'],
          slos: [
            {
              name: 'checkout',
              result: 'ok',
              remaining: { kind: 'value', value: 50 },
              minimum: 25,
              gate: 'pass',
              reason: 'checkout: 50% of the error budget remains (minimum 25%)',
            },
            {
              name: 'search',
              result: 'no-data',
              remaining: { kind: 'no-data', reason: 'no traffic' },
              gate: 'pass',
              reason: 'search: no data (no traffic): reported only',
            },
          ],
        },
        steady: {
          ok: true,
          probes: [{ probe: 'health', check: { ok: true, reason: '200' } }],
          failures: [],
        },
      },
      budget: {
        worst: 'fail',
        fromMs: at,
        toMs: at + 60_000,
        worstConsumed: { kind: 'no-errors-allowed', reason: 'objective 100% allows no errors' },
        slos: [
          {
            name: 'checkout',
            result: 'fail',
            consumed: { kind: 'no-errors-allowed', reason: 'objective 100% allows no errors' },
            limit: 50,
            gate: 'fail',
            reason: 'checkout: unbounded',
          },
          {
            name: 'search',
            result: 'no-data',
            consumed: { kind: 'no-data', reason: 'no traffic' },
            gate: 'pass',
            reason: 'search: no data',
          },
        ],
      },
      breaches: [{ experiment: 'burn', at: at + 5000, reason: 'checkout: burning at 20x' }],
      result: 'fail',
    },
    ledgerPath: '/tmp/ledger.json',
    leftover: { version: 1, runId: 'gh-1-1', entries: [] },
  };
}

const measured = (): Record<string, unknown> =>
  written({
    suite: { name: 'measured', file: 'suite.yml' } as SuiteRun['suite'],
    report: measuredReport(),
  });

test('budget, burn rate, a breach, an aborted and a skipped experiment (built by hand)', () => {
  const data = measured();
  expect(errorsOf(data)).toEqual([]);
  expect(data.budgetConsumed).toBeNull();
  const [burn] = data.experiments as Record<string, unknown>[];
  expect(burn!.burnRate).toEqual([
    expect.objectContaining({
      worst: { value: 20 },
      breach: expect.objectContaining({ at: '2024-05-01T12:00:05.000Z' }),
    }),
    { slo: 'search', samples: 0, worst: null, limit: null, breach: null },
  ]);
});

describe('broken reports are refused', () => {
  type Json = Record<string, unknown>;
  const exp = (d: Json): Json => (d.experiments as Json[])[0]!;
  test.each<[string, (d: Json) => void]>([
    ['an unknown suite verdict', (d) => (d.verdict = 'flaky')],
    ['an unknown experiment verdict', (d) => (exp(d).verdict = 'timeout')],
    ['an unknown provider', (d) => (exp(d).provider = 'gremlin')],
    ['no runId', (d) => delete d.runId],
    ['an experiment without its reason', (d) => delete exp(d).reason],
    ['an unknown field', (d) => (d.extra = true)],
    ['an unknown field in an experiment', (d) => (exp(d).color = 'red')],
    ['a score above 100', (d) => (d.score = 100.5)],
    ['a negative duration', (d) => (exp(d).durationMs = -1)],
    ['a timestamp that is not ISO 8601', (d) => (d.startedAt = 'yesterday')],
    [
      'a figure with a value and a reason',
      (d) => {
        (d.gates as { budget: { worstConsumed: unknown } }).budget.worstConsumed = {
          value: 3,
          reason: 'x',
        };
      },
    ],
    ['a recovery that is both', (d) => (exp(d).recovery = { recovered: true, reason: 'x' })],
  ])('%s', (_what, breakIt) => {
    const data = measured();
    expect(errorsOf(data)).toEqual([]);
    breakIt(data);
    expect(errorsOf(data)).not.toEqual([]);
  });
});
