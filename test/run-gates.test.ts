/**
 * Probes and error-budget gates through the real pipeline (`executeRun`), measured against a
 * REAL Prometheus (Debian's, test/support/prometheus.ts) scraping a loopback exporter, with 28
 * days of history backfilled at 0.05% errors (objective 99.9%: half the budget remains), Chaos
 * Mesh experiments in the loopback cluster, and a loopback service under chaos whose health and
 * error ratio the test ties to the chaos objects' lifetime (test/support/target.ts).
 *
 * Tests share the Prometheus; each test that injects errors has an exporter (a `job`) of its
 * own, so the [1m] burn rate of one test never spills into another's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { budgetConsumed, buildJsonReport } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { startCluster, type TestCluster } from './support/cluster.js';
import { backfillOpenMetrics, startExporter, type Exporter } from '../src/sim/exporter.js';
import { startPrometheus, type TestPrometheus } from '../src/sim/prometheus.js';
import { runSuite, type SuiteRun } from './support/run-suite.js';
import { freePort as closedPort } from '../src/sim/listen.js';
import { onChaos, startTarget, type ChaosTimeline, type Target } from '../src/sim/target.js';

const SUITE = path.resolve(import.meta.dirname, 'data', 'gates', 'suite.yml');
const ratio1m = (job: string): string =>
  `sum(rate(http_requests_total{job="${job}",code=~"5.."}[1m])) / sum(rate(http_requests_total{job="${job}"}[1m]))`;
/** Objective 99.9% and maxBurnRate 14.4: a [1m] error ratio above 1.44% is a breach. */
const BREACH_RATIO = 0.0144;
const INTERVAL_MS = 1000;
const FAST_RETRY = { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 };
const END = new Date(Math.floor((Date.now() - 10 * 60_000) / 300_000) * 300_000);

