// rvx's F/D semantics (execFp, what the interpreter runs) against QEMU user mode and Spike on the same
// operand vectors: every operation × every static rounding mode, result bits and fflags.
//
// CI runs a few thousand vectors per operation and mode. The big run (the issue's ≥10^6 vectors per
// operation and mode) is `npm run test:fp-big`, i.e. RVX_FP_VECTORS=1000000; it goes in chunks so that
// memory stays small. Oracles are found on PATH (qemu-riscv64, riscv64-unknown-elf-gcc) or RVX_SPIKE.

import { describe, expect, it } from 'vitest';
import { allBlocks, compareBlock, oracleMissing, runOracle, RM_NAMES, type Block, type Oracle } from './helpers/fp-diff.js';

const BIG = Number(process.env.RVX_FP_VECTORS ?? 0);
const ORACLES: [Oracle, number][] = [['qemu', BIG || 3000], ['spike', BIG ? Math.min(BIG, 200000) : 1000]];
const CHUNK = 250000;

function check(oracle: Oracle, perBlock: number, seed: number): { vectors: number; report: string[] } {
  const report: string[] = [];
  let vectors = 0;
  // Small runs: one oracle program for everything. Big runs: one per operation and chunk of CHUNK vectors.
  const ops = perBlock <= 5000 ? [null] : allBlocks(1, seed).map((b) => b.op).filter((op, i, a) => a.indexOf(op) === i);
  for (const op of ops) {
    for (let done = 0, chunk = 0; done < perBlock; done += CHUNK, chunk++) {
      const n = Math.min(CHUNK, perBlock - done);
      const only = op === null ? undefined : new RegExp(`^${op.replace(/\./g, '\\.')}$`);
      const blocks: Block[] = allBlocks(n, seed + chunk * 1000003, only);
      const outs = runOracle(blocks, oracle);
      blocks.forEach((b, i) => {
        vectors += b.vectors.length / 6;
        const r = compareBlock(b, outs[i], 3);
        if (r.count) {
          report.push(`${b.op} ${RM_NAMES[b.rm] ?? ''}: ${r.count} mismatches`);
          for (const m of r.mismatches) report.push(`  ${m.operands.join(' ')}: expected ${m.expected}, got ${m.got}`);
        }
      });
    }
    if (BIG && op) console.log(`${oracle} ${op}: ${vectors} vectors so far, ${report.length} report lines`);
  }
  return { vectors, report };
}

describe('F/D semantics against independent implementations', () => {
  for (const [oracle, perBlock] of ORACLES) {
    const missing = oracleMissing(oracle);
    it.skipIf(missing !== null)(
      `${oracle}: ${perBlock} vectors per operation and rounding mode${missing ? ` (skipped: ${missing})` : ''}`,
      () => {
        const { vectors, report } = check(oracle, perBlock, oracle === 'qemu' ? 11 : 12);
        if (BIG) console.log(`${oracle}: ${vectors} vectors compared, ${report.length} report lines`);
        expect(report.join('\n')).toBe('');
      },
      BIG ? 0 : 120000,
    );
  }
});
