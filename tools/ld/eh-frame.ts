// .eh_frame of objects (LSB "Exception Frames": CIE and FDE records, each a 4-byte length, a 4-byte CIE id
// or CIE pointer, then fields and call-frame instructions), edited as GNU ld 2.40 edits it for a static link
// (bfd/elf-eh-frame.c, elflink.c), so that the output has the same bytes and size:
//   - each record loses its trailing DW_CFA_nop padding (found by decoding its instructions) and is placed at
//     the next multiple of 4 (an FDE: of its address width if larger); its length field then covers the
//     room up to the next record, zero-filled (DW_CFA_nop again);
//   - an FDE whose code lies in a discarded COMDAT section is dropped;
//   - a CIE is kept only when a kept FDE uses it, and only the first copy of equal CIEs (byte for byte, and
//     with relocations of their personality pointers to the same routine: a global by name) in link order:
//     later FDEs point at it (their CIE pointers become link-time differences);
//   - every .eh_frame section but the last is padded to the output section's alignment inside its last
//     record, so no zero word between sections reads as a terminator;
//   - nothing is added: a zero terminator, where a program wants one, comes from its crtend.o.
// A section whose records or instructions do not decode is left exactly as it is (GNU gives up the same way).

import type { Diagnostic } from '../asm/diagnostics.js';
import { placedSym, symbolPlusConstant, type Sym } from '../asm/expr.js';
import type { LinkUnit } from '../asm/link.js';
import { FIX_RELOC, type Fixup, type InputSection } from '../asm/section.js';
import { ObjectUnit } from './object-unit.js';
import { R } from './relocs.js';

interface Rec {
  off: number;
  /** Input size (length field included) and size without trailing DW_CFA_nops. */
  size: number;
  trimmed: number;
  idAt: number;
  cie: boolean;
  cieOff: number;
  /** FDE address width (from its CIE's 'R' encoding). */
  width: number;
  removed: boolean;
  newOff: number;
}

class Reader {
  constructor(
    public b: Uint8Array,
    public p: number,
    public end: number,
  ) {}
  byte(): number {
    if (this.p >= this.end) throw new Error('eh');
    return this.b[this.p++];
  }
  skip(n: number): void {
    if (this.p + n > this.end) throw new Error('eh');
    this.p += n;
  }
  uleb(): number {
    let v = 0;
    let s = 0;
    for (;;) {
      const c = this.byte();
      if (s < 32) v += (c & 0x7f) * 2 ** s;
      s += 7;
      if (!(c & 0x80)) return v;
    }
  }
  cstr(): string {
    let s = '';
    for (let c = this.byte(); c !== 0; c = this.byte()) s += String.fromCharCode(c);
    return s;
  }
}

/** DW_EH_PE width of an encoding (absptr: 8 on RV64). */
function encWidth(enc: number): number {
  switch (enc & 7) {
    case 0: return 8;
    case 2: return 2;
    case 3: return 4;
    case 4: return 8;
    default: return -1;
  }
}

/** End of the last instruction that is not DW_CFA_nop in [p, end) (bfd skip_non_nops); throws if unknown. */
function lastNonNop(b: Uint8Array, p: number, end: number, width: number): number {
  const r = new Reader(b, p, end);
  let last = p;
  while (r.p < end) {
    const op = r.byte();
    const hi = op & 0xc0;
    if (hi === 0x40 || hi === 0xc0) {
      last = r.p;
      continue;
    }
    if (hi === 0x80) {
      r.uleb();
      last = r.p;
      continue;
    }
    switch (op) {
      case 0x00: continue; // DW_CFA_nop
      case 0x01: r.skip(width); break; // set_loc
      case 0x02: r.skip(1); break;
      case 0x03: r.skip(2); break;
      case 0x04: r.skip(4); break;
      case 0x0a: case 0x0b: break; // remember/restore_state
      case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x13: case 0x2e: r.uleb(); break;
      case 0x05: case 0x09: case 0x0c: case 0x11: case 0x12: case 0x14: case 0x15: case 0x2f: r.uleb(); r.uleb(); break;
      case 0x0f: r.skip(r.uleb()); break; // def_cfa_expression
      case 0x10: case 0x16: r.uleb(); r.skip(r.uleb()); break; // expression, val_expression
      default: throw new Error('eh');
    }
    last = r.p;
  }
  return last;
}

