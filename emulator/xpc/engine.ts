// The XPC engine (docs/xpc.md): its CSRs, the four custom-0 instructions and relay-segment translation.
// The hart calls in through emulator/xpc/hook.ts; this file knows nothing of the hart beyond XpcHost.
// Architectural state is kept as unsigned 64-bit bigints; the relay segment is mirrored in plain numbers
// for the data-translation check, which runs on every data access while a segment is active.

import {
  XPC_EV_CAP_READ,
  XPC_EV_ENTRY_READ,
  XPC_EV_LINK_POP,
  XPC_EV_LINK_PUSH,
  XPC_EV_PREFETCH,
  XPC_EV_SATP_SWITCH,
  XPC_EV_SEGLIST,
  XPC_EV_SWAPSEG,
  XPC_EV_XCALL,
  XPC_EV_XRET,
} from '../types.js';

/** Fault causes (docs/xpc.md §6). */
export const XPC_CAUSE_INVALID_ENTRY = 24;
export const XPC_CAUSE_INVALID_CAP = 25;
export const XPC_CAUSE_INVALID_LINKAGE = 26;
export const XPC_CAUSE_SEGMENT = 27;
export const XPC_CAUSE_LINK_OVERFLOW = 28;
/** Standard causes the engine's own memory accesses can raise (privileged spec, table "mcause values"). */
export const CAUSE_LOAD_ACCESS_FAULT = 5;
export const CAUSE_STORE_ACCESS_FAULT = 7;

/** Structure sizes (docs/xpc.md §3). */
export const XENTRY_BYTES = 64;
export const LINKAGE_BYTES = 128;
export const SEGLIST_ENTRY_BYTES = 32;

/** CSR numbers (isa/csrs.ts has the names; these are the engine's switch labels). */
export const XPC_CSR = {
  xentry_base: 0x5c0,
  xentry_size: 0x5c1,
  xcap: 0x5c2,
  xlink_base: 0x5c3,
  xlink_top: 0x5c4,
  xlink_limit: 0x5c5,
  xseglist: 0x5c6,
  xseglist_size: 0x5c7,
  xseg_va: 0x5c8,
  xseg_pa: 0x5c9,
  xseg_len: 0x5ca,
  xseg_perm: 0x5cb,
  xsegmask_off: 0x800,
  xsegmask_len: 0x801,
  uxseg_va: 0xcc0,
  uxseg_len: 0xcc1,
  xcaller: 0xcc2,
} as const;

/** Whether `csr` is one of the XPC CSRs (the hart routes exactly these to the engine). */
export function isXpcCsr(csr: number): boolean {
  return (csr >= 0x5c0 && csr <= 0x5cb) || csr === 0x800 || csr === 0x801 || (csr >= 0xcc0 && csr <= 0xcc2);
}

/** What the engine needs from the machine: physical memory and satp. */
export interface XpcHost {
  /** Whether [paddr, paddr + size) is RAM the engine may read and write. */
  isRam(paddr: number, size: number): boolean;
  /** Little-endian physical reads and writes; called only on ranges isRam accepted. */
  read8(paddr: number): number;
  read64(paddr: number): bigint;
  write64(paddr: number, value: bigint): void;
  satp(): bigint;
  /**
   * Write satp as `csrw satp` would (WARL: an unsupported mode leaves it unchanged), and make the next
   * fetch and data access translate with it, as if followed by `sfence.vma` (docs/xpc.md §4, xcall).
   */
  switchSatp(value: bigint): void;
}

/** translateData results other than a physical address. */
export const SEG_MISS = -1;
export const SEG_FAULT = -2;
/** Outside the segment, but the segment shares its 4 KiB page: the page table translates, uncached. */
export const SEG_MISS_SHARED_PAGE = -3;
/** translateData access kinds: a load or LR; a store, SC or AMO. */
export const SEG_LOAD = 0;
export const SEG_STORE = 1;

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const MAX_PADDR = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint physical address as a number, or -1 when it cannot be memory. */
function paddrOf(v: bigint): number {
  return v > MAX_PADDR ? -1 : Number(v);
}

