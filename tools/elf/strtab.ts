// An ELF string table (gABI "String Table"): a NUL byte, then each distinct name once, NUL-terminated, in
// the order names were first added; a name is referred to by the offset of its first byte (0: the empty
// name). Names are written in UTF-8. Shared by the executable writer (elf/write.ts) and the object writer
// (ld/write-object.ts).

export class StringTable {
  private names: string[] = [];
  private size = 1;
  private offsets = new Map<string, number>();
  /** names[indexed..] came from addDistinct and are not in `offsets` yet; the first of them is at `indexedSize`. */
  private indexed = 0;
  private indexedSize = 1;

  /** The offset of `name`, adding it if it is new. */
  add(name: string): number {
    if (name === '') return 0;
    if (this.indexed < this.names.length) this.index();
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const off = this.size;
    this.names.push(name);
    this.size += utf8Length(name) + 1;
    this.offsets.set(name, off);
    this.indexed = this.names.length;
    this.indexedSize = this.size;
    return off;
  }

  /**
   * add(name) for a name the caller knows differs from every other name it gives addDistinct (an object's
   * symbols: the keys of one Map). It is looked up among the names add() gave (few), and entered in the
   * index only when add() is next called: a table of 10,000s of labels is not made a Map of them as well
   * (growing it touched ~100 fresh pages for 8,000 labels).
   */
  addDistinct(name: string): number {
    if (name === '') return 0;
    if (this.offsets.size !== 0) {
      const known = this.offsets.get(name);
      if (known !== undefined) return known;
    }
    const off = this.size;
    this.names.push(name);
    this.size += utf8Length(name) + 1;
    return off;
  }

  /** The names addDistinct gave since, into the index. */
  private index(): void {
    let off = this.indexedSize;
    for (let k = this.indexed; k < this.names.length; k++) {
      this.offsets.set(this.names[k], off);
      off += utf8Length(this.names[k]) + 1;
    }
    this.indexed = this.names.length;
    this.indexedSize = off;
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
  /** The table's size in bytes. */
  readonly size: number;
  /** Write the table's bytes to `out` at `at` (the ELF writer's output: no copy of its own). */
  writeInto(out: Uint8Array, at: number): void;
  bytes(): Uint8Array;
  /** The names are back to back in their order: name k is at 1 + the lengths of the names before it, each
   * plus its NUL (a writer going through the names in order can count that instead of asking offsetAt). */
  readonly sequential?: boolean;
}

/** Multiplier of the names' hash (FNV-1a's 32-bit prime). */
const FNV_PRIME = 0x01000193;

/**
 * The table of `names` when all are ASCII and none is empty, repeats, holds a NUL or ends another (most
 * tables: labels L1, L2, ...; function names rarely end one another): the names back to back. Else null.
 * One loop over the names' characters writes the bytes, hashes each name into a table of indexes (a
 * repeat is found there: no Set of 100,000s of names, whose growth alone touches megabytes) and marks
 * which characters start names and which occur after a name's first character. A name can end another
 * only if its first character is one of the latter, so only names starting with such a character are
 * looked for inside the others (more than a few such names: null, and the general way).
 */
function plainTable(names: readonly string[]): TailMergedTable | null {
  const n = names.length;
  if (n === 0) return null;
  // Name k is bytes[start[k] + 1, start[k + 1]), after the leading NUL (ASCII: a character is a byte).
  const start = nameStarts(names);
  const bytes = new Uint8Array(start[n] + 1);
  const mask = (1 << (32 - Math.clz32(2 * n))) - 1;
  // Open addressing, linear probing: slot holds index + 1 of the name hashed there, 0 when free.
  const slots = new Int32Array(mask + 1);
  const first = new Uint8Array(128);
  const inner = new Uint8Array(128);
  if (!plainBytes(names, start, bytes, slots, mask, first, inner)) return null;
  let innerClass = '';
  for (let c = 1; c < 128; c++) if (first[c] && inner[c]) innerClass += charClassItem(c);
  if (innerClass !== '' && !noneEndsAnother(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), innerClass)) return null;
  const offsetAt = (k: number): number => start[k] + 1;
  return {
    offset: offsetByName(names, offsetAt),
    offsetAt,
    size: bytes.length,
    writeInto: (out, at) => out.set(bytes, at),
    bytes: () => bytes.slice(),
  };
}

/** A table's bytes on their own: `size` bytes written by its writeInto. */
function bytesOf(size: number, writeInto: (out: Uint8Array, at: number) => void): Uint8Array {
  const out = new Uint8Array(size);
  writeInto(out, 0);
  return out;
}

/** A plain table's offset(name): offsetAt of the name's index, found in a Map of the names made on first use. */
function offsetByName(names: readonly string[], offsetAt: (k: number) => number): (name: string) => number {
  let index: Map<string, number> | null = null;
  return (name) => {
    if (name === '') return 0;
    if (!index) {
      index = new Map();
      for (let k = 0; k < names.length; k++) index.set(names[k], k);
    }
    return offsetAt(index.get(name)!);
  };
}

/** Character `c` as an item of a pattern's character class. */
function charClassItem(c: number): string {
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Whether no name of `text` (names between NULs, a NUL first and last) ends another, given `innerClass`: the
 * characters that start a name and also occur after a name's first character (only a name starting with
 * one can end another). The names starting with one of those are found by a pattern, not a loop over every
 * name; more than a few such names: false (the general way decides).
 */
