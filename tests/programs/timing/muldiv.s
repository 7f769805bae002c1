# Multiplier and divider: dependent and independent multiplies with small and large operands (Rocket's
# iterative multiplier stops early on small multipliers), mulw, mulh, and divides of several widths.
        .include "calib.inc"
        CAL_BEGIN
        li s0, 200
        li a0, 3
        li a1, 0x123456789abcdef
        li a2, 7
1:      mul t0, a1, a2              # small multiplier
        add t0, t0, a0
        mul t1, a1, a1              # large multiplier
        add t1, t1, t0
        mulw t2, a1, a1
        mulh t3, a1, a1
        mul t4, a2, a0              # independent of the next
        addi t5, a0, 1
        addi t6, a0, 2
        add t4, t4, t5
        divu t0, a1, a2
        add t0, t0, t0
        divw t1, a1, a0
        remu t2, a2, a0
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
