// Everything the kernel's assembly and the tests must agree on, defined once: the memory map, the
// system-call numbers and error codes, object types and states, and the struct layouts (TCB, endpoint,
// notification, capability slot, x-entry, linkage record, seg-list entry). The kernel emits these as
// `.equ` lines; tests and docs import them from here.

import { StructLayout } from './builder.js';

// ---------------------------------------------------------------------------------------------------
// Physical memory map (the rvx / Spike machine)
export const RAM_BASE = 0x8000_0000;
export const CLINT_BASE = 0x0200_0000;
export const CLINT_MTIMECMP = CLINT_BASE + 0x4000;
export const CLINT_MTIME = CLINT_BASE + 0xbff8;
export const UART_BASE = 0x1000_0000;

// Kernel virtual memory: RAM is mapped 1:1 by a 1 GiB page (VA = PA, no U bit) in every address space;
// the low gigabyte of physical address space (CLINT, UART) is mapped at KERNEL_MMIO_VA, also without U.
export const KERNEL_MMIO_VA = 0xc000_0000;
export const PAGE_SIZE = 4096;

// User virtual memory (every process has the same layout).
export const USER_BASE = 0x1_0000; // program image: text from here, data from the page-aligned `_udata`
export const USER_IMAGE_MAX = 0x10_0000 - USER_BASE; // image must end below 1 MiB
export const USER_STACK_PAGES = 4;
export const USER_STACK_TOP = 0x20_0000; // stack grows down from here
export const USER_STACK_GUARD = USER_STACK_TOP - (USER_STACK_PAGES + 1) * PAGE_SIZE; // unmapped page
export const USER_IPC_BUFFER = 0x30_0000; // one page: the long-message buffer of the thread
export const USER_SHARED_MIN = 0x40_0000; // map_shared targets: [USER_SHARED_MIN, USER_SHARED_MAX)
export const USER_SHARED_MAX = 0x80_0000;
// XPC contexts: entry e, context c owns the slot at USER_XCTX_BASE + (e*MAX_XCTX + c) * USER_XCTX_STRIDE:
// an unmapped guard page, then the context page (the handler's stack, growing down from the context's
// local data at XCTX_DATA_OFF). The base is 32 pages above the 2 MiB boundary so that the level-0 PTEs of
// the first entries' context pages are not on line 0 of their page-table page (see LINE_BYTES below).
export const USER_XCTX_BASE = 0x82_0000;
export const USER_XCTX_STRIDE = 2 * PAGE_SIZE;
export const USER_RELAY_MIN = 0x1000_0000; // relay segments live here (translated by the XPC engine)
export const USER_RELAY_MAX = 0x2000_0000;
export const USER_VA_LIMIT = 0x40_0000_0000; // Sv39 user half: below 256 GiB

export const MAX_MESSAGE = 4096; // long IPC messages, through the IPC buffer
export const MSG_REGS = 4; // a2..a5
export const MAX_PROCS = 16;
export const MAX_ENDPOINTS = 16;
export const MAX_NOTIFICATIONS = 8;
export const CAP_SLOTS = 16;
export const NUM_PRIOS = 4; // 0 = lowest, NUM_PRIOS-1 = highest
export const MAX_XENTRIES = 64;
export const MAX_XCTX = 16; // contexts per x-entry
export const SEGLIST_ENTRIES = 8;

// ---------------------------------------------------------------------------------------------------
// Where small per-thread structures sit inside their pages. The L1 D-cache (docs/cycle-model.md: 16 KiB,
// 4 ways, 64-byte lines) is indexed by physical address bits 11:6, i.e. by the offset inside a page: every
// structure that starts on a page boundary lands in set 0. Line 0 of every page-table page is hot on an
// address-space switch (the root and level-1 entries that map the low user addresses live there, and with
// no ASIDs every switch walks them again), and with two processes those four lines already fill set 0's
// four ways. So nothing else that an IPC or XPC path touches starts at offset 0: each structure gets
// its own lines, away from line 0 and from the others it is used with.
export const LINE_BYTES = 64;
/** One page per process holds its xcall-capability bitmap and its seg-list, on separate lines. */
export const XPC_PAGE_XCAP_OFF = 0x140; // bitmap (MAX_XENTRIES bits = 8 bytes): set 5
export const XPC_PAGE_SEGLIST_OFF = 0x400; // SEGLIST_ENTRIES * 32 bytes: sets 16..19
/** The link stack: its own page, records from this offset (the first record on sets 2-3) to the page end. */
export const LINK_STACK_OFF = 0x80;
export const LINK_STACK_RECORDS = 31; // (4096 - LINK_STACK_OFF) / 128
/**
 * The kernel's object arrays (x-entry table, TCBs, endpoints, ...) start this far past a page boundary
 * (kernel data.ts), so the endpoint array and the register lines of TCBs 0, 4, 8, 12 do not share set
 * 0 with the page tables (they did: the fastpath's endpoint line evicted a page-table line on every
 * round trip). TCBs are 16 lines long, so TCB k covers sets OFF/64 + 16 (k mod 4) and on; the lines that
 * wrap onto sets 0-1 are the last capability slots of TCBs 3, 7, 11, 15 (cold).
 */
