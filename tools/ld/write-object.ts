// `rvx asm -c`: one assembled source as an ELF64 RISC-V relocatable object (gABI "Object Files", RISC-V
// psABI relocations), for GNU ld, lld or `rvx ld`. What the assembler can settle — a pc-relative reference
// to a local label in the same section, a difference of labels in one section — is written into the
// bytes, and relocated as well where GNU as relocates it; everything else becomes a RELA relocation. With
// relaxation marks (the default, as GNU as: R_RISCV_RELAX, R_RISCV_ALIGN) a linker may delete bytes in the
// code, so what depends on distances within it (branches, differences of code labels) stays relocated.

import { encode } from '../../isa/codec.js';
import { INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { SHF_EXECINSTR, SHF_TLS, SHT_NOBITS, EM_RISCV } from '../elf/model.js';
import { encodeAttributes, SHT_RISCV_ATTRIBUTES, TAG_PRIV_SPEC, TAG_PRIV_SPEC_MINOR, TAG_PRIV_SPEC_REVISION, type Attributes } from '../asm/attributes.js';
import type { Diagnostic } from '../asm/diagnostics.js';
import { AsmError, E_BIN, E_SYM, OP_SUB, evaluate, symbolPlusConstant, SYM_GLOBAL, SYM_TEMP, type Expr, type Loc, type RelValue, placedSym, type Sym } from '../asm/expr.js';
import { emitBranch, emitFrag, layoutSection, writeBits, writeData, writeLongBranch, patchField, patchInstruction } from '../asm/link.js';
import {
  DATA_DTPOFF, DATA_PCREL, DATA_SET, DATA_TLSOFF, FIX_ABS, FIX_DATA, FIX_GOT_HI, FIX_HI, FIX_LO, FIX_PCREL, FIX_PCREL_HI, FIX_PCREL_LO,
  FIX_PCREL_LO_PAIR, FIX_TPREL_ADD, FIX_TLS_GD_HI, FIX_TLS_IE_HI, FIX_TPREL_HI, FIX_TPREL_LO, FRAG_ALIGN, FRAG_DATA, FRAG_LEB, type Fixup, InputSection,
  FIX_CALL, callHi, callLo, type FixupRecord, type CallTable,
} from '../asm/section.js';
import type { Unit } from '../asm/unit.js';
import { R } from './relocs.js';
import { StringTable } from '../elf/strtab.js';


/** A table by relocation type (all below 256): 1 for the listed types. An element load per relocation, where a
 * Set took a hash look-up. */
function typeTable(types: number[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const r of types) t[r] = 1;
  return t;
}

/** The relocations whose symbol is a thread-local one (STT_TLS). */
const TLS_RELOCS = typeTable([R.TLS_DTPREL32, R.TLS_DTPREL64, R.TLS_GOT_HI20, R.TLS_GD_HI20, R.TPREL_HI20, R.TPREL_LO12_I, R.TPREL_LO12_S, R.TPREL_ADD]);

/** The relocations GNU as marks with R_RISCV_RELAX in a relaxable object. */
const RELAXABLE = typeTable([R.CALL_PLT, R.CALL, R.PCREL_HI20, R.PCREL_LO12_I, R.PCREL_LO12_S, R.HI20, R.LO12_I, R.LO12_S, R.TPREL_HI20, R.TPREL_ADD, R.TPREL_LO12_I, R.TPREL_LO12_S]);

const STORES = new Set(['sb', 'sh', 'sw', 'sd', 'c.sw', 'c.sd', 'c.swsp', 'c.sdsp', 'fsw', 'fsd']);

export interface ObjectOptions {
  /**
   * Mark the object for linker relaxation as GNU as does by default: R_RISCV_RELAX beside each relaxable
   * relocation, worst-case nops with R_RISCV_ALIGN for code alignment, and label differences within code
   * as ADD/SUB pairs (a linker that deletes bytes keeps them right).
   */
  relax?: boolean;
  /** e_flags float ABI: 0 soft (lp64), 2 single (lp64f), 4 double (lp64d). */
  floatAbi?: number;
  /** Tag_RISCV_arch when the source has no `.attribute arch`. */
  defaultAttrs: Attributes;
}

/** Lay out `u` and write it as a relocatable object; problems go to `diags`. */
export function writeObject(u: Unit, opts: ObjectOptions, diags: Diagnostic[]): ObjectPieces {
  const err = (loc: Loc | null, message: string) =>
    diags.push({ file: loc?.file ?? u.name, line: loc?.line ?? 0, col: loc?.col ?? 0, severity: 'error', message: loc?.note ? `${message} (${loc.note})` : message });
  const relax = opts.relax ?? false;
  // (Fragment numbers.)
  const aligns: number[] = [];
  // The section of each of `aligns`.
  const alignSections: InputSection[] = [];
  if (relax) {
    for (const sec of u.sections) {
      if (!(sec.flags & SHF_EXECINSTR)) continue;
      const nf = sec.nFrags;
      for (let f = 0; f < nf; f++) {
        if (sec.fBr[f] >= -1) continue; // a data fragment (InputSection.fBr): no pad look-up for most fragments
        const pd = sec.pad(f);
        if (sec.kind(f) !== FRAG_ALIGN || !pd || !pd.nops || pd.norelax) continue;
        const worst = pd.align - (pd.rvc ? 2 : 4);
        if (worst <= 0) continue;
        pd.fixed = worst;
        aligns.push(f);
        alignSections.push(sec);
      }
    }
  }
  // GNU as always writes .text, .data and .bss, first; then the sections in the order they were made.
  const standard = ['.text', '.data', '.bss'].map((n) => u.section(n, null, null));
  for (const sec of u.sections) if (!sec.hasLeb) layoutSection(sec, diags);
  for (const sec of u.sections) if (sec.hasLeb) layoutSection(sec, diags);
  const sections = [...standard, ...u.sections.filter((s) => !standard.includes(s))];
  for (const s of u.sections) s.addr = 0n;

  // Values inside this object: a label is its section plus offset; an undefined symbol is itself.
  const resolve = (s: Sym): RelValue | null => {
    if (s.kind === 1) return { base: s.section, off: BigInt(s.section!.fOff[s.frag] + s.offset) };
    if (s.kind === 2) return { base: null, off: s.value };
    if (s.kind === 3 && s.expr && !s.evaluating) {
      s.evaluating = true;
      try {
        return evaluate(s.expr, resolve);
      } finally {
        s.evaluating = false;
      }
    }
    return { base: s, off: 0n };
  };
  const local = (s: Sym) => s.kind === 1 && (s.bits & SYM_GLOBAL) === 0;
  /**
   * target() of a bare undefined symbol or label, without evaluating it (most relocations of gcc -g
   * output, hundreds of thousands in a large object, name one): the same answers as the general path.
   */
  /** A forward numeric label (`1f`) with no later definition: an error, as in GNU as (not a symbol to leave to a linker). */
  const checkLocalLabel = (s: Sym): void => {
    if (s.kind === 0 && (s.bits & SYM_TEMP) !== 0 && /^\d+f$/.test(s.name)) throw new AsmError(`undefined local label '${s.name}' (no later definition of '${s.name.slice(0, -1)}:')`);
  };
  // What target() and its helpers found (a relocation's symbol and addend): two variables set, not an object
  // made per relocation.
  let tSym: Sym | InputSection | null = null;
  let tAdd = 0n;
  const symbolTarget = (s: Sym): void => {
    if (s.kind === 0) checkLocalLabel(s);
    if (s.kind === 0 || (s.bits & SYM_GLOBAL) !== 0) {
      tSym = s;
      tAdd = 0n;
    } else localTarget(s, 0n);
  };
  /**
   * A local label `s` (+ add) as a relocation names it. GNU as and llvm-mc keep a label's own name, relaxable
   * or not (RISC-V objects do not turn them into section + offset); a numeric label (`1:`) and a `.` are
   * named as each assembler names its labels (GNU: `.L1\x021`, `.L0 `; LLVM: a `.Ltmp` label, or for `.`
   * without relaxation the section).
   */
  const localTarget = (s: Sym, add: bigint): void => {
    tAdd = add;
    if (u.symbols.get(s.name) === s) {
      tSym = s;
      return;
    }
    const sec = s.section!;
    const off = sec.fOff[s.frag] + s.offset;
    if (u.gnu) {
      const k = u.localLabelInstance.get(s);
      tSym = k === undefined ? labelAt(sec, off) : numericLabel(s, k);
    } else if (relax || s.name !== '.') tSym = labelAt(sec, off);
    else {
      tSym = sec;
      tAdd = BigInt(off) + add;
    }
  };
  /** A bare undefined symbol or label: target() names it without evaluating anything (and its value cannot fail to evaluate). */
  const plainSymbol = (e: Expr): boolean => e.t === E_SYM && (e.sym.kind === 0 || (e.sym.kind === 1 && e.sym.section !== null));
  /**
   * What a relocation names (into tSym and tAdd; false when nothing can be): a symbol by itself (a local one
   * as localTarget says), else a section + offset.
   */
  const target = (e: Expr): boolean => {
    if (plainSymbol(e)) {
      symbolTarget((e as { sym: Sym }).sym);
      return true;
    }
    const v = evaluate(e, resolve);
    if (!v) return false;
    if (v.base === null) {
      tSym = null;
      tAdd = v.off;
      return true;
    }
    const t = symbolPlusConstant(e);
    if (t) checkLocalLabel(t.sym);
    if (t && (t.sym.kind === 0 || (t.sym.bits & SYM_GLOBAL) !== 0)) {
      tSym = t.sym;
      tAdd = t.add;
      return true;
    }
    if (t && t.sym.kind === 1 && t.sym.section) {
      localTarget(t.sym, t.add);
      return true;
    }
    // A local symbol set to a place (gcc's `.set .LANCHOR0,. + 0`, `.set x, label + 4`) is named itself, as
    // GNU as and llvm-mc name it (the symbol table holds it at that place).
    if (t && t.sym.kind === 3 && u.symbols.get(t.sym.name) === t.sym) {
      const at = resolve(t.sym);
      if (at && at.base instanceof InputSection) {
        tSym = t.sym;
        tAdd = t.add;
        return true;
      }
    }
    if (v.base instanceof InputSection) {
      const sec = v.base;
      // In relaxable code a place is named by a local label (as GNU as does): a linker that deletes bytes
      // moves labels, but not the addend of a section-symbol relocation.
      if (relax && sec.flags & SHF_EXECINSTR) {
        tSym = labelAt(sec, Number(v.off));
        tAdd = 0n;
      } else {
        tSym = sec;
        tAdd = v.off;
      }
      return true;
    }
    tSym = v.base as Sym;
    tAdd = v.off;
    return true;
  };
  /** The addend written in the source (`sym+904`: 904), else the one target() found. */
  const sourceAddend = (e: Expr): bigint => (e.t === E_SYM ? 0n : (symbolPlusConstant(e)?.add ?? tAdd));
  /** tSym and tAdd with a section + offset turned into a label at that place (addend 0). */
  const namedAtPlace = (): void => {
    if (tSym instanceof InputSection) {
      tSym = labelAt(tSym, Number(tAdd));
      tAdd = 0n;
    }
  };
  /** The first end of a difference, as namePair leaves it. */
  let firstSym: Sym | InputSection | null = null;
  let firstAdd = 0n;
  /** Both ends of a difference named at their places (namedAtPlace): `a` (aSym + aAdd) into firstSym and
   * firstAdd, the second (target()'s last answer, in tSym and tAdd) where it is. */
  const namePair = (aSym: Sym | InputSection | null, aAdd: bigint): void => {
    const bSym: Sym | InputSection | null = tSym;
    const bAdd = tAdd;
    tSym = aSym;
    tAdd = aAdd;
    namedAtPlace();
    firstSym = tSym;
    firstAdd = tAdd;
    tSym = bSym;
    tAdd = bAdd;
    namedAtPlace();
  };
  const relocs = new Map<InputSection, RelaList>();
  // The symbols and sections relocations name, each with an id (its place in `targets`; 0: none), which the
  // relocation records hold until the symbol table gives each its index. A symbol is referenced when it has one.
  const targetIds = new Map<Sym | InputSection, number>();
  const targets: (Sym | InputSection | null)[] = [null];
  // A symbol a TLS relocation names is a thread-local one (STT_TLS), even undefined here (GNU as's md_apply_fix).
  const namedByTls = new Set<Sym>();
  // The list of the section relocations were last added to (they come section by section).
  let lastSec: InputSection | null = null;
  let lastList: RelaList | null = null;
  /**
   * A relocation of `sec`. `norelax`: written in a `.option norelax` region; `relaxAddend`: the addend of the
   * R_RISCV_RELAX that marks a relaxable one.
   */
  const add = (sec: InputSection, offset: number, type: number, sym: Sym | InputSection | null, addend: bigint, norelax: boolean, relaxAddend: bigint): void => {
    let l = lastList;
    if (sec !== lastSec || l === null) {
      l = relocs.get(sec) ?? null;
      // Room for every relocation it will most likely have (a fixup's and its R_RISCV_RELAX, one per
      // fragment and branch); pages of it never written are never touched.
      if (l === null) relocs.set(sec, (l = new RelaList(2 * sec.fixupCount() + sec.nFrags + sec.relaxes.n + 16)));
      lastSec = sec;
      lastList = l;
    }
    let id = 0;
    if (sym !== null) {
      const known = targetIds.get(sym);
      if (known === undefined) {
        id = targets.length;
        targets.push(sym);
        targetIds.set(sym, id);
      } else id = known;
      if (TLS_RELOCS[type] === 1 && !(sym instanceof InputSection)) namedByTls.add(sym);
    }
    l.push(offset, type, id, addend);
    // GNU as's R_RISCV_RELAX carries the addend written in the source (`sym+904`: 904; a local label turned
    // into section + offset still 0) of the relocation it marks (the linker ignores it).
    if (relax && RELAXABLE[type] === 1 && !norelax) l.push(offset, R.RELAX, 0, relaxAddend);
  };
  const isCode = (v: RelValue | null) => !!v && v.base instanceof InputSection && (v.base.flags & SHF_EXECINSTR) !== 0;
  /** Whether `e` is a place in a code section (a label's value is its section plus offset: resolve). */
  const inCode = (e: Expr): boolean =>
    e.t === E_SYM && e.kind === 1 && e.section !== null ? (e.section.flags & SHF_EXECINSTR) !== 0 : isCode(evaluate(e, resolve));
  /** Under relaxation a difference of code labels is left to the linker (GNU as). */
  const codeDifference = (e: Expr): boolean => e.t === E_BIN && e.op === OP_SUB && inCode(e.a) && inCode(e.b);
  // Labels made for relocations to name (%pcrel_lo's, labelAt's, numeric labels'); emitted as local symbols.
  const extraLocals: Sym[] = [];
  // By section, then by offset in it (numbers: no key string per relocation).
  const hiLabels = new Map<InputSection, Map<number, Sym>>();
  const labelsAt = new Map<InputSection, Map<number, Sym>>();
  let hiLabelCount = 0;
  let labelAtCount = 0;
  const byOffset = (m: Map<InputSection, Map<number, Sym>>, sec: InputSection): Map<number, Sym> => {
    let bySec = m.get(sec);
    if (!bySec) m.set(sec, (bySec = new Map()));
    return bySec;
  };
  /** A local label at `offset` in `sec` (for relocations that must name a symbol there): LLVM's `.LtmpN`, or
   * the name GNU as gives all such labels. */
  const labelAt = (sec: InputSection, offset: number): Sym => {
    const at = byOffset(labelsAt, sec);
    let s = at.get(offset);
    if (!s) {
      s = placedSym(u.gnu ? GNU_FAKE_LABEL : `.Ltmp${labelAtCount++}`, false, sec, 0, offset);
      at.set(offset, s);
      extraLocals.push(s);
    }
    return s;
  };
  /** The k-th definition of numeric label `s` as GNU as names it in a symbol table: `.L<n>\x02<k>`. */
  const numericLabels = new Map<Sym, Sym>();
  const numericLabel = (s: Sym, k: number): Sym => {
    let g = numericLabels.get(s);
    if (!g) {
      g = s.copyAs(`.L${s.name}\u0002${k}`);
      g.temp = false;
      numericLabels.set(s, g);
      extraLocals.push(g);
    }
    return g;
  };
  /** A label at the auipc at `offset` in `frag` of `sec`, for its %pcrel_lo to name. */
  const hiLabel = (sec: InputSection, frag: number, offset: number): Sym => {
    const at = byOffset(hiLabels, sec);
    const key = sec.fOff[frag] + offset;
    let s = at.get(key);
    if (!s) {
      s = placedSym(u.gnu ? GNU_FAKE_LABEL : `.Lpcrel_hi${hiLabelCount++}`, false, sec, frag, offset);
      at.set(key, s);
      extraLocals.push(s);
    }
    return s;
  };

  // The larger kinds of fixup, each a function of its own (writeFixup's cases): V8 compiles each that runs
  // often by itself, where it compiled one function of all of them with everything they call inlined (58 ms
  // for writeFixup on gcc -g output).
  /** A datum: its bytes, or the relocations of a symbol's value or of a difference. */
  const dataFixup = (sec: InputSection, fx: Fixup, e: Expr, v: RelValue | null, plain: boolean, at: number, buf: Uint8Array, pos: number): void => {
    // A plain symbol has a value that is not a constant.
    const valued = v !== null || plain;
    const diff = v !== null && fx.field === DATA_SET && codeDifference(e);
    if (v !== null && v.base === null && fx.field === DATA_SET && !diff) {
      writeData(buf, pos, v.off, fx.size);
      return;
    }
    if (fx.field === DATA_TLSOFF || fx.field === DATA_DTPOFF) {
      if (fx.size !== 4 && fx.size !== 8) throw new AsmError('a TLS offset needs 4 or 8 bytes');
      // GNU as refuses a constant here too ("TLS relocation against a constant").
      if (!target(e)) throw new AsmError('a TLS offset needs a symbol (plus a constant)');
      if (tSym === null) throw new AsmError('TLS relocation against a constant');
      add(sec, at, fx.size === 8 ? R.TLS_DTPREL64 : R.TLS_DTPREL32, tSym, tAdd, false, tAdd);
      writeData(buf, pos, 0n, fx.size);
      return;
    }
    if (fx.field === DATA_PCREL) {
      // A pc-relative pointer of a frame table (.cfi_personality/.cfi_lsda/.cfi_val_encoded_addr with
      // DW_EH_PE_pcrel): GNU as writes R_RISCV_32_PCREL for 4 bytes in .eh_frame (tc-riscv.c turns the
      // difference with the field's own address into one there) and otherwise an ADD/SUB pair whose
      // subtrahend is a label at the datum itself; the bytes stay zero.
      if (!target(e)) throw new AsmError('a pc-relative pointer needs a symbol (plus a constant)');
      if (fx.size === 4 && sec.name === '.eh_frame') add(sec, at, R.R32_PCREL, tSym, tAdd, false, tAdd);
      else {
        const k = fx.size === 2 ? 1 : fx.size === 4 ? 2 : fx.size === 8 ? 3 : -1;
        if (k < 0) throw new AsmError(`a ${fx.size}-byte pc-relative pointer cannot be relocated`);
        add(sec, at, R.ADD8 + k, tSym, tAdd, false, tAdd);
        add(sec, at, R.SUB8 + k, labelAt(sec, at), 0n, false, 0n);
      }
      writeData(buf, pos, 0n, fx.size);
      return;
    }
    if (fx.field !== DATA_SET) throw new AsmError('.reloc ADD/SUB relocations are not supported in objects yet');
    const named = valued && !diff ? target(e) : false;
    if (named && (fx.size === 4 || fx.size === 8)) {
      add(sec, at, fx.size === 8 ? R.R64 : R.R32, tSym, tAdd, false, tAdd);
      writeData(buf, pos, 0n, fx.size);
      return;
    }
    // A difference of symbols in different sections: an ADD/SUB pair (psABI), bytes zero.
    if (e.t === E_BIN && e.op === OP_SUB) {
      const okA = target(e.a);
      const aSym: Sym | InputSection | null = tSym;
      const aAdd = tAdd;
      const okB = target(e.b);
      const n = fx.size;
      const k = n === 1 ? 0 : n === 2 ? 1 : n === 4 ? 2 : n === 8 ? 3 : -1;
      if (okA && okB && k >= 0) {
        // As GNU as does, a local end of the pair is named by a label at its exact place (addend 0):
        // GNU ld 2.40 applies the addend of a SUB against a section symbol with the wrong sign.
        namePair(aSym, aAdd);
        add(sec, at, R.ADD8 + k, firstSym, firstAdd, false, firstAdd);
        add(sec, at, R.SUB8 + k, tSym, tAdd, false, tAdd);
        writeData(buf, pos, 0n, n);
        return;
      }
    }
    throw new AsmError(`expression cannot be written as a relocation in a ${fx.size}-byte datum`);
  };
  /** %hi, %lo, %tprel_hi, %tprel_lo. */
  const hiLoFixup = (sec: InputSection, fx: Fixup, e: Expr, at: number, buf: Uint8Array, pos: number): void => {
    const kind = fx.kind;
    if (!target(e)) throw new AsmError('expression cannot be a relocation');
    const store = STORES.has(fx.def!.name);
    const type =
      kind === FIX_HI ? R.HI20 : kind === FIX_TPREL_HI ? R.TPREL_HI20 : kind === FIX_LO ? (store ? R.LO12_S : R.LO12_I) : store ? R.TPREL_LO12_S : R.TPREL_LO12_I;
    // GNU as also writes the source addend's %hi/%lo into the field of HI20/LO12 (`lw a5,
    // %lo(buf+904)(a5)` keeps 904 in its immediate); a RELA linker overwrites it.
    const srcAdd = sourceAddend(e);
    add(sec, at, type, tSym, tAdd, fx.norelax === true, srcAdd);
    const field = srcAdd === 0n ? 0n : kind === FIX_HI ? BigInt.asUintN(20, (srcAdd + 0x800n) >> 12n) : kind === FIX_LO ? BigInt.asIntN(12, srcAdd) : 0n;
    patchField(buf, pos, fx.def!, fx.field, field, false);
  };
  /** An auipc's %pcrel_hi, %got_pcrel_hi, %tls_ie_pcrel_hi or %tls_gd_pcrel_hi, with its low part `pair` (or null). */
  const pcrelHiFixup = (sec: InputSection, fx: Fixup, pair: Fixup | null, e: Expr, at: number, buf: Uint8Array, pos: number): void => {
    const kind = fx.kind;
    const norelax = fx.norelax === true;
    if (!target(e)) throw new AsmError('expression cannot be a relocation');
    if (kind === FIX_PCREL_HI && pair && pair.def!.name === 'jalr') {
      // call/tail: one R_RISCV_CALL_PLT covers the auipc and the jalr.
      add(sec, at, R.CALL_PLT, tSym, tAdd, norelax, sourceAddend(e));
      patchField(buf, pos, fx.def!, fx.field, 0n, false);
      patchField(sec.sink.buf, sec.fStart[pair.frag] + pair.offset, pair.def!, pair.field, 0n, false);
      return;
    }
    const type = kind === FIX_PCREL_HI ? R.PCREL_HI20 : kind === FIX_GOT_HI ? R.GOT_HI20 : kind === FIX_TLS_IE_HI ? R.TLS_GOT_HI20 : R.TLS_GD_HI20;
    add(sec, at, type, tSym, tAdd, norelax, sourceAddend(e));
    patchField(buf, pos, fx.def!, fx.field, 0n, false);
    if (pair) {
      const label = hiLabel(sec, fx.frag, fx.offset);
      add(sec, sec.fOff[pair.frag] + pair.offset, STORES.has(pair.def!.name) ? R.PCREL_LO12_S : R.PCREL_LO12_I, label, 0n, pair.norelax === true, 0n);
      patchField(sec.sink.buf, sec.fStart[pair.frag] + pair.offset, pair.def!, pair.field, 0n, false);
    }
  };

  /**
   * One fixup: its bytes, or the relocations that leave it to the linker. A function of its own, not the
   * body of the loop below: V8 then optimises it like any function, where it compiled the whole of
   * writeObject on-stack around the loop, and again after each deoptimisation (up to 73 ms a compile on
   * gcc -g output).
   */
  const writeFixup = (sec: InputSection, fixups: readonly Fixup[], i: number, pairable: boolean): number => {
    const fx = fixups[i];
    // How many fixups this one used: 2 when it took the %pcrel_lo of its auipc with it.
    let used = 1;
    const at = sec.fOff[fx.frag] + fx.offset;
    const buf = sec.sink.buf;
    const pos = sec.fStart[fx.frag] + fx.offset;
    const kind = fx.kind;
    const e = fx.expr;
    const norelax = fx.norelax === true;
    try {
      // The expression's value where this fixup uses it. A plain symbol's cannot fail (and target() does not
      // evaluate it), so the kinds that only relocate skip it; anything else is evaluated first, its errors
      // before any other.
      const plain = plainSymbol(e);
      const v = kind === FIX_PCREL || kind === FIX_ABS || !plain ? evaluate(e, resolve) : null;
      switch (kind) {
        case FIX_DATA:
          dataFixup(sec, fx, e, v, plain, at, buf, pos);
          break;
        case FIX_PCREL: {
          const ts = symbolPlusConstant(e);
          if (!target(e)) throw new AsmError('branch target cannot be a relocation');
          const def = fx.def!;
          const name = def.fields[fx.field].name;
          // A branch to a label here is resolved, and still relocated, as GNU as does.
          add(sec, at, name === 'bimm13' ? R.BRANCH : name === 'jimm21' ? R.JAL : def.size === 2 ? (def.name === 'c.j' || def.name === 'c.jal' ? R.RVC_JUMP : R.RVC_BRANCH) : R.BRANCH, tSym, tAdd, false, tAdd);
          const here = v !== null && v.base === sec && (!ts || local(ts.sym));
          patchField(buf, pos, def, fx.field, u.gnu ? gnuTentative(ts, at, def) : here ? v.off - BigInt(at) : 0n, true);
          break;
        }
        case FIX_ABS: {
          if (v === null || v.base !== null) throw new AsmError('instruction operand must be a constant (a symbol needs %hi/%lo or %pcrel_hi/%pcrel_lo)');
          patchField(buf, pos, fx.def!, fx.field, v.off, false);
          break;
        }
        case FIX_HI:
        case FIX_LO:
        case FIX_TPREL_HI:
        case FIX_TPREL_LO:
          hiLoFixup(sec, fx, e, at, buf, pos);
          break;
        case FIX_PCREL_HI:
        case FIX_GOT_HI:
        case FIX_TLS_IE_HI:
        case FIX_TLS_GD_HI: {
          // (Not across a call of the section's CallTable standing between the two: `pairable`.)
          const next = pairable ? fixups[i + 1] : undefined;
          // The low part follows the auipc (under --compat gnu, maybe at the start of the next fragment).
          const pair = next && next.kind === FIX_PCREL_LO_PAIR && sec.fOff[next.frag] + next.offset === at + 4 ? next : null;
          // The pair is this fixup's to write (or to leave with this one's error).
          if (pair) used = 2;
          pcrelHiFixup(sec, fx, pair, e, at, buf, pos);
          break;
        }
        case FIX_CALL:
          // A call's pair in one record (section.ts): its auipc's fixup with the jalr's as the pair.
          pcrelHiFixup(sec, callHi(fx as FixupRecord), callLo(fx as FixupRecord), e, at, buf, pos);
          break;
        case FIX_PCREL_LO: {
          // %pcrel_lo(label): relocated against the label at the auipc.
          const t = symbolPlusConstant(e);
          if (!t || t.sym.kind !== 1) throw new AsmError('%pcrel_lo needs the label of its auipc');
          let label = t.sym;
          if (u.symbols.get(label.name) !== label) {
            // A numeric or `.` label: named as GNU as names a numeric label, else by a label made at the auipc.
            const k = u.gnu ? u.localLabelInstance.get(label) : undefined;
            label = k !== undefined ? numericLabel(label, k) : hiLabel(label.section!, label.frag, label.offset);
          }
          add(sec, at, STORES.has(fx.def!.name) ? R.PCREL_LO12_S : R.PCREL_LO12_I, label, t.add, norelax, t.add);
          patchField(buf, pos, fx.def!, fx.field, 0n, false);
          break;
        }
        case FIX_TPREL_ADD: {
          if (!target(e)) throw new AsmError('%tprel_add needs a symbol');
          add(sec, at, R.TPREL_ADD, tSym, tAdd, norelax, tAdd);
          break;
        }
        case FIX_PCREL_LO_PAIR:
          throw new AsmError('internal: a low part without its auipc');
        default:
          throw new AsmError(`fixup kind ${kind} cannot be written to an object`);
      }
    } catch (x) {
      if (!(x instanceof AsmError)) throw x;
      err(fx.loc, x.message);
    }
    return used;
  };
  /** Call c of the section's CallTable: what writeFixup writes for its FIX_CALL record (an R_RISCV_CALL_PLT
   * for the auipc and the jalr, as pcrelHiFixup writes a call's pair), without the record. */
  const writeCall = (sec: InputSection, calls: CallTable, c: number): void => {
    const frag = calls.frags[c];
    const off = calls.offsets[c];
    const buf = sec.sink.buf;
    const pos = sec.fStart[frag] + off;
    const e = calls.target(c);
    try {
      // Anything but a plain symbol is evaluated first, its errors before any other (writeFixup).
      if (!plainSymbol(e)) evaluate(e, resolve);
      if (!target(e)) throw new AsmError('expression cannot be a relocation');
      add(sec, sec.fOff[frag] + off, R.CALL_PLT, tSym, tAdd, calls.norelax(c), sourceAddend(e));
      patchField(buf, pos, AUIPC_DEF, 1, 0n, false);
      patchField(buf, pos + 4, JALR_DEF, 1, 0n, false);
    } catch (x) {
      if (!(x instanceof AsmError)) throw x;
      err(calls.loc(c), x.message);
    }
  };
  for (const sec of sections) {
    const fixups = sec.records;
    // The calls in their places among the records (CallTable.pos): the order of one list of fixups.
    const calls = sec.calls;
    const nCalls = calls === null ? 0 : calls.n;
    let c = 0;
    for (let i = 0; i < fixups.length; ) {
      while (c < nCalls && calls!.pos[c] <= i) writeCall(sec, calls!, c++);
      i += writeFixup(sec, fixups, i, c === nCalls || calls!.pos[c] !== i + 1);
    }
    while (c < nCalls) writeCall(sec, calls!, c++);
  }

  /**
   * The relaxable branch leading data fragment `f` (f.br): the relocation GNU as writes for it, and its bytes
   * when the target is not placed here (true: written; false: emitBranch writes them). A function of its
   * own, as writeFixup.
   */
  const writeBranch = (sec: InputSection, data: Uint8Array, f: number): boolean => {
    const rx = sec.relaxes;
    const i = sec.fBr[f];
    // The branch's offset and size: it ends where the fragment's bytes start.
    const size = rx.size(i);
    const at = sec.fOff[f] - size;
    const e = rx.target(i);
    const long = rx.long(i);
    const gnu = rx.gnu(i);
    // The symbol the target names (plus a constant), without an object for the common bare label.
    const s0 = e.t === E_SYM ? e : (symbolPlusConstant(e)?.sym ?? null);
    // GNU as resolves a branch to any non-weak symbol of the section (and relocates it); LLVM only to a local one.
    const here = s0 !== null && s0.kind === 1 && s0.section === sec && (gnu ? !s0.weak : (s0.bits & SYM_GLOBAL) === 0);
    if (here && !long) {
      // Resolved here, and relocated as GNU as does (the branch's own form: RVC or 4-byte).
      target(e);
      const relaxed = rx.relaxed(i);
      const def = relaxed ? rx.big(i) : rx.small(i);
      const fname = def.fields[relaxed ? rx.bigField(i) : rx.smallField(i)].name;
      const type = def.size === 2 ? (def.name === 'c.j' ? R.RVC_JUMP : R.RVC_BRANCH) : fname === 'jimm21' ? R.JAL : R.BRANCH;
      add(sec, at, type, tSym, tAdd, false, tAdd);
      return false;
    }
    if (here && long) {
      // The long form: the inverted branch skips a jal to the target (relocated as R_RISCV_JAL).
      target(e);
      add(sec, at + size - 4, R.JAL, tSym, tAdd, false, tAdd);
      return false;
    }
    let named: boolean;
    try {
      named = target(e);
    } catch (x) {
      if (!(x instanceof AsmError)) throw x;
      err(rx.loc(i), x.message);
      return true;
    }
    if (!named) {
      err(rx.loc(i), 'branch target cannot be a relocation');
      return true;
    }
    const t0 = symbolPlusConstant(e);
    if (long) {
      // GNU as: a conditional branch to a symbol it cannot place takes the long form (8 bytes), its
      // jal relocated and holding GNU's tentative offset.
      const jalAt = at + size - 4;
      const sym = tSym;
      const addend = tAdd;
      writeLongBranch(data, at, rx, i, gnuTentative(t0, jalAt, JAL_DEF) + BigInt(size - 4), size);
      add(sec, jalAt, R.JAL, sym, addend, false, addend);
      return true;
    }
    const sym = tSym;
    const addend = tAdd;
    const def = rx.big(i);
    const r = encode(def, rx.bigValues(i, 0));
    if (r.ok) writeBits(data, at, r.bits, def.size);
    if (gnu) patchInstruction(data, at, def, rx.bigValues(i, 0), rx.bigField(i), gnuTentative(t0, at, def), true);
    const fname = def.fields[rx.bigField(i)].name;
    add(sec, at, fname === 'jimm21' ? R.JAL : R.BRANCH, sym, addend, false, addend);
    return true;
  };
  /** A section's contents; relaxable branches to what the assembler cannot place become relocations. */
  const sectionData = (sec: InputSection): Uint8Array => {
    const src = sec.sink.buf;
    if (plainBytes(sec)) return src.subarray(0, sec.size);
    const data = new Uint8Array(sec.size);
    const nf = sec.nFrags;
    for (let f = 0; f < nf; f++) {
      const br = sec.fBr[f];
      if (br >= -1) {
        // A data fragment (InputSection.fBr: its kind without a call).
        if (br >= 0 && !writeBranch(sec, data, f)) emitBranch(data, 0, sec, f, resolveAbs, diags);
        // Most fragments: their bytes as they are (emitFrag's copy, without the call).
        const start = sec.fStart[f];
        const n = sec.fSize[f];
        const at = sec.fOff[f];
        if (n > 64) data.set(src.subarray(start, start + n), at);
        else for (let k = 0; k < n; k++) data[at + k] = src[start + k];
        continue;
      }
      emitFrag(data, sec.fOff[f], f, sec, resolveAbs, diags);
    }
    return data;
  };
  const datas = new Map<InputSection, Uint8Array>();
  for (const sec of sections) if (sec.type !== SHT_NOBITS) datas.set(sec, sectionData(sec));
  for (let j = 0; j < aligns.length; j++) {
    const f = aligns[j];
    const sec = alignSections[j];
    const data = datas.get(sec);
    if (!data) continue;
    // GNU as's worst-case padding: a c.nop first when the count is 2 mod 4, then 4-byte nops.
    let k = sec.pad(f)!.fixed!;
    let p = sec.fOff[f];
    if (k % 4 === 2) {
      data[p] = 0x01;
      data[p + 1] = 0;
      p += 2;
      k -= 2;
    }
    for (; k >= 4; k -= 4, p += 4) {
      data[p] = 0x13;
      data[p + 1] = 0;
      data[p + 2] = 0;
      data[p + 3] = 0;
    }
    const fixed = BigInt(sec.pad(f)!.fixed!);
    add(sec, sec.fOff[f], R.ALIGN, null, fixed, false, fixed);
  }
  // A relocated call-frame advance (GNU as: BFD_RELOC_RISCV_CFA, tc-riscv.c md_apply_fix): SET6/SUB6 on the
  // opcode byte of DW_CFA_advance_loc, SET8/SUB8, SET16/SUB16 or SET32/SUB32 on the operand of
  // advance_loc1/2/4, against labels at both ends; the bytes hold the distance now.
  for (const sec of sections) {
    if (!sec.hasLeb) continue;
    const nf = sec.nFrags;
    for (let f = 0; f < nf; f++) {
      if (sec.fBr[f] !== -1 - FRAG_LEB || !sec.leb(f)!.cfa?.relocated) continue;
      const e = sec.leb(f)!.expr;
      const fsize = sec.fSize[f];
      if (e.t !== E_BIN || e.op !== OP_SUB) continue;
      const okA = target(e.a);
      const aSym: Sym | InputSection | null = tSym;
      const aAdd = tAdd;
      const okB = target(e.b);
      if (!okA || !okB || !aSym || !tSym) continue;
      const set = fsize === 1 ? R.SET6 : fsize === 2 ? R.SET8 : fsize === 3 ? R.SET16 : R.SET32;
      const sub = fsize === 1 ? R.SUB6 : fsize === 2 ? R.SUB8 : fsize === 3 ? R.SUB16 : R.SUB32;
      const at = fsize === 1 ? 0 : 1;
      namePair(aSym, aAdd);
      add(sec, sec.fOff[f] + at, set, firstSym, firstAdd, false, firstAdd);
      add(sec, sec.fOff[f] + at, sub, tSym, tAdd, false, tAdd);
    }
  }
  if (relax) {
    for (const sec of sections) {
      // Only these have FRAG_LEB fragments.
      if (!sec.hasLeb) continue;
      const nf = sec.nFrags;
      for (let f = 0; f < nf; f++) {
        if (sec.fBr[f] !== -1 - FRAG_LEB || sec.leb(f)!.cfa) continue;
        const leb = sec.leb(f)!;
        const e = leb.expr;
        if (e.t === E_BIN && e.op === OP_SUB && (isCode(evaluate(e.a, resolve)) || isCode(evaluate(e.b, resolve)))) err(leb.loc, 'a LEB128 of a difference of code labels cannot be written into a relaxable object (GNU as refuses it too)');
      }
    }
  }
  function resolveAbs(s: Sym): RelValue | null {
    const v = resolve(s);
    if (v && v.base !== null && v.base !== s.section) return null;
    return v ? { base: null, off: v.off } : null;
  }

  // SHF_LINK_ORDER: sh_link is the section of the linked-to symbol, which must be defined (GNU as).
  const linkedTo = new Map<InputSection, InputSection>();
  for (const sec of sections) {
    if (!sec.linkOrder) continue;
    const v = u.symbols.get(sec.linkOrder.symbol);
    const base = v ? resolve(v)?.base : null;
    if (base && sections.includes(base as InputSection)) linkedTo.set(sec, base as InputSection);
    else err(sec.linkOrder.loc, `undefined linked-to symbol '${sec.linkOrder.symbol}' on section '${sec.name}'`);
  }

  return serialize(u, sections, datas, relocs, targetIds, targets.length, namedByTls, extraLocals, opts, resolve, linkedTo);
}

/**
 * Records of six 32-bit words (24 bytes: Elf64_Rela, Elf64_Sym), little-endian as the host is, written as
 * they are made into one growing array: element stores, not an object per record or a DataView call per field
 * (an object of compiler output has tens of thousands of each).
 */
class WordRecords {
  /** How many records. */
  n = 0;
  w: Int32Array;
  private view: DataView | null = null;

  constructor(capacity: number) {
    this.w = new Int32Array(6 * capacity);
  }

  /** A new record's first word (its words zero). */
  protected next(): number {
    const k = 6 * this.n;
    if (k === this.w.length) {
      const grown = new Int32Array(2 * k + 6 * 16);
      grown.set(this.w);
      this.w = grown;
      this.view = null;
    }
    this.n++;
    return k;
  }

  /** A 64-bit field at word `k` (two's complement): most are 0 (the words are zero already) or small, written
   * without a BigInt. */
  protected put64(k: number, v: bigint): void {
    if (v === 0n) return;
    if (v >= -0x80000000n && v <= 0x7fffffffn) {
      const a = Number(v);
      this.w[k] = a;
      if (a < 0) this.w[k + 1] = -1;
    } else (this.view ??= new DataView(this.w.buffer)).setBigInt64(4 * k, v, true);
  }

  /** A 64-bit field at word `k` holding a non-negative integer below 2^53 (an Int32Array keeps the low 32 bits). */
  protected putOffset(k: number, v: number): void {
    this.w[k] = v;
    if (v >= 0x100000000) this.w[k + 1] = Math.floor(v / 0x100000000);
  }

  /** The records' bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.w.buffer, 0, 24 * this.n);
  }
}

/**
 * One section's relocations, each an Elf64_Rela record (r_offset, r_info = symbol << 32 | type, r_addend),
 * r_info's symbol half holding the id of the relocation's target until the symbol table gives it an index.
 */
class RelaList extends WordRecords {
  push(offset: number, type: number, id: number, addend: bigint): void {
    const k = this.next();
    this.putOffset(k, offset);
    this.w[k + 2] = type;
    this.w[k + 3] = id;
    this.put64(k + 4, addend);
  }
}

/**
 * Whether a section's contents are its ByteSink's bytes as they are: data fragments only, each at its own
 * offset in the sink (as they are when nothing but data was written: the sink holds them back to back).
 * Most sections of gcc -g output (.debug_info, .debug_str, ...) are: written as a view of the sink, not copied.
 */
function plainBytes(sec: InputSection): boolean {
  if (sec.sink.len !== sec.size) return false;
  const nf = sec.nFrags;
  for (let f = 0; f < nf; f++) {
    // br -1: a data fragment no branch leads (InputSection.fBr).
    if (sec.fBr[f] !== -1 || sec.fStart[f] !== sec.fOff[f]) return false;
  }
  return true;
}

/**
 * The order of the records of `list` by offset (record k of the section is the one at order[k]), equal offsets
 * kept in the order they were made (RELAX right after the relocation it marks, as GNU as writes them): a stable
 * merge of the ascending runs the writer makes them in (the fixups, then the branches the assembler could not
 * settle, then the alignments). Null when they are in order already. Each loop is a function of its own: V8 compiles a loop that runs long
 * on-stack with the function around it, and compiled this one again each time it left a loop for code that
 * had not run yet (six times on a large object).
 */
function recordOrder(list: RelaList): Int32Array | null {
  const n = list.n;
  const w = list.w;
  // Where each ascending run starts, and the end.
  let bounds = runStarts(w, n);
  if (bounds.length === 1) return null;
  bounds.push(n);
  const off = recordOffsets(w, n);
  let src = new Int32Array(n);
  let dst = new Int32Array(n);
  identity(src);
  while (bounds.length > 2) {
    const merged = [0];
    for (let r = 0; r < bounds.length - 1; r += 2) {
      const hi = r + 2 < bounds.length ? bounds[r + 2] : bounds[r + 1];
      mergeRuns(off, src, dst, bounds[r], bounds[r + 1], hi);
      merged.push(hi);
    }
    const t = src;
    src = dst;
    dst = t;
    bounds = merged;
  }
  return src;
}

/** The record offset of each of the first `n` records (r_offset: a section offset, below 2^53). */
function recordOffsets(w: Int32Array, n: number): Float64Array {
  const off = new Float64Array(n);
  for (let k = 0; k < n; k++) off[k] = (w[6 * k] >>> 0) + w[6 * k + 1] * 0x100000000;
  return off;
}

/** Where each ascending run of record offsets starts. */
function runStarts(w: Int32Array, n: number): number[] {
  const bounds = [0];
  let prev = 0;
  for (let k = 0; k < n; k++) {
    const o = (w[6 * k] >>> 0) + w[6 * k + 1] * 0x100000000;
    if (o < prev) bounds.push(k);
    prev = o;
  }
  return bounds;
}

function identity(a: Int32Array): void {
  for (let k = 0; k < a.length; k++) a[k] = k;
}

/** dst[lo, hi) = the runs src[lo, mid) and src[mid, hi) merged by offset, the left run first on equal offsets
 * (that keeps the order of making). */
function mergeRuns(off: Float64Array, src: Int32Array, dst: Int32Array, lo: number, mid: number, hi: number): void {
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) dst[k++] = off[src[j]] < off[src[i]] ? src[j++] : src[i++];
  // The rest of one run.
  if (i < mid) dst.set(src.subarray(i, mid), k);
  else if (j < hi) dst.set(src.subarray(j, hi), k);
}

/**
 * The records of `w` put in the order `order` gives (record k becomes the one that was at order[k]), in place:
 * each cycle of the permutation is followed once, one record held aside (no second array of the records,
 * whose pages would be touched for the first time). `order` is used up.
 */
function permuteRecords(w: Int32Array, order: Int32Array): void {
  const n = order.length;
  for (let start = 0; start < n; start++) {
    if (order[start] === start) continue;
    const q = 6 * start;
    const t0 = w[q], t1 = w[q + 1], t2 = w[q + 2], t3 = w[q + 3], t4 = w[q + 4], t5 = w[q + 5];
    let k = start;
    for (;;) {
      const from = order[k];
      order[k] = k;
      if (from === start) {
        const d = 6 * k;
        w[d] = t0;
        w[d + 1] = t1;
        w[d + 2] = t2;
        w[d + 3] = t3;
        w[d + 4] = t4;
        w[d + 5] = t5;
        break;
      }
      moveRecord(w, 6 * from, 6 * k);
      k = from;
    }
  }
}

function moveRecord(w: Int32Array, p: number, q: number): void {
  w[q] = w[p];
  w[q + 1] = w[p + 1];
  w[q + 2] = w[p + 2];
  w[q + 3] = w[p + 3];
  w[q + 4] = w[p + 4];
  w[q + 5] = w[p + 5];
}

// ---- serialisation ------------------------------------------------------------------------------------

/**
 * A symbol table's entries (Elf64_Sym: st_name, st_info, st_other, st_shndx, st_value, st_size), written
 * into the table's bytes as they are made.
 */
class SymbolTable extends WordRecords {
  /** A new entry's first word, its name, info, other (the visibility) and section index written. */
  private entry(name: number, info: number, shndx: number, other: number): number {
    const k = this.next();
    this.w[k] = name;
    // st_info, st_other (bytes) and st_shndx (16 bits) in the second word.
    this.w[k + 1] = (info & 0xff) | ((other & 0xff) << 8) | ((shndx & 0xffff) << 16);
    return k;
  }

  add(name: number, info: number, shndx: number, value: bigint, size: bigint, other = 0): void {
    const k = this.entry(name, info, shndx, other);
    this.put64(k + 2, value);
    this.put64(k + 4, size);
  }

  /** An entry whose value is an offset in its section (a non-negative integer below 2^53). */
  addOffset(name: number, info: number, shndx: number, offset: number, size: bigint, other: number): void {
    const k = this.entry(name, info, shndx, other);
    this.putOffset(k + 2, offset);
    this.put64(k + 4, size);
  }
}

const SHT_RELA = 4;
const SHF_INFO_LINK = 0x40;

function serialize(
  u: Unit, sections: InputSection[], datas: Map<InputSection, Uint8Array>, relocs: Map<InputSection, RelaList>,
  targetIds: Map<Sym | InputSection, number>, targetCount: number, namedByTls: Set<Sym>, extraLocals: Sym[],
  opts: ObjectOptions, resolve: (s: Sym) => RelValue | null, linkedTo: Map<InputSection, InputSection>,
): ObjectPieces {
  // Section header indices as GNU as assigns them: null, the SHT_GROUP sections (in the order their groups
  // were first used), each section followed by its .rela, then attributes, .symtab, .strtab, .shstrtab.
  const groups = new Map<string, { comdat: boolean; members: InputSection[]; index: number }>();
  for (const s of sections) {
    if (!s.group) continue;
    let g = groups.get(s.group.signature);
    if (!g) groups.set(s.group.signature, (g = { comdat: s.group.comdat, members: [], index: groups.size + 1 }));
    g.members.push(s);
  }
  let next = groups.size + 1;
  const secIndex = new Map<InputSection, number>();
  const relaIndex = new Map<InputSection, number>();
  for (const s of sections) {
    secIndex.set(s, next++);
    if (relocs.get(s)?.n) relaIndex.set(s, next++);
  }
  const attributesIndex = next++;
  const symtabIndex = next++;
  const strtabIndex = next++;

  // Symbols: null, FILE, section symbols, locals, then globals (defined and undefined).
  const strtab = new StringTable();
  // Room for every symbol the table can have, but the ones of groups and mapping symbols (pages never
  // written are never touched).
  const syms = new SymbolTable(u.symbols.size + extraLocals.length + sections.length + 16);
  syms.add(0, 0, 0, 0n, 0n);
  // A FILE symbol only for a `.file "name"` directive (the unit's first entry is the source's own name), with
  // the name as written: GNU as and llvm-mc write none without one.
  if (u.fileSymbols.length > 1) syms.add(strtab.add(u.fileSymbols[u.fileSymbols.length - 1]), 4, 0xfff1, 0n, 0n);
  // The symbol table index of each relocation target (by its id: targetIds), filled in as the table is made.
  // A symbol is referenced when a relocation names it.
  const targetIndex = new Int32Array(targetCount);
  const referenced = (s: Sym): boolean => targetIds.has(s);
  // Indices of every symbol written, for the group signatures (only made when there are groups).
  const symIndex = new Map<Sym, number>();
  const setIndex = (s: Sym | InputSection, id: number | undefined): void => {
    if (id !== undefined) targetIndex[id] = syms.n;
    if (groups.size > 0 && !(s instanceof InputSection)) symIndex.set(s, syms.n);
  };
  for (const s of sections) {
    setIndex(s, targetIds.get(s));
    syms.add(0, 3, secIndex.get(s)!, 0n, 0n);
  }
  /** The value of `.size`, for a symbol that has one. */
  const sizeValue = (size: Expr): bigint => {
    try {
      const v = evaluate(size, resolve);
      return v && v.base === null ? v.off : 0n;
    } catch {
      return 0n;
    }
  };
  /** The entry of `s` where it is: a label in its section, a constant absolute, anything else undefined. */
  const addPlaced = (s: Sym, name: number, info: number, other: number): void => {
    const size = s.size ? sizeValue(s.size) : 0n;
    if (s.kind === 1) {
      // Labels come section by section: the last section's index again, most often.
      const sec = s.section!;
      if (sec !== lastSection) {
        lastSection = sec;
        lastIndex = secIndex.get(sec) ?? 0;
      }
      return syms.addOffset(name, info, lastIndex, sec.fOff[s.frag] + s.offset, size, other);
    }
    if (s.common && s.kind === 0) return syms.add(name, info, 0xfff2, BigInt(s.commonAlign ?? 1), size, other);
    if (s.kind === 2) return syms.add(name, info, 0xfff1, s.value, size, other);
    if (s.kind === 3) {
      const v = resolve(s);
      if (v && v.base === null) return syms.add(name, info, 0xfff1, v.off, size, other);
      if (v && v.base instanceof InputSection) return syms.add(name, info, secIndex.get(v.base) ?? 0, v.off, size, other);
    }
    syms.add(name, info, 0, 0n, size, other);
  };
  let lastSection: InputSection | null = null;
  let lastIndex = 0;
  const typeOf = (s: Sym): number =>
    (s.kind === 1 && s.section !== null && (s.section.flags & SHF_TLS) !== 0) || (namedByTls.size !== 0 && namedByTls.has(s)) ? 6 : s.type === 'func' ? 2 : s.type === 'object' ? 1 : 0;
  const visibility = (s: Sym): number => (u.visibility.size === 0 ? 0 : (u.visibility.get(s) ?? 0));
  // Locals: the unit's own (a .L label or a temporary only when a relocation names it), then the labels
  // made for relocations (extraLocals: never in u.symbols).
  // `key`: the symbol's key in u.symbols, or null (extra). A symbol named by its key has a name no other such
  // symbol has (StringTable.addDistinct).
  const addLocal = (s: Sym, extra: boolean, key: string | null): void => {
    if ((s.bits & SYM_GLOBAL) !== 0 || s.kind === 0) return;
    const id = targetIds.get(s);
    if (id === undefined && ((s.bits & SYM_TEMP) !== 0 || (!extra && s.name.startsWith('.L')))) return;
    setIndex(s, id);
    addPlaced(s, s.name === key ? strtab.addDistinct(s.name) : strtab.add(s.name), typeOf(s), visibility(s));
  };
  // Map.forEach and indexed loops: a for-of loop makes an iterator result per step where V8 has not
  // compiled it (this runs once), and the unit has a symbol per label.
  u.symbols.forEach((s, key) => addLocal(s, false, key));
  for (let k = 0; k < extraLocals.length; k++) addLocal(extraLocals[k], true, null);
  const maps = mappingSymbols(sections, opts.relax ?? false);
  for (let k = 0; k < maps.length; k++) addLocal(maps[k], true, null);
  // A group's signature symbol: the symbol of that name when the table has it, else a local one defined in
  // the group section (GNU as).
  const willBeGlobal = (s: Sym) => (s.bits & SYM_TEMP) === 0 && ((s.bits & SYM_GLOBAL) !== 0 || (s.kind === 0 && (referenced(s) || u.visibility.has(s))));
  const signatureLocal = new Map<string, number>();
  for (const [sig, g] of groups) {
    const s = u.symbols.get(sig);
    if (s && (symIndex.has(s) || willBeGlobal(s))) continue;
    signatureLocal.set(sig, syms.n);
    syms.add(strtab.add(sig), 0, g.index, 0n, 0n);
  }
  // The last locals: the section symbols of .riscv.attributes and of each .group section, which GNU as
  // makes when it writes those sections.
  syms.add(0, 3, attributesIndex, 0n, 0n);
  for (const g of groups.values()) syms.add(0, 3, g.index, 0n, 0n);
  const firstGlobal = syms.n;
  u.symbols.forEach((s, key) => {
    const undef = s.kind === 0;
    // A `.L` name never defined but used by a relocation is an undefined global, as in GNU as (a linker then
    // reports it); other temporaries stay out.
    if ((s.bits & SYM_TEMP) !== 0 && !(undef && referenced(s))) return;
    // An undefined symbol is written when a relocation names it or a visibility directive does (GNU as).
    if ((s.bits & SYM_GLOBAL) === 0 && !(undef && (referenced(s) || u.visibility.has(s)))) return;
    setIndex(s, targetIds.get(s));
    addPlaced(s, s.name === key ? strtab.addDistinct(s.name) : strtab.add(s.name), ((s.weak ? 2 : 1) << 4) | typeOf(s), visibility(s));
  });

  // Layout of the file.
  const shstr = new StringTable();
  const parts: { name: number; type: number; flags: number; data: Uint8Array; size: number; link: number; info: number; align: number; entsize: number }[] = [];
  const SHF_GROUP = 0x200;
  // The relocation sections whose records are to be written in another order: by their place in `parts`.
  const permuted = new Map<number, { w: Int32Array; order: Int32Array }>();
  for (const [sig, g] of groups) {
    const members: number[] = [];
    for (const m of g.members) {
      members.push(secIndex.get(m)!);
      if (relaIndex.has(m)) members.push(relaIndex.get(m)!);
    }
    const data = new Uint8Array(4 * (members.length + 1));
    const dv = new DataView(data.buffer);
    dv.setUint32(0, g.comdat ? 1 : 0, true); // GRP_COMDAT
    members.forEach((m, i) => dv.setUint32(4 * (i + 1), m, true));
    const s = u.symbols.get(sig);
    const info = signatureLocal.get(sig) ?? (s ? symIndex.get(s) : undefined) ?? 0;
    parts.push({ name: shstr.add('.group'), type: 17, flags: 0, data, size: data.length, link: symtabIndex, info, align: 4, entsize: 4 });
  }
  for (const s of sections) {
    const data = datas.get(s) ?? new Uint8Array(0);
    const groupFlag = s.group ? SHF_GROUP : 0;
    parts.push({ name: shstr.add(s.name), type: s.type, flags: s.flags | groupFlag, data, size: s.type === SHT_NOBITS ? s.size : data.length, link: secIndex.get(linkedTo.get(s)!) ?? 0, info: 0, align: s.align, entsize: s.entsize });
    const list = relocs.get(s);
    if (!list?.n) continue;
    const w = list.w;
    const words = 6 * list.n;
    // r_info's symbol half: the target's id becomes its symbol table index.
    for (let k = 3; k < words; k += 6) w[k] = targetIndex[w[k]];
    // Records not in offset order are put in order as they are copied into the file (no sorted copy of them).
    const order = recordOrder(list);
    if (order) permuted.set(parts.length, { w, order });
    const out = new Uint8Array(w.buffer, w.byteOffset, 4 * words);
    parts.push({ name: shstr.add(`.rela${s.name}`), type: SHT_RELA, flags: SHF_INFO_LINK | groupFlag, data: out, size: out.length, link: symtabIndex, info: secIndex.get(s)!, align: 8, entsize: 24 });
  }
  // GNU as 2.40 names its default privileged spec (1.11) when the code uses a CSR or a privileged
  // instruction and the source sets no priv_spec attribute itself.
  const ints = u.privUsed && ![TAG_PRIV_SPEC, TAG_PRIV_SPEC_MINOR, TAG_PRIV_SPEC_REVISION].some((t) => u.attrs.ints.has(t))
    ? new Map([...u.attrs.ints, [TAG_PRIV_SPEC, 1n], [TAG_PRIV_SPEC_MINOR, 11n]])
    : u.attrs.ints;
  const attrs = encodeAttributes({ ...u.attrs, ints, arch: u.attrs.arch ?? opts.defaultAttrs.arch });
  parts.push({ name: shstr.add('.riscv.attributes'), type: SHT_RISCV_ATTRIBUTES, flags: 0, data: attrs, size: attrs.length, link: 0, info: 0, align: 1, entsize: 0 });
  const symtab = syms.bytes();
  parts.push({ name: shstr.add('.symtab'), type: 2, flags: 0, data: symtab, size: symtab.length, link: strtabIndex, info: firstGlobal, align: 8, entsize: 24 });
  const strBytes = strtab.bytes();
  parts.push({ name: shstr.add('.strtab'), type: 3, flags: 0, data: strBytes, size: strBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  parts.push({ name: shstrName, type: 3, flags: 0, data: shstrBytes, size: shstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 });

  let off = 64;
  const offsets: number[] = [];
  for (const p of parts) {
    const a = Math.max(1, p.align);
    off = Math.ceil(off / a) * a;
    offsets.push(off);
    if (p.type !== SHT_NOBITS) off += p.data.length;
  }
  const shoff = Math.ceil(off / 8) * 8;
  const shnum = parts.length + 1;
  // The ELF header and the section headers are made here; every part is written as it is (its own array, a
  // view of the section's bytes or of the relocation or symbol records), not copied into one array of the
  // file's size: that copy touched as many fresh pages as the file has (megabytes for gcc -g output).
  const head = new Uint8Array(64);
  const hv = new DataView(head.buffer);
  head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  hv.setUint16(16, 1, true); // ET_REL
  hv.setUint16(18, EM_RISCV, true);
  hv.setUint32(20, 1, true);
  hv.setBigUint64(40, BigInt(shoff), true);
  const rvc = u.sections.some((s) => s.flags & SHF_EXECINSTR) && (u.attrs.arch ?? opts.defaultAttrs.arch)?.exts.has('c');
  hv.setUint32(48, (rvc ? 1 : 0) | (opts.floatAbi ?? 0), true);
  hv.setUint16(52, 64, true);
  hv.setUint16(58, 64, true);
  hv.setUint16(60, shnum, true);
  hv.setUint16(62, shnum - 1, true);
  const headers = new Uint8Array(64 * shnum);
  const v = new DataView(headers.buffer);
  const pieces: Uint8Array[] = [head];
  let at = 64;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.type !== SHT_NOBITS) {
      if (offsets[i] > at) pieces.push(new Uint8Array(offsets[i] - at));
      const pm = permuted.get(i);
      if (pm) permuteRecords(pm.w, pm.order);
      if (p.data.length > 0) pieces.push(p.data);
      at = offsets[i] + p.data.length;
    }
    const h = 64 * (i + 1);
    v.setUint32(h, p.name, true);
    v.setUint32(h + 4, p.type, true);
    v.setBigUint64(h + 8, BigInt(p.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[i]), true);
    v.setBigUint64(h + 32, BigInt(p.size), true);
    v.setUint32(h + 40, p.link, true);
    v.setUint32(h + 44, p.info, true);
    v.setBigUint64(h + 48, BigInt(Math.max(1, p.align)), true);
    v.setBigUint64(h + 56, BigInt(p.entsize), true);
  }
  if (shoff > at) pieces.push(new Uint8Array(shoff - at));
  pieces.push(headers);
  return { size: shoff + headers.length, pieces };
}

/** An object file as consecutive pieces of its bytes (writeObject), written one after another. */
export interface ObjectPieces {
  size: number;
  pieces: Uint8Array[];
}

/** The pieces of an object file joined into one array. */
export function joinPieces(o: ObjectPieces): Uint8Array {
  const out = new Uint8Array(o.size);
  let at = 0;
  for (const p of o.pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const JAL_DEF = INSTRUCTION_BY_NAME.get('jal')!;
const AUIPC_DEF = INSTRUCTION_BY_NAME.get('auipc')!;
const JALR_DEF = INSTRUCTION_BY_NAME.get('jalr')!;

/**
 * The mapping symbols core.ts mapState recorded, pruned as GNU as 2.40 prunes them (tc-riscv.c
 * make_mapping_symbol, riscv_check_mapping_symbols): of two at one place the later stays, but a plain `$x`
 * after a `$x<isa>` gives way to it; one at the very end of its section goes.
 */
function mappingSymbols(sections: InputSection[], relax: boolean): Sym[] {
  const out: Sym[] = [];
  for (const sec of sections) {
    if (!sec.maps) continue;
    const kept: Sym[] = [];
    const at = (s: Sym) => sec.fOff[s.frag] + s.offset;
    let list = sec.maps;
    if (!relax) {
      // Without relaxation GNU as pads code alignment when it writes the section (riscv_handle_align): an odd
      // count starts with a zero byte marked `$d`, and a mapping symbol that was at that place moves one byte
      // on as `$x` (keeping its ISA string).
      const extra: Sym[] = [];
      for (let f = 0; f < sec.nFrags; f++) {
        if (sec.fBr[f] !== -1 - FRAG_ALIGN || !sec.pad(f)?.nops || sec.fSize[f] === 0 || sec.fOff[f] % 2 === 0) continue;
        const mark = (name: string, offset: number): Sym => {
          const m = sec.maps![0].copyAs(name);
          m.frag = f;
          m.offset = offset;
          return m;
        };
        extra.push(mark('$d', 0));
        const before = sec.maps.filter((m) => at(m) === sec.fOff[f]);
        if (before.length) {
          const last = before[before.length - 1];
          extra.push(mark(last.name.startsWith('$xrv') ? last.name : '$x', 1));
        }
      }
      if (extra.length) {
        // In place order; at one place the padding's symbols come after the ones recorded while assembling.
        const tagged = [...sec.maps.map((m, i) => [m, i] as const), ...extra.map((m, i) => [m, sec.maps!.length + i] as const)];
        tagged.sort((a, b) => at(a[0]) - at(b[0]) || a[1] - b[1]);
        list = tagged.map(([m]) => m);
      }
    }
    for (let k = 0; k < list.length; k++) {
      const s = list[k];
      const prev = kept[kept.length - 1];
      if (prev && at(prev) === at(s)) {
        if (prev.name.startsWith('$xrv') && s.name === '$x') continue;
        kept.pop();
      }
      kept.push(s);
    }
    const last = kept[kept.length - 1];
    if (last && at(last) >= sec.size) kept.pop();
    out.push(...kept);
  }
  return out;
}

/** The name GNU as gives every label it makes for a relocation to refer to (gas FAKE_LABEL_NAME on ELF). */
const GNU_FAKE_LABEL = '.L0 ';

/**
 * The offset GNU as writes into a jump or branch it leaves to a relocation (tc-riscv.c md_apply_fix:
 * "a tentative value to improve objdump readability"): the symbol's offset in its own section (0 when
 * undefined) plus the addend, less the instruction's offset in this section.
 */
function gnuTentative(t: { sym: Sym; add: bigint } | null, at: number, def: InstrDef): bigint {
  if (!t) return 0n;
  const s = t.sym;
  const value = s.kind === 1 && s.frag >= 0 ? BigInt(s.section!.fOff[s.frag] + s.offset) : 0n;
  // Only the field's bits are kept (ENCODE_JTYPE_IMM and its kin), bit 0 dropped.
  const bits = def.name === 'jal' ? 21 : def.name === 'c.j' || def.name === 'c.jal' ? 12 : def.size === 2 ? 9 : 13;
  return BigInt.asIntN(bits, value + t.add - BigInt(at)) & ~1n;
}
