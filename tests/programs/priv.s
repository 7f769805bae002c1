# Privilege transitions (privileged spec 3.1.6.1, 3.3.2, 4.1.1): what trap entry does to MPIE/MIE/MPP
# and SPIE/SIE/SPP, what mret/sret restore (xIE <- xPIE, xPIE <- 1, xPP <- U, MPRV cleared when leaving
# M), M executing sret, and the instructions that are illegal below their privilege (mret in S, sret in
# U, sret in S with TSR, satp and sfence.vma in S with TVM).
        .include "rvtest.inc"

# Switch mtvec/stvec to the capture handlers: they record status, cause and epc in a0-a2 and jump to
# s10 without returning (staying in the trap's privilege).
.macro CAPTURE_M
        la t0, capture_m
        csrw mtvec, t0
.endm
.macro UNCAPTURE_M
        la t0, rvtest_trap_m
        csrw mtvec, t0
.endm

        RVTEST_BEGIN

        # mret with MPIE = 1, MPP = M: MIE <- 1, MPIE <- 1, MPP <- U, stays in M
        li t0, MSTATUS_MPIE | MSTATUS_MPP
        csrw mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        andi a1, a0, 0xff
        CHECK 2, a1, MSTATUS_MIE | MSTATUS_MPIE
        li t0, MSTATUS_MPP
        and a1, a0, t0
        CHECK 3, a1, 0
        csrr a1, mscratch               # still M: a machine CSR is accessible
        # mret with MPIE = 0: MIE <- 0, MPIE <- 1
        li t0, MSTATUS_MPP | MSTATUS_MIE
        csrw mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:      csrr a0, mstatus
        andi a1, a0, 0xff
        CHECK 4, a1, MSTATUS_MPIE

        # trap entry from M with MIE = 1: MPIE <- 1, MIE <- 0, MPP <- M
        CAPTURE_M
        csrwi mstatus, MSTATUS_MIE
        la s10, 1f
2:      ecall
        j rvtest_fail
1:      UNCAPTURE_M
        andi a3, a0, 0xff
        CHECK 5, a3, MSTATUS_MPIE
        li t0, MSTATUS_MPP
        and a3, a0, t0
        CHECK 6, a3, MSTATUS_MPP
        CHECK 7, a1, CAUSE_ECALL_M
        la a3, 2b
        CHECK_REG 8, a2, a3
        li s10, 0
        csrwi mstatus, 0

        # trap entry from S: MPP <- S; from U: MPP <- U (MIE = 0 before: MPIE <- 0)
        CAPTURE_M
        la s10, 1f
        MRET_TO 1, 3f
3:      ecall
1:      UNCAPTURE_M
        li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
        and a3, a0, t0
        CHECK 9, a3, 0x0800
        CHECK 10, a1, CAUSE_ECALL_S
        CAPTURE_M
        la s10, 1f
        MRET_TO 0, 3f
3:      ecall
1:      UNCAPTURE_M
        li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
        and a3, a0, t0
        CHECK 11, a3, 0
        CHECK 12, a1, CAUSE_ECALL_U
        li s10, 0


        # sret in S: SIE <- SPIE, SPIE <- 1, SPP <- U; with SPP = S it stays in S
        EXPECT_TRAP 20, 1f, 3
        MRET_TO 1, 3f
3:      li t0, MSTATUS_SPIE | MSTATUS_SPP
        csrw sstatus, t0
        la t0, 4f
        csrw sepc, t0
        sret
4:      csrr a0, sstatus
        csrr a1, sscratch               # still S
        li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        and a0, a0, t0
        li t0, MSTATUS_SPIE | MSTATUS_SIE
        li gp, 20
        bne a0, t0, rvtest_fail
        # sret with SPP = U, SPIE = 0: to U, SIE <- 0
        li t0, MSTATUS_SPP | MSTATUS_SPIE
        csrc sstatus, t0
        la t0, 5f
        csrw sepc, t0
        sret
