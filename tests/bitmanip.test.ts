// Zba, Zbb, Zbc and Zbs end to end: hand-computed results of every instruction on edge values (zero,
// all ones, sign bits, shift amounts past the width, the W forms' upper halves) in both tiers (the
// interpreter, and the WebAssembly tier translating every block at its first miss); illegal-instruction
// traps without the extension (mtval = the bits); the assembler's refusal without the extension and its
// output against llvm-mc 14 (-mattr=+zba,+zbb,+zbc,+zbs, `li` included) and GNU as 2.40 (arch attribute);
// the cycle model's ALU latency; and the instruction-by-instruction commit log against Spike's when
// RVX_SPIKE (or `spike` on PATH) is there. (The official rv64uzb* suites: tests/run-riscv-tests.test.ts.)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { assemble, assembleObject, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/elf/load.js';
import { main as trace } from '../tools/commands/trace.js';
import { INSTRUCTIONS } from '../isa/instructions.js';
import { encode } from '../isa/codec.js';
import { LLVM_MC, LLVM_SKIP_REASON, llvmMcGroups } from './isa-oracle.js';
import { spikePath } from './helpers/fp-diff.js';
import { Rng, bitmanipLine } from './helpers/random-program.js';
import { HTIF_WORDS as HTIF } from './helpers/heldout.js';

const ISA = 'rv64gc_zba_zbb_zbc_zbs';
const M64 = (1n << 64n) - 1n;
const MIN = 0x8000000000000000n;
const MAX = 0x7fffffffffffffffn;
const A = 0x0123456789abcdefn;

/** [instruction (rd a0, rs1 a1, rs2 a2 or an immediate), rs1, rs2, expected rd]; values as unsigned 64-bit. */
type Case = [insn: string, rs1: bigint, rs2: bigint, want: bigint];

