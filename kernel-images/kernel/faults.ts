// User faults, killing processes, thread teardown.

import type { Asm } from '../builder.js';
import { CAUSES } from './common.js';

export function faultsText(a: Asm, X: boolean): void {
  a.heading('Faults and process death');
  a.func('user_exception', 'An exception from U-mode other than ecall (s11 = current, scause in t4). XPC faults of\nxcall (24, 25, 27, 28) are refused: the xcall returns an error in a0. Everything else kills the\nprocess that owns the faulting code, with a console line naming it, the pc and the cause.');
  if (X) {
    a.block(`
    li t0, 24
    beq t4, t0, 1f
    li t0, 25
    beq t4, t0, 1f
    li t0, 27
    beq t4, t0, 2f
    li t0, 28
    beq t4, t0, 3f
    li t0, 26
    beq t4, t0, xret_fault
    ld t0, TCB_SATP(s11)
    ld t1, TCB_HOME_SATP(s11)
    bne t0, t1, xpc_callee_fault   # the fault is in an xcall callee: that process dies
    j fault_kill
1:
    li a0, E_CAP                   # xcall of an entry not granted or not valid
    j 4f
2:
    li a0, E_INVAL                 # relay-segment / seg-mask error
    j 4f
3:
    li a0, E_NOMEM                 # link stack full
4:
    ld t0, TCB_PC(s11)
    addi t0, t0, 4
    sd t0, TCB_PC(s11)
    j syscall_return
    `);
  }
  a.label('fault_kill');
  a.block(`
    mv a0, s11
    call report_fault
    mv a0, s11
    call kill_process
    j resume_or_schedule
  `);
  a.func('resume_or_schedule', 'After a death: run the current thread (s11) on if it still runs (its process died in a callback\nand it went back to a live caller, or another process died), else schedule.');
  a.block(`
    ld t0, TCB_STATE(s11)
    li t1, TS_DEAD
    beq t0, t1, schedule
    mv a0, s11
    j switch_to
  `);
  a.func('report_fault', 'Print "[kernel] killed NAME (pid N): CAUSE at pc=... tval=..." for the TCB in a0.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    la a0, str_killed
    call kputs
    mv a0, s0
    call kput_name
    la a0, str_colon
    call kputs
    csrr t0, scause
    la t1, cause_names
1:
    ld t2, 0(t1)
    bltz t2, 2f
    beq t2, t0, 2f
    addi t1, t1, 16
    j 1b
2:
    ld a0, 8(t1)
    call kputs
    la a0, str_at_pc
    call kputs
    csrr a0, sepc
    call kput_hex
    la a0, str_tval
    call kputs
    csrr a0, stval
    call kput_hex
    li a0, 10
    call kputc
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('kill_process', 'Kill the process of TCB a0 (counted as killed).');
  a.block(`
    la t0, n_killed
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
    j thread_teardown
  `);
  a.func('thread_unblock', 'Take the TCB in a0 out of whatever it waits in: ready queue, endpoint queue, notification, or\nthe reply capability a server holds for it.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    ld t0, TCB_STATE(s0)
    li t1, TS_READY
    bne t0, t1, 1f
    call ready_remove
    j 9f
1:
    li t1, TS_BLOCKED_SEND
    beq t0, t1, 2f
    li t1, TS_BLOCKED_RECV
    bne t0, t1, 3f
2:
    ld a0, TCB_BLOCKED_ON(s0)
    mv a1, s0
    call ep_remove
    j 9f
3:
    li t1, TS_BLOCKED_NOTIF
    bne t0, t1, 4f
    ld t0, TCB_BLOCKED_ON(s0)
    sd zero, NTFN_WAITER(t0)
    j 9f
4:
    la t0, tcbs                # servers holding our reply capability forget it
    li t2, MAX_PROCS
5:
    ld t1, TCB_REPLY_TO(t0)
    bne t1, s0, 6f
    sd zero, TCB_REPLY_TO(t0)
6:
    addi t0, t0, TCB_SIZE
    addi t2, t2, -1
    bnez t2, 5b
9:
    sd zero, TCB_BLOCKED_ON(s0)
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('thread_stop', 'The thread of TCB a0 stops for good: out of every queue it waits in, and servers holding its reply\ncapability forget it. (Its process is dead; a thread stops when it is at home or would return there.)');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    call thread_unblock
    li t0, TS_DEAD
    sd t0, TCB_STATE(s0)
    la t0, tcbs                # servers holding our reply capability forget it
    li t2, MAX_PROCS
1:
    ld t1, TCB_REPLY_TO(t0)
    bne t1, s0, 2f
    sd zero, TCB_REPLY_TO(t0)
2:
    addi t0, t0, TCB_SIZE
    addi t2, t2, -1
    bnez t2, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('thread_teardown', 'The process of TCB a0 dies (once): a caller waiting for its reply gets E_DEAD; its x-entries and\nevery grant of them go; threads executing in its space go back to live callers with E_DEAD; its\npages are reclaimed. Its own thread stops now if it is at home; if it is executing in a live callee\n(the process died in a callback, or while its thread was away) it finishes there and stops when it\nwould return into the dead process (docs/kernel.md, death in a call chain).');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    ld t0, TCB_PROC_DEAD(s0)
    bnez t0, 9f
    li t0, 1
    sd t0, TCB_PROC_DEAD(s0)
    ld a0, TCB_REPLY_TO(s0)    # a caller waiting for our reply gets E_DEAD
    sd zero, TCB_REPLY_TO(s0)
    beqz a0, 5f
    ld t0, TCB_STATE(a0)
    li t1, TS_BLOCKED_REPLY
    bne t0, t1, 5f
    li t0, E_DEAD
    sd t0, TF_A0(a0)
    call ready_enqueue
5:
  `);
  if (X) a.block(`
    mv a0, s0
    call xpc_process_died      # (unwinds its own thread too when it is in a callback)
    ld t0, TCB_STATE(s0)
    li t1, TS_DEAD
    beq t0, t1, 6f             # already stopped by the unwinding
    ld t0, TCB_XPC_BUSY(s0)
    beqz t0, 7f                # at home: stop
    ld t0, TCB_SATP(s0)
    ld t1, TCB_HOME_SATP(s0)
    bne t0, t1, 6f             # executing in a live callee: it stops when it would come back
7:
  `);
  a.block(`
    mv a0, s0
    call thread_stop
6:
    ld a0, TCB_ROOT(s0)        # its own pages go back to the allocator
    call vm_reclaim
    mv s1, a0
    la a0, str_reclaim
    call kputs
    mv a0, s1
    call kput_dec
    la a0, str_reclaim_from
    call kputs
    mv a0, s0
    call kput_name
    li a0, 10
    call kputc
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
  `);
  a.raw('.balign 8').label('cause_names');
  for (const [c] of CAUSES) a.i(`.quad ${c}, str_cause_${c}`);
  a.i('.quad -1, str_cause_unknown');
}
