/**
 * The loader, the providers' blast radius and the plan against real upstream manifests
 * (test/data/upstream, see its README for where each file comes from). Each case writes a suite
 * and the manifest to a fresh temp directory and loads it as the action would.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError, type ConfigIssue, type SourcePosition } from '../src/errors.js';
import { loadSuite } from '../src/suite/load.js';
import type { Experiment } from '../src/suite/model.js';

const DATA = path.resolve(import.meta.dirname, 'data', 'upstream');

function upstream(rel: string): string {
  return readFileSync(path.join(DATA, rel), 'utf8');
}

const LITMUS = {
  podDeleteEngine: upstream('litmus/examples/pod-delete.chaosengine.yaml'),
  podDeleteFault: upstream('litmus/examples/pod-delete.chaosexperiment.yaml'),
  latencyEngine: upstream('litmus/examples/pod-network-latency.chaosengine.yaml'),
  latencyFault: upstream('litmus/examples/pod-network-latency.chaosexperiment.yaml'),
  podtato: upstream('litmus/examples/excerpts/podtato-head.pod-delete.httpProbe.chaosengine.yaml'),
  sockShop: upstream(
    'litmus/examples/excerpts/sock-shop.pod-delete.httpProbe-cmdProbe.chaosengine.yaml',
  ),
  sockShopProm: upstream(
    'litmus/examples/excerpts/sock-shop-promProbe.pod-delete.httpProbe-promProbe.chaosengine.yaml',
  ),
};

const MESH = {
  podKill: upstream('chaos-mesh/examples/pod-kill-example.yaml'),
  networkDelay: upstream('chaos-mesh/examples/network-delay-example.yaml'),
  workflow: upstream('chaos-mesh/examples/workflow-status-check.yaml'),
  schedule: upstream('chaos-mesh/examples/schedule-podchaos.yaml'),
  statusCheck: upstream('chaos-mesh/examples/statuscheck-example.yaml'),
};

// ---------------------------------------------------------------------------------------------
// Helpers

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  provider: 'litmus' | 'chaos-mesh';
  /** The manifest's text and its file name (written to `chaos/<file>`). */
  manifest: string;
  file: string;
  namespaces: string[];
  protectedNamespaces?: string[];
  allowNodeChaos?: boolean;
  /** `defaults.namespace`: for objects without `metadata.namespace`. */
  defaultNamespace?: string;
}

function writeSuite(s: Setup): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-upstream-'));
  tempDirs.push(dir);
  mkdirSync(path.join(dir, 'chaos'));
  writeFileSync(path.join(dir, 'chaos', s.file), s.manifest);
  const suite = [
    'version: 1',
    'name: upstream',
    ...(s.defaultNamespace ? [`defaults: { namespace: ${s.defaultNamespace} }`] : []),
    'safety:',
    `  namespaces: ${JSON.stringify(s.namespaces)}`,
    ...(s.protectedNamespaces
      ? [`  protectedNamespaces: ${JSON.stringify(s.protectedNamespaces)}`]
      : []),
    ...(s.allowNodeChaos ? ['  allowNodeChaos: true'] : []),
    'experiments:',
    '  - name: upstream-example',
    `    provider: ${s.provider}`,
    `    manifest: chaos/${s.file}`,
  ];
  writeFileSync(path.join(dir, 'suite.yml'), suite.join('\n') + '\n');
  return dir;
}

/** Loads the suite, which must be accepted, and returns its one experiment. */
function accept(s: Setup): Experiment {
  const dir = writeSuite(s);
  const suite = loadSuite('suite.yml', { env: {}, cwd: dir });
  expect(suite.experiments).toHaveLength(1);
  return suite.experiments[0]!;
}

/** Loads the suite, which must be refused, and returns the error. */
function refuse(s: Setup): ConfigurationError {
  const dir = writeSuite(s);
  let caught: unknown;
  try {
    loadSuite('suite.yml', { env: {}, cwd: dir });
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof ConfigurationError)) {
    throw new Error(
      `expected the suite to be refused with a ConfigurationError, got ${caught === undefined ? 'a loaded suite' : String(caught)}`,
    );
  }
  return caught;
}

function at(file: string, line: number, column: number): SourcePosition {
  return { file: `chaos/${file}`, line, column };
}

/** Where `needle` (which must occur exactly once) starts in `text`, as the loader reports it. */
function locate(text: string, file: string, needle: string): SourcePosition {
  const first = text.indexOf(needle);
  if (first === -1 || text.indexOf(needle, first + 1) !== -1)
    throw new Error(`\`${needle}\` must occur exactly once in ${file}`);
  const before = text.slice(0, first).split('\n');
  return at(file, before.length, before[before.length - 1]!.length + 1);
}