let prom: TestPrometheus | undefined;
/** `checkout` (with history), and one per test that injects errors. */
const exporters: Record<string, Exporter> = {};
const JOBS = ['checkout', 'spend', 'burn'];
let target: Target | undefined;
let cluster: TestCluster | undefined;
let tempDir = '';

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-gates-'));
  for (const job of JOBS) exporters[job] = await startExporter({ rps: 20, errorRatio: 0, job });
  target = await startTarget();
  cluster = await startCluster({ timeScale: 0.5 });
  prom = await startPrometheus({
    scrapeTargets: JOBS.map((j) => exporters[j]!.target),
    scrapeIntervalMs: 1000,
    backfill: backfillOpenMetrics({ days: 28, errorRatio: 0.0005, rps: 10, end: END }),
  });
  // The [1m] ratio needs two live scrapes (the first comes ~5 s after the start).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const live = await Promise.all(JOBS.map((j) => instant(ratio1m(j))));
    if (live.every((v) => v !== undefined)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no live data in Prometheus after 30 s:\n${prom.log()}`);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await prom?.close();
  for (const e of Object.values(exporters)) await e.close();
  await target?.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

afterEach(() => {
  for (const e of Object.values(exporters)) e.setErrorRatio(0);
  if (target) target.healthy = true;
});

async function instant(query: string): Promise<number | undefined> {
  const res = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined || v === 'NaN' ? undefined : Number(v);
}

/** The query evaluated every `stepMs` over a past range: what a reader would have seen then. */
async function range(
  query: string,
  fromMs: number,
  toMs: number,
  stepMs: number,
): Promise<[number, number][]> {
  const q = new URLSearchParams({
    query,
    start: String(fromMs / 1000),
    end: String(toMs / 1000),
    step: String(stepMs / 1000),
  });
  const res = await fetch(`${prom!.url}/api/v1/query_range?${q.toString()}`);
  const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
  return (body.data.result[0]?.values ?? []).map(([t, v]) => [t * 1000, Number(v)]);
}

interface GateRun extends SuiteRun {
  timeline: ChaosTimeline;
  /** Real creates (not dry runs) the cluster answered. */
  creates: number;
}

async function run(
  experiments: string,
  env: Record<string, string>,
  effect: { errorRatio?: number; unhealthy?: boolean; healAfterMs?: number } = {},
  mode: 'run' | 'dry-run' = 'run',
): Promise<GateRun> {
  const c = cluster!;
  const exporter = exporters[env.SLO_JOB ?? 'checkout']!;
  const before = c.server.requests.length;
  let healTimer: NodeJS.Timeout | undefined;
  const { timeline, stop } = onChaos(c.server.store, {
    onStart: () => {
      clearTimeout(healTimer);
      if (effect.errorRatio !== undefined) exporter.setErrorRatio(effect.errorRatio);
      if (effect.unhealthy) target!.healthy = false;
    },
    onEnd: () => {
      exporter.setErrorRatio(0);
      if (effect.unhealthy)
        healTimer = setTimeout(() => {
          target!.healthy = true;
          healedAt.push(Date.now());
        }, effect.healAfterMs ?? 0);
    },
  });
  try {
    const r = await runSuite(experiments, {
      tempDir,
      suiteFile: SUITE,
      kubeApi: c.api,
      env: { PROM_URL: prom!.url, TARGET_URL: target!.url, ...env },
      timeout: 120_000,
      pipeline: { prometheusRetry: FAST_RETRY },
      mode,
    });
    const creates = c.server.requests
      .slice(before)
      .filter((q) => q.method === 'POST' && !q.query.dryRun).length;
    expect(c.leftovers()).toEqual([]);
    return { ...r, timeline, creates };
  } finally {
    stop();
    clearTimeout(healTimer);
  }
}
const healedAt: number[] = [];

test('preflight: half the budget left, 60% required, onLowBudget skip -> skipped, nothing created', async () => {
  const r = await run('mesh-delay', { MIN_BUDGET: '60', ON_LOW_BUDGET: 'skip' });
  expect(r.report.verdict).toBe('skipped');
  expect(r.creates).toBe(0);
  expect(r.timeline.added).toEqual([]);
  expect(r.byName['mesh-delay']).toMatchObject({ verdict: 'skipped', started: false });
  expect(r.byName['mesh-delay']?.reason).toMatch(/error budget too low/);
  const pf = r.report.gates.preflight!;
  expect(pf.decision).toBe('skip');
  const remaining = pf.budget.slos[0]!.remaining;
  expect(remaining.kind).toBe('value');
  // 0.05% errors against 0.1% allowed: 50% left (live traffic without errors nudges it up).
  if (remaining.kind === 'value') {
    expect(remaining.value).toBeGreaterThan(45);
    expect(remaining.value).toBeLessThan(55);
  }
  expect(pf.budget.slos[0]?.reason).toMatch(/below the minimum 60%: chaos skipped/);
  expect(r.report.gates.budget).toBeUndefined();
  expect(r.report.score.score).toBeUndefined();
}, 30_000);

test('preflight: low budget with onLowBudget fail -> fail, nothing created', async () => {
  const r = await run('mesh-delay', { MIN_BUDGET: '60', ON_LOW_BUDGET: 'fail' });
  expect(r.report.verdict).toBe('fail');
  expect(r.report.gates.result).toBe('fail');
  expect(r.creates).toBe(0);
  expect(r.byName['mesh-delay']).toMatchObject({ verdict: 'skipped', started: false });
  expect(r.byName['mesh-delay']?.reason).toMatch(/preflight gate failed/);
}, 30_000);

test('a dry run connects and runs the preflight: skipped when ready, fail when a gate fails', async () => {
  const ready = await run('mesh-delay', {}, {}, 'dry-run');
  expect(ready.report.verdict).toBe('skipped');
  expect(ready.creates).toBe(0);
  expect(ready.report.gates.preflight?.decision).toBe('run');
  expect(ready.report.gates.preflight?.steady.ok).toBe(true);
  expect(ready.byName['mesh-delay']).toMatchObject({
    verdict: 'skipped',
    reason: 'dry run: nothing was injected',
  });
  expect(ready.report.gates.budget).toBeUndefined();
  const low = await run('mesh-delay', { MIN_BUDGET: '60', ON_LOW_BUDGET: 'fail' }, {}, 'dry-run');
  expect(low.report.verdict).toBe('fail');
  expect(low.creates).toBe(0);
}, 30_000);

test('steady state not met before chaos -> error, nothing created', async () => {
  target!.healthy = false;
  const r = await run('mesh-delay', {});
  expect(r.report.verdict).toBe('error');
  expect(r.creates).toBe(0);
  expect(r.byName['mesh-delay']).toMatchObject({ verdict: 'error', started: false });
  expect(r.byName['mesh-delay']?.reason).toMatch(
    /steady state not met before chaos: health: expected 200, got 503/,
  );
  expect(r.report.gates.preflight?.steady.ok).toBe(false);
}, 30_000);

test('Prometheus unreachable -> the preflight gate says so and fails, nothing created', async () => {
  const port = await closedPort();
  const r = await run('mesh-delay', { PROM_URL: `http://127.0.0.1:${port}` });
  expect(r.report.verdict).toBe('fail');
  expect(r.creates).toBe(0);
  const slo = r.report.gates.preflight!.budget.slos[0]!;
  expect(slo.result).toBe('no-data');
  expect(slo.gate).toBe('fail');
  expect(slo.reason).toContain(
    `no data (the error-ratio query failed: Prometheus at http://127.0.0.1:${port}: fetch failed: connect ECONNREFUSED 127.0.0.1:${port} (after 2 attempts))`,
  );
  expect(r.byName['mesh-delay']?.reason).toMatch(/preflight gate failed/);
}, 30_000);

