/**
 * Reading Chaos Mesh objects (SPEC section 4; fixtures README section 3). Status objects are
 * built with the exact upstream names: `status.conditions[]` of type Selected / AllInjected /
 * AllRecovered / Paused with status "True"/"False", `status.experiment.desiredPhase` Run/Stop,
 * `status.experiment.containerRecords[]` with phase "Injected" / "Not Injected" and events.
 */
import type { KubeObject } from '../src/kube/object.js';
import {
  ChaosTracker,
  PAUSE_ANNOTATION,
  WORKFLOW_ABORT_ANNOTATION,
  WorkflowTracker,
  statusCheckOutcome,
  type ChaosState,
} from '../src/providers/chaos-mesh-state.js';
import type { ProviderVerdict } from '../src/providers/provider.js';

type TF = 'True' | 'False';

interface RecordOpts {
  id: string;
  phase: 'Injected' | 'Not Injected' | 'Injected/Wait' | 'Not Injected/Wait';
  events?: {
    type: 'Succeeded' | 'Failed';
    operation: 'Apply' | 'Recover';
    message?: string;
  }[];
  injectedCount?: number;
  recoveredCount?: number;
}

interface ChaosOpts {
  kind?: string;
  selected?: TF;
  allInjected?: TF;
  allRecovered?: TF;
  paused?: TF;
  desiredPhase?: 'Run' | 'Stop';
  records?: RecordOpts[] | null;
  annotations?: Record<string, string>;
  deleting?: boolean;
}

function chaos(o: ChaosOpts): KubeObject {
  const conditions: { type: string; status: TF }[] = [];
  if (o.selected) conditions.push({ type: 'Selected', status: o.selected });
  if (o.allInjected) conditions.push({ type: 'AllInjected', status: o.allInjected });
  if (o.allRecovered) conditions.push({ type: 'AllRecovered', status: o.allRecovered });
  if (o.paused) conditions.push({ type: 'Paused', status: o.paused });
  const experiment: Record<string, unknown> = {};
  if (o.desiredPhase) experiment.desiredPhase = o.desiredPhase;
  if (o.records !== undefined)
    experiment.containerRecords =
      o.records === null
        ? null
        : o.records.map((r, i) => ({
            id: r.id,
            selectorKey: '.',
            phase: r.phase,
            injectedCount: r.injectedCount ?? (r.phase.startsWith('Injected') ? 1 : 0),
            recoveredCount: r.recoveredCount ?? 0,
            events: (r.events ?? []).map((e) => ({
              ...e,
              timestamp: `2026-01-01T00:00:0${i}Z`,
            })),
          }));
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: o.kind ?? 'NetworkChaos',
    metadata: {
      name: 'payments-delay-x1y2z',
      namespace: 'shop',
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:05:00Z' } : {}),
    },
    spec: { action: 'delay', mode: 'all', duration: '10s' },
    ...(conditions.length || Object.keys(experiment).length
      ? { status: { conditions, experiment } }
      : {}),
  };
}

const injected = (id: string): RecordOpts => ({
  id,
  phase: 'Injected',
  events: [{ type: 'Succeeded', operation: 'Apply' }],
});
const recovered = (id: string): RecordOpts => ({
  id,
  phase: 'Not Injected',
  events: [
    { type: 'Succeeded', operation: 'Apply' },
    { type: 'Succeeded', operation: 'Recover' },
  ],
});
const PODS = ['shop/payments-7d9f-abcde', 'shop/payments-7d9f-fghij'];

function verdictOf(s: ChaosState): ProviderVerdict {
  if (!s.done) throw new Error(`expected a finished state, got ${JSON.stringify(s)}`);
  return s.verdict;
}

const GRACE = 30_000;

