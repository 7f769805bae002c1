import { describe, expect, it } from 'vitest';
import { distinctPlainTable, StringTable, tailMergedStringTable } from '../tools/elf/strtab.js';

/**
 * bfd's tail merging (elf-strtab.c, _bfd_elf_strtab_finalize) written out plainly, one record per name, as
 * the reference for the packed implementation: names sorted by their reversed UTF-8 bytes; going down that
 * order, a name that is a proper tail of the last name kept lives inside it; the kept names are written in
 * the order they were first added.
 */
function reference(names: readonly string[]): { offsets: Map<string, number>; bytes: Buffer } {
  const distinct: { name: string; utf8: Buffer; rev: string; host: number; off: number }[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    const utf8 = Buffer.from(name, 'utf8');
    distinct.push({ name, utf8, rev: Buffer.from(utf8).reverse().toString('latin1'), host: -1, off: 0 });
  }
  const order = distinct.map((_, i) => i).sort((a, b) => (distinct[a].rev < distinct[b].rev ? -1 : 1));
  let keep = order[order.length - 1];
  for (let k = order.length - 2; k >= 0; k--) {
    const d = distinct[order[k]];
    const e = distinct[keep];
    if (e.utf8.length > d.utf8.length && e.rev.startsWith(d.rev)) d.host = keep;
    else keep = order[k];
  }
  const parts: Uint8Array[] = [Buffer.alloc(1)];
  let size = 1;
  for (const d of distinct) {
    if (d.host >= 0) continue;
    d.off = size;
    parts.push(d.utf8, Buffer.alloc(1));
    size += d.utf8.length + 1;
  }
  const offsets = new Map<string, number>([['', 0]]);
  for (const d of distinct) offsets.set(d.name, d.host >= 0 ? distinct[d.host].off + distinct[d.host].utf8.length - d.utf8.length : d.off);
  return { offsets, bytes: Buffer.concat(parts) };
}

