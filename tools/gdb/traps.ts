// How a guest trap becomes a gdb stop (docs/debugging.md, "Traps"): trap classes for `monitor catch`,
// and the signal each stop reports. Signal numbers are gdb's own target signals (gdb/signals.def), which
// the remote protocol carries: they are not Linux's for SIGBUS.

export const SIGINT = 2;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 10;
export const SIGSEGV = 11;
export const SIGALRM = 14;
export const SIGIO = 23;
export const SIGXCPU = 24;

/** Classes of traps `monitor catch` can stop on; `unhandled` is a trap whose handler cannot be fetched. */
export const CATCH_CLASSES = ['unhandled', 'illegal', 'page', 'access', 'misaligned', 'ebreak', 'ecall', 'xpc', 'interrupt'] as const;
export type CatchClass = (typeof CATCH_CLASSES)[number];

/** The class of a trap cause (mcause value: interrupt bit 63, code below). */
export function trapClass(cause: bigint): Exclude<CatchClass, 'unhandled'> {
  if (cause >> 63n) return 'interrupt';
  switch (Number(cause)) {
    case 2:
      return 'illegal';
    case 12:
    case 13:
    case 15:
      return 'page';
    case 1:
    case 5:
    case 7:
      return 'access';
    case 0:
    case 4:
    case 6:
      return 'misaligned';
    case 3:
      return 'ebreak';
    case 8:
    case 9:
    case 11:
      return 'ecall';
    default:
      return 'xpc'; // 24..28, docs/xpc.md §6
  }
}

/**
 * The signal a trap stop reports: SIGTRAP for ebreak (and ecall), SIGSEGV for page and access faults and
 * XPC faults (a capability or segment violation is a protection fault), SIGILL for illegal instructions,
 * SIGBUS for misaligned accesses, SIGALRM for timer interrupts, SIGIO for external interrupts.
 */
export function trapSignal(cause: bigint): number {
  if (cause >> 63n) {
    const irq = Number(cause & 0xffn);
    return irq === 5 || irq === 7 ? SIGALRM : irq === 9 || irq === 11 ? SIGIO : SIGTRAP;
  }
  switch (trapClass(cause)) {
    case 'illegal':
      return SIGILL;
    case 'page':
    case 'access':
    case 'xpc':
      return SIGSEGV;
    case 'misaligned':
      return SIGBUS;
    default:
      return SIGTRAP;
  }
}
