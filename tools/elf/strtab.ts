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
  // Built over whole-table buffers and native sorting, not an object per name: an image of a large
  // program has tens of thousands of names, and this runs once, mostly before V8 optimises it.
  const index = new Map<string, number>();
  const list: string[] = [];
  for (const name of names) {
    if (name === '' || index.has(name)) continue;
    index.set(name, list.length);
    list.push(name);
  }
  const n = list.length;
  // Every name in UTF-8 at once, each followed by its NUL: name i is joined[start[i], start[i + 1] - 1).
  const joined = Buffer.from(list.length === 0 ? '' : `${list.join('\0')}\0`, 'utf8');
  const start = new Int32Array(n + 1);
  let ends = 0;
  for (let i = 0; i < joined.length; i++) if (joined[i] === 0) start[++ends] = i + 1;
  if (ends !== n) {
    // A name holding a NUL itself (a quoted symbol name can): place the names by their lengths instead.
    for (let i = 0; i < n; i++) start[i + 1] = start[i] + Buffer.byteLength(list[i], 'utf8') + 1;
  }
  // Reversing the whole buffer reverses each name's bytes in place (and their order): name i reversed is
  // rev[L - (start[i + 1] - 1), L - start[i]). As latin1, one character per byte, so strings compare as
  // the bytes do.
  const L = joined.length;
  const rev = Buffer.from(joined).reverse().toString('latin1');
  const keys: string[] = new Array<string>(n);
  const byKey = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = rev.slice(L - (start[i + 1] - 1), L - start[i]);
    keys[i] = key;
    byKey.set(key, i);
  }
  // Distinct names have distinct reversed bytes, so a plain sort of the keys orders the names.
  const sorted = keys.slice().sort();
  const host = new Int32Array(n).fill(-1);
  let merged = 0;
  if (n > 0) {
    let keep = byKey.get(sorted[n - 1])!;
    for (let k = n - 2; k >= 0; k--) {
      const cmp = byKey.get(sorted[k])!;
      if (keys[keep].length > keys[cmp].length && keys[keep].startsWith(keys[cmp])) {
        host[cmp] = keep;
        merged++;
      } else keep = cmp;
    }
  }
  // Offsets: the names kept, back to back after the leading NUL; a merged name inside its host's bytes.
  const off = new Int32Array(n);
  let size = 1;
  for (let i = 0; i < n; i++) {
    if (host[i] >= 0) continue;
    off[i] = size;
    size += start[i + 1] - start[i];
  }
  for (let i = 0; i < n; i++) if (host[i] >= 0) off[i] = off[host[i]] + (start[host[i] + 1] - start[host[i]]) - (start[i + 1] - start[i]);
  return {
    offset: (name) => (name === '' ? 0 : off[index.get(name)!]),
    bytes: () => {
      const out = Buffer.alloc(size);
      if (merged === 0) joined.copy(out, 1);
      else for (let i = 0; i < n; i++) if (host[i] < 0) joined.copy(out, off[i], start[i], start[i + 1]);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
  };
}
