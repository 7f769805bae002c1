// Address-space-list support (docs/mechanisms.md §3, docs/kernel.md "Address-space lists"): per-process
// lists of roots with keys, the trampoline page mapped at one address in every process, each process's
// entry page, the export/bind system calls, and what a death does to the lists and to threads inside
// the dead space.

import type { Asm } from '../builder.js';

/** Entries per process list: entry 0 is the process's own space. */
export const ASL_MAX = 16;
/** The trampoline (kernel code, one page) in every process; the process's entry page after it. */
export const ASL_TRAMP_VA = 0x80_0000;
export const ASL_INFO_VA = 0x80_1000;

export function aslConstants(a: Asm): void {
  a.equ('ASL_MAX', ASL_MAX);
  a.equ('ASL_LIST_BYTES', ASL_MAX * 16);
  a.equ('ASL_TRAMP_VA', ASL_TRAMP_VA);
  a.equ('ASL_INFO_VA', ASL_INFO_VA);
}

export function aslBss(a: Asm): void {
  a.raw('.balign 64');
  a.global('asl_lists').i('.zero MAX_PROCS*ASL_LIST_BYTES', 'per process: ASL_MAX entries {satp (0 = empty), key}');
  a.global('asl_count').i('.zero MAX_PROCS*8', 'entries in use (asl_size)');
  a.global('asl_info_pa').i('.zero MAX_PROCS*8', 'physical address of each process\'s entry page');
  a.global('asl_seed').i('.quad 0', 'key generator state (xorshift64; deterministic on rvx: not a secret source)');
}

