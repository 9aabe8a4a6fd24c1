/**
 * The static half of SPEC section 8: every namespace an experiment reaches must be allowed and
 * not protected; selectors not bound to namespaces are refused; node-level faults need
 * `safety.allowNodeChaos`. Pure: the providers say what a manifest reaches, this says if it may.
 */
import type { ConfigIssue } from '../errors.js';
import { ALWAYS_PROTECTED_NAMESPACES } from '../kube/object.js';
import type { BlastRadius } from '../providers/static.js';
import type { Safety } from '../suite/model.js';

export function checkBlastRadius(
  experiment: string,
  radius: BlastRadius,
  safety: Safety,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  // kube-system & co. are refused even if a Safety built elsewhere left them out.
  const protectedNamespaces = new Set<string>([
    ...ALWAYS_PROTECTED_NAMESPACES,
    ...safety.protectedNamespaces,
  ]);
  for (const t of radius.namespaces) {
    const key = `${t.namespace}@${t.position.line}:${t.position.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (protectedNamespaces.has(t.namespace)) {
      issues.push({
        message: `experiment \`${experiment}\` reaches protected namespace \`${t.namespace}\` (${t.field})`,
        position: t.position,
      });
    } else if (safety.namespaces.length > 0 && !safety.namespaces.includes(t.namespace)) {
      issues.push({
        message: `experiment \`${experiment}\` reaches namespace \`${t.namespace}\` (${t.field}), which is not in safety.namespaces (${safety.namespaces.join(', ')})`,
        position: t.position,
      });
    }
  }
  for (const f of radius.invalid)
    issues.push({ message: `experiment \`${experiment}\`: ${f.reason}`, position: f.position });
  for (const f of radius.clusterWide) {
    issues.push({
      message: `experiment \`${experiment}\` has a selector not bound to allowed namespaces: ${f.reason}`,
      position: f.position,
    });
  }
  if (!safety.allowNodeChaos) {
    for (const f of radius.nodeLevel) {
      issues.push({
        message: `experiment \`${experiment}\`: ${f.reason}; node-level chaos needs \`safety.allowNodeChaos: true\``,
        position: f.position,
      });
    }
  }
  return issues;
}
