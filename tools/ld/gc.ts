// --gc-sections: drop allocated input sections nothing needs, as GNU ld 2.40 does for a static executable
// (bfd/elflink.c, bfd_elf_gc_sections): the roots are the section of the entry symbol, .eh_frame and sections GNU's
// default script KEEPs (.init, .fini, .init_array*, .fini_array*, .preinit_array*, .ctors*, .dtors*, .jcr)
// and SHT_NOTE-like `.note*` sections, and the sections of symbols named by -u (`undefined`); from each kept
// section every relocation (every fixup and relaxable branch of an rvx source) marks the section its target
// is defined in (a global through its winning definition). Non-allocated sections (debug info, .comment) mark
// nothing and are kept when their input keeps an allocated section; a SHF_LINK_ORDER section stays with the
// section it is linked to. .eh_frame marks nothing by itself and loses the FDEs of dropped code (ld's
// eh_frame editing; an rvx source's table is written again without them), but a kept code section keeps what
// its FDEs and their CIEs point to besides code (the LSDA in .gcc_except_table, the personality routine's
// DW.ref word: elflink.c _bfd_elf_gc_mark_fdes). A reference to `__start_NAME`/`__stop_NAME` keeps every
// section NAME.
// A kept section keeps the other sections of its group (COMDAT or not).
// Symbols defined in dropped sections leave the symbol table (a local read from debug info is 0).

import { forEachSymbol, type Sym } from '../asm/expr.js';
import type { LinkUnit } from '../asm/link.js';
import type { InputSection } from '../asm/section.js';
import { SHF_ALLOC, SHF_EXECINSTR } from '../elf/model.js';
import { Unit } from '../asm/unit.js';
import { ObjectUnit } from './object-unit.js';

const KEEP = /^(\.init|\.fini|\.init_array(\..*)?|\.fini_array(\..*)?|\.preinit_array(\..*)?|\.ctors(\..*)?|\.dtors(\..*)?|\.jcr|\.note.*)$/;

/** Remove the unneeded sections from `units` (in place); returns the removed ones. With no entry symbol
 * defined, nothing is removed (GNU ld then has no root either and keeps what its script keeps). */
export function gcSections(units: LinkUnit[], globals: Map<string, Sym>, entry: string, undefinedRoots: string[] = [], keepRoot?: (sec: InputSection) => boolean): InputSection[] {
  const findDefined = (name: string): Sym | undefined => {
    const g = globals.get(name);
    if (g) return g;
    for (const u of units) {
      const s = u.symbols.get(name);
      if (s && s.kind === 1) return s;
    }
    return undefined;
  };
  const entrySym = findDefined(entry);
  if (!entrySym) return [];
  const byName = new Map<string, InputSection[]>();
  for (const u of units) for (const sec of u.sections) {
    let l = byName.get(sec.name);
    if (!l) byName.set(sec.name, (l = []));
    l.push(sec);
  }
  // The sections of a group are kept together, as GNU ld marks a kept section's group (elflink.c
  // _bfd_elf_gc_mark: g++ puts a class's deleting destructor D0 in the group of its D2, and an abstract
  // class's vtable names neither).
  const groupMembers = new Map<InputSection, InputSection[]>();
  for (const u of units) {
    const bySig = new Map<string, InputSection[]>();
    for (const sec of u.sections) {
      const sig = u instanceof ObjectUnit ? u.groupOf.get(sec) : sec.group?.signature;
      if (sig === undefined) continue;
      let l = bySig.get(sig);
      if (!l) bySig.set(sig, (l = []));
      l.push(sec);
      groupMembers.set(sec, l);
    }
  }
  const kept = new Set<InputSection>();
  const work: InputSection[] = [];
  const keep = (sec: InputSection | null) => {
    if (!sec || kept.has(sec)) return;
    kept.add(sec);
    work.push(sec);
    for (const m of groupMembers.get(sec) ?? []) keep(m);
  };
  const seen = new Set<Sym>();
  const mark = (s: Sym) => {
    if (seen.has(s)) return;
    seen.add(s);
    let d = s;
    if (d.overriddenBy) d = d.overriddenBy;
    else if (d.kind === 0 && !d.temp) d = globals.get(d.name) ?? d;
    if (d.kind === 0) {
      const m = /^__(start|stop)_(.+)$/.exec(d.name);
      if (m) for (const sec of byName.get(m[2]) ?? []) keep(sec);
      return;
    }
    if (d !== s) mark(d);
    if (d.kind === 1) keep(d.section);
    else if (d.kind === 3 && d.expr) forEachSymbol(d.expr, mark);
  };
  mark(entrySym);
  for (const name of undefinedRoots) {
    const s = findDefined(name);
    if (s) mark(s);
  }
  for (const u of units) for (const sec of u.sections) {
    if (keepRoot ? keepRoot(sec) : sec.name === '.eh_frame' || (sec.flags & SHF_ALLOC && KEEP.test(sec.name))) keep(sec);
  }
  const frameRefs = frameReferences(units);
  const follow = () => {
    while (work.length) {
      const sec = work.pop()!;
      if (!(sec.flags & SHF_ALLOC) || sec.name === '.eh_frame') continue;
      for (const s of frameRefs.get(sec) ?? []) mark(s);
      for (const fx of sec.fixups) forEachSymbol(fx.expr, mark);
      for (let r = 0; r < sec.relaxes.n; r++) forEachSymbol(sec.relaxes.target(r), mark);
    }
  };
  follow();
  // A SHF_LINK_ORDER section (gcc's __patchable_function_entries) stays when the section it is linked to
  // stays, and keeps what it refers to (bfd's _bfd_elf_gc_mark_extra_sections), until nothing changes.
  const linkedTo = (u: LinkUnit, sec: InputSection): InputSection | null =>
    sec.linkedTo ?? (sec.linkOrder ? (u.symbols.get(sec.linkOrder.symbol)?.section ?? null) : null);
  for (let more = true; more; ) {
    more = false;
    for (const u of units) for (const sec of u.sections) {
      const to = kept.has(sec) ? null : linkedTo(u, sec);
      if (to && kept.has(to)) {
        keep(sec);
        more = true;
      }
    }
    follow();
  }
  // Non-allocated sections (debug information, .comment) stay with their input when it keeps an allocated
  // section other than a note (.eh_frame counts: the default script KEEPs it), and go with it otherwise
  // (bfd's _bfd_elf_gc_mark_extra_sections).
  for (const u of units) {
    if (!u.sections.some((s) => kept.has(s) && s.flags & SHF_ALLOC && !s.name.startsWith('.note'))) continue;
    for (const sec of u.sections) if (!(sec.flags & SHF_ALLOC)) kept.add(sec);
  }
  const removed: InputSection[] = [];
  for (const u of units) for (const sec of u.sections) if (!kept.has(sec)) removed.push(sec);
  removeSections(units, new Set(removed));
  return removed;
}