test('recovery time is measured within one probe interval of the truth', async () => {
  // The service fails while the chaos exists and heals 2 s after it is gone.
  const r = await run('mesh-delay', { HEALTH_RATE: '0' }, { unhealthy: true, healAfterMs: 2000 });
  const e = r.byName['mesh-delay']!;
  expect(e.verdict).toBe('pass');
  const m = e.monitoring!;
  expect(m.recovery?.recovered).toBe(true);
  const healed = healedAt.at(-1)!;
  const truth = healed - m.cleanupEndAt!;
  const measured = m.recovery?.recovered ? m.recovery.ms : NaN;
  expect(truth).toBeGreaterThan(0);
  // The first passing sample comes at the first tick after the heal: never (much) before it,
  // never more than one interval after it (plus the sample's own round trip).
  expect(measured).toBeGreaterThanOrEqual(truth - 100);
  expect(measured).toBeLessThanOrEqual(truth + INTERVAL_MS + 250);
  // During chaos the probe failed (successRate 0 tolerates it) and the summary says so.
  const health = m.probes[0]!;
  expect(health.summary.during.count).toBeGreaterThan(2);
  expect(health.summary.during.passes).toBe(0);
  expect(health.summary.during.firstFailure?.reason).toBe('expected 200, got 503');
  expect(health.summary.before).toMatchObject({ count: 1, passes: 1 });
  expect(health.summary.after.passes).toBe(3);
}, 60_000);

test('a probe below its successRate during chaos fails a passing experiment; score counts the probe', async () => {
  const r = await run('mesh-delay', {}, { unhealthy: true });
  const e = r.byName['mesh-delay']!;
  expect(e.verdict).toBe('fail');
  expect(e.reason).toMatch(/but probe health: 0% of \d+ samples passed, below the required 99%/);
  // Failed with one probe of ours, which did not meet its tolerance: 0.
  expect(r.report.score.score).toBe(0);
  expect(r.report.verdict).toBe('fail');
}, 60_000);

