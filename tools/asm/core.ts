// The state of one assembly unit and the services every part of the assembler uses: diagnostics, the
// symbol table (labels, numeric local labels, `.set` values), input sections, the current statement's
// operand ranges, and the listing. The reader (unit.ts), operand parser (operands.ts), instruction emitter
// (emit.ts) and the directive modules build on it.

import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../elf/model.js';
import type { Diagnostic } from './diagnostics.js';
import { AsmError, E_NUM, E_SYM, evaluate, ExprParser, isIdentChar, isIdentStart, type Expr, type Loc, type LocCtx, type RelValue, Sym } from './expr.js';
import { formatIsa, zbMask, type Attributes, type Isa } from './attributes.js';
import { LineTable } from './dwarf-line.js';
import { FrameTable } from './dwarf-frame.js';
import { InputSection, type Fixup } from './section.js';
import { isSpace, literalEnd, skipWs } from './lex.js';
import type { SourceReader, SourceStream } from './source.js';

export interface SourceFile {
  name: string;
  text: string;
  /**
   * In place of `text` (then ''): the file's bytes, read and decoded a piece of whole lines at a time as the
   * assembler goes (tools/asm/source.ts), so a large file is never one string or one buffer.
   */
  stream?: SourceStream;
}

/** Finds an included file: `path` as written, `from` the including file's name. */
export type IncludeResolver = (path: string, from: string) => SourceFile | null;

/** Finds the bytes `.incbin` names (same arguments as IncludeResolver). */
export type BinaryResolver = (path: string, from: string) => Uint8Array | null;

export interface ListingLine {
  section: InputSection;
  /** Fragment numbers in `section`. */
  startFrag: number;
  startOff: number;
  endFrag: number;
  endOff: number;
  file: string;
  line: number;
  /** The statement's text is src[start, end) (read when the listing is formatted). */
  src: string;
  start: number;
  end: number;
}

/** A pending operand: a field whose value comes from an expression evaluated after layout. */
export interface Pending {
  field: number;
  kind: number;
  expr: Expr;
  pcAdjust: number;
  operand: number;
}

export interface MacroParam {
  name: string;
  def: string | null;
  req: boolean;
  vararg: boolean;
}

export interface Macro {
  name: string;
  params: MacroParam[];
  lines: string[];
  files: string[];
  lineNos: number[];
  /** The start of the last expansion's note, `in expansion of macro 'm' at FILE:`, and that FILE: called
   * again from the same file, only the line number is added. */
  noteHead: string;
  noteFile: string | null;
  /**
   * Expanded bodies by argument text (the call's operands, trimmed): the same arguments give the same lines,
   * so a call seen before pushes the lines it made then. Null while the body is collected and for a body that
   * may use `\@` (each expansion differs).
   */
  expansions: Map<string, string[]> | null;
}

/** A source of lines: a file being read, or the expansion of a macro or repetition. */
export interface Frame {
  file: string;
  // File frames.
  text: string;
  pos: number;
  line: number;
  /** A file read by pieces (SourceFile.stream): what reads the pieces after `text`; null once `text` holds
   * the file's last piece (and for every other frame). */
  reader: SourceReader | null;
  // Expansion frames.
  lines: string[] | null;
  lineFiles: string[] | null;
  lineNos: number[] | null;
  idx: number;
  note: string | undefined;
  macroDepth: number;
  includeDepth: number;
  /** Conditional nesting when the frame started (a macro's .exitm pops back to it). */
  condDepth: number;
  /** File frames after a C preprocessor line marker (`# 12 "x.S"`): the file and line offset diagnostics use. */
  markFile: string | null;
  markDelta: number;
  /** Saved (markFile, markDelta) of the lines that entered a file with flag 1 (`# 1 "m.c" 1`). */
  markStack?: [string | null, number][];
}

export interface Collect {
  kind: 'macro' | 'rept' | 'irp' | 'irpc';
  depth: number;
  lines: string[];
  files: string[];
  lineNos: number[];
  loc: Loc;
  macro: Macro | null;
  count: number;
  irpName: string;
  irpValues: string[];
}

export interface Cond {
  /** Lines are processed. */
  active: boolean;
  /** Some branch of this .if was taken already. */
  taken: boolean;
  /** The enclosing state was active. */
  parent: boolean;
  loc: Loc;
}

