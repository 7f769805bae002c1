# Loads and stores of every width (unprivileged spec ch. 2.6, 5.3): little-endian byte order, sign and
# zero extension, negative and positive offsets, stores writing exactly their width.
        .include "rvtest.inc"
        RVTEST_BEGIN

        la s0, pattern
        ld a0, 0(s0)
        CHECK 2, a0, 0x8182838485868788
        lw a0, 0(s0)
        CHECK 3, a0, 0xffffffff85868788
        lwu a0, 0(s0)
        CHECK 4, a0, 0x0000000085868788
        lw a0, 8(s0)
        CHECK 5, a0, 0x0000000071727374
        lh a0, 0(s0)
        CHECK 6, a0, 0xffffffffffff8788
        lhu a0, 0(s0)
        CHECK 7, a0, 0x0000000000008788
        lh a0, 8(s0)
        CHECK 8, a0, 0x0000000000007374
        lb a0, 0(s0)
        CHECK 9, a0, 0xffffffffffffff88
        lbu a0, 0(s0)
        CHECK 10, a0, 0x0000000000000088
        lb a0, 9(s0)
        CHECK 11, a0, 0x0000000000000073
        lbu a0, 7(s0)
        CHECK 12, a0, 0x0000000000000081
        lhu a0, 6(s0)
        CHECK 13, a0, 0x0000000000008182
        lwu a0, 4(s0)
        CHECK 14, a0, 0x0000000081828384
        ld a0, 8(s0)
        CHECK 15, a0, 0x0102030471727374

        # negative offsets from a base past the data
        addi s1, s0, 16
        ld a0, -16(s1)
        CHECK 16, a0, 0x8182838485868788
        lb a0, -1(s1)
        CHECK 17, a0, 0x0000000000000001
        lh a0, -10(s1)
        CHECK 18, a0, 0xffffffffffff8182
        # large offsets (12-bit signed immediate limits)
        la s2, buffer
        addi s3, s2, 2047
        addi s3, s3, 1                  # s3 = buffer + 2048
        li a1, 0x5a
        sb a1, -2048(s3)
        lbu a0, 0(s2)
        CHECK 19, a0, 0x5a
        sb a1, 2047(s2)
        lbu a0, -1(s3)
        CHECK 20, a0, 0x5a

        # stores write exactly their width
        la s2, buffer
        li a1, -1
        sd a1, 0(s2)
        sd a1, 8(s2)
        li a1, 0x1122334455667788
        sb a1, 0(s2)
        ld a0, 0(s2)
        CHECK 21, a0, 0xffffffffffffff88
        sh a1, 2(s2)
        ld a0, 0(s2)
        CHECK 22, a0, 0xffffffff7788ff88
        sw a1, 4(s2)
        ld a0, 0(s2)
        CHECK 23, a0, 0x556677887788ff88
        sd a1, 8(s2)
        ld a0, 8(s2)
        CHECK 24, a0, 0x1122334455667788
        ld a0, 0(s2)
        CHECK 25, a0, 0x556677887788ff88
        sh a1, 14(s2)
        lhu a0, 14(s2)
        CHECK 26, a0, 0x7788
        ld a0, 8(s2)
        CHECK 27, a0, 0x7788334455667788
        # byte order: sd then byte loads
        li a1, 0x0807060504030201
        sd a1, 16(s2)
        lbu a0, 16(s2)
        CHECK 28, a0, 1
        lbu a0, 23(s2)
        CHECK 29, a0, 8
        lhu a0, 18(s2)
        CHECK 30, a0, 0x0403
        lwu a0, 20(s2)
        CHECK 31, a0, 0x08070605

        # load into the base register itself; loads to x0 are still performed but discarded
        la a0, pattern
        ld a0, 0(a0)
        CHECK 32, a0, 0x8182838485868788
        la a1, pattern
        lw x0, 0(a1)
        CHECK 33, x0, 0

        # .bss starts zeroed
        la a1, zeroed
        ld a0, 0(a1)
        CHECK 34, a0, 0
        ld a0, 1024(a1)
        CHECK 35, a0, 0

        RVTEST_END

        .data
        .balign 8
pattern:
        .dword 0x8182838485868788
        .dword 0x0102030471727374
buffer:
        .space 4096

        .bss
        .balign 8
zeroed:
        .space 2048
