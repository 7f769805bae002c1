// Linker relaxation (RISC-V psABI, "Linker Relaxation"), done the way GNU ld 2.40 does it
// (bfd/elfnn-riscv.c, _bfd_riscv_relax_section) so that images can equal GNU ld's:
//
// Pass 0, repeated until a round over all sections changes nothing — only relocations followed by
// R_RISCV_RELAX at the same offset are candidates:
//   - CALL/CALL_PLT (auipc+jalr): `c.j` when rd is x0 and the object has C and the offset fits 12 bits,
//     else `jal rd` when it fits 21 bits, else `jalr rd, x0` when the target is within 2 KiB of 0; the
//     offset is first grown by the largest output-section alignment (that of the target's output section
//     when the call stays in it), as alignment may later move the target away.
//   - HI20/LO12_I/LO12_S (lui+addi/load/store): the `lui` goes and the low part becomes gp-relative (or
//     x0-relative) when the address is within reach of `__global_pointer$` (again with an alignment margin
//     and the symbol's size); otherwise `lui` becomes `c.lui` where its value fits.
//   - PCREL_HI20/PCREL_LO12 (auipc+addi/load/store): the same gp-relative form, except for targets in code
//     or mergeable sections, and only when every %pcrel_lo of the auipc comes after it.
//   - TPREL_HI20/TPREL_ADD/TPREL_LO12 (local-exec TLS): the `lui` and `add` go and the access becomes
//     tp-relative when the tp offset fits 12 bits.
//   Deletions found in one scan of a section are applied together at its end (GNU's piecewise deletion):
//   a symbol above a deleted range moves down (one exactly at its start stays), a symbol spanning it
//   shrinks, relocation offsets above it move down. A reference by section symbol + addend does not move
//   (as in GNU ld; assemblers that relax reference code by local symbols).
// Pass 1: R_RISCV_ALIGN — of the `addend` bytes of nops the assembler left, keep as many as reach the
//   alignment at the final address and delete the rest (done even when relaxation is off, like GNU ld).

import { E_BIN, E_NUM, OP_ADD, symbolPlusConstant, type Expr, type Sym } from '../asm/expr.js';
import type { Fixup, InputSection } from '../asm/section.js';
import { SHF_EXECINSTR } from '../elf/model.js';
import { SHF_MERGE } from '../elf/object.js';
import type { ObjectUnit, RelaxInfo } from './object-unit.js';
import { R, rd32, wr16, wr32 } from './relocs.js';

/** The target of a relocation with the current layout. */
export interface RelaxTarget {
  /** S + A. */
  value: bigint;
  /** The input section the symbol is defined in (null: absolute, linker-provided or undefined weak). */
  section: InputSection | null;
  /** Its output section's name and alignment. */
  outName: string | null;
  outAlign: number;
  /** An undefined weak symbol (value 0). */
  undefWeak: boolean;
  /** Bytes of the object from S + A to its end (GNU's reserve_size: the symbol's size minus the addend). */
  reserve: bigint;
}

export interface RelaxEnv {
  target(u: ObjectUnit, fx: Fixup): RelaxTarget | null;
  /** `__global_pointer$` (null: no gp relaxation) and the output section it lies in. */
  gp: bigint | null;
  gpOut: string | null;
  /** Largest alignment of any output section (GNU: computed once per link). */
  maxAlign: number;
  /** Largest alignment of the output sections that start or end within 2 KiB of gp. */
  maxAlignNearGp: number;
  /** Output section name and alignment of an input section. */
  outputOf(sec: InputSection): { name: string; align: number };
  /** The thread-pointer offset of an address (null without a TLS segment). */
  tpOffset(v: bigint): bigint | null;
  /** An error at a place in the input. */
  error(fx: Fixup | null, sec: InputSection, offset: number, message: string): void;
}

