// Debugger memory access: virtual addresses translated as the hart sees memory now (its privilege mode,
// satp, and for U/S data the XPC relay segment), RAM and boot ROM only. Nothing here touches the guest's
// TLB, A/D bits, LR/SC reservation, counters or the timing model: the walk is Hart.debugTranslate, the
// bytes are read straight from the machine's memory. Devices (UART, CLINT) are refused, since reading
// them has side effects (the UART receive register consumes input).

import type { Machine } from '../../emulator/machine.js';
import { PRV_M, SATP_MODE_SV39 } from '../../emulator/hart-constants.js';
import { KIND_FETCH } from '../../emulator/layout.js';
import type { XpcEngine } from '../../emulator/xpc/engine.js';

/** The engine behind the hart's XPC hook, when it is rvx's own (emulator/xpc/hook.ts). */
export function xpcEngineOf(m: Machine): XpcEngine | null {
  const hook = m.hart.xpc as unknown as { engine?: XpcEngine } | null;
  return hook?.engine ?? null;
}

export class DebugMemory {
  constructor(private readonly m: Machine) {}

  /**
   * Physical address of virtual address va, or -1 when it has no mapping. Translation uses the mode the
   * hart runs in (not MPRV's: gdb mostly reads code and the current stack) and ignores the permission
   * bits, as a debugger must be able to show pages the mode may not read (U pages from S without SUM).
   */
  translate(va: bigint): number {
    const h = this.m.hart;
    const sva = BigInt.asIntN(64, va);
    if (h.priv === PRV_M || h.satpMode !== SATP_MODE_SV39) return va < 0x20000000000000n ? Number(va) : -1;
    // Sv39: bits 63:39 must equal bit 38 (privileged spec §4.4.1).
    if (sva < -(1n << 38n) || sva >= 1n << 38n) return -1;
    const n = Number(sva);
    const e = xpcEngineOf(this.m);
    if (e !== null && e.segActive) {
      // docs/xpc.md §4: for U/S data the relay segment is translated before and instead of the page table.
      const start = BigInt.asIntN(64, e.segVa);
      if (sva >= start && sva < start + e.segLen) return Number(e.segPa + (sva - start));
    }
    return h.debugTranslate(n, KIND_FETCH);
  }

  /** Bytes at va.., stopping at the first unmapped or non-memory byte (gdb accepts a short read). */
  read(va: bigint, len: number): Uint8Array {
    const out: number[] = [];
    const h = this.m.hart;
    let pa = -1;
    for (let k = 0; k < len; k++) {
      const a = BigInt.asUintN(64, va + BigInt(k));
      pa = k === 0 || (a & 0xfffn) === 0n ? this.translate(a) : pa + 1;
      const idx = pa < 0 ? -1 : h.memIndex(pa, 1);
      if (idx < 0) break;
      out.push(h.m8[idx]);
    }
    return Uint8Array.from(out);
  }

  /** Write bytes at va: all of them, or none when any byte is unmapped or not memory. */
  write(va: bigint, bytes: Uint8Array): boolean {
    const pieces: { pa: number; from: number; to: number }[] = [];
    let k = 0;
    while (k < bytes.length) {
      const a = BigInt.asUintN(64, va + BigInt(k));
      const pa = this.translate(a);
      const n = Math.min(bytes.length - k, 4096 - Number(a & 0xfffn));
      if (pa < 0 || this.m.hart.memIndex(pa, n) < 0) return false;
      pieces.push({ pa, from: k, to: k + n });
      k += n;
    }
    // writePhysBytes keeps the interpreter's decoded-instruction cache coherent with code changes.
    for (const p of pieces) this.m.hart.writePhysBytes(p.pa, bytes.subarray(p.from, p.to));
    return true;
  }

  /** Physical bytes (RAM or ROM) or null. */
  readPhys(pa: bigint, len: number): Uint8Array | null {
    if (pa > 0x1fffffffffffffn) return null;
    const idx = this.m.hart.memIndex(Number(pa), len);
    return idx < 0 ? null : this.m.hart.m8.slice(idx, idx + len);
  }
}
