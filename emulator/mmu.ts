// The MMU: Sv39 translation (privileged spec §4.3.2, §4.4) with the software TLB, the page-table walk,
// and the PMP check (pmp.ts) on every physical access the walk or a TLB fill makes. The interpreter
// looks the TLB up inline and calls translate() on a miss; everything else that needs an address
// (slow-path accesses, atomics, fetch, observers) comes here too, so there is one MMU.

import * as L from './layout.js';
import * as C from './hart-constants.js';
import { XLATE_DATA, XLATE_FETCH, XLATE_RELAY } from './types.js';
import { HartBus } from './bus.js';
import { PF_HTIF, RAM_BASE, TWO32, INV_TWO32 } from './hart-state.js';
import type { Hart } from './hart.js';

const { PRV_M, PRV_S, PRV_U } = C;
const KIND_READ = L.KIND_READ;
const KIND_WRITE = L.KIND_WRITE;
const KIND_FETCH = L.KIND_FETCH;

export abstract class HartMmu extends HartBus {
  private walkDirty = false;

  protected faultCause(kind: number, page: boolean): number {
    if (kind === KIND_FETCH) return page ? C.CAUSE_FETCH_PAGE_FAULT : C.CAUSE_FETCH_ACCESS;
    if (kind === KIND_READ) return page ? C.CAUSE_LOAD_PAGE_FAULT : C.CAUSE_LOAD_ACCESS;
    return page ? C.CAUSE_STORE_PAGE_FAULT : C.CAUSE_STORE_ACCESS;
  }

  /** Memory offset of a PTE for the walker, or -1 if the PTE is not in RAM. */
  private pteIndex(pa: number): number {
    if (pa >= RAM_BASE && pa + 8 <= RAM_BASE + this.ramBytes) return L.RAM_OFF + (pa - RAM_BASE);
    return -1;
  }

  /**
   * Translate the virtual address (lo, hi) for an access of `size` bytes of `kind`. Returns the
   * physical address, or -1 with the exception recorded (excCause/excTval). Fills the TLB for RAM/ROM
   * pages whose whole 4 KiB passes PMP (write entries only for dirty, unwatched pages; a dirty page that
   * is watched only for tohost gets the privilege's watched-page entry instead, layout.ts WATCH_TLB_OFF).
   */
  translate(lo: number, hi: number, kind: number, size: number): number {
    const p = kind === KIND_FETCH ? this.priv : this.dataPriv();
    // The TLB first: slow-path accesses (misaligned, devices, observed runs) that hit need no walk.
    // An entry exists only after every check passed for the whole page, so a hit is a permission.
    const vpl0 = lo >>> 12;
    const t0 = (kind * 4 + p) * L.TLB_ENTRIES + (vpl0 & (L.TLB_ENTRIES - 1));
    if (this.tlbTagLo[t0] === vpl0 && this.tlbTagHi[t0] === hi) return this.physOf(this.tlbData[t0]) + (lo & 0xfff);
    if (kind === KIND_WRITE) {
      const w = this.watchTlb;
      const e = p * 4;
      if (w[e] === vpl0 && w[e + 1] === hi) return this.physOf(w[e + 2] & ~0xfff) + (lo & 0xfff);
    }
    this.tlbMisses++;
    let pa: number;
    let dirty = true;
    let fillTlb = true;
    if (p === PRV_M || this.satpMode === C.SATP_MODE_BARE) {
      // Bare: the physical address is the address; there is nothing above 4 GiB on this bus.
      if (hi !== 0) {
        this.raiseVa(this.faultCause(kind, false), lo, hi);
        return -1;
      }
      pa = lo >>> 0;
    } else {
      if (this.xpc !== null && this.xpc.segmentActive && kind !== KIND_FETCH) {
        const r = this.xpc.translateData(this as unknown as Hart, lo, hi, kind === KIND_WRITE, size);
        if (r === -2) return -1;
        if (r === -3) fillTlb = false; // the relay segment shares this page: never cache it (docs/xpc.md §4)
        if (r >= 0) {
          if (!this.pmp.check(r, size, kind, p)) {
            this.raiseVa(this.faultCause(kind, false), lo, hi);
            return -1;
          }
          if (this.rec !== null) this.rec.xlate |= XLATE_RELAY; // the timing model's TLBs are not involved either
          return r; // relay segments are not cached in the TLB
        }
      }
      pa = this.walk(lo, hi, kind, p);
      if (pa < 0) return -1;
      dirty = this.walkDirty;
      if (this.rec !== null) this.rec.xlate |= kind === KIND_FETCH ? XLATE_FETCH : XLATE_DATA;
    }
    if (!this.pmp.check(pa, size, kind, p)) {
      this.raiseVa(this.faultCause(kind, false), lo, hi);
      return -1;
    }
    // TLB fill.
    const pageBase = pa - (pa & 0xfff);
    const idx = this.memIndex(pageBase, 4096);
    if (fillTlb && idx >= 0 && (!this.pmp.active || this.pmp.check(pageBase, 4096, kind, p))) {
      if (kind !== KIND_WRITE || (dirty && this.pageFlags[idx >>> 12] === 0 && !this.isRom(idx))) {
        const vpl = lo >>> 12;
        const t = (kind * 4 + p) * L.TLB_ENTRIES + (vpl & (L.TLB_ENTRIES - 1));
        this.tlbTagLo[t] = vpl;
        this.tlbTagHi[t] = hi;
        this.tlbData[t] = idx;
      } else if (dirty && idx >>> 12 === this.watchPage && this.pageFlags[idx >>> 12] === PF_HTIF && !this.isRom(idx)) {
        const e = p * 4;
        this.watchTlb[e] = lo >>> 12;
        this.watchTlb[e + 1] = hi;
        this.watchTlb[e + 2] = idx | this.watchDword;
      }
    }
    return pa;
  }

