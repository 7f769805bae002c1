// The RV64IMAC hart: fetch and decode through the decoded-instruction cache, and the wide arithmetic
// the interpreter leaves to BigInt. The rest of the hart is in layers below this class, one file each
// (hart-state.ts lists them): state, the physical bus and devices, the MMU and PMP, slow-path and atomic
// accesses, the trap path, the CSR file. The interpreter loop is interp.ts; run() in machine.ts drives
// it in chunks whose length never passes the next timer event, checking interrupts between them.
//
// All architectural integer state and guest RAM live in one WebAssembly.Memory (layout.ts); the
// interpreter works on 32-bit halves (Int32Array views) and uses BigInt only for rare operations
// (mulh*, wide division, CSR values). Instructions are decoded once per physical address into a
// decoded-instruction cache (one DecodedPage per 4 KiB of guest memory); data accesses go through
// direct-mapped TLBs per access kind and privilege.

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import { HartCsrs } from './csr.js';
import { CHECKED_FETCH_PAGE, INV_TWO32 } from './hart-state.js';
import type { XpcHook } from './xpc-hook.js';

export { RAM_BASE, ROM_BASE, ROM_SIZE, DecodedPage, type HartOptions, type ObservedRecord } from './hart-state.js';
export { CLINT_BASE, CLINT_SIZE } from './devices/clint.js';

const KIND_FETCH = L.KIND_FETCH;

export class Hart extends HartCsrs {
  private readonly scratch: D.DecodedSlot = { op: 0, f: 0, imm: 0, id: -1 };

  /** Attach the XPC engine: misa.X is set and XPC encodings and CSRs go to it. */
  attachXpc(hook: XpcHook): void {
    this.xpc = hook;
    this.misa |= 1n << 23n;
  }

  // ================================================================================================
  // Fetch and decode
  // ================================================================================================

  /** Translate pc for fetch and make its page current. False: exception recorded. */
  fetchPage(pc: number): boolean {
    const lo = pc | 0;
    const hi = (pc - (pc >>> 0)) * INV_TWO32;
    const pa = this.translate(lo, hi, KIND_FETCH, 2);
    if (pa < 0) return false;
    const pageBase = pa - (pa & 0xfff);
    const idx = this.memIndex(pageBase, 4096);
    if (idx < 0) {
      this.raiseVa(C.CAUSE_FETCH_ACCESS, lo, hi);
      return false;
    }
    this.fetchPaddr = pa;
    this.fpVa = pc - (pc & 0xfff);
    this.fpMem = idx;
    // PMP checks every fetch (privileged spec §3.7.1), the cache only pages it allows whole.
    this.fpDec = this.pmp.active && !this.pmp.check(pageBase, 4096, KIND_FETCH, this.priv) ? CHECKED_FETCH_PAGE : this.decodedPage(idx >>> 12);
    this.fpValid = true;
    return true;
  }

  /** Decode the instruction at byte offset `off` of the current fetch page into its cache slot; returns the packed word. */
  decodeAt(off: number): number {
    const page = this.fpDec!;
    const h = (this.fpMem + off) >> 1;
    const low = this.m16[h];
    let raw = low;
    if ((low & 3) === 3) {
      if (off === 4094) {
        page.w[off] = D.OP_CROSS;
        return D.OP_CROSS;
      }
      raw = (low | (this.m16[h + 1] << 16)) >>> 0;
    }
    const s = this.scratch;
    D.decodeSlot(raw, this.isa, s);
    const packed = s.op | (s.f << 7);
    page.w[off] = packed;
    page.w[off + 1] = s.imm;
    page.id[off >> 1] = s.id;
    return packed;
  }

  /** Fetch and decode a 4-byte instruction that straddles a page boundary, or any instruction on a
   * CHECKED_FETCH_PAGE (not cached). */
  fetchCross(pc: number): boolean {
    if (this.fpDec === CHECKED_FETCH_PAGE) return this.fetchChecked(pc);
    const low = this.m16[(this.fpMem >> 1) + 2047];
    const high = this.fetchParcel(pc + 2);
    if (high < 0) return false;
    D.decodeSlot((low | (high << 16)) >>> 0, this.isa, this.scratch);
    return true;
  }

  /** The instruction at pc on a CHECKED_FETCH_PAGE: each 2-byte parcel translated and PMP-checked, as Spike fetches. */
  private fetchChecked(pc: number): boolean {
    const low = this.fetchParcel(pc);
    if (low < 0) return false;
    let raw = low;
    if ((low & 3) === 3) {
      const high = this.fetchParcel(pc + 2);
      if (high < 0) return false;
      raw = (low | (high << 16)) >>> 0;
    }
    D.decodeSlot(raw, this.isa, this.scratch);
    return true;
  }

  /** The 16 bits at pc through translation and PMP, or -1 with the fault recorded. */
  private fetchParcel(pc: number): number {
    const lo = pc | 0;
    const hi = (pc - (pc >>> 0)) * INV_TWO32;
    const pa = this.translate(lo, hi, KIND_FETCH, 2);
    if (pa < 0) return -1;
    const idx = this.memIndex(pa, 2);
    if (idx < 0) {
      this.raiseVa(C.CAUSE_FETCH_ACCESS, lo, hi);
      return -1;
    }
    return this.m16[idx >> 1];
  }

