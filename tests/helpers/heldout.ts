// What the held-out checks on third-party C code share (tests/heldout-embench.test.ts,
// tests/heldout-lua.test.ts, tests/heldout-c-libraries*.test.ts): the GNU cross toolchain they compare
// against, a command that must succeed, a run of an image under `rvx run --stats`, the HTIF words a start-up
// file defines, the comparison of two images' loaded bytes, the description of an object compared, and the
// whole check of a C library with a driver of our own built both ways on a picolibc board.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readObject } from '../../tools/elf/object.js';
import { main as asmMain } from '../../tools/commands/asm.js';
import { main as ldMain } from '../../tools/commands/ld.js';
import { main as runMain } from '../../tools/commands/run.js';
import { captureMain } from './cli.js';
import { relocTarget } from './objects.js';

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

/** Output, exit status and instructions retired of `rvx run --stats` on an image (status 124: stopped after
 * `maxInsns` instructions). */
export async function runStats(elf: string, maxInsns = 500_000_000): Promise<{ code: number; stdout: string; instructions: number }> {
  const r = await captureMain(runMain, ['--core', 'ideal', '--stats', '--max-insns', String(maxInsns), elf]);
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

/** An object's allocated sections (bytes, relocations) and its symbols other than sections, files and mapping symbols. */
export function describeObject(path: string): { sections: Record<string, string>; symbols: string[] } {
  const o = readObject(new Uint8Array(readFileSync(path)), path);
  const sections: Record<string, string> = {};
  for (const sec of o.sections) {
    if (!(sec.flags & 2) || sec.size === 0) continue;
    const relocs = (o.relocs.get(sec.index) ?? []).map((r) => {
      // A local symbol (section, label, .set symbol) by its name and place, as GNU as names it.
      return `${r.offset.toString(16)}:${r.type}:${relocTarget(o, r.sym, r.addend)}`;
    });
    sections[sec.name] = `${sec.type === 8 ? `nobits ${sec.size}` : Buffer.from(sec.data).toString('hex')} ${relocs.join(' ')}`;
  }
  const symbols = o.symbols
    .filter((s) => s.name !== '' && s.type !== 3 && s.type !== 4 && !(s.bind === 0 && s.name.startsWith('.L')))
    .map((s) => `${s.name} bind=${s.bind} type=${s.type} size=${s.size} vis=${s.visibility ?? 0} ${s.shndx === 0 ? 'UND' : s.shndx >= 0xff00 ? s.shndx : o.sections[s.shndx].name}+${s.value}`)
    .sort();
  return { sections, symbols };
}

/** A board for picolibc: its stdio on the HTIF console, exit through HTIF, and the system calls the
 * held-out libraries call, answered as a bare-metal machine without files or clocks. */
export const PICOLIBC_BOARD = String.raw`
#include <stdio.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
extern volatile uint64_t tohost;
/* A request once the host has taken the previous one (cleared tohost): Spike answers no console write on
   fromhost (fesvr bcd_t::handle_write), rvx and QEMU do, so waiting on tohost works under all three. */
static void htif_request(uint64_t request) {
  while (tohost != 0) ;
  tohost = request;
}
static int htif_putc(char c, FILE *f) {
  (void)f;
  htif_request((1ull << 56) | (1ull << 48) | (unsigned char)c);
  return (unsigned char)c;
}
static FILE console = FDEV_SETUP_STREAM(htif_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
void _exit(int code) { htif_request(((uint64_t)code << 1) | 1); for (;;) ; }
int getpid(void) { return 1; }
int kill(int pid, int sig) { (void)pid; _exit(128 + sig); return -1; }
int gettimeofday(struct timeval *tv, void *tz) { (void)tz; if (tv) { tv->tv_sec = 0; tv->tv_usec = 0; } return 0; }
time_t time(time_t *t) { if (t) *t = 0; return 0; }
clock_t clock(void) { return 0; }
int open(const char *p, int f, ...) { (void)p; (void)f; return -1; }
int close(int fd) { (void)fd; return -1; }
long read(int fd, void *b, unsigned long n) { (void)fd; (void)b; (void)n; return -1; }
long write(int fd, const void *b, unsigned long n) { (void)fd; (void)b; (void)n; return -1; }
long lseek(int fd, long o, int w) { (void)fd; (void)o; (void)w; return -1; }
`;

/** What a start-up file for the picolibc board sets up besides gp and sp (START). */
export interface StartupOptions {
  /** Bytes of stack below `stack_top`. */
  stack: number;
  /** Bytes of heap between `__heap_start` and `__heap_end` for picolibc's malloc (0: no heap). */
  heap: number;
  /** Turn the FPU on only when misa has F or D (else always: the image is built for F/D). */
  fpuFromMisa: boolean;
  /** Run the constructors (`__libc_init_array`) before main. */
  initArray: boolean;
  /** Point tp at a zeroed 4 KiB block for picolibc's thread-locals (errno, rand's state: GNU ld's default
   * script names no TLS template to copy, so they start at zero). */
  tlsBlock: boolean;
}

/** A start-up file for the picolibc board: `_start` sets gp, sp (and tp), turns the FPU on, calls main and
 * exit; the stack, heap and HTIF words it needs. */
export function startupFile(o: StartupOptions): string {
  const fpu = o.fpuFromMisa ? '\tcsrr t0, misa\n\tandi t0, t0, 0x28\n\tbeqz t0, 2f\n\tli t0, 0x6000\n\tcsrs mstatus, t0\n2:' : '\tli t0, 0x6000\n\tcsrs mstatus, t0\n';
  return (
    START +
    (o.tlsBlock ? '\tla tp, tls_block\n' : '') +
    fpu +
    (o.initArray ? '\tcall __libc_init_array\n\t' : '\t') +
    'call main\n\tcall exit\n1:\tj 1b\n\t.bss\n\t.align 4\n' +
    `\t.space ${o.stack}\nstack_top:\n` +
    (o.tlsBlock ? '\t.align 6\ntls_block:\n\t.space 4096\n' : '') +
    (o.heap > 0 ? `\t.section .heap,"aw",@nobits\n\t.align 4\n\t.globl __heap_start\n__heap_start:\n\t.space ${o.heap}\n\t.globl __heap_end\n__heap_end:\n` : '') +
    HTIF_WORDS
  );
}

// The start-up file of a library check: a 1 MiB stack, a 32 MiB heap, the thread-locals' block.
const LIBRARY_CRT0 = startupFile({ stack: 1048576, heap: 33554432, fpuFromMisa: true, initArray: false, tlsBlock: true });

/**
 * One gcc `.s` assembled three ways: by GNU as (`asArgs`), by `rvx asm -c --compat gnu` (its object must equal
 * GNU as's: describeObject) and by `rvx asm -c` (rvx's default, LLVM's choices), both with `rvxArch`, neither
 * with a diagnostic. The objects are `stem.gnu.o`, `stem.rvx.o` and `stem.llvm.o`.
 */
export async function assembleThreeWays(s: string, asArgs: string[], rvxArch: string[], stem: string): Promise<{ gnu: string; rvx: string; llvm: string }> {
  const [gnu, rvx, llvm] = ['gnu', 'rvx', 'llvm'].map((k) => `${stem}.${k}.o`);
  must(`${PREFIX}as`, [...asArgs, s, '-o', gnu]);
  const a = await captureMain(asmMain, ['-c', '--compat', 'gnu', ...rvxArch, s, '-o', rvx]);
  expect(a.stderr, `rvx asm -c --compat gnu ${s}`).toBe('');
  expect(describeObject(rvx), `${s}: rvx asm -c --compat gnu against GNU as`).toEqual(describeObject(gnu));
  const b = await captureMain(asmMain, ['-c', ...rvxArch, s, '-o', llvm]);
  expect(b.stderr, `rvx asm -c ${s}`).toBe('');
  return { gnu, rvx, llvm };
}

/**
 * The image `gnu.elf` linked by GNU ld from GNU as's objects `gnu`, and one image `NAME.elf` linked by `rvx ld`
 * from each of `rvx` (NAME: its objects), with the libraries `libs`, `--gc-sections`, in `dir`; each rvx ld
 * must succeed without a diagnostic. Returns the path of an image by name.
 */
export async function linkBothWays(gnu: string[], rvx: Record<string, string[]>, libs: string[], dir: string): Promise<(name: string) => string> {
  const link = ['--gc-sections', '-e', '_start'];
  const elf = (name: string) => join(dir, `${name}.elf`);
  must(`${PREFIX}ld`, [...link, '-Ttext-segment=0x80000000', ...gnu, ...libs, '-o', elf('gnu')]);
  for (const [name, inputs] of Object.entries(rvx)) {
    const l = await captureMain(ldMain, [...link, ...inputs, ...libs, '-o', elf(name)]);
    expect([l.code, l.stderr], `rvx ld (${name})`).toEqual([0, '']);
  }
  return elf;
}

/** A third-party C library checked with a driver of our own (tests/heldout-c-libraries*.test.ts). */
export interface Library {
  dir: string;
  /** Library sources, relative to the checkout. */
  sources: string[];
  /** Include directories relative to the checkout, and other gcc options. */
  includes: string[];
  options: string[];
  /** Files of our own written next to the board: name -> text; the .c ones are compiled. */
  own: Record<string, string>;
  /** Lines the output must contain (known answers). */
  expect: string[];
  levels: string[][];
}

const option = (level: string[], name: string) => level.find((o) => o.startsWith(`-${name}=`))!.slice(name.length + 2);

/** gcc without blocking the test worker (a large file takes longer than vitest's RPC timeout). */
function compile(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(GCC, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${GCC} ${args.join(' ')}:\n${err}`))));
  });
}

/**
 * Build a library and its driver at one option set (which names -march and -mabi) both ways and compare, in a
 * fresh directory under `dir` (removed when all is well): every .s (gcc --specs=picolibc.specs, -ffunction-sections
 * -fdata-sections) assembled by GNU as and by `rvx asm -c --compat gnu` gives the same allocated sections
 * (bytes, relocations), the same symbols and no diagnostics; GNU ld (default script, --gc-sections) on GNU's
 * objects and `rvx ld` on rvx's give byte-identical loaded images, which under `rvx run` exit 0 after the same
 * number of instructions with the same output, holding the known answers; the default (LLVM-choice) mode's
 * objects linked by `rvx ld` print the same.
 */
export async function checkLibraryBuild(lib: Library, level: string[], src: string, dir: string): Promise<void> {
  const march = option(level, 'march');
  const mabi = option(level, 'mabi');
  const multi = [`-march=${march}`, `-mabi=${mabi}`];
  const libdir = process.env.RVX_PICOLIBC_LIBDIR ?? `/usr/lib/picolibc/riscv64-unknown-elf/lib/${must(GCC, [...multi, '-print-multi-directory']).trim()}`;
  const libs = [join(libdir, 'libc.a'), join(libdir, 'libm.a'), must(GCC, [...multi, '-print-libgcc-file-name']).trim()];
  const d = mkdtempSync(join(dir, `${lib.dir}-`));
  const own = join(d, 'own');
  mkdirSync(own);
  writeFileSync(join(own, 'board.c'), PICOLIBC_BOARD);
  for (const [name, text] of Object.entries(lib.own)) writeFileSync(join(own, name), text);
  writeFileSync(join(d, 'crt0.s'), LIBRARY_CRT0);
  const cfiles = [...lib.sources.map((s) => join(src, s)), ...Object.keys(lib.own).filter((n) => n.endsWith('.c')).map((n) => join(own, n)), join(own, 'board.c')];
  const asm: [string, string[]][] = [[join(d, 'crt0.s'), [`-march=${march}_zicsr`, `-mabi=${mabi}`]]];
  for (const [i, c] of cfiles.entries()) {
    const s = join(d, `${i}-${c.replace(/^.*\//, '').replace(/\.c$/, '.s')}`);
    await compile(['--specs=picolibc.specs', '-mcmodel=medany', ...level, '-ffunction-sections', '-fdata-sections', ...lib.includes.map((x) => `-I${join(src, x)}`), `-I${own}`, ...lib.options, '-S', c, '-o', s]);
    asm.push([s, multi]);
  }
  const objs: Record<'gnu' | 'rvx' | 'llvm', string[]> = { gnu: [], rvx: [], llvm: [] };
  for (const [i, [s, m]] of asm.entries()) {
    const o = await assembleThreeWays(s, m, ['--march', m[0].slice(7), '--mabi', mabi], join(d, String(i)));
    objs.gnu.push(o.gnu);
    objs.rvx.push(o.rvx);
    objs.llvm.push(o.llvm);
  }
  const elf = await linkBothWays(objs.gnu, { rvx: objs.rvx, llvm: objs.llvm }, libs, d);
  expect(sameLoadedBytes(elf('gnu'), elf('rvx'), d), 'loaded image bytes').toBe(true);
  const g = await runStats(elf('gnu'));
  expect(g.code, `the GNU-built program failed: ${g.stdout}`).toBe(0);
  const lines = g.stdout.split('\n');
  for (const want of lib.expect) expect(lines, want).toContain(want);
  expect(await runStats(elf('rvx'))).toEqual(g);
  const l = await runStats(elf('llvm'));
  expect({ code: l.code, stdout: l.stdout }).toEqual({ code: 0, stdout: g.stdout });
  rmSync(d, { recursive: true, force: true });
}
