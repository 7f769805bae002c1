// The hand-over between the Rocket model (rocket.ts) and its replay in WebAssembly (rocket-wasm.ts): the
// model's state moved into a machine's memory (layout.ts MODEL_STATE_OFF) and back, the offsets and
// parameters the replay code is built for, the loop over one dispatch's commit log that runs the
// WebAssembly replay and hands a pass without pass code to the model's replayPass, and the per-block
// plans the pass code is compiled from (rocket-wasm-block.ts). docs/machine.md, "The replay in
// WebAssembly". The model reaches it only through replayLog, once per dispatch; it reaches the model only
// through a ReplayPort (closures over the model's own fields), so imports run one way: rocket.ts -> here.

import { XLATE_DATA, XLATE_FETCH, type LogCursor, type ReplayFacts } from '../types.js';
import { C_BRANCH, C_DIV, C_DIVW, C_FENCE_I, C_JAL, C_JALR, C_LOAD_SUB, C_LOAD_WORD, C_MUL, C_SYSTEM, OP_FACTS } from './classes.js';
import type { BranchPredictor } from './branch.js';
import type { SetAssocCache } from './cache.js';
import type { CoreParams } from './params.js';
import type { Tlb } from './tlb.js';
import { StateRegion } from './state.js';
import * as L from '../layout.js';
import {
  F_BRANCH, F_CTRL, F_FENCE, F_FENCE_I, F_JALR, F_MULDIV, F_ORDER, F_PIPE_MUL, LAT_MULDIV, LAT_ONE, LAT_SUB, LAT_WORD,
  REPLAY_DONE, REPLAY_NEED_PLAN, REPLAY_OTHER_RANGE, REPLAY_TUNING, replayEngine, type CacheSpec, type ReplaySpec, type TlbSpec,
} from './rocket-wasm.js';
import type { PlanInsn } from './rocket-wasm-block.js';
import { RAM_BASE, ROM_BASE } from '../hart-state.js';
import {
  N_STALLS, S_DCACHE, S_DTLB, S_FLUSH, S_ICACHE, S_ITLB, S_LOAD_USE, S_MISPREDICT, S_MULDIV, S_UNCACHED, S_XPC, SV_ASID_TAG, SV_CURSOR,
  SV_DCACHE_IDLE_ISSUE, SV_EV_BRANCHES, SV_EV_DCACHE_MISSES, SV_EV_DTLB_MISSES, SV_EV_FLUSHES, SV_EV_ICACHE_MISSES, SV_EV_ITLB_MISSES,
  SV_EV_MISPREDICTS, SV_FENCE_PENDING, SV_FETCH_AHEAD_BYTES, SV_INSTRUCTIONS, SV_LAST_CACHEABLE_LINE, SV_LAST_CYCLES,
  SV_LAST_FETCH_LINE, SV_LAST_FETCH_PAGE, SV_LAST_STORE_ISSUE, SV_LAST_STORE_WORD, SV_MD_FREE, SV_NOW, SV_PENDING_FETCH_LINE,
  SV_PENDING_FETCH_READY, SV_PORT_BUSY_UNTIL, SV_TOUCHED, SV_XLATE_DATA, SV_XLATE_FETCH, type PassRecord, type PassSummarySink,
} from './rocket-slots.js';

/** Per instruction of a translated block, what the model's planOf derives once (rocket.ts). */
export interface BlockPlan {
  cls: Uint8Array;
  rs1: Uint8Array;
  rs2: Uint8Array;
  /** 1: the fetch needs no I-TLB or I-cache step (in the same cacheable line as the instruction before it). */
  sameLine: Uint8Array;
}

/** The model's state arrays and the figures the replay code is built with (read when it attaches). */
export interface ReplayParts {
  params: CoreParams;
  region: StateRegion;
  sv: Float64Array;
  regReady: Float64Array;
  regProducer: Uint8Array;
  totalStalls: Float64Array;
  replayStalls: Float64Array;
  icache: SetAssocCache;
  dcache: SetAssocCache;
  itlb: Tlb;
  dtlb: Tlb;
  bp: BranchPredictor;
  icacheMiss: number;
  dcacheMiss: number;
  writeback: number;
  linesUniform: boolean;
}

