// A set-associative cache of tags only (the timing model needs hit or miss, not data): physically
// indexed and tagged, write-allocate, with a dirty bit per line so that a miss that evicts a written
// line can pay its write-back. Replacement is Rocket's or true LRU, chosen per cache. Rocket's is
// random: the low bits of a 16-bit LFSR pick the victim way, invalid ways getting no preference
// (rocket-chip `ICache.scala` `repl_way = LFSR(16, refill_fire)`; `DCache.scala` `replacer.way` with
// `Replacement.scala` `RandomReplacement`, stepped by `replacer.miss` when a refill's last beat
// arrives). The LFSR is chisel3's `LFSR(16)` (Fibonacci, taps 16, 15, 13, 4, reset value 1), so runs are
// deterministic.

/** accessLine results. */
export const HIT = 0;
/** Miss whose victim was invalid or clean. */
export const MISS_CLEAN = 1;
/** Miss whose victim was dirty (a write-back precedes the refill). */
export const MISS_DIRTY = 2;
/**
 * A store that found its line present but read-only (downgraded by a probe, see probeToShared): the
 * cache must acquire write permission, which on the broadcast hub is a full refill (GrantData).
 */
export const MISS_UPGRADE = 3;

/** probeToShared results. */
export const PROBE_ABSENT = 0;
export const PROBE_CLEAN = 1;
export const PROBE_DIRTY = 2;

export type Replacement = 'random' | 'lru';

import { StateRegion } from './state.js';

/** Reset value of the replacement LFSR (chisel3 `LFSR` default seed). */
const LFSR_SEED = 1;

/**
 * One step of chisel3's `FibonacciLFSR.maxPeriod(16)`: the bits shift up by one and bit 0 takes the XOR
 * of the taps 16, 15, 13 and 4 (bits 15, 14, 12, 3).
 */
export function lfsrStep(l: number): number {
  const bit = ((l >> 15) ^ (l >> 14) ^ (l >> 12) ^ (l >> 3)) & 1;
  return ((l << 1) | bit) & 0xffff;
}

export class SetAssocCache {
  readonly lineBytes: number;
  readonly sets: number;
  readonly ways: number;
  /**
   * Line number (paddr / lineBytes) held by each way, -1 when invalid. Index: set * ways + way. These
   * arrays live in the model's state region (state.ts); rocket-wasm.ts reads them at their offsets.
   */
  tags!: Float64Array;
  /** Last-use stamps for LRU. */
  private stamps!: Float64Array;
  dirty!: Uint8Array;
  /** 1 when the line is held read-only (TileLink Branch) after a probe: a store must upgrade it. */
  readOnly!: Uint8Array;
  /** The scalars: [clock, lfsr, lastSlot]. */
  scalars!: Float64Array;
  private get clock(): number {
    return this.scalars[0];
  }
  private set clock(v: number) {
    this.scalars[0] = v;
  }
  private get lfsr(): number {
    return this.scalars[1];
  }
  private set lfsr(v: number) {
    this.scalars[1] = v;
  }
  private get lastSlot(): number {
    return this.scalars[2];
  }
  private set lastSlot(v: number) {
    this.scalars[2] = v;
  }
  readonly random: boolean;
  /** Random replacement steps the LFSR before picking (the I-cache: stepped when the refill is requested, read when it is written) rather than after (the D-cache). */
  readonly stepBeforePick: boolean;
  /** sets - 1 when sets is a power of two, else -1. */
  readonly setMask: number;
  /*
   * lastSlot: the slot (set * ways + way) accessLine last hit or filled, -1 for none: a lookup shortcut
   * only. A line is held in at most one slot, so when this slot's tag is the line asked for, the scan
   * of its set would stop there (whoever else changes the tags, the WebAssembly replay, need not keep it).
   */

  constructor(sizeBytes: number, ways: number, lineBytes: number, replacement: Replacement = 'lru', stepBeforePick = false, region = new StateRegion()) {
    this.stepBeforePick = stepBeforePick;
    this.lineBytes = lineBytes;
    this.ways = ways;
    this.sets = sizeBytes / (ways * lineBytes);
    this.setMask = Number.isInteger(this.sets) && this.sets > 0 && (this.sets & (this.sets - 1)) === 0 && this.sets <= 0x40000000 ? this.sets - 1 : -1;
    this.random = replacement === 'random';
    this.bind(region);
    this.reset();
  }