const fitsI = (v: bigint) => v >= -0x800n && v < 0x800n;
const fitsJ = (v: bigint) => v >= -(1n << 20n) && v < 1n << 20n;
const fitsCJ = (v: bigint) => v >= -(1n << 11n) && v < 1n << 11n;
/** RISCV_CONST_HIGH_PART: the value `lui` would load for v. */
const highPart = (v: bigint) => BigInt.asIntN(64, (v + 0x800n) & ~0xfffn);
/** A `c.lui` immediate: nonzero, a multiple of 4 KiB in [-32, 31] pages. */
const fitsCLui = (v: bigint) => v !== 0n && v >= -(32n << 12n) && v < 32n << 12n && (v & 0xfffn) === 0n;


const MATCH_C_J = 0xa001;
const MATCH_C_LUI = 0x6001;
const MATCH_JAL = 0x6f;
const MATCH_JALR = 0x67;
const NOP = 0x13;
const C_NOP = 0x0001;

/** The section's bytes: one data fragment (an object's section). */
function contents(sec: InputSection): { buf: Uint8Array; base: number } {
  return { buf: sec.sink.buf, base: sec.fStart[0] };
}

/** The labels of each of an object's sections, indexed once when relaxation starts (after merging and the
 * .eh_frame edit, which move and add symbols; relaxation itself moves none across sections). */
const bySection = new WeakMap<ObjectUnit, Map<InputSection, Sym[]>>();
function sectionSymbols(u: ObjectUnit, sec: InputSection): Sym[] {
  let m = bySection.get(u);
  if (!m) {
    m = new Map();
    for (const s of u.symbols.values()) {
      if (s.kind !== 1 || !s.section) continue;
      let list = m.get(s.section);
      if (!list) m.set(s.section, (list = []));
      list.push(s);
    }
    bySection.set(u, m);
  }
  return m.get(sec) ?? [];
}

