// Operand kinds of the instruction table: where each operand lives in the instruction bits.
// The names follow riscv-opcodes' argument names where one exists (rd, rs1, rs2, csr, zimm, ...);
// C-extension fields carry a c_ prefix. One definition serves the decoder, encoder and disassembler.

/** Register operand: a bit field holding a register number, optionally the 3-bit x8..x15 form. */
export interface RegField {
  kind: 'reg';
  name: string;
  hi: number;
  lo: number;
  /** 3-bit "prime" register field of the C extension: encodes x8..x15 (f8..f15). */
  prime: boolean;
  /** Register file: integer (x) or floating-point (f, the F and D extensions). */
  file: 'x' | 'f';
}

/** A piece of an immediate: instruction bits [instHi:instLo] hold value bits starting at valLo. */
export type ImmPiece = readonly [instHi: number, instLo: number, valLo: number];

/** Immediate operand: value bits scattered over the instruction. */
export interface ImmField {
  kind: 'imm';
  name: string;
  pieces: readonly ImmPiece[];
  signed: boolean;
  /** Width of the value in bits, including the implied zero low bits. */
  bits: number;
  /** The value must be a multiple of 1 << align (its low `align` bits are not encoded). */
  align: number;
  /**
   * lui-style: the assembly value is the 20-bit upper immediate (0..0xfffff) while the field holds its
   * sign-extended low 6 bits (c.lui). Only used by c.lui.
   */
  upper20?: boolean;
  /** How the disassembler prints it: fence sets as iorw, rounding modes by name, everything else as a number. */
  print?: 'fence' | 'rm';
}

export type OperandField = RegField | ImmField;

function reg(name: string, hi: number, lo: number, prime = false, file: 'x' | 'f' = 'x'): RegField {
  return { kind: 'reg', name, hi, lo, prime, file };
}

function imm(
  name: string,
  signed: boolean,
  bits: number,
  align: number,
  pieces: readonly ImmPiece[],
  extra: Partial<ImmField> = {},
): ImmField {
  return { kind: 'imm', name, pieces, signed, bits, align, ...extra };
}

/** Every operand kind the table may name. */
export const OPERANDS: Readonly<Record<string, OperandField>> = {
  // Base formats (unprivileged spec, chapter 2, figure "RISC-V base instruction formats").
  rd: reg('rd', 11, 7),
  rs1: reg('rs1', 19, 15),
  rs2: reg('rs2', 24, 20),
  imm12: imm('imm12', true, 12, 0, [[31, 20, 0]]),
  simm12: imm('simm12', true, 12, 0, [[31, 25, 5], [11, 7, 0]]),
  bimm13: imm('bimm13', true, 13, 1, [[31, 31, 12], [30, 25, 5], [11, 8, 1], [7, 7, 11]]),
  uimm20: imm('uimm20', false, 20, 0, [[31, 12, 0]]),
  jimm21: imm('jimm21', true, 21, 1, [[31, 31, 20], [30, 21, 1], [20, 20, 11], [19, 12, 12]]),
  shamt6: imm('shamt6', false, 6, 0, [[25, 20, 0]]),
  shamt5: imm('shamt5', false, 5, 0, [[24, 20, 0]]),
  csr: imm('csr', false, 12, 0, [[31, 20, 0]]),
  zimm5: imm('zimm5', false, 5, 0, [[19, 15, 0]]),
  pred: imm('pred', false, 4, 0, [[27, 24, 0]], { print: 'fence' }),
  succ: imm('succ', false, 4, 0, [[23, 20, 0]], { print: 'fence' }),

  // F and D (unprivileged spec, F chapter: R4-type rs3 in 31..27, the rounding mode in funct3).
  frd: reg('frd', 11, 7, false, 'f'),
  frs1: reg('frs1', 19, 15, false, 'f'),
  frs2: reg('frs2', 24, 20, false, 'f'),
  frs3: reg('frs3', 31, 27, false, 'f'),
  rm: imm('rm', false, 3, 0, [[14, 12, 0]], { print: 'rm' }),

  // C extension (unprivileged spec, chapter "C" Standard Extension, compressed formats table).
  c_rs1: reg('c_rs1', 11, 7),
  c_rs2: reg('c_rs2', 6, 2),
  c_rd_p: reg('c_rd_p', 4, 2, true),
  c_rs1_p: reg('c_rs1_p', 9, 7, true),
  c_rs2_p: reg('c_rs2_p', 4, 2, true),
  c_frd_p: reg('c_frd_p', 4, 2, true, 'f'),
  c_frs2_p: reg('c_frs2_p', 4, 2, true, 'f'),
  c_frd: reg('c_frd', 11, 7, false, 'f'),
  c_frs2: reg('c_frs2', 6, 2, false, 'f'),
  c_nzuimm10: imm('c_nzuimm10', false, 10, 2, [[12, 11, 4], [10, 7, 6], [6, 6, 2], [5, 5, 3]]),
  c_uimm7: imm('c_uimm7', false, 7, 2, [[12, 10, 3], [6, 6, 2], [5, 5, 6]]),
  c_uimm8: imm('c_uimm8', false, 8, 3, [[12, 10, 3], [6, 5, 6]]),
  c_imm6: imm('c_imm6', true, 6, 0, [[12, 12, 5], [6, 2, 0]]),
  c_nzimm10: imm('c_nzimm10', true, 10, 4, [[12, 12, 9], [6, 6, 4], [5, 5, 6], [4, 3, 7], [2, 2, 5]]),
  c_lui_imm: imm('c_lui_imm', true, 6, 0, [[12, 12, 5], [6, 2, 0]], { upper20: true }),
  c_shamt6: imm('c_shamt6', false, 6, 0, [[12, 12, 5], [6, 2, 0]]),
  c_jimm12: imm('c_jimm12', true, 12, 1, [
    [12, 12, 11], [11, 11, 4], [10, 9, 8], [8, 8, 10], [7, 7, 6], [6, 6, 7], [5, 3, 1], [2, 2, 5],
  ]),
  c_bimm9: imm('c_bimm9', true, 9, 1, [[12, 12, 8], [11, 10, 3], [6, 5, 6], [4, 3, 1], [2, 2, 5]]),
  c_uimm8sp: imm('c_uimm8sp', false, 8, 2, [[12, 12, 5], [6, 4, 2], [3, 2, 6]]),
  c_uimm9sp: imm('c_uimm9sp', false, 9, 3, [[12, 12, 5], [6, 5, 3], [4, 2, 6]]),
  c_uimm8sp_s: imm('c_uimm8sp_s', false, 8, 2, [[12, 9, 2], [8, 7, 6]]),
  c_uimm9sp_s: imm('c_uimm9sp_s', false, 9, 3, [[12, 10, 3], [9, 7, 6]]),
};

