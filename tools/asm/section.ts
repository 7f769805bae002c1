// Sections of one assembly unit, as lists of fragments in the manner of LLVM's MC layer: data fragments
// (fixed bytes), alignment fragments (size depends on their offset) and fill fragments (.space/.zero/.fill).
// A relaxable branch (a compressed branch or jump that may grow to 4 bytes or longer) is no fragment of its
// own: it leads the data fragment made after it (InputSection.fBr), its record and size in the section's RelaxTable.
// Layout assigns offsets; linking places each section at an address; fixups then patch the data.

import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { locIn, type Expr, type Loc, type LocCtx, type Sym } from './expr.js';

export const FRAG_DATA = 0;
// (1 was a relaxable branch's own fragment: branches now lead data fragments, InputSection.fBr.)
export const FRAG_ALIGN = 2;
export const FRAG_FILL = 3;
/** `.org`: pads with `fill` bytes up to section offset `align` (its size depends on its offset). */
export const FRAG_ORG = 4;
/** `.uleb128`/`.sleb128` of an expression known only after layout (a difference of labels): its size
 * depends on the value (LLVM's MCLEBFragment); it only grows during layout, padding with continuation bytes. */
export const FRAG_LEB = 5;

export interface Leb {
  expr: Expr;
  signed: boolean;
  loc: Loc;
  /** Not a LEB128 but a DW_CFA_advance_loc* by the value (a code distance), in the shortest form (1, 2, 3
   * or 5 bytes, as GNU as's ehopt.c sizes it); `relocated`: written into an object with SET/SUB
   * relocations, as GNU as does when a linker may change the distance. */
  cfa?: { relocated: boolean };
}

/** Bytes of DW_CFA_advance_loc* for a code distance (code alignment factor 1): advance_loc (6-bit delta in
 * the opcode), advance_loc1, advance_loc2, advance_loc4. */
export function cfaAdvanceSize(delta: bigint): number {
  return delta < 0x40n ? 1 : delta < 0x100n ? 2 : delta < 0x10000n ? 3 : 5;
}

