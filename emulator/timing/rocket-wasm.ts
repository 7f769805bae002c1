// The rocket model's replay of a commit log in WebAssembly: RocketModel.replayPass's rules (themselves
// observe's, for what a translated block holds) over the model's state where it lies, in the machine's
// WebAssembly.Memory (state.ts, layout.ts MODEL_STATE_OFF). This module, compiled once per model's
// parameters, holds the dispatcher (it walks the pass headers of a dispatch's log and calls each
// block's pass code, rocket-wasm-block.ts, through a table) and the shared steps: I-cache and D-cache
// accesses with Rocket's random replacement, the D-cache probe of an I-cache refill, TLB look-ups through
// the TLBs' memo, the BTB's scan and update. What pass code asks the model's JavaScript for (imports,
// acting on the same state): a TLB scan when the memo has no answer, a page walk (it reads page tables as
// they were at that instruction), and fence.i's I-cache flush. tests/jit-rocket-lockstep.test.ts holds it to the interpreter's cycles, stalls and
// counters.
//
// replay(p, end) returns REPLAY_DONE (the log [p, end) is replayed), REPLAY_NEED_PLAN (the block of the
// pass header at SV_CURSOR has no pass code yet: its word at MODEL_PLAN_INDEX_OFF is below 1, minus the
// passes replayed in JavaScript so far) or REPLAY_IN_JS (a table index beyond MODEL_PLAN_BLOCKS: that pass
// is for RocketModel.replayPass).

import { Code, F64, I32, Op, encodeModule, type FuncDef } from '../jit/wasm.js';
import * as L from '../layout.js';
import { HIT, MISS_CLEAN, MISS_DIRTY, MISS_UPGRADE } from './cache.js';
import { BTB_BUCKETS } from './branch.js';
import { TLB_MEMO_SLOTS } from './tlb.js';
import { blockModule, type PlanInsn } from './rocket-wasm-block.js';

/**
 * A block gets pass code after this many passes replayed in JavaScript: compiling a block's pass code
 * costs about as much as replaying some thousands of its instructions in JavaScript, and on short runs
 * (`rvx bench ipc --quick`: 2 M instructions a workload, kernel code of many blocks) 32 measured better
 * than 8, and 2048 better than 32, 128, 512 and 8192 on bench/programs/cwork/cwork.elf (docs/machine.md,
 * "The replay in WebAssembly": 37 blocks get pass code there instead of 112, and the run is faster by more
 * than their compile time, for reasons not yet pinned down). The lockstep test sets 2.
 */
export const REPLAY_TUNING = { compileAfter: 2048 };

export const REPLAY_DONE = 0;
export const REPLAY_NEED_PLAN = 1;
export const REPLAY_IN_JS = 2;
/** replayRange only: the pass at the cursor is not within the function it is summing. */
export const REPLAY_OTHER_RANGE = 3;

/** PlanInsn.flags bits (rocket-wasm-block.ts). */
export const F_MULDIV = 1;
/** `fence` (sets fencePending). */
export const F_FENCE = 2;
/** branch, jal or jalr. */
export const F_CTRL = 4;
/** fence.i or a system-class instruction: the D-cache order rules apply. */
export const F_ORDER = 8;
export const F_FENCE_I = 16;
/** A multiply on a pipelined multiplier (mulUnroll 0): mulLatency, next one a cycle later. */
export const F_PIPE_MUL = 32;
export const F_BRANCH = 64;
export const F_JALR = 128;
/** PlanInsn.lat: result latency 1, loadLatencyWord, loadLatencySubword, the mul/div's cycles. */
export const LAT_ONE = 0;
export const LAT_WORD = 1;
export const LAT_SUB = 2;
export const LAT_MULDIV = 3;

/** Where a cache's state is (byte offsets in the memory) and its shape. */
export interface CacheSpec {
  tags: number;
  dirty: number;
  readOnly: number;
  scalars: number;
  setMask: number;
  ways: number;
  stepBeforePick: boolean;
}

export interface TlbSpec {
  stamps: number;
  scalars: number;
  memoVpn: number;
  memoAsid: number;
  memoIndex: number;
  memoGen: number;
}

export interface PredictorSpec {
  scalars: number;
  btbPc: number;
  btbTarget: number;
  btbStamp: number;
  ras: number;
  bucketCount: number;
  bucketHint: number;
  histHash: number;
  bht: number;
  btbEntries: number;
  rasEntries: number;
  bhtMask: number;
  counterMax: number;
  takenFrom: number;
  histLen: number;
  indexBits: number;
}

