// The IPC benchmark's user programs, generated as assembly text: one client that measures every
// workload with counter reads around the operation (sel4bench's method), and the servers it talks to
// (servers.ts), with kernel IPC (call / reply_recv through endpoints, long messages copied by the kernel
// between IPC buffers) or with XPC (xcall / xret, long messages in a relay segment handed along).
// What they share (the message pattern, the XPC call site, the servers' work) is in work.ts.
//
// The client records each measured run by calling `bench_record(id, cycles, instructions)`; the host
// reads those three stores from the commit stream (labels bench_record_*), so printing costs nothing.

import type { ProgramSpec } from '../system.js';
import {
  HTTP_REQUESTS, ID_CALL, ID_CHAIN, ID_HTTP, ID_KV, ID_NULL, ID_OVERHEAD, ID_REPLY, ID_RT, ID_RT_POLLUTED, KV_REQUESTS, SIZES,
  type Mech, type Workload,
} from './workloads.js';
import { recvFirst, serversFor } from './servers.js';
import { pkeyProcess, type PkeyDomain } from '../pkey-domains.js';
import {
  ASL_BIND_BYTES, callSite, ENTRY_NAMES, entryId, FILES, HTTP_RESPONSE, ISOLATED_DATA, MSG_BYTES, MSG_PATTERN, MSG_SLOT, MSG_VA, OP_GET, OP_PUT,
  RELAY_BYTES, RELAY_VA, segMaskLen, WORK, withWork, type BenchParams, type CallMech,
} from './work.js';

export { HTTP_RESPONSE, MSG_PATTERN, RELAY_BYTES, RELAY_VA, type BenchParams } from './work.js';

const SLOT = { ow: 0, rt: 1, chain: 2, kv: 3, http: 4 } as const;
/** The polluting loop of `roundtrip-polluted`: data read (bytes) and straight-line code run (bytes). */
const POLLUTE_BYTES = 128 * 1024;
const POLLUTE_CODE_BYTES = 16 * 1024;

// ---------------------------------------------------------------------------------------------------
// The client.

/** One measured loop: warm-up then measured runs, counters read around `op`. */
function measure(p: BenchParams, id: number, title: string, setup: string, op: string, post: string, record?: string): string {
  const rec = record ?? `
    li a0, ${id}
    sub a1, s6, s5
    sub a2, s7, s4
    call bench_record`;
  return `
# ---- workload ${id}: ${title}
    li s8, 0
w${id}_loop:${setup}
    rdinstret s4
    rdcycle s5
w${id}_start:${op}
w${id}_end:
    rdcycle s6
    rdinstret s7${post}
    addi t0, s8, -${p.warmup}
    bltz t0, w${id}_skip${rec}
w${id}_skip:
    addi s8, s8, 1
    li t0, ${p.warmup + p.runs}
    bltu s8, t0, w${id}_loop
`;
}

const FAIL_IF_NONZERO = (r: string) => `
    beqz ${r}, 1f
    call bench_fail
1:`;
const FAIL_IF_NEGATIVE = (r: string) => `
    bgez ${r}, 1f
    call bench_fail
1:`;
const FAIL_IF_NE = (r: string, value: string) => `
    li t0, ${value}
    beq ${r}, t0, 1f
    call bench_fail
1:`;

/** Where a program's long messages lie: the IPC buffer, XPC's relay segment, or the shared message frame. */
function bufferOf(mech: Mech): string {
  return mech === 'kernel' ? 'USER_IPC_BUFFER' : mech === 'xpc' ? String(RELAY_VA) : 'MSG_VA';
}

