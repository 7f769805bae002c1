// Instruction emission: a table row with its operand values becomes bytes in the current fragment, a
// compressed form (isa/compress.ts, LLVM's choices), a relaxable branch fragment, or a placeholder with
// fixups; plus the multi-instruction forms shared by the pseudo-instructions (symbol loads/stores, GOT
// and TLS pairs).

import { compress, compressedEncoding } from '../../isa/compress.js';
import { encode, expansionPlan, encodeBits } from '../../isa/codec.js';
import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { insertOperand, operandRangeError } from '../../isa/operands.js';
import { SHT_NOBITS } from '../elf/model.js';
import { ZB_BITS } from './attributes.js';
import { AsmError, E_NUM, E_SYM, type Expr } from './expr.js';
import { FIX_CALL, FIX_PCREL, FIX_PCREL_HI, FIX_PCREL_LO, FIX_TPREL_ADD, FixupRecord, endsGnuFragment, packOperands } from './section.js';
import type { Pending } from './core.js';
import { OperandParser, slotPlan, PCREL_FIELDS, type SlotPlan } from './operands.js';

const LOADS = new Set(['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu']);
const STORES = new Set(['sb', 'sh', 'sw', 'sd']);
/** Floating-point loads and stores: to a symbol they always name an integer temporary (`fld fa0, sym, t0`). */
const FP_MEM = new Set(['flw', 'fld', 'fsw', 'fsd']);
const RELAXABLE_C = new Set(['c.beqz', 'c.bnez', 'c.j']);
/** RELAXABLE_C by row id (an array load, not a string lookup per instruction). */
const relaxableC: boolean[] = INSTRUCTIONS.map((d) => RELAXABLE_C.has(d.name));
function isRelaxableC(def: InstrDef): boolean {
  return def.id >= 0 && relaxableC[def.id];
}

/** The 4-byte row a relaxable compressed row stands for, and each of its operands: a C field (`from`) or a constant. */
interface BigForm {
  base: InstrDef;
  from: Int32Array;
  value: Int32Array;
}
const bigForms: (BigForm | undefined)[] = [];
function bigOperand(form: BigForm, cvalues: readonly number[], k: number): number {
  const from = form.from[k];
  return from >= 0 ? cvalues[from] : form.value[k];
}
for (let i = 0; i < INSTRUCTIONS.length; i++) {
  const d = INSTRUCTIONS[i];
  if (!RELAXABLE_C.has(d.name)) continue;
  const plan = expansionPlan(d)!;
  const n = plan.sources.length;
  const from = new Int32Array(n);
  const value = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const src = plan.sources[k];
    if (src.from === 'field') from[k] = src.index;
    else {
      from[k] = -1;
      value[k] = src.value;
    }
  }
  bigForms[d.id] = { base: plan.base, from, value };
}

/**
 * Necessary conditions for a base instruction to have a compressed form (unprivileged spec, C chapter:
 * each C instruction fixes rd = rs1, an x0/sp operand, x8..x15 registers or a zero immediate). They only
 * skip compress() calls that cannot succeed, which keeps the assembler's hot path fast; compress() still
 * makes every actual choice. Rows not listed here are always offered to compress().
 */
const MAY_COMPRESS: Record<string, (v: readonly number[]) => boolean> = {
  add: (v) => v[0] === v[1] || v[0] === v[2] || v[1] === 0 || v[2] === 0,
  addi: (v) => v[0] === v[1] || v[1] === 0 || v[1] === 2 || v[2] === 0,
  addiw: (v) => v[0] === v[1] || v[1] === 0,
  sub: (v) => v[0] === v[1],
  subw: (v) => v[0] === v[1],
  xor: (v) => v[0] === v[1] || v[0] === v[2],
  or: (v) => v[0] === v[1] || v[0] === v[2],
  and: (v) => v[0] === v[1] || v[0] === v[2],
  addw: (v) => v[0] === v[1] || v[0] === v[2],
  andi: (v) => v[0] === v[1],
  slli: (v) => v[0] === v[1],
  srli: (v) => v[0] === v[1],
  srai: (v) => v[0] === v[1],
  lw: (v) => v[2] === 2 || (v[0] >= 8 && v[0] <= 15 && v[2] >= 8 && v[2] <= 15),
  ld: (v) => v[2] === 2 || (v[0] >= 8 && v[0] <= 15 && v[2] >= 8 && v[2] <= 15),
  sw: (v) => v[2] === 2 || (v[0] >= 8 && v[0] <= 15 && v[2] >= 8 && v[2] <= 15),
  sd: (v) => v[2] === 2 || (v[0] >= 8 && v[0] <= 15 && v[2] >= 8 && v[2] <= 15),
  lui: (v) => v[1] < 32 || v[1] >= 0xfffe0,
  jalr: (v) => v[1] === 0 && v[0] <= 1,
  jal: (v) => v[0] === 0,
  beq: (v) => v[1] === 0 && v[0] >= 8 && v[0] <= 15,
  bne: (v) => v[1] === 0 && v[0] >= 8 && v[0] <= 15,
};
const mayCompress: ((v: readonly number[]) => boolean)[] = [];
for (const [name, f] of Object.entries(MAY_COMPRESS)) mayCompress[INSTRUCTION_BY_NAME.get(name)!.id] = f;