5:
2:      ecall                           # from U now
        j rvtest_fail
1:      CHECK_TRAP 21, CAUSE_ECALL_U, 3, 2b
        csrr a0, mstatus
        li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
        and a0, a0, t0
        CHECK 22, a0, MSTATUS_SPIE

        # M may execute sret: it returns to SPP
        li t0, MSTATUS_SPP
        csrs mstatus, t0
        la t0, 3f
        csrw sepc, t0
        EXPECT_TRAP 23, 1f, 3
        sret
3:
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 23, CAUSE_ECALL_S, 3, 2b

        # illegal below their privilege: mret in S and U, sret in U
        EXPECT_TRAP 24, 1f, 3
        MRET_TO 1, 3f
3:
2:      mret
        j rvtest_fail
1:      CHECK_TRAP 24, CAUSE_ILLEGAL, 3, 2b
        LOAD_INSN a1, 2b
        # qemu-deviation: 25 (QEMU 7.2 may leave a stale mtval for an xRET found illegal at run time)
        CHECK_TVAL 25, a1
        EXPECT_TRAP 26, 1f, 3
        MRET_TO 0, 3f
3:
2:      mret
        j rvtest_fail
1:      CHECK_TRAP 26, CAUSE_ILLEGAL, 3, 2b
        EXPECT_TRAP 27, 1f, 3
        MRET_TO 0, 3f
3:
2:      sret
        j rvtest_fail
1:      CHECK_TRAP 27, CAUSE_ILLEGAL, 3, 2b
        # S-mode instructions in U: sfence.vma is illegal
        EXPECT_TRAP 28, 1f, 3
        MRET_TO 0, 3f
3:
2:      sfence.vma
        j rvtest_fail
1:      CHECK_TRAP 28, CAUSE_ILLEGAL, 3, 2b

        # TSR: sret in S is illegal
        li t0, MSTATUS_TSR
        csrs mstatus, t0
        EXPECT_TRAP 30, 1f, 3
        MRET_TO 1, 3f
3:      la t0, 4f
        csrw sepc, t0
2:      sret
4:      j rvtest_fail
1:      CHECK_TRAP 30, CAUSE_ILLEGAL, 3, 2b
        li t0, MSTATUS_TSR
        csrc mstatus, t0
        # TVM: satp and sfence.vma in S are illegal
        li t0, MSTATUS_TVM
        csrs mstatus, t0
        EXPECT_TRAP 31, 1f, 3
        MRET_TO 1, 3f
3:
2:      csrr a0, satp
        j rvtest_fail
1:      CHECK_TRAP 31, CAUSE_ILLEGAL, 3, 2b
        EXPECT_TRAP 32, 1f, 3
        MRET_TO 1, 3f
3:
2:      sfence.vma
        j rvtest_fail
1:      CHECK_TRAP 32, CAUSE_ILLEGAL, 3, 2b
        # M is not affected by TVM
        csrr a0, satp
        sfence.vma
        li t0, MSTATUS_TVM
        csrc mstatus, t0
        # without TVM, S reads satp and runs sfence.vma
        EXPECT_TRAP 33, 1f, 3
        MRET_TO 1, 3f
3:      csrr a0, satp
        sfence.vma
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 33, CAUSE_ECALL_S, 3, 2b

        # Kept last: QEMU 7.2 leaves MPRV set.
        # qemu-deviation: 13
        # mret to U clears MPRV (privileged spec 3.1.6.3: an xRET to a mode below M sets MPRV = 0)
        li t0, MSTATUS_MPRV
        csrs mstatus, t0
        CAPTURE_M
        la s10, 1f
        MRET_TO 0, 3f
3:      ecall
1:      UNCAPTURE_M
        li t0, MSTATUS_MPRV
        and a3, a0, t0
        CHECK 13, a3, 0
        li s10, 0

        RVTEST_END

        .text
        .balign 4
capture_m:
        csrr a0, mstatus
        csrr a1, mcause
        csrr a2, mepc
        jr s10
