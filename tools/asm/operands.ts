// Operand parsing: registers, CSRs, fence sets, rounding modes, immediates with %modifiers, memory
// operands, and the table-driven reading of a row's operands from its syntax slots (isa/instructions.ts).

import { csrByName } from '../../isa/csrs.js';
import type { InstrDef, SyntaxSlot } from '../../isa/instructions.js';
import type { OperandField } from '../../isa/operands.js';
import { fpRegisterNumber, ROUNDING_MODES } from '../../isa/registers.js';
import { AsmError, E_BIN, E_NUM, E_SYM, OP_ADD, isIdentChar, isIdentStart, symbolRef, type Expr, type Sym } from './expr.js';
import { FIX_ABS, FIX_HI, FIX_LO, FIX_PCREL, FIX_PCREL_HI, FIX_PCREL_LO, FIX_TPREL_HI, FIX_TPREL_LO, FIX_GOT_HI, FIX_TLS_IE_HI, FIX_TLS_GD_HI, FIX_NONE } from './section.js';
import { parseReg, regName, isSpace, skipWs, matchParen, matchParenBack, hi20, lo12 } from './lex.js';
import { UnitCore, type Pending } from './core.js';

/** Per table row: where each syntax slot's values go in def.fields. */
export interface SlotPlan {
  kind: number; // 0 field reg, 1 field imm, 2 fixed reg, 3 mem, 4 field f register
  field: number;
  f: OperandField | null;
  offField: number;
  off: OperandField | null;
  baseField: number;
  baseFixed: number;
}
const plans: SlotPlan[][] = [];
const insnPlans = new Map<InstrDef, SlotPlan[]>();
export function slotPlan(def: InstrDef): SlotPlan[] {
  const p = def.id >= 0 ? plans[def.id] : insnPlans.get(def);
  return p !== undefined ? p : buildSlotPlan(def);
}

/** The first use of a row: its plan, built and kept (out of line: V8 would otherwise compile this one-time
 * builder into every caller of the lookup). */
function buildSlotPlan(def: InstrDef): SlotPlan[] {
  const p = def.slots.map((s: SyntaxSlot): SlotPlan => {
    if (s.kind === 'field') {
      const kind = s.field.kind === 'reg' ? (s.field.file === 'f' ? 4 : 0) : 1;
      return { kind, field: def.fields.indexOf(s.field), f: s.field, offField: -1, off: null, baseField: -1, baseFixed: -1 };
    }
    if (s.kind === 'fixedReg') return { kind: 2, field: -1, f: null, offField: -1, off: null, baseField: -1, baseFixed: s.reg };
    return {
      kind: 3,
      field: -1,
      f: null,
      offField: s.offset ? def.fields.indexOf(s.offset) : -1,
      off: s.offset,
      baseField: typeof s.base === 'number' ? -1 : def.fields.indexOf(s.base),
      baseFixed: typeof s.base === 'number' ? s.base : -1,
    };
  });
  if (def.id >= 0) plans[def.id] = p;
  else insnPlans.set(def, p);
  return p;
}

/** Immediate fields that hold a pc-relative branch or jump offset. */
export const PCREL_FIELDS = new Set(['bimm13', 'jimm21', 'c_bimm9', 'c_jimm12']);

const MODIFIERS: Record<string, number> = {
  hi: FIX_HI, lo: FIX_LO, pcrel_hi: FIX_PCREL_HI, pcrel_lo: FIX_PCREL_LO, tprel_hi: FIX_TPREL_HI, tprel_lo: FIX_TPREL_LO,
  got_pcrel_hi: FIX_GOT_HI, tls_ie_pcrel_hi: FIX_TLS_IE_HI, tls_gd_pcrel_hi: FIX_TLS_GD_HI, tprel_add: FIX_NONE,
};
export const AUIPC_MODS = new Set([FIX_PCREL_HI, FIX_GOT_HI, FIX_TLS_IE_HI, FIX_TLS_GD_HI]);

export class OperandParser extends UnitCore {
  /** Register operand i. */
  reg(i: number): number {
    const s = this.s;
    const a = this.opS[i];
    const b = this.opE[i];
    const r = parseReg(s, a, b);
    if (r < 0) throw new AsmError(`expected a register, got '${s.slice(a, b)}'`, a);
    return r;
  }

  /** Register named by s[a, b) (trimmed). */
  regAt(a: number, b: number): number {
    const s = this.s;
    a = skipWs(s, a, b);
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    const r = parseReg(s, a, b);
    if (r < 0) throw new AsmError(`expected a register, got '${s.slice(a, b)}'`, a);
    return r;
  }

