// The assembler's directives, expressions, macros, labels, linking, layout files and outputs.
// Bytes are checked against the table's own decoder (isa/codec.ts), so expectations are instructions, not
// hand-written hex.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode, expand, instructionLength } from '../isa/codec.js';
import { INSTRUCTIONS } from '../isa/instructions.js';
import { encodeBits } from '../isa/codec.js';
import { assemble, formatDiagnostic, type AssembleOptions } from '../tools/asm/index.js';
import { main as asmMain } from '../tools/commands/asm.js';

function asm(text: string, opts: AssembleOptions = {}) {
  const r = assemble([{ name: 'a.s', text }], opts);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r;
}

function section(r: ReturnType<typeof asm>, name: string): Uint8Array {
  const s = r.image.sections.find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return s.data;
}

/** Disassemble bytes into "name v1,v2,..." strings (base form of compressed instructions). */
function insns(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < bytes.length; ) {
    const lo = bytes[p] | (bytes[p + 1] << 8);
    const n = instructionLength(lo);
    const raw = n === 2 ? lo : (lo | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
    const d = decode(raw);
    if (!d) out.push(`?${raw.toString(16)}`);
    else {
      const e = expand(d);
      out.push(`${e.def.name} ${e.values.join(',')}`);
    }
    p += n;
  }
  return out;
}

function u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function have(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'rvx-asm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data directives and expressions', () => {
  it('emits .byte/.half/.word/.dword and their aliases little-endian', () => {
    const r = asm('.data\n.byte 1, -1, 0xff\n.half 0x1234\n.short -2\n.2byte 3\n.word 0xdeadbeef\n.long 5\n.4byte 6\n.dword -1\n.quad 0x0123456789abcdef\n.8byte 7\n');
    const d = section(r, '.data');
    expect([...d.subarray(0, 3)]).toEqual([1, 0xff, 0xff]);
    expect([...d.subarray(3, 9)]).toEqual([0x34, 0x12, 0xfe, 0xff, 3, 0]);
    expect(u32(d, 9)).toBe(0xdeadbeef);
    expect(u32(d, 13)).toBe(5);
    expect(u32(d, 17)).toBe(6);
    expect([...d.subarray(21, 29)]).toEqual(Array(8).fill(0xff));
    expect(Buffer.from(d.subarray(29, 37)).readBigUInt64LE()).toBe(0x0123456789abcdefn);
    expect(d.length).toBe(45);
  });

  it('strings with escapes: .ascii, .asciz, .string', () => {
    const r = asm('.data\n.ascii "ab\\n\\t\\\\\\"\\101\\x42"\n.asciz "x"\n.string "y", "z"\n');
    expect(Buffer.from(section(r, '.data')).toString('latin1')).toBe('ab\n\t\\"AB' + 'x\0' + 'y\0z\0');
  });

  it('.zero/.space/.skip/.fill', () => {
    const r = asm('.data\n.zero 3\n.space 2, 0xaa\n.skip 1\n.fill 2, 4, 0x11223344\n.fill 3\n');
    expect([...section(r, '.data')]).toEqual([0, 0, 0, 0xaa, 0xaa, 0, 0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11, 0, 0, 0]);
  });

  it('.org pads to a section offset (with a fill byte), also relative to a label', () => {
    const r = asm('.data\n.byte 1\n.org 4, 0xaa\n.byte 2\nx: .org x + 3\n.byte 3\n.p2align 3\ny: .org y+2\n.byte 4\n');
    expect(Buffer.from(section(r, '.data')).toString('hex')).toBe('01aaaaaa0200000003' + '00'.repeat(9) + '04');
  });

  it('evaluates GNU expressions: precedence, bases, characters, shifts, comparisons', () => {
    const r = asm(
      [
        '.data',
        '.word 1 + 2 * 3', // 7
        '.word (1 + 2) * 3', // 9
        '.word 1 + 2 | 4', // | binds tighter than +: 7
        '.word 0x10 + 0b101 + 010 + 9', // 16 + 5 + 8 + 9 = 38
        ".word 'a', '\\n', '\\\\'",
        '.word -7 / 2, -7 % 2', // -3, -1
        '.word ~0 >> 60', // logical shift of all ones: 15
        '.word 1 << 4 >> 2', // 4
        '.word 3 == 3, 3 != 3, 2 < 3, 2 >= 3', // -1, 0, -1, 0
        '.word 6 & 3 ^ 1, !0, !5', // (6&3)^1 = 3, 1, 0
        '.word 1 && 0, 1 || 0',
      ].join('\n') + '\n',
    );
    const d = section(r, '.data');
    const words = Array.from({ length: d.length / 4 }, (_, i) => u32(d, 4 * i) | 0);
    expect(words).toEqual([7, 9, 7, 38, 97, 10, 92, -3, -1, 15, 4, -1, 0, -1, 0, 3, 1, 0, 0, 1]);
  });

  it('.equ, .set, = and .equiv, including redefinition with .set', () => {
    const r = asm('.equ A, 5\n.set B, A * 2\nC = B + 1\n.equiv D, C\n.data\n.word A, B, C, D\n.set B, 100\n.word B\n');
    const d = section(r, '.data');
    expect([0, 4, 8, 12, 16].map((o) => u32(d, o))).toEqual([5, 10, 11, 11, 100]);
    expect(r.symbols.get('A')).toBe(5n);
  });

  it('label arithmetic and `.`', () => {
    const r = asm('.data\nstart: .word end - start, . - start\n.byte 1\nend:\n.dword start\n', { base: 0x1000 });
    const d = section(r, '.data');
    expect(u32(d, 0)).toBe(9);
    expect(u32(d, 4)).toBe(4);
    expect(Buffer.from(d.subarray(9, 17)).readBigUInt64LE()).toBe(r.symbols.get('start'));
  });
});

