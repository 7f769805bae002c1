// A set-associative cache of tags only (the timing model needs hit or miss, not data): physically
// indexed and tagged, write-allocate, true LRU replacement within a set.

export class SetAssocCache {
  readonly lineBytes: number;
  readonly sets: number;
  readonly ways: number;
  /** Line number (paddr / lineBytes) held by each way, -1 when invalid. Index: set * ways + way. */
  private readonly tags: Float64Array;
  /** Last-use stamps for LRU. */
  private readonly stamps: Float64Array;
  private clock = 0;
  /** sets - 1 when sets is a power of two, else -1. */
  private readonly setMask: number;

  constructor(sizeBytes: number, ways: number, lineBytes: number) {
    this.lineBytes = lineBytes;
    this.ways = ways;
    this.sets = sizeBytes / (ways * lineBytes);
    this.setMask = Number.isInteger(this.sets) && this.sets > 0 && (this.sets & (this.sets - 1)) === 0 && this.sets <= 0x40000000 ? this.sets - 1 : -1;
    this.tags = new Float64Array(this.sets * ways).fill(-1);
    this.stamps = new Float64Array(this.sets * ways);
  }

  /** Look up the line holding `paddr`, allocating it on a miss. Returns true on a hit. */
  access(paddr: number): boolean {
    return this.accessLine(Math.floor(paddr / this.lineBytes));
  }

  /** Same as access, by line number. */
  accessLine(line: number): boolean {
    // With a power-of-two set count (params.ts requires one), a mask picks the same set as line % sets
    // for the usual line numbers below 2^31, without a float % (a runtime call).
    const mask = this.setMask;
    const base = (mask >= 0 && line >= 0 && line <= 0x7fffffff ? line & mask : line % this.sets) * this.ways;
    const stamp = ++this.clock;
    let victim = base;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tags[i] === line) {
        this.stamps[i] = stamp;
        return true;
      }
      if (this.stamps[i] < this.stamps[victim]) victim = i;
    }
    this.tags[victim] = line;
    this.stamps[victim] = stamp;
    return false;
  }

  /** Whether the line holding paddr is present (no state change). */
  contains(paddr: number): boolean {
    const line = Math.floor(paddr / this.lineBytes);
    const base = (line % this.sets) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.tags[i] === line) return true;
    return false;
  }

  invalidateAll(): void {
    this.tags.fill(-1);
    this.stamps.fill(0);
  }
}
