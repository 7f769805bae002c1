// The IPC benchmark's user programs, generated as assembly text: one client that measures every
// workload with counter reads around the operation (sel4bench's method), and the servers it talks to,
// once with kernel IPC (call / reply_recv through endpoints, long messages copied by the kernel between
// IPC buffers) and once with XPC (xcall / xret, long messages in a relay segment handed along).
//
// The servers' work (file-system lookup, RAM-disk block copy, HTTP parsing, file cache, checksum) is
// the same functions under both mechanisms; only the way requests arrive and replies leave differs.
// The client records each measured run by calling `bench_record(id, cycles, instructions)`; the host
// reads those three stores from the commit stream (labels bench_record_*), so printing costs nothing.

import type { ProgramSpec } from '../system.js';
import {
  HTTP_REQUESTS, ID_CALL, ID_CHAIN, ID_HTTP, ID_KV, ID_NULL, ID_OVERHEAD, ID_REPLY, ID_RT, ID_RT_POLLUTED, KV_REQUESTS, SIZES,
  type Mech, type Workload,
} from './workloads.js';

export const RELAY_VA = 0x1000_0000;
export const RELAY_BYTES = 8192;
const OP_PUT = 1;
const OP_GET = 2;
const DISK_BLOCKS = 8;
const DIR_ENTRIES = 8;
const FILES = 4;
/** HTTP response: a 64-byte header, then the 1 KiB file. */
export const HTTP_RESPONSE = 64 + 1024;

const SLOT = { ow: 0, rt: 1, chain: 2, kv: 3, http: 4 } as const;
/** The polluting loop of \`roundtrip-polluted\`: data read (bytes) and straight-line code run (bytes). */
const POLLUTE_BYTES = 128 * 1024;
const POLLUTE_CODE_BYTES = 16 * 1024;

export interface BenchParams {
  /** Warm-up iterations before the measured runs of each workload. */
  warmup: number;
  /** Measured runs of each workload. */
  runs: number;
  /**
   * XPC callers that do not trust their callee (docs/bench-ipc.md, equal isolation): every xcall goes
   * through a caller stub that saves what the callee could change and scrubs every register that is not
   * part of the message.
   */
  isolated?: boolean;
  /**
   * Ablation: XPC's round-trip server copies a message out of the relay segment into a buffer of its
   * own before reading it, and its reply back (one copy each way, as kernel IPC does), instead of
   * working in the segment it was handed.
   */
  copyRelay?: boolean;
}

/** Word j of every benchmark message is MSG_PATTERN + j; servers check every word they are sent. */
export const MSG_PATTERN = 0x5a5a_0000;
const CALLEE_SAVED = ['ra', 'gp', 'tp', 's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11'];

/**
 * An xcall of x-entry a0 with the message in `msg` (registers); with `isolated` the caller stub of an
 * untrusting caller: ra, gp, tp, s0..s11 and sp saved in the program's save area (the callee may leave
 * any of them changed; one page, so after the xret's address-space switch one page walk reaches them
 * all), then every register but a0 and the message set to 0 (nothing of the caller's reaches the
 * callee), the xcall, and everything reloaded. One call in flight per program: one thread per process.
 */
function xcallSite(isolated: boolean, msg: string[], comment = ''): string {
  const call = `
    xcall a0${comment ? `                  # ${comment}` : ''}`;
  if (!isolated) return call;
  const saved = [...CALLEE_SAVED, 'sp'];
  const scrub = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', ...saved]
    .filter((r) => !msg.includes(r));
  return `
    la t0, xpc_caller_save    # isolated caller stub: save, scrub, xcall, reload
${saved.map((r, i) => `    sd ${r}, ${8 * i}(t0)`).join('\n')}
${scrub.map((r) => `    li ${r}, 0`).join('\n')}${call}
    la t0, xpc_caller_save
${saved.map((r, i) => `    ld ${r}, ${8 * i}(t0)`).join('\n')}`;
}
// The save area sits at offset 0xc00 of its page: off the D-cache sets that page-aligned data uses
// (page-table lines, the first lines of a relay-segment message, docs/kernel.md section 2).
const ISOLATED_DATA = `
    .balign 4096
    .zero 0xc00
xpc_caller_save:
    .zero ${8 * (CALLEE_SAVED.length + 1)}
`;

