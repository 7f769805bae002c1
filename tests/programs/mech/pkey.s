# Protection keys (docs/mechanisms.md §2): one address space, three user megapages with keys 0, 1, 2;
# pkr rights checked on loads and stores from U-mode (access-disable, write-disable), fetches and key-0
# pages untouched, keys in non-leaf PTEs and the still-reserved bits 63:59 page faults. Last, THE attack
# UnderBridge's design must close: a domain simply writes pkr itself and regains access — the hardware
# cannot tell a gate's pkr write from any other (the kernel must: tests/mech-pkey-inspect.test.ts).
        .include "rvtest.inc"
        .include "xpc.inc"
        .equ K1_VA, 0x40200000
        .equ K2_VA, 0x40400000
        .equ BAD_VA, 0x40600000
        .equ USER_RW, PTE_V|PTE_R|PTE_W|PTE_U|PTE_A|PTE_D
        RVTEST_BEGIN
        XPC_SPACE xpc_root_a, xpc_l1_a, PRIV_PA_A, 0xaaaa
        PTE_TO_PA xpc_l1_a, 1, 0x80a00000, USER_RW | (1 << 54)
        PTE_TO_PA xpc_l1_a, 2, 0x80c00000, USER_RW | (2 << 54)
        PTE_TO_PA xpc_l1_a, 3, 0x80e00000, USER_RW | (1 << 59)
        XPC_SATP_A
        csrr t0, pkr
        CHECK 1, t0, 0
        MRET_TO 0, user
user:
        li s0, K1_VA
        li s1, K2_VA
        sd s0, 0(s0)                    # pkr = 0: every key open
        sd s1, 0(s1)
        ld t0, 0(s0)
        CHECK 2, t0, K1_VA
        # Key 1 access-disabled (bit 2): loads and stores fault with tval = va; key 2 unaffected.
        li t0, 1 << 2
        csrw pkr, t0
        EXPECT_TRAP 3, 1f, 0
f_ld:   ld t1, 0(s0)
        j rvtest_fail
1:      CHECK_TRAP 4, CAUSE_LOAD_PAGE, 3, f_ld
        CHECK_TVAL 5, s0
        EXPECT_TRAP 6, 1f, 0
f_sd:   sd zero, 8(s0)
        j rvtest_fail
1:      CHECK_TRAP 7, CAUSE_STORE_PAGE, 3, f_sd
        ld t1, 0(s1)
        CHECK 8, t1, K2_VA
        li t1, PRIV_VA                  # key 0
        ld t1, 0(t1)
        CHECK 9, t1, 0xaaaa
        # Key 1 write-disabled (bit 3): loads fine, stores and AMOs fault.
        li t0, 1 << 3
        csrw pkr, t0
        ld t1, 0(s0)
        CHECK 10, t1, K1_VA
        EXPECT_TRAP 11, 1f, 0
f_amo:  amoadd.d zero, zero, (s0)
        j rvtest_fail
1:      CHECK_TRAP 12, CAUSE_STORE_PAGE, 3, f_amo
        # A key whose rights are in the upper word: key 2 is bits 5:4; set all of key 2's bits plus
        # harmless bits of unused keys 16-31.
        li t0, (3 << 4) | (0xffff << 40)
        csrw pkr, t0
        EXPECT_TRAP 13, 1f, 0
f_k2:   ld t1, 0(s1)
        j rvtest_fail
1:      CHECK_TRAP 14, CAUSE_LOAD_PAGE, 3, f_k2
        ld t1, 0(s0)                    # key 1 open again
        CHECK 15, t1, K1_VA
        # Bits 63:59 stay reserved.
        li t2, BAD_VA
        EXPECT_TRAP 16, 1f, 0
f_bad:  ld t1, 0(t2)
        j rvtest_fail
1:      CHECK_TRAP 17, CAUSE_LOAD_PAGE, 3, f_bad
        # THE ATTACK: key 1 closed by its owner's policy; any code in the domain reopens it.
        li t0, 1 << 2
        csrw pkr, t0
        csrw pkr, zero                  # nothing stops this instruction
        ld t1, 0(s0)
        CHECK 18, t1, K1_VA
        BACK_TO_M
        # M-mode: a key in a non-leaf PTE is a page fault (keys belong to leaves).
        la t0, xpc_root_a
        ld t1, 8(t0)                    # root[1] -> xpc_l1_a (non-leaf)
        li t2, 1 << 54
        or t1, t1, t2
        sd t1, 8(t0)
        sfence.vma
        MRET_TO 0, user_2
user_2:
        li s0, K1_VA
        EXPECT_TRAP 19, 1f, 3
f_nl:   ld t1, 0(s0)
        j rvtest_fail
1:      CHECK_TRAP 20, CAUSE_LOAD_PAGE, 3, f_nl
        j rvtest_pass
        XPC_DATA
        RVTEST_END
