/**
 * A corpus of bad suites: each must be refused with a ConfigurationError whose issue names the
 * exact `file:line:column` to fix and says, in words a user acts on, what is wrong. Manifest
 * files live in test/data/bad-suites/chaos and are copied next to each suite, so positions in
 * them read `chaos/<file>:line:column`.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigurationError,
  formatIssue,
  formatPosition,
  type ConfigIssue,
} from '../src/errors.js';
import { loadSuite, type LoadOptions } from '../src/suite/load.js';
import type { Suite } from '../src/suite/model.js';

const MANIFESTS = path.resolve(import.meta.dirname, 'data/bad-suites/chaos');

let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-bad-suites-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The template's text without its first line break and common indentation (a tab stays). */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce(
    (out, s, i) => out + s + (i < values.length ? String(values[i]) : ''),
    '',
  );
  const lines = text.replace(/^\n/, '').replace(/\n *$/, '\n').split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}

type Options = Partial<Omit<LoadOptions, 'cwd'>>;

/** Writes `suite.yml` (and the manifests) into a fresh directory and loads it from there. */
function load(suite: string, options: Options = {}): Suite {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'suite.yml'), suite);
  cpSync(MANIFESTS, path.join(dir, 'chaos'), { recursive: true });
  return loadSuite('suite.yml', { env: {}, ...options, cwd: dir });
}

