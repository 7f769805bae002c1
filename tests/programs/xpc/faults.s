# XPC faults (docs/xpc.md §6): each cause with its tval and epc, nothing changed by a faulting
# instruction, delegation through medeleg to S-mode, engine accesses outside RAM, and the CSR access
# rules (supervisor CSRs illegal from U-mode, read-only ones unwritable).
        .include "rvtest.inc"
        .include "xpc.inc"
        .equ NOT_RAM, 0x70000000
        RVTEST_BEGIN
        XPC_INIT
        XENTRY 0, xpc_root_b, 2, callee_b, xpc_cap_b, xpc_seglist_b, 1, 1
        XENTRY 1, xpc_root_c, 3, callee_c, xpc_cap_c, xpc_seglist_c, 0, 1
        XENTRY 2, xpc_root_c, 3, callee_c, xpc_cap_c, xpc_seglist_c, 0, 0
        XENTRY 3, xpc_root_c, 3, callee_c, xpc_cap_c, xpc_seglist_c, 0, 1
        XPC_SET_SEG SEG_VA, SEG_PA, 0x100, SEG_R|SEG_W
        MRET_TO 0, user_a

user_a:
        # 24: id beyond the table.
        EXPECT_TRAP 2, 1f, 0
        li t0, XENTRY_COUNT
f_size:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 3, XPC_CAUSE_ENTRY, 3, f_size
        li t0, XENTRY_COUNT
        CHECK_TVAL 4, t0
        EXPECT_TRAP 5, 1f, 0
        li t0, -1
f_huge:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 6, XPC_CAUSE_ENTRY, 3, f_huge
        li t0, -1
        CHECK_TVAL 7, t0
        # 24: granted, but the entry's valid bit is clear.
        EXPECT_TRAP 8, 1f, 0
        li t0, 2
f_invalid:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 9, XPC_CAUSE_ENTRY, 3, f_invalid
        li t0, 2
        CHECK_TVAL 10, t0
        # 25: a valid entry A holds no capability for.
        EXPECT_TRAP 11, 1f, 0
        li t0, 3
f_nocap:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 12, XPC_CAUSE_CAP, 3, f_nocap
        li t0, 3
        CHECK_TVAL 13, t0
        # 26: xret with nothing to return to.
        EXPECT_TRAP 14, 1f, 0
f_xret_empty:
        xret
        j rvtest_fail
1:      CHECK_TRAP 15, XPC_CAUSE_LINKAGE, 3, f_xret_empty
        CHECK_TVAL 16, zero
        # 27: swapseg beyond the seg-list (A's has 2 entries).
        EXPECT_TRAP 17, 1f, 0
        li t1, 2
f_swap_index:
        swapseg t1
        j rvtest_fail
1:      CHECK_TRAP 18, XPC_CAUSE_SEG, 3, f_swap_index
        li t1, 2
        CHECK_TVAL 19, t1
        # 27: a seg-mask reaching past the segment's end (the segment is 0x100 bytes), then one that
        # starts past it.
        li t0, 0x80
        csrw xsegmask_off, t0
        li t0, 0x81
        csrw xsegmask_len, t0
        EXPECT_TRAP 20, 1f, 0
        li t0, 0
f_mask:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 21, XPC_CAUSE_SEG, 3, f_mask
        CHECK_TVAL 22, zero
        csrr t0, xsegmask_len
        CHECK 23, t0, 0x81              # a faulting xcall changes nothing
        li t0, 0x100
        csrw xsegmask_off, t0
        li t0, 1
        csrw xsegmask_len, t0
        EXPECT_TRAP 24, 1f, 0
        li t0, 0
f_mask2:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 25, XPC_CAUSE_SEG, 3, f_mask2
        # The exact fit is fine: [0x80, 0x100).
        li t0, 0x80
        csrw xsegmask_off, t0
        csrw xsegmask_len, t0
        li a0, 0                        # B: no nested call
        li t0, 0
        xcall t0
        CHECK 26, a1, 0x80              # B saw an 0x80-byte segment

        # 28: B calls C with a link stack that holds one record only (the kernel set it so, below).
        BACK_TO_M
        csrr t0, xlink_base
        addi t0, t0, 128
        csrw xlink_limit, t0
        MRET_TO 0, 2f
2:      li a0, 1                        # B: try to call C
        li t0, 0
        xcall t0
        CHECK 30, a0, 0x28              # B saw the overflow
        BACK_TO_M
        # Nothing was pushed by the faulting call.
        csrr t0, xlink_top
        csrr t1, xlink_base
        CHECK_REG 31, t0, t1
        la t0, xpc_link_stack_end
        csrw xlink_limit, t0

        # 26: a top record that is not valid (the kernel moved xlink_top over a zeroed record).
        la t2, xpc_link_stack
        sd zero, 104(t2)
        addi t0, t2, 128
        csrw xlink_top, t0
        EXPECT_TRAP 40, 1f, 3
f_xret_invalid:
        xret
        j rvtest_fail
1:      CHECK_TRAP 41, XPC_CAUSE_LINKAGE, 3, f_xret_invalid
        CHECK_TVAL 42, zero
        csrr t0, xlink_top
        addi t0, t0, -128
        CHECK_LABEL 43, t0, xpc_link_stack   # unchanged
        csrw xlink_top, t2

        # Engine accesses outside RAM: access faults with tval = the physical address.
        li t0, NOT_RAM
        csrw xentry_base, t0
        EXPECT_TRAP 44, 1f, 3
        li t0, 1
