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

/**
 * Family 2: exhaustion at run time. A filler process fills the x-entry table and exits (its entries go
 * away with it); then the attacker eats every free page through relay_alloc / relay_free (relay memory
 * is never reused) and asks for more: xpc_register (context pages, page-table pages), map_shared
 * (a page-table page) and relay_alloc must all answer E_NOMEM, and the kernel must go on.
 */
const filler = attacker(`
    li s0, 0
1:
    la a0, xpc_entry_f
    li a1, 1
    call sys_xpc_register
    bltz a0, 2f
    addi s0, s0, 1
    j 1b
2:
${say('m_full')}
    mv a0, s0
${say('m_count')}
`, strings([['m_full', 'xpc_register(table full)'], ['m_count', 'entries registered']]), [], 'filler', 3);
filler.dynamicEntries = [{ name: 'f', handler: 'f_handler', contexts: 1 }];
filler.text += `
f_handler:
    ret
`;

const exhaust = attacker(`
    li s2, 0x1000000           # eat memory in chunks of 16 MiB, halving down to a page
1:
    mv a0, s2
    li a1, ${RELAY_MIN}
    li a2, 0
    call sys_xpc_relay_alloc
    bnez a0, 2f
    li a0, 0
    call sys_xpc_relay_free
    j 1b
2:
    srli s2, s2, 1
    li t0, 4096
    bgeu s2, t0, 1b
${probe('m_relay', 'xpc_relay_alloc', [4096, RELAY_MIN, 1])}
${probe('m_reg16', 'xpc_register', ['xpc_entry_g', 16])}
1:
    la a0, xpc_entry_g         # the pages freed by the filler's death: take them all
    li a1, 1
    call sys_xpc_register
    bgez a0, 1b
${say('m_reg1')}
${probe('m_map', 'map_shared', [0, 0x40_0000])}
${probe('m_reg16b', 'xpc_register', ['xpc_entry_g', 16])}
${probe('m_pid', 'getpid', [])}
`, strings([
  ['m_relay', 'relay_alloc(memory exhausted)'],
  ['m_reg16', 'xpc_register(16 contexts, memory exhausted)'],
  ['m_reg1', 'xpc_register(1 context, until refused)'],
  ['m_map', 'map_shared(memory exhausted)'],
  ['m_reg16b', 'xpc_register(16 contexts, again)'],
  ['m_pid', 'getpid'],
]), [{ slot: 0, frame: 'f' }]);
exhaust.dynamicEntries = [{ name: 'g', handler: 'g_handler', contexts: 16 }];
exhaust.text += `
g_handler:
    ret
`;
attacks.exhaust = beside('attack-exhaust', 'fills the x-entry table and all free memory at run time', [filler, exhaust], { frames: [{ name: 'f', pages: 1 }] });

/**
 * Family 5: the kernel reads user memory as the hardware would. Inside an xcall handed an 8-byte
 * seg-mask window of a page, write() may print those 8 bytes and nothing around them (the rest of the
 * page holds '#' bytes the caller did not hand over).
 */
