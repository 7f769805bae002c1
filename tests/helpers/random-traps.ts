// Test helper: random trap-delegation programs for differential runs against QEMU. medeleg gets a random
// subset of the delegable exceptions; a body in S or U mode (Sv39 on, the U body runs from a user alias)
// raises random exceptions: ecall, illegal instructions, loads, stores and fetches through test pages with
// random permissions, some mapped to a physical address where nothing lives (access faults). The M and S
// handlers both log (handler, cause, tval, epc, the status bits trap entry wrote) and skip the
// instruction; the log is printed through the HTIF console. Two machines that delegate alike print the
// same log.

import { Rng } from './random-program.js';
import { HTIF_SECTION, htifHexDump } from './htif-dump.js';

const OPS = 40;
/** Lines printed: 5 words per trap for up to 2 * OPS + 1 traps, and the trap count. */
export const RANDOM_TRAP_LINES = 5 * (2 * OPS + 1) + 1;

const DELEGABLE = [2, 5, 7, 8, 9, 12, 13, 15];

export function randomTrapProgram(seed: number): string {
  const rng = new Rng(seed);
  const user = rng.int(2) === 1;
  let medeleg = 0;
  for (const c of DELEGABLE) if (rng.int(2)) medeleg |= 1 << c;
  const out: string[] = [`# random delegation, seed ${seed}: ${user ? 'U' : 'S'} mode, medeleg=0x${medeleg.toString(16)}`,
    '        .globl _start', '_start:', PROLOGUE, `        li t0, ${medeleg}`, '        csrw medeleg, t0'];
  for (let i = 0; i < 8; i++) {
    // test page i: random permissions (A, D set), to page_a or to PA 0x40000000 (nothing there)
    let f = 0xc0 | (rng.int(6) ? 1 : 0) | (rng.int(2) ? 2 : 0) | (rng.int(2) ? 4 : 0) | (rng.int(2) ? 8 : 0) | (rng.int(2) ? 16 : 0);
    if ((f & 14) === 0) f |= 2;
    if (rng.int(4) === 0) out.push(`        li t0, ${(0x40000000 >>> 12) * 1024 + f}`);
    else out.push(`        la t0, page_a\n        srli t0, t0, 12\n        slli t0, t0, 10\n        ori t0, t0, ${f}`);
    out.push(`        sd t0, ${i * 8}(s1)`);
  }
  out.push('        sfence.vma', `        li t0, ${user ? 0 : 0x800}`, '        csrs mstatus, t0', '        la t0, body');
  if (user) out.push('        li t1, 0x40000000', '        add t0, t0, t1');
  out.push('        csrw mepc, t0', '        mret', '        .option push', '        .option norvc', 'body:');
  for (let n = 0; n < OPS; n++) {
    const va = 0x40000000 + rng.int(8) * 4096 + 8 * (1 + rng.int(500));
    switch (rng.int(6)) {
      case 0: out.push('        li a7, 0', '        ecall'); break;
      case 1: out.push(`        .word ${rng.pick(['0xffffffff', '0x0000007b', '0x00004073', '0x04b50533'])}`); break;
      case 2: out.push(`        li a1, ${va}`, '        ld a0, 0(a1)'); break;
      case 3: out.push(`        li a1, ${va}`, '        sd a0, 0(a1)'); break;
      case 4: out.push(`        li a1, ${va & ~0xfff}`, '        jalr ra, 0(a1)'); break;
      default: out.push(`        li a1, ${va}`, '        lw a0, 4(a1)'); break;
    }
  }
  out.push('        li a7, 0xdead', '        ecall', '        .option pop', EPILOGUE);
  return out.join('\n') + '\n';
}

const PROLOGUE = `
        la t0, 1f                       # PMP: all memory for S and U
        csrw mtvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        .balign 4
1:      la t0, mhandler
        csrw mtvec, t0
        la t0, shandler
        csrw stvec, t0
        la t0, page_a                   # page_a starts with "li a0, 42; ret"
        la t1, ret42
        lw t2, 0(t1)
        sw t2, 0(t0)
        lw t2, 4(t1)
        sw t2, 4(t0)
        fence.i
        la s0, pt_root
        la s2, pt_l1
        la s1, pt_l0
        li t0, (0x80000000 >> 12) << 10 | 0xcf      # root[2]: identity gigapage, S
        sd t0, 16(s0)
        li t0, (0x80000000 >> 12) << 10 | 0xdf      # root[3]: user alias
        sd t0, 24(s0)
        srli t0, s2, 12
        slli t0, t0, 10
        ori t0, t0, 1
        sd t0, 8(s0)
        srli t0, s1, 12
        slli t0, t0, 10
        ori t0, t0, 1
        sd t0, 0(s2)
        srli t0, s0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0`;

// Each handler: a7 = 0xdead on an ecall ends the body (print the log); else log and skip.
const EPILOGUE = `
        .balign 4
mhandler:
        csrr t0, mcause
        addi t2, t0, -8
        li t1, 2
        bgeu t2, t1, 1f                 # not an ecall from U or S
        li t1, 0xdead
        beq a7, t1, dump
1:      la t1, tcount
        ld t2, 0(t1)
        addi t3, t2, 1
        sd t3, 0(t1)
        li t3, 40
        mul t2, t2, t3
        la t1, tlog
        add t1, t1, t2
        li t3, 3
        sd t3, 0(t1)
        sd t0, 8(t1)
        csrr t3, mtval
        sd t3, 16(t1)
        csrr t3, mepc
        sd t3, 24(t1)
        csrr t3, mstatus
        li t2, 0x19aa                   # MPP, SPP, MPIE, SPIE, MIE, SIE
        and t3, t3, t2
        sd t3, 32(t1)
        li t1, 1
        beq t0, t1, 2f
        li t1, 12
        beq t0, t1, 2f
        csrr t1, mepc
        addi t1, t1, 4
        csrw mepc, t1
        mret
2:      csrw mepc, ra                   # a fetch fault: back to the jalr's return address
        mret

        .balign 4
shandler:
        csrr t0, scause
        addi t2, t0, -8
        li t1, 2
        bgeu t2, t1, 1f
        li t1, 0xdead
        beq a7, t1, dump
1:      la t1, tcount
        ld t2, 0(t1)
        addi t3, t2, 1
        sd t3, 0(t1)
        li t3, 40
        mul t2, t2, t3
        la t1, tlog
        add t1, t1, t2
        li t3, 1
        sd t3, 0(t1)
        sd t0, 8(t1)
        csrr t3, stval
        sd t3, 16(t1)
        csrr t3, sepc
        sd t3, 24(t1)
        csrr t3, sstatus
        andi t3, t3, 0x122              # SPP, SPIE, SIE
        sd t3, 32(t1)
        li t1, 1
        beq t0, t1, 2f
        li t1, 12
        beq t0, t1, 2f
        csrr t1, sepc
        addi t1, t1, 4
        csrw sepc, t1
        sret
2:      csrw sepc, ra
        sret

dump:   ${htifHexDump('tlog', `5 * (2 * ${OPS} + 1) + 1`)}

ret42:  li a0, 42
        ret

        .data
        .balign 8
tlog:   .space 40 * (2 * ${OPS} + 1)
tcount: .dword 0
        .balign 4096
page_a: .space 4096
        .bss
        .balign 4096
pt_root: .space 4096
pt_l1:   .space 4096
pt_l0:   .space 4096

${HTIF_SECTION}`;
