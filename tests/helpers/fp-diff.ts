// Differential testing of rvx's F/D semantics against an independent implementation: operand vectors
// (random and edge cases) go, in one batch program per run, through real instructions on QEMU user mode
// (`qemu-riscv64`, Debian's qemu-user: QEMU's own softfloat) or Spike (Berkeley SoftFloat 3); the same
// vectors go in-process through execFp, the function rvx's interpreter runs for every F/D instruction.
// Result bits (all 64 bits of the destination, so NaN-boxing counts) and fflags are compared.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFp, FP_OP, FP_READS_X, FP_WRITES_X, FP_HAS_RM } from '../../emulator/fpu/exec.js';

export type Oracle = 'qemu' | 'spike';

export interface Block {
  op: string;
  /** Rounding mode 0-4, or -1 for operations without one. */
  rm: number;
  /** Vectors: 3 operands × (lo, hi) halves each. */
  vectors: Int32Array;
}

export const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm'];

// ---- operand generation ---------------------------------------------------------------------------

/** xorshift128 over 32-bit words: reproducible from a seed. */
export class Rng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    this.s[0] = seed ^ 0x9e3779b9;
    this.s[1] = 0x243f6a88 ^ (seed * 7);
    this.s[2] = 0xb7e15162;
    this.s[3] = 0x5a827999 + seed;
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32(): number {
    const s = this.s;
    let t = s[3];
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = s[0];
    t ^= s[0] ^ (s[0] >>> 19);
    s[0] = t;
    return t >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
}

interface Fmt {
  m: number;
  e: number;
}
const S: Fmt = { m: 23, e: 8 };
const D: Fmt = { m: 52, e: 11 };

/** A pattern of format f as [lo, hi] (binary32: lo only, hi = -1 for a NaN-boxed register). */
function pack(f: Fmt, sign: number, exp: number, fracHi: number, fracLo: number): [number, number] {
  if (f === S) return [((sign << 31) | (exp << 23) | (fracLo & 0x7fffff)) | 0, -1];
  return [fracLo | 0, ((sign << 31) | (exp << 20) | (fracHi & 0xfffff)) | 0];
}

function fraction(rng: Rng, f: Fmt): [number, number] {
  // Mostly random bits; also few-bit and all-ones fractions, whose results land on exact and halfway cases.
  const k = rng.below(8);
  const hiBits = f === S ? 0 : 20;
  let hi = rng.u32(), lo = rng.u32();
  if (k === 0) {
    hi = 0;
    lo = 0;
  } else if (k === 1) {
    hi = -1;
    lo = -1;
  } else if (k === 2 || k === 3) {
    // A short significand: only the top few fraction bits.
    const keep = 1 + rng.below(12);
    const total = f.m;
    const drop = total - keep;
    if (f === S) lo = lo & ~((1 << drop) - 1);
    else if (drop >= 32) {
      lo = 0;
      hi = hi & ~((1 << (drop - 32)) - 1);
    } else lo = lo & ~((1 << drop) - 1);
  } else if (k === 4) {
    // Short significand with a trailing one: halfway and near-halfway products and sums.
    if (f === S) lo = (lo & 0x7f0000) | 1;
    else {
      hi &= 0xff000;
      lo = 1 << rng.below(32);
    }
  }
  return [hiBits ? hi & 0xfffff : 0, lo];
}

function specialValue(rng: Rng, f: Fmt): [number, number] {
  const emax = (1 << f.e) - 1;
  const sign = rng.below(2);
  switch (rng.below(12)) {
    case 0: return pack(f, sign, 0, 0, 0); // ±0
    case 1: return pack(f, sign, 0, 0, 1); // smallest subnormal
    case 2: return pack(f, sign, 0, -1, -1); // largest subnormal
    case 3: return pack(f, sign, 1, 0, 0); // smallest normal
    case 4: return pack(f, sign, emax - 1, -1, -1); // largest finite
    case 5: return pack(f, sign, emax, 0, 0); // ±∞
    case 6: return pack(f, sign, emax, f === S ? 0 : 0x80000, f === S ? 0x400000 : 0); // canonical-like qNaN
    case 7: return pack(f, sign, emax, rng.u32() | (f === S ? 0 : 0x80000), rng.u32() | (f === S ? 0x400000 : 0)); // qNaN with payload
    case 8: return pack(f, sign, emax, 0, 1); // sNaN
    case 9: return pack(f, sign, emax, rng.u32() & 0x7ffff, rng.u32() & (f === S ? 0x3fffff : -1) || 1); // sNaN payload
    case 10: return pack(f, sign, (1 << (f.e - 1)) - 1, 0, 0); // ±1
    default: return pack(f, sign, (1 << (f.e - 1)) - 1 + rng.below(64) - 32, ...fraction(rng, f));
  }
}

