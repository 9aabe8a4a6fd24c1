/**
 * The FIS objects as the loopback server stores them: the restJson1 wire form of the model's
 * shapes (member names as in `com.amazonaws.fis#Experiment` etc., timestamps in epoch seconds).
 * Statuses are open strings: the model knows values (`cancelled`) that older clients do not, and
 * tests may put any value in to check that the shape validator catches it.
 */

export type Tags = Record<string, string>;

export interface StopCondition {
  /** `aws:cloudwatch:alarm` (then `value` is the alarm ARN) or `none`. */
  source: string;
  value?: string;
}

export interface Target {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Tags;
  filters?: { path: string; values: string[] }[];
  /** `ALL`, `COUNT(n)` or `PERCENT(n)`. */
  selectionMode: string;
  parameters?: Record<string, string>;
}

export interface TemplateAction {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}

export interface ExperimentTemplate {
  id: string;
  arn: string;
  description: string;
  targets: Record<string, Target>;
  actions: Record<string, TemplateAction>;
  stopConditions: StopCondition[];
  creationTime: number;
  lastUpdateTime: number;
  roleArn: string;
  tags: Tags;
  experimentOptions?: { accountTargeting?: string; emptyTargetResolutionMode?: string };
  targetAccountConfigurationsCount?: number;
}

export interface ExperimentState {
  status: string;
  reason?: string;
  error?: { accountId?: string; code?: string; location?: string };
}

export interface ExperimentAction extends TemplateAction {
  state: { status: string; reason?: string };
  startTime?: number;
  endTime?: number;
}

export interface Experiment {
  id: string;
  arn: string;
  experimentTemplateId: string;
  roleArn: string;
  state: ExperimentState;
  targets: Record<string, Target>;
  actions: Record<string, ExperimentAction>;
  stopConditions: StopCondition[];
  creationTime: number;
  startTime?: number;
  endTime?: number;
  tags: Tags;
  experimentOptions?: {
    accountTargeting?: string;
    emptyTargetResolutionMode?: string;
    actionsMode?: string;
  };
  targetAccountConfigurationsCount?: number;
}

/** What `addTemplate` takes: every member is optional, the rest comes from the defaults. */
export interface TemplateInput {
  id?: string;
  description?: string;
  tags?: Tags;
  stopConditions?: StopCondition[];
  targets?: Record<string, Target>;
  actions?: Record<string, TemplateAction>;
  roleArn?: string;
}

export type ScenarioOutcome = 'completed' | 'stopped-by-alarm' | 'failed' | 'cancelled' | 'hang';

/** How the experiments started from a template end. */
export interface Scenario {
  /** Default `completed`. */
  outcome?: ScenarioOutcome;
  /**
   * Simulated time from `running` to the outcome (the wall-clock wait is this times the server's
   * `timeScale`). Default: the longest ISO 8601 duration among the template's action parameters
   * (`PT1M` for the default template), else one minute.
   */
  durationMs?: number;
  /** `failed`: `state.error.code`. Default `InternalFailure`. */
  errorCode?: string;
  /** The terminal `state.reason` instead of the default one. */
  reason?: string;
}

export const TERMINAL_STATUSES: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];
