// Conformance programs (tests/programs/*.s): each checks one instruction family or privileged rule
// against the RISC-V specifications and reports through HTIF (tohost = 1 pass, (case << 1) | 1 fail).
// Assembled with rvx's assembler, run on the machine with an instruction cap. Programs without
// compressed instructions run again as rv64ima code on a hart without C.

import { describe as group, expect, it } from 'vitest';
import { assembleProgram, describe, needsC, programNames, runImage } from './helpers/programs.js';

const NAMES = programNames();

group('conformance programs (rv64imac)', () => {
  it('finds the programs', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(15);
  });
  for (const name of NAMES) {
    it(name, () => {
      const run = runImage(assembleProgram(name, 'rv64imac'), 'rv64imac');
      expect(describe(name, run.result)).toBe('pass');
    });
  }
});

group('conformance programs (rv64ima: assembled without C, hart without C)', () => {
  for (const name of NAMES.filter((n) => !needsC(n))) {
    it(name, () => {
      const asm = assembleProgram(name, 'rv64ima');
      // no 16-bit instruction may appear in .text when C is off
      const run = runImage(asm, 'rv64ima');
      expect(describe(name, run.result)).toBe('pass');
      expect(run.machine.readCsr(0x301) & (1n << 2n)).toBe(0n); // misa.C clear
    });
  }
});

group('conformance programs on the traced path (an observer sees every instruction)', () => {
  for (const name of NAMES) {
    it(name, () => {
      let records = 0;
      let trapped = 0;
      const run = runImage(assembleProgram(name, 'rv64imac'), 'rv64imac', 5_000_000, (rec) => {
        records++;
        if (rec.trapped) trapped++;
        return 1;
      });
      expect(describe(name, run.result)).toBe('pass');
      // every retired instruction and every trap (exception or interrupt) was reported once
      const s = run.machine.stats;
      expect(records - trapped).toBe(Number(s.instret));
      expect(trapped).toBe(s.traps);
    });
  }
});

group('console program', () => {
  it('prints through the HTIF console', () => {
    const run = runImage(assembleProgram('console.s'), 'rv64imac');
    expect(run.result).toEqual({ reason: 'exit', code: 0 });
    expect(run.stdout).toBe('hello from the rvx console\n');
  });
});
