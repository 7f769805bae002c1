// Optional differential check of the assembler, linker and emulator together on random C programs from
// Csmith (https://github.com/csmith-project/csmith; checked with 2.3.0). Each program prints a checksum of its
// globals. For each seed and each of -O0, -O1, -O2, -O3, -Os, -O2 -g and -O2 -fPIC, for rv64gc/lp64d and
// rv64imac/lp64, the cross gcc with picolibc and a bare-metal board (HTIF console) compiles it to assembly, then:
//   `rvx asm -c --compat gnu` gives GNU as's object (allocated sections' bytes, relocations with
//     R_RISCV_RELAX/ALIGN, symbols) with no diagnostics;
//   GNU ld on GNU's objects, `rvx ld` on rvx's objects and `rvx ld` on GNU's objects (picolibc's libc.a and
//     libgcc, --gc-sections) give byte-identical loaded images that under `rvx run` print the same checksum
//     and exit 0 after the same number of instructions;
//   `rvx asm -c` in its default (LLVM-choice) mode, linked by `rvx ld`, prints the same checksum;
//   Spike (RVX_SPIKE or `spike` on PATH; that part is skipped without it) prints the same for GNU's image.
// Run with RVX_CSMITH=1 (csmith on PATH) or RVX_CSMITH=/path/to/csmith; the runtime headers are looked for
// in <prefix>/include/csmith (RVX_CSMITH_INCLUDE overrides). RVX_CSMITH_SEEDS replaces the fixed seeds
// ("1-200" or "3,17,40-45"): a seed whose program does not finish within the instruction limit under
// `rvx run` and Spike is skipped with a message. Skipped when RVX_CSMITH is unset or the GNU tools are absent.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spikePath } from './helpers/fp-diff.js';
import { assembleThreeWays, GCC, heldoutReady, linkBothWays, must, PICOLIBC_BOARD, runStats as run, sameLoadedBytes, startupFile } from './helpers/heldout.js';

const CSMITH = process.env.RVX_CSMITH === '1' ? 'csmith' : (process.env.RVX_CSMITH ?? '');
/** Whether csmith answers (in a directory of its own: csmith writes platform.info where it runs). */
function csmithAnswers(): boolean {
  const d = mkdtempSync(join(tmpdir(), 'rvx-csmith-version-'));
  try {
    return spawnSync(CSMITH, ['--version'], { encoding: 'utf8', cwd: d }).status === 0;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
const csmithRuns = CSMITH !== '' && csmithAnswers();
if (CSMITH !== '' && !csmithRuns) console.warn(`heldout-csmith: skipped (${CSMITH} does not run)`);
const ready = csmithRuns && heldoutReady('heldout-csmith', CSMITH);
const SPIKE = ready ? spikePath() : null;
if (ready && !SPIKE) console.warn('heldout-csmith: the Spike comparison is skipped (set RVX_SPIKE or put spike on PATH)');

/** Seeds whose programs finish within a few million instructions (28 builds, about 25 s on an idle machine).
 * The linker bugs this check found are covered by tests/ld-relax.test.ts. */
const FIXED_SEEDS = [10, 21];
const SEEDS = parseSeeds(process.env.RVX_CSMITH_SEEDS) ?? FIXED_SEEDS;
/** Csmith's options: small programs (at most 6 functions) without argv, and without packed structs, whose
 * misaligned accesses rvx carries out and Spike traps (docs/machine.md). */
const CSMITH_OPTIONS = ['--no-argc', '--max-funcs', '6', '--no-packed-struct'];
/** Past this many instructions (under `rvx run` and under Spike) a program counts as not finishing. */
const MAX_INSNS = 50_000_000;

const LEVELS = [['-O0'], ['-O1'], ['-O2'], ['-O3'], ['-Os'], ['-O2', '-g'], ['-O2', '-fPIC']];
const ARCHES = [['rv64gc', 'lp64d'], ['rv64imac', 'lp64']];

function parseSeeds(text: string | undefined): number[] | null {
  if (!text) return null;
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

/** Csmith's runtime headers (csmith.h, safe_math.h, ...). */
function includeDir(): string {
  if (process.env.RVX_CSMITH_INCLUDE) return process.env.RVX_CSMITH_INCLUDE;
  const bin = CSMITH.includes('/') ? CSMITH : spawnWhich(CSMITH);
  const inc = join(dirname(dirname(bin)), 'include');
  const named = existsSync(inc) ? readdirSync(inc).filter((n) => /^csmith(-[\d.]+)?$/.test(n)).sort() : [];
  return join(inc, named[0] ?? 'csmith');
}

function spawnWhich(cmd: string): string {
  return must('sh', ['-c', `command -v ${cmd}`]).trim();
}

/** A tool run to completion without blocking the test worker; its standard output and exit status. */
function tool(cmd: string, args: string[], timeout = 300_000, cwd?: string): Promise<{ status: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20, cwd }, (err, stdout, stderr) => {
      const timedOut = !!err?.killed;
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (err && status === null && !timedOut) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ status, stdout, timedOut });
    });
  });
}

