// Physical memory protection (privileged spec §3.7): 16 entries of pmpcfg (one byte each) and pmpaddr,
// kept with each entry's decoded byte range so a check is a scan of number compares. The hart consults it
// on TLB misses only: a TLB entry exists only for a page that passed PMP whole, and every PMP write
// flushes the TLB. Fetches from a page that did not pass whole are checked one by one (Hart.fetchPage).

import { KIND_READ, KIND_WRITE } from './layout.js';

const PRV_M = 3;
export const PMP_ENTRIES = 16;

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  readonly addr = new Array<bigint>(PMP_ENTRIES).fill(0n);
  /** Byte range [lo, hi) each entry matches (empty when it is off). */
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  /** Some entry is on (A != OFF). */
  active = false;
  /** Some entry is locked (applies to M-mode too). */
  locked = false;

  /** Whether an access of `kind` at privilege p may touch [pa, pa+size) (§3.7.1). */
  check(pa: number, size: number, kind: number, p: number): boolean {
    if (!this.active) return p === PRV_M;
    if (p === PRV_M && !this.locked) return true;
    const bit = kind === KIND_READ ? 1 : kind === KIND_WRITE ? 2 : 4;
    const end = pa + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const cfg = this.cfg[i];
      if ((cfg & 0x18) === 0) continue;
      const lo = this.lo[i];
      const hi = this.hi[i];
      if (pa >= lo && end <= hi) {
        if (p === PRV_M && (cfg & 0x80) === 0) return true;
        return (cfg & bit) !== 0;
      }
      if (pa < hi && end > lo) return false; // matches only part of the access
    }
    return p === PRV_M;
  }

  /** Value of pmpcfgN (n = 0x3a0..0x3af), or undefined for the odd numbers RV64 does not have. */
  readCfg(n: number): bigint | undefined {
    if (n & 1) return undefined; // RV64 has only the even pmpcfg registers
    if (n >= 0x3a4) return 0n;
    let v = 0n;
    const first = (n - 0x3a0) * 4;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(this.cfg[first + k]);
    return v;
  }

  /** Write pmpcfg0 or pmpcfg2 (the registers of the 16 implemented entries); locked entries keep their value. */
  writeCfg(n: number, v: bigint): void {
    const first = (n - 0x3a0) * 4;
    for (let k = 0; k < 8; k++) {
      const i = first + k;
      if (this.cfg[i] & 0x80) continue; // locked
      let cfg = Number((v >> BigInt(8 * k)) & 0xffn) & 0x9f;
      if ((cfg & 3) === 2) cfg &= ~2; // W without R is reserved: W reads 0 (as Spike)
      this.cfg[i] = cfg;
    }
    this.recompute();
  }

  /** Value of pmpaddrN (n = 0x3b0..0x3ef). */
  readAddr(n: number): bigint {
    return n < 0x3b0 + PMP_ENTRIES ? this.addr[n - 0x3b0] : 0n;
  }

  /** Write pmpaddrN; returns whether anything changed (locked and unimplemented entries ignore writes). */
  writeAddr(n: number, v: bigint): boolean {
    const i = n - 0x3b0;
    if (i >= PMP_ENTRIES || this.entryLocked(i)) return false;
    this.addr[i] = v & ((1n << 54n) - 1n);
    this.recompute();
    return true;
  }

  private entryLocked(i: number): boolean {
    if (this.cfg[i] & 0x80) return true;
    // A locked TOR entry also locks the address register below it (§3.7.1).
    return i + 1 < PMP_ENTRIES && (this.cfg[i + 1] & 0x80) !== 0 && ((this.cfg[i + 1] >> 3) & 3) === 1;
  }

  private recompute(): void {
    this.active = false;
    this.locked = false;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const cfg = this.cfg[i];
      const a = (cfg >> 3) & 3;
      const addr = this.addr[i];
      let lo = 0n;
      let hi = 0n;
      if (a === 1) {
        lo = i === 0 ? 0n : this.addr[i - 1] << 2n;
        hi = addr << 2n;
      } else if (a === 2) {
        lo = addr << 2n;
        hi = lo + 4n;
      } else if (a === 3) {
        let t = 0n;
        while (((addr >> t) & 1n) === 1n && t < 54n) t++;
        const sizeBytes = 1n << (t + 3n);
        lo = (addr & ~((1n << (t + 1n)) - 1n)) << 2n;
        hi = lo + sizeBytes;
      }
      if (a !== 0) this.active = true;
      if (cfg & 0x80) this.locked = true;
      this.lo[i] = Number(lo);
      this.hi[i] = Number(hi);
    }
  }
}
