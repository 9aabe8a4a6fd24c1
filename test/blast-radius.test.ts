import type { SourcePosition } from '../src/errors.js';
import type { BlastRadius, Finding, NamespaceTouch } from '../src/providers/static.js';
import { checkBlastRadius } from '../src/safety/blast-radius.js';
import type { Safety } from '../src/suite/model.js';

const at = (line: number, column = 3): SourcePosition => ({ file: 'chaos/m.yaml', line, column });

function radius(parts: Partial<BlastRadius>): BlastRadius {
  return { namespaces: [], clusterWide: [], nodeLevel: [], invalid: [], ...parts };
}

function touch(namespace: string, line: number, field = 'metadata.namespace'): NamespaceTouch {
  return { namespace, field, position: at(line) };
}

function finding(reason: string, line: number): Finding {
  return { reason, position: at(line) };
}

/** A Safety as the loader builds it, with overrides. `protectedNamespaces` is taken as given. */
function safety(parts: Partial<Safety> = {}): Safety {
  return {
    namespaces: ['shop', 'cart'],
    protectedNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'payments'],
    maxParallel: 1,
    allowNodeChaos: false,
    fis: { requiredTags: {}, requireStopConditions: true },
    aws: {},
    ...parts,
  };
}

interface Case {
  name: string;
  radius: BlastRadius;
  safety: Safety;
  /** Expected issues: a fragment of each message and its line, in order. */
  issues: { includes: string[]; line: number }[];
}

const cases: Case[] = [
  {
    name: 'allowed namespaces only',
    radius: radius({
      namespaces: [touch('shop', 4), touch('cart', 9, 'spec.selector.namespaces[0]')],
    }),
    safety: safety(),
    issues: [],
  },
  {
    name: 'a namespace not in safety.namespaces',
    radius: radius({ namespaces: [touch('shop', 4), touch('billing', 12, 'spec.appinfo.appns')] }),
    safety: safety(),
    issues: [
      {
        includes: [
          'experiment `e`',
          'namespace `billing`',
          '(spec.appinfo.appns)',
          'not in safety.namespaces (shop, cart)',
        ],
        line: 12,
      },
    ],
  },
  {
    name: 'a namespace the suite protects',
    radius: radius({ namespaces: [touch('payments', 7, 'spec.selector.pods')] }),
    safety: safety(),
    issues: [{ includes: ['protected namespace `payments`', '(spec.selector.pods)'], line: 7 }],
  },
  {
    name: 'protected wins over allowed',
    radius: radius({ namespaces: [touch('payments', 7)] }),
    safety: safety({ namespaces: ['payments'] }),
    issues: [{ includes: ['protected namespace `payments`'], line: 7 }],
  },
  ...(['kube-system', 'kube-public', 'kube-node-lease'] as const).map((ns): Case => ({
    // Even when a Safety built elsewhere forgot them: they are never chaos targets.
    name: `${ns} is always protected, even if the Safety lists it as allowed and not as protected`,
    radius: radius({ namespaces: [touch(ns, 3)] }),
    safety: safety({ namespaces: [ns], protectedNamespaces: [] }),
    issues: [{ includes: [`protected namespace \`${ns}\``], line: 3 }],
  })),
  {
    name: 'node-level fault without allowNodeChaos',
    radius: radius({
      namespaces: [touch('shop', 4)],
      nodeLevel: [finding('`node-drain` is a node-level fault', 15)],
    }),
    safety: safety(),
    issues: [
      { includes: ['`node-drain` is a node-level fault', 'safety.allowNodeChaos: true'], line: 15 },
    ],
  },
  {
    name: 'node-level fault with allowNodeChaos',
    radius: radius({
      namespaces: [touch('shop', 4)],
      nodeLevel: [finding('`node-drain` is a node-level fault', 15)],
    }),
    safety: safety({ allowNodeChaos: true }),
    issues: [],
  },
  {
    name: 'a cluster-wide selector is refused even with allowNodeChaos',
    radius: radius({
      namespaces: [touch('shop', 4)],
      clusterWide: [finding('`spec.appinfo` has no appns', 8)],
    }),
    safety: safety({ allowNodeChaos: true }),
    issues: [
      { includes: ['not bound to allowed namespaces', '`spec.appinfo` has no appns'], line: 8 },
    ],
  },
  {
    name: 'an invalid namespace value',
    radius: radius({
      invalid: [finding('`spec.appinfo.appns` must be a namespace name, not `{{ns}}`', 11)],
    }),
    safety: safety(),
    issues: [
      {
        includes: ['experiment `e`: `spec.appinfo.appns` must be a namespace name, not `{{ns}}`'],
        line: 11,
      },
    ],
  },
  {
    name: 'the same touch twice is reported once; different places each',
    radius: radius({ namespaces: [touch('billing', 5), touch('billing', 5), touch('billing', 9)] }),
    safety: safety(),
    issues: [
      { includes: ['namespace `billing`'], line: 5 },
      { includes: ['namespace `billing`'], line: 9 },
    ],
  },
  {
    name: 'every problem at once',
    radius: radius({
      namespaces: [touch('shop', 2), touch('kube-system', 3), touch('other', 4)],
      invalid: [finding('bad value', 5)],
      clusterWide: [finding('unbounded', 6)],
      nodeLevel: [finding('node fault', 7)],
    }),
    safety: safety(),
    issues: [
      { includes: ['protected namespace `kube-system`'], line: 3 },
      { includes: ['namespace `other`'], line: 4 },
      { includes: ['bad value'], line: 5 },
      { includes: ['unbounded'], line: 6 },
      { includes: ['node fault', 'allowNodeChaos'], line: 7 },
    ],
  },
];

describe('checkBlastRadius', () => {
  test.each(cases)('$name', ({ radius: r, safety: s, issues: expected }) => {
    const issues = checkBlastRadius('e', r, s);
    expect(issues.map((i) => i.position)).toEqual(expected.map((e) => at(e.line)));
    issues.forEach((issue, i) => {
      for (const fragment of expected[i]!.includes) expect(issue.message).toContain(fragment);
    });
  });

  test('is pure: the radius and the safety are not changed', () => {
    const r = radius({ namespaces: [touch('other', 4)], nodeLevel: [finding('x', 5)] });
    const s = safety();
    const before = JSON.stringify([r, s]);
    checkBlastRadius('e', r, s);
    expect(JSON.stringify([r, s])).toBe(before);
  });
});
