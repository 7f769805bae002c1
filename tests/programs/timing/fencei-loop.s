# fence.i in a loop with a call to a line of its own: the I-cache refills after the flush, no stores.
        .include "calib.inc"
        CAL_BEGIN
        la s2, patched
        la s3, other
        li s0, 50
        li t0, 0x00008067
1:
        .if 2 == 1
        sw t0, 0(s2)
        .endif
        .if 2 == 3
        sw t0, 0(s3)
        .endif
        .if 2 == 4
        sw t0, 0(s2)
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        .endif
        fence.i
        call patched
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .text
        .balign 64
patched:
        ret
        .balign 64
        .data
        .balign 64
other:  .zero 64
