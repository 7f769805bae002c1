// XPC systems: a call chain across three processes with a relay segment handed along and back, and the
// XPC-specific hostile behaviours (ungranted xcall, forged xret, exhausted contexts, a server dying
// in the middle of a call).

import type { ProgramSpec, SystemSpec } from '../system.js';
import { echoServer, roundTripClient } from './ipc.js';

const RELAY_VA = 0x1000_0000;

/** Client A: allocates a 2-page relay segment, fills it, xcalls B (which xcalls C) and checks the result. */
const chainClient: ProgramSpec = {
  name: 'client',
  text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 8192               # relay memory: seg-list entry 0, then make it the active segment
    li a1, ${RELAY_VA}
    li a2, 0
    call sys_xpc_relay_alloc
    bnez a0, 8f
    li t0, 0
    swapseg t0
    csrr t0, uxseg_len
    li t1, 8192
    bne t0, t1, 8f
    li t0, ${RELAY_VA}        # the message: bytes k & 255
    li t1, 0
1:
    add t2, t0, t1
    sb t1, 0(t2)
    addi t1, t1, 1
    li t3, 8192
    bltu t1, t3, 1b
    li s0, 0                  # round
2:
    li a0, XENTRY_B
    mv a1, s0
    call xpc_call
    li t0, 1000               # B returns C's result + 1000; C returns arg * 2 + the sum of bytes 0..15
    slli t1, s0, 1
    add t0, t0, t1
    li t1, 120                # 0+1+...+15
    slli t2, s0, 5            # B and C each add 1 to bytes 0..15 per round: +2 * 16 per round done
    add t1, t1, t2
    add t0, t0, t1
    addi t0, t0, 16           # B's increment happens before C reads
    bne a0, t0, 7f
    addi s0, s0, 1
    li t0, 100
    bltu s0, t0, 2b
    li t0, ${RELAY_VA}        # after 100 rounds byte k (k < 16) is k + 200
    lbu t1, 5(t0)
    li t2, 205
    bne t1, t2, 8f
    csrr t0, uxseg_len        # the segment came back
    li t1, 8192
    bne t0, t1, 8f
    li t0, 0x100              # seg-mask: hand over only [0x100, 0x200)
    csrw xsegmask_off, t0
    csrw xsegmask_len, t0
    li a0, XENTRY_PEEK
    call xpc_call
    li t0, ${RELAY_VA + 0x100}
    bne a0, t0, 8f
    csrr t0, uxseg_len
    li t1, 8192
    bne t0, t1, 8f
    li t0, ${RELAY_VA + 0x1000}  # write() reads the active relay segment too
    li t1, 0x0a79616c6572      # the bytes r e l a y newline
    sd t1, 0(t0)
    mv a0, t0
    li a1, 6
    call sys_write
    li t0, 6
    bne a0, t0, 8f
    la a0, ok
    call puts
    li a0, 0
    j 9f
7:
    mv s1, a0
    la a0, badres
    call puts
    mv a0, s1
    call put_dec
    call newline
8:
    la a0, bad
    call puts
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
  data: `
ok:
    .asciz "client: 100 xcall chains A->B->C with the relay segment handed along and back: ok\\n"
bad:
    .asciz "client: XPC chain FAILED\\n"
badres:
    .asciz "client: unexpected result "
`,
};

const serverB: ProgramSpec = {
  name: 'b',
  text: `
# handler(a0 = caller identity, a1 = round): bump bytes 0..15 of the segment, pass it on to C
b_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a1
    csrr t0, uxseg_va
    li t1, 0
1:
    add t2, t0, t1
    lbu t3, 0(t2)
    addi t3, t3, 1
    sb t3, 0(t2)
    addi t1, t1, 1
    li t3, 16
    bltu t1, t3, 1b
    li a0, XENTRY_C
    mv a1, s0
    call xpc_call
    addi a0, a0, 1000
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret

# peek(): prints a line from B's own data (the migrated thread writes from B's address space) and
# returns the start of the segment it was handed
peek_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, peek_msg
    call puts
    csrr a0, uxseg_va
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

main:
    li a0, 0                  # B serves only through its x-entries: it waits for ever
    call sys_recv
    ret
`,
  caps: [{ slot: 0, endpoint: 'idle_b' }],
  data: `
peek_msg:
    .asciz "b: peek called, printing from b's address space\\n"
`,
};

