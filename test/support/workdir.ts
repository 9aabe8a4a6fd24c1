/** A temporary directory holding a suite and its manifests, removed after the test file. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Workdir {
  dir: string;
  write(file: string, text: string): string;
  remove(): void;
}

export function workdir(prefix = 'chaos-gate-test-'): Workdir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(file, text) {
      const abs = path.join(dir, file);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      return abs;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A PodChaos pod-kill in namespace `ns`: the smallest valid Chaos Mesh manifest. */
export function podKill(name: string, ns = 'shop'): string {
  return [
    'apiVersion: chaos-mesh.org/v1alpha1',
    'kind: PodChaos',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    'spec:',
    '  action: pod-kill',
    '  mode: one',
    '  selector:',
    '    labelSelectors: { app: cart }',
    '',
  ].join('\n');
}
