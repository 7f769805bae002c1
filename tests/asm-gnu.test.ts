// The assembler as a drop-in for GNU as/ld on compiler output: symbol binding as ld does it, the
// .riscv.attributes section, line markers in diagnostics, and the directives gcc emits.

import { describe, expect, it } from 'vitest';
import { assemble, assembleObject, formatDiagnostic, type AssembleOptions, type SourceFile } from '../tools/asm/index.js';
import { readObject } from '../tools/elf/object.js';
import { decode, expand, instructionLength } from '../isa/codec.js';

function link(sources: SourceFile[], opts: AssembleOptions = {}) {
  const r = assemble(sources, opts);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r;
}

function asm(text: string, opts: AssembleOptions = {}) {
  return link([{ name: 'a.s', text }], opts);
}

function errors(sources: SourceFile[]): string[] {
  return assemble(sources).diagnostics.map(formatDiagnostic);
}

function section(r: ReturnType<typeof asm>, name: string): Uint8Array {
  const s = r.image.sections.find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return s.data;
}

function insns(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < bytes.length; ) {
    const lo = bytes[p] | (bytes[p + 1] << 8);
    const n = instructionLength(lo);
    const raw = n === 2 ? lo : (lo | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
    const d = decode(raw);
    out.push(d ? `${d.def.name} ${expand(d).values.join(',')}` : `?${raw.toString(16)}`);
    p += n;
  }
  return out;
}

