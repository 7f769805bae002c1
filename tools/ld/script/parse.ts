// GNU ld linker scripts (`rvx ld -T script.ld`): the reader. It turns the script's text into the commands
// tools/ld/script/layout.ts carries out. The language is GNU ld 2.40's ("Linker Scripts" chapter of the ld
// manual): ENTRY, OUTPUT_ARCH/OUTPUT_FORMAT/SEARCH_DIR/TARGET (accepted), MEMORY, PHDRS (read; segments are
// still made by rvx, see docs/assembler.md), SECTIONS with output section descriptions, input section
// descriptions (wildcards, KEEP, EXCLUDE_FILE, SORT*), symbol assignments (=, +=, ..., PROVIDE,
// PROVIDE_HIDDEN, HIDDEN), BYTE/SHORT/LONG/QUAD, FILL, ASSERT and C-like expressions.
//
// As in ld, the meaning of a word depends on where it stands: section names and file patterns may contain
// `-`, `*`, `?`, `[...]` (ld's "wildcard" names), expressions use C's operators. The parser asks the
// scanner for the kind of token it expects. Every problem is a ScriptError with line and column.

export class ScriptError extends Error {
  constructor(
    message: string,
    public line: number,
    public col: number,
  ) {
    super(message);
  }
}

export interface Pos {
  line: number;
  col: number;
}

export type ScriptExpr =
  /** `hex`: the digits of a plain `0x...` literal (a fill pattern keeps them all, leading zeros too). */
  | { t: 'num'; v: bigint; hex?: string }
  | { t: 'sym'; name: string; pos: Pos }
  | { t: 'dot'; pos: Pos }
  | { t: 'un'; op: string; a: ScriptExpr }
  | { t: 'bin'; op: string; a: ScriptExpr; b: ScriptExpr; pos: Pos }
  | { t: 'cond'; c: ScriptExpr; a: ScriptExpr; b: ScriptExpr }
  /** A builtin: ALIGN, MAX, ... (`args`), or one that names a section, region, symbol or constant (`name`). */
  | { t: 'call'; fn: string; args: ScriptExpr[]; name?: string; pos: Pos };

export interface Assignment {
  kind: 'assign';
  /** The symbol, or '.' for the location counter. */
  name: string;
  /** '=', or a compound operator's arithmetic ('+', '-', '*', '/', '<<', '>>', '&', '|'). */
  op: string;
  expr: ScriptExpr;
  /** PROVIDE / PROVIDE_HIDDEN: defined only if referenced and not defined by an input. */
  provide: boolean;
  hidden: boolean;
  pos: Pos;
  /** From --defsym: evaluated before MEMORY and the script's statements. */
  early?: boolean;
}

export type SortKind = 'name' | 'alignment' | 'init_priority' | 'none';

export interface SectionPattern {
  pattern: string;
  /** Files this pattern does not take sections from (EXCLUDE_FILE inside the list). */
  excludeFiles: string[];
  /** Sorting, outermost first (SORT_BY_NAME(SORT_BY_ALIGNMENT(...)) gives ['name', 'alignment']). */
  sort: SortKind[];
}

export interface InputDescription {
  kind: 'input';
  /** The file name pattern ('*' for every file). */
  file: string;
  excludeFiles: string[];
  fileSort: boolean;
  /** Section patterns; empty: every section of the matching files. */
  sections: SectionPattern[];
  keep: boolean;
  pos: Pos;
}

export interface DataStatement {
  kind: 'data';
  size: number;
  expr: ScriptExpr;
  pos: Pos;
}

export interface FillStatement {
  kind: 'fill';
  expr: ScriptExpr;
  pos: Pos;
}

export interface AssertStatement {
  kind: 'assert';
  expr: ScriptExpr;
  message: string;
  pos: Pos;
}

export interface ProgramHeaderStatement {
  name: string;
  /** p_type (PT_LOAD is 1, ...). */
  type: number;
  /** FILEHDR, PHDRS: the segment holds the ELF header, the program headers. */
  filehdr: boolean;
  phdrs: boolean;
  /** AT(e): p_paddr; FLAGS(e): p_flags. */
  at: ScriptExpr | null;
  flags: ScriptExpr | null;
  pos: Pos;
}

/** Program header types a PHDRS command may name (gABI "Program Header"; GNU extensions; RISC-V psABI). */
const PT_TYPES: Record<string, number> = {
  PT_NULL: 0, PT_LOAD: 1, PT_DYNAMIC: 2, PT_INTERP: 3, PT_NOTE: 4, PT_SHLIB: 5, PT_PHDR: 6, PT_TLS: 7,
  PT_GNU_EH_FRAME: 0x6474e550, PT_GNU_STACK: 0x6474e551, PT_GNU_RELRO: 0x6474e552, PT_GNU_PROPERTY: 0x6474e553, PT_RISCV_ATTRIBUTES: 0x70000003,
};