/** Everything the generated code has as constants. */
export interface ReplaySpec {
  sv: number;
  regReady: number;
  regProducer: number;
  totalStalls: number;
  replayStalls: number;
  icache: CacheSpec;
  dcache: CacheSpec;
  itlb: TlbSpec;
  dtlb: TlbSpec;
  bp: PredictorSpec;
  /** SV_* slots used. */
  slots: Record<string, number>;
  iLineBytes: number;
  dLineBytes: number;
  fetchBytes: number;
  fetchQueueBytes: number;
  icacheMiss: number;
  dcacheMiss: number;
  writeback: number;
  storeMissExtra: number;
  replayPenalty: number;
  storeLoadWindow: number;
  uncachedLatency: number;
  loadLatencyWord: number;
  loadLatencySubword: number;
  mispredictPenalty: number;
  decodeRedirectPenalty: number;
  fenceIPenalty: number;
  linesUniform: boolean;
  cacheable: { base: number; end: number }[];
  ramSplit: number;
  ramBias: number;
  romBias: number;
  /** Stall category indexes. */
  stall: Record<'icache' | 'itlb' | 'dcache' | 'dtlb' | 'uncached' | 'loadUse' | 'muldiv' | 'mispredict' | 'flush' | 'xpc', number>;
  nStalls: number;
  /** Cycles of a multiply on a pipelined multiplier (mulUnroll 0). */
  mulLatencyPipe: number;
  /** The iterative multiplier/divider (muldiv.ts): bits per cycle, early outs. */
  mulUnroll: number;
  mulEarlyOut: boolean;
  divEarlyOut: boolean;
}

// Function indexes: imports first.
const IMP_TLB_SCAN = 0; // (kind i32, vpn f64) -> i32
const FN_DCACHE = 3;
const FN_BTB_FIND = 7;
const FN_BTB_UPDATE = 8;

export const TYPES = [
  { params: [I32, F64], results: [I32] }, // 0 tlbScan, tlb hit
  { params: [I32, F64, I32, I32, I32], results: [F64] }, // 1 walk
  { params: [I32, I32, I32, I32, I32, I32], results: [I32] }, // 2 (unused)
  { params: [F64, F64, F64], results: [] }, // 3 wrongPath
  { params: [], results: [] }, // 4 fenceI
  { params: [I32, I32], results: [I32] }, // 5 replay
  { params: [F64, I32], results: [I32] }, // 6 cache access
  { params: [F64], results: [F64] }, // 7 probe
  { params: [F64], results: [I32] }, // 8 tlb hit, btbFind
  { params: [F64, F64, I32], results: [] }, // 9 btbUpdate
  { params: [F64, I32, F64, F64], results: [I32] }, // 10 branch
  { params: [F64, I32, I32, F64, F64], results: [I32] }, // 11 jump
  { params: [F64, F64, I32], results: [F64] }, // 12 dcacheLines
];
/** A block's pass function: (p: its first event, k, header, passNext) -> p after its events (rocket-wasm-block.ts). */
export const PASS_TYPE_INDEX = TYPES.length;
const ALL_TYPES = [...TYPES, { params: [I32, I32, I32, F64], results: [I32] }, { params: [I32, I32, F64], results: [I32] }];
/** replayRange(p, end, lo). */
const RANGE_TYPE_INDEX = PASS_TYPE_INDEX + 1;

/** A function body with named locals after its parameters. */
export class Fn {
  readonly c = new Code();
  private readonly decls: [number, number][] = [];
  private n: number;
  constructor(params: number) {
    this.n = params;
  }
  local(type: number): number {
    this.decls.push([1, type]);
    return this.n++;
  }
  def(type: number, exp?: string): FuncDef {
    return { type, locals: this.decls, body: this.c, export: exp };
  }
}

