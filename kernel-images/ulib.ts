// The user-level library every program is assembled with: start-up code, one stub per system call,
// printing helpers, and the XPC library (caller stub and callee trampoline).
//
// Calling convention: the standard RISC-V psABI. System-call stubs pass a0..a5 through and return the
// kernel's a0 (a1..a5 keep what the kernel put there: message replies).

import { Asm } from './builder.js';
import * as L from './layout.js';

/** `.equ` lines user programs may use: system calls, errors, the user memory map. */
export function userConstants(a: Asm): void {
  a.heading('Constants shared with the kernel (kernel-images/layout.ts)');
  for (const [k, v] of Object.entries(L.SYS)) a.equ(`SYS_${k.toUpperCase()}`, v);
  for (const [k, v] of Object.entries(L.ERR)) a.equ(`E_${k}`, v);
  for (const [k, v] of Object.entries({
    USER_BASE: L.USER_BASE, USER_STACK_TOP: L.USER_STACK_TOP, USER_STACK_GUARD: L.USER_STACK_GUARD,
    USER_IPC_BUFFER: L.USER_IPC_BUFFER, USER_SHARED_MIN: L.USER_SHARED_MIN, USER_XCTX_BASE: L.USER_XCTX_BASE,
    USER_XCTX_STRIDE: L.USER_XCTX_STRIDE, MAX_XCTX: L.MAX_XCTX, XCTX_DATA_OFF: L.XCTX_DATA_OFF,
    XCTX_ENTRY_SHIFT: L.XCTX_ENTRY_SHIFT, USER_RELAY_MIN: L.USER_RELAY_MIN,
    MAX_MESSAGE: L.MAX_MESSAGE, PAGE_SIZE: L.PAGE_SIZE, KERNEL_VA: L.RAM_BASE,
  })) a.equ(k, v);
}

/** Start-up code and system-call stubs (text). */
export function userLibText(a: Asm): void {
  a.heading('Start-up: the kernel enters here with a0 = process number and sp = USER_STACK_TOP');
  a.raw('.globl _start').label('_start');
  a.i('call main').i('call sys_exit').label('1').i('j 1b');
  a.heading('System-call stubs: number in a7, arguments a0..a5, result in a0');
  for (const [name, num] of Object.entries(L.SYS)) {
    a.raw('.balign 4').raw(`.globl sys_${name}`).label(`sys_${name}`);
    a.i(`li a7, ${num}`).i('ecall').i('ret');
  }
  a.heading('Printing helpers');
  a.func('puts', 'Write the zero-terminated string at a0 to the console.');
  a.block(`
    mv t0, a0
1:
    lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:
    sub a1, t0, a0
    j sys_write
  `);
  a.func('put_dec', 'Print a0 as a signed decimal number.');
  a.block(`
    addi sp, sp, -48
    sd ra, 40(sp)
    mv t0, a0
    addi t1, sp, 32
    li t3, 0
    bgez t0, 1f
    neg t0, t0
    li t3, 1
1:
    li t2, 10
    remu t4, t0, t2
    divu t0, t0, t2
    addi t4, t4, 48
    addi t1, t1, -1
    sb t4, 0(t1)
    bnez t0, 1b
    beqz t3, 2f
    li t4, 45
    addi t1, t1, -1
    sb t4, 0(t1)
2:
    mv a0, t1
    addi a1, sp, 32
    sub a1, a1, t1
    call sys_write
    ld ra, 40(sp)
    addi sp, sp, 48
    ret
  `);
  a.func('put_hex', 'Print a0 as 0x and 16 hexadecimal digits.');
  a.block(`
    addi sp, sp, -48
    sd ra, 40(sp)
    li t0, 48
    sb t0, 0(sp)
    li t0, 120
    sb t0, 1(sp)
    li t1, 60
    addi t2, sp, 2
1:
    srl t0, a0, t1
    andi t0, t0, 15
    li t3, 10
    blt t0, t3, 2f
    addi t0, t0, 39
2:
    addi t0, t0, 48
    sb t0, 0(t2)
    addi t2, t2, 1
    addi t1, t1, -4
    bgez t1, 1b
    mv a0, sp
    li a1, 18
    call sys_write
    ld ra, 40(sp)
    addi sp, sp, 48
    ret
  `);
  a.func('newline', 'Print a newline.');
  a.li('a0', 10).i('j sys_putc');
  a.func('memset8', 'Fill a1 bytes at a0 with the byte a2.');
  a.block(`
    beqz a1, 2f
1:
    sb a2, 0(a0)
    addi a0, a0, 1
    addi a1, a1, -1
    bnez a1, 1b
2:
    ret
  `);
  a.heading('XPC library: caller stub');
  a.func('xpc_call', 'xpc_call(a0 = x-entry id, a1..a5 = arguments) -> a0 (the handler result, or a negative error when\nthe kernel refused the xcall: E_CAP not granted, E_NOMEM link stack full, E_INVAL bad seg-mask; or\nE_DEAD when the server died during the call; E_BUSY when it had no free context). An ordinary call\nunder the XPC ABI (docs/kernel.md, "XPC"): sp, ra, gp, tp and s0..s11 survive a normal return; after\nE_DEAD, sp and ra are the caller\'s and every other register but a0 (gp and tp too) is zero.');
  a.block(`
    xcall a0
    ret
  `);
}

