/**
 * Validation of a parsed suite against `schema/suite.schema.json`, and the translation of Ajv's
 * errors into sentences a person acts on, each at its place in the file. The validator is Ajv's
 * code for the schema, generated at build time (scripts/schema-validator.mjs): a run neither
 * loads Ajv nor compiles the schema.
 */
import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { validateSuite } from './schema-validator.generated.js';
import type { SourceMap } from './yaml.js';
import type { SuiteFile } from './types.js';

export function validateSuiteShape(
  value: unknown,
  source: SourceMap,
): { suite?: SuiteFile; issues: ConfigIssue[] } {
  if (validateSuite(value)) return { suite: value as SuiteFile, issues: [] };
  return { issues: humanize(validateSuite.errors ?? [], value, source) };
}

type Schema = Record<string, unknown>;

function decode(ptr: string): string[] {
  return ptr === ''
    ? []
    : ptr
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `experiments[2].probes[0]` for `/experiments/2/probes/0`. */
export function dotted(ptr: string): string {
  let out = '';
  for (const part of decode(ptr))
    out += /^[0-9]+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? 'the suite' : out;
}

function valueAt(root: unknown, ptr: string): unknown {
  let cur: unknown = root;
  for (const part of decode(ptr)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // A quoted `"1"` or `"true"` is a string that reads like a number or boolean: say so.
  if (typeof v === 'string' && /^([-+]?[0-9][0-9_.eE+-]*|true|false|null|~)$/i.test(v))
    return `the string \`"${v}"\``;
  if (typeof v === 'string') return `\`${v.length > 60 ? v.slice(0, 57) + '...' : v}\``;
  return `\`${String(v)}\``;
}

function typeName(t: unknown): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'true or false',
  };
  return Array.isArray(t) ? t.map(typeName).join(' or ') : (names[String(t)] ?? String(t));
}

function humanize(errors: ErrorObject[], root: unknown, source: SourceMap): ConfigIssue[] {
  // Alternatives with our own wording replace the errors of their branches.
  const explained = errors.filter(
    (e) =>
      (e.keyword === 'oneOf' && (e.parentSchema as Schema)['x-oneOf']) ||
      (e.keyword === 'anyOf' && (e.parentSchema as Schema)['x-anyOf']),
  );
  const hidden = (e: ErrorObject): boolean =>
    e.keyword === 'if' ||
    explained.some(
      (x) =>
        x !== e &&
        e.schemaPath.startsWith(x.schemaPath + '/') &&
        e.instancePath.startsWith(x.instancePath),
    );
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (hidden(e)) continue;
    const issue = describe(e, root, source);
    if (!issue) continue;
    const key = `${issue.position?.line}:${issue.position?.column}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues.sort(
    (a, b) =>
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.column ?? 0) - (b.position?.column ?? 0),
  );
}

function describe(e: ErrorObject, root: unknown, source: SourceMap): ConfigIssue | undefined {
  const where = dotted(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Schema;
  const value = valueAt(root, e.instancePath);
  const at = source.at(e.instancePath);
  // Errors about a mapping as a whole (a key missing, no alternative fits) point at the key that
  // holds it: the value's own position is its first entry, which is not what is wrong.
  const holder =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? source.keyAt(e.instancePath)
      : at;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as Schema);
      const inside = e.instancePath === '' ? '' : ` in \`${where}\``;
      return {
        message: `unknown key \`${key}\`${inside}${didYouMean(key, known) || (known.length ? ` (expected one of: ${known.join(', ')})` : '')}`,
        position: source.keyAt(`${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return {
        message: `${where === 'the suite' ? 'the suite' : `\`${where}\``} is missing the required key \`${key}\``,
        position: holder,
      };
    }
    case 'false schema': {
      const parts = decode(e.instancePath);
      const key = parts[parts.length - 1] ?? '';
      const exp =
        parts[0] === 'experiments' && parts.length === 3
          ? valueAt(root, `/experiments/${parts[1]}`)
          : undefined;
      const provider =
        exp && typeof exp === 'object' ? (exp as Record<string, unknown>).provider : undefined;
      return {
        message: provider
          ? `\`${key}\` is not used with provider \`${String(provider)}\``
          : `\`${where}\` is not allowed here`,
        position: source.keyAt(e.instancePath),
      };
    }
    case 'oneOf':
    case 'anyOf': {
      const own = parent[e.keyword === 'oneOf' ? 'x-oneOf' : 'x-anyOf'];
      return {
        message:
          typeof own === 'string'
            ? `\`${where}\`: ${own}`
            : `\`${where}\` does not match any allowed form`,
        position: holder,
      };
    }
    case 'type': {
      // `timeout: 10` is "a duration such as 30s", not merely "a string".
      const expected =
        typeof parent['x-hint'] === 'string' ? parent['x-hint'] : typeName(params.type);
      return {
        message: `\`${where}\` must be ${expected}, not ${describeValue(value)}`,
        position: at,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      return {
        message: `\`${where}\` must be one of ${allowed.join(', ')}, not ${describeValue(value)}${hint}`,
        position: at,
      };
    }
    case 'const':
      return {
        message: `\`${where}\` must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(value)}`,
        position: at,
      };
    case 'pattern': {
      const hint =
        typeof parent['x-hint'] === 'string'
          ? parent['x-hint']
          : `a string matching ${String(params.pattern)}`;
      return { message: `\`${where}\` must be ${hint}, not ${describeValue(value)}`, position: at };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const sub = (parent.propertyNames ?? {}) as Schema;
      void sub;
      return {
        message: `\`${name}\` is not a valid name in \`${where}\`: use letters, digits, '.', '_' or '-' (at most 63)`,
        position: source.keyAt(`${e.instancePath}/${name}`),
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const op = {
        minimum: 'at least',
        maximum: 'at most',
        exclusiveMinimum: 'more than',
        exclusiveMaximum: 'less than',
      }[e.keyword];
      return {
        message: `\`${where}\` must be ${op} ${String(params.limit)}, not ${describeValue(value)}`,
        position: at,
      };
    }
    case 'minItems':
      return {
        message: `\`${where}\` needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`,
        position: at,
      };
    case 'maxItems':
      return { message: `\`${where}\` has more than ${String(params.limit)} items`, position: at };
    case 'uniqueItems':
      return {
        message: `\`${where}\` lists the same value twice (items ${String(params.j)} and ${String(params.i)})`,
        position: source.at(`${e.instancePath}/${String(params.i)}`),
      };
    case 'minLength':
      return { message: `\`${where}\` must not be empty`, position: at };
    case 'maxLength':
      return {
        message: `\`${where}\` is longer than ${String(params.limit)} characters`,
        position: at,
      };
    case 'minProperties':
      return {
        message: `\`${where}\` needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`,
        position: holder,
      };
    case 'not':
      return undefined; // only used inside explained oneOf branches
    default:
      return { message: `\`${where}\` ${e.message ?? 'is invalid'}`, position: at };
  }
}
