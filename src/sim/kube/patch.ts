/**
 * The two patch formats every Kubernetes resource accepts: JSON Merge Patch (RFC 7386,
 * `application/merge-patch+json`) and JSON Patch (RFC 6902, `application/json-patch+json`,
 * including `test`). Pure functions on JSON values; the input is never modified.
 */
import { isRecord } from '../../kube/object.js';

/** A patch that cannot be decoded (HTTP 400) or applied (HTTP 422), with the reason. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly phase: 'decode' | 'apply',
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** RFC 7386: objects merge recursively, `null` removes a key, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(out, k);
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a JSON Patch document (an array of operations). */
export function decodeJsonPatch(doc: unknown): Operation[] {
  if (!Array.isArray(doc))
    throw new PatchError(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      'decode',
    );
  return doc.map((op, i) => {
    if (!isRecord(op) || typeof op.op !== 'string' || !OPS.has(op.op))
      throw new PatchError(`unexpected kind of operation at index ${i}`, 'decode');
    if (typeof op.path !== 'string')
      throw new PatchError(`operation at index ${i} has no "path"`, 'decode');
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string')
      throw new PatchError(`operation at index ${i} has no "from"`, 'decode');
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op))
      throw new PatchError(`operation at index ${i} has no "value"`, 'decode');
    return op as unknown as Operation;
  });
}

/** RFC 6901: `/a/b~1c/0` → ['a', 'b/c', '0']. */
function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/'))
    throw new PatchError(`invalid JSON pointer: ${JSON.stringify(p)}`, 'apply');
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of the pointer's last token, and that token. */
function locate(doc: unknown, pointer: string): { parent: Container; key: string } {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined)
    throw new PatchError(`cannot operate on the whole document with ${pointer}`, 'apply');
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[index(cur, t, pointer, false)];
    else if (isRecord(cur) && t in cur) cur = cur[t];
    else throw new PatchError(`doc is missing path: "${pointer}": missing value`, 'apply');
  }
  if (!Array.isArray(cur) && !isRecord(cur))
    throw new PatchError(`doc is missing path: "${pointer}": missing value`, 'apply');
  return { parent: cur, key };
}

function index(arr: unknown[], token: string, pointer: string, forInsert: boolean): number {
  if (forInsert && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(`invalid array index ${JSON.stringify(token)} in ${pointer}`, 'apply');
  const i = Number(token);
  if (i > arr.length || (!forInsert && i === arr.length))
    throw new PatchError(`index out of range: ${pointer}`, 'apply');
  return i;
}

function get(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) return parent[index(parent, key, pointer, false)];
  if (!(key in parent))
    throw new PatchError(`doc is missing key: ${pointer}: missing value`, 'apply');
  return parent[key];
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, pointer, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) parent.splice(index(parent, key, pointer, false), 1);
  else if (key in parent) Reflect.deleteProperty(parent, key);
  else throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`, 'apply');
  return doc;
}

function replace(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) parent[index(parent, key, pointer, false)] = value;
  else if (key in parent) parent[key] = value;
  else throw new PatchError(`doc is missing key: ${pointer}: missing value`, 'apply');
  return doc;
}

function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

/** RFC 6902, applied in order; any failing operation (including `test`) fails the whole patch. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  let doc = structuredClone(target);
  for (const op of decodeJsonPatch(patch)) {
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, structuredClone(op.value));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        doc = replace(doc, op.path, structuredClone(op.value));
        break;
      case 'move': {
        const from = op.from ?? '';
        if (op.path.startsWith(from + '/'))
          throw new PatchError(`cannot move ${from} into its own child ${op.path}`, 'apply');
        const v = get(doc, from);
        doc = add(remove(doc, from), op.path, v);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(get(doc, op.from ?? '')));
        break;
      case 'test':
        if (!equal(get(doc, op.path), op.value))
          throw new PatchError(`testing value ${op.path} failed: test failed`, 'apply');
        break;
    }
  }
  return doc;
}
