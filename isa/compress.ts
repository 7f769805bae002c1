// Compression of base instructions into RV64C ones, choosing exactly what LLVM's assembler chooses
// (llvm-mc 14 with +c: the CompressPat rules of RISCVInstrInfoC.td, tried in order).
//
// Most rules are the table's own `expandsTo` plans read backwards: a base instruction compresses to a C row
// when every constant of the plan matches, fields the plan uses twice (rd = rs1) hold equal values, and each
// value fits the C row's operand. On top of that LLVM adds:
//  - register classes narrower than the C encoding allows (rd != x0 where the spec calls rd = x0 a HINT,
//    and rd != sp for c.lui), and non-zero immediates where a zero immediate is a HINT (c.addi, c.slli,
//    c.srli, c.srai). LLVM never produces HINT encodings;
//  - compress-only patterns: `addi rd, rs, 0` and `add rd, rs, x0` become c.mv, `addiw rd, x0, imm`
//    becomes c.li (the result is the same: imm is sign-extended either way), commuted
//    `add/and/or/xor/addw rd, rs2, rd` become the two-operand form.

import { encodeBits, expansionPlan, NO_VALUE, type ValueRange } from './codec.js';
import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef } from './instructions.js';

interface Rule {
  c: InstrDef;
  /** For each base field: the C field it feeds, or -1 with the constant it must equal. */
  fromC: readonly number[];
  constant: readonly number[];
  /** Per C field, the values it accepts (precomputed: tryRule runs for most instructions). */
  check: readonly FieldCheck[];
}

/**
 * The values a C operand field takes: what operandRangeError accepts, less the row's non-zero rule and
 * LLVM's narrower classes; tryRule tests them as encodeBits does (isa/codec.ts ValueRange).
 */
type FieldCheck = ValueRange;

/**
 * LLVM's narrower register classes and non-zero immediates, by C row: for each C field (in C field order)
 * the values it may not take (registers by number; 0 for an immediate is its non-zero rule).
 */
const EXTRA: Record<string, readonly (readonly number[])[]> = {
  'c.addi': [[0], [0]],
  'c.li': [[0], []],
  'c.lui': [[0, 2], []],
  'c.srli': [[], [0]],
  'c.srai': [[], [0]],
  'c.slli': [[0], [0]],
  'c.mv': [[0], [0]],
  'c.add': [[0], [0]],
};

function fieldChecks(c: InstrDef): FieldCheck[] {
  const extra = EXTRA[c.name];
  return c.fields.map((f, k): FieldCheck => {
    const nonzero = c.nonzero.includes(f.name);
    const refusedExtra = extra ? extra[k] : [];
    if (f.kind === 'reg') {
      let refusedRegs = nonzero ? 1 : 0;
      for (const r of refusedExtra) refusedRegs |= 1 << r;
      const lo = f.prime ? 8 : 0;
      return { lo, span: f.prime ? 7 : 31, lo2: 0, span2: -1, alignMask: 0, refused: NO_VALUE, refusedRegs };
    }
    if (refusedExtra.some((v) => v !== 0)) throw new Error(`compress: ${c.name} refuses a non-zero immediate`);
    const refused = nonzero || refusedExtra.length > 0 ? 0 : NO_VALUE;
    if (f.upper20) return { lo: 1, span: 30, lo2: 0xfffe0, span2: 31, alignMask: 0, refused, refusedRegs: 0 };
    const min = f.signed ? -(2 ** (f.bits - 1)) : 0;
    const max = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
    return { lo: min, span: max - min, lo2: 0, span2: -1, alignMask: 2 ** f.align - 1, refused, refusedRegs: 0 };
  });
}

/** Whether C field `k` accepts v (operandRangeError(f, v) === null and the row's and LLVM's rules). */
function fits(k: FieldCheck, v: number): boolean {
  // Every range lies within int32: a value that `| 0` changes (a fraction, NaN, beyond 32 bits) is out.
  if ((v | 0) !== v) return false;
  const inFirst = (v - k.lo) >>> 0 <= k.span;
  const inSecond = (v - k.lo2) >>> 0 <= k.span2;
  if (!inFirst && !inSecond) return false;
  return ((k.refusedRegs >>> v) & 1) === 0 && v !== k.refused && (v & k.alignMask) === 0;
}

/** The rule of C row `c`, whose plan expands it to `plan.base`: the plan read backwards. */
function planRule(c: InstrDef, plan: { base: InstrDef; sources: readonly ({ from: 'field'; index: number } | { from: 'const'; value: number })[] }): Rule {
  const fromC = plan.sources.map((s) => (s.from === 'field' ? s.index : -1));
  const constant = plan.sources.map((s) => (s.from === 'const' ? s.value : 0));
  return { c, fromC, constant, check: fieldChecks(c) };
}

/**
 * A compress-only rule written as base operands in base-field order: a number is a constant, a string
 * names the C field (by position in the C row's fields: 'c0', 'c1') that base operand feeds.
 */