/** Bits [hi:lo] of x as an unsigned number. */
export function bits(x: number, hi: number, lo: number): number {
  return ((x >>> lo) & (hi - lo === 31 ? 0xffffffff : (1 << (hi - lo + 1)) - 1)) >>> 0;
}

/** Value of an operand field in raw instruction bits (register number, or the immediate's value). */
export function extractOperand(f: OperandField, raw: number): number {
  if (f.kind === 'reg') {
    const r = bits(raw, f.hi, f.lo);
    return f.prime ? r + 8 : r;
  }
  let v = 0;
  for (const [hi, lo, valLo] of f.pieces) v += bits(raw, hi, lo) * 2 ** valLo;
  if (f.signed && v >= 2 ** (f.bits - 1)) v -= 2 ** f.bits;
  if (f.upper20) v = v & 0xfffff;
  return v;
}

/** Why `value` cannot be encoded in field f, or null when it can. */
export function operandRangeError(f: OperandField, value: number): string | null {
  if (!Number.isInteger(value)) return `${f.name} must be an integer`;
  if (f.kind === 'reg') {
    if (f.prime) return value >= 8 && value <= 15 ? null : 'register must be one of x8..x15 (s0-s1, a0-a5)';
    return value >= 0 && value <= 31 ? null : 'register number out of range';
  }
  if (f.upper20) {
    const ok = (value >= 1 && value <= 31) || (value >= 0xfffe0 && value <= 0xfffff);
    return ok ? null : 'immediate must be in [1, 31] or [0xfffe0, 0xfffff]';
  }
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
  const step = 2 ** f.align;
  if (value < lo || value > hi) {
    const range = `[${lo}, ${hi - (step - 1)}]`;
    return step > 1 ? `immediate must be a multiple of ${step} in the range ${range}` : `immediate must be an integer in the range ${range}`;
  }
  if (value % step !== 0) return `immediate must be a multiple of ${step} in the range [${lo}, ${hi - (step - 1)}]`;
  return null;
}

/** Raw bits holding `value` in field f (the caller has checked the range). */
export function insertOperand(f: OperandField, value: number): number {
  if (f.kind === 'reg') {
    const r = f.prime ? value - 8 : value;
    return (r << f.lo) >>> 0;
  }
  let v = value;
  if (f.upper20) v = v & 0x3f;
  // Two's complement within the field width; Math ops keep this exact for widths up to 32 bits.
  const u = v < 0 ? v + 2 ** f.bits : v;
  let out = 0;
  for (const [hi, lo, valLo] of f.pieces) {
    const width = hi - lo + 1;
    const piece = Math.floor(u / 2 ** valLo) % 2 ** width;
    out = (out | (piece << lo)) >>> 0;
  }
  return out >>> 0;
}
