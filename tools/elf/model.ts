// The in-memory form of an ELF64 RISC-V executable, shared by the writer (assembler output) and the
// reader (disassembler, `rvx run`). Addresses are bigint because ELF64 fields are 64-bit.

export interface ElfSection {
  name: string;
  /** SHT_PROGBITS (1), SHT_NOBITS (8), ... */
  type: number;
  /** SHF_WRITE 1, SHF_ALLOC 2, SHF_EXECINSTR 4. */
  flags: number;
  addr: bigint;
  /** File contents (empty for NOBITS). */
  data: Uint8Array;
  /** Size in memory (equals data.length except for NOBITS). */
  size: number;
  align: number;
  /** sh_entsize (a table's entry size; a mergeable section's item size). */
  entsize?: number;
  /** sh_link names the symbol table (a relocation section). */
  linksSymtab?: boolean;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: number;
  bind: 'local' | 'global' | 'weak';
  /** 'tls': a thread-local variable (STT_TLS). Its `value` here is its address in the TLS template; in the
   * file's .symtab it is the offset from the start of the PT_TLS segment, as GNU ld writes it (the writer
   * and reader convert). */
  type: 'notype' | 'object' | 'func' | 'section' | 'file' | 'tls';
  /** Name of the section it is defined in, or null for absolute symbols. */
  section: string | null;
  /** st_other's visibility (STV_HIDDEN 2, ...); default 0. */
  visibility?: number;
}

/** A PT_LOAD segment as a loader sees it. */
export interface ElfSegment {
  vaddr: bigint;
  paddr: bigint;
  /** Bytes from the file; memsz - data.length bytes of zeros follow. */
  data: Uint8Array;
  memsz: number;
  /** PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
}

/** The PT_TLS segment: the TLS template (.tdata then .tbss). */
export interface ElfTls {
  vaddr: bigint;
  filesz: number;
  memsz: number;
  align: number;
}

/** st_info's binding and type codes of ElfSymbol's names (gABI), and the names by code. */
export const SYMBOL_BIND: Record<ElfSymbol['bind'], number> = { local: 0, global: 1, weak: 2 };
export const SYMBOL_TYPE: Record<ElfSymbol['type'], number> = { notype: 0, object: 1, func: 2, section: 3, file: 4, tls: 6 };
const BIND_NAMES: ElfSymbol['bind'][] = ['local', 'global', 'weak'];
const TYPE_NAMES: ElfSymbol['type'][] = ['notype', 'object', 'func', 'section', 'file', 'notype', 'tls'];
/** SymbolColumns.section of a symbol in no section (absolute). */
export const NO_SECTION = 0xffff;

/**
 * An image's symbols as columns, locals first: what the assembler's image keeps (tools/asm/index.ts) so
 * that 100,000s of labels are written to .symtab (tools/elf/write.ts) without an ElfSymbol object each,
 * made only to be written once and kept (copied by the scavenger, faulting in pages) until then. An image
 * made with imageWithColumns builds its `symbols` from these when they are first read.
 */
export class SymbolColumns {
  count = 0;
  /** The first `locals` symbols are the locals. */
  locals = 0;
  /** Made at full capacity (not grown and copied as 100,000s of symbols come); trim() cuts them to `count`. */
  readonly names: string[];
  readonly values: bigint[];
  /** st_size, st_info (binding << 4 | type), st_other (visibility), and the section as an index into
   * sectionNames (NO_SECTION: absolute). Zero-filled: a field is written only when not 0, so the pages of
   * a column nothing is written to are never touched. */
  readonly sizes: Float64Array;
  readonly info: Uint8Array;
  readonly other: Uint8Array;
  readonly section: Uint16Array;
  readonly sectionNames: string[] = [];
  /** The builder's word that no two names are equal (the string table writer then need not look for repeats). */
  distinct = false;
  /** The character codes names start with (below 128), and whether every name is non-empty and starts with a
   * character in 1-127: what the string table writer needs to know that no name can end another without
   * a loop over the names of its own (tools/elf/strtab.ts distinctPlainTable). */
  readonly firstChars = new Uint8Array(128);
  plainFirst = true;
  private lastSection: string | null = null;
  private lastIndex = NO_SECTION;

  /** `capacity`: at least the number of symbols that will be added. */
  constructor(capacity: number) {
    this.names = new Array<string>(capacity);
    this.values = new Array<bigint>(capacity);
    this.sizes = new Float64Array(capacity);
    this.info = new Uint8Array(capacity);
    this.other = new Uint8Array(capacity);
    this.section = new Uint16Array(capacity);
  }

