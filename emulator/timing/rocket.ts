// The in-order core timing model: an observer of retired instructions that returns how many cycles each
// one costs on a Rocket-like single-issue pipeline (docs/cycle-model.md states every rule and parameter).
// Model time advances by the returned cycles; a register scoreboard holds when each result can be used,
// so load-use and multiply/divide dependences stall the consumer by exactly the missing cycles.

import { MEM_LOAD, MEM_NONE, MEM_STORE, XLATE_DATA, XLATE_FETCH, XLATE_RELAY, type CommitObserver, type CommitRecord, type PageTableReader,
  LOG_EV_LOAD, LOG_EV_STORE, type ReplayCursor, type ReplayFacts } from '../types.js';
import { BranchPredictor, PRED_OK, PRED_REDIRECT, PRED_WRONG } from './branch.js';
import { HIT, MISS_DIRTY, PROBE_DIRTY, SetAssocCache } from './cache.js';
import {
  C_ALU, C_STORE, C_AMO, C_BRANCH, C_CSR, C_SYSTEM, C_DIV, C_DIVW, C_FENCE_I, C_JAL, C_JALR, C_LOAD_SUB, C_LOAD_WORD, C_MUL, C_SFENCE,
  C_XPC, C_XRET, OP_FACTS, sourceRegister1, sourceRegister2,
  C_FP_LOAD, C_FP_TOINT, C_FMA_S, C_FMA_D, C_FP_FROMINT, C_FDIV_S, C_FDIV_D, FP_SRC_LO, FP_SRC_PRIME, FP_DST_LO,
  FP_DST_PRIME, fpRegisterAt,
} from './classes.js';
import type { CoreParams } from './params.js';
import { Tlb } from './tlb.js';
import { StateRegion } from './state.js';
import type { LogCursor } from '../types.js';
import { WasmReplay, type BlockPlan } from './rocket-replay.js';
import { XpcCostModel } from './xpc.js';
import { MechCostModel } from './mech.js';
import { mulDivCycles, mulDivCyclesHalves } from './muldiv.js';

export { mulDivCycles, mulDivCyclesHalves };
export { STALL_NAMES, N_STALLS, type StallName, type PassRecord, type PassSummarySink } from './rocket-slots.js';
import {
  STALL_NAMES, type StallName, S_ICACHE, S_ITLB, S_DCACHE, S_DTLB, S_UNCACHED, S_LOAD_USE, S_MULDIV, S_MISPREDICT, S_FLUSH,
  S_TRAP, S_XPC, N_STALLS, SV_NOW, SV_FETCH_AHEAD_BYTES, SV_MD_FREE, SV_LAST_FETCH_LINE, SV_LAST_FETCH_PAGE,
  SV_LAST_CACHEABLE_LINE, SV_LAST_STORE_WORD, SV_LAST_STORE_ISSUE, SV_DCACHE_IDLE_ISSUE, SV_PENDING_FETCH_LINE,
  SV_PENDING_FETCH_READY, SV_PORT_BUSY_UNTIL, SV_FENCE_PENDING, SV_ASID, SV_INSTRUCTIONS, SV_EV_ICACHE_MISSES,
  SV_EV_DCACHE_MISSES, SV_EV_ITLB_MISSES, SV_EV_DTLB_MISSES, SV_EV_BRANCHES, SV_EV_MISPREDICTS, SV_EV_FLUSHES, SV_LAST_CYCLES,
  SV_TOUCHED, SV_COUNT, type PassRecord, type PassSummarySink,
} from './rocket-slots.js';


/** Cumulative counts since the last reset. */
export interface CoreStats {
  core: string;
  cycles: number;
  /** Instructions retired (records without a trap). */
  instructions: number;
  traps: number;
  /** Cycles lost per stall category, STALL_NAMES as keys. */
  stalls: Record<StallName, number>;
  events: {
    icacheMisses: number;
    dcacheMisses: number;
    itlbMisses: number;
    dtlbMisses: number;
    pageWalks: number;
    pteReads: number;
    branches: number;
    mispredicts: number;
    flushes: number;
  };
}

/** CSRs whose writes do not flush Rocket's pipeline (rocket-chip CSRFile: scratch/epc/cause/tval). */
const NO_FLUSH_CSRS = new Set([0x140, 0x141, 0x142, 0x143, 0x340, 0x341, 0x342, 0x343]);
const CSR_SATP = 0x180;
const CSR_XSEGMASK_OFF = 0x800, CSR_XSEGMASK_LEN = 0x801;
/** RocketModel.planOf: per instruction of a translated block, what replayPass would otherwise derive on every pass. */
interface ReplayPlan extends BlockPlan {
  owner: RocketModel;
}

/** Classes a translated block can hold (jit/translate.ts): replayPass models these. */
const REPLAYABLE = new Uint8Array(256);
for (const c of [C_ALU, C_LOAD_WORD, C_LOAD_SUB, C_STORE, C_MUL, C_DIV, C_DIVW, C_BRANCH, C_JAL, C_JALR, C_FENCE_I, C_SYSTEM]) REPLAYABLE[c] = 1;
const NO_FLUSH = new Uint8Array(4096);
for (const c of NO_FLUSH_CSRS) NO_FLUSH[c] = 1;



/** Instruction-fetch exception causes (privileged spec table 3.6): the fetch itself failed. */
function isFetchFault(cause: bigint): boolean {
  return cause === 0n || cause === 1n || cause === 12n;
}

export class RocketModel {
  readonly params: CoreParams;
  private readonly reader: PageTableReader | null;
  private readonly icache: SetAssocCache;
  private readonly dcache: SetAssocCache;
  private readonly itlb: Tlb;
  private readonly dtlb: Tlb;
  private readonly bp: BranchPredictor;
  private readonly pteCache: Float64Array;
  private readonly pteStamp: Float64Array;
  private pteClock = 0;
  /** The model's scalars (SV_*) and arrays in its state region (state.ts); see bindState. */
  private sv!: Float64Array;
  private get fetchAheadBytes(): number {
    return this.sv[SV_FETCH_AHEAD_BYTES];
  }
  private set fetchAheadBytes(v: number) {
    this.sv[SV_FETCH_AHEAD_BYTES] = v;
  }
  private get pendingFetchLine(): number {
    return this.sv[SV_PENDING_FETCH_LINE];
  }
  private set pendingFetchLine(v: number) {
    this.sv[SV_PENDING_FETCH_LINE] = v;
  }
  private get pendingFetchReady(): number {
    return this.sv[SV_PENDING_FETCH_READY];
  }
  private set pendingFetchReady(v: number) {
    this.sv[SV_PENDING_FETCH_READY] = v;
  }
  private get asid(): number {
    return this.sv[SV_ASID];
  }
  private set asid(v: number) {
    this.sv[SV_ASID] = v;
  }
  private get evIcacheMisses(): number {
    return this.sv[SV_EV_ICACHE_MISSES];
  }
  private set evIcacheMisses(v: number) {
    this.sv[SV_EV_ICACHE_MISSES] = v;
  }
  private get evDcacheMisses(): number {
    return this.sv[SV_EV_DCACHE_MISSES];
  }
  private set evDcacheMisses(v: number) {
    this.sv[SV_EV_DCACHE_MISSES] = v;
  }
  private get evItlbMisses(): number {
    return this.sv[SV_EV_ITLB_MISSES];
  }
  private set evItlbMisses(v: number) {
    this.sv[SV_EV_ITLB_MISSES] = v;
  }
  private get evDtlbMisses(): number {
    return this.sv[SV_EV_DTLB_MISSES];
  }
  private set evDtlbMisses(v: number) {
    this.sv[SV_EV_DTLB_MISSES] = v;
  }
  private get evBranches(): number {
    return this.sv[SV_EV_BRANCHES];
  }
  private set evBranches(v: number) {
    this.sv[SV_EV_BRANCHES] = v;
  }
  private get evMispredicts(): number {
    return this.sv[SV_EV_MISPREDICTS];
  }
  private set evMispredicts(v: number) {
    this.sv[SV_EV_MISPREDICTS] = v;
  }
  private get evFlushes(): number {
    return this.sv[SV_EV_FLUSHES];
  }
  private set evFlushes(v: number) {
    this.sv[SV_EV_FLUSHES] = v;
  }
  private region: StateRegion;
  /** The replay of whole commit logs in WebAssembly (rocket-replay.ts). */
  private readonly wasm: WasmReplay;
  /** The stall cycles per category of the last instruction the WebAssembly replay modelled. */
  private replayStalls!: Float64Array;
  /*
   * The scalars observe uses most, as plain fields (a field load is cheaper than a typed array's); the
   * WebAssembly replay has them in sv, copied there and back around it (toRegion, fromRegion).
   */
  private now = 0;
  private lastFetchLine = NaN;
  private lastFetchPage = NaN;
  private lastCacheableLine = NaN;
  private mdFree = 0;
  private dcacheIdleIssue = 0;
  private lastStoreWord = NaN;
  private lastStoreIssue = -Infinity;
  private portBusyUntil = 0;
  private instructions = 0;
  private fencePending = false;
  private regReady!: Float64Array;
  /** What produced each register's pending result: 0 load/AMO, 1 mul/div. */
  private regProducer!: Uint8Array;
  /** F/D: when each f register's pending result is ready, and when the divide/sqrt unit is free. */
  private readonly fregReady = new Float64Array(32);
  private fdivFree = 0;
  private readonly cacheBase: Float64Array;
  private readonly cacheEnd: Float64Array;
  /** Every cacheable range starts and ends on an I-cache line boundary: a line is all cacheable or not. */
  private readonly linesUniform: boolean;
  /** The line a cacheable fetch last started in (NaN before any), when linesUniform. */
  private xpcHook: ((rec: CommitRecord) => number) | null = null;
  private readonly xpcExtra: Float64Array;
  /** The XPC engine's steps through this core's D-cache (docs/xpc.md §7). */
  readonly xpcCost: XpcCostModel;
  /** The other IPC mechanisms' steps (docs/mechanisms.md), through the same port. */
  readonly mechCost: MechCostModel;

