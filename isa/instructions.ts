// The instruction table: one row per instruction, in the spirit of riscv-opcodes.
// Each row: mnemonic, assembly syntax (operand kinds from operands.ts, literal registers, and
// `imm(reg)` memory forms), fixed bit fields (`hi..lo=value`, or `n=value` for one bit), extension,
// and for compressed rows the 32-bit instruction it expands to (unprivileged spec, "C" chapter).
// Decoder, encoder, disassembler, assembler and emulator all read this table; nothing else states
// an encoding.

import { OPERANDS, type OperandField } from './operands.js';

export type Extension = 'I' | 'M' | 'A' | 'F' | 'D' | 'Zicsr' | 'Zifencei' | 'C' | 'Priv' | 'Xpc' | 'Xgate' | 'Xasl' | 'Zba' | 'Zbb' | 'Zbc' | 'Zbs';

/** One operand slot of an instruction's assembly syntax. */
export type SyntaxSlot =
  | { kind: 'field'; field: OperandField }
  /** A register the syntax spells out but the encoding implies (`sp` in c.addi4spn). */
  | { kind: 'fixedReg'; reg: number }
  /** `imm(reg)`: an offset field and a base register field (or implied base register). */
  | { kind: 'mem'; offset: OperandField | null; base: OperandField | number };

export interface InstrDef {
  name: string;
  /** Index in INSTRUCTIONS (stable for one build; use as an opcode number). */
  id: number;
  syntax: string;
  slots: readonly SyntaxSlot[];
  /** Every operand field the encoding holds, in syntax order, without duplicates. */
  fields: readonly OperandField[];
  match: number;
  mask: number;
  /** 2 or 4 bytes. */
  size: 2 | 4;
  ext: Extension;
  /** Fields whose value zero makes the encoding reserved (decoded as illegal). */
  nonzero: readonly string[];
  /** Register fields that must not hold these registers (their encodings belong to another row). */
  excluded?: Readonly<Record<string, readonly number[]>>;
  /** Extensions the row needs besides `ext` (c.fld and friends need D). */
  alsoNeeds?: Extension;
  /** Compressed rows: the base instruction they stand for, in assembly syntax over this row's operand names. */
  expandsTo?: string;
  /** A.aq/.rl variants: the memory ordering bits the row fixes. */
  aq?: boolean;
  rl?: boolean;
}

type Row = [name: string, syntax: string, fixed: string, ext: Extension, extra?: { nz?: string[]; not?: Record<string, number[]>; expands?: string }];

const R = 'rd, rs1, rs2';
const I = 'rd, rs1, imm12';
const LOAD = 'rd, imm12(rs1)';
const STORE = 'rs2, simm12(rs1)';
const BRANCH = 'rs1, rs2, bimm13';

/**
 * Base rows (unprivileged spec chapters 2 (RV32I), 5 (RV64I), 7 (M), 8 (A), 9 (Zicsr), 3 (Zifencei)).
 * The row lists are functions, not module constants: the bundles read the table the build computed
 * (RVX_ISA_TABLE) and never call buildTable, so they need not make these arrays at every start.
 */