function clientProgram(mech: Mech, workloads: Workload[], p: BenchParams, setup: string, extraData: string): ProgramSpec {
  const K = mech === 'kernel';
  const m = (K ? 'xpc' : mech) as CallMech;
  const iso = !K && !!p.isolated;
  const XC = (msg: string[]) => callSite(m, iso, msg);
  const SEGLEN = segMaskLen(m, 't1');
  const LB = (reg: string) => (mech === 'pkey' ? `la ${reg}, pk_msg` : `li ${reg}, BUF`);
  const has = (id: number) => workloads.some((w) => w.id === id);
  const parts: string[] = [];
  // A kernel IPC: a0 = slot, a1 = length, a7 = SYS_CALL (set up before the counters), the ecall measured.
  const kcall = (slot: number, len: number) => `
    li a0, ${slot}
    li a1, ${len}
    li a7, SYS_CALL`;

  parts.push(measure(p, ID_OVERHEAD, 'counter overhead (empty window)', '', '', ''));
  if (has(ID_NULL)) {
    parts.push(measure(p, ID_NULL, 'null system call (getpid)', `
    li a7, SYS_GETPID`, `
    ecall`, FAIL_IF_NE('a0', 's10').replace('li t0, s10', 'mv t0, s10')));
  }
  if (has(ID_CALL)) {
    // One loop gives both one-way figures: the server reads the counters when it starts (call) and
    // before it replies (reply), and returns them in a2..a5, registers the reply carries anyway.
    const record = `
    li a0, ${ID_CALL}
    sub a1, s0, s5
    sub a2, s1, s4
    call bench_record
    li a0, ${ID_REPLY}
    sub a1, s6, s2
    sub a2, s7, s3
    call bench_record`;
    const save = `
    mv s0, a2
    mv s1, a3
    mv s2, a4
    mv s3, a5`;
    parts.push(K
      ? measure(p, ID_CALL, 'one-way call and reply, 0 bytes', kcall(SLOT.ow, 0), `
    ecall`, FAIL_IF_NONZERO('a0') + save, record)
      : measure(p, ID_CALL, 'one-way xcall and xret', `
    ${entryId(m, 'ow')}`, XC([]), FAIL_IF_NEGATIVE('a0') + save, record));
  }
  // Round trips: the message (word j = MSG_PATTERN + j) is in a2..a5 up to 32 bytes, else in the IPC
  // buffer / relay segment, filled once before the first round trip; the server checks every word.
  const regs = (bytes: number) => ['a2', 'a3', 'a4', 'a5'].slice(0, bytes <= 32 ? bytes / 8 : 0);
  const regSetup = (bytes: number) => regs(bytes).map((r, j) => `
    li ${r}, ${MSG_PATTERN + j}`).join('');
  const rtIds = SIZES.map((_, i) => ID_RT + i).filter(has);
  if (rtIds.length > 0 || has(ID_RT_POLLUTED)) parts.push(`
    ${LB('a0')}                # the round trips' message pattern
    li a1, ${Math.max(...SIZES)}
    call msg_fill`);
  const roundTrip = (id: number, bytes: number, title: string, before = '') => {
    if (K) {
      parts.push(measure(p, id, title, before + kcall(SLOT.rt, bytes) + regSetup(bytes), `
    ecall`, FAIL_IF_NONZERO('a0') + FAIL_IF_NE('a1', String(bytes))));
    } else if (bytes <= 32) {
      parts.push(measure(p, id, title, before + `
    ${entryId(m, 'rt')}
    li a1, ${bytes}` + regSetup(bytes), XC(['a1', ...regs(bytes)]), FAIL_IF_NE('a0', String(bytes))));
    } else {
      parts.push(measure(p, id, title, before + `
    ${entryId(m, 'rt')}
    li a1, ${bytes}
    li t1, ${bytes}`, `${SEGLEN}` + XC(['a1']), FAIL_IF_NE('a0', String(bytes))));
    }
  };
  SIZES.forEach((bytes, i) => {
    if (has(ID_RT + i)) roundTrip(ID_RT + i, bytes, `round trip, ${bytes} bytes each way`);
  });
  if (has(ID_RT_POLLUTED)) roundTrip(ID_RT_POLLUTED, 0, 'round trip, 0 bytes, after a cache- and TLB-polluting loop', `
    call bench_pollute`);
  if (has(ID_CHAIN)) {
    const check = `
    ${LB('t0')}
    ld t1, 0(t0)
    addi t2, s8, 2
    beq t1, t2, 1f
    call bench_fail
1:`;
    parts.push(K
      ? measure(p, ID_CHAIN, 'A -> B -> C with 4 KiB, copied at each hop', `
    li t0, USER_IPC_BUFFER
    sd s8, 0(t0)` + kcall(SLOT.chain, 4096), `
    ecall`, FAIL_IF_NONZERO('a0') + FAIL_IF_NE('a1', '4096') + check)
      : measure(p, ID_CHAIN, 'A -> B -> C with 4 KiB of the relay segment handed along', `
    ${LB('t0')}
    sd s8, 0(t0)
    ${entryId(m, 'chain_b')}
    li t1, 4096`, `${SEGLEN}` + XC([]), FAIL_IF_NE('a0', '4096') + check));
  }
  if (has(ID_KV)) {
    const put = K
      ? `
    li a0, ${SLOT.kv}
    li a1, 512
    li a2, ${OP_PUT}
    mv a3, s1
    li a7, SYS_CALL
    ecall${FAIL_IF_NONZERO('a0')}${FAIL_IF_NE('a1', '0')}`
      : `
    ${entryId(m, 'kv_fs')}
    li a1, ${OP_PUT}
    mv a2, s1
    li t1, 512${SEGLEN}${XC(['a1', 'a2'])}${FAIL_IF_NE('a0', '0')}`;
    const get = K
      ? `
    li a0, ${SLOT.kv}
    li a1, 0
    li a2, ${OP_GET}
    mv a3, s1
    li a7, SYS_CALL
    ecall${FAIL_IF_NONZERO('a0')}${FAIL_IF_NE('a1', '512')}`
      : `
    ${entryId(m, 'kv_fs')}
    li a1, ${OP_GET}
    mv a2, s1
    li t1, 512${SEGLEN}${XC(['a1', 'a2'])}${FAIL_IF_NE('a0', '512')}`;
    parts.push(measure(p, ID_KV, `key-value store: ${KV_REQUESTS} requests (put, get of 4 keys)`, '', `
    li s0, 0
kv_req:
    srli s1, s0, 1            # key: each is put, then got
    andi t0, s0, 1
    bnez t0, kv_get
    ${LB('a0')}
    mv a1, s1
    mv a2, s8
    call kv_fill${put}
    j kv_next
kv_get:${get}
    ${LB('a0')}
    mv a1, s1
    mv a2, s8
    call kv_check${FAIL_IF_NONZERO('a0')}
kv_next:
    addi s0, s0, 1
    li t0, ${KV_REQUESTS}
    bltu s0, t0, kv_req`, ''));
  }
  if (has(ID_HTTP)) {
    const send = K
      ? `
    li a0, ${SLOT.http}
    li a1, 64
    li a7, SYS_CALL
    ecall${FAIL_IF_NONZERO('a0')}${FAIL_IF_NE('a1', String(HTTP_RESPONSE))}`
      : `
    ${entryId(m, 'http_parser')}
    li t1, ${HTTP_RESPONSE}${SEGLEN}${XC([])}${FAIL_IF_NE('a0', String(HTTP_RESPONSE))}`;
    parts.push(measure(p, ID_HTTP, `HTTP: ${HTTP_REQUESTS} requests for 1 KiB files`, '', `
    li s0, 0
http_req:
    andi s1, s0, ${FILES - 1}
    ${LB('a0')}
    mv a1, s1
    call http_request${send}
    ${LB('a0')}
    mv a1, s1
    call http_check${FAIL_IF_NONZERO('a0')}
    addi s0, s0, 1
    li t0, ${HTTP_REQUESTS}
    bltu s0, t0, http_req`, ''));
  }

  const setupXpc = mech !== 'xpc' ? setup : `
    li a0, ${RELAY_BYTES}     # the relay segment: seg-list entry 0, made the active segment
    li a1, ${RELAY_VA}
    li a2, 0
    call sys_xpc_relay_alloc
    beqz a0, 1f
    call bench_fail
1:
    li t0, 0
    swapseg t0`;
  const text = `
${mech === 'pkey' ? '' : `    .equ BUF, ${bufferOf(mech)}`}
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv s10, a0                # own process number (the null system call returns it)${setupXpc}
${parts.join('')}
    la a0, msg_done
    call puts
    la t0, bench_errors
    ld a0, 0(t0)
    call put_dec
    call newline
    la t0, bench_errors
    ld a0, 0(t0)
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

# bench_record(a0 = workload id, a1 = cycles, a2 = instructions): one measured run. The host reads the
# three stores from the commit stream (so reporting costs no system calls).
bench_record:
    la t0, bench_mailbox
bench_record_id:
    sd a0, 0(t0)
bench_record_cycles:
    sd a1, 8(t0)
bench_record_insns:
    sd a2, 16(t0)
    ret

# msg_fill(a0 = buffer, a1 = bytes): word j = MSG_PATTERN + j
msg_fill:
    li t0, ${MSG_PATTERN}
    add t1, a0, a1
1:
    sd t0, 0(a0)
    addi t0, t0, 1
    addi a0, a0, 8
    bltu a0, t1, 1b
    ret

# bench_pollute(): what another workload leaves behind: reads a line of every 64 bytes of
# POLLUTE_BYTES (${POLLUTE_BYTES / 1024} KiB over ${POLLUTE_BYTES / 4096} pages: more than the L1 D-cache
# and the TLB hold), then runs ${POLLUTE_CODE_BYTES / 1024} KiB of straight-line code (the L1 I-cache's size)
bench_pollute:
    la t0, pollute_area
    li t1, ${POLLUTE_BYTES}
    add t1, t0, t1
1:
    ld t2, 0(t0)
    addi t0, t0, 64
    bltu t0, t1, 1b
    .balign 64
${'    addi zero, zero, 0\n'.repeat(POLLUTE_CODE_BYTES / 4)}    ret

# bench_fail(): count a wrong answer (the run is then reported as failed)
bench_fail:
    la t0, bench_errors
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
bench_fail_point:
    ret
`;
  const data = `
    .balign 8
bench_mailbox:
    .zero 24
bench_errors:
    .quad 0
msg_done:
    .asciz "bench: done, errors "
${iso ? ISOLATED_DATA : ''}${extraData}${has(ID_RT_POLLUTED) ? `    .balign 4096
pollute_area:
    .zero ${POLLUTE_BYTES}
` : ''}`;
  const names = [...(has(ID_KV) ? ['kv_fill'] : []), ...(has(ID_HTTP) ? ['http_client'] : [])];
  const w = withWork(names, text, data);
  const caps = !K ? (mech === 'gate' || mech === 'asl' ? [{ slot: MSG_SLOT, frame: 'msg' }] : []) : Object.entries({ ow: 'ep_ow', rt: 'ep_rt', chain: 'ep_chain', kv: 'ep_kv', http: 'ep_http' })
    .filter(([k]) => ({ ow: has(ID_CALL), rt: true, chain: has(ID_CHAIN), kv: has(ID_KV), http: has(ID_HTTP) } as Record<string, boolean>)[k])
    .map(([k, ep]) => ({ slot: SLOT[k as keyof typeof SLOT], endpoint: ep, badge: 1 }));
  return { name: 'client', prio: 1, caps, text: w.text, data: w.data };
}

