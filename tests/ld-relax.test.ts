// rvx ld on objects written by `rvx asm -c --relax` (no external tools needed): linker relaxation as GNU ld
// 2.40 does it (call -> jal, tail -> c.j, gp-relative loads and stores, lui -> c.lui, local-exec TLS ->
// tp-relative, R_RISCV_ALIGN trimmed), the same link without relaxation, SHF_MERGE strings kept once, and
// the command's GNU spellings and mistakes. (COMDAT groups: tests/ld-diff.test.ts, with gcc's objects; rvx asm
// does not write SHT_GROUP sections.) Where GNU ld is installed
// (riscv64-unknown-elf-ld, or RVX_RISCV_GCC's prefix), the relaxed image must equal its bytes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleObject } from '../tools/asm/index.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { disassembleListing } from '../tools/disasm.js';
import { readElf } from '../tools/elf/read.js';
import { captureMain } from './helpers/cli.js';

/** `_start` setting gp (not relaxed against itself); the code that follows is each program's own. */
const START_GP = `	.text
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
`;

const MAIN = `${START_GP}	call f
	la a0, var
	lw a1, var2
	lui a2, %hi(var)
	addi a2, a2, %lo(var)
	sw a1, %lo(var2)(a2)
	lui a3, %tprel_hi(tv)
	add a3, a3, tp, %tprel_add(tv)
	lw a4, %tprel_lo(tv)(a3)
	lla a5, msg
	.balign 16
h:	nop
	tail g
	.size _start, . - _start
f:	ret
g:	call cf
	.section .rodata.str1.1,"aMS",@progbits,1
msg:	.string "shared"
	.string "only in main"
	.data
	.globl var
var:	.word 1
var2:	.word 2
	.section .tbss,"awT",@nobits
	.p2align 2
tv:	.zero 4
`;
const OTHER = `	.text
	.globl cf
cf:	li a0, 2
	ret
	.section .rodata.str1.1,"aMS",@progbits,1
	.globl other_msg
other_msg:
	.string "shared"
`;

function object(name: string, text: string): Uint8Array {
  const o = assembleObject({ name, text }, { relax: true });
  expect(o.diagnostics).toEqual([]);
  return o.bytes;
}

function link(relax: boolean) {
  const r = assemble([], { objects: [{ name: 'main.o', bytes: object('main.s', MAIN) }, { name: 'other.o', bytes: object('other.s', OTHER) }], relax, base: 0x10000 });
  expect(r.diagnostics).toEqual([]);
  return r;
}

/** The instructions of the listing, without addresses and encodings. */
function code(r: ReturnType<typeof link>): string[] {
  return disassembleListing(readElf(r.elf()))
    .split('\n')
    .filter((l) => /^\s+[0-9a-f]+: /.test(l))
    .map((l) => l.replace(/^\s+[0-9a-f]+: [0-9a-f]+\s+\t/, '').replace(/\s+<.*$/, '').replace(/0x[0-9a-f]+/, 'ADDR'));
}

describe('linker relaxation of rvx asm -c --relax objects', () => {
  it('relaxes calls, tail calls, gp- and tp-relative accesses and alignment as GNU ld does', () => {
    const got = code(link(true));
    // The same bytes as GNU ld 2.40 with this layout (the last test compares them where GNU ld is installed).
    expect(got).toEqual([
      'auipc\tgp, 1', 'addi\tgp, gp, -1960', // la gp (norelax); gp = .data + 0x800
      'jal\tADDR', // call f
      'auipc\ta0, 0', 'addi\ta0, a0, 76', // var lies 2048 below gp: beyond GNU's alignment margin
      'lw\ta1, -2044(gp)', // lw a1, var2
      'lui\ta2, 16', 'addi\ta2, a2, 88', // lui -> c.lui; the addi of var keeps %lo (out of gp's reach)
      'sw\ta1, -2044(gp)', // the store to var2 becomes gp-relative
      'lw\ta4, 0(tp)', // local-exec TLS: lui and add deleted
      'auipc\ta5, 0', 'addi\ta5, a5, 24', // a string in a mergeable section stays pc-relative
      'nop', // .balign 16 after relaxation: one c.nop of the 14 bytes of padding is left
      'nop', 'j\tADDR', // h: nop; tail g -> c.j
      'ret', // f
      'jal\tADDR', // g: call cf
      'li\ta0, 2', 'ret', // cf
    ]);
    expect(got).toContain('j\tADDR'); // tail g -> c.j
    expect(got.filter((l) => l.startsWith('jalr')).length).toBe(0); // no call keeps its jalr
    expect(got.some((l) => /\(gp\)$/.test(l))).toBe(true);
    expect(got.some((l) => /^lw\ta4, \d+\(tp\)$/.test(l))).toBe(true);
    expect(got.filter((l) => /^lui\ta3/.test(l) || /^add\ta3, a3, tp/.test(l))).toEqual([]);
  });

  it('without relaxation keeps every sequence, trims only alignment padding, and runs the same code', () => {
    const got = code(link(false));
    expect(got.filter((l) => l.startsWith('jalr')).length).toBe(2); // call f, call cf
    expect(got).toContain('jr\t10(t1)');
    expect(got.some((l) => /\(gp\)$/.test(l))).toBe(false);
    // .balign 16: the label after it is aligned in both links.
    for (const relax of [true, false]) {
      const h = link(relax).symbols.get('h')!;
      expect(h % 16n).toBe(0n);
    }
  });

  it('keeps one copy of a merged string', () => {
    const r = link(true);
    const img = readElf(r.elf());
    const rodata = img.sections.find((s) => s.name === '.rodata')!;
    expect(Buffer.from(rodata.data).toString('latin1')).toBe('shared\0only in main\0');
    expect(r.symbols.get('other_msg')).toBe(r.symbols.get('msg'));
  });
});

