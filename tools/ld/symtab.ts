// The symbol table of a linked image in GNU ld 2.40's order (bfd elflink.c, elf_final_link, learned from its
// output): a section symbol per output section; then, input by input in the order of their first section in
// the output, a FILE symbol (the object's own, always; else its file name, when locals follow) and its local
// symbols in its symbol-table order — mapping symbols (`$x...`) included; local labels (`.L`), input section
// symbols and symbols of sections not in the output not; then, when the linker made local
// symbols (hidden script symbols, `_GLOBAL_OFFSET_TABLE_`), a FILE symbol with no name and those; then the
// global symbols. Both last groups come in the order of GNU ld's symbol hash table (tools/ld/got.ts).

import type { ElfSymbol } from '../elf/model.js';
import { hashTraversalOrder } from './got.js';

export interface UnitSymbols {
  /** The unit's FILE symbol name (the object's own, or its file name); `ownFile`: the object has one. */
  file: string;
  ownFile: boolean;
  locals: ElfSymbol[];
  /** Global symbol names in the unit's symbol-table order, defined or not (GNU's hash insertion order). */
  globalNames: string[];
}

/** bfd's `_bfd_elf_is_local_label_name`: the names ld drops from an executable's symbol table by default
 * and with -X (RISC-V's ld turns the generic default, discard_sec_merge, into discard_l:
 * ld/emultempl/riscvelf.em): `.L...`, `..`, `_.L_...`, and the assembler's fake labels `L<digit>^A...`. */
export function isLocalLabel(name: string): boolean {
  if (name.startsWith('.L') || name.startsWith('..') || name.startsWith('_.L_')) return true;
  return /^L[0-9]\x01/.test(name);
}

/** Which input locals go: `temporary` (GNU ld's default, -X: local labels) or `all` (-x: every local of
 * the inputs, FILE symbols included; section symbols and the linker's own locals stay, as in GNU ld). */
export type DiscardLocals = 'temporary' | 'all';

export function gnuSymbolTable(sections: { name: string; addr: bigint }[], units: UnitSymbols[], globals: ElfSymbol[], linkerLocals: ElfSymbol[], discard: DiscardLocals = 'temporary'): ElfSymbol[] {
  const out: ElfSymbol[] = sections.map((s) => ({ name: '', value: s.addr, size: 0, bind: 'local', type: 'section', section: s.name }));
  for (const u of discard === 'all' ? [] : units) {
    const locals = u.locals.filter((s) => !isLocalLabel(s.name));
    // An object's own FILE symbol is kept; one named after the file only heads local symbols.
    if (!locals.length && !u.ownFile) continue;
    out.push({ name: u.file, value: 0n, size: 0, bind: 'local', type: 'file', section: null });
    for (const s of locals) out.push(s);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => {
    if (!seen.has(n)) {
      seen.add(n);
      names.push(n);
    }
  };
  for (const u of units) for (const n of u.globalNames) add(n);
  for (const s of [...globals, ...linkerLocals]) add(s.name);
  const order = new Map(hashTraversalOrder(names).map((n, i) => [n, i]));
  const byHash = (a: ElfSymbol, b: ElfSymbol) => order.get(a.name)! - order.get(b.name)!;
  if (linkerLocals.length) {
    if (discard !== 'all') out.push({ name: '', value: 0n, size: 0, bind: 'local', type: 'file', section: null });
    for (const s of linkerLocals.slice().sort(byHash)) out.push(s);
  }
  for (const s of globals.slice().sort(byHash)) out.push(s);
  return out;
}