function refusal(suite: string, options: Options = {}): ConfigurationError {
  try {
    load(suite, options);
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('the suite loaded, but it should have been refused');
}

type Fragment = string | RegExp;

function says(message: string, fragment: Fragment): boolean {
  return typeof fragment === 'string' ? message.includes(fragment) : fragment.test(message);
}

/** The issue whose message has every fragment; fails listing what the loader did say. */
function issueSaying(err: ConfigurationError, fragments: readonly Fragment[]): ConfigIssue {
  const issue = err.issues.find((i) => fragments.every((f) => says(i.message, f)));
  if (!issue) {
    throw new Error(
      `no issue says ${fragments.map(String).join(' + ')}; the loader said:\n${err.issues.map(formatIssue).join('\n')}`,
    );
  }
  for (const f of fragments) {
    if (typeof f === 'string') expect(issue.message).toContain(f);
    else expect(issue.message).toMatch(f);
  }
  return issue;
}

interface BadSuite {
  name: string;
  suite: string;
  /** `file:line:column` of the issue; undefined for an issue with no place in a file (an input). */
  at: string | undefined;
  message: Fragment[];
  options?: Options;
}

/** A minimal valid suite around one experiment (or other top-level sections before it). */
const HEAD = 'version: 1\nname: shop\n';

const bad: BadSuite[] = [
  // ---- unknown keys, with "did you mean" --------------------------------------------------
  {
    name: 'unknown top-level key `experiment`',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiment:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:5:1',
    message: ['unknown key `experiment`', 'did you mean `experiments`'],
  },
  {
    name: 'unknown key in an experiment',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          proble: [home]
    `,
    at: 'suite.yml:9:5',
    message: ['unknown key `proble`', '`experiments[0]`', 'did you mean `probes`'],
  },
  {
    name: 'unknown key in safety',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
        allowNodeChoas: true
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:5:3',
    message: ['unknown key `allowNodeChoas` in `safety`', 'did you mean `allowNodeChaos`'],
  },
  {
    name: 'unknown key in gates',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      gates:
        abortOnBreach: true
        scores: { pass: 80 }
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:7:3',
    message: ['unknown key `scores` in `gates`', 'did you mean `score`'],
  },
  {
    name: 'unknown key in a probe',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      probes:
        home:
          http: { url: https://shop.example/, expectStatus: 200 }
          intervall: 5s
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:8:5',
    message: ['unknown key `intervall` in `probes.home`', 'did you mean `interval`'],
  },
  {
    name: "unknown key in a probe's http",
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      probes:
        home:
          http:
            url: https://shop.example/
            expectedStatus: 200
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:9:7',
    message: ['unknown key `expectedStatus` in `probes.home.http`', 'did you mean `expectStatus`'],
  },

  // ---- required keys, version, types -------------------------------------------------------
  {
    name: 'missing version',
    suite: yaml`
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:1:1',
    message: ['missing the required key `version`'],
  },
  {
    name: 'missing name',
    suite: yaml`
      version: 1
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:1:1',
    message: ['missing the required key `name`'],
  },
  {
    name: 'missing experiments',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
    `,
    at: 'suite.yml:1:1',
    message: ['missing the required key `experiments`'],
  },
  {
    name: 'empty experiments list',
    suite: HEAD + 'experiments: []\n',
    at: 'suite.yml:3:14',
    message: ['`experiments` needs at least 1 item'],
  },
  {
    name: 'wrong version',
    suite: yaml`
      version: 2
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:1:10',
    message: ['`version` must be 1, not `2`'],
  },
  {
    name: 'version given as the string "1"',
    suite: yaml`
      version: "1"
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:1:10',
    message: ['`version` must be 1', 'not the string `"1"`'],
  },
  {
    name: 'weight given as a string',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          weight: heavy
    `,
    at: 'suite.yml:9:13',
    message: ['`experiments[0].weight` must be a number, not `heavy`'],
  },
  {
    name: 'a list where a mapping is expected (safety)',
    suite: yaml`
      version: 1
      name: shop
      safety:
        - namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:4:3',
    message: ['`safety` must be a mapping, not a list'],
  },
  {
    name: 'a mapping where a list is expected (experiments)',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        name: kill
        provider: litmus
        manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:6:3',
    message: ['`experiments` must be a list, not a mapping'],
  },
  {
    name: '`critical: yes` (YAML 1.2: a string, not a boolean)',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          critical: yes
    `,
    at: 'suite.yml:7:15',
    message: ['`experiments[0].critical` must be true or false, not `yes`'],
  },
  {
    name: 'AWS account id written as a number',
    suite: yaml`
      version: 1
      name: shop
      safety:
        aws: { accounts: [123456789012] }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:21',
    message: [
      '`safety.aws.accounts[0]` must be a 12-digit AWS account id, quoted',
      'not `123456789012`',
    ],
  },
  {
    name: 'experiment name that cannot be part of a Kubernetes object name',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: Pod_Kill
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:11',
    message: ['`experiments[0].name` must be lower-case letters, digits and', 'not `Pod_Kill`'],
  },

  // ---- enums -------------------------------------------------------------------------------
  {
    name: 'provider `litmuss`',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmuss
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:7:15',
    message: [
      '`experiments[0].provider` must be one of litmus, chaos-mesh, aws-fis',
      'not `litmuss`',
      'did you mean `litmus`',
    ],
  },
  {
    name: 'gates.preflight.onLowBudget `skipp`',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      slos:
        avail:
          objective: 99.9
          window: 28d
          prometheus: { errorRatio: 'sum(rate(errors[$window]))' }
      gates:
        preflight: { minBudgetRemaining: 25, onLowBudget: skipp }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:10:53',
    message: [
      '`gates.preflight.onLowBudget` must be one of skip, fail, run',
      'not `skipp`',
      'did you mean `skip`',
    ],
  },
  {
    name: 'slo onNoData `ignored`',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      slos:
        avail:
          objective: 99.9
          window: 28d
          onNoData: ignored
          prometheus: { errorRatio: 'sum(rate(errors[$window]))' }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:8:15',
    message: [
      '`slos.avail.onNoData` must be one of fail, ignore',
      'not `ignored`',
      'did you mean `ignore`',
    ],
  },
  {
    name: 'http method `get` (case matters)',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: https://shop.example/, method: get }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:49',
    message: ['`probes.home.http.method` must be one of GET', 'not `get`', 'did you mean `GET`'],
  },

  // ---- durations, namespace names ----------------------------------------------------------
  {
    name: 'duration `5 minutes`',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          timeout: 5 minutes
    `,
    at: 'suite.yml:9:14',
    message: [
      '`experiments[0].timeout` must be a duration such as 500ms, 30s, 5m',
      'not `5 minutes`',
    ],
  },
  {
    name: 'duration `10` (no unit)',
    suite: yaml`
      version: 1
      name: shop
      defaults:
        timeout: 10
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:12',
    message: ['`defaults.timeout` must be a duration such as 500ms, 30s, 5m', 'not `10`'],
  },
  {
    name: 'safety namespace that is not a namespace name',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop, Billing_Prod]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:4:22',
    message: ['`safety.namespaces[1]` must be a Kubernetes namespace name', 'not `Billing_Prod`'],
  },
  {
    name: 'experiment namespace that is not a namespace name',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          namespace: shop.prod
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:8:16',
    message: ['`experiments[0].namespace` must be a Kubernetes namespace name', 'not `shop.prod`'],
  },

  // ---- duplicates and YAML syntax ----------------------------------------------------------
  {
    name: 'duplicate experiment names',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
        - name: kill
          provider: chaos-mesh
          manifest: chaos/pod-kill.yaml
    `,
    at: 'suite.yml:9:11',
    message: ['experiment name `kill` is used twice', 'first at line 6'],
  },
  {
    name: 'duplicate YAML key',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          provider: chaos-mesh
    `,
    at: 'suite.yml:9:5',
    message: ['invalid YAML', 'the key `provider` appears twice'],
  },
  {
    name: 'duplicate YAML key in a flow mapping',
    suite: HEAD + 'defaults: { weight: 1, timeout: 5m, weight: 2 }\nexperiments: []\n',
    at: 'suite.yml:3:37',
    message: ['invalid YAML', 'the key `weight` appears twice'],
  },
  {
    name: 'bad indentation: a key indented deeper than the one above',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
           manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:8:6',
    message: ['invalid YAML', 'bad indentation', 'indented deeper than the line above'],
  },
  {
    name: 'bad indentation: a key indented less than the one above',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
         manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:8:4',
    message: ['invalid YAML', 'Sequence item without - indicator'],
  },
  {
    name: 'unclosed flow sequence',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop, billing
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:4:15',
    message: ['invalid YAML', 'unclosed `[`', 'end with a ]', 'line 5, column 1'],
  },
  {
    name: 'unclosed flow sequence at the end of the file',
    suite: HEAD + 'experiments: [a, b\n',
    at: 'suite.yml:3:14',
    message: ['invalid YAML', 'unclosed `[`', 'the end of the file'],
  },
  {
    name: 'tab used as indentation',
    suite: yaml`
      version: 1
      name: shop
      safety:
      \tnamespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:4:1',
    message: ['invalid YAML', 'Tabs are not allowed as indentation'],
  },
  {
    name: 'two YAML documents in the suite file',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
      ---
      name: second
    `,
    at: 'suite.yml:8:1',
    message: ['the suite file has 2 YAML documents; expected one'],
  },
  {
    name: 'empty suite file',
    suite: '# nothing here yet\n',
    at: 'suite.yml:1:1',
    message: ['the suite file is empty'],
  },

  // ---- references --------------------------------------------------------------------------
  {
    name: 'unknown probe reference',
    suite: yaml`
      version: 1
      name: shop
      probes:
        storefront:
          http: { url: https://shop.example/health }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          probes: [storefrnt]
    `,
    at: 'suite.yml:10:14',
    message: ['unknown probe `storefrnt`', 'did you mean `storefront`'],
  },
  {
    name: 'unknown SLO reference',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      slos:
        availability:
          objective: 99.9
          window: 28d
          prometheus: { errorRatio: 'sum(rate(errors[$window]))' }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          slos: [availabilty]
    `,
    at: 'suite.yml:13:12',
    message: ['unknown SLO `availabilty`', 'did you mean `availability`'],
  },
  {
    name: 'default probe when the suite defines none',
    suite: yaml`
      version: 1
      name: shop
      defaults:
        probes: [home]
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:12',
    message: ['unknown probe `home`', 'the suite defines no `probes`'],
  },
  {
    name: 'the same probe listed twice',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: https://shop.example/ }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          probes: [home, home]
    `,
    at: 'suite.yml:10:20',
    message: ['`experiments[0].probes` lists the same value twice'],
  },

  // ---- probes ------------------------------------------------------------------------------
  {
    name: 'probe with both http and prometheus',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      probes:
        home:
          http: { url: https://shop.example/ }
          prometheus: { query: up, min: 1 }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:3',
    message: ['`probes.home`', 'exactly one of `http` or `prometheus`'],
  },
  {
    name: 'probe with neither http nor prometheus',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          interval: 5s
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:3',
    message: ['`probes.home`', 'exactly one of `http` or `prometheus`'],
  },
  {
    name: 'prometheus probe without min or max',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      probes:
        errors:
          prometheus:
            query: sum(rate(errors[1m]))
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:6:5',
    message: ['`probes.errors.prometheus`', 'needs `max`, `min` or both'],
  },
  {
    name: 'prometheus probe with min > max',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      probes:
        replicas:
          prometheus:
            query: sum(up{job="checkout"})
            min: 3
            max: 1
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:8:12',
    message: ['probe `replicas`', '`min` (3) is greater than `max` (1)'],
  },
  {
    name: 'prometheus probe without any Prometheus URL',
    suite: yaml`
      version: 1
      name: shop
      probes:
        errors:
          prometheus: { query: 'sum(rate(errors[1m]))', max: 0.01 }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:3',
    message: ['probe `errors` needs a Prometheus', '`prometheus-url` input'],
  },
  {
    name: 'invalid regular expression in expectBodyRegex',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http:
            url: https://shop.example/
            expectBodyRegex: '"status": "(ok|up"'
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:7:24',
    message: [
      '`probes.home.http.expectBodyRegex` is not a valid regular expression',
      /unterminated group/i,
    ],
  },
  {
    name: 'expectStatus `200s`',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: https://shop.example/, expectStatus: 200s }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:55',
    message: ['`expectStatus` must be a status code (200)', 'a class such as "2xx"'],
  },
  {
    name: 'http probe URL without a scheme',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: shop.example/health }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:18',
    message: [
      '`probes.home.http.url` must be an http:// or https:// URL',
      'not `shop.example/health`',
    ],
  },

  // ---- providers: template and manifest ----------------------------------------------------
  {
    name: 'FIS template with both id and tags',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template:
            id: EXT1a2b3c4d5e6f7
            tags: { Name: az-outage }
    `,
    at: 'suite.yml:6:5',
    message: ['`experiments[0].template`', 'exactly one of `id` or `tags`'],
  },
  {
    name: 'aws-fis experiment with a manifest',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:7:5',
    message: ['`manifest` is not used with provider `aws-fis`'],
  },
  {
    name: 'aws-fis experiment without a template',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: az
          provider: aws-fis
    `,
    at: 'suite.yml:4:5',
    message: ['`experiments[0]` is missing the required key `template`'],
  },
  {
    name: 'litmus experiment without a manifest',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
    `,
    at: 'suite.yml:6:5',
    message: ['`experiments[0]` is missing the required key `manifest`'],
  },
  {
    name: 'litmus experiment with a template',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:9:5',
    message: ['`template` is not used with provider `litmus`'],
  },
  {
    name: 'manifest file missing',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engin.yaml
    `,
    at: 'suite.yml:8:15',
    message: ['manifest file `chaos/engin.yaml` not found'],
  },
  {
    name: 'manifest that is a directory',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos
    `,
    at: 'suite.yml:8:15',
    message: ['manifest file `chaos` is not a file'],
  },
  {
    name: 'manifest file with a YAML syntax error',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/broken.yaml
    `,
    at: 'chaos/broken.yaml:6:4',
    message: ['invalid YAML', 'bad indentation'],
  },
  {
    name: 'a Chaos Mesh PodChaos given to provider litmus',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/pod-kill.yaml
    `,
    at: 'chaos/pod-kill.yaml:2:13',
    message: [
      '`PodChaos` with apiVersion `chaos-mesh.org/v1alpha1` is not a Litmus kind',
      'litmuschaos.io/v1alpha1',
    ],
  },
  {
    name: 'a Litmus ChaosEngine given to provider chaos-mesh',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/engine.yaml
    `,
    at: 'chaos/engine.yaml:2:13',
    message: [
      '`ChaosEngine` with apiVersion `litmuschaos.io/v1alpha1` is not a Chaos Mesh kind',
      'chaos-mesh.org/v1alpha1',
    ],
  },
  {
    name: 'two Chaos Mesh objects in one manifest',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/two-chaos.yaml
    `,
    at: 'chaos/two-chaos.yaml:14:1',
    message: ['the manifest has 2 documents', 'one chaos object or one Workflow'],
  },
  {
    name: 'Litmus engine left in engineState stop',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine-stopped.yaml
    `,
    at: 'chaos/engine-stopped.yaml:8:16',
    message: ['`spec.engineState` is `stop`', 'leave it `active` or unset'],
  },

  // ---- Chaos Mesh kinds and specs ----------------------------------------------------------
  {
    name: 'Chaos Mesh Schedule',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: hourly
          provider: chaos-mesh
          manifest: chaos/schedule.yaml
    `,
    at: 'chaos/schedule.yaml:3:7',
    message: ['kind `Schedule` is refused', 'one-shot chaos'],
  },
  {
    name: 'StatusCheck on its own',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: check
          provider: chaos-mesh
          manifest: chaos/status-check.yaml
    `,
    at: 'chaos/status-check.yaml:3:7',
    message: ['kind `StatusCheck` is refused', 'injects nothing', 'Workflow'],
  },
  {
    name: 'chaos without a duration',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: delay
          provider: chaos-mesh
          manifest: chaos/no-duration.yaml
    `,
    at: 'chaos/no-duration.yaml:8:3',
    message: [
      'NetworkChaos without `duration` runs until someone deletes it',
      'set `spec.duration`',
    ],
  },
  {
    name: 'Workflow with a Schedule template',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: flow
          provider: chaos-mesh
          manifest: chaos/workflow-schedule.yaml
    `,
    at: 'chaos/workflow-schedule.yaml:15:7',
    message: ['`spec.templates[1]` is a Schedule', 'refused'],
  },
  {
    name: 'remoteCluster',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/remote-cluster.yaml
    `,
    at: 'chaos/remote-cluster.yaml:10:18',
    message: ['`spec.remoteCluster` sends chaos to another cluster', 'refused'],
  },

  // ---- blast radius: namespaces ------------------------------------------------------------
  {
    name: "object's own namespace not in safety.namespaces",
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine-other-namespace.yaml
    `,
    at: 'chaos/engine-other-namespace.yaml:6:14',
    message: [
      'reaches namespace `billing` (metadata.namespace)',
      'not in safety.namespaces (shop)',
    ],
  },
  {
    name: 'Litmus spec.appinfo.appns not in safety.namespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine-appns.yaml
    `,
    at: 'chaos/engine-appns.yaml:9:12',
    message: ['reaches namespace `billing` (spec.appinfo.appns)', 'not in safety.namespaces'],
  },
  {
    name: 'Chaos Mesh spec.selector.namespaces not in safety.namespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/selector-namespaces.yaml
    `,
    at: 'chaos/selector-namespaces.yaml:13:9',
    message: [
      'reaches namespace `billing` (spec.selector.namespaces[1])',
      'not in safety.namespaces',
    ],
  },
  {
    name: 'NetworkChaos spec.target.selector.namespaces not in safety.namespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: loss
          provider: chaos-mesh
          manifest: chaos/network-target.yaml
    `,
    at: 'chaos/network-target.yaml:18:20',
    message: [
      'reaches namespace `billing` (spec.target.selector.namespaces[0])',
      'not in safety.namespaces',
    ],
  },
  {
    name: 'Chaos Mesh spec.selector.pods key not in safety.namespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/selector-pods.yaml
    `,
    at: 'chaos/selector-pods.yaml:13:7',
    message: ['reaches namespace `billing` (spec.selector.pods)', 'not in safety.namespaces'],
  },
  {
    name: "a Workflow template's embedded selector not in safety.namespaces",
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: flow
          provider: chaos-mesh
          manifest: chaos/workflow-selector.yaml
    `,
    at: 'chaos/workflow-selector.yaml:22:24',
    message: [
      'reaches namespace `billing` (spec.templates[1].networkChaos.selector.namespaces[0])',
      'not in safety.namespaces',
    ],
  },
  {
    name: 'inline manifest reaching a namespace not in safety.namespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest:
            apiVersion: chaos-mesh.org/v1alpha1
            kind: PodChaos
            metadata: { name: cart-pod-kill, namespace: shop }
            spec:
              action: pod-kill
              mode: one
              selector: { namespaces: [billing] }
    `,
    at: 'suite.yml:15:34',
    message: [
      'reaches namespace `billing` (spec.selector.namespaces[0])',
      'not in safety.namespaces',
    ],
  },
  {
    name: 'protected namespace kube-system',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: dns
          provider: litmus
          manifest: chaos/engine-kube-system.yaml
    `,
    at: 'chaos/engine-kube-system.yaml:9:12',
    message: ['reaches protected namespace `kube-system` (spec.appinfo.appns)'],
  },
  {
    name: 'namespace from safety.protectedNamespaces',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
        protectedNamespaces: [payments-db]
      experiments:
        - name: db
          provider: litmus
          manifest: chaos/engine-payments-db.yaml
    `,
    at: 'chaos/engine-payments-db.yaml:9:12',
    message: ['reaches protected namespace `payments-db` (spec.appinfo.appns)'],
  },
  {
    name: 'namespace both allowed and protected',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop, payments-db]
        protectedNamespaces: [payments-db]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:4:22',
    message: ['namespace `payments-db` is both allowed and protected'],
  },
  {
    name: 'kube-system listed as allowed',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces:
          - shop
          - kube-system
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:6:7',
    message: ['namespace `kube-system` is both allowed and protected'],
  },
  {
    name: 'safety.namespaces missing while a Kubernetes provider is used',
    suite: yaml`
      version: 1
      name: shop
      safety:
        environments: [staging]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    at: 'suite.yml:3:1',
    message: ['`safety.namespaces` is required when an experiment runs on Kubernetes (kill)'],
  },
  {
    name: 'no safety section at all while a Kubernetes provider is used',
    suite: yaml`
      version: 1
      name: shop
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/pod-kill.yaml
    `,
    at: 'suite.yml:1:1',
    message: ['`safety.namespaces` is required when an experiment runs on Kubernetes (kill)'],
  },

  // ---- blast radius: node-level and unbounded selectors ------------------------------------
  {
    name: 'Litmus node-drain without allowNodeChaos',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: drain
          provider: litmus
          manifest: chaos/node-drain.yaml
    `,
    at: 'chaos/node-drain.yaml:11:13',
    message: ['`node-drain` is a node-level fault', 'needs `safety.allowNodeChaos: true`'],
  },
  {
    name: 'Chaos Mesh KernelChaos without allowNodeChaos',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kernel
          provider: chaos-mesh
          manifest: chaos/kernel-chaos.yaml
    `,
    at: 'chaos/kernel-chaos.yaml:8:3',
    message: ['KernelChaos acts on nodes', 'needs `safety.allowNodeChaos: true`'],
  },
  {
    name: 'Litmus appinfo with applabel but empty appns',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine-no-appns.yaml
    `,
    at: 'chaos/engine-no-appns.yaml:9:5',
    message: ['not bound to', '`appns` is empty', 'set `spec.appinfo.appns`'],
  },
  {
    name: 'unsubstituted {{workflow.parameters.x}} as a namespace',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: chaos-mesh
          manifest: chaos/placeholder-namespace.yaml
    `,
    at: 'chaos/placeholder-namespace.yaml:12:9',
    message: [
      '`spec.selector.namespaces[0]` must be a namespace name',
      '`{{workflow.parameters.x}}`',
      /placeholder/,
    ],
  },

  // ---- ${VAR} substitution -----------------------------------------------------------------
  {
    name: '${STAGING_URL} not set',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: "\${STAGING_URL}/health" }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:18',
    message: ['environment variable `STAGING_URL` is not set', '${STAGING_URL:-default}'],
  },
  {
    name: '${APP_NAMESPACE} not set in a manifest file',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine-env.yaml
    `,
    at: 'chaos/engine-env.yaml:9:12',
    message: ['environment variable `APP_NAMESPACE` is not set'],
  },
  {
    name: 'malformed ${1BAD}',
    suite: yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: "https://\${1BAD}/health" }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:18',
    message: ['malformed variable reference `${1BAD}`', 'expected ${NAME} or ${NAME:-default}'],
  },

  // ---- inputs checked against the suite ----------------------------------------------------
  {
    name: 'environment input not in safety.environments',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
        environments: [staging, qa]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    options: { environment: 'stagin' },
    at: 'suite.yml:5:17',
    message: [
      'environment `stagin` is not in safety.environments (staging, qa)',
      'did you mean `staging`',
    ],
  },
  {
    name: 'kube-context input not in safety.kubeContexts',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
        kubeContexts: [staging-eu]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
    `,
    options: { kubeContext: 'prod-eu' },
    at: 'suite.yml:5:17',
    message: ['kube-context `prod-eu` is not in safety.kubeContexts (staging-eu)'],
  },
  {
    name: 'experiments input naming an unknown experiment',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
        - name: pod-kill
          provider: chaos-mesh
          manifest: chaos/pod-kill.yaml
    `,
    options: { selection: 'kill, pod-kil' },
    at: undefined,
    message: [
      "Invalid input 'experiments'",
      'no experiment is named `pod-kil`',
      'did you mean `pod-kill`',
    ],
  },
  {
    name: 'experiments input `tag:nope`',
    suite: yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
      experiments:
        - name: kill
          provider: litmus
          manifest: chaos/engine.yaml
          tags: [smoke]
    `,
    options: { selection: 'tag:nope' },
    at: undefined,
    message: [
      "Invalid input 'experiments'",
      '`tag:nope` selects no experiment',
      'tags in the suite: smoke',
    ],
  },

  // ---- gates and SLOs ----------------------------------------------------------------------
  {
    name: 'score.warn above score.pass',
    suite: yaml`
      version: 1
      name: shop
      gates:
        score: { pass: 70, warn: 80 }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:28',
    message: ['`gates.score.warn` (80) must not be above `gates.score.pass` (70)'],
  },
  {
    name: 'score.warn above the default score.pass',
    suite: yaml`
      version: 1
      name: shop
      gates:
        score:
          warn: 95
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:5:11',
    message: ['`gates.score.warn` (95) must not be above `gates.score.pass` (90)'],
  },
  {
    name: 'budget gates with no SLOs',
    suite: yaml`
      version: 1
      name: shop
      gates:
        budget:
          maxConsumed: 5
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:3',
    message: ['error-budget gates need at least one SLO under `slos`'],
  },
  {
    name: 'SLO without any Prometheus URL',
    suite: yaml`
      version: 1
      name: shop
      slos:
        availability:
          objective: 99.9
          window: 28d
          prometheus:
            errorRatio: sum(rate(errors[$window]))
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:4:3',
    message: [
      'SLO `availability` needs a Prometheus',
      "the suite's `prometheus.url` or the `prometheus-url` input",
    ],
  },
  {
    name: 'SLO objective of 100 percent',
    suite: yaml`
      version: 1
      name: shop
      prometheus: { url: http://prom:9090 }
      slos:
        availability:
          objective: 100
          window: 28d
          prometheus: { errorRatio: 'sum(rate(errors[$window]))' }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `,
    at: 'suite.yml:6:16',
    message: ['`slos.availability.objective` must be less than 100, not `100`'],
  },
];

describe('bad suites are refused with the place to fix and what is wrong', () => {
  test('the corpus is large enough to mean something', () => {
    expect(bad.length).toBeGreaterThanOrEqual(45);
    expect(new Set(bad.map((c) => c.name)).size).toBe(bad.length);
  });

  test.each(bad)('$name', ({ suite, options, at, message }) => {
    const err = refusal(suite, options);
    const issue = issueSaying(err, message);
    expect(issue.position ? formatPosition(issue.position) : undefined).toBe(at);
    // What the user reads (the error's own message) carries the same place.
    expect(err.message).toContain(at === undefined ? issue.message : `${at}: ${issue.message}`);
  });
});

describe('close to the bad ones, but valid', () => {
  const ok = (text: string, options: Options = {}): Suite => load(text, options);

  test('expectStatus `2xx` is a status class', () => {
    const suite = ok(yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: https://shop.example/, expectStatus: 2xx }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
          probes: [home]
    `);
    const check = suite.probes.home?.check;
    expect(check?.type === 'http' ? check.expectStatus : undefined).toEqual({ class: 2 });
  });

  test('${STAGING_URL:-default} takes the default when the variable is unset', () => {
    const suite = ok(yaml`
      version: 1
      name: shop
      probes:
        home:
          http: { url: "\${STAGING_URL:-https://staging.shop.example}/health" }
      experiments:
        - name: az
          provider: aws-fis
          template: { id: EXT1a2b3c4d5e6f7 }
    `);
    const check = suite.probes.home?.check;
    expect(check?.type === 'http' ? check.url : undefined).toBe(
      'https://staging.shop.example/health',
    );
  });

  test('${APP_NAMESPACE} in a manifest is substituted when set', () => {
    const suite = ok(
      yaml`
        version: 1
        name: shop
        safety:
          namespaces: [shop]
        experiments:
          - name: kill
            provider: litmus
            manifest: chaos/engine-env.yaml
      `,
      { env: { APP_NAMESPACE: 'shop' } },
    );
    expect(
      suite.experiments[0]?.blastRadius.namespaces.map((t) => `${t.namespace} (${t.field})`),
    ).toEqual(['shop (metadata.namespace)', 'shop (spec.appinfo.appns)']);
  });

  test('node-drain is accepted with safety.allowNodeChaos', () => {
    const suite = ok(yaml`
      version: 1
      name: shop
      safety:
        namespaces: [shop]
        allowNodeChaos: true
      experiments:
        - name: drain
          provider: litmus
          manifest: chaos/node-drain.yaml
    `);
    expect(suite.experiments[0]?.blastRadius.nodeLevel).toHaveLength(1);
  });

  test('an SLO may take its Prometheus from the prometheus-url input', () => {
    const suite = ok(
      yaml`
        version: 1
        name: shop
        slos:
          availability:
            objective: 99.9
            window: 28d
            prometheus:
              errorRatio: sum(rate(errors[$window]))
        experiments:
          - name: az
            provider: aws-fis
            template: { id: EXT1a2b3c4d5e6f7 }
      `,
      { prometheusUrl: 'http://prom:9090' },
    );
    expect(Object.keys(suite.slos)).toEqual(['availability']);
  });

  test('the environment and kube-context inputs pass when listed', () => {
    const suite = ok(
      yaml`
        version: 1
        name: shop
        safety:
          namespaces: [shop]
          environments: [staging]
          kubeContexts: [staging-eu]
        experiments:
          - name: kill
            provider: litmus
            manifest: chaos/engine.yaml
            tags: [smoke]
      `,
      { environment: 'staging', kubeContext: 'staging-eu', selection: 'tag:smoke' },
    );
    expect(suite.selected.map((e) => e.name)).toEqual(['kill']);
  });
});

