// Attacks on the kernel's security claims (docs/kernel.md, "Security model"), one system per family of
// defects (issue #10), each next to an echo server and its client that must finish their work. Each
// attack prints "attacker: <what> -> <result>" lines that tests/kernel-security.test.ts checks, and
// prints a line containing "BROKEN" when it got something the kernel must never give.

import type { ProgramSpec, SystemSpec } from '../system.js';
import { echoServer, roundTripClient } from './ipc.js';

/** Prints "attacker: <text> -> <a0 as decimal>" and keeps a0 in s1. */
export const say = (label: string) => `
    mv s1, a0
    la a0, ${label}
    call puts
    mv a0, s1
    call put_dec
    call newline
    mv a0, s1
`;

/** `.asciz` lines for the say() labels: [label, text] pairs. */
export const strings = (pairs: [string, string][]) =>
  pairs.map(([l, t]) => `${l}:\n    .asciz "attacker: ${t} -> "`).join('\n') + '\nm_broken:\n    .asciz "attacker: BROKEN\\n"\n';

/** A call to sys_<name> with the arguments (immediates or symbols) in a0.. and its result printed. */
export const probe = (label: string, sys: string, args: (string | number | bigint)[]) =>
  args.map((v, i) => (typeof v === 'string' && !/^-?\d/.test(v) && !v.startsWith('0x') ? `    la a${i}, ${v}` : `    li a${i}, ${v}`)).join('\n') +
  `\n    call sys_${sys}\n${say(label)}`;

const BROKEN = `
    la a0, m_broken
    call puts
`;

export function attacker(body: string, data: string, caps: ProgramSpec['caps'] = [], name = 'attacker', prio = 2): ProgramSpec {
  return {
    name,
    prio,
    caps,
    text: `
main:
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
${body}
    li a0, 0
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    addi sp, sp, 48
    ret
`,
    data,
  };
}

export function beside(name: string, description: string, programs: ProgramSpec[], extra: Partial<SystemSpec> = {}): SystemSpec {
  return {
    name,
    description,
    endpoints: ['ep', ...(extra.endpoints ?? [])],
    notifications: extra.notifications,
    frames: extra.frames,
    programs: [echoServer(), roundTripClient('survivor', 200, 9), ...programs],
    xentries: extra.xentries,
  };
}

const RELAY_MIN = 0x1000_0000;
const RELAY_MAX = 0x2000_0000;
const FORGED_VA = 0x1800_0000;

/**
 * Family 1: wrap-around in (base, length) checks. The attack first: relay_alloc with a length
 * near 2^64 used to move the allocator's cursor backwards, so that the next relay_alloc handed the
 * caller memory the kernel was using (its own seg-list); a forged seg-list entry and swapseg then gave
 * it all of RAM. Then every other call that takes a user range, with lengths of 2^64 - k and bases at
 * the top of the address space.
 */
