# Zicsr and the machine CSRs (unprivileged spec ch. 9; privileged spec ch. 2, 3.1): read/modify/write
# forms, which forms write (rs1 = x0 / uimm = 0 do not), read-only and missing CSRs raising illegal
# instruction with mtval = the instruction bits, WARL/read-only fields (misa, mstatus.UXL/SXL, mepc bit 0,
# medeleg[11], mideleg), the sstatus/sie views of mstatus/mie, counters and their enables.
        .include "rvtest.inc"
        RVTEST_BEGIN

        # csrrw / csrrs / csrrc and immediate forms on mscratch
        li a1, 0x1234567887654321
        csrw mscratch, a1
        li a2, 0xffff
        csrrw a0, mscratch, a2
        CHECK 2, a0, 0x1234567887654321
        csrr a0, mscratch
        CHECK 3, a0, 0xffff
        li a2, 0xf0000
        csrrs a0, mscratch, a2
        CHECK 4, a0, 0xffff
        csrr a0, mscratch
        CHECK 5, a0, 0xfffff
        li a2, 0xff
        csrrc a0, mscratch, a2
        CHECK 6, a0, 0xfffff
        csrr a0, mscratch
        CHECK 7, a0, 0xfff00
        csrrwi a0, mscratch, 31         # immediate zero-extended
        CHECK 8, a0, 0xfff00
        csrr a0, mscratch
        CHECK 9, a0, 31
        csrrsi a0, mscratch, 0x0
        CHECK 10, a0, 31
        csrrci a0, mscratch, 0x11
        CHECK 11, a0, 31
        csrr a0, mscratch
        CHECK 12, a0, 14
        csrrsi a0, mscratch, 16
        csrr a0, mscratch
        CHECK 13, a0, 30
        # rd = rs1: the old value is read before rs1 is overwritten
        li a1, 77
        csrw mscratch, a1
        li a1, 88
        csrrw a1, mscratch, a1
        CHECK 14, a1, 77
        csrr a0, mscratch
        CHECK 15, a0, 88

        # identification: RV64 (MXL = 2) with I, M, A, S, U
        csrr a0, misa
        srli a1, a0, 62
        CHECK 20, a1, 2
        li a2, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 18) | (1 << 20)
        and a1, a0, a2
        CHECK 21, a1, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 18) | (1 << 20)
        csrr a0, mhartid
        CHECK 22, a0, 0
        # reading a read-only CSR with csrrs/csrrc rs1 = x0 or csrrsi uimm = 0 is not a write
        csrrs a0, mvendorid, x0
        csrrc a0, marchid, x0
        csrrsi a0, mimpid, 0
        csrrci a0, mhartid, 0

        # writes to a read-only CSR are illegal: tval = the instruction bits
        EXPECT_TRAP 23, 1f, 3
2:      csrw mvendorid, a1
        j rvtest_fail
1:      CHECK_TRAP 23, CAUSE_ILLEGAL, 3, 2b
        LOAD_INSN a1, 2b
        # qemu-deviation: 24 (QEMU 7.2 may leave a stale mtval for CSR faults found at run time)
        CHECK_TVAL 24, a1
        EXPECT_TRAP 26, 1f, 3
2:      csrrsi a0, mimpid, 1
        j rvtest_fail
1:      CHECK_TRAP 26, CAUSE_ILLEGAL, 3, 2b
        # a CSR number that does not exist
        EXPECT_TRAP 27, 1f, 3
2:      csrr a0, 0x3ff
        j rvtest_fail
1:      CHECK_TRAP 27, CAUSE_ILLEGAL, 3, 2b
        LOAD_INSN a1, 2b
        CHECK_TVAL 28, a1
        # the destination of a trapping csr instruction is not written
        li a0, 1234
        EXPECT_TRAP 29, 1f, 3
2:      csrrw a0, mvendorid, a0
        j rvtest_fail
1:      CHECK 29, a0, 1234

        # mstatus: UXL and SXL read 2 (64-bit)
        csrr a0, mstatus
        srli a1, a0, 32
        andi a1, a1, 0xf
        CHECK 30, a1, 0xa

        # sstatus is a restricted view of mstatus
        csrwi mstatus, 0
        csrsi sstatus, MSTATUS_SIE
        csrr a0, mstatus
        CHECK 32, a0, MSTATUS_SIE | (0xa << 32)
        csrsi mstatus, MSTATUS_MIE
        csrr a0, sstatus
        andi a0, a0, 0xff
        CHECK 33, a0, MSTATUS_SIE        # MIE is not visible in sstatus
        li a1, MSTATUS_MPP
        csrs sstatus, a1                 # MPP is not writable through sstatus
        csrr a0, mstatus
        and a0, a0, a1
        CHECK 34, a0, 0
        csrr a0, sstatus
        srli a0, a0, 32
        andi a0, a0, 0xf
        CHECK 35, a0, 0x2                # UXL visible in sstatus, SXL not
        csrwi mstatus, 0


        # mideleg delegates only S-level interrupts (M-level bits read zero)
        li a1, -1
        csrw mideleg, a1
        csrr a0, mideleg
        li a1, 0xaaa
        and a0, a0, a1
        CHECK 39, a0, 0x222
        # sie shows the delegated bits of mie only
        csrw mie, zero
        li a1, 0x222
        csrw sie, a1
        csrr a0, mie
        CHECK 40, a0, 0x222
        li a1, 0x80                     # MTIE
        csrs mie, a1
        csrr a0, sie
        CHECK 41, a0, 0x222
        csrw mie, zero
        csrw mideleg, zero
        li a1, 0x2
        csrw sie, a1                    # SSIE not delegated: sie bit reads zero, mie unchanged
        csrr a0, sie
        CHECK 42, a0, 0
        csrr a0, mie
        CHECK 43, a0, 0

        # counters advance; minstret is writable
        csrr a1, instret
        nop
        csrr a2, instret
        li gp, 44
        bleu a2, a1, rvtest_fail
        csrr a1, cycle
        nop
        csrr a2, cycle
        li gp, 45
        bleu a2, a1, rvtest_fail
        csrr a1, mcycle
        csrr a2, mcycle
        li gp, 46
        bltu a2, a1, rvtest_fail
        li a1, 1000
        csrw minstret, a1
        csrr a0, minstret
        li gp, 47
        bltu a0, a1, rvtest_fail
        li a1, 1000 + 100000
        bgeu a0, a1, rvtest_fail

        # counter enables: mcounteren gates S (and U), scounteren gates U
        csrw mcounteren, zero
        csrw scounteren, zero
        EXPECT_TRAP 50, 1f, 3
        MRET_TO 1, 3f
