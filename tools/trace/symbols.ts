// Address-to-symbol lookup over an ELF's symbol table, and symbol-or-address resolution for options
// such as `--from main`. Functions and labels (FUNC and NOTYPE symbols, not `.L` locals) name code.

import type { ElfSymbol } from '../elf/model.js';

export interface SymbolRange {
  name: string;
  start: number;
  /** Exclusive end: start + size, or the next symbol's start when the size is 0. */
  end: number;
}

/** Sign-extend a 64-bit ELF address to the JS-number form the hart uses for pcs. */
export function addrToNumber(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

export class SymbolTable {
  readonly ranges: SymbolRange[];
  private readonly starts: Float64Array;
  private readonly byName = new Map<string, number>();
  private lastIndex = -1;

  constructor(symbols: readonly ElfSymbol[]) {
    const code = symbols.filter(
      (s) => (s.type === 'func' || s.type === 'notype') && s.section !== null && s.name !== '' && !s.name.startsWith('.L') && !/^\$[xd]/.test(s.name),
    );
    for (const s of symbols) if (s.name !== '' && (s.type !== 'section' && s.type !== 'file')) {
      if (!this.byName.has(s.name) || s.bind !== 'local') this.byName.set(s.name, addrToNumber(s.value));
    }
    // Sorted by address; at equal addresses prefer globals, then functions, then the first name.
    const rank = (s: ElfSymbol) => (s.bind === 'local' ? 1 : 0) * 2 + (s.type === 'func' ? 0 : 1);
    const sorted = [...code].sort((a, b) => {
      const d = addrToNumber(a.value) - addrToNumber(b.value);
      return d !== 0 ? d : rank(a) - rank(b) || a.name.localeCompare(b.name);
    });
    const ranges: SymbolRange[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const s = sorted[i];
      const start = addrToNumber(s.value);
      if (ranges.length > 0 && ranges[ranges.length - 1].start === start) continue;
      let next = Infinity;
      for (let j = i + 1; j < sorted.length; j++) {
        const a = addrToNumber(sorted[j].value);
        if (a > start) {
          next = a;
          break;
        }
      }
      const end = s.size > 0 ? Math.min(start + s.size, next) : next;
      ranges.push({ name: s.name, start, end });
    }
    this.ranges = ranges;
    this.starts = Float64Array.from(ranges.map((r) => r.start));
  }

  /** Index of the range holding addr, or -1. */
  indexOf(addr: number): number {
    const last = this.lastIndex;
    if (last >= 0 && addr >= this.ranges[last].start && addr < this.ranges[last].end) return last;
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= addr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0 && addr < this.ranges[found].end) {
      this.lastIndex = found;
      return found;
    }
    return -1;
  }

  /** `name` or `name+0x10` for addr, or undefined outside every symbol. */
  describe(addr: number): string | undefined {
    const i = this.indexOf(addr);
    if (i < 0) return undefined;
    const r = this.ranges[i];
    return addr === r.start ? r.name : `${r.name}+0x${(addr - r.start).toString(16)}`;
  }

  /** Value of a symbol by name. */
  lookup(name: string): number | undefined {
    return this.byName.get(name);
  }

  /**
   * A `--from`/`--to` style operand: a symbol name, `symbol+offset`, or a number (0x..., decimal).
   * Returns a message instead of a number when it names nothing.
   */
  resolve(text: string): number | string {
    const t = text.trim();
    if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
      const v = BigInt(t);
      if (v >= 1n << 64n) return `address ${t} does not fit in 64 bits`;
      return addrToNumber(v);
    }
    const m = /^(.+?)\s*\+\s*(0x[0-9a-f]+|\d+)$/i.exec(t);
    const base = m ? m[1] : t;
    const v = this.byName.get(base);
    if (v === undefined) return `no symbol '${base}' in the ELF`;
    return m ? v + Number(m[2]) : v;
  }
}