  /**
   * Sv39 page-table walk, following the steps of privileged spec §4.3.2 (with LEVELS = 3, PTESIZE = 8).
   * Returns the physical address or -1 with the page or access fault recorded.
   */
  private walk(lo: number, hi: number, kind: number, p: number): number {
    this.pageWalks++;
    // Sv39 requires bits 63:39 of the address to equal bit 38 (§4.4.1); otherwise a page fault.
    const top = hi >> 6;
    if (top !== 0 && top !== -1) {
      this.raiseVa(this.faultCause(kind, true), lo, hi);
      return -1;
    }
    const vpn = [(lo >>> 12) & 0x1ff, (lo >>> 21) & 0x1ff, ((hi & 0x7f) << 2) | (lo >>> 30)];
    // Step 1: a = satp.ppn × PAGESIZE, i = LEVELS − 1.
    let a = this.satpRoot;
    let i = 2;
    for (;;) {
      // Step 2: pte = the PTE at a + va.vpn[i] × PTESIZE; an access fault if that access violates PMA or PMP.
      const pteAddr = a + vpn[i] * 8;
      const idx = this.pteIndex(pteAddr);
      if (this.rec !== null) this.rec.walkLevels++;
      if (idx < 0 || !this.pmp.check(pteAddr, 8, KIND_READ, PRV_S)) {
        this.raiseVa(this.faultCause(kind, false), lo, hi);
        return -1;
      }
      const pteLo = this.m32[idx >> 2];
      const pteHi = this.m32[(idx >> 2) + 1];
      // Step 3: if pte.v = 0, or pte.r = 0 and pte.w = 1, or any reserved bit is set (bits 63:54: N and
      // PBMT included, since Svnapot and Svpbmt are not implemented), stop and raise a page fault.
      // With protection keys (docs/mechanisms.md §2) bits 58:54 of a leaf are its key, not reserved.
      const pkeys = this.xpc !== null ? this.xpc.pkeys ?? null : null;
      const isLeaf = (pteLo & 0xa) !== 0;
      if ((pteLo & 1) === 0 || (pteLo & 6) === 4 || ((pteHi >>> 22) & (pkeys !== null && isLeaf ? 0x3e0 : 0x3ff)) !== 0) {
        this.raiseVa(this.faultCause(kind, true), lo, hi);
        return -1;
      }
      const ppnLo = pteLo >>> 10; // PPN bits 21:0
      const ppnHi = pteHi & 0x3fffff; // PPN bits 43:22
      // Step 4: if pte.r = 1 or pte.x = 1 this is a leaf (step 5); otherwise i = i − 1 and, if i < 0,
      // a page fault; else a = pte.ppn × PAGESIZE and go to step 2.
      if ((pteLo & 0xa) === 0) {
        i--;
        if (i < 0) {
          this.raiseVa(this.faultCause(kind, true), lo, hi);
          return -1;
        }
        a = (ppnHi * 4194304 + ppnLo) * 4096;
        continue;
      }
      // Step 5: the leaf's permissions against the access, given the privilege, SUM and MXR.
      const r = (pteLo & 2) !== 0;
      const w = (pteLo & 4) !== 0;
      const x = (pteLo & 8) !== 0;
      const u = (pteLo & 16) !== 0;
      let ok: boolean;
      if (p === PRV_U) ok = u;
      else ok = !u || (kind !== KIND_FETCH && (this.mstatus & C.MSTATUS_SUM) !== 0);
      if (ok) {
        if (kind === KIND_FETCH) ok = x;
        else if (kind === KIND_READ) ok = r || (x && (this.mstatus & C.MSTATUS_MXR) !== 0);
        else ok = w;
      }
      // Protection keys: a data access to a user page needs the rights of the page's key.
      if (ok && pkeys !== null && u && kind !== KIND_FETCH && !pkeys.allows((pteHi >>> 22) & 0x1f, kind === KIND_WRITE)) ok = false;
      // Step 6: a misaligned superpage (pte.ppn[i−1:0] ≠ 0 for i > 0) is a page fault.
      if (ok && i > 0) {
        const lowMask = i === 1 ? 0x1ff : 0x3ffff;
        if ((ppnLo & lowMask) !== 0) ok = false;
      }
      if (!ok) {
        this.raiseVa(this.faultCause(kind, true), lo, hi);
        return -1;
      }
      // Step 7: if pte.a = 0, or the access is a store and pte.d = 0: with Svadu enabled
      // (menvcfg.ADUE) set the bits atomically; otherwise (Svade, Spike's default) a page fault.
      const needD = kind === KIND_WRITE;
      if ((pteLo & 0x40) === 0 || (needD && (pteLo & 0x80) === 0)) {
        if ((this.menvcfg & C.MENVCFG_ADUE) === 0n) {
          this.raiseVa(this.faultCause(kind, true), lo, hi);
          return -1;
        }
        if (!this.pmp.check(pteAddr, 8, KIND_WRITE, PRV_S)) {
          this.raiseVa(this.faultCause(kind, false), lo, hi);
          return -1;
        }
        const updated = pteLo | 0x40 | (needD ? 0x80 : 0);
        this.m32[idx >> 2] = updated;
        this.storeWatched(idx, 4);
      }
      this.walkDirty = (this.m32[idx >> 2] & 0x80) !== 0;
      // Step 8: pa.pgoff = va.pgoff; for superpages pa.ppn[i−1:0] = va.vpn[i−1:0]; pa.ppn[2:i] = pte.ppn[2:i].
      let ppnLoEff = ppnLo;
      if (i === 1) ppnLoEff = (ppnLo & ~0x1ff) | vpn[0];
      else if (i === 2) ppnLoEff = (ppnLo & ~0x3ffff) | (vpn[1] << 9) | vpn[0];
      return (ppnHi * 4194304 + (ppnLoEff >>> 0)) * 4096 + (lo & 0xfff);
    }
  }