function baseRows(): Row[] {
  return [
    ['lui', 'rd, uimm20', '6..0=0x37', 'I'],
    ['auipc', 'rd, uimm20', '6..0=0x17', 'I'],
    ['jal', 'rd, jimm21', '6..0=0x6f', 'I'],
    ['jalr', 'rd, imm12(rs1)', '14..12=0 6..0=0x67', 'I'],
    ['beq', BRANCH, '14..12=0 6..0=0x63', 'I'],
    ['bne', BRANCH, '14..12=1 6..0=0x63', 'I'],
    ['blt', BRANCH, '14..12=4 6..0=0x63', 'I'],
    ['bge', BRANCH, '14..12=5 6..0=0x63', 'I'],
    ['bltu', BRANCH, '14..12=6 6..0=0x63', 'I'],
    ['bgeu', BRANCH, '14..12=7 6..0=0x63', 'I'],
    ['lb', LOAD, '14..12=0 6..0=0x03', 'I'],
    ['lh', LOAD, '14..12=1 6..0=0x03', 'I'],
    ['lw', LOAD, '14..12=2 6..0=0x03', 'I'],
    ['ld', LOAD, '14..12=3 6..0=0x03', 'I'],
    ['lbu', LOAD, '14..12=4 6..0=0x03', 'I'],
    ['lhu', LOAD, '14..12=5 6..0=0x03', 'I'],
    ['lwu', LOAD, '14..12=6 6..0=0x03', 'I'],
    ['sb', STORE, '14..12=0 6..0=0x23', 'I'],
    ['sh', STORE, '14..12=1 6..0=0x23', 'I'],
    ['sw', STORE, '14..12=2 6..0=0x23', 'I'],
    ['sd', STORE, '14..12=3 6..0=0x23', 'I'],
    ['addi', I, '14..12=0 6..0=0x13', 'I'],
    ['slti', I, '14..12=2 6..0=0x13', 'I'],
    ['sltiu', I, '14..12=3 6..0=0x13', 'I'],
    ['xori', I, '14..12=4 6..0=0x13', 'I'],
    ['ori', I, '14..12=6 6..0=0x13', 'I'],
    ['andi', I, '14..12=7 6..0=0x13', 'I'],
    ['slli', 'rd, rs1, shamt6', '31..26=0 14..12=1 6..0=0x13', 'I'],
    ['srli', 'rd, rs1, shamt6', '31..26=0 14..12=5 6..0=0x13', 'I'],
    ['srai', 'rd, rs1, shamt6', '31..26=0x10 14..12=5 6..0=0x13', 'I'],
    ['add', R, '31..25=0 14..12=0 6..0=0x33', 'I'],
    ['sub', R, '31..25=0x20 14..12=0 6..0=0x33', 'I'],
    ['sll', R, '31..25=0 14..12=1 6..0=0x33', 'I'],
    ['slt', R, '31..25=0 14..12=2 6..0=0x33', 'I'],
    ['sltu', R, '31..25=0 14..12=3 6..0=0x33', 'I'],
    ['xor', R, '31..25=0 14..12=4 6..0=0x33', 'I'],
    ['srl', R, '31..25=0 14..12=5 6..0=0x33', 'I'],
    ['sra', R, '31..25=0x20 14..12=5 6..0=0x33', 'I'],
    ['or', R, '31..25=0 14..12=6 6..0=0x33', 'I'],
    ['and', R, '31..25=0 14..12=7 6..0=0x33', 'I'],
    ['addiw', I, '14..12=0 6..0=0x1b', 'I'],
    ['slliw', 'rd, rs1, shamt5', '31..25=0 14..12=1 6..0=0x1b', 'I'],
    ['srliw', 'rd, rs1, shamt5', '31..25=0 14..12=5 6..0=0x1b', 'I'],
    ['sraiw', 'rd, rs1, shamt5', '31..25=0x20 14..12=5 6..0=0x1b', 'I'],
    ['addw', R, '31..25=0 14..12=0 6..0=0x3b', 'I'],
    ['subw', R, '31..25=0x20 14..12=0 6..0=0x3b', 'I'],
    ['sllw', R, '31..25=0 14..12=1 6..0=0x3b', 'I'],
    ['srlw', R, '31..25=0 14..12=5 6..0=0x3b', 'I'],
    ['sraw', R, '31..25=0x20 14..12=5 6..0=0x3b', 'I'],
    // fence: fm, rs1 and rd are reserved for future use and ignored, as Spike does.
    ['fence', 'pred, succ', '14..12=0 6..0=0x0f', 'I'],
    ['fence.tso', '', '31..0=0x8330000f', 'I'],
    ['ecall', '', '31..0=0x00000073', 'I'],
    ['ebreak', '', '31..0=0x00100073', 'I'],
    ['fence.i', '', '14..12=1 6..0=0x0f', 'Zifencei'],

    ['mul', R, '31..25=1 14..12=0 6..0=0x33', 'M'],
    ['mulh', R, '31..25=1 14..12=1 6..0=0x33', 'M'],
    ['mulhsu', R, '31..25=1 14..12=2 6..0=0x33', 'M'],
    ['mulhu', R, '31..25=1 14..12=3 6..0=0x33', 'M'],
    ['div', R, '31..25=1 14..12=4 6..0=0x33', 'M'],
    ['divu', R, '31..25=1 14..12=5 6..0=0x33', 'M'],
    ['rem', R, '31..25=1 14..12=6 6..0=0x33', 'M'],
    ['remu', R, '31..25=1 14..12=7 6..0=0x33', 'M'],
    ['mulw', R, '31..25=1 14..12=0 6..0=0x3b', 'M'],
    ['divw', R, '31..25=1 14..12=4 6..0=0x3b', 'M'],
    ['divuw', R, '31..25=1 14..12=5 6..0=0x3b', 'M'],
    ['remw', R, '31..25=1 14..12=6 6..0=0x3b', 'M'],
    ['remuw', R, '31..25=1 14..12=7 6..0=0x3b', 'M'],

    ['csrrw', 'rd, csr, rs1', '14..12=1 6..0=0x73', 'Zicsr'],
    ['csrrs', 'rd, csr, rs1', '14..12=2 6..0=0x73', 'Zicsr'],
    ['csrrc', 'rd, csr, rs1', '14..12=3 6..0=0x73', 'Zicsr'],
    ['csrrwi', 'rd, csr, zimm5', '14..12=5 6..0=0x73', 'Zicsr'],
    ['csrrsi', 'rd, csr, zimm5', '14..12=6 6..0=0x73', 'Zicsr'],
    ['csrrci', 'rd, csr, zimm5', '14..12=7 6..0=0x73', 'Zicsr'],

    // Privileged spec, "Privileged Instructions" listing.
    ['sret', '', '31..0=0x10200073', 'Priv'],
    ['mret', '', '31..0=0x30200073', 'Priv'],
    ['wfi', '', '31..0=0x10500073', 'Priv'],
    ['sfence.vma', 'rs1, rs2', '31..25=0x09 14..7=0 6..0=0x73', 'Priv'],

    // XPC (ours, docs/xpc.md): custom-0, R-type with rd, rs2 and funct7 zero.
    ['xcall', 'rs1', '31..25=0 24..20=0 14..12=0 11..7=0 6..0=0x0b', 'Xpc'],
    ['xret', '', '31..0=0x0000100b', 'Xpc'],
    ['swapseg', 'rs1', '31..25=0 24..20=0 14..12=2 11..7=0 6..0=0x0b', 'Xpc'],
    ['xprefetch', 'rs1', '31..25=0 24..20=0 14..12=3 11..7=0 6..0=0x0b', 'Xpc'],
  ];
}

/**
 * The IPC mechanisms compared with XPC (ours, docs/mechanisms.md): custom-1 (0b0101011), R-type with
 * rd, rs2 (unless used) and funct7 zero. Kept in a block of their own so other extensions' rows merge cleanly.
 */
