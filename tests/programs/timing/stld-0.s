# Store-to-load hazard: a load of the word the store just before it wrote (nacked, replayed).
# One mechanism in a loop (docs/cycle-model.md, Calibration; RTL cycles in tests/data/rocket-rtl.json).
        .include "calib.inc"
        CAL_BEGIN
        la a0, buf
        li s0, 400
        ld zero, 0(a0)
        ld zero, 64(a0)
        ld zero, 128(a0)
1:
        sd s0, 0(a0)
        ld t0, 0(a0)
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
        .data
        .balign 64
buf:    .zero 256