function randomValue(rng: Rng, f: Fmt, nearExp?: number): [number, number] {
  const emax = (1 << f.e) - 1;
  const k = rng.below(16);
  if (k === 0) return specialValue(rng, f);
  const sign = rng.below(2);
  let exp: number;
  if (nearExp !== undefined && k < 8) exp = Math.min(emax - 1, Math.max(0, nearExp - rng.below(f.m + 4) + (k === 1 ? 3 : 0)));
  else if (k < 10) exp = (1 << (f.e - 1)) - 1 + rng.below(2 * f.m) - f.m; // around 1
  else if (k < 12) exp = rng.below(f.m + 3); // subnormal / tiny boundary
  else if (k < 14) exp = emax - 1 - rng.below(f.m + 3); // overflow boundary
  else exp = rng.below(emax); // anywhere finite
  const [fh, fl] = fraction(rng, f);
  return pack(f, sign, exp, fh, fl);
}

function expOf(f: Fmt, v: [number, number]): number {
  return f === S ? (v[0] >>> 23) & 0xff : (v[1] >>> 20) & 0x7ff;
}

function randomInt(rng: Rng, wide: boolean, unsigned: boolean): [number, number] {
  const k = rng.below(8);
  let lo = rng.u32() | 0, hi = rng.u32() | 0;
  if (k < 3) {
    // A random bit length, so every rounding position occurs.
    const n = 1 + rng.below(wide ? 64 : 32);
    if (n < 32) {
      lo &= n === 0 ? 0 : (1 << n) - 1;
      hi = 0;
    } else if (n < 64) hi &= n === 32 ? 0 : (1 << (n - 32)) - 1;
    if (rng.below(2) && !unsigned) {
      // negate
      lo = (~lo + 1) | 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
    }
  } else if (k === 3) {
    const edges: [number, number][] = [[0, 0], [1, 0], [-1, -1], [0x7fffffff, 0], [-0x80000000, -1], [-1, 0x7fffffff], [0, -0x80000000], [-1, 0], [0x1000001, 0], [0x3000001, 0]];
    [lo, hi] = edges[rng.below(edges.length)];
  }
  if (!wide) hi = lo >> 31; // the register value of a 32-bit operand: any; hardware reads the low word
  return [lo, hi];
}

/** Values near integer boundaries for float-to-integer conversions. */
function nearIntegerBoundary(rng: Rng, f: Fmt): [number, number] {
  const bias = (1 << (f.e - 1)) - 1;
  const pick = [0, 1, 30, 31, 32, 52, 53, 62, 63, 64, -1, -2][rng.below(12)];
  const sign = rng.below(2);
  const [fh, fl] = rng.below(2) ? [0, 0] : rng.below(2) ? [f === S ? 0 : 0xfffff, -1] : fraction(rng, f);
  return pack(f, sign, bias + pick + (rng.below(3) - 1), fh, fl);
}

/** Whether the i-th operand of `op` is a binary32 (s) or binary64 (d) f register, or an integer. */
function operandFormat(op: string, i: number): Fmt | 'x' | 'xw' {
  const id = FP_OP[op];
  if (i === 0 && FP_READS_X[id]) return /\.(w|wu)$/.test(op) || op === 'fmv.w.x' ? 'xw' : 'x';
  if (op === 'fcvt.s.d') return D;
  if (op === 'fcvt.d.s') return S;
  return op.endsWith('.s') || op === 'fmv.x.w' || /^fcvt\.(w|wu|l|lu)\.s$/.test(op) ? S : D;
}

export function generateVectors(op: string, n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const out = new Int32Array(n * 6);
  const f0 = operandFormat(op, 0);
  const isToInt = /^fcvt\.(w|wu|l|lu)\./.test(op);
  const fused = /^fn?m(add|sub)/.test(op);
  for (let v = 0; v < n; v++) {
    const vals: [number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const f = i === 0 ? f0 : operandFormat(op, i);
      if (f === 'x' || f === 'xw') vals.push(randomInt(rng, f === 'x', /u$/.test(op)));
      else if (isToInt && i === 0 && rng.below(2)) vals.push(nearIntegerBoundary(rng, f));
      else if (i > 0 && vals[0] && typeof f !== 'string' && rng.below(2) && !fused) vals.push(randomValue(rng, f, expOf(f, vals[0])));
      else if (i === 2 && fused && rng.below(2) && typeof f !== 'string') {
        // An addend near the product's size, so cancellation and exact-zero sums occur.
        const e = Math.min((1 << f.e) - 2, Math.max(0, expOf(f, vals[0]) + expOf(f, vals[1]) - ((1 << (f.e - 1)) - 1)));
        vals.push(randomValue(rng, f, e + 1));
      } else vals.push(randomValue(rng, f as Fmt));
    }
    // Sometimes a binary32 operand is not properly NaN-boxed (it must then read as the canonical NaN).
    for (let i = 0; i < 3; i++) {
      if (vals[i][1] === -1 && operandFormat(op, i) === S && rng.below(64) === 0) vals[i][1] = rng.u32() | 0;
    }
    for (let i = 0; i < 3; i++) {
      out[v * 6 + 2 * i] = vals[i][0];
      out[v * 6 + 2 * i + 1] = vals[i][1];
    }
  }
  return out;
}

