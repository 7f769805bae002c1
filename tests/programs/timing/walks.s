# Page walks: S mode under Sv39. Code and data sit in a 1 GiB identity superpage; 16 data pages are
# mapped with 4 KiB leaves (root -> pt1 -> pt2). Each round runs sfence.vma (both TLBs and the walker's
# PTE cache flushed), then loads from the 16 pages (16 D-TLB misses: a 3-level walk each, the second and
# later ones finding the non-leaf PTEs in the PTE cache), then touches 4 of them again (hits).
        .include "calib.inc"
        CAL_BEGIN
        CAL_SV39_TABLES
        CAL_MAP_PAGES
        CAL_ENTER_S
smode:  li s0, 20
2:      sfence.vma
        li a1, 0x1000
        li a2, 16
        li a3, 4096
3:      ld t0, 0(a1)
        add a1, a1, a3
        addi a2, a2, -1
        bnez a2, 3b
        li a1, 0x1000
        ld t0, 8(a1)
        ld t1, 16(a1)
        add a1, a1, a3
        ld t2, 8(a1)
        add a1, a1, a3
        ld t3, 8(a1)
        addi s0, s0, -1
        bnez s0, 2b
        CAL_END
        .data
        .balign 4096
root:   .zero 4096
pt1:    .zero 4096
pt2:    .zero 4096
pages:  .zero 16*4096