export class XpcEngine {
  // Supervisor CSRs.
  entryBase = 0n;
  entrySize = 0n;
  cap = 0n;
  linkBase = 0n;
  linkTop = 0n;
  linkLimit = 0n;
  segList = 0n;
  segListSize = 0n;
  segVa = 0n;
  segPa = 0n;
  segLen = 0n;
  segPerm = 0n;
  // User CSRs.
  maskOff = 0n;
  maskLen = 0n;

  /**
   * Hot-path mirror of the relay segment: segActive is the one branch the hart takes on every data
   * access; the bounds are sign-extended virtual addresses as the hart's numbers carry them.
   */
  segActive = false;
  private segVaNum = 0;
  private segEndNum = 0;
  private segPaNum = 0;
  private segPermNum = 0;

  /** Results of the last execute(): the next pc on success, or the trap's cause and tval. */
  nextPc = 0;
  trapCause = 0;
  trapTval = 0n;
  /** Steps of the last execute() for the commit record (XPC_EV_* bits and addresses). */
  event = 0;
  capPa = 0;
  entryPa = 0;
  linkPa = 0;
  segListPa = 0;
  /** Whether the last execute() switched satp (the hart reports it as a CSR write). */
  satpSwitched = false;

  constructor(private readonly host: XpcHost) {}

  /** Reset state (all CSRs zero: no table, no segment). */
  reset(): void {
    this.entryBase = this.entrySize = this.cap = 0n;
    this.linkBase = this.linkTop = this.linkLimit = 0n;
    this.segList = this.segListSize = 0n;
    this.maskOff = this.maskLen = 0n;
    this.setSegment(0n, 0n, 0n, 0n);
  }

  // ---- CSRs -------------------------------------------------------------------------------------------
  // The hart has already applied the standard privilege and read-only checks (the numbers encode them:
  // privileged spec §2.1); these only read and write values.

  readCsr(csr: number): bigint {
    switch (csr) {
      case 0x5c0: return this.entryBase;
      case 0x5c1: return this.entrySize;
      case 0x5c2: return this.cap;
      case 0x5c3: return this.linkBase;
      case 0x5c4: return this.linkTop;
      case 0x5c5: return this.linkLimit;
      case 0x5c6: return this.segList;
      case 0x5c7: return this.segListSize;
      case 0x5c8: case 0xcc0: return this.segVa;
      case 0x5c9: return this.segPa;
      case 0x5ca: case 0xcc1: return this.segLen;
      case 0x5cb: return this.segPerm;
      case 0x800: return this.maskOff;
      case 0x801: return this.maskLen;
      case 0xcc2: return this.caller();
      default: return 0n;
    }
  }

  /** Write a writable XPC CSR (read-only ones are refused by the hart before this is called). */
  writeCsr(csr: number, value: bigint): void {
    const v = U64(value);
    switch (csr) {
      case 0x5c0: this.entryBase = v; break;
      case 0x5c1: this.entrySize = v; break;
      case 0x5c2: this.cap = v; break;
      case 0x5c3: this.linkBase = v; break;
      case 0x5c4: this.linkTop = v; break;
      case 0x5c5: this.linkLimit = v; break;
      case 0x5c6: this.segList = v; break;
      case 0x5c7: this.segListSize = v; break;
      case 0x5c8: this.setSegment(v, this.segPa, this.segLen, this.segPerm); break;
      case 0x5c9: this.setSegment(this.segVa, v, this.segLen, this.segPerm); break;
      case 0x5ca: this.setSegment(this.segVa, this.segPa, v, this.segPerm); break;
      case 0x5cb: this.setSegment(this.segVa, this.segPa, this.segLen, v); break;
      case 0x800: this.maskOff = v; break;
      case 0x801: this.maskLen = v; break;
      default: break;
    }
  }

