// ELF64 little-endian RISC-V reader (System V ABI "ELF-64 Object File Format" and the gABI: file header,
// program headers, section headers, symbol tables). Every offset and size is checked against the file, so
// malformed or truncated input is refused with an ElfError naming the reason, never another exception.

import {
  EM_RISCV,
  SHT_NOBITS,
  SHT_STRTAB,
  SHT_SYMTAB,
  type ElfImage,
  type ElfSection,
  type ElfSegment,
  type ElfTls,
  type ElfSymbol,
} from './model.js';

/** A malformed or unsupported ELF file; the message is one line giving the reason. */
export class ElfError extends Error {
  override name = 'ElfError';
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const PT_LOAD = 1;
const PT_TLS = 7;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const ET_NAMES: Record<number, string> = { 1: 'relocatable', 2: 'executable', 3: 'shared object' };

const SYMBOL_BINDS: Record<number, ElfSymbol['bind']> = { 0: 'local', 1: 'global', 2: 'weak', 10: 'global' /* GNU_UNIQUE */ };
const SYMBOL_TYPES: Record<number, ElfSymbol['type']> = { 0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file', 5: 'object' /* COMMON */, 6: 'tls' };

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  u64(off: number): bigint {
    return this.view.getBigUint64(off, true);
  }
  /** A private copy of [start, end) (a Node Buffer's slice would share memory with the file). */
  copy(start: number, end: number): Uint8Array {
    return new Uint8Array(this.bytes.subarray(start, end));
  }
  /** True when [off, off + size) lies inside the file (off and size as read from the file, 64-bit). */
  inFile(off: bigint, size: bigint): boolean {
    return off <= BigInt(this.length) && size <= BigInt(this.length) - off;
  }
  /** NUL-terminated string at `off` inside [start, end); null when it runs off the table. */
  cstring(start: number, end: number, off: number): string | null {
    const p = start + off;
    if (off < 0 || p >= end) return null;
    let q = p;
    while (q < end && this.bytes[q] !== 0) q++;
    if (q >= end) return null;
    return new TextDecoder('utf-8').decode(this.bytes.subarray(p, q));
  }
}

function fail(message: string): never {
  throw new ElfError(message);
}

/** A 64-bit size or address field that must fit a JavaScript number (sizes here are file or memory sizes). */
function small(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} too large (0x${v.toString(16)})`);
  return Number(v);
}

interface RawSection {
  index: number;
  nameOff: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  align: bigint;
  entsize: bigint;
}

function readHeader(r: Reader) {
  if (r.length < 4 || r.u8(0) !== 0x7f || r.u8(1) !== 0x45 || r.u8(2) !== 0x4c || r.u8(3) !== 0x46) fail('not an ELF file');
  if (r.length < 6) fail(`truncated file: ELF header needs ${EHDR_SIZE} bytes, file has ${r.length}`);
  const cls = r.u8(4);
  if (cls === 1) fail('ELF class 32, expected ELF64');
  if (cls !== 2) fail(`invalid ELF class ${cls}, expected ELF64`);
  const data = r.u8(5);
  if (data === 2) fail('big-endian ELF not supported');
  if (data !== 1) fail(`invalid ELF data encoding ${data}`);
  if (r.length < EHDR_SIZE) fail(`truncated file: ELF header needs ${EHDR_SIZE} bytes, file has ${r.length}`);
  const version = r.u8(6);
  if (version !== 1) fail(`unsupported ELF version ${version}`);
  const type = r.u16(16);
  if (!ET_NAMES[type]) fail(`ELF type ${type} is not an executable or object file`);
  const machine = r.u16(18);
  if (machine !== EM_RISCV) fail(`machine ${machine} is not RISC-V (${EM_RISCV})`);
  return {
    entry: r.u64(24),
    phoff: r.u64(32),
    shoff: r.u64(40),
    phentsize: r.u16(54),
    phnum: r.u16(56),
    shentsize: r.u16(58),
    shnum: r.u16(60),
    shstrndx: r.u16(62),
  };
}

function readSegments(r: Reader, phoff: bigint, phentsize: number, phnum: number): ElfSegment[] {
  const segments: ElfSegment[] = [];
  if (phnum === 0) return segments;
  if (phentsize !== PHDR_SIZE) fail(`program header entry size ${phentsize}, expected ${PHDR_SIZE}`);
  if (!r.inFile(phoff, BigInt(phnum) * BigInt(PHDR_SIZE))) {
    // Name the first header that does not fit, which is what a reader of the file wants to know.
    const first = phoff > BigInt(r.length) ? 0 : Number((BigInt(r.length) - phoff) / BigInt(PHDR_SIZE));
    fail(`program header ${first} extends past end of file`);
  }
  const base = Number(phoff);
  for (let i = 0; i < phnum; i++) {
    const p = base + i * PHDR_SIZE;
    if (r.u32(p) !== PT_LOAD) continue;
    const flags = r.u32(p + 4);
    const offset = r.u64(p + 8);
    const vaddr = r.u64(p + 16);
    const paddr = r.u64(p + 24);
    const filesz = r.u64(p + 32);
    const memsz = r.u64(p + 40);
    if (!r.inFile(offset, filesz)) fail(`segment ${i} (PT_LOAD) data extends past end of file`);
    if (filesz > memsz) fail(`segment ${i} (PT_LOAD) file size 0x${filesz.toString(16)} exceeds its memory size 0x${memsz.toString(16)}`);
    if (vaddr + memsz > 1n << 64n) fail(`segment ${i} (PT_LOAD) wraps around the end of the address space`);
    const start = Number(offset);
    segments.push({
      vaddr,
      paddr,
      data: r.copy(start, start + Number(filesz)),
      memsz: small(memsz, `segment ${i} memory size`),
      flags,
    });
  }
  return segments;
}

/** The PT_TLS segment (the TLS template), if there is one. */
function readTls(r: Reader, phoff: bigint, phnum: number): ElfTls | undefined {
  // readSegments has checked that the headers are inside the file.
  for (let i = 0; i < phnum; i++) {
    const p = Number(phoff) + i * PHDR_SIZE;
    if (r.u32(p) !== PT_TLS) continue;
    return { vaddr: r.u64(p + 16), filesz: small(r.u64(p + 32), `segment ${i} (PT_TLS) file size`), memsz: small(r.u64(p + 40), `segment ${i} (PT_TLS) memory size`), align: small(r.u64(p + 48), `segment ${i} (PT_TLS) alignment`) };
  }
  return undefined;
}

function readSectionHeaders(r: Reader, h: ReturnType<typeof readHeader>): { raw: RawSection[]; shstrndx: number } {
  if (h.shoff === 0n) return { raw: [], shstrndx: 0 };
  if (h.shentsize !== SHDR_SIZE) fail(`section header entry size ${h.shentsize}, expected ${SHDR_SIZE}`);
  if (!r.inFile(h.shoff, BigInt(SHDR_SIZE))) fail('section header table extends past end of file');
  const base = Number(h.shoff);
  // gABI extended numbering: with 0xff00 or more sections, e_shnum is 0 and section 0's sh_size holds the
  // count; e_shstrndx is SHN_XINDEX and section 0's sh_link holds the index.
  let count = h.shnum;
  if (count === 0) count = small(r.u64(base + 32), 'section count');
  let shstrndx = h.shstrndx;
  if (shstrndx === SHN_XINDEX) shstrndx = r.u32(base + 40);
  if (count === 0) return { raw: [], shstrndx: 0 };
  if (!r.inFile(h.shoff, BigInt(count) * BigInt(SHDR_SIZE))) fail('section header table extends past end of file');
  const raw: RawSection[] = [];
  for (let i = 0; i < count; i++) {
    const p = base + i * SHDR_SIZE;
    raw.push({
      index: i,
      nameOff: r.u32(p),
      type: r.u32(p + 4),
      flags: r.u64(p + 8),
      addr: r.u64(p + 16),
      offset: r.u64(p + 24),
      size: r.u64(p + 32),
      link: r.u32(p + 40),
      info: r.u32(p + 44),
      align: r.u64(p + 48),
      entsize: r.u64(p + 56),
    });
  }
  return { raw, shstrndx };
}

function checkSectionData(r: Reader, s: RawSection, label: string): void {
  if (s.type !== SHT_NOBITS && s.index !== 0 && !r.inFile(s.offset, s.size)) fail(`section ${label} extends past end of file`);
}

/** `tlsBase`: the PT_TLS segment's address; an STT_TLS symbol's value (its offset in the template) is
 * returned as its address there (ElfSymbol). */
function readSymbols(r: Reader, raw: RawSection[], names: string[], symtab: RawSection, tlsBase: bigint | null): ElfSymbol[] {
  const label = `${symtab.index} (${names[symtab.index]})`;
  if (symtab.entsize !== BigInt(SYM_SIZE)) fail(`symbol table ${label} entry size ${symtab.entsize}, expected ${SYM_SIZE}`);
  if (symtab.size % BigInt(SYM_SIZE) !== 0n) fail(`symbol table ${label} size is not a multiple of ${SYM_SIZE}`);
  const strtab = raw[symtab.link];
  if (!strtab || strtab.type !== SHT_STRTAB || symtab.link === 0) fail(`symbol table ${label} string table index ${symtab.link} out of range`);
  checkSectionData(r, strtab, `${strtab.index} (${names[strtab.index]})`);
  const strStart = Number(strtab.offset);
  const strEnd = strStart + Number(strtab.size);
  const count = Number(symtab.size) / SYM_SIZE;
  const base = Number(symtab.offset);
  const out: ElfSymbol[] = [];
  // Entry 0 is the reserved null symbol.
  for (let i = 1; i < count; i++) {
    const p = base + i * SYM_SIZE;
    const nameOff = r.u32(p);
    const info = r.u8(p + 4);
    const shndx = r.u16(p + 6);
    const name = nameOff === 0 ? '' : r.cstring(strStart, strEnd, nameOff);
    if (name === null) fail(`symbol ${i} of ${label}: name out of range`);
    let section: string | null = null;
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE) {
      if (shndx >= raw.length) fail(`symbol ${i} (${name}) of ${label}: section index ${shndx} out of range`);
      section = names[shndx];
    }
    const type = SYMBOL_TYPES[info & 15] ?? 'notype';
    const raw64 = r.u64(p + 8);
    out.push({
      name,
      value: type === 'tls' && tlsBase !== null && section !== null ? BigInt.asUintN(64, raw64 + tlsBase) : raw64,
      size: small(r.u64(p + 16), `symbol ${i} size`),
      bind: SYMBOL_BINDS[info >> 4] ?? 'global',
      type,
      section,
    });
  }
  return out;
}

/** Parse an ELF64 little-endian RISC-V file. Throws ElfError (only) when the file is malformed. */
export function readElf(bytes: Uint8Array): ElfImage {
  try {
    const r = new Reader(bytes);
    const h = readHeader(r);
    const segments = readSegments(r, h.phoff, h.phentsize, h.phnum);
    const tls = h.phnum ? readTls(r, h.phoff, h.phnum) : undefined;
    const { raw, shstrndx } = readSectionHeaders(r, h);
    const names: string[] = raw.map(() => '');
    if (raw.length > 0 && shstrndx !== 0) {
      const strtab = raw[shstrndx];
      if (!strtab || strtab.type !== SHT_STRTAB) fail('section name table out of range');
      checkSectionData(r, strtab, `${shstrndx} (section name table)`);
      const start = Number(strtab.offset);
      const end = start + Number(strtab.size);
      for (const s of raw) {
        const name = s.nameOff === 0 ? '' : r.cstring(start, end, s.nameOff);
        if (name === null) fail(`section ${s.index} name out of range`);
        names[s.index] = name;
      }
    }
    const sections: ElfSection[] = [];
    let symbols: ElfSymbol[] = [];
    for (const s of raw) {
      if (s.index === 0) continue; // the reserved null section
      const label = `${s.index} (${names[s.index]})`;
      checkSectionData(r, s, label);
      const size = small(s.size, `section ${label} size`);
      const start = s.type === SHT_NOBITS ? 0 : Number(s.offset);
      sections.push({
        name: names[s.index],
        type: s.type,
        flags: small(s.flags & 0xffffffffn, `section ${label} flags`),
        addr: s.addr,
        data: s.type === SHT_NOBITS ? new Uint8Array(0) : r.copy(start, start + size),
        size,
        align: small(s.align, `section ${label} alignment`),
      });
      if (s.type === SHT_SYMTAB) symbols = symbols.concat(readSymbols(r, raw, names, s, tls?.vaddr ?? null));
    }
    const image: ElfImage = { entry: h.entry, sections, symbols, segments };
    if (tls) image.tls = tls;
    return image;
  } catch (e) {
    if (e instanceof ElfError) throw e;
    // Every bound is checked above; this is a safety net so callers only ever see ElfError.
    throw new ElfError(`malformed ELF: ${e instanceof Error ? e.message : String(e)}`);
  }
}
