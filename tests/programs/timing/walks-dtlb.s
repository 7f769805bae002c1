# D-TLB misses without sfence.vma: 64 pages 16 KiB apart (one TLB sector each), all mapped to one
# physical page, 3 passes: each load walks (two PTE-cache hits and the leaf PTE in the D-cache).
        .include "calib.inc"
        CAL_BEGIN
        CAL_SV39_TABLES
        la t4, pages
        srli t2, t4, 12
        slli t2, t2, 10
        ori t2, t2, 0xc7            # V R W A D, every pt2 entry -> the same page
        li t5, 512
        mv t6, t3
1:      sd t2, 0(t6)
        addi t6, t6, 8
        addi t5, t5, -1
        bnez t5, 1b
        CAL_ENTER_S
2:      sfence.vma
        li a1, 0x1000
        li a2, 16
        li a3, 4096
smode:  li s0, 3
2:      li a1, 0
        li a2, 64
        lui a3, 4
3:
        ld t0, 0(a1)
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        addi t1, t1, 1
        add a1, a1, a3
        addi a2, a2, -1
        bnez a2, 3b
        addi s0, s0, -1
        bnez s0, 2b
        CAL_END
        .data
        .balign 4096
root:   .zero 4096
pt1:    .zero 4096
pt2:    .zero 4096
pages:  .zero 4096