  /** Refill cycles of an I-cache and a D-cache miss, and a dirty victim's write-back (from the parameters). */
  private readonly icacheMiss: number;
  private readonly dcacheMiss: number;
  private readonly writeback: number;
  /**
   * The parameters the per-record path reads, as own fields (one load each instead of two or three
   * through `params`; the values never change after construction).
   */
  private readonly asidTagging: boolean;
  private readonly fetchBytes: number;
  private readonly fetchQueueBytes: number;
  private readonly iLineBytes: number;
  private readonly loadLatencyWord: number;
  private readonly loadLatencySubword: number;
  private readonly csrLatency: number;
  private readonly mulUnroll: number;
  private readonly mulLatency: number;
  private readonly storeLoadWindow: number;
  private readonly replayPenalty: number;
  private readonly uncachedLatency: number;
  private readonly storeMissExtra: number;
  private readonly mispredictPenalty: number;
  private readonly decodeRedirectPenalty: number;
  /** log2 of the I-cache and D-cache line sizes (powers of two, params.ts). */
  private readonly ilineShift: number;
  private readonly dlineShift: number;
  /** The 8-byte word (paddr / 8) the last store wrote and the cycle it issued. */
  /**
   * First cycle an instruction that needs the D-cache idle can issue: 4 after the last memory access's
   * (final) execute cycle (see dcacheOrderWait).
   */
  /** The I-cache line a wrong-path fetch began to refill (NaN: none) and when its data is in. */
  /** Bytes of instructions the front end holds ahead of decode (see visibleFetchStall). */
  /** A `fence` or an AMO with aq has been decoded: the next memory instruction waits for the D-cache to drain. */
  /** Model time until which the XPC engine's background linkage push holds the D-cache port. */
  /**
   * Cycles between the start of the last record and the moment it read a counter: a CSR instruction
   * reads in writeback what it asked in execute, so the value includes its own fetch and operand stalls
   * (docs/cycle-model.md, "Counter reads"). The machine adds it to a cycle/mcycle value read.
   */
  lastReadOffset = 0;

  /** Cycles and per-category stall cycles of the last observed record. */
  lastCycles = 0;
  readonly lastStalls = new Float64Array(N_STALLS);
  /** Bit k set when lastStalls[k] is non-zero. */
  private touched = 0;
  private totalStalls!: Float64Array;
  private traps = 0;
  /** CoreStats.events, as plain number fields (no object load on the per-record path). */
  private evPageWalks = 0;
  private evPteReads = 0;

  /** The observer to hand to Machine.run. */
  readonly observer: CommitObserver;
  /** Where replayPass writes each instruction's cycles and stalls, when asked to (recordPasses). */
  private passOut: PassRecord | null = null;
  /** Who takes whole passes as sums while passOut is on (summarizePasses). */
  private passSummary: PassSummarySink | null = null;

  constructor(params: CoreParams, reader: PageTableReader | null = null) {
    this.params = params;
    this.reader = reader;
    // The state arrays, in bindState's order.
    const region = new StateRegion();
    this.region = region;
    this.bindOwn(region);
    this.icache = new SetAssocCache(params.icache.sizeBytes, params.icache.ways, params.icache.lineBytes, params.icache.replacement, true, region);
    this.dcache = new SetAssocCache(params.dcache.sizeBytes, params.dcache.ways, params.dcache.lineBytes, params.dcache.replacement, false, region);
    this.itlb = new Tlb(params.itlb.entries, params.itlb.superpageEntries, params.itlb.sectors, region);
    this.dtlb = new Tlb(params.dtlb.entries, params.dtlb.superpageEntries, params.dtlb.sectors, region);
    this.bp = new BranchPredictor(
      { entries: params.bhtEntries, counterBits: params.bhtCounterBits, historyLength: params.bhtHistoryLength, historyBits: params.bhtHistoryBits },
      params.btbEntries,
      params.rasEntries,
      region,
    );
    this.icacheMiss = params.missLatency + params.icache.lineBytes / params.busBytes + params.icacheRefillExtra;
    this.dcacheMiss = params.missLatency + params.dcache.lineBytes / params.busBytes;
    this.writeback = params.dcache.lineBytes / params.busBytes + params.writebackExtra;
    this.asidTagging = params.asidTagging;
    this.fetchBytes = params.fetchBytes;
    this.fetchQueueBytes = params.fetchQueueBytes;
    this.iLineBytes = params.icache.lineBytes;
    this.loadLatencyWord = params.loadLatencyWord;
    this.loadLatencySubword = params.loadLatencySubword;
    this.csrLatency = params.csrLatency;
    this.mulUnroll = params.mulUnroll;
    this.mulLatency = params.mulLatency;
    this.storeLoadWindow = params.storeLoadWindow;
    this.replayPenalty = params.replayPenalty;
    this.uncachedLatency = params.uncachedLatency;
    this.storeMissExtra = params.storeMissExtra;
    this.mispredictPenalty = params.mispredictPenalty;
    this.decodeRedirectPenalty = params.decodeRedirectPenalty;
    this.ilineShift = Math.log2(params.icache.lineBytes);
    this.dlineShift = Math.log2(params.dcache.lineBytes);
    this.pteCache = new Float64Array(params.pteCacheEntries).fill(NaN);
    this.pteStamp = new Float64Array(params.pteCacheEntries);
    this.cacheBase = Float64Array.from(params.cacheable.map((r) => r.base));
    this.cacheEnd = Float64Array.from(params.cacheable.map((r) => r.base + r.size));
    const ilb = params.icache.lineBytes;
    this.linesUniform = params.cacheable.every((r) => r.base % ilb === 0 && (r.base + r.size) % ilb === 0);
    // Indexed by OP_FACTS.xpcIndex: 255 (mechanism rows) reads 0.
    this.xpcExtra = new Float64Array(256);
    this.xpcExtra.set([params.xpc.xcall, params.xpc.xret, params.xpc.swapseg, params.xpc.xprefetch]);
    const port = {
      dataAccess: (pa: number, size: number, write?: boolean) => this.dataAccess(pa, size, false, write === true),
      loadLatency: params.loadLatencyWord,
      redirectPenalty: params.xretPenalty,
    };
    this.xpcCost = new XpcCostModel(params.xpc, port);
    this.mechCost = new MechCostModel(params.mech, port);
    this.observer = (rec) => this.observe(rec);
    // The model reads only what translated blocks' commit logs reproduce (types.ts, CommitObserver).
    this.observer.blockReplay = true;
    this.observer.replayPass = (f, k, cur) => this.replayPass(f, k, cur);
    this.observer.replayLog = (cur) => this.replayLog(cur);
    this.wasm = new WasmReplay({
      parts: () => ({
        params, region: this.region, sv: this.sv, regReady: this.regReady, regProducer: this.regProducer, totalStalls: this.totalStalls,
        replayStalls: this.replayStalls, icache: this.icache, dcache: this.dcache, itlb: this.itlb, dtlb: this.dtlb, bp: this.bp,
        icacheMiss: this.icacheMiss, dcacheMiss: this.dcacheMiss, writeback: this.writeback, linesUniform: this.linesUniform,
      }),
      rebind: (region) => this.bindState(region),
      toRegion: () => this.toRegion(),
      fromRegion: () => this.fromRegion(),
      asidTag: () => (this.asidTagging ? this.asid : 0),
      replayPass: (f, k, cur) => this.replayPass(f, k, cur),
      planOf: (f) => this.planOf(f),
      lastFromRegion: () => this.lastFromRegion(),
      walk: (kind, va) => this.walk(va, kind === 0 ? this.itlb : this.dtlb),
      tlbHit: (kind, vpn) => ((kind === 0 ? this.itlb : this.dtlb).lookupVpn(vpn, this.asidTagging ? this.asid : 0) ? 1 : 0),
      fenceI: () => this.icache.invalidateAll(),
    });
    this.reset();
  }

