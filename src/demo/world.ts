/**
 * The demo's simulated world, all on 127.0.0.1: a Kubernetes API server (validating against the
 * upstream CRDs) with simulated LitmusChaos and Chaos Mesh controllers and the `shop` apps, a
 * simulated AWS FIS (and STS) with the demo's template, a "storefront" service (`/health`) and
 * its exporter (`/metrics`, job `checkout`), and Prometheus: the real one when it is installed
 * (28 days of history backfilled), else a clearly labelled simulated one.
 *
 * While chaos of ours is active the service suffers the way a real one would: a ChaosEngine
 * (pod deleted) raises the error ratio to 0.5%, an AWS FIS experiment (AZ power loss) to 0.8%,
 * and a NetworkChaos (200 ms delay) makes 40% of health checks time out as 503s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { createFisApi, type FisApi } from '../aws/fis.js';
import { createKubeApi, type KubeApi } from '../kube/api.js';
import { MANAGED_BY_LABEL } from '../kube/names.js';
import { seedApp, seedServiceAccount } from '../sim/kube/app.js';
import { ChaosMeshControllerSim } from '../sim/kube/chaos-mesh-controller.js';
import { LitmusOperatorSim } from '../sim/kube/litmus-operator.js';
import { startKubeApiServer, type KubeApiServer } from '../sim/kube/server.js';
import { startFisServer, type FisServer } from '../sim/fis/server.js';
import { backfillOpenMetrics, startExporter, type Exporter } from '../sim/exporter.js';
import { startPrometheus } from '../sim/prometheus.js';
import { startSimulatedPrometheus } from '../sim/prometheus-sim.js';
import { startTarget, type Target } from '../sim/target.js';
import { startGitHubServer, type GitHubServer } from '../sim/github.js';
import { startSlackServer, type SlackServer } from '../sim/slack.js';

export const DEMO_CREDENTIALS = {
  accessKeyId: 'AKIDDEMOLOOPBACK',
  secretAccessKey: 'demo-loopback-secret',
};

/** Normal traffic: 50 requests per second, 0.02% of them failing. */
const BASE = { rps: 50, errorRatio: 0.0002 };
/** The 28 days before the demo: 0.03% errors against 0.1% allowed, so 70% of the budget is left. */
const HISTORY = { rps: 10, errorRatio: 0.0003 };

export interface DemoWorld {
  kube: { server: KubeApiServer; api: KubeApi };
  fis: { server: FisServer; api: FisApi };
  target: Target;
  exporter: Exporter;
  prometheus: { url: string; kind: 'real' | 'simulated'; note: string };
  github: GitHubServer;
  slack: SlackServer;
  /** The PR the demo's "deploy" belongs to. */
  pullRequest: number;
  /** The Actions environment a deployment_status run would see, pointing at the simulated GitHub. */
  githubEnv: NodeJS.ProcessEnv;
  /** Everything of ours still in the simulated cluster or FIS (should be empty at the end). */
  leftovers(): string[];
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Simulated time per real time for the controllers and FIS (default 0.2). */
  timeScale?: number;
  /** Use the simulated Prometheus even when the real one is installed. */
  simulatedPrometheus?: boolean;
  /** Progress lines. */
  say(line: string): void;
}

const CHAOS_GROUPS = new Set(['chaos-mesh.org', 'litmuschaos.io']);

