# Traps: ecall from M mode to a handler that returns with mret past the ecall, 200 times, then the same
# through S mode (mret to S, ecall from S).
        .include "calib.inc"
        CAL_BEGIN
        la t0, handler
        csrw mtvec, t0
        li s0, 200
1:      ecall
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .balign 4
handler:
        csrr t0, mepc
        addi t0, t0, 4
        csrw mepc, t0
        mret