describe('string tables', () => {
  it('a tail-merged table equals bfd’s on random names (tails, repeats, UTF-8, empty names)', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = ['a', 'b', 'r', '_', '.', 'L', '1', 'é', '€', '\u{1F600}'];
    for (let round = 0; round < 200; round++) {
      const names: string[] = [];
      const count = rnd(40);
      for (let i = 0; i < count; i++) {
        const r = rnd(10);
        if (r < 3 && names.length > 0) {
          // A tail of an earlier name (maybe all of it, maybe empty): the case merging is about.
          const other = names[rnd(names.length)];
          names.push(other.slice(rnd(other.length + 1)));
        } else {
          let s = '';
          const len = rnd(7);
          for (let k = 0; k < len; k++) s += alphabet[rnd(r < 8 ? 5 : alphabet.length)];
          names.push(s);
        }
      }
      const want = reference(names);
      const got = tailMergedStringTable(names);
      expect(Buffer.from(got.bytes()).equals(want.bytes), JSON.stringify(names)).toBe(true);
      for (const name of names) expect(got.offset(name), `${JSON.stringify(name)} in ${JSON.stringify(names)}`).toBe(want.offsets.get(name));
      names.forEach((name, k) => expect(got.offsetAt(k)).toBe(want.offsets.get(name)));
    }
  });

  it('tables where no name ends another (found without sorting) and where many might: the same as bfd’s, offsetAt as offset', () => {
    const labels = Array.from({ length: 3000 }, (_, i) => `L${i}`);
    // Names whose first byte occurs inside others (candidates) but that end none; then one that does.
    const near = ['table', 'big.s', '_start', 'tab', 'ble_x', ...labels];
    const many = Array.from({ length: 2000 }, (_, i) => `a${'b'.repeat(i % 7)}x${i % 13}`);
    for (const names of [labels, near, [...near, 'le'], [...near, 'L2999'], [...labels.map((l) => `q${l}`), 'zq'], many, [...many, 'x3'], ['', 'L1', '', 'L1', 'L2'], ['a\0b', 'b'], ['é', 'e', 'xé']]) {
      const want = reference(names);
      const got = tailMergedStringTable(names);
      expect(Buffer.from(got.bytes()).equals(want.bytes)).toBe(true);
      names.forEach((name, k) => {
        expect(got.offset(name)).toBe(want.offsets.get(name));
        expect(got.offsetAt(k)).toBe(want.offsets.get(name));
      });
    }
  });

  it('a table of distinct names told their first characters: bfd’s when it is one (else null), offsets counted in order', () => {
    const labels = Array.from({ length: 3000 }, (_, i) => `L${i}`);
    const near = ['big.s', 'STACK', ...labels, 'table', '_start', 'tab', 'ble_x'];
    const firsts = (names: readonly string[]) => {
      const first = new Uint8Array(128);
      for (const n of names) first[n.charCodeAt(0)] = 1;
      return first;
    };
    const cases: [string[], boolean][] = [
      [labels, true], [near, true], [[...near, 'le'], false], [[...near, '5'], false], [[...labels.map((l) => `q${l}`), 'zq'], false],
      [[...labels.map((l) => `q${l}`), 'L5'], false], [['a\0b', 'b'], false], [['a\0b', 'c'], false], [['é', 'e'], false], [['xé', 'y'], false],
      [['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', ...'abcdefghij'.split('').map((c) => `z${c}z`)], false], [['x'], true],
    ];
    for (const [names, plain] of cases) {
      const got = distinctPlainTable(names, firsts(names));
      expect(got !== null, JSON.stringify(names.slice(-3))).toBe(plain);
      if (!got) continue;
      const want = reference(names);
      expect(Buffer.from(got.bytes()).equals(want.bytes)).toBe(true);
      expect(got.size).toBe(want.bytes.length);
      const out = new Uint8Array(got.size + 2).fill(7);
      got.writeInto(out, 1);
      expect(Buffer.from(out.subarray(1, 1 + got.size)).equals(want.bytes)).toBe(true);
      expect([out[0], out[got.size + 1]]).toEqual([7, 7]);
      let at = 1;
      names.forEach((name, k) => {
        expect(got.sequential).toBe(true);
        expect(at).toBe(want.offsets.get(name));
        expect(got.offsetAt(k)).toBe(at);
        expect(got.offset(name)).toBe(at);
        at += name.length + 1;
      });
    }
    expect(distinctPlainTable([], new Uint8Array(128))).toBe(null);
  });

  it('no names: a table of one NUL; a name holding a NUL keeps its bytes', () => {
    expect([...tailMergedStringTable([]).bytes()]).toEqual([0]);
    expect([...tailMergedStringTable(['']).bytes()]).toEqual([0]);
    const t = tailMergedStringTable(['x\0y', 'y', 'zz']);
    const want = reference(['x\0y', 'y', 'zz']);
    expect(Buffer.from(t.bytes()).equals(want.bytes)).toBe(true);
    expect(t.offset('zz')).toBe(want.offsets.get('zz'));
    expect(t.offset('y')).toBe(want.offsets.get('y'));
  });

  it('a plain table keeps each name once, in the order added', () => {
    const t = new StringTable();
    expect([t.add('ab'), t.add(''), t.add('b'), t.add('ab')]).toEqual([1, 0, 4, 1]);
    expect(Buffer.from(t.bytes()).toString('latin1')).toBe('\0ab\0b\0');
  });

  it('names added as distinct are found by add and by addDistinct as if add had added them', () => {
    const t = new StringTable();
    const got = [t.add('f.s'), t.addDistinct('a'), t.addDistinct(''), t.addDistinct('bé'), t.addDistinct('f.s'), t.add('a'), t.add('bé'), t.addDistinct('c'), t.add('x'), t.add('c'), t.addDistinct('x'), t.addDistinct('d')];
    expect(got).toEqual([1, 5, 0, 7, 1, 5, 7, 11, 13, 11, 13, 15]);
    expect(Buffer.from(t.bytes()).toString('utf8')).toBe('\0f.s\0a\0bé\0c\0x\0d\0');
  });
});
