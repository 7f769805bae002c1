// Expressions of GNU as: numbers, character literals, symbols, `.`, unary - ~ ! +, and the binary
// operators with LLVM's GNU-mode precedence (which is GNU as's):
//   || (1) < && (2) < comparisons (3) < + - (4) < | ^ & (5) < * / % << >> (6).
// Values are 64-bit two's complement; comparisons yield -1 for true as GNU as does; >> is logical.
// The parser works on a [pos, end) range of a source string with no token array, so the assembler's
// hot path allocates nothing for plain numbers beyond the result node.

import type { InputSection } from './section.js';

/**
 * The fields of a symbol that most symbols leave at their defaults: a label has no value, expression,
 * size, type or weak binding of its own. A record of their own, made when one is first set (see Sym).
 */
export class SymRare {
  value: bigint = 0n;
  expr: Expr | null = null;
  size: Expr | null = null;
  type: 'notype' | 'func' | 'object' = 'notype';
  weak = false;
  evaluating = false;
  /** The column of the definition when it does not fit in Sym.bits (see Sym.defCol). */
  defCol = 0;
  /** The address the link set (see Sym.address). */
  address = 0n;
}

// Sym.bits: global, temp, whether the link set the address, and the definition's column above them. (A
// loop over every symbol, which runs unoptimised at first, may test the two flags in bits itself rather
// than call the accessors.)
export const SYM_GLOBAL = 1;
export const SYM_TEMP = 2;
const GLOBAL_BIT = SYM_GLOBAL;
const TEMP_BIT = SYM_TEMP;
/** Set when the link has set `address` (else a label's is computed from its section and fragment). */
const ADDRESS_BIT = 4;
const COL_SHIFT = 3;
/** The largest column kept in bits (which stays a small integer, not a heap number); larger ones live in SymRare. */
const COL_MAX = (1 << 28) - 2;
/** The column field's value for a column kept in SymRare. */
const COL_RARE = COL_MAX + 1;

/** Section addresses below this are exact as numbers, and so is one plus any offset in the section. */
const NUM_ADDR_LIMIT = 1n << 52n;

/**
 * A symbol of one assembly unit (a top-level input file and what it includes). A large file has tens of
 * thousands (one per label), each kept for the whole run and so copied twice by V8's scavenger before it
 * lands in a fresh old-space page, every field 8 bytes: the rarely set fields live in a SymRare made on
 * first use (read and written through the accessors below), and the global and temp flags and the
 * definition's column share one small-integer field (bits), and a label's address is computed when read,
 * which leaves a label 9 fields. (The kind stays a field of its own: it is read on hot paths, where a
 * getter is a call until V8 optimises the caller.)
 */
export class Sym {
  declare name: string;
  /** 0 undefined, 1 label, 2 absolute constant (value), 3 expression (expr, evaluated after layout). */
  declare kind: number;
  /** global | temp << 1 | (the link set the address) << 2 | defCol << 3 (through the accessors below). */
  declare bits: number;
  declare section: InputSection | null;
  /** The fragment's number in `section` (-1: none). */
  declare frag: number;
  /** Offset of a label inside its fragment. */
  declare offset: number;
  /** Where the symbol was defined (null: nowhere yet): the file and expansion note shared with the other
   * records of those lines, a line and a column (defCol), not a Loc object of its own per label (see defLocOf). */
  declare defCtx: LocCtx | null;
  declare defLine: number;
  /** The rare fields (null: all at their defaults, which a loop over every symbol can test before the accessors). */
  declare rare: SymRare | null;
  /** A `.comm` definition: merged with other commons (largest size and alignment), overridden by a strong one. */
  declare common?: boolean;
  /** In an object (-c), a global `.comm` symbol stays undefined here (kind 0) and is written SHN_COMMON with
   * this alignment as its value. */
  declare commonAlign?: number;
  /** Set by the linker on a definition that another unit's definition overrides (a weak or common one). */
  declare overriddenBy?: Sym | null;

  // Fields assigned here in one order (one hidden class for all symbols), not as class field initialisers,
  // which V8 runs as define-own-property operations, slower than plain stores before it optimises.
  constructor(name: string, temp: boolean) {
    this.name = name;
    this.kind = 0;
    this.bits = temp ? TEMP_BIT : 0;
    this.section = null;
    this.frag = -1;
    this.offset = 0;
    this.defCtx = null;
    this.defLine = 0;
    this.rare = null;
  }

