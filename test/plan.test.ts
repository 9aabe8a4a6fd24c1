import { loadSuite } from '../src/suite/load.js';
import { buildPlan, renderPlanMarkdown, renderPlanText } from '../src/suite/plan.js';
import { podKill, workdir, type Workdir } from './support/workdir.js';

let wd: Workdir;
beforeAll(() => {
  wd = workdir();
  wd.write('kill.yaml', podKill('kill'));
});
afterAll(() => wd.remove());

function suite(maxParallel: number, timeouts: string[], extra = '') {
  const experiments = timeouts
    .map((t, i) =>
      [
        `  - name: e${i + 1}`,
        '    provider: chaos-mesh',
        '    manifest: kill.yaml',
        `    timeout: ${t}`,
        '    probes: [web]',
      ].join('\n'),
    )
    .join('\n');
  wd.write(
    'suite.yml',
    [
      'version: 1',
      'name: plan-test',
      `safety: { namespaces: [shop], maxParallel: ${maxParallel} }`,
      'probes:',
      '  web: { http: { url: "http://127.0.0.1:1/health" }, recoveryTimeout: 1m }',
      extra,
      'experiments:',
      experiments,
      '',
    ].join('\n'),
  );
  return loadSuite('suite.yml', { env: {}, cwd: wd.dir });
}

describe('plan', () => {
  test('one at a time: experiments run back to back, each taking its timeout plus probe recovery', () => {
    const plan = buildPlan(suite(1, ['2m', '3m', '1m']), 30 * 60_000);
    expect(
      plan.steps.map((s) => [s.experiment.name, s.slot, s.startMs / 60_000, s.worstMs / 60_000]),
    ).toEqual([
      ['e1', 1, 0, 3],
      ['e2', 1, 3, 4],
      ['e3', 1, 7, 2],
    ]);
    expect(plan.worstCaseMs).toBe(9 * 60_000);
  });

  test('maxParallel 2: the next experiment takes the first slot that frees up', () => {
    const plan = buildPlan(suite(2, ['5m', '1m', '1m', '1m']), 30 * 60_000);
    expect(plan.steps.map((s) => [s.experiment.name, s.slot, s.startMs / 60_000])).toEqual([
      ['e1', 1, 0],
      ['e2', 2, 0],
      ['e3', 2, 2],
      ['e4', 2, 4],
    ]);
    expect(plan.worstCaseMs).toBe(6 * 60_000);
  });

  test('experiments that would end past the run timeout are flagged, and the text says the timeout wins', () => {
    const plan = buildPlan(suite(1, ['10m', '10m']), 15 * 60_000);
    expect(plan.steps.map((s) => s.pastDeadline)).toEqual([false, true]);
    const text = renderPlanText(plan);
    expect(text).toContain("worst-case wall time 22m; the run's timeout of 15m comes first");
    expect(text).toContain('worst case 11m (past the run deadline)');
  });

  test('renders targets, chaos duration and timeout, in text and escaped Markdown', () => {
    const plan = buildPlan(suite(1, ['2m']), 30 * 60_000);
    const text = renderPlanText(plan);
    expect(text).toContain('1. e1 [chaos-mesh] PodChaos pod-kill');
    expect(text).toContain('target: pods in shop labelled app=cart (mode one)');
    expect(text).toContain('chaos lasts -; timeout 2m; worst case 3m');
    const md = renderPlanMarkdown(plan);
    expect(md).toContain(
      '| 1 | `e1` | chaos-mesh | PodChaos pod-kill | pods in shop labelled app=cart (mode one) | +0s (slot 1) | - | 2m |',
    );
  });

  test('unselected experiments are listed as such', () => {
    const s = suite(1, ['1m', '1m']);
    const selected = loadSuite('suite.yml', { env: {}, cwd: wd.dir, selection: 'e2' });
    expect(s.selected).toHaveLength(2);
    const plan = buildPlan(selected, 30 * 60_000);
    expect(plan.steps.map((st) => st.experiment.name)).toEqual(['e2']);
    expect(plan.skipped).toEqual(['e1']);
    expect(renderPlanText(plan)).toContain('Not selected: e1');
  });
});
