# Sv39 translation (privileged spec 4.3.2 steps, 4.4): 4 KiB pages read and written through their
# virtual addresses, and every page-fault rule: V = 0, R = 0 with W = 1 (reserved), no R for a load, no
# W for a store, no X for a fetch, a pointer PTE at level 0, a non-canonical address (bits 63..39 not
# equal to bit 38), U pages from S and S pages from U, reserved PTE bits, a walk that leaves physical
# memory (access fault), an unsupported satp MODE (write ignored). Faults go to M with mtval = the virtual address
# and mepc = the faulting instruction (or target for a fetch); delegated, they go to S alike.
        .include "rvtest.inc"
        .include "sv39.inc"

        RVTEST_BEGIN
        VM_SETUP
        MAP4K 0, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        MAP4K 1, page_a, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D        # V = 0
        MAP4K 2, page_a, PTE_V | PTE_R | PTE_A                        # read-only
        MAP4K 3, page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D        # not executable
        MAP4K 4, vm_code, PTE_V | PTE_X | PTE_A                       # execute-only
        MAP4K 5, page_a, PTE_V | PTE_W | PTE_A | PTE_D                # W without R: reserved
        MAP4K 6, page_b, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D  # user page
        MAP4K 7, page_a, PTE_V                                        # pointer at level 0
        MAP4K 8, page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        MAP4K 9, vm_code, PTE_V | PTE_X | PTE_U | PTE_A               # user code
        sfence.vma

        li gp, 1                        # run the S part; it comes back with an ecall
        MRET_TO 1, 2f
2:
        # reads through a 4 KiB mapping
        VA4K a1, 0
        ld a0, 0(a1)
        CHECK 2, a0, PAGE_A_MAGIC
        VA4K a1, 8
        ld a0, 0(a1)
        CHECK 3, a0, PAGE_B_MAGIC
        # a write through the mapping lands in the physical page
        VA4K a1, 0, 8
        li a2, 0x123456789
        sd a2, 0(a1)
        la a3, page_a                   # identity mapping: the physical address works in S too
        ld a0, 8(a3)
        CHECK 4, a0, 0x123456789
        # execute from an X-only page
        VA4K a1, 4
        li a0, 0
        jalr ra, 0(a1)
        CHECK 5, a0, 42

        # V = 0
        VA4K a1, 1, 16
        EXPECT_TRAP 10, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 10, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 11, a1
        EXPECT_TRAP 12, 3f, 1
4:      sw a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 12, CAUSE_STORE_PAGE, 3, 4b
        CHECK_TVAL 13, a1
        # store to a read-only page
        VA4K a1, 2, 0x7f8
        EXPECT_TRAP 14, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 14, CAUSE_STORE_PAGE, 3, 4b
        CHECK_TVAL 15, a1
        ld a0, 0(a1)                    # but loads work
        # an AMO needs write permission: store/AMO page fault
        EXPECT_TRAP 16, 3f, 1
4:      amoor.d a0, zero, (a1)
        j rvtest_fail
3:      CHECK_TRAP 16, CAUSE_STORE_PAGE, 3, 4b
        # fetch from a page without X: mepc = mtval = the target
        VA4K a1, 3, 0x40
        EXPECT_TRAP 17, 3f, 1
4:      jalr ra, 0(a1)
        j rvtest_fail
3:      li gp, 17
        bnez s10, rvtest_fail
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        CHECK_REG 18, s7, a1
        CHECK_TVAL 19, a1
        # load from an execute-only page (MXR = 0)
        VA4K a1, 4
        EXPECT_TRAP 20, 3f, 1
4:      lw a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 20, CAUSE_LOAD_PAGE, 3, 4b
        # W without R is reserved: loads and stores fault
        VA4K a1, 5
        EXPECT_TRAP 21, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 21, CAUSE_LOAD_PAGE, 3, 4b
        EXPECT_TRAP 22, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 22, CAUSE_STORE_PAGE, 3, 4b
        # a U page from S with SUM = 0
        VA4K a1, 6
        EXPECT_TRAP 23, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 23, CAUSE_LOAD_PAGE, 3, 4b
        # a pointer PTE at the last level
        VA4K a1, 7
        EXPECT_TRAP 24, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 24, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 25, a1
        # non-canonical virtual addresses
        li a1, 0x0000004000000000       # bit 38 set, bits 63..39 clear
        EXPECT_TRAP 26, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 26, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 27, a1
        li a1, 0xffffff8080000000       # bits 63..39 set, bit 38 clear
        EXPECT_TRAP 28, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 28, CAUSE_STORE_PAGE, 3, 4b
        CHECK_TVAL 29, a1
        # an unmapped address in an empty root slot
        li a1, 0x0000001000000000
        EXPECT_TRAP 30, 3f, 1
