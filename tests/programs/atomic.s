# A extension (unprivileged spec ch. 8): every AMO in its .w and .d forms (rd gets the old value, the .w
# forms sign-extend it and operate on 32 bits, min/max signed vs unsigned), ordering-bit variants, and
# LR/SC: success returns 0 and writes, failure returns non-zero and does not write, the reservation is
# consumed by SC, and SC without a reservation fails.
        .include "rvtest.inc"

# AMO: mem starts at `init`, amo with `src`; check old value in rd and the new memory word.
.macro TEST_AMO_D num, op, init, src, newmem
        la a3, word
        li a1, \init
        sd a1, 0(a3)
        li a2, \src
        \op a0, a2, (a3)
        CHECK \num, a0, \init
        ld a4, 0(a3)
        CHECK \num, a4, \newmem
.endm

.macro TEST_AMO_W num, op, init, src, oldsext, newmem
        la a3, word
        li a1, -1
        sd a1, 0(a3)                    # the word's neighbour must stay untouched
        li a1, \init
        sw a1, 0(a3)
        li a2, \src
        \op a0, a2, (a3)
        CHECK \num, a0, \oldsext
        lwu a4, 0(a3)
        CHECK \num, a4, \newmem
        lwu a4, 4(a3)
        CHECK \num, a4, 0xffffffff
.endm

        RVTEST_BEGIN

        TEST_AMO_D 2, amoadd.d, 0x7fffffffffffffff, 1, 0x8000000000000000
        TEST_AMO_D 3, amoswap.d, 0x1111, 0x2222, 0x2222
        TEST_AMO_D 4, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
        TEST_AMO_D 5, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00
        TEST_AMO_D 6, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0
        TEST_AMO_D 7, amomin.d, -5, 3, -5
        TEST_AMO_D 8, amomin.d, 5, -3, -3
        TEST_AMO_D 9, amomax.d, -5, 3, 3
        TEST_AMO_D 10, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
        TEST_AMO_D 11, amominu.d, -5, 3, 3
        TEST_AMO_D 12, amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
        TEST_AMO_D 13, amomaxu.d, -5, 3, -5
        TEST_AMO_D 14, amomaxu.d, 1, 0, 1
        TEST_AMO_D 15, amoadd.d.aq, 10, -3, 7
        TEST_AMO_D 16, amoswap.d.rl, 1, 2, 2
        TEST_AMO_D 17, amoor.d.aqrl, 1, 2, 3

        TEST_AMO_W 20, amoadd.w, 0x7fffffff, 1, 0x7fffffff, 0x80000000
        TEST_AMO_W 21, amoadd.w, 0xffffffff, 2, 0xffffffffffffffff, 0x00000001   # carry out discarded
        TEST_AMO_W 22, amoswap.w, 0x80000000, 0x12345678, 0xffffffff80000000, 0x12345678
        TEST_AMO_W 23, amoxor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0
        TEST_AMO_W 24, amoand.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00
        TEST_AMO_W 25, amoor.w, 0x0f00ff00, 0x0ff00ff0, 0x000000000f00ff00, 0x0ff0fff0
        TEST_AMO_W 26, amomin.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000
        TEST_AMO_W 27, amomin.w, 5, 0xfffffffd, 5, 0xfffffffd                  # -3 < 5 (32-bit signed)
        TEST_AMO_W 28, amomax.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff
        TEST_AMO_W 29, amomax.w, 5, 0x1fffffffd, 5, 5                          # src upper bits ignored
        TEST_AMO_W 30, amominu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff
        TEST_AMO_W 31, amominu.w, 5, 0x100000003, 5, 3                         # compares low 32 bits
        TEST_AMO_W 32, amomaxu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000
        TEST_AMO_W 33, amomaxu.w, 1, 0xffffffff00000000, 1, 1
        TEST_AMO_W 34, amoswap.w.aqrl, 1, 2, 1, 2

        # rd = x0: memory still updated
        la a3, word
        sd zero, 0(a3)
        li a2, 9
        amoadd.d x0, a2, (a3)
        ld a0, 0(a3)
        CHECK 40, a0, 9
        # rd == rs2
        li a2, 5
        amoadd.d a2, a2, (a3)
        CHECK 41, a2, 9
        ld a0, 0(a3)
        CHECK 42, a0, 14

        # LR/SC
        la a3, word
        li a1, 100
        sd a1, 0(a3)
        lr.d a0, (a3)
        CHECK 50, a0, 100
        addi a0, a0, 1
        sc.d a1, a0, (a3)
        CHECK 51, a1, 0                 # success
        ld a0, 0(a3)
        CHECK 52, a0, 101
        li a0, 555
        sc.d a1, a0, (a3)               # the reservation was consumed: fails
        li gp, 53
        beqz a1, rvtest_fail
        ld a0, 0(a3)
        CHECK 54, a0, 101               # and does not write

        li a1, 0x80000000
        sw a1, 8(a3)
        addi a4, a3, 8
        lr.w a0, (a4)
        CHECK 55, a0, 0xffffffff80000000   # lr.w sign-extends
        li a1, -2
        sc.w a2, a1, (a4)
        CHECK 56, a2, 0
        ld a0, 8(a3)                    # sc.w writes 32 bits only
        CHECK 57, a0, 0x00000000fffffffe

        # sc to an address in another page than the reservation fails
        la a4, word
        lr.d a0, (a4)
        la a5, far_word
        li a1, 77
        sc.d a2, a1, (a5)
        li gp, 58
        beqz a2, rvtest_fail
        ld a0, 0(a5)
        CHECK 59, a0, 0

        # lr.d.aqrl / sc.d.aqrl encodings behave the same
        la a3, word
        lr.d.aqrl a0, (a3)
        li a1, 1234
        sc.d.rl a2, a1, (a3)
        CHECK 60, a2, 0
        ld a0, 0(a3)
        CHECK 61, a0, 1234

        # a CAS loop: atomically add 3 to a word, 5 times
        la a3, word
        sd zero, 0(a3)
        li a5, 5
2:      lr.d a0, (a3)
        addi a0, a0, 3
        sc.d a1, a0, (a3)
        bnez a1, 2b
        addi a5, a5, -1
        bnez a5, 2b
        ld a0, 0(a3)
        CHECK 62, a0, 15

        RVTEST_END

        .data
        .balign 8
word:   .dword 0, 0
        .balign 4096
        .space 4096
far_word:
        .dword 0
