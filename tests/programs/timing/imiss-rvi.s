# I-cache refills of straight-line 4-byte code (.option norvc): 8 KiB of addi run once, 128 line refills
# seen whole (the front end cannot run ahead of decode at 4 bytes a cycle). Fits icacheRefillExtra.
        .include "calib.inc"
        CAL_BEGIN
        li s0, 1
        li a0, 0
        .option norvc
        j loop
        .balign 64
loop:
        .rept 2048
        addi a0, a0, 1
        .endr
        CAL_END