describe('ChaosTracker: a NetworkChaos with a duration', () => {
  // Each step: the object as the controller writes it, and whether we are done then.
  const lifecycle: [string, KubeObject][] = [
    ['created, not reconciled yet', chaos({})],
    [
      'reconciled, records not yet injected',
      chaos({
        selected: 'True',
        allInjected: 'False',
        allRecovered: 'True',
        paused: 'False',
        desiredPhase: 'Run',
        records: PODS.map((id) => ({ id, phase: 'Not Injected' })),
      }),
    ],
    [
      'injected into both pods',
      chaos({
        selected: 'True',
        allInjected: 'True',
        allRecovered: 'False',
        paused: 'False',
        desiredPhase: 'Run',
        records: PODS.map(injected),
      }),
    ],
    [
      'duration over: desiredPhase Stop, still recovering',
      chaos({
        selected: 'True',
        allInjected: 'True',
        allRecovered: 'False',
        paused: 'False',
        desiredPhase: 'Stop',
        records: PODS.map(injected),
      }),
    ],
  ];
  const finished = chaos({
    selected: 'True',
    allInjected: 'False',
    allRecovered: 'True',
    paused: 'False',
    desiredPhase: 'Stop',
    records: PODS.map(recovered),
  });

  test('is not done before it has recovered, then passes naming the target count', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    lifecycle.forEach(([what, o], i) => {
      const s = t.observe(o, i * 1000);
      expect({ what, done: s.done }).toEqual({ what, done: false });
    });
    expect(t.wasInjected).toBe(true);
    const v = verdictOf(t.observe(finished, 10_000));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toContain('2 targets');
    expect(v.reason).toContain('NetworkChaos shop/payments-delay-x1y2z');
    expect(v.details).toMatchObject({ desiredPhase: 'Stop', targets: 2 });
  });

  test('one target: singular in the reason', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(
      chaos({
        selected: 'True',
        allInjected: 'True',
        allRecovered: 'False',
        desiredPhase: 'Run',
        records: [injected(PODS[0]!)],
      }),
      0,
    );
    const v = verdictOf(
      t.observe(
        chaos({
          selected: 'True',
          allInjected: 'False',
          allRecovered: 'True',
          desiredPhase: 'Stop',
          records: [recovered(PODS[0]!)],
        }),
        1,
      ),
    );
    expect(v.verdict).toBe('pass');
    expect(v.reason).toMatch(/1 target\b/);
  });

  test('Stop + AllRecovered without ever having been injected -> error', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(lifecycle[1]![1], 0);
    const v = verdictOf(t.observe(finished, 10_000));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/without being injected/);
  });

  test('short chaos already over at the first look: the records injectedCount says it was injected -> pass', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    const over = chaos({
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      paused: 'False',
      desiredPhase: 'Stop',
      records: PODS.map((id) => ({ ...recovered(id), injectedCount: 1, recoveredCount: 1 })),
    });
    const v = verdictOf(t.observe(over, 0));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toContain('was injected into 2 targets and recovered');
  });

  test('over at the first look, but one record never injected -> error', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    const over = chaos({
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      paused: 'False',
      desiredPhase: 'Stop',
      records: [
        { ...recovered(PODS[0]!), injectedCount: 1, recoveredCount: 1 },
        { ...recovered(PODS[1]!), injectedCount: 0 },
      ],
    });
    expect(verdictOf(t.observe(over, 0)).verdict).toBe('error');
  });

  test('paused outside chaos-gate -> error', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(lifecycle[2]![1], 0);
    const paused = chaos({
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      paused: 'True',
      desiredPhase: 'Stop',
      records: PODS.map(recovered),
      annotations: { [PAUSE_ANNOTATION]: 'true' },
    });
    const v = verdictOf(t.observe(paused, 1000));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/paused/);
  });

  test('object deleted -> error', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(lifecycle[2]![1], 0);
    const v = verdictOf(t.observe(undefined, 1000));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/deleted/);
  });

  test('object being deleted by someone else -> error', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(lifecycle[2]![1], 0);
    const deleting = chaos({
      selected: 'True',
      allInjected: 'True',
      allRecovered: 'False',
      desiredPhase: 'Stop',
      records: PODS.map(injected),
      deleting: true,
    });
    const v = verdictOf(t.observe(deleting, 1000));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/being deleted/);
  });
});

describe('ChaosTracker: a one-shot pod-kill', () => {
  test('is done (pass) as soon as AllInjected is True', () => {
    const t = new ChaosTracker({ oneShot: true, graceMs: GRACE });
    const before = chaos({
      kind: 'PodChaos',
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      desiredPhase: 'Run',
      records: [{ id: PODS[0]!, phase: 'Not Injected' }],
    });
    expect(t.observe(before, 0).done).toBe(false);
    const killed = chaos({
      kind: 'PodChaos',
      selected: 'True',
      allInjected: 'True',
      allRecovered: 'False',
      desiredPhase: 'Run',
      records: [injected(PODS[0]!)],
    });
    const v = verdictOf(t.observe(killed, 1000));
    expect(v.verdict).toBe('pass');
    expect(v.reason).toContain('1 target');
    expect(v.reason).toContain('PodChaos');
  });
});

