// From instruction bits to the interpreter's decoded form: a small opcode number, register slots and an
// immediate. Everything about encodings comes from the isa/ table (decode, expand); this file only maps
// each table row to the semantic routine the hart runs for it.

import { parseIsaString } from '../isa/isa-string.js';
import { decode, expand, operandValue, type Decoded } from '../isa/codec.js';
import { INSTRUCTIONS, type InstrDef } from '../isa/instructions.js';
import { disassemble } from '../isa/disasm.js';
import { X0_SINK } from './layout.js';
import { FP_OP } from './fpu/exec.js';

// Interpreter opcodes. 0 marks a slot of the decoded-instruction cache not decoded yet.
export const OP_UNDECODED = 0;
export const OP_ILLEGAL = 1;
/** A 4-byte instruction whose second half lies on the next page: fetched and decoded on every execution. */
export const OP_CROSS = 2;
export const OP_LUI = 3, OP_AUIPC = 4, OP_JAL = 5, OP_JALR = 6;
export const OP_BEQ = 7, OP_BNE = 8, OP_BLT = 9, OP_BGE = 10, OP_BLTU = 11, OP_BGEU = 12;
export const OP_LB = 13, OP_LH = 14, OP_LW = 15, OP_LD = 16, OP_LBU = 17, OP_LHU = 18, OP_LWU = 19;
export const OP_SB = 20, OP_SH = 21, OP_SW = 22, OP_SD = 23;
export const OP_ADDI = 24, OP_SLTI = 25, OP_SLTIU = 26, OP_XORI = 27, OP_ORI = 28, OP_ANDI = 29;
export const OP_SLLI = 30, OP_SRLI = 31, OP_SRAI = 32;
export const OP_ADD = 33, OP_SUB = 34, OP_SLL = 35, OP_SLT = 36, OP_SLTU = 37, OP_XOR = 38, OP_SRL = 39;
export const OP_SRA = 40, OP_OR = 41, OP_AND = 42;
export const OP_ADDIW = 43, OP_SLLIW = 44, OP_SRLIW = 45, OP_SRAIW = 46;
export const OP_ADDW = 47, OP_SUBW = 48, OP_SLLW = 49, OP_SRLW = 50, OP_SRAW = 51;
export const OP_FENCE = 52, OP_FENCE_I = 53, OP_ECALL = 54, OP_EBREAK = 55;
export const OP_MUL = 56, OP_MULH = 57, OP_MULHSU = 58, OP_MULHU = 59, OP_DIV = 60, OP_DIVU = 61;
export const OP_REM = 62, OP_REMU = 63, OP_MULW = 64, OP_DIVW = 65, OP_DIVUW = 66, OP_REMW = 67, OP_REMUW = 68;
export const OP_CSRRW = 69, OP_CSRRS = 70, OP_CSRRC = 71, OP_CSRRWI = 72, OP_CSRRSI = 73, OP_CSRRCI = 74;
export const OP_SRET = 75, OP_MRET = 76, OP_WFI = 77, OP_SFENCE_VMA = 78;
export const OP_LR_W = 79, OP_SC_W = 80, OP_LR_D = 81, OP_SC_D = 82, OP_AMO_W = 83, OP_AMO_D = 84;
/** custom-0 (and custom-1 mechanism rows): handed to the XPC hook (illegal without one). */
export const OP_XPC = 85;
/**
 * Without C, a branch or jal whose offset is not a multiple of 4 raises instruction-address-misaligned
 * when taken (pc is always 4-aligned then): the decoder gives such instructions these opcodes, so the
 * interpreter's common branch and jump cases need no check. The branch keeps its own opcode in the rd
 * slot (branches have no rd).
 */
export const OP_BRANCH_MISALIGNED = 86, OP_JAL_MISALIGNED = 87;
/**
 * F and D (emulator/fpu): loads and stores (imm = offset; rd or rs2 slot = f register · 2), and every
 * computational instruction as OP_FP with imm = FP operation (emulator/fpu/exec.ts) | rs3 << 8 | rm << 13,
 * register fields packed as number · 2 without the x0 sink (execFp knows which file each one names).
 */
export const OP_FLW = 88, OP_FLD = 89, OP_FSW = 90, OP_FSD = 91, OP_FP = 92;
/**
 * Zba, Zbb, Zbc and Zbs (emulator/bitmanip.ts): one opcode, imm = the operation (BIT_* below) | shift
 * amount << 8 for the immediate forms. The interpreter's opcode field has 7 bits, too few for a code each.
 */
export const OP_BIT = 93;
export const OP_COUNT = 94;

