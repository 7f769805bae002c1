# M extension (unprivileged spec ch. 7): full-width products (mulh/mulhsu/mulhu), division rounding toward
# zero, division by zero (quotient all ones, remainder the dividend) and overflow (INT_MIN / -1 = INT_MIN,
# remainder 0), and the W forms' sign extension of 32-bit results.
        .include "rvtest.inc"
        RVTEST_BEGIN

        TEST_RR 2, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 2
        TEST_RR 3, mul, 1, -1, -1
        TEST_RR 4, mul, 0x8000000000000000, 0x8000000000000000, -1
        TEST_RR 5, mul, 0x0000000000000000, 0x0000000100000000, 0x0000000100000000
        TEST_RR 6, mul, 0xfedcba9876543211, 0x0123456789abcdef, -1

        TEST_RR 7, mulh, 0, -1, -1
        TEST_RR 8, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
        TEST_RR 9, mulh, 0xffffffffffffffff, 0x8000000000000000, 1
        TEST_RR 10, mulh, 1, 0x4000000000000000, 4
        TEST_RR 11, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff   # -2^63 * (2^63-1)

        TEST_RR 12, mulhu, 0xfffffffffffffffe, -1, -1
        TEST_RR 13, mulhu, 1, 0x8000000000000000, 2
        TEST_RR 14, mulhu, 0, 0xffffffff, 0xffffffff
        TEST_RR 15, mulhu, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff

        TEST_RR 16, mulhsu, 0xffffffffffffffff, -1, 0xffffffffffffffff   # -1 * (2^64 - 1)
        TEST_RR 17, mulhsu, 0xffffffffffffffff, 0x8000000000000000, 2
        TEST_RR 18, mulhsu, 1, 2, 0xffffffffffffffff
        TEST_RR 19, mulhsu, 0xffffffffffffffff, -2, 1
        TEST_RR 20, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff  # -2^63*(2^64-1)
        TEST_RR 21, mulhsu, 0, 0, -1

        TEST_RR 22, mulw, 0xfffffffffffffffe, 0x7fffffff, 2
        TEST_RR 23, mulw, 0x0000000000000006, 0xffffffff00000002, 0x1234567800000003   # upper bits ignored
        TEST_RR 24, mulw, 0xffffffff80000000, 0x0000000080000000, 1
        TEST_RR 25, mulw, 0, 0x10000, 0x10000

        TEST_RR 26, div, -3, -7, 2
        TEST_RR 27, div, -3, 7, -2
        TEST_RR 28, div, 3, -7, -2
        TEST_RR 29, div, 0xffffffffffffffff, 42, 0                       # by zero: -1
        TEST_RR 30, div, 0x8000000000000000, 0x8000000000000000, -1      # overflow
        TEST_RR 31, rem, -1, -7, 2
        TEST_RR 32, rem, 1, 7, -2
        TEST_RR 33, rem, -1, -7, -2
        TEST_RR 34, rem, 42, 42, 0                                       # by zero: dividend
        TEST_RR 35, rem, 0, 0x8000000000000000, -1
        TEST_RR 36, divu, 0x7fffffffffffffff, -1, 2
        TEST_RR 37, divu, 0xffffffffffffffff, 42, 0
        TEST_RR 38, divu, 0, 5, -1
        TEST_RR 39, remu, 1, -1, 2
        TEST_RR 40, remu, 0xfffffffffffffff0, 0xfffffffffffffff0, 0
        TEST_RR 41, remu, 5, 5, -1

        TEST_RR 42, divw, -3, -7, 2
        TEST_RR 43, divw, 0xffffffffffffffff, 42, 0
        TEST_RR 44, divw, 0xffffffff80000000, 0x80000000, -1             # overflow
        TEST_RR 45, divw, 2, 0x0000000100000006, 0x0000000500000003      # upper bits ignored
        TEST_RR 46, remw, -1, -7, 2
        TEST_RR 47, remw, 0xffffffff80000000, 0x80000000, 0              # by zero: sext(dividend)
        TEST_RR 48, remw, 0, 0x80000000, -1
        TEST_RR 49, divuw, 0xffffffff80000000, 0x80000000, 1             # result sign-extended
        TEST_RR 50, divuw, 0xffffffffffffffff, 7, 0
        TEST_RR 51, divuw, 0x7fffffff, 0xffffffff, 2
        TEST_RR 52, remuw, 0x7fffffff, 0xffffffff, 0x80000000
        TEST_RR 53, remuw, 0xffffffff80000000, 0x80000000, 0             # by zero: sext(dividend[31:0])
        TEST_RR 54, remuw, 1, 0x1234567800000007, 3

        # rd aliasing a source
        li a1, 12
        li a2, 5
        rem a1, a1, a2
        CHECK 55, a1, 2
        li a1, 6
        mul a1, a1, a1
        CHECK 56, a1, 36

        RVTEST_END