export const SECTION_DEFAULTS: Record<string, [type: number, flags: number]> = {
  '.text': [SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR],
  '.data': [SHT_PROGBITS, SHF_ALLOC | SHF_WRITE],
  '.sdata': [SHT_PROGBITS, SHF_ALLOC | SHF_WRITE],
  '.rodata': [SHT_PROGBITS, SHF_ALLOC],
  '.srodata': [SHT_PROGBITS, SHF_ALLOC],
  '.bss': [SHT_NOBITS, SHF_ALLOC | SHF_WRITE],
  '.sbss': [SHT_NOBITS, SHF_ALLOC | SHF_WRITE],
  '.tbss': [SHT_NOBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS],
  '.tdata': [SHT_PROGBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS],
};

/** constNum of a constant beyond 32 bits: a small integer outside every operand field's range (the widest,
 * jimm21, reaches 2^20), so a field given it reports the same range error as for the value itself. */
export const WIDE_CONST = 0x40000000;

function defaultSection(name: string): [number, number] {
  for (const [prefix, v] of Object.entries(SECTION_DEFAULTS)) if (name === prefix || name.startsWith(prefix + '.')) return v;
  return [SHT_PROGBITS, 0];
}

/** A unit's state; its members are shared by the assembler's modules (tools/asm), not a public API. */
export class UnitCore {
  symbols = new Map<string, Sym>();
  sections: InputSection[] = [];
  sec: InputSection;
  prevSec: InputSection;
  secStack: [InputSection, InputSection][] = [];
  rvc: boolean;
  optStack: [rvc: boolean, pic: boolean, relax: boolean, arch: Isa, archAttr: Isa | null][] = [];
  /**
   * The instruction set in force (`--march`, then `.option arch` and `.attribute arch`), in the attribute
   * module's form; `zb` is its bit-manipulation extensions as attributes.ts ZB_BITS (instructions of the
   * others are refused).
   */
  arch: Isa = { xlen: 64, exts: new Map() };
  zb = 0;
  /** `.option relax` (the default) or `norelax`: whether `-c --relax` may mark the code for linker relaxation. */
  relax = true;
  /**
   * `--compat gnu`: make GNU as's choices where it and LLVM differ (compression of some forms, `li`
   * sequences, code-alignment nops); see docs/assembler.md "Drop-in". Off: LLVM's (llvm-mc 14) choices.
   */
  gnu = false;
  /** --compat gnu, -c with relaxation: GNU as pads the end of code sections with zeros, not nops. */
  gnuRelaxObject = false;
  /** Writing a relocatable object (-c): a global `.comm` symbol is left to the linker (SHN_COMMON). */
  objectFile = false;
  /** Set by a statement whose written form GNU as never compresses (`mv rd, zero`, `jalr rd, rs`...). */
  noCompress = false;
  /** A CSR operand or a privileged instruction (wfi, mret, sret, sfence.vma) was assembled: GNU as then
   * writes the Tag_RISCV_priv_spec attributes of its default privileged spec (tools/ld/write-object.ts). */
  privUsed = false;
  macros = new Map<string, Macro>();
  localLabels = new Map<string, { last: Sym | null; next: Sym | null; count: number }>();
  /** Which definition of its number each numeric local label is (1 for the first `1:`, ...): GNU as names
   * the label `.L1\x021` in an object's symbol table (write-object.ts). */
  localLabelInstance = new Map<Sym, number>();
  frames: Frame[] = [];
  /** The last finished expansion frame, taken by the next expansion instead of a new object (the benchmark's
   * one macro is called 8,000 times); null when none is free. */
  spareFrame: Frame | null = null;
  collect: Collect | null = null;
  conds: Cond[] = [];
  macroCounter = 0;
  expandedLines = 0;
  listing: ListingLine[] = [];
  /** Statement context. */
  s = '';
  /** The current statement is s[stmtStart, stmtEnd) (for the listing). */
  stmtStart = 0;
  stmtEnd = 0;
  lineStart = 0;
  loc: Loc = { file: '', line: 0, col: 0, note: undefined };
  frame!: Frame;
  ended = false;
  /** Set by .exitm: the rest of the current line is not assembled. */
  abandonLine = false;
  // Operand ranges of the current statement.
  opS = new Int32Array(32);
  opE = new Int32Array(32);
  nops = 0;
  mnemonicPos = 0;
  parser: ExprParser;
  /** Result of parseValue: constant or expression (with a modifier fixup kind, or -1). */
  /**
   * parseValue's constant as a number: exact when it is a signed 32-bit integer (constWide false), else
   * WIDE_CONST, a value no operand field accepts (constVal holds it exactly). So the field only ever holds
   * V8 small integers: one heap number stored here would change the field's representation, deprecate the
   * unit's map and deoptimise every optimised function that reads the unit.
   */
  constNum = 0;
  constWide = false;
  constBig = 0n;
  constIsBig = false;
  /** parseValue's constant, exact. */
  get constVal(): bigint {
    return this.constIsBig ? this.constBig : BigInt(this.constNum);
  }
  set constVal(v: bigint) {
    this.constBig = v;
    this.constIsBig = true;
    const wide = v < -0x80000000n || v > 0x7fffffffn;
    this.constWide = wide;
    this.constNum = wide ? WIDE_CONST : Number(v);
  }
  valExpr: Expr | null = null;
  valMod = -1;
  fileSymbols: string[] = [];
  /** `.attribute` values, for the `.riscv.attributes` section (arch null: the --march default). */
  attrs: Attributes = { ints: new Map(), strs: new Map(), arch: null };