/**
 * What the call-frame records of each code section refer to besides code: for an object, the symbols that
 * the relocations of each .eh_frame FDE and of its CIE name outside code and .eh_frame (record boundaries
 * from the length fields; a section that does not decode gives nothing); for an rvx source, the
 * personality and LSDA pointers of its procedures.
 */
function frameReferences(units: LinkUnit[]): Map<InputSection, Sym[]> {
  const refs = new Map<InputSection, Sym[]>();
  const add = (code: InputSection, syms: Sym[]) => {
    if (!syms.length) return;
    const l = refs.get(code);
    if (l) l.push(...syms);
    else refs.set(code, [...syms]);
  };
  for (const u of units) {
    if (u instanceof Unit) {
      for (const p of u.frames_?.ehFrame ? u.frames_.procs : []) {
        const syms: Sym[] = [];
        for (const ptr of [p.personality, p.lsda]) if (ptr) forEachSymbol(ptr.expr, (s) => syms.push(s));
        add(p.sec, syms);
      }
      continue;
    }
    for (const sec of u.sections) {
      if (sec.name !== '.eh_frame' || sec.nFrags !== 1 || !sec.fixups.length) continue;
      const b = sec.fragBytes(0);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const symsIn = (from: number, to: number): Sym[] => {
        const out: Sym[] = [];
        for (const fx of sec.fixups) if (fx.offset >= from && fx.offset < to) forEachSymbol(fx.expr, (s) => out.push(s));
        return out;
      };
      const isCode = (s: Sym) => s.kind === 1 && s.section !== null && (s.section.flags & SHF_EXECINSTR) !== 0;
      for (let p = 0; p + 8 <= b.length; ) {
        const len = dv.getUint32(p, true);
        if (len === 0 || len === 0xffffffff || p + 4 + len > b.length) break;
        const id = dv.getUint32(p + 4, true);
        if (id !== 0 && p + 4 - id >= 0 && p + 8 - id <= b.length) {
          const cie = p + 4 - id;
          const cieEnd = cie + 4 + dv.getUint32(cie, true);
          const syms = [...symsIn(p, p + 4 + len), ...symsIn(cie, cieEnd)];
          const data = syms.filter((s) => !isCode(s) && !(s.kind === 1 && s.section === sec));
          for (const code of new Set(syms.filter(isCode).map((s) => s.section!))) add(code, data);
        }
        p += 4 + len;
      }
    }
  }
  return refs;
}

/** Take `gone` out of the units: their symbols become absolute 0 placeholders nothing writes out (a local
 * that debug information reads is 0), an rvx source's frame table loses their FDEs. */
export function removeSections(units: LinkUnit[], goneAll: Set<InputSection>): void {
  for (const u of units) {
    const gone = u.sections.filter((s) => goneAll.has(s));
    if (!gone.length) continue;
    const goneSet = new Set(gone);
    u.sections = u.sections.filter((s) => !goneSet.has(s));
    for (const sym of u.symbols.values()) {
      if (sym.kind !== 1 || !sym.section || !goneSet.has(sym.section)) continue;
      if (u instanceof ObjectUnit) u.discardedSyms.add(sym);
      sym.kind = 2;
      sym.value = 0n;
      sym.section = null;
      sym.frag = -1;
      sym.temp = true;
    }
    if (u instanceof Unit) u.dropFrames(goneSet);
  }
}