/** The records of one .eh_frame section, or null if it does not decode. */
function parse(b: Uint8Array): Rec[] | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const recs: Rec[] = [];
  const cieWidth = new Map<number, { width: number; aug: string }>();
  try {
    let p = 0;
    while (p < b.length) {
      if (p + 4 > b.length) return null;
      const len = dv.getUint32(p, true);
      if (len === 0 || len === 0xffffffff) return null; // terminators and 64-bit DWARF: left alone
      const size = 4 + len;
      const end = p + size;
      if (end > b.length || len < 8) return null;
      const idAt = p + 4;
      const id = dv.getUint32(idAt, true);
      const r = new Reader(b, idAt + 4, end);
      let rec: Rec;
      if (id === 0) {
        const version = r.byte();
        const aug = r.cstr();
        r.uleb();
        r.uleb(); // data alignment (sleb, same length)
        if (version === 1) r.byte();
        else r.uleb();
        let width = 8;
        if (aug.startsWith('z')) {
          const augLen = r.uleb();
          const augEnd = r.p + augLen;
          for (const c of aug.slice(1)) {
            if (c === 'R') width = encWidth(r.byte());
            else if (c === 'L') r.byte();
            else if (c === 'P') {
              const enc = r.byte();
              r.skip(encWidth(enc));
            } else if (c !== 'S') return null;
          }
          if (width < 0 || r.p > augEnd) return null;
          r.p = augEnd;
        } else if (aug !== '') return null;
        cieWidth.set(p, { width, aug });
        rec = { off: p, size, trimmed: lastNonNop(b, r.p, end, width) - p, idAt, cie: true, cieOff: p, width, removed: false, newOff: 0 };
      } else {
        const cieOff = idAt - id;
        const c = cieWidth.get(cieOff);
        if (!c) return null;
        r.skip(2 * c.width);
        if (c.aug.startsWith('z')) r.skip(r.uleb());
        rec = { off: p, size, trimmed: lastNonNop(b, r.p, end, c.width) - p, idAt, cie: false, cieOff, width: c.width, removed: false, newOff: 0 };
      }
      recs.push(rec);
      p = end;
    }
    return recs;
  } catch {
    return null;
  }
}

/**
 * What the relocations of a CIE (its personality pointer) point to, for comparing CIEs of different inputs as
 * GNU ld does (elf-eh-frame.c compares the personality by its symbol: a global by name, a local by its
 * place): each relocation's place in the record, type and target. Null when one is not a symbol plus a
 * constant (such a CIE is not merged).
 */
function relocatedFields(fixups: Fixup[], cieOff: number, sec: InputSection, unit: number): string | null {
  const out: string[] = [];
  for (const fx of fixups) {
    const t = symbolPlusConstant(fx.expr);
    if (!t) return null;
    const s = t.sym;
    const target = s.kind === 0 || s.global || s.weak ? s.name
      : s.kind === 1 && s.section === sec ? `.+${sec.fOff[s.frag] + s.offset - cieOff}`
      : s.kind === 1 && s.section ? `${unit}:${s.section.name}:${s.section.fOff[s.frag] + s.offset}`
      : null;
    if (target === null) return null;
    out.push(`${fx.offset - cieOff}:${fx.field}:${target}+${t.add}`);
  }
  return out.join(' ');
}

