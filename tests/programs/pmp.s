# Physical memory protection (privileged spec 3.7): with PMP implemented, an S/U access that matches no
# entry fails (an M access succeeds); the lowest-numbered matching entry decides; NAPOT, TOR and NA4
# address matching; R/W/X checked for S and U only unless the entry is locked (L), which applies it to M
# as well. Failures are access faults with mtval = the address (mepc = the target for a fetch).
        .include "rvtest.inc"

        .equ CFG_R, 0x01
        .equ CFG_W, 0x02
        .equ CFG_X, 0x04
        .equ CFG_TOR, 0x08
        .equ CFG_NA4, 0x10
        .equ CFG_NAPOT, 0x18
        .equ CFG_L, 0x80
        .equ REGION_2M, (0x80000000 >> 2) | ((0x200000 >> 3) - 1)     # NAPOT 2 MiB at 0x80000000

# pmpaddrN = NAPOT encoding of the 4 KiB page at label
.macro PMP_NAPOT_4K csr, label
        la t0, \label
        srli t0, t0, 2
        ori t0, t0, (4096 >> 3) - 1
        csrw \csr, t0
.endm

        RVTEST_BEGIN
        # entry 0: page_b read-only (NAPOT 4 KiB); entry 1: the 2 MiB around the program, RWX.
        # Entry 0 wins for page_b although entry 1 matches too.
        PMP_NAPOT_4K pmpaddr0, page_b
        li t0, REGION_2M
        csrw pmpaddr1, t0
        li t0, (CFG_NAPOT | CFG_R) | ((CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 8)
        csrw pmpcfg0, t0
        sfence.vma
        li gp, 5
        MRET_TO 1, 2f
2:      la a1, page_b
        ld a0, 0(a1)                    # read: allowed
        EXPECT_TRAP 5, 3f, 1
4:      sd a0, 8(a1)                    # write: store access fault
        j rvtest_fail
3:      CHECK_TRAP 5, CAUSE_STORE_ACCESS, 3, 4b
        addi a2, a1, 8
        CHECK_TVAL 6, a2
        la a1, page_a
        li a0, 0x77
        sd a0, 0(a1)                    # entry 1: allowed
        ECALL_TO_M 1f
1:      CHECK 7, s8, CAUSE_ECALL_S
        la a1, page_a
        ld a0, 0(a1)
        CHECK 8, a0, 0x77
        la a1, page_b                   # M is not bound by an unlocked entry
        li a0, 0x55
        sd a0, 16(a1)

        # TOR: entry 0 [0, page_b) RWX, entry 1 [page_b, page_b + 4K) R, entry 2 [page_b + 4K, 0x80200000)
        # RWX (each TOR entry starts where the previous pmpaddr ends)
        la t0, page_b
        srli t0, t0, 2
        csrw pmpaddr0, t0
        addi t0, t0, 4096 >> 2
        csrw pmpaddr1, t0
        li t0, 0x80200000 >> 2
        csrw pmpaddr2, t0
        li t0, (CFG_TOR | CFG_R | CFG_W | CFG_X) | ((CFG_TOR | CFG_R) << 8) | ((CFG_TOR | CFG_R | CFG_W | CFG_X) << 16)
        csrw pmpcfg0, t0
        sfence.vma
        li gp, 10
        MRET_TO 1, 2f
2:      la a1, page_b
        ld a0, 16(a1)
        li gp, 10
        li t6, 0x55
        bne a0, t6, rvtest_fail         # read through entry 1
        li t0, 4092
        add a3, a1, t0
        EXPECT_TRAP 11, 3f, 1
4:      sw a0, 0(a3)                    # last word of page_b: entry 1, no W
        j rvtest_fail
3:      CHECK_TRAP 11, CAUSE_STORE_ACCESS, 3, 4b
        CHECK_TVAL 13, a3
        la a1, page_a
        sd a0, 8(a1)                    # entry 0 (below page_b)
        la a1, page_c
        sd a0, 0(a1)                    # entry 2 (above page_b)
        ECALL_TO_M 1f
1:      CHECK 12, s8, CAUSE_ECALL_S

        # NA4: entry 0 = the 4 bytes at page_c + 8 with no permission, entry 1 = the 2 MiB region RWX
        la t0, page_c
        addi t0, t0, 8
        srli t0, t0, 2
        csrw pmpaddr0, t0
        li t0, REGION_2M
        csrw pmpaddr1, t0
        li t0, CFG_NA4 | ((CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 8)
        csrw pmpcfg0, t0
        sfence.vma
        li gp, 15
        MRET_TO 1, 2f
2:      la a1, page_c
        lw a0, 4(a1)                    # the word before: allowed
        lw a0, 12(a1)                   # the word after: allowed
        EXPECT_TRAP 15, 3f, 1
4:      lw a0, 8(a1)
        j rvtest_fail
3:      CHECK_TRAP 15, CAUSE_LOAD_ACCESS, 3, 4b
        addi a2, a1, 8
        CHECK_TVAL 16, a2
        ECALL_TO_M 1f
1:      CHECK 17, s8, CAUSE_ECALL_S

        # U mode is checked like S
        li gp, 18
        MRET_TO 0, 2f
2:      la a1, page_c
        EXPECT_TRAP 18, 3f, 0
4:      lbu a0, 9(a1)
        j rvtest_fail
3:      CHECK_TRAP 18, CAUSE_LOAD_ACCESS, 3, 4b
        ECALL_TO_M 1f
1:      CHECK 19, s8, CAUSE_ECALL_U

        # a locked entry binds M too: page_b read-only for everyone (and stays so until reset)
        PMP_NAPOT_4K pmpaddr0, page_b
        li t0, (CFG_NAPOT | CFG_R | CFG_L) | ((CFG_NAPOT | CFG_R | CFG_W | CFG_X) << 8)
        csrw pmpcfg0, t0
        sfence.vma
        la a1, page_b
        ld a0, 16(a1)                   # M read: allowed
        EXPECT_TRAP 20, 3f, 3
4:      sd a0, 24(a1)                   # M write: store access fault
        j rvtest_fail
3:      CHECK_TRAP 20, CAUSE_STORE_ACCESS, 3, 4b
        csrr a0, pmpcfg0                # locked: the entry's configuration cannot change any more
        li t0, 0xff
        csrc pmpcfg0, t0
        csrr a2, pmpcfg0
        CHECK_REG 21, a0, a2

        # only the locked page_b entry left: an M access that matches nothing succeeds, an S access that
        # matches nothing fails, starting with the fetch of its first instruction
        li t0, CFG_NAPOT | CFG_R | CFG_L
        csrw pmpcfg0, t0
        csrw pmpcfg2, zero
        sfence.vma
        la a1, page_a
        ld a0, 0(a1)                    # M, no match: allowed
        EXPECT_TRAP 22, 1f, 3
        MRET_TO 1, 3f
3:      j rvtest_fail                   # never fetched
1:      li gp, 22
        bnez s10, rvtest_fail
        li t6, CAUSE_FETCH_ACCESS
        bne s8, t6, rvtest_fail
        la a1, 3b
        CHECK_REG 23, s7, a1            # mepc = the target
        CHECK_TVAL 24, a1

        RVTEST_END

        .data
        .balign 4096
page_a: .space 4096
page_b: .space 4096
page_c: .space 4096
