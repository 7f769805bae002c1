// SHF_MERGE sections of objects (gABI "Sections": SHF_MERGE/SHF_STRINGS, sh_entsize): equal strings and
// constants are kept once, the way GNU ld 2.40 does it (bfd/merge.c), so the output matches its layout:
//   - sections merge with each other when they have the same SHF_STRINGS flag, entsize, alignment and output
//     section; one with relocations, a size that is not a multiple of entsize or an unterminated last string
//     is left alone;
//   - each piece (a string with its terminator, or an entsize-byte constant) is kept in the input section
//     where it first occurs, in order, aligned as its input offset was (at most the section's alignment);
//     later copies refer to it; a section left with nothing is dropped (its alignment no longer counts);
//   - a string that is the tail of another kept string of the same group (and whose offset in it suits its
//     alignment) is not kept: it refers into the longer one (GNU's suffix merging, same sort order);
//   - runs of NULs between strings are padding, except that the first NUL found at an aligned offset in a
//     section is the empty string "".
// A reference by a section symbol is mapped at symbol + addend, one by another symbol at the symbol (the
// addend then applies unchanged), as ld maps them.

import type { Diagnostic } from '../asm/diagnostics.js';
import { placedSym, symbolPlusConstant, type Expr, type Sym } from '../asm/expr.js';
import type { LinkUnit } from '../asm/link.js';
import type { InputSection } from '../asm/section.js';
import { SHT_NOBITS } from '../elf/model.js';
import { SHF_STRINGS } from '../elf/object.js';
import { ObjectUnit } from './object-unit.js';

interface Entry {
  key: string;
  bytes: Uint8Array;
  /** Alignment; 0 once the entry lives inside another (a suffix) or was replaced by a better-aligned copy. */
  align: number;
  owner: Piece[];
  sec: InputSection;
  /** Offset in its owner section's new contents. */
  index: number;
  /** The longer entry this one is a tail of. */
  suffixOf: Entry | null;
  replacedBy: Entry | null;
}

/** A piece of an input section: where it was and which entry holds its bytes now. */
interface Piece {
  start: number;
  entry: Entry;
}

interface Group {
  strings: boolean;
  entsize: number;
  entries: Entry[];
  byKey: Map<string, Entry>;
  sections: { sec: InputSection; pieces: Piece[] }[];
}

const lowBit = (x: number) => x & -x;

function keyOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export function mergeSections(units: LinkUnit[], outName: (sec: InputSection) => string, _diags: Diagnostic[]): void {
  const groups = new Map<string, Group>();
  const info = new Map<InputSection, { group: Group; pieces: Piece[]; u: ObjectUnit }>();
  for (const u of units) {
    if (!(u instanceof ObjectUnit)) continue;
    for (const [sec, entsize] of u.entsize) {
      if (sec.type === SHT_NOBITS || sec.fixups.length || sec.size === 0 || sec.size % entsize) continue;
      const strings = (sec.flags & SHF_STRINGS) !== 0;
      const data = sec.fragBytes(0).slice();
      if (strings) {
        // The last string must be terminated.
        let z = true;
        for (let i = data.length - entsize; i < data.length; i++) if (data[i]) z = false;
        if (!z) continue;
      }
      const gkey = `${strings}:${entsize}:${sec.align}:${outName(sec)}`;
      let g = groups.get(gkey);
      if (!g) groups.set(gkey, (g = { strings, entsize, entries: [], byKey: new Map(), sections: [] }));
      const mask = sec.align - 1;
      const pieces: Piece[] = [];
      const add = (start: number, len: number, align: number) => {
        const bytes = data.subarray(start, start + len);
        const key = keyOf(bytes);
        let e = g!.byKey.get(key);
        if (e && e.align < align) {
          // A better-aligned copy replaces the one found before (bfd: sec_merge_hash_lookup).
          const old = e;
          const ne: Entry = { key, bytes, align, owner: pieces, sec, index: 0, suffixOf: null, replacedBy: null };
          old.replacedBy = ne;
          old.align = 0;
          g!.entries.push(ne);
          g!.byKey.set(key, ne);
          e = ne;
        } else if (!e) {
          e = { key, bytes, align, owner: pieces, sec, index: 0, suffixOf: null, replacedBy: null };
          g!.entries.push(e);
          g!.byKey.set(key, e);
        }
        pieces.push({ start, entry: e });
        return e;
      };
      const eltAlign = (off: number) => {
        const a = lowBit(off);
        return !a || a > mask ? mask + 1 : a;
      };
      if (strings) {
        let nul = false;
        const isZero = (p: number) => {
          for (let i = 0; i < entsize; i++) if (data[p + i]) return false;
          return true;
        };
        for (let p = 0; p < data.length; ) {
          let q = p;
          while (!isZero(q)) q += entsize;
          q += entsize;
          add(p, q - p, eltAlign(p));
          p = q;
          while (p < data.length && isZero(p)) {
            if (!nul && !(p & mask)) {
              nul = true;
              // The empty string: its bytes are one terminator.
              add(p, entsize, mask + 1);
            }
            p += entsize;
          }
        }
      } else {
        for (let p = 0; p < data.length; p += entsize) add(p, entsize, eltAlign(p));
      }
      g.sections.push({ sec, pieces });
      info.set(sec, { group: g, pieces, u });
    }
  }
  if (!info.size) return;

  for (const g of groups.values()) {
    const live = g.entries.filter((e) => e.align > 0);
    if (g.strings) {
      // Suffix merging (bfd merge_strings): sort by reversed contents (without the terminator), shorter
      // first; walking from the end, an entry that is a tail of the current longer one lives inside it.
      const es = g.entsize;
      const body = (e: Entry) => e.bytes.length - es;
      const cmp = (a: Entry, b: Entry): number => {
        const la = body(a);
        const lb = body(b);
        if (es === 1) {
          const tail = (la & (a.align - 1)) - (lb & (a.align - 1));
          if (tail !== 0) return tail;
        }
        let s = la - 1;
        let t = lb - 1;
        for (let l = Math.min(la, lb); l > 0; l--, s--, t--) {
          if (a.bytes[s] !== b.bytes[t]) return a.bytes[s] - b.bytes[t];
        }
        return la - lb;
      };
      const sorted = live.slice().sort(cmp);
      if (sorted.length) {
        let e = sorted[sorted.length - 1];
        for (let i = sorted.length - 2; i >= 0; i--) {
          const c = sorted[i];
          const el = e.bytes.length;
          const cl = c.bytes.length;
          const isSuffix = el > cl && keyOf(e.bytes.subarray(el - cl)) === c.key;
          if (e.align >= c.align && !((el - cl) & (c.align - 1)) && isSuffix) {
            c.suffixOf = e;
            c.align = 0;
          } else e = c;
        }
      }
    }
    // Positions: each section's kept entries, in order, from 0.
    const sizes = new Map<InputSection, number>();
    for (const e of g.entries) {
      if (e.align === 0) continue;
      let size = sizes.get(e.sec) ?? 0;
      size = Math.ceil(size / e.align) * e.align;
      e.index = size;
      sizes.set(e.sec, size + e.bytes.length);
    }
    // New contents.
    for (const { sec } of g.sections) {
      const size = sizes.get(sec) ?? 0;
      const out = new Uint8Array(size);
      for (const e of g.entries) if (e.align !== 0 && e.sec === sec) out.set(e.bytes, e.index);
      const sink = sec.sink;
      sink.buf = out.length ? out : new Uint8Array(1);
      sink.len = out.length;
      sec.fStart[0] = 0;
      sec.fSize[0] = out.length;
      sec.size = out.length;
      if (!size) {
        // Nothing of it is kept: dropped from the output (ld excludes it).
        sec.hasLabels = false;
        sec.align = 1;
      }
    }
  }

  /** Where a byte of an input merge section is now. */
  const map = (sec: InputSection, off: number): { sec: InputSection; off: number } => {
    const pieces = info.get(sec)!.pieces;
    let lo = 0;
    let hi = pieces.length - 1;
    if (hi < 0 || off < pieces[0].start) return { sec, off };
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid].start <= off) lo = mid;
      else hi = mid - 1;
    }
    const p = pieces[lo];
    let e = p.entry;
    let delta = off - p.start;
    while (e.replacedBy) e = e.replacedBy;
    while (e.suffixOf) {
      delta += e.suffixOf.bytes.length - e.bytes.length;
      e = e.suffixOf;
      while (e.replacedBy) e = e.replacedBy;
    }
    return { sec: e.sec, off: e.index + delta };
  };

  // References by section symbol + addend: to a label at the mapped place.
  const placeSym = (loc: { sec: InputSection; off: number }): Sym => placedSym('', true, loc.sec, 0, loc.off);
  const sectionSyms = new Set<Sym>();
  for (const u of units) if (u instanceof ObjectUnit) for (const s of u.sectionSyms) if (s.section && info.has(s.section)) sectionSyms.add(s);
  for (const u of units) {
    for (const sec of u.sections) {
      for (const fx of sec.fixups) {
        const t = symbolPlusConstant(fx.expr);
        if (!t || !sectionSyms.has(t.sym)) continue;
        const loc = map(t.sym.section!, t.sym.offset + Number(t.add));
        const e: Expr = placeSym(loc);
        fx.expr = e;
      }
    }
  }
  // Other symbols defined in merge sections move with their piece.
  for (const u of units) {
    for (const s of u.symbols.values()) {
      if (s.kind !== 1 || !s.section || !info.has(s.section) || sectionSyms.has(s)) continue;
      const loc = map(s.section, s.offset);
      s.section = loc.sec;
      s.frag = 0;
      s.offset = loc.off;
    }
  }
}
