// Bundles the three entry points into dist/ as ESM for Node 24.
// The output is committed and CI checks it matches a fresh bundle, so keep it deterministic.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';

rmSync('dist', { recursive: true, force: true });

// @kubernetes/client-node's config.js imports the generated API clients and models (1.8 MB)
// only for KubeConfig#makeApiClient, which chaos-gate never calls: the bundle gets a stub that
// throws (src/kube/client-node-gen-stub.ts). Any other import of them fails the bundle.
const clientNodeGen = {
  name: 'client-node-gen-stub',
  setup(b) {
    b.onResolve({ filter: /\/gen\/index\.js$/ }, (args) => {
      if (!args.importer.includes('@kubernetes/client-node')) return undefined;
      if (!/[\\/]dist[\\/]config\.js$/.test(args.importer))
        return { errors: [{ text: `${args.importer} imports ${args.path}: not stubbed` }] };
      return { path: path.resolve('src/kube/client-node-gen-stub.ts') };
    });
  },
};
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
  plugins: [clientNodeGen],
});