// Emit helpers over a Code: absolute addresses are constants (memarg offsets from address 0).
export function ldF(c: Code, addr: number): Code {
  return c.i32(0).mem(Op.f64_load, 3, addr);
}
export function stF(c: Code, addr: number, value: () => void): void {
  c.i32(0);
  value();
  c.mem(Op.f64_store, 3, addr);
}
/** f64 at base + 8·(i32 on the stack). */
export function ldFAt(c: Code, base: number, index: () => void): Code {
  index();
  return c.i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, base);
}
export function stFAt(c: Code, base: number, index: () => void, value: () => void): void {
  index();
  c.i32(3).op(Op.i32_shl);
  value();
  c.mem(Op.f64_store, 3, base);
}
export function ldI32At(c: Code, base: number, index: () => void): Code {
  index();
  return c.i32(2).op(Op.i32_shl).mem(Op.i32_load, 2, base);
}
export function stI32At(c: Code, base: number, index: () => void, value: () => void): void {
  index();
  c.i32(2).op(Op.i32_shl);
  value();
  c.mem(Op.i32_store, 2, base);
}
/** Add 1 to the f64 at addr. */
export function incF(c: Code, addr: number): void {
  stF(c, addr, () => ldF(c, addr).f64(1).op(Op.f64_add));
}
/** The low 32 bits of the integer-valued f64 on the stack (as int64 wraps). */
export function lowBits(c: Code): Code {
  return c.op(Op.i64_trunc_f64_s).op(Op.i32_wrap_i64);
}
/** if (cond) { then } else { otherwise }: cond already on the stack. */
export function ifElse(c: Code, then: () => void, otherwise?: () => void): void {
  c.open(Op.if);
  then();
  if (otherwise) {
    c.op(Op.else);
    otherwise();
  }
  c.end();
}
function lfsrStep(c: Code, l: number): void {
  // l = ((l << 1) | (((l >> 15) ^ (l >> 14) ^ (l >> 12) ^ (l >> 3)) & 1)) & 0xffff
  c.get(l).i32(1).op(Op.i32_shl);
  c.get(l).i32(15).op(Op.i32_shr_u).get(l).i32(14).op(Op.i32_shr_u).op(Op.i32_xor);
  c.get(l).i32(12).op(Op.i32_shr_u).op(Op.i32_xor).get(l).i32(3).op(Op.i32_shr_u).op(Op.i32_xor).i32(1).op(Op.i32_and);
  c.op(Op.i32_or).i32(0xffff).op(Op.i32_and).set(l);
}

/** SetAssocCache.accessLine(line, write) for a random-replacement cache. */
function cacheAccess(s: CacheSpec): FuncDef {
  const f = new Fn(2);
  const c = f.c;
  const LINE = 0, WRITE = 1;
  const BASE = f.local(I32), I = f.local(I32), V = f.local(I32), LF = f.local(I32), R = f.local(I32);
  c.get(LINE);
  lowBits(c).i32(s.setMask).op(Op.i32_and).i32(s.ways).op(Op.i32_mul).tee(BASE).set(I);
  c.open(Op.block).open(Op.loop);
  c.get(I).get(BASE).i32(s.ways).op(Op.i32_add).op(Op.i32_ge_u).brIf(1);
  ldFAt(c, s.tags, () => c.get(I)).get(LINE).op(Op.f64_eq);
  ifElse(c, () => {
    c.get(WRITE).op(Op.i32_eqz);
    ifElse(c, () => c.i32(HIT).op(Op.return));
    c.get(I).i32(1).mem(Op.i32_store8, 0, s.dirty);
    c.get(I).mem(Op.i32_load8_u, 0, s.readOnly).op(Op.i32_eqz);
    ifElse(c, () => c.i32(HIT).op(Op.return));
    c.get(I).i32(0).mem(Op.i32_store8, 0, s.readOnly);
    ldF(c, s.scalars + 8).op(Op.i32_trunc_f64_s).set(LF);
    lfsrStep(c, LF);
    stF(c, s.scalars + 8, () => c.get(LF).op(Op.f64_convert_i32_s));
    c.i32(MISS_UPGRADE).op(Op.return);
  });
  c.get(I).i32(1).op(Op.i32_add).set(I);
  c.br(0);
  c.end().end();
  ldF(c, s.scalars + 8).op(Op.i32_trunc_f64_s).set(LF);
  if (s.stepBeforePick) lfsrStep(c, LF);
  c.get(BASE).get(LF).i32(s.ways).op(Op.i32_rem_u).op(Op.i32_add).set(V);
  if (!s.stepBeforePick) lfsrStep(c, LF);
  stF(c, s.scalars + 8, () => c.get(LF).op(Op.f64_convert_i32_s));
  // result: dirty victim (valid and dirty) or clean
  ldFAt(c, s.tags, () => c.get(V)).f64(-1).op(Op.f64_ne);
  c.get(V).mem(Op.i32_load8_u, 0, s.dirty).i32(1).op(Op.i32_eq).op(Op.i32_and);
  ifElse(c, () => c.i32(MISS_DIRTY).set(R), () => c.i32(MISS_CLEAN).set(R));
  stFAt(c, s.tags, () => c.get(V), () => c.get(LINE));
  c.get(V).get(WRITE).mem(Op.i32_store8, 0, s.dirty);
  c.get(V).i32(0).mem(Op.i32_store8, 0, s.readOnly);
  c.get(R);
  return f.def(6);
}