/** OP_BIT operations (imm & 0xff), by table row name. */
export const BIT_OPS = [
  'add.uw', 'sh1add', 'sh2add', 'sh3add', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw', 'slli.uw',
  'andn', 'orn', 'xnor', 'clz', 'clzw', 'ctz', 'ctzw', 'cpop', 'cpopw', 'max', 'maxu', 'min', 'minu',
  'sext.b', 'sext.h', 'zext.h', 'rol', 'rolw', 'ror', 'rori', 'roriw', 'rorw', 'orc.b', 'rev8',
  'clmul', 'clmulh', 'clmulr', 'bclr', 'bclri', 'bext', 'bexti', 'binv', 'binvi', 'bset', 'bseti',
] as const;
export type BitOpName = (typeof BIT_OPS)[number];
/** BIT_ADD_UW = 0, ...: the index of each name in BIT_OPS. */
export const BIT: Readonly<Record<BitOpName, number>> = Object.fromEntries(BIT_OPS.map((n, i) => [n, i])) as Record<BitOpName, number>;

const BY_NAME: Record<string, number> = {
  lui: OP_LUI, auipc: OP_AUIPC, jal: OP_JAL, jalr: OP_JALR,
  beq: OP_BEQ, bne: OP_BNE, blt: OP_BLT, bge: OP_BGE, bltu: OP_BLTU, bgeu: OP_BGEU,
  lb: OP_LB, lh: OP_LH, lw: OP_LW, ld: OP_LD, lbu: OP_LBU, lhu: OP_LHU, lwu: OP_LWU,
  sb: OP_SB, sh: OP_SH, sw: OP_SW, sd: OP_SD,
  addi: OP_ADDI, slti: OP_SLTI, sltiu: OP_SLTIU, xori: OP_XORI, ori: OP_ORI, andi: OP_ANDI,
  slli: OP_SLLI, srli: OP_SRLI, srai: OP_SRAI,
  add: OP_ADD, sub: OP_SUB, sll: OP_SLL, slt: OP_SLT, sltu: OP_SLTU, xor: OP_XOR, srl: OP_SRL, sra: OP_SRA,
  or: OP_OR, and: OP_AND,
  addiw: OP_ADDIW, slliw: OP_SLLIW, srliw: OP_SRLIW, sraiw: OP_SRAIW,
  addw: OP_ADDW, subw: OP_SUBW, sllw: OP_SLLW, srlw: OP_SRLW, sraw: OP_SRAW,
  fence: OP_FENCE, 'fence.tso': OP_FENCE, 'fence.i': OP_FENCE_I, ecall: OP_ECALL, ebreak: OP_EBREAK,
  mul: OP_MUL, mulh: OP_MULH, mulhsu: OP_MULHSU, mulhu: OP_MULHU, div: OP_DIV, divu: OP_DIVU, rem: OP_REM,
  remu: OP_REMU, mulw: OP_MULW, divw: OP_DIVW, divuw: OP_DIVUW, remw: OP_REMW, remuw: OP_REMUW,
  csrrw: OP_CSRRW, csrrs: OP_CSRRS, csrrc: OP_CSRRC, csrrwi: OP_CSRRWI, csrrsi: OP_CSRRSI, csrrci: OP_CSRRCI,
  flw: OP_FLW, fld: OP_FLD, fsw: OP_FSW, fsd: OP_FSD,
  sret: OP_SRET, mret: OP_MRET, wfi: OP_WFI, 'sfence.vma': OP_SFENCE_VMA,
};

/** AMO funct5 values (unprivileged spec, A chapter, table of AMO encodings) named by the table rows. */
export const AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_XOR = 0x04, AMO_OR = 0x08, AMO_AND = 0x0c;
export const AMO_MIN = 0x10, AMO_MAX = 0x14, AMO_MINU = 0x18, AMO_MAXU = 0x1c;
const AMO_FUNCT: Record<string, number> = {
  amoadd: AMO_ADD, amoswap: AMO_SWAP, amoxor: AMO_XOR, amoor: AMO_OR, amoand: AMO_AND,
  amomin: AMO_MIN, amomax: AMO_MAX, amominu: AMO_MINU, amomaxu: AMO_MAXU,
};

