/**
 * The run engine with the Litmus and Chaos Mesh providers, end to end against the loopback
 * Kubernetes API (CRD-validating) and the simulated controllers: every verdict path of SPEC
 * section 4, deadlines, maxParallel, dropped watches and 410s, dry-run refusals, and after
 * every test nothing of ours is left in the API and nothing is still injecting.
 */
import { startCluster, type ClusterOptions, type TestCluster } from './support/cluster.js';
import { runSuite, type SuiteRun } from './support/run-suite.js';
import { workdir, type Workdir } from './support/workdir.js';

let cluster: TestCluster;
let tmp: Workdir;

async function fresh(opts: ClusterOptions = {}): Promise<TestCluster> {
  cluster = await startCluster(opts);
  return cluster;
}

beforeEach(() => {
  tmp = workdir();
});

afterEach(async () => {
  // After every test the API holds no object of ours and nothing is injecting.
  const left = cluster.leftovers();
  await cluster.close();
  tmp.remove();
  expect(left).toEqual([]);
});

function run(
  experiments: string,
  opts: { env?: Record<string, string>; timeout?: number; signal?: AbortSignal } = {},
): Promise<SuiteRun> {
  return runSuite(experiments, { tempDir: tmp.dir, kubeApi: cluster.api, ...opts });
}

describe('Litmus', () => {
  test('pass: engine created with our labels and suffix, verdict from the ChaosResult, everything removed', async () => {
    await fresh();
    const seen: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.type === 'ADDED' && e.object.kind === 'ChaosEngine')
        seen.push(`${e.object.metadata.name} ${JSON.stringify(e.object.metadata.labels)}`);
    });
    const { report, byName, rec } = await run('litmus-pass');
    unsubscribe();
    expect(byName['litmus-pass']!.verdict).toBe('pass');
    expect(byName['litmus-pass']!.reason).toContain('Pass');
    expect(report.verdict).toBe('pass');
    expect(report.score.score).toBe(100);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^web-delete-pass-[a-z0-9]{5} /);
    expect(seen[0]).toContain('"app.kubernetes.io/managed-by":"chaos-gate"');
    expect(seen[0]).toContain(`"chaos-gate.io/run":"${report.runId}"`);
    expect(report.leftover.entries).toEqual([]);
    // A line per state change, with the elapsed time.
    expect(
      rec.lines.some((l) =>
        /^\[litmus-pass\] \+\d+\.\ds created ChaosEngine shop\/web-delete-pass-/.test(l),
      ),
    ).toBe(true);
    expect(rec.lines.some((l) => /^\[litmus-pass\] \+\d+\.\ds cleaned up/.test(l))).toBe(true);
  });

  test('fail with the probe percentage: verdict fail, Litmus probe score kept', async () => {
    await fresh();
    cluster.litmus.scenario('web-delete-fail', { verdict: 'Fail', probeSuccessPercentage: 0 });
    const { byName, report } = await run('litmus-fail');
    const r = byName['litmus-fail']!;
    expect(r.verdict).toBe('fail');
    expect(r.providerVerdict?.probeSuccessPercentage).toBe(0);
    expect(r.providerVerdict?.providerProbes).toBe(1);
    expect(r.reason).toMatch(/Fail \(phase Completed_With_Probe_Failure, probe success 0%\)/);
    expect(report.verdict).toBe('fail');
  });

  test('error: the error code and reason from the ChaosResult reach the verdict', async () => {
    await fresh();
    cluster.litmus.scenario('web-delete-error', {
      verdict: 'Error',
      errorCode: 'STATUS_CHECKS_ERROR',
      reason: 'application pods are not running',
    });
    const { byName, report } = await run('litmus-error');
    expect(byName['litmus-error']!.verdict).toBe('error');
    expect(byName['litmus-error']!.reason).toContain('STATUS_CHECKS_ERROR');
    expect(byName['litmus-error']!.reason).toContain('application pods are not running');
    expect(report.verdict).toBe('error');
    expect(report.score.score).toBeUndefined();
  });

  test('a ChaosExperiment carried in the manifest is installed when missing and removed afterwards', async () => {
    await fresh({ podDeleteFault: false });
    const { byName, rec } = await run('litmus-own-fault');
    expect(byName['litmus-own-fault']!.verdict).toBe('pass');
    expect(rec.lines.some((l) => l.includes('installed ChaosExperiment shop/pod-delete'))).toBe(
      true,
    );
    const r = cluster.server.store.resource('litmuschaos.io', 'chaosexperiments')!;
    expect(cluster.server.store.list(r)).toEqual([]);
  });

  test('deadline reached mid-experiment: engine stopped, deleted, verdict error "timed out"', async () => {
    await fresh();
    cluster.litmus.scenario('web-delete-hang', { hang: true });
    const patches: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.object.kind === 'ChaosEngine' && e.type === 'MODIFIED')
        patches.push(String(e.object.spec?.engineState));
    });
    const { byName } = await run('litmus-hang');
    unsubscribe();
    const r = byName['litmus-hang']!;
    expect(r.verdict).toBe('error');
    expect(r.stoppedBy).toBe('deadline');
    expect(r.reason).toContain("timed out after 1s (the experiment's timeout)");
    expect(patches).toContain('stop');
  });

  test('a missing service account is found before anything is created', async () => {
    await fresh();
    const sa = cluster.server.store.resource('', 'serviceaccounts')!;
    cluster.server.store.delete(sa, 'shop', 'pod-delete-sa');
    const created: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.type === 'ADDED') created.push(`${e.object.kind} ${e.object.metadata.name}`);
    });
    const { report } = await run('litmus-pass');
    unsubscribe();
    expect(report.verdict).toBe('error');
    expect(report.outcome.prepareProblems.join('\n')).toContain(
      'chaosServiceAccount shop/pod-delete-sa does not exist',
    );
    expect(created).toEqual([]);
  });
});

