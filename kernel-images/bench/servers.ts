// The IPC benchmark's servers (kernel-images/bench/): under kernel IPC each receives on its endpoint,
// serves and replies with reply_recv; under XPC its thread waits for ever and the callers' threads run
// its handlers through its x-entries. Each server reads and checks every word it is sent.

import type { Workload } from './workloads.js';
import { ID_CALL, ID_CHAIN, ID_HTTP, ID_KV } from './workloads.js';
import { callSite, entryId, HTTP_RESPONSE, MSG_PATTERN, OP_PUT, segVa, type CallMech } from './work.js';

export interface ServerDef {
  name: string;
  work: string[];
  /** Kernel IPC: code after the first receive (label <name>_loop follows the first recv). */
  kernel: string;
  /** Extra capabilities of the kernel version (slot 0 is its own endpoint). */
  kcaps?: { slot: number; endpoint: string }[];
  endpoint: string;
  /** XPC handler(s): label -> text. */
  xpc: string;
  entries: { name: string; handler: string; grants: string[] }[];
  init?: string;
}

export const recvFirst = `
    li a0, 0
    li a7, SYS_RECV
    ecall`;
const replyRecv = `
    li a0, 0
    li a7, SYS_REPLY_RECV
    ecall`;

function serverDefs(iso: boolean, copyRelay = false, m: CallMech = 'xpc'): ServerDef[] {
  const XC = (msg: string[], comment = '') => callSite(m, iso, msg, comment);
  const SEG = (reg: string) => segVa(m, reg);
  // copy [a0, a0 + a2) to a1, 8 bytes at a time (a2 > 0, a multiple of 8): the copy ablation
  const copy = (from: string, to: string) => `
    ${from}
    ${to}
    mv a2, s0
    call rt_copy`;
  return [
  {
    name: 'srv_ow',
    work: [],
    endpoint: 'ep_ow',
    // Reads the counters when the call arrives (a2 cycles, a3 instructions) and just before the reply
    // leaves (a5 instructions, a4 cycles), in the reverse order of the client's reads.
    kernel: `
ow_call_end:
    rdcycle a2
    rdinstret a3
    li a0, 0
    li a1, 0
    li a7, SYS_REPLY_RECV
    rdinstret a5
    rdcycle a4
ow_reply_start:
    ecall
    j ow_call_end`,
    xpc: `
ow_handler:
ow_call_end:
    rdcycle a2
    rdinstret a3
    rdinstret a5
    rdcycle a4
ow_reply_start:
    ret`,
    entries: [{ name: 'ow', handler: 'ow_handler', grants: ['client'] }],
  },
  {
    name: 'srv_rt',
    work: ['msg_check'],
    endpoint: 'ep_rt',
    kernel: `
rt_loop:                      # a1 = length: up to 32 bytes in a2..a5, more in the IPC buffer
    mv s0, a1
    li a0, USER_IPC_BUFFER
    call msg_check            # every word of the message is read and checked
    mv a1, s0                 # the reply: the same message back
    beqz a0, 1f
    li a1, 1                  # a wrong message: a length the client refuses
1:
    li a2, ${MSG_PATTERN}
    addi a3, a2, 1
    addi a4, a2, 2
    addi a5, a2, 3
${replyRecv}
    j rt_loop`,
    xpc: `
rt_handler:                   # a1 = length: up to 32 bytes in a2..a5, more in the relay segment handed over
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a1
${m === 'xpc' ? `
    li t0, 32
    bleu a1, t0, 1f
    csrr t0, uxseg_len        # the segment handed over is exactly the message
    bne t0, a1, 8f` : ''}
1:${copyRelay ? `
    li t0, 32
    bleu s0, t0, 2f${copy(SEG('a0'), 'la a1, rt_private')}        # the ablation: a private copy of the message
2:
    la a0, rt_private` : `
    ${SEG('a0')}`}
    mv a1, s0
    call msg_check            # every word of the message is read and checked
    bnez a0, 8f${copyRelay ? `
    li t0, 32
    bleu s0, t0, 3f${copy('la a0, rt_private', SEG('a1'))}        # and the reply copied back
3:` : ''}
    mv a0, s0                 # the reply: the length (and the segment, or a2..a5, as they are)
    j 9f
8:
    li a0, -1
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'rt', handler: 'rt_handler', grants: ['client'] }],
  },
  {
    name: 'chain_b',
    work: ['msg_check'],
    endpoint: 'ep_chain',
    kcaps: [{ slot: 1, endpoint: 'ep_chain_c' }],
    kernel: `
b_loop:
    li a0, USER_IPC_BUFFER+8  # check every word after the sequence word
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    li t0, USER_IPC_BUFFER    # add 1 to the sequence word, pass it on to C
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    li a0, 1
    li a1, 4096
    li a7, SYS_CALL
    ecall
    li a1, 4096
${replyRecv}
    j b_loop`,
    xpc: `
b_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    ${SEG('a0')}         # check every word after the sequence word
    addi a0, a0, 8
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    ${SEG('t0')}         # add 1 to the sequence word, hand the segment on to C
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    ${entryId(m, 'chain_c')}${XC([])}
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'chain_b', handler: 'b_handler', grants: ['client'] }],
  },
  {
    name: 'chain_c',
    work: ['msg_check'],
    endpoint: 'ep_chain_c',
    kernel: `
c_loop:
    li a0, USER_IPC_BUFFER+8
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    li t0, USER_IPC_BUFFER
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    li a1, 4096
${replyRecv}
    j c_loop`,
    xpc: `
c_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    ${SEG('a0')}
    addi a0, a0, 8
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    ${SEG('t0')}
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    ${m === 'xpc' ? 'csrr a0, uxseg_len' : 'li a0, 4096             # the length: the chain hands on 4 KiB'}
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'chain_c', handler: 'c_handler', grants: ['chain_b'] }],
  },
  {
    name: 'kv_fs',
    work: ['fs_lookup'],
    endpoint: 'ep_kv',
    kcaps: [{ slot: 1, endpoint: 'ep_disk' }],
    kernel: `
fs_loop:                      # a2 = op, a3 = key; a put's value is in the IPC buffer
    mv s0, a2
    mv a0, a3
    call fs_lookup
    bltz a0, 8f
    mv a3, a0
    mv a2, s0
    li a1, 0
    li t0, ${OP_PUT}
    bne s0, t0, 1f
    li a1, 512                # forward the value
1:
    li a0, 1
    li a7, SYS_CALL
    ecall                     # the disk's reply (length in a1, data in the IPC buffer) goes back
    j 9f
8:
    li a1, 1
9:
${replyRecv}
    j fs_loop`,
    xpc: `
fs_handler:                   # a1 = op, a2 = key; the value is in the relay segment handed over
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a1
    mv a0, a2
    call fs_lookup
    bltz a0, 8f
    mv a2, a0
    mv a1, s0
    ${entryId(m, 'kv_disk')}${XC(['a1', 'a2'])}
    j 9f
8:
    li a0, 1
9:
    ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'kv_fs', handler: 'fs_handler', grants: ['client'] }],
  },
  {
    name: 'kv_disk',
    work: ['disk_io'],
    endpoint: 'ep_disk',
    kernel: `
disk_loop:                    # a2 = op, a3 = block
    mv a0, a2
    mv a1, a3
    li a2, USER_IPC_BUFFER
    call disk_io
    mv a1, a0
${replyRecv}
    j disk_loop`,
    xpc: `
disk_handler:                 # a1 = op, a2 = block
    addi sp, sp, -16
    sd ra, 0(sp)
    mv a0, a1
    mv a1, a2
    ${SEG('a2')}
    call disk_io
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'kv_disk', handler: 'disk_handler', grants: ['kv_fs'] }],
  },
  {
    name: 'http_parser',
    work: ['http_parse'],
    endpoint: 'ep_http',
    kcaps: [{ slot: 1, endpoint: 'ep_cache' }],
    kernel: `
p_loop:                       # the request is in the IPC buffer
    li a0, USER_IPC_BUFFER
    call http_parse
    bltz a0, 8f
    mv a2, a0
    li a0, 1
    li a1, 0
    li a7, SYS_CALL
    ecall                     # the cache replies the body (IPC buffer) and its checksum (a2)
    mv a1, a2
    li a0, USER_IPC_BUFFER
    call http_header
    li a1, ${HTTP_RESPONSE}
    j 9f
8:
    li a1, 1
9:
${replyRecv}
    j p_loop`,
    xpc: `
parse_handler:                # the request is in the relay segment; the response goes there too
    addi sp, sp, -16
    sd ra, 0(sp)
    ${SEG('a0')}
    call http_parse
    bltz a0, 8f
    mv a1, a0
    ${entryId(m, 'http_cache')}${XC(['a1'], 'a0 = checksum')}
    mv a1, a0
    ${SEG('a0')}
    call http_header
    li a0, ${HTTP_RESPONSE}
    j 9f
8:
    li a0, 1
9:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'http_parser', handler: 'parse_handler', grants: ['client'] }],
  },
  {
    name: 'http_cache',
    work: ['cache'],
    endpoint: 'ep_cache',
    kcaps: [{ slot: 1, endpoint: 'ep_xform' }],
    init: `
    call cache_init`,
    kernel: `
cache_loop:                   # a2 = file
    mv a0, a2
    li a1, USER_IPC_BUFFER
    call cache_fill
    li a0, 1
    li a1, ${HTTP_RESPONSE}
    li a7, SYS_CALL
    ecall                     # the transform replies the checksum in a2
    li a1, ${HTTP_RESPONSE}
${replyRecv}
    j cache_loop`,
    xpc: `
cache_handler:                # a1 = file
    addi sp, sp, -16
    sd ra, 0(sp)
    mv a0, a1
    ${SEG('a1')}
    call cache_fill
    ${entryId(m, 'http_xform')}${XC([])}
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'http_cache', handler: 'cache_handler', grants: ['http_parser'] }],
  },
  {
    name: 'http_xform',
    work: ['xform'],
    endpoint: 'ep_xform',
    kernel: `
xform_loop:
    li a0, USER_IPC_BUFFER
    call xform_sum
    mv a2, a0
    li a1, 0
${replyRecv}
    j xform_loop`,
    xpc: `
xform_handler:
    addi sp, sp, -16
    sd ra, 0(sp)
    ${SEG('a0')}
    call xform_sum
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'http_xform', handler: 'xform_handler', grants: ['http_cache'] }],
  },
  ];
}

/** Which servers a set of workloads needs. */
export function serversFor(workloads: Workload[], iso: boolean, copyRelay: boolean, m: CallMech = 'xpc'): ServerDef[] {
  const has = (id: number) => workloads.some((w) => w.id === id);
  const need = new Set<string>(['srv_rt']);
  if (has(ID_CALL)) need.add('srv_ow');
  if (has(ID_CHAIN)) ['chain_b', 'chain_c'].forEach((n) => need.add(n));
  if (has(ID_KV)) ['kv_fs', 'kv_disk'].forEach((n) => need.add(n));
  if (has(ID_HTTP)) ['http_parser', 'http_cache', 'http_xform'].forEach((n) => need.add(n));
  return serverDefs(iso, copyRelay, m).filter((s) => need.has(s.name));
}
