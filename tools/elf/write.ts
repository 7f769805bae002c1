// ELF64 little-endian RISC-V executable writer (System V gABI, "Object Files" chapter; RISC-V psABI for
// e_flags). Layout: ELF header, program headers, each PT_LOAD segment at a file offset congruent to its
// address modulo the page size, non-loaded sections, .symtab/.strtab/.shstrtab, section header table.
// Output depends only on the image: no timestamps, stable orders.

import { EM_RISCV, NO_SECTION, SHT_NOBITS, SHT_STRTAB, SHT_SYMTAB, SHF_ALLOC, SYMBOL_BIND, SYMBOL_TYPE, type ElfImage, type ElfSymbol, type SymbolColumns } from './model.js';
import { distinctPlainTable, StringTable, tailMergedStringTable, type TailMergedTable } from './strtab.js';

export interface WriteElfOptions {
  /** e_flags: EF_RISCV_RVC (0x1) | float ABI (soft = 0). */
  flags?: number;
  /** p_align of PT_LOAD segments (default 0x1000). */
  pageSize?: number;
  /** Write .symtab and .strtab (default true; GNU ld -s leaves them out). */
  symbolTable?: boolean;
}

export const EF_RISCV_RVC = 0x1;
const SHN_ABS = 0xfff1;
const PT_LOAD = 1;
const PT_TLS = 7;
const PT_GNU_EH_FRAME = 0x6474e550;
const PT_RISCV_ATTRIBUTES = 0x70000003;

function alignUp(v: number, a: number): number {
  return a <= 1 ? v : Math.ceil(v / a) * a;
}

const BIND = SYMBOL_BIND;
const TYPE = SYMBOL_TYPE;
const STT_TLS = 6;

/**
 * The .symtab entries of `syms` (after the null entry). A loop of its own, so V8 optimises it: an image of
 * a large program has tens of thousands of symbols and this runs once. `tlsBase`: the TLS template's
 * address, or null without one. `str` holds the names of `syms`, in that order.
 */
function writeSymbols(symtab: Uint8Array, syms: readonly ElfSymbol[], str: { offsetAt(k: number): number }, secIndex: ReadonlyMap<string, number>, tlsBase: bigint | null): void {
  const sv = new DataView(symtab.buffer, symtab.byteOffset, symtab.byteLength);
  // Symbols come in runs of one section: its index looked up once per run.
  let lastSection: string | null = null;
  let lastIndex = SHN_ABS;
  for (let k = 0; k < syms.length; k++) {
    const s = syms[k];
    const p = 24 * (k + 1);
    sv.setUint32(p, str.offsetAt(k), true);
    symtab[p + 4] = (BIND[s.bind] << 4) | TYPE[s.type];
    const vis = s.visibility;
    if (vis !== undefined) symtab[p + 5] = vis & 3;
    const section = s.section;
    if (section !== lastSection) {
      lastSection = section;
      lastIndex = section === null ? SHN_ABS : (secIndex.get(section) ?? SHN_ABS);
    }
    sv.setUint16(p + 6, lastIndex, true);
    // An STT_TLS symbol's value is its offset in the TLS template (GNU ld; gABI leaves it to the ABI).
    const value = s.type === 'tls' && tlsBase !== null ? s.value - tlsBase : s.value;
    // (setBigUint64 stores a value modulo 2^64: a negative one in two's complement.)
    sv.setBigUint64(p + 8, value, true);
    // st_size: the table is zero-filled, and most symbols (labels) have no size.
    const size = s.size;
    if (size !== 0) {
      sv.setUint32(p + 16, size % 0x100000000, true);
      sv.setUint32(p + 20, Math.floor(size / 0x100000000), true);
    }
  }
}

/**
 * The .symtab entries of columns `c` (after the null entry), as writeSymbols writes a list. `symtab` starts at
 * a multiple of 8 in its buffer (writeElfPieces aligns the table): the entries are written as 32- and 64-bit
 * elements of typed arrays over it (little-endian, as ELF's fields here), stores that cost V8's interpreter
 * and baseline code less than a DataView's method calls.
 */