const wrapAttack = attacker(`
${probe('m_r1', 'xpc_relay_alloc', [-4096, RELAY_MIN, 0])}
${probe('m_r2', 'xpc_relay_alloc', [-0x1000_0000, RELAY_MAX - 0x1000, 1])}
${probe('m_r3', 'xpc_relay_alloc', [0x1000, -0x1000, 2])}
${probe('m_r4', 'xpc_relay_alloc', [0x2000, RELAY_MAX - 0x1000, 3])}
${probe('m_r5', 'xpc_relay_alloc', ['0x8000000000000000', RELAY_MIN, 4])}
${probe('m_r6', 'xpc_relay_alloc', [0x1000, RELAY_MIN, -1])}
${probe('m_r7', 'xpc_relay_alloc', [-0x1000_0000, RELAY_MIN, 5])}
    # A fresh relay page must be all zero and nobody else's: scan it through the segment.
${probe('m_fresh', 'xpc_relay_alloc', [0x1000, RELAY_MIN + 0x10_0000, 6])}
    li t0, 6
    swapseg t0
    li t0, ${RELAY_MIN + 0x10_0000}
    li t1, 0                   # nonzero words
    li t2, 512
1:
    ld t3, 0(t0)
    beqz t3, 2f
    addi t1, t1, 1
2:
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
    mv a0, t1
${say('m_nonzero')}
    # If it is a seg-list (the issue's exploit), forge entry 2: all of RAM, read/write.
    li t0, ${RELAY_MIN + 0x10_0000}
    li t2, 128
3:
    ld t3, 0(t0)
    li t4, ${RELAY_MIN}
    bne t3, t4, 4f
    li t3, ${FORGED_VA}
    sd t3, 64(t0)
    li t3, 0x80000000
    sd t3, 72(t0)
    li t3, 0x2000000
    sd t3, 80(t0)
    li t3, 7
    sd t3, 88(t0)
4:
    addi t0, t0, 32
    addi t2, t2, -1
    bnez t2, 3b
    li t0, 6
    swapseg t0                 # give the fresh page back
    li t0, 2
    swapseg t0                 # the forged entry, if there is one
    csrr a0, uxseg_len
${say('m_forged')}
    beqz a0, 5f
    li t0, ${FORGED_VA}
    ld t1, 0(t0)               # kernel memory
${BROKEN}
5:
    # map_shared: bases at the top, ranges running past the window, wrapping lengths
${probe('m_m1', 'map_shared', [0, -4096])}
${probe('m_m2', 'map_shared', [0, 0x80_0000 - 0x1000])}
${probe('m_m3', 'map_shared', [0, '0xfffffffffffe0000'])}
${probe('m_m4', 'map_shared', [0, 0x40_0000 + 0x10])}
${probe('m_m5', 'map_shared', [0, 0x40_0000])}
    # write: wrapping ranges, the top of the user half, lengths of 2^64 - k
${probe('m_w1', 'write', [-16, 32])}
${probe('m_w2', 'write', ['0x3ffffffff8', 16])}
${probe('m_w3', 'write', ['m_ok', -1])}
${probe('m_w4', 'write', ['m_ok', '0xffffffffffff0000'])}
${probe('m_w5', 'write', ['0x7ffffffffffffff0', 16])}
${probe('m_w6', 'write', ['m_ok', 3])}
    call newline
    # call/send/reply with wrapping lengths
${probe('m_c1', 'call', [1, -1])}
${probe('m_c2', 'send', [1, '0x8000000000000000'])}
${probe('m_c3', 'reply', [0, -32])}
`, strings([
  ['m_r1', 'relay_alloc(2^64-4096 bytes)'],
  ['m_r2', 'relay_alloc(2^64-2^28 bytes at the window top)'],
  ['m_r3', 'relay_alloc(va 2^64-4096)'],
  ['m_r4', 'relay_alloc(past the window)'],
  ['m_r5', 'relay_alloc(2^63 bytes)'],
  ['m_r6', 'relay_alloc(index 2^64-1)'],
  ['m_r7', 'relay_alloc(2^64-2^28 bytes)'],
  ['m_fresh', 'relay_alloc(one page)'],
  ['m_nonzero', 'nonzero words in a fresh relay page'],
  ['m_forged', 'forged segment length'],
  ['m_m1', 'map_shared(va 2^64-4096)'],
  ['m_m2', 'map_shared(2 pages at the window top)'],
  ['m_m3', 'map_shared(va 2^64-2^17)'],
  ['m_m4', 'map_shared(unaligned)'],
  ['m_m5', 'map_shared(ok)'],
  ['m_w1', 'write(2^64-16, 32)'],
  ['m_w2', 'write(end of the user half)'],
  ['m_w3', 'write(length 2^64-1)'],
  ['m_w4', 'write(length 2^64-2^16)'],
  ['m_w5', 'write(upper half)'],
  ['m_w6', 'write(ok)'],
  ['m_c1', 'call(length 2^64-1)'],
  ['m_c2', 'send(length 2^63)'],
  ['m_c3', 'reply(length 2^64-32)'],
]) + 'm_ok:\n    .ascii "ok!"\n', [{ slot: 0, frame: 'two' }, { slot: 1, endpoint: 'ep', badge: 5 }]);

export const attacks: Record<string, SystemSpec> = {
  wrap: beside('attack-wrap', 'wrap-around in every (base, length) a system call takes', [wrapAttack], { frames: [{ name: 'two', pages: 2 }] }),
};
