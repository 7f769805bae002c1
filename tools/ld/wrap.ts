// GNU ld's --wrap=SYM (ld manual, "Command-line Options"): every undefined reference to SYM is resolved to
// __wrap_SYM, and every undefined reference to __real_SYM to SYM. Only references are renamed — a
// definition of SYM keeps its name, and an input that defines SYM binds its own references to it — so the
// renaming is done on each input's undefined symbols before symbols resolve and archives are searched.

import type { Sym } from '../asm/expr.js';
import type { ElfObject } from '../elf/object.js';

/** The name an undefined reference to `name` binds to, under --wrap for the symbols in `wrap`. */
export function wrappedName(name: string, wrap: ReadonlySet<string>): string {
  if (wrap.has(name)) return `__wrap_${name}`;
  if (name.startsWith('__real_') && wrap.has(name.slice(7))) return name.slice(7);
  return name;
}

/** An object's undefined global symbols, renamed (in place). */
export function wrapObject(obj: ElfObject, wrap: ReadonlySet<string>): void {
  if (!wrap.size) return;
  for (const s of obj.symbols) if (s.shndx === 0 && s.bind !== 0 && s.name) s.name = wrappedName(s.name, wrap);
}

/** An assembled source's references (symbols used and never defined), renamed in place; the map is
 * rebuilt under the new names, in its order. */
export function wrapReferences(symbols: Map<string, Sym>, wrap: ReadonlySet<string>): void {
  if (!wrap.size) return;
  const entries = [...symbols];
  if (!entries.some(([, s]) => s.kind === 0 && !s.temp && wrappedName(s.name, wrap) !== s.name)) return;
  symbols.clear();
  for (const [key, s] of entries) {
    if (s.kind === 0 && !s.temp && key === s.name && wrappedName(s.name, wrap) !== s.name) {
      s.name = wrappedName(s.name, wrap);
      // The source may define the new name itself (a __wrap_SYM calling SYM): keep both.
      symbols.set(symbols.has(s.name) || entries.some(([k]) => k === s.name) ? `${s.name}\u0000wrap` : s.name, s);
    } else if (!symbols.has(key)) symbols.set(key, s);
    else symbols.set(`${key}\u0000wrap`, s);
  }
}