/** What the replay asks of the model (RocketModel builds it from closures over its own fields). */
export interface ReplayPort {
  parts(): ReplayParts;
  /** Take every state array again from `region` (the model's bindState). */
  rebind(region: StateRegion): void;
  /** The plain-field scalars into sv and back (the model keeps the hottest ones as fields). */
  toRegion(): void;
  fromRegion(): void;
  /** sv[SV_ASID_TAG]: the ASID TLB entries are tagged with now. */
  asidTag(): number;
  /** The model's JavaScript replay of one pass (CommitObserver.replayPass). */
  replayPass(f: ReplayFacts, k: number, cur: LogCursor): number;
  planOf(f: ReplayFacts): BlockPlan;
  /** Take lastCycles and lastStalls from what the WebAssembly replay left for the last instruction. */
  lastFromRegion(): void;
  /** The walker (kind 0: I-TLB, 1: D-TLB), the TLB scan the replay imports, and fence.i's I-cache flush. */
  walk(kind: number, va: number): number;
  tlbHit(kind: number, vpn: number): number;
  fenceI(): void;
}

/** Which replay's model state is in a memory's model region (layout.ts MODEL_STATE_OFF): at most one at a time. */
const regionHolders = new WeakMap<WebAssembly.Memory, WasmReplay>();

/** The WebAssembly replay of a model attached to a memory, and views of that memory. */
interface ReplayEngine {
  memory: WebAssembly.Memory;
  run: (p: number, end: number) => number;
  runRange: (p: number, end: number, lo: number) => number;
  setBlock: (idx: number, insns: readonly PlanInsn[]) => void;
  i32: Int32Array;
  f64: Float64Array;
}

export class WasmReplay {
  /** Whether replayLog may run the WebAssembly replay, and the one attached now. */
  private enabled: boolean;
  private engine: ReplayEngine | null = null;
  /** The log replayLog is replaying (for the walker's imports). */
  private logCursor: LogCursor | null = null;
  /** Instructions replayLog modelled in WebAssembly, and in replayPass (blocks without pass code). */
  replayedInWasm = 0;
  replayedInJs = 0;

  constructor(private readonly port: ReplayPort) {
    const m = port.parts();
    const P = m.params;
    // The WebAssembly replay knows Rocket's random replacement only, and a predictor with every part.
    this.enabled = m.icache.random && m.dcache.random && m.icache.setMask >= 0 && m.dcache.setMask >= 0
      && P.btbEntries > 0 && P.rasEntries > 0 && P.bhtEntries > 0 && typeof WebAssembly === 'object';
  }

  /**
   * CommitObserver.replayLog: the whole commit log of a dispatch in WebAssembly (rocket-wasm.ts) over
   * the model's state, moved into the machine's memory the first time; a pass whose block has no plan
   * (no room left for plans, or not run often enough yet) goes to the model's replayPass. -1 (nothing
   * done) when the WebAssembly replay does not apply: the parameters or the state's size are beyond what
   * it handles. Otherwise the cycles beyond one per instruction.
   */
  replayLog(cur: LogCursor): number {
    const eng = this.begin(cur);
    if (eng === null) return -1;
    const sv = eng.sv;
    const start = sv[SV_NOW];
    const instructions = sv[SV_INSTRUCTIONS];
    const end = cur.end;
    let p = L.JIT_LOG_OFF;
    let wasmLast = false;
    let js = 0;
    while (p < end) {
      const r = eng.run(p, end);
      const at = sv[SV_CURSOR];
      if (at > p) wasmLast = true;
      if (r === REPLAY_DONE) break;
      p = at;
      if (r === REPLAY_NEED_PLAN && this.planDue(eng, cur, p)) continue;
      js += this.passInJs(cur, p);
      p = cur.p;
      wasmLast = false;
    }
    return this.finish(eng, start, instructions, js, wasmLast);
  }

