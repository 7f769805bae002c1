# mstatus.SUM, MXR and MPRV (privileged spec 3.1.6.3, 4.3.2 step 5): S reaches U pages only with SUM
# and never executes them; MXR makes execute-only pages readable (not writable); MPRV makes M-mode loads
# and stores (not fetches) translate and check permissions as in MPP's mode.
        .include "rvtest.inc"
        .include "sv39.inc"

        RVTEST_BEGIN
        VM_SETUP
        MAP4K 0, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D                  # S data
        MAP4K 1, page_b, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D          # U data
        MAP4K 2, vm_code, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A                 # U code
        MAP4K 3, page_a, PTE_V | PTE_X | PTE_A                                  # execute-only
        MAP4K 4, page_b, PTE_V | PTE_R | PTE_U | PTE_A                          # U read-only
        sfence.vma

        # SUM = 0: S cannot load or store U pages
        li gp, 1
        MRET_TO 1, 2f
2:      VA4K a1, 1
        EXPECT_TRAP 2, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 2, CAUSE_LOAD_PAGE, 3, 4b
        EXPECT_TRAP 3, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 3, CAUSE_STORE_PAGE, 3, 4b
        # SUM = 1: it can
        li t0, MSTATUS_SUM
        csrs sstatus, t0
        ld a0, 0(a1)
        CHECK 4, a0, PAGE_B_MAGIC
        li a2, 77
        sd a2, 8(a1)
        ld a0, 8(a1)
        CHECK 5, a0, 77
        # but never fetch from them
        VA4K a1, 2
        EXPECT_TRAP 6, 3f, 1
4:      jalr ra, 0(a1)
        j rvtest_fail
3:      li gp, 6
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        CHECK_TVAL 7, a1
        # SUM does not grant writes to a read-only U page
        VA4K a1, 4
        ld a0, 0(a1)
        EXPECT_TRAP 8, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 8, CAUSE_STORE_PAGE, 3, 4b
        li t0, MSTATUS_SUM
        csrc sstatus, t0

        # MXR = 0: execute-only page not readable; MXR = 1: readable, still not writable
        VA4K a1, 3
        EXPECT_TRAP 10, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 10, CAUSE_LOAD_PAGE, 3, 4b
        li t0, MSTATUS_MXR
        csrs sstatus, t0
        ld a0, 0(a1)
        CHECK 11, a0, PAGE_A_MAGIC
        EXPECT_TRAP 12, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 12, CAUSE_STORE_PAGE, 3, 4b
        li t0, MSTATUS_MXR
        csrc sstatus, t0
        ECALL_TO_M 1f
1:      CHECK 13, s8, CAUSE_ECALL_S

        # MPRV with MPP = S: M-mode loads and stores translate
        li t0, MSTATUS_MPP
        csrc mstatus, t0
        li t0, MSTATUS_MPRV | 0x0800    # MPRV, MPP = S
        csrs mstatus, t0
        VA4K a1, 0
        ld a0, 0(a1)
        CHECK 20, a0, PAGE_A_MAGIC
        li a2, 0x1234
        sd a2, 24(a1)
        # as S: a U page faults without SUM (the trap goes to M, from M)
        VA4K a1, 1
        EXPECT_TRAP 21, 3f, 3
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 21, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 22, a1
        # the handler's mret (back to M) left MPRV set and MPP = U (an xRET sets xPP to the least mode)
        csrr a0, mstatus
        li t0, MSTATUS_MPRV | MSTATUS_MPP
        and a0, a0, t0
        CHECK 23, a0, MSTATUS_MPRV
        # so M-mode data accesses now translate as U: the U page is readable, the S page faults
        VA4K a1, 1
        ld a0, 0(a1)
        CHECK 25, a0, PAGE_B_MAGIC
        VA4K a1, 0
        EXPECT_TRAP 26, 3f, 3
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 26, CAUSE_LOAD_PAGE, 3, 4b
        # MPRV does not affect fetches: M keeps running from physical addresses (it just did)
        li t0, MSTATUS_MPRV | MSTATUS_MPP
        csrc mstatus, t0
        la a3, page_a                   # the store made through MPRV reached page_a
        ld a0, 24(a3)
        CHECK 24, a0, 0x1234
        # without MPRV, M is untranslated: the test VA is not RAM (access fault)
        VA4K a1, 0
        EXPECT_TRAP 27, 3f, 3
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 27, CAUSE_LOAD_ACCESS, 3, 4b

        # Kept last: QEMU 7.2 lets S execute a U page once an S load with SUM = 1 has touched it.
        # qemu-deviation: 30
        # Whatever S loaded from a U page under SUM, it still may not execute it (4.3.1).
        li gp, 29
        MRET_TO 1, 2f
2:      li t0, MSTATUS_SUM
        csrs sstatus, t0
        VA4K a1, 2                      # U code page, readable
        lw a0, 0(a1)
        EXPECT_TRAP 30, 3f, 1
        jalr ra, 0(a1)
        j rvtest_fail
3:      li gp, 30
        bnez s10, rvtest_fail
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        CHECK_TVAL 31, a1
        ECALL_TO_M 1f
1:      CHECK 32, s8, CAUSE_ECALL_S

        RVTEST_END
        VM_DATA
