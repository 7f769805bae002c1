// Bundles the CLI into dist/rvx.mjs (the package's `bin`), so `npm start` and `rvx` need no TS loader.
// Runs on `npm install` / `npm ci` through the `prepare` script, so `npx rvx` works right after install.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/rvx.mjs';
await build({
  entryPoints: ['tools/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
// An executable bin, so `./dist/rvx.mjs` runs directly (npm links it with mode 755 as well).
chmodSync(outfile, 0o755);
