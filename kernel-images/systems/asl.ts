// Address-space-list systems (docs/mechanisms.md section 3): built with `{ xpc: false, asl: true }` and
// booted on a machine with `ext: ['asl']`. In MECH_SYSTEMS (systems/index.ts): `rvx kernel asl-calls` builds and boots them so.

import type { SystemSpec } from '../system.js';
import { ASL_TRAMP_VA } from '../kernel/asl.js';

export const ASL_KERNEL = { xpc: false, asl: true } as const;
export const ASL_EXT = ['asl'] as const;
export const ASL_CALLS = 100;

const fail = (label: string, msg: string) => `
${label}:
    la a0, ${msg}
    call puts
    li a0, 1
    call sys_exit
`;

/** Call into server `idx` with key `key` (registers), arguments a3, a4, back to entry 0 with key s2; clobbers t0-t4. */
const aslCall = (idx: string, key: string) => `
    mv t1, ${idx}
    mv t2, ${key}
    li t3, 0
    mv t4, s2
    li t0, ${ASL_TRAMP_VA}
    jalr t0`;

/**
 * Two servers export an entry to the client (process 2): an adder, and one that makes a system call
 * (refused in its space on the client's thread) and, asked to, crashes. The client binds both, makes
 * ASL_CALLS round trips through the trampoline, sees the refusal, the crash (E_DEAD, the server killed,
 * its space gone from the list: bind refused), and last tries a guessed key, which kills it.
 */
export const aslCalls: SystemSpec = {
  name: 'asl-calls',
  description: 'address-space lists: round trips, a crashing server, a guessed key',
  notifications: ['never1', 'never2'],
  programs: [
    {
      name: 'adder',
      prio: 2,
      caps: [{ slot: 0, notification: 'never1' }],
      text: `
main:
    li a0, 2
    la a1, entry
    call sys_asl_export
    bnez a0, 1f
    li a0, 2
    la a1, entry
    call sys_asl_export         # twice: E_EXISTS
    li t0, E_EXISTS
    bne a0, t0, 1f
2:
    li a0, 0
    call sys_wait               # park
    j 2b
1:
    la a0, m_bad
    call puts
    li a0, 1
    ret
entry:                          # runs in this space on the client's thread, its stack not ours: a leaf
    add a0, a3, a4
    ret
`,
      data: `
m_bad:
    .asciz "adder: FAIL export\\n"
`,
    },
    {
      name: 'crasher',
      prio: 2,
      caps: [{ slot: 0, notification: 'never2' }],
      text: `
main:
    li a0, 2
    la a1, entry
    call sys_asl_export
1:
    li a0, 0
    call sys_wait
    j 1b
entry:
    li a0, 0x21
    li a7, SYS_PUTC
    ecall                       # refused in this space on another thread: a0 = E_PERM
    beqz a3, 1f
    ld t0, 0(zero)              # asked to crash: a load page fault
1:
    ret
`,
    },
    {
      name: 'aclient',
      prio: 1,
      text: `
main:
    mv s7, a0                   # our own pid: the owner of the list we bind in
    li a0, 0
    mv a1, s7
    call sys_asl_bind
    blez a0, bad_bind
    bnez a3, bad_bind           # the way back: entry 0 of our own list
    mv s0, a0                   # adder: index, key; s2 = our own key (index 0)
    mv s1, a1
    mv s2, a2
    li a0, 1
    mv a1, s7
    call sys_asl_bind
    blez a0, bad_bind
    mv s3, a0                   # crasher
    mv s4, a1
    # Hostile bindings: pids out of range (-1 is huge unsigned: no wrap), and a list the client is not in
    # (the adder's own: binding there would let the client switch in as the adder's caller).
    li a0, 0
    li a1, -1
    call sys_asl_bind
    li t1, E_INVAL
    bne a0, t1, bad_hostile
    li a0, -1
    mv a1, s7
    call sys_asl_bind
    li t1, E_INVAL
    bne a0, t1, bad_hostile
    li a0, 1
    li a1, 0
    call sys_asl_bind
    li t1, E_PERM
    bne a0, t1, bad_hostile
    la a0, m_hostile
    call puts
    li s5, 0
    li s6, ${ASL_CALLS}
1:
    mv a3, s5
    li a4, 1000
${aslCall('s0', 's1')}
    addi t1, s5, 1000
    bne a0, t1, bad_sum
    addi s5, s5, 1
    bltu s5, s6, 1b
    la a0, m_calls
    call puts
    li a3, 0
${aslCall('s3', 's4')}
    li t1, E_PERM
    bne a0, t1, bad_sys
    li a3, 1
${aslCall('s3', 's4')}
    li t1, E_DEAD
    bne a0, t1, bad_crash
    li a0, 1
    mv a1, s7
    call sys_asl_bind
    li t1, E_PERM
    bne a0, t1, bad_unbind
    la a0, m_dead
    call puts
    la a0, m_guess
    call puts
    xori s1, s1, 1
${aslCall('s0', 's1')}
    la a0, m_survived
    call puts
    li a0, 1
    call sys_exit
${fail('bad_bind', 'm_bad_bind')}
${fail('bad_sum', 'm_bad_sum')}
${fail('bad_sys', 'm_bad_sys')}
${fail('bad_crash', 'm_bad_crash')}
${fail('bad_unbind', 'm_bad_unbind')}
${fail('bad_hostile', 'm_bad_hostile')}
`,
      data: `
m_calls:
    .asciz "aclient: ${ASL_CALLS} list switches ok\\n"
m_dead:
    .asciz "aclient: refusal, server death, unbinding ok\\n"
m_guess:
    .asciz "aclient: guessing a key\\n"
m_survived:
    .asciz "aclient: FAIL a guessed key worked\\n"
m_bad_bind:
    .asciz "aclient: FAIL bind\\n"
m_bad_sum:
    .asciz "aclient: FAIL wrong sum\\n"
m_bad_sys:
    .asciz "aclient: FAIL system call in the server space not refused\\n"
m_bad_crash:
    .asciz "aclient: FAIL no E_DEAD from a dying server\\n"
m_bad_unbind:
    .asciz "aclient: FAIL a dead server still bound\\n"
m_hostile:
    .asciz "aclient: hostile bindings refused\\n"
m_bad_hostile:
    .asciz "aclient: FAIL hostile binding accepted\\n"
`,
    },
  ],
};

