/** Names of the action's inputs, outputs and saved state: one place, used by action.yml's tests too. */
export const Input = {
  Suite: 'suite',
  Experiments: 'experiments',
  Mode: 'mode',
  FailOn: 'fail-on',
  Timeout: 'timeout',
  Environment: 'environment',
  GithubToken: 'github-token',
  Comment: 'comment',
  CheckRun: 'check-run',
  SlackWebhookUrl: 'slack-webhook-url',
  SlackToken: 'slack-token',
  SlackChannel: 'slack-channel',
  SlackOn: 'slack-on',
  Kubeconfig: 'kubeconfig',
  KubeContext: 'kube-context',
  AwsRegion: 'aws-region',
  PrometheusUrl: 'prometheus-url',
  PrometheusToken: 'prometheus-token',
  ReportPath: 'report-path',
  JunitPath: 'junit-path',
  /** `mode: cleanup`: remove what this run id left behind. */
  CleanupRun: 'cleanup-run',
  /** `mode: cleanup`: remove what any run left behind longer ago than this. */
  CleanupOlderThan: 'cleanup-older-than',
} as const;
export type InputName = (typeof Input)[keyof typeof Input];

export const Output = {
  Verdict: 'verdict',
  Score: 'score',
  ScoreDelta: 'score-delta',
  BudgetConsumed: 'budget-consumed',
  Passed: 'passed',
  Failed: 'failed',
  Errored: 'errored',
  ReportPath: 'report-path',
  CommentUrl: 'comment-url',
  CheckRunUrl: 'check-run-url',
} as const;
export type OutputName = (typeof Output)[keyof typeof Output];

export const State = {
  /** The run id the post step cleans up after. */
  RunId: 'run-id',
  /** The ledger as JSON: everything of this run that may still exist. */
  Ledger: 'ledger',
  /** The ledger file under RUNNER_TEMP (newer than the state when the main step was killed). */
  LedgerFile: 'ledger-file',
} as const;
