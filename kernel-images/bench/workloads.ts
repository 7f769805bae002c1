// The IPC benchmark's workloads: what each measures, under which mechanism, and the labels that mark
// its measured window in the generated programs. Shared by the program generator (programs.ts) and
// the host side (tools/bench/ipc.ts), so the two cannot disagree on ids, names or labels.
//
// Every measured window is bracketed by counter reads in a user program, as sel4bench does:
//
//     rdinstret i0 ; rdcycle c0 ; <window start label> ... <window end label> rdcycle c1 ; rdinstret i1
//
// so `c1 - c0` is the cycles of the first rdcycle plus everything in the window; the counter overhead
// (the same sequence with an empty window, workload `overhead`) is measured separately and its minimum
// subtracted. The window start label is the first instruction after `rdcycle c0`, the end label the
// `rdcycle c1` itself: a trace region `start..<end` covers exactly what the counters measured.

/**
 * The IPC mechanisms the benchmark compares: kernel IPC, XPC, call gates, address-space lists
 * (docs/mechanisms.md), protection-key domains in one process (kernel-images/pkey-domains.ts).
 */
export type Mech = 'kernel' | 'xpc' | 'gate' | 'asl' | 'pkey';
export const MECHS: readonly Mech[] = ['kernel', 'xpc', 'gate', 'asl', 'pkey'];

/** Message sizes of the `roundtrip` sweep (bytes): 0 and 32 fit the message registers a2..a5. */
export const SIZES = [0, 32, 64, 256, 1024, 4096] as const;

/** Requests in one measured run of an application workload. */
export const KV_REQUESTS = 8;
export const HTTP_REQUESTS = 4;

export interface Window {
  /** Program (process name) whose code holds the label. */
  program: string;
  label: string;
}

export interface Workload {
  /** Number the client stores with each sample. */
  id: number;
  name: string;
  mech: Mech;
  /** Message bytes (0 for the null system call and the one-way 0-byte calls). */
  bytes: number;
  /** Where the measured window starts and ends (for the trace). */
  start: Window;
  end: Window;
  /** Requests per measured run (application workloads). */
  requests?: number;
  description: string;
}

export const ID_OVERHEAD = 0;
export const ID_NULL = 1;
export const ID_CALL = 2;
export const ID_REPLY = 3;
export const ID_RT = 10; // + index in SIZES
export const ID_RT_POLLUTED = 16;
export const ID_CHAIN = 20;
export const ID_KV = 30;
export const ID_HTTP = 31;

const c = (label: string): Window => ({ program: 'client', label });

/** The workloads one image runs (its client program measures them in this order). */
export function workloadsFor(mech: Mech, opts: { only?: 'ipc' } = {}): Workload[] {
  const w: Workload[] = [];
  const add = (x: Workload) => w.push(x);
  add({ id: ID_OVERHEAD, name: 'overhead', mech, bytes: 0, start: c('w0_start'), end: c('w0_end'), description: 'counter reads around an empty window' });
  if (opts.only !== 'ipc' && mech === 'kernel') {
    add({ id: ID_NULL, name: 'null-syscall', mech, bytes: 0, start: c('w1_start'), end: c('w1_end'), description: 'getpid: trap in, dispatch, trap out' });
  }
  const srv = mech === 'pkey' ? 'client' : 'srv_ow'; // pkey: every domain lives in the client's process
  add({ id: ID_CALL, name: 'call', mech, bytes: 0, start: c('w2_start'), end: { program: srv, label: 'ow_call_end' }, description: 'one-way: client call until the server runs its first instruction' });
  add({ id: ID_REPLY, name: 'reply', mech, bytes: 0, start: { program: srv, label: 'ow_reply_start' }, end: c('w2_end'), description: 'one-way: server reply until the client runs again' });
  SIZES.forEach((bytes, i) => {
    const id = ID_RT + i;
    add({ id, name: 'roundtrip', mech, bytes, start: c(`w${id}_start`), end: c(`w${id}_end`), description: `call and reply with ${bytes}-byte messages both ways` });
  });
  add({ id: ID_RT_POLLUTED, name: 'roundtrip-polluted', mech, bytes: 0, start: c(`w${ID_RT_POLLUTED}_start`), end: c(`w${ID_RT_POLLUTED}_end`), description: 'a 0-byte round trip right after a loop that evicts the L1 caches and the TLB' });
  if (opts.only !== 'ipc') {
    add({ id: ID_CHAIN, name: 'chain-4k', mech, bytes: 4096, start: c(`w${ID_CHAIN}_start`), end: c(`w${ID_CHAIN}_end`), description: 'A -> B -> C and back, 4 KiB handed along' });
    add({ id: ID_KV, name: 'kv-app', mech, bytes: 512, requests: KV_REQUESTS, start: c(`w${ID_KV}_start`), end: c(`w${ID_KV}_end`), description: `key-value client -> file system -> RAM disk, ${KV_REQUESTS} requests (put/get of 512-byte values)` });
    add({ id: ID_HTTP, name: 'http-app', mech, bytes: 1088, requests: HTTP_REQUESTS, start: c(`w${ID_HTTP}_start`), end: c(`w${ID_HTTP}_end`), description: `HTTP request -> parser -> file cache -> checksum transform, ${HTTP_REQUESTS} requests (1 KiB files)` });
  }
  return w;
}
