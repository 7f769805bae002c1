// The load-time defence against the protection-key attack (docs/mechanisms.md §2.4): the inspector finds
// every pkr write in a domain's code — plain, hidden at a 2-byte offset inside other bytes, any CSR form —
// except in the kernel's gate range, and leaves reads alone. The attacking domains are assembled by rvx.
import { describe, expect, it } from 'vitest';
import { findPkrWrites, mayWritePkr } from '../kernel-images/pkey-inspect.js';
import { assemble } from '../tools/asm/index.js';

function text(src: string): { code: Uint8Array; sym: (n: string) => number } {
  const r = assemble([{ name: 'd.s', text: src }]);
  expect(r.diagnostics).toEqual([]);
  const t = r.image.sections.find((s) => s.name === '.text')!;
  const base = Number(r.symbols.get('start'));
  return { code: t.data, sym: (n) => Number(r.symbols.get(n)) - base };
}

describe('pkr-write inspection', () => {
  it('classifies the CSR forms: writes yes, reads and other CSRs no', () => {
    const { code } = text(`start:
      csrw pkr, a0
      csrrw zero, pkr, a0
      csrs pkr, a1
      csrc pkr, a1
      csrwi pkr, 0
      csrsi pkr, 1
      csrci pkr, 3
      csrr a0, pkr
      csrrs a0, pkr, zero
      csrrsi a0, pkr, 0
      csrw sscratch, a0
    `);
    const words = Array.from({ length: code.length / 4 }, (_, i) => new DataView(code.buffer, code.byteOffset).getUint32(4 * i, true));
    expect(words.map(mayWritePkr)).toEqual([true, true, true, true, true, true, true, false, false, false, false]);
  });

  it('a clean domain passes; its gate (the kernel-provided range) may write pkr', () => {
    const { code, sym } = text(`start:
      csrr a0, pkr
      addi a0, a0, 1
      ret
    gate:
      csrw pkr, a1
      jr a2
    gate_end:
    `);
    expect(findPkrWrites(code.subarray(0, sym('gate')))).toEqual([]);
    expect(findPkrWrites(code, [[sym('gate'), sym('gate_end')]])).toEqual([]);
    expect(findPkrWrites(code).map((w) => w.offset)).toEqual([sym('gate')]);
  });

  it('the attack: a domain writing pkr itself at an arbitrary point is refused, wherever the bytes hide', () => {
    // csrw pkr, a0 is 0x80251073; hidden (1) as a plain instruction, (2) as a constant in the text that a
    // jump can reach, (3) emitted as two halfwords after a compressed instruction (2-byte aligned only).
    const { code, sym } = text(`start:
      c.nop
    plain:
      csrw pkr, a0
      j 1f
    hidden:
      .word 0x80251073
    1:
      c.nop
    straddle:
      .half 0x1073
      .half 0x8025
      ret
    `);
    expect(findPkrWrites(code).map((w) => w.offset)).toEqual([sym('plain'), sym('hidden'), sym('straddle')]);
    expect(sym('plain') % 4).toBe(2); // not 4-aligned: a 4-byte scan would miss it
  });
});
