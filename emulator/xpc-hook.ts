// The one place where the XPC engine (emulator/xpc/, written separately) plugs into the hart. Without a
// hook every XPC encoding (custom-0) and XPC CSR (0x5C0–0x5CB, 0x800–0x801, 0xCC0–0xCC2) is an
// illegal instruction, exactly as on a hart without the extension.

import type { Hart } from './hart.js';

/**
 * CSR numbers the hook answers (the hart asks it only about these): XPC's (docs/xpc.md §2) and the other
 * IPC mechanisms' (docs/mechanisms.md: gates 0x5D0–0x5D8, 0xDC0, 0xCD0; address-space lists
 * 0x5E0–0x5E3; protection keys 0x802). A hook without the extension answers "not accessible" (illegal instruction).
 */
export function isXpcCsr(n: number): boolean {
  return (n >= 0x5c0 && n <= 0x5cb) || n === 0x800 || n === 0x801 || (n >= 0xcc0 && n <= 0xcc2) ||
    (n >= 0x5d0 && n <= 0x5e3) || n === 0xdc0 || n === 0xcd0 || n === 0x802;
}

export interface XpcHook {
  /**
   * Execute an XPC instruction (raw bits of a custom-0 row of the table, or custom-1 for docs/mechanisms.md) at hart.pc. Return true when it
   * completed: the hook has set hart.pc to the next pc. Return false when it raised an exception: the
   * hook has called hart.raise(cause, tval) first. Privilege is the hook's to check.
   */
  execute(hart: Hart, raw: number): boolean;
  /** Value of an XPC CSR, or undefined when it is not accessible (illegal instruction). */
  csrRead(hart: Hart, csr: number): bigint | undefined;
  /** Write an XPC CSR; false when the write is illegal. */
  csrWrite(hart: Hart, csr: number, value: bigint): boolean;
  /**
   * Relay-segment translation, consulted before the page-table walk for data accesses when
   * `segmentActive` is true. Returns the physical address, -1 when the address is outside the segment
   * (walk the page table as usual), -3 when it is outside but its page overlaps the segment (walk, but do
   * not cache the page), or -2 when the hook raised an exception (hart.raise was called).
   */
  segmentActive: boolean;
  /**
   * Protection keys (docs/mechanisms.md §2): when present, leaf PTE bits 58:54 are a key (not reserved)
   * and the walk asks `allows(key, write)` for data accesses to user pages.
   */
  readonly pkeys?: { allows(key: number, write: boolean): boolean } | null;
  /** medeleg bits of the custom exceptions this hook raises (default: XPC's causes 24–28). */
  readonly delegableCauses?: number;
  translateData(hart: Hart, vaLo: number, vaHi: number, write: boolean, size: number): number;
}
