// The machine around the hart: boot ROM, RAM, CLINT, UART, HTIF; loading programs; the run loop that
// alternates chunks of interpretation with timer and interrupt checks; and the observed (traced) loop.
// Memory map and every choice the specs leave open: docs/machine.md.

import { encodeOrThrow } from '../isa/codec.js';
import { CSR } from '../isa/csrs.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import { Hart, RAM_BASE, ROM_BASE, type ObservedRecord } from './hart.js';
import { execChunk } from './interp.js';
import { Jit, JitProfile, LOG_ROOM, type JitStats } from './jit/tier.js';
import { LogReplayer } from './jit/replay.js';
import { EXIT_INTERP, EXIT_MISS } from './jit/translate.js';
import { PC_OFF, INSTRET_OFF, CYCLE_OFF, KIND_FETCH, FREGS_OFF } from './layout.js';
import type { CommitObserver, CommitRecord, LoadableProgram, PageTableReader, RunResult } from './types.js';
import { MEM_NONE, XLATE_DATA, XLATE_FETCH } from './types.js';
import type { XpcHook } from './xpc-hook.js';
import { createXpcHook } from './xpc/hook.js';
import { createMechHook, type Mechanism, type MechOptions } from './mech/hook.js';

/**
 * Longest chunk of instructions between interrupt checks when nothing else ends it. Short enough that
 * execChunk returns often (V8 then runs its regularly optimized code, which is faster than the
 * on-stack-replacement code a single endless call would be stuck with); long enough that the checks
 * between chunks cost nothing measurable.
 */
const CHUNK_MAX = 1 << 16;

export interface MachineOptions {
  /** RAM size in MiB at 0x80000000 (default 128, at most 2047). */
  ramMiB?: number;
  /** 'rv64gc' (default, like Spike: IMAFDC + Zicsr + Zifencei), or a subset such as 'rv64imac' or 'rv64i'. */
  isa?: string;
  /**
   * mtime frequency, relative to an assumed rate of 10^9 instructions per second: mtime advances by one
   * every 10^9 / mtimeHz retired instructions. Default 10 MHz, i.e. one tick per 100 instructions, the
   * rate of Spike's CLINT (INSNS_PER_RTC_TICK = 100). Deterministic either way.
   */
  mtimeHz?: number;
  /** UART THR writes and HTIF console/syscall writes (default: process.stdout). */
  stdout?: (bytes: Uint8Array) => void;
  /** Next input byte or -1 (UART RBR). Default: no input. */
  stdin?: () => number;
  /** Attach the XPC engine (docs/xpc.md): misa.X set, custom-0 and the XPC CSRs live. Default off. */
  xpc?: boolean;
  /**
   * Execution tier of unobserved runs: 'interp' (the interpreter alone) or 'jit' (hot blocks translated
   * to WebAssembly, emulator/jit/; the interpreter runs the rest). Observed runs always interpret.
   */
  tier?: Tier;
  /** Tier 'jit': dispatcher misses at a pc before its block is translated (default 16; 1 translates at once). */
  jitHot?: number;
  /** Tier 'jit': cap on translated blocks; the next translation flushes them all (default 4096). */
  jitMaxBlocks?: number;
  /**
   * IPC-mechanism extensions to attach (docs/mechanisms.md), e.g. ['xpc', 'gate', 'asl']; 'xpc' here is
   * the same engine as `xpc: true`. Default none.
   */
  ext?: readonly Mechanism[];
  /** Options of those extensions (gate-cache size). */
  mech?: MechOptions;
}

export type Tier = 'interp' | 'jit';
export const DEFAULT_TIER: Tier = 'jit';

/** A machine-level error with a one-line reason (bad options, program outside RAM, ...). */
export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineError';
  }
}

export interface MachineStats {
  instret: bigint;
  cycles: bigint;
  traps: number;
  interrupts: number;
  tlbMisses: number;
  tlbFlushes: number;
  pageWalks: number;
  /** Instruction slots spent waiting in WFI (time passed, nothing retired). */
  idleSteps: number;
  tier: Tier;
  /** With tier 'jit': what ran where (translated blocks vs interpreter), blocks compiled, flushes. */
  jit?: JitStats;
}