/**
 * The 16-bit encoding compress() and encodeBits() give a row's operand values (-1: none), cached by the
 * values for rows whose values pack exactly into one number (every base row: registers take 5 bits,
 * immediates their field width). Real code repeats the same register/offset combinations (sp-relative
 * loads and stores, moves), so most lookups hit. The cache is direct-mapped over typed arrays (a slot holds
 * the last row and values hashed to it), so it neither grows nor allocates.
 */
const packRanges: (Int32Array | null | undefined)[] = [];
/**
 * A row's packing ranges, made on the row's first compressedBits (a file uses a few dozen of the table's
 * rows: building all of them at load was about 200 KB of small arrays, some 50 fresh pages, at every
 * start). Kept out of compressedBits, which calls it once per row.
 */
function packRangesOf(def: InstrDef): Int32Array | null {
  let total = 1;
  const fields = def.fields;
  const ranges = new Int32Array(fields.length * 2);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const span = f.kind === 'reg' ? 32 : 2 ** f.bits;
    total *= span;
    ranges[2 * i] = span;
    ranges[2 * i + 1] = f.kind === 'reg' ? 0 : f.signed ? 2 ** (f.bits - 1) : 0;
  }
  // Keys stay below 2^30 (V8 Smis; they fit the Int32Array slots).
  const r = def.size === 4 && total <= 2 ** 30 ? ranges : null;
  packRanges[def.id] = r;
  return r;
}

/**
 * The cache's slots: the row id + 1 (0: empty, so the fresh zeroed array needs no fill), the packed values
 * and the answer.
 */
const CACHE_BITS = 14;
const cacheRow = new Int32Array(1 << CACHE_BITS);
const cacheKey = new Int32Array(1 << CACHE_BITS);
const cacheBits = new Int32Array(1 << CACHE_BITS);

/** The compressed encoding of `def` with `values` (LLVM's choice, isa/compress.ts), or -1 if it has none. */
function compressedBits(def: InstrDef, values: readonly number[]): number {
  if (def.id < 0) return compressedEncoding(def, values);
  let ranges = packRanges[def.id];
  if (ranges === undefined) ranges = packRangesOf(def);
  if (ranges === null) return compressedEncoding(def, values);
  let key = 0;
  for (let i = 0, k = 0; i < ranges.length; i += 2, k++) {
    const v = values[k] + ranges[i + 1];
    if (!(v >= 0 && v < ranges[i]) || (v | 0) !== v) return compressedEncoding(def, values);
    key = key * ranges[i] + v;
  }
  const slot = Math.imul(key ^ Math.imul(def.id, 0x27d4eb2d), 0x9e3779b1) >>> (32 - CACHE_BITS);
  if (cacheRow[slot] === def.id + 1 && cacheKey[slot] === key) return cacheBits[slot];
  const bits = compressedEncoding(def, values);
  cacheRow[slot] = def.id + 1;
  cacheKey[slot] = key;
  cacheBits[slot] = bits;
  return bits;
}

/**
 * compress() of a row with a pending target (a branch or jump to a label: the target field 0), by row id and
 * its other operands, all registers (two at most, 5 bits each): branches repeat a few register combinations,
 * and compress() allocates its answer each time. The answers are shared, so only read (relaxFrag packs them).
 */
