# D-cache store refills: one store per line over 64 KiB; from the second 16 KiB on every victim is dirty.
# One mechanism in a loop (docs/cycle-model.md, Calibration; RTL cycles in tests/data/rocket-rtl.json).
        .include "calib.inc"
        CAL_BEGIN
        la a0, buf
        li a1, 512
        mv a2, a0
1:      sd t0, 0(a2)
        addi a2, a2, 64
        addi a1, a1, -1
        bnez a1, 1b
        li a1, 512
1:      sd t0, 0(a2)
        addi a2, a2, 64
        addi a1, a1, -1
        bnez a1, 1b
        CAL_END
        .bss
        .balign 64
buf:    .skip 65536
