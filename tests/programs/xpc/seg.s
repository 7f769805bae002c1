# Relay segments (docs/xpc.md §4): translation ahead of the page table, permissions, handover narrowed by
# the seg-mask (then the mask is cleared), swapseg, the callee's view gone after the return, and xret's
# check that the callee returns exactly the segment it was given (cause 26, tval 1).
        .include "rvtest.inc"
        .include "xpc.inc"
        RVTEST_BEGIN
        XPC_INIT
        XENTRY 0, xpc_root_b, 2, callee_b, xpc_cap_b, xpc_seglist_b, 2, 1
        XENTRY 1, xpc_root_b, 2, callee_tamper, xpc_cap_b, xpc_seglist_b, 2, 1
        XENTRY 2, xpc_root_b, 2, callee_look, xpc_cap_b, xpc_seglist_b, 2, 1
        # B's seg-list: entry 0 a read-only segment, entry 1 empty.
        SEGLIST_ENTRY xpc_seglist_b, 0, SEG2_VA, SEG2_PA, 0x1000, SEG_R|SEG_VALID
        SEGLIST_ENTRY xpc_seglist_b, 1, 0, 0, 0, 0
        # Message contents, written through physical addresses.
        li t0, SEG_PA
        li t1, 0x5e60
        sd t1, 0(t0)
        li t1, 0x5e61
        sd t1, 0x100(t0)
        li t0, SEG2_PA
        li t1, 0x5e62
        sd t1, 0(t0)
        XPC_SET_SEG SEG_VA, SEG_PA, 0x1000, SEG_R|SEG_W
        MRET_TO 0, user_a

user_a:
        csrr t0, uxseg_va
        CHECK 2, t0, SEG_VA
        csrr t0, uxseg_len
        CHECK 3, t0, 0x1000
        li t0, SEG_VA
        ld t1, 0(t0)
        CHECK 4, t1, 0x5e60             # read through the segment (no page maps SEG_VA)
        ld t1, 0x100(t0)
        CHECK 5, t1, 0x5e61
        li t1, 0x5e63
        sw t1, 0x10c(t0)                # a 4-byte store inside the window handed over below

        # Hand B the window [0x100, 0x180).
        li t0, 0x100
        csrw xsegmask_off, t0
        li t0, 0x80
        csrw xsegmask_len, t0
        li t0, 0
        xcall t0
        # Back: the whole segment again, the mask cleared, B's reply visible.
        csrr t0, uxseg_va
        CHECK 10, t0, SEG_VA
        csrr t0, uxseg_len
        CHECK 11, t0, 0x1000
        csrr t0, xsegmask_len
        CHECK 12, t0, 0
        csrr t0, xsegmask_off
        CHECK 13, t0, 0
        li t0, SEG_VA
        ld t1, 0x108(t0)
        CHECK 14, t1, 0xbeef            # written by B through its window
        ld t1, 0(t0)
        CHECK 15, t1, 0x5e60

        # A callee that swaps its segment away and returns: xret refuses (26, tval 1); it swaps back
        # and returns properly.
        li t0, 1
        xcall t0
        CHECK 20, a0, 0x7a
        csrr t0, uxseg_len
        CHECK 21, t0, 0x1000

        # A parks its segment in its own seg-list (entry 0 was empty): it has none now, and a callee
        # sees none.
        li t1, 0
        swapseg t1
        csrr t0, uxseg_len
        CHECK 30, t0, 0
        EXPECT_TRAP 31, 1f, 0
        li t0, SEG_VA
seg_gone:
        ld t1, 0(t0)                    # no segment, no page: load page fault
        j rvtest_fail
1:      CHECK_TRAP 32, CAUSE_LOAD_PAGE, 3, seg_gone
        li t0, SEG_VA
        CHECK_TVAL 33, t0
        # A mask with no segment to narrow is refused (27, tval = the id), and changes nothing.
        li t0, 0x80
        csrw xsegmask_len, t0
        EXPECT_TRAP 34, 1f, 0
        li t0, 2
mask_no_seg:
        xcall t0
        j rvtest_fail
1:      CHECK_TRAP 35, XPC_CAUSE_SEG, 3, mask_no_seg
        li t0, 2
        CHECK_TVAL 36, t0
        csrr t0, xsegmask_len
        CHECK 37, t0, 0x80
        csrw xsegmask_len, zero
        li t0, 2
        xcall t0                        # callee_look: reports its segment length in a0
        CHECK 38, a0, 0
        li t1, 0
        swapseg t1                      # take the segment back
        csrr t0, uxseg_len
        CHECK 39, t0, 0x1000
        # The same callee given the whole segment (no mask) sees all of it.
        li t0, 2
        xcall t0
        CHECK 40, a0, 0x1000

        BACK_TO_M
        # B's seg-list is as it was (entry 0 back in place, entry 1 empty) and A's entry 0 is empty again.
        la t2, xpc_seglist_b
        ld t0, 0(t2)
        CHECK 50, t0, SEG2_VA
        ld t0, 24(t2)
        CHECK 51, t0, SEG_R|SEG_VALID
        ld t0, 56(t2)
        CHECK 52, t0, 0
        la t2, xpc_seglist_a
        ld t0, 24(t2)
        CHECK 53, t0, 0
        ld t0, 16(t2)
        CHECK 54, t0, 0
        csrr t0, xseg_perm
        CHECK 55, t0, SEG_R|SEG_W
        # xseg_perm keeps only bits 1:0.
        li t0, -1
        csrw xseg_perm, t0
        csrr t0, xseg_perm
        CHECK 56, t0, 3
        # A segment sharing a 4 KiB page with a page-table mapping: the segment wins inside its range and
        # the page table outside it, whatever the order of the accesses (no translation of that page may be
        # cached).
        XPC_SET_SEG PRIV_VA + 0x800, SEG_PA, 0x100, SEG_R|SEG_W
        MRET_TO 0, 3f