const CASES: Case[] = [
  // Zba
  ['add.uw a0, a1, a2', 0xffffffff80000000n, 1n, 0x80000001n],
  ['add.uw a0, a1, a2', M64, M64, 0xfffffffen],
  ['zext.w a0, a1', 0xfffffffffffffffen, 0n, 0xfffffffen],
  ['sh1add a0, a1, a2', 0x8000000000000001n, 5n, 7n],
  ['sh2add a0, a1, a2', M64, 4n, 0n],
  ['sh3add a0, a1, a2', 0x10n, MAX, 0x800000000000007fn],
  ['sh1add.uw a0, a1, a2', M64, 0n, 0x1fffffffen],
  ['sh2add.uw a0, a1, a2', 0x1234567880000000n, 1n, 0x200000001n],
  ['sh3add.uw a0, a1, a2', 0xfffffffffffffff0n, 0xffffffffffffff80n, 0x7ffffff00n],
  ['slli.uw a0, a1, 0', 0xffffffff80000001n, 0n, 0x80000001n],
  ['slli.uw a0, a1, 31', 0xffffffff80000001n, 0n, 0x4000000080000000n],
  ['slli.uw a0, a1, 32', 0xffffffff80000001n, 0n, 0x8000000100000000n],
  ['slli.uw a0, a1, 63', 0xffffffff80000001n, 0n, MIN],
  // Zbb: logic with negation
  ['andn a0, a1, a2', 0xff00ff00ff00ff00n, 0x0ff00ff00ff00ff0n, 0xf000f000f000f000n],
  ['orn a0, a1, a2', 0n, 0xffffffffn, 0xffffffff00000000n],
  ['xnor a0, a1, a2', 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, 0n],
  ['xnor a0, a1, a2', A, A, M64],
  // counts: 64 (32 for the W forms, on bits 31..0 only) for zero
  ['clz a0, a1', 0n, 0n, 64n],
  ['clz a0, a1', 1n, 0n, 63n],
  ['clz a0, a1', M64, 0n, 0n],
  ['clz a0, a1', 0x100000000n, 0n, 31n],
  ['clzw a0, a1', 0n, 0n, 32n],
  ['clzw a0, a1', 0xffffffff00000000n, 0n, 32n],
  ['clzw a0, a1', 0x8000n, 0n, 16n],
  ['clzw a0, a1', 0x80000000n, 0n, 0n],
  ['ctz a0, a1', 0n, 0n, 64n],
  ['ctz a0, a1', MIN, 0n, 63n],
  ['ctz a0, a1', 0x100000000n, 0n, 32n],
  ['ctzw a0, a1', 0xffffffff00000000n, 0n, 32n],
  ['ctzw a0, a1', 0x80000000n, 0n, 31n],
  ['ctzw a0, a1', 1n, 0n, 0n],
  ['cpop a0, a1', M64, 0n, 64n],
  ['cpop a0, a1', 0n, 0n, 0n],
  ['cpop a0, a1', A, 0n, 32n],
  ['cpopw a0, a1', M64, 0n, 32n],
  ['cpopw a0, a1', 0xffffffff00000000n, 0n, 0n],
  ['cpopw a0, a1', A, 0n, 20n],
  // min/max, signed and unsigned, including equal upper halves
  ['max a0, a1, a2', M64, 1n, 1n],
  ['maxu a0, a1, a2', M64, 1n, M64],
  ['min a0, a1, a2', M64, 1n, M64],
  ['minu a0, a1, a2', M64, 1n, 1n],
  ['max a0, a1, a2', MIN, MAX, MAX],
  ['min a0, a1, a2', MIN, 0n, MIN],
  ['maxu a0, a1, a2', MIN, MAX, MIN],
  ['max a0, a1, a2', 0x0000000180000000n, 0x0000000100000001n, 0x0000000180000000n],
  ['min a0, a1, a2', 0xffffffff00000000n, 0xffffffff7fffffffn, 0xffffffff00000000n],
  ['minu a0, a1, a2', 0xffffffff80000000n, 0xffffffff7fffffffn, 0xffffffff7fffffffn],
  // sign and zero extension
  ['sext.b a0, a1', 0x80n, 0n, 0xffffffffffffff80n],
  ['sext.b a0, a1', 0x123456789abcde7fn, 0n, 0x7fn],
  ['sext.h a0, a1', 0x8000n, 0n, 0xffffffffffff8000n],
  ['sext.h a0, a1', 0xffffffffffff7fffn, 0n, 0x7fffn],
  ['zext.h a0, a1', M64, 0n, 0xffffn],
  ['zext.h a0, a1', 0x12345678n, 0n, 0x5678n],
  // rotates: amounts modulo 64 (rs2[5:0]); the W forms modulo 32 on bits 31..0, sign-extended
  ['rol a0, a1, a2', 0x8000000000000001n, 1n, 3n],
  ['rol a0, a1, a2', 0x8000000000000001n, 65n, 3n],
  ['rol a0, a1, a2', 0x8000000000000001n, 64n, 0x8000000000000001n],
  ['rol a0, a1, a2', 0x8000000000000001n, 32n, 0x0000000180000000n],
  ['ror a0, a1, a2', 1n, 1n, MIN],
  ['ror a0, a1, a2', A, 0xffffffffffffffc4n, 0xf0123456789abcden],
  ['rori a0, a1, 8', A, 0n, 0xef0123456789abcdn],
  ['rori a0, a1, 63', A, 0n, 0x02468acf13579bden],
  ['ror a0, a1, 0', A, 0n, A],
  ['rolw a0, a1, a2', 0x0000000080000001n, 1n, 3n],
  ['rolw a0, a1, a2', 0x0000000080000001n, 33n, 3n],
  ['rolw a0, a1, a2', 0xffffffff40000000n, 1n, 0xffffffff80000000n],
  ['rorw a0, a1, a2', 1n, 1n, 0xffffffff80000000n],
  ['rorw a0, a1, a2', 0xabcdef0000000001n, 32n, 1n],
  ['rorw a0, a1, a2', 1n, 63n, 2n],
  ['roriw a0, a1, 4', 0x12345678n, 0n, 0xffffffff81234567n],
  ['roriw a0, a1, 0', 0xffffffff7fffffffn, 0n, 0x7fffffffn],
  ['rorw a0, a1, 31', 1n, 0n, 2n],
  // bytes
  ['orc.b a0, a1', 0x0100ff0000800000n, 0n, 0xff00ff0000ff0000n],
  ['orc.b a0, a1', 0n, 0n, 0n],
  ['rev8 a0, a1', A, 0n, 0xefcdab8967452301n],
  // Zbc: clmul keeps product bits 63..0, clmulh 127..64, clmulr 126..63
  ['clmul a0, a1, a2', 3n, 3n, 5n],
  ['clmulh a0, a1, a2', 3n, 3n, 0n],
  ['clmulr a0, a1, a2', 3n, 3n, 0n],
  ['clmul a0, a1, a2', MIN, 2n, 0n],
  ['clmulh a0, a1, a2', MIN, 2n, 1n],
  ['clmulr a0, a1, a2', MIN, 2n, 2n],
  ['clmul a0, a1, a2', M64, M64, 0x5555555555555555n],
  ['clmulh a0, a1, a2', M64, M64, 0x5555555555555555n],
  ['clmulr a0, a1, a2', M64, M64, 0xaaaaaaaaaaaaaaaan],
  ['clmulr a0, a1, a2', MIN, MIN, MIN],
  ['clmulh a0, a1, a2', MIN, MIN, 0x4000000000000000n],
  ['clmul a0, a1, a2', A, 1n, A],
  ['clmulh a0, a1, a2', A, 0n, 0n],
  // Zbs: the bit index is rs2 modulo 64
  ['bclr a0, a1, a2', M64, 63n, MAX],
  ['bclr a0, a1, a2', M64, 64n, 0xfffffffffffffffen],
  ['bclri a0, a1, 31', M64, 0n, 0xffffffff7fffffffn],
  ['bext a0, a1, a2', MIN, 63n, 1n],
  ['bext a0, a1, a2', MIN, 127n, 1n],
  ['bext a0, a1, a2', MIN, 62n, 0n],
  ['bexti a0, a1, 32', 0x100000000n, 0n, 1n],
  ['binv a0, a1, a2', 0n, 32n, 0x100000000n],
  ['binvi a0, a1, 0', M64, 0n, 0xfffffffffffffffen],
  ['bset a0, a1, a2', 0n, 95n, 0x80000000n],
  ['bseti a0, a1, 63', 0n, 0n, MIN],
  ['bset a0, a1, 5', 0n, 0n, 32n],
];

