// The rvx microkernel, written as TypeScript that emits its assembly.
//
// API modelled on seL4 (endpoints, badged capabilities, call / reply_recv with a fastpath, notifications),
// structure on xv6-riscv (M-mode boot stub, trap vector, page tables). One thread per process; the kernel
// runs on a single kernel stack with interrupts off (an event-driven kernel: every entry starts afresh
// at the top of the stack and leaves by restoring some thread's user context and `sret`).
//
// Register conventions inside the kernel: s11 holds the current TCB on every slow path; functions follow
// the standard calling convention (a*/t* clobbered, s* preserved).

import { Asm, ALL_REGS, type Reg } from './builder.js';
import * as L from './layout.js';

export interface KernelConfig {
  /** Console device: the 16550 UART (rvx) or HTIF putchar (Spike, QEMU -machine spike). */
  console: 'uart' | 'htif';
  /** Emit the XPC support (CSR save/restore, x-entry table, XPC system calls). Needs an XPC machine. */
  xpc: boolean;
  /** Timer slice in mtime ticks. */
  timeslice: number;
  /** Physical end of the RAM the page allocator may hand out. */
  ramEnd: number;
}

export const DEFAULT_KERNEL_CONFIG: KernelConfig = {
  console: 'uart',
  xpc: true,
  timeslice: 2000,
  ramEnd: L.RAM_BASE + 32 * 1024 * 1024,
};


// PTE bits (privileged spec 4.3.1 / 4.4.1).
const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 0x10, PTE_G = 0x20, PTE_A = 0x40, PTE_D = 0x80;
const SATP_SV39 = 8n << 60n;

/** Trap-frame slot names: `TF_A0` is the offset of saved a0 inside the TCB. */
function tf(r: Reg): string {
  return `TF_${r.toUpperCase()}`;
}

/** Cause names printed when a process is killed. */
const CAUSES: [number, string][] = [
  [0, 'instruction address misaligned'],
  [1, 'instruction access fault'],
  [2, 'illegal instruction'],
  [3, 'breakpoint'],
  [4, 'load address misaligned'],
  [5, 'load access fault'],
  [6, 'store address misaligned'],
  [7, 'store access fault'],
  [12, 'instruction page fault'],
  [13, 'load page fault'],
  [15, 'store page fault'],
  [24, 'XPC invalid x-entry'],
  [25, 'XPC invalid xcall-cap'],
  [26, 'XPC invalid linkage (forged xret)'],
  [27, 'XPC relay-segment error'],
  [28, 'XPC link-stack overflow'],
];

export function kernelConstants(a: Asm, cfg: KernelConfig): void {
  a.heading('Constants and struct layouts (kernel-images/layout.ts)');
  a.equ('RAM_BASE', L.RAM_BASE).equ('RAM_END', cfg.ramEnd).equ('PAGE_SIZE', L.PAGE_SIZE);
  a.equ('CLINT_MTIMECMP', L.CLINT_MTIMECMP).equ('MTIME_VA', L.KERNEL_MMIO_VA + L.CLINT_MTIME, 'mtime through the kernel MMIO window');
  a.equ('UART_VA', L.KERNEL_MMIO_VA + L.UART_BASE, 'UART through the kernel MMIO window');
  a.equ('TIMESLICE', cfg.timeslice, 'mtime ticks per time slice');
  for (const [k, v] of Object.entries({
    USER_BASE: L.USER_BASE, USER_STACK_TOP: L.USER_STACK_TOP, USER_STACK_PAGES: L.USER_STACK_PAGES,
    USER_IPC_BUFFER: L.USER_IPC_BUFFER, USER_SHARED_MIN: L.USER_SHARED_MIN, USER_SHARED_MAX: L.USER_SHARED_MAX,
    USER_XCTX_BASE: L.USER_XCTX_BASE, USER_XCTX_STRIDE: L.USER_XCTX_STRIDE, USER_RELAY_MIN: L.USER_RELAY_MIN,
    USER_RELAY_MAX: L.USER_RELAY_MAX, USER_VA_LIMIT: L.USER_VA_LIMIT, MAX_MESSAGE: L.MAX_MESSAGE,
    MAX_PROCS: L.MAX_PROCS, MAX_ENDPOINTS: L.MAX_ENDPOINTS, MAX_NOTIFICATIONS: L.MAX_NOTIFICATIONS,
    CAP_SLOTS: L.CAP_SLOTS, NUM_PRIOS: L.NUM_PRIOS, MAX_XENTRIES: L.MAX_XENTRIES, MAX_XCTX: L.MAX_XCTX,
    SEGLIST_ENTRIES: L.SEGLIST_ENTRIES, LINK_STACK_RECORDS: L.LINK_STACK_RECORDS, SENDF_CALL: L.SENDF_CALL,
  })) a.equ(k, v);
  for (const [k, v] of Object.entries(L.SYS)) a.equ(`SYS_${k.toUpperCase()}`, v);
  a.equ('NUM_SYSCALLS', Object.keys(L.SYS).length);
  for (const [k, v] of Object.entries(L.ERR)) a.equ(`E_${k}`, v);
  for (const [k, v] of Object.entries(L.CAP)) a.equ(`CAP_T_${k}`, v);
  for (const [k, v] of Object.entries(L.TS)) a.equ(`TS_${k}`, v);
  for (const [k, v] of Object.entries(L.EPS)) a.equ(`EPS_${k}`, v);
  a.equ('PTE_V', PTE_V).equ('PTE_R', PTE_R).equ('PTE_W', PTE_W).equ('PTE_X', PTE_X).equ('PTE_U', PTE_U);
  a.equ('PTE_A', PTE_A).equ('PTE_D', PTE_D).equ('PTE_G', PTE_G);
  for (const s of [L.CapSlot, L.Tcb, L.Endpoint, L.Notification, L.XEntry, L.Linkage, L.SegEntry, L.XContext, L.BootModule, L.CapInit]) a.struct(s);
  a.comment('Saved user registers inside the TCB: TF_<reg> = TCB_REGS + 8 * register number');
  for (let n = 1; n < 32; n++) a.equ(tf(ALL_REGS[n - 1]), `TCB_REGS+${8 * n}`);
}