describe('ChaosTracker: nothing selected', () => {
  const noTarget = chaos({
    selected: 'False',
    allInjected: 'False',
    allRecovered: 'True',
    paused: 'False',
    desiredPhase: 'Run',
    records: null,
  });

  test.each([
    [0, false],
    [GRACE - 1, false],
    [GRACE, true],
    [GRACE + 60_000, true],
  ])('Selected=False for %d ms -> done: %s', (elapsed, done) => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(noTarget, 1_000);
    const s = t.observe(noTarget, 1_000 + elapsed);
    expect(s.done).toBe(done);
    if (s.done) {
      expect(s.verdict.verdict).toBe('error');
      expect(s.verdict.reason).toMatch(/^no target selected/);
    }
  });

  test('the grace restarts once targets are selected again', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(noTarget, 0);
    const selecting = chaos({
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      desiredPhase: 'Run',
      records: [{ id: PODS[0]!, phase: 'Not Injected' }],
    });
    expect(t.observe(selecting, GRACE - 1).done).toBe(false);
    expect(t.observe(noTarget, GRACE + 1).done).toBe(false);
    expect(t.observe(noTarget, 2 * GRACE + 1).done).toBe(true);
  });
});

describe('ChaosTracker: injection failing', () => {
  const failing = chaos({
    selected: 'True',
    allInjected: 'False',
    allRecovered: 'True',
    paused: 'False',
    desiredPhase: 'Run',
    records: [
      {
        id: PODS[0]!,
        phase: 'Not Injected',
        events: [
          {
            type: 'Failed',
            operation: 'Apply',
            message: 'rpc error: code = Unknown desc = container not found',
          },
        ],
      },
    ],
  });

  test('within the grace -> not done', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    expect(t.observe(failing, 0).done).toBe(false);
    expect(t.observe(failing, GRACE - 1).done).toBe(false);
  });

  test('beyond the grace -> error "not injected" with the record and its message', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    t.observe(failing, 0);
    const v = verdictOf(t.observe(failing, GRACE));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/^not injected/);
    expect(v.reason).toContain(PODS[0]!);
    expect(v.reason).toContain('container not found');
  });

  test('a failed Recover event is not an injection failure', () => {
    const t = new ChaosTracker({ oneShot: false, graceMs: GRACE });
    const recoverFailed = chaos({
      selected: 'True',
      allInjected: 'False',
      allRecovered: 'True',
      desiredPhase: 'Run',
      records: [
        {
          id: PODS[0]!,
          phase: 'Not Injected',
          events: [{ type: 'Failed', operation: 'Recover', message: 'x' }],
        },
      ],
    });
    t.observe(recoverFailed, 0);
    expect(t.observe(recoverFailed, GRACE * 2).done).toBe(false);
  });

  test('a failure that then injects passes', () => {
    const t = new ChaosTracker({ oneShot: true, graceMs: GRACE });
    t.observe(failing, 0);
    const ok = chaos({
      kind: 'PodChaos',
      selected: 'True',
      allInjected: 'True',
      allRecovered: 'False',
      desiredPhase: 'Run',
      records: [injected(PODS[0]!)],
    });
    expect(verdictOf(t.observe(ok, GRACE - 1)).verdict).toBe('pass');
  });
});

// ---------------------------------------------------------------------------------------------

interface Cond {
  type: string;
  status: TF;
  reason?: string;
}

function workflow(o: { conditions?: Cond[]; endTime?: string; abort?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name: 'try-workflow-status-check-x1y2z',
      namespace: 'shop',
      ...(o.abort ? { annotations: { [WORKFLOW_ABORT_ANNOTATION]: 'true' } } : {}),
    },
    spec: { entry: 'the-entry', templates: [] },
    status: {
      entryNode: 'the-entry-abcde',
      startTime: '2026-01-01T00:00:00Z',
      ...(o.endTime ? { endTime: o.endTime } : {}),
      conditions: o.conditions ?? [{ type: 'Scheduled', status: 'True', reason: '' }],
    },
  };
}