/** Interpreter opcode of each table row (32-bit rows; C rows map through their expansion). */
const opOfDef = new Int32Array(INSTRUCTIONS.length);
const amoOfDef = new Int32Array(INSTRUCTIONS.length);
for (const d of INSTRUCTIONS) {
  if (d.size !== 4) continue;
  let op = BY_NAME[d.name] ?? 0;
  if (d.ext === 'A') {
    const [base, width] = d.name.split('.');
    const w = width === 'w';
    if (base === 'lr') op = w ? OP_LR_W : OP_LR_D;
    else if (base === 'sc') op = w ? OP_SC_W : OP_SC_D;
    else {
      op = w ? OP_AMO_W : OP_AMO_D;
      amoOfDef[d.id] = AMO_FUNCT[base];
    }
  }
  // The other IPC mechanisms (docs/mechanisms.md) go to the same hook.
  if (d.ext === 'Xpc' || d.ext === 'Xgate' || d.ext === 'Xasl') op = OP_XPC;
  if (op === 0 && FP_OP[d.name] !== undefined) op = OP_FP;
  if (d.ext === 'Zba' || d.ext === 'Zbb' || d.ext === 'Zbc' || d.ext === 'Zbs') op = OP_BIT;
  if (op === 0) throw new Error(`emulator: no semantics for table row ${d.name}`);
  opOfDef[d.id] = op;
}

/** Opcodes that write rd (for the commit record). */
export const WRITES_RD = new Uint8Array(OP_COUNT);
for (const op of [
  OP_LUI, OP_AUIPC, OP_JAL, OP_JALR, OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
  OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI, OP_SLLI, OP_SRLI, OP_SRAI,
  OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA, OP_OR, OP_AND,
  OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW, OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
  OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU, OP_MULW, OP_DIVW, OP_DIVUW,
  OP_REMW, OP_REMUW, OP_CSRRW, OP_CSRRS, OP_CSRRC, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
  OP_LR_W, OP_SC_W, OP_LR_D, OP_SC_D, OP_AMO_W, OP_AMO_D, OP_BIT,
]) WRITES_RD[op] = 1;

/** Opcodes that may redirect control (taken is reported for these). */
export const IS_CONTROL = new Uint8Array(OP_COUNT);
for (const op of [OP_JAL, OP_JALR, OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU, OP_BRANCH_MISALIGNED, OP_JAL_MISALIGNED]) {
  IS_CONTROL[op] = 1;
}

/** Which extensions the hart implements (from MachineOptions.isa). */
export interface IsaConfig {
  m: boolean;
  a: boolean;
  c: boolean;
  f: boolean;
  d: boolean;
  /** The bit-manipulation extensions (none in rv64gc; misa.B when Zba, Zbb and Zbs are all there). */
  zba: boolean;
  zbb: boolean;
  zbc: boolean;
  zbs: boolean;
}

/** Parse 'rv64gc', 'rv64imafdc', 'rv64imac', 'rv64i', ... into the extensions the hart has. */
export function parseIsa(isa: string): IsaConfig | string {
  // Full ISA-string syntax (rv64gc, rv64imac_zicsr_zifencei, versions) and the list of what rvx
  // implements live in isa/isa-string.ts, shared with the assembler's --march.
  const spec = parseIsaString(isa);
  if (typeof spec === 'string') return spec;
  const x = spec.extensions;
  return {
    m: x.has('m'), a: x.has('a'), c: x.has('c'), f: x.has('f'), d: x.has('d'),
    zba: x.has('zba'), zbb: x.has('zbb'), zbc: x.has('zbc'), zbs: x.has('zbs'),
  };
}

/**
 * The decoded form of one instruction: opcode, packed fields and immediate.
 * Packed fields: bits 0..6 rd slot·2 (x0 → the sink slot; OP_BRANCH_MISALIGNED: the branch's opcode), 7..12 rs1·2,
 * 13..18 rs2·2, 20.. length (2 or 4).
 * Immediates: the sign-extended immediate; lui/auipc: imm20 << 12; CSR ops: csr | zimm << 12;
 * AMOs: funct5; illegal: the raw bits.
 */
export interface DecodedSlot {
  op: number;
  f: number;
  imm: number;
  /** InstrDef id as encoded (-1 for illegal bits). */
  id: number;
}

function field(d: Decoded, name: string): number {
  const i = d.def.fields.findIndex((f) => f.name === name);
  return i < 0 ? 0 : d.values[i];
}

export function packFields(rd: number, rs1: number, rs2: number, len: number): number {
  const rdSlot = rd === 0 ? X0_SINK : rd;
  return (rdSlot * 2) | ((rs1 * 2) << 7) | ((rs2 * 2) << 13) | (len << 20);
}

