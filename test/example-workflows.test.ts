/**
 * The example workflows (examples/workflows/) are copied into users' repositories, next to their
 * cluster and AWS credentials, and cannot run here. What can be checked without running them is
 * checked here: every third-party action is pinned to a verified release commit, each job asks
 * for exactly the permissions its steps use, the chaos-gate step gets only inputs action.yml
 * declares (with values the real input parser accepts), secrets come from `secrets.*` only, and
 * the three share one concurrency group so two runs never inject into staging at once. The
 * README's Quick start and its RBAC sketch are held to the same facts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Input, type InputName } from '../src/constants.js';
import { parseInputs } from '../src/inputs.js';
import { CHAOS_KINDS, CHAOS_MESH_API_VERSION } from '../src/providers/chaos-mesh.js';
import {
  ChaosEngine,
  ChaosExperiment,
  ChaosResult,
  StatusCheck,
  Workflow as MeshWorkflow,
  WorkflowNode,
  resourceOf,
} from '../src/kube/resources.js';
import { parseDuration } from '../src/suite/duration.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

const DIR = 'examples/workflows';
const FILES = ['after-deploy.yml', 'nightly.yml', 'pr-check.yml'];

/**
 * Every third-party action the examples use, at the commit of the release named beside it. Each
 * SHA was checked against the action's own repository (and is the one widely pinned for that
 * release): actions/checkout 08c6903c is v5.0.0 (as in this repository's own workflows);
 * aws-actions/configure-aws-credentials a03048d8 is the release commit whose CHANGELOG.md tops
 * out at 5.0.0 (2025-09-03); actions/upload-artifact ea165f8d carries package.json version
 * 4.6.2. Adding an action means verifying its SHA and recording it here.
 */
const PINNED: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '08c6903cd8c0fde910a37f88322edcfb5dd907a8', version: 'v5.0.0' },
  'aws-actions/configure-aws-credentials': {
    sha: 'a03048d87541d1d9fcf2ecf528a4a65ba9bd7838',
    version: 'v5.0.0',
  },
  'actions/upload-artifact': { sha: 'ea165f8d65b6e75b540449e92b4886f43607fa02', version: 'v4.6.2' },
};

const CHAOS_GATE = 'chaos-gate/chaos-gate';
const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials';
/** The one concurrency group of every workflow that injects chaos into staging. */
const STAGING_LOCK = 'chaos-gate-staging';
/** The only scopes a chaos-gate job may write to. */
const WRITE_SCOPES = ['checks', 'id-token', 'pull-requests'];
/** Inputs that carry credentials: they must come from `${{ secrets.* }}`. */
const SECRET_INPUTS: InputName[] = [
  Input.GithubToken,
  Input.SlackWebhookUrl,
  Input.SlackToken,
  Input.PrometheusToken,
  Input.Kubeconfig,
];

type Permissions = Record<string, string> | string;
type Concurrency = string | { group: string; 'cancel-in-progress'?: boolean | string };

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  environment?: unknown;
  'timeout-minutes'?: number;
  permissions?: Permissions;
  concurrency?: Concurrency;
  steps: Step[];
}
interface GitHubWorkflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: Concurrency;
  jobs: Record<string, Job>;
}

const action = parse(read('action.yml')) as {
  inputs: Record<string, { default?: string }>;
};
const ACTION_INPUTS = Object.keys(action.inputs);