/** `text` with `from` (which must occur exactly once) replaced. */
function replaceOnce(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first === -1 || text.indexOf(from, first + 1) !== -1)
    throw new Error(`\`${from}\` must occur exactly once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** Lines in `text` before the one it would continue on: the offset of a document appended to it. */
function lineOffset(text: string): number {
  return text.split('\n').length - 1;
}

/** Argo's `{{workflow.parameters.NAME}}` replaced with real values, as Argo would before applying. */
function substituteArgo(text: string, params: Record<string, string>): string {
  const out = text.replace(
    /\{\{workflow\.parameters\.([A-Za-z]+)\}\}/g,
    (match: string, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`no value for ${match}`);
      return value;
    },
  );
  expect(out).not.toContain('{{');
  return out;
}

interface Touch {
  namespace: string;
  field: string;
  at: SourcePosition;
}

function touches(e: Experiment): Touch[] {
  return e.blastRadius.namespaces.map((t) => ({
    namespace: t.namespace,
    field: t.field,
    at: t.position,
  }));
}

function namespaceSet(e: Experiment): string[] {
  return [...new Set(e.blastRadius.namespaces.map((t) => t.namespace))].sort();
}

function expectNoOtherFindings(e: Experiment, nodeLevel = 0): void {
  expect(e.blastRadius.clusterWide).toEqual([]);
  expect(e.blastRadius.invalid).toEqual([]);
  expect(e.blastRadius.nodeLevel).toHaveLength(nodeLevel);
}

/**
 * The error has exactly these issues (in any order), each at its position and with every
 * fragment in its message; the error's own message shows each as `file:line:column: ...`.
 */
function expectIssues(
  err: ConfigurationError,
  expected: { at: SourcePosition; includes: string[] }[],
): void {
  const show = (i: ConfigIssue): string =>
    `${i.position ? `${i.position.file}:${i.position.line}:${i.position.column}` : '-'} ${i.message}`;
  const issues = [...err.issues];
  expect(issues.map(show)).toHaveLength(expected.length);
  for (const want of expected) {
    const found = issues.find(
      (i) =>
        i.position !== undefined &&
        samePosition(i.position, want.at) &&
        want.includes.every((f) => i.message.includes(f)),
    );
    if (!found) {
      throw new Error(
        `no issue at ${want.at.file}:${want.at.line}:${want.at.column} saying ${want.includes.map((f) => JSON.stringify(f)).join(' and ')}; got:\n  ${issues.map(show).join('\n  ')}`,
      );
    }
    expect(err.message).toContain(
      `${want.at.file}:${want.at.line}:${want.at.column}: ${found.message}`,
    );
  }
}

function samePosition(a: SourcePosition, b: SourcePosition): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

/** The issue expected when `namespace` (named by `field` at `pos`) is not in safety.namespaces. */
function notAllowed(
  namespace: string,
  field: string,
  pos: SourcePosition,
): { at: SourcePosition; includes: string[] } {
  return {
    at: pos,
    includes: [`namespace \`${namespace}\``, `(${field})`, 'not in safety.namespaces'],
  };
}

function isProtected(
  namespace: string,
  pos: SourcePosition,
): { at: SourcePosition; includes: string[] } {
  return { at: pos, includes: [`protected namespace \`${namespace}\``] };
}

// ---------------------------------------------------------------------------------------------
// LitmusChaos

