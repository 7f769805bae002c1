# sfence.vma (all) then a load through a 4 KiB page: the I-TLB refill of the code's superpage and a
# three-level D-TLB walk after every flush (a known gap: the model is about 12% short here).
        .include "calib.inc"
        CAL_BEGIN
        CAL_SV39_TABLES
        CAL_MAP_PAGES
        CAL_ENTER_S
2:      sfence.vma
        li a1, 0x1000
        li a2, 16
        li a3, 4096
smode:  li s0, 30
        li a1, 0x1000
        li a3, 0x2000
2:
        .if 1 == 1
        sfence.vma
        ld t0, 0(a1)
        .endif
        .if 1 == 2
        sfence.vma
        .endif
        .if 1 == 3
        sfence.vma a1
        ld t0, 0(a1)
        .endif
        .if 1 == 4
        sfence.vma
        ld t0, 0(a1)
        ld t1, 0(a3)
        .endif
        .if 1 == 5
        sfence.vma a1
        sfence.vma a3
        ld t0, 0(a1)
        ld t1, 0(a3)
        .endif
        addi s0, s0, -1
        bnez s0, 2b
        CAL_END
        .data
        .balign 4096
root:   .zero 4096
pt1:    .zero 4096
pt2:    .zero 4096
pages:  .zero 16*4096