const isChaosGate = (s: Step): boolean => !!s.uses?.startsWith(`${CHAOS_GATE}@`);
const isAws = (s: Step): boolean => !!s.uses?.startsWith(`${AWS_CREDENTIALS}@`);
const chaosGateStep = (job: Job): Step => {
  const found = job.steps.filter(isChaosGate);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The `uses:` lines of a file with their trailing comments, as a person (and Dependabot) reads them. */
function usesLines(text: string): { ref: string; comment: string }[] {
  return text
    .split('\n')
    .map((l) => /^\s*(?:- )?uses:\s*(\S+)(?:\s+#\s*(.*?))?\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ref: m[1]!, comment: m[2] ?? '' }));
}

/** Pinned and named: third-party actions as PINNED says; chaos-gate by SHA, or `main` said to be pinned. */
function checkPins(text: string): void {
  const lines = usesLines(text);
  expect(lines.length).toBeGreaterThan(0);
  for (const { ref, comment } of lines) {
    const [name, at] = ref.split('@') as [string, string | undefined];
    if (name === CHAOS_GATE) {
      // No release yet: `main`, with a comment saying to pin it. Once released: a SHA and its tag.
      if (at === 'main') expect(comment).toMatch(/pin/i);
      else {
        expect(at).toMatch(/^[0-9a-f]{40}$/);
        expect(comment).toMatch(/^v\d+\.\d+\.\d+$/);
      }
      continue;
    }
    expect(ref).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
    expect(Object.keys(PINNED)).toContain(name);
    expect({ ref, comment }).toEqual({
      ref: `${name}@${PINNED[name]!.sha}`,
      comment: PINNED[name]!.version,
    });
  }
}

/** What a job's steps need from the GITHUB_TOKEN (and OIDC), from what they do. */
function neededPermissions(job: Job): Record<string, string> {
  const w = chaosGateStep(job).with ?? {};
  const off = (name: InputName): boolean => str(w[name]).trim().toLowerCase() === 'false';
  const needed: Record<string, string> = { contents: 'read' };
  if (!off(Input.CheckRun)) needed.checks = 'write';
  // Without a check run of its own, `slack-on: change` still reads the baseline check run.
  else if (str(w[Input.SlackOn]) === 'change') needed.checks = 'read';
  if (!off(Input.Comment)) needed['pull-requests'] = 'write';
  if (job.steps.some(isAws)) needed['id-token'] = 'write';
  return needed;
}

/** Runs the real input parser on the step's literal values; an expression counts as empty. */
function parseStepInputs(step: Step): ReturnType<typeof parseInputs> {
  const w = step.with ?? {};
  const value = (name: InputName): string => {
    const raw = name in w ? str(w[name]) : str(action.inputs[name]?.default);
    return raw.includes('${{') ? '' : raw;
  };
  return parseInputs(value, { mask: () => undefined, env: {} });
}

const workflows = FILES.map((file) => {
  const text = read(`${DIR}/${file}`);
  const wf = parse(text) as GitHubWorkflow;
  return { file, text, wf, jobs: Object.entries(wf.jobs) };
});
const byFile = (file: string) => workflows.find((w) => w.file === file)!;

test('examples/workflows holds the three documented workflows', () => {
  expect(readdirSync(path.join(root, DIR)).sort()).toEqual(FILES);
});

describe.each(workflows)('$file', ({ text, wf, jobs }) => {
  test('pins every third-party action to a verified release commit, its version beside it', () => {
    checkPins(text);
  });

  test('asks for exactly the permissions its steps use, and writes only where chaos-gate must', () => {
    expect(jobs.length).toBeGreaterThan(0);
    for (const [, job] of jobs) {
      const perms = job.permissions ?? wf.permissions;
      expect(perms).toBeDefined();
      // `read-all` / `write-all` grant every scope.
      expect(typeof perms).toBe('object');
      const p = perms as Record<string, string>;
      expect(p).toEqual(neededPermissions(job));
      for (const [scope, level] of Object.entries(p))
        if (level === 'write') expect(WRITE_SCOPES).toContain(scope);
    }
    // Grants live on the job that uses them, so a job added later starts with none.
    expect(wf.permissions).toBeUndefined();
  });

  test('gives chaos-gate only inputs action.yml declares, with values the action accepts', () => {
    for (const [, job] of jobs) {
      const step = chaosGateStep(job);
      for (const input of Object.keys(step.with ?? {})) expect(ACTION_INPUTS).toContain(input);
      expect(() => parseStepInputs(step)).not.toThrow();
    }
  });

  test('takes every secret from ${{ secrets.* }}, writes none inline, and lists what to set up', () => {
    for (const [, job] of jobs) {
      const w = chaosGateStep(job).with ?? {};
      for (const name of SECRET_INPUTS) {
        if (!(name in w)) continue;
        const value = str(w[name]);
        if (name === Input.GithubToken && value === '${{ github.token }}') continue;
        expect({ [name]: value }).toEqual({
          [name]: expect.stringMatching(/^\$\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}$/),
        });
      }
      for (const step of job.steps) {
        // Secrets go to actions as inputs, never through a shell line (or a condition).
        expect(str(step.run)).not.toMatch(/secrets\./);
        expect(str(step.if)).not.toMatch(/secrets\./);
        // AWS through OIDC only: no access keys, a role to assume.
        if (isAws(step)) {
          for (const key of ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'])
            expect(Object.keys(step.with ?? {})).not.toContain(key);
          expect(str(step.with?.['role-to-assume'])).toMatch(/^\$\{\{ (vars|secrets)\.\w+ \}\}$/);
        }
      }
    }
    // Nothing that looks like a credential is written in the file itself.
    for (const inline of [
      /hooks\.slack\.com\/services\//,
      /xox[abposr]-/,
      /AKIA[0-9A-Z]{16}/,
      /-----BEGIN/,
      /gh[pousr]_[A-Za-z0-9]{20,}/,
      /github_pat_/,
      /client-key-data|client-certificate-data/,
      /secrets:\s*inherit/,
    ])
      expect(text).not.toMatch(inline);
    // Every secret and variable used is named in the header comment that says what to set up.
    const header = text.slice(0, text.search(/^name:/m));
    for (const [, kind, name] of text.matchAll(/\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}/g))
      expect(header).toContain(`${kind}.${name}`);
  });

  test('takes the staging lock at job level, never cancels a run, and outlives its deadline', () => {
    expect(wf.concurrency).toBeUndefined();
    for (const [, job] of jobs) {
      expect(job.concurrency).toEqual({ group: STAGING_LOCK, 'cancel-in-progress': false });
      // The action's own deadline (abort and clean up) comes before the runner's.
      const step = chaosGateStep(job);
      const deadlineMs = parseDuration(str(step.with?.[Input.Timeout]) || '30m')!;
      const jobMs = (job['timeout-minutes'] ?? 360) * 60_000;
      expect(deadlineMs).toBeGreaterThan(0);
      expect(jobMs).toBeGreaterThan(deadlineMs);
      const aws = job.steps.find(isAws);
      if (aws) {
        // Before chaos-gate, so its credentials are still set when chaos-gate's post step runs
        // (post steps run in reverse order); valid longer than the job; within the 1-hour
        // maximum session a role has unless it is raised.
        expect(job.steps.indexOf(aws)).toBeLessThan(job.steps.indexOf(step));
        const seconds = Number(aws.with?.['role-duration-seconds']);
        expect(seconds * 1000).toBeGreaterThanOrEqual(jobMs);
        expect(seconds).toBeLessThanOrEqual(3600);
      }
    }
  });
});

describe('after-deploy.yml', () => {
  const { wf } = byFile('after-deploy.yml');
  const job = wf.jobs.chaos!;
  const w = chaosGateStep(job).with!;

  test('runs on a successful deployment to staging, at the deployed commit', () => {
    expect(Object.keys(wf.on)).toEqual(['deployment_status']);
    expect(job.if).toContain("github.event.deployment_status.state == 'success'");
    expect(job.if).toContain("github.event.deployment.environment == 'staging'");
    // A job environment would record a deployment of its own.
    expect(job.environment).toBeUndefined();
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.ref).toBe('${{ github.event.deployment.sha }}');
    expect(checkout?.with?.['persist-credentials']).toBe(false);
  });

  test('runs the suite on staging with AWS, Prometheus and Slack, and fails on a failed verdict', () => {
    expect(w).toMatchObject({
      suite: '.github/chaos/suite.yml',
      environment: 'staging',
      'fail-on': 'fail',
    });
    expect(w).not.toHaveProperty(Input.Experiments);
    for (const input of [Input.Kubeconfig, Input.PrometheusUrl, Input.SlackWebhookUrl])
      expect(str(w[input])).not.toBe('');
    expect(job.steps.some(isAws)).toBe(true);
  });
});

describe('pr-check.yml', () => {
  const { wf } = byFile('pr-check.yml');
  const job = wf.jobs['chaos-smoke']!;
  const w = chaosGateStep(job).with!;

  test('is a pull request check that skips forks (no secrets, untrusted authors)', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(job.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
  });

  test('runs the smoke experiments and fails the check on a failed verdict', () => {
    expect(w).toMatchObject({
      experiments: 'tag:smoke',
      'fail-on': 'fail',
      environment: 'staging',
    });
    expect(parseStepInputs(chaosGateStep(job)).experiments).toBe('tag:smoke');
  });
});

describe('nightly.yml', () => {
  const { wf, text } = byFile('nightly.yml');
  const job = wf.jobs.chaos!;
  const step = chaosGateStep(job);
  const w = step.with!;

  test('runs on a schedule and by hand', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const schedule = wf.on.schedule as { cron: string }[];
    expect(schedule).toHaveLength(1);
    expect(schedule[0]!.cron.split(' ')).toHaveLength(5);
  });

  test('runs the whole suite, posts to Slack on a change, and says why it does not fail', () => {
    expect(w).not.toHaveProperty(Input.Experiments);
    expect(w).toMatchObject({ 'slack-on': 'change', comment: false });
    expect(['never', 'warn']).toContain(w['fail-on']);
    // The choice is explained in the comment lines right above it.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^\s*fail-on:/.test(l));
    expect(lines[at - 1]).toMatch(/^\s*#/);
  });

  test('keeps the reports it writes as an artifact, also when the verdict failed', () => {
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toContain('always()');
    const paths = str(upload?.with?.path);
    expect(paths).toContain(str(w[Input.ReportPath]));
    expect(paths).toContain(str(w[Input.JunitPath]));
  });
});

describe('the README', () => {
  const readme = read('README.md');
  /** The yaml code blocks of the README section under `heading`. */
  const yamlBlocks = (heading: string): string[] => {
    const start = readme.indexOf(`\n${heading}\n`);
    expect(start).toBeGreaterThan(-1);
    const next = readme.indexOf('\n## ', start + heading.length + 2);
    const section = readme.slice(start, next === -1 ? undefined : next);
    return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  };

  test('links the three workflows', () => {
    for (const file of FILES) expect(readme).toContain(`](${DIR}/${file})`);
  });

  test('its Quick start is the short form of after-deploy.yml', () => {
    const [block] = yamlBlocks('## Quick start');
    const quick = parse(block!) as GitHubWorkflow;
    const full = byFile('after-deploy.yml').wf.jobs.chaos!;
    const [job] = Object.values(quick.jobs);
    expect(Object.keys(quick.on)).toEqual(Object.keys(byFile('after-deploy.yml').wf.on));
    expect(job!.if).toBe(full.if);
    expect(job!.concurrency).toBe(STAGING_LOCK);
    expect(job!.permissions).toEqual(neededPermissions(job!));
    checkPins(block!);
    expect(usesLines(block!)).toEqual(
      usesLines(byFile('after-deploy.yml').text).filter(
        ({ ref }) => !ref.startsWith(AWS_CREDENTIALS),
      ),
    );
    const step = chaosGateStep(job!);
    for (const input of Object.keys(step.with!)) expect(ACTION_INPUTS).toContain(input);
    expect(() => parseStepInputs(step)).not.toThrow();
    expect(step.with!.kubeconfig).toBe(chaosGateStep(full).with!.kubeconfig);
  });

  describe('its RBAC sketch grants what chaos-gate calls and nothing more', () => {
    const sketch = yamlBlocks('## Workflows, cluster access and AWS').find((b) =>
      b.includes('kind: Role'),
    );
    interface Rule {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
    }
    const docs = parseAllDocuments(sketch ?? '').map(
      (d) => d.toJS() as { kind: string; rules: Rule[] },
    );
    const role = docs.find((d) => d.kind === 'Role');
    const clusterRole = docs.find((d) => d.kind === 'ClusterRole');
    const verbs = (rules: Rule[], group: string, resource: string): string[] =>
      [
        ...new Set(
          rules
            .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
            .flatMap((r) => r.verbs),
        ),
      ].sort();
    const CREATE_TO_DELETE = ['create', 'delete', 'get', 'list', 'patch', 'watch'];
    const READ = ['get', 'list', 'watch'];
    /** Chaos Mesh kinds that act on nodes, kernels or cloud machines: only with allowNodeChaos. */
    const NODE_LEVEL = [
      'KernelChaos',
      'BlockChaos',
      'PhysicalMachineChaos',
      'AWSChaos',
      'AzureChaos',
      'GCPChaos',
    ];
    const meshPlural = (kind: string): string => resourceOf(CHAOS_MESH_API_VERSION, kind)!.plural;

    test('a namespaced Role and a ClusterRole', () => {
      expect(role).toBeDefined();
      expect(clusterRole).toBeDefined();
    });

    test('Litmus: engines created, stopped and deleted; experiments when a manifest brings them; results read and deleted', () => {
      const r = role!.rules;
      expect(verbs(r, ChaosEngine.group, ChaosEngine.plural)).toEqual(CREATE_TO_DELETE);
      expect(verbs(r, ChaosExperiment.group, ChaosExperiment.plural)).toEqual(
        ['create', 'delete', ...READ].sort(),
      );
      expect(verbs(r, ChaosResult.group, ChaosResult.plural)).toEqual(
        ['delete', 'deletecollection', ...READ].sort(),
      );
      expect(verbs(r, '', 'serviceaccounts')).toEqual(['get']);
    });

    test('Chaos Mesh: every pod-level kind and Workflows in full, their progress read, node-level kinds left out', () => {
      const r = role!.rules;
      for (const kind of NODE_LEVEL) expect(Object.keys(CHAOS_KINDS)).toContain(kind);
      for (const kind of Object.keys(CHAOS_KINDS)) {
        const expected = NODE_LEVEL.includes(kind) ? [] : CREATE_TO_DELETE;
        expect([kind, verbs(r, 'chaos-mesh.org', meshPlural(kind))]).toEqual([kind, expected]);
      }
      expect(verbs(r, MeshWorkflow.group, MeshWorkflow.plural)).toEqual(CREATE_TO_DELETE);
      expect(verbs(r, WorkflowNode.group, WorkflowNode.plural)).toEqual(READ);
      expect(verbs(r, StatusCheck.group, StatusCheck.plural)).toEqual(READ);
    });

    test('nothing else: no wildcards, no update, no pods or secrets; CRDs only read', () => {
      const known = new Set([
        ...[ChaosEngine, ChaosExperiment, ChaosResult, MeshWorkflow, WorkflowNode, StatusCheck].map(
          (x) => `${x.group}/${x.plural}`,
        ),
        ...Object.keys(CHAOS_KINDS).map((k) => `chaos-mesh.org/${meshPlural(k)}`),
        '/serviceaccounts',
      ]);
      for (const rule of role!.rules) {
        for (const g of rule.apiGroups)
          for (const res of rule.resources) expect(known).toContain(`${g}/${res}`);
        // deletecollection only for ChaosResults (an engine's results in one request).
        const allowed = rule.resources.includes(ChaosResult.plural)
          ? [...CREATE_TO_DELETE, 'deletecollection']
          : CREATE_TO_DELETE;
        for (const v of rule.verbs) expect(allowed).toContain(v);
      }
      expect(clusterRole!.rules).toEqual([
        {
          apiGroups: ['apiextensions.k8s.io'],
          resources: ['customresourcedefinitions'],
          verbs: ['get'],
        },
      ]);
    });
  });
});
