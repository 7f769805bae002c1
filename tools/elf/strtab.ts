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

/** A tail-merged string table: a name's offset (by name, or by its position in the names given) and the bytes. */
export interface TailMergedTable {
  offset(name: string): number;
  offsetAt(k: number): number;
  bytes(): Uint8Array;
}

/**
 * The table of `names` when all are ASCII and none is empty, repeats, holds a NUL or ends another (most
 * tables: labels L1, L2, ...; function names rarely end one another): the names back to back. Else null.
 * Found with a few native passes over the joined names, not a sort or a record per name, as this runs once,
 * mostly before V8 optimises it: a name can end another only if its first character occurs in some name
 * after that name's first character, so only names starting with such a character are looked for inside
 * the others (more than a few such names: null, and the general way).
 */
function plainTable(names: readonly string[]): TailMergedTable | null {
  const n = names.length;
  if (n === 0 || names.includes('')) return null;
  const text = `${names.join('\0')}\0`;
  const joined = Buffer.from(text, 'utf8');
  // ASCII (a name's bytes are its characters), no NUL inside a name (n NULs in all), no name twice.
  if (joined.length !== text.length || text.length - text.replaceAll('\0', '').length !== n || new Set(names).size !== n) return null;
  // Name k is text[start[k], start[k + 1] - 1); the first characters of the names, marked 1.
  const start = new Int32Array(n + 1);
  const first = new Uint8Array(128);
  let firstClass = '';
  for (let k = 0; k < n; k++) {
    const name = names[k];
    start[k + 1] = start[k] + name.length + 1;
    const c = name.charCodeAt(0);
    if (first[c] === 0) {
      first[c] = 1;
      firstClass += `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  // Those that also occur inside a name (after a non-NUL), marked 2 and gathered in `inner`. The pattern
  // drops each one found, so the text is scanned about once.
  let inner = '';
  let at = 0;
  while (firstClass !== '') {
    const re = new RegExp(`[^\\x00][${firstClass}]`, 'g');
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) break;
    const c = text.charCodeAt(m.index + 1);
    const code = `\\x${c.toString(16).padStart(2, '0')}`;
    first[c] = 2;
    firstClass = firstClass.replace(code, '');
    inner += code;
    at = m.index + 1;
  }
  if (inner !== '') {
    // The names starting with one of those (found by a pattern, not a loop over every name): is one of
    // them inside another name, at its end? More than a few such names: the general way.
    const re = new RegExp(`(?:^|\\x00)([${inner}][^\\x00]*)(?=\\x00)`, 'g');
    let budget = 64;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (--budget < 0) return null;
      const tail = `${m[1]}\0`;
      for (let p = text.indexOf(tail); p >= 0; p = text.indexOf(tail, p + 1)) if (p > 0 && text.charCodeAt(p - 1) !== 0) return null;
    }
  }
  const offsetAt = (k: number): number => start[k] + 1;
  let index: Map<string, number> | null = null;
  return {
    offset: (name) => {
      if (name === '') return 0;
      if (!index) {
        index = new Map();
        for (let k = 0; k < n; k++) index.set(names[k], k);
      }
      return offsetAt(index.get(name)!);
    },
    offsetAt,
    bytes: () => {
      const out = Buffer.alloc(joined.length + 1);
      joined.copy(out, 1);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
  };
}

/**
 * A string table in which a name that ends another name is not written again but points into it, as GNU
 * ld writes an executable's .strtab (bfd elf-strtab.c, _bfd_elf_strtab_finalize: names sorted by their
 * reversed bytes; going down that order, a name that is a proper tail of the last name kept shares its
 * bytes; the names kept are written in the order they were first added). `names` in that order.
 */
export function tailMergedStringTable(names: readonly string[]): TailMergedTable {
  const plain = plainTable(names);
  if (plain) return plain;
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
    offsetAt: (k) => (names[k] === '' ? 0 : off[index.get(names[k])!]),
    bytes: () => {
      const out = Buffer.alloc(size);
      if (merged === 0) joined.copy(out, 1);
      else for (let i = 0; i < n; i++) if (host[i] < 0) joined.copy(out, off[i], start[i], start[i + 1]);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
  };
}