describe('Litmus upstream examples', () => {
  describe.each([
    {
      name: 'pod-delete',
      engine: LITMUS.podDeleteEngine,
      fault: LITMUS.podDeleteFault,
      engineName: 'nginx-chaos',
      // The engine's TOTAL_CHAOS_DURATION (30) overrides the ChaosExperiment's (15).
      durationMs: 30_000,
    },
    {
      name: 'pod-network-latency',
      engine: LITMUS.latencyEngine,
      fault: LITMUS.latencyFault,
      engineName: 'nginx-network-chaos',
      durationMs: 60_000,
    },
  ])('$name', ({ name, engine, fault, engineName, durationMs }) => {
    const engineFile = `${name}.chaosengine.yaml`;
    const combinedFile = `${name}.yaml`;
    // The engine's `namespace: default` (line 6) and the ChaosExperiment's `metadata` mapping
    // (line 8 of its file: it has no namespace and takes the suite's).
    const engineNs = at(engineFile, 6, 14);
    const combined = engine + fault;
    const faultMeta = at(combinedFile, lineOffset(engine) + 8, 3);

    test('the ChaosEngine alone: accepted when `default` is allowed', () => {
      const e = accept({
        provider: 'litmus',
        manifest: engine,
        file: engineFile,
        namespaces: ['default'],
      });
      expect(e.objects.map((o) => o.object.kind)).toEqual(['ChaosEngine']);
      expect(namespaceSet(e)).toEqual(['default']);
      expect(touches(e)).toEqual([
        { namespace: 'default', field: 'metadata.namespace', at: engineNs },
      ]);
      expectNoOtherFindings(e);
      expect(e.plan).toEqual({
        kind: `ChaosEngine ${engineName} (${name})`,
        // appinfo is all empty upstream: the fault picks its targets in the engine's namespace.
        targets: ['pods chosen by the fault in default'],
        durationMs,
      });
    });

    test('the ChaosEngine alone: refused when `default` is not allowed, at metadata.namespace', () => {
      const err = refuse({
        provider: 'litmus',
        manifest: engine,
        file: engineFile,
        namespaces: ['shop'],
      });
      expectIssues(err, [notAllowed('default', 'metadata.namespace', engineNs)]);
    });

    test('the ChaosEngine alone: refused when `default` is protected', () => {
      const err = refuse({
        provider: 'litmus',
        manifest: engine,
        file: engineFile,
        namespaces: ['shop'],
        protectedNamespaces: ['default'],
      });
      expectIssues(err, [isProtected('default', engineNs)]);
    });

    test('the ChaosEngine alone: refused in kube-system', () => {
      const manifest = replaceOnce(engine, '  namespace: default\n', '  namespace: kube-system\n');
      const err = refuse({
        provider: 'litmus',
        manifest,
        file: engineFile,
        namespaces: ['default'],
      });
      expectIssues(err, [isProtected('kube-system', engineNs)]);
    });

    test('with its ChaosExperiment (multi-document): accepted, the fault created first', () => {
      const e = accept({
        provider: 'litmus',
        manifest: combined,
        file: combinedFile,
        namespaces: ['default'],
        defaultNamespace: 'default',
      });
      expect(
        e.objects.map(
          (o) => `${o.object.kind}/${o.object.metadata.namespace}/${o.object.metadata.name}`,
        ),
      ).toEqual([`ChaosExperiment/default/${name}`, `ChaosEngine/default/${engineName}`]);
      expect(namespaceSet(e)).toEqual(['default']);
      expect(touches(e)).toEqual([
        { namespace: 'default', field: 'metadata.namespace (default)', at: faultMeta },
        { namespace: 'default', field: 'metadata.namespace', at: at(combinedFile, 6, 14) },
      ]);
      expectNoOtherFindings(e);
      expect(e.plan).toEqual({
        kind: `ChaosEngine ${engineName} (${name})`,
        targets: ['pods chosen by the fault in default'],
        durationMs,
      });
    });

    test('with its ChaosExperiment: refused when `default` is not allowed, at both objects', () => {
      const err = refuse({
        provider: 'litmus',
        manifest: combined,
        file: combinedFile,
        namespaces: ['shop'],
        defaultNamespace: 'default',
      });
      expectIssues(err, [
        notAllowed('default', 'metadata.namespace', at(combinedFile, 6, 14)),
        notAllowed('default', 'metadata.namespace (default)', faultMeta),
      ]);
    });

    test('with its ChaosExperiment: refused when `default` is protected', () => {
      const err = refuse({
        provider: 'litmus',
        manifest: combined,
        file: combinedFile,
        namespaces: ['shop'],
        protectedNamespaces: ['default'],
        defaultNamespace: 'default',
      });
      expectIssues(err, [
        isProtected('default', at(combinedFile, 6, 14)),
        isProtected('default', faultMeta),
      ]);
    });

    test('with its ChaosExperiment: the fault takes the engine namespace, not the suite default', () => {
      const e = accept({
        provider: 'litmus',
        manifest: combined,
        file: combinedFile,
        namespaces: ['default'],
        defaultNamespace: 'shop',
      });
      expect(e.objects.map((o) => o.object.metadata.namespace)).toEqual(['default', 'default']);
    });

    test('with its ChaosExperiment: refused when the fault names another namespace than the engine', () => {
      const manifest = replaceOnce(
        combined,
        `metadata:\n  name: ${name}\n`,
        `metadata:\n  name: ${name}\n  namespace: shop\n`,
      );
      const err = refuse({
        provider: 'litmus',
        manifest,
        file: combinedFile,
        namespaces: ['default', 'shop'],
      });
      expect(err.issues.map((i) => i.message)).toContainEqual(
        `ChaosExperiment \`${name}\` must be in the engine's namespace \`default\`, not \`shop\``,
      );
    });
  });

  test('pod-delete: without the engine override the ChaosExperiment says 15s', () => {
    const engine = replaceOnce(
      LITMUS.podDeleteEngine,
      "            - name: TOTAL_CHAOS_DURATION\n              value: '30'\n",
      '',
    );
    const e = accept({
      provider: 'litmus',
      manifest: engine + LITMUS.podDeleteFault,
      file: 'pd.yaml',
      namespaces: ['default'],
      defaultNamespace: 'default',
    });
    expect(e.plan.durationMs).toBe(15_000);
  });

  describe('Argo excerpts (placeholders substituted with real namespaces)', () => {
    const params = { adminModeNamespace: 'litmus', appNamespace: 'sock-shop' };

    test('podtato-head: accepted; the engine and its app are both in the admin namespace', () => {
      const file = 'podtato-head.yaml';
      const e = accept({
        provider: 'litmus',
        manifest: substituteArgo(LITMUS.podtato, params),
        file,
        namespaces: ['litmus'],
      });
      expect(namespaceSet(e)).toEqual(['litmus']);
      expect(touches(e)).toEqual([
        { namespace: 'litmus', field: 'metadata.namespace', at: at(file, 5, 14) },
        { namespace: 'litmus', field: 'spec.appinfo.appns', at: at(file, 11, 12) },
      ]);
      expectNoOtherFindings(e);
      expect(e.plan).toEqual({
        kind: 'ChaosEngine podtato-main-pod-delete-chaos (pod-delete)',
        targets: ['deployment in litmus labelled name=podtato-main'],
        durationMs: 30_000,
      });
    });

    test('podtato-head: refused when the admin namespace is not allowed, at both fields naming it', () => {
      const file = 'podtato-head.yaml';
      const err = refuse({
        provider: 'litmus',
        manifest: substituteArgo(LITMUS.podtato, params),
        file,
        namespaces: ['sock-shop'],
      });
      expectIssues(err, [
        notAllowed('litmus', 'metadata.namespace', at(file, 5, 14)),
        notAllowed('litmus', 'spec.appinfo.appns', at(file, 11, 12)),
      ]);
    });

    test('podtato-head: refused when substituted with kube-system', () => {
      const file = 'podtato-head.yaml';
      const manifest = substituteArgo(LITMUS.podtato, { adminModeNamespace: 'kube-system' });
      const err = refuse({ provider: 'litmus', manifest, file, namespaces: ['litmus'] });
      expectIssues(err, [
        isProtected('kube-system', at(file, 5, 14)),
        isProtected('kube-system', at(file, 11, 12)),
      ]);
    });

    describe.each([
      { name: 'sock-shop (httpProbe + cmdProbe)', text: LITMUS.sockShop, file: 'sock-shop.yaml' },
      {
        name: 'sock-shop-promProbe (httpProbe + promProbe)',
        text: LITMUS.sockShopProm,
        file: 'sock-shop-prom.yaml',
      },
    ])('$name', ({ text, file }) => {
      const manifest = substituteArgo(text, params);
      const engineNs = at(file, 5, 14);
      const appns = at(file, 11, 12);

      test('accepted: touches the engine namespace and `sock-shop` from spec.appinfo.appns', () => {
        const e = accept({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['litmus', 'sock-shop'],
        });
        expect(namespaceSet(e)).toEqual(['litmus', 'sock-shop']);
        expect(touches(e)).toEqual([
          { namespace: 'litmus', field: 'metadata.namespace', at: engineNs },
          { namespace: 'sock-shop', field: 'spec.appinfo.appns', at: appns },
        ]);
        expectNoOtherFindings(e);
        expect(e.plan).toEqual({
          kind: 'ChaosEngine catalogue-pod-delete-chaos (pod-delete)',
          targets: ['deployment in sock-shop labelled name=catalogue'],
          durationMs: 30_000,
        });
      });

      test('refused when `sock-shop` is left out, at spec.appinfo.appns', () => {
        const err = refuse({ provider: 'litmus', manifest, file, namespaces: ['litmus'] });
        expectIssues(err, [notAllowed('sock-shop', 'spec.appinfo.appns', appns)]);
      });

      test('refused when the engine namespace is left out, at metadata.namespace', () => {
        const err = refuse({ provider: 'litmus', manifest, file, namespaces: ['sock-shop'] });
        expectIssues(err, [notAllowed('litmus', 'metadata.namespace', engineNs)]);
      });

      test('refused when `sock-shop` is protected', () => {
        const err = refuse({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['litmus'],
          protectedNamespaces: ['sock-shop'],
        });
        expectIssues(err, [isProtected('sock-shop', appns)]);
      });

      test('refused when the engine is put in kube-system', () => {
        const err = refuse({
          provider: 'litmus',
          manifest: substituteArgo(text, { ...params, adminModeNamespace: 'kube-system' }),
          file,
          namespaces: ['litmus', 'sock-shop'],
        });
        expectIssues(err, [isProtected('kube-system', engineNs)]);
      });
    });

    test.each([
      { name: 'podtato-head', text: LITMUS.podtato },
      { name: 'sock-shop', text: LITMUS.sockShop },
      { name: 'sock-shop-promProbe', text: LITMUS.sockShopProm },
    ])('$name unsubstituted: refused, saying the placeholder must be substituted', ({ text }) => {
      const file = 'excerpt.yaml';
      const err = refuse({
        provider: 'litmus',
        manifest: text,
        file,
        namespaces: ['litmus', 'sock-shop'],
      });
      expectIssues(err, [
        {
          at: at(file, 5, 14),
          includes: [
            '`metadata.namespace`',
            '`{{workflow.parameters.adminModeNamespace}}`',
            'placeholder',
            'substitute',
          ],
        },
      ]);
    });
  });

  describe('selector fields of the ChaosEngine CRD', () => {
    const appinfo = "  appinfo:\n    appns: ''\n    applabel: ''\n    appkind: ''\n";
    const file = 'engine.yaml';

    test('spec.selectors.workloads[].namespace (Litmus 3)', () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        appinfo,
        '  selectors:\n    workloads:\n      - kind: deployment\n        namespace: shop\n        labels: app=cart\n',
      );
      const pos = locate(manifest, file, 'shop');
      const e = accept({ provider: 'litmus', manifest, file, namespaces: ['default', 'shop'] });
      expect(namespaceSet(e)).toEqual(['default', 'shop']);
      expect(touches(e)[1]).toEqual({
        namespace: 'shop',
        field: 'spec.selectors.workloads[0].namespace',
        at: pos,
      });
      expect(e.plan.targets).toEqual(['deployment in shop labelled app=cart']);
      expectIssues(refuse({ provider: 'litmus', manifest, file, namespaces: ['default'] }), [
        notAllowed('shop', 'spec.selectors.workloads[0].namespace', pos),
      ]);
      expectIssues(
        refuse({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['default'],
          protectedNamespaces: ['shop'],
        }),
        [isProtected('shop', pos)],
      );
    });

    test('spec.selectors.pods[].namespace (Litmus 3)', () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        appinfo,
        '  selectors:\n    pods:\n      - namespace: payments\n        names: pay-1,pay-2\n',
      );
      const pos = locate(manifest, file, 'payments');
      const e = accept({ provider: 'litmus', manifest, file, namespaces: ['default', 'payments'] });
      expect(namespaceSet(e)).toEqual(['default', 'payments']);
      expect(touches(e)[1]).toEqual({
        namespace: 'payments',
        field: 'spec.selectors.pods[0].namespace',
        at: pos,
      });
      expect(e.plan.targets).toEqual(['pods pay-1,pay-2 in payments']);
      expectIssues(refuse({ provider: 'litmus', manifest, file, namespaces: ['default'] }), [
        notAllowed('payments', 'spec.selectors.pods[0].namespace', pos),
      ]);
    });

    test('a workload selector without its (CRD-required) namespace is refused as not naming one', () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        appinfo,
        '  selectors:\n    workloads:\n      - kind: deployment\n        labels: app=cart\n',
      );
      const err = refuse({ provider: 'litmus', manifest, file, namespaces: ['default'] });
      expectIssues(err, [
        {
          at: locate(manifest, file, 'kind: deployment'),
          includes: ['`spec.selectors.workloads[0].namespace`', 'missing'],
        },
      ]);
    });

    test("env APP_NAMESPACE in the engine's experiment components", () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        "              value: '30'\n",
        "              value: '30'\n            - name: APP_NAMESPACE\n              value: 'orders'\n",
      );
      const pos = locate(manifest, file, "'orders'");
      const e = accept({ provider: 'litmus', manifest, file, namespaces: ['default', 'orders'] });
      expect(namespaceSet(e)).toEqual(['default', 'orders']);
      expect(touches(e)[1]).toEqual({
        namespace: 'orders',
        field: 'pod-delete env APP_NAMESPACE',
        at: pos,
      });
      expectIssues(refuse({ provider: 'litmus', manifest, file, namespaces: ['default'] }), [
        notAllowed('orders', 'pod-delete env APP_NAMESPACE', pos),
      ]);
      expectIssues(
        refuse({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['default'],
          protectedNamespaces: ['orders'],
        }),
        [isProtected('orders', pos)],
      );
    });

    test("env APP_NAMESPACE in the ChaosExperiment's definition (its default for the fault)", () => {
      const fault = replaceOnce(
        LITMUS.podDeleteFault,
        '      - name: TOTAL_CHAOS_DURATION\n        value: "15"\n',
        '      - name: TOTAL_CHAOS_DURATION\n        value: "15"\n      - name: APP_NAMESPACE\n        value: "orders"\n',
      );
      const manifest = LITMUS.podDeleteEngine + fault;
      const pos = locate(manifest, file, '"orders"');
      const e = accept({
        provider: 'litmus',
        manifest,
        file,
        namespaces: ['default', 'orders'],
        defaultNamespace: 'default',
      });
      expect(namespaceSet(e)).toEqual(['default', 'orders']);
      expect(touches(e)).toContainEqual({
        namespace: 'orders',
        field: 'pod-delete env APP_NAMESPACE',
        at: pos,
      });
      expectIssues(
        refuse({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['default'],
          defaultNamespace: 'default',
        }),
        [notAllowed('orders', 'pod-delete env APP_NAMESPACE', pos)],
      );
    });

    test('a ChaosExperiment with spec.definition.scope: Cluster needs allowNodeChaos', () => {
      const manifest =
        LITMUS.podDeleteEngine +
        replaceOnce(LITMUS.podDeleteFault, 'scope: Namespaced', 'scope: Cluster');
      const pos = locate(manifest, file, 'Cluster');
      const err = refuse({
        provider: 'litmus',
        manifest,
        file,
        namespaces: ['default'],
        defaultNamespace: 'default',
      });
      expectIssues(err, [
        {
          at: pos,
          includes: [
            'ChaosExperiment `pod-delete` has `scope: Cluster`',
            'safety.allowNodeChaos: true',
          ],
        },
      ]);
      const e = accept({
        provider: 'litmus',
        manifest,
        file,
        namespaces: ['default'],
        defaultNamespace: 'default',
        allowNodeChaos: true,
      });
      expectNoOtherFindings(e, 1);
      expect(e.blastRadius.nodeLevel[0]!.position).toEqual(pos);
    });

    test('a node-level fault needs allowNodeChaos', () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        '    - name: pod-delete\n',
        '    - name: node-drain\n',
      );
      const pos = locate(manifest, file, 'node-drain');
      expectIssues(refuse({ provider: 'litmus', manifest, file, namespaces: ['default'] }), [
        { at: pos, includes: ['`node-drain` is a node-level fault', 'allowNodeChaos'] },
      ]);
      expectNoOtherFindings(
        accept({
          provider: 'litmus',
          manifest,
          file,
          namespaces: ['default'],
          allowNodeChaos: true,
        }),
        1,
      );
    });

    test('spec.appinfo with a label but no appns reaches every namespace: always refused', () => {
      const manifest = replaceOnce(
        LITMUS.podDeleteEngine,
        "    applabel: ''\n",
        "    applabel: 'app=nginx'\n",
      );
      const err = refuse({
        provider: 'litmus',
        manifest,
        file,
        namespaces: ['default'],
        allowNodeChaos: true,
      });
      expectIssues(err, [
        {
          at: locate(manifest, file, "appns: ''"),
          includes: ['not bound to', 'spec.appinfo.appns'],
        },
      ]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Chaos Mesh

describe('Chaos Mesh upstream examples', () => {
  // The upstream examples set no namespace: they take the suite's `defaults.namespace`, and the
  // blast radius points at their `metadata` mapping (line 18, `name: ...`).
  const ns = 'tidb';

  describe.each([
    {
      name: 'pod-kill-example',
      text: MESH.podKill,
      plan: {
        kind: 'PodChaos pod-kill',
        targets: [`pods in ${ns} labelled app.kubernetes.io/component=tikv (mode one)`],
      },
      durationMs: undefined, // a one-shot: done once injected
    },
    {
      name: 'network-delay-example',
      text: MESH.networkDelay,
      plan: {
        kind: 'NetworkChaos delay',
        targets: [`pods in ${ns} labelled app.kubernetes.io/component=tikv (mode one)`],
      },
      durationMs: 10_000,
    },
    {
      name: 'workflow-status-check',
      text: MESH.workflow,
      plan: {
        kind: 'Workflow try-workflow-status-check (1 chaos node)',
        targets: [`NetworkChaos delay: pods in ${ns} labelled app=hello-kubernetes (mode all)`],
      },
      // The NetworkChaos has no duration: its template's 20s deadline bounds it.
      durationMs: 20_000,
    },
  ])('$name', ({ name, text, plan, durationMs }) => {
    const file = `${name}.yaml`;
    const meta = at(file, 18, 3);

    test('accepted when its namespace is allowed', () => {
      const e = accept({
        provider: 'chaos-mesh',
        manifest: text,
        file,
        namespaces: [ns],
        defaultNamespace: ns,
      });
      expect(e.objects).toHaveLength(1);
      expect(e.objects[0]!.object.metadata.namespace).toBe(ns);
      expect(namespaceSet(e)).toEqual([ns]);
      expect(touches(e)).toEqual([
        { namespace: ns, field: 'metadata.namespace (default)', at: meta },
      ]);
      expectNoOtherFindings(e);
      expect(e.plan.kind).toBe(plan.kind);
      expect(e.plan.targets).toEqual(plan.targets);
      expect(e.plan.durationMs).toBe(durationMs);
    });

    test('refused when its namespace is not allowed', () => {
      const err = refuse({
        provider: 'chaos-mesh',
        manifest: text,
        file,
        namespaces: ['shop'],
        defaultNamespace: ns,
      });
      expectIssues(err, [notAllowed(ns, 'metadata.namespace (default)', meta)]);
    });

    test('refused when its namespace is protected', () => {
      const err = refuse({
        provider: 'chaos-mesh',
        manifest: text,
        file,
        namespaces: ['shop'],
        protectedNamespaces: [ns],
        defaultNamespace: ns,
      });
      expectIssues(err, [isProtected(ns, meta)]);
    });

    test('refused in kube-system', () => {
      const err = refuse({
        provider: 'chaos-mesh',
        manifest: text,
        file,
        namespaces: [ns],
        defaultNamespace: 'kube-system',
      });
      expectIssues(err, [isProtected('kube-system', meta)]);
    });

    test('refused without any namespace, saying where to set one', () => {
      const err = refuse({ provider: 'chaos-mesh', manifest: text, file, namespaces: [ns] });
      expectIssues(err, [{ at: meta, includes: ['has no namespace', 'defaults.namespace'] }]);
    });
  });

  test.each([
    {
      name: 'schedule-podchaos',
      text: MESH.schedule,
      because: ['kind `Schedule` is refused', 'repeats chaos', 'one-shot'],
    },
    {
      name: 'statuscheck-example',
      text: MESH.statusCheck,
      because: ['kind `StatusCheck` is refused', 'injects nothing', 'Workflow'],
    },
  ])('$name is refused, saying why', ({ name, text, because }) => {
    const file = `${name}.yaml`;
    const err = refuse({
      provider: 'chaos-mesh',
      manifest: text,
      file,
      namespaces: [ns],
      defaultNamespace: ns,
    });
    expectIssues(err, [{ at: at(file, 16, 7), includes: because }]);
  });

  describe('selector fields of the chaos-mesh.org CRDs', () => {
    const file = 'chaos.yaml';

    test('NetworkChaos spec.target.selector.namespaces', () => {
      const manifest =
        MESH.networkDelay +
        '  direction: to\n  target:\n    mode: all\n    selector:\n      namespaces:\n        - payments\n';
      const pos = locate(manifest, file, 'payments');
      const field = 'spec.target.selector.namespaces[0]';
      const e = accept({
        provider: 'chaos-mesh',
        manifest,
        file,
        namespaces: [ns, 'payments'],
        defaultNamespace: ns,
      });
      expect(namespaceSet(e)).toEqual(['payments', ns]);
      expect(touches(e)[1]).toEqual({ namespace: 'payments', field, at: pos });
      expect(e.plan.targets).toEqual([
        `pods in ${ns} labelled app.kubernetes.io/component=tikv (mode one)`,
        'traffic to pods in payments (mode all)',
      ]);
      expectIssues(
        refuse({ provider: 'chaos-mesh', manifest, file, namespaces: [ns], defaultNamespace: ns }),
        [notAllowed('payments', field, pos)],
      );
      expectIssues(
        refuse({
          provider: 'chaos-mesh',
          manifest,
          file,
          namespaces: [ns],
          protectedNamespaces: ['payments'],
          defaultNamespace: ns,
        }),
        [isProtected('payments', pos)],
      );
    });

    test('PodChaos spec.selector.namespaces', () => {
      const manifest = replaceOnce(
        MESH.podKill,
        '    labelSelectors:\n',
        '    namespaces: [tidb, tidb-canary]\n    labelSelectors:\n',
      );
      const pos = locate(manifest, file, 'tidb-canary');
      const e = accept({
        provider: 'chaos-mesh',
        manifest,
        file,
        namespaces: [ns, 'tidb-canary'],
        defaultNamespace: ns,
      });
      expect(namespaceSet(e)).toEqual([ns, 'tidb-canary']);
      expect(e.plan.targets).toEqual([
        `pods in tidb, tidb-canary labelled app.kubernetes.io/component=tikv (mode one)`,
      ]);
      expectIssues(
        refuse({ provider: 'chaos-mesh', manifest, file, namespaces: [ns], defaultNamespace: ns }),
        [notAllowed('tidb-canary', 'spec.selector.namespaces[1]', pos)],
      );
    });

    test('PodChaos spec.selector.pods: {other-ns: [p1]}, at the key naming the namespace', () => {
      const manifest = replaceOnce(
        MESH.podKill,
        '    labelSelectors:\n      "app.kubernetes.io/component": "tikv"\n',
        '    pods: {other-ns: [p1]}\n',
      );
      const pos = locate(manifest, file, 'other-ns');
      const e = accept({
        provider: 'chaos-mesh',
        manifest,
        file,
        namespaces: [ns, 'other-ns'],
        defaultNamespace: ns,
      });
      expect(namespaceSet(e)).toEqual(['other-ns', ns]);
      expect(touches(e)[1]).toEqual({
        namespace: 'other-ns',
        field: 'spec.selector.pods',
        at: pos,
      });
      expect(e.plan.targets).toEqual(['pods p1 in other-ns (mode one)']);
      expectIssues(
        refuse({ provider: 'chaos-mesh', manifest, file, namespaces: [ns], defaultNamespace: ns }),
        [notAllowed('other-ns', 'spec.selector.pods', pos)],
      );
    });

    test('Workflow: an embedded podChaos.selector.namespaces', () => {
      const manifest = replaceOnce(
        MESH.workflow,
        '        - workflow-network-chaos\n',
        '        - workflow-network-chaos\n        - workflow-pod-kill\n',
      ).concat(
        [
          '    - name: workflow-pod-kill',
          '      templateType: PodChaos',
          '      deadline: 10s',
          '      podChaos:',
          '        action: pod-kill',
          '        mode: one',
          '        selector:',
          '          namespaces:',
          '            - checkout',
          '          labelSelectors:',
          '            "app": "checkout"',
          '',
        ].join('\n'),
      );
      const pos = locate(manifest, file, '- checkout');
      const ptr = { ...pos, column: pos.column + 2 };
      const field = 'spec.templates[3].podChaos.selector.namespaces[0]';
      const e = accept({
        provider: 'chaos-mesh',
        manifest,
        file,
        namespaces: [ns, 'checkout'],
        defaultNamespace: ns,
      });
      expect(namespaceSet(e)).toEqual(['checkout', ns]);
      expect(touches(e)[1]).toEqual({ namespace: 'checkout', field, at: ptr });
      expect(e.plan).toEqual({
        kind: 'Workflow try-workflow-status-check (2 chaos nodes)',
        targets: [
          `NetworkChaos delay: pods in ${ns} labelled app=hello-kubernetes (mode all)`,
          'PodChaos pod-kill: pods in checkout labelled app=checkout (mode one)',
        ],
        durationMs: 20_000,
      });
      expectIssues(
        refuse({ provider: 'chaos-mesh', manifest, file, namespaces: [ns], defaultNamespace: ns }),
        [notAllowed('checkout', field, ptr)],
      );
      expectIssues(
        refuse({
          provider: 'chaos-mesh',
          manifest,
          file,
          namespaces: [ns],
          protectedNamespaces: ['checkout'],
          defaultNamespace: ns,
        }),
        [isProtected('checkout', ptr)],
      );
    });

    test.each([
      { duration: '60s', durationMs: 20_000 }, // the 20s template deadline ends it first
      { duration: '5s', durationMs: 5_000 },
    ])(
      'Workflow: a chaos node with duration $duration under a 20s deadline lasts $durationMs ms',
      ({ duration, durationMs }) => {
        const manifest = replaceOnce(
          MESH.workflow,
          '        action: delay\n',
          `        action: delay\n        duration: "${duration}"\n`,
        );
        const e = accept({
          provider: 'chaos-mesh',
          manifest,
          file,
          namespaces: [ns],
          defaultNamespace: ns,
        });
        expect(e.plan.durationMs).toBe(durationMs);
      },
    );

    test('a node-level kind (KernelChaos) needs allowNodeChaos', () => {
      const manifest = [
        'apiVersion: chaos-mesh.org/v1alpha1',
        'kind: KernelChaos',
        'metadata:',
        '  name: kernel-fault',
        'spec:',
        '  mode: one',
        '  selector:',
        '    labelSelectors:',
        '      "app.kubernetes.io/component": "tikv"',
        '  failKernRequest:',
        '    failtype: 0',
        '  duration: 30s',
        '',
      ].join('\n');
      const err = refuse({
        provider: 'chaos-mesh',
        manifest,
        file,
        namespaces: [ns],
        defaultNamespace: ns,
      });
      expectIssues(err, [
        {
          at: locate(manifest, file, 'mode: one'),
          includes: ['KernelChaos acts on nodes', 'allowNodeChaos'],
        },
      ]);
      expectNoOtherFindings(
        accept({
          provider: 'chaos-mesh',
          manifest,
          file,
          namespaces: [ns],
          defaultNamespace: ns,
          allowNodeChaos: true,
        }),
        1,
      );
    });
  });
});
