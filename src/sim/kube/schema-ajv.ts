/**
 * A CRD's `openAPIV3Schema` (the Kubernetes "structural schema" dialect of OpenAPI 3.0) turned
 * into a JSON Schema draft-07 document Ajv compiles, and the compiled validators, cached for the
 * whole process so that several servers (or several tests) never compile the same schema twice.
 *
 * Conversion (what kube-openapi's validator does differently from draft-07):
 * - `nullable: true` admits `null`;
 * - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07's numeric form;
 * - `x-kubernetes-int-or-string: true` admits an integer or a string;
 * - the other `x-kubernetes-*` keywords (list types, map types, CEL rules, embedded resources)
 *   and `format` are not checked; `description`, `default` and `example` are dropped (defaults
 *   are applied before validation, see prune.ts).
 *
 * Compile time: the Chaos Mesh Workflow, WorkflowNode and Schedule CRDs are 0.6-1.3 MB of YAML
 * because every chaos kind's spec is embedded several times. Compiled as-is, Ajv needs about a
 * second for each. Identical sub-schemas are therefore hoisted into `definitions` and replaced by a
 * `$ref` (an exact, structural de-duplication: the document validates the same values), and Ajv
 * compiles each shared definition once, which brings the Workflow CRD down to ~0.1 s.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { isRecord } from '../../kube/object.js';

export type Schema = Record<string, unknown>;

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = ['items', 'not'] as const;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'] as const;
/** Keywords copied as they are. */
const VALUE_KEYWORDS = [
  'type',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'required',
] as const;

/** One schema node, converted; children are converted recursively. */
export function convertSchema(k8s: unknown): Schema {
  if (!isRecord(k8s)) return {};
  const out: Schema = {};
  for (const k of VALUE_KEYWORDS) if (k8s[k] !== undefined) out[k] = structuredClone(k8s[k]);
  if (isRecord(k8s.properties)) {
    const props: Schema = {};
    for (const [name, child] of Object.entries(k8s.properties)) props[name] = convertSchema(child);
    out.properties = props;
  }
  if (isRecord(k8s.additionalProperties))
    out.additionalProperties = convertSchema(k8s.additionalProperties);
  else if (typeof k8s.additionalProperties === 'boolean')
    out.additionalProperties = k8s.additionalProperties;
  for (const k of SCHEMA_KEYWORDS) if (isRecord(k8s[k])) out[k] = convertSchema(k8s[k]);
  for (const k of SCHEMA_LIST_KEYWORDS) {
    const list = k8s[k];
    if (Array.isArray(list)) out[k] = list.map(convertSchema);
  }
  // OpenAPI 3.0: `exclusiveMinimum: true` qualifies `minimum`; draft-07 wants the number.
  if (k8s.exclusiveMinimum === true && typeof k8s.minimum === 'number') {
    out.exclusiveMinimum = k8s.minimum;
    delete out.minimum;
  }
  if (k8s.exclusiveMaximum === true && typeof k8s.maximum === 'number') {
    out.exclusiveMaximum = k8s.maximum;
    delete out.maximum;
  }
  if (k8s['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string'];
  if (k8s.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** Shared sub-schemas smaller than this (characters of their local description) stay inline. */
const MIN_SHARED_SIZE = 200;

/**
 * Hoists every sub-schema that occurs more than once into `definitions`. Each node gets an id
 * from its own keywords plus its children's ids (interning, so equal trees get equal ids).
 */
export function dedupeSchema(root: Schema): Schema {
  const ids = new Map<string, number>();
  const idOf = new Map<Schema, number>();
  const count: number[] = [];
  const size: number[] = [];

  const intern = (s: Schema): number => {
    const local: unknown[] = [];
    let total = 0;
    for (const key of Object.keys(s).sort()) {
      const v = s[key];
      if (key === 'properties' && isRecord(v)) {
        const props = Object.keys(v)
          .sort()
          .map((p) => [p, intern(v[p] as Schema)]);
        for (const [, id] of props) total += size[id as number] ?? 0;
        local.push([key, props]);
      } else if (isSchemaKeyword(key) && isRecord(v)) {
        const id = intern(v);
        total += size[id] ?? 0;
        local.push([key, id]);
      } else if (isSchemaListKeyword(key) && Array.isArray(v)) {
        const list = v.map((c: Schema) => intern(c));
        for (const id of list) total += size[id] ?? 0;
        local.push([key, list]);
      } else local.push([key, v]);
    }
    const desc = JSON.stringify(local);
    let id = ids.get(desc);
    if (id === undefined) {
      id = ids.size;
      ids.set(desc, id);
      count[id] = 0;
      size[id] = total + desc.length;
    }
    count[id] = (count[id] ?? 0) + 1;
    idOf.set(s, id);
    return id;
  };
  intern(root);

  const definitions: Schema = {};
  const rewrite = (s: Schema, top: boolean): Schema => {
    const id = idOf.get(s) ?? -1;
    if (!top && (count[id] ?? 0) > 1 && (size[id] ?? 0) >= MIN_SHARED_SIZE) {
      const name = `s${id}`;
      if (!(name in definitions)) {
        definitions[name] = {}; // reserve the name before recursing
        definitions[name] = rewrite(s, true);
      }
      return { $ref: `#/definitions/${name}` };
    }
    const out: Schema = {};
    for (const [key, v] of Object.entries(s)) {
      if (key === 'properties' && isRecord(v)) {
        const props: Schema = {};
        for (const [p, c] of Object.entries(v)) props[p] = rewrite(c as Schema, false);
        out[key] = props;
      } else if (isSchemaKeyword(key) && isRecord(v)) out[key] = rewrite(v, false);
      else if (isSchemaListKeyword(key) && Array.isArray(v))
        out[key] = v.map((c: Schema) => rewrite(c, false));
      else out[key] = v;
    }
    return out;
  };
  const result = rewrite(root, true);
  if (Object.keys(definitions).length > 0) result.definitions = definitions;
  return result;
}

function isSchemaKeyword(k: string): boolean {
  return k === 'items' || k === 'not' || k === 'additionalProperties';
}

function isSchemaListKeyword(k: string): boolean {
  return k === 'allOf' || k === 'anyOf' || k === 'oneOf';
}

export interface CompiledSchema {
  /** Ajv's errors for `value`, or an empty list when it is valid. */
  validate(value: unknown): ErrorObject[];
  /** How long conversion and compilation took, in milliseconds. */
  compileMs: number;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, CompiledSchema>();

/** Compiles (once per process, keyed by the schema's content) a CRD version's openAPIV3Schema. */
export function compileSchema(k8sSchema: unknown): CompiledSchema {
  const key = createHash('sha256').update(JSON.stringify(k8sSchema)).digest('hex');
  const hit = compiled.get(key);
  if (hit) return hit;
  const t0 = performance.now();
  ajv ??= new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    inlineRefs: false,
    addUsedSchema: false,
  });
  const fn = ajv.compile(dedupeSchema(convertSchema(k8sSchema)));
  const entry: CompiledSchema = {
    validate: (value) => (fn(value) ? [] : [...(fn.errors ?? [])]),
    compileMs: performance.now() - t0,
  };
  compiled.set(key, entry);
  return entry;
}

/** How many schemas this process has compiled (tests check the cache is used). */
export function compiledSchemaCount(): number {
  return compiled.size;
}