  /** Instruction bits at a virtual pc as the hart would fetch them now, without side effects. */
  peekRaw(pc: number): number | undefined {
    const pa0 = this.debugTranslate(pc, KIND_FETCH);
    if (pa0 < 0) return undefined;
    const i0 = this.memIndex(pa0, 2);
    if (i0 < 0) return undefined;
    const low = this.m8[i0] | (this.m8[i0 + 1] << 8);
    if ((low & 3) !== 3) return low;
    const pa1 = this.debugTranslate(pc + 2, KIND_FETCH);
    const i1 = pa1 < 0 ? -1 : this.memIndex(pa1, 2);
    if (i1 < 0) return undefined;
    return (low | (this.m8[i1] << 16) | (this.m8[i1 + 1] << 24)) >>> 0;
  }

  /** Translation without side effects or permission checks (for messages and observers). */
  debugTranslate(va: number, kind: number): number {
    const p = kind === KIND_FETCH ? this.priv : this.dataPriv();
    const lo = va | 0;
    const hi = (va - (va >>> 0)) * INV_TWO32;
    if (p === PRV_M || this.satpMode === 0) return hi === 0 ? lo >>> 0 : -1;
    const top = hi >> 6;
    if (top !== 0 && top !== -1) return -1;
    const vpn = [(lo >>> 12) & 0x1ff, (lo >>> 21) & 0x1ff, ((hi & 0x7f) << 2) | (lo >>> 30)];
    let a = this.satpRoot;
    for (let i = 2; i >= 0; i--) {
      const idx = this.pteIndex(a + vpn[i] * 8);
      if (idx < 0) return -1;
      const pteLo = this.m32[idx >> 2];
      const pteHi = this.m32[(idx >> 2) + 1];
      if ((pteLo & 1) === 0) return -1;
      const ppn = (pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10);
      if ((pteLo & 0xa) !== 0) {
        const span = i === 0 ? 4096 : i === 1 ? 2 * 1024 * 1024 : 1024 * 1024 * 1024;
        const base = ppn * 4096;
        const off = (hi * TWO32 + (lo >>> 0)) % span;
        return base - (base % span) + (off < 0 ? off + span : off);
      }
      a = ppn * 4096;
    }
    return -1;
  }

}