// ---------------------------------------------------------------------------------------------------
// Servers. Kernel IPC: receive on slot 0, serve, reply_recv. XPC: the thread waits for ever on an idle
// endpoint; the work is done by handlers that callers' threads run through the x-entries.

export interface BenchPrograms {
  programs: ProgramSpec[];
  endpoints: string[];
  xentries: { name: string; owner: string; handler: string; contexts: number; grants: string[] }[];
  /** Call-gate systems: the servers' gates (kernel-images/system.ts GateSpec). */
  gates?: { name: string; owner: string; handler: string; grants: string[] }[];
  notifications?: string[];
  frames?: { name: string; pages: number }[];
}

/**
 * Protection-key domains: the client is the main domain of one process and every server a domain of
 * it (kernel-images/pkey-domains.ts), its handler entered through its gate, its data and stack on pages
 * of its own key; the servers' start-up runs before the client takes its rights (pkey_start).
 */
function pkeyBench(workloads: Workload[], p: BenchParams, servers: ReturnType<typeof serversFor>): BenchPrograms {
  const inits = servers.map((s) => s.init ?? '').join('');
  const client = clientProgram('pkey', workloads, p, `${inits}
    call pkey_start           # the client's rights from here on`, '');
  const clientWork = new Set(['kv_fill', 'http_client']);
  const shared = [...new Set(servers.flatMap((s) => s.work))].filter((n) => !clientWork.has(n));
  const sharedText = withWork(shared, '').text;
  // A domain is named after its entry (a server that calls on has one entry named as the program).
  const domains: PkeyDomain[] = servers.map((s) => ({
    name: s.entries[0].name,
    text: s.xpc,
    data: s.work.map((n) => WORK[n].data ?? '').join(''),
    entry: { handler: s.entries[0].handler, caller: s.entries[0].grants[0] === 'client' ? 'main' : s.entries[0].grants[0] },
  }));
  const proc = pkeyProcess({ name: 'client', prio: 1, mainText: client.text + sharedText, mainData: client.data, domains });
  return { programs: [proc], endpoints: [], xentries: [] };
}

