/**
 * Ajv's errors rewritten as the API server's `details.causes[]`: the field as a dotted path
 * (`spec.experiments[0].name`), the reason and the message kube-openapi's validator and
 * apimachinery's `field.Error` produce, e.g.
 *   spec.engineState: Unsupported value: "foo": supported values: "active", "stop"
 *   spec.duration: Invalid value: "integer": spec.duration in body must be of type string: "integer"
 */
import type { ErrorObject } from 'ajv';
import { isRecord } from '../../kube/object.js';
import type { StatusCause } from './store.js';

/** `/spec/list/0/a~1b` → `spec.list[0].a/b`, reading `data` to tell list indexes from keys. */
export function fieldPath(instancePath: string, data: unknown): string {
  if (instancePath === '') return '';
  let cur = data;
  let out = '';
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      out += out === '' ? seg : `.${seg}`;
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

function valueAt(instancePath: string, data: unknown): unknown {
  let cur = data;
  if (instancePath === '') return cur;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isRecord(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Go's `%q`/`%v` rendering of a value in field errors. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return '"array"';
  if (typeof v === 'object') return '"object"';
  return String(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function cause(reason: string, field: string, message: string): StatusCause {
  return { reason, message, field };
}

function one(e: ErrorObject, data: unknown): StatusCause {
  const field = fieldPath(e.instancePath, data);
  const where = field || '<root>';
  const value = valueAt(e.instancePath, data);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      return cause('FieldValueRequired', field ? `${field}.${missing}` : missing, 'Required value');
    }
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      return cause(
        'FieldValueNotSupported',
        field,
        `Unsupported value: ${show(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      );
    }
    case 'type': {
      const want = Array.isArray(p.type) ? p.type.join(',') : String(p.type);
      const got = typeName(value);
      return cause(
        'FieldValueTypeInvalid',
        field,
        `Invalid value: "${got}": ${where} in body must be of type ${want}: "${got}"`,
      );
    }
    case 'pattern':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body should match '${String(p.pattern)}'`,
      );
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const rel = {
        minimum: 'greater than or equal to',
        exclusiveMinimum: 'greater than',
        maximum: 'less than or equal to',
        exclusiveMaximum: 'less than',
      }[e.keyword];
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body should be ${rel} ${String(p.limit)}`,
      );
    }
    case 'minLength':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body should be at least ${String(p.limit)} chars long`,
      );
    case 'maxLength':
      return cause(
        'FieldValueTooLong',
        field,
        `Too long: may not be longer than ${String(p.limit)}`,
      );
    case 'minItems':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${Array.isArray(value) ? value.length : 0}: ${where} in body should have at least ${String(p.limit)} items`,
      );
    case 'maxItems':
      return cause(
        'FieldValueTooMany',
        field,
        `Too many: ${Array.isArray(value) ? value.length : 0}: must have at most ${String(p.limit)} items`,
      );
    case 'multipleOf':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body should be a multiple of ${String(p.multipleOf)}`,
      );
    case 'anyOf':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body must validate at least one schema (anyOf)`,
      );
    case 'oneOf':
      return cause(
        'FieldValueInvalid',
        field,
        `Invalid value: ${show(value)}: ${where} in body must validate one and only one schema (oneOf)`,
      );
    default:
      return cause('FieldValueInvalid', field, `Invalid value: ${show(value)}: ${e.message ?? ''}`);
  }
}

/**
 * The causes for a failed validation of `data`. Errors from inside `anyOf`/`oneOf` branches are
 * summarised by the branch keyword's own error (kube-openapi reports it that way), and a branch
 * summary is dropped when the same field already has a more precise error.
 */
export function causesFromAjv(errors: readonly ErrorObject[], data: unknown): StatusCause[] {
  const precise = errors.filter((e) => !/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath));
  const fieldsWithError = new Set(
    precise
      .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
      .map((e) => e.instancePath),
  );
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  for (const e of precise) {
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && fieldsWithError.has(e.instancePath))
      continue;
    const c = one(e, data);
    const key = `${c.field}\u0000${c.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}
