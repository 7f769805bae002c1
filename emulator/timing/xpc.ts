// The XPC engine's cost in the core timing model (docs/xpc.md §7). The machine reports what the engine
// did (CommitRecord.xpcEvent and the physical addresses it touched); this file turns those steps into
// cycles through the core's own D-cache model, an x-entry cache of its own, and the pipeline redirect.
// Nothing here is a per-instruction constant: a warm and a cold xcall differ by the accesses they miss.

import {
  XPC_EV_CAP_READ,
  XPC_EV_ENTRY_READ,
  XPC_EV_LINK_POP,
  XPC_EV_LINK_PUSH,
  XPC_EV_PREFETCH,
  XPC_EV_SATP_SWITCH,
  XPC_EV_SEGLIST,
  type CommitRecord,
} from '../types.js';

export interface XpcTimingParams {
  /** x-entries the engine caches (fully associative, LRU); 0 = no engine cache. */
  entryCacheEntries: number;
  /** The linkage push stalls the pipeline until the record is written (false: it drains from a write buffer). */
  linkPushBlocking: boolean;
  /** Bytes the engine moves through the D-cache port per cycle (Rocket's D-cache row is 64 bits). */
  portBytes: number;
  /** Bytes of a linkage record the push writes (the pop reads all but the two reserved words). */
  linkRecordBytes: number;
  /** A write of xsegmask_off/xsegmask_len flushes the pipeline like other CSR writes (false: it does not). */
  segMaskFlush: boolean;
}

/** Defaults and why: docs/xpc.md §7. */
export const XPC_TIMING_DEFAULTS: Readonly<XpcTimingParams> = Object.freeze({
  entryCacheEntries: 16,
  linkPushBlocking: false,
  portBytes: 8,
  linkRecordBytes: 128,
  segMaskFlush: true,
});

/** What the cost model needs from the core model it is part of. */
export interface XpcCorePort {
  /** One access of [paddr, paddr + size) through the core's D-cache; returns the cycles its misses add (0 on hits). */
  dataAccess(paddr: number, size: number): number;
  /** Cycles from a D-cache read's issue to its data (a dependent step waits that long). */
  loadLatency: number;
  /** Dead cycles while the pipeline refetches from a pc written at commit (like mret/sret). */
  redirectPenalty: number;
}

/** Bytes of each structure the engine actually reads or writes (docs/xpc.md §3, §4). */
const ENTRY_READ_BYTES = 48; // satp, pc, xcap, seglist, seglist size, flags
// Linkage record: xpc.linkRecordBytes (128: the whole record, reserved words included) pushed, all
// but the two reserved words (up to and including the flags word) read back by the pop.
const LINK_RESERVED_BYTES = 16;
const SEGLIST_BYTES = 32;

/** Names of the steps in `lastBreakdown`. */
export const XPC_STEP_NAMES = ['cap', 'entry', 'push', 'pop', 'seglist', 'redirect'] as const;
const STEP_CAP = 0;
const STEP_ENTRY = 1;
const STEP_PUSH = 2;
const STEP_POP = 3;
const STEP_SEGLIST = 4;
const STEP_REDIRECT = 5;

/** lastEntryCache values. */
export const ENTRY_CACHE_NONE = 0;
export const ENTRY_CACHE_HIT = 1;
export const ENTRY_CACHE_MISS = 2;

export class XpcCostModel {
  readonly params: XpcTimingParams;
  private readonly port: XpcCorePort;
  /** Engine cache: physical address of each cached x-entry (NaN = empty) and LRU stamps. */
  private readonly entryTags: Float64Array;
  private readonly entryStamps: Float64Array;
  private clock = 0;
  /** Cycles of each step (XPC_STEP_NAMES order) of the last costed instruction. */
  readonly lastBreakdown = new Float64Array(XPC_STEP_NAMES.length);
  /** Whether the last instruction's x-entry came from the engine cache (ENTRY_CACHE_*). */
  lastEntryCache = ENTRY_CACHE_NONE;
  /** Totals since reset: x-entry lookups that hit and missed the engine cache. */
  entryHits = 0;
  entryMisses = 0;

