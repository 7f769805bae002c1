// Differential tests: rvx's assembler against llvm-mc 14 (the oracle). Each test assembles the same source
// with both and compares the bytes of .text. llvm-mc runs with -relax off so that branches to local labels
// are resolved in the object file; only fully resolved code is compared (no symbol references that would
// leave relocations). Skipped, with a message, when llvm-mc or llvm-objcopy is not installed.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTRUCTIONS, type InstrDef } from '../isa/instructions.js';
import type { OperandField } from '../isa/operands.js';
import { assemble, assembleObject } from '../tools/asm/index.js';
import { readObject } from '../tools/elf/object.js';

function have(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const HAVE_LLVM = have('llvm-mc') && have('llvm-objcopy');
if (!HAVE_LLVM) console.warn('asm-llvm.test.ts: llvm-mc / llvm-objcopy not found; differential tests against LLVM are skipped');

const dir = mkdtempSync(join(tmpdir(), 'rvx-asm-llvm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** .text bytes from llvm-mc, or the error text. */
function llvmText(src: string, c: boolean): { bytes?: Buffer; error?: string } {
  const n = counter++;
  const s = join(dir, `t${n}.s`);
  const o = join(dir, `t${n}.o`);
  const b = join(dir, `t${n}.bin`);
  writeFileSync(s, src);
  try {
    execFileSync('llvm-mc', ['-triple=riscv64', `-mattr=+m,+a,+f,+d${c ? ',+c' : ''},-relax`, '-filetype=obj', '-o', o, s], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('llvm-objcopy', ['-O', 'binary', '--only-section=.text', o, b]);
    return { bytes: readFileSync(b) };
  } catch (e) {
    return { error: String((e as { stderr?: Buffer }).stderr ?? e) };
  }
}

function rvxText(src: string, c: boolean): Buffer {
  const r = assemble([{ name: 't.s', text: src }], { march: c ? 'rv64imac' : 'rv64ima' });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).slice(0, 10).join('\n'));
  const text = r.image.sections.find((s) => s.name === '.text');
  return Buffer.from(text ? text.data : new Uint8Array(0));
}

/** Compare and, on a mismatch, name the first differing source line via rvx's listing. */
function compare(src: string, c: boolean): void {
  const ref = llvmText(src, c);
  if (ref.error) throw new Error(`llvm-mc rejected the test input:\n${ref.error.slice(0, 2000)}`);
  const mine = rvxText(src, c);
  if (Buffer.compare(mine, ref.bytes!) === 0) return;
  let at = 0;
  while (at < mine.length && at < ref.bytes!.length && mine[at] === ref.bytes![at]) at++;
  const r = assemble([{ name: 't.s', text: src }], { march: c ? 'rv64imac' : 'rv64ima' });
  const addr = 0x80000000 + at;
  const line = r.listing.split('\n').filter((l) => /^[0-9a-f]{8} /.test(l) && parseInt(l.slice(0, 8), 16) <= addr).pop();
  const hex = (b: Buffer) => b.subarray(at, at + 8).toString('hex');
  expect.fail(`bytes differ at .text+0x${at.toString(16)} (rvx ${hex(mine)}, llvm ${hex(ref.bytes!)}; lengths ${mine.length}/${ref.bytes!.length}) near: ${line}`);
}

/** Remove lines llvm-mc rejects (it names them file:line), so the rest can be compared. */
function llvmAccepted(lines: string[], c: boolean): string[] {
  let cur = lines;
  for (let round = 0; round < 3; round++) {
    const r = llvmText(cur.join('\n') + '\n', c);
    if (!r.error) return cur;
    const bad = new Set<number>();
    for (const m of r.error.matchAll(/\.s:(\d+):\d+: error/g)) bad.add(Number(m[1]) - 1);
    if (!bad.size) throw new Error(r.error.slice(0, 2000));
    cur = cur.filter((_, i) => !bad.has(i));
  }
  return cur;
}

// ---- operand values for table rows ----------------------------------------------------------------------

const REGS = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 's0', 's1', 'a0', 'a5', 'a7', 's11', 't6', 'x31', 'x9'];
const PRIME = ['s0', 's1', 'a0', 'a3', 'a5', 'x15'];
const FREGS = ['ft0', 'ft1', 'fs0', 'fs1', 'fa0', 'fa7', 'fs11', 'ft11', 'f31', 'f9', 'F3'];
const FPRIME = ['fs0', 'fs1', 'fa0', 'fa3', 'fa5', 'f15'];
const CSRS = ['mstatus', 'sstatus', 'satp', 'mepc', 'cycle', '0x7c0', '4095', '0'];

function immValues(f: OperandField & { kind: 'imm' }): string[] {
  if (f.name === 'csr') return CSRS;
  if (f.print === 'fence') return ['iorw', 'rw', 'w', 'i', 'o', 'ir'];
  if (f.print === 'rm') return ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn'];
  if (f.upper20) return ['1', '31', '0xfffe0', '0xfffff', '7'];
  const step = 2 ** f.align;
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = (f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1) - (step - 1);
  const out = new Set<number>([lo, hi, step, 0, lo + step, hi - step]);
  if (f.signed) out.add(-step);
  return [...out].filter((v) => v >= lo && v <= hi).map(String);
}

function fieldValues(f: OperandField): string[] {
  if (f.kind === 'reg' && f.file === 'f') return f.prime ? FPRIME : FREGS;
  if (f.kind === 'reg') return f.prime ? PRIME : REGS;
  return immValues(f);
}

/** Lines exercising a row: each operand through its values with the others at a middle choice. */
function rowLines(def: InstrDef): string[] {
  const slotValues: string[][] = def.slots.map((s) => {
    if (s.kind === 'fixedReg') return [s.reg === 2 ? 'sp' : s.reg === 1 ? 'ra' : 'zero'];
    if (s.kind === 'field') return fieldValues(s.field);
    const bases = typeof s.base === 'number' ? ['sp'] : fieldValues(s.base);
    const offs = s.offset ? fieldValues(s.offset) : [''];
    const out: string[] = [];
    for (const o of offs) out.push(`${o}(${bases[offs.indexOf(o) % bases.length]})`);
    for (const b of bases) out.push(`${offs[1 % offs.length]}(${b})`);
    return out;
  });
  if (slotValues.length === 0) return [def.name];
  const lines: string[] = [];
  slotValues.forEach((vals, k) => {
    for (const v of vals) {
      const ops = slotValues.map((vs, j) => (j === k ? v : vs[Math.min(2, vs.length - 1)]));
      lines.push(`${def.name} ${ops.join(', ')}`);
    }
  });
  return lines;
}

describe.skipIf(!HAVE_LLVM)('rvx asm vs llvm-mc', () => {
  for (const c of [true, false]) {
    it(`every table row with boundary operands (${c ? '+c' : 'no C'})`, () => {
      const lines: string[] = ['.text'];
      for (const def of INSTRUCTIONS) {
        if (def.ext === 'Xpc') continue; // ours: llvm-mc does not know XPC
        if (def.ext === 'C' && !c) continue;
        lines.push(...rowLines(def));
      }
      const accepted = llvmAccepted(lines, c);
      expect(accepted.length).toBeGreaterThan(lines.length * 0.8);
      compare(accepted.join('\n') + '\n', c);
    });
  }

  const PSEUDO = `
  nop
  fmv.s fa0, fa1
  fneg.s ft0, ft1
  fabs.s fs0, fa5
  fmv.d f1, f2
  fneg.d fa0, fa0
  fabs.d ft11, fs11
  fgt.s a0, fa0, fa1
  fge.d t0, ft0, ft1
  fmv.x.s a0, fa0
  fmv.s.x fa0, a0
  fadd.d fa0, fa1, fa2
  fmadd.s fa0, fa1, fa2, fa3
  fsqrt.d fa0, fa1
  fcvt.l.d a0, fa0
  fcvt.s.lu fa0, a1
  frcsr a0
  fscsr a1
  fscsr a0, a1
  frrm t0
  fsrm a2
  fsrmi 4
  fsrmi a0, 1
  frflags a1
  fsflags a2
  fsflagsi 31
  fld fa0, 8(sp)
  fsd fs1, 504(sp)
  fld fa5, 248(a5)
  flw ft0, -4(a0)
  fsw ft1, 2047(x31)
  mv a0, a1
  mv s0, zero
  not t0, t1
  neg a0, a1
  negw a2, a3
  sext.w a0, a0
  sext.w a0, a1
  zext.b s1, s1
  seqz a0, a1
  snez a0, a1
  sltz a0, a1
  sgtz a0, a1
  sgt a0, a1, a2
  sgtu a0, a1, a2
  jr ra
  jr t0
  jalr a0
  jalr s1, a0
  jalr ra, 8(a0)
  jalr t0, a1, -4
  jalr 12(a2)
  ret
  csrr a0, mhartid
  csrw mscratch, a0
  csrs mie, t0
  csrc mip, t1
  csrwi mstatus, 8
  csrsi sstatus, 2
  csrci sstatus, 31
  csrw mstatus, 5
  csrs mstatus, 0
  csrrw a0, mstatus, 3
  csrrs a0, 0x340, 31
  rdcycle a0
  rdtime t0
  rdinstret s1
  fence
  fence rw, rw
  fence.i
  fence.tso
  sfence.vma
  sfence.vma a0
  sfence.vma a0, a1
  unimp
  ebreak
  ecall
  lr.w a0, (a1)
  lr.d.aqrl a0, 0(a1)
  sc.w.rl a0, a2, (a1)
  amoswap.d.aq t0, t1, (t2)
  lw a0, 0(a1)
  lw a0, (a1)
  sd a0, -8(sp)
  ld a0, %lo(0x12345)(a1)
  lui a0, %hi(0x12345fff)
  addi a0, a0, %lo(0x12345fff)
  .equ K, 100
  addi a0, a0, K
  addi a0, a0, K * 2 - 3
  li a0, K << 4
  li a1, 'a'
  li a2, '\\n'
  li a3, (1 + 2) | 4 & 6
  li a4, ~0
  li a5, -(5 % 3)
  li t0, 0b1011
  li t1, 017
  li t2, 100 / 7
  li s0, 1 << 40 >> 3
  li s1, 7 ^ 2
  or gp, gp, 1
  sll gp, gp, 1
  add a0, a1, 5
  and a0, a0, 3
  xor a0, a0, -1
  srl a0, a0, 3
  sra a0, a0, 3
  slt a0, a1, 3
  sltu a0, a1, 3
  addw a0, a0, 3
  sllw a0, a0, 3
  srlw a0, a0, 3
  sraw a0, a0, 3
  li a0, 0xffffffffffffffff & 0xff
  li a1, (0x800 | (-((0x800 >> 11) & 1) << 11))
  addi a0, a0, -0
  sd a0, -0(sp)
  li a1, -0
  li a2, 0x40000000
  li a3, 1073741824
  li a4, 0x80000000
  li a5, 2147483648
  li t0, -2147483649
  li t1, 0xffffffffff
  li t2, 999999999999
  `;
  for (const c of [true, false]) {
    it(`pseudo-instructions, aliases and expressions (${c ? '+c' : 'no C'})`, () => compare(PSEUDO, c));
  }

  it('li over tricky constants, with and without C', () => {
    const values = new Set<bigint>();
    const add = (v: bigint) => values.add(BigInt.asIntN(64, v));
    for (const v of [0n, 1n, -1n, 2047n, 2048n, -2048n, -2049n, 4095n, 4096n, 0x7ffn, 0x800n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
      0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdef0n, 0xfffff800n, 0x7ffff800n, 0x80000800n, -0x80000000n,
      -0x80000001n, 0xfedcba9876543210n, 0x8000000000000001n, 0xffffffff00000000n, 0xffff0000ffff0000n, 0x00000fff00000fffn]) add(v);
    for (let k = 0; k < 64; k++) {
      add(1n << BigInt(k));
      add(-(1n << BigInt(k)));
      add((1n << BigInt(k)) - 1n);
      add((1n << BigInt(k)) + 1n);
      add(((1n << 64n) - 1n) << BigInt(k)); // ones then zeros
    }
    let seed = 0x2545f491n;
    for (let k = 0; k < 80; k++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      add(seed);
      add(seed >> BigInt(k % 60));
      add(seed & 0xfff000fffn);
    }
    const regs = ['a0', 's1', 'sp', 'zero', 't6'];
    const src = [...values].map((v, i) => `li ${regs[i % regs.length]}, ${v}`).join('\n') + '\n';
    expect(values.size).toBeGreaterThan(300);
    compare(src, true);
    compare(src, false);
  });

  function relaxProgram(seed: number): string {
    let s = seed;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s % n;
    };
    const lines = ['.text', 'start:'];
    for (let i = 0; i < 60; i++) {
      const k = rnd(100);
      const target = `L${rnd(31)}`;
      if (k < 20) lines.push(`beqz a${rnd(6)}, ${target}`);
      else if (k < 35) lines.push(`j ${target}`);
      else if (k < 45) lines.push(`bnez s${rnd(2)}, ${target}`);
      else if (k < 50) lines.push(`.p2align ${1 + rnd(4)}`);
      else if (k < 55) lines.push(`bltz a0, ${target}`);
      else if (k < 58) lines.push(`jal ${target}`);
      else if (k < 60) lines.push(`beq a0, zero, ${target}`);
      else lines.push(`.rept ${1 + rnd(20)}`, 'add a0, a1, a2', 'nop', '.endr');
      if (i < 31) lines.push(`L${i}:`);
    }
    lines.push('beqz a0, 1f', '.zero 300', '1: j 2f', '.space 2040', '2: bnez a0, 1b', 'j 1b', 'j .', 'c.j 2b', 'c.beqz a0, 1b');
    return lines.join('\n') + '\n';
  }
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`branch relaxation where the compressed choice depends on layout (seed ${seed})`, () => {
      compare(relaxProgram(seed), true);
      compare(relaxProgram(seed).replace(/c\.(j|beqz) .*\n/g, ''), false);
    });
  }

  it('branches exactly at the compressed range limits, both directions', () => {
    const lines = ['.text'];
    for (const pad of [250, 252, 254, 256, 258, 2040, 2044, 2046, 2048, 2050]) {
      lines.push(`b${pad}:`, `.space ${pad - 2}`, `beqz a0, b${pad}`, `j b${pad}`, `bnez s1, f${pad}`, `j g${pad}`, `.space ${pad - 4}`, `f${pad}:`, `.space 2`, `g${pad}:`);
    }
    compare(lines.join('\n') + '\n', true);
  });

  it('code alignment padding with nops (C on and off)', () => {
    const src = ['.text', 'nop', '.p2align 3', 'c.nop', '.p2align 4', 'add a0, a0, a1', '.balign 16', 'c.nop', '.align 2', 'ret', 'c.nop', '.p2align 4,,15', 'c.nop',
      '.p2align 3,,2', 'ret', '.p2align 3,,6', 'ret', '.balign 8, 0', 'ret'].join('\n') + '\n';
    compare(src, true);
    compare(src.replace(/c\.nop/g, 'nop'), false);
  });

  it('.org in code', () => {
    compare('.text\nnop\n.org 0x10\nnop\nc.nop\n.org 0x20, 0xff\nret\n', true);
  });

  it('.org label + k after branches that relax: the target moves with the label', () => {
    const src = '.text\nbnez a0, far\nvec: beqz a0, far\nj far\nbeq a0, a1, far\n.org vec + 0x40\nfar: nop\n.org far + 8, 0xff\nret\n';
    compare(src, true);
    compare(src, false);
  });

  it('.option rvc / norvc / push / pop switch compression', () => {
    const src = ['.text', 'addi a0, a0, 1', '.option push', '.option norvc', 'addi a0, a0, 1', 'beqz a0, 1f', '.option rvc', 'addi a0, a0, 1', '.option pop', 'addi a0, a0, 1', '1: ret'].join('\n') + '\n';
    compare(src, true);
  });

  it('floating-point CSR pseudo-instructions (Zicsr on fcsr/frm/fflags) and move: as llvm-mc with +f', () => {
    const src = '.text\nfrcsr a0\nfscsr a1\nfscsr a0, a1\nfrrm a2\nfsrm a3\nfsrm a2, a3\nfsrmi 3\nfsrmi a0, 4\nfrflags a4\nfsflags a5\nfsflags a4, a5\nfsflagsi 31\nfsflagsi a0, 1\nmove s0, s1\n';
    const s = join(dir, 'fpcsr.s');
    const o = join(dir, 'fpcsr.o');
    const b = join(dir, 'fpcsr.bin');
    writeFileSync(s, src);
    execFileSync('llvm-mc', ['-triple=riscv64', '-mattr=+m,+a,+c,+f,-relax', '-filetype=obj', '-o', o, s]);
    execFileSync('llvm-objcopy', ['-O', 'binary', '--only-section=.text', o, b]);
    expect(rvxText(src, true).equals(readFileSync(b))).toBe(true);
    // GNU's older names frsr/fssr are the same instructions.
    expect(rvxText('frsr a0\nfssr a1\nfssr a0, a1\n', true).equals(rvxText('frcsr a0\nfscsr a1\nfscsr a0, a1\n', true))).toBe(true);
  });

  it('call / tail with @plt (gcc -fPIC output): the same code as without', () => {
    compare('.text\nf: nop\ncall f@plt\ntail f@plt\ncall a0, f@plt\ncall f\n', true);
  });
});

