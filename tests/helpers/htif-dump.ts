// Assembly shared by the random-program generators: print a block of dwords as hex lines on the HTIF
// console (device 1, command 1: one character per request, waiting for the host to take each), then
// end the run with a pass (tohost = 1). The host side parses those lines back into numbers.

/**
 * `count` dwords from `label`, one 16-digit hex line each. `count` is an assembler expression.
 * Clobbers s1-s7 and t0-t2; needs `tohost` and `fromhost`.
 */
export function htifHexDump(label: string, count: string): string {
  return `la s1, ${label}
        li s2, ${count}
        la s3, tohost
        la s4, fromhost
        li s5, (1 << 56) | (1 << 48)
1:      ld s6, 0(s1)
        li s7, 60
2:      srl t0, s6, s7
        andi t0, t0, 15
        addi t1, t0, '0'
        li t2, 10
        blt t0, t2, 3f
        addi t1, t0, 'a' - 10
3:      or t1, t1, s5
        sd t1, 0(s3)
4:      ld t1, 0(s3)
        bnez t1, 4b
        sd zero, 0(s4)
        addi s7, s7, -4
        bgez s7, 2b
        ori t1, s5, 10
        sd t1, 0(s3)
5:      ld t1, 0(s3)
        bnez t1, 5b
        sd zero, 0(s4)
        addi s1, s1, 8
        addi s2, s2, -1
        bnez s2, 1b
        li t0, 1
        sd t0, 0(s3)
6:      j 6b`;
}

/** The HTIF words, in their own section as riscv-tests place them. */
export const HTIF_SECTION = `
        .section .tohost, "aw", @progbits
        .balign 8
        .globl tohost
        .type tohost, @object
        .size tohost, 8
tohost: .dword 0
        .globl fromhost
        .type fromhost, @object
        .size fromhost, 8
fromhost: .dword 0`;
