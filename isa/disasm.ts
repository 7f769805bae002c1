// Disassembly of one instruction, printed the way llvm-objdump (LLVM 14, --mattr=+m,+a,+c) prints it:
// mnemonic, a tab, operands; the same aliases (li, mv, ret, csrr, ...); compressed instructions shown as
// the base instruction they expand to (or with their c. names when aliases are off); branch and jump
// targets as absolute addresses with an optional `<symbol+offset>`; CSRs by name, unknown ones by number;
// undecodable bits as `<unknown>` (and 0x0000 as `unimp`). XPC rows print as the table spells them.
//
// The emulator calls this for traces and error messages, so it never throws and does little work.

import { decode, expand, type Decoded } from './codec.js';
import type { InstrDef } from './instructions.js';
import type { OperandField } from './operands.js';
import { csrByNumber } from './csrs.js';
import { ABI_NAMES, FP_ABI_NAMES, ROUNDING_MODES } from './registers.js';

export interface Disassembly {
  /** `mnemonic\toperands`, or just the mnemonic when there are no operands. */
  text: string;
  mnemonic: string;
  operands: string;
  /** Bytes the instruction occupies (2 for compressed encodings, including illegal ones). */
  size: 2 | 4;
}

export interface DisasmOptions {
  /** Name for a branch/jump target, printed as ` <name>` after the address (e.g. `main+0x10`). */
  symbolize?: (addr: bigint) => string | undefined;
  /** Print aliases and expand compressed instructions (default true), like llvm-objdump without -M no-aliases. */
  aliases?: boolean;
}

const MASK64 = (1n << 64n) - 1n;
const FENCE_BITS = 'iorw';

function reg(n: number): string {
  return ABI_NAMES[n];
}

function csrName(n: number): string {
  return csrByNumber(n)?.name ?? String(n);
}

function fenceSet(v: number): string {
  if (v === 0) return 'unknown'; // what LLVM 14 prints for an empty set
  let s = '';
  for (let i = 0; i < 4; i++) if (v & (8 >> i)) s += FENCE_BITS[i];
  return s;
}

/**
 * Hex digits of a non-negative safe integer. Number#toString(16) is slow for values that are not small
 * integers (above 2^31), so convert 16-bit pieces, which are.
 */
function hexOf(a: number): string {
  if (a < 0x40000000) return a.toString(16);
  const hi = Math.floor(a / 0x100000000);
  const lo = a - hi * 0x100000000;
  const lo16 = (lo & 0xffff).toString(16);
  const mid16 = (lo >>> 16).toString(16);
  if (hi === 0) return mid16 + lo16.padStart(4, '0');
  return hi.toString(16) + mid16.padStart(4, '0') + lo16.padStart(4, '0');
}

function target(pc: number | bigint, offset: number, opts: DisasmOptions | undefined): string {
  if (typeof pc === 'number' && !opts?.symbolize) {
    // The common trace case: plain number arithmetic when the address stays exact.
    const a = pc + offset;
    if (a >= 0 && a <= Number.MAX_SAFE_INTEGER) return '0x' + hexOf(a);
  }
  const addr = (typeof pc === 'bigint' ? pc + BigInt(offset) : BigInt(pc + offset)) & MASK64;
  const text = '0x' + addr.toString(16);
  const sym = opts?.symbolize?.(addr);
  return sym ? `${text} <${sym}>` : text;
}

function result(mnemonic: string, operands: string, size: 2 | 4): Disassembly {
  return { text: operands ? `${mnemonic}\t${operands}` : mnemonic, mnemonic, operands, size };
}

const isBranchTarget = (f: OperandField) => f.name === 'bimm13' || f.name === 'jimm21' || f.name === 'c_jimm12' || f.name === 'c_bimm9';

function operandText(f: OperandField, v: number, pc: number | bigint, opts: DisasmOptions | undefined): string {
  if (f.kind === 'reg') return f.file === 'f' ? FP_ABI_NAMES[v] : reg(v);
  if (f.print === 'rm') return ROUNDING_MODES[v];
  if (f.name === 'csr') return csrName(v);
  if (f.print === 'fence') return fenceSet(v);
  if (isBranchTarget(f)) return target(pc, v, opts);
  return String(v);
}