  /**
   * replayLog for a profiler (RocketModel.summarizePasses): passes `sink` finds summable in WebAssembly
   * like replayLog, a run of them that count towards one entry of its report in one go, reported to it by
   * their cycles and the stall totals they added; any other pass, and one without pass code, in the
   * model's replayPass with its per-instruction figures in `out`. The same model state and the same
   * cycles as replayLog.
   */
  replayLogByPass(cur: LogCursor, sink: PassSummarySink, out: PassRecord): number {
    const eng = this.begin(cur);
    if (eng === null) return -1;
    const totals = this.port.parts().totalStalls;
    const before = this.stallsBefore;
    const added = this.stallsAdded;
    const sv = eng.sv;
    const start = sv[SV_NOW];
    const instructions = sv[SV_INSTRUCTIONS];
    const end = cur.end;
    const priv = cur.priv;
    let p = L.JIT_LOG_OFF;
    let wasmLast = false;
    let js = 0;
    while (p < end) {
      const f = cur.enterPass(p);
      if (sink.summable(f.pc, cur.passLength, priv)) {
        // This pass and the ones after it within the same function, in one run of the replay.
        const now0 = sv[SV_NOW];
        const ins0 = sv[SV_INSTRUCTIONS];
        before.set(totals);
        const r = eng.runRange(p, end, sink.runStart());
        const at = r === REPLAY_DONE ? end : sv[SV_CURSOR];
        const moved = at > p;
        if (moved) {
          for (let q = 0; q < N_STALLS; q++) added[q] = totals[q] - before[q];
          sink.summed(sv[SV_INSTRUCTIONS] - ins0, sv[SV_NOW] - now0, added);
          wasmLast = true;
          p = at;
        }
        if (r === REPLAY_DONE || (r === REPLAY_OTHER_RANGE && moved)) continue;
        if (r === REPLAY_OTHER_RANGE) {
          // The pass is in the current function (summable said so): if its block's function is not known
          // yet, note it and how many of the block's first instructions are in it (a translated block
          // runs on past side exits, and may follow a jump out of the function).
          const slot = (L.MODEL_PLAN_RANGE_OFF >> 3) + 2 * eng.i32[p >> 2];
          if (Number.isNaN(eng.f64[slot])) {
            const lo = sink.runStart();
            const hi = sink.runEnd();
            const pcs = cur.factsAt(p).pc;
            let n = 0;
            while (n < pcs.length && pcs[n] >= lo && pcs[n] < hi) n++;
            eng.f64[slot] = lo;
            eng.f64[slot + 1] = n;
            continue;
          }
        }
        if (r === REPLAY_NEED_PLAN && this.planDue(eng, cur, p)) continue;
        // Stopped at a pass without pass code, or at one whose block leaves the function before the pass
        // ends although its instructions do not: replayPass, instruction by instruction.
      }
      const k = this.passInJs(cur, p);
      sink.each(cur.factsAt(p).pc, k, priv, out);
      js += k;
      p = cur.p;
      wasmLast = false;
    }
    return this.finish(eng, start, instructions, js, wasmLast);
  }

  /** The replay over cur's memory with the model's state there and the run's translation flags set (null: not applicable). */
  private begin(cur: LogCursor): (ReplayEngine & { sv: Float64Array }) | null {
    if (!this.enabled) return null;
    const eng = this.engineFor(cur.memory);
    if (eng === null) return null;
    const port = this.port;
    this.logCursor = cur;
    port.toRegion();
    const sv = eng.sv;
    sv[SV_XLATE_FETCH] = (cur.xlateFetch & XLATE_FETCH) !== 0 ? 1 : 0;
    sv[SV_XLATE_DATA] = (cur.xlateData & XLATE_DATA) !== 0 ? 1 : 0;
    sv[SV_ASID_TAG] = port.asidTag();
    return eng;
  }

