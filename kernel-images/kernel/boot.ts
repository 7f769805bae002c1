// M-mode boot stub and S-mode entry.

import type { Asm } from '../builder.js';
import { SATP_SV39, type KernelConfig } from './common.js';

/** M-mode stub (PMP, delegation, timer forwarding, mret) and S-mode entry. */
export function bootText(a: Asm, cfg: KernelConfig): void {
  const X = cfg.xpc;
  // -------------------------------------------------------------------------------------------------
  a.heading('M-mode boot stub: open PMP, delegate traps, forward the timer, mret into S-mode');
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
  a.li('t0', (3 << 13) | (3 << 9)).csrc('mstatus', 't0', 'FS = VS = Off: no FP/vector state to save; user FP/vector instructions are illegal (priv. spec 3.1.6.6)');
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
  if (cfg.flavour === 'sel4') a.i('call sel4_fastpath_init', 'the sel4 flavour\'s per-thread records (fastpath-sel4.ts)');
  a.i('call timer_arm');
  a.i('j schedule');
}

