// Optional held-out check of the assembler and linker on third-party C: the Embench IoT suite
// (https://github.com/embench/embench-iot; its code is not part of rvx). Point RVX_EMBENCH at a checkout;
// every benchmark in src/ is compiled by the cross gcc (with picolibc) at -O0, -O2, -Os and -O2 -fPIC to
// assembly, and then built two ways from the same .s files:
//   GNU:  riscv64-unknown-elf-as, riscv64-unknown-elf-ld (its default script, --gc-sections)
//   rvx:  rvx asm -c, rvx ld (its default layout, --gc-sections)
// with picolibc's libc.a and libgcc.a. Under `rvx run` both must exit 0 (the benchmark verified its own
// result) after the same number of instructions; with `rvx asm --compat gnu` every object's allocated
// sections must have GNU as's bytes and the loaded images must be byte-identical. A start-up file of our
// own (below) replaces a board's: it sets gp and sp, calls main and reports main's status through HTIF.
// Skipped when RVX_EMBENCH is unset or the GNU tools are absent.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { readObject } from '../tools/elf/object.js';
import { captureMain } from './helpers/cli.js';
import { GCC, HTIF_WORDS, heldoutReady, must, PREFIX, runStats as run, sameLoadedBytes, START } from './helpers/heldout.js';

const EMBENCH = process.env.RVX_EMBENCH ?? '';
const ready = heldoutReady('heldout-embench', EMBENCH);

/** An object's allocated sections with contents: name -> bytes (hex). */
function allocatedBytes(path: string): Record<string, string> {
  const o = readObject(new Uint8Array(readFileSync(path)), path);
  const out: Record<string, string> = {};
  for (const sec of o.sections) if (sec.flags & 2 && sec.type !== 8 && sec.size > 0) out[sec.name] = Buffer.from(sec.data).toString('hex');
  return out;
}

const ARCH = ['-march=rv64imac_zicsr_zifencei', '-mabi=lp64', '-mcmodel=medany'];
const LEVELS = [['-O0'], ['-O2'], ['-Os'], ['-O2', '-fPIC']];

const CRT0 = `${START}	call main
	slli a0, a0, 1
	ori a0, a0, 1
	la t0, tohost
	sd a0, 0(t0)
1:	j 1b
	.bss
	.align 4
	.space 65536
stack_top:
${HTIF_WORDS}`;

// The board: no timer to start or stop; what picolibc's abort() needs in a bare-metal program.
const BOARD = `
void initialise_board (void) {}
void start_trigger (void) {}
void stop_trigger (void) {}
void _exit (int code) { for (;;) ; }
int getpid (void) { return 1; }
int kill (int pid, int sig) { _exit (128 + sig); return -1; }
`;

const dir = ready ? mkdtempSync(join(tmpdir(), 'rvx-embench-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function benchmarks(): string[] {
  if (!ready) return [];
  return readdirSync(join(EMBENCH, 'src')).filter((b) => existsSync(join(EMBENCH, 'src', b))).sort();
}

describe.skipIf(!ready)('Embench IoT built by GNU as/ld and by rvx asm/ld', () => {
  // The rv64imac/lp64 multilib of libgcc and of picolibc (the Debian package's place, or RVX_PICOLIBC_LIBC).
  const multi = ['-march=rv64imac', '-mabi=lp64'];
  const libgcc = ready ? must(GCC, [...multi, '-print-libgcc-file-name']).trim() : '';
  const libc = ready
    ? process.env.RVX_PICOLIBC_LIBC ?? `/usr/lib/picolibc/riscv64-unknown-elf/lib/${must(GCC, [...multi, '-print-multi-directory']).trim()}/libc.a`
    : '';
  if (ready) {
    writeFileSync(join(dir, 'crt0.s'), CRT0);
    writeFileSync(join(dir, 'board.c'), BOARD);
    writeFileSync(join(dir, 'config.h'), '');
    writeFileSync(join(dir, 'boardsupport.h'), '');
  }
  it('finds the benchmarks and the libraries', () => {
    expect(benchmarks().length, `no benchmarks in ${EMBENCH}/src`).toBeGreaterThan(0);
    expect(existsSync(libc), libc).toBe(true);
  });
  for (const b of benchmarks()) {
    for (const level of LEVELS) {
      it(`${b} ${level.join(' ')}`, async () => {
        const d = mkdtempSync(join(dir, `${b}${level.join('')}-`));
        const sources = [
          ...readdirSync(join(EMBENCH, 'src', b)).filter((f) => f.endsWith('.c')).map((f) => join(EMBENCH, 'src', b, f)),
          join(EMBENCH, 'support', 'main.c'), join(EMBENCH, 'support', 'beebsc.c'), join(dir, 'board.c'),
        ];
        const asm: string[] = [join(dir, 'crt0.s')];
        for (const c of sources) {
          const s = join(d, c.replace(/^.*\//, '').replace(/\.c$/, '.s'));
          must(GCC, ['--specs=picolibc.specs', ...ARCH, ...level, '-ffunction-sections', '-fdata-sections', `-I${join(EMBENCH, 'support')}`, `-I${dir}`,
            '-DCPU_MHZ=1', '-DWARMUP_HEAT=0', '-DGLOBAL_SCALE_FACTOR=1', '-S', c, '-o', s]);
          asm.push(s);
        }
        const link = ['--gc-sections', '-e', '_start'];
        // GNU
        const gnuObjs = asm.map((s, i) => {
          const o = join(d, `${i}.as.o`);
          must(`${PREFIX}as`, ['-march=rv64imac_zicsr_zifencei', '-mabi=lp64', s, '-o', o]);
          return o;
        });
        const gnu = join(d, 'gnu.elf');
        must(`${PREFIX}ld`, [...link, '-Ttext-segment=0x80000000', ...gnuObjs, libc, libgcc, '-o', gnu]);
        const g = await run(gnu);
        expect(g.code, 'the GNU-built benchmark failed its own check').toBe(0);
        // rvx, with its own (LLVM's) encoding choices and with GNU's
        for (const compat of ['llvm', 'gnu']) {
          const objs: string[] = [];
          for (const [i, s] of asm.entries()) {
            const o = join(d, `${i}.${compat}.o`);
            const r = await captureMain(asmMain, ['-c', '--compat', compat, s, '-o', o]);
            expect(r.stderr, s).toBe('');
            // With GNU's choices, the object's allocated sections have GNU as's bytes too.
            if (compat === 'gnu') expect(allocatedBytes(o), s).toEqual(allocatedBytes(gnuObjs[i]));
            objs.push(o);
          }
          const elf = join(d, `rvx-${compat}.elf`);
          const l = await captureMain(ldMain, [...link, ...objs, libc, libgcc, '-o', elf]);
          expect(l.stderr).toBe('');
          expect(l.code).toBe(0);
          expect(await run(elf), `${compat}: output, exit status and instructions retired`).toEqual(g);
          if (compat === 'gnu') expect(sameLoadedBytes(gnu, elf, d), 'loaded image bytes').toBe(true);
        }
        rmSync(d, { recursive: true, force: true });
      }, 120_000);
    }
  }
});
