# Sv39 superpages (privileged spec 4.4.1 step 6 and 4.3.2 step 6): a leaf at level 2 maps 1 GiB, at level
# 1 maps 2 MiB, the low VPN bits pass through to the physical address, and a superpage whose PPN is not
# aligned to its size (ppn[0] or ppn[1] non-zero) is a misaligned superpage: page fault.
        .include "rvtest.inc"
        .include "sv39.inc"

        .equ GIGA_VA,  0x0000000100000000       # root[4] -> 1 GiB at PA 0x80000000
        .equ GIGA_BAD, 0x0000000140000000       # root[5] -> PA 0x80200000 (ppn[1] != 0): misaligned
        .equ MEGA_VA,  0x0000000040200000       # pt_l1[1] -> 2 MiB at PA 0x80000000
        .equ MEGA_BAD, 0x0000000040400000       # pt_l1[2] -> PA 0x80001000 (ppn[0] != 0): misaligned

        RVTEST_BEGIN
        VM_SETUP
        PTE_TO_PA pt_root, 4, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        PTE_TO_PA pt_root, 5, 0x80200000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        PTE_TO_PA pt_l1, 1, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        PTE_TO_PA pt_l1, 2, 0x80001000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sfence.vma
        li gp, 1
        MRET_TO 1, 2f
2:
        # 1 GiB: VA offset = PA - 0x80000000
        la a2, page_a
        li t0, 0x80000000
        sub a2, a2, t0                  # offset of page_a in the superpage
        li a1, GIGA_VA
        add a1, a1, a2
        ld a0, 0(a1)
        CHECK 2, a0, PAGE_A_MAGIC
        li t0, 4096
        add t0, a1, t0
        ld a0, 0(t0)                    # page_b follows page_a
        CHECK 3, a0, PAGE_B_MAGIC
        li a3, 0x5555aaaa
        sw a3, 16(a1)                   # write through the superpage, read back physically
        la a4, page_a
        lwu a0, 16(a4)
        CHECK 4, a0, 0x5555aaaa
        # 2 MiB
        li a1, MEGA_VA
        add a1, a1, a2
        ld a0, 0(a1)
        CHECK 5, a0, PAGE_A_MAGIC
        lwu a0, 16(a1)
        CHECK 6, a0, 0x5555aaaa
        # execute through the megapage (X set): vm_code at its offset
        la a1, vm_code
        li t0, 0x80000000
        sub a1, a1, t0
        li t0, MEGA_VA
        add a1, a1, t0
        li a0, 0
        jalr ra, 0(a1)
        CHECK 7, a0, 42
        # misaligned gigapage
        li a1, GIGA_BAD
        EXPECT_TRAP 8, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 8, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 9, a1
        li a1, GIGA_BAD + 0x1238
        EXPECT_TRAP 10, 3f, 1
4:      sd a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 10, CAUSE_STORE_PAGE, 3, 4b
        CHECK_TVAL 11, a1
        # misaligned megapage
        li a1, MEGA_BAD + 8
        EXPECT_TRAP 12, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 12, CAUSE_LOAD_PAGE, 3, 4b
        CHECK_TVAL 13, a1
        # the 4 KiB region next to the megapages still walks to level 0 (pt_l1[0] -> pt_l0, empty)
        li a1, VA4K_BASE + 0x3000
        EXPECT_TRAP 14, 3f, 1
4:      ld a0, 0(a1)
        j rvtest_fail
3:      CHECK_TRAP 14, CAUSE_LOAD_PAGE, 3, 4b
        ECALL_TO_M 1f
1:      CHECK 15, s8, CAUSE_ECALL_S

        RVTEST_END
        VM_DATA
