// The WebAssembly translation tier against the interpreter, in lockstep: two machines run the same
// program, one with tier 'interp' and one with tier 'jit' (blocks translated on their first miss, so
// nearly everything the tier can run does run there), in slices of random length; after every slice they
// must agree on the run result, every register, pc, privilege, every CSR, the counters and every byte of
// RAM and of the hot-CSR/register area. Programs: the conformance programs (traps, delegation, PMP, Sv39,
// A/D bits and sfence.vma, fence.i, interrupts), random programs from the instruction table (ALU, M,
// loads/stores incl. misaligned, AMOs), random trap-delegation and random Sv39 permission programs (page
// faults mid-block, satp switches), random instruction words (illegal encodings), each also under random
// mtime rates so timer interrupts land at random instructions, and self-modifying code.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine, type MachineOptions } from '../emulator/machine.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/elf/load.js';
import type { ElfImage } from '../tools/elf/model.js';
import { readElf } from '../tools/elf/read.js';
import { rvxAssemble } from '../kernel-images/assemble.js';
import { buildImage } from '../kernel-images/image.js';
import { SYSTEMS } from '../kernel-images/systems/index.js';
import { PROGRAMS_DIR, assembleProgram, needsC, programNames } from './helpers/programs.js';
import { Rng, randomProgram } from './helpers/random-program.js';
import { randomTrapProgram } from './helpers/random-traps.js';
import { randomVmProgram } from './helpers/random-vm.js';
import { randomWordsProgram } from './helpers/random-words.js';
import { differences } from './helpers/lockstep.js';

interface LockstepResult {
  slices: number;
  instret: bigint;
  jitRetired: number;
  flushes: number;
  reason: string;
  /** Exit code (reason 'exit'). */
  code?: number;
}

/** Run `image` on both tiers in random slices until it stops; fail at the first slice where they differ. */
function lockstep(image: ElfImage, opts: MachineOptions, seed: number, maxInsns = 3_000_000, longSlice = 20000, jitHot = 1): LockstepResult {
  const outA: number[] = [], outB: number[] = [];
  const a = new Machine({ ramMiB: 16, ...opts, tier: 'interp', stdout: (x) => outA.push(...x) });
  const b = new Machine({ ramMiB: 16, ...opts, tier: 'jit', jitHot, stdout: (x) => outB.push(...x) });
  const p = toLoadable(image);
  a.load(p);
  b.load(p);
  const rng = new Rng(seed);
  let slices = 0;
  let total = 0;
  for (;;) {
    // Mostly short slices (a stop inside a block, right after a trap, ...), sometimes long ones.
    const n = rng.int(4) === 0 ? 1 + rng.int(longSlice) : 1 + rng.int(300);
    const ra = a.run(n);
    const rb = b.run(n);
    slices++;
    total += n;
    const diff = differences(a, b);
    if (JSON.stringify(ra) !== JSON.stringify(rb)) diff.unshift(`result ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`);
    if (diff.length > 0) {
      throw new Error(`tiers differ after slice ${slices} (${a.stats.instret} instructions):\n  ${diff.slice(0, 12).join('\n  ')}`);
    }
    if (ra.reason !== 'limit' || total >= maxInsns) {
      expect(Buffer.from(outB).toString('latin1')).toBe(Buffer.from(outA).toString('latin1'));
      return { slices, instret: a.stats.instret, jitRetired: b.stats.jit!.jitRetired, flushes: b.stats.jit!.flushes, reason: ra.reason, code: 'code' in ra ? ra.code : undefined };
    }
  }
}

function asmText(name: string, text: string, march = 'rv64imac'): ElfImage {
  const r = assemble([{ name, text }], { march });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.image;
}

describe('jit lockstep: conformance programs', () => {
  for (const name of programNames()) {
    for (const isa of needsC(name) ? ['rv64imac'] : ['rv64imac', 'rv64ima']) {
      it(`${name} (${isa})`, () => {
        const image = assembleProgram(name, isa).image;
        for (const [k, mtimeHz] of [10_000_000, 3_000_000 + (name.length * 77_777) % 40_000_000].entries()) {
          const r = lockstep(image, { isa, mtimeHz, xpc: false }, name.length * 31 + k);
          expect(r.reason).not.toBe('limit');
        }
      });
    }
  }
});