export function kernelText(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;

  // -------------------------------------------------------------------------------------------------
  a.heading('M-mode boot stub: open PMP, delegate traps, forward the timer, mret into S-mode');
  a.raw('.section .text');
  a.func('_start', 'Reset entry (hart 0; other harts park).');
  a.csrr('t0', 'mhartid').i('bnez t0, park');
  a.comment('PMP: one NAPOT region covering everything, RWX for S and U. On a machine without PMP the\nCSR access traps; mtvec points at the next step so that case is skipped.');
  a.la('t0', 'm_pmp_done').csrw('mtvec', 't0');
  a.li('t0', 0x3fffffffffffffn).csrw('pmpaddr0', 't0');
  a.li('t0', 0x1f, 'A=NAPOT, R, W, X').csrw('pmpcfg0', 't0');
  a.raw('.balign 4').label('m_pmp_done');
  a.la('t0', 'm_trap').csrw('mtvec', 't0');
  a.la('t0', 'm_scratch').csrw('mscratch', 't0');
  const medeleg = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 15, 24, 25, 26, 27, 28].reduce((m, b) => m | (1 << b), 0);
  a.li('t0', medeleg, 'delegate every U-mode exception (and the XPC faults) to S').csrw('medeleg', 't0');
  a.li('t0', 0x222, 'SSIP, STIP, SEIP').csrw('mideleg', 't0');
  a.li('t0', 7, 'S and U may read cycle, time, instret').csrw('mcounteren', 't0');
  a.csrw('mie', 'zero', 'MTIE is enabled by the first set_timer');
  a.li('t0', 3 << 11).csrc('mstatus', 't0').li('t0', 1 << 11, 'MPP = S').csrs('mstatus', 't0');
  if (cfg.xpc) {
    a.comment('misa.X (bit 23): the XPC engine is present (S-mode cannot read misa: leave a note).');
    a.csrr('t0', 'misa').i('srli t0, t0, 23').i('andi t0, t0, 1').la('t1', 'xpc_present').sd('t0', 0, 't1');
  }
  a.la('t0', 's_entry').csrw('mepc', 't0');
  a.csrw('satp', 'zero');
  a.i('mret');
  a.label('park').i('wfi').i('j park');

  a.func('m_trap', 'M-mode trap handler: the SBI-style set_timer ecall and the machine timer interrupt.\nThe machine timer is forwarded to S-mode as STIP (the SBI convention): MTIE goes off until the\nnext set_timer, which also clears STIP.');
  a.csrrw('sp', 'mscratch', 'sp');
  a.sd('t0', 0, 'sp').sd('t1', 8, 'sp');
  a.csrr('t0', 'mcause').i('bltz t0, m_interrupt');
  a.li('t1', 9).i('bne t0, t1, m_fatal', 'only ecall from S is expected');
  a.comment('set_timer(a0 = absolute mtime deadline), legacy SBI extension 0 (a7 = 0)');
  a.i('bnez a7, m_fatal');
  a.li('t1', 'CLINT_MTIMECMP').sd('a0', 0, 't1');
  a.li('t1', 1 << 5).csrc('mip', 't1', 'clear STIP');
  a.li('t1', 1 << 7).csrs('mie', 't1', 'MTIE on');
  a.csrr('t0', 'mepc').i('addi t0, t0, 4').csrw('mepc', 't0');
  a.i('j m_return');
  a.label('m_interrupt');
  a.i('slli t0, t0, 1').i('srli t0, t0, 1');
  a.li('t1', 7).i('bne t0, t1, m_fatal', 'only the machine timer is enabled');
  a.li('t1', 1 << 7).csrc('mie', 't1', 'MTIE off until the next set_timer');
  a.li('t1', 1 << 5).csrs('mip', 't1', 'raise STIP for S-mode');
  a.label('m_return');
  a.ld('t0', 0, 'sp').ld('t1', 8, 'sp');
  a.csrrw('sp', 'mscratch', 'sp');
  a.i('mret');
  a.label('m_fatal');
  a.comment('An unexpected M-mode trap: end the run with exit code 99 through HTIF.');
  a.li('t0', (99 << 1) | 1).la('t1', 'tohost').sd('t0', 0, 't1');
  a.label('1').i('j 1b');

  // -------------------------------------------------------------------------------------------------
  a.heading('S-mode entry');
  a.func('s_entry', 'S-mode entry: kernel page table on, trap vector, console, build the world, run.');
  a.la('sp', 'kstack_top');
  a.la('t0', 'kernel_root').i('srli t0, t0, 12').li('t1', SATP_SV39).i('or t0, t0, t1');
  a.csrw('satp', 't0', 'Sv39 with the kernel-only table').i('sfence.vma zero, zero');
  a.la('t0', 'trap_entry').csrw('stvec', 't0');
  a.csrw('sscratch', 'zero', 'sscratch = 0 while in the kernel (a trap from S sees 0)');
  a.li('t0', 7).csrw('scounteren', 't0', 'U may read cycle, time, instret');
  a.li('t0', 1 << 8).csrc('sstatus', 't0', 'SPP = U: sret always returns to user mode');
  a.li('t0', 1 << 5).csrs('sie', 't0', 'STIE');
  a.i('call console_init');
  a.la('a0', 'str_banner').i('call kputs');
  if (X) {
    a.la('t0', 'xpc_present').ld('t0', 0, 't0').i('bnez t0, 1f');
    a.la('a0', 'str_no_xpc').i('call kputs');
    a.li('t0', (4 << 1) | 1, 'exit code 4').la('t1', 'tohost').sd('t0', 0, 't1');
    a.label('2').i('j 2b');
    a.label('1');
    a.la('t0', 'xentry_table').csrw('xentry_base', 't0');
    a.li('t0', 'MAX_XENTRIES').csrw('xentry_size', 't0');
  }
  a.i('call init_world');
  a.i('call timer_arm');
  a.i('j schedule');

  // -------------------------------------------------------------------------------------------------
  a.heading(`Console (${cfg.console === 'uart' ? '16550 UART at UART_VA' : 'HTIF putchar through tohost'})`);
  if (cfg.console === 'uart') {
    a.func('console_init', 'UART: 8 data bits, no parity, FIFO on (the divisor is irrelevant on rvx).');
    a.li('t0', 'UART_VA');
    a.li('t1', 0x03).i('sb t1, 3(t0)', 'LCR: 8N1, DLAB off');
    a.li('t1', 0x07).i('sb t1, 2(t0)', 'FCR: FIFO on and cleared');
    a.i('sb zero, 1(t0)', 'IER: no interrupts');
    a.i('ret');
    a.func('kputc', 'Print the byte in a0 (clobbers t0, t1).');
    a.li('t0', 'UART_VA');
    a.label('1').i('lbu t1, 5(t0)', 'LSR').i('andi t1, t1, 0x20', 'THRE').i('beqz t1, 1b');
    a.i('sb a0, 0(t0)', 'THR').i('ret');
  } else {
    a.func('console_init', 'HTIF console: nothing to set up.');
    a.i('ret');
    a.func('kputc', 'Print the byte in a0 through HTIF device 1 command 1 (clobbers t0, t1, t2).');
    a.la('t1', 'tohost');
    a.label('1').ld('t2', 0, 't1').i('bnez t2, 1b', 'wait until the host has taken the previous request');
    a.li('t0', 0x0101000000000000n).i('andi t2, a0, 0xff').i('or t0, t0, t2').sd('t0', 0, 't1');
    a.label('2').ld('t2', 0, 't1').i('bnez t2, 2b');
    a.la('t1', 'fromhost').sd('zero', 0, 't1').i('ret');
  }
  a.func('kputs', 'Print the zero-terminated string at a0.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
1:
    lbu a0, 0(s0)
    beqz a0, 2f
    call kputc
    addi s0, s0, 1
    j 1b
2:
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('kput_hex', 'Print a0 as 0x followed by hexadecimal digits (no leading zeros).');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    mv s0, a0
    li a0, 48                 # '0'
    call kputc
    li a0, 120                # 'x'
    call kputc
    li s1, 60                 # shift of the current nibble
    li s2, 0                  # a nonzero digit has been printed
1:
    srl a0, s0, s1
    andi a0, a0, 15
    bnez a0, 2f
    bnez s2, 2f
    bnez s1, 4f               # skip leading zeros, but print the last digit
2:
    li s2, 1
    li t0, 10
    blt a0, t0, 3f
    addi a0, a0, 39            # 'a' - '0' - 10
3:
    addi a0, a0, 48            # '0'
    call kputc
4:
    addi s1, s1, -4
    bgez s1, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    addi sp, sp, 32
    ret
  `);
  a.func('kput_dec', 'Print a0 as a signed decimal number.');
  a.block(`
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    bgez s0, 1f
    li a0, 45                 # '-'
    call kputc
    neg s0, s0
1:
    addi s1, sp, 47           # digits are built backwards in sp+24..sp+47
    sb zero, 0(s1)
2:
    li t0, 10
    remu t1, s0, t0
    divu s0, s0, t0
    addi t1, t1, 48            # '0'
    addi s1, s1, -1
    sb t1, 0(s1)
    bnez s0, 2b
    mv a0, s1
    call kputs
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 48
    ret
  `);
  a.func('kput_name', 'Print "name (pid N)" of the TCB in a0.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    ld a0, TCB_NAME(s0)
    call kputs
    la a0, str_pid
    call kputs
    ld a0, TCB_PID(s0)
    call kput_dec
    li a0, 41                 # ')'
    call kputc
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret
  `);

  // -------------------------------------------------------------------------------------------------
  a.heading('Physical page allocator: a free list of 4 KiB pages over a bump region [alloc_next, RAM_END)');
  a.func('page_alloc', 'a0 = a zeroed page, or 0 when memory is exhausted.');
  a.block(`
    la t0, free_list
    ld a0, 0(t0)
    beqz a0, 1f
    ld t1, 0(a0)
    sd t1, 0(t0)
    j page_zero
1:
    li a0, 1
    j page_alloc_contig
  `);
  a.func('page_alloc_contig', 'a0 = the first of a0 physically contiguous zeroed pages, or 0.');
  a.block(`
    la t0, alloc_next
    ld t1, 0(t0)
    slli a0, a0, 12
    add t2, t1, a0
    li t3, RAM_END
    bgtu t2, t3, 9f
    sd t2, 0(t0)
    mv a0, t1
    mv t0, t1                 # zero [t1, t2)
2:
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    addi t0, t0, 32
    bltu t0, t2, 2b
    ret
9:
    li a0, 0
    ret
  `);
  a.label('page_zero');
  a.block(`
    li t1, PAGE_SIZE
    add t1, a0, t1
    mv t0, a0
1:
    sd zero, 0(t0)
    sd zero, 8(t0)
    sd zero, 16(t0)
    sd zero, 24(t0)
    addi t0, t0, 32
    bltu t0, t1, 1b
    ret
  `);
  a.func('page_free', 'Return the page at a0 to the free list.');
  a.block(`
    la t0, free_list
    ld t1, 0(t0)
    sd t1, 0(a0)
    sd a0, 0(t0)
    ret
  `);

  // -------------------------------------------------------------------------------------------------
  a.heading('Sv39 page tables (privileged spec 4.4)');
  a.func('vm_map', 'Map the 4 KiB page at va (a1) to pa (a2) with PTE flags a3 in the table rooted at a0.\nIntermediate tables are allocated on demand. a0 = 0, E_NOMEM, or E_EXISTS when va is mapped.');
  a.block(`
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    mv s0, a0                 # current table
    mv s1, a1
    mv s2, a2
    mv s3, a3
    li s4, 30                 # shift of the VPN field at this level: 30, 21
1:
    srl t0, s1, s4
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, s0, t0            # &pte
    ld t1, 0(t0)
    andi t2, t1, PTE_V
    bnez t2, 2f
    sd t0, -8(sp)             # (red zone) keep &pte across the call
    call page_alloc
    ld t0, -8(sp)
    beqz a0, 8f
    srli t1, a0, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V         # a pointer to the next level: V only
    sd t1, 0(t0)
2:
    andi t2, t1, PTE_R|PTE_W|PTE_X
    bnez t2, 7f               # a superpage is in the way
    srli t1, t1, 10
    slli s0, t1, 12
    addi s4, s4, -9
    li t0, 12
    bne s4, t0, 1b
    srli t0, s1, 12           # leaf level
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, s0, t0
    ld t1, 0(t0)
    andi t1, t1, PTE_V
    bnez t1, 7f
    srli t1, s2, 12
    slli t1, t1, 10
    or t1, t1, s3
    ori t1, t1, PTE_V|PTE_A|PTE_D
    sd t1, 0(t0)
    li a0, 0
    j 9f
7:
    li a0, E_EXISTS
    j 9f
8:
    li a0, E_NOMEM
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    addi sp, sp, 48
    ret
  `);
  a.func('uva_to_pa', 'Translate user va a1 in the table rooted at a0, requiring leaf PTE flags a2 (e.g.\nPTE_U|PTE_R). a0 = physical address, or -1 when not mapped that way. Leaf only (no t-regs but t0-t2).');
  a.block(`
    li t0, USER_VA_LIMIT
    bgeu a1, t0, 9f
    li t2, 30
1:
    srl t0, a1, t2
    andi t0, t0, 511
    slli t0, t0, 3
    add t0, a0, t0
    ld t1, 0(t0)
    andi t0, t1, PTE_V
    beqz t0, 9f
    li t0, 12
    beq t2, t0, 2f            # leaf level reached
    andi t0, t1, PTE_R|PTE_W|PTE_X
    bnez t0, 9f               # superpages are kernel mappings: never user buffers
    srli t1, t1, 10
    slli a0, t1, 12
    addi t2, t2, -9
    j 1b
2:
    and t0, t1, a2
    bne t0, a2, 9f
    srli t1, t1, 10
    slli t1, t1, 12
    slli t0, a1, 52           # page offset
    srli t0, t0, 52
    or a0, t1, t0
    ret
9:
    li a0, -1
    ret
  `);

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
    ld t0, TCB_SATP(t6)
    csrw satp, t0
    sfence.vma zero, zero
  `);
  if (X) {
    a.comment('XPC state of the thread (docs/xpc.md section 2); xcaller follows from xlink_top.');
    for (const [csr, f] of [
      ['xcap', 'TCB_XCAP'], ['xlink_base', 'TCB_LINK_BASE'], ['xlink_top', 'TCB_LINK_TOP'], ['xlink_limit', 'TCB_LINK_LIMIT'],
      ['xseglist', 'TCB_SEGLIST'], ['xseglist_size', 'TCB_SEGLIST_SIZE'], ['xseg_va', 'TCB_SEG_VA'], ['xseg_pa', 'TCB_SEG_PA'],
      ['xseg_len', 'TCB_SEG_LEN'], ['xseg_perm', 'TCB_SEG_PERM'], ['xsegmask_off', 'TCB_SEGMASK_OFF'], ['xsegmask_len', 'TCB_SEGMASK_LEN'],
    ] as const) a.ld('t0', f, 't6').csrw(csr, 't0');
  }
  a.label('restore_user');
  a.comment('t6 = the TCB to resume in its current address space.');
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
  a.li('t3', 'SYS_CALL').i('beq a7, t3, fastpath_call');
  a.li('t3', 'SYS_REPLY_RECV').i('beq a7, t3, fastpath_reply_recv');
  a.i('j syscall_slow');

  a.label('trap_not_syscall');
  a.sd('t5', 'TCB_PC', 't6');
  a.la('sp', 'kstack_top').mv('s11', 't6');
  if (X) a.i('call xpc_save');
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

  // -------------------------------------------------------------------------------------------------
  fastpath(a, X);

  // -------------------------------------------------------------------------------------------------
  a.heading('System-call slow path: s11 = current TCB, arguments still in a0..a5, number in a7');
  a.func('syscall_slow', 'Dispatch through the system-call table.');
  a.la('sp', 'kstack_top').mv('s11', 't6');
  if (X) a.i('call xpc_save', 'clobbers t0, t1 only');
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
  };
  for (const [name, num] of Object.entries(L.SYS).sort((x, y) => x[1] - y[1])) a.i(`.quad ${impl[name as L.SyscallName]}`, `${num}: ${name}`);

  a.func('sys_nosys', 'Unknown or absent system call.');
  a.li('a0', 'E_NOSYS').i('j syscall_return');

  a.func('sys_putc', 'putc(a0 = byte) -> 0');
  a.i('andi a0, a0, 0xff').i('call kputc').li('a0', 0).i('j syscall_return');

  a.func('sys_getpid', 'getpid() -> process number');
  a.ld('a0', 'TCB_PID', 's11').i('j syscall_return');

  a.func('sys_write', 'write(a0 = buffer, a1 = length) -> length, E_INVAL (length > 64 KiB) or E_FAULT (a byte\nof the buffer is not readable user memory). Every page is checked before anything is printed.');
  a.block(`
    li t0, 0x10000
    bgtu a1, t0, 8f
    mv s0, a0                 # va
    mv s1, a1                 # remaining
    add s2, a0, a1            # end
    bltu s2, s0, 7f           # wraps around
    beqz a1, 6f
    srli s3, s0, 12           # check each page
    slli s3, s3, 12