// ---- the batch program ----------------------------------------------------------------------------

function instruction(op: string, rm: number): string {
  const id = FP_OP[op];
  const rmText = rm >= 0 && FP_HAS_RM[id] ? `, ${RM_NAMES[rm]}` : '';
  const rd = FP_WRITES_X[id] ? 't3' : 'ft3';
  if (FP_READS_X[id]) return `${op} ${rd}, t0${rmText}`;
  if (/^fn?m(add|sub)/.test(op)) return `${op} ${rd}, ft0, ft1, ft2${rmText}`;
  if (/^(fsqrt|fclass|fcvt|fmv)/.test(op)) return `${op} ${rd}, ft0${rmText}`;
  return `${op} ${rd}, ft0, ft1${rmText}`;
}

function programText(blocks: Block[], oracle: Oracle): string {
  const body: string[] = [];
  blocks.forEach((b, k) => {
    const id = FP_OP[b.op];
    const n = b.vectors.length / 6;
    body.push(`
        la s0, in_${k}
        la s1, out_${k}
        li s2, ${n}
        csrw fflags, zero
1:      ld t0, 0(s0)
        ld t1, 8(s0)
        ld t2, 16(s0)
        fmv.d.x ft0, t0
        fmv.d.x ft1, t1
        fmv.d.x ft2, t2
        ${instruction(b.op, b.rm)}
        ${FP_WRITES_X[id] ? '' : 'fmv.x.d t3, ft3'}
        csrrw t4, fflags, zero
        sd t3, 0(s1)
        sd t4, 8(s1)
        addi s0, s0, 24
        addi s1, s1, 16
        addi s2, s2, -1
        bnez s2, 1b`);
  });
  const data = blocks.map((b, k) => `        .balign 8\nin_${k}: .incbin "in_${k}.bin"`).join('\n');
  const outs = blocks.map((b, k) => `        .balign 8\nout_${k}: .space ${(b.vectors.length / 6) * 16}`).join('\n');
  const start =
    oracle === 'spike'
      ? `li t0, 0x2000
        csrs mstatus, t0` // FS = Initial
      : '';
  const end =
    oracle === 'spike'
      ? `li t0, 1
        la t1, tohost
        sd t0, 0(t1)
2:      j 2b`
      : `li a0, 1
        la a1, begin_signature
        la a2, end_signature
        sub a2, a2, a1
3:      li a7, 64
        ecall
        blez a0, 4f
        add a1, a1, a0
        sub a2, a2, a0
        li a0, 1
        bnez a2, 3b
4:      li a0, 0
        li a7, 93
        ecall`;
  return `        .option norvc
        .section .text.init, "ax"
        .globl _start
_start: ${start}
${body.join('\n')}
        ${end}
        .section .tohost, "aw", @progbits
        .balign 64
        .globl tohost
tohost: .dword 0
        .balign 64
        .globl fromhost
fromhost: .dword 0
        .section .rodata
${data}
        .data
        .balign 16
        .globl begin_signature
begin_signature:
${outs}
        .globl end_signature
end_signature:
        .dword 0
`;
}

const LINK = `OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text.init : { *(.text.init) }
  . = ALIGN(0x1000);
  .tohost : { *(.tohost) }
  . = ALIGN(0x1000);
  .rodata : { *(.rodata) }
  . = ALIGN(0x1000);
  .data : { *(.data) }
  .bss : { *(.bss) }
}`;

export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export function spikePath(): string | null {
  if (process.env.RVX_SPIKE) return process.env.RVX_SPIKE;
  if (hasTool('spike')) return 'spike';
  return null;
}

/** Why the oracle cannot run here, or null when it can. */
export function oracleMissing(oracle: Oracle): string | null {
  if (!hasTool('riscv64-unknown-elf-gcc')) return 'riscv64-unknown-elf-gcc not on PATH';
  if (oracle === 'qemu') return hasTool('qemu-riscv64') ? null : 'qemu-riscv64 (Debian qemu-user) not on PATH';
  return spikePath() ? null : 'no spike (set RVX_SPIKE or put spike on PATH)';
}