function node(name: string, template: string, conditions: Cond[]): KubeObject {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'WorkflowNode',
    metadata: {
      name,
      namespace: 'shop',
      labels: {
        'chaos-mesh.org/workflow': 'try-workflow-status-check-x1y2z',
        'chaos-mesh.org/controlled-by': 'the-entry-abcde',
      },
    },
    spec: { templateName: template, workflowName: 'try-workflow-status-check-x1y2z' },
    status: { conditions },
  };
}

function statusCheck(name: string, conditions: Cond[]): KubeObject {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'StatusCheck',
    metadata: {
      name,
      namespace: 'shop',
      labels: {
        'chaos-mesh.org/controlled-by': 'workflow-status-check-fghij',
        'chaos-mesh.org/workflow': 'try-workflow-status-check-x1y2z',
      },
    },
    spec: { mode: 'Continuous', type: 'HTTP', failureThreshold: 3, successThreshold: 1 },
    status: {
      startTime: '2026-01-01T00:00:00Z',
      count: 3,
      conditions: conditions.map((c) => ({
        ...c,
        reason: c.reason ?? '',
        lastProbeTime: '2026-01-01T00:00:30Z',
        lastTransitionTime: '2026-01-01T00:00:30Z',
      })),
      records: [],
    },
  };
}

const ACCOMPLISHED: Cond[] = [
  { type: 'Scheduled', status: 'True' },
  { type: 'Accomplished', status: 'True' },
];
const END = '2026-01-01T00:01:00Z';

const SC_FAILED: Cond[] = [
  { type: 'Completed', status: 'True', reason: 'StatusCheckFailureThresholdExceed' },
  { type: 'DurationExceed', status: 'False' },
  { type: 'FailureThresholdExceed', status: 'True' },
  { type: 'SuccessThresholdExceed', status: 'False' },
];
const SC_RUNNING: Cond[] = [
  { type: 'Completed', status: 'False' },
  { type: 'DurationExceed', status: 'False' },
  { type: 'FailureThresholdExceed', status: 'False' },
  { type: 'SuccessThresholdExceed', status: 'True' },
];
const SC_DONE_OK: Cond[] = [
  { type: 'Completed', status: 'True', reason: 'StatusCheckDurationExceed' },
  { type: 'DurationExceed', status: 'True' },
  { type: 'FailureThresholdExceed', status: 'False' },
  { type: 'SuccessThresholdExceed', status: 'True' },
];

describe('WorkflowTracker', () => {
  const chaosNode = node('network-chaos-abcde', 'network-chaos', [
    { type: 'ChaosInjected', status: 'True', reason: 'ChaosCRCreated' },
  ]);

  test('running -> not done, naming the active templates', () => {
    const t = new WorkflowTracker();
    const s = t.observe(workflow(), [chaosNode], [], false);
    expect(s).toEqual({ done: false, note: 'running network-chaos' });
  });

  test('Accomplished=True without endTime is not done yet', () => {
    const t = new WorkflowTracker();
    expect(t.observe(workflow({ conditions: ACCOMPLISHED }), [], [], false).done).toBe(false);
  });

  test('accomplished with no failed StatusCheck -> pass', () => {
    const t = new WorkflowTracker();
    t.observe(workflow(), [chaosNode], [statusCheck('sc-1', SC_RUNNING)], false);
    const v = verdictOf(
      t.observe(
        workflow({ conditions: ACCOMPLISHED, endTime: END }),
        [],
        [statusCheck('sc-1', SC_DONE_OK)],
        false,
      ),
    );
    expect(v.verdict).toBe('pass');
    expect(v.reason).toContain('accomplished');
    expect(v.reason).toContain('1 status check passed');
  });

  test('a StatusCheck failure (node Aborted, workflow abort annotation) -> fail', () => {
    const t = new WorkflowTracker();
    const scNode = node('workflow-status-check-fghij', 'workflow-status-check', [
      { type: 'Accomplished', status: 'True', reason: 'StatusCheckCompleted' },
      { type: 'Aborted', status: 'True', reason: 'StatusCheckNotExceedSuccessThreshold' },
    ]);
    const v = verdictOf(t.observe(workflow({ abort: true }), [scNode, chaosNode], [], false));
    expect(v.verdict).toBe('fail');
    expect(v.reason).toContain('status check failed');
    expect(v.reason).toContain('workflow-status-check-fghij');
  });

  test('the outcome of a StatusCheck is remembered after it is deleted with its node', () => {
    const t = new WorkflowTracker();
    // Seen failed while the workflow runs (no abortWithStatusCheck: nothing else records it) ...
    expect(t.observe(workflow(), [chaosNode], [statusCheck('sc-7', SC_FAILED)], false).done).toBe(
      false,
    );
    // ... then the node finishes, the StatusCheck is deleted, and the workflow accomplishes.
    const v = verdictOf(
      t.observe(workflow({ conditions: ACCOMPLISHED, endTime: END }), [], [], false),
    );
    expect(v.verdict).toBe('fail');
    expect(v.reason).toContain('sc-7');
  });

  test('aborted outside chaos-gate -> error; aborted by us is not reported as outside', () => {
    const wf = workflow({ conditions: ACCOMPLISHED, endTime: END, abort: true });
    // The nodes' watch may lag the workflow's: the tracker first waits for evidence...
    const tracker = new WorkflowTracker(3_000);
    expect(tracker.observe(wf, [], [], false, 10_000)).toEqual({
      done: false,
      note: 'waiting for the status checks to report',
    });
    expect(tracker.observe(wf, [], [], false, 12_999).done).toBe(false);
    // ...then, with none, says what it knows.
    const outside = verdictOf(tracker.observe(wf, [], [], false, 13_000));
    expect(outside.verdict).toBe('error');
    expect(outside.reason).toMatch(/aborted outside chaos-gate/);
    const ours = verdictOf(new WorkflowTracker().observe(wf, [], [], true));
    expect(ours.reason).not.toMatch(/outside/);
  });

  test('Workflow deleted -> error', () => {
    const v = verdictOf(new WorkflowTracker().observe(undefined, [], [], false));
    expect(v.verdict).toBe('error');
    expect(v.reason).toMatch(/deleted/);
  });
});