  constructor(params: Partial<XpcTimingParams>, port: XpcCorePort) {
    this.params = { ...XPC_TIMING_DEFAULTS, ...params };
    const n = this.params.entryCacheEntries;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`xpc.entryCacheEntries must be a non-negative integer (got ${n})`);
    if (!Number.isInteger(this.params.portBytes) || this.params.portBytes < 1) {
      throw new RangeError(`xpc.portBytes must be a positive integer (got ${this.params.portBytes})`);
    }
    this.port = port;
    this.entryTags = new Float64Array(n).fill(NaN);
    this.entryStamps = new Float64Array(n);
  }

  /** Cold engine cache, zero counters. */
  reset(): void {
    this.entryTags.fill(NaN);
    this.entryStamps.fill(0);
    this.clock = 0;
    this.entryHits = this.entryMisses = 0;
    this.lastBreakdown.fill(0);
    this.lastEntryCache = ENTRY_CACHE_NONE;
  }

  /** Look the entry up in the engine cache, installing it on a miss. */
  private entryCached(paddr: number): boolean {
    const tags = this.entryTags;
    if (tags.length === 0) return false;
    // Empty slots have stamp 0, so the least recently used slot is an empty one while any is left.
    let victim = 0;
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] === paddr) {
        this.entryStamps[i] = ++this.clock;
        return true;
      }
      if (this.entryStamps[i] < this.entryStamps[victim]) victim = i;
    }
    tags[victim] = paddr;
    this.entryStamps[victim] = ++this.clock;
    return false;
  }

  /** Cycles to stream `bytes` through the D-cache port once the first beat has issued. */
  private beats(bytes: number): number {
    return Math.ceil(bytes / this.params.portBytes);
  }

  /**
   * Extra cycles (beyond the instruction's issue slot) of the XPC instruction in `rec`. The engine works
   * its steps in order, each waiting for the one before (docs/xpc.md §4 orders the checks): a read costs
   * its beats plus the load latency for the data it decides on, plus whatever its lines miss.
   */
  cost(rec: CommitRecord): number {
    const ev = rec.xpcEvent;
    const b = this.lastBreakdown;
    b.fill(0);
    this.lastEntryCache = ENTRY_CACHE_NONE;
    if (ev === 0) return 0;
    const port = this.port;
    const lat = port.loadLatency;

    if ((ev & XPC_EV_CAP_READ) !== 0) b[STEP_CAP] = port.dataAccess(rec.xpcCapPa, 1) + lat;

    if ((ev & XPC_EV_ENTRY_READ) !== 0) {
      const hit = this.entryCached(rec.xpcEntryPa);
      if ((ev & XPC_EV_PREFETCH) !== 0) {
        // xprefetch: the entry is fetched in the background; only a D-cache miss blocks (Rocket's
        // D-cache is blocking).
        if (!hit) b[STEP_ENTRY] = port.dataAccess(rec.xpcEntryPa, ENTRY_READ_BYTES);
      } else {
        this.lastEntryCache = hit ? ENTRY_CACHE_HIT : ENTRY_CACHE_MISS;
        if (hit) this.entryHits++;
        else {
          this.entryMisses++;
          b[STEP_ENTRY] = port.dataAccess(rec.xpcEntryPa, ENTRY_READ_BYTES) + this.beats(ENTRY_READ_BYTES) - 1 + lat;
        }
      }
    }

    if ((ev & XPC_EV_LINK_PUSH) !== 0) {
      // The record's lines are allocated either way; only a blocking push makes the pipeline wait.
      const push = this.params.linkRecordBytes;
      const miss = port.dataAccess(rec.xpcLinkPa, push);
      if (this.params.linkPushBlocking) b[STEP_PUSH] = miss + this.beats(push);
    }

    if ((ev & XPC_EV_LINK_POP) !== 0) {
      // Read the record (its flags decide), then clear its valid bit.
      const pop = Math.max(8, this.params.linkRecordBytes - LINK_RESERVED_BYTES);
      b[STEP_POP] = port.dataAccess(rec.xpcLinkPa, pop) + this.beats(pop) - 1 + lat + 1;
    }

    if ((ev & XPC_EV_SEGLIST) !== 0) {
      // swapseg: read the entry, write the active segment back into it.
      b[STEP_SEGLIST] = port.dataAccess(rec.xpcSegListPa, SEGLIST_BYTES) + 2 * this.beats(SEGLIST_BYTES) - 1 + lat;
    }

    // A switch of satp redirects the pipeline to a pc known only at commit, in a new address space. The
    // TLB flush (or not, with ASID tagging) is the core's business: it sees satp among the CSR writes.
    if ((ev & XPC_EV_SATP_SWITCH) !== 0 && !rec.trapped) b[STEP_REDIRECT] = port.redirectPenalty;

    let total = 0;
    for (let i = 0; i < b.length; i++) total += b[i];
    return total;
  }
}