/** Run the blocks on the oracle; returns per block the outputs as (result lo, hi, flags lo, hi) words. */
export function runOracle(blocks: Block[], oracle: Oracle): Int32Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'rvx-fpdiff-'));
  try {
    blocks.forEach((b, k) => writeFileSync(join(dir, `in_${k}.bin`), new Uint8Array(b.vectors.buffer, b.vectors.byteOffset, b.vectors.byteLength)));
    writeFileSync(join(dir, 'prog.S'), programText(blocks, oracle));
    writeFileSync(join(dir, 'link.ld'), LINK);
    execFileSync('riscv64-unknown-elf-gcc', ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-nostartfiles', '-static', '-T', 'link.ld', 'prog.S', '-o', 'prog.elf'], { cwd: dir, stdio: 'pipe' });
    let bytes: Uint8Array;
    if (oracle === 'qemu') {
      const r = spawnSync('qemu-riscv64', ['-cpu', 'rv64', 'prog.elf'], { cwd: dir, maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`qemu-riscv64 failed: ${r.stderr?.toString()}`);
      bytes = new Uint8Array(r.stdout);
    } else {
      const r = spawnSync(spikePath()!, ['--isa=rv64gc', '+signature=out.sig', '+signature-granularity=8', 'prog.elf'], { cwd: dir, stdio: 'pipe' });
      if (r.status !== 0) throw new Error(`spike failed: ${r.stderr?.toString()}`);
      const lines = readFileSync(join(dir, 'out.sig'), 'utf8').split('\n').filter(Boolean);
      const words = new Int32Array(lines.length * 2);
      lines.forEach((l, i) => {
        words[2 * i] = parseInt(l.slice(8), 16) | 0;
        words[2 * i + 1] = parseInt(l.slice(0, 8), 16) | 0;
      });
      bytes = new Uint8Array(words.buffer);
    }
    const all = new Int32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
    const outs: Int32Array[] = [];
    let at = 0;
    for (const b of blocks) {
      const n = (b.vectors.length / 6) * 4;
      outs.push(all.slice(at, at + n));
      at += n;
    }
    return outs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Mismatch {
  op: string;
  rm: number;
  operands: string[];
  expected: string;
  got: string;
}

function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Compare rvx's execFp with oracle outputs; returns mismatches (at most `limit` kept) and their count. */
export function compareBlock(b: Block, outs: Int32Array, limit = 10): { count: number; mismatches: Mismatch[] } {
  const m32 = new Int32Array(2 * 64);
  const f64 = new Float64Array(m32.buffer);
  const fb = 64; // f registers after the 32 integer slots
  const id = FP_OP[b.op];
  const mismatches: Mismatch[] = [];
  let count = 0;
  const v = b.vectors;
  const n = v.length / 6;
  for (let i = 0; i < n; i++) {
    // rs1 = 1 (f1, or x5 for integer sources), rs2 = f2, rs3 = f3; rd = f4 or x28.
    for (let k = 0; k < 3; k++) {
      m32[fb + 2 * (k + 1)] = v[6 * i + 2 * k];
      m32[fb + 2 * (k + 1) + 1] = v[6 * i + 2 * k + 1];
    }
    m32[10] = v[6 * i];
    m32[11] = v[6 * i + 1];
    const rs1 = FP_READS_X[id] ? 5 : 1;
    const rd = FP_WRITES_X[id] ? 28 : 4;
    const flags = execFp(m32, f64, fb, id, b.rm < 0 ? 0 : b.rm, rd, rs1, 2, 3);
    const base = FP_WRITES_X[id] ? 2 * rd : fb + 2 * rd;
    const lo = m32[base], hi = m32[base + 1];
    const o = outs.subarray(4 * i, 4 * i + 4);
    if (lo !== o[0] || hi !== o[1] || flags !== o[2]) {
      count++;
      if (mismatches.length < limit) {
        mismatches.push({
          op: b.op,
          rm: b.rm,
          operands: [0, 1, 2].map((k) => hex64(v[6 * i + 2 * k], v[6 * i + 2 * k + 1])),
          expected: `${hex64(o[0], o[1])} flags ${o[2]}`,
          got: `${hex64(lo, hi)} flags ${flags}`,
        });
      }
    }
  }
  return { count, mismatches };
}

/** Every F/D operation with the rounding modes it is tested in. */
export function allBlocks(n: number, seed: number, only?: RegExp): Block[] {
  const blocks: Block[] = [];
  let s = seed;
  for (const op of Object.keys(FP_OP)) {
    if (only && !only.test(op)) continue;
    const rms = FP_HAS_RM[FP_OP[op]] ? [0, 1, 2, 3, 4] : [-1];
    for (const rm of rms) blocks.push({ op, rm, vectors: generateVectors(op, n, ++s * 7919) });
  }
  return blocks;
}