describe('relaxation measures distances as GNU ld walks the sections', () => {
  // GNU ld relaxes each input section just before placing it: a call to a function in an earlier section,
  // which already moved down this round, is measured from the caller's place of the previous round. Here
  // the four calls of .text.a shrink by 16 bytes, f's section follows them, and the tail call of .text.b
  // reaches f by c.j only while that longer distance fits c.j's 2 KiB (GNU ld 2.40: .text is 2048 bytes for
  // 1013 c.nops, 2054 for 1015; rvx used to measure with f's old place and chose c.j for 1015 to 1021).
  const src = (nops: number) => `	.section .text.a,"ax",@progbits
	.globl _start
_start:	call g
	call g
	call g
	call g
g:	ret
	.section .text.f,"ax",@progbits
f:	ret
	.section .text.b,"ax",@progbits
	.rept ${nops}
	c.nop
	.endr
	tail f
`;
  it('a tail call to an earlier section: c.j or jal as GNU ld chooses', () => {
    const size = (nops: number) => {
      const r = assemble([], { objects: [{ name: 't.o', bytes: object('t.s', src(nops)) }], relax: true, base: 0x10000 });
      expect(r.diagnostics).toEqual([]);
      return readElf(r.elf()).sections.find((s) => s.name === '.text')!.size;
    };
    expect([1011, 1013, 1015, 1017, 1021].map(size)).toEqual([2044, 2048, 2054, 2058, 2066]);
  });
});