async function mustAsync(cmd: string, args: string[], cwd?: string): Promise<string> {
  const r = await tool(cmd, args, 300_000, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `status ${r.status}`})`);
  return r.stdout;
}

// The start-up file: FPU on when the hart has F or D (misa), a 256 KiB stack.
const CRT0 = startupFile({ stack: 262144, heap: 0, fpuFromMisa: true, initArray: false, tlsBlock: false });

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-csmith-')) : '';
afterAll(() => {
  // RVX_CSMITH_KEEP keeps the files of the cases that failed, to look into.
  if (dir && !process.env.RVX_CSMITH_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('Csmith programs built by GNU as/ld and by rvx asm/ld, run by rvx and Spike', () => {
  const include = ready ? includeDir() : '';
  for (const seed of SEEDS) {
    for (const [march, mabi] of ARCHES) {
      for (const level of LEVELS) {
        it(`seed ${seed} ${level.join(' ')} ${march}`, async (ctx) => {
          const d = mkdtempSync(join(dir, `${seed}-`));
          const program = join(d, 'program.c');
          const multi = [`-march=${march}`, `-mabi=${mabi}`];
          // In the build's directory: csmith writes platform.info where it runs.
          await mustAsync(CSMITH, [...CSMITH_OPTIONS, '--seed', String(seed), '-o', program], d);
          writeFileSync(join(d, 'board.c'), PICOLIBC_BOARD);
          writeFileSync(join(d, 'crt0.s'), CRT0);
          const libdir = process.env.RVX_PICOLIBC_LIBDIR ?? `/usr/lib/picolibc/riscv64-unknown-elf/lib/${must(GCC, [...multi, '-print-multi-directory']).trim()}`;
          const libs = [join(libdir, 'libc.a'), must(GCC, [...multi, '-print-libgcc-file-name']).trim()];
          const cc = ['--specs=picolibc.specs', '-mcmodel=medany', ...multi, '-ffunction-sections', '-fdata-sections', '-w', `-I${include}`, '-S'];
          await mustAsync(GCC, [...cc, ...level, program, '-o', join(d, 'program.s')]);
          await mustAsync(GCC, [...cc, '-O2', join(d, 'board.c'), '-o', join(d, 'board.s')]);
          const sources: [string, string][] = [['crt0.s', `${march}_zicsr`], ['board.s', march], ['program.s', march]];
          const objs: Record<'gnu' | 'rvx' | 'llvm', string[]> = { gnu: [], rvx: [], llvm: [] };
          for (const [name, isa] of sources) {
            const o = await assembleThreeWays(join(d, name), [`-march=${isa}`, `-mabi=${mabi}`], ['--march', isa, '--mabi', mabi], join(d, name));
            objs.gnu.push(o.gnu);
            objs.rvx.push(o.rvx);
            objs.llvm.push(o.llvm);
          }
          const elf = await linkBothWays(objs.gnu, { rvx: objs.rvx, 'rvx-gnu-objects': objs.gnu, llvm: objs.llvm }, libs, d);
          expect(sameLoadedBytes(elf('gnu'), elf('rvx'), d), 'loaded bytes: GNU as + GNU ld against rvx asm + rvx ld').toBe(true);
          expect(sameLoadedBytes(elf('gnu'), elf('rvx-gnu-objects'), d), 'loaded bytes: GNU ld against rvx ld on GNU\'s objects').toBe(true);
          const g = await run(elf('gnu'), MAX_INSNS);
          // Spike stops at the same limit: a program that finishes under one of them and not the other fails.
          const spike = SPIKE ? await tool(SPIKE, [`--isa=${march}_zicsr_zifencei`, `--instructions=${MAX_INSNS}`, elf('gnu')]) : null;
          if (g.code === 124 && (!spike || spike.stdout === '')) {
            console.warn(`heldout-csmith: seed ${seed} ${level.join(' ')} ${march} does not finish within ${MAX_INSNS} instructions; skipped`);
            ctx.skip();
          }
          expect(g.stdout, 'the GNU-built program under rvx run').toMatch(/^checksum = [0-9A-F]+\n$/);
          expect(g.code).toBe(0);
          if (spike) expect({ code: spike.status, stdout: spike.stdout }, 'Spike on the GNU-built image').toEqual({ code: 0, stdout: g.stdout });
          expect(await run(elf('rvx'), MAX_INSNS), 'rvx asm + rvx ld').toEqual(g);
          expect(await run(elf('rvx-gnu-objects'), MAX_INSNS), 'rvx ld on GNU\'s objects').toEqual(g);
          const l = await run(elf('llvm'), MAX_INSNS);
          expect({ code: l.code, stdout: l.stdout }, 'rvx asm (default mode) + rvx ld').toEqual({ code: 0, stdout: g.stdout });
          rmSync(d, { recursive: true, force: true });
        }, 900_000);
      }
    }
  }
});

describe.skipIf(!!CSMITH)('Csmith programs', () => {
  it.skip('set RVX_CSMITH=1 (csmith on PATH) or RVX_CSMITH=/path/to/csmith, with the cross gcc and GNU binutils, to run this check', () => {});
});
