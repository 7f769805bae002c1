# D-TLB misses without sfence.vma: 64 pages 16 KiB apart (one TLB sector each), all mapped to one
# physical page, 3 passes: each load walks (two PTE-cache hits and the leaf PTE in the D-cache).
        .include "calib.inc"
        CAL_BEGIN
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        la t0, root
        la t1, pt1
        srli t2, t1, 12
        slli t2, t2, 10
        ori t2, t2, 1
        sd t2, 0(t0)                # root[0] -> pt1
        li t2, 0x200000cf           # root[2]: 1 GiB identity superpage at 0x80000000
        sd t2, 16(t0)
        la t3, pt2
        srli t2, t3, 12
        slli t2, t2, 10
        ori t2, t2, 1
        sd t2, 0(t1)                # pt1[0] -> pt2
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
        srli t2, t0, 12
        li t5, 8
        slli t5, t5, 60
        or t2, t2, t5
        csrw satp, t2
        sfence.vma
        li t2, 1 << 11              # MPP = S
        csrw mstatus, t2
        la t2, smode
        csrw mepc, t2
        mret
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
