// Protection-key support (docs/mechanisms.md §2, docs/kernel.md "Protection keys"): the rights register
// `pkr` is user state, saved and loaded with each thread like its registers; the kernel runs with every
// key open, so its own accesses to user pages (copies, the console) never depend on which domain trapped.
// The keys of the pages themselves are set when a process's image is mapped (init.ts, the system
// description's ProgramSpec.pageKeys), and the binary inspection of image.ts keeps `pkr` writes inside
// the gates.

import type { Asm } from '../builder.js';

export function pkeyBss(a: Asm): void {
  a.raw('.balign 64');
  a.global('pkey_state').i('.zero MAX_PROCS*8', 'per thread: its pkr while it is out of user mode');
}

export function pkeyText(a: Asm): void {
  a.heading('Protection keys: pkr per thread (docs/mechanisms.md section 2)');
  a.func('pkey_save', 'Kernel entry of the current thread (s11): its pkr saved, then every key open for the kernel. Leaf\n(t0, t1 only: the system-call arguments stay live).');
  a.block(`
    ld t1, TCB_PID(s11)
    slli t1, t1, 3
    la t0, pkey_state
    add t1, t1, t0
    csrr t0, pkr
    sd t0, 0(t1)
    csrw pkr, zero
    ret
  `);
}

/** restore_user: t6 = the TCB about to run; its pkr (t0, t1 only: every register is restored afterwards). */
export function pkeyLoad(a: Asm): void {
  a.block(`
    ld t1, TCB_PID(t6)
    slli t1, t1, 3
    la t0, pkey_state
    add t1, t1, t0
    ld t0, 0(t1)
    csrw pkr, t0
  `);
}