export async function startWorld(opts: WorldOptions): Promise<DemoWorld> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const timeScale = opts.timeScale ?? 0.2;
    // Kubernetes
    const server = await startKubeApiServer({ namespaces: ['default'] });
    closers.push(() => server.close());
    const { store } = server;
    seedApp(store, { namespace: 'shop', name: 'checkout', replicas: 3 });
    seedApp(store, { namespace: 'shop', name: 'cart', replicas: 2 });
    seedServiceAccount(store, 'shop', 'pod-delete-sa');
    const litmus = new LitmusOperatorSim(store, { timeScale });
    const mesh = new ChaosMeshControllerSim(store, { timeScale });
    litmus.start();
    mesh.start();
    closers.push(() => {
      litmus.stop();
      mesh.stop();
    });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig({ context: 'demo-staging' }));
    const kubeApi = createKubeApi(kc);
    opts.say(`Kubernetes API (simulated, with Litmus and Chaos Mesh controllers): ${server.url}`);

    // AWS FIS
    const fisServer = await startFisServer({ timeScale: timeScale / 3, region: 'eu-west-1' });
    closers.push(() => fisServer.close());
    const template = fisServer.addTemplate({
      tags: { Environment: 'staging', Name: 'az-power-interruption' },
    });
    fisServer.scenario(template, { outcome: 'completed', durationMs: 60_000 });
    const fisApi = createFisApi({
      region: 'eu-west-1',
      endpoint: fisServer.url,
      stsEndpoint: fisServer.url,
      credentials: DEMO_CREDENTIALS,
    });
    closers.push(() => fisApi.close());
    opts.say(`AWS FIS and STS (simulated): ${fisServer.url}`);

    // The storefront and its metrics
    const target = await startTarget();
    closers.push(() => target.close());
    const exporter = await startExporter({ ...BASE, job: 'checkout' });
    closers.push(() => exporter.close());
    opts.say(`storefront service: ${target.url}/health, metrics ${exporter.url}`);

    // How chaos hurts it, re-evaluated every 100 ms.
    const ours = (group: string, plural: string): number => {
      const r = store.resource(group, plural);
      return r
        ? store.list(r).filter((o) => o.metadata.labels?.[MANAGED_BY_LABEL] === 'chaos-gate').length
        : 0;
    };
    const effects = setInterval(() => {
      const engines = ours('litmuschaos.io', 'chaosengines');
      const delays = ours('chaos-mesh.org', 'networkchaos');
      const fisRunning = fisServer.running().length;
      const ratio = Math.max(BASE.errorRatio, engines ? 0.005 : 0, fisRunning ? 0.008 : 0);
      if (ratio !== currentRatio) {
        exporter.setErrorRatio(ratio);
        currentRatio = ratio;
      }
      const flaky = delays ? 0.4 : 0;
      if (flaky !== target.failRatio) target.failRatio = flaky;
    }, 100);
    let currentRatio = BASE.errorRatio;
    effects.unref();
    closers.push(() => clearInterval(effects));

    // GitHub (a PR whose head was just deployed to staging) and Slack
    const github = await startGitHubServer({ owner: 'acme', repo: 'storefront' });
    closers.push(() => github.close());
    const sha = 'c0ffee0000000000000000000000000000000042';
    github.addPullRequest({ number: 42, headSha: sha, title: 'Faster checkout' });
    const slack = await startSlackServer();
    closers.push(() => slack.close());
    const eventDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-demo-event-'));
    closers.push(() => rmSync(eventDir, { recursive: true, force: true }));
    const eventPath = path.join(eventDir, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({
        deployment_status: { state: 'success', environment: 'staging' },
        deployment: { sha, environment: 'staging' },
        repository: { full_name: 'acme/storefront', default_branch: 'main' },
      }),
    );
    const githubEnv: NodeJS.ProcessEnv = {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: github.serverUrl,
      GITHUB_REPOSITORY: 'acme/storefront',
      GITHUB_SHA: sha,
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'deployment_status',
      GITHUB_EVENT_PATH: eventPath,
    };
    opts.say(`GitHub API (simulated, PR #42): ${github.url}; Slack (simulated): ${slack.url}`);

    // Prometheus
    let prometheus: DemoWorld['prometheus'];
    const simulated = async (why: string): Promise<DemoWorld['prometheus']> => {
      const sim = await startSimulatedPrometheus({
        jobs: { checkout: exporter },
        history: HISTORY,
      });
      closers.push(() => sim.close());
      return { url: sim.url, kind: 'simulated', note: `SIMULATED Prometheus (${why})` };
    };
    if (opts.simulatedPrometheus) {
      prometheus = await simulated('asked for');
    } else {
      try {
        const end = new Date(Math.floor((Date.now() - 10 * 60_000) / 300_000) * 300_000);
        const real = await startPrometheus({
          scrapeTargets: [exporter.target],
          scrapeIntervalMs: 1000,
          backfill: backfillOpenMetrics({ days: 28, ...HISTORY, end }),
        });
        closers.push(() => real.close());
        prometheus = { url: real.url, kind: 'real', note: 'real Prometheus (Debian package)' };
        opts.say(
          `Prometheus (real, 28 days of history backfilled): ${real.url}; waiting for two scrapes...`,
        );
        await waitForScrapes(real.url);
      } catch (err) {
        const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
        prometheus = await simulated(`the real one is not available: ${why}`);
      }
    }
    if (prometheus.kind === 'simulated')
      opts.say(`Prometheus: ${prometheus.note}: ${prometheus.url}`);

    return {
      kube: { server, api: kubeApi },
      fis: { server: fisServer, api: fisApi },
      target,
      exporter,
      prometheus,
      github,
      slack,
      pullRequest: 42,
      githubEnv,
      leftovers() {
        const out: string[] = [];
        for (const r of store.allResources()) {
          if (!CHAOS_GROUPS.has(r.group)) continue;
          for (const o of store.list(r))
            if (o.metadata.labels?.[MANAGED_BY_LABEL] === 'chaos-gate')
              out.push(`${r.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
        }
        return [
          ...out,
          ...litmus.activeChaos(),
          ...mesh.activeChaos(),
          ...fisServer.running().map((id) => `FIS experiment ${id}`),
        ];
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Until the [1m] error ratio has a value (two scrapes of the exporter), at most 30 s. */
async function waitForScrapes(url: string): Promise<void> {
  const q =
    'sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m])) / sum(rate(http_requests_total{job="checkout"}[1m]))';
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
      const v = body.data?.result?.[0]?.value?.[1];
      if (v !== undefined && v !== 'NaN') return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Prometheus scraped nothing within 30 s');
}