  /** The model's own state arrays from `region` (state.ts), first in bindState's order. */
  private bindOwn(region: StateRegion): void {
    this.sv = region.f64(SV_COUNT);
    this.regReady = region.f64(32);
    this.totalStalls = region.f64(N_STALLS);
    this.replayStalls = region.f64(N_STALLS);
    this.regProducer = region.u8(32);
  }

  /**
   * Take every state array again from `region`, in the constructor's order: a region of another
   * buffer copies the state over (state.ts), so the model goes on where it was.
   */
  private bindState(region: StateRegion): void {
    this.bindOwn(region);
    this.icache.bind(region);
    this.dcache.bind(region);
    this.itlb.bind(region);
    this.dtlb.bind(region);
    this.bp.bind(region);
    this.region = region;
  }

  /**
   * CommitObserver.replayLog: the whole commit log of a dispatch in WebAssembly (rocket-replay.ts), or -1
   * (nothing done) when replayPass's per-instruction output is wanted (recordPasses) or the WebAssembly
   * replay does not apply.
   */
  replayLog(cur: LogCursor): number {
    if (this.passOut === null) return this.wasm.replayLog(cur);
    return this.passSummary !== null ? this.wasm.replayLogByPass(cur, this.passSummary, this.passOut) : -1;
  }

  /**
   * With recordPasses on: let replayLog model the passes `sink` finds summable in WebAssembly, reported
   * by their totals, and the others in replayPass, reported instruction by instruction (null: every
   * pass in replayPass, replayLog declines).
   */
  summarizePasses(sink: PassSummarySink | null): void {
    this.passSummary = sink;
  }

  /** The plain-field scalars into sv, for the WebAssembly replay. */
  private toRegion(): void {
    const sv = this.sv;
    sv[SV_NOW] = this.now;
    sv[SV_LAST_FETCH_LINE] = this.lastFetchLine;
    sv[SV_LAST_FETCH_PAGE] = this.lastFetchPage;
    sv[SV_LAST_CACHEABLE_LINE] = this.lastCacheableLine;
    sv[SV_MD_FREE] = this.mdFree;
    sv[SV_DCACHE_IDLE_ISSUE] = this.dcacheIdleIssue;
    sv[SV_LAST_STORE_WORD] = this.lastStoreWord;
    sv[SV_LAST_STORE_ISSUE] = this.lastStoreIssue;
    sv[SV_PORT_BUSY_UNTIL] = this.portBusyUntil;
    sv[SV_INSTRUCTIONS] = this.instructions;
    sv[SV_FENCE_PENDING] = this.fencePending ? 1 : 0;
  }

  /** Instructions replayLog modelled in WebAssembly, and in replayPass (blocks without pass code). */
  get replayedInWasm(): number {
    return this.wasm.replayedInWasm;
  }
  get replayedInJs(): number {
    return this.wasm.replayedInJs;
  }

  /** What observe leaves for the last instruction, from what the WebAssembly replay left in sv. */
  private lastFromRegion(): void {
    // (the pass code stores its stalls only when it has any)
    this.touched = this.sv[SV_TOUCHED];
    if (this.touched !== 0) this.lastStalls.set(this.replayStalls);
    else this.lastStalls.fill(0);
    this.lastCycles = this.sv[SV_LAST_CYCLES];
  }

  /** The plain-field scalars back from sv, after the WebAssembly replay. */
  private fromRegion(): void {
    const sv = this.sv;
    this.now = sv[SV_NOW];
    this.lastFetchLine = sv[SV_LAST_FETCH_LINE];
    this.lastFetchPage = sv[SV_LAST_FETCH_PAGE];
    this.lastCacheableLine = sv[SV_LAST_CACHEABLE_LINE];
    this.mdFree = sv[SV_MD_FREE];
    this.dcacheIdleIssue = sv[SV_DCACHE_IDLE_ISSUE];
    this.lastStoreWord = sv[SV_LAST_STORE_WORD];
    this.lastStoreIssue = sv[SV_LAST_STORE_ISSUE];
    this.portBusyUntil = sv[SV_PORT_BUSY_UNTIL];
    this.instructions = sv[SV_INSTRUCTIONS];
    this.fencePending = sv[SV_FENCE_PENDING] !== 0;
  }

  /** F/D sources: wait for f registers still in flight and for a busy divide/sqrt unit. */
  private fpOperands(opId: number, raw: number, cls: number, t: number): number {
    let ready = 0;
    for (let k = 0; k < 3; k++) {
      const lo = FP_SRC_LO[k][opId];
      if (lo === 255) continue;
      const r = fpRegisterAt(raw, lo, FP_SRC_PRIME[opId]);
      if (this.fregReady[r] > ready) ready = this.fregReady[r];
    }
    if ((cls === C_FDIV_S || cls === C_FDIV_D) && this.fdivFree > ready) ready = this.fdivFree;
    if (ready > t) {
      this.stall(S_MULDIV, ready - t);
      return ready;
    }
    return t;
  }

  /** F/D destination: when its result is ready (FPU latencies, docs/cycle-model.md). */
  private fpResult(opId: number, raw: number, cls: number, at: number): void {
    const P = this.params;
    const lo = FP_DST_LO[opId];
    if (lo === 255) return;
    let latency: number;
    switch (cls) {
      case C_FP_LOAD: latency = P.fpLoadLatency; break;
      case C_FMA_S: latency = P.fmaLatencyS; break;
      case C_FMA_D: latency = P.fmaLatencyD; break;
      case C_FP_FROMINT: latency = P.fpFromIntLatency; break;
      case C_FDIV_S: latency = P.fdivLatencyS; this.fdivFree = at + latency; break;
      case C_FDIV_D: latency = P.fdivLatencyD; this.fdivFree = at + latency; break;
      default: latency = P.fpMiscLatency;
    }
    this.fregReady[fpRegisterAt(raw, lo, FP_DST_PRIME[opId])] = at + latency;
  }

  /**
   * Have replayPass write each instruction's cycles and stall breakdown of the pass it replays into the
   * returned PassRecord (on), for a profiler that reads passes instead of records; or stop (off).
   */
  recordPasses(on: boolean, capacity = 64): PassRecord | null {
    if (!on) {
      this.passOut = null;
      return null;
    }
    if (this.passOut === null) this.passOut = { cycles: new Float64Array(0), stalled: new Uint8Array(0), stalls: new Float64Array(0) };
    const out = this.passOut;
    if (out.stalled.length < capacity) {
      // Grown in place: a caller holding the record reads the new arrays through the same object.
      out.cycles = new Float64Array(capacity);
      out.stalled = new Uint8Array(capacity);
      out.stalls = new Float64Array(capacity * N_STALLS);
    }
    return out;
  }

  /** Cold caches, TLBs and predictors; counters to zero. */
  reset(): void {
    this.icache.reset();
    this.dcache.reset();
    this.itlb.flushAll();
    this.dtlb.flushAll();
    this.bp.reset();
    this.xpcCost.reset();
    this.mechCost.reset();
    this.pteCache.fill(NaN);
    this.regReady.fill(0);
    this.fregReady.fill(0);
    this.fdivFree = 0;
    this.mdFree = 0;
    this.now = 0;
    this.lastStoreWord = NaN;
    this.lastStoreIssue = -Infinity;
    this.portBusyUntil = 0;
    this.dcacheIdleIssue = 0;
    this.fencePending = false;
    this.fetchAheadBytes = 0;
    this.pendingFetchLine = NaN;
    this.pendingFetchReady = 0;
    this.lastReadOffset = 0;
    this.lastFetchLine = NaN;
    this.lastFetchPage = NaN;
    this.asid = this.reader ? Number((this.reader.satp() >> 44n) & 0xffffn) : 0;
    this.totalStalls.fill(0);
    this.lastStalls.fill(0);
    this.touched = 0;
    this.lastCycles = 0;
    this.instructions = 0;
    this.traps = 0;
    this.evIcacheMisses = this.evDcacheMisses = this.evItlbMisses = this.evDtlbMisses = 0;
    this.evPageWalks = this.evPteReads = this.evBranches = this.evMispredicts = this.evFlushes = 0;
  }

