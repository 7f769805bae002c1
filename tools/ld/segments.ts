// Program headers as GNU ld 2.40 makes them for a linker script's layout (bfd/elf.c,
// _bfd_elf_map_sections_to_segments, for a static executable without -z separate-code): allocated sections in
// address order share a PT_LOAD while one starts in the page where the previous one ends, else until one
// is more than a page away from the previous one's end, moves its load address differently from its run
// address, has contents after a zero-filled section, or is writable on another page than the read-only
// segment so far; a segment's permissions are the union of its sections'.
// The ELF header and the program headers are loaded at the start of the first segment when the first
// section leaves room for them in its page (a script that says `. = BASE + SIZEOF_HEADERS`).

import { SHF_EXECINSTR, SHF_TLS, SHF_WRITE, SHT_NOBITS } from '../elf/model.js';

export interface SegmentSection {
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  lma?: bigint;
  size: number;
}

export interface SegmentPlan<S extends SegmentSection> {
  sections: S[];
  /** Run and load address of the segment's start (the page start when it holds the headers). */
  vaddr: bigint;
  paddr: bigint;
  writable: boolean;
  exec: boolean;
}

const lmaOf = (s: SegmentSection) => s.lma ?? s.addr;

/** Whether the headers (`headerSize` bytes) fit in the first section's page before it. */
export function headersFit(first: SegmentSection | undefined, headerSize: number, page: bigint): boolean {
  if (!first || headerSize <= 0) return false;
  return lmaOf(first) % page >= BigInt(headerSize) && first.addr % page >= BigInt(headerSize);
}

/** `loadPhdrs`: the script uses SIZEOF_HEADERS (GNU's default script does), so ld loads the headers in any
 * case, at the page boundary at or below `first - headerSize` (bfd: phdr_lma), e.g. in the page below a
 * .text that --section-start puts at a page start. */
export function gnuSegments<S extends SegmentSection>(alloc: S[], page: bigint, headerSize: number, loadPhdrs = false): SegmentPlan<S>[] {
  const secs = alloc.filter((s) => s.size > 0).sort((a, b) => (lmaOf(a) < lmaOf(b) ? -1 : lmaOf(a) > lmaOf(b) ? 1 : a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const plans: SegmentPlan<S>[] = [];
  let cur: SegmentPlan<S> | null = null;
  let last: S | null = null;
  const below = (v: bigint) => v - BigInt(headerSize) - ((v - BigInt(headerSize)) % page);
  const withHeaders = headersFit(secs[0], headerSize, page) || (loadPhdrs && !!secs[0] && headerSize > 0 && lmaOf(secs[0]) >= BigInt(headerSize) && secs[0].addr >= BigInt(headerSize));
  for (const s of secs) {
    const tbss = (s.flags & SHF_TLS) !== 0 && s.type === SHT_NOBITS;
    let fresh = cur === null || last === null;
    if (!fresh && last) {
      const lastSize = tbss ? 0n : BigInt(last.size);
      const lastEnd = lmaOf(last) + ((last.flags & SHF_TLS) && last.type === SHT_NOBITS ? 0n : lastSize);
      const alignUp = (v: bigint) => ((v + page - 1n) / page) * page;
      if (lmaOf(s) - s.addr !== lmaOf(last) - last.addr) fresh = true;
      // A section starting in the page where the previous one ends shares its segment, whatever else
      // (bfd: a .bss followed there by contents is then written out as zeros).
      else if (lastEnd > lmaOf(last) && (lastEnd - 1n) / page === lmaOf(s) / page) fresh = false;
      else if (alignUp(lastEnd) < (lmaOf(s) / page) * page) fresh = true;
      else if (last.type === SHT_NOBITS && !((last.flags & SHF_TLS) !== 0) && s.type !== SHT_NOBITS) fresh = true;
      else if (!cur!.writable && s.flags & SHF_WRITE && (lastEnd - 1n) / page !== lmaOf(s) / page) fresh = true;
    }
    if (fresh) {
      const first = plans.length === 0 && withHeaders;
      cur = {
        sections: [],
        vaddr: first ? below(s.addr) : s.addr,
        paddr: first ? below(lmaOf(s)) : lmaOf(s),
        writable: false,
        exec: false,
      };
      plans.push(cur);
    }
    cur!.sections.push(s);
    if (s.flags & SHF_WRITE) cur!.writable = true;
    if (s.flags & SHF_EXECINSTR) cur!.exec = true;
    last = s;
  }
  return plans;
}
