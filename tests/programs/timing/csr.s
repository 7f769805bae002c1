# CSR instructions: reads of mscratch/mcycle/minstret consumed at once (Rocket cannot bypass a CSR
# result), writes that do not flush (mscratch), and writes that do (mstatus, mie).
        .include "calib.inc"
        CAL_BEGIN
        li s0, 300
1:      csrr t0, mscratch
        addi t0, t0, 1
        csrw mscratch, t0
        csrr t1, mcycle
        add t2, t1, t0
        csrr t3, minstret
        addi t4, t0, 1
        addi t5, t0, 2
        add t3, t3, t4
        csrs mstatus, zero
        csrw mie, zero
        csrrw t6, mscratch, t0
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