const serverC: ProgramSpec = {
  name: 'c',
  text: `
# handler(a0 = caller identity, a1 = round): sum bytes 0..15, bump them, return 2 * round + sum
c_handler:
    csrr t0, uxseg_va
    li t1, 0
    li t4, 0
1:
    add t2, t0, t1
    lbu t3, 0(t2)
    add t4, t4, t3
    addi t3, t3, 1
    sb t3, 0(t2)
    addi t1, t1, 1
    li t3, 16
    bltu t1, t3, 1b
    slli a0, a1, 1
    add a0, a0, t4
    ret

main:
    li a0, 0
    call sys_recv
    ret
`,
  caps: [{ slot: 0, endpoint: 'idle_c' }],
};

export const xpcChain: SystemSpec = {
  name: 'xpc-chain',
  description: 'XPC call chain across three processes with a relay segment handed along and back',
  endpoints: ['idle_b', 'idle_c'],
  programs: [chainClient, serverB, serverC],
  xentries: [
    { name: 'b', owner: 'b', handler: 'b_handler', contexts: 2, grants: ['client'] },
    { name: 'c', owner: 'c', handler: 'c_handler', contexts: 2, grants: ['b'] },
    { name: 'peek', owner: 'b', handler: 'peek_handler', contexts: 1, grants: ['client'] },
  ],
};

/**
 * A client's verdict: falling through prints the string at `ok` and returns 0; a branch to `8f` prints
 * the one at `bad` and returns 1 (the exit code the tests read).
 */
const VERDICT = `    la a0, ok
    call puts
    li a0, 0
    j 9f
8:
    la a0, bad
    call puts
    li a0, 1
9:
`;

/** A server process that only serves x-entries (its own thread waits for ever). */
function xserver(name: string, handlers: string, caps: ProgramSpec['caps'] = []): ProgramSpec {
  return {
    name,
    caps: [{ slot: 0, endpoint: `idle_${name}` }, ...caps],
    text: `
${handlers}
main:
    li a0, 0
    call sys_recv
    ret
`,
  };
}

function xclient(name: string, body: string, data: string, prio = 1, caps: ProgramSpec['caps'] = []): ProgramSpec {
  return {
    name,
    prio,
    caps,
    text: `
main:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
${body}
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret
`,
    data,
  };
}

const say = (label: string) => `
    mv s1, a0
    la a0, ${label}
    call puts
    mv a0, s1
    call put_dec
    call newline
    mv a0, s1
`;

/** A granted client making `n` calls of XENTRY_INC and checking each result (the survivor). */
const incUser = (n: number) => xclient('user', `
    li s0, 0
1:
    li a0, XENTRY_INC
    mv a1, s0
    call xpc_call
    addi t0, s0, 1
    bne a0, t0, 8f
    addi s0, s0, 1
    li t0, ${n}
    bltu s0, t0, 1b
${VERDICT}`, `
ok:
    .asciz "user: ${n} xcalls ok\\n"
bad:
    .asciz "user: xcall FAILED\\n"
`);

const incHandler = `
inc_handler:
    addi a0, a1, 1
    ret
`;