const peek = attacker(`
${probe('m_alloc', 'xpc_relay_alloc', [4096, RELAY_MIN, 0])}
    li t0, 0
    swapseg t0
    li t0, ${RELAY_MIN}
    li t1, 4096
    li t2, 35                  # '#'
1:
    sb t2, 0(t0)
    addi t0, t0, 1
    addi t1, t1, -1
    bnez t1, 1b
    la t0, m_vis
    ld t1, 0(t0)
    li t0, ${RELAY_MIN + 16}
    sd t1, 0(t0)
${probe('m_end', 'write', [RELAY_MIN + 4090, 12])}
    li t0, 16
    csrw xsegmask_off, t0
    li t0, 8
    csrw xsegmask_len, t0
    li a0, XENTRY_PEEK
    call xpc_call
${say('m_peek')}
`, strings([
  ['m_alloc', 'relay_alloc(a page)'],
  ['m_end', 'write(past the segment end)'],
  ['m_peek', 'xcall(peek)'],
  ['m_w1', 'write(the window and 8 bytes after it)'],
  ['m_w2', 'write(the window)'],
  ['m_w3', 'write(8 bytes before the window and 8 of it)'],
  ['m_w4', 'write(the byte after the window)'],
]) + 'm_vis:\n    .ascii "visible!"\n');
peek.text += `
peek_handler:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s1, 8(sp)
    csrr a0, uxseg_va
    li a1, 16
    call sys_write
${say('m_w1')}
    csrr a0, uxseg_va
    li a1, 8
    call sys_write
${say('m_w2')}
    csrr a0, uxseg_va
    addi a0, a0, -8
    li a1, 16
    call sys_write
${say('m_w3')}
    csrr a0, uxseg_va
    addi a0, a0, 8
    li a1, 1
    call sys_write
${say('m_w4')}
    li a0, 0
    ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 32
    ret
`;
attacks.maskedWrite = beside('attack-masked-write', 'write() inside an xcall handed a seg-mask window of a page', [peek], {
  xentries: [{ name: 'peek', owner: 'attacker', handler: 'peek_handler', contexts: 1, grants: ['attacker'] }],
});

/**
 * Family 3: revocation and id reuse. The victim registers an x-entry (id 0: the first run-time one),
 * grants it to the attacker, and exits. Its entry and every grant of it must go with it; when another
 * process registers an entry that reuses id 0, the attacker's old grant must not reach it; and the
 * attacker's thread capability of the dead victim must name nothing.
 */
const victim = attacker(`
${probe('m_vreg', 'xpc_register', ['xpc_entry_v', 1])}
    la t0, xpc_entry_v_id
    sd a0, 0(t0)
${probe('m_vgrant', 'xpc_grant', ['a0', 0])}
    li a0, 1
    call sys_wait              # until the attacker has used the grant
`, strings([['m_vreg', 'victim: xpc_register'], ['m_vgrant', 'victim: xpc_grant(to the attacker)']]), [{ slot: 0, thread: 'attacker' }, { slot: 1, notification: 'nv' }], 'victim', 3);
victim.text = victim.text.replace('    la a0, a0\n', '');
victim.dynamicEntries = [{ name: 'v', handler: 'v_handler', contexts: 1 }];
victim.text += `
v_handler:
    li a0, 77
    ret
`;
const newOwner = attacker(`
    li a0, 1
    call sys_wait              # until the victim is dead
${probe('m_nreg', 'xpc_register', ['xpc_entry_n', 1])}
    la t0, xpc_entry_n_id
    sd a0, 0(t0)
1:
    li a0, 1
    call sys_wait
    j 1b
`, strings([['m_nreg', 'new owner: xpc_register']]), [{ slot: 1, notification: 'nn' }], 'newowner', 3);
newOwner.dynamicEntries = [{ name: 'n', handler: 'n_handler', contexts: 1 }];
newOwner.text += `
n_handler:
    li a0, 1234
    ret
`;
const revokeAttack = attacker(`
    li a0, 0
    call xpc_call
${say('m_live')}
    li a0, 1
    call sys_signal            # the victim may exit now
    call sys_yield
    li a0, 0
    call xpc_call
${say('m_dead')}
    li a0, 2
    call sys_signal            # a new owner registers (and gets id 0 again)
    call sys_yield
    li a0, 0
    call xpc_call
${say('m_reused')}
${probe('m_own', 'xpc_register', ['xpc_entry_a', 1])}
    la t0, xpc_entry_a_id
    sd a0, 0(t0)
    mv a0, s1
    li a1, 0
    call sys_xpc_grant
${say('m_grant_dead')}
    la t0, xpc_entry_a_id      # the owner's explicit revoke: grant to itself, call, revoke, call
    ld a0, 0(t0)
    li a1, 3
    call sys_xpc_grant
${say('m_grant_self')}
    la t0, xpc_entry_a_id
    ld a0, 0(t0)
    call xpc_call
${say('m_call_granted')}
    la t0, xpc_entry_a_id
    ld a0, 0(t0)
    li a1, 3
    call sys_xpc_revoke
${say('m_revoke')}
    la t0, xpc_entry_a_id
    ld a0, 0(t0)
    call xpc_call
${say('m_call_revoked')}
    li a0, 0                   # an entry it does not own (id 0: the new owner's)
    li a1, 3
    call sys_xpc_revoke
${say('m_revoke_other')}
`, strings([
  ['m_live', 'xcall(victim entry, victim alive)'],
  ['m_dead', 'xcall(victim entry, victim dead)'],
  ['m_reused', 'xcall(id 0, reused by another owner)'],
  ['m_own', 'xpc_register(own entry)'],
  ['m_grant_dead', 'xpc_grant(own entry, to the dead victim)'],
  ['m_grant_self', 'xpc_grant(own entry, to itself)'],
  ['m_call_granted', 'xcall(own entry, granted)'],
  ['m_revoke', 'xpc_revoke(own entry, from itself)'],
  ['m_call_revoked', 'xcall(own entry, revoked)'],
  ['m_revoke_other', 'xpc_revoke(an entry it does not own)'],
]), [{ slot: 0, thread: 'victim' }, { slot: 1, notification: 'nv', badge: 1 }, { slot: 2, notification: 'nn', badge: 1 }, { slot: 3, thread: 'attacker' }]);
revokeAttack.dynamicEntries = [{ name: 'a', handler: 'a_handler', contexts: 1 }];
revokeAttack.text += `
a_handler:
    li a0, 42
    ret
`;
attacks.revoke = beside('attack-revoke', 'grants and thread capabilities outliving their object; x-entry id reuse', [victim, newOwner, revokeAttack], { notifications: ['nv', 'nn'] });