f_table_not_ram:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 45, CAUSE_LOAD_ACCESS, 3, f_table_not_ram
        li t0, NOT_RAM + 64
        CHECK_TVAL 46, t0
        la t0, xpc_xentry_table
        csrw xentry_base, t0
        li t0, NOT_RAM
        csrw xlink_top, t0
        li t1, NOT_RAM + 0x1000
        csrw xlink_limit, t1
        EXPECT_TRAP 47, 1f, 3
        li t0, 1
f_push_not_ram:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 48, CAUSE_STORE_ACCESS, 3, f_push_not_ram
        li t0, NOT_RAM
        CHECK_TVAL 49, t0
        csrr t0, satp
        SATP_OF t1, xpc_root_a, 1
        CHECK_REG 50, t0, t1            # still A's space
        csrw xlink_top, t2
        la t0, xpc_link_stack_end
        csrw xlink_limit, t0

        # Delegation: with medeleg bit 24 set, an S-mode xcall of a bad id goes to the S handler.
        li t0, 1 << XPC_CAUSE_ENTRY
        csrw medeleg, t0
        la t0, rvtest_trap_s
        csrw stvec, t0
        csrw satp, zero
        sfence.vma
        MRET_TO 1, 2f
2:      csrr t0, xentry_base            # S-mode may use the supervisor XPC CSRs
        CHECK_LABEL 60, t0, xpc_xentry_table
        EXPECT_TRAP 61, 1f, 1
        li t0, 9
f_delegated:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 62, XPC_CAUSE_ENTRY, 1, f_delegated
        li t0, 9
        CHECK_TVAL 63, t0
        csrr t0, scause
        CHECK 64, t0, XPC_CAUSE_ENTRY
        # Not delegated: 25 still goes to M.
        EXPECT_TRAP 65, 1f, 1
        li t0, 3
f_not_delegated:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 66, XPC_CAUSE_CAP, 3, f_not_delegated
        # mstatus.TVM: S-mode may not write satp, so neither xcall nor xret (illegal instructions).
        BACK_TO_M
        li t0, MSTATUS_TVM
        csrs mstatus, t0
        MRET_TO 1, 2f
2:      EXPECT_TRAP 67, 1f, 1
        li t0, 0
f_tvm_xcall:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 68, CAUSE_ILLEGAL, 3, f_tvm_xcall
        EXPECT_TRAP 69, 1f, 1
f_tvm_xret:
        xret
        j rvtest_fail
1:      CHECK_TRAP 90, CAUSE_ILLEGAL, 3, f_tvm_xret
        BACK_TO_M
        li t0, MSTATUS_TVM
        csrc mstatus, t0
        csrw medeleg, zero
        XPC_SATP_A
        MRET_TO 0, user_csr

        # CSR rules from U-mode: supervisor XPC CSRs are illegal instructions (tval = the bits), so is a
        # write to a read-only one; the user ones work.
user_csr:
        EXPECT_TRAP 70, 1f, 0
f_u_read_s:
        csrr t0, xentry_base
        j rvtest_fail
1:      CHECK_TRAP 71, CAUSE_ILLEGAL, 3, f_u_read_s
        la t0, f_u_read_s
        lwu t0, 0(t0)
        CHECK_TVAL 72, t0
        EXPECT_TRAP 73, 1f, 0
f_u_write_s:
        csrw xcap, zero
        j rvtest_fail
1:      CHECK_TRAP 74, CAUSE_ILLEGAL, 3, f_u_write_s
        EXPECT_TRAP 75, 1f, 0
f_u_seg:
        csrw xseg_len, zero
        j rvtest_fail
1:      CHECK_TRAP 76, CAUSE_ILLEGAL, 3, f_u_seg
        EXPECT_TRAP 77, 1f, 0
f_u_link:
        csrs xlink_top, t0
        j rvtest_fail
1:      CHECK_TRAP 78, CAUSE_ILLEGAL, 3, f_u_link
        EXPECT_TRAP 79, 1f, 0
f_u_caller:
        csrw xcaller, zero
        j rvtest_fail
1:      CHECK_TRAP 80, CAUSE_ILLEGAL, 3, f_u_caller
        la t0, f_u_caller
        lwu t0, 0(t0)
        CHECK_TVAL 81, t0
        EXPECT_TRAP 82, 1f, 0
f_u_uxseg:
        csrwi uxseg_len, 0
        j rvtest_fail
1:      CHECK_TRAP 83, CAUSE_ILLEGAL, 3, f_u_uxseg
        li t0, 0x123
        csrw xsegmask_off, t0
        csrr t1, xsegmask_off
        CHECK 84, t1, 0x123
        csrw xsegmask_off, zero
        csrr t1, uxseg_len
        CHECK 85, t1, 0x100
        j rvtest_pass

# ---- B: reports its segment (a0 = 0) or calls C and reports the fault (a0 = 1) --------------------------
callee_b:
        bnez a0, 1f
        csrr a1, uxseg_len
        xret
1:      EXPECT_TRAP 100, 2f, 0
        li t0, 1
b_overflow:
        xcall t0
        j rvtest_fail
2:      CHECK_TRAP 101, XPC_CAUSE_OVERFLOW, 3, b_overflow
        li t0, 1
        CHECK_TVAL 102, t0
        csrr t0, xcaller
        CHECK_LABEL 103, t0, xpc_cap_a  # still B, called by A
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 104, t1, 0xbbbb
        li a0, 0x28
        xret

callee_c:
        j rvtest_fail                   # never reached

        .data
        .balign 8
xpc_cap_a: .byte 0b0111                 # 0, 1, 2; not 3
        .balign 8
xpc_cap_b: .byte 0b0010
        .balign 8
xpc_cap_c: .byte 0
        .balign 32
xpc_seglist_a: .space 64
xpc_seglist_b: .space 64
xpc_seglist_c: .space 64
        XPC_DATA
        RVTEST_END