/**
 * The calling key leaks to the callee: during a call the trampoline keeps the caller's return index and
 * key in s10/s11 (it needs them, in the callee's space, to switch back), so a callee reads them. The
 * `leaker` returns the key it saw; the client compares it with its own (from asl_bind). With the key a
 * callee running on the caller's thread can switch into the caller's space through the trampoline
 * outside a return (docs/mechanisms.md §3.5).
 */
export const aslLeak: SystemSpec = {
  name: 'asl-leak',
  description: 'address-space lists: the caller\'s key is in the callee\'s registers',
  notifications: ['never'],
  programs: [
    {
      name: 'leaker',
      prio: 2,
      caps: [{ slot: 0, notification: 'never' }],
      text: `
main:
    li a0, 1
    la a1, entry
    call sys_asl_export
1:
    li a0, 0
    call sys_wait
    j 1b
entry:
    mv a0, s11                  # the caller's own key, kept by the trampoline for the switch back
    mv a1, s10                  # and the index it returns to
    ret
`,
    },
    {
      name: 'victim',
      prio: 1,
      text: `
main:
    mv s7, a0
    li a0, 0
    mv a1, s7
    call sys_asl_bind
    blez a0, 8f
    mv s0, a0
    mv s1, a1
    mv s2, a2                   # our own key: the way back
${aslCall('s0', 's1')}
    bne a0, s2, 8f
    bnez a1, 8f
    la a0, m_leaked
    call puts
    li a0, 0
    call sys_exit
8:
    la a0, m_bad
    call puts
    li a0, 1
    call sys_exit
`,
      data: `
m_leaked:
    .asciz "victim: the callee read our key\\n"
m_bad:
    .asciz "victim: FAIL\\n"
`,
    },
  ],
};