const branchCompressed: (({ def: InstrDef; values: number[] } | null | undefined)[] | undefined)[] = [];
function compressBranch(def: InstrDef, values: readonly number[], field: number): { def: InstrDef; values: number[] } | null {
  if (def.id < 0 || values[field] !== 0) return compress(def, values);
  let key = 0;
  for (let k = 0, shift = 0; k < def.fields.length; k++) {
    if (k === field) continue;
    const v = values[k];
    if (!(v >= 0 && v < 32) || shift === 10 || def.fields[k].kind !== 'reg') return compress(def, values);
    key |= v << shift;
    shift += 5;
  }
  let answers = branchCompressed[def.id];
  if (answers === undefined) branchCompressed[def.id] = answers = new Array<{ def: InstrDef; values: number[] } | null | undefined>(1024).fill(undefined);
  let c = answers[key];
  if (c === undefined) answers[key] = c = compress(def, values);
  return c;
}

/** The index of a row's pc-relative target field (-1: none). */
function pcrelIndex(def: InstrDef): number {
  const fields = def.fields;
  for (let k = 0; k < fields.length; k++) if (PCREL_FIELDS.has(fields[k].name)) return k;
  return -1;
}
/** pcrelIndex by row id, built at load (a loop: no closure per row). */
const pcrelFields: number[] = [];
for (let i = 0; i < INSTRUCTIONS.length; i++) pcrelFields.push(pcrelIndex(INSTRUCTIONS[i]));
function pcrelField(def: InstrDef): number {
  return def.id >= 0 ? pcrelFields[def.id] : pcrelIndex(def);
}

const ADD = INSTRUCTION_BY_NAME.get('add')!;
const ADDIW = INSTRUCTION_BY_NAME.get('addiw')!;
const JALR = INSTRUCTION_BY_NAME.get('jalr')!;
const JAL = INSTRUCTION_BY_NAME.get('jal')!;

/**
 * GNU as compresses only through the compressed alternatives listed under the mnemonic as written
 * (binutils opcodes/riscv-opc.c), where LLVM compresses any instruction a CompressPat matches. So GNU keeps
 * `add rd, rs, zero` and `addiw rd, zero, imm` (also from `sext.w rd, zero`) 4 bytes long, where LLVM makes
 * them c.mv and c.li; forms that never compress in GNU as set noCompress (pseudo.ts, row()).
 */
function gnuKeeps(u: InstructionEmitter, def: InstrDef, values: readonly number[]): boolean {
  if (u.noCompress) return true;
  if (def === ADD) return values[2] === 0;
  if (def === ADDIW) return values[1] === 0;
  return false;
}

/** Per table row: the bit-manipulation extension (attributes.ts ZB_BITS) it needs, 0 for the others. */
const ZB_NEEDS = new Uint8Array(INSTRUCTIONS.length);
{
  // Looked up once per extension, not per row (a lower-case string per row was most of the loop's garbage).
  const byExt = new Map<string, number>();
  for (let i = 0; i < INSTRUCTIONS.length; i++) {
    const d = INSTRUCTIONS[i];
    let need = byExt.get(d.ext);
    if (need === undefined) byExt.set(d.ext, (need = ZB_BITS[d.ext.toLowerCase()] ?? 0));
    ZB_NEEDS[d.id] = need;
  }
}

export class InstructionEmitter extends OperandParser {
  /**
   * Emit one table row with values; `pend` lists fields filled by fixups. `at` is the operand index for
   * error positions when the caller does not map fields to operands (-1: the mnemonic).
   */
  emit(def: InstrDef, values: number[], pend: readonly Pending[], at = -1, plan: SlotPlan[] | null = null): void {
    const sec = this.sec;
    if (sec.type === SHT_NOBITS) throw new AsmError(`instructions are not allowed in the NOBITS section '${sec.name}'`, this.mnemonicPos);
    if (def.size === 2 && !this.rvc) throw new AsmError(`instruction '${def.name}' requires the C extension (use --march rv64imac or .option rvc)`, this.mnemonicPos);
    if ((ZB_NEEDS[def.id] & ~this.zb) !== 0) {
      // GNU as 2.40: "unrecognized opcode `andn a0,a1,a2', extension `zbb' or `zbkb' required".
      // Named as written (`ror a0, a1, 3` is rori's row).
      const ext = def.ext.toLowerCase();
      const written = /^[A-Za-z][A-Za-z0-9_.]*/.exec(this.s.slice(this.mnemonicPos, this.mnemonicPos + 24))?.[0].toLowerCase() ?? def.name;
      throw new AsmError(`instruction '${written}' requires the ${def.ext} extension (use --march rv64gc_${ext} or .option arch, +${ext})`, this.mnemonicPos);
    }
    sec.hasCode = true;
    if (this.gnu) this.mapState(1, false);
    // Two functions: V8 optimises (and, after a deoptimisation, recompiles) the hot one without fixups on
    // its own, and it reads no source location (Loc objects change shape while a file is assembled).
    if (pend.length === 0) this.emitPlain(def, values, at, plan);
    else this.emitWithFixups(def, values, pend, at, plan);
  }

