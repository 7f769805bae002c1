// Layout, linking and output-section assembly.
//
// Layout follows LLVM MC's relaxation (MCAssembler::layoutSectionOnce in LLVM 14): every compressed branch
// or jump to a label starts 2 bytes long; passes over the section check each one against the current layout
// and grow those whose offset does not fit (c.beqz/c.bnez: [-256, 254], c.j: [-2048, 2046]) into the
// 4-byte form. Fragment offsets are computed lazily and invalidated from the first grown fragment after
// each pass, until a pass grows nothing. A branch whose target is not in the same section of the same
// unit cannot be resolved by the assembler and so is grown, as LLVM does for a fixup left to the linker.
//
// Linking then places the input sections of all units into output sections from a base address (or a
// layout description), resolves symbols across units and applies the fixups.

import { encode } from '../../isa/codec.js';
import { INSTRUCTION_BY_NAME, INSTRUCTIONS, type InstrDef } from '../../isa/instructions.js';
import { encodeBits, encodeFieldInto } from '../../isa/codec.js';
import { extractOperand } from '../../isa/operands.js';
import { SHF_ALLOC, SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../elf/model.js';
import type { Diagnostic } from './diagnostics.js';
import { AsmError, defLocOf, E_NUM, E_SYM, evaluate, symbolPlusConstant, SYM_GLOBAL, SYM_TEMP, type Expr, type RelValue, type Sym } from './expr.js';
import {
  FIX_ABS,
  FIX_DATA,
  FIX_HI,
  FIX_LO,
  FIX_PCREL,
  FIX_PCREL_HI,
  FIX_PCREL_LO,
  FIX_PCREL_LO_PAIR,
  FIX_CALL,
  callHi,
  callLo,
  FIX_RELOC,
  FIX_TPREL_HI,
  FIX_TPREL_LO,
  FIX_GOT_HI,
  FIX_TLS_IE_HI,
  FIX_TLS_GD_HI,
  FIX_TPREL_ADD,
  DATA_SET,
  DATA_TLSOFF,
  DATA_DTPOFF,
  DATA_PCREL,
  InputSection,
  type Fixup,
  type FixupRecord,
  type CallTable,
  FRAG_ALIGN,
  FRAG_DATA,
  FRAG_FILL,
  FRAG_LEB,
  FRAG_ORG,
  encodeLeb,
  encodeCfaAdvance,
  cfaAdvanceSize,
  RX_LONG,
  RX_LONGABLE,
  RX_RELAXED,
  RX_GNU,
  TARGET_CHUNK_BITS,
  TARGET_CHUNK_MASK,
  type RelaxTable,
} from './section.js';
import { hi20, lo12 } from './unit.js';
import type { Attributes } from './attributes.js';
import type { ListingLine } from './unit.js';
import { applyReloc, clearDiscarded, isHi20PcRel, isPcRel, R, rd32, RelocError, relocName, setBaseRegister } from '../ld/relocs.js';
import { Unit } from './unit.js';
import { relaxObjects } from '../ld/relax-driver.js';
import { addDiag } from '../ld/link-diag.js';
import { mergeSections } from '../ld/merge.js';
import { mergeEhFrames } from '../ld/eh-frame.js';
import { gcSections, removeSections } from '../ld/gc.js';
import { buildEhFrameHdr, countFdes, ehFrameHdrSize } from '../ld/eh-frame-hdr.js';
import { ScriptLayout, type ScriptHost } from '../ld/script/layout.js';
import { parseScript } from '../ld/script/parse.js';
import { defaultScript } from '../ld/script/default.js';
import { applySectionStarts, type SectionStart } from '../ld/script/section-start.js';
import { gnuSegments } from '../ld/segments.js';
import { buildGot, gotKind, unitsWithGot } from '../ld/got.js';
import { sectionOverlaps } from '../ld/overlap.js';

/** What linking needs from an input: an assembled source (Unit) or a relocatable object (ObjectUnit). */
export interface LinkUnit {
  index: number;
  name: string;
  sections: InputSection[];
  symbols: Map<string, Sym>;
  fileSymbols: string[];
  listing: ListingLine[];
  attrs: Attributes;
  /** An object's symbols in sections --gc-sections or COMDAT removed (tools/ld/object-unit.ts). */
  discardedSyms?: Set<Sym>;
}

const JAL = INSTRUCTION_BY_NAME.get('jal')!;
const AUIPC = INSTRUCTION_BY_NAME.get('auipc')!;
const JALR = INSTRUCTION_BY_NAME.get('jalr')!;

/**
 * The long form of a conditional branch of `size` bytes: the inverted branch over `jal x0, target`
 * (offset from pc); 6 bytes invert the compressed branch, 8 the 4-byte one (GNU as's form for a
 * compressible branch to a symbol it cannot place). The condition is inverted as GNU as inverts it
 * (tc-riscv.c md_convert_frag_branch): the low bit of funct3 flipped, bit 12 of a 4-byte branch (beq/bne,
 * blt/bge, bltu/bgeu) and bit 13 of a compressed one (c.beqz/c.bnez), so an `.insn b` branch has a long
 * form too.
 */
export function writeLongBranch(out: Uint8Array, at: number, rx: RelaxTable, i: number, off: bigint, size: number): void {
  const short = size === 6;
  const def = short ? rx.small(i) : rx.big(i);
  const bits = encodeBits(def, short ? rx.smallValues(i, 6) : rx.bigValues(i, 8));
  if (bits < 0) throw new AsmError(`internal: ${def.name} with a long-branch offset does not encode`);
  writeBits(out, at, (bits ^ (short ? 1 << 13 : 1 << 12)) >>> 0, def.size);
  patchInstruction(out, at + def.size, JAL, [0, 0], 1, off - BigInt(def.size), true);
}

function alignPad(sec: InputSection, f: number, offset: number): number {
  const p = sec.pad(f)!;
  if (p.fixed !== undefined) return p.fixed;
  const a = p.align;
  const pad = (a - (offset % a)) % a;
  return p.maxSkip >= 0 && pad > p.maxSkip ? 0 : pad;
}

/** The section offset a .org pads to (its base fragment, if any, precedes it and is laid out already). */
function orgTarget(sec: InputSection, f: number): number {
  const p = sec.pad(f)!;
  return (p.base !== undefined && p.base >= 0 ? sec.fOff[p.base] : 0) + p.align;
}

/**
 * The length GNU as gives a relaxable branch at the current offsets (tc-riscv.c relaxed_branch_length):
 * a jump 4 bytes and a conditional branch 8 (its long form) unless the target is defined in this section
 * and not weak (a global one too); then the compressed form if the target is in its reach, else 4 bytes
 * if in a 4-byte branch's, else a compressible branch's 6-byte long form.
 */
function gnuBranchLength(sec: InputSection, i: number, at: number): number {
  const rx = sec.relaxes;
  const jump = !rx.longable(i);
  const rvc = rx.small(i).size === 2;
  let length = jump ? 4 : 8;
  const t = symbolPlusConstant(rx.target(i));
  const s = t?.sym;
  if (s && s.kind === 1 && s.section === sec && s.frag >= 0 && !s.weak) {
    const val = sec.fOff[s.frag] + s.offset + Number(t!.add) - at;
    const half = jump ? 2048 : 256;
    if (rvc && val >= -half && val < half) length = 2;
    else if (val >= -4096 && val < 4096) length = 4;
    else if (!jump && rvc) length = 6;
  }
  return length;
}

/**
 * Fragment offsets of a section with GNU-sized branches, found as gas's relax_segment (write.c) finds
 * them, so the same branches end up compressed where a branch has two consistent sizes (a forward
 * branch exactly 256 bytes from its target in the 4-byte form is in reach once compressed). Each round
 * first estimates every fragment in order, a target after the branch at its offset from the previous
 * round (0 in the first: gas's frags start at address 0); then passes over the section, each fragment
 * moved by what the ones before it grew or shrank in this pass, a target after it not yet moved, until
 * a pass changes nothing. Rounds repeat while a round ends with offsets other than the last round's.
 * After 100 passes (gas would go on, then stop with "infinite loop"), branches only grow, which must end.
 */
function layoutSectionGnu(sec: InputSection, lebSize: (f: number) => number): void {
  const n = sec.nFrags;
  let offs = sec.fOff;
  const sizes = sec.fSize;
  const brs = sec.fBr;
  const last = new Float64Array(n);
  let growOnly = false;
  const rx = sec.relaxes;
  // Branch r at offset `at` (it leads a data fragment): its size, and setting it.
  const branchSizeAt = (r: number, at: number): number => {
    const size = rx.size(r);
    if (!rx.gnu(r)) return size;
    const len = gnuBranchLength(sec, r, at);
    return growOnly && len < size ? size : len;
  };
  const setBranchSize = (r: number, size: number): void => {
    rx.setSize(r, size);
    if (rx.gnu(r)) {
      rx.setRelaxed(r, size !== 2);
      rx.setLong(r, size >= 6);
    }
  };
  const sizeAt = (f: number, at: number): number => {
    switch (sec.kind(f)) {
      case FRAG_ALIGN:
        return alignPad(sec, f, at);
      case FRAG_ORG:
        return Math.max(0, orgTarget(sec, f) - at);
      case FRAG_LEB:
        return lebSize(f);
      default:
        return sizes[f];
    }
  };
  // A branch is sized before the data fragment it leads is moved: a target in that fragment is where the
  // last round or pass left it, as for gas's frag after the branch's.
  offs.fill(0, 0, n);
  for (let round = 0, passes = 0; ; round++) {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const r = brs[i];
      if (r >= 0) {
        setBranchSize(r, branchSizeAt(r, at));
        at += rx.size(r);
      }
      if (at > 0x7fffffff) offs = sec.widenOffsets(); // (see InputSection.fOff)
      offs[i] = at;
      sizes[i] = sizeAt(i, at);
      at += sizes[i];
    }
    for (;;) {
      let stretch = 0;
      let stretched = false;
      for (let i = 0; i < n; i++) {
        const r = brs[i];
        if (r >= 0) {
          // The branch's offset: the end of the fragment before it (already moved in this pass).
          const size = branchSizeAt(r, offs[i - 1] + sizes[i - 1]);
          const old = rx.size(r);
          if (size !== old) {
            stretch += size - old;
            setBranchSize(r, size);
            stretched = true;
          }
        }
        if (offs[i] + stretch > 0x7fffffff) offs = sec.widenOffsets();
        offs[i] += stretch;
        const size = sizeAt(i, offs[i]);
        if (size !== sizes[i]) {
          stretch += size - sizes[i];
          sizes[i] = size;
          stretched = true;
        }
      }
      if (!stretched) break;
      if (++passes > 100) growOnly = true;
    }
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (offs[i] !== last[i]) {
        last[i] = offs[i];
        changed = true;
      }
    }
    if (!changed) break;
    if (round > 100) growOnly = true;
  }
}

/**
 * Fragment offsets of one section while it is laid out: valid up to fragment `valid`, computed on demand
 * (ensure). A class rather than closures over local variables, and one relaxation pass per call of
 * relaxPass, so V8 optimises the pass as an ordinary function: optimised on-stack inside a long loop, code
 * after the loop would be deoptimised the first time it runs.
 */
class SectionLayout {
  valid = -1;
  constructor(readonly sec: InputSection) {}

  /** Make the offsets of fragments 0..j valid. */
  ensure(j: number): void {
    const sec = this.sec;
    const sizes = sec.relaxes.sizes;
    // (The section's columns read here once: they do not grow during layout.)
    const brs = sec.fBr;
    let offs = sec.fOff;
    const fsizes = sec.fSize;
    let k = this.valid;
    let at = k < 0 ? 0 : offs[k] + fsizes[k];
    while (k < j) {
      const f = ++k;
      // A relaxable branch leading the fragment (InputSection.fBr) sits right before its bytes.
      // (br < -1: not a data fragment, its kind in br.)
      const br = brs[f];
      if (br >= 0) at += sizes[br];
      if (at > 0x7fffffff) offs = sec.widenOffsets(); // (see InputSection.fOff)
      offs[f] = at;
      if (br < -1) {
        if (br === -1 - FRAG_ALIGN) fsizes[f] = alignPad(sec, f, at);
        else if (br === -1 - FRAG_ORG) fsizes[f] = Math.max(0, orgTarget(sec, f) - at);
      }
      at += fsizes[f];
    }
    if (k > this.valid) this.valid = k;
  }

