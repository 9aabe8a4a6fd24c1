/**
 * The action's inputs, read once into a typed object. Secrets are masked before anything else
 * is read, and a bad value is quoted with what was expected (never a secret's value).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigurationError, type ConfigIssue } from './errors.js';
import { Input, type InputName } from './constants.js';
import { parseDuration } from './suite/duration.js';
import { labelValue } from './kube/names.js';
import type { SweepSelector } from './sweep-select.js';

export type Mode = 'run' | 'dry-run' | 'cleanup';
export type FailOn = 'fail' | 'warn' | 'never';
export type SlackOn = 'always' | 'failure' | 'change' | 'never';

export interface Inputs {
  /** Path of the suite file. */
  suite: string;
  /** Comma-separated experiment names and `tag:NAME` selectors; empty: all. */
  experiments: string;
  /**
   * `run`; `dry-run`: load, check and print the plan, inject nothing; `cleanup`: remove what
   * runs that died hard left behind (see `cleanup`).
   */
  mode: Mode;
  /** `mode: cleanup`: the run id (`cleanup-run`) or the age (`cleanup-older-than`) to sweep. */
  cleanup?: SweepSelector;
  /** Which verdicts fail the step. */
  failOn: FailOn;
  /** Deadline of the whole run, in milliseconds. */
  timeoutMs: number;
  /** Environment name shown in reports and checked against `safety.environments`. */
  environment: string;
  /** Token for the PR comment and the check run. */
  githubToken?: string;
  /** Create or update the sticky PR comment. */
  comment: boolean;
  /** Publish a check run `chaos-gate / <suite>`. */
  checkRun: boolean;
  /** Slack incoming webhook URL. */
  slackWebhookUrl?: string;
  /** Slack bot token (with `slackChannel`). */
  slackToken?: string;
  /** Slack channel for `chat.postMessage`. */
  slackChannel?: string;
  /** When to post to Slack. */
  slackOn: SlackOn;
  /** Kubeconfig YAML or a path to one; empty: KUBECONFIG, ~/.kube/config, in-cluster. */
  kubeconfig?: string;
  /** Kubeconfig context to use. */
  kubeContext?: string;
  /** AWS region for FIS. */
  awsRegion?: string;
  /** Prometheus for probes and SLOs (overrides the suite's). */
  prometheusUrl?: string;
  /** Bearer token for Prometheus. */
  prometheusToken?: string;
  /** Where the JSON report is written. */
  reportPath: string;
  /** Where the JUnit XML report is written, if anywhere. */
  junitPath?: string;
}

/** Reads one input's raw value ('' when unset). */
export type InputSource = (name: InputName) => string;

const SECRET_INPUTS: readonly InputName[] = [
  Input.GithubToken,
  Input.SlackWebhookUrl,
  Input.SlackToken,
  Input.PrometheusToken,
];

/** Keys of a kubeconfig whose values are credentials. */
const KUBECONFIG_SECRET_KEY =
  /^(token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|client-secret|secret)$/i;

/** Masks every credential in kubeconfig YAML (tokens, keys, passwords), leaving the rest readable. */
export function kubeconfigSecrets(yamlText: string): string[] {
  const out: string[] = [];
  let doc;
  try {
    doc = parseDocument(yamlText).toJS({ maxAliasCount: 50 }) as unknown;
  } catch {
    return out;
  }
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x) => walk(x, depth + 1));
      return;
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (typeof val === 'string' && val !== '' && KUBECONFIG_SECRET_KEY.test(k)) out.push(val);
      else if (k === 'env' && Array.isArray(val)) {
        // exec credential plugins: every env value may be a secret
        for (const e of val)
          if (e && typeof e === 'object' && typeof (e as { value?: unknown }).value === 'string')
            out.push((e as { value: string }).value);
      } else walk(val, depth + 1);
    }
  };
  walk(doc, 0);
  return out.filter((s) => s.length >= 4);
}

