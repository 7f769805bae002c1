# Load-use and sub-word load latencies on warm lines: a pointer chase (ld -> ld), lw and lbu consumed
# at once, and the same loads with an independent instruction between load and use.
        .include "calib.inc"
        CAL_BEGIN
        la a0, ring
        li t0, 8                    # ring of 8 pointers, 16 bytes apart
        mv t1, a0
0:      addi t2, t1, 16
        sd t2, 0(t1)
        addi t1, t1, 16
        addi t0, t0, -1
        bnez t0, 0b
        sd a0, -16(t1)              # close the ring
        li s0, 400
        mv a1, a0
1:      ld a1, 0(a1)                # chase: each load waits for the last
        ld a1, 0(a1)
        lw t0, 8(a1)
        add t1, t0, t0
        lbu t2, 9(a1)
        add t1, t1, t2
        lh t3, 10(a1)
        addi t4, t3, 1
        lwu t5, 12(a1)
        addi t6, a0, 3
        add t5, t5, t6
        lb t3, 4(a1)
        addi t6, a0, 5
        addi t4, t6, 1
        add t3, t3, t4
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .data
        .balign 64
ring:   .skip 128
