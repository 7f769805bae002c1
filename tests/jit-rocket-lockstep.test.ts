// The rocket cycle model on the translation tier against the model on the interpreter, in lockstep: two
// machines run the same program with their own rocket model observing, one with tier 'interp' (every
// instruction interpreted and observed) and one with tier 'jit' (hot code in logging translated blocks
// whose commit log is replayed to the model: Machine.runModelled), in slices of random length. After
// every slice they must agree on every record the model saw (pc, bits, registers named, memory
// addresses, control flow, translation flags, operand values of multiplies and divides, traps) and the
// cycles it returned for it, the model's cycles, stall cycles per category and event counters, and the
// machine state of tests/helpers/lockstep.ts (registers, CSRs including mcycle, instret, memory).
// Programs: the conformance programs, the timing-calibration programs, random programs (instruction
// mix, trap delegation, Sv39 page faults), self-modifying code under timer interrupts, satp switches,
// page-table stores while the model walks, a kernel image, and runs alternating observed and unobserved
// slices (the fast loop must go back to blocks that write no commit log). A third machine runs on the
// jit tier with the model's own observer, which replays each dispatch's whole log in WebAssembly
// (RocketModel.replayLog, timing/rocket-wasm*.ts: the default path of --core rocket --tier jit), and a
// fourth with that observer minus replayLog, which replays each pass straight from the log in
// JavaScript (RocketModel.replayPass, no records): after every slice their model statistics and machine
// state must equal the interpreter's too.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine, type MachineOptions } from '../emulator/machine.js';
import { createCoreModel, type CoreModel } from '../emulator/timing/index.js';
import type { CommitObserver, CommitRecord } from '../emulator/types.js';
import { MEM_NONE } from '../emulator/types.js';
import { C_DIV, C_DIVW, C_MUL, OP_FACTS } from '../emulator/timing/classes.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/elf/load.js';
import type { ElfImage } from '../tools/elf/model.js';
import { readElf } from '../tools/elf/read.js';
import { rvxAssemble } from '../kernel-images/assemble.js';
import { buildImage } from '../kernel-images/image.js';
import { systemByName } from '../kernel-images/systems/index.js';
import { PROGRAMS_DIR, assembleProgram, needsC, programNames } from './helpers/programs.js';
import { Rng, randomProgram } from './helpers/random-program.js';
import { randomTrapProgram } from './helpers/random-traps.js';
import { randomVmProgram } from './helpers/random-vm.js';
import { differences } from './helpers/lockstep.js';
import { REPLAY_TUNING } from '../emulator/timing/rocket-wasm.js';

// A block's first pass goes to the JavaScript replay, every later one to its WebAssembly pass code: both
// paths and the hand-over between them run in every program.
REPLAY_TUNING.compileAfter = 2;
/** What the replayLog machines replayed, over every program (checked at the end of the file). */
const replayedTotal = { wasm: 0, js: 0 };

/** One line per record: the fields a replayed record carries (CommitObserver.blockReplay) and its cost. */
function describeRecord(rec: CommitRecord, cost: number): string {
  const cls = rec.opId >= 0 ? OP_FACTS.cls[rec.opId] : -1;
  const md = !rec.trapped && (cls === C_MUL || cls === C_DIV || cls === C_DIVW) ? ` ${rec.rs1Value} ${rec.rs2Value}` : '';
  const mem = rec.memKind !== MEM_NONE ? ` m${rec.memKind}:${rec.memVaddr}:${rec.memPaddr}:${rec.memSize}` : '';
  const trap = rec.trapped ? ` trap ${rec.trapCause}` : '';
  return `${rec.step} ${rec.priv} ${rec.pc} ${rec.raw} ${rec.size} ${rec.opId} ${rec.rd} ${rec.taken} ${rec.nextPc} ${rec.fetchPaddr} ${rec.xlate}${mem}${md}${trap} = ${cost}`;
}

