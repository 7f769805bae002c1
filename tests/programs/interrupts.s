# Machine-level interrupts (privileged spec 3.1.9, 3.2.1 CLINT-style mtime/mtimecmp, 3.3.3 WFI): CLINT
# msip raises MSIP, mtimecmp <= mtime raises MTIP, mip reports pending bits without mie, an interrupt is
# taken only when enabled (mie bit, and mstatus.MIE in M; always below M), mepc is the next instruction
# to run, WFI wakes on a pending enabled interrupt even with MIE = 0, and simultaneous interrupts are
# taken in the fixed priority order MEI > MSI > MTI > SEI > SSI > STI; vectored mtvec sends interrupts
# to BASE + 4 * code and exceptions to BASE.
        .include "rvtest.inc"

        .equ MIP_SSIP, 0x2
        .equ MIP_MSIP, 0x8
        .equ MIP_STIP, 0x20
        .equ MIP_MTIP, 0x80

# a0 = number of logged interrupts, a1 = address of the log
.macro IRQ_COUNT
        la a1, rvtest_irq_count
        ld a0, 0(a1)
        la a1, rvtest_irq_log
.endm

        RVTEST_BEGIN
        # no timer interrupt until a test asks for one
        li t0, CLINT_MTIMECMP
        li t1, -1
        sd t1, 0(t0)

        # msip -> mip.MSIP, visible without being enabled, not taken while disabled
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        csrr a0, mip
        andi a0, a0, MIP_MSIP
        CHECK 2, a0, MIP_MSIP
        csrsi mstatus, MSTATUS_MIE      # MIE on, mie.MSIE off: nothing taken
        nop
        IRQ_COUNT
        CHECK 3, a0, 0
        csrci mstatus, MSTATUS_MIE
        li t0, MIP_MSIP
        csrs mie, t0                    # enabled in mie, MIE off in M: nothing taken
        nop
        IRQ_COUNT
        CHECK 4, a0, 0
        csrsi mstatus, MSTATUS_MIE      # now it is taken, right after this instruction
2:      nop
        IRQ_COUNT
        CHECK 5, a0, 1
        ld a2, 0(a1)
        CHECK 6, a2, 0x303
        CHECK 7, s8, 0x8000000000000003
        la a3, 2b
        CHECK_REG 8, s7, a3             # mepc: the instruction not yet executed
        li t0, CLINT_MSIP
        lw a0, 0(t0)
        CHECK 9, a0, 0                  # the handler cleared it
        csrr a0, mip
        andi a0, a0, MIP_MSIP
        CHECK 10, a0, 0
        csrr a0, mstatus
        andi a0, a0, MSTATUS_MIE
        CHECK 11, a0, MSTATUS_MIE       # mret restored MIE
        csrci mstatus, MSTATUS_MIE
        csrw mie, zero

        # timer: mtimecmp in the future -> not pending; WFI with MIE = 0 wakes when it fires
        li t0, CLINT_MTIME
        ld a0, 0(t0)
        addi a0, a0, 200
        li t0, CLINT_MTIMECMP
        sd a0, 0(t0)
        li t0, MIP_MTIP
        csrw mie, t0
        li a2, 1000000
3:      csrr a0, mip                    # wait for MTIP (bounded; WFI below must wake at the latest)
        andi a0, a0, MIP_MTIP
        bnez a0, 4f
        wfi
        addi a2, a2, -1
        bnez a2, 3b
        CHECK 12, a2, 1                 # timed out
