// Shared by the kernel generator modules: configuration, PTE bits, trap-frame names, cause names.

import type { Reg } from '../builder.js';
import * as L from '../layout.js';

export interface KernelConfig {
  /** Console device: the 16550 UART (rvx) or HTIF putchar (Spike, QEMU -machine spike). */
  console: 'uart' | 'htif';
  /** Emit the XPC support (CSR save/restore, x-entry table, XPC system calls). Needs an XPC machine. */
  xpc: boolean;
  /** Timer slice in mtime ticks. */
  timeslice: number;
  /** Physical end of the RAM the page allocator may hand out. */
  ramEnd: number;
  /**
   * ASID mode: each process's satp carries ASID = pid + 1 and an address-space switch writes satp
   * without the full `sfence.vma` (privileged spec 4.2.1: entries of other ASIDs need no flush; ASIDs
   * are never reused, processes are not created at run time). For cores with ASID-tagged TLBs.
   */
  asid: boolean;
  /**
   * IPC fastpath: 'minimal' (fastpath.ts) or 'sel4', seL4's RISC-V fastpath check by check
   * (fastpath-sel4.ts), the baseline `rvx bench ipc` compares XPC with. The slow path is the same.
   */
  flavour: 'minimal' | 'sel4';
  /**
   * Emit the call-gate support (docs/mechanisms.md section 1: gate table, gate-miss handler, return
   * stacks, gate system calls). Needs a machine with `--ext gate`; not combined with `xpc` (default off).
   */
  gate?: boolean;
  /**
   * Emit the address-space-list support (docs/mechanisms.md section 3: per-process lists and keys, the
   * trampoline page, asl_export/asl_bind). Needs a machine with `--ext asl`; not combined (default off).
   */
  asl?: boolean;
  /**
   * Protection-key support (docs/mechanisms.md section 2): the image's pages get the keys the system
   * description gives them (ProgramSpec.pageKeys), `pkr` is saved with each thread and the kernel runs
   * with every key open. Needs a machine with `--ext pkey` (default off).
   */
  pkey?: boolean;
}

export const DEFAULT_KERNEL_CONFIG: KernelConfig = {
  console: 'uart',
  xpc: true,
  timeslice: 2000,
  ramEnd: L.RAM_BASE + 32 * 1024 * 1024,
  asid: false,
  flavour: 'minimal',
};

// PTE bits (privileged spec 4.3.1 / 4.4.1).
export const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 0x10, PTE_G = 0x20, PTE_A = 0x40, PTE_D = 0x80;
export const SATP_SV39 = 8n << 60n;

/** Trap-frame slot names: `TF_A0` is the offset of saved a0 inside the TCB. */
export function tf(r: Reg): string {
  return `TF_${r.toUpperCase()}`;
}

/** Cause names printed when a process is killed. */
export const CAUSES: [number, string][] = [
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
  [29, 'gate miss'],
  [30, 'gate-stack fault (forged gret)'],
  [31, 'address-space-list fault (bad key or index)'],
];