3:      li t0, PRIV_VA
        li t2, PRIV_VA + 0x800
        ld t1, 0(t0)
        CHECK 60, t1, 0xaaaa            # A's private page
        ld t1, 0(t2)
        CHECK 61, t1, 0x5e60            # the segment
        ld t1, 0(t0)
        CHECK 62, t1, 0xaaaa
        ld t1, 0x100(t2)
        CHECK 63, t1, 0                 # just past the segment: the private page again
        ld t1, 0(t2)
        CHECK 64, t1, 0x5e60
        j rvtest_pass

# ---- B: the window, and nothing else of the segment --------------------------------------------------
callee_b:
        csrr t0, uxseg_va
        CHECK 100, t0, SEG_VA + 0x100
        csrr t0, uxseg_len
        CHECK 101, t0, 0x80
        csrr t0, xsegmask_len
        CHECK 102, t0, 0                # the mask was consumed by the call
        li t0, SEG_VA + 0x100
        ld t1, 0(t0)
        CHECK 103, t1, 0x5e61
        lwu t1, 0xc(t0)
        CHECK 104, t1, 0x5e63           # A's 4-byte store
        li t1, 0xbeef
        sd t1, 8(t0)
        # Below the window: not in the segment, not in B's page table.
        EXPECT_TRAP 105, 1f, 0
        li t0, SEG_VA
b_below:
        ld t1, 0(t0)
        j rvtest_fail
1:      CHECK_TRAP 106, CAUSE_LOAD_PAGE, 3, b_below
        li t0, SEG_VA
        CHECK_TVAL 107, t0
        # Straddling the window's end: a page fault of the access's kind.
        EXPECT_TRAP 108, 1f, 0
        li t0, SEG_VA + 0x17c
b_straddle:
        sd t1, 0(t0)
        j rvtest_fail
1:      CHECK_TRAP 109, CAUSE_STORE_PAGE, 3, b_straddle
        li t0, SEG_VA + 0x17c
        CHECK_TVAL 110, t0
        # Swap in the read-only segment of B's seg-list: loads work, stores and AMOs fault.
        li t1, 0
        swapseg t1
        csrr t0, uxseg_va
        CHECK 111, t0, SEG2_VA
        li t0, SEG2_VA
        ld t1, 0(t0)
        CHECK 112, t1, 0x5e62
        EXPECT_TRAP 113, 1f, 0
        li t0, SEG2_VA + 8
b_ro_store:
        sd t1, 0(t0)
        j rvtest_fail
1:      CHECK_TRAP 114, CAUSE_STORE_PAGE, 3, b_ro_store
        EXPECT_TRAP 115, 1f, 0
        li t0, SEG2_VA + 8
b_ro_amo:
        amoadd.d t1, t1, (t0)
        j rvtest_fail
1:      CHECK_TRAP 116, CAUSE_STORE_PAGE, 3, b_ro_amo
        li t0, SEG2_VA + 8
        CHECK_TVAL 117, t0
        # Swap into the empty entry: no segment at all.
        li t1, 1
        swapseg t1
        csrr t0, uxseg_len
        CHECK 118, t0, 0
        swapseg t1                      # the read-only segment is back from entry 1 ...
        csrr t0, uxseg_va
        CHECK 119, t0, SEG2_VA
        li t1, 0
        swapseg t1                      # ... and the window from entry 0 (which gets SEG2 back)
        csrr t0, uxseg_va
        CHECK 120, t0, SEG_VA + 0x100
        csrr t0, uxseg_len
        CHECK 121, t0, 0x80
        xret

# ---- A callee that does not return what it was given ----------------------------------------------------
callee_tamper:
        li t1, 0
        swapseg t1                      # now holds SEG2, the whole segment is in the seg-list
        EXPECT_TRAP 200, 1f, 0
tamper_xret:
        xret
        j rvtest_fail
1:      CHECK_TRAP 201, XPC_CAUSE_LINKAGE, 3, tamper_xret
        li t0, 1
        CHECK_TVAL 202, t0
        li t1, 0
        swapseg t1                      # give it back
        li a0, 0x7a
        xret

# ---- A callee that reports the segment it was given ----------------------------------------------------
callee_look:
        csrr a0, uxseg_len
        xret

        .data
        .balign 8
xpc_cap_a: .byte 0b0111
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
