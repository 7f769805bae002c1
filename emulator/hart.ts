// The RV64IMAC hart: state, the interpreter loop, CSRs, traps, Sv39 and the physical bus.
//
// All architectural integer state and guest RAM live in one WebAssembly.Memory (layout.ts); the
// interpreter works on 32-bit halves (Int32Array views) and uses BigInt only for rare operations
// (mulh*, wide division, CSR values). Instructions are decoded once per physical address into a
// decoded-instruction cache (one DecodedPage per 4 KiB of guest memory); data accesses go through
// direct-mapped TLBs per access kind and privilege. Interrupts are checked between chunks of
// instructions whose length never passes the next timer event (run() in machine.ts drives the chunks).

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import type { CommitRecord, RunResult } from './types.js';
import { MEM_AMO, MEM_LOAD, MEM_STORE, XLATE_DATA, XLATE_FETCH } from './types.js';

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
import { Uart16550, UART_BASE, UART_SIZE } from './uart.js';
import { isXpcCsr, type XpcHook } from './xpc-hook.js';

const { PRV_M, PRV_S, PRV_U } = C;
const KIND_READ = L.KIND_READ;
const KIND_WRITE = L.KIND_WRITE;
const KIND_FETCH = L.KIND_FETCH;

export const RAM_BASE = 0x80000000;
export const ROM_BASE = 0x1000;
export const ROM_SIZE = 0x1000;
export const CLINT_BASE = 0x02000000;
export const CLINT_SIZE = 0x10000;
const TWO32 = 4294967296;
/** 2^-32: splitting a Number into 32-bit words multiplies (exactly) instead of dividing. */
const INV_TWO32 = 1 / TWO32;
/** Int32 index of the hot-CSR slots. */
const CSR_BASE = L.CSR_OFF >> 2;
/** CSR number → hot slot (layout.ts), or -1: CSR instructions on these need no BigInt. */
const HOT_SLOT = new Int8Array(4096).fill(-1);
HOT_SLOT[0x340] = L.CSR_MSCRATCH;
HOT_SLOT[0x140] = L.CSR_SSCRATCH;
HOT_SLOT[0x341] = L.CSR_MEPC;
HOT_SLOT[0x141] = L.CSR_SEPC;
HOT_SLOT[0x342] = L.CSR_MCAUSE;
HOT_SLOT[0x142] = L.CSR_SCAUSE;
HOT_SLOT[0x343] = L.CSR_MTVAL;
HOT_SLOT[0x143] = L.CSR_STVAL;
HOT_SLOT[0x305] = L.CSR_MTVEC;
HOT_SLOT[0x105] = L.CSR_STVEC;

/** Page-flag bits (per 4 KiB of the memory): stores must take the slow path. */
const PF_CODE = 1;
const PF_HTIF = 2;

/** Consecutive traps without a retired instruction after which run() stops with 'trap-loop'. */
const TRAP_LOOP_LIMIT = 64;

/**
 * Decoded-instruction cache for one 4 KiB page of guest memory. For the instruction at byte offset o
 * (even): w[o] = opcode | packed fields << 7 (0: not decoded yet), w[o + 1] = immediate; id[o / 2] =
 * the InstrDef id. One array keeps an instruction's two words on one cache line.
 */
export class DecodedPage {
  readonly w = new Int32Array(4096);
  readonly id = new Int16Array(2048);
}

export interface HartOptions {
  ramBytes: number;
  isa: D.IsaConfig;
  /** Retired instructions per mtime tick. */
  insnsPerTick: number;
  stdout: (bytes: Uint8Array) => void;
  stdin: () => number;
}

/** The TLB tag no address produces (every real tag is an integer). */
const NO_TAG = 0x40000000; // in tlbTagHi: no address has this upper word in a TLB entry

/** medeleg bits of the XPC exceptions (causes 24–28, docs/xpc.md §6), writable once the engine is attached. */
const XPC_CAUSES = 0x1f << 24;

export class Hart {
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
  readonly ramBytes: number;
  readonly isa: D.IsaConfig;
  readonly uart: Uart16550;
  private readonly stdout: (bytes: Uint8Array) => void;
  private readonly stdin: () => number;
  private readonly decPages: (DecodedPage | undefined)[];
  private readonly pageFlags: Uint8Array;

  // ---- architectural state outside the memory (CSRs) ----
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
  readonly pmpcfg = new Uint8Array(16);
  readonly pmpaddr = new Array<bigint>(16).fill(0n);
  private readonly pmpLo = new Float64Array(16);
  private readonly pmpHi = new Float64Array(16);
  private pmpActive = false;
  private pmpLocked = false;
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
  private instretAdj = 0;
  private cycleAdj = 0;
  private frozenInstret = 0;
  private frozenCycle = 0;
  readonly insnsPerTick: number;
  private mtimeAdj = 0;
  mtimecmp = 0xffffffffffffffffn;
  private mtimecmpNum = Infinity;
  msip = 0;

  // ---- LR/SC ----
  private resValid = false;
  private resAddr = 0;

  // ---- exceptions and run control ----
  excCause = 0;
  excTval = 0n;
  private trapStreak = 0;
  private lastTrapRetired = -1;
  /** The first trap of the current streak (described only if the streak becomes a trap loop). */
  private firstTrapCause = 0;
  private firstTrapIrq = false;
  private firstTrapTval = 0n;
  private firstTrapEpc = 0;
  private firstTrapEpcBig: bigint | undefined = undefined;
  private firstTrapPriv = 0;
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

  // ---- load results of slow paths ----
  ldLo = 0;
  ldHi = 0;

  // ---- HTIF ----
  tohost = -1;
  fromhost = -1;

  // ---- observation ----
  rec: ObservedRecord | null = null;
  observing = false;

  xpc: XpcHook | null = null;

  private readonly scratch: D.DecodedSlot = { op: 0, f: 0, imm: 0, id: -1 };

  constructor(opts: HartOptions) {
    this.ramBytes = opts.ramBytes;
    this.isa = opts.isa;
    this.insnsPerTick = opts.insnsPerTick;
    this.stdout = opts.stdout;
    this.stdin = opts.stdin;
    this.uart = new Uart16550(opts.stdout, opts.stdin);
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
    this.decPages = new Array(total >>> 12);
    this.pageFlags = new Uint8Array(total >>> 12);
    // misa: MXL = 2 (RV64) in bits 63:62; I, M, A, C, S, U (X is set only once an XPC engine is attached).
    let ext = (1 << 8) | (1 << 18) | (1 << 20);
    if (this.isa.m) ext |= 1 << 12;
    if (this.isa.a) ext |= 1 << 0;
    if (this.isa.c) ext |= 1 << 2;
    if (this.isa.f) ext |= 1 << 5;
    if (this.isa.d) ext |= 1 << 3;
    this.misa = (2n << 62n) | BigInt(ext);
    this.updateBases();
  }

  /** Attach the XPC engine: misa.X is set and XPC encodings and CSRs go to it. */
  attachXpc(hook: XpcHook): void {
    this.xpc = hook;
    this.misa |= 1n << 23n;
  }

  private csr64(k: number): bigint {
    const i = CSR_BASE + 2 * k;
    return (BigInt(this.m32[i + 1] >>> 0) << 32n) | BigInt(this.m32[i] >>> 0);
  }

