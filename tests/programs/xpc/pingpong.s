# Timing workload: A calls B through x-entry 0 ITERATIONS times; B returns at once. Used by
# tests/xpc-timing.test.ts to compare a cold and a warm xcall, with and without the engine cache, a
# blocking link stack and ASID-tagged TLBs.
        .include "rvtest.inc"
        .include "xpc.inc"
        .equ ITERATIONS, 8
        RVTEST_BEGIN
        XPC_INIT
        XENTRY 0, xpc_root_b, 2, callee_b, xpc_cap_b, xpc_seglist_b, 0, 1
        MRET_TO 0, user_a

user_a:
        li s0, ITERATIONS
        li s2, 0
1:      li t0, 0
        mv a0, s2
        addi a1, s2, 1
        add s1, a0, a1                  # what B answers
pp_call:
        xcall t0
pp_back:
        CHECK_REG 2, a0, s1
        addi s2, s2, 1
        addi s0, s0, -1
        bnez s0, 1b
        j rvtest_pass

callee_b:
        add a0, a0, a1
        xret

        .data
        .balign 8
xpc_cap_a: .byte 1
        .balign 8
xpc_cap_b: .byte 0
        .balign 8
xpc_cap_c: .byte 0
        .balign 32
xpc_seglist_a: .space 64
xpc_seglist_b: .space 64
xpc_seglist_c: .space 64
        XPC_DATA
        RVTEST_END
