// One F/D computational instruction on the register files: the hart's interpreter and the differential
// tests both run instructions through execFp, so what the tests compare is what the machine does.
//
// Registers: integer and floating-point registers are 8-byte slots of one Int32Array (x_k at halves 2k,
// 2k+1; f_k at fb + 2k, fb + 2k + 1) with a Float64Array over the same bytes. binary32 values are
// NaN-boxed (F chapter §"NaN Boxing of Narrower Values", D chapter): a 32-bit result writes all ones to
// the upper half, and a 32-bit operand whose upper half is not all ones reads as the canonical NaN.

import * as F from './fpu.js';

/** FP operation numbers (the interpreter's immediate carries one); names are the table mnemonics. */
export const FP_OP_NAMES = [
  'fadd.s', 'fsub.s', 'fmul.s', 'fdiv.s', 'fsqrt.s', 'fmin.s', 'fmax.s', 'fsgnj.s', 'fsgnjn.s', 'fsgnjx.s',
  'fmadd.s', 'fmsub.s', 'fnmsub.s', 'fnmadd.s', 'feq.s', 'flt.s', 'fle.s', 'fclass.s',
  'fcvt.w.s', 'fcvt.wu.s', 'fcvt.l.s', 'fcvt.lu.s', 'fcvt.s.w', 'fcvt.s.wu', 'fcvt.s.l', 'fcvt.s.lu',
  'fmv.x.w', 'fmv.w.x',
  'fadd.d', 'fsub.d', 'fmul.d', 'fdiv.d', 'fsqrt.d', 'fmin.d', 'fmax.d', 'fsgnj.d', 'fsgnjn.d', 'fsgnjx.d',
  'fmadd.d', 'fmsub.d', 'fnmsub.d', 'fnmadd.d', 'feq.d', 'flt.d', 'fle.d', 'fclass.d',
  'fcvt.w.d', 'fcvt.wu.d', 'fcvt.l.d', 'fcvt.lu.d', 'fcvt.d.w', 'fcvt.d.wu', 'fcvt.d.l', 'fcvt.d.lu',
  'fmv.x.d', 'fmv.d.x', 'fcvt.s.d', 'fcvt.d.s',
] as const;

export const FP_OP: Readonly<Record<string, number>> = Object.fromEntries(FP_OP_NAMES.map((n, i) => [n, i]));

/** Operations whose destination is an integer register (the rest write an f register). */
export const FP_WRITES_X = new Uint8Array(FP_OP_NAMES.length);
/** Operations whose rs1 is an integer register. */
export const FP_READS_X = new Uint8Array(FP_OP_NAMES.length);
for (const [i, n] of FP_OP_NAMES.entries()) {
  if (/^(feq|flt|fle|fclass|fmv\.x|fcvt\.(w|wu|l|lu)\.)/.test(n)) FP_WRITES_X[i] = 1;
  if (/^(fmv\.[wd]\.x|fcvt\.[sd]\.(w|wu|l|lu))$/.test(n)) FP_READS_X[i] = 1;
}
/** Operations that take a rounding mode (the rm field is an operand, not fixed). */
export const FP_HAS_RM = new Uint8Array(FP_OP_NAMES.length);
for (const [i, n] of FP_OP_NAMES.entries()) {
  // fcvt.d.w, fcvt.d.wu and fcvt.d.s are exact: their rm field is fixed to 0 (as LLVM and GNU as encode it).
  if (/^(fadd|fsub|fmul|fdiv|fsqrt|fn?m(add|sub)|fcvt)/.test(n) && !/^fcvt\.d\.(w|wu|s)$/.test(n)) FP_HAS_RM[i] = 1;
}

const CANON_S = F.CANONICAL_NAN_S;

/**
 * Execute FP operation `op` with rounding mode rm (0-4, already resolved from frm). rd, rs1, rs2, rs3
 * are register numbers in the file the operation names. Returns the exception flags it raised.
 */
