# XPC call and return (docs/xpc.md §4): values in registers, every other register untouched by
# xcall/xret, the callee's address space in force, xcaller, nested calls A -> B -> C and the returns,
# the engine's CSRs restored afterwards. Runs in U-mode; the M-mode harness checks the link stack.
        .include "rvtest.inc"
        .include "xpc.inc"
        RVTEST_BEGIN
        XPC_INIT
        XENTRY 0, xpc_root_b, 2, callee_b, xpc_cap_b, xpc_seglist_b, 0, 1
        XENTRY 1, xpc_root_c, 3, callee_c, xpc_cap_c, xpc_seglist_c, 0, 1
        XENTRY 2, xpc_root_c, 3, callee_c, xpc_cap_c, xpc_seglist_c, 0, 0
        XENTRY 3, xpc_root_b, 2, callee_b_common, xpc_cap_b, xpc_seglist_b, 0, 1
        MRET_TO 0, user_a

# ---- A (U-mode, space A) ----------------------------------------------------------------------------
user_a:
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 2, t1, 0xaaaa             # A's private page
        csrr t1, xcaller
        CHECK 3, t1, 0                  # nobody called A

        # Arguments and witnesses: every register but t0 (the id) holds a known value across the call.
        li ra, 0x1001
        li tp, 0x1004
        li t1, 0x1006
        li t2, 0x1007
        li s0, 0x1008
        li s1, 0x1009
        li a0, 0
        li a1, 40
        li a2, 2
        li a3, 0x100d
        li a4, 0x100e
        li a5, 0x100f
        li a6, 0x1010
        li a7, 0x1011
        li s2, 0x1012
        li s3, 0x1013
        li s4, 0x1014
        li s5, 0x1015
        li t3, 0x101c
        li t4, 0x101d
        li t5, 0x101e
        mv s9, sp                       # (s6-s11 belong to the trap handler; none is expected here)
        li t0, 0                        # x-entry 0: B
call_site_1:
        xcall t0
        # Back in A: B returned a0 = (a1 + a2) * 2 (doubled by C), left the rest alone.
        CHECK 10, a0, 84
        CHECK 11, ra, 0x1001
        CHECK 12, tp, 0x1004
        CHECK 13, t1, 0x1006
        CHECK 14, t2, 0x1007
        CHECK 15, s0, 0x1008
        CHECK 16, s1, 0x1009
        CHECK 17, a3, 0x100d
        CHECK 18, a7, 0x1011
        CHECK 19, s5, 0x1015
        CHECK 20, t5, 0x101e
        CHECK 21, t0, 0xb0b0            # B's own change to t0 stays: registers are the software's business
        CHECK_REG 22, sp, s9
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 23, t1, 0xaaaa            # A's space again
        csrr t1, xcaller
        CHECK 24, t1, 0

        # A second call through another entry for the same callee: xcall is repeatable.
        li a1, 1
        li a2, 2
        li t0, 3
call_site_2:
        xcall t0
        CHECK 25, a0, 3
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 26, t1, 0xaaaa

        BACK_TO_M
        # M-mode: the link stack is empty again and A's state is back.
        csrr t0, xlink_top
        csrr t1, xlink_base
        CHECK_REG 30, t0, t1
        csrr t0, xcap
        CHECK_LABEL 31, t0, xpc_cap_a
        csrr t0, xseglist
        CHECK_LABEL 32, t0, xpc_seglist_a
        csrr t0, xseglist_size
        CHECK 33, t0, 2
        csrr t0, satp
        SATP_OF t1, xpc_root_a, 1
        CHECK_REG 34, t0, t1
        # Popped records keep their contents with the valid bit cleared; the first slot holds the second
        # call's record (A's satp, return pc and identity), the second B's call to C.
        la t2, xpc_link_stack
        ld t0, 104(t2)
        CHECK 35, t0, 0
        ld t0, 0(t2)
        CHECK_REG 36, t0, t1
        ld t0, 8(t2)
        la t1, call_site_2 + 4
        CHECK_REG 37, t0, t1
        ld t0, 16(t2)
        CHECK_LABEL 38, t0, xpc_cap_a
        # B's call to C pushed the second record with B's satp.
        ld t0, 128(t2)
        SATP_OF t1, xpc_root_b, 2
        CHECK_REG 39, t0, t1
        ld t0, 144(t2)
        CHECK_LABEL 40, t0, xpc_cap_b
        j rvtest_pass

# ---- B (U-mode, space B) ----------------------------------------------------------------------------
callee_b:
        # The witnesses arrive untouched (CHECK clobbers only gp and t6).
        CHECK 50, ra, 0x1001
        CHECK 51, tp, 0x1004
        CHECK 52, t1, 0x1006
        CHECK 53, t2, 0x1007
        CHECK 54, s0, 0x1008
        CHECK 55, s1, 0x1009
        CHECK 56, a3, 0x100d
        CHECK 57, a4, 0x100e
        CHECK 58, a5, 0x100f
        CHECK 59, a6, 0x1010
        CHECK 60, a7, 0x1011
        CHECK 61, s2, 0x1012
        CHECK 62, s3, 0x1013
        CHECK 63, s4, 0x1014
        CHECK 64, s5, 0x1015
        CHECK 65, t3, 0x101c
        CHECK 66, t4, 0x101d
        CHECK 67, t5, 0x101e
        CHECK_REG 68, sp, s9
        j callee_b_common
callee_b_common:
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 70, t1, 0xbbbb            # B's private page: satp switched
        csrr t1, xcaller
        CHECK_LABEL 71, t1, xpc_cap_a   # A's identity
        add a0, a1, a2
        # Only the first call (a1 = 40) goes on to C.
        li t1, 40
        bne a1, t1, 1f
        li t0, 1                        # x-entry 1: C
        xcall t0
        CHECK 72, a0, 84
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 73, t1, 0xbbbb            # back in B's space
        csrr t1, xcaller
        CHECK_LABEL 74, t1, xpc_cap_a   # B's caller is A again
        li t0, 0xb0b0
        li t1, 0x1006
        xret
1:      li t0, 0xb0b0
        xret

# ---- C (U-mode, space C) ----------------------------------------------------------------------------
callee_c:
        li t0, PRIV_VA
        ld t1, 0(t0)
        CHECK 80, t1, 0xcccc
        csrr t1, xcaller
        CHECK_LABEL 81, t1, xpc_cap_b   # C was called by B
        add a0, a0, a0
        xret

        .data
        .balign 8
xpc_cap_a: .byte 0b1011                 # A may call 0 (B), 1 (C) and 3 (B again)
        .balign 8
xpc_cap_b: .byte 0b0010                 # B may call C
        .balign 8
xpc_cap_c: .byte 0
        .balign 32
xpc_seglist_a: .space 64
xpc_seglist_b: .space 64
xpc_seglist_c: .space 64
        XPC_DATA
        RVTEST_END
