# Stores followed by loads: same address at once (Rocket nacks the load and replays it), same address
# one instruction later, different lines, and byte stores into a word that is loaded back.
        .include "calib.inc"
        CAL_BEGIN
        la a0, buf
        li s0, 400
1:      sd s0, 0(a0)
        ld t0, 0(a0)                # right behind the store, same word
        sw t0, 8(a0)
        addi t1, t0, 1
        lw t2, 8(a0)                # one instruction between
        sb t1, 17(a0)
        ld t3, 16(a0)               # overlapping bytes
        sd t3, 64(a0)
        ld t4, 128(a0)              # different line
        add t5, t4, t3
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .data
        .balign 64
buf:    .skip 256
