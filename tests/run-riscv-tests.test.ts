// Optional: the official riscv-tests ISA suite (rv64ui/um/ua/uc/si/mi "-p-" ELFs, rv64uf/ud "-p-" and
// "-v-" ELFs, and the bit-manipulation suites rv64uzba/uzbb/uzbc/uzbs "-p-" and "-v-", built elsewhere: their
// code is not part of rvx) run through `rvx run`. Point RVX_RISCV_TESTS at a directory of built test
// ELFs (e.g. riscv-tests/isa after `make XLEN=64`); every rv64*-p-* file there must pass. Skipped when
// the variable is unset.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';

const DIR = process.env.RVX_RISCV_TESTS ?? '';

function testFiles(): string[] {
  if (!DIR) return [];
  return readdirSync(DIR)
    .filter((f) => (/^rv64(ui|um|ua|uc|si|mi)-p-[\w-]+$/.test(f) || /^rv64(uf|ud|uzba|uzbb|uzbc|uzbs)-[pv]-[\w-]+$/.test(f)) && statSync(join(DIR, f)).isFile())
    .sort();
}

const FILES = testFiles();

describe.skipIf(!DIR)('riscv-tests through rvx run', () => {
  it('finds test ELFs in RVX_RISCV_TESTS', () => {
    expect(FILES.length, `no rv64*-p-* files in ${DIR}`).toBeGreaterThan(0);
  });
  for (const f of FILES) {
    // rv64uf/rv64ud run on the default machine (rv64gc); vector suites are left out by the name filter.
    // The bit-manipulation suites need their extension, as on Spike (riscv-tests' Makefile builds each
    // with -march=rv64g_zb?): rv64uzbb-* runs with --isa rv64gc_zbb, and so on.
    // Each test runs on the default (rocket, interpreted) core and on the ideal core with either tier.
    const zb = /^rv64u(zb[abcs])-/.exec(f);
    const isa = zb ? ['--isa', `rv64gc_${zb[1]}`] : [];
    for (const extra of [[], ['--core', 'ideal', '--tier', 'interp'], ['--core', 'ideal', '--tier', 'jit']]) {
      it(`${f} ${[...isa, ...extra].join(' ')}`.trim(), async () => {
        const r = await captureMain(runMain, [...isa, ...extra, '--max-insns', '50000000', join(DIR, f)]);
        expect(r.stderr, f).toBe('');
        expect(r.code, f).toBe(0);
      });
    }
  }
});

describe.skipIf(!!DIR)('riscv-tests', () => {
  it.skip('set RVX_RISCV_TESTS to a directory of built riscv-tests ELFs to run them through rvx run', () => {});
});
