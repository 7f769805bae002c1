// Exact IEEE 754-2008 binary32/binary64 arithmetic on bit patterns, with integer (BigInt) significands:
// the reference path every fast path in fpu.ts falls back to. Each operation computes the exact result
// (or a significand with a sticky bit that rounds the same way) and rounds it once in roundPack.
//
// RISC-V specifics (unprivileged spec, "F" chapter): NaN results are always the canonical NaN (§11.3
// "NaN Generation and Propagation"); tininess is detected after rounding (§11.2 "fflags": "as the
// IEEE 754-2008 standard permits, underflow is detected after rounding"), and UF is raised only when the
// tiny result is also inexact; fused multiply-add raises NV for ∞×0 even when the addend is a quiet NaN.

/** fflags bits (unprivileged spec, F chapter, "Accrued exception flag encoding"). */
export const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
/** Rounding modes (F chapter, "Rounding mode encoding"); 7 (DYN) is resolved by the caller. */
export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

/** Flags raised since the last takeFlags(): every operation ORs its exceptions in here. */
export const fpFlags = { v: 0 };

export interface Format {
  /** Fraction bits (significand precision minus one). */
  m: number;
  /** Exponent bits. */
  e: number;
  bias: number;
  emin: number;
  emax: number;
  expAll: bigint;
  fracMask: bigint;
  signBit: bigint;
  qnan: bigint;
  inf: bigint;
  maxFinite: bigint;
}

function format(m: number, e: number): Format {
  const bias = 2 ** (e - 1) - 1;
  const expAll = (1n << BigInt(e)) - 1n;
  const fracMask = (1n << BigInt(m)) - 1n;
  const inf = expAll << BigInt(m);
  return {
    m, e, bias, emin: 1 - bias, emax: bias, expAll, fracMask,
    signBit: 1n << BigInt(m + e),
    qnan: inf | (1n << BigInt(m - 1)),
    inf,
    maxFinite: inf - 1n,
  };
}

export const F32 = format(23, 8);
export const F64 = format(52, 11);

/** Operand classes of unpack(). */
export const Cls = { Zero: 0, Finite: 1, Inf: 2, QNaN: 3, SNaN: 4 } as const;
export type Cls = (typeof Cls)[keyof typeof Cls];

export interface Unpacked {
  cls: Cls;
  sign: boolean;
  /** Finite non-zero: value = sig · 2^exp exactly. */
  sig: bigint;
  exp: number;
}

export function unpack(f: Format, bits: bigint): Unpacked {
  const sign = (bits & f.signBit) !== 0n;
  const E = (bits >> BigInt(f.m)) & f.expAll;
  const F = bits & f.fracMask;
  if (E === f.expAll) {
    if (F === 0n) return { cls: Cls.Inf, sign, sig: 0n, exp: 0 };
    return { cls: (F >> BigInt(f.m - 1)) & 1n ? Cls.QNaN : Cls.SNaN, sign, sig: 0n, exp: 0 };
  }
  if (E === 0n) {
    if (F === 0n) return { cls: Cls.Zero, sign, sig: 0n, exp: 0 };
    return { cls: Cls.Finite, sign, sig: F, exp: f.emin - f.m };
  }
  return { cls: Cls.Finite, sign, sig: F | (1n << BigInt(f.m)), exp: Number(E) - f.bias - f.m };
}

export function isNaNCls(c: Cls): boolean {
  return c === Cls.QNaN || c === Cls.SNaN;
}

/** Number of significant bits of x > 0. */
export function bitLength(x: bigint): number {
  let n = 0;
  while (x >= 0x100000000n) {
    x >>= 32n;
    n += 32;
  }
  return n + 32 - Math.clz32(Number(x));
}

function zero(f: Format, sign: boolean): bigint {
  return sign ? f.signBit : 0n;
}

/** sig >> sh rounded by rm for a value of the given sign; inexact reports a non-zero remainder. */
function shiftRound(sig: bigint, sh: number, sign: boolean, rm: number): { q: bigint; inexact: boolean } {
  if (sh <= 0) return { q: sig << BigInt(-sh), inexact: false };
  const s = BigInt(sh);
  let q = sig >> s;
  const rem = sig & ((1n << s) - 1n);
  if (rem === 0n) return { q, inexact: false };
  const half = 1n << (s - 1n);
  let up = false;
  switch (rm) {
    case RNE: up = rem > half || (rem === half && (q & 1n) === 1n); break;
    case RMM: up = rem >= half; break;
    case RDN: up = sign; break;
    case RUP: up = !sign; break;
    default: up = false; // RTZ
  }
  if (up) q += 1n;
  return { q, inexact: true };
}

/**
 * Round the exact value (−1)^sign · sig · 2^exp (sig > 0) to format f with mode rm, raising NX, UF
 * (tiny after rounding and inexact) and OF. sig may carry a sticky low bit standing for a non-zero tail.
 */
