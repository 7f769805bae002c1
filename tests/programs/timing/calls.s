# Recursion: a naive fib(14) (calls, returns deeper than the RAS, stack loads and stores).
        .include "calib.inc"
        CAL_BEGIN
        li a0, 14
        call fib
        CAL_END
fib:    li t0, 2
        blt a0, t0, 1f
        addi sp, sp, -32
        sd ra, 24(sp)
        sd s0, 16(sp)
        sd s1, 8(sp)
        mv s0, a0
        addi a0, a0, -1
        call fib
        mv s1, a0
        addi a0, s0, -2
        call fib
        add a0, a0, s1
        ld ra, 24(sp)
        ld s0, 16(sp)
        ld s1, 8(sp)
        addi sp, sp, 32
1:      ret
