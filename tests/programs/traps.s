# Synchronous exceptions taken to M mode (privileged spec 3.1.15-3.1.17, 3.3.1): cause, mepc and mtval
# for illegal instructions (mtval = the instruction bits), ecall from M/S/U, ebreak (mtval = pc or 0), access
# faults on loads, stores and fetches from unmapped physical memory (mtval = the address, mepc = the
# instruction, or the target for a fetch), misaligned accesses (trap with mtval = address, or done in
# full), and the misaligned fetch only a hart without C raises (mepc = the jump, mtval = the target).
        .include "rvtest.inc"

        # A hole in the physical map of rvx's machine and of rocket-chip's (the Rocket RTL of
        # docs/cycle-model.md maps its MMIO window over 0x10000000-0x7fffffff, so 0x40000000 answers
        # there; the privileged spec leaves the map to the platform, 3.6).
        .equ UNMAPPED, 0x08000000

        RVTEST_BEGIN

        # illegal instruction: all ones
        EXPECT_TRAP 2, 1f, 3
2:      .word 0xffffffff
        j rvtest_fail
1:      CHECK_TRAP 2, CAUSE_ILLEGAL, 3, 2b
        li a1, 0xffffffff
        CHECK_TVAL 3, a1
        # a reserved opcode (custom-3 is not implemented) in a 32-bit slot
        EXPECT_TRAP 4, 1f, 3
2:      .word 0x0000007b
        j rvtest_fail
1:      CHECK_TRAP 4, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x7b
        CHECK_TVAL 5, a1
        # a SYSTEM encoding that is not an instruction (funct3 = 4)
        EXPECT_TRAP 6, 1f, 3
2:      .word 0x00004073
        j rvtest_fail
1:      CHECK_TRAP 6, CAUSE_ILLEGAL, 3, 2b
        li a1, 0x4073
        CHECK_TVAL 7, a1
        # an OP encoding with an undefined funct7
        EXPECT_TRAP 8, 1f, 3
2:      .word 0x04b50533                # funct7 = 2 on OP
        j rvtest_fail
1:      CHECK_TRAP 8, CAUSE_ILLEGAL, 3, 2b

        # ecall from M, S and U; mtval is zero
        EXPECT_TRAP 10, 1f, 3
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 10, CAUSE_ECALL_M, 3, 2b
        CHECK_TVAL 11, zero
        EXPECT_TRAP 12, 1f, 3
        MRET_TO 1, 3f
3:
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 12, CAUSE_ECALL_S, 3, 2b
        EXPECT_TRAP 13, 1f, 3
        MRET_TO 0, 3f
3:
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 13, CAUSE_ECALL_U, 3, 2b

        # ebreak: breakpoint
        EXPECT_TRAP 14, 1f, 3
2:      ebreak
        j rvtest_fail
1:      CHECK_TRAP 14, CAUSE_BREAKPOINT, 3, 2b
        li gp, 15                       # mtval is either zero or the pc (privileged spec 3.1.16)
        beqz s9, 3f
        la a1, 2b
        CHECK_TVAL 15, a1
3:

        # access faults: nothing lives at UNMAPPED
        li a1, UNMAPPED
        li a0, 55
        EXPECT_TRAP 20, 1f, 3
2:      ld a0, 0(a1)
        j rvtest_fail
1:      CHECK_TRAP 20, CAUSE_LOAD_ACCESS, 3, 2b
        CHECK_TVAL 21, a1
        CHECK 22, a0, 55                # rd not written
        li a1, UNMAPPED + 0x10
        EXPECT_TRAP 23, 1f, 3
2:      lbu a0, 0(a1)
        j rvtest_fail
1:      CHECK_TRAP 23, CAUSE_LOAD_ACCESS, 3, 2b
        CHECK_TVAL 24, a1
        li a1, UNMAPPED + 8
        EXPECT_TRAP 25, 1f, 3
2:      sd a0, -8(a1)
        j rvtest_fail
1:      CHECK_TRAP 25, CAUSE_STORE_ACCESS, 3, 2b
        addi a1, a1, -8
        CHECK_TVAL 26, a1
        # fetch from unmapped memory: mepc and mtval are the target
        li a1, UNMAPPED
        EXPECT_TRAP 29, 1f, 3
