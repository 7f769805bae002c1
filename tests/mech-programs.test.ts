// The IPC-mechanism test programs (tests/programs/mech/*.s, docs/mechanisms.md) assembled by rvx's
// assembler and run with the extensions attached (`--ext`): each ends through HTIF with 0 (pass) or the
// number of the failing check. Without an extension its encodings and CSRs are illegal instructions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { parseExtList, type Mechanism } from '../emulator/mech/hook.js';
import { createCoreModel } from '../emulator/timing/index.js';
import { buildXpcProgram } from './programs/xpc/build.js';

function source(file: string): string {
  return readFileSync(new URL(`./programs/mech/${file}`, import.meta.url), 'utf8');
}

function run(file: string, ext: Mechanism[], observed = false, text = source(file)): ReturnType<Machine['run']> {
  const m = new Machine({ stdout: () => {}, ext });
  m.load(buildXpcProgram(file, text).program);
  if (!observed) return m.run(2_000_000);
  return m.run(2_000_000, createCoreModel('rocket', m).observer!);
}

describe('mechanism programs', () => {
  for (const [file, ext] of [['gate.s', ['gate']], ['asl.s', ['asl']], ['pkey.s', ['pkey']]] as [string, Mechanism[]][]) {
    it(`${file} passes`, () => {
      expect(run(file, ext)).toEqual({ reason: 'exit', code: 0 });
    });
    it(`${file} passes when observed by the timing model`, () => {
      expect(run(file, ext, true)).toEqual({ reason: 'exit', code: 0 });
    });
    it(`${file} fails at its first extension instruction or CSR without --ext`, () => {
      const r = run(file, ['xpc']);
      expect(r.reason).toBe('exit');
      if (r.reason === 'exit') expect(r.code).not.toBe(0);
    });
  }

  it('gcall, gret, gfill, gflush, aslswitch are illegal without their extension; medeleg takes their causes only with it', () => {
    const lines = ['        .include "rvtest.inc"', '        RVTEST_BEGIN'];
    ['gcall a0', 'gret', 'gfill a1', 'gflush a2', 'aslswitch a0, a1'].forEach((insn, i) => {
      lines.push(`        EXPECT_TRAP ${10 + 3 * i}, 1f, 3`, `f${i}:     ${insn}`, '        j rvtest_fail',
        `1:      CHECK_TRAP ${11 + 3 * i}, CAUSE_ILLEGAL, 3, f${i}`, `        LOAD_INSN t0, f${i}`, `        CHECK_TVAL ${12 + 3 * i}, t0`);
    });
    lines.push('        li t0, -1', '        csrw medeleg, t0', '        csrr t0, medeleg', '        srli t0, t0, 29', '        CHECK 40, t0, 0', '        RVTEST_END', '');
    const m = new Machine({ stdout: () => {}, ext: ['xpc'] });
    m.load(buildXpcProgram('none.s', lines.join('\n')).program);
    expect(m.run(100_000)).toEqual({ reason: 'exit', code: 0 });
    const g = new Machine({ stdout: () => {}, ext: ['gate', 'asl'] });
    g.hart.csrWrite(0x302, -1n);
    expect((g.readCsr(0x302) >> 29n) & 7n).toBe(7n);
    expect((g.readCsr(0x301) >> 23n) & 1n).toBe(1n); // misa.X
  });

  it('--ext lists parse; unknown names are refused with the known ones', () => {
    expect(parseExtList('xpc,gate, asl,pkey')).toEqual(['xpc', 'gate', 'asl', 'pkey']);
    expect(parseExtList('none')).toEqual([]);
    expect(() => parseExtList('xpc,pkeys')).toThrow(/unknown extension 'pkeys'.*xpc, gate, pkey, asl/);
  });
});
