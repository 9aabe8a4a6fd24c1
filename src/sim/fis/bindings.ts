/**
 * A restJson1 request as an operation input: the URI labels, query parameters and headers go to
 * the input members bound to them (`smithy.api#httpLabel`, `httpQuery`, `httpHeader`), the JSON
 * body to the others. Each part is checked against the model with the constraint traits, as the
 * real service validates its input; the problems come back for a 400 ValidationException.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isRecord, type OperationRoute, type SmithyModel } from './model.js';
import { validateShape } from './shapes.js';

export interface BoundInput {
  input: Record<string, unknown>;
  problems: string[];
}

/** A text value from the URI or a header as the JSON value of shape `id`. */
function fromText(model: SmithyModel, id: string, text: string): unknown {
  const type = model.shapes[id]?.type ?? '';
  if (['byte', 'short', 'integer', 'long', 'bigInteger', 'intEnum'].includes(type))
    return /^-?\d+$/.test(text) ? Number(text) : text;
  if (['float', 'double', 'bigDecimal'].includes(type)) {
    const n = Number(text);
    return text.trim() !== '' && !Number.isNaN(n) ? n : text;
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (type === 'timestamp') {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? text : ms / 1000;
  }
  return text;
}

export function bindInput(
  model: SmithyModel,
  route: OperationRoute,
  labels: Record<string, string>,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  body: unknown,
): BoundInput {
  const problems: string[] = [];
  const input: Record<string, unknown> = {};
  const shape = model.shapes[route.input];
  const check = (target: string, value: unknown, where: string): void => {
    for (const p of validateShape(model, target, value, { constraints: true }))
      problems.push(p.replace(/^\$/, where));
  };

  for (const [name, m] of Object.entries(shape?.members ?? {})) {
    const t = m.traits ?? {};
    if (t['smithy.api#httpLabel'] !== undefined) {
      const text = labels[name];
      if (text === undefined) continue;
      input[name] = fromText(model, m.target, text);
      check(m.target, input[name], `label ${name}`);
    } else if (typeof t['smithy.api#httpQuery'] === 'string') {
      const key = t['smithy.api#httpQuery'];
      const texts = query.getAll(key);
      if (texts.length === 0) continue;
      const target = model.shapes[m.target];
      input[name] =
        target?.type === 'list' && target.member
          ? texts.map((x) => fromText(model, target.member?.target ?? '', x))
          : fromText(model, m.target, texts[0] ?? '');
      check(m.target, input[name], `query ${key}`);
    } else if (typeof t['smithy.api#httpHeader'] === 'string') {
      const raw = headers[t['smithy.api#httpHeader'].toLowerCase()];
      if (raw === undefined) continue;
      input[name] = fromText(model, m.target, Array.isArray(raw) ? raw.join(',') : raw);
      check(m.target, input[name], `header ${t['smithy.api#httpHeader']}`);
    }
  }

  for (const p of validateShape(model, route.input, body, { constraints: true, httpBody: true }))
    problems.push(p.replace(/^\$/, 'body'));
  if (isRecord(body)) for (const [k, v] of Object.entries(body)) if (!(k in input)) input[k] = v;
  return { input, problems };
}
