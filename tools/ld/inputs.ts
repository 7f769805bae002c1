// The link's inputs in command-line order, loaded as GNU ld loads them: every object is linked; an `ar`
// archive is searched where it appears on the command line, pulling members that define a symbol still
// undefined at that point (again and again until a pass over its index pulls nothing), so a later object's
// references are not satisfied from an earlier archive; archives between --start-group and --end-group are
// searched round after round until none pulls a member. COMDAT groups keep the first object's copy.

import { isArchive, readArchive, readObject } from '../elf/object.js';
import { ElfError } from '../elf/read.js';
import type { Diagnostic } from '../asm/diagnostics.js';
import type { LinkUnit } from '../asm/link.js';
import { ObjectUnit } from './object-unit.js';
import { wrapObject } from './wrap.js';

/** One input file: an object or an archive. Inputs with the same `group` number were given between
 * --start-group and --end-group (and must be consecutive). */
export interface LinkInput {
  name: string;
  bytes: Uint8Array;
  group?: number;
  /** Given after --whole-archive: every member of this archive is loaded, in member order (GNU ld). */
  whole?: boolean;
}

interface Archive {
  name: string;
  members: { name: string; data: Uint8Array }[];
  /** Symbol -> member, in the archive index's order (the order GNU ld walks it). */
  index: Map<string, number>;
  loaded: Set<number>;
}

/** Load the objects and search the archives (units already holds the assembled sources, whose
 * undefined symbols count from the start). */
export function addObjects(units: LinkUnit[], inputs: LinkInput[], diags: Diagnostic[], groups = new Set<string>(), wrap: ReadonlySet<string> = new Set()): void {
  const refuse = (name: string, e: unknown) => {
    if (!(e instanceof ElfError)) throw e;
    diags.push({ file: name, line: 0, col: 0, severity: 'error', message: e.message.startsWith(name + ': ') ? e.message.slice(name.length + 2) : e.message });
  };
  // `groups`: COMDAT group signatures already kept (by the first input that has each group).
  const defined = new Set<string>();
  const undefinedNames = new Set<string>();
  // A symbol a source refers to and never defines is an undefined global whether or not it was declared
  // `.globl` (GNU as makes every undefined symbol global; gcc declares none of the functions it calls).
  const scan = (u: LinkUnit) => {
    for (const s of u.symbols.values()) {
      if (s.temp || s.name === '') continue;
      if (s.kind !== 0) {
        if (!s.global) continue;
        defined.add(s.name);
        undefinedNames.delete(s.name);
      } else if (!s.weak && !defined.has(s.name)) undefinedNames.add(s.name);
    }
  };
  units.forEach(scan);
  const load = (name: string, data: Uint8Array): void => {
    const obj = readObject(data, name);
    wrapObject(obj, wrap);
    // gcc -flto writes GIMPLE for its linker plugin and no machine code (it marks such an object with the
    // common symbol __gnu_lto_slim); GNU ld without the plugin refuses it too. -ffat-lto-objects objects
    // carry the machine code as well and link as any object.
    if (obj.symbols.some((s) => s.name === '__gnu_lto_slim')) {
      throw new ElfError(`${name}: a GCC link-time-optimisation object (-flto): it holds GIMPLE for gcc's linker plugin, not machine code; compile without -flto, or with -ffat-lto-objects`);
    }
    const u = new ObjectUnit(units.length, name, obj, groups);
    units.push(u);
    scan(u);
  };
  /** One pass over an archive's index (GNU ld: elf_link_add_archive_symbols); true if it pulled a member. */
  const searchOnce = (a: Archive): boolean => {
    let pulled = false;
    for (const [sym, m] of a.index) {
      if (!undefinedNames.has(sym) || a.loaded.has(m)) continue;
      a.loaded.add(m);
      const member = a.members[m];
      try {
        load(`${a.name}(${member.name})`, member.data);
        pulled = true;
      } catch (e) {
        refuse(a.name, e);
      }
    }
    return pulled;
  };
  const search = (a: Archive): boolean => {
    let any = false;
    while (searchOnce(a)) any = true;
    return any;
  };
  const openArchive = (input: LinkInput): Archive | null => {
    try {
      const a = readArchive(input.bytes, input.name);
      if (a.index.size === 0) {
        // No symbol index (ar without s): index the members' definitions ourselves, in member order.
        a.members.forEach((m, i) => {
          try {
            for (const sym of readObject(m.data, m.name).symbols) if (sym.bind !== 0 && sym.shndx !== 0 && !a.index.has(sym.name)) a.index.set(sym.name, i);
          } catch {
            // not an object: never pulled
          }
        });
      }
      return { name: input.name, ...a, loaded: new Set() };
    } catch (e) {
      refuse(input.name, e);
      return null;
    }
  };
  for (let i = 0; i < inputs.length; ) {
    const group = inputs[i].group;
    let j = i + 1;
    if (group !== undefined) while (j < inputs.length && inputs[j].group === group) j++;
    const archives: Archive[] = [];
    for (let k = i; k < j; k++) {
      const input = inputs[k];
      if (isArchive(input.bytes)) {
        const a = openArchive(input);
        if (!a) continue;
        archives.push(a);
        if (input.whole) {
          // --whole-archive: each member in turn, as GNU ld loads them (elf_link_add_archive_symbols is not
          // consulted; a member that is not an object is an error there too).
          a.members.forEach((member, m) => {
            a.loaded.add(m);
            try {
              load(`${a.name}(${member.name})`, member.data);
            } catch (e) {
              refuse(a.name, e);
            }
          });
        }
        search(a);
      } else {
        try {
          load(input.name, input.bytes);
        } catch (e) {
          refuse(input.name, e);
        }
      }
    }
    // A group: round after round over its archives until a whole round pulls nothing.
    if (group !== undefined && archives.length > 1) {
      for (let again = true; again; ) {
        again = false;
        for (const a of archives) if (search(a)) again = true;
      }
    }
    i = j;
  }
}