function bytesDirective(s: string): string {
  const b = [...Buffer.from(s, 'latin1')];
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) lines.push(`    .byte ${b.slice(i, i + 16).join(', ')}`);
  return lines.join('\n');
}

function padTo64(head: string, tail: string): string {
  const s = head + ' '.repeat(64 - head.length - tail.length) + tail;
  if (s.length !== 64) throw new Error('template longer than 64 bytes');
  return s;
}

const REQUEST = padTo64('GET /file0.html HTTP/1.1\r\nHost: rvx\r\nAccept: */*\r\nX-Pad:', '\r\n\r\n');
const REQUEST_DIGIT = REQUEST.indexOf('0');
const HEADER_HEAD = 'HTTP/1.1 200 OK\r\nContent-Length:1024\r\nX-Sum:';
const HEADER = padTo64(HEADER_HEAD + '0'.repeat(16), '\r\n\r\n');
const HEADER_HEX = HEADER_HEAD.length;

// ---------------------------------------------------------------------------------------------------
// The work both mechanisms share (plain functions, standard calling convention, leaf unless noted).

const WORK: Record<string, { text: string; data?: string }> = {
  msg_check: {
    text: `
# words_check(a0 = buffer, a1 = bytes (a multiple of 8, > 0), a2 = first expected word) -> a0 = 0 when
# word j of the buffer is a2 + j for every word, 1 otherwise
words_check:
    add t3, a0, a1
1:
    ld t4, 0(a0)
    bne t4, a2, 9f
    addi a2, a2, 1
    addi a0, a0, 8
    bltu a0, t3, 1b
    li a0, 0
    ret
9:
    li a0, 1
    ret

# msg_check(a0 = buffer, a1 = length, a2..a5 = message registers) -> a0 = 0 when every word of the message
# is the pattern: up to 32 bytes in a2..a5, more in the buffer
msg_check:
    li t2, ${MSG_PATTERN}
    li t0, 32
    bgtu a1, t0, 5f
    srli t1, a1, 3
    beqz t1, 8f
    bne a2, t2, 9f
    addi t1, t1, -1
    beqz t1, 8f
    addi t2, t2, 1
    bne a3, t2, 9f
    addi t1, t1, -1
    beqz t1, 8f
    addi t2, t2, 1
    bne a4, t2, 9f
    addi t1, t1, -1
    beqz t1, 8f
    addi t2, t2, 1
    bne a5, t2, 9f
8:
    li a0, 0
    ret
9:
    li a0, 1
    ret
5:
    mv a2, t2
    j words_check
`,
  },
  fs_lookup: {
    text: `
# fs_lookup(a0 = key) -> a0 = block (the directory slot holding the key; a new key takes a free slot), -1 full
fs_lookup:
    la t0, fs_dir
    addi t2, a0, 1
    li t1, 0
    li t5, ${DIR_ENTRIES}
1:
    slli t3, t1, 3
    add t3, t0, t3
    ld t4, 0(t3)
    beq t4, t2, 3f
    beqz t4, 2f
    addi t1, t1, 1
    bltu t1, t5, 1b
    li a0, -1
    ret
2:
    sd t2, 0(t3)
3:
    mv a0, t1
    ret
`,
    data: `
    .balign 8
fs_dir:
    .zero ${8 * DIR_ENTRIES}
`,
  },
  disk_io: {
    text: `
# disk_io(a0 = op, a1 = block, a2 = buffer) -> a0 = reply length: put copies buffer -> block (0),
# get copies block -> buffer (512); 1 for a bad request
disk_io:
    li t0, ${DISK_BLOCKS}
    bgeu a1, t0, 9f
    la t0, disk
    slli t1, a1, 9
    add t0, t0, t1
    li t1, ${OP_PUT}
    beq a0, t1, 1f
    li t1, ${OP_GET}
    bne a0, t1, 9f
    mv t1, t0
    mv t2, a2
    li a0, 512
    j 2f
1:
    mv t1, a2                 # put: store the value, checking every word (low 12 bits = its index)
    mv t2, t0
    li a0, 0
    addi t3, t1, 512
    li t5, 0
4:
    ld t4, 0(t1)
    slli t6, t4, 52
    srli t6, t6, 52
    bne t6, t5, 9f
    sd t4, 0(t2)
    addi t5, t5, 1
    addi t1, t1, 8
    addi t2, t2, 8
    bltu t1, t3, 4b
    ret
2:
    addi t3, t1, 512
3:
    ld t4, 0(t1)
    sd t4, 0(t2)
    addi t1, t1, 8
    addi t2, t2, 8
    bltu t1, t3, 3b
    ret
9:
    li a0, 1
    ret
`,
    data: `
    .balign 64
disk:
    .zero ${512 * DISK_BLOCKS}
`,
  },
  kv_fill: {
    text: `
# kv_fill(a0 = buffer, a1 = key, a2 = run): the 512-byte value, word j = (run << 16) | (key << 12) | j
kv_fill:
    slli t0, a2, 16
    slli t1, a1, 12
    or t0, t0, t1
    li t1, 0
    li t3, 64
1:
    or t2, t0, t1
    slli t4, t1, 3
    add t4, a0, t4
    sd t2, 0(t4)
    addi t1, t1, 1
    bltu t1, t3, 1b
    ret

# kv_check(a0 = buffer, a1 = key, a2 = run) -> a0 = 0 when every word is the value's
kv_check:
    slli t0, a2, 16
    slli t1, a1, 12
    or t0, t0, t1
    addi t3, a0, 512
1:
    ld t2, 0(a0)
    bne t2, t0, 9f
    addi t0, t0, 1
    addi a0, a0, 8
    bltu a0, t3, 1b
    li a0, 0
    ret
9:
    li a0, 1
    ret
`,
  },
  http_client: {
    text: `
# http_request(a0 = buffer, a1 = file): the 64-byte request for /file<N>.html
http_request:
    la t0, http_req_tmpl
    li t1, 0
1:
    add t2, t0, t1
    ld t3, 0(t2)
    add t2, a0, t1
    sd t3, 0(t2)
    addi t1, t1, 8
    li t2, 64
    bltu t1, t2, 1b
    addi t0, a1, 48
    sb t0, ${REQUEST_DIGIT}(a0)
    ret

# http_check(a0 = buffer, a1 = file) -> a0 = 0 when the response starts "HTTP/1.1" and carries the file
http_check:
    ld t0, 0(a0)
    la t1, http_magic
    ld t1, 0(t1)
    bne t0, t1, 9f
    ld t0, 64(a0)
    slli t1, a1, 32
    bne t0, t1, 9f
    li a0, 0
    ret
9:
    li a0, 1
    ret
`,
    data: `
    .balign 8
http_req_tmpl:
${bytesDirective(REQUEST)}
http_magic:
${bytesDirective('HTTP/1.1')}
`,
  },
  http_parse: {
    text: `
# http_parse(a0 = request) -> a0 = the file number (last digit of the path), -1 not a GET or not a
# well-formed 64-byte request (every byte is read: no NUL, the last four are CR LF CR LF)
http_parse:
    addi t1, a0, 64
    mv t2, a0
7:
    lbu t3, 0(t2)
    beqz t3, 9f
    addi t2, t2, 1
    bltu t2, t1, 7b
    lwu t3, 60(a0)
    li t4, 0x0a0d0a0d
    bne t3, t4, 9f
    lwu t0, 0(a0)
    li t1, 0x20544547         # "GET "
    bne t0, t1, 9f
    addi t1, a0, 4
    li t4, -1
    li t6, 32
1:
    lbu t2, 0(t1)
    beq t2, t6, 2f
    beqz t2, 9f
    addi t3, t2, -48
    li t5, 10
    bgeu t3, t5, 3f
    mv t4, t3
3:
    addi t1, t1, 1
    j 1b
2:
    mv a0, t4
    ret
9:
    li a0, -1
    ret

# http_header(a0 = response, a1 = checksum): the 64-byte header with the checksum in hexadecimal
http_header:
    la t0, http_hdr_tmpl
    li t1, 0
1:
    add t2, t0, t1
    ld t3, 0(t2)
    add t2, a0, t1
    sd t3, 0(t2)
    addi t1, t1, 8
    li t2, 64
    bltu t1, t2, 1b
    addi t5, a0, ${HEADER_HEX + 15}
    li t6, 16
2:
    andi t0, a1, 15
    li t1, 10
    blt t0, t1, 3f
    addi t0, t0, 39
3:
    addi t0, t0, 48
    sb t0, 0(t5)
    addi t5, t5, -1
    srli a1, a1, 4
    addi t6, t6, -1
    bnez t6, 2b
    ret
`,
    data: `
    .balign 8
http_hdr_tmpl:
${bytesDirective(HEADER)}
`,
  },
  cache: {
    text: `
# cache_init(): file f, word j = (f << 32) | j
cache_init:
    la t0, files
    li t1, 0
    li t3, ${FILES * 128}
1:
    srli t2, t1, 7
    slli t2, t2, 32
    andi t4, t1, 127
    or t2, t2, t4
    slli t4, t1, 3
    add t4, t0, t4
    sd t2, 0(t4)
    addi t1, t1, 1
    bltu t1, t3, 1b
    ret

# cache_fill(a0 = file, a1 = response): the 1 KiB file into the response body (after the 64-byte header)
cache_fill:
    andi a0, a0, ${FILES - 1}
    la t0, files
    slli a0, a0, 10
    add t0, t0, a0
    addi t1, a1, 64
    addi t3, t0, 1024
1:
    ld t4, 0(t0)
    sd t4, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    bltu t0, t3, 1b
    ret
`,
    data: `
    .balign 64
files:
    .zero ${FILES * 1024}
`,
  },
  xform: {
    text: `
# xform_sum(a0 = response) -> a0 = checksum of the 1 KiB body: sum = sum * 31 + word
xform_sum:
    addi t0, a0, 64
    addi t3, a0, ${HTTP_RESPONSE}
    li a0, 0
1:
    ld t4, 0(t0)
    slli t1, a0, 5
    sub a0, t1, a0
    add a0, a0, t4
    addi t0, t0, 8
    bltu t0, t3, 1b
    ret
`,
  },
};