  /** A symbol is its own expression node (E_SYM; `t` lives on the prototype, see below): one object per
   * symbol rather than a `{ t, sym }` node kept as long as the unit for every symbol referenced. Code that
   * has found `e.t === E_SYM` uses `e` as the symbol. */
  declare readonly t: typeof E_SYM;
  /** The symbol itself (what `{ t, sym }` nodes had; the object writer's target() still reads it, which
   * measured fewer instructions on gcc output than the same test of `e` itself). */
  get sym(): Sym {
    return this;
  }

  get global(): boolean {
    return (this.bits & GLOBAL_BIT) !== 0;
  }
  set global(g: boolean) {
    this.bits = g ? this.bits | GLOBAL_BIT : this.bits & ~GLOBAL_BIT;
  }
  /** Not written to the ELF symbol table (.L, numeric and `.` labels). */
  get temp(): boolean {
    return (this.bits & TEMP_BIT) !== 0;
  }
  set temp(t: boolean) {
    this.bits = t ? this.bits | TEMP_BIT : this.bits & ~TEMP_BIT;
  }
  get defCol(): number {
    const c = this.bits >>> COL_SHIFT;
    return c === COL_RARE ? this.rare!.defCol : c;
  }
  set defCol(col: number) {
    let c = col;
    if (c < 0 || c > COL_MAX) {
      this.more().defCol = col;
      c = COL_RARE;
    }
    this.bits = (this.bits & ((1 << COL_SHIFT) - 1)) | (c << COL_SHIFT);
  }

  /**
   * Address after linking (labels) or value (constants). A label's is where the link placed its section
   * and fragment, computed when read (after the link) rather than kept as a BigInt per label; the link
   * sets the others (constants, expressions, overridden definitions), kept in SymRare unless 0.
   */
  get address(): bigint {
    if ((this.bits & ADDRESS_BIT) !== 0) {
      const r = this.rare;
      return r === null ? 0n : r.address;
    }
    if (this.kind !== 1 || this.section === null || this.frag < 0) return 0n;
    const base = this.section.addr;
    const off = this.section.fOff[this.frag] + this.offset;
    // (One BigInt, not two, where the sum is exact as a number.)
    return base < NUM_ADDR_LIMIT ? BigInt(Number(base) + off) : base + BigInt(off);
  }
  set address(v: bigint) {
    this.bits |= ADDRESS_BIT;
    if (this.rare !== null || v !== 0n) this.more().address = v;
  }

  /** The rare fields' record, made on first use. */
  private more(): SymRare {
    let r = this.rare;
    if (r === null) this.rare = r = new SymRare();
    return r;
  }

  get value(): bigint {
    const r = this.rare;
    return r === null ? 0n : r.value;
  }
  set value(v: bigint) {
    if (this.rare !== null || v !== 0n) this.more().value = v;
  }
  get expr(): Expr | null {
    const r = this.rare;
    return r === null ? null : r.expr;
  }
  set expr(e: Expr | null) {
    if (this.rare !== null || e !== null) this.more().expr = e;
  }
  get size(): Expr | null {
    const r = this.rare;
    return r === null ? null : r.size;
  }
  set size(e: Expr | null) {
    if (this.rare !== null || e !== null) this.more().size = e;
  }
  get type(): 'notype' | 'func' | 'object' {
    const r = this.rare;
    return r === null ? 'notype' : r.type;
  }
  set type(t: 'notype' | 'func' | 'object') {
    if (this.rare !== null || t !== 'notype') this.more().type = t;
  }
  get weak(): boolean {
    const r = this.rare;
    return r === null ? false : r.weak;
  }
  set weak(w: boolean) {
    if (this.rare !== null || w) this.more().weak = w;
  }
  /** Guards recursive evaluation of expression symbols. */
  get evaluating(): boolean {
    const r = this.rare;
    return r === null ? false : r.evaluating;
  }
  set evaluating(b: boolean) {
    if (this.rare !== null || b) this.more().evaluating = b;
  }

