// Materialising a 64-bit constant (`li rd, value`) the way LLVM 14's assembler does (RISCVMatInt), so that
// rvx's output is byte-identical to llvm-mc's for the same source. Only RV64I base instructions are used
// (no Zba/Zbb/Zbs); the assembler encodes each step and then compresses it like any other instruction.
//
// The idea: a 32-bit signed value is `lui` + `addiw` (or a lone `addi`/`lui`). A wider value is split into a
// sign-extended low 12 bits and the rest; the rest, shifted right past its trailing zeros, is materialised
// recursively, then `slli` puts it back and `addi` adds the low part. Working from the least significant
// end lets every `addi` use all 12 bits despite their sign extension. For positive values LLVM also tries
// materialising the value shifted up to bit 63 (low bits filled with ones, or zeros) followed by `srli`,
// and keeps that when it is strictly shorter.

export interface MaterializeStep {
  /** Base mnemonic: lui, addi, addiw, slli or srli. */
  op: 'lui' | 'addi' | 'addiw' | 'slli' | 'srli';
  /** The immediate: lui's 20-bit upper immediate (0..0xfffff), a signed 12-bit value, or a shift amount. */
  imm: number;
}

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

function sequence(val: bigint, out: MaterializeStep[]): void {
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
  if (shift > 12 && !fitsSigned(hi52, 12) && fitsSigned(signExtend(hi52 << 12n, 64), 32)) {
    shift -= 12;
    hi52 = signExtend(hi52 << 12n, 64);
  }
  sequence(hi52, out);
  out.push({ op: 'slli', imm: shift });
  if (lo12 !== 0n) out.push({ op: 'addi', imm: Number(lo12) });
}

/**
 * The instructions `li rd, value` expands to on RV64, as llvm-mc 14 emits them. The first step reads x0
 * (lui reads nothing); every later step reads and writes rd. Unsigned 64-bit inputs are wrapped to signed.
 */
export function materialize(value: bigint): MaterializeStep[] {
  const val = BigInt.asIntN(64, value);
  const best: MaterializeStep[] = [];
  sequence(val, best);
  let result = best;
  if (val > 0n && result.length > 2) {
    const lz = leadingZeros(val);
    const ones = (1n << BigInt(lz)) - 1n;
    const shiftedOnes = (((val << BigInt(lz)) & MASK64) | ones) & MASK64;
    for (const shifted of [shiftedOnes, shiftedOnes & ~ones & MASK64]) {
      const alt: MaterializeStep[] = [];
      sequence(BigInt.asIntN(64, shifted), alt);
      alt.push({ op: 'srli', imm: lz });
      if (alt.length < result.length) result = alt;
      if (result.length <= 2) break;
    }
  }
  return result;
}