// ---- random programs ------------------------------------------------------------------------------------

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5',
  's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

/** A random program: table rows with random in-range operands, pseudo-instructions, labels and branches. */
function randomProgram(seed: number, c: boolean): string[] {
  let s = seed >>> 0;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const value = (f: OperandField): string => {
    if (f.kind === 'reg') return f.prime ? ABI[8 + rnd(8)] : ABI[rnd(32)];
    if (f.name === 'csr') return ['mstatus', 'mepc', 'satp', 'sscratch', 'cycle', String(rnd(4096))][rnd(6)];
    if (f.print === 'fence') return ['iorw', 'rw', 'r', 'w', 'io', 'ow'][rnd(6)];
    if (f.upper20) return String([1 + rnd(31), 0xfffe0 + rnd(32)][rnd(2)]);
    const step = 2 ** f.align;
    const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
    const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
    let v = rnd(3) === 0 ? rnd(64) - 32 : lo + rnd(hi - lo + 1);
    v = Math.max(lo, Math.floor(v / step) * step);
    return String(Math.min(v, hi - (step - 1)));
  };
  const rows = INSTRUCTIONS.filter((d) => d.ext !== 'Xpc' && (c || d.ext !== 'C'));
  const pseudos = ['nop', 'mv a0, a1', 'li a0, VAL', 'li s1, VAL', 'not a0, a1', 'neg a5, a4', 'seqz s0, s1', 'beqz a0, LBL', 'bnez s1, LBL', 'j LBL',
    'jal LBL', 'bgt a0, a1, LBL', 'ble a0, a1, LBL', 'blez a0, LBL', 'bgtz a0, LBL', 'call LBL', 'tail LBL', 'ret', 'jr a0', 'csrr a0, mstatus',
    'csrw mstatus, a0', 'csrwi mstatus, 3', 'la a0, LBL', 'lw a0, LBL', 'sd a0, LBL, t0', '.p2align 2', '.balign 8', '.half 0x1234', '.word 7',
    '.option push', '.option pop', '.p2align 3,,4', 'c.nop', 'ori gp, gp, 3', 'sltu a0, a1, 5'];
  const lines = ['.text'];
  let labels = 0;
  for (let i = 0; i < 400; i++) {
    if (rnd(8) === 0) {
      lines.push(`L${labels++}:`);
      continue;
    }
    if (rnd(4) === 0) {
      const v = BigInt.asIntN(64, BigInt(rnd(2 ** 31)) * BigInt(rnd(2 ** 31)) * BigInt(1 + rnd(9)) * (rnd(2) ? 1n : -1n));
      let p = pseudos[rnd(pseudos.length)].replace('VAL', String(v)).replace('LBL', `L${rnd(60)}`);
      // Without C, keep code 4-byte aligned: llvm-mc cannot pad a 2-byte gap with nops.
      if (!c && p === 'c.nop') p = 'nop';
      if (!c && p === '.half 0x1234') p = '.word 0x1234';
      lines.push(p);
      continue;
    }
    const d = rows[rnd(rows.length)];
    const ops = d.slots.map((sl) =>
      sl.kind === 'fixedReg' ? 'sp' : sl.kind === 'field' ? value(sl.field) : `${sl.offset ? value(sl.offset) : ''}(${typeof sl.base === 'number' ? 'sp' : value(sl.base)})`,
    );
    lines.push(`${d.name} ${ops.join(', ')}`.trim());
  }
  while (labels < 60) lines.push(`L${labels++}:`);
  return lines;
}

