/**
 * Status conditions as the Chaos Mesh controllers keep them: `{type, status: "True"|"False",
 * reason}` lists. `setCondition` mirrors chaos-mesh `pkg/workflow/controllers/utils.go`
 * `SetCondition`: nothing changes when type, status and reason are already the same; otherwise
 * the old entry of that type is dropped and the new one appended.
 */
import { asArray, asString, isRecord } from '../../kube/object.js';

export type ConditionStatus = 'True' | 'False';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  [extra: string]: unknown;
}

export function conditionsOf(status: unknown): Condition[] {
  const list = isRecord(status) ? status.conditions : undefined;
  const out: Condition[] = [];
  for (const c of asArray(list)) {
    if (!isRecord(c)) continue;
    const type = asString(c.type);
    const st = asString(c.status);
    if (type && (st === 'True' || st === 'False')) out.push({ ...c, type, status: st });
  }
  return out;
}

export function getCondition(list: readonly Condition[], type: string): Condition | undefined {
  return list.find((c) => c.type === type);
}

export function isConditionTrue(list: readonly Condition[], type: string): boolean {
  return getCondition(list, type)?.status === 'True';
}

export function setCondition(list: readonly Condition[], cond: Condition): Condition[] {
  const cur = getCondition(list, cond.type);
  if (cur && cur.status === cond.status && (cur.reason ?? '') === (cond.reason ?? ''))
    return [...list];
  return [...list.filter((c) => c.type !== cond.type), cond];
}

export function trueOrFalse(b: boolean): ConditionStatus {
  return b ? 'True' : 'False';
}