const EXIT = `
        li      t0, 1
        la      t1, tohost
        sd      t0, 0(t1)
1:      j       1b`;

/**
 * One case after another: operands into a1/a2, the instruction, its result a0 compared with the expected
 * value (on a difference: exit with code 3, the case's index in s3, the result in a0); all of it twice
 * (the WebAssembly tier takes over at a block boundary, so the second pass is the translated one).
 */
function semanticsProgram(): string {
  const out = ['        .globl _start', '_start:', '        li      s1, 2', 'again:'];
  CASES.forEach(([insn, rs1, rs2, want], k) => {
    out.push(`        li      a1, ${rs1}`, `        li      a2, ${rs2}`, `        ${insn}`, `        li      t0, ${want}`, `        li      s3, ${k}`, '        bne     a0, t0, fail');
  });
  out.push('        addi    s1, s1, -1', '        bnez    s1, again', EXIT);
  out.push('fail:', '        li      t0, 7', '        la      t1, tohost', '        sd      t0, 0(t1)', '2:      j       2b', HTIF);
  return out.join('\n') + '\n';
}

function build(text: string, march = ISA) {
  const r = assemble([{ name: 'bitmanip.s', text }], { march });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r;
}

function readDwords(m: Machine, addr: bigint, n: number): bigint[] {
  const b = m.readPhys(Number(addr), 8 * n);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => v.getBigUint64(8 * i, true));
}

describe('Zba/Zbb/Zbc/Zbs semantics', () => {
  const r = build(semanticsProgram());
  for (const tier of ['interp', 'jit'] as const) {
    it(`gives the hand-computed result of ${CASES.length} edge cases (${tier === 'jit' ? 'WebAssembly tier' : 'interpreter'})`, () => {
      const m = new Machine({ isa: ISA, tier, ...(tier === 'jit' ? { jitHot: 1 } : {}) });
      m.load(toLoadable(r.image));
      const res = m.run(1_000_000);
      if (res.reason === 'exit' && res.code === 3) {
        const [insn, rs1, rs2, want] = CASES[Number(m.getReg(19))];
        expect.fail(`${insn} (rs1 0x${rs1.toString(16)}, rs2 0x${rs2.toString(16)}): 0x${BigInt.asUintN(64, m.getReg(10)).toString(16)}, want 0x${want.toString(16)}`);
      }
      expect(res).toEqual({ reason: 'exit', code: 0 });
      // The translation tier ran the second pass (the li, the instruction and the compare of each case).
      if (tier === 'jit') expect(m.stats.jit!.jitRetired).toBeGreaterThan(CASES.length * 5);
    });
  }

  it('covers every bit-manipulation row of the table', () => {
    const named = new Set(CASES.map(([insn]) => insn.split(' ')[0]));
    named.add('add.uw'); // zext.w
    named.add('rori'); // ror with an immediate
    named.add('bseti');
    const rows = INSTRUCTIONS.filter((d) => /^Zb[abcs]$/.test(d.ext)).map((d) => d.name);
    expect(rows.length).toBe(43);
    expect(rows.filter((n) => !named.has(n))).toEqual([]);
  });
});