4:      IRQ_COUNT
        CHECK 13, a0, 1                 # pending, not taken (MIE = 0)
        li t0, CLINT_MTIME              # mtime advanced to mtimecmp
        ld a0, 0(t0)
        li t0, CLINT_MTIMECMP
        ld a1, 0(t0)
        li gp, 14
        bltu a0, a1, rvtest_fail
        csrsi mstatus, MSTATUS_MIE
        nop
        IRQ_COUNT
        CHECK 15, a0, 2
        ld a2, 8(a1)
        CHECK 16, a2, 0x307
        csrr a0, mip
        andi a0, a0, MIP_MTIP
        CHECK 17, a0, 0                 # mtimecmp moved out of reach: MTIP dropped
        csrci mstatus, MSTATUS_MIE
        csrw mie, zero

        # below M, machine interrupts are taken whatever mstatus.MIE says
        li t0, MIP_MSIP
        csrw mie, t0
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        csrci mstatus, MSTATUS_MIE
        MRET_TO 1, 5f
5:      nop                             # taken here, in S
        nop
        BACK_TO_M
        csrci mstatus, MSTATUS_MIE      # mret set MIE from MPIE (1) on the way down and back up
        IRQ_COUNT
        CHECK 18, a0, 3
        ld a2, 16(a1)
        CHECK 19, a2, 0x303
        csrw mie, zero

        # mip.SSIP and STIP are writable by M; MSIP and MTIP are not (they follow the CLINT)
        li t0, MIP_MSIP | MIP_MTIP
        csrs mip, t0
        csrr a0, mip
        and a0, a0, t0
        CHECK 26, a0, 0

        # vectored mtvec (MODE = 1, privileged spec 3.1.7): an interrupt goes to BASE + 4 * code, an
        # exception still to BASE. MODE is WARL: skipped when the hart keeps it direct.
        la t0, vector_table + 1
        csrw mtvec, t0
        csrr t1, mtvec
        andi t1, t1, 3
        li t2, 1
        bne t1, t2, 8f
        li s4, 0
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        li t0, MIP_MSIP
        csrw mie, t0
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        CHECK 30, s4, 3                 # entered through vector_table + 12
        IRQ_COUNT
        CHECK 31, a0, 4
        csrw mie, zero
        li s4, 0
        EXPECT_TRAP 32, 1f, 3           # an exception in vectored mode: BASE, not BASE + 4 * cause
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 32, CAUSE_ECALL_M, 3, 2b
        CHECK 33, s4, 0x100
8:      la t0, rvtest_trap_m
        csrw mtvec, t0

        # priority: MSI, MTI, SSI and STI pending together, all enabled, none delegated. Kept last: QEMU 7.2
        # takes them lowest code first (SSI, MSI, STI, MTI).
        # qemu-deviation: 22
        li t0, CLINT_MSIP
        li t1, 1
        sw t1, 0(t0)
        li t0, CLINT_MTIMECMP
        sd zero, 0(t0)
        li t0, MIP_SSIP | MIP_STIP
        csrs mip, t0
        li t0, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP
        csrw mie, t0
6:      csrr a0, mip                    # wait until the timer compare is seen
        andi a0, a0, MIP_MTIP
        beqz a0, 6b
        csrr a0, mip
        li t0, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP
        and a0, a0, t0
        CHECK 20, a0, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP
        csrsi mstatus, MSTATUS_MIE
        nop
        csrci mstatus, MSTATUS_MIE
        IRQ_COUNT
        CHECK 21, a0, 8
        ld a2, 32(a1)
        CHECK 22, a2, 0x303
        ld a2, 40(a1)
        CHECK 23, a2, 0x307
        ld a2, 48(a1)
        CHECK 24, a2, 0x301
        ld a2, 56(a1)
        CHECK 25, a2, 0x305
        csrw mie, zero

        RVTEST_END

        .text
        .balign 256
vector_table:                           # entry k at vector_table + 4 k (each a 4-byte jump)
        .option push
        .option norvc
        j vec_exception                 # 0: exceptions
        j rvtest_fail                   # 1: SSI (not expected here)
        j rvtest_fail                   # 2
        j vec_msi                       # 3: MSI
        .rept 12
        j rvtest_fail
        .endr
        .option pop
vec_exception:
        li s4, 0x100
        j rvtest_trap_m
vec_msi:
        li s4, 3
        j rvtest_trap_m