/** SetAssocCache.contains for the line number `line` (no state change). */
function cacheContains(s: CacheSpec): FuncDef {
  const f = new Fn(1);
  const c = f.c;
  const LINE = 0;
  const BASE = f.local(I32), I = f.local(I32);
  c.get(LINE);
  lowBits(c).i32(s.setMask).op(Op.i32_and).i32(s.ways).op(Op.i32_mul).tee(BASE).set(I);
  c.open(Op.block).open(Op.loop);
  c.get(I).get(BASE).i32(s.ways).op(Op.i32_add).op(Op.i32_ge_u).brIf(1);
  ldFAt(c, s.tags, () => c.get(I)).get(LINE).op(Op.f64_eq);
  ifElse(c, () => c.i32(1).op(Op.return));
  c.get(I).i32(1).op(Op.i32_add).set(I).br(0);
  c.end().end();
  c.i32(0);
  return f.def(8);
}

/** RocketModel.probeDcache(iline): the D-cache lines of I-cache line iline go read-only; write-back cycles. */
function probe(spec: ReplaySpec): FuncDef {
  const s = spec.dcache;
  const f = new Fn(1);
  const c = f.c;
  const ILINE = 0;
  const D = f.local(F64), LAST = f.local(F64), COST = f.local(F64), BASE = f.local(I32), I = f.local(I32);
  const ib = spec.iLineBytes, db = spec.dLineBytes;
  c.get(ILINE).f64(ib).op(Op.f64_mul).f64(1 / db).op(Op.f64_mul).op(Op.f64_floor).set(D);
  c.get(ILINE).f64(ib).op(Op.f64_mul).f64(ib - 1).op(Op.f64_add).f64(1 / db).op(Op.f64_mul).op(Op.f64_floor).set(LAST);
  c.open(Op.block).open(Op.loop);
  c.get(D).get(LAST).op(Op.f64_gt).brIf(1);
  c.get(D);
  lowBits(c).i32(s.setMask).op(Op.i32_and).i32(s.ways).op(Op.i32_mul).tee(BASE).set(I);
  c.open(Op.block).open(Op.loop);
  c.get(I).get(BASE).i32(s.ways).op(Op.i32_add).op(Op.i32_ge_u).brIf(1);
  ldFAt(c, s.tags, () => c.get(I)).get(D).op(Op.f64_eq);
  ifElse(c, () => {
    c.get(I).mem(Op.i32_load8_u, 0, s.dirty);
    ifElse(c, () => c.get(COST).f64(spec.writeback).op(Op.f64_add).set(COST));
    c.get(I).i32(0).mem(Op.i32_store8, 0, s.dirty);
    c.get(I).i32(1).mem(Op.i32_store8, 0, s.readOnly);
    c.br(2);
  });
  c.get(I).i32(1).op(Op.i32_add).set(I).br(0);
  c.end().end();
  c.get(D).f64(1).op(Op.f64_add).set(D).br(0);
  c.end().end();
  c.get(COST);
  return f.def(7);
}

