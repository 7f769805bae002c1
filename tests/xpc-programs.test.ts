// The XPC test programs (tests/programs/xpc/*.s) assembled by rvx's assembler and run on the machine
// with the XPC engine attached: each ends through HTIF with 1 (pass) or the number of the failing check.
// Also: without the engine, XPC encodings and CSRs are illegal instructions.
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { createCoreModel } from '../emulator/timing/index.js';
import { createXpcHook } from '../emulator/xpc/hook.js';
import { buildXpcProgram } from './programs/xpc/build.js';

/** Run a program; `observed` runs it under the rocket timing model (the hart's observed, slow path). */
function runXpc(file: string, xpc = true, observed = false): ReturnType<Machine['run']> {
  const { program } = buildXpcProgram(file);
  const m = new Machine({ stdout: () => {} });
  if (xpc) m.attachXpc(createXpcHook(m.hart));
  m.load(program);
  if (!observed) return m.run(2_000_000);
  const core = createCoreModel('rocket', m);
  return m.run(2_000_000, core.observer!);
}

describe('XPC programs on the machine', () => {
  for (const file of ['call.s', 'seg.s', 'faults.s']) {
    it(`${file} passes`, () => {
      expect(runXpc(file)).toEqual({ reason: 'exit', code: 0 });
    });
    it(`${file} passes when observed by the timing model`, () => {
      expect(runXpc(file, true, true)).toEqual({ reason: 'exit', code: 0 });
    });
  }

  it('without the engine, every XPC instruction is an illegal instruction with its bits in mtval; misa.X is clear', () => {
    const text = [
      '        .include "rvtest.inc"',
      '        RVTEST_BEGIN',
      ...['xcall a0', 'xret', 'swapseg a1', 'xprefetch a2'].flatMap((insn, i) => [
        `        EXPECT_TRAP ${10 + 4 * i}, 1f, 3`,
        `f${i}:     ${insn}`,
        '        j rvtest_fail',
        `1:      CHECK_TRAP ${11 + 4 * i}, CAUSE_ILLEGAL, 3, f${i}`,
        `        la t0, f${i}`,
        '        lwu t0, 0(t0)',
        `        CHECK_TVAL ${12 + 4 * i}, t0`,
      ]),
      '        csrr t0, misa',
      '        srli t0, t0, 23',
      '        andi t0, t0, 1',
      '        CHECK 40, t0, 0',
      '        RVTEST_END',
      '',
    ].join('\n');
    const { program } = buildXpcProgram('no-xpc.s', text);
    const m = new Machine({ stdout: () => {} });
    m.load(program);
    expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
    expect((m.readCsr(0x301) >> 23n) & 1n).toBe(0n);
    // MachineOptions.xpc attaches the engine: misa.X set.
    const x = new Machine({ stdout: () => {}, xpc: true });
    expect((x.readCsr(0x301) >> 23n) & 1n).toBe(1n);
    x.load(buildXpcProgram('call.s').program);
    expect(x.run(2_000_000)).toEqual({ reason: 'exit', code: 0 });
  });

  it('without the engine, the first XPC CSR access is an illegal instruction (the harness fails at once)', () => {
    const r = runXpc('call.s', false);
    // XPC_INIT's first `csrw xentry_base` traps; the harness expected no trap and reports failure.
    expect(r.reason).toBe('exit');
    if (r.reason === 'exit') expect(r.code).not.toBe(0);
  });
});
