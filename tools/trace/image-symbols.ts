// Symbols for a whole microkernel image: the kernel's own (from its ELF) and every user program's, so
// `rvx profile --kernel SYSTEM` names user code instead of "(no symbol)". The user programs all run at
// the same virtual addresses, each in its own address space, so a U-mode pc alone cannot say whose code
// ran: the record's instruction bits, compared with each program's image at that offset, can. Code the
// programs share byte for byte (the user library) is named once, as "[user] name".

import type { CommitRecord } from '../../emulator/types.js';
import type { ElfSymbol } from '../elf/model.js';
import type { CodeMap } from './profile.js';
import { SymbolTable, type SymbolRange } from './symbols.js';

export interface UserProgram {
  name: string;
  /** The program's image as loaded at `base` (flat, from its first byte). */
  bytes: Uint8Array;
  /** Its labels (name → virtual address). */
  symbols: Map<string, number>;
  base: number;
}

function asElfSymbols(map: Map<string, number>): ElfSymbol[] {
  return [...map].map(([name, value]) => ({ name, value: BigInt(value), size: 0, bind: 'global', type: 'notype', section: '.text' }));
}

export class ImageSymbols implements CodeMap {
  readonly ranges: SymbolRange[];
  private readonly tables: SymbolTable[];
  /** Index in `ranges` of each program's first range. */
  private readonly offsets: number[];
  /** "[user] name" ranges for code several programs share, by `${name}@${start}`. */
  private readonly shared = new Map<string, number>();
  /** pc → raw bits → index, for pcs seen before. */
  private readonly seen = new Map<number, Map<number, number>>();
  /** The program whose own (unshared) code ran last in U mode, or -1. */
  private lastProgram = -1;

  constructor(
    private readonly kernel: SymbolTable,
    private readonly programs: readonly UserProgram[],
  ) {
    this.ranges = [...kernel.ranges];
    this.tables = programs.map((p) => new SymbolTable(asElfSymbols(p.symbols)));
    this.offsets = [];
    programs.forEach((p, i) => {
      this.offsets.push(this.ranges.length);
      for (const r of this.tables[i].ranges) this.ranges.push({ ...r, name: `[${p.name}] ${r.name}` });
    });
    for (const t of this.tables) {
      for (const r of t.ranges) {
        const key = `${r.name}@${r.start}`;
        if (!this.shared.has(key)) {
          this.shared.set(key, this.ranges.length);
          this.ranges.push({ ...r, name: `[user] ${r.name}` });
        }
      }
    }
  }

  indexOf(pc: number): number {
    return this.kernel.indexOf(pc);
  }

  indexOfRecord(rec: CommitRecord): number {
    if (rec.priv !== 0) return this.kernel.indexOf(rec.pc);
    const index = this.indexOfCode(rec);
    if (index < 0 && rec.trapped) {
      // A trap record (an interrupt, a fetch fault) may carry no instruction bits that identify the
      // program: it belongs to the program whose code ran last in U mode, when its symbols cover the pc.
      const p = this.lastProgram;
      const li = p >= 0 ? this.tables[p].indexOf(rec.pc) : -1;
      return li >= 0 ? this.offsets[p] + li : -1;
    }
    const p = this.programOf(index);
    if (p >= 0) this.lastProgram = p;
    return index;
  }

  /** The program a range index belongs to (-1: a kernel range, or code several programs share). */
  private programOf(index: number): number {
    for (let i = this.offsets.length - 1; i >= 0; i--) {
      const end = i + 1 < this.offsets.length ? this.offsets[i + 1] : this.offsets[i] + this.tables[i].ranges.length;
      if (index >= this.offsets[i] && index < end) return i;
    }
    return -1;
  }

  private indexOfCode(rec: CommitRecord): number {
    let byRaw = this.seen.get(rec.pc);
    const known = byRaw?.get(rec.raw);
    if (known !== undefined) return known;
    const index = this.locate(rec.pc, rec.raw, rec.size);
    if (!byRaw) this.seen.set(rec.pc, (byRaw = new Map()));
    byRaw.set(rec.raw, index);
    return index;
  }

  /** The range of the one program whose image holds these bits at pc; a shared range when several do. */
  private locate(pc: number, raw: number, size: number): number {
    let found = -1;
    let name: string | null = null;
    let start = 0;
    let count = 0;
    this.programs.forEach((p, i) => {
      const off = pc - p.base;
      if (off < 0 || off + size > p.bytes.length) return;
      const b = p.bytes;
      const bits = size === 2 ? b[off] | (b[off + 1] << 8) : (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
      if (bits !== (size === 2 ? raw & 0xffff : raw >>> 0)) return;
      const li = this.tables[i].indexOf(pc);
      if (li < 0) return;
      count++;
      if (found < 0) {
        found = this.offsets[i] + li;
        name = this.tables[i].ranges[li].name;
        start = this.tables[i].ranges[li].start;
      }
    });
    if (count <= 1) return found;
    return this.shared.get(`${name}@${start}`) ?? found;
  }
}