/** Tlb.lookupVpn through the memo; a miss of the memo asks the model's scan (import). */
function tlbHit(s: TlbSpec, kind: number, asidSlot: number, sv: number): FuncDef {
  const f = new Fn(1);
  const c = f.c;
  const VPN = 0;
  const S = f.local(I32), X = f.local(F64);
  c.get(VPN);
  lowBits(c).i32(TLB_MEMO_SLOTS - 1).op(Op.i32_and).set(S);
  ldI32At(c, s.memoGen, () => c.get(S)).op(Op.f64_convert_i32_s);
  ldF(c, s.scalars + 8).op(Op.f64_eq);
  ldFAt(c, s.memoVpn, () => c.get(S)).get(VPN).op(Op.f64_eq).op(Op.i32_and);
  ldI32At(c, s.memoAsid, () => c.get(S)).op(Op.f64_convert_i32_s);
  ldF(c, sv + 8 * asidSlot).op(Op.f64_eq).op(Op.i32_and);
  ifElse(c, () => {
    ldF(c, s.scalars).f64(1).op(Op.f64_add).set(X);
    stF(c, s.scalars, () => c.get(X));
    stFAt(c, s.stamps, () => ldI32At(c, s.memoIndex, () => c.get(S)), () => c.get(X));
    c.i32(1).op(Op.return);
  });
  c.i32(kind).get(VPN).call(IMP_TLB_SCAN);
  return f.def(8);
}

/** The BTB bucket of the f64 pc on the stack (branch.ts btbBucket). */
function bucket(c: Code): Code {
  return c.op(Op.i64_trunc_f64_s).i64(1n).op(Op.i64_shr_s).op(Op.i32_wrap_i64).i32(BTB_BUCKETS - 1).op(Op.i32_and);
}

function btbFind(s: PredictorSpec): FuncDef {
  const f = new Fn(1);
  const c = f.c;
  const PC = 0;
  const B = f.local(I32), H = f.local(I32), I = f.local(I32);
  c.get(PC);
  bucket(c).set(B);
  ldI32At(c, s.bucketCount, () => c.get(B)).op(Op.i32_eqz);
  ifElse(c, () => c.i32(-1).op(Op.return));
  ldI32At(c, s.bucketHint, () => c.get(B)).set(H);
  ldFAt(c, s.btbPc, () => c.get(H)).get(PC).op(Op.f64_eq);
  ifElse(c, () => c.get(H).op(Op.return));
  c.open(Op.block).open(Op.loop);
  c.get(I).i32(s.btbEntries).op(Op.i32_ge_s).brIf(1);
  ldFAt(c, s.btbPc, () => c.get(I)).get(PC).op(Op.f64_eq);
  ifElse(c, () => c.get(I).op(Op.return));
  c.get(I).i32(1).op(Op.i32_add).set(I).br(0);
  c.end().end();
  c.i32(-1);
  return f.def(8);
}

function btbUpdate(s: PredictorSpec): FuncDef {
  const f = new Fn(3);
  const c = f.c;
  const PC = 0, TARGET = 1, FOUND = 2;
  const I = f.local(I32), J = f.local(I32), X = f.local(F64), B = f.local(I32);
  c.get(FOUND).set(I);
  c.get(I).i32(0).op(Op.i32_lt_s);
  ifElse(c, () => {
    c.i32(0).set(I);
    c.open(Op.block).open(Op.loop);
    c.get(J).i32(s.btbEntries).op(Op.i32_ge_s).brIf(1);
    ldFAt(c, s.btbPc, () => c.get(J)).tee(X).get(X).op(Op.f64_ne);
    ifElse(c, () => c.get(J).set(I).br(2));
    ldFAt(c, s.btbStamp, () => c.get(J));
    ldFAt(c, s.btbStamp, () => c.get(I)).op(Op.f64_lt);
    ifElse(c, () => c.get(J).set(I));
    c.get(J).i32(1).op(Op.i32_add).set(J).br(0);
    c.end().end();
    ldFAt(c, s.btbPc, () => c.get(I)).tee(X).get(X).op(Op.f64_eq);
    ifElse(c, () => {
      c.get(X);
      bucket(c).set(B);
      stI32At(c, s.bucketCount, () => c.get(B), () => ldI32At(c, s.bucketCount, () => c.get(B)).i32(1).op(Op.i32_sub));
    });
    stFAt(c, s.btbPc, () => c.get(I), () => c.get(PC));
    c.get(PC);
    bucket(c).set(B);
    stI32At(c, s.bucketCount, () => c.get(B), () => ldI32At(c, s.bucketCount, () => c.get(B)).i32(1).op(Op.i32_add));
    stI32At(c, s.bucketHint, () => c.get(B), () => c.get(I));
  });
  stFAt(c, s.btbTarget, () => c.get(I), () => c.get(TARGET));
  ldF(c, s.scalars + 24).f64(1).op(Op.f64_add).set(X);
  stF(c, s.scalars + 24, () => c.get(X));
  stFAt(c, s.btbStamp, () => c.get(I), () => c.get(X));
  return f.def(9);
}

