// The trace ring's byte formatter (tools/trace/ring.ts) against the string formatters of format.ts,
// record by record: every conformance program runs under the rocket model, each record is formatted
// both ways (text with every column, and JSONL), and the outputs must be the same bytes.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../emulator/machine.js';
import { coreFromOption } from '../emulator/timing/index.js';
import { MEM_AMO, MEM_LOAD, MEM_STORE, type CommitRecord } from '../emulator/types.js';
import { encode, instr } from '../isa/index.js';
import { toLoadable } from '../tools/load.js';
import { ByteWriter } from '../tools/trace/bytes.js';
import { extraColumns, jsonRecord, spikeCommitLine, spikeTrapLines, type ExtraColumns } from '../tools/trace/format.js';
import { TraceRing } from '../tools/trace/ring.js';
import { SymbolTable } from '../tools/trace/symbols.js';
import { assembleProgram, needsC, programNames } from './helpers/programs.js';

const dir = mkdtempSync(join(tmpdir(), 'rvx-ring-'));

/** Feed records to a ring writing to a file and to the string formatters; return both texts. */
function both(json: boolean, cols: ExtraColumns, symbol: ((pc: number) => string | undefined) | null, traps: boolean, feed: (emit: (rec: CommitRecord, cycles: number, stalls: Float64Array) => void) => void) {
  const file = join(dir, `r${Math.random().toString(36).slice(2)}`);
  const fd = openSync(file, 'w');
  // A small buffer, so lines straddle flushes.
  const ring = new TraceRing(new ByteWriter(fd, 4096), { json, cols, symbol });
  const expected: string[] = [];
  feed((rec, cycles, stalls) => {
    if (!TraceRing.prints(rec, json, traps)) return;
    ring.push(rec, cycles, stalls);
    if (json) expected.push(jsonRecord(rec, cycles, stalls, symbol));
    else expected.push(rec.trapped ? spikeTrapLines(rec) : spikeCommitLine(rec)! + extraColumns(rec, cols, cycles, stalls));
  });
  ring.flush();
  closeSync(fd);
  return { got: readFileSync(file, 'utf8'), want: expected.map((l) => l + '\n').join('') };
}

describe('trace ring formatter', () => {
  for (const name of programNames()) {
    it(`${name}: text and JSONL bytes equal the string formatters'`, () => {
      const asm = assembleProgram(name, needsC(name) ? 'rv64imac' : 'rv64ima');
      const symbols = new SymbolTable(asm.image.symbols);
      const symbolOf = (pc: number) => symbols.describe(pc);
      const run = (emit: (rec: CommitRecord, cycles: number, stalls: Float64Array) => void) => {
        const m = new Machine({ isa: needsC(name) ? 'rv64imac' : 'rv64ima', stdout: () => {} });
        m.load(toLoadable(asm.image));
        const model = coreFromOption('rocket', m);
        m.run(200_000, (rec) => {
          const c = model.observer!(rec);
          emit(rec, c, model.lastStalls);
          return c;
        });
      };
      const all: ExtraColumns = { disasm: true, symbol: symbolOf, cycles: true, stalls: true };
      const t = both(false, all, null, true, run);
      expect(t.got.length).toBeGreaterThan(1000);
      expect(t.got).toBe(t.want);
      const plain = both(false, { disasm: false, symbol: null, cycles: false, stalls: false }, null, false, run);
      expect(plain.got).toBe(plain.want);
      const j = both(true, all, symbolOf, true, run);
      expect(j.got).toBe(j.want);
    });
  }

  it('synthetic records: AMOs, SC success and failure, negative pcs, every access width', () => {
    const rec = (pc: number, name: string, values: number[], extra: Partial<CommitRecord> & { rdLo?: number; rdHi?: number; memLo?: number; memHi?: number } = {}) => {
      const def = instr(name);
      const e = encode(def, values);
      if (!e.ok) throw new Error(e.message);
      const r = {
        step: 12345678901, priv: 3, pc, raw: e.bits, size: def.size, opId: def.id, rd: -1, rdValue: 0n, csrWriteCount: 0, csrWriteNum: [],
        csrWriteValue: [], memKind: 0, memVaddr: 0, memPaddr: 0, memSize: 0, memValue: 0n, taken: false,
        nextPc: pc + def.size, trapped: false, trapCause: 0n, trapTval: 0n, walkLevels: 0, rs1Value: 0n, rs2Value: 0n,
        fetchPaddr: pc, xlate: 0, xpcEvent: 0, xpcCapPa: 0, xpcEntryPa: 0, xpcLinkPa: 0, xpcSegListPa: 0, mechEvent: 0, mechPa: 0,
        rdLo: 0, rdHi: 0, memLo: 0, memHi: 0, ...extra,
      };
      r.rdValue = (BigInt(r.rdHi >>> 0) << 32n) | BigInt(r.rdLo >>> 0);
      const v = (BigInt(r.memHi >>> 0) << 32n) | BigInt(r.memLo >>> 0);
      r.memValue = r.memSize === 8 ? v : BigInt.asUintN(r.memSize * 8, v);
      return r as CommitRecord;
    };
    const stalls = new Float64Array(11);
    const records: [CommitRecord, number][] = [
      [rec(0x80000010, 'amoadd.d', [10, 12, 11], { rd: 10, rdLo: 3, memKind: MEM_AMO, memVaddr: 0x80001000, memPaddr: 0x1000, memSize: 8, memLo: 7, memHi: -1 }), 3],
      [rec(0x80000010, 'amoswap.w', [0, 12, 11], { memKind: MEM_AMO, memVaddr: -0x1000, memPaddr: 0x1000, memSize: 4, memLo: -2 }), 3],
      [rec(0x80000014, 'sc.w', [10, 12, 11], { rd: 10, memKind: MEM_STORE, memVaddr: 0x80001000, memPaddr: 0x80001000, memSize: 4, memLo: 7 }), 2],
      [rec(0x80000014, 'sc.d', [10, 12, 11], { rd: 10, rdLo: 1, memKind: MEM_AMO, memVaddr: 0x80001000, memPaddr: 0x80001000, memSize: 8, memLo: 7 }), 2],
      [rec(-0x40000000, 'sb', [10, 1, 11], { priv: 1, memKind: MEM_STORE, memVaddr: -0x3fffffff, memPaddr: 0x80001001, memSize: 1, memLo: 0x1241 }), 1],
      [rec(-0x40000000, 'lh', [31, 1, 11], { priv: 0, rd: 31, rdLo: -1, rdHi: -1, memKind: MEM_LOAD, memVaddr: -0x3fffffff, memPaddr: 0x80001001, memSize: 2, memLo: 0xffff }), 1.5],
      [rec(0x80000020, 'beq', [1, 2, -8], { taken: true, nextPc: 0x80000018 }), 4],
      [rec(0x80000020, 'c.j', [-8], { taken: true, nextPc: 0x80000018 }), 1],
    ];
    for (const json of [false, true]) {
      const r = both(json, { disasm: true, symbol: (pc) => (pc > 0 ? `f+0x${pc.toString(16)}` : undefined), cycles: true, stalls: true }, (pc) => (pc > 0 ? 'f' : undefined), true, (emit) => {
        records.forEach(([x, c], k) => {
          stalls.fill(0);
          stalls[k % 11] = c;
          emit(x, c, stalls);
        });
      });
      expect(r.got).toBe(r.want);
    }
  });
});
