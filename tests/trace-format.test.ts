// Trace formatting against Spike's --log-commits conventions, JSONL schema, filters, regions, symbols,
// on synthetic commit records.
import { describe, expect, it } from 'vitest';
import { encode, instr } from '../isa/index.js';
import { MEM_AMO, MEM_LOAD, MEM_NONE, MEM_STORE, type CommitRecord } from '../emulator/types.js';
import { extraColumns, jsonRecord, spikeCommitLine, spikeTrapLines } from '../tools/trace/format.js';
import { TraceFilter, parsePrivList } from '../tools/trace/filter.js';
import { RegionAccounting, addrPoint, opPoint, parseRegions, phaseRegions } from '../tools/trace/regions.js';
import { SymbolTable } from '../tools/trace/symbols.js';
import { BufferedWriter } from '../tools/trace/writer.js';
import type { ElfSymbol } from '../tools/elf/model.js';

function rec(pc: number, name: string, values: number[], extra: Partial<CommitRecord> = {}): CommitRecord {
  const def = instr(name);
  const e = encode(def, values);
  if (!e.ok) throw new Error(e.message);
  return {
    step: 0, priv: 3, pc, raw: e.bits, size: def.size, opId: def.id, rd: -1, rdValue: 0n, csrWriteCount: 0, csrWriteNum: [],
    csrWriteValue: [], memKind: MEM_NONE, memVaddr: 0, memPaddr: 0, memSize: 0, memValue: 0n, taken: false,
    nextPc: pc + def.size, trapped: false, trapCause: 0n, trapTval: 0n, walkLevels: 0, rs1Value: 0n, rs2Value: 0n,
    fetchPaddr: pc, xlate: 0, xpcEvent: 0, xpcCapPa: 0, xpcEntryPa: 0, xpcLinkPa: 0, xpcSegListPa: 0, mechEvent: 0, mechPa: 0, ...extra,
  };
}

