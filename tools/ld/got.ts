// The global offset table of a static link, laid out as GNU ld 2.40 lays it out (bfd/elfnn-riscv.c and the
// generic ELF linker, read to learn the behaviour; nothing is carried over):
//   - the first GOT-using relocation makes three linker sections: `.got` (an 8-byte header: the address of
//     _DYNAMIC, 0 in a static link), `.got.plt` (16 bytes: -1 and 0, the lazy resolver's two words) and
//     `.rela.got`; GNU's default script puts `.got.plt` first in the `.got` output section, and
//     `_GLOBAL_OFFSET_TABLE_` names the start of `.got` (after `.got.plt`);
//   - slots of local symbols come first, object by object in command-line order and, within an object, in
//     symbol-table order; then slots of global symbols in the order of GNU ld's symbol hash table (bfd
//     hash.c: the string hash modulo the table size, 4051 buckets growing past 3/4 full, newest first within
//     a bucket), which is the order its `allocate_dynrelocs` traversal meets them;
//   - a symbol takes an address slot (GOT_HI20), a tp-offset slot (TLS_GOT_HI20, initial-exec) or a
//     module/offset pair (TLS_GD_HI20: module 1, offset − 0x800); a global used both ways gets the pair then
//     the tp-offset slot. A static link writes the values itself and keeps no dynamic relocation, but GNU
//     still reserves an entry in `.rela.got` (output `.rela.dyn`) per TLS slot of a global (two for a pair)
//     and per TLS symbol of a local one, left as R_RISCV_NONE: they are reserved here too;
//   - a reference `sym + addend` loads from sym's slot plus the addend (the slot holds sym itself).

import { SHF_ALLOC, SHF_WRITE, SHT_PROGBITS } from '../elf/model.js';
import type { Diagnostic } from '../asm/diagnostics.js';
import { symbolPlusConstant, type Sym } from '../asm/expr.js';
import { DATA_DTPOFF, DATA_SET, DATA_TLSOFF, FIX_DATA, FIX_GOT_HI, FIX_RELOC, FIX_TLS_GD_HI, FIX_TLS_IE_HI, InputSection, type Fixup } from '../asm/section.js';
import type { LinkUnit } from '../asm/link.js';
import { addDiag } from './link-diag.js';
import { R } from './relocs.js';

export const GOT_NORMAL = 1;
export const GOT_TLS_GD = 2;
export const GOT_TLS_IE = 4;
const SHT_RELA = 4;
const RELA_SIZE = 24;

/** What a fixup asks of the GOT: GOT_NORMAL, GOT_TLS_IE or GOT_TLS_GD, or 0 for none. */
export function gotKind(fx: Fixup): number {
  if (fx.kind === FIX_GOT_HI) return GOT_NORMAL;
  if (fx.kind === FIX_TLS_IE_HI) return GOT_TLS_IE;
  if (fx.kind === FIX_TLS_GD_HI) return GOT_TLS_GD;
  if (fx.kind === FIX_RELOC) return fx.field === R.GOT_HI20 ? GOT_NORMAL : fx.field === R.TLS_GOT_HI20 ? GOT_TLS_IE : fx.field === R.TLS_GD_HI20 ? GOT_TLS_GD : 0;
  return 0;
}

export interface GotPlan {
  /** The linker's unit: `.got.plt`, `.got` and (with TLS slots) `.rela.got`. */
  unit: LinkUnit;
  got: InputSection;
  /** For each GOT fixup: the offset in `got` its auipc addresses (the slot, plus the reference's addend). */
  target: Map<Fixup, bigint>;
}

interface Entry {
  sym: Sym;
  tls: number;
  /** Offset of its first slot in `.got`. */
  off: number;
}

/** bfd's string hash (hash.c, bfd_hash_hash), in 64-bit arithmetic as on the hosts ld runs on. */
export function bfdHash(name: string): bigint {
  const M = (1n << 64n) - 1n;
  let h = 0n;
  const bytes = new TextEncoder().encode(name);
  for (const c of bytes) {
    const b = BigInt(c);
    h = (h + b + (b << 17n)) & M;
    h ^= h >> 2n;
  }
  const len = BigInt(bytes.length);
  h = (h + len + (len << 17n)) & M;
  h ^= h >> 2n;
  return h;
}

// Primes just below powers of two: the sizes a bfd hash table grows through (hash.c, higher_prime_number).
const PRIMES = [31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213];

/**
 * The order in which GNU ld's traversal of its global symbol table meets `names` (given in insertion order,
 * each once): a simulation of the bfd hash table, growth and rehashing included.
 */