describe('without the extension', () => {
  // One instruction of each row, each trapping: the handler records mcause and mtval and skips it.
  const rows = INSTRUCTIONS.filter((d) => /^Zb[abcs]$/.test(d.ext));
  const text = [
    '        .globl _start', '_start:', '        la t0, handler', '        csrw mtvec, t0', '        la s0, results', '        li s1, 0',
    ...rows.map((d) => `        ${d.name} ${d.syntax.replace('rd', 'a0').replace('rs1', 'a1').replace('rs2', 'a2').replace(/shamt[56]/, '3')}`),
    EXIT,
    '        .balign 4',
    'handler:', '        csrr t0, mcause', '        csrr t1, mtval', '        sd t0, 0(s0)', '        sd t1, 8(s0)', '        addi s0, s0, 16',
    '        csrr t0, mepc', '        addi t0, t0, 4', '        csrw mepc, t0', '        mret',
    '        .data', '        .balign 4096', `results: .space ${16 * rows.length}`, HTIF,
  ].join('\n') + '\n';
  const r = build(text, 'rv64gc_zba_zbb_zbc_zbs');
  for (const tier of ['interp', 'jit'] as const) {
    it(`raises illegal instruction with mtval = the bits on rv64gc (${tier})`, () => {
      const m = new Machine({ isa: 'rv64gc', tier, ...(tier === 'jit' ? { jitHot: 1 } : {}) });
      m.load(toLoadable(r.image));
      expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
      const got = readDwords(m, r.symbols.get('results')!, 2 * rows.length);
      rows.forEach((d, k) => {
        const e = encode(d, d.fields.map((f) => ({ rd: 10, rs1: 11, rs2: 12 })[f.name] ?? 3));
        expect(e.ok && got[2 * k], d.name).toBe(2n); // illegal instruction
        expect(e.ok && got[2 * k + 1], d.name).toBe(e.ok ? BigInt(e.bits >>> 0) : -1n); // mtval: the bits
      });
    });
  }

  it('takes B as Zba, Zbb and Zbs (not Zbc), as Spike\'s --isa rv64gcb', () => {
    const m = new Machine({ isa: 'rv64gcb' });
    m.load(toLoadable(r.image));
    expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
    const got = readDwords(m, r.symbols.get('results')!, 2 * rows.length);
    const zbc = rows.filter((d) => d.ext === 'Zbc');
    expect(zbc.length).toBe(3);
    expect([0, 2, 4].map((i) => got[i])).toEqual([2n, 2n, 2n]); // the three clmul* trapped
    expect(got[6]).toBe(0n); // and nothing else
    expect(assemble([{ name: 'x.s', text: 'sh1add a0, a1, a2\nandn a0, a1, a2\nbset a0, a1, a2\n' }], { march: 'rv64gcb' }).ok).toBe(true);
    expect(assemble([{ name: 'x.s', text: 'clmul a0, a1, a2\n' }], { march: 'rv64gcb' }).ok).toBe(false);
  });

  it('misa.B (bit 1) is set with Zba, Zbb and Zbs all there, as Spike sets it; not with any one missing', () => {
    const misaB = (isa: string) => (new Machine({ isa }).readCsr(0x301) >> 1n) & 1n;
    expect(misaB('rv64gcb')).toBe(1n);
    expect(misaB('rv64gc_zba_zbb_zbs')).toBe(1n);
    expect(misaB('rv64gc_zba_zbb_zbs_zbc')).toBe(1n);
    expect(misaB('rv64gc_zba_zbb')).toBe(0n);
    expect(misaB('rv64gc_zbb_zbs')).toBe(0n);
    expect(misaB('rv64gc')).toBe(0n);
  });

  it('says which extension the hart lacks when a program stops on one of them', () => {
    const r0 = build(['        .globl _start', '_start:', '        clmul a0, a1, a2', EXIT, HTIF].join('\n') + '\n');
    const m = new Machine({ isa: 'rv64gc_zba_zbb_zbs' });
    m.load(toLoadable(r0.image));
    const res = m.run(10_000);
    expect(res.reason).toBe('trap-loop');
    expect(res.reason === 'trap-loop' && res.message).toMatch(/illegal instruction at pc 0x80000000 \(0x0ac59533 clmul a0, a1, a2\) \(the hart lacks Zbc: add _zbc to --isa\), tval 0xac59533/);
  });

  it('each extension alone enables only its own instructions', () => {
    for (const ext of ['zba', 'zbb', 'zbc', 'zbs']) {
      const m = new Machine({ isa: `rv64gc_${ext}` });
      m.load(toLoadable(r.image));
      expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
      const got = readDwords(m, r.symbols.get('results')!, 2 * rows.length);
      // Trapping rows were recorded in order; the others ran.
      const trapped = rows.filter((d) => d.ext.toLowerCase() !== ext).length;
      expect(got.slice(0, 2 * trapped).filter((_, i) => i % 2 === 0).every((c) => c === 2n), ext).toBe(true);
      expect(got[2 * trapped], ext).toBe(0n);
    }
  });
});

