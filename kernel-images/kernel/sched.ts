// Scheduler, idle/halt, timer, and the exits from the kernel (switch_to, restore_user, xpc_save).

import { ALL_REGS, type Asm } from '../builder.js';
import { type KernelConfig } from './common.js';
import { pkeyLoad } from './pkey.js';

/** Ready queues, schedule, idle, halt, timer_arm, switch_to, restore, XPC register save. */
export function schedText(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;
  // -------------------------------------------------------------------------------------------------
  a.heading('Scheduler: priority round robin (highest non-empty ready queue first, FIFO within it)');
  a.func('ready_enqueue', 'Make the TCB in a0 ready: append it to the queue of its priority.');
  a.block(`
    li t0, TS_READY
    sd t0, TCB_STATE(a0)
    sd zero, TCB_NEXT(a0)
    ld t0, TCB_PRIO(a0)
    slli t0, t0, 3
    la t1, rq_head
    add t1, t1, t0
    la t2, rq_tail
    add t2, t2, t0
    ld t0, 0(t1)
    bnez t0, 1f
    sd a0, 0(t1)
    sd a0, 0(t2)
    ret
1:
    ld t0, 0(t2)
    sd a0, TCB_NEXT(t0)
    sd a0, 0(t2)
    ret
  `);
  a.func('ready_remove', 'Remove the TCB in a0 from its ready queue (it must be in it).');
  a.block(`
    ld t0, TCB_PRIO(a0)
    slli t0, t0, 3
    la t1, rq_head
    add t1, t1, t0
    la t2, rq_tail
    add t2, t2, t0
    li t3, 0                  # previous
    ld t4, 0(t1)
1:
    beqz t4, 9f
    beq t4, a0, 2f
    mv t3, t4
    ld t4, TCB_NEXT(t4)
    j 1b
2:
    ld t5, TCB_NEXT(a0)
    bnez t3, 3f
    sd t5, 0(t1)
    j 4f
3:
    sd t5, TCB_NEXT(t3)
4:
    ld t6, 0(t2)
    bne t6, a0, 9f
    sd t3, 0(t2)
9:
    ret
  `);
  a.func('schedule', 'Pick the next thread and run it (never returns). Idle with wfi when nothing is ready.');
  a.block(`
    la sp, kstack_top
    li t0, NUM_PRIOS-1
1:
    slli t1, t0, 3
    la t2, rq_head
    add t2, t2, t1
    ld a0, 0(t2)
    bnez a0, 2f
    addi t0, t0, -1
    bgez t0, 1b
    j idle
2:
    ld t3, TCB_NEXT(a0)       # dequeue the head
    sd t3, 0(t2)
    sd zero, TCB_NEXT(a0)
    j switch_to
  `);
  a.func('idle', 'Nothing is ready: wait for the timer with wfi. No device can wake a blocked thread, so when a\nwhole time slice passes with nothing ready the system is finished (or deadlocked) and halts.');
  a.block(`
    la t0, current
    sd zero, 0(t0)
    la t0, idle_ticks
    ld t1, 0(t0)
    bnez t1, halt
1:
    csrr t0, sip
    andi t0, t0, 1 << 5       # STIP
    bnez t0, 2f
    wfi
    j 1b
2:
    la t0, idle_ticks
    li t1, 1
    sd t1, 0(t0)
    call timer_arm
    j schedule
  `);
  a.func('halt', 'Print a summary and end the run through HTIF with exit code 0.');
  a.block(`
    la a0, str_halt
    call kputs
    la a0, n_exited
    ld a0, 0(a0)
    call kput_dec
    la a0, str_halt_exited
    call kputs
    la a0, n_killed
    ld a0, 0(a0)
    call kput_dec
    la a0, str_halt_killed
    call kputs
    li t0, 1
    la t1, tohost
    sd t0, 0(t1)
1:
    j 1b
  `);
  a.func('timer_arm', 'Program the next timer interrupt one slice from now (SBI-style set_timer ecall).');
  a.block(`
    li t0, MTIME_VA
    ld a0, 0(t0)
    li t0, TIMESLICE
    add a0, a0, t0
    li a7, 0
    ecall
    ret
  `);

  // -------------------------------------------------------------------------------------------------
  a.heading('Leaving the kernel: switch address space (and XPC state), restore the user context, sret');
  a.func('switch_to', 'Run the TCB in a0: it becomes current; its address space and XPC registers are loaded.');
  a.block(`
    la t0, current
    sd a0, 0(t0)
    li t0, TS_RUNNING
    sd t0, TCB_STATE(a0)
    la t0, idle_ticks
    sd zero, 0(t0)
    mv t6, a0
  `);
  if (!X) {
    a.ld('t0', 'TCB_SATP', 't6').csrw('satp', 't0').raw('.if KERNEL_ASID == 0').i('sfence.vma zero, zero').raw('.endif');
    if (cfg.gate) a.i('call gate_load', 'the thread\'s gate domain and return stack');
    if (cfg.asl) a.i('call asl_load', 'the thread\'s address-space list');
  } else {
    a.comment('XPC state of the thread (docs/xpc.md section 2); xcaller follows from xlink_top. A thread with\nTCB_XPC_BUSY = 0 is in its home state (its saved XPC fields may be stale: the fastpath does not\nrefresh them), so the home values are loaded.');
    a.ld('t0', 'TCB_XPC_BUSY', 't6').i('bnez t0, 1f');
    for (const [csr, f] of [
      ['satp', 'TCB_HOME_SATP'], ['xcap', 'TCB_HOME_XCAP'], ['xlink_base', 'TCB_LINK_BASE'], ['xlink_top', 'TCB_LINK_BASE'],
      ['xlink_limit', 'TCB_LINK_LIMIT'], ['xseglist', 'TCB_HOME_SEGLIST'],
    ] as const) {
      a.ld('t0', f, 't6').csrw(csr, 't0');
      if (csr === 'satp') a.raw('.if KERNEL_ASID == 0').i('sfence.vma zero, zero').raw('.endif');
    }
    a.li('t0', 'SEGLIST_ENTRIES').csrw('xseglist_size', 't0');
    a.comment('no segment, no mask: every field of them (uxseg_va is user-visible) zero, not another thread\'s');
    a.csrw('xseg_len', 'zero').csrw('xseg_va', 'zero').csrw('xseg_pa', 'zero').csrw('xseg_perm', 'zero');
    a.csrw('xsegmask_off', 'zero').csrw('xsegmask_len', 'zero');
    a.i('j restore_user');
    a.label('1');
    a.ld('t0', 'TCB_SATP', 't6').csrw('satp', 't0').raw('.if KERNEL_ASID == 0').i('sfence.vma zero, zero').raw('.endif');
    for (const [csr, f] of [
      ['xcap', 'TCB_XCAP'], ['xlink_base', 'TCB_LINK_BASE'], ['xlink_top', 'TCB_LINK_TOP'], ['xlink_limit', 'TCB_LINK_LIMIT'],
      ['xseglist', 'TCB_SEGLIST'], ['xseglist_size', 'TCB_SEGLIST_SIZE'], ['xseg_va', 'TCB_SEG_VA'], ['xseg_pa', 'TCB_SEG_PA'],
      ['xseg_len', 'TCB_SEG_LEN'], ['xseg_perm', 'TCB_SEG_PERM'], ['xsegmask_off', 'TCB_SEGMASK_OFF'], ['xsegmask_len', 'TCB_SEGMASK_LEN'],
    ] as const) a.ld('t0', f, 't6').csrw(csr, 't0');
  }
  a.label('restore_user');
  a.comment('t6 = the TCB to resume in its current address space.');
  if (cfg.pkey) pkeyLoad(a);
  a.ld('t0', 'TCB_PC', 't6').csrw('sepc', 't0');
  a.csrw('sscratch', 't6', 'the trap vector finds the TCB here');
  a.restoreRegs(ALL_REGS.slice(0, 30), 't6', 'TCB_REGS');
  a.ld('t6', 'TF_T6', 't6');
  a.i('sret');
  a.func('resume_current', 'Return to the current thread (s11) without an address-space switch.');
  a.mv('t6', 's11').i('j restore_user');
  a.func('syscall_return', 'Return a0 to the current thread (s11) as the system-call result.');
  a.sd('a0', 'TF_A0', 's11').i('j resume_current');

  if (X) {
    a.func('xpc_save', 'Save the current XPC registers and satp into the TCB in s11; TCB_XPC_BUSY tells whether\nthey differ from the home state (the fastpath only handles home-state threads).');
    a.csrr('t0', 'satp').sd('t0', 'TCB_SATP', 's11');
    for (const [csr, f] of [
      ['xcap', 'TCB_XCAP'], ['xlink_top', 'TCB_LINK_TOP'], ['xseglist', 'TCB_SEGLIST'], ['xseglist_size', 'TCB_SEGLIST_SIZE'],
      ['xseg_va', 'TCB_SEG_VA'], ['xseg_pa', 'TCB_SEG_PA'], ['xseg_len', 'TCB_SEG_LEN'], ['xseg_perm', 'TCB_SEG_PERM'],
      ['xsegmask_off', 'TCB_SEGMASK_OFF'], ['xsegmask_len', 'TCB_SEGMASK_LEN'],
    ] as const) a.csrr('t0', csr).sd('t0', f, 's11');
    a.i('j xpc_update_busy', 'tail call');
    a.func('xpc_update_busy_of', 'xpc_update_busy for the TCB in a0.');
    a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s11, 8(sp)
    mv s11, a0
    call xpc_update_busy
    ld ra, 0(sp)
    ld s11, 8(sp)
    addi sp, sp, 16
    ret
    `);
    a.func('xpc_update_busy', 'TCB_XPC_BUSY(s11) = the thread is inside an xcall or holds a relay segment.');
    a.block(`
    ld t0, TCB_LINK_TOP(s11)
    ld t1, TCB_LINK_BASE(s11)
    xor t0, t0, t1
    ld t1, TCB_SEG_LEN(s11)
    or t0, t0, t1
    ld t1, TCB_SEGMASK_LEN(s11)
    or t0, t0, t1
    sd t0, TCB_XPC_BUSY(s11)
    ret
    `);
  }
}

