/**
 * The Kubernetes REST paths, parsed:
 *   /api/v1[/watch]/{plural}[/{name}[/{subresource}]]                        cluster-scoped, or all namespaces
 *   /api/v1[/watch]/namespaces/{ns}/{plural}[/{name}[/{subresource}]]        namespaced
 *   /apis/{group}/{version}/... the same for a named group
 * plus the discovery documents. `/watch/` is the legacy watch prefix (same as `?watch=true`).
 */

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'coreVersions' } // /api
  | { type: 'groups' } // /apis
  | { type: 'group'; group: string } // /apis/{group}
  | { type: 'resources'; group: string; version: string } // /api/v1, /apis/{g}/{v}
  | { type: 'openapiV3'; group?: string; version?: string }
  | { type: 'resource'; target: ResourceTarget }
  | { type: 'unknown' };

export interface ResourceTarget {
  group: string;
  version: string;
  plural: string;
  /** From the path; undefined on cluster paths (a cluster-scoped resource, or all namespaces). */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` prefix was used. */
  watchPrefix: boolean;
}

/** Subresources of a namespace object, to tell `namespaces/x/status` from `namespaces/x/pods`. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parsePath(pathname: string): Route {
  let segs: string[];
  try {
    segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { type: 'unknown' }; // malformed %-escape
  }
  const [first, second, third] = segs;
  if (first === 'version' && segs.length === 1) return { type: 'version' };
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && segs.length <= 2)
    return { type: 'health' };
  if (first === 'openapi' && second === 'v3') {
    if (segs.length === 2) return { type: 'openapiV3' };
    if (third === 'api' && segs[3] === 'v1' && segs.length === 4)
      return { type: 'openapiV3', group: '', version: 'v1' };
    if (third === 'apis' && segs.length === 5)
      return { type: 'openapiV3', group: segs[3] ?? '', version: segs[4] ?? '' };
    return { type: 'unknown' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (first === 'api') {
    if (segs.length === 1) return { type: 'coreVersions' };
    if (second !== 'v1') return { type: 'unknown' };
    group = '';
    version = 'v1';
    rest = segs.slice(2);
  } else if (first === 'apis') {
    if (segs.length === 1) return { type: 'groups' };
    if (segs.length === 2) return { type: 'group', group: second ?? '' };
    group = second ?? '';
    version = third ?? '';
    rest = segs.slice(3);
  } else return { type: 'unknown' };
  if (rest.length === 0) return { type: 'resources', group, version };
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || extra.length > 0) return { type: 'unknown' };
  return {
    type: 'resource',
    target: {
      group,
      version,
      plural,
      watchPrefix,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    },
  };
}