describe('assembler', () => {
  it('refuses each instruction without its extension, naming it, and keeps going', () => {
    const lines = ['sh1add a0, a1, a2', 'andn a0, a1, a2', 'clmul a0, a1, a2', 'bseti a0, a1, 3', 'rev8 a0, a1', 'ror a0, a1, 3', 'slli.uw a0, a1, 2'];
    const r = assemble([{ name: 'x.s', text: lines.join('\n') + '\n' }], { march: 'rv64gc' });
    expect(r.ok).toBe(false);
    const msgs = r.diagnostics.map(formatDiagnostic);
    expect(msgs).toEqual([
      "x.s:1:1: error: instruction 'sh1add' requires the Zba extension (use --march rv64gc_zba or .option arch, +zba)",
      "x.s:2:1: error: instruction 'andn' requires the Zbb extension (use --march rv64gc_zbb or .option arch, +zbb)",
      "x.s:3:1: error: instruction 'clmul' requires the Zbc extension (use --march rv64gc_zbc or .option arch, +zbc)",
      "x.s:4:1: error: instruction 'bseti' requires the Zbs extension (use --march rv64gc_zbs or .option arch, +zbs)",
      "x.s:5:1: error: instruction 'rev8' requires the Zbb extension (use --march rv64gc_zbb or .option arch, +zbb)",
      "x.s:6:1: error: instruction 'ror' requires the Zbb extension (use --march rv64gc_zbb or .option arch, +zbb)",
      "x.s:7:1: error: instruction 'slli.uw' requires the Zba extension (use --march rv64gc_zba or .option arch, +zba)",
    ]);
  });

  it('enables them with --march, .option arch (push/pop) and .attribute arch', () => {
    const ok = (text: string, march = 'rv64gc') => assemble([{ name: 'x.s', text }], { march }).ok;
    expect(ok('andn a0, a1, a2\n', 'rv64gc_zbb')).toBe(true);
    expect(ok('.option arch, +zbb\nandn a0, a1, a2\n')).toBe(true);
    expect(ok('.option arch, rv64gc_zbs\nbset a0, a1, a2\n')).toBe(true);
    expect(ok('.option arch, +zbb\n.option arch, -zbb\nandn a0, a1, a2\n')).toBe(false);
    expect(ok('.option push\n.option arch, +zba\nsh1add a0, a1, a2\n.option pop\n')).toBe(true);
    expect(ok('.option push\n.option arch, +zba\n.option pop\nsh1add a0, a1, a2\n')).toBe(false);
    expect(ok('.attribute arch, "rv64i2p1_m2p0_a2p1_c2p0_zbc1p0"\nclmulh a0, a1, a2\n')).toBe(true);
  });

  it('keeps zext.w/zext.h/sext.b/sext.h as two base instructions without the extension, as llvm-mc and GNU as', () => {
    const bytes = (text: string, march: string) => Buffer.from(assemble([{ name: 'x.s', text }], { march, base: 0x80000000n }).binary()).toString('hex');
    // slli a0, a1, 32; c.srli a0, 32 ... (llvm-mc -mattr=+m,+a,+c)
    expect(bytes('zext.w a0, a1\n', 'rv64imac')).toBe('1395050201' + '91');
    expect(bytes('zext.w a0, a1\n', 'rv64imac_zba')).toBe('3b850508');
    expect(bytes('zext.h a0, a1\nsext.b a0, a1\nsext.h a0, a1\n', 'rv64imac_zbb')).toBe('3bc50508' + '13954560' + '13955560');
    expect(bytes('zext.b a0, a1\nsext.w a0, a1\n', 'rv64imac_zbb')).toBe(bytes('zext.b a0, a1\nsext.w a0, a1\n', 'rv64imac'));
  });

  it('writes the arch attribute as GNU as 2.40 does', () => {
    const arch = (text: string, march: string) => {
      const o = assembleObject({ name: 'x.s', text }, { march });
      expect(o.ok).toBe(true);
      return Buffer.from(o.bytes).toString('latin1').match(/rv64[a-z0-9_]+/)![0];
    };
    // riscv64-unknown-elf-as 2.40 -march=rv64gc_zba_zbb_zbc_zbs / -march=rv64gc with the .option lines.
    expect(arch('nop\n', 'rv64gc_zba_zbb_zbc_zbs')).toBe('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0_zba1p0_zbb1p0_zbc1p0_zbs1p0');
    expect(arch('.option arch, +zbb\n', 'rv64gc')).toBe('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0_zbb1p0');
    expect(arch('.option push\n.option arch, +zbb\n.option pop\n', 'rv64gc')).toBe('rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0');
    expect(arch('.option arch, +zbb\n.option arch, -c\n', 'rv64gc')).toBe('rv64i2p1_m2p0_a2p1_f2p2_d2p2_zicsr2p0_zifencei2p0_zmmul1p0_zbb1p0');
    expect(arch('.option arch, rv64imac_zbs\n', 'rv64gc')).toBe('rv64i2p1_m2p0_a2p1_c2p0_zmmul1p0_zbs1p0');
  });
});

