// What a relocation of a relocatable object names, as the object comparisons against GNU as and llvm-mc
// write it: a global or undefined symbol by name; a local one by name and place (GNU as and llvm-mc name local
// labels, `.set` symbols and the labels they make themselves; a section symbol shows as `[section]`).

import type { ElfObject } from '../../tools/elf/object.js';

export function relocTarget(o: ElfObject, symIndex: number, addend: bigint): string {
  if (symIndex === 0) return `+${addend}`;
  const s = o.symbols[symIndex];
  if (s.bind !== 0 || s.shndx === 0 || s.shndx >= 0xff00) return `${s.name}+${addend}`;
  return `${s.type === 3 ? '[section]' : JSON.stringify(s.name)}@${o.sections[s.shndx]?.name ?? s.shndx}+${s.value + addend}`;
}
