# I-cache refills: 24 KiB of straight-line code run twice (the second pass misses again: the I-cache
# holds 16 KiB), with a few ALU dependences.
        .include "calib.inc"
        CAL_BEGIN
        li s0, 2
        li a0, 0
loop:
        .rept 6144
        addi a0, a0, 1
        .endr
        addi s0, s0, -1
        bnez s0, loop_far
        j done
loop_far:
        j loop
done:
        CAL_END