describe.skipIf(!HAVE_LLVM)('random programs: rvx asm vs llvm-mc', () => {
  for (const [seed, c] of [[101, true], [102, true], [103, false], [104, true], [105, false], [106, true]] as const) {
    it(`seed ${seed} (${c ? '+c' : 'no C'})`, () => {
      // Lines llvm-mc rejects (explicit HINT encodings such as `c.addi a0, 0`, which rvx accepts) are dropped.
      const lines = llvmAccepted(randomProgram(seed, c), c);
      compare(lines.join('\n') + '\n', c);
    });
  }
});

// ---- what relocations name ------------------------------------------------------------------------------

describe.skipIf(!HAVE_LLVM)('local symbols in relocations: rvx asm -c vs llvm-mc', () => {
  // llvm-mc, like GNU as, names a local label and a local `.set` symbol (gcc's `.set .LANCHOR0,. + 0`) in a
  // relocation by itself, relaxable or not; it does not turn them into section symbol + offset.
  const src = [
    '.text', 'f:', 'lui a0, %hi(.LA)', 'addi a0, a0, %lo(.LA+8)', 'lui a1, %hi(.LB)', 'lui a1, %hi(.LC)', 'lui a1, %hi(gc)', 'lui a1, %hi(.LD)',
    'lui a0, %hi(dlab)', 'lui a0, %hi(.Ldl)', '.data', '.word 7', 'lab: .word 1', '.set .LA, . + 0', '.set .LB, lab + 4', '.LC = lab', '.globl gc',
    '.set gc, lab + 8', '.set .LD, .LA', '.word 3', 'dlab: .word 1', '.Ldl: .word 2', '.dword dlab', '.dword .Ldl + 4', '.dword f', '.text',
    'lui a0, %hi(.LA)',
  ].join('\n') + '\n';
  /** Every relocation as offset, type, symbol name (a section symbol as its section) and addend. */
  const relocs = (bytes: Uint8Array): string[] => {
    const o = readObject(bytes, 'x.o');
    const out: string[] = [];
    for (const [index, list] of o.relocs) {
      for (const r of list) {
        const sym = o.symbols[r.sym];
        const name = r.sym === 0 ? '' : sym.type === 3 ? `[${o.sections[sym.shndx].name}]` : sym.name;
        // R_RISCV_RELAX (51) carries the addend written in the source in rvx's objects, as in GNU as's (a
        // linker ignores it); llvm-mc writes 0.
        out.push(`${o.sections[index].name} ${r.offset.toString(16)} ${r.type} ${name} ${r.type === 51 ? '' : r.addend}`);
      }
    }
    return out.sort();
  };
  for (const relax of [true, false]) {
    it(`.set symbols and labels are named, ${relax ? 'relaxable' : 'not relaxable'}`, () => {
      const s = join(dir, `names-${relax}.s`);
      const o = join(dir, `names-${relax}.o`);
      writeFileSync(s, src);
      execFileSync('llvm-mc', ['-triple=riscv64', `-mattr=+m,+a,+c,${relax ? '+' : '-'}relax`, '-filetype=obj', '-o', o, s]);
      const r = assembleObject({ name: s, text: src }, { relax });
      expect(r.diagnostics).toEqual([]);
      const mine = relocs(r.bytes);
      expect(mine).toEqual(relocs(new Uint8Array(readFileSync(o))));
      expect(mine.some((x) => x.includes(' .LA ') && !x.includes('[.data]'))).toBe(true);
    });
  }
});
