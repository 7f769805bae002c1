// Materialising a 64-bit constant (`li rd, value`) the way LLVM 14's assembler does (RISCVMatInt), so that
// rvx's output is byte-identical to llvm-mc's for the same source. Without the bit-manipulation extensions
// only RV64I base instructions are used; with Zba, Zbb or Zbs on (`--march ..._zba_zbb_zbs`) LLVM 14 also
// tries slli.uw/zext.w/sh[123]add, rori, and bseti/bclri, keeping whichever sequence is shorter (below).
// The assembler encodes each step and then compresses it like any other instruction.
//
// The idea: a 32-bit signed value is `lui` + `addiw` (or a lone `addi`/`lui`). A wider value is split into a
// sign-extended low 12 bits and the rest; the rest, shifted right past its trailing zeros, is materialised
// recursively, then `slli` puts it back and `addi` adds the low part. Working from the least significant
// end lets every `addi` use all 12 bits despite their sign extension. For positive values LLVM also tries
// materialising the value shifted up to bit 63 (low bits filled with ones, or zeros) followed by `srli`,
// and keeps that when it is strictly shorter.

export interface MaterializeStep {
  /**
   * Mnemonic: lui, addi, addiw, slli or srli; with bit manipulation also slli.uw, add.uw (rd, rd, zero:
   * zext.w), sh1add/sh2add/sh3add (rd, rd, rd), rori, bseti and bclri.
   */
  op: 'lui' | 'addi' | 'addiw' | 'slli' | 'srli' | 'slli.uw' | 'add.uw' | 'sh1add' | 'sh2add' | 'sh3add' | 'rori' | 'bseti' | 'bclri';
  /** The immediate: lui's 20-bit upper immediate (0..0xfffff), a signed 12-bit value, a shift amount or bit index (0 for add.uw, sh*add). */
  imm: number;
}

/** The bit-manipulation extensions `li` may use (LLVM's FeatureStdExtZba/Zbb/Zbs). */
export interface MaterializeFeatures {
  zba?: boolean;
  zbb?: boolean;
  zbs?: boolean;
}

const NO_FEATURES: MaterializeFeatures = {};

const MASK64 = (1n << 64n) - 1n;

function signExtend(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v);
}

function fitsSigned(v: bigint, bits: number): boolean {
  return BigInt.asIntN(bits, v) === v;
}

/** Index of the lowest set bit of a non-zero 64-bit pattern. */
function trailingZeros(v: bigint): number {
  let n = 0;
  let x = v & MASK64;
  while ((x & 1n) === 0n && n < 64) {
    x >>= 1n;
    n++;
  }
  return n;
}

function leadingZeros(v: bigint): number {
  let n = 0;
  for (let bit = 63n; bit >= 0n && ((v >> bit) & 1n) === 0n; bit--) n++;
  return n;
}

function sequence(val: bigint, out: MaterializeStep[], f: MaterializeFeatures = NO_FEATURES): void {
  if (fitsSigned(val, 32)) {
    const hi20 = Number(((val + 0x800n) >> 12n) & 0xfffffn);
    const lo12 = Number(signExtend(val, 12));
    if (hi20 !== 0) out.push({ op: 'lui', imm: hi20 });
    // On RV64 the add after lui must be addiw: lui sign-extends bit 31, and a value just below 2^31 would
    // otherwise come out as a negative 64-bit number.
    if (lo12 !== 0 || hi20 === 0) out.push({ op: hi20 !== 0 ? 'addiw' : 'addi', imm: lo12 });
    return;
  }
  const lo12 = signExtend(val, 12);
  let hi52 = ((val & MASK64) + 0x800n) & MASK64;
  hi52 >>= 12n;
  let shift = 12 + trailingZeros(hi52);
  hi52 = signExtend(hi52 >> BigInt(shift - 12), 64 - shift);
  // When the rest does not fit addi's 12 bits but fits lui's, shift 12 less and let lui supply the zeros.
  let unsigned = false;
  if (shift > 12 && !fitsSigned(hi52, 12)) {
    const up = (hi52 << 12n) & MASK64;
    if (fitsSigned(signExtend(up, 64), 32)) {
      shift -= 12;
      hi52 = signExtend(up, 64);
    } else if (up < 1n << 32n && f.zba) {
      // Zba: let lui supply the zeros as above, the upper bits set, and slli.uw clear them.
      shift -= 12;
      hi52 = signExtend(up | (0xffffffffn << 32n), 64);
      unsigned = true;
    }
  }
  // Zba: a rest that is a uint32 but not an int32 is built sign-extended and zero-extended by slli.uw.
  const rest = hi52 & MASK64;
  if (f.zba && rest < 1n << 32n && !fitsSigned(hi52, 32)) {
    hi52 = signExtend(rest | (0xffffffffn << 32n), 64);
    unsigned = true;
  }
  sequence(hi52, out, f);
  out.push({ op: unsigned ? 'slli.uw' : 'slli', imm: shift });
  if (lo12 !== 0n) out.push({ op: 'addi', imm: Number(lo12) });
}

/** Number of set bits of a 32-bit pattern. */
function popcount32(v: bigint): number {
  let n = 0;
  for (let x = v & 0xffffffffn; x; x &= x - 1n) n++;
  return n;
}

function countLeadingOnes(v: bigint): number {
  return leadingZeros(~v & MASK64);
}

function countTrailingOnes(v: bigint, bits: number): number {
  let n = 0;
  while (n < bits && ((v >> BigInt(n)) & 1n) === 1n) n++;
  return n;
}

/**
 * Zbb: a value that is a rotation of a 12-bit signed immediate: the rotate-right amount that turns
 * `addi` of that immediate into the value, or 0 (LLVM's extractRotateInfo: ones at both ends with at most
 * 11 other bits, or ones across the middle word boundary).
 */