  /**
   * xcaller (docs/xpc.md §2): the caller-xcap field of the valid linkage record just below xlink_top, or
   * 0. Deriving it from the link stack (rather than keeping a register nobody can write) makes it follow
   * the kernel's thread switches, which swap xlink_* like any other per-thread state.
   */
  caller(): bigint {
    this.callerReadPa = -1;
    if (this.linkTop <= this.linkBase || this.linkTop < BigInt(LINKAGE_BYTES)) return 0n;
    const rec = paddrOf(this.linkTop - BigInt(LINKAGE_BYTES));
    if (rec < 0 || !this.host.isRam(rec, LINKAGE_BYTES)) return 0n;
    this.callerReadPa = rec;
    if ((this.host.read64(rec + 104) & 1n) === 0n) return 0n;
    return this.host.read64(rec + 16);
  }

  /** Physical address of the linkage record the last caller() read from memory, or -1 (timing model). */
  callerReadPa = -1;

  private setSegment(va: bigint, pa: bigint, len: bigint, perm: bigint): void {
    this.segVa = va;
    this.segPa = pa;
    this.segLen = len;
    this.segPerm = perm & 3n;
    // Bounds as sign-extended numbers, as the hart's virtual addresses are: an upper-half segment is a
    // negative interval. Sv39 addresses are exact; the bounds of absurdly large segments may round, which
    // only moves them among addresses no Sv39 access can have.
    const vaNum = Number(BigInt.asIntN(64, va));
    this.segActive = len !== 0n;
    this.segVaNum = vaNum;
    this.segEndNum = vaNum + Number(len);
    this.segPaNum = Number(pa);
    this.segPermNum = Number(this.segPerm);
  }

  // ---- Relay-segment translation (docs/xpc.md §4) -----------------------------------------------------

  /**
   * Translate a U/S-mode data access through the active relay segment. Call only while segActive.
   * Returns the physical address, SEG_MISS when the access does not touch the segment (the page table
   * translates it; SEG_MISS_SHARED_PAGE when its page does overlap the segment), or SEG_FAULT (a load or store/AMO page fault with tval = va): missing permission,
   * or an access that only partly overlaps the segment.
   */
  translateData(va: number, size: number, kind: number): number {
    const start = this.segVaNum;
    const end = this.segEndNum;
    if (va >= end || va + size <= start) {
      // A software TLB caches whole pages; one the segment overlaps must not be cached, or later accesses
      // inside the segment would hit the page-table translation.
      const page = va - (((va % 4096) + 4096) % 4096);
      return page < end && page + 4096 > start ? SEG_MISS_SHARED_PAGE : SEG_MISS;
    }
    if (va < start || va + size > end) return SEG_FAULT;
    // A load needs read; a store, SC or AMO needs write (docs/xpc.md §4).
    const need = kind === SEG_LOAD ? 1 : 2;
    if ((this.segPermNum & need) !== need) return SEG_FAULT;
    return this.segPaNum + (va - start);
  }

  // ---- Instructions -------------------------------------------------------------------------------------

  private fault(cause: number, tval: bigint): number {
    this.trapCause = cause;
    this.trapTval = tval;
    return cause;
  }

  /** Read-side check for an engine access: a load access fault with tval = the address when not RAM. */
  private ramOr(paddr: bigint, size: number, store: boolean): number {
    const p = paddrOf(paddr);
    if (p >= 0 && this.host.isRam(p, size)) return p;
    this.fault(store ? CAUSE_STORE_ACCESS_FAULT : CAUSE_LOAD_ACCESS_FAULT, paddr);
    return -1;
  }

  /**
   * Execute an XPC instruction. funct3 selects it (0 xcall, 1 xret, 2 swapseg, 3 xprefetch); rs1Value is
   * x[rs1]; pc is the instruction's address. Returns 0 on success (nextPc holds the next pc) or the trap
   * cause (trapCause/trapTval hold it; no architectural state changed).
   */
  execute(funct3: number, rs1Value: bigint, pc: number): number {
    this.event = 0;
    this.satpSwitched = false;
    switch (funct3) {
      case 0: return this.xcall(U64(rs1Value), pc);
      case 1: return this.xret();
      case 2: return this.swapseg(U64(rs1Value), pc);
      default: return this.xprefetch(U64(rs1Value), pc);
    }
  }