function writeColumns(symtab: Uint8Array, c: SymbolColumns, str: TailMergedTable, secIndex: ReadonlyMap<string, number>, tlsBase: bigint | null): void {
  const w = new Uint32Array(symtab.buffer, symtab.byteOffset, symtab.byteLength >> 2);
  const w64 = new BigUint64Array(symtab.buffer, symtab.byteOffset, symtab.byteLength >> 3);
  const shndx = c.sectionNames.map((name) => secIndex.get(name) ?? SHN_ABS);
  const { names, values, sizes, info, other, section } = c;
  // A sequential table's offsets are counted here (tools/elf/strtab.ts distinctPlainTable has none of its own).
  const sequential = str.sequential === true;
  let at = 1;
  // By Array#forEach with a small callback: the builtin's loop, and a function V8 optimises quickly, where a
  // loop in this once-called function runs interpreted until on-stack replacement, whose compile costs more.
  names.forEach((name: string, k: number): void => {
    // Entry k + 1: words 6(k + 1) (st_name) and 6(k + 1) + 1 (st_info, st_other, st_shndx), then st_value
    // and st_size as 64-bit elements 3(k + 1) + 1 and + 2.
    const q = 6 * (k + 1);
    w[q] = sequential ? at : str.offsetAt(k);
    at += name.length + 1;
    const i = info[k];
    const sec = section[k];
    w[q + 1] = i | ((other[k] & 3) << 8) | ((sec === NO_SECTION ? SHN_ABS : shndx[sec]) << 16);
    // (A BigUint64Array stores a value modulo 2^64: a negative one in two's complement.)
    w64[3 * k + 4] = (i & 15) === STT_TLS && tlsBase !== null ? values[k] - tlsBase : values[k];
    const size = sizes[k];
    if (size !== 0) {
      w[q + 4] = size % 0x100000000;
      w[q + 5] = Math.floor(size / 0x100000000);
    }
  });
}

/**
 * An executable as writeElf makes it, with the bytes of its segments left out of `bytes` (zero there) and
 * listed in `segments` with their file offsets: written over `bytes`, they make the same file. A writer
 * can then write the segments from their own arrays (the program's largest: its code), without a copy
 * into the untouched pages of a fresh file-sized buffer (each first touch of a page costs ~12 µs on the
 * development VM, more than the copy). `segments` is empty when the first segment holds the headers (GNU
 * ld's layouts), which are written over its bytes.
 */
export interface ElfPieces {
  bytes: Uint8Array;
  segments: { offset: number; data: Uint8Array }[];
}

/**
 * The file's bytes in order as consecutive pieces: `bytes` up to a segment, the segment's own array, and so
 * on. Segments that overlap or run past the file (not what writeElfPieces makes) are written into `bytes`,
 * which is then the one piece.
 */
export function elfPieceList(p: ElfPieces): Uint8Array[] {
  const order = p.segments.slice().sort((a, b) => a.offset - b.offset);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const seg of order) {
    if (seg.offset < at || seg.offset + seg.data.length > p.bytes.length) {
      for (const s of p.segments) p.bytes.set(s.data, s.offset);
      return [p.bytes];
    }
    if (seg.offset > at) out.push(p.bytes.subarray(at, seg.offset));
    out.push(seg.data);
    at = seg.offset + seg.data.length;
  }
  if (at < p.bytes.length) out.push(p.bytes.subarray(at));
  return out;
}

/** Serialise an image as an ELF64 RISC-V executable. */
export function writeElf(image: ElfImage, opts: WriteElfOptions = {}): Uint8Array {
  return writeElfPieces(image, opts, false).bytes;
}