4:      lbu a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 30, CAUSE_LOAD_PAGE, 3, 4b
        ECALL_TO_M 1f
        j rvtest_fail
1:      CHECK 31, s8, CAUSE_ECALL_S

        # U mode: its own pages work, S pages (U = 0) fault, code runs from the U alias
        li gp, 40
        MRET_TO_U_ALIAS 2f
2:      VA4K a1, 6
        ld a0, 0(a1)
        li t6, PAGE_B_MAGIC
        li gp, 40
        bne a0, t6, rvtest_fail
        VA4K a1, 9
        li a0, 0
        jalr ra, 0(a1)                  # U code page
        li t6, 42
        li gp, 41
        bne a0, t6, rvtest_fail
        VA4K a1, 0
        EXPECT_TRAP 42, 3f, 0
4:      ld a0, 0(a1)
        j rvtest_fail
3:      li gp, 42
        li t6, CAUSE_LOAD_PAGE
        bne s8, t6, rvtest_fail
        CHECK_TVAL 43, a1
        VA4K a1, 4                      # S-only code page: fetch faults in U
        EXPECT_TRAP 44, 3f, 0
        jalr ra, 0(a1)
        j rvtest_fail
3:      li gp, 44
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        U_ALIAS_ECALL_TO_M 1f
        j rvtest_fail
1:      CHECK 45, s8, CAUSE_ECALL_U

        # page faults delegated to S: the S handler (identity-mapped) sees scause/stval/sepc
        la t0, rvtest_trap_s
        csrw stvec, t0
        li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
        csrw medeleg, t0
        li gp, 50
        MRET_TO 1, 2f
2:      VA4K a1, 1, 8
        EXPECT_TRAP 51, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 51, CAUSE_LOAD_PAGE, 1, 4b
        CHECK_TVAL 52, a1
        VA4K a1, 2
        EXPECT_TRAP 53, 3f, 1
4:      sb a0, 3(a1)
        j rvtest_fail
3:      CHECK_TRAP 53, CAUSE_STORE_PAGE, 1, 4b
        addi a1, a1, 3
        CHECK_TVAL 54, a1
        ECALL_TO_M 1f
        j rvtest_fail
1:      CHECK 55, s8, CAUSE_ECALL_S
        csrw medeleg, zero

        # a PTE with a reserved bit (63..54, here 60) set is a page fault (privileged spec 4.4.1)
        li t0, 1 << 60
        la t1, pt_l0
        ld t2, 0(t1)                    # VA4K(0): a good page
        or t2, t2, t0
        sd t2, 80(t1)                   # VA4K(10): the same PTE with bit 60 set
        sfence.vma
        li gp, 70
        MRET_TO 1, 2f
2:      VA4K a1, 10
        EXPECT_TRAP 70, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 70, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 71, a1
        ECALL_TO_M 1f
1:      CHECK 76, s8, CAUSE_ECALL_S
        # writing satp with an unsupported MODE (1-7 are reserved) has no effect at all (4.1.11)
        csrr a2, satp
        li t0, (1 << 60) | 0x1234
        csrw satp, t0
        csrr a0, satp
        CHECK_REG 75, a0, a2

        # with satp.MODE = Bare again, S accesses are physical
        csrw satp, zero
        sfence.vma
        li gp, 60
        MRET_TO 1, 2f
2:      la a1, page_b
        ld a0, 0(a1)
        li t6, PAGE_B_MAGIC
        li gp, 60
        bne a0, t6, rvtest_fail
        ECALL_TO_M 1f
1:      CHECK 61, s8, CAUSE_ECALL_S

        # Kept last: QEMU 7.2 reports a page fault here.
        # qemu-deviation: 72
        # a pointer to a page table outside physical memory: the walk's own access faults, reported as
        # an access fault of the original kind (4.3.2 step 2)
        li t0, (0x08000000 >> 12) << 10 | PTE_V
        la t1, pt_root
        sd t0, 48(t1)                   # root[6] -> "table" at PA 0x08000000 (a hole in the map, traps.s)
        SATP_ON pt_root
        li gp, 72
        MRET_TO 1, 2f
2:
        li a1, 6 << 30
        EXPECT_TRAP 72, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 72, CAUSE_LOAD_ACCESS, 3, 4b
        EXPECT_TRAP 73, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 73, CAUSE_STORE_ACCESS, 3, 4b
        ECALL_TO_M 1f
1:      CHECK 74, s8, CAUSE_ECALL_S

        RVTEST_END
        VM_DATA
