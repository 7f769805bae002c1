// The hart's state: everything the CSR file, the MMU, the trap path and the interpreter (and a future
// translation tier) read and write, in one class so every layer sees one object of one shape.
//
// The hart is built in layers, one file each along the lines the privileged spec draws, each class
// extending the one below (only `Hart` is ever instantiated, so every property access stays monomorphic
// and no call goes through an extra object):
//   hart-state.ts  HartState   registers, CSR fields, counters and time, privilege, TLB arrays
//   bus.ts         HartBus     physical memory map: RAM, boot ROM, devices (devices/), code watch
//   mmu.ts         HartMmu     Sv39 translation and page walk (§4.3), PMP through pmp.ts (§3.7)
//   access.ts      HartAccess  slow-path loads and stores, LR/SC and AMOs (unprivileged spec, A)
//   traps.ts       HartTraps   exceptions, interrupts, xRET (§3.1.6.1, §3.1.9, §3.3)
//   csr.ts         HartCsrs    the CSR file: reads, WARL writes, CSR instructions (§2, §3.1, §4.1)
//   hart.ts        Hart        fetch and decode, the decoded-instruction cache, wide arithmetic
// All integer registers, the hot CSRs, the TLBs and guest RAM live in one WebAssembly.Memory (layout.ts).

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import type { CommitRecord, RunResult } from './types.js';
import { Clint } from './devices/clint.js';
import { Pmp } from './pmp.js';
import type { XpcHook } from './xpc-hook.js';

/**
 * The commit record the observed loop hands the hart: the memory value is stored as 32-bit halves
 * (memValue is derived from memLo/memHi/memSize when an observer reads it), so a load or store does not
 * build a bigint per instruction.
 */
export interface ObservedRecord extends CommitRecord {
  memLo: number;
  memHi: number;
  frd: number;
  frdLo: number;
  frdHi: number;
  rdLo: number;
  rdHi: number;
}

// ---- physical memory map (docs/machine.md) ----
export const RAM_BASE = 0x80000000;
export const ROM_BASE = 0x1000;
export const ROM_SIZE = 0x1000;

export const TWO32 = 4294967296;
/** 2^-32: splitting a Number into 32-bit words multiplies (exactly) instead of dividing. */
export const INV_TWO32 = 1 / TWO32;
/** Int32 index of the hot-CSR slots. */
export const CSR_BASE = L.CSR_OFF >> 2;

/** Page-flag bits (per 4 KiB of the memory): stores must take the slow path. */
export const PF_CODE = 1;
export const PF_HTIF = 2;

/** The TLB tag no address produces (every real tag is an integer). */
export const NO_TAG = 0x40000000; // in tlbTagHi: no address has this upper word in a TLB entry

/**
 * Decoded-instruction cache for one 4 KiB page of guest memory. For the instruction at byte offset o
 * (even): w[o] = opcode | packed fields << 7 (0: not decoded yet), w[o + 1] = immediate; id[o / 2] =
 * the InstrDef id. One array keeps an instruction's two words on one cache line.
 */
export class DecodedPage {
  readonly w = new Int32Array(4096);
  readonly id = new Int16Array(2048);
}

/**
 * The fetch page of a page PMP does not let the current privilege execute whole (an entry's bound falls
 * inside it): every slot says OP_CROSS and is never written, so each instruction there is fetched through
 * the full translation and PMP check (Hart.fetchCross), as Spike fetches a page that is not
 * PMP-homogeneous. Without it the decoded-instruction cache would run code an NA4 or TOR entry denies.
 */
export const CHECKED_FETCH_PAGE = new DecodedPage();
CHECKED_FETCH_PAGE.w.fill(D.OP_CROSS);

export interface HartOptions {
  ramBytes: number;
  isa: D.IsaConfig;
  /** Retired instructions per mtime tick. */
  insnsPerTick: number;
  stdout: (bytes: Uint8Array) => void;
  stdin: () => number;
}

const { PRV_M } = C;

