/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1) for the loopback API server: the upstream
 * CRD files kept in `src/sim/crds/` (see its README for provenance), what a CRD serves (a
 * `ResourceType`), and the validator of its schema (prune, default, then validate, as the API
 * server does for every write of a custom resource).
 *
 * Parsed files and compiled schemas are cached for the whole process: the three big Chaos Mesh
 * CRDs take ~0.3 s each to parse and would otherwise be parsed by every server a test starts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { isRecord, type KubeObject } from '../../kube/object.js';
import { packagePath } from '../paths.js';
import { pruneObject } from './prune.js';
import { compileSchema } from './schema-ajv.js';
import { causesFromAjv } from './schema-errors.js';
import type { ResourceType, StatusCause } from './store.js';

/** The CRD files shipped with the sims. */
export const CRD_DIR = packagePath('src', 'sim', 'crds');

/** The YAML files in `dir` (default CRD_DIR), sorted. */
export function crdFileNames(dir = CRD_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

const parsed = new Map<string, KubeObject[]>();

/** The CRDs in one file (a name in CRD_DIR or a path), parsed once per process. */
export function loadCrdFile(file: string, dir = CRD_DIR): KubeObject[] {
  const abs = path.resolve(dir, file);
  let docs = parsed.get(abs);
  if (!docs) {
    docs = YAML.parseAllDocuments(readFileSync(abs, 'utf8')).flatMap((d, i) => {
      if (d.errors.length > 0)
        throw new Error(`${abs}: document ${i + 1}: ${d.errors[0]?.message}`);
      const v: unknown = d.toJS({ maxAliasCount: -1 });
      if (v === null || v === undefined) return [];
      if (!isCrd(v)) throw new Error(`${abs}: document ${i + 1} is not a CustomResourceDefinition`);
      return [v];
    });
    parsed.set(abs, docs);
  }
  return docs.map((d) => structuredClone(d));
}

export function isCrd(v: unknown): v is KubeObject {
  return (
    isRecord(v) &&
    v.apiVersion === 'apiextensions.k8s.io/v1' &&
    v.kind === 'CustomResourceDefinition' &&
    isRecord(v.spec)
  );
}

/**
 * The names a CRD file answers to, read from the part of the file before `spec.versions` (the
 * schema is most of a CRD file, and the names come first in every upstream CRD), or from the
 * whole file when that part does not have them.
 */
const namesIndex = new Map<string, string[]>();
function fileAliases(file: string, dir: string): string[] {
  const abs = path.resolve(dir, file);
  const hit = namesIndex.get(abs);
  if (hit) return hit;
  const text = readFileSync(abs, 'utf8');
  const cut = text.search(/^ {2}versions:/m);
  let crds: unknown[] = [];
  if (cut > 0 && !text.slice(0, cut).includes('\n---')) {
    try {
      crds = [YAML.parse(text.slice(0, cut))];
    } catch {
      crds = [];
    }
  }
  if (!crds.every(hasNames)) crds = loadCrdFile(file, dir);
  const aliases = [path.basename(file), ...crds.flatMap(crdAliases)];
  namesIndex.set(abs, aliases);
  return aliases;
}

function hasNames(v: unknown): boolean {
  return isRecord(v) && isRecord(v.spec) && isRecord(v.spec.names);
}

function crdAliases(v: unknown): string[] {
  if (!isRecord(v) || !isRecord(v.spec) || !isRecord(v.spec.names)) return [];
  const n = v.spec.names;
  const out = [n.kind, n.plural, n.singular, isRecord(v.metadata) ? v.metadata.name : undefined];
  if (Array.isArray(n.shortNames)) out.push(...n.shortNames);
  return out.filter((s): s is string => typeof s === 'string');
}

/**
 * The CRDs chosen by `selectors` (each a file name, a kind, a plural, a short name or a CRD name
 * such as `chaosengines.litmuschaos.io`, case-insensitive); all of them without selectors.
 * An unknown selector is an error (a typo would otherwise give a 404 much later).
 */
export function selectCrds(selectors?: readonly string[], dir = CRD_DIR): KubeObject[] {
  const files = crdFileNames(dir);
  if (!selectors) return files.flatMap((f) => loadCrdFile(f, dir));
  const chosen = new Set<string>();
  for (const sel of selectors) {
    const want = sel.toLowerCase();
    const file = files.find((f) => fileAliases(f, dir).some((a) => a.toLowerCase() === want));
    if (!file) throw new Error(`no CRD "${sel}" in ${dir} (have: ${files.join(', ')})`);
    chosen.add(file);
  }
  return [...chosen].flatMap((f) => loadCrdFile(f, dir));
}

/** What one CRD serves: its storage version (served and stored), and that version's schema. */
export interface CrdServing {
  resource: ResourceType;
  schema: unknown;
}

/** Reads a CRD: throws a message naming the field when it is not one the server can serve. */
export function crdServing(crd: KubeObject): CrdServing {
  const spec = crd.spec ?? {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = spec.group;
  const plural = names.plural;
  const kind = names.kind;
  if (typeof group !== 'string' || !group) throw new Error('spec.group: Required value');
  if (typeof plural !== 'string' || !plural) throw new Error('spec.names.plural: Required value');
  if (typeof kind !== 'string' || !kind) throw new Error('spec.names.kind: Required value');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const version =
    versions.find((v) => v.storage === true && v.served !== false) ??
    versions.find((v) => v.served !== false);
  if (!version || typeof version.name !== 'string')
    throw new Error(
      'spec.versions: Invalid value: must have exactly one version marked as storage version',
    );
  const sub = isRecord(version.subresources) ? version.subresources : {};
  const shortNames = Array.isArray(names.shortNames)
    ? names.shortNames.filter((s): s is string => typeof s === 'string')
    : [];
  const resource: ResourceType = {
    group,
    version: version.name,
    plural,
    kind,
    singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    statusSubresource: isRecord(sub.status),
    ...(shortNames.length > 0 ? { shortNames } : {}),
  };
  const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
  return { resource, schema };
}

/** Validates (after pruning and defaulting in place) one custom resource against a schema. */
export type CustomResourceValidator = (obj: KubeObject) => StatusCause[];

/**
 * The validator of a CRD version's schema. The schema is compiled on first use and cached by
 * content for the whole process.
 */
export function schemaValidator(schema: unknown): CustomResourceValidator {
  let compiled: ReturnType<typeof compileSchema> | undefined;
  return (obj) => {
    if (!isRecord(schema)) return [];
    pruneObject(obj, schema, { mutate: true });
    compiled ??= compileSchema(schema);
    return causesFromAjv(compiled.validate(obj), obj);
  };
}

/** The fields of `obj` its schema does not declare (what pruning would drop), as dotted paths. */
export function unknownFields(obj: KubeObject, schema: unknown): string[] {
  return pruneObject(obj, schema, { mutate: false });
}
