// rvx ld --eh-frame-hdr: .eh_frame_hdr (LSB "Exception Frames") with its binary search table and the
// PT_GNU_EH_FRAME program header. GNU ld for riscv64-unknown-elf does not offer the option, so the oracle is
// the format: llvm-readobj --unwind decodes the header and table, which must list every FDE of the linked
// .eh_frame (its address and initial location) sorted by initial location (skipped, with a message, without
// riscv64-unknown-elf-gcc or llvm-readobj). Without tools: an rvx source with .cfi_* directives, the table
// decoded here.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleObject } from '../tools/asm/index.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const READOBJ = process.env.RVX_LLVM_READOBJ ?? 'llvm-readobj';
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveTools = have(GCC) && have(`${PREFIX}as`) && have(READOBJ);
if (!haveTools) console.warn(`ld-eh-frame-hdr: gcc objects skipped (no ${GCC}, ${PREFIX}as or ${READOBJ}; set RVX_RISCV_GCC, RVX_LLVM_READOBJ)`);
const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];
const DIFF = join(__dirname, 'fixtures', 'diff');

const SOURCE = `
	.text
	.globl _start
_start:
	.cfi_startproc
	call second
	call first
1:	j 1b
	.cfi_endproc
	.globl second
second:
	.cfi_startproc
	addi sp, sp, -16
	.cfi_def_cfa_offset 16
	addi sp, sp, 16
	.cfi_def_cfa_offset 0
	ret
	.cfi_endproc
	.section .text.early, "ax"
	.globl first
first:
	.cfi_startproc
	ret
	.cfi_endproc
`;

describe('.eh_frame_hdr of an rvx source', () => {
  it('has the header, one sorted entry per FDE, and a PT_GNU_EH_FRAME header', () => {
    const r = assemble([{ name: 'cfi.s', text: SOURCE }], { listing: false, ehFrameHdr: true, linkerScript: { name: 'l.ld', text: 'SECTIONS { . = 0x80000000; .text : { *(.text.early) *(.text) } .eh_frame_hdr : { *(.eh_frame_hdr) } .eh_frame : { *(.eh_frame) } }' } });
    expect(r.diagnostics).toEqual([]);
    const hdr = r.image.sections.find((s) => s.name === '.eh_frame_hdr')!;
    const eh = r.image.sections.find((s) => s.name === '.eh_frame')!;
    expect(hdr.size).toBe(12 + 8 * 3);
    const v = new DataView(hdr.data.buffer, hdr.data.byteOffset, hdr.data.byteLength);
    expect([...hdr.data.subarray(0, 4)]).toEqual([1, 0x1b, 0x03, 0x3b]);
    expect(hdr.addr + 4n + BigInt(v.getInt32(4, true))).toBe(eh.addr);
    expect(v.getUint32(8, true)).toBe(3);
    const sym = (n: string) => r.symbols.get(n)!;
    const pcs = [0, 1, 2].map((i) => hdr.addr + BigInt(v.getInt32(12 + 8 * i, true)));
    expect(pcs).toEqual([sym('first'), sym('_start'), sym('second')]);
    // Each FDE address points at an FDE (non-zero CIE pointer) whose pc_begin is that initial location.
    const ev = new DataView(eh.data.buffer, eh.data.byteOffset, eh.data.byteLength);
    for (let i = 0; i < 3; i++) {
      const fde = Number(hdr.addr + BigInt(v.getInt32(16 + 8 * i, true)) - eh.addr);
      expect(ev.getUint32(fde + 4, true)).not.toBe(0);
      expect(eh.addr + BigInt(fde + 8) + BigInt(ev.getInt32(fde + 8, true))).toBe(pcs[i]);
    }
    expect(r.image.ehFrameHdr).toEqual({ vaddr: hdr.addr, size: hdr.size });
    const elf = r.elf();
    const phnum = elf[56] | (elf[57] << 8);
    const types = Array.from({ length: phnum }, (_, i) => new DataView(elf.buffer).getUint32(64 + 56 * i, true));
    expect(types).toContain(0x6474e550);
  });

  it('is not made without --eh-frame-hdr or without .eh_frame', () => {
    const plain = assemble([{ name: 'cfi.s', text: SOURCE }], { listing: false });
    expect(plain.image.sections.some((s) => s.name === '.eh_frame_hdr')).toBe(false);
    const none = assemble([{ name: 'x.s', text: '\t.globl _start\n_start: j _start\n' }], { listing: false, ehFrameHdr: true });
    expect(none.image.sections.some((s) => s.name === '.eh_frame_hdr')).toBe(false);
    expect(none.image.ehFrameHdr).toBeUndefined();
  });
});

