// A fully associative TLB as rocket-chip's (TLB.scala): `entries` sectored entries for 4 KiB pages, each
// tagged with a sector of `sectors` consecutive virtual pages and holding one valid bit per page
// (nTLBBasePageSectors = 4 by default), plus `superpageEntries` entries for 2 MiB / 1 GiB leaves. A walk
// for a page whose sector is already present fills that entry's bit; otherwise it takes a new entry
// (an invalid one first, else the least recently used: true LRU standing for Rocket's tree pseudo-LRU).
// Entries are tagged with the ASID when ASID tagging is on (global mappings match any ASID).

import { StateRegion } from './state.js';

const PAGE = 4096;
/** Slots of the lookup memo (a power of two). */
export const TLB_MEMO_SLOTS = 64;

/** The memo slot of a virtual page number (an integer below 2^53 in magnitude): its low bits, as int64. */
export function memoSlot(vpn: number): number {
  return (vpn | 0) & (TLB_MEMO_SLOTS - 1);
}

export class Tlb {
  private readonly tags: Float64Array;
  private readonly levels: Int8Array;
  /** Per entry: bit k set when page k of the sector is present (superpage entries: bit 0). */
  private readonly valid: Uint8Array;
  private readonly asids: Int32Array;
  private readonly globals: Uint8Array;
  /*
   * The state the WebAssembly replay (rocket-wasm.ts) shares, in the model's state region: LRU stamps,
   * [clock, generation], and the lookup memo. The memo is a lookup structure only, no model state: per
   * slot (memoSlot of a vpn) a vpn, ASID and entry index that a scan found, valid while the generation
   * it was taken in is current; every change to the entries starts a new generation, so a valid memo
   * names the entry the scan would stop at.
   */
  stamps!: Float64Array;
  scalars!: Float64Array;
  memoVpn!: Float64Array;
  memoAsid!: Int32Array;
  memoIndex!: Int32Array;
  memoGen!: Int32Array;
  private readonly small: number;
  private readonly sectors: number;
  private get clock(): number {
    return this.scalars[0];
  }
  private set clock(v: number) {
    this.scalars[0] = v;
  }

  constructor(entries: number, superpageEntries: number, sectors = 1, region = new StateRegion()) {
    const n = entries + superpageEntries;
    this.small = entries;
    this.sectors = sectors;
    this.tags = new Float64Array(n).fill(NaN);
    this.levels = new Int8Array(n);
    this.valid = new Uint8Array(n);
    this.asids = new Int32Array(n);
    this.globals = new Uint8Array(n);
    this.bind(region);
    this.memoGen.fill(-1);
  }

  /** Take the shared state arrays from `region` (state.ts: the same order every time). */
  bind(region: StateRegion): void {
    const n = this.tags.length;
    this.stamps = region.f64(n);
    this.scalars = region.f64(2);
    this.memoVpn = region.f64(TLB_MEMO_SLOTS);
    this.memoAsid = region.i32(TLB_MEMO_SLOTS);
    this.memoIndex = region.i32(TLB_MEMO_SLOTS);
    this.memoGen = region.i32(TLB_MEMO_SLOTS);
  }

  /** The entries changed: every memo is stale. */
  private newGeneration(): void {
    if (this.scalars[1] >= 0x7fffffff) {
      this.memoGen.fill(-1);
      this.scalars[1] = 0;
    } else this.scalars[1]++;
  }

  private tagOf(vpn: number, level: number): number {
    return level === 0 ? Math.floor(vpn / this.sectors) : Math.floor(vpn / (level === 1 ? 512 : 262144));
  }

  private bitOf(vpn: number, level: number): number {
    return level === 0 ? 1 << (vpn % this.sectors) : 1;
  }

  /** Hit for virtual address va under asid (pass 0 when ASIDs are not tagged)? Updates LRU. */
  lookup(va: number, asid: number): boolean {
    return this.lookupVpn(Math.floor(va / PAGE), asid);
  }

  /** lookup by virtual page number (va / 4096, rounded down): a small integer, where va is a double. */
  lookupVpn(vpn: number, asid: number): boolean {
    // The entries have not changed since the last hit for this vpn and asid: the scan below would stop
    // at the same entry.
    const slot = memoSlot(vpn);
    if (this.memoGen[slot] === this.scalars[1] && this.memoVpn[slot] === vpn && this.memoAsid[slot] === asid) {
      this.stamps[this.memoIndex[slot]] = ++this.clock;
      return true;
    }
    for (let i = 0; i < this.tags.length; i++) {
      const level = this.levels[i];
      if (this.tags[i] === this.tagOf(vpn, level) && (this.valid[i] & this.bitOf(vpn, level)) !== 0 && (this.globals[i] === 1 || this.asids[i] === asid)) {
        this.stamps[i] = ++this.clock;
        this.memoVpn[slot] = vpn;
        this.memoAsid[slot] = asid;
        this.memoIndex[slot] = i;
        this.memoGen[slot] = this.scalars[1];
        return true;
      }
    }
    return false;
  }

  /** Install the translation of va found at leaf `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). */
  insert(va: number, level: number, asid: number, global: boolean): void {
    const vpn = Math.floor(va / PAGE);
    const tag = this.tagOf(vpn, level);
    const bit = this.bitOf(vpn, level);
    let lo = 0;
    let hi = this.small;
    if (level > 0 && this.tags.length > this.small) {
      lo = this.small;
      hi = this.tags.length;
    }
    this.newGeneration();
    // The sector is present (same tag, ASID and global bit): add this page to it.
    if (level === 0) {
      for (let i = lo; i < hi; i++) {
        if (this.tags[i] === tag && this.levels[i] === 0 && this.asids[i] === asid && this.globals[i] === (global ? 1 : 0)) {
          this.valid[i] |= bit;
          this.stamps[i] = ++this.clock;
          return;
        }
      }
    }
    let victim = lo;
    for (let i = lo; i < hi; i++) {
      if (this.tags[i] !== this.tags[i]) {
        victim = i; // invalid (NaN) slot first
        break;
      }
      if (this.stamps[i] < this.stamps[victim]) victim = i;
    }
    this.tags[victim] = tag;
    this.levels[victim] = level;
    this.valid[victim] = bit;
    this.asids[victim] = asid;
    this.globals[victim] = global ? 1 : 0;
    this.stamps[victim] = ++this.clock;
  }

  /** sfence.vma semantics (privileged spec 4.2.1): va null = all addresses, asid null = all ASIDs. */
  flush(va: number | null, asid: number | null): void {
    this.newGeneration();
    const vpn = va === null ? 0 : Math.floor(va / PAGE);
    for (let i = 0; i < this.tags.length; i++) {
      if (this.tags[i] !== this.tags[i]) continue;
      if (asid !== null && (this.globals[i] === 1 || this.asids[i] !== asid)) continue;
      if (va !== null) {
        const level = this.levels[i];
        if (this.tags[i] !== this.tagOf(vpn, level)) continue;
        this.valid[i] &= ~this.bitOf(vpn, level);
        if (this.valid[i] !== 0) continue;
      }
      this.tags[i] = NaN;
    }
  }

  flushAll(): void {
    this.newGeneration();
    this.tags.fill(NaN);
    this.valid.fill(0);
  }
}