/** Hostile input: a clear ConfigurationError with a place, quickly; never a crash or a hang. */
interface Hostile {
  name: string;
  text: () => string;
  message: Fragment[];
}

const hostile: Hostile[] = [
  {
    name: 'billion laughs: aliases of aliases, 9 levels',
    text: () => {
      const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (let i = 1; i <= 9; i++)
        levels.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
      return `${HEAD}anchors:\n${levels.map((l) => `  ${l}`).join('\n')}\nexperiments: []\n`;
    },
    message: ['too many alias expansions', 'alias bomb'],
  },
  {
    name: '10,000-deep flow nesting [[[[...]]]]',
    text: () => `${HEAD}experiments: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
    message: ['nesting deeper than 64 levels'],
  },
  {
    name: '10,000-deep block sequences `- - - ...`',
    text: () => `${HEAD}experiments:\n${'- '.repeat(10_000)}x\n`,
    message: ['nesting deeper than 64 levels'],
  },
  {
    name: '500-deep block mapping nesting',
    text: () =>
      `${HEAD}defaults:\n${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`,
    message: ['nesting deeper than 64 levels'],
  },
  {
    name: 'a 2 MB file',
    text: () => `${HEAD}description: x\n${'# padding\n'.repeat((2 * 1024 * 1024) / 10)}`,
    message: ['suite file `suite.yml` is', 'larger than the limit of 1048576'],
  },
  {
    name: 'a 100 KB single string',
    text: () => `${HEAD}description: "${'x'.repeat(100 * 1024)}"\nexperiments: []\n`,
    message: ['string of 102400 characters is longer than the limit of 65536'],
  },
  {
    name: '5,000 YAML documents',
    text: () => `${HEAD}experiments: []\n---\n`.repeat(5_000),
    message: ['YAML documents, more than the limit of 20'],
  },
  {
    name: 'a `__proto__` key',
    text: () => `${HEAD}__proto__: { polluted: true }\nexperiments: []\n`,
    message: ['the key `__proto__` is not allowed'],
  },
  {
    name: 'a non-string mapping key `? [a, b] : c`',
    text: () => `${HEAD}? [a, b]\n: c\nexperiments: []\n`,
    message: ['mapping keys must be plain strings'],
  },
];

describe('hostile input is refused clearly and fast', () => {
  test.each(hostile)('$name', ({ text, message }) => {
    const suite = text();
    const started = performance.now();
    const err = refusal(suite);
    const elapsed = performance.now() - started;
    const issue = issueSaying(err, message);
    expect(issue.position).toEqual({
      file: 'suite.yml',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(elapsed).toBeLessThan(2_000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
