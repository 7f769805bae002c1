// What the held-out checks on third-party C code share (tests/heldout-embench.test.ts,
// tests/heldout-lua.test.ts): the GNU cross toolchain they compare against, a command that must succeed,
// a run of an image under `rvx run --stats`, the HTIF words a start-up file defines, and the comparison
// of two images' loaded bytes.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as runMain } from '../../tools/commands/run.js';
import { captureMain } from './cli.js';

/** The cross gcc (RVX_RISCV_GCC, else riscv64-unknown-elf-gcc) and the prefix of its binutils. */
export const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
export const PREFIX = GCC.replace(/gcc$/, '');

/**
 * Whether a held-out check can run: its source checkout was named (`source`, from its environment variable)
 * and gcc, as, ld and objcopy answer. Says why it is skipped when the checkout was named but a tool is absent.
 */
export function heldoutReady(name: string, source: string): boolean {
  if (source === '') return false;
  const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
  const ready = have(GCC) && have(`${PREFIX}as`) && have(`${PREFIX}ld`) && have(`${PREFIX}objcopy`);
  if (!ready) console.warn(`${name}: skipped (needs ${GCC}, ${PREFIX}as, ${PREFIX}ld, ${PREFIX}objcopy)`);
  return ready;
}

/** Run a tool; its standard output, or an error with its command line and standard error. */
export function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

/** Output, exit status and instructions retired of `rvx run --stats` on an image. */
export async function runStats(elf: string): Promise<{ code: number; stdout: string; instructions: number }> {
  const r = await captureMain(runMain, ['--core', 'ideal', '--stats', '--max-insns', '500000000', elf]);
  const m = /^instructions\s+(\d+)/m.exec(r.stderr);
  return { code: r.code, stdout: r.stdout, instructions: m ? Number(m[1]) : -1 };
}

/** The start of a start-up file: `_start` in .text.init sets gp (not relaxed against itself) and sp
 * (`stack_top`, which the file defines). */
export const START = `
	.section .text.init,"ax",@progbits
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, stack_top
`;

/** The HTIF words a start-up file defines, in a section of their own (`rvx run` and Spike look for `tohost`). */
export const HTIF_WORDS = `
	.section .tohost,"aw",@progbits
	.align 6
	.globl tohost
tohost: .dword 0
	.align 6
	.globl fromhost
fromhost: .dword 0
`;

/** Whether two images load the same bytes (objcopy -O binary of each, in `dir`). */
export function sameLoadedBytes(a: string, b: string, dir: string): boolean {
  const binA = join(dir, 'a.bin');
  const binB = join(dir, 'b.bin');
  must(`${PREFIX}objcopy`, ['-O', 'binary', a, binA]);
  must(`${PREFIX}objcopy`, ['-O', 'binary', b, binB]);
  return readFileSync(binA).equals(readFileSync(binB));
}
