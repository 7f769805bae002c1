// The Rocket-like timing model against hand-computed cycle counts, one rule at a time, on synthetic
// commit streams (docs/cycle-model.md states the rules; defaults: miss latency 30, mispredict 3, ...).
import { describe, expect, it } from 'vitest';
import { encode, instr } from '../isa/index.js';
import { MEM_LOAD, MEM_NONE, MEM_STORE, XLATE_DATA, XPC_EV_CAP_READ, XPC_EV_XCALL, type CommitRecord, type PageTableReader } from '../emulator/types.js';
import { coreFromOption, createCoreModel, dividerCycles, parseCoreParams, rocketParams, CoreParamsError } from '../emulator/timing/index.js';
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
    // Cold: I-cache miss (30) + issue (1) + D-cache miss (30) for the ld; the add waits 1 for the data.
    expect(run(m, [ld(BASE), insn(BASE + 4, 'add', [A2, A0, A0])])).toEqual([61, 2]);
    // Warm (same lines): 1 + 1 stall.
    expect(run(m, [ld(BASE + 8), insn(BASE + 12, 'add', [A2, A0, A0])])).toEqual([1, 2]);
    const lb = insn(BASE + 16, 'lb', [A0, 0, A1], { memKind: MEM_LOAD, memVaddr: BASE + 0x1000, memPaddr: BASE + 0x1000, memSize: 1 });
    expect(run(m, [lb, insn(BASE + 20, 'add', [A2, A1, A0])])).toEqual([1, 3]);
    expect(run(m, [ld(BASE + 24), insn(BASE + 28, 'addi', [A1, A1, 1]), insn(BASE + 32, 'add', [A2, A0, A0])])).toEqual([1, 1, 1]);
    expect(m.stats()!.stalls['load-use']).toBe(1 + 1 + 2);
    expect(m.stats()!.stalls.dcache).toBe(30);
    expect(m.stats()!.stalls.icache).toBe(30);
  });

  it('a taken branch seen for the first time is mispredicted (3); a loop branch is predicted after warm-up', () => {
    const m = createCoreModel('rocket');
    const loop = BASE + 0x40;
    const cycles: number[] = [];
    // addi a0, a0, -1 ; bnez a0, loop   — 4 iterations: taken, taken, taken, not taken.
    for (let i = 3; i >= 0; i--) {
      cycles.push(m.observer!(insn(loop, 'addi', [A0, A0, -1])));
      const br = insn(loop + 4, 'bne', [A0, 0, -4], { taken: i > 0, nextPc: i > 0 ? loop : loop + 8 });
      cycles.push(m.observer!(br));
    }
    // First addi misses the I-cache (31). Branch 1: BTB miss, predicted not taken, taken: 1 + 3.
    // Branches 2, 3: BTB hit, counter weakly/strongly taken: 1. Branch 4: predicted taken, falls through: 1 + 3.
    expect(cycles).toEqual([31, 4, 1, 1, 1, 1, 1, 4]);
    const s = m.stats()!;
    expect(s.events.mispredicts).toBe(2);
    expect(s.stalls.mispredict).toBe(6);
  });

  it('calls and returns: the return-address stack predicts ret; jal to a new target pays the penalty once', () => {
    const m = createCoreModel('rocket');
    const f = BASE + 0x100;
    const seq = (): number[] =>
      run(m, [
        insn(BASE, 'jal', [1, 0x100], { taken: true, nextPc: f }),
        insn(f, 'jalr', [0, 0, 1], { taken: true, nextPc: BASE + 4 }),
      ]);
    expect(seq()).toEqual([31 + 3, 31]); // cold: jal not in the BTB; ret predicted by the RAS
    expect(seq()).toEqual([1, 1]);
  });

  it('divider: early out by operand magnitudes, up to 33 (W) / 65 cycles; dependents wait', () => {
    const P = rocketParams();
    expect(dividerCycles(64, true, 100n, 3n, P.divSetup)).toBe(1 + 6); // bitlen 7 - bitlen 2 + 1
    expect(dividerCycles(64, true, 1n, 3n, P.divSetup)).toBe(2);
    expect(dividerCycles(32, true, 5n, 0n, P.divSetup)).toBe(33);
    expect(dividerCycles(64, false, 5n, 0n, P.divSetup)).toBe(65);
    expect(dividerCycles(64, true, -(2n ** 63n), 1n, P.divSetup)).toBe(65);
    expect(dividerCycles(64, false, 2n ** 64n - 1n, 1n, P.divSetup)).toBe(65);
    expect(dividerCycles(32, true, -1n, 1n, P.divSetup)).toBe(2); // |-1| = 1 in 32 bits
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0])); // warm the I-cache line
    const div = insn(BASE + 4, 'div', [A0, A1, A2], { rs1Value: 100n, rs2Value: 3n });
    // div issues (1); the add needs a0 at issue + 7: it stalls 6 cycles.
    expect(run(m, [div, insn(BASE + 8, 'add', [A2, A0, A0])])).toEqual([1, 7]);
    expect(m.stats()!.stalls.muldiv).toBe(6);
    // mul: latency 4, pipelined.
    expect(run(m, [insn(BASE + 12, 'mul', [A0, A1, A2]), insn(BASE + 16, 'add', [A2, A0, A0])])).toEqual([1, 4]);
  });

  it('D-cache miss on a store; misses again after eviction by 4 conflicting lines', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const sd = (pc: number, pa: number) => insn(pc, 'sd', [A0, 0, A1], { memKind: MEM_STORE, memVaddr: pa, memPaddr: pa, memSize: 8 });
    const set = 16384 / 4; // bytes per way: same set every 4 KiB
    expect(run(m, [sd(BASE + 4, BASE + 0x10000), sd(BASE + 8, BASE + 0x10008)])).toEqual([31, 1]);
    expect(run(m, [1, 2, 3, 4].map((k) => sd(BASE + 12, BASE + 0x10000 + k * set)))).toEqual([31, 31, 31, 31]);
    expect(m.observer!(sd(BASE + 16, BASE + 0x10000))).toBe(31); // LRU evicted it
    // A misaligned access spanning two lines touches both.
    expect(m.observer!(sd(BASE + 20, BASE + 0x20000 + 60))).toBe(61);
    // Device addresses are not cached.
    expect(m.observer!(sd(BASE + 24, 0x2000000))).toBe(31);
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
      // Walk: 3 PTE reads, each D-cache miss: 3 * (2 + 30) = 96; then the data line misses (30).
      expect(m.observer!(ld(BASE + 4, 0x1100))).toBe(1 + 96 + 30);
      expect(m.observer!(ld(BASE + 8, 0x1108))).toBe(1); // TLB and D-cache hit
      // Page 2: levels 2 and 1 hit the PTE cache (1 each); the leaf PTE's line is in the D-cache (2).
      expect(m.observer!(ld(BASE + 12, 0x2200))).toBe(1 + 4 + 30);
      const s = m.stats()!;
      expect(s.events.dtlbMisses).toBe(2);
      expect(s.events.pteReads).toBe(6);
      expect(s.stalls.dtlb).toBe(100);
    });

    it('sfence.vma flushes the TLBs and the PTE cache: the next access walks again', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      m.observer!(ld(BASE + 4, 0x1100));
      expect(m.observer!(insn(BASE + 8, 'sfence.vma', [0, 0]))).toBe(1 + 3);
      // 3 PTE reads, all D-cache hits now: 6; the data hits.
      expect(m.observer!(ld(BASE + 12, 0x1100))).toBe(1 + 6);
      // sfence.vma with an address flushes that page only (and the PTE cache).
      m.observer!(ld(BASE + 16, 0x2200));
      m.observer!(insn(BASE + 20, 'sfence.vma', [A1, 0], { rs1Value: 0x2000n }));
      expect(m.observer!(ld(BASE + 24, 0x1100))).toBe(1);
      expect(m.observer!(ld(BASE + 28, 0x2200))).toBe(1 + 6);
    });

    it('a satp write flushes the pipeline and, without ASID tagging, the TLBs', () => {
      const m = createCoreModel('rocket', reader);
      m.observer!(insn(BASE, 'addi', [0, 0, 0]));
      m.observer!(ld(BASE + 4, 0x1100));
      const w = insn(BASE + 8, 'csrrw', [0, 0x180, A2], { csrWriteCount: 1, csrWriteNum: [0x180], csrWriteValue: [satp] });
      expect(m.observer!(w)).toBe(1 + 5);
      expect(m.observer!(ld(BASE + 12, 0x1100))).toBe(1 + 6);
      const tagged = createCoreModel(parseCoreParams({ asidTagging: true }), reader);
      tagged.observer!(insn(BASE, 'addi', [0, 0, 0]));
      tagged.observer!(ld(BASE + 4, 0x1100));
      tagged.observer!(w);
      expect(tagged.observer!(ld(BASE + 12, 0x1100))).toBe(1);
    });
  });

  it('CSR writes: sscratch does not flush, stvec and sstatus do; a trap round trip costs 1 + 5 and 1 + 5', () => {
    const m = createCoreModel('rocket');
    m.observer!(insn(BASE, 'addi', [0, 0, 0]));
    const csrw = (pc: number, csr: number) => insn(pc, 'csrrw', [0, csr, A0], { csrWriteCount: 1, csrWriteNum: [csr], csrWriteValue: [0n] });
    expect(run(m, [csrw(BASE + 4, 0x140), csrw(BASE + 8, 0x105), csrw(BASE + 12, 0x100)])).toEqual([1, 6, 6]);
    const ecall = insn(BASE + 16, 'ecall', [], { trapped: true, trapCause: 8n, nextPc: BASE + 0x20 });
    // Handler at BASE + 0x20 is on the same I-cache line: sret costs 1 + 5.
    expect(run(m, [ecall, insn(BASE + 0x20, 'sret', [], { nextPc: BASE + 20 })])).toEqual([6, 6]);
    const s = m.stats()!;
    expect(s.traps).toBe(1);
    expect(s.instructions).toBe(5);
    expect(s.stalls.trap).toBe(5);
    expect(s.stalls.flush).toBe(15);
  });

  it('fence.i invalidates the I-cache', () => {
    const m = createCoreModel('rocket');
    expect(run(m, [insn(BASE, 'addi', [0, 0, 0]), insn(BASE + 4, 'fence.i', []), insn(BASE + 8, 'addi', [0, 0, 0])])).toEqual([31, 4, 31]);
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
    // Capability byte read (D-cache miss 30 + load latency 2), then the fault: 1 + 5.
    const x = insn(BASE + 4, 'xcall', [A0], { trapped: true, trapCause: 24n, xpcEvent: XPC_EV_XCALL | XPC_EV_CAP_READ, xpcCapPa: BASE + 0x3000 });
    expect(m.observer!(x)).toBe(1 + 5 + 32);
    expect(m.stats()!.stalls.xpc).toBe(32);
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
  });
});
