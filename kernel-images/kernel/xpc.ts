// XPC support: x-entries, grants, relay memory, faults and death in call chains.

import type { Asm } from '../builder.js';
import * as L from '../layout.js';
import { tf } from './common.js';

/** log2 of USER_XCTX_STRIDE: the context slot an address falls in is (va - USER_XCTX_BASE) >> this. */
const SLOT_SHIFT = Math.log2(L.USER_XCTX_STRIDE);
if (!Number.isInteger(SLOT_SHIFT)) throw new Error('kernel: USER_XCTX_STRIDE must be a power of two');

export function xpcText(a: Asm): void {
  a.heading('XPC support: x-entries, grants, relay segments, faults and death in a call chain (docs/xpc.md)');
  a.func('xentry_register', 'Register x-entry for TCB a0 (owner) with entry pc a1 and a2 contexts: a0 = id or E_NOMEM.\nContext c is the page the kernel maps in the owner at USER_XCTX_BASE + (id*MAX_XCTX + c) * stride + PAGE_SIZE\n(the slot\'s first page stays unmapped: a guard under the handler\'s stack).');
  a.block(`
    addi sp, sp, -64
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    mv s1, a0
    mv s2, a1
    mv s3, a2
    la s0, xentry_table        # first free entry
    li s4, 0
1:
    ld t0, XE_FLAGS(s0)
    beqz t0, 2f
    addi s0, s0, XE_SIZE
    addi s4, s4, 1
    li t0, MAX_XENTRIES
    bltu s4, t0, 1b
    li a0, E_NOMEM
    j 9f
2:
    li t0, 2                   # reserved while the contexts are mapped
    sd t0, XE_FLAGS(s0)
    mv t5, s3                  # map the context pages (s1 = owner for map_fresh_page)
3:
    beqz t5, 4f
    addi t5, t5, -1
    sd t5, 48(sp)
    li t0, MAX_XCTX
    mul t0, s4, t0
    add t0, t0, t5
    li t1, USER_XCTX_STRIDE
    mul t0, t0, t1
    li a1, USER_XCTX_BASE+PAGE_SIZE
    add a1, a1, t0             # a1 = context t5's page
    li a2, PTE_R|PTE_W|PTE_U
    call map_fresh_page
    ld t5, 48(sp)
    bnez a0, 3b
6:                             # out of memory: unmap and free contexts t5+1 .. count-1, free the entry
    addi t5, t5, 1
    bgeu t5, s3, 7f
    sd t5, 48(sp)
    li t0, MAX_XCTX
    mul t0, s4, t0
    add t0, t0, t5
    li t1, USER_XCTX_STRIDE
    mul t0, t0, t1
    li a1, USER_XCTX_BASE+PAGE_SIZE
    add a1, a1, t0             # a1 = context t5's page
    ld a0, TCB_ROOT(s1)
    call vm_unmap
    beqz a0, 5f
    call page_free
5:
    ld t5, 48(sp)
    j 6b
7:
    sd zero, XE_FLAGS(s0)
    li a0, E_NOMEM
    j 9f
4:
    ld t0, TCB_HOME_SATP(s1)
    sd t0, XE_SATP(s0)
    sd s2, XE_PC(s0)
    ld t0, TCB_HOME_XCAP(s1)
    sd t0, XE_XCAP(s0)
    ld t0, TCB_HOME_SEGLIST(s1)
    sd t0, XE_SEGLIST(s0)
    li t0, SEGLIST_ENTRIES
    sd t0, XE_SEGLIST_SIZE(s0)
    sd s1, XE_OWNER(s0)
    sd s3, XE_NCTX(s0)
    li t0, 1
    sd t0, XE_FLAGS(s0)
    mv a0, s4
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    addi sp, sp, 64
    ret
  `);
  a.func('xentry_grant', 'Set bit a0 (entry id) in the xcall-capability bitmap of TCB a1.');
  a.block(`
    ld t0, TCB_HOME_XCAP(a1)
    srli t1, a0, 3
    add t0, t0, t1
    lbu t2, 0(t0)
    andi t1, a0, 7
    li t3, 1
    sll t3, t3, t1
    or t2, t2, t3
    sb t2, 0(t0)
    ret
  `);
  a.func('xentry_revoke', 'Clear bit a0 (entry id) in the xcall-capability bitmap of every process: once an entry is gone,\nno grant of it survives, so a later entry that reuses the id starts with no grants (docs/kernel.md,\nSecurity model: revocation). Leaf.');
  a.block(`
    srli t1, a0, 3
    andi t2, a0, 7
    li t3, 1
    sll t3, t3, t2
    not t3, t3
    la t0, tcbs
    li t4, MAX_PROCS
1:
    ld t5, TCB_HOME_XCAP(t0)
    beqz t5, 2f
    add t5, t5, t1
    lbu t6, 0(t5)
    and t6, t6, t3
    sb t6, 0(t5)
2:
    addi t0, t0, TCB_SIZE
    addi t4, t4, -1
    bnez t4, 1b
    ret
  `);
  a.func('xpc_init_entries', 'Boot-time x-entries and grants from the system description.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    la s0, xentry_inits
    la s2, xentry_init_count
    ld s2, 0(s2)
1:
    beqz s2, 2f
    ld t0, 0(s0)               # owner process
    li t1, TCB_SIZE
    mul t0, t0, t1
    la a0, tcbs
    add a0, a0, t0
    mv s1, a0
    ld a1, 8(s0)
    ld a2, 16(s0)
    call xentry_register
    bltz a0, init_oom
    addi s0, s0, 24
    addi s2, s2, -1
    j 1b
2:
    la s0, xgrant_inits
    la s2, xgrant_init_count
    ld s2, 0(s2)
3:
    beqz s2, 4f
    ld a0, 0(s0)               # entry id
    ld t0, 8(s0)               # process
    li t1, TCB_SIZE
    mul t0, t0, t1
    la a1, tcbs
    add a1, a1, t0
    call xentry_grant
    addi s0, s0, 16
    addi s2, s2, -1
    j 3b
4:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
  a.func('sys_xpc_register', 'xpc_register(a0 = entry pc, a1 = contexts 1..MAX_XCTX) -> entry id, E_INVAL (contexts, or pc not\n4-byte aligned), E_FAULT (the pc is not user-executable in the acting process\'s space) or E_NOMEM. The\nentry runs in the acting process (s10: inside an xcall, the callee), which owns it and may grant it.');
  a.block(`
    addi t0, a1, -1
    li t1, MAX_XCTX
    bgeu t0, t1, 8f
    andi t0, a0, 3
    bnez t0, 8f                # an entry pc is 4-byte aligned (the trampolines are)
    mv s2, a0
    mv s3, a1
    mv a1, a0
    ld a0, TCB_ROOT(s10)
    li a2, PTE_U|PTE_X
    call uva_to_pa
    bltz a0, 7f
    mv a2, s3
    mv a1, s2
    mv a0, s10
    mv s1, s10
    call xentry_register
    j syscall_return
7:
    li a0, E_FAULT
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);
  a.func('sys_xpc_grant', 'xpc_grant(a0 = entry id, a1 = thread slot) -> 0, E_INVAL (no such entry), E_CAP (not a thread\ncapability, or its process is dead) or E_PERM (the acting process does not own the entry).');
  a.li('s2', 0).i('j xpc_grant_or_revoke');
  a.func('sys_xpc_revoke', 'xpc_revoke(a0 = entry id, a1 = thread slot) -> 0, E_INVAL, E_CAP or E_PERM, as xpc_grant: the\nthread\'s process loses the xcall capability (future xcalls are refused with E_CAP; a call already in\nprogress finishes). Revoking what was not granted is not an error.');
  a.li('s2', 1);
  a.label('xpc_grant_or_revoke');
  a.block(`
    li t0, MAX_XENTRIES
    bgeu a0, t0, 8f
    li t0, XE_SIZE
    mul t0, a0, t0
    la s0, xentry_table
    add s0, s0, t0
    ld t0, XE_FLAGS(s0)
    andi t0, t0, 1
    beqz t0, 8f
    ld t0, XE_OWNER(s0)
    bne t0, s10, 7f
    mv s1, a0
    mv a0, a1
    li a1, CAP_T_THREAD
    call cap_lookup
    beqz a0, 9f
    ld a1, CAP_OBJ(a0)
    ld t0, TCB_PROC_DEAD(a1)
    bnez t0, 9f                # a thread capability of a dead process names nothing any more
    mv a0, s1
    bnez s2, 1f
    call xentry_grant
    li a0, 0
    j syscall_return
1:
    ld t0, TCB_HOME_XCAP(a1)   # clear bit id of its bitmap
    srli t1, a0, 3
    add t0, t0, t1
    lbu t2, 0(t0)
    andi t1, a0, 7
    li t3, 1
    sll t3, t3, t1
    not t3, t3
    and t2, t2, t3
    sb t2, 0(t0)
    li a0, 0
    j syscall_return
7:
    li a0, E_PERM
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_xpc_relay_alloc', 'xpc_relay_alloc(a0 = length (page multiple), a1 = va, a2 = seg-list index) -> 0, E_INVAL\nor E_NOMEM. Physically contiguous zeroed memory becomes seg-list entry a2 (read/write) of the\nprocess; `swapseg` makes it the active relay segment. va must lie in [USER_RELAY_MIN, USER_RELAY_MAX).');
  a.block(`
    beqz a0, 8f
    slli t0, a0, 52
    bnez t0, 8f
    slli t0, a1, 52
    bnez t0, 8f
    mv t1, a0                  # range_check(va, length, USER_RELAY_MIN, USER_RELAY_MAX)
    mv a0, a1
    mv a1, t1
    mv s3, a2
    li a2, USER_RELAY_MIN
    li a3, USER_RELAY_MAX
    call range_check
    bnez t0, 8f
    mv t1, a0
    mv a0, a1                  # a0 = length, a1 = va, a2 = index again
    mv a1, t1
    mv a2, s3
    li t0, SEGLIST_ENTRIES
    bgeu a2, t0, 8f
    ld s0, TCB_HOME_SEGLIST(s10)
    slli t0, a2, 5
    add s0, s0, t0             # s0 = seg-list entry
    ld t0, SEG_PERM(s0)
    andi t0, t0, 4
    bnez t0, 8f                # already in use
    mv s1, a0
    mv s2, a1
    srli a0, a0, 12
    call page_alloc_contig
    beqz a0, 7f
    sd s2, SEG_VA(s0)
    sd a0, SEG_PA(s0)
    sd s1, SEG_LEN(s0)
    li t0, 7
    sd t0, SEG_PERM(s0)
    li a0, 0
    j syscall_return
7:
    li a0, E_NOMEM
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);
  a.func('sys_xpc_relay_free', 'xpc_relay_free(a0 = seg-list index) -> 0 or E_INVAL: forget the segment in that entry\n(its pages are not reused: relay memory stays reserved).');
  a.block(`
    li t0, SEGLIST_ENTRIES
    bgeu a0, t0, 8f
    ld s0, TCB_HOME_SEGLIST(s10)
    slli t0, a0, 5
    add s0, s0, t0
    ld t0, SEG_PERM(s0)
    andi t0, t0, 4
    beqz t0, 8f
    sd zero, SEG_VA(s0)
    sd zero, SEG_PA(s0)
    sd zero, SEG_LEN(s0)
    sd zero, SEG_PERM(s0)
    li a0, 0
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);
  a.func('xpc_owner_of_satp', 'a0 = the TCB whose home address space is satp a0, or 0.');
  a.block(`
    la t0, tcbs
    li t1, MAX_PROCS
1:
    ld t2, TCB_HOME_SATP(t0)
    beq t2, a0, 2f
    addi t0, t0, TCB_SIZE
    addi t1, t1, -1
    bnez t1, 1b
    li a0, 0
    ret
2:
    mv a0, t0
    ret
  `);
  a.func('xpc_callee_fault', 'A fault inside an xcall callee (s11 = the migrated thread, its satp a callee space): the\nprocess owning that space is killed, and the thread returns to its nearest live caller with E_DEAD.');
  a.block(`
    ld a0, TCB_SATP(s11)
    call xpc_owner_of_satp
    beqz a0, fault_kill
    mv s0, a0
    call report_fault
    mv a0, s0
    call kill_process          # unwinds every thread inside it, this one included
    j resume_or_schedule
  `);
  a.func('xret_fault', 'Invalid linkage on xret (cause 26). If the top record was invalidated because its callee died\n(LR_FLAGS bit 1), the thread unwinds to a live caller with E_DEAD; otherwise the xret was forged\n(nothing to return to, or the relay segment changed): the process executing it is killed.');
  a.block(`
    ld t0, TCB_LINK_TOP(s11)
    ld t1, TCB_LINK_BASE(s11)
    bleu t0, t1, 1f
    ld t2, -LR_SIZE+LR_FLAGS(t0)
    andi t2, t2, 2
    beqz t2, 1f
    ld a1, -LR_SIZE+LR_SATP(t0)  # the dead process the record returned into
    mv a0, s11
    call unwind_thread
    beqz a0, 2f
    mv a0, s11                 # nothing live to return to, and its own process is dead: it stops
    call thread_stop
    j schedule
2:
    mv a0, s11
    j switch_to
1:
    ld t0, TCB_SATP(s11)
    ld t1, TCB_HOME_SATP(s11)
    bne t0, t1, xpc_callee_fault
    j fault_kill
  `);
  a.func('unwind_thread', 'unwind_thread(a0 = thread, a1 = satp of a dead callee): pop the linkage records of the thread\ndown to the first valid one (its caller is alive) or the bottom, restore that caller context in the\nTCB (as docs/xpc.md xret would) and make the result E_DEAD. Scheduling is the caller business.');
  a.comment('While the thread sp lies in an XPC context slot of the dead space, the trampoline that claimed that\ncontext saved the sp and ra of its caller there (XC_SP, XC_RA): restore them, as its return would have,\nand look again (a handler of the dead process may itself have called into it). The slot is found\nfrom sp wherever it points in it, the guard page under the stack included. At most LINK_STACK_RECORDS\nsteps: the contexts are the dead process\'s memory, and it may have left anything there. Then every\nother register (gp and tp too: the dead callee may have changed them) is cleared: the caller gets\nnothing of the dead callee\'s state.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    slli s1, a1, 20            # root table of the dead space: satp.PPN << 12
    srli s1, s1, 8
    li s2, LINK_STACK_RECORDS
5:
    ld a1, TF_SP(s0)
    addi a1, a1, -1
    li t0, USER_XCTX_BASE
    sub a1, a1, t0             # offset into the context window (huge when below it)
    srli a1, a1, ${SLOT_SHIFT}            # slot number
    li t0, MAX_XENTRIES*MAX_XCTX
    bgeu a1, t0, 6f
    slli a1, a1, ${SLOT_SHIFT}
    li t0, USER_XCTX_BASE+PAGE_SIZE+XCTX_DATA_OFF
    add a1, a1, t0             # that slot's context data
    mv a0, s1
    li a2, PTE_U|PTE_R
    call uva_to_pa
    bltz a0, 6f
    ld t0, XC_SP(a0)
    sd t0, TF_SP(s0)
    ld t0, XC_RA(a0)
    sd t0, TF_RA(s0)
    addi s2, s2, -1
    bnez s2, 5b
  `);
  a.label('6');
  a.block(`
    ld t0, TCB_LINK_TOP(s0)
    ld t1, TCB_LINK_BASE(s0)
1:
    bleu t0, t1, 3f            # link stack empty: back home
    addi t0, t0, -LR_SIZE
    ld t2, LR_FLAGS(t0)
    andi t3, t2, 1
    beqz t3, 1b                # invalidated: keep popping
    sd zero, LR_FLAGS(t0)      # the record we return through
    sd t0, TCB_LINK_TOP(s0)
    ld t2, LR_SATP(t0)
    sd t2, TCB_SATP(s0)
    ld t2, LR_RET_PC(t0)
    sd t2, TCB_PC(s0)
    ld t2, LR_XCAP(t0)
    sd t2, TCB_XCAP(s0)
    ld t2, LR_SEGLIST(t0)
    sd t2, TCB_SEGLIST(s0)
    ld t2, LR_SEGLIST_SIZE(t0)
    sd t2, TCB_SEGLIST_SIZE(s0)
    ld t2, LR_SEG_VA(t0)
    sd t2, TCB_SEG_VA(s0)
    ld t2, LR_SEG_PA(t0)
    sd t2, TCB_SEG_PA(s0)
    ld t2, LR_SEG_LEN(t0)
    sd t2, TCB_SEG_LEN(s0)
    ld t2, LR_SEG_PERM(t0)
    sd t2, TCB_SEG_PERM(s0)
    j 4f
3:
    sd t1, TCB_LINK_TOP(s0)
    ld t2, TCB_PROC_DEAD(s0)
    bnez t2, 5f                # back home, but home is dead: the caller stops the thread
    ld t2, TCB_HOME_SATP(s0)
    sd t2, TCB_SATP(s0)
    ld t2, TCB_HOME_XCAP(s0)
    sd t2, TCB_XCAP(s0)
    ld t2, TCB_HOME_SEGLIST(s0)
    sd t2, TCB_SEGLIST(s0)
    li t2, SEGLIST_ENTRIES
    sd t2, TCB_SEGLIST_SIZE(s0)
    sd zero, TCB_SEG_LEN(s0)
    sd zero, TCB_SEG_VA(s0)
    sd zero, TCB_SEG_PA(s0)
    sd zero, TCB_SEG_PERM(s0)
4:
    sd zero, TCB_SEGMASK_OFF(s0)
    sd zero, TCB_SEGMASK_LEN(s0)
    mv a0, s0
    call xpc_update_busy_of
    li t0, E_DEAD
    sd t0, TF_A0(s0)
  `);
  for (const r of ['gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'] as const) {
    a.sd('zero', tf(r), 's0');
  }
  a.block(`
    li a0, 0                   # resumes at a live caller
    j 6f
5:
    sd zero, TCB_SEG_LEN(s0)
    sd zero, TCB_SEGMASK_LEN(s0)
    li a0, 1                   # must stop
6:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
  a.func('xpc_process_died', 'TCB a0 is dead: its x-entries become invalid, and every linkage record (of every thread)\nthat would return into its address space is invalidated and marked (LR_FLAGS = 2), so that the xret\ninto it faults and the kernel unwinds that thread to a live caller. Threads currently executing\nin its space (migrated callers) are unwound now.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    la s1, xentry_table        # its x-entries: invalid, and every grant of them revoked
    li s2, 0
1:
    ld t2, XE_OWNER(s1)
    bne t2, s0, 2f
    ld t2, XE_FLAGS(s1)
    beqz t2, 2f
    sd zero, XE_FLAGS(s1)
    sd zero, XE_OWNER(s1)
    mv a0, s2
    call xentry_revoke
2:
    addi s1, s1, XE_SIZE
    addi s2, s2, 1
    li t0, MAX_XENTRIES
    bltu s2, t0, 1b
    ld t5, TCB_HOME_SATP(s0)
    la s1, tcbs
    li s2, MAX_PROCS
3:
    ld t0, TCB_XPC_BUSY(s1)    # not busy: home, link stack empty (and the saved fields may be stale)
    beqz t0, 6f
    ld t0, TCB_LINK_BASE(s1)
    ld t1, TCB_LINK_TOP(s1)
4:
    bgeu t0, t1, 6f
    ld t2, LR_SATP(t0)
    bne t2, t5, 5f
    li t2, 2
    sd t2, LR_FLAGS(t0)
5:
    addi t0, t0, LR_SIZE
    j 4b
6:
    addi s1, s1, TCB_SIZE
    addi s2, s2, -1
    bnez s2, 3b
    la s1, tcbs                # threads executing inside the dead space: back to a live caller now
    li s2, MAX_PROCS
7:
    ld t0, TCB_STATE(s1)
    beqz t0, 9f                # TS_FREE
    li t1, TS_DEAD
    beq t0, t1, 9f
    ld t0, TCB_XPC_BUSY(s1)
    beqz t0, 9f                # at home: not inside anything
    ld t0, TCB_SATP(s1)
    ld t1, TCB_HOME_SATP(s0)
    bne t0, t1, 9f
    mv a0, s1
    mv a1, t1
    call unwind_thread
    beqz a0, 8f
    mv a0, s1                  # no live caller and its own process is dead: it stops
    call thread_stop
    j 9f
8:
    ld t0, TCB_STATE(s1)
    li t1, TS_RUNNING
    beq t0, t1, 9f             # the current thread: its caller resumes it
    mv a0, s1                  # blocked or queued inside the dead callee: out of that queue, ready
    call thread_unblock
    mv a0, s1
    call ready_enqueue
9:
    addi s1, s1, TCB_SIZE
    addi s2, s2, -1
    bnez s2, 7b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
}
