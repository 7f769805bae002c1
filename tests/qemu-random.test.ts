// Differential test against QEMU (a development oracle, never needed by rvx): random user-level RV64IMAC
// programs (tests/helpers/random-program.ts), programs of random instruction words, reserved encodings
// included (tests/helpers/random-words.ts), random Sv39 permission programs (tests/helpers/random-vm.ts)
// and random trap-delegation programs (tests/helpers/random-traps.ts), assembled by rvx, run on `qemu-system-riscv64 -machine spike`
// and on rvx; both print the final state (buffer, registers, trap log) through the HTIF console and must
// print the same. Seeded: a failure names its seed, and the helpers regenerate the program.
// Skipped when QEMU is not installed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/load.js';
import { randomProgram } from './helpers/random-program.js';
import { randomWordsProgram } from './helpers/random-words.js';
import { RANDOM_VM_LINES, randomVmProgram } from './helpers/random-vm.js';
import { RANDOM_TRAP_LINES, randomTrapProgram } from './helpers/random-traps.js';

const QEMU = 'qemu-system-riscv64';
const HAVE_QEMU = spawnSync('which', [QEMU]).status === 0;

/** Run an ELF on QEMU; the HTIF console goes to a file (a pipe can drop characters when the reader lags). */
function qemuOutput(elf: string, cpu: string): Promise<{ code: number | null; out: string }> {
  const outFile = `${elf}.out`;
  return new Promise((resolve) => {
    const p = spawn(QEMU, ['-machine', 'spike', '-cpu', cpu, '-bios', 'none', '-display', 'none', '-monitor', 'none', '-serial', `file:${outFile}`, '-kernel', elf], {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      let out = '';
      try {
        out = readFileSync(outFile, 'latin1');
      } catch {
        // no output file: QEMU failed before opening it; the exit status says so
      }
      resolve({ code, out });
    });
  });
}