  /**
   * One pass over the relaxable branches (LLVM's layoutSectionOnce): the index of the first that grew, or -1.
   * The branch's flags read and written in the table's column and its target found here, not by a call
   * each: this pass runs a few times over 10,000s of branches, mostly before V8 has optimised it.
   */
  relaxPass(): number {
    const sec = this.sec;
    const n = sec.nFrags;
    const brs = sec.fBr;
    // (Read again after ensure, which may widen it: InputSection.fOff.)
    let offs = sec.fOff;
    const fsizes = sec.fSize;
    const rx = sec.relaxes;
    const flags = rx.bits;
    const ids = rx.ids;
    const sizes = rx.sizes;
    const chunks = rx.targetChunks;
    let first = -1;
    for (let i = 0; i < n; i++) {
      // The branch leading fragment i (InputSection.fBr), at the end of fragment i - 1.
      const r = brs[i];
      if (r < 0) continue;
      const b = flags[r];
      if ((b & RX_LONG) !== 0) continue;
      const relaxed = (b & RX_RELAXED) !== 0;
      if (relaxed && (b & RX_LONGABLE) === 0) continue;
      if (this.valid < i - 1) {
        this.ensure(i - 1);
        offs = sec.fOff;
      }
      const at = offs[i - 1] + fsizes[i - 1];
      // The fragment holding the target and the target's offset in it, or null when the branch must assume
      // the worst.
      const target = chunks[r >>> TARGET_CHUNK_BITS][r & TARGET_CHUNK_MASK]; // rx.target(r)
      let t = -1;
      let value = 0;
      let s: Sym | null = null;
      let add = 0;
      if (target.t === E_SYM) s = target; // the usual `label`: no symbolPlusConstant result to allocate
      else {
        const sc = symbolPlusConstant(target);
        if (sc) {
          s = sc.sym;
          add = Number(sc.add);
        }
      }
      // A global or weak target is left to the linker by LLVM (ELF: a pc-relative reference to a non-local
      // symbol is never resolved in the object), so its branch takes the 4-byte form. For the long form GNU
      // as's rule applies instead: any target defined in this section and not weak (GNU relaxed_branch_length).
      if (s !== null && s.kind === 1 && s.section === sec && s.frag >= 0 && !(s.global && (!relaxed || s.weak))) {
        t = s.frag;
        if (this.valid < t) {
          this.ensure(t);
          offs = sec.fOff;
        }
        value = offs[t] + s.offset + add - at;
      }
      const id = ids[r];
      const small = id >= 0 ? INSTRUCTIONS[id & 0xffff] : rx.small(r);
      // One step per pass, as LLVM's relaxInstruction: compressed, then 4 bytes, then the long form.
      if (!relaxed) {
        if (t < 0 || (small.name === 'c.j' ? value > 2046 || value < -2048 : value > 254 || value < -256)) {
          flags[r] = b | RX_RELAXED;
          sizes[r] = 4;
          if (first < 0) first = i;
        }
      } else if (t >= 0 && (value > 4094 || value < -4096)) {
        flags[r] = b | RX_LONG;
        sizes[r] = small.size === 2 ? 6 : 8;
        if (first < 0) first = i;
      }
    }
    return first;
  }
}

/** indexFrags' answer: the section has .org fragments (their size depends on another fragment's offset). */
const HAS_ORG = 4;

/**
 * Say what relaxable branches the section has: 0 none with a target, 1 some, 2 some sized as GNU as sizes
 * them; plus HAS_ORG. (A function of its own: see SectionLayout.)
 */
function indexFrags(sec: InputSection): number {
  const bits = sec.relaxes.bits;
  let branch = false;
  // The RX_* bits of all branches together (RX_GNU: some branch is sized as GNU as sizes it).
  let flags = 0;
  let org = 0;
  // By TypedArray#forEach with a small callback (see symbolAddresses) over the fragments' br column; the
  // branch's flags and the fragment's kind read here, not by a call each (this runs once per fragment,
  // before V8 has optimised it).
  sec.fBr.subarray(0, sec.nFrags).forEach((br: number): void => {
    if (br >= 0) {
      branch = true;
      flags |= bits[br];
    } else if (br === -1 - FRAG_ORG) org = HAS_ORG; // (br < -1: the kind is -1 - br; see InputSection.fBr)
  });
  return (branch ? ((flags & RX_GNU) !== 0 ? 2 : 1) : 0) | org;
}

/** Assign fragment offsets in one input section, relaxing compressed branches as LLVM does. */
export function layoutSection(sec: InputSection, diags: Diagnostic[] = []): void {
  const n = sec.nFrags;
  const indexed = indexFrags(sec);
  const branches = indexed & 3;
  const hasOrg = (indexed & HAS_ORG) !== 0;
  const hasRelax = sec.hasLeb || branches !== 0;
  const hasGnu = branches === 2;
  const layout = new SectionLayout(sec);
  // A LEB128 of a label difference: its value with the current layout (labels in this section are laid out
  // on demand; other sections were laid out before this one).
  const lebResolve = (s: Sym): RelValue | null => {
    if (s.kind === 1) {
      if (s.section === sec) layout.ensure(s.frag);
      return { base: s.section, off: BigInt(s.section!.fOff[s.frag] + s.offset) };
    }
    if (s.kind === 2) return { base: null, off: s.value };
    if (s.kind === 3 && s.expr && !s.evaluating) {
      s.evaluating = true;
      try {
        return evaluate(s.expr, lebResolve);
      } finally {
        s.evaluating = false;
      }
    }
    return null;
  };
  const lebSize = (f: number): number => {
    const leb = sec.leb(f)!;
    let v: RelValue | null = null;
    try {
      v = evaluate(leb.expr, lebResolve);
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
    }
    if (!v || v.base !== null) return sec.fSize[f];
    return leb.cfa ? cfaAdvanceSize(v.off) : encodeLeb(v.off, leb.signed).length;
  };
  if (hasGnu) {
    layout.valid = n - 1;
    layoutSectionGnu(sec, (f) => Math.max(sec.fSize[f], lebSize(f)));
  } else if (hasRelax) {
    for (;;) {
      if (sec.hasLeb) {
        let first = -1;
        for (let i = 0; i < n; i++) {
          if (sec.fBr[i] !== -1 - FRAG_LEB) continue;
          layout.ensure(i);
          const size = lebSize(i);
          // Only grow (a shorter value is padded), so layout always ends.
          if (size > sec.fSize[i]) {
            sec.fSize[i] = size;
            if (first < 0) first = i;
            layout.valid = Math.min(layout.valid, i);
          }
        }
        if (first >= 0) {
          layout.valid = first;
          continue;
        }
      }
      const first = layout.relaxPass();
      if (first < 0) break;
      layout.valid = Math.min(layout.valid, first - 1);
    }
  }
  layout.ensure(n - 1);
  sec.size = sec.fOff[n - 1] + sec.fSize[n - 1];
  if (hasOrg) for (let i = 0; i < n; i++) {
    if (sec.kind(i) === FRAG_ORG && sec.fOff[i] > orgTarget(sec, i)) {
      addDiag(diags, sec.pad(i)!.loc ?? null, `.org moves the location backwards (from offset ${sec.fOff[i]} to ${orgTarget(sec, i)} in ${sec.name})`);
    }
  }
}

// ---- linking ----------------------------------------------------------------------------------------

export interface LayoutSectionSpec {
  /** Output section name. */
  name: string;
  /** Fixed start address (number or "0x..." string). */
  address?: number | string;
  /** Minimum alignment in bytes (power of two). */
  align?: number;
  /** Input section names collected here; a trailing `*` matches any suffix. Default: [name, name + ".*"]. */
  inputs?: string[];
  /** Symbols defined relative to this section: "start", "end", optionally "+ N" / "- N" (like ld's
   * `_stack_top = . + 0x10000` after the section). They satisfy references the inputs leave undefined. */
  symbols?: Record<string, string>;
  /** Bytes of address space left free after the section (a stack, a heap): the next section starts later. */
  reserve?: number;
}

export interface LayoutSpec {
  /** Start address for sections without an address (default 0x80000000 or --base). */
  base?: number | string;
  /** Output sections in order. Input sections no entry matches follow, by the default rules. */
  sections: LayoutSectionSpec[];
  /** Entry symbol (overridden by --entry). */
  entry?: string;
}

export interface OutputSection {
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  size: number;
  align: number;
  inputs: InputSection[];
  data: Uint8Array;
  /** Load address (a linker script's AT / AT>), when it differs from addr. */
  lma?: bigint;
}

function defaultOutputName(name: string): string {
  if (name === 'COMMON') return '.bss';
  for (const [prefix, out] of [['.got.plt', '.got'], ['.rela.got', '.rela.dyn'], ['.init_array', '.init_array'], ['.fini_array', '.fini_array'], ['.preinit_array', '.preinit_array'], ['.tdata', '.tdata'], ['.tbss', '.tbss'], ['.gcc_except_table', '.gcc_except_table'], ['.sdata2', '.rodata'], ['.text.unlikely', '.text'], ['.text.startup', '.text'], ['.text.hot', '.text'], ['.text', '.text'], ['.rodata', '.rodata'], ['.srodata', '.rodata'], ['.data', '.data'], ['.sdata', '.data'], ['.bss', '.bss'], ['.sbss', '.bss']]) {
    if (name === prefix || name.startsWith(prefix + '.')) return out;
  }
  return name;
}

function kindRank(type: number, flags: number): number {
  if (!(flags & SHF_ALLOC)) return 4;
  if (flags & SHF_EXECINSTR) return 0;
  // The TLS template, .tdata then .tbss, between read-only and writable data (GNU ld's order); .tbss gets
  // address space of its own, as picolibc's script reserves it, so the template can serve as the block.
  if (flags & SHF_TLS) return type === SHT_NOBITS ? 1.6 : 1.5;
  if (type === SHT_NOBITS) return 3;
  if (flags & SHF_WRITE) return 2;
  return 1;
}

const STANDARD = ['.text', '.rodata', '.data', '.bss'];

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

const LAYOUT_SYMBOL = /^\s*(start|end)\s*(?:([+-])\s*(0x[0-9a-f]+|\d+))?\s*$/i;

export function parseAddress(v: number | string | bigint | undefined, what: string): bigint {
  if (v === undefined) throw new AsmError(`${what} is missing`);
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw new AsmError(`${what} does not fit in 64 bits`);
    return v;
  }
  if (typeof v !== 'number' && typeof v !== 'string') throw new AsmError(`${what} must be a number or a string like "0x80000000"`);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new AsmError(`${what} must be a non-negative integer`);
    return BigInt(v);
  }
  const t = v.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(t)) throw new AsmError(`${what} '${v}' is not a number`);
  const r = BigInt(t);
  if (r >= 1n << 64n) throw new AsmError(`${what} '${v}' does not fit in 64 bits`);
  return r;
}