export type SectionCommand = Assignment | InputDescription | DataStatement | FillStatement | AssertStatement;

export interface OutputSectionStatement {
  kind: 'section';
  name: string;
  address: ScriptExpr | null;
  /** NOLOAD, COPY, INFO, OVERLAY, DSECT, READONLY or null. */
  type: string | null;
  at: ScriptExpr | null;
  align: ScriptExpr | null;
  alignWithInput: boolean;
  subalign: ScriptExpr | null;
  /** ONLY_IF_RO / ONLY_IF_RW. */
  constraint: 'ro' | 'rw' | null;
  commands: SectionCommand[];
  region: string | null;
  lmaRegion: string | null;
  phdrs: string[];
  fill: ScriptExpr | null;
  pos: Pos;
}

export type SectionsCommand = Assignment | OutputSectionStatement | AssertStatement;

export interface MemoryRegion {
  name: string;
  /** Attributes (r w x a i l) and the negated ones after `!`. */
  attrs: string;
  notAttrs: string;
  origin: ScriptExpr;
  length: ScriptExpr;
  pos: Pos;
}

export interface LinkerScript {
  file: string;
  entry: string | null;
  memory: MemoryRegion[];
  /** SECTIONS commands in order; null when the script has no SECTIONS command. */
  sections: SectionsCommand[] | null;
  /** Assignments and ASSERTs outside SECTIONS, in order. */
  outside: (Assignment | AssertStatement)[];
  /** PHDRS: the program headers, in order (ld manual, "PHDRS Command"). */
  phdrs: ProgramHeaderStatement[];
}

const KEYWORD_FUNCS = new Set(['ADDR', 'SIZEOF', 'LOADADDR', 'ALIGNOF', 'ORIGIN', 'LENGTH', 'DEFINED', 'CONSTANT', 'SEGMENT_START']);
const ARG_FUNCS = new Set(['ALIGN', 'MAX', 'MIN', 'ABSOLUTE', 'NEXT', 'LOG2CEIL', 'DATA_SEGMENT_ALIGN', 'DATA_SEGMENT_END', 'DATA_SEGMENT_RELRO_END', 'BLOCK']);
const DATA_SIZES: Record<string, number> = { BYTE: 1, SHORT: 2, LONG: 4, QUAD: 8, SQUAD: 8 };
const SECTION_TYPES = new Set(['NOLOAD', 'COPY', 'INFO', 'OVERLAY', 'DSECT', 'READONLY']);
const SORTS: Record<string, SortKind> = { SORT: 'name', SORT_BY_NAME: 'name', SORT_BY_ALIGNMENT: 'alignment', SORT_BY_INIT_PRIORITY: 'init_priority', SORT_NONE: 'none' };

/** Characters of a wildcard name (section names, file patterns): ld's WILDCHAR set without ',' and ':'. */
const WILD = /[A-Za-z0-9_./\\$~\-+[\]*?^!]/;
/** Characters of a symbol in an expression. */
const SYM_START = /[A-Za-z_.$]/;
const SYM_CHAR = /[A-Za-z0-9_.$]/;
// No '^': ld's grammar has no exclusive or.
const OPS = ['<<=', '>>=', '+=', '-=', '*=', '/=', '&=', '|=', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '{', '}', '(', ')', ';', ',', ':', '=', '+', '-', '*', '/', '%', '&', '|', '~', '!', '<', '>', '?'];

class Scanner {
  i = 0;
  line = 1;
  col = 1;
  constructor(readonly src: string) {}

  pos(): Pos {
    return { line: this.line, col: this.col };
  }