/**
 * The record the observed loop fills. Register values are kept as 32-bit halves and turned into bigint
 * only when an observer reads them (the timing model reads rs1/rs2 for divides only, a tracer rd for
 * register writes): building three bigints per instruction cost more than the rest of the record.
 */
class LiveRecord implements ObservedRecord {
  step = 0;
  priv = 3;
  pc = 0;
  raw = 0;
  size: 2 | 4 = 4;
  opId = -1;
  rd = -1;
  rdLo = 0;
  rdHi = 0;
  frd = -1;
  frdLo = 0;
  frdHi = 0;
  rs1Lo = 0;
  rs1Hi = 0;
  rs2Lo = 0;
  rs2Hi = 0;
  csrWriteCount = 0;
  csrWriteNum: number[] = [];
  csrWriteValue: bigint[] = [];
  memKind = MEM_NONE;
  memVaddr = 0;
  memPaddr = 0;
  memSize = 0;
  memLo = 0;
  memHi = 0;
  taken = false;
  nextPc = 0;
  trapped = false;
  trapCause = 0n;
  trapTval = 0n;
  walkLevels = 0;
  fetchPaddr = 0;
  xlate = 0;
  xpcEvent = 0;
  xpcCapPa = 0;
  xpcEntryPa = 0;
  xpcLinkPa = 0;
  xpcSegListPa = 0;
  counterReadOffset = 0;
  mechEvent = 0;
  mechPa = 0;

  /** The accessed value, zero-extended from memSize bytes (0n when memSize is 0). */
  get memValue(): bigint {
    const v = halvesToBigint(this.memLo, this.memHi);
    return this.memSize === 8 ? v : BigInt.asUintN(this.memSize * 8, v);
  }
  set memValue(v: bigint) {
    this.memLo = Number(BigInt.asIntN(32, v));
    this.memHi = Number(BigInt.asIntN(32, v >> 32n));
  }
  get rdValue(): bigint {
    return halvesToBigint(this.rdLo, this.rdHi);
  }
  set rdValue(v: bigint) {
    this.rdLo = Number(BigInt.asIntN(32, v));
    this.rdHi = Number(BigInt.asIntN(32, v >> 32n));
  }
  get frdValue(): bigint {
    return BigInt.asUintN(64, halvesToBigint(this.frdLo, this.frdHi));
  }
  set frdValue(v: bigint) {
    this.frdLo = Number(BigInt.asIntN(32, v));
    this.frdHi = Number(BigInt.asIntN(32, v >> 32n));
  }
  get rs1Value(): bigint {
    return halvesToBigint(this.rs1Lo, this.rs1Hi);
  }
  set rs1Value(v: bigint) {
    this.rs1Lo = Number(BigInt.asIntN(32, v));
    this.rs1Hi = Number(BigInt.asIntN(32, v >> 32n));
  }
  get rs2Value(): bigint {
    return halvesToBigint(this.rs2Lo, this.rs2Hi);
  }
  set rs2Value(v: bigint) {
    this.rs2Lo = Number(BigInt.asIntN(32, v));
    this.rs2Hi = Number(BigInt.asIntN(32, v >> 32n));
  }
}

/** A Zicsr instruction (every form reads the CSR) naming cycle (0xc00) or mcycle (0xb00). */
function readsCycleCsr(raw: number, size: number): boolean {
  const f3 = (raw >>> 12) & 7;
  const csr = raw >>> 20;
  return size === 4 && (raw & 0x7f) === 0x73 && f3 !== 0 && f3 !== 4 && (csr === 0xc00 || csr === 0xb00);
}

