# Branch prediction: a counted loop (BTB + BHT), an alternating branch, a branch that follows the
# previous branch's outcome (global history), a pseudo-random branch (LCG bit), calls and returns
# (RAS) and an indirect jump through a table.
        .include "calib.inc"
        CAL_BEGIN
        li s0, 600
        li s1, 12345                # LCG state
        li s2, 0
        la s3, table
1:      andi t0, s0, 1
        beqz t0, 2f                 # alternates
        addi s2, s2, 1
2:      li t1, 1103515245
        mul s1, s1, t1
        addi s1, s1, 1013
        srli t2, s1, 16
        andi t2, t2, 1
        beqz t2, 3f                 # random
        addi s2, s2, 3
3:      beqz t2, 4f                 # same outcome as the random one: global history predicts it
        addi s2, s2, 5
4:      li t3, 3
5:      addi t3, t3, -1             # inner loop of 3
        bnez t3, 5b
        call leaf
        andi t4, s0, 3
        slli t4, t4, 3
        add t4, t4, s3
        ld t5, 0(t4)
        jalr t5                     # indirect call, target cycles through 4
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
leaf:   addi s2, s2, 1
        ret
f0:     addi s2, s2, 2
        ret
f1:     addi s2, s2, 4
        ret
f2:     addi s2, s2, 6
        ret
f3:     addi s2, s2, 8
        ret
        .data
        .balign 8
table:  .dword f0, f1, f2, f3
