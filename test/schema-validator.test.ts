/**
 * The suite validator is Ajv's code for schema/suite.schema.json, generated at build time
 * (scripts/schema-validator.mjs): the committed file must be what the schema gives, as dist/
 * must be what the bundler gives.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

test('src/suite/schema-validator.generated.ts is up to date with the schema', () => {
  const root = path.resolve(import.meta.dirname, '..');
  // Exits non-zero (and execFileSync throws) when the committed file differs.
  expect(() =>
    execFileSync(
      process.execPath,
      [path.join(root, 'scripts', 'schema-validator.mjs'), '--check'],
      {
        cwd: root,
        stdio: 'pipe',
      },
    ),
  ).not.toThrow();
});