  /** A copy of this symbol's fields under another name (the rare ones in a record of the copy's own). */
  copyAs(name: string): Sym {
    const g = new Sym(name, false);
    g.kind = this.kind;
    g.bits = this.bits;
    g.section = this.section;
    g.frag = this.frag;
    g.offset = this.offset;
    g.defCtx = this.defCtx;
    g.defLine = this.defLine;
    const r = this.rare;
    if (r !== null) {
      const c = g.more();
      c.value = r.value;
      c.expr = r.expr;
      c.size = r.size;
      c.type = r.type;
      c.weak = r.weak;
      c.evaluating = r.evaluating;
      c.defCol = r.defCol;
      c.address = r.address;
    }
    if (this.common !== undefined) g.common = this.common;
    if (this.commonAlign !== undefined) g.commonAlign = this.commonAlign;
    if (this.overriddenBy !== undefined) g.overriddenBy = this.overriddenBy;
    return g;
  }
}

// (On the prototype, not a field: no 8 bytes per symbol. Expression code reads `e.t` of the four node
// shapes as before: {t, v}, Sym, {t, op, a} and {t, op, a, b}.)
(Sym.prototype as { t: number }).t = 1;

/** A label at `offset` in `frag` of `section` (made by the linker and the object writer). */
export function placedSym(name: string, temp: boolean, section: InputSection, frag: number, offset: number): Sym {
  const s = new Sym(name, temp);
  s.kind = 1;
  s.section = section;
  s.frag = frag;
  s.offset = offset;
  return s;
}

export interface Loc {
  file: string;
  line: number;
  col: number;
  /** Set for lines produced by macro / .rept expansion: where the expansion came from. */
  note?: string;
}

/**
 * The file and expansion note of a location, shared by the records made on many lines (a Loc is one too):
 * a branch or fixup keeps this, a line and a column instead of a Loc of its own, which would be one more
 * object per record kept for the whole unit (see Relax).
 */
export interface LocCtx {
  readonly file: string;
  readonly note?: string;
}

/** Where `s` was defined, or null. */
export function defLocOf(s: Sym): Loc | null {
  return s.defCtx === null ? null : locIn(s.defCtx, s.defLine, s.defCol);
}

/** The location `line`:`col` of `ctx`'s file. */
export function locIn(ctx: LocCtx, line: number, col: number): Loc {
  return { file: ctx.file, line, col, note: ctx.note };
}

export const E_NUM = 0;
export const E_SYM = 1;
export const E_UN = 2;
export const E_BIN = 3;

export type Expr =
  | { t: 0; v: bigint }
  | Sym
  | { t: 2; op: number; a: Expr }
  | { t: 3; op: number; a: Expr; b: Expr };

// Operator codes (also used as indices into names for messages).
export const OP_NEG = 1, OP_NOT = 2, OP_LNOT = 3;
export const OP_ADD = 10, OP_SUB = 11, OP_MUL = 12, OP_DIV = 13, OP_MOD = 14, OP_SHL = 15, OP_SHR = 16;
export const OP_OR = 17, OP_AND = 18, OP_XOR = 19;
export const OP_EQ = 20, OP_NE = 21, OP_LT = 22, OP_LE = 23, OP_GT = 24, OP_GE = 25, OP_LAND = 26, OP_LOR = 27;

/** An error in the input, reported as a diagnostic at `pos` (an index into the statement's text). */
export class AsmError extends Error {
  constructor(
    message: string,
    public pos = -1,
  ) {
    super(message);
  }
}

/** What the parser needs from the assembler: symbol lookup and `.`. */
export interface ExprEnv {
  symbol(name: string): Sym;
  /** A temporary label at the current location. */
  dot(): Sym;
  /** Numeric local label reference `Nb` / `Nf`. */
  localLabel(n: string, forward: boolean, pos: number): Sym;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * A symbol in an expression. One whose value is an absolute number now stands for that number, as in GNU as
 * (expr.c, `operand`) and LLVM (constant variables are inlined): a later `.set` of the symbol does not
 * change an expression already read, so `.set v, 0; j f + v; .set v, v + 12; j f + v` jumps to f and f+12
 * (riscv-arch-test's trap trampoline) even when f is defined later. A weak symbol stays a reference.
 */
function symbolOperand(sym: Sym): Expr {
  return sym.kind === 2 && !sym.weak ? { t: E_NUM, v: sym.value } : symbolRef(sym);
}

/** The node naming `sym` in an expression: the symbol itself. */
export function symbolRef(sym: Sym): Expr {
  return sym;
}

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46 || c === 36;
}
export function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 99;
}