export const KERNEL_OBJECTS_OFF = 2 * LINE_BYTES;
/** User data (`_udata`, page aligned) starts one line in: line 0 of its page stays the page tables'. */
export const USER_DATA_OFF = LINE_BYTES;
/**
 * An XPC context's local data (XContext) sits at this offset of its context page, off the lines that
 * stack tops and the stack's level-0 PTEs use (the end of a page); the handler's stack grows down from it.
 */
export const XCTX_DATA_OFF = 0xf00;
/** log2 of the bytes of context slots per x-entry (MAX_XCTX * USER_XCTX_STRIDE). */
export const XCTX_ENTRY_SHIFT = 17;
/** Virtual address of the local data of context `ctx` of x-entry `entry` (in the entry owner's space). */
export function xctxDataVa(entry: number, ctx: number): number {
  return USER_XCTX_BASE + (entry * MAX_XCTX + ctx) * USER_XCTX_STRIDE + PAGE_SIZE + XCTX_DATA_OFF;
}

// ---------------------------------------------------------------------------------------------------
// System calls: number in a7, arguments a0..a5, result (or negative error) in a0.
export const SYS = {
  putc: 0,
  write: 1,
  yield: 2,
  exit: 3,
  call: 4,
  reply_recv: 5,
  send: 6,
  recv: 7,
  reply: 8,
  signal: 9,
  wait: 10,
  map_shared: 11,
  xpc_register: 12,
  xpc_grant: 13,
  xpc_relay_alloc: 14,
  xpc_relay_free: 15,
  getpid: 16,
  xpc_revoke: 17,
} as const;
export type SyscallName = keyof typeof SYS;

export const ERR = {
  INVAL: -1, // a bad argument (length, alignment, number out of range)
  CAP: -2, // the capability slot is empty or holds the wrong kind of object
  FAULT: -3, // a user buffer is not mapped user memory
  NOMEM: -4, // out of physical pages or table entries
  NOREPLY: -5, // reply with no caller waiting
  DEAD: -6, // the partner died (caller of a dead server, server of a dead caller)
  BUSY: -7, // an XPC server has no free context
  PERM: -8, // not allowed (granting an entry one does not own)
  NOSYS: -9, // unknown system-call number
  EXISTS: -10, // the target range is already mapped
} as const;

// Capability types.
export const CAP = { EMPTY: 0, ENDPOINT: 1, NOTIFICATION: 2, THREAD: 3, FRAME: 4 } as const;

// Thread states.
export const TS = {
  FREE: 0,
  READY: 1,
  RUNNING: 2,
  BLOCKED_SEND: 3,
  BLOCKED_RECV: 4,
  BLOCKED_REPLY: 5,
  BLOCKED_NOTIF: 6,
  DEAD: 7,
} as const;

// Endpoint queue states (seL4's: idle, senders queued, receivers queued).
export const EPS = { IDLE: 0, SEND: 1, RECV: 2 } as const;

// Flags of a queued sender.
export const SENDF_CALL = 1;

// ---------------------------------------------------------------------------------------------------
// Struct layouts.

export const CapSlot = new StructLayout('cap slot', 'CAP', 'one capability: what it names, with which badge', [
  ['type', 8, 'CAP_* type; 0 = empty'],
  ['obj', 8, 'kernel address of the object (endpoint, notification, TCB) or a frame physical address'],
  ['badge', 8, 'badge delivered to the receiver (endpoints, notifications); page count (frames)'],
  ['rights', 8, 'reserved (all capabilities carry full rights)'],
] as const);

