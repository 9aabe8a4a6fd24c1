// Bundles the three entry points into dist/ as ESM for Node 24.
// The output is committed and CI checks it matches a fresh bundle, so keep it deterministic.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { index: 'src/index.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  // Real runs load the Kubernetes and AWS clients with import(): their own chunks, so validation
  // and dry runs start fast.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'linked',
  // CommonJS dependencies (ajv) call require(); give ESM output one.
  banner: {
    js: "import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