/** A binary operator as binOp finds it (one shared object per operator: no allocation per operator). */
interface BinOp {
  readonly op: number;
  readonly prec: number;
  readonly len: number;
}
const B_ADD: BinOp = { op: OP_ADD, prec: 4, len: 1 };
const B_SUB: BinOp = { op: OP_SUB, prec: 4, len: 1 };
const B_MUL: BinOp = { op: OP_MUL, prec: 6, len: 1 };
const B_DIV: BinOp = { op: OP_DIV, prec: 6, len: 1 };
const B_MOD: BinOp = { op: OP_MOD, prec: 6, len: 1 };
const B_XOR: BinOp = { op: OP_XOR, prec: 5, len: 1 };
const B_LOR: BinOp = { op: OP_LOR, prec: 1, len: 2 };
const B_OR: BinOp = { op: OP_OR, prec: 5, len: 1 };
const B_LAND: BinOp = { op: OP_LAND, prec: 2, len: 2 };
const B_AND: BinOp = { op: OP_AND, prec: 5, len: 1 };
const B_SHL: BinOp = { op: OP_SHL, prec: 6, len: 2 };
const B_LE: BinOp = { op: OP_LE, prec: 3, len: 2 };
const B_NE: BinOp = { op: OP_NE, prec: 3, len: 2 };
const B_LT: BinOp = { op: OP_LT, prec: 3, len: 1 };
const B_SHR: BinOp = { op: OP_SHR, prec: 6, len: 2 };
const B_GE: BinOp = { op: OP_GE, prec: 3, len: 2 };
const B_GT: BinOp = { op: OP_GT, prec: 3, len: 1 };
const B_EQ: BinOp = { op: OP_EQ, prec: 3, len: 2 };

/** Escape character value after a backslash (GNU as's set), or -1. */
export function escapeValue(c: number): number {
  switch (c) {
    case 110: return 10; // n
    case 116: return 9; // t
    case 114: return 13; // r
    case 98: return 8; // b
    case 102: return 12; // f
    case 118: return 11; // v
    case 97: return 7; // a
    case 101: return 27; // e
    case 48: return 0;
    case 92: return 92;
    case 39: return 39;
    case 34: return 34;
    default: return -1;
  }
}

export class ExprParser {
  s = '';
  pos = 0;
  end = 0;
  constructor(public env: ExprEnv) {}

  reset(s: string, pos: number, end: number): void {
    this.depth = 0;
    this.s = s;
    this.pos = pos;
    this.end = end;
  }

  skipWs(): void {
    // Written so that every operation runs on every call (the increment included): V8 optimises this
    // before it has seen a blank inside an expression (gcc writes none), and an operation it never saw run
    // would deoptimise the optimised code, and the parser functions it is inlined into, the first time.
    const s = this.s;
    const end = this.end;
    let p = this.pos - 1;
    let c: number;
    do {
      p++;
      c = p < end ? s.charCodeAt(p) : -1;
    } while (c === 32 || c === 9 || c === 13);
    this.pos = p;
  }