describe('connect', () => {
  test('a missing CRD is named with how to install it, and nothing is created', async () => {
    await fresh({
      crds: ['chaosengine_crd.yaml', 'chaosexperiment_crd.yaml', 'chaosresults_crd.yaml'],
    });
    const { report } = await run('mesh-delay,litmus-pass');
    expect(report.verdict).toBe('error');
    expect(report.outcome.prepareProblems).toEqual([
      expect.stringMatching(
        /^the cluster at http:\/\/127\.0\.0\.1:\d+ has no CustomResourceDefinition networkchaos\.chaos-mesh\.org: install Chaos Mesh with its Helm chart/,
      ),
    ]);
    expect(report.outcome.results.every((r) => !r.started)).toBe(true);
  });

  test('a ChaosExperiment the engine runs that is neither installed nor in the manifest is refused before anything is created', async () => {
    await fresh({ podDeleteFault: false });
    const { report } = await run('litmus-pass');
    expect(report.verdict).toBe('error');
    expect(report.outcome.prepareProblems.join('\n')).toContain(
      'litmus-pass: ChaosExperiment shop/pod-delete, which the ChaosEngine runs, is not installed',
    );
    const engines = cluster.server.store.resource('litmuschaos.io', 'chaosengines')!;
    expect(cluster.server.store.list(engines)).toEqual([]);
  });
});