  private advance(n: number): void {
    for (let k = 0; k < n; k++) {
      if (this.src[this.i] === '\n') {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.i++;
    }
  }

  /** Skip white space and comments; false at the end. */
  skip(): boolean {
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) return false;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.advance(1);
      else if (c === '/' && this.src[this.i + 1] === '*') {
        const start = this.pos();
        const end = this.src.indexOf('*/', this.i + 2);
        if (end < 0) throw new ScriptError('unterminated comment', start.line, start.col);
        this.advance(end + 2 - this.i);
      } else return true;
    }
  }

  peekChar(): string | undefined {
    this.skip();
    return this.src[this.i];
  }

  /** The punctuation or operator at the cursor (longest match), without consuming it. */
  peekOp(): string | null {
    if (!this.skip()) return null;
    for (const op of OPS) if (this.src.startsWith(op, this.i)) return op;
    return null;
  }

  isOp(op: string): boolean {
    return this.peekOp() === op;
  }

  eat(op: string): boolean {
    if (this.peekOp() !== op) return false;
    this.advance(op.length);
    return true;
  }

  expect(op: string, what?: string): void {
    if (this.eat(op)) return;
    throw this.error(`expected '${op}'${what ? ` ${what}` : ''}, found ${this.describe()}`);
  }

  describe(): string {
    if (!this.skip()) return 'the end of the script';
    const m = /^("[^"\n]*"?|[A-Za-z0-9_.$]+|\S)/.exec(this.src.slice(this.i, this.i + 40));
    return `'${m ? m[0] : this.src[this.i]}'`;
  }

  error(message: string, at: Pos = this.pos()): ScriptError {
    this.skip();
    return new ScriptError(message, at.line, at.col);
  }

  /** A quoted string, or null. */
  string(): string | null {
    if (this.peekChar() !== '"') return null;
    const start = this.pos();
    const end = this.src.indexOf('"', this.i + 1);
    const nl = this.src.indexOf('\n', this.i + 1);
    if (end < 0 || (nl >= 0 && nl < end)) throw new ScriptError('unterminated string', start.line, start.col);
    const s = this.src.slice(this.i + 1, end);
    this.advance(end + 1 - this.i);
    return s;
  }

  /** A wildcard name (section name, file pattern, region name) or a quoted one; null if none is here. */
  wild(colonOk = false): string | null {
    const q = this.string();
    if (q !== null) return q;
    if (!this.skip()) return null;
    let j = this.i;
    while (j < this.src.length) {
      const c = this.src[j];
      if (WILD.test(c) || (colonOk && c === ':')) {
        // A comment starts inside what would otherwise be a name: stop there.
        if (c === '/' && this.src[j + 1] === '*') break;
        j++;
      } else break;
    }
    if (j === this.i) return null;
    const s = this.src.slice(this.i, j);
    this.advance(j - this.i);
    return s;
  }

  /** An identifier as expressions spell symbols (also keywords), or null. */
  ident(): string | null {
    if (!this.skip()) return null;
    const q = this.src[this.i] === '"' ? this.string() : null;
    if (q !== null) return q;
    if (!SYM_START.test(this.src[this.i])) return null;
    let j = this.i + 1;
    while (j < this.src.length && SYM_CHAR.test(this.src[j])) j++;
    const s = this.src.slice(this.i, j);
    this.advance(j - this.i);
    return s;
  }

  peekIdent(): string | null {
    const save = [this.i, this.line, this.col];
    const s = this.ident();
    [this.i, this.line, this.col] = save;
    return s;
  }

  /** A number as ld writes them: 0x.., leading 0 octal, suffixes h/o/b/d, K/M multipliers. */
  number(): bigint | null {
    if (!this.skip()) return null;
    const m = /^(?:0[xX][0-9a-fA-F]+|\$[0-9a-fA-F]+|[0-9][0-9a-fA-F]*[hHoObBdD]?)(?:[KkMm](?![A-Za-z0-9_]))?/.exec(this.src.slice(this.i, this.i + 80));
    if (!m) return null;
    const start = this.pos();
    let t = m[0];
    if (/[A-Za-z0-9_.$]/.test(this.src[this.i + t.length] ?? '')) throw new ScriptError(`invalid number '${this.src.slice(this.i).split(/[^A-Za-z0-9_.$]/)[0]}'`, start.line, start.col);
    this.advance(t.length);
    let mul = 1n;
    if (/[Kk]$/.test(t)) mul = 1024n;
    else if (/[Mm]$/.test(t)) mul = 1024n * 1024n;
    if (mul !== 1n) t = t.slice(0, -1);
    let v: bigint;
    const bad = () => new ScriptError(`invalid number '${m[0]}'`, start.line, start.col);
    if (/^0[xX]/.test(t)) v = BigInt(t);
    else if (t.startsWith('$')) v = BigInt('0x' + t.slice(1));
    else {
      const suffix = t[t.length - 1].toLowerCase();
      const digits = /[hobd]/.test(suffix) ? t.slice(0, -1) : t;
      const radix = suffix === 'h' ? 16 : suffix === 'o' ? 8 : suffix === 'b' ? 2 : suffix === 'd' ? 10 : digits.length > 1 && digits[0] === '0' ? 8 : 10;
      const body = digits;
      const ok = { 16: /^[0-9a-fA-F]+$/, 10: /^[0-9]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[radix as 16 | 10 | 8 | 2];
      if (!ok.test(body)) throw bad();
      v = 0n;
      for (const ch of body) v = v * BigInt(radix) + BigInt(parseInt(ch, 16));
    }
    return v * mul;
  }
}

