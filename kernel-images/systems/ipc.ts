// IPC systems: call/reply_recv round trips with content checks, long messages through the IPC buffer,
// badges, notifications, preemption of CPU-bound processes through a shared frame.

import type { ProgramSpec, SystemSpec } from '../system.js';

/** A server on slot 0: replies a2+1, a3+2, a4+3, a5 = badge; long messages come back with every byte + 1. */
export const echoServer = (name = 'server', prio = 1, endpoint = 'ep'): ProgramSpec => ({
  name,
  prio,
  caps: [{ slot: 0, endpoint }],
  text: `
main:
    li a0, 0
    call sys_recv
1:
    mv t5, a0                 # badge
    li t0, 32
    bleu a1, t0, 2f
    li t1, USER_IPC_BUFFER    # long message: every byte + 1
    add t2, t1, a1
3:
    lbu t3, 0(t1)
    addi t3, t3, 1
    sb t3, 0(t1)
    addi t1, t1, 1
    bltu t1, t2, 3b
2:
    addi a2, a2, 1
    addi a3, a3, 2
    addi a4, a4, 3
    mv a5, t5
    li a0, 0
    call sys_reply_recv
    j 1b
`,
});

/** A client doing `rounds` register-only round trips on slot 0 and checking every reply. */
export const roundTripClient = (name: string, rounds: number, badge: number, prio = 1): ProgramSpec => ({
  name,
  prio,
  caps: [{ slot: 0, endpoint: 'ep', badge }],
  text: `
main:
    addi sp, sp, -32
    sd ra, 0(sp)
    li s0, 0                  # round
    li s1, 0                  # errors
    li s2, ${rounds}
1:
    li a0, 0
    li a1, 32
    mv a2, s0
    slli a3, s0, 1
    add a3, a3, s0
    not a4, s0
    li a5, 12345
    call sys_call
    bnez a0, 8f
    li t0, 32
    bne a1, t0, 8f
    addi t0, s0, 1
    bne a2, t0, 8f
    slli t0, s0, 1
    add t0, t0, s0
    addi t0, t0, 2
    bne a3, t0, 8f
    not t0, s0
    addi t0, t0, 3
    bne a4, t0, 8f
    li t0, ${badge}
    bne a5, t0, 8f
    j 9f
8:
    addi s1, s1, 1
9:
    addi s0, s0, 1
    bltu s0, s2, 1b
    la a0, msg1
    call puts
    mv a0, s0
    call put_dec
    la a0, msg2
    call puts
    mv a0, s1
    call put_dec
    call newline
    mv a0, s1
    ld ra, 0(sp)
    addi sp, sp, 32
    ret
`,
  data: `
msg1:
    .asciz "${name}: round trips "
msg2:
    .asciz ", errors "
`,
});

export const pingpong: SystemSpec = {
  name: 'pingpong',
  description: 'a client makes 2000 call/reply_recv round trips with an echo server, checking every reply',
  endpoints: ['ep'],
  programs: [echoServer(), roundTripClient('client', 2000, 7)],
};

export const badges: SystemSpec = {
  name: 'badges',
  description: 'three clients with different badges on one endpoint; each reply carries the caller badge',
  endpoints: ['ep'],
  programs: [echoServer('server', 2), roundTripClient('alpha', 200, 0x11), roundTripClient('beta', 200, 0x22), roundTripClient('gamma', 200, 0x33)],
};

const XOR_KEY = '0x5a5a5a5a5a5a5a5a';