export function execFp(
  m32: Int32Array, f64: Float64Array, fb: number,
  op: number, rm: number, rd: number, rs1: number, rs2: number, rs3: number,
): number {
  F.fpFlags.v = 0;
  const a = fb + 2 * rs1, b = fb + 2 * rs2, c = fb + 2 * rs3, d = fb + 2 * rd;
  const fd64 = d >> 1, fa64 = a >> 1, fbb64 = b >> 1, fc64 = c >> 1;
  const sa = m32[a + 1] === -1 ? m32[a] : CANON_S;
  const sb = m32[b + 1] === -1 ? m32[b] : CANON_S;
  let sRes = 0; // binary32 result pattern
  let dRes = 0; // binary64 result value
  let xLo = 0, xHi = 0; // integer result
  switch (op) {
    // ---- binary32 ----
    case 0: sRes = F.addS(sa, sb, rm); break;
    case 1: sRes = F.subS(sa, sb, rm); break;
    case 2: sRes = F.mulS(sa, sb, rm); break;
    case 3: sRes = F.divS(sa, sb, rm); break;
    case 4: sRes = F.sqrtS(sa, rm); break;
    case 5: sRes = F.minMaxS(sa, sb, false); break;
    case 6: sRes = F.minMaxS(sa, sb, true); break;
    // Sign injection reads the unboxed value too (improperly boxed operands are the canonical NaN).
    case 7: sRes = (sa & 0x7fffffff) | (sb & 0x80000000); break;
    case 8: sRes = (sa & 0x7fffffff) | (~sb & 0x80000000); break;
    case 9: sRes = sa ^ (sb & 0x80000000); break;
    case 10: case 11: case 12: case 13: {
      const sc = m32[c + 1] === -1 ? m32[c] : CANON_S;
      // fmadd: a·b + c; fmsub: a·b − c; fnmsub: −(a·b) + c; fnmadd: −(a·b) − c.
      sRes = F.fmaS(sa, sb, sc, op >= 12, op === 11 || op === 13, rm);
      break;
    }
    case 14: case 15: case 16: xLo = F.cmpS(sa, sb, (op - 14) as 0 | 1 | 2); break;
    case 17: xLo = F.classS(sa); break;
    case 18: case 19: case 20: case 21:
      F.toInt((sa & 0x7fffffff) > 0x7f800000 ? NaN : F.sToNum(sa), op - 18, rm);
      xLo = F.out[0];
      xHi = F.out[1];
      break;
    case 22: case 23: case 24: case 25: sRes = F.intToS(m32[2 * rs1], m32[2 * rs1 + 1], op - 22, rm); break;
    case 26: // fmv.x.w: the low 32 bits as they are (no unboxing), sign-extended
      xLo = m32[a];
      xHi = xLo >> 31;
      break;
    case 27: sRes = m32[2 * rs1]; break; // fmv.w.x

    // ---- binary64 ----
    case 28: dRes = F.addD(f64[fa64], f64[fbb64], rm); break;
    case 29: dRes = F.subD(f64[fa64], f64[fbb64], rm); break;
    case 30: dRes = F.mulD(f64[fa64], f64[fbb64], rm); break;
    case 31: dRes = F.divD(f64[fa64], f64[fbb64], rm); break;
    case 32: dRes = F.sqrtD(f64[fa64], rm); break;
    case 33: case 34: {
      const r = F.minMaxD(f64[fa64], f64[fbb64], op === 34);
      // The result is an operand (its bits, not a re-created double) or the canonical NaN.
      if (r !== r) {
        m32[d] = 0;
        m32[d + 1] = F.CANONICAL_NAN_D_HI;
      } else {
        const src = r === f64[fa64] && (r !== 0 || Object.is(r, f64[fa64])) ? a : b;
        m32[d] = m32[src];
        m32[d + 1] = m32[src + 1];
      }
      return F.fpFlags.v;
    }
    case 35: case 36: case 37: {
      const sign = m32[b + 1] & 0x80000000;
      const hi = m32[a + 1];
      m32[d] = m32[a];
      m32[d + 1] = op === 35 ? (hi & 0x7fffffff) | sign : op === 36 ? (hi & 0x7fffffff) | (~sign & 0x80000000) : hi ^ sign;
      return 0;
    }
    case 38: case 39: case 40: case 41:
      dRes = F.fmaD(f64[fa64], f64[fbb64], f64[fc64], op >= 40, op === 39 || op === 41, rm);
      break;
    case 42: case 43: case 44: xLo = F.cmpD(f64[fa64], f64[fbb64], (op - 42) as 0 | 1 | 2); break;
    case 45: xLo = F.classD(f64[fa64]); break;
    case 46: case 47: case 48: case 49:
      F.toInt(f64[fa64], op - 46, rm);
      xLo = F.out[0];
      xHi = F.out[1];
      break;
    case 50: case 51: case 52: case 53: dRes = F.intToD(m32[2 * rs1], m32[2 * rs1 + 1], op - 50, rm); break;
    case 54: // fmv.x.d
      xLo = m32[a];
      xHi = m32[a + 1];
      break;
    case 55: // fmv.d.x
      m32[d] = m32[2 * rs1];
      m32[d + 1] = m32[2 * rs1 + 1];
      return 0;
    case 56: sRes = F.cvtSD(f64[fa64], rm); break;
    case 57: dRes = F.cvtDS(sa); break;
    default:
      throw new Error(`execFp: unknown operation ${op}`);
  }
  if (FP_WRITES_X[op]) {
    if (rd !== 0) {
      m32[2 * rd] = xLo;
      m32[2 * rd + 1] = xHi;
    }
  } else if (op < 28 || op === 56) {
    m32[d] = sRes;
    m32[d + 1] = -1;
  } else if (dRes !== dRes) {
    m32[d] = 0;
    m32[d + 1] = F.CANONICAL_NAN_D_HI;
  } else f64[fd64] = dRes;
  return F.fpFlags.v;
}
