// GNU ld's -S (--strip-debug) and -s (--strip-all) on a linked image. bfd marks a non-allocated input
// section as debugging information by its name (elf.c, _bfd_elf_make_section_from_shdr: `.debug*`,
// `.gnu.debuglto_.debug_*`, `.gnu.linkonce.wi.*`, `.zdebug*`, `.line*`, `.stab*`, `.gdb_index`), and ld
// leaves such sections out of the output under -S and -s (ldlang.c); -s also writes no .symtab/.strtab
// (tools/elf/write.ts, `symbolTable: false`). -x and -X are the symbol table's business (tools/ld/symtab.ts).

import { SHF_ALLOC, type ElfImage } from '../elf/model.js';

export function isDebugSection(name: string, flags: number): boolean {
  if (flags & SHF_ALLOC) return false;
  return /^(\.debug|\.gnu\.debuglto_\.debug_|\.gnu\.linkonce\.wi\.|\.zdebug|\.line|\.stab)/.test(name) || name === '.gdb_index';
}

/** Remove the debugging sections, their section symbols and any symbol defined in them. */
export function stripDebug(image: ElfImage): void {
  const gone = new Set(image.sections.filter((s) => isDebugSection(s.name, s.flags)).map((s) => s.name));
  if (!gone.size) return;
  image.sections = image.sections.filter((s) => !gone.has(s.name));
  image.symbols = image.symbols.filter((s) => s.section === null || !gone.has(s.section));
}
