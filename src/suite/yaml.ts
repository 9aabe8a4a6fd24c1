/**
 * YAML parsed with positions, hardened against hostile input.
 *
 * We walk the `yaml` package's AST ourselves instead of calling `toJS()` so that every value
 * keeps its place in the file (for `file:line:column` errors), `${VAR}` substitution happens
 * per scalar (so an unset variable is reported where it is used), and size, depth and alias
 * expansion are bounded: a billion-laughs file or a 10,000-deep nesting is refused, not run.
 */
import {
  Composer,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  visit,
  type CST,
  type Document,
  type Node as YamlNode,
  type ParsedNode,
  type YAMLError,
  Scalar,
} from 'yaml';
import { ConfigurationError, type ConfigIssue, type SourcePosition } from '../errors.js';
import { substituteEnv, type Env } from './env.js';

export interface YamlLimits {
  /** Largest file we read, in bytes. */
  maxBytes: number;
  /** Deepest nesting of mappings and sequences. */
  maxDepth: number;
  /** Alias dereferences (counted through expansion, so nested aliases multiply). */
  maxAliases: number;
  /** Values in one file, after alias expansion. */
  maxNodes: number;
  /** Longest single string. */
  maxScalarLength: number;
  /** Documents in one file. */
  maxDocuments: number;
}

export const DEFAULT_LIMITS: YamlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxAliases: 100,
  maxNodes: 50_000,
  maxScalarLength: 64 * 1024,
  maxDocuments: 20,
};

/** JSON pointer (RFC 6901) of a path, the format Ajv reports `instancePath` in. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

interface Entry {
  value: SourcePosition;
  key?: SourcePosition;
}

/** Positions of every value of one YAML document, by JSON pointer. */
export class SourceMap {
  constructor(
    readonly file: string,
    private readonly entries: Map<string, Entry>,
    private readonly fallback: SourcePosition,
  ) {}

  /** Position of the value at `ptr`, or of its nearest ancestor that exists. */
  at(ptr: string): SourcePosition {
    return this.lookup(ptr, false);
  }

  /** Position of the key that holds `ptr` (for "unknown key" errors), else of the value. */
  keyAt(ptr: string): SourcePosition {
    return this.lookup(ptr, true);
  }

  private lookup(ptr: string, key: boolean): SourcePosition {
    let p = ptr;
    for (;;) {
      const e = this.entries.get(p);
      if (e) return (key ? e.key : undefined) ?? e.value;
      if (p === '') return this.fallback;
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }
}

export interface YamlDocument {
  value: unknown;
  source: SourceMap;
}

export interface ParseOptions {
  env?: Env;
  limits?: Partial<YamlLimits>;
}

const PLAIN_INT = /^[-+]?(0|[1-9][0-9]*)$/;
const PLAIN_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** A plain scalar whose text came from `${VAR}` is typed like YAML would have typed it. */
function retype(text: string): unknown {
  if (PLAIN_INT.test(text)) return Number(text);
  if (PLAIN_FLOAT.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(~|null|Null|NULL)?$/.test(text)) return null;
  return text;
}

class Walker {
  private aliases = 0;
  private nodes = 0;
  readonly entries = new Map<string, Entry>();

  constructor(
    private readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly limits: YamlLimits,
    private readonly env: Env | undefined,
    private readonly issues: ConfigIssue[],
  ) {}