function oneOf<T extends string>(
  name: InputName,
  raw: string,
  allowed: readonly T[],
  fallback: T,
  issues: ConfigIssue[],
): T {
  const v = raw.trim();
  if (v === '') return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  issues.push({
    message: `Invalid input '${name}': '${v}'. Expected one of: ${allowed.join(', ')}.`,
  });
  return fallback;
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function bool(name: InputName, raw: string, fallback: boolean, issues: ConfigIssue[]): boolean {
  const v = raw.trim();
  if (v === '') return fallback;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  issues.push({ message: `Invalid input '${name}': '${v}'. Expected true or false.` });
  return fallback;
}

function optional(raw: string): string | undefined {
  const v = raw.trim();
  return v === '' ? undefined : v;
}

export interface ParseInputsOptions {
  /** Registers a value that must never be printed (core.setSecret in the action). */
  mask: (secret: string) => void;
  /** Environment, for defaults such as AWS_REGION. */
  env: Readonly<Record<string, string | undefined>>;
}

export function parseInputs(get: InputSource, { mask, env }: ParseInputsOptions): Inputs {
  // Secrets first, before any other input is read or any message is written.
  for (const name of SECRET_INPUTS) {
    const v = get(name).trim();
    if (v !== '') mask(v);
  }
  const kubeconfig = optional(get(Input.Kubeconfig));
  if (kubeconfig) {
    const text = kubeconfig.includes('\n')
      ? kubeconfig
      : existsSync(kubeconfig)
        ? readFileSync(kubeconfig, 'utf8')
        : '';
    kubeconfigSecrets(text).forEach(mask);
  }

  const issues: ConfigIssue[] = [];
  const timeoutRaw = get(Input.Timeout).trim() || '30m';
  const timeoutMs = parseDuration(timeoutRaw);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    issues.push({
      message: `Invalid input '${Input.Timeout}': '${timeoutRaw}'. Expected a duration such as 30m, 1h or 90s.`,
    });
  }
  const url = (name: InputName): string | undefined => {
    const v = optional(get(name));
    if (v !== undefined && !/^https?:\/\/\S+$/.test(v)) {
      const shown = SECRET_INPUTS.includes(name) ? '(value hidden)' : `'${v}'`;
      issues.push({
        message: `Invalid input '${name}': ${shown}. Expected an http:// or https:// URL.`,
      });
    }
    return v;
  };
  const inputs: Inputs = {
    suite: optional(get(Input.Suite)) ?? '.github/chaos/suite.yml',
    experiments: get(Input.Experiments).trim(),
    mode: oneOf(Input.Mode, get(Input.Mode), ['run', 'dry-run', 'cleanup'] as const, 'run', issues),
    failOn: oneOf(
      Input.FailOn,
      get(Input.FailOn),
      ['fail', 'warn', 'never'] as const,
      'fail',
      issues,
    ),
    timeoutMs: timeoutMs ?? 30 * 60_000,
    environment: optional(get(Input.Environment)) ?? 'staging',
    comment: bool(Input.Comment, get(Input.Comment), true, issues),
    checkRun: bool(Input.CheckRun, get(Input.CheckRun), true, issues),
    slackOn: oneOf(
      Input.SlackOn,
      get(Input.SlackOn),
      ['always', 'failure', 'change', 'never'] as const,
      'always',
      issues,
    ),
    reportPath: optional(get(Input.ReportPath)) ?? 'chaos-gate-report.json',
  };
  const set = <K extends keyof Inputs>(key: K, value: Inputs[K] | undefined): void => {
    if (value !== undefined) inputs[key] = value;
  };
  set('githubToken', optional(get(Input.GithubToken)));
  set('slackWebhookUrl', url(Input.SlackWebhookUrl));
  set('slackToken', optional(get(Input.SlackToken)));
  set('slackChannel', optional(get(Input.SlackChannel)));
  set('kubeconfig', kubeconfig);
  set('kubeContext', optional(get(Input.KubeContext)));
  set(
    'awsRegion',
    optional(get(Input.AwsRegion)) ??
      optional(env.AWS_REGION ?? '') ??
      optional(env.AWS_DEFAULT_REGION ?? ''),
  );
  set('prometheusUrl', url(Input.PrometheusUrl));
  set('prometheusToken', optional(get(Input.PrometheusToken)));
  set('junitPath', optional(get(Input.JunitPath)));
  const cleanup = cleanupSelector(
    inputs.mode,
    optional(get(Input.CleanupRun)),
    optional(get(Input.CleanupOlderThan)),
    issues,
  );
  if (cleanup) inputs.cleanup = cleanup;
  if (inputs.slackToken && !inputs.slackChannel) {
    issues.push({
      message: `Missing input '${Input.SlackChannel}': a Slack bot token ('${Input.SlackToken}') posts with chat.postMessage and needs a channel.`,
    });
  }
  if (inputs.slackChannel && !inputs.slackToken) {
    issues.push({
      message: `Missing input '${Input.SlackToken}': '${Input.SlackChannel}' is only used with a bot token.`,
    });
  }
  if (issues.length > 0) throw new ConfigurationError(issues);
  return inputs;
}

/** `mode: cleanup` takes exactly one of `cleanup-run` and `cleanup-older-than`; other modes neither. */
function cleanupSelector(
  mode: Mode,
  run: string | undefined,
  olderThan: string | undefined,
  issues: ConfigIssue[],
): SweepSelector | undefined {
  if (mode !== 'cleanup') {
    for (const [name, v] of [
      [Input.CleanupRun, run],
      [Input.CleanupOlderThan, olderThan],
    ] as const)
      if (v !== undefined)
        issues.push({
          message: `Invalid input '${name}': '${v}'. It is only used with mode 'cleanup' (mode is '${mode}').`,
        });
    return undefined;
  }
  if ((run === undefined) === (olderThan === undefined)) {
    issues.push({
      message: `${run === undefined ? 'Missing input' : 'Invalid input'}: mode 'cleanup' takes exactly one of '${Input.CleanupRun}' (a run id such as gh-1234-1) and '${Input.CleanupOlderThan}' (a duration such as 2h)${run === undefined ? '' : ', not both'}.`,
    });
    return undefined;
  }
  if (run !== undefined) {
    // The run id is matched as a label value: anything else could never match (or would widen
    // the selector).
    if (labelValue(run) !== run) {
      issues.push({
        message: `Invalid input '${Input.CleanupRun}': '${run}'. Expected a run id such as gh-1234-1 (letters, digits, '.', '_' and '-', at most 63).`,
      });
      return undefined;
    }
    return { runId: run };
  }
  const ms = parseDuration(olderThan ?? '');
  if (ms === undefined || ms <= 0) {
    issues.push({
      message: `Invalid input '${Input.CleanupOlderThan}': '${olderThan ?? ''}'. Expected a duration such as 2h, 90m or 1d.`,
    });
    return undefined;
  }
  return { olderThanMs: ms };
}