export function roundPack(f: Format, sign: boolean, sig: bigint, exp: number, rm: number): bigint {
  const p = f.m + 1;
  const E = exp + bitLength(sig) - 1;
  let q = E - f.m;
  let tiny = false;
  if (E < f.emin) {
    // Tininess after rounding: round to p bits as if the exponent range were unbounded.
    const r1 = shiftRound(sig, q - exp, sign, rm);
    const E1 = bitLength(r1.q) > p ? E + 1 : E;
    tiny = E1 < f.emin;
    q = f.emin - f.m;
  }
  const r = shiftRound(sig, q - exp, sign, rm);
  let rs = r.q;
  if (r.inexact) fpFlags.v |= tiny ? NX | UF : NX;
  if (rs === 0n) return zero(f, sign);
  if (bitLength(rs) > p) {
    rs >>= 1n;
    q += 1;
  }
  const Ef = q + bitLength(rs) - 1;
  if (Ef > f.emax) {
    fpFlags.v |= OF | NX;
    const toInf = rm === RNE || rm === RMM || (rm === RUP && !sign) || (rm === RDN && sign);
    return (sign ? f.signBit : 0n) | (toInf ? f.inf : f.maxFinite);
  }
  const s = sign ? f.signBit : 0n;
  if (bitLength(rs) < p) return s | rs; // subnormal
  return s | (BigInt(Ef + f.bias) << BigInt(f.m)) | (rs & f.fracMask);
}

function invalid(f: Format): bigint {
  fpFlags.v |= NV;
  return f.qnan;
}

/** Exact sum of two finite non-zero operands, rounded (x + y, exactly zero gives +0, or −0 in RDN). */
function addFinite(f: Format, a: Unpacked, b: Unpacked, rm: number): bigint {
  const e = Math.min(a.exp, b.exp);
  const A = a.sig << BigInt(a.exp - e);
  const B = b.sig << BigInt(b.exp - e);
  const S = (a.sign ? -A : A) + (b.sign ? -B : B);
  if (S === 0n) return zero(f, rm === RDN);
  return roundPack(f, S < 0n, S < 0n ? -S : S, e, rm);
}

export function add(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    if (a.cls === Cls.SNaN || b.cls === Cls.SNaN) fpFlags.v |= NV;
    return f.qnan;
  }
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (a.cls === Cls.Inf && b.cls === Cls.Inf && a.sign !== b.sign) return invalid(f);
    return (a.cls === Cls.Inf ? a.sign : b.sign) ? f.signBit | f.inf : f.inf;
  }
  if (a.cls === Cls.Zero && b.cls === Cls.Zero) return zero(f, a.sign === b.sign ? a.sign : rm === RDN);
  if (a.cls === Cls.Zero) return y;
  if (b.cls === Cls.Zero) return x;
  return addFinite(f, a, b, rm);
}

export function sub(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const yb = unpack(f, y);
  // Negating a NaN does not matter (the result is canonical); flags come from add's checks.
  return add(f, x, isNaNCls(yb.cls) ? y : y ^ f.signBit, rm);
}

export function mul(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    if (a.cls === Cls.SNaN || b.cls === Cls.SNaN) fpFlags.v |= NV;
    return f.qnan;
  }
  const sign = a.sign !== b.sign;
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (a.cls === Cls.Zero || b.cls === Cls.Zero) return invalid(f);
    return (sign ? f.signBit : 0n) | f.inf;
  }
  if (a.cls === Cls.Zero || b.cls === Cls.Zero) return zero(f, sign);
  return roundPack(f, sign, a.sig * b.sig, a.exp + b.exp, rm);
}

export function div(f: Format, x: bigint, y: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y);
  if (isNaNCls(a.cls) || isNaNCls(b.cls)) {
    if (a.cls === Cls.SNaN || b.cls === Cls.SNaN) fpFlags.v |= NV;
    return f.qnan;
  }
  const sign = a.sign !== b.sign;
  if (a.cls === Cls.Inf) return b.cls === Cls.Inf ? invalid(f) : (sign ? f.signBit : 0n) | f.inf;
  if (b.cls === Cls.Inf) return zero(f, sign);
  if (b.cls === Cls.Zero) {
    if (a.cls === Cls.Zero) return invalid(f);
    fpFlags.v |= DZ;
    return (sign ? f.signBit : 0n) | f.inf;
  }
  if (a.cls === Cls.Zero) return zero(f, sign);
  // A quotient of at least p + 2 bits plus a sticky bit rounds like the exact quotient.
  const k = Math.max(0, f.m + 4 + bitLength(b.sig) - bitLength(a.sig));
  const n = a.sig << BigInt(k);
  const q = n / b.sig;
  const r = n - q * b.sig;
  return roundPack(f, sign, (q << 1n) | (r === 0n ? 0n : 1n), a.exp - b.exp - k - 1, rm);
}