/** The model's observer, also writing each record's line into `log`. */
function recording(model: CoreModel, log: string[]): CommitObserver {
  const inner = model.observer!;
  const obs: CommitObserver = (rec) => {
    const cost = inner(rec);
    log.push(describeRecord(rec, cost));
    return cost;
  };
  obs.blockReplay = true;
  return obs;
}

interface Result {
  slices: number;
  instret: bigint;
  jitRetired: number;
  reason: string;
  code?: number;
  cycles: number;
}

/** Run `image` with the rocket model on both tiers in random slices; fail at the first slice where they differ. */
function lockstep(image: ElfImage, opts: MachineOptions, seed: number, maxInsns = 2_000_000, longSlice = 20000, jitHot = 1, shortSlice = 300, alternate = false): Result {
  const outA: number[] = [], outB: number[] = [];
  const a = new Machine({ ramMiB: 16, ...opts, tier: 'interp', stdout: (x) => outA.push(...x) });
  const b = new Machine({ ramMiB: 16, ...opts, tier: 'jit', jitHot, stdout: (x) => outB.push(...x) });
  const outC: number[] = [], outD: number[] = [];
  const c = new Machine({ ramMiB: 16, ...opts, tier: 'jit', jitHot, stdout: (x) => outC.push(...x) });
  const d = new Machine({ ramMiB: 16, ...opts, tier: 'jit', jitHot, stdout: (x) => outD.push(...x) });
  const p = toLoadable(image);
  a.load(p);
  b.load(p);
  c.load(p);
  d.load(p);
  const ma = createCoreModel('rocket', a);
  const mb = createCoreModel('rocket', b);
  const mc = createCoreModel('rocket', c);
  const oc = mc.observer!;
  expect(oc.replayPass).toBeDefined();
  expect(oc.replayLog).toBeDefined();
  const md = createCoreModel('rocket', d);
  const inner = md.observer!;
  const od: CommitObserver = (rec) => inner(rec);
  od.blockReplay = true;
  od.replayPass = inner.replayPass;
  const logA: string[] = [], logB: string[] = [];
  const oa = recording(ma, logA), ob = recording(mb, logB);
  const rng = new Rng(seed);
  let slices = 0;
  let total = 0;
  let observedAll = true;
  for (;;) {
    const n = rng.int(4) === 0 ? 1 + rng.int(longSlice) : 1 + rng.int(shortSlice);
    logA.length = 0;
    logB.length = 0;
    // alternate: every other slice runs unobserved (the fast loop: plain translated blocks, 1 cycle each).
    const observed = !alternate || slices % 2 === 0;
    if (!observed) observedAll = false;
    const ra = a.run(n, observed ? oa : undefined);
    const rb = b.run(n, observed ? ob : undefined);
    const rc = c.run(n, observed ? oc : undefined);
    const rd = d.run(n, observed ? od : undefined);
    slices++;
    total += n;
    const diff = differences(a, b);
    if (JSON.stringify(ra) !== JSON.stringify(rb)) diff.unshift(`result ${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`);
    const sa = JSON.stringify(ma.stats()), sb = JSON.stringify(mb.stats());
    if (sa !== sb) diff.push(`model ${sa}\n    vs ${sb}`);
    for (const x of differences(a, c)) diff.push(`replayLog machine: ${x}`);
    if (JSON.stringify(ra) !== JSON.stringify(rc)) diff.unshift(`replayLog machine: result ${JSON.stringify(ra)} vs ${JSON.stringify(rc)}`);
    const sc = JSON.stringify(mc.stats());
    if (sa !== sc) diff.push(`replayLog model ${sa}\n    vs ${sc}`);
    for (const x of differences(a, d)) diff.push(`replayPass machine: ${x}`);
    if (JSON.stringify(ra) !== JSON.stringify(rd)) diff.unshift(`replayPass machine: result ${JSON.stringify(ra)} vs ${JSON.stringify(rd)}`);
    const sd = JSON.stringify(md.stats());
    if (sa !== sd) diff.push(`replayPass model ${sa}\n    vs ${sd}`);
    const first = logA.findIndex((l, i) => l !== logB[i]);
    if (first >= 0 || logA.length !== logB.length) {
      const i = first >= 0 ? first : Math.min(logA.length, logB.length);
      diff.unshift(`record ${i} of the slice: ${logA[i]}\n    vs ${logB[i]} (${logA.length} vs ${logB.length} records)`);
    }
    if (diff.length > 0) {
      throw new Error(`tiers differ under the rocket model after slice ${slices} (${a.stats.instret} instructions):\n  ${diff.slice(0, 12).join('\n  ')}`);
    }
    if (ra.reason !== 'limit' || total >= maxInsns) {
      expect(Buffer.from(outB).toString('latin1')).toBe(Buffer.from(outA).toString('latin1'));
      expect(Buffer.from(outC).toString('latin1')).toBe(Buffer.from(outA).toString('latin1'));
      expect(Buffer.from(outD).toString('latin1')).toBe(Buffer.from(outA).toString('latin1'));
      expect(c.stats.jit!.jitRetired).toBe(b.stats.jit!.jitRetired);
      expect(d.stats.jit!.jitRetired).toBe(b.stats.jit!.jitRetired);
      // Every instruction of a translated block was replayed (in WebAssembly unless its block got no pass code).
      const rep = mc.replayed();
      if (observedAll) expect(rep.wasm + rep.js).toBe(c.stats.jit!.jitRetired);
      replayedTotal.wasm += rep.wasm;
      replayedTotal.js += rep.js;
      expect(md.replayed()).toEqual({ wasm: 0, js: 0 });
      return {
        slices, instret: a.stats.instret, jitRetired: b.stats.jit!.jitRetired, reason: ra.reason,
        code: 'code' in ra ? ra.code : undefined, cycles: ma.stats()!.cycles,
      };
    }
  }
}

