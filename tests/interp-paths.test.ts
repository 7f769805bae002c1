// The interpreter's fast paths against the specs (unprivileged 20191213): branch conditions on both
// 32-bit halves, misaligned branch and jal targets without C (the decoder gives those their own
// opcodes), and jal/jalr links and targets across pages.

import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/index.js';
import type { RunResult } from '../emulator/types.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/load.js';

/** Run `body` with a trap handler that stores mcause/mtval/mepc in s9/s10/s11 and exits with 99. */
function run(body: string, isa = 'rv64imac'): { m: Machine; r: RunResult; sym: (n: string) => bigint } {
  const src = `
        .text
        .globl _start
_start:
        la t0, trap
        csrw mtvec, t0
${body}
        li t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
        .balign 4
trap:   csrr s9, mcause
        csrr s10, mtval
        csrr s11, mepc
        li t0, (99 << 1) | 1
        la t1, tohost
        sd t0, 0(t1)
2:      j 2b
        .data
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;
  const a = assemble([{ name: 't.s', text: src }], { march: isa });
  if (!a.ok) throw new Error(a.diagnostics.map(formatDiagnostic).join('\n'));
  const m = new Machine({ isa, ramMiB: 4 });
  m.load(toLoadable(a.image));
  const r = m.run(1_000_000);
  const sym = (n: string) => {
    const s = a.image.symbols.find((x) => x.name === n);
    if (!s) throw new Error(`no symbol ${n}`);
    return BigInt(s.value);
  };
  return { m, r, sym };
}

const A0 = 10, S9 = 25, S10 = 26, S11 = 27;

describe('branches compare all 64 bits', () => {
  const cases: [string, bigint, bigint, boolean][] = [
    ['beq', 0x100000000n, 0n, false], ['beq', -1n, -1n, true], ['bne', 0x100000000n, 0n, true],
    ['bne', 5n, 5n, false], ['blt', -0x100000000n, 0n, true], ['blt', 0x100000000n, 1n, false],
    ['blt', 3n, 0xffffffffn, true], ['bge', -1n, -1n, true], ['bge', -0x100000000n, 0xffffffffn, false],
    ['bltu', 0xffffffffn, 0x100000000n, true], ['bltu', -1n, 0n, false], ['bltu', 0x1_00000001n, 0x1_00000002n, true],
    ['bgeu', -1n, 0x7fffffffffffffffn, true], ['bgeu', 0x80000000n, 0x80000001n, false],
  ];
  for (const [op, a, b, taken] of cases) {
    it(`${op} ${a} ${b} is ${taken ? '' : 'not '}taken`, () => {
      const x = run(`
        li a1, ${a}
        li a2, ${b}
        li a0, 0
        ${op} a1, a2, 1f
        li a0, 1
1:`);
      expect(x.r).toEqual({ reason: 'exit', code: 0 });
      expect(x.m.getReg(A0)).toBe(taken ? 0n : 1n);
    });
  }
});

describe('without C, targets that are not 4-byte aligned', () => {
  for (const [op, taken] of [['beq', true], ['bne', false], ['bltu', false], ['bge', true]] as const) {
    it(`${op} ${taken ? 'taken raises instruction-address-misaligned on the branch' : 'not taken just retires'}`, () => {
      const x = run(`
        li a1, 7
        li a2, 7
        li a0, 0
br:     ${op} a1, a2, br + 6
        li a0, 1`, 'rv64ima');
      if (taken) {
        expect(x.r).toEqual({ reason: 'exit', code: 99 });
        expect(x.m.getReg(S9)).toBe(0n);
        expect(x.m.getReg(S10)).toBe(x.sym('br') + 6n);
        expect(x.m.getReg(S11)).toBe(x.sym('br'));
        expect(x.m.getReg(A0)).toBe(0n);
      } else {
        expect(x.r).toEqual({ reason: 'exit', code: 0 });
        expect(x.m.getReg(A0)).toBe(1n);
      }
    });
  }

  it('jal raises it on the jump and does not write rd', () => {
    const x = run(`
        li a0, 5
j1:     jal a0, j1 + 10
        nop
        nop
        nop`, 'rv64ima');
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    expect(x.m.getReg(S9)).toBe(0n);
    expect(x.m.getReg(S10)).toBe(x.sym('j1') + 10n);
    expect(x.m.getReg(S11)).toBe(x.sym('j1'));
    expect(x.m.getReg(A0)).toBe(5n);
  });

  it('the same encodings are fine with C', () => {
    const x = run(`
        li a0, 0
        beq zero, zero, 1f + 2
1:      .half 0x0001            # c.nop (skipped)
        c.addi a0, 1
        jal a1, 2f + 2
2:      .half 0x0001
        c.addi a0, 2`);
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(x.m.getReg(A0)).toBe(3n);
  });
});

describe('jumps across pages', () => {
  it('jal and jalr link the next instruction and land on other pages, forward and back', () => {
    const x = run(`
        li a0, 0
        call far1
        addi a0, a0, 100
        la t0, far2
        jalr ra, 0(t0)
        addi a0, a0, 1000
        j done
        .balign 4096
far1:   addi a0, a0, 1
        ret
        .balign 4096
        .space 4092
far2:   addi a0, a0, 10
        ret
done:`);
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(x.m.getReg(A0)).toBe(1111n);
  });
});
