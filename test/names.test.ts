/** Names and labels of what chaos-gate creates (SPEC section 8). */
import {
  EXPERIMENT_LABEL,
  MANAGED_BY_LABEL,
  RUN_LABEL,
  isOurs,
  labelValue,
  newRunId,
  ownerLabels,
  runSuffix,
  suffixedName,
} from '../src/kube/names.js';

/** RFC 1123 label, as Kubernetes checks names of pods, services and the like. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label value: empty, or <= 63 of [A-Za-z0-9._-] starting and ending alphanumeric. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('runSuffix', () => {
  test('is deterministic per run id', () => {
    expect(runSuffix('gh-123-1')).toBe(runSuffix('gh-123-1'));
  });

  test.each([
    ['gh-123-1', 'gh-123-2'],
    ['gh-123-1', 'gh-124-1'],
    ['local-a', 'local-b'],
  ])('%s and %s get different suffixes', (a, b) => {
    expect(runSuffix(a)).not.toBe(runSuffix(b));
  });

  test('is five lower-case base-36 characters', () => {
    for (const id of ['gh-1-1', 'gh-99999999-3', 'local-x', ''])
      expect(runSuffix(id)).toMatch(/^[a-z0-9]{5}$/);
  });

  test('many runs give many different suffixes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(runSuffix(`gh-${1000 + i}-1`));
    expect(seen.size).toBe(200);
  });
});

describe('suffixedName', () => {
  const run = 'gh-4242-1';
  const sfx = runSuffix(run);

  test('is the name, a dash and the run suffix', () => {
    expect(suffixedName('checkout-pod-delete', run)).toBe(`checkout-pod-delete-${sfx}`);
  });

  test('the same experiment in the same run gets the same name; another run another', () => {
    expect(suffixedName('pod-delete', run)).toBe(suffixedName('pod-delete', run));
    expect(suffixedName('pod-delete', run)).not.toBe(suffixedName('pod-delete', 'gh-4242-2'));
  });

  test.each([
    ['short', 'pod-delete'],
    ['exactly 46 before the suffix', 'a'.repeat(46)],
    ['long', 'checkout-service-pod-network-latency-in-the-eu-west-region-canary'],
    ['cut lands on a dash', `${'a'.repeat(45)}-bbbbbbbb`],
    ['cut lands on dashes', `${'a'.repeat(40)}------------bbbb`],
    ['63 characters', 'x'.repeat(63)],
    ['only dashes', '-----'],
    ['empty', ''],
    // a valid object name (the manifest loader accepts dots), but not a DNS-1123 label
    ['dots', 'checkout.pod.delete'],
    ['upper case', 'Checkout-Pod-Delete'],
    ['underscores', 'checkout_pod_delete'],
    ['leading dash', '-pod-delete'],
  ])('%s: at most 52 characters and a DNS-1123 label', (_what, name) => {
    const got = suffixedName(name, run);
    expect(got.length).toBeLessThanOrEqual(52);
    expect(got).toMatch(DNS1123_LABEL);
    expect(got.endsWith(`-${sfx}`)).toBe(true);
  });

  test('a long name keeps its beginning', () => {
    const long = 'checkout-service-pod-network-latency-in-the-eu-west-region-canary';
    const got = suffixedName(long, run);
    expect(got).toHaveLength(52);
    expect(long.startsWith(got.slice(0, 46))).toBe(true);
  });
});

describe('labels', () => {
  test('ownerLabels carries managed-by, the run and the experiment', () => {
    expect(ownerLabels('gh-12-1', 'checkout-pod-delete')).toEqual({
      [MANAGED_BY_LABEL]: 'chaos-gate',
      [RUN_LABEL]: 'gh-12-1',
      [EXPERIMENT_LABEL]: 'checkout-pod-delete',
    });
    expect(MANAGED_BY_LABEL).toBe('app.kubernetes.io/managed-by');
    expect(RUN_LABEL).toBe('chaos-gate.io/run');
  });

  test.each([
    ['gh-12-1', 'gh-12-1'],
    ['Pod Delete (EU)', 'Pod-Delete-EU'],
    ['a/b:c', 'a-b-c'],
    ['--x--', 'x'],
    ['x'.repeat(80), 'x'.repeat(63)],
    [`${'y'.repeat(62)}.z`, 'y'.repeat(62)],
  ])('labelValue(%j) = %j', (text, expected) => {
    const v = labelValue(text);
    expect(v).toBe(expected);
    expect(v).toMatch(LABEL_VALUE);
    expect(v.length).toBeLessThanOrEqual(63);
  });

  test('every experiment name becomes a valid label value', () => {
    for (const name of ['ünïcödé', '___', 'a'.repeat(100) + '!', 'payments latency', '.x.'])
      expect(labelValue(name)).toMatch(LABEL_VALUE);
  });
});

describe('isOurs', () => {
  const labels = ownerLabels('gh-77-2', 'pod-delete');

  test.each<[string, Record<string, string> | undefined, boolean]>([
    ['our labels', labels, true],
    ['with extra labels', { ...labels, app: 'cart' }, true],
    ['another run', ownerLabels('gh-77-1', 'pod-delete'), false],
    ['not managed by us', { ...labels, [MANAGED_BY_LABEL]: 'helm' }, false],
    ['no managed-by', { [RUN_LABEL]: 'gh-77-2' }, false],
    ['no run label', { [MANAGED_BY_LABEL]: 'chaos-gate' }, false],
    ['no labels', undefined, false],
  ])('%s -> %s', (_what, l, expected) => {
    expect(isOurs(l, 'gh-77-2')).toBe(expected);
  });

  test('a run id that needed cleaning for the label still matches', () => {
    const id = 'local run #1';
    expect(isOurs(ownerLabels(id, 'x'), id)).toBe(true);
  });
});

describe('newRunId', () => {
  test.each<[NodeJS.ProcessEnv, string]>([
    [{ GITHUB_RUN_ID: '9876543210', GITHUB_RUN_ATTEMPT: '2' }, 'gh-9876543210-2'],
    [{ GITHUB_RUN_ID: '9876543210' }, 'gh-9876543210-1'],
  ])('%j -> %s', (env, expected) => {
    expect(newRunId(env)).toBe(expected);
  });

  test('a re-run attempt gets other object names', () => {
    const a = newRunId({ GITHUB_RUN_ID: '55', GITHUB_RUN_ATTEMPT: '1' });
    const b = newRunId({ GITHUB_RUN_ID: '55', GITHUB_RUN_ATTEMPT: '2' });
    expect(suffixedName('pod-delete', a)).not.toBe(suffixedName('pod-delete', b));
  });

  test('outside Actions: local-..., random, and a valid label value', () => {
    const a = newRunId({}, () => 0.1);
    const b = newRunId({}, () => 0.9);
    expect(a).toMatch(/^local-[a-z0-9]+-[a-z0-9]{4}$/);
    expect(b).toMatch(/^local-[a-z0-9]+-[a-z0-9]{4}$/);
    expect(a).not.toBe(b);
    expect(labelValue(a)).toBe(a);
  });
});
