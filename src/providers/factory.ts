/**
 * The run-time providers, by name: one line per provider. Loaded lazily by the pipeline so a
 * dry run never pays for the Kubernetes and AWS clients.
 */
import type { FisApi } from '../aws/fis-api.js';
import type { KubeApi } from '../kube/api.js';
import type { Safety } from '../suite/model.js';
import { fisProvider, type FisProviderOptions } from './aws-fis-run.js';
import type { ProviderName } from '../suite/types.js';
import { chaosMeshProvider, type ChaosMeshProviderOptions } from './chaos-mesh-run.js';
import { litmusProvider } from './litmus-run.js';
import type { Provider } from './provider.js';

export interface ProviderClients {
  /** Connects to Kubernetes on first use (so a FIS-only run never reads a kubeconfig). */
  kube: () => KubeApi;
  /** Connects to FIS on first use. */
  fis?: () => FisApi;
  safety?: Pick<Safety, 'fis' | 'aws'>;
  /** Options for tests and the demo. */
  kubeOptions?: Omit<ChaosMeshProviderOptions, 'api'>;
  fisOptions?: Omit<FisProviderOptions, 'api' | 'safety'>;
}

type Factory = (c: ProviderClients) => Provider;

const FACTORIES: Record<ProviderName, Factory | undefined> = {
  litmus: (c) => litmusProvider({ api: c.kube(), ...c.kubeOptions }),
  'chaos-mesh': (c) => chaosMeshProvider({ api: c.kube(), ...c.kubeOptions }),
  'aws-fis': (c) => {
    if (!c.fis) throw new Error('no FIS client');
    return fisProvider({
      api: c.fis(),
      safety: c.safety ?? { fis: { requiredTags: {}, requireStopConditions: true } },
      ...c.fisOptions,
    });
  },
};

/** A memoising lookup: each provider is made once per run. */
export function providerSet(clients: ProviderClients): {
  get(name: ProviderName): Provider;
  all(): Provider[];
} {
  const made = new Map<ProviderName, Provider>();
  return {
    get(name) {
      let p = made.get(name);
      if (!p) {
        const f = FACTORIES[name];
        if (!f)
          throw new Error(`the ${name} provider is not available in this version of chaos-gate`);
        p = f(clients);
        made.set(name, p);
      }
      return p;
    },
    all: () => [...made.values()],
  };
}