/**
 * Family 4: authority under migrating threads. A client calls a hostile server; inside the handler the
 * server tries to use the client's capabilities (notification, frame, thread), to register an x-entry
 * at a callback address the client handed it and grant it to itself through the client's thread
 * capability, to receive and reply on the client's behalf, and to allocate relay memory into the
 * client's seg-list. Every attempt must act as the server (whose slots are empty), never the client.
 */
const evilServer: ProgramSpec = {
  name: 'evilsvc',
  caps: [{ slot: 0, endpoint: 'idle_evil' }],
  text: `
main:
    li a0, 0
    call sys_recv
    ret
evil_handler:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a1                  # the client's callback address
${probe('m_sig', 'signal', [1])}
${probe('m_map', 'map_shared', [3, 0x40_0000])}
    mv a0, s0
    li a1, 1
    call sys_xpc_register
    mv s0, a0                  # an id (registered in the server's own space) or an error
    li a1, 2
    call sys_xpc_grant
${say('m_grant')}
    bltz s0, 1f
    mv a0, s0
    call xpc_call
${say('m_xcall')}
1:
${probe('m_recv', 'recv', [0])}
${probe('m_reply', 'reply', [0, 0])}
${probe('m_rr', 'reply_recv', [0, 0])}
${probe('m_relay', 'xpc_relay_alloc', [4096, RELAY_MIN, 0])}
    li a0, 0
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
`,
  data: strings([
    ['m_sig', 'server: signal(client slot 1)'],
    ['m_map', 'server: map_shared(client slot 3)'],
    ['m_grant', 'server: xpc_grant(entry at the client callback, client slot 2)'],
    ['m_xcall', 'server: xcall(that entry)'],
    ['m_recv', 'server: recv(inside the handler)'],
    ['m_reply', 'server: reply(inside the handler)'],
    ['m_rr', 'server: reply_recv(inside the handler)'],
    ['m_relay', 'server: relay_alloc(index 0)'],
  ]),
};
const trustingClient = attacker(`
    li a0, XENTRY_EVIL
    la a1, client_secret
    call xpc_call
${say('m_evil')}
    li t0, 0
    swapseg t0
    csrr a0, uxseg_len
${say('m_seg')}
    li a0, 1
    call sys_wait              # the client's own notification: only it may signal it
${say('m_word')}
`, strings([['m_evil', 'client: xcall(evil)'], ['m_seg', 'client: its seg-list entry 0 (length)'], ['m_word', 'client: wait']]),
[{ slot: 1, notification: 'cn', badge: 4 }, { slot: 2, thread: 'evilsvc' }, { slot: 3, frame: 'cf' }, { slot: 4, notification: 'cn', badge: 8 }], 'client', 1);
trustingClient.text += `
client_secret:                 # never to be run by anyone but the client
    la a0, m_broken
    call puts
    xret
`;
// The client signals itself with badge 8 before waiting, so wait returns 8 unless the server signalled too (12).
trustingClient.text = trustingClient.text.replace('    li a0, 1\n    call sys_wait', '    li a0, 4\n    call sys_signal\n    li a0, 1\n    call sys_wait');
attacks.authority = beside('attack-authority', 'a server handler tries to act with its client\'s authority', [evilServer, trustingClient], {
  endpoints: ['idle_evil'],
  notifications: ['cn'],
  frames: [{ name: 'cf', pages: 1 }],
  xentries: [{ name: 'evil', owner: 'evilsvc', handler: 'evil_handler', contexts: 1, grants: ['client'] }],
});

