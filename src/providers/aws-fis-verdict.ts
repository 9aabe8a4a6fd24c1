/**
 * Mapping a finished FIS experiment to a verdict (SPEC section 4; fixtures README section 4),
 * and describing a template's targets for the plan (pure).
 */
import type { FisExperiment, FisTemplate } from '../aws/fis-api.js';
import type { ProviderVerdict } from './provider.js';

/** Whether a `stopped` experiment was stopped by one of its stop conditions (an alarm). */
export function stoppedByStopCondition(reason: string | undefined): boolean {
  return /stop condition|alarm/i.test(reason ?? '');
}

/**
 * The verdict of an experiment in a terminal state that chaos-gate did not stop. `completed`
 * only means the actions ran: our probes decide the rest.
 */
export function fisVerdict(e: FisExperiment): ProviderVerdict {
  const details = {
    id: e.id,
    status: e.status,
    reason: e.reason,
    error: e.error,
    actions: e.actions,
  };
  const why = e.reason ? `: ${e.reason}` : '';
  switch (e.status) {
    case 'completed':
      return {
        verdict: 'pass',
        reason: `FIS experiment ${e.id} completed: all actions ran${actionsNote(e)}`,
        details,
      };
    case 'stopped':
      return stoppedByStopCondition(e.reason)
        ? {
            verdict: 'fail',
            reason: `FIS experiment ${e.id} was stopped by a stop condition${why}`,
            details,
          }
        : {
            verdict: 'error',
            reason: `FIS experiment ${e.id} was stopped outside chaos-gate${why}`,
            details,
          };
    case 'failed':
      return {
        verdict: 'error',
        reason: `FIS experiment ${e.id} failed${e.error?.code ? ` (${e.error.code}${e.error.location ? ` at ${e.error.location}` : ''})` : ''}${why}`,
        details,
      };
    case 'cancelled':
      return {
        verdict: 'error',
        reason: `FIS experiment ${e.id} was cancelled (is the account's safety lever engaged?)${why}`,
        details,
      };
    default:
      return {
        verdict: 'error',
        reason: `FIS experiment ${e.id} ended in a state chaos-gate does not know: ${e.status}${why}`,
        details,
      };
  }
}

function actionsNote(e: FisExperiment): string {
  const odd = Object.entries(e.actions).filter(([, a]) => a.status && a.status !== 'completed');
  return odd.length ? ` (${odd.map(([k, a]) => `${k}: ${a.status}`).join(', ')})` : '';
}

/** One line per target: resource type, selection mode, tags or ARNs, filters. */
export function describeTargets(t: FisTemplate): string[] {
  return Object.entries(t.targets).map(([name, x]) => {
    const parts = [`${name}: ${x.resourceType ?? 'resources'} ${x.selectionMode ?? ''}`.trim()];
    if (x.resourceTags && Object.keys(x.resourceTags).length)
      parts.push(
        `tagged ${Object.entries(x.resourceTags)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
    if (x.resourceArns?.length)
      parts.push(`${x.resourceArns.length} ARN${x.resourceArns.length === 1 ? '' : 's'}`);
    for (const f of x.filters ?? [])
      parts.push(`where ${f.path ?? '?'} in (${(f.values ?? []).join(', ')})`);
    return parts.join(', ');
  });
}

/** Problems with a template under the suite's FIS safety rules (required tags, stop conditions). */
export function templateProblems(
  t: FisTemplate,
  rules: { requiredTags: Record<string, string>; requireStopConditions: boolean },
): string[] {
  const out: string[] = [];
  const missing = Object.entries(rules.requiredTags).filter(([k, v]) => t.tags[k] !== v);
  if (missing.length)
    out.push(
      `FIS template ${t.id} lacks the tag${missing.length === 1 ? '' : 's'} safety.fis.requiredTags asks for: ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
  if (rules.requireStopConditions && !t.stopConditions.some((s) => s.source && s.source !== 'none'))
    out.push(
      `FIS template ${t.id} has no stop condition (only "none"): add a CloudWatch alarm stop condition, or set safety.fis.requireStopConditions: false`,
    );
  return out;
}
