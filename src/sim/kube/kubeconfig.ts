/** A kubeconfig (clientcmd v1 Config) for a loopback API server. */
import YAML from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token?: string;
  /** Context (and cluster and user) name; default `chaos-gate-sim`. */
  context?: string;
  /** The context's default namespace. */
  namespace?: string;
  /** PEM of the server's CA (https); without it, TLS verification is skipped. */
  certificateAuthority?: string;
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.context ?? 'chaos-gate-sim';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: opts.server,
          ...(opts.certificateAuthority !== undefined
            ? {
                'certificate-authority-data': Buffer.from(opts.certificateAuthority).toString(
                  'base64',
                ),
              }
            : // Plain http on 127.0.0.1. The flag keeps clients that insist on TLS settings
              // quiet (@kubernetes/client-node 1.x wants it for http:// servers).
              { 'insecure-skip-tls-verify': true }),
        },
      },
    ],
    users: [{ name, user: opts.token !== undefined ? { token: opts.token } : {} }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}
