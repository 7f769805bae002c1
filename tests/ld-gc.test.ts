// rvx ld --gc-sections (tools/ld/gc.ts). Without external tools: what is kept (the entry's section, what it
// reaches, .init_array/.fini_array/.preinit_array, -u symbols) and what goes. Against GNU ld 2.40 (skipped,
// with a message, without riscv64-unknown-elf-gcc/ld/as): C programs compiled with -ffunction-sections
// -fdata-sections, linked by both with --gc-sections (GNU ld with tests/fixtures/ld/rvx-layout.ld): the same
// allocated sections at the same addresses with the same bytes, the same global symbols, the same output.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleObject } from '../tools/asm/index.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { readElf } from '../tools/elf/read.js';
import { captureMain } from './helpers/cli.js';

const MAIN = `	.section .text._start,"ax",@progbits
	.globl _start
_start:
	call used
	lla a0, table
	j .
	.section .text.used,"ax",@progbits
	.globl used
used:	ret
	.section .text.unused,"ax",@progbits
	.globl unused
unused:	call only_from_unused
	ret
	.section .text.ctor,"ax",@progbits
ctor:	ret
	.section .init_array,"aw",@init_array
	.dword ctor
	.section .data.table,"aw",@progbits
table:	.dword used
	.section .data.lonely,"aw",@progbits
	.globl lonely
lonely:	.dword 1
	.section .rodata.str,"aMS",@progbits,1
msg:	.string "unreferenced"
`;
const OTHER = `	.section .text.only_from_unused,"ax",@progbits
	.globl only_from_unused
only_from_unused:
	ret
	.section .text.kept_by_u,"ax",@progbits
	.globl kept_by_u
kept_by_u:
	ret
`;