  /**
   * The pass at p stopped the replay for want of pass code: true when its block has now run often enough
   * and got pass code (replay the pass again); else one more of its passes is counted, for replayPass.
   */
  private planDue(eng: ReplayEngine, cur: LogCursor, p: number): boolean {
    const w = (L.MODEL_PLAN_INDEX_OFF >> 2) + eng.i32[p >> 2];
    if (eng.i32[w] <= -REPLAY_TUNING.compileAfter + 1) {
      this.writePlan(eng, cur, p);
      return true;
    }
    eng.i32[w]--;
    return false;
  }

  /** The pass at p in the model's replayPass (cur.p is after it then): its instruction count. */
  private passInJs(cur: LogCursor, p: number): number {
    const f = cur.enterPass(p);
    const k = cur.passLength;
    const port = this.port;
    port.fromRegion();
    port.replayPass(f, k, cur);
    port.toRegion();
    this.replayedInJs += k;
    return k;
  }

  /** The end of a replay begun at `start` cycles and `instructions`, js of them in replayPass: the cycles beyond one per instruction. */
  private finish(eng: ReplayEngine & { sv: Float64Array }, start: number, instructions: number, js: number, wasmLast: boolean): number {
    const sv = eng.sv;
    this.logCursor = null;
    const cycles = sv[SV_NOW] - start - (sv[SV_INSTRUCTIONS] - instructions);
    this.replayedInWasm += sv[SV_INSTRUCTIONS] - instructions - js;
    this.port.fromRegion();
    if (wasmLast) this.port.lastFromRegion();
    return cycles;
  }

  /** replayLogByPass's stall totals before a pass and what the pass added. */
  private readonly stallsBefore = new Float64Array(N_STALLS);
  private readonly stallsAdded = new Float64Array(N_STALLS);

  /** The replay over `memory`, the state moved there first (from another memory or the private region). */
  private engineFor(memory: WebAssembly.Memory): (ReplayEngine & { sv: Float64Array }) | null {
    const old = this.engine;
    if (old !== null && old.memory === memory) return old as ReplayEngine & { sv: Float64Array };
    const port = this.port;
    if (StateRegion.bytesOf(port.parts().region.views) > L.MODEL_STATE_END - L.MODEL_STATE_OFF || memory.buffer.byteLength < L.RAM_OFF) {
      this.enabled = false;
      return null;
    }
    const holder = regionHolders.get(memory);
    if (holder !== undefined && holder !== this) holder.detach();
    if (old !== null) regionHolders.delete(old.memory);
    port.rebind(new StateRegion(memory.buffer, L.MODEL_STATE_OFF, L.MODEL_STATE_END, port.parts().region.views));
    regionHolders.set(memory, this);
    const i32 = new Int32Array(memory.buffer);
    // Pass code another model made is not this one's.
    i32.fill(0, L.MODEL_PLAN_INDEX_OFF >> 2, (L.MODEL_PLAN_INDEX_OFF >> 2) + L.MODEL_PLAN_BLOCKS + 1);
    const parts = port.parts();
    const eng = replayEngine(replaySpec(parts), memory, {
      tlbScan: (kind, vpn) => port.tlbHit(kind, vpn),
      walk: (kind, va, header, j, p) => {
        this.logCursor!.seek(header, j, p);
        return port.walk(kind, va);
      },
      fenceI: () => port.fenceI(),
    });
    const attached = { memory, run: eng.run, runRange: eng.runRange, setBlock: eng.setBlock, i32, f64: new Float64Array(memory.buffer), sv: parts.sv };
    this.engine = attached;
    return attached;
  }

  /** Move the state back to a private region (another model takes the memory's region). */
  private detach(): void {
    if (this.engine === null) return;
    regionHolders.delete(this.engine.memory);
    this.port.rebind(new StateRegion(null, 0, 0, this.port.parts().region.views));
    this.engine = null;
  }

