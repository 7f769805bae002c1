# I-cache refills of straight-line compressed code: 8 KiB of c.addi run once; the front end fetches
# 4 bytes (two instructions) a cycle into its queue, so part of each refill is hidden. Fits fetchQueueBytes.
        .include "calib.inc"
        CAL_BEGIN
        li s0, 1
        li a0, 0
        j loop
        .balign 64
loop:
        .rept 4096
        addi a0, a0, 1
        .endr
        CAL_END