  pos(node: { range?: [number, number, number] | null } | null | undefined): SourcePosition {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  private fail(node: YamlNode | null | undefined, message: string): never {
    this.issues.push({ message, position: this.pos(node) });
    throw new StopWalk();
  }

  walk(
    node: YamlNode | null | undefined,
    path: string,
    depth: number,
    key?: SourcePosition,
  ): unknown {
    if (++this.nodes > this.limits.maxNodes) {
      this.fail(
        node,
        `too many values (more than ${this.limits.maxNodes}): the file is too large to be a suite or manifest`,
      );
    }
    if (isAlias(node)) {
      if (++this.aliases > this.limits.maxAliases) {
        this.fail(
          node,
          `too many alias expansions (more than ${this.limits.maxAliases}): the file looks like an alias bomb`,
        );
      }
      const target = node.resolve(this.doc);
      if (!target) this.fail(node, `unresolved alias *${node.source}`);
      const value = this.walk(target, path, depth, key);
      // Errors about the value point at the alias the user wrote, not at its anchor.
      this.entries.set(path, { value: this.pos(node), ...(key ? { key } : {}) });
      return value;
    }
    if (node === null || node === undefined) {
      this.entries.set(path, { value: key ?? this.pos(node), ...(key ? { key } : {}) });
      return null;
    }
    this.entries.set(path, { value: this.pos(node), ...(key ? { key } : {}) });
    if (isScalar(node)) return this.scalar(node as Scalar<unknown>);
    if (depth >= this.limits.maxDepth) {
      this.fail(node, `nesting deeper than ${this.limits.maxDepth} levels`);
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const k = pair.key as YamlNode | null;
        if (
          !isScalar(k) ||
          (typeof k.value !== 'string' &&
            typeof k.value !== 'number' &&
            typeof k.value !== 'boolean')
        ) {
          this.fail(k ?? node, 'mapping keys must be plain strings');
        }
        const name = String(k.value);
        if (name === '__proto__') this.fail(k, 'the key `__proto__` is not allowed');
        const child = `${path}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        out[name] = this.walk(pair.value as YamlNode | null, child, depth + 1, this.pos(k));
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) =>
        this.walk(item as YamlNode | null, `${path}/${i}`, depth + 1),
      );
    }
    this.fail(node, 'unsupported YAML node');
  }

  private scalar(node: Scalar<unknown>): unknown {
    const v = node.value;
    if (typeof v !== 'string') return v;
    if (v.length > this.limits.maxScalarLength) {
      this.fail(
        node,
        `string of ${v.length} characters is longer than the limit of ${this.limits.maxScalarLength}`,
      );
    }
    if (!this.env) return v;
    const sub = substituteEnv(v, this.env);
    if (!sub.ok) {
      if (sub.malformed)
        this.issues.push({
          message: `malformed variable reference \`${sub.malformed}\`: expected \${NAME} or \${NAME:-default}`,
          position: this.pos(node),
        });
      for (const name of sub.missing) {
        this.issues.push({
          message: `environment variable \`${name}\` is not set (use \${${name}:-default} to give a default)`,
          position: this.pos(node),
        });
      }
      return v;
    }
    if (sub.value.length > this.limits.maxScalarLength) {
      this.fail(
        node,
        `string of ${sub.value.length} characters (after substitution) is longer than the limit of ${this.limits.maxScalarLength}`,
      );
    }
    return sub.changed && node.type === Scalar.PLAIN ? retype(sub.value) : sub.value;
  }
}

class StopWalk extends Error {}

/**
 * Parses every document of a YAML file. Throws a ConfigurationError listing each problem with
 * its position; never returns a partial result.
 */
export function parseYaml(text: string, file: string, options: ParseOptions = {}): YamlDocument[] {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new ConfigurationError([
      {
        message: `file is ${bytes} bytes, larger than the limit of ${limits.maxBytes}`,
        position: { file, line: 1, column: 1 },
      },
    ]);
  }
  const lines = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  // The parser keeps its own stack; the composer recurses once per level, so depth and the
  // number of documents are checked on the parser's tokens before anything is composed.
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const shape = structureProblem(tokens, limits);
  if (shape) throw new ConfigurationError([{ message: shape.message, position: at(shape.offset) }]);
  const composer = new Composer({
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    version: '1.2',
    keepSourceTokens: false,
  });
  const parsed: Document.Parsed[] = Array.from(composer.compose(tokens));
  const issues: ConfigIssue[] = [];
  for (const doc of parsed) issues.push(...syntaxIssues(doc, text, at));
  if (issues.length > 0) throw new ConfigurationError(issues);
  const nonEmpty = parsed.filter((d) => d.contents !== null);
  const out: YamlDocument[] = [];
  for (const doc of nonEmpty) {
    const walker = new Walker(file, doc, lines, limits, options.env, issues);
    try {
      const value = walker.walk(doc.contents as ParsedNode, '', 0);
      out.push({ value, source: new SourceMap(file, walker.entries, walker.pos(doc.contents)) });
    } catch (err) {
      if (!(err instanceof StopWalk)) throw err;
    }
  }
  if (issues.length > 0) throw new ConfigurationError(issues);
  return out;
}

/**
 * Nesting deeper than `maxDepth` or more than `maxDocuments` documents, found on the parser's
 * tokens without recursion: the offset of the first offending collection or document.
 */
