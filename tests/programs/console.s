# HTIF console (Spike's device 1 "bcd", command 1 = putchar): each character is sent as
# tohost = (1 << 56) | (1 << 48) | ch; the host takes it, clears tohost and answers in fromhost, which
# the program clears before the next request. Prints one line, then passes.
        .include "rvtest.inc"

        RVTEST_BEGIN
        la s0, message
        la s1, tohost
        la s2, fromhost
        li s3, (1 << 56) | (1 << 48)
1:      lbu a0, 0(s0)
        beqz a0, 3f
        or t0, s3, a0
        sd t0, 0(s1)
2:      ld t0, 0(s1)                    # wait for the host to take it
        bnez t0, 2b
        sd zero, 0(s2)
        addi s0, s0, 1
        j 1b
3:      li gp, 2
        RVTEST_END

        .section .rodata
message:
        .asciz "hello from the rvx console\n"