  /** Floating-point register operand i (f0..f31 or an ABI name). */
  freg(i: number): number {
    const text = this.s.slice(this.opS[i], this.opE[i]);
    const r = fpRegisterNumber(text);
    if (r === undefined) {
      const hint = parseReg(this.s, this.opS[i], this.opE[i]) >= 0 ? ' (an integer register where a floating-point register is expected)' : '';
      throw new AsmError(`expected a floating-point register, got '${text}'${hint}`, this.opS[i]);
    }
    return r;
  }

  isReg(i: number): boolean {
    const a = this.opS[i];
    const b = this.opE[i];
    return parseReg(this.s, a, b) >= 0;
  }

  /** Parse an expression over s[a, b) entirely. */
  expr(a: number, b: number): Expr {
    // The common operand, a bare symbol name (branch and call targets, %lo(sym), la's symbol): the node the
    // parser would make, without its six nested calls.
    const s = this.s;
    const c = a < b ? s.charCodeAt(a) : -1;
    if (isIdentStart(c) && (c !== 46 || b > a + 1)) {
      let q = a + 1;
      while (q < b && isIdentChar(s.charCodeAt(q))) q++;
      if (q === b) return symbolRef(this.symbol(s.slice(a, b)));
    }
    const p = this.parser;
    p.reset(this.s, a, b);
    const e = p.parse();
    p.skipWs();
    if (p.pos < b) throw new AsmError(`unexpected '${this.s.slice(p.pos, b)}' after expression`, p.pos);
    return e;
  }

  /**
   * s[a, b) when it is a plain decimal or hex number, optionally negative, of at most 12 characters (so
   * below 2^48 and exact), else NaN: what the expression parser would make of it, without a tree or BigInt.
   * A leading 0 other than 0x (GNU octal) is left to the parser.
   */
  plainInt(a: number, b: number): number {
    const s = this.s;
    const c0 = s.charCodeAt(a);
    if (b - a > 12 || !((c0 >= 48 && c0 <= 57) || c0 === 45)) return NaN;
    let k = c0 === 45 ? a + 1 : a;
    let n = 0;
    if (k >= b) return NaN;
    if (s.charCodeAt(k) === 48 && b - k > 1) {
      if ((s.charCodeAt(k + 1) | 0x20) !== 120 || b - k <= 2) return NaN;
      for (k += 2; k < b; k++) {
        const d = s.charCodeAt(k);
        const h = d >= 48 && d <= 57 ? d - 48 : (d | 0x20) >= 97 && (d | 0x20) <= 102 ? (d | 0x20) - 87 : -1;
        if (h < 0) return NaN;
        n = n * 16 + h;
      }
    } else {
      for (; k < b; k++) {
        const d = s.charCodeAt(k);
        if (d < 48 || d > 57) return NaN;
        n = n * 10 + (d - 48);
      }
    }
    // 0 - n, not -n: "-0" must give +0, or a field given it would hold a heap number (V8 then deprecates
    // the unit's map and every optimised function that reads it deoptimises).
    return c0 === 45 ? 0 - n : n;
  }

  /** The symbol plainSum last looked up, and its name (its key in `symbols`, which maps the name to that
   * symbol for the whole unit): a file repeats the same constant (`.equ STACK`), which is then found
   * without a slice of its name and a Map look-up. */
  sumSym: Sym | null = null;
  sumName = '';
  /** The last symbol value plainSum took, and it as a number (Number() of a BigInt allocates a heap number). */
  sumVal = 0n;
  sumNum = 0;