describe('weak and strong symbols bind as GNU ld binds them', () => {
  const start = '.globl _start\n_start:\n call main\n call helper\n la a0, var\n';
  it('a reference in the weak definer binds to another file\'s strong definition', () => {
    const r = link([
      { name: 'a.s', text: start + ' .weak main\nmain:\n li a0, 1\n ret\n .weak helper\nhelper:\n ret\n .data\n .weak var\nvar: .word 1\n' },
      { name: 'b.s', text: ' .globl main\nmain:\n li a0, 2\n ret\n .data\n .globl var\nvar: .word 2\n' },
    ]);
    const main = r.image.symbols.filter((s) => s.name === 'main');
    expect(main).toHaveLength(1);
    expect(main[0].bind).toBe('global');
    const text = section(r, '.text');
    // call main: auipc ra,0 ; jalr ra, off(ra) lands on b.s's main (li a0, 2).
    const mainAddr = r.symbols.get('main')!;
    expect(insns(text.subarray(0, 8))).toEqual(['auipc 1,0', `jalr 1,${Number(mainAddr - 0x80000000n)},1`]);
    expect(insns(text.subarray(Number(mainAddr - 0x80000000n), Number(mainAddr - 0x80000000n) + 2))).toEqual(['c.li 10,0,2']);
    // helper is only weak: it stays, and binds locally.
    expect(r.image.symbols.filter((s) => s.name === 'helper').map((s) => s.bind)).toEqual(['weak']);
    // var: the strong one in b.s (the second word of .data).
    expect(r.symbols.get('var')).toBe(r.image.sections.find((s) => s.name === '.data')!.addr + 4n);
  });
  it('a function a source calls without declaring it .globl pulls its archive member (gcc declares none)', () => {
    const member = assembleObject({ name: 'helper.s', text: ' .globl helper\nhelper:\n li a0, 7\n ret\n' }).bytes;
    const header = (name: string, size: number) => `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'644'.padEnd(8)}${String(size).padEnd(10)}\`\n`;
    const ar = new Uint8Array([...new TextEncoder().encode(`!<arch>\n${header('helper.o/', member.length)}`), ...member, ...(member.length % 2 ? [10] : [])]);
    const r = assemble([{ name: 'main.s', text: ' .globl _start\n_start:\n call helper\n j .\n' }], { objects: [{ name: 'libh.a', bytes: ar }] });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.symbols.has('helper')).toBe(true);
  });
  it('a weak definition in a later file does not replace an earlier strong one', () => {
    const r = link([
      { name: 'a.s', text: start + ' .globl main\nmain:\n ret\nhelper: ret\n .data\nvar: .word 0\n' },
      { name: 'b.s', text: ' .weak main\nmain:\n nop\n ret\n' },
    ]);
    const main = r.image.symbols.filter((s) => s.name === 'main');
    expect(main.map((s) => s.bind)).toEqual(['global']);
    expect(main[0].value).toBe(0x80000000n + 8n + 8n + 8n);
  });
  it('two weak definitions: the first wins; two strong ones are an error', () => {
    const r = link([
      { name: 'a.s', text: ' .weak f\nf: li a0, 1\n' },
      { name: 'b.s', text: ' .weak f\nf: li a0, 2\n' },
    ]);
    expect(r.symbols.get('f')).toBe(0x80000000n);
    expect(errors([{ name: 'a.s', text: ' .globl f\nf: nop\n' }, { name: 'b.s', text: ' .globl f\nf: nop\n' }])).toEqual([
      "b.s:2:1: error: symbol 'f' is already defined (first defined at a.s:2)",
    ]);
  });
  it('common symbols merge, and a strong definition overrides them', () => {
    const r = link([
      { name: 'a.s', text: ' la a0, buf\n .comm buf, 8, 8\n' },
      { name: 'b.s', text: ' .comm buf, 64, 8\n' },
    ]);
    const buf = r.image.symbols.filter((s) => s.name === 'buf');
    expect(buf.map((s) => s.size)).toEqual([64]);
    const s = link([
      { name: 'a.s', text: ' .comm buf, 8, 8\n' },
      { name: 'b.s', text: ' .data\n .globl buf\nbuf: .dword 7\n' },
    ]);
    expect(s.image.symbols.filter((x) => x.name === 'buf').map((x) => x.section)).toEqual(['.data']);
  });
  it('an undefined weak reference is zero', () => {
    const r = asm(' .weak missing\n .data\n .dword missing\n');
    expect(Array.from(section(r, '.data'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('e_flags of a link of objects', () => {
  const obj = (name: string, text: string, mabi: string) => ({ name, bytes: assembleObject({ name: name.replace('.o', '.s'), text }, { mabi }).bytes });
  const start = '\t.globl _start\n_start:\tcall f\n\tj .\n';
  it('objects with code must share the float ABI, as GNU ld requires; the first one sets it', () => {
    const bad = assemble([], { objects: [obj('a.o', start, 'lp64'), obj('b.o', '\t.globl f\nf:\tret\n', 'lp64d')] });
    expect(bad.diagnostics.map(formatDiagnostic)).toEqual(["b.o: error: can't link double-float modules with soft-float modules"]);
    const single = assemble([], { objects: [obj('a.o', start, 'lp64d'), obj('b.o', '\t.globl f\nf:\tret\n', 'lp64f')] });
    expect(single.diagnostics.map(formatDiagnostic)).toEqual(["b.o: error: can't link single-float modules with double-float modules"]);
    const good = assemble([], { objects: [obj('a.o', start, 'lp64d'), obj('b.o', '\t.globl f\nf:\tret\n', 'lp64d')] });
    expect(good.diagnostics).toEqual([]);
    expect(good.eFlags).toBe(0x5); // RVC | double-float ABI
  });
});

describe('.riscv.attributes', () => {
  const attrSection = (r: ReturnType<typeof asm>) => r.image.sections.find((s) => s.name === '.riscv.attributes')!;
  it('names the arch, normalised as GNU as 2.40 does', () => {
    const r = asm(' .attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0"\n .attribute unaligned_access, 0\n .attribute stack_align, 16\n nop\n');
    const sec = attrSection(r);
    expect(sec.type).toBe(0x70000003);
    const text = new TextDecoder().decode(sec.data);
    expect(text).toContain('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zmmul1p0\0');
    // 'A', length, "riscv\0", Tag_File, length, stack_align=16, arch (unaligned_access 0 is not written).
    expect(Array.from(sec.data.subarray(0, 18))).toEqual([0x41, 0x46, 0, 0, 0, 0x72, 0x69, 0x73, 0x63, 0x76, 0, 1, 0x3c, 0, 0, 0, 4, 16]);
  });
  it('the default comes from --march; rv64gc expands', () => {
    expect(new TextDecoder().decode(attrSection(asm(' nop\n')).data)).toContain('rv64i2p1_m2p0_a2p1_c2p0_zmmul1p0\0');
    expect(new TextDecoder().decode(attrSection(asm(' nop\n', { march: 'rv64gc' })).data)).toContain('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0\0');
  });
  it('an arch without C stops compression, as in GNU as; .option arch turns it back on', () => {
    const r = asm(' .attribute arch, "rv64ima"\n addi a0, a0, 1\n .option arch, +c\n addi a0, a0, 1\n .option arch, -c\n addi a0, a0, 1\n');
    const t = section(r, '.text');
    expect(t.length).toBe(10);
    expect(new TextDecoder().decode(attrSection(r).data)).toContain('rv64i2p1_m2p0_a2p1_zmmul1p0\0');
  });
  it('an object that uses a CSR operand or a privileged instruction names priv spec 1.11, as GNU as 2.40 does', () => {
    const tail = (text: string) => {
      const o = assembleObject({ name: 'p.s', text });
      expect(o.diagnostics).toEqual([]);
      return Array.from(readObject(o.bytes, 'p.o').sections.find((s) => s.name === '.riscv.attributes')!.data.slice(-4));
    };
    // Tag_RISCV_priv_spec (8) = 1, Tag_RISCV_priv_spec_minor (10) = 11 after the arch string.
    for (const text of ['\tcsrr a0, mstatus\n', '\tcsrrwi a0, 0x300, 1\n', '\twfi\n', '\tmret\n', '\tsfence.vma\n']) expect(tail(text), text).toEqual([8, 1, 10, 11]);
    // Pseudo-instructions that name their CSR themselves (rdcycle, frflags) do not count.
    for (const text of ['\tnop\n', '\trdcycle a0\n', '\tfrflags a0\n']) expect(tail(text)[3], text).toBe(0);
  });
  it('bad arch strings are errors', () => {
    expect(errors([{ name: 'e.s', text: ' .attribute arch, "rv32i"\n' }])[0]).toMatch(/e.s:1:19: error: rvx assembles RV64 only/);
    expect(errors([{ name: 'e.s', text: ' .attribute arch, "x64"\n' }])[0]).toMatch(/must start with rv32 or rv64/);
  });
});

describe('diagnostics after gcc line markers', () => {
  it('inline asm keeps the C file and line; `# 0 "" 2` returns to the .s file and its own lines', () => {
    const src = ['f:', ' #APP', '# 7 "m.c" 1', '\tnop', '\tbogus0', '# 0 "" 2', ' #NO_APP', '\tbogus1', '\tret'].join('\n') + '\n';
    expect(errors([{ name: 'm.s', text: src }])).toEqual([
      "m.c:8:2: error: unknown instruction 'bogus0'",
      "m.s:8:2: error: unknown instruction 'bogus1'",
    ]);
  });
  it('cpp markers with flag 2 and a name set that file and line', () => {
    const src = ['# 1 "x.S"', '# 1 "inc.h" 1', ' bogus0', '# 5 "x.S" 2', ' bogus1'].join('\n') + '\n';
    expect(errors([{ name: 'x.s', text: src }])).toEqual(["inc.h:1:2: error: unknown instruction 'bogus0'", "x.S:5:2: error: unknown instruction 'bogus1'"]);
  });
  it('an undefined symbol is reported once, at its first reference', () => {
    expect(errors([{ name: 'u.s', text: ' call foo\n call foo\n la a0, foo\n .dword foo\n' }])).toEqual(["u.s:1:7: error: undefined symbol 'foo'"]);
  });
});

describe('directives gcc and hand-written GNU assembly use', () => {
  const data = (text: string) => Array.from(section(asm(` .data\n${text}\n`), '.data'));
  const bytes = (hex: string) => hex.match(/../g)!.map((h) => parseInt(h, 16));
  it('adjacent strings concatenate; .hword', () => {
    expect(data(' .string "ab" "cd"\n .ascii "x" "y"\n .hword 0x1234')).toEqual([...bytes('616263640078793412')]);
  });
  it('.byte 300 warns and truncates as GNU as does; -129 truncates silently', () => {
    const r = assemble([{ name: 'b.s', text: ' .data\n .byte 300\n .2byte 70000\n .byte -129\n' }]);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['b.s:2:8: warning: value 0x12c truncated to 0x2c', 'b.s:3:9: warning: value 0x11170 truncated to 0x1170']);
    expect(Array.from(section(r, '.data'))).toEqual([0x2c, 0x70, 0x11, 0x7f]);
  });
  it('.ifc and .ifnc compare their text as GNU as 2.40 does (split at the first comma, quotes kept)', () => {
    // Each case assembles to 1 where GNU as 2.40 takes the .ifc branch and to 2 where it does not.
    const cases: [string, number][] = [
      ['.ifc a  b ,a  b', 1], ['.ifc a\tb,a b', 1], ['.ifc (x1,(x1', 1], ['.ifc ,', 1], ['.ifc "a b","a b"', 1], ["'a','a'", 1],
      [".ifc 'a', a", 2], ['.ifc "a", a', 2], ['.ifc A,a', 2], ['.ifc a,a,b', 2], ['.ifc a , b,a , b', 2], ['.ifc "a,b","a,b"', 2], ['.ifc (a,b),(a,b)', 2],
    ];
    for (const [line, want] of cases) {
      const ifc = line.startsWith('.ifc') ? line : `.ifc ${line}`;
      expect([ifc, data(`${ifc}\n .byte 1\n.else\n .byte 2\n.endif`)]).toEqual([ifc, [want]]);
    }
    // riscv-arch-test's LA(reg, val) macro writes `.ifnc(reg, X0)`: "(x5" is never "X0)".
    expect(data('.ifnc(x5, X0)\n .byte 7\n.endif\n.ifnc x5, x5\n .byte 8\n.endif')).toEqual([7]);
    expect(errors([{ name: 'i.s', text: '.ifc a\n.endif\n' }])).toEqual(['i.s:1:5: error: expected: .ifc string1, string2']);
  });
  it('a symbol .set to a number stands for its value when read: a later .set does not change earlier uses', () => {
    // riscv-arch-test's trap trampoline: `.set value, 0; .rept N; j handler + value; .set value, value + 12`
    // with the handler defined later. GNU as 2.40 writes R_RISCV_RVC_JUMP f+0, f+12, f+24 and R_RISCV_32 f+24.
    const src = '.set v, 0\n j f + v\n .set v, v + 12\n j f + v\n .set v, v + 12\n j f + v\n .word f + v\nf: nop\n nop\n';
    const o = assembleObject({ name: 'v.s', text: src }, { compat: 'gnu' });
    expect(o.ok).toBe(true);
    const obj = readObject(o.bytes, 'v.o');
    const text = obj.sections.find((s) => s.name === '.text')!;
    const relocs = (obj.relocs.get(text.index) ?? []).map((r) => `${r.offset}:${r.type}:${obj.symbols[r.sym].name}+${r.addend}`);
    // R_RISCV_RVC_JUMP is 45, R_RISCV_32 is 1.
    expect(relocs).toEqual(['0:45:f+0', '2:45:f+12', '4:45:f+24', '6:1:f+24']);
    // Linked, the jumps land on f, f+12 and f+24.
    const r = asm(`_start:\n${src}`);
    const t = section(r, '.text');
    const f = 10;
    const cj = (at: number) => {
      const h = t[at] | (t[at + 1] << 8);
      // c.j's offset bits (the C chapter's CJ format): [11|4|9:8|10|6|7|3:1|5] in bits 12..2.
      const bit = (b: number) => (h >> b) & 1;
      const off = (bit(12) << 11) | (bit(11) << 4) | (bit(10) << 9) | (bit(9) << 8) | (bit(8) << 10) | (bit(7) << 6) | (bit(6) << 7) | (((h >> 3) & 7) << 1) | (bit(2) << 5);
      return at + (off & 0x800 ? off - 0x1000 : off);
    };
    expect([cj(0), cj(2), cj(4)]).toEqual([f, f + 12, f + 24]);
  });
  it('.if compares with an undefined symbol as GNU as 2.40 does: it equals itself and nothing else', () => {
    // 1 where GNU as takes the .if branch, 2 where it does not; an order comparison stays an error.
    const cases: [string, number][] = [['(1 == Vmode)', 2], ['(0 == Vmode)', 2], ['(1 != Vmode)', 1], ['(Vmode == Vmode)', 1], ['(Vmode == Wmode)', 2], ['(1 == Vmode) || 1', 1], ['(1 == Vmode) + 0', 2]];
    for (const [cond, want] of cases) expect([cond, data(`.if ${cond}\n .byte 1\n.else\n .byte 2\n.endif`)]).toEqual([cond, [want]]);
    expect(errors([{ name: 'v.s', text: '.if 1 < Vmode\n.endif\n' }])).toEqual(['v.s:1:5: error: .if needs an absolute expression known at this point']);
  });
  it('a label defined again where it already is (nothing emitted in between) is no error, as in GNU as', () => {
    expect(data('main:\n\nmain:\n .byte 5')).toEqual([5]);
    expect(errors([{ name: 'd.s', text: 'main:\n nop\nmain:\n nop\n' }])).toEqual(["d.s:3:1: error: symbol 'main' is already defined (first defined at d.s:1)"]);
  });
  it('c.nop with an immediate is the HINT c.addi x0, imm (the bytes GNU as 2.40 and llvm-mc 14 write)', () => {
    const text = section(asm('_start: c.nop 1\n c.nop 31\n c.nop -32\n c.nop\n c.nop -0x11\n'), '.text');
    expect(Array.from(text)).toEqual(bytes('05007d00011001003d10'));
    expect(errors([{ name: 'n.s', text: 'c.nop 0\nc.nop 32\nc.nop 1, 2\n' }])).toEqual([
      'n.s:1:7: error: immediate must be non-zero in the range [-32, 31]',
      'n.s:2:7: error: immediate must be an integer in the range [-32, 31]',
      'n.s:3:10: error: too many operands (expected: c.nop [imm])',
    ]);
  });
  it('.float, .single and .double are IEEE 754 (bytes as GNU as writes them)', () => {
    expect(data(' .float 1.5, -0.1\n .double 2.5e-3, 1\n .single 3, 0f0.5')).toEqual(bytes('0000c03fcdccccbd7b14ae47e17a643f000000000000f03f000040400000003f'));
  });
  it('.uleb128 and .sleb128 of constants and of label differences', () => {
    expect(data(' .uleb128 300\n .uleb128 0\n .sleb128 -129\n .sleb128 64\n .sleb128 -1')).toEqual(bytes('ac0200ff7ec0007f'));
    // A difference that needs two bytes, and one across relaxable code in another section.
    const r = asm(' .text\n.La: beqz a0, .Lb\n .skip 300\n.Lb: ret\n .data\n .uleb128 .Le - .Ls\n .sleb128 .Ls - .Le\n .uleb128 .Lb - .La\n.Ls: .skip 200\n.Le:\n');
    // 200, -200, and 304 (the c.beqz grew to a 4-byte beq: 4 + 300).
    expect(Array.from(section(r, '.data').subarray(0, 7))).toEqual(bytes('c801b87eb00200'));
  });
  it('quoted symbol names, %lo(sym)+4(reg), @gnu_unique_object, quoted macro arguments', () => {
    const r = asm([
      '"q sym": lui a0, %hi(v)', ' lw a0, %lo(v)+4(a0)', ' sw a0, %lo(v+4)(a0)', ' call "q sym"',
      ' .type u, @gnu_unique_object', 'u: nop', ' .macro M a', ' .word \\a', ' .endm', ' .data', 'v: .word 0, 0', ' M "(3 - 1)"',
    ].join('\n') + '\n', { base: 0x10000 });
    const t = insns(section(r, '.text'));
    const lo = Number(BigInt.asIntN(12, r.symbols.get('v')! + 4n));
    expect(t[1]).toBe(`lw 10,${lo},10`);
    expect(t[2]).toBe(`sw 10,${lo},10`);
    expect(r.image.symbols.find((s) => s.name === 'q sym')!.value).toBe(0x10000n);
    expect(r.image.symbols.find((s) => s.name === 'u')!.bind).toBe('global');
    expect(Array.from(section(r, '.data').subarray(8))).toEqual([2, 0, 0, 0]);
  });
  it('.weakref makes its target a weak reference; .symver names an alias', () => {
    const r = asm(' .weakref wr, tgt\n .data\n .dword wr\n .globl x\nx: .dword 5\n .symver x, x@VER_1\n');
    expect(Array.from(section(r, '.data').subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.image.symbols.some((s) => s.name === 'wr')).toBe(false);
    const v = r.image.symbols.find((s) => s.name === 'x@VER_1')!;
    expect([v.value, v.section, v.bind]).toEqual([r.symbols.get('x'), '.data', 'global']);
  });
  it('.reloc: NONE is accepted; data relocations are applied in the image', () => {
    const r = asm(' nop\n .reloc ., R_RISCV_NONE, x\nx: nop\n .data\nd: .word 10\n .reloc d, R_RISCV_ADD32, 5\n .reloc d+4, R_RISCV_32, x\n .word 0\n');
    const d = section(r, '.data');
    expect(new DataView(d.buffer, d.byteOffset).getUint32(0, true)).toBe(15);
    expect(BigInt(new DataView(d.buffer, d.byteOffset).getUint32(4, true))).toBe(r.symbols.get('x'));
    expect(errors([{ name: 'r.s', text: ' .reloc ., R_RISCV_BOGUS\n' }])[0]).toMatch(/unsupported relocation/);
  });
});

describe('TLS and GOT in a linked image', () => {
  const word = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
  const dword = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);
  it('local-exec: %tprel_hi/%tprel_add/%tprel_lo give the offset in the TLS segment; PT_TLS describes it', () => {
    const r = asm([
      ' lui a5, %tprel_hi(y)', ' add a5, a5, tp, %tprel_add(y)', ' lw a0, %tprel_lo(y)(a5)', ' sw a0, %tprel_lo(z)(a5)',
      ' .section .tdata, "awT", @progbits', 'x: .word 1', 'y: .word 2', ' .section .tbss, "awT", @nobits', 'z: .skip 4',
      ' .section .debug_info', ' .dtprelword y', ' .dtpreldword z',
    ].join('\n') + '\n');
    expect(insns(section(r, '.text'))).toEqual(['lui 15,0', 'add 15,15,4', 'lw 10,4,15', 'sw 10,8,15']);
    const tdata = r.image.sections.find((s) => s.name === '.tdata')!;
    const tbss = r.image.sections.find((s) => s.name === '.tbss')!;
    expect(tdata.flags & 0x400).toBe(0x400);
    expect(tbss.addr).toBe(tdata.addr + 8n);
    expect(r.image.tls).toEqual({ vaddr: tdata.addr, filesz: 8, memsz: 12, align: 1 });
    const dbg = section(r, '.debug_info');
    expect(word(dbg, 0)).toBe((4 - 0x800) >>> 0);
    expect(dword(dbg, 4)).toBe(BigInt.asUintN(64, 8n - 0x800n));
  });
  it('la under .option pic loads from a GOT slot holding the address; la.tls.ie from one holding the tp offset (GNU ld\'s GOT layout)', () => {
    const r = asm([
      ' .option pic', 'a: la a0, v', 'b: la.tls.ie a1, t', ' .option nopic', ' la a2, v',
      ' .data', 'v: .dword 5', ' .section .tdata, "awT", @progbits', ' .word 0', 't: .word 9',
    ].join('\n') + '\n');
    const t = insns(section(r, '.text'));
    expect(t.map((x) => x.split(' ')[0])).toEqual(['auipc', 'ld', 'auipc', 'ld', 'auipc', 'addi']);
    // .got.plt's header (-1, 0), .got's (0: no _DYNAMIC), then the slots of v and t in symbol order.
    const got = r.image.sections.find((s) => s.name === '.got')!;
    expect(got.data.length).toBe(40);
    expect(dword(got.data, 0)).toBe(2n ** 64n - 1n);
    expect(dword(got.data, 8)).toBe(0n);
    expect(dword(got.data, 16)).toBe(0n);
    expect(dword(got.data, 24)).toBe(r.symbols.get('v'));
    expect(dword(got.data, 32)).toBe(4n);
    expect(r.symbols.get('_GLOBAL_OFFSET_TABLE_')).toBe(got.addr + 16n);
    // One (R_RISCV_NONE) relocation entry reserved for the TLS slot, as GNU ld reserves it.
    const rela = r.image.sections.find((s) => s.name === '.rela.dyn')!;
    expect([...rela.data]).toEqual(new Array(24).fill(0));
    // auipc a0 + ld a0: the slot's address.
    const text = r.image.sections.find((s) => s.name === '.text')!;
    const hi = BigInt.asIntN(32, BigInt(word(text.data, 0) & 0xfffff000));
    const lo = BigInt.asIntN(12, BigInt(word(text.data, 4) >>> 20));
    expect(text.addr + hi + lo).toBe(got.addr + 24n);
  });
  it('an undefined weak address becomes lui 0 (GNU ld), whatever the distance', () => {
    const r = asm(' .weak w\n lla a0, w\n');
    expect(insns(section(r, '.text'))).toEqual(['lui 10,0', 'addi 10,10,0']);
  });
});

describe('DWARF line tables from .file and .loc', () => {
  const src = [
    ' .file 0 "/src" "m.c"', ' .file 1 "m.c"', ' .text', 'f:', ' .loc 1 3 5', ' addi a0, a0, 1', ' .loc 1 4 7 is_stmt 0', ' beqz a0, 1f', ' .skip 400', '1:', ' .loc 1 9 1 prologue_end', ' ret',
  ].join('\n') + '\n';
  it('version 3 (gcc -gdwarf-4): a path is entered as its directory and base name, as GNU as does', () => {
    const o = assembleObject({ name: 'v3.s', text: ' .file 1 "src/lib/a.c"\n .file 2 "/usr/include/b.h"\n .file 3 "c.c"\n .file 4 "src/lib/d.h"\n .text\n .loc 1 1 0\n nop\n .loc 4 2 0\n nop\n' });
    expect(o.diagnostics).toEqual([]);
    const dl = Buffer.from(readObject(o.bytes, 'v3.o').sections.find((s) => s.name === '.debug_line')!.data);
    expect(dl.readUInt16LE(4)).toBe(3);
    // include_directories, then file_names: name, directory index, mtime 0, length 0.
    const tables = Buffer.from('src/lib\0/usr/include\0\0a.c\0\x01\0\0b.h\0\x02\0\0c.c\0\0\0\0d.h\0\x01\0\0\0', 'latin1');
    expect(dl.indexOf(tables)).toBe(10 + 4 + 1 + 12);
  });
  it('version 5 when gcc declares file 0; addresses follow relaxation (the c.beqz grew)', () => {
    const r = asm(src);
    const dl = section(r, '.debug_line');
    const dv = new DataView(dl.buffer, dl.byteOffset, dl.byteLength);
    expect(dv.getUint32(0, true)).toBe(dl.length - 4);
    expect(dv.getUint16(4, true)).toBe(5);
    // The program ends with DW_LNS_fixed_advance_pc over the last row's instruction (2 bytes: ret is c.jr),
    // then DW_LNE_end_sequence.
    expect(Array.from(dl.subarray(dl.length - 6))).toEqual([9, 2, 0, 0, 1, 1]);
    // The program starts as GNU as's (dwarf2dbg.c): the first row's column (DW_LNS_set_column 5), then
    // DW_LNE_set_address with f's address (0x80000000), then line 3 from 1 by a special opcode (2 + 5 + 13).
    const hdrEnd = 12 + dv.getUint32(8, true);
    expect(Array.from(dl.subarray(hdrEnd, hdrEnd + 5))).toEqual([5, 5, 0, 9, 2]);
    expect(dv.getBigUint64(hdrEnd + 5, true)).toBe(0x80000000n);
    expect(dl[hdrEnd + 13]).toBe(20);
    // The next row: DW_LNS_set_column 7, DW_LNS_negate_stmt, DW_LNS_advance_line 1, DW_LNS_fixed_advance_pc
    // (the addi, 2 bytes: c.addi), DW_LNS_copy.
    expect(Array.from(dl.subarray(hdrEnd + 14, hdrEnd + 23))).toEqual([5, 7, 6, 3, 1, 9, 2, 0, 1]);
  });
  it('.loc errors', () => {
    expect(errors([{ name: 'l.s', text: ' .loc 1 2\n' }])[0]).toBe('l.s:1:2: error: .loc before any .file N');
    expect(errors([{ name: 'l.s', text: ' .file 1 "a.c"\n .loc 2 2\n' }])[0]).toBe('l.s:2:2: error: .loc names file 2, which no .file declared');
    expect(errors([{ name: 'l.s', text: ' .file 1 "a.c"\n .loc 1 2 3 bogus\n' }])[0]).toBe("l.s:2:2: error: unknown .loc option 'bogus'");
  });
});

describe('call-frame information', () => {
  it('.cfi_sections .debug_frame: a CIE as GNU as writes it and an FDE per procedure', () => {
    const r = asm(' .cfi_sections .debug_frame\nf: .cfi_startproc\n addi sp, sp, -16\n .cfi_def_cfa_offset 16\n sd ra, 8(sp)\n .cfi_offset ra, -8\n ret\n .cfi_endproc\n');
    const df = section(r, '.debug_frame');
    // CIE: length 12, id -1, version 3, "", code 1, data -4, ra 1, def_cfa_register sp, nop.
    expect(Array.from(df.subarray(0, 16))).toEqual([12, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 3, 0, 1, 0x7c, 1, 0x0d, 2, 0]);
    const dv = new DataView(df.buffer, df.byteOffset);
    expect(dv.getUint32(20, true)).toBe(0); // CIE pointer
    expect(dv.getBigUint64(24, true)).toBe(0x80000000n);
    expect(dv.getBigUint64(32, true)).toBe(6n);
    // advance_loc 2; def_cfa_offset 16; advance_loc 2; offset ra, 2 (factored by -4); the FDE ends at a
    // multiple of 8. The object's section is GNU as 2.40's, byte for byte.
    expect(Array.from(df.subarray(40, 48))).toEqual([0x42, 0x0e, 16, 0x42, 0x81, 2, 0, 0]);
    expect(df.length).toBe(48);
    const o = assembleObject({ name: 'df.s', text: ' .cfi_sections .debug_frame\nf: .cfi_startproc\n addi sp, sp, -16\n .cfi_def_cfa_offset 16\n sd ra, 8(sp)\n .cfi_offset ra, -8\n ret\n .cfi_endproc\n' }, { relax: true });
    const od = readObject(o.bytes, 'df.o').sections.find((x) => x.name === '.debug_frame')!;
    expect(Buffer.from(od.data).toString('hex')).toBe('0c000000ffffffff0300017c010d02001c0000000000000000000000000000000000000000000000420e104281020000');
  });
  it('advances take GNU as\'s shortest form, relocated (SET6/SUB6...) where a linker may change the distance', () => {
    // GNU as 2.40's .eh_frame for this source (the bytes and each relocation's place and type): relocated
    // after call, lui %hi, a branch, tail and la; as is over a nop, an addi and 70 nops (advance_loc1).
    const text = `f:	.cfi_startproc
	addi sp,sp,-16
	.cfi_def_cfa_offset 16
	call foo
	.cfi_offset ra, -8
	nop
	.cfi_offset s0, -16
	lui a0, %hi(x)
	.cfi_offset s1, -24
	addi a0,a0,%lo(x)
	.cfi_offset s2, -32
	beq a0,a1,1f
	.cfi_offset s3, -40
	nop
1:	tail foo
	.cfi_offset s4, -48
	la a1, x
	.cfi_offset s5, -56
	.rept 70
	nop
	.endr
	.cfi_offset s6, -64
	ret
	.cfi_endproc
`;
    for (const compat of ['gnu', 'llvm'] as const) {
      const o = assembleObject({ name: 'adv.s', text }, { relax: true, compat, march: 'rv64imac' });
      expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
      const obj = readObject(o.bytes, 'adv.o');
      const eh = obj.sections.find((x) => x.name === '.eh_frame')!;
      // (The default mode's code is the same here: the same table.)
      expect(Buffer.from(eh.data).toString('hex'), compat).toBe('1000000000000000037a5200017c01011b0d02003000000018000000000000000000000000420e1048810242880444890644920844930a4a940c48950e028c961000000000000000');
      expect((obj.relocs.get(eh.index) ?? []).map((r) => `${r.offset}:${r.type}`), compat).toEqual(['28:57', '32:35', '32:39', '40:53', '40:52', '46:53', '46:52', '52:53', '52:52', '55:53', '55:52', '58:53', '58:52']);
    }
  });
  // g++'s exception tables: `.cfi_personality 0x9b,DW.ref.__gxx_personality_v0` (indirect|pcrel|sdata4) and
  // `.cfi_lsda 0x1b,.LLSDA0` (pcrel|sdata4). The CIE's bytes and the pointers' relocations are GNU as 2.40's for
  // this source (its FDE instructions advance by shorter forms: docs/assembler.md).
  const EXCEPTIONS = `	.text
f:	.cfi_startproc
	.cfi_personality 0x9b,DW.ref.pers
	.cfi_lsda 0x1b,.LLSDA0
	addi sp, sp, -16
	.cfi_def_cfa_offset 16
	ret
	.cfi_endproc
g:	.cfi_startproc
	ret
	.cfi_endproc
h:	.cfi_startproc
	.cfi_personality 0x9b,DW.ref.pers
	.cfi_lsda 0x1b,.LLSDA1
	ret
	.cfi_endproc
	.section .gcc_except_table,"a",@progbits
.LLSDA0: .byte 0xff, 0x9b
.LLSDA1: .byte 0xff
	.data
	.hidden DW.ref.pers
	.weak DW.ref.pers
DW.ref.pers: .dword pers
	.globl pers
pers:	.dword 0
`;
  it('advances over a lui or auipc with a number are relocated too (their default HI20 type), not over c.lui', () => {
    // GNU as 2.40's .eh_frame for this source: relocated after lui 0x12345, li 0x12345678, auipc, the 64-bit
    // li (lui first) and lui %hi; as is after c.lui (written, or li 0x1000) and nop.
    const text = [
      'f:	.cfi_startproc', '	nop', '	.cfi_offset s0, -16', '	lui a0, 0x12345', '	.cfi_offset s1, -24', '	lui a0, 1', '	.cfi_offset s2, -32',
      '	li a0, 0x12345678', '	.cfi_offset s3, -40', '	li a0, 0x1000', '	.cfi_offset s4, -48', '	auipc a0, 0', '	.cfi_offset s5, -56',
      '	li a0, 0x123456789', '	.cfi_offset s6, -64', '	c.lui a0, 2', '	.cfi_offset s7, -72', '	lui a0, %hi(x)', '	.cfi_offset s8, -80',
      '	nop', '	.cfi_offset ra, -8', '	ret', '	.cfi_endproc', '',
    ].join('\n');
    const o = assembleObject({ name: 'adv3.s', text }, { relax: true, compat: 'gnu', march: 'rv64imac' });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    const obj = readObject(o.bytes, 'adv3.o');
    const eh = obj.sections.find((x) => x.name === '.eh_frame')!;
    expect(Buffer.from(eh.data).toString('hex')).toBe('1000000000000000037a5200017c01011b0d0200300000001800000000000000000000000042880444890642920848930a42940c44950e4e96104297124498144281020000000000');
    expect((obj.relocs.get(eh.index) ?? []).map((r) => `${r.offset}:${r.type}`)).toEqual(['28:57', '32:35', '32:39', '40:53', '40:52', '46:53', '46:52', '52:53', '52:52', '55:53', '55:52', '61:53', '61:52']);
  });
  it('.cfi_personality and .cfi_lsda: a "zPLR" CIE per personality, the FDE\'s LSDA pointer, relocated as GNU as does', () => {
    const o = assembleObject({ name: 'eh.s', text: EXCEPTIONS }, { relax: true });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    const obj = readObject(o.bytes, 'eh.o');
    const eh = obj.sections.find((s) => s.name === '.eh_frame')!;
    // CIE: length 24, id 0, version 3, "zPLR", code 1, data -4, ra 1, augmentation data 7: 0x9b, a 4-byte
    // pointer (0 in place), LSDA encoding 0x1b, FDE encoding 0x1b; def_cfa_register sp; nop.
    expect(Array.from(eh.data.subarray(0, 28))).toEqual([24, 0, 0, 0, 0, 0, 0, 0, 3, 0x7a, 0x50, 0x4c, 0x52, 0, 1, 0x7c, 1, 7, 0x9b, 0, 0, 0, 0, 0x1b, 0x1b, 0x0d, 2, 0]);
    // f's FDE at 28: length, CIE pointer, code address, size, augmentation data 4 (the LSDA pointer); g's
    // own "zR" CIE at 52 before its FDE at 72; h's FDE at 92 shares f's CIE. GNU as 2.40's bytes:
    expect(Buffer.from(eh.data).toString('hex')).toBe('1800000000000000037a504c5200017c01079b000000001b1b0d0200140000002000000000000000000000000400000000420e101000000000000000037a5200017c01011b0d0200100000001800000000000000000000000000000018000000600000000000000000000000040000000000000000000000');
    const rel = (obj.relocs.get(eh.index) ?? []).map((r) => {
      const s = obj.symbols[r.sym];
      return `${r.offset}:${r.type}:${s.type === 3 ? obj.sections[s.shndx].name : s.name}+${r.addend}`;
    });
    // GNU as's relocations: R_RISCV_32_PCREL (57) for the personality (against the DW.ref symbol), the code
    // addresses (never against a label in .eh_frame, which a linker editing .eh_frame moves) and the LSDAs;
    // ADD32/SUB32 (35/39) for the code sizes.
    expect(rel.map((r) => r.replace(/:\.L\w+\+/, ':L+'))).toEqual([
      '19:57:DW.ref.pers+0', '36:57:L+0', '40:35:L+0', '40:39:L+0', '45:57:L+0',
      '80:57:L+0', '84:35:L+0', '84:39:L+0', '100:57:L+0', '104:35:L+0', '104:39:L+0', '109:57:L+0',
    ]);
  });
  it('.cfi_personality and .cfi_lsda in a linked image point at their targets; other encodings GNU as accepts', () => {
    const r = asm(EXCEPTIONS.replace('.globl pers', '.globl pers\n.globl _start\n_start:'));
    const eh = r.image.sections.find((s) => s.name === '.eh_frame')!;
    const dv = new DataView(eh.data.buffer, eh.data.byteOffset);
    const at = (off: number) => eh.addr + BigInt(off) + BigInt(dv.getInt32(off, true));
    const lsda = r.image.sections.find((s) => s.name === '.gcc_except_table')!.addr;
    expect(at(19)).toBe(r.symbols.get('DW.ref.pers'));
    expect(at(45)).toBe(lsda);
    expect(at(109)).toBe(lsda + 2n);
    expect(at(36)).toBe(r.symbols.get('f'));
    // Absolute 8-byte (0x00: R_RISCV_64), pc-relative 8-byte (0x1c: an ADD64/SUB64 pair on a label at the
    // field), absolute 4-byte (0x03: R_RISCV_32), and 0xff for none; sizes in the augmentation data.
    const o = assembleObject({ name: 'e.s', text: 'f: .cfi_startproc\n .cfi_personality 0x0,p\n .cfi_lsda 0x1c,q\n nop\n .cfi_endproc\ng: .cfi_startproc\n .cfi_personality 0x3,p\n .cfi_lsda 0xff\n nop\n .cfi_endproc\n .data\nq: .byte 0\n' });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    const obj = readObject(o.bytes, 'e.o');
    const ehs = obj.sections.find((s) => s.name === '.eh_frame')!;
    const types = (obj.relocs.get(ehs.index) ?? []).map((x) => `${x.offset}:${x.type}`);
    expect(types).toContain('19:2'); // R_RISCV_64 of p at the CIE's pointer
    expect(ehs.data[17]).toBe(11); // augmentation data: 1 + 8 + 1 + 1
    expect(types.filter((t) => /:(36|40)$/.test(t)).length).toBe(2); // ADD64/SUB64 of the 8-byte LSDA
    expect(types.filter((t) => t.endsWith(':1')).length).toBe(1); // R_RISCV_32 of g's 4-byte personality
  });
  it('CFI errors', () => {
    const cfi = (line: string) => errors([{ name: 'c.s', text: ` .cfi_startproc\n ${line}\n .cfi_endproc\n` }]);
    expect(cfi('.cfi_personality 0x30,p')[0]).toMatch(/^c\.s:2:2: error: invalid or unsupported encoding 0x30 in \.cfi_personality/);
    expect(cfi('.cfi_lsda 0x1,p')[0]).toMatch(/invalid or unsupported encoding 0x1 in \.cfi_lsda/);
    expect(cfi('.cfi_lsda 0x2,p')[0]).toMatch(/a 2-byte absolute pointer .* cannot be relocated/);
    expect(cfi('.cfi_personality 0x9b,16')[0]).toMatch(/pc-relative pointer .* needs a symbol/);
    expect(cfi('.cfi_personality 0x9b')[0]).toMatch(/takes 2 operands/);
    expect(cfi('.cfi_personality 0xff,p')[0]).toMatch(/takes 1 operand/);
    expect(errors([{ name: 'c.s', text: ' .cfi_def_cfa_offset 16\n' }])[0]).toBe('c.s:1:2: error: .cfi_def_cfa_offset outside .cfi_startproc/.cfi_endproc');
    expect(errors([{ name: 'c.s', text: ' .cfi_startproc\n nop\n' }])[0]).toMatch(/missing .cfi_endproc/);
  });
});

describe('layout symbols', () => {
  it('symbols at a section start or end (+/- N) and reserved space after a section', () => {
    const r = asm('.globl _start\n_start: la sp, _stack_top\n la a0, _bss_lo\n .bss\n .skip 16\n .data\n .word 1\n', {
      layout: { sections: [{ name: '.text' }, { name: '.bss', reserve: 65536, symbols: { _stack_top: 'end + 0x10000', _bss_lo: 'start' } }, { name: '.data' }] },
    });
    const bss = r.sections.find((s) => s.name === '.bss')!;
    expect(r.symbols.get('_bss_lo')).toBe(bss.addr);
    expect(r.symbols.get('_stack_top')).toBe(bss.addr + 16n + 0x10000n);
    expect(r.sections.find((s) => s.name === '.data')!.addr).toBe(bss.addr + 16n + 0x10000n);
    expect(assemble([{ name: 'a.s', text: 'nop\n' }], { layout: { sections: [{ name: '.text', symbols: { x: 'middle' } }] } }).diagnostics.map(formatDiagnostic)[0]).toMatch(/must be "start" or "end"/);
  });
});

describe('objects and archives: malformed input is refused with a reason', () => {
  const obj = (bytes: Uint8Array) => assemble([], { objects: [{ name: 'x.o', bytes }] }).diagnostics.map(formatDiagnostic);
  it('not ELF, wrong class or type, truncated headers, bad archive members', () => {
    expect(obj(new TextEncoder().encode('not an object: '.repeat(8)))).toEqual(['x.o: error: not an ELF file']);
    const h = new Uint8Array(64);
    h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    h[16] = 2; // ET_EXEC
    expect(obj(h)).toEqual(['x.o: error: not a relocatable object (ET_REL)']);
    h[16] = 1;
    h[18] = 243;
    new DataView(h.buffer).setBigUint64(40, 1000n, true);
    h[58] = 64;
    h[60] = 3;
    expect(obj(h)[0]).toMatch(/section headers outside the file/);
    const ar = new TextEncoder().encode('!<arch>\nm.o/            0           0     0     644     999       `\nxx');
    expect(obj(ar)[0]).toMatch(/extends past the end/);
  });
  it('a random object never throws', () => {
    let seed = 7;
    for (let k = 0; k < 200; k++) {
      const b = new Uint8Array(200);
      for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
      b[16] = 1;
      b[18] = 243;
      const r = assemble([], { objects: [{ name: 'r.o', bytes: b }] });
      expect(Array.isArray(r.diagnostics)).toBe(true);
    }
  });
});

describe('the symbol table of an object, as GNU as writes it', () => {
  const symbols = (text: string) => {
    const o = assembleObject({ name: 'v.s', text });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    return readObject(o.bytes, 'v.o').symbols;
  };
  it('.internal, .hidden and .protected set st_other (gcc writes them for visibility attributes); the last one wins', () => {
    const syms = symbols('\t.hidden foo\n\t.internal bar\n\t.protected baz\n\t.globl baz\nbaz:\n\t.hidden loc\nloc: nop\n\t.hidden qq\n\t.protected qq\n\tcall qq\n\tcall pub\n');
    const vis = Object.fromEntries(syms.filter((s) => s.name !== '' && s.type !== 3 && s.type !== 4).map((s) => [s.name, [s.bind, s.shndx === 0 ? 'UND' : 'def', s.visibility]]));
    // A visibility directive alone enters an undefined symbol, as GNU as 2.40 does.
    expect(vis).toEqual({ loc: [0, 'def', 2], foo: [1, 'UND', 2], bar: [1, 'UND', 1], baz: [1, 'def', 3], qq: [1, 'UND', 3], pub: [1, 'UND', 0] });
  });
  it('.set alias, sym takes the type and size sym has at that point (gcc\'s f.localalias)', () => {
    const syms = symbols(`	.type f, @function
f:	nop
	ret
	.size f, .-f
	.set f.localalias, f
	.type g, @function
g:	nop
	.set a2, g
	ret
	.size g, .-g
	.data
	.type o, @object
o:	.word 1
	.size o, 4
	.set a3, o
	.globl a3
	.set a4, a3
	.size a6, 2
	.set a6, f
`);
    // As GNU as 2.40: type 2 FUNC, 1 OBJECT; a2 was made before g had a size; a6 keeps its own.
    const got = Object.fromEntries(syms.filter((s) => s.name !== '' && s.type !== 3 && s.type !== 4).map((s) => [s.name, `${s.type}/${s.size}`]));
    expect(got).toEqual({ f: '2/4', 'f.localalias': '2/4', g: '2/4', a2: '2/0', o: '1/4', a4: '1/4', a6: '2/2', a3: '1/4' });
  });
  it('"o" (SHF_LINK_ORDER, gcc -fpatchable-function-entry): sh_link names the linked-to symbol\'s section, one section per linked-to symbol', () => {
    const o = assembleObject({ name: 'o.s', text: '\t.section .text.f,"ax",@progbits\nf:\tnop\n\t.section __patchable_function_entries,"awo",@progbits,f\n\t.8byte f\n\t.section __patchable_function_entries,"awo",@progbits,g\n\t.8byte g\n\t.section .pfe,"aMo",@progbits,4,f,unique,3\n\t.word 1\n\t.text\ng:\tnop\n' });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    const secs = readObject(o.bytes, 'o.o').sections;
    const at = (name: string) => secs.findIndex((s) => s.name === name);
    // As GNU as 2.40: WAL, linked to .text.f and to .text; the entry size comes before the symbol.
    expect(secs.filter((s) => s.flags & 0x80).map((s) => `${s.name} ${s.flags} ${s.link} ${s.entsize}`)).toEqual([
      `__patchable_function_entries 131 ${at('.text.f')} 0`, `__patchable_function_entries 131 ${at('.text')} 0`, `.pfe 146 ${at('.text.f')} 4`]);
    const bad = assembleObject({ name: 'b.s', text: '\t.section .a,"ao",@progbits,nowhere\n\t.byte 1\n\t.section .b,"ao",@progbits\n' });
    expect(bad.diagnostics.map(formatDiagnostic)).toEqual([
      "b.s:3:14: error: expected the linked-to symbol of an 'o' section after its type",
      "b.s:1:29: error: undefined linked-to symbol 'nowhere' on section '.a'",
    ]);
  });
  it('an undefined symbol a TLS relocation names is STT_TLS (picolibc\'s errno)', () => {
    const syms = symbols('\tlui a5,%tprel_hi(e1)\n\tadd a5,a5,tp,%tprel_add(e1)\n\tlw s4,%tprel_lo(e1)(a5)\n\tla.tls.ie a0, e2\n\tla.tls.gd a0, e3\n\tsw a0, %tprel_lo(e4)(a5)\n\tcall f\n\t.section .debug_info\n\t.dtprelword e5\n\t.dtpreldword e6\n');
    expect(syms.filter((s) => s.shndx === 0 && s.name !== '').map((s) => `${s.name}:${s.type}`)).toEqual(['e1:6', 'e2:6', 'e3:6', 'e4:6', 'f:0', 'e5:6', 'e6:6']);
  });
});

describe('differences of code labels in data', () => {
  // gcc -g writes a function's length as `.8byte .LFE0-.LFB0`; a linker relaxing the `tail` between the
  // labels shortens the function, so GNU as 2.40 leaves every difference of code labels to the linker as an
  // ADD/SUB pair, also when nothing relaxable lies between them (and rvx used to fold those in one fragment).
  const SRC = `	.text
.LFB0:	lw a2,8(a1)
	ld a1,0(a1)
	tail foo
.LFE0:
.LFB1:	lw a2,8(a1)
	ret
.LFE1:
	.section .debug_aranges,"",@progbits
	.8byte .LFE0-.LFB0
	.4byte .LFE1-.LFB1
	.2byte .LFE1-.LFB0
	.8byte (.LFE1-.LFB1)/2
`;
  const relocs = (relax: boolean) => {
    const o = assembleObject({ name: 'd.s', text: SRC }, { relax });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    const obj = readObject(o.bytes, 'd.o');
    const sec = obj.sections.find((s) => s.name === '.debug_aranges')!;
    const names = (obj.relocs.get(sec.index) ?? []).map((r) => `${r.offset}:${r.type}:${obj.symbols[r.sym].value}`);
    return { names, data: Buffer.from(sec.data).toString('hex') };
  };
  it('an object carries them as ADD/SUB pairs, relaxable or not (GNU as 2.40 -mno-relax too)', () => {
    // R_RISCV_ADD64 36, SUB64 40, ADD32 35, SUB32 39, ADD16 34, SUB16 38; a quotient is no pair: its value.
    for (const relax of [true, false]) {
      const r = relocs(relax);
      expect(r.names).toEqual(['0:36:12', '0:40:0', '8:35:16', '8:39:12', '12:34:16', '12:38:0']);
      expect(r.data).toBe('0'.repeat(14 * 2) + '0200000000000000');
    }
  });
});

describe('a line table for a file without code', () => {
  // gcc -g on a file of constants (Lua's lctype.c): .file entries, no .loc, and a .debug_info whose
  // DW_AT_stmt_list names .Ldebug_line0. GNU as writes the header and file table; with an empty .debug_line
  // the unit's stmt_list would point at the next object's table once linked.
  const lineSection = (text: string) => {
    const o = assembleObject({ name: 'c.s', text });
    expect(o.diagnostics.map(formatDiagnostic)).toEqual([]);
    return readObject(o.bytes, 'c.o').sections.find((s) => s.name === '.debug_line');
  };
  it('is written when .debug_info refers to it, and not without .debug_info (GNU as 2.40)', () => {
    const dl = lineSection('\t.file 0 "/d" "a.c"\n\t.file 1 "a.c"\n\t.section .rodata\n\t.word 1\n\t.section .debug_info\n\t.4byte .Ldebug_line0\n\t.section .debug_line\n.Ldebug_line0:\n');
    expect(dl).toBeDefined();
    const dv = new DataView(dl!.data.buffer, dl!.data.byteOffset, dl!.data.byteLength);
    expect(dl!.data.length).toBeGreaterThan(20);
    expect(dv.getUint32(0, true)).toBe(dl!.data.length - 4); // unit_length: one unit, the whole section
    expect(dv.getUint16(4, true)).toBe(5); // DWARF 5: gcc declared file 0
    // The file name is in .debug_line_str (DW_FORM_line_strp, as GNU as writes DWARF 5 tables).
    const strs = readObject(assembleObject({ name: 'c.s', text: '\t.file 0 "/d" "a.c"\n\t.file 1 "a.c"\n\t.section .debug_info\n\t.4byte .Ldebug_line0\n\t.section .debug_line\n.Ldebug_line0:\n' }).bytes, 'c.o').sections.find((s) => s.name === '.debug_line_str');
    expect(Buffer.from(strs!.data).toString('latin1')).toBe('/d\0a.c\0a.c\0');
    expect(lineSection('\t.file 1 "a.c"\n\t.text\n\tnop\n')).toBeUndefined();
  });
});
