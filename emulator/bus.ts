// The physical bus: boot ROM at 0x1000, RAM at 0x80000000, the CLINT, the UART and HTIF (devices/),
// and the watch on pages that hold decoded code or HTIF's tohost: stores there take the slow path, which
// drops stale decoded instructions (self-modifying code) and hands tohost requests to HTIF. The tohost
// page is watched more finely: stores to it that leave the tohost doubleword alone go through the
// watched-page write entries (layout.ts WATCH_TLB_OFF) at full speed.

import * as L from './layout.js';
import * as D from './decode.js';
import { HartState, DecodedPage, NO_TAG, PF_CODE, PF_HTIF, RAM_BASE, ROM_BASE, ROM_SIZE } from './hart-state.js';
import { CLINT_BASE, CLINT_SIZE } from './devices/clint.js';
import { Htif } from './devices/htif.js';
import { Uart16550, UART_BASE, UART_SIZE } from './devices/uart.js';

export abstract class HartBus extends HartState {
  readonly uart: Uart16550 = new Uart16550(this.stdout, this.stdin);
  readonly htif: Htif = new Htif(this, this.stdout, this.stdin);
  /**
   * The page (memory offset >> 12) whose stores may use a watched-page write entry, and the offset in it
   * of the doubleword they must leave to the slow path (tohost); -1 when tohost is absent or not 8-byte
   * aligned (then its page or pages take the slow path for every store, as code pages do).
   */
  protected watchPage = -1;
  protected watchDword = 0;

  /** Byte offset in the memory of [pa, pa+size) when it lies in RAM or the boot ROM, else -1. */
  memIndex(pa: number, size: number): number {
    if (pa >= RAM_BASE && pa + size <= RAM_BASE + this.ramBytes) return L.RAM_OFF + (pa - RAM_BASE);
    if (pa >= ROM_BASE && pa + size <= ROM_BASE + ROM_SIZE) return L.ROM_OFF + (pa - ROM_BASE);
    return -1;
  }

  /** Guest physical address of a memory offset inside RAM or the boot ROM. */
  physOf(idx: number): number {
    return idx >= L.RAM_OFF ? RAM_BASE + (idx - L.RAM_OFF) : ROM_BASE + (idx - L.ROM_OFF);
  }

  protected isRom(idx: number): boolean {
    return idx >= L.ROM_OFF && idx < L.ROM_OFF + ROM_SIZE;
  }

  /** MMIO read of a naturally aligned access into ldLo/ldHi; false when nothing answers (access fault). */
  protected mmioRead(pa: number, size: number): boolean {
    if (pa >= CLINT_BASE && pa < CLINT_BASE + CLINT_SIZE) {
      const v = this.clint.read(pa - CLINT_BASE, size, this.steps());
      if (v === undefined) return false;
      this.ldLo = Number(BigInt.asIntN(32, v));
      this.ldHi = size === 8 ? Number(BigInt.asIntN(32, v >> 32n)) : 0;
      return true;
    }
    if (pa >= UART_BASE && pa < UART_BASE + UART_SIZE) {
      if (size !== 1) return false;
      this.ldLo = this.uart.read(pa - UART_BASE);
      this.ldHi = 0;
      return true;
    }
    return false;
  }

  protected mmioWrite(pa: number, size: number, lo: number, hi: number): boolean {
    if (pa >= CLINT_BASE && pa < CLINT_BASE + CLINT_SIZE) {
      if (!this.clint.write(pa - CLINT_BASE, size, lo, hi, this.steps())) return false;
      this.breakChunk = true; // timer or software interrupt state may have changed
      return true;
    }
    if (pa >= UART_BASE && pa < UART_BASE + UART_SIZE) {
      if (size !== 1) return false;
      this.uart.write(pa - UART_BASE, lo);
      return true;
    }
    return false;
  }

