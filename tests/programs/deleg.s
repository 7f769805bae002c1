# Trap delegation (privileged spec 3.1.8, 4.1.1-4.1.3): exceptions named in medeleg that happen in S or U
# go to stvec with scause/sepc/stval and sstatus.SPP/SPIE/SIE updated and the M trap CSRs untouched;
# traps in M are never delegated; interrupts named in mideleg are taken in S (when SIE is set in S,
# always from U, never while in M), and undelegated S-level interrupts are taken in M.
        .include "rvtest.inc"

        .equ MIP_SSIP, 0x2

.macro IRQ_COUNT
        la a1, rvtest_irq_count
        ld a0, 0(a1)
        la a1, rvtest_irq_log
.endm

        RVTEST_BEGIN
        la t0, rvtest_trap_s
        csrw stvec, t0
        li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
        csrw medeleg, t0

        # ecall from U, delegated: handled in S (s6 = 1: the M handler did not run), resumed in S, then
        # back to M by an S ecall (not delegated)
        EXPECT_TRAP 2, 1f, 1
        MRET_TO 0, 3f
3:
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 2, CAUSE_ECALL_U, 1, 2b
        csrr a0, scause
        mv a2, s5                       # sstatus at trap entry
        csrr a3, stval
        BACK_TO_M
        CHECK 3, a0, CAUSE_ECALL_U
        CHECK 5, a3, 0
        li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        and a2, a2, t0
        CHECK 6, a2, 0                  # SPP = U, SPIE = SIE = 0
        CHECK 7, s8, CAUSE_ECALL_S

        # ebreak from U, delegated
        EXPECT_TRAP 8, 1f, 1
        MRET_TO 0, 3f
3:
2:      ebreak
        j rvtest_fail
1:      CHECK_TRAP 8, CAUSE_BREAKPOINT, 1, 2b
        BACK_TO_M
        csrr a0, scause
        CHECK 9, a0, CAUSE_BREAKPOINT

        # illegal instruction in S, delegated: stays in S, stval = bits, SPP = S
        EXPECT_TRAP 10, 1f, 1
        MRET_TO 1, 3f
3:      csrsi sstatus, MSTATUS_SIE      # SIE = 1 before: SPIE <- 1, SIE <- 0
2:      .word 0xffffffff
        j rvtest_fail
1:      CHECK_TRAP 10, CAUSE_ILLEGAL, 1, 2b
        mv a0, s5
        csrr a1, stval
        BACK_TO_M
        csrr a2, scause
        CHECK 11, a2, CAUSE_ILLEGAL
        li a2, 0xffffffff
        CHECK_REG 12, a1, a2
        li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        and a0, a0, t0
        CHECK 13, a0, MSTATUS_SPP | MSTATUS_SPIE

        # the same illegal instruction in M is not delegated
        EXPECT_TRAP 15, 1f, 3
2:      .word 0xffffffff
        j rvtest_fail
1:      CHECK_TRAP 15, CAUSE_ILLEGAL, 3, 2b

        # ecall from U not delegated any more: goes to M
        csrw medeleg, zero
        EXPECT_TRAP 16, 1f, 3
        MRET_TO 0, 3f
3:
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 16, CAUSE_ECALL_U, 3, 2b

        # ecall from M with every delegable bit set still goes to M
        li t0, -1
        csrw medeleg, t0
        EXPECT_TRAP 17, 1f, 3
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 17, CAUSE_ECALL_M, 3, 2b
        li t0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL)
        csrw medeleg, t0

        # interrupts: SSIP delegated and enabled in sie (exceptions no longer delegated: BACK_TO_M works)
        csrw medeleg, zero
        li t0, MIP_SSIP
        csrw mideleg, t0
        csrw mie, t0
        # in M with MIE = 1, a delegated interrupt is not taken
        csrs mip, t0
        csrsi mstatus, MSTATUS_MIE
        nop
        nop
        csrci mstatus, MSTATUS_MIE
        IRQ_COUNT
        CHECK 20, a0, 0
        # in S with SIE = 0: not taken; once SIE is set, taken by the S handler
        li t0, MSTATUS_SIE | MSTATUS_SPIE
        csrc mstatus, t0
        li gp, 21
        MRET_TO 1, 3f
3:      nop
        IRQ_COUNT
        li gp, 21
        bnez a0, rvtest_fail
        csrsi sstatus, MSTATUS_SIE
4:      nop                             # taken before this
        IRQ_COUNT
        li gp, 22
        li t6, 1
        bne a0, t6, rvtest_fail
        ld a2, 0(a1)
        li gp, 23
        li t6, 0x101
        bne a2, t6, rvtest_fail
        la t6, 4b
        bne s7, t6, rvtest_fail         # sepc = the interrupted instruction
        csrci sstatus, MSTATUS_SIE
        BACK_TO_M
        CHECK 24, s8, CAUSE_ECALL_S
        csrr a0, mip
        andi a0, a0, MIP_SSIP
        CHECK 25, a0, 0                 # the S handler cleared sip.SSIP
        # from U it is taken whatever SIE says
        li t0, MIP_SSIP
        csrs mip, t0
        MRET_TO 0, 3f
3:      nop
        nop
        BACK_TO_M
        IRQ_COUNT
        CHECK 26, a0, 2
        ld a2, 8(a1)
        CHECK 27, a2, 0x101
        # S may set its own software interrupt through sip
        MRET_TO 1, 3f
3:      csrsi sstatus, MSTATUS_SIE
        csrsi sip, MIP_SSIP
        nop
        csrci sstatus, MSTATUS_SIE
        BACK_TO_M
        IRQ_COUNT
        CHECK 28, a0, 3

        # not delegated: the same interrupt pending in S is taken by M (M-level, taken below M always)
        csrw mideleg, zero
        li t0, MIP_SSIP
        csrs mip, t0
        csrci mstatus, MSTATUS_MIE
        MRET_TO 1, 3f
3:      nop
        nop
        BACK_TO_M
        csrci mstatus, MSTATUS_MIE
        IRQ_COUNT
        CHECK 29, a0, 4
        ld a2, 24(a1)
        CHECK 30, a2, 0x301

        RVTEST_END