  private xcall(id: bigint, pc: number): number {
    const h = this.host;
    this.event = XPC_EV_XCALL;
    // 1. The id names an entry of the table.
    if (id >= this.entrySize) return this.fault(XPC_CAUSE_INVALID_ENTRY, id);
    // 2. The caller holds the capability.
    const capPa = this.ramOr(U64(this.cap + (id >> 3n)), 1, false);
    if (capPa < 0) return this.trapCause;
    this.event |= XPC_EV_CAP_READ;
    this.capPa = capPa;
    if (((h.read8(capPa) >> Number(id & 7n)) & 1) === 0) return this.fault(XPC_CAUSE_INVALID_CAP, id);
    // 3. The entry is valid.
    const entryPa = this.ramOr(U64(this.entryBase + id * BigInt(XENTRY_BYTES)), XENTRY_BYTES, false);
    if (entryPa < 0) return this.trapCause;
    this.event |= XPC_EV_ENTRY_READ;
    this.entryPa = entryPa;
    if ((h.read64(entryPa + 40) & 1n) === 0n) return this.fault(XPC_CAUSE_INVALID_ENTRY, id);
    // 4. The link stack has room.
    if (this.linkTop + BigInt(LINKAGE_BYTES) > this.linkLimit) return this.fault(XPC_CAUSE_LINK_OVERFLOW, id);
    // 5. The seg-mask lies inside the active segment.
    const off = this.maskOff;
    const mlen = this.maskLen;
    if (mlen !== 0n && (this.segLen === 0n || off >= this.segLen || mlen > this.segLen - off)) {
      return this.fault(XPC_CAUSE_SEGMENT, id);
    }
    const recPa = this.ramOr(this.linkTop, LINKAGE_BYTES, true);
    if (recPa < 0) return this.trapCause;

    // Commit. The callee's state is read before the push, so a link stack overlapping the table (a kernel
    // bug) cannot change what this call does.
    const calleeSatp = h.read64(entryPa + 0);
    const entryPc = h.read64(entryPa + 8);
    const calleeCap = h.read64(entryPa + 16);
    const calleeSegList = h.read64(entryPa + 24);
    const calleeSegListSize = h.read64(entryPa + 32);
    // The handed segment: the mask's window of the active one, or all of it.
    const hVa = mlen !== 0n ? U64(this.segVa + off) : this.segVa;
    const hPa = mlen !== 0n ? U64(this.segPa + off) : this.segPa;
    const hLen = mlen !== 0n ? mlen : this.segLen;
    const hPerm = this.segPerm;
    const callerSatp = h.satp();
    h.write64(recPa + 0, callerSatp);
    h.write64(recPa + 8, U64(BigInt(pc) + 4n));
    h.write64(recPa + 16, this.cap);
    h.write64(recPa + 24, this.segList);
    h.write64(recPa + 32, this.segListSize);
    h.write64(recPa + 40, this.segVa);
    h.write64(recPa + 48, this.segPa);
    h.write64(recPa + 56, this.segLen);
    h.write64(recPa + 64, this.segPerm);
    h.write64(recPa + 72, hVa);
    h.write64(recPa + 80, hPa);
    h.write64(recPa + 88, hLen);
    h.write64(recPa + 96, hPerm);
    h.write64(recPa + 104, 1n);
    h.write64(recPa + 112, 0n);
    h.write64(recPa + 120, 0n);
    this.linkTop = U64(this.linkTop + BigInt(LINKAGE_BYTES));
    this.event |= XPC_EV_LINK_PUSH;
    this.linkPa = recPa;

    this.setSegment(hVa, hPa, hLen, hPerm);
    this.maskOff = this.maskLen = 0n;

    this.cap = calleeCap;
    this.segList = calleeSegList;
    this.segListSize = calleeSegListSize;
    h.switchSatp(calleeSatp);
    this.event |= XPC_EV_SATP_SWITCH;
    this.satpSwitched = true;
    this.nextPc = Number(BigInt.asIntN(64, entryPc));
    return 0;
  }