  /**
   * Extension point for the XPC engine: extra cycles of an XPC instruction beyond params.xpc's fixed
   * figures (e.g. depending on x-entry cache hits). Called only for rows of the Xpc extension.
   */
  setXpcCost(hook: ((rec: CommitRecord) => number) | null): void {
    this.xpcHook = hook;
  }

  stats(): CoreStats {
    const stalls = {} as Record<StallName, number>;
    STALL_NAMES.forEach((n, i) => (stalls[n] = this.totalStalls[i]));
    return { core: this.params.name, cycles: this.now, instructions: this.instructions, traps: this.traps, stalls, events: {
        icacheMisses: this.evIcacheMisses, dcacheMisses: this.evDcacheMisses, itlbMisses: this.evItlbMisses, dtlbMisses: this.evDtlbMisses,
        pageWalks: this.evPageWalks, pteReads: this.evPteReads, branches: this.evBranches, mispredicts: this.evMispredicts, flushes: this.evFlushes,
      },
    };
  }

  private cacheable(pa: number): boolean {
    for (let i = 0; i < this.cacheBase.length; i++) if (pa >= this.cacheBase[i] && pa < this.cacheEnd[i]) return true;
    return false;
  }

  /**
   * One D-cache access (a load, store or PTE read) of the line(s) covering [pa, pa + size). Returns extra
   * cycles: per missing line the refill (missLatency + beats), a dirty victim's write-back first, and for
   * a store the merge after the refill. `replay` adds the nacked instruction's replay to a miss.
   */
  private dataAccess(pa: number, size: number, account = true, write = false, replay = false): number {
    if (!this.cacheable(pa)) {
      if (account) this.stall(S_UNCACHED, this.uncachedLatency);
      return this.uncachedLatency;
    }
    const lb = this.params.dcache.lineBytes;
    // Line numbers: a shift for addresses below 2^32 (lineBytes is a power of two), no float division.
    const sh = this.dlineShift;
    const end = pa + size - 1;
    const first = pa >= 0 && end < 4294967296 ? pa >>> sh : Math.floor(pa / lb);
    const last = pa >= 0 && end < 4294967296 ? end >>> sh : Math.floor(end / lb);
    const cost = this.dcacheLines(first, last, write, replay);
    if (account) this.stall(S_DCACHE, cost);
    return cost;
  }

  /** The D-cache side of dataAccess for lines first..last (line numbers, not addresses: small integers). */
  private dcacheLines(first: number, last: number, write: boolean, replay: boolean): number {
    let cost = 0;
    for (let line = first; line <= last; line++) {
      const r = this.dcache.accessLine(line, write);
      if (r !== HIT) {
        this.evDcacheMisses++;
        cost += this.dcacheMiss + (r === MISS_DIRTY ? this.writeback : 0) + (write ? this.storeMissExtra : 0) + (replay ? this.replayPenalty : 0);
      }
    }
    return cost;
  }

  /**
   * dataAccess of the record's own load or store, replayed on a miss. It takes the record rather than
   * its physical address: a double passed to observe's out-of-line callee is boxed, one allocation per
   * access, while here (dataAccess inlined) it stays a machine double.
   */
  private recordDataAccess(rec: CommitRecord, write: boolean): number {
    return this.dataAccess(rec.memPaddr, rec.memSize, true, write, true);
  }

  /** The D-TLB lookup of the record's own access (the record, not its address, as recordDataAccess). */
  private recordDtlbHit(rec: CommitRecord): boolean {
    return this.dtlb.lookup(rec.memVaddr, this.asidTagging ? this.asid : 0);
  }

  /**
   * The I-cache refill of I-cache line `iline` passes the broadcast hub, which probes the D-cache `toB`
   * (rocket-chip `tilelink/Broadcast.scala`: the default filter probes every cache, `probe_perms` toB
   * for a Get). A dirty copy is written back first (ProbeAckData → PutFull) before memory is read; the
   * D-cache keeps the line read-only, so its next store upgrades it (cache.ts MISS_UPGRADE). Returns
   * the extra refill cycles. (With this memory, rocket-chip's `flushOnFenceI` is false: every manager
   * behind the hub is TRACKED, so fence.i does not flush the D-cache; `HellaCache.scala`.)
   */
  private probeDcache(iline: number): number {
    const ib = this.params.icache.lineBytes;
    const db = this.params.dcache.lineBytes;
    let cost = 0;
    const first = Math.floor((iline * ib) / db);
    const last = Math.floor((iline * ib + ib - 1) / db);
    for (let d = first; d <= last; d++) if (this.dcache.probeToShared(d) === PROBE_DIRTY) cost += this.writeback;
    return cost;
  }

  private pteCacheHit(pa: number): boolean {
    for (let i = 0; i < this.pteCache.length; i++) {
      if (this.pteCache[i] === pa) {
        this.pteStamp[i] = ++this.pteClock;
        return true;
      }
    }
    return false;
  }

  private pteCacheInsert(pa: number): void {
    if (this.pteCache.length === 0) return;
    let v = 0;
    for (let i = 0; i < this.pteCache.length; i++) {
      if (this.pteCache[i] !== this.pteCache[i]) {
        v = i;
        break;
      }
      if (this.pteStamp[i] < this.pteStamp[v]) v = i;
    }
    this.pteCache[v] = pa;
    this.pteStamp[v] = ++this.pteClock;
  }

  /**
   * Walk Sv39 page tables for va on a TLB miss (privileged spec 4.3.2), each PTE read going through
   * the PTE cache or the D-cache. Installs the leaf in `tlb`. Returns the walk's cycles.
   */
  private walk(va: number, tlb: Tlb): number {
    this.evPageWalks++;
    const P = this.params;
    if (!this.reader) {
      // No page tables to read: three PTE reads that hit the D-cache.
      this.evPteReads += 3;
      tlb.insert(va, 0, this.asid, false);
      return 3 * P.walkAccessCycles + P.walkFinishCycles;
    }
    const satp = this.reader.satp();
    let a = Number(satp & 0xfffffffffffn) * 4096;
    let cost = 0;
    let leafLevel = 0;
    let global = false;
    for (let level = 2; level >= 0; level--) {
      const vpn = Math.floor(va / 2 ** (12 + 9 * level)) & 511;
      const pteAddr = a + vpn * 8;
      this.evPteReads++;
      if (this.pteCacheHit(pteAddr)) {
        cost += P.pteCacheHitCycles;
      } else {
        cost += P.walkAccessCycles;
        cost += this.dataAccess(pteAddr, 8, false); // charged to the TLB category by the caller
      }
      const pte = this.reader.readPhys64(pteAddr);
      // The walk stops at a leaf, an invalid PTE or a pointer at level 0. Rocket's TLB takes the
      // walker's answer at the level it stopped in every case (TLB.scala `do_refill`; the entry's
      // pf/ae and permission bits then make the access fault), so a faulting page is not walked again
      // until sfence.vma.
      leafLevel = level;
      if (pte === undefined || (pte & 1n) === 0n || (pte & 6n) === 4n || (pte & 0xan) !== 0n || level === 0) {
        global = pte !== undefined && (pte & 1n) !== 0n && (pte & 0x20n) !== 0n;
        break;
      }
      this.pteCacheInsert(pteAddr);
      a = Number((pte >> 10n) & 0xfffffffffffn) * 4096;
    }
    tlb.insert(va, leafLevel, this.params.asidTagging ? this.asid : 0, global);
    return cost + P.walkFinishCycles;
  }

  /**
   * A page fault is found by a TLB lookup like any access: on a miss the walker runs first (its answer
   * is installed with the fault, see walk) and the access replays from writeback before it traps
   * (data: the D-cache nack; fetch: the front end waits for the walk). Returns the cycles, 0 when the
   * TLB already held the faulting translation or the trap is not a page fault.
   */
  private faultingTranslation(cause: bigint, tval: bigint): number {
    const isFetch = cause === 12n;
    if (!isFetch && cause !== 13n && cause !== 15n) return 0;
    const va = Number(BigInt.asIntN(64, tval));
    const tlb = isFetch ? this.itlb : this.dtlb;
    if (tlb.lookup(va, this.params.asidTagging ? this.asid : 0)) return 0;
    if (isFetch) this.evItlbMisses++;
    else this.evDtlbMisses++;
    const w = this.walk(va, tlb) + (isFetch ? 0 : this.params.replayPenalty);
    this.stall(isFetch ? S_ITLB : S_DTLB, w);
    if (isFetch) this.lastFetchPage = NaN;
    return w;
  }