/** RocketModel.dcacheLines(first, last, write, replay = true) -> cycles. */
function dcacheLines(spec: ReplaySpec): FuncDef {
  const f = new Fn(3);
  const c = f.c;
  const FIRST = 0, LAST = 1, WRITE = 2;
  const COST = f.local(F64), R = f.local(I32);
  c.open(Op.block).open(Op.loop);
  c.get(FIRST).get(LAST).op(Op.f64_gt).brIf(1);
  c.get(FIRST).get(WRITE).call(FN_DCACHE).tee(R);
  ifElse(c, () => {
    incF(c, spec.sv + 8 * spec.slots.evDcacheMisses);
    c.get(COST).f64(spec.dcacheMiss + spec.replayPenalty).op(Op.f64_add).set(COST);
    c.get(R).i32(MISS_DIRTY).op(Op.i32_eq);
    ifElse(c, () => c.get(COST).f64(spec.writeback).op(Op.f64_add).set(COST));
    c.get(WRITE);
    ifElse(c, () => c.get(COST).f64(spec.storeMissExtra).op(Op.f64_add).set(COST));
  });
  c.get(FIRST).f64(1).op(Op.f64_add).set(FIRST).br(0);
  c.end().end();
  c.get(COST);
  return f.def(12);
}

/** The f64 address on the stack is in a cacheable range: leaves an i32. */
export function cacheableTest(c: Code, spec: ReplaySpec, addr: number): void {
  if (spec.cacheable.length === 0) {
    c.i32(0);
    return;
  }
  spec.cacheable.forEach((r, i) => {
    c.get(addr).f64(r.base).op(Op.f64_ge).get(addr).f64(r.end).op(Op.f64_lt).op(Op.i32_and);
    if (i > 0) c.op(Op.i32_or);
  });
}

/**
 * The dispatcher: replay(p, end) walks the pass headers of the log and calls each block's pass function
 * (rocket-wasm-block.ts) through the table, at the block's index. ranged: replayRange(p, end, lo), which
 * also stops (REPLAY_OTHER_RANGE) at a pass that is not within the function starting at lo: its block's
 * function (layout.ts MODEL_PLAN_RANGE_OFF) is another, or the pass runs past the instructions in it.
 */
function replay(spec: ReplaySpec, ranged = false): FuncDef {
  const f = new Fn(ranged ? 3 : 2);
  const c = f.c;
  const P = 0, END = 1, LO = 2;
  const sv = (name: string) => spec.sv + 8 * spec.slots[name];
  const HDR = f.local(I32), K = f.local(I32), IDX = f.local(I32), OUT = f.local(I32), N = f.local(F64);
  ldF(c, sv('instructions')).set(N);
  c.open(Op.block); // $exit
  c.open(Op.loop); // $pass
  c.get(P).get(END).op(Op.i32_ge_u);
  ifElse(c, () => c.i32(REPLAY_DONE).set(OUT).br(2));
  c.get(P).set(HDR);
  c.get(P).mem(Op.i32_load, 2, 0).set(IDX);
  c.get(P).mem(Op.i32_load, 2, 4).set(K);
  c.get(IDX).i32(L.MODEL_PLAN_BLOCKS).op(Op.i32_gt_u);
  ifElse(c, () => c.i32(REPLAY_IN_JS).set(OUT).br(2));
  ldI32At(c, L.MODEL_PLAN_INDEX_OFF, () => c.get(IDX)).i32(1).op(Op.i32_lt_s);
  ifElse(c, () => c.i32(REPLAY_NEED_PLAN).set(OUT).br(2));
  if (ranged) {
    c.get(IDX).i32(4).op(Op.i32_shl).mem(Op.f64_load, 3, L.MODEL_PLAN_RANGE_OFF).get(LO).op(Op.f64_ne);
    c.get(K).op(Op.f64_convert_i32_s).get(IDX).i32(4).op(Op.i32_shl).mem(Op.f64_load, 3, L.MODEL_PLAN_RANGE_OFF + 8).op(Op.f64_gt);
    c.op(Op.i32_or);
    ifElse(c, () => c.i32(REPLAY_OTHER_RANGE).set(OUT).br(2));
  }
  c.get(P).i32(16).op(Op.i32_add).get(K).get(HDR).get(P).mem(Op.i64_load, 3, 8).op(Op.f64_convert_i64_s).get(IDX);
  c.op(Op.call_indirect);
  c.u32(PASS_TYPE_INDEX);
  c.u32(0);
  c.set(P);
  c.get(N).get(K).op(Op.f64_convert_i32_s).op(Op.f64_add).set(N);
  c.br(0);
  c.end(); // $pass
  c.end(); // $exit
  stF(c, sv('instructions'), () => c.get(N));
  stF(c, sv('cursor'), () => c.get(P).op(Op.f64_convert_i32_s));
  c.get(OUT);
  return ranged ? f.def(RANGE_TYPE_INDEX, 'replayRange') : f.def(5, 'replay');
}

