// The seeded random adversary (kernel-images/systems/adversary.ts) in CI: a modest number of seeds, each
// a system of hostile processes running random system calls, XPC instructions and memory accesses with
// boundary-heavy arguments next to survivors; the kernel's invariants (tests/kernel-invariants.ts) are
// checked after every run. `npm run fuzz:kernel` runs the long soak (FUZZ_SEEDS, FUZZ_FIRST).

import { describe, expect, it } from 'vitest';
import { adversarySystem } from '../kernel-images/systems/adversary.js';
import { checkInvariants } from './kernel-invariants.js';
import { boot } from './kernel-helpers.js';

const SEEDS = 24;

describe('seeded random adversary', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}: the kernel keeps its invariants and the survivors finish`, async () => {
      const r = await boot(adversarySystem(seed), { maxInsns: 30_000_000 });
      expect(checkInvariants(r), r.console).toEqual([]);
    });
  }
});