/** A row printed in its own syntax (no aliases). */
function formatRow(def: InstrDef, values: readonly number[], pc: number | bigint, opts: DisasmOptions | undefined, size: 2 | 4): Disassembly {
  const parts: string[] = [];
  for (const s of def.slots) {
    // With aliases on, LLVM leaves out the dynamic rounding mode (the assembler's default).
    if (s.kind === 'field' && s.field.kind === 'imm' && s.field.print === 'rm' && values[def.fields.indexOf(s.field)] === 7 && opts?.aliases !== false) continue;
    if (s.kind === 'field') parts.push(operandText(s.field, values[def.fields.indexOf(s.field)], pc, opts));
    else if (s.kind === 'fixedReg') parts.push(reg(s.reg));
    else {
      const base = typeof s.base === 'number' ? s.base : values[def.fields.indexOf(s.base)];
      const off = s.offset ? String(values[def.fields.indexOf(s.offset)]) : '';
      parts.push(`${off}(${reg(base)})`);
    }
  }
  return result(def.name, parts.join(', '), size);
}

const CSR_CYCLE = 0xc00;
const COUNTER_ALIASES: Record<number, string> = { 0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret' };
/** fflags, frm, fcsr: the suffix of LLVM's frflags/fsflags, frrm/fsrm, frcsr/fscsr aliases. */
const FP_CSR_ALIASES: Record<number, string> = { 0x001: 'flags', 0x002: 'rm', 0x003: 'csr' };

/** LLVM's printed aliases of base instructions (the InstAliases of RISCVInstrInfo.td with priority). */
function alias(def: InstrDef, v: readonly number[], pc: number | bigint, opts: DisasmOptions | undefined, size: 2 | 4): Disassembly | null {
  switch (def.name) {
    case 'addi': // rd, rs1, imm
      if (v[0] === 0 && v[1] === 0 && v[2] === 0) return result('nop', '', size);
      if (v[1] === 0) return result('li', `${reg(v[0])}, ${v[2]}`, size);
      if (v[2] === 0) return result('mv', `${reg(v[0])}, ${reg(v[1])}`, size);
      return null;
    case 'addiw':
      return v[2] === 0 ? result('sext.w', `${reg(v[0])}, ${reg(v[1])}`, size) : null;
    case 'add.uw': // Zba's zext.w (RISCVInstrInfoZb.td InstAlias)
      return v[2] === 0 ? result('zext.w', `${reg(v[0])}, ${reg(v[1])}`, size) : null;
    case 'xori':
      return v[2] === -1 ? result('not', `${reg(v[0])}, ${reg(v[1])}`, size) : null;
    case 'sltiu':
      return v[2] === 1 ? result('seqz', `${reg(v[0])}, ${reg(v[1])}`, size) : null;
    case 'sub':
      return v[1] === 0 ? result('neg', `${reg(v[0])}, ${reg(v[2])}`, size) : null;
    case 'subw':
      return v[1] === 0 ? result('negw', `${reg(v[0])}, ${reg(v[2])}`, size) : null;
    case 'sltu':
      return v[1] === 0 ? result('snez', `${reg(v[0])}, ${reg(v[2])}`, size) : null;
    case 'slt':
      if (v[2] === 0) return result('sltz', `${reg(v[0])}, ${reg(v[1])}`, size);
      if (v[1] === 0) return result('sgtz', `${reg(v[0])}, ${reg(v[2])}`, size);
      return null;
    case 'beq': // rs1, rs2, offset
      return v[1] === 0 ? result('beqz', `${reg(v[0])}, ${target(pc, v[2], opts)}`, size) : null;
    case 'bne':
      return v[1] === 0 ? result('bnez', `${reg(v[0])}, ${target(pc, v[2], opts)}`, size) : null;
    case 'bge':
      if (v[0] === 0) return result('blez', `${reg(v[1])}, ${target(pc, v[2], opts)}`, size);
      if (v[1] === 0) return result('bgez', `${reg(v[0])}, ${target(pc, v[2], opts)}`, size);
      return null;
    case 'blt':
      if (v[1] === 0) return result('bltz', `${reg(v[0])}, ${target(pc, v[2], opts)}`, size);
      if (v[0] === 0) return result('bgtz', `${reg(v[1])}, ${target(pc, v[2], opts)}`, size);
      return null;
    case 'jal': // rd, offset
      if (v[0] === 0) return result('j', target(pc, v[1], opts), size);
      if (v[0] === 1) return result('jal', target(pc, v[1], opts), size);
      return null;
    case 'jalr': // rd, imm(rs1)
      if (v[1] !== 0) {
        if (v[0] === 0) return result('jr', `${v[1]}(${reg(v[2])})`, size);
        if (v[0] === 1) return result('jalr', `${v[1]}(${reg(v[2])})`, size);
        return null;
      }
      if (v[0] === 0 && v[2] === 1) return result('ret', '', size);
      if (v[0] === 0) return result('jr', reg(v[2]), size);
      if (v[0] === 1) return result('jalr', reg(v[2]), size);
      return result('jalr', `${reg(v[0])}, ${reg(v[2])}`, size);
    case 'fence':
      return v[0] === 15 && v[1] === 15 ? result('fence', '', size) : null;
    case 'csrrs': // rd, csr, rs1
      if (v[2] === 0 && COUNTER_ALIASES[v[1]]) return result(COUNTER_ALIASES[v[1]], reg(v[0]), size);
      if (v[2] === 0 && FP_CSR_ALIASES[v[1]]) return result(`fr${FP_CSR_ALIASES[v[1]]}`, reg(v[0]), size);
      if (v[2] === 0) return result('csrr', `${reg(v[0])}, ${csrName(v[1])}`, size);
      if (v[0] === 0) return result('csrs', `${csrName(v[1])}, ${reg(v[2])}`, size);
      return null;
    case 'csrrw':
      if (FP_CSR_ALIASES[v[1]]) {
        const name = `fs${FP_CSR_ALIASES[v[1]]}`;
        return result(name, v[0] === 0 ? reg(v[2]) : `${reg(v[0])}, ${reg(v[2])}`, size);
      }
      return v[0] === 0 ? result('csrw', `${csrName(v[1])}, ${reg(v[2])}`, size) : null;
    case 'csrrc':
      return v[0] === 0 ? result('csrc', `${csrName(v[1])}, ${reg(v[2])}`, size) : null;
    case 'csrrwi':
      if (v[1] === 1 || v[1] === 2) {
        const name = v[1] === 1 ? 'fsflagsi' : 'fsrmi';
        return result(name, v[0] === 0 ? String(v[2]) : `${reg(v[0])}, ${v[2]}`, size);
      }
      return v[0] === 0 ? result('csrwi', `${csrName(v[1])}, ${v[2]}`, size) : null;
    case 'csrrsi':
      return v[0] === 0 ? result('csrsi', `${csrName(v[1])}, ${v[2]}`, size) : null;
    case 'csrrci':
      return v[0] === 0 ? result('csrci', `${csrName(v[1])}, ${v[2]}`, size) : null;
    case 'fsgnj.s': case 'fsgnj.d': case 'fsgnjn.s': case 'fsgnjn.d': case 'fsgnjx.s': case 'fsgnjx.d': {
      // fmv/fneg/fabs when both sources are the same register (RISCVInstrInfoF.td/D.td InstAliases).
      if (v[1] !== v[2]) return null;
      const kind = def.name.startsWith('fsgnjn') ? 'fneg' : def.name.startsWith('fsgnjx') ? 'fabs' : 'fmv';
      return result(`${kind}.${def.name.slice(-1)}`, `${FP_ABI_NAMES[v[0]]}, ${FP_ABI_NAMES[v[1]]}`, size);
    }
    case 'sfence.vma': // rs1, rs2
      if (v[1] !== 0) return null;
      return v[0] === 0 ? result('sfence.vma', '', size) : result('sfence.vma', reg(v[0]), size);
    default:
      return null;
  }
}

/**
 * Compressed HINT encodings (rd = x0, or a zero shift) that LLVM does not expand: it prints them with their
 * c. names (and c.nop with its immediate, c.slli64/c.srli64/c.srai64 for zero shifts) even with aliases on.
 */
function compressedHint(d: Decoded): Disassembly | null {
  const v = d.values;
  switch (d.def.name) {
    case 'c.addi':
      return v[0] === 0 ? result('c.nop', String(v[1]), 2) : null;
    case 'c.slli':
      if (v[1] === 0) return result('c.slli64', reg(v[0]), 2);
      return v[0] === 0 ? formatRow(d.def, v, 0, undefined, 2) : null;
    case 'c.srli':
    case 'c.srai':
      return v[1] === 0 ? result(`${d.def.name}64`, reg(v[0]), 2) : null;
    case 'c.lui': // LLVM prints the HINT's immediate signed
      return v[0] === 0 ? result('c.lui', `zero, ${v[1] >= 0x80000 ? v[1] - 0x100000 : v[1]}`, 2) : null;
    case 'c.li':
    case 'c.mv':
    case 'c.add':
      return v[0] === 0 ? formatRow(d.def, v, 0, undefined, 2) : null;
    default:
      return null;
  }
}

/**
 * Encodings the table treats as instructions but LLVM 14 does not decode (bits the spec says to ignore in
 * fence and fence.i, which LLVM requires to be zero): shown as `<unknown>` like llvm-objdump.
 */
function llvmRejects(d: Decoded): boolean {
  // Reserved rounding modes 5 and 6 (LLVM's frm operand decoder refuses them).
  if (d.def.ext === 'F' || d.def.ext === 'D') {
    const i = d.def.fields.findIndex((f) => f.name === 'rm');
    if (i >= 0 && (d.values[i] === 5 || d.values[i] === 6)) return true;
  }
  if (d.def.name === 'fence') return (d.raw & 0xf00f8f80) !== 0;
  if (d.def.name === 'fence.i') return (d.raw & 0xfff00f80) !== 0;
  return false;
}

/** Reserved c.lui encodings (immediate zero) that LLVM 14 still decodes as c.lui. */
function reservedCLui(bits: number, aliases: boolean): Disassembly | null {
  if ((bits & 0xe003) !== 0x6001 || (bits & 0x107c) !== 0) return null;
  const rd = (bits >>> 7) & 31;
  if (rd === 2) return null;
  if (rd === 0) return result('c.lui', 'zero, 0', 2);
  return aliases ? result('lui', `${reg(rd)}, 0`, 2) : result('c.lui', `${reg(rd)}, 0`, 2);
}

const CACHE_LIMIT = 8192;
const aliasCache = new Map<number, Disassembly>();
const plainCache = new Map<number, Disassembly>();
const branchCache = new Map<number, Decoded>();

/** Format an already decoded instruction at `pc`. */
export function formatDecoded(d: Decoded, pc: number | bigint, opts?: DisasmOptions): Disassembly {
  const aliases = opts?.aliases !== false;
  const size = d.def.size;
  const at = pc;
  if (size === 2) {
    const hint = compressedHint(d);
    if (hint) return hint;
    if (!aliases) return formatRow(d.def, d.values, at, opts, 2);
    // LLVM expands c.mv to `addi rd, rs2, 0` (the spec says `add rd, x0, rs2`; same effect), printed as mv.
    if (d.def.name === 'c.mv') return result('mv', `${reg(d.values[0])}, ${reg(d.values[1])}`, 2);
    const base = expand(d);
    return alias(base.def, base.values, at, opts, 2) ?? formatRow(base.def, base.values, at, opts, 2);
  }
  if (llvmRejects(d)) return result('<unknown>', '', 4);
  if (d.def.name === 'csrrw' && d.values[0] === 0 && d.values[1] === CSR_CYCLE && d.values[2] === 0) return result('unimp', '', 4);
  if (aliases) {
    const a = alias(d.def, d.values, at, opts, 4);
    if (a) return a;
  }
  return formatRow(d.def, d.values, at, opts, 4);
}

/**
 * Disassemble the instruction whose bits are `raw` (the low 16 bits for a compressed instruction; a
 * 32-bit instruction needs all 32) at address `pc`. Never throws.
 */
export function disassemble(raw: number, pc: number | bigint, opts?: DisasmOptions): Disassembly {
  try {
    const compressed = (raw & 3) !== 3;
    const bits = compressed ? raw & 0xffff : raw >>> 0;
    const size: 2 | 4 = compressed ? 2 : 4;
    const cache = opts?.aliases === false ? plainCache : aliasCache;
    const hit = cache.get(bits);
    if (hit) return hit;
    // Traces disassemble the same few instructions over and over: keep the text of those that do not
    // depend on pc, and the decoding of branches and jumps (whose text does).
    let d = branchCache.get(bits);
    if (!d) {
      const decoded = decode(bits);
      if (decoded && decoded.def.fields.some(isBranchTarget)) {
        if (branchCache.size >= CACHE_LIMIT) branchCache.clear();
        branchCache.set(bits, decoded);
      }
      d = decoded ?? undefined;
    }
    if (d) {
      const out = formatDecoded(d, pc, opts);
      if (!branchCache.has(bits)) {
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(bits, Object.freeze(out));
      }
      return out;
    }
    const aliases = opts?.aliases !== false;
    if (compressed) {
      if (bits === 0) return result(aliases ? 'unimp' : 'c.unimp', '', 2);
      const lui = reservedCLui(bits, aliases);
      if (lui) return lui;
    }
    return result('<unknown>', '', size);
  } catch {
    // A symbolizer that throws, or a bug: still give the caller something printable.
    return result('<unknown>', '', (raw & 3) !== 3 ? 2 : 4);
  }
}