export function hashTraversalOrder(names: string[]): string[] {
  type Node = { name: string; hash: bigint; next: Node | null };
  let size = 4051;
  let table: (Node | null)[] = new Array(size).fill(null);
  let count = 0;
  for (const name of names) {
    const hash = bfdHash(name);
    const i = Number(hash % BigInt(size));
    table[i] = { name, hash, next: table[i] };
    count++;
    if (count > Math.floor((size * 3) / 4)) {
      const newSize = PRIMES.find((p) => p > size);
      if (newSize === undefined) continue;
      const next: (Node | null)[] = new Array(newSize).fill(null);
      // Runs of entries with the same full hash move together, each to the head of its new bucket.
      for (let hi = 0; hi < size; hi++) {
        while (table[hi]) {
          const chain = table[hi]!;
          let end = chain;
          while (end.next && end.next.hash === chain.hash) end = end.next;
          table[hi] = end.next;
          const j = Number(chain.hash % BigInt(newSize));
          end.next = next[j];
          next[j] = chain;
        }
      }
      table = next;
      size = newSize;
    }
  }
  const out: string[] = [];
  for (const head of table) for (let n = head; n; n = n.next) out.push(n.name);
  return out;
}

/** A symbol GNU ld would hold in its global hash table (a global, weak or undefined one) rather than as a local of its object. */
function isGlobalRef(s: Sym): boolean {
  return s.global || (s.kind === 0 && !s.temp);
}

/** Does any fixup of `units` use the GOT? (Most programs have none: one cheap scan, no maps or records.) */
/** gotKind(fx) !== 0: FIX_GOT_HI, FIX_TLS_IE_HI and FIX_TLS_GD_HI are consecutive, relocations by type. */
function isGotFixup(fx: Fixup): boolean {
  const kind = fx.kind;
  return (kind >= FIX_GOT_HI && kind <= FIX_TLS_GD_HI) || (kind === FIX_RELOC && gotKind(fx) !== 0);
}

function hasGotFixup(units: LinkUnit[]): boolean {
  for (const u of units) {
    for (const sec of u.sections) {
      // (Not the calls of its CallTable: none is a GOT access, and `fixups` would make them records.)
      if (sec.records.some(isGotFixup)) return true;
    }
  }
  return false;
}

