// The F and D semantics the hart calls: binary64 operands as JavaScript doubles (read straight from the
// register file's Float64Array, so a signalling NaN's bits arrive intact), binary32 operands as their
// 32-bit patterns (already NaN-unboxed by the caller). Results: doubles (any NaN stands for the canonical
// NaN; the caller writes its bits) and binary32 patterns.
//
// Fast paths use the host's round-to-nearest-even binary64 arithmetic and prove exactness (or find the
// sign of the rounding error) with error-free transformations (TwoSum; Dekker's TwoProduct), so that
// the flags are exact and directed modes can step one ulp from the nearest result. Whenever a case is
// outside the ranges where those proofs hold (specials, possible underflow or overflow, ties under
// RMM, inexact fused multiply-add), the operation goes to softfloat.ts, which is exact everywhere.
// binary32 add/sub/mul/div/sqrt through binary64 are correctly rounded under RNE because 53 ≥ 2·24 + 2
// (double rounding is innocuous; Figueroa, "When is double rounding innocuous?", SIGNUM 1995).

import * as SF from './softfloat.js';
import { NX, NV, RNE, RDN, RUP, RMM, F32, F64, fpFlags } from './softfloat.js';

export { NX, UF, OF, DZ, NV, RNE, RTZ, RDN, RUP, RMM, fpFlags } from './softfloat.js';

/** Flags raised since the last call, cleared. */
export function takeFlags(): number {
  const f = fpFlags.v;
  fpFlags.v = 0;
  return f;
}

const buf = new ArrayBuffer(8);
const f64b = new Float64Array(buf);
const u64b = new BigUint64Array(buf);
const i32b = new Int32Array(buf);
const f32b = new Float32Array(buf);

/** Canonical NaN bit patterns (F chapter, §11.3). */
export const CANONICAL_NAN_S = 0x7fc00000;
export const CANONICAL_NAN_D_HI = 0x7ff80000;

/** 64-bit integer results (fcvt.l.d, fmv.x.d helpers): the low and high halves. */
export const out = new Int32Array(2);

// ---- bit conversions -------------------------------------------------------------------------------

export function dToBits(x: number): bigint {
  f64b[0] = x;
  return u64b[0];
}
export function bitsToD(b: bigint): number {
  u64b[0] = b;
  return f64b[0];
}
/** The value of a non-NaN binary32 pattern. */
export function sToNum(bits: number): number {
  i32b[0] = bits;
  return f32b[0];
}
/** The pattern of a binary32 value (x exactly representable, not NaN). */
export function numToS(x: number): number {
  f32b[0] = x;
  return i32b[0];
}
function sBig(bits: number): bigint {
  return BigInt(bits >>> 0);
}
function bigS(b: bigint): number {
  return Number(b) | 0;
}

const TWO_M126 = 2 ** -126;
const MAX_S = 3.4028234663852886e38;
const MAX_D = Number.MAX_VALUE;
const TWO_M968 = 2 ** -968;
const TWO_995 = 2 ** 995;
const TWO_M500 = 2 ** -500;
const TWO_500 = 2 ** 500;
const TWO_M900 = 2 ** -900;
const TWO_1000 = 2 ** 1000;
const MIN_NORMAL_D = 2 ** -1022;
const SPLIT = 134217729; // 2^27 + 1

/** a·b − p exactly, for p = fl(a·b), when no partial product underflows or overflows (Dekker). */
function prodErr(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b), bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** x one ulp further from zero (toward = false) or nearer to zero (toward = true); x finite, non-zero. */
function stepD(x: number, towardZero: boolean): number {
  f64b[0] = x;
  if (towardZero) {
    if (i32b[0] === 0) i32b[1]--;
    i32b[0]--;
  } else {
    i32b[0]++;
    if (i32b[0] === 0) i32b[1]++;
  }
  return f64b[0];
}

/** The directed rounding (rm ∈ RTZ, RDN, RUP) of r + err where r is the nearest double and err ≠ 0 is the sign-carrying error. */
function nudgeD(r: number, err: number, rm: number): number {
  const up = err > 0;
  if (rm === RUP) return up ? stepD(r, r < 0) : r;
  if (rm === RDN) return up ? r : stepD(r, r > 0);
  return up !== r > 0 ? stepD(r, true) : r; // RTZ
}

