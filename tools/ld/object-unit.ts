// A relocatable object as a link unit: its sections become input sections (one data fragment each), its
// symbols become the linker's symbols, and its relocations become fixups the linker applies after
// placement (tools/ld/relocs.ts says how each one patches the bytes).

import { SHF_ALLOC, SHF_EXECINSTR, SHF_LINK_ORDER, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../elf/model.js';
import { SHF_MERGE, SHN_ABS, SHN_COMMON, SHN_UNDEF, SHT_GROUP, SHT_RELA, type ElfObject } from '../elf/object.js';
import { parseIsa, SHT_RISCV_ATTRIBUTES, TAG_ARCH, type Attributes } from '../asm/attributes.js';
import { E_BIN, E_NUM, E_SYM, OP_ADD, type Expr, type LocCtx, Sym } from '../asm/expr.js';
import { FIX_RELOC, InputSection, type Fixup } from '../asm/section.js';
import type { LinkUnit } from '../asm/link.js';
import { R } from './relocs.js';

/** Sections a static link drops: bookkeeping the object format needs, not the program. */
function dropped(name: string, type: number): boolean {
  return type === 0 || type === 2 || type === 3 || type === SHT_RELA || type === 9 || type === SHT_GROUP || type === SHT_RISCV_ATTRIBUTES || name === '.note.GNU-stack';
}

function readAttributes(data: Uint8Array): Attributes {
  const attrs: Attributes = { ints: new Map(), strs: new Map(), arch: null };
  // 'A', uint32 len, "riscv\0", Tag_File(1), uint32 len, then (uleb tag, value) pairs.
  if (data[0] !== 0x41) return attrs;
  let p = 1;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  while (p + 4 <= data.length) {
    const subLen = dv.getUint32(p, true);
    const subEnd = Math.min(data.length, p + subLen);
    let q = p + 4;
    let vendor = '';
    while (q < subEnd && data[q] !== 0) vendor += String.fromCharCode(data[q++]);
    q++;
    if (vendor === 'riscv') {
      while (q + 5 <= subEnd) {
        const tag = data[q];
        const len = dv.getUint32(q + 1, true);
        const end = Math.min(subEnd, q + len);
        let r = q + 5;
        if (tag === 1) {
          const uleb = (): bigint => {
            let v = 0n;
            let shift = 0n;
            while (r < end) {
              const c = data[r++];
              v |= BigInt(c & 0x7f) << shift;
              shift += 7n;
              if (!(c & 0x80)) break;
            }
            return v;
          };
          while (r < end) {
            const t = Number(uleb());
            if (t % 2 === 1) {
              let s = '';
              while (r < end && data[r] !== 0) s += String.fromCharCode(data[r++]);
              r++;
              if (t === TAG_ARCH) {
                const isa = parseIsa(s);
                if (typeof isa !== 'string') attrs.arch = isa;
              } else attrs.strs.set(t, s);
            } else attrs.ints.set(t, uleb());
          }
        }
        if (len < 5) break;
        q += len;
      }
    }
    if (subLen < 5) break;
    p += subLen;
  }
  return attrs;
}

/** What linker relaxation needs from an object's section besides its fixups. */
export interface RelaxInfo {
  /** Fixups (relocations) followed by an R_RISCV_RELAX at the same offset: the linker may rewrite them. */
  relaxable: Set<Fixup>;
  /** R_RISCV_ALIGN: `addend` bytes of nops at `offset` that pad to the next multiple of a power of two > addend. */
  aligns: { offset: number; addend: number }[];
}

export class ObjectUnit implements LinkUnit {
  sections: InputSection[] = [];
  symbols = new Map<string, Sym>();
  fileSymbols: string[] = [];
  listing = [];
  attrs: Attributes = { ints: new Map(), strs: new Map(), arch: null };
  /** The object's e_flags (RVC, float ABI). */
  eFlags: number;
  /** Has a code section with contents (an empty `.text` counts): only such objects take part in the
   * e_flags check (bfd elfnn-riscv.c, _bfd_riscv_elf_merge_private_bfd_data). */
  hasCode: boolean;
  /** Section symbols (STT_SECTION): a reference to one names a place by section + addend. */
  sectionSyms = new Set<Sym>();
  /** Mapping symbols (`$x`, `$d`, `$xrv64i2p1_...`: psABI "Mapping Symbol"), which GNU ld keeps in the output. */
  mappingSyms = new Set<Sym>();
  /** Non-default visibility of the object's symbols (st_other: 1 internal, 2 hidden, 3 protected). */
  visibility = new Map<Sym, number>();
  /** The object has an STT_FILE symbol of its own (else fileSymbols holds its file name). */
  ownFileSymbol = false;
  /** Relaxation candidates per section (sections with R_RISCV_RELAX or R_RISCV_ALIGN). */
  relax = new Map<InputSection, RelaxInfo>();
  /** Symbols defined in discarded COMDAT sections (an .eh_frame FDE for one is dropped). */
  discardedSyms = new Set<Sym>();
  /** The signature of the section group (COMDAT or not) each kept section belongs to (--gc-sections keeps a group whole). */
  groupOf = new Map<InputSection, string>();
  /** sh_entsize of SHF_MERGE sections. */
  entsize = new Map<InputSection, number>();

  /**
   * `groups` holds the COMDAT group signatures kept so far in the link: a group whose signature is already
   * there is discarded with its sections and their relocations (GNU ld keeps the first copy). Symbols defined
   * in discarded sections become references (globals, bound to the kept copy) or 0 (locals, as for debug info
   * that described the discarded copy).
   */
  constructor(
    public index: number,
    public name: string,
    obj: ElfObject,
    groups: Set<string> = new Set(),
  ) {
    this.eFlags = obj.flags;
    this.hasCode = obj.sections.some((s) => s.flags & SHF_ALLOC && s.flags & SHF_EXECINSTR && s.type !== SHT_NOBITS);
    const secMap = new Map<number, InputSection>();
    const discarded = new Set<number>();
    const groupOfIndex = new Map<number, string>();
    for (const s of obj.sections) {
      if (s.type !== SHT_GROUP || s.data.length < 4) continue;
      const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
      const comdat = dv.getUint32(0, true) & 1;
      const signature = obj.symbols[s.info]?.name ?? '';
      for (let p = 4; p + 4 <= s.data.length; p += 4) groupOfIndex.set(dv.getUint32(p, true), signature);
      if (!comdat) continue;
      if (groups.has(signature)) {
        for (let p = 4; p + 4 <= s.data.length; p += 4) discarded.add(dv.getUint32(p, true));
      } else groups.add(signature);
    }
    for (const s of obj.sections) {
      if (s.type === SHT_RISCV_ATTRIBUTES) this.attrs = readAttributes(s.data);
      if (dropped(s.name, s.type) || discarded.has(s.index)) continue;
      const sec = new InputSection(s.name, s.type === SHT_NOBITS ? SHT_NOBITS : s.type === 1 ? SHT_PROGBITS : s.type, s.flags, index, name);
      sec.align = s.align;
      if (s.type === SHT_NOBITS) {
        sec.addZeroFill(s.size);
      } else sec.putBytes(s.data);
      sec.hasLabels = true;
      if (s.flags & SHF_MERGE && s.entsize > 0) {
        this.entsize.set(sec, s.entsize);
        sec.entsize = s.entsize;
      }
      secMap.set(s.index, sec);
      const sig = groupOfIndex.get(s.index);
      if (sig !== undefined) this.groupOf.set(sec, sig);
      this.sections.push(sec);
    }
    // SHF_LINK_ORDER sections (gcc's __patchable_function_entries) go with the section sh_link names (gc.ts).
    for (const s of obj.sections) if (s.flags & SHF_LINK_ORDER && secMap.has(s.index)) secMap.get(s.index)!.linkedTo = secMap.get(s.link) ?? null;
    // Symbols, by index (relocations name them so).
    const syms: Sym[] = [];
    let common: InputSection | null = null;
    // Where the object's symbols are defined: the object itself, no line (one record for all of them).
    const fileCtx: LocCtx = { file: name, note: undefined };
    obj.symbols.forEach((os, i) => {
      const sym = new Sym(os.name, false);
      sym.global = os.bind !== 0;
      sym.weak = os.bind === 2;
      sym.type = os.type === 2 ? 'func' : os.type === 1 || os.type === 6 ? 'object' : 'notype';
      if (os.size) sym.size = { t: E_NUM, v: os.size };
      sym.defCtx = fileCtx;
      syms.push(sym);
      if (i === 0) return;
      if (os.type === 4) {
        this.fileSymbols.push(os.name);
        this.ownFileSymbol = true;
        return;
      }
      if (os.shndx === SHN_UNDEF) {
        sym.defCtx = null;
      } else if (os.shndx === SHN_ABS) {
        sym.kind = 2;
        sym.value = os.value;
      } else if (os.shndx === SHN_COMMON) {
        // A common symbol: space in this object's COMMON section, aligned as its value says.
        if (!common) {
          common = new InputSection('COMMON', SHT_NOBITS, SHF_ALLOC | SHF_WRITE, index, name);
          this.sections.push(common);
        }
        const align = Number(os.value) || 1;
        if (align > common.align) common.align = align;
        const at = Math.ceil(common.size / align) * align;
        common.addZeroFill(at - common.size + Number(os.size));
        sym.kind = 1;
        sym.section = common;
        sym.frag = 0;
        sym.offset = at;
        sym.common = true;
        sym.commonAlign = align;
        sym.type = 'object';
        common.size = at + Number(os.size);
      } else if (os.shndx < 0xff00) {
        const sec = secMap.get(os.shndx);
        if (!sec) {
          if (!discarded.has(os.shndx)) return; // in a dropped section
          // In a discarded COMDAT section: a global names the kept copy; a local reads as 0.
          this.discardedSyms.add(sym);
          if (sym.global) {
            sym.defCtx = null;
            this.symbols.set(os.name, sym);
          } else {
            sym.kind = 2;
            sym.temp = true;
          }
          return;
        }
        sym.kind = 1;
        sym.section = sec;
        sym.frag = 0;
        sym.offset = Number(os.value);
      }
      // Section symbols, assembler-local labels and mapping symbols are not copied to the output.
      if (os.type === 3) this.sectionSyms.add(sym);
      if (os.type === 3 || os.name === '' || (!sym.global && (os.name.startsWith('.L') || os.name.startsWith('$')))) sym.temp = true;
      if (!sym.global && os.type !== 3 && /^\$[xd]/.test(os.name) && sym.kind === 1) this.mappingSyms.add(sym);
      if (os.visibility) this.visibility.set(sym, os.visibility);
      if (sym.kind === 0 && !sym.global) return;
      // A reference --wrap renamed to a name the object defines (tools/ld/wrap.ts) must not displace it.
      const clash = sym.kind === 0 && sym.global && this.symbols.has(os.name);
      this.symbols.set(sym.global && !clash ? os.name : `${os.name}\u0000${i}`, sym);
    });
    if (common) (common as InputSection).size = 0;
    if (!this.fileSymbols.length) this.fileSymbols.push(name.slice(name.lastIndexOf('/') + 1));
    // Undefined globals share one Sym per name within the object.
    // Relocations become fixups on the section's single data fragment.
    for (const [target, list] of obj.relocs) {
      const sec = secMap.get(target);
      if (!sec) continue;
      const frag = 0;
      let info: RelaxInfo | undefined;
      const relaxInfo = (): RelaxInfo => {
        if (!info) this.relax.set(sec, (info = { relaxable: new Set(), aligns: [] }));
        return info;
      };
      let prev: Fixup | null = null;
      for (const r of list) {
        if (r.type === R.RELAX) {
          // GNU ld relaxes a relocation only when R_RISCV_RELAX follows it at the same offset.
          if (prev && prev.offset === r.offset) relaxInfo().relaxable.add(prev);
          prev = null;
          continue;
        }
        prev = null;
        if (r.type === R.ALIGN) {
          if (r.addend > 0n) relaxInfo().aligns.push({ offset: r.offset, addend: Number(r.addend) });
          continue;
        }
        if (r.type === R.NONE) continue;
        const sym = syms[r.sym];
        const base: Expr = sym;
        const expr: Expr = r.addend === 0n ? base : { t: E_BIN, op: OP_ADD, a: base, b: { t: E_NUM, v: r.addend } };
        const fx: Fixup = {
          kind: FIX_RELOC, frag, offset: r.offset, expr, size: 0, def: null, field: r.type, pcAdjust: 0,
          loc: { file: name, line: 0, col: 0, note: `${sec.name}+0x${r.offset.toString(16)}` },
        };
        sec.fixups.push(fx);
        prev = fx;
      }
    }
  }
}
