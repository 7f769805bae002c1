# SFENCE.VMA and the A/D bits (privileged spec 4.2.1, 4.3.1, 4.3.2 step 7). A changed PTE is seen after
# sfence.vma (all, one address, one ASID). Accessed/dirty bits follow Svade: an access to a page with
# A = 0, or a store to a page with D = 0, raises a page fault and leaves the PTE unchanged; software
# sets the bit and retries.
        .include "rvtest.inc"
        .include "sv39.inc"

        RVTEST_BEGIN
        VM_SETUP
        MAP4K 0, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sfence.vma
        li gp, 1
        MRET_TO 1, 2f
2:      VA4K a1, 0
        ld a0, 0(a1)
        CHECK 2, a0, PAGE_A_MAGIC
        # remap to page_b (S may write the table: it is in the identity-mapped RAM), flush everything
        MAP4K 0, page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sfence.vma
        ld a0, 0(a1)
        CHECK 3, a0, PAGE_B_MAGIC
        # back to page_a, flush only this address
        MAP4K 0, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sfence.vma a1, zero
        ld a0, 0(a1)
        CHECK 4, a0, PAGE_A_MAGIC
        # flush by ASID 0 (the PTE is not global)
        MAP4K 0, page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sfence.vma zero, zero
        li a2, 0
        sfence.vma zero, a2
        ld a0, 0(a1)
        CHECK 5, a0, PAGE_B_MAGIC
        # invalid -> fault; made valid + flushed -> works
        VA4K a1, 1
        EXPECT_TRAP 6, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 6, CAUSE_LOAD_PAGE, 3, 4b
        MAP4K 1, page_a, PTE_V | PTE_R | PTE_A
        sfence.vma a1, zero
        ld a0, 0(a1)
        CHECK 7, a0, PAGE_A_MAGIC
        # a write through one mapping is visible through another mapping of the same page
        VA4K a1, 0                      # -> page_b
        MAP4K 2, page_b, PTE_V | PTE_R | PTE_A
        sfence.vma
        li a3, 0x600d
        sd a3, 32(a1)
        VA4K a2, 2
        ld a0, 32(a2)
        CHECK 8, a0, 0x600d
        ECALL_TO_M 1f
1:      CHECK 9, s8, CAUSE_ECALL_S

        # Kept last: QEMU 7.2 sets A and D in hardware (Svadu behaviour) instead of faulting.
        # qemu-deviation: 20
        MAP4K 3, page_a, PTE_V | PTE_R | PTE_W | PTE_X           # A = 0, D = 0
        MAP4K 4, page_a, PTE_V | PTE_R | PTE_W | PTE_A           # D = 0
        MAP4K 5, vm_code, PTE_V | PTE_X                          # code page, A = 0
        sfence.vma
        li gp, 19
        MRET_TO 1, 2f
2:      VA4K a1, 3
        EXPECT_TRAP 20, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 20, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 21, a1
        EXPECT_TRAP 22, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 22, CAUSE_STORE_PAGE, 3, 4b
        VA4K a1, 5
        EXPECT_TRAP 23, 3f, 1
4:      jalr ra, 0(a1)
        j rvtest_fail
3:      li gp, 23
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        CHECK_TVAL 24, a1
        # the PTEs were not changed by the faults
        la a2, pt_l0
        ld a0, 24(a2)
        andi a0, a0, PTE_A | PTE_D
        CHECK 25, a0, 0
        # D = 0: loads work, stores fault
        VA4K a1, 4
        ld a0, 0(a1)
        CHECK 26, a0, PAGE_A_MAGIC
        EXPECT_TRAP 27, 3f, 1
4:      sw a0, 4(a1)
        j rvtest_fail
3:      CHECK_TRAP 27, CAUSE_STORE_PAGE, 3, 4b
        addi a1, a1, 4
        CHECK_TVAL 28, a1
        EXPECT_TRAP 29, 3f, 1           # an AMO is a store too
        addi a1, a1, -4
4:      amoadd.d a0, zero, (a1)
        j rvtest_fail
3:      CHECK_TRAP 29, CAUSE_STORE_PAGE, 3, 4b
        la a2, pt_l0
        ld a0, 32(a2)
        andi a0, a0, PTE_D
        CHECK 30, a0, 0
        # software sets D (and A on the other pages), flushes, and the accesses succeed
        MAP4K 4, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        MAP4K 5, vm_code, PTE_V | PTE_X | PTE_A
        sfence.vma
        VA4K a1, 4
        li a3, 0xd1d1
        sd a3, 40(a1)
        ld a0, 40(a1)
        CHECK 31, a0, 0xd1d1
        VA4K a1, 5
        li a0, 0
        jalr ra, 0(a1)
        CHECK 32, a0, 42
        ECALL_TO_M 1f
1:      CHECK 33, s8, CAUSE_ECALL_S

        RVTEST_END
        VM_DATA