/**
 * Family 6: death in a call chain. Two clients call a one-context server entry that calls back into
 * the client; one client's callback faults, the other's exits. The server must get E_DEAD from its
 * callback and finish its handler (giving its context back), the dead clients' threads must never
 * run their code again, and a third client must then find the server's context free.
 */
const cbServer: ProgramSpec = {
  name: 'svc',
  caps: [{ slot: 0, endpoint: 'idle_svc' }],
  text: `
main:
    li a0, 0
    call sys_recv
    ret
cb_handler:                    # cb(a1 = callback entry id): xcall it, report, return its result
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s1, 8(sp)
    mv a0, a1
    call xpc_call
${say('m_cb')}
    ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 16
    ret
`,
  data: strings([['m_cb', 'svc: callback']]),
};
const dyingClient = (name: string, entry: string, handler: string) => {
  const p = attacker(`
    li a0, XENTRY_CB
    li a1, XENTRY_${entry.toUpperCase()}
    call xpc_call
${BROKEN}
`, '', [], name, 3);
  p.text += handler;
  p.data = strings([]);
  return p;
};
const cbUser = attacker(`
    li a0, XENTRY_CB
    li a1, XENTRY_FINE
    call xpc_call
${say('m_user')}
`, strings([['m_user', 'user: xcall(cb) after both clients died']]), [], 'user', 2);
cbUser.text += `
fine_handler:
    li a0, 7
    ret
`;
attacks.chainDeath = beside('attack-chain-death', 'clients dying inside a callback from a one-context server', [
  cbServer,
  dyingClient('client1', 'die1', `
die1_handler:
    ld t0, 8(zero)
    ret
`),
  dyingClient('client2', 'die2', `
die2_handler:
    li a0, 5
    call sys_exit
`),
  cbUser,
], {
  endpoints: ['idle_svc'],
  xentries: [
    { name: 'cb', owner: 'svc', handler: 'cb_handler', contexts: 1, grants: ['client1', 'client2', 'user'] },
    { name: 'die1', owner: 'client1', handler: 'die1_handler', contexts: 1, grants: ['svc'] },
    { name: 'die2', owner: 'client2', handler: 'die2_handler', contexts: 1, grants: ['svc'] },
    { name: 'fine', owner: 'user', handler: 'fine_handler', contexts: 1, grants: ['svc'] },
  ],
});

/**
 * Family 6, second shape: a process dies (another thread faults in its x-entry) while its own thread is
 * blocked inside a server's one-context handler. The thread finishes the server's handler when woken,
 * gives the context back, and stops instead of returning into the dead process.
 */
