// Driving linker relaxation over a link (tools/asm/link.ts calls it between placements): which input
// sections relax, the environment tools/ld/relax.ts decides in (gp, alignments, symbol targets), and the
// rounds until nothing changes, then R_RISCV_ALIGN.

import type { Diagnostic } from '../asm/diagnostics.js';
import { E_NUM, symbolPlusConstant, type Sym } from '../asm/expr.js';
import type { LinkOptions, LinkUnit, OutputSection } from '../asm/link.js';
import type { InputSection } from '../asm/section.js';
import { addDiag } from './link-diag.js';
import { ObjectUnit, type RelaxInfo } from './object-unit.js';
import { relaxAlign, relaxScan, type RelaxEnv, type RelaxTarget } from './relax.js';
import { SHF_EXECINSTR } from '../elf/model.js';

const alignUp = (v: bigint, a: number): bigint => (a > 1 ? ((v + BigInt(a) - 1n) / BigInt(a)) * BigInt(a) : v);

/**
 * Linker relaxation and R_RISCV_ALIGN for the objects that carry them (tools/ld/relax.ts): pass 0 round after
 * round (re-placing the sections after each) until nothing changes, then the alignments. Returns the value of
 * `__global_pointer$` that gp-relative accesses use (null when there are none).
 */
export function relaxObjects(
  units: LinkUnit[],
  ordered: OutputSection[],
  byName: Map<string, OutputSection>,
  globals: Map<string, Sym>,
  opts: LinkOptions,
  diags: Diagnostic[],
  place: () => void,
  provided: () => Map<string, { value: bigint; section: string | null }>,
  tlsBase: () => bigint | null,
  layout: {
    /** Placed by a linker script, GNU ld's default one included (it defines __global_pointer$). */
    script: boolean;
    /** The layout ld's second sizing pass of a round sees, when there is one (see the rounds below). */
    placeUnadjusted: (() => boolean) | null;
  } = { script: !!opts.script, placeUnadjusted: null },
): bigint | null {
  const owner = new Map<InputSection, { u: ObjectUnit; info: RelaxInfo }>();
  for (const u of units) if (u instanceof ObjectUnit) for (const [sec, info] of u.relax) owner.set(sec, { u, info });
  if (!owner.size) {
    place();
    return null;
  }
  const work: { sec: InputSection; u: ObjectUnit; info: RelaxInfo }[] = [];
  for (const o of ordered) for (const sec of o.inputs) {
    const w = owner.get(sec);
    if (w) work.push({ sec, ...w });
  }
  const addrOf = (s: Sym): bigint => s.section!.addr + BigInt(s.section!.fOff[s.frag] + s.offset);
  const GP = '__global_pointer$';
  // A linker script that defines __global_pointer$ (GNU ld's default script does) enables gp-relative
  // relaxation as GNU ld's does, whether or not an input names it.
  const gpWanted = opts.relaxGp !== false && (units.some((u) => u.symbols.has(GP)) || (layout.script && provided().has(GP)));
  const gpNow = (): { value: bigint; out: string | null } | null => {
    if (!gpWanted) return null;
    const d = globals.get(GP);
    if (d && d.kind === 1) return { value: addrOf(d), out: d.section!.outputName };
    if (d && d.kind === 2) return { value: d.value, out: null };
    const p = provided().get(GP);
    return p ? { value: p.value, out: p.section } : null;
  };
  const maxAlign = Math.max(1, ...ordered.map((o) => o.align));
  let maxAlignNearGp = -1;
  const fits12 = (v: bigint) => v >= -0x800n && v < 0x800n;
  const env: RelaxEnv = {
    gp: null,
    gpOut: null,
    maxAlign,
    maxAlignNearGp: 1,
    outputOf: (sec) => {
      const o = byName.get(sec.outputName);
      return { name: sec.outputName, align: o ? o.align : 1 };
    },
    tpOffset: (v) => {
      const b = tlsBase();
      return b === null ? null : v - b;
    },
    error: (_fx, sec, offset, message) => addDiag(diags, { file: sec.unitName, line: 0, col: 0, note: `${sec.name}+0x${offset.toString(16)}` }, message),
    target: (_u, fx): RelaxTarget | null => {
      const t = symbolPlusConstant(fx.expr);
      if (!t) return null;
      const orig = t.sym;
      let s = orig;
      if (s.kind === 0 && !s.temp) s = globals.get(s.name) ?? s;
      else if (s.overriddenBy) s = s.overriddenBy;
      let value: bigint;
      let section: InputSection | null = null;
      let outName: string | null = null;
      let undefWeak = false;
      if (s.kind === 1) {
        value = addrOf(s);
        section = s.section;
        outName = s.section!.outputName;
      } else if (s.kind === 2) value = s.value;
      else if (s.kind === 0) {
        const p = s.temp ? undefined : provided().get(s.name);
        if (p) {
          value = p.value;
          outName = p.section;
        } else if (s.weak) {
          value = 0n;
          undefWeak = true;
        } else return null;
      } else return null;
      // GNU's reserve_size: the symbol's size minus the addend (0 if that wraps), not for global functions.
      const size = s.size && s.size.t === E_NUM ? BigInt.asUintN(64, s.size.v) : 0n;
      const left = BigInt.asUintN(64, size - t.add);
      const reserve = (s.global && s.type === 'func') || left > size ? 0n : left;
      const o = outName !== null ? byName.get(outName) : undefined;
      return { value: value + t.add, section, outName, outAlign: o ? o.align : 1, undefWeak, reserve };
    },
  };
  const setGp = () => {
    const g = gpNow();
    env.gp = g ? g.value : null;
    env.gpOut = g ? g.out : null;
    if (g && maxAlignNearGp < 0) {
      // GNU ld 2.40 (_bfd_riscv_get_max_alignment): the largest alignment of any output section, wherever it
      // is (a 64-byte aligned .tohost far from gp still keeps a symbol 2032 bytes below gp from relaxing).
      maxAlignNearGp = 1;
      for (const o of ordered) maxAlignNearGp = Math.max(maxAlignNearGp, o.align);
    }
    env.maxAlignNearGp = Math.max(1, maxAlignNearGp);
  };
  // GNU ld relaxes an input section just before it places it (ldlang.c, lang_size_sections_1): in a round
  // the sections walked before it are already at their new addresses, it and those after it still at the
  // previous round's. So a call to an earlier function measures a longer distance than the previous round's
  // layout gives (it decides c.j or jal at the edge of c.j's 2 KiB as GNU does). rvx moves the inputs of a
  // code output section after each is scanned, where that output is a plain run of aligned inputs (its
  // addresses are the sizes laid end to end); place() then lays everything out again.
  const moveAsScanned = (o: OutputSection): boolean => {
    if (!(o.flags & SHF_EXECINSTR)) return false;
    let dot = o.addr;
    for (const sec of o.inputs) {
      const a = alignUp(dot, sec.align);
      if (a !== sec.addr) return false;
      dot = a + BigInt(sec.size);
    }
    return true;
  };
  const scan = (): boolean => {
    setGp();
    let changed = false;
    for (const o of ordered) {
      const move = moveAsScanned(o);
      let dot = o.addr;
      for (const sec of o.inputs) {
        const w = owner.get(sec);
        if (w && w.info.relaxable.size && relaxScan(w.u, sec, w.info, env)) changed = true;
        if (!move) continue;
        sec.addr = alignUp(dot, sec.align);
        dot = sec.addr + BigInt(sec.size);
      }
    }
    return changed;
  };
  if (opts.relax) {
    for (let round = 0; round < 10000; round++) {
      let changed = scan();
      // GNU ld sizes the sections twice in a round when DATA_SEGMENT_ALIGN saves a page, relaxing in both
      // passes: the second sees the data segment where the first put it, at the same offset in the next page
      // (ldlang.c lang_size_sections; a gp-relative access 8 bytes too far from gp in one layout can be in
      // reach in the other).
      if (layout.placeUnadjusted?.() && scan()) changed = true;
      place();
      if (!changed) break;
    }
  }
  else place();
  setGp();
  let aligned = false;
  for (const w of work) {
    if (!w.info.aligns.length) continue;
    relaxAlign(w.u, w.sec, w.info, env);
    aligned = true;
  }
  if (aligned) place();
  setGp();
  return env.gp;
}
