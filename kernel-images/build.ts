// `npm run build:images` (tsx kernel-images/build.ts [OUTDIR]): builds every system image with rvx's
// assembler and writes OUTDIR/<system>.elf (default dist/kernel-images/, which git ignores).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rvxAssemble } from './assemble.js';
import { buildImage } from './image.js';
import { SYSTEMS } from './systems/index.js';

export async function buildAll(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const sys of SYSTEMS) {
    const img = await buildImage(sys, rvxAssemble);
    const path = join(outDir, `${sys.name}.elf`);
    writeFileSync(path, img.elf);
    written.push(path);
  }
  return written;
}

const isMain = process.argv[1] !== undefined && /kernel-images[\\/]build\.ts$/.test(process.argv[1]);
if (isMain) {
  const out = process.argv[2] ?? join('dist', 'kernel-images');
  buildAll(out).then(
    (files) => {
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`build:images: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
