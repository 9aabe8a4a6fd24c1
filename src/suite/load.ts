/**
 * Loads a suite file: YAML with positions, the JSON Schema, then everything the schema cannot
 * say (references, manifests, blast radius). Either the whole suite is valid and a `Suite`
 * comes back, or a ConfigurationError lists every problem with `file:line:column`. Nothing in
 * here talks to a cluster.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigurationError,
  errorMessage,
  type ConfigIssue,
  type SourcePosition,
} from '../errors.js';
import { ALWAYS_PROTECTED_NAMESPACES } from '../kube/object.js';
import { STATIC_PROVIDERS } from '../providers/registry.js';
import type { ManifestDocument, ManifestObject } from '../providers/static.js';
import { checkBlastRadius } from '../safety/blast-radius.js';
import { didYouMean } from '../suggest.js';
import { parseDuration } from './duration.js';
import type { Env } from './env.js';
import {
  DEFAULTS,
  type Experiment,
  type ExpectStatus,
  type Gates,
  type Probe,
  type Safety,
  type Slo,
  type Suite,
} from './model.js';
import { validateSuiteShape } from './schema.js';
import { selectExperiments } from './select.js';
import type { ExperimentFile, ProbeFile, SuiteFile } from './types.js';
import { DEFAULT_LIMITS, parseYaml, pointer, type SourceMap } from './yaml.js';

export interface LoadOptions {
  /** Values for `${VAR}`. */
  env: Env;
  /** The `experiments` input. */
  selection?: string;
  /** The `environment` input, checked against `safety.environments`. */
  environment?: string;
  /** The `kube-context` input, checked against `safety.kubeContexts` when given. */
  kubeContext?: string;
  /** The `prometheus-url` input: lets probes and SLOs omit their own. */
  prometheusUrl?: string;
  /** Directory file names in messages are relative to (the workspace). */
  cwd?: string;
}

const SECRET_HEADER = /authorization|token|secret|password|api-?key|cookie/i;

