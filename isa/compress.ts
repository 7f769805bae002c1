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

import { expansionPlan } from './codec.js';
import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef } from './instructions.js';

interface Rule {
  c: InstrDef;
  /** For each base field: the C field it feeds, or -1 with the constant it must equal. */
  fromC: readonly number[];
  constant: readonly number[];
  /** Extra LLVM condition on the C operand values. */
  extra?: (cv: readonly number[]) => boolean;
  /** Per C field, what operandRangeError accepts (precomputed: tryRule runs for most instructions). */
  check: FieldCheck[];
}

/** The values a C operand field takes: operandRangeError(f, v) === null, plus the row's non-zero rule. */
interface FieldCheck {
  /** 0 register (min..max), 1 c.lui's upper immediate, 2 immediate (min..max, a multiple of step). */
  kind: number;
  min: number;
  max: number;
  step: number;
  nonzero: boolean;
}

function fieldChecks(c: InstrDef): FieldCheck[] {
  return c.fields.map((f): FieldCheck => {
    const nonzero = c.nonzero.includes(f.name);
    if (f.kind === 'reg') return { kind: 0, min: f.prime ? 8 : 0, max: f.prime ? 15 : 31, step: 1, nonzero };
    if (f.upper20) return { kind: 1, min: 0, max: 0, step: 1, nonzero };
    const min = f.signed ? -(2 ** (f.bits - 1)) : 0;
    const max = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
    return { kind: 2, min, max, step: 2 ** f.align, nonzero };
  });
}

/** operandRangeError(f, v) === null for the field `k` describes, without building its message. */
function fits(k: FieldCheck, v: number): boolean {
  if (!Number.isInteger(v)) return false;
  if (k.kind === 1) return (v >= 1 && v <= 31) || (v >= 0xfffe0 && v <= 0xfffff);
  if (v < k.min || v > k.max) return false;
  return k.step === 1 || v % k.step === 0;
}

/** LLVM's narrower register classes and non-zero immediates, by C row (values in C field order). */
const EXTRA: Record<string, (cv: readonly number[]) => boolean> = {
  'c.addi': (v) => v[0] !== 0 && v[1] !== 0,
  'c.li': (v) => v[0] !== 0,
  'c.lui': (v) => v[0] !== 0 && v[0] !== 2,
  'c.srli': (v) => v[1] !== 0,
  'c.srai': (v) => v[1] !== 0,
  'c.slli': (v) => v[0] !== 0 && v[1] !== 0,
  'c.mv': (v) => v[0] !== 0 && v[1] !== 0,
  'c.add': (v) => v[0] !== 0 && v[1] !== 0,
};

function planRule(c: InstrDef): { base: InstrDef; rule: Rule } | null {
  const plan = expansionPlan(c);
  if (!plan) return null;
  const fromC = plan.sources.map((s) => (s.from === 'field' ? s.index : -1));
  const constant = plan.sources.map((s) => (s.from === 'const' ? s.value : 0));
  return { base: plan.base, rule: { c, fromC, constant, extra: EXTRA[c.name], check: fieldChecks(c) } };
}

/**
 * A compress-only rule written as base operands in base-field order: a number is a constant, a string
 * names the C field (by position in the C row's fields: 'c0', 'c1') that base operand feeds.
 */
function extraRule(baseName: string, cName: string, spec: (number | string)[]): { base: InstrDef; rule: Rule } {
  const base = INSTRUCTION_BY_NAME.get(baseName)!;
  const c = INSTRUCTION_BY_NAME.get(cName)!;
  const fromC = spec.map((s) => (typeof s === 'string' ? Number(s.slice(1)) : -1));
  const constant = spec.map((s) => (typeof s === 'number' ? s : 0));
  return { base, rule: { c, fromC, constant, extra: EXTRA[cName], check: fieldChecks(c) } };
}

const RULES = new Map<InstrDef, Rule[]>();
function addRule(r: { base: InstrDef; rule: Rule } | null): void {
  if (!r) return;
  let list = RULES.get(r.base);
  if (!list) RULES.set(r.base, (list = []));
  list.push(r.rule);
}
// The plans first, in table order (c.addi before c.addi16sp, as LLVM tries them), then LLVM's
// compress-only patterns. Base fields: add/and/... (rd, rs1, rs2); addi (rd, rs1, imm12).
for (const d of INSTRUCTIONS) if (d.size === 2) addRule(planRule(d));
addRule(extraRule('addiw', 'c.li', ['c0', 0, 'c1']));
addRule(extraRule('add', 'c.mv', ['c0', 'c1', 0]));
addRule(extraRule('addi', 'c.mv', ['c0', 'c1', 0]));
addRule(extraRule('add', 'c.add', ['c0', 'c1', 'c0']));
addRule(extraRule('xor', 'c.xor', ['c0', 'c1', 'c0']));
addRule(extraRule('or', 'c.or', ['c0', 'c1', 'c0']));
addRule(extraRule('and', 'c.and', ['c0', 'c1', 'c0']));
addRule(extraRule('addw', 'c.addw', ['c0', 'c1', 'c0']));

/** C operand values under trial (tryRule), and which are set: no allocation for the rules that fail. */
const trial: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
const trialSet: boolean[] = [false, false, false, false, false, false, false, false];

function tryRule(rule: Rule, values: readonly number[]): number[] | null {
  const c = rule.c;
  const nc = c.fields.length;
  for (let k = 0; k < nc; k++) trialSet[k] = false;
  for (let i = 0; i < rule.fromC.length; i++) {
    const k = rule.fromC[i];
    if (k < 0) {
      if (values[i] !== rule.constant[i]) return null;
    } else if (!trialSet[k]) {
      trial[k] = values[i];
      trialSet[k] = true;
    } else if (trial[k] !== values[i]) return null;
  }
  for (let k = 0; k < nc; k++) {
    if (!trialSet[k]) return null;
    const v = trial[k];
    const chk = rule.check[k];
    if (!fits(chk, v)) return null;
    if (v === 0 && chk.nonzero) return null;
  }
  const cv = trial.slice(0, nc);
  if (rule.extra && !rule.extra(cv)) return null;
  return cv;
}

/**
 * The RV64C instruction LLVM emits for base instruction `def` with operand values parallel to def.fields,
 * or null when it stays 32-bit. c.lui takes the 20-bit upper immediate as lui does (0xfffe0..0xfffff for
 * negative values).
 */
export function compress(def: InstrDef, values: readonly number[]): { def: InstrDef; values: number[] } | null {
  const rules = RULES.get(def);
  if (!rules) return null;
  for (const rule of rules) {
    const cv = tryRule(rule, values);
    if (cv) return { def: rule.c, values: cv };
  }
  return null;
}