describe('instructions, labels and pseudo-instructions', () => {
  it('uses ABI and numeric register names and symbolic/numeric CSRs', () => {
    const r = asm('.option norvc\nadd x10, x11, x12\nadd a0, a1, a2\ncsrrw t0, mscratch, t1\ncsrrw t0, 0x340, t1\ncsrr a0, satp\ncsrr a0, xcap\n');
    const i = insns(section(r, '.text'));
    expect(i[0]).toBe(i[1]);
    expect(i[2]).toBe(i[3]);
    expect(i[4]).toBe('csrrs 10,384,0');
    expect(i[5]).toBe('csrrs 10,1474,0');
  });

  it('accepts the CSR names GNU as knows beyond LLVM 14 (old aliases, debug triggers) without naming them in disassembly', async () => {
    const r = asm('csrr a0, sbadaddr\ncsrr a0, mbadaddr\ncsrr a0, sptbr\ncsrs tcontrol, a1\ncsrr a0, tinfo\ncsrr a0, mscontext\ncsrr a0, ubadaddr\n');
    expect(insns(section(r, '.text'))).toEqual(['csrrs 10,323,0', 'csrrs 10,835,0', 'csrrs 10,384,0', 'csrrs 0,1957,11', 'csrrs 10,1956,0', 'csrrs 10,1962,0', 'csrrs 10,67,0']);
    // llvm-objdump 14 has no name for 0x7a5: the disassembly keeps the number.
    const { disassemble } = await import('../isa/disasm.js');
    expect(disassemble(u32(section(r, '.text'), 12), 0).operands).not.toMatch(/tcontrol/);
  });

  it('a conditional branch beyond ±4 KiB becomes the inverted branch over a jal (GNU as)', () => {
    const src = 'top: bgeu t0, t1, far\nbnez s0, far\nblt a0, a1, near\nnear: .space 5000\nfar: beq a2, a3, top\n';
    // Without C: 8 bytes each.
    const a = asm(src, { march: 'rv64ima' });
    const ta = section(a, '.text');
    expect(insns(ta.subarray(0, 20))).toEqual(['bltu 5,6,8', 'jal 0,5016', 'beq 8,0,8', 'jal 0,5008', 'blt 10,11,4']);
    expect(insns(ta.subarray(5020))).toEqual(['bne 12,13,8', 'jal 0,-5024']);
    // With C: a branch that has a compressed form takes 6 bytes (c.beqz over the jal); others 8.
    const c = asm(src);
    const tc = section(c, '.text');
    expect(insns(tc.subarray(0, 18))).toEqual(['bltu 5,6,8', 'jal 0,5014', 'beq 8,0,6', 'jal 0,5008', 'blt 10,11,4']);
    expect(u32(tc, 8) & 0xffff).toBe(encodeBits(INSTRUCTIONS.find((d) => d.name === 'c.beqz')!, [8, 6]));
    // A target in another section is the linker's: the 4-byte form, an error when out of range.
    const r = assemble([{ name: 'x.s', text: 'beq a0, a1, far\n.section .other, "ax"\n.space 5000\nfar: nop\n' }]);
    expect(r.diagnostics.map((d) => d.message).join()).toMatch(/branch target out of range/);
  });

  it('an .insn branch beyond ±4 KiB takes the long form as GNU as gives it (funct3 bit 0 flipped)', () => {
    // GNU as 2.40: `.insn b 0x63, 0, a0, a1, far` 5,000 bytes back is `bne a0, a1, 8` over `j far`.
    const tc = section(asm('.option norvc\n.insn b 0x63, 0, a0, a1, far\n.insn b 0x63, 5, a2, a3, far\n.space 5000\nfar: nop\n'), '.text');
    expect(insns(tc.subarray(0, 16))).toEqual(['bne 10,11,8', 'jal 0,5012', 'blt 12,13,8', 'jal 0,5004']);
  });

  it('numeric local labels resolve backwards and forwards', () => {
    const r = asm('.option norvc\n1: nop\nj 1f\nj 1b\n1: j 1b\n2: j 2f\n2:\n');
    expect(insns(section(r, '.text'))).toEqual(['addi 0,0,0', 'jal 0,8', 'jal 0,-8', 'jal 0,0', 'jal 0,4']);
  });

  it('.L locals stay out of the symbol table; ordinary labels are local symbols', () => {
    const r = asm('.globl g\ng: nop\n.Lhidden: nop\nvisible: nop\n');
    const names = r.image.symbols.map((s) => s.name);
    expect(names).toContain('g');
    expect(names).toContain('visible');
    expect(names).not.toContain('.Lhidden');
    expect(r.image.symbols.find((s) => s.name === 'g')!.bind).toBe('global');
    expect(r.image.symbols.find((s) => s.name === 'visible')!.bind).toBe('local');
  });

  it('la/lla, call/tail and load/store to a symbol use pc-relative pairs with the right offsets', () => {
    const r = asm('.option norvc\n_start: la a0, msg\nlla a1, msg\nlw a2, msg\nsd a3, msg, t0\ncall f\ntail f\nf: ret\n.data\nmsg: .word 1\n');
    const text = section(r, '.text');
    const msg = r.symbols.get('msg')!;
    const f = r.symbols.get('f')!;
    const base = r.symbols.get('_start')!;
    const at = (k: number) => decode(u32(text, k))!;
    // auipc + lo part reconstructs the target from each pair's auipc address.
    const target = (k: number, loField: number) => {
      const hi = at(k).values[1];
      const lo = at(k + 4).values[loField];
      return base + BigInt(k) + BigInt.asIntN(32, BigInt(hi << 12)) + BigInt(lo);
    };
    expect(target(0, 2)).toBe(msg);
    expect(target(8, 2)).toBe(msg);
    expect(target(16, 1)).toBe(msg);
    expect(at(24).values[0]).toBe(5); // auipc t0
    expect(target(24, 1)).toBe(msg);
    expect(target(32, 1)).toBe(f);
    expect(at(36).values[0]).toBe(1); // jalr ra
    expect(target(40, 1)).toBe(f);
    expect(at(40).values[0]).toBe(6); // auipc t1
    expect(at(44).values[0]).toBe(0); // jalr x0
  });

  it('%pcrel_hi / %pcrel_lo refer to the auipc label; %hi/%lo build absolute addresses', () => {
    const r = asm('.option norvc\n1: auipc a0, %pcrel_hi(x)\naddi a0, a0, %pcrel_lo(1b)\nlui a1, %hi(x)\naddi a1, a1, %lo(x)\nsw a2, %lo(x)(a1)\n.data\n.space 0x1234\nx: .word 0\n', { base: 0x10000 });
    const text = section(r, '.text');
    const x = r.symbols.get('x')!;
    const a = decode(u32(text, 0))!;
    const b = decode(u32(text, 4))!;
    expect(0x10000n + BigInt(a.values[1] << 12) + BigInt(b.values[2])).toBe(x);
    const c = decode(u32(text, 8))!;
    const d = decode(u32(text, 12))!;
    expect(BigInt.asUintN(32, BigInt(c.values[1] << 12) + BigInt(d.values[2]))).toBe(x);
    const e = decode(u32(text, 16))!;
    expect(e.values[1]).toBe(d.values[2]);
  });

  it('compresses with rv64imac and not with rv64ima', () => {
    const src = 'addi a0, a0, 1\nmv a1, a2\nret\n';
    expect(section(asm(src), '.text').length).toBe(6);
    expect(section(asm(src, { march: 'rv64ima' }), '.text').length).toBe(12);
    expect(asm(src).eFlags).toBe(1);
    expect(asm(src, { march: 'rv64ima' }).eFlags).toBe(0);
  });

  it('.insn raw and formatted instructions', () => {
    const r = asm('.option norvc\n.insn 0x00a00513\n.insn 2, 0x4505\n.insn r OP, 0, 0, a0, a1, a2\n.insn i OP_IMM, 0, a0, a1, 5\n.insn i 0x03, 3, a0, 8(sp)\n.insn s STORE, 3, a0, 8(sp)\n.insn u LUI, a0, 0x12345\n.insn b BRANCH, 0, a0, a1, 1f\n.insn j JAL, ra, 1f\n1:\n');
    expect(insns(section(r, '.text'))).toEqual([
      'addi 10,0,10', 'addi 10,0,1', 'add 10,11,12', 'addi 10,11,5', 'ld 10,8,2', 'sd 10,8,2', 'lui 10,74565', 'beq 10,11,8', 'jal 1,4',
    ]);
  });

  it('xcall / xret / swapseg / xprefetch (XPC) assemble from the table', () => {
    const r = asm('xcall a0\nxret\nswapseg t0\nxprefetch a1\n');
    expect(insns(section(r, '.text'))).toEqual(['xcall 10', 'xret ', 'swapseg 5', 'xprefetch 11']);
  });
});

