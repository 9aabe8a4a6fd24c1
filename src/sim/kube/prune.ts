/**
 * What the API server does to a custom resource before it validates it (apiextensions-apiserver's
 * `structuralpruning` and `structuraldefaulting`):
 * 1. fields the structural schema does not declare are PRUNED (dropped silently), unless the
 *    schema says `x-kubernetes-preserve-unknown-fields: true` or has a map schema
 *    (`additionalProperties`); `metadata` keeps only ObjectMeta's fields;
 * 2. a `null` where the schema is not `nullable` is pruned too;
 * 3. `default`s are applied to absent fields of objects that are present.
 * The unknown fields' paths are reported, for `fieldValidation=Strict` (400) and `=Warn` (a
 * `Warning` header), the server-side field validation of Kubernetes 1.25+.
 */
import { isRecord } from '../../kube/object.js';

type Schema = Record<string, unknown>;

/** The fields of ObjectMeta a client may send (everything else under metadata is unknown). */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export interface PruneOptions {
  /** false: only report the unknown fields, change nothing. */
  mutate: boolean;
}

/**
 * Prunes and defaults `obj` (a whole custom resource) against its CRD version's schema, in place
 * when `mutate`, and returns the dotted paths of the unknown fields.
 */
export function pruneObject(
  obj: Record<string, unknown>,
  schema: unknown,
  opts: PruneOptions,
): string[] {
  const unknown: string[] = [];
  const root = isRecord(schema) ? schema : {};
  const props = isRecord(root.properties) ? root.properties : {};
  for (const key of Object.keys(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') {
      pruneMeta(obj.metadata, 'metadata', unknown, opts);
      continue;
    }
    const child = props[key];
    if (isRecord(child)) {
      if (obj[key] === null && child.nullable !== true) {
        if (opts.mutate) Reflect.deleteProperty(obj, key);
        continue;
      }
      walk(obj[key], child, key, unknown, opts);
    } else if (root['x-kubernetes-preserve-unknown-fields'] !== true) {
      unknown.push(key);
      if (opts.mutate) Reflect.deleteProperty(obj, key);
    }
  }
  if (opts.mutate) applyDefaults(obj, root, ['apiVersion', 'kind', 'metadata']);
  return unknown;
}

function pruneMeta(meta: unknown, path: string, unknown: string[], opts: PruneOptions): void {
  if (!isRecord(meta)) return;
  for (const key of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    unknown.push(`${path}.${key}`);
    if (opts.mutate) Reflect.deleteProperty(meta, key);
  }
}

function isStructuralObject(s: Schema): boolean {
  return s.type === 'object' || isRecord(s.properties) || s.additionalProperties !== undefined;
}

function walk(
  value: unknown,
  s: Schema,
  path: string,
  unknown: string[],
  opts: PruneOptions,
): void {
  if (Array.isArray(value)) {
    if (isRecord(s.items)) {
      const items = s.items;
      value.forEach((v, i) => walk(v, items, `${path}[${i}]`, unknown, opts));
    }
    return;
  }
  if (!isRecord(value) || !isStructuralObject(s)) return;
  const props = isRecord(s.properties) ? s.properties : undefined;
  const additional = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const childPath = `${path}.${key}`;
    const child = props?.[key] ?? (isRecord(additional) ? additional : undefined);
    if (isRecord(child)) {
      if (value[key] === null && child.nullable !== true) {
        if (opts.mutate) Reflect.deleteProperty(value, key);
        continue;
      }
      walk(value[key], child, childPath, unknown, opts);
      continue;
    }
    if (embedded && (key === 'apiVersion' || key === 'kind')) continue;
    if (embedded && key === 'metadata') {
      pruneMeta(value[key], childPath, unknown, opts);
      continue;
    }
    if (preserve || additional === true) continue;
    unknown.push(childPath);
    if (opts.mutate) Reflect.deleteProperty(value, key);
  }
  if (opts.mutate && props) applyDefaults(value, s, []);
}

/**
 * Sets the declared `default` of each absent property, then defaults inside the new value too
 * (structuraldefaulting recurses into what it set).
 */
function applyDefaults(value: Record<string, unknown>, s: Schema, skip: string[]): void {
  const props = isRecord(s.properties) ? s.properties : {};
  for (const [key, child] of Object.entries(props)) {
    if (skip.includes(key) || !isRecord(child)) continue;
    if (value[key] === undefined && child.default !== undefined) {
      value[key] = structuredClone(child.default);
      walk(value[key], child, key, [], { mutate: true });
    }
  }
}
