// Optional: RISC-V International's architectural test suite (https://github.com/riscv-non-isa/riscv-arch-test;
// its code is not part of rvx) on rvx, the way RISCOF runs it, with Spike as the reference model. Point
// RVX_ARCH_TEST at a checkout (the directory holding riscv-test-suite/). Each rv64i_m test of the I, M, A,
// C, Zifencei, F, D, privilege, pmp64 and Svadu suites whose `check ISA` conditions an
// RV64IMAFDCSU_Zicsr_Zifencei_Svadu hart meets (Sv39 only: not the Svadu tests for Sv48 and Sv57) is
// built by the cross gcc with the suite's env/ and a model of our own (below: HTIF halt through `tohost`,
// the signature between begin_signature and end_signature), with the macros its RVTEST_CASE line defines;
// then
//   (a) `rvx run --signature` of gcc's ELF must write Spike's signature of that ELF;
//   (b) the preprocessed source assembled by `rvx asm -c --compat gnu` and linked by `rvx ld -T` must give
//       the same signature (the assembler and linker standing in for GNU's);
//   (c) in rvx's default (LLVM) mode the code can differ in size, and some tests record code addresses,
//       so that ELF is run by Spike and by rvx and their signatures must agree.
// Left out: the tests for misaligned loads and stores that expect hardware support
// (`hw_data_misaligned_support:=True`): rvx carries misaligned accesses out (the privileged spec allows
// either) while Spike traps, so the reference would describe another platform. Needs the cross gcc and
// Spike (RVX_SPIKE or `spike` on PATH); skipped with a message otherwise.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as asmMain } from '../tools/commands/asm.js';
import { main as ldMain } from '../tools/commands/ld.js';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';
import { spikePath } from './helpers/fp-diff.js';
import { GCC } from './helpers/heldout.js';

const ROOT = process.env.RVX_ARCH_TEST ?? '';
const SUITE = join(ROOT, 'riscv-test-suite');
const SPIKE = spikePath();
const ISA = 'RV64IMAFDCSUZicsr_Zifencei_Svadu';
const MARCH = 'rv64imafdc_zicsr_zifencei';
/** Spike's --isa: MARCH and Svadu (menvcfg.ADUE; gcc 12 does not know the name). */
const SPIKE_ISA = `${MARCH}_svadu`;
const SUITES = ['I', 'M', 'A', 'C', 'Zifencei', 'F', 'D', 'privilege', 'pmp64', 'Svadu'];
// rvx translates with Sv39 only (satp's WARL mode field keeps Bare for Sv48/Sv57); this Spike has those too.
const NOT_THIS_HART = new Set(['Svadu/svadu_sv48', 'Svadu/svadu_sv57']);

function ready(): boolean {
  if (!ROOT) return false;
  const why = !existsSync(join(SUITE, 'env', 'arch_test.h'))
    ? `no riscv-test-suite/env/arch_test.h under ${ROOT}`
    : spawnSync(GCC, ['--version']).status !== 0
      ? `no ${GCC}`
      : !SPIKE
        ? 'no spike (set RVX_SPIKE or put spike on PATH)'
        : '';
  if (why) console.warn(`heldout-arch-test: skipped (${why})`);
  return why === '';
}
const READY = ready();

// The model: what a target supplies to the suite (RVMODEL_*). HTIF: the test halts by writing 1 to tohost.
const MODEL_TEST_H = `#ifndef _COMPLIANCE_MODEL_H
#define _COMPLIANCE_MODEL_H
#define RVMODEL_DATA_SECTION .pushsection .tohost,"aw",@progbits; .align 8; .global tohost; tohost: .dword 0; \\
  .align 8; .global fromhost; fromhost: .dword 0; .popsection;
#define RVMODEL_HALT li x1, 1; 1: sw x1, tohost, t2; j 1b;
#define RVMODEL_BOOT
#define RVMODEL_DATA_BEGIN RVMODEL_DATA_SECTION .align 4; .global begin_signature; begin_signature:
#define RVMODEL_DATA_END .align 4; .global end_signature; end_signature:
#define RVMODEL_IO_INIT
#define RVMODEL_IO_WRITE_STR(_R, _STR)
#define RVMODEL_IO_CHECK()
#define RVMODEL_IO_ASSERT_GPR_EQ(_S, _R, _I)
#define RVMODEL_IO_ASSERT_SFPR_EQ(_F, _R, _I)
#define RVMODEL_IO_ASSERT_DFPR_EQ(_D, _R, _I)
#define RVMODEL_SET_MSW_INT li t1, 1; li t2, 0x2000000; sw t1, 0(t2);
#define RVMODEL_CLEAR_MSW_INT li t2, 0x2000000; sw x0, 0(t2);
#define RVMODEL_CLEAR_MTIMER_INT
#define RVMODEL_CLEAR_MEXT_INT
#endif
`;
const LINK_LD = `OUTPUT_ARCH("riscv")
ENTRY(rvtest_entry_point)
SECTIONS
{
  . = 0x80000000;
  .text.init : { *(.text.init) }
  . = ALIGN(0x1000);
  .tohost : { *(.tohost) }
  . = ALIGN(0x1000);
  .text : { *(.text) }
  . = ALIGN(0x1000);
  .data : { *(.data) }
  .data.string : { *(.data.string) }
  .bss : { *(.bss) }
  _end = .;
}
`;

interface ArchTest {
  name: string;
  file: string;
  defs: string[];
}