describe('relaxation against both of GNU ld\'s data-segment layouts', () => {
  // With its default script GNU ld sizes the sections twice in each round of relaxation when DATA_SEGMENT_ALIGN
  // saves a page (ldlang.c lang_size_sections): first with the data segment at the same offset in the next
  // page, then from the page start; it relaxes in both passes. Here `target + 0x690` lies 1992 bytes below gp
  // with .data at the page start: out of reach once the 64-byte alignment of .tohost is allowed for, but in
  // reach where the first pass puts .data (8 bytes of that alignment padding fewer): GNU ld 2.40 makes the lla
  // gp-relative (found by Csmith seed 10 at -O2 -fPIC, rv64imac). rvx used to see only the second layout.
  const src = `${START_GP}	lla a0, target + 0x690
	ret
	.skip 0xa1e
	.data
	.skip 0x2b0
target:	.skip 0x5f8
	.section .tohost,"aw",@progbits
	.p2align 6
	.skip 0x48
	.bss
	.skip 0x40000
`;
  it('makes an access gp-relative when it is in reach in either layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-ldseg-'));
    try {
      writeFileSync(join(dir, 't.o'), object('t.s', src));
      const r = await captureMain(ldMain, [join(dir, 't.o'), '-o', join(dir, 't.elf')]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      const img = readElf(new Uint8Array(readFileSync(join(dir, 't.elf'))));
      expect(img.sections.find((s) => s.name === '.data')!.addr).toBe(0x80001000n);
      const listing = disassembleListing(img);
      expect(listing).toMatch(/addi\s+a0, gp, -1992/);
      expect(listing).not.toMatch(/auipc\s+a0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gp-relative relaxation under GNU ld\'s default layout', () => {
  // GNU ld's default script assigns __global_pointer$ whatever the inputs name, so GNU ld 2.40 makes accesses
  // within reach gp-relative also in a program that never names it (its start-up code must set gp another
  // way); rvx used to relax against gp only when an input named the symbol.
  it('relaxes against __global_pointer$ although no input names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-ldgp-'));
    try {
      writeFileSync(join(dir, 'g.o'), object('g.s', '\t.text\n\t.globl _start\n_start:\n\tlla a0, v\n\tlw a1, v\n\tret\n\t.data\n\t.skip 0x400\nv:\t.word 1\n'));
      const r = await captureMain(ldMain, [join(dir, 'g.o'), '-o', join(dir, 'g.elf')]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      const listing = disassembleListing(readElf(new Uint8Array(readFileSync(join(dir, 'g.elf')))));
      expect(listing).toMatch(/addi\s+a0, gp, -1024/);
      expect(listing).toMatch(/lw\s+a1, -1024\(gp\)/);
      expect(listing).not.toMatch(/auipc/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rvx ld command line', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rvx-ldcli-'));
    writeFileSync(join(dir, 'main.o'), object('main.s', MAIN));
    writeFileSync(join(dir, 'other.o'), object('other.s', OTHER));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('understands GNU spellings and refuses contradictions', async () => {
    const out = join(dir, 'a.elf');
    const ok = await captureMain(ldMain, ['-static', '-nostdlib', '-m', 'elf64lriscv', '--no-warn-rwx-segments', '-Ttext-segment=0x10000', join(dir, 'main.o'), join(dir, 'other.o'), '-Map', join(dir, 'a.map'), '-o', out]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    // GNU ld's -Ttext-segment: the text segment (its headers loaded first) starts there, .text after them.
    const img = readElf(new Uint8Array(readFileSync(out)));
    expect(img.segments[0].vaddr).toBe(0x10000n);
    const bytes = readFileSync(out);
    expect(img.sections.find((s) => s.name === '.text')!.addr).toBe(0x10000n + 64n + 56n * BigInt(bytes[56] | (bytes[57] << 8)));
    expect(readFileSync(join(dir, 'a.map'), 'utf8')).toContain('_start');
    for (const [args, msg] of [
      [['--relax', '--no-relax'], 'contradict'],
      [['--start-group'], '--start-group without --end-group'],
      [['--end-group'], '--end-group without --start-group'],
      [['-lnothere'], 'cannot find -lnothere'],
    ] as const) {
      const r = await captureMain(ldMain, [...args, join(dir, 'main.o'), join(dir, 'other.o'), '-o', out]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(msg);
    }
  });

  const gnuLd = `${(process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc').replace(/gcc$/, '')}ld`;
  const haveLd = spawnSync(gnuLd, ['--version']).status === 0;
  if (!haveLd) console.warn(`ld-relax: GNU ld comparison skipped (no ${gnuLd})`);
  it.skipIf(!haveLd)('gives the bytes GNU ld gives with the same layout', async () => {
    writeFileSync(
      join(dir, 'l.ld'),
      'ENTRY(_start)\nSECTIONS { . = 0x10000; .text : { *(.text .text.*) } .rodata : { *(.rodata .rodata.*) } .tdata : { *(.tdata) } .tbss : { *(.tbss) } . = ADDR(.tbss) + SIZEOF(.tbss); .data : { *(.data) __global_pointer$ = ADDR(.data) + 0x800; } }\n',
    );
    const g = spawnSync(gnuLd, ['-T', 'l.ld', '--no-warn-rwx-segments', 'main.o', 'other.o', '-o', 'g.elf'], { cwd: dir, encoding: 'utf8' });
    expect(g.stderr).toBe('');
    const r = await captureMain(ldMain, ['--base', '0x10000', join(dir, 'main.o'), join(dir, 'other.o'), '-o', join(dir, 'r.elf')]);
    expect(r.stderr).toBe('');
    const alloc = (p: string) =>
      readElf(new Uint8Array(readFileSync(join(dir, p))))
        .sections.filter((s) => s.flags & 2 && s.size > 0)
        .map((s) => `${s.name} ${s.addr.toString(16)} ${s.type === 8 ? s.size : Buffer.from(s.data).toString('hex')}`);
    expect(alloc('r.elf')).toEqual(alloc('g.elf'));
  });
});
