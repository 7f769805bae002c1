// Trap entry, system-call dispatch and the simple system calls.

import { ALL_REGS, type Asm } from '../builder.js';
import * as L from '../layout.js';
import type { KernelConfig } from './common.js';

/** Trap entry (fastpath dispatch), kernel_trap. */
export function trapText(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;
  // -------------------------------------------------------------------------------------------------
  a.heading('Trap entry from U-mode (stvec). sscratch holds the current TCB while user code runs, 0 in the kernel.');
  a.raw('.balign 4');
  a.global('trap_entry');
  a.global('fastpath_call_entry');
  a.csrrw('t6', 'sscratch', 't6', 't6 = current TCB, sscratch = user t6');
  a.i('beqz t6, kernel_trap', 'sscratch was 0: a trap taken in the kernel');
  a.saveRegs(ALL_REGS.slice(0, 30), 't6', 'TCB_REGS');
  a.csrrw('t5', 'sscratch', 'zero', 'user t6; sscratch = 0 for the kernel').sd('t5', 'TF_T6', 't6');
  a.csrr('t4', 'scause');
  a.csrr('t5', 'sepc');
  a.li('t3', 8).i('bne t4, t3, trap_not_syscall', 'not an ecall from U');
  a.i('addi t5, t5, 4', 'resume after the ecall').sd('t5', 'TCB_PC', 't6');
  if (!cfg.gate && !cfg.asl && !cfg.pkey) {
    a.li('t3', 'SYS_CALL').i('beq a7, t3, fastpath_call');
    a.li('t3', 'SYS_REPLY_RECV').i('beq a7, t3, fastpath_reply_recv');
  } else a.comment('Gate, address-space-list and protection-key kernels take the slow path for every call: the fastpath\nswitches neither gate state, lists nor pkr.');
  a.i('j syscall_slow');

  a.label('trap_not_syscall');
  a.sd('t5', 'TCB_PC', 't6');
  a.la('sp', 'kstack_top').mv('s11', 't6');
  if (X) a.i('call xpc_save');
  if (cfg.gate) a.i('call gate_save');
  if (cfg.asl) a.i('call asl_save');
  if (cfg.pkey) a.i('call pkey_save');
  a.csrr('t4', 'scause').i('bgez t4, user_exception');
  a.comment('Interrupt: the only one enabled is the supervisor timer. Preempt: back of the ready queue.');
  a.block(`
    call timer_arm
    mv a0, s11
    call ready_enqueue
    j schedule
  `);

  a.func('kernel_trap', 'A trap taken in S-mode is a kernel bug: report it and stop (exit code 2).');
  a.block(`
    la sp, kstack_top
    la a0, str_kpanic
    call kputs
    csrr a0, scause
    call kput_hex
    la a0, str_pc
    call kputs
    csrr a0, sepc
    call kput_hex
    la a0, str_tval
    call kputs
    csrr a0, stval
    call kput_hex
    li a0, 10
    call kputc
    li t0, (2 << 1) | 1
    la t1, tohost
    sd t0, 0(t1)
1:
    j 1b
  `);
}

