// Call-gate systems (docs/mechanisms.md section 1): built with `{ xpc: false, gate: true }` and booted
// on a machine with the gate extension (`ext: ['gate']`). In MECH_SYSTEMS (systems/index.ts): `rvx kernel
// gate-calls` builds and boots it so.

import type { SystemSpec } from '../system.js';

/** The kernel configuration and machine extensions a gate system needs. */
export const GATE_KERNEL = { xpc: false, gate: true } as const;
export const GATE_EXT = ['gate'] as const;

/** Round trips the client makes through gate 0. */
export const GATE_CALLS = 100;

const fail = (label: string, msg: string) => `
${label}:
    la a0, ${msg}
    call puts
    li a0, 1
    call sys_exit
`;

/**
 * A server registers six gates (add, a system call inside the callee, one it does not grant, one that
 * crashes, one that calls itself until the return stack is full, one slow enough to be preempted) and
 * waits; a client calls through them: GATE_CALLS round trips with results checked, then
 * each refusal, the callee's death (E_DEAD, the server is killed and its gates revoked), the revoked gate
 * (E_CAP), and last a forged `gret` with an empty return stack, which kills the client.
 */
export const gateCalls: SystemSpec = {
  name: 'gate-calls',
  description: 'call gates: round trips, refusals, a callee that dies, revocation, a forged return',
  notifications: ['never'],
  programs: [
    {
      name: 'gserver',
      prio: 2,
      caps: [{ slot: 0, notification: 'never' }],
      text: `
main:
    la a0, gate_add
    call sys_gate_register      # gate 0
    mv s0, a0
    li a1, 1                    # the client is process 1
    call sys_gate_grant
    la a0, gate_sys
    call sys_gate_register      # gate 1
    li a1, 1
    call sys_gate_grant
    la a0, gate_secret
    call sys_gate_register      # gate 2: never granted
    la a0, gate_crash
    call sys_gate_register      # gate 3
    li a1, 1
    call sys_gate_grant
    la a0, gate_recurse
    call sys_gate_register      # gate 4: calls itself until the return stack is full
    mv s0, a0
    li a1, 1
    call sys_gate_grant
    mv a0, s0
    li a1, 0                    # and the server's own domain, whose gcalls the recursion makes
    call sys_gate_grant
    la a0, gate_slow
    call sys_gate_register      # gate 5: runs long enough to be preempted inside the callee
    li a1, 1
    call sys_gate_grant
    la a0, m_ready
    call puts
    li a0, 0
    call sys_wait               # never signalled: the server's own thread parks here

# Gate handlers: they run on the caller's thread in this address space, leaf code (no stack).
gate_add:
    add a0, a1, a2
    gret
gate_sys:
    li a0, 0x21
    li a7, SYS_PUTC
    ecall                       # refused inside a gate call: a0 = E_PERM
    gret
gate_secret:
    li a0, 0x5ec
    gret
gate_crash:
    ld t0, 0(zero)              # a load page fault in the callee: the server dies
    gret
gate_recurse:
    li t0, 4
    gcall t0                    # the innermost one gets E_NOMEM (8 records per thread) and every level returns it
    gret
gate_slow:
    la t1, magic                # the server's word: the client has another at this address
    li t2, 400000               # several time slices: the timer preempts the thread inside the callee
1:
    addi t2, t2, -1
    bnez t2, 1b
    ld a0, 0(t1)
    gret
`,
      data: `
magic:
    .dword 0x5e5e5e5e
m_ready:
    .asciz "gserver: gates ready\\n"
`,
    },
    {
      name: 'gclient',
      prio: 1,
      text: `
main:
    li s1, 0
    li s2, ${GATE_CALLS}
1:
    li t0, 0
    mv a1, s1
    li a2, 1000
    gcall t0
    addi t1, s1, 1000
    bne a0, t1, bad_sum
    addi s1, s1, 1
    bltu s1, s2, 1b
    la a0, m_calls
    call puts
    li t0, 1
    gcall t0
    li t1, E_PERM
    bne a0, t1, bad_sys
    li t0, 2
    gcall t0
    li t1, E_CAP
    bne a0, t1, bad_secret
    li t0, 15
    gcall t0
    li t1, E_CAP
    bne a0, t1, bad_free
    li t0, -1
    gcall t0
    li t1, E_CAP
    bne a0, t1, bad_free
    la a0, m_refused
    call puts
    li t0, 4
    gcall t0
    li t1, E_NOMEM
    bne a0, t1, bad_recurse
    li t0, 5
    gcall t0
    li t1, 0x5e5e5e5e
    bne a0, t1, bad_slow
    la a0, m_deep
    call puts
    li t0, 3
    gcall t0
    li t1, E_DEAD
    bne a0, t1, bad_crash
    la a0, m_dead
    call puts
    li t0, 0
    gcall t0
    li t1, E_CAP
    bne a0, t1, bad_revoked
    la a0, m_revoked
    call puts
    la a0, m_forge
    call puts
    gret                        # nothing to return to: the kernel kills us
    la a0, m_survived
    call puts
    li a0, 1
    call sys_exit
${fail('bad_sum', 'm_bad_sum')}
${fail('bad_sys', 'm_bad_sys')}
${fail('bad_secret', 'm_bad_secret')}
${fail('bad_free', 'm_bad_free')}
${fail('bad_crash', 'm_bad_crash')}
${fail('bad_revoked', 'm_bad_revoked')}
${fail('bad_recurse', 'm_bad_recurse')}
${fail('bad_slow', 'm_bad_slow')}
`,
      data: `
magic:
    .dword 0x11111111           # at the same address as the server's magic (same layout)
m_calls:
    .asciz "gclient: ${GATE_CALLS} gate calls ok\\n"
m_refused:
    .asciz "gclient: refusals ok\\n"
m_dead:
    .asciz "gclient: callee died, E_DEAD ok\\n"
m_deep:
    .asciz "gclient: full return stack E_NOMEM, preempted callee ok\\n"
m_bad_recurse:
    .asciz "gclient: FAIL no E_NOMEM from a full return stack\\n"
m_bad_slow:
    .asciz "gclient: FAIL wrong space after preemption inside the callee\\n"
m_revoked:
    .asciz "gclient: revoked gate refused ok\\n"
m_forge:
    .asciz "gclient: forging a return\\n"
m_survived:
    .asciz "gclient: FAIL forged return survived\\n"
m_bad_sum:
    .asciz "gclient: FAIL wrong sum\\n"
m_bad_sys:
    .asciz "gclient: FAIL system call inside a gate call not refused\\n"
m_bad_secret:
    .asciz "gclient: FAIL ungranted gate not refused\\n"
m_bad_free:
    .asciz "gclient: FAIL unregistered gate not refused\\n"
m_bad_crash:
    .asciz "gclient: FAIL no E_DEAD from a dying callee\\n"
m_bad_revoked:
    .asciz "gclient: FAIL revoked gate still callable\\n"
`,
    },
  ],
};