const dir = HAVE_QEMU ? mkdtempSync(join(tmpdir(), 'rvx-qrand-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Where two dumps first differ, in words: buffer dword k or register xN. */
function firstDifference(a: string, b: string): string {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `${i < 32 ? `buffer dword ${i}` : `x${i - 32}`}: rvx ${la[i] ?? '(none)'} vs QEMU ${lb[i] ?? '(none)'}`;
  }
  return 'identical';
}

// RVX_RANDOM_PROGRAMS=N runs N programs of each kind (default 8 with C, a third as many without).
const COUNT = Number(process.env.RVX_RANDOM_PROGRAMS ?? 8);
const CASES: { seed: number; isa: string; cpu: string }[] = [
  ...Array.from({ length: COUNT }, (_, i) => ({ seed: 1000 + i, isa: 'rv64imac', cpu: 'rv64' })),
  ...Array.from({ length: Math.ceil(COUNT / 3) }, (_, i) => ({ seed: 100000 + i, isa: 'rv64ima', cpu: 'rv64,c=false' })),
];

/** A program (`text`) assembled for `isa` and run by rvx and by QEMU (`cpu`); both must exit 0. Their output. */
async function runBoth(seed: number, name: string, text: string, isa: string, cpu: string): Promise<{ mine: string; qemu: string }> {
  const asm = assemble([{ name: `${name}.s`, text }], { march: isa });
  if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
  const elf = join(dir, `${name}.elf`);
  writeFileSync(elf, asm.elf());
  const chunks: number[] = [];
  const m = new Machine({ isa, stdout: (b) => chunks.push(...b) });
  m.load(toLoadable(asm.image));
  const r = m.run(1_000_000);
  const q = await qemuOutput(elf, cpu);
  expect(r, `seed ${seed}`).toEqual({ reason: 'exit', code: 0 });
  expect(q.code, `seed ${seed}: QEMU exit`).toBe(0);
  return { mine: Buffer.from(chunks).toString('latin1'), qemu: q.out };
}

/** A random program: rvx and QEMU print the same state. */
async function sameAsQemu(seed: number, name: string, text: string, isa: string, cpu: string): Promise<void> {
  const { mine, qemu } = await runBoth(seed, name, text, isa, cpu);
  expect(mine.split('\n').length).toBe(65);
  expect(firstDifference(mine, qemu), `seed ${seed}`).toBe('identical');
}

describe.skipIf(!HAVE_QEMU).concurrent('random programs: rvx and QEMU print the same state', () => {
  for (const { seed, isa, cpu } of CASES) {
    it(`seed ${seed} (${isa})`, async () => {
      await sameAsQemu(seed, `random-${seed}`, randomProgram(seed, 300, isa === 'rv64imac'), isa, cpu);
    });
  }
});

// With Zba/Zbb/Zbc/Zbs (QEMU's generic rv64 hart has them; its scalar-crypto Zbk* are switched off, as
// they add encodings rvx does not implement).
const QEMU_ZB = 'rv64,zba=true,zbb=true,zbc=true,zbs=true,zbkb=false,zbkc=false,zbkx=false,zknd=false,zkne=false,zknh=false,zksed=false,zksh=false';
describe.skipIf(!HAVE_QEMU).concurrent('random programs with bit manipulation: rvx and QEMU print the same state', () => {
  for (const seed of Array.from({ length: Math.ceil(COUNT / 2) }, (_, i) => 2000 + i)) {
    const isa = 'rv64imac_zba_zbb_zbc_zbs';
    it(`seed ${seed} (${isa})`, async () => {
      await sameAsQemu(seed, `random-b-${seed}`, randomProgram(seed, 300, true, true), isa, QEMU_ZB);
    });
  }
});

// QEMU's generic rv64 hart also has F, D, V, H and bit-manipulation/crypto extensions: switched off, so
// that both machines implement RV64IMAC (+Zicsr, Zifencei) and agree on which words are instructions.
const QEMU_IMAC = 'rv64,f=false,d=false,v=false,h=false,zba=false,zbb=false,zbc=false,zbs=false,zbkb=false,zbkc=false,zbkx=false,zknd=false,zkne=false,zknh=false,zksed=false,zksh=false';

const WORD_CASES = [
  ...Array.from({ length: COUNT }, (_, i) => ({ seed: 3000 + i, isa: 'rv64imac', cpu: QEMU_IMAC })),
  // Bit manipulation on in both: their encodings are instructions, the Zbk* ones (pack, brev8, ...) still not.
  ...Array.from({ length: Math.ceil(COUNT / 4) }, (_, i) => ({ seed: 3500 + i, isa: 'rv64imac_zba_zbb_zbc_zbs', cpu: QEMU_IMAC.replace(/zb([abcs])=false/g, 'zb$1=true') })),
  ...Array.from({ length: Math.ceil(COUNT / 3) }, (_, i) => ({ seed: 300000 + i, isa: 'rv64ima', cpu: `${QEMU_IMAC},c=false` })),
];

describe.skipIf(!HAVE_QEMU).concurrent('random instruction words (reserved encodings included): same registers and trap log', () => {
  for (const { seed, isa, cpu } of WORD_CASES) {
    it(`seed ${seed} (${isa})`, async () => {
      const { mine, qemu } = await runBoth(seed, `words-${seed}`, randomWordsProgram(seed, 400, isa !== 'rv64ima'), isa, cpu);
      const a = mine.split('\n'), b = qemu.split('\n');
      expect(a).toHaveLength(32 + 128 + 2);
      const i = a.findIndex((line, k) => line !== b[k]);
      const where = i < 0 ? 'identical' : i < 32 ? `x${i}` : i < 160 ? `trap ${(i - 32) >> 1} ${(i - 32) & 1 ? 'mtval' : 'mcause'}` : 'trap count';
      expect(i < 0 ? 'identical' : `${where}: rvx ${a[i]} vs QEMU ${b[i]}`, `seed ${seed}`).toBe('identical');
    });
  }
});

describe.skipIf(!HAVE_QEMU).concurrent('random Sv39 permissions (S and U, SUM, MXR, superpages): same values and faults', () => {
  for (let i = 0; i < COUNT; i++) {
    const seed = 4000 + i;
    it(`seed ${seed}`, async () => {
      const text = randomVmProgram(seed);
      const asm = assemble([{ name: `vm-${seed}.s`, text }]);
      if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
      const elf = join(dir, `vm-${seed}.elf`);
      writeFileSync(elf, asm.elf());
      const chunks: number[] = [];
      const m = new Machine({ stdout: (b) => chunks.push(...b) });
      m.load(toLoadable(asm.image));
      const r = m.run(1_000_000);
      const mine = Buffer.from(chunks).toString('latin1');
      const q = await qemuOutput(elf, `${QEMU_IMAC},svpbmt=false,svnapot=false,svinval=false`);
      expect(r, `seed ${seed}`).toEqual({ reason: 'exit', code: 0 });
      expect(q.code, `seed ${seed}: QEMU exit`).toBe(0);
      const a = mine.split('\n'), b = q.out.split('\n');
      expect(a).toHaveLength(RANDOM_VM_LINES + 1);
      const k = a.findIndex((line, j) => line !== b[j]);
      const where = k < 0 ? 'identical' : k < 48 ? `value of operation ${k}` : k < 240 ? `fault ${(k - 48) >> 1} ${(k - 48) & 1 ? 'mtval' : 'mcause'}` : 'fault count';
      expect(k < 0 ? 'identical' : `${where}: rvx ${a[k]} vs QEMU ${b[k]} (${text.split('\n')[0]})`, `seed ${seed}`).toBe('identical');
    });
  }
});

describe.skipIf(!HAVE_QEMU).concurrent('random delegation (medeleg, S and U, page/access faults, ecall, illegal): same trap log', () => {
  for (let i = 0; i < COUNT; i++) {
    const seed = 6000 + i;
    it(`seed ${seed}`, async () => {
      const text = randomTrapProgram(seed);
      const asm = assemble([{ name: `traps-${seed}.s`, text }]);
      if (!asm.ok) throw new Error(asm.diagnostics.map(formatDiagnostic).join('\n'));
      const elf = join(dir, `traps-${seed}.elf`);
      writeFileSync(elf, asm.elf());
      const chunks: number[] = [];
      const m = new Machine({ stdout: (b) => chunks.push(...b) });
      m.load(toLoadable(asm.image));
      const r = m.run(1_000_000);
      const mine = Buffer.from(chunks).toString('latin1');
      const q = await qemuOutput(elf, QEMU_IMAC);
      expect(r, `seed ${seed}`).toEqual({ reason: 'exit', code: 0 });
      expect(q.code, `seed ${seed}: QEMU exit`).toBe(0);
      const a = mine.split('\n'), b = q.out.split('\n');
      expect(a).toHaveLength(RANDOM_TRAP_LINES + 1);
      const k = a.findIndex((line, j) => line !== b[j]);
      const field = ['handler (3 M, 1 S)', 'cause', 'tval', 'epc', 'status bits'][k % 5];
      const where = k < 0 ? 'identical' : k < RANDOM_TRAP_LINES - 1 ? `trap ${Math.floor(k / 5)} ${field}` : 'trap count';
      expect(k < 0 ? 'identical' : `${where}: rvx ${a[k]} vs QEMU ${b[k]} (${text.split('\n')[0]})`, `seed ${seed}`).toBe('identical');
    });
  }
});

describe.skipIf(HAVE_QEMU)('random programs against QEMU', () => {
  it.skip(`${QEMU} not installed: skipping the random differential runs`, () => {});
});