  /**
   * sfence.vma's effect on the TLBs and the walker's PTE cache (va: rs1's value, null for x0; asid: rs2's,
   * null for x0). Rocket's untagged TLBs (TLB.scala, `sfence`): with rs1 the entries of that page go
   * (global ones too, whatever rs2 says), else with rs2 every non-global entry, else everything; the
   * PTE cache is cleared only without rs1 (PTW.scala: `sfence.valid && !sfence.bits.rs1`). With
   * `asidTagging` the entries are tagged and rs2 picks an ASID (privileged spec 4.2.1).
   */
  private sfence(va: number | null, asid: number | null): void {
    if (this.params.asidTagging) {
      this.flushTlbs(va, asid);
      return;
    }
    const rocketAsid = va === null && asid !== null ? 0 : null; // 0: every entry is tagged 0, so "non-global"
    this.itlb.flush(va, rocketAsid);
    this.dtlb.flush(va, rocketAsid);
    if (va === null) this.pteCache.fill(NaN);
    this.lastFetchPage = NaN;
  }

  private flushTlbs(va: number | null, asid: number | null): void {
    this.itlb.flush(va, asid);
    this.dtlb.flush(va, asid);
    this.pteCache.fill(NaN);
    this.lastFetchPage = NaN;
  }

  /**
   * The I-cache side of fetching an instruction of `size` bytes in I-cache lines firstLine..lastLine
   * (line numbers: small integers, where an address is a double that a call would box) from time t,
   * unless it is within the line the last fetch read and started in (so cacheable: lastCacheableLine is
   * only set when cacheability is the same across every line): each new line's I-cache access (a refill
   * the front end started on a wrong path finishing first), or an uncached fetch. Returns the time after it.
   */
  private fetchLines(firstLine: number, lastLine: number, cacheable: boolean, size: number, t: number): number {
    const sv = this.sv;
    if (firstLine === this.lastFetchLine && firstLine === this.lastCacheableLine && lastLine === firstLine) {
      // No I-cache access, as below.
    } else if (cacheable) {
      for (let line = firstLine; line <= lastLine; line++) {
        if (line === this.lastFetchLine) continue;
        // A refill the front end started on a wrong path must finish first (the I-cache has one).
        const pending = sv[SV_PENDING_FETCH_READY] > t ? sv[SV_PENDING_FETCH_READY] - t : 0;
        if (this.icache.accessLine(line) !== HIT) {
          sv[SV_EV_ICACHE_MISSES]++;
          const c = pending + this.visibleFetchStall(this.icacheMiss + this.probeDcache(line), size);
          this.stall(S_ICACHE, c);
          t += c;
        } else if (pending > 0 && line === sv[SV_PENDING_FETCH_LINE]) {
          this.stall(S_ICACHE, pending);
          t += pending;
        }
        this.lastFetchLine = line;
      }
      if (this.linesUniform) this.lastCacheableLine = firstLine;
    } else {
      this.stall(S_UNCACHED, this.uncachedLatency);
      t += this.uncachedLatency;
      this.lastFetchLine = NaN;
      sv[SV_FETCH_AHEAD_BYTES] = 0;
    }
    return t;
  }

