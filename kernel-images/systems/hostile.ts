// Hostile programs, each in its own system next to a well-behaved client/server pair (the survivors):
// the kernel must refuse the request with an error, or kill the offender with a console line naming
// the process, pc and cause, and the survivors must finish their work.

import type { ProgramSpec, SystemSpec } from '../system.js';
import { echoServer, roundTripClient } from './ipc.js';

/** A program whose main runs `body` (which may never return). */
function offender(body: string, data = '', caps: ProgramSpec['caps'] = []): ProgramSpec {
  return {
    name: 'offender',
    prio: 2, // runs first, while the survivors have not started their work
    caps,
    text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
${body}
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    data,
  };
}

function withSurvivors(name: string, description: string, off: ProgramSpec, extra: Partial<SystemSpec> = {}): SystemSpec {
  return {
    name,
    description,
    endpoints: ['ep', ...(extra.endpoints ?? [])],
    notifications: extra.notifications,
    programs: [echoServer(), roundTripClient('survivor', 200, 9), off, ...(extra.programs ?? [])],
    xentries: extra.xentries,
  };
}

/** Prints "offender: <label> -> <a0>" (for refused requests). */
const report = (label: string) => `
    mv s1, a0
    la a0, ${label}
    call puts
    mv a0, s1
    call put_dec
    call newline
`;

export const hostile: Record<string, SystemSpec> = {
  kernelRead: withSurvivors('hostile-kernel-read', 'reads kernel memory', offender(`
    li t0, KERNEL_VA
    ld t1, 0(t0)
`)),
  kernelWrite: withSurvivors('hostile-kernel-write', 'writes kernel memory', offender(`
    li t0, KERNEL_VA + 0x1000
    sd zero, 0(t0)
`)),
  kernelJump: withSurvivors('hostile-kernel-jump', 'jumps into the kernel', offender(`
    li t0, KERNEL_VA
    jr t0
`)),
  illegal: withSurvivors('hostile-illegal', 'executes an illegal instruction (a supervisor CSR)', offender(`
    csrr t0, sstatus
`)),
  stackOverflow: withSurvivors('hostile-stack', 'recurses until the stack runs into the guard page', offender(`
    call recurse
`)),
  badBuffers: withSurvivors('hostile-buffers', 'passes kernel, unmapped and oversized buffers to write and call', offender(`
    li a0, KERNEL_VA
    li a1, 16
    call sys_write
${report('m_kernel')}
    li a0, 0x5000000
    li a1, 16
    call sys_write
${report('m_unmapped')}
    li a0, USER_STACK_GUARD
    li a1, 8
    call sys_write
${report('m_guard')}
    la a0, m_kernel           # starts mapped, runs into unmapped memory
    li a1, 0x10000
    call sys_write
${report('m_straddle')}
    li a0, 0
    li a1, 4097
    call sys_call
${report('m_long')}
    li a0, 0
`, `
m_kernel:
    .asciz "offender: write(kernel) -> "
m_unmapped:
    .asciz "offender: write(unmapped) -> "
m_guard:
    .asciz "offender: write(guard page) -> "
m_straddle:
    .asciz "offender: write(past the end) -> "
m_long:
    .asciz "offender: call(4097 bytes) -> "
`, [{ slot: 0, endpoint: 'ep', badge: 3 }])),
  badCaps: withSurvivors('hostile-caps', 'names empty, out-of-range and wrong-type capability slots', offender(`
    li a0, 5
    li a1, 0
    call sys_call
${report('m_empty')}
    li a0, 1000
    call sys_send
${report('m_range')}
    li a0, 1
    li a1, 0
    call sys_call
${report('m_type')}
    li a0, 0
    call sys_signal
${report('m_type2')}
    li a0, 0
    li a1, 0
    call sys_reply
${report('m_noreply')}
    li a0, 1
    li a1, USER_SHARED_MIN
    call sys_map_shared
${report('m_frame')}
    li a7, 99
    ecall
${report('m_nosys')}
    li a0, 0
`, `
m_empty:
    .asciz "offender: call(empty slot) -> "
m_range:
    .asciz "offender: send(slot 1000) -> "
m_type:
    .asciz "offender: call(notification slot) -> "
m_type2:
    .asciz "offender: signal(endpoint slot) -> "
m_noreply:
    .asciz "offender: reply(no caller) -> "
m_frame:
    .asciz "offender: map_shared(notification slot) -> "
m_nosys:
    .asciz "offender: syscall 99 -> "
`, [{ slot: 0, endpoint: 'ep', badge: 3 }, { slot: 1, notification: 'n' }]), { notifications: ['n'] }),
};

// The stack-overflow offender needs a recursive helper.
hostile.stackOverflow.programs[2].text += `
recurse:
    addi sp, sp, -64
    sd ra, 0(sp)
    call recurse
    ld ra, 0(sp)
    addi sp, sp, 64
    ret
`;
