// One translated block's passes, replayed by code made for that block (rocket-wasm.ts's dispatcher calls
// it through a table by the block's index): every static fact of an instruction (class, registers,
// size, whether its fetch stays in the line, its memory access size, what kind of result it has) is a
// constant of the code rather than a load and a test, so an ALU instruction costs a few scoreboard
// loads and stores. The rules are RocketModel.replayPass's, in the same order. Branch prediction, the
// multiply/divide latency, D-TLB memo hits and one-line D-cache hits are here too; the rest of the
// caches' and TLBs' steps and the BTB's scan are the dispatcher module's functions, imported.

import { Code, F64, I32, I64, Op, encodeModule } from '../jit/wasm.js';
import { MD_HALF, MD_HI, MD_LHS_SIGNED, MD_RHS_SIGNED } from './classes.js';
import { LOG_EV_LOAD, LOG_EV_STORE } from '../types.js';
import { BTB_BUCKETS, PRED_OK, PRED_REDIRECT, PRED_WRONG } from './branch.js';
import { TLB_MEMO_SLOTS } from './tlb.js';
import {
  F_BRANCH, F_CTRL, F_FENCE, F_FENCE_I, F_JALR, F_MULDIV, F_ORDER, F_PIPE_MUL, Fn, LAT_MULDIV, LAT_ONE, LAT_SUB, LAT_WORD, PASS_TYPE_INDEX, TYPES,
  cacheableTest, ifElse, incF, ldF, stF, type ReplaySpec,
} from './rocket-wasm.js';

/** An instruction of a block as the pass code needs it (what a plan entry holds). */
export interface PlanInsn {
  pc: number;
  fetchPa: number;
  cls: number;
  rs1: number;
  rs2: number;
  /** 0: none. */
  rd: number;
  size: number;
  sameLine: boolean;
  ev: number;
  memSize: number;
  flags: number;
  mdShape: number;
  lat: number;
  evBytes: number;
  isMul: boolean;
}

// The block module's imports (function indexes).
const B_WALK = 0;
const B_FENCE_I = 1;
const B_ICACHE = 2;
const B_PROBE = 3;
const B_ITLB = 4;
const B_DTLB = 5;
const B_DLINES = 6;
const B_BTB_FIND = 7;
const B_BTB_UPDATE = 8;
const B_ICACHE_CONTAINS = 9;
/** Type of a pass function: (p: first event, k: instructions, header, passNext) -> p after the pass. */
const PASS_TYPE = { params: [I32, I32, I32, F64], results: [I32] };

/** Names of the imports, in B_* order (JavaScript imports, then the dispatcher module's exports). */
export const BLOCK_IMPORTS: { name: string; type: number }[] = [
  { name: 'walk', type: 1 },
  { name: 'fenceI', type: 4 },
  { name: 'icache', type: 6 },
  { name: 'probe', type: 7 },
  { name: 'itlb', type: 8 },
  { name: 'dtlb', type: 8 },
  { name: 'dcacheLines', type: 12 },
  { name: 'btbFind', type: 8 },
  { name: 'btbUpdate', type: 9 },
  { name: 'icacheContains', type: 8 },
];

