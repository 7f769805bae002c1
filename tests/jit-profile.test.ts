// Profiling counts of the jit tier (emulator/jit/tier.ts JitProfile, `rvx profile --core ideal`) against
// the records of the observed loop: for every conformance program and the MIPS workload, instructions
// retired and traps taken per function and privilege must be the same, with blocks flushed and
// invalidated along the way (a tiny block cap, translation at the first miss).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine } from '../emulator/machine.js';
import { assemble, formatDiagnostic, type AssembleResult } from '../tools/asm/index.js';
import { toLoadable } from '../tools/load.js';
import { SymbolTable } from '../tools/trace/symbols.js';
import { assembleProgram, fallThroughProgram, needsC, programNames } from './helpers/programs.js';

function compare(asm: AssembleResult, isa: string, maxInsns: number, jit: { hot: number; maxBlocks: number }) {
  const symbols = new SymbolTable(asm.image.symbols);
  const n = symbols.ranges.length;
  const region = (pc: number) => {
    const r = symbols.indexOf(pc);
    return r < 0 ? n : r;
  };
  const want = { retired: new Float64Array((n + 1) * 4), traps: new Float64Array((n + 1) * 4) };
  const ref = new Machine({ isa, stdout: () => {} });
  ref.load(toLoadable(asm.image));
  const refResult = ref.run(maxInsns, (rec) => {
    const k = region(rec.pc) * 4 + (rec.priv & 3);
    if (rec.trapped) want.traps[k]++;
    else want.retired[k]++;
    return rec.trapped ? 0 : 1;
  });
  const m = new Machine({ isa, stdout: () => {}, tier: 'jit', jitHot: jit.hot, jitMaxBlocks: jit.maxBlocks });
  m.load(toLoadable(asm.image));
  const p = m.enableProfile((pc) => symbols.indexOf(pc), n);
  const result = m.run(maxInsns);
  p.collect();
  expect(result).toEqual(refResult);
  expect(m.stats.instret).toBe(ref.stats.instret);
  expect([...p.retired]).toEqual([...want.retired]);
  expect([...p.traps]).toEqual([...want.traps]);
  return m.stats;
}

describe('jit tier profiling counts', () => {
  for (const name of programNames()) {
    it(`${name}: per-function counts equal the observed loop's`, () => {
      const isa = needsC(name) ? 'rv64imac' : 'rv64ima';
      compare(assembleProgram(name, isa), isa, 2_000_000, { hot: 1, maxBlocks: 5 });
    });
  }

  it('code that falls through into the next symbol and calls a function on its page', () => {
    const text = fallThroughProgram(300, 500);
    const asm = assemble([{ name: 'fall.s', text }], { march: 'rv64imac' });
    if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
    const st = compare(asm, 'rv64imac', 100_000, { hot: 1, maxBlocks: 64 });
    expect(st.jit!.jitRetired).toBeGreaterThan(st.jit!.interpRetired);
  });

  it('the MIPS workload (M and S mode, Sv39): blocks stay within functions, flushes keep the counts', () => {
    const text = `.equ ROUNDS, 3\n${readFileSync(new URL('../bench/programs/mips.s', import.meta.url), 'utf8')}`;
    const asm = assemble([{ name: 'mips.s', text }], { march: 'rv64imac' });
    if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
    const a = compare(asm, 'rv64imac', 10_000_000, { hot: 1, maxBlocks: 4 });
    expect(a.jit!.flushes).toBeGreaterThan(0);
    expect(a.jit!.jitRetired).toBeGreaterThan(a.jit!.interpRetired);
    const b = compare(asm, 'rv64imac', 10_000_000, { hot: 16, maxBlocks: 4096 });
    expect(b.jit!.jitRetired).toBeGreaterThan(10 * b.jit!.interpRetired);
  });
});