function stepS(bits: number, towardZero: boolean): number {
  return towardZero ? bits - 1 : bits + 1;
}

// ---- rounding an exact double to binary32 ---------------------------------------------------------

/** x (an exact value held in a double, finite) rounded to binary32 by rm. */
export function roundToS(x: number, rm: number): number {
  const r = Math.fround(x);
  if (r === x) return numToS(r);
  const ax = Math.abs(x);
  const ar = Math.abs(r);
  if (ax >= TWO_M126 && ar < MAX_S) {
    fpFlags.v |= NX;
    const rb = numToS(r);
    if (rm === RNE) return rb;
    const towardX = stepS(rb, ax < ar);
    if (rm === RMM) {
      const other = sToNum(towardX);
      const dr = Math.abs(x - r), dother = Math.abs(x - other);
      return dr === dother ? (ar > Math.abs(other) ? rb : towardX) : rb;
    }
    const up = x > r;
    if (rm === RUP) return up ? towardX : rb;
    if (rm === RDN) return up ? rb : towardX;
    return ax < ar ? towardX : rb; // RTZ
  }
  return bigS(SF.convert(F64, F32, dToBits(x), rm));
}

/**
 * The binary32 rounding of s + err, where s = RN64(exact) and, for RNE, the exact value is a sum,
 * product, quotient or square root of binary32 operands (so RN32(s) is right). Returns -1 for "use
 * the exact path" is not needed: every case resolves here or in the callers' slow path (null).
 */
function roundS2(s: number, err: number, rm: number): number | null {
  if (err === 0) return roundToS(s, rm);
  const r = Math.fround(s);
  const ar = Math.abs(r);
  if (!(ar < MAX_S) || Math.abs(s) < TWO_M126) return null;
  if (rm === RNE) {
    fpFlags.v |= NX;
    return numToS(r);
  }
  if (rm === RMM) return null;
  if (r !== s) return roundToS(s, rm);
  fpFlags.v |= NX;
  const rb = numToS(r);
  const up = err > 0;
  if (rm === RUP) return up ? stepS(rb, r < 0) : rb;
  if (rm === RDN) return up ? rb : stepS(rb, r > 0);
  return up !== r > 0 ? stepS(rb, true) : rb;
}

/** binary32 pattern is ±∞ or NaN. */
function specialS(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000;
}

// ---- binary64 arithmetic --------------------------------------------------------------------------

export function addD(a: number, b: number, rm: number): number {
  const r = a + b;
  if (r - r === 0 && (r !== 0 || rm !== RDN)) {
    const bb = r - a;
    const err = a - (r - bb) + (b - bb);
    // (An intermediate of TwoSum can overflow near the top of the range: err is then not finite.)
    if (err - err !== 0) return bitsToD(SF.add(F64, dToBits(a), dToBits(b), rm));
    if (err === 0) return r;
    if (rm === RNE) {
      fpFlags.v |= NX;
      return r;
    }
    if (rm !== RMM && Math.abs(r) < MAX_D) {
      fpFlags.v |= NX;
      return nudgeD(r, err, rm);
    }
  }
  return bitsToD(SF.add(F64, dToBits(a), dToBits(b), rm));
}

export function subD(a: number, b: number, rm: number): number {
  const r = a - b;
  if (r - r === 0 && (r !== 0 || rm !== RDN)) {
    const nb = -b;
    const bb = r - a;
    const err = a - (r - bb) + (nb - bb);
    if (err - err !== 0) return bitsToD(SF.sub(F64, dToBits(a), dToBits(b), rm));
    if (err === 0) return r;
    if (rm === RNE) {
      fpFlags.v |= NX;
      return r;
    }
    if (rm !== RMM && Math.abs(r) < MAX_D) {
      fpFlags.v |= NX;
      return nudgeD(r, err, rm);
    }
  }
  return bitsToD(SF.sub(F64, dToBits(a), dToBits(b), rm));
}

function dekkerSafe(a: number, b: number, r: number): boolean {
  const aa = Math.abs(a), ab = Math.abs(b), ar = Math.abs(r);
  return aa >= MIN_NORMAL_D && aa < TWO_995 && ab >= MIN_NORMAL_D && ab < TWO_995 && ar >= TWO_M968 && ar < MAX_D;
}