/** System-call slow path dispatch, table, and putc/getpid/write/yield/exit. */
export function syscallText(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;
  // -------------------------------------------------------------------------------------------------
  a.heading('System-call slow path: s11 = current TCB, arguments still in a0..a5, number in a7');
  a.func('syscall_slow', 'Dispatch through the system-call table.');
  a.la('sp', 'kstack_top').mv('s11', 't6');
  a.mv('s10', 's11', 's10 = the acting process: whose capabilities and address space the call uses');
  if (X) {
    a.i('call xpc_save', 'clobbers t0, t1 only');
    a.comment('Inside an xcall the code making the call is the callee\'s: it acts with the callee process\'s\nauthority (docs/kernel.md, Security model: authority under migrating threads), never its caller\'s.');
    a.block(`
    ld t0, TCB_SATP(s11)
    ld t1, TCB_HOME_SATP(s11)
    beq t0, t1, 3f
    la t1, tcbs
    li t2, MAX_PROCS
1:
    ld t3, TCB_HOME_SATP(t1)
    beq t3, t0, 2f
    addi t1, t1, TCB_SIZE
    addi t2, t2, -1
    bnez t2, 1b
    li a0, E_DEAD              # no process owns that space (cannot happen: threads leave a dead space at once)
    j syscall_return
2:
    mv s10, t1
3:
    `);
  }
  if (cfg.pkey) a.i('call pkey_save', 't0, t1 only');
  if (cfg.asl) {
    a.i('call asl_save', 't0 only');
    a.comment('In another process\'s space (after aslswitch) the code making the call is that process\'s, on this\nthread: refused, as inside a gate call.');
    a.ld('t0', 'TCB_SATP', 's11').ld('t1', 'TCB_HOME_SATP', 's11').i('beq t0, t1, 1f');
    a.li('a0', 'E_PERM').i('j syscall_return');
    a.label('1');
  }
  if (cfg.gate) {
    a.i('call gate_save', 't0, t1 only');
    a.comment('Inside a gate call the code making the call is the callee\'s, on the caller\'s thread: the kernel\nrefuses every system call there (docs/kernel.md, Call gates) rather than act with either\'s authority.');
    a.csrr('t0', 'gstack_top').csrr('t1', 'gstack_base').i('beq t0, t1, 1f');
    a.li('a0', 'E_PERM').i('j syscall_return');
    a.label('1');
  }
  a.block(`
    li t0, NUM_SYSCALLS
    bgeu a7, t0, 1f
    la t0, syscall_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    jr t0
1:
    li a0, E_NOSYS
    j syscall_return
  `);
  a.raw('.balign 8').label('syscall_table');
  const impl: Record<L.SyscallName, string> = {
    putc: 'sys_putc', write: 'sys_write', yield: 'sys_yield', exit: 'sys_exit', call: 'sys_call',
    reply_recv: 'sys_reply_recv', send: 'sys_send', recv: 'sys_recv', reply: 'sys_reply', signal: 'sys_signal',
    wait: 'sys_wait', map_shared: 'sys_map_shared', xpc_register: X ? 'sys_xpc_register' : 'sys_nosys',
    xpc_grant: X ? 'sys_xpc_grant' : 'sys_nosys', xpc_relay_alloc: X ? 'sys_xpc_relay_alloc' : 'sys_nosys',
    xpc_relay_free: X ? 'sys_xpc_relay_free' : 'sys_nosys', getpid: 'sys_getpid',
    xpc_revoke: X ? 'sys_xpc_revoke' : 'sys_nosys',
    gate_register: cfg.gate ? 'sys_gate_register' : 'sys_nosys', gate_grant: cfg.gate ? 'sys_gate_grant' : 'sys_nosys',
    asl_export: cfg.asl ? 'sys_asl_export' : 'sys_nosys', asl_bind: cfg.asl ? 'sys_asl_bind' : 'sys_nosys',
  };
  for (const [name, num] of Object.entries(L.SYS).sort((x, y) => x[1] - y[1])) a.i(`.quad ${impl[name as L.SyscallName]}`, `${num}: ${name}`);

  a.func('sys_nosys', 'Unknown or absent system call.');
  a.li('a0', 'E_NOSYS').i('j syscall_return');

  a.func('sys_putc', 'putc(a0 = byte) -> 0');
  a.i('andi a0, a0, 0xff').i('call kputc').li('a0', 0).i('j syscall_return');

  a.func('sys_getpid', 'getpid() -> process number');
  a.ld('a0', 'TCB_PID', 's11').i('j syscall_return');

  a.func('user_read_run', 'user_read_run(a0 = user va, a1 = bytes wanted > 0) -> a0 = the physical address of that byte as the\ncurrent thread (s11) sees it, a1 = how many bytes from there are readable contiguously (1..a1); a0 = -1\nwhen the byte is not readable user memory. As the hardware translates: a byte inside the active relay\nsegment goes through it (its read permission, its byte-granular bounds: a seg-mask narrows it), any\nother byte through the page table of the space the thread runs in (its own, or an xcall callee). A run\nnever crosses a page end or the segment\'s start or end. Uses t0-t3, a2, a3.');
  if (X) {
    a.block(`
    ld t0, TCB_SEG_LEN(s11)
    beqz t0, 1f
    ld t1, TCB_SEG_VA(s11)
    bltu a0, t1, 2f
    sub t2, a0, t1
    bgeu t2, t0, 1f           # past the segment: the page table
    ld t1, TCB_SEG_PERM(s11)
    andi t1, t1, 1
    beqz t1, 9f               # inside, not readable
    sub t0, t0, t2            # bytes left in the segment
    bleu a1, t0, 3f
    mv a1, t0
3:
    ld t1, TCB_SEG_PA(s11)
    add a0, t1, t2
    ret
2:
    sub t2, t1, a0            # below the segment: stop where it starts
    bleu a1, t2, 1f
    mv a1, t2
1:
    `);
  }
  a.block(`
    slli t0, a0, 52
    srli t0, t0, 52
    li t1, PAGE_SIZE
    sub t0, t1, t0            # bytes to the end of the page
    bleu a1, t0, 4f
    mv a1, t0
4:
    mv a3, a1
    mv a1, a0
    ld a0, TCB_SATP(s11)      # root table: satp.PPN << 12
    slli a0, a0, 20
    srli a0, a0, 8
    li a2, PTE_U|PTE_R
    mv t3, ra
    call uva_to_pa            # leaf: t0-t2 only
    mv a1, a3
    jr t3
9:
    li a0, -1
    ret
  `);
  a.func('sys_write', 'write(a0 = buffer, a1 = length) -> length, E_INVAL (length > 64 KiB) or E_FAULT (the range is not\ninside the user half, or a byte of it is not readable user memory). Every byte is checked before\nanything is printed, with the same translation the printing uses (user_read_run).');
  a.block(`
    li t0, 0x10000
    bgtu a1, t0, 8f
    mv s0, a0                 # va
    mv s1, a1                 # length
    li a2, 0
    li a3, USER_VA_LIMIT
    call range_check
    bnez t0, 7f
    mv s2, s0                 # pass 1: every byte readable
    mv s3, s1
1:
    beqz s3, 2f
    mv a0, s2
    mv a1, s3
    call user_read_run
    bltz a0, 7f
    add s2, s2, a1
    sub s3, s3, a1
    j 1b
2:
    mv s2, s0                 # pass 2: print, one translation per run
    mv s3, s1
3:
    beqz s3, 6f
    mv a0, s2
    mv a1, s3
    call user_read_run
    bltz a0, 7f
    mv s4, a0
    mv s5, a1
    add s2, s2, s5
    sub s3, s3, s5
4:
    lbu a0, 0(s4)
    call kputc
    addi s4, s4, 1
    addi s5, s5, -1
    bnez s5, 4b
    j 3b
6:
    mv a0, s1
    j syscall_return
7:
    li a0, E_FAULT
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('sys_yield', 'yield() -> 0: to the back of the ready queue.');
  a.block(`
    sd zero, TF_A0(s11)
    mv a0, s11
    call ready_enqueue
    j schedule
  `);

  a.func('sys_exit', 'exit(a0 = code): the process ends; a caller waiting for its reply gets E_DEAD. Inside an xcall\nthe process that ends is the callee whose code made the call (the thread returns to its caller with\nE_DEAD, as when a callee faults).');
  a.block(`
    mv s0, s11                 # the process that exits
  `);
  if (X) a.mv('s0', 's10', 'inside an xcall: the callee');
  a.block(`
    sd a0, TCB_EXIT_CODE(s0)
    la a0, str_exit
    call kputs
    mv a0, s0
    call kput_name
    la a0, str_exit_code
    call kputs
    ld a0, TCB_EXIT_CODE(s0)
    call kput_dec
    li a0, 10
    call kputc
    la t0, n_exited
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
    mv a0, s0
    call thread_teardown       # (unwinds this thread too when s0 is a callee)
    j resume_or_schedule
  `);
}