1:
    ld a0, TCB_ROOT(s11)
    mv a1, s3
    li a2, PTE_U|PTE_R
    call uva_to_pa
    bltz a0, 7f
    li t0, PAGE_SIZE
    add s3, s3, t0
    bltu s3, s2, 1b
2:                            # print byte by byte through the physical address
    ld a0, TCB_ROOT(s11)
    mv a1, s0
    li a2, PTE_U|PTE_R
    call uva_to_pa
    lbu a0, 0(a0)
    call kputc
    addi s0, s0, 1
    bltu s0, s2, 2b
6:
    ld a0, TF_A1(s11)
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

  a.func('sys_exit', 'exit(a0 = code): the process ends; a caller waiting for its reply gets E_DEAD.');
  a.block(`
    sd a0, TCB_EXIT_CODE(s11)
    la a0, str_exit
    call kputs
    mv a0, s11
    call kput_name
    la a0, str_exit_code
    call kputs
    ld a0, TCB_EXIT_CODE(s11)
    call kput_dec
    li a0, 10
    call kputc
    la t0, n_exited
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
    mv a0, s11
    call thread_teardown
    j schedule
  `);

  ipcSlowPath(a, X);
  faults(a, X);
  initWorld(a, X);
  if (X) xpcSyscalls(a);
}

