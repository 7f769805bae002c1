// Differential check against QEMU (a development oracle, never needed by rvx): the conformance programs,
// assembled by rvx's assembler into ELF files, run on `qemu-system-riscv64 -machine spike -bios none`
// (HTIF through the tohost symbol; its exit status is the HTIF code) and on rvx. Both must agree, except
// at the cases marked `# qemu-deviation: N`, where QEMU 7.2 departs from the specification (the program
// says why) and rvx must still pass; programs marked `# qemu-crash:` may abort QEMU. Skipped when QEMU is
// not installed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleProgram, describe as outcome, needsC, programNames, qemuCrashes, qemuDeviations, runImage } from './helpers/programs.js';

const QEMU = 'qemu-system-riscv64';
const HAVE_QEMU = spawnSync('which', [QEMU]).status === 0;
const SKIP_REASON = `${QEMU} not installed: skipping the differential runs against QEMU (apt-get install qemu-system-misc)`;

function qemuRun(elf: string, cpu: string): Promise<number | string> {
  return new Promise((resolve) => {
    const p = spawn(QEMU, ['-machine', 'spike', '-cpu', cpu, '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'none', '-kernel', elf], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? `killed by ${signal} (hung?)` : err.trim() && code !== 0 ? `${code}: ${err.trim()}` : (code ?? -1));
    });
  });
}

const dir = HAVE_QEMU ? mkdtempSync(join(tmpdir(), 'rvx-qemu-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const variants: { isa: string; cpu: string }[] = [
  { isa: 'rv64imac', cpu: 'rv64' },
  { isa: 'rv64ima', cpu: 'rv64,c=false' },
];

describe.skipIf(!HAVE_QEMU).concurrent('conformance programs on QEMU (spike machine) and rvx agree', () => {
  for (const { isa, cpu } of variants) {
    for (const name of programNames().filter((n) => isa === 'rv64imac' || !needsC(n))) {
      it(`${name} (${isa})`, async () => {
        const asm = assembleProgram(name, isa);
        const elf = join(dir, `${name}.${isa}.elf`);
        writeFileSync(elf, asm.elf());
        const q = await qemuRun(elf, cpu);
        const allowed = [0, ...qemuDeviations(name)];
        if (!(qemuCrashes(name) && typeof q === 'string')) expect(allowed, `QEMU ended ${name} with ${q}`).toContain(q);
        expect(outcome(name, runImage(asm, isa).result)).toBe('pass');
      });
    }
  }
});

describe.skipIf(HAVE_QEMU)('QEMU differential runs', () => {
  it.skip(SKIP_REASON, () => {});
});
