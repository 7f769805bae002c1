// Flat profile: cycles, instructions and stall breakdown per function (the ELF symbol whose range holds
// the pc) and per privilege mode.

import type { CommitRecord } from '../../emulator/types.js';
import { STALL_NAMES, type PassRecord, type StallName } from '../../emulator/timing/index.js';

const N = STALL_NAMES.length;

export interface ProfileRow {
  name: string;
  cycles: number;
  instructions: number;
  traps: number;
  cpi: number;
  /** Share of all cycles, 0..1. */
  share: number;
  stalls: Record<StallName, number>;
}

export interface ProfileReport {
  core: string;
  cycles: number;
  instructions: number;
  cpi: number;
  functions: ProfileRow[];
  privileges: ProfileRow[];
}

class Bins {
  readonly cycles: Float64Array;
  readonly insns: Float64Array;
  readonly traps: Float64Array;
  readonly stalls: Float64Array;
  constructor(n: number) {
    this.cycles = new Float64Array(n);
    this.insns = new Float64Array(n);
    this.traps = new Float64Array(n);
    this.stalls = new Float64Array(n * N);
  }
  addSums(i: number, cycles: number, insns: number, traps: number, stalls: Float64Array | null): void {
    this.cycles[i] += cycles;
    this.insns[i] += insns;
    this.traps[i] += traps;
    if (stalls) for (let k = 0; k < N; k++) this.stalls[i * N + k] += stalls[k];
  }
  row(i: number, name: string, total: number): ProfileRow {
    const st = {} as Record<StallName, number>;
    STALL_NAMES.forEach((s, k) => (st[s] = this.stalls[i * N + k]));
    const c = this.cycles[i];
    const n = this.insns[i];
    return { name, cycles: c, instructions: n, traps: this.traps[i], cpi: n > 0 ? c / n : 0, share: total > 0 ? c / total : 0, stalls: st };
  }
}

/**
 * Where a record's cycles go: a list of named ranges and the index of the one holding a pc (a
 * SymbolTable), or of the one holding a record when the pc alone cannot say (user programs of a
 * kernel image share their virtual addresses: tools/trace/image-symbols.ts).
 */
export interface CodeMap {
  readonly ranges: readonly { name: string }[];
  indexOf(pc: number): number;
  indexOfRecord?(rec: CommitRecord): number;
}

export class Profiler {
  private readonly fn: Bins;
  private readonly priv = new Bins(4);
  private total = 0;
  private insns = 0;
  // Consecutive records mostly share their function and mode: they are summed here first and added to
  // the bins when the pair changes (settle), which halves the per-record work and skips the stall
  // categories that stay zero.
  private curFn = -1;
  private curPriv = 0;
  /** The current run's pc range (empty: look every record up) and its exact privilege value. */
  private curStart = 0;
  private curEnd = 0;
  private curPrivRaw = -1;
  private pendCycles = 0;
  private pendInsns = 0;
  private pendTraps = 0;
  private pendStalled = false;
  private readonly pendStalls = new Float64Array(N);

  constructor(private readonly symbols: CodeMap, private readonly core: string) {
    this.fn = new Bins(symbols.ranges.length + 1);
  }

  observe(rec: CommitRecord, cycles: number, stalls: Float64Array | null): void {
    const pc = rec.pc;
    // Fast path: still inside the current function's range, in the same mode.
    if (!(pc >= this.curStart && pc < this.curEnd && rec.priv === this.curPrivRaw)) this.switchTo(rec);
    this.pendCycles += cycles;
    this.total += cycles;
    if (rec.trapped) this.pendTraps++;
    else {
      this.pendInsns++;
      this.insns++;
    }
    if (stalls) {
      const pend = this.pendStalls;
      for (let k = 0; k < N; k++) {
        const v = stalls[k];
        if (v !== 0) {
          pend[k] += v;
          this.pendStalled = true;
        }
      }
    }
  }

  /**
   * The k instructions of a pass the cycle model replayed from a translated block (pcs: the block's,
   * in order; out: their cycles and stalls, RocketModel.recordPasses), all retired in mode priv: the
   * same sums as observe with each of their records.
   */
  observePass(pcs: Float64Array, k: number, priv: number, out: PassRecord): void {
    for (let j = 0; j < k; j++) {
      const pc = pcs[j];
      if (!(pc >= this.curStart && pc < this.curEnd && priv === this.curPrivRaw)) this.switchToPc(pc, priv, null);
      const cycles = out.cycles[j];
      this.pendCycles += cycles;
      this.total += cycles;
      this.pendInsns++;
      this.insns++;
      if (out.stalled[j] !== 0) {
        const pend = this.pendStalls;
        for (let q = 0; q < N; q++) {
          const v = out.stalls[j * N + q];
          if (v !== 0) {
            pend[q] += v;
            this.pendStalled = true;
          }
        }
      }
    }
  }

