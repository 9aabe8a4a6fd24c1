/**
 * Checks a JSON value against a shape of a Smithy model, as the restJson1 protocol puts it on the
 * wire: structures and unions are objects (unknown members, `required` members, one member set
 * for a union), lists are arrays, maps are objects, enums are one of their values, numbers are
 * numbers of the right kind, timestamps are epoch-seconds numbers (unless a
 * `smithy.api#timestampFormat` trait says otherwise), blobs are base64 strings, documents are
 * anything.
 *
 *   validateShape(model, 'com.amazonaws.fis#GetExperimentResponse', body)
 *   // ['$.experiment.state.status: "paused" is not a value of enum ExperimentStatus (pending, ...)']
 *
 * With `constraints`, the `length`, `range` and `pattern` traits are checked too: the real
 * service validates its input that way, but its output does not always honour them (the upstream
 * stop-experiment example has an action `reason: ""` that the pattern `^[\s\S]+$` refuses).
 * With `httpBody`, the top-level members bound to the HTTP message (labels, query parameters,
 * headers, the status code) are left out: the value is a request or response body.
 */
import {
  isHttpBound,
  isRecord,
  shapeName,
  type SmithyMember,
  type SmithyModel,
  type SmithyShape,
} from './model.js';

export interface ValidateOptions {
  /** Check the `length`, `range` and `pattern` traits (what a server checks on its input). */
  constraints?: boolean;
  /** The value is an HTTP body: the top-level structure's http-bound members are excluded. */
  httpBody?: boolean;
}

/** The problems of `value` as an instance of `shapeId`; empty when it conforms. */
export function validateShape(
  model: SmithyModel,
  shapeId: string,
  value: unknown,
  opts: ValidateOptions = {},
): string[] {
  const problems: string[] = [];
  new Validator(model, opts, problems).check(
    shapeId,
    value,
    '$',
    undefined,
    opts.httpBody === true,
  );
  return problems;
}

/** Throws an Error listing the problems when `value` does not conform. */
export function assertShape(
  model: SmithyModel,
  shapeId: string,
  value: unknown,
  opts: ValidateOptions = {},
): void {
  const problems = validateShape(model, shapeId, value, opts);
  if (problems.length > 0)
    throw new Error(`not a valid ${shapeName(shapeId)}:\n  ${problems.join('\n  ')}`);
}

/** The shape of a prelude id (`smithy.api#String`, `smithy.api#PrimitiveInteger`, ...). */
function preludeShape(id: string): SmithyShape | undefined {
  if (!id.startsWith('smithy.api#')) return undefined;
  const name = shapeName(id).replace(/^Primitive/, '');
  if (name === 'Unit') return { type: 'structure', members: {} };
  const type = name.charAt(0).toLowerCase() + name.slice(1);
  const known = [
    'string',
    'blob',
    'boolean',
    'byte',
    'short',
    'integer',
    'long',
    'float',
    'double',
    'bigInteger',
    'bigDecimal',
    'timestamp',
    'document',
  ];
  return known.includes(type) ? { type } : undefined;
}

const INT_BOUNDS: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 3339 date-time, as Smithy's `date-time` timestamp format. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