  /**
   * s[a, b) when it is two to 16 terms joined by + and -, each a decimal number of at most 12 digits
   * (without a leading 0, GNU's octal) or a symbol defined now as an absolute value below 2^48 in
   * magnitude (not weak), else NaN, and then the expression parser reads it (and reports what is wrong
   * with it). The parser folds such a sum to the same value: a
   * symbol of that kind stands for its value (expr.ts symbolOperand), + and - of equal precedence go left
   * to right, and a sum of at most 16 terms below 2^48 is exact in a number and never reaches the 64-bit wrap.
   * A lone symbol gives NaN before any look-up (branch targets: expr() takes those).
   */
  plainSum(a: number, b: number): number {
    const s = this.s;
    let sum = 0;
    let neg = false;
    let terms = 0;
    // One loop over the characters and the end (c = -1), in states: 0 before a term (blanks skipped), 1 in
    // a number, 2 in a name, 3 after a term. (Not a loop per token inside a loop over the terms: V8 peels
    // the outer loop of such nests, and their optimised code took several times as long and as much
    // memory to compile.) A name is looked up when an operator follows it or at the end, so a lone name
    // is never looked up.
    let state = 0;
    let start = a;
    let t = 0;
    /** The end of a name term not yet looked up (s[start, nameEnd)), or -1. */
    let nameEnd = -1;
    for (let p = a; p <= b; p++) {
      const c = p < b ? s.charCodeAt(p) : -1;
      if (state === 0) {
        // The blanks the parser skips (ExprParser.skipWs).
        if (c === 32 || c === 9 || c === 13) continue;
        start = p;
        if (c >= 48 && c <= 57) {
          t = c - 48;
          state = 1;
        } else if (isIdentStart(c)) state = 2;
        else return NaN;
        continue;
      }
      if (state === 1) {
        if (c >= 48 && c <= 57) {
          // At most 12 decimal digits (below 2^48), and no leading 0 (GNU octal) but 0 itself.
          if (p - start === 12 || t === 0) return NaN;
          t = t * 10 + (c - 48);
          continue;
        }
        // 0x10, 1f, 12u and the like: the parser's.
        if (isIdentChar(c)) return NaN;
        sum = neg ? sum - t : sum + t;
        terms++;
        state = 3;
      } else if (state === 2) {
        if (isIdentChar(c)) continue;
        // `.` alone is the location counter.
        if (p === start + 1 && s.charCodeAt(start) === 46) return NaN;
        nameEnd = p;
        terms++;
        state = 3;
      }
      if (c === 32 || c === 9 || c === 13) continue;
      if (c === -1) break;
      if ((c !== 43 && c !== 45) || terms === 16) return NaN;
      if (nameEnd >= 0) {
        const v = this.sumValue(start, nameEnd);
        if (v !== v) return NaN;
        sum = neg ? sum - v : sum + v;
        nameEnd = -1;
      }
      neg = c === 45;
      state = 0;
    }
    if (terms < 2) return NaN;
    if (nameEnd >= 0) {
      const v = this.sumValue(start, nameEnd);
      if (v !== v) return NaN;
      sum = neg ? sum - v : sum + v;
    }
    return sum;
  }

  /** The value of the symbol named s[p, q) as a term of plainSum, or NaN (see there). */
  sumValue(p: number, q: number): number {
    let sym = this.sumSym;
    const name = this.sumName;
    if (sym === null || name.length !== q - p || !this.s.startsWith(name, p)) {
      sym = this.sumLookup(p, q);
      if (sym === null) return NaN;
    }
    if (sym.kind !== 2 || sym.weak) return NaN;
    const v = sym.value;
    return v === this.sumVal ? this.sumNum : this.sumTerm(v);
  }

  /** The symbol named s[p, q) if there is one, kept in sumSym/sumName. (Its own method: plainSum rarely
   * needs it, and V8 then leaves its Map look-up out of plainSum's optimised code.) */
  sumLookup(p: number, q: number): Sym | null {
    const sym = this.symbols.get(this.s.slice(p, q));
    if (sym === undefined) return null;
    this.sumSym = sym;
    // Its own name, equal to the key (core.ts symbol()): the key may be a view of the whole source piece.
    this.sumName = sym.name;
    return sym;
  }

  /** A symbol's value `v` as plainSum's term (NaN: not below 2^48 in magnitude), kept in sumVal/sumNum. */
  sumTerm(v: bigint): number {
    if (v <= SUM_TERM_MIN || v >= SUM_TERM_LIMIT) return NaN;
    const t = Number(v);
    // Kept only as a small integer: a heap number in a field of the unit would deprecate its map (see constNum).
    if (v >= -0x80000000n && v <= 0x7fffffffn) {
      this.sumVal = v;
      this.sumNum = t;
    }
    return t;
  }