export abstract class HartState {
  readonly memory: WebAssembly.Memory;
  readonly m8: Uint8Array;
  readonly m8s: Int8Array;
  readonly m16: Uint16Array;
  readonly m16s: Int16Array;
  readonly m32: Int32Array;
  /** The same memory as binary64 values (the F/D register file: f_i at FREGS_OFF / 8 + i). */
  readonly f64: Float64Array;
  /** TLB tags: bits 31:12 (tlbTagLo) and 63:32 (tlbTagHi) of the virtual address. */
  readonly tlbTagLo: Int32Array;
  readonly tlbTagHi: Int32Array;
  readonly tlbData: Int32Array;
  /**
   * The watched-page write entries (layout.ts WATCH_TLB_OFF): words 4p..4p+2 are privilege p's
   * { tag bits 31:12, tag bits 63:32, page memory offset | offset of the watched doubleword }.
   */
  readonly watchTlb: Int32Array;
  readonly ramBytes: number;
  readonly isa: D.IsaConfig;
  protected readonly stdout: (bytes: Uint8Array) => void;
  protected readonly stdin: () => number;
  /** Decoded-instruction caches per 4 KiB of the memory (bus.ts keeps them coherent with stores). */
  protected readonly decPages: (DecodedPage | undefined)[];
  /** PF_* bits per 4 KiB of the memory. */
  protected readonly pageFlags: Uint8Array;

  // ---- architectural state outside the memory (CSRs; csr.ts gives their read and write rules) ----
  pc = 0x1000;
  priv = PRV_M;
  mstatus = 0;
  mie = 0;
  /** Software-writable pending bits (SSIP, STIP, SEIP); MTIP and MSIP come from the CLINT. */
  mipSw = 0;
  medeleg = 0;
  mideleg = 0;
  // mtvec, stvec, mepc, sepc, mcause, scause, mtval, stval, mscratch, sscratch: slots in the memory
  // (layout.ts, CSR_OFF), with bigint accessors below for everything that is not hot.
  satp = 0n;
  satpMode = 0;
  /** Root page-table physical address (satp.PPN · 4096). */
  satpRoot = 0;
  mcounteren = 0;
  scounteren = 0;
  menvcfg = 0n;
  senvcfg = 0n;
  mcountinhibit = 0;
  readonly pmp = new Pmp();
  misa: bigint;
  /** F/D: accrued exception flags and dynamic rounding mode (fcsr = frm << 5 | fflags). */
  fflags = 0;
  frm = 0;
  /**
   * f registers not written since reset (bit i for f_i). Spike keeps 128-bit f registers that reset to
   * zero, so until written they read as 0 through moves but as improperly NaN-boxed (the canonical NaN)
   * to double-precision arithmetic; rvx copies that so commit logs match (the spec leaves the value open).
   */
  fFresh = -1;

  // ---- counters and time ----
  /** Instructions retired before the current chunk (the chunk's own count is `liveI`). */
  instret = 0;
  cyc = 0;
  liveI = 0;
  /** Instruction slots skipped while waiting in WFI: time passes, nothing retires. */
  idleSteps = 0;
  protected instretAdj = 0;
  protected cycleAdj = 0;
  protected frozenInstret = 0;
  protected frozenCycle = 0;
  readonly insnsPerTick: number;
  /** The CLINT: msip, mtimecmp and the offset of mtime from the instruction-slot clock. */
  readonly clint: Clint;

  // ---- LR/SC ----
  protected resValid = false;
  protected resAddr = 0;

  // ---- exceptions and run control ----
  excCause = 0;
  excTval = 0n;
  traps = 0;
  interrupts = 0;
  tlbMisses = 0;
  tlbFlushes = 0;
  pageWalks = 0;
  halted: RunResult | null = null;
  wfiWaiting = false;
  breakChunk = false;
  /** TLB set offsets (entries) for fetch and for data reads and writes at the current privilege. */
  fBase = 0;
  rBase = 0;
  wBase = 0;
  /** Index in watchTlb of the data privilege's watched-page write entry. */
  wWatch = 0;

  // ---- load results of slow paths ----
  ldLo = 0;
  ldHi = 0;

  // ---- observation ----
  rec: ObservedRecord | null = null;
  observing = false;

  xpc: XpcHook | null = null;
  /** Told about every write to memory holding decoded code (the translation tier drops its blocks). */
  codeObserver: { invalidate(idx: number, len: number): void } | null = null;

  // ---- the current fetch page (hart.ts) ----
  /**
   * Current fetch page: its virtual base, memory offset and decoded-instruction cache. Valid (fpValid)
   * until the fetch translation may change: a privilege change or any TLB flush.
   */
  fpValid = false;
  fpVa = NaN;
  fpMem = 0;
  fpDec: DecodedPage | null = null;
  fetchPaddr = 0;