const patterns = new Map<string, RegExp>();
function compilePattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      re = new RegExp(p);
    }
    patterns.set(p, re);
  }
  return re;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function memberPath(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

class Validator {
  constructor(
    private readonly model: SmithyModel,
    private readonly opts: ValidateOptions,
    private readonly problems: string[],
  ) {}

  private shape(id: string): SmithyShape {
    const s = this.model.shapes[id] ?? preludeShape(id);
    if (!s) throw new Error(`shape ${id} is not in the model`);
    return s;
  }

  private fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  /** `member` carries the traits of the member that led here (timestampFormat, ...). */
  check(
    id: string,
    value: unknown,
    path: string,
    member: SmithyMember | undefined,
    httpBody = false,
  ): void {
    const shape = this.shape(id);
    const name = shapeName(id);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, name, value, path, httpBody);
      case 'union':
        return this.union(shape, name, value, path);
      case 'list':
      case 'set':
        return this.list(shape, name, value, path);
      case 'map':
        return this.map(shape, name, value, path);
      case 'string':
        return this.string(shape, name, value, path);
      case 'enum':
        return this.enumValue(shape, name, value, path);
      case 'intEnum':
        return this.intEnum(shape, name, value, path);
      case 'boolean':
        if (typeof value !== 'boolean')
          this.fail(path, `expected a boolean, got ${describe(value)}`);
        return;
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
      case 'bigInteger':
        return this.integer(shape, value, path);
      case 'float':
      case 'double':
      case 'bigDecimal':
        return this.float(shape, value, path);
      case 'timestamp':
        return this.timestamp(shape, member, value, path);
      case 'blob':
        if (typeof value !== 'string' || !BASE64.test(value))
          this.fail(path, `expected a base64 string (blob), got ${describe(value)}`);
        else this.length(shape, Buffer.from(value, 'base64').length, path);
        return;
      case 'document':
        return;
      default:
        this.fail(path, `shape ${name} has type ${shape.type}, which no JSON value can be`);
    }
  }

  private structure(
    shape: SmithyShape,
    name: string,
    value: unknown,
    path: string,
    httpBody: boolean,
  ): void {
    if (!isRecord(value)) {
      this.fail(path, `expected a ${name} object, got ${describe(value)}`);
      return;
    }
    const members = Object.entries(shape.members ?? {}).filter(
      ([, m]) => !(httpBody && isHttpBound(m)),
    );
    const byWireName = new Map(members.map(([n, m]) => [wireName(n, m), m] as const));
    for (const [key, v] of Object.entries(value)) {
      const m = byWireName.get(key);
      const p = memberPath(path, key);
      if (!m) {
        const bound = httpBody && shape.members?.[key] !== undefined;
        this.fail(
          p,
          bound
            ? `member ${key} of ${name} is bound to the HTTP message, not the body`
            : `unknown member of ${name}`,
        );
      } else if (v === null) this.fail(p, `is null (omit the member instead)`);
      else this.check(m.target, v, p, m);
    }
    for (const [n, m] of members) {
      const key = wireName(n, m);
      if (m.traits?.['smithy.api#required'] !== undefined && value[key] === undefined)
        this.fail(memberPath(path, key), `required member of ${name} is missing`);
    }
  }

  private union(shape: SmithyShape, name: string, value: unknown, path: string): void {
    if (!isRecord(value)) {
      this.fail(path, `expected a ${name} object (union), got ${describe(value)}`);
      return;
    }
    const members = Object.entries(shape.members ?? {});
    const byWireName = new Map(members.map(([n, m]) => [wireName(n, m), m] as const));
    const set = Object.entries(value).filter(([k, v]) => v !== null && k !== '__type');
    if (set.length !== 1)
      this.fail(path, `a ${name} union must have exactly one member set, has ${set.length}`);
    for (const [key, v] of set) {
      const m = byWireName.get(key);
      if (!m) this.fail(memberPath(path, key), `unknown member of ${name}`);
      else this.check(m.target, v, memberPath(path, key), m);
    }
  }

  private list(shape: SmithyShape, name: string, value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.fail(path, `expected a ${name} array, got ${describe(value)}`);
      return;
    }
    this.length(shape, value.length, path);
    const member = shape.member;
    if (!member) return;
    const sparse = shape.traits?.['smithy.api#sparse'] !== undefined;
    value.forEach((v: unknown, i) => {
      if (v === null) {
        if (!sparse) this.fail(`${path}[${i}]`, `null in the non-sparse list ${name}`);
      } else this.check(member.target, v, `${path}[${i}]`, member);
    });
  }

  private map(shape: SmithyShape, name: string, value: unknown, path: string): void {
    if (!isRecord(value)) {
      this.fail(path, `expected a ${name} object (map), got ${describe(value)}`);
      return;
    }
    const entries = Object.entries(value);
    this.length(shape, entries.length, path);
    const sparse = shape.traits?.['smithy.api#sparse'] !== undefined;
    for (const [k, v] of entries) {
      const p = memberPath(path, k);
      if (shape.key) {
        const before = this.problems.length;
        this.check(shape.key.target, k, p, shape.key);
        for (let i = before; i < this.problems.length; i++)
          this.problems[i] = `${this.problems[i] ?? ''} (map key)`;
      }
      if (v === null) {
        if (!sparse) this.fail(p, `null in the non-sparse map ${name}`);
      } else if (shape.value) this.check(shape.value.target, v, p, shape.value);
    }
  }

  private string(shape: SmithyShape, name: string, value: unknown, path: string): void {
    if (typeof value !== 'string') {
      this.fail(path, `expected a string (${name}), got ${describe(value)}`);
      return;
    }
    // Smithy 1.0 enums: a string shape with an `enum` trait.
    const legacy = shape.traits?.['smithy.api#enum'];
    if (Array.isArray(legacy)) {
      const values = legacy.flatMap((e: unknown) =>
        isRecord(e) && typeof e.value === 'string' ? [e.value] : [],
      );
      if (!values.includes(value))
        this.fail(
          path,
          `${JSON.stringify(value)} is not a value of ${name} (${values.join(', ')})`,
        );
    }
    this.length(shape, [...value].length, path);
    const pattern = shape.traits?.['smithy.api#pattern'];
    if (
      this.opts.constraints &&
      typeof pattern === 'string' &&
      !compilePattern(pattern).test(value)
    )
      this.fail(path, `${describe(value)} does not match the pattern ${pattern} of ${name}`);
  }

  private enumValue(shape: SmithyShape, name: string, value: unknown, path: string): void {
    const values = Object.entries(shape.members ?? {}).map(([n, m]) => {
      const v = m.traits?.['smithy.api#enumValue'];
      return typeof v === 'string' ? v : n;
    });
    if (typeof value !== 'string') {
      this.fail(path, `expected a string (enum ${name}), got ${describe(value)}`);
      return;
    }
    if (!values.includes(value))
      this.fail(
        path,
        `${JSON.stringify(value)} is not a value of enum ${name} (${values.join(', ')})`,
      );
  }

  private intEnum(shape: SmithyShape, name: string, value: unknown, path: string): void {
    const values = Object.values(shape.members ?? {}).flatMap((m) => {
      const v = m.traits?.['smithy.api#enumValue'];
      return typeof v === 'number' ? [v] : [];
    });
    if (typeof value !== 'number' || !values.includes(value))
      this.fail(
        path,
        `${describe(value)} is not a value of intEnum ${name} (${values.join(', ')})`,
      );
  }

  private integer(shape: SmithyShape, value: unknown, path: string): void {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(path, `expected an integer (${shape.type}), got ${describe(value)}`);
      return;
    }
    const bounds = INT_BOUNDS[shape.type];
    if (bounds && (value < bounds[0] || value > bounds[1]))
      this.fail(path, `${value} is out of the ${shape.type} range`);
    this.range(shape, value, path);
  }

  private float(shape: SmithyShape, value: unknown, path: string): void {
    if (typeof value === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(value)) return;
    if (typeof value !== 'number') {
      this.fail(path, `expected a number (${shape.type}), got ${describe(value)}`);
      return;
    }
    this.range(shape, value, path);
  }

  private timestamp(
    shape: SmithyShape,
    member: SmithyMember | undefined,
    value: unknown,
    path: string,
  ): void {
    const format =
      member?.traits?.['smithy.api#timestampFormat'] ??
      shape.traits?.['smithy.api#timestampFormat'] ??
      'epoch-seconds';
    if (format === 'epoch-seconds') {
      if (typeof value !== 'number' || !Number.isFinite(value))
        this.fail(path, `expected a timestamp in epoch seconds (a number), got ${describe(value)}`);
    } else if (format === 'date-time') {
      if (typeof value !== 'string' || !DATE_TIME.test(value))
        this.fail(path, `expected an RFC 3339 date-time string, got ${describe(value)}`);
    } else if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      this.fail(path, `expected an HTTP date string, got ${describe(value)}`);
    }
  }

  private length(shape: SmithyShape, size: number, path: string): void {
    const length = shape.traits?.['smithy.api#length'];
    if (!this.opts.constraints || !isRecord(length)) return;
    if (typeof length.min === 'number' && size < length.min)
      this.fail(path, `length ${size} is below the minimum ${length.min}`);
    if (typeof length.max === 'number' && size > length.max)
      this.fail(path, `length ${size} is above the maximum ${length.max}`);
  }

  private range(shape: SmithyShape, n: number, path: string): void {
    const range = shape.traits?.['smithy.api#range'];
    if (!this.opts.constraints || !isRecord(range)) return;
    const min = Number(range.min ?? Number.NEGATIVE_INFINITY);
    const max = Number(range.max ?? Number.POSITIVE_INFINITY);
    if (n < min || n > max)
      this.fail(
        path,
        `${n} is out of the range [${String(range.min ?? '')}, ${String(range.max ?? '')}]`,
      );
  }
}

function wireName(name: string, member: SmithyMember): string {
  const json = member.traits?.['smithy.api#jsonName'];
  return typeof json === 'string' ? json : name;
}
