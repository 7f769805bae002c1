// What the IPC benchmark's programs share (kernel-images/bench/): the message pattern, the relay segment,
// the XPC call site (with the isolated caller's stub), and the work the servers do under both mechanisms
// (file-system lookup, RAM-disk block copy, HTTP parsing, file cache, checksum): the same functions under
// kernel IPC and XPC, so only the way requests arrive and replies leave differs.

export const RELAY_VA = 0x1000_0000;
export const RELAY_BYTES = 8192;
export const OP_PUT = 1;
export const OP_GET = 2;
export const DISK_BLOCKS = 8;
export const DIR_ENTRIES = 8;
export const FILES = 4;
/** HTTP response: a 64-byte header, then the 1 KiB file. */
export const HTTP_RESPONSE = 64 + 1024;

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
export const CALLEE_SAVED = ['ra', 'gp', 'tp', 's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11'];

/**
 * The mechanisms whose calls run the callee's handler on the caller's thread (a migrating-thread model):
 * XPC (xcall/xret), call gates (gcall/gret), address-space lists (aslswitch through the kernel's
 * trampoline), protection-key domains (a rights write through the gate). Their servers share one set of
 * handlers (servers.ts); what differs is how an entry is named, where a long message lies, and the call.
 */
export type CallMech = 'xpc' | 'gate' | 'asl' | 'pkey';

/** Shared message frame of the gate and address-space-list systems (USER_SHARED_MIN: map_shared's range). */
export const MSG_VA = 0x40_0000;
export const MSG_BYTES = 8192;
/** Capability slot of that frame in every program of those systems. */
export const MSG_SLOT = 1;
/** The entries of the benchmark's servers, in a fixed order: their index is an entry's ASL binding slot. */
export const ENTRY_NAMES = ['ow', 'rt', 'chain_b', 'chain_c', 'kv_fs', 'kv_disk', 'http_parser', 'http_cache', 'http_xform'] as const;
/** Bytes per binding (address-space lists): index, key, return index, return key. */
export const ASL_BIND_BYTES = 32;
/** The kernel's trampoline page (kernel-images/kernel/asl.ts ASL_TRAMP_VA). */
export const ASL_TRAMP = 0x80_0000;

const ENTRY_PREFIX: Record<CallMech, string> = { xpc: 'XENTRY', gate: 'GATE', asl: 'ASLB', pkey: '' };

/** Set a0 to the callee entry `name` (before the counters): an x-entry id, a gate id, an ASL binding slot, a domain gate. */
export function entryId(m: CallMech, name: string): string {
  return m === 'pkey' ? `la a0, pkey_gate_${name}` : `li a0, ${ENTRY_PREFIX[m]}_${name.toUpperCase()}`;
}

/** `reg` = where a long message lies: XPC's relay segment handed over, else the shared message buffer. */
export function segVa(m: CallMech, reg: string): string {
  return m === 'xpc' ? `csrr ${reg}, uxseg_va` : m === 'pkey' ? `la ${reg}, pk_msg` : `li ${reg}, MSG_VA`;
}

/** XPC only: the caller hands over the first `reg` bytes of its relay segment. */
export function segMaskLen(m: CallMech, reg: string): string {
  return m === 'xpc' ? `
    csrw xsegmask_len, ${reg}` : '';
}

/** The call itself, entry in a0 (entryId), arguments a1..a7. */
function callInsns(m: CallMech, comment: string): string {
  const c = comment ? `                  # ${comment}` : '';
  switch (m) {
    case 'xpc': return `
    xcall a0${c}`;
    case 'gate': return `
    gcall a0${c}`;
    case 'asl': return `
    la t0, asl_binds          # the binding: target index and key, the index and key to come back with${c}
    slli t1, a0, 5
    add t0, t0, t1
    ld t1, 0(t0)
    ld t2, 8(t0)
    ld t3, 16(t0)
    ld t4, 24(t0)
    li t0, ${ASL_TRAMP}
    jalr t0`;
    case 'pkey': return `
    jalr a0                   # through the domain's gate (kernel-images/pkey-domains.ts)${c}`;
  }
}

/**
 * A call of entry a0 with the message in `msg` (registers); with `isolated` the caller stub of an
 * untrusting caller: ra, gp, tp, s0..s11 and sp saved in the program's save area (the callee may leave
 * any of them changed; one page, so after the return's address-space switch one page walk reaches them
 * all), then every register but a0 and the message set to 0 (nothing of the caller's reaches the
 * callee), the call, and everything reloaded. One call in flight per program: one thread per process.
 */
export function callSite(m: CallMech, isolated: boolean, msg: string[], comment = ''): string {
  const call = callInsns(m, comment);
  if (!isolated) return call;
  const saved = [...CALLEE_SAVED, 'sp'];
  // Address-space lists: the kernel's trampoline keeps the caller's registers on the caller's stack (in
  // the caller's space, out of the callee's reach), so sp stays; its value tells the callee nothing.
  const scrub = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', ...saved]
    .filter((r) => !msg.includes(r) && !(m === 'asl' && r === 'sp'));
  return `
    la t0, xpc_caller_save    # isolated caller stub: save, scrub, call, reload
${saved.map((r, i) => `    sd ${r}, ${8 * i}(t0)`).join('\n')}
${scrub.map((r) => `    li ${r}, 0`).join('\n')}${call}
    la t0, xpc_caller_save
${saved.map((r, i) => `    ld ${r}, ${8 * i}(t0)`).join('\n')}`;
}

/** The XPC call site (callSite with xcall). */
export function xcallSite(isolated: boolean, msg: string[], comment = ''): string {
  return callSite('xpc', isolated, msg, comment);
}
// The save area sits at offset 0xc00 of its page: off the D-cache sets that page-aligned data uses
// (page-table lines, the first lines of a relay-segment message, docs/kernel.md section 2).
export const ISOLATED_DATA = `
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

export const WORK: Record<string, { text: string; data?: string }> = {
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

export function withWork(names: string[], text: string, data = ''): { text: string; data: string } {
  return {
    text: text + names.map((n) => WORK[n].text).join(''),
    data: data + names.map((n) => WORK[n].data ?? '').join(''),
  };
}
