// Latency of rocket-chip's iterative multiply/divide unit (Multiplier.scala) for given operands: the
// one part of the core model that depends on register values (docs/cycle-model.md, "The multiplier and divider").

import { MD_HALF, MD_HI, MD_LHS_SIGNED, MD_RHS_SIGNED } from './classes.js';

/** Bits [from, to) of the 32-bit word x (0 <= from <= to <= 32) are all zero. */
function zeroBits32(x: number, from: number, to: number): boolean {
  if (from >= to) return true;
  const width = to - from;
  return width === 32 ? x === 0 : ((x >>> from) & ((1 << width) - 1)) === 0;
}

/** Number of significant bits of the unsigned 64-bit value hi:lo (0 for 0). */
function bitLength64(lo: number, hi: number): number {
  return hi !== 0 ? 64 - Math.clz32(hi) : lo !== 0 ? 32 - Math.clz32(lo) : 0;
}

/**
 * Cycles from a multiply/divide's issue to the first cycle a dependent instruction can issue, for
 * rocket-chip's iterative MulDiv (Multiplier.scala) with `unroll` multiplier bits per cycle: the request
 * is taken in execute, the unit iterates in its s_mul/s_div state, spends one cycle in s_done (the
 * response, written back through the long-latency port), and the consumer issues the cycle after.
 *
 * Multiply: mulw/unroll iterations (W forms start half-way when the unroll allows, `fastMulW`); with early
 * out the loop stops at the first iteration (not the first or last) whose remaining multiplier bits are
 * all zero (never for mulh*). The multiplier is rs1 (MulDiv shifts `remainder`, loaded with in1). Divide: one quotient bit per cycle, w + 1 iterations; an operand of a
 * signed form that is negative costs one cycle to negate (s_neg_inputs), a negative result one more
 * (s_neg_output); with early out the first iteration shifts past the quotient bits the operands' leading
 * bit positions rule out (eOutPos = ~(msb(dividend) - msb(divisor)) mod w).
 *
 * The operands are 64-bit register values as int32 halves (rs1 = rs1Hi:rs1Lo), so the model needs no
 * BigInt per instruction; mulDivCycles takes them as bigints.
 */
export function mulDivCyclesHalves(
  shape: number, isMul: boolean, rs1Lo: number, rs1Hi: number, rs2Lo: number, rs2Hi: number,
  unroll: number, mulEarlyOut: boolean, divEarlyOut: boolean,
): number {
  const w = 64;
  const half = (shape & MD_HALF) !== 0;
  const hi = (shape & MD_HI) !== 0;
  const lhsSigned = (shape & MD_LHS_SIGNED) !== 0;
  const rhsSigned = (shape & MD_RHS_SIGNED) !== 0;
  // The operands as MulDiv sees them: 64 bits, the low 32 sign- or zero-extended for the W forms.
  const aLo = rs1Lo | 0;
  const bLo = rs2Lo | 0;
  const aHi = half ? (lhsSigned ? aLo >> 31 : 0) : rs1Hi | 0;
  const bHi = half ? (rhsSigned ? bLo >> 31 : 0) : rs2Hi | 0;
  if (isMul) {
    const iters = w / unroll;
    const fastMulW = w / 2 > unroll && w % (2 * unroll) === 0;
    const count0 = half && fastMulW ? iters / 2 : 0;
    let n = iters - count0;
    if (mulEarlyOut && !hi) {
      for (let c = count0; c < iters - 1; c++) {
        if (c === 0) continue;
        const k = c - count0;
        const bits = w - unroll * c;
        // The multiplier is the first operand: MulDiv keeps rs1 in `remainder` and shifts it out.
        // Its bits [unroll k, unroll k + bits) are all zero.
        const from = unroll * k;
        const to = from + bits < w ? from + bits : w;
        if (zeroBits32(aLo, from < 32 ? from : 32, to < 32 ? to : 32) && zeroBits32(aHi, from > 32 ? from - 32 : 0, to > 32 ? to - 32 : 0)) {
          n = k + 1;
          break;
        }
      }
    }
    return n + 2;
  }
  const lhsNeg = lhsSigned && aHi < 0;
  const rhsNeg = rhsSigned && bHi < 0;
  // Magnitudes: two's-complement negation of a negative operand, as 64-bit halves.
  const maLo = lhsNeg ? -aLo | 0 : aLo;
  const maHi = lhsNeg ? (~aHi + (aLo === 0 ? 1 : 0)) | 0 : aHi;
  const mbLo = rhsNeg ? -bLo | 0 : bLo;
  const mbHi = rhsNeg ? (~bHi + (bLo === 0 ? 1 : 0)) | 0 : bHi;
  const divby0 = mbLo === 0 && mbHi === 0;
  let iterations = w + 1;
  if (divEarlyOut && !divby0) {
    const dLen = bitLength64(maLo, maHi);
    const dMsb = dLen === 0 ? 0 : dLen - 1;
    const vMsb = bitLength64(mbLo, mbHi) - 1;
    const eOutPos = ~(dMsb - vMsb) & (w - 1);
    if (eOutPos >= 1) iterations = 1 + (w - eOutPos + 1);
  }
  let negOut = hi ? lhsNeg : lhsNeg !== rhsNeg;
  if (divby0 && !hi) negOut = false;
  return (lhsNeg || rhsNeg ? 1 : 0) + iterations + (negOut ? 1 : 0) + 2;
}

/** mulDivCyclesHalves with the register values as bigints (any width: the low 64 bits count). */
export function mulDivCycles(shape: number, isMul: boolean, rs1: bigint, rs2: bigint, unroll: number, mulEarlyOut: boolean, divEarlyOut: boolean): number {
  const lo = (v: bigint) => Number(BigInt.asIntN(32, v));
  const hi = (v: bigint) => Number(BigInt.asIntN(32, v >> 32n));
  return mulDivCyclesHalves(shape, isMul, lo(rs1), hi(rs1), lo(rs2), hi(rs2), unroll, mulEarlyOut, divEarlyOut);
}
