// The F/D semantics on cases the unprivileged spec pins down, checked without any oracle: conversion
// saturation, 2019 fmin/fmax, canonical NaNs, NaN-boxing, tininess after rounding, fused multiply-add's
// invalid case, directed rounding, signalling vs quiet compares. (tests/fp-diff.test.ts compares millions
// of vectors against QEMU and Spike.)
import { describe, expect, it } from 'vitest';
import { execFp, FP_OP } from '../emulator/fpu/exec.js';
import { NV, NX, OF, UF, DZ, RNE, RTZ, RDN, RUP, RMM } from '../emulator/fpu/fpu.js';

const m32 = new Int32Array(128);
const f64 = new Float64Array(m32.buffer);
const FB = 64;

function setF(r: number, bits: bigint): void {
  m32[FB + 2 * r] = Number(BigInt.asIntN(32, bits));
  m32[FB + 2 * r + 1] = Number(BigInt.asIntN(32, bits >> 32n));
}
const box = (s: number): bigint => 0xffffffff00000000n | BigInt(s >>> 0);
function run(op: string, rm: number, a: bigint, b = 0n, c = 0n): { bits: bigint; flags: number } {
  setF(1, a);
  setF(2, b);
  setF(3, c);
  m32[10] = Number(BigInt.asIntN(32, a));
  m32[11] = Number(BigInt.asIntN(32, a >> 32n));
  const toX = /^(feq|flt|fle|fclass|fmv\.x|fcvt\.(w|wu|l|lu)\.)/.test(op);
  const fromX = /^(fmv\.[wd]\.x|fcvt\.[sd]\.(w|wu|l|lu))$/.test(op);
  const flags = execFp(m32, f64, FB, FP_OP[op], rm, toX ? 28 : 4, fromX ? 5 : 1, 2, 3);
  const base = toX ? 56 : FB + 8;
  return { bits: BigInt.asUintN(64, (BigInt(m32[base + 1]) << 32n) | BigInt(m32[base] >>> 0)), flags };
}

const D = (x: number): bigint => {
  const b = new Float64Array([x]);
  return new BigUint64Array(b.buffer)[0];
};
const S = (x: number): number => new Int32Array(new Float32Array([x]).buffer)[0];
const QNAN_D = 0x7ff8000000000000n, SNAN_D = 0x7ff0000000000001n;
const QNAN_S = 0x7fc00000, SNAN_S = 0x7f800001;