export interface ReplayImports {
  tlbScan: (kind: number, vpn: number) => number;
  walk: (kind: number, va: number, header: number, j: number, p: number) => number;
  fenceI: () => void;
}

/** The replay of one model over one memory. */
export interface ReplayEngine {
  /** replay(p, end): REPLAY_* (rocket-wasm.ts header). */
  run: (p: number, end: number) => number;
  /** replayRange(p, end, lo): also REPLAY_OTHER_RANGE. */
  runRange: (p: number, end: number, lo: number) => number;
  /** Compile the pass function of the block at table index idx, whose instructions are `insns`. */
  setBlock: (idx: number, insns: readonly PlanInsn[]) => void;
}

const modules = new Map<string, WebAssembly.Module>();
const blockModules = new Map<string, WebAssembly.Module>();

/** The replay for `spec` over `memory` (its dispatcher compiled once per spec). */
export function replayEngine(spec: ReplaySpec, memory: WebAssembly.Memory, imports: ReplayImports): ReplayEngine {
  const pages = memory.buffer.byteLength / 65536;
  const key = `${pages}:${JSON.stringify(spec)}`;
  let mod = modules.get(key);
  if (mod === undefined) {
    const named = (d: FuncDef, name: string): FuncDef => ({ ...d, export: name });
    const bytes = encodeModule({
      types: ALL_TYPES,
      memoryPages: pages,
      tableSize: L.MODEL_PLAN_BLOCKS + 1,
      funcImports: [{ name: 'tlbScan', type: 0 }],
      funcs: [
        replay(spec),
        named(cacheAccess(spec.icache), 'icache'),
        cacheAccess(spec.dcache),
        named(probe(spec), 'probe'),
        named(tlbHit(spec.itlb, 0, spec.slots.asidTag, spec.sv), 'itlb'),
        named(tlbHit(spec.dtlb, 1, spec.slots.asidTag, spec.sv), 'dtlb'),
        named(btbFind(spec.bp), 'btbFind'),
        named(btbUpdate(spec.bp), 'btbUpdate'),
        named(dcacheLines(spec), 'dcacheLines'),
        named(cacheContains(spec.icache), 'icacheContains'),
        replay(spec, true),
      ],
    });
    mod = new WebAssembly.Module(bytes);
    modules.set(key, mod);
  }
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: L.MODEL_PLAN_BLOCKS + 1 });
  const inst = new WebAssembly.Instance(mod, { env: { mem: memory, tab: table, tlbScan: imports.tlbScan } });
  const ex = inst.exports;
  const blockEnv = {
    mem: memory, walk: imports.walk, fenceI: imports.fenceI,
    icache: ex.icache, probe: ex.probe, itlb: ex.itlb, dtlb: ex.dtlb, dcacheLines: ex.dcacheLines, icacheContains: ex.icacheContains,
    btbFind: ex.btbFind, btbUpdate: ex.btbUpdate,
  };
  return {
    run: ex.replay as (p: number, end: number) => number,
    runRange: ex.replayRange as (p: number, end: number, lo: number) => number,
    setBlock: (idx, insns) => {
      const bkey = `${key}|${JSON.stringify(insns)}`;
      let bm = blockModules.get(bkey);
      if (bm === undefined) {
        // Compiled pass code is shared by machines running the same program (tests run several side by
        // side); the cache is bounded, as the tier's translations are.
        if (blockModules.size >= 1024) blockModules.clear();
        bm = new WebAssembly.Module(blockModule(spec, insns, pages));
        blockModules.set(bkey, bm);
      }
      const b = new WebAssembly.Instance(bm, { env: blockEnv });
      table.set(idx, b.exports.pass as () => number);
    },
  };
}
