// `rvx disasm` (tools/disasm.ts, tools/commands/disasm.ts) against llvm-objdump -d on object files from
// llvm-mc and, when GNU ld for RISC-V is installed, on linked executables: identical output with
// --raw-bytes, and the same listing with instruction words in the default mode.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../tools/commands/disasm.js';
import { disassembleListing } from '../tools/disasm.js';
import { readElf } from '../tools/elf/read.js';

const has = (tool: string) => spawnSync('which', [tool]).status === 0;
const LLVM = has('llvm-mc') && has('llvm-objdump');
const GNU_LD = has('riscv64-unknown-elf-ld');

/** Run the command with stdout/stderr captured. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

const SOURCES: Record<string, string> = {
  // Labels, aliases at the same address, calls, la (which leaves .Lpcrel_hi labels), several sections.
  labels: `
.file "labels.c"
.globl main
.type main, @function
main:
alias_main:
  li a0, 1
  call helper
  la a1, val
loop:
  addi a0, a0, 1
  bnez a0, loop
  j other
  ret
.size main, .-main
.section .text.other,"ax",@progbits
other:
  nop
  beqz a0, other
  tail main
.data
val: .dword 5
`,
  // Data inside text: zero runs, an STT_OBJECT range, odd alignment, a truncated last instruction,
  // targets before the section start, and a section without symbols.
  tricky: `
.file "tricky.c"
.text
  .word 0xffdff06f
  nop
zz:
aa:
  li a0, 5
.type fn, @function
.globl fn
fn:
cc:
  addi a0, a0, -1
  bnez a0, cc
  call far
  .zero 16
  .word 0xffffffff
  .half 0x0000
  .word 0
.type table, @object
table:
  .word 0x41424344, 0x00616263
  .byte 1, 2, 3
.type after, @function
after:
  beqz a0, aa
  j table
  .byte 0x13
.section .text.two,"ax",@progbits
two:
  j -2048
  nop
.section .init,"ax",@progbits
  .word 0x00000013
  nop
`,
  // A program to link (when GNU ld is installed): entry code in its own section, data, bss.
  prog: `
.globl _start
.section .text.init,"ax",@progbits
_start:
  la sp, stack_top
  call main
1: j 1b
.text
.globl main
.type main, @function
main:
  addi sp, sp, -16
  sd ra, 8(sp)
  li a0, 0x123456789
  la a1, tohost
  sd a0, 0(a1)
  csrr t0, mhartid
  beqz t0, done
  call helper
  call start
done:
  ld ra, 8(sp)
  addi sp, sp, 16
  ret
helper:
  ebreak
  ret
.data
.globl tohost
.align 3
tohost: .dword 0
.bss
.align 4
stack: .zero 4096
stack_top:
`,
  // Most instruction kinds: CSRs, atomics, fences, system instructions, compressed forms.
  mix: `
.globl start
start:
  csrr t0, mhartid
  csrw mtvec, t0
  csrrs a0, mstatus, a1
  csrsi sstatus, 2
  rdcycle a1
  lr.d.aq a0, (a1)
  sc.w.rl a2, a3, (a4)
  amoswap.d.aqrl a0, a1, (a2)
  fence
  fence r, w
  fence.i
  fence.tso
  sfence.vma
  sfence.vma a0
  ecall
  ebreak
  mret
  sret
  wfi
  unimp
  c.unimp
  mul a0, a1, a2
  divuw a0, a1, a2
  sext.w a0, a1
  neg a0, a1
  seqz a0, a1
  snez a0, a1
  lui a0, 0xfffff
  auipc a0, 0x12345
  ld a0, 8(sp)
  sd a1, 16(sp)
  lw a2, 4(a3)
  addi sp, sp, -64
  addi a0, sp, 16
  slli a0, a0, 12
  srai a1, a1, 3
  and a0, a0, a1
  bltz a0, start
  bgez a0, start
  blez a0, start
  bgtz a0, start
  bltu a0, a1, start
  jalr a0
  jalr a1, 4(a2)
  jr 8(a0)
  c.nop 5
  c.slli64 a0
  .half 0x6501
  .half 0x6001
`,
};

const dir = mkdtempSync(join(tmpdir(), 'rvx-disasm-'));
const files: Record<string, string> = {};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!LLVM) return;
  for (const [name, src] of Object.entries(SOURCES)) {
    const s = join(dir, `${name}.s`);
    const o = join(dir, `${name}.o`);
    writeFileSync(s, src);
    const r = spawnSync('llvm-mc', ['-triple=riscv64', '-mattr=+m,+a,+c,+f,+d', '-filetype=obj', '-o', o, s], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    files[name] = o;
  }
  if (GNU_LD) {
    const exe = join(dir, 'prog.elf');
    const r = spawnSync('riscv64-unknown-elf-ld', ['-m', 'elf64lriscv', '-Ttext=0x80000000', '-o', exe, files.prog, files.mix], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    files.linked = exe;
  }
});

function llvmObjdump(file: string, extra: string[] = []): string {
  const r = spawnSync('llvm-objdump', ['-d', '--mattr=+m,+a,+c,+f,+d', ...extra, file], { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe.skipIf(!LLVM)('rvx disasm vs llvm-objdump -d', () => {
  if (!LLVM) console.warn('llvm-mc / llvm-objdump (LLVM 14) not installed: skipping the listing comparisons');
  const variants: [label: string, ours: string[], theirs: string[]][] = [
    ['default', [], []],
    ['no aliases', ['--no-aliases'], ['-M', 'no-aliases']],
    ['no raw bits', ['--no-show-raw-insn'], ['--no-show-raw-insn']],
    ['one section', ['--section', '.text'], ['--section=.text']],
    ['address range', ['--start', '0x8', '--stop=0x20'], ['--start-address=0x8', '--stop-address=0x20']],
  ];
  for (const name of [...Object.keys(SOURCES), 'linked']) {
    for (const [label, ours, theirs] of variants) {
      it(`${name}: ${label}`, async (ctx) => {
        if (!files[name]) return ctx.skip();
        const file = files[name];
        const raw = ours.includes('--no-show-raw-insn') ? [] : ['--raw-bytes'];
        const r = await runCli([...raw, ...ours, file]);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        // llvm-objdump prints the path it was given; give it the same one.
        expect(r.out).toBe(llvmObjdump(file, theirs));
      });
    }
  }

  it('prints instruction words in the default raw column, otherwise the same listing', async () => {
    const file = files.mix;
    const words = (await runCli([file])).out.split('\n');
    const bytes = llvmObjdump(file).split('\n');
    expect(words.length).toBe(bytes.length);
    words.forEach((line, i) => {
      const m = /^( *[0-9a-f]+:) ((?:[0-9a-f]{2} )+)\s*\t(.*)$/.exec(bytes[i]);
      if (!m) return expect(line).toBe(bytes[i]);
      const word = m[2].trim().split(' ').reverse().join('');
      expect(line.replace(/\s+/g, ' ')).toBe(`${m[1]} ${word} ${m[3]}`.replace(/\s+/g, ' ').trimEnd() + (line.endsWith('\t') ? ' ' : ''));
    });
    expect(words).toContain('       0: f14022f3     \tcsrr\tt0, mhartid');
  });
});

const GNU_AS = GNU_LD && has('riscv64-unknown-elf-as');
describe.skipIf(!LLVM || !GNU_AS)('rvx disasm vs llvm-objdump -d on GNU-assembled conformance programs', () => {
  // GNU as/ld output has other conventions (section symbols, alignment padding, linker-made symbols).
  for (const prog of ['compressed', 'csr', 'vm_sv39']) {
    it(prog, async () => {
      const src = join(__dirname, 'programs', `${prog}.s`);
      const obj = join(dir, `${prog}.gnu.o`);
      const exe = join(dir, `${prog}.gnu.elf`);
      const as = spawnSync('riscv64-unknown-elf-as', ['-march=rv64imac_zicsr_zifencei', '-mabi=lp64', '-I', join(__dirname, 'programs', 'include'), '-o', obj, src], { encoding: 'utf8' });
      if (as.status !== 0) throw new Error(as.stderr);
      const ld = spawnSync('riscv64-unknown-elf-ld', ['-Ttext=0x80000000', '-o', exe, obj], { encoding: 'utf8' });
      if (ld.status !== 0) throw new Error(ld.stderr);
      for (const file of [obj, exe]) expect((await runCli(['--raw-bytes', file])).out).toBe(llvmObjdump(file));
    });
  }
});

describe('rvx disasm', () => {
  it('prints XPC instructions and CSRs by their table names', () => {
    const text = Uint8Array.from([0x0b, 0x00, 0x05, 0x00, 0x0b, 0x10, 0x00, 0x00, 0x73, 0x25, 0x20, 0x5c]);
    const listing = disassembleListing({
      entry: 0x80000000n,
      segments: [{ vaddr: 0x80000000n, paddr: 0x80000000n, data: text, memsz: text.length, flags: 5 }],
      sections: [{ name: '.text', type: 1, flags: 6, addr: 0x80000000n, data: text, size: text.length, align: 4 }],
      symbols: [{ name: '_start', value: 0x80000000n, size: 0, bind: 'global', type: 'func', section: '.text' }],
    });
    expect(listing).toBe(
      [
        '',
        'Disassembly of section .text:',
        '',
        '0000000080000000 <_start>:',
        '80000000: 0005000b     \txcall\ta0',
        '80000004: 0000100b     \txret\t',
        '80000008: 5c202573     \tcsrr\ta0, xcap',
        '',
      ].join('\n'),
    );
  });

  it('refuses bad input with a one-line reason and a non-zero status', async () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not an elf at all');
    // The same statuses as rvx run (docs/cli.md): 126 refused, 127 unreadable, 125 usage.
    expect(await runCli([junk])).toEqual({ code: 126, out: '', err: `rvx disasm: ${junk}: not an ELF file\n` });
    expect(await runCli([join(dir, 'missing.elf')])).toMatchObject({ code: 127, err: `rvx disasm: ${join(dir, 'missing.elf')}: no such file\n` });
    expect((await runCli([])).code).toBe(125);
    expect((await runCli(['--bogus', junk])).err).toMatch(/^rvx disasm: unknown option '--bogus'/);
    expect((await runCli(['--start', 'xyz', junk])).err).toMatch(/--start 'xyz': expected an address/);
    expect((await runCli(['--help'])).code).toBe(0);
    if (files.mix) {
      const truncated = join(dir, 'truncated.o');
      writeFileSync(truncated, readFileSync(files.mix).subarray(0, 100));
      const r = await runCli([truncated]);
      expect(r.code).toBe(126);
      expect(r.err).toMatch(/^rvx disasm: .*truncated\.o: .+\n$/);
      expect(readElf).toBeTypeOf('function');
    }
  });
});