/** Shape check of a layout file, so mistakes get a message rather than odd placement. */
export function checkLayout(l: unknown): string | null {
  if (typeof l !== 'object' || l === null || Array.isArray(l)) return 'layout must be a JSON object';
  const o = l as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['base', 'sections', 'entry'].includes(k)) return `unknown layout key '${k}' (expected base, sections, entry)`;
  if (!Array.isArray(o.sections)) return 'layout needs "sections": an array';
  for (const [i, s] of (o.sections as unknown[]).entries()) {
    if (typeof s !== 'object' || s === null) return `sections[${i}] must be an object`;
    const r = s as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!['name', 'address', 'align', 'inputs', 'symbols', 'reserve'].includes(k)) return `sections[${i}]: unknown key '${k}' (expected name, address, align, inputs, symbols, reserve)`;
    if (r.reserve !== undefined && (typeof r.reserve !== 'number' || !Number.isSafeInteger(r.reserve) || r.reserve < 0)) return `sections[${i}].reserve must be a non-negative integer`;
    if (r.symbols !== undefined) {
      if (typeof r.symbols !== 'object' || r.symbols === null || Array.isArray(r.symbols)) return `sections[${i}].symbols must be an object of name: "start|end [+|- N]"`;
      for (const [k, v] of Object.entries(r.symbols as Record<string, unknown>)) {
        if (typeof v !== 'string' || !LAYOUT_SYMBOL.test(v)) return `sections[${i}].symbols.${k} must be "start" or "end", optionally + or - a number`;
      }
    }
    if (typeof r.name !== 'string' || !r.name) return `sections[${i}] needs a "name"`;
    if (r.address !== undefined && typeof r.address !== 'string' && typeof r.address !== 'number') return `sections[${i}].address must be a number or a string like "0x80000000"`;
    if (r.align !== undefined && typeof r.align !== 'number') return `sections[${i}].align must be a number`;
    if (r.inputs !== undefined && (!Array.isArray(r.inputs) || !r.inputs.every((x) => typeof x === 'string'))) return `sections[${i}].inputs must be an array of strings`;
  }
  if (o.base !== undefined && typeof o.base !== 'string' && typeof o.base !== 'number') return 'base must be a number or a string like "0x80000000"';
  if (o.entry !== undefined && typeof o.entry !== 'string') return 'entry must be a symbol name';
  return null;
}

export interface LinkResult {
  outputs: OutputSection[];
  globals: Map<string, Sym>;
  entry: bigint;
  resolve: (s: Sym) => RelValue | null;
  tls?: { vaddr: bigint; filesz: number; memsz: number; align: number };
  /** Program headers as GNU ld makes them for a script (tools/ld/segments.ts); `headerSize`: SIZEOF_HEADERS. */
  /** `attributesAfter`: the section .riscv.attributes follows ('' : before the first non-allocated one). */
  gnuSegments?: { headerSize: number; programHeaders?: ReturnType<ScriptLayout['programHeaders']>; attributesAfter?: string; loadPhdrs?: boolean };
  /** .eh_frame_hdr, for the PT_GNU_EH_FRAME program header. */
  ehFrameHdr?: { vaddr: bigint; size: number };
  /** Linker-provided symbols the input used (_end, __global_pointer$, ...), and a linker script's symbols. */
  providedSymbols: { name: string; value: bigint; section: string | null; hidden?: boolean; type?: 'object' }[];
}

export interface LinkOptions {
  base: bigint;
  layout: LayoutSpec | null;
  entry: string | null;
  /** Linker relaxation of objects marked for it (tools/ld/relax.ts); R_RISCV_ALIGN is handled regardless. */
  relax?: boolean;
  /** With relax: gp-relative accesses (when the input refers to `__global_pointer$`). */
  relaxGp?: boolean;
  /** --gc-sections: drop allocated sections not reachable from the entry (tools/ld/gc.ts). */
  gcSections?: boolean;
  undefinedRoots?: string[];
  /** Told each section --gc-sections removes (--print-gc-sections). */
  onGcRemoved?: (section: string, file: string) => void;
  /** A linker script (`-T`): it decides output sections, addresses and symbols (tools/ld/script/). */
  script?: ScriptLayout | null;
  /** --defsym without a script: absolute symbols. */
  defsyms?: { name: string; value: bigint }[];
  /** --eh-frame-hdr: build .eh_frame_hdr and its PT_GNU_EH_FRAME (tools/ld/eh-frame-hdr.ts). */
  ehFrameHdr?: boolean;
  /** Assignments of linker scripts given as inputs, after the layout script's own. */
  implicit?: import('../ld/script/parse.js').LinkerScript['outside'];
  /** Without a script or layout: GNU ld's default layout (tools/ld/script/default.ts) with the text segment
   * at `base`, instead of rvx's own placement from `base`. */
  gnuDefault?: boolean;
  /** GNU ld --section-start, -Tdata, -Tbss on the default script (tools/ld/script/section-start.ts). */
  sectionStarts?: SectionStart[];
}

/** How a definition ranks against another of the same global name: strong over common over weak. */
function globalRank(s: Sym): number {
  return s.weak ? 0 : s.common ? 1 : 2;
}

/**
 * The winning definition of each global name (by the rules stated in link()); every losing definition's
 * overriddenBy names the final winner.
 */
function resolveGlobals(units: LinkUnit[], diags: Diagnostic[]): Map<string, Sym> {
  const globals = new Map<string, Sym>();
  // Whether any definition lost: the chains below need fixing only then (most links have one strong
  // definition per name, and walking every symbol again would cost as much as this loop).
  let overridden = false;
  // By Map#forEach with a small callback (see symbolAddresses); a name defined again goes to `clash`.
  const each = (s: Sym): void => {
    // (The flag from bits, not the accessor: see SYM_GLOBAL.)
    if ((s.bits & SYM_GLOBAL) === 0 || s.kind === 0) return;
    s.overriddenBy = null;
    const prev = globals.get(s.name);
    if (!prev) globals.set(s.name, s);
    else {
      overridden = true;
      clash(s, prev);
    }
  };
  const clash = (s: Sym, prev: Sym): void => {
    const rp = globalRank(prev);
    const rs = globalRank(s);
    if (rs === 2 && rp === 2) {
      addDiag(diags, defLocOf(s), `symbol '${s.name}' is already defined${prev.defCtx ? ` (first defined at ${prev.defCtx.file}:${prev.defLine})` : ''}`);
      s.overriddenBy = prev;
    } else if (rs > rp || (rs === 1 && rp === 1 && commonSize(s) > commonSize(prev))) {
      globals.set(s.name, s);
      prev.overriddenBy = s;
    } else s.overriddenBy = prev;
    // Two commons merge into the larger with the larger alignment (bfd's generic linker).
    if (rs === 1 && rp === 1) {
      const w = globals.get(s.name)!;
      w.commonAlign = Math.max(s.commonAlign ?? 1, prev.commonAlign ?? 1);
    }
  };
  for (const u of units) u.symbols.forEach(each);
  if (overridden) {
    // Chains (weak overridden by common overridden by strong) point at the final winner.
    for (const g of globals.values()) g.overriddenBy = null;
    for (const u of units) for (const s of u.symbols.values()) if (s.overriddenBy) s.overriddenBy = globals.get(s.name) ?? null;
  }
  return globals;
}

/**
 * Set `address` of every constant and overridden definition (a label's own is computed when read from its
 * section and fragment: no BigInt per label kept from here on). Answers the expression symbols, in order,
 * which the caller evaluates afterwards (so it does not walk every symbol again in its own unoptimised code
 * for the few a program has).
 */
function symbolAddresses(units: LinkUnit[], resolve: (s: Sym) => RelValue | null): Sym[] {
  const expressions: Sym[] = [];
  // By Map#forEach: the builtin's loop and a small callback V8 optimises quickly, where a loop in a
  // once-called function runs interpreted until on-stack replacement, whose compile costs more.
  const each = (s: Sym): void => {
    const kind = s.kind;
    if (kind === 3) expressions.push(s);
    if (kind !== 1 && kind !== 2) return;
    if (s.overriddenBy) s.address = resolve(s)!.off;
    else if (kind === 2) s.address = s.value;
  };
  for (const u of units) u.symbols.forEach(each);
  return expressions;
}

/** Section addresses up to this are exact as numbers (the fixups' numeric path). */
const SAFE = 0x1fffffffffffffn;

/**
 * The offset each auipc (%pcrel_hi and the like) computed, by the auipc's address, for the %pcrel_lo fixups
 * that name it. Recorded in two arrays and put in a Map only when a %pcrel_lo first asks: most programs'
 * auipcs are calls and `la`s paired by position (FIX_PCREL_LO_PAIR), and a Map entry per auipc, keyed by
 * an address above 2^31 (a heap number, not a small integer), cost the first pass more than the rest of it.
 * The Map is filled in the order of recording, so a later offset at the same address wins, as before.
 */
class AuipcOffsets {
  private pcs: number[] = [];
  private offsets: (number | bigint)[] = [];
  private map: Map<number, number | bigint> | null = null;

  set(pc: number, d: number | bigint): void {
    if (this.map) this.map.set(pc, d);
    else {
      this.pcs.push(pc);
      this.offsets.push(d);
    }
  }

  get(pc: number): number | bigint | undefined {
    let map = this.map;
    if (!map) {
      map = new Map();
      const pcs = this.pcs;
      const offsets = this.offsets;
      for (let i = 0; i < pcs.length; i++) map.set(pcs[i], offsets[i]);
      this.map = map;
      this.pcs = [];
      this.offsets = [];
    }
    return map.get(pc);
  }
}

/**
 * A fixup target's address as a number, as link()'s resolve finds it (a global's definition, an overriding
 * definition), when the target is a label in a section placed where numbers are exact; else -1, and the
 * fixup takes its general path. Keeps the last target section's address as a number (targets mostly share
 * a section). One per section's fixups: applyFixups and applyCalls ask it.
 */
class LabelTargets {
  private sec: InputSection | null = null;
  private secNum = -1;
  constructor(private readonly globals: Map<string, Sym>) {}

  address(e: Expr): number {
    if (e.t !== E_SYM) return -1;
    let t = e;
    if (t.kind === 0 && (t.bits & SYM_TEMP) === 0) t = this.globals.get(t.name) ?? t;
    else if (t.overriddenBy) t = t.overriddenBy;
    if (t.kind !== 1) return -1;
    const tsec = t.section!;
    if (tsec !== this.sec) {
      this.sec = tsec;
      this.secNum = tsec.addr <= SAFE ? Number(tsec.addr) : -1;
    }
    return this.secNum < 0 ? -1 : this.secNum + tsec.fOff[t.frag] + t.offset;
  }
}

/**
 * The fixups of `sec` in one loop. Those of the first kind (%pcrel_hi, the GOT ones and the pc-relative HI20
 * relocations: what records an auipc's offset, by its address, for a %pcrel_lo) are applied at once: a
 * %pcrel_hi of a label in plain numbers here, the rest by `slow`. Of the others, pc-relative references to
 * labels in plain numbers are applied here too (they read no auipc's offset), and the rest are left in
 * `later` (with their sections in `laterSecs`), for `slow` once every unit's first kind is done: as two
 * passes over the fixups would apply them, in the same order, with one walk over the 10,000s of fixups.
 * The section's calls (its CallTable: no record each) are applied by applyCalls in their places among the
 * records (CallTable.pos), so everything happens in the order of one list of fixups.
 * A function of its own, so V8 optimises this loop over every fixup (link() itself is too large to be).
 */