  /** Start from the --march instruction set (its attribute form). */
  setMarch(isa: Isa): void {
    this.arch = isa;
    this.zb = zbMask(isa);
  }
  /** `.file N` / `.loc` rows, written to .debug_line at the end of the unit. */
  lines: LineTable | null = null;
  frames_: FrameTable | null = null;
  /** When linking: the COMDAT group signatures kept so far in the link (see Unit.discardGroups). */
  keptGroups: Set<string> | null = null;
  weakrefTargets: Sym[] = [];
  declaredLocal = new Set<Sym>();
  /** ELF visibility set by `.internal` (1), `.hidden` (2) or `.protected` (3): the last one given wins (GNU as). */
  visibility = new Map<Sym, number>();
  symvers: [alias: Sym, target: Sym, local: boolean][] = [];
  pendingRelocs: Fixup[] = [];
  /** The section of each pending .reloc (its fragment is a number in it). */
  pendingRelocSecs: InputSection[] = [];

  constructor(
    public index: number,
    public name: string,
    rvc: boolean,
    readonly diags: Diagnostic[],
    readonly include: IncludeResolver | null,
    readonly wantListing: boolean,
    readonly binary: BinaryResolver | null = null,
  ) {
    this.rvc = rvc;
    this.parser = new ExprParser({
      symbol: (n) => this.symbol(n),
      dot: () => this.dotSymbol(),
      localLabel: (n, fwd, pos) => this.localRef(n, fwd, pos),
    });
    this.sec = this.section('.text', null, null);
    this.prevSec = this.sec;
  }

  // ---- diagnostics ----------------------------------------------------------------------------------

  error(message: string, pos = -1): void {
    this.diag('error', message, pos);
  }

  warn(message: string, pos = -1): void {
    this.diag('warning', message, pos);
  }

  diag(severity: 'error' | 'warning', message: string, pos: number): void {
    const col = pos >= 0 ? pos - this.lineStart + 1 : this.loc.col;
    this.diags.push({ file: this.loc.file, line: this.loc.line, col: col > 0 ? col : 1, severity, message: this.loc.note ? `${message} (${this.loc.note})` : message });
  }

  /** Where the current statement's operand `pos` is, for fixups evaluated later. */
  locAt(pos: number): Loc {
    return { file: this.loc.file, line: this.loc.line, col: this.locCol(pos), note: this.loc.note };
  }

  /** The column of the current statement's operand `pos` (-1: the statement's). */
  locCol(pos: number): number {
    const col = pos >= 0 ? pos - this.lineStart + 1 : this.loc.col;
    return col > 0 ? col : 1;
  }

  /** Record that `s` is defined by the current statement, at its operand `pos` (-1: the statement). */
  defineAt(s: Sym, pos: number): void {
    s.defCtx = this.locCtx();
    s.defLine = this.loc.line;
    s.defCol = this.locCol(pos);
  }