function structureProblem(
  tokens: readonly CST.Token[],
  limits: YamlLimits,
): { message: string; offset: number } | undefined {
  const documents = tokens.filter(
    (t): t is CST.Document => t.type === 'document' && t.value !== undefined,
  );
  if (documents.length > limits.maxDocuments) {
    return {
      message: `${documents.length} YAML documents, more than the limit of ${limits.maxDocuments}`,
      offset: documents[limits.maxDocuments]?.offset ?? 0,
    };
  }
  // Depth first, children pushed last to first, so the first collection found is the first in the file.
  const stack: { token: CST.Token; depth: number }[] = documents
    .flatMap((d) => (d.value ? [{ token: d.value, depth: 0 }] : []))
    .reverse();
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { token, depth } = next;
    if (
      token.type !== 'block-map' &&
      token.type !== 'block-seq' &&
      token.type !== 'flow-collection'
    )
      continue;
    if (depth >= limits.maxDepth)
      return { message: `nesting deeper than ${limits.maxDepth} levels`, offset: token.offset };
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i];
      if (item?.value) stack.push({ token: item.value, depth: depth + 1 });
      if (item?.key) stack.push({ token: item.key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The yaml package's errors, each at the place the user has to change. */
function syntaxIssues(
  doc: Document.Parsed,
  text: string,
  at: (offset: number) => SourcePosition,
): ConfigIssue[] {
  const errors: readonly YAMLError[] = doc.errors;
  if (errors.length === 0) return [];
  const lineStart = (offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;
  const flows: { node: YamlNode; start: number; end: number }[] = [];
  const keys = new Map<number, string>();
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range) keys.set(pair.key.range[0], String(pair.key.value));
    },
    Node(_, node) {
      if (isCollection(node) && node.flow && node.range)
        flows.push({ node, start: node.range[0], end: node.range[1] });
    },
  });
  flows.sort((a, b) => b.start - a.start); // innermost first: the composer reports those first
  const used = new Set<YamlNode>();
  const issues: ConfigIssue[] = [];
  for (const e of errors) {
    const first = (e.message.split('\n')[0] ?? e.message).replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    const [from, to] = e.pos;
    if (e.code === 'DUPLICATE_KEY' && keys.has(from)) {
      issues.push({
        message: `invalid YAML: the key \`${keys.get(from) ?? ''}\` appears twice in this mapping (keys must be unique)`,
        position: at(from),
      });
    } else if (
      e.code === 'MULTILINE_IMPLICIT_KEY' &&
      errors.some((o) => o.code === 'BLOCK_AS_IMPLICIT_KEY' && o.pos[0] === from)
    ) {
      // `key: value` on a line indented deeper than the line above: YAML reads it as the rest of
      // that line's value. The line to fix is the one the key ends on.
      const start = lineStart(to);
      const indent = /^[ \t]*/.exec(text.slice(start, to))?.[0].length ?? 0;
      issues.push({
        message:
          "invalid YAML: bad indentation: this line is indented deeper than the line above, so YAML reads it as part of that line's value",
        position: at(start + indent),
      });
    } else if (
      e.code === 'BLOCK_AS_IMPLICIT_KEY' &&
      errors.some((o) => o.code === 'MULTILINE_IMPLICIT_KEY' && o.pos[0] === from)
    ) {
      continue; // reported with the MULTILINE_IMPLICIT_KEY of the same key, above
    } else if (/^Flow (sequence|map).* end with a [\]}]$/.test(first)) {
      // An unclosed `[` or `{`: the parser notices only where the next line starts; point at the bracket.
      const open = flows.find((u) => u.end === from && !used.has(u.node));
      if (open) used.add(open.node);
      const stop = at(from);
      const where =
        from >= text.length ? 'the end of the file' : `line ${stop.line}, column ${stop.column}`;
      issues.push(
        open
          ? {
              message: `invalid YAML: unclosed \`${text[open.start] ?? '['}\`: ${first} (the parser gave up at ${where})`,
              position: at(open.start),
            }
          : { message: `invalid YAML: ${first}`, position: stop },
      );
    } else {
      // Errors about a line's indentation come at its first column; point at its first character.
      let start = from;
      if (start === lineStart(start)) while (text[start] === ' ') start++;
      issues.push({ message: `invalid YAML: ${first}`, position: at(start) });
    }
  }
  return issues;
}
