// Binds the XPC engine to a hart through the hart's XpcHook (emulator/xpc-hook.ts): the engine's
// memory is the hart's RAM, its satp switch is the hart's own satp write, and what it did goes into the
// hart's commit record for observers.

import type { Hart } from '../hart.js';
import { RAM_BASE } from '../hart.js';
import { RAM_OFF } from '../layout.js';
import type { XpcHook } from '../xpc-hook.js';
import { SEG_FAULT, SEG_LOAD, SEG_STORE, XpcEngine, type XpcHost } from './engine.js';
import { XPC_EV_LINK_READ } from '../types.js';

const CSR_SATP = 0x180;
const CAUSE_ILLEGAL_INSTRUCTION = 2;
const PRV_S = 1;
const MSTATUS_TVM = 1 << 20;
const CAUSE_LOAD_PAGE_FAULT = 13;
const CAUSE_STORE_PAGE_FAULT = 15;

/** The engine's view of one hart: RAM by physical address, and satp (the other mechanisms share it). */
export class HartHost implements XpcHost {
  private readonly view: DataView;
  constructor(private readonly hart: Hart) {
    this.view = new DataView(hart.memory.buffer);
  }
  isRam(paddr: number, size: number): boolean {
    return paddr >= RAM_BASE && paddr + size <= RAM_BASE + this.hart.ramBytes;
  }
  read8(paddr: number): number {
    return this.view.getUint8(RAM_OFF + (paddr - RAM_BASE));
  }
  read64(paddr: number): bigint {
    return this.view.getBigUint64(RAM_OFF + (paddr - RAM_BASE), true);
  }
  write64(paddr: number, value: bigint): void {
    const idx = RAM_OFF + (paddr - RAM_BASE);
    this.view.setBigUint64(idx, value, true);
    // Keep the hart's decoded-instruction cache coherent should a record land on code (a kernel bug).
    this.hart.invalidateCode(idx, 8);
  }
  satp(): bigint {
    return this.hart.satp;
  }
  switchSatp(value: bigint): void {
    // The hart's own satp write: WARL, software-TLB flush, and the fetch page is re-translated.
    this.hart.csrWrite(CSR_SATP, value);
  }
}

export class XpcEngineHook implements XpcHook {
  readonly engine: XpcEngine;
  segmentActive = false;

  constructor(private readonly hart: Hart) {
    this.engine = new XpcEngine(new HartHost(hart));
  }

  /** After anything that may change the relay segment: the hart's branch flag, and no stale translations. */
  private segmentChanged(): void {
    this.segmentActive = this.engine.segActive;
    // The software TLB may hold page-table translations for addresses the segment now covers (or the
    // reverse); the segment must win from the next access on (docs/xpc.md §4).
    this.hart.flushTlb();
  }

  execute(hart: Hart, raw: number): boolean {
    const e = this.engine;
    const funct3 = (raw >>> 12) & 7;
    // xcall and xret write satp: under mstatus.TVM, S-mode may not (privileged spec §3.1.6.5), so neither
    // may they there (docs/xpc.md §4).
    if (funct3 <= 1 && hart.priv === PRV_S && (hart.mstatus & MSTATUS_TVM) !== 0) {
      hart.raise(CAUSE_ILLEGAL_INSTRUCTION, BigInt(raw >>> 0));
      return false;
    }
    const rs1 = (raw >>> 15) & 31;
    const wasActive = e.segActive;
    const r = e.execute(funct3, hart.getReg(rs1), hart.pc);
    const rec = hart.rec;
    if (rec !== null) {
      rec.xpcEvent = e.event;
      rec.xpcCapPa = e.capPa;
      rec.xpcEntryPa = e.entryPa;
      rec.xpcLinkPa = e.linkPa;
      rec.xpcSegListPa = e.segListPa;
      if (r === 0 && e.satpSwitched) {
        const k = rec.csrWriteCount++;
        rec.csrWriteNum[k] = CSR_SATP;
        rec.csrWriteValue[k] = hart.satp;
      }
    }
    if (r !== 0) {
      hart.raise(r, e.trapTval);
      return false;
    }
    // A segment appeared, changed or went: drop cached translations (xcall/xret usually flushed them with
    // their satp write already, but not when satp refused the entry's mode).
    if (funct3 !== 3 && (wasActive || e.segActive)) this.segmentChanged();
    else this.segmentActive = e.segActive;
    hart.pc = e.nextPc;
    return true;
  }

  csrRead(hart: Hart, csr: number): bigint | undefined {
    const v = this.engine.readCsr(csr);
    // xcaller reads the link stack: tell the timing model which record (docs/xpc.md §7).
    if (csr === 0xcc2 && hart.rec !== null && this.engine.callerReadPa >= 0) {
      hart.rec.xpcEvent |= XPC_EV_LINK_READ;
      hart.rec.xpcLinkPa = this.engine.callerReadPa;
    }
    return v;
  }

  csrWrite(_hart: Hart, csr: number, value: bigint): boolean {
    // Read-only ones (0xCC0–0xCC2) never get here: the hart refuses writes to bits 11:10 = 3.
    if (csr >= 0xcc0) return false;
    const wasActive = this.engine.segActive;
    this.engine.writeCsr(csr, value);
    // Writing the fields of an absent segment (a kernel restoring a thread's state) changes no translation.
    if (csr >= 0x5c8 && csr <= 0x5cb && (wasActive || this.engine.segActive)) this.segmentChanged();
    return true;
  }

  translateData(hart: Hart, vaLo: number, vaHi: number, write: boolean, size: number): number {
    const va = vaHi * 4294967296 + (vaLo >>> 0);
    const pa = this.engine.translateData(va, size, write ? SEG_STORE : SEG_LOAD);
    if (pa === SEG_FAULT) {
      hart.raise(write ? CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT, BigInt.asUintN(64, BigInt(va)));
      return -2;
    }
    return pa;
  }
}

/** The XPC engine for a hart (Machine attaches it when MachineOptions.xpc is on). */
export function createXpcHook(hart: Hart): XpcEngineHook {
  return new XpcEngineHook(hart);
}
