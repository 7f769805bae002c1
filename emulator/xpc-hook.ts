// The one place where the XPC engine (emulator/xpc/, written separately) plugs into the hart. Without a
// hook every XPC encoding (custom-0) and XPC CSR (0x5C0–0x5CB, 0x800–0x801, 0xCC0–0xCC2) is an
// illegal instruction, exactly as on a hart without the extension.

import type { Hart } from './hart.js';

/** XPC CSR numbers (docs/xpc.md §2); the hart asks the hook only about these. */
export function isXpcCsr(n: number): boolean {
  return (n >= 0x5c0 && n <= 0x5cb) || n === 0x800 || n === 0x801 || (n >= 0xcc0 && n <= 0xcc2);
}

export interface XpcHook {
  /**
   * Execute an XPC instruction (raw bits of a custom-0 row of the table) at hart.pc. Return true when it
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
  translateData(hart: Hart, vaLo: number, vaHi: number, write: boolean, size: number): number;
}
