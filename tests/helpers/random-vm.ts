// Test helper: random Sv39 permission programs for differential runs against QEMU. Sixteen 4 KiB test
// pages and three megapages get random PTEs (V, R, W, X, U, G, a reserved bit, pointer-at-leaf, misaligned
// megapage; A and D always set, because QEMU manages them in hardware where rvx follows Svade), mstatus
// gets random SUM and MXR, and a body in S or U mode (the U body runs from a user alias of the code) makes
// random loads, stores and fetches through them (no AMOs: QEMU 7.2 reports their faults as load faults). The M handler logs every fault (mcause, mtval) and
// skips it; the body logs every loaded value. Both logs are printed through the HTIF console.

import { Rng } from './random-program.js';
import { HTIF_SECTION, htifHexDump } from './htif-dump.js';

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_G = 32, PTE_A = 64, PTE_D = 128;
const OPS = 48;

function randomLeafFlags(rng: Rng): number {
  let f = PTE_A | PTE_D;
  if (rng.int(8) !== 0) f |= PTE_V;
  if (rng.int(2)) f |= PTE_R;
  if (rng.int(2)) f |= PTE_W;
  if (rng.int(2)) f |= PTE_X;
  if (rng.int(2)) f |= PTE_U;
  if (rng.int(4) === 0) f |= PTE_G;
  if ((f & (PTE_R | PTE_W | PTE_X)) === 0) f |= PTE_R; // keep most entries leaves
  return f;
}

/** Lines the program prints: OPS values, 2 * OPS (cause, tval) pairs, the fault count. */
export const RANDOM_VM_LINES = OPS + 4 * OPS + 1;