export const xpcHostile: Record<string, SystemSpec> = {
  ungranted: {
    name: 'xpc-ungranted',
    description: 'an xcall of an entry the caller was not granted, and of an id out of range, is refused',
    endpoints: ['idle_svc', 'ep'],
    programs: [
      xserver('svc', incHandler),
      incUser(50),
      echoServer(),
      roundTripClient('survivor', 200, 9),
      xclient('offender', `
    li a0, XENTRY_INC
    li a1, 1
    call xpc_call
${say('m_ungranted')}
    li a0, 1000
    call xpc_call
${say('m_range')}
    li a0, 0
`, `
m_ungranted:
    .asciz "offender: xcall(not granted) -> "
m_range:
    .asciz "offender: xcall(id 1000) -> "
`, 2),
    ],
    xentries: [{ name: 'inc', owner: 'svc', handler: 'inc_handler', contexts: 2, grants: ['user'] }],
  },
  forgedXret: {
    name: 'xpc-forged-xret',
    description: 'an xret with no call to return from kills the process',
    endpoints: ['idle_svc', 'ep'],
    programs: [
      xserver('svc', incHandler),
      incUser(50),
      echoServer(),
      roundTripClient('survivor', 200, 9),
      xclient('offender', `
    xret
    li a0, 0
`, '', 2),
    ],
    xentries: [{ name: 'inc', owner: 'svc', handler: 'inc_handler', contexts: 2, grants: ['user', 'offender'] }],
  },
  exhaust: {
    name: 'xpc-exhaust',
    description: 'a server with one XPC context: a second concurrent xcall is refused with E_BUSY',
    endpoints: ['idle_svc', 'ep'],
    notifications: ['go'],
    programs: [
      xserver('svc', `
# hold(): keeps the only context busy until the notification in svc's slot 2 is signalled (a handler
# acts with its own process's capabilities, never its caller's)
hold_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 2
    call sys_wait
    li a0, 77
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`, [{ slot: 2, notification: 'go' }]),
      xclient('holder', `
    li a0, XENTRY_HOLD
    call xpc_call
${say('m_holder')}
    li t0, 77
    sub a0, a0, t0
`, `
m_holder:
    .asciz "holder: xcall -> "
`, 2, [{ slot: 2, notification: 'go' }]),
      xclient('offender', `
    li a0, XENTRY_HOLD
    call xpc_call
${say('m_busy')}
    li a0, 3
    call sys_signal
    li a0, 0
`, `
m_busy:
    .asciz "offender: xcall(no free context) -> "
`, 1, [{ slot: 3, notification: 'go', badge: 1 }]),
      echoServer(),
      roundTripClient('survivor', 200, 9),
    ],
    xentries: [{ name: 'hold', owner: 'svc', handler: 'hold_handler', contexts: 1, grants: ['holder', 'offender'] }],
  },
  serverDies: {
    name: 'xpc-server-dies',
    description: 'callees that fault in the middle of a call are killed; their callers get E_DEAD',
    endpoints: ['idle_svc', 'idle_mid', 'ep'],
    programs: [
      xserver('svc', `
crash_handler:
    li t0, KERNEL_VA
    ld a0, 0(t0)
    ret
`),
      xserver('mid', `
# mid(): calls svc's crashing entry; returns what that call returned, + 1000
mid_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, XENTRY_CRASH
    call xpc_call
    addi a0, a0, 1000
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`),
      xclient('caller', `
    li a0, XENTRY_MID
    call xpc_call
${say('m_chain')}
    li a0, XENTRY_CRASH
    call xpc_call
${say('m_after')}
    li a0, 0
`, `
m_chain:
    .asciz "caller: xcall(mid -> crashing svc) -> "
m_after:
    .asciz "caller: xcall(dead svc) -> "
`, 2),
      echoServer(),
      roundTripClient('survivor', 200, 9),
    ],
    xentries: [
      { name: 'crash', owner: 'svc', handler: 'crash_handler', contexts: 2, grants: ['mid', 'caller'] },
      { name: 'mid', owner: 'mid', handler: 'mid_handler', contexts: 2, grants: ['caller'] },
    ],
  },
  misuse: {
    name: 'xpc-misuse',
    description: 'a bad seg-mask, swapseg out of range and link-stack exhaustion are refused with errors',
    endpoints: ['idle_svc', 'ep'],
    programs: [
      xserver('svc', `${incHandler}
# rec(depth): nests xcalls depth deep, alternating two entries; returns 0 or the first error
rec_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 0
    beqz a1, 1f
    andi t0, a1, 1
    li a0, XENTRY_REC1
    beqz t0, 2f
    li a0, XENTRY_REC2
2:
    addi a1, a1, -1
    call xpc_call
1:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`),
      xclient('offender', `
    li t0, 16                 # a seg-mask with no relay segment to narrow
    csrw xsegmask_len, t0
    li a0, XENTRY_INC
    li a1, 1
    call xpc_call
${say('m_mask')}
    csrw xsegmask_len, zero
    li t0, 99
    li a0, 0
    swapseg t0                # refused: the kernel puts the error in a0 and skips the instruction
${say('m_swapseg')}
    li a0, XENTRY_REC1
    li a1, 40
    call xpc_call
${say('m_deep')}
    li a0, XENTRY_REC1
    li a1, 20
    call xpc_call
${say('m_ok')}
    li a0, KERNEL_VA          # x-entries the program registers itself
    li a1, 1
    call sys_xpc_register
${say('m_reg_kernel')}
    la a0, xpc_entry_self
    li a1, 0
    call sys_xpc_register
${say('m_reg_zero')}
    li a0, XENTRY_INC
    li a1, 5
    call sys_xpc_grant
${say('m_grant_foreign')}
    la a0, xpc_entry_self
    li a1, 2
    call sys_xpc_register
    mv s0, a0
    la t0, xpc_entry_self_id
    sd a0, 0(t0)
    li a1, 5
    call sys_xpc_grant
${say('m_grant')}
    mv a0, s0
    li a1, 41
    call xpc_call
${say('m_self')}
    li a0, 0
`, `
m_reg_kernel:
    .asciz "offender: xpc_register(kernel pc) -> "
m_reg_zero:
    .asciz "offender: xpc_register(0 contexts) -> "
m_grant_foreign:
    .asciz "offender: xpc_grant(an entry of svc) -> "
m_grant:
    .asciz "offender: xpc_grant(its own entry, to itself) -> "
m_self:
    .asciz "offender: xcall(its own entry, 41) -> "

m_mask:
    .asciz "offender: xcall(seg-mask without a segment) -> "
m_swapseg:
    .asciz "offender: swapseg(99) -> "
m_deep:
    .asciz "offender: xcall 40 deep -> "
m_ok:
    .asciz "offender: xcall 20 deep -> "
`, 2, [{ slot: 5, thread: 'offender' }]),
      echoServer(),
      roundTripClient('survivor', 200, 9),
    ],
    xentries: [
      { name: 'inc', owner: 'svc', handler: 'inc_handler', contexts: 2, grants: ['offender'] },
      { name: 'rec1', owner: 'svc', handler: 'rec_handler', contexts: 16, grants: ['offender', 'svc'] },
      { name: 'rec2', owner: 'svc', handler: 'rec_handler', contexts: 16, grants: ['svc'] },
    ],
  },
  othersInside: {
    name: 'xpc-dies-with-others-inside',
    description: 'a callee dies while another thread is blocked inside it: both callers get E_DEAD at once',
    endpoints: ['idle_svc', 'ep'],
    notifications: ['never'],
    programs: [
      xserver('svc', `
# hold(): waits on the notification in svc's slot 2 (nobody signals it)
hold_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 2
    call sys_wait
    li a0, 77
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
crash_handler:
    sd zero, 0(zero)
    ret
`, [{ slot: 2, notification: 'never' }]),
      xclient('holder', `
    li a0, XENTRY_HOLD
    call xpc_call
${say('m_holder')}
    li a0, 0
`, `
m_holder:
    .asciz "holder: xcall(blocked inside svc when it dies) -> "
`, 2, [{ slot: 2, notification: 'never' }]),
      xclient('crasher', `
    li a0, XENTRY_CRASH
    call xpc_call
${say('m_crash')}
    li a0, 0
`, `
m_crash:
    .asciz "crasher: xcall(crash) -> "
`, 1),
      echoServer(),
      roundTripClient('survivor', 200, 9),
    ],
    xentries: [
      { name: 'hold', owner: 'svc', handler: 'hold_handler', contexts: 1, grants: ['holder'] },
      { name: 'crash', owner: 'svc', handler: 'crash_handler', contexts: 1, grants: ['crasher'] },
    ],
  },
};

