/**
 * Which cluster we talk to: the `kubeconfig` input (YAML or a path), else KUBECONFIG, else
 * ~/.kube/config, else in-cluster; then `kube-context`. The chosen context is checked against
 * `safety.kubeContexts` before the first request, and every credential is masked first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { kubeconfigSecrets } from '../inputs.js';

export class KubeAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeAccessError';
  }
}

export interface KubeAccessOptions {
  /** The `kubeconfig` input: YAML text or a path. */
  kubeconfig?: string;
  /** The `kube-context` input. */
  context?: string;
  /** `safety.kubeContexts`. */
  allowedContexts?: string[];
  env: NodeJS.ProcessEnv;
  mask: (secret: string) => void;
  /** For tests: where ~ is. */
  home?: string;
  /** A relative kubeconfig path is relative to this (the workspace); default the process's. */
  cwd?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(opts: KubeAccessOptions): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  let source: string;
  const input = opts.kubeconfig?.trim();
  if (input) {
    if (input.includes('\n') || /^\s*apiVersion\s*:/m.test(input)) {
      kubeconfigSecrets(input).forEach(opts.mask);
      kc.loadFromString(input);
      source = 'the kubeconfig input';
    } else if (existsSync(resolve(opts.cwd ?? process.cwd(), input))) {
      const file = resolve(opts.cwd ?? process.cwd(), input);
      kubeconfigSecrets(readFileSync(file, 'utf8')).forEach(opts.mask);
      kc.loadFromFile(file);
      source = input;
    } else {
      throw new KubeAccessError(
        `the kubeconfig input is neither kubeconfig YAML nor an existing file: ${input}`,
      );
    }
  } else {
    const fromEnv = (opts.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f && existsSync(f));
    const home = join(opts.home ?? homedir(), '.kube', 'config');
    if (fromEnv.length) {
      for (const f of fromEnv) kubeconfigSecrets(readFileSync(f, 'utf8')).forEach(opts.mask);
      // Loaded file by file (not loadFromDefault, which reads process.env) so `env` decides.
      mergeFirstWins(kc, fromEnv);
      source = `KUBECONFIG (${fromEnv.join(delimiter)})`;
    } else if (existsSync(home)) {
      kubeconfigSecrets(readFileSync(home, 'utf8')).forEach(opts.mask);
      kc.loadFromFile(home);
      source = home;
    } else if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kc.loadFromCluster();
      source = 'the in-cluster service account';
    } else {
      // client-node would silently fall back to http://localhost:8080; we say what is missing.
      throw new KubeAccessError(
        'no Kubernetes credentials: set the kubeconfig input, KUBECONFIG, or ~/.kube/config (or run in a cluster)',
      );
    }
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context))
      throw new KubeAccessError(
        `kube-context ${opts.context} is not in ${source} (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    kc.setCurrentContext(opts.context);
  }
  const current = kc.getCurrentContext();
  if (opts.allowedContexts && !opts.allowedContexts.includes(current))
    throw new KubeAccessError(
      `the Kubernetes context in use, ${current || '(none)'} from ${source}, is not in safety.kubeContexts (${opts.allowedContexts.join(', ')}): refusing to connect`,
    );
  const user = kc.getCurrentUser();
  for (const v of [user?.token, user?.password, user?.keyData, user?.certData]) if (v) opts.mask(v);
  if (!kc.getCurrentCluster())
    throw new KubeAccessError(`the context ${current || '(none)'} in ${source} names no cluster`);
  return { kc, source };
}

/**
 * Merges kubeconfig files as kubectl does: the first file to define a cluster, user or context
 * name wins, and the current context is the first file's that sets one.
 */
function mergeFirstWins(kc: KubeConfig, files: string[]): void {
  const parts = files.map((f) => {
    const one = new KubeConfig();
    one.loadFromFile(f);
    return one;
  });
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists)
      for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  kc.loadFromOptions({
    clusters: firstByName(parts.map((p) => p.getClusters())),
    users: firstByName(parts.map((p) => p.getUsers())),
    contexts: firstByName(parts.map((p) => p.getContexts())),
    currentContext: parts.map((p) => p.getCurrentContext()).find((c) => c) ?? '',
  });
}