function noneEndsAnother(text: string, innerClass: string): boolean {
  const re = new RegExp(`\\x00([${innerClass}][^\\x00]*)(?=\\x00)`, 'g');
  let budget = 64;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (--budget < 0) return false;
    const tail = `${m[1]}\0`;
    for (let p = text.indexOf(tail); p >= 0; p = text.indexOf(tail, p + 1)) if (text.charCodeAt(p - 1) !== 0) return false;
  }
  return true;
}

/**
 * plainTable of `names` that the caller knows to be distinct, none empty, with the characters they start with
 * marked in `first` (all below 128): no loop over the names here (this runs once, so such a loop runs mostly
 * in V8's interpreter: for 8,000 labels it cost more than the rest of writing the file). The names are joined
 * by native code, and patterns over that text find a non-ASCII character or a NUL, the characters that start a
 * name and occur after a name's first character, and then (noneEndsAnother) whether a name starting with one
 * of those ends another. Null when one is found (or too many to look at): then tailMergedStringTable decides.
 */
export function distinctPlainTable(names: readonly string[], first: Uint8Array): TailMergedTable | null {
  const n = names.length;
  if (n === 0) return null;
  if (/[\0\x80-\uffff]/.test(names.join(''))) return null;
  const joined = names.join('\0');
  const text = `\0${joined}\0`;
  // plainTable's innerClass, a character at a time: a pattern for any of the first characters not yet found
  // after another character. More than a few found: the general way (which then mostly finds a name ending another).
  let candidates = '';
  for (let c = 1; c < 128; c++) if (first[c]) candidates += charClassItem(c);
  let innerClass = '';
  while (candidates !== '') {
    const m = new RegExp(`[^\\x00]([${candidates}])`).exec(text);
    if (m === null) break;
    if (innerClass.length >= 32) return null;
    const item = charClassItem(m[1].charCodeAt(0));
    innerClass += item;
    candidates = candidates.replace(item, '');
  }
  if (innerClass !== '' && !noneEndsAnother(text, innerClass)) return null;
  // The leading NUL, the names each followed by a NUL (ASCII: a character is a byte).
  const size = joined.length + 2;
  const writeInto = (out: Uint8Array, at: number): void => {
    out[at] = 0;
    Buffer.from(out.buffer, out.byteOffset, out.length).write(joined, at + 1, 'latin1');
    out[at + size - 1] = 0;
  };
  // Only for a caller that does not count the offsets itself.
  let start: Int32Array | null = null;
  const offsetAt = (k: number): number => (start ??= nameStarts(names))[k] + 1;
  return {
    offset: offsetByName(names, offsetAt),
    offsetAt,
    size,
    writeInto,
    bytes: () => bytesOf(size, writeInto),
    sequential: true,
  };
}

/** Where each name starts in plainTable's bytes, less the leading NUL (and where the last one ends). The loops
 * over the names are functions of their own, small for V8 to optimise on-stack; plainTable runs once. */
function nameStarts(names: readonly string[]): Int32Array {
  const start = new Int32Array(names.length + 1);
  // By Array#reduce with a small callback: the builtin's loop, and a function V8 optimises quickly, where a
  // loop in a once-called function runs interpreted until on-stack replacement, whose compile costs more.
  names.reduce((at: number, name: string, k: number) => (start[k + 1] = at + name.length + 1), 0);
  return start;
}

/**
 * plainTable's walk over the names' characters: the bytes, each name hashed into `slots`, and the characters
 * that start names (`first`) and occur after a name's first character (`inner`). False when a name is empty,
 * not ASCII, holds a NUL or repeats one before it.
 */
function plainBytes(names: readonly string[], start: Int32Array, bytes: Uint8Array, slots: Int32Array, mask: number, first: Uint8Array, inner: Uint8Array): boolean {
  // By Array#every with a small callback (see nameStarts).
  return names.every((name: string, k: number): boolean => {
    const len = name.length;
    if (len === 0) return false;
    const at = start[k] + 1;
    let c = name.charCodeAt(0);
    if (c === 0 || c >= 0x80) return false;
    first[c] = 1;
    bytes[at] = c;
    let h = Math.imul(0x811c9dc5 ^ c, FNV_PRIME);
    for (let j = 1; j < len; j++) {
      c = name.charCodeAt(j);
      if (c === 0 || c >= 0x80) return false;
      inner[c] = 1;
      bytes[at + j] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    let i = (h ^ (h >>> 15)) & mask;
    for (let other = slots[i]; other !== 0; other = slots[i]) {
      if (names[other - 1] === name) return false;
      i = (i + 1) & mask;
    }
    slots[i] = k + 1;
    return true;
  });
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
  const writeInto = (out: Uint8Array, at: number): void => {
    // (The leading NUL: `out` may not be zero-filled.)
    out[at] = 0;
    if (merged === 0) joined.copy(out, at + 1);
    else for (let i = 0; i < n; i++) if (host[i] < 0) joined.copy(out, at + off[i], start[i], start[i + 1]);
  };
  return {
    offset: (name) => (name === '' ? 0 : off[index.get(name)!]),
    offsetAt: (k) => (names[k] === '' ? 0 : off[index.get(names[k])!]),
    size,
    writeInto,
    bytes: () => bytesOf(size, writeInto),
  };
}
