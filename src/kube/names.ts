/**
 * Names and labels of what chaos-gate creates. Every object carries the managed-by and run
 * labels (SPEC section 8); its name is the manifest's name plus a short suffix derived from the
 * run id, so a retried create of the same experiment in the same run hits the same name.
 */
import { createHash } from 'node:crypto';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'chaos-gate';
export const RUN_LABEL = 'chaos-gate.io/run';
export const EXPERIMENT_LABEL = 'chaos-gate.io/experiment';

/** Longest name we give: 63 (a DNS-1123 label) minus room for what controllers append (`-runner`). */
const MAX_NAME = 52;
const SUFFIX_LENGTH = 5;

/** Five lower-case base-36 characters from the run id: the same run gives the same suffix. */
export function runSuffix(runId: string): string {
  const digest = createHash('sha256').update(runId).digest();
  let n = digest.readBigUInt64BE(0);
  let out = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) {
    out += (n % 36n).toString(36);
    n /= 36n;
  }
  return out;
}

/** `name-suffix`, cut so the result is a valid DNS-1123 label of at most 52 characters. */
export function suffixedName(name: string, runId: string): string {
  const suffix = runSuffix(runId);
  const room = MAX_NAME - suffix.length - 1;
  // A DNS-1123 label: lower-case alphanumerics and '-', alphanumeric at both ends (no dots).
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return `${base || 'x'}-${suffix}`;
}

/** A label value (<= 63 of [A-Za-z0-9._-], alphanumeric at both ends) made from any text. */
export function labelValue(text: string): string {
  const v = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v;
}

export function ownerLabels(runId: string, experiment: string): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [RUN_LABEL]: labelValue(runId),
    [EXPERIMENT_LABEL]: labelValue(experiment),
  };
}

/** Whether an object's labels say it belongs to this run. */
export function isOurs(labels: Record<string, string> | undefined, runId: string): boolean {
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[RUN_LABEL] === labelValue(runId);
}

/** A run id for the labels: the workflow run and attempt in Actions, else time and randomness. */
export function newRunId(env: NodeJS.ProcessEnv, random: () => number = Math.random): string {
  if (env.GITHUB_RUN_ID) return `gh-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  const r = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `local-${Date.now().toString(36)}-${r}`;
}
