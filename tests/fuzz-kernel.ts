// `npm run fuzz:kernel`: the long soak of the seeded random adversary. FUZZ_SEEDS (default 300) seeds from
// FUZZ_FIRST (default 1000); each failing seed is printed with its problems and the end of its console.
// Reproduce one with FUZZ_FIRST=<seed> FUZZ_SEEDS=1.

import { adversarySystem } from '../kernel-images/systems/adversary.js';
import { checkInvariants } from './kernel-invariants.js';
import { boot } from './kernel-helpers.js';

const first = Number(process.env.FUZZ_FIRST ?? 1000);
const count = Number(process.env.FUZZ_SEEDS ?? 300);
const hostile = Number(process.env.FUZZ_PROCS ?? 3);
const ops = Number(process.env.FUZZ_OPS ?? 60);
let failed = 0;
const t0 = Date.now();
for (let seed = first; seed < first + count; seed++) {
  let problems: string[];
  let tail = '';
  try {
    const r = await boot(adversarySystem(seed, hostile, ops), { maxInsns: 40_000_000 });
    problems = checkInvariants(r);
    tail = r.console.slice(-1500);
  } catch (e) {
    problems = [`exception: ${(e as Error).message}`];
  }
  if (problems.length) {
    failed++;
    console.log(`seed ${seed}: FAILED\n  ${problems.join('\n  ')}\n--- console tail ---\n${tail}\n---`);
  }
  if ((seed - first + 1) % 50 === 0) console.log(`${seed - first + 1}/${count} seeds, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
console.log(`fuzz:kernel: ${count} seeds from ${first} (${hostile} hostile processes, ${ops} operations each): ${failed} failed`);
process.exit(failed ? 1 : 0);