  /** The block of the pass at `header` gets its pass function (rocket-wasm-block.ts). */
  private writePlan(eng: ReplayEngine, cur: LogCursor, header: number): void {
    const i32 = eng.i32;
    const idx = i32[header >> 2];
    const f = cur.factsAt(header);
    const plan = this.port.planOf(f);
    const mulUnroll = this.port.parts().params.mulUnroll;
    const insns: PlanInsn[] = [];
    for (let j = 0; j < f.pc.length; j++) {
      const cls = plan.cls[j];
      const isMulDiv = cls === C_MUL || cls === C_DIV || cls === C_DIVW;
      let flags = 0;
      if (isMulDiv) flags |= F_MULDIV;
      if (cls === C_SYSTEM && (f.raw[j] & 0x707f) === 0x000f) flags |= F_FENCE;
      if (cls === C_BRANCH || cls === C_JAL || cls === C_JALR) flags |= F_CTRL;
      if (cls === C_FENCE_I || cls === C_SYSTEM) flags |= F_ORDER;
      if (cls === C_FENCE_I) flags |= F_FENCE_I;
      if (cls === C_MUL && mulUnroll === 0) flags |= F_PIPE_MUL;
      if (cls === C_BRANCH) flags |= F_BRANCH;
      if (cls === C_JALR) flags |= F_JALR;
      insns.push({
        pc: f.pc[j], fetchPa: f.fetchPa[j], cls, rs1: plan.rs1[j], rs2: plan.rs2[j], rd: f.rd[j] > 0 ? f.rd[j] : 0, size: f.size[j],
        sameLine: plan.sameLine[j] === 1, ev: f.ev[j], memSize: f.memSize[j], flags, mdShape: isMulDiv ? OP_FACTS.mulDiv[f.id[j]] : 0,
        lat: cls === C_LOAD_WORD ? LAT_WORD : cls === C_LOAD_SUB ? LAT_SUB : isMulDiv ? LAT_MULDIV : LAT_ONE,
        evBytes: f.evEnd[j] - f.evOff[j], isMul: cls === C_MUL,
      });
    }
    eng.setBlock(idx, insns);
    // Its function for replayRange: not known yet (replayLogByPass finds it when it first meets the block).
    eng.f64[(L.MODEL_PLAN_RANGE_OFF >> 3) + 2 * idx] = NaN;
    eng.f64[(L.MODEL_PLAN_RANGE_OFF >> 3) + 2 * idx + 1] = 0;
    i32[(L.MODEL_PLAN_INDEX_OFF >> 2) + idx] = 1;
  }
}

