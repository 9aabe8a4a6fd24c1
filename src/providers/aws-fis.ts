/** AWS FIS: an existing experiment template, chosen by id or by tags. Nothing on Kubernetes. */
import type { SourcePosition } from '../errors.js';
import type {
  BlastRadius,
  DescribeInput,
  ManifestCheck,
  ManifestDocument,
  PlanDescription,
  StaticProvider,
} from './static.js';

export const awsFis: StaticProvider = {
  kubernetes: false,

  checkManifest(
    _docs: ManifestDocument[],
    _ns: string | undefined,
    where: SourcePosition,
  ): ManifestCheck {
    return {
      objects: [],
      issues: [
        { message: 'aws-fis experiments take a `template`, not a manifest', position: where },
      ],
    };
  },

  blastRadius(): BlastRadius {
    // FIS targets are resolved by AWS from the template; their safety is checked when the
    // template is read (required tags, stop conditions, account).
    return { namespaces: [], clusterWide: [], nodeLevel: [], invalid: [] };
  },

  describe({ template }: DescribeInput): PlanDescription {
    const which = template?.id
      ? `FIS template ${template.id}`
      : `FIS template tagged ${Object.entries(template?.tags ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`;
    return { kind: which, targets: ['resolved by FIS from the template when the run connects'] };
  },
};