describe.skipIf(!LLVM_MC)('assembler vs llvm-mc 14 with +zba,+zbb,+zbc,+zbs', () => {
  if (!LLVM_MC) console.warn(LLVM_SKIP_REASON);
  it('assembles every case, the register forms with immediates, the pseudo-instructions and li exactly as llvm-mc', () => {
    const lines = [...new Set(CASES.map(([insn]) => insn))];
    lines.push('zext.w t0, s11', 'sext.b s1, zero', 'zext.h sp, sp', 'bext a0, a1, 63', 'binv t6, t5, 0', 'bclr ra, ra, 40', 'rorw a5, a4, 31');
    for (const v of [0x8000000000000001n, 0xffffffff7fffffffn, 0xfffff000n, 0x123456789n, 0x1000000001n, 0x17ffd0003n, 0x5555555555555555n, 0xf00000000000000fn]) {
      lines.push(`li a0, ${v}`, `li t3, ${BigInt.asIntN(64, v)}`);
    }
    const mattr = '+m,+a,+c,+zba,+zbb,+zbc,+zbs';
    const want = llvmMcGroups(lines, mattr);
    const failures: string[] = [];
    lines.forEach((line, i) => {
      const r = assemble([{ name: 'x.s', text: line + '\n' }], { march: 'rv64imac_zba_zbb_zbc_zbs', base: 0x80000000n });
      const got = r.ok ? Buffer.from(r.binary()).toString('hex') : r.diagnostics.map(formatDiagnostic).join('; ');
      const exp = Buffer.from(want[i] as Uint8Array).toString('hex');
      if (got !== exp) failures.push(`${line}: rvx ${got}, llvm-mc ${exp}`);
    });
    expect(failures).toEqual([]);
  });
});

describe('cycle model', () => {
  it('charges the ALU latency: a dependent chain of bit-manipulation instructions runs at one per cycle, as addi', () => {
    const chain = (op: string) => build(['        .globl _start', '_start:', '        li a0, 5', ...Array(200).fill(`        ${op}`), EXIT, HTIF].join('\n') + '\n');
    const cycles = (op: string) => {
      const m = new Machine({ isa: ISA, tier: 'interp' });
      m.load(toLoadable(chain(op).image));
      expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
      return m.stats.cycles;
    };
    const base = cycles('addi a0, a0, 1');
    for (const op of ['sh1add a0, a0, a0', 'clz a0, a0', 'rori a0, a0, 3', 'clmul a0, a0, a0', 'bseti a0, a0, 9', 'rev8 a0, a0']) {
      expect(cycles(op), op).toBe(base);
    }
  });
});

// gcc 12 output: a C program whose -O2 code under -march=rv64gc_zba_zbb_zbs uses cpop(w), clz(w), ctz, rev8,
// andn, orn, min, maxu, rol, sext.b/h, zext.h/w, sh2add, sh3add.uw, bset(i) (checked below), built with and
// without the extensions: rvx assembles both, the bit-manipulation build gives the base build's result in
// both tiers and dies on rv64gc, and its object is GNU as's byte for byte under --compat gnu.
const HAVE_GCC = spawnSync('sh', ['-c', 'command -v riscv64-unknown-elf-gcc && command -v riscv64-unknown-elf-objcopy'], { encoding: 'utf8' }).status === 0;
const C_PROGRAM = `
typedef unsigned long u64; typedef long i64; typedef unsigned u32;
volatile u64 result;
static u64 vals[] = {0, 1, ~0ul, 0x8000000000000000ul, 0x7ffffffffffffffful, 0x0123456789abcdeful,
                     0xffffffff80000000ul, 0x00000000fffffffful, 0x80ul, 0x8000ul};
__attribute__((noinline)) u64 mix(u64 a, u64 b, unsigned i) {
  u64 r = 0;
  r += __builtin_popcountl(a) + __builtin_popcount((u32)b);
  r += a ? __builtin_clzl(a) : 64;
  r += b ? __builtin_ctzl(b) : 64;
  r += (u32)a ? __builtin_clz((u32)a) : 32;
  r ^= (a << (i & 63)) | (a >> ((64 - i) & 63));
  r += __builtin_bswap64(b);
  r += (i64)a < (i64)b ? a : b;
  r += a > b ? a : b;
  r += a & ~b;
  r ^= a | ~b;
  r += (signed char)a + (short)b + (unsigned short)a;
  r += (u32)a + ((u64)(u32)b << 3);
  r += b + a * 3 + (a << 1);
  r ^= a | (1ul << (i & 63));
  r ^= b & ~(1ul << ((i + 7) & 63));
  r += (a >> (i & 63)) & 1;
  r += 0x1234567890ul + (a ^ 0x8000000000000001ul);
  return r;
}
int main(void) {
  u64 acc = 0;
  for (unsigned i = 0; i < 10; i++)
    for (unsigned j = 0; j < 10; j++) acc = acc * 31 + mix(vals[i], vals[j], i * 7 + j);
  result = acc;
  return 0;
}
`;
const CRT = `
        .globl _start
_start: la      sp, stack_top
        call    main
${EXIT}
        .bss
        .balign 16
        .space  65536
stack_top:
${HTIF}
`;

