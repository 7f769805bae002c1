// Section groups written by `rvx asm -c` (gABI "Section Groups": an SHT_GROUP section holding GRP_COMDAT and
// the member section indexes, its sh_info naming the signature symbol, members flagged SHF_GROUP) and COMDAT
// groups in links of rvx sources: the first copy of a group is kept, the others dropped with their
// relocations, as GNU ld does.
// 1. Without external tools: the object's groups read back; two sources with the same group link.
// 2. Against GNU as 2.40 (skipped, with a message, without riscv64-unknown-elf-gcc/as/ld): `readelf -g` and
//    the section headers (name, type, flags) of rvx's object equal GNU as's, for hand-written `.section`
//    forms and for gcc's output of tests/fixtures/ld/comdat_{a,b}.c; that program linked from rvx sources by
//    rvx ld, from rvx objects by GNU ld and by rvx ld, and from gcc's objects by GNU ld prints the same
//    under `rvx run`.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleObject } from '../tools/asm/index.js';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { readObject, SHF_GROUP, SHT_GROUP } from '../tools/elf/object.js';
import { captureMain } from './helpers/cli.js';

const FORMS = `	.text
	.globl main
main:
	call f
	ret
	.section .text.f,"axG",@progbits,f,comdat
	.weak f
f:
	la a0, x
	ret
	.section .data.x,"awG",@progbits,f,comdat
x:	.dword f
	.section .rodata.y,"aG",@progbits,y,comdat
	.globl y
y:	.word 1
	.pushsection .text.g,"axG",%progbits,g,comdat
g:	ret
	.popsection
	.section .text.h,"ax",@progbits
	.section .text.h2,"axG",@progbits,h2
h2:	ret
	.section .text.h3,"ax?",@progbits
	.section .text.q,"axG",@progbits,nosym,comdat
	ret
	.section .text.q,"axG",@progbits,"other",comdat
	nop
	.section .rodata.cst8,"aMG",@progbits,8,cst,comdat
	.dword 5
	.section .text.q,"axG",@progbits,nosym,comdat
	ret
	.section .text.r,"ax?",@progbits
	ret
	.section .text.u,"ax",@progbits,unique,1
	ret
	.section .text.u,"ax",@progbits,unique,2
	ret
`;

interface Group {
  signature: string;
  comdat: boolean;
  members: string[];
}

function groups(bytes: Uint8Array): Group[] {
  const o = readObject(bytes, 'x.o');
  const out: Group[] = [];
  for (const s of o.sections) {
    if (s.type !== SHT_GROUP) continue;
    const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const members: string[] = [];
    for (let p = 4; p < s.data.length; p += 4) {
      const m = o.sections.find((x) => x.index === dv.getUint32(p, true))!;
      expect(m.flags & SHF_GROUP).toBe(SHF_GROUP);
      members.push(m.name);
    }
    out.push({ signature: o.symbols[s.info].name, comdat: (dv.getUint32(0, true) & 1) === 1, members });
  }
  return out;
}