export function mulD(a: number, b: number, rm: number): number {
  const r = a * b;
  if (dekkerSafe(a, b, r)) {
    const err = prodErr(a, b, r);
    if (err === 0) return r;
    if (rm === RNE) {
      fpFlags.v |= NX;
      return r;
    }
    if (rm !== RMM) {
      fpFlags.v |= NX;
      return nudgeD(r, err, rm);
    }
  }
  return bitsToD(SF.mul(F64, dToBits(a), dToBits(b), rm));
}

function midRange(x: number): boolean {
  const ax = Math.abs(x);
  return ax >= TWO_M500 && ax <= TWO_500;
}

export function divD(a: number, b: number, rm: number): number {
  if (midRange(a) && midRange(b)) {
    const q = a / b;
    const p = q * b;
    const rem = a - p - prodErr(q, b, p);
    if (rem === 0) return q;
    fpFlags.v |= NX;
    // A quotient never lies exactly halfway between two doubles here, so RMM rounds like RNE.
    if (rm === RNE || rm === RMM) return q;
    return nudgeD(q, rem / b, rm);
  }
  return bitsToD(SF.div(F64, dToBits(a), dToBits(b), rm));
}

export function sqrtD(a: number, rm: number): number {
  if (a >= TWO_M900 && a <= TWO_1000) {
    const r = Math.sqrt(a);
    const p = r * r;
    const rem = a - p - prodErr(r, r, p);
    if (rem === 0) return r;
    fpFlags.v |= NX;
    if (rm === RNE || rm === RMM) return r; // no ties for square roots either
    return nudgeD(r, rem, rm);
  }
  return bitsToD(SF.sqrt(F64, dToBits(a), rm));
}

/**
 * a·b + c with one rounding; negProduct and negAddend give fmsub (c negated), fnmsub (product negated)
 * and fnmadd (both).
 */
export function fmaD(a: number, b: number, c: number, negProduct: boolean, negAddend: boolean, rm: number): number {
  const p = a * b;
  if (dekkerSafe(a, b, p) && c - c === 0 && prodErr(a, b, p) === 0) {
    // The product is exact: one rounded addition is the fused result.
    const pp = negProduct ? -p : p;
    return negAddend ? subD(pp, c, rm) : addD(pp, c, rm);
  }
  let x = dToBits(a), z = dToBits(c);
  if (negProduct) x ^= 1n << 63n;
  if (negAddend) z ^= 1n << 63n;
  return bitsToD(SF.fma(F64, x, dToBits(b), z, rm));
}

// ---- binary32 arithmetic --------------------------------------------------------------------------

export function addS(a: number, b: number, rm: number): number {
  if (!specialS(a) && !specialS(b)) {
    const x = sToNum(a), y = sToNum(b);
    const s = x + y;
    if (s !== 0 || rm !== RDN) {
      const bb = s - x;
      const r = roundS2(s, x - (s - bb) + (y - bb), rm);
      if (r !== null) return r;
    }
  }
  return bigS(SF.add(F32, sBig(a), sBig(b), rm));
}

export function subS(a: number, b: number, rm: number): number {
  if (!specialS(a) && !specialS(b)) return addS(a, b ^ 0x80000000, rm);
  return bigS(SF.sub(F32, sBig(a), sBig(b), rm));
}

export function mulS(a: number, b: number, rm: number): number {
  if (!specialS(a) && !specialS(b)) return roundToS(sToNum(a) * sToNum(b), rm); // the product is exact in binary64
  return bigS(SF.mul(F32, sBig(a), sBig(b), rm));
}

export function divS(a: number, b: number, rm: number): number {
  if (!specialS(a) && !specialS(b) && (b & 0x7fffffff) !== 0) {
    const x = sToNum(a), y = sToNum(b);
    const q = x / y;
    const p = q * y;
    const rem = x === 0 ? 0 : x - p - prodErr(q, y, p);
    // Exact in binary64: round that value itself (RMM matters for subnormal ties). Otherwise there is
    // no tie, so RMM rounds like RNE.
    if (rem === 0) return roundToS(q, rm);
    const r = roundS2(q, rem / y, rm === RMM ? RNE : rm);
    if (r !== null) return r;
  }
  return bigS(SF.div(F32, sBig(a), sBig(b), rm));
}