test('an aborted StatusCheck node arriving after the workflow turns the wait into fail', () => {
  const wf = workflow({ conditions: ACCOMPLISHED, endTime: END, abort: true });
  const tracker = new WorkflowTracker(3_000);
  expect(tracker.observe(wf, [], [], false, 0).done).toBe(false);
  const node = {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'WorkflowNode',
    metadata: { name: 'workflow-status-check-abcde', namespace: 'shop' },
    spec: { type: 'StatusCheck', templateName: 'workflow-status-check' },
    status: { conditions: [{ type: 'Aborted', status: 'True', reason: 'ParentNodeAborted' }] },
  };
  const v = verdictOf(tracker.observe(wf, [node], [], false, 100));
  expect(v.verdict).toBe('fail');
  expect(v.reason).toContain('status check failed (workflow-status-check-abcde)');
});

describe('statusCheckOutcome', () => {
  test.each<[string, 'success' | 'failure' | undefined, Cond[]]>([
    ['no conditions yet', undefined, []],
    ['running (Completed=False)', undefined, SC_RUNNING],
    [
      'FailureThresholdExceed=True before Completed is written',
      'failure',
      [
        { type: 'Completed', status: 'False' },
        { type: 'FailureThresholdExceed', status: 'True' },
      ],
    ],
    ['Completed, reason StatusCheckFailureThresholdExceed', 'failure', SC_FAILED],
    [
      'Completed, reason StatusCheckSuccessThresholdExceed (Synchronous)',
      'success',
      [
        { type: 'Completed', status: 'True', reason: 'StatusCheckSuccessThresholdExceed' },
        { type: 'DurationExceed', status: 'False' },
        { type: 'FailureThresholdExceed', status: 'False' },
        { type: 'SuccessThresholdExceed', status: 'True' },
      ],
    ],
    ['Completed, reason StatusCheckDurationExceed, last checks succeeded', 'success', SC_DONE_OK],
    [
      // Upstream (workflow statuscheck_reconciler needToAbort): Completed and
      // SuccessThresholdExceed not True is a failed status check, e.g. 2 failures < threshold 3
      'Completed, reason StatusCheckDurationExceed, success threshold never reached',
      'failure',
      [
        { type: 'Completed', status: 'True', reason: 'StatusCheckDurationExceed' },
        { type: 'DurationExceed', status: 'True' },
        { type: 'FailureThresholdExceed', status: 'False' },
        { type: 'SuccessThresholdExceed', status: 'False' },
      ],
    ],
  ])('%s -> %s', (_what, expected, conditions) => {
    expect(statusCheckOutcome(statusCheck('sc', conditions))).toBe(expected);
  });
});