describe('macros, repetition and conditionals', () => {
  it('.macro with named, default and required arguments, \\@ and \\()', () => {
    const r = asm(
      [
        '.macro store reg, off=8, base:req',
        '  sd \\reg, \\off(\\base)',
        '.endm',
        '.macro lbl name',
        '\\name\\()_x\\@: nop',
        '.endm',
        '.option norvc',
        'store a0, 16, sp',
        'store a1, base=s0',
        'store reg=a2 base=t0',
        'lbl foo',
        'lbl foo',
      ].join('\n') + '\n',
    );
    expect(insns(section(r, '.text'))).toEqual(['sd 10,16,2', 'sd 11,8,8', 'sd 12,8,5', 'addi 0,0,0', 'addi 0,0,0']);
    // \@ counts every macro expansion so far (three `store`s came first).
    expect(r.symbols.has('foo_x3')).toBe(true);
    expect(r.symbols.has('foo_x4')).toBe(true);
  });

  it('a macro called again with the same arguments: \\@ still counts, errors and notes name each call, a redefinition is used', () => {
    // The expanded lines of a call are kept by argument text (Macro.expansions): every case here meets a
    // call whose text was seen before.
    const r = assemble([
      {
        name: 'm.s',
        text: [
          '.data',
          '.macro b v',
          '.byte \\v',
          '.endm',
          '.macro lbl',
          'l\\@: .byte 0',
          '.endm',
          'b 1',
          'b 1',
          'lbl',
          'b 1 ',
          'lbl',
          'b\t1',
          '.macro b v',
          '.byte \\v + 10',
          '.endm',
          'b 1',
          'b 1; b 2; b 1',
          '.macro bad r',
          'addi \\r, \\r, 1',
          '.endm',
          '.text',
          'bad a9',
          'bad a9',
        ].join('\n') + '\n',
      },
    ]);
    expect([...r.image.sections.find((s) => s.name === '.data')!.data]).toEqual([1, 1, 0, 1, 0, 1, 11, 11, 12, 11]);
    // \@ counts every expansion, cached or not: two `b` calls came before the first `lbl`.
    expect(r.symbols.has('l2')).toBe(true);
    expect(r.symbols.has('l4')).toBe(true);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.col, d.message.replace(/.*\(/, '(')])).toEqual([
      [20, 6, "(in expansion of macro 'bad' at m.s:23)"],
      [20, 6, "(in expansion of macro 'bad' at m.s:24)"],
    ]);
    // Past the bound on kept expansions (130 different arguments), calls still expand as before.
    const calls = Array.from({ length: 130 }, (_, k) => `h ${k}`).join('\n');
    const many = assemble([{ name: 'h.s', text: `.data\n.macro h v\n.half \\v\n.endm\n${calls}\nh 1\nh 129\nh 1\n` }]);
    const half = many.image.sections[0].data;
    expect([half.length, half[2], half[258], half[260], half[262], half[264]]).toEqual([266, 1, 129, 1, 129, 1]);
  });

  it('vararg macros, .exitm and nested macro calls', () => {
    const r = asm(
      ['.macro pushall first, rest:vararg', '  .byte \\first', '  .ifnb \\rest', '  pushall \\rest', '  .endif', '.endm', '.macro stop', '.byte 9', '.exitm', '.byte 10', '.endm', '.data', 'pushall 1, 2, 3', 'stop'].join('\n') + '\n',
    );
    expect([...section(r, '.data')]).toEqual([1, 2, 3, 9]);
  });

  it('.rept, .irp, .irpc and conditionals', () => {
    const r = asm(
      ['.data', '.set i, 0', '.rept 3', '.byte i', '.set i, i + 1', '.endr', '.irp v, 7, 8', '.byte \\v', '.endr', '.irpc c, 45', '.byte \\c', '.endr',
        '.if 1 > 2', '.byte 99', '.elseif 2 > 1', '.byte 50', '.else', '.byte 98', '.endif', '.ifdef i', '.byte 51', '.endif', '.ifndef nope', '.byte 52', '.endif'].join('\n') + '\n',
    );
    expect([...section(r, '.data')]).toEqual([0, 1, 2, 7, 8, 4, 5, 50, 51, 52]);
  });

  it('.include resolves relative to the including file through the file map', () => {
    const r = assemble([{ name: 'src/main.s', text: '.include "inc/defs.s"\n.data\n.word VALUE\n' }], {
      files: { 'src/inc/defs.s': '.include "more.s"\n.equ VALUE, OTHER + 1\n', 'src/inc/more.s': '.equ OTHER, 41\n' },
    });
    expect(r.ok).toBe(true);
    expect(u32(r.image.sections[0].data, 0)).toBe(42);
  });

  it('.incbin with skip and count', () => {
    const r = assemble([{ name: 'm.s', text: '.data\n.incbin "blob.bin"\n.incbin "blob.bin", 1, 2\n' }], { files: { 'blob.bin': new Uint8Array([9, 8, 7, 6]) } });
    expect(r.ok).toBe(true);
    expect([...r.image.sections[0].data]).toEqual([9, 8, 7, 6, 8, 7]);
  });

  it('comments (#, /* */) and ; separators', () => {
    const r = asm('.data\n.byte 1 # one\n/* multi\nline */ .byte 2 ; .byte 3\n.byte 4 /* inline */, 5\n.byte 6 // six\n.byte 8/2\n');
    expect([...section(r, '.data')]).toEqual([1, 2, 3, 4, 5, 6, 4]);
  });

  it('; separates statements in one-line macro and repetition bodies, .endm/.endr included', () => {
    // What `#define M .macro init; a; b; .endm` leaves after the C preprocessor.
    const r = asm(
      [
        '.data',
        '.macro empty; .endm',
        '.macro two a, b; .byte \\a; .byte \\b;; .endm; .byte 1',
        'here: two 2, 3; empty; two 4, 5',
        '.rept 2; .byte 6; .endr; .byte 7',
        'x: .rept 2; .byte 8',
        '.byte 9; .endr; y:',
        '.macro outer; .macro inner; .byte 10; .endm; .endm',
        'outer; inner; .irp v, 11, 12; .byte \\v; .endr; .byte 13',
        '.macro stop; .byte 14; .exitm; .byte 99; .endm',
        'stop; .byte 15',
      ].join('\n') + '\n',
    );
    expect([...section(r, '.data')]).toEqual([1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(r.symbols.get('y')! - r.symbols.get('x')!).toBe(4n);
    // A label before the closing directive belongs to the body (GNU as): defined on every repetition.
    const twice = assemble([{ name: 'l.s', text: '.rept 2; nop\nlbl: .endr\n' }]);
    expect(twice.diagnostics.map((d) => d.message).join()).toMatch(/'lbl' is already defined/);
  });

  it('.include in the middle of a line: the rest of the line follows the included file', () => {
    const r = assemble([{ name: 'm.s', text: '.data; .byte 1; .include "i.s"; .byte 3\n.byte 4\n' }], { files: { 'i.s': '.byte 2\n' } });
    expect(r.diagnostics).toEqual([]);
    expect([...r.image.sections[0].data]).toEqual([1, 2, 3, 4]);
  });

  it('errors after a mid-line expansion point at the right column', () => {
    const r = assemble([{ name: 'm.s', text: '.macro m; nop; .endm\nm; addi a0, a0, bogus_reg(\n' }]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ file: 'm.s', line: 2 });
    expect(r.diagnostics[0].col).toBeGreaterThan(4);
  });
});