  /** emit() of an instruction with every operand known. */
  emitPlain(def: InstrDef, values: number[], at: number, plan: SlotPlan[] | null): void {
    const sec = this.sec;
    const hint = mayCompress[def.id];
    if (this.rvc && def.size === 4 && (hint === undefined || hint(values)) && !(this.gnu && gnuKeeps(this, def, values))) {
      const cb = compressedBits(def, values);
      if (cb >= 0) {
        sec.put16(cb);
        return;
      }
    }
    const bits = encodeBits(def, values);
    if (bits < 0) this.operandError(def, values, null, at, plan);
    else if (def.size === 2) sec.put16(bits); // c.j/c.beqz to a constant offset: never relaxed
    else sec.put32(bits);
  }

  /**
   * The error for operands encodeBits refused (encode() says why), at the operand of the field; fields
   * filled by the pending fixups `pend` are not checked. Returns when only those fields were refused.
   */
  operandError(def: InstrDef, values: number[], pend: readonly Pending[] | null, at: number, plan: SlotPlan[] | null): void {
    const r = encode(def, values);
    if (r.ok) {
      if (pend === null) throw new Error(`encodeBits and encode disagree on ${def.name} ${values.join(',')}`);
      return;
    }
    if (pend !== null && pend.some((p) => def.fields[p.field] === r.field)) return;
    const fi = def.fields.indexOf(r.field);
    const op = plan ? InstructionEmitter.fieldOperand(plan, fi) : at;
    throw new AsmError(r.message, op >= 0 ? this.opS[op] : this.mnemonicPos);
  }

  /** emit() of an instruction with fields filled by fixups (or a relaxable branch). */
  emitWithFixups(def: InstrDef, values: number[], pend: readonly Pending[], at: number, plan: SlotPlan[] | null): void {
    const sec = this.sec;
    const np = pend.length;
    // Validate the other fields with the pending ones at zero.
    let placeholder = encodeBits(def, values);
    if (placeholder < 0) {
      this.operandError(def, values, pend, at, plan);
      placeholder = def.match;
      for (let k = 0; k < def.fields.length; k++) {
        const f = def.fields[k];
        if (operandRangeError(f, values[k]) === null) placeholder = (placeholder | insertOperand(f, values[k])) >>> 0;
      }
    }
    if (np === 1 && pend[0].kind === FIX_PCREL) {
      const p = pend[0];
      if (isRelaxableC(def)) {
        this.relaxFrag(def, values, p.expr, p.operand);
        return;
      }
      const hint = mayCompress[def.id];
      if (this.rvc && def.size === 4 && !this.noCompress && (hint === undefined || hint(values))) {
        const c = compressBranch(def, values, p.field);
        if (c && isRelaxableC(c.def)) {
          this.relaxFrag(c.def, c.values, p.expr, p.operand, def, values);
          return;
        }
      }
      // A conditional branch to a label: relaxable to the long form (GNU as; LLVM since 17).
      if (def.fields[p.field].name === 'bimm13' && p.expr.t !== E_NUM) {
        this.relaxFrag(def, values, p.expr, p.operand, def, values);
        return;
      }
    }
    const frag = sec.cur;
    const off = sec.fSize[frag];
    if (def.size === 2) sec.put16(placeholder);
    else sec.put32(placeholder);
    let splits = false;
    for (const p of pend) {
      if (p.kind < 0) continue;
      const col = this.locCol(p.operand >= 0 ? this.opS[p.operand] : this.mnemonicPos);
      sec.records.push(new FixupRecord(p.kind, frag, off, p.expr, this.locCtx(), this.loc.line, col, def.size, def, p.field, p.pcAdjust, !this.relax));
      splits ||= endsGnuFragment(p.kind);
    }
    // GNU as starts a new fragment after such an instruction (endsGnuFragment), a `call`'s after its jalr
    // (pseudo.ts pcrelPair). Fragment boundaries are where gas measures a label not laid out yet in its first
    // estimate of branch sizes (layoutSectionGnu), so they decide some compressed-or-not choices.
    if (splits && this.gnu) sec.newData();
  }