export function sqrtS(a: number, rm: number): number {
  if (a > 0 && !specialS(a)) {
    const x = sToNum(a);
    const r = Math.sqrt(x);
    const p = r * r;
    const err = x - p - prodErr(r, r, p);
    const res = err === 0 ? roundToS(r, rm) : roundS2(r, err, rm === RMM ? RNE : rm);
    if (res !== null) return res;
  }
  return bigS(SF.sqrt(F32, sBig(a), rm));
}

export function fmaS(a: number, b: number, c: number, negProduct: boolean, negAddend: boolean, rm: number): number {
  let x = a, z = c;
  if (negProduct) x ^= 0x80000000;
  if (negAddend) z ^= 0x80000000;
  if (!specialS(x) && !specialS(b) && !specialS(z)) {
    const p = sToNum(x) * sToNum(b); // exact
    const w = sToNum(z);
    const s = p + w;
    if (s !== 0) {
      const bb = s - p;
      if (p - (s - bb) + (w - bb) === 0) return roundToS(s, rm);
    }
  }
  return bigS(SF.fma(F32, sBig(x), sBig(b), sBig(z), rm));
}

// ---- conversions ---------------------------------------------------------------------------------

export function cvtSD(a: number, rm: number): number {
  if (a - a === 0) return roundToS(a, rm);
  return bigS(SF.convert(F64, F32, dToBits(a), rm));
}

export function cvtDS(a: number): number {
  if (!specialS(a)) return sToNum(a);
  return bitsToD(SF.convert(F32, F64, sBig(a), RNE));
}

/** Integer kinds of fcvt: w, wu, l, lu. */
export const INT_W = 0, INT_WU = 1, INT_L = 2, INT_LU = 3;
const INT_MIN = [-(2 ** 31), 0, -(2 ** 63), 0];
const INT_MAX_EXCL = [2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64];
const TWO32 = 4294967296;

/** v (finite double) rounded to an integer by rm (exact: trunc and the fraction are exact). */
function roundInt(v: number, rm: number): number {
  const a = Math.abs(v);
  if (a >= 4503599627370496) return v;
  const t = Math.trunc(a);
  const frac = a - t;
  if (frac === 0) return v;
  let inc: boolean;
  switch (rm) {
    case RNE: inc = frac > 0.5 || (frac === 0.5 && t % 2 !== 0); break;
    case RMM: inc = frac >= 0.5; break;
    case RDN: inc = v < 0; break;
    case RUP: inc = v > 0; break;
    default: inc = false; // RTZ
  }
  const m = inc ? t + 1 : t;
  return v < 0 ? -m : m;
}

function setOut(v: number): void {
  const hi = Math.floor(v / TWO32);
  out[0] = (v - hi * TWO32) | 0;
  out[1] = hi | 0;
}

/**
 * fcvt.{w,wu,l,lu}.{s,d} of the value v (a double; binary32 inputs are exact in it, NaN stands for
 * any NaN): the 64-bit register result in out[0] (low), out[1] (high), with the saturation table of
 * the F chapter ("fcvt.w.s" table) and 32-bit results sign-extended.
 */
export function toInt(v: number, kind: number, rm: number): void {
  let r: number;
  if (v !== v) {
    fpFlags.v |= NV;
    r = INT_MAX_EXCL[kind] - 1;
  } else if (v - v !== 0) {
    fpFlags.v |= NV;
    r = v < 0 ? INT_MIN[kind] : INT_MAX_EXCL[kind] - 1;
  } else {
    r = roundInt(v, rm);
    if (r < INT_MIN[kind] || r >= INT_MAX_EXCL[kind]) {
      fpFlags.v |= NV;
      r = v < 0 ? INT_MIN[kind] : INT_MAX_EXCL[kind] - 1;
    } else if (r !== v) fpFlags.v |= NX;
  }
  if (kind <= INT_WU) {
    // 2^32 - 1 and 2^63 - 1 etc. are not exact doubles: build the halves directly.
    const lo = kind === INT_WU ? (r === 4294967295 ? -1 : r | 0) : r | 0;
    out[0] = lo;
    out[1] = lo >> 31;
    return;
  }
  if (kind === INT_L && r === 2 ** 63) { // 2^63 - 1 rounds to 2^63 as a double: the saturated signed maximum
    out[0] = -1;
    out[1] = 0x7fffffff;
  } else if (r === 2 ** 64) {
    out[0] = -1;
    out[1] = -1;
  } else setOut(r);
}