/** IPC: a server that exits while its caller waits for the reply; the caller gets E_DEAD. */
export const ipcServerDies: SystemSpec = {
  name: 'ipc-server-dies',
  description: 'a server exits without replying; the blocked caller gets E_DEAD',
  endpoints: ['ep', 'ep2'],
  programs: [
    {
      name: 'quitter',
      caps: [{ slot: 0, endpoint: 'ep2' }],
      text: `
main:
    li a0, 0
    call sys_recv
    li a0, 3                  # exit without replying
    call sys_exit
`,
    },
    xclient('caller', `
    li a0, 0
    li a1, 8
    call sys_call
${say('m_dead')}
    li a0, 0
`, `
m_dead:
    .asciz "caller: call(server exits) -> "
`, 1, [{ slot: 0, endpoint: 'ep2', badge: 1 }]),
    echoServer(),
    roundTripClient('survivor', 200, 9),
  ],
};

// The misuse offender also registers an x-entry of its own at run time.
{
  const off = xpcHostile.misuse.programs[1];
  off.dynamicEntries = [{ name: 'self', handler: 'self_handler', contexts: 2 }];
  off.text += `
self_handler:
    addi a0, a1, 1
    ret
`;
}

/**
 * IPC and XPC mixed on one thread: state saved at an earlier kernel entry (a relay segment held, an
 * xcall in progress) must not come back after the thread has changed it at user level and blocked
 * through the fastpath.
 */