  /**
   * A call's pair (call, tail, jump): `auipc tmp, %pcrel_hi(target)` and `jalr` with `values` (its low part
   * pending), as one row of the section's CallTable (section.ts), which stands for a FIX_CALL record of
   * both fixups: what emit() of the two with a fixup each would write. Neither compresses; the caller starts GNU's new fragment after the pair.
   */
  emitCall(tmp: number, values: number[], target: Expr, operand: number): void {
    const sec = this.sec;
    if (sec.type === SHT_NOBITS) throw new AsmError(`instructions are not allowed in the NOBITS section '${sec.name}'`, this.mnemonicPos);
    // `auipc tmp, 0` by hand (opcode 0x17, rd in bits 7-11): no operand array and encoder call per call.
    const auipc = tmp >= 0 && tmp < 32 ? (tmp << 7) | 0x17 : -1;
    const jalr = encodeBits(JALR, values);
    if (auipc < 0 || jalr < 0) throw new Error(`internal: call registers ${tmp} ${values.join(',')} do not encode`);
    sec.hasCode = true;
    if (this.gnu) this.mapState(1, false);
    const frag = sec.cur;
    const off = sec.fSize[frag];
    sec.put32(auipc);
    sec.put32(jalr);
    const col = this.locCol(operand >= 0 ? this.opS[operand] : this.mnemonicPos);
    sec.addCall(off, target, this.locCtx(), this.loc.line, col, !this.relax);
  }

  /** A compressed branch or jump to a label: a relaxable branch (LLVM's MCRelaxableFragment), leading the
   * data fragment after it. */
  relaxFrag(cdef: InstrDef, cvalues: number[], target: Expr, operand: number, bigDef?: InstrDef, bigValues?: number[]): void {
    const sec = this.sec;
    let big: InstrDef;
    let bigRegs: number;
    let bigField: number;
    if (bigDef === undefined) {
      const form = bigForms[cdef.id]!;
      big = form.base;
      bigField = pcrelField(big);
      // The 4-byte row's registers from the compressed row's (jal: rd; a branch: rs1, rs2).
      bigRegs = 0;
      for (let k = 0, shift = 0; k < form.from.length; k++) {
        if (k === bigField) continue;
        bigRegs |= bigOperand(form, cvalues, k) << shift;
        shift += 5;
      }
    } else {
      big = bigDef;
      bigField = pcrelField(big);
      bigRegs = packOperands(big, bigValues!, bigField);
    }
    const same = cdef === big;
    const smallField = same ? bigField : pcrelField(cdef);
    const rx = sec.relaxes;
    const i = rx.add(
      cdef,
      same ? bigRegs : packOperands(cdef, cvalues, smallField),
      smallField,
      big,
      bigRegs,
      bigField,
      target,
      cdef.size === 4,
      big.fields[bigField].name === 'bimm13',
      this.gnu,
      this.locCtx(),
      this.loc.line,
      this.locCol(operand >= 0 ? this.opS[operand] : this.mnemonicPos),
    );
    sec.addBranch(i);
  }


  readonly values: number[] = [0, 0, 0, 0, 0, 0];
  readonly pend: Pending[] = [];

  /** Assemble the current operands as table row `def` (with load/store-to-symbol forms). */
  row(def: InstrDef): void {
    const values = this.values;
    const pend = this.pend;
    // pop(), not `length = 0`, which drops the backing store (the next push would allocate a fresh one).
    while (pend.length !== 0) pend.pop();
    for (let i = 0; i < def.fields.length; i++) values[i] = 0;
    // `lw rd, symbol` and `sd rs, symbol, rt`: loads and stores to a symbol (no base register).
    const n = this.nops;
    const memRow = def.slots.length === 2 && def.slots[1].kind === 'mem';
    if (memRow && n === 2 && LOADS.has(def.name) && this.s.charCodeAt(this.opE[1] - 1) !== 41) return this.symbolAccess(def, this.reg(0), -1, 1);
    if (memRow && n === 3 && STORES.has(def.name)) return this.symbolAccess(def, this.reg(2), this.reg(0), 1);
    // `fld fa5, .LC0, a5` (gcc -fPIC, GNU as): auipc a5, %pcrel_hi(.LC0); fld fa5, %pcrel_lo(...)(a5).
    if (memRow && n === 3 && FP_MEM.has(def.name)) return this.symbolAccess(def, this.reg(2), this.freg(0), 1);
    if (!this.parseRowOperands(def, values, pend)) {
      if (LOADS.has(def.name) && this.nops === 2) return this.symbolAccess(def, this.reg(0), -1, 1);
      if (STORES.has(def.name) && this.nops === 3) return this.symbolAccess(def, this.reg(2), this.reg(0), 1);
      if (FP_MEM.has(def.name) && this.nops === 2) throw new AsmError(`'${def.name}' of a symbol needs an integer temporary register: ${def.name} ${def.name[1] === 'l' ? 'frd' : 'frs'}, symbol, rt`, this.opS[1]);
      if (STORES.has(def.name) && this.nops === 2) throw new AsmError(`'${def.name}' to a symbol needs a temporary register: ${def.name} rs, symbol, rt`, this.opS[1]);
      throw new AsmError(`expected a memory operand 'offset(register)'`, this.opS[Math.min(1, this.nops - 1)]);
    }
    // GNU as compresses `jalr` only in its one-register form (`jalr rs`, pseudo.ts), and `jal rd, target`
    // never (c.j comes from `j target` only).
    if (this.gnu && (def === JALR || def === JAL)) this.noCompress = true;
    this.emit(def, values, pend, -1, slotPlan(def));
  }