export const Tcb = new StructLayout('TCB', 'TCB', 'thread control block: one thread per process', [
  ['regs', 256, 'saved x0..x31 (x0 slot unused), user context'],
  ['pc', 8, 'saved user pc'],
  ['satp', 8, 'satp to run with (the home space, or a callee space while inside an xcall)'],
  ['home_satp', 8, 'satp of the process own address space'],
  ['root', 8, 'physical address of the root page table'],
  ['state', 8, 'TS_* state'],
  ['prio', 8, 'scheduling priority, 0..NUM_PRIOS-1 (higher runs first)'],
  ['pid', 8, 'process number (index in the TCB table)'],
  ['name', 8, 'address of the zero-terminated process name'],
  ['next', 8, 'link in the ready queue or an endpoint queue'],
  ['blocked_on', 8, 'endpoint or notification the thread waits on'],
  ['reply_to', 8, 'TCB of the caller waiting for this thread to reply (seL4 reply capability)'],
  ['send_badge', 8, 'badge of the capability a queued sender used'],
  ['send_flags', 8, 'SENDF_CALL when the queued send is a call'],
  ['ipcbuf', 8, 'physical address of the IPC buffer page (mapped at USER_IPC_BUFFER)'],
  ['exit_code', 8, 'exit code (after exit)'],
  ['xpc_busy', 8, 'nonzero when the saved XPC state differs from the home state (slow path only)'],
  ['xcap', 8, 'saved xcap CSR (physical address of the xcall capability bitmap; thread identity)'],
  ['home_xcap', 8, 'the process own xcall capability bitmap'],
  ['link_base', 8, 'physical base of the link stack'],
  ['link_top', 8, 'saved xlink_top'],
  ['link_limit', 8, 'physical end of the link stack'],
  ['seglist', 8, 'saved xseglist'],
  ['seglist_size', 8, 'saved xseglist_size'],
  ['home_seglist', 8, 'the process own seg-list (physical)'],
  ['seg_va', 8, 'saved xseg_va'],
  ['seg_pa', 8, 'saved xseg_pa'],
  ['seg_len', 8, 'saved xseg_len'],
  ['seg_perm', 8, 'saved xseg_perm'],
  ['segmask_off', 8, 'saved xsegmask_off'],
  ['segmask_len', 8, 'saved xsegmask_len'],
  ['proc_dead', 8, 'nonzero once the process has died (its thread may still be finishing a callee handler)'],
  ['caps', 16 * 32, 'capability slots (CAP_SLOTS of CAP_SIZE bytes)'],
] as const, 64);

export const Endpoint = new StructLayout('endpoint', 'EP', 'IPC endpoint: a queue of senders or of receivers', [
  ['state', 8, 'EPS_IDLE, EPS_SEND (head..tail are senders) or EPS_RECV (receivers)'],
  ['head', 8, 'first queued TCB'],
  ['tail', 8, 'last queued TCB'],
  ['id', 8, 'endpoint number'],
] as const);

export const Notification = new StructLayout('notification', 'NTFN', 'notification: a word of badge bits and one waiter', [
  ['word', 8, 'pending badge bits (OR of the signallers badges)'],
  ['waiter', 8, 'TCB waiting, or 0'],
  ['active', 8, 'nonzero when signalled since the last wait (seL4 Active state: a badge-0 signal counts too)'],
] as const);

export const XEntry = new StructLayout('x-entry', 'XE', 'XPC x-entry (docs/xpc.md section 3), 64 bytes', [
  ['satp', 8, 'callee satp'],
  ['pc', 8, 'entry pc in the callee'],
  ['xcap', 8, 'callee xcap'],
  ['seglist', 8, 'callee xseglist'],
  ['seglist_size', 8, 'callee xseglist_size'],
  ['flags', 8, 'bit 0 valid'],
  ['owner', 8, 'reserved by docs/xpc.md; rvx kernel: owning TCB'],
  ['nctx', 8, 'reserved by docs/xpc.md; rvx kernel: number of contexts'],
] as const);