  /** The packed word (opcode | fields << 7) and immediate of the last fetchCross. */
  crossWord(): number { return this.scratch.op | (this.scratch.f << 7); }
  crossImm(): number { return this.scratch.imm; }
  crossId(): number { return this.scratch.id; }

  /** Decoded slot of the instruction at pc (decoding it if needed), for observers; null if unfetchable. */
  peekDecoded(pc: number, out: D.DecodedSlot): boolean {
    const raw = this.peekRaw(pc);
    if (raw === undefined) return false;
    D.decodeSlot(raw, this.isa, out);
    return true;
  }

  /** Physical address of the last peekInstr (or -1). */
  peekPa = -1;

  /**
   * For observers: the decoded slot of the instruction at pc and its raw bits (-1 when it cannot be
   * fetched now), without side effects. Uses the fetch TLB and the decoded-instruction cache when they
   * have it, so tracing does not decode every instruction again.
   */
  peekInstr(pc: number, out: D.DecodedSlot): number {
    if (this.fpValid) {
      const o = pc - this.fpVa;
      if (o >= 0 && o < 4094) {
        const w = this.fpDec!.w[o];
        if (w !== D.OP_UNDECODED && w !== D.OP_CROSS) {
          const idx = this.fpMem + o;
          this.peekPa = this.physOf(idx);
          out.op = w & 127;
          out.f = w >>> 7;
          out.imm = this.fpDec!.w[o + 1];
          out.id = this.fpDec!.id[o >> 1];
          const low = this.m16[idx >> 1];
          return (w >>> 27) === 2 ? low : (low | (this.m16[(idx >> 1) + 1] << 16)) >>> 0;
        }
      }
    }
    const lo = pc | 0;
    const hi = (pc - (pc >>> 0)) * INV_TWO32;
    const vpl = lo >>> 12;
    const t = this.fBase + (vpl & (L.TLB_ENTRIES - 1));
    const pa = this.tlbTagLo[t] === vpl && this.tlbTagHi[t] === hi
      ? this.physOf(this.tlbData[t]) + (lo & 0xfff)
      : this.debugTranslate(pc, KIND_FETCH);
    this.peekPa = pa;
    if (pa < 0) return -1;
    const idx = this.memIndex(pa, 2);
    if (idx >= 0) {
      const page = this.decPages[idx >>> 12];
      const off = idx & 0xfff;
      if (page !== undefined) {
        const w = page.w[off];
        if (w !== D.OP_UNDECODED && w !== D.OP_CROSS) {
          out.op = w & 127;
          out.f = w >>> 7;
          out.imm = page.w[off + 1];
          out.id = page.id[off >> 1];
          const len = w >>> 27;
          const low = this.m16[idx >> 1];
          return len === 2 ? low : (low | (this.m16[(idx >> 1) + 1] << 16)) >>> 0;
        }
      }
    }
    const raw = this.peekRaw(pc);
    if (raw === undefined) return -1;
    D.decodeSlot(raw, this.isa, out);
    return raw >>> 0;
  }

  // ================================================================================================
  // Wide arithmetic helpers (BigInt: rare instructions)
  // ================================================================================================

  private mulhBig(op: number, s1: number, s2: number, d: number): void {
    const m32 = this.m32;
    const aS = (BigInt(m32[s1 + 1]) << 32n) | BigInt(m32[s1] >>> 0);
    const bS = (BigInt(m32[s2 + 1]) << 32n) | BigInt(m32[s2] >>> 0);
    const aU = BigInt.asUintN(64, aS);
    const bU = BigInt.asUintN(64, bS);
    let p: bigint;
    if (op === D.OP_MULH) p = aS * bS;
    else if (op === D.OP_MULHSU) p = aS * bU;
    else p = aU * bU;
    this.setSlot(d, p >> 64n);
  }

  divBig(op: number, s1: number, s2: number, d: number): void {
    const m32 = this.m32;
    const aS = (BigInt(m32[s1 + 1]) << 32n) | BigInt(m32[s1] >>> 0);
    const bS = (BigInt(m32[s2 + 1]) << 32n) | BigInt(m32[s2] >>> 0);
    const signed = op === D.OP_DIV || op === D.OP_REM;
    const a = signed ? aS : BigInt.asUintN(64, aS);
    const b = signed ? bS : BigInt.asUintN(64, bS);
    const isDiv = op === D.OP_DIV || op === D.OP_DIVU;
    let r: bigint;
    if (b === 0n) r = isDiv ? -1n : a; // division by zero (unprivileged spec §7.2, table 7.1)
    else if (signed && a === -(1n << 63n) && b === -1n) r = isDiv ? a : 0n; // overflow
    else r = isDiv ? a / b : a % b; // BigInt division truncates toward zero, as RISC-V does
    this.setSlot(d, r);
  }

  mulh(op: number, s1: number, s2: number, d: number): void {
    this.mulhBig(op, s1, s2, d);
  }
}