  private fileCtx: LocCtx = { file: '', note: undefined };
  private noteCtx: LocCtx = { file: '', note: undefined };
  /** The current line's file and note as one object shared by the records made until either changes (a
   * file's own lines share one across macro expansions). */
  locCtx(): LocCtx {
    const l = this.loc;
    if (l.note === undefined) {
      let c = this.fileCtx;
      if (c.file !== l.file) this.fileCtx = c = { file: l.file, note: undefined };
      return c;
    }
    let c = this.noteCtx;
    if (c.file !== l.file || c.note !== l.note) this.noteCtx = c = { file: l.file, note: l.note };
    return c;
  }

  // ---- symbols --------------------------------------------------------------------------------------

  newSym(name: string, temp: boolean): Sym {
    return new Sym(name, temp);
  }

  symbol(name: string): Sym {
    let s = this.symbols.get(name);
    if (!s) {
      // A name of 13 characters or more cut from a line is, in V8, a view of the text it was cut from, and
      // the symbol keeps it for the whole unit: the 32 KB piece of the file (SourceFile.stream) or the whole
      // file. The symbol and its Map key get a copy of their own instead: (' ' + name) is a new string, and
      // slice(1) of it keeps only that.
      const own = name.length >= 13 ? (' ' + name).slice(1) : name;
      s = this.newSym(own, own.startsWith('.L'));
      this.symbols.set(own, s);
    }
    return s;
  }

  dotSymbol(): Sym {
    const s = this.newSym(`.`, true);
    this.placeLabel(s);
    return s;
  }

  /**
   * GNU as 2.40's mapping symbols (tc-riscv.c riscv_mapping_state), in `--compat gnu` objects: in a code
   * section, `$x<isa>` where the first instruction or code alignment goes, and again where an instruction
   * goes after the ISA changed (.option arch); `$x` where instructions follow data, `$d` where data (or an
   * alignment with a fill value) follows code. Placed without a new fragment (GNU's fragments decide branch
   * sizes under --compat gnu): at the end of the section's last fragment. Kept and pruned in
   * tools/ld/write-object.ts. `align`: for a code alignment, which does not restart `$x<isa>` on an ISA change.
   */
  mapState(kind: number, align: boolean): void {
    const sec = this.sec;
    if (!this.gnu || !this.objectFile || !(sec.flags & SHF_EXECINSTR)) return;
    let name: string;
    if (kind === 1) {
      // The ISA in force, with `.option rvc`/`norvc` (which GNU as applies to its ISA as +c/-c).
      if (this.mapArchOf !== this.arch || this.mapArchRvc !== this.rvc) {
        this.mapArchOf = this.arch;
        this.mapArchRvc = this.rvc;
        const exts = new Map(this.arch.exts);
        if (this.rvc && !exts.has('c')) exts.set('c', [2, 0]);
        else if (!this.rvc) exts.delete('c');
        this.mapArchStr = formatIsa({ xlen: this.arch.xlen, exts });
      }
      const restart = sec.mapArch === null || (!align && sec.mapArch !== this.mapArchStr);
      if (!restart && sec.mapState === 1) return;
      name = restart ? `$x${this.mapArchStr}` : '$x';
      if (restart) sec.mapArch = this.mapArchStr;
    } else {
      if (sec.mapState === 2) return;
      name = '$d';
    }
    sec.mapState = kind;
    const last = sec.nFrags - 1;
    const sym = this.newSym(name, false);
    sym.kind = 1;
    sym.section = sec;
    sym.frag = last;
    sym.offset = sec.fSize[last];
    (sec.maps ??= []).push(sym);
  }
  private mapArchOf: unknown = null;
  private mapArchRvc = false;
  private mapArchStr = '';

  placeLabel(s: Sym): void {
    const sec = this.sec;
    if (sec.fBr[sec.cur] < -1 || sec.nFrags - 1 !== sec.cur) sec.newData();
    s.kind = 1;
    sec.hasLabels = true;
    s.section = sec;
    s.frag = sec.cur;
    s.offset = sec.fSize[sec.cur];
  }

  localRef(n: string, forward: boolean, pos: number): Sym {
    let e = this.localLabels.get(n);
    if (!e) {
      e = { last: null, next: null, count: 0 };
      this.localLabels.set(n, e);
    }
    if (forward) {
      if (!e.next) e.next = this.newSym(`${n}f`, true);
      return e.next;
    }
    if (!e.last) throw new AsmError(`no previous definition of local label '${n}' (referenced as '${n}b')`, pos);
    return e.last;
  }

