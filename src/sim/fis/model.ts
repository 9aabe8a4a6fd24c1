/**
 * The AWS FIS Smithy model (Smithy 2.0 JSON AST, `model/fis-2020-12-01.json`, see its README):
 * its types, the loader, and the HTTP bindings of its operations (method, URI template, which
 * input members are labels, query parameters or headers) taken from the `smithy.api#http*`
 * traits, so the loopback server routes exactly as the real service does.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';

export interface SmithyMember {
  target: string;
  traits?: Record<string, unknown>;
}

export interface SmithyShape {
  type: string;
  members?: Record<string, SmithyMember>;
  member?: SmithyMember;
  key?: SmithyMember;
  value?: SmithyMember;
  input?: { target: string };
  output?: { target: string };
  errors?: { target: string }[];
  traits?: Record<string, unknown>;
}

export interface SmithyModel {
  smithy: string;
  shapes: Record<string, SmithyShape>;
}

/** The model file shipped with the sim. */
export const FIS_MODEL_FILE = packagePath('src', 'sim', 'fis', 'model', 'fis-2020-12-01.json');
export const FIS_NAMESPACE = 'com.amazonaws.fis';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isSmithyModel(v: unknown): v is SmithyModel {
  return (
    isRecord(v) &&
    typeof v.smithy === 'string' &&
    isRecord(v.shapes) &&
    Object.values(v.shapes).every((s) => isRecord(s) && typeof s.type === 'string')
  );
}

let cached: SmithyModel | undefined;

/** The FIS model, parsed once per process. Callers must not modify it. */
export function loadFisModel(file = FIS_MODEL_FILE): SmithyModel {
  if (file === FIS_MODEL_FILE && cached) return cached;
  const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isSmithyModel(v)) throw new Error(`${file} is not a Smithy JSON AST`);
  if (file === FIS_MODEL_FILE) cached = v;
  return v;
}

/** `com.amazonaws.fis#Experiment` → `Experiment`. */
export function shapeName(id: string): string {
  return id.slice(id.indexOf('#') + 1);
}

/** The member traits that bind an input/output member to the HTTP message instead of the body. */
export const HTTP_BINDING_TRAITS = [
  'smithy.api#httpLabel',
  'smithy.api#httpQuery',
  'smithy.api#httpQueryParams',
  'smithy.api#httpHeader',
  'smithy.api#httpPrefixHeaders',
  'smithy.api#httpResponseCode',
] as const;

export function isHttpBound(member: SmithyMember): boolean {
  return HTTP_BINDING_TRAITS.some((t) => member.traits?.[t] !== undefined);
}

export interface OperationRoute {
  /** `StartExperiment` */
  name: string;
  /** `com.amazonaws.fis#StartExperiment` */
  id: string;
  method: string;
  /** The URI template, e.g. `/experiments/{id}`. */
  uri: string;
  /** The success status code (`smithy.api#http` `code`, default 200). */
  code: number;
  input: string;
  output: string;
  errors: string[];
  /** Path segments: literal text, or `{name}` / `{name+}` labels. */
  segments: { literal?: string; label?: string; greedy?: boolean }[];
}

/** Every operation of the model that has an `smithy.api#http` trait. */
export function operationRoutes(model: SmithyModel): OperationRoute[] {
  const routes: OperationRoute[] = [];
  for (const [id, shape] of Object.entries(model.shapes)) {
    if (shape.type !== 'operation') continue;
    const http = shape.traits?.['smithy.api#http'];
    if (!isRecord(http) || typeof http.method !== 'string' || typeof http.uri !== 'string')
      continue;
    const path = http.uri.split('?')[0] ?? '';
    routes.push({
      name: shapeName(id),
      id,
      method: http.method.toUpperCase(),
      uri: http.uri,
      code: typeof http.code === 'number' ? http.code : 200,
      input: shape.input?.target ?? 'smithy.api#Unit',
      output: shape.output?.target ?? 'smithy.api#Unit',
      errors: (shape.errors ?? []).map((e) => e.target),
      segments: path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => {
          const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
          return m ? { label: m[1] ?? '', greedy: m[2] === '+' } : { literal: s };
        }),
    });
  }
  // Most literal segments first: `/experiments/{id}/resolvedTargets` before `/experiments/{id}`.
  const literals = (r: OperationRoute): number => r.segments.filter((s) => s.literal).length;
  return routes.sort((a, b) => literals(b) - literals(a) || b.segments.length - a.segments.length);
}

export interface RouteMatch {
  route: OperationRoute;
  /** Label values, percent-decoded. */
  labels: Record<string, string>;
}

/** The operation a request addresses, with its labels; undefined when none matches. */
export function matchRoute(
  routes: OperationRoute[],
  method: string,
  pathname: string,
): RouteMatch | undefined {
  const parts = pathname.split('/').filter((s) => s !== '');
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const labels = matchSegments(route.segments, parts);
    if (labels) return { route, labels };
  }
  return undefined;
}

function matchSegments(
  segments: OperationRoute['segments'],
  parts: string[],
): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (!seg) return undefined;
    if (seg.greedy && seg.label !== undefined) {
      const rest = parts.slice(i);
      if (rest.length === 0 || i !== segments.length - 1) return undefined;
      labels[seg.label] = rest.map(decode).join('/');
      return labels;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.literal !== undefined) {
      if (seg.literal !== part) return undefined;
    } else if (seg.label !== undefined) {
      const value = decode(part);
      if (value === '') return undefined;
      labels[seg.label] = value;
    }
  }
  return parts.length === segments.length ? labels : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