/** Offsets and parameters of the replay code (rocket-wasm.ts), for the state where it is now. */
function replaySpec(m: ReplayParts): ReplaySpec {
  const P = m.params;
  const cache = (c: SetAssocCache): CacheSpec => ({
    tags: c.tags.byteOffset, dirty: c.dirty.byteOffset, readOnly: c.readOnly.byteOffset, scalars: c.scalars.byteOffset,
    setMask: c.setMask, ways: c.ways, stepBeforePick: c.stepBeforePick,
  });
  const tlb = (t: Tlb): TlbSpec => ({
    stamps: t.stamps.byteOffset, scalars: t.scalars.byteOffset, memoVpn: t.memoVpn.byteOffset, memoAsid: t.memoAsid.byteOffset,
    memoIndex: t.memoIndex.byteOffset, memoGen: t.memoGen.byteOffset,
  });
  const bp = m.bp;
  const slots: Record<string, number> = {
    now: SV_NOW, fetchAheadBytes: SV_FETCH_AHEAD_BYTES, mdFree: SV_MD_FREE, lastFetchLine: SV_LAST_FETCH_LINE,
    lastFetchPage: SV_LAST_FETCH_PAGE, lastCacheableLine: SV_LAST_CACHEABLE_LINE, lastStoreWord: SV_LAST_STORE_WORD,
    lastStoreIssue: SV_LAST_STORE_ISSUE, dcacheIdleIssue: SV_DCACHE_IDLE_ISSUE, pendingFetchLine: SV_PENDING_FETCH_LINE,
    pendingFetchReady: SV_PENDING_FETCH_READY, portBusyUntil: SV_PORT_BUSY_UNTIL, fencePending: SV_FENCE_PENDING,
    instructions: SV_INSTRUCTIONS, evIcacheMisses: SV_EV_ICACHE_MISSES, evDcacheMisses: SV_EV_DCACHE_MISSES,
    evItlbMisses: SV_EV_ITLB_MISSES, evDtlbMisses: SV_EV_DTLB_MISSES, evBranches: SV_EV_BRANCHES,
    evMispredicts: SV_EV_MISPREDICTS, evFlushes: SV_EV_FLUSHES, xlateFetch: SV_XLATE_FETCH, xlateData: SV_XLATE_DATA,
    asidTag: SV_ASID_TAG, cursor: SV_CURSOR, lastCycles: SV_LAST_CYCLES, touched: SV_TOUCHED,
  };
  return {
    sv: m.sv.byteOffset, regReady: m.regReady.byteOffset, regProducer: m.regProducer.byteOffset,
    totalStalls: m.totalStalls.byteOffset, replayStalls: m.replayStalls.byteOffset,
    icache: cache(m.icache), dcache: cache(m.dcache), itlb: tlb(m.itlb), dtlb: tlb(m.dtlb),
    bp: {
      scalars: bp.scalars.byteOffset, btbPc: bp.btbPc.byteOffset, btbTarget: bp.btbTarget.byteOffset, btbStamp: bp.btbStamp.byteOffset,
      ras: bp.ras.byteOffset, bucketCount: bp.btbBucketCount.byteOffset, bucketHint: bp.btbBucketHint.byteOffset,
      histHash: bp.histHash.byteOffset, bht: bp.bht.byteOffset, btbEntries: P.btbEntries, rasEntries: P.rasEntries,
      bhtMask: bp.bhtMask, counterMax: bp.counterMax, takenFrom: bp.takenFrom, histLen: bp.histLen, indexBits: bp.indexBits,
    },
    slots,
    iLineBytes: P.icache.lineBytes, dLineBytes: P.dcache.lineBytes, fetchBytes: P.fetchBytes, fetchQueueBytes: P.fetchQueueBytes,
    icacheMiss: m.icacheMiss, dcacheMiss: m.dcacheMiss, writeback: m.writeback, storeMissExtra: P.storeMissExtra,
    replayPenalty: P.replayPenalty, storeLoadWindow: P.storeLoadWindow, uncachedLatency: P.uncachedLatency,
    loadLatencyWord: P.loadLatencyWord, loadLatencySubword: P.loadLatencySubword, mispredictPenalty: P.mispredictPenalty,
    decodeRedirectPenalty: P.decodeRedirectPenalty, fenceIPenalty: P.fenceIPenalty, linesUniform: m.linesUniform,
    cacheable: P.cacheable.map((r) => ({ base: r.base, end: r.base + r.size })),
    ramSplit: L.RAM_OFF, ramBias: RAM_BASE - L.RAM_OFF, romBias: ROM_BASE - L.ROM_OFF,
    stall: {
      icache: S_ICACHE, itlb: S_ITLB, dcache: S_DCACHE, dtlb: S_DTLB, uncached: S_UNCACHED, loadUse: S_LOAD_USE, muldiv: S_MULDIV,
      mispredict: S_MISPREDICT, flush: S_FLUSH, xpc: S_XPC,
    },
    nStalls: N_STALLS,
    mulLatencyPipe: P.mulLatency,
    mulUnroll: P.mulUnroll,
    mulEarlyOut: P.mulEarlyOut,
    divEarlyOut: P.divEarlyOut,
  };
}