  defineLabel(name: string, pos: number): void {
    const s = this.symbol(name);
    if (s.kind !== 0) {
      // The same label again where it already is (nothing emitted in between) is no error in GNU as
      // (symbols.c, colon: "don't blow up if the definition is the same"); riscv-arch-test's pmp64 tests
      // write `main:` twice.
      const sec = this.sec;
      if (s.kind === 1 && s.section === sec && s.frag === sec.cur && s.offset === sec.curSize()) return;
      this.error(`symbol '${name}' is already defined${s.defCtx ? ` (first defined at ${s.defCtx.file}:${s.defLine})` : ''}`, pos);
      return;
    }
    this.placeLabel(s);
    this.defineAt(s, pos);
  }

  defineLocalLabel(n: string): void {
    let e = this.localLabels.get(n);
    if (!e) {
      e = { last: null, next: null, count: 0 };
      this.localLabels.set(n, e);
    }
    const s = e.next ?? this.newSym(n, true);
    e.next = null;
    e.count++;
    s.name = `${n}`;
    this.localLabelInstance.set(s, e.count);
    this.placeLabel(s);
    this.defineAt(s, -1);
    e.last = s;
  }

  /** The value of a symbol while assembling: constants, labels relative to their fragment. */
  readonly nowResolve = (s: Sym): RelValue | null => {
    if (s.kind === 2) return { base: null, off: s.value };
    if (s.kind === 1) return { base: s.section!.fragRef(s.frag), off: BigInt(s.offset) };
    if (s.kind === 3 && s.expr && !s.evaluating) {
      s.evaluating = true;
      try {
        return evaluate(s.expr, this.nowResolve);
      } finally {
        s.evaluating = false;
      }
    }
    return null;
  };

  /** Absolute value of an expression now, or null if it depends on something not known yet. */
  evalNow(e: Expr): bigint | null {
    if (e.t === E_NUM) return e.v;
    if (e.t === E_SYM) {
      // The common operand, a label or a symbol not defined yet: not absolute now (what nowResolve and
      // evaluate would say, without their result objects).
      const s = e;
      if (s.kind === 0 || (s.kind === 1 && s.frag >= 0)) return null;
    }
    const v = evaluate(e, this.nowResolve);
    if (!v || v.base) return null;
    return v.off;
  }

  // ---- sections -------------------------------------------------------------------------------------

  /** The section named `name` in `group` (null: in no group) with `.section`'s `unique` id (-1: none) and
   * SHF_LINK_ORDER symbol (null: none), made on first use. */
  section(name: string, flags: number | null, type: number | null, group: InputSection['group'] = null, uniqueId = -1, linkOrder: InputSection['linkOrder'] = null): InputSection {
    const sig = group?.signature ?? null;
    let sec = this.sections.find((x) => x.name === name && (x.group?.signature ?? null) === sig && x.uniqueId === uniqueId && (x.linkOrder?.symbol ?? null) === (linkOrder?.symbol ?? null));
    if (!sec) {
      const [t, f] = defaultSection(name);
      sec = new InputSection(name, type ?? t, flags ?? f, this.index, this.name);
      sec.group = group;
      sec.uniqueId = uniqueId;
      sec.linkOrder = linkOrder;
      // Code sections start aligned to the instruction size, as LLVM's .text (2 with C, else 4); GNU as
      // (--compat gnu) gives only .text that alignment (tc-riscv.c, md_begin) and other sections what
      // their alignment directives ask for. (.text is made before `gnu` is set.)
      if (sec.flags & SHF_EXECINSTR && !this.gnu) sec.align = this.rvc ? 2 : 4;
      this.sections.push(sec);
    }
    return sec;
  }

  switchSection(sec: InputSection): void {
    if (sec !== this.sec) {
      this.prevSec = this.sec;
      this.sec = sec;
    }
  }