  /** Cycles the instruction in `rec` costs; advances model time and the statistics. */
  observe(rec: CommitRecord): number {
    const sv = this.sv;
    const P = this.params;
    const stalls = this.lastStalls;
    // Clear only what the previous record touched (most records touch nothing).
    for (let m = this.touched, k = 0; m !== 0; m >>>= 1, k++) if ((m & 1) !== 0) stalls[k] = 0;
    this.touched = 0;
    const start = this.now;
    let t = start;
    const opId = rec.opId;

    // Fetch: I-TLB, then the I-cache (or an uncached fetch), skipped for a fault on fetch and interrupts.
    const fetched = !rec.trapped || (((rec.trapCause >> 63n) & 1n) === 0n && !isFetchFault(rec.trapCause));
    if (fetched) {
      const asidTag = this.asidTagging ? this.asid : 0;
      if ((rec.xlate & XLATE_FETCH) !== 0) {
        const page = rec.pc >= 0 && rec.pc < 4294967296 ? rec.pc >>> 12 : Math.floor(rec.pc / 4096);
        // pc - page * 4096 is pc % 4096 for pc >= 0 without a float % (a runtime call).
        const inPage = rec.pc >= 0 ? rec.pc - page * 4096 : rec.pc % 4096;
        if (page !== this.lastFetchPage || inPage + rec.size > 4096) {
          if (!this.itlb.lookup(rec.pc, asidTag)) {
            sv[SV_EV_ITLB_MISSES]++;
            const w = this.visibleFetchStall(this.walk(rec.pc, this.itlb), rec.size);
            this.stall(S_ITLB, w);
            t += w;
          }
          this.lastFetchPage = page;
        }
      } else this.lastFetchPage = NaN;
      const pa = rec.fetchPaddr;
      const pend = pa + rec.size - 1;
      const small = pa >= 0 && pend < 4294967296;
      const firstLine = small ? pa >>> this.ilineShift : Math.floor(pa / this.iLineBytes);
      const lastLine = small ? pend >>> this.ilineShift : Math.floor(pend / this.iLineBytes);
      if (firstLine !== this.lastFetchLine || firstLine !== this.lastCacheableLine || lastLine !== firstLine) {
        t = this.fetchLines(firstLine, lastLine, this.cacheable(pa), rec.size, t);
      }
    }
    const fetchStall = t - start;

    if (rec.trapped) {
      this.traps++;
      t += this.faultingTranslation(rec.trapCause, rec.trapTval);
      // An XPC instruction that faults part-way still spent the engine steps it reported.
      if (rec.xpcEvent !== 0 || rec.mechEvent !== 0) {
        const x = this.xpcCost.cost(rec) + this.mechCost.cost(rec);
        this.stall(S_XPC, x);
        t += x;
      }
      this.stall(S_TRAP, P.trapPenalty);
      this.now = t + 1 + P.trapPenalty;
      sv[SV_FETCH_AHEAD_BYTES] = 0; // the redirect to the trap vector resets the fetch queue
      return this.finish(start);
    }
    this.instructions++;
    const cls = OP_FACTS.cls[opId];

    // Operands: wait for results still in flight (scoreboard).
    const rs1 = sourceRegister1(opId, rec.raw);
    const rs2 = sourceRegister2(opId, rec.raw);
    let ready = 0;
    let producer = 0;
    if (rs1 !== 0 && this.regReady[rs1] > ready) {
      ready = this.regReady[rs1];
      producer = this.regProducer[rs1];
    }
    if (rs2 !== 0 && this.regReady[rs2] > ready) {
      ready = this.regReady[rs2];
      producer = this.regProducer[rs2];
    }
    if (ready > t) {
      this.stall(producer === 1 ? S_MULDIV : S_LOAD_USE, ready - t);
      t = ready;
    }
    if (cls >= C_FP_LOAD) t = this.fpOperands(opId, rec.raw, cls, t);
    const isMulDiv = cls === C_MUL || cls === C_DIV || cls === C_DIVW;
    if (isMulDiv && this.mdFree > t) {
      this.stall(S_MULDIV, this.mdFree - t);
      t = this.mdFree;
    }
    t = this.dcacheOrderWait(cls, rec.raw, rec.memKind !== MEM_NONE, t);
    const issue = t;
    // A counter read sees the cycles up to its own issue (docs/cycle-model.md, "Counter reads").
    this.lastReadOffset = issue - start;
    if (cls === C_CSR && this.lastReadOffset > 0 && rec.rd > 0 && ((rec.raw >>> 20) === 0xc00 || (rec.raw >>> 20) === 0xb00)) {
      // cycle/mcycle: the value read includes this instruction's own stalls before its read; the
      // machine writes the adjusted value back to rd (CommitRecord.counterReadOffset).
      rec.counterReadOffset = this.lastReadOffset;
      rec.rdValue = BigInt.asUintN(64, rec.rdValue + BigInt(this.lastReadOffset));
    }
    let post = 0;

    // Data access: D-TLB, then the D-cache (blocking: a miss stalls the pipeline). Accesses the XPC
    // relay segment translated never reach the TLB.
    const memKind = rec.memKind;
    if (memKind !== MEM_NONE) {
      if (this.portBusyUntil > issue) {
        // The D-cache port is still busy with an xcall's linkage push.
        const wait = this.portBusyUntil - issue;
        this.stall(S_XPC, wait);
        post += wait;
      }
      if ((rec.xlate & (XLATE_DATA | XLATE_RELAY)) === XLATE_DATA && !this.recordDtlbHit(rec)) {
        // Rocket: the D-TLB misses in the access's first cycle, the cache nacks it, the walker refills
        // the TLB and the instruction replays from writeback.
        sv[SV_EV_DTLB_MISSES]++;
        const w = this.walk(rec.memVaddr, this.dtlb) + this.replayPenalty;
        this.stall(S_DTLB, w);
        post += w;
      }
      const mpa = rec.memPaddr;
      const word = mpa >= 0 && mpa < 4294967296 ? mpa >>> 3 : Math.floor(mpa / 8);
      if (memKind !== MEM_STORE && word === this.lastStoreWord && issue - this.lastStoreIssue <= this.storeLoadWindow) {
        // The access reads a word a store still in the D-cache pipeline is writing: nack and replay.
        // AMOs, LR and SC read too (rocket-chip Consts.scala `isRead`; DCache.scala `s1_raw_hazard`).
        // The closer behind the store, the later the replay gets past it (measured: right behind 6,
        // one instruction between 5).
        const raw = this.replayPenalty + this.storeLoadWindow - (issue - this.lastStoreIssue);
        this.stall(S_DCACHE, raw);
        post += raw;
      }
      post += this.recordDataAccess(rec, memKind !== MEM_LOAD);
      this.dcacheIdleIssue = issue + post + 4;
      if (memKind !== MEM_LOAD) {
        this.lastStoreWord = word;
        this.lastStoreIssue = issue + post;
      }
    }

    // Result latency.
    const rd = rec.rd;
    let mdCycles = 0;
    if (isMulDiv) {
      mdCycles = cls === C_MUL && this.mulUnroll === 0
        ? this.mulLatency
        : this.mulDivOf(rec, OP_FACTS.mulDiv[opId], cls === C_MUL);
    }
    if (rd > 0) {
      let latency = 1;
      let prod = 0;
      if (cls === C_LOAD_WORD || cls === C_AMO) latency = this.loadLatencyWord;
      else if (cls === C_FP_TOINT) {
        latency = P.fpToIntLatency;
        prod = 1;
      }
      else if (cls === C_LOAD_SUB) latency = this.loadLatencySubword;
      else if (isMulDiv) {
        latency = mdCycles;
        prod = 1;
      } else if (cls === C_CSR) latency = this.csrLatency;
      this.regReady[rd] = issue + post + latency;
      this.regProducer[rd] = prod;
    }
    if (cls >= C_FP_LOAD) this.fpResult(opId, rec.raw, cls, issue + post);
    // The iterative unit takes the next request once this one's response has gone (a pipelined
    // multiplier takes one per cycle).
    if (isMulDiv) this.mdFree = cls === C_MUL && this.mulUnroll === 0 ? issue + 1 : issue + mdCycles;

    // Control flow.
    const fallThrough = rec.pc + rec.size;
    if (cls === C_BRANCH) {
      sv[SV_EV_BRANCHES]++;
      const bp = this.bp;
      bp.pc = rec.pc;
      bp.nextPc = rec.nextPc;
      bp.fallThrough = fallThrough;
      const c = this.predicted(bp.branch(rec.size, rec.taken));
      if (c > 0 && rec.nextPc !== fallThrough) this.wrongPathFetch(rec.fetchPaddr + rec.size, issue + post, c);
      post += c;
    } else if (cls === C_JAL || cls === C_JALR) {
      sv[SV_EV_BRANCHES]++;
      const rdNum = rd > 0 ? rd : 0;
      const bp = this.bp;
      bp.pc = rec.pc;
      bp.nextPc = rec.nextPc;
      bp.fallThrough = fallThrough;
      const c = this.predicted(bp.jump(rdNum, cls === C_JALR ? rs1 : -1));
      if (c > 0 && rec.nextPc !== fallThrough) this.wrongPathFetch(rec.fetchPaddr + rec.size, issue + post, c);
      post += c;
    }

    // CSR side effects: satp changes the translation context; most CSR writes flush the pipeline.
    let flush = 0;
    for (let i = 0; i < rec.csrWriteCount; i++) {
      const num = rec.csrWriteNum[i];
      if (num === CSR_SATP) {
        this.asid = Number((rec.csrWriteValue[i] >> 44n) & 0xffffn);
        if (!this.asidTagging) this.flushTlbs(null, null);
      }
      if (cls === C_CSR && NO_FLUSH[num & 0xfff] === 0
        && (P.xpc.segMaskFlush || (num !== CSR_XSEGMASK_LEN && num !== CSR_XSEGMASK_OFF))) flush = P.csrFlushPenalty;
    }
    if (cls === C_XRET) flush = P.xretPenalty;
    else if (cls === C_SFENCE) {
      flush = P.sfencePenalty;
      this.sfence(rs1 !== 0 ? Number(BigInt.asIntN(64, rec.rs1Value)) : null, rs2 !== 0 ? Number(rec.rs2Value & 0xffffn) : null);
    } else if (cls === C_FENCE_I) {
      flush = P.fenceIPenalty;
      this.icache.invalidateAll();
      this.lastFetchLine = NaN;
    } else if (cls === C_XPC) {
      const extra = this.xpcExtra[OP_FACTS.xpcIndex[opId]] + this.xpcCost.cost(rec) + this.mechCost.cost(rec) + (this.xpcHook ? this.xpcHook(rec) : 0);
      this.stall(S_XPC, extra);
      post += extra;
      if (this.xpcCost.lastPortBusy > 0) this.portBusyUntil = issue + 1 + post + this.xpcCost.lastPortBusy;
    }
    if (cls !== C_XPC && rec.xpcEvent !== 0) {
      // An XPC CSR read that the engine served from memory (csrr xcaller reads the link stack).
      const extra = this.xpcCost.cost(rec);
      this.stall(S_XPC, extra);
      post += extra;
    }
    if (flush > 0) {
      this.evFlushes++;
      this.stall(S_FLUSH, flush);
      post += flush;
    }

    this.now = issue + 1 + post;
    const redirected = flush > 0 || cls === C_XPC || (this.touched & (1 << S_MISPREDICT)) !== 0;
    this.frontEndAdvance(rec.size, this.now - start - fetchStall, redirected);
    return this.finish(start);
  }

  /**
   * What replayPass derives once per translated block from its facts (kept in ReplayFacts.plan): each
   * instruction's class and source registers, and whether its fetch needs no I-TLB or I-cache step
   * because the instruction before it in the block ended in the same cacheable I-cache line (observe
   * would find `lastFetchLine` and `lastCacheableLine` equal to its line and skip both).
   */
  private planOf(f: ReplayFacts): ReplayPlan {
    const old = f.plan as ReplayPlan | null;
    if (old !== null && old.owner === this) return old;
    const n = f.pc.length;
    const plan: ReplayPlan = { owner: this, cls: new Uint8Array(n), rs1: new Uint8Array(n), rs2: new Uint8Array(n), sameLine: new Uint8Array(n) };
    const lb = this.iLineBytes;
    for (let j = 0; j < n; j++) {
      const opId = f.id[j];
      const cls = OP_FACTS.cls[opId];
      if (REPLAYABLE[cls] === 0) throw new Error(`replayPass: class ${cls} (opcode ${opId}) in a translated block`);
      plan.cls[j] = cls;
      plan.rs1[j] = sourceRegister1(opId, f.raw[j]);
      plan.rs2[j] = sourceRegister2(opId, f.raw[j]);
      if (j === 0 || !this.linesUniform || plan.cls[j - 1] === C_FENCE_I) continue;
      const first = Math.floor(f.fetchPa[j] / lb);
      const prevFirst = Math.floor(f.fetchPa[j - 1] / lb);
      const same = first === Math.floor((f.fetchPa[j] + f.size[j] - 1) / lb) && prevFirst === first
        && Math.floor((f.fetchPa[j - 1] + f.size[j - 1] - 1) / lb) === first && this.cacheable(f.fetchPa[j]);
      plan.sameLine[j] = same ? 1 : 0;
    }
    f.plan = plan;
    return plan;
  }