  /**
   * Value of s[a, b): an optional %modifier(expr) or an expression. Sets constVal (returns true) when the
   * value is a constant now without a modifier; otherwise valExpr and valMod (-1 without a modifier).
   */
  parseValue(a: number, b: number): boolean {
    const s = this.s;
    const c0 = s.charCodeAt(a);
    // Fast path: a plain decimal or hex number, optionally negative, with no BigInt and no expression tree.
    const plain = this.plainInt(a, b);
    if (plain === plain) {
      if (plain >= -0x80000000 && plain <= 0x7fffffff) {
        this.constNum = plain;
        this.constWide = false;
        this.constIsBig = false;
      } else this.constVal = BigInt(plain); // at most 12 characters: below 2^48, exact as a number
      this.valMod = -1;
      return true;
    }
    this.valMod = -1;
    if (c0 === 37) {
      let q = a + 1;
      while (q < b && isIdentChar(s.charCodeAt(q))) q++;
      const name = s.slice(a + 1, q).toLowerCase();
      const mod = MODIFIERS[name];
      if (mod === FIX_NONE) throw new AsmError(`%${name} is only valid as the fourth operand of add`, a);
      if (mod === undefined) throw new AsmError(`unknown relocation modifier '%${name}'`, a);
      const r = skipWs(s, q, b);
      if (r >= b || s.charCodeAt(r) !== 40) throw new AsmError(`expected '(' after '%${name}'`, r);
      const close = matchParen(s, r, b);
      if (close < 0) throw new AsmError(`expected ')' after '%${name}(...'`, r);
      const tail = skipWs(s, close + 1, b);
      this.valExpr = this.expr(r + 1, close);
      if (tail < b) {
        // `%lo(sym)+4` is `%lo(sym+4)`, as GNU as reads it (the addend joins the relocation's).
        const t = s.charCodeAt(tail);
        if (t !== 43 && t !== 45) throw new AsmError(`unexpected text after '%${name}(...)'`, close + 1);
        this.valExpr = { t: E_BIN, op: OP_ADD, a: this.valExpr, b: this.expr(tail, b) };
      }
      this.valMod = mod;
      const v = mod === FIX_HI || mod === FIX_LO ? this.evalNow(this.valExpr) : null;
      if (v !== null) {
        this.constVal = mod === FIX_HI ? BigInt(hi20(v)) : BigInt(lo12(v));
        this.valExpr = null;
        this.valMod = mod === FIX_HI ? -2 : -3;
        return true;
      }
      return false;
    }
    // A sum of plain numbers and absolute symbols (`STACK - 4096 + 9`): its value without expression
    // nodes or BigInt steps.
    const sum = this.plainSum(a, b);
    if (sum === sum) {
      if (sum >= -0x80000000 && sum <= 0x7fffffff) {
        this.constNum = sum;
        this.constWide = false;
        this.constIsBig = false;
      } else this.constVal = BigInt(sum);
      return true;
    }
    this.valExpr = this.expr(a, b);
    const v = this.evalNow(this.valExpr);
    if (v !== null) {
      this.constVal = v;
      return true;
    }
    return false;
  }

  /** The CSR name csr() last found (as written; '' at first), and its number: code names the same few CSRs
   * again and again (`csrr a0, mstatus`), found again without a slice of the name and a look-up. */
  csrName = '';
  csrNum = 0;

  /** CSR operand i: a name or a number. */
  csr(i: number): number {
    this.privUsed = true;
    const a = this.opS[i];
    const b = this.opE[i];
    const last = this.csrName;
    if (last.length === b - a && last.length !== 0 && this.s.startsWith(last, a)) return this.csrNum;
    const text = this.s.slice(a, b);
    const c = csrByName(text);
    if (c) {
      // Kept when it is a copy (below 13 characters, see core.ts symbol()), not a view of the source text.
      if (text.length < 13) {
        this.csrName = text;
        this.csrNum = c.number;
      }
      return c.number;
    }
    if (isIdentStart(text.charCodeAt(0)) && !this.symbols.has(text)) {
      throw new AsmError(`unknown CSR '${text}' (operand must be a valid system register name or an integer in the range [0, 4095])`, a);
    }
    if (!this.parseValue(a, b)) throw new AsmError('operand must be a valid system register name or an integer in the range [0, 4095]', a);
    const v = this.constVal;
    if (v < 0n || v > 4095n) throw new AsmError('operand must be a valid system register name or an integer in the range [0, 4095]', a);
    return Number(v);
  }

  /** Fence set: letters from "iorw" in that order, or 0. */
  fenceSet(i: number): number {
    const a = this.opS[i];
    const text = this.s.slice(a, this.opE[i]).toLowerCase();
    if (text === '0') return 0;
    let v = 0;
    let last = -1;
    for (const ch of text) {
      const k = 'iorw'.indexOf(ch);
      if (k < 0 || k <= last) throw new AsmError("operand must be formed of letters selected in-order from 'iorw'", a);
      last = k;
      v |= 8 >> k;
    }
    return v;
  }

