// Where the benchmarks find the repository (their programs and the results folder) and which revision
// a result was measured at.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the first of the working directory and the folders above this module (the source
 * tree or dist/ and its chunks) that holds `marker` (a path relative to the root); null when none does.
 */
export function findRepoRoot(marker: string): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [process.cwd(), resolve(here, '..'), resolve(here, '../..'), resolve(here, '../../..')]) {
    if (existsSync(join(c, 'package.json')) && existsSync(join(c, marker))) return c;
  }
  return null;
}

/** The short commit of HEAD and whether tracked files differ from it ('unknown' outside a git checkout). */
export function gitRevision(root: string): { revision: string; dirty: boolean } {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (rev.status !== 0) return { revision: 'unknown', dirty: false };
  const st = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { revision: rev.stdout.trim(), dirty: st.status === 0 && st.stdout.trim() !== '' };
}
