// Table-driven decoding, encoding and compressed-instruction expansion. Everything here is derived from
// INSTRUCTIONS and OPERANDS; no encoding is restated.

import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef, type SyntaxSlot } from './instructions.js';
import { extractOperand, insertOperand, operandRangeError, type OperandField } from './operands.js';
import { registerName, registerNumber } from './registers.js';

export interface Decoded {
  def: InstrDef;
  /** The instruction bits (16 significant bits for compressed instructions). */
  raw: number;
  /** Operand values, parallel to def.fields. */
  values: number[];
}

/** Length in bytes of the instruction whose low 16 bits are `low16` (2 or 4; longer encodings are not supported). */
export function instructionLength(low16: number): 2 | 4 {
  return (low16 & 3) === 3 ? 4 : 2;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

// Buckets: 32-bit rows by major opcode (bits 6..0), 16-bit rows by quadrant and funct3 (bits 1..0, 15..13).
// Made by the first decode: the assembler never decodes, and builds no buckets at start-up.
let buckets32: InstrDef[][] = [];
let buckets16: InstrDef[][] = [];

function buildBuckets(): void {
  const b32: InstrDef[][] = Array.from({ length: 128 }, () => []);
  const b16: InstrDef[][] = Array.from({ length: 32 }, () => []);
  for (const d of INSTRUCTIONS) {
    if (d.size === 4) b32[d.match & 0x7f].push(d);
    else b16[((d.match >>> 13) << 2) | (d.match & 3)].push(d);
  }
  // Most specific first, so exact encodings (c.nop, c.ebreak, fence.tso, ...) win over general ones.
  for (const b of [...b32, ...b16]) b.sort((a, c) => popcount(c.mask) - popcount(a.mask));
  buckets32 = b32;
  buckets16 = b16;
}

function fieldByName(def: InstrDef, name: string): number {
  return def.fields.findIndex((f) => f.name === name);
}

/** Decode one instruction; null when the bits are not a valid instruction of the table (illegal). */
export function decode(raw: number): Decoded | null {
  if (buckets32.length === 0) buildBuckets();
  const size = instructionLength(raw & 0xffff);
  const bits = size === 2 ? raw & 0xffff : raw >>> 0;
  const bucket = size === 2 ? buckets16[(((bits >>> 13) & 7) << 2) | (bits & 3)] : buckets32[bits & 0x7f];
  for (const def of bucket) {
    if (((bits & def.mask) >>> 0) !== def.match) continue;
    const values = def.fields.map((f) => extractOperand(f, bits));
    let reserved = false;
    for (const nz of def.nonzero) if (values[fieldByName(def, nz)] === 0) reserved = true;
    if (def.excluded) {
      for (const name in def.excluded) if (def.excluded[name].includes(values[fieldByName(def, name)])) reserved = true;
    }
    if (reserved) continue;
    return { def, raw: bits, values };
  }
  return null;
}

/** Value of the named operand of a decoded instruction. */
export function operandValue(d: Decoded, name: string): number {
  const i = fieldByName(d.def, name);
  if (i < 0) throw new Error(`${d.def.name} has no operand ${name}`);
  return d.values[i];
}

export type EncodeResult = { ok: true; bits: number } | { ok: false; field: OperandField; message: string };

/** Encode an instruction from operand values parallel to def.fields, checking every range. */
export function encode(def: InstrDef, values: readonly number[]): EncodeResult {
  let bits = def.match;
  for (let i = 0; i < def.fields.length; i++) {
    const f = def.fields[i];
    const err = operandRangeError(f, values[i]);
    if (err) return { ok: false, field: f, message: err };
    if (def.nonzero.includes(f.name) && values[i] === 0) {
      return { ok: false, field: f, message: f.kind === 'reg' ? 'register must not be x0' : 'immediate must be non-zero' };
    }
    if (def.excluded?.[f.name]?.includes(values[i])) {
      return { ok: false, field: f, message: `register must not be ${registerName(values[i])}` };
    }
    bits = (bits | insertOperand(f, values[i])) >>> 0;
  }
  return { ok: true, bits: bits >>> 0 };
}

/** Encode or throw (for generated code whose operands are known to be valid). */
export function encodeOrThrow(name: string, values: readonly number[]): number {
  const def = INSTRUCTION_BY_NAME.get(name);
  if (!def) throw new Error(`no instruction '${name}'`);
  const r = encode(def, values);
  if (!r.ok) throw new Error(`${name}: ${r.field.name}: ${r.message}`);
  return r.bits;
}

// ---- Compressed expansion -------------------------------------------------------------------------

/** How one operand of the base instruction is filled from a compressed one. */
type ExpandSource = { from: 'field'; index: number } | { from: 'const'; value: number };

interface ExpandPlan {
  base: InstrDef;
  sources: ExpandSource[];
}

function slotTokens(text: string): string[] {
  // "lw c_rd_p, c_uimm7(c_rs1_p)" -> ["c_rd_p", "c_uimm7", "c_rs1_p"] in base-syntax slot order.
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((s) => {
      const m = /^([^()]*)\(([^()]+)\)$/.exec(s);
      return m ? [m[1] === '' ? '0' : m[1], m[2]] : [s];
    });
}

function baseSlotFields(slots: readonly SyntaxSlot[]): (OperandField | null)[] {
  // The base row's syntax, flattened like slotTokens: mem slots give offset then base.
  const out: (OperandField | null)[] = [];
  for (const s of slots) {
    if (s.kind === 'field') out.push(s.field);
    else if (s.kind === 'mem') {
      out.push(s.offset);
      out.push(typeof s.base === 'number' ? null : s.base);
    } else out.push(null);
  }
  return out;
}

function buildPlan(c: InstrDef): ExpandPlan {
  const text = c.expandsTo!;
  const sp = text.indexOf(' ');
  const baseName = sp < 0 ? text : text.slice(0, sp);
  const base = INSTRUCTION_BY_NAME.get(baseName);
  if (!base || base.size !== 4) throw new Error(`instruction table: ${c.name} expands to unknown ${baseName}`);
  const tokens = sp < 0 ? [] : slotTokens(text.slice(sp + 1));
  const slotFields = baseSlotFields(base.slots);
  if (tokens.length !== slotFields.length) throw new Error(`instruction table: ${c.name} expansion arity`);
  const sources: ExpandSource[] = base.fields.map(() => ({ from: 'const', value: 0 }) as ExpandSource);
  tokens.forEach((tok, i) => {
    const f = slotFields[i];
    if (!f) return;
    const baseIndex = base.fields.indexOf(f);
    const cIndex = c.fields.findIndex((cf) => cf.name === tok);
    if (cIndex >= 0) sources[baseIndex] = { from: 'field', index: cIndex };
    else {
      const reg = registerNumber(tok);
      const value = reg ?? Number(tok);
      if (!Number.isInteger(value)) throw new Error(`instruction table: ${c.name} expansion token ${tok}`);
      sources[baseIndex] = { from: 'const', value };
    }
  });
  return { base, sources };
}

/**
 * The plans in the form tools/build.mjs embeds in the bundles (RVX_ISA_PLANS, JSON): per compressed row with
 * an expansion, its row id, the base row's id, the number of base operands and, per base operand, the C
 * field that feeds it and the constant (field -1: the constant).
 */
export function planData(): number[] {
  const out: number[] = [];
  for (const d of INSTRUCTIONS) {
    const plan = plans.get(d);
    if (!plan) continue;
    out.push(d.id, plan.base.id, plan.sources.length);
    for (const src of plan.sources) out.push(src.from === 'field' ? src.index : -1, src.from === 'field' ? 0 : src.value);
  }
  return out;
}

/** The plans from planData's form: what buildPlan computes, without parsing each expansion's text. */
export function plansFromData(data: readonly number[]): Map<InstrDef, ExpandPlan> {
  const out = new Map<InstrDef, ExpandPlan>();
  for (let i = 0; i < data.length; ) {
    const c = INSTRUCTIONS[data[i]];
    const base = INSTRUCTIONS[data[i + 1]];
    const n = data[i + 2];
    i += 3;
    const sources: ExpandSource[] = [];
    for (let k = 0; k < n; k++, i += 2) sources.push(data[i] >= 0 ? { from: 'field', index: data[i] } : { from: 'const', value: data[i + 1] });
    out.set(c, { base, sources });
  }
  return out;
}

/** planData() as JSON, defined by tools/build.mjs in the bundles; undefined when this file runs unbundled. */
declare const RVX_ISA_PLANS: string | undefined;

/** The expansion of every compressed row, computed from the rows' text unless the build embedded it. */
function computePlans(): Map<InstrDef, ExpandPlan> {
  const out = new Map<InstrDef, ExpandPlan>();
  for (const d of INSTRUCTIONS) if (d.expandsTo) out.set(d, buildPlan(d));
  return out;
}

const plans: Map<InstrDef, ExpandPlan> = typeof RVX_ISA_PLANS === 'string' ? plansFromData(JSON.parse(RVX_ISA_PLANS) as number[]) : computePlans();

/** The 32-bit instruction a compressed one stands for (identity for 32-bit instructions). */
export function expand(d: Decoded): Decoded {
  const plan = plans.get(d.def);
  if (!plan) return d;
  const values = plan.sources.map((s) => (s.from === 'field' ? d.values[s.index] : s.value));
  const enc = encode(plan.base, values);
  return { def: plan.base, raw: enc.ok ? enc.bits : plan.base.match, values };
}

/** The base row a compressed row expands to, and which compressed field feeds each base field. */
export function expansionPlan(c: InstrDef): { base: InstrDef; sources: readonly ExpandSource[] } | undefined {
  return plans.get(c);
}

// ---- Fast encoding ----------------------------------------------------------------------------------
// encode()'s field placement and range rules precompiled per row into integer arithmetic, with no
// allocation: the assembler encodes every instruction through it. It answers -1 when some operand is not
// encodable; encode() then gives the reason, so one place states what is valid (a test checks the two
// agree on every row).

/**
 * The values an operand field accepts, as encodeBits and compression's field checks (isa/compress.ts)
 * test them: the same operations for every field, so a rarely seen field (c.lui's immediate, an excluded
 * register) does not reach a branch first taken after V8 optimised the code and make it throw the code away.
 */
export interface ValueRange {
  /** Accepted values: lo..lo+span or lo2..lo2+span2 (span2 = -1: none; c.lui's immediate has two ranges). */
  lo: number;
  span: number;
  lo2: number;
  span2: number;
  /** Low bits that must be zero. */
  alignMask: number;
  /** A value refused (0 for a non-zero immediate), else NO_VALUE. */
  refused: number;
  /** Registers refused, one bit each (x0 for a non-zero register; c.lui's sp is c.addi16sp's). */
  refusedRegs: number;
}

/** One operand field of a row, ready for encodeBits (every field has the same properties: one V8 hidden class). */
interface CompiledField extends ValueRange {
  /** Subtracted before placing: 8 for x8..x15 register fields of compressed rows. */
  bias: number;
  /** Pieces as [instLo, mask, valLo] triples: bits (v >>> valLo) & mask go to instLo. */
  pieces: Int32Array;
}

/** Outside every field's range (the widest immediate has 21 bits). */
export const NO_VALUE = 0x7fffffff;

/** Compiled fields by row id (INSTRUCTIONS order): an array index, cheaper than a Map keyed by the row. */
const compiledById: (readonly CompiledField[] | undefined)[] = [];
/** Rows outside the table (`.insn`, id -1) by identity. */
const compiledOther = new Map<InstrDef, readonly CompiledField[]>();

function compile(def: InstrDef): readonly CompiledField[] {
  const out = def.fields.map((f): CompiledField => {
    const nonzero = def.nonzero.includes(f.name);
    const excluded = def.excluded?.[f.name] ?? [];
    if (f.kind === 'reg') {
      let refusedRegs = nonzero ? 1 : 0;
      for (const r of excluded) refusedRegs |= 1 << r;
      const min = f.prime ? 8 : 0;
      const pieces = Int32Array.of(f.lo, 2 ** (f.hi - f.lo + 1) - 1, 0);
      return { lo: min, span: f.prime ? 7 : 31, lo2: 0, span2: -1, alignMask: 0, refused: NO_VALUE, refusedRegs, bias: min, pieces };
    }
    if (excluded.length) throw new Error(`instruction table: ${def.name} excludes values of immediate ${f.name}`);
    const min = f.signed ? -(2 ** (f.bits - 1)) : 0;
    const max = (f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1) - (2 ** f.align - 1);
    const pieces = new Int32Array(f.pieces.length * 3);
    // A piece wider than 31 bits would need another mask; the table has none (widest immediate: 21 bits).
    f.pieces.forEach(([hi, lo, valLo], i) => pieces.set([lo, 2 ** (hi - lo + 1) - 1, valLo], i * 3));
    // c.lui: the 20-bit upper immediate, non-zero (1..31 or 0xfffe0..0xfffff), whose sign-extended low 6
    // bits the field holds (the pieces take them from the value as it is).
    if (f.upper20) return { lo: 1, span: 30, lo2: 0xfffe0, span2: 31, alignMask: 0, refused: NO_VALUE, refusedRegs: 0, bias: 0, pieces };
    return { lo: min, span: max - min, lo2: 0, span2: -1, alignMask: 2 ** f.align - 1, refused: nonzero ? 0 : NO_VALUE, refusedRegs: 0, bias: 0, pieces };
  });
  if (def.id >= 0) compiledById[def.id] = out;
  else compiledOther.set(def, out);
  return out;
}

/** The compiled fields of a row not compiled yet, or of one outside the table (kept out of encodeBits). */
function compiledFields(def: InstrDef): readonly CompiledField[] {
  return (def.id >= 0 ? undefined : compiledOther.get(def)) ?? compile(def);
}

/**
 * `bits`, an encoding of `def`, with field `index` set to `value` (the other fields as they are), or -1 if that
 * field refuses the value: what encodeBits gives for the values `bits` holds with that one changed, without
 * reading them out first (a fixup patching its field). Its checks are encodeBits' for one field, written out
 * again rather than shared: a helper called per field cost encodeBits about 1% more instructions (mostly run
 * before V8 optimises it; measured again at revision 991b662 with an `accepts(field, value)` helper for both:
 * +1.4% for `rvx asm` on the benchmark's 200,000-line file, +0.7% on QuickJS with -c, cachegrind).
 */
export function encodeFieldInto(def: InstrDef, bits: number, index: number, value: number): number {
  const id = def.id;
  let fields = id >= 0 ? compiledById[id] : undefined;
  if (fields === undefined) fields = compiledFields(def);
  const f = fields[index];
  let v = value;
  if ((v | 0) !== v) return -1;
  const inFirst = (v - f.lo) >>> 0 <= f.span;
  const inSecond = (v - f.lo2) >>> 0 <= f.span2;
  if (!inFirst && !inSecond) return -1;
  if (((f.refusedRegs >>> v) & 1) !== 0 || v === f.refused || (v & f.alignMask) !== 0) return -1;
  v -= f.bias;
  const p = f.pieces;
  for (let k = 0; k < p.length; k += 3) bits = (bits & ~(p[k + 1] << p[k])) | (((v >>> p[k + 2]) & p[k + 1]) << p[k]);
  return bits >>> 0;
}

/** The instruction bits for `values` (parallel to def.fields), or -1 if some operand is not encodable. */
export function encodeBits(def: InstrDef, values: readonly number[]): number {
  const id = def.id;
  let fields = id >= 0 ? compiledById[id] : undefined;
  if (fields === undefined) fields = compiledFields(def);
  let bits = def.match;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    let v = values[i];
    // Every range lies within int32: a value that `| 0` changes (a fraction, NaN, beyond 32 bits) is out.
    if ((v | 0) !== v) return -1;
    // Unsigned comparisons: one test per range (the second range is empty for all but c.lui).
    const inFirst = (v - f.lo) >>> 0 <= f.span;
    const inSecond = (v - f.lo2) >>> 0 <= f.span2;
    if (!inFirst && !inSecond) return -1;
    // A register refused by the row (its bit; immediates have none) or a refused immediate.
    if (((f.refusedRegs >>> v) & 1) !== 0 || v === f.refused || (v & f.alignMask) !== 0) return -1;
    // A negative value is placed in two's complement: its low bits are those of v itself.
    v -= f.bias;
    const p = f.pieces;
    for (let k = 0; k < p.length; k += 3) bits |= ((v >>> p[k + 2]) & p[k + 1]) << p[k];
  }
  return bits >>> 0;
}
