# RV64I integer computational instructions (unprivileged spec ch. 2.4, 5.2): edge cases of add/sub,
# compares, logic, shifts (amounts taken from the low 6 bits, or 5 bits in the W forms), lui/auipc, and
# the W forms' 32-bit wrap and sign extension.
        .include "rvtest.inc"
        RVTEST_BEGIN

        # add / sub: wrap modulo 2^64
        TEST_RR 2, add, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000
        TEST_RR 3, add, 0x8000000000000000, 0x7fffffffffffffff, 0x0000000000000001
        TEST_RR 4, add, 0x0000000000000000, 0xffffffffffffffff, 0x0000000000000001
        TEST_RR 5, add, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
        TEST_RR 6, add, 0x0000000100000000, 0x00000000ffffffff, 0x0000000000000001
        TEST_RR 7, sub, 0xffffffffffffffff, 0x0000000000000000, 0x0000000000000001
        TEST_RR 8, sub, 0x7fffffffffffffff, 0x8000000000000000, 0x0000000000000001
        TEST_RR 9, sub, 0x8000000000000000, 0x0000000000000000, 0x8000000000000000
        TEST_RR_SAME 10, sub, 0, 0x123456789abcdef0
        TEST_RR_SAME 11, add, 0x2468acf13579bde0, 0x123456789abcdef0
        TEST_RR_ZERO 12, add, 5, 6

        # addi: 12-bit sign-extended immediate
        TEST_RI 13, addi, 0x00000000000007ff, 0, 2047
        TEST_RI 14, addi, 0xfffffffffffff800, 0, -2048
        TEST_RI 15, addi, 0x8000000000000000, 0x7fffffffffffffff, 1
        TEST_RI 16, addi, 0xffffffffffffffff, 0, -1

        # slt / sltu / slti / sltiu
        TEST_RR 17, slt,  1, 0x8000000000000000, 0x7fffffffffffffff
        TEST_RR 18, slt,  0, 0x7fffffffffffffff, 0x8000000000000000
        TEST_RR 19, slt,  0, 5, 5
        TEST_RR 20, slt,  1, -1, 0
        TEST_RR 21, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
        TEST_RR 22, sltu, 1, 0, 0xffffffffffffffff
        TEST_RR 23, sltu, 0, 0xffffffffffffffff, 0xffffffffffffffff
        TEST_RI 24, slti, 1, -5, -4
        TEST_RI 25, slti, 0, 0, -1
        TEST_RI 26, sltiu, 1, 5, -1          # immediate sign-extended, then compared unsigned
        TEST_RI 27, sltiu, 0, 0xffffffffffffffff, -1
        TEST_RI 28, sltiu, 1, 0, 1           # seqz
        TEST_RI 29, sltiu, 0, 7, 1

        # logic
        TEST_RR 30, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f
        TEST_RR 31, or,  0xff0fff0fff0fff0f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f
        TEST_RR 32, xor, 0xf00ff00ff00ff00f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f
        TEST_RI 33, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -256
        TEST_RI 34, andi, 0x0000000000000700, 0xff00ff00ff00ff00, 0x70f
        TEST_RI 35, ori,  0xfffffffffffff80f, 0x000000000000000f, -2033
        TEST_RI 36, xori, 0x00ff00ff00ff00ff, 0xff00ff00ff00ff00, -1

        # shifts: RV64 uses rs2[5:0]
        TEST_RR 37, sll, 0x8000000000000000, 1, 63
        TEST_RR 38, sll, 0x0000000000000001, 1, 64          # 64 & 63 = 0
        TEST_RR 39, sll, 0x0000000100000000, 1, 32
        TEST_RR 40, srl, 0x0000000000000001, 0x8000000000000000, 63
        TEST_RR 41, srl, 0x0000000080000000, 0x8000000000000000, 0xffffffffffffffe0   # amount 32
        TEST_RR 42, sra, 0xffffffffffffffff, 0x8000000000000000, 63
        TEST_RR 43, sra, 0xffffffff80000000, 0x8000000000000000, 32
        TEST_RR 44, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1
        TEST_RI 45, slli, 0x8000000000000000, 0xffffffffffffffff, 63
        TEST_RI 46, srli, 0x0000000000000001, 0xffffffffffffffff, 63
        TEST_RI 47, srai, 0xffffffffffffffff, 0x8000000000000000, 63
        TEST_RI 48, srai, 0x0000000000000000, 0x7fffffffffffffff, 63
        TEST_RI 49, srli, 0x00000000ffffffff, 0xffffffffffffffff, 32

        # W forms: operate on the low 32 bits, sign-extend the 32-bit result
        TEST_RR 50, addw, 0xffffffff80000000, 0x000000007fffffff, 1
        TEST_RR 51, addw, 0x0000000000000000, 0xffffffffffffffff, 1
        TEST_RR 52, addw, 0x0000000000000002, 0x1234567800000001, 0x8765432100000001   # upper bits ignored
        TEST_RR 53, subw, 0x000000007fffffff, 0xffffffff80000000, 1
        TEST_RR 54, subw, 0xffffffffffffffff, 0, 1
        TEST_RI 55, addiw, 0xffffffff80000000, 0x7fffffff, 1
        TEST_RI 56, addiw, 0x000000007fffffff, 0xffffffff80000000, -1
        TEST_RI 57, addiw, 0xffffffffffffffff, 0x00000000ffffffff, 0              # sext.w
        TEST_RI 58, addiw, 0x0000000012345678, 0xabcdef0012345678, 0
        TEST_RR 59, sllw, 0xffffffff80000000, 1, 31
        TEST_RR 60, sllw, 0x0000000000000001, 1, 32                  # rs2[4:0] = 0
        TEST_RR 61, sllw, 0x0000000000000002, 1, 33
        TEST_RR 62, srlw, 0x0000000000000001, 0x0000000080000000, 31
        TEST_RR 63, srlw, 0xffffffff80000000, 0x0000000080000000, 32  # shift by 0, then sext
        TEST_RR 64, srlw, 0x0000000000000001, 0xffffffff00000003, 1  # upper bits not shifted in
        TEST_RR 65, sraw, 0xffffffffffffffff, 0x0000000080000000, 31
        TEST_RR 66, sraw, 0xffffffffc0000000, 0x0000000080000000, 33
        TEST_RR 67, sraw, 0x0000000000000000, 0xffffffff7fffffff, 31
        TEST_RI 68, slliw, 0xffffffff80000000, 0xffffffffffffffff, 31
        TEST_RI 69, slliw, 0x0000000000000000, 0x0000000100000000, 0
        TEST_RI 70, srliw, 0x0000000000000001, 0xffffffffffffffff, 31
        TEST_RI 71, srliw, 0xffffffffffffffff, 0xffffffffffffffff, 0
        TEST_RI 72, sraiw, 0xffffffffffffffff, 0x0000000080000000, 31
        TEST_RI 73, sraiw, 0x0000000000000001, 0x1234567840000000, 30

        # lui / auipc: 20-bit immediate into bits 31:12, sign-extended to 64 bits
        li gp, 74
        lui a0, 0x80000
        CHECK 74, a0, 0xffffffff80000000
        lui a0, 0x7ffff
        CHECK 75, a0, 0x000000007ffff000
        lui a0, 0xfffff
        CHECK 76, a0, 0xfffffffffffff000
1:      auipc a0, 0
        la a1, 1b
        CHECK_REG 77, a0, a1
2:      auipc a0, 1
        la a1, 2b
        sub a0, a0, a1
        CHECK 78, a0, 0x1000
3:      auipc a0, 0xfffff
        la a1, 3b
        sub a0, a0, a1
        CHECK 79, a0, -4096

        # x0 stays zero whatever is written
        li a1, 99
        addi x0, a1, 1
        lui x0, 0x12345
        CHECK 80, x0, 0

        RVTEST_END