describe('Chaos Mesh', () => {
  test('NetworkChaos with a duration: selected, injected, recovered; verdict pass', async () => {
    await fresh();
    const { byName, rec } = await run('mesh-delay');
    const r = byName['mesh-delay']!;
    expect(r.verdict).toBe('pass');
    expect(r.reason).toMatch(
      /NetworkChaos shop\/web-delay-[a-z0-9]{5} was injected into 1 target and recovered/,
    );
    expect(rec.lines.some((l) => l.includes('deleted NetworkChaos shop/web-delay-'))).toBe(true);
  });

  test('PodChaos pod-kill is one-shot: done once injected', async () => {
    await fresh();
    const { byName } = await run('mesh-kill');
    expect(byName['mesh-kill']!.verdict).toBe('pass');
    expect(byName['mesh-kill']!.reason).toContain('(one-shot)');
  });

  test('no target selected -> error', async () => {
    await fresh();
    const { byName } = await run('mesh-no-target');
    expect(byName['mesh-no-target']!.verdict).toBe('error');
    expect(byName['mesh-no-target']!.reason).toContain('no target selected');
  });

  test('Workflow with a failing StatusCheck -> fail; a passing one -> pass', async () => {
    await fresh();
    cluster.mesh.scenario('checked-delay-fail', { statusCheck: 'failure' });
    const { byName } = await run('mesh-workflow-fail,mesh-workflow-ok');
    expect(byName['mesh-workflow-fail']!.reason).toContain('status check failed');
    expect(byName['mesh-workflow-fail']!.verdict).toBe('fail');
    expect(byName['mesh-workflow-fail']!.reason).toContain('status check failed');
    expect(byName['mesh-workflow-ok']!.verdict).toBe('pass');
  });

  test('stuck finalizer -> error naming the object, saying chaos may still be active; it stays in the ledger', async () => {
    await fresh();
    cluster.mesh.scenario('web-delay-stuck', { stuckFinalizer: true });
    const { byName, report } = await run('mesh-stuck');
    const r = byName['mesh-stuck']!;
    expect(r.verdict).toBe('error');
    expect(r.cleanupProblems.join('\n')).toMatch(
      /NetworkChaos shop\/web-delay-stuck-[a-z0-9]{5} is still there 3s after it was deleted \(finalizers: chaos-mesh\/records\): .*chaos may still be active/,
    );
    expect(report.outcome.cleanupProblems).toHaveLength(1);
    expect(
      report.leftover.entries.map((e) => (e.target.type === 'kubernetes' ? e.target.ref.kind : '')),
    ).toEqual(['NetworkChaos']);
    // Let the test's own teardown find an empty API: the "controller" recovers at last.
    cluster.mesh.scenario('web-delay-stuck', {});
    const nc = cluster.server.store.resource('chaos-mesh.org', 'networkchaos')!;
    const [obj] = cluster.server.store.list(nc);
    cluster.server.store.mutate(nc, 'shop', obj!.metadata.name!, (o) => {
      (o.metadata as Record<string, unknown>).finalizers = [];
    });
  });

  test('deadline mid-experiment: paused, deleted, recovered; verdict error "timed out"', async () => {
    await fresh();
    const { byName } = await run('mesh-long');
    expect(byName['mesh-long']!.verdict).toBe('error');
    expect(byName['mesh-long']!.reason).toContain('timed out after 1s');
    expect(byName['mesh-long']!.cleanupProblems).toEqual([]);
  });

  test('an object invalid against the CRD is refused at dry run (422, field path) and nothing real is created', async () => {
    await fresh();
    const created: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.type === 'ADDED') created.push(`${e.object.kind} ${e.object.metadata.name}`);
    });
    const { report } = await run('mesh-delay,mesh-invalid');
    unsubscribe();
    expect(report.verdict).toBe('error');
    const problems = report.outcome.prepareProblems.join('\n');
    expect(problems).toMatch(
      /mesh-invalid: the API server refused NetworkChaos shop\/web-delay-invalid-[a-z0-9]{5} in a dry run: .*spec\.mode.*\[HTTP 422\]/,
    );
    expect(report.outcome.results.every((r) => !r.started)).toBe(true);
    expect(created).toEqual([]);
  });
});

/** The requests a run made, as `VERB resource` (CRD checks left out: once per run). */
function requestsOf(c: TestCluster): string[] {
  return c.server.requests
    .filter((r) => !r.path.includes('customresourcedefinitions'))
    .map((r) => {
      const parts = r.path.split('/');
      const ns = parts.indexOf('namespaces');
      const plural = parts[ns + 2] ?? '?';
      const named = parts.length > ns + 3;
      const verb =
        r.query.watch === 'true'
          ? 'WATCH'
          : r.query.dryRun
            ? 'DRY-RUN'
            : r.method === 'GET'
              ? named
                ? 'GET'
                : 'LIST'
              : r.method === 'DELETE' && !named
                ? 'DELETE-COLLECTION'
                : r.method;
      return `${verb} ${plural}`;
    });
}

