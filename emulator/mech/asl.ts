// Address-space lists switched from user mode (docs/mechanisms.md §3), after SkyBridge's use of x86
// VMFUNC: the kernel registers, per process, a list of page-table roots; `aslswitch idx, key` installs
// root idx when executed from the trampoline page (mapped at the same address in every listed space)
// and when key matches the key the kernel stored with the entry.

import { ASL_EV_READ, MECH_EV_SATP_SWITCH } from './events.js';
import type { PhysMem } from './phys.js';

export const CAUSE_ASL = 31;
const CAUSE_LOAD_ACCESS = 5;
/** List entry: satp (0 = empty), key. */
export const ASL_ENTRY_BYTES = 16;
const PAGE = 4096n;

export const CSR_ASL_BASE = 0x5e0;
export const CSR_ASL_SIZE = 0x5e1;
export const CSR_ASL_TRAMP = 0x5e2;
export const CSR_ASL_INDEX = 0x5e3;

export class AslEngine {
  base = 0n;
  size = 0n;
  tramp = 0n;
  index = 0n;

  event = 0;
  entryPa = 0;
  newSatp = 0n;
  trapTval = 0n;

  constructor(private readonly mem: PhysMem) {}

  /** aslswitch at pc: returns 0 (newSatp set) or the cause raised (nothing changed then). */
  switchTo(idx: bigint, key: bigint, pc: bigint): number {
    this.event = 0;
    // The trampoline is one page: a switch from anywhere else would resume in the new space at an
    // address the target never agreed to run.
    if (pc < this.tramp || pc >= this.tramp + PAGE) {
      this.trapTval = pc;
      return CAUSE_ASL;
    }
    this.trapTval = idx;
    if (idx >= this.size) return CAUSE_ASL;
    const pa = this.base + idx * BigInt(ASL_ENTRY_BYTES);
    if (!this.mem.isRam(pa, ASL_ENTRY_BYTES)) {
      this.trapTval = pa;
      return CAUSE_LOAD_ACCESS;
    }
    this.event = ASL_EV_READ;
    this.entryPa = Number(pa);
    const satp = this.mem.read64(this.entryPa);
    const want = this.mem.read64(this.entryPa + 8);
    if (satp === 0n || want !== key) return CAUSE_ASL;
    this.newSatp = satp;
    this.index = idx;
    this.event |= MECH_EV_SATP_SWITCH;
    return 0;
  }

  readCsr(n: number): bigint | undefined {
    switch (n) {
      case CSR_ASL_BASE: return this.base;
      case CSR_ASL_SIZE: return this.size;
      case CSR_ASL_TRAMP: return this.tramp;
      case CSR_ASL_INDEX: return this.index;
      default: return undefined;
    }
  }

  writeCsr(n: number, v: bigint): boolean {
    switch (n) {
      case CSR_ASL_BASE: this.base = v; return true;
      case CSR_ASL_SIZE: this.size = v; return true;
      // WARL: the trampoline is a page.
      case CSR_ASL_TRAMP: this.tramp = v & ~(PAGE - 1n); return true;
      case CSR_ASL_INDEX: this.index = v; return true;
      default: return false;
    }
  }
}