const holdServer: ProgramSpec = {
  name: 'svc',
  caps: [{ slot: 0, endpoint: 'idle_svc' }, { slot: 2, notification: 'go' }],
  text: `
main:
    li a0, 0
    call sys_recv
    ret
hold_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 2
    call sys_wait
    li a0, 77
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
};
const awayVictim = attacker(`
    li a0, XENTRY_HOLD
    call xpc_call
${BROKEN}
`, strings([]), [], 'away', 2);
awayVictim.text += `
crash_handler:
    sd zero, 0(zero)
    ret
`;
const killer = attacker(`
    li a0, XENTRY_CRASH
    call xpc_call
${say('m_crash')}
    li a0, 1
    call sys_signal            # wakes the dead process's thread inside svc
    call sys_yield
    li a0, 1
    call sys_signal            # pending for our own call
    li a0, XENTRY_HOLD
    call xpc_call
${say('m_hold')}
`, strings([['m_crash', 'killer: xcall(crash)'], ['m_hold', 'killer: xcall(hold) after the holder\'s process died']]), [{ slot: 1, notification: 'go', badge: 1 }], 'killer', 1);
attacks.awayDeath = beside('attack-away-death', 'a process dies while its thread is blocked inside a one-context server', [holdServer, awayVictim, killer], {
  endpoints: ['idle_svc'],
  notifications: ['go'],
  xentries: [
    { name: 'hold', owner: 'svc', handler: 'hold_handler', contexts: 1, grants: ['away', 'killer'] },
    { name: 'crash', owner: 'away', handler: 'crash_handler', contexts: 1, grants: ['killer'] },
  ],
});

/**
 * Family 7: nothing crosses a switch. A leaker leaves values in its user-visible XPC registers (a seg-mask
 * offset with no mask, an active relay segment, a mask) and calls a spy through the fastpath and the slow
 * path, and spins while a second spy spins too (timer switches). The spies must see their own home
 * state every time: no segment, no mask, no caller.
 */
const csrCheck = `
    csrr t0, xsegmask_off
    csrr t1, xsegmask_len
    or t0, t0, t1
    csrr t1, uxseg_va
    or t0, t0, t1
    csrr t1, uxseg_len
    or t0, t0, t1
    csrr t1, xcaller
    or t0, t0, t1
`;
const spy: ProgramSpec = {
  name: 'spy',
  caps: [{ slot: 0, endpoint: 'spyep' }],
  text: `
main:
    li a0, 0
    call sys_recv
1:
${csrCheck}
    beqz t0, 2f
${BROKEN}
2:
    li a0, 0
    li a1, 0
    call sys_reply_recv
    j 1b
`,
  data: strings([]),
};
const spinner = attacker(`
    li s0, 400000
1:
${csrCheck}
    beqz t0, 2f
${BROKEN}
    j 3f
2:
    addi s0, s0, -1
    bnez s0, 1b
3:
${probe('m_spin', 'getpid', [])}
`, strings([['m_spin', 'spinner: done, pid']]), [], 'spinner', 1);
const leaker = attacker(`
    li t0, 0x5ec
    csrw xsegmask_off, t0      # an offset with no mask: the fastpath runs
    li s0, 3
1:
    li a0, 0
    li a1, 0
    call sys_call
    addi s0, s0, -1
    bnez s0, 1b
${probe('m_relay', 'xpc_relay_alloc', [4096, RELAY_MIN, 0])}
    li t0, 0
    swapseg t0                 # a segment: the slow path
    li a0, 0
    li a1, 0
    call sys_call
    li t0, 8
    csrw xsegmask_len, t0      # and a mask
    li a0, 0
    li a1, 0
    call sys_call
${say('m_calls')}
    li s0, 400000              # spin with all of it set while the spinner spins
2:
    addi s0, s0, -1
    bnez s0, 2b
    csrr a0, uxseg_va
${say('m_mine')}
`, strings([['m_relay', 'leaker: relay_alloc'], ['m_calls', 'leaker: calls'], ['m_mine', 'leaker: its own segment still there at']]),
[{ slot: 0, endpoint: 'spyep', badge: 1 }], 'leaker', 1);
attacks.switchLeak = beside('attack-switch-leak', 'user-visible XPC registers across fastpath, slow path and timer switches', [spy, leaker, spinner], {
  endpoints: ['spyep'],
});

/**
 * Family 8: the edges docs/kernel.md states, each checked as written: a badge-0 signal wakes wait (with
 * 0), reply_recv with a bad receive slot still sends the reply (seL4), x-entry pcs must be 4-byte
 * aligned, a zero-length write, relay_alloc into a used entry and relay_free of an unused one.
 */
const edges = attacker(`
${probe('m_s0', 'signal', [1])}
${probe('m_w0', 'wait', [2])}
${probe('m_s4', 'signal', [3])}
${probe('m_s0b', 'signal', [1])}
${probe('m_w4', 'wait', [2])}
    la a0, xpc_entry_e
    addi a0, a0, 1
    li a1, 1
    call sys_xpc_register
${say('m_odd')}
    la a0, xpc_entry_e
    addi a0, a0, 2
    li a1, 1
    call sys_xpc_register
${say('m_half')}
${probe('m_aligned', 'xpc_register', ['xpc_entry_e', 1])}
${probe('m_grant_range', 'xpc_grant', [64, 0])}
${probe('m_w_empty', 'write', ['m_s0', 0])}
${probe('m_ra1', 'xpc_relay_alloc', [4096, RELAY_MIN, 3])}
${probe('m_ra2', 'xpc_relay_alloc', [4096, RELAY_MIN + 0x1000, 3])}
${probe('m_rf1', 'xpc_relay_free', [4])}
${probe('m_rf2', 'xpc_relay_free', [3])}
${probe('m_rf3', 'xpc_relay_free', [8])}
${probe('m_call', 'call', [4, 0])}
    mv a0, a2
${say('m_reply')}
${probe('m_nosys', 'getpid', [])}
    li a7, 18
    ecall
${say('m_17')}
    li a7, -1
    ecall
${say('m_neg')}
    li a0, 4                   # the rr server has exited: a call on its endpoint stays queued for ever
    li a1, 0
    call sys_call
${BROKEN}
`, strings([
  ['m_s0', 'signal(badge 0)'],
  ['m_w0', 'wait(after a badge-0 signal)'],
  ['m_s4', 'signal(badge 4)'],
  ['m_s0b', 'signal(badge 0 again)'],
  ['m_w4', 'wait(after badges 4 and 0)'],
  ['m_odd', 'xpc_register(odd pc)'],
  ['m_half', 'xpc_register(pc 2 mod 4)'],
  ['m_aligned', 'xpc_register(aligned pc)'],
  ['m_grant_range', 'xpc_grant(entry 64)'],
  ['m_w_empty', 'write(0 bytes)'],
  ['m_ra1', 'relay_alloc(entry 3)'],
  ['m_ra2', 'relay_alloc(entry 3 again)'],
  ['m_rf1', 'relay_free(unused entry 4)'],
  ['m_rf2', 'relay_free(entry 3)'],
  ['m_rf3', 'relay_free(entry 8)'],
  ['m_call', 'call(server answering with reply_recv on a bad slot)'],
  ['m_reply', 'the reply a2'],
  ['m_nosys', 'getpid'],
  ['m_17', 'syscall 18'],
  ['m_neg', 'syscall -1'],
]), [{ slot: 1, notification: 'n0' }, { slot: 2, notification: 'n0' }, { slot: 3, notification: 'n0', badge: 4 }, { slot: 4, endpoint: 'rr' }]);
edges.dynamicEntries = [{ name: 'e', handler: 'e_handler', contexts: 1 }];
edges.text += `
e_handler:
    ret
`;
const rrServer = attacker(`
    li a0, 0
    call sys_recv
    li a0, 9                   # receive slot 9 is empty: the reply still goes out
    li a1, 0
    li a2, 55
    call sys_reply_recv
${say('m_rr')}
`, strings([['m_rr', 'rr server: reply_recv(bad receive slot)']]), [{ slot: 0, endpoint: 'rr' }], 'rrserver', 3);
attacks.edges = beside('attack-edges', 'the edge cases docs/kernel.md states', [rrServer, edges], { endpoints: ['rr'], notifications: ['n0'] });