/** Long messages: every length from 0 to 4096 bytes, word-patterned, transformed by the server, checked. */
export const longmsg: SystemSpec = {
  name: 'longmsg',
  description: 'messages of every length 0..4096 through the IPC buffers, checked word by word both ways',
  endpoints: ['ep'],
  programs: [
    {
      name: 'server',
      caps: [{ slot: 0, endpoint: 'ep' }],
      text: `
# Replies with the same length; the message words (rounded up to 8 bytes) XORed with XOR_KEY.
main:
    li a0, 0
    call sys_recv
1:
    li t0, 32
    bleu a1, t0, 3f
    li t1, USER_IPC_BUFFER
    addi t2, a1, 7
    andi t2, t2, -8
    add t2, t2, t1
    li t4, ${XOR_KEY}
2:
    ld t3, 0(t1)
    xor t3, t3, t4
    sd t3, 0(t1)
    addi t1, t1, 8
    bltu t1, t2, 2b
3:
    li a0, 0
    call sys_reply_recv
    j 1b
`,
    },
    {
      name: 'client',
      caps: [{ slot: 0, endpoint: 'ep', badge: 5 }],
      text: `
# word j of a message of length s0: (s0 << 48) ^ (j * 0x9e3779b97f4a7c15)
send_one:
    addi sp, sp, -16
    sd ra, 0(sp)
    li t1, USER_IPC_BUFFER
    li t5, 0x9e3779b97f4a7c15
    slli t6, s0, 48
    li t0, 0                  # j
    addi t2, s0, 7
    srli t2, t2, 3            # words
1:
    bgeu t0, t2, 2f
    mul t3, t0, t5
    xor t3, t3, t6
    slli t4, t0, 3
    add t4, t4, t1
    sd t3, 0(t4)
    addi t0, t0, 1
    j 1b
2:
    li a0, 0
    mv a1, s0
    li a2, 1
    li a3, 2
    li a4, 3
    li a5, 4
    call sys_call
    bnez a0, 8f
    bne a1, s0, 8f
    li t0, 32
    bleu s0, t0, 9f           # register-only message: nothing in the buffer
    li t1, USER_IPC_BUFFER
    li t5, 0x9e3779b97f4a7c15
    slli t6, s0, 48
    li a6, ${XOR_KEY}
    li t0, 0
    srli t2, s0, 3            # whole words
3:
    bgeu t0, t2, 4f
    mul t3, t0, t5
    xor t3, t3, t6
    xor t3, t3, a6
    slli t4, t0, 3
    add t4, t4, t1
    ld t4, 0(t4)
    bne t3, t4, 8f
    addi t0, t0, 1
    j 3b
4:
    andi t2, s0, 7            # the last partial word: its low (len % 8) bytes
    beqz t2, 9f
    mul t3, t0, t5
    xor t3, t3, t6
    xor t3, t3, a6
    slli t4, t0, 3
    add t4, t4, t1
    ld t4, 0(t4)
    xor t3, t3, t4
    slli t2, t2, 3
    li t4, 64
    sub t2, t4, t2
    sll t3, t3, t2            # keep only the low bytes that belong to the message
    bnez t3, 8f
    j 9f
8:
    addi s1, s1, 1
    la a0, bad
    call puts
    mv a0, s0
    call put_dec
    call newline
9:
    addi s2, s2, 1
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li s1, 0                  # errors
    li s2, 0                  # messages
    li s0, 0
1:
    call send_one
    addi s0, s0, 1
    li t0, MAX_MESSAGE
    bleu s0, t0, 1b
    li a0, 0                  # too long: refused
    li a1, MAX_MESSAGE + 1
    call sys_call
    li t0, E_INVAL
    beq a0, t0, 3f
    addi s1, s1, 1
3:
    la a0, done
    call puts
    mv a0, s2
    call put_dec
    la a0, errs
    call puts
    mv a0, s1
    call put_dec
    call newline
    mv a0, s1
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
      data: `
bad:
    .asciz "client: bad reply for length "
done:
    .asciz "client: long messages "
errs:
    .asciz ", errors "
`,
    },
  ],
};

export const notify: SystemSpec = {
  name: 'notify',
  description: 'two signallers with different badges wake a waiter through one notification',
  notifications: ['n'],
  programs: [
    {
      name: 'waiter',
      prio: 2,
      caps: [{ slot: 3, notification: 'n' }],
      text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li s0, 0                  # bits seen
    li s1, 0                  # wakeups
1:
    li a0, 3
    call sys_wait
    blez a0, 8f
    or s0, s0, a0
    addi s1, s1, 1
    li t0, 3
    bne s0, t0, 1b
    la a0, ok
    call puts
    mv a0, s0
    call put_dec
    call newline
    li a0, 0
    j 9f
8:
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
      data: `
ok:
    .asciz "waiter: got badge bits "
`,
    },
    ...[1, 2].map((b): ProgramSpec => ({
      name: `signal${b}`,
      caps: [{ slot: 0, notification: 'n', badge: b }, { slot: 1, endpoint: 'none' }],
      text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 1                  # wrong type of capability: refused
    call sys_signal
    li t0, E_CAP
    bne a0, t0, 8f
    li a0, 0
    call sys_signal
    bnez a0, 8f
    li a0, 0
    j 9f
8:
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    })),
  ],
  endpoints: ['none'],
};

/** Two CPU-bound processes that never yield; each counts in a shared frame and waits to see the other move. */
export const timeshare: SystemSpec = {
  name: 'timeshare',
  description: 'two CPU-bound processes that never yield both progress under timer preemption (shared frame)',
  frames: [{ name: 'counters', pages: 1 }],
  programs: ['a', 'b'].map((n, i): ProgramSpec => ({
    name: `spin_${n}`,
    caps: [{ slot: 0, frame: 'counters' }],
    text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 0
    li a1, USER_SHARED_MIN
    call sys_map_shared
    bnez a0, 8f
    li a0, 0                  # mapping it twice is refused
    li a1, USER_SHARED_MIN
    call sys_map_shared
    li t0, E_EXISTS
    bne a0, t0, 8f
    li s0, USER_SHARED_MIN
    li s1, 0                  # rounds in which the other counter had moved
    ld s2, ${8 * (1 - i)}(s0)
1:
    ld t0, ${8 * i}(s0)       # count (never yield)
    addi t0, t0, 1
    sd t0, ${8 * i}(s0)
    ld t1, ${8 * (1 - i)}(s0)
    beq t1, s2, 1b
    mv s2, t1
    addi s1, s1, 1
    li t0, 3
    bltu s1, t0, 1b
    li t0, 1                  # done; keep counting until the other is done too (it may still need
    sd t0, ${16 + 8 * i}(s0)  # to see this counter move, however the slices fell)
2:
    ld t0, ${8 * i}(s0)
    addi t0, t0, 1
    sd t0, ${8 * i}(s0)
    ld t1, ${16 + 8 * (1 - i)}(s0)
    beqz t1, 2b
    la a0, ok
    call puts
    li a0, 0
    j 9f
8:
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    data: `
ok:
    .asciz "spin_${n}: saw the other process progress 3 times\\n"
`,
  })),
};

/** A process exits; a later one allocates pages (x-entry contexts) that come from the freed ones. */
export const reclaim: SystemSpec = {
  name: 'reclaim',
  description: 'pages of an exited process are reclaimed and handed out again',
  programs: [
    {
      name: 'early',
      prio: 2,
      text: `
main:
    li a0, 0
    ret
`,
    },
    {
      name: 'late',
      dynamicEntries: [{ name: 'nop', handler: 'nop_handler', contexts: 4 }],
      text: `
nop_handler:
    ret
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, xpc_entry_nop
    li a1, 4
    call sys_xpc_register
    mv s0, a0
    la a0, msg
    call puts
    mv a0, s0
    call put_dec
    call newline
    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
      data: `
msg:
    .asciz "late: registered x-entry "
`,
    },
  ],
};

/** Strict priorities: a CPU-bound high-priority process finishes before lower ones run at all. */
export const priorities: SystemSpec = {
  name: 'priorities',
  description: 'a CPU-bound high-priority process runs to its end (through timer ticks) before lower priorities',
  programs: [0, 3, 1].map((prio): ProgramSpec => ({
    name: `prio${prio}`,
    prio,
    text: `
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li t0, ${prio === 3 ? 1_500_000 : 1000}   # spin (the high one spans several time slices)
1:
    addi t0, t0, -1
    bnez t0, 1b
    la a0, msg
    call puts
    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
`,
    data: `
msg:
    .asciz "prio${prio}: done\\n"
`,
  })),
};