/** The constants of the gate and address-space-list programs (message frame, binding slots). */
function sharedConstants(mech: Mech): string {
  if (mech !== 'gate' && mech !== 'asl') return '';
  return `
    .equ MSG_VA, ${MSG_VA}${mech === 'asl' ? ENTRY_NAMES.map((n, i) => `
    .equ ASLB_${n.toUpperCase()}, ${i}`).join('') : ''}`;
}

/** Maps the shared message frame (gate and address-space-list systems). */
const mapMessageFrame = `
    li a0, ${MSG_SLOT}            # the shared message frame
    li a1, MSG_VA
    call sys_map_shared`;

/**
 * Address-space lists: the program binds every entry it calls in the client's list (calls run on the
 * client's thread: a server that calls on uses the client's list, kernel/asl.ts asl_bind), retrying
 * while the server has not exported yet, and keeps index, key, return index and return key in asl_binds.
 */
function aslBinds(prog: string, calls: { entry: string; pid: number }[], clientPid: number): { text: string; data: string } {
  if (calls.length === 0) return { text: '', data: '' };
  const text = calls.map(({ entry, pid }) => {
    const slot = ENTRY_NAMES.indexOf(entry as (typeof ENTRY_NAMES)[number]);
    return `
aslb_${prog}_${entry}:
    li a0, ${pid}                 # bind ${entry} in the client's list
    li a1, ${clientPid}
    call sys_asl_bind
    bgtz a0, 1f
    call sys_yield            # not exported yet: let its server run
    j aslb_${prog}_${entry}
1:
    la t0, asl_binds+${slot * ASL_BIND_BYTES}
    sd a0, 0(t0)
    sd a1, 8(t0)
    sd a3, 16(t0)
    sd a2, 24(t0)`;
  }).join('');
  return { text, data: `
    .balign 64
asl_binds:
    .zero ${ENTRY_NAMES.length * ASL_BIND_BYTES}
` };
}