  private setCsr64(k: number, v: bigint): void {
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

  private setSlot(slot: number, v: bigint): void {
    this.m32[slot] = Number(BigInt.asIntN(32, v));
    this.m32[slot + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  private slotBig(slot: number): bigint {
    return (BigInt(this.m32[slot + 1]) << 32n) | BigInt(this.m32[slot] >>> 0);
  }

  // ================================================================================================
  // Counters and time
  // ================================================================================================

  /** Instruction slots elapsed (retired + idle): the clock mtime runs on. */
  private steps(): number {
    return this.instret + this.liveI + this.idleSteps;
  }

  mtime(): number {
    return Math.floor(this.steps() / this.insnsPerTick) + this.mtimeAdj;
  }

  setMtime(v: number): void {
    this.mtimeAdj = v - Math.floor(this.steps() / this.insnsPerTick);
  }

  setMtimecmp(v: bigint): void {
    this.mtimecmp = BigInt.asUintN(64, v);
    this.mtimecmpNum = this.mtimecmp > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(this.mtimecmp);
  }

  /** Instruction slots from now until mtime >= mtimecmp (0 if already there, Infinity if never). */
  stepsUntilTimer(): number {
    if (this.mtimecmpNum === Infinity) return Infinity;
    const target = (this.mtimecmpNum - this.mtimeAdj) * this.insnsPerTick;
    const d = target - this.steps();
    return d > 0 ? d : 0;
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
    if (this.msip & 1) v |= C.MIP_MSIP;
    if (this.mtimecmpNum !== Infinity && this.mtime() >= this.mtimecmpNum) v |= C.MIP_MTIP;
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

  private updateBases(): void {
    const dp = this.dataPriv();
    this.fBase = (KIND_FETCH * 4 + this.priv) * L.TLB_ENTRIES;
    this.rBase = (KIND_READ * 4 + dp) * L.TLB_ENTRIES;
    this.wBase = (KIND_WRITE * 4 + dp) * L.TLB_ENTRIES;
  }

  setPriv(p: number): void {
    this.priv = p;
    this.fpValid = false;
    this.updateBases();
  }

  flushTlb(): void {
    this.tlbTagHi.fill(NO_TAG);
    this.tlbFlushes++;
    this.fpValid = false;
  }

  // ================================================================================================
  // Physical bus
  // ================================================================================================

  /** Byte offset in the memory of [pa, pa+size) when it lies in RAM or the boot ROM, else -1. */
  memIndex(pa: number, size: number): number {
    if (pa >= RAM_BASE && pa + size <= RAM_BASE + this.ramBytes) return L.RAM_OFF + (pa - RAM_BASE);
    if (pa >= ROM_BASE && pa + size <= ROM_BASE + ROM_SIZE) return L.ROM_OFF + (pa - ROM_BASE);
    return -1;
  }

  /** Guest physical address of a memory offset inside RAM or the boot ROM. */
  physOf(idx: number): number {
    return idx >= L.RAM_OFF ? RAM_BASE + (idx - L.RAM_OFF) : ROM_BASE + (idx - L.ROM_OFF);
  }

  private isRom(idx: number): boolean {
    return idx >= L.ROM_OFF && idx < L.ROM_OFF + ROM_SIZE;
  }

  /** MMIO read of a naturally aligned access; false when nothing answers (access fault). */
  private mmioRead(pa: number, size: number): boolean {
    if (pa >= CLINT_BASE && pa < CLINT_BASE + CLINT_SIZE) {
      const off = pa - CLINT_BASE;
      if (size !== 4 && size !== 8) return false;
      let v: bigint;
      // One hart: msip at +0 (4 bytes), mtimecmp at +0x4000, mtime at +0xbff8; anything else in the
      // CLINT faults, as on Spike.
      if (off === 0 && size === 4) v = BigInt(this.msip);
      else if (off >= 0x4000 && off + size <= 0x4008) v = this.mtimecmp >> BigInt((off - 0x4000) * 8);
      else if (off >= 0xbff8 && off + size <= 0xc000) v = BigInt(this.mtime()) >> BigInt((off - 0xbff8) * 8);
      else return false;
      this.ldLo = Number(BigInt.asIntN(32, v));
      this.ldHi = size === 8 ? Number(BigInt.asIntN(32, v >> 32n)) : 0;
      return true;
    }
    if (pa >= UART_BASE && pa < UART_BASE + UART_SIZE) {
      if (size !== 1) return false;
      this.ldLo = this.uart.read(pa - UART_BASE);
      this.ldHi = 0;
      return true;
    }
    return false;
  }

  private mmioWrite(pa: number, size: number, lo: number, hi: number): boolean {
    if (pa >= CLINT_BASE && pa < CLINT_BASE + CLINT_SIZE) {
      const off = pa - CLINT_BASE;
      if (size !== 4 && size !== 8) return false;
      const val = size === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
      if (off === 0 && size === 4) this.msip = lo & 1;
      else if (off >= 0x4000 && off + size <= 0x4008) {
        const shift = BigInt((off - 0x4000) * 8);
        const mask = (size === 8 ? 0xffffffffffffffffn : 0xffffffffn) << shift;
        this.setMtimecmp((this.mtimecmp & ~mask) | ((val << shift) & mask));
      } else if (off >= 0xbff8 && off + size <= 0xc000) {
        const shift = BigInt((off - 0xbff8) * 8);
        const mask = (size === 8 ? 0xffffffffffffffffn : 0xffffffffn) << shift;
        const cur = BigInt(this.mtime());
        this.setMtime(Number(BigInt.asUintN(53, (cur & ~mask) | ((val << shift) & mask))));
      } else return false;
      this.breakChunk = true; // timer or software interrupt state may have changed
      return true;
    }
    if (pa >= UART_BASE && pa < UART_BASE + UART_SIZE) {
      if (size !== 1) return false;
      this.uart.write(pa - UART_BASE, lo);
      return true;
    }
    return false;
  }

  /** Host write into guest physical memory (RAM/ROM), keeping the decoded-instruction cache coherent. */
  writePhysBytes(pa: number, bytes: Uint8Array): boolean {
    const idx = this.memIndex(pa, bytes.length);
    if (idx < 0) return false;
    this.m8.set(bytes, idx);
    this.invalidateCode(idx, bytes.length);
    return true;
  }

  /** Drop decoded instructions overlapping memory bytes [idx, idx+len). */
  invalidateCode(idx: number, len: number): void {
    for (let p = idx >>> 12; p <= (idx + len - 1) >>> 12; p++) {
      const page = this.decPages[p];
      if (!page) continue;
      const pageStart = p * 4096;
      const from = Math.max(idx - 2, pageStart) - pageStart;
      const to = Math.min(idx + len, pageStart + 4096) - pageStart;
      page.w.fill(D.OP_UNDECODED, from & ~1, (to + 1) & ~1);
    }
  }

  private storeWatched(idx: number, size: number): void {
    const flags = this.pageFlags[idx >>> 12];
    if (flags & PF_CODE) this.invalidateCode(idx, size);
    if (flags & PF_HTIF) this.checkHtif(idx, size);
  }

  // ================================================================================================
  // HTIF (Spike's host-target interface, through the tohost/fromhost words of the program)
  // ================================================================================================

  armHtif(tohost: number | undefined, fromhost: number | undefined): void {
    this.tohost = -1;
    this.fromhost = -1;
    if (tohost !== undefined) {
      const idx = this.memIndex(tohost, 8);
      if (idx >= 0) {
        this.tohost = idx;
        this.pageFlags[idx >>> 12] |= PF_HTIF;
      }
    }
    if (fromhost !== undefined) {
      const idx = this.memIndex(fromhost, 8);
      if (idx >= 0) this.fromhost = idx;
    }
    this.purgeWriteTlb();
  }

  private read64(idx: number): bigint {
    return (BigInt(this.m32[(idx >> 2) + 1]) << 32n) | BigInt(this.m32[idx >> 2] >>> 0);
  }

  private write64(idx: number, v: bigint): void {
    this.m32[idx >> 2] = Number(BigInt.asIntN(32, v));
    this.m32[(idx >> 2) + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  private physIdx64(pa: bigint): number {
    if (pa < 0n || pa > 0xffffffffn) return -1;
    const idx = this.memIndex(Number(pa), 8);
    return idx >= 0 && (idx & 7) === 0 ? idx : -1;
  }

  private checkHtif(idx: number, size: number): void {
    const t = this.tohost;
    if (t < 0 || idx + size <= t || idx >= t + 8) return;
    const v = this.read64(t);
    if (v === 0n) return;
    this.write64(t, 0n); // the host takes the request
    const dev = Number(v >> 56n);
    const cmd = Number((v >> 48n) & 0xffn);
    const payload = v & 0xffffffffffffn;
    if (dev === 0 && cmd === 0) {
      if (payload & 1n) {
        this.halted = { reason: 'exit', code: Number(payload >> 1n) };
        this.breakChunk = true;
        return;
      }
      this.syscall(payload);
      return;
    }
    if (dev === 1 && cmd === 1) {
      this.stdout(Uint8Array.of(Number(payload & 0xffn)));
      this.respond((1n << 56n) | (1n << 48n) | 0x100n | (payload & 0xffn));
      return;
    }
    if (dev === 1 && cmd === 0) {
      const ch = this.uartInput();
      if (ch >= 0) this.respond((1n << 56n) | 0x100n | BigInt(ch & 0xff));
      return;
    }
    // Unknown device or command: taken and ignored, as Spike ignores devices it does not have.
  }

  private uartInput(): number {
    return this.stdin();
  }

  private respond(v: bigint): void {
    if (this.fromhost >= 0) this.write64(this.fromhost, v);
  }

  /** Spike's syscall proxy: magic_mem = {which, arg0, arg1, arg2, ...}; result to magic_mem[0]. */
  private syscall(addr: bigint): void {
    const base = this.physIdx64(addr);
    if (base < 0) {
      this.halted = { reason: 'fatal', message: `HTIF: syscall block at 0x${addr.toString(16)} is not in RAM` };
      this.breakChunk = true;
      return;
    }
    const which = this.read64(base);
    const a0 = this.read64(base + 8);
    const a1 = this.read64(base + 16);
    const a2 = this.read64(base + 24);
    let ret: bigint;
    if (which === 93n) {
      this.halted = { reason: 'exit', code: Number(BigInt.asIntN(32, a0)) };
      this.breakChunk = true;
      return;
    } else if (which === 64n) {
      if (a0 !== 1n && a0 !== 2n) ret = -9n; // EBADF
      else if (a2 > 0xffffffffn || a1 > 0xffffffffn) ret = -14n; // EFAULT
      else {
        const idx = this.memIndex(Number(a1), Number(a2));
        if (idx < 0) ret = -14n;
        else {
          this.stdout(this.m8.slice(idx, idx + Number(a2)));
          ret = a2;
        }
      }
    } else ret = -38n; // ENOSYS
    this.write64(base, BigInt.asUintN(64, ret));
    this.respond(1n);
  }

  // ================================================================================================
  // Address translation (privileged spec §4.3.2 for Sv39) and PMP (§3.7)
  // ================================================================================================

  private faultCause(kind: number, page: boolean): number {
    if (kind === KIND_FETCH) return page ? C.CAUSE_FETCH_PAGE_FAULT : C.CAUSE_FETCH_ACCESS;
    if (kind === KIND_READ) return page ? C.CAUSE_LOAD_PAGE_FAULT : C.CAUSE_LOAD_ACCESS;
    return page ? C.CAUSE_STORE_PAGE_FAULT : C.CAUSE_STORE_ACCESS;
  }

  raise(cause: number, tval: bigint): void {
    this.excCause = cause;
    this.excTval = tval;
  }

  private raiseVa(cause: number, lo: number, hi: number): void {
    this.excCause = cause;
    this.excTval = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
  }

  /** Memory-page PTE read/write helpers for the walker. Returns -1 if the PTE is not in RAM. */
  private pteIndex(pa: number): number {
    if (pa >= RAM_BASE && pa + 8 <= RAM_BASE + this.ramBytes) return L.RAM_OFF + (pa - RAM_BASE);
    return -1;
  }

  /**
   * Translate the virtual address (lo, hi) for an access of `size` bytes of `kind`. Returns the
   * physical address, or -1 with the exception recorded (excCause/excTval). Fills the TLB for RAM/ROM
   * pages whose whole 4 KiB passes PMP (write entries only for dirty, unwatched pages).
   */
  translate(lo: number, hi: number, kind: number, size: number): number {
    const p = kind === KIND_FETCH ? this.priv : this.dataPriv();
    // The TLB first: slow-path accesses (misaligned, devices, observed runs) that hit need no walk.
    // An entry exists only after every check passed for the whole page, so a hit is a permission.
    const vpl0 = lo >>> 12;
    const t0 = (kind * 4 + p) * L.TLB_ENTRIES + (vpl0 & (L.TLB_ENTRIES - 1));
    if (this.tlbTagLo[t0] === vpl0 && this.tlbTagHi[t0] === hi) return this.physOf(this.tlbData[t0]) + (lo & 0xfff);
    this.tlbMisses++;
    let pa: number;
    let dirty = true;
    let fillTlb = true;
    if (p === PRV_M || this.satpMode === C.SATP_MODE_BARE) {
      // Bare: the physical address is the address; there is nothing above 4 GiB on this bus.
      if (hi !== 0) {
        this.raiseVa(this.faultCause(kind, false), lo, hi);
        return -1;
      }
      pa = lo >>> 0;
    } else {
      if (this.xpc !== null && this.xpc.segmentActive && kind !== KIND_FETCH) {
        const r = this.xpc.translateData(this, lo, hi, kind === KIND_WRITE, size);
        if (r === -2) return -1;
        if (r === -3) fillTlb = false; // the relay segment shares this page: never cache it (docs/xpc.md §4)
        if (r >= 0) {
          if (!this.pmpOk(r, size, kind, p)) {
            this.raiseVa(this.faultCause(kind, false), lo, hi);
            return -1;
          }
          return r; // relay segments are not cached in the TLB
        }
      }
      pa = this.walk(lo, hi, kind, p);
      if (pa < 0) return -1;
      dirty = this.walkDirty;
      if (this.rec !== null) this.rec.xlate |= kind === KIND_FETCH ? XLATE_FETCH : XLATE_DATA;
    }
    if (!this.pmpOk(pa, size, kind, p)) {
      this.raiseVa(this.faultCause(kind, false), lo, hi);
      return -1;
    }
    // TLB fill.
    const pageBase = pa - (pa & 0xfff);
    const idx = this.memIndex(pageBase, 4096);
    if (fillTlb && idx >= 0 && (!this.pmpActive || this.pmpOk(pageBase, 4096, kind, p))) {
      if (kind !== KIND_WRITE || (dirty && this.pageFlags[idx >>> 12] === 0 && !this.isRom(idx))) {
        const vpl = lo >>> 12;
        const t = (kind * 4 + p) * L.TLB_ENTRIES + (vpl & (L.TLB_ENTRIES - 1));
        this.tlbTagLo[t] = vpl;
        this.tlbTagHi[t] = hi;
        this.tlbData[t] = idx;
      }
    }
    return pa;
  }

  private walkDirty = false;

  /**
   * Sv39 page-table walk, following the steps of privileged spec §4.3.2 (with LEVELS = 3, PTESIZE = 8).
   * Returns the physical address or -1 with the page or access fault recorded.
   */
  private walk(lo: number, hi: number, kind: number, p: number): number {
    this.pageWalks++;
    // Sv39 requires bits 63:39 of the address to equal bit 38 (§4.4.1); otherwise a page fault.
    const top = hi >> 6;
    if (top !== 0 && top !== -1) {
      this.raiseVa(this.faultCause(kind, true), lo, hi);
      return -1;
    }
    const vpn = [(lo >>> 12) & 0x1ff, (lo >>> 21) & 0x1ff, ((hi & 0x7f) << 2) | (lo >>> 30)];
    // Step 1: a = satp.ppn × PAGESIZE, i = LEVELS − 1.
    let a = this.satpRoot;
    let i = 2;
    for (;;) {
      // Step 2: pte = the PTE at a + va.vpn[i] × PTESIZE; an access fault if that access violates PMA or PMP.
      const pteAddr = a + vpn[i] * 8;
      const idx = this.pteIndex(pteAddr);
      if (this.rec !== null) this.rec.walkLevels++;
      if (idx < 0 || !this.pmpOk(pteAddr, 8, KIND_READ, PRV_S)) {
        this.raiseVa(this.faultCause(kind, false), lo, hi);
        return -1;
      }
      const pteLo = this.m32[idx >> 2];
      const pteHi = this.m32[(idx >> 2) + 1];
      // Step 3: if pte.v = 0, or pte.r = 0 and pte.w = 1, or any reserved bit is set (bits 63:54: N and
      // PBMT included, since Svnapot and Svpbmt are not implemented), stop and raise a page fault.
      if ((pteLo & 1) === 0 || (pteLo & 6) === 4 || pteHi >>> 22 !== 0) {
        this.raiseVa(this.faultCause(kind, true), lo, hi);
        return -1;
      }
      const ppnLo = pteLo >>> 10; // PPN bits 21:0
      const ppnHi = pteHi & 0x3fffff; // PPN bits 43:22
      // Step 4: if pte.r = 1 or pte.x = 1 this is a leaf (step 5); otherwise i = i − 1 and, if i < 0,
      // a page fault; else a = pte.ppn × PAGESIZE and go to step 2.
      if ((pteLo & 0xa) === 0) {
        i--;
        if (i < 0) {
          this.raiseVa(this.faultCause(kind, true), lo, hi);
          return -1;
        }
        a = (ppnHi * 4194304 + ppnLo) * 4096;
        continue;
      }
      // Step 5: the leaf's permissions against the access, given the privilege, SUM and MXR.
      const r = (pteLo & 2) !== 0;
      const w = (pteLo & 4) !== 0;
      const x = (pteLo & 8) !== 0;
      const u = (pteLo & 16) !== 0;
      let ok: boolean;
      if (p === PRV_U) ok = u;
      else ok = !u || (kind !== KIND_FETCH && (this.mstatus & C.MSTATUS_SUM) !== 0);
      if (ok) {
        if (kind === KIND_FETCH) ok = x;
        else if (kind === KIND_READ) ok = r || (x && (this.mstatus & C.MSTATUS_MXR) !== 0);
        else ok = w;
      }
      // Step 6: a misaligned superpage (pte.ppn[i−1:0] ≠ 0 for i > 0) is a page fault.
      if (ok && i > 0) {
        const lowMask = i === 1 ? 0x1ff : 0x3ffff;
        if ((ppnLo & lowMask) !== 0) ok = false;
      }
      if (!ok) {
        this.raiseVa(this.faultCause(kind, true), lo, hi);
        return -1;
      }
      // Step 7: if pte.a = 0, or the access is a store and pte.d = 0: with Svadu enabled
      // (menvcfg.ADUE) set the bits atomically; otherwise (Svade, Spike's default) a page fault.
      const needD = kind === KIND_WRITE;
      if ((pteLo & 0x40) === 0 || (needD && (pteLo & 0x80) === 0)) {
        if ((this.menvcfg & C.MENVCFG_ADUE) === 0n) {
          this.raiseVa(this.faultCause(kind, true), lo, hi);
          return -1;
        }
        if (!this.pmpOk(pteAddr, 8, KIND_WRITE, PRV_S)) {
          this.raiseVa(this.faultCause(kind, false), lo, hi);
          return -1;
        }
        const updated = pteLo | 0x40 | (needD ? 0x80 : 0);
        this.m32[idx >> 2] = updated;
        this.storeWatched(idx, 4);
      }
      this.walkDirty = (this.m32[idx >> 2] & 0x80) !== 0;
      // Step 8: pa.pgoff = va.pgoff; for superpages pa.ppn[i−1:0] = va.vpn[i−1:0]; pa.ppn[2:i] = pte.ppn[2:i].
      let ppnLoEff = ppnLo;
      if (i === 1) ppnLoEff = (ppnLo & ~0x1ff) | vpn[0];
      else if (i === 2) ppnLoEff = (ppnLo & ~0x3ffff) | (vpn[1] << 9) | vpn[0];
      return (ppnHi * 4194304 + (ppnLoEff >>> 0)) * 4096 + (lo & 0xfff);
    }
  }

  /** Physical memory protection check of [pa, pa+size) (privileged spec §3.7.1). */
  private pmpOk(pa: number, size: number, kind: number, p: number): boolean {
    if (!this.pmpActive) return p === PRV_M;
    if (p === PRV_M && !this.pmpLocked) return true;
    const bit = kind === KIND_READ ? 1 : kind === KIND_WRITE ? 2 : 4;
    const end = pa + size;
    for (let i = 0; i < 16; i++) {
      const cfg = this.pmpcfg[i];
      if ((cfg & 0x18) === 0) continue;
      const lo = this.pmpLo[i];
      const hi = this.pmpHi[i];
      if (pa >= lo && end <= hi) {
        if (p === PRV_M && (cfg & 0x80) === 0) return true;
        return (cfg & bit) !== 0;
      }
      if (pa < hi && end > lo) return false; // matches only part of the access
    }
    return p === PRV_M;
  }

  private recomputePmp(): void {
    this.pmpActive = false;
    this.pmpLocked = false;
    for (let i = 0; i < 16; i++) {
      const cfg = this.pmpcfg[i];
      const a = (cfg >> 3) & 3;
      const addr = this.pmpaddr[i];
      let lo = 0n;
      let hi = 0n;
      if (a === 1) {
        lo = i === 0 ? 0n : this.pmpaddr[i - 1] << 2n;
        hi = addr << 2n;
      } else if (a === 2) {
        lo = addr << 2n;
        hi = lo + 4n;
      } else if (a === 3) {
        let t = 0n;
        while (((addr >> t) & 1n) === 1n && t < 54n) t++;
        const sizeBytes = 1n << (t + 3n);
        lo = (addr & ~((1n << (t + 1n)) - 1n)) << 2n;
        hi = lo + sizeBytes;
      }
      if (a !== 0) this.pmpActive = true;
      if (cfg & 0x80) this.pmpLocked = true;
      this.pmpLo[i] = Number(lo);
      this.pmpHi[i] = Number(hi);
    }
  }

  // ================================================================================================
  // Slow-path data access (TLB misses, misaligned, MMIO, watched pages, observation)
  // ================================================================================================

  private recordMem(kind: number, lo: number, hi: number, pa: number, size: number, vlo: number, vhi: number): void {
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

  /** Remove write-TLB entries for pages that have become watched (code or HTIF). */
  private purgeWriteTlb(): void {
    const from = KIND_WRITE * 4 * L.TLB_ENTRIES;
    for (let t = from; t < from + 4 * L.TLB_ENTRIES; t++) {
      if (this.tlbTagHi[t] !== NO_TAG && this.pageFlags[this.tlbData[t] >>> 12] !== 0) this.tlbTagHi[t] = NO_TAG;
    }
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

  // ================================================================================================
  // Traps (privileged spec §3.1.6.1, §3.1.7, §3.1.9, §3.3.1)
  // ================================================================================================

  /** Take the exception recorded in excCause/excTval at this.pc (the instruction does not retire). */
  takeException(): void {
    this.trapInto(this.excCause, false, this.excTval, this.pc);
  }

  /**
   * Enter the trap handler for cause (interrupt when `irq`), with tval and the epc of the trap (a
   * Number pc; epcBig only for an epc no Number can hold).
   */
  trapInto(cause: number, irq: boolean, tval: bigint, epc: number, epcBig?: bigint): void {
    this.traps++;
    if (irq) this.interrupts++;
    const retired = this.instret + this.liveI;
    if (retired === this.lastTrapRetired) {
      this.trapStreak++;
      if (this.trapStreak >= TRAP_LOOP_LIMIT && this.halted === null) {
        const epc0 = this.firstTrapEpcBig ?? BigInt.asUintN(64, BigInt(this.firstTrapEpc));
        const first = this.describeTrap(this.firstTrapCause, this.firstTrapIrq, this.firstTrapTval, epc0, this.firstTrapPriv);
        this.halted = { reason: 'trap-loop', message: `${TRAP_LOOP_LIMIT} traps in a row without retiring an instruction; the first: ${first}` };
        this.breakChunk = true;
      }
    } else {
      this.trapStreak = 1;
      this.lastTrapRetired = retired;
      this.firstTrapCause = cause;
      this.firstTrapIrq = irq;
      this.firstTrapTval = tval;
      this.firstTrapEpc = epc;
      this.firstTrapEpcBig = epcBig;
      this.firstTrapPriv = this.priv;
    }
    this.resValid = false; // the spec allows an xRET or trap to clear the reservation; rvx does (docs)
    const deleg = irq ? this.mideleg : this.medeleg;
    const toS = this.priv <= PRV_S && cause < 32 && ((deleg >>> cause) & 1) !== 0;
    const m32 = this.m32;
    // xepc, xcause, xtval (privileged spec §3.1.14–3.1.16, §4.1.7–4.1.9).
    const e = CSR_BASE + 2 * (toS ? L.CSR_SEPC : L.CSR_MEPC);
    if (epcBig === undefined) {
      m32[e] = (epc | 0) & ~1;
      m32[e + 1] = ((epc - (epc >>> 0)) * INV_TWO32) | 0;
    } else this.setCsr64(toS ? L.CSR_SEPC : L.CSR_MEPC, epcBig & ~1n);
    const c = CSR_BASE + 2 * (toS ? L.CSR_SCAUSE : L.CSR_MCAUSE);
    m32[c] = cause;
    m32[c + 1] = irq ? 0x80000000 | 0 : 0;
    const tv = CSR_BASE + 2 * (toS ? L.CSR_STVAL : L.CSR_MTVAL);
    if (tval === 0n) {
      m32[tv] = 0;
      m32[tv + 1] = 0;
    } else this.setCsr64(toS ? L.CSR_STVAL : L.CSR_MTVAL, tval);
    let s = this.mstatus;
    if (toS) {
      s = (s & ~C.MSTATUS_SPIE) | ((s & C.MSTATUS_SIE) !== 0 ? C.MSTATUS_SPIE : 0);
      s = (s & ~C.MSTATUS_SPP) | (this.priv === PRV_S ? C.MSTATUS_SPP : 0);
      s &= ~C.MSTATUS_SIE;
    } else {
      s = (s & ~C.MSTATUS_MPIE) | ((s & C.MSTATUS_MIE) !== 0 ? C.MSTATUS_MPIE : 0);
      s = (s & ~C.MSTATUS_MPP) | (this.priv << C.MSTATUS_MPP_SHIFT);
      s &= ~C.MSTATUS_MIE;
    }
    this.mstatus = s;
    this.setPriv(toS ? PRV_S : PRV_M);
    // xtvec: BASE, plus 4 × cause for interrupts in vectored mode (§3.1.7).
    const t = CSR_BASE + 2 * (toS ? L.CSR_STVEC : L.CSR_MTVEC);
    const tlo = m32[t];
    let pc = m32[t + 1] * TWO32 + ((tlo & ~3) >>> 0);
    if ((tlo & 3) === 1 && irq) pc += 4 * cause;
    this.pc = pc;
    const rec = this.rec;
    if (rec !== null) {
      rec.trapped = true;
      rec.trapCause = (irq ? 1n << 63n : 0n) | BigInt(cause);
      rec.trapTval = tval;
    }
  }

  describeTrap(cause: number, irq: boolean, tval: bigint, epc: bigint, priv = this.priv): string {
    const names: Record<number, string> = irq
      ? { 1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt', 7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt' }
      : {
          0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction', 3: 'breakpoint',
          4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
          8: 'ecall from U-mode', 9: 'ecall from S-mode', 11: 'ecall from M-mode', 12: 'instruction page fault',
          13: 'load page fault', 15: 'store/AMO page fault',
        };
    const raw = this.peekRaw(Number(BigInt.asIntN(64, epc)));
    const insn = raw === undefined ? 'instruction unreadable' : `0x${(raw >>> 0).toString(16).padStart((raw & 3) === 3 ? 8 : 4, '0')} ${D.describeInstruction(raw, Number(BigInt.asIntN(64, epc)))}`;
    return `${names[cause] ?? `cause ${cause}`} at pc 0x${epc.toString(16)} (${insn}), tval 0x${tval.toString(16)}, mode ${'USHM'[priv]}`;
  }

  /** Instruction bits at a virtual pc as the hart would fetch them now, without side effects. */
  peekRaw(pc: number): number | undefined {
    const pa0 = this.debugTranslate(pc, KIND_FETCH);
    if (pa0 < 0) return undefined;
    const i0 = this.memIndex(pa0, 2);
    if (i0 < 0) return undefined;
    const low = this.m8[i0] | (this.m8[i0 + 1] << 8);
    if ((low & 3) !== 3) return low;
    const pa1 = this.debugTranslate(pc + 2, KIND_FETCH);
    const i1 = pa1 < 0 ? -1 : this.memIndex(pa1, 2);
    if (i1 < 0) return undefined;
    return (low | (this.m8[i1] << 16) | (this.m8[i1 + 1] << 24)) >>> 0;
  }

  /** Translation without side effects or permission checks (for messages and observers). */
  debugTranslate(va: number, kind: number): number {
    const p = kind === KIND_FETCH ? this.priv : this.dataPriv();
    const lo = va | 0;
    const hi = (va - (va >>> 0)) * INV_TWO32;
    if (p === PRV_M || this.satpMode === 0) return hi === 0 ? lo >>> 0 : -1;
    const top = hi >> 6;
    if (top !== 0 && top !== -1) return -1;
    const vpn = [(lo >>> 12) & 0x1ff, (lo >>> 21) & 0x1ff, ((hi & 0x7f) << 2) | (lo >>> 30)];
    let a = this.satpRoot;
    for (let i = 2; i >= 0; i--) {
      const idx = this.pteIndex(a + vpn[i] * 8);
      if (idx < 0) return -1;
      const pteLo = this.m32[idx >> 2];
      const pteHi = this.m32[(idx >> 2) + 1];
      if ((pteLo & 1) === 0) return -1;
      const ppn = (pteHi & 0x3fffff) * 4194304 + (pteLo >>> 10);
      if ((pteLo & 0xa) !== 0) {
        const span = i === 0 ? 4096 : i === 1 ? 2 * 1024 * 1024 : 1024 * 1024 * 1024;
        const base = ppn * 4096;
        const off = (hi * TWO32 + (lo >>> 0)) % span;
        return base - (base % span) + (off < 0 ? off + span : off);
      }
      a = ppn * 4096;
    }
    return -1;
  }

  /** The highest-priority interrupt that is pending and enabled now, or -1 (privileged spec §3.1.9). */
  pendingInterrupt(): number {
    const pend = this.mip() & this.mie;
    if (pend === 0) return -1;
    const mEnabled = this.priv < PRV_M || (this.mstatus & C.MSTATUS_MIE) !== 0;
    const sEnabled = this.priv < PRV_S || (this.priv === PRV_S && (this.mstatus & C.MSTATUS_SIE) !== 0);
    const m = mEnabled ? pend & ~this.mideleg : 0;
    const s = sEnabled ? pend & this.mideleg : 0;
    const bits = m !== 0 ? m : s;
    if (bits === 0) return -1;
    for (const irq of C.IRQ_PRIORITY) if ((bits >>> irq) & 1) return irq;
    return -1;
  }

  takeInterrupt(irq: number): void {
    this.wfiWaiting = false;
    this.trapInto(irq, true, 0n, this.pc);
  }

  /** xepc as a Number pc for xRET (bit 0 zero; bit 1 masked without C). */
  private epcPc(k: number): number {
    const i = CSR_BASE + 2 * k;
    const lo = this.m32[i] & (this.isa.c ? ~1 : ~3);
    return this.m32[i + 1] * TWO32 + (lo >>> 0);
  }

  /** mret (privileged spec §3.3.2). */
  mret(): boolean {
    if (this.priv < PRV_M) return false;
    let s = this.mstatus;
    const mpp = (s >>> C.MSTATUS_MPP_SHIFT) & 3;
    s = (s & ~C.MSTATUS_MIE) | ((s & C.MSTATUS_MPIE) !== 0 ? C.MSTATUS_MIE : 0);
    s |= C.MSTATUS_MPIE;
    s &= ~C.MSTATUS_MPP; // MPP = U, the least-privileged mode
    if (mpp !== PRV_M) s &= ~C.MSTATUS_MPRV; // §3.1.6.1: xRET to a mode below M clears MPRV
    this.mstatus = s;
    this.logMstatusWrite();
    this.resValid = false;
    this.setPriv(mpp);
    this.pc = this.epcPc(L.CSR_MEPC);
    return true;
  }

  sret(): boolean {
    if (this.priv < PRV_S || (this.priv === PRV_S && (this.mstatus & C.MSTATUS_TSR) !== 0)) return false;
    let s = this.mstatus;
    const spp = (s & C.MSTATUS_SPP) !== 0 ? PRV_S : PRV_U;
    s = (s & ~C.MSTATUS_SIE) | ((s & C.MSTATUS_SPIE) !== 0 ? C.MSTATUS_SIE : 0);
    s |= C.MSTATUS_SPIE;
    s &= ~C.MSTATUS_SPP;
    s &= ~C.MSTATUS_MPRV; // sret always returns below M
    this.mstatus = s;
    this.logMstatusWrite();
    this.resValid = false;
    this.setPriv(spp);
    this.pc = this.epcPc(L.CSR_SEPC);
    return true;
  }

  /** Observed runs: xRET's mstatus update is a CSR write of the instruction, as Spike's commit log shows it. */
  private logMstatusWrite(): void {
    const rec = this.rec;
    if (rec === null) return;
    const k = rec.csrWriteCount++;
    rec.csrWriteNum[k] = 0x300;
    rec.csrWriteValue[k] = this.csrRead(0x300)!;
  }

  /** xepc as read: bit 0 zero; bit 1 masked when C is off (privileged spec §3.1.14). */
  private readEpc(v: bigint): bigint {
    return this.isa.c ? v & ~1n : v & ~3n;
  }

  // ================================================================================================
  // CSRs (privileged spec chapter 2 and §3.1, §4.1)
  // ================================================================================================

  /** Value of a CSR as software would read it, or undefined for a CSR rvx does not have. No checks. */
  csrRead(n: number): bigint | undefined {
    if (isXpcCsr(n)) return this.xpc === null ? undefined : this.xpc.csrRead(this, n);
    switch (n) {
      case 0xc00: return BigInt.asUintN(64, BigInt(this.mcycle()));
      case 0xc01: return BigInt(this.mtime());
      case 0xc02: return BigInt.asUintN(64, BigInt(this.minstret()));
      case 0x100: return BigInt(this.mstatus & (C.SSTATUS_WRITABLE | C.MSTATUS_FS)) | C.SSTATUS_XL_BITS | this.statusSd();
      case 0x001: return this.isa.f ? BigInt(this.fflags) : undefined;
      case 0x002: return this.isa.f ? BigInt(this.frm) : undefined;
      case 0x003: return this.isa.f ? BigInt((this.frm << 5) | this.fflags) : undefined;
      case 0x104: return BigInt(this.mie & this.mideleg);
      case 0x105: return this.stvec;
      case 0x106: return BigInt(this.scounteren);
      case 0x10a: return this.senvcfg;
      case 0x140: return this.sscratch;
      case 0x141: return this.readEpc(this.sepc);
      case 0x142: return this.scause;
      case 0x143: return this.stval;
      case 0x144: return BigInt(this.mip() & this.mideleg);
      case 0x180: return this.satp;
      case 0xf11: case 0xf12: case 0xf13: case 0xf14: case 0xf15: return 0n;
      case 0x300: return BigInt(this.mstatus) | C.MSTATUS_XL_BITS | this.statusSd();
      case 0x301: return this.misa;
      case 0x302: return BigInt(this.medeleg);
      case 0x303: return BigInt(this.mideleg);
      case 0x304: return BigInt(this.mie);
      case 0x305: return this.mtvec;
      case 0x306: return BigInt(this.mcounteren);
      case 0x30a: return this.menvcfg;
      case 0x320: return BigInt(this.mcountinhibit);
      case 0x340: return this.mscratch;
      case 0x341: return this.readEpc(this.mepc);
      case 0x342: return this.mcause;
      case 0x343: return this.mtval;
      case 0x344: return BigInt(this.mip());
      case 0xb00: return BigInt.asUintN(64, BigInt(this.mcycle()));
      case 0xb02: return BigInt.asUintN(64, BigInt(this.minstret()));
      case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return 0n; // no triggers: tselect 0, tdata1 type 0
    }
    if (n >= 0xc03 && n <= 0xc1f) return 0n;
    if (n >= 0xb03 && n <= 0xb1f) return 0n;
    if (n >= 0x323 && n <= 0x33f) return 0n;
    if (n >= 0x3a0 && n <= 0x3af) {
      if (n & 1) return undefined; // RV64 has only the even pmpcfg registers
      if (n >= 0x3a4) return 0n;
      let v = 0n;
      const first = (n - 0x3a0) * 4;
      for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(this.pmpcfg[first + k]);
      return v;
    }
    if (n >= 0x3b0 && n <= 0x3ef) return n < 0x3c0 ? this.pmpaddr[n - 0x3b0] : 0n;
    return undefined;
  }

  private pmpEntryLocked(i: number): boolean {
    if (this.pmpcfg[i] & 0x80) return true;
    // A locked TOR entry also locks the address register below it (§3.7.1).
    return i + 1 < 16 && (this.pmpcfg[i + 1] & 0x80) !== 0 && ((this.pmpcfg[i + 1] >> 3) & 3) === 1;
  }

  /** Write a CSR (WARL rules applied). False when the write is illegal. */
  csrWrite(n: number, v: bigint): boolean {
    if (isXpcCsr(n)) return this.xpc !== null && this.xpc.csrWrite(this, n, v);
    const lo = Number(v & 0xffffffffn);
    switch (n) {
      case 0x100:
        const w = C.SSTATUS_WRITABLE | (this.isa.f ? C.MSTATUS_FS : 0);
        this.writeMstatus((this.mstatus & ~w) | (lo & w));
        break;
      case 0x104:
        this.mie = (this.mie & ~this.mideleg) | (lo & this.mideleg);
        this.breakChunk = true;
        break;
      case 0x105: this.stvec = v & ~2n; break;
      case 0x106: this.scounteren = lo >>> 0; break;
      case 0x10a: this.senvcfg = v & C.ENVCFG_FIOM; break;
      case 0x140: this.sscratch = v; break;
      case 0x141: this.sepc = v & ~1n; break;
      case 0x142: this.scause = v; break;
      case 0x143: this.stval = v; break;
      case 0x144: {
        const mask = C.MIP_SSIP & this.mideleg;
        this.mipSw = (this.mipSw & ~mask) | (lo & mask);
        this.breakChunk = true;
        break;
      }
      case 0x180: {
        const mode = Number(v >> 60n);
        if (mode !== C.SATP_MODE_BARE && mode !== C.SATP_MODE_SV39) break; // WARL: unsupported mode, no effect
        this.satp = v & ((0xfn << 60n) | (0xffffn << 44n) | ((1n << 44n) - 1n));
        this.satpMode = mode;
        this.satpRoot = Number(this.satp & ((1n << 44n) - 1n)) * 4096;
        this.flushTlb();
        this.breakChunk = true;
        break;
      }
      case 0x300: {
        const w = C.MSTATUS_WRITABLE | (this.isa.f ? C.MSTATUS_FS : 0);
        this.writeMstatus((this.mstatus & ~w) | (lo & w));
        break;
      }
      // fflags, frm, fcsr (F chapter, "Floating-Point Control and Status Register"): writes dirty FS.
      case 0x001: this.fflags = lo & 0x1f; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x002: this.frm = lo & 7; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x003: this.fflags = lo & 0x1f; this.frm = (lo >>> 5) & 7; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x301: break; // misa: WARL, fixed by MachineOptions.isa
      case 0x302: this.medeleg = lo & (C.MEDELEG_WRITABLE | (this.xpc !== null ? XPC_CAUSES : 0)); break;
      case 0x303: this.mideleg = lo & C.S_INTERRUPTS; this.breakChunk = true; break;
      case 0x304: this.mie = lo & C.ALL_INTERRUPTS; this.breakChunk = true; break;
      case 0x305: this.mtvec = v & ~2n; break;
      case 0x306: this.mcounteren = lo >>> 0; break;
      case 0x30a: this.menvcfg = v & (C.ENVCFG_FIOM | C.MENVCFG_ADUE); this.flushTlb(); this.breakChunk = true; break;
      case 0x320: {
        const old = this.mcountinhibit;
        const cyc = this.mcycle();
        const ins = this.minstret();
        this.mcountinhibit = lo & 0xfffffffd;
        if ((this.mcountinhibit & 1) !== 0 && (old & 1) === 0) this.frozenCycle = cyc;
        if ((this.mcountinhibit & 1) === 0 && (old & 1) !== 0) this.cycleAdj = cyc - (this.cyc + this.liveI);
        if ((this.mcountinhibit & 4) !== 0 && (old & 4) === 0) this.frozenInstret = ins;
        if ((this.mcountinhibit & 4) === 0 && (old & 4) !== 0) this.instretAdj = ins - (this.instret + this.liveI);
        break;
      }
      case 0x340: this.mscratch = v; break;
      case 0x341: this.mepc = v & ~1n; break;
      case 0x342: this.mcause = v; break;
      case 0x343: this.mtval = v; break;
      case 0x344: {
        const mask = C.MIP_SSIP | C.MIP_STIP | C.MIP_SEIP;
        this.mipSw = (this.mipSw & ~mask) | (lo & mask);
        this.breakChunk = true;
        break;
      }
      case 0xb00: {
        // The write takes the place of this instruction's own increment (unprivileged spec, Zicntr).
        const val = Number(BigInt.asIntN(64, v)) - 1;
        if (this.mcountinhibit & 1) this.frozenCycle = val + 1;
        else this.cycleAdj = val - (this.cyc + this.liveI);
        break;
      }
      case 0xb02: {
        const val = Number(BigInt.asIntN(64, v)) - 1;
        if (this.mcountinhibit & 4) this.frozenInstret = val + 1;
        else this.instretAdj = val - (this.instret + this.liveI);
        break;
      }
      case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: break; // no triggers
      default: {
        if (n >= 0xb03 && n <= 0xb1f) break;
        if (n >= 0x323 && n <= 0x33f) break;
        if (n >= 0x3a0 && n <= 0x3af) {
          if (n & 1) return false;
          if (n >= 0x3a4) break;
          const first = (n - 0x3a0) * 4;
          for (let k = 0; k < 8; k++) {
            const i = first + k;
            if (this.pmpcfg[i] & 0x80) continue; // locked
            let cfg = Number((v >> BigInt(8 * k)) & 0xffn) & 0x9f;
            if ((cfg & 3) === 2) cfg &= ~2; // W without R is reserved: W reads 0 (as Spike)
            this.pmpcfg[i] = cfg;
          }
          this.recomputePmp();
          this.flushTlb();
          this.breakChunk = true;
          break;
        }
        if (n >= 0x3b0 && n <= 0x3ef) {
          const i = n - 0x3b0;
          if (i < 16 && !this.pmpEntryLocked(i)) {
            this.pmpaddr[i] = v & ((1n << 54n) - 1n);
            this.recomputePmp();
            this.flushTlb();
            this.breakChunk = true;
          }
          break;
        }
        return false;
      }
    }
    return true;
  }

  /** Observed runs: a CSR write as Spike's commit log shows it. */
  logCsr(num: number, value: bigint): void {
    const rec = this.rec!;
    const k = rec.csrWriteCount++;
    rec.csrWriteNum[k] = num;
    rec.csrWriteValue[k] = value;
  }

  /** mstatus.SD: FS is Dirty (VS and XS are always Off). */
  private statusSd(): bigint {
    return (this.mstatus & C.MSTATUS_FS) === C.MSTATUS_FS_DIRTY ? C.MSTATUS_SD_BIT : 0n;
  }

  private writeMstatus(nv: number): void {
    // MPP is WARL over {U, S, M}: the reserved value 2 becomes U, as Spike does.
    if (((nv >>> C.MSTATUS_MPP_SHIFT) & 3) === 2) nv &= ~C.MSTATUS_MPP;
    const old = this.mstatus;
    this.mstatus = nv;
    if ((old ^ nv) & (C.MSTATUS_MPRV | C.MSTATUS_SUM | C.MSTATUS_MXR | C.MSTATUS_MPP)) {
      if ((old ^ nv) & (C.MSTATUS_SUM | C.MSTATUS_MXR)) this.flushTlb();
      this.updateBases();
    }
    this.breakChunk = true;
  }

  /** A CSR instruction: privilege, read-only and counter-enable checks, then read and write. */
  private illegalCsr(): boolean {
    this.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((this.peekRaw(this.pc) ?? 0) >>> 0));
    return false;
  }

  csrInstr(op: number, csr: number, s1: number, zimm: number, d: number): boolean {
    const imm = op >= D.OP_CSRRWI;
    const isRw = op === D.OP_CSRRW || op === D.OP_CSRRWI;
    const writes = isRw || (imm ? zimm !== 0 : s1 !== 0);
    const k = HOT_SLOT[csr];
    if (k >= 0 && ((csr >>> 8) & 3) <= this.priv) {
      // scratch, epc, cause, tval, tvec: plain read/write registers, done on 32-bit halves.
      const m32 = this.m32;
      const i = CSR_BASE + 2 * k;
      let oLo = m32[i];
      const oHi = m32[i + 1];
      if (k === L.CSR_MEPC || k === L.CSR_SEPC) oLo &= this.isa.c ? ~1 : ~3;
      if (writes) {
        const sLo = imm ? zimm : m32[s1];
        const sHi = imm ? 0 : m32[s1 + 1];
        let nLo: number, nHi: number;
        if (isRw) {
          nLo = sLo;
          nHi = sHi;
        } else if (op === D.OP_CSRRS || op === D.OP_CSRRSI) {
          nLo = oLo | sLo;
          nHi = oHi | sHi;
        } else {
          nLo = oLo & ~sLo;
          nHi = oHi & ~sHi;
        }
        if (k === L.CSR_MEPC || k === L.CSR_SEPC) nLo &= ~1;
        else if (k === L.CSR_MTVEC || k === L.CSR_STVEC) nLo &= ~2; // MODE 2/3 are reserved: bit 1 reads 0 (Spike)
        m32[i] = nLo;
        m32[i + 1] = nHi;
        const rec = this.rec;
        if (rec !== null) {
          const n = rec.csrWriteCount++;
          rec.csrWriteNum[n] = csr;
          rec.csrWriteValue[n] = this.csrRead(csr)!;
        }
      }
      m32[d] = oLo;
      m32[d + 1] = oHi;
      return true;
    }
    if (((csr >>> 8) & 3) > this.priv) return this.illegalCsr();
    if (writes && (csr >>> 10) === 3) return this.illegalCsr();
    // The FP CSRs are inaccessible while mstatus.FS is Off (privileged spec §3.1.6.6).
    if (csr >= 0x001 && csr <= 0x003 && (this.mstatus & C.MSTATUS_FS) === 0) return this.illegalCsr();
    if (csr >= 0xc00 && csr <= 0xc1f) {
      const bit = 1 << (csr - 0xc00);
      if (this.priv < PRV_M && (this.mcounteren & bit) === 0) return this.illegalCsr();
      if (this.priv < PRV_S && (this.scounteren & bit) === 0) return this.illegalCsr();
    }
    if (csr === 0x180 && this.priv === PRV_S && (this.mstatus & C.MSTATUS_TVM) !== 0) return this.illegalCsr();
    const old = this.csrRead(csr);
    if (old === undefined) return this.illegalCsr();
    const fsBefore = this.mstatus & C.MSTATUS_FS;
    if (writes) {
      const src = imm ? BigInt(zimm) : this.slotBig(s1);
      let nv: bigint;
      if (isRw) nv = src;
      else if (op === D.OP_CSRRS || op === D.OP_CSRRSI) nv = old | src;
      else nv = old & ~src;
      if (!this.csrWrite(csr, BigInt.asUintN(64, nv))) return this.illegalCsr();
      const rec = this.rec;
      if (rec !== null) {
        // As Spike's commit log: the S-level views sstatus/sie/sip are logged as the M-level register
        // they write (mstatus/mie/mip), with its whole new value.
        const logged = csr === 0x100 ? 0x300 : csr === 0x104 ? 0x304 : csr === 0x144 ? 0x344 : csr;
        if (csr === 0x003) {
          // fcsr is frm and fflags to Spike: it logs the two fields it writes, and mstatus when FS
          // becomes Dirty.
          this.logCsr(0x001, BigInt(this.fflags));
          this.logCsr(0x002, BigInt(this.frm));
        } else this.logCsr(logged, this.csrRead(logged) ?? nv);
        if (csr <= 0x003 && fsBefore !== C.MSTATUS_FS_DIRTY) this.logCsr(0x300, this.csrRead(0x300)!);
      }
    }
    this.setSlot(d, old);
    return true;
  }

  // ================================================================================================
  // Fetch and decode
  // ================================================================================================

  /**
   * Current fetch page: its virtual base, memory offset and decoded-instruction cache. Valid (fpValid)
   * until the fetch translation may change: a privilege change or any TLB flush.
   */
  fpValid = false;
  fpVa = NaN;
  fpMem = 0;
  fpDec: DecodedPage | null = null;
  fetchPaddr = 0;

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
    this.fpDec = this.decodedPage(idx >>> 12);
    this.fpValid = true;
    return true;
  }

  private decodedPage(p: number): DecodedPage {
    let page = this.decPages[p];
    if (page === undefined) {
      page = new DecodedPage();
      this.decPages[p] = page;
      this.pageFlags[p] |= PF_CODE;
      this.purgeWriteTlb();
    }
    return page;
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

  /** Fetch and decode a 4-byte instruction that straddles a page boundary (not cached). */
  fetchCross(pc: number): boolean {
    const low = this.m16[(this.fpMem >> 1) + 2047];
    const pc2 = pc + 2;
    const lo = pc2 | 0;
    const hi = (pc2 - (pc2 >>> 0)) * INV_TWO32;
    const pa = this.translate(lo, hi, KIND_FETCH, 2);
    if (pa < 0) return false;
    const idx = this.memIndex(pa, 2);
    if (idx < 0) {
      this.raiseVa(C.CAUSE_FETCH_ACCESS, lo, hi);
      return false;
    }
    const raw = (low | (this.m16[idx >> 1] << 16)) >>> 0;
    D.decodeSlot(raw, this.isa, this.scratch);
    return true;
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
