// GNU ld's --section-start=SECTION=ADDR, -Tdata ADDR and -Tbss ADDR (ld manual, "Command-line Options";
// ldlang.c, lang_address_statement_enum): the output section of that name starts at ADDR, whatever address
// the script gives it, and what follows in the script follows it. -Tdata and -Tbss name .data and .bss (GNU
// ld treats them as the segments "data" and "bss", which its default script never uses, so they act as
// section starts). A section the script does not describe gets an output section statement of its own
// after the script's others, as ld makes one (its inputs, orphans of that name, go into it).

import { parseScript, type LinkerScript } from './parse.js';

export interface SectionStart {
  name: string;
  addr: bigint;
  /** Its section goes first in the section header table (the option came before the script was read). */
  first?: boolean;
}

/** ADDR as GNU ld reads it: hexadecimal, with or without 0x (bfd_scan_vma base 16). Null when not a number. */
export function parseSectionAddress(text: string): bigint | null {
  const m = /^(?:0x)?([0-9a-f]+)$/i.exec(text.trim());
  return m ? BigInt(`0x${m[1]}`) : null;
}

export function applySectionStarts(script: LinkerScript, starts: readonly SectionStart[]): void {
  for (const { name, addr } of starts) {
    const num = { t: 'num' as const, v: addr };
    const statements = (script.sections ?? []).filter((c) => c.kind === 'section' && c.name === name);
    if (statements.length) {
      for (const st of statements) if (st.kind === 'section') st.address = num;
      continue;
    }
    const made = parseScript(`SECTIONS { ${name} 0x${addr.toString(16)} : { *(${name}) } }`, '--section-start');
    script.sections = [...(script.sections ?? []), ...(made.sections ?? [])];
  }
}

/** The names of the output sections a script describes (its SECTIONS' output section statements). */
export function describedSections(script: LinkerScript): Set<string> {
  const names = new Set<string>();
  for (const c of script.sections ?? []) if (c.kind === 'section') names.add(c.name);
  return names;
}

/**
 * GNU ld's section header order under --section-start: ld makes the output section of each address
 * statement before the script's (ldlang.c), so those sections come first in the section header table, in
 * command-line order, each followed by the (allocated) orphans ld placed after it; the rest keep their order.
 * `sections` are in rvx's order (the script's, orphans after their neighbours); `described`: the names
 * the script's statements give.
 */
export function sectionStartOrder<T extends { name: string; flags: number }>(sections: T[], starts: readonly SectionStart[], described: ReadonlySet<string>): T[] {
  const first: T[] = [];
  const taken = new Set<T>();
  for (const { name, first: goesFirst } of starts) {
    if (goesFirst === false) continue;
    const i = sections.findIndex((s) => s.name === name);
    if (i < 0 || taken.has(sections[i])) continue;
    first.push(sections[i]);
    taken.add(sections[i]);
    for (let j = i + 1; j < sections.length && sections[j].flags & 2 && !described.has(sections[j].name) && !taken.has(sections[j]); j++) {
      first.push(sections[j]);
      taken.add(sections[j]);
    }
  }
  return [...first, ...sections.filter((s) => !taken.has(s))];
}