function withWork(names: string[], text: string, data = ''): { text: string; data: string } {
  return {
    text: text + names.map((n) => WORK[n].text).join(''),
    data: data + names.map((n) => WORK[n].data ?? '').join(''),
  };
}

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

function clientProgram(mech: Mech, workloads: Workload[], p: BenchParams): ProgramSpec {
  const K = mech === 'kernel';
  const iso = !K && !!p.isolated;
  const XC = (msg: string[]) => xcallSite(iso, msg);
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
    li a0, XENTRY_OW`, XC([]), FAIL_IF_NEGATIVE('a0') + save, record));
  }
  // Round trips: the message (word j = MSG_PATTERN + j) is in a2..a5 up to 32 bytes, else in the IPC
  // buffer / relay segment, filled once before the first round trip; the server checks every word.
  const regs = (bytes: number) => ['a2', 'a3', 'a4', 'a5'].slice(0, bytes <= 32 ? bytes / 8 : 0);
  const regSetup = (bytes: number) => regs(bytes).map((r, j) => `
    li ${r}, ${MSG_PATTERN + j}`).join('');
  const rtIds = SIZES.map((_, i) => ID_RT + i).filter(has);
  if (rtIds.length > 0 || has(ID_RT_POLLUTED)) parts.push(`
    li a0, BUF                # the round trips' message pattern
    li a1, ${Math.max(...SIZES)}
    call msg_fill`);
  const roundTrip = (id: number, bytes: number, title: string, before = '') => {
    if (K) {
      parts.push(measure(p, id, title, before + kcall(SLOT.rt, bytes) + regSetup(bytes), `
    ecall`, FAIL_IF_NONZERO('a0') + FAIL_IF_NE('a1', String(bytes))));
    } else if (bytes <= 32) {
      parts.push(measure(p, id, title, before + `
    li a0, XENTRY_RT
    li a1, ${bytes}` + regSetup(bytes), XC(['a1', ...regs(bytes)]), FAIL_IF_NE('a0', String(bytes))));
    } else {
      parts.push(measure(p, id, title, before + `
    li a0, XENTRY_RT
    li a1, ${bytes}
    li t1, ${bytes}`, `
    csrw xsegmask_len, t1` + XC(['a1']), FAIL_IF_NE('a0', String(bytes))));
    }
  };
  SIZES.forEach((bytes, i) => {
    if (has(ID_RT + i)) roundTrip(ID_RT + i, bytes, `round trip, ${bytes} bytes each way`);
  });
  if (has(ID_RT_POLLUTED)) roundTrip(ID_RT_POLLUTED, 0, 'round trip, 0 bytes, after a cache- and TLB-polluting loop', `
    call bench_pollute`);
  if (has(ID_CHAIN)) {
    const check = `
    li t0, ${K ? 'USER_IPC_BUFFER' : RELAY_VA}
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
    li t0, ${RELAY_VA}
    sd s8, 0(t0)
    li a0, XENTRY_CHAIN_B
    li t1, 4096`, `
    csrw xsegmask_len, t1` + XC([]), FAIL_IF_NE('a0', '4096') + check));
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
    li a0, XENTRY_KV_FS
    li a1, ${OP_PUT}
    mv a2, s1
    li t1, 512
    csrw xsegmask_len, t1${XC(['a1', 'a2'])}${FAIL_IF_NE('a0', '0')}`;
    const get = K
      ? `
    li a0, ${SLOT.kv}
    li a1, 0
    li a2, ${OP_GET}
    mv a3, s1
    li a7, SYS_CALL
    ecall${FAIL_IF_NONZERO('a0')}${FAIL_IF_NE('a1', '512')}`
      : `
    li a0, XENTRY_KV_FS
    li a1, ${OP_GET}
    mv a2, s1
    li t1, 512
    csrw xsegmask_len, t1${XC(['a1', 'a2'])}${FAIL_IF_NE('a0', '512')}`;
    parts.push(measure(p, ID_KV, `key-value store: ${KV_REQUESTS} requests (put, get of 4 keys)`, '', `
    li s0, 0
kv_req:
    srli s1, s0, 1            # key: each is put, then got
    andi t0, s0, 1
    bnez t0, kv_get
    li a0, BUF
    mv a1, s1
    mv a2, s8
    call kv_fill${put}
    j kv_next
kv_get:${get}
    li a0, BUF
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
    li a0, XENTRY_HTTP_PARSER
    li t1, ${HTTP_RESPONSE}
    csrw xsegmask_len, t1${XC([])}${FAIL_IF_NE('a0', String(HTTP_RESPONSE))}`;
    parts.push(measure(p, ID_HTTP, `HTTP: ${HTTP_REQUESTS} requests for 1 KiB files`, '', `
    li s0, 0
http_req:
    andi s1, s0, ${FILES - 1}
    li a0, BUF
    mv a1, s1
    call http_request${send}
    li a0, BUF
    mv a1, s1
    call http_check${FAIL_IF_NONZERO('a0')}
    addi s0, s0, 1
    li t0, ${HTTP_REQUESTS}
    bltu s0, t0, http_req`, ''));
  }

  const setupXpc = K ? '' : `
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
    .equ BUF, ${K ? 'USER_IPC_BUFFER' : RELAY_VA}
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
${iso ? ISOLATED_DATA : ''}${has(ID_RT_POLLUTED) ? `    .balign 4096
pollute_area:
    .zero ${POLLUTE_BYTES}
` : ''}`;
  const names = [...(has(ID_KV) ? ['kv_fill'] : []), ...(has(ID_HTTP) ? ['http_client'] : [])];
  const w = withWork(names, text, data);
  const caps = K ? Object.entries({ ow: 'ep_ow', rt: 'ep_rt', chain: 'ep_chain', kv: 'ep_kv', http: 'ep_http' })
    .filter(([k]) => ({ ow: has(ID_CALL), rt: true, chain: has(ID_CHAIN), kv: has(ID_KV), http: has(ID_HTTP) } as Record<string, boolean>)[k])
    .map(([k, ep]) => ({ slot: SLOT[k as keyof typeof SLOT], endpoint: ep, badge: 1 })) : [];
  return { name: 'client', prio: 1, caps, text: w.text, data: w.data };
}

// ---------------------------------------------------------------------------------------------------
// Servers. Kernel IPC: receive on slot 0, serve, reply_recv. XPC: the thread waits for ever on an idle
// endpoint; the work is done by handlers that callers' threads run through the x-entries.

interface ServerDef {
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

const recvFirst = `
    li a0, 0
    li a7, SYS_RECV
    ecall`;
const replyRecv = `
    li a0, 0
    li a7, SYS_REPLY_RECV
    ecall`;

function serverDefs(iso: boolean, copyRelay = false): ServerDef[] {
  const XC = (msg: string[], comment = '') => xcallSite(iso, msg, comment);
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
    li t0, 32
    bleu a1, t0, 1f
    csrr t0, uxseg_len        # the segment handed over is exactly the message
    bne t0, a1, 8f
1:${copyRelay ? `
    li t0, 32
    bleu s0, t0, 2f${copy('csrr a0, uxseg_va', 'la a1, rt_private')}        # the ablation: a private copy of the message
2:
    la a0, rt_private` : `
    csrr a0, uxseg_va`}
    mv a1, s0
    call msg_check            # every word of the message is read and checked
    bnez a0, 8f${copyRelay ? `
    li t0, 32
    bleu s0, t0, 3f${copy('la a0, rt_private', 'csrr a1, uxseg_va')}        # and the reply copied back
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
    csrr a0, uxseg_va         # check every word after the sequence word
    addi a0, a0, 8
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    csrr t0, uxseg_va         # add 1 to the sequence word, hand the segment on to C
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    li a0, XENTRY_CHAIN_C${XC([])}
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
    csrr a0, uxseg_va
    addi a0, a0, 8
    li a1, 4088
    li a2, ${MSG_PATTERN + 1}
    call words_check
    bnez a0, 8f
    csrr t0, uxseg_va
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
8:
    csrr a0, uxseg_len
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
    li a0, XENTRY_KV_DISK${XC(['a1', 'a2'])}
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
    csrr a2, uxseg_va
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
    csrr a0, uxseg_va
    call http_parse
    bltz a0, 8f
    mv a1, a0
    li a0, XENTRY_HTTP_CACHE${XC(['a1'], 'a0 = checksum')}
    mv a1, a0
    csrr a0, uxseg_va
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
    csrr a1, uxseg_va
    call cache_fill
    li a0, XENTRY_HTTP_XFORM${XC([])}
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
    csrr a0, uxseg_va
    call xform_sum
    ld ra, 0(sp)
    addi sp, sp, 16
    ret`,
    entries: [{ name: 'http_xform', handler: 'xform_handler', grants: ['http_cache'] }],
  },
  ];
}

/** Which servers a set of workloads needs. */
function serversFor(workloads: Workload[], iso: boolean, copyRelay: boolean): ServerDef[] {
  const has = (id: number) => workloads.some((w) => w.id === id);
  const need = new Set<string>(['srv_rt']);
  if (has(ID_CALL)) need.add('srv_ow');
  if (has(ID_CHAIN)) ['chain_b', 'chain_c'].forEach((n) => need.add(n));
  if (has(ID_KV)) ['kv_fs', 'kv_disk'].forEach((n) => need.add(n));
  if (has(ID_HTTP)) ['http_parser', 'http_cache', 'http_xform'].forEach((n) => need.add(n));
  return serverDefs(iso, copyRelay).filter((s) => need.has(s.name));
}

export interface BenchPrograms {
  programs: ProgramSpec[];
  endpoints: string[];
  xentries: { name: string; owner: string; handler: string; contexts: number; grants: string[] }[];
}

export function benchPrograms(mech: Mech, workloads: Workload[], p: BenchParams): BenchPrograms {
  const iso = mech === 'xpc' && !!p.isolated;
  const copyRelay = mech === 'xpc' && !!p.copyRelay;
  const servers = serversFor(workloads, iso, copyRelay);
  const programs: ProgramSpec[] = [];
  for (const s of servers) {
    const w = withWork(s.work, '');
    if (mech === 'kernel') {
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
    } else {
      programs.push({
        name: s.name,
        prio: 2,
        caps: [{ slot: 0, endpoint: 'idle' }],
        text: `
main:${s.init ?? ''}
    li a0, 0                  # serves through its x-entries only: the thread itself waits for ever
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
        data: w.data + (iso && s.xpc.includes('xpc_caller_save') ? ISOLATED_DATA : '') + (s.xpc.includes('call rt_copy') ? `
    .balign 64
rt_private:
    .zero 4096
` : ''),
      });
    }
  }
  programs.push(clientProgram(mech, workloads, p));
  if (mech === 'kernel') {
    const endpoints = servers.map((s) => s.endpoint);
    return { programs, endpoints, xentries: [] };
  }
  const xentries = servers.flatMap((s) => s.entries.map((e) => ({ name: e.name, owner: s.name, handler: e.handler, contexts: 1, grants: e.grants })));
  return { programs, endpoints: ['idle'], xentries };
}
