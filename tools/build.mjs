// Bundles the CLI into dist/rvx.mjs (the package's `bin`), so `npm start` and `rvx` need no TS loader.
import { build } from 'esbuild';

await build({
  entryPoints: ['tools/cli.ts'],
  outfile: 'dist/rvx.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
