import { Input, type InputName } from '../src/constants.js';
import { ConfigurationError } from '../src/errors.js';
import { kubeconfigSecrets, parseInputs } from '../src/inputs.js';

function parse(values: Partial<Record<InputName, string>>, env: Record<string, string> = {}) {
  const masked: string[] = [];
  const read: InputName[] = [];
  const get = (name: InputName): string => {
    read.push(name);
    return values[name] ?? '';
  };
  try {
    return { inputs: parseInputs(get, { mask: (s) => masked.push(s), env }), masked, read };
  } catch (err) {
    return { error: err as ConfigurationError, masked, read };
  }
}

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: staging
    cluster: { server: https://10.0.0.1:6443, certificate-authority-data: Q0FDRVJU }
users:
  - name: ci
    user:
      token: eyJhbGciOiJSUzI1NiJ9.secret-token
      client-key-data: S0VZREFUQQ==
  - name: exec
    user:
      exec:
        command: aws
        env:
          - { name: AWS_SESSION_TOKEN, value: session-secret-value }
contexts:
  - name: staging-eu
    context: { cluster: staging, user: ci }
current-context: staging-eu
`;

describe('inputs', () => {
  test('defaults match action.yml when nothing is set', () => {
    const { inputs } = parse({});
    expect(inputs).toEqual({
      suite: '.github/chaos/suite.yml',
      experiments: '',
      mode: 'run',
      failOn: 'fail',
      timeoutMs: 30 * 60_000,
      environment: 'staging',
      comment: true,
      checkRun: true,
      slackOn: 'always',
      reportPath: 'chaos-gate-report.json',
    });
  });

  test('every value is parsed into its typed field', () => {
    const { inputs } = parse(
      {
        suite: 'chaos/suite.yml',
        experiments: 'a, tag:smoke',
        mode: 'dry-run',
        'fail-on': 'warn',
        timeout: '1h30m',
        environment: 'qa',
        comment: 'false',
        'check-run': 'False',
        'slack-on': 'change',
        'slack-token': 'xoxb-123456',
        'slack-channel': '#chaos',
        'kube-context': 'staging-eu',
        'prometheus-url': 'http://127.0.0.1:9090',
        'junit-path': 'junit.xml',
      },
      { AWS_REGION: 'eu-west-1' },
    );
    expect(inputs).toMatchObject({
      suite: 'chaos/suite.yml',
      experiments: 'a, tag:smoke',
      mode: 'dry-run',
      failOn: 'warn',
      timeoutMs: 90 * 60_000,
      environment: 'qa',
      comment: false,
      checkRun: false,
      slackOn: 'change',
      slackToken: 'xoxb-123456',
      slackChannel: '#chaos',
      kubeContext: 'staging-eu',
      awsRegion: 'eu-west-1',
      prometheusUrl: 'http://127.0.0.1:9090',
      junitPath: 'junit.xml',
    });
  });

  test('mode cleanup takes a run id or an age', () => {
    expect(parse({ mode: 'cleanup', 'cleanup-run': ' gh-42-1 ' }).inputs).toMatchObject({
      mode: 'cleanup',
      cleanup: { runId: 'gh-42-1' },
    });
    expect(parse({ mode: 'cleanup', 'cleanup-older-than': '1h30m' }).inputs).toMatchObject({
      mode: 'cleanup',
      cleanup: { olderThanMs: 90 * 60_000 },
    });
    expect(parse({ mode: 'run' }).inputs?.cleanup).toBeUndefined();
  });

  test('the aws-region input wins over AWS_REGION', () => {
    expect(
      parse({ 'aws-region': 'us-east-2' }, { AWS_REGION: 'eu-west-1' }).inputs?.awsRegion,
    ).toBe('us-east-2');
  });

  test('secrets are masked before any other input is read', () => {
    const { masked, read } = parse({
      'github-token': 'ghs_abc123',
      'slack-webhook-url': 'https://hooks.slack.com/services/T/B/X',
      'prometheus-token': 'prom-secret',
      suite: 'x.yml',
    });
    expect(masked).toEqual(['ghs_abc123', 'https://hooks.slack.com/services/T/B/X', 'prom-secret']);
    const firstOther = read.findIndex(
      (n) => n === Input.Suite || n === Input.Mode || n === Input.Kubeconfig,
    );
    const lastSecret = Math.max(
      ...['github-token', 'slack-webhook-url', 'slack-token', 'prometheus-token'].map((n) =>
        read.indexOf(n as InputName),
      ),
    );
    expect(lastSecret).toBeLessThan(firstOther);
  });

  test('kubeconfig credentials are masked, the rest stays readable', () => {
    const { masked } = parse({ kubeconfig: KUBECONFIG });
    expect(masked).toEqual(
      expect.arrayContaining([
        'eyJhbGciOiJSUzI1NiJ9.secret-token',
        'S0VZREFUQQ==',
        'session-secret-value',
      ]),
    );
    expect(masked).not.toContain('https://10.0.0.1:6443');
    expect(masked).not.toContain('staging-eu');
    expect(kubeconfigSecrets('not: [valid')).toEqual([]);
  });

  test.each([
    [{ mode: 'apply' }, "Invalid input 'mode': 'apply'. Expected one of: run, dry-run, cleanup."],
    [
      { mode: 'cleanup' },
      "Missing input: mode 'cleanup' takes exactly one of 'cleanup-run' (a run id such as gh-1234-1) and 'cleanup-older-than' (a duration such as 2h).",
    ],
    [
      { mode: 'cleanup', 'cleanup-run': 'gh-1-1', 'cleanup-older-than': '2h' },
      "Invalid input: mode 'cleanup' takes exactly one of 'cleanup-run' (a run id such as gh-1234-1) and 'cleanup-older-than' (a duration such as 2h), not both.",
    ],
    [
      { mode: 'cleanup', 'cleanup-run': 'gh 1,x=y' },
      "Invalid input 'cleanup-run': 'gh 1,x=y'. Expected a run id such as gh-1234-1",
    ],
    [
      { mode: 'cleanup', 'cleanup-older-than': 'soon' },
      "Invalid input 'cleanup-older-than': 'soon'. Expected a duration such as 2h, 90m or 1d.",
    ],
    [
      { mode: 'cleanup', 'cleanup-older-than': '0h' },
      "Invalid input 'cleanup-older-than': '0h'. Expected a duration such as 2h, 90m or 1d.",
    ],
    [
      { 'cleanup-run': 'gh-1-1' },
      "Invalid input 'cleanup-run': 'gh-1-1'. It is only used with mode 'cleanup' (mode is 'run').",
    ],
    [
      { 'fail-on': 'error' },
      "Invalid input 'fail-on': 'error'. Expected one of: fail, warn, never.",
    ],
    [
      { timeout: 'forever' },
      "Invalid input 'timeout': 'forever'. Expected a duration such as 30m, 1h or 90s.",
    ],
    [
      { timeout: '0s' },
      "Invalid input 'timeout': '0s'. Expected a duration such as 30m, 1h or 90s.",
    ],
    [{ comment: 'yes' }, "Invalid input 'comment': 'yes'. Expected true or false."],
    [
      { 'slack-on': 'sometimes' },
      "Invalid input 'slack-on': 'sometimes'. Expected one of: always, failure, change, never.",
    ],
    [
      { 'prometheus-url': 'prometheus:9090' },
      "Invalid input 'prometheus-url': 'prometheus:9090'. Expected an http:// or https:// URL.",
    ],
    [{ 'slack-token': 'xoxb-1' }, "Missing input 'slack-channel'"],
    [{ 'slack-channel': '#c' }, "Missing input 'slack-token'"],
  ] as [Partial<Record<InputName, string>>, string][])('%j is refused: %s', (values, message) => {
    const { error } = parse(values);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.message).toContain(message);
  });

  test('a bad secret value is never quoted in the error', () => {
    const { error } = parse({ 'slack-webhook-url': 'not-a-url-but-secret' });
    expect(error?.message).toBe(
      "Invalid input 'slack-webhook-url': (value hidden). Expected an http:// or https:// URL.",
    );
  });

  test('all problems are reported together', () => {
    const { error } = parse({ mode: 'x', 'fail-on': 'y' });
    expect(error?.issues).toHaveLength(2);
  });
});
