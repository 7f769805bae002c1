# Address-space lists (docs/mechanisms.md §3): the M-mode "kernel" registers spaces A and B (and an
# empty entry) for one process; U-mode code in the trampoline page switches between them with the
# right keys; a guessed key, an index past the list, an empty entry and a switch from outside the
# trampoline all fault with nothing changed. The trampoline lies in the identity gigapage, which
# xpc.inc maps in every space, so it is "mapped at the same address in every listed space".
        .include "rvtest.inc"
        .include "xpc.inc"
        .equ ASL_FAULT, 31
        .equ KEY_A, 0x1234abcd5678ef01
        .equ KEY_B, 0x0fedcba987654321
        RVTEST_BEGIN
        XPC_SPACE xpc_root_a, xpc_l1_a, PRIV_PA_A, 0xaaaa
        XPC_SPACE xpc_root_b, xpc_l1_b, PRIV_PA_B, 0xbbbb
        XPC_SPACE xpc_root_c, xpc_l1_c, PRIV_PA_C, 0xcccc
        XPC_SATP_A
        la t2, asl_list                 # entry 0 = A, 1 = B, 2 = empty
        SATP_OF t0, xpc_root_a, 1
        sd t0, 0(t2)
        li t0, KEY_A
        sd t0, 8(t2)
        SATP_OF t0, xpc_root_b, 2
        sd t0, 16(t2)
        li t0, KEY_B
        sd t0, 24(t2)
        csrw asl_base, t2
        li t0, 3
        csrw asl_size, t0
        la t0, tramp
        addi t0, t0, 0x123              # WARL: the page of the address
        csrw asl_tramp, t0
        csrr t1, asl_tramp
        la t0, tramp
        CHECK_REG 1, t1, t0
        MRET_TO 0, user

user:
        # A -> B -> A through the trampoline.
        li a0, 1
        li a1, KEY_B
        call tramp_switch
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 10, t1, 0xbbbb
        li a0, 0
        li a1, KEY_A
        call tramp_switch
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 11, t1, 0xaaaa
        # A guessed key: a fault naming the index, satp untouched.
        li a0, 1
        li a1, KEY_B ^ 1
        EXPECT_TRAP 12, 1f, 0
        call tramp_switch
        j rvtest_fail
1:      CHECK_TRAP 13, ASL_FAULT, 3, tramp_insn
        CHECK_TVAL 14, a0
        li t1, PRIV_VA
        ld t1, 0(t1)
        CHECK 15, t1, 0xaaaa
        # Key 0 for the empty entry, an index past the list.
        li a0, 2
        li a1, 0
        EXPECT_TRAP 16, 1f, 0
        call tramp_switch
        j rvtest_fail
1:      CHECK_TRAP 17, ASL_FAULT, 3, tramp_insn
        li a0, 3
        li a1, KEY_B
        EXPECT_TRAP 18, 1f, 0
        call tramp_switch
        j rvtest_fail
1:      CHECK_TRAP 19, ASL_FAULT, 3, tramp_insn
        CHECK_TVAL 20, a0
        # The right key, but from outside the trampoline: tval is the pc.
        li a0, 1
        li a1, KEY_B
        EXPECT_TRAP 21, 1f, 0
f_out:  aslswitch a0, a1
        j rvtest_fail
1:      CHECK_TRAP 22, ASL_FAULT, 3, f_out
        la t1, f_out
        CHECK_TVAL 23, t1
        # The list is the kernel's.
        EXPECT_TRAP 24, 1f, 0
f_csr:  csrw asl_base, zero
        j rvtest_fail
1:      CHECK_TRAP 25, CAUSE_ILLEGAL, 3, f_csr
        BACK_TO_M
        csrr t0, asl_index
        CHECK 30, t0, 0
        j rvtest_pass

        .balign 4096
tramp:
tramp_switch:
tramp_insn:
        aslswitch a0, a1
        ret
        .balign 4096

        .data
        .balign 16
asl_list:
        .space 3 * 16
        XPC_DATA
        RVTEST_END