function applyFixups(sec: InputSection, globals: Map<string, Sym>, auipcs: AuipcOffsets, slow: (sec: InputSection, fx: Fixup) => void, later: Fixup[], laterSecs: InputSection[]): void {
  const secNum = sec.addr <= SAFE ? Number(sec.addr) : -1;
  const fixups = sec.records;
  const calls = sec.calls;
  const nCalls = calls === null ? 0 : calls.n;
  // The next call to apply.
  let c = 0;
  const targets = new LabelTargets(globals);
  // By Array#forEach with the loop's body as a callback: the builtin's loop, and a function V8 optimises
  // quickly, where this loop in a once-called function ran interpreted until on-stack replacement.
  fixups.forEach((fx: Fixup, j: number): void => {
    if (c < nCalls && calls!.pos[c] <= j) c = applyCalls(sec, calls!, c, j, secNum, targets, auipcs, slow, later, laterSecs);
    const kind = fx.kind;
    const call = kind === FIX_CALL;
    const first = kind === FIX_PCREL_HI || call;
    if (!first) {
      // gotKind(fx) !== 0 spelled out: FIX_GOT_HI, FIX_TLS_IE_HI and FIX_TLS_GD_HI are consecutive.
      if ((kind >= FIX_GOT_HI && kind <= FIX_TLS_GD_HI) || (kind === FIX_RELOC && (gotKind(fx) !== 0 || isHi20PcRel(fx.field)))) {
        slow(sec, fx);
        return;
      }
      if (kind !== FIX_PCREL_LO_PAIR && kind !== FIX_PCREL) {
        later.push(fx);
        laterSecs.push(sec);
        return;
      }
    }
    // The target's address as a number when it is a label (as link()'s resolve finds it) in a section placed
    // where numbers are exact; then the field's value, set in the instruction's bytes as they are (no operand
    // values read out and encoded again). The encoding inline, not helper calls: this loop runs once over
    // 10,000s of fixups, mostly before V8 has optimised it.
    const target = secNum >= 0 ? targets.address(fx.expr) : -1;
    if (target >= 0) {
      const pc = secNum + sec.fOff[fx.frag] + fx.offset;
      if (call) {
        // (A FIX_CALL record: the calls made records, InputSection.fixups.)
        const failed = applyCall(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, auipcs, target - pc, pc);
        if (failed !== 0) callFallback(sec, fx as FixupRecord, failed, slow, later, laterSecs);
        return;
      }
      let fv = 0;
      let ok = true;
      if (first) {
        const d = target - pc;
        if (d >= -0x80000800 && d < 0x7ffff800) {
          auipcs.set(pc, d);
          fv = ((d + 0x800) >> 12) & 0xfffff;
        } else ok = false;
      } else if (kind === FIX_PCREL_LO_PAIR) {
        const d = target - pc - fx.pcAdjust;
        fv = ((d & 0xfff) ^ 0x800) - 0x800;
      } else fv = target - pc;
      if (ok) {
        const def = fx.def!;
        // (The section's sink: every data fragment holds its bytes there; read once per fixup.)
        const buf = sec.sink.buf;
        const at = sec.fStart[fx.frag] + fx.offset;
        let raw = buf[at] | (buf[at + 1] << 8);
        if (def.size === 4) raw = (raw | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
        const bits = encodeFieldInto(def, raw, fx.field, fv);
        if (bits >= 0) {
          // (As an int32: the same bytes, and writeBits sees small integers only.)
          writeBits(buf, at, bits | 0, def.size);
          return;
        }
      }
    }
    // Refused or not plain numbers: the first kind now (a %pcrel_lo may need its offset), the rest later.
    if (call) callFallback(sec, fx as FixupRecord, 3, slow, later, laterSecs);
    else if (first) slow(sec, fx);
    else {
      later.push(fx);
      laterSecs.push(sec);
    }
  });
  if (c < nCalls) applyCalls(sec, calls!, c, fixups.length, secNum, targets, auipcs, slow, later, laterSecs);
}

/**
 * applyFixups of the calls of `calls` from `c` on that stand before the section's record `upTo` (all the
 * rest when upTo is the number of records); the next call's index. Each as its FIX_CALL record would be
 * applied: a call to a label in plain numbers here, else its two fixups by callFallback.
 */
function applyCalls(sec: InputSection, calls: CallTable, c: number, upTo: number, secNum: number, targets: LabelTargets, auipcs: AuipcOffsets, slow: (sec: InputSection, fx: Fixup) => void, later: Fixup[], laterSecs: InputSection[]): number {
  // The calls c .. end - 1 (pos never decreases: a binary search).
  const pos = calls.pos;
  let end = calls.n;
  for (let lo = c; lo < end; ) {
    const mid = (lo + end) >>> 1;
    if (pos[mid] <= upTo) lo = mid + 1;
    else end = mid;
  }
  // By TypedArray#forEach with the body as a callback, as applyFixups' loop (the builtin's loop, and a
  // function V8 optimises quickly: a loop here ran interpreted until on-stack replacement).
  calls.offsets.subarray(c, end).forEach((off: number, k: number): void => {
    const i = c + k;
    let failed = 3;
    const target = secNum >= 0 ? targets.address(calls.target(i)) : -1;
    if (target >= 0) {
      const frag = calls.frags[i];
      const pc = secNum + sec.fOff[frag] + off;
      // (The section's sink: see applyFixups.)
      failed = applyCall(sec.sink.buf, sec.fStart[frag] + off, auipcs, target - pc, pc);
    }
    if (failed !== 0) callFallback(sec, calls.record(i), failed, slow, later, laterSecs);
  });
  return end;
}

/**
 * A call (its auipc's bytes at `at` in `buf`, at address `pc`) to a label `d` bytes from the auipc: as its two
 * fixups, the auipc's %pcrel_hi and then the jalr's low part, would be applied one after the other. Returns
 * those not applied: 1 the auipc's, 2 the jalr's (callFallback's `failed`).
 */
function applyCall(buf: Uint8Array, at: number, auipcs: AuipcOffsets, d: number, pc: number): number {
  let failed = 0;
  let bits = -1;
  if (d >= -0x80000800 && d < 0x7ffff800) {
    auipcs.set(pc, d);
    bits = encodeFieldInto(AUIPC, rd32(buf, at), 1, ((d + 0x800) >> 12) & 0xfffff);
  }
  if (bits >= 0) writeBits(buf, at, bits | 0, 4);
  else failed = 1;
  const lo = at + 4;
  bits = encodeFieldInto(JALR, rd32(buf, lo), 1, ((d & 0xfff) ^ 0x800) - 0x800);
  if (bits >= 0) writeBits(buf, lo, bits | 0, 4);
  else failed |= 2;
  return failed;
}

/** The fixups of call `fx` that applyCall did not apply (`failed`: 1 the auipc's, 2 the jalr's, 3 both): the
 * auipc's by `slow` now, the jalr's left for later. (The auipc's `slow` writes only its own 4 bytes, so it may
 * come after the jalr's were written.) */
function callFallback(sec: InputSection, fx: FixupRecord, failed: number, slow: (sec: InputSection, fx: Fixup) => void, later: Fixup[], laterSecs: InputSection[]): void {
  if ((failed & 1) !== 0) slow(sec, callHi(fx));
  if ((failed & 2) !== 0) {
    later.push(callLo(fx));
    laterSecs.push(sec);
  }
}

/** fillOutput's operands of a branch (relaxable rows have at most three fields). */
const branchValues: number[] = [0, 0, 0, 0];

/**
 * An input section's bytes laid out in its own ByteSink's buffer (which holds at least `size` bytes), as
 * fillOutput would write them into a fresh zeroed buffer of `size`: the output's bytes, or null (nothing
 * changed) when the data fragments' bytes are not in the sink in fragment order, each at or before its
 * offset. Then every data fragment moves towards the end or stays, so moving them from the last to the first
 * never overwrites bytes still to be moved (fragment i lands past the end of fragment i - 1's output, which
 * is at or past the end of its bytes in the sink). The branches and the other fragments, which fill the
 * space between, follow in a second walk in fragment order, so diagnostics come in fillOutput's order.
 * Used only on the sink of an assembled source, which nothing reads after linking (and whose data fragments
 * all hold their bytes in it: InputSection makes every one with its own sink).
 */
function fillInPlace(sec: InputSection, size: number, resolve: (s: Sym) => RelValue | null, diags: Diagnostic[]): Uint8Array | null {
  const buf = sec.sink.buf;
  const starts = sec.fStart;
  const offs = sec.fOff;
  const fsizes = sec.fSize;
  // The fragments' br column (a view of its first nFrags), walked by TypedArray#every / #reduceRight /
  // #forEach with small callbacks (see applyFixups).
  const brs = sec.fBr.subarray(0, sec.nFrags);
  let end = 0;
  const ordered = brs.every((br: number, f: number): boolean => {
    if (br < -1) return true; // not a data fragment (see InputSection.fBr)
    if (starts[f] < end || offs[f] < starts[f]) return false;
    end = starts[f] + fsizes[f];
    return true;
  });
  if (!ordered || sec.size > size) return null;
  brs.reduceRight((_: number, br: number, f: number): number => {
    if (br < -1) return 0;
    const at = offs[f];
    const start = starts[f];
    const n = fsizes[f];
    if (at !== start) {
      if (n > 64) buf.copyWithin(at, start, start + n);
      else for (let k = n - 1; k >= 0; k--) buf[at + k] = buf[start + k];
    }
    return 0;
  }, 0);
  const sizes = sec.relaxes.sizes;
  brs.forEach((br: number, f: number): void => {
    const at = offs[f];
    if (br >= 0) {
      // Zero first, as in fillOutput's fresh buffer: a branch that does not encode is left unwritten (with a
      // diagnostic; the listing still shows the bytes).
      for (let k = at - sizes[br]; k < at; k++) buf[k] = 0;
      emitBranch(buf, 0, sec, f, resolve, diags);
    } else if (br < -1) {
      // emitFrag leaves zero bytes unwritten (fill with zero, a LEB that does not evaluate).
      buf.fill(0, at, at + fsizes[f]);
      emitFrag(buf, at, f, sec, resolve, diags);
    }
  });
  // A longer output section (not seen for a single input; fillOutput's buffer would be zero there).
  if (size > sec.size) buf.fill(0, sec.size, size);
  return buf.subarray(0, size);
}

/** An input section's bytes into its output section's `data` at `base` (a function of its own, so V8
 * optimises this loop over every fragment rather than running it in link()'s unoptimised code). */
function fillOutput(data: Uint8Array, base: number, sec: InputSection, resolve: (s: Sym) => RelValue | null, diags: Diagnostic[]): void {
  const src = sec.sink.buf;
  const starts = sec.fStart;
  const offs = sec.fOff;
  const fsizes = sec.fSize;
  // By TypedArray#forEach over the br column with the loop's body as a callback (see applyFixups).
  sec.fBr.subarray(0, sec.nFrags).forEach((br: number, f: number): void => {
    // Data fragments (most of them: the bytes between two branches; br >= -1, see InputSection.fBr) copied
    // here, the rest by emitFrag. The copy here rather than a call per fragment.
    if (br >= -1) {
      // The relaxable branch leading the fragment, right before its bytes.
      if (br >= 0) emitBranch(data, base, sec, f, resolve, diags);
      const start = starts[f];
      const n = fsizes[f];
      const at = base + offs[f];
      if (n > 64) data.set(src.subarray(start, start + n), at);
      else for (let k = 0; k < n; k++) data[at + k] = src[start + k];
      return;
    }
    emitFrag(data, base + offs[f], f, sec, resolve, diags);
  });
}

/** Place sections, resolve symbols, apply fixups and build output section contents. */
export function link(units: LinkUnit[], opts: LinkOptions, diags: Diagnostic[]): LinkResult {
  // Global symbols, resolved as GNU ld does (BFD's generic link table): a strong definition beats weak and
  // common ones, two strong ones are an error, two weak ones keep the first (in command-line order), and of
  // two commons the larger is kept. References from every unit, including the weak definer's own, then bind
  // to the winner (an ELF reference to a global symbol is never resolved inside its object).
  const globals = resolveGlobals(units, diags);
  allocateCommons(units);
  let script = opts.script ?? null;
  // GNU's default script places .text at SEGMENT_START + SIZEOF_HEADERS, so ld loads the headers
  // (tools/ld/segments.ts); scripts given with -T keep the rule that they must fit before the first section.
  const loadPhdrs = !script && !!opts.gnuDefault && !opts.layout;
  if (!script && opts.gnuDefault && !opts.layout) {
    const parsed = parseScript(defaultScript(opts.base), '<default script>');
    parsed.outside.push(...(opts.implicit ?? []));
    applySectionStarts(parsed, opts.sectionStarts ?? []);
    script = new ScriptLayout(parsed, diags, units.length + 2);
  }
  if (script) {
    // Input sections to output sections by the script's descriptions; /DISCARD/ drops its sections.
    script.match(units);
    removeSections(units, new Set(script.discard(units)));
  }
  const entryName = opts.entry ?? script?.entry ?? opts.layout?.entry ?? null;
  if (opts.gcSections) {
    // With a script, its KEEPs are the roots besides the constructor arrays and notes (bfd's gc roots).
    const keepRoot = script ? (sec: InputSection) => script.kept.has(sec) || /^\.(init_array|fini_array|preinit_array)(\..*)?$|^\.note/.test(sec.name) : undefined;
    const removed = gcSections(units, globals, entryName ?? '_start', opts.undefinedRoots ?? [], keepRoot);
    // As GNU ld, empty sections go without a word.
    if (opts.onGcRemoved) for (const sec of removed) if (sec.relaxes.n > 0 || sec.hasContents()) opts.onGcRemoved(sec.name, sec.unitName);
  }

  // The GOT, laid out as GNU ld lays it out (tools/ld/got.ts): linker-made input sections.
  const gotPlan = buildGot(units, diags);
  if (gotPlan) {
    units = [...units, gotPlan.unit];
    // A script's `*(.got)` takes the linker-made GOT too.
    script?.match([gotPlan.unit]);
  }

  // .eh_frame_hdr (--eh-frame-hdr, when there is an .eh_frame): a linker-made input section, sized once the
  // .eh_frame records are final and written from the linked .eh_frame.
  let ehHdr: InputSection | null = null;
  if (opts.ehFrameHdr && units.some((u) => u.sections.some((sec) => sec.name === '.eh_frame' && sec.hasContents()))) {
    const hdrUnit: LinkUnit = { index: units.length, name: '<linker>', sections: [], symbols: new Map(), fileSymbols: [], listing: [], attrs: { ints: new Map(), strs: new Map(), arch: null } };
    ehHdr = new InputSection('.eh_frame_hdr', SHT_PROGBITS, SHF_ALLOC, hdrUnit.index, '<linker>');
    ehHdr.align = 4;
    ehHdr.putLE(0n, 8);
    ehHdr.putLE(0n, 4);
    hdrUnit.sections.push(ehHdr);
    units = [...units, hdrUnit];
    script?.match([hdrUnit]);
  }

  // Output sections.
  const outputs: OutputSection[] = [];
  const byName = new Map<string, OutputSection>();
  const specs = opts.layout?.sections ?? [];
  const getOut = (name: string, type: number, flags: number): OutputSection => {
    let o = byName.get(name);
    if (!o) {
      o = { name, type, flags, addr: 0n, size: 0, align: 1, inputs: [], data: new Uint8Array(0) };
      byName.set(name, o);
      outputs.push(o);
    }
    return o;
  };
  for (const spec of specs) {
    if (!spec || typeof spec.name !== 'string') throw new AsmError('layout: every section needs a "name"');
    getOut(spec.name, SHT_PROGBITS, 0);
  }
  const specFor = (inputName: string): LayoutSectionSpec | undefined =>
    specs.find((sp) => (sp.inputs ?? [sp.name, sp.name + '.*']).some((p) => matches(p, inputName)));
  // LEB128 label differences may refer to other sections: lay those out first.
  for (const u of units) for (const sec of u.sections) if (!sec.hasLeb) layoutSection(sec, diags);
  for (const u of units) for (const sec of u.sections) if (sec.hasLeb) layoutSection(sec, diags);
  // SHF_MERGE sections of objects: equal strings and constants once (tools/ld/merge.ts).
  mergeSections(units, (sec) => (script ? script.outputNameOf(sec) : (specFor(sec.name)?.name ?? defaultOutputName(sec.name))), diags);
  if (!script) for (const u of units) {
    for (const sec of u.sections) {
      if (sec.size === 0 && !sec.hasLabels) continue;
      const spec = specFor(sec.name);
      const outName = spec ? spec.name : defaultOutputName(sec.name);
      const o = getOut(outName, sec.type, sec.flags);
      if (o.inputs.length === 0) {
        o.type = sec.type;
        o.flags = sec.flags;
      } else if (o.type !== sec.type && sec.size > 0) {
        if (sec.type === SHT_PROGBITS) o.type = SHT_PROGBITS;
      }
      // SHF_MERGE/SHF_STRINGS stay when every input has the same ones and the same entry size, as GNU ld
      // keeps them (.comment, .debug_str); SHF_GROUP never does.
      if (o.inputs.length === 0) o.flags = sec.flags & ~0x200;
      else {
        const sameMerge = (o.flags & 0x30) === (sec.flags & 0x30) && o.inputs[0].entsize === sec.entsize;
        o.flags |= sec.flags & ~0x230;
        if (!sameMerge) o.flags &= ~0x30;
      }
      sec.outputName = outName;
      o.inputs.push(sec);
      if (sec.align > o.align) o.align = sec.align;
    }
  }
  // Constructor tables run in priority order: `.init_array.00101` before `.init_array.00200` before plain
  // `.init_array` (GNU ld's default script, SORT_BY_INIT_PRIORITY).
  for (const t of ['.init_array', '.fini_array', '.preinit_array']) {
    const o = byName.get(t);
    if (!o) continue;
    const prio = (n: string) => (n.startsWith(t + '.') && /^\d+$/.test(n.slice(t.length + 1)) ? Number(n.slice(t.length + 1)) : 65536);
    o.inputs = o.inputs.map((sec, i) => ({ sec, i })).sort((a, b) => prio(a.sec.name) - prio(b.sec.name) || a.i - b.i).map((x) => x.sec);
  }
  // riscv-tests' convention: `.text.init` (the reset code) starts `.text` when no layout says otherwise.
  const text = byName.get('.text');
  if (text && !script && !specs.some((sp) => sp.name === '.text')) {
    text.inputs.sort((a, b) => (a.name === '.text.init' ? 0 : 1) - (b.name === '.text.init' ? 0 : 1));
  }
  // Order: sections named in the layout first, in its order; the rest by kind, standard names first.
  const named = outputs.filter((o) => specs.some((sp) => sp.name === o.name));
  const rest = outputs.filter((o) => !specs.some((sp) => sp.name === o.name));
  // .eh_frame_hdr goes just before .eh_frame (GNU ld's default script); the rest in order of creation.
  const ehOut = outputs.find((o) => o.name === '.eh_frame');
  const creation = (o: OutputSection) => (o.name === '.eh_frame_hdr' && ehOut ? outputs.indexOf(ehOut) - 0.5 : outputs.indexOf(o));
  rest.sort((a, b) => {
    const ra = kindRank(a.type, a.flags);
    const rb = kindRank(b.type, b.flags);
    if (ra !== rb) return ra - rb;
    const sa = STANDARD.indexOf(a.name);
    const sb = STANDARD.indexOf(b.name);
    if ((sa >= 0) !== (sb >= 0)) return sa >= 0 ? -1 : 1;
    return creation(a) - creation(b);
  });
  let ordered = [...named, ...rest].filter((o) => o.inputs.length > 0);
  if (script) {
    ordered = script.build(gotPlan ? unitsWithGot(units, gotPlan) : units);
    for (const o of ordered) if (!byName.has(o.name)) byName.set(o.name, o);
  }
  // What a script's expressions see of the inputs' symbols.
  const inputNeeds = new Set<string>();
  if (script) for (const u of units) for (const s of u.symbols.values()) if (s.kind === 0 && !s.temp && !globals.has(s.name)) inputNeeds.add(s.name);
  const host: ScriptHost = {
    inputDefines: (name) => globals.has(name),
    inputNeeds: (name) => inputNeeds.has(name),
    inputValue: (name) => {
      const g = globals.get(name);
      if (!g) return undefined;
      if (g.kind === 1) return { value: g.section!.addr + BigInt(g.section!.fOff[g.frag] + g.offset), section: g.section!.outputName || null };
      if (g.kind === 2) return { value: g.value, section: null };
      return undefined;
    },
  };

  // Addresses (again after each round of linker relaxation, as sections shrink).
  let cursor = opts.base;
  let placed: OutputSection[] = [];
  let provided = new Map<string, { value: bigint; section: string | null }>();
  let tlsOuts: OutputSection[] = [];
  let tlsBase = 0n;
  // SIZEOF_HEADERS: the ELF header and the program headers GNU ld would write (PT_RISCV_ATTRIBUTES, the
  // PT_LOADs, PT_TLS, PT_GNU_EH_FRAME); first a guess, checked against the segments after placement.
  const headerSize = (loads: number) => 64 + 56 * (1 + loads + (units.some((u) => u.sections.some((sec) => sec.flags & SHF_TLS && sec.size > 0)) ? 1 : 0) + (ehHdr ? 1 : 0));
  // With PHDRS: the headers it lists, and PT_RISCV_ATTRIBUTES that GNU ld adds unless listed.
  const phdrsCount = script && script.script.phdrs.length ? script.script.phdrs.length + (script.script.phdrs.some((p) => p.type === 0x70000003) ? 0 : 1) : 0;
  if (script) script.sizeofHeaders = BigInt(phdrsCount ? 64 + 56 * phdrsCount : headerSize(units.some((u) => u.sections.some((sec) => sec.flags & SHF_WRITE && sec.flags & SHF_ALLOC && !(sec.flags & SHF_TLS))) ? 2 : 1));
  const placeScript = (final: boolean, adjust = true): void => {
    script!.place(host, final, adjust);
    provided = new Map();
    for (const [name, p] of script!.providedSymbols()) provided.set(name, { value: p.value, section: p.section });
    tlsOuts = ordered.filter((o) => o.flags & SHF_TLS && (o.inputs.length > 0 || o.size > 0));
    tlsBase = tlsOuts.length ? tlsOuts[0].addr : 0n;
    if (gotPlan && !provided.has('_GLOBAL_OFFSET_TABLE_')) provided.set('_GLOBAL_OFFSET_TABLE_', { value: gotPlan.got.addr, section: gotPlan.got.outputName || null });
  };
  const place = (): void => {
    if (script) {
      placeScript(false);
      return;
    }
    // Addresses.
    cursor = opts.base;
    placed = [];
    for (const o of ordered) {
      const spec = specs.find((sp) => sp.name === o.name);
      if (spec?.align !== undefined) {
        if (!Number.isInteger(spec.align) || spec.align < 1 || spec.align > 2 ** 30 || !Number.isInteger(Math.log2(spec.align))) {
          throw new AsmError(`layout: alignment of ${o.name} must be a power of two (at most 2^30)`);
        }
        if (spec.align > o.align) o.align = spec.align;
      }
      if (!(o.flags & SHF_ALLOC)) {
        o.addr = 0n;
        let size = 0;
        for (const sec of o.inputs) {
          size = alignUp(size, sec.align);
          sec.addr = BigInt(size);
          size += sec.size;
        }
        o.size = size;
        continue;
      }
      let addr = spec?.address !== undefined ? parseAddress(spec.address, `layout: address of ${o.name}`) : alignUpBig(cursor, o.align);
      if (addr % BigInt(o.align) !== 0n) throw new AsmError(`layout: address of ${o.name} is not aligned to ${o.align}`);
      o.addr = addr;
      for (const sec of o.inputs) {
        addr = alignUpBig(addr, sec.align);
        sec.addr = addr;
        addr += BigInt(sec.size);
      }
      o.size = Number(addr - o.addr);
      for (const p of placed) {
        if (o.size > 0 && p.size > 0 && o.addr < p.addr + BigInt(p.size) && p.addr < o.addr + BigInt(o.size)) {
          throw new AsmError(`layout: section ${o.name} [0x${o.addr.toString(16)}, 0x${(o.addr + BigInt(o.size)).toString(16)}) overlaps ${p.name}`);
        }
      }
      if (addr >= 1n << 64n) throw new AsmError(`layout: section ${o.name} extends past the 64-bit address space`);
      placed.push(o);
      // Like a linker script's location counter: the next section follows this one (and any reserve).
      cursor = addr + BigInt(spec?.reserve ?? 0);
    }

    // Symbols a GNU ld default script provides, for code that refers to them (crt0-style startup):
    // __global_pointer$ (0x800 past the start of the small/writable data), _etext, _edata, __bss_start, _end.
    provided = new Map<string, { value: bigint; section: string | null }>();
    {
      const alloc = placed.slice().sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
      const endOf = (o: OutputSection) => o.addr + BigInt(o.size);
      const text = alloc.filter((o) => o.flags & SHF_EXECINSTR).pop();
      const progbits = alloc.filter((o) => o.type !== SHT_NOBITS).pop();
      const bss = alloc.find((o) => o.type === SHT_NOBITS);
      // The first writable section that is not the TLS template (GNU: gp lies in the small data, after it).
    const writable = alloc.find((o) => o.flags & SHF_WRITE && !(o.flags & SHF_TLS)) ?? alloc.find((o) => o.flags & SHF_WRITE);
      const last = alloc[alloc.length - 1];
      const end = last ? endOf(last) : opts.base;
      const etext = text ? endOf(text) : opts.base;
      const edata = progbits ? endOf(progbits) : opts.base;
      const set = (names: string[], value: bigint, section: OutputSection | undefined) => {
        for (const n of names) provided.set(n, { value, section: section?.name ?? null });
      };
      set(['_etext', 'etext'], etext, text);
      set(['_edata', 'edata'], edata, progbits);
      set(['__bss_start'], bss ? bss.addr : edata, bss ?? progbits);
      set(['_end', 'end'], end, last);
      set(['__global_pointer$'], (writable ? writable.addr : end) + 0x800n, writable ?? last);
      // Constructor and destructor tables (GNU ld's default script: PROVIDE_HIDDEN around each output
      // section); where a table is absent both ends are equal, so a loop over it runs zero times.
      for (const t of ['preinit_array', 'init_array', 'fini_array']) {
        const o = alloc.find((x) => x.name === `.${t}`);
        const at = o ? o.addr : writable ? writable.addr : end;
        set([`__${t}_start`], at, o ?? writable ?? last);
        set([`__${t}_end`], o ? endOf(o) : at, o ?? writable ?? last);
      }
    }
    // The TLS segment: .tdata and .tbss, contiguous; a symbol's tp offset is its offset from the start.
    tlsOuts = placed.filter((o) => o.flags & SHF_TLS);
    tlsBase = tlsOuts.length ? tlsOuts[0].addr : 0n;
    {
      const tdata = tlsOuts.find((o) => o.type !== SHT_NOBITS);
      const tbss = tlsOuts.find((o) => o.type === SHT_NOBITS);
      const tlsEnd = tlsOuts.length ? tlsOuts[tlsOuts.length - 1].addr + BigInt(tlsOuts[tlsOuts.length - 1].size) : 0n;
      const sec = (o: OutputSection | undefined) => o?.name ?? null;
      const abs = (name: string, value: bigint) => provided.set(name, { value, section: null });
      // picolibc's linker-script names, so its crt0 (and ours) can set up the block.
      provided.set('__tls_base', { value: tlsBase, section: sec(tlsOuts[0]) });
      provided.set('__tdata_start', { value: tdata ? tdata.addr : tlsBase, section: sec(tdata) });
      provided.set('__tdata_end', { value: tdata ? tdata.addr + BigInt(tdata.size) : tlsBase, section: sec(tdata) });
      provided.set('__tbss_start', { value: tbss ? tbss.addr : tlsEnd, section: sec(tbss) });
      provided.set('__tbss_end', { value: tlsEnd, section: sec(tbss) });
      provided.set('__tls_end', { value: tlsEnd, section: sec(tbss) });
      abs('__tdata_size', BigInt(tdata?.size ?? 0));
      abs('__tbss_size', BigInt(tbss?.size ?? 0));
      abs('__tls_size', tlsEnd - tlsBase);
      abs('__tls_align', BigInt(Math.max(1, ...tlsOuts.map((o) => o.align))));
      if (gotPlan) provided.set('_GLOBAL_OFFSET_TABLE_', { value: gotPlan.got.addr, section: gotPlan.got.outputName || null });
      for (const d of opts.defsyms ?? []) provided.set(d.name, { value: d.value, section: null });
    }
    for (const spec of specs) {
      const o = byName.get(spec.name);
      for (const [name, text] of Object.entries(spec.symbols ?? {})) {
        const m = LAYOUT_SYMBOL.exec(text)!;
        const at = !o ? cursor : m[1].toLowerCase() === 'start' ? o.addr : o.addr + BigInt(o.size);
        const k = m[3] ? BigInt(m[3]) : 0n;
        provided.set(name, { value: m[2] === '-' ? at - k : at + k, section: o && o.inputs.length ? o.name : null });
      }
    }
  };
  place();
  // .eh_frame: equal CIEs once, FDEs of discarded COMDAT code dropped (tools/ld/eh-frame.ts). As in GNU ld,
  // this comes after the first placement, so the first round of relaxation still sees the unedited sizes.
  {
    let ehAlign = 1;
    for (const u of units) for (const sec of u.sections) if (sec.outputName === '.eh_frame') ehAlign = Math.max(ehAlign, sec.align);
    mergeEhFrames(units, () => ehAlign, diags);
  }
  if (ehHdr) {
    // An rvx source's table has one FDE per procedure (its lengths are label differences, set later); an
    // object's records are read.
    let fdes = 0;
    for (const u of units) {
      const ehs = u.sections.filter((sec) => sec.name === '.eh_frame');
      if (!ehs.length) continue;
      if (u instanceof Unit) fdes += u.frames_?.ehFrame ? u.frames_.procs.length : 0;
      else fdes += countFdes(ehs) ?? 0;
    }
    const size = ehFrameHdrSize(fdes);
    ehHdr.sink.buf = new Uint8Array(size);
    ehHdr.sink.len = size;
    ehHdr.fStart[0] = 0;
    ehHdr.fSize[0] = size;
    ehHdr.size = size;
  }
  // With a script whose DATA_SEGMENT_ALIGN saves a page: the layout ld's second sizing pass of each round of
  // relaxation sees (the data segment at the same offset in the next page), for a second scan in that round.
  const placeUnadjusted = script
    ? (): boolean => {
        if (!script.segmentAdjusts()) return false;
        placeScript(false, false);
        return true;
      }
    : null;
  const gpFinal = relaxObjects(units, ordered, byName, globals, opts, diags, place, () => provided, () => (tlsOuts.length ? tlsBase : null), { script: script !== null, placeUnadjusted });
  let scriptHeaderSize = 0;
  if (script) {
    // Once more, reporting the script's errors (ASSERTs, undefined symbols, overflowing regions); again if the
    // program headers are not as many as SIZEOF_HEADERS assumed.
    const loads = () => gnuSegments(script!.outputs().filter((o) => o.flags & SHF_ALLOC), 0x1000n, Number(script!.sizeofHeaders), loadPhdrs).length;
    const want = phdrsCount ? script.sizeofHeaders : BigInt(headerSize(loads()));
    if (want !== script.sizeofHeaders) {
      script.sizeofHeaders = want;
      placeScript(false);
    }
    placeScript(true);
    ordered = script.outputs();
    scriptHeaderSize = Number(script.sizeofHeaders);
    for (const message of sectionOverlaps(ordered)) addDiag(diags, null, message);
    for (const e of script.unknownPhdrs()) diags.push({ file: script.script.file, line: e.pos.line, col: e.pos.col, severity: 'error', message: e.message });
  }
  const usedProvided = new Set<string>();

  // Symbol values after placement.
  let ownDefinitions = false;
  const resolve = (s: Sym): RelValue | null => {
    if (s.overriddenBy && !ownDefinitions) s = s.overriddenBy;
    if (s.kind === 1) return { base: null, off: s.section!.addr + BigInt(s.section!.fOff[s.frag] + s.offset) };
    if (s.kind === 2) return { base: null, off: s.value };
    if (s.kind === 3) {
      if (s.evaluating) throw new AsmError(`cyclic definition of symbol '${s.name}'`);
      s.evaluating = true;
      try {
        return evaluate(s.expr!, resolve);
      } finally {
        s.evaluating = false;
      }
    }
    const g = globals.get(s.name);
    if (g && g !== s && !s.temp) return resolve(g);
    const p = s.temp ? undefined : provided.get(s.name);
    if (p) {
      usedProvided.add(s.name);
      return { base: null, off: p.value };
    }
    // An undefined weak symbol is zero (gABI, "Symbol Table": undefined weak references resolve to 0).
    if (s.weak) return { base: null, off: 0n };
    if (s.temp && /^\d+f$/.test(s.name)) throw new AsmError(`undefined local label '${s.name}' (no later definition of '${s.name.slice(0, -1)}:')`);
    throw new AsmError(`undefined symbol '${s.name}'`);
  };
  for (const s of symbolAddresses(units, resolve)) {
    try {
      const v = resolve(s);
      s.address = v ? v.off : 0n;
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      addDiag(diags, defLocOf(s), `in the value of '${s.name}': ${e.message}`);
    }
  }

  // Fixups: %pcrel_hi first, so %pcrel_lo can find its auipc (keyed by its address; see applyFixups). The offset each
  // auipc computed is a number when the fast path below set it (no BigInt per auipc), else a bigint.
  const auipcs = new AuipcOffsets();
  const auipcOffset = (at: number): bigint | undefined => {
    const d = auipcs.get(at);
    return typeof d === 'number' ? BigInt(d) : d;
  };
  const value = (e: Parameters<typeof evaluate>[0]): bigint => {
    const v = evaluate(e, resolve);
    if (!v) throw new AsmError('expression cannot be evaluated');
    return v.off;
  };
  // An undefined weak symbol is 0, which a pc-relative auipc may not reach: as GNU ld does, its auipc
  // becomes `lui rd, 0` and the paired low part 0, so the address computed is 0 wherever the code runs.
  const gotAddr = (fx: Fixup): bigint => gotPlan!.got.addr + gotPlan!.target.get(fx)!;
  const tlsOffset = (v: bigint): bigint => {
    if (!tlsOuts.length) throw new AsmError('TLS offset of a symbol, but the program has no .tdata or .tbss');
    return v - tlsBase;
  };
  const undefWeak = (e: Parameters<typeof evaluate>[0]): boolean => {
    const t = symbolPlusConstant(e);
    if (!t || t.add !== 0n) return false;
    const s = t.sym;
    return s.kind === 0 && s.weak && !s.temp && !globals.has(s.name) && !provided.has(s.name);
  };
  // Symbols of the sections --gc-sections or COMDAT removed, of every object (a reference resolves to
  // another unit's definition).
  const discarded = new Set<Sym>();
  for (const u of units) for (const s of u.discardedSyms ?? []) discarded.add(s);
  /** Does a relocation in a non-allocated section name a symbol of a discarded section (GNU ld then clears it)? */
  const namesDiscarded = (sec: InputSection, e: Parameters<typeof evaluate>[0]): boolean => {
    if (!discarded.size || sec.flags & SHF_ALLOC) return false;
    const t = symbolPlusConstant(e);
    if (!t) return false;
    let s = t.sym;
    if (s.kind === 0 && !s.temp) s = globals.get(s.name) ?? s;
    else if (s.overriddenBy) s = s.overriddenBy;
    return discarded.has(s);
  };
  // Everything the numeric path of applyFixups leaves (in BigInts, with the diagnostics).
  const fixupSlow = (sec: InputSection, fx: Fixup): void => {
    const pc = sec.addr + BigInt(sec.fOff[fx.frag] + fx.offset);
    try {
      const v = value(fx.expr);
      let fieldValue: bigint;
      switch (fx.kind) {
        case FIX_TPREL_ADD:
          return;
        case FIX_RELOC: {
          const type = fx.field;
          if (namesDiscarded(sec, fx.expr) && clearDiscarded(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, type, sec.name === '.debug_ranges')) return;
          let rv: bigint;
          if (type === R.PCREL_LO12_I || type === R.PCREL_LO12_S) {
            const d = auipcOffset(Number(v));
            if (d === undefined) throw new AsmError(`${relocName(type)}: no %pcrel_hi20 at 0x${BigInt.asUintN(64, v).toString(16)}`);
            rv = d;
          } else if (gotPlan?.target.has(fx)) rv = gotAddr(fx) - pc;
          else if (type === R.TPREL_HI20 || type === R.TPREL_LO12_I || type === R.TPREL_LO12_S) rv = tlsOffset(v);
          else if (type === R.TLS_DTPREL32 || type === R.TLS_DTPREL64) rv = tlsOffset(v) - 0x800n;
          else if (type === R.PCREL_HI20 && !fitsUpper(upperPart(v - pc)) && fitsUpper(upperPart(v))) {
            // GNU ld (riscv_zero_pcrel_hi_reloc): an address the auipc cannot reach from here but lui can
            // (an undefined weak symbol's 0, a low absolute address) is loaded 0-relative instead; its
            // %pcrel_lo parts then take the address's low 12 bits.
            luiPcrelHi(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, v);
            auipcs.set(Number(pc), v);
            return;
          } else if ((type === R.CALL || type === R.CALL_PLT) && undefWeak(fx.expr)) {
            // A call to an undefined weak function (GNU ld): `auipc rd, 0; jalr rd, 0(x0)`, a call to 0.
            const b = sec.sink.buf;
            setBaseRegister(b, sec.fStart[fx.frag] + fx.offset + 4, 0);
            rv = 0n;
          } else if (type === R.GPREL_I || type === R.GPREL_S) {
            // Relaxed low part: x0-relative when the address fits 12 bits, else gp-relative (GNU ld).
            const b = sec.sink.buf;
            const at = sec.fStart[fx.frag] + fx.offset;
            if (v >= -0x800n && v < 0x800n) {
              setBaseRegister(b, at, 0);
              rv = v;
            } else if (gpFinal !== null && v - gpFinal >= -0x800n && v - gpFinal < 0x800n) {
              setBaseRegister(b, at, 3);
              rv = v - gpFinal;
            } else throw new AsmError(`${relocName(type)}: 0x${BigInt.asUintN(64, v).toString(16)} is not within 2 KiB of __global_pointer$`);
          } else if (type === R.TPREL_I || type === R.TPREL_S) {
            setBaseRegister(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, 4);
            rv = tlsOffset(v);
          } else if (isPcRel(type)) rv = v - pc;
          else rv = v;
          if (isHi20PcRel(type)) auipcs.set(Number(pc), rv);
          const at = sec.fStart[fx.frag] + fx.offset;
          try {
            applyReloc(sec.sink.buf, at, sec.fStart[fx.frag] + sec.fSize[fx.frag], type, rv);
          } catch (e) {
            if (e instanceof RelocError) throw new AsmError(e.message);
            throw e;
          }
          return;
        }
        case FIX_TPREL_HI:
          fieldValue = BigInt(hi20(tlsOffset(v)));
          break;
        case FIX_TPREL_LO:
          fieldValue = BigInt(lo12(tlsOffset(v)));
          break;
        case FIX_GOT_HI:
        case FIX_TLS_IE_HI:
        case FIX_TLS_GD_HI: {
          const d = gotAddr(fx) - pc;
          auipcs.set(Number(pc), d);
          fieldValue = BigInt(hi20(d));
          break;
        }
        case FIX_DATA:
          if (fx.field === DATA_TLSOFF || fx.field === DATA_DTPOFF) {
            writeData(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, tlsOffset(v) - (fx.field === DATA_DTPOFF ? 0x800n : 0n), fx.size);
          }
          else if (fx.field === DATA_PCREL) writeData(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, v - pc, fx.size);
          else if (fx.field) {
            // .reloc R_RISCV_ADDn / SUBn: modify the bytes already there (modulo 2^n).
            const buf = sec.sink.buf;
            const at = sec.fStart[fx.frag] + fx.offset;
            let old = 0n;
            for (let i = fx.size - 1; i >= 0; i--) old = (old << 8n) | BigInt(buf[at + i]);
            writeData(buf, at, BigInt.asUintN(fx.size * 8, fx.field === 1 ? old + v : old - v), fx.size);
          } else writeData(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, v, fx.size);
          return;
        case FIX_ABS:
          fieldValue = v;
          break;
        case FIX_PCREL:
          fieldValue = v - pc;
          break;
        case FIX_HI:
          // lui sign-extends: the address must be a sign-extended 32-bit value on RV64.
          if (v < -0x80000000n || v > 0x7fffffffn) throw new AsmError(`%hi: 0x${BigInt.asUintN(64, v).toString(16)} is not a sign-extended 32-bit value (lui cannot reach it; use la / %pcrel_hi)`);
          fieldValue = BigInt(hi20(v));
          break;
        case FIX_LO:
          fieldValue = BigInt(lo12(v));
          break;
        case FIX_PCREL_HI:
          if (undefWeak(fx.expr)) {
            zeroPcrelHi(sec.sink.buf, sec.fStart[fx.frag] + fx.offset);
            auipcs.set(Number(pc), 0n);
            return;
          }
          if (v - pc < -0x80000800n || v - pc >= 0x7ffff800n) throw new AsmError(`%pcrel_hi: target 0x${BigInt.asUintN(64, v).toString(16)} is more than 2 GiB from the auipc`);
          auipcs.set(Number(pc), v - pc);
          fieldValue = BigInt(hi20(v - pc));
          break;
        case FIX_PCREL_LO: {
          const d = auipcOffset(Number(v));
          if (d === undefined) throw new AsmError(`%pcrel_lo: no auipc with %pcrel_hi at the label (address 0x${BigInt.asUintN(64, v).toString(16)})`);
          fieldValue = BigInt(lo12(d));
          break;
        }
        case FIX_PCREL_LO_PAIR:
          fieldValue = undefWeak(fx.expr) ? 0n : BigInt(lo12(v - (pc + BigInt(fx.pcAdjust))));
          break;
        default:
          throw new Error(`bad fixup kind ${fx.kind}`);
      }
      patchField(sec.sink.buf, sec.fStart[fx.frag] + fx.offset, fx.def!, fx.field, fieldValue, fx.kind === FIX_PCREL);
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      addDiag(diags, fx.loc, e.message);
    }
  };
  const later: Fixup[] = [];
  const laterSecs: InputSection[] = [];
  for (const u of units) for (const sec of u.sections) if (sec.fixupCount() !== 0) applyFixups(sec, globals, auipcs, fixupSlow, later, laterSecs);
  for (let i = 0; i < later.length; i++) fixupSlow(laterSecs[i], later[i]);

  // BYTE/SHORT/LONG/QUAD of a script.
  script?.writeData((sec, v, size) => {
    try {
      writeData(sec.sink.buf, sec.fStart[0], BigInt.asIntN(size * 8, v), size);
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      addDiag(diags, null, e.message);
    }
  });
  // Output contents: a script's fill patterns in the gaps, then the inputs.
  const gaps = script?.fillGaps() ?? [];
  for (const o of script ? ordered : outputs) {
    if (o.type === SHT_NOBITS || o.inputs.length === 0) continue;
    // One input of an assembled source, alone and at the start, without fill gaps: its bytes are moved into
    // place in its own ByteSink, whose pages are resident, rather than copied into a fresh output buffer
    // (a first-touched page costs ~15 us on the development VM: 180 of them for big.s's .text).
    const only = o.inputs.length === 1 ? o.inputs[0] : null;
    if (only && only.addr === o.addr && only.sink.buf.length >= o.size && !gaps.some((g) => g.out === o) && units.some((u) => u.index === only.unit && u instanceof Unit)) {
      const moved = fillInPlace(only, o.size, resolve, diags);
      if (moved) {
        o.data = moved;
        continue;
      }
    }
    const data = new Uint8Array(o.size);
    for (const g of gaps) {
      if (g.out !== o) continue;
      for (let i = g.from; i < g.to; i++) data[i] = g.pattern[(i - g.from) % g.pattern.length];
    }
    for (const sec of o.inputs) fillOutput(data, Number(sec.addr - o.addr), sec, resolve, diags);
    o.data = data;
  }

  // .eh_frame_hdr from the linked .eh_frame.
  let ehFrameHdr: LinkResult['ehFrameHdr'];
  if (ehHdr && ehHdr.outputName) {
    const ho = (script ? ordered : outputs).find((o) => o.inputs.includes(ehHdr!));
    const ehIns = units.flatMap((u) => u.sections.filter((sec) => sec.name === '.eh_frame' && sec.size > 0));
    const eo = ehIns.length ? (script ? ordered : outputs).find((o) => o.inputs.includes(ehIns[0])) : undefined;
    if (ho && ho.data.length && eo && eo.data.length) {
      let lo = ehIns[0].addr;
      let hi = lo;
      for (const sec of ehIns) {
        if (!eo.inputs.includes(sec)) continue;
        if (sec.addr < lo) lo = sec.addr;
        if (sec.addr + BigInt(sec.size) > hi) hi = sec.addr + BigInt(sec.size);
      }
      const eh = eo.data.subarray(Number(lo - eo.addr), Number(hi - eo.addr));
      ho.data.set(buildEhFrameHdr(ehHdr.addr, ehHdr.size, eh, lo), Number(ehHdr.addr - ho.addr));
      ehFrameHdr = { vaddr: ehHdr.addr, size: ehHdr.size };
    }
  }

  // Entry.
  let entry = 0n;
  const findSym = (name: string): Sym | undefined => {
    const g = globals.get(name);
    if (g) return g;
    for (const u of units) {
      const s = u.symbols.get(name);
      if (s && s.kind !== 0) return s;
    }
    return undefined;
  };
  if (entryName) {
    const s = findSym(entryName);
    if (!s) addDiag(diags, null, `entry symbol '${entryName}' is not defined`);
    else entry = s.address;
  } else {
    const s = findSym('_start');
    if (s) entry = s.address;
    else {
      const text = ordered.find((o) => o.name === '.text') ?? ordered.find((o) => o.flags & SHF_EXECINSTR);
      entry = text ? text.addr : opts.base;
    }
  }
  // A script's symbols: all it assigns, and those PROVIDEd that something refers to (ld).
  if (script) for (const [name] of script.providedSymbols()) if (!globals.has(name)) usedProvided.add(name);
  for (const d of opts.defsyms ?? []) if (!globals.has(d.name)) usedProvided.add(d.name);
  const scriptSyms = script?.providedSymbols();
  // _GLOBAL_OFFSET_TABLE_ is in the symbol table whenever there is a GOT, a local object (GNU ld defines it
  // hidden with the GOT).
  if (gotPlan) usedProvided.add('_GLOBAL_OFFSET_TABLE_');
  const providedSymbols = [...usedProvided].sort().map((name) => {
    const got = gotPlan && name === '_GLOBAL_OFFSET_TABLE_' && !scriptSyms?.has(name);
    return { name, ...provided.get(name)!, hidden: got ? true : scriptSyms?.get(name)?.hidden, type: got ? ('object' as const) : undefined };
  });
  // `.size main, . - main` in the file of an overridden weak `main` measures that file's own definition.
  const resolveOwn = (s: Sym): RelValue | null => {
    const was = ownDefinitions;
    ownDefinitions = true;
    try {
      return resolve(s);
    } finally {
      ownDefinitions = was;
    }
  };
  const tls = tlsOuts.length
    ? { vaddr: tlsBase, filesz: tlsOuts.filter((o) => o.type !== SHT_NOBITS).reduce((n, o) => n + o.size, 0), memsz: Number(tlsOuts[tlsOuts.length - 1].addr + BigInt(tlsOuts[tlsOuts.length - 1].size) - tlsBase), align: Math.max(...tlsOuts.map((o) => o.align)) }
    : undefined;
  const programHeaders = script?.programHeaders() ?? undefined;
  // .riscv.attributes is an orphan to GNU ld: a script's .comment statement holds non-allocated orphans, so it
  // follows that section (GNU's default script has one).
  // Without one, orphans come in input order: after .comment when the first object has one before its
  // .riscv.attributes (gcc's objects), else ahead of the other non-allocated sections (GNU as's objects).
  const firstObject = units.find((u) => u.name !== '<linker>');
  const attributesAfter = script?.script.sections?.some((c) => c.kind === 'section' && c.name === '.comment') || firstObject?.sections.some((sec) => sec.name === '.comment') ? '.comment' : script ? '' : undefined;
  return { outputs: ordered, globals, entry, resolve: resolveOwn, providedSymbols, tls, ehFrameHdr, gnuSegments: script ? { headerSize: scriptHeaderSize, programHeaders, attributesAfter, loadPhdrs } : undefined };
}

/** RISCV_CONST_HIGH_PART: what a lui/auipc contributes for a value (its low 12 bits go to the paired addi). */
function upperPart(v: bigint): bigint {
  return BigInt.asIntN(64, (v + 0x800n) & ~0xfffn);
}

/** A lui/auipc immediate can produce it (sign-extended 32-bit, low 12 bits zero). */
function fitsUpper(v: bigint): boolean {
  return v >= -0x80000000n && v < 0x80000000n;
}

/** Turn the auipc at `at` into `lui rd, %hi(v)` (same rd). */
function luiPcrelHi(buf: Uint8Array, at: number, v: bigint): void {
  const rd = ((buf[at] >> 7) | (buf[at + 1] << 1)) & 0x1f;
  const hi = Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
  writeBits(buf, at, ((hi << 12) | (rd << 7) | 0x37) >>> 0, 4);
}

/** Turn the auipc at `at` into `lui rd, 0` (same rd). */
function zeroPcrelHi(buf: Uint8Array, at: number): void {
  const rd = ((buf[at] >> 7) | (buf[at + 1] << 1)) & 0x1f;
  writeBits(buf, at, (rd << 7) | 0x37, 4);
}

/**
 * The COMMON sections of objects (tools/ld/object-unit.ts) after symbol resolution: space only for the common
 * symbols that won, each at its (merged) alignment, as GNU ld allocates them (ldlang.c, lang_one_common);
 * a common another object's larger common or a definition overrides takes none.
 */
function allocateCommons(units: LinkUnit[]): void {
  for (const u of units) {
    for (const sec of u.sections) {
      if (sec.name !== 'COMMON' || sec.type !== SHT_NOBITS) continue;
      const syms = [...u.symbols.values()].filter((s) => s.section === sec && s.common).sort((a, b) => a.offset - b.offset);
      let size = 0;
      let align = 1;
      for (const s of syms) {
        if (s.overriddenBy) continue;
        const a = s.commonAlign ?? 1;
        size = alignUp(size, a);
        s.offset = size;
        size += Number(commonSize(s));
        if (a > align) align = a;
      }
      sec.truncateFrags();
      sec.addZeroFill(size);
      sec.align = align;
      sec.size = size;
    }
  }
}

function commonSize(s: Sym): bigint {
  return s.size && s.size.t === E_NUM ? s.size.v : 0n;
}

function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

function alignUpBig(v: bigint, a: number): bigint {
  const b = BigInt(a);
  return ((v + b - 1n) / b) * b;
}

export function writeData(buf: Uint8Array, off: number, v: bigint, size: number): void {
  if (size < 8) {
    const lim = 1n << BigInt(size * 8);
    if (v >= lim || v < -(lim >> 1n)) throw new AsmError(`value 0x${BigInt.asUintN(64, v).toString(16)} does not fit in ${size} byte${size > 1 ? 's' : ''}`);
  }
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < size; i++) {
    buf[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function patchInstruction(buf: Uint8Array, off: number, def: InstrDef, values: number[], field: number, v: bigint, pcrel: boolean): void {
  const big = v > 0x7fffffffffffn || v < -0x7fffffffffffn;
  values[field] = big ? (v < 0n ? -0x800000000000 : 0x800000000000) : Number(v);
  const bits = encodeBits(def, values);
  if (bits >= 0) {
    writeBits(buf, off, bits, def.size);
    return;
  }
  const r = encode(def, values);
  if (!r.ok) {
    if (pcrel) throw new AsmError(`branch target out of range or misaligned: offset ${v}, ${r.message.replace(/^immediate /, '')}`);
    throw new AsmError(r.message);
  }
  writeBits(buf, off, r.bits, def.size);
}

/**
 * patchInstruction for the instruction whose bytes are at buf[off] (an encoding of `def`, as the emitter or
 * an earlier patch left it): field `field` set to v, the other fields as they are. Errors as patchInstruction.
 */
export function patchField(buf: Uint8Array, off: number, def: InstrDef, field: number, v: bigint, pcrel: boolean): void {
  let raw = buf[off] | (buf[off + 1] << 8);
  if (def.size === 4) raw = (raw | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
  const bits = v >= -0x80000000n && v <= 0x7fffffffn ? encodeFieldInto(def, raw, field, Number(v)) : -1;
  if (bits >= 0) {
    writeBits(buf, off, bits, def.size);
    return;
  }
  // Refused: patchInstruction with the operands read back says why.
  const values: number[] = [];
  for (const f of def.fields) values.push(extractOperand(f, raw));
  patchInstruction(buf, off, def, values, field, v, pcrel);
}

export function writeBits(buf: Uint8Array, off: number, bits: number, size: number): void {
  buf[off] = bits & 0xff;
  buf[off + 1] = (bits >>> 8) & 0xff;
  if (size === 4) {
    buf[off + 2] = (bits >>> 16) & 0xff;
    buf[off + 3] = (bits >>> 24) & 0xff;
  }
}

/** A data fragment's bytes into `out` at `at`. Most are a few instructions between two branches: a byte
 * loop for those, not a subarray view per fragment for TypedArray#set. */
function copyData(out: Uint8Array, at: number, sec: InputSection, f: number): void {
  const src = sec.sink.buf;
  const start = sec.fStart[f];
  const n = sec.fSize[f];
  if (n > 64) out.set(src.subarray(start, start + n), at);
  else for (let i = 0; i < n; i++) out[at + i] = src[start + i];
}

export function emitFrag(out: Uint8Array, at: number, f: number, sec: InputSection, resolve: (s: Sym) => RelValue | null, diags: Diagnostic[]): void {
  switch (sec.kind(f)) {
    case FRAG_DATA:
      copyData(out, at, sec, f);
      return;
    case FRAG_FILL: {
      const pd = sec.pad(f)!;
      const n = pd.fillSize;
      if (pd.fillValue === 0n) return;
      let pattern = BigInt.asUintN(64, pd.fillValue);
      const bytes: number[] = [];
      for (let i = 0; i < n; i++) {
        bytes.push(Number(pattern & 0xffn));
        pattern >>= 8n;
      }
      for (let k = 0; k < pd.count; k++) for (let i = 0; i < n; i++) out[at + k * n + i] = bytes[i];
      return;
    }
    case FRAG_ORG:
      out.fill(sec.pad(f)!.fill, at, at + sec.fSize[f]);
      return;
    case FRAG_LEB: {
      const leb = sec.leb(f)!;
      try {
        const v = evaluate(leb.expr, resolve);
        if (!v) throw new AsmError('cannot evaluate');
        out.set(leb.cfa ? encodeCfaAdvance(v.off, sec.fSize[f]) : encodeLeb(v.off, leb.signed, sec.fSize[f]), at);
      } catch (e) {
        if (!(e instanceof AsmError)) throw e;
        addDiag(diags, leb.loc, `${leb.signed ? '.sleb128' : '.uleb128'} needs an absolute value or a difference of labels in one section (${e.message})`);
      }
      return;
    }
    case FRAG_ALIGN: {
      let k = sec.fSize[f];
      let p = at;
      const pd = sec.pad(f)!;
      if (!pd.nops) {
        out.fill(pd.fill, p, p + k);
        return;
      }
      // Code alignment: an odd byte is zero (GNU as), then 4-byte nops and a final c.nop, as LLVM's
      // RISCVAsmBackend::writeNopData emits them.
      if (k % 2) {
        out[p++] = 0;
        k--;
      }
      // GNU as's riscv_make_nops writes a c.nop for the 2 bytes even without C (--compat gnu).
      if (!pd.rvc && !pd.gnuNops && k % 4) {
        out[p++] = 0;
        out[p++] = 0;
        k -= 2;
      }
      // GNU as (--compat gnu) puts the c.nop first (riscv_make_nops).
      if (pd.gnuNops && k % 4) {
        out[p++] = 0x01;
        out[p++] = 0;
        k -= 2;
      }
      while (k >= 4) {
        out[p] = 0x13;
        out[p + 1] = 0;
        out[p + 2] = 0;
        out[p + 3] = 0;
        p += 4;
        k -= 4;
      }
      if (k === 2) {
        out[p] = 0x01;
        out[p + 1] = 0;
      }
      return;
    }
  }
}

/** The relaxable branch leading data fragment `f` (fBr) into `out`, whose byte `base` is the section's first. */
export function emitBranch(out: Uint8Array, base: number, sec: InputSection, f: number, resolve: (s: Sym) => RelValue | null, diags: Diagnostic[]): void {
  const rx = sec.relaxes;
  const r = sec.fBr[f];
  const size = rx.sizes[r];
  // The branch's offset in the section: right before the fragment's bytes.
  const offset = sec.fOff[f] - size;
  const at = base + offset;
  try {
    const target = rx.targetChunks[r >>> TARGET_CHUNK_BITS][r & TARGET_CHUNK_MASK]; // rx.target(r)
    const b = rx.bits[r];
    const long = (b & RX_LONG) !== 0;
    const relaxed = (b & RX_RELAXED) !== 0;
    if (!long && target.t === E_SYM) {
      const t = target;
      if (t.kind === 1 && t.section === sec && !t.overriddenBy) {
        // Same-section label (the usual case, 10,000s of times in a large file): plain numbers, the row and
        // operands read in the table's columns (RelaxTable.takenValues, inline; .insn rows, not in
        // INSTRUCTIONS, through it).
        const id = rx.ids[r];
        const def = id >= 0 ? INSTRUCTIONS[relaxed ? id >>> 16 : id & 0xffff] : relaxed ? rx.big(r) : rx.small(r);
        const rel = sec.fOff[t.frag] + t.offset - offset;
        let values: number[];
        if (id >= 0) {
          // The packed registers, 5 bits each in field order, and the offset in the target field.
          const regs = relaxed ? (b >>> 10) & 0x3ff : b & 0x3ff;
          const field = relaxed ? (b >>> 22) & 3 : (b >>> 20) & 3;
          for (let k = 0, shift = 0; k < def.fields.length; k++) {
            if (k === field) branchValues[k] = rel;
            else {
              branchValues[k] = (regs >>> shift) & 31;
              shift += 5;
            }
          }
          values = branchValues;
        } else values = rx.takenValues(r, relaxed, rel);
        const bits = encodeBits(def, values);
        if (bits >= 0) {
          // (As an int32: the same bytes, and writeBits sees small integers only.)
          writeBits(out, at, bits | 0, def.size);
          return;
        }
      }
    }
    const v = evaluate(target, resolve);
    if (!v) throw new AsmError('branch target cannot be evaluated');
    const off = v.off - (sec.addr + BigInt(offset));
    if (long) writeLongBranch(out, at, rx, r, off, size);
    else if (relaxed) patchInstruction(out, at, rx.big(r), rx.bigValues(r, 0), rx.bigField(r), off, true);
    else patchInstruction(out, at, rx.small(r), rx.smallValues(r, 0), rx.smallField(r), off, true);
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    addDiag(diags, rx.loc(r), e.message);
  }
}