export function benchPrograms(mech: Mech, workloads: Workload[], p: BenchParams): BenchPrograms {
  const K = mech === 'kernel';
  const m = (K ? 'xpc' : mech) as CallMech;
  const iso = !K && !!p.isolated;
  const copyRelay = !K && !!p.copyRelay;
  let servers = serversFor(workloads, iso, copyRelay, m);
  // Address-space lists: a server exports at boot and a caller binds after its callee exported, so
  // callees are created (and run their start-up) first.
  if (mech === 'asl') servers = [...servers].reverse();
  const clientPid = servers.length;
  const pidOf = (name: string) => (name === 'client' ? clientPid : servers.findIndex((s) => s.name === name));
  const entries = servers.flatMap((s) => s.entries.map((e) => ({ ...e, owner: s.name })));
  const callsOf = (prog: string) => entries.filter((e) => e.grants.includes(prog)).map((e) => ({ entry: e.name, pid: pidOf(e.owner) }));
  if (mech === 'pkey') return pkeyBench(workloads, p, servers);
  const programs: ProgramSpec[] = [];
  for (const s of servers) {
    const w = withWork(s.work, '');
    if (K) {
      programs.push({
        name: s.name,
        prio: 2,
        caps: [{ slot: 0, endpoint: s.endpoint }, ...(s.kcaps ?? [])],
        text: `
main:${s.init ?? ''}${recvFirst}
${s.kernel}
${w.text}`,
        data: w.data,
      });
      continue;
    }
    const binds = mech === 'asl' ? aslBinds(s.name, callsOf(s.name), clientPid) : { text: '', data: '' };
    const start = mech === 'gate' ? mapMessageFrame : mech === 'asl' ? `${mapMessageFrame}
    li a0, ${clientPid}               # export the entry to the client's list
    la a1, asl_entry
    call sys_asl_export${binds.text}` : '';
    programs.push({
      name: s.name,
      prio: 2,
      caps: [{ slot: 0, endpoint: 'idle' }, ...(mech === 'gate' || mech === 'asl' ? [{ slot: MSG_SLOT, frame: 'msg' }] : [])],
      ...(mech === 'asl' ? { aslEntry: s.entries[0].handler } : {}),
      text: `${sharedConstants(mech)}
main:${s.init ?? ''}${start}
    li a0, 0                  # serves through its entries only: the thread itself waits for ever
    li a7, SYS_RECV
    ecall
    ret
${s.xpc}${s.xpc.includes('call rt_copy') ? `
# rt_copy(a0 = from, a1 = to, a2 = bytes, a multiple of 8)
rt_copy:
    add t0, a0, a2
1:
    ld t1, 0(a0)
    sd t1, 0(a1)
    addi a0, a0, 8
    addi a1, a1, 8
    bltu a0, t0, 1b
    ret
` : ''}
${w.text}`,
      data: w.data + binds.data + (iso && s.xpc.includes('xpc_caller_save') ? ISOLATED_DATA : '') + (s.xpc.includes('call rt_copy') ? `
    .balign 64
rt_private:
    .zero 4096
` : ''),
    });
  }
  const cbinds = mech === 'asl' ? aslBinds('client', callsOf('client'), clientPid) : { text: '', data: '' };
  const csetup = mech === 'gate' || mech === 'asl' ? mapMessageFrame + `
    beqz a0, 1f
    call bench_fail
1:` + cbinds.text : '';
  const client = clientProgram(mech, workloads, p, csetup, cbinds.data);
  client.text = sharedConstants(mech) + client.text;
  programs.push(client);
  if (K) return { programs, endpoints: servers.map((s) => s.endpoint), xentries: [] };
  if (mech === 'xpc') {
    const xentries = servers.flatMap((s) => s.entries.map((e) => ({ name: e.name, owner: s.name, handler: e.handler, contexts: 1, grants: e.grants })));
    return { programs, endpoints: ['idle'], xentries };
  }
  const frames = [{ name: 'msg', pages: MSG_BYTES / 4096 }];
  if (mech === 'gate') {
    const gates = ENTRY_NAMES.flatMap((n) => entries.filter((e) => e.name === n)).map((e) => ({ name: e.name, owner: e.owner, handler: e.handler, grants: e.grants }));
    return { programs, endpoints: ['idle'], xentries: [], gates, frames };
  }
  return { programs, endpoints: ['idle'], xentries: [], frames };
}