describe('--gc-sections', () => {
  const link = (gc: boolean, roots: string[] = [], asObjects = false) => {
    const srcs = [{ name: 'main.s', text: MAIN }, { name: 'other.s', text: OTHER }];
    const r = asObjects
      ? assemble([], { objects: srcs.map((s) => ({ name: s.name.replace('.s', '.o'), bytes: assembleObject(s, { relax: true }).bytes })), gcSections: gc, undefinedRoots: roots, relax: true })
      : assemble(srcs, { gcSections: gc, undefinedRoots: roots });
    expect(r.diagnostics).toEqual([]);
    return r;
  };
  for (const asObjects of [false, true]) {
    it(`keeps what the entry reaches and the constructor tables, drops the rest (${asObjects ? 'objects' : 'sources'})`, () => {
      const all = link(false, [], asObjects);
      const gc = link(true, [], asObjects);
      for (const s of ['_start', 'used', 'unused', 'only_from_unused', 'kept_by_u', 'lonely']) expect(all.symbols.has(s)).toBe(true);
      const names = new Set(gc.image.symbols.map((s) => s.name));
      for (const s of ['_start', 'used', 'ctor', 'table']) expect(names.has(s)).toBe(true);
      for (const s of ['unused', 'only_from_unused', 'kept_by_u', 'lonely', 'msg']) expect(names.has(s)).toBe(false);
      const size = (r: typeof gc, n: string) => r.image.sections.find((s) => s.name === n)?.size ?? 0;
      expect(size(gc, '.text')).toBeLessThan(size(all, '.text'));
      expect(size(gc, '.rodata')).toBe(0);
      // -u keeps a section (and what it reaches) too.
      const u = link(true, ['kept_by_u', 'unused'], asObjects);
      const un = new Set(u.image.symbols.map((s) => s.name));
      for (const s of ['kept_by_u', 'unused', 'only_from_unused']) expect(un.has(s)).toBe(true);
    });
  }

  it('a SHF_LINK_ORDER section stays with the section it is linked to and keeps what it refers to (GNU ld)', () => {
    // gcc -fpatchable-function-entry: `.section __patchable_function_entries,"awo",@progbits,f`.
    const text = `	.section .text._start,"ax",@progbits
	.globl _start
_start:	call used
	j .
	.section .text.used,"ax",@progbits
used:	ret
	.section .text.unused,"ax",@progbits
unused:	ret
	.section .text.helper,"ax",@progbits
helper:	ret
	.section __patchable_function_entries,"awo",@progbits,used
	.8byte used
	.section __patchable_function_entries,"awo",@progbits,unused
	.8byte unused
	.section .pfe_helper,"awo",@progbits,used
	.8byte helper
`;
    for (const asObject of [false, true]) {
      const src = { name: 'pfe.s', text };
      const r = asObject
        ? assemble([], { objects: [{ name: 'pfe.o', bytes: assembleObject(src, { relax: true }).bytes }], gcSections: true, relax: true })
        : assemble([src], { gcSections: true });
      expect(r.diagnostics).toEqual([]);
      const names = new Set(r.image.symbols.map((s) => s.name));
      expect([...['used', 'helper', 'unused'].filter((s) => names.has(s))], asObject ? 'object' : 'source').toEqual(['used', 'helper']);
      const size = (n: string) => r.image.sections.find((s) => s.name === n)?.size ?? 0;
      expect(size('__patchable_function_entries')).toBe(8);
      expect(size('.pfe_helper')).toBe(8);
    }
  });

  it('clears the debug references to removed code as GNU ld does (1 in .debug_ranges)', () => {
    // gcc -g's location and range lists name the code of every function; for one --gc-sections removed
    // GNU ld writes 0 (1 in .debug_ranges, where 0 would end the list), whatever the addend: an end written
    // as .LVL5-1 is 0 too, not -1.
    const src = `	.section .text._start,"ax",@progbits
	.globl _start
_start:	ret
	.section .text.gone,"ax",@progbits
gone:	nop
	ret
	.section .debug_loclists,"",@progbits
	.8byte _start
	.8byte gone
	.8byte gone-1
	.8byte gone+2
	.4byte gone
	.section .debug_ranges,"",@progbits
	.8byte gone
	.8byte _start+1
`;
    const r = assemble([], { objects: [{ name: 'g.o', bytes: assembleObject({ name: 'g.s', text: src }, { relax: true }).bytes }], gcSections: true, relax: true, base: 0x10000 });
    expect(r.diagnostics).toEqual([]);
    const img = readElf(r.elf());
    const hex = (n: string) => Buffer.from(img.sections.find((s) => s.name === n)!.data).toString('hex');
    const le = (v: number, n: number) => Buffer.from(BigInt(v).toString(16).padStart(2 * n, '0'), 'hex').reverse().toString('hex');
    expect(hex('.debug_loclists')).toBe(le(0x10000, 8) + '00'.repeat(8 * 3) + '00'.repeat(4));
    expect(hex('.debug_ranges')).toBe(le(1, 8) + le(0x10001, 8));
  });

  it("drops the .eh_frame FDEs of removed code from an rvx source's table", () => {
    const src = `	.section .text._start,"ax",@progbits
	.globl _start
_start:
	.cfi_startproc
	j .
	.cfi_endproc
	.section .text.dead,"ax",@progbits
dead:
	.cfi_startproc
	addi sp, sp, -16
	.cfi_def_cfa_offset 16
	ret
	.cfi_endproc
`;
    const fdes = (gc: boolean) => {
      const r = assemble([{ name: 'cfi.s', text: src }], { gcSections: gc });
      expect(r.diagnostics).toEqual([]);
      const eh = r.image.sections.find((s) => s.name === '.eh_frame')!;
      const b = new DataView(eh.data.buffer, eh.data.byteOffset, eh.size);
      let n = 0;
      for (let p = 0; p + 8 <= eh.size; p += 4 + b.getUint32(p, true)) if (b.getUint32(p, true) && b.getUint32(p + 4, true)) n++;
      return n;
    };
    expect(fdes(false)).toBe(2);
    expect(fdes(true)).toBe(1);
  });

  it('keeps the other sections of a kept section\'s group (GNU ld marks the whole group: g++\'s D0 beside D2)', () => {
    // g++ -O0 puts a class's deleting destructor in the COMDAT group of its base destructor; nothing refers to
    // it when the class is abstract (its vtable has 0 there), yet GNU ld keeps it with the group.
    const text = `	.section .text._start,"ax",@progbits
	.globl _start
_start:	call _ZN5ShapeD2Ev
	j .
	.section .text._ZN5ShapeD2Ev,"axG",@progbits,_ZN5ShapeD5Ev,comdat
	.weak _ZN5ShapeD2Ev
_ZN5ShapeD2Ev:	ret
	.section .text._ZN5ShapeD0Ev,"axG",@progbits,_ZN5ShapeD5Ev,comdat
	.weak _ZN5ShapeD0Ev
_ZN5ShapeD0Ev:	call helper
	ret
	.section .text.helper,"ax",@progbits
helper:	ret
	.section .text._ZN5OtherD0Ev,"axG",@progbits,_ZN5OtherD5Ev,comdat
	.weak _ZN5OtherD0Ev
_ZN5OtherD0Ev:	ret
`;
    for (const asObject of [false, true]) {
      const src = { name: 'g.s', text };
      const r = asObject
        ? assemble([], { objects: [{ name: 'g.o', bytes: assembleObject(src, { relax: true }).bytes }], gcSections: true, relax: true })
        : assemble([src], { gcSections: true });
      expect(r.diagnostics).toEqual([]);
      const names = new Set(r.image.symbols.map((s) => s.name));
      expect(['_ZN5ShapeD2Ev', '_ZN5ShapeD0Ev', 'helper', '_ZN5OtherD0Ev'].filter((s) => names.has(s)), asObject ? 'object' : 'source').toEqual(['_ZN5ShapeD2Ev', '_ZN5ShapeD0Ev', 'helper']);
    }
  });

  it('keeps what the .eh_frame records of kept code point to: the LSDA and the personality (GNU ld)', () => {
    // g++ -ffunction-sections: each function's LSDA in its own .gcc_except_table.NAME, reached only from its
    // FDE; the personality routine only from the CIE (through DW.ref.__gxx_personality_v0).
    const text = `	.section .text._start,"ax",@progbits
	.globl _start
_start:
	.cfi_startproc
	.cfi_personality 0x9b,DW.ref.pers
	.cfi_lsda 0x1b,.LLSDA0
	j .
	.cfi_endproc
	.section .text.dead,"ax",@progbits
dead:
	.cfi_startproc
	.cfi_personality 0x9b,DW.ref.pers
	.cfi_lsda 0x1b,.LLSDA1
	ret
	.cfi_endproc
	.section .gcc_except_table._start,"a",@progbits
.LLSDA0: .byte 0xff, 0xff, 1, 0
	.section .gcc_except_table.dead,"a",@progbits
.LLSDA1: .byte 0xff, 0xff, 1, 0, 0, 0, 0, 0
	.section .sdata.DW.ref.pers,"awG",@progbits,DW.ref.pers,comdat
	.hidden DW.ref.pers
	.weak DW.ref.pers
DW.ref.pers: .dword pers
	.section .text.pers,"ax",@progbits
	.globl pers
pers:	ret
`;
    for (const asObject of [false, true]) {
      const src = { name: 'eh.s', text };
      const r = asObject
        ? assemble([], { objects: [{ name: 'eh.o', bytes: assembleObject(src, { relax: true }).bytes }], gcSections: true, relax: true })
        : assemble([src], { gcSections: true });
      expect(r.diagnostics, asObject ? 'object' : 'source').toEqual([]);
      const names = new Set(r.image.symbols.map((s) => s.name));
      expect(['DW.ref.pers', 'pers', 'dead'].filter((s) => names.has(s)), asObject ? 'object' : 'source').toEqual(['DW.ref.pers', 'pers']);
      expect(r.image.sections.find((s) => s.name === '.gcc_except_table')?.size, asObject ? 'object' : 'source').toBe(4);
    }
  });

  it('SHF_LINK_ORDER inputs follow the order of the sections they are linked to (GNU ld)', async () => {
    // .text.startup (main) comes before .text.* in GNU's default script, so main's entry goes first.
    const text = `	.section .text.f,"ax",@progbits
	.globl f
f:	ret
	.section .text.startup.main,"ax",@progbits
	.globl _start
_start:
main:	call f
	j .
	.section __patchable_function_entries,"awo",@progbits,f
	.8byte f
	.section __patchable_function_entries,"awo",@progbits,main
	.8byte main
`;
    const dir = mkdtempSync(join(tmpdir(), 'rvx-gc-'));
    try {
      writeFileSync(join(dir, 'pfe.o'), assembleObject({ name: 'pfe.s', text }, { relax: true }).bytes);
      const r = await captureMain(ldMain, ['--gc-sections', join(dir, 'pfe.o'), '-o', join(dir, 'a.elf')]);
      expect(r.stderr).toBe('');
      const img = readElf(new Uint8Array(readFileSync(join(dir, 'a.elf'))));
      const at = (n: string) => img.symbols.find((s) => s.name === n)!.value;
      const pfe = img.sections.find((s) => s.name === '__patchable_function_entries')!;
      const words = [0, 8].map((o) => new DataView(pfe.data.buffer, pfe.data.byteOffset).getBigUint64(o, true));
      expect(words).toEqual([at('main'), at('f')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rvx ld takes --gc-sections, --no-gc-sections and -u', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-gc-'));
    try {
      writeFileSync(join(dir, 'main.s'), MAIN);
      writeFileSync(join(dir, 'other.s'), OTHER);
      const syms = async (args: string[]) => {
        const r = await captureMain(ldMain, [...args, join(dir, 'main.s'), join(dir, 'other.s'), '-o', join(dir, 'a.elf')]);
        expect(r.stderr).toBe('');
        return new Set(readElf(new Uint8Array(readFileSync(join(dir, 'a.elf')))).symbols.map((s) => s.name));
      };
      expect((await syms(['--gc-sections'])).has('unused')).toBe(false);
      expect((await syms(['--gc-sections', '-u', 'unused'])).has('only_from_unused')).toBe(true);
      expect((await syms([])).has('unused')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--print-gc-sections names a removed section that holds only a relaxable branch (no data bytes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-gc-'));
    try {
      writeFileSync(join(dir, 'b.s'), '\t.section .text.only,"ax",@progbits\nfoo:\tj foo\n\t.text\n\t.globl _start\n_start:\tnop\n');
      const r = await captureMain(ldMain, ['--gc-sections', '--print-gc-sections', join(dir, 'b.s'), '-o', join(dir, 'a.elf')]);
      expect(r.stderr).toBe(`rvx ld: removing unused section '.text.only' in file '${join(dir, 'b.s')}'\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGcc = have(GCC) && have(`${PREFIX}ld`) && have(`${PREFIX}as`);
if (!haveGcc) console.warn(`ld-gc: GNU comparison skipped (no ${GCC}/${PREFIX}ld/${PREFIX}as; set RVX_RISCV_GCC)`);

const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns', '-ffunction-sections', '-fdata-sections'];
const GC_C = `#include "util.h"
int used_data = 41;
int unused_data = 7;
const char unused_str[] = "never printed";
long unused_big[64] = { 1 };
int unused_fn(int x) { return x + unused_data + (int)unused_big[x]; }
static int helper(int x) { return x * 3; }
int used_fn(int x) { return helper(x) + used_data; }
int (*table[])(int) = { used_fn };
int main(void) { out_line("gc", table[0](5)); out_str("kept\\n"); return 0; }
`;
const PROGRAMS: { name: string; files: string[] }[] = [
  { name: 'gc', files: ['gc.c'] },
  { name: 'strings', files: ['strings_a.c', 'strings_b.c'] },
  { name: 'comdat', files: ['comdat_a.c', 'comdat_b.c'] },
  { name: 'relax', files: ['relax.c'] },
  { name: 'weak', files: ['weak_a.c', 'weak_b.c'] },
  { name: 'jump', files: ['jump.c', 'jump2.c'] },
  { name: 'math', files: ['math.c'] },
];

let dir = '';
function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

function image(path: string): { sections: string[]; symbols: string[]; debug: string[] } {
  const img = readElf(new Uint8Array(readFileSync(path)));
  return {
    // Non-allocated sections by size: those of inputs that lost every allocated section are gone too.
    debug: img.sections.filter((s) => !(s.flags & 2) && /^\.(debug|comment)/.test(s.name)).map((s) => `${s.name} ${s.size}`).sort(),
    sections: img.sections.filter((s) => s.flags & 2 && s.size > 0).map((s) => `${s.name} 0x${s.addr.toString(16)} ${s.type === 8 ? `nobits ${s.size}` : Buffer.from(s.data).toString('hex')}`),
    // (__tdata_start/__tdata_size/__tbss_size are rvx-layout.ld's own, for tlsinfo.s.)
    symbols: img.symbols.filter((s) => s.bind !== 'local' && s.section && !/^__t(data|bss)_/.test(s.name)).map((s) => `${s.name} 0x${s.value.toString(16)} ${s.size}`).sort(),
  };
}

describe.skipIf(!haveGcc)('--gc-sections against GNU ld', () => {
  let libgcc = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rvx-gc-gnu-'));
    for (const sub of ['diff', 'ld']) {
      const from = join(__dirname, 'fixtures', sub);
      for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
    }
    for (const f of readdirSync(dir)) if (f.endsWith('.c')) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('"../diff/util.h"', '"util.h"'));
    writeFileSync(join(dir, 'gc.c'), GC_C);
    libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'crt.s', '-o', 'crt.o']);
    // Kept by -u in both links (GNU ld keeps an -u symbol's section too): .data is never empty, so the
    // layout script's ADDR(.data) and rvx's first writable section agree (gp, __init_array_*).
    writeFileSync(join(dir, 'anchor.s'), '\t.section .data.gc_anchor,"aw",@progbits\n\t.globl gc_anchor\ngc_anchor:\t.dword 1\n\t.section .data.gc_unused,"aw",@progbits\ngc_unused:\t.dword 2\n');
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'anchor.s', '-o', 'anchor.o']);
    // GNU ld's default script KEEPs .eh_frame (its FDEs for removed code are edited out): so does rvx ld.
    writeFileSync(join(dir, 'rvx-layout-gc.ld'), readFileSync(join(dir, 'rvx-layout.ld'), 'utf8').replace('*(.eh_frame)', 'KEEP (*(.eh_frame))'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  for (const p of PROGRAMS) {
    for (const level of [['-O0'], ['-O2'], ['-Os', '-g'], ['-O2', '-fasynchronous-unwind-tables']]) {
      it(`${p.name} ${level.join(' ')}`, async () => {
        const tag = `${p.name}${level.join('')}`;
        const objs: string[] = [];
        for (const c of [...p.files, 'util.c']) {
          const o = `${tag}-${c.replace(/\.c$/, '.o')}`;
          must(GCC, [...ARCH, ...level, '-c', c, '-o', o]);
          objs.push(join(dir, o));
        }
        const inputs = ['-u', 'gc_anchor', join(dir, 'crt.o'), join(dir, 'anchor.o'), ...objs, libgcc];
        const gnu = join(dir, `${tag}.gnu.elf`);
        const removed = must(`${PREFIX}ld`, ['--gc-sections', '--print-gc-sections', '-T', 'rvx-layout-gc.ld', '--no-warn-rwx-segments', ...inputs, '-o', gnu]);
        expect(removed).toContain('removing unused section');
        const rvx = join(dir, `${tag}.rvx.elf`);
        const l = await captureMain(ldMain, ['--gc-sections', '--print-gc-sections', '-T', join(dir, 'rvx-layout-gc.ld'), ...inputs, '-o', rvx]);
        expect(l.code).toBe(0);
        // --print-gc-sections names the same sections. Left out: .riscv.attributes (rvx ld merges the
        // attributes of every loaded input) and the COMDAT copies discarded before gc, which GNU ld lists too
        // (`.group`, `name[signature]`).
        const listed = (text: string, prefix: string) =>
          text.split('\n').filter((x) => x.startsWith(prefix) && !/'(\.riscv\.attributes|\.group|[^']*\[[^']*\])'/.test(x)).map((x) => x.slice(prefix.length)).sort();
        expect(listed(l.stderr, 'rvx ld: ')).toEqual(listed(removed, `${PREFIX}ld: `));
        expect(l.stderr.split('\n').filter((x) => x && !x.startsWith('rvx ld: removing unused section'))).toEqual([]);
        const want = image(gnu);
        const got = image(rvx);
        expect(got.sections).toEqual(want.sections);
        expect(got.symbols.join('\n')).toBe(want.symbols.join('\n'));
        expect(got.debug).toEqual(want.debug);
        const run = async (elf: string) => {
          const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000']);
          return `exit ${r.code}\n${r.stdout}${r.stderr}`;
        };
        const out = await run(gnu);
        expect(out.startsWith('exit 0\n')).toBe(true);
        expect(await run(rvx)).toBe(out);
      });
    }
  }
});