2:      jalr ra, 0(a1)
5:      j rvtest_fail
1:      li gp, 29
        bnez s10, rvtest_fail
        li t6, CAUSE_FETCH_ACCESS
        bne s8, t6, rvtest_fail
        CHECK_REG 30, s7, a1
        CHECK_TVAL 31, a1
        la a2, 5b                       # (the jump may be compressed: link = the next instruction)
        CHECK_REG 32, ra, a2            # the jump itself retired and linked

        # misaligned loads and stores: either an address-misaligned trap with mtval = address, or the
        # access is carried out in full (both allowed, unprivileged spec 2.6)
        la a1, scratch
        li a2, 0x0102030405060708
        sd a2, 0(a1)
        sd a2, 8(a1)
        addi a1, a1, 1
        li a0, 0
        EXPECT_TRAP 40, 1f, 3
2:      ld a0, 0(a1)
        li gp, 40
        li t6, 0x0801020304050607
        bne a0, t6, rvtest_fail
        li s10, 0
        j 3f
1:      CHECK_TRAP 41, CAUSE_MISALIGNED_LOAD, 3, 2b
        CHECK_TVAL 42, a1
3:      la a1, scratch
        addi a1, a1, 2
        li a2, 0xa1a2a3a4
        EXPECT_TRAP 43, 1f, 3
2:      sw a2, 1(a1)
        li s10, 0
        la a1, scratch
        lwu a0, 3(a1)
        CHECK 43, a0, 0xa1a2a3a4
        j 3f
1:      CHECK_TRAP 44, CAUSE_MISALIGNED_STORE, 3, 2b
        addi a1, a1, 1
        CHECK_TVAL 45, a1
3:

        # misaligned fetch target: only a hart without C traps, on the jump (mepc = jump, mtval = target)
        csrr a0, misa
        andi a0, a0, 4                  # misa.C
        la a1, 4f
        addi a1, a1, 2
        li ra, 0xbad
        EXPECT_TRAP 50, 1f, 3
        .balign 4
2:      jalr ra, 0(a1)
        j rvtest_fail
        .balign 4
4:      .half 0x0001                    # c.nop (skipped: the jump lands 2 bytes in)
        .half 0x0001                    # c.nop
        j 5f
1:      li gp, 50
        bnez a0, rvtest_fail            # a hart with C must not trap
        CHECK_TRAP 51, CAUSE_MISALIGNED_FETCH, 3, 2b
        CHECK_TVAL 52, a1
        CHECK 53, ra, 0xbad             # the jump did not retire: rd not written
        j 6f
5:      li gp, 54
        beqz a0, rvtest_fail            # reached the target: only possible with C
        li s10, 0
6:
        # a taken branch to a misaligned target, same rule
        li ra, 0xbad
        EXPECT_TRAP 55, 1f, 3
        .balign 4
2:      beq zero, zero, 4f + 2
        j rvtest_fail
        .balign 4
4:      .half 0x0001
        .half 0x0001
        j 5f
1:      li gp, 55
        bnez a0, rvtest_fail
        CHECK_TRAP 56, CAUSE_MISALIGNED_FETCH, 3, 2b
        la a2, 4b
        addi a2, a2, 2
        # qemu-deviation: 57 (without C, QEMU 7.2 reports a stale pc as mtval for a taken branch)
        CHECK_TVAL 57, a2
        j 6f
5:      li gp, 58
        beqz a0, rvtest_fail
        li s10, 0
6:
        # Kept last: QEMU 7.2 reports these two as load faults.
        # qemu-deviation: 27
        # An AMO to unmapped memory raises a store/AMO access fault (privileged spec table 3.6 "Store/AMO
        # access fault"; Spike checks AMOs for write permission first).
        li a1, UNMAPPED
        EXPECT_TRAP 27, 1f, 3
2:      amoadd.w a0, a0, (a1)           # AMOs report store/AMO faults
        j rvtest_fail
1:      CHECK_TRAP 27, CAUSE_STORE_ACCESS, 3, 2b
        CHECK_TVAL 28, a1

        # A misaligned AMO raises a store/AMO address-misaligned or access fault and is not performed
        # (unprivileged spec 8.4 without Zam; Spike raises store-misaligned).
        la a1, scratch
        addi a1, a1, 4
        EXPECT_TRAP 46, 1f, 3
2:      amoadd.d a0, a0, (a1)
        j rvtest_fail
1:      li gp, 46
        bnez s10, rvtest_fail
        li t6, CAUSE_MISALIGNED_STORE
        beq s8, t6, 3f
        li t6, CAUSE_STORE_ACCESS
        bne s8, t6, rvtest_fail
3:      CHECK_TVAL 47, a1

        RVTEST_END

        .data
        .balign 8
scratch:
        .dword 0, 0, 0
