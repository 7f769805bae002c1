// Names read from the source, interned per unit: a mnemonic, directive or symbol name that appears again
// is found from its characters in the line, with no new string and no hashing of one (a fresh slice would
// be allocated, hashed by every Map it is looked up in, then dropped). Each distinct name gets a small
// integer id, so per-name data (the unit's symbol for it) can live in plain arrays indexed by id.

const INITIAL_SLOTS = 1024;

/** FNV-1a over s[a, b), with A-Z taken as a-z when `lower`. */
function hashRange(s: string, a: number, b: number, lower: boolean): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) {
    let c = s.charCodeAt(i);
    if (lower && c >= 65 && c <= 90) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h | 0;
}

export class Interner {
  /** Open addressing over ids + 1 (0: empty). */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private hashes = new Int32Array(INITIAL_SLOTS >> 1);
  /** The name of each id. */
  readonly names: string[] = [];

  /** The id of the name s[a, b) (lower-cased when `lower`: only for ASCII identifiers), added on first sight. */
  idOf(s: string, a: number, b: number, lower: boolean): number {
    const h = hashRange(s, a, b, lower);
    const slots = this.slots;
    const mask = this.mask;
    const names = this.names;
    const n = b - a;
    let k = h & mask;
    for (;;) {
      const e = slots[k];
      if (e === 0) break;
      const id = e - 1;
      if (this.hashes[id] === h) {
        const name = names[id];
        if (name.length === n) {
          let i = 0;
          for (; i < n; i++) {
            let c = s.charCodeAt(a + i);
            if (lower && c >= 65 && c <= 90) c |= 0x20;
            if (c !== name.charCodeAt(i)) break;
          }
          if (i === n) return id;
        }
      }
      k = (k + 1) & mask;
    }
    let name = s.slice(a, b);
    if (lower) name = name.toLowerCase();
    const id = names.length;
    names.push(name);
    if (id >= this.hashes.length) {
      const hs = new Int32Array(this.hashes.length * 2);
      hs.set(this.hashes);
      this.hashes = hs;
    }
    this.hashes[id] = h;
    slots[k] = id + 1;
    // At most half full, so probes stay short.
    if (names.length * 2 > slots.length) this.rehash();
    return id;
  }

  /** The id of `name` (added on first sight). */
  idOfName(name: string): number {
    return this.idOf(name, 0, name.length, false);
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    const n = this.names.length;
    for (let id = 0; id < n; id++) {
      let k = this.hashes[id] & mask;
      while (slots[k] !== 0) k = (k + 1) & mask;
      slots[k] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
