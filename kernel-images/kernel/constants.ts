// The .equ section: constants and struct layouts from layout.ts.

import { ALL_REGS, type Asm } from '../builder.js';
import * as L from '../layout.js';
import { PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, tf, type KernelConfig } from './common.js';

export function kernelConstants(a: Asm, cfg: KernelConfig): void {
  a.heading('Constants and struct layouts (kernel-images/layout.ts)');
  a.equ('RAM_BASE', L.RAM_BASE).equ('RAM_END', cfg.ramEnd).equ('PAGE_SIZE', L.PAGE_SIZE);
  a.equ('CLINT_MTIMECMP', L.CLINT_MTIMECMP).equ('MTIME_VA', L.KERNEL_MMIO_VA + L.CLINT_MTIME, 'mtime through the kernel MMIO window');
  a.equ('UART_VA', L.KERNEL_MMIO_VA + L.UART_BASE, 'UART through the kernel MMIO window');
  a.equ('TIMESLICE', cfg.timeslice, 'mtime ticks per time slice');
  a.equ('KERNEL_ASID', cfg.asid ? 1 : 0, '1: satp carries ASID pid+1 and switches skip sfence.vma');
  a.equ('KERNEL_PKEY', cfg.pkey ? 1 : 0, '1: leaf PTEs may carry protection keys (bits 58:54), pkr saved per thread');
  for (const [k, v] of Object.entries({
    USER_BASE: L.USER_BASE, USER_STACK_TOP: L.USER_STACK_TOP, USER_STACK_PAGES: L.USER_STACK_PAGES,
    USER_IPC_BUFFER: L.USER_IPC_BUFFER, USER_SHARED_MIN: L.USER_SHARED_MIN, USER_SHARED_MAX: L.USER_SHARED_MAX,
    USER_XCTX_BASE: L.USER_XCTX_BASE, USER_XCTX_STRIDE: L.USER_XCTX_STRIDE, USER_RELAY_MIN: L.USER_RELAY_MIN,
    USER_RELAY_MAX: L.USER_RELAY_MAX, USER_VA_LIMIT: L.USER_VA_LIMIT, MAX_MESSAGE: L.MAX_MESSAGE,
    MAX_PROCS: L.MAX_PROCS, MAX_ENDPOINTS: L.MAX_ENDPOINTS, MAX_NOTIFICATIONS: L.MAX_NOTIFICATIONS,
    CAP_SLOTS: L.CAP_SLOTS, NUM_PRIOS: L.NUM_PRIOS, MAX_XENTRIES: L.MAX_XENTRIES, MAX_XCTX: L.MAX_XCTX,
    SEGLIST_ENTRIES: L.SEGLIST_ENTRIES, LINK_STACK_RECORDS: L.LINK_STACK_RECORDS, SENDF_CALL: L.SENDF_CALL,
    XCTX_DATA_OFF: L.XCTX_DATA_OFF, XCTX_ENTRY_SHIFT: L.XCTX_ENTRY_SHIFT, LINK_STACK_OFF: L.LINK_STACK_OFF, XPC_PAGE_XCAP_OFF: L.XPC_PAGE_XCAP_OFF, XPC_PAGE_SEGLIST_OFF: L.XPC_PAGE_SEGLIST_OFF,
  })) a.equ(k, v);
  for (const [k, v] of Object.entries(L.SYS)) a.equ(`SYS_${k.toUpperCase()}`, v);
  a.equ('NUM_SYSCALLS', Object.keys(L.SYS).length);
  for (const [k, v] of Object.entries(L.ERR)) a.equ(`E_${k}`, v);
  for (const [k, v] of Object.entries(L.CAP)) a.equ(`CAP_T_${k}`, v);
  for (const [k, v] of Object.entries(L.TS)) a.equ(`TS_${k}`, v);
  for (const [k, v] of Object.entries(L.EPS)) a.equ(`EPS_${k}`, v);
  a.equ('PTE_V', PTE_V).equ('PTE_R', PTE_R).equ('PTE_W', PTE_W).equ('PTE_X', PTE_X).equ('PTE_U', PTE_U);
  a.equ('PTE_A', PTE_A).equ('PTE_D', PTE_D).equ('PTE_G', PTE_G);
  a.equ('PTE_OWNED', 0x100, 'RSW bit 8: a page the process owns (freed when it dies)');
  for (const s of [L.CapSlot, L.Tcb, L.Endpoint, L.Notification, L.XEntry, L.Linkage, L.SegEntry, L.XContext, L.BootModule, L.CapInit]) a.struct(s);
  a.comment('Saved user registers inside the TCB: TF_<reg> = TCB_REGS + 8 * register number');
  for (let n = 1; n < 32; n++) a.equ(tf(ALL_REGS[n - 1]), `TCB_REGS+${8 * n}`);
}