  private xret(): number {
    const h = this.host;
    this.event = XPC_EV_XRET;
    const recBytes = BigInt(LINKAGE_BYTES);
    // 1. The stack holds a record.
    if (this.linkTop <= this.linkBase || this.linkTop < recBytes) return this.fault(XPC_CAUSE_INVALID_LINKAGE, 0n);
    const recPa = this.ramOr(this.linkTop - recBytes, LINKAGE_BYTES, false);
    if (recPa < 0) return this.trapCause;
    this.event |= XPC_EV_LINK_POP;
    this.linkPa = recPa;
    // 2. It is valid.
    if ((h.read64(recPa + 104) & 1n) === 0n) return this.fault(XPC_CAUSE_INVALID_LINKAGE, 0n);
    // 3. The callee gives back exactly the segment it was handed ("no segment" matches "no segment").
    const hLen = h.read64(recPa + 88);
    const same =
      hLen === this.segLen &&
      (hLen === 0n ||
        (h.read64(recPa + 72) === this.segVa && h.read64(recPa + 80) === this.segPa && (h.read64(recPa + 96) & 3n) === this.segPerm));
    if (!same) return this.fault(XPC_CAUSE_INVALID_LINKAGE, 1n);

    // Commit: pop, restore.
    h.write64(recPa + 104, h.read64(recPa + 104) & ~1n);
    this.linkTop = this.linkTop - recBytes;
    const satp = h.read64(recPa + 0);
    const retPc = h.read64(recPa + 8);
    this.cap = h.read64(recPa + 16);
    this.segList = h.read64(recPa + 24);
    this.segListSize = h.read64(recPa + 32);
    this.setSegment(h.read64(recPa + 40), h.read64(recPa + 48), h.read64(recPa + 56), h.read64(recPa + 64));
    h.switchSatp(satp);
    this.event |= XPC_EV_SATP_SWITCH;
    this.satpSwitched = true;
    this.nextPc = Number(BigInt.asIntN(64, retPc));
    return 0;
  }

  private swapseg(j: bigint, pc: number): number {
    const h = this.host;
    this.event = XPC_EV_SWAPSEG;
    if (j >= this.segListSize) return this.fault(XPC_CAUSE_SEGMENT, j);
    const addr = U64(this.segList + j * BigInt(SEGLIST_ENTRY_BYTES));
    const entryPa = this.ramOr(addr, SEGLIST_ENTRY_BYTES, false);
    if (entryPa < 0) return this.trapCause;
    // The entry is written back too: refuse before changing anything if that cannot be done.
    if (this.ramOr(addr, SEGLIST_ENTRY_BYTES, true) < 0) return this.trapCause;
    this.event |= XPC_EV_SEGLIST;
    this.segListPa = entryPa;
    const eVa = h.read64(entryPa + 0);
    const ePa = h.read64(entryPa + 8);
    const eLen = h.read64(entryPa + 16);
    const eFlags = h.read64(entryPa + 24);
    h.write64(entryPa + 0, this.segVa);
    h.write64(entryPa + 8, this.segPa);
    h.write64(entryPa + 16, this.segLen);
    h.write64(entryPa + 24, this.segPerm | (this.segLen !== 0n ? 4n : 0n));
    if ((eFlags & 4n) !== 0n) this.setSegment(eVa, ePa, eLen, eFlags & 3n);
    else this.setSegment(0n, 0n, 0n, 0n);
    this.nextPc = pc + 4;
    return 0;
  }

  private xprefetch(id: bigint, pc: number): number {
    this.event = XPC_EV_PREFETCH;
    // No architectural effect and never a fault: only name the entry for the engine cache (timing).
    if (id < this.entrySize) {
      const p = paddrOf(U64(this.entryBase + id * BigInt(XENTRY_BYTES)));
      if (p >= 0 && this.host.isRam(p, XENTRY_BYTES)) {
        this.event |= XPC_EV_ENTRY_READ;
        this.entryPa = p;
      }
    }
    this.nextPc = pc + 4;
    return 0;
  }
}
