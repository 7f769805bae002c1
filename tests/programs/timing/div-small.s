# Divider: 100 / 7 (early out) and its consumer.
# One mechanism in a loop (docs/cycle-model.md, Calibration; RTL cycles in tests/data/rocket-rtl.json).
        .include "calib.inc"
        CAL_BEGIN
        li s0, 200
        li a1, 100
        li a2, 7
1:      divu t0, a1, a2
        add t1, t0, t0
        addi s0, s0, -1
        bnez s0, 1b
        CAL_END