  /**
   * Parse operands for a table row into `values` (parallel to def.fields) and `pend`. Returns false when
   * a memory operand has no base register (the caller may treat it as a symbol access).
   */
  parseRowOperands(def: InstrDef, values: number[], pend: Pending[]): boolean {
    const plan = slotPlan(def);
    const n = this.nops;
    // The rounding mode is optional (dyn when left out), as in GNU as and llvm-mc.
    const rmDefault = n === plan.length - 1 && plan[n].f?.kind === 'imm' && plan[n].f.print === 'rm';
    if (rmDefault) values[plan[n].field] = 7;
    if (n < plan.length && !rmDefault) throw new AsmError(`too few operands for instruction '${def.name}' (expected: ${def.name} ${def.syntax})`, this.mnemonicPos);
    if (n > plan.length) throw new AsmError(`too many operands for instruction '${def.name}' (expected: ${def.name}${def.syntax ? ' ' + def.syntax : ''})`, this.opS[plan.length]);
    for (let i = 0; i < (rmDefault ? n : plan.length); i++) {
      const sp = plan[i];
      if (sp.kind === 0) values[sp.field] = this.reg(i);
      else if (sp.kind === 4) values[sp.field] = this.freg(i);
      else if (sp.kind === 2) {
        const r = this.reg(i);
        if (r !== sp.baseFixed) throw new AsmError(`register must be ${regName(sp.baseFixed)}`, this.opS[i]);
      } else if (sp.kind === 1) this.immOperand(def, sp.f!, sp.field, i, values, pend);
      else {
        const a = this.opS[i];
        const b = this.opE[i];
        const s = this.s;
        if (s.charCodeAt(b - 1) !== 41) return false;
        const open = matchParenBack(s, a, b - 1);
        if (open < 0) throw new AsmError("unbalanced parentheses in memory operand", a);
        const ra = skipWs(s, open + 1, b - 1);
        let rb = b - 1;
        while (rb > ra && isSpace(s.charCodeAt(rb - 1))) rb--;
        const base = parseReg(s, ra, rb);
        if (base < 0) {
          if (open === a) return false;
          throw new AsmError(`expected a base register in '(${s.slice(ra, rb)})'`, ra);
        }
        if (sp.baseFixed >= 0) {
          if (base !== sp.baseFixed) throw new AsmError(`base register must be ${regName(sp.baseFixed)}`, ra);
        } else values[sp.baseField] = base;
        let ob = open;
        while (ob > a && isSpace(s.charCodeAt(ob - 1))) ob--;
        if (sp.off === null) {
          if (ob > a) {
            if (!this.parseValue(a, ob) || this.constVal !== 0n) throw new AsmError('optional integer offset must be 0', a);
          }
        } else if (ob === a) values[sp.offField] = 0;
        else {
          const saveE = this.opE[i];
          this.opE[i] = ob;
          this.immOperand(def, sp.off, sp.offField, i, values, pend);
          this.opE[i] = saveE;
        }
      }
    }
    return true;
  }