export const Linkage = new StructLayout('linkage record', 'LR', 'XPC linkage record (docs/xpc.md section 3), 128 bytes', [
  ['satp', 8, 'caller satp'],
  ['ret_pc', 8, 'return pc'],
  ['xcap', 8, 'caller xcap'],
  ['seglist', 8, 'caller xseglist'],
  ['seglist_size', 8, 'caller xseglist_size'],
  ['seg_va', 8, 'caller relay segment before the call: va'],
  ['seg_pa', 8, 'pa'],
  ['seg_len', 8, 'len'],
  ['seg_perm', 8, 'perm'],
  ['h_va', 8, 'segment handed to the callee: va'],
  ['h_pa', 8, 'pa'],
  ['h_len', 8, 'len'],
  ['h_perm', 8, 'perm'],
  ['flags', 8, 'bit 0 valid'],
  ['res0', 8, 'reserved'],
  ['res1', 8, 'reserved'],
] as const);

export const SegEntry = new StructLayout('seg-list entry', 'SEG', 'XPC seg-list entry (docs/xpc.md section 3), 32 bytes', [
  ['va', 8, 'virtual base'],
  ['pa', 8, 'physical base'],
  ['len', 8, 'length in bytes'],
  ['perm', 8, 'bit 0 read, bit 1 write, bit 2 valid'],
] as const);

/**
 * An XPC context's local data (at XCTX_DATA_OFF of its page; the handler's stack grows down from it). The
 * callee trampoline (ulib.ts) claims a context by swapping a nonzero value into `busy` and saves there
 * the only caller registers it changes (sp, ra); the handler, an ordinary function, preserves s0..s11
 * itself. When the callee dies mid-call, the kernel restores sp and ra from here instead.
 */
export const XContext = new StructLayout('XPC context', 'XC', 'callee trampoline context: claim word and the caller sp, ra', [
  ['busy', 8, 'nonzero while a thread runs in this context (claimed with amoswap, released with 0)'],
  ['sp', 8, 'caller sp'],
  ['ra', 8, 'caller ra'],
  ['res', 8, 'reserved'],
] as const, 16);

/** Boot-module descriptor: one per user program, built by the image builder. */
export const BootModule = new StructLayout('boot module', 'BM', 'a user program embedded in the kernel image', [
  ['image', 8, 'address of the program bytes in the kernel image'],
  ['image_size', 8, 'bytes in the image (loaded at USER_BASE)'],
  ['text_size', 8, 'bytes mapped read/execute (the rest is read/write)'],
  ['mem_size', 8, 'bytes of memory including zero-filled data'],
  ['entry', 8, 'entry pc'],
  ['prio', 8, 'scheduling priority'],
  ['name', 8, 'address of the name string'],
  ['caps', 8, 'address of the capability initialiser list'],
  ['ncaps', 8, 'entries in that list'],
] as const);

/** Capability initialiser (init installs these): slot, type, object index, badge. */
export const CapInit = new StructLayout('cap init', 'CI', 'one capability installed by init', [
  ['slot', 8, 'slot number in the process'],
  ['type', 8, 'CAP_* type'],
  ['index', 8, 'endpoint / notification / process index, or frame page count'],
  ['badge', 8, 'badge (endpoint, notification)'],
] as const);

if (XEntry.size !== 64 || Linkage.size !== 128 || SegEntry.size !== 32 || CapSlot.size !== 32) {
  throw new Error('layout: XPC structure sizes disagree with docs/xpc.md');
}
if (LINK_STACK_OFF + LINK_STACK_RECORDS * Linkage.size > PAGE_SIZE || XPC_PAGE_XCAP_OFF + MAX_XENTRIES / 8 > XPC_PAGE_SEGLIST_OFF
  || XPC_PAGE_SEGLIST_OFF + SEGLIST_ENTRIES * SegEntry.size > PAGE_SIZE) {
  throw new Error('layout: XPC page offsets overlap or overflow their pages');
}
if (MAX_XCTX * USER_XCTX_STRIDE !== 2 ** XCTX_ENTRY_SHIFT || XCTX_DATA_OFF % 16 !== 0 || XCTX_DATA_OFF + XContext.size > PAGE_SIZE
  || USER_XCTX_BASE < USER_SHARED_MAX || USER_XCTX_BASE + MAX_XENTRIES * MAX_XCTX * USER_XCTX_STRIDE > USER_RELAY_MIN) {
  throw new Error('layout: XPC context slots do not fit their window');
}
