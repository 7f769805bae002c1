// init: building the world of the system description at boot.

import type { Asm } from '../builder.js';

export function initText(a: Asm, X: boolean, A = false, G = false, P = false): void {
  a.heading('init: build the world the system description asks for (boot modules, objects, capabilities)');
  a.func('init_world', 'Endpoints and notifications are static; frames are allocated; each boot module becomes a process\nwith its own Sv39 address space, stack (guard page below), IPC buffer and capabilities.');
  a.block(`
    addi sp, sp, -64
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    la t0, _end                # the page pool starts after the image
    li t1, PAGE_SIZE-1
    add t0, t0, t1
    srli t0, t0, 12
    slli t0, t0, 12
    la t1, alloc_next
    sd t0, 0(t1)
    la s0, endpoints           # endpoint ids
    li s1, 0
1:
    sd s1, EP_ID(s0)
    addi s0, s0, EP_SIZE
    addi s1, s1, 1
    li t0, MAX_ENDPOINTS
    bltu s1, t0, 1b
    la s0, frame_table         # frames: contiguous, zeroed
    la s1, frame_count
    ld s1, 0(s1)
2:
    beqz s1, 3f
    ld a0, 8(s0)
    call page_alloc_contig
    beqz a0, init_oom
    sd a0, 0(s0)
    addi s0, s0, 16
    addi s1, s1, -1
    j 2b
3:
    li s5, 0                   # module index (create_process uses s0-s3, s6)
4:
    la t0, module_count
    ld t0, 0(t0)
    bgeu s5, t0, 20f
    mv a0, s5
    call create_process
    addi s5, s5, 1
    j 4b
20:
  `);
  if (X) a.i('call xpc_init_entries');
  if (G) a.i('call gate_init_static', 'the call gates of the system description');
  a.block(`
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    addi sp, sp, 64
    ret
init_oom:
    la a0, str_oom
    call kputs
    li t0, (3 << 1) | 1
    la t1, tohost
    sd t0, 0(t1)
1:
    j 1b
  `);
  a.func('map_new_page', 'Boot only: map_fresh_page, and out of memory stops the boot (exit code 3). a0 = page.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    call map_fresh_page
    beqz a0, init_oom
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('map_fresh_page', 'Allocate a zeroed page and map it at va a1 with flags a2 in the space of TCB s1. a0 = the page, or\n0 when no page (or page-table page) is left or va is already mapped; nothing is left allocated then.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd a1, 8(sp)
    sd a2, 16(sp)
    call page_alloc
    beqz a0, 9f
    sd a0, 24(sp)
    mv a2, a0
    ld a0, TCB_ROOT(s1)
    ld a1, 8(sp)
    ld a3, 16(sp)
    call vm_map
    bnez a0, 8f
    ld a0, 24(sp)
    j 9f
8:
    ld a0, 24(sp)              # not mapped: the page goes back
    call page_free
    li a0, 0
9:
    ld ra, 0(sp)
    addi sp, sp, 32
    ret
  `);
  a.func('create_process', 'Process number a0 from boot module a0 (init only; s-registers are init_world scratch).');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    mv s6, a0
    li t0, BM_SIZE
    mul t0, a0, t0
    la s0, boot_modules
    add s0, s0, t0             # s0 = module
    li t0, TCB_SIZE
    mul t0, a0, t0
    la s1, tcbs
    add s1, s1, t0             # s1 = TCB
    sd s6, TCB_PID(s1)
    ld t0, BM_NAME(s0)
    sd t0, TCB_NAME(s1)
    ld t0, BM_PRIO(s0)
    sd t0, TCB_PRIO(s1)
    ld t0, BM_ENTRY(s0)
    sd t0, TCB_PC(s1)
    li t0, USER_STACK_TOP
    sd t0, TF_SP(s1)
    sd s6, TF_A0(s1)           # a0 = own process number at entry
    call page_alloc            # root table: the kernel gigapages come from kernel_root
    beqz a0, init_oom
    sd a0, TCB_ROOT(s1)
    la t0, kernel_root
    ld t1, 16(t0)
    sd t1, 16(a0)
    ld t1, 24(t0)
    sd t1, 24(a0)
    srli t0, a0, 12
    li t1, 8
    slli t1, t1, 60
    or t0, t0, t1
.if KERNEL_ASID
    addi t1, s6, 1             # ASID = pid + 1 (0 is the boot table's)
    slli t1, t1, 44
    or t0, t0, t1
.endif
    sd t0, TCB_SATP(s1)
    sd t0, TCB_HOME_SATP(s1)
    li s2, 0                   # program pages: text R+X, the rest R+W, all U
1:
    ld t0, BM_MEM_SIZE(s0)
    bgeu s2, t0, 5f
    ld t0, BM_TEXT_SIZE(s0)
    li a2, PTE_R|PTE_X|PTE_U|PTE_OWNED
    bltu s2, t0, 2f
    li a2, PTE_R|PTE_W|PTE_U|PTE_OWNED
2:
.if KERNEL_PKEY
    la t0, module_pkeys        # the page's protection key (one byte per image page), into PTE bits 58:54
    slli t1, s6, 3
    add t0, t0, t1
    ld t0, 0(t0)
    beqz t0, 7f
    srli t1, s2, 12
    add t0, t0, t1
    lbu t0, 0(t0)
    slli t0, t0, 54
    or a2, a2, t0
7:
.endif
    li a1, USER_BASE
    add a1, a1, s2
    call map_new_page
    ld t0, BM_IMAGE_SIZE(s0)   # copy the image bytes of this page
    ld t1, BM_IMAGE(s0)
    add t1, t1, s2
    sub t2, t0, s2             # bytes left in the image
    blez t2, 4f
    li t3, PAGE_SIZE
    bleu t2, t3, 3f
    mv t2, t3
3:
    lbu t3, 0(t1)
    sb t3, 0(a0)
    addi t1, t1, 1
    addi a0, a0, 1
    addi t2, t2, -1
    bnez t2, 3b
4:
    li t0, PAGE_SIZE
    add s2, s2, t0
    j 1b
5:
    li s2, 0                   # stack pages below USER_STACK_TOP; the page under them stays unmapped
6:
    addi s2, s2, 1
    slli t0, s2, 12
    li a1, USER_STACK_TOP
    sub a1, a1, t0
    li a2, PTE_R|PTE_W|PTE_U|PTE_OWNED
    call map_new_page
    li t0, USER_STACK_PAGES
    bltu s2, t0, 6b
    li a1, USER_IPC_BUFFER     # IPC buffer
    li a2, PTE_R|PTE_W|PTE_U|PTE_OWNED
    call map_new_page
    sd a0, TCB_IPCBUF(s1)
  `);
  if (A) a.i('call asl_map_process', 'address-space lists: entry page and trampoline');
  if (X) a.block(`
    call page_alloc            # XPC page: capability bitmap (the identity) and seg-list, each on its own
    beqz a0, init_oom          # cache lines (layout.ts: nothing hot at a page's line 0)
    addi t0, a0, XPC_PAGE_XCAP_OFF
    sd t0, TCB_XCAP(s1)
    sd t0, TCB_HOME_XCAP(s1)
    addi t0, a0, XPC_PAGE_SEGLIST_OFF
    sd t0, TCB_SEGLIST(s1)
    sd t0, TCB_HOME_SEGLIST(s1)
    call page_alloc            # link stack: records from LINK_STACK_OFF to the end of its page
    beqz a0, init_oom
    addi a0, a0, LINK_STACK_OFF
    sd a0, TCB_LINK_BASE(s1)
    sd a0, TCB_LINK_TOP(s1)
    li t0, LINK_STACK_RECORDS*LR_SIZE
    add t0, a0, t0
    sd t0, TCB_LINK_LIMIT(s1)
    li t0, SEGLIST_ENTRIES
    sd t0, TCB_SEGLIST_SIZE(s1)
  `);
  a.block(`
    ld s2, BM_CAPS(s0)         # capabilities
    ld s3, BM_NCAPS(s0)
7:
    beqz s3, 12f
    ld t0, CI_SLOT(s2)
    slli t0, t0, 5
    add t0, t0, s1
    addi t0, t0, TCB_CAPS      # t0 = slot
    ld t1, CI_TYPE(s2)
    sd t1, CAP_TYPE(t0)
    ld t2, CI_INDEX(s2)
    ld t3, CI_BADGE(s2)
    sd t3, CAP_BADGE(t0)
    li t4, CAP_T_ENDPOINT
    bne t1, t4, 8f
    li t4, EP_SIZE
    mul t4, t4, t2
    la t5, endpoints
    j 11f
8:
    li t4, CAP_T_NOTIFICATION
    bne t1, t4, 9f
    li t4, NTFN_SIZE
    mul t4, t4, t2
    la t5, notifications
    j 11f
9:
    li t4, CAP_T_THREAD
    bne t1, t4, 10f
    li t4, TCB_SIZE
    mul t4, t4, t2
    la t5, tcbs
    j 11f
10:
    slli t4, t2, 4             # frame: physical base and page count
    la t5, frame_table
    add t5, t5, t4
    ld t6, 8(t5)
    sd t6, CAP_BADGE(t0)
    ld t5, 0(t5)
    li t4, 0
11:
    add t5, t5, t4
    sd t5, CAP_OBJ(t0)
    addi s2, s2, CI_SIZE
    addi s3, s3, -1
    j 7b
12:
    mv a0, s1
    call ready_enqueue
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
  `);
}
