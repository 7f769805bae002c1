# Call gates (docs/mechanisms.md §1): a gate miss the M-mode "kernel" refills, gcall/gret across three
# address spaces with nested calls, gcaller, domain tagging of the cache, the return stack, gflush and
# the faults. Spaces A, B, C come from xpc.inc (domain 1, 2, 3 here).
        .include "rvtest.inc"
        .include "xpc.inc"
        .equ GATE_MISS, 29
        .equ GATE_STACK, 30

# Stage a gate-cache entry in the gfill_* CSRs and write it to `slot` (M or S mode). Clobbers t0, t1, t6.
.macro GATE_FILL gate, dom, root, asid, entry, target, slot
        li t0, \gate
        csrw gfill_gate, t0
        li t0, \dom
        csrw gfill_dom, t0
        SATP_OF t0, \root, \asid
        csrw gfill_satp, t0
        la t0, \entry
        csrw gfill_pc, t0
        li t0, \target
        csrw gfill_target, t0
        li t1, \slot
        gfill t1
.endm
        RVTEST_BEGIN
        XPC_SPACE xpc_root_a, xpc_l1_a, PRIV_PA_A, 0xaaaa
        XPC_SPACE xpc_root_b, xpc_l1_b, PRIV_PA_B, 0xbbbb
        XPC_SPACE xpc_root_c, xpc_l1_c, PRIV_PA_C, 0xcccc
        XPC_SATP_A
        la t0, gate_stack
        csrw gstack_base, t0
        csrw gstack_top, t0
        la t0, gate_stack_end
        csrw gstack_limit, t0
        li t0, 1
        csrw gdom, t0
        csrr t0, gcache_entries
        CHECK 1, t0, 16
        csrr t0, gcaller
        CHECK 2, t0, 0
        MRET_TO 0, user_a

# ---- A (U-mode, domain 1) ---------------------------------------------------------------------------
user_a:
        li a1, 40
        li s0, 0x5050                   # a witness the callees leave alone
        li t0, 7
        EXPECT_TRAP 3, miss_7, 3
call_1:
        gcall t0                        # first time: not in the cache
        CHECK 10, a0, 84                # (40 + 2) * 2: B added, C doubled
        CHECK 11, s0, 0x5050
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 12, t1, 0xaaaa            # A's space again
        csrr t1, gcaller
        CHECK 13, t1, 0
        li t0, 7                        # second call: a hit, no trap
        li a1, 1
        gcall t0
        CHECK 14, a0, 6
        # Gate 9 is cached for domain 2 only: from A it misses.
        li t0, 9
        EXPECT_TRAP 15, 1f, 3
f_9:    gcall t0
        j rvtest_fail
1:      CHECK_TRAP 16, GATE_MISS, 3, f_9
        CHECK_TVAL 17, t0
        MRET_TO 0, user_a_2
user_a_2:
        # An empty return stack: gret cannot return anywhere (a callee cannot forge a return).
        EXPECT_TRAP 18, 1f, 0
f_gret: gret
        j rvtest_fail
1:      CHECK_TRAP 19, GATE_STACK, 3, f_gret
        CHECK_TVAL 20, zero
        # The cache and the domain are the kernel's: gfill, gflush, gdom writes are illegal in U-mode.
        EXPECT_TRAP 21, 1f, 0
f_fill: gfill zero
        j rvtest_fail
1:      CHECK_TRAP 22, CAUSE_ILLEGAL, 3, f_fill
        EXPECT_TRAP 23, 1f, 0
f_dom:  csrw gdom, zero
        j rvtest_fail
1:      CHECK_TRAP 24, CAUSE_ILLEGAL, 3, f_dom
        EXPECT_TRAP 25, 1f, 0
f_top:  csrw gstack_top, zero
        j rvtest_fail
1:      CHECK_TRAP 26, CAUSE_ILLEGAL, 3, f_top
        BACK_TO_M
        j m_phase_2

# ---- B (U-mode, domain 2): a0 = a1 + 2, then C doubles it ----------------------------------------
callee_b:
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 30, t1, 0xbbbb
        csrr t1, gcaller
        CHECK 31, t1, 1
        addi a0, a1, 2
        li t0, 9
        gcall t0
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 32, t1, 0xbbbb
        csrr t1, gcaller
        CHECK 33, t1, 1
        gret

# ---- C (U-mode, domain 3) ---------------------------------------------------------------------------
callee_c:
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 40, t1, 0xcccc
        csrr t1, gcaller
        CHECK 41, t1, 2
        add a0, a0, a0
        gret

# ---- M-mode: the gate-miss handler (what a kernel does) -------------------------------------------
miss_7:
        CHECK_TRAP 50, GATE_MISS, 3, call_1
        li t1, 7
        CHECK_TVAL 51, t1
        csrr t1, gstack_top             # nothing happened
        la t2, gate_stack
        CHECK_REG 52, t1, t2
        csrr t1, satp
        SATP_OF t2, xpc_root_a, 1
        CHECK_REG 53, t1, t2
        # Gate 7 for domain 1 -> B (domain 2), slot 3; gate 9 for domain 2 -> C (domain 3), slot 4.
        GATE_FILL 7, 1, xpc_root_b, 2, callee_b, 2, 3
        GATE_FILL 9, 2, xpc_root_c, 3, callee_c, 3, 4
        # Retry the gcall in U-mode with its operand intact.
        li t1, MSTATUS_MPP
        csrc mstatus, t1
        la t1, call_1
        csrw mepc, t1
        li t0, 7
        mret

m_phase_2:
        # All records popped: top back at base, the first slot holds A's second call (valid bit clear).
        csrr t0, gstack_top
        csrr t1, gstack_base
        CHECK_REG 60, t0, t1
        la t2, gate_stack
        ld t0, 24(t2)
        CHECK 61, t0, 0
        ld t0, 16(t2)
        CHECK 62, t0, 1
        ld t0, 0(t2)
        SATP_OF t1, xpc_root_a, 1
        CHECK_REG 63, t0, t1
        csrr t0, gdom
        CHECK 64, t0, 1
        # gfill with a slot past the cache is illegal.
        EXPECT_TRAP 65, 1f, 3
        li t0, 16
f_slot: gfill t0
        j rvtest_fail
1:      CHECK_TRAP 66, CAUSE_ILLEGAL, 3, f_slot
        # Overflow: room for less than one record.
        csrr t0, gstack_base
        addi t0, t0, 16
        csrw gstack_limit, t0
        MRET_TO 0, user_a_3
user_a_3:
        li t0, 7
        EXPECT_TRAP 67, 1f, 3
f_ovf:  gcall t0
        j rvtest_fail
1:      CHECK_TRAP 68, GATE_STACK, 3, f_ovf
        CHECK_TVAL 69, t0
        la t0, gate_stack_end
        csrw gstack_limit, t0
        # Revocation: domain 2 dies; gflush 2 drops gate 7 (target 2) and gate 9 (caller 2).
        li t0, 2
        gflush t0
        csrwi gdom, 1
        MRET_TO 0, user_a_4
user_a_4:
        li t0, 7
        EXPECT_TRAP 70, 1f, 3
f_rev:  gcall t0
        j rvtest_fail
1:      CHECK_TRAP 71, GATE_MISS, 3, f_rev
        j rvtest_pass

        .data
        .balign 32
gate_stack:
        .space 4 * 32
gate_stack_end:
        XPC_DATA
        RVTEST_END
