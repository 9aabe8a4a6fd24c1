/**
 * Bundling only: stands in for `@kubernetes/client-node/dist/gen/index.js` where client-node's
 * `config.js` imports it (scripts/bundle.mjs). That module is the generated API clients and
 * their models, 1.8 MB of the bundle and ~35 MB of memory once loaded; `config.js` needs it only
 * in `KubeConfig#makeApiClient`, which chaos-gate does not call (src/kube/api.ts makes its own
 * requests with the KubeConfig's authentication). Tests run the real module.
 */
const WHY =
  'chaos-gate bundles no generated Kubernetes API clients: KubeConfig#makeApiClient is not available';

export function createConfiguration(): never {
  throw new Error(WHY);
}

/** A constructor in client-node; here a function that throws the same way when called. */
export function ServerConfiguration(): never {
  throw new Error(WHY);
}
