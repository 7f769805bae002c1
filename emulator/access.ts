// Data accesses the interpreter does not finish inline: TLB misses, misaligned accesses (emulated, also
// across pages), devices, watched pages and observed runs; and the A extension's LR/SC and AMOs
// (unprivileged spec, "A" chapter). Addresses go through the one MMU (mmu.ts), exceptions are recorded
// for the trap path (traps.ts).

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import { MEM_AMO, MEM_LOAD, MEM_STORE } from './types.js';
import { HartMmu } from './mmu.js';
import { TWO32 } from './hart-state.js';

const KIND_READ = L.KIND_READ;
const KIND_WRITE = L.KIND_WRITE;

export abstract class HartAccess extends HartMmu {
  // ================================================================================================
  // Slow-path data access (TLB misses, misaligned, MMIO, watched pages, observation)
  // ================================================================================================

  protected recordMem(kind: number, lo: number, hi: number, pa: number, size: number, vlo: number, vhi: number): void {
    const rec = this.rec!;
    rec.memKind = kind;
    rec.memVaddr = hi * TWO32 + (lo >>> 0);
    rec.memPaddr = pa;
    rec.memSize = size;
    rec.memLo = vlo;
    rec.memHi = vhi;
  }

  /** Load `size` bytes at (lo, hi); the zero-extended bits go to ldLo/ldHi. False: exception recorded. */
  loadSlow(lo: number, hi: number, size: number): boolean {
    const off = lo & 0xfff;
    let vlo = 0;
    let vhi = 0;
    let paFirst: number;
    if (off + size <= 4096) {
      const pa = this.translate(lo, hi, KIND_READ, size);
      if (pa < 0) return false;
      paFirst = pa;
      const idx = this.memIndex(pa, size);
      if (idx >= 0) {
        for (let k = 0; k < size; k++) {
          const b = this.m8[idx + k];
          if (k < 4) vlo |= b << (8 * k);
          else vhi |= b << (8 * (k - 4));
        }
      } else {
        if ((pa & (size - 1)) !== 0 || !this.mmioRead(pa, size)) {
          this.raiseVa(C.CAUSE_LOAD_ACCESS, lo, hi);
          return false;
        }
        vlo = this.ldLo;
        vhi = this.ldHi;
      }
    } else {
      // Misaligned across a page boundary: both halves are translated before anything is read; a
      // fault on the second page reports the address of its first byte.
      const n1 = 4096 - off;
      const pa1 = this.translate(lo, hi, KIND_READ, n1);
      if (pa1 < 0) return false;
      const lo2 = (lo + n1) | 0;
      const hi2 = (hi + ((lo2 >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      const pa2 = this.translate(lo2, hi2, KIND_READ, size - n1);
      if (pa2 < 0) return false;
      const i1 = this.memIndex(pa1, n1);
      const i2 = this.memIndex(pa2, size - n1);
      if (i1 < 0) {
        this.raiseVa(C.CAUSE_LOAD_ACCESS, lo, hi);
        return false;
      }
      if (i2 < 0) {
        this.raiseVa(C.CAUSE_LOAD_ACCESS, lo2, hi2);
        return false;
      }
      paFirst = pa1;
      for (let k = 0; k < size; k++) {
        const b = k < n1 ? this.m8[i1 + k] : this.m8[i2 + k - n1];
        if (k < 4) vlo |= b << (8 * k);
        else vhi |= b << (8 * (k - 4));
      }
    }
    this.ldLo = vlo;
    this.ldHi = vhi;
    if (this.rec !== null) this.recordMem(MEM_LOAD, lo, hi, paFirst, size, vlo, vhi);
    return true;
  }

  /** Store the low `size` bytes of (vlo, vhi) at (lo, hi). False: exception recorded. */
  storeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): boolean {
    const off = lo & 0xfff;
    if (off + size <= 4096) {
      const pa = this.translate(lo, hi, KIND_WRITE, size);
      if (pa < 0) return false;
      const idx = this.memIndex(pa, size);
      if (idx >= 0 && !this.isRom(idx)) {
        for (let k = 0; k < size; k++) this.m8[idx + k] = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
        if (this.rec !== null) this.recordMem(MEM_STORE, lo, hi, pa, size, vlo, vhi);
        this.storeWatched(idx, size);
        return true;
      }
      if (idx >= 0 || (pa & (size - 1)) !== 0 || !this.mmioWrite(pa, size, vlo, vhi)) {
        this.raiseVa(C.CAUSE_STORE_ACCESS, lo, hi);
        return false;
      }
      if (this.rec !== null) this.recordMem(MEM_STORE, lo, hi, pa, size, vlo, vhi);
      return true;
    }
    const n1 = 4096 - off;
    const pa1 = this.translate(lo, hi, KIND_WRITE, n1);
    if (pa1 < 0) return false;
    const lo2 = (lo + n1) | 0;
    const hi2 = (hi + ((lo2 >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
    const pa2 = this.translate(lo2, hi2, KIND_WRITE, size - n1);
    if (pa2 < 0) return false;
    const i1 = this.memIndex(pa1, n1);
    const i2 = this.memIndex(pa2, size - n1);
    if (i1 < 0 || this.isRom(i1)) {
      this.raiseVa(C.CAUSE_STORE_ACCESS, lo, hi);
      return false;
    }
    if (i2 < 0 || this.isRom(i2)) {
      this.raiseVa(C.CAUSE_STORE_ACCESS, lo2, hi2);
      return false;
    }
    for (let k = 0; k < size; k++) {
      const b = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
      if (k < n1) this.m8[i1 + k] = b;
      else this.m8[i2 + k - n1] = b;
    }
    this.storeWatched(i1, n1);
    this.storeWatched(i2, size - n1);
    if (this.rec !== null) this.recordMem(MEM_STORE, lo, hi, pa1, size, vlo, vhi);
    return true;
  }

  // ================================================================================================
  // Atomics (unprivileged spec, A chapter)
  // ================================================================================================

  /** LR/SC/AMO. Returns false when an exception was recorded. */
  atomic(op: number, funct: number, d: number, s1: number, s2: number): boolean {
    const m32 = this.m32;
    const lo = m32[s1];
    const hi = m32[s1 + 1];
    const wide = op === D.OP_LR_D || op === D.OP_SC_D || op === D.OP_AMO_D;
    const size = wide ? 8 : 4;
    // Misaligned LR: load address misaligned; SC/AMO: store/AMO address misaligned (never emulated).
    if ((lo & (size - 1)) !== 0) {
      this.raiseVa(op === D.OP_LR_W || op === D.OP_LR_D ? C.CAUSE_MISALIGNED_LOAD : C.CAUSE_MISALIGNED_STORE, lo, hi);
      return false;
    }
    const isLr = op === D.OP_LR_W || op === D.OP_LR_D;
    const pa = this.translate(lo, hi, isLr ? KIND_READ : KIND_WRITE, size);
    if (pa < 0) return false;
    const idx = this.memIndex(pa, size);
    if (idx < 0 || this.isRom(idx)) {
      // Atomics need RAM (no device supports them): access fault.
      this.raiseVa(isLr ? C.CAUSE_LOAD_ACCESS : C.CAUSE_STORE_ACCESS, lo, hi);
      return false;
    }
    const w = idx >> 2;
    const oldLo = m32[w];
    const oldHi = wide ? m32[w + 1] : oldLo >> 31;
    if (isLr) {
      this.resValid = true;
      this.resAddr = pa;
      m32[d] = oldLo;
      m32[d + 1] = oldHi;
      if (this.rec !== null) this.recordMem(MEM_LOAD, lo, hi, pa, size, oldLo, wide ? oldHi : 0);
      return true;
    }
    const bLo = m32[s2];
    const bHi = m32[s2 + 1];
    if (op === D.OP_SC_W || op === D.OP_SC_D) {
      const ok = this.resValid && this.resAddr === pa;
      this.resValid = false;
      if (ok) {
        m32[w] = bLo;
        if (wide) m32[w + 1] = bHi;
        this.storeWatched(idx, size);
        if (this.rec !== null) this.recordMem(MEM_STORE, lo, hi, pa, size, bLo, wide ? bHi : 0);
      }
      m32[d] = ok ? 0 : 1;
      m32[d + 1] = 0;
      return true;
    }
    let nLo: number;
    let nHi = 0;
    if (!wide) {
      const a = oldLo;
      const b = bLo;
      switch (funct) {
        case D.AMO_SWAP: nLo = b; break;
        case D.AMO_ADD: nLo = (a + b) | 0; break;
        case D.AMO_XOR: nLo = a ^ b; break;
        case D.AMO_AND: nLo = a & b; break;
        case D.AMO_OR: nLo = a | b; break;
        case D.AMO_MIN: nLo = a < b ? a : b; break;
        case D.AMO_MAX: nLo = a > b ? a : b; break;
        case D.AMO_MINU: nLo = (a >>> 0) < (b >>> 0) ? a : b; break;
        default: nLo = (a >>> 0) > (b >>> 0) ? a : b; break;
      }
      m32[w] = nLo;
    } else {
      const aLo = oldLo, aHi = oldHi;
      switch (funct) {
        case D.AMO_SWAP: nLo = bLo; nHi = bHi; break;
        case D.AMO_ADD: {
          nLo = (aLo + bLo) | 0;
          nHi = (aHi + bHi + ((nLo >>> 0) < (aLo >>> 0) ? 1 : 0)) | 0;
          break;
        }
        case D.AMO_XOR: nLo = aLo ^ bLo; nHi = aHi ^ bHi; break;
        case D.AMO_AND: nLo = aLo & bLo; nHi = aHi & bHi; break;
        case D.AMO_OR: nLo = aLo | bLo; nHi = aHi | bHi; break;
        default: {
          const signed = funct === D.AMO_MIN || funct === D.AMO_MAX;
          const aLess = signed
            ? aHi < bHi || (aHi === bHi && (aLo >>> 0) < (bLo >>> 0))
            : (aHi >>> 0) < (bHi >>> 0) || (aHi === bHi && (aLo >>> 0) < (bLo >>> 0));
          const takeA = funct === D.AMO_MIN || funct === D.AMO_MINU ? aLess : !aLess;
          nLo = takeA ? aLo : bLo;
          nHi = takeA ? aHi : bHi;
        }
      }
      m32[w] = nLo;
      m32[w + 1] = nHi;
    }
    this.storeWatched(idx, size);
    if (this.rec !== null) this.recordMem(MEM_AMO, lo, hi, pa, size, nLo, wide ? nHi : 0);
    m32[d] = oldLo;
    m32[d + 1] = oldHi;
    return true;
  }
}
