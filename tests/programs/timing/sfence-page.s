# sfence.vma of an unrelated page in a loop (no walks follow): the redirect's cost. Fits sfencePenalty.
        .include "calib.inc"
        CAL_BEGIN
        CAL_SV39_TABLES
        la t4, pages
        li t5, 16
        addi t6, t3, 8              # pt2[1..16]: VA 0x1000.. -> pages
1:      srli t2, t4, 12
        slli t2, t2, 10
        ori t2, t2, 0xc7            # V R W A D
        sd t2, 0(t6)
        addi t6, t6, 8
        li a0, 4096
        add t4, t4, a0
        addi t5, t5, -1
        bnez t5, 1b
        CAL_ENTER_S
2:      sfence.vma
        li a1, 0x1000
        li a2, 16
        li a3, 4096
smode:  li s0, 30
        li a1, 0x1000
        li a3, 0x5000
2:
        sfence.vma a3
        addi s0, s0, -1
        bnez s0, 2b
        CAL_END
        .data
        .balign 4096
root:   .zero 4096
pt1:    .zero 4096
pt2:    .zero 4096
pages:  .zero 16*4096