/** Decode raw bits (low 16 significant for a compressed parcel) for a hart with the given extensions. */
export function decodeSlot(raw: number, isa: IsaConfig, out: DecodedSlot): void {
  const len = (raw & 3) === 3 ? 4 : 2;
  const bits = len === 2 ? raw & 0xffff : raw >>> 0;
  const d = decode(bits);
  out.f = packFields(0, 0, 0, len);
  if (!d || !extEnabled(d.def, isa)) {
    out.op = OP_ILLEGAL;
    out.imm = bits | 0;
    out.id = -1;
    return;
  }
  out.id = d.def.id;
  const e = expand(d);
  const def = e.def;
  const op = opOfDef[def.id];
  let imm = 0;
  switch (op) {
    case OP_LUI:
    case OP_AUIPC:
      imm = (field(e, 'uimm20') << 12) | 0;
      break;
    case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
      imm = field(e, 'csr');
      break;
    case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
      imm = field(e, 'csr') | (field(e, 'zimm5') << 12);
      break;
    case OP_AMO_W: case OP_AMO_D:
      imm = amoOfDef[def.id];
      break;
    case OP_FP: {
      // rm: the instruction's field, or 0 for rows that fix it (fcvt.d.w, fsgnj, ...; execFp ignores it).
      const rmIdx = def.fields.findIndex((f) => f.name === 'rm');
      const rm = rmIdx >= 0 ? e.values[rmIdx] : 0;
      imm = FP_OP[def.name] | (field(e, 'frs3') << 8) | (rm << 13);
      out.op = op;
      out.imm = imm;
      const rd = def.fields.some((f) => f.name === 'frd') ? field(e, 'frd') : field(e, 'rd');
      const rs1 = def.fields.some((f) => f.name === 'frs1') ? field(e, 'frs1') : field(e, 'rs1');
      out.f = (rd * 2) | ((rs1 * 2) << 7) | ((field(e, 'frs2') * 2) << 13) | (len << 20);
      return;
    }
    case OP_FLW: case OP_FLD:
      imm = field(e, 'imm12');
      out.op = op;
      out.imm = imm;
      out.f = (field(e, 'frd') * 2) | ((field(e, 'rs1') * 2) << 7) | (len << 20);
      return;
    case OP_FSW: case OP_FSD:
      imm = field(e, 'simm12');
      out.op = op;
      out.imm = imm;
      out.f = ((field(e, 'rs1') * 2) << 7) | ((field(e, 'frs2') * 2) << 13) | (len << 20);
      return;
    case OP_BIT: {
      const sh = def.fields.findIndex((f) => f.name === 'shamt6' || f.name === 'shamt5');
      imm = BIT[def.name as BitOpName] | ((sh >= 0 ? e.values[sh] : 0) << 8);
      break;
    }
    case OP_XPC: case OP_ECALL: case OP_EBREAK: case OP_SRET: case OP_MRET: case OP_WFI: case OP_FENCE: case OP_FENCE_I:
      imm = bits | 0;
      break;
    default:
      for (const n of ['imm12', 'simm12', 'bimm13', 'jimm21', 'shamt6', 'shamt5']) {
        const i = def.fields.findIndex((f) => f.name === n);
        if (i >= 0) imm = e.values[i] | 0;
      }
  }
  out.op = op;
  out.imm = imm;
  out.f = packFields(field(e, 'rd'), field(e, 'rs1'), field(e, 'rs2'), len);
  if (!isa.c && (imm & 2) !== 0) {
    if (op === OP_JAL) out.op = OP_JAL_MISALIGNED;
    else if (op >= OP_BEQ && op <= OP_BGEU) {
      out.op = OP_BRANCH_MISALIGNED;
      out.f = (out.f & ~127) | op;
    }
  }
}

function extEnabled(def: InstrDef, isa: IsaConfig): boolean {
  switch (def.ext) {
    case 'M': return isa.m;
    case 'A': return isa.a;
    case 'F': return isa.f;
    case 'D': return isa.d;
    case 'C': return isa.c && (def.alsoNeeds !== 'D' || isa.d);
    case 'Zba': return isa.zba;
    case 'Zbb': return isa.zbb;
    case 'Zbc': return isa.zbc;
    case 'Zbs': return isa.zbs;
    default: return true;
  }
}

/**
 * For error messages: the extension a hart with `isa` lacks to run these bits ('Zbb', 'M', ...), or null
 * when they are no instruction of the table or the hart has its extension.
 */
export function missingExtension(raw: number, isa: IsaConfig): string | null {
  const len = (raw & 3) === 3 ? 4 : 2;
  const d = decode(len === 2 ? raw & 0xffff : raw >>> 0);
  if (!d || extEnabled(d.def, isa)) return null;
  return d.def.ext === 'C' && isa.c ? 'D' : d.def.ext;
}

/** Disassembly of raw bits at pc, for error messages ("(illegal)" when the bits decode to nothing). */
export function describeInstruction(raw: number, pc = 0): string {
  const len = (raw & 3) === 3 ? 4 : 2;
  const bits = len === 2 ? raw & 0xffff : raw >>> 0;
  if (!decode(bits)) return '(illegal)';
  return disassemble(bits, pc).text.replace('\t', ' ');
}

export { operandValue };