describe('requests to the API server per experiment (issue 8: at most 8)', () => {
  // The run's objects of one kind and namespace are watched together (one LIST + WATCH for the
  // run, not per experiment); cleanup sees an object go on that watch after one DELETE carrying
  // the uid as a precondition (no read first); an engine's ChaosResults are watched from the
  // engine's creation (no list: none can exist before it) and go in one DELETE by label.
  const sorted = (r: string[]): string[] => [...r].sort();

  test('Litmus, one experiment: 9, of which 4 are per experiment; no read before the delete', async () => {
    await fresh();
    await run('litmus-pass');
    expect(sorted(requestsOf(cluster))).toEqual(
      sorted([
        // once per run
        'GET chaosexperiments',
        'GET serviceaccounts',
        'LIST chaosengines',
        'WATCH chaosengines',
        // per experiment
        'DRY-RUN chaosengines',
        'POST chaosengines',
        'WATCH chaosresults',
        'DELETE chaosengines',
        'DELETE-COLLECTION chaosresults',
      ]),
    );
  });

  test('Litmus, two experiments: the engines share one watch; the ChaosExperiment and service account are asked about once', async () => {
    await fresh();
    await run('litmus-pass,litmus-fail');
    const r = requestsOf(cluster);
    const count = (x: string): number => r.filter((y) => y === x).length;
    expect(count('GET chaosexperiments')).toBe(1);
    expect(count('GET serviceaccounts')).toBe(1);
    expect(count('LIST chaosengines')).toBe(1);
    expect(count('WATCH chaosengines')).toBe(1);
    expect(count('DRY-RUN chaosengines')).toBe(2);
    expect(count('WATCH chaosresults')).toBe(2);
    expect(r).toHaveLength(4 + 2 * 5);
  });

  test("Chaos Mesh with a finalizer to wait for: its removal is seen on the run's watch", async () => {
    await fresh();
    // The finalizer kept the object after the DELETE (a deletionTimestamp while it was still
    // there), so cleanup had to wait for it; it did so without a request of its own.
    const kept: string[] = [];
    const unsubscribe = cluster.server.store.subscribe((e) => {
      const md = e.object.metadata as Record<string, unknown>;
      if (e.type === 'MODIFIED' && e.object.kind === 'PodChaos' && md.deletionTimestamp)
        kept.push(e.object.metadata.name ?? '');
    });
    const { byName } = await run('mesh-kill');
    unsubscribe();
    expect(byName['mesh-kill']!.cleanupProblems).toEqual([]);
    expect(kept.length).toBeGreaterThan(0);
    expect(sorted(requestsOf(cluster))).toEqual(
      sorted([
        'LIST podchaos',
        'WATCH podchaos',
        'DRY-RUN podchaos',
        'POST podchaos',
        'DELETE podchaos',
      ]),
    );
  });

  test('Chaos Mesh already recovered: the DELETE answer says it is gone', async () => {
    await fresh();
    await run('mesh-delay');
    expect(sorted(requestsOf(cluster))).toEqual(
      sorted([
        'LIST networkchaos',
        'WATCH networkchaos',
        'DRY-RUN networkchaos',
        'POST networkchaos',
        'DELETE networkchaos',
      ]),
    );
  });

  test('a Role without deletecollection on chaosresults: the results are deleted one by one, and the collection is not asked for again', async () => {
    await fresh();
    // The collection DELETE is refused (RBAC), the item DELETEs are allowed.
    cluster.server.faults.failNext(1, 403, {
      method: 'DELETE',
      pathIncludes: '/namespaces/shop/chaosresults',
    });
    const { byName } = await run('litmus-pass,litmus-fail');
    expect(byName['litmus-pass']!.verdict).toBe('pass');
    expect(byName['litmus-pass']!.cleanupProblems).toEqual([]);
    expect(byName['litmus-fail']!.cleanupProblems).toEqual([]);
    const r = requestsOf(cluster);
    // Refused once, not asked again in the run.
    expect(r.filter((x) => x === 'DELETE-COLLECTION chaosresults')).toHaveLength(1);
    expect(r.filter((x) => x === 'LIST chaosresults')).toHaveLength(2);
    expect(r.filter((x) => x === 'DELETE chaosresults')).toHaveLength(2);
    // afterEach: no ChaosResult left.
  });

  test('a watch the server refuses (403) is an error at once, not a retry until the timeout', async () => {
    await fresh();
    // The only GET of chaosresults an experiment makes is its watch.
    cluster.server.faults.failNext(1, 403, {
      method: 'GET',
      pathIncludes: '/namespaces/shop/chaosresults',
    });
    const { byName } = await run('litmus-pass');
    expect(byName['litmus-pass']!.verdict).toBe('error');
    expect(byName['litmus-pass']!.reason).toMatch(/403/);
    expect(
      cluster.server.requests.filter((r) => r.path.endsWith('/chaosresults') && r.method === 'GET'),
    ).toHaveLength(1);
  });
});

