/**
 * `npm run demo` as a newcomer runs it: the bundled CLI (`node dist/cli.js demo`) in a fresh
 * directory, with the real Prometheus (CI installs it) and with the simulated one. It must say
 * that it is a simulation, print a score and a verdict, write the reports with the gates'
 * figures to demo-out/, connect to nothing but 127.0.0.1 and leave no process behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const NO_NETWORK = path.join(ROOT, 'test/support/no-network.mjs');

interface DemoRun {
  status: number | null;
  stdout: string;
  stderr: string;
  dir: string;
  network: string[];
}

function runDemo(env: Record<string, string> = {}): Promise<DemoRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-demo-test-'));
  const netlog = path.join(dir, 'network.log');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      CHAOS_GATE_NETLOG: netlog,
      NODE_OPTIONS: `--import=${NO_NETWORK}`,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const network = existsSync(netlog)
        ? readFileSync(netlog, 'utf8').split('\n').filter(Boolean)
        : [];
      resolve({ status: code, stdout, stderr, dir, network });
    });
  });
}

/** Whether something still listens on a loopback URL's port. */
function listening(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

interface ReportJson {
  verdict: string;
  score: number;
  simulated: boolean;
  prometheus: string;
  budgetConsumed: number;
  experiments: {
    name: string;
    provider: string;
    verdict: string;
    recoveryMs: number | null;
    probes: { probe: string; met: boolean; during: { count: number; passes: number } }[];
    burnRate: { slo: string; samples: number; worst: { value: number } }[];
  }[];
  gates: {
    result: string;
    preflight: { decision: string; slos: { slo: string; remaining: { value: number } }[] };
    budget: { result: string; slos: { slo: string; consumed: { value: number }; limit: number }[] };
  };
}

async function check(run: DemoRun, prometheus: RegExp): Promise<ReportJson> {
  try {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('chaos-gate demo: SIMULATED providers on 127.0.0.1');
    expect(run.stdout).toMatch(
      /Resilience score 80\.0, verdict warn, error budget consumed [\d.]+%/,
    );
    expect(run.stdout).toMatch(prometheus);
    expect(run.stdout).toContain('Nothing was left behind');
    expect(run.stdout).toMatch(
      /Reports \(received by the simulated GitHub and Slack\): PR #42 comment https:\/\/github\.example\/acme\/storefront\/pull\/42#issuecomment-\d+, check run "chaos-gate \/ storefront" neutral, Slack posted\./,
    );
    for (const line of run.network)
      expect(line).toMatch(
        /^(connect 127\.0\.0\.1:\d+|fetch http:\/\/127\.0\.0\.1:\d+\/|dns 127\.0\.0\.1$)/,
      );
    const out = path.join(run.dir, 'demo-out');
    const comment = readFileSync(path.join(out, 'comment.md'), 'utf8');
    expect(comment).toContain('<!-- chaos-gate:suite=storefront -->');
    expect(comment).toContain('Resilience score **80.0**');
    expect(comment).toMatch(/\| checkout-availability \| 70(\.\d+)?% \|/);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8').trim()).toBe(comment.trim());
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('<testcase');
    const slack = JSON.parse(readFileSync(path.join(out, 'slack.json'), 'utf8')) as {
      text: string;
    };
    expect(slack.text).toContain('storefront');
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as ReportJson;
    // Every server the demo started is gone.
    const urls = [...run.stdout.matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of new Set(urls)) expect(await listening(url)).toBe(false);
    return report;
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

function expectGates(report: ReportJson): void {
  expect(report).toMatchObject({ verdict: 'warn', score: 80, simulated: true });
  expect(report.experiments.map((e) => [e.name, e.provider, e.verdict])).toEqual([
    ['checkout-pod-delete', 'litmus', 'pass'],
    ['cart-network-delay', 'chaos-mesh', 'fail'],
    ['az-power-interruption', 'aws-fis', 'pass'],
  ]);
  const remaining = report.gates.preflight.slos[0]!.remaining.value;
  expect(remaining).toBeGreaterThan(65);
  expect(remaining).toBeLessThan(75);
  expect(report.gates.budget.slos[0]).toMatchObject({ slo: 'checkout-availability', limit: 5 });
  expect(report.budgetConsumed).toBeGreaterThan(0);
  expect(report.budgetConsumed).toBeLessThan(2);
  for (const e of report.experiments) {
    expect(e.recoveryMs).not.toBeNull();
    expect(e.burnRate[0]!.samples).toBeGreaterThan(0);
  }
  const delay = report.experiments[1]!.probes[0]!;
  expect(delay.met).toBe(false);
  expect(delay.during.passes).toBeLessThan(delay.during.count);
}

test('npm run demo with the real Prometheus: score, verdict, reports with the gates, nothing left', async () => {
  const report = await check(await runDemo(), /Prometheus: real Prometheus \(Debian package\)/);
  expectGates(report);
  expect(report.prometheus).toBe('real Prometheus (Debian package)');
}, 100_000);

test('the demo with the simulated Prometheus says so and gives the same verdict', async () => {
  const report = await check(
    await runDemo({ CHAOS_GATE_DEMO_PROMETHEUS: 'simulated' }),
    /Prometheus: SIMULATED Prometheus/,
  );
  expectGates(report);
}, 100_000);
