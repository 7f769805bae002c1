# C extension (unprivileged spec ch. 16, RV64C): every RV64 compressed instruction by its c.* name,
# immediate edge cases (sign extension of 6-bit immediates, c.lui's 0xfffe0 form, scaled offsets),
# c.jalr linking pc + 2, 32-bit instructions at 2-byte-aligned addresses,
# and reserved encodings (all-zero halfword, c.lui/c.addi16sp with 0, c.jr x0, c.ldsp x0) raising
# illegal instruction with mtval = the 16-bit instruction bits.
# needs: C
        .include "rvtest.inc"

.macro CTEST num, reg, init, op, imm, expect
        li \reg, \init
        \op \reg, \imm
        CHECK \num, \reg, \expect
.endm

        RVTEST_BEGIN
        # constants and immediates
        c.li a0, -32
        CHECK 2, a0, -32
        c.li a0, 31
        CHECK 3, a0, 31
        c.lui a0, 0x1f
        CHECK 4, a0, 0x1f000
        c.lui a0, 0xfffe0
        CHECK 5, a0, 0xfffffffffffe0000
        c.lui a0, 1
        CHECK 6, a0, 0x1000
        CTEST 7, a0, 10, c.addi, -11, -1
        CTEST 8, a0, 0x7fffffff, c.addiw, 1, 0xffffffff80000000
        CTEST 9, a0, 0x100000005, c.addiw, 0, 5        # sext.w
        CTEST 10, a0, 1, c.slli, 63, 0x8000000000000000
        CTEST 11, s0, 0x8000000000000000, c.srli, 63, 1
        CTEST 12, s0, 0x8000000000000000, c.srai, 63, -1
        CTEST 13, s1, 0x8000000000000000, c.srai, 1, 0xc000000000000000
        CTEST 14, a5, 0xff, c.andi, -16, 0xf0
        CTEST 15, a5, -1, c.andi, 31, 31

        # register-register
        li a1, 0x1234
        c.mv a0, a1
        CHECK 16, a0, 0x1234
        li a0, 5
        c.add a0, a1
        CHECK 17, a0, 0x1239
        li s0, 10
        li s1, 3
        c.sub s0, s1
        CHECK 18, s0, 7
        li s0, 0xf0
        c.xor s0, s1
        CHECK 19, s0, 0xf3
        li s0, 0xf0
        c.or s0, s1
        CHECK 20, s0, 0xf3
        li s0, 0xf1
        c.and s0, s1
        CHECK 21, s0, 1
        li s0, 0x7fffffff
        li s1, 1
        c.addw s0, s1
        CHECK 22, s0, 0xffffffff80000000
        li s0, 0
        c.subw s0, s1
        CHECK 23, s0, -1
        li s0, 0x100000000
        li s1, 0
        c.subw s0, s1                   # 32-bit result of 0 - 0
        CHECK 24, s0, 0

        # stack-pointer forms
        mv s2, sp
        c.addi16sp sp, -512
        sub a0, s2, sp
        CHECK 25, a0, 512
        c.addi16sp sp, 496
        sub a0, s2, sp
        CHECK 26, a0, 16
        c.addi4spn a0, sp, 1020
        sub a0, a0, sp
        CHECK 27, a0, 1020
        c.addi4spn s1, sp, 4
        sub s1, s1, sp
        CHECK 28, s1, 4
        mv sp, s2
        addi sp, sp, -512
        li a1, 0x1122334455667788
        c.sdsp a1, 504(sp)
        c.ldsp a0, 504(sp)
        CHECK 29, a0, 0x1122334455667788
        c.swsp a1, 252(sp)
        c.lwsp a0, 252(sp)
        CHECK 30, a0, 0x55667788
        li a1, 0x80000000
        c.swsp a1, 0(sp)
        c.lwsp a0, 0(sp)
        CHECK 31, a0, 0xffffffff80000000
        ld a0, 0(sp)
        CHECK 32, a0, 0x80000000        # upper word untouched (was 0 from .bss stack)
        mv sp, s2

        # register-based loads and stores (x8-x15, scaled offsets)
        la s0, buf
        li a1, 0x8877665544332211
        c.sd a1, 248(s0)
        c.ld a2, 248(s0)
        CHECK 33, a2, 0x8877665544332211
        c.sw a1, 124(s0)
        c.lw a3, 124(s0)
        CHECK 34, a3, 0x44332211
        li a1, 0xfedcba98
        c.sw a1, 0(s0)
        c.lw a4, 0(s0)
        CHECK 35, a4, 0xfffffffffedcba98

        # control transfer
        li gp, 36
        c.j 1f
        j rvtest_fail
1:      li s0, 0
        li gp, 37
        c.beqz s0, 1f
        j rvtest_fail
1:      c.bnez s0, rvtest_fail_near
        li s0, 1
        li gp, 38
        c.bnez s0, 1f
        j rvtest_fail
1:      c.beqz s0, rvtest_fail_near
        # backward c.j loop
        li a0, 0
        li a1, 3
2:      addi a0, a0, 1
        beq a0, a1, 3f
        c.j 2b
3:      CHECK 39, a0, 3
        # c.jalr links pc + 2; c.jr jumps
        la t0, ret_here
        li gp, 40
        .balign 4
4:      c.jalr t0
        j rvtest_fail
        .text
5:      la a2, 4b
        addi a2, a2, 2
        CHECK_REG 41, ra, a2
        la t1, 6f
        c.jr t1
        j rvtest_fail
6:
        # 32-bit instruction at an address = 2 (mod 4)
        .balign 4
        c.nop
        addi a0, zero, 77
        CHECK 42, a0, 77

        # c.ebreak: breakpoint, mepc at the 2-byte instruction
        EXPECT_TRAP 50, 1f, 3
2:      c.ebreak
        j rvtest_fail
1:      CHECK_TRAP 50, CAUSE_BREAKPOINT, 3, 2b
        # reserved encodings are illegal, mtval holds the 16 bits
        EXPECT_TRAP 51, 1f, 3
2:      .half 0x0000
        j rvtest_fail
1:      CHECK_TRAP 51, CAUSE_ILLEGAL, 3, 2b
        CHECK_TVAL 52, zero
        EXPECT_TRAP 53, 1f, 3
2:      .half 0x6081                    # c.lui ra, 0
        j rvtest_fail
1:      CHECK_TRAP 53, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x6081
        CHECK_TVAL 54, a1
        EXPECT_TRAP 55, 1f, 3
2:      .half 0x6101                    # c.addi16sp sp, 0
        j rvtest_fail
1:      CHECK_TRAP 55, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x6101
        CHECK_TVAL 56, a1
        EXPECT_TRAP 57, 1f, 3
2:      .half 0x8002                    # c.jr x0
        j rvtest_fail
1:      CHECK_TRAP 57, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x8002
        CHECK_TVAL 58, a1
        EXPECT_TRAP 59, 1f, 3
2:      .half 0x6002                    # c.ldsp x0, 0(sp)
        j rvtest_fail
1:      CHECK_TRAP 59, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x6002
        CHECK_TVAL 60, a1

        RVTEST_END

        .text
ret_here:
        j 5b
rvtest_fail_near:
        j rvtest_fail

        .data
        .balign 8
buf:    .space 256
