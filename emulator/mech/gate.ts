// Call gates in a software-filled gate cache (docs/mechanisms.md §1), after Děcký's "CLB" call-gate
// proposal: `gcall` looks a gate up in a small associative cache tagged by the calling domain, switches
// satp and pc to the gate's target and pushes a return record on a stack in physical memory the callee
// cannot reach; `gret` pops it. A lookup that misses raises a gate-miss exception and the kernel fills
// the cache (`gfill`) from its own tables, as a software-managed TLB is refilled.

import type { PhysMem } from './phys.js';
import {
  GATE_EV_FILL,
  GATE_EV_FLUSH,
  GATE_EV_LOOKUP,
  GATE_EV_POP,
  GATE_EV_PUSH,
  MECH_EV_SATP_SWITCH,
} from './events.js';

/** Exception causes (custom use, privileged spec table "Supervisor cause register (scause) values"). */
export const CAUSE_GATE_MISS = 29;
export const CAUSE_GATE_STACK = 30;
const CAUSE_LOAD_ACCESS = 5;
const CAUSE_STORE_ACCESS = 7;

/** Return record: caller satp, return pc, caller domain, flags (bit 0 valid). */
export const GATE_RECORD_BYTES = 32;

export const CSR_GDOM = 0x5d0;
export const CSR_GSTACK_BASE = 0x5d1;
export const CSR_GSTACK_TOP = 0x5d2;
export const CSR_GSTACK_LIMIT = 0x5d3;
export const CSR_GFILL_GATE = 0x5d4;
export const CSR_GFILL_DOM = 0x5d5;
export const CSR_GFILL_SATP = 0x5d6;
export const CSR_GFILL_PC = 0x5d7;
export const CSR_GFILL_TARGET = 0x5d8;
export const CSR_GCACHE_ENTRIES = 0xdc0;
export const CSR_GCALLER = 0xcd0;

export const GATE_CACHE_DEFAULT_ENTRIES = 16;

/** What one gate instruction did: the outcome (0 = done, else a cause) and its effects. */
export class GateEngine {
  /** Cache slots: gate id, caller domain, target satp, entry pc, target domain; valid flags. */
  readonly entries: number;
  private readonly gate: BigUint64Array;
  private readonly dom: BigUint64Array;
  private readonly satp: BigUint64Array;
  private readonly pc: BigUint64Array;
  private readonly target: BigUint64Array;
  private readonly valid: Uint8Array;

  gdom = 0n;
  stackBase = 0n;
  stackTop = 0n;
  stackLimit = 0n;
  fillGate = 0n;
  fillDom = 0n;
  fillSatp = 0n;
  fillPc = 0n;
  fillTarget = 0n;

  // Results of the last execute().
  event = 0;
  recordPa = 0;
  /** Slot the last lookup hit, or -1. */
  hitSlot = -1;
  nextPc = 0n;
  newSatp = 0n;
  trapTval = 0n;

  constructor(private readonly mem: PhysMem, entries = GATE_CACHE_DEFAULT_ENTRIES) {
    if (!Number.isInteger(entries) || entries < 1 || entries > 4096) throw new RangeError(`gate cache entries must be 1..4096 (got ${entries})`);
    this.entries = entries;
    this.gate = new BigUint64Array(entries);
    this.dom = new BigUint64Array(entries);
    this.satp = new BigUint64Array(entries);
    this.pc = new BigUint64Array(entries);
    this.target = new BigUint64Array(entries);
    this.valid = new Uint8Array(entries);
  }

  /** Slot holding gate `id` for domain `dom` (the lowest such slot), or -1. */
  lookup(id: bigint, dom: bigint): number {
    for (let i = 0; i < this.entries; i++) if (this.valid[i] !== 0 && this.gate[i] === id && this.dom[i] === dom) return i;
    return -1;
  }

  /** Whether slot i is valid, and its fields (for tests and the debugger). */
  slot(i: number): { valid: boolean; gate: bigint; dom: bigint; satp: bigint; pc: bigint; target: bigint } {
    return { valid: this.valid[i] !== 0, gate: this.gate[i], dom: this.dom[i], satp: this.satp[i], pc: this.pc[i], target: this.target[i] };
  }

