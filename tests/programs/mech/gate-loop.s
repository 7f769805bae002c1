# A warm gate round trip for the timing tests: the M-mode "kernel" fills gate 1 (domain 1 -> B), then A
# calls it 32 times; B returns at once. Then A calls gate 2 once, which misses: the M-mode handler fills
# it and retries (a software refill, as a software-managed TLB's).
        .include "rvtest.inc"
        .include "xpc.inc"
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
        csrwi gdom, 1
        li t0, 1
        csrw gfill_gate, t0
        csrw gfill_dom, t0
        SATP_OF t0, xpc_root_b, 2
        csrw gfill_satp, t0
        la t0, callee
        csrw gfill_pc, t0
        li t0, 2
        csrw gfill_target, t0
        gfill zero
        MRET_TO 0, user
user:
        li s0, 32
        li t0, 1
1:
warm_gcall:
        gcall t0
        addi s0, s0, -1
        bnez s0, 1b
        li t0, 2
        EXPECT_TRAP 2, refill, 3
miss_gcall:
        gcall t0
        BACK_TO_M
        j rvtest_pass
callee:
warm_gret:
        gret
refill:
        # The handler a kernel would run: fill gate 2 (same target) into slot 1, retry.
        li t1, 2
        csrw gfill_gate, t1
        li t1, 1
        gfill t1
        li t1, MSTATUS_MPP
        csrc mstatus, t1
        la t1, miss_gcall
        csrw mepc, t1
        mret
        .data
        .balign 32
gate_stack:
        .space 4 * 32
gate_stack_end:
        XPC_DATA
        RVTEST_END