/** The seL4-style fastpath for call and reply_recv (message in a1..a5, no long message, no XPC state). */
function fastpath(a: Asm, X: boolean): void {
  a.heading('IPC fastpath (seL4 style). Entered from trap_entry with t6 = current TCB, every user register\n' +
    'saved, and the message still live in a0 (capability slot), a1 (length <= 32) and a2..a5. Anything\n' +
    'unusual (long message, no partner waiting, XPC state, bad capability) takes the slow path, which\n' +
    'reloads nothing: the registers are saved in the TCB. Phase labels for rvx profile --regions:\n' +
    'fastpath_call_entry (= trap_entry) -> fastpath_call -> fastpath_switch_as -> fastpath_restore -> fastpath_sret.');

  const capLookup = (slow: string) => a.block(`
    sltiu t0, a0, CAP_SLOTS
    beqz t0, ${slow}
    slli t0, a0, 5
    add t0, t0, t6            # &caps[slot] - TCB_CAPS
    ld t1, TCB_CAPS+CAP_TYPE(t0)
    li t2, CAP_T_ENDPOINT
    bne t1, t2, ${slow}
    ld t2, TCB_CAPS+CAP_OBJ(t0)     # t2 = endpoint
  `);
  const xpcCheck = (slow: string) => {
    if (!X) return;
    a.comment('No XPC state in flight on this thread (inside an xcall, holding a relay segment or a mask).');
    a.csrr('t0', 'xlink_top').ld('t1', 'TCB_LINK_BASE', 't6').i(`bne t0, t1, ${slow}`);
    a.csrr('t0', 'xseg_len').i(`bnez t0, ${slow}`);
    a.csrr('t0', 'xsegmask_len').i(`bnez t0, ${slow}`);
  };
  // Switch to t4 (destination TCB, home XPC state) and restore it with a0 = t3.
  const switchAndRestore = (p: string) => {
    a.la('t5', 'current').sd('t4', 0, 't5');
    a.li('t5', 'TS_RUNNING').sd('t5', 'TCB_STATE', 't4');
    a.global(`fastpath_${p}switch_as`);
    a.ld('t5', 'TCB_SATP', 't4').csrw('satp', 't5', 'the destination address space');
    a.i('sfence.vma zero, zero', 'no ASIDs: flush, as seL4 does on RISC-V');
    if (X) {
      a.comment('destination XPC registers (home state: link stack empty, no segment)');
      for (const [csr, f] of [['xcap', 'TCB_XCAP'], ['xlink_base', 'TCB_LINK_BASE'], ['xlink_top', 'TCB_LINK_BASE'], ['xlink_limit', 'TCB_LINK_LIMIT'], ['xseglist', 'TCB_SEGLIST'], ['xseglist_size', 'TCB_SEGLIST_SIZE']] as const) {
        a.ld('t5', f, 't4').csrw(csr, 't5');
      }
    }
    a.global(`fastpath_${p}restore`);
    a.ld('t5', 'TCB_PC', 't4').csrw('sepc', 't5');
    a.csrw('sscratch', 't4');
    a.mv('a0', 't3', 'badge (call) or 0 (reply)');
    a.mv('t6', 't4');
    const keep = new Set<Reg>(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 't6']);
    a.restoreRegs(ALL_REGS.filter((r) => !keep.has(r)), 't6', 'TCB_REGS');
    a.ld('t6', 'TF_T6', 't6');
    a.global(`fastpath_${p}sret`);
    a.i('sret');
  };

  a.global('fastpath_call');
  a.comment('call(a0 = slot, a1 = length, a2..a5 = message)');
  a.i('sltiu t0, a1, 33').i('beqz t0, syscall_slow', 'long message');
  capLookup('syscall_slow');
  a.ld('t3', 'TCB_CAPS+CAP_BADGE', 't0', 't3 = badge');
  a.ld('t1', 'EP_STATE', 't2').li('t0', 'EPS_RECV').i('bne t1, t0, syscall_slow', 'no receiver waiting');
  xpcCheck('syscall_slow');
  a.ld('t4', 'EP_HEAD', 't2', 't4 = receiver');
  if (X) a.ld('t0', 'TCB_XPC_BUSY', 't4').i('bnez t0, syscall_slow');
  a.comment('dequeue the receiver');
  a.ld('t5', 'TCB_NEXT', 't4').sd('t5', 'EP_HEAD', 't2');
  a.i('bnez t5, 1f').sd('zero', 'EP_STATE', 't2', 'queue now empty: idle');
  a.label('1');
  a.li('t5', 'TS_BLOCKED_REPLY').sd('t5', 'TCB_STATE', 't6', 'the caller waits for the reply');
  a.sd('t6', 'TCB_REPLY_TO', 't4', 'the receiver holds the reply capability');
  switchAndRestore('');

  a.global('fastpath_reply_recv');
  a.comment('reply_recv(a0 = slot to receive on, a1 = reply length, a2..a5 = reply message)');
  a.i('sltiu t0, a1, 33').i('beqz t0, syscall_slow', 'long message');
  xpcCheck('syscall_slow');
  a.ld('t4', 'TCB_REPLY_TO', 't6', 't4 = the caller to reply to').i('beqz t4, syscall_slow');
  a.ld('t0', 'TCB_STATE', 't4').li('t1', 'TS_BLOCKED_REPLY').i('bne t0, t1, syscall_slow');
  if (X) a.ld('t0', 'TCB_XPC_BUSY', 't4').i('bnez t0, syscall_slow');
  capLookup('syscall_slow');
  a.ld('t1', 'EP_STATE', 't2').li('t0', 'EPS_SEND').i('beq t1, t0, syscall_slow', 'a sender is queued: slow path');
  a.comment('the server waits on the endpoint: append it to the receive queue');
  a.sd('zero', 'TCB_NEXT', 't6');
  a.li('t0', 'EPS_RECV').i('bne t1, t0, 1f');
  a.ld('t0', 'EP_TAIL', 't2').sd('t6', 'TCB_NEXT', 't0').i('j 2f');
  a.label('1').sd('t6', 'EP_HEAD', 't2').sd('t0', 'EP_STATE', 't2');
  a.label('2').sd('t6', 'EP_TAIL', 't2');
  a.li('t0', 'TS_BLOCKED_RECV').sd('t0', 'TCB_STATE', 't6');
  a.sd('t2', 'TCB_BLOCKED_ON', 't6');
  a.sd('zero', 'TCB_REPLY_TO', 't6');
  if (X) a.sd('zero', 'TCB_XPC_BUSY', 't6');
  a.li('t3', 0, 'the caller sees 0 (success)');
  switchAndRestore('rr_');
}