export const xpcIpcMix: SystemSpec = {
  name: 'xpc-ipc-mix',
  description: 'a thread mixing xcalls, relay segments and IPC (fastpath, long messages inside an xcall) keeps the right state',
  endpoints: ['ep', 'idle_svc', 'ep2'],
  programs: [
    echoServer('echo', 1, 'ep2'),
    {
      name: 'longreply',
      caps: [{ slot: 0, endpoint: 'ep' }],
      text: `
# Replies 40 bytes (a long message: the reply takes the slow path) whatever it was sent.
main:
    li a0, 0
    call sys_recv
1:
    li a0, 0
    li a1, 40
    call sys_reply_recv
    j 1b
`,
    },
    xserver('svc', `
# longcall(): a long-message call made inside the xcall, through the IPC buffer of svc's space (svc's
# capability slot 1: a handler acts with its own process's capabilities): returns 1 when the 64 bytes
# came back each + 1
longcall_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    li t0, USER_IPC_BUFFER
    li t1, 0
1:
    add t2, t0, t1
    sb t1, 0(t2)
    addi t1, t1, 1
    li t3, 64
    bltu t1, t3, 1b
    li a0, 1
    li a1, 64
    call sys_call
    bnez a0, 8f
    li t0, USER_IPC_BUFFER
    li t1, 0
2:
    add t2, t0, t1
    lbu t3, 0(t2)
    addi t4, t1, 1
    bne t3, t4, 8f
    addi t1, t1, 1
    li t3, 64
    bltu t1, t3, 2b
    li a0, 1
    j 9f
8:
    li a0, 0
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
pid_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    call sys_getpid           # a slow-path system call made inside the xcall
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`, [{ slot: 1, endpoint: 'ep2', badge: 2 }]),
    xclient('client', `
    li a0, 4096
    li a1, ${RELAY_VA}
    li a2, 0
    call sys_xpc_relay_alloc
    bnez a0, 8f
    li s0, 0
    swapseg s0                # holding a segment ...
    call sys_getpid           # ... when the kernel saves the XPC state
    swapseg s0                # given back without entering the kernel
    li a0, 0
    li a1, 8
    call sys_call             # fastpath call, slow-path (long) reply
    bnez a0, 8f
    csrr t0, uxseg_len
    bnez t0, 8f               # no segment came back
    swapseg s0
    csrr t0, uxseg_len
    li t1, 4096
    bne t0, t1, 8f            # the segment is where it was left
    swapseg s0
    li a0, XENTRY_PID
    call xpc_call             # the kernel saves the state while this thread is inside svc
    li t0, 3
    bne a0, t0, 8f            # getpid inside svc names the calling thread's process (client, 3)
    li a0, 0
    li a1, 8
    call sys_call             # then the same fastpath call / slow reply: must come back home
    bnez a0, 8f
    li a0, XENTRY_LONGCALL
    call xpc_call             # long-message IPC from inside an xcall
    li t0, 1
    bne a0, t0, 8f
${VERDICT}`, `
ok:
    .asciz "client: XPC state survives fastpath IPC: ok\\n"
bad:
    .asciz "client: XPC state after fastpath IPC: WRONG\\n"
`, 1, [{ slot: 0, endpoint: 'ep', badge: 1 }, { slot: 1, endpoint: 'ep2', badge: 2 }]),
  ],
  xentries: [
    { name: 'pid', owner: 'svc', handler: 'pid_handler', contexts: 1, grants: ['client'] },
    { name: 'longcall', owner: 'svc', handler: 'longcall_handler', contexts: 1, grants: ['client'] },
  ],
};