/** The bytes of the module whose export `pass` replays passes over the block `insns`. */
export function blockModule(spec: ReplaySpec, insns: readonly PlanInsn[], pages: number): Uint8Array<ArrayBuffer> {
  const f = new Fn(4);
  const c: Code = f.c;
  const P = 0, K = 1, HDR = 2, PASSNEXT = 3;
  const sv = (name: string) => spec.sv + 8 * spec.slots[name];
  const I = () => f.local(I32), D = () => f.local(F64);
  const TOUCHED = I(), PROD = I(), FENCE = I(), R = I(), REDIR = I(), XF = I(), XD = I();
  const BI = I(), BH = I(), BK = I(), BC = I(), BT = I(), TAKEN = I();
  const BP = D();
  const MA = f.local(I64), MB = f.local(I64);
  const NOW = D(), FAB = D(), LFL = D(), LFP = D(), LCL = D(), MDFREE = D(), DIDLE = D(), LSW = D(), LSI = D(), LASTC = D();
  const START = D(), T = D(), ISSUE = D(), POST = D(), PAGE = D(), FIRST = D(), LAST = D();
  const LINE = D(), PEND = D(), X = D(), Y = D(), READY = D(), NEXTPC = D(), MDC = D(), MPA = D(), WORD = D(), VA = D(), FSTALL = D();
  const ST: number[] = [];
  for (let q = 0; q < spec.nStalls; q++) ST.push(D());
  const S = spec.stall;
  /** Add the f64 `value` to stall category k: this instruction's figure and the total. */
  const stall = (k: number, value: () => void) => {
    c.get(ST[k]);
    value();
    c.op(Op.f64_add).set(ST[k]);
    c.get(TOUCHED).i32(1 << k).op(Op.i32_or).set(TOUCHED);
    stF(c, spec.totalStalls + 8 * k, () => {
      ldF(c, spec.totalStalls + 8 * k);
      value();
      c.op(Op.f64_add);
    });
  };
  const usesFetchXlate = insns.some((x) => !x.sameLine);
  const usesMem = insns.some((x) => x.ev === LOG_EV_LOAD || x.ev === LOG_EV_STORE);
  // The scalars the block's instructions use, in locals for the pass.
  const usesOrder = usesMem || insns.some((x) => (x.flags & F_ORDER) !== 0);
  const locals: [number, string][] = [
    [NOW, 'now'], [FAB, 'fetchAheadBytes'], [LFL, 'lastFetchLine'], [LFP, 'lastFetchPage'], [LCL, 'lastCacheableLine'],
  ];
  if (insns.some((x) => (x.flags & F_MULDIV) !== 0)) locals.push([MDFREE, 'mdFree']);
  if (usesOrder) locals.push([DIDLE, 'dcacheIdleIssue']);
  if (usesMem) locals.push([LSW, 'lastStoreWord'], [LSI, 'lastStoreIssue']);
  for (const [l, n] of locals) ldF(c, sv(n)).set(l);
  if (usesOrder) ldF(c, sv('fencePending')).op(Op.i32_trunc_f64_s).set(FENCE);
  if (usesFetchXlate) ldF(c, sv('xlateFetch')).op(Op.i32_trunc_f64_s).set(XF);
  if (usesMem) ldF(c, sv('xlateData')).op(Op.i32_trunc_f64_s).set(XD);

  const bp = spec.bp;
  /** Tick the predictor's clock and stamp BTB entry BI (branch.ts: btbStamp[i] = ++clock). */
  const stampBtb = () => {
    ldF(c, bp.scalars + 24).f64(1).op(Op.f64_add).set(BP);
    stF(c, bp.scalars + 24, () => c.get(BP));
    c.get(BI).i32(3).op(Op.i32_shl).get(BP).mem(Op.f64_store, 3, bp.btbStamp);
  };
  /** BI = btbFind(pc): the bucket's hinted entry checked here, the scan left to the dispatcher module. */
  const btbFind = (pc: number) => {
    const b = (Math.floor(pc / 2) | 0) & (BTB_BUCKETS - 1);
    c.i32(-1).set(BI);
    c.i32(0).mem(Op.i32_load, 2, bp.bucketCount + 4 * b);
    ifElse(c, () => {
      c.i32(0).mem(Op.i32_load, 2, bp.bucketHint + 4 * b).tee(BH).i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, bp.btbPc).f64(pc).op(Op.f64_eq);
      ifElse(c, () => c.get(BH).set(BI), () => c.f64(pc).call(B_BTB_FIND).set(BI));
    });
  };
  /** btbUpdate(pc, NEXTPC, BI): an entry found is updated here. */
  const btbUpdate = (pc: number) => {
    c.get(BI).i32(0).op(Op.i32_ge_s);
    ifElse(c, () => {
      c.get(BI).i32(3).op(Op.i32_shl).get(NEXTPC).mem(Op.f64_store, 3, bp.btbTarget);
      stampBtb();
    }, () => c.f64(pc).get(NEXTPC).get(BI).call(B_BTB_UPDATE));
  };
  /** BranchPredictor.branch for the branch at pc (size bytes), to NEXTPC: R = PRED_*. */
  const predictBranch = (pc: number, size: number, ft: number) => {
    c.get(NEXTPC).f64(ft).op(Op.f64_ne).set(TAKEN);
    btbFind(pc);
    // bhtIndex: the packet part is static, the history's hash is not.
    const a = pc + size - 2;
    const hi = Math.floor(a / 4);
    const fold = Math.floor(hi / (bp.bhtMask + 1)) & 3;
    const packet = ((hi | 0) & bp.bhtMask) ^ fold;
    ldF(c, bp.scalars).op(Op.i32_trunc_f64_s).set(BT);
    c.get(BT).i32(1).op(Op.i32_shl).mem(Op.i32_load16_u, 1, bp.histHash).i32(packet).op(Op.i32_xor).i32(bp.bhtMask).op(Op.i32_and).tee(BK);
    c.mem(Op.i32_load8_u, 0, bp.bht).set(BC);
    // predicted target (BP): fall-through unless the BHT says taken
    c.f64(ft).set(BP);
    c.get(BC).i32(bp.takenFrom).op(Op.i32_ge_u);
    ifElse(c, () => {
      c.get(BI).i32(0).op(Op.i32_ge_s);
      ifElse(c, () => c.get(BI).i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, bp.btbTarget).set(BP), () => c.f64(pc + 0.5).set(BP));
    });
    // R from the prediction (before the BTB stamp reuses BP)
    c.get(BI).i32(0).op(Op.i32_lt_s).get(BC).i32(bp.takenFrom).op(Op.i32_ge_u).op(Op.i32_and);
    ifElse(c, () => {
      c.get(TAKEN);
      ifElse(c, () => c.i32(PRED_REDIRECT).set(R), () => c.i32(PRED_WRONG).set(R));
    }, () => {
      c.get(BP).get(NEXTPC).op(Op.f64_eq);
      ifElse(c, () => c.i32(PRED_OK).set(R), () => c.i32(PRED_WRONG).set(R));
    });
    c.get(BI).i32(0).op(Op.i32_ge_s);
    ifElse(c, stampBtb);
    // counter update
    c.get(BK);
    c.get(TAKEN);
    ifElse(c, () => {
      c.get(BC).i32(bp.counterMax).op(Op.i32_lt_u);
      ifElse(c, () => c.get(BC).i32(1).op(Op.i32_add).set(BC));
    }, () => {
      c.get(BC);
      ifElse(c, () => c.get(BC).i32(1).op(Op.i32_sub).set(BC));
    });
    c.get(BC).mem(Op.i32_store8, 0, bp.bht);
    if (bp.histLen > 0) {
      stF(c, bp.scalars, () => {
        c.get(BT).i32(1).op(Op.i32_shr_u).get(TAKEN).i32(bp.histLen - 1).op(Op.i32_shl).op(Op.i32_or).i32((1 << bp.histLen) - 1).op(Op.i32_and);
        c.op(Op.f64_convert_i32_s);
      });
    }
    c.get(TAKEN);
    ifElse(c, () => btbUpdate(pc));
  };
  /** BranchPredictor.jump for the jal/jalr at pc (rd, rs1 -1 for jal), to NEXTPC: R = PRED_*. */
  const predictJump = (pc: number, rd: number, rs1: number, ft: number) => {
    const RAS = bp.rasEntries;
    const rdLink = rd === 1 || rd === 5;
    const rs1Link = rs1 === 1 || rs1 === 5;
    const isReturn = rs1Link && (!rdLink || rd !== rs1);
    if (isReturn || rdLink) {
      ldF(c, bp.scalars + 8).op(Op.i32_trunc_f64_s).set(BT); // rasTop
      ldF(c, bp.scalars + 16).op(Op.i32_trunc_f64_s).set(BC); // rasCount
    }
    if (isReturn) {
      c.i32(-1).set(BI);
      c.get(BC).i32(0).op(Op.i32_gt_s);
      ifElse(c, () => {
        c.get(BT).i32(RAS - 1).op(Op.i32_add).i32(RAS).op(Op.i32_rem_u).set(BT);
        c.get(BC).i32(1).op(Op.i32_sub).set(BC);
        c.get(BT).i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, bp.ras).get(NEXTPC).op(Op.f64_eq);
        ifElse(c, () => c.i32(PRED_OK).set(R), () => c.i32(PRED_WRONG).set(R));
      }, () => c.i32(rs1 < 0 ? PRED_REDIRECT : PRED_WRONG).set(R));
    } else {
      btbFind(pc);
      c.get(BI).i32(0).op(Op.i32_ge_s);
      ifElse(c, () => {
        stampBtb();
        c.get(BI).i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, bp.btbTarget).get(NEXTPC).op(Op.f64_eq);
        ifElse(c, () => c.i32(PRED_OK).set(R), () => c.i32(PRED_WRONG).set(R));
      }, () => c.i32(rs1 < 0 ? PRED_REDIRECT : PRED_WRONG).set(R));
    }
    if (rdLink) {
      c.get(BT).i32(3).op(Op.i32_shl).f64(ft).mem(Op.f64_store, 3, bp.ras);
      c.get(BT).i32(1).op(Op.i32_add).i32(RAS).op(Op.i32_rem_u).set(BT);
      c.get(BC).i32(RAS).op(Op.i32_lt_s);
      ifElse(c, () => c.get(BC).i32(1).op(Op.i32_add).set(BC));
    }
    if (isReturn || rdLink) {
      stF(c, bp.scalars + 8, () => c.get(BT).op(Op.f64_convert_i32_s));
      stF(c, bp.scalars + 16, () => c.get(BC).op(Op.f64_convert_i32_s));
    }
    if (!isReturn) btbUpdate(pc);
  };

  /**
   * MDC = muldiv.ts mulDivCyclesHalves for this instruction's operands (the event's two i64 at P), its
   * shape, kind and the unit's parameters being constants here.
   */
  const mulDivCycles = (shape: number, isMul: boolean) => {
    const w = 64;
    const unroll = spec.mulUnroll;
    const half = (shape & MD_HALF) !== 0;
    const hi = (shape & MD_HI) !== 0;
    const lhsSigned = (shape & MD_LHS_SIGNED) !== 0;
    const rhsSigned = (shape & MD_RHS_SIGNED) !== 0;
    // The operands as MulDiv sees them: 64 bits, a W form's low 32 sign- or zero-extended.
    const operand = (off: number, signed: boolean, into: number) => {
      c.get(P).mem(Op.i64_load, 3, off);
      if (half) c.op(Op.i32_wrap_i64).op(signed ? Op.i64_extend_i32_s : Op.i64_extend_i32_u);
      c.set(into);
    };
    operand(0, lhsSigned, MA);
    if (isMul) {
      const iters = w / unroll;
      const fastMulW = w / 2 > unroll && w % (2 * unroll) === 0;
      const count0 = half && fastMulW ? iters / 2 : 0;
      c.f64(iters - count0 + 2).set(MDC);
      if (spec.mulEarlyOut && !hi) {
        // Stop at the first iteration whose remaining multiplier bits [unroll·k, 64 - unroll·count0) are zero.
        c.open(Op.block);
        for (let cc = count0; cc < iters - 1; cc++) {
          if (cc === 0) continue;
          const k = cc - count0;
          const from = unroll * k;
          const to = Math.min(from + (w - unroll * cc), w);
          if (from >= to) {
            c.f64(k + 1 + 2).set(MDC).br(0);
            break;
          }
          const mask = BigInt.asIntN(64, ((1n << BigInt(to - from)) - 1n) << BigInt(from));
          c.get(MA).i64(mask).op(Op.i64_and).op(Op.i64_eqz);
          ifElse(c, () => c.f64(k + 1 + 2).set(MDC).br(1));
        }
        c.end();
      }
      return;
    }
    operand(8, rhsSigned, MB);
    // lhsNeg, rhsNeg (i32 locals BK, BC); magnitudes in MA, MB.
    if (lhsSigned) c.get(MA).i64(0n).op(Op.i64_lt_s).set(BK);
    else c.i32(0).set(BK);
    if (rhsSigned) c.get(MB).i64(0n).op(Op.i64_lt_s).set(BC);
    else c.i32(0).set(BC);
    c.get(BK);
    ifElse(c, () => c.i64(0n).get(MA).op(Op.i64_sub).set(MA));
    c.get(BC);
    ifElse(c, () => c.i64(0n).get(MB).op(Op.i64_sub).set(MB));
    c.f64(w + 1).set(Y); // iterations
    if (spec.divEarlyOut) {
      c.get(MB).op(Op.i64_eqz).op(Op.i32_eqz);
      ifElse(c, () => {
        // dMsb = max(bitLength(ma) - 1, 0); vMsb = bitLength(mb) - 1; eOutPos = ~(dMsb - vMsb) & 63
        c.i32(63).get(MA).op(Op.i64_clz).op(Op.i32_wrap_i64).op(Op.i32_sub).set(BT);
        c.get(BT).i32(0).op(Op.i32_lt_s);
        ifElse(c, () => c.i32(0).set(BT));
        c.get(BT).i32(63).get(MB).op(Op.i64_clz).op(Op.i32_wrap_i64).op(Op.i32_sub).op(Op.i32_sub).i32(-1).op(Op.i32_xor).i32(w - 1).op(Op.i32_and).set(BT);
        c.get(BT).i32(1).op(Op.i32_ge_s);
        ifElse(c, () => c.i32(1 + w + 1).get(BT).op(Op.i32_sub).op(Op.f64_convert_i32_s).set(Y));
      });
    }
    // negOut: hi ? lhsNeg : lhsNeg != rhsNeg, never for a quotient by zero
    if (hi) c.get(BK).set(BT);
    else {
      c.get(BK).get(BC).op(Op.i32_ne).get(MB).op(Op.i64_eqz).op(Op.i32_eqz).op(Op.i32_and).set(BT);
    }
    c.get(BK).get(BC).op(Op.i32_or).op(Op.f64_convert_i32_u).get(Y).op(Op.f64_add).get(BT).op(Op.f64_convert_i32_u).op(Op.f64_add).f64(2).op(Op.f64_add).set(MDC);
  };
  const readyInBlock = new Set<number>();
  c.open(Op.block); // $out
  insns.forEach((x, j) => {
    // depth 0 here is $out
    // A pass stops before a load, store or jalr (the interpreter's) or after a control transfer, nowhere else
    // (jit/translate.ts exit): only there can k be j.
    const prev = j > 0 ? insns[j - 1] : null;
    if (x.ev === LOG_EV_LOAD || x.ev === LOG_EV_STORE || (x.flags & F_JALR) !== 0 || (prev !== null && (prev.flags & F_CTRL) !== 0)) {
      c.get(K).i32(j).op(Op.i32_le_s).brIf(0);
    }
    const SZ = x.size;
    const visible = () => {
      // visibleFetchStall of X: X = max(0, X - floor(fab / size)); fab = 0.
      c.get(FAB).f64(1 / SZ).op(Op.f64_mul).op(Op.f64_floor).set(Y);
      c.f64(0).set(FAB);
      c.get(Y).get(X).op(Op.f64_ge);
      ifElse(c, () => c.f64(0).set(X), () => c.get(X).get(Y).op(Op.f64_sub).set(X));
    };
    if (j > 0) {
      c.get(TOUCHED);
      ifElse(c, () => {
        for (const st of ST) c.f64(0).set(st);
        c.i32(0).set(TOUCHED);
      });
    }
    c.get(NOW).tee(START).set(T);

    // Fetch.
    if (!x.sameLine) {
      const page = Math.floor(x.pc / 4096);
      const crosses = (x.pc % 4096) + SZ > 4096;
      c.get(XF);
      ifElse(c, () => {
        c.f64(page).set(PAGE);
        const walk = () => {
          c.get(PAGE).call(B_ITLB).op(Op.i32_eqz);
          ifElse(c, () => {
            incF(c, sv('evItlbMisses'));
            c.i32(0).f64(x.pc).get(HDR).i32(j + 1).get(P).i32(x.evBytes).op(Op.i32_add).call(B_WALK).set(X);
            visible();
            stall(S.itlb, () => c.get(X));
            c.get(T).get(X).op(Op.f64_add).set(T);
          });
          c.get(PAGE).set(LFP);
        };
        if (crosses) walk();
        else {
          c.get(PAGE).get(LFP).op(Op.f64_ne);
          ifElse(c, walk);
        }
      }, () => c.f64(NaN).set(LFP));
      const pa = x.fetchPa;
      const first = Math.floor(pa / spec.iLineBytes);
      const last = Math.floor((pa + SZ - 1) / spec.iLineBytes);
      const cacheable = spec.cacheable.some((r) => pa >= r.base && pa < r.end);
      c.f64(first).get(LFL).op(Op.f64_ne).f64(first).get(LCL).op(Op.f64_ne).op(Op.i32_or);
      if (last !== first) c.op(Op.drop).i32(1);
      ifElse(c, () => {
        if (cacheable) {
          for (let line = first; line <= last; line++) {
            c.f64(line).get(LFL).op(Op.f64_ne);
            ifElse(c, () => {
              c.f64(0).set(PEND);
              ldF(c, sv('pendingFetchReady')).tee(X).get(T).op(Op.f64_gt);
              ifElse(c, () => c.get(X).get(T).op(Op.f64_sub).set(PEND));
              // A hit changes nothing (random replacement): the line's set is known here, so its ways are
              // looked at in place and only a miss calls the cache's access.
              const ic = spec.icache;
              const base = (line % (ic.setMask + 1)) * ic.ways;
              for (let w = 0; w < ic.ways; w++) {
                c.i32(0).mem(Op.f64_load, 3, ic.tags + 8 * (base + w)).f64(line).op(Op.f64_eq);
                if (w > 0) c.op(Op.i32_or);
              }
              ifElse(c, () => c.i32(0).set(R), () => c.f64(line).i32(0).call(B_ICACHE).set(R));
              c.get(R);
              ifElse(c, () => {
                incF(c, sv('evIcacheMisses'));
                c.f64(spec.icacheMiss).f64(line).call(B_PROBE).op(Op.f64_add).set(X);
                visible();
                c.get(PEND).get(X).op(Op.f64_add).set(X);
                stall(S.icache, () => c.get(X));
                c.get(T).get(X).op(Op.f64_add).set(T);
              }, () => {
                c.get(PEND).f64(0).op(Op.f64_gt);
                ldF(c, sv('pendingFetchLine')).f64(line).op(Op.f64_eq).op(Op.i32_and);
                ifElse(c, () => {
                  stall(S.icache, () => c.get(PEND));
                  c.get(T).get(PEND).op(Op.f64_add).set(T);
                });
              });
              c.f64(line).set(LFL);
            });
          }
          if (spec.linesUniform) c.f64(first).set(LCL);
        } else {
          stall(S.uncached, () => c.f64(spec.uncachedLatency));
          c.get(T).f64(spec.uncachedLatency).op(Op.f64_add).set(T);
          c.f64(NaN).set(LFL);
          c.f64(0).set(FAB);
        }
      });
      c.get(T).get(START).op(Op.f64_sub).set(FSTALL);
    }

    // Operands (scoreboard).
    const regReady = (r: number) => c.i32(0).mem(Op.f64_load, 3, spec.regReady + 8 * r);
    const regProducer = (r: number) => c.i32(0).mem(Op.i32_load8_u, 0, spec.regProducer + r);
    // A source last written earlier in the block by an instruction with a one-cycle result is ready
    // (regReady = the cycle after it, and time only grows): no need to look.
    const srcs = [x.rs1, x.rs2].filter((r) => r !== 0 && !readyInBlock.has(r));
    if (srcs.length > 0) {
      regReady(srcs[0]).set(READY);
      regProducer(srcs[0]).set(PROD);
      if (srcs.length > 1) {
        regReady(srcs[1]).tee(X).get(READY).op(Op.f64_gt);
        ifElse(c, () => {
          c.get(X).set(READY);
          regProducer(srcs[1]).set(PROD);
        });
      }
      c.get(READY).get(T).op(Op.f64_gt);
      ifElse(c, () => {
        c.get(PROD).i32(1).op(Op.i32_eq);
        ifElse(c, () => stall(S.muldiv, () => c.get(READY).get(T).op(Op.f64_sub)), () => stall(S.loadUse, () => c.get(READY).get(T).op(Op.f64_sub)));
        c.get(READY).set(T);
      });
    }
    if (x.flags & F_MULDIV) {
      c.get(MDFREE).get(T).op(Op.f64_gt);
      ifElse(c, () => {
        stall(S.muldiv, () => c.get(MDFREE).get(T).op(Op.f64_sub));
        c.get(MDFREE).set(T);
      });
    }
    const isMem = x.ev === LOG_EV_LOAD || x.ev === LOG_EV_STORE;
    // dcacheOrderWait (fencePending, fence.i, fence)
    const order = () => {
      c.i32(x.flags & F_FENCE_I ? 1 : 0).set(R);
      if (isMem) {
        c.get(FENCE);
        ifElse(c, () => {
          c.i32(1).set(R);
          c.i32(0).set(FENCE);
        });
      }
      if (x.flags & F_FENCE) c.i32(1).set(FENCE);
      c.get(R).get(DIDLE).get(T).op(Op.f64_gt).op(Op.i32_and);
      ifElse(c, () => {
        stall(S.dcache, () => c.get(DIDLE).get(T).op(Op.f64_sub));
        c.get(DIDLE).set(T);
      });
    };
    if (x.flags & F_ORDER) order();
    else if (isMem) {
      c.get(FENCE);
      ifElse(c, order);
    }
    c.get(T).set(ISSUE);
    // Cycles after issue (data access, prediction, flush): only for the instructions that can have any.
    const hasPost = isMem || (x.flags & (F_CTRL | F_FENCE_I)) !== 0;
    if (hasPost) c.f64(0).set(POST);

    // Data access.
    if (isMem) {
      const store = x.ev === LOG_EV_STORE;
      ldF(c, sv('portBusyUntil')).tee(X).get(ISSUE).op(Op.f64_gt);
      ifElse(c, () => {
        stall(S.xpc, () => c.get(X).get(ISSUE).op(Op.f64_sub));
        c.get(POST).get(X).get(ISSUE).op(Op.f64_sub).op(Op.f64_add).set(POST);
      });
      c.get(XD);
      ifElse(c, () => {
        c.get(P).mem(Op.i64_load, 3, 0).op(Op.f64_convert_i64_s).tee(VA).f64(1 / 4096).op(Op.f64_mul).op(Op.f64_floor).set(PAGE);
        // The D-TLB memo (tlb.ts) checked here: a hit stamps the entry; otherwise the dispatcher module's lookup.
        const t = spec.dtlb;
        c.get(PAGE).op(Op.i64_trunc_f64_s).op(Op.i32_wrap_i64).i32(TLB_MEMO_SLOTS - 1).op(Op.i32_and).i32(2).op(Op.i32_shl).set(BH);
        c.get(BH).mem(Op.i32_load, 2, t.memoGen).op(Op.f64_convert_i32_s);
        ldF(c, t.scalars + 8).op(Op.f64_eq);
        c.get(BH).i32(1).op(Op.i32_shl).mem(Op.f64_load, 3, t.memoVpn).get(PAGE).op(Op.f64_eq).op(Op.i32_and);
        c.get(BH).mem(Op.i32_load, 2, t.memoAsid).op(Op.f64_convert_i32_s);
        ldF(c, sv('asidTag')).op(Op.f64_eq).op(Op.i32_and);
        ifElse(c, () => {
          ldF(c, t.scalars).f64(1).op(Op.f64_add).set(X);
          stF(c, t.scalars, () => c.get(X));
          c.get(BH).mem(Op.i32_load, 2, t.memoIndex).i32(3).op(Op.i32_shl).get(X).mem(Op.f64_store, 3, t.stamps);
          c.i32(1).set(BI);
        }, () => c.get(PAGE).call(B_DTLB).set(BI));
        c.get(BI).op(Op.i32_eqz);
        ifElse(c, () => {
          incF(c, sv('evDtlbMisses'));
          c.i32(1).get(VA).get(HDR).i32(j + 1).get(P).i32(x.evBytes).op(Op.i32_add).call(B_WALK).f64(spec.replayPenalty).op(Op.f64_add).set(X);
          stall(S.dtlb, () => c.get(X));
          c.get(POST).get(X).op(Op.f64_add).set(POST);
        });
      });
      c.get(P).mem(Op.i32_load, 2, 8).tee(R).op(Op.f64_convert_i32_s).set(MPA);
      c.get(R).i32(spec.ramSplit).op(Op.i32_ge_s);
      ifElse(c, () => c.get(MPA).f64(spec.ramBias).op(Op.f64_add).set(MPA), () => c.get(MPA).f64(spec.romBias).op(Op.f64_add).set(MPA));
      c.get(MPA).f64(1 / 8).op(Op.f64_mul).op(Op.f64_floor).set(WORD);
      if (!store) {
        c.get(WORD).get(LSW).op(Op.f64_eq);
        c.get(ISSUE).get(LSI).op(Op.f64_sub).f64(spec.storeLoadWindow).op(Op.f64_le).op(Op.i32_and);
        ifElse(c, () => {
          c.f64(spec.replayPenalty + spec.storeLoadWindow).get(ISSUE).get(LSI).op(Op.f64_sub).op(Op.f64_sub).set(X);
          stall(S.dcache, () => c.get(X));
          c.get(POST).get(X).op(Op.f64_add).set(POST);
        });
      }
      cacheableTest(c, spec, MPA);
      ifElse(c, () => {
        c.get(MPA).f64(1 / spec.dLineBytes).op(Op.f64_mul).op(Op.f64_floor).set(FIRST);
        c.get(MPA).f64(x.memSize - 1).op(Op.f64_add).f64(1 / spec.dLineBytes).op(Op.f64_mul).op(Op.f64_floor).set(LAST);
        // A one-line access that hits (a store: to a writable line) is settled here: no state changes but
        // the store's dirty bit (random replacement keeps no use order). Anything else is dcacheLines'.
        const d = spec.dcache;
        c.i32(0).set(BI);
        c.get(FIRST).get(LAST).op(Op.f64_eq);
        ifElse(c, () => {
          c.get(FIRST).op(Op.i64_trunc_f64_s).op(Op.i32_wrap_i64).i32(d.setMask).op(Op.i32_and).i32(d.ways).op(Op.i32_mul).set(BK);
          c.i32(-1).set(BH);
          for (let w = 0; w < d.ways; w++) {
            c.get(BK).i32(w).op(Op.i32_add).i32(3).op(Op.i32_shl).mem(Op.f64_load, 3, d.tags).get(FIRST).op(Op.f64_eq);
            ifElse(c, () => c.get(BK).i32(w).op(Op.i32_add).set(BH));
          }
          c.get(BH).i32(0).op(Op.i32_ge_s);
          ifElse(c, () => {
            if (store) {
              c.get(BH).mem(Op.i32_load8_u, 0, d.readOnly).op(Op.i32_eqz);
              ifElse(c, () => {
                c.get(BH).i32(1).mem(Op.i32_store8, 0, d.dirty);
                c.i32(1).set(BI);
              });
            } else c.i32(1).set(BI);
          });
        });
        c.get(BI).op(Op.i32_eqz);
        ifElse(c, () => {
          c.get(FIRST).get(LAST).i32(store ? 1 : 0).call(B_DLINES).tee(X).f64(0).op(Op.f64_ne);
          ifElse(c, () => {
            stall(S.dcache, () => c.get(X));
            c.get(POST).get(X).op(Op.f64_add).set(POST);
          });
        });
      }, () => {
        stall(S.uncached, () => c.f64(spec.uncachedLatency));
        c.get(POST).f64(spec.uncachedLatency).op(Op.f64_add).set(POST);
      });
      c.get(ISSUE).get(POST).op(Op.f64_add).f64(4).op(Op.f64_add).set(DIDLE);
      if (store) {
        c.get(WORD).set(LSW);
        c.get(ISSUE).get(POST).op(Op.f64_add).set(LSI);
      }
    }

    // Result latency.
    if (x.flags & F_MULDIV) {
      if (x.flags & F_PIPE_MUL) c.f64(spec.mulLatencyPipe).set(MDC);
      else {
        mulDivCycles(x.mdShape, x.isMul);
      }
    }
    if (x.rd > 0) {
      c.i32(0).get(ISSUE);
      if (hasPost) c.get(POST).op(Op.f64_add);
      if (x.lat === LAT_WORD) c.f64(spec.loadLatencyWord);
      else if (x.lat === LAT_SUB) c.f64(spec.loadLatencySubword);
      else if (x.lat === LAT_MULDIV) c.get(MDC);
      else c.f64(1);
      c.op(Op.f64_add).mem(Op.f64_store, 3, spec.regReady + 8 * x.rd);
      // The producer is read only for a register still in flight, which a one-cycle result never is
      // (its regReady is never after the next instruction's start): only the others write it.
      if (x.lat !== LAT_ONE) c.i32(0).i32(x.lat === LAT_MULDIV ? 1 : 0).mem(Op.i32_store8, 0, spec.regProducer + x.rd);
      if (x.lat === LAT_ONE) readyInBlock.add(x.rd);
      else readyInBlock.delete(x.rd);
    }
    if (x.flags & F_MULDIV) {
      if (x.flags & F_PIPE_MUL) c.get(ISSUE).f64(1).op(Op.f64_add).set(MDFREE);
      else c.get(ISSUE).get(MDC).op(Op.f64_add).set(MDFREE);
    }

    // Control flow.
    let mayRedirect = false;
    if (x.flags & F_CTRL) {
      mayRedirect = true;
      c.i32(0).set(REDIR);
      const ft = x.pc + SZ;
      if (j + 1 < insns.length) {
        c.f64(insns[j + 1].pc).get(PASSNEXT).get(K).i32(j + 1).op(Op.i32_gt_s).op(Op.select).set(NEXTPC);
      } else c.get(PASSNEXT).set(NEXTPC);
      incF(c, sv('evBranches'));
      if (x.flags & F_BRANCH) predictBranch(x.pc, SZ, ft);
      else predictJump(x.pc, x.rd, x.flags & F_JALR ? x.rs1 : -1, ft);
      c.get(R).i32(PRED_OK).op(Op.i32_ne);
      ifElse(c, () => {
        c.get(R).i32(PRED_REDIRECT).op(Op.i32_eq);
        ifElse(c, () => c.f64(spec.decodeRedirectPenalty).set(X), () => {
          c.f64(spec.mispredictPenalty).set(X);
          incF(c, sv('evMispredicts'));
        });
        stall(S.mispredict, () => c.get(X));
        c.i32(1).set(REDIR);
        // RocketModel.wrongPathFetch(fallThroughPa, issue + post, X): the front end ran on sequentially
        // until the redirect and started refilling the next line if it reached it (what depends only on
        // the branch's address is settled here).
        const ftPa = x.fetchPa + SZ;
        const lb = spec.iLineBytes;
        const line = Math.floor((ftPa - 1) / lb) + 1;
        const lineStart = line * lb;
        const samePage = Math.floor(lineStart / 4096) === Math.floor((ftPa - 1) / 4096);
        if (samePage && spec.cacheable.some((r) => lineStart >= r.base && lineStart < r.end)) {
          c.get(X).f64(0).op(Op.f64_gt).get(NEXTPC).f64(ft).op(Op.f64_ne).op(Op.i32_and);
          ifElse(c, () => {
            c.get(ISSUE).get(POST).op(Op.f64_add).set(VA); // the redirect's issue
            ldF(c, sv('pendingFetchReady')).get(VA).op(Op.f64_gt).op(Op.i32_eqz);
            c.f64(lineStart).f64(ftPa).get(FAB).op(Op.f64_add).f64(spec.fetchBytes).get(X).op(Op.f64_mul).op(Op.f64_add).op(Op.f64_lt).op(Op.i32_and);
            ifElse(c, () => {
              c.f64(line).call(B_ICACHE_CONTAINS).op(Op.i32_eqz);
              ifElse(c, () => {
                c.f64(line).i32(0).call(B_ICACHE).op(Op.drop);
                incF(c, sv('evIcacheMisses'));
                stF(c, sv('pendingFetchLine'), () => c.f64(line));
                c.f64(lineStart - ftPa).get(FAB).op(Op.f64_sub).set(Y); // lead
                c.get(Y).f64(0).op(Op.f64_gt);
                ifElse(c, () => c.get(Y).f64(spec.fetchBytes).op(Op.f64_div).op(Op.f64_ceil).set(Y), () => c.f64(0).set(Y));
                stF(c, sv('pendingFetchReady'), () => {
                  c.get(VA).get(Y).op(Op.f64_add).f64(spec.icacheMiss).op(Op.f64_add).f64(line).call(B_PROBE).op(Op.f64_add);
                });
              });
            });
          });
        }
        c.get(POST).get(X).op(Op.f64_add).set(POST);
      });
    } else if (x.flags & F_FENCE_I) {
      c.call(B_FENCE_I);
      c.f64(NaN).set(LFL);
      if (spec.fenceIPenalty > 0) {
        incF(c, sv('evFlushes'));
        stall(S.flush, () => c.f64(spec.fenceIPenalty));
        c.get(POST).f64(spec.fenceIPenalty).op(Op.f64_add).set(POST);
      }
    }
    c.get(ISSUE).f64(1).op(Op.f64_add);
    if (hasPost) c.get(POST).op(Op.f64_add);
    c.set(NOW);
    // The front end's queue.
    const advance = () => {
      c.get(FAB).f64(spec.fetchBytes).get(NOW).get(START).op(Op.f64_sub);
      if (!x.sameLine) c.get(FSTALL).op(Op.f64_sub);
      c.op(Op.f64_mul).op(Op.f64_add).f64(SZ).op(Op.f64_sub).set(X);
      c.get(X).f64(0).op(Op.f64_lt);
      ifElse(c, () => c.f64(0).set(FAB), () => {
        c.get(X).f64(spec.fetchQueueBytes).op(Op.f64_gt);
        ifElse(c, () => c.f64(spec.fetchQueueBytes).set(FAB), () => c.get(X).set(FAB));
      });
    };
    if (x.flags & F_FENCE_I && spec.fenceIPenalty > 0) c.f64(0).set(FAB);
    else if (mayRedirect) {
      c.get(REDIR);
      ifElse(c, () => c.f64(0).set(FAB), advance);
    } else advance();
    if (x.evBytes > 0) c.get(P).i32(x.evBytes).op(Op.i32_add).set(P);
  });
  c.end(); // $out
  // The last instruction's cycles (replayPass leaves 0 after a pass of none).
  c.f64(0).set(LASTC);
  c.get(K).i32(0).op(Op.i32_gt_s);
  ifElse(c, () => c.get(NOW).get(START).op(Op.f64_sub).set(LASTC));
  for (const [l, n] of locals) stF(c, sv(n), () => c.get(l));
  stF(c, sv('lastCycles'), () => c.get(LASTC));
  if (usesOrder) stF(c, sv('fencePending'), () => c.get(FENCE).op(Op.f64_convert_i32_s));
  stF(c, sv('touched'), () => c.get(TOUCHED).op(Op.f64_convert_i32_s));
  c.get(TOUCHED);
  ifElse(c, () => {
    for (let q = 0; q < spec.nStalls; q++) stF(c, spec.replayStalls + 8 * q, () => c.get(ST[q]));
  });
  c.get(P);
  return encodeModule({
    types: [...TYPES, PASS_TYPE],
    memoryPages: pages,
    tableSize: 0,
    funcImports: BLOCK_IMPORTS,
    funcs: [f.def(PASS_TYPE_INDEX, 'pass')],
  });
}