describe.skipIf(!HAVE_GCC)(`gcc 12 -march=rv64gc_zba_zbb_zbs output${HAVE_GCC ? '' : ' (skipped: no riscv64-unknown-elf-gcc)'}`, () => {
  const dir = HAVE_GCC ? mkdtempSync(join(tmpdir(), 'rvx-gcc-zb-')) : '';
  const compile = (march: string) => {
    writeFileSync(join(dir, 't.c'), C_PROGRAM);
    const out = join(dir, `${march}.s`);
    const g = spawnSync('riscv64-unknown-elf-gcc', ['-O2', '-S', '-mcmodel=medany', `-march=${march}`, '-mabi=lp64d', join(dir, 't.c'), '-o', out], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(g.stderr);
    return readFileSync(out, 'utf8');
  };
  // libgcc for the base build's __popcountdi2 (the Zbb build uses cpop instead).
  const libgcc = HAVE_GCC ? spawnSync('riscv64-unknown-elf-gcc', ['-march=rv64gc', '-mabi=lp64d', '-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim() : '';
  const run = (text: string, march: string, isa: string, tier: 'interp' | 'jit') => {
    const objects = [{ name: 'libgcc.a', bytes: readFileSync(libgcc) }];
    const r = assemble([{ name: 'crt.s', text: CRT }, { name: 'prog.s', text }], { march, objects });
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
    const m = new Machine({ isa, tier, ...(tier === 'jit' ? { jitHot: 1 } : {}) });
    m.load(toLoadable(r.image));
    const res = m.run(10_000_000);
    return { res, value: res.reason === 'exit' ? readDwords(m, r.symbols.get('result')!, 1)[0] : -1n, jit: m.stats.jit?.jitRetired ?? 0 };
  };

  it('runs to the base build\'s result in both tiers, and is refused by an rv64gc hart', () => {
    const zb = compile('rv64gc_zba_zbb_zbs');
    for (const op of ['cpop', 'clz', 'ctz', 'rev8', 'andn', 'min', 'maxu', 'rol', 'sext.b', 'zext.h', 'zext.w', 'sh2add', 'sh3add.uw', 'bseti']) {
      expect(new RegExp(`^\\s+${op.replace('.', '\\.')}\\s`, 'm').test(zb), op).toBe(true);
    }
    const base = run(compile('rv64gc'), 'rv64gc', 'rv64gc', 'interp');
    expect(base.res).toEqual({ reason: 'exit', code: 0 });
    for (const tier of ['interp', 'jit'] as const) {
      const z = run(zb, 'rv64gc_zba_zbb_zbs', 'rv64gc_zba_zbb_zbs', tier);
      expect(z.res, tier).toEqual({ reason: 'exit', code: 0 });
      expect(z.value, tier).toBe(base.value);
      if (tier === 'jit') expect(z.jit).toBeGreaterThan(1000);
    }
    expect(run(zb, 'rv64gc_zba_zbb_zbs', 'rv64gc', 'interp').res).not.toEqual({ reason: 'exit', code: 0 });
    // gcc's `.attribute arch, "rv64i2p1_..._zba1p0_zbb1p0_zbs1p0"` enables them whatever --march says (as in
    // GNU as); without that line --march rv64gc refuses the code.
    expect(/^\s*\.attribute arch, "[^"]*_zbb1p0/m.test(zb)).toBe(true);
    expect(assemble([{ name: 'prog.s', text: zb }], { march: 'rv64gc' }).ok).toBe(true);
    expect(assemble([{ name: 'prog.s', text: zb.replace(/^\s*\.attribute arch.*$/m, '') }], { march: 'rv64gc' }).ok).toBe(false);
  });

  it('assembles to GNU as 2.40\'s object bytes under --compat gnu', () => {
    const zb = compile('rv64gc_zba_zbb_zbs');
    writeFileSync(join(dir, 'zb.s'), zb);
    const gas = spawnSync('riscv64-unknown-elf-as', ['-march=rv64gc_zba_zbb_zbs', '-mabi=lp64d', join(dir, 'zb.s'), '-o', join(dir, 'gas.o')], { encoding: 'utf8' });
    expect(gas.status, gas.stderr).toBe(0);
    const o = assembleObject({ name: 'zb.s', text: zb }, { march: 'rv64gc_zba_zbb_zbs', mabi: 'lp64d', compat: 'gnu' });
    expect(o.ok, o.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
    writeFileSync(join(dir, 'rvx.o'), o.bytes);
    const text = (obj: string) => {
      const bin = join(dir, `${obj}.text`);
      const c = spawnSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.text', join(dir, obj), bin], { encoding: 'utf8' });
      expect(c.status, c.stderr).toBe(0);
      return readFileSync(bin).toString('hex');
    };
    expect(text('rvx.o')).toBe(text('gas.o'));
    const attrs = (obj: string) => spawnSync('riscv64-unknown-elf-readelf', ['-A', join(dir, obj)], { encoding: 'utf8' }).stdout.match(/Tag_RISCV_arch: "([^"]*)"/)?.[1];
    expect(attrs('rvx.o')).toBe(attrs('gas.o'));
  });

  it('expands li, zext.w/zext.h/sext.b/sext.h and the immediate forms as GNU as 2.40 does under --compat gnu', () => {
    const lines = ['zext.w a0, a1', 'zext.h a2, a3', 'sext.b a4, a5', 'sext.h s0, s1', 'ror a0, a1, 7', 'rorw t0, t1, 31', 'bset a0, a0, 40', 'bext a1, a2, 63'];
    for (const v of [0x8000000000000001n, 0xffffffff7fffffffn, 0xfffff000n, 0x123456789n, 0x1000000001n, 0x17ffd0003n, 0xf00000000000000fn]) lines.push(`li a0, ${v}`);
    const text = lines.join('\n') + '\n';
    for (const march of ['rv64gc', 'rv64gc_zba_zbb_zbs']) {
      const src = march === 'rv64gc' ? lines.filter((l) => !/^(ror|bset|bext)/.test(l)).join('\n') + '\n' : text;
      writeFileSync(join(dir, 'li.s'), src);
      const gas = spawnSync('riscv64-unknown-elf-as', [`-march=${march}`, join(dir, 'li.s'), '-o', join(dir, 'li-gas.o')], { encoding: 'utf8' });
      expect(gas.status, gas.stderr).toBe(0);
      const o = assembleObject({ name: 'li.s', text: src }, { march, compat: 'gnu' });
      expect(o.ok, o.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
      writeFileSync(join(dir, 'li-rvx.o'), o.bytes);
      const hex = (obj: string) => {
        spawnSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.text', join(dir, obj), join(dir, `${obj}.bin`)]);
        return readFileSync(join(dir, `${obj}.bin`)).toString('hex');
      };
      expect(hex('li-rvx.o'), march).toBe(hex('li-gas.o'));
    }
  });
});

const SPIKE = spikePath();
describe('commit log against Spike', () => {
  it.skipIf(!SPIKE)(`matches spike --isa=${ISA} --log-commits line for line${SPIKE ? '' : ' (skipped: no spike; set RVX_SPIKE)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-spike-bitmanip-'));
    const elf = join(dir, 'bitmanip.elf');
    writeFileSync(elf, build(semanticsProgram()).elf());
    const sp = spawnSync(SPIKE!, [`--isa=${ISA}`, '--log-commits', elf], { encoding: 'utf8', timeout: 60000 });
    const spike = sp.stderr.split('\n').filter((l) => l.startsWith('core'));
    const out = join(dir, 'rvx.txt');
    expect(await trace([elf, '--isa', ISA, '-o', out])).toBe(0);
    const ours = readFileSync(out, 'utf8').trim().split('\n');
    expect(ours.length).toBeGreaterThan(CASES.length * 4);
    expect(spike.slice(0, ours.length)).toEqual(ours);
  });

  for (const seed of [9101, 9102]) {
    it.skipIf(!SPIKE)(`random program with bit manipulation, seed ${seed}: the same commit log as Spike${SPIKE ? '' : ' (skipped: no spike; set RVX_SPIKE)'}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rvx-spike-bitmanip-'));
      const elf = join(dir, 'random.elf');
      // Registers set to edge and random values, then only bit manipulation (Spike traps on misaligned
      // accesses, which the general random programs make).
      const rng = new Rng(seed);
      const lines = ['        .globl _start', '_start:'];
      for (let r = 1; r < 32; r++) lines.push(`        li x${r}, ${rng.value()}`);
      for (let i = 0; i < 400; i++) lines.push('        ' + bitmanipLine(rng));
      writeFileSync(elf, build([...lines, EXIT, HTIF].join('\n') + '\n').elf());
      const sp = spawnSync(SPIKE!, [`--isa=${ISA}`, '--log-commits', elf], { encoding: 'utf8', timeout: 20000, maxBuffer: 1 << 28 });
      const spike = sp.stderr.split('\n').filter((l) => l.startsWith('core'));
      const out = join(dir, 'rvx.txt');
      expect(await trace([elf, '--isa', ISA, '-o', out])).toBe(0);
      const ours = readFileSync(out, 'utf8').trim().split('\n');
      expect(ours.length).toBeGreaterThan(400);
      const firstDiff = ours.findIndex((l, i) => l !== spike[i]);
      expect(firstDiff === -1 ? null : `line ${firstDiff + 1}: rvx ${ours[firstDiff]} / spike ${spike[firstDiff]}`).toBe(null);
    });
  }
});