  static fieldOperand(plan: SlotPlan[], fi: number): number {
    for (let i = 0; i < plan.length; i++) if (plan[i].field === fi || plan[i].offField === fi || plan[i].baseField === fi) return i;
    return -1;
  }

  /** `lw rd, sym` / `sw rs, sym, rt`: auipc tmp, %pcrel_hi(sym); op ..., %pcrel_lo(.)(tmp). */
  symbolAccess(def: InstrDef, tmp: number, data: number, symOp: number): void {
    const e = this.expr(this.opS[symOp], this.opE[symOp]);
    this.auipcPair(tmp, e, symOp);
    const vals = def.fields.map(() => 0);
    // Load: rd, imm12, rs1. Store: rs2, simm12, rs1 (fields in syntax order).
    if (data < 0) {
      vals[0] = tmp;
      vals[2] = tmp;
    } else {
      vals[0] = data;
      vals[2] = tmp;
    }
    this.emit(def, vals, [{ field: 1, kind: 7, expr: e, pcAdjust: -4, operand: symOp }], symOp);
  }

  /**
   * A GOT or TLS access (GNU as's expansions): `label: auipc rd, %kind(sym)` then `def` with
   * %pcrel_lo(label) in field lo (ld rd for a GOT slot, addi for la.tls.gd).
   */
  gotPair(rd: number, kind: number, symOp: number, def: InstrDef, values: number[], lo: number): void {
    let end = this.opE[symOp];
    if (end - this.opS[symOp] > 4 && this.s.slice(end - 4, end).toLowerCase() === '@plt') end -= 4;
    if (this.s.charCodeAt(this.opS[symOp]) === 37) throw new AsmError('expected a symbol, not a relocation modifier', this.opS[symOp]);
    const e = this.expr(this.opS[symOp], end);
    const label = this.dotSymbol();
    const auipc = INSTRUCTION_BY_NAME.get('auipc')!;
    this.emit(auipc, [rd, 0], [{ field: 1, kind, expr: e, pcAdjust: 0, operand: symOp }], symOp);
    this.emit(def, values, [{ field: lo, kind: FIX_PCREL_LO, expr: label, pcAdjust: 0, operand: symOp }], symOp);
  }

  /** `.option pic` is in force: `la` loads the address from the GOT (GNU as). */
  pic = false;

  /** `add rd, rs1, tp, %tprel_add(sym)`: a plain add, kept 4 bytes long (the linker may rewrite it). */
  tpreladd(): void {
    const t = this.operandText(3);
    if (!/^%tprel_add\s*\(/i.test(t) || !t.endsWith(')')) throw new AsmError('the fourth operand of add must be %tprel_add(symbol)', this.opS[3]);
    const inner = this.opS[3] + t.indexOf('(') + 1;
    const e = this.expr(inner, this.opE[3] - 1);
    const add = INSTRUCTION_BY_NAME.get('add')!;
    this.emit(add, [this.reg(0), this.reg(1), this.reg(2)], [{ field: 0, kind: FIX_TPREL_ADD, expr: e, pcAdjust: 0, operand: 3 }], 0);
  }

  /** auipc rd, %pcrel_hi(e). */
  auipcPair(rd: number, e: Expr, operand: number): void {
    const auipc = INSTRUCTION_BY_NAME.get('auipc')!;
    this.emit(auipc, [rd, 0], [{ field: 1, kind: FIX_PCREL_HI, expr: e, pcAdjust: 0, operand }], operand);
  }
}