/** writeElf, with the segments' bytes apart when `apart` (see ElfPieces). */
export function writeElfPieces(image: ElfImage, opts: WriteElfOptions = {}, apart = true): ElfPieces {
  const page = opts.pageSize ?? 0x1000;
  const attrs = image.attributesPhdr ? image.sections.findIndex((s) => s.name === '.riscv.attributes') : -1;
  const phnum = image.programHeaders
    ? image.programHeaders.length + (attrs >= 0 ? 1 : 0)
    : image.segments.length + (image.tls ? 1 : 0) + (image.ehFrameHdr ? 1 : 0) + (attrs >= 0 ? 1 : 0);
  let off = 64 + 56 * phnum;

  // Segments. With `headersLoaded` the first one starts at file offset 0 and holds the headers (GNU ld's
  // layout: its first bytes are the ELF header and program headers, written over them below).
  const segOffsets: number[] = [];
  image.segments.forEach((seg, i) => {
    if (i === 0 && image.headersLoaded) {
      segOffsets.push(0);
      off = Math.max(off, seg.data.length);
      return;
    }
    const want = Number(seg.vaddr % BigInt(page));
    let o = off - (off % page) + want;
    if (o < off) o += page;
    segOffsets.push(o);
    // GNU ld: a segment with no file bytes (only .bss, placed apart by -Tbss) takes no room in the file
    // (its p_offset is written as 0 below; its sections keep the offset congruent to their address).
    if (seg.data.length === 0 && image.attributesPhdr) return;
    off = o + seg.data.length;
  });
  const emptySegment = (i: number) => image.segments[i].data.length === 0 && !!image.attributesPhdr;

  // Sections: inside a segment's file image, or placed after.
  const secOffsets: number[] = [];
  const inSegment: boolean[] = [];
  // GNU ld's layout: a zero-filled section's sh_offset is where the file bytes before it in its segment end
  // (the sections with contents below it in that segment, whatever the section header order).
  const segmentOf = (sec: (typeof image.sections)[number]) =>
    image.segments.findIndex((seg) => {
      const end = seg.vaddr + BigInt(sec.type === SHT_NOBITS ? seg.memsz : seg.data.length);
      return sec.addr >= seg.vaddr && sec.addr + BigInt(sec.type === SHT_NOBITS ? 0 : sec.data.length) <= end;
    });
  for (const sec of image.sections) {
    let placed = -1;
    if (sec.flags & SHF_ALLOC) {
      const i = segmentOf(sec);
      if (i >= 0) {
        placed = segOffsets[i] + Number(sec.addr - image.segments[i].vaddr);
        if (image.attributesPhdr && sec.type === SHT_NOBITS) {
          let fileEnd = -1;
          for (const other of image.sections) {
            if (other.type === SHT_NOBITS || !(other.flags & SHF_ALLOC) || other.addr > sec.addr || segmentOf(other) !== i) continue;
            fileEnd = Math.max(fileEnd, segOffsets[i] + Number(other.addr - image.segments[i].vaddr) + other.data.length);
          }
          if (fileEnd >= segOffsets[i] && fileEnd < placed) placed = fileEnd;
        }
      }
    }
    inSegment.push(placed >= 0);
    if (placed < 0) {
      if (sec.type === SHT_NOBITS) placed = off;
      else {
        placed = alignUp(off, Math.max(1, sec.align));
        off = placed + sec.data.length;
      }
    }
    secOffsets.push(placed);
  }

  // Symbols: null, locals, then globals (gABI: locals precede globals; sh_info = first global).
  const shstr = new StringTable();
  const secIndex = new Map<string, number>();
  image.sections.forEach((s, i) => secIndex.set(s.name, i + 1));
  const withSymtab = opts.symbolTable ?? true;
  // An image's symbols as columns (the assembler's: tools/elf/model.ts SymbolColumns), locals first; else
  // as a list, used in its own order when its locals already come first (GNU ld's tables do), so 100,000s
  // of symbols are not copied into new arrays; else its locals, then its globals.
  const cols = withSymtab ? (image.symbolColumns ?? null) : null;
  const all = withSymtab && !cols ? image.symbols : [];
  let syms: readonly ElfSymbol[] = all;
  let nLocals = cols ? cols.locals : 0;
  while (nLocals < syms.length && syms[nLocals].bind === 'local') nLocals++;
  let after = nLocals;
  while (after < syms.length && syms[after].bind !== 'local') after++;
  if (after < syms.length) {
    const locals = all.filter((s) => s.bind === 'local');
    syms = [...locals, ...all.filter((s) => s.bind !== 'local')];
    nLocals = locals.length;
  }
  const symtabSize = withSymtab ? 24 * ((cols ? cols.count : syms.length) + 1) : 0;
  // GNU ld's .strtab: a name ending another shares its bytes (tools/elf/strtab.ts).
  // Columns of distinct names mostly need no look at the names' characters (distinctPlainTable).
  const fast = cols && cols.distinct && cols.plainFirst ? distinctPlainTable(cols.names, cols.firstChars) : null;
  const str = withSymtab ? (fast ?? tailMergedStringTable(cols ? cols.names : syms.map((s) => s.name))) : null;
  const strtabSize = str ? str.size : 0;
  const nsec = image.sections.length;
  const symtabIndex = withSymtab ? nsec + 1 : 0;
  const strtabIndex = nsec + 2;
  const shstrIndex = withSymtab ? nsec + 3 : nsec + 1;
  // GNU ld's order: the names of the tables it makes first, then the sections'.
  const symName = withSymtab ? shstr.add('.symtab') : 0;
  const strName = withSymtab ? shstr.add('.strtab') : 0;
  const shstrName = shstr.add('.shstrtab');
  const names = image.sections.map((s) => shstr.add(s.name));
  const shstrtab = shstr.bytes();

  const symtabOff = withSymtab ? alignUp(off, 8) : off;
  off = symtabOff + symtabSize;
  const strtabOff = off;
  off += strtabSize;
  const shstrOff = off;
  off += shstrtab.length;
  const shoff = alignUp(off, 8);
  const shnum = withSymtab ? nsec + 4 : nsec + 2;
  const total = shoff + 64 * shnum;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const pieces: ElfPieces['segments'] = [];
  const segmentsApart = apart && !image.headersLoaded;
  image.segments.forEach((seg, i) => {
    if (!segmentsApart) out.set(seg.data, segOffsets[i]);
    else if (seg.data.length > 0) pieces.push({ offset: segOffsets[i], data: seg.data });
  });
  // ELF header.
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt.asUintN(64, image.entry), true);
  v.setBigUint64(32, BigInt(phnum ? 64 : 0), true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint32(48, opts.flags ?? 0, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, phnum, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, shnum, true);
  v.setUint16(62, shstrIndex, true);
  // Program headers: PT_RISCV_ATTRIBUTES first (as GNU ld), the PT_LOADs, PT_TLS, PT_GNU_EH_FRAME; or a
  // script's PHDRS.
  const listed = image.programHeaders;
  const attrsAt = listed ? (listed[0]?.type === 6 ? 1 : 0) : 0;
  const first = attrs >= 0 ? 1 : 0;
  if (attrs >= 0) {
    const sec = image.sections[attrs];
    const p = 64 + 56 * attrsAt;
    v.setUint32(p, PT_RISCV_ATTRIBUTES, true);
    v.setUint32(p + 4, 4, true);
    v.setBigUint64(p + 8, BigInt(secOffsets[attrs]), true);
    v.setBigUint64(p + 32, BigInt(sec.data.length), true);
    v.setBigUint64(p + 48, 1n, true);
  }
  if (listed) {
    listed.forEach((ph, k) => {
      const p = 64 + 56 * (k + (attrs >= 0 && k >= attrsAt ? 1 : 0));
      let fileOff = 0;
      if (ph.atPhdrs) fileOff = 64;
      else if (ph.segment !== undefined) fileOff = segOffsets[ph.segment];
      else {
        image.segments.forEach((seg, i) => {
          if (ph.vaddr >= seg.vaddr && ph.vaddr <= seg.vaddr + BigInt(seg.data.length)) fileOff = segOffsets[i] + Number(ph.vaddr - seg.vaddr);
        });
      }
      v.setUint32(p, ph.type, true);
      v.setUint32(p + 4, ph.flags, true);
      v.setBigUint64(p + 8, BigInt(fileOff), true);
      v.setBigUint64(p + 16, ph.vaddr, true);
      v.setBigUint64(p + 24, ph.paddr, true);
      v.setBigUint64(p + 32, BigInt(ph.filesz), true);
      v.setBigUint64(p + 40, BigInt(ph.memsz), true);
      v.setBigUint64(p + 48, BigInt(ph.align), true);
    });
  }
  if (!listed) image.segments.forEach((seg, i) => {
    const p = 64 + 56 * (first + i);
    v.setUint32(p, PT_LOAD, true);
    v.setUint32(p + 4, seg.flags, true);
    v.setBigUint64(p + 8, BigInt(emptySegment(i) ? 0 : segOffsets[i]), true);
    v.setBigUint64(p + 16, seg.vaddr, true);
    v.setBigUint64(p + 24, seg.paddr, true);
    v.setBigUint64(p + 32, BigInt(seg.data.length), true);
    v.setBigUint64(p + 40, BigInt(seg.memsz), true);
    v.setBigUint64(p + 48, BigInt(page), true);
  });
  if (image.tls && !listed) {
    // PT_TLS: the template's address and sizes (its bytes are inside a PT_LOAD already).
    const t = image.tls;
    const p = 64 + 56 * (first + image.segments.length);
    let fileOff = 0;
    image.segments.forEach((seg, i) => {
      if (t.vaddr >= seg.vaddr && t.vaddr <= seg.vaddr + BigInt(seg.memsz)) fileOff = segOffsets[i] + Number(t.vaddr - seg.vaddr);
    });
    v.setUint32(p, PT_TLS, true);
    v.setUint32(p + 4, 4, true);
    v.setBigUint64(p + 8, BigInt(fileOff), true);
    v.setBigUint64(p + 16, t.vaddr, true);
    v.setBigUint64(p + 24, t.vaddr, true);
    v.setBigUint64(p + 32, BigInt(t.filesz), true);
    v.setBigUint64(p + 40, BigInt(t.memsz), true);
    v.setBigUint64(p + 48, BigInt(t.align), true);
  }
  if (image.ehFrameHdr && !listed) {
    // PT_GNU_EH_FRAME: where unwinders find .eh_frame_hdr (LSB); its bytes are inside a PT_LOAD.
    const h = image.ehFrameHdr;
    const p = 64 + 56 * (first + image.segments.length + (image.tls ? 1 : 0));
    let fileOff = 0;
    image.segments.forEach((seg, i) => {
      if (h.vaddr >= seg.vaddr && h.vaddr < seg.vaddr + BigInt(seg.data.length)) fileOff = segOffsets[i] + Number(h.vaddr - seg.vaddr);
    });
    v.setUint32(p, PT_GNU_EH_FRAME, true);
    v.setUint32(p + 4, 4, true);
    v.setBigUint64(p + 8, BigInt(fileOff), true);
    v.setBigUint64(p + 16, h.vaddr, true);
    v.setBigUint64(p + 24, h.vaddr, true);
    v.setBigUint64(p + 32, BigInt(h.size), true);
    v.setBigUint64(p + 40, BigInt(h.size), true);
    v.setBigUint64(p + 48, 4n, true);
  }
  // Section contents outside segments.
  image.sections.forEach((sec, i) => {
    if (sec.type !== SHT_NOBITS && !inSegment[i]) out.set(sec.data, secOffsets[i]);
  });
  // The tables written in place (zero-filled there: writeSymbols leaves zero fields alone).
  if (str) {
    const tlsBase = image.tls ? image.tls.vaddr : null;
    if (cols) writeColumns(out.subarray(symtabOff, symtabOff + symtabSize), cols, str, secIndex, tlsBase);
    else writeSymbols(out.subarray(symtabOff, symtabOff + symtabSize), syms, str, secIndex, tlsBase);
    str.writeInto(out, strtabOff);
  }
  out.set(shstrtab, shstrOff);
  // Section headers.
  const sh = (k: number, name: number, type: number, flags: number, addr: bigint, offset: number, size: number, link: number, info: number, align: number, entsize: number) => {
    const p = shoff + 64 * k;
    v.setUint32(p, name, true);
    v.setUint32(p + 4, type, true);
    v.setBigUint64(p + 8, BigInt(flags), true);
    v.setBigUint64(p + 16, addr, true);
    v.setBigUint64(p + 24, BigInt(offset), true);
    v.setBigUint64(p + 32, BigInt(size), true);
    v.setUint32(p + 40, link, true);
    v.setUint32(p + 44, info, true);
    v.setBigUint64(p + 48, BigInt(align), true);
    v.setBigUint64(p + 56, BigInt(entsize), true);
  };
  image.sections.forEach((sec, i) => {
    sh(i + 1, names[i], sec.type, sec.flags, sec.addr, secOffsets[i], sec.type === SHT_NOBITS ? sec.size : sec.data.length, sec.linksSymtab ? symtabIndex : 0, 0, Math.max(1, sec.align), sec.entsize ?? 0);
  });
  if (withSymtab) {
    sh(symtabIndex, symName, SHT_SYMTAB, 0, 0n, symtabOff, symtabSize, strtabIndex, nLocals + 1, 8, 24);
    sh(strtabIndex, strName, SHT_STRTAB, 0, 0n, strtabOff, strtabSize, 0, 0, 1, 0);
  }
  sh(shstrIndex, shstrName, SHT_STRTAB, 0, 0n, shstrOff, shstrtab.length, 0, 0, 1, 0);
  return { bytes: out, segments: pieces };
}