/** A callee that calls exit inside an xcall ends its own process; the caller gets E_DEAD. */
export const xpcCalleeExits: SystemSpec = {
  name: 'xpc-callee-exits',
  description: 'exit called by a handler inside an xcall ends the callee process; the caller gets E_DEAD',
  endpoints: ['idle_svc'],
  programs: [
    xserver('svc', `
quit_handler:
    li a0, 5
    call sys_exit
`),
    xclient('caller', `
    li a0, XENTRY_QUIT
    call xpc_call
${say('m_quit')}
    li a0, XENTRY_QUIT
    call xpc_call
${say('m_again')}
    li a0, 0
`, `
m_quit:
    .asciz "caller: xcall(callee exits) -> "
m_again:
    .asciz "caller: xcall(exited callee) -> "
`),
  ],
  xentries: [{ name: 'quit', owner: 'svc', handler: 'quit_handler', contexts: 1, grants: ['caller'] }],
};

/** Timer preemption while a thread runs inside a callee: the XPC state is saved and restored with it. */
export const xpcPreempt: SystemSpec = {
  name: 'xpc-preempt',
  description: 'threads preempted inside xcalls (relay segment held) resume in the right space with the right segment',
  endpoints: ['idle_svc'],
  programs: [
    xserver('svc', `
# slow(n): spins across several time slices, checks the segment it was handed is still there, returns n * 2
slow_handler:
    li t0, 400000
1:
    addi t0, t0, -1
    bnez t0, 1b
    csrr t0, uxseg_len
    li t1, 4096
    bne t0, t1, 2f
    slli a0, a1, 1
    ret
2:
    li a0, -100
    ret
`),
    ...['one', 'two'].map((n, i) => xclient(`client_${n}`, `
    li a0, 4096
    li a1, ${RELAY_VA + i * 0x100000}
    li a2, 0
    call sys_xpc_relay_alloc
    bnez a0, 8f
    li t0, 0
    swapseg t0
    li s0, 0
1:
    li a0, XENTRY_SLOW
    addi a1, s0, ${10 * (i + 1)}
    call xpc_call
    addi t0, s0, ${10 * (i + 1)}
    slli t0, t0, 1
    bne a0, t0, 8f
    addi s0, s0, 1
    li t0, 3
    bltu s0, t0, 1b
    csrr t0, uxseg_len
    li t1, 4096
    bne t0, t1, 8f
${VERDICT}`, `
ok:
    .asciz "client_${n}: 3 slow xcalls across time slices: ok\\n"
bad:
    .asciz "client_${n}: slow xcalls: WRONG\\n"
`)),
  ],
  xentries: [{ name: 'slow', owner: 'svc', handler: 'slow_handler', contexts: 2, grants: ['client_one', 'client_two'] }],
};

// ---------------------------------------------------------------------------------------------------
// The XPC calling convention (docs/kernel.md, "XPC ABI"), checked register by register around an
// inline xcall: a normal return keeps sp, ra, gp, tp and s0..s11; a callee that dies (here inside a
// nested call into its own process, and by overflowing a handler stack into the guard page) leaves the
// caller a0 = E_DEAD, its own sp and ra, and zero in every other register (gp and tp too: the dead
// callee may have changed them, and nothing of its state reaches the caller).

const S_REGS = Array.from({ length: 12 }, (_, k) => `s${k}`);
const T_REGS = Array.from({ length: 7 }, (_, k) => `t${k}`);
const A_REGS = Array.from({ length: 7 }, (_, k) => `a${k + 1}`);
/** Load `regs` with distinct values base + k. */
const fill = (regs: string[], base: number) => regs.map((r, k) => `    li ${r}, ${base + k}`).join('\n');
/** Branch to `fail_<tag>_<reg>` unless each register holds base + k (or zero when base is null). */
const expectRegs = (tag: string, regs: string[], base: number | null, scratch = 't0') =>
  regs.map((r, k) => base === null ? `    bnez ${r}, fail_${tag}_${r}` : `    li ${scratch}, ${base + k}\n    bne ${r}, ${scratch}, fail_${tag}_${r}`).join('\n');
