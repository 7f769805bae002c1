// Test helper: programs made of random instruction WORDS (not assembled mnemonics) from the opcode spaces
// that neither touch memory nor change control flow or CSRs: OP-IMM, OP, OP-IMM-32, OP-32, LUI, AUIPC,
// MISC-MEM (FENCE, FENCE.I) and the compressed register/immediate forms. Reserved and unused encodings are
// in there on purpose: the machine handler logs mcause and mtval of every trap and skips the instruction,
// so two machines that agree on which words are instructions (and on what they compute) print the same
// register file and trap log.

import { Rng } from './random-program.js';
import { HTIF_SECTION, htifHexDump } from './htif-dump.js';

const OPCODES32 = [0x13, 0x33, 0x1b, 0x3b, 0x37, 0x17, 0x0f];

/** A random 32-bit word in one of the opcode spaces above (bits 1:0 = 11). */
function word32(rng: Rng): number {
  const opcode = rng.pick(OPCODES32);
  let w = Number(rng.next64() & 0xffffff80n) | opcode;
  if (opcode === 0x0f) {
    // FENCE (funct3 0) and FENCE.I (1) only: funct3 2 is Zicbo*, which the reference may implement
    w = (w & ~0x7000) | (rng.int(2) << 12);
  }
  if (opcode === 0x33 || opcode === 0x3b || opcode === 0x13 || opcode === 0x1b) {
    // bias funct7 towards the defined values so that most words are real instructions
    const f7 = rng.pick([0x00, 0x00, 0x20, 0x01, rng.int(128)]);
    if (opcode === 0x33 || opcode === 0x3b || rng.int(2) === 0) w = (w & 0x01ffffff) | (f7 << 25);
  }
  return w >>> 0;
}

/**
 * A random 16-bit word among the compressed forms without memory access or control transfer:
 * quadrant 0 funct3 0 (c.addi4spn) and 1 (c.fld: not an instruction without D); quadrant 1 funct3 0-4
 * (c.addi, c.addiw, c.li, c.lui/c.addi16sp, the ALU group); quadrant 2 funct3 0 (c.slli), 1 (c.fldsp),
 * and 4 (c.mv/c.add; c.jr/c.jalr/c.ebreak are avoided).
 */
function word16(rng: Rng): number {
  for (;;) {
    const w = rng.int(0x10000);
    const q = w & 3;
    const f3 = w >> 13;
    if (q === 0 && f3 <= 1) return w;
    if (q === 1 && f3 <= 4) return w;
    if (q === 2 && (f3 === 0 || f3 === 1)) return w;
    if (q === 2 && f3 === 4) {
      const rs2 = (w >> 2) & 31;
      if (rs2 !== 0) return w; // c.mv / c.add (rs2 = 0 would be c.jr / c.jalr / c.ebreak)
    }
  }
}

/** Assembly text for random word program `seed`: `count` words, compressed ones when `rvc`. */
export function randomWordsProgram(seed: number, count: number, rvc: boolean): string {
  const rng = new Rng(seed);
  const out: string[] = [`# random instruction words, seed ${seed}`, '        .globl _start', '_start:',
    '        la t0, handler', '        csrw mtvec, t0'];
  for (let r = 1; r < 32; r++) out.push(`        li x${r}, ${rng.value()}`);
  out.push('        .option push', '        .option norvc');
  for (let i = 0; i < count; i++) {
    if (rvc && rng.int(3) === 0) out.push(`        .half 0x${word16(rng).toString(16)}`);
    else {
      const w = word32(rng);
      out.push(`        .half 0x${(w & 0xffff).toString(16)}, 0x${(w >>> 16).toString(16)}`);
    }
  }
  out.push('        .option pop', TAIL);
  return out.join('\n') + '\n';
}

const TAIL = `
        csrw mscratch, x1               # save all registers, then print them and the trap log
        la x1, regs
        .irp r, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd x\\r, (8 * \\r)(x1)
        .endr
        csrr x2, mscratch
        sd x2, 8(x1)
        # dump: x0..x31, 64 (cause, tval) pairs, the trap count
        ${htifHexDump('regs', `32 + 2 * 64 + 1`)}

        .balign 4
handler:                                # log (mcause, mtval), skip the 2- or 4-byte instruction
        csrw mscratch, t0
        la t0, save
        sd t1, 0(t0)
        sd t2, 8(t0)
        la t0, count
        ld t1, 0(t0)
        addi t2, t1, 1
        sd t2, 0(t0)
        li t2, 64
        bgeu t1, t2, 1f                 # log full: only count
        slli t1, t1, 4
        la t0, log
        add t0, t0, t1
        csrr t2, mcause
        sd t2, 0(t0)
        csrr t2, mtval
        sd t2, 8(t0)
1:      csrr t1, mepc
        lhu t2, 0(t1)
        andi t2, t2, 3
        addi t1, t1, 2
        li t0, 3
        bne t2, t0, 2f
        addi t1, t1, 2
2:      csrw mepc, t1
        la t0, save
        ld t1, 0(t0)
        ld t2, 8(t0)
        csrr t0, mscratch
        mret

        .data
        .balign 8
regs:   .space 8 * 32                   # x0..x31, then the log and the count, printed in one sweep
log:    .space 16 * 64
count:  .dword 0
save:   .dword 0, 0
${HTIF_SECTION}`;
