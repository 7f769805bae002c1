# D-cache refills: loads and stores that each touch a new 64-byte line of a 32 KiB array (twice the
# D-cache), then a second pass over the array (capacity misses), then dependent loads down the lines.
        .include "calib.inc"
        CAL_BEGIN
        la a0, buf
        li a1, 512                  # 32 KiB / 64
        mv a2, a0
1:      ld t0, 0(a2)                # one load per line
        addi a2, a2, 64
        addi a1, a1, -1
        bnez a1, 1b
        li a1, 512
        mv a2, a0
2:      sd a1, 8(a2)                # one store per line
        addi a2, a2, 64
        addi a1, a1, -1
        bnez a1, 2b
        li a1, 256                  # every word of the first 16 lines ... 256 lines
        mv a2, a0
3:      ld t0, 0(a2)
        ld t1, 8(a2)
        add t0, t0, t1
        sd t0, 16(a2)
        ld t2, 24(a2)
        add t0, t0, t2
        sd t0, 32(a2)
        addi a2, a2, 64
        addi a1, a1, -1
        bnez a1, 3b
        CAL_END
        .bss
        .balign 64
buf:    .skip 32768
