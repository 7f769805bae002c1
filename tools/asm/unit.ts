// One assembly unit: a top-level source file with what it includes. Reads lines, expands macros and
// repetitions, handles directives, and turns instructions into fragments and fixups (tools/asm/section.ts).
// Instruction operands are parsed generically from the table's syntax slots (isa/instructions.ts); the
// pseudo-instructions of tools/asm/pseudo.ts rewrite into table rows.

import { compress } from '../../isa/compress.js';
import { encode, expansionPlan } from '../../isa/codec.js';
import { csrByName } from '../../isa/csrs.js';
import { INSTRUCTION_BY_NAME, type InstrDef, type SyntaxSlot } from '../../isa/instructions.js';
import { insertOperand, operandRangeError, type OperandField } from '../../isa/operands.js';
import { fpRegisterNumber, ROUNDING_MODES } from '../../isa/registers.js';
import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../elf/model.js';
import type { Diagnostic } from './diagnostics.js';
import {
  AsmError,
  E_BIN,
  E_NUM,
  E_SYM,
  OP_ADD,
  escapeValue,
  evaluate,
  ExprParser,
  forEachSymbol,
  isIdentChar,
  isIdentStart,
  type Expr,
  type Loc,
  type RelValue,
  type Sym,
} from './expr.js';
import { encodeBits } from '../../isa/codec.js';
import { PSEUDOS } from './pseudo.js';
import { ATTRIBUTE_TAGS, TAG_ARCH, parseIsa, type Attributes } from './attributes.js';
import { LineTable } from './dwarf-line.js';
import { FrameTable } from './dwarf-frame.js';
import {
  Frag,
  FIX_ABS,
  FIX_DATA,
  FIX_HI,
  FIX_LO,
  FIX_PCREL,
  FIX_PCREL_HI,
  FIX_PCREL_LO,
  FIX_TPREL_HI,
  FIX_TPREL_LO,
  FIX_GOT_HI,
  FIX_TLS_IE_HI,
  FIX_TLS_GD_HI,
  FIX_NONE,
  FIX_TPREL_ADD,
  DATA_DTPOFF,
  FRAG_ALIGN,
  FRAG_DATA,
  FRAG_FILL,
  FRAG_LEB,
  FRAG_ORG,
  encodeLeb,
  FRAG_RELAX,
  InputSection,
  type Fixup,
} from './section.js';

export interface SourceFile {
  name: string;
  text: string;
}

/** Finds an included file: `path` as written, `from` the including file's name. */
export type IncludeResolver = (path: string, from: string) => SourceFile | null;

/** Finds the bytes `.incbin` names (same arguments as IncludeResolver). */
export type BinaryResolver = (path: string, from: string) => Uint8Array | null;

