// `.insn`: instructions given by format, opcode and funct fields (GNU as "RISC-V Instruction Formats"),
// or as a raw value.

import { SHT_NOBITS } from '../elf/model.js';
import { INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { AsmError } from './expr.js';
import { skipWs } from './lex.js';
import type { Unit } from './unit.js';

export function insn(u: Unit): void {
  u.noCompress = false;
  const n = u.nops;
  if (n === 0) throw new AsmError('expected: .insn format, operands... or .insn value', u.mnemonicPos);
  const first = u.operandText(0);
  const sp = first.search(/\s/);
  const fmt = (sp > 0 ? first.slice(0, sp) : first).toLowerCase();
  if (sp < 0 && n <= 2 && !INSN_FORMATS.has(fmt)) {
    // .insn value or .insn length, value
    const v = u.absolute(n - 1, 'instruction value');
    const len = n === 2 ? Number(u.absolute(0, 'instruction length')) : (v & 3n) === 3n ? 4 : 2;
    if (len !== 2 && len !== 4) throw new AsmError('instruction length must be 2 or 4', u.opS[0]);
    if ((len === 2 && (v & 3n) === 3n) || (len === 4 && (v & 3n) !== 3n)) throw new AsmError('instruction length does not match the value\'s low bits', u.opS[n - 1]);
    if (v < 0n || v >= 1n << BigInt(len * 8)) throw new AsmError(`instruction value does not fit in ${len} bytes`, u.opS[n - 1]);
    if (u.sec.type === SHT_NOBITS) throw new AsmError(`instructions are not allowed in the NOBITS section '${u.sec.name}'`, u.mnemonicPos);
    if (len === 2) u.sec.put16(Number(v));
    else u.sec.put32(Number(v));
    return;
  }
  if (!INSN_FORMATS.has(fmt)) throw new AsmError(`unknown .insn format '${fmt}' (expected r, i, s, b, sb, u, j or uj)`, u.opS[0]);
  // Shift operand 0 to start after the format name.
  if (sp > 0) u.opS[0] = skipWs(u.s, u.opS[0] + sp, u.opE[0]);
  else {
    for (let i = 1; i < n; i++) {
      u.opS[i - 1] = u.opS[i];
      u.opE[i - 1] = u.opE[i];
    }
    u.nops = n - 1;
  }
  const opcode = insnOpcode(u, 0);
  const spec = INSN_FORMATS.get(fmt)!;
  const nf = spec.funct.length;
  const functs: number[] = [];
  for (let k = 0; k < nf; k++) {
    const v = Number(u.absolute(1 + k, spec.funct[k][0]));
    if (v < 0 || v >= 1 << spec.funct[k][1]) throw new AsmError(`${spec.funct[k][0]} must be in [0, ${(1 << spec.funct[k][1]) - 1}]`, u.opS[1 + k]);
    functs.push(v);
  }
  let match = opcode;
  let mask = 0x7f;
  for (let k = 0; k < nf; k++) {
    match |= functs[k] << spec.funct[k][2];
    mask |= ((1 << spec.funct[k][1]) - 1) << spec.funct[k][2];
  }
  const syntax = fmt === 'i' && u.nops === 1 + nf + 2 ? 'rd, imm12(rs1)' : spec.syntax;
  const def = insnDef(fmt, syntax, match >>> 0, mask >>> 0);
  // Re-split: the remaining operands follow the format's syntax.
  const base = 1 + nf;
  for (let i = base; i < u.nops; i++) {
    u.opS[i - base] = u.opS[i];
    u.opE[i - base] = u.opE[i];
  }
  u.nops -= base;
  u.row(def);
}

export function insnOpcode(u: Unit, i: number): number {
  const t = u.operandText(i).toUpperCase();
  const named = INSN_OPCODES[t];
  if (named !== undefined) return named;
  const v = Number(u.absolute(i, 'opcode'));
  if (v < 0 || v > 127 || (v & 3) !== 3) throw new AsmError('opcode must be a 7-bit value with the low two bits set (or a name like OP, OP_IMM, CUSTOM_0)', u.opS[i]);
  return v;
}


const INSN_OPCODES: Record<string, number> = {
  LOAD: 0x03, LOAD_FP: 0x07, CUSTOM_0: 0x0b, MISC_MEM: 0x0f, OP_IMM: 0x13, AUIPC: 0x17, OP_IMM_32: 0x1b, STORE: 0x23,
  STORE_FP: 0x27, CUSTOM_1: 0x2b, AMO: 0x2f, OP: 0x33, LUI: 0x37, OP_32: 0x3b, MADD: 0x43, MSUB: 0x47, NMSUB: 0x4b,
  NMADD: 0x4f, OP_FP: 0x53, CUSTOM_2: 0x5b, BRANCH: 0x63, JALR: 0x67, JAL: 0x6f, SYSTEM: 0x73, CUSTOM_3: 0x7b,
};

/** .insn formats (GNU as "RISC-V Instruction Formats"): funct fields [name, width, lsb] and operand syntax. */
const INSN_FORMATS = new Map<string, { funct: [string, number, number][]; syntax: string }>([
  ['r', { funct: [['funct3', 3, 12], ['funct7', 7, 25]], syntax: 'rd, rs1, rs2' }],
  ['i', { funct: [['funct3', 3, 12]], syntax: 'rd, rs1, imm12' }],
  ['s', { funct: [['funct3', 3, 12]], syntax: 'rs2, simm12(rs1)' }],
  ['b', { funct: [['funct3', 3, 12]], syntax: 'rs1, rs2, bimm13' }],
  ['sb', { funct: [['funct3', 3, 12]], syntax: 'rs1, rs2, bimm13' }],
  ['u', { funct: [], syntax: 'rd, uimm20' }],
  ['j', { funct: [], syntax: 'rd, jimm21' }],
  ['uj', { funct: [], syntax: 'rd, jimm21' }],
]);

const insnDefs = new Map<string, InstrDef>();
/** A table-like row for an .insn line, built from the shared operand kinds. */
function insnDef(fmt: string, syntax: string, match: number, mask: number): InstrDef {
  const key = `${syntax}/${match}/${mask}`;
  let d = insnDefs.get(key);
  if (d) return d;
  // Borrow slots from a real row with the same syntax so operand kinds come from the table.
  const donor = [...INSTRUCTION_BY_NAME.values()].find((x) => x.syntax === syntax && x.size === 4)!;
  d = { ...donor, name: `.insn ${fmt}`, match, mask, nonzero: [], id: -1 };
  insnDefs.set(key, d);
  return d;
}

// ---- helpers ------------------------------------------------------------------------------------------