3:
2:      csrr a0, cycle                  # S mode, CY not enabled: illegal
        j rvtest_fail
1:      CHECK_TRAP 50, CAUSE_ILLEGAL, 3, 2b
        csrwi mcounteren, 7
        EXPECT_TRAP 51, 1f, 3           # back to M through ecall afterwards
        MRET_TO 1, 3f
3:      csrr a0, cycle                  # allowed now
        csrr a0, instret
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 51, CAUSE_ECALL_S, 3, 2b
        EXPECT_TRAP 52, 1f, 3
        MRET_TO 0, 3f
3:
2:      csrr a0, instret                # U mode: scounteren.IR = 0, illegal
        j rvtest_fail
1:      CHECK_TRAP 52, CAUSE_ILLEGAL, 3, 2b
        csrwi scounteren, 5             # CY and IR
        EXPECT_TRAP 53, 1f, 3
        MRET_TO 0, 3f
3:      csrr a0, instret
        csrr a0, cycle
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 53, CAUSE_ECALL_U, 3, 2b
        # S mode cannot touch machine CSRs; U mode cannot touch supervisor CSRs
        EXPECT_TRAP 54, 1f, 3
        MRET_TO 1, 3f
3:
2:      csrr a0, mstatus
        j rvtest_fail
1:      CHECK_TRAP 54, CAUSE_ILLEGAL, 3, 2b
        EXPECT_TRAP 55, 1f, 3
        MRET_TO 0, 3f
3:
2:      csrr a0, sscratch
        j rvtest_fail
1:      CHECK_TRAP 55, CAUSE_ILLEGAL, 3, 2b
        # but S mode reads and writes its own
        EXPECT_TRAP 56, 1f, 3
        MRET_TO 1, 3f
3:      li a1, 0x5555
        csrw sscratch, a1
        csrr a0, sscratch
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 56, CAUSE_ECALL_S, 3, 2b
        CHECK 57, a0, 0x5555

        # Cases QEMU 7.2 gets wrong, kept last so that QEMU validates everything before them.
        # qemu-deviation: 31
        # mstatus.MPP is WARL and never holds the reserved mode 2 (privileged spec 3.1.6.1).
        li a1, MSTATUS_MPP
        csrc mstatus, a1
        li a1, 0x1000                   # MPP = 2
        csrs mstatus, a1
        csrr a0, mstatus
        li a1, MSTATUS_MPP
        and a0, a0, a1
        li gp, 31
        li a1, 0x1000
        beq a0, a1, rvtest_fail
        li a1, MSTATUS_MPP
        csrc mstatus, a1

        # mepc[0] and sepc[0] are always zero (privileged spec 3.1.14); QEMU 7.2 keeps the written bit.
        li a1, 0x80000003
        csrw mepc, a1
        csrr a0, mepc
        andi a0, a0, 1
        CHECK 36, a0, 0
        csrw sepc, a1
        csrr a0, sepc
        andi a0, a0, 1
        CHECK 37, a0, 0

        # csrrs with rs1 != x0 is a write attempt even when the value is zero (Zicsr ch. 9.1: "will still
        # attempt to write the unmodified value back"), so it is illegal on a read-only CSR. Spike traps;
        # QEMU 7.2 looks at the written mask instead.
        li a2, 0
        EXPECT_TRAP 25, 1f, 3
2:      csrrs a0, mhartid, a2
        j rvtest_fail
1:      CHECK_TRAP 25, CAUSE_ILLEGAL, 3, 2b

        # The time CSR reads the CLINT's mtime (privileged spec 3.2.1; Spike provides it, QEMU's spike
        # machine does not). S may read it only with mcounteren.TM.
        csrr a0, time
        li t0, CLINT_MTIME
        ld a1, 0(t0)
        csrr a2, time
        li gp, 60
        bltu a1, a0, rvtest_fail
        bltu a2, a1, rvtest_fail
        csrw mcounteren, zero
        EXPECT_TRAP 61, 1f, 3
        MRET_TO 1, 3f
3:
2:      csrr a0, time
        j rvtest_fail
1:      CHECK_TRAP 61, CAUSE_ILLEGAL, 3, 2b
        csrwi mcounteren, 2             # TM
        EXPECT_TRAP 62, 1f, 3
        MRET_TO 1, 3f
3:      csrr a0, time
2:      ecall
        j rvtest_fail
1:      CHECK_TRAP 62, CAUSE_ECALL_S, 3, 2b

        RVTEST_END