/** The test's first RVTEST_CASE this hart meets: its `def NAME=VALUE` macros; null if none applies. */
function applicable(file: string): string[] | null {
  const text = readFileSync(file, 'latin1');
  for (const m of text.matchAll(/RVTEST_CASE\(\s*\d+\s*,\s*"([^"]*)"/g)) {
    const conds = m[1];
    // Matched from the ISA string's start, as RISCOF matches them (Python's re.match).
    const isaOk = [...conds.matchAll(/check ISA:=regex\(([^)]*)\)/g)].every((r) => new RegExp(`^(?:${r[1]})`).test(ISA));
    // rvx's platform carries misaligned accesses out: a case for a hart that traps them does not apply, and
    // one for hardware support is left out (Spike's signature would be of a trapping hart).
    if (!isaOk || /hw_data_misaligned_support:=False/.test(conds)) continue;
    if (/hw_data_misaligned_support:=True/.test(conds)) return null;
    return [...conds.matchAll(/def (\w+)=(\w+)/g)].map((d) => `-D${d[1]}=${d[2]}`);
  }
  return null;
}

function tests(): ArchTest[] {
  if (!READY) return [];
  const out: ArchTest[] = [];
  for (const s of SUITES) {
    const dir = join(SUITE, 'rv64i_m', s, 'src');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.S')).sort()) {
      const defs = applicable(join(dir, f));
      const name = `${s}/${f.slice(0, -2)}`;
      if (defs && !NOT_THIS_HART.has(name)) out.push({ name, file: join(dir, f), defs });
    }
  }
  return out;
}

const TESTS = tests();
const WORK = READY ? mkdtempSync(join(tmpdir(), 'rvx-arch-')) : '';
if (READY) {
  mkdirSync(join(WORK, 'model'));
  writeFileSync(join(WORK, 'model', 'model_test.h'), MODEL_TEST_H);
  writeFileSync(join(WORK, 'model', 'link.ld'), LINK_LD);
}

/** Run a tool to completion without blocking the worker (vitest's RPC times out behind a long spawnSync). */
function must(cmd: string, args: string[], timeout = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

async function spikeSignature(elf: string, sig: string): Promise<string> {
  await must(SPIKE!, [`--isa=${SPIKE_ISA}`, `+signature=${sig}`, '+signature-granularity=4', elf], 300_000);
  return readFileSync(sig, 'latin1');
}

async function rvxSignature(elf: string, sig: string): Promise<string> {
  const r = await captureMain(runMain, ['--max-insns', '200000000', '--signature', sig, elf]);
  expect([r.code, r.stderr], elf).toEqual([0, '']);
  return readFileSync(sig, 'latin1');
}

async function rvxBuild(src: string, out: string, compat: string[]): Promise<void> {
  const obj = `${out}.o`;
  const a = await captureMain(asmMain, ['-c', '--march', 'rv64imafdc', ...compat, src, '-o', obj]);
  expect([a.code, a.stderr], src).toEqual([0, '']);
  const l = await captureMain(ldMain, ['-T', join(WORK, 'model', 'link.ld'), obj, '-o', out]);
  expect([l.code, l.stderr], obj).toEqual([0, '']);
}

describe.skipIf(!READY)('riscv-arch-test (rv64i_m) against Spike', () => {
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));
  it('finds the suites', () => {
    expect(TESTS.length, `no applicable tests under ${SUITE}`).toBeGreaterThan(100);
  });
  for (const t of TESTS) {
    it(t.name, { timeout: 600_000 }, async () => {
      const base = join(WORK, t.name.replace('/', '-'));
      const env = join(SUITE, 'env');
      const flags = ['-DXLEN=64', '-DFLEN=64', ...t.defs, '-I', env, '-I', join(WORK, 'model')];
      await must(GCC, [`-march=${MARCH}`, '-mabi=lp64d', '-static', '-mcmodel=medany', '-nostdlib', '-nostartfiles', '-T', join(WORK, 'model', 'link.ld'), ...flags, t.file, '-o', `${base}.gcc.elf`]);
      const ref = await spikeSignature(`${base}.gcc.elf`, `${base}.ref.sig`);
      expect(ref.length, 'an empty reference signature').toBeGreaterThan(0);
      // (a) the emulator
      expect(await rvxSignature(`${base}.gcc.elf`, `${base}.a.sig`), 'rvx run of the gcc-built ELF').toBe(ref);
      // (b) the assembler and linker in GNU's place
      await must(GCC, [`-march=${MARCH}`, '-mabi=lp64d', '-E', ...flags, t.file, '-o', `${base}.s`]);
      await rvxBuild(`${base}.s`, `${base}.gnu.elf`, ['--compat', 'gnu']);
      expect(await rvxSignature(`${base}.gnu.elf`, `${base}.b.sig`), 'rvx asm --compat gnu + rvx ld').toBe(ref);
      // (c) rvx's own choices: Spike and rvx agree on that ELF
      await rvxBuild(`${base}.s`, `${base}.llvm.elf`, []);
      expect(await rvxSignature(`${base}.llvm.elf`, `${base}.c.sig`), 'rvx asm (default mode) + rvx ld').toBe(await spikeSignature(`${base}.llvm.elf`, `${base}.c.ref.sig`));
    });
  }
});

describe.skipIf(!!ROOT)('riscv-arch-test', () => {
  it.skip('set RVX_ARCH_TEST to a riscv-arch-test checkout (with the cross gcc and Spike) to run its rv64i_m suites', () => {});
});