  peek(): number {
    return this.pos < this.end ? this.s.charCodeAt(this.pos) : -1;
  }

  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.end;
  }

  /** Parse a full expression. */
  parse(): Expr {
    return this.binary(1);
  }

  private binOp(): BinOp | null {
    const c = this.peek();
    const d = this.pos + 1 < this.end ? this.s.charCodeAt(this.pos + 1) : -1;
    switch (c) {
      case 43: return B_ADD;
      case 45: return B_SUB;
      case 42: return B_MUL;
      case 47: return B_DIV;
      case 37: return B_MOD;
      case 94: return B_XOR;
      case 124: return d === 124 ? B_LOR : B_OR;
      case 38: return d === 38 ? B_LAND : B_AND;
      case 60:
        if (d === 60) return B_SHL;
        if (d === 61) return B_LE;
        if (d === 62) return B_NE;
        return B_LT;
      case 62:
        if (d === 62) return B_SHR;
        if (d === 61) return B_GE;
        return B_GT;
      case 61: return d === 61 ? B_EQ : null;
      case 33: return d === 61 ? B_NE : null;
      default: return null;
    }
  }

  private binary(minPrec: number): Expr {
    let left = this.unary();
    for (;;) {
      this.skipWs();
      const op = this.binOp();
      if (!op || op.prec < minPrec) return left;
      const opPos = this.pos;
      this.pos += op.len;
      const right = this.binary(op.prec + 1);
      try {
        left = foldBinary(op.op, left, right);
      } catch (e) {
        if (e instanceof AsmError && e.pos < 0) e.pos = opPos;
        throw e;
      }
    }
  }

  private depth = 0;

  private unary(): Expr {
    this.skipWs();
    if (++this.depth > 500) {
      this.depth = 0;
      throw new AsmError('expression nested too deeply', this.pos);
    }
    try {
      return this.unaryInner();
    } finally {
      this.depth--;
    }
  }

  private unaryInner(): Expr {
    const c = this.peek();
    if (c === 45 || c === 126 || c === 33 || c === 43) {
      this.pos++;
      const a = this.unary();
      if (c === 43) return a;
      const op = c === 45 ? OP_NEG : c === 126 ? OP_NOT : OP_LNOT;
      if (a.t === E_NUM) return { t: E_NUM, v: applyUnary(op, a.v) };
      return { t: E_UN, op, a };
    }
    return this.primary();
  }

  private primary(): Expr {
    const s = this.s;
    const start = this.pos;
    const c = this.peek();
    if (c < 0) throw new AsmError('expected an expression', start);
    if (isDigit(c)) return this.number();
    if (c === 39) return this.charLiteral();
    if (c === 40) {
      this.pos++;
      const e = this.binary(1);
      this.skipWs();
      if (this.peek() !== 41) throw new AsmError("expected ')' in expression", this.pos);
      this.pos++;
      return e;
    }
    if (isIdentStart(c)) {
      let p = this.pos + 1;
      while (p < this.end && isIdentChar(s.charCodeAt(p))) p++;
      this.pos = p;
      if (p === start + 1 && c === 46) return this.env.dot();
      return symbolOperand(this.env.symbol(s.slice(start, p)));
    }
    if (c === 34) {
      // A quoted symbol name (GNU as): any characters up to the closing quote.
      const close = s.indexOf('"', start + 1);
      if (close < 0 || close >= this.end) throw new AsmError('unterminated quoted symbol name', start);
      this.pos = close + 1;
      return symbolOperand(this.env.symbol(s.slice(start + 1, close)));
    }
    if (c === 37) throw new AsmError('relocation modifiers (%hi, %lo, ...) must be the whole operand', start);
    throw new AsmError(`unexpected '${String.fromCharCode(c)}' in expression`, start);
  }

  private charLiteral(): Expr {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.end) throw new AsmError('unterminated character literal', start);
    let v = s.charCodeAt(this.pos);
    this.pos++;
    if (v === 92) {
      if (this.pos >= this.end) throw new AsmError('unterminated character literal', start);
      const e = s.charCodeAt(this.pos);
      this.pos++;
      if (e === 120) {
        // \xHH
        let n = 0;
        let digits = 0;
        while (this.pos < this.end && hexVal(s.charCodeAt(this.pos)) < 16) {
          n = ((n << 4) | hexVal(s.charCodeAt(this.pos))) & 0xff;
          this.pos++;
          digits++;
        }
        if (digits === 0) throw new AsmError('bad escape in character literal', start);
        v = n;
      } else if (e >= 48 && e <= 55) {
        let n = e - 48;
        for (let k = 0; k < 2 && this.pos < this.end; k++) {
          const d = s.charCodeAt(this.pos);
          if (d < 48 || d > 55) break;
          n = n * 8 + (d - 48);
          this.pos++;
        }
        v = n & 0xff;
      } else {
        v = escapeValue(e);
        if (v < 0) throw new AsmError('bad escape in character literal', start);
      }
    }
    // GNU as accepts 'a without the closing quote; take it when present.
    if (this.pos < this.end && s.charCodeAt(this.pos) === 39) this.pos++;
    return { t: E_NUM, v: BigInt(v) };
  }

  private number(): Expr {
    const s = this.s;
    const start = this.pos;
    let p = start;
    while (p < this.end && isIdentChar(s.charCodeAt(p))) p++;
    this.pos = p;
    const len = p - start;
    const last = s.charCodeAt(p - 1);
    // Numeric local label references: 1b, 12f (all digits before the suffix).
    // `last | 0x20` folds the case and runs on every call (see skipWs); b and f are 98 and 102.
    const suffix = last | 0x20;
    if ((suffix === 98 || suffix === 102) && len >= 2) {
      let allDigits = true;
      for (let k = start; k < p - 1; k++) if (!isDigit(s.charCodeAt(k))) allDigits = false;
      if (allDigits) {
        return this.env.localLabel(s.slice(start, p - 1), last === 102 || last === 70, start);
      }
    }
    let v = parseInteger(s, start, p);
    // GNU as (expr.c, integer_constant) skips C's integer suffixes after the digits — U, then L or LL, in
    // either case — so constants from C headers (`#define MAXVA (1L << 38)`) assemble.
    if (v === null) v = parseInteger(s, start, p - integerSuffixLength(s, start, p));
    if (v === null) throw new AsmError(`invalid number '${s.slice(start, p)}'`, start);
    return { t: E_NUM, v };
  }
}