describe('Spike commit-log lines', () => {
  it('register writes: x%-2d padding, 64-bit values', () => {
    expect(spikeCommitLine(rec(0x80000004, 'addi', [10, 0, 10], { rd: 10, rdValue: 10n }))).toBe(
      'core   0: 3 0x0000000080000004 (0x00a00513) x10 0x000000000000000a',
    );
    expect(spikeCommitLine(rec(0x80000000, 'auipc', [5, 0], { rd: 5, rdValue: 0x80000000n }))).toBe(
      'core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000',
    );
    expect(spikeCommitLine(rec(0x80000000, 'addi', [5, 0, -1], { rd: 5, rdValue: -1n, priv: 0 }))).toBe(
      'core   0: 0 0x0000000080000000 (0xfff00293) x5  0xffffffffffffffff',
    );
  });
  it('compressed instructions print 16 bits; x0 writes and plain instructions print nothing after the bits', () => {
    expect(spikeCommitLine(rec(0x80000002, 'c.li', [10, 1], { rd: 10, rdValue: 1n }))).toBe(
      'core   0: 3 0x0000000080000002 (0x4505) x10 0x0000000000000001',
    );
    expect(spikeCommitLine(rec(0x80000000, 'addi', [0, 0, 0]))).toBe('core   0: 3 0x0000000080000000 (0x00000013)');
  });
  it('loads print the address; stores the address and the value in the access width', () => {
    expect(
      spikeCommitLine(rec(0x80000010, 'ld', [10, 8, 11], { rd: 10, rdValue: 5n, memKind: MEM_LOAD, memVaddr: 0x80001008, memPaddr: 0x80001008, memSize: 8, memValue: 5n })),
    ).toBe('core   0: 3 0x0000000080000010 (0x0085b503) x10 0x0000000000000005 mem 0x0000000080001008');
    expect(spikeCommitLine(rec(0x80000010, 'sb', [10, 1, 11], { memKind: MEM_STORE, memVaddr: 0x80001001, memSize: 1, memValue: 0x41n }))).toBe(
      'core   0: 3 0x0000000080000010 (0x00a580a3) mem 0x0000000080001001 0x41',
    );
    expect(spikeCommitLine(rec(0x80000010, 'sw', [10, 0, 11], { memKind: MEM_STORE, memVaddr: 0x80001000, memSize: 4, memValue: 0xffffffffn }))).toBe(
      'core   0: 3 0x0000000080000010 (0x00a5a023) mem 0x0000000080001000 0xffffffff',
    );
  });
  it('AMOs print rd, the read and the write; a failed sc only rd', () => {
    const amo = rec(0x80000010, 'amoadd.d', [10, 12, 11], { rd: 10, rdValue: 3n, memKind: MEM_AMO, memVaddr: 0x80001000, memSize: 8, memValue: 7n });
    expect(spikeCommitLine(amo)).toBe(
      'core   0: 3 0x0000000080000010 (0x00c5b52f) x10 0x0000000000000003 mem 0x0000000080001000 mem 0x0000000080001000 0x0000000000000007',
    );
    const scOk = rec(0x80000010, 'sc.w', [10, 12, 11], { rd: 10, rdValue: 0n, memKind: MEM_STORE, memVaddr: 0x80001000, memSize: 4, memValue: 7n });
    expect(spikeCommitLine(scOk)).toBe('core   0: 3 0x0000000080000010 (0x18c5a52f) x10 0x0000000000000000 mem 0x0000000080001000 0x00000007');
    const scFail = { ...scOk, rdValue: 1n, memKind: MEM_AMO };
    expect(spikeCommitLine(scFail)).toBe('core   0: 3 0x0000000080000010 (0x18c5a52f) x10 0x0000000000000001');
  });
  it('CSR writes: rd first, then c<decimal>_<name>; traps print no commit line', () => {
    const w = rec(0x80000000, 'csrrw', [10, 0x305, 11], { rd: 10, rdValue: 0n, csrWriteCount: 1, csrWriteNum: [0x305], csrWriteValue: [0x80000010n] });
    expect(spikeCommitLine(w)).toBe('core   0: 3 0x0000000080000000 (0x30559573) x10 0x0000000000000000 c773_mtvec 0x0000000080000010');
    const ecall = rec(0x80000000, 'ecall', [], { trapped: true, trapCause: 8n, priv: 0 });
    expect(spikeCommitLine(ecall)).toBeNull();
    expect(spikeTrapLines(ecall)).toBe('core   0: exception trap_user_ecall, epc 0x0000000080000000');
    const ill = rec(0x80000000, 'addi', [0, 0, 0], { trapped: true, trapCause: 2n, trapTval: 0x74445073n });
    expect(spikeTrapLines(ill)).toBe('core   0: exception trap_illegal_instruction, epc 0x0000000080000000\ncore   0:           tval 0x0000000074445073');
    const irq = rec(0x80000000, 'addi', [0, 0, 0], { trapped: true, trapCause: (1n << 63n) | 7n });
    expect(spikeTrapLines(irq)).toBe('core   0: exception interrupt #7, epc 0x0000000080000000');
  });
  it('negative (sign-extended) pcs print as 64-bit addresses', () => {
    expect(spikeCommitLine(rec(-0x40000000, 'addi', [0, 0, 0]))).toBe('core   0: 3 0xffffffffc0000000 (0x00000013)');
  });
  it('extra columns follow `  #`', () => {
    const r = rec(0x80000004, 'addi', [10, 0, 10], { rd: 10, rdValue: 10n });
    const stalls = new Float64Array(11);
    stalls[0] = 30;
    expect(extraColumns(r, { disasm: true, symbol: () => 'main+0x4', cycles: true, stalls: true }, 31, stalls)).toBe(
      '  #  <main+0x4>  li a0, 10  [31 cycles: icache 30]',
    );
    expect(extraColumns(r, { disasm: false, symbol: null, cycles: false, stalls: false }, 1, stalls)).toBe('');
  });
});