function asmText(name: string, text: string, march = 'rv64imac'): ElfImage {
  const r = assemble([{ name, text }], { march });
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.image;
}

describe('rocket model on the jit tier, lockstep: conformance programs', () => {
  for (const name of programNames()) {
    const isa = needsC(name) ? 'rv64imac' : name.length % 2 === 0 ? 'rv64imac' : 'rv64ima';
    it(`${name} (${isa})`, () => {
      const image = assembleProgram(name, isa).image;
      const r = lockstep(image, { isa, mtimeHz: 3_000_000 + (name.length * 77_777) % 40_000_000, xpc: false }, name.length * 31);
      expect(r.reason).not.toBe('limit');
    });
  }
});

describe('rocket model on the jit tier, lockstep: timing-calibration programs', () => {
  const dir = join(PROGRAMS_DIR, 'timing');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.s')).sort()) {
    it(name, () => {
      const r = assemble([{ name, text: readFileSync(join(dir, name), 'utf8') }], {
        include: (path) => ({ name: path, text: readFileSync(join(dir, path), 'utf8') }),
      });
      if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
      const res = lockstep(r.image, {}, name.length, 3_000_000, 50_000);
      expect(res.reason).toBe('exit');
      expect(res.jitRetired).toBeGreaterThan(0);
    });
  }
});

