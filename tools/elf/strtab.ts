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