describe('.eh_frame of objects with personality routines, linked', () => {
  // Each object as g++ writes it: a CIE "zPLR" naming its hidden DW.ref word (a COMDAT group per routine),
  // an FDE with its LSDA. GNU ld (elf-eh-frame.c) keeps one CIE per personality routine, comparing the
  // relocated pointer by the symbol it names; the FDEs of the later objects then point at the first copy.
  const object = (name: string, fn: string, routine: string) => {
    const text = `	.section .text.${fn},"ax",@progbits
	.globl ${fn}
${fn}:
	.cfi_startproc
	.cfi_personality 0x9b,DW.ref.${routine}
	.cfi_lsda 0x1b,.LLSDA_${fn}
	ret
	.cfi_endproc
	.section .gcc_except_table.${fn},"a",@progbits
.LLSDA_${fn}: .byte 0xff, 0xff, 1, 0
	.section .sdata.DW.ref.${routine},"awG",@progbits,DW.ref.${routine},comdat
	.hidden DW.ref.${routine}
	.weak DW.ref.${routine}
DW.ref.${routine}: .dword ${routine}
`;
    const o = assembleObject({ name, text }, { relax: true });
    expect(o.diagnostics).toEqual([]);
    return { name: name.replace(/\.s$/, '.o'), bytes: o.bytes };
  };
  it('keeps one CIE per personality routine and relocates every pointer to its target', () => {
    const start = `	.text
	.globl _start
_start:	call a
	call b
	call c
	j .
	.globl pers
pers:	ret
	.globl other
other:	ret
`;
    const r = assemble([], { objects: [object('start.s', '_start_unused', 'pers'), ...[['a', 'pers'], ['b', 'pers'], ['c', 'other']].map(([f, p]) => object(`${f}.s`, f, p)), { name: 's.o', bytes: assembleObject({ name: 's.s', text: start }).bytes }], relax: true });
    expect(r.diagnostics).toEqual([]);
    const eh = r.image.sections.find((s) => s.name === '.eh_frame')!;
    const lsda = r.image.sections.find((s) => s.name === '.gcc_except_table')!;
    const dv = new DataView(eh.data.buffer, eh.data.byteOffset, eh.size);
    const ptr = (off: number) => eh.addr + BigInt(off) + BigInt(dv.getInt32(off, true));
    const cies: string[] = [];
    const fdes: string[] = [];
    for (let p = 0; p + 8 <= eh.size && dv.getUint32(p, true) !== 0; p += 4 + dv.getUint32(p, true)) {
      const id = dv.getUint32(p + 4, true);
      if (id === 0) {
        expect(String.fromCharCode(...eh.data.subarray(p + 9, p + 13))).toBe('zPLR');
        const routine = [...r.symbols].find(([, v]) => v === ptr(p + 19))?.[0];
        cies.push(`${p} ${routine}`);
      } else {
        const fn = [...r.symbols].find(([n, v]) => v === ptr(p + 8) && !n.startsWith('.'))?.[0];
        fdes.push(`${fn} cie=${p + 4 - id} lsda=${ptr(p + 17) - lsda.addr}`);
      }
    }
    expect(cies).toEqual(['0 DW.ref.pers', `${cies[1]?.split(' ')[0]} DW.ref.other`]);
    const other = cies[1].split(' ')[0];
    expect(fdes).toEqual(['_start_unused cie=0 lsda=0', 'a cie=0 lsda=4', 'b cie=0 lsda=8', `c cie=${other} lsda=12`]);
  });
});

let dir = '';
beforeAll(() => {
  if (haveTools) dir = mkdtempSync(join(tmpdir(), 'rvx-ehhdr-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

describe.skipIf(!haveTools)('.eh_frame_hdr of gcc objects, read by llvm-readobj', () => {
  for (const level of [['-O2'], ['-O0'], ['-Os']]) {
    it(`lists every FDE, sorted ${level.join(' ')}`, async () => {
      const objs: string[] = [];
      for (const c of ['jump.c', 'jump2.c', 'util.c']) {
        const o = join(dir, `${level.join('')}-${c.replace(/\.c$/, '.o')}`);
        must(GCC, [...ARCH, ...level, '-fasynchronous-unwind-tables', `-I${DIFF}`, '-c', join(DIFF, c), '-o', o]);
        objs.push(o);
      }
      must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', join(DIFF, 'crt.s'), '-o', join(dir, 'crt.o')]);
      const libgcc = spawnSync(GCC, [...ARCH, '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
      const inputs = [join(dir, 'crt.o'), ...objs, libgcc];
      const withHdr = join(dir, `hdr${level.join('')}.elf`);
      const without = join(dir, `nohdr${level.join('')}.elf`);
      for (const [out, extra] of [[withHdr, ['--eh-frame-hdr']], [without, []]] as const) {
        const l = await captureMain(ldMain, [...extra, ...inputs, '-o', out]);
        expect(l.stderr).toBe('');
        expect(l.code).toBe(0);
      }
      const text = spawnSync(READOBJ, ['--unwind', withHdr], { encoding: 'utf8' }).stdout;
      const header = /EHFrameHeader \{[\s\S]*?\n\}/.exec(text)![0];
      expect(header).toContain('version: 1');
      expect(header).toContain('eh_frame_ptr_enc: 0x1b');
      expect(header).toContain('fde_count_enc: 0x3');
      expect(header).toContain('table_enc: 0x3b');
      const entries = [...header.matchAll(/initial_location: (0x[0-9a-f]+)\s+address: (0x[0-9a-f]+)/g)].map((m) => `${m[1]} ${m[2]}`);
      const fdes = [...text.slice(text.indexOf('.eh_frame section')).matchAll(/\[(0x[0-9a-f]+)\] FDE length=\d+ cie=\[0x[0-9a-f]+\]\s+initial_location: (0x[0-9a-f]+)/g)].map((m) => `${m[2]} ${m[1]}`);
      expect(fdes.length).toBeGreaterThan(5);
      expect(header).toContain(`fde_count: ${fdes.length}`);
      const sorted = fdes.slice().sort((a, b) => (BigInt(a.split(' ')[0]) < BigInt(b.split(' ')[0]) ? -1 : 1));
      expect(entries).toEqual(sorted);
      const ph = spawnSync(`${PREFIX}readelf`, ['-lW', withHdr], { encoding: 'utf8' }).stdout;
      expect(ph).toMatch(/GNU_EH_FRAME/);
      // The program is unchanged by the header.
      const run = async (elf: string) => (await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '20000000'])).stdout;
      const out = await run(without);
      expect(out).toContain('three=43');
      expect(await run(withHdr)).toBe(out);
      expect(readFileSync(withHdr).length).toBeGreaterThan(0);
    });
  }
});
