// The IPC mechanisms' cost in the core timing model (docs/mechanisms.md, "Timing" of each section),
// next to XPC's (xpc.ts). The machine reports what the engine did (CommitRecord.mechEvent, mechPa); this
// file turns those steps into cycles through the core's own D-cache model and pipeline redirect, with
// the same port the XPC cost model uses. Nothing here is a per-instruction constant.

import { ASL_EV_READ, GATE_EV_LOOKUP, GATE_EV_POP, GATE_EV_PUSH, MECH_EV_SATP_SWITCH } from '../mech/events.js';
import type { CommitRecord } from '../types.js';
import type { XpcCorePort } from './xpc.js';

export interface MechTimingParams {
  /** Cycles of a gate-cache lookup beyond the issue slot (a small CAM, like an L1 TLB: 0). */
  gateLookup: number;
  /** gcall waits until its return record is written (false: it drains from a write buffer, as XPC's link stack). */
  gatePushBlocking: boolean;
  /** Bytes moved through the D-cache port per cycle (Rocket: one 64-bit row). */
  portBytes: number;
  /** Bytes of a gate return record the push writes and the pop reads (the engine's record is 32). */
  gateRecordBytes: number;
  /** Bytes of an address-space-list entry aslswitch reads (satp and key: 16). */
  aslEntryBytes: number;
}

export const MECH_TIMING_DEFAULTS: Readonly<MechTimingParams> = Object.freeze({
  gateLookup: 0,
  gatePushBlocking: false,
  portBytes: 8,
  gateRecordBytes: 32,
  aslEntryBytes: 16,
});

/** Names of the steps in `lastBreakdown`. */
export const MECH_STEP_NAMES = ['lookup', 'push', 'pop', 'list', 'redirect'] as const;

export class MechCostModel {
  readonly params: MechTimingParams;
  readonly lastBreakdown = new Float64Array(MECH_STEP_NAMES.length);

  constructor(params: Partial<MechTimingParams>, private readonly port: XpcCorePort) {
    this.params = { ...MECH_TIMING_DEFAULTS, ...params };
  }

  reset(): void {
    this.lastBreakdown.fill(0);
  }

  private beats(bytes: number): number {
    return Math.ceil(bytes / this.params.portBytes);
  }

  /** Extra cycles (beyond the issue slot) of the mechanism instruction in `rec`; 0 for any other. */
  cost(rec: CommitRecord): number {
    const ev = rec.mechEvent;
    const b = this.lastBreakdown;
    b.fill(0);
    if (ev === 0) return 0;
    const port = this.port;
    if ((ev & GATE_EV_LOOKUP) !== 0) b[0] = this.params.gateLookup;
    if ((ev & GATE_EV_PUSH) !== 0) {
      // The record's lines are allocated either way; only a blocking push makes the pipeline wait.
      const miss = port.dataAccess(rec.mechPa, this.params.gateRecordBytes);
      if (this.params.gatePushBlocking) b[1] = miss + this.beats(this.params.gateRecordBytes);
    }
    // gret reads the record (its valid bit decides), then clears the valid bit.
    if ((ev & GATE_EV_POP) !== 0) b[2] = port.dataAccess(rec.mechPa, this.params.gateRecordBytes) + this.beats(this.params.gateRecordBytes) - 1 + port.loadLatency + 1;
    // aslswitch reads satp and key of the entry before deciding.
    if ((ev & ASL_EV_READ) !== 0) b[3] = port.dataAccess(rec.mechPa, this.params.aslEntryBytes) + this.beats(this.params.aslEntryBytes) - 1 + port.loadLatency;
    // A new satp: the pipeline refetches under it (the next pc is known only at commit). The TLB flush,
    // or not with ASID tagging, is the core's rule for a satp write (the record lists it).
    if ((ev & MECH_EV_SATP_SWITCH) !== 0 && !rec.trapped) b[4] = port.redirectPenalty;
    let total = 0;
    for (let i = 0; i < b.length; i++) total += b[i];
    return total;
  }
}
