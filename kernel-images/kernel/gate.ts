// Call-gate support (docs/mechanisms.md §1, docs/kernel.md "Call gates"): the gate table, the gate-miss
// handler that fills the hardware gate cache, per-thread return stacks in kernel memory, the gate state
// saved and loaded with a thread, and revocation and unwinding when a domain dies.
//
// Domains: process pid runs as gate domain pid + 1 (0 = none). A gate is registered by its owner (entry
// pc in its own executable user text) and granted by the owner to other processes; the cache holds
// (gate, calling domain) -> (owner's satp, entry pc, owner's domain) and is filled only by the kernel.

import type { Asm } from '../builder.js';

/** Gates in the kernel's table. */
export const MAX_GATES = 16;
/** Return records per thread (nesting depth of gate calls). */
export const GATE_DEPTH = 8;
/** Return record (docs/mechanisms.md §1.3). */
const REC = 32;

export function gateConstants(a: Asm): void {
  a.equ('MAX_GATES', MAX_GATES);
  a.equ('GATE_DEPTH', GATE_DEPTH);
  a.equ('GATE_REC', REC);
  a.equ('GSTACK_BYTES', GATE_DEPTH * REC);
  a.equ('GT_OWNER', 0);
  a.equ('GT_PC', 8);
  a.equ('GT_GRANTS', 16);
  a.equ('GT_SIZE', 32);
}

export function gateBss(a: Asm): void {
  a.raw('.balign 64');
  a.global('gate_table').i('.zero MAX_GATES*GT_SIZE', 'owner TCB (0 = free), entry pc, bitmap of granted pids');
  a.global('gate_state').i('.zero MAX_PROCS*16', 'per thread: saved gdom (0 = not yet set up), saved gstack_top');
  a.global('gate_next_slot').i('.quad 0', 'round-robin victim for gfill');
  a.raw('.balign 64');
  a.global('gate_stacks').i('.zero MAX_PROCS*GSTACK_BYTES', 'return stacks: kernel memory, never mapped for U');
}