function extraRule(cName: string, spec: readonly (number | string)[]): Rule {
  const c = INSTRUCTION_BY_NAME.get(cName)!;
  const fromC = spec.map((s) => (typeof s === 'string' ? Number(s.slice(1)) : -1));
  const constant = spec.map((s) => (typeof s === 'number' ? s : 0));
  return { c, fromC, constant, check: fieldChecks(c) };
}

/** LLVM's compress-only patterns: base row, C row, base operands. Base fields: add/and/... (rd, rs1, rs2); addi (rd, rs1, imm12). */
const EXTRA_RULES: [base: string, c: string, spec: (number | string)[]][] = [
  ['addiw', 'c.li', ['c0', 0, 'c1']],
  ['add', 'c.mv', ['c0', 'c1', 0]],
  ['addi', 'c.mv', ['c0', 'c1', 0]],
  ['add', 'c.add', ['c0', 'c1', 'c0']],
  ['xor', 'c.xor', ['c0', 'c1', 'c0']],
  ['or', 'c.or', ['c0', 'c1', 'c0']],
  ['and', 'c.and', ['c0', 'c1', 'c0']],
  ['addw', 'c.addw', ['c0', 'c1', 'c0']],
];

/**
 * The rules of each base row, by row id (an array index: cheaper than a Map keyed by the row); null for a
 * row with none. Made on the row's first compress(): a file uses a few base rows, and building every rule
 * at load was about 60 KB of young-generation objects at each start.
 */
const RULES: (Rule[] | null | undefined)[] = [];

/**
 * The rules of base row `def`, in the order LLVM tries them: the plans first, in table order (c.addi before
 * c.addi16sp), then LLVM's compress-only patterns in EXTRA_RULES order.
 */
function rulesOf(def: InstrDef): Rule[] | null {
  const list: Rule[] = [];
  for (let i = 0; i < INSTRUCTIONS.length; i++) {
    const c = INSTRUCTIONS[i];
    if (c.size !== 2) continue;
    const plan = expansionPlan(c);
    if (plan !== undefined && plan.base === def) list.push(planRule(c, plan));
  }
  for (let i = 0; i < EXTRA_RULES.length; i++) {
    const x = EXTRA_RULES[i];
    if (x[0] === def.name) list.push(extraRule(x[1], x[2]));
  }
  const rules = list.length > 0 ? list : null;
  RULES[def.id] = rules;
  return rules;
}

/** C operand values under trial (tryRule), and which are set: no allocation for the rules that fail. */
const trial: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
const trialSet: boolean[] = [false, false, false, false, false, false, false, false];

/** Whether `rule` compresses base operands `values`; its C operands are then trial[0 .. fields). */
function tryRule(rule: Rule, values: readonly number[]): boolean {
  const nc = rule.check.length;
  for (let k = 0; k < nc; k++) trialSet[k] = false;
  const fromC = rule.fromC;
  for (let i = 0; i < fromC.length; i++) {
    const k = fromC[i];
    if (k < 0) {
      if (values[i] !== rule.constant[i]) return false;
    } else if (!trialSet[k]) {
      trial[k] = values[i];
      trialSet[k] = true;
    } else if (trial[k] !== values[i]) return false;
  }
  for (let k = 0; k < nc; k++) if (!trialSet[k] || !fits(rule.check[k], trial[k])) return false;
  return true;
}

/** The first of def's rules that compresses `values` (its operands then in `trial`), or null. */
function matchingRule(def: InstrDef, values: readonly number[]): Rule | null {
  if (def.id < 0 || INSTRUCTIONS[def.id] !== def) return null;
  let rules = RULES[def.id];
  if (rules === undefined) rules = rulesOf(def);
  if (rules === null) return null;
  for (let r = 0; r < rules.length; r++) if (tryRule(rules[r], values)) return rules[r];
  return null;
}

/**
 * The RV64C instruction LLVM emits for base instruction `def` with operand values parallel to def.fields,
 * or null when it stays 32-bit. c.lui takes the 20-bit upper immediate as lui does (0xfffe0..0xfffff for
 * negative values).
 */
export function compress(def: InstrDef, values: readonly number[]): { def: InstrDef; values: number[] } | null {
  const rule = matchingRule(def, values);
  return rule === null ? null : { def: rule.c, values: trial.slice(0, rule.check.length) };
}

/**
 * encodeBits() of the instruction compress(def, values) gives (-1: none), without compress()'s answer
 * object and values array: the assembler encodes each compressed instruction at once and keeps neither.
 */
export function compressedEncoding(def: InstrDef, values: readonly number[]): number {
  const rule = matchingRule(def, values);
  // trial[0 .. rule.check.length) are the C row's operands, one per field of rule.c (fieldChecks), all that
  // encodeBits reads of it.
  return rule === null ? -1 : encodeBits(rule.c, trial);
}
