import type { InputName } from '../src/constants.js';
import { run, type RunDependencies } from '../src/main.js';
import { podKill, workdir, type Workdir } from './support/workdir.js';
import { fakeAction } from './support/action.js';
import { startCluster } from './support/cluster.js';

let wd: Workdir;
beforeAll(() => {
  wd = workdir();
  wd.write('kill.yaml', podKill('kill'));
  wd.write(
    'suite.yml',
    [
      'version: 1',
      'name: main',
      'safety: { namespaces: [shop] }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: kill.yaml }',
      '',
    ].join('\n'),
  );
  wd.write(
    'outside.yml',
    [
      'version: 1',
      'name: main',
      'safety: { namespaces: [web] }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: kill.yaml }',
      '',
    ].join('\n'),
  );
});
afterAll(() => wd.remove());

function fake(inputs: Partial<Record<InputName, string>>, pipeline?: RunDependencies['pipeline']) {
  return fakeAction({
    inputs,
    env: { GITHUB_WORKSPACE: wd.dir },
    ...(pipeline ? { pipeline } : {}),
  });
}

describe('run()', () => {
  test('dry-run of a valid suite: plan logged, connected, dry-run created only; verdict skipped, step not failed', async () => {
    const cluster = await startCluster();
    try {
      const before = cluster.server.requests.length;
      const { deps, record } = fake(
        { suite: 'suite.yml', mode: 'dry-run' },
        { kubeApi: cluster.api },
      );
      await run(deps);
      expect(record.failed).toEqual([]);
      expect(record.outputs).toEqual({
        verdict: 'skipped',
        score: '',
        'score-delta': '',
        'budget-consumed': '',
        'comment-url': '',
        'check-run-url': '',
        passed: '0',
        failed: '0',
        errored: '0',
      });
      expect(record.info.join('\n')).toContain('1. kill [chaos-mesh] PodChaos pod-kill');
      expect(record.info.join('\n')).toContain(
        'chaos-mesh: reachable, installed, 1 experiment accepted by a server-side dry run',
      );
      expect(record.summary[0]).toContain('Dry run: nothing was injected.');
      const posts = cluster.server.requests.slice(before).filter((r) => r.method === 'POST');
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.every((r) => r.query.dryRun === 'All')).toBe(true);
      expect(cluster.leftovers()).toEqual([]);
    } finally {
      await cluster.close();
    }
  });

  test('dry-run without a cluster: it connects, so no kubeconfig is a configuration error', async () => {
    const { deps, record } = fake({ suite: 'suite.yml', mode: 'dry-run', kubeconfig: 'nope.yaml' });
    await run(deps);
    expect(record.outputs.verdict).toBe('error');
    expect(record.failed[0]).toContain('Configuration error, nothing was injected');
  });

  test('a namespace outside the allow-list: annotated at the manifest field, step failed, verdict error', async () => {
    const { deps, record } = fake({ suite: 'outside.yml', mode: 'dry-run' });
    await run(deps);
    expect(record.problems).toEqual([
      {
        message:
          'experiment `kill` reaches namespace `shop` (metadata.namespace), which is not in safety.namespaces (web)',
        position: { file: 'kill.yaml', line: 5, column: 14 },
      },
    ]);
    expect(record.failed[0]).toMatch(
      /^Configuration error, nothing was injected:\nkill\.yaml:5:14: experiment `kill` reaches namespace `shop`/,
    );
    expect(record.outputs.verdict).toBe('error');
    expect(record.summary).toEqual([]);
  });

  test('mode run with a kubeconfig that does not exist: configuration error, verdict error, nothing injected', async () => {
    const { deps, record } = fake({ suite: 'suite.yml', kubeconfig: 'no-such-kubeconfig' });
    await run(deps);
    expect(record.failed[0]).toContain('Configuration error, nothing was injected');
    expect(record.failed[0]).toContain(
      'the kubeconfig input is neither kubeconfig YAML nor an existing file: no-such-kubeconfig',
    );
    expect(record.outputs.verdict).toBe('error');
  });
});