/** Integer square root: the largest r with r² ≤ n. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton steps from the double estimate, then exact correction.
  for (let i = 0; i < 8; i++) {
    const y = (x + n / x) >> 1n;
    if (y === x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

export function sqrt(f: Format, x: bigint, rm: number): bigint {
  const a = unpack(f, x);
  if (isNaNCls(a.cls)) {
    if (a.cls === Cls.SNaN) fpFlags.v |= NV;
    return f.qnan;
  }
  if (a.cls === Cls.Zero) return x;
  if (a.sign) return invalid(f);
  if (a.cls === Cls.Inf) return x;
  let k = Math.max(0, 2 * (f.m + 4) - bitLength(a.sig));
  if (((a.exp - k) & 1) !== 0) k++;
  const n = a.sig << BigInt(k);
  const root = isqrt(n);
  const rem = n - root * root;
  return roundPack(f, false, (root << 1n) | (rem === 0n ? 0n : 1n), (a.exp - k) / 2 - 1, rm);
}

/** x·y + z with one rounding (the caller negates operands for fmsub/fnmsub/fnmadd). */
export function fma(f: Format, x: bigint, y: bigint, z: bigint, rm: number): bigint {
  const a = unpack(f, x), b = unpack(f, y), c = unpack(f, z);
  const infTimesZero =
    (a.cls === Cls.Inf && b.cls === Cls.Zero) || (a.cls === Cls.Zero && b.cls === Cls.Inf);
  if (isNaNCls(a.cls) || isNaNCls(b.cls) || isNaNCls(c.cls)) {
    if (a.cls === Cls.SNaN || b.cls === Cls.SNaN || c.cls === Cls.SNaN || infTimesZero) fpFlags.v |= NV;
    return f.qnan;
  }
  if (infTimesZero) return invalid(f);
  const ps = a.sign !== b.sign;
  if (a.cls === Cls.Inf || b.cls === Cls.Inf) {
    if (c.cls === Cls.Inf && c.sign !== ps) return invalid(f);
    return (ps ? f.signBit : 0n) | f.inf;
  }
  if (c.cls === Cls.Inf) return z;
  if (a.cls === Cls.Zero || b.cls === Cls.Zero) {
    if (c.cls === Cls.Zero) return zero(f, ps === c.sign ? ps : rm === RDN);
    return z;
  }
  const prod: Unpacked = { cls: Cls.Finite, sign: ps, sig: a.sig * b.sig, exp: a.exp + b.exp };
  if (c.cls === Cls.Zero) return roundPack(f, ps, prod.sig, prod.exp, rm);
  return addFinite(f, prod, c, rm);
}

/** Convert between formats (exact for widening); NaNs become the canonical NaN of `to`. */
export function convert(from: Format, to: Format, x: bigint, rm: number): bigint {
  const a = unpack(from, x);
  if (isNaNCls(a.cls)) {
    if (a.cls === Cls.SNaN) fpFlags.v |= NV;
    return to.qnan;
  }
  if (a.cls === Cls.Inf) return (a.sign ? to.signBit : 0n) | to.inf;
  if (a.cls === Cls.Zero) return zero(to, a.sign);
  return roundPack(to, a.sign, a.sig, a.exp, rm);
}

/**
 * Float to integer with the F chapter's saturation table ("fcvt.w.s" etc.): NaN and +∞ and too-large
 * values give the largest integer, −∞ and too-small ones the smallest (0 for unsigned), all with NV and
 * without NX. Returns the integer value (not reduced to `width` bits).
 */
export function toInt(f: Format, x: bigint, rm: number, width: 32 | 64, signed: boolean): bigint {
  const a = unpack(f, x);
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  if (isNaNCls(a.cls)) {
    fpFlags.v |= NV;
    return max;
  }
  if (a.cls === Cls.Inf) {
    fpFlags.v |= NV;
    return a.sign ? min : max;
  }
  if (a.cls === Cls.Zero) return 0n;
  const r = shiftRound(a.sig, -a.exp, a.sign, rm);
  const v = a.sign ? -r.q : r.q;
  if (v > max || v < min) {
    fpFlags.v |= NV;
    return a.sign ? min : max;
  }
  if (r.inexact) fpFlags.v |= NX;
  return v;
}

/** Integer (any size) to float, rounded by rm. */
export function fromInt(f: Format, v: bigint, rm: number): bigint {
  if (v === 0n) return 0n;
  return roundPack(f, v < 0n, v < 0n ? -v : v, 0, rm);
}

/** fclass (F chapter, "Format of result of FCLASS instruction"): one bit of ten. */
export function classify(f: Format, x: bigint): number {
  const a = unpack(f, x);
  switch (a.cls) {
    case Cls.Inf: return a.sign ? 1 << 0 : 1 << 7;
    case Cls.Zero: return a.sign ? 1 << 3 : 1 << 4;
    case Cls.SNaN: return 1 << 8;
    case Cls.QNaN: return 1 << 9;
    default: {
      const subnormal = ((x >> BigInt(f.m)) & f.expAll) === 0n;
      if (a.sign) return subnormal ? 1 << 2 : 1 << 1;
      return subnormal ? 1 << 5 : 1 << 6;
    }
  }
}
