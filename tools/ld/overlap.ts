// Output sections may not overlap (GNU ld's check of section addresses, on unless --no-check-sections):
//   - load addresses first: sections with contents, in order of load address, each against the previous
//     one: `section .b LMA [start,end] overlaps section .a LMA [start,end]` (inclusive ends, 16 hex digits);
//   - then run addresses of all allocated sections of non-zero size but .tbss, skipping those whose load
//     address was already reported, and not at all when two start at the same address (overlays, as the
//     OVERLAY command makes them, which ld recognises that way).
// Learned from GNU ld 2.40's behaviour and messages; written from scratch.

import { SHF_ALLOC, SHF_TLS, SHT_NOBITS } from '../elf/model.js';

export interface PlacedSection {
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  size: number;
  lma?: bigint;
}

const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, '0');

/** The overlap errors GNU ld would report for these output sections. */
export function sectionOverlaps(outputs: PlacedSection[]): string[] {
  const errors: string[] = [];
  const alloc = outputs.filter((o) => o.flags & SHF_ALLOC && o.size > 0 && !(o.flags & SHF_TLS && o.type === SHT_NOBITS));
  const byKey = (key: (o: PlacedSection) => bigint) => alloc.map((o, i) => ({ o, i })).sort((a, b) => (key(a.o) < key(b.o) ? -1 : key(a.o) > key(b.o) ? 1 : a.i - b.i)).map((x) => x.o);
  const lmaOf = (o: PlacedSection) => o.lma ?? o.addr;
  const reported = new Set<PlacedSection>();
  const check = (list: PlacedSection[], key: (o: PlacedSection) => bigint, what: string, mark: boolean) => {
    let p: PlacedSection | null = null;
    let pStart = 0n;
    let pEnd = 0n;
    for (const s of list) {
      const start = key(s);
      const end = start + BigInt(s.size) - 1n;
      if (p && (start <= pEnd || pEnd < pStart)) {
        errors.push(`section ${s.name} ${what} [${hex(start)},${hex(end)}] overlaps section ${p.name} ${what} [${hex(pStart)},${hex(pEnd)}]`);
        if (mark) reported.add(s);
      }
      p = s;
      pStart = start;
      pEnd = end;
    }
  };
  check(byKey(lmaOf).filter((o) => o.type !== SHT_NOBITS), lmaOf, 'LMA', true);
  const byVma = byKey((o) => o.addr);
  const overlays = byVma.some((o, i) => i > 0 && byVma[i - 1].addr === o.addr);
  if (!overlays) check(byVma.filter((o) => !reported.has(o)), (o) => o.addr, 'VMA', false);
  return errors;
}
