/**
 * Discovery: the documents clients read to map kinds to resources before anything else
 * (client-go's RESTMapper behind kubectl, `kubectl api-resources`). Legacy (unaggregated)
 * discovery only: a client that asks for aggregated discovery (kubectl >= 1.26) gets the
 * `application/json` documents and falls back, as it does with older servers.
 *
 * Also the smallest OpenAPI v3 that lets kubectl >= 1.27 see that the server does server-side
 * field validation (a PATCH operation per kind with a `fieldValidation` query parameter), so
 * `kubectl create`/`apply` work without `--validate=false` and send `fieldValidation=Strict`.
 * There are no schemas in it (`kubectl explain` has nothing to show) and no `/openapi/v2`.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceType } from './store.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Kubernetes version order: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else. */
function versionRank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionRank(a), versionRank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
  return a.localeCompare(b);
}

function groupVersions(resources: readonly ResourceType[], group: string): string[] {
  return [...new Set(resources.filter((r) => r.group === group).map((r) => r.version))].sort(
    compareVersions,
  );
}

/** GET /api */
export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(resources: readonly ResourceType[], group: string): Record<string, unknown> {
  const versions = groupVersions(resources, group).map((version) => ({
    groupVersion: `${group}/${version}`,
    version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** GET /apis */
export function groupList(resources: readonly ResourceType[]): Record<string, unknown> {
  const groups = [...new Set(resources.map((r) => r.group).filter(Boolean))].sort();
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((g) => apiGroup(resources, g)),
  };
}

/** GET /apis/{group}, or undefined when no resource is in that group. */
export function groupDocument(
  resources: readonly ResourceType[],
  group: string,
): Record<string, unknown> | undefined {
  if (!resources.some((r) => r.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(resources, group) };
}

/** GET /api/v1 or /apis/{group}/{version}, or undefined when nothing is served there. */
export function resourceList(
  resources: readonly ResourceType[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const here = resources
    .filter((r) => r.group === group && r.version === version)
    .sort((a, b) => a.plural.localeCompare(b.plural));
  if (here.length === 0) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of here) {
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames && r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      storageVersionHash: createHash('sha256')
        .update(`${apiVersionOf(r)}/${r.kind}`)
        .digest('base64')
        .slice(0, 11),
    });
    if (r.statusSubresource)
      list.push({
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: list,
  };
}

function gvKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** GET /openapi/v3: one entry per group version, with a hash clients cache by. */
export function openApiV3Root(resources: readonly ResourceType[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const gvs = new Set(resources.map((r) => `${r.group}|${r.version}`));
  for (const gv of [...gvs].sort()) {
    const [group = '', version = ''] = gv.split('|');
    const doc = openApiV3Document(resources, group, version);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64);
    paths[gvKey(group, version)] = {
      serverRelativeURL: `/openapi/v3/${gvKey(group, version)}?hash=${hash}`,
    };
  }
  return { paths };
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

/** GET /openapi/v3/apis/{group}/{version}: the PATCH operations, with their GVK. */
export function openApiV3Document(
  resources: readonly ResourceType[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const here = resources.filter((r) => r.group === group && r.version === version);
  if (here.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  for (const r of here) {
    const gvk = { group, version, kind: r.kind };
    const item = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.plural}/{name}`
      : `${prefix}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: QUERY_PARAMS,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}