  /** Take the state arrays from `region` (state.ts: the same order every time). */
  bind(region: StateRegion): void {
    const n = this.sets * this.ways;
    this.tags = region.f64(n);
    this.stamps = region.f64(n);
    this.scalars = region.f64(3);
    this.dirty = region.u8(n);
    this.readOnly = region.u8(n);
  }

  /** Look up the line holding `paddr`, allocating it on a miss. Returns true on a hit. */
  access(paddr: number): boolean {
    return this.accessLine(Math.floor(paddr / this.lineBytes)) === HIT;
  }

  /**
   * Look up a line by number, allocating it on a miss (`write` marks it dirty). Returns HIT, MISS_CLEAN,
   * MISS_DIRTY or MISS_UPGRADE. LRU fills an invalid way before it evicts a valid one; random
   * replacement (Rocket's) picks any way.
   */
  accessLine(line: number, write = false): number {
    // scalars: [clock, lfsr, lastSlot]
    const sc = this.scalars;
    // With a power-of-two set count (params.ts requires one), a mask picks the same set as line % sets
    // for the usual line numbers below 2^31, without a float % (a runtime call).
    const last = sc[2];
    if (last >= 0 && this.tags[last] === line) {
      // As the hit in the scan below.
      this.stamps[last] = ++sc[0];
      if (!write) return HIT;
      this.dirty[last] = 1;
      if (this.readOnly[last] === 0) return HIT;
      this.readOnly[last] = 0;
      if (this.random) sc[1] = lfsrStep(sc[1]);
      return MISS_UPGRADE;
    }
    const mask = this.setMask;
    const base = (mask >= 0 && line >= 0 && line <= 0x7fffffff ? line & mask : line % this.sets) * this.ways;
    const stamp = ++sc[0];
    let victim = base;
    let invalid = -1;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tags[i] === line) {
        this.stamps[i] = stamp;
        sc[2] = i;
        if (!write) return HIT;
        this.dirty[i] = 1;
        if (this.readOnly[i] === 0) return HIT;
        this.readOnly[i] = 0;
        if (this.random) sc[1] = lfsrStep(sc[1]); // the upgrade's grant steps it too
        return MISS_UPGRADE;
      }
      if (invalid < 0 && this.tags[i] === -1) invalid = i;
      if (this.stamps[i] < this.stamps[victim]) victim = i;
    }
    if (this.random) {
      if (this.stepBeforePick) sc[1] = lfsrStep(sc[1]);
      victim = base + (sc[1] % this.ways);
      if (!this.stepBeforePick) sc[1] = lfsrStep(sc[1]);
    } else if (invalid >= 0) victim = invalid;
    const result = this.tags[victim] !== -1 && this.dirty[victim] === 1 ? MISS_DIRTY : MISS_CLEAN;
    this.tags[victim] = line;
    this.stamps[victim] = stamp;
    sc[2] = victim;
    this.dirty[victim] = write ? 1 : 0;
    this.readOnly[victim] = 0;
    return result;
  }

  /** Whether the line holding paddr is present (no state change). */
  contains(paddr: number): boolean {
    const line = Math.floor(paddr / this.lineBytes);
    const base = (line % this.sets) * this.ways;
    for (let i = base; i < base + this.ways; i++) if (this.tags[i] === line) return true;
    return false;
  }

  /**
   * Another agent reads the line (rocket-chip's broadcast hub, `tilelink/Broadcast.scala`, probes the
   * D-cache `toB` before it serves an I-cache refill): if present, the line is kept read-only and clean.
   * Returns PROBE_DIRTY when the line was dirty (its data goes back to memory first: ProbeAckData),
   * PROBE_CLEAN when it was present and clean, PROBE_ABSENT. No replacement state changes.
   */
  probeToShared(line: number): number {
    const base = (this.setMask >= 0 && line >= 0 && line <= 0x7fffffff ? line & this.setMask : line % this.sets) * this.ways;
    for (let i = base; i < base + this.ways; i++) {
      if (this.tags[i] !== line) continue;
      const wasDirty = this.dirty[i] === 1;
      this.dirty[i] = 0;
      this.readOnly[i] = 1;
      return wasDirty ? PROBE_DIRTY : PROBE_CLEAN;
    }
    return PROBE_ABSENT;
  }

  invalidateAll(): void {
    this.tags.fill(-1);
    this.stamps.fill(0);
    this.dirty.fill(0);
    this.readOnly.fill(0);
  }

  /** Invalidate everything and put the LFSR back to its reset value. */
  reset(): void {
    this.invalidateAll();
    this.lfsr = LFSR_SEED;
    this.clock = 0;
    this.lastSlot = -1;
  }
}