/** The bytes of DW_CFA_advance_loc* by `delta` in `size` bytes (cfaAdvanceSize, or larger after layout). */
export function encodeCfaAdvance(delta: bigint, size: number): number[] {
  const v = Number(BigInt.asUintN(32, delta));
  if (size === 1) return [0x40 | (v & 0x3f)];
  if (size === 2) return [0x02, v & 0xff];
  if (size === 3) return [0x03, v & 0xff, (v >>> 8) & 0xff];
  return [0x04, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** RelaxTable flags (above a record's packed operands). */
export const RX_RELAXED = 1 << 24;
export const RX_LONG = 1 << 25;
export const RX_LONGABLE = 1 << 26;
export const RX_GNU = 1 << 27;

/** RelaxTable's targets are kept in arrays of this many (see targetChunks). */
export const TARGET_CHUNK_BITS = 12;
const TARGET_CHUNK = 1 << TARGET_CHUNK_BITS;
export const TARGET_CHUNK_MASK = TARGET_CHUNK - 1;

/** Append `v` as row `i` (the next) of a column kept in chunks of TARGET_CHUNK (RelaxTable.targetChunks). */
function pushChunked<T>(chunks: T[][], i: number, v: T): void {
  const chunk = i >>> TARGET_CHUNK_BITS;
  if (chunk === chunks.length) chunks.push([]);
  chunks[chunk].push(v);
}

/**
 * A column of `n` rows whose memory is not zeroed (malloc rather than calloc): only for columns whose every
 * row is written before it is read (a table's rows below its count). `new Int32Array(n)` zeroes all of it at
 * once, and on the development VM each first-touched 4 KB page costs ~15 us; a fresh allocation's pages are
 * touched here only as rows are written.
 */
function rawInt32(n: number): Int32Array {
  return new Int32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
}

/** rawInt32 for byte columns and byte sinks (same rule: written before read). */
function rawUint8(n: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
}

/** A copy of `a` in a new column of `cap` rows (a table's growth; the rows past a's are not zeroed). */
function widenInt32(a: Int32Array, cap: number): Int32Array {
  const b = rawInt32(cap);
  b.set(a);
  return b;
}

/**
 * The location contexts of a table's rows (RelaxTable, CallTable), by runs: nearly every row of a file
 * shares its context, so the context of rows starts[k] .. starts[k + 1] - 1 is runs[k].
 */
class LocRuns {
  private starts: number[] = [];
  private runs: LocCtx[] = [];

  /** Row i (the next) has context ctx. */
  note(i: number, ctx: LocCtx): void {
    const n = this.runs.length;
    if (n === 0 || this.runs[n - 1] !== ctx) {
      this.starts.push(i);
      this.runs.push(ctx);
    }
  }

  /** Row i's context: the last run starting at or before i (a binary search: only cold code asks). */
  at(i: number): LocCtx {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.runs[lo];
  }
}

/**
 * The relaxable instructions to a label of one section (InputSection.relaxes), each the record (by index) of
 * the branch that leads a data fragment (InputSection.fBr), with the branch's current size: the compressed form (small) and the 4-byte one (big), each as its
 * register operands and the index of its target field. A conditional branch has a third, long form for
 * targets beyond its ±4 KiB reach: the inverted branch over a `jal` (6 bytes when small is c.beqz/c.bnez,
 * else 8). A 4-byte branch that has no compressed form starts relaxed (small = big).
 * Columns of typed arrays rather than an object per branch: a large file has tens of thousands, and each
 * object (14 fields of 8 bytes on a 64-bit V8 without pointer compression) would be copied twice by the
 * scavenger and then touch fresh old-space pages. The numbers live outside the V8 heap; only the target
 * expressions (in arrays of TARGET_CHUNK) and location contexts (one per run) are in. No operand arrays (the registers packed in a
 * number, the arrays made when the branch is written) and no Loc object (a shared file, a line, a column).
 */
export class RelaxTable {
  n = 0;
  /** smallRegs (10 bits), bigRegs (10), smallField (2), bigField (2) and the RX_* flags. */
  bits: Int32Array = new Int32Array(0);
  /** The small and big rows' INSTRUCTIONS ids (16 bits each), or -1 for rows outside the table (`odd`). */
  ids: Int32Array = new Int32Array(0);
  lines: Int32Array = new Int32Array(0);
  cols: Int32Array = new Int32Array(0);
  /** The branch's current size in bytes (2, 4, 6 or 8; set by layout): the data fragment it leads starts
   * this many bytes after the fragment before it. */
  sizes: Uint8Array = new Uint8Array(0);
  /** Targets in chunks of TARGET_CHUNK: one array of tens of thousands would live in V8's large-object space,
   * where each growth is a fresh copy (first-touched memory, the costly part on the development VM). */
  /** (Read directly by link.ts's relaxPass and emitBranch, once per branch in cold code: no target() call.) */
  readonly targetChunks: Expr[][] = [];
  /** Location contexts by runs. */
  private readonly ctxs = new LocRuns();
  /** The rows of records whose rows are not in INSTRUCTIONS (.insn), by record index. */
  odd: Map<number, [InstrDef, InstrDef]> | null = null;
  /** The capacity of the first growth at least (InputSection.expect). */
  hint = 0;

  /** Append a record; its index. */
  add(
    small: InstrDef,
    /** The small form's operands other than the target field, 5 bits each from bit 0, in field order
     * (every other operand of a relaxable row is a register; at most two). */
    smallRegs: number,
    smallField: number,
    big: InstrDef,
    bigRegs: number,
    bigField: number,
    target: Expr,
    relaxed: boolean,
    /** A conditional branch: may take the long form. */
    longable: boolean,
    /**
     * Sized as GNU as sizes it (--compat gnu): by tc-riscv.c's relaxed_branch_length inside gas's
     * relax_segment (layoutSectionGnu), where any defined non-weak target in the section counts (global
     * too), a conditional branch to anything else takes the 8-byte long form, and a branch in compressed
     * reach of its first estimate stays compressed. Its size is then 2, 4, 6 (inverted compressed branch
     * over a jal) or 8 (inverted 4-byte branch over a jal).
     */
    gnu: boolean,
    locCtx: LocCtx,
    locLine: number,
    locCol: number,
  ): number {
    if (smallRegs >>> 10 !== 0 || bigRegs >>> 10 !== 0 || smallField >>> 2 !== 0 || bigField >>> 2 !== 0) {
      throw new Error(`internal: relaxable ${small.name}/${big.name} has more operands than RelaxTable packs`);
    }
    const i = this.n;
    if (i === this.bits.length) this.grow();
    this.bits[i] = smallRegs | (bigRegs << 10) | (smallField << 20) | (bigField << 22) | (relaxed ? RX_RELAXED : 0) | (longable ? RX_LONGABLE : 0) | (gnu ? RX_GNU : 0);
    const tabled = small.id >= 0 && big.id >= 0 && small.id < 0x8000 && big.id < 0x8000 && INSTRUCTIONS[small.id] === small && INSTRUCTIONS[big.id] === big;
    if (tabled) this.ids[i] = small.id | (big.id << 16);
    else {
      this.ids[i] = -1;
      (this.odd ??= new Map()).set(i, [small, big]);
    }
    this.lines[i] = locLine;
    this.cols[i] = locCol;
    this.sizes[i] = relaxed ? 4 : small.size;
    pushChunked(this.targetChunks, i, target);
    this.ctxs.note(i, locCtx);
    this.n = i + 1;
    return i;
  }

  private grow(): void {
    // Past 16K records by four: each growth copies into fresh memory.
    let cap = this.bits.length < 1 << 14 ? Math.max(64, this.bits.length * 2) : this.bits.length * 4;
    if (cap < this.hint) cap = this.hint;
    this.bits = widenInt32(this.bits, cap);
    this.ids = widenInt32(this.ids, cap);
    this.lines = widenInt32(this.lines, cap);
    this.cols = widenInt32(this.cols, cap);
    const sizes = rawUint8(cap);
    sizes.set(this.sizes);
    this.sizes = sizes;
  }

  /** The branch's current size in bytes. */
  size(i: number): number {
    return this.sizes[i];
  }
  setSize(i: number, size: number): void {
    this.sizes[i] = size;
  }

  small(i: number): InstrDef {
    const id = this.ids[i];
    return id >= 0 ? INSTRUCTIONS[id & 0xffff] : this.odd!.get(i)![0];
  }
  big(i: number): InstrDef {
    const id = this.ids[i];
    return id >= 0 ? INSTRUCTIONS[id >>> 16] : this.odd!.get(i)![1];
  }
  smallRegs(i: number): number {
    return this.bits[i] & 0x3ff;
  }
  bigRegs(i: number): number {
    return (this.bits[i] >>> 10) & 0x3ff;
  }
  smallField(i: number): number {
    return (this.bits[i] >>> 20) & 3;
  }
  bigField(i: number): number {
    return (this.bits[i] >>> 22) & 3;
  }
  /** Took the 4-byte form (or longer); set by layout. */
  relaxed(i: number): boolean {
    return (this.bits[i] & RX_RELAXED) !== 0;
  }
  setRelaxed(i: number, v: boolean): void {
    this.bits[i] = v ? this.bits[i] | RX_RELAXED : this.bits[i] & ~RX_RELAXED;
  }
  /** Took the long form; set by layout. */
  long(i: number): boolean {
    return (this.bits[i] & RX_LONG) !== 0;
  }
  setLong(i: number, v: boolean): void {
    this.bits[i] = v ? this.bits[i] | RX_LONG : this.bits[i] & ~RX_LONG;
  }
  longable(i: number): boolean {
    return (this.bits[i] & RX_LONGABLE) !== 0;
  }
  gnu(i: number): boolean {
    return (this.bits[i] & RX_GNU) !== 0;
  }
  target(i: number): Expr {
    return this.targetChunks[i >>> TARGET_CHUNK_BITS][i & TARGET_CHUNK_MASK];
  }
  /** Where the branch was written. */
  loc(i: number): Loc {
    return locIn(this.ctxs.at(i), this.lines[i], this.cols[i]);
  }

  /** The small form's operand values with `offset` in the target field (a new array the caller may change). */
  smallValues(i: number, offset: number): number[] {
    return unpackOperands(this.small(i), this.smallRegs(i), this.smallField(i), offset, []);
  }

  /** The big form's operand values with `offset` in the target field (a new array the caller may change). */
  bigValues(i: number, offset: number): number[] {
    return unpackOperands(this.big(i), this.bigRegs(i), this.bigField(i), offset, []);
  }

  /** The operand values of the form taken (big when relaxed, else small) with `offset` in the target field,
   * in a shared array valid until the next call: for encoding a branch at once, without an array per branch. */
  takenValues(i: number, relaxed: boolean, offset: number): number[] {
    const def = relaxed ? this.big(i) : this.small(i);
    const regs = relaxed ? this.bigRegs(i) : this.smallRegs(i);
    return unpackOperands(def, regs, relaxed ? this.bigField(i) : this.smallField(i), offset, scratchValues);
  }
}

/** RelaxTable's packing of a relaxable row's operands other than its target field (registers, 5 bits each). */
export function packOperands(def: InstrDef, values: readonly number[], field: number): number {
  let regs = 0;
  for (let k = 0, shift = 0; k < def.fields.length; k++) {
    if (k === field) continue;
    const v = values[k];
    if (!(v >= 0 && v < 32) || def.fields[k].kind !== 'reg') throw new Error(`internal: operand ${k} of relaxable ${def.name} is not a register`);
    regs |= v << shift;
    shift += 5;
  }
  return regs;
}

/** RelaxTable.takenValues' array (relaxable rows have at most three fields). */
const scratchValues: number[] = [0, 0, 0, 0];

/** packOperands undone, with `offset` in the target field: into `out` (from index 0), which it returns. */
function unpackOperands(def: InstrDef, regs: number, field: number, offset: number, out: number[]): number[] {
  for (let k = 0, shift = 0; k < def.fields.length; k++) {
    if (k === field) out[k] = offset;
    else {
      out[k] = (regs >>> shift) & 31;
      shift += 5;
    }
  }
  return out;
}

/** Alignment (to `align` bytes with `fill` or nops, skipping at most `maxSkip`) or fill (`count` times a
 * `fillSize`-byte little-endian `fillValue`). */
export interface Padding {
  align: number;
  fill: number;
  maxSkip: number;
  nops: boolean;
  rvc: boolean;
  count: number;
  fillSize: number;
  fillValue: bigint;
  /** Code padding in GNU as's order (--compat gnu): a c.nop first when the count is 2 mod 4, then nops. */
  gnuNops?: boolean;
  /** Where a .org was written (for its error). */
  loc?: Loc;
  /** `.org label + k`: the target is `align` bytes from the start of this fragment (its number; else, or -1,
   * from the section's start). */
  base?: number;
  /** Set for `-c --relax`: the worst-case padding GNU as leaves for the linker (R_RISCV_ALIGN), whatever the offset. */
  fixed?: number;
  /** Written in a `.option norelax` region. */
  norelax?: boolean;
}

/** The bytes of all data fragments of one section, back to back (only the last fragment grows). */
export class ByteSink {
  buf: Uint8Array = new Uint8Array(256);
  len = 0;

  grow(n: number): void {
    // Past 64 KB by four: each growth copies the bytes so far into fresh memory, and first-touched pages
    // are what costs (about 12 µs a page on the development VM); pages of the new buffer not yet written are
    // not touched.
    let cap = this.buf.length < 1 << 16 ? this.buf.length * 2 : this.buf.length * 4;
    while (cap < this.len + n) cap *= 2;
    const nb = rawUint8(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
}

/** Fixup kinds: how an expression's final value patches the bytes at (frag, offset). */
export const FIX_DATA = 0;
/** Instruction field with an absolute value. */
export const FIX_ABS = 1;
/** Branch or jump target: value minus the instruction's address. */
export const FIX_PCREL = 2;
export const FIX_HI = 3;
export const FIX_LO = 4;
export const FIX_PCREL_HI = 5;
/** %pcrel_lo(label): the low part of the %pcrel_hi of the auipc at `label`. */
export const FIX_PCREL_LO = 6;
/** Low part of a pc-relative value whose auipc is `pcAdjust` bytes before this instruction (la, call). */
export const FIX_PCREL_LO_PAIR = 7;
/** An ELF relocation read from an object file: `field` is its type (tools/ld/relocs.ts), expr is S + A. */
export const FIX_RELOC = 8;
/** %tprel_hi / %tprel_lo: the thread-pointer offset of a TLS symbol (its offset in the TLS segment). */
export const FIX_TPREL_HI = 9;
export const FIX_TPREL_LO = 10;
/** auipc of a GOT load: %got_pcrel_hi (address slot), %tls_ie_pcrel_hi (tp-offset slot), %tls_gd_pcrel_hi
 * (module/offset pair); the linker builds the GOT. Their low parts are %pcrel_lo of the auipc's label. */
export const FIX_GOT_HI = 11;
export const FIX_TLS_IE_HI = 12;
export const FIX_TLS_GD_HI = 13;
/** `add rd, rs1, tp, %tprel_add(sym)`: nothing to patch; in an object, R_RISCV_TPREL_ADD marks it. */
export const FIX_TPREL_ADD = 14;
/**
 * A call's `auipc tmp, 0; jalr rd, 0(tmp)` (call, tail, jump: emit.ts emitCall), both fixups in one record at
 * the auipc: the FIX_PCREL_HI of the auipc and the FIX_PCREL_LO_PAIR of the jalr 4 bytes after it, which
 * callHi and callLo make as records of their own where a consumer needs them (a call to anything but a
 * label placed at a plain address, an object's relocation). One record rather than two: a large file has
 * thousands of calls, and each record lives as long as the unit (copied twice by the scavenger, then on
 * fresh old-space pages).
 */
export const FIX_CALL = 15;
/** A marker that keeps an instruction uncompressed (the 4-operand `add ..., %tprel_add(sym)`); no patch. */
export const FIX_NONE = -1;

/**
 * Whether GNU as starts a new fragment after an instruction with a fixup of this kind (tc-riscv.c
 * append_insn: a relocation a linker may relax — HI20, PCREL_HI20, TPREL_HI20, TPREL_ADD; CALL ends the
 * fragment after the call's jalr). Where GNU's fragments start decides some branch sizes under --compat gnu
 * (emit.ts) and which call-frame advances GNU as relocates (dwarf-frame.ts).
 */
export function endsGnuFragment(kind: number): boolean {
  return kind === FIX_HI || kind === FIX_PCREL_HI || kind === FIX_TPREL_HI || kind === FIX_TPREL_ADD;
}
/** FIX_DATA modes (in `field`): write, add, subtract (.reloc), and the TLS offset of the value (.dtprelword). */
export const DATA_SET = 0;
export const DATA_ADD = 1;
export const DATA_SUB = 2;
export const DATA_TLSOFF = 3;
/** The DTV-relative offset: the TLS offset minus 0x800 (psABI: the DTV pointer is 0x800 into the block). */
export const DATA_DTPOFF = 4;
/** The value less the datum's own address (a pc-relative pointer of .eh_frame: DW_EH_PE_pcrel). */
export const DATA_PCREL = 5;

export interface Fixup {
  kind: number;
  /** The fragment's number in its section. */
  frag: number;
  offset: number;
  expr: Expr;
  loc: Loc;
  /** Data fixups: size in bytes. */
  size: number;
  /** Instruction fixups: the row and which of its fields the fixup patches (in the instruction's bytes). */
  def: InstrDef | null;
  field: number;
  pcAdjust: number;
  /** Written in a `.option norelax` region (no R_RISCV_RELAX for it in a relaxable object). */
  norelax?: boolean;
}

const FX_NORELAX = 1 << 12;

/**
 * A fixup made by a constructor rather than an object literal: V8 tracks literals' allocation sites and,
 * once it sees these records live long (they do, for the whole unit), switches the site to old-space
 * allocation, which throws away the optimised code that creates them. The assembler's instruction and
 * data fixups, which live as long as the unit. One class for both also keeps the code
 * that reads them (layout, writing objects) monomorphic: the first data fixup after a section of
 * instruction fixups deoptimised the object writer ("wrong map"). The linker's own few may be literals.
 */
export class FixupRecord implements Fixup {
  /** size (4 bits), pcAdjust + 128 (8 bits) and norelax (1 bit), the fields read least, in one small
   * integer: every field is 8 bytes on a 64-bit V8 without pointer compression, and these records live as
   * long as the unit. (kind and field stay plain fields: the fixup passes read them for every fixup.) */
  private bits: number;
  constructor(
    public kind: number,
    public frag: number,
    public offset: number,
    public expr: Expr,
    /** Where the fixup was written (the `loc` getter): a shared file and note, a line and a column, not a
     * Loc object per fixup (see RelaxTable). */
    public locCtx: LocCtx,
    public locLine: number,
    public locCol: number,
    size: number,
    public def: InstrDef | null,
    public field: number,
    pcAdjust: number,
    norelax: boolean,
  ) {
    if (size >>> 4 !== 0 || pcAdjust < -128 || pcAdjust > 127) throw new Error(`internal: fixup size ${size} pcAdjust ${pcAdjust} does not pack`);
    this.bits = size | ((pcAdjust + 128) << 4) | (norelax ? FX_NORELAX : 0);
  }

  /** Data fixups: size in bytes. */
  get size(): number {
    return this.bits & 15;
  }
  get pcAdjust(): number {
    return ((this.bits >>> 4) & 255) - 128;
  }
  get norelax(): boolean {
    return (this.bits & FX_NORELAX) !== 0;
  }

  get loc(): Loc {
    return locIn(this.locCtx, this.locLine, this.locCol);
  }
}

const AUIPC = INSTRUCTION_BY_NAME.get('auipc')!;
const JALR = INSTRUCTION_BY_NAME.get('jalr')!;

/** The %pcrel_hi fixup of a FIX_CALL's auipc, as a record of its own. */
export function callHi(fx: FixupRecord): FixupRecord {
  return new FixupRecord(FIX_PCREL_HI, fx.frag, fx.offset, fx.expr, fx.locCtx, fx.locLine, fx.locCol, 4, AUIPC, 1, 0, fx.norelax);
}

/** The low-part fixup of a FIX_CALL's jalr (the instruction after the auipc), as a record of its own. */
export function callLo(fx: FixupRecord): FixupRecord {
  return new FixupRecord(FIX_PCREL_LO_PAIR, fx.frag, fx.offset + 4, fx.expr, fx.locCtx, fx.locLine, fx.locCol, 4, JALR, 1, -4, fx.norelax);
}

/**
 * The calls of one section (InputSection.calls): each a call's `auipc tmp, 0; jalr rd, 0(tmp)` (call, tail,
 * jump: emit.ts emitCall) with its target, the two fixups of a FIX_CALL record without the record. Columns of
 * typed arrays, as RelaxTable's: a large file has thousands of calls, and a record per call (104 bytes) lives
 * as long as the unit, copied twice by the scavenger and then on fresh old-space pages. Link's applyFixups and
 * the object writer read the columns; other code sees FIX_CALL records (InputSection.fixups makes them).
 */
export class CallTable {
  n = 0;
  /** Where each call stands among the section's other fixups (InputSection.records): before records[pos[i]]
   * (the number of records when it was added), so consumers keep the order of one list of fixups. */
  pos: Int32Array = new Int32Array(0);
  /** The fragment's index in the section's list (it was the current one, the last, when the call was added). */
  frags: Int32Array = new Int32Array(0);
  /** The auipc's offset in its fragment (the jalr follows 4 bytes after). */
  offsets: Int32Array = new Int32Array(0);
  lines: Int32Array = new Int32Array(0);
  /** The column, and CALL_NORELAX when the call was written in a `.option norelax` region. */
  cols: Int32Array = new Int32Array(0);
  /** Targets in chunks of TARGET_CHUNK (see RelaxTable.targetChunks). */
  readonly targetChunks: Expr[][] = [];
  /** Location contexts by runs. */
  private readonly ctxs = new LocRuns();

  constructor(
    /** The capacity of the first growth at least (InputSection.expect). */
    private readonly hint: number,
  ) {}

  add(pos: number, frag: number, offset: number, target: Expr, locCtx: LocCtx, locLine: number, locCol: number, norelax: boolean): void {
    if (locCol >>> 30 !== 0) throw new Error(`internal: call column ${locCol} does not pack`);
    const i = this.n;
    if (i === this.pos.length) this.grow();
    this.pos[i] = pos;
    this.frags[i] = frag;
    this.offsets[i] = offset;
    this.lines[i] = locLine;
    this.cols[i] = norelax ? locCol | CALL_NORELAX : locCol;
    pushChunked(this.targetChunks, i, target);
    this.ctxs.note(i, locCtx);
    this.n = i + 1;
  }

  private grow(): void {
    // Past 16K calls by four: each growth copies into fresh memory.
    let cap = this.pos.length < 1 << 14 ? Math.max(64, this.pos.length * 2) : this.pos.length * 4;
    if (cap < this.hint) cap = this.hint;
    this.pos = widenInt32(this.pos, cap);
    this.frags = widenInt32(this.frags, cap);
    this.offsets = widenInt32(this.offsets, cap);
    this.lines = widenInt32(this.lines, cap);
    this.cols = widenInt32(this.cols, cap);
  }

  target(i: number): Expr {
    return this.targetChunks[i >>> TARGET_CHUNK_BITS][i & TARGET_CHUNK_MASK];
  }
  norelax(i: number): boolean {
    return (this.cols[i] & CALL_NORELAX) !== 0;
  }
  locCtx(i: number): LocCtx {
    return this.ctxs.at(i);
  }
  /** Where the call was written. */
  loc(i: number): Loc {
    return locIn(this.locCtx(i), this.lines[i], this.cols[i] & ~CALL_NORELAX);
  }

  /** Call i as a FIX_CALL record (for cold code). */
  record(i: number): FixupRecord {
    return new FixupRecord(FIX_CALL, this.frags[i], this.offsets[i], this.target(i), this.locCtx(i), this.lines[i], this.cols[i] & ~CALL_NORELAX, 4, AUIPC, 1, 0, this.norelax(i));
  }
}

const CALL_NORELAX = 1 << 30;

/**
 * A fragment of a section as a handle object, for the assembler's values of labels while it assembles
 * (expr.ts RelValue.base, compared by identity): made on first use and kept by the section, one per
 * fragment a label's value was asked of (few: see InputSection.fragRef).
 */
export class FragRef {
  constructor(
    readonly sec: InputSection,
    readonly frag: number,
  ) {}
}

export class InputSection {
  /**
   * The fragments, by number (position in the section), as columns of typed arrays rather than an object
   * each: a large file has tens of thousands (one after every relaxable branch), and each object would be
   * copied twice by the scavenger and then touch fresh old-space pages. A fragment is referred to by its
   * number (Sym.frag, Fixup.frag). fStart: a data fragment's bytes start in `sink`; fBr: the record in
   * `relaxes` of the relaxable branch that leads a data fragment (>= 0; it sits right before the fragment's
   * bytes, at fOff - relaxes.size(br)), else -1 - kind (-1 for a data fragment), so `br < 0` says "no
   * branch" and the kind needs no column of its own; fSize: current size in bytes; fOff: offset in the
   * section (set by layout). Sizes as 32-bit integers: a number read from a Float64Array in V8's
   * unoptimised code is a fresh heap number, and one stored in a label's or fixup's offset turned that field
   * into a boxed double in every symbol (a fragment is never 2 GB: the assembler refuses fills, .org and
   * alignments past 1 GB, and the linker's zero fills come in pieces, addZeroFill). Offsets likewise (a
   * double read from them reached the operand arrays and fields of the link's code and deoptimised it), unless
   * a section grows past 2 GB (a large .bss): then layout widens them to a Float64Array (widenOffsets).
   */
  nFrags = 0;
  fStart: Int32Array;
  fBr: Int32Array;
  fSize: Int32Array;
  fOff: Int32Array | Float64Array;
  /** By fragment number: an alignment/fill/org fragment's Padding or a LEB fragment's Leb (few: a Map). */
  private fExt: Map<number, Padding | Leb> | null = null;
  /** FragRef handles by fragment number (fragRef). */
  private refs: Map<number, FragRef> | null = null;
  /** The capacity of the first growth of the fragment columns and the call table at least (expect). */
  private fragHint = 0;
  private callHint = 0;
  /** The fixups other than the calls in `calls`, in order (see CallTable.pos). */
  records: Fixup[] = [];
  /** The calls (null until the first). */
  calls: CallTable | null = null;
  /** The records of its relaxable branches (each leads a data fragment: fBr). */
  readonly relaxes = new RelaxTable();
  align = 1;
  /** Layout size. */
  size = 0;
  /** Address after linking. */
  addr = 0n;
  /** Output section this one lands in. */
  outputName = '';
  /** The data fragment bytes are appended to (the last fragment). */
  cur = 0;
  readonly sink = new ByteSink();
  hasCode = false;
  hasLabels = false;
  /** GNU as 2.40's mapping symbols of a code section under --compat gnu in an object (core.ts mapState):
   * the state (0 none, 1 code, 2 data), the ISA string of the last `$x<isa>`, and the symbols made. */
  mapState = 0;
  mapArch: string | null = null;
  maps: Sym[] | null = null;
  /** sh_entsize of a mergeable section (`.section name, "aMS", @progbits, 1`). */
  entsize = 0;
  /** Has FRAG_LEB fragments: laid out after the sections they may refer to. */
  hasLeb = false;
  /** The section group it belongs to (`.section name, "axG", @progbits, sig, comdat`; gABI "Section
   * Groups"): the signature and whether it is a COMDAT group. A section is named by its name and group. */
  group: { signature: string; comdat: boolean } | null = null;
  /** `,unique,N` of `.section`: another section of the same name (GNU as). */
  uniqueId = -1;
  /** SHF_LINK_ORDER (`o` flag; gABI "Section Header", sh_link): the symbol named after the type in the source
   * (gcc's `__patchable_function_entries,"awo",@progbits,f`), whose section becomes sh_link; part of the
   * section's identity, as in GNU as. In an object read by the linker, `linkedTo` is that section itself. */
  linkOrder: { symbol: string; loc: Loc } | null = null;
  linkedTo: InputSection | null = null;
  constructor(
    public name: string,
    public type: number,
    public flags: number,
    public unit: number,
    public unitName: string,
  ) {
    this.fStart = new Int32Array(8);
    this.fBr = new Int32Array(8);
    this.fSize = new Int32Array(8);
    this.fOff = new Int32Array(8);
    this.cur = this.pushFrag(-1);
  }

  /**
   * All fixups as records, in order: the calls made FIX_CALL records and merged into `records` (once; the
   * table is then dropped). For code that runs on few fixups or rarely (garbage collection of sections,
   * objects read by the linker); link's applyFixups and the object writer read `records` and `calls`.
   */
  get fixups(): Fixup[] {
    const calls = this.calls;
    if (calls !== null) {
      const recs = this.records;
      const all: Fixup[] = [];
      let c = 0;
      for (let j = 0; j <= recs.length; j++) {
        while (c < calls.n && calls.pos[c] <= j) all.push(calls.record(c++));
        if (j < recs.length) all.push(recs[j]);
      }
      this.records = all;
      this.calls = null;
    }
    return this.records;
  }
  set fixups(all: Fixup[]) {
    this.records = all;
    this.calls = null;
  }

  /** How many fixups (calls included). */
  fixupCount(): number {
    return this.records.length + (this.calls === null ? 0 : this.calls.n);
  }

  /** Add a call (emit.ts emitCall) at `offset` in the current fragment. */
  addCall(offset: number, target: Expr, locCtx: LocCtx, locLine: number, locCol: number, norelax: boolean): void {
    const k = this.nFrags - 1;
    if (k !== this.cur) throw new Error('internal: a call outside the last fragment');
    (this.calls ??= new CallTable(this.callHint)).add(this.records.length, k, offset, target, locCtx, locLine, locCol, norelax);
  }


  /** Append a fragment with br `br` (see fBr), starting at the sink's end; its number. */
  private pushFrag(br: number): number {
    const i = this.nFrags;
    if (i === this.fBr.length) this.growFrags();
    this.fStart[i] = br >= -1 ? this.sink.len : 0;
    this.fBr[i] = br;
    this.fSize[i] = 0;
    this.fOff[i] = 0;
    this.nFrags = i + 1;
    return i;
  }

  private growFrags(): void {
    // By two also past 16K fragments (unlike RelaxTable): by four made 35-100 more page faults (the benchmark's
    // file, QuickJS with -c) and 10 M more instructions on the benchmark's file (measured when new columns
    // were still zeroed).
    const n = this.fBr.length;
    const cap = n * 2 < this.fragHint ? this.fragHint : n * 2;
    this.fStart = widenInt32(this.fStart, cap);
    this.fBr = widenInt32(this.fBr, cap);
    this.fSize = widenInt32(this.fSize, cap);
    const off = this.fOff instanceof Int32Array ? rawInt32(cap) : new Float64Array(cap);
    off.set(this.fOff);
    this.fOff = off;
  }

  /**
   * The section will likely hold most of a source of `sourceBytes` bytes (the unit's first section, .text):
   * its columns' first growth goes straight to an estimate of what such a source needs, so a large file
   * mostly never grows them. A growth copies every row so far into fresh memory and then the rest is written
   * there too (each first-touched 4 KB page ~15 us on the development VM); an estimate too large costs
   * only address space, as the columns are not zeroed (rawInt32) and pages never written are never touched,
   * and one too small only the growths there were before. About 115-140 source bytes a fragment or relaxable
   * branch and 320-420 a call on the benchmark's file and on gcc's output for QuickJS: estimated at half that
   * or less. Nothing changes for a small file until it grows. (A first capacity for the byte sink from the
   * source's size, 1 byte per 4, made no measurable difference on the benchmark's file: not kept.)
   */
  expect(sourceBytes: number): void {
    const rows = Math.min(Math.floor(sourceBytes / 64), 1 << 19);
    this.fragHint = rows;
    this.relaxes.hint = rows;
    this.callHint = Math.min(Math.floor(sourceBytes / 192), 1 << 18);
  }

  /** Offsets past 2^31 - 1 (a section larger than 2 GB): fOff as doubles from now on; the new column. */
  widenOffsets(): Int32Array | Float64Array {
    if (this.fOff instanceof Int32Array) {
      const w = new Float64Array(this.fOff.length);
      w.set(this.fOff);
      this.fOff = w;
    }
    return this.fOff;
  }

  /** Fragment i's kind: FRAG_DATA, FRAG_ALIGN, ... (kept in fBr: a branch leads only data fragments). */
  kind(i: number): number {
    const b = this.fBr[i];
    return b >= 0 ? FRAG_DATA : -1 - b;
  }

  /** An alignment, fill or org fragment's padding (null for other kinds). */
  pad(i: number): Padding | null {
    const k = this.kind(i);
    return k === FRAG_ALIGN || k === FRAG_FILL || k === FRAG_ORG ? ((this.fExt?.get(i) as Padding | undefined) ?? null) : null;
  }

  /** A LEB fragment's record (null for other kinds). */
  leb(i: number): Leb | null {
    return this.kind(i) === FRAG_LEB ? ((this.fExt?.get(i) as Leb | undefined) ?? null) : null;
  }

  /** Data fragment i's bytes (a view; valid until the section grows). */
  fragBytes(i: number): Uint8Array {
    const start = this.fStart[i];
    return this.sink.buf.subarray(start, start + this.fSize[i]);
  }

  /** The handle of fragment i for a label's value while assembling (one per fragment, made on first use). */
  fragRef(i: number): FragRef {
    const refs = (this.refs ??= new Map());
    let r = refs.get(i);
    if (r === undefined) refs.set(i, (r = new FragRef(this, i)));
    return r;
  }

  /** Some fragment has a non-zero size. */
  hasContents(): boolean {
    for (let i = 0; i < this.nFrags; i++) if (this.fSize[i] > 0) return true;
    return false;
  }

  /** The current data fragment's size (where the next byte goes in it). */
  curSize(): number {
    return this.fSize[this.cur];
  }

  /** Start a new data fragment (after an alignment or fill fragment); its number. */
  newData(): number {
    const c = this.cur;
    if (this.fBr[c] >= -1 && this.fSize[c] === 0) return c; // an empty data fragment (see fBr)
    return (this.cur = this.pushFrag(-1));
  }

  /** Append a non-data fragment of `kind` (its Padding or Leb `ext`) and open a fresh data fragment after
   * it; the new fragment's number. */
  addFrag(kind: number, ext: Padding | Leb | null, size = 0): number {
    const f = this.pushFrag(-1 - kind);
    this.fSize[f] = size;
    if (ext !== null) (this.fExt ??= new Map()).set(f, ext);
    this.cur = this.pushFrag(-1);
    return f;
  }

  /** Append `count` zero bytes as fill fragments (the linker's .bss and commons: of any size, in pieces of at
   * most 1 GB, as fSize holds 32-bit sizes). */
  addZeroFill(count: number): void {
    do {
      const n = Math.min(count, 1 << 30);
      this.addFrag(FRAG_FILL, { align: 1, fill: 0, maxSkip: -1, nops: false, rvc: false, count: n, fillSize: 1, fillValue: 0n }, n);
      count -= n;
    } while (count > 0);
  }

  /** Append relaxable branch `r` (its record in `relaxes`, its size set): it leads a fresh data fragment. */
  addBranch(r: number): void {
    this.cur = this.pushFrag(r);
  }

  /** Drop every fragment after the first (the linker's replacement of a section's contents). */
  truncateFrags(): void {
    this.nFrags = 1;
    this.cur = 0;
    this.fExt = null;
    this.refs = null;
  }

  /** Make room for n more data bytes. */
  reserve(n: number): void {
    const k = this.sink;
    if (k.len + n > k.buf.length) k.grow(n);
  }

  put16(v: number): void {
    const k = this.sink;
    if (k.len + 2 > k.buf.length) k.grow(2);
    const b = k.buf;
    const p = k.len;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    k.len = p + 2;
    this.fSize[this.cur] += 2;
  }

  put32(v: number): void {
    const k = this.sink;
    if (k.len + 4 > k.buf.length) k.grow(4);
    const b = k.buf;
    const p = k.len;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = (v >>> 24) & 0xff;
    k.len = p + 4;
    this.fSize[this.cur] += 4;
  }

  /** Append an n-byte little-endian value. */
  putLE(v: bigint, n: number): void {
    this.reserve(n);
    const k = this.sink;
    let x = BigInt.asUintN(64, v);
    for (let i = 0; i < n; i++) {
      k.buf[k.len++] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.fSize[this.cur] += n;
  }

  /** Append the low n bytes (n <= 8) of a safe integer v in two's complement: putLE(BigInt(v), n), without BigInt. */
  putIntLE(v: number, n: number): void {
    this.reserve(n);
    const k = this.sink;
    const b = k.buf;
    const lo = v | 0; // v mod 2^32
    const hi = Math.floor(v / 4294967296) | 0; // the next 32 bits (all ones for a negative v below 2^53)
    let p = k.len;
    for (let i = 0; i < n; i++) b[p++] = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    k.len = p;
    this.fSize[this.cur] += n;
  }

  /** Append bytes. */
  putBytes(bytes: ArrayLike<number>): void {
    this.reserve(bytes.length);
    const k = this.sink;
    if (bytes instanceof Uint8Array) k.buf.set(bytes, k.len);
    else for (let i = 0; i < bytes.length; i++) k.buf[k.len + i] = bytes[i];
    k.len += bytes.length;
    this.fSize[this.cur] += bytes.length;
  }
}

export interface SymbolRef {
  sym: Sym;
}

/** LEB128 bytes of v (DWARF 5 §7.6), padded with continuation bytes to at least `padTo` bytes. */
export function encodeLeb(v: bigint, signed: boolean, padTo = 0): number[] {
  const out: number[] = [];
  let x = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    const done = signed ? (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0) : x === 0n;
    if (done) {
      out.push(b);
      break;
    }
    out.push(b | 0x80);
  }
  if (out.length < padTo) {
    // Extend with the value's sign (or zero) bits: continuation bytes, then a final byte.
    const fill = signed && x < 0n ? 0x7f : 0;
    out[out.length - 1] |= 0x80;
    while (out.length < padTo - 1) out.push(fill | 0x80);
    out.push(fill);
  }
  return out;
}