  /**
   * Whether the k instructions of a pass (pcs, in order; mode priv) all fall in one function's range, so
   * that observePassSum may take them as one sum. The function of the first becomes the current one.
   * Never with a kernel image's map, which tells programs apart by more than the pc.
   */
  passInOneRun(pcs: Float64Array, k: number, priv: number): boolean {
    if (k === 0) return true;
    if (!(pcs[0] >= this.curStart && pcs[0] < this.curEnd && priv === this.curPrivRaw)) {
      if (this.symbols.indexOfRecord) return false;
      this.switchToPc(pcs[0], priv, null);
    }
    const lo = this.curStart;
    const hi = this.curEnd;
    for (let j = 0; j < k; j++) if (!(pcs[j] >= lo && pcs[j] < hi)) return false;
    return true;
  }

  /** The current function's pc range [runStart, runEnd) (empty when it has none: no symbol). */
  runStart(): number {
    return this.curStart;
  }

  runEnd(): number {
    return this.curEnd;
  }

  /** Passes passInOneRun allowed (and later ones in the same range and mode): its k instructions' cycles and stall cycles (N categories), all in the current function. */
  observePassSum(k: number, cycles: number, stalls: Float64Array): void {
    this.pendCycles += cycles;
    this.total += cycles;
    this.pendInsns += k;
    this.insns += k;
    const pend = this.pendStalls;
    for (let q = 0; q < N; q++) {
      const v = stalls[q];
      if (v !== 0) {
        pend[q] += v;
        this.pendStalled = true;
      }
    }
  }

  /** The record is outside the current run: find its function, settle the run if it changed. */
  private switchTo(rec: CommitRecord): void {
    this.switchToPc(rec.pc, rec.priv, rec);
  }

  /** switchTo for a pc retired in mode priv (rec: its record, when there is one). */
  private switchToPc(pc: number, priv: number, rec: CommitRecord | null): void {
    const map = this.symbols;
    const i = map.indexOfRecord && rec !== null ? map.indexOfRecord(rec) : map.indexOf(pc);
    const f = i < 0 ? map.ranges.length : i;
    const p = priv & 3;
    if (f !== this.curFn || p !== this.curPriv) {
      this.settle();
      this.curFn = f;
      this.curPriv = p;
    }
    this.curPrivRaw = priv;
    // The pc range that maps to f for sure: a plain symbol table's range (a kernel image's map looks at
    // more than the pc, and a pc outside every range is looked up each time).
    const r = i >= 0 && !map.indexOfRecord ? (map.ranges[i] as { start?: number; end?: number }) : null;
    if (r && typeof r.start === 'number' && typeof r.end === 'number') {
      this.curStart = r.start;
      this.curEnd = r.end;
    } else {
      this.curStart = 0;
      this.curEnd = 0;
    }
  }

  /**
   * Counts kept by the machine instead of records (emulator/jit/tier.ts JitProfile, the ideal core: a
   * retired instruction is one cycle, a trap none): retired[r * 4 + priv], traps[r * 4 + priv] per
   * range index r (ranges.length: outside every range).
   */
  addCounts(retired: Float64Array, traps: Float64Array): void {
    this.settle();
    this.curFn = -1;
    this.curEnd = 0;
    const n = this.symbols.ranges.length;
    for (let r = 0; r <= n; r++) {
      for (let p = 0; p < 4; p++) {
        const k = r * 4 + p;
        if (retired[k] === 0 && traps[k] === 0) continue;
        this.fn.addSums(r, retired[k], retired[k], traps[k], null);
        this.priv.addSums(p, retired[k], retired[k], traps[k], null);
        this.total += retired[k];
        this.insns += retired[k];
      }
    }
  }

  /** Add the pending sums to the current function's and mode's bins. */
  private settle(): void {
    if (this.curFn < 0) return;
    const st = this.pendStalled ? this.pendStalls : null;
    this.fn.addSums(this.curFn, this.pendCycles, this.pendInsns, this.pendTraps, st);
    this.priv.addSums(this.curPriv, this.pendCycles, this.pendInsns, this.pendTraps, st);
    this.pendCycles = 0;
    this.pendInsns = 0;
    this.pendTraps = 0;
    if (this.pendStalled) this.pendStalls.fill(0);
    this.pendStalled = false;
  }

  report(): ProfileReport {
    this.settle();
    this.curFn = -1;
    this.curEnd = 0;
    const functions: ProfileRow[] = [];
    const n = this.symbols.ranges.length;
    for (let i = 0; i <= n; i++) {
      if (this.fn.cycles[i] === 0 && this.fn.insns[i] === 0) continue;
      functions.push(this.fn.row(i, i < n ? this.symbols.ranges[i].name : '(no symbol)', this.total));
    }
    functions.sort((a, b) => b.cycles - a.cycles || a.name.localeCompare(b.name));
    const privileges: ProfileRow[] = [];
    for (const [p, name] of [[3, 'M'], [1, 'S'], [0, 'U']] as const) {
      if (this.priv.cycles[p] > 0 || this.priv.insns[p] > 0) privileges.push(this.priv.row(p, name, this.total));
    }
    privileges.sort((a, b) => b.cycles - a.cycles);
    return { core: this.core, cycles: this.total, instructions: this.insns, cpi: this.insns > 0 ? this.total / this.insns : 0, functions, privileges };
  }
}
