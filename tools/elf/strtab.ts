// An ELF string table (gABI "String Table"): a NUL byte, then each distinct name once, NUL-terminated, in
// the order names were first added; a name is referred to by the offset of its first byte (0: the empty
// name). Names are written in UTF-8. Shared by the executable writer (elf/write.ts) and the object writer
// (ld/write-object.ts).

export class StringTable {
  private names: string[] = [];
  private size = 1;
  private offsets = new Map<string, number>();

  /** The offset of `name`, adding it if it is new. */
  add(name: string): number {
    if (name === '') return 0;
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const off = this.size;
    this.names.push(name);
    this.size += utf8Length(name) + 1;
    this.offsets.set(name, off);
    return off;
  }

  /** The table's bytes. */
  bytes(): Uint8Array {
    if (this.names.length === 0) return new Uint8Array(1);
    // One encoding of every name at once (an object of gcc -g output has tens of thousands), not a loop per
    // character here: the names joined by NULs, between a leading and a trailing NUL.
    const b = Buffer.from(`\0${this.names.join('\0')}\0`, 'utf8');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
}

/** UTF-8 byte length of `s` (Buffer.from's encoding: a lone surrogate takes the 3 bytes of U+FFFD). */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/**
 * A string table in which a name that ends another name is not written again but points into it, as GNU
 * ld writes an executable's .strtab (bfd elf-strtab.c, _bfd_elf_strtab_finalize: names sorted by their
 * reversed bytes; going down that order, a name that is a proper tail of the last name kept shares its
 * bytes; the names kept are written in the order they were first added). `names` in that order.
 */
export function tailMergedStringTable(names: readonly string[]): { offset(name: string): number; bytes(): Uint8Array } {
  const distinct: { name: string; utf8: Buffer; rev: string; off: number; host: number }[] = [];
  const byName = new Map<string, number>();
  for (const name of names) {
    if (name === '' || byName.has(name)) continue;
    const utf8 = Buffer.from(name, 'utf8');
    byName.set(name, distinct.length);
    distinct.push({ name, utf8, rev: Buffer.from(utf8).reverse().toString('latin1'), off: -1, host: -1 });
  }
  const sorted = distinct.map((_, i) => i).sort((a, b) => (distinct[a].rev < distinct[b].rev ? -1 : distinct[a].rev > distinct[b].rev ? 1 : 0));
  let keep = sorted[sorted.length - 1];
  for (let k = sorted.length - 2; k >= 0; k--) {
    const cmp = distinct[sorted[k]];
    const e = distinct[keep];
    if (e.utf8.length > cmp.utf8.length && e.rev.startsWith(cmp.rev)) cmp.host = keep;
    else keep = sorted[k];
  }
  let size = 1;
  const parts: Buffer[] = [Buffer.alloc(1)];
  for (const d of distinct) {
    if (d.host >= 0) continue;
    d.off = size;
    parts.push(d.utf8, Buffer.alloc(1));
    size += d.utf8.length + 1;
  }
  for (const d of distinct) if (d.host >= 0) d.off = distinct[d.host].off + distinct[d.host].utf8.length - d.utf8.length;
  return {
    offset: (name) => (name === '' ? 0 : distinct[byName.get(name)!].off),
    bytes: () => {
      const b = Buffer.concat(parts);
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
  };
}