  /** Split s[p, end) into operands at top-level commas. */
  splitOperands(p: number, end: number, allowEmpty = false): number {
    const s = this.s;
    let n = 0;
    p = skipWs(s, p, end);
    if (p >= end) {
      this.nops = 0;
      return 0;
    }
    let depth = 0;
    let st = p;
    const opS = this.opS;
    const opE = this.opE;
    for (let i = p; i <= end; i++) {
      const c = i < end ? s.charCodeAt(i) : 44;
      // Letters, digits and most punctuation need nothing: only ( ) " ' , matter here.
      if (c > 44) continue;
      if (c === 40) depth++;
      else if (c === 41) depth--;
      // A string or character literal (an unterminated one runs to the end, reported by its parser).
      else if (c === 34 || c === 39) i = literalEnd(s, i, end);
      else if (c === 44 && (depth <= 0 || i === end)) {
        let a = st;
        let b = i;
        while (a < b && isSpace(s.charCodeAt(a))) a++;
        while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
        if (n >= 32) throw new AsmError('too many operands', st);
        if (a === b && !allowEmpty) throw new AsmError('missing operand', a);
        opS[n] = a;
        opE[n] = b;
        n++;
        st = i + 1;
        depth = 0;
      }
    }
    this.nops = n;
    return n;
  }

  /**
   * An instruction's operands and its statement's end in one pass: splitOperands(p, e) where e is
   * statementEnd of the statement, for a statement whose text before p holds no string or character
   * literal (so the scan from p is where statementEnd's from the statement's start would be). `end` is
   * the line's end. Sets stmtEnd and returns it.
   */
  splitStatement(p: number, end: number): number {
    const s = this.s;
    let n = 0;
    p = skipWs(s, p, end);
    let depth = 0;
    let st = p;
    const opS = this.opS;
    const opE = this.opE;
    for (let i = p; ; i++) {
      let c = 44;
      let last = i >= end;
      if (!last) {
        c = s.charCodeAt(i);
        // Letters, digits and most punctuation need nothing: only ( ) " ' , and the ends ; # // matter.
        if (c > 44 && c !== 59 && c !== 47) continue;
        if (c === 59 || c === 35) last = true;
        else if (c === 47) {
          if (i + 1 >= end || s.charCodeAt(i + 1) !== 47) continue;
          last = true;
        }
      }
      if (last) {
        if (i === p) break; // no operands
        c = 44;
      }
      if (c === 40) depth++;
      else if (c === 41) depth--;
      // A string or character literal (an unterminated one runs to the end, reported by its parser).
      else if (c === 34 || c === 39) i = literalEnd(s, i, end);
      else if (c === 44 && (depth <= 0 || last)) {
        let a = st;
        let b = i;
        while (a < b && isSpace(s.charCodeAt(a))) a++;
        while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
        if (n >= 32) throw new AsmError('too many operands', st);
        if (a === b) throw new AsmError('missing operand', a);
        opS[n] = a;
        opE[n] = b;
        n++;
        st = i + 1;
        depth = 0;
        if (last) {
          p = i;
          break;
        }
      }
    }
    this.nops = n;
    this.stmtEnd = p;
    return p;
  }

  operandText(i: number): string {
    return this.s.slice(this.opS[i], this.opE[i]);
  }

  /** Operand i as a symbol name: an identifier, or any text in double quotes (GNU as quoted names). */
  symbolNameOperand(i: number): string {
    const t = this.operandText(i);
    if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' && t.indexOf('"', 1) === t.length - 1) return t.slice(1, -1);
    if (!isIdentStart(t.charCodeAt(0)) || ![...t].every((ch) => isIdentChar(ch.charCodeAt(0)))) throw new AsmError(`expected a symbol name, got '${t}'`, this.opS[i]);
    return t;
  }

  // ---- listing --------------------------------------------------------------------------------------

  listingStart(): { sec: InputSection; frag: number; off: number } {
    return { sec: this.sec, frag: this.sec.cur, off: this.sec.curSize() };
  }

  listingEnd(st: { sec: InputSection; frag: number; off: number }): void {
    const sec = this.sec;
    if (sec !== st.sec) return;
    const endFrag = sec.nFrags - 1;
    if (endFrag === st.frag && sec.fSize[endFrag] === st.off) return;
    this.listing.push({
      section: sec, startFrag: st.frag, startOff: st.off, endFrag, endOff: sec.fSize[endFrag],
      file: this.loc.file, line: this.loc.line, src: this.s, start: this.stmtStart, end: this.stmtEnd,
    });
  }

}
