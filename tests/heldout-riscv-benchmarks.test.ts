// Optional held-out check of the assembler and linker with a third-party linker script: riscv-tests'
// benchmarks/ (https://github.com/riscv-software-src/riscv-tests; its code is not part of rvx). Point
// RVX_RISCV_TESTS_SRC at a checkout (with env/ filled, as `git clone --recursive` gives it, or
// env/encoding.h from riscv-test-env copied in). Each single-threaded benchmark is compiled by the cross
// gcc (picolibc's headers) at -O0, -O2, -O3 and -Os to assembly, with the suite's own crt.S (preprocessed)
// and syscalls.c, and built two ways from the same .s files:
//   GNU:  riscv64-unknown-elf-as, riscv64-unknown-elf-ld -T common/test.ld, libgcc
//   rvx:  rvx asm -c, rvx ld -T common/test.ld, libgcc
// Under `rvx run` both must print the same and exit the same after the same number of instructions.
// Skipped when RVX_RISCV_TESTS_SRC is unset or the GNU tools are absent.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';

const SRC = process.env.RVX_RISCV_TESTS_SRC ?? '';
const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const ready = SRC !== '' && have(GCC) && have(`${PREFIX}as`) && have(`${PREFIX}ld`);
if (SRC !== '' && !ready) console.warn(`heldout-riscv-benchmarks: skipped (needs ${GCC}, ${PREFIX}as, ${PREFIX}ld)`);

const B = join(SRC, 'benchmarks');
// The single-hart C benchmarks that need nothing beyond libgcc (mm calls libm's fma; pmp needs PMP setup
// the suite's own environment gives; mt-* and vec-* need more harts or V).
const BENCHMARKS = ['dhrystone', 'median', 'memcpy', 'multiply', 'qsort', 'rsort', 'spmv', 'towers', 'vvadd'];
const ARCH = ['-march=rv64imac_zicsr_zifencei', '-mabi=lp64', '-mcmodel=medany'];
// The suite's Makefile flags (RISCV_GCC_OPTS), with picolibc for the C headers.
const CFLAGS = ['--specs=picolibc.specs', '-U_FORTIFY_SOURCE', '-DPREALLOCATE=1', '-static', '-std=gnu99', '-ffast-math', '-fno-common',
  '-fno-builtin-printf', '-fno-tree-loop-distribute-patterns', '-Wno-implicit-int', '-Wno-implicit-function-declaration'];

function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-rtbench-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(elf: string): Promise<{ code: number; stdout: string; instructions: number }> {
  const r = await captureMain(runMain, ['--core', 'ideal', '--stats', '--max-insns', '200000000', elf]);
  const m = /^instructions\s+(\d+)/m.exec(r.stderr);
  return { code: r.code, stdout: r.stdout, instructions: m ? Number(m[1]) : -1 };
}

describe.skipIf(!ready)('riscv-tests benchmarks built by GNU as/ld and by rvx asm/ld with test.ld', () => {
  const libgcc = ready ? must(GCC, ['-march=rv64imac', '-mabi=lp64', '-print-libgcc-file-name']).trim() : '';
  const include = ready ? ['env', 'env/p'].map((d) => join(SRC, d)).filter(existsSync).map((d) => `-I${d}`) : [];
  for (const b of BENCHMARKS) {
    for (const level of ['-O0', '-O2', '-O3', '-Os']) {
      it(`${b} ${level}`, async () => {
        const d = mkdtempSync(join(dir, `${b}${level}-`));
        const common = join(B, 'common');
        const asm: string[] = [join(d, 'crt.s')];
        must(GCC, [...CFLAGS, ...ARCH, `-I${common}`, ...include, '-E', join(common, 'crt.S'), '-o', asm[0]]);
        const sources = [...readdirSync(join(B, b)).filter((f) => f.endsWith('.c')).map((f) => join(B, b, f)), join(common, 'syscalls.c')];
        for (const c of sources) {
          const s = join(d, c.replace(/^.*\//, '').replace(/\.c$/, '.s'));
          must(GCC, [...CFLAGS, ...ARCH, level, `-I${common}`, `-I${join(B, b)}`, ...include, '-S', c, '-o', s]);
          asm.push(s);
        }
        const script = join(common, 'test.ld');
        const gnuObjs = asm.map((s, i) => {
          const o = join(d, `${i}.gnu.o`);
          must(`${PREFIX}as`, ['-march=rv64imac_zicsr_zifencei', '-mabi=lp64', s, '-o', o]);
          return o;
        });
        const gnu = join(d, 'gnu.elf');
        must(`${PREFIX}ld`, ['-T', script, ...gnuObjs, libgcc, '-o', gnu]);
        const objs: string[] = [];
        for (const [i, s] of asm.entries()) {
          const o = join(d, `${i}.rvx.o`);
          const r = await captureMain(asmMain, ['-c', s, '-o', o]);
          expect(r.stderr, s).toBe('');
          objs.push(o);
        }
        const elf = join(d, 'rvx.elf');
        const l = await captureMain(ldMain, ['-T', script, ...objs, libgcc, '-o', elf]);
        expect(l.stderr).toBe('');
        expect(l.code).toBe(0);
        const want = await run(gnu);
        expect(want.code, 'the GNU-built benchmark failed').toBe(0);
        expect(await run(elf)).toEqual(want);
        rmSync(d, { recursive: true, force: true });
      }, 120_000);
    }
  }
});
