// `npm run bench [-- --short]`: bundles bench/bench.ts (which imports the engine and the
// simulators from src/) with esbuild into a temporary directory and runs it with this Node (24,
// through scripts/node24.sh). Arguments are passed on; the exit code is the bench's.
// BENCH_NODE_FLAGS adds Node flags to the bench process, e.g. "--cpu-prof --cpu-prof-dir=prof".
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const temp = mkdtempSync(path.join(os.tmpdir(), 'chaos-gate-bench-'));
const outfile = path.join(temp, 'bench.mjs');

// src/sim/paths.ts finds the package root (the CRDs the simulated API server serves) by walking
// up from its own module URL; from a bundle in the temporary directory it would not find it, so
// that one module gets its source file's URL instead of the bundle's.
const sourceUrls = {
  name: 'source-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]sim[\\/]paths\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

let code = 1;
try {
  await build({
    absWorkingDir: root,
    entryPoints: ['bench/bench.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // No source map: with --enable-source-maps the first stack trace built in the engine's
    // thread parses the multi-megabyte map (~0.8 s here), which the bench would measure.
    // CommonJS dependencies (ajv) call require(); give ESM output one (as scripts/bundle.mjs).
    banner: {
      js: "import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);",
    },
    plugins: [sourceUrls],
    logLevel: 'warning',
  });
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      outfile,
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, BENCH_ROOT: root } },
  );
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  code = await new Promise((resolve) =>
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 + (os.constants.signals[sig] ?? 0) : 1))),
  );
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exitCode = code;