describe('sections, linking and layout', () => {
  it('orders .text, .rodata, .data, .bss from the base and aligns them', () => {
    const r = asm('.bss\nb: .zero 8\n.data\n.p2align 3\nd: .dword 1\n.section .rodata\nro: .byte 1\n.text\nt: nop\n.section .tohost, "aw", @progbits\nth: .dword 0\n', { base: 0x1000 });
    expect(r.sections.map((s) => s.name)).toEqual(['.text', '.rodata', '.data', '.tohost', '.bss']);
    expect(r.symbols.get('t')).toBe(0x1000n);
    expect(r.symbols.get('ro')).toBe(0x1002n);
    expect(r.symbols.get('d')).toBe(0x1008n);
    expect(r.symbols.get('th')).toBe(0x1010n);
    expect(r.symbols.get('b')).toBe(0x1018n);
  });

  it('links several files: globals resolve across files, locals stay per file', () => {
    const a = { name: 'a.s', text: '.globl _start\n_start: call helper\nlocal: j local\n.data\nv: .word shared\n' };
    const b = { name: 'b.s', text: '.globl helper, shared\nhelper: ret\nlocal: ret\n.data\nshared: .word 7\n' };
    const r = assemble([a, b]);
    expect(r.ok).toBe(true);
    expect(r.entry).toBe(r.symbols.get('_start'));
    const data = r.image.sections.find((s) => s.name === '.data')!.data;
    expect(BigInt(u32(data, 0))).toBe(r.symbols.get('shared'));
    // Two locals named `local`, one per file, both in the symbol table.
    expect(r.image.symbols.filter((s) => s.name === 'local').length).toBe(2);
  });

  it('follows a layout description: order, fixed addresses, alignment, input patterns', () => {
    const r = asm('.text\n_start: nop\n.section .text.boot, "ax"\nboot: nop\n.data\nd: .word 1\n.section .mystuff, "aw"\nm: .byte 1\n', {
      layout: {
        sections: [
          { name: '.boot', address: '0x80000000', inputs: ['.text.boot'] },
          { name: '.text', address: 0x80001000 },
          { name: '.data', align: 4096 },
        ],
      },
    });
    expect(r.symbols.get('boot')).toBe(0x80000000n);
    expect(r.symbols.get('_start')).toBe(0x80001000n);
    expect(r.symbols.get('d')).toBe(0x80002000n);
    expect(r.symbols.get('m')).toBe(0x80002004n);
  });

  it('provides the GNU ld default symbols code may use: __global_pointer$, _etext, _edata, __bss_start, _end', () => {
    const r = asm('.globl _start\n_start: la gp, __global_pointer$\n.dword _etext, _edata, __bss_start, _end\n.data\n.word 1\n.bss\n.zero 8\n', { base: 0x1000 });
    const data = r.sections.find((s) => s.name === '.data')!;
    const bss = r.sections.find((s) => s.name === '.bss')!;
    expect(r.symbols.get('__global_pointer$')).toBe(data.addr + 0x800n);
    expect(r.symbols.get('__bss_start')).toBe(bss.addr);
    expect(r.symbols.get('_end')).toBe(bss.addr + 8n);
    expect(r.symbols.get('_edata')).toBe(data.addr + 4n);
  });

  it('entry: _start, else .text start, else --entry', () => {
    expect(asm('nop\n_start: nop\n').entry).toBe(0x80000002n);
    expect(asm('.data\n.byte 1\n.text\nnop\n').entry).toBe(0x80000000n);
    expect(asm('nop\nhere: nop\n', { entry: 'here' }).entry).toBe(0x80000002n);
  });

  it('relaxes a compressed branch to the 4-byte form when the target moves out of range', () => {
    const near = asm('beqz a0, 1f\n.space 252\n1: nop\n');
    const far = asm('beqz a0, 1f\n.space 254\n1: nop\n');
    expect(insns(section(near, '.text').subarray(0, 2))).toEqual(['beq 10,0,254']);
    expect(insns(section(far, '.text').subarray(0, 4))).toEqual(['beq 10,0,258']);
    // A branch to a global symbol keeps its 4-byte form, as llvm-mc leaves it to the linker.
    const g = asm('.globl g\ng: nop\nj g\nbeqz a0, g\nj l\nl: nop\n');
    expect(insns(section(g, '.text'))).toEqual(['addi 0,0,0', 'jal 0,-2', 'beq 10,0,-6', 'jal 0,2', 'addi 0,0,0']);
    // A branch to another file's label is left in its 4-byte form (resolved at link time).
    const x = assemble([{ name: 'a.s', text: 'j other\n' }, { name: 'b.s', text: '.globl other\nother: ret\n' }]);
    expect(insns(x.image.sections[0].data)[0]).toBe('jal 0,4');
  });
});