/** Parse a linker script; throws ScriptError (with line and column) for the first problem. */
export function parseScript(text: string, file: string): LinkerScript {
  const s = new Scanner(text);
  const script: LinkerScript = { file, entry: null, memory: [], sections: null, outside: [], phdrs: [] };

  // ---- expressions (C precedence, as ld's grammar) ----
  const BIN: string[][] = [['||'], ['&&'], ['|'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
  const expr = (): ScriptExpr => {
    const c = binary(0);
    if (s.eat('?')) {
      const a = expr();
      s.expect(':', 'in a ?: expression');
      const b = expr();
      return { t: 'cond', c, a, b };
    }
    return c;
  };
  const binary = (level: number): ScriptExpr => {
    if (level === BIN.length) return unary();
    let a = binary(level + 1);
    for (;;) {
      const op = s.peekOp();
      // `a = b` in an argument list is not an operator here; neither are the compound assignments.
      if (op === null || !BIN[level].includes(op)) return a;
      const pos = s.pos();
      s.eat(op);
      const b = binary(level + 1);
      a = { t: 'bin', op, a, b, pos };
    }
  };
  const unary = (): ScriptExpr => {
    for (const op of ['-', '!', '~', '+']) {
      if (s.isOp(op) && !(op === '-' && s.peekOp() === '-=')) {
        s.eat(op);
        const a = unary();
        return op === '+' ? (a.t === 'num' ? { t: 'num', v: a.v } : a) : { t: 'un', op, a };
      }
    }
    return primary();
  };
  const primary = (): ScriptExpr => {
    const pos = s.pos();
    if (s.eat('(')) {
      const e = expr();
      s.expect(')');
      // In parentheses a literal is a value, no longer a fill pattern (ld's "Output Section Fill").
      return e.t === 'num' ? { t: 'num', v: e.v } : e;
    }
    const start = s.i;
    const n = s.number();
    if (n !== null) {
      const text = s.src.slice(start, s.i).trim();
      return /^0x[0-9a-f]+$/i.test(text) ? { t: 'num', v: n, hex: text.slice(2) } : { t: 'num', v: n };
    }
    const id = s.ident();
    if (id === null) throw s.error(`expected an expression, found ${s.describe()}`);
    if (id === '.') return { t: 'dot', pos };
    if (id === 'SIZEOF_HEADERS' || id === 'sizeof_headers') return { t: 'call', fn: 'SIZEOF_HEADERS', args: [], pos };
    if (KEYWORD_FUNCS.has(id) && s.isOp('(')) {
      s.expect('(');
      const name = id === 'DEFINED' ? s.ident() : s.wild();
      if (name === null) throw s.error(`${id} needs a ${id === 'DEFINED' ? 'symbol' : id === 'ORIGIN' || id === 'LENGTH' ? 'memory region' : id === 'CONSTANT' ? 'constant name' : 'section'} name, found ${s.describe()}`);
      const args: ScriptExpr[] = [];
      if (id === 'SEGMENT_START') {
        s.expect(',');
        args.push(expr());
      }
      s.expect(')', `after ${id}(${name}`);
      if (id === 'CONSTANT' && !['MAXPAGESIZE', 'COMMONPAGESIZE'].includes(name)) throw new ScriptError(`unknown constant '${name}' (CONSTANT takes MAXPAGESIZE or COMMONPAGESIZE)`, pos.line, pos.col);
      return { t: 'call', fn: id, args, name, pos };
    }
    if (ARG_FUNCS.has(id) && s.isOp('(')) {
      s.expect('(');
      const args = [expr()];
      while (s.eat(',')) args.push(expr());
      s.expect(')', `after the arguments of ${id}`);
      const want: Record<string, [number, number]> = { ALIGN: [1, 2], MAX: [2, 2], MIN: [2, 2], ABSOLUTE: [1, 1], NEXT: [1, 1], LOG2CEIL: [1, 1], DATA_SEGMENT_ALIGN: [2, 2], DATA_SEGMENT_END: [1, 1], DATA_SEGMENT_RELRO_END: [2, 2], BLOCK: [1, 1] };
      const [lo, hi] = want[id];
      if (args.length < lo || args.length > hi) throw new ScriptError(`${id} takes ${lo === hi ? lo : `${lo} or ${hi}`} argument${hi > 1 ? 's' : ''}, not ${args.length}`, pos.line, pos.col);
      return { t: 'call', fn: id, args, pos };
    }
    if (s.isOp('(') && /^[A-Z_]+$/.test(id)) throw new ScriptError(`unknown function ${id}()`, pos.line, pos.col);
    return { t: 'sym', name: id, pos };
  };

  // ---- assignments ----
  const ASSIGN_OPS = ['=', '+=', '-=', '*=', '/=', '<<=', '>>=', '&=', '|='];
  const assignmentAfterName = (name: string, pos: Pos, provide: boolean, hidden: boolean): Assignment => {
    const op = s.peekOp();
    if (op === null || !ASSIGN_OPS.includes(op)) throw s.error(`expected an assignment to '${name}', found ${s.describe()}`);
    s.eat(op);
    const e = expr();
    return { kind: 'assign', name, op: op === '=' ? '=' : op.slice(0, -1), expr: e, provide, hidden, pos };
  };
  /** PROVIDE(sym = expr), PROVIDE_HIDDEN(...), HIDDEN(...); the keyword is already read. */
  const wrappedAssignment = (kw: string, pos: Pos): Assignment => {
    s.expect('(', `after ${kw}`);
    const npos = s.pos();
    const name = s.ident();
    if (name === null) throw s.error(`${kw} needs a symbol assignment, found ${s.describe()}`);
    if (name === '.') throw new ScriptError(`${kw} cannot assign the location counter`, npos.line, npos.col);
    const a = assignmentAfterName(name, npos, kw !== 'HIDDEN', kw !== 'PROVIDE');
    a.pos = pos;
    s.expect(')', `to close ${kw}(`);
    return a;
  };
  const endStatement = (optional = false): void => {
    if (s.eat(';')) return;
    if (optional || s.isOp('}')) return;
    throw s.error(`expected ';' after the assignment, found ${s.describe()}`);
  };
  const assertStatement = (pos: Pos): AssertStatement => {
    s.expect('(', 'after ASSERT');
    const e = expr();
    s.expect(',', 'in ASSERT(expression, "message")');
    const message = s.string() ?? s.wild();
    if (message === null) throw s.error(`ASSERT needs a message, found ${s.describe()}`);
    s.expect(')', 'to close ASSERT(');
    return { kind: 'assert', expr: e, message, pos };
  };

  // ---- input section descriptions ----
  const excludeList = (): string[] => {
    s.expect('(', 'after EXCLUDE_FILE');
    const out: string[] = [];
    while (!s.eat(')')) {
      const w = s.wild(true);
      if (w === null) throw s.error(`expected a file name pattern in EXCLUDE_FILE, found ${s.describe()}`);
      out.push(w);
      s.eat(',');
    }
    return out;
  };
  const sectionPatterns = (): SectionPattern[] => {
    const out: SectionPattern[] = [];
    const one = (sort: SortKind[], exclude: string[]): void => {
      const pos = s.pos();
      const w = s.wild();
      if (w === null) throw s.error(`expected a section name pattern, found ${s.describe()}`);
      if (w === 'EXCLUDE_FILE') {
        const ex = excludeList();
        one(sort, [...exclude, ...ex]);
        return;
      }
      if (w in SORTS && s.isOp('(')) {
        if (sort.length >= 2) throw new ScriptError('sorting nested more than two deep', pos.line, pos.col);
        s.expect('(');
        const inner = [...sort, SORTS[w]];
        do {
          one(inner, exclude);
          s.eat(',');
        } while (!s.isOp(')') && s.peekChar() !== undefined);
        s.expect(')', `to close ${w}(`);
        return;
      }
      out.push({ pattern: w, excludeFiles: exclude, sort });
    };
    while (!s.isOp(')')) {
      if (s.peekChar() === undefined) throw s.error('unterminated input section list');
      one([], []);
      s.eat(',');
    }
    return out;
  };
  const inputDescription = (keep: boolean, pos: Pos): InputDescription => {
    let exclude: string[] = [];
    let fileSort = false;
    let file = s.wild(true);
    if (file === 'EXCLUDE_FILE') {
      exclude = excludeList();
      file = s.wild(true);
    }
    if (file !== null && file in SORTS && s.isOp('(')) {
      s.expect('(');
      fileSort = SORTS[file] !== 'none';
      file = s.wild(true);
      s.expect(')', 'after the sorted file pattern');
    }
    if (file === null) throw s.error(`expected an input section description, found ${s.describe()}`);
    let sections: SectionPattern[] = [];
    if (s.eat('(')) {
      sections = sectionPatterns();
      s.expect(')', 'to close the input section list');
    }
    return { kind: 'input', file, excludeFiles: exclude, fileSort, sections, keep, pos };
  };

  // ---- output section descriptions ----
  const outputSection = (name: string, pos: Pos): OutputSectionStatement => {
    const os: OutputSectionStatement = { kind: 'section', name, address: null, type: null, at: null, align: null, alignWithInput: false, subalign: null, constraint: null, commands: [], region: null, lmaRegion: null, phdrs: [], fill: null, pos };
    // name [address] [(type)] : [AT(lma)] [ALIGN(n) | ALIGN_WITH_INPUT] [SUBALIGN(n)] [constraint] { ... }
    const typeAhead = (): string | null => {
      if (!s.isOp('(')) return null;
      const save = [s.i, s.line, s.col];
      s.eat('(');
      const id = s.ident();
      const close = s.isOp(')');
      [s.i, s.line, s.col] = save;
      return id !== null && close && SECTION_TYPES.has(id) ? id : null;
    };
    if (!s.isOp(':') && !typeAhead()) os.address = expr();
    const ty = typeAhead();
    if (ty) {
      s.eat('(');
      s.ident();
      s.eat(')');
      os.type = ty;
    }
    s.expect(':', `after the output section name '${name}'`);
    for (;;) {
      const kwPos = s.pos();
      const kw = s.peekIdent();
      if (kw === 'AT' && (s.ident(), true)) {
        s.expect('(', 'after AT');
        os.at = expr();
        s.expect(')', 'to close AT(');
      } else if (kw === 'ALIGN') {
        s.ident();
        s.expect('(', 'after ALIGN');
        os.align = expr();
        s.expect(')', 'to close ALIGN(');
      } else if (kw === 'ALIGN_WITH_INPUT') {
        s.ident();
        os.alignWithInput = true;
      } else if (kw === 'SUBALIGN') {
        s.ident();
        s.expect('(', 'after SUBALIGN');
        os.subalign = expr();
        s.expect(')', 'to close SUBALIGN(');
      } else if (kw === 'ONLY_IF_RO' || kw === 'ONLY_IF_RW') {
        s.ident();
        os.constraint = kw === 'ONLY_IF_RO' ? 'ro' : 'rw';
      } else if (kw === 'SPECIAL') s.ident();
      else if (kw !== null) throw new ScriptError(`unexpected '${kw}' before '{' of output section '${name}'`, kwPos.line, kwPos.col);
      else break;
    }
    s.expect('{', `to open output section '${name}'`);
    while (!s.eat('}')) {
      if (s.peekChar() === undefined) throw s.error(`output section '${name}' is not closed ('}' missing)`);
      if (s.eat(';')) continue;
      const cpos = s.pos();
      const kw = s.peekIdent();
      if (kw === 'KEEP') {
        s.ident();
        s.expect('(', 'after KEEP');
        os.commands.push(inputDescription(true, cpos));
        s.expect(')', 'to close KEEP(');
      } else if (kw !== null && kw in DATA_SIZES && s.ident() !== null) {
        s.expect('(', `after ${kw}`);
        os.commands.push({ kind: 'data', size: DATA_SIZES[kw], expr: expr(), pos: cpos });
        s.expect(')', `to close ${kw}(`);
        s.eat(';');
      } else if (kw === 'FILL') {
        s.ident();
        s.expect('(', 'after FILL');
        os.commands.push({ kind: 'fill', expr: expr(), pos: cpos });
        s.expect(')', 'to close FILL(');
        s.eat(';');
      } else if (kw === 'ASSERT') {
        s.ident();
        os.commands.push(assertStatement(cpos));
        s.eat(';');
      } else if (kw === 'PROVIDE' || kw === 'PROVIDE_HIDDEN' || kw === 'HIDDEN') {
        s.ident();
        os.commands.push(wrappedAssignment(kw, cpos));
        endStatement(true);
      } else if (kw === 'CREATE_OBJECT_SYMBOLS' || kw === 'CONSTRUCTORS') {
        s.ident();
        s.eat(';');
      } else if (kw === 'INCLUDE') throw new ScriptError('INCLUDE is not supported', cpos.line, cpos.col);
      else {
        // A symbol assignment (`sym = expr;`, `. = ALIGN(8);`) or an input section description.
        const save = [s.i, s.line, s.col];
        const id = s.ident();
        const op = id !== null ? s.peekOp() : null;
        if (id !== null && op !== null && ASSIGN_OPS.includes(op)) {
          os.commands.push(assignmentAfterName(id, cpos, false, false));
          endStatement();
        } else {
          [s.i, s.line, s.col] = save;
          os.commands.push(inputDescription(false, cpos));
        }
      }
    }
    for (;;) {
      if (s.eat('>')) {
        const r = s.wild();
        if (r === null) throw s.error(`expected a memory region after '>', found ${s.describe()}`);
        os.region = r;
      } else if (s.peekIdent() === 'AT' && s.src.startsWith('>', s.i + 2)) {
        s.ident();
        s.eat('>');
        const r = s.wild();
        if (r === null) throw s.error(`expected a memory region after 'AT>', found ${s.describe()}`);
        os.lmaRegion = r;
      } else if (s.isOp(':')) {
        s.eat(':');
        const p = s.wild();
        if (p === null) throw s.error(`expected a program header name after ':', found ${s.describe()}`);
        os.phdrs.push(p);
      } else if (s.isOp('=') && !s.src.startsWith('==', s.i)) {
        s.eat('=');
        os.fill = expr();
      } else break;
    }
    s.eat(',');
    return os;
  };

  const sectionsBlock = (): SectionsCommand[] => {
    const out: SectionsCommand[] = [];
    s.expect('{', 'after SECTIONS');
    while (!s.eat('}')) {
      if (s.peekChar() === undefined) throw s.error("SECTIONS is not closed ('}' missing)");
      if (s.eat(';')) continue;
      const pos = s.pos();
      const kw = s.peekIdent();
      if (kw === 'PROVIDE' || kw === 'PROVIDE_HIDDEN' || kw === 'HIDDEN') {
        s.ident();
        out.push(wrappedAssignment(kw, pos));
        endStatement(true);
        continue;
      }
      if (kw === 'ASSERT') {
        s.ident();
        out.push(assertStatement(pos));
        s.eat(';');
        continue;
      }
      if (kw === 'ENTRY') {
        s.ident();
        entryCommand();
        continue;
      }
      if (kw === 'OVERLAY') throw new ScriptError('OVERLAY is not supported', pos.line, pos.col);
      if (kw === 'INCLUDE') throw new ScriptError('INCLUDE is not supported', pos.line, pos.col);
      // `name = expr;` (a symbol or `.`) or an output section `name ... : { ... }`.
      const save = [s.i, s.line, s.col];
      const id = s.ident();
      const op = id !== null ? s.peekOp() : null;
      if (id !== null && op !== null && ASSIGN_OPS.includes(op) && !(op === '=' && false)) {
        out.push(assignmentAfterName(id, pos, false, false));
        endStatement();
        continue;
      }
      [s.i, s.line, s.col] = save;
      const name = s.wild();
      if (name === null) throw s.error(`expected an output section or an assignment, found ${s.describe()}`);
      out.push(outputSection(name, pos));
    }
    return out;
  };

  const entryCommand = (): void => {
    s.expect('(', 'after ENTRY');
    const e = s.ident();
    if (e === null) throw s.error(`ENTRY needs a symbol name, found ${s.describe()}`);
    s.expect(')', 'to close ENTRY(');
    script.entry = e;
  };

  const memoryBlock = (): void => {
    s.expect('{', 'after MEMORY');
    while (!s.eat('}')) {
      if (s.peekChar() === undefined) throw s.error("MEMORY is not closed ('}' missing)");
      const pos = s.pos();
      const name = s.wild();
      if (name === null) throw s.error(`expected a memory region name, found ${s.describe()}`);
      let attrs = '';
      let notAttrs = '';
      if (s.eat('(')) {
        const apos = s.pos();
        const a = s.wild() ?? '';
        s.expect(')', 'after the region attributes');
        let neg = false;
        for (const c of a) {
          if (c === '!') neg = true;
          else if ('rwxailRWXAIL'.includes(c)) {
            if (neg) notAttrs += c.toLowerCase();
            else attrs += c.toLowerCase();
          } else throw new ScriptError(`unknown memory attribute '${c}' (expected r, w, x, a, i, l or !)`, apos.line, apos.col);
        }
      }
      s.expect(':', `after memory region '${name}'`);
      const key = (want: string[]): void => {
        const kpos = s.pos();
        const k = s.ident();
        if (k === null || !want.includes(k)) throw new ScriptError(`expected ${want[0]} (or ${want.slice(1).join(', ')}), found ${k === null ? s.describe() : `'${k}'`}`, kpos.line, kpos.col);
        s.expect('=', `after ${k}`);
      };
      key(['ORIGIN', 'org', 'o']);
      const origin = expr();
      s.eat(',');
      key(['LENGTH', 'len', 'l']);
      const length = expr();
      s.eat(',');
      s.eat(';');
      if (script.memory.some((m) => m.name === name)) throw new ScriptError(`memory region '${name}' is defined twice`, pos.line, pos.col);
      script.memory.push({ name, attrs, notAttrs, origin, length, pos });
    }
  };

  const phdrsBlock = (): void => {
    s.expect('{', 'after PHDRS');
    while (!s.eat('}')) {
      if (s.peekChar() === undefined) throw s.error("PHDRS is not closed ('}' missing)");
      const pos = s.pos();
      const name = s.wild();
      if (name === null) throw s.error(`expected a program header name, found ${s.describe()}`);
      const tpos = s.pos();
      const id = s.ident();
      let type: number;
      if (id !== null) {
        if (!(id in PT_TYPES)) throw new ScriptError(`unknown program header type '${id}'`, tpos.line, tpos.col);
        type = PT_TYPES[id];
      } else {
        const n = s.number();
        if (n === null) throw s.error(`expected a program header type, found ${s.describe()}`);
        type = Number(BigInt.asUintN(32, n));
      }
      const ph: ProgramHeaderStatement = { name, type, filehdr: false, phdrs: false, at: null, flags: null, pos };
      while (!s.eat(';')) {
        if (s.peekChar() === undefined || s.isOp('}')) throw s.error(`expected ';' after program header '${name}'`);
        const kpos = s.pos();
        const kw = s.ident();
        if (kw === 'FILEHDR') ph.filehdr = true;
        else if (kw === 'PHDRS') ph.phdrs = true;
        else if (kw === 'AT' || kw === 'FLAGS') {
          s.expect('(', `after ${kw}`);
          const e = expr();
          s.expect(')', `to close ${kw}(`);
          if (kw === 'AT') ph.at = e;
          else ph.flags = e;
        } else if (kw !== null) throw new ScriptError(`unknown program header keyword '${kw}' (expected FILEHDR, PHDRS, AT or FLAGS)`, kpos.line, kpos.col);
        else throw s.error(`unexpected ${s.describe()} in program header '${name}'`);
      }
      script.phdrs.push(ph);
    }
  };

  /** A command that takes a parenthesised list we accept and do not need (OUTPUT_ARCH, ...). */
  const skipParens = (kw: string): void => {
    s.expect('(', `after ${kw}`);
    let depth = 1;
    while (depth > 0) {
      const c = s.peekChar();
      if (c === undefined) throw s.error(`${kw}( is not closed`);
      if (c === '"') s.string();
      else if (s.eat('(')) depth++;
      else if (s.eat(')')) depth--;
      else if (s.wild(true) === null && s.number() === null) s.eat(s.peekOp() ?? c);
    }
  };

  while (s.skip()) {
    if (s.eat(';')) continue;
    const pos = s.pos();
    const kw = s.peekIdent();
    switch (kw) {
      case 'ENTRY':
        s.ident();
        entryCommand();
        continue;
      case 'OUTPUT_ARCH':
      case 'OUTPUT_FORMAT':
      case 'SEARCH_DIR':
      case 'TARGET':
      case 'STARTUP':
      case 'OUTPUT':
      case 'FORCE_COMMON_ALLOCATION':
      case 'INHIBIT_COMMON_ALLOCATION':
      case 'NOCROSSREFS':
      case 'EXTERN':
      case 'REGION_ALIAS':
        s.ident();
        if (s.isOp('(')) skipParens(kw);
        continue;
      case 'MEMORY':
        s.ident();
        memoryBlock();
        continue;
      case 'PHDRS':
        s.ident();
        phdrsBlock();
        continue;
      case 'SECTIONS':
        s.ident();
        if (script.sections) throw new ScriptError('a second SECTIONS command (rvx reads one)', pos.line, pos.col);
        script.sections = sectionsBlock();
        continue;
      case 'ASSERT':
        s.ident();
        script.outside.push(assertStatement(pos));
        continue;
      case 'PROVIDE':
      case 'PROVIDE_HIDDEN':
      case 'HIDDEN':
        s.ident();
        script.outside.push(wrappedAssignment(kw, pos));
        endStatement(true);
        continue;
      case 'INCLUDE':
      case 'INPUT':
      case 'GROUP':
      case 'OVERLAY':
      case 'VERSION':
      case 'INSERT':
        throw new ScriptError(`${kw} is not supported by rvx ld`, pos.line, pos.col);
    }
    const id = s.ident();
    if (id !== null && s.peekOp() !== null && ASSIGN_OPS.includes(s.peekOp()!)) {
      if (id === '.') throw new ScriptError('the location counter can only be set inside SECTIONS', pos.line, pos.col);
      script.outside.push(assignmentAfterName(id, pos, false, false));
      endStatement();
      continue;
    }
    throw new ScriptError(`unknown command ${id !== null ? `'${id}'` : s.describe()}`, pos.line, pos.col);
  }
  return script;
}