function mechRows(): Row[] {
  return [
    // Call gates in a software-filled gate cache (docs/mechanisms.md §1).
    ['gcall', 'rs1', '31..25=0 24..20=0 14..12=0 11..7=0 6..0=0x2b', 'Xgate'],
    ['gret', '', '31..0=0x0000102b', 'Xgate'],
    ['gfill', 'rs1', '31..25=0 24..20=0 14..12=2 11..7=0 6..0=0x2b', 'Xgate'],
    ['gflush', 'rs1', '31..25=0 24..20=0 14..12=3 11..7=0 6..0=0x2b', 'Xgate'],
    // Address-space lists switched from user mode (docs/mechanisms.md §3).
    ['aslswitch', 'rs1, rs2', '31..25=0 14..12=4 11..7=0 6..0=0x2b', 'Xasl'],
  ];
}

/**
 * The ratified bit-manipulation extensions Zba, Zbb, Zbc and Zbs (RISC-V Bit-Manipulation ISA-extensions,
 * version 1.0.0, chapter 2 "Zba/Zbb/Zbc/Zbs" and the per-instruction pages of chapter 2.x; RV64 encodings).
 * Rows whose operand the encoding fixes (clz, rev8, zext.h, ...) spell it in the fixed bits: on RV64 rev8
 * is 0x6b8 in bits 31..20 (RV32's is 0x698), zext.h is OP-32 funct7 0000100 with rs2 = 0 (RV32 puts it in
 * OP), and the shift-immediate forms take a 6-bit shamt (rori, bclri, ..., slli.uw) or 5 bits (roriw).
 */
function bitmanipRows(): Row[] {
  return [
    // Zba (§2.1): address generation.
    ['add.uw', R, '31..25=0x04 14..12=0 6..0=0x3b', 'Zba'],
    ['sh1add', R, '31..25=0x10 14..12=2 6..0=0x33', 'Zba'],
    ['sh2add', R, '31..25=0x10 14..12=4 6..0=0x33', 'Zba'],
    ['sh3add', R, '31..25=0x10 14..12=6 6..0=0x33', 'Zba'],
    ['sh1add.uw', R, '31..25=0x10 14..12=2 6..0=0x3b', 'Zba'],
    ['sh2add.uw', R, '31..25=0x10 14..12=4 6..0=0x3b', 'Zba'],
    ['sh3add.uw', R, '31..25=0x10 14..12=6 6..0=0x3b', 'Zba'],
    ['slli.uw', 'rd, rs1, shamt6', '31..26=0x02 14..12=1 6..0=0x1b', 'Zba'],
    // Zbb (§2.2): basic bit manipulation.
    ['andn', R, '31..25=0x20 14..12=7 6..0=0x33', 'Zbb'],
    ['orn', R, '31..25=0x20 14..12=6 6..0=0x33', 'Zbb'],
    ['xnor', R, '31..25=0x20 14..12=4 6..0=0x33', 'Zbb'],
    ['clz', 'rd, rs1', '31..20=0x600 14..12=1 6..0=0x13', 'Zbb'],
    ['clzw', 'rd, rs1', '31..20=0x600 14..12=1 6..0=0x1b', 'Zbb'],
    ['ctz', 'rd, rs1', '31..20=0x601 14..12=1 6..0=0x13', 'Zbb'],
    ['ctzw', 'rd, rs1', '31..20=0x601 14..12=1 6..0=0x1b', 'Zbb'],
    ['cpop', 'rd, rs1', '31..20=0x602 14..12=1 6..0=0x13', 'Zbb'],
    ['cpopw', 'rd, rs1', '31..20=0x602 14..12=1 6..0=0x1b', 'Zbb'],
    ['max', R, '31..25=0x05 14..12=6 6..0=0x33', 'Zbb'],
    ['maxu', R, '31..25=0x05 14..12=7 6..0=0x33', 'Zbb'],
    ['min', R, '31..25=0x05 14..12=4 6..0=0x33', 'Zbb'],
    ['minu', R, '31..25=0x05 14..12=5 6..0=0x33', 'Zbb'],
    ['sext.b', 'rd, rs1', '31..20=0x604 14..12=1 6..0=0x13', 'Zbb'],
    ['sext.h', 'rd, rs1', '31..20=0x605 14..12=1 6..0=0x13', 'Zbb'],
    ['zext.h', 'rd, rs1', '31..25=0x04 24..20=0 14..12=4 6..0=0x3b', 'Zbb'],
    ['rol', R, '31..25=0x30 14..12=1 6..0=0x33', 'Zbb'],
    ['rolw', R, '31..25=0x30 14..12=1 6..0=0x3b', 'Zbb'],
    ['ror', R, '31..25=0x30 14..12=5 6..0=0x33', 'Zbb'],
    ['rori', 'rd, rs1, shamt6', '31..26=0x18 14..12=5 6..0=0x13', 'Zbb'],
    ['roriw', 'rd, rs1, shamt5', '31..25=0x30 14..12=5 6..0=0x1b', 'Zbb'],
    ['rorw', R, '31..25=0x30 14..12=5 6..0=0x3b', 'Zbb'],
    ['orc.b', 'rd, rs1', '31..20=0x287 14..12=5 6..0=0x13', 'Zbb'],
    ['rev8', 'rd, rs1', '31..20=0x6b8 14..12=5 6..0=0x13', 'Zbb'],
    // Zbc (§2.3): carry-less multiplication.
    ['clmul', R, '31..25=0x05 14..12=1 6..0=0x33', 'Zbc'],
    ['clmulh', R, '31..25=0x05 14..12=3 6..0=0x33', 'Zbc'],
    ['clmulr', R, '31..25=0x05 14..12=2 6..0=0x33', 'Zbc'],
    // Zbs (§2.4): single-bit instructions.
    ['bclr', R, '31..25=0x24 14..12=1 6..0=0x33', 'Zbs'],
    ['bclri', 'rd, rs1, shamt6', '31..26=0x12 14..12=1 6..0=0x13', 'Zbs'],
    ['bext', R, '31..25=0x24 14..12=5 6..0=0x33', 'Zbs'],
    ['bexti', 'rd, rs1, shamt6', '31..26=0x12 14..12=5 6..0=0x13', 'Zbs'],
    ['binv', R, '31..25=0x34 14..12=1 6..0=0x33', 'Zbs'],
    ['binvi', 'rd, rs1, shamt6', '31..26=0x1a 14..12=1 6..0=0x13', 'Zbs'],
    ['bset', R, '31..25=0x14 14..12=1 6..0=0x33', 'Zbs'],
    ['bseti', 'rd, rs1, shamt6', '31..26=0x0a 14..12=1 6..0=0x13', 'Zbs'],
  ];
}

