# sfence.vma of an unrelated page in a loop (no walks follow): the redirect's cost. Fits sfencePenalty.
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
