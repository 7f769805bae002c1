// Comparing two machines that ran the same program (the tiers' lockstep tests): registers, pc,
// privilege, CSRs, counters and every byte of RAM and of the register/hot-CSR area.

import type { Machine } from '../../emulator/machine.js';
import * as L from '../../emulator/layout.js';

export const CSRS = [
  0x100, 0x104, 0x105, 0x106, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0x300, 0x301, 0x302, 0x303, 0x304,
  0x305, 0x306, 0x30a, 0x10a, 0x320, 0x340, 0x341, 0x342, 0x343, 0x344, 0xb00, 0xb02, 0xc00, 0xc01, 0xc02,
  0x3a0, 0x3a2, ...Array.from({ length: 16 }, (_, i) => 0x3b0 + i),
];

/** What differs between a and b (empty: nothing). */
export function differences(a: Machine, b: Machine): string[] {
  const out: string[] = [];
  if (a.pc !== b.pc) out.push(`pc 0x${a.pc.toString(16)} vs 0x${b.pc.toString(16)}`);
  if (a.priv !== b.priv) out.push(`priv ${a.priv} vs ${b.priv}`);
  for (let r = 1; r < 32; r++) {
    if (a.getReg(r) !== b.getReg(r)) out.push(`x${r} 0x${a.getReg(r).toString(16)} vs 0x${b.getReg(r).toString(16)}`);
  }
  for (const n of CSRS) {
    const va = a.readCsr(n), vb = b.readCsr(n);
    if (va !== vb) out.push(`csr 0x${n.toString(16)} 0x${va.toString(16)} vs 0x${vb.toString(16)}`);
  }
  const sa = a.stats, sb = b.stats;
  for (const k of ['instret', 'cycles', 'traps', 'interrupts', 'idleSteps'] as const) {
    if (sa[k] !== sb[k]) out.push(`${k} ${sa[k]} vs ${sb[k]}`);
  }
  const ma = a.hart.m8, mb = b.hart.m8;
  // Registers, pc/counter words and hot CSRs, then boot ROM and RAM (not the x0 sink slot, TLBs, the tier's
  // cache, or what lies between the ROM page and RAM: profiling counters and a cycle model's state and plans).
  const regions: [number, number][] = [[0, 8 * L.X0_SINK], [8 * L.X0_SINK + 8, L.TLB_TAG_OFF], [L.ROM_OFF, L.ROM_OFF + 4096], [L.RAM_OFF, ma.length]];
  for (const [from, to] of regions) {
    if (Buffer.compare(ma.subarray(from, to), mb.subarray(from, to)) !== 0) {
      let i = from;
      while (ma[i] === mb[i]) i++;
      out.push(`memory byte at offset 0x${i.toString(16)}: 0x${ma[i].toString(16)} vs 0x${mb[i].toString(16)}`);
    }
  }
  return out;
}