export interface ListingLine {
  section: InputSection;
  startFrag: Frag;
  startOff: number;
  endFrag: Frag;
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

interface MacroParam {
  name: string;
  def: string | null;
  req: boolean;
  vararg: boolean;
}

interface Macro {
  name: string;
  params: MacroParam[];
  lines: string[];
  files: string[];
  lineNos: number[];
}

/** A source of lines: a file being read, or the expansion of a macro or repetition. */
interface Frame {
  file: string;
  // File frames.
  text: string;
  pos: number;
  line: number;
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

interface Collect {
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

interface Cond {
  /** Lines are processed. */
  active: boolean;
  /** Some branch of this .if was taken already. */
  taken: boolean;
  /** The enclosing state was active. */
  parent: boolean;
  loc: Loc;
}

/** F/D/Q/Zfh mnemonics and their pseudo-instructions, for a clearer message (rvx is RV64IMAC). */
const LOADS = new Set(['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu']);
const STORES = new Set(['sb', 'sh', 'sw', 'sd']);
const PCREL_FIELDS = new Set(['bimm13', 'jimm21', 'c_bimm9', 'c_jimm12']);
const RELAXABLE_C = new Set(['c.beqz', 'c.bnez', 'c.j']);

/** Register names to numbers: x0..x31, ABI names and fp, lower case. */
const REGS = new Map<string, number>();
{
  const abi = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
    's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
  abi.forEach((n, i) => REGS.set(n, i));
  for (let i = 0; i < 32; i++) REGS.set(`x${i}`, i);
  REGS.set('fp', 8);
}

/** Decimal suffix s[a, b) without leading zeros, or -1. */
function regIndex(s: string, a: number, b: number): number {
  if (a >= b || b - a > 2) return -1;
  const d0 = s.charCodeAt(a) - 48;
  if (d0 < 0 || d0 > 9) return -1;
  if (b - a === 1) return d0;
  if (d0 === 0) return -1;
  const d1 = s.charCodeAt(a + 1) - 48;
  if (d1 < 0 || d1 > 9) return -1;
  return d0 * 10 + d1;
}

/** Register named by s[a, b) (x0..x31, ABI names, fp; letters in any case), or -1. No allocation. */
export function parseReg(s: string, a: number, b: number): number {
  const n = b - a;
  if (n < 2 || n > 4) return -1;
  const c0 = s.charCodeAt(a) | 0x20;
  const c1 = s.charCodeAt(a + 1) | 0x20;
  let k: number;
  switch (c0) {
    case 120: // x
      k = regIndex(s, a + 1, b);
      return k >= 0 && k <= 31 ? k : -1;
    case 97: // a
      k = regIndex(s, a + 1, b);
      return k >= 0 && k <= 7 ? 10 + k : -1;
    case 115: // s
      if (n === 2 && c1 === 112) return 2;
      k = regIndex(s, a + 1, b);
      return k < 0 ? -1 : k <= 1 ? 8 + k : k <= 11 ? 16 + k : -1;
    case 116: // t
      if (n === 2 && c1 === 112) return 4;
      k = regIndex(s, a + 1, b);
      return k < 0 ? -1 : k <= 2 ? 5 + k : k <= 6 ? 25 + k : -1;
    case 114: // ra
      return n === 2 && c1 === 97 ? 1 : -1;
    case 103: // gp
      return n === 2 && c1 === 112 ? 3 : -1;
    case 102: // fp
      return n === 2 && c1 === 112 ? 8 : -1;
    case 122: // zero
      return n === 4 && c1 === 101 && (s.charCodeAt(a + 2) | 0x20) === 114 && (s.charCodeAt(a + 3) | 0x20) === 111 ? 0 : -1;
    default:
      return -1;
  }
}

export function regNumber(name: string): number {
  const r = REGS.get(name);
  if (r !== undefined) return r;
  const l = REGS.get(name.toLowerCase());
  return l === undefined ? -1 : l;
}

/** Per table row: where each syntax slot's values go in def.fields. */
interface SlotPlan {
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
function slotPlan(def: InstrDef): SlotPlan[] {
  let p = def.id >= 0 ? plans[def.id] : insnPlans.get(def);
  if (p) return p;
  p = def.slots.map((s: SyntaxSlot): SlotPlan => {
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
 * compress() results by operand values, for rows whose values pack exactly into one number (every base
 * row: registers take 5 bits, immediates their field width). Real code repeats the same register/offset
 * combinations (sp-relative loads and stores, moves), so most lookups hit; the cache is bounded.
 */
const compressCaches: (Map<number, ReturnType<typeof compress>> | undefined)[] = [];
const packRanges: (number[] | null)[] = [];
function packRangesOf(def: InstrDef): number[] | null {
  let r = packRanges[def.id];
  if (r !== undefined) return r;
  let total = 1;
  const ranges: number[] = [];
  for (const f of def.fields) {
    const span = f.kind === 'reg' ? 32 : 2 ** f.bits;
    total *= span;
    ranges.push(span, f.kind === 'reg' ? 0 : f.signed ? 2 ** (f.bits - 1) : 0);
  }
  // Keys stay small integers (V8 Smis) so lookups are cheap.
  r = total <= 2 ** 30 ? ranges : null;
  packRanges[def.id] = r;
  return r;
}

function cachedCompress(def: InstrDef, values: readonly number[]): ReturnType<typeof compress> {
  if (def.id < 0) return compress(def, values);
  const ranges = packRangesOf(def);
  if (ranges === null) return compress(def, values);
  let key = 0;
  for (let i = 0, k = 0; i < def.fields.length; i++, k += 2) {
    const v = values[i] + ranges[k + 1];
    if (!(v >= 0 && v < ranges[k]) || v !== Math.floor(v)) return compress(def, values);
    key = key * ranges[k] + v;
  }
  let cache = compressCaches[def.id];
  if (cache === undefined) compressCaches[def.id] = cache = new Map();
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const c = compress(def, values);
  if (cache.size >= 1 << 15) cache.clear();
  cache.set(key, c);
  return c;
}

const MODIFIERS: Record<string, number> = {
  hi: FIX_HI, lo: FIX_LO, pcrel_hi: FIX_PCREL_HI, pcrel_lo: FIX_PCREL_LO, tprel_hi: FIX_TPREL_HI, tprel_lo: FIX_TPREL_LO,
  got_pcrel_hi: FIX_GOT_HI, tls_ie_pcrel_hi: FIX_TLS_IE_HI, tls_gd_pcrel_hi: FIX_TLS_GD_HI, tprel_add: FIX_NONE,
};
const AUIPC_MODS = new Set([FIX_PCREL_HI, FIX_GOT_HI, FIX_TLS_IE_HI, FIX_TLS_GD_HI]);

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

function defaultSection(name: string): [number, number] {
  for (const [prefix, v] of Object.entries(SECTION_DEFAULTS)) if (name === prefix || name.startsWith(prefix + '.')) return v;
  return [SHT_PROGBITS, 0];
}

export class Unit {
  symbols = new Map<string, Sym>();
  sections: InputSection[] = [];
  sec: InputSection;
  prevSec: InputSection;
  private secStack: [InputSection, InputSection][] = [];
  rvc: boolean;
  private optStack: [boolean, boolean, boolean][] = [];
  /** `.option relax` (the default) or `norelax`: whether `-c --relax` may mark the code for linker relaxation. */
  relax = true;
  macros = new Map<string, Macro>();
  private localLabels = new Map<string, { last: Sym | null; next: Sym | null; count: number }>();
  private frames: Frame[] = [];
  private collect: Collect | null = null;
  private conds: Cond[] = [];
  private macroCounter = 0;
  private expandedLines = 0;
  listing: ListingLine[] = [];
  /** Statement context. */
  s = '';
  private lineStart = 0;
  private loc: Loc = { file: '', line: 0, col: 0, note: undefined };
  private frame!: Frame;
  private ended = false;
  /** Set by .exitm: the rest of the current line is not assembled. */
  private abandonLine = false;
  // Operand ranges of the current statement.
  opS = new Int32Array(32);
  opE = new Int32Array(32);
  nops = 0;
  private mnemonicPos = 0;
  parser: ExprParser;
  /** Result of parseValue: constant or expression (with a modifier fixup kind, or -1). */
  /** parseValue's constant: as a number (exact within ±2^48; clamped beyond, which no field accepts). */
  constNum = 0;
  private constBig = 0n;
  private constIsBig = false;
  /** parseValue's constant, exact. */
  get constVal(): bigint {
    return this.constIsBig ? this.constBig : BigInt(this.constNum);
  }
  set constVal(v: bigint) {
    this.constBig = v;
    this.constIsBig = true;
    this.constNum = toNumber(v);
  }
  valExpr: Expr | null = null;
  valMod = -1;
  fileSymbols: string[] = [];
  /** `.attribute` values, for the `.riscv.attributes` section (arch null: the --march default). */
  attrs: Attributes = { ints: new Map(), strs: new Map(), arch: null };
  /** `.file N` / `.loc` rows, written to .debug_line at the end of the unit. */
  lines: LineTable | null = null;
  private frames_: FrameTable | null = null;
  private weakrefTargets: Sym[] = [];
  private declaredLocal = new Set<Sym>();
  private symvers: [alias: Sym, target: Sym, local: boolean][] = [];
  private pendingRelocs: Fixup[] = [];

  constructor(
    public index: number,
    public name: string,
    rvc: boolean,
    private diags: Diagnostic[],
    private include: IncludeResolver | null,
    private wantListing: boolean,
    private binary: BinaryResolver | null = null,
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

  private diag(severity: 'error' | 'warning', message: string, pos: number): void {
    const col = pos >= 0 ? pos - this.lineStart + 1 : this.loc.col;
    this.diags.push({ file: this.loc.file, line: this.loc.line, col: col > 0 ? col : 1, severity, message: this.loc.note ? `${message} (${this.loc.note})` : message });
  }

  /** Where the current statement's operand `pos` is, for fixups evaluated later. */
  locAt(pos: number): Loc {
    const col = pos >= 0 ? pos - this.lineStart + 1 : this.loc.col;
    return { file: this.loc.file, line: this.loc.line, col: col > 0 ? col : 1, note: this.loc.note };
  }

  // ---- symbols --------------------------------------------------------------------------------------

  newSym(name: string, temp: boolean): Sym {
    return {
      name, unit: this.index, kind: 0, section: null, frag: null, offset: 0, value: 0n, expr: null, global: false, weak: false,
      temp, type: 'notype', size: null, defLoc: null, address: 0n, evaluating: false,
    };
  }

  symbol(name: string): Sym {
    let s = this.symbols.get(name);
    if (!s) {
      s = this.newSym(name, name.startsWith('.L'));
      this.symbols.set(name, s);
    }
    return s;
  }

  private dotSymbol(): Sym {
    const s = this.newSym(`.`, true);
    this.placeLabel(s);
    return s;
  }

  private placeLabel(s: Sym): void {
    const sec = this.sec;
    if (sec.cur.kind !== 0 || sec.frags[sec.frags.length - 1] !== sec.cur) sec.newData();
    s.kind = 1;
    sec.hasLabels = true;
    s.section = sec;
    s.frag = sec.cur;
    s.offset = sec.cur.size;
  }

  private localRef(n: string, forward: boolean, pos: number): Sym {
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

  private defineLabel(name: string, pos: number): void {
    const s = this.symbol(name);
    if (s.kind !== 0) {
      this.error(`symbol '${name}' is already defined${s.defLoc ? ` (first defined at ${s.defLoc.file}:${s.defLoc.line})` : ''}`, pos);
      return;
    }
    this.placeLabel(s);
    s.defLoc = this.locAt(pos);
  }

  private defineLocalLabel(n: string): void {
    let e = this.localLabels.get(n);
    if (!e) {
      e = { last: null, next: null, count: 0 };
      this.localLabels.set(n, e);
    }
    const s = e.next ?? this.newSym(n, true);
    e.next = null;
    e.count++;
    s.name = `${n}`;
    this.placeLabel(s);
    s.defLoc = this.locAt(-1);
    e.last = s;
  }

  /** The value of a symbol while assembling: constants, labels relative to their fragment. */
  readonly nowResolve = (s: Sym): RelValue | null => {
    if (s.kind === 2) return { base: null, off: s.value };
    if (s.kind === 1) return { base: s.frag, off: BigInt(s.offset) };
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
    const v = evaluate(e, this.nowResolve);
    if (!v || v.base) return null;
    return v.off;
  }

  // ---- sections -------------------------------------------------------------------------------------

  section(name: string, flags: number | null, type: number | null): InputSection {
    let sec = this.sections.find((x) => x.name === name);
    if (!sec) {
      const [t, f] = defaultSection(name);
      sec = new InputSection(name, type ?? t, flags ?? f, this.index, this.name);
      // Code sections start aligned to the instruction size, as LLVM's .text (2 with C, else 4).
      if (sec.flags & SHF_EXECINSTR) sec.align = this.rvc ? 2 : 4;
      this.sections.push(sec);
    }
    return sec;
  }

  private switchSection(sec: InputSection): void {
    if (sec !== this.sec) {
      this.prevSec = this.sec;
      this.sec = sec;
    }
  }

  // ---- input ----------------------------------------------------------------------------------------

  /** Assemble a whole file. */
  run(file: SourceFile): void {
    this.fileSymbols.push(file.name);
    this.pushFile(file, 0);
    this.loop();
    const endLoc = { ...this.loc };
    if (this.collect) {
      this.loc = { ...this.collect.loc };
      this.error(this.collect.kind === 'macro' ? `unterminated .macro '${this.collect.macro?.name}' (missing .endm)` : `unterminated .${this.collect.kind} (missing .endr)`);
      this.collect = null;
    }
    while (this.conds.length) {
      this.loc = { ...this.conds.pop()!.loc };
      this.error('unterminated conditional (missing .endif)');
    }
    this.loc = endLoc;
    // A forward numeric reference that was never defined.
    for (const [, e] of this.localLabels) {
      if (e.next) e.next.kind = 0;
    }
    if (this.lines && this.lines.rows.length) this.writeLineTable(this.lines);
    if (this.frames_?.open()) {
      this.diags.push({ file: this.loc.file, line: this.loc.line, col: 1, severity: 'error', message: 'missing .cfi_endproc at the end of the file' });
    }
    if (this.frames_?.debugFrame && this.frames_.procs.length) this.writeFrameTable(this.frames_, false);
    if (this.frames_?.ehFrame && this.frames_.procs.length) this.writeFrameTable(this.frames_, true);
    // A .weakref target not defined or declared here is a weak undefined reference (GNU as).
    for (const t of this.weakrefTargets) {
      if (t.kind === 0 && !t.global) {
        t.global = true;
        t.weak = true;
      }
    }
    for (const [alias, target, local] of this.symvers) {
      alias.global = target.global && !local;
      alias.weak = target.weak;
      alias.type = target.type;
      alias.size = target.size;
    }
    // .reloc locations: the data fragment that holds the bytes (a location past a fragment's end is in a
    // later one).
    for (const r of this.pendingRelocs) {
      const sec = this.sections.find((x) => x.frags.includes(r.frag))!;
      let k = sec.frags.indexOf(r.frag);
      let off = r.offset;
      while (k < sec.frags.length && off >= sec.frags[k].size && !(off + r.size <= sec.frags[k].size)) {
        off -= sec.frags[k].size;
        k++;
      }
      const f = sec.frags[k];
      if (!f || f.kind !== FRAG_DATA || off < 0 || off + r.size > f.size) {
        this.diags.push({ file: r.loc.file, line: r.loc.line, col: r.loc.col, severity: 'error', message: '.reloc location is not inside data or instruction bytes of its section' });
        continue;
      }
      sec.fixups.push({ ...r, frag: f, offset: off });
    }
  }

  private pushFile(file: SourceFile, includeDepth: number): void {
    let text = file.text;
    if (text.indexOf('/*') >= 0) text = stripBlockComments(text);
    this.frames.push({
      file: file.name, text, pos: 0, line: 0, lines: null, lineFiles: null, lineNos: null, idx: 0, note: undefined,
      macroDepth: this.frame ? this.frame.macroDepth : 0, includeDepth, condDepth: this.conds.length, markFile: null, markDelta: 0,
    });
  }

  private pushExpansion(lines: string[], files: string[], lineNos: number[], note: string | undefined, macro: boolean): void {
    const parent = this.frame;
    const depth = parent.macroDepth + (macro ? 1 : 0);
    if (!this.budget(lines.length)) return;
    if (depth > 100 || this.frames.length > 1000) {
      this.error('macro or repetition nesting too deep (recursive macro?)');
      return;
    }
    this.frames.push({
      file: parent.file, text: '', pos: 0, line: 0, lines, lineFiles: files, lineNos, idx: 0, note,
      macroDepth: depth, includeDepth: parent.includeDepth, condDepth: this.conds.length, markFile: null, markDelta: 0,
    });
  }

  /** The current line's location (one object per unit, updated in place; copied when kept). */
  private setLoc(file: string, line: number, note: string | undefined): void {
    const l = this.loc;
    l.file = file;
    l.line = line;
    l.col = 1;
    l.note = note;
  }

  private loop(): void {
    while (this.frames.length > 0 && !this.ended) {
      const f = this.frames[this.frames.length - 1];
      this.frame = f;
      if (f.lines) {
        if (f.idx >= f.lines.length) {
          this.frames.pop();
          continue;
        }
        const i = f.idx++;
        const line = f.lines[i];
        this.setLoc(f.lineFiles![i], f.lineNos![i], f.note);
        this.lineStart = 0;
        this.processLine(line, 0, line.length);
      } else {
        const text = f.text;
        if (f.pos > text.length || (f.pos === text.length && text.length > 0 && f.line > 0)) {
          this.frames.pop();
          continue;
        }
        let nl = text.indexOf('\n', f.pos);
        if (nl < 0) nl = text.length;
        const start = f.pos;
        f.pos = nl + 1;
        f.line++;
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        if (text.charCodeAt(start) === 35) this.lineMarker(f, text, start, end);
        this.setLoc(f.markFile ?? f.file, f.line + f.markDelta, undefined);
        this.lineStart = start;
        // The last line leaves f.pos past the end: the frame is dropped when it is on top again (a macro
        // called on a last line without a newline runs first).
        this.processLine(text, start, end);
      }
    }
  }

  /**
   * A C preprocessor line marker, `# 12 "file.S" 2` (what `gcc -E` leaves): the next line is line 12 of
   * file.S, for diagnostics, as GNU as reads them. Anything else starting with '#' is a comment.
   */
  private lineMarker(f: Frame, text: string, start: number, end: number): void {
    const m = /^#[ \t]*(?:line[ \t]+)?(\d+)(?:[ \t]+"((?:[^"\\]|\\.)*)")?((?:[ \t]+\d+)*)[ \t]*$/.exec(text.slice(start, end));
    if (!m) return;
    // Flags (cpp's "Preprocessor Output"): 1 enters a file, 2 returns to one. gcc brackets inline asm with
    // `# 7 "m.c" 1` and `# 0 "" 2`; GNU as takes the empty name on return as "back to where we were", so
    // later diagnostics again name the .s file and its own line numbers.
    const flags = m[3].trim().split(/[ \t]+/);
    if (flags.includes('1')) (f.markStack ??= []).push([f.markFile, f.markDelta]);
    if (flags.includes('2') && f.markStack?.length) {
      const [file, delta] = f.markStack.pop()!;
      if (!m[2]) {
        f.markFile = file;
        f.markDelta = delta;
        return;
      }
    }
    if (m[2]) f.markFile = m[2].replace(/\\(.)/g, '$1');
    else if (m[2] === '') return;
    f.markDelta = Number(m[1]) - (f.line + 1);
  }


  /**
   * One physical line: statements separated by ';', each either collected into a macro or repetition body
   * or assembled. As in GNU as, ';' ends a statement everywhere, so `.macro m; a; b; .endm` on one line
   * defines a two-statement macro and `.rept 2; nop; .endr; ret` repeats only the nop.
   */
  private processLine(s: string, start: number, end: number): void {
    this.s = s;
    this.abandonLine = false;
    let p = start;
    for (;;) {
      const before = this.frames.length;
      const top = this.frames[before - 1];
      let next: number;
      if (this.collect) {
        next = this.collectLine(s, p, end);
      } else {
        const stmtEnd = statementEnd(s, p, end);
        this.statement(s, p, stmtEnd);
        if (this.ended) return;
        next = stmtEnd < end && s.charCodeAt(stmtEnd) === 59 ? stmtEnd + 1 : -1;
      }
      if (next < 0 || this.abandonLine) return;
      if (this.frames.length !== before || this.frames[before - 1] !== top) {
        // A macro or repetition expansion or an .include started mid-line: the rest of the line runs after
        // it, from a one-line frame placed under the new ones (columns kept by blank padding).
        if (this.frames.length > before && this.frames[before - 1] === top) {
          const rest = ' '.repeat(next - this.lineStart) + s.slice(next, end);
          this.frames.splice(before, 0, {
            file: top.file, text: '', pos: 0, line: 0, lines: [rest], lineFiles: [this.loc.file], lineNos: [this.loc.line], idx: 0,
            note: this.loc.note, macroDepth: top.macroDepth, includeDepth: top.includeDepth, condDepth: top.condDepth, markFile: null, markDelta: 0,
          });
        }
        return;
      }
      p = next;
      this.s = s;
    }
  }

  /**
   * Add the statements of s[start, end) to the body being collected, up to the `.endm`/`.endr` that closes
   * it. Returns where the statements after the closing one start, or -1 when the line is used up.
   */
  private collectLine(s: string, start: number, end: number): number {
    const c = this.collect!;
    let p = start;
    for (;;) {
      const stmtEnd = statementEnd(s, p, end);
      // The statement's first word after any `label:` prefixes (GNU's buffer_and_nest skips them too).
      let w0 = skipWs(s, p, stmtEnd);
      let w1 = w0;
      for (;;) {
        w1 = w0;
        while (w1 < stmtEnd && isIdentChar(s.charCodeAt(w1))) w1++;
        const r = skipWs(s, w1, stmtEnd);
        if (w1 > w0 && r < stmtEnd && s.charCodeAt(r) === 58) w0 = skipWs(s, r + 1, stmtEnd);
        else break;
      }
      let closes = false;
      if (w1 > w0 && s.charCodeAt(w0) === 46) {
        const word = s.slice(w0, w1).toLowerCase();
        if (c.kind === 'macro') {
          if (word === '.macro') c.depth++;
          else if (word === '.endm' || word === '.endmacro') {
            if (c.depth === 0) closes = true;
            else c.depth--;
          }
        } else if (word === '.rept' || word === '.irp' || word === '.irpc') c.depth++;
        else if (word === '.endr') {
          if (c.depth === 0) closes = true;
          else c.depth--;
        }
      }
      const more = stmtEnd < end && s.charCodeAt(stmtEnd) === 59;
      if (closes || !more) {
        // Body text from start to here (the whole line in the usual one-statement-per-line case). Labels
        // before the closing directive stay in the body, as in GNU as.
        const bodyEnd = closes ? w0 : end;
        if (skipWs(s, start, bodyEnd) < bodyEnd) {
          const pad = start > this.lineStart ? ' '.repeat(start - this.lineStart) : '';
          c.lines.push(pad + s.slice(start, bodyEnd));
          c.files.push(this.loc.file);
          c.lineNos.push(this.loc.line);
        }
      }
      if (closes) {
        this.collect = null;
        if (c.kind === 'macro') {
          const m = c.macro!;
          m.lines = c.lines;
          m.files = c.files;
          m.lineNos = c.lineNos;
          this.macros.set(m.name, m);
        } else {
          this.finishRepeat(c);
        }
        return more ? stmtEnd + 1 : -1;
      }
      if (!more) return -1;
      p = stmtEnd + 1;
    }
  }

  /** Count expanded lines against the unit's budget; false (with an error, ending the unit) when exceeded. */
  private budget(n: number): boolean {
    this.expandedLines += n;
    if (this.expandedLines <= 10_000_000) return true;
    this.error('macro and repetition expansions exceed 10,000,000 lines');
    this.ended = true;
    return false;
  }

  private finishRepeat(c: Collect): void {
    const total = (c.kind === 'rept' ? c.count : c.irpValues.length) * c.lines.length;
    if (this.expandedLines + total > 10_000_000) {
      this.budget(total);
      return;
    }
    const lines: string[] = [];
    const files: string[] = [];
    const nos: number[] = [];
    const add = (text: string, i: number) => {
      lines.push(text);
      files.push(c.files[i]);
      nos.push(c.lineNos[i]);
    };
    if (c.kind === 'rept') {
      for (let k = 0; k < c.count; k++) for (let i = 0; i < c.lines.length; i++) add(c.lines[i], i);
    } else {
      for (const v of c.irpValues) {
        for (let i = 0; i < c.lines.length; i++) add(substitute(c.lines[i], new Map([[c.irpName, v]]), ''), i);
      }
    }
    if (lines.length) this.pushExpansion(lines, files, nos, this.loc.note, false);
  }

  // ---- statements -----------------------------------------------------------------------------------

  private stmtStart = 0;
  private stmtEnd = 0;

  private statement(s: string, start: number, end: number): void {
    this.s = s;
    this.stmtStart = start;
    this.stmtEnd = end;
    let p = skipWs(s, start, end);
    if (p >= end) return;
    const active = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
    try {
      // Labels (`name:`, `N:`, possibly several), an assignment `name = expr`, then the mnemonic or
      // directive, whose identifier the label scan has already measured.
      let q = p;
      let upper = false;
      for (;;) {
        const c = s.charCodeAt(p);
        if (active && c >= 48 && c <= 57) {
          q = p;
          while (q < end && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
          const r = skipWs(s, q, end);
          if (r < end && s.charCodeAt(r) === 58) {
            this.loc.col = p - this.lineStart + 1;
            this.defineLocalLabel(s.slice(p, q));
            p = skipWs(s, r + 1, end);
            if (p >= end) return;
            continue;
          }
          if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
          return;
        }
        if (active && c === 34) {
          q = s.indexOf('"', p + 1);
          if (q < 0 || q >= end) break;
          q++;
          const r = skipWs(s, q, end);
          if (r < end && s.charCodeAt(r) === 58) {
            this.defineLabel(s.slice(p + 1, q - 1), p);
            p = skipWs(s, r + 1, end);
            if (p >= end) return;
            continue;
          }
          break;
        }
        if (!isIdentStart(c)) {
          if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
          return;
        }
        q = p + 1;
        upper = c >= 65 && c <= 90;
        while (q < end) {
          const d = s.charCodeAt(q);
          if (!isIdentChar(d)) break;
          if (d >= 65 && d <= 90) upper = true;
          q++;
        }
        if (!active) break;
        let r = q;
        let d = r < end ? s.charCodeAt(r) : -1;
        if (d === 32 || d === 9) {
          r = skipWs(s, q, end);
          d = r < end ? s.charCodeAt(r) : -1;
        }
        if (d === 58) {
          this.defineLabel(s.slice(p, q), p);
          p = skipWs(s, r + 1, end);
          if (p >= end) return;
          continue;
        }
        if (d === 61 && (r + 1 >= end || s.charCodeAt(r + 1) !== 61)) {
          this.loc.col = p - this.lineStart + 1;
          this.assign(s.slice(p, q), r + 1, end, true, p);
          return;
        }
        break;
      }
      const c = s.charCodeAt(p);
      if (!isIdentStart(c)) {
        if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
        return;
      }
      let word = s.slice(p, q);
      if (upper) word = word.toLowerCase();
      this.mnemonicPos = p;
      this.loc.col = p - this.lineStart + 1;
      if (!active) {
        if (c === 46 && (word.startsWith('.if') || word === '.else' || word === '.elseif' || word === '.endif')) this.directive(word, q, end);
        return;
      }
      if (this.macros.size !== 0) {
        const m = this.macros.get(word);
        if (m) {
          this.expandMacro(m, q, end);
          return;
        }
      }
      if (c === 46) {
        this.directive(word, q, end);
        return;
      }
      this.instruction(word, q, end);
    } catch (e) {
      if (e instanceof AsmError) this.error(e.message, e.pos);
      else if (e instanceof RangeError) this.error(`input nested too deeply (${e.message})`, this.mnemonicPos);
      else throw e;
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
      else if (c === 34) {
        i++;
        while (i < end && s.charCodeAt(i) !== 34) {
          if (s.charCodeAt(i) === 92) i++;
          i++;
        }
        if (i >= end) i = end - 1; // unterminated: the operand runs to the end (reported by its parser)
      } else if (c === 39) {
        if (i + 1 < end && s.charCodeAt(i + 1) === 92) i += 2;
        else i += 1;
        if (i + 1 < end && s.charCodeAt(i + 1) === 39) i++;
        if (i >= end) i = end - 1;
      } else if (c === 44 && (depth <= 0 || i === end)) {
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

  operandText(i: number): string {
    return this.s.slice(this.opS[i], this.opE[i]);
  }

  // ---- operand parsing ------------------------------------------------------------------------------

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
    const p = this.parser;
    p.reset(this.s, a, b);
    const e = p.parse();
    p.skipWs();
    if (p.pos < b) throw new AsmError(`unexpected '${this.s.slice(p.pos, b)}' after expression`, p.pos);
    return e;
  }

  /**
   * Value of s[a, b): an optional %modifier(expr) or an expression. Sets constVal (returns true) when the
   * value is a constant now without a modifier; otherwise valExpr and valMod (-1 without a modifier).
   */
  parseValue(a: number, b: number): boolean {
    const s = this.s;
    // Fast path: a plain decimal or hex number, optionally negative, with no BigInt and no expression tree.
    const c0 = s.charCodeAt(a);
    if (b - a <= 12 && ((c0 >= 48 && c0 <= 57) || c0 === 45)) {
      let k = c0 === 45 ? a + 1 : a;
      let n = 0;
      let ok = k < b;
      if (ok && s.charCodeAt(k) === 48 && b - k > 1) {
        if ((s.charCodeAt(k + 1) | 0x20) === 120 && b - k > 2) {
          for (k += 2; ok && k < b; k++) {
            const d = s.charCodeAt(k);
            const h = d >= 48 && d <= 57 ? d - 48 : (d | 0x20) >= 97 && (d | 0x20) <= 102 ? (d | 0x20) - 87 : -1;
            if (h < 0) ok = false;
            else n = n * 16 + h;
          }
        } else ok = false;
      } else {
        for (; ok && k < b; k++) {
          const d = s.charCodeAt(k);
          if (d < 48 || d > 57) ok = false;
          else n = n * 10 + (d - 48);
        }
      }
      if (ok) {
        this.constNum = c0 === 45 ? -n : n;
        this.constIsBig = false;
        this.valMod = -1;
        return true;
      }
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
    this.valExpr = this.expr(a, b);
    const v = this.evalNow(this.valExpr);
    if (v !== null) {
      this.constVal = v;
      return true;
    }
    return false;
  }

  /** CSR operand i: a name or a number. */
  csr(i: number): number {
    const a = this.opS[i];
    const b = this.opE[i];
    const text = this.s.slice(a, b);
    const c = csrByName(text);
    if (c) return c.number;
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
      pend.push({ field: fi, kind: FIX_PCREL, expr: this.valExpr!, pcAdjust: 0, operand: i });
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
      pend.push({ field: fi, kind: mod, expr: e, pcAdjust: 0, operand: i });
      return;
    }
    if (isBareAddress(e)) {
      if (f.name === 'uimm20') throw new AsmError(`operand must be a symbol with a %hi/%pcrel_hi modifier or an integer in the range [0, 1048575]`, a);
      if (f.name === 'imm12' || f.name === 'simm12') throw new AsmError('operand must be a symbol with a %lo/%pcrel_lo modifier or an integer in the range [-2048, 2047]', a);
      throw new AsmError(`operand must be a constant (${describeField(f)})`, a);
    }
    pend.push({ field: fi, kind: FIX_ABS, expr: e, pcAdjust: 0, operand: i });
  }

  // ---- emission -------------------------------------------------------------------------------------

  /**
   * Emit one table row with values; `pend` lists fields filled by fixups. `at` is the operand index for
   * error positions when the caller does not map fields to operands (-1: the mnemonic).
   */
  emit(def: InstrDef, values: number[], pend: readonly Pending[], at = -1, plan: SlotPlan[] | null = null): void {
    const sec = this.sec;
    if (sec.type === SHT_NOBITS) throw new AsmError(`instructions are not allowed in the NOBITS section '${sec.name}'`, this.mnemonicPos);
    if (def.size === 2 && !this.rvc) throw new AsmError(`instruction '${def.name}' requires the C extension (use --march rv64imac or .option rvc)`, this.mnemonicPos);
    sec.hasCode = true;
    const np = pend.length;
    if (np === 0) {
      const hint = mayCompress[def.id];
      if (this.rvc && def.size === 4 && (hint === undefined || hint(values))) {
        const c = cachedCompress(def, values);
        if (c) {
          const cb = encodeBits(c.def, c.values);
          if (cb >= 0) {
            sec.cur.put16(cb);
            return;
          }
        }
      }
      const bits = encodeBits(def, values);
      if (bits < 0) {
        const r = encode(def, values);
        if (!r.ok) {
          const fi = def.fields.indexOf(r.field);
          const op = plan ? Unit.fieldOperand(plan, fi) : at;
          throw new AsmError(r.message, op >= 0 ? this.opS[op] : this.mnemonicPos);
        }
        throw new Error(`encodeBits and encode disagree on ${def.name} ${values.join(',')}`);
      }
      if (def.size === 2) {
        if (RELAXABLE_C.has(def.name)) this.relaxFrag(def, values, null, -1);
        else sec.cur.put16(bits);
      } else sec.cur.put32(bits);
      return;
    }
    // Validate the other fields with the pending ones at zero.
    let placeholder = encodeBits(def, values);
    if (placeholder < 0) {
      const check = encode(def, values);
      if (!check.ok && !pend.some((p) => def.fields[p.field] === check.field)) {
        const fi = def.fields.indexOf(check.field);
        const op = plan ? Unit.fieldOperand(plan, fi) : at;
        throw new AsmError(check.message, op >= 0 ? this.opS[op] : this.mnemonicPos);
      }
      placeholder = def.match;
      for (let k = 0; k < def.fields.length; k++) {
        const f = def.fields[k];
        if (operandRangeError(f, values[k]) === null) placeholder = (placeholder | insertOperand(f, values[k])) >>> 0;
      }
    }
    if (np === 1 && pend[0].kind === FIX_PCREL) {
      const p = pend[0];
      if (RELAXABLE_C.has(def.name)) {
        this.relaxFrag(def, values, p.expr, p.operand);
        return;
      }
      if (this.rvc && def.size === 4) {
        const c = compress(def, values);
        if (c && RELAXABLE_C.has(c.def.name)) {
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
    const off = frag.size;
    if (def.size === 2) frag.put16(placeholder);
    else frag.put32(placeholder);
    const vals = values.slice(0, def.fields.length);
    for (const p of pend) {
      if (p.kind < 0) continue;
      sec.fixups.push({
        kind: p.kind, frag, offset: off, expr: p.expr, loc: this.locAt(p.operand >= 0 ? this.opS[p.operand] : this.mnemonicPos),
        size: def.size, def, values: vals, field: p.field, pcAdjust: p.pcAdjust, norelax: !this.relax,
      });
    }
  }

  /** A compressed branch or jump to a label: a relaxable fragment (LLVM's MCRelaxableFragment). */
  private relaxFrag(cdef: InstrDef, cvalues: number[], target: Expr | null, operand: number, bigDef?: InstrDef, bigValues?: number[]): void {
    const sec = this.sec;
    const f = new Frag(FRAG_RELAX);
    let big = bigDef;
    let bv = bigValues;
    if (!big) {
      const plan = expansionPlan(cdef)!;
      big = plan.base;
      bv = plan.sources.map((src) => (src.from === 'field' ? cvalues[src.index] : src.value));
    }
    const bigField = big.fields.findIndex((x) => PCREL_FIELDS.has(x.name));
    const bigVals = bv!.slice(0, big.fields.length);
    const same = cdef === big;
    f.relax = {
      small: cdef,
      smallValues: same ? bigVals : cvalues.slice(0, cdef.fields.length),
      smallField: same ? bigField : cdef.fields.findIndex((x) => PCREL_FIELDS.has(x.name)),
      big,
      bigValues: bigVals,
      bigField,
      target,
      relaxed: cdef.size === 4,
      longable: target !== null && big.fields[bigField].name === 'bimm13',
      long: false,
      loc: this.locAt(operand >= 0 ? this.opS[operand] : this.mnemonicPos),
    };
    f.size = cdef.size;
    sec.addFrag(f);
  }

  // ---- instructions ---------------------------------------------------------------------------------

  private readonly values: number[] = [0, 0, 0, 0, 0, 0];
  private readonly pend: Pending[] = [];

  private instruction(word: string, p: number, end: number): void {
    const listStart = this.wantListing ? this.listingStart() : null;
    this.splitOperands(p, end);
    const m = MNEMONICS.get(word);
    if (!m) {
      throw new AsmError(`unknown instruction '${word}'`, this.mnemonicPos);
    }
    if (!m.pseudo || !m.pseudo(this, this.nops)) {
      if (!m.def) throw new AsmError(`invalid operands for '${word}'`, this.mnemonicPos);
      this.row(m.def);
    }
    if (listStart) this.listingEnd(listStart);
  }

  /** Assemble the current operands as table row `def` (with load/store-to-symbol forms). */
  row(def: InstrDef): void {
    const values = this.values;
    const pend = this.pend;
    if (pend.length !== 0) pend.length = 0;
    for (let i = 0; i < def.fields.length; i++) values[i] = 0;
    // `lw rd, symbol` and `sd rs, symbol, rt`: loads and stores to a symbol (no base register).
    const n = this.nops;
    const memRow = def.slots.length === 2 && def.slots[1].kind === 'mem';
    if (memRow && n === 2 && LOADS.has(def.name) && this.s.charCodeAt(this.opE[1] - 1) !== 41) return this.symbolAccess(def, this.reg(0), -1, 1);
    if (memRow && n === 3 && STORES.has(def.name)) return this.symbolAccess(def, this.reg(2), this.reg(0), 1);
    if (!this.parseRowOperands(def, values, pend)) {
      if (LOADS.has(def.name) && this.nops === 2) return this.symbolAccess(def, this.reg(0), -1, 1);
      if (STORES.has(def.name) && this.nops === 3) return this.symbolAccess(def, this.reg(2), this.reg(0), 1);
      if (STORES.has(def.name) && this.nops === 2) throw new AsmError(`'${def.name}' to a symbol needs a temporary register: ${def.name} rs, symbol, rt`, this.opS[1]);
      throw new AsmError(`expected a memory operand 'offset(register)'`, this.opS[Math.min(1, this.nops - 1)]);
    }
    this.emit(def, values, pend, -1, slotPlan(def));
  }

  private static fieldOperand(plan: SlotPlan[], fi: number): number {
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
    this.emit(def, values, [{ field: lo, kind: FIX_PCREL_LO, expr: { t: E_SYM, sym: label }, pcAdjust: 0, operand: symOp }], symOp);
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

  // ---- listing --------------------------------------------------------------------------------------

  private listingStart(): { sec: InputSection; frag: Frag; off: number } {
    return { sec: this.sec, frag: this.sec.cur, off: this.sec.cur.size };
  }

  private listingEnd(st: { sec: InputSection; frag: Frag; off: number }): void {
    const sec = this.sec;
    if (sec !== st.sec) return;
    const endFrag = sec.frags[sec.frags.length - 1];
    if (endFrag === st.frag && endFrag.size === st.off) return;
    this.listing.push({
      section: sec, startFrag: st.frag, startOff: st.off, endFrag, endOff: endFrag.kind === 0 ? endFrag.size : endFrag.size,
      file: this.loc.file, line: this.loc.line, src: this.s, start: this.stmtStart, end: this.stmtEnd,
    });
  }

  // ---- directives -----------------------------------------------------------------------------------

  private assign(name: string, p: number, end: number, redefine: boolean, namePos: number): void {
    const e = this.expr(skipWs(this.s, p, end), end);
    const s = this.symbol(name);
    if (s.kind === 1 || (!redefine && s.kind !== 0)) {
      throw new AsmError(`symbol '${name}' is already defined${s.defLoc ? ` (first defined at ${s.defLoc.file}:${s.defLoc.line})` : ''}`, namePos);
    }
    let self = false;
    forEachSymbol(e, (x) => {
      if (x === s) self = true;
    });
    const v = this.evalNow(e);
    if (v !== null) {
      s.kind = 2;
      s.value = v;
      s.expr = null;
    } else {
      if (self) throw new AsmError(`cyclic definition of symbol '${name}'`, namePos);
      const rv = evaluate(e, this.nowResolve);
      if (rv && rv.base && e.t === E_SYM && e.sym.kind === 1) {
        // `.set alias, label`: the same location.
        s.kind = 1;
        s.section = e.sym.section;
        s.frag = e.sym.frag;
        s.offset = e.sym.offset;
      } else {
        s.kind = 3;
        s.expr = e;
      }
    }
    s.defLoc = this.locAt(namePos);
  }

  private symbolList(p: number, end: number, f: (s: Sym, pos: number) => void): void {
    const n = this.splitOperands(p, end);
    if (n === 0) throw new AsmError('expected a symbol name', p);
    for (let i = 0; i < n; i++) f(this.symbol(this.symName(i)), this.opS[i]);
  }

  /** Operand i as a symbol name: an identifier, or any text in double quotes (GNU as quoted names). */
  private symName(i: number): string {
    const t = this.operandText(i);
    if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' && t.indexOf('"', 1) === t.length - 1) return t.slice(1, -1);
    if (!isIdentStart(t.charCodeAt(0)) || ![...t].every((ch) => isIdentChar(ch.charCodeAt(0)))) throw new AsmError(`expected a symbol name, got '${t}'`, this.opS[i]);
    return t;
  }

  /** `.float`/`.double` values: decimal or 0f/0d-prefixed literals, inf and nan, as IEEE 754 binary32/64. */
  private floats(size: number, p: number, end: number): void {
    const n = this.splitOperands(p, end);
    if (this.sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${this.sec.name}' must be zero`, p);
    for (let i = 0; i < n; i++) {
      let t = this.operandText(i).replace(/^([+-]?)0[fdFDeE](?=[0-9.+-])/, '$1');
      const neg = t.startsWith('-');
      const mag = t.replace(/^[+-]/, '').toLowerCase();
      let v: number;
      if (mag === 'inf' || mag === 'infinity') v = Infinity;
      else if (mag === 'nan') v = NaN;
      else if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(mag)) v = Number(mag);
      else throw new AsmError(`bad floating-point number '${this.operandText(i)}'`, this.opS[i]);
      if (neg) v = -v;
      const b = new Uint8Array(size);
      if (size === 4) new DataView(b.buffer).setFloat32(0, v, true);
      else new DataView(b.buffer).setFloat64(0, v, true);
      this.sec.cur.putBytes(b);
      t = '';
    }
  }

  /** `.uleb128`/`.sleb128`: a constant is encoded now; a difference of labels after layout (FRAG_LEB). */
  private leb128(signed: boolean, p: number, end: number): void {
    const n = this.splitOperands(p, end);
    if (n === 0) throw new AsmError('expected an expression', p);
    for (let i = 0; i < n; i++) {
      const e = this.expr(this.opS[i], this.opE[i]);
      const v = this.evalNow(e);
      if (this.sec.type === SHT_NOBITS && v !== 0n) throw new AsmError(`data in the NOBITS section '${this.sec.name}' must be zero`, this.opS[i]);
      if (v !== null) {
        this.sec.cur.putBytes(encodeLeb(v, signed));
        continue;
      }
      const f = new Frag(FRAG_LEB);
      f.leb = { expr: e, signed, loc: this.locAt(this.opS[i]) };
      f.size = 1;
      this.sec.hasLeb = true;
      this.sec.addFrag(f);
    }
  }

  /**
   * `.reloc offset, type[, expr]` (GNU as): in a linked image the named relocation is applied at once.
   * R_RISCV_NONE does nothing; the data relocations set, add to or subtract from the bytes there.
   */
  private reloc(p: number, end: number): void {
    const n = this.splitOperands(p, end);
    if (n < 2 || n > 3) throw new AsmError('expected: .reloc offset, type[, expression]', p);
    const where = evaluate(this.expr(this.opS[0], this.opE[0]), this.nowResolve);
    let frag: Frag;
    let off: number;
    if (where && where.base === null) {
      // An offset from the start of the section.
      frag = this.sec.frags[0];
      off = Number(where.off);
    } else if (where && where.base && this.sec.frags.includes(where.base as Frag)) {
      frag = where.base as Frag;
      off = Number(where.off);
    } else throw new AsmError('.reloc offset must be a location in the current section', this.opS[0]);
    const type = this.operandText(1).toUpperCase();
    const m = /^(?:R_RISCV_(NONE|32|64|SET8|SET16|SET32|ADD8|ADD16|ADD32|ADD64|SUB8|SUB16|SUB32|SUB64)|BFD_RELOC_(8|16|32|64|NONE))$/.exec(type);
    if (!m) throw new AsmError(`unsupported relocation '${this.operandText(1)}' for .reloc (rvx supports R_RISCV_NONE, 32, 64, SET8/16/32, ADD8-64, SUB8-64)`, this.opS[1]);
    const kind = m[1] ?? m[2];
    const e = n === 3 ? this.expr(this.opS[2], this.opE[2]) : { t: E_NUM as 0, v: 0n };
    if (kind === 'NONE') return;
    const size = Number(/\d+$/.exec(kind)![0]) / 8;
    const mode = kind.startsWith('ADD') ? 1 : kind.startsWith('SUB') ? 2 : 0;
    this.pendingRelocs.push({ kind: FIX_DATA, frag, offset: off, expr: e, loc: this.locAt(this.opS[0]), size, def: null, values: null, field: mode, pcAdjust: 0 });
  }

  private absolute(i: number, what: string): bigint {
    const e = this.expr(this.opS[i], this.opE[i]);
    const v = this.evalNow(e);
    if (v === null) throw new AsmError(`${what} must be an absolute expression known at this point`, this.opS[i]);
    return v;
  }

  private stringLit(i: number): number[] {
    const s = this.s;
    let p = this.opS[i];
    const end = this.opE[i];
    if (s.charCodeAt(p) !== 34) throw new AsmError('expected a string in double quotes', p);
    const out: number[] = [];
    p++;
    for (;;) {
      if (p >= end) throw new AsmError('unterminated string', this.opS[i]);
      const c = s.charCodeAt(p++);
      if (c === 34) {
        // Adjacent strings are one string (`.string "a" "b"` is "ab\0"), as in GNU as.
        const q = skipWs(s, p, end);
        if (q < end && s.charCodeAt(q) === 34) {
          p = q + 1;
          continue;
        }
        break;
      }
      if (c !== 92) {
        if (c < 0x80) out.push(c);
        else for (const b of new TextEncoder().encode(String.fromCharCode(c))) out.push(b);
        continue;
      }
      if (p >= end) throw new AsmError('unterminated string', this.opS[i]);
      const e = s.charCodeAt(p++);
      if (e >= 48 && e <= 55) {
        let v = e - 48;
        for (let k = 0; k < 2 && p < end && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 55; k++) v = v * 8 + s.charCodeAt(p++) - 48;
        out.push(v & 0xff);
      } else if (e === 120) {
        let v = 0;
        let digits = 0;
        while (p < end && /[0-9a-fA-F]/.test(s[p])) {
          v = ((v << 4) | parseInt(s[p], 16)) & 0xff;
          p++;
          digits++;
        }
        if (!digits) throw new AsmError('bad \\x escape in string', p);
        out.push(v);
      } else {
        const v = escapeValue(e);
        if (v < 0) throw new AsmError(`unknown escape '\\${String.fromCharCode(e)}' in string`, p - 2);
        out.push(v);
      }
    }
    if (skipWs(s, p, end) < end) throw new AsmError('unexpected text after string', p);
    return out;
  }

  private data(size: number, p: number, end: number): void {
    const n = this.splitOperands(p, end);
    const sec = this.sec;
    for (let i = 0; i < n; i++) {
      const e = this.expr(this.opS[i], this.opE[i]);
      const v = this.evalNow(e);
      if (v !== null) {
        if (size < 8) {
          // GNU as truncates with a warning when the value fits neither as unsigned nor as negative.
          const lim = 1n << BigInt(size * 8);
          if (v >= lim || v < -lim) this.warn(`value 0x${BigInt.asUintN(64, v).toString(16)} truncated to 0x${BigInt.asUintN(size * 8, v).toString(16)}`, this.opS[i]);
        }
        if (sec.type === SHT_NOBITS && v !== 0n) throw new AsmError(`non-zero data in the NOBITS section '${sec.name}'`, this.opS[i]);
        sec.cur.putLE(v, size);
      } else {
        if (sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${sec.name}' must be zero`, this.opS[i]);
        const frag = sec.cur;
        sec.fixups.push({ kind: FIX_DATA, frag, offset: frag.size, expr: e, loc: this.locAt(this.opS[i]), size, def: null, values: null, field: 0, pcAdjust: 0 });
        frag.putLE(0n, size);
      }
    }
  }

  private alignTo(bytes: number, fill: number | null, max: number, pos: number): void {
    if (bytes < 1 || (bytes & (bytes - 1)) !== 0) throw new AsmError(`alignment must be a power of two, got ${bytes}`, pos);
    if (bytes > 1 << 30) throw new AsmError('alignment too large', pos);
    const sec = this.sec;
    if (bytes > sec.align) sec.align = bytes;
    // In code, no fill or a zero fill means nops (llvm-mc: a fill equal to the text fill value, 0).
    const f = new Frag(FRAG_ALIGN);
    f.pad = { align: bytes, fill: fill ?? 0, maxSkip: max, nops: (fill === null || fill === 0) && (sec.flags & SHF_EXECINSTR) !== 0, rvc: this.rvc, count: 0, fillSize: 1, fillValue: 0n, norelax: !this.relax };
    sec.addFrag(f);
  }

  private fillFrag(count: bigint, size: number, value: bigint, pos: number): void {
    if (count < 0n) {
      this.warn('negative repeat count; ignored', pos);
      return;
    }
    if (count * BigInt(size) > 1n << 30n) throw new AsmError('fill size too large', pos);
    if (this.sec.type === SHT_NOBITS && value !== 0n) throw new AsmError(`non-zero fill in the NOBITS section '${this.sec.name}'`, pos);
    const f = new Frag(FRAG_FILL);
    f.pad = { align: 1, fill: 0, maxSkip: -1, nops: false, rvc: false, count: Number(count), fillSize: size, fillValue: value };
    f.size = Number(count) * size;
    this.sec.addFrag(f);
  }

  private directive(word: string, p: number, end: number): void {
    const s = this.s;
    const listStart = this.wantListing ? this.listingStart() : null;
    switch (word) {
      case '.text':
      case '.data':
      case '.rodata':
      case '.bss':
        this.noOperands(p, end, word);
        this.switchSection(this.section(word, null, null));
        break;
      case '.section':
      case '.pushsection': {
        const n = this.splitOperands(p, end);
        if (n === 0) throw new AsmError('expected a section name', p);
        let name = this.operandText(0);
        if (name.startsWith('"')) name = name.slice(1, -1);
        let flags: number | null = null;
        let type: number | null = null;
        if (n >= 2) {
          const ft = this.operandText(1);
          if (!ft.startsWith('"')) throw new AsmError('expected section flags in double quotes, e.g. "ax"', this.opS[1]);
          flags = 0;
          for (const ch of ft.slice(1, -1)) {
            if (ch === 'a') flags |= SHF_ALLOC;
            else if (ch === 'w') flags |= SHF_WRITE;
            else if (ch === 'x') flags |= SHF_EXECINSTR;
            else if (ch === 'T') flags |= SHF_TLS;
            else if (ch === 'M') flags |= 0x10; // SHF_MERGE
            else if (ch === 'S') flags |= 0x20; // SHF_STRINGS
            else if ('GRoe?'.includes(ch)) continue;
            else throw new AsmError(`unknown section flag '${ch}'`, this.opS[1]);
          }
        }
        if (n >= 3) {
          const t = this.operandText(2).replace(/^[@%]/, '');
          if (t === 'progbits') type = SHT_PROGBITS;
          else if (t === 'nobits') type = SHT_NOBITS;
          else if (t === 'note' || t === 'init_array' || t === 'fini_array' || t === 'preinit_array') type = SHT_PROGBITS;
          else throw new AsmError(`unknown section type '${this.operandText(2)}'`, this.opS[2]);
        }
        const existing = this.sections.find((x) => x.name === name);
        if (existing && flags !== null && existing.flags !== flags && n >= 2) {
          this.warn(`changed section flags for '${name}' ignored`, this.opS[1]);
        }
        const sec = existing ?? this.section(name, flags, type);
        if (n >= 4 && flags !== null && flags & 0x10) sec.entsize = Number(this.absolute(3, 'entry size'));
        if (word === '.pushsection') this.secStack.push([this.sec, this.prevSec]);
        this.switchSection(sec);
        break;
      }
      case '.popsection': {
        const top = this.secStack.pop();
        if (!top) throw new AsmError('.popsection without .pushsection', this.mnemonicPos);
        [this.sec, this.prevSec] = top;
        break;
      }
      case '.previous': {
        const t = this.sec;
        this.sec = this.prevSec;
        this.prevSec = t;
        break;
      }
      case '.globl':
      case '.global':
        this.symbolList(p, end, (sym) => {
          sym.global = true;
        });
        break;
      case '.weak':
        this.symbolList(p, end, (sym) => {
          sym.global = true;
          sym.weak = true;
        });
        break;
      case '.local':
        this.symbolList(p, end, (sym) => {
          sym.global = false;
          this.declaredLocal.add(sym);
        });
        break;
      case '.hidden':
      case '.protected':
      case '.internal':
        this.symbolList(p, end, () => {});
        break;
      case '.type': {
        const n = this.splitOperands(p, end);
        if (n !== 2) throw new AsmError('expected: .type symbol, @function|@object', p);
        const sym = this.symbol(this.symName(0));
        const t = this.operandText(1).replace(/^[@%"]/, '').replace(/"$/, '').toLowerCase();
        if (t === 'function' || t === 'stt_func') sym.type = 'func';
        else if (t === 'object' || t === 'stt_object') sym.type = 'object';
        else if (t === 'gnu_unique_object') {
          // STB_GNU_UNIQUE: a global object the dynamic linker keeps one copy of; a static link binds it globally.
          sym.type = 'object';
          sym.global = true;
        } else if (t === 'tls_object' || t === 'stt_tls') sym.type = 'object';
        else if (t === 'notype' || t === 'stt_notype') sym.type = 'notype';
        else throw new AsmError(`unsupported symbol type '${this.operandText(1)}'`, this.opS[1]);
        break;
      }
      case '.size': {
        const n = this.splitOperands(p, end);
        if (n !== 2) throw new AsmError('expected: .size symbol, expression', p);
        const sym = this.symbol(this.symName(0));
        sym.size = this.expr(this.opS[1], this.opE[1]);
        break;
      }
      case '.equ':
      case '.set':
      case '.equiv': {
        const n = this.splitOperands(p, end);
        if (n !== 2) throw new AsmError(`expected: ${word} symbol, expression`, p);
        const name = this.operandText(0);
        if (!isIdentStart(name.charCodeAt(0))) throw new AsmError(`expected a symbol name, got '${name}'`, this.opS[0]);
        this.assign(name, this.opS[1], this.opE[1], word !== '.equiv', this.opS[0]);
        break;
      }
      case '.byte':
        this.data(1, p, end);
        break;
      case '.half':
      case '.hword':
      case '.short':
      case '.2byte':
        this.data(2, p, end);
        break;
      case '.word':
      case '.long':
      case '.int':
      case '.4byte':
        this.data(4, p, end);
        break;
      case '.dword':
      case '.quad':
      case '.8byte':
        this.data(8, p, end);
        break;
      case '.dtprelword':
      case '.dtpreldword': {
        // The offset of a TLS symbol in its module's TLS block (DWARF location expressions).
        const n = this.splitOperands(p, end);
        const size = word === '.dtprelword' ? 4 : 8;
        for (let i = 0; i < n; i++) {
          const e = this.expr(this.opS[i], this.opE[i]);
          const frag = this.sec.cur;
          this.sec.fixups.push({ kind: FIX_DATA, frag, offset: frag.size, expr: e, loc: this.locAt(this.opS[i]), size, def: null, values: null, field: DATA_DTPOFF, pcAdjust: 0 });
          frag.putLE(0n, size);
        }
        break;
      }
      case '.float':
      case '.single':
      case '.double':
        this.floats(word === '.double' ? 8 : 4, p, end);
        break;
      case '.uleb128':
      case '.sleb128':
        this.leb128(word === '.sleb128', p, end);
        break;
      case '.reloc':
        this.reloc(p, end);
        break;
      case '.weakref': {
        const n = this.splitOperands(p, end);
        if (n !== 2) throw new AsmError('expected: .weakref alias, target', p);
        const alias = this.symbol(this.symName(0));
        const target = this.symbol(this.symName(1));
        if (alias.kind !== 0) throw new AsmError(`symbol '${alias.name}' is already defined`, this.opS[0]);
        alias.kind = 3;
        alias.expr = { t: E_SYM, sym: target };
        alias.temp = true;
        alias.defLoc = this.locAt(this.opS[0]);
        this.weakrefTargets.push(target);
        break;
      }
      case '.symver': {
        // `.symver name, name2@VER`: name2@VER is another name for name (its binding at the end of the
        // file). Versions matter to the dynamic linker only; in a static image it is a plain alias.
        const n = this.splitOperands(p, end);
        if (n < 2 || n > 3) throw new AsmError('expected: .symver name, name2@nodename[, visibility]', p);
        const target = this.symbol(this.symName(0));
        const vname = this.operandText(1);
        if (!/^[A-Za-z_.$][\w.$]*@@?@?[\w.$]+$/.test(vname)) throw new AsmError(`expected name@version, got '${vname}'`, this.opS[1]);
        if (n === 3 && !['local', 'hidden', 'remove'].includes(this.operandText(2))) throw new AsmError(`unknown .symver visibility '${this.operandText(2)}' (expected local, hidden or remove)`, this.opS[2]);
        if (n === 3 && this.operandText(2) === 'remove') break;
        const alias = this.symbol(vname.replace('@@@', '@@'));
        if (alias.kind !== 0) throw new AsmError(`symbol '${alias.name}' is already defined`, this.opS[1]);
        alias.kind = 3;
        alias.expr = { t: E_SYM, sym: target };
        alias.defLoc = this.locAt(this.opS[1]);
        this.symvers.push([alias, target, n === 3]);
        break;
      }
      case '.ascii':
      case '.asciz':
      case '.string': {
        const n = this.splitOperands(p, end);
        if (n === 0) throw new AsmError('expected a string', p);
        for (let i = 0; i < n; i++) {
          const bytes = this.stringLit(i);
          if (word !== '.ascii') bytes.push(0);
          if (this.sec.type === SHT_NOBITS) throw new AsmError(`strings are not allowed in the NOBITS section '${this.sec.name}'`, this.opS[i]);
          this.sec.cur.putBytes(bytes);
        }
        break;
      }
      case '.zero':
      case '.space':
      case '.skip': {
        const n = this.splitOperands(p, end);
        if (n < 1 || n > 2) throw new AsmError(`expected: ${word} size[, fill]`, p);
        const count = this.absolute(0, 'size');
        const fill = n > 1 ? this.absolute(1, 'fill value') : 0n;
        if (word === '.zero' && n > 1) throw new AsmError('.zero takes one operand', this.opS[1]);
        this.fillFrag(count, 1, fill & 0xffn, this.opS[0]);
        break;
      }
      case '.fill': {
        const n = this.splitOperands(p, end);
        if (n < 1 || n > 3) throw new AsmError('expected: .fill repeat[, size[, value]]', p);
        const count = this.absolute(0, 'repeat count');
        const size = n > 1 ? Number(this.absolute(1, 'size')) : 1;
        const value = n > 2 ? this.absolute(2, 'value') : 0n;
        if (size < 0) throw new AsmError('.fill size must not be negative', this.opS[1]);
        const sz = Math.min(size, 8);
        this.fillFrag(count, sz, sz >= 4 ? BigInt.asUintN(32, value) : value, this.opS[0]);
        break;
      }
      case '.align':
      case '.p2align':
      case '.balign': {
        // `.p2align 4,,15`: an empty fill means the default (nops in code).
        const n = this.splitOperands(p, end, true);
        if (n >= 1 && this.opS[0] === this.opE[0]) throw new AsmError('missing operand', this.opS[0]);
        if (n < 1 || n > 3) throw new AsmError(`expected: ${word} alignment[, fill[, max]]`, p);
        const a = this.absolute(0, 'alignment');
        let bytes: number;
        if (word === '.balign') bytes = Number(a);
        else {
          if (a < 0n || a > 30n) throw new AsmError(`alignment exponent must be in [0, 30], got ${a}`, this.opS[0]);
          bytes = 1 << Number(a);
        }
        const fill = n > 1 && this.opE[1] > this.opS[1] ? Number(this.absolute(1, 'fill') & 0xffn) : null;
        const max = n > 2 ? Number(this.absolute(2, 'maximum skip')) : -1;
        this.alignTo(bytes, fill, max, this.opS[0]);
        break;
      }
      case '.org': {
        // Section-relative, as in GNU as; the gap is filled (with zeros by default).
        const n = this.splitOperands(p, end);
        if (n < 1 || n > 2) throw new AsmError('expected: .org offset[, fill]', p);
        const e = this.expr(this.opS[0], this.opE[0]);
        const rv = evaluate(e, this.nowResolve);
        // An absolute offset, or `label + k` for a label already placed in this section: then the target moves
        // with the label when fragments before it relax (LLVM's MCOrgFragment evaluates it during layout too).
        let target: bigint | null = null;
        let base: Frag | null = null;
        if (rv && rv.base === null) target = rv.off;
        else if (rv && rv.base !== null && this.sec.frags.indexOf(rv.base as Frag) >= 0) {
          base = rv.base as Frag;
          target = rv.off;
        }
        if (target === null) throw new AsmError('.org needs an absolute expression (an offset in the section) known at this point', this.opS[0]);
        if (target < (base ? -(1n << 30n) : 0n) || target > 1n << 30n) throw new AsmError(`.org offset ${target} out of range`, this.opS[0]);
        const fill = n > 1 ? Number(this.absolute(1, 'fill') & 0xffn) : 0;
        const f = new Frag(FRAG_ORG);
        f.pad = { align: Number(target), fill, maxSkip: -1, nops: false, rvc: false, count: 0, fillSize: 1, fillValue: 0n, loc: this.locAt(this.opS[0]), base };
        this.sec.addFrag(f);
        break;
      }
      case '.option': {
        const n = this.splitOperands(p, end);
        if (n < 1) throw new AsmError('expected: .option rvc|norvc|push|pop|relax|norelax|pic|nopic|arch, ...', p);
        const o = this.operandText(0).toLowerCase();
        if (o === 'arch') {
          if (n < 2) throw new AsmError('expected: .option arch, +ext | -ext | rv64...', p);
          this.optionArch(n);
          break;
        }
        if (n !== 1) throw new AsmError(`unexpected operands after .option ${o}`, this.opS[1]);
        if (o === 'rvc') this.rvc = true;
        else if (o === 'norvc') this.rvc = false;
        else if (o === 'push') this.optStack.push([this.rvc, this.pic, this.relax]);
        else if (o === 'pop') {
          if (!this.optStack.length) throw new AsmError('.option pop with no .option push', this.opS[0]);
          [this.rvc, this.pic, this.relax] = this.optStack.pop()!;
        } else if (o === 'pic' || o === 'nopic') this.pic = o === 'pic';
        else if (o === 'relax' || o === 'norelax') {
          // rvx's own linking does no relaxation; `rvx asm -c --relax` marks relaxable code (not in norelax regions).
          this.relax = o === 'relax';
        } else throw new AsmError(`unknown option '${o}' (expected rvc, norvc, push, pop, relax, norelax, pic, nopic or arch)`, this.opS[0]);
        break;
      }
      case '.file': {
        // `.file "name"` names the unit (its FILE symbol); `.file N ...` is a DWARF line-table file.
        const q = skipWs(s, p, end);
        if (q < end && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) {
          (this.lines ??= new LineTable()).file(s.slice(q, end));
          break;
        }
        if (this.splitOperands(p, end) >= 1 && this.s.charCodeAt(this.opS[0]) === 34) {
          const name = this.operandText(0).slice(1, -1);
          if (this.nops === 1) this.fileSymbols.push(name);
        }
        break;
      }
      case '.loc': {
        if (!this.lines) throw new AsmError('.loc before any .file N', this.mnemonicPos);
        const label = this.dotSymbol();
        this.lines.loc(s.slice(p, end), this.sec, label);
        break;
      }
      case '.ident': {
        // The compiler's identification, in .comment (GNU as: a NUL, then each string NUL-terminated).
        const n = this.splitOperands(p, end);
        if (n !== 1) throw new AsmError('expected: .ident "string"', p);
        const bytes = this.stringLit(0);
        const save = this.sec;
        const fresh = !this.sections.some((x) => x.name === '.comment');
        const sec = this.section('.comment', 0x30, SHT_PROGBITS);
        sec.entsize = 1;
        if (fresh) sec.cur.putBytes([0]);
        sec.cur.putBytes([...bytes, 0]);
        this.sec = save;
        break;
      }
      case '.attribute':
        this.attribute(p, end);
        break;
      case '.addrsig':
      case '.addrsig_sym':
      case '.eabi_attribute':
        break;
      case '.include': {
        const n = this.splitOperands(p, end);
        if (n !== 1 || s.charCodeAt(this.opS[0]) !== 34) throw new AsmError('expected: .include "file"', p);
        const path = this.operandText(0).slice(1, -1);
        if (this.frame.includeDepth >= 32) throw new AsmError('.include nesting too deep', this.opS[0]);
        const f = this.include ? this.include(path, this.frame.file) : null;
        if (!f) throw new AsmError(`cannot find include file '${path}'`, this.opS[0]);
        this.pushFile(f, this.frame.includeDepth + 1);
        break;
      }
      case '.incbin': {
        const n = this.splitOperands(p, end);
        if (n < 1 || n > 3 || s.charCodeAt(this.opS[0]) !== 34) throw new AsmError('expected: .incbin "file"[, skip[, count]]', p);
        const path = this.operandText(0).slice(1, -1);
        const bytes = this.binary ? this.binary(path, this.frame.file) : null;
        if (!bytes) throw new AsmError(`cannot find file '${path}' for .incbin`, this.opS[0]);
        const skip = n > 1 ? Number(this.absolute(1, 'skip')) : 0;
        const count = n > 2 ? Number(this.absolute(2, 'count')) : bytes.length - skip;
        if (skip < 0 || skip > bytes.length) throw new AsmError(`.incbin skip ${skip} is outside the file (${bytes.length} bytes)`, this.opS[1]);
        if (count < 0 || skip + count > bytes.length) throw new AsmError(`.incbin count ${count} goes past the end of the file (${bytes.length} bytes)`, this.opS[2]);
        if (this.sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${this.sec.name}' must be zero`, this.opS[0]);
        this.sec.cur.putBytes(bytes.subarray(skip, skip + count));
        break;
      }
      case '.macro':
        this.beginMacro(p, end);
        break;
      case '.endm':
      case '.endmacro':
        throw new AsmError(`${word} without .macro`, this.mnemonicPos);
      case '.exitm': {
        // Leave the innermost macro expansion.
        for (let k = this.frames.length - 1; k >= 0; k--) {
          const f = this.frames[k];
          if (f.lines && f.macroDepth > (k > 0 ? this.frames[k - 1].macroDepth : 0)) {
            f.idx = f.lines.length;
            this.conds.length = f.condDepth;
            this.frames.length = k + 1;
            this.abandonLine = true;
            return;
          }
        }
        throw new AsmError('.exitm outside a macro', this.mnemonicPos);
      }
      case '.purgem': {
        const n = this.splitOperands(p, end);
        if (n !== 1) throw new AsmError('expected: .purgem name', p);
        if (!this.macros.delete(this.operandText(0).toLowerCase()) && !this.macros.delete(this.operandText(0))) {
          throw new AsmError(`macro '${this.operandText(0)}' is not defined`, this.opS[0]);
        }
        break;
      }
      case '.rept': {
        const n = this.splitOperands(p, end);
        if (n !== 1) throw new AsmError('expected: .rept count', p);
        const count = this.absolute(0, 'repeat count');
        if (count < 0n) throw new AsmError('repeat count must not be negative', this.opS[0]);
        if (count > 1000000n) throw new AsmError('repeat count too large', this.opS[0]);
        this.collect = { kind: 'rept', depth: 0, lines: [], files: [], lineNos: [], loc: { ...this.loc }, macro: null, count: Number(count), irpName: '', irpValues: [] };
        break;
      }
      case '.irp':
      case '.irpc': {
        const n = this.splitOperands(p, end);
        let name: string;
        let values: string[];
        if (n === 0) throw new AsmError(`expected: ${word} symbol, values...`, p);
        const first = this.operandText(0);
        const sp = first.search(/\s/);
        if (n === 1 && sp > 0) {
          name = first.slice(0, sp);
          values = [first.slice(sp).trim()];
        } else {
          name = first;
          values = [];
          for (let i = 1; i < n; i++) values.push(this.operandText(i));
        }
        if (word === '.irpc') values = values.length ? [...values.join(',')] : [];
        if (values.length === 0) values = [''];
        this.collect = { kind: word === '.irp' ? 'irp' : 'irpc', depth: 0, lines: [], files: [], lineNos: [], loc: { ...this.loc }, macro: null, count: 0, irpName: name, irpValues: values };
        break;
      }
      case '.endr':
        throw new AsmError('.endr without .rept or .irp', this.mnemonicPos);
      case '.if':
      case '.ifne':
      case '.ifeq':
      case '.ifgt':
      case '.ifge':
      case '.iflt':
      case '.ifle':
      case '.ifdef':
      case '.ifndef':
      case '.ifnotdef':
      case '.ifc':
      case '.ifnc':
      case '.ifb':
      case '.ifnb': {
        const parent = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
        let cond = false;
        if (parent) cond = this.condition(word, p, end);
        this.conds.push({ active: parent && cond, taken: cond, parent, loc: { ...this.loc } });
        break;
      }
      case '.elseif': {
        const c = this.conds[this.conds.length - 1];
        if (!c) throw new AsmError('.elseif without .if', this.mnemonicPos);
        if (c.parent && !c.taken) {
          const v = this.condition('.if', p, end);
          c.active = v;
          c.taken = v;
        } else c.active = false;
        break;
      }
      case '.else': {
        const c = this.conds[this.conds.length - 1];
        if (!c) throw new AsmError('.else without .if', this.mnemonicPos);
        c.active = c.parent && !c.taken;
        c.taken = true;
        break;
      }
      case '.endif':
        if (!this.conds.pop()) throw new AsmError('.endif without .if', this.mnemonicPos);
        break;
      case '.err':
        throw new AsmError('.err encountered', this.mnemonicPos);
      case '.error': {
        const n = this.splitOperands(p, end);
        const msg = n >= 1 ? String.fromCharCode(...this.stringLit(0)) : '.error directive invoked';
        throw new AsmError(msg, this.mnemonicPos);
      }
      case '.warning': {
        const n = this.splitOperands(p, end);
        this.warn(n >= 1 ? String.fromCharCode(...this.stringLit(0)) : '.warning directive invoked', this.mnemonicPos);
        break;
      }
      case '.print':
        break;
      case '.end':
        this.ended = true;
        break;
      case '.comm':
      case '.lcomm': {
        const n = this.splitOperands(p, end);
        if (n < 2 || n > 3) throw new AsmError(`expected: ${word} symbol, size[, align]`, p);
        const sym = this.symbol(this.operandText(0));
        const size = this.absolute(1, 'size');
        const align = n > 2 ? Number(this.absolute(2, 'alignment')) : Math.min(16, Number(size) >= 8 ? 8 : 1);
        const save = this.sec;
        const savePrev = this.prevSec;
        this.sec = this.section('.bss', null, null);
        this.alignTo(align || 1, null, -1, this.opS[2 < n ? 2 : 1]);
        if (sym.kind !== 0) throw new AsmError(`symbol '${sym.name}' is already defined`, this.opS[0]);
        this.placeLabel(sym);
        sym.defLoc = this.locAt(this.opS[0]);
        sym.type = 'object';
        sym.size = { t: E_NUM, v: size };
        // `.local x` then `.comm x, ...` (gcc's static zero-initialised data) stays local, as in GNU as.
        if (word === '.comm' && !this.declaredLocal.has(sym)) {
          sym.global = true;
          sym.common = true;
        }
        this.fillFrag(size, 1, 0n, this.opS[1]);
        this.sec = save;
        this.prevSec = savePrev;
        break;
      }
      case '.insn':
        this.splitOperands(p, end);
        this.insn();
        break;
      default:
        if (word.startsWith('.cfi_')) {
          this.cfi(word.slice(5), p, end);
          break;
        }
        throw new AsmError(`unknown directive '${word}'`, this.mnemonicPos);
    }
    if (listStart) this.listingEnd(listStart);
  }

  /**
   * `.attribute tag, value` (tag by name or number): recorded for the `.riscv.attributes` section. The
   * arch attribute also sets the instruction set, as in GNU as: without C, nothing is compressed.
   */
  private attribute(p: number, end: number): void {
    const n = this.splitOperands(p, end);
    if (n !== 2) throw new AsmError('expected: .attribute tag, value', p);
    const name = this.operandText(0).toLowerCase().replace(/^tag_riscv_/, '');
    let tag = ATTRIBUTE_TAGS[name];
    if (tag === undefined) {
      if (!/^\d+$/.test(name)) throw new AsmError(`unknown attribute '${this.operandText(0)}' (expected arch, stack_align, unaligned_access, priv_spec, priv_spec_minor, priv_spec_revision or a number)`, this.opS[0]);
      tag = Number(name);
    }
    if (tag % 2 === 1) {
      if (this.s.charCodeAt(this.opS[1]) !== 34) throw new AsmError('expected a string value for this attribute', this.opS[1]);
      const text = String.fromCharCode(...this.stringLit(1));
      if (tag === TAG_ARCH) {
        const isa = parseIsa(text);
        if (typeof isa === 'string') throw new AsmError(isa, this.opS[1]);
        if (isa.xlen !== 64) throw new AsmError('rvx assembles RV64 only (arch attribute names rv32)', this.opS[1]);
        this.attrs.arch = isa;
        this.rvc = isa.exts.has('c');
      } else this.attrs.strs.set(tag, text);
    } else {
      this.attrs.ints.set(tag, this.absolute(1, 'attribute value'));
    }
  }

  /** `.cfi_*`: recorded per procedure; written as .debug_frame at the end (see dwarf-frame.ts). */
  private cfi(name: string, p: number, end: number): void {
    const f = (this.frames_ ??= new FrameTable());
    if (name === 'sections') {
      f.sections(this.s.slice(p, end));
      return;
    }
    const n = this.splitOperands(p, end);
    const args: string[] = [];
    for (let i = 0; i < n; i++) args.push(this.operandText(i));
    const reg = (t: string): number => {
      if (/^\d+$/.test(t)) return Number(t);
      const r = regNumber(t.toLowerCase());
      if (r < 0) throw new AsmError(`expected a register, got '${t}'`);
      return r;
    };
    f.directive(name, args, reg, () => this.dotSymbol(), this.sec);
  }

  /** Call-frame tables, written to .debug_frame at the end of the unit. */
  private writeFrameTable(frames: FrameTable, eh: boolean): void {
    const save = this.sec;
    const savePrev = this.prevSec;
    const df = eh ? this.section('.eh_frame', SHF_ALLOC, SHT_PROGBITS) : this.section('.debug_frame', 0, SHT_PROGBITS);
    if (eh) df.align = Math.max(df.align, 8);
    const loc = { ...this.loc };
    let written = 0;
    try {
      frames.write({
        bytes: (b) => {
          df.cur.putBytes(b);
          written += b.length;
        },
        datum: (e, n) => {
          const frag = df.cur;
          df.fixups.push({ kind: FIX_DATA, frag, offset: frag.size, expr: e, loc, size: n, def: null, values: null, field: 0, pcAdjust: 0 });
          frag.putLE(0n, n);
          written += n;
        },
        newLabel: () => this.newSym(eh ? '.Leh_frame' : '.Ldebug_frame', true),
        place: (sym) => {
          this.sec = df;
          this.placeLabel(sym);
        },
        size: () => written,
      }, eh);
    } finally {
      this.sec = save;
      this.prevSec = savePrev;
    }
  }

  /** The line-number program, appended to this unit's .debug_line (after gcc's `.Ldebug_line0:` label). */
  private writeLineTable(lines: LineTable): void {
    const save = this.sec;
    const savePrev = this.prevSec;
    const dl = this.section('.debug_line', 0, SHT_PROGBITS);
    const loc = { ...this.loc };
    try {
      lines.write({
        bytes: (b) => dl.cur.putBytes(b),
        datum: (e, n) => {
          const frag = dl.cur;
          dl.fixups.push({ kind: FIX_DATA, frag, offset: frag.size, expr: e, loc, size: n, def: null, values: null, field: 0, pcAdjust: 0 });
          frag.putLE(0n, n);
        },
        uleb: (e) => {
          const f = new Frag(FRAG_LEB);
          f.leb = { expr: e, signed: false, loc };
          f.size = 1;
          dl.hasLeb = true;
          dl.addFrag(f);
        },
        newLabel: () => this.newSym('.Ldebug_line', true),
        place: (sym) => {
          this.sec = dl;
          this.placeLabel(sym);
        },
        endOf: (sec) => {
          this.sec = sec;
          const sym = this.newSym('.Lsection_end', true);
          this.placeLabel(sym);
          return sym;
        },
      });
    } finally {
      this.sec = save;
      this.prevSec = savePrev;
    }
  }

  /** `.option arch, +c, -c, rv64gc`: extensions on or off from here (GNU as 2.40); only C changes encodings. */
  private optionArch(n: number): void {
    for (let i = 1; i < n; i++) {
      const t = this.operandText(i).toLowerCase();
      if (t.startsWith('+') || t.startsWith('-')) {
        const ext = t.slice(1).replace(/\d+(p\d+)?$/, '');
        if (!/^[a-z][a-z0-9]*$/.test(ext)) throw new AsmError(`bad extension '${t}'`, this.opS[i]);
        if (ext === 'c' || ext === 'zca') this.rvc = t[0] === '+';
      } else {
        const isa = parseIsa(t);
        if (typeof isa === 'string') throw new AsmError(isa, this.opS[i]);
        this.rvc = isa.exts.has('c');
      }
    }
  }

  private noOperands(p: number, end: number, word: string): void {
    const q = skipWs(this.s, p, end);
    if (q < end) throw new AsmError(`unexpected operands after ${word}`, q);
  }

  private condition(word: string, p: number, end: number): boolean {
    const s = this.s;
    if (word === '.ifdef' || word === '.ifndef' || word === '.ifnotdef') {
      const n = this.splitOperands(p, end);
      if (n !== 1) throw new AsmError(`expected: ${word} symbol`, p);
      const sym = this.symbols.get(this.operandText(0));
      const def = !!sym && sym.kind !== 0;
      return word === '.ifdef' ? def : !def;
    }
    if (word === '.ifb' || word === '.ifnb') {
      const blank = skipWs(s, p, end) >= end;
      return word === '.ifb' ? blank : !blank;
    }
    if (word === '.ifc' || word === '.ifnc') {
      const n = this.splitOperands(p, end);
      if (n !== 2) throw new AsmError(`expected: ${word} string1, string2`, p);
      const unq = (t: string) => (t.startsWith("'") || t.startsWith('"') ? t.slice(1, -1) : t);
      const eq = unq(this.operandText(0)) === unq(this.operandText(1));
      return word === '.ifc' ? eq : !eq;
    }
    const q = skipWs(s, p, end);
    if (q >= end) throw new AsmError(`expected an expression after ${word}`, q);
    const e = this.expr(q, end);
    const v = this.evalNow(e);
    if (v === null) throw new AsmError(`${word} needs an absolute expression known at this point`, q);
    switch (word) {
      case '.ifeq': return v === 0n;
      case '.ifgt': return v > 0n;
      case '.ifge': return v >= 0n;
      case '.iflt': return v < 0n;
      case '.ifle': return v <= 0n;
      default: return v !== 0n;
    }
  }

  // ---- macros ---------------------------------------------------------------------------------------

  private beginMacro(p: number, end: number): void {
    const s = this.s;
    p = skipWs(s, p, end);
    let q = p;
    while (q < end && isIdentChar(s.charCodeAt(q))) q++;
    if (q === p) throw new AsmError('expected a macro name', p);
    const name = s.slice(p, q).toLowerCase();
    const params: MacroParam[] = [];
    const rest = s.slice(q, end).trim().replace(/^,/, '');
    if (rest) {
      for (const raw of splitMacroParams(rest)) {
        let t = raw.trim();
        if (!t) continue;
        let def: string | null = null;
        const eq = t.indexOf('=');
        if (eq >= 0) {
          def = t.slice(eq + 1).trim();
          t = t.slice(0, eq).trim();
        }
        let req = false;
        let vararg = false;
        const colon = t.indexOf(':');
        if (colon >= 0) {
          const qual = t.slice(colon + 1).trim();
          t = t.slice(0, colon).trim();
          if (qual === 'req') req = true;
          else if (qual === 'vararg') vararg = true;
          else throw new AsmError(`unknown macro parameter qualifier ':${qual}'`, p);
        }
        if (!/^[A-Za-z_.$][\w.$]*$/.test(t)) throw new AsmError(`bad macro parameter name '${t}'`, p);
        if (params.some((x) => x.name === t)) throw new AsmError(`duplicate macro parameter '${t}'`, p);
        params.push({ name: t, def, req, vararg });
      }
    }
    if (this.macros.has(name)) this.warn(`macro '${name}' redefined`, p);
    // A macro may shadow an instruction (as in GNU as): statements look macros up first.
    const m: Macro = { name, params, lines: [], files: [], lineNos: [] };
    this.collect = { kind: 'macro', depth: 0, lines: [], files: [], lineNos: [], loc: { ...this.loc }, macro: m, count: 0, irpName: '', irpValues: [] };
  }

  private expandMacro(m: Macro, p: number, end: number): void {
    const s = this.s;
    const argText = s.slice(p, end).trim();
    const args = splitMacroArgs(argText, m.params.length);
    const values = new Map<string, string>();
    let positional = 0;
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      const kw = /^([A-Za-z_.$][\w.$]*)\s*=(?!=)(.*)$/s.exec(a);
      if (kw && m.params.some((x) => x.name === kw[1])) {
        values.set(kw[1], unquoteArg(kw[2].trim()));
        continue;
      }
      if (positional >= m.params.length) {
        throw new AsmError(`too many arguments for macro '${m.name}' (it takes ${m.params.length})`, this.mnemonicPos);
      }
      const prm = m.params[positional];
      if (prm.vararg) {
        values.set(prm.name, args.slice(k).join(', '));
        positional = m.params.length;
        break;
      }
      values.set(prm.name, unquoteArg(a));
      positional++;
    }
    for (const prm of m.params) {
      if (!values.has(prm.name) || (values.get(prm.name) === '' && prm.def !== null)) {
        if (prm.req) throw new AsmError(`missing value for required parameter '${prm.name}' of macro '${m.name}'`, this.mnemonicPos);
        values.set(prm.name, prm.def ?? '');
      }
    }
    const counter = String(this.macroCounter++);
    const lines = m.lines.map((l) => substitute(l, values, counter));
    const note = `in expansion of macro '${m.name}' at ${this.loc.file}:${this.loc.line}`;
    if (lines.length) this.pushExpansion(lines, m.files, m.lineNos, note, true);
  }

  // ---- .insn ----------------------------------------------------------------------------------------

  private insn(): void {
    const n = this.nops;
    if (n === 0) throw new AsmError('expected: .insn format, operands... or .insn value', this.mnemonicPos);
    const first = this.operandText(0);
    const sp = first.search(/\s/);
    const fmt = (sp > 0 ? first.slice(0, sp) : first).toLowerCase();
    if (sp < 0 && n <= 2 && !INSN_FORMATS.has(fmt)) {
      // .insn value or .insn length, value
      const v = this.absolute(n - 1, 'instruction value');
      const len = n === 2 ? Number(this.absolute(0, 'instruction length')) : (v & 3n) === 3n ? 4 : 2;
      if (len !== 2 && len !== 4) throw new AsmError('instruction length must be 2 or 4', this.opS[0]);
      if ((len === 2 && (v & 3n) === 3n) || (len === 4 && (v & 3n) !== 3n)) throw new AsmError('instruction length does not match the value\'s low bits', this.opS[n - 1]);
      if (v < 0n || v >= 1n << BigInt(len * 8)) throw new AsmError(`instruction value does not fit in ${len} bytes`, this.opS[n - 1]);
      if (this.sec.type === SHT_NOBITS) throw new AsmError(`instructions are not allowed in the NOBITS section '${this.sec.name}'`, this.mnemonicPos);
      if (len === 2) this.sec.cur.put16(Number(v));
      else this.sec.cur.put32(Number(v));
      return;
    }
    if (!INSN_FORMATS.has(fmt)) throw new AsmError(`unknown .insn format '${fmt}' (expected r, i, s, b, sb, u, j or uj)`, this.opS[0]);
    // Shift operand 0 to start after the format name.
    if (sp > 0) this.opS[0] = skipWs(this.s, this.opS[0] + sp, this.opE[0]);
    else {
      for (let i = 1; i < n; i++) {
        this.opS[i - 1] = this.opS[i];
        this.opE[i - 1] = this.opE[i];
      }
      this.nops = n - 1;
    }
    const opcode = this.insnOpcode(0);
    const spec = INSN_FORMATS.get(fmt)!;
    const nf = spec.funct.length;
    const functs: number[] = [];
    for (let k = 0; k < nf; k++) {
      const v = Number(this.absolute(1 + k, spec.funct[k][0]));
      if (v < 0 || v >= 1 << spec.funct[k][1]) throw new AsmError(`${spec.funct[k][0]} must be in [0, ${(1 << spec.funct[k][1]) - 1}]`, this.opS[1 + k]);
      functs.push(v);
    }
    let match = opcode;
    let mask = 0x7f;
    for (let k = 0; k < nf; k++) {
      match |= functs[k] << spec.funct[k][2];
      mask |= ((1 << spec.funct[k][1]) - 1) << spec.funct[k][2];
    }
    const syntax = fmt === 'i' && this.nops === 1 + nf + 2 ? 'rd, imm12(rs1)' : spec.syntax;
    const def = insnDef(fmt, syntax, match >>> 0, mask >>> 0);
    // Re-split: the remaining operands follow the format's syntax.
    const base = 1 + nf;
    for (let i = base; i < this.nops; i++) {
      this.opS[i - base] = this.opS[i];
      this.opE[i - base] = this.opE[i];
    }
    this.nops -= base;
    this.row(def);
  }

  private insnOpcode(i: number): number {
    const t = this.operandText(i).toUpperCase();
    const named = INSN_OPCODES[t];
    if (named !== undefined) return named;
    const v = Number(this.absolute(i, 'opcode'));
    if (v < 0 || v > 127 || (v & 3) !== 3) throw new AsmError('opcode must be a 7-bit value with the low two bits set (or a name like OP, OP_IMM, CUSTOM_0)', this.opS[i]);
    return v;
  }
}

/** Every mnemonic: its pseudo-instruction handler (tried first) and its table row. */
const MNEMONICS = new Map<string, { pseudo: ((u: Unit, n: number) => boolean) | null; def: InstrDef | null }>();
for (const d of INSTRUCTION_BY_NAME.values()) MNEMONICS.set(d.name, { pseudo: PSEUDOS.get(d.name) ?? null, def: d });
for (const [name, h] of PSEUDOS) if (!MNEMONICS.has(name)) MNEMONICS.set(name, { pseudo: h, def: null });

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

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

export function skipWs(s: string, p: number, end: number): number {
  while (p < end && isSpace(s.charCodeAt(p))) p++;
  return p;
}

/** End of the statement starting at p: at ';' (more follows) or a '#' comment / end of line. */
function statementEnd(s: string, p: number, end: number): number {
  for (let i = p; i < end; i++) {
    const c = s.charCodeAt(i);
    // Only ; # // " ' matter.
    if (c > 39 && c !== 59 && c !== 47) continue;
    if (c === 59 || c === 35) return i;
    if (c === 47) {
      if (i + 1 < end && s.charCodeAt(i + 1) === 47) return i; // `//` comment, as llvm-mc accepts
      continue;
    }
    if (c === 34) {
      i++;
      while (i < end && s.charCodeAt(i) !== 34) {
        if (s.charCodeAt(i) === 92) i++;
        i++;
      }
    } else if (c === 39) {
      // Character literal: 'x', '\x', or GNU's unterminated 'x.
      if (i + 1 < end && s.charCodeAt(i + 1) === 92) i += 2;
      else i += 1;
      if (i + 1 < end && s.charCodeAt(i + 1) === 39) i++;
    }
  }
  return end;
}

function matchParen(s: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i;
  }
  return -1;
}

function matchParenBack(s: string, start: number, close: number): number {
  let depth = 0;
  for (let i = close; i >= start; i--) {
    const c = s.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
}

/** Replace block comments by spaces, keeping newlines (so line numbers stay right). */
function stripBlockComments(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10) {
        if (text.charCodeAt(i) === 92) i++;
        i++;
      }
      i++;
    } else if (c === 35) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      const stop = close < 0 ? n : close + 2;
      out += text.slice(last, i) + text.slice(i, stop).replace(/[^\n]/g, ' ');
      last = stop;
      i = stop;
    } else i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

function splitMacroParams(text: string): string[] {
  if (text.includes(',')) return text.split(',');
  return text.split(/\s+/);
}

/** Macro call arguments: comma-separated (respecting quotes and parentheses), or blank-separated. */
function splitMacroArgs(text: string, nparams: number): string[] {
  if (!text) return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let sawComma = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const j = text.indexOf('"', i + 1);
      const stop = j < 0 ? text.length : j + 1;
      cur += text.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      sawComma = true;
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  if (!sawComma && nparams > 1) {
    // GNU as also separates arguments by blanks.
    const parts = text.split(/\s+/).filter(Boolean);
    if (parts.length > 1) return parts;
  }
  return out;
}

/** Substitute \name, \() and \@ in a macro or .irp body line. */
/** A macro argument written as one quoted string is passed without its quotes (GNU as and llvm-mc). */
function unquoteArg(a: string): string {
  if (a.length < 2 || a[0] !== '"' || a[a.length - 1] !== '"') return a;
  for (let i = 1; i < a.length - 1; i++) {
    if (a[i] === '\\') i++;
    else if (a[i] === '"') return a;
  }
  return a.slice(1, -1);
}

function substitute(line: string, values: Map<string, string>, counter: string): string {
  if (line.indexOf('\\') < 0) return line;
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    if (line[i + 1] === '@') {
      out += counter;
      i += 2;
      continue;
    }
    if (line[i + 1] === '(' && line[i + 2] === ')') {
      i += 3;
      continue;
    }
    let j = i + 1;
    while (j < line.length && isIdentChar(line.charCodeAt(j))) j++;
    // GNU takes the longest parameter name that matches.
    let k = j;
    while (k > i + 1 && !values.has(line.slice(i + 1, k))) k--;
    if (k > i + 1) {
      out += values.get(line.slice(i + 1, k));
      i = k;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function toNumber(v: bigint): number {
  if (v > 0xffffffffffffn || v < -0xffffffffffffn) return v < 0n ? -0x1000000000000 : 0x1000000000000;
  return Number(v);
}

export function hi20(v: bigint): number {
  return Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
}

export function lo12(v: bigint): number {
  return Number(BigInt.asIntN(12, v));
}

function modName(mod: number): string {
  for (const [k, v] of Object.entries(MODIFIERS)) if (v === mod) return k;
  return '?';
}

function regName(r: number): string {
  return r === 0 ? 'zero' : r === 1 ? 'ra' : r === 2 ? 'sp' : `x${r}`;
}

function describeField(f: OperandField): string {
  if (f.kind !== 'imm') return 'a register';
  const lo = f.signed ? -(2 ** (f.bits - 1)) : 0;
  const hi = f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
  return `an integer in the range [${lo}, ${hi}]`;
}

/** A plain address (label, or label ± constant): not valid where a constant or %lo/%hi is required. */
function isBareAddress(e: Expr): boolean {
  if (e.t === E_SYM) return e.sym.kind !== 2 && e.sym.kind !== 3;
  if (e.t === 3 && (e.op === 10 || e.op === 11)) {
    if (e.op === 10 && e.b.t === E_SYM && e.a.t === E_NUM) return isBareAddress(e.b);
    if (e.b.t === E_NUM) return isBareAddress(e.a);
  }
  return false;
}