export function gateText(a: Asm): void {
  a.heading('Call gates: gate table, gate misses, return stacks, death (docs/mechanisms.md section 1)');

  a.func('gate_state_of', 'a0 = TCB: t0 = &gate_state[pid], t1 = the return stack base of that thread. Leaf (t0-t2).');
  a.block(`
    ld t1, TCB_PID(a0)
    slli t0, t1, 4
    la t2, gate_state
    add t0, t0, t2
    li t2, GSTACK_BYTES
    mul t1, t1, t2
    la t2, gate_stacks
    add t1, t1, t2
    ret
  `);

  a.func('gate_save', 'Save the current thread\'s (s11) satp, gdom and gstack_top. Leaf (t0, t1 only: the system-call\narguments stay live).');
  a.block(`
    csrr t0, satp
    sd t0, TCB_SATP(s11)
    ld t0, TCB_PID(s11)
    slli t0, t0, 4
    la t1, gate_state
    add t0, t0, t1
    csrr t1, gdom
    sd t1, 0(t0)
    csrr t1, gstack_top
    sd t1, 8(t0)
    ret
  `);

  a.func('gate_load', 'Load the gate registers of the thread in t6 (its domain, its return stack); first time: domain\npid + 1, empty stack. Uses t0-t3, a0 (switch_to restores every register afterwards).');
  a.block(`
    mv a0, t6
    mv t3, ra
    call gate_state_of
    mv ra, t3
    ld t2, 0(t0)
    bnez t2, 1f
    ld t2, TCB_PID(t6)
    addi t2, t2, 1
    sd t2, 0(t0)
    sd t1, 8(t0)
1:
    csrw gdom, t2
    csrw gstack_base, t1
    ld t2, 8(t0)
    csrw gstack_top, t2
    li t2, GSTACK_BYTES
    add t1, t1, t2
    csrw gstack_limit, t1
    ret
  `);

  a.func('gate_init_static', 'Boot: the gates of the system description (gate_inits: owner module, entry pc, bitmap of granted\npids) become gates 0.. of the table, as if their owners had registered and granted them.');
  a.block(`
    la t0, gate_init_count
    ld t1, 0(t0)
    la t0, gate_inits
    la t2, gate_table
    li t6, MAX_GATES
    bleu t1, t6, 1f
    mv t1, t6
1:
    beqz t1, 9f
    ld t3, 0(t0)
    li t4, TCB_SIZE
    mul t3, t3, t4
    la t4, tcbs
    add t3, t3, t4
    sd t3, GT_OWNER(t2)
    ld t3, 8(t0)
    sd t3, GT_PC(t2)
    ld t3, 16(t0)
    sd t3, GT_GRANTS(t2)
    addi t0, t0, 24
    addi t2, t2, GT_SIZE
    addi t1, t1, -1
    j 1b
9:
    ret
  `);

  a.func('sys_gate_register', 'gate_register(a0 = entry pc) -> gate id, E_INVAL (the pc is not executable user text of the\ncaller) or E_NOMEM (table full). The caller (s10) owns the gate; nobody may call it until granted.');
  a.block(`
    mv s0, a0
    andi t0, s0, 1             # instructions are 2-byte aligned (C)
    bnez t0, 8f
    ld a0, TCB_HOME_SATP(s10)  # root table: satp.PPN << 12
    slli a0, a0, 20
    srli a0, a0, 8
    mv a1, s0
    li a2, PTE_U|PTE_X
    call uva_to_pa
    bltz a0, 8f
    la t0, gate_table
    li t1, 0
1:
    ld t2, GT_OWNER(t0)
    beqz t2, 2f
    addi t0, t0, GT_SIZE
    addi t1, t1, 1
    li t2, MAX_GATES
    bltu t1, t2, 1b
    li a0, E_NOMEM
    j syscall_return
2:
    sd s10, GT_OWNER(t0)
    sd s0, GT_PC(t0)
    sd zero, GT_GRANTS(t0)
    mv a0, t1
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('sys_gate_grant', 'gate_grant(a0 = gate id, a1 = pid) -> 0, E_INVAL (id or pid out of range) or E_PERM (the caller\ndoes not own the gate). The process pid may then call it (the kernel fills the cache on its first miss).');
  a.block(`
    li t0, MAX_GATES
    bgeu a0, t0, 8f
    li t0, MAX_PROCS
    bgeu a1, t0, 8f
    slli t0, a0, 5             # GT_SIZE = 32
    la t1, gate_table
    add t0, t0, t1
    ld t1, GT_OWNER(t0)
    bne t1, s10, 7f
    li t1, 1
    sll t1, t1, a1
    ld t2, GT_GRANTS(t0)
    or t2, t2, t1
    sd t2, GT_GRANTS(t0)
    li a0, 0
    j syscall_return
7:
    li a0, E_PERM
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('gate_miss', 'Gate miss (cause 29) of the current thread s11, gate id in stval, calling domain in gdom. A granted\ngate of a live owner goes into the cache and the gcall is retried; anything else is refused: the\ngcall returns E_CAP in a0 and execution goes on after it.');
  a.block(`
    csrr t0, stval
    li t1, MAX_GATES
    bgeu t0, t1, 8f
    csrr t3, gdom              # the calling domain (pid + 1)
    addi t4, t3, -1
    li t1, MAX_PROCS
    bgeu t4, t1, 8f
    slli t1, t0, 5
    la t2, gate_table
    add t1, t1, t2             # t1 = the gate
    ld t2, GT_OWNER(t1)
    beqz t2, 8f
    ld t5, TCB_PROC_DEAD(t2)
    bnez t5, 8f
    ld t5, GT_GRANTS(t1)
    srl t5, t5, t4
    andi t5, t5, 1
    beqz t5, 8f
    csrw gfill_gate, t0
    csrw gfill_dom, t3
    ld t5, TCB_HOME_SATP(t2)
    csrw gfill_satp, t5
    ld t5, GT_PC(t1)
    csrw gfill_pc, t5
    ld t5, TCB_PID(t2)
    addi t5, t5, 1
    csrw gfill_target, t5
    la t1, gate_next_slot      # round robin over the cache
    ld t5, 0(t1)
    csrr t2, gcache_entries
    remu t5, t5, t2
    addi t2, t5, 1
    sd t2, 0(t1)
    gfill t5
    j resume_current           # retry the gcall (TCB_PC is its pc)
8:
    li a0, E_CAP
    ld t0, TCB_PC(s11)
    addi t0, t0, 4
    sd t0, TCB_PC(s11)
    j syscall_return
  `);

  a.func('gate_stack_fault', 'Gate-stack fault (cause 30): a gcall with no room for its record gets E_NOMEM; a gret with no\nrecord (nothing to return to: a forged return) kills the process whose code made it.');
  a.block(`
    csrr t0, gstack_top
    addi t0, t0, GATE_REC
    csrr t1, gstack_limit
    bleu t0, t1, fault_kill_gate
    li a0, E_NOMEM
    ld t0, TCB_PC(s11)
    addi t0, t0, 4
    sd t0, TCB_PC(s11)
    j syscall_return
  `);

  a.func('gate_callee_fault', 'Any other exception while the thread is inside a gate call: the callee domain (gdom) dies, and\nthe thread goes back to the nearest live caller with E_DEAD in a0 (gate_process_died unwinds it).');
  a.block(`
    csrr t0, gdom
    addi t0, t0, -1
    li t1, MAX_PROCS
    bgeu t0, t1, fault_kill_gate
    li t1, TCB_SIZE
    mul t0, t0, t1
    la t1, tcbs
    add s0, t0, t1
    mv a0, s0
    call report_fault
    mv a0, s0
    call kill_process
    j resume_or_schedule
  `);
  a.label('fault_kill_gate');
  a.i('j fault_kill');

  a.func('gate_process_died', 'The process of TCB a0 died (its TCB_PROC_DEAD is set): its gates and their cache entries go\n(gflush names it as caller and as target); every thread inside a dead domain is unwound, record by\nrecord from its kernel return stack, to the nearest live caller, with E_DEAD in a0.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    ld t0, TCB_PID(s0)
    addi t0, t0, 1
    gflush t0
    la t0, gate_table
    li t1, MAX_GATES
1:
    ld t2, GT_OWNER(t0)
    bne t2, s0, 2f
    sd zero, GT_OWNER(t0)
    sd zero, GT_PC(t0)
    sd zero, GT_GRANTS(t0)
2:
    addi t0, t0, GT_SIZE
    addi t1, t1, -1
    bnez t1, 1b
    la s1, tcbs
    li s2, MAX_PROCS
3:
    mv a0, s1
    call gate_state_of         # t0 = state, t1 = stack base
4:
    ld t2, 8(t0)               # saved gstack_top
    bleu t2, t1, 6f            # at home (or never set up)
    ld t3, 0(t0)               # the domain it runs in
    addi t3, t3, -1
    li t4, MAX_PROCS
    bgeu t3, t4, 6f
    li t4, TCB_SIZE
    mul t3, t3, t4
    la t4, tcbs
    add t3, t3, t4
    ld t4, TCB_PROC_DEAD(t3)
    beqz t4, 6f                # a live domain: nothing to do
    addi t2, t2, -GATE_REC     # pop one record into the thread's saved state
    ld t4, 0(t2)
    sd t4, TCB_SATP(s1)
    ld t4, 8(t2)
    sd t4, TCB_PC(s1)
    ld t4, 16(t2)
    sd t4, 0(t0)
    sd zero, 24(t2)
    sd t2, 8(t0)
    li t4, E_DEAD
    sd t4, TF_A0(s1)
    j 4b
6:
    addi s1, s1, TCB_SIZE
    addi s2, s2, -1
    bnez s2, 3b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
}