describe('JSONL records', () => {
  it('carry every documented key', () => {
    const r = rec(0x80000010, 'sd', [10, 0, 11], { step: 7, memKind: MEM_STORE, memVaddr: 0x1000, memPaddr: 0x80001000, memSize: 8, memValue: 1n });
    const o = JSON.parse(jsonRecord(r, 31, new Float64Array(11).fill(0).map((_, i) => (i === 2 ? 30 : 0)), () => 'main+0x10'));
    expect(o).toEqual({
      step: 7, priv: 'M', pc: '0x0000000080000010', raw: '0x00a5b023', disasm: 'sd a0, 0(a1)', symbol: 'main+0x10',
      regs: [], csrs: [], mem: [{ op: 'write', va: '0x0000000000001000', pa: '0x0000000080001000', size: 8, value: '0x0000000000000001' }],
      next: '0x0000000080000014', cycles: 31, stalls: { dcache: 30 },
    });
    const t = JSON.parse(jsonRecord(rec(0x80000000, 'ecall', [], { trapped: true, trapCause: 8n, nextPc: 0x80000100 }), 6, new Float64Array(11), null));
    expect(t.trap).toEqual({ cause: '0x8', interrupt: false, name: 'trap_user_ecall', tval: '0x0000000000000000', vector: '0x0000000080000100' });
    expect(t.regs).toBeUndefined();
    const pf = JSON.parse(jsonRecord(rec(0x1000, 'addi', [0, 0, 0], { raw: 0, trapped: true, trapCause: 12n, trapTval: 0x1000n }), 6, new Float64Array(11), null));
    expect(pf).toMatchObject({ raw: null, disasm: null, trap: { name: 'trap_instruction_page_fault', tval: '0x0000000000001000' } });
  });
});

describe('filters', () => {
  const pcs = [0x100, 0x104, 0x108, 0x10c, 0x100, 0x104, 0x108];
  const seq = pcs.map((pc) => rec(pc, 'addi', [0, 0, 0]));
  const pass = (f: TraceFilter) => seq.filter((r) => f.inside(r) && f.take()).map((r) => r.pc);
  it('--from/--to window, reopened each time', () => {
    expect(pass(new TraceFilter({ from: 0x104, to: 0x108, privMask: 0, skip: 0, max: Infinity }))).toEqual([0x104, 0x108, 0x104, 0x108]);
  });
  it('--to alone ends the trace', () => {
    const f = new TraceFilter({ to: 0x104, privMask: 0, skip: 0, max: Infinity });
    expect(pass(f)).toEqual([0x100, 0x104]);
    expect(f.done).toBe(true);
  });
  it('--skip and --max', () => {
    const f = new TraceFilter({ privMask: 0, skip: 2, max: 3 });
    expect(pass(f)).toEqual([0x108, 0x10c, 0x100]);
    expect(f.done).toBe(true);
  });
  it('--priv', () => {
    expect(parsePrivList('u,s')).toBe(3);
    expect(parsePrivList('x')).toMatch(/expected a list of u, s, m/);
    const f = new TraceFilter({ privMask: 1, skip: 0, max: Infinity });
    expect([rec(0, 'addi', [0, 0, 0], { priv: 0 }), rec(4, 'addi', [0, 0, 0], { priv: 3 })].filter((r) => f.inside(r) && f.take()).length).toBe(1);
  });
});

