// The Rocket-like timing model against hand-computed cycle counts, one rule at a time, on synthetic
// commit streams (docs/cycle-model.md states the rules). Expected figures are written in terms of the
// default parameters (refill 5 + 8 beats, replay 5, mispredict 4, ...) so each names its mechanism.
import { describe, expect, it } from 'vitest';
import { encode, instr } from '../isa/index.js';
import { MEM_AMO, MEM_LOAD, MEM_NONE, MEM_STORE, XLATE_DATA, XLATE_RELAY, XPC_EV_CAP_READ, XPC_EV_LINK_READ, XPC_EV_XCALL, type CommitRecord, type PageTableReader } from '../emulator/types.js';
import { coreFromOption, createCoreModel, mulDivCycles, parseCoreParams, rocketParams, CoreParamsError } from '../emulator/timing/index.js';
import { MD_HALF, MD_HI, MD_LHS_SIGNED, MD_RHS_SIGNED } from '../emulator/timing/classes.js';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function bitsOf(name: string, values: number[]): number {
  const r = encode(instr(name), values);
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  return r.bits;
}

function blank(): CommitRecord {
  return {
    step: 0, priv: 3, pc: 0, raw: 0, size: 4, opId: 0, rd: -1, rdValue: 0n, csrWriteCount: 0, csrWriteNum: [],
    csrWriteValue: [], memKind: MEM_NONE, memVaddr: 0, memPaddr: 0, memSize: 0, memValue: 0n, taken: false,
    nextPc: 0, trapped: false, trapCause: 0n, trapTval: 0n, walkLevels: 0, rs1Value: 0n, rs2Value: 0n,
    fetchPaddr: 0, xlate: 0, xpcEvent: 0, xpcCapPa: 0, xpcEntryPa: 0, xpcLinkPa: 0, xpcSegListPa: 0, mechEvent: 0, mechPa: 0,
  };
}

/** A retired instruction at pc: name and operand values in syntax order, plus record fields. */
function insn(pc: number, name: string, values: number[], extra: Partial<CommitRecord> = {}): CommitRecord {
  const def = instr(name);
  const r = blank();
  r.pc = pc;
  r.fetchPaddr = pc;
  r.raw = bitsOf(name, values);
  r.size = def.size;
  r.opId = def.id;
  r.nextPc = pc + def.size;
  const rdIndex = def.fields.findIndex((f) => f.name === 'rd' || f.name === 'c_rd_p');
  if (rdIndex >= 0 && values[rdIndex] !== 0) r.rd = values[rdIndex];
  return Object.assign(r, extra);
}

const BASE = 0x80000000;
const A0 = 10, A1 = 11, A2 = 12;
const P0 = rocketParams();
/** An I-cache refill; a D-cache load miss (refill + the nacked load's replay); a store miss; a dirty victim's write-back. */
const IMISS = P0.missLatency + 64 / P0.busBytes + P0.icacheRefillExtra;
const DMISS = P0.missLatency + 64 / P0.busBytes + P0.replayPenalty;
const SMISS = DMISS + P0.storeMissExtra;
const WB = 64 / P0.busBytes + P0.writebackExtra;
/** One PTE read that misses / hits the D-cache (the walker's requests are not replayed). */
const PTE_MISS = P0.walkAccessCycles + P0.missLatency + 64 / P0.busBytes;
const PTE_HIT = P0.walkAccessCycles;
/** What a D-TLB miss adds besides its PTE reads: handing the result to the TLB, replaying the access. */
const DTLB_EXTRA = P0.walkFinishCycles + P0.replayPenalty;

function run(model: ReturnType<typeof createCoreModel>, recs: CommitRecord[]): number[] {
  return recs.map((r) => model.observer!(r));
}