  /**
   * CommitObserver.replayPass: the k instructions of one pass over a translated block, straight from the
   * commit log, with exactly observe's effect for each of them as its record would carry it. It states
   * observe's rules again for what a translated block can hold (no traps, CSRs, XPC or F/D: the tier
   * leaves those to the interpreter), without building a record per instruction and with the hot state
   * in locals; every rule beyond the scoreboard and the front end's queue is one of the helpers observe
   * calls. tests/jit-rocket-lockstep.test.ts checks that the two agree on every cycle, stall and
   * counter. Returns the cycles beyond one per instruction.
   */
  replayPass(f: ReplayFacts, k: number, cur: ReplayCursor): number {
    const cached = f.plan as ReplayPlan | null;
    const plan = cached !== null && cached.owner === this ? cached : this.planOf(f);
    const out = this.passOut;
    if (out !== null && out.stalled.length < k) this.recordPasses(true, k);
    const pcs = f.pc, sizes = f.size, evs = f.ev, rds = f.rd;
    const clsOf = plan.cls, rs1Of = plan.rs1, rs2Of = plan.rs2, sameLine = plan.sameLine;
    const regReady = this.regReady;
    const m32 = cur.m32;
    const p0 = cur.p;
    const xlateFetch = (cur.xlateFetch & XLATE_FETCH) !== 0;
    const xlateData = (cur.xlateData & XLATE_DATA) !== 0;
    const asidTag = this.asidTagging ? this.asid : 0;
    const stalls = this.lastStalls;
    const fetchBytes = this.fetchBytes, fetchQueueBytes = this.fetchQueueBytes;
    const cacheBase = this.cacheBase, cacheEnd = this.cacheEnd;
    const dsh = this.dlineShift, dlb = this.params.dcache.lineBytes;
    const passNext = cur.passNext;
    const startAll = this.now;
    let now = startAll;
    let fab = this.fetchAheadBytes;
    let lastCycles = 0;
    for (let j = 0; j < k; j++) {
      if (this.touched !== 0) {
        for (let m = this.touched, q = 0; m !== 0; m >>>= 1, q++) if ((m & 1) !== 0) stalls[q] = 0;
        this.touched = 0;
      }
      const start = now;
      let t = start;
      const pc = pcs[j];
      const size = sizes[j];
      const cls = clsOf[j];

      // Fetch (observe's rules for a fetched instruction).
      if (sameLine[j] === 0) {
        this.fetchAheadBytes = fab;
        if (xlateFetch) {
          const page = pc >= 0 && pc < 4294967296 ? pc >>> 12 : Math.floor(pc / 4096);
          const inPage = pc >= 0 ? pc - page * 4096 : pc % 4096;
          if (page !== this.lastFetchPage || inPage + size > 4096) {
            if (!this.itlb.lookup(pc, asidTag)) {
              this.evItlbMisses++;
              // The walk reads memory as it was at this instruction (ReplayCursor).
              cur.p = p0 + f.evEnd[j];
              cur.j = j + 1;
              const w = this.visibleFetchStall(this.walk(pc, this.itlb), size);
              this.stall(S_ITLB, w);
              t += w;
            }
            this.lastFetchPage = page;
          }
        } else this.lastFetchPage = NaN;
        const pa = f.fetchPa[j];
        const pend = pa + size - 1;
        const small = pa >= 0 && pend < 4294967296;
        const firstLine = small ? pa >>> this.ilineShift : Math.floor(pa / this.iLineBytes);
        const lastLine = small ? pend >>> this.ilineShift : Math.floor(pend / this.iLineBytes);
        if (firstLine !== this.lastFetchLine || firstLine !== this.lastCacheableLine || lastLine !== firstLine) {
          let cacheable = false;
          for (let r = 0; r < cacheBase.length; r++) if (pa >= cacheBase[r] && pa < cacheEnd[r]) cacheable = true;
          t = this.fetchLines(firstLine, lastLine, cacheable, size, t);
        }
        fab = this.fetchAheadBytes;
      }
      const fetchStall = t - start;

      // Operands (observe's scoreboard).
      const rs1 = rs1Of[j];
      const rs2 = rs2Of[j];
      let ready = 0;
      let producer = 0;
      if (rs1 !== 0 && regReady[rs1] > ready) {
        ready = regReady[rs1];
        producer = this.regProducer[rs1];
      }
      if (rs2 !== 0 && regReady[rs2] > ready) {
        ready = regReady[rs2];
        producer = this.regProducer[rs2];
      }
      if (ready > t) {
        this.stall(producer === 1 ? S_MULDIV : S_LOAD_USE, ready - t);
        t = ready;
      }
      const isMulDiv = cls === C_MUL || cls === C_DIV || cls === C_DIVW;
      if (isMulDiv && this.mdFree > t) {
        this.stall(S_MULDIV, this.mdFree - t);
        t = this.mdFree;
      }
      const ev = evs[j];
      const isMem = ev === LOG_EV_LOAD || ev === LOG_EV_STORE;
      if (this.fencePending || cls === C_FENCE_I || cls === C_SYSTEM) t = this.dcacheOrderWait(cls, f.raw[j], isMem, t);
      const issue = t;
      let post = 0;

      // Data access (observe's).
      const w = (p0 + f.evOff[j]) >> 2;
      if (isMem) {
        if (this.portBusyUntil > issue) {
          const wait = this.portBusyUntil - issue;
          this.stall(S_XPC, wait);
          post += wait;
        }
        if (xlateData) {
          const va = m32[w + 1] * 4294967296 + (m32[w] >>> 0);
          if (!this.dtlb.lookupVpn(Math.floor(va / 4096), asidTag)) {
            this.evDtlbMisses++;
            cur.p = p0 + f.evEnd[j];
            cur.j = j + 1;
            const wk = this.walk(va, this.dtlb) + this.replayPenalty;
            this.stall(S_DTLB, wk);
            post += wk;
          }
        }
        const idx = m32[w + 2];
        const mpa = idx >= cur.ramSplit ? idx + cur.ramBias : idx + cur.romBias;
        const word = mpa >= 0 && mpa < 4294967296 ? mpa >>> 3 : Math.floor(mpa / 8);
        if (ev === LOG_EV_LOAD && word === this.lastStoreWord && issue - this.lastStoreIssue <= this.storeLoadWindow) {
          const rawHazard = this.replayPenalty + this.storeLoadWindow - (issue - this.lastStoreIssue);
          this.stall(S_DCACHE, rawHazard);
          post += rawHazard;
        }
        // dataAccess, with the cacheable check here: an address passed to a call is a boxed double.
        let cacheable = false;
        for (let r = 0; r < cacheBase.length; r++) if (mpa >= cacheBase[r] && mpa < cacheEnd[r]) cacheable = true;
        if (cacheable) {
          const end = mpa + f.memSize[j] - 1;
          const small = mpa >= 0 && end < 4294967296;
          const cost = this.dcacheLines(small ? mpa >>> dsh : Math.floor(mpa / dlb), small ? end >>> dsh : Math.floor(end / dlb), ev === LOG_EV_STORE, true);
          if (cost !== 0) this.stall(S_DCACHE, cost);
          post += cost;
        } else {
          this.stall(S_UNCACHED, this.uncachedLatency);
          post += this.uncachedLatency;
        }
        this.dcacheIdleIssue = issue + post + 4;
        if (ev === LOG_EV_STORE) {
          this.lastStoreWord = word;
          this.lastStoreIssue = issue + post;
        }
      }

      // Result latency (observe's, for the classes a block holds).
      const rd = rds[j];
      let mdCycles = 0;
      if (isMulDiv) {
        mdCycles = cls === C_MUL && this.mulUnroll === 0
          ? this.mulLatency
          : mulDivCyclesHalves(OP_FACTS.mulDiv[f.id[j]], cls === C_MUL, m32[w], m32[w + 1], m32[w + 2], m32[w + 3], this.mulUnroll, this.params.mulEarlyOut, this.params.divEarlyOut);
      }
      if (rd > 0) {
        let latency = 1;
        let prod = 0;
        if (cls === C_LOAD_WORD) latency = this.loadLatencyWord;
        else if (cls === C_LOAD_SUB) latency = this.loadLatencySubword;
        else if (isMulDiv) {
          latency = mdCycles;
          prod = 1;
        }
        regReady[rd] = issue + post + latency;
        this.regProducer[rd] = prod;
      }
      if (isMulDiv) this.mdFree = cls === C_MUL && this.mulUnroll === 0 ? issue + 1 : issue + mdCycles;

      // Control flow (observe's).
      let redirected = false;
      if (cls === C_BRANCH || cls === C_JAL || cls === C_JALR) {
        const nextPc = j + 1 < k ? pcs[j + 1] : passNext;
        const fallThrough = pc + size;
        this.evBranches++;
        const bp = this.bp;
        bp.pc = pc;
        bp.nextPc = nextPc;
        bp.fallThrough = fallThrough;
        const c = this.predicted(cls === C_BRANCH ? bp.branch(size, nextPc !== fallThrough) : bp.jump(rd > 0 ? rd : 0, cls === C_JALR ? rs1 : -1));
        if (c > 0 && nextPc !== fallThrough) {
          this.fetchAheadBytes = fab;
          this.wrongPathFetch(f.fetchPa[j] + size, issue + post, c);
        }
        post += c;
        redirected = (this.touched & (1 << S_MISPREDICT)) !== 0;
      } else if (cls === C_FENCE_I) {
        const flush = this.params.fenceIPenalty;
        this.icache.invalidateAll();
        this.lastFetchLine = NaN;
        if (flush > 0) {
          this.evFlushes++;
          this.stall(S_FLUSH, flush);
          post += flush;
          redirected = true;
        }
      }
      now = issue + 1 + post;
      // The front end's queue (frontEndAdvance).
      if (redirected) fab = 0;
      else {
        const b = fab + fetchBytes * (now - start - fetchStall) - size;
        fab = b < 0 ? 0 : b > fetchQueueBytes ? fetchQueueBytes : b;
      }
      // finish
      lastCycles = now - start;
      if (this.touched !== 0) {
        for (let m = this.touched, q = 0; m !== 0; m >>>= 1, q++) if ((m & 1) !== 0) this.totalStalls[q] += stalls[q];
      }
      if (out !== null) {
        out.cycles[j] = lastCycles;
        out.stalled[j] = this.touched !== 0 ? 1 : 0;
        if (this.touched !== 0) out.stalls.set(stalls, j * N_STALLS);
      }
    }
    this.now = now;
    this.fetchAheadBytes = fab;
    this.instructions += k;
    this.lastCycles = lastCycles;
    cur.p = p0 + (k > 0 ? f.evEnd[k - 1] : 0);
    cur.j = k;
    return now - startAll - k;
  }

