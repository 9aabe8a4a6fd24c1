/** Reading Kubernetes objects out of manifest documents: shared by the Kubernetes providers. */
import type { ConfigIssue, SourcePosition } from '../errors.js';
import { dig, isKubeObject, isNamespaceName, isRecord, type KubeObject } from '../kube/object.js';
import {
  keyPositionIn,
  positionIn,
  type ManifestCheck,
  type ManifestDocument,
  type NamespaceTouch,
} from './static.js';

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Every document as a Kubernetes object of `apiVersion`, with `metadata.namespace` filled in
 * from the default. Problems are collected, not thrown, so the user sees them all at once.
 */
export function readObjects(
  docs: ManifestDocument[],
  apiVersion: string,
  provider: string,
  defaultNamespace: string | undefined,
  where: SourcePosition,
): ManifestCheck {
  const issues: ConfigIssue[] = [];
  const objects: ManifestCheck['objects'] = [];
  if (docs.length === 0) issues.push({ message: 'the manifest is empty', position: where });
  for (const doc of docs) {
    const v = doc.value;
    if (!isKubeObject(v)) {
      issues.push({
        message: 'not a Kubernetes object: `apiVersion` and `kind` are required',
        position: positionIn(doc, ''),
      });
      continue;
    }
    if (v.apiVersion !== apiVersion) {
      issues.push({
        message: `\`${v.kind}\` with apiVersion \`${v.apiVersion}\` is not a ${provider} kind (expected apiVersion ${apiVersion})`,
        position: positionIn(doc, '/apiVersion'),
      });
      continue;
    }
    const metadata = isRecord(v.metadata) ? v.metadata : {};
    const name = metadata.name;
    if (typeof name !== 'string' || !OBJECT_NAME.test(name)) {
      issues.push({
        message:
          name === undefined
            ? `${v.kind} needs \`metadata.name\``
            : `\`metadata.name\` must be a Kubernetes object name (lower-case letters, digits, '-' and '.'), not \`${String(name)}\``,
        position: positionIn(doc, name === undefined ? '/metadata' : '/metadata/name'),
      });
      continue;
    }
    const ns = metadata.namespace ?? defaultNamespace;
    if (ns === undefined) {
      issues.push({
        message: `${v.kind} \`${name}\` has no namespace: set \`metadata.namespace\`, the experiment's \`namespace\` or \`defaults.namespace\``,
        position: positionIn(doc, '/metadata'),
      });
      continue;
    }
    if (typeof ns !== 'string' || !isNamespaceName(ns)) {
      issues.push({
        message: `\`metadata.namespace\` ${notANamespace(ns)}`,
        position: positionIn(doc, '/metadata/namespace'),
      });
      continue;
    }
    const object: KubeObject = { ...v, metadata: { ...metadata, name, namespace: ns } };
    objects.push({ object, doc });
  }
  return { objects, issues };
}

/** Why a value that should be a namespace name is not one. */
function notANamespace(value: unknown): string {
  if (value === undefined || value === null) return 'is missing: it must name a namespace';
  if (typeof value === 'string' && /\{\{.*\}\}/.test(value)) {
    return `must be a namespace name, not \`${value}\`: that is an unsubstituted template placeholder; substitute it before use`;
  }
  return `must be a namespace name, not \`${String(value)}\``;
}

/**
 * A namespace named by a field, checked to be a namespace name (`{{placeholders}}` are not).
 * `key`: the namespace is the mapping key at `ptr` (Chaos Mesh's `pods: {ns: [...]}`), so point there.
 */
export function touch(
  doc: ManifestDocument,
  ptr: string,
  field: string,
  value: unknown,
  out: NamespaceTouch[],
  invalid: { reason: string; position: SourcePosition }[],
  key = false,
): void {
  const position = key ? keyPositionIn(doc, ptr) : positionIn(doc, ptr);
  if (typeof value === 'string' && isNamespaceName(value)) {
    out.push({ namespace: value, field, position });
  } else {
    invalid.push({ reason: `\`${field}\` ${notANamespace(value)}`, position });
  }
}

/** The object's own namespace: where it and its runner pods live. */
export function ownNamespace(doc: ManifestDocument, object: KubeObject): NamespaceTouch {
  const explicit = dig(doc.value, 'metadata', 'namespace') !== undefined;
  return {
    namespace: object.metadata.namespace ?? '',
    field: explicit ? 'metadata.namespace' : 'metadata.namespace (default)',
    position: positionIn(doc, explicit ? '/metadata/namespace' : '/metadata'),
  };
}
