// Bundles the CLI into dist/rvx.mjs (the package's `bin`) and dist/chunks/ (each command's code, loaded
// only when that command runs, so `rvx --help` starts fast), so `npm start` and `rvx` need no TS loader.
// Runs on `npm install` / `npm ci` through the `prepare` script, so `npx rvx` works right after install.
// `node tools/build.mjs [--outdir DIR]`: the CLI tests build a private copy elsewhere.
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const at = process.argv.indexOf('--outdir');
const outdir = at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'dist';
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { rvx: 'tools/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
// An executable bin, so `./dist/rvx.mjs` runs directly (npm links it with mode 755 as well).
chmodSync(join(outdir, 'rvx.mjs'), 0o755);
