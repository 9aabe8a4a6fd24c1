/**
 * Where the simulators' data lives (the upstream CRDs, the FIS model) and the demo's suite: under
 * the package root, found by walking up from this module. From the sources that is two levels
 * up; from the bundle (`dist/chunks/*.js`, where the demo runs) it is two levels up as well, but
 * relative URLs would point into `dist/`, so the root is searched rather than assumed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory of chaos-gate's package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  if (root) return root;
  for (let dir = path.dirname(from); ;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        if (name === 'chaos-gate') return (root = dir);
      } catch {
        // not ours: keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`chaos-gate's package.json not found above ${from}`);
    dir = up;
  }
}

/** A path under the package root (`src/sim/crds`, `examples/demo/suite.yml`). */
export function packagePath(...parts: string[]): string {
  return path.join(packageRoot(), ...parts);
}