describe('outputs', () => {
  const prog = '.globl _start\n_start:\n  li a0, 1\n  la a1, msg\n  call f\nf: ret\n.data\nmsg: .asciz "hello"\n.bss\nbuf: .zero 64\n';

  it('writes an ELF that llvm-readelf and llvm-objdump read cleanly', () => {
    if (!have('llvm-readelf') || !have('llvm-objdump')) {
      console.warn('llvm-readelf/llvm-objdump not found: ELF reading check skipped');
      return;
    }
    const r = asm(prog);
    const f = join(dir, 'p.elf');
    writeFileSync(f, r.elf());
    const out = execFileSync('llvm-readelf', ['-a', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('RISC-V');
    expect(out).toContain('EXEC');
    expect(out).toMatch(/Flags:\s+0x1, RVC/);
    expect(out).toMatch(/LOAD\s+0x[0-9a-f]+ 0x0*80000000/);
    expect(out).toContain('_start');
    expect(out).not.toMatch(/warning|error/i);
    const dis = execFileSync('llvm-objdump', ['-d', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(dis).toContain('<_start>:');
    expect(dis).toMatch(/li\s+a0, 1/);
    expect(dis).toContain('<f>:');
  });

  it('round-trips through tools/elf/read.ts', async () => {
    const { readElf } = await import('../tools/elf/read.js');
    const r = asm(prog);
    const back = readElf(r.elf());
    expect(back.entry).toBe(r.image.entry);
    const strip = (x: typeof r.image.sections) => x.filter((s) => s.flags & 2).map((s) => ({ name: s.name, addr: s.addr, size: s.size, type: s.type, data: [...s.data] }));
    expect(strip(back.sections)).toEqual(strip(r.image.sections));
    expect(back.symbols).toEqual(r.image.symbols);
    expect(back.segments.map((s) => [s.vaddr, [...s.data], s.memsz, s.flags])).toEqual(r.image.segments.map((s) => [s.vaddr, [...s.data], s.memsz, s.flags]));
  });

  it('is reproducible byte for byte', () => {
    const a = asm(prog);
    const b = asm(prog);
    expect(Buffer.compare(Buffer.from(a.elf()), Buffer.from(b.elf()))).toBe(0);
    expect(a.listing).toBe(b.listing);
    expect(a.map).toBe(b.map);
  });

  it('flat binary spans the lowest loadable address to the end of the last PROGBITS section', () => {
    const r = asm(prog);
    const bin = r.binary();
    const data = r.sections.find((s) => s.name === '.data')!;
    expect(bin.length).toBe(Number(data.addr - 0x80000000n) + data.size);
    expect(Buffer.from(bin.subarray(Number(data.addr - 0x80000000n))).toString('latin1')).toBe('hello\0');
  });

  it('listing shows address, encoding and source; map shows sections and symbols', () => {
    const r = asm(prog);
    expect(r.listing).toMatch(/^80000000 {2}05 45\s+3\s+li a0, 1$/m);
    expect(r.map).toMatch(/\.text\s+80000000/);
    expect(r.map).toMatch(/80000000 g \.text\s+00000000 _start/);
    expect(r.map).toMatch(/ buf$/m);
  });

  it('rvx asm CLI writes elf, bin, listing and map', async () => {
    const src = join(dir, 'cli.s');
    writeFileSync(src, prog);
    const inc = join(dir, 'cli2.s');
    writeFileSync(inc, '.include "cli.s"\n');
    const out = join(dir, 'cli.elf');
    expect(await asmMain([inc, '-o', out, '--listing', join(dir, 'cli.lst'), '--map', join(dir, 'cli.map')])).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(readFileSync(join(dir, 'cli.lst'), 'utf8')).toContain('li a0, 1');
    expect(readFileSync(join(dir, 'cli.map'), 'utf8')).toContain('_start');
    expect(await asmMain([src, '-o', join(dir, 'cli.bin'), '--format', 'bin', '--base', '0x1000'])).toBe(0);
    expect(readFileSync(join(dir, 'cli.bin')).length).toBeGreaterThan(10);
    const layout = join(dir, 'layout.json');
    writeFileSync(layout, JSON.stringify({ sections: [{ name: '.text', address: '0x2000' }, { name: '.data', align: 4096 }] }));
    expect(await asmMain([src, '-o', join(dir, 'l.elf'), '--layout', layout, '--map', join(dir, 'l.map')])).toBe(0);
    expect(readFileSync(join(dir, 'l.map'), 'utf8')).toMatch(/\.data\s+00003000/);
    expect(await asmMain(['--help'])).toBe(0);
    expect(await asmMain([src])).toBe(125); // no -o: a usage error (docs/cli.md)
    // Errors: every one on stderr as file:line:col: error: message, exit status 126, no output written.
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, 'nop\nfrob a0\naddi a0, a0, 99999\n');
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await asmMain([bad, '-o', join(dir, 'bad.elf')])).toBe(126);
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toBe(`${bad}:2:1: error: unknown instruction 'frob'\n${bad}:3:14: error: immediate must be an integer in the range [-2048, 2047]\n`);
  });
});

describe('include search path (-I)', () => {
  it('CLI: -I DIR and -IDIR are searched after the including file\'s directory, for .include and .incbin', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'incA'), { recursive: true });
    mkdirSync(join(dir, 'incB'), { recursive: true });
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'incA', 'a.h'), '.equ FROM_A, 1\n.include "b.h"\n');
    writeFileSync(join(dir, 'incB', 'b.h'), '.equ FROM_B, 2\n');
    writeFileSync(join(dir, 'incB', 'blob.bin'), Buffer.from([7, 8]));
    // A same-named file next to the source wins over the -I directories.
    writeFileSync(join(dir, 'src', 'c.h'), '.equ FROM_C, 3\n');
    writeFileSync(join(dir, 'incA', 'c.h'), '.equ FROM_C, 99\n');
    const src = join(dir, 'src', 'main.s');
    writeFileSync(src, '.include "a.h"\n.include "c.h"\n.data\n.byte FROM_A, FROM_B, FROM_C\n.incbin "blob.bin"\n');
    const out = join(dir, 'inc.bin');
    expect(await asmMain([src, '-o', out, '--format', 'bin', '-I', join(dir, 'incA'), `-I${join(dir, 'incB')}`])).toBe(0);
    expect([...readFileSync(out)]).toEqual([1, 2, 3, 7, 8]);
    // Without -I the include is not found: a diagnostic, exit status 126.
    const write = process.stderr.write.bind(process.stderr);
    const lines: string[] = [];
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await asmMain([src, '-o', out])).toBe(126);
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toContain(`${src}:1:10: error: cannot find include file 'a.h'`);
  });

  it('API: includeDirs applies to the files map', () => {
    const r = assemble([{ name: 'src/m.s', text: '.include "defs.h"\n.data\n.byte V\n' }], { includeDirs: ['env/p', 'macros'], files: { 'macros/defs.h': '.equ V, 5\n' } });
    expect(r.diagnostics).toEqual([]);
    expect([...r.image.sections[0].data]).toEqual([5]);
  });
});