export function randomVmProgram(seed: number): string {
  const rng = new Rng(seed);
  const user = rng.int(2) === 1;
  const sum = rng.int(2), mxr = rng.int(2);
  const out: string[] = [`# random Sv39 permissions, seed ${seed}: ${user ? 'U' : 'S'} mode, SUM=${sum}, MXR=${mxr}`, '        .globl _start', '_start:', PROLOGUE];

  // 4 KiB test pages: pt_l0[i] for VA 0x40000000 + i * 4K
  const targets = ['page_a', 'page_b', 'vm_code'];
  for (let i = 0; i < 16; i++) {
    const kind = rng.int(10);
    const target = rng.pick(targets);
    let flags = randomLeafFlags(rng);
    let extra = '';
    if (kind === 0) flags = PTE_V; // a pointer where a leaf must be
    if (kind === 1) extra = '        li t1, 1 << 60\n        or t0, t0, t1\n'; // reserved bit
    out.push(`        la t0, ${target}\n        srli t0, t0, 12\n        slli t0, t0, 10\n        ori t0, t0, ${flags}\n${extra}        sd t0, ${i * 8}(s1)`);
  }
  // megapages: pt_l1[1..3] for VA 0x40200000 + (k - 1) * 2M, mapping PA 0x80000000 (or misaligned 0x80001000)
  for (let k = 1; k <= 3; k++) {
    const pa = rng.int(5) === 0 ? 0x80001000 : 0x80000000;
    out.push(`        li t0, ${(pa >>> 12) * 1024 + randomLeafFlags(rng)}\n        sd t0, ${k * 8}(s2)`);
  }
  out.push('        sfence.vma');
  out.push(`        li t0, ${(sum << 18) | (mxr << 19) | (user ? 0 : 1 << 11)}`, '        csrs mstatus, t0');
  out.push('        la t0, body');
  if (user) out.push('        li t1, 0x40000000', '        add t0, t0, t1');
  out.push('        csrw mepc, t0', '        mret', '', '        .option push', '        .option norvc', 'body:');

  for (let n = 0; n < OPS; n++) {
    const mega = rng.int(4) === 0;
    let va: bigint;
    let op = rng.int(6);
    // QEMU 7.2 caches execute permission from an S-mode load of a U page made with SUM = 1 and then
    // lets S execute that page; the specification forbids it. Such fetches would only show that bug.
    if (op === 5 && !user && sum === 1) op = 0;
    if (op === 5) {
      // fetch: offset 0 of a test page, or vm_code through a megapage
      va = mega ? -1n : BigInt(0x40000000 + rng.int(16) * 4096);
    } else {
      const off = 8 + rng.int(500) * 8;
      va = mega ? -2n : BigInt(0x40000000 + rng.int(16) * 4096 + off);
      if (rng.int(16) === 0) va = 0x0000004000000000n + BigInt(off); // not canonical
    }
    if (va === -1n) {
      out.push(`        la a1, vm_code\n        li t1, 0x80000000\n        sub a1, a1, t1\n        li t1, ${0x40200000 + rng.int(3) * 0x200000}\n        add a1, a1, t1`);
    } else if (va === -2n) {
      out.push(`        la a1, ${rng.pick(['page_a', 'page_b'])}\n        li t1, 0x80000000\n        sub a1, a1, t1\n        li t1, ${0x40200000 + rng.int(3) * 0x200000 + 8 + rng.int(500) * 8}\n        add a1, a1, t1`);
    } else {
      out.push(`        li a1, ${va}`);
    }
    out.push(`        li a0, 0x5a5a5a5a00000000 + ${n}`, `        li a2, ${BigInt.asUintN(64, rng.next64())}`);
    switch (op) {
      case 0: out.push('        ld a0, 0(a1)'); break;
      case 1: out.push('        lbu a0, 3(a1)'); break;
      case 2: out.push('        sd a2, 0(a1)', '        ld a0, 0(a1)'); break;
      case 3: out.push('        sw a2, 4(a1)'); break;
      case 4: out.push('        lw a0, 4(a1)'); break; // (AMOs: QEMU 7.2 reports their page faults as load faults)
      default: out.push('        jalr ra, 0(a1)'); break;
    }
    out.push('        la t0, vlog', `        sd a0, ${n * 8}(t0)`);
  }
  out.push('        ecall', '        .option pop', EPILOGUE);
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
1:      la t0, handler
        csrw mtvec, t0
        la t0, page_a                   # page_a / page_b start with "li a0, 42; ret" too
        la t1, vm_code
        lw t2, 0(t1)
        sw t2, 0(t0)
        lw t2, 4(t1)
        sw t2, 4(t0)
        la t0, page_b
        lw t2, 0(t1)
        sw t2, 0(t0)
        lw t2, 4(t1)
        sw t2, 4(t0)
        fence.i
        la s0, pt_root
        la s2, pt_l1
        la s1, pt_l0
        li t0, (0x80000000 >> 12) << 10 | 0xcf      # root[2]: identity gigapage, S, RWX, A, D
        sd t0, 16(s0)
        li t0, (0x80000000 >> 12) << 10 | 0xdf      # root[3]: the same with U (the user alias)
        sd t0, 24(s0)
        srli t0, s2, 12
        slli t0, t0, 10
        ori t0, t0, 1
        sd t0, 8(s0)                    # root[1] -> pt_l1
        srli t0, s1, 12
        slli t0, t0, 10
        ori t0, t0, 1
        sd t0, 0(s2)                    # pt_l1[0] -> pt_l0
        srli t0, s0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0`;

const EPILOGUE = `
        .balign 4
handler:                                # ecall: the body is over; a fault: log it and skip
        csrr t0, mcause
        li t1, 8
        beq t0, t1, dump
        li t1, 9
        beq t0, t1, dump
        la t1, tcount
        ld t2, 0(t1)
        addi t3, t2, 1
        sd t3, 0(t1)
        slli t2, t2, 4
        la t1, tlog
        add t1, t1, t2
        sd t0, 0(t1)
        csrr t3, mtval
        sd t3, 8(t1)
        li t1, 1                        # fetch faults: back to the jalr's return address
        beq t0, t1, 1f
        li t1, 12
        beq t0, t1, 1f
        csrr t1, mepc
        addi t1, t1, 4
        csrw mepc, t1
        mret
1:      csrw mepc, ra
        mret

dump:   ${htifHexDump('vlog', `${OPS} + 4 * ${OPS} + 1`)}

        .balign 4096
vm_code:
        li a0, 42
        ret
        .balign 4096

        .data
        .balign 8
vlog:   .space 8 * ${OPS}
tlog:   .space 32 * ${OPS}                   # up to two faults per operation
tcount: .dword 0
        .balign 4096
page_a: .space 4096
page_b: .space 4096
        .bss
        .balign 4096
pt_root: .space 4096
pt_l1:   .space 4096
pt_l0:   .space 4096

${HTIF_SECTION}`;