  add(name: string, value: bigint, size: number, info: number, other: number, section: string | null): void {
    const k = this.count++;
    this.names[k] = name;
    // (An empty name's charCodeAt(0) is NaN: not plain.)
    const c = name.charCodeAt(0);
    if (c > 0 && c < 128) this.firstChars[c] = 1;
    else this.plainFirst = false;
    this.values[k] = value;
    if (size !== 0) this.sizes[k] = size;
    if (info !== 0) this.info[k] = info;
    if (other !== 0) this.other[k] = other;
    // Symbols come in runs of one section: its index looked up once per run.
    if (section !== this.lastSection) {
      this.lastSection = section;
      let i = section === null ? NO_SECTION : this.sectionNames.indexOf(section);
      if (i < 0) {
        i = this.sectionNames.length;
        this.sectionNames.push(section!);
      }
      this.lastIndex = i;
    }
    this.section[k] = this.lastIndex;
  }

  /** After the last add: `names` and `values` hold exactly the symbols. */
  trim(): void {
    this.names.length = this.count;
    this.values.length = this.count;
  }

  addSymbol(s: ElfSymbol): void {
    this.add(s.name, s.value, s.size, (SYMBOL_BIND[s.bind] << 4) | SYMBOL_TYPE[s.type], s.visibility ?? 0, s.section);
  }

  /** The symbols as ElfSymbols (what an image without columns holds). */
  toArray(): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    for (let k = 0; k < this.count; k++) {
      const info = this.info[k];
      const sec = this.section[k];
      const s: ElfSymbol = { name: this.names[k], value: this.values[k], size: this.sizes[k], bind: BIND_NAMES[info >> 4], type: TYPE_NAMES[info & 15], section: sec === NO_SECTION ? null : this.sectionNames[sec] };
      if (this.other[k]) s.visibility = this.other[k];
      out.push(s);
    }
    return out;
  }
}

/**
 * `image` with its symbols in `columns`: `symbolColumns` gives them to the writer until `symbols` is read
 * or set; then `symbols` is an ordinary array (built from the columns once) and `symbolColumns` null, so
 * whatever is done to the array is what is written. (`image.symbols` is replaced where it is, keeping the
 * order of the image's properties.)
 */
export function imageWithColumns(image: ElfImage, columns: SymbolColumns): ElfImage {
  let cols: SymbolColumns | null = columns;
  let list: ElfSymbol[] | null = null;
  Object.defineProperty(image, 'symbols', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (list === null) {
        list = cols!.toArray();
        cols = null;
      }
      return list;
    },
    set: (v: ElfSymbol[]) => {
      list = v;
      cols = null;
    },
  });
  Object.defineProperty(image, 'symbolColumns', { enumerable: false, configurable: true, get: () => cols });
  return image;
}

export interface ElfImage {
  /** Present when the program has thread-local storage. */
  tls?: ElfTls;
  /** .eh_frame_hdr, given a PT_GNU_EH_FRAME program header. */
  ehFrameHdr?: { vaddr: bigint; size: number };
  /** The first PT_LOAD starts at file offset 0 and loads the ELF and program headers (GNU ld's layout). */
  headersLoaded?: boolean;
  /** Write a PT_RISCV_ATTRIBUTES program header over .riscv.attributes (as GNU ld). */
  attributesPhdr?: boolean;
  /** Program headers a linker script's PHDRS lists, written in its order instead of the PT_LOADs,
   * PT_TLS and PT_GNU_EH_FRAME made from `segments`, `tls` and `ehFrameHdr` (PT_RISCV_ATTRIBUTES goes
   * after a leading PT_PHDR, as GNU ld inserts it). */
  programHeaders?: ProgramHeader[];
  entry: bigint;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** The symbols as columns, for the writer, in an image made by imageWithColumns while `symbols` has not
   * been read or set. */
  readonly symbolColumns?: SymbolColumns | null;
  segments: ElfSegment[];
}

export interface ProgramHeader {
  type: number;
  flags: number;
  align: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  /** Where its bytes are in the file: the program header table, the segment of that index in `segments`,
   * or (neither) where its vaddr lies in a segment. */
  atPhdrs?: boolean;
  segment?: number;
}

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;
export const SHF_LINK_ORDER = 0x80;
export const SHF_TLS = 0x400;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const EM_RISCV = 243;