/** Remove `deletions` (offset, count; non-overlapping) from the section, moving symbols and relocations. */
function deleteBytes(u: ObjectUnit, sec: InputSection, info: RelaxInfo, deletions: { at: number; count: number }[], removed: Set<Fixup>): void {
  const toaddr = sec.size;
  const asc = deletions.slice().sort((a, b) => a.at - b.at);
  // Bytes: keep what lies outside the deleted ranges.
  const { buf, base } = contents(sec);
  const old = buf.slice(base, base + toaddr);
  let w = base;
  let r = 0;
  for (const d of asc) {
    buf.set(old.subarray(r, d.at), w);
    w += d.at - r;
    r = d.at + d.count;
  }
  buf.set(old.subarray(r, toaddr), w);
  w += toaddr - r;
  const newSize = w - base;
  sec.fSize[0] = newSize;
  if (sec.sink.len === base + toaddr) sec.sink.len = base + newSize;
  sec.size = newSize;
  // Symbols defined in the section (GNU: riscv_relax_delete_bytes): one above a deleted range moves down by
  // it (one exactly at its start stays), one whose end lies above it shrinks by it. Relocations likewise.
  // The ranges do not overlap, so every place moves by the bytes deleted below it (prefix sums).
  const ats = asc.map((d) => d.at);
  const below = [0];
  for (const d of asc) below.push(below[below.length - 1] + d.count);
  /** Bytes deleted at offsets below x. */
  const shift = (x: number): number => {
    let lo = 0;
    let hi = ats.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ats[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return below[lo];
  };
  for (const s of sectionSymbols(u, sec)) {
    if (s.section !== sec || s.kind !== 1 || s.offset > toaddr) continue;
    const v = s.offset;
    if (s.size && s.size.t === E_NUM) {
      const end = BigInt(v) + s.size.v;
      if (s.size.v > 0n && end <= BigInt(toaddr)) {
        const inside = shift(Number(end)) - shift(v);
        if (inside) s.size = { t: E_NUM, v: s.size.v - BigInt(inside) };
      }
    }
    s.offset = v - shift(v);
  }
  const kept: Fixup[] = [];
  for (const fx of sec.fixups) {
    if (removed.has(fx)) continue;
    if (fx.offset < toaddr) fx.offset -= shift(fx.offset);
    kept.push(fx);
  }
  sec.fixups = kept;
  for (const a of info.aligns) if (a.offset < toaddr) a.offset -= shift(a.offset);
}

/** One scan of pass 0 over a section; true if anything changed. */
export function relaxScan(u: ObjectUnit, sec: InputSection, info: RelaxInfo, env: RelaxEnv): boolean {
  const { buf, base } = contents(sec);
  const rvc = (u.eFlags & 1) !== 0;
  const deletions: { at: number; count: number }[] = [];
  const removed = new Set<Fixup>();
  // auipcs relaxed in this scan, by offset: what their %pcrel_lo partners become.
  const hiRelaxed = new Map<number, { expr: Expr; undefWeak: boolean; value: bigint; outName: string | null; outAlign: number; reserve: bigint }>();
  // auipcs (by offset) one of whose %pcrel_lo came first: not relaxable in this scan.
  const loFirst = new Set<number>();
  let changed = false;
  const gp = env.gp;
  /** Is S + A within reach of x0 or gp (GNU's conservative check, with margins for alignment and size)? */
  const nearGp = (t: { value: bigint; outName: string | null; outAlign: number; undefWeak: boolean; reserve: bigint }): boolean => {
    if (t.undefWeak || fitsI(t.value)) return true;
    if (gp === null) return false;
    const maxAlign = BigInt(t.outName !== null && t.outName === env.gpOut ? t.outAlign : env.maxAlignNearGp);
    return t.value >= gp ? fitsI(t.value - gp + maxAlign + t.reserve) : fitsI(t.value - gp - maxAlign - t.reserve);
  };
  const fixups = sec.fixups.filter((fx) => info.relaxable.has(fx)).sort((a, b) => a.offset - b.offset);
  for (const fx of fixups) {
    const type = fx.field;
    const off = fx.offset;
    const at = base + off;
    if (off + 4 > sec.size) continue; // a malformed object: its relocation is reported when applied
    switch (type) {
      case R.CALL:
      case R.CALL_PLT: {
        const t = env.target(u, fx);
        if (!t || t.undefWeak) continue;
        const pc = sec.addr + BigInt(off);
        let foff = t.value - pc;
        const near0 = BigInt.asUintN(64, t.value + 0x800n) < 0x1000n;
        if (fitsJ(foff)) {
          const sameOut = t.section !== null && t.outName === env.outputOf(sec).name;
          const maxAlign = BigInt(sameOut ? t.outAlign : env.maxAlign);
          foff += foff < 0n ? -maxAlign : maxAlign;
        }
        if (!fitsJ(foff) && !near0) continue;
        if (off + 8 > sec.size) continue;
        const rd = (rd32(buf, at + 4) >>> 7) & 0x1f;
        let len = 4;
        if (rvc && fitsCJ(foff) && rd === 0) {
          fx.field = R.RVC_JUMP;
          wr16(buf, at, MATCH_C_J);
          len = 2;
        } else if (fitsJ(foff)) {
          fx.field = R.JAL;
          wr32(buf, at, MATCH_JAL | (rd << 7));
        } else {
          fx.field = R.LO12_I;
          wr32(buf, at, MATCH_JALR | (rd << 7));
        }
        info.relaxable.delete(fx);
        deletions.push({ at: off + len, count: 8 - len });
        changed = true;
        continue;
      }
      case R.HI20:
      case R.LO12_I:
      case R.LO12_S: {
        const t = env.target(u, fx);
        if (!t) continue;
        if (nearGp(t)) {
          if (type === R.HI20) {
            removed.add(fx);
            deletions.push({ at: off, count: 4 });
          } else fx.field = type === R.LO12_I ? R.GPREL_I : R.GPREL_S;
          changed = true;
          continue;
        }
        if (rvc && type === R.HI20) {
          const hp = highPart(t.value);
          if (fitsCLui(hp) && fitsCLui(highPart(t.value + 0x1000n))) {
            const lui = rd32(buf, at);
            const rd = (lui >>> 7) & 0x1f;
            if (rd === 0 || rd === 2) continue;
            wr32(buf, at, (lui & (0x1f << 7)) | MATCH_C_LUI);
            fx.field = R.RVC_LUI;
            deletions.push({ at: off + 2, count: 2 });
            changed = true;
          }
        }
        continue;
      }
      case R.TPREL_HI20:
      case R.TPREL_ADD:
      case R.TPREL_LO12_I:
      case R.TPREL_LO12_S: {
        const t = env.target(u, fx);
        if (!t) continue;
        const tp = env.tpOffset(t.value);
        if (tp === null || highPart(tp) !== 0n) continue;
        if (type === R.TPREL_LO12_I) fx.field = R.TPREL_I;
        else if (type === R.TPREL_LO12_S) fx.field = R.TPREL_S;
        else {
          removed.add(fx);
          deletions.push({ at: off, count: 4 });
        }
        changed = true;
        continue;
      }
      case R.PCREL_HI20: {
        const t = env.target(u, fx);
        if (!t) continue;
        if (!t.undefWeak && t.section && t.section.flags & (SHF_MERGE | SHF_EXECINSTR)) continue;
        if (loFirst.has(off)) continue;
        if (!nearGp(t)) continue;
        hiRelaxed.set(off, { expr: fx.expr, undefWeak: t.undefWeak, value: t.value, outName: t.outName, outAlign: t.outAlign, reserve: t.reserve });
        removed.add(fx);
        deletions.push({ at: off, count: 4 });
        changed = true;
        continue;
      }
      case R.PCREL_LO12_I:
      case R.PCREL_LO12_S: {
        // The symbol names the auipc (a label at it); an addend is for the auipc's target.
        const sp = symbolPlusConstant(fx.expr);
        if (!sp || sp.sym.kind !== 1 || sp.sym.section !== sec) continue;
        const hiOff = sp.sym.offset;
        const hi = hiRelaxed.get(hiOff);
        if (!hi) {
          loFirst.add(hiOff);
          continue;
        }
        // GNU checks the %pcrel_lo against the auipc's target with the size of its own (label) symbol: none.
        if (!nearGp({ ...hi, reserve: 0n })) continue;
        fx.field = type === R.PCREL_LO12_I ? R.GPREL_I : R.GPREL_S;
        fx.expr = sp.add === 0n ? hi.expr : { t: E_BIN, op: OP_ADD, a: hi.expr, b: { t: E_NUM, v: sp.add } };
        changed = true;
        continue;
      }
      default:
        continue;
    }
  }
  if (deletions.length) deleteBytes(u, sec, info, deletions, removed);
  return changed;
}

/** Pass 1: R_RISCV_ALIGN at the section's final address. */
export function relaxAlign(u: ObjectUnit, sec: InputSection, info: RelaxInfo, env: RelaxEnv): void {
  const aligns = info.aligns;
  info.aligns = [];
  for (let i = 0; i < aligns.length; i++) {
    const a = aligns[i];
    let alignment = 1n;
    while (alignment <= BigInt(a.addend)) alignment *= 2n;
    if (a.offset + a.addend > sec.size) {
      env.error(null, sec, a.offset, `R_RISCV_ALIGN: ${a.addend} bytes of padding run past the end of ${sec.name}`);
      continue;
    }
    const at = sec.addr + BigInt(a.offset);
    const aligned = ((at - 1n) & ~(alignment - 1n)) + alignment;
    const nops = Number(aligned - at);
    if (a.addend < nops) {
      env.error(null, sec, a.offset, `${nops} bytes required for alignment to ${alignment}-byte boundary, but only ${a.addend} present`);
      continue;
    }
    if (nops === a.addend) continue;
    const { buf, base } = contents(sec);
    let p = base + a.offset;
    for (let k = 0; k + 4 <= nops; k += 4, p += 4) wr32(buf, p, NOP);
    if (nops % 4) wr16(buf, p, C_NOP);
    // Deleted at once, so the later R_RISCV_ALIGNs of the section see their new offsets.
    const rest = { relaxable: info.relaxable, aligns: aligns.slice(i + 1) };
    deleteBytes(u, sec, rest, [{ at: a.offset + nops, count: a.addend - nops }], new Set());
  }
}