describe('symbols and regions', () => {
  const sym = (name: string, value: number, size = 0, type: ElfSymbol['type'] = 'func'): ElfSymbol => ({
    name, value: BigInt(value), size, bind: 'global', type, section: '.text',
  });
  const table = new SymbolTable([sym('_start', 0x100), sym('loop', 0x108, 0, 'notype'), sym('done', 0x110, 8), sym('.L1', 0x104, 0, 'notype')]);
  it('describe and resolve', () => {
    expect(table.describe(0x104)).toBe('_start+0x4');
    expect(table.describe(0x10c)).toBe('loop+0x4');
    expect(table.describe(0x118)).toBeUndefined();
    expect(table.resolve('loop+4')).toBe(0x10c);
    expect(table.resolve('0x200')).toBe(0x200);
    expect(table.resolve('nope')).toMatch(/no symbol 'nope'/);
  });
  it('regions: inclusive and exclusive ends; phases add up to the whole', () => {
    const parsed = parseRegions('# comment\nbody: loop..done\nhead: _start..<loop\ntail: loop..<_start\nsret_path: loop..sret\n', 'r.txt', (t) => table.resolve(t));
    if (!('specs' in parsed)) throw new Error(parsed.errors.join('\n'));
    const acc = new RegionAccounting(parsed.specs, { keepSamples: true });
    const trace = [0x100, 0x104, 0x108, 0x10c, 0x110, 0x100, 0x104, 0x108, 0x10c, 0x110, 0x100];
    trace.forEach((pc, i) => acc.observe(rec(pc, 'addi', [0, 0, 0]), i + 1));
    const r = Object.fromEntries(acc.report().map((x) => [x.name, x]));
    expect(r.body.count).toBe(2);
    expect(r.body.cycles).toBe(3 + 4 + 5 + 8 + 9 + 10);
    expect(r.head.count).toBe(2);
    expect(r.head.samples).toEqual([1 + 2, 6 + 7]);
    expect(r.tail.samples).toEqual([3 + 4 + 5, 8 + 9 + 10]);
    expect(r.head.cycles + r.tail.cycles).toBe(55);
    expect(r.sret_path.count).toBe(0);
    expect(r.sret_path.open).toBe(true);
    const bad = parseRegions('x: nope..done\nfoo\n', 'r.txt', (t) => table.resolve(t));
    expect('errors' in bad && bad.errors).toEqual([
      "r.txt:1: 'nope' is neither a symbol, an address nor an instruction mnemonic (no symbol 'nope' in the ELF)",
      "r.txt:2: expected 'name: start..end' or 'start..end' (got 'foo')",
    ]);
  });
});

describe('phase regions', () => {
  it('split each pass into phases that add up exactly, traps included', () => {
    const specs = phaseRegions([
      { name: 'entry', point: addrPoint(0x100, 'a') },
      { name: 'work', point: addrPoint(0x108, 'b') },
      { name: 'exit', point: opPoint('sret')! },
    ]);
    const acc = new RegionAccounting(specs);
    const sret = (pc: number) => rec(pc, 'sret', []);
    // Two passes: 0x100 0x104 | 0x108 (trap inside) 0x10c | sret ; then back to 0x100.
    const stream = [
      rec(0x100, 'addi', [0, 0, 0]), rec(0x104, 'addi', [0, 0, 0]), rec(0x108, 'addi', [0, 0, 0]),
      rec(0x10c, 'ecall', [], { trapped: true, trapCause: 8n }), rec(0x10c, 'addi', [0, 0, 0]), sret(0x110),
      rec(0x100, 'addi', [0, 0, 0]), rec(0x104, 'addi', [0, 0, 0]), rec(0x108, 'addi', [0, 0, 0]), sret(0x110),
      rec(0x100, 'addi', [0, 0, 0]),
    ];
    let total = 0;
    stream.forEach((r, i) => {
      acc.observe(r, i + 1);
      if (i < stream.length - 1) total += i + 1;
    });
    const rep = acc.report();
    expect(rep.map((r) => r.count)).toEqual([2, 2, 2]);
    expect(rep.reduce((a, r) => a + r.cycles, 0)).toBe(total);
    expect(rep[1].cycles).toBe(3 + 4 + 5 + 9);
    expect(rep[1].instructions).toBe(3);
    expect(rep[0].open).toBe(true);
  });
});

describe('buffered writer', () => {
  it('writes everything through a file descriptor', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rvx-w-')), 'out.txt');
    const fd = fs.openSync(f, 'w');
    const w = new BufferedWriter(fd);
    for (let i = 0; i < 20000; i++) w.write(`line ${i}\n`);
    w.flush();
    fs.closeSync(fd);
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    expect(lines.length).toBe(20001);
    expect(lines[19999]).toBe('line 19999');
  });
});
