/**
 * The server-side processing every write goes through, installed as the store's `validator` so
 * that in-process controllers' writes get it too, not only HTTP clients':
 * - custom resources: pruning, defaulting and validation against their CRD's schema;
 * - namespaces and pods: the fields the real registry sets on create (`status.phase`, the
 *   `kubernetes.io/metadata.name` label);
 * - CustomResourceDefinitions: checked, given the `Established` status, and their resource
 *   registered in the store (or removed with its objects when the CRD is deleted).
 */
import { isRecord, type KubeObject } from '../../kube/object.js';
import { NAMESPACES, PODS, isBuiltin, isCrdResource } from './builtins.js';
import {
  crdServing,
  schemaValidator,
  unknownFields,
  type CustomResourceValidator,
} from './crds.js';
import {
  resourceKey,
  type ObjectStore,
  type ResourceType,
  type StatusCause,
  type StoreEvent,
} from './store.js';

interface Served {
  crdName: string;
  resource: ResourceType;
  schema: unknown;
  validate: CustomResourceValidator;
}

export interface Admission {
  /** The fields of a custom resource its schema does not declare (for fieldValidation). */
  unknownFields(r: ResourceType, obj: KubeObject): string[];
  /** Stops following CRD changes. */
  dispose(): void;
}

export function installAdmission(store: ObjectStore): Admission {
  const served = new Map<string, Served>();

  store.validator = (r, obj) => {
    if (isCrdResource(r)) return admitCrd(obj);
    if (r.group === NAMESPACES.group && r.plural === NAMESPACES.plural) admitNamespace(obj);
    if (r.group === PODS.group && r.plural === PODS.plural) admitPod(obj);
    if (isBuiltin(r)) return [];
    return served.get(resourceKey(r))?.validate(obj) ?? [];
  };

  const onEvent = (e: StoreEvent): void => {
    if (!isCrdResource(e.resource)) return;
    const name = e.object.metadata.name ?? '';
    if (e.type === 'DELETED') {
      for (const [key, s] of served)
        if (s.crdName === name) {
          served.delete(key);
          // Like the CRD finalizer of the real server: the CRD's objects go with it.
          queueMicrotask(() => removeAll(store, s.resource));
        }
      return;
    }
    const { resource, schema } = crdServing(e.object);
    served.set(resourceKey(resource), {
      crdName: name,
      resource,
      schema,
      validate: schemaValidator(schema),
    });
    store.addResource(resource);
  };
  const unsubscribe = store.subscribe(onEvent);

  return {
    unknownFields(r, obj) {
      const s = served.get(resourceKey(r));
      return s ? unknownFields(obj, s.schema) : [];
    },
    dispose() {
      unsubscribe();
      store.validator = undefined;
    },
  };
}

function removeAll(store: ObjectStore, r: ResourceType): void {
  for (const o of store.list(r)) {
    const name = o.metadata.name ?? '';
    try {
      store.delete(r, o.metadata.namespace, name);
      // Objects held by finalizers are released: nothing will ever finalize them now.
      store.mutate(r, o.metadata.namespace, name, (x) => {
        delete (x.metadata as Record<string, unknown>).finalizers;
      });
    } catch {
      // already gone
    }
  }
  store.removeResource(r.group, r.plural);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function admitNamespace(ns: KubeObject): void {
  const name = ns.metadata.name;
  if (name) ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': name };
  ns.spec ??= { finalizers: ['kubernetes'] };
  ns.status ??= { phase: 'Active' };
}

function admitPod(pod: KubeObject): void {
  pod.status ??= { phase: 'Pending' };
}

const NAME_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a CRD the way apiextensions' validation does for the fields the server relies on. */
function admitCrd(crd: KubeObject): StatusCause[] {
  let serving;
  try {
    serving = crdServing(crd);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const [field = '', message = msg] = msg.split(/: (.*)/s);
    return [{ reason: 'FieldValueInvalid', field, message }];
  }
  const { resource } = serving;
  const causes: StatusCause[] = [];
  const want = `${resource.plural}.${resource.group}`;
  if (crd.metadata.name !== want)
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group`,
    });
  if (!NAME_LABEL.test(resource.plural))
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.names.plural',
      message: `Invalid value: "${resource.plural}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    });
  if (!isRecord(serving.schema))
    causes.push({
      reason: 'FieldValueRequired',
      field: 'spec.versions[0].schema.openAPIV3Schema',
      message: 'Required value: schemas are required',
    });
  if (causes.length === 0 && crd.status === undefined) {
    // The real server sets these conditions a moment after the create; clients wait for
    // `Established` (kubectl wait --for condition=established).
    const t = now();
    const names = isRecord(crd.spec?.names) ? crd.spec.names : {};
    crd.status = {
      acceptedNames: { ...names, singular: resource.singular },
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: t,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: t,
        },
      ],
      storedVersions: [resource.version],
    };
  }
  return causes;
}