describe('F/D semantics (unprivileged spec, F and D chapters)', () => {
  it('fcvt saturates as the F chapter table says, NV without NX', () => {
    expect(run('fcvt.w.d', RTZ, QNAN_D)).toEqual({ bits: 0x7fffffffn, flags: NV });
    expect(run('fcvt.w.d', RTZ, D(-Infinity))).toEqual({ bits: 0xffffffff80000000n, flags: NV });
    expect(run('fcvt.wu.d', RTZ, D(-1))).toEqual({ bits: 0n, flags: NV });
    expect(run('fcvt.wu.d', RTZ, D(-0.5))).toEqual({ bits: 0n, flags: NX });
    expect(run('fcvt.wu.d', RTZ, D(4294967295))).toEqual({ bits: 0xffffffffffffffffn, flags: 0 }); // sign-extended
    expect(run('fcvt.l.s', RTZ, box(QNAN_S))).toEqual({ bits: 0x7fffffffffffffffn, flags: NV });
    expect(run('fcvt.lu.d', RNE, D(2 ** 64))).toEqual({ bits: 0xffffffffffffffffn, flags: NV });
    expect(run('fcvt.l.d', RMM, D(-2.5))).toEqual({ bits: BigInt.asUintN(64, -3n), flags: NX });
    expect(run('fcvt.l.d', RNE, D(-2.5))).toEqual({ bits: BigInt.asUintN(64, -2n), flags: NX });
    expect(run('fcvt.w.s', RUP, box(S(-0.25)))).toEqual({ bits: 0n, flags: NX });
  });

  it('fmin/fmax: 2019 semantics (a NaN is ignored, −0 < +0, sNaN raises NV, two NaNs give the canonical NaN)', () => {
    expect(run('fmin.d', 0, QNAN_D, D(2))).toEqual({ bits: D(2), flags: 0 });
    expect(run('fmax.d', 0, SNAN_D, D(2))).toEqual({ bits: D(2), flags: NV });
    expect(run('fmin.d', 0, SNAN_D, QNAN_D | 5n)).toEqual({ bits: QNAN_D, flags: NV });
    expect(run('fmin.d', 0, D(0), D(-0))).toEqual({ bits: D(-0), flags: 0 });
    expect(run('fmax.s', 0, box(S(-0)), box(S(0)))).toEqual({ bits: box(0), flags: 0 });
  });

  it('NaN results are canonical; improperly boxed binary32 operands read as the canonical NaN', () => {
    expect(run('fadd.d', RNE, QNAN_D | 0x1234n, D(1))).toEqual({ bits: QNAN_D, flags: 0 });
    expect(run('fsub.d', RNE, D(Infinity), D(Infinity))).toEqual({ bits: QNAN_D, flags: NV });
    expect(run('fadd.s', RNE, BigInt(S(1)), box(S(1)))).toEqual({ bits: box(QNAN_S), flags: 0 });
    expect(run('fsgnjn.s', 0, 0x123456789n, box(S(1)))).toEqual({ bits: box(QNAN_S | 0x80000000), flags: 0 });
    expect(run('fmv.x.w', 0, 0x12345678_87654321n)).toEqual({ bits: 0xffffffff87654321n, flags: 0 });
    expect(run('fcvt.d.s', 0, box(SNAN_S))).toEqual({ bits: QNAN_D, flags: NV });
    expect(run('fclass.s', 0, 0x00000000_3f800000n)).toEqual({ bits: 1n << 9n, flags: 0 }); // quiet NaN
  });

  it('underflow: tininess after rounding, UF only when inexact', () => {
    // (1 − 2^-25)·2^-126 rounds to 24 bits (unbounded exponent) as 2^-126: not tiny after rounding, NX only.
    const justBelow = D((1 - 2 ** -25) * 2 ** -126);
    expect(run('fcvt.s.d', RNE, justBelow)).toEqual({ bits: box(0x00800000), flags: NX });
    // (1 − 2^-24)·2^-126 has 24 bits: tiny after rounding, though the subnormal rounding gives 2^-126.
    expect(run('fcvt.s.d', RNE, D((1 - 2 ** -24) * 2 ** -126))).toEqual({ bits: box(0x00800000), flags: NX | UF });
    // RTZ keeps it below 2^-126: tiny and inexact.
    expect(run('fcvt.s.d', RTZ, justBelow)).toEqual({ bits: box(0x007fffff), flags: NX | UF });
    // An exact subnormal result raises nothing.
    expect(run('fmul.d', RNE, D(2 ** -1070), D(0.25))).toEqual({ bits: D(2 ** -1072), flags: 0 });
    expect(run('fmul.d', RNE, D(2 ** -1074), D(0.5))).toEqual({ bits: 0n, flags: NX | UF });
  });

  it('overflow by rounding mode, divide by zero', () => {
    const max = D(Number.MAX_VALUE);
    expect(run('fmul.d', RNE, max, D(2))).toEqual({ bits: D(Infinity), flags: OF | NX });
    expect(run('fmul.d', RTZ, max, D(2))).toEqual({ bits: max, flags: OF | NX });
    expect(run('fmul.d', RDN, max, D(-2))).toEqual({ bits: D(-Infinity), flags: OF | NX });
    expect(run('fmul.d', RUP, max, D(-2))).toEqual({ bits: D(-Number.MAX_VALUE), flags: OF | NX });
    expect(run('fdiv.s', RNE, box(S(1)), box(S(-0)))).toEqual({ bits: box(S(-Infinity)), flags: DZ });
  });

  it('fused multiply-add: one rounding, ∞·0 is invalid even with a quiet NaN addend, exact zeros by mode', () => {
    // 0.1·10 − 1 exactly is 2^-54 (fl(0.1·10) would be 1).
    expect(run('fmsub.d', RNE, D(0.1), D(10), D(1))).toEqual({ bits: D(2 ** -54), flags: 0 });
    expect(run('fmadd.d', RNE, D(Infinity), D(0), QNAN_D)).toEqual({ bits: QNAN_D, flags: NV });
    expect(run('fmadd.s', RNE, box(S(2)), box(S(3)), box(S(-6)))).toEqual({ bits: box(0), flags: 0 });
    expect(run('fmadd.s', RDN, box(S(2)), box(S(3)), box(S(-6)))).toEqual({ bits: box(0x80000000), flags: 0 });
    expect(run('fnmadd.d', RNE, D(1), D(2), D(3))).toEqual({ bits: D(-5), flags: 0 });
    // Near the top of the range TwoSum's intermediates overflow (found by the QEMU differential run).
    expect(run('fmadd.d', RUP, 0xc2cfd2392a4466acn, 0xfce0000000000000n, 0xffefffffffffffffn)).toEqual({ bits: 0xffec05b8dab77329n, flags: NX });
    expect(run('fadd.d', RUP, 0x7fbfd2392a4466acn, 0xffefffffffffffffn)).toEqual({ bits: 0xffec05b8dab77329n, flags: NX });
  });

  it('directed rounding and RMM ties', () => {
    expect(run('fdiv.d', RUP, D(1), D(3))).toEqual({ bits: D(1 / 3) + 1n, flags: NX });
    expect(run('fdiv.d', RDN, D(-1), D(3))).toEqual({ bits: D(-1 / 3) + 1n, flags: NX });
    expect(run('fadd.d', RMM, D(1), D(2 ** -53))).toEqual({ bits: D(1) + 1n, flags: NX });
    expect(run('fadd.d', RNE, D(1), D(2 ** -53))).toEqual({ bits: D(1), flags: NX });
    expect(run('fadd.d', RDN, D(1), D(-1))).toEqual({ bits: D(-0), flags: 0 });
    expect(run('fsqrt.s', RTZ, box(S(2)))).toEqual({ bits: box(0x3fb504f3), flags: NX });
    expect(run('fsqrt.s', RUP, box(S(2)))).toEqual({ bits: box(0x3fb504f4), flags: NX });
  });

  it('feq is quiet (NV only for sNaN), flt/fle signal on any NaN', () => {
    expect(run('feq.d', 0, QNAN_D, D(1))).toEqual({ bits: 0n, flags: 0 });
    expect(run('feq.d', 0, SNAN_D, D(1))).toEqual({ bits: 0n, flags: NV });
    expect(run('flt.d', 0, QNAN_D, D(1))).toEqual({ bits: 0n, flags: NV });
    expect(run('fle.s', 0, box(S(-0)), box(S(0)))).toEqual({ bits: 1n, flags: 0 });
    expect(run('feq.s', 0, box(S(-0)), box(S(0)))).toEqual({ bits: 1n, flags: 0 });
  });

  it('conversions from integers round by mode; fclass has one bit', () => {
    expect(run('fcvt.s.l', RNE, 0x7fffffffffffffffn)).toEqual({ bits: box(0x5f000000), flags: NX });
    expect(run('fcvt.s.l', RTZ, 16777217n)).toEqual({ bits: box(0x4b800000), flags: NX });
    expect(run('fcvt.d.lu', RUP, 0xffffffffffffffffn)).toEqual({ bits: D(2 ** 64), flags: NX });
    expect(run('fcvt.d.l', RDN, BigInt.asUintN(64, -9007199254740993n))).toEqual({ bits: D(-9007199254740994), flags: NX });
    expect(run('fclass.d', 0, D(-0))).toEqual({ bits: 1n << 3n, flags: 0 });
    expect(run('fclass.d', 0, 1n)).toEqual({ bits: 1n << 5n, flags: 0 });
    expect(run('fclass.d', 0, SNAN_D)).toEqual({ bits: 1n << 8n, flags: 0 });
  });

  it('every rounding mode constant is the F chapter encoding', () => {
    expect([RNE, RTZ, RDN, RUP, RMM]).toEqual([0, 1, 2, 3, 4]);
  });
});