  /** Host write into guest physical memory (RAM/ROM), keeping the decoded-instruction cache coherent. */
  writePhysBytes(pa: number, bytes: Uint8Array): boolean {
    const idx = this.memIndex(pa, bytes.length);
    if (idx < 0) return false;
    this.m8.set(bytes, idx);
    this.invalidateCode(idx, bytes.length);
    return true;
  }

  /** Drop decoded instructions overlapping memory bytes [idx, idx+len). */
  invalidateCode(idx: number, len: number): void {
    for (let p = idx >>> 12; p <= (idx + len - 1) >>> 12; p++) {
      const page = this.decPages[p];
      if (!page) continue;
      const pageStart = p * 4096;
      const from = Math.max(idx - 2, pageStart) - pageStart;
      const to = Math.min(idx + len, pageStart + 4096) - pageStart;
      page.w.fill(D.OP_UNDECODED, from & ~1, (to + 1) & ~1);
    }
    if (this.codeObserver !== null) this.codeObserver.invalidate(idx, len);
  }

  /** After a slow-path store to memory bytes [idx, idx+size): code and HTIF watches. */
  protected storeWatched(idx: number, size: number): void {
    const flags = this.pageFlags[idx >>> 12];
    if (flags & PF_CODE) this.invalidateCode(idx, size);
    if (flags & PF_HTIF) this.htif.check(idx, size);
  }

  /** The decoded-instruction cache of memory page p, created (and the page watched) on first use. */
  protected decodedPage(p: number): DecodedPage {
    let page = this.decPages[p];
    if (page === undefined) {
      page = new DecodedPage();
      this.decPages[p] = page;
      this.pageFlags[p] |= PF_CODE;
      this.purgeWriteTlb();
    }
    return page;
  }

  /**
   * Make memory page p a code page (stores to it take the slow path and invalidate), as fetching from it
   * does; the translation tier calls this for every page it translates from.
   */
  watchCode(p: number): void {
    this.decodedPage(p);
  }

  /** The decoded-instruction cache of memory page p, if code was ever fetched from it. */
  decodedPageAt(p: number): DecodedPage | undefined {
    return this.decPages[p];
  }

  /**
   * Watch the program's HTIF words (physical addresses from the ELF's tohost/fromhost symbols): the
   * page or pages of tohost's 8 bytes become PF_HTIF (a previous program's stop being watched). Only a
   * store that overlaps tohost is an HTIF request; fromhost is the host's to write.
   */
  armHtif(tohost: number | undefined, fromhost: number | undefined): void {
    const flags = this.pageFlags;
    for (let p = 0; p < flags.length; p++) flags[p] &= ~PF_HTIF;
    this.watchPage = -1;
    const idx = this.htif.arm(tohost, fromhost);
    if (idx >= 0) {
      flags[idx >>> 12] |= PF_HTIF;
      flags[(idx + 7) >>> 12] |= PF_HTIF;
      if ((idx & 7) === 0) {
        this.watchPage = idx >>> 12;
        this.watchDword = idx & 0xfff;
      }
    }
    this.clearWatchTlb();
    this.purgeWriteTlb();
  }

  /**
   * Remove write-TLB entries for pages that have become watched (code or HTIF), and watched-page
   * entries for pages that now hold code too (every store there must reach invalidateCode).
   */
  protected purgeWriteTlb(): void {
    const from = L.KIND_WRITE * 4 * L.TLB_ENTRIES;
    for (let t = from; t < from + 4 * L.TLB_ENTRIES; t++) {
      if (this.tlbTagHi[t] !== NO_TAG && this.pageFlags[this.tlbData[t] >>> 12] !== 0) this.tlbTagHi[t] = NO_TAG;
    }
    const w = this.watchTlb;
    for (let e = 0; e < w.length; e += 4) {
      if (w[e + 1] !== NO_TAG && this.pageFlags[w[e + 2] >>> 12] !== PF_HTIF) w[e + 1] = NO_TAG;
    }
  }
}