/**
 * F and D rows (unprivileged spec, chapters "F" and "D", RV32F/RV64F/RV32D/RV64D listings). fmt (bits
 * 26..25) is 0 for S and 1 for D. `rm` is the rounding-mode operand (default dyn in assembly); rows
 * whose operation is exact (fcvt.d.s, fcvt.d.w, fcvt.d.wu) fix funct3 to 0 as LLVM and GNU as encode them.
 */
function floatRows(): Row[] {
  const rows: Row[] = [];
  for (const [w, fmt, ext, load] of [['s', 0, 'F', 2], ['d', 1, 'D', 3]] as const) {
    const f7 = (hi5: number) => `31..27=${hi5} 26..25=${fmt}`;
    rows.push([`fl${w === 's' ? 'w' : 'd'}`, 'frd, imm12(rs1)', `14..12=${load} 6..0=0x07`, ext]);
    rows.push([`fs${w === 's' ? 'w' : 'd'}`, 'frs2, simm12(rs1)', `14..12=${load} 6..0=0x27`, ext]);
    for (const [name, opc] of [['fmadd', 0x43], ['fmsub', 0x47], ['fnmsub', 0x4b], ['fnmadd', 0x4f]] as const) {
      rows.push([`${name}.${w}`, 'frd, frs1, frs2, frs3, rm', `26..25=${fmt} 6..0=${opc}`, ext]);
    }
    for (const [name, hi5] of [['fadd', 0], ['fsub', 1], ['fmul', 2], ['fdiv', 3]] as const) {
      rows.push([`${name}.${w}`, 'frd, frs1, frs2, rm', `${f7(hi5)} 6..0=0x53`, ext]);
    }
    rows.push([`fsqrt.${w}`, 'frd, frs1, rm', `${f7(0x0b)} 24..20=0 6..0=0x53`, ext]);
    rows.push([`fsgnj.${w}`, 'frd, frs1, frs2', `${f7(4)} 14..12=0 6..0=0x53`, ext]);
    rows.push([`fsgnjn.${w}`, 'frd, frs1, frs2', `${f7(4)} 14..12=1 6..0=0x53`, ext]);
    rows.push([`fsgnjx.${w}`, 'frd, frs1, frs2', `${f7(4)} 14..12=2 6..0=0x53`, ext]);
    rows.push([`fmin.${w}`, 'frd, frs1, frs2', `${f7(5)} 14..12=0 6..0=0x53`, ext]);
    rows.push([`fmax.${w}`, 'frd, frs1, frs2', `${f7(5)} 14..12=1 6..0=0x53`, ext]);
    if (w === 's') rows.push(['fcvt.s.d', 'frd, frs1, rm', `${f7(8)} 24..20=1 6..0=0x53`, 'D']);
    else rows.push(['fcvt.d.s', 'frd, frs1', `${f7(8)} 24..20=0 14..12=0 6..0=0x53`, 'D']);
    rows.push([`feq.${w}`, 'rd, frs1, frs2', `${f7(0x14)} 14..12=2 6..0=0x53`, ext]);
    rows.push([`flt.${w}`, 'rd, frs1, frs2', `${f7(0x14)} 14..12=1 6..0=0x53`, ext]);
    rows.push([`fle.${w}`, 'rd, frs1, frs2', `${f7(0x14)} 14..12=0 6..0=0x53`, ext]);
    rows.push([`fclass.${w}`, 'rd, frs1', `${f7(0x1c)} 24..20=0 14..12=1 6..0=0x53`, ext]);
    ['w', 'wu', 'l', 'lu'].forEach((i, k) => {
      rows.push([`fcvt.${i}.${w}`, 'rd, frs1, rm', `${f7(0x18)} 24..20=${k} 6..0=0x53`, ext]);
    });
    ['w', 'wu', 'l', 'lu'].forEach((i, k) => {
      const exact = w === 'd' && k < 2;
      rows.push([`fcvt.${w}.${i}`, exact ? 'frd, rs1' : 'frd, rs1, rm', `${f7(0x1a)} 24..20=${k} ${exact ? '14..12=0 ' : ''}6..0=0x53`, ext]);
    });
    rows.push([`fmv.x.${w === 's' ? 'w' : 'd'}`, 'rd, frs1', `${f7(0x1c)} 24..20=0 14..12=0 6..0=0x53`, ext]);
    rows.push([`fmv.${w === 's' ? 'w' : 'd'}.x`, 'frd, rs1', `${f7(0x1e)} 24..20=0 14..12=0 6..0=0x53`, ext]);
  }
  return rows;
}

