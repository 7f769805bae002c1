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
