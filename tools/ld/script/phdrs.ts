// A linker script's PHDRS (ld manual, "PHDRS Command"): which output sections each named program header
// holds. The headers themselves are written by tools/asm/index.ts (phdrsImage) and tools/elf/write.ts.

import { SHF_ALLOC } from '../../elf/model.js';
import type { OutState, ScriptOutput } from './layout.js';
import type { OutputSectionStatement, Pos, ProgramHeaderStatement } from './parse.js';

export interface ScriptProgramHeader {
  ph: ProgramHeaderStatement;
  /** AT() and FLAGS() as evaluated (null: not given). */
  at: bigint | null;
  flags: bigint | null;
  sections: ScriptOutput[];
}

/**
 * A section goes to the headers its `:name`s give, else to those of the section before it — an output
 * section not in the image still passes its names on, as ld's lang_record_phdrs does; before any section
 * names one, to those of the first that does — and `:NONE` to none. Only allocated sections in the image
 * count; a NOLOAD one goes only where it is named, and PT_INTERP takes only sections that name it. Null
 * without PHDRS.
 */
export function assignProgramHeaders(
  list: ProgramHeaderStatement[],
  values: { at: bigint | null; flags: bigint | null }[],
  states: OutState[],
  present: (st: OutState) => boolean,
): ScriptProgramHeader[] | null {
  if (!list.length) return null;
  const out = list.map((ph, i) => ({ ph, at: values[i]?.at ?? null, flags: values[i]?.flags ?? null, sections: [] as ScriptOutput[] }));
  let last: string[] | null = null;
  states.forEach((st, i) => {
    let names = st.stmt?.phdrs.length ? st.stmt.phdrs : null;
    if (names) last = names;
    if (!present(st) || !(st.out.flags & SHF_ALLOC)) return;
    if (!names) {
      if (st.stmt?.type === 'NOLOAD') return;
      if (!last) last = states.slice(i).find((x) => x.stmt?.phdrs.length)?.stmt!.phdrs ?? null;
      names = last;
    }
    for (const name of names ?? []) {
      if (name === 'NONE') continue;
      for (const o of out) if (o.ph.name === name && !(o.ph.type === 3 && !st.stmt?.phdrs.length)) o.sections.push(st.out);
    }
  });
  return out;
}

/** `:name`s that no PHDRS entry declares (ld: "section assigned to non-existent phdr"). */
export function undeclaredPhdrs(list: ProgramHeaderStatement[], statements: OutputSectionStatement[]): { pos: Pos; message: string }[] {
  const known = new Set(list.map((p) => p.name));
  const errors: { pos: Pos; message: string }[] = [];
  for (const st of statements) {
    for (const n of st.phdrs) if (n !== 'NONE' && !known.has(n)) errors.push({ pos: st.pos, message: `section '${st.name}' assigned to non-existent phdr '${n}'` });
  }
  return errors;
}