describe('rocket model on the jit tier, lockstep: random programs', () => {
  for (let i = 0; i < 6; i++) {
    const seed = 8100 + i;
    const isa = i % 3 === 2 ? 'rv64ima' : 'rv64imac';
    it(`instruction mix, seed ${seed} (${isa})`, () => {
      const r = lockstep(asmText(`r${seed}.s`, randomProgram(seed, 400, isa === 'rv64imac'), isa), { isa }, seed);
      expect(r).toMatchObject({ reason: 'exit', code: 0 });
      expect(r.jitRetired).toBeGreaterThan(0);
    });
  }
  it('instruction mix with Zba/Zbb/Zbc/Zbs, seed 8150', () => {
    const isa = 'rv64imac_zba_zbb_zbc_zbs';
    const r = lockstep(asmText('b8150.s', randomProgram(8150, 400, true, true), isa), { isa }, 8150);
    expect(r).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.jitRetired).toBeGreaterThan(0);
  });
  for (let i = 0; i < 4; i++) {
    const seed = 8200 + i;
    it(`trap delegation, seed ${seed}`, () => {
      const r = lockstep(asmText(`t${seed}.s`, randomTrapProgram(seed)), { mtimeHz: 1_000_000 + 997 * seed }, seed);
      expect(r.reason).toBe('exit');
    });
  }
  for (let i = 0; i < 4; i++) {
    const seed = 8300 + i;
    it(`Sv39 permissions and page faults, seed ${seed}`, () => {
      const r = lockstep(asmText(`v${seed}.s`, randomVmProgram(seed)), {}, seed);
      expect(r.reason).toBe('exit');
    });
  }
});

describe('rocket model on the jit tier, lockstep: self-modifying code, interrupts, address spaces, page-table stores', () => {
  const dir = join(PROGRAMS_DIR, 'jit');
  for (const [name, rates] of [['smc_timer.s', [1_234_567]], ['satp_switch.s', [10_000_000]], ['pte_write.s', [10_000_000]]] as const) {
    for (const mtimeHz of rates) {
      it(`${name} (mtime ${mtimeHz} Hz)`, () => {
        for (const hot of [1, 4]) {
          const r = lockstep(asmText(name, readFileSync(join(dir, name), 'utf8')), { mtimeHz }, mtimeHz % 1000 + hot, 3_000_000, 20000, hot);
          expect(r).toMatchObject({ reason: 'exit', code: 0 });
          expect(r.jitRetired).toBeGreaterThan(0);
        }
      });
    }
  }
});

describe('rocket model on the jit tier, lockstep: observed and unobserved slices in turn', () => {
  for (const name of ['alu.s', 'vm_sv39.s', 'interrupts.s']) {
    it(name, () => {
      const r = lockstep(assembleProgram(name).image, {}, 4242, 2_000_000, 20000, 1, 300, true);
      expect(r).toMatchObject({ reason: 'exit', code: 0 });
    });
  }
  it('mips.s (2 rounds) in long slices', () => {
    const text = `.equ ROUNDS, 2\n` + readFileSync(join(PROGRAMS_DIR, '../../bench/programs/mips.s'), 'utf8');
    const r = lockstep(asmText('mips.s', text), {}, 77, 20_000_000, 400_000, 16, 20000, true);
    expect(r).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.jitRetired).toBeGreaterThan(500_000);
  });
});

describe('rocket model on the jit tier, lockstep: kernel images (with the XPC engine)', () => {
  // The first 300k instructions (boot, address-space setup, XPC calls, timer preemption).
  for (const name of ['xpc-preempt']) {
    it(name, async () => {
      const sys = systemByName(name)!;
      const image = await buildImage(sys, rvxAssemble, {});
      // Slices of up to 5,000 instructions: comparing 64 MiB of RAM after each costs more than running them.
      const r = lockstep(readElf(image.elf), { xpc: true, ramMiB: 64 }, name.length, 300_000, 100_000, 3, 5000);
      expect(r.jitRetired).toBeGreaterThan(0);
    });
  }
});

describe('rocket model on the jit tier, lockstep: the WebAssembly replay ran', () => {
  it('modelled most translated instructions of the programs above in WebAssembly pass code', () => {
    if (replayedTotal.wasm + replayedTotal.js === 0) return; // run alone (-t): the programs above did not run
    expect(replayedTotal.wasm).toBeGreaterThan(4 * replayedTotal.js);
  });
});
