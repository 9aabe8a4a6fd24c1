/**
 * The built-in resources the loopback API server serves besides the CRDs: what a real cluster's
 * core/v1 and apiextensions.k8s.io/v1 groups offer, reduced to the kinds the sims use.
 */
import type { ResourceType } from './store.js';

function core(
  plural: string,
  kind: string,
  opts: { namespaced: boolean; status?: boolean; shortNames?: string[] },
): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    kind,
    singular: kind.toLowerCase(),
    namespaced: opts.namespaced,
    // Namespaces and pods have a status subresource on a real server: a create or an update of
    // the main resource cannot set `.status` (a pod starts `Pending`, a namespace `Active`).
    statusSubresource: opts.status ?? false,
    ...(opts.shortNames ? { shortNames: opts.shortNames } : {}),
  };
}

export const NAMESPACES = core('namespaces', 'Namespace', {
  namespaced: false,
  status: true,
  shortNames: ['ns'],
});
export const PODS = core('pods', 'Pod', { namespaced: true, status: true, shortNames: ['po'] });
export const SERVICE_ACCOUNTS = core('serviceaccounts', 'ServiceAccount', {
  namespaced: true,
  shortNames: ['sa'],
});
export const EVENTS = core('events', 'Event', { namespaced: true, shortNames: ['ev'] });
export const CONFIG_MAPS = core('configmaps', 'ConfigMap', {
  namespaced: true,
  shortNames: ['cm'],
});

export const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  singular: 'customresourcedefinition',
  namespaced: false,
  statusSubresource: true,
  shortNames: ['crd', 'crds'],
};

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  NAMESPACES,
  PODS,
  SERVICE_ACCOUNTS,
  EVENTS,
  CONFIG_MAPS,
  CRDS,
];

export function isBuiltin(r: Pick<ResourceType, 'group' | 'plural'>): boolean {
  return BUILTIN_RESOURCES.some((b) => b.group === r.group && b.plural === r.plural);
}

export function isCrdResource(r: Pick<ResourceType, 'group' | 'plural'>): boolean {
  return r.group === CRDS.group && r.plural === CRDS.plural;
}