export function aslText(a: Asm): void {
  a.heading('Address-space lists (docs/mechanisms.md section 3)');

  a.comment('The trampoline: this page alone is mapped U|R|X at ASL_TRAMP_VA in every process (nothing else of\nthe kernel shares it). asl_call(t1 = index, t2 = key, t3 = return index, t4 = return key, a0..a7 =\narguments) -> a0..a7; clobbers t0 only. The caller\'s ra, s9, s10, s11 go on the caller\'s stack; during\nthe call s9 = the caller\'s sp, s10/s11 = the return index and key (callee-saved: the entry keeps them).\nAfter aslswitch the next instruction runs in the target space, at the same address: it jumps to the\nentry the target exported (its entry page), and comes back here to switch back.');
  a.raw('.balign 4096');
  a.global('asl_tramp_page');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s9, 8(sp)
    sd s10, 16(sp)
    sd s11, 24(sp)
    mv s9, sp
    mv s10, t3
    mv s11, t4
    aslswitch t1, t2
    li t0, ASL_INFO_VA
    ld t0, 0(t0)
    jalr t0
    aslswitch s10, s11
  `);
  a.global('asl_tramp_back');
  a.comment('A callee\'s death resumes the thread here, in the space of its return entry, with a0 = E_DEAD.');
  a.block(`
    mv sp, s9
    ld ra, 0(sp)
    ld s9, 8(sp)
    ld s10, 16(sp)
    ld s11, 24(sp)
    addi sp, sp, 32
    ret
  `);
  a.raw('.balign 4096');

  a.func('asl_newkey', 'a0 = a fresh nonzero key (xorshift64). Leaf (t0, t1).');
  a.block(`
    la t1, asl_seed
    ld a0, 0(t1)
    bnez a0, 1f
    csrr a0, time
    li t0, 0x9e3779b97f4a7c15
    xor a0, a0, t0
1:
    slli t0, a0, 13
    xor a0, a0, t0
    srli t0, a0, 7
    xor a0, a0, t0
    slli t0, a0, 17
    xor a0, a0, t0
    sd a0, 0(t1)
    ret
  `);

  a.func('asl_map_process', 'Init only (create_process, s1 = TCB): the entry page (zeroed, R|U) and the trampoline page.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    li a1, ASL_INFO_VA
    li a2, PTE_R|PTE_U
    call map_new_page
    ld t0, TCB_PID(s1)
    slli t0, t0, 3
    la t1, asl_info_pa
    add t0, t0, t1
    sd a0, 0(t0)
    ld a0, TCB_ROOT(s1)
    li a1, ASL_TRAMP_VA
    la a2, asl_tramp_page
    li a3, PTE_R|PTE_X|PTE_U
    call vm_map
    bnez a0, init_oom
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
  `);

  a.func('asl_list_of', 'a0 = TCB: t0 = its list, t1 = &its count. Leaf (t0, t1, t2).');
  a.block(`
    ld t2, TCB_PID(a0)
    slli t0, t2, 8            # ASL_LIST_BYTES = 256
    la t1, asl_lists
    add t0, t0, t1
    slli t2, t2, 3
    la t1, asl_count
    add t1, t1, t2
    ret
  `);

  a.func('asl_load', 'switch_to: the list registers of the thread in t6 (first time: entry 0 = its own space with a\nfresh key). Uses t0-t3, a0.');
  a.block(`
    mv t3, ra
    mv a0, t6
    call asl_list_of
    ld t2, 0(t0)
    bnez t2, 1f
    ld t2, TCB_HOME_SATP(t6)
    sd t2, 0(t0)
    mv t2, t0
    call asl_newkey
    sd a0, 8(t2)
    mv a0, t6
    call asl_list_of
    ld t2, 0(t1)
    bnez t2, 1f
    li t2, 1
    sd t2, 0(t1)
1:
    mv ra, t3
    csrw asl_base, t0
    ld t2, 0(t1)
    csrw asl_size, t2
    li t2, ASL_TRAMP_VA
    csrw asl_tramp, t2
    ret
  `);

  a.func('asl_save', 'Kernel entry: the space the current thread (s11) runs in. Leaf (t0).');
  a.csrr('t0', 'satp').sd('t0', 'TCB_SATP', 's11').i('ret');

  a.func('sys_asl_export', 'asl_export(a0 = client pid, a1 = entry pc) -> 0, E_INVAL (pid out of range or the caller\'s own,\npc not executable user text of the caller), E_EXISTS (already in the list), E_NOMEM (list full). The\ncaller\'s space joins the client\'s list with a fresh key; a1 becomes the caller\'s entry.');
  a.block(`
    li t0, MAX_PROCS
    bgeu a0, t0, 8f
    ld t0, TCB_PID(s10)
    beq a0, t0, 8f
    mv s0, a0
    mv s1, a1
    andi t0, s1, 1
    bnez t0, 8f
    ld a0, TCB_HOME_SATP(s10)
    slli a0, a0, 20
    srli a0, a0, 8
    mv a1, s1
    li a2, PTE_U|PTE_X
    call uva_to_pa
    bltz a0, 8f
    li t0, TCB_SIZE            # the client's list
    mul t0, s0, t0
    la t1, tcbs
    add a0, t0, t1
    call asl_list_of
    ld t3, TCB_HOME_SATP(s10)
    li t2, 1
1:
    slli t4, t2, 4
    add t4, t4, t0
    ld t5, 0(t4)
    beq t5, t3, 7f
    beqz t5, 2f
    addi t2, t2, 1
    li t5, ASL_MAX
    bltu t2, t5, 1b
    li a0, E_NOMEM
    j syscall_return
2:
    sd t3, 0(t4)
    mv s2, t4
    mv s3, t1
    mv s4, t2
    call asl_newkey
    sd a0, 8(s2)
    ld t0, 0(s3)
    addi t1, s4, 1
    bgeu t0, t1, 3f
    sd t1, 0(s3)
3:
    ld t0, TCB_PID(s10)        # the entry the trampoline jumps to in the caller's space
    slli t0, t0, 3
    la t1, asl_info_pa
    add t0, t0, t1
    ld t0, 0(t0)
    sd s1, 0(t0)
    li a0, 0
    j syscall_return
7:
    li a0, E_EXISTS
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('sys_asl_bind', 'asl_bind(a0 = server pid, a1 = list owner pid) -> a0 = index, a1 = key, a2 = return key, a3 = return\nindex: where the server is in the owner\'s list, and the entry to switch back to. The owner is the caller\n(return entry 0, the caller\'s own space) or a process whose list holds the caller\'s space (a server\nthat calls on, on its client\'s thread: the return entry is its own in that list). E_INVAL (pid out of\nrange), E_PERM (the server, or the caller, is not in the owner\'s list).');
  a.block(`
    li t0, MAX_PROCS
    bgeu a0, t0, 8f
    bgeu a1, t0, 8f
    li t0, TCB_SIZE
    mul t1, a0, t0
    la t2, tcbs
    add t1, t1, t2
    ld s0, TCB_HOME_SATP(t1)   # s0 = the server's space
    mul t1, a1, t0
    add s1, t1, t2             # s1 = the owner's TCB
    mv a0, s1
    call asl_list_of           # t0 = the owner's list
    ld t5, TCB_PID(s10)
    ld t6, TCB_PID(s1)
    li s2, 0                   # s2 = return index
    beq t5, t6, 3f             # the caller's own list: return to entry 0
    ld t3, TCB_HOME_SATP(s10)
    li t2, 1
1:
    slli t4, t2, 4
    add t4, t4, t0
    ld t5, 0(t4)
    beq t5, t3, 2f
    addi t2, t2, 1
    li t5, ASL_MAX
    bltu t2, t5, 1b
    j 7f
2:
    mv s2, t2
3:
    beqz s0, 7f
    li t2, 1
4:
    slli t4, t2, 4
    add t4, t4, t0
    ld t5, 0(t4)
    beq t5, s0, 5f
    addi t2, t2, 1
    li t5, ASL_MAX
    bltu t2, t5, 4b
7:
    li a0, E_PERM
    j syscall_return
5:
    ld t5, 8(t4)
    sd t5, TF_A1(s11)
    slli t4, s2, 4
    add t4, t4, t0
    ld t5, 8(t4)
    sd t5, TF_A2(s11)
    sd s2, TF_A3(s11)
    mv a0, t2
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('asl_foreign_fault', 'An exception while the thread (s11) runs in another process\'s space: that process dies; the\nthread goes home (asl_process_died).');
  a.block(`
    ld t0, TCB_SATP(s11)
    la s0, tcbs
    li t1, MAX_PROCS
1:
    ld t2, TCB_HOME_SATP(s0)
    beq t2, t0, 2f
    addi s0, s0, TCB_SIZE
    addi t1, t1, -1
    bnez t1, 1b
    j fault_kill
2:
    mv a0, s0
    call report_fault
    mv a0, s0
    call kill_process
    j resume_or_schedule
  `);

  a.func('asl_process_died', 'The process of TCB a0 died: its space leaves every list (its entries become empty: a switch\nto them faults), and every other thread running in its space resumes at asl_tramp_back with E_DEAD in\na0, in the space of the return entry its trampoline keeps (s10 = index, s11 = key, checked against its\nlist; home if they do not match a live entry).');
  a.block(`
    ld t3, TCB_HOME_SATP(a0)
    la t0, asl_lists
    li t1, MAX_PROCS*ASL_MAX
1:
    ld t2, 0(t0)
    bne t2, t3, 2f
    sd zero, 0(t0)
    sd zero, 8(t0)
2:
    addi t0, t0, 16
    addi t1, t1, -1
    bnez t1, 1b
    la t0, tcbs
    li t1, MAX_PROCS
3:
    beq t0, a0, 4f
    ld t2, TCB_SATP(t0)
    bne t2, t3, 4f
    ld t2, TCB_HOME_SATP(t0)   # home, unless the return entry is a live one of its list with that key
    ld t4, TF_S10(t0)
    li t5, ASL_MAX
    bgeu t4, t5, 5f
    ld t5, TCB_PID(t0)
    slli t5, t5, 8             # ASL_LIST_BYTES = 256
    slli t4, t4, 4
    add t4, t4, t5
    la t5, asl_lists
    add t4, t4, t5
    ld t5, 0(t4)
    beqz t5, 5f
    ld t6, 8(t4)
    ld t4, TF_S11(t0)
    bne t6, t4, 5f
    mv t2, t5
5:
    sd t2, TCB_SATP(t0)
    li t2, ASL_TRAMP_VA+(asl_tramp_back-asl_tramp_page)
    sd t2, TCB_PC(t0)
    li t2, E_DEAD
    sd t2, TF_A0(t0)
4:
    addi t0, t0, TCB_SIZE
    addi t1, t1, -1
    bnez t1, 3b
    ret
  `);
}
