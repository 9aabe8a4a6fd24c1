/**
 * The end-to-end workflow (.github/workflows/e2e-kind.yml) cannot run here (it needs Docker for
 * kind), so what can be checked without a cluster is checked here: the workflow is pinned and
 * least-privileged, it runs the action the way the suite allows, and the suite, the app and the
 * Litmus prerequisites agree on namespaces, context and environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigurationError } from '../src/errors.js';
import { loadSuite } from '../src/suite/load.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

const WORKFLOW = '.github/workflows/e2e-kind.yml';
const SUITE = 'examples/e2e/suite.yml';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  jobs: Record<string, { steps: Step[] }>;
}

const workflowText = read(WORKFLOW);
const workflow = parse(workflowText) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const actionStep = steps.find((s) => s.uses === './');

/** Namespaces of every object in a multi-document manifest (a Namespace counts as its own). */
function namespacesOf(file: string): string[] {
  return parseAllDocuments(read(file)).flatMap((doc) => {
    const o = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } };
    if (!o) return [];
    if (o.kind === 'Namespace') return [o.metadata?.name ?? ''];
    return o.metadata?.namespace ? [o.metadata.namespace] : [];
  });
}

describe('the e2e workflow', () => {
  test('pins every third-party action to a full commit SHA with its version beside it', () => {
    const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
    const remote = uses.filter((u) => !u.startsWith('./'));
    expect(remote.length).toBeGreaterThanOrEqual(4);
    for (const u of remote) expect(u).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
    // The `# vX.Y.Z` comment says which release the SHA is, for people and for Dependabot.
    for (const line of workflowText.split('\n').filter((l) => /^\s*(- )?uses: (?!\.\/)/.test(l)))
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    // Checkout and upload-artifact are pinned like the rest of the repository's workflows.
    expect(remote).toContain('actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8');
    expect(remote).toContain('actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02');
  });

  test('asks for the least it needs: read the code, write the check run and the PR comment', () => {
    expect(workflow.permissions).toEqual({
      contents: 'read',
      checks: 'write',
      'pull-requests': 'write',
    });
  });

  test('runs by hand, weekly, and on pull requests that touch the action or the e2e suite', () => {
    expect(Object.keys(workflow.on).sort()).toEqual([
      'pull_request',
      'schedule',
      'workflow_dispatch',
    ]);
    expect(workflow.on.schedule).toEqual([{ cron: expect.any(String) }]);
    expect((workflow.on.pull_request as { paths: string[] }).paths.sort()).toEqual(
      [
        'src/**',
        'dist/**',
        'action.yml',
        'examples/e2e/**',
        '.github/workflows/e2e-kind.yml',
      ].sort(),
    );
  });

  test('runs the action on the e2e suite, in the kind context the cluster step creates', () => {
    expect(actionStep).toBeDefined();
    const w = actionStep!.with!;
    expect(w).toMatchObject({
      suite: SUITE,
      mode: 'run',
      environment: 'e2e',
      kubeconfig: '',
      'kube-context': 'kind-chaos-gate',
      'fail-on': 'never',
    });
    expect(w['report-path']).toEqual(expect.any(String));
    // Every input given is one the action declares.
    const action = parse(read('action.yml')) as { inputs: Record<string, unknown> };
    for (const input of Object.keys(w)) expect(Object.keys(action.inputs)).toContain(input);
    // kind names its context `kind-<cluster name>`.
    const kind = steps.find((s) => s.uses?.startsWith('helm/kind-action@'));
    expect(`kind-${String(kind?.with?.cluster_name)}`).toBe(w['kube-context']);
  });

  test('judges the outputs after the run and then looks for anything chaos-gate left behind', () => {
    const at = (s: Step | undefined): number => (s ? steps.indexOf(s) : -1);
    const id = actionStep!.id!;
    const verdict = steps.find((s) => s.run?.includes('$VERDICT'));
    expect(verdict?.if).toContain('!cancelled()');
    const verdictEnv = JSON.stringify(verdict);
    for (const output of ['verdict', 'passed', 'failed', 'errored'])
      expect(verdictEnv).toContain(`steps.${id}.outputs.${output}`);
    const leftovers = steps.find((s) => s.run?.includes('app.kubernetes.io/managed-by=chaos-gate'));
    expect(leftovers?.if).toBeDefined();
    for (const kind of ['chaosengines', 'chaosresults', 'podchaos', 'networkchaos', 'workflows'])
      expect(leftovers?.run).toContain(kind);
    expect(at(verdict)).toBeGreaterThan(at(actionStep));
    expect(at(leftovers)).toBeGreaterThan(at(actionStep));
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toContain('always()');
    expect(String(upload?.with?.path)).toContain(String(actionStep!.with!['report-path']));
  });

  test('applies files that exist, and expects as many experiments as the suite has', () => {
    const applied = steps
      .flatMap((s) => s.run?.match(/examples\/e2e\/[\w./-]+\.ya?ml/g) ?? [])
      .concat(SUITE);
    for (const file of applied) expect(existsSync(path.join(root, file))).toBe(true);
    const suite = loadSuite(SUITE, { env: {}, cwd: root, environment: 'e2e' });
    expect(Number(workflow.env?.EXPECTED_EXPERIMENTS)).toBe(suite.experiments.length);
  });
});

describe('the e2e suite', () => {
  const suite = loadSuite(SUITE, {
    env: {},
    cwd: root,
    environment: 'e2e',
    kubeContext: 'kind-chaos-gate',
  });

  test('loads with the environment and context the workflow gives it', () => {
    expect(suite.name).toBe('e2e');
    expect(suite.safety).toMatchObject({
      namespaces: ['e2e-app'],
      kubeContexts: ['kind-chaos-gate'],
      environments: ['e2e'],
      maxParallel: 2,
      allowNodeChaos: false,
    });
    expect(
      suite.experiments.map((e) => [e.name, e.provider, e.objects.map((o) => o.object.kind)]),
    ).toEqual([
      ['web-pod-delete', 'litmus', ['ChaosEngine']],
      ['web-pod-kill', 'chaos-mesh', ['PodChaos']],
      ['web-delay', 'chaos-mesh', ['NetworkChaos']],
    ]);
    for (const e of suite.experiments)
      expect(e.blastRadius.namespaces.map((t) => t.namespace)).toEqual(
        expect.arrayContaining(['e2e-app']),
      );
  });

  test('refuses any other context or environment', () => {
    const load = (environment: string, kubeContext: string) => () =>
      loadSuite(SUITE, { env: {}, cwd: root, environment, kubeContext });
    expect(load('e2e', 'kind-kind')).toThrow(ConfigurationError);
    expect(load('staging', 'kind-chaos-gate')).toThrow(ConfigurationError);
  });

  test('the app and the Litmus prerequisites live in the namespaces the suite allows', () => {
    const allowed = suite.safety.namespaces;
    const app = namespacesOf('examples/e2e/app.yaml');
    expect([...new Set(app)].sort()).toEqual([...allowed].sort());
    expect(namespacesOf('examples/e2e/litmus-rbac.yaml').every((ns) => allowed.includes(ns))).toBe(
      true,
    );
    // The ChaosEngine's service account is the one litmus-rbac.yaml creates.
    const engine = suite.experiments[0]!.objects[0]!.object as {
      spec?: { chaosServiceAccount?: string };
    };
    const accounts = parseAllDocuments(read('examples/e2e/litmus-rbac.yaml'))
      .map((d) => d.toJS() as { kind: string; metadata: { name: string } })
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => o.metadata.name);
    expect(accounts).toContain(engine.spec?.chaosServiceAccount);
  });
});