  constructor(opts: HartOptions) {
    this.ramBytes = opts.ramBytes;
    this.isa = opts.isa;
    this.insnsPerTick = opts.insnsPerTick;
    this.stdout = opts.stdout;
    this.stdin = opts.stdin;
    this.clint = new Clint(opts.insnsPerTick);
    const total = L.RAM_OFF + opts.ramBytes;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536), maximum: Math.ceil(total / 65536) });
    const buf = this.memory.buffer;
    this.m8 = new Uint8Array(buf);
    this.m8s = new Int8Array(buf);
    this.m16 = new Uint16Array(buf);
    this.m16s = new Int16Array(buf);
    this.m32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.tlbTagLo = new Int32Array(buf, L.TLB_TAG_OFF, L.TLB_SETS * L.TLB_ENTRIES);
    this.tlbTagHi = new Int32Array(buf, L.TLB_TAG_OFF + 4 * L.TLB_SETS * L.TLB_ENTRIES, L.TLB_SETS * L.TLB_ENTRIES);
    this.tlbData = new Int32Array(buf, L.TLB_DATA_OFF, L.TLB_SETS * L.TLB_ENTRIES);
    this.tlbTagHi.fill(NO_TAG);
    this.watchTlb = new Int32Array(buf, L.WATCH_TLB_OFF, (L.WATCH_TLB_END - L.WATCH_TLB_OFF) >> 2);
    this.clearWatchTlb();
    this.decPages = new Array(total >>> 12);
    this.pageFlags = new Uint8Array(total >>> 12);
    // misa: MXL = 2 (RV64) in bits 63:62; I, M, A, F, D, C, S, U, B (X is set only once an XPC engine is attached).
    let ext = (1 << 8) | (1 << 18) | (1 << 20);
    if (this.isa.m) ext |= 1 << 12;
    if (this.isa.a) ext |= 1 << 0;
    if (this.isa.c) ext |= 1 << 2;
    if (this.isa.f) ext |= 1 << 5;
    if (this.isa.d) ext |= 1 << 3;
    // B (bit 1) when Zba, Zbb and Zbs are all there, as Spike sets it and the ratified B extension (2024)
    // defines the letter; the 20211203 privileged spec only reserves the bit.
    if (this.isa.zba && this.isa.zbb && this.isa.zbs) ext |= 1 << 1;
    this.misa = (2n << 62n) | BigInt(ext);
    this.updateBases();
  }

  /** Value of a CSR as software would read it, or undefined for a CSR rvx does not have (csr.ts). */
  abstract csrRead(n: number): bigint | undefined;

  /** End the run with this result after the current instruction (HTIF exit, fatal device errors). */
  halt(result: RunResult): void {
    this.halted = result;
    this.breakChunk = true;
  }

  // ================================================================================================
  // Hot CSRs in the memory
  // ================================================================================================

  protected csr64(k: number): bigint {
    const i = CSR_BASE + 2 * k;
    return (BigInt(this.m32[i + 1] >>> 0) << 32n) | BigInt(this.m32[i] >>> 0);
  }

  protected setCsr64(k: number, v: bigint): void {
    const i = CSR_BASE + 2 * k;
    this.m32[i] = Number(BigInt.asIntN(32, v));
    this.m32[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  get mtvec(): bigint { return this.csr64(L.CSR_MTVEC); }
  set mtvec(v: bigint) { this.setCsr64(L.CSR_MTVEC, v); }
  get stvec(): bigint { return this.csr64(L.CSR_STVEC); }
  set stvec(v: bigint) { this.setCsr64(L.CSR_STVEC, v); }
  get mepc(): bigint { return this.csr64(L.CSR_MEPC); }
  set mepc(v: bigint) { this.setCsr64(L.CSR_MEPC, v); }
  get sepc(): bigint { return this.csr64(L.CSR_SEPC); }
  set sepc(v: bigint) { this.setCsr64(L.CSR_SEPC, v); }
  get mcause(): bigint { return this.csr64(L.CSR_MCAUSE); }
  set mcause(v: bigint) { this.setCsr64(L.CSR_MCAUSE, v); }
  get scause(): bigint { return this.csr64(L.CSR_SCAUSE); }
  set scause(v: bigint) { this.setCsr64(L.CSR_SCAUSE, v); }
  get mtval(): bigint { return this.csr64(L.CSR_MTVAL); }
  set mtval(v: bigint) { this.setCsr64(L.CSR_MTVAL, v); }
  get stval(): bigint { return this.csr64(L.CSR_STVAL); }
  set stval(v: bigint) { this.setCsr64(L.CSR_STVAL, v); }
  get mscratch(): bigint { return this.csr64(L.CSR_MSCRATCH); }
  set mscratch(v: bigint) { this.setCsr64(L.CSR_MSCRATCH, v); }
  get sscratch(): bigint { return this.csr64(L.CSR_SSCRATCH); }
  set sscratch(v: bigint) { this.setCsr64(L.CSR_SSCRATCH, v); }

  // ================================================================================================
  // Registers
  // ================================================================================================

  /** Register value as an unsigned 64-bit integer. */
  getReg(i: number): bigint {
    if (i === 0) return 0n;
    return (BigInt(this.m32[2 * i + 1] >>> 0) << 32n) | BigInt(this.m32[2 * i] >>> 0);
  }

  setReg(i: number, v: bigint): void {
    if (i === 0) return;
    this.m32[2 * i] = Number(BigInt.asIntN(32, v));
    this.m32[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  protected setSlot(slot: number, v: bigint): void {
    this.m32[slot] = Number(BigInt.asIntN(32, v));
    this.m32[slot + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  protected slotBig(slot: number): bigint {
    return (BigInt(this.m32[slot + 1]) << 32n) | BigInt(this.m32[slot] >>> 0);
  }

  // ================================================================================================
  // Counters and time
  // ================================================================================================

  /** Instruction slots elapsed (retired + idle): the clock mtime runs on. */
  steps(): number {
    return this.instret + this.liveI + this.idleSteps;
  }

  mtime(): number {
    return this.clint.mtime(this.steps());
  }

  setMtime(v: number): void {
    this.clint.setMtime(v, this.steps());
  }

  get mtimecmp(): bigint {
    return this.clint.mtimecmp;
  }

  setMtimecmp(v: bigint): void {
    this.clint.setMtimecmp(v);
  }

  get msip(): number {
    return this.clint.msip;
  }

  /** Instruction slots from now until mtime >= mtimecmp (0 if already there, Infinity if never). */
  stepsUntilTimer(): number {
    return this.clint.stepsUntilTimer(this.steps());
  }

  minstret(): number {
    return (this.mcountinhibit & 4) !== 0 ? this.frozenInstret : this.instret + this.liveI + this.instretAdj;
  }

  mcycle(): number {
    return (this.mcountinhibit & 1) !== 0 ? this.frozenCycle : this.cyc + this.liveI + this.cycleAdj;
  }

  /** Current mip: software bits plus the CLINT's MSIP and MTIP. */
  mip(): number {
    let v = this.mipSw;
    if (this.clint.msip & 1) v |= C.MIP_MSIP;
    if (this.clint.timerPending(this.steps())) v |= C.MIP_MTIP;
    return v;
  }

  // ================================================================================================
  // Privilege, TLB
  // ================================================================================================

  /** Privilege that data accesses use: MPP when MPRV is set in M-mode (privileged spec §3.1.6.3). */
  dataPriv(): number {
    if (this.priv === PRV_M && (this.mstatus & C.MSTATUS_MPRV) !== 0) return (this.mstatus >>> C.MSTATUS_MPP_SHIFT) & 3;
    return this.priv;
  }

  protected updateBases(): void {
    const dp = this.dataPriv();
    this.fBase = (L.KIND_FETCH * 4 + this.priv) * L.TLB_ENTRIES;
    this.rBase = (L.KIND_READ * 4 + dp) * L.TLB_ENTRIES;
    this.wBase = (L.KIND_WRITE * 4 + dp) * L.TLB_ENTRIES;
    this.wWatch = dp * 4;
  }

  setPriv(p: number): void {
    this.priv = p;
    this.fpValid = false;
    this.updateBases();
  }

  flushTlb(): void {
    this.tlbTagHi.fill(NO_TAG);
    this.clearWatchTlb();
    this.tlbFlushes++;
    this.fpValid = false;
  }

  protected clearWatchTlb(): void {
    for (let e = 1; e < this.watchTlb.length; e += 4) this.watchTlb[e] = NO_TAG;
  }

  // ================================================================================================
  // Exceptions: the slow paths record cause and tval; traps.ts takes them
  // ================================================================================================

  raise(cause: number, tval: bigint): void {
    this.excCause = cause;
    this.excTval = tval;
  }

  protected raiseVa(cause: number, lo: number, hi: number): void {
    this.excCause = cause;
    this.excTval = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
  }
}
