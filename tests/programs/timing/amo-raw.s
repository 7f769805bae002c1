# AMO right behind a store to its word (one instruction between): nacked and replayed like a load.
        .include "calib.inc"
        CAL_BEGIN
        la a3, word
        ld t0, 0(a3)
        li s0, 100
        li a2, 1
1:
        .if 3 == 1
        amoadd.d a0, a2, (a3)
        .endif
        .if 3 == 2
        ld a0, 0(a3)
        .endif
        .if 3 == 3
        sd a2, 0(a3)
        li a1, 5
        amoadd.d a0, a2, (a3)
        .endif
        .if 3 == 4
        amoadd.d a0, a2, (a3)
        nop
        nop
        nop
        ld a4, 0(a3)
        .endif
        nop
        nop
        nop
        nop
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .data
        .balign 64
word:   .dword 0