const failLabels = (tag: string, regs: string[]) => regs.map((r) => `fail_${tag}_${r}:\n    la a1, m_reg_${r}\n    j abi_fail`).join('\n');
const regNames = (regs: string[]) => regs.map((r) => `m_reg_${r}:\n    .asciz "${r}"`).join('\n');

const abiClient: ProgramSpec = {
  name: 'abi',
  prio: 2,
  text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    la t0, saved_sp
    sd sp, 0(t0)
    li gp, 0x6770
    li tp, 0x7470
# 1. a normal return: the handler uses every s-register (saving them, as any function) and t/a registers
${fill(S_REGS, 0x5300)}
    la ra, ra_mark1
    li a0, XENTRY_CLOBBER
    li a1, 5
    xcall a0
    li t0, 47
    bne a0, t0, fail_n_a0
    la t0, ra_mark1
    bne ra, t0, fail_n_ra
    la t0, saved_sp
    ld t0, 0(t0)
    bne sp, t0, fail_n_sp
    li t0, 0x6770
    bne gp, t0, fail_n_gp
    li t0, 0x7470
    bne tp, t0, fail_n_tp
${expectRegs('n', S_REGS, 0x5300)}
    la a0, m_normal
    call puts
# 2. the callee dies inside a nested call into its own process: everything but a0, sp, ra is zero
${fill(S_REGS, 0x1100)}
${fill(T_REGS, 0x2200)}
${fill(A_REGS, 0x3300)}
    la ra, ra_mark2
    li a0, XENTRY_DIE_OUTER
    xcall a0
${expectRegs('d', ['gp', 'tp', ...T_REGS, ...A_REGS, ...S_REGS], null)}
    li t0, E_DEAD
    bne a0, t0, fail_d_a0
    la t0, ra_mark2
    bne ra, t0, fail_d_ra
    la t0, saved_sp
    ld t0, 0(t0)
    bne sp, t0, fail_d_sp
    la a0, m_dead
    call puts
# 3. the handler's stack overflows into the guard page under its context
    la ra, ra_mark3
    li a0, XENTRY_OVERFLOW
    xcall a0
    li t0, E_DEAD
    bne a0, t0, fail_o_a0
    la t0, ra_mark3
    bne ra, t0, fail_o_ra
    la t0, saved_sp
    ld t0, 0(t0)
    bne sp, t0, fail_o_sp
    la a0, m_overflow
    call puts
    li a0, 0
    j abi_out
${failLabels('n', ['a0', 'ra', 'sp', 'gp', 'tp', ...S_REGS])}
${failLabels('d', ['a0', 'ra', 'sp', 'gp', 'tp', ...T_REGS, ...A_REGS, ...S_REGS])}
${failLabels('o', ['a0', 'ra', 'sp'])}
abi_fail:                     # a1 = the register that was wrong
    la t0, saved_sp
    ld sp, 0(t0)
    mv s0, a1
    la a0, m_fail
    call puts
    mv a0, s0
    call puts
    call newline
    li a0, 1
abi_out:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
ra_mark1:
ra_mark2:
ra_mark3:
    j ra_mark1                # never executed: ra values to compare with
`,
  data: `
saved_sp:
    .quad 0
m_normal:
    .asciz "abi: a normal xcall return keeps sp, ra, gp, tp, s0-s11: ok\\n"
m_dead:
    .asciz "abi: E_DEAD through a nested call leaves sp, ra and zeroes the rest: ok\\n"
m_overflow:
    .asciz "abi: a handler stack overflow into the guard page gives E_DEAD with sp and ra: ok\\n"
m_fail:
    .asciz "abi: wrong register "
${regNames(['a0', 'ra', 'sp', 'gp', 'tp', ...T_REGS, ...A_REGS, ...S_REGS])}
`,
};

const abiServers: ProgramSpec[] = [
  xserver('abisvc', `
# clobber(a1): an ordinary function that uses every s-register, and t/a registers; returns a1 + 42
clobber_handler:
    addi sp, sp, -96
${S_REGS.map((r, k) => `    sd ${r}, ${8 * k}(sp)`).join('\n')}
${fill(S_REGS, 0x7700)}
${fill(T_REGS, 0x7800)}
    addi a0, a1, 42
${fill(A_REGS.slice(1), 0x7900)}
${S_REGS.map((r, k) => `    ld ${r}, ${8 * k}(sp)`).join('\n')}
    addi sp, sp, 96
    ret
`),
  xserver('dier', `
# die_outer(): trashes its s-registers and calls its own process again (die_inner), which crashes
die_outer_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
${fill(S_REGS, 0x4400)}
    li a0, XENTRY_DIE_INNER
    call xpc_call
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
die_inner_handler:
    addi sp, sp, -32
${fill(S_REGS, 0x4500)}
${fill(T_REGS, 0x4600)}
    li gp, 0x4700             # a hostile callee changes gp and tp too before it dies
    li tp, 0x4701
    li t0, KERNEL_VA
    ld t1, 0(t0)              # load page fault: the process dies
    ret
`),
  xserver('deep', `
# overflow(): recurses until the stack runs into the guard page under the context
overflow_handler:
    addi sp, sp, -512
    sd ra, 0(sp)
    j overflow_handler
`),
];

/** An offender that finds both contexts of an entry taken (the two holders wait inside it): E_BUSY. */
const holder2 = (name: string, note: string) => xclient(name, `
    li a0, XENTRY_HOLD2
    li a1, ${note === 'go1' ? 2 : 3}                  # svc's slot of ${note}
    call xpc_call
${say(`m_${name}`)}
    li t0, 77
    sub a0, a0, t0
`, `
m_${name}:
    .asciz "${name}: xcall -> "
`, 2, [{ slot: 2, notification: note }]);

xpcHostile.abi = {
  name: 'xpc-abi',
  description: 'the XPC calling convention register by register: normal return, E_DEAD through a nested call, handler stack overflow',
  endpoints: ['idle_abisvc', 'idle_dier', 'idle_deep', 'ep'],
  programs: [...abiServers, abiClient, echoServer(), roundTripClient('survivor', 200, 9)],
  xentries: [
    { name: 'clobber', owner: 'abisvc', handler: 'clobber_handler', contexts: 1, grants: ['abi'] },
    { name: 'die_outer', owner: 'dier', handler: 'die_outer_handler', contexts: 1, grants: ['abi'] },
    { name: 'die_inner', owner: 'dier', handler: 'die_inner_handler', contexts: 1, grants: ['dier'] },
    { name: 'overflow', owner: 'deep', handler: 'overflow_handler', contexts: 2, grants: ['abi'] },
  ],
};

xpcHostile.exhaustMany = {
  name: 'xpc-exhaust-many',
  description: 'a server with two XPC contexts, both held: a third concurrent xcall is refused with E_BUSY',
  endpoints: ['idle_svc', 'ep'],
  notifications: ['go1', 'go2'],
  programs: [
    xserver('svc', `
# hold(slot): keeps a context busy until the notification in svc's slot a1 is signalled
hold_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv a0, a1
    call sys_wait
    li a0, 77
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`, [{ slot: 2, notification: 'go1' }, { slot: 3, notification: 'go2' }]),
    holder2('holder1', 'go1'),
    holder2('holder2', 'go2'),
    xclient('offender', `
    li a0, XENTRY_HOLD2
    call xpc_call
${say('m_busy')}
    li a0, 3
    call sys_signal
    li a0, 4
    call sys_signal
    li a0, 0
`, `
m_busy:
    .asciz "offender: xcall(both contexts taken) -> "
`, 1, [{ slot: 3, notification: 'go1', badge: 1 }, { slot: 4, notification: 'go2', badge: 1 }]),
    echoServer(),
    roundTripClient('survivor', 200, 9),
  ],
  xentries: [{ name: 'hold2', owner: 'svc', handler: 'hold_handler', contexts: 2, grants: ['holder1', 'holder2', 'offender'] }],
};