/** The integer operand of fcvt.{s,d}.{w,wu,l,lu} from its register halves, if it is exact as a double. */
function intValue(lo: number, hi: number, kind: number): number | null {
  switch (kind) {
    case INT_W: return lo | 0;
    case INT_WU: return lo >>> 0;
    case INT_L: return hi >= -0x200000 && hi < 0x200000 ? hi * TWO32 + (lo >>> 0) : null;
    default: return hi >>> 0 < 0x200000 ? (hi >>> 0) * TWO32 + (lo >>> 0) : null;
  }
}

function intBig(lo: number, hi: number, kind: number): bigint {
  const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return kind === INT_L ? BigInt.asIntN(64, v) : v;
}

export function intToD(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (v !== null) return v;
  return bitsToD(SF.fromInt(F64, intBig(lo, hi, kind), rm));
}

export function intToS(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (v !== null) return roundToS(v, rm);
  return bigS(SF.fromInt(F32, intBig(lo, hi, kind), rm));
}

// ---- comparisons, min/max, classification ---------------------------------------------------------

function isSNaND(x: number): boolean {
  if (x === x) return false;
  f64b[0] = x;
  return (i32b[1] & 0x00080000) === 0;
}
function isNaNS(bits: number): boolean {
  return (bits & 0x7fffffff) > 0x7f800000;
}
function isSNaNS(bits: number): boolean {
  return isNaNS(bits) && (bits & 0x00400000) === 0;
}

/** feq (quiet: NV only for signalling NaNs), flt and fle (signalling: NV for any NaN). */
export function cmpD(a: number, b: number, op: 0 | 1 | 2): number {
  if (a !== a || b !== b) {
    if (op !== 0 || isSNaND(a) || isSNaND(b)) fpFlags.v |= NV;
    return 0;
  }
  return (op === 0 ? a === b : op === 1 ? a < b : a <= b) ? 1 : 0;
}

export function cmpS(a: number, b: number, op: 0 | 1 | 2): number {
  if (isNaNS(a) || isNaNS(b)) {
    if (op !== 0 || isSNaNS(a) || isSNaNS(b)) fpFlags.v |= NV;
    return 0;
  }
  const x = sToNum(a), y = sToNum(b);
  return (op === 0 ? x === y : op === 1 ? x < y : x <= y) ? 1 : 0;
}

/**
 * fmin/fmax, the 2019 semantics (F chapter, §11.6, IEEE 754-2019 minimumNumber/maximumNumber): a NaN
 * operand is ignored, two NaNs give the canonical NaN, −0 < +0, NV for signalling NaNs.
 */
export function minMaxD(a: number, b: number, max: boolean): number {
  const na = a !== a, nb = b !== b;
  if (na || nb) {
    if (isSNaND(a) || isSNaND(b)) fpFlags.v |= NV;
    if (na && nb) return NaN;
    return na ? b : a;
  }
  if (a === b) {
    // ±0: choose by sign (1/x distinguishes them).
    if (a === 0) return max ? (1 / a > 0 ? a : b) : 1 / a < 0 ? a : b;
    return a;
  }
  return max ? (a > b ? a : b) : a < b ? a : b;
}

export function minMaxS(a: number, b: number, max: boolean): number {
  const na = isNaNS(a), nb = isNaNS(b);
  if (na || nb) {
    if (isSNaNS(a) || isSNaNS(b)) fpFlags.v |= NV;
    if (na && nb) return CANONICAL_NAN_S;
    return na ? b : a;
  }
  const x = sToNum(a), y = sToNum(b);
  if (x === y) return max ? (a < 0 ? b : a) : a < 0 ? a : b; // a < 0: sign bit set (int32 pattern)
  return max ? (x > y ? a : b) : x < y ? a : b;
}

export function classS(bits: number): number {
  return SF.classify(F32, sBig(bits));
}

export function classD(x: number): number {
  return SF.classify(F64, dToBits(x));
}

