// Kernel strings and zero-initialised state.

import { gateBss } from './gate.js';
import { aslBss } from './asl.js';
import { pkeyBss } from './pkey.js';
import type { Asm } from '../builder.js';
import * as L from '../layout.js';
import { CAUSES, PTE_A, PTE_D, PTE_G, PTE_R, PTE_V, PTE_W, PTE_X } from './common.js';

/** Strings and kernel data (everything zero-initialised sits at the end, before _end). */
export function kernelData(a: Asm): void {
  a.heading('Kernel data');
  a.raw('.balign 8');
  a.asciz('str_banner', 'rvx microkernel: booting\n');
  a.asciz('str_no_xpc', '[kernel] this image uses XPC but the machine has no XPC engine (misa.X clear): halting\n');
  a.asciz('str_reclaim', '[kernel] reclaimed ');
  a.asciz('str_reclaim_from', ' pages from ');
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

export function kernelBss(a: Asm, X: boolean, G = false, A = false, P = false): void {
  a.heading('Zero-initialised kernel state');
  a.raw('.balign 4096');
  a.global('kernel_root');
  a.comment('Kernel page table: VPN[2] = 2 maps RAM 1:1, VPN[2] = 3 the low 1 GiB (MMIO) at KERNEL_MMIO_VA.');
  const ramPte = ((BigInt(L.RAM_BASE) >> 12n) << 10n) | BigInt(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G);
  const mmioPte = BigInt(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
  a.i('.quad 0, 0').i(`.quad 0x${ramPte.toString(16)}`).i(`.quad 0x${mmioPte.toString(16)}`).i('.zero 4096-32');
  a.i(`.zero ${L.KERNEL_OBJECTS_OFF}`, 'the object arrays start off line 0 of a page (layout.ts KERNEL_OBJECTS_OFF)');
  if (X) {
    a.raw('.balign 64');
    a.global('xentry_table');
    a.i('.zero MAX_XENTRIES*XE_SIZE');
  }
  if (G) gateBss(a);
  if (A) aslBss(a);
  if (P) pkeyBss(a);
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