/** A rows: each expands to four rows, plain, .aq, .rl and .aqrl (bits 26 and 25). */
function atomicRows(): Row[] {
  const AMO_ROWS: [name: string, funct5: number][] = [
    ['amoadd', 0x00], ['amoswap', 0x01], ['amoxor', 0x04], ['amoor', 0x08], ['amoand', 0x0c],
    ['amomin', 0x10], ['amomax', 0x14], ['amominu', 0x18], ['amomaxu', 0x1c],
  ];
  const rows: Row[] = [];
  const orderings: [suffix: string, aq: number, rl: number][] = [['', 0, 0], ['.aq', 1, 0], ['.rl', 0, 1], ['.aqrl', 1, 1]];
  for (const [width, f3] of [['w', 2], ['d', 3]] as const) {
    for (const [suffix, aq, rl] of orderings) {
      const order = `26=${aq} 25=${rl} 14..12=${f3} 6..0=0x2f`;
      rows.push([`lr.${width}${suffix}`, 'rd, (rs1)', `31..27=0x02 24..20=0 ${order}`, 'A']);
      rows.push([`sc.${width}${suffix}`, 'rd, rs2, (rs1)', `31..27=0x03 ${order}`, 'A']);
      for (const [name, f5] of AMO_ROWS) rows.push([`${name}.${width}${suffix}`, 'rd, rs2, (rs1)', `31..27=${f5} ${order}`, 'A']);
    }
  }
  return rows;
}

/**
 * RV64C rows (the C chapter's instruction listing, RV64 column). `nz` lists fields whose zero value is a
 * reserved encoding; HINT encodings (rd = x0, zero immediates where the spec says HINT) stay valid.
 */