  /** gcall: x = gate id, pc = the gcall's pc. Returns 0 or the cause raised (nothing changed then). */
  gcall(id: bigint, pc: bigint): number {
    this.event = GATE_EV_LOOKUP;
    this.trapTval = id;
    const s = this.lookup(id, this.gdom);
    this.hitSlot = s;
    if (s < 0) return CAUSE_GATE_MISS;
    const top = this.stackTop;
    if (top + BigInt(GATE_RECORD_BYTES) > this.stackLimit || top < this.stackBase) return CAUSE_GATE_STACK;
    if (!this.mem.isRam(top, GATE_RECORD_BYTES)) {
      this.trapTval = top;
      return CAUSE_STORE_ACCESS;
    }
    const pa = Number(top);
    this.mem.write64(pa, this.mem.satp());
    this.mem.write64(pa + 8, BigInt.asUintN(64, pc + 4n));
    this.mem.write64(pa + 16, this.gdom);
    this.mem.write64(pa + 24, 1n);
    this.event |= GATE_EV_PUSH | MECH_EV_SATP_SWITCH;
    this.recordPa = pa;
    this.stackTop = top + BigInt(GATE_RECORD_BYTES);
    this.gdom = this.target[s];
    this.newSatp = this.satp[s];
    this.nextPc = this.pc[s];
    return 0;
  }

  /** gret: pop the top record. Returns 0 or the cause raised (nothing changed then). */
  gret(): number {
    this.event = GATE_EV_POP;
    this.trapTval = 0n;
    const top = this.stackTop - BigInt(GATE_RECORD_BYTES);
    if (this.stackTop <= this.stackBase || top < this.stackBase) return CAUSE_GATE_STACK;
    if (!this.mem.isRam(top, GATE_RECORD_BYTES)) {
      this.trapTval = top;
      return CAUSE_LOAD_ACCESS;
    }
    const pa = Number(top);
    this.recordPa = pa;
    if ((this.mem.read64(pa + 24) & 1n) === 0n) return CAUSE_GATE_STACK;
    this.newSatp = this.mem.read64(pa);
    this.nextPc = this.mem.read64(pa + 8);
    this.gdom = this.mem.read64(pa + 16);
    this.mem.write64(pa + 24, 0n);
    this.stackTop = top;
    this.event |= MECH_EV_SATP_SWITCH;
    return 0;
  }

  /** gfill: install the staged entry (gfill_* CSRs) in slot x. False when x is not a slot. */
  gfill(slot: bigint): boolean {
    if (slot < 0n || slot >= BigInt(this.entries)) return false;
    const i = Number(slot);
    this.gate[i] = this.fillGate;
    this.dom[i] = this.fillDom;
    this.satp[i] = this.fillSatp;
    this.pc[i] = this.fillPc;
    this.target[i] = this.fillTarget;
    this.valid[i] = 1;
    this.event = GATE_EV_FILL;
    return true;
  }

  /** gflush: invalidate every slot naming domain d as caller or target; d = 0 invalidates all. */
  gflush(d: bigint): void {
    for (let i = 0; i < this.entries; i++) if (d === 0n || this.dom[i] === d || this.target[i] === d) this.valid[i] = 0;
    this.event = GATE_EV_FLUSH;
  }

  /** gcaller: the caller domain of the record on top of the return stack, 0 when none is valid. */
  caller(): bigint {
    const top = this.stackTop - BigInt(GATE_RECORD_BYTES);
    if (this.stackTop <= this.stackBase || top < this.stackBase || !this.mem.isRam(top, GATE_RECORD_BYTES)) return 0n;
    const pa = Number(top);
    return (this.mem.read64(pa + 24) & 1n) !== 0n ? this.mem.read64(pa + 16) : 0n;
  }

  readCsr(n: number): bigint | undefined {
    switch (n) {
      case CSR_GDOM: return this.gdom;
      case CSR_GSTACK_BASE: return this.stackBase;
      case CSR_GSTACK_TOP: return this.stackTop;
      case CSR_GSTACK_LIMIT: return this.stackLimit;
      case CSR_GFILL_GATE: return this.fillGate;
      case CSR_GFILL_DOM: return this.fillDom;
      case CSR_GFILL_SATP: return this.fillSatp;
      case CSR_GFILL_PC: return this.fillPc;
      case CSR_GFILL_TARGET: return this.fillTarget;
      case CSR_GCACHE_ENTRIES: return BigInt(this.entries);
      case CSR_GCALLER: return this.caller();
      default: return undefined;
    }
  }

  /** False for a CSR the gate extension does not have (or a read-only one). */
  writeCsr(n: number, v: bigint): boolean {
    switch (n) {
      case CSR_GDOM: this.gdom = v; return true;
      case CSR_GSTACK_BASE: this.stackBase = v; return true;
      case CSR_GSTACK_TOP: this.stackTop = v; return true;
      case CSR_GSTACK_LIMIT: this.stackLimit = v; return true;
      case CSR_GFILL_GATE: this.fillGate = v; return true;
      case CSR_GFILL_DOM: this.fillDom = v; return true;
      case CSR_GFILL_SATP: this.fillSatp = v; return true;
      case CSR_GFILL_PC: this.fillPc = v; return true;
      case CSR_GFILL_TARGET: this.fillTarget = v; return true;
      default: return false;
    }
  }
}