/** Name of a file as messages show it: relative to the workspace when inside it. */
function displayName(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function readText(
  abs: string,
  shown: string,
  at: SourcePosition | undefined,
  what: string,
): string {
  let size: number;
  try {
    const st = statSync(abs);
    if (!st.isFile())
      throw new ConfigurationError([
        { message: `${what} \`${shown}\` is not a file`, ...(at ? { position: at } : {}) },
      ]);
    size = st.size;
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw new ConfigurationError([
      { message: `${what} \`${shown}\` not found (${abs})`, ...(at ? { position: at } : {}) },
    ]);
  }
  if (size > DEFAULT_LIMITS.maxBytes) {
    // The file exists, so there is a place to point at: where it is referenced, else its start.
    throw new ConfigurationError([
      {
        message: `${what} \`${shown}\` is ${size} bytes, larger than the limit of ${DEFAULT_LIMITS.maxBytes}`,
        position: at ?? { file: shown, line: 1, column: 1 },
      },
    ]);
  }
  return readFileSync(abs, 'utf8');
}

export function loadSuite(file: string, options: LoadOptions): Suite {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const shown = displayName(abs, cwd);
  const text = readText(abs, shown, undefined, 'suite file');
  const docs = parseYaml(text, shown, { env: options.env });
  const first = docs[0];
  if (!first)
    throw new ConfigurationError([
      { message: 'the suite file is empty', position: { file: shown, line: 1, column: 1 } },
    ]);
  if (docs.length > 1) {
    throw new ConfigurationError([
      {
        message: `the suite file has ${docs.length} YAML documents; expected one`,
        position: docs[1]?.source.at('') ?? first.source.at(''),
      },
    ]);
  }
  const shape = validateSuiteShape(first.value, first.source);
  if (!shape.suite) throw new ConfigurationError(shape.issues);
  return new SuiteResolver(shape.suite, first.source, abs, shown, cwd, options).resolve();
}

class SuiteResolver {
  private readonly issues: ConfigIssue[] = [];
  private readonly secrets: string[] = [];

  constructor(
    private readonly raw: SuiteFile,
    private readonly source: SourceMap,
    private readonly abs: string,
    private readonly shown: string,
    private readonly cwd: string,
    private readonly options: LoadOptions,
  ) {}

  private at(...p: (string | number)[]): SourcePosition {
    return this.source.at(pointer(p));
  }

  /** The key holding the value at `p`: for problems with a mapping as a whole. */
  private keyAt(...p: (string | number)[]): SourcePosition {
    return this.source.keyAt(pointer(p));
  }

  private issue(message: string, position: SourcePosition): void {
    this.issues.push({ message, position });
  }

  resolve(): Suite {
    const raw = this.raw;
    const safety = this.safety();
    const prometheus = {
      ...(raw.prometheus?.url ? { url: raw.prometheus.url } : {}),
      ...(raw.prometheus?.token ? { token: raw.prometheus.token } : {}),
    };
    if (prometheus.token) this.secrets.push(prometheus.token);
    const slos = this.slos();
    const probes = this.probes();
    const gates = this.gates(slos);
    const experiments = this.experiments(safety, probes, slos);
    this.environment(safety);
    if (this.issues.length > 0) throw new ConfigurationError(this.issues);
    const selected = selectExperiments(experiments, this.options.selection);
    return {
      file: this.shown,
      name: raw.name,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      source: this.source,
      safety,
      prometheus,
      slos,
      probes,
      gates,
      experiments,
      selected,
      secrets: this.secrets,
    };
  }

  private safety(): Safety {
    const s = this.raw.safety ?? {};
    const namespaces = s.namespaces ?? [];
    const protectedNamespaces = [
      ...new Set([...ALWAYS_PROTECTED_NAMESPACES, ...(s.protectedNamespaces ?? [])]),
    ];
    namespaces.forEach((ns, i) => {
      if (protectedNamespaces.includes(ns))
        this.issue(
          `namespace \`${ns}\` is both allowed and protected`,
          this.at('safety', 'namespaces', i),
        );
    });
    return {
      namespaces,
      protectedNamespaces,
      ...(s.kubeContexts ? { kubeContexts: s.kubeContexts } : {}),
      ...(s.environments ? { environments: s.environments } : {}),
      maxParallel: s.maxParallel ?? DEFAULTS.maxParallel,
      allowNodeChaos: s.allowNodeChaos ?? false,
      fis: {
        requiredTags: s.fis?.requiredTags ?? {},
        requireStopConditions: s.fis?.requireStopConditions ?? true,
      },
      aws: s.aws?.accounts ? { accounts: s.aws.accounts } : {},
    };
  }

  private environment(safety: Safety): void {
    const env = this.options.environment;
    if (env !== undefined && safety.environments && !safety.environments.includes(env)) {
      this.issue(
        `environment \`${env}\` is not in safety.environments (${safety.environments.join(', ')})${didYouMean(env, safety.environments)}`,
        this.at('safety', 'environments'),
      );
    }
    const ctx = this.options.kubeContext;
    if (ctx && safety.kubeContexts && !safety.kubeContexts.includes(ctx)) {
      this.issue(
        `kube-context \`${ctx}\` is not in safety.kubeContexts (${safety.kubeContexts.join(', ')})`,
        this.at('safety', 'kubeContexts'),
      );
    }
  }

  private hasPrometheus(own: string | undefined): boolean {
    return Boolean(own || this.raw.prometheus?.url || this.options.prometheusUrl);
  }

  private slos(): Record<string, Slo> {
    const out: Record<string, Slo> = {};
    for (const [name, s] of Object.entries(this.raw.slos ?? {})) {
      if (!this.hasPrometheus(s.prometheus.url)) {
        this.issue(
          `SLO \`${name}\` needs a Prometheus: set its \`prometheus.url\`, the suite's \`prometheus.url\` or the \`prometheus-url\` input`,
          this.keyAt('slos', name),
        );
      }
      out[name] = {
        name,
        objective: s.objective,
        windowMs: parseDuration(s.window) ?? 0,
        errorRatioQuery: s.prometheus.errorRatio,
        ...(s.prometheus.url ? { prometheusUrl: s.prometheus.url } : {}),
        onNoData: s.onNoData ?? 'fail',
        position: this.at('slos', name),
      };
    }
    return out;
  }

  private probes(): Record<string, Probe> {
    const out: Record<string, Probe> = {};
    for (const [name, p] of Object.entries(this.raw.probes ?? {})) {
      const check = this.probeCheck(name, p);
      if (!check) continue;
      out[name] = {
        name,
        check,
        intervalMs: p.interval
          ? (parseDuration(p.interval) ?? DEFAULTS.probeIntervalMs)
          : DEFAULTS.probeIntervalMs,
        successRate: p.successRate ?? DEFAULTS.probeSuccessRate,
        recoveryTimeoutMs: p.recoveryTimeout
          ? (parseDuration(p.recoveryTimeout) ?? DEFAULTS.recoveryTimeoutMs)
          : DEFAULTS.recoveryTimeoutMs,
        position: this.at('probes', name),
      };
    }
    return out;
  }

  private probeCheck(name: string, p: ProbeFile): Probe['check'] | undefined {
    if (p.http) {
      const h = p.http;
      let regex: RegExp | undefined;
      if (h.expectBodyRegex !== undefined) {
        try {
          regex = new RegExp(h.expectBodyRegex);
        } catch (err) {
          this.issue(
            `\`probes.${name}.http.expectBodyRegex\` is not a valid regular expression: ${errorMessage(err)}`,
            this.at('probes', name, 'http', 'expectBodyRegex'),
          );
        }
      }
      for (const [header, value] of Object.entries(h.headers ?? {}))
        if (SECRET_HEADER.test(header)) this.secrets.push(value);
      return {
        type: 'http',
        url: h.url,
        method: h.method ?? 'GET',
        headers: h.headers ?? {},
        ...(h.body !== undefined ? { body: h.body } : {}),
        expectStatus: expectStatus(h.expectStatus),
        ...(h.expectBody !== undefined ? { expectBody: h.expectBody } : {}),
        ...(regex ? { expectBodyRegex: regex } : {}),
        timeoutMs: h.timeout
          ? (parseDuration(h.timeout) ?? DEFAULTS.httpTimeoutMs)
          : DEFAULTS.httpTimeoutMs,
      };
    }
    if (p.prometheus) {
      const q = p.prometheus;
      if (!this.hasPrometheus(q.url)) {
        this.issue(
          `probe \`${name}\` needs a Prometheus: set its \`prometheus.url\`, the suite's \`prometheus.url\` or the \`prometheus-url\` input`,
          this.keyAt('probes', name),
        );
      }
      if (q.min !== undefined && q.max !== undefined && q.min > q.max) {
        this.issue(
          `probe \`${name}\`: \`min\` (${q.min}) is greater than \`max\` (${q.max}), so no value can pass`,
          this.at('probes', name, 'prometheus', 'min'),
        );
      }
      return {
        type: 'prometheus',
        query: q.query,
        ...(q.max !== undefined ? { max: q.max } : {}),
        ...(q.min !== undefined ? { min: q.min } : {}),
        ...(q.url ? { url: q.url } : {}),
      };
    }
    return undefined;
  }

  private gates(slos: Record<string, Slo>): Gates {
    const g = this.raw.gates ?? {};
    const scorePass = g.score?.pass ?? DEFAULTS.scorePass;
    const scoreWarn = g.score?.warn ?? DEFAULTS.scoreWarn;
    if (scoreWarn > scorePass) {
      this.issue(
        `\`gates.score.warn\` (${scoreWarn}) must not be above \`gates.score.pass\` (${scorePass})`,
        this.at('gates', 'score', g.score?.warn !== undefined ? 'warn' : 'pass'),
      );
    }
    const b = g.budget ?? {};
    if (
      b.warnConsumed !== undefined &&
      b.maxConsumed !== undefined &&
      b.warnConsumed > b.maxConsumed
    ) {
      this.issue(
        `\`gates.budget.warnConsumed\` (${b.warnConsumed}) must not be above \`gates.budget.maxConsumed\` (${b.maxConsumed})`,
        this.at('gates', 'budget', 'warnConsumed'),
      );
    }
    const needsSlo = g.budget !== undefined || g.preflight?.minBudgetRemaining !== undefined;
    if (needsSlo && Object.keys(slos).length === 0) {
      this.issue(
        'error-budget gates need at least one SLO under `slos`',
        this.keyAt('gates', g.budget !== undefined ? 'budget' : 'preflight'),
      );
    }
    return {
      preflight: {
        ...(g.preflight?.minBudgetRemaining !== undefined
          ? { minBudgetRemaining: g.preflight.minBudgetRemaining }
          : {}),
        onLowBudget: g.preflight?.onLowBudget ?? 'skip',
      },
      budget: { ...b },
      score: { pass: scorePass, warn: scoreWarn },
      abortOnBreach: g.abortOnBreach ?? true,
    };
  }

  private experiments(
    safety: Safety,
    probes: Record<string, Probe>,
    slos: Record<string, Slo>,
  ): Experiment[] {
    const raw = this.raw;
    const firstIndex = new Map<string, number>();
    const defaultProbes = raw.defaults?.probes ?? [];
    defaultProbes.forEach((p, i) =>
      this.reference('probe', p, raw.probes, this.at('defaults', 'probes', i)),
    );
    const kubeUsers: number[] = [];
    const out: Experiment[] = [];
    raw.experiments.forEach((e, index) => {
      const position = this.at('experiments', index);
      const seen = firstIndex.get(e.name);
      if (seen !== undefined) {
        this.issue(
          `experiment name \`${e.name}\` is used twice (first at line ${this.at('experiments', seen, 'name').line})`,
          this.at('experiments', index, 'name'),
        );
      } else firstIndex.set(e.name, index);
      (e.probes ?? []).forEach((p, i) =>
        this.reference('probe', p, raw.probes, this.at('experiments', index, 'probes', i)),
      );
      (e.slos ?? []).forEach((s, i) =>
        this.reference('SLO', s, raw.slos, this.at('experiments', index, 'slos', i)),
      );
      const provider = STATIC_PROVIDERS[e.provider];
      if (provider.kubernetes) kubeUsers.push(index);
      const objects = provider.kubernetes ? this.manifest(e, index) : [];
      const blastRadius = provider.blastRadius(objects);
      this.issues.push(...checkBlastRadius(e.name, blastRadius, safety));
      const template = e.template
        ? {
            ...(e.template.id ? { id: e.template.id } : {}),
            ...(e.template.tags ? { tags: e.template.tags } : {}),
          }
        : undefined;
      out.push({
        name: e.name,
        index,
        provider: e.provider,
        ...(e.description !== undefined ? { description: e.description } : {}),
        weight: e.weight ?? raw.defaults?.weight ?? DEFAULTS.weight,
        critical: e.critical ?? false,
        tags: e.tags ?? [],
        probes: (e.probes ?? defaultProbes).filter((p) => p in probes),
        slos: (e.slos ?? Object.keys(slos)).filter((s) => s in slos),
        timeoutMs: parseDuration(e.timeout ?? raw.defaults?.timeout ?? '') ?? DEFAULTS.timeoutMs,
        position,
        objects,
        ...(typeof e.manifest === 'string'
          ? { manifestFile: e.manifest }
          : e.manifest
            ? { manifestFile: 'inline' }
            : {}),
        ...(template ? { template } : {}),
        blastRadius,
        plan: provider.describe({ objects, ...(template ? { template } : {}) }),
      });
    });
    if (kubeUsers.length > 0 && safety.namespaces.length === 0) {
      const names = kubeUsers.map((i) => raw.experiments[i]?.name ?? '').join(', ');
      this.issue(
        `\`safety.namespaces\` is required when an experiment runs on Kubernetes (${names}): list the namespaces chaos may touch`,
        raw.safety ? this.keyAt('safety') : this.at(),
      );
    }
    return out;
  }

  private reference(
    what: string,
    name: string,
    table: Record<string, unknown> | undefined,
    position: SourcePosition,
  ): void {
    if (table && name in table) return;
    const known = Object.keys(table ?? {});
    const plural = what === 'probe' ? 'probes' : 'slos';
    this.issue(
      `unknown ${what} \`${name}\`${didYouMean(name, known) || (known.length ? ` (defined: ${known.join(', ')})` : ` (the suite defines no \`${plural}\`)`)}`,
      position,
    );
  }

  /** The manifest's documents, checked by the provider; objects in creation order. */
  private manifest(e: ExperimentFile, index: number): ManifestObject[] {
    const where = this.at('experiments', index, 'manifest');
    let docs: ManifestDocument[];
    if (typeof e.manifest === 'string') {
      const file = path.resolve(path.dirname(this.abs), e.manifest);
      const shown = displayName(file, this.cwd);
      try {
        docs = parseYaml(readText(file, shown, where, 'manifest file'), shown, {
          env: this.options.env,
        }).map((d) => ({ value: d.value, source: d.source, base: '' }));
      } catch (err) {
        if (err instanceof ConfigurationError) {
          this.issues.push(...err.issues);
          return [];
        }
        throw err;
      }
    } else {
      docs = [
        {
          value: e.manifest,
          source: this.source,
          base: pointer(['experiments', index, 'manifest']),
        },
      ];
    }
    const ns = e.namespace ?? this.raw.defaults?.namespace;
    const check = STATIC_PROVIDERS[e.provider].checkManifest(docs, ns, where);
    this.issues.push(...check.issues);
    // Dependencies first: a ChaosExperiment before the ChaosEngine that names it.
    return [...check.objects].sort((a, b) => rank(a.object.kind) - rank(b.object.kind));
  }
}

function rank(kind: string): number {
  return kind === 'ChaosExperiment' ? 0 : 1;
}

function expectStatus(v: number | number[] | string | undefined): ExpectStatus {
  if (v === undefined) return { class: 2 };
  if (typeof v === 'number') return { codes: [v] };
  if (Array.isArray(v)) return { codes: v };
  return { class: Number(v[0]) };
}