  /**
   * A control transfer that went elsewhere than the front end's fall-through guess: until the redirect
   * (`redirectCycles` after `issue`) the front end kept fetching sequentially from `fallThroughPa`, one
   * `fetchBytes` packet a cycle beyond what its queue already held. A line it reached that misses the
   * I-cache is refilled then (Rocket refills on speculative fetches: Frontend.scala
   * `s2_can_speculatively_refill`), so a later fetch of that line waits only for the rest of the refill,
   * and one of another line waits for it to finish. Only the next line, in the same page, is followed.
   */
  private wrongPathFetch(fallThroughPa: number, issue: number, redirectCycles: number): void {
    if (this.pendingFetchReady > issue) return;
    const P = this.params;
    const lb = P.icache.lineBytes;
    const line = Math.floor((fallThroughPa - 1) / lb) + 1;
    const lineStart = line * lb;
    const reach = fallThroughPa + this.fetchAheadBytes + P.fetchBytes * redirectCycles;
    if (lineStart >= reach || Math.floor(lineStart / 4096) !== Math.floor((fallThroughPa - 1) / 4096)) return;
    if (!this.cacheable(lineStart) || this.icache.contains(lineStart)) return;
    this.icache.accessLine(line);
    this.evIcacheMisses++;
    const lead = lineStart - fallThroughPa - this.fetchAheadBytes;
    this.pendingFetchLine = line;
    this.pendingFetchReady = issue + (lead > 0 ? Math.ceil(lead / P.fetchBytes) : 0) + this.icacheMiss + this.probeDcache(line);
  }

  /**
   * The part of a front-end stall (an I-TLB walk or an I-cache refill) that decode sees. Rocket's front
   * end runs ahead of decode into its fetch queue (Frontend.scala: `fq`, a 5-entry ShiftQueue of
   * `fetchBytes`-wide packets, refilled while decode is busy): it meets a miss while the core still has
   * the buffered instructions to issue, one a cycle at least, so that many cycles of the miss are hidden.
   * The queue is empty afterwards.
   */
  private visibleFetchStall(cycles: number, size: number): number {
    const ahead = Math.floor(this.fetchAheadBytes / size);
    this.fetchAheadBytes = 0;
    return ahead >= cycles ? 0 : cycles - ahead;
  }

  /**
   * The front end fetched `fetchBytes` a cycle while the core spent `busyCycles` on an instruction of
   * `size` bytes (beyond its own fetch stall); the queue keeps at most `fetchQueueBytes`. A redirect from
   * the core (misprediction, predecoder redirect, trap, xret, pipeline flush) resets the queue
   * (Frontend.scala: `fq` is reset by `io.cpu.req.valid`); a taken branch the BTB predicted does not.
   */
  private frontEndAdvance(size: number, busyCycles: number, redirected: boolean): void {
    const sv = this.sv;
    if (redirected) {
      sv[SV_FETCH_AHEAD_BYTES] = 0;
      return;
    }
    const b = sv[SV_FETCH_AHEAD_BYTES] + this.fetchBytes * busyCycles - size;
    sv[SV_FETCH_AHEAD_BYTES] = b < 0 ? 0 : b > this.fetchQueueBytes ? this.fetchQueueBytes : b;
  }

  /**
   * Decode waits for the D-cache to be idle (rocket-chip `RocketCore.scala`: `id_mem_busy =
   * !io.dmem.ordered || io.dmem.req.valid`, `ordered` false while an access is in the cache's s1 or s2
   * stage or a refill is outstanding, `DCache.scala`) for `fence.i`, an AMO/LR/SC with `rl`, and any
   * memory instruction after a `fence` or an AMO with `aq` (`id_reg_fence`). An access in execute at
   * cycle c keeps the cache busy through c + 2, so the waiting instruction issues at c + 4 at the
   * earliest. Returns the (possibly later) issue time.
   */
  private dcacheOrderWait(cls: number, raw: number, isMem: boolean, t: number): number {
    const isAmo = cls === C_AMO;
    let wait = cls === C_FENCE_I || (isAmo && (raw & 0x02000000) !== 0);
    if (this.fencePending && (isMem || cls === C_SFENCE)) {
      wait = true;
      this.fencePending = false;
    }
    if ((cls === C_SYSTEM && (raw & 0x707f) === 0x000f) || (isAmo && (raw & 0x04000000) !== 0)) this.fencePending = true;
    if (!wait || this.dcacheIdleIssue <= t) return t;
    this.stall(S_DCACHE, this.dcacheIdleIssue - t);
    return this.dcacheIdleIssue;
  }

  /** mulDivCycles of the record's operands: its int32 halves when it has them (the machine's), else its bigints. */
  private mulDivOf(rec: CommitRecord, shape: number, isMul: boolean): number {
    const P = this.params;
    const r = rec as CommitRecord & { rs1Lo?: number; rs1Hi?: number; rs2Lo?: number; rs2Hi?: number };
    if (r.rs1Lo !== undefined && r.rs1Hi !== undefined && r.rs2Lo !== undefined && r.rs2Hi !== undefined) {
      return mulDivCyclesHalves(shape, isMul, r.rs1Lo, r.rs1Hi, r.rs2Lo, r.rs2Hi, P.mulUnroll, P.mulEarlyOut, P.divEarlyOut);
    }
    return mulDivCycles(shape, isMul, rec.rs1Value, rec.rs2Value, P.mulUnroll, P.mulEarlyOut, P.divEarlyOut);
  }

  /** Cycles a control transfer's prediction outcome costs (branch.ts PRED_*). */
  private predicted(outcome: number): number {
    if (outcome === PRED_OK) return 0;
    const c = outcome === PRED_REDIRECT ? this.decodeRedirectPenalty : this.mispredictPenalty;
    if (outcome === PRED_WRONG) this.evMispredicts++;
    this.stall(S_MISPREDICT, c);
    return c;
  }

  private stall(k: number, cycles: number): void {
    this.lastStalls[k] += cycles;
    this.touched |= 1 << k;
  }

  private finish(start: number): number {
    const cycles = this.now - start;
    this.lastCycles = cycles;
    for (let m = this.touched, k = 0; m !== 0; m >>>= 1, k++) if ((m & 1) !== 0) this.totalStalls[k] += this.lastStalls[k];
    return cycles;
  }
}