export function mergeEhFrames(units: LinkUnit[], outAlign: (sec: InputSection) => number, _diags: Diagnostic[]): void {
  const kept = new Map<string, Sym>();
  let labels = 0;
  const label = (u: ObjectUnit, sec: InputSection, off: number): Sym => {
    const s = placedSym('', true, sec, 0, off);
    u.symbols.set(`\u0000eh_frame${labels++}`, s);
    return s;
  };
  const edited: { u: ObjectUnit; sec: InputSection; recs: Rec[]; fdeCie: Map<Rec, Sym> }[] = [];
  for (const u of units) {
    if (!(u instanceof ObjectUnit)) continue;
    for (const sec of u.sections) {
      if (sec.name !== '.eh_frame' || sec.type !== 1 || sec.size === 0) continue;
      const bytes = sec.fragBytes(0);
      const recs = parse(bytes);
      if (!recs) continue;
      const fixupsIn = (r: Rec): Fixup[] => sec.fixups.filter((fx) => fx.offset >= r.off && fx.offset < r.off + r.size);
      const byOff = new Map(recs.map((r) => [r.off, r]));
      const cieAt = new Map<number, Sym>();
      const fdeCie = new Map<Rec, Sym>();
      for (const r of recs) r.removed = r.cie;
      for (const r of recs) {
        if (r.cie) continue;
        const pcBegin = fixupsIn(r).find((fx) => fx.offset === r.idAt + 4);
        const target = pcBegin ? symbolPlusConstant(pcBegin.expr) : null;
        if (target && u.discardedSyms.has(target.sym)) {
          r.removed = true;
          continue;
        }
        let at = cieAt.get(r.cieOff);
        if (!at) {
          // The first FDE that uses a CIE decides it: a copy kept before, or this one (GNU find_merged_cie).
          const c = byOff.get(r.cieOff)!;
          const refs = relocatedFields(fixupsIn(c), c.off, sec, u.index);
          const key = refs === null ? null : `${Buffer.from(bytes.subarray(c.off, c.off + c.size)).toString('latin1')}\u0000${refs}`;
          const prev = key !== null ? kept.get(key) : undefined;
          if (prev) at = prev;
          else {
            c.removed = false;
            at = label(u, sec, c.off);
            if (key !== null) kept.set(key, at);
          }
          cieAt.set(r.cieOff, at);
        }
        fdeCie.set(r, at);
      }
      edited.push({ u, sec, recs, fdeCie });
    }
  }
  // The last non-empty section is not padded to the output alignment (elflink.c bfd_elf_discard_info).
  let lastNonEmpty = -1;
  edited.forEach((e, i) => {
    if (e.recs.some((r) => !r.removed)) lastNonEmpty = i;
  });
  edited.forEach(({ u, sec, recs, fdeCie }, i) => {
    let off = 0;
    for (const r of recs) {
      if (r.removed) continue;
      const a = r.cie ? 4 : Math.max(4, r.width);
      off = Math.ceil(off / a) * a;
      r.newOff = off;
      off += r.trimmed;
    }
    off = Math.ceil(off / 4) * 4;
    if (i !== lastNonEmpty) {
      const a = outAlign(sec);
      off = Math.ceil(off / a) * a;
    }
    const size = off;
    const old = sec.fragBytes(0).slice();
    const out = new Uint8Array(size);
    const live = recs.filter((r) => !r.removed);
    live.forEach((r, k) => {
      const next = k + 1 < live.length ? live[k + 1].newOff : size;
      out.set(old.subarray(r.off, r.off + r.trimmed), r.newOff);
      const len = next - r.newOff - 4;
      out[r.newOff] = len & 0xff;
      out[r.newOff + 1] = (len >>> 8) & 0xff;
      out[r.newOff + 2] = (len >>> 16) & 0xff;
      out[r.newOff + 3] = (len >>> 24) & 0xff;
    });
    // Where a byte of the input is now (a dropped record's: the next kept record's start).
    const mapOff = (x: number): number => {
      for (let k = 0; k < recs.length; k++) {
        const r = recs[k];
        if (x < r.off + r.size || k === recs.length - 1) {
          if (!r.removed) return r.newOff + Math.min(x - r.off, r.trimmed);
          const nx = recs.slice(k + 1).find((q) => !q.removed);
          return nx ? nx.newOff : size;
        }
      }
      return size;
    };
    const kept: Fixup[] = [];
    for (const fx of sec.fixups) {
      const r = recs.find((q) => fx.offset >= q.off && fx.offset < q.off + q.size);
      if (!r || r.removed) continue;
      fx.offset = r.newOff + (fx.offset - r.off);
      kept.push(fx);
    }
    sec.fixups = kept;
    for (const s of u.symbols.values()) if (s.section === sec && s.kind === 1) s.offset = mapOff(s.offset);
    // CIE pointers: (address of the field) - (address of the CIE), known after placement.
    const loc = { file: u.name, line: 0, col: 0, note: '.eh_frame' };
    for (const r of live) {
      if (r.cie) continue;
      out[r.newOff + 4] = out[r.newOff + 5] = out[r.newOff + 6] = out[r.newOff + 7] = 0;
      const here = label(u, sec, r.newOff + 4);
      const cie = fdeCie.get(r)!;
      for (const [type, sym] of [[R.ADD32, here], [R.SUB32, cie]] as const) {
        sec.fixups.push({ kind: FIX_RELOC, frag: 0, offset: r.newOff + 4, expr: sym, size: 0, def: null, field: type, pcAdjust: 0, loc });
      }
    }
    const sink = sec.sink;
    sink.buf = out.length ? out : new Uint8Array(1);
    sink.len = out.length;
    sec.fStart[0] = 0;
    sec.fSize[0] = out.length;
    sec.size = out.length;
  });
}
