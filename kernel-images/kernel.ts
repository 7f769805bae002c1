// The rvx microkernel, written as TypeScript that emits its assembly (the parts live in kernel/).
//
// API modelled on seL4 (endpoints, badged capabilities, call / reply_recv with a fastpath, notifications),
// structure on xv6-riscv (M-mode boot stub, trap vector, page tables). One thread per process; the kernel
// runs on a single kernel stack with interrupts off (an event-driven kernel: every entry starts afresh
// at the top of the stack and leaves by restoring some thread's user context and `sret`).
//
// Register conventions inside the kernel: s11 holds the current TCB on every slow path; functions follow
// the standard calling convention (a*/t* clobbered, s* preserved).

import type { Asm } from './builder.js';
import { bootText } from './kernel/boot.js';
import type { KernelConfig } from './kernel/common.js';
import { consoleText } from './kernel/console.js';
import { fastpathText } from './kernel/fastpath.js';
import { fastpathSel4Text } from './kernel/fastpath-sel4.js';
import { faultsText } from './kernel/faults.js';
import { initText } from './kernel/init.js';
import { ipcText } from './kernel/ipc.js';
import { memoryText } from './kernel/memory.js';
import { schedText } from './kernel/sched.js';
import { syscallText, trapText } from './kernel/trap.js';
import { xpcText } from './kernel/xpc.js';
import { gateText } from './kernel/gate.js';
import { aslText } from './kernel/asl.js';
import { pkeyText } from './kernel/pkey.js';

export { DEFAULT_KERNEL_CONFIG, type KernelConfig } from './kernel/common.js';
export { kernelConstants } from './kernel/constants.js';
export { kernelBss, kernelData } from './kernel/data.js';

/** All kernel code, in the order it is laid out from 0x80000000 (the boot stub first). */
export function kernelText(a: Asm, cfg: KernelConfig): void {
  a.raw('.section .text');
  bootText(a, cfg);
  consoleText(a, cfg);
  memoryText(a);
  schedText(a, cfg);
  trapText(a, cfg);
  if (cfg.flavour === 'sel4') fastpathSel4Text(a, cfg);
  else fastpathText(a, cfg.xpc);
  syscallText(a, cfg);
  ipcText(a, cfg.xpc);
  faultsText(a, cfg.xpc, cfg.gate ?? false, cfg.asl ?? false);
  initText(a, cfg.xpc, cfg.asl ?? false, cfg.gate ?? false, cfg.pkey ?? false);
  if (cfg.xpc) xpcText(a);
  if (cfg.gate) gateText(a);
  if (cfg.asl) aslText(a);
  if (cfg.pkey) pkeyText(a);
}
