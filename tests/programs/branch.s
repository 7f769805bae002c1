# Control transfer (unprivileged spec ch. 2.5): every conditional branch taken and not taken on signed and
# unsigned edges, backward branches, jal/jalr link values, jalr clearing bit 0 of the target, rd = rs1.
        .include "rvtest.inc"

# Branch `op a, b` must go (taken = 1) or fall through (taken = 0).
.macro TEST_BR num, op, taken, a, b
        li gp, \num
        li a1, \a
        li a2, \b
        li a0, 0
        \op a1, a2, 1f
        li a0, 1                        # fell through
1:      li t6, 1 - \taken
        beq a0, t6, 2f
        j rvtest_fail
2:
.endm

        RVTEST_BEGIN

        TEST_BR 2, beq, 1, 0, 0
        TEST_BR 3, beq, 0, 0, 1
        TEST_BR 4, beq, 1, -1, 0xffffffffffffffff
        TEST_BR 5, beq, 0, 0x100000000, 0             # all 64 bits compared
        TEST_BR 6, bne, 1, 0x100000000, 0
        TEST_BR 7, bne, 0, 7, 7
        TEST_BR 8, blt, 1, -1, 0
        TEST_BR 9, blt, 0, 0, -1
        TEST_BR 10, blt, 0, 5, 5
        TEST_BR 11, blt, 1, 0x8000000000000000, 0x7fffffffffffffff
        TEST_BR 12, bge, 1, 5, 5
        TEST_BR 13, bge, 1, 0, -1
        TEST_BR 14, bge, 0, -1, 0
        TEST_BR 15, bge, 0, 0x8000000000000000, 0x7fffffffffffffff
        TEST_BR 16, bltu, 0, -1, 0
        TEST_BR 17, bltu, 1, 0, -1
        TEST_BR 18, bltu, 0, 3, 3
        TEST_BR 19, bltu, 0, 0x8000000000000000, 0x7fffffffffffffff
        TEST_BR 20, bgeu, 1, -1, 0
        TEST_BR 21, bgeu, 0, 0, -1
        TEST_BR 22, bgeu, 1, 3, 3
        TEST_BR 23, bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff

        # backward branch loop: 10 iterations
        li gp, 24
        li a0, 0
        li a1, 10
1:      addi a0, a0, 1
        blt a0, a1, 1b
        CHECK 24, a0, 10

        # jal links pc + 4
        li gp, 25
        jal ra, 1f
2:      j rvtest_fail
1:      la a1, 2b
        CHECK_REG 25, ra, a1
        # jal x0 (j) does not link; a far jump over padding
        li ra, 0
        j 3f
        .skip 4096, 0                   # never executed (zero bits are an illegal instruction)
3:      CHECK 26, ra, 0

        # jalr: target = (rs1 + imm) & ~1, link pc + 4
        la a1, 4f
        addi a1, a1, -7                 # odd: bit 0 is cleared after the add
        li gp, 27
        jalr t0, 8(a1)                  # (4f - 7 + 8) & ~1 = 4f
5:      j rvtest_fail
4:      la a2, 5b
        CHECK_REG 28, t0, a2
        # jalr with rd == rs1: the target uses the old rs1
        la t1, 6f
        jalr t1, 0(t1)
7:      j rvtest_fail
6:      la a2, 7b
        CHECK_REG 29, t1, a2
        # call / ret
        li a0, 3
        call add_five
        CHECK 30, a0, 8
        # negative jalr offset
        la a1, 8f
        addi a1, a1, 16
        li gp, 31
        jalr zero, -16(a1)
        j rvtest_fail
8:
        # a branch never taken does not leave
        li a0, 0
        li a1, 1
        li gp, 32
        bne a0, a0, branch_far          # never taken
        CHECK 32, a0, 0

        RVTEST_END

        .text
add_five:
        addi a0, a0, 5
        ret
branch_far:
        j rvtest_fail