/** Length of a C integer suffix GNU as skips at the end of s[start, end): [uU]?([lL][lL]?)?, digits before it. */
function integerSuffixLength(s: string, start: number, end: number): number {
  let p = end;
  let ls = 0;
  while (ls < 2 && p > start + 1 && (s.charCodeAt(p - 1) | 0x20) === 108) p--, ls++;
  if (p > start + 1 && (s.charCodeAt(p - 1) | 0x20) === 117) p--;
  return end - p;
}

/** Parse an integer literal in s[start, end): decimal, 0x hex, 0b binary, 0o or leading-0 octal. */
export function parseInteger(s: string, start: number, end: number): bigint | null {
  let base = 10;
  let p = start;
  const c0 = s.charCodeAt(p);
  // Both tests run on every call (see ExprParser.skipWs): most numbers are one digit, or do not start with 0.
  const zero = c0 === 48;
  const long = end - start > 1;
  if (zero && long) {
    const c1 = s.charCodeAt(p + 1) | 0x20;
    if (c1 === 120) (base = 16), (p += 2);
    else if (c1 === 98) (base = 2), (p += 2);
    else if (c1 === 111) (base = 8), (p += 2);
    else (base = 8), (p += 1);
  }
  if (p >= end) return null;
  // Small values in plain numbers (exact below 2^53), bigger ones in BigInt.
  if (end - p <= 12 || (base === 2 && end - p <= 52)) {
    let n = 0;
    for (let k = p; k < end; k++) {
      const d = hexVal(s.charCodeAt(k));
      if (d >= base) return null;
      n = n * base + d;
    }
    return BigInt(n);
  }
  let n = 0n;
  const b = BigInt(base);
  for (let k = p; k < end; k++) {
    const d = hexVal(s.charCodeAt(k));
    if (d >= base) return null;
    n = n * b + BigInt(d);
  }
  if (n > MASK64) return null;
  // 64-bit values, as GNU as holds them: 0xffffffffffffffff is -1.
  return BigInt.asIntN(64, n);
}

export function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

function applyUnary(op: number, v: bigint): bigint {
  if (op === OP_NEG) return wrap64(-v);
  if (op === OP_NOT) return wrap64(~v);
  return v === 0n ? 1n : 0n;
}

/** Apply a binary operator to two absolute values (throws AsmError on division by zero). */
export function applyBinary(op: number, a: bigint, b: bigint): bigint {
  switch (op) {
    case OP_ADD: return wrap64(a + b);
    case OP_SUB: return wrap64(a - b);
    case OP_MUL: return wrap64(a * b);
    case OP_DIV:
      if (b === 0n) throw new AsmError('division by zero');
      return wrap64(a / b);
    case OP_MOD:
      if (b === 0n) throw new AsmError('division by zero');
      return wrap64(a % b);
    case OP_SHL: return b < 0n || b >= 64n ? 0n : wrap64(a << b);
    case OP_SHR: return b < 0n || b >= 64n ? 0n : wrap64(BigInt.asUintN(64, a) >> b);
    case OP_OR: return wrap64(a | b);
    case OP_AND: return wrap64(a & b);
    case OP_XOR: return wrap64(a ^ b);
    case OP_EQ: return a === b ? -1n : 0n;
    case OP_NE: return a !== b ? -1n : 0n;
    case OP_LT: return a < b ? -1n : 0n;
    case OP_LE: return a <= b ? -1n : 0n;
    case OP_GT: return a > b ? -1n : 0n;
    case OP_GE: return a >= b ? -1n : 0n;
    case OP_LAND: return a !== 0n && b !== 0n ? 1n : 0n;
    case OP_LOR: return a !== 0n || b !== 0n ? 1n : 0n;
    default: throw new AsmError('bad operator');
  }
}