function compressedRows(): Row[] {
  return [
    ['c.addi4spn', 'c_rd_p, sp, c_nzuimm10', '15..13=0 1..0=0', 'C', { nz: ['c_nzuimm10'], expands: 'addi c_rd_p, sp, c_nzuimm10' }],
    ['c.lw', 'c_rd_p, c_uimm7(c_rs1_p)', '15..13=2 1..0=0', 'C', { expands: 'lw c_rd_p, c_uimm7(c_rs1_p)' }],
    ['c.ld', 'c_rd_p, c_uimm8(c_rs1_p)', '15..13=3 1..0=0', 'C', { expands: 'ld c_rd_p, c_uimm8(c_rs1_p)' }],
    ['c.sw', 'c_rs2_p, c_uimm7(c_rs1_p)', '15..13=6 1..0=0', 'C', { expands: 'sw c_rs2_p, c_uimm7(c_rs1_p)' }],
    ['c.sd', 'c_rs2_p, c_uimm8(c_rs1_p)', '15..13=7 1..0=0', 'C', { expands: 'sd c_rs2_p, c_uimm8(c_rs1_p)' }],
    ['c.nop', '', '15..0=0x0001', 'C', { expands: 'addi zero, zero, 0' }],
    ['c.addi', 'rd, c_imm6', '15..13=0 1..0=1', 'C', { expands: 'addi rd, rd, c_imm6' }],
    ['c.addiw', 'rd, c_imm6', '15..13=1 1..0=1', 'C', { nz: ['rd'], expands: 'addiw rd, rd, c_imm6' }],
    ['c.li', 'rd, c_imm6', '15..13=2 1..0=1', 'C', { expands: 'addi rd, zero, c_imm6' }],
    ['c.addi16sp', 'sp, c_nzimm10', '15..13=3 11..7=2 1..0=1', 'C', { nz: ['c_nzimm10'], expands: 'addi sp, sp, c_nzimm10' }],
    // rd = sp is c.addi16sp's encoding.
    ['c.lui', 'rd, c_lui_imm', '15..13=3 1..0=1', 'C', { nz: ['c_lui_imm'], not: { rd: [2] }, expands: 'lui rd, c_lui_imm' }],
    ['c.srli', 'c_rs1_p, c_shamt6', '15..13=4 11..10=0 1..0=1', 'C', { expands: 'srli c_rs1_p, c_rs1_p, c_shamt6' }],
    ['c.srai', 'c_rs1_p, c_shamt6', '15..13=4 11..10=1 1..0=1', 'C', { expands: 'srai c_rs1_p, c_rs1_p, c_shamt6' }],
    ['c.andi', 'c_rs1_p, c_imm6', '15..13=4 11..10=2 1..0=1', 'C', { expands: 'andi c_rs1_p, c_rs1_p, c_imm6' }],
    ['c.sub', 'c_rs1_p, c_rs2_p', '15..10=0x23 6..5=0 1..0=1', 'C', { expands: 'sub c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.xor', 'c_rs1_p, c_rs2_p', '15..10=0x23 6..5=1 1..0=1', 'C', { expands: 'xor c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.or', 'c_rs1_p, c_rs2_p', '15..10=0x23 6..5=2 1..0=1', 'C', { expands: 'or c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.and', 'c_rs1_p, c_rs2_p', '15..10=0x23 6..5=3 1..0=1', 'C', { expands: 'and c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.subw', 'c_rs1_p, c_rs2_p', '15..10=0x27 6..5=0 1..0=1', 'C', { expands: 'subw c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.addw', 'c_rs1_p, c_rs2_p', '15..10=0x27 6..5=1 1..0=1', 'C', { expands: 'addw c_rs1_p, c_rs1_p, c_rs2_p' }],
    ['c.j', 'c_jimm12', '15..13=5 1..0=1', 'C', { expands: 'jal zero, c_jimm12' }],
    ['c.beqz', 'c_rs1_p, c_bimm9', '15..13=6 1..0=1', 'C', { expands: 'beq c_rs1_p, zero, c_bimm9' }],
    ['c.bnez', 'c_rs1_p, c_bimm9', '15..13=7 1..0=1', 'C', { expands: 'bne c_rs1_p, zero, c_bimm9' }],
    ['c.slli', 'rd, c_shamt6', '15..13=0 1..0=2', 'C', { expands: 'slli rd, rd, c_shamt6' }],
    ['c.lwsp', 'rd, c_uimm8sp(sp)', '15..13=2 1..0=2', 'C', { nz: ['rd'], expands: 'lw rd, c_uimm8sp(sp)' }],
    ['c.ldsp', 'rd, c_uimm9sp(sp)', '15..13=3 1..0=2', 'C', { nz: ['rd'], expands: 'ld rd, c_uimm9sp(sp)' }],
    ['c.jr', 'c_rs1', '15..12=8 6..2=0 1..0=2', 'C', { nz: ['c_rs1'], expands: 'jalr zero, 0(c_rs1)' }],
    ['c.mv', 'rd, c_rs2', '15..12=8 1..0=2', 'C', { nz: ['c_rs2'], expands: 'add rd, zero, c_rs2' }],
    ['c.ebreak', '', '15..0=0x9002', 'C', { expands: 'ebreak' }],
    ['c.jalr', 'c_rs1', '15..12=9 6..2=0 1..0=2', 'C', { nz: ['c_rs1'], expands: 'jalr ra, 0(c_rs1)' }],
    ['c.add', 'rd, c_rs2', '15..12=9 1..0=2', 'C', { nz: ['c_rs2'], expands: 'add rd, rd, c_rs2' }],
    ['c.swsp', 'c_rs2, c_uimm8sp_s(sp)', '15..13=6 1..0=2', 'C', { expands: 'sw c_rs2, c_uimm8sp_s(sp)' }],
    ['c.sdsp', 'c_rs2, c_uimm9sp_s(sp)', '15..13=7 1..0=2', 'C', { expands: 'sd c_rs2, c_uimm9sp_s(sp)' }],
    // RV64DC: the double-precision loads and stores (need D as well as C).
    ['c.fld', 'c_frd_p, c_uimm8(c_rs1_p)', '15..13=1 1..0=0', 'C', { expands: 'fld c_frd_p, c_uimm8(c_rs1_p)' }],
    ['c.fsd', 'c_frs2_p, c_uimm8(c_rs1_p)', '15..13=5 1..0=0', 'C', { expands: 'fsd c_frs2_p, c_uimm8(c_rs1_p)' }],
    ['c.fldsp', 'c_frd, c_uimm9sp(sp)', '15..13=1 1..0=2', 'C', { expands: 'fld c_frd, c_uimm9sp(sp)' }],
    ['c.fsdsp', 'c_frs2, c_uimm9sp_s(sp)', '15..13=5 1..0=2', 'C', { expands: 'fsd c_frs2, c_uimm9sp_s(sp)' }],
  ];
}

/** Register names the syntax strings may spell out literally. */
const LITERAL_REGS: Record<string, number> = { zero: 0, ra: 1, sp: 2 };

/** parseFixed's result (module variables: no object per row). */
let fixedMatch = 0;
let fixedMask = 0;

/** One field of a row's fixed bits, with the spaces around it; sticky, so the fields must cover the text. */
const FIXED_FIELD = /\s*(\d+)(?:\.\.(\d+))?=(0x[0-9a-f]+|\d+)\s*/iy;

/**
 * The fixed bits of a row, `hi..lo=value` or `n=value` separated by spaces, into fixedMatch and fixedMask.
 * One sticky match per field over the whole text (this runs for every row at start-up, before V8
 * optimises anything: no split into parts and no result object per row).
 */
function parseFixed(name: string, fixed: string, size: 2 | 4): void {
  let match = 0;
  let mask = 0;
  const re = FIXED_FIELD;
  re.lastIndex = 0;
  while (re.lastIndex < fixed.length) {
    const from = re.lastIndex;
    const m = re.exec(fixed);
    const part = () => fixed.slice(from).trim().split(/\s+/)[0];
    if (!m) throw new Error(`instruction table: bad field '${part()}' in ${name}`);
    const hi = Number(m[1]);
    const lo = m[2] === undefined ? hi : Number(m[2]);
    const value = Number(m[3]);
    const width = hi - lo + 1;
    if (hi >= size * 8 || lo > hi || value >= 2 ** width) throw new Error(`instruction table: field '${part()}' of ${name} does not fit`);
    const fieldMask = width === 32 ? 0xffffffff : ((1 << width) - 1) << lo;
    if ((mask & fieldMask) !== 0) throw new Error(`instruction table: overlapping fields in ${name}`);
    mask = (mask | fieldMask) >>> 0;
    match = (match | (width === 32 ? value : value << lo)) >>> 0;
  }
  fixedMatch = match >>> 0;
  fixedMask = mask >>> 0;
}

function operand(name: string, row: string): OperandField {
  const f = OPERANDS[name];
  if (!f) throw new Error(`instruction table: unknown operand '${name}' in ${row}`);
  return f;
}

function parseSyntax(name: string, syntax: string): SyntaxSlot[] {
  if (syntax.trim() === '') return [];
  return syntax.split(',').map((s): SyntaxSlot => {
    const text = s.trim();
    const mem = /^([a-z0-9_]*)\(([a-z0-9_]+)\)$/.exec(text);
    if (mem) {
      const offset = mem[1] === '' ? null : /^\d+$/.test(mem[1]) ? null : operand(mem[1], name);
      const base = mem[2] in LITERAL_REGS ? LITERAL_REGS[mem[2]] : operand(mem[2], name);
      return { kind: 'mem', offset, base };
    }
    if (text in LITERAL_REGS) return { kind: 'fixedReg', reg: LITERAL_REGS[text] };
    return { kind: 'field', field: operand(text, name) };
  });
}

function slotFields(slots: readonly SyntaxSlot[]): OperandField[] {
  const out: OperandField[] = [];
  const add = (f: OperandField | null) => {
    if (f && !out.includes(f)) out.push(f);
  };
  for (const s of slots) {
    if (s.kind === 'field') add(s.field);
    else if (s.kind === 'mem') {
      add(s.offset);
      if (typeof s.base !== 'number') add(s.base);
    }
  }
  return out;
}

/** The instruction bits an operand field occupies. */
function fieldBits(f: OperandField): number {
  if (f.kind === 'reg') return ((f.hi - f.lo === 31 ? 0xffffffff : (1 << (f.hi - f.lo + 1)) - 1) << f.lo) >>> 0;
  let m = 0;
  for (const [hi, lo] of f.pieces) m |= (hi - lo === 31 ? 0xffffffff : (1 << (hi - lo + 1)) - 1) << lo;
  return m >>> 0;
}

function buildTable(): InstrDef[] {
  const rows = [...baseRows(), ...atomicRows(), ...floatRows(), ...compressedRows(), ...mechRows(), ...bitmanipRows()];
  const syntaxes = new Map<string, { slots: SyntaxSlot[]; fields: OperandField[]; bits: number }>();
  // Rows by index, not destructured: array destructuring runs the iterator protocol in unoptimised code.
  return rows.map((row, id): InstrDef => {
    const name = row[0];
    const syntax = row[1];
    const fixed = row[2];
    const ext = row[3];
    const extra = row[4];
    const size: 2 | 4 = ext === 'C' ? 2 : 4;
    parseFixed(name, fixed, size);
    const match = fixedMatch;
    const mask = fixedMask;
    // Rows share syntax strings (R-type, loads, the A rows, ...): each is parsed once.
    let parsed = syntaxes.get(syntax);
    if (!parsed) {
      const slots = parseSyntax(name, syntax);
      const fields = slotFields(slots);
      let bits = 0;
      for (const f of fields) bits |= fieldBits(f);
      parsed = { slots, fields, bits };
      syntaxes.set(syntax, parsed);
    }
    const { slots, fields } = parsed;
    if ((parsed.bits & mask) !== 0) {
      for (const f of fields) if ((fieldBits(f) & mask) !== 0) throw new Error(`instruction table: operand ${f.name} overlaps fixed bits in ${name}`);
    }
    const amo = /\.(aq|rl|aqrl)$/.exec(name);
    const def: InstrDef = {
      name,
      id,
      syntax,
      slots,
      fields,
      match,
      mask,
      size,
      ext,
      nonzero: extra?.nz ?? [],
      // Every row has every property (undefined where it does not apply), so all rows share one V8 hidden
      // class: code that reads rows (encoder, assembler, decoder) stays monomorphic instead of deoptimising
      // when a row of another shape (a C row with `excluded`, an A row with aq/rl) first reaches it.
      excluded: extra?.not,
      alsoNeeds: ext === 'C' && name.startsWith('c.f') ? 'D' : undefined,
      expandsTo: extra?.expands,
      aq: ext === 'A' ? amo !== null && amo[1] !== 'rl' : undefined,
      rl: ext === 'A' ? amo !== null && amo[1] !== 'aq' : undefined,
    };
    return def;
  });
}

/**
 * The table as the build embeds it in the bundles (tools/build.mjs, as a JSON string): what buildTable()
 * computes from the rows, with operand fields by name. `s`: each distinct syntax once, as [text, slots,
 * fields], a slot being an operand name (a field), a register number (a literal register) or
 * [offset name or null, base name or register number] (`imm(reg)`); `r`: the rows in table order, ROW_STRIDE
 * values each, in one flat list (no array per row for JSON.parse to make at start): name, syntax index, match,
 * mask, extension, ROW_* flags, non-zero fields or 0, excluded registers or 0, expansion or 0.
 */
export interface TableData {
  s: [text: string, slots: (string | number | [string | null, string | number])[], fields: string[]][];
  r: (string | number | string[] | Readonly<Record<string, readonly number[]>>)[];
}

/** Values per row in TableData's `r`. */
const ROW_STRIDE = 9;

/** TableData row flags: a 2-byte row, an A row (aq and rl are booleans, else undefined), its aq and rl, needs D too. */
const ROW_16 = 1;
const ROW_AMO = 2;
const ROW_AQ = 4;
const ROW_RL = 8;
const ROW_D = 16;

/** The instruction table in TableData form (the build runs this on buildTable()'s rows). */
export function tableData(defs: readonly InstrDef[]): TableData {
  const s: TableData['s'] = [];
  const r: TableData['r'] = [];
  const index = new Map<readonly SyntaxSlot[], number>();
  for (const d of defs) {
    let k = index.get(d.slots);
    if (k === undefined) {
      k = s.length;
      index.set(d.slots, k);
      const slots = d.slots.map((x) => (x.kind === 'field' ? x.field.name : x.kind === 'fixedReg' ? x.reg : [x.offset?.name ?? null, typeof x.base === 'number' ? x.base : x.base.name] as [string | null, string | number]));
      s.push([d.syntax, slots, d.fields.map((f) => f.name)]);
    }
    const flags = (d.size === 2 ? ROW_16 : 0) | (d.aq !== undefined ? ROW_AMO : 0) | (d.aq ? ROW_AQ : 0) | (d.rl ? ROW_RL : 0) | (d.alsoNeeds === 'D' ? ROW_D : 0);
    if (d.alsoNeeds !== undefined && d.alsoNeeds !== 'D') throw new Error(`instruction table: ${d.name} needs ${d.alsoNeeds}, which TableData cannot say`);
    r.push(d.name, k, d.match, d.mask, d.ext, flags, d.nonzero.length ? [...d.nonzero] : 0, d.excluded ?? 0, d.expandsTo ?? 0);
  }
  return { s, r };
}

/** A syntax's slots from TableData, operand fields looked up by name (the same objects buildTable's rows hold). */
function slotsFromData(specs: TableData['s'][number][1]): SyntaxSlot[] {
  const slots: SyntaxSlot[] = [];
  for (let i = 0; i < specs.length; i++) {
    const x = specs[i];
    if (typeof x === 'string') slots.push({ kind: 'field', field: OPERANDS[x] });
    else if (typeof x === 'number') slots.push({ kind: 'fixedReg', reg: x });
    else slots.push({ kind: 'mem', offset: x[0] === null ? null : OPERANDS[x[0]], base: typeof x[1] === 'number' ? x[1] : OPERANDS[x[1]] });
  }
  return slots;
}

/** The rows buildTable() computes, from their TableData form: no parsing, one object per row and per syntax. */
export function tableFromData(data: TableData): InstrDef[] {
  const slotsOf: SyntaxSlot[][] = [];
  const fieldsOf: OperandField[][] = [];
  for (let k = 0; k < data.s.length; k++) {
    slotsOf.push(slotsFromData(data.s[k][1]));
    const names = data.s[k][2];
    const fields: OperandField[] = [];
    for (let i = 0; i < names.length; i++) fields.push(OPERANDS[names[i]]);
    fieldsOf.push(fields);
  }
  const defs: InstrDef[] = [];
  // One empty list for every row without non-zero fields (read only, like every row's lists).
  const noNonzero: string[] = [];
  const r = data.r;
  for (let id = 0, at = 0; at < r.length; id++, at += ROW_STRIDE) {
    const k = r[at + 1] as number;
    const flags = r[at + 5] as number;
    const nz = r[at + 6] as string[] | 0;
    const not = r[at + 7] as Readonly<Record<string, readonly number[]>> | 0;
    const expands = r[at + 8] as string | 0;
    const amo = (flags & ROW_AMO) !== 0;
    // The same properties in the same order as buildTable's rows (one V8 hidden class for all rows).
    defs.push({
      name: r[at] as string,
      id,
      syntax: data.s[k][0],
      slots: slotsOf[k],
      fields: fieldsOf[k],
      match: r[at + 2] as number,
      mask: r[at + 3] as number,
      size: (flags & ROW_16) !== 0 ? 2 : 4,
      ext: r[at + 4] as Extension,
      nonzero: nz === 0 ? noNonzero : nz,
      excluded: not === 0 ? undefined : not,
      alsoNeeds: (flags & ROW_D) !== 0 ? 'D' : undefined,
      expandsTo: expands === 0 ? undefined : expands,
      aq: amo ? (flags & ROW_AQ) !== 0 : undefined,
      rl: amo ? (flags & ROW_RL) !== 0 : undefined,
    });
  }
  return defs;
}

/** The instruction table computed from the rows above (what the build embeds; unbundled runs use it directly). */
export function computeInstructions(): InstrDef[] {
  return buildTable();
}

/**
 * The table in TableData form as a JSON string, which tools/build.mjs defines in the bundles (computed there
 * by tableData(computeInstructions())), so a command does not parse the rows at every start; undefined when
 * this file runs unbundled (vitest, tsx). tests/isa-table.test.ts checks the two agree.
 */
declare const RVX_ISA_TABLE: string | undefined;

/** Every instruction rvx knows, base rows first, then A, F, D, C, the IPC mechanisms and Zba/Zbb/Zbc/Zbs. */
export const INSTRUCTIONS: readonly InstrDef[] = typeof RVX_ISA_TABLE === 'string' ? tableFromData(JSON.parse(RVX_ISA_TABLE) as TableData) : buildTable();

/** Lookup by mnemonic. */
export const INSTRUCTION_BY_NAME: ReadonlyMap<string, InstrDef> = byName(INSTRUCTIONS);

/** The rows by name, filled by a loop (no [name, row] pair per row to build the Map from). */
function byName(defs: readonly InstrDef[]): Map<string, InstrDef> {
  const m = new Map<string, InstrDef>();
  for (let i = 0; i < defs.length; i++) m.set(defs[i].name, defs[i]);
  return m;
}

/** The row for a mnemonic; throws for names not in the table (a programming error, not user input). */
export function instr(name: string): InstrDef {
  const d = INSTRUCTION_BY_NAME.get(name);
  if (!d) throw new Error(`no instruction '${name}' in the table`);
  return d;
}
