// Random user-level programs (tests/helpers/random-program.ts) on the machine's two run loops: the fast
// path (chunks of instructions) and the traced path (one instruction at a time with an observer, as
// `rvx trace` runs) must end in the same state with the same instruction count. Needs no reference tool;
// tests/qemu-random.test.ts compares the same programs against QEMU.

import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import type { CommitObserver } from '../emulator/types.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/load.js';
import { randomProgram } from './helpers/random-program.js';

function run(image: Parameters<typeof toLoadable>[0], isa: string, observer?: CommitObserver) {
  const out: number[] = [];
  const m = new Machine({ isa, stdout: (b) => out.push(...b) });
  m.load(toLoadable(image));
  const result = m.run(2_000_000, observer);
  return { result, out: Buffer.from(out).toString('latin1'), instret: m.stats.instret };
}

describe('random programs: fast and traced paths agree', () => {
  for (let i = 0; i < 16; i++) {
    const seed = 5000 + i;
    const isa = i % 4 === 3 ? 'rv64ima' : 'rv64imac';
    it(`seed ${seed} (${isa})`, () => {
      const asm = assemble([{ name: `random-${seed}.s`, text: randomProgram(seed, 400, isa === 'rv64imac') }], { march: isa });
      if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
      const fast = run(asm.image, isa);
      let seen = 0;
      const traced = run(asm.image, isa, () => (seen++, 1));
      expect(fast.result).toEqual({ reason: 'exit', code: 0 });
      expect(traced.result).toEqual(fast.result);
      expect(fast.out.split('\n')).toHaveLength(65);
      expect(traced.out).toBe(fast.out);
      expect(traced.instret).toBe(fast.instret);
      expect(seen).toBe(Number(fast.instret));
    });
  }
});