describe('section groups in rvx objects and links', () => {
  it('writes SHT_GROUP sections for every .section group form', () => {
    const o = assembleObject({ name: 'forms.s', text: FORMS }, { relax: true });
    expect(o.diagnostics).toEqual([]);
    expect(groups(o.bytes)).toEqual([
      { signature: 'f', comdat: true, members: ['.text.f', '.rela.text.f', '.data.x', '.rela.data.x'] },
      { signature: 'y', comdat: true, members: ['.rodata.y'] },
      { signature: 'g', comdat: true, members: ['.text.g'] },
      { signature: 'h2', comdat: false, members: ['.text.h2', '.text.h3'] },
      { signature: 'nosym', comdat: true, members: ['.text.q', '.text.r'] },
      { signature: 'other', comdat: true, members: ['.text.q'] },
      { signature: 'cst', comdat: true, members: ['.rodata.cst8'] },
    ]);
    const obj = readObject(o.bytes, 'forms.o');
    // Two sections .text.u (unique ids), the sections of other groups with the same name stay apart.
    expect(obj.sections.filter((s) => s.name === '.text.u').length).toBe(2);
    expect(obj.sections.filter((s) => s.name === '.text.q').map((s) => s.size)).toEqual([4, 2]);
    expect(obj.sections.find((s) => s.name === '.rodata.cst8')!.entsize).toBe(8);
  });

  it('reports a G flag without a group name', () => {
    const o = assembleObject({ name: 'bad.s', text: '\t.section .text.f,"axG",@progbits\n\tret\n' });
    expect(o.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual(['1: group name for SHF_GROUP not specified']);
  });

  // Both sources define group f and its data; the first's copy is kept (its bodies return 1 and 10).
  const copy = (k: number, extra: string) => `	.text
	.globl use${k}
use${k}:
	tail f
${extra}
	.section .text.f,"axG",@progbits,f,comdat
	.globl f
	.type f, @function
f:
	.cfi_startproc
	lla a0, fdata
	ld a0, 0(a0)
	ret
	.cfi_endproc
	.size f, .-f
	.section .data.fdata,"awG",@progbits,f,comdat
fdata:	.dword ${k === 1 ? 1 : 10}, local${k}
local${k}:
	.dword 0
`;

  it('keeps the first copy of a COMDAT group of two sources, and of a source and an object', () => {
    for (const second of ['source', 'object']) {
      const src2 = { name: 'b.s', text: copy(2, '') };
      const objects = second === 'object' ? [{ name: 'b.o', bytes: assembleObject(src2).bytes }] : [];
      const r = assemble(second === 'source' ? [{ name: 'a.s', text: copy(1, '\t.globl _start\n_start: call use1\n') }, src2] : [{ name: 'a.s', text: copy(1, '\t.globl _start\n_start: call use1\n') }], { objects, entry: '_start' });
      expect(r.diagnostics).toEqual([]);
      const text = r.image.sections.find((s) => s.name === '.text')!;
      const data = r.image.sections.find((s) => s.name === '.data')!;
      // One copy of f (3 instructions + auipc: 14 bytes with C) and of its 16 bytes of data.
      expect(data.size).toBe(24);
      const f = r.symbols.get('f')!;
      expect(f >= text.addr && f < text.addr + BigInt(text.size)).toBe(true);
      const dv = new DataView(data.data!.buffer, data.data!.byteOffset);
      expect(dv.getBigUint64(0, true)).toBe(1n); // the first source's fdata
      expect(dv.getBigUint64(8, true)).toBe(data.addr + 16n); // local1
      // .eh_frame: one FDE (for the kept f).
      const eh = r.image.sections.find((s) => s.name === '.eh_frame');
      if (eh) {
        let fdes = 0;
        const b = new DataView(eh.data!.buffer, eh.data!.byteOffset, eh.size);
        for (let p = 0; p + 8 <= eh.size; ) {
          const len = b.getUint32(p, true);
          if (len === 0) break;
          if (b.getUint32(p + 4, true) !== 0) fdes++;
          p += 4 + len;
        }
        expect(fdes).toBe(1);
      }
    }
  });
});

const GCC = process.env.RVX_RISCV_GCC ?? 'riscv64-unknown-elf-gcc';
const PREFIX = GCC.replace(/gcc$/, '');
const have = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
const haveGnu = have(GCC) && have(`${PREFIX}as`) && have(`${PREFIX}ld`) && have('readelf');
if (!haveGnu) console.warn(`asm-group: GNU comparison skipped (no ${GCC}/${PREFIX}as/${PREFIX}ld/readelf; set RVX_RISCV_GCC)`);

const ARCH = ['-march=rv64imac', '-mabi=lp64', '-mcmodel=medany', '-fno-tree-loop-distribute-patterns'];
let dir = '';

function must(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `readelf -g` by names (section indexes included: they must agree too), the headers' name, type, flags, and
 * the section symbols (GNU as writes one for each .group section too). */
function describeObject(path: string): { groups: string; headers: string[]; sectionSymbols: string[] } {
  const o = readObject(new Uint8Array(readFileSync(join(dir, path))), path);
  return {
    groups: must('readelf', ['-gW', path]).replace(/^File: .*$/m, ''),
    headers: o.sections.map((s) => `${s.index} ${s.name} ${s.type} 0x${s.flags.toString(16)}`),
    sectionSymbols: o.symbols.filter((y) => y.type === 3).map((y) => `${o.sections[y.shndx]?.name}`).sort(),
  };
}

describe.skipIf(!haveGnu)('section groups against GNU as and ld', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rvx-group-'));
    for (const f of ['comdat_a.c', 'comdat_b.c']) copyFileSync(join(__dirname, 'fixtures', 'ld', f), join(dir, f));
    for (const f of ['util.c', 'util.h', 'crt.s']) copyFileSync(join(__dirname, 'fixtures', 'diff', f), join(dir, f));
    for (const f of ['comdat_a.c', 'comdat_b.c']) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace('"../diff/util.h"', '"util.h"'));
    writeFileSync(join(dir, 'forms.s'), FORMS);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hand-written .section forms: the same groups and section headers as GNU as', async () => {
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'forms.s', '-o', 'forms.gnu.o']);
    const r = await captureMain(asmMain, ['-c', '--compat', 'gnu', join(dir, 'forms.s'), '-o', join(dir, 'forms.rvx.o')]);
    expect(r.stderr).toBe('');
    const gnu = describeObject('forms.gnu.o');
    const rvx = describeObject('forms.rvx.o');
    expect(rvx.groups.replace('forms.rvx.o', '')).toBe(gnu.groups.replace('forms.gnu.o', ''));
    expect(rvx.headers.filter((h) => !h.includes('.riscv.attributes'))).toEqual(gnu.headers.filter((h) => !h.includes('.riscv.attributes')));
    expect(rvx.sectionSymbols).toEqual(gnu.sectionSymbols);
  });

  it('gcc output with COMDAT groups: the same objects, and the same program linked four ways', async () => {
    const libgcc = must(GCC, [...ARCH, '-print-libgcc-file-name']).trim();
    must(`${PREFIX}as`, ['-march=rv64imac', '-mabi=lp64', 'crt.s', '-o', 'crt.o']);
    for (const level of ['-O0', '-O2']) {
      const srcs: string[] = [];
      const rvxObjs: string[] = [];
      const gnuObjs: string[] = [];
      for (const c of ['comdat_a', 'comdat_b', 'util']) {
        must(GCC, [...ARCH, level, '-S', `${c}.c`, '-o', `${c}${level}.s`]);
        must(GCC, [...ARCH, level, '-c', `${c}.c`, '-o', `${c}${level}.gnu.o`]);
        const r = await captureMain(asmMain, ['-c', '--compat', 'gnu', join(dir, `${c}${level}.s`), '-o', join(dir, `${c}${level}.rvx.o`)]);
        expect(r.stderr).toBe('');
        const gnu = describeObject(`${c}${level}.gnu.o`);
        const rvx = describeObject(`${c}${level}.rvx.o`);
        expect(rvx.groups.replace(`${c}${level}.rvx.o`, '')).toBe(gnu.groups.replace(`${c}${level}.gnu.o`, ''));
        const noComment = (h: string[]) => h.filter((x) => !/\.comment|\.riscv\.attributes/.test(x)).map((x) => x.replace(/^\d+ /, ''));
        expect(noComment(rvx.headers)).toEqual(noComment(gnu.headers));
        expect(rvx.sectionSymbols).toEqual(gnu.sectionSymbols);
        srcs.push(join(dir, `${c}${level}.s`));
        rvxObjs.push(join(dir, `${c}${level}.rvx.o`));
        gnuObjs.push(join(dir, `${c}${level}.gnu.o`));
      }
      const crt = join(dir, 'crt.o');
      const outs: string[] = [];
      const gnuElf = join(dir, `gnu${level}.elf`);
      must(`${PREFIX}ld`, ['-T', join(__dirname, 'fixtures', 'ld', 'rvx-layout.ld'), '--no-warn-rwx-segments', crt, ...gnuObjs, libgcc, '-o', gnuElf]);
      const gnuOnRvx = join(dir, `gnu-rvxobj${level}.elf`);
      must(`${PREFIX}ld`, ['-T', join(__dirname, 'fixtures', 'ld', 'rvx-layout.ld'), '--no-warn-rwx-segments', crt, ...rvxObjs, libgcc, '-o', gnuOnRvx]);
      const rvxSrc = join(dir, `rvx-src${level}.elf`);
      const rvxObj = join(dir, `rvx-obj${level}.elf`);
      for (const [out, inputs] of [[rvxSrc, srcs], [rvxObj, rvxObjs]] as const) {
        const l = await captureMain(ldMain, ['--compat', 'gnu', crt, ...inputs, libgcc, '-o', out]);
        expect(l.stderr).toBe('');
        expect(l.code).toBe(0);
      }
      for (const elf of [gnuElf, gnuOnRvx, rvxSrc, rvxObj]) {
        const r = await captureMain(runMain, [elf, '--core', 'ideal', '--max-insns', '2000000']);
        outs.push(`exit ${r.code}\n${r.stdout}${r.stderr}`);
      }
      expect(outs[0]).toContain('a=22\nb=1029\ncounter=12\n');
      expect(outs).toEqual([outs[0], outs[0], outs[0], outs[0]]);
    }
  });
});