function foldBinary(op: number, a: Expr, b: Expr): Expr {
  if (a.t === E_NUM && b.t === E_NUM) return { t: E_NUM, v: applyBinary(op, a.v, b.v) };
  return { t: E_BIN, op, a, b };
}

function isUndefinedSym(e: Expr): boolean {
  return e.t === E_SYM && e.kind === 0;
}

/**
 * A relocatable value: `base` (a fragment, or a symbol that has no location yet) plus `off`, or an
 * absolute value when base is null.
 */
export interface RelValue {
  base: object | null;
  off: bigint;
}

/** How symbols evaluate: returns null when the value is not known at this point. */
export type SymResolver = (s: Sym) => RelValue | null;

/**
 * Evaluate `e` to a relocatable value, or null when some symbol is not known. Throws AsmError for
 * expressions no value could satisfy (division by zero, an operation on two relocatable values).
 */
export function evaluate(e: Expr, resolve: SymResolver, undefinedUnequal = false): RelValue | null {
  switch (e.t) {
    case E_NUM:
      return { base: null, off: e.v };
    case E_SYM:
      return resolve(e);
    case E_UN: {
      const a = evaluate(e.a, resolve, undefinedUnequal);
      if (!a) return null;
      if (a.base) throw new AsmError(`cannot apply a unary operator to the address '${baseName(a)}'`);
      return { base: null, off: applyUnary(e.op, a.off) };
    }
    case E_BIN: {
      const a = evaluate(e.a, resolve, undefinedUnequal);
      const b = evaluate(e.b, resolve, undefinedUnequal);
      if (undefinedUnequal && (!a || !b) && (e.op === OP_EQ || e.op === OP_NE) && (a || isUndefinedSym(e.a)) && (b || isUndefinedSym(e.b))) {
        // `undefinedUnequal` (a condition, as GNU as reads `.if`): a symbol not defined yet equals itself
        // and nothing else. riscv-arch-test's `.if (\LMODE\() == Vmode)` compares with a name nothing defines.
        const same = e.a.t === E_SYM && e.b.t === E_SYM && e.a === e.b;
        return { base: null, off: same === (e.op === OP_EQ) ? -1n : 0n };
      }
      if (!a || !b) return null;
      if (e.op === OP_ADD) {
        if (a.base && b.base) throw new AsmError('cannot add two addresses');
        return { base: a.base ?? b.base, off: wrap64(a.off + b.off) };
      }
      if (e.op === OP_SUB) {
        if (b.base) {
          if (a.base === b.base) return { base: null, off: wrap64(a.off - b.off) };
          return null;
        }
        return { base: a.base, off: wrap64(a.off - b.off) };
      }
      if (a.base || b.base) return null;
      return { base: null, off: applyBinary(e.op, a.off, b.off) };
    }
  }
}

function baseName(v: RelValue): string {
  const b = v.base as { name?: string } | null;
  return b && typeof b.name === 'string' ? b.name : 'label';
}

/** The single symbol of `sym` or `sym ± constant`, with the constant; null for other shapes. */
export function symbolPlusConstant(e: Expr): { sym: Sym; add: bigint } | null {
  if (e.t === E_SYM) return { sym: e, add: 0n };
  if (e.t === E_BIN && (e.op === OP_ADD || e.op === OP_SUB)) {
    if (e.a.t === E_SYM && e.b.t === E_NUM) return { sym: e.a, add: e.op === OP_ADD ? e.b.v : -e.b.v };
    if (e.op === OP_ADD && e.b.t === E_SYM && e.a.t === E_NUM) return { sym: e.b, add: e.a.v };
    if (e.a.t !== E_NUM) {
      const inner = symbolPlusConstant(e.a);
      if (inner && e.b.t === E_NUM) return { sym: inner.sym, add: e.op === OP_ADD ? inner.add + e.b.v : inner.add - e.b.v };
    }
  }
  return null;
}

/** Every symbol an expression mentions. */
export function forEachSymbol(e: Expr, f: (s: Sym) => void): void {
  if (e.t === E_SYM) f(e);
  else if (e.t === E_UN) forEachSymbol(e.a, f);
  else if (e.t === E_BIN) {
    forEachSymbol(e.a, f);
    forEachSymbol(e.b, f);
  }
}