/**
 * The callee trampoline of an x-entry: claims a free context (stack + local data), calls `handler` with
 * a0 = the caller identity (xcaller) and a1..a5 = the arguments on the context's stack, and returns
 * with xret. No free context: xret at once with a0 = E_BUSY.
 *
 * It saves only what it changes, sp and ra, in the context; the handler is an ordinary function and
 * preserves s0..s11 itself (psABI), and never writes gp or tp. a1..a7 come back as the handler left
 * them (extra results). A context is claimed with one `amoswap` of its own (nonzero) address into its
 * busy word: zero back means it was free and is now ours; anything else, try the next context. It is
 * released with a store of zero, only after the caller's sp is back in sp: while sp points into a
 * context the kernel may restore sp and ra from it (a callee dying mid-call), so it must still be ours.
 *
 * `entryId` is the x-entry id when the image builder knows it (the context address is then a
 * constant), or null for an entry registered at run time: the program stores its id in the word `idSym`.
 */
export function xpcTrampoline(a: Asm, label: string, idSym: string, contexts: number, handler: string, entryId: number | null): void {
  const { busy, sp, ra } = L.XContext.off;
  if (busy !== 0) throw new Error('ulib: the trampoline claims a context at offset 0 of its data (amoswap has no offset)');
  a.func(label, `XPC trampoline: entry of ${handler}, ${contexts} context(s)${entryId === null ? ' (x-entry registered at run time)' : ''}.`);
  if (entryId !== null) {
    a.li('t3', L.xctxDataVa(entryId, 0), `context 0 of x-entry ${entryId}: its local data (layout.ts xctxDataVa)`);
  } else {
    a.block(`
    la t3, ${idSym}           # context 0 of this entry: USER_XCTX_BASE + (id << XCTX_ENTRY_SHIFT) + PAGE_SIZE + XCTX_DATA_OFF
    ld t3, 0(t3)
    slli t3, t3, XCTX_ENTRY_SHIFT
    li t4, USER_XCTX_BASE+PAGE_SIZE+XCTX_DATA_OFF
    add t3, t3, t4
    `);
  }
  a.block(`
    amoswap.d.aq t2, t3, (t3) # claim context 0: its busy word was zero if it was free
    csrr a0, xcaller          # the handler's first argument: who called
    bnez t2, 2f
1:
    sd sp, ${sp}(t3)            # the caller's sp and ra: the only registers this code changes
    sd ra, ${ra}(t3)
    mv sp, t3                 # the handler's stack grows down from the context data
    jal ${handler}
    ld ra, ${ra}(sp)
    mv t3, sp
    ld sp, ${sp}(t3)
    amoswap.d.rl zero, zero, (t3)  # release the context (after the loads; sp is the caller's again)
    xret
2:
  `);
  if (contexts > 1) {
    a.block(`
    li t4, ${contexts - 1}                # contexts left to try
    li t5, USER_XCTX_STRIDE
3:
    add t3, t3, t5
    amoswap.d.aq t2, t3, (t3)
    beqz t2, 1b
    addi t4, t4, -1
    bnez t4, 3b
    `);
  }
  a.block(`
    li a0, E_BUSY             # every context is in use: refuse
    xret
  `);
}

/** Bytes of a gate or address-space-list entry's context: its stack, then busy, sp and ra words. */
export const CALLEE_CTX_STACK = 4096 - 64;

/**
 * The callee side of a call gate or of an address-space-list entry (docs/mechanisms.md §1.7, §3.6): the
 * call arrives on the caller's thread with the caller's sp, which in this address space is an address of
 * the callee's own stack (every process has the same layout), so the entry brings its own: it claims
 * its context with one `amoswap` (as the XPC trampoline does), saves the caller's sp and ra there, runs
 * `handler` (a0..a7 the arguments, the psABI's callee-saved registers preserved) on the context's stack,
 * and gives everything back. A context in use (a second call arriving before the first returns) is
 * refused with E_BUSY. `back` is how control goes home: `gret` for a gate, `ret` (to the trampoline,
 * which switches back) for an address-space list.
 */
export function calleeEntry(a: Asm, label: string, ctx: string, handler: string, back: 'gret' | 'ret'): void {
  a.func(label, `Entry of ${handler} (${back === 'gret' ? 'call gate' : 'address-space list'}): its own stack in context ${ctx}.`);
  a.block(`
    la t3, ${ctx}
    amoswap.d.aq t2, t3, (t3)   # claim the context: its busy word was zero if it was free
    bnez t2, 2f
    sd sp, 8(t3)                # the caller's sp and ra: the only registers this code changes
    sd ra, 16(t3)
    mv sp, t3                   # the handler's stack grows down from the context
    jal ${handler}
    ld ra, 16(sp)
    mv t3, sp
    ld sp, 8(t3)
    amoswap.d.rl zero, zero, (t3)  # release the context (after the loads)
    ${back}
2:
    li a0, E_BUSY
    ${back}
  `);
}

/** The context of a calleeEntry (in the data pages): a page-aligned stack and the three words above it. */
export function calleeContext(ctx: string): string {
  return `
    .balign 4096
    .zero ${CALLEE_CTX_STACK}
${ctx}:
    .zero 64
`;
}