describe('fast encoder', () => {
  it('agrees with isa/codec encode() on every row for random, boundary and invalid operands', () => {
    let seed = 1;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let mismatches = 0;
    for (const d of INSTRUCTIONS) {
      for (let k = 0; k < 1500; k++) {
        const vals = d.fields.map((f) => (f.kind === 'reg' ? rnd(40) - 4 : [0, 1, -1, 2, rnd(1 << 22) - (1 << 21), rnd(70000) - 35000, 0xfffff, 0xfffe0, rnd(5000), 0.5][rnd(10)]));
        const a = encode(d, vals);
        if ((a.ok ? a.bits : -1) !== encodeBits(d, vals)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('end to end: a riscv-tests-style program runs on the rvx machine', () => {
  const fixture = readFileSync(join(__dirname, 'fixtures/asm/riscv-test-style.s'), 'utf8');

  async function run(text: string): Promise<{ reason: string; code?: number }> {
    const { Machine } = await import('../emulator/machine.js');
    const r = asm(text);
    const m = new Machine({});
    m.load({
      segments: r.image.segments.map((s) => ({ paddr: Number(s.paddr), data: s.data, memsz: s.memsz })),
      entry: Number(r.entry),
      tohost: Number(r.symbols.get('tohost')),
      fromhost: Number(r.symbols.get('fromhost')),
    });
    return m.run(100000) as { reason: string; code?: number };
  }

  it('assembles the preprocessed p-environment and TEST_* macros, .text.init first', () => {
    const r = asm(fixture);
    expect(r.entry).toBe(0x80000000n);
    expect(r.symbols.get('_start')).toBe(0x80000000n);
    expect(r.sections.map((s) => s.name)).toEqual(['.text', '.data', '.tohost']);
    expect(Number(r.symbols.get('tohost')) % 64).toBe(0);
  });

  it('passes (tohost = 1), and reports the failing case when an expectation is wrong', async () => {
    expect(await run(fixture)).toEqual({ reason: 'exit', code: 0 });
    const broken = fixture.replace('li x7, ((0x00000002)', 'li x7, ((0x00000005)');
    expect(await run(broken)).toEqual({ reason: 'exit', code: 3 });
  });
});
