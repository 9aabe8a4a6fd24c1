/**
 * What a provider knows about its manifests without a cluster: which kinds it accepts, which
 * namespaces and nodes they reach, and how to describe them in a plan. The run-time half of
 * each provider (connect, start, watch, abort, clean up) builds on this.
 */
import type { ConfigIssue, SourcePosition } from '../errors.js';
import type { KubeObject } from '../kube/object.js';
import type { SourceMap } from '../suite/yaml.js';

/** One YAML document of a manifest, and how to find a place in it. */
export interface ManifestDocument {
  value: unknown;
  source: SourceMap;
  /** JSON pointer of the document inside `source` (non-empty for a manifest inline in the suite). */
  base: string;
}

export function positionIn(doc: ManifestDocument, ptr: string): SourcePosition {
  return doc.source.at(doc.base + ptr);
}

/** Position of the mapping key that holds `ptr` (where a key, not its value, says something). */
export function keyPositionIn(doc: ManifestDocument, ptr: string): SourcePosition {
  return doc.source.keyAt(doc.base + ptr);
}

/** A manifest object we will create, with the document it came from. */
export interface ManifestObject {
  object: KubeObject;
  doc: ManifestDocument;
}

/** A namespace an object reaches, and the field that says so. */
export interface NamespaceTouch {
  namespace: string;
  field: string;
  position: SourcePosition;
}

export interface Finding {
  reason: string;
  position: SourcePosition;
}

export interface BlastRadius {
  namespaces: NamespaceTouch[];
  /** Selectors we cannot bound to a namespace list. Always refused. */
  clusterWide: Finding[];
  /** Faults on nodes (or wider infrastructure). Refused unless `safety.allowNodeChaos`. */
  nodeLevel: Finding[];
  /** Namespace fields whose value is not a namespace name (an unsubstituted placeholder, say). */
  invalid: Finding[];
}

export interface PlanDescription {
  /** `ChaosEngine pod-delete`, `NetworkChaos delay`, `FIS template EXT123`. */
  kind: string;
  /** One line per target selection, for people. */
  targets: string[];
  /** How long the chaos itself lasts, when the manifest says. */
  durationMs?: number;
}

export interface DescribeInput {
  objects: ManifestObject[];
  template?: { id?: string; tags?: Record<string, string> };
}

export interface ManifestCheck {
  objects: ManifestObject[];
  issues: ConfigIssue[];
}

export interface StaticProvider {
  /** Whether this provider's experiments run on Kubernetes (and so need `safety.namespaces`). */
  readonly kubernetes: boolean;
  /**
   * Checks the manifest's documents: kinds that belong to this provider, structure we rely on.
   * `defaultNamespace` fills in objects without `metadata.namespace`.
   */
  checkManifest(
    docs: ManifestDocument[],
    defaultNamespace: string | undefined,
    where: SourcePosition,
  ): ManifestCheck;
  blastRadius(objects: ManifestObject[]): BlastRadius;
  describe(input: DescribeInput): PlanDescription;
}
