# A 32-bit instruction that starts in the last two bytes of a page and ends in the next (possible only
# with C, unprivileged spec 1.5: instructions are fetched as 16-bit parcels), executed in M mode and
# then in S mode under Sv39 with the two pages mapped to physical pages that are NOT adjacent: the
# second half must come from the second page's own translation. A fetch whose second page is unmapped
# raises an instruction page fault with mtval = the address of that second page (privileged spec
# 3.1.16: tval is the faulting portion's address) and mepc = the instruction.
# needs: C
# qemu-crash: QEMU 7.2 aborts on this program (translator_access assertion in accel/tcg/translator.c)
        .include "rvtest.inc"
        .include "sv39.inc"

        RVTEST_BEGIN
        # physical: straddle_page (code, last 4 bytes: c.nop + first half of addi) then its next page
        li a0, 1
        call straddle
        CHECK 2, a0, 2

        # virtual: VA4K(0) -> straddle_page, VA4K(1) -> a copy of the next page elsewhere (page_b)
        VM_SETUP
        la t0, straddle_page
        li t1, 4096
        add t0, t0, t1                  # the physical page after straddle_page
        la t1, page_b
        li t2, 512
1:      ld t3, 0(t0)                    # copy it into page_b, so the second half comes from there
        sd t3, 0(t1)
        addi t0, t0, 8
        addi t1, t1, 8
        addi t2, t2, -1
        bnez t2, 1b
        fence.i
        MAP4K 0, straddle_page, PTE_V | PTE_R | PTE_X | PTE_A
        MAP4K 1, page_b, PTE_V | PTE_R | PTE_X | PTE_A
        sfence.vma
        li gp, 3
        MRET_TO 1, 2f
2:      VA4K t0, 0, 4092                # `straddle` in the virtual copy
        li a0, 10
        jalr ra, 0(t0)
        CHECK 3, a0, 11
        # the second page unmapped: fetch page fault on the second half
        MAP4K 1, page_b, 0
        sfence.vma
        VA4K t0, 0, 4092
        VA4K t1, 0, 4094                # the addi
        VA4K t2, 1                      # its second half
        EXPECT_TRAP 4, 3f, 1
        jalr ra, 0(t0)
        j rvtest_fail
3:      li gp, 4
        bnez s10, rvtest_fail
        li t6, CAUSE_FETCH_PAGE
        bne s8, t6, rvtest_fail
        CHECK_REG 5, s7, t1             # mepc: the instruction
        CHECK_TVAL 6, t2                # mtval: the part that faulted
        ECALL_TO_M 1f
1:      CHECK 7, s8, CAUSE_ECALL_S

        RVTEST_END
        VM_DATA

        .text
        .balign 4096
straddle_page:
        .skip 4092
straddle:
        c.nop
        .option push
        .option norvc
        addi a0, a0, 1                  # bytes 4094..4097: crosses into the next page
        .option pop
        ret
        .balign 4096
