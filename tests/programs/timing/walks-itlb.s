# I-TLB misses without sfence.vma: a jump chain over 64 code pages 16 KiB apart, all mapped to one
# physical code page, 3 passes: each page's first fetch walks.
        .include "calib.inc"
        CAL_BEGIN
        CAL_SV39_TABLES
        la t4, codepage
        srli t2, t4, 12
        slli t2, t2, 10
        ori t2, t2, 0xcf            # V R W X A D, every pt2 entry -> the code page
        li t5, 512
        mv t6, t3
1:      sd t2, 0(t6)
        addi t6, t6, 8
        addi t5, t5, -1
        bnez t5, 1b
        fence.i
        CAL_ENTER_S
2:      sfence.vma
        li a1, 0x1000
        li a2, 16
        li a3, 4096
smode:  li s0, 3
        la s1, 4f
2:      li a1, 0
        li a2, 64
        li a3, 16384
        jr a1
4:      addi s0, s0, -1
        bnez s0, 2b
        CAL_END
        .text
        .balign 4096
codepage:
        add a1, a1, a3
        addi a2, a2, -1
        beqz a2, 5f
        jr a1
5:      jr s1
        .data
        .balign 4096
root:   .zero 4096
pt1:    .zero 4096
pt2:    .zero 4096