function ipcSlowPath(a: Asm, X: boolean): void {
  void X;
  a.heading('IPC slow path: queues, long messages, replies, notifications, shared frames');
  a.func('cap_lookup', 'a0 = slot, a1 = expected CAP_T_*: a0 = &slot (valid) or 0 (empty, wrong type, out of range).');
  a.block(`
    li t0, CAP_SLOTS
    bgeu a0, t0, 9f
    slli t0, a0, 5
    add t0, t0, s11
    addi t0, t0, TCB_CAPS
    ld t1, CAP_TYPE(t0)
    bne t1, a1, 9f
    mv a0, t0
    ret
9:
    li a0, 0
    ret
  `);
  a.func('msg_transfer', 'Copy a message from the saved registers (and IPC buffer) of sender a1 into receiver a0,\nwhose a0 becomes a2 (badge, or 0 for a reply). Lengths were checked at the system call.');
  a.block(`
    sd a2, TF_A0(a0)
    ld t0, TF_A1(a1)
    sd t0, TF_A1(a0)
    ld t1, TF_A2(a1)
    sd t1, TF_A2(a0)
    ld t1, TF_A3(a1)
    sd t1, TF_A3(a0)
    ld t1, TF_A4(a1)
    sd t1, TF_A4(a0)
    ld t1, TF_A5(a1)
    sd t1, TF_A5(a0)
    li t1, 32
    bleu t0, t1, 9f           # short: registers only
    ld t2, TCB_IPCBUF(a1)     # long: copy the bytes between the IPC buffer pages (physical = kernel va)
    ld t3, TCB_IPCBUF(a0)
    addi t0, t0, 7
    andi t0, t0, -8
    add t0, t2, t0
1:
    ld t1, 0(t2)
    sd t1, 0(t3)
    addi t2, t2, 8
    addi t3, t3, 8
    bltu t2, t0, 1b
9:
    ret
  `);
  a.func('ep_enqueue', 'Append TCB a1 to the queue of endpoint a0, whose state becomes a2.');
  a.block(`
    sd zero, TCB_NEXT(a1)
    sd a0, TCB_BLOCKED_ON(a1)
    ld t0, EP_STATE(a0)
    beqz t0, 1f
    ld t1, EP_TAIL(a0)
    sd a1, TCB_NEXT(t1)
    sd a1, EP_TAIL(a0)
    ret
1:
    sd a2, EP_STATE(a0)
    sd a1, EP_HEAD(a0)
    sd a1, EP_TAIL(a0)
    ret
  `);
  a.func('ep_dequeue', 'Take the first TCB of endpoint a0 (a0 = it); the endpoint goes idle when emptied.');
  a.block(`
    ld t0, EP_HEAD(a0)
    ld t1, TCB_NEXT(t0)
    sd t1, EP_HEAD(a0)
    bnez t1, 1f
    sd zero, EP_STATE(a0)
1:
    sd zero, TCB_NEXT(t0)
    sd zero, TCB_BLOCKED_ON(t0)
    mv a0, t0
    ret
  `);
  a.func('ep_remove', 'Remove TCB a1 from the queue of endpoint a0 wherever it is.');
  a.block(`
    li t3, 0
    ld t4, EP_HEAD(a0)
1:
    beqz t4, 9f
    beq t4, a1, 2f
    mv t3, t4
    ld t4, TCB_NEXT(t4)
    j 1b
2:
    ld t5, TCB_NEXT(a1)
    bnez t3, 3f
    sd t5, EP_HEAD(a0)
    j 4f
3:
    sd t5, TCB_NEXT(t3)
4:
    ld t6, EP_TAIL(a0)
    bne t6, a1, 5f
    sd t3, EP_TAIL(a0)
5:
    ld t0, EP_HEAD(a0)
    bnez t0, 9f
    sd zero, EP_STATE(a0)
9:
    ret
  `);

  a.func('check_msg_len', 'a1 = message length: falls through to the caller when <= MAX_MESSAGE, else returns E_INVAL\nto the user. (A macro-like tail: call as `call check_msg_len`.)');
  a.block(`
    li t0, MAX_MESSAGE
    bgtu a1, t0, 1f
    ret
1:
    li a0, E_INVAL
    j syscall_return
  `);

  a.func('sys_send', 'send(a0 = endpoint slot, a1 = length, a2..a5 = message) -> 0, E_CAP or E_INVAL. Blocks until\na receiver takes the message (seL4 Send).');
  a.block(`
    call check_msg_len
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld s1, CAP_BADGE(a0)
    sd zero, TF_A0(s11)        # the result once delivered
    ld t0, EP_STATE(s0)
    li t1, EPS_RECV
    bne t0, t1, 2f
    mv a0, s0                  # a receiver is waiting: deliver and both continue
    call ep_dequeue
    mv s2, a0
    mv a1, s11
    mv a2, s1
    call msg_transfer
    sd zero, TCB_REPLY_TO(s2)
    mv a0, s2
    call ready_enqueue
    j resume_current
2:
    sd s1, TCB_SEND_BADGE(s11)  # queue as a sender
    sd zero, TCB_SEND_FLAGS(s11)
    li t0, TS_BLOCKED_SEND
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_SEND
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_call', 'call(a0 = endpoint slot, a1 = length, a2..a5 = message) -> 0 with the reply in a1..a5\n(long replies in the IPC buffer), or E_CAP, E_INVAL, E_DEAD (the server died before replying).');
  a.block(`
    call check_msg_len
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld s1, CAP_BADGE(a0)
    li t0, TS_BLOCKED_REPLY
    ld t1, EP_STATE(s0)
    li t2, EPS_RECV
    bne t1, t2, 2f
    sd t0, TCB_STATE(s11)      # a receiver is waiting: hand over and run it
    mv a0, s0
    call ep_dequeue
    mv s2, a0
    mv a1, s11
    mv a2, s1
    call msg_transfer
    sd s11, TCB_REPLY_TO(s2)
    mv a0, s2
    j switch_to
2:
    sd s1, TCB_SEND_BADGE(s11)
    li t0, SENDF_CALL
    sd t0, TCB_SEND_FLAGS(s11)
    li t0, TS_BLOCKED_SEND
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_SEND
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('do_recv', 'Receive on the endpoint in slot a0 (shared by recv and reply_recv).');
  a.block(`
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld t0, EP_STATE(s0)
    li t1, EPS_SEND
    bne t0, t1, 2f
    mv a0, s0                  # a sender is queued: take its message
    call ep_dequeue
    mv s2, a0
    mv a0, s11
    mv a1, s2
    ld a2, TCB_SEND_BADGE(s2)
    call msg_transfer
    ld t0, TCB_SEND_FLAGS(s2)
    andi t0, t0, SENDF_CALL
    beqz t0, 1f
    sd s2, TCB_REPLY_TO(s11)   # a call: the sender now waits for our reply
    li t0, TS_BLOCKED_REPLY
    sd t0, TCB_STATE(s2)
    j resume_current
1:
    sd zero, TF_A0(s2)         # a send: the sender continues
    mv a0, s2
    call ready_enqueue
    j resume_current
2:
    li t0, TS_BLOCKED_RECV
    sd t0, TCB_STATE(s11)
    mv a0, s0
    mv a1, s11
    li a2, EPS_RECV
    call ep_enqueue
    j schedule
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_recv', 'recv(a0 = endpoint slot) -> a0 = badge, a1 = length, a2..a5 = message; or E_CAP.');
  a.i('j do_recv');
  a.func('do_reply', 'Deliver the reply in the saved registers of s11 to its caller. a0 = 0 or E_NOREPLY.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s2, 8(sp)
    ld s2, TCB_REPLY_TO(s11)
    beqz s2, 8f
    ld t0, TCB_STATE(s2)
    li t1, TS_BLOCKED_REPLY
    bne t0, t1, 8f
    mv a0, s2
    mv a1, s11
    li a2, 0
    call msg_transfer
    sd zero, TCB_REPLY_TO(s11)
    mv a0, s2
    call ready_enqueue
    li a0, 0
    j 9f
8:
    sd zero, TCB_REPLY_TO(s11)
    li a0, E_NOREPLY
9:
    ld ra, 0(sp)
    ld s2, 8(sp)
    addi sp, sp, 16
    ret
  `);
  a.func('sys_reply', 'reply(a1 = length, a2..a5 = message) -> 0, E_INVAL or E_NOREPLY (no caller waiting).');
  a.block(`
    call check_msg_len
    call do_reply
    j syscall_return
  `);
  a.func('sys_reply_recv', 'reply_recv(a0 = endpoint slot, a1 = length, a2..a5 = reply) -> as recv. The reply goes to\nthe caller (if any), then the thread receives on the endpoint.');
  a.block(`
    call check_msg_len
    mv s3, a0
    li a1, CAP_T_ENDPOINT
    call cap_lookup
    beqz a0, 9f
    call do_reply
    mv a0, s3
    j do_recv
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_signal', 'signal(a0 = notification slot) -> 0 or E_CAP: OR the badge into the word, wake the waiter.');
  a.block(`
    li a1, CAP_T_NOTIFICATION
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld t0, CAP_BADGE(a0)
    ld t1, NTFN_WORD(s0)
    or t1, t1, t0
    sd t1, NTFN_WORD(s0)
    ld t2, NTFN_WAITER(s0)
    beqz t2, 1f
    sd t1, TF_A0(t2)           # the waiter receives the word
    sd zero, NTFN_WORD(s0)
    sd zero, NTFN_WAITER(s0)
    sd zero, TCB_BLOCKED_ON(t2)
    mv a0, t2
    call ready_enqueue
1:
    li a0, 0
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_wait', 'wait(a0 = notification slot) -> the word (nonzero), E_CAP, or E_INVAL (another thread waits).');
  a.block(`
    li a1, CAP_T_NOTIFICATION
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)
    ld a0, NTFN_WORD(s0)
    beqz a0, 1f
    sd zero, NTFN_WORD(s0)
    j syscall_return
1:
    ld t0, NTFN_WAITER(s0)
    bnez t0, 8f
    sd s11, NTFN_WAITER(s0)
    sd s0, TCB_BLOCKED_ON(s11)
    li t0, TS_BLOCKED_NOTIF
    sd t0, TCB_STATE(s11)
    j schedule
8:
    li a0, E_INVAL
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
  a.func('sys_map_shared', 'map_shared(a0 = frame slot, a1 = va) -> 0, E_CAP, E_INVAL (va not page aligned or outside\n[USER_SHARED_MIN, USER_SHARED_MAX)), E_EXISTS or E_NOMEM. Maps the frame read/write.');
  a.block(`
    mv s3, a1
    li a1, CAP_T_FRAME
    call cap_lookup
    beqz a0, 9f
    ld s0, CAP_OBJ(a0)         # physical base
    ld s1, CAP_BADGE(a0)       # pages
    slli t0, s3, 52
    bnez t0, 8f
    li t0, USER_SHARED_MIN
    bltu s3, t0, 8f
    slli t1, s1, 12
    add t1, s3, t1
    li t0, USER_SHARED_MAX
    bgtu t1, t0, 8f
    li s2, 0                   # first check that nothing is mapped there
1:
    slli t0, s2, 12
    ld a0, TCB_ROOT(s11)
    add a1, s3, t0
    li a2, PTE_V
    call uva_to_pa
    bgez a0, 7f
    addi s2, s2, 1
    bltu s2, s1, 1b
    li s2, 0
2:
    slli t0, s2, 12
    ld a0, TCB_ROOT(s11)
    add a1, s3, t0
    add a2, s0, t0
    li a3, PTE_R|PTE_W|PTE_U
    call vm_map
    bnez a0, 6f
    addi s2, s2, 1
    bltu s2, s1, 2b
    li a0, 0
6:
    j syscall_return
7:
    li a0, E_EXISTS
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
9:
    li a0, E_CAP
    j syscall_return
  `);
}

function faults(a: Asm, X: boolean): void {
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
    j schedule
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
  a.func('thread_teardown', 'The thread a0 stops for good: out of every queue; its caller (if it was serving one) and\nthe callers queued on it get E_DEAD; its x-entries are invalidated.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    call thread_unblock
    li t0, TS_DEAD
    sd t0, TCB_STATE(s0)
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
    la s1, tcbs                # servers holding our reply capability forget it
    li t2, MAX_PROCS
6:
    ld t0, TCB_REPLY_TO(s1)
    bne t0, s0, 7f
    sd zero, TCB_REPLY_TO(s1)
7:
    addi s1, s1, TCB_SIZE
    addi t2, t2, -1
    bnez t2, 6b
  `);
  if (X) a.block(`
    mv a0, s0
    call xpc_process_died
  `);
  a.block(`
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
  `);
  a.raw('.balign 8').label('cause_names');
  for (const [c, name] of CAUSES) a.i(`.quad ${c}, str_cause_${c}`);
  a.i('.quad -1, str_cause_unknown');
}

function initWorld(a: Asm, X: boolean): void {
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
  a.func('map_new_page', 'Allocate a zeroed page and map it at va a1 with flags a2 in the space of TCB s1. a0 = page.');
  a.block(`
    addi sp, sp, -32
    sd ra, 0(sp)
    sd a1, 8(sp)
    sd a2, 16(sp)
    call page_alloc
    beqz a0, init_oom
    sd a0, 24(sp)
    mv a2, a0
    ld a0, TCB_ROOT(s1)
    ld a1, 8(sp)
    ld a3, 16(sp)
    call vm_map
    bnez a0, init_oom
    ld a0, 24(sp)
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
    sd t0, TCB_SATP(s1)
    sd t0, TCB_HOME_SATP(s1)
    li s2, 0                   # program pages: text R+X, the rest R+W, all U
1:
    ld t0, BM_MEM_SIZE(s0)
    bgeu s2, t0, 5f
    ld t0, BM_TEXT_SIZE(s0)
    li a2, PTE_R|PTE_X|PTE_U
    bltu s2, t0, 2f
    li a2, PTE_R|PTE_W|PTE_U
2:
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
    li a2, PTE_R|PTE_W|PTE_U
    call map_new_page
    li t0, USER_STACK_PAGES
    bltu s2, t0, 6b
    li a1, USER_IPC_BUFFER     # IPC buffer
    li a2, PTE_R|PTE_W|PTE_U
    call map_new_page
    sd a0, TCB_IPCBUF(s1)
  `);
  if (X) a.block(`
    call page_alloc            # XPC: capability bitmap (identity), link stack, seg-list
    beqz a0, init_oom
    sd a0, TCB_XCAP(s1)
    sd a0, TCB_HOME_XCAP(s1)
    call page_alloc
    beqz a0, init_oom
    sd a0, TCB_LINK_BASE(s1)
    sd a0, TCB_LINK_TOP(s1)
    li t0, LINK_STACK_RECORDS*LR_SIZE
    add t0, a0, t0
    sd t0, TCB_LINK_LIMIT(s1)
    call page_alloc
    beqz a0, init_oom
    sd a0, TCB_SEGLIST(s1)
    sd a0, TCB_HOME_SEGLIST(s1)
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

function xpcSyscalls(a: Asm): void {
  a.heading('XPC support: x-entries, grants, relay segments, faults and death in a call chain (docs/xpc.md)');
  a.func('xentry_register', 'Register x-entry for TCB a0 (owner) with entry pc a1 and a2 contexts: a0 = id or E_NOMEM.\nThe contexts are pages the kernel maps in the owner at USER_XCTX_BASE + (id*MAX_XCTX + c) * stride.');
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
    mv t5, s3                  # map the context pages (s1 = owner for map_new_page)
3:
    beqz t5, 4f
    addi t5, t5, -1
    sd t5, 48(sp)
    li t0, MAX_XCTX
    mul t0, s4, t0
    add t0, t0, t5
    li t1, USER_XCTX_STRIDE
    mul t0, t0, t1
    li a1, USER_XCTX_BASE
    add a1, a1, t0
    li a2, PTE_R|PTE_W|PTE_U
    call map_new_page
    ld t5, 48(sp)
    j 3b
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
  a.func('sys_xpc_register', 'xpc_register(a0 = entry pc, a1 = contexts 1..MAX_XCTX) -> entry id, E_INVAL or E_NOMEM.\nThe entry runs in the caller process; the caller may then grant it.');
  a.block(`
    addi t0, a1, -1
    li t1, MAX_XCTX
    bgeu t0, t1, 8f
    li t0, USER_VA_LIMIT
    bgeu a0, t0, 8f
    mv a2, a1
    mv a1, a0
    mv a0, s11
    mv s1, s11
    call xentry_register
    j syscall_return
8:
    li a0, E_INVAL
    j syscall_return
  `);
  a.func('sys_xpc_grant', 'xpc_grant(a0 = entry id, a1 = thread slot) -> 0, E_INVAL, E_CAP or E_PERM (the caller\ndoes not own the entry).');
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
    bne t0, s11, 7f
    mv s1, a0
    mv a0, a1
    li a1, CAP_T_THREAD
    call cap_lookup
    beqz a0, 9f
    ld a1, CAP_OBJ(a0)
    mv a0, s1
    call xentry_grant
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
    li t0, USER_RELAY_MIN
    bltu a1, t0, 8f
    add t1, a1, a0
    li t0, USER_RELAY_MAX
    bgtu t1, t0, 8f
    li t0, SEGLIST_ENTRIES
    bgeu a2, t0, 8f
    ld s0, TCB_HOME_SEGLIST(s11)
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
    ld s0, TCB_HOME_SEGLIST(s11)
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
    mv a0, s11
    j switch_to
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
    mv a0, s11
    j switch_to
1:
    ld t0, TCB_SATP(s11)
    ld t1, TCB_HOME_SATP(s11)
    bne t0, t1, xpc_callee_fault
    j fault_kill
  `);
  a.func('unwind_thread', 'unwind_thread(a0 = thread, a1 = satp of a dead callee): pop the linkage records of the thread\ndown to the first valid one (its caller is alive) or the bottom, restore that caller context in the\nTCB (as docs/xpc.md xret would) and make the result E_DEAD. Scheduling is the caller business.');
  a.comment('a0 = satp of the dead callee: if the thread sp lies in one of its XPC context pages, the\ntrampoline saved the caller registers there (XC_*): restore them, as its xret would have.');
  a.block(`
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
    mv a0, a1
    ld a1, TF_SP(s0)
    addi a1, a1, -1
    srli a1, a1, 12
    slli a1, a1, 12
    li t0, USER_XCTX_BASE
    bltu a1, t0, 6f
    li t0, USER_RELAY_MIN
    bgeu a1, t0, 6f
    slli a0, a0, 20            # root table of that space: satp.PPN << 12
    srli a0, a0, 8
    li a2, PTE_U|PTE_R
    call uva_to_pa
    bltz a0, 6f
  `);
  for (const [r, off] of [['sp', 'XC_SP'], ['ra', 'XC_RA'], ['gp', 'XC_GP'], ['tp', 'XC_TP']] as const) a.ld('t0', off, 'a0').sd('t0', tf(r), 's0');
  for (let k = 0; k < 12; k++) a.ld('t0', `XC_S+${8 * k}`, 'a0').sd('t0', tf(`s${k}` as Reg), 's0');
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
    ld t2, TCB_HOME_SATP(s0)
    sd t2, TCB_SATP(s0)
    ld t2, TCB_HOME_XCAP(s0)
    sd t2, TCB_XCAP(s0)
    ld t2, TCB_HOME_SEGLIST(s0)
    sd t2, TCB_SEGLIST(s0)
    li t2, SEGLIST_ENTRIES
    sd t2, TCB_SEGLIST_SIZE(s0)
    sd zero, TCB_SEG_LEN(s0)
4:
    sd zero, TCB_SEGMASK_LEN(s0)
    mv a0, s0
    call xpc_update_busy_of
    li t0, E_DEAD
    sd t0, TF_A0(s0)
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
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
    la t0, xentry_table
    li t1, MAX_XENTRIES
1:
    ld t2, XE_OWNER(t0)
    bne t2, s0, 2f
    sd zero, XE_FLAGS(t0)
2:
    addi t0, t0, XE_SIZE
    addi t1, t1, -1
    bnez t1, 1b
    ld t5, TCB_HOME_SATP(s0)
    la s1, tcbs
    li s2, MAX_PROCS
3:
    ld t0, TCB_LINK_BASE(s1)
    ld t1, TCB_LINK_TOP(s1)    # saved at every kernel entry (xpc_save)
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
    beq s1, s0, 9f
    ld t0, TCB_STATE(s1)
    beqz t0, 9f                # TS_FREE
    li t1, TS_DEAD
    beq t0, t1, 9f
    ld t0, TCB_SATP(s1)
    ld t1, TCB_HOME_SATP(s0)
    bne t0, t1, 9f
    mv a0, s1
    mv a1, t1
    call unwind_thread
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

/** Strings and kernel data (everything zero-initialised sits at the end, before _end). */
export function kernelData(a: Asm): void {
  a.heading('Kernel data');
  a.raw('.balign 8');
  a.asciz('str_banner', 'rvx microkernel: booting\n');
  a.asciz('str_no_xpc', '[kernel] this image uses XPC but the machine has no XPC engine (misa.X clear): halting\n');
  a.asciz('str_pid', ' (pid ');
  a.asciz('str_exit', '[kernel] ');
  a.asciz('str_exit_code', ' exited with code ');
  a.asciz('str_killed', '[kernel] killed ');
  a.asciz('str_colon', ': ');
  a.asciz('str_at_pc', ' at pc=');
  a.asciz('str_pc', ' pc=');
  a.asciz('str_tval', ' tval=');
  a.asciz('str_kpanic', '[kernel] PANIC: trap in the kernel, scause=');
  a.asciz('str_oom', '[kernel] PANIC: out of memory while building the system\n');
  a.asciz('str_halt', '[kernel] halt: nothing runnable; ');
  a.asciz('str_halt_exited', ' exited, ');
  a.asciz('str_halt_killed', ' killed\n');
  for (const [c, name] of CAUSES) a.asciz(`str_cause_${c}`, name);
  a.asciz('str_cause_unknown', 'unexpected exception');
}

export function kernelBss(a: Asm, X: boolean): void {
  a.heading('Zero-initialised kernel state');
  a.raw('.balign 4096');
  a.global('kernel_root');
  a.comment('Kernel page table: VPN[2] = 2 maps RAM 1:1, VPN[2] = 3 the low 1 GiB (MMIO) at KERNEL_MMIO_VA.');
  const ramPte = ((BigInt(L.RAM_BASE) >> 12n) << 10n) | BigInt(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G);
  const mmioPte = BigInt(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
  a.i('.quad 0, 0').i(`.quad 0x${ramPte.toString(16)}`).i(`.quad 0x${mmioPte.toString(16)}`).i('.zero 4096-32');
  if (X) {
    a.raw('.balign 64');
    a.global('xentry_table');
    a.i('.zero MAX_XENTRIES*XE_SIZE');
  }
  a.raw('.balign 64');
  a.global('tcbs').i('.zero MAX_PROCS*TCB_SIZE');
  a.global('endpoints').i('.zero MAX_ENDPOINTS*EP_SIZE');
  a.global('notifications').i('.zero MAX_NOTIFICATIONS*NTFN_SIZE');
  a.global('current').i('.quad 0');
  a.label('rq_head').i('.zero NUM_PRIOS*8');
  a.label('rq_tail').i('.zero NUM_PRIOS*8');
  a.label('free_list').i('.quad 0');
  a.label('alloc_next').i('.quad 0');
  a.label('idle_ticks').i('.quad 0');
  a.label('xpc_present').i('.quad 0');
  a.label('n_exited').i('.quad 0');
  a.label('n_killed').i('.quad 0');
  a.label('m_scratch').i('.zero 64');
  a.raw('.balign 16');
  a.i('.zero 16384');
  a.label('kstack_top');
  a.raw('.balign 64');
  a.global('tohost').i('.quad 0').raw('.size tohost, 8');
  a.global('fromhost').i('.quad 0').raw('.size fromhost, 8');
  a.raw('.balign 4096');
  a.global('_end');
}