function rotateAmount(val: bigint): number {
  const u = val & MASK64;
  const leadingOnes = countLeadingOnes(u);
  const trailingOnes = countTrailingOnes(u, 64);
  if (trailingOnes > 0 && trailingOnes < 64 && leadingOnes + trailingOnes > 64 - 12) return 64 - trailingOnes;
  const upperTrailingOnes = countTrailingOnes(u >> 32n, 32);
  const lowerLeadingOnes = leadingZeros(~(u << 32n) & MASK64); // leading ones of bits 31..0
  if (upperTrailingOnes < 32 && upperTrailingOnes + Math.min(lowerLeadingOnes, 32) > 64 - 12) return 32 - upperTrailingOnes;
  return 0;
}

/**
 * The instructions `li rd, value` expands to on RV64, as llvm-mc 14 emits them (RISCVMatInt
 * generateInstSeq). The first step reads x0 (lui reads nothing); every later step reads and writes rd.
 * Unsigned 64-bit inputs are wrapped to signed. `features`: the bit-manipulation extensions in force.
 */
export function materialize(value: bigint, features: MaterializeFeatures = NO_FEATURES): MaterializeStep[] {
  const f = features;
  const val = BigInt.asIntN(64, value);
  const best: MaterializeStep[] = [];
  sequence(val, best, f);
  let result = best;
  const tryAlt = (alt: MaterializeStep[]): boolean => {
    if (alt.length < result.length) result = alt;
    return result.length <= 2;
  };
  if (val > 0n && result.length > 2) {
    const lz = leadingZeros(val);
    const ones = (1n << BigInt(lz)) - 1n;
    const shiftedOnes = (((val << BigInt(lz)) & MASK64) | ones) & MASK64;
    for (const shifted of [shiftedOnes, shiftedOnes & ~ones & MASK64]) {
      const alt: MaterializeStep[] = [];
      sequence(BigInt.asIntN(64, shifted), alt, f);
      alt.push({ op: 'srli', imm: lz });
      if (tryAlt(alt)) return result;
    }
    // Zba: exactly 32 leading zeros: build the value with the upper word all ones, then zext.w.
    if (lz === 32 && f.zba) {
      const alt: MaterializeStep[] = [];
      sequence(BigInt.asIntN(64, val | (0xffffffffn << 32n)), alt, f);
      alt.push({ op: 'add.uw', imm: 0 });
      if (tryAlt(alt)) return result;
    }
  }
  if (result.length > 2 && f.zbs) {
    // Zbs: a value one bseti/bclri 31 away from an int32.
    const op = val < 0n ? 'bclri' : 'bseti';
    const near = val < 0n ? val | 0x80000000n : val & ~0x80000000n;
    if (fitsSigned(near, 32)) {
      const alt: MaterializeStep[] = [];
      sequence(near, alt, f);
      alt.push({ op, imm: 31 });
      if (alt.length < result.length) result = alt;
    }
    // The low word as an int32, then the upper word's bits set (bseti) or cleared (bclri) one by one.
    const lo = signExtend(val, 32);
    let hi = (val >> 32n) & 0xffffffffn;
    const alt: MaterializeStep[] = [];
    sequence(lo, alt, f);
    let bitOp: 'bseti' | 'bclri' | null = null;
    if (lo > 0n && alt.length + popcount32(hi) < result.length) bitOp = 'bseti';
    else if (lo < 0n && alt.length + popcount32(~hi) < result.length) {
      bitOp = 'bclri';
      hi = ~hi & 0xffffffffn;
    }
    if (bitOp !== null) {
      for (let bit = 0; bit < 32; bit++) if ((hi >> BigInt(bit)) & 1n) alt.push({ op: bitOp, imm: bit + 32 });
      if (alt.length < result.length) result = alt;
    }
  }
  if (result.length > 2 && f.zba) {
    // Zba: a multiple of 3, 5 or 9 whose quotient is an int32: the quotient, then sh1add/sh2add/sh3add rd, rd, rd.
    const divisor = (v: bigint): [bigint, 'sh1add' | 'sh2add' | 'sh3add'] | null => {
      for (const [d, op] of [[3n, 'sh1add'], [5n, 'sh2add'], [9n, 'sh3add']] as const) {
        if (v % d === 0n && fitsSigned(v / d, 32)) return [d, op];
      }
      return null;
    };
    const whole = divisor(val);
    if (whole) {
      const alt: MaterializeStep[] = [];
      sequence(val / whole[0], alt, f);
      alt.push({ op: whole[1], imm: 0 });
      if (alt.length < result.length) result = alt;
    } else {
      // The same for the value without its low 12 bits, then addi of them.
      const hi52 = BigInt.asIntN(64, (val + 0x800n) & ~0xfffn);
      const lo12 = signExtend(val, 12);
      const part = divisor(hi52);
      if (part) {
        const alt: MaterializeStep[] = [];
        sequence(hi52 / part[0], alt, f);
        alt.push({ op: part[1], imm: 0 }, { op: 'addi', imm: Number(lo12) });
        if (alt.length < result.length) result = alt;
      }
    }
  }
  if (result.length > 2 && f.zbb) {
    // Zbb: a rotated 12-bit immediate: addi, then rori.
    const rot = rotateAmount(val);
    if (rot !== 0) {
      const u = val & MASK64;
      const imm12 = signExtend(((u >> BigInt(64 - rot)) | (u << BigInt(rot))) & MASK64, 64);
      result = [{ op: 'addi', imm: Number(imm12) }, { op: 'rori', imm: rot }];
    }
  }
  return result;
}
