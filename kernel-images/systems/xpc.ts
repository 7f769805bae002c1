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

# peek(): the start of the segment it was handed
peek_handler:
    csrr a0, uxseg_va
    ret

main:
    li a0, 0                  # B serves only through its x-entries: it waits for ever
    call sys_recv
    ret
`,
  caps: [{ slot: 0, endpoint: 'idle_b' }],
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