describe('engine', () => {
  test('maxParallel is respected: 4 experiments, 2 at once, they overlap in pairs', async () => {
    await fresh();
    let active = 0;
    let peak = 0;
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.object.kind !== 'NetworkChaos') return;
      if (e.type === 'ADDED') peak = Math.max(peak, ++active);
      if (e.type === 'DELETED') active--;
    });
    const { report } = await run('mesh-delay,mesh-delay-2,mesh-delay-3,mesh-delay-4', {
      env: { MAX_PARALLEL: '2' },
    });
    unsubscribe();
    expect(report.outcome.results.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(peak).toBe(2);
  });

  test('maxParallel 1 runs one at a time', async () => {
    await fresh();
    let active = 0;
    let peak = 0;
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.object.kind !== 'NetworkChaos') return;
      if (e.type === 'ADDED') peak = Math.max(peak, ++active);
      if (e.type === 'DELETED') active--;
    });
    await run('mesh-delay,mesh-delay-2,mesh-delay-3');
    unsubscribe();
    expect(peak).toBe(1);
  });

  test('a dropped watch and a 410 Gone in the middle of an experiment change nothing', async () => {
    await fresh({ timeScale: 0.02 });
    let disrupted = 0;
    const unsubscribe = cluster.server.store.subscribe((e) => {
      // Once the chaos is injected, drop every watch, then expire the history.
      if (
        e.object.kind === 'NetworkChaos' &&
        e.type === 'MODIFIED' &&
        disrupted === 0 &&
        JSON.stringify(e.object.status ?? {}).includes('"Injected"')
      ) {
        disrupted++;
        setTimeout(() => {
          cluster.server.faults.dropWatches();
          // Something else changes, then the history is compacted: resuming must get 410.
          const pods = cluster.server.store.resource('', 'pods')!;
          const [pod] = cluster.server.store.list(pods, { namespace: 'shop' });
          cluster.server.store.mutate(pods, 'shop', pod!.metadata.name!, (o) => {
            o.metadata.annotations = { touched: 'yes' };
          });
          cluster.server.faults.compact();
        }, 0);
      }
    });
    const { byName, report, rec } = await run('mesh-delay');
    unsubscribe();
    expect(disrupted).toBe(1);
    // The watch noticed both: it reconnected from its last resourceVersion (the drop may look
    // like an error or like a clean close to the client), got 410 and listed again.
    const resumed = cluster.server.requests.filter(
      (r) =>
        r.path.endsWith('/networkchaos') && r.query.watch === 'true' && r.query.resourceVersion,
    );
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(rec.lines.some((l) => l.includes('history expired (410 Gone); listing again'))).toBe(
      true,
    );
    expect(byName['mesh-delay']!.verdict).toBe('pass');
    expect(report.outcome.cleanupProblems).toEqual([]);
  });

  test("the run's timeout stops what runs and does not start the rest", async () => {
    await fresh();
    cluster.litmus.scenario('web-delete-hang', { hang: true });
    const { byName } = await run('litmus-hang,mesh-delay', { timeout: 300 });
    expect(byName['litmus-hang']!.verdict).toBe('error');
    expect(byName['litmus-hang']!.reason).toContain("the run's timeout of 300ms was reached");
    expect(byName['mesh-delay']!.started).toBe(false);
    expect(byName['mesh-delay']!.reason).toContain('not started');
  });

  test('cancellation (SIGTERM) stops the running experiment and cleans up', async () => {
    await fresh();
    cluster.litmus.scenario('web-delete-hang', { hang: true });
    const ac = new AbortController();
    const unsubscribe = cluster.server.store.subscribe((e) => {
      if (e.object.kind === 'ChaosResult' && e.type === 'ADDED')
        setTimeout(() => ac.abort('SIGTERM'), 10);
    });
    const { byName, report } = await run('litmus-hang,mesh-delay', { signal: ac.signal });
    unsubscribe();
    expect(report.outcome.cancelled).toBe(true);
    expect(byName['litmus-hang']!.stoppedBy).toBe('cancelled');
    expect(byName['litmus-hang']!.reason).toBe('cancelled: the workflow run was cancelled');
    expect(byName['mesh-delay']!.started).toBe(false);
    expect(report.leftover.entries).toEqual([]);
  });
});