/** The unsigned 64-bit value of two 32-bit halves, as Hart.getReg returns it. */
function halvesToBigint(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export class Machine implements PageTableReader {
  readonly hart: Hart;
  readonly tier: Tier;
  /** The translation tier, created on the first unobserved run with tier 'jit'. */
  private jit: Jit | null = null;
  private readonly jitOptions: { hot?: number; maxBlocks?: number };
  /** Replays translated blocks' commit logs to a cycle model (runModelled), created with the tier. */
  private replayer: LogReplayer | null = null;
  /** Counts per code region for `rvx profile` on unobserved runs (enableProfile). */
  private profile: JitProfile | null = null;
  private readonly flushOut: () => void;
  private readonly rec = new LiveRecord();
  private readonly peekSlot: D.DecodedSlot = { op: 0, f: 0, imm: 0, id: -1 };
  /**
   * Set by an observer (the gdb stub, tools/gdb/) to end the observed run right after the record it is
   * looking at: run() returns { reason: 'limit' } between two instructions, exactly where a longer run
   * would have gone on, so a run cut up this way retires, traps and counts cycles as one run does.
   * The fast loop (no observer) never reads it.
   */
  stopRequested = false;

  constructor(opts: MachineOptions = {}) {
    const ramMiB = opts.ramMiB ?? 128;
    // The memory (1 MiB of hart state + RAM) must stay below 2 GiB: offsets are int32 in the fast path.
    if (!Number.isInteger(ramMiB) || ramMiB < 1 || ramMiB > 2047) {
      throw new MachineError(`ramMiB must be an integer from 1 to 2047 (got ${ramMiB})`);
    }
    const isa = D.parseIsa(opts.isa ?? 'rv64gc');
    if (typeof isa === 'string') throw new MachineError(isa);
    const hz = opts.mtimeHz ?? 10_000_000;
    if (!(hz > 0) || !Number.isFinite(hz)) throw new MachineError(`mtimeHz must be a positive number (got ${hz})`);
    let stdout = opts.stdout;
    let flush = () => {};
    if (!stdout) {
      // Buffered: the guest writes one byte at a time; the host gets lines or chunks.
      const chunks: number[] = [];
      flush = () => {
        if (chunks.length) {
          process.stdout.write(Uint8Array.from(chunks));
          chunks.length = 0;
        }
      };
      stdout = (b) => {
        for (const x of b) chunks.push(x);
        if (chunks.length >= 4096 || b.includes(10)) flush();
      };
    }
    this.flushOut = flush;
    this.hart = new Hart({
      ramBytes: ramMiB * 1024 * 1024,
      isa,
      insnsPerTick: 1e9 / hz,
      stdout,
      stdin: opts.stdin ?? (() => -1),
    });
    const tier = opts.tier ?? DEFAULT_TIER;
    if (tier !== 'interp' && tier !== 'jit') throw new MachineError(`tier must be interp or jit (got ${String(tier)})`);
    this.tier = tier;
    if (opts.jitHot !== undefined && !(Number.isInteger(opts.jitHot) && opts.jitHot >= 1)) {
      throw new MachineError(`jitHot must be a positive integer (got ${opts.jitHot})`);
    }
    if (opts.jitMaxBlocks !== undefined && !(Number.isInteger(opts.jitMaxBlocks) && opts.jitMaxBlocks >= 1 && opts.jitMaxBlocks <= 1 << 20)) {
      throw new MachineError(`jitMaxBlocks must be an integer from 1 to 2^20 (got ${opts.jitMaxBlocks})`);
    }
    this.jitOptions = { hot: opts.jitHot, maxBlocks: opts.jitMaxBlocks };
    this.writeBootRom(RAM_BASE);
    const exts = opts.ext ?? [];
    if (exts.length > 0) {
      this.hart.attachXpc(createMechHook(this.hart, opts.xpc && !exts.includes('xpc') ? ['xpc', ...exts] : exts, opts.mech));
    } else if (opts.xpc) this.hart.attachXpc(createXpcHook(this.hart));
  }

  /**
   * Spike's reset vector, instruction for instruction (so traces diff cleanly against Spike's): a0 =
   * mhartid, a1 = 0x1020 where Spike keeps its device tree (rvx has none: the bytes there are zero, so a
   * program checking the DTB magic sees that), jump to the 64-bit entry at 0x1018.
   */
  private writeBootRom(entry: number): void {
    const t0 = 5, a0 = 10, a1 = 11;
    const words = [
      encodeOrThrow('auipc', [t0, 0]),
      encodeOrThrow('addi', [a1, t0, 32]),
      encodeOrThrow('csrrs', [a0, CSR.mhartid, 0]),
      encodeOrThrow('ld', [t0, 24, t0]),
      encodeOrThrow('jalr', [0, 0, t0]),
      0,
    ];
    const rom = new Uint8Array(32);
    const dv = new DataView(rom.buffer);
    words.forEach((w, i) => dv.setUint32(4 * i, w, true));
    dv.setBigUint64(24, BigInt.asUintN(64, BigInt(entry)), true);
    this.hart.writePhysBytes(ROM_BASE, rom);
  }

  /** Copy the program's segments into RAM, point the boot ROM at its entry and arm HTIF. */
  load(p: LoadableProgram): void {
    const h = this.hart;
    for (const seg of p.segments) {
      const size = Math.max(seg.memsz, seg.data.length);
      if (size === 0) continue;
      if (!(seg.paddr >= RAM_BASE && seg.paddr + size <= RAM_BASE + h.ramBytes)) {
        throw new MachineError(
          `segment at 0x${seg.paddr.toString(16)} (${size} bytes) is not inside RAM ` +
            `(0x${RAM_BASE.toString(16)}..0x${(RAM_BASE + h.ramBytes).toString(16)})`,
        );
      }
    }
    for (const seg of p.segments) {
      const size = Math.max(seg.memsz, seg.data.length);
      if (size === 0) continue;
      const bytes = new Uint8Array(size);
      bytes.set(seg.data);
      h.writePhysBytes(seg.paddr, bytes);
    }
    if (!Number.isSafeInteger(p.entry)) throw new MachineError(`entry point ${p.entry} is not a valid address`);
    this.writeBootRom(p.entry);
    h.armHtif(p.tohost, p.fromhost);
  }

  /** Attach the XPC engine (sets misa.X). */
  attachXpc(hook: XpcHook): void {
    this.hart.attachXpc(hook);
  }

  getReg(i: number): bigint {
    return this.hart.getReg(i);
  }

  /** f register i (0..31) as its 64 bits (binary32 values NaN-boxed), for debuggers and tests. */
  getFReg(i: number): bigint {
    const m32 = this.hart.m32;
    const k = (FREGS_OFF >> 2) + 2 * i;
    return halvesToBigint(m32[k], m32[k + 1]);
  }

  setFReg(i: number, v: bigint): void {
    const m32 = this.hart.m32;
    const k = (FREGS_OFF >> 2) + 2 * i;
    m32[k] = Number(BigInt.asIntN(32, v));
    m32[k + 1] = Number(BigInt.asIntN(32, v >> 32n));
    this.hart.fFresh &= ~(1 << i);
  }

  setReg(i: number, v: bigint): void {
    this.hart.setReg(i, v);
  }

  get pc(): number {
    return this.hart.pc;
  }

  set pc(v: number) {
    this.hart.pc = v;
  }

  get priv(): number {
    return this.hart.priv;
  }

  /** Debug read of a CSR: no privilege check, no side effects. Throws MachineError for an unknown CSR. */
  readCsr(n: number): bigint {
    const v = this.hart.csrRead(n);
    if (v === undefined) throw new MachineError(`no CSR 0x${n.toString(16)}`);
    return v;
  }

  readPhys(addr: number, len: number): Uint8Array {
    const idx = this.hart.memIndex(addr, len);
    if (idx < 0) throw new MachineError(`physical range 0x${addr.toString(16)}+${len} is not RAM or ROM`);
    return this.hart.m8.slice(idx, idx + len);
  }

  writePhys(addr: number, bytes: Uint8Array): void {
    if (!this.hart.writePhysBytes(addr, bytes)) {
      throw new MachineError(`physical range 0x${addr.toString(16)}+${bytes.length} is not RAM or ROM`);
    }
  }

  // PageTableReader
  satp(): bigint {
    return this.hart.satp;
  }

  readPhys64(paddr: number): bigint | undefined {
    const idx = this.hart.memIndex(paddr, 8);
    if (idx < 0) return undefined;
    if (this.replayer !== null && this.replayer.replaying && (idx & 7) === 0) {
      // A model replaying a translated batch reads memory as it was at the instruction it replays.
      const old = this.replayer.storedBefore(idx);
      if (old !== null) return halvesToBigint(old[0], old[1]);
    }
    const m8 = this.hart.m8;
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(m8[idx + k]);
    return v;
  }

  /**
   * Count retired instructions and traps per code region and privilege in unobserved runs of the jit
   * tier (emulator/jit/tier.ts JitProfile), so a profile of the ideal core runs at the tier's speed.
   * regionOf(pc) names the region of a pc (0..regions-1, -1 for none). Call before the first run.
   */
  enableProfile(regionOf: (pc: number) => number, regions: number): JitProfile {
    if (this.tier !== 'jit') throw new MachineError('profiling counts need the jit tier');
    if (this.jit !== null) throw new MachineError('enableProfile must come before the first run');
    this.profile = new JitProfile(regionOf, regions);
    return this.profile;
  }

  get stats(): MachineStats {
    const h = this.hart;
    return {
      instret: BigInt(h.instret),
      cycles: BigInt(h.cyc),
      traps: h.traps,
      interrupts: h.interrupts,
      tlbMisses: h.tlbMisses,
      tlbFlushes: h.tlbFlushes,
      pageWalks: h.pageWalks,
      idleSteps: h.idleSteps,
      tier: this.tier,
      ...(this.tier === 'jit' ? { jit: this.jit ? { ...this.jit.stats } : { jitRetired: 0, interpRetired: 0, blocksCompiled: 0, invalidations: 0, flushes: 0, bytesCompiled: 0 } } : {}),
    };
  }

  /**
   * Run until the program exits, maxInsns instructions retire, or the hart cannot go on. With an
   * observer, every instruction (and every interrupt taken) is reported through one reused record.
   * Never throws for guest behaviour.
   */
  run(maxInsns = Infinity, observer?: CommitObserver): RunResult {
    try {
      if (!observer) return this.runFast(maxInsns);
      return observer.blockReplay === true && this.tier === 'jit' ? this.runModelled(maxInsns, observer) : this.runObserved(maxInsns, observer);
    } catch (e) {
      // A bug in rvx, not guest behaviour: report it as a result rather than crash the caller.
      const h = this.hart;
      const msg = e instanceof Error ? e.message : String(e);
      return { reason: 'fatal', message: `internal emulator error at pc 0x${BigInt.asUintN(64, BigInt(Math.trunc(h.pc))).toString(16)}: ${msg}` };
    } finally {
      this.syncState();
      this.flushOut();
    }
  }

  private syncState(): void {
    const h = this.hart;
    const dv = new DataView(h.memory.buffer);
    dv.setBigInt64(PC_OFF, BigInt(h.pc), true);
    dv.setFloat64(INSTRET_OFF, h.instret, true);
    dv.setFloat64(CYCLE_OFF, h.cyc, true);
  }

  /**
   * Between chunks: wake from WFI, take a pending enabled interrupt. Returns a RunResult when the run
   * must stop, 'irq' when an interrupt was taken, or null to go on executing.
   */
  private boundary(): RunResult | 'irq' | null {
    const h = this.hart;
    if (h.halted) return h.halted;
    if (h.wfiWaiting) {
      // WFI must resume when an interrupt is pending and locally enabled (mip & mie), whatever the global
      // enables (privileged spec §3.3.3); the hint may also resume for any other reason. rvx resumes on
      // any pending bit, enabled or not, as older Spike releases did (the older riscv-tests wfi.S relies
      // on it). With nothing pending, time is fast-forwarded to the timer; with no enabled source that
      // can ever fire, the hart would sleep forever.
      if (h.mip() === 0) {
        const s = h.stepsUntilTimer();
        if ((h.mie & C.MIP_MTIP) === 0 || s === Infinity) {
          return {
            reason: 'fatal',
            message: `wfi at pc 0x${BigInt.asUintN(64, BigInt(h.pc - 4)).toString(16)} waits for an interrupt that can never arrive (mie=0x${h.mie.toString(16)}, mip=0x${h.mip().toString(16)}, mtimecmp=0x${h.mtimecmp.toString(16)})`,
          };
        }
        h.idleSteps += s;
      }
      h.wfiWaiting = false;
    }
    const irq = h.pendingInterrupt();
    if (irq >= 0) {
      h.takeInterrupt(irq);
      return h.halted ?? 'irq';
    }
    return null;
  }

  private runFast(maxInsns: number): RunResult {
    const h = this.hart;
    if (this.tier === 'jit' && this.jit === null) this.jit = new Jit(h, this.jitOptions.hot, this.jitOptions.maxBlocks, this.profile);
    const jit = this.jit;
    // Blocks translated for a cycle model (runModelled) write a commit log nobody reads here: plain ones.
    if (jit !== null) jit.setLogging(false);
    const profile = this.profile;
    h.observing = false;
    h.rec = null;
    let remaining = maxInsns;
    for (;;) {
      const pc = h.pc;
      const priv = h.priv;
      const b = this.boundary();
      if (b === 'irq') {
        // Counted where the observed loop reports it: at the interrupted pc and privilege.
        if (profile !== null) profile.trap(pc, priv);
        continue;
      }
      if (b !== null) return b;
      if (remaining <= 0) return { reason: 'limit' };
      // Chunks are small integers (so the interpreter's loop counter compare stays int32), never
      // past the instruction at which mtime reaches mtimecmp.
      let n = remaining > CHUNK_MAX ? CHUNK_MAX : Math.ceil(remaining);
      const t = Math.ceil(h.stepsUntilTimer());
      if (t > 0 && t < n) n = t;
      remaining -= jit !== null ? jit.execChunk(n) : execChunk(h, n);
    }
  }

  /**
   * An observed run on the 'jit' tier for an observer that takes replayed records (CommitObserver
   * .blockReplay: the timing model): hot code runs in logging translated blocks and their commit log
   * is replayed to the observer after each dispatch, before anything else runs; everything else, and
   * every interrupt, goes through runObserved. Records, cycles and counters are those of runObserved
   * alone (tests/jit-rocket-lockstep.test.ts): a dispatch never runs past the next timer event, and the
   * instructions that can read model time (CSRs) or change what is pending are never translated.
   */
  private runModelled(maxInsns: number, observer: CommitObserver): RunResult {
    const h = this.hart;
    if (this.jit === null) this.jit = new Jit(h, this.jitOptions.hot, this.jitOptions.maxBlocks);
    const jit = this.jit;
    jit.setLogging(true);
    if (this.replayer === null) this.replayer = new LogReplayer(h, (idx) => jit.factsOf(idx));
    const replayer = this.replayer;
    h.observing = false;
    h.rec = null;
    let remaining = maxInsns;
    for (;;) {
      if (h.mie !== 0 || h.wfiWaiting || h.halted !== null) {
        // Interrupts, WFI and a halt as the observed loop handles them (it checks before each instruction).
        const r = this.runObserved(0, observer);
        if (r.reason !== 'limit') return r;
      }
      if (remaining <= 0) return { reason: 'limit' };
      let room = remaining > LOG_ROOM ? LOG_ROOM : Math.ceil(remaining);
      const t = Math.ceil(h.stepsUntilTimer());
      if (t > 0 && t < room) room = t;
      const stepBase = h.instret;
      const code = jit.dispatch(room);
      const ran = jit.lastRan;
      if (ran > 0) replayer.replay(this.rec, observer, stepBase);
      remaining -= ran;
      if (ran >= room) continue;
      let want: number;
      if (code === EXIT_MISS) {
        want = jit.miss();
        if (want === 0) continue; // a block is in the cache now
      } else if (code === EXIT_INTERP) want = jit.stretchAt(h.pc);
      else want = room - ran; // EXIT_BUDGET: the rest of the room is shorter than the next block
      if (want > remaining) want = Math.ceil(remaining);
      const before = h.instret;
      const r = this.runObserved(want, observer);
      const k = h.instret - before;
      jit.stats.interpRetired += k;
      remaining -= k;
      if (r.reason !== 'limit') return r;
    }
  }

  private runObserved(maxInsns: number, observer: CommitObserver): RunResult {
    const h = this.hart;
    const rec = this.rec;
    h.observing = true;
    h.rec = rec;
    let remaining = maxInsns;
    try {
      for (;;) {
        const pcBefore = h.pc;
        const privBefore = h.priv;
        // Nothing can be pending with mie = 0 (and no WFI or stop): skip the interrupt check. When the
        // check runs, the record is cleared first, as taking an interrupt fills it.
        if (h.mie !== 0 || h.wfiWaiting || h.halted !== null) {
          this.resetRecord();
          const b = this.boundary();
          if (b === 'irq') {
            this.describeAt(pcBefore, privBefore);
            rec.nextPc = h.pc;
            h.cyc += Math.max(0, observer(rec) | 0);
            if (this.stopRequested) return { reason: 'limit' };
            continue;
          }
          if (b !== null) return b;
        }
        if (remaining <= 0) return { reason: 'limit' };
        this.resetRecord();
        this.describeAt(h.pc, h.priv);
        const retired = execChunk(h, 1);
        remaining -= retired;
        if (retired === 1) {
          const slot = this.peekSlot;
          if (D.WRITES_RD[slot.op] && (slot.f & 127) !== 2 * 32) {
            const rd = (slot.f & 127) >> 1;
            rec.rd = rd;
            rec.rdLo = h.m32[2 * rd];
            rec.rdHi = h.m32[2 * rd + 1];
          }
          if (D.IS_CONTROL[slot.op]) rec.taken = h.pc !== rec.pc + rec.size;
        }
        rec.nextPc = h.pc;
        const translated = h.satpMode === C.SATP_MODE_SV39;
        if (translated && privBefore !== C.PRV_M) rec.xlate |= XLATE_FETCH;
        if (rec.memKind !== MEM_NONE && translated && this.dataPrivAt(privBefore) !== C.PRV_M) rec.xlate |= XLATE_DATA;
        const cost = observer(rec);
        // A cycle/mcycle read whose value the timing model advanced past the reading instruction's own
        // stalls (CommitRecord.counterReadOffset): the register gets the record's value.
        if (rec.counterReadOffset !== 0 && rec.rd > 0 && readsCycleCsr(rec.raw, rec.size)) h.setReg(rec.rd, rec.rdValue);
        // exec counted 1 cycle for a retired instruction; the observer's figure replaces it.
        // (cost - cost === 0 is Number.isFinite for a number: false for NaN and ±Infinity.)
        const c = cost - cost === 0 ? cost : 1;
        h.cyc += (c > retired ? c : retired) - retired;
        if (this.stopRequested) return { reason: 'limit' };
      }
    } finally {
      this.stopRequested = false;
      h.observing = false;
      h.rec = null;
    }
  }

  private dataPrivAt(priv: number): number {
    const h = this.hart;
    if (priv === C.PRV_M && (h.mstatus & C.MSTATUS_MPRV) !== 0) return (h.mstatus >>> C.MSTATUS_MPP_SHIFT) & 3;
    return priv;
  }

  private resetRecord(): void {
    const rec = this.rec;
    const h = this.hart;
    rec.step = h.instret;
    rec.rd = -1;
    rec.rdLo = 0;
    rec.rdHi = 0;
    rec.frd = -1;
    rec.csrWriteCount = 0;
    // The hart sets the memory fields only with memKind, and the trap fields only with trapped.
    if (rec.memKind !== MEM_NONE) {
      rec.memKind = MEM_NONE;
      rec.memVaddr = 0;
      rec.memPaddr = 0;
      rec.memSize = 0;
      rec.memLo = 0;
      rec.memHi = 0;
    }
    rec.taken = false;
    if (rec.trapped) {
      rec.trapped = false;
      rec.trapCause = 0n;
      rec.trapTval = 0n;
    }
    rec.walkLevels = 0;
    rec.xlate = 0;
    rec.xpcEvent = 0;
    rec.counterReadOffset = 0;
    rec.mechEvent = 0;
    // opId, raw, size and the source values: describeAt, which always follows, sets them.
  }

  /** Fill the static part of the record (pc, raw, opId, operand values) for the instruction at pc. */
  private describeAt(pc: number, priv: number): void {
    const rec = this.rec;
    const h = this.hart;
    rec.pc = pc;
    rec.priv = priv;
    const slot = this.peekSlot;
    slot.op = 0;
    slot.f = 0;
    const raw = h.peekInstr(pc, slot);
    rec.fetchPaddr = h.peekPa < 0 ? pc : h.peekPa;
    if (raw < 0) {
      rec.opId = -1;
      rec.raw = 0;
      rec.size = 4;
      rec.rs1Lo = 0;
      rec.rs1Hi = 0;
      rec.rs2Lo = 0;
      rec.rs2Hi = 0;
      return;
    }
    rec.raw = raw;
    rec.size = (raw & 3) === 3 ? 4 : 2;
    rec.opId = slot.id;
    // The decoded slot holds register-file word indices (2 × register number): x0's words stay zero.
    const s1 = (slot.f >>> 7) & 62;
    const s2 = (slot.f >>> 13) & 62;
    rec.rs1Lo = h.m32[s1];
    rec.rs1Hi = h.m32[s1 + 1];
    rec.rs2Lo = h.m32[s2];
    rec.rs2Hi = h.m32[s2 + 1];
  }
}