describe('jit lockstep: random programs', () => {
  for (let i = 0; i < 8; i++) {
    const seed = 7100 + i;
    const isa = i % 4 === 3 ? 'rv64ima' : 'rv64imac';
    it(`instruction mix, seed ${seed} (${isa})`, () => {
      const r = lockstep(asmText(`r${seed}.s`, randomProgram(seed, 400, isa === 'rv64imac'), isa), { isa }, seed);
      expect(r).toMatchObject({ reason: 'exit', code: 0 });
      expect(r.jitRetired).toBeGreaterThan(0);
    });
  }
  for (let i = 0; i < 3; i++) {
    const seed = 7150 + i;
    const isa = i === 2 ? 'rv64ima_zba_zbb_zbc_zbs' : 'rv64imac_zba_zbb_zbc_zbs';
    it(`instruction mix with Zba/Zbb/Zbc/Zbs, seed ${seed} (${isa})`, () => {
      const r = lockstep(asmText(`b${seed}.s`, randomProgram(seed, 400, i !== 2, true), isa), { isa }, seed);
      expect(r).toMatchObject({ reason: 'exit', code: 0 });
      expect(r.jitRetired).toBeGreaterThan(0);
    });
  }
  for (let i = 0; i < 6; i++) {
    const seed = 7200 + i;
    it(`trap delegation, seed ${seed}`, () => {
      const r = lockstep(asmText(`t${seed}.s`, randomTrapProgram(seed)), { mtimeHz: 1_000_000 + 997 * seed }, seed);
      expect(r.reason).toBe('exit');
    });
  }
  for (let i = 0; i < 6; i++) {
    const seed = 7300 + i;
    it(`Sv39 permissions and page faults, seed ${seed}`, () => {
      const r = lockstep(asmText(`v${seed}.s`, randomVmProgram(seed)), {}, seed);
      expect(r.reason).toBe('exit');
    });
  }
  for (let i = 0; i < 4; i++) {
    const seed = 7400 + i;
    const rvc = i % 2 === 0;
    it(`random words, seed ${seed}`, () => {
      const r = lockstep(asmText(`w${seed}.s`, randomWordsProgram(seed, 300, rvc), rvc ? 'rv64imac' : 'rv64ima'), { isa: rvc ? 'rv64imac' : 'rv64ima' }, seed);
      expect(r.reason).toBe('exit');
    });
  }
});

describe('jit lockstep: self-modifying code, interrupts, address-space switches', () => {
  const dir = join(PROGRAMS_DIR, 'jit');
  for (const name of ['smc_timer.s', 'satp_switch.s']) {
    for (const mtimeHz of [10_000_000, 1_234_567, 31_000_000]) {
      it(`${name} (mtime ${mtimeHz} Hz)`, () => {
        // Translating at once, and after a few misses (the interpreter runs the block meanwhile).
        for (const hot of [1, 4]) {
          const r = lockstep(asmText(name, readFileSync(join(dir, name), 'utf8')), { mtimeHz }, mtimeHz % 1000, 3_000_000, 20000, hot);
          expect(r).toMatchObject({ reason: 'exit', code: 0 });
          expect(r.jitRetired).toBeGreaterThan(0);
        }
      });
    }
  }
});

describe('jit lockstep: kernel images (with the XPC engine)', () => {
  for (const sys of SYSTEMS) {
    it(sys.name, async () => {
      const image = await buildImage(sys, rvxAssemble, {});
      const r = lockstep(readElf(image.elf), { xpc: true, ramMiB: 64 }, sys.name.length, 40_000_000, 400_000, 3);
      expect(r.reason).not.toBe('limit');
      expect(r.jitRetired).toBeGreaterThan(0);
    });
  }
});

describe('jit lockstep: a translation cap of 8 blocks (flushes all the time)', () => {
  for (const name of ['alu.s', 'vm_sv39.s', 'interrupts.s']) {
    it(name, () => {
      for (const hot of [1, 2]) {
        const r = lockstep(assembleProgram(name).image, { jitMaxBlocks: 8 }, 99, 3_000_000, 20000, hot);
        expect(r).toMatchObject({ reason: 'exit', code: 0 });
        if (hot === 1) expect(r.flushes).toBeGreaterThan(0);
      }
    });
  }
});

// The official ISA tests in lockstep too, when RVX_RISCV_TESTS points at their ELFs (see run-riscv-tests).
const RISCV_TESTS = process.env.RVX_RISCV_TESTS ?? '';
const ISA_TESTS = RISCV_TESTS
  ? readdirSync(RISCV_TESTS).filter((f) => /^rv64(ui|um|ua|uc|si|mi)-p-[\w-]+$/.test(f)).sort()
  : [];
describe.skipIf(!RISCV_TESTS)('jit lockstep: riscv-tests', () => {
  for (const f of ISA_TESTS) {
    it(f, () => {
      const r = lockstep(readElf(readFileSync(join(RISCV_TESTS, f))), {}, f.length);
      expect(r).toMatchObject({ reason: 'exit', code: 0 });
    });
  }
});