  /** An immediate operand i for field f (index fi). */
  immOperand(def: InstrDef, f: OperandField, fi: number, i: number, values: number[], pend: Pending[]): void {
    if (f.kind !== 'imm') return;
    const a = this.opS[i];
    const b = this.opE[i];
    if (f.name === 'csr') {
      values[fi] = this.csr(i);
      return;
    }
    if (f.print === 'fence') {
      values[fi] = this.fenceSet(i);
      return;
    }
    if (f.print === 'rm') {
      const k = ROUNDING_MODES.indexOf(this.s.slice(a, b).trim().toLowerCase());
      if (k < 0 || ROUNDING_MODES[k] === '') throw new AsmError(`expected a rounding mode (rne, rtz, rdn, rup, rmm, dyn), got '${this.s.slice(a, b)}'`, a);
      values[fi] = k;
      return;
    }
    if (PCREL_FIELDS.has(f.name)) {
      if (this.s.charCodeAt(a) === 37) throw new AsmError('relocation modifiers are not allowed on a branch target', a);
      if (this.parseValue(a, b)) {
        values[fi] = this.constNum;
        return;
      }
      values[fi] = 0;
      this.pushPending(pend, fi, FIX_PCREL, this.valExpr!, i);
      return;
    }
    if (this.parseValue(a, b)) {
      if (this.valMod === -2 && f.name !== 'uimm20') throw new AsmError(`%hi is only valid for lui (operand must be ${describeField(f)})`, a);
      if (this.valMod === -3 && f.name !== 'imm12' && f.name !== 'simm12') throw new AsmError(`%lo is only valid for 12-bit immediates`, a);
      // %hi/%lo of a constant are plain constants (and compress like them, as in llvm-mc).
      values[fi] = this.constNum;
      return;
    }
    const mod = this.valMod;
    const e = this.valExpr!;
    values[fi] = 0;
    if (mod >= 0) {
      const isHi = mod === FIX_HI || mod === FIX_TPREL_HI || AUIPC_MODS.has(mod);
      if (isHi && f.name !== 'uimm20') throw new AsmError(`%${modName(mod)} is only valid for lui/auipc (operand must be ${describeField(f)})`, a);
      if (!isHi && f.name !== 'imm12' && f.name !== 'simm12') throw new AsmError(`%${modName(mod)} is only valid for 12-bit immediates`, a);
      if (AUIPC_MODS.has(mod) && def.name !== 'auipc') throw new AsmError(`%${modName(mod)} is only valid for auipc`, a);
      if ((mod === FIX_HI || mod === FIX_TPREL_HI) && def.name !== 'lui') throw new AsmError(`%${modName(mod)} is only valid for lui`, a);
      this.pushPending(pend, fi, mod, e, i);
      return;
    }
    if (isBareAddress(e)) {
      if (f.name === 'uimm20') throw new AsmError(`operand must be a symbol with a %hi/%pcrel_hi modifier or an integer in the range [0, 1048575]`, a);
      if (f.name === 'imm12' || f.name === 'simm12') throw new AsmError('operand must be a symbol with a %lo/%pcrel_lo modifier or an integer in the range [-2048, 2047]', a);
      throw new AsmError(`operand must be a constant (${describeField(f)})`, a);
    }
    this.pushPending(pend, fi, FIX_ABS, e, i);
  }

  /**
   * Records for immOperand's pending operands, reused in turn rather than one object per symbolic operand
   * (every branch, jump and %lo target): each is read only by the emit() of its own statement, which copies
   * what it keeps (FixupRecord, RelaxTable), and no statement has more than a few, far fewer than the ring.
   */
  readonly pendRing: Pending[] = newPendRing();
  pendNext = 0;

  pushPending(pend: Pending[], field: number, kind: number, expr: Expr, operand: number): void {
    const k = this.pendNext;
    this.pendNext = (k + 1) & (PEND_RING - 1);
    const p = this.pendRing[k];
    p.field = field;
    p.kind = kind;
    p.expr = expr;
    p.pcAdjust = 0;
    p.operand = operand;
    pend.push(p);
  }

  /** Operand i as a constant known now. */
  absolute(i: number, what: string): bigint {
    const e = this.expr(this.opS[i], this.opE[i]);
    const v = this.evalNow(e);
    if (v === null) throw new AsmError(`${what} must be an absolute expression known at this point`, this.opS[i]);
    return v;
  }
}

/** plainSum's bound on a term's magnitude (exclusive): 12 decimal digits stay below it. */
const SUM_TERM_LIMIT = 1n << 48n;
const SUM_TERM_MIN = -SUM_TERM_LIMIT;

/** The size of OperandParser.pendRing (a power of two). */
const PEND_RING = 8;
const NO_EXPR: Expr = { t: E_NUM, v: 0n };

function newPendRing(): Pending[] {
  const r: Pending[] = [];
  for (let k = 0; k < PEND_RING; k++) r.push({ field: 0, kind: 0, expr: NO_EXPR, pcAdjust: 0, operand: 0 });
  return r;
}

function modName(mod: number): string {
  for (const [k, v] of Object.entries(MODIFIERS)) if (v === mod) return k;
  return '?';
}

function describeField(f: OperandField): string {
  if (f.kind !== 'imm') return 'a register';
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
  return `an integer in the range [${lo}, ${hi}]`;
}

/** A plain address (label, or label ± constant): not valid where a constant or %lo/%hi is required. */
function isBareAddress(e: Expr): boolean {
  if (e.t === E_SYM) return e.kind !== 2 && e.kind !== 3;
  if (e.t === 3 && (e.op === 10 || e.op === 11)) {
    if (e.op === 10 && e.b.t === E_SYM && e.a.t === E_NUM) return isBareAddress(e.b);
    if (e.b.t === E_NUM) return isBareAddress(e.a);
  }
  return false;
}