describe('rocket timing model', () => {
  it('ideal costs nothing: no observer', () => {
    const m = createCoreModel('ideal');
    expect(m.observer).toBeNull();
    expect(m.stats()).toBeNull();
  });

  it('load-use interlock: ld then a dependent add stalls 1; lb stalls 2; an independent instruction hides it', () => {
    const m = createCoreModel('rocket');
    const ld = (pc: number) => insn(pc, 'ld', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: BASE + 0x1000, memPaddr: BASE + 0x1000, memSize: 8 });
    // Cold: I-cache miss + issue (1) + D-cache miss for the ld; the add waits 1 for the data.
    expect(run(m, [ld(BASE), insn(BASE + 4, 'add', [A2, A0, A0])])).toEqual([IMISS + 1 + DMISS, 2]);
    // Warm (same lines): 1 + 1 stall.
    expect(run(m, [ld(BASE + 8), insn(BASE + 12, 'add', [A2, A0, A0])])).toEqual([1, 2]);
    const lb = insn(BASE + 16, 'lb', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: BASE + 0x1000, memPaddr: BASE + 0x1000, memSize: 1 });
    expect(run(m, [lb, insn(BASE + 20, 'add', [A2, A1, A0])])).toEqual([1, 3]);
    expect(run(m, [ld(BASE + 24), insn(BASE + 28, 'addi', [A1, A1, 1]), insn(BASE + 32, 'add', [A2, A0, A0])])).toEqual([1, 1, 1]);
    expect(m.stats()!.stalls['load-use']).toBe(1 + 1 + 2);
    expect(m.stats()!.stalls.dcache).toBe(DMISS);
    expect(m.stats()!.stalls.icache).toBe(IMISS);
  });

  it("a loop branch: mispredicted until Rocket's 1-bit BHT has seen the loop's global history, then free until the exit", () => {
    const m = createCoreModel('rocket');
    const loop = BASE + 0x40;
    const branch: number[] = [];
    // addi a0, a0, -1 ; bnez a0, loop   — 20 iterations: 19 taken, then not taken.
    for (let i = 19; i >= 0; i--) {
      m.observer!(insn(loop, 'addi', [A0, A0, -1]));
      branch.push(m.observer!(insn(loop + 4, 'bne', [A0, 0, -4], { taken: i > 0, nextPc: i > 0 ? loop : loop + 8 })));
    }
    const miss = 1 + P0.mispredictPenalty;
    // First pass: BTB miss, the (cleared) BHT says not taken: mispredicted. While the history register
    // fills with "taken" the index moves to untrained counters; once it is all ones the counter there
    // says taken and the loop runs free.
    expect(branch[0]).toBe(miss);
    expect(branch.slice(10, 19)).toEqual(Array(9).fill(1));
    // The exit: the counter for an all-taken history says taken.
    expect(branch[19]).toBe(miss);
    const s = m.stats()!;
    expect(s.stalls.mispredict).toBe(s.events.mispredicts * P0.mispredictPenalty);
  });

  it('a BTB miss the predecoder steers (a jal) costs the decode redirect, not a misprediction', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    expect(m.observer!(insn(BASE + 4, 'jal', [0, 0x20], { taken: true, nextPc: BASE + 0x24 }))).toBe(1 + P0.decodeRedirectPenalty);
    expect(m.stats()!.events.mispredicts).toBe(0);
    // Now in the BTB: free.
    expect(m.observer!(insn(BASE + 4, 'jal', [0, 0x20], { taken: true, nextPc: BASE + 0x24 }))).toBe(1);
  });

  it('calls and returns: the return-address stack predicts ret; jal to a new target pays the penalty once', () => {
    const m = createCoreModel('rocket');
    const f = BASE + 0x100;
    const seq = (): number[] =>
      run(m, [
        insn(BASE, 'jal', [1, 0x100], { taken: true, nextPc: f }),
        insn(f, 'jalr', [0, 0, 1], { taken: true, nextPc: BASE + 4 }),
      ]);
    // Cold: the jal misses the BTB (decode redirect); the return is predicted by the RAS.
    expect(seq()).toEqual([IMISS + 1 + P0.decodeRedirectPenalty, IMISS + 1]);
    expect(seq()).toEqual([1, 1]);
  });

  it('MulDiv cycles over 32-bit halves equal the BigInt statement of the same rules on random and edge operands', () => {
    // The rules written directly on 64-bit BigInts (the model computes them on int32 halves).
    const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);
    const operand = (v: bigint, half: boolean, signed: boolean): bigint =>
      !half ? BigInt.asUintN(64, v) : signed ? BigInt.asUintN(64, BigInt.asIntN(32, v)) : BigInt.asUintN(32, v);
    const reference = (shape: number, isMul: boolean, rs1: bigint, rs2: bigint, unroll: number, mulEO: boolean, divEO: boolean): number => {
      const w = 64;
      const half = (shape & MD_HALF) !== 0, hi = (shape & MD_HI) !== 0;
      const ls = (shape & MD_LHS_SIGNED) !== 0, rs = (shape & MD_RHS_SIGNED) !== 0;
      const a = operand(rs1, half, ls), b = operand(rs2, half, rs);
      if (isMul) {
        const iters = w / unroll;
        const count0 = half && w / 2 > unroll && w % (2 * unroll) === 0 ? iters / 2 : 0;
        let n = iters - count0;
        if (mulEO && !hi) {
          for (let c = count0; c < iters - 1; c++) {
            if (c === 0) continue;
            const k = c - count0;
            if (((a >> BigInt(unroll * k)) & ((1n << BigInt(w - unroll * c)) - 1n)) === 0n) {
              n = k + 1;
              break;
            }
          }
        }
        return n + 2;
      }
      const ln = ls && a >> 63n === 1n, rn = rs && b >> 63n === 1n;
      const ma = ln ? BigInt.asUintN(64, -a) : a, mb = rn ? BigInt.asUintN(64, -b) : b;
      let it = w + 1;
      if (divEO && mb !== 0n) {
        const e = ~((ma === 0n ? 0 : bitLength(ma) - 1) - (bitLength(mb) - 1)) & (w - 1);
        if (e >= 1) it = 1 + (w - e + 1);
      }
      let neg = hi ? ln : ln !== rn;
      if (mb === 0n && !hi) neg = false;
      return (ln || rn ? 1 : 0) + it + (neg ? 1 : 0) + 2;
    };
    let seed = 0x2545f4914f6cdd1dn;
    const next = (): bigint => {
      seed = BigInt.asUintN(64, seed * 6364136223846793005n + 1442695040888963407n);
      // Random magnitudes: shift a random value right by 0..63 bits, sometimes negate it.
      const v = seed >> (seed & 63n);
      return (seed & 64n) !== 0n ? BigInt.asUintN(64, -v) : v;
    };
    const edges = [0n, 1n, 2n, 3n, 0xffn, 0x100n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 2n];
    const values = [...edges];
    for (let i = 0; i < 300; i++) values.push(next());
    let checked = 0;
    for (const unroll of [1, 2, 8, 32, 64]) {
      for (let shape = 0; shape < 16; shape++) {
        for (let i = 0; i < values.length; i += 3) {
          const a = values[i], b = values[(i * 7 + shape) % values.length];
          for (const isMul of [true, false]) {
            for (const eo of [true, false]) {
              expect(mulDivCycles(shape, isMul, a, b, unroll, eo, eo), `${shape} ${isMul} ${a} ${b} ${unroll} ${eo}`).toBe(reference(shape, isMul, a, b, unroll, eo, eo));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });

  it("Rocket's iterative MulDiv: 8 multiplier bits a cycle with early out, 1 quotient bit a cycle with early out", () => {
    const MUL = MD_LHS_SIGNED | MD_RHS_SIGNED;
    const md = (shape: number, isMul: boolean, a: bigint, b: bigint) => mulDivCycles(shape, isMul, a, b, 8, true, true);
    // Result latency = iterations + s_done + the consumer's issue. The multiplier is rs1: one byte stops
    // after the second iteration (never after the first), two bytes after the third; a full one takes 8.
    // (Measured on the RTL: 12345 * x, any x, is 5 cycles to its consumer.)
    expect(md(MUL, true, 7n, 12345n)).toBe(2 + 2);
    expect(md(MUL, true, 12345n, -1n)).toBe(3 + 2);
    expect(md(MUL, true, 0xff00000000n, 12345n)).toBe(6 + 2);
    expect(md(MUL, true, -1n, 7n)).toBe(8 + 2);
    expect(md(MUL | MD_HALF, true, 12345n, 7n)).toBe(3 + 2); // mulw starts half-way: at most 4
    expect(md(MUL | MD_HALF, true, -1n, 7n)).toBe(4 + 2);
    expect(md(MUL | MD_HI, true, 7n, 7n)).toBe(8 + 2); // mulh never stops early
    expect(mulDivCycles(MUL, true, 1n, 7n, 8, false, true)).toBe(8 + 2);
    // Divide: 100 / 3 skips to the quotient's 6 bits: 1 + (64 - 58 + 1) iterations.
    expect(md(MUL, false, 100n, 3n)).toBe(8 + 2);
    expect(md(MUL, false, -100n, 3n)).toBe(1 + 8 + 1 + 2); // negate the input and the result
    expect(md(MUL, false, 5n, 0n)).toBe(65 + 2); // no early out on a zero divisor
    expect(md(0, false, 2n ** 64n - 1n, 1n)).toBe(65 + 2); // eOutPos 0: nothing to skip
    expect(md(MUL, false, 3n, 7n)).toBe(65 + 2); // dividend's leading bit just below the divisor's: no early out
    expect(md(MD_HALF | MUL, false, 5n, 0n)).toBe(65 + 2);
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0])); // warm the I-cache line
    const div = insn(BASE + 4, 'div', [A0, A1, A2], { rs1Value: 100n, rs2Value: 3n });
    // div issues (1); the add needs a0 at issue + 10: it stalls 9 cycles.
    expect(run(m, [div, insn(BASE + 8, 'add', [A2, A0, A0])])).toEqual([1, 10]);
    expect(m.stats()!.stalls.muldiv).toBe(9);
    // A multiply waits for the unit, then its consumer for the result (multiplier rs1 = 0: 2 iterations).
    expect(run(m, [insn(BASE + 12, 'mul', [A0, A1, A2]), insn(BASE + 16, 'add', [A2, A0, A0])])).toEqual([1, 4]);
  });

  it('CSR results are not bypassed: a consumer right after csrr waits until the read reaches writeback', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    expect(run(m, [insn(BASE + 4, 'csrrs', [A0, 0x340, 0]), insn(BASE + 8, 'addi', [A1, A0, 1])])).toEqual([1, P0.csrLatency]);
  });

  it('a load right behind a store to the same word is nacked and replayed', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    // Loads write a2, stores store a0: no register dependence between them.
    const acc = (pc: number, name: string, kind: number, pa: number) =>
      insn(pc, name, [kind === MEM_LOAD ? A2 : A0, 0, A1], { memKind: kind, memVaddr: pa, memPaddr: pa, memSize: 8 });
    m.observer!(acc(BASE + 4, 'ld', MEM_LOAD, BASE + 0x1000)); // warm the line
    // Right behind the store: the replay waits one cycle more than with one instruction between.
    expect(run(m, [acc(BASE + 8, 'sd', MEM_STORE, BASE + 0x1000), acc(BASE + 12, 'ld', MEM_LOAD, BASE + 0x1000)])).toEqual([1, 1 + P0.replayPenalty + 1]);
    expect(run(m, [acc(BASE + 16, 'sd', MEM_STORE, BASE + 0x1000), acc(BASE + 20, 'ld', MEM_LOAD, BASE + 0x1008)])).toEqual([1, 1]);
    expect(run(m, [acc(BASE + 24, 'sd', MEM_STORE, BASE + 0x1000), insn(BASE + 28, 'addi', [0, 0, 0]), acc(BASE + 32, 'ld', MEM_LOAD, BASE + 0x1000)])).toEqual([1, 1, 1 + P0.replayPenalty]);
    expect(run(m, [acc(BASE + 36, 'sd', MEM_STORE, BASE + 0x1000), insn(BASE + 40, 'addi', [0, 0, 0]), insn(BASE + 44, 'addi', [0, 0, 0]), acc(BASE + 48, 'ld', MEM_LOAD, BASE + 0x1000)])).toEqual([1, 1, 1, 1]);
    // An AMO reads too: it is nacked behind a store to its word like a load.
    const amo = insn(BASE + 52, 'amoadd.d', [A2, A0, A1], { memKind: MEM_AMO, memVaddr: BASE + 0x1000, memPaddr: BASE + 0x1000, memSize: 8 });
    expect(run(m, [acc(BASE + 56, 'sd', MEM_STORE, BASE + 0x1000), { ...amo, pc: BASE + 60 }])).toEqual([1, 1 + P0.replayPenalty + 1]);
  });

  it('D-cache miss on a store; dirty victims pay their write-back (LRU here, for a hand count)', () => {
    const m = createCoreModel(parseCoreParams({ dcache: { replacement: 'lru' } }));
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const sd = (pc: number, pa: number) => insn(pc, 'sd', [A0, 0, A1], { memKind: MEM_STORE, memVaddr: pa, memPaddr: pa, memSize: 8 });
    const set = 16384 / 4; // bytes per way: same set every 4 KiB
    expect(run(m, [sd(BASE + 4, BASE + 0x10000), sd(BASE + 8, BASE + 0x10008)])).toEqual([1 + SMISS, 1]);
    // Three more lines of the set fill the invalid ways; the fourth evicts the first (dirty).
    expect(run(m, [1, 2, 3, 4].map((k) => sd(BASE + 12, BASE + 0x10000 + k * set)))).toEqual([1 + SMISS, 1 + SMISS, 1 + SMISS, 1 + SMISS + WB]);
    expect(m.observer!(sd(BASE + 16, BASE + 0x10000))).toBe(1 + SMISS + WB);
    // A misaligned access spanning two lines touches both (the first evicts a dirty line of set 0).
    expect(m.observer!(sd(BASE + 20, BASE + 0x20000 + 60))).toBe(1 + SMISS + WB + SMISS);
    // Device addresses are not cached.
    expect(m.observer!(sd(BASE + 24, 0x2000000))).toBe(1 + P0.uncachedLatency);
    // Random replacement (the default) is seeded: the same stream gives the same cycles.
    const a = createCoreModel('rocket');
    const b = createCoreModel('rocket');
    const stream = [0, 1, 2, 3, 4, 5, 6, 0, 1, 2].map((k) => sd(BASE + 4, BASE + 0x10000 + k * set));
    expect(run(a, stream)).toEqual(run(b, stream));
  });

  describe('translation', () => {
    // Sv39 tables: root at 0x80100000 -> level-1 table 0x80101000 -> level-0 table 0x80102000; va page n -> pa 0x80200000 + n*4096.
    const mem = new Map<number, bigint>();
    const root = 0x80100000;
    const pte = (pa: number, flags: bigint) => (BigInt(pa / 4096) << 10n) | flags;
    mem.set(root + 0, pte(0x80101000, 1n));
    mem.set(0x80101000, pte(0x80102000, 1n));
    for (let n = 0; n < 16; n++) mem.set(0x80102000 + n * 8, pte(0x80200000 + n * 4096, 0xcfn));
    const satp = (8n << 60n) | BigInt(root / 4096);
    const reader: PageTableReader = { satp: () => satp, readPhys64: (pa) => mem.get(pa) ?? (pa >= BASE ? 0n : undefined) };
    const ld = (pc: number, va: number) =>
      insn(pc, 'ld', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: va, memPaddr: 0x80200000 + va, memSize: 8, xlate: XLATE_DATA });

    it('a D-TLB miss walks three levels through the D-cache; the PTE cache serves the next walk', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      // Walk: 3 PTE reads, each a D-cache miss; the TLB refill and the replay; then the data line misses.
      expect(m.observer!(ld(BASE + 4, 0x1100))).toBe(1 + 3 * PTE_MISS + DTLB_EXTRA + DMISS);
      expect(m.observer!(ld(BASE + 8, 0x1108))).toBe(1); // TLB and D-cache hit
      // Page 2 (same TLB sector, its own valid bit): levels 2 and 1 hit the PTE cache; the leaf PTE's
      // line is in the D-cache.
      expect(m.observer!(ld(BASE + 12, 0x2200))).toBe(1 + 2 * P0.pteCacheHitCycles + PTE_HIT + DTLB_EXTRA + DMISS);
      const s = m.stats()!;
      expect(s.events.dtlbMisses).toBe(2);
      expect(s.events.pteReads).toBe(6);
      expect(s.stalls.dtlb).toBe(3 * PTE_MISS + 2 * P0.pteCacheHitCycles + PTE_HIT + 2 * DTLB_EXTRA);
    });

    it('an access the XPC relay segment translated is not looked up or walked in the D-TLB', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      const relay = insn(BASE + 4, 'ld', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: 0x5000, memPaddr: 0x80300000, memSize: 8, xlate: XLATE_DATA | XLATE_RELAY });
      expect(m.observer!(relay)).toBe(1 + DMISS);
      expect(m.observer!({ ...relay, pc: BASE + 8 })).toBe(1);
      expect(m.stats()!.events.dtlbMisses).toBe(0);
      expect(m.stats()!.events.pageWalks).toBe(0);
    });

    it('sfence.vma flushes the TLBs and the PTE cache: the next access walks again', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      m.observer!(ld(BASE + 4, 0x1100));
      expect(m.observer!(insn(BASE + 8, 'sfence.vma', [0, 0]))).toBe(1 + P0.sfencePenalty);
      // 3 PTE reads, all D-cache hits now; the data hits.
      const rewalk = 1 + 3 * PTE_HIT + DTLB_EXTRA;
      expect(m.observer!(ld(BASE + 12, 0x1100))).toBe(rewalk);
      // sfence.vma with an address flushes that page only and keeps the PTE cache (PTW.scala clears it
      // only without rs1): the rewalk finds both non-leaf PTEs there.
      m.observer!(ld(BASE + 16, 0x2200));
      m.observer!(insn(BASE + 20, 'sfence.vma', [A1, 0], { rs1Value: 0x2000n }));
      expect(m.observer!(ld(BASE + 24, 0x1100))).toBe(1);
      expect(m.observer!(ld(BASE + 28, 0x2200))).toBe(1 + 2 * P0.pteCacheHitCycles + PTE_HIT + DTLB_EXTRA);
    });

    it('sfence.vma x0, rs2 (untagged TLBs): global entries stay, the others and the PTE cache go', () => {
      const gmem = new Map(mem);
      for (let n = 0; n < 16; n++) gmem.set(0x80102000 + n * 8, pte(0x80200000 + n * 4096, n === 1 ? 0xefn : 0xcfn)); // page 1 global
      const greader: PageTableReader = { satp: () => satp, readPhys64: (pa) => gmem.get(pa) ?? (pa >= BASE ? 0n : undefined) };
      const m = createCoreModel('rocket', greader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      m.observer!(ld(BASE + 4, 0x1100));
      m.observer!(ld(BASE + 8, 0x5100));
      m.observer!(insn(BASE + 12, 'sfence.vma', [0, A2], { rs2Value: 3n }));
      expect(m.observer!(ld(BASE + 16, 0x1100))).toBe(1); // global
      expect(m.observer!(ld(BASE + 20, 0x5100))).toBe(1 + 3 * PTE_HIT + DTLB_EXTRA);
    });

    it('a page fault is found by a walk like any TLB miss; the faulting answer is kept until sfence.vma', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      // va 0x40000000: root[1] is invalid, the walk stops after one PTE read (a D-cache miss).
      const fault = insn(BASE + 4, 'ld', [A0, 0, A1], { trapped: true, trapCause: 13n, trapTval: 0x40000008n, xlate: 0 });
      expect(m.observer!(fault)).toBe(1 + PTE_MISS + DTLB_EXTRA + P0.trapPenalty);
      // Rocket's TLB took the answer (a 1 GiB entry without permissions): the same fault again only traps.
      expect(m.observer!({ ...fault, trapTval: 0x40001000n })).toBe(1 + P0.trapPenalty);
      // A store page fault on a page mapped without permission to write, in the TLB already: no walk.
      m.observer!(ld(BASE + 8, 0x1100));
      expect(m.observer!(insn(BASE + 12, 'sd', [A0, 0, A1], { trapped: true, trapCause: 15n, trapTval: 0x1100n }))).toBe(1 + P0.trapPenalty);
      // An instruction page fault walks through the I-TLB (no replay), then traps.
      expect(m.observer!(insn(BASE + 16, 'addi', [0, 0, 0], { trapped: true, trapCause: 12n, trapTval: 0x40002000n }))).toBe(1 + PTE_HIT + P0.walkFinishCycles + P0.trapPenalty);
      expect(m.stats()!.events.pageWalks).toBe(3);
    });

    it('a satp write flushes the pipeline and, without ASID tagging, the TLBs', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      m.observer!(ld(BASE + 4, 0x1100));
      const w = insn(BASE + 8, 'csrrw', [0, 0x180, A2], { csrWriteCount: 1, csrWriteNum: [0x180], csrWriteValue: [satp] });
      expect(m.observer!(w)).toBe(1 + P0.csrFlushPenalty);
      expect(m.observer!(ld(BASE + 12, 0x1100))).toBe(1 + 3 * PTE_HIT + DTLB_EXTRA);
      const tagged = createCoreModel(parseCoreParams({ asidTagging: true }), reader);
      tagged.observer!(insn(BASE, 'addi', [0, 0, 0]));
      tagged.observer!(ld(BASE + 4, 0x1100));
      tagged.observer!(w);
      expect(tagged.observer!(ld(BASE + 12, 0x1100))).toBe(1);
    });
  });

  it('CSR writes: sscratch does not flush, stvec and sstatus do; a trap round trip costs 1 + 4 and 1 + 4', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const csrw = (pc: number, csr: number) => insn(pc, 'csrrw', [0, csr, A0], { csrWriteCount: 1, csrWriteNum: [csr], csrWriteValue: [0n] });
    const flush = 1 + P0.csrFlushPenalty;
    expect(run(m, [csrw(BASE + 4, 0x140), csrw(BASE + 8, 0x105), csrw(BASE + 12, 0x100)])).toEqual([1, flush, flush]);
    const ecall = insn(BASE + 16, 'ecall', [], { trapped: true, trapCause: 8n, nextPc: BASE + 0x20 });
    // Handler at BASE + 0x20 is on the same I-cache line: sret costs 1 + xretPenalty.
    expect(run(m, [ecall, insn(BASE + 0x20, 'sret', [], { nextPc: BASE + 20 })])).toEqual([1 + P0.trapPenalty, 1 + P0.xretPenalty]);
    const s = m.stats()!;
    expect(s.traps).toBe(1);
    expect(s.instructions).toBe(5);
    expect(s.stalls.trap).toBe(P0.trapPenalty);
    expect(s.stalls.flush).toBe(2 * P0.csrFlushPenalty + P0.xretPenalty);
  });

  it('fence.i invalidates the I-cache', () => {
    const m = createCoreModel('rocket');
    expect(run(m, [insn(BASE, 'addi', [0, 0, 0]), insn(BASE + 4, 'fence.i', []), insn(BASE + 8, 'addi', [0, 0, 0])])).toEqual([
      IMISS + 1,
      1 + P0.fenceIPenalty,
      IMISS + 1,
    ]);
  });

  it('code written through the D-cache: the I-cache refill probes the dirty line back to memory, and the next store to it upgrades (broadcast hub)', () => {
    const m = createCoreModel('rocket');
    const CODE = BASE + 0x2000;
    const sw = (pc: number) => insn(pc, 'sw', [A0, 0, A1], { memKind: MEM_STORE, memVaddr: CODE, memPaddr: CODE, memSize: 4 });
    expect(m.observer!(insn(BASE, 'addi', [0, 0, 0]))).toBe(IMISS + 1);
    expect(m.observer!(sw(BASE + 4))).toBe(1 + SMISS); // the line is now dirty in the D-cache
    // fence.i right behind a store waits in decode until the D-cache is idle (store in execute at c: issue at c + 4).
    expect(m.observer!(insn(BASE + 8, 'fence.i', []))).toBe(3 + 1 + P0.fenceIPenalty);
    // Fetching the written line: refill + the dirty copy written back first (ProbeAckData).
    expect(m.observer!(insn(CODE, 'addi', [0, 0, 0]))).toBe(IMISS + WB + 1);
    // The D-cache kept the line read-only: a store to it acquires write permission again (a full refill), a load hits.
    expect(m.observer!(insn(BASE + 12, 'lw', [A2, 0, A1], { memKind: MEM_LOAD, memVaddr: CODE, memPaddr: CODE, memSize: 4 }))).toBe(IMISS + 1);
    expect(m.observer!(sw(BASE + 16))).toBe(1 + SMISS);
    expect(m.observer!(sw(BASE + 20))).toBe(1);
    // I-cache stalls: the first line twice (fence.i invalidated it), the written line with its write-back.
    const s = m.stats()!;
    expect(s.stalls.icache).toBe(3 * IMISS + WB);
  });

  it('fence.i, AMOs with rl, and memory instructions after a fence wait for the D-cache to drain', () => {
    const m = createCoreModel('rocket');
    const ld = (pc: number) => insn(pc, 'ld', [A2, 0, A1], { memKind: MEM_LOAD, memVaddr: BASE + 0x1000, memPaddr: BASE + 0x1000, memSize: 8 });
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    m.observer!(ld(BASE + 4)); // warm the line
    // Two instructions between the load and fence.i: one cycle left to wait.
    expect(run(m, [ld(BASE + 8), insn(BASE + 12, 'addi', [0, 0, 0]), insn(BASE + 16, 'addi', [0, 0, 0]), insn(BASE + 20, 'fence.i', [])])).toEqual([1, 1, 1, 2 + P0.fenceIPenalty]);
    m.observer!(insn(BASE, 'addi', [0, 0, 0])); // refetch after fence.i
    // fence after a load: the next load waits (id_reg_fence); a fence with the cache idle costs nothing.
    expect(run(m, [ld(BASE + 4), insn(BASE + 8, 'fence', [15, 15]), ld(BASE + 12)])).toEqual([1, 1, 3]);
    expect(run(m, [insn(BASE + 16, 'addi', [0, 0, 0]), insn(BASE + 20, 'addi', [0, 0, 0]), insn(BASE + 24, 'addi', [0, 0, 0]), insn(BASE + 28, 'fence', [15, 15]), ld(BASE + 32)])).toEqual([1, 1, 1, 1, 1]);
    // amoadd.d.aqrl right behind a load waits (rl), and the load after it waits for the AMO (aq).
    const amo = insn(BASE + 36, 'amoadd.d.aqrl', [A0, A1, A1], { memKind: MEM_STORE, memVaddr: BASE + 0x1008, memPaddr: BASE + 0x1008, memSize: 8 });
    expect(run(m, [ld(BASE + 32), amo, ld(BASE + 40)])).toEqual([1, 4, 4]);
  });

  it("the front end runs ahead into its fetch queue: compressed code hides part of the next line's refill, a redirect empties the queue", () => {
    const m = createCoreModel('rocket');
    // 30 c.nop in line 0 (1 cycle each: the queue fills 2 bytes a cycle up to fetchQueueBytes), then line 1.
    const stream: CommitRecord[] = [];
    for (let k = 0; k < 32; k++) stream.push(insn(BASE + 2 * k, 'c.nop', []));
    const costs = run(m, stream);
    expect(costs[0]).toBe(IMISS + 1);
    const line1 = m.observer!(insn(BASE + 64, 'c.nop', []));
    expect(line1).toBe(1 + IMISS - P0.fetchQueueBytes / 2);
    // A mispredicted jump empties the queue: the next line's refill is seen whole.
    const far = BASE + 0x1000;
    const j = insn(BASE + 66, 'jalr', [0, A1, 0], { nextPc: far });
    expect(m.observer!(j)).toBe(1 + P0.mispredictPenalty);
    expect(m.observer!(insn(far, 'addi', [0, 0, 0]))).toBe(1 + IMISS);
  });

  it('a branch mispredicted not taken: the fall-through fetch starts the next line\'s refill before the redirect', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE + 48, 'addi', [0, 0, 0]));
    // beq at 56 taken to 62, predicted not taken: the front end fetched 60, 64, ... meanwhile, so line 64's refill began.
    const beq = insn(BASE + 56, 'beq', [0, 0, 6], { taken: true, nextPc: BASE + 62 });
    expect(m.observer!(beq)).toBe(1 + P0.mispredictPenalty);
    expect(m.observer!(insn(BASE + 62, 'c.nop', []))).toBe(1);
    // The refill began one packet (4 bytes) after the branch issued, at t + 1, and is in at t + 1 + IMISS;
    // the addi is fetched at t + (1 + mispredictPenalty) + 1 and waits for the rest.
    const c = m.observer!(insn(BASE + 64, 'addi', [0, 0, 0]));
    expect(c).toBe(1 + (1 + IMISS) - (1 + P0.mispredictPenalty + 1));
    expect(m.stats()!.events.icacheMisses).toBe(2);
  });

  it('compressed instructions: c.lw result feeds c.add (sources from the expansion)', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const clw = insn(BASE + 4, 'c.lw', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: BASE, memPaddr: BASE, memSize: 4 });
    m.observer!(clw);
    // c.add a2, a0 reads a2 and a0.
    expect(m.observer!(insn(BASE + 6, 'c.add', [A2, A0]))).toBe(2);
  });

  it('XPC instructions cost their parameter plus the extension hook', () => {
    const m = createCoreModel(parseCoreParams({ xpc: { xcall: 7 } }));
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    m.setXpcCost((r) => (r.opId === instr('xcall').id ? 2 : 0));
    expect(m.observer!(insn(BASE + 4, 'xcall', [A0]))).toBe(1 + 7 + 2);
    expect(m.stats()!.stalls.xpc).toBe(9);
  });

  it('a faulting XPC instruction pays the engine steps it reported before the fault', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    // Capability byte read (a D-cache refill + load latency), then the fault: 1 + trapPenalty.
    const x = insn(BASE + 4, 'xcall', [A0], { trapped: true, trapCause: 24n, xpcEvent: XPC_EV_XCALL | XPC_EV_CAP_READ, xpcCapPa: BASE + 0x3000 });
    const cap = P0.missLatency + 64 / P0.busBytes + P0.loadLatencyWord;
    expect(m.observer!(x)).toBe(1 + P0.trapPenalty + cap);
    expect(m.stats()!.stalls.xpc).toBe(cap);
  });

  it('csrr xcaller pays its two link-stack reads (flags word, caller word) through the D-cache', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const read = (pc: number) => insn(pc, 'csrrs', [A0, 0xcc2, 0], { xpcEvent: XPC_EV_LINK_READ, xpcLinkPa: BASE + 0x4000 });
    // Cold: the words sit in the record's two lines (offsets 104 and 16): two refills, then two port beats.
    const refill = P0.missLatency + 64 / P0.busBytes;
    expect(m.observer!(read(BASE + 4))).toBe(1 + 2 * refill + 2);
    expect(m.observer!(read(BASE + 8))).toBe(1 + 2);
    expect(m.stats()!.stalls.xpc).toBe(2 * refill + 4);
  });

  it('same stream, same cycles after reset', () => {
    const m = createCoreModel('rocket');
    const stream = [insn(BASE, 'addi', [A0, 0, 5]), insn(BASE + 4, 'bne', [A0, 0, -4], { taken: true, nextPc: BASE })];
    const a = run(m, stream);
    m.reset();
    expect(run(m, stream)).toEqual(a);
    expect(m.stats()!.cycles).toBe(a[0] + a[1]);
  });

  it('parameter files: validated with clear messages', () => {
    expect(() => parseCoreParams({ missLatancy: 3 }, 'x.json')).toThrow(/x.json: 'missLatancy' is not a parameter/);
    expect(() => parseCoreParams({ missLatency: -1 }, 'x.json')).toThrow(/'missLatency' must be between 0/);
    expect(() => parseCoreParams({ icache: { ways: 3 } }, 'x.json')).toThrow(/icache/);
    expect(() => parseCoreParams([], 'x.json')).toThrow(/must be a JSON object/);
    expect(parseCoreParams({ missLatency: 12, name: 'fast' }).missLatency).toBe(12);
    // The example of docs/cycle-model.md.
    const doc = readFileSync(join(__dirname, '..', 'docs', 'cycle-model.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1];
    const p = parseCoreParams(JSON.parse(example), 'example.json');
    expect(p).toMatchObject({ name: 'rocket-l2-fast', missLatency: 12, asidTagging: true, dcache: { sizeBytes: 32768, ways: 4 } });
    expect(p.cacheable).toEqual([{ base: 0x80000000, size: 0x80000000 }]);
    const dir = mkdtempSync(join(tmpdir(), 'rvx-core-'));
    writeFileSync(join(dir, 'c.json'), '{"missLatency": 10}');
    writeFileSync(join(dir, 'bad.json'), '{"missLatency": ');
    expect(coreFromOption(join(dir, 'c.json')).params!.missLatency).toBe(10);
    expect(() => coreFromOption(join(dir, 'bad.json'))).toThrow(CoreParamsError);
    expect(() => coreFromOption(join(dir, 'none.json'))).toThrow(/cannot read core parameters: ENOENT/);
    expect(() => coreFromOption('rocketz')).toThrow(/expected rocket, ideal or a .json/);
    expect(coreFromOption(undefined).name).toBe('rocket');
    expect(coreFromOption('ideal').observer).toBeNull();
    // Named cores: the reference memory (the built-in defaults) and a DDR board.
    const sram = coreFromOption('rocket-sram').params!;
    expect({ ...sram, name: 'rocket' }).toEqual(rocketParams());
    expect(coreFromOption('rocket-dram').params!.missLatency).toBeGreaterThan(sram.missLatency);
  });
});