test('budget consumed between warnConsumed and maxConsumed -> suite warn, figures in the JSON report', async () => {
  const r = await run(
    'mesh-delay',
    {
      SLO_JOB: 'spend',
      SLO_WINDOW: '6h',
      WARN_CONSUMED: '1',
      MAX_CONSUMED: '100',
      MAX_BURN: '100000',
    },
    { errorRatio: 0.2 },
  );
  expect(r.byName['mesh-delay']?.verdict).toBe('pass');
  const budget = r.report.gates.budget!;
  expect(budget.worst).toBe('warn');
  const consumed = budget.slos[0]!.consumed;
  // ~5 s at 20% errors, measured over the last minute, against 0.1% allowed over 6 h (21.6 s of
  // errors): 0.2 * 5 s / 21.6 s = ~4.6% of the budget with a minute of traffic behind it, up
  // to 0.2 * 60 s / 21.6 s = 56% when the exporter is younger than the minute (this test alone).
  expect(consumed.kind).toBe('value');
  if (consumed.kind === 'value') {
    expect(consumed.value).toBeGreaterThan(2);
    expect(consumed.value).toBeLessThan(60);
  }
  expect(r.report.verdict).toBe('warn');
  const json = buildJsonReport(r.suite, r.report, { environment: 'staging' });
  expect(json).toMatchObject({
    verdict: 'warn',
    gates: {
      result: 'warn',
      preflight: { decision: 'run', slos: [{ slo: 'checkout-availability', result: 'ok' }] },
      budget: { result: 'warn', slos: [{ slo: 'checkout-availability', result: 'warn' }] },
    },
  });
  expect(json.budgetConsumed).toBe(budgetConsumed(r.report));
  expect(json.budgetConsumed).toBe(consumed.kind === 'value' ? consumed.value : NaN);
  const md = renderMarkdown({ suite: 'gates-it', environment: 'staging', report: r.report });
  expect(md).toContain('### Error budget: ⚠️ warn');
  expect(md).toMatch(
    /\| checkout-availability \| 100% \| [\d.]+% \| [\d.]+x \| before ≥ 25%, consumed ≤ 100% \(warn above 1%\), burn ≤ 100000x \| ⚠️ warn \|/,
  );
  expect(md).toMatch(
    /\| mesh-delay \| Chaos Mesh \| ✅ pass \| 100\.0 \| [^|]+ \| \d+m?s \| \d+\/\d+ \(100%\) \|/,
  );
  const burn = (json.experiments as { burnRate: { worst: { value: number } }[] }[])[0]!
    .burnRate[0]!;
  expect(burn.worst.value).toBeGreaterThan(1);
}, 60_000);

test('errors push the burn rate over maxBurnRate: aborted within one probe interval, the suite stops', async () => {
  const r = await run('mesh-long,mesh-delay', { SLO_JOB: 'burn' }, { errorRatio: 0.5 });
  const long = r.byName['mesh-long']!;
  expect(long).toMatchObject({ verdict: 'aborted', stoppedBy: 'breach' });
  expect(long.reason).toMatch(
    /gate breached: checkout-availability: burning the error budget at [\d.]+x, above the maximum 14.4x/,
  );
  expect(r.byName['mesh-delay']).toMatchObject({ verdict: 'error', started: false });
  expect(r.byName['mesh-delay']?.reason).toMatch(
    /not started: the suite stopped: mesh-long breached a gate/,
  );
  expect(r.report.verdict).toBe('fail');
  expect(r.report.gates.result).toBe('fail');
  expect(r.report.gates.breaches).toHaveLength(1);

  // The truth: when Prometheus's [1m] error ratio first went above the limit.
  const breach = long.monitoring!.breach!;
  const chaosStart = r.timeline.added[0]!.at;
  const series = await range(ratio1m('burn'), chaosStart - 1000, breach.at + 2000, 100);
  const truth = series.find(([, v]) => v > BREACH_RATIO)?.[0];
  expect(truth).toBeDefined();
  if (process.env.DEBUG_RUN)
    process.stderr.write(
      `chaos ${chaosStart} truth ${truth! - chaosStart} breach ${breach.at - chaosStart}\n`,
    );
  expect(breach.at).toBeGreaterThanOrEqual(truth! - 300);
  expect(breach.at).toBeLessThanOrEqual(truth! + INTERVAL_MS + 300);
  // ...and chaos was gone soon after: the stop went out at once (the delete waits for the
  // controller's recovery of the targets).
  expect(r.timeline.deleted[0]!.at - breach.at).toBeLessThan(INTERVAL_MS + 3000);
}, 90_000);