/** Lay the GOT out for the GOT references of `units` (null when there are none). */
export function buildGot(units: LinkUnit[], diags: Diagnostic[]): GotPlan | null {
  if (!hasGotFixup(units)) return null;
  const locals = new Map<Sym, Entry>();
  const globalsByName = new Map<string, Entry>();
  const refs: { fx: Fixup; entry: Entry; kind: number; add: bigint }[] = [];
  const localUnit = new Map<Sym, number>();
  for (const u of units) {
    for (const sec of u.sections) {
      for (const fx of sec.records) {
        const kind = gotKind(fx);
        if (kind === 0) continue;
        const t = symbolPlusConstant(fx.expr);
        if (!t) {
          addDiag(diags, fx.loc, 'a GOT access needs a symbol (plus a constant)');
          continue;
        }
        let sym = t.sym;
        if (sym.overriddenBy) sym = sym.overriddenBy;
        let entry: Entry | undefined;
        if (isGlobalRef(sym)) {
          entry = globalsByName.get(sym.name);
          if (!entry) globalsByName.set(sym.name, (entry = { sym, tls: 0, off: -1 }));
        } else {
          entry = locals.get(sym);
          if (!entry) {
            locals.set(sym, (entry = { sym, tls: 0, off: -1 }));
            localUnit.set(sym, u.index);
          }
        }
        const was = entry.tls;
        entry.tls |= kind;
        if (entry.tls & GOT_NORMAL && entry.tls & ~GOT_NORMAL && was !== entry.tls) {
          addDiag(diags, fx.loc, `'${sym.name}' is accessed both as a normal and as a thread-local symbol`);
        }
        refs.push({ fx, entry, kind, add: t.add });
      }
    }
  }
  if (!refs.length) return null;

  const unit: LinkUnit = { index: units.length, name: '<linker>', sections: [], symbols: new Map(), fileSymbols: [], listing: [], attrs: { ints: new Map(), strs: new Map(), arch: null } };
  const gotPlt = new InputSection('.got.plt', SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, unit.index, '<linker>');
  const got = new InputSection('.got', SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, unit.index, '<linker>');
  for (const s of [gotPlt, got]) {
    s.align = 8;
    s.hasLabels = true;
    s.entsize = 8;
  }
  gotPlt.putLE(-1n, 8);
  gotPlt.putLE(0n, 8);
  const frag = got.cur;
  got.putLE(0n, 8); // the address of _DYNAMIC: none in a static link
  let relocs = 0;
  const slot = (sym: Sym, mode: number) => {
    got.fixups.push({ kind: FIX_DATA, frag, offset: got.fSize[frag], expr: sym, loc: { file: '<linker>', line: 0, col: 0, note: '.got' }, size: 8, def: null, field: mode, pcAdjust: 0 });
    got.putLE(0n, 8);
  };
  // Locals: object by object, in symbol-table order (the order of each unit's symbol map).
  const unitOrder = new Map<LinkUnit['index'], number>();
  units.forEach((u, i) => unitOrder.set(u.index, i));
  const symOrder = new Map<Sym, number>();
  for (const u of units) {
    let n = 0;
    for (const s of u.symbols.values()) if (locals.has(s)) symOrder.set(s, n++);
  }
  const localList = [...locals.values()].sort((a, b) => unitOrder.get(localUnit.get(a.sym)!)! - unitOrder.get(localUnit.get(b.sym)!)! || (symOrder.get(a.sym) ?? 0) - (symOrder.get(b.sym) ?? 0));
  for (const e of localList) {
    e.off = got.fSize[frag];
    // GNU reserves one slot, two for a module/offset pair, and one relocation entry for any TLS use. (A local
    // used both ways would have its tp-offset slot after the pair, past what GNU reserves: it gets its own.)
    if (e.tls & GOT_TLS_GD) {
      got.putLE(1n, 8);
      slot(e.sym, DATA_DTPOFF);
    }
    if (e.tls & GOT_TLS_IE) slot(e.sym, DATA_TLSOFF);
    if (e.tls & GOT_NORMAL) slot(e.sym, DATA_SET);
    if (e.tls & (GOT_TLS_GD | GOT_TLS_IE)) relocs++;
  }
  // Globals: in the order GNU ld's hash table traversal meets them; its insertion order is the order in
  // which the inputs' symbol tables name them.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const u of units) {
    for (const s of u.symbols.values()) {
      if (!isGlobalRef(s) || seen.has(s.name)) continue;
      seen.add(s.name);
      names.push(s.name);
    }
  }
  for (const name of globalsByName.keys()) if (!seen.has(name)) names.push(name);
  for (const name of hashTraversalOrder(names)) {
    const e = globalsByName.get(name);
    if (!e) continue;
    e.off = got.fSize[frag];
    if (e.tls & GOT_TLS_GD) {
      got.putLE(1n, 8);
      slot(e.sym, DATA_DTPOFF);
      relocs += 2;
    }
    if (e.tls & GOT_TLS_IE) {
      slot(e.sym, DATA_TLSOFF);
      relocs++;
    }
    if (e.tls === GOT_NORMAL) slot(e.sym, DATA_SET);
  }
  got.size = got.fSize[frag];
  gotPlt.size = 16;
  unit.sections.push(gotPlt, got);
  if (relocs) {
    const rela = new InputSection('.rela.got', SHT_RELA, SHF_ALLOC, unit.index, '<linker>');
    rela.align = 8;
    rela.entsize = RELA_SIZE;
    for (let i = 0; i < relocs * 3; i++) rela.putLE(0n, 8); // R_RISCV_NONE
    rela.size = relocs * RELA_SIZE;
    unit.sections.push(rela);
  }
  const target = new Map<Fixup, bigint>();
  for (const r of refs) {
    const e = r.entry;
    let off = e.off;
    if (r.kind === GOT_TLS_IE && e.tls & GOT_TLS_GD) off += 16;
    target.set(r.fx, BigInt(off) + r.add);
  }
  return { unit, got, target };
}

/**
 * The inputs in the order GNU ld meets them when it places orphans and fills descriptions: its GOT sections
 * belong to the first input whose relocations it checked (the "dynobj", made in the order .rela.got, .got,
 * .got.plt), so they follow that input's own sections rather than come last.
 */
export function unitsWithGot<U extends LinkUnit>(units: U[], plan: GotPlan): U[] {
  const gotUnit = units.find((u) => u.index === plan.unit.index);
  if (!gotUnit) return units;
  const rest = units.filter((u) => u !== gotUnit);
  const host = rest.findIndex((u) => u.sections.some((sec) => sec.fixupCount() > 0));
  const rank = (s: InputSection) => ['.rela.got', '.got', '.got.plt'].indexOf(s.name);
  const moved = { ...gotUnit, sections: gotUnit.sections.slice().sort((a, b) => rank(a) - rank(b)) };
  rest.splice(host < 0 ? rest.length : host + 1, 0, moved);
  return rest;
}
