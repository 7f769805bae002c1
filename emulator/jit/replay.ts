// A cycle model under the translation tier: translated blocks that write a commit log (translate.ts,
// LOG_*) run at full speed, and the log is then replayed to the model as the same CommitRecords the
// observed interpreter would have produced, one per retired instruction, in order, before anything else
// runs (docs/machine.md, "Translated blocks under a cycle model"). What a block knows statically (pc,
// bits, size, registers, physical fetch address) is kept per block in BlockFacts; the log holds only
// what changes from pass to pass: how far the pass got, where it went, load/store addresses and the
// operands of multiplies and divides.

import * as D from '../decode.js';
import * as C from '../hart-constants.js';
import * as L from '../layout.js';
import type { Hart } from '../hart.js';
import { RAM_BASE, ROM_BASE, type ObservedRecord } from '../hart-state.js';
import {
  LOG_EV_LOAD as EV_LOAD, LOG_EV_MULDIV as EV_MULDIV, LOG_EV_NONE as EV_NONE, LOG_EV_STORE as EV_STORE, MEM_LOAD, MEM_NONE, MEM_STORE,
  XLATE_DATA, XLATE_FETCH, type CommitObserver, type LogCursor, type ReplayFacts,
} from '../types.js';
import { LOG_HEADER_BYTES, LOG_LOAD_BYTES, LOG_MULDIV_BYTES, LOG_STORE_BYTES, isLoadOp, isMulDivOp, isStoreOp } from './translate.js';

/** The static facts of a logging block's instructions, in block order. */
export class BlockFacts implements ReplayFacts {
  readonly pc: Float64Array;
  readonly fetchPa: Float64Array;
  readonly raw: Uint32Array;
  readonly id: Int32Array;
  readonly size: Uint8Array;
  /** Register written (1..31), -1 when none (as the observed loop reports rd). */
  readonly rd: Int8Array;
  readonly ev: Uint8Array;
  readonly memSize: Uint8Array;
  readonly evOff: Int32Array;
  readonly evEnd: Int32Array;
  plan: object | null = null;

  constructor(insns: readonly { pc: number; op: number; d: number; len: number; raw: number; id: number }[], pagePhys: number) {
    const n = insns.length;
    this.pc = new Float64Array(n);
    this.fetchPa = new Float64Array(n);
    this.raw = new Uint32Array(n);
    this.id = new Int32Array(n);
    this.size = new Uint8Array(n);
    this.rd = new Int8Array(n);
    this.ev = new Uint8Array(n);
    this.memSize = new Uint8Array(n);
    this.evOff = new Int32Array(n);
    this.evEnd = new Int32Array(n);
    let off = 0;
    for (let j = 0; j < n; j++) {
      const x = insns[j];
      this.pc[j] = x.pc;
      this.fetchPa[j] = pagePhys + (x.pc & 4095);
      this.raw[j] = x.raw >>> 0;
      this.id[j] = x.id;
      this.size[j] = x.len;
      this.rd[j] = D.WRITES_RD[x.op] && x.d !== L.X0_SINK * 2 ? x.d >> 1 : -1;
      if (isLoadOp(x.op)) {
        this.ev[j] = EV_LOAD;
        this.memSize[j] = [1, 2, 4, 8, 1, 2, 4][x.op - D.OP_LB];
      } else if (isStoreOp(x.op)) {
        this.ev[j] = EV_STORE;
        this.memSize[j] = 1 << (x.op - D.OP_SB);
      } else if (isMulDivOp(x.op)) this.ev[j] = EV_MULDIV;
      else this.ev[j] = EV_NONE;
      this.evOff[j] = off;
      off += this.ev[j] === EV_LOAD ? LOG_LOAD_BYTES : this.ev[j] === EV_STORE ? LOG_STORE_BYTES : this.ev[j] === EV_MULDIV ? LOG_MULDIV_BYTES : 0;
      this.evEnd[j] = off;
    }
  }
}

/**
 * Replays the commit log [L.JIT_LOG_OFF, end) to `observer` through `rec` (the machine's reused record),
 * adding each instruction's cycles beyond the one the tier already counted to h.cyc. While it runs, `storedBefore`
 * answers what a physical 8-byte word held at the instruction being replayed (the model's page walker
 * reads page tables as they were then, not after later stores of the same batch).
 */
export class LogReplayer implements LogCursor {
  /** Byte offset (in the memory) of the next event to read, and the end of the log. */
  p = 0;
  end = 0;
  /** The pass being replayed: its block's facts, next instruction index and length. */
  private facts: BlockFacts | null = null;
  j = 0;
  private k = 0;
  replaying = false;
  /** ReplayCursor: the memory, the offset-to-address map (Bus.physOf) and the batch's translation flags. */
  m32: Int32Array;
  readonly ramSplit = L.RAM_OFF;
  readonly ramBias = RAM_BASE - L.RAM_OFF;
  readonly romBias = ROM_BASE - L.ROM_OFF;
  xlateFetch = 0;
  xlateData = 0;
  passNext = 0.5;
  priv = 0;

  readonly memory: WebAssembly.Memory;

  constructor(
    private readonly h: Hart,
    private readonly factsOf: (idx: number) => BlockFacts,
  ) {
    this.m32 = h.m32;
    this.memory = h.memory;
  }

  // LogCursor
  get passLength(): number {
    return this.k;
  }

  factsAt(header: number): BlockFacts {
    return this.factsOf(this.m32[header >> 2]);
  }

  enterPass(header: number): BlockFacts {
    const m32 = this.m32;
    const hw = header >> 2;
    const f = this.factsOf(m32[hw]);
    this.facts = f;
    this.k = m32[hw + 1];
    this.passNext = m32[hw + 3] * 4294967296 + (m32[hw + 2] >>> 0);
    this.p = header + LOG_HEADER_BYTES;
    this.j = 0;
    return f;
  }

  seek(header: number, j: number, p: number): void {
    this.facts = this.factsOf(this.m32[header >> 2]);
    this.k = this.m32[(header >> 2) + 1];
    this.j = j;
    this.p = p;
  }

  /**
   * Replay the log written by the last dispatch. priv and the translation flags are the run's (a batch
   * of translated code never changes privilege or satp). stepBase: instret before the batch.
   */
  replay(rec: ObservedRecord, observer: CommitObserver, stepBase: number): void {
    const h = this.h;
    const m32 = h.m32;
    const priv = h.priv;
    const translated = h.satpMode === C.SATP_MODE_SV39;
    const xlateFetch = translated && priv !== C.PRV_M ? XLATE_FETCH : 0;
    const dataPriv = priv === C.PRV_M && (h.mstatus & C.MSTATUS_MPRV) !== 0 ? (h.mstatus >>> C.MSTATUS_MPP_SHIFT) & 3 : priv;
    const xlateData = translated && dataPriv !== C.PRV_M ? XLATE_DATA : 0;
    // Fields no translated instruction sets (it neither traps nor writes CSRs nor runs an engine).
    rec.priv = priv;
    rec.trapped = false;
    rec.trapCause = 0n;
    rec.trapTval = 0n;
    rec.csrWriteCount = 0;
    rec.xpcEvent = 0;
    rec.mechEvent = 0;
    rec.counterReadOffset = 0;
    rec.walkLevels = 0;
    rec.frd = -1;
    rec.rdLo = 0;
    rec.rdHi = 0;
    rec.memLo = 0;
    rec.memHi = 0;
    const live = rec as ObservedRecord & { rs1Lo: number; rs1Hi: number; rs2Lo: number; rs2Hi: number };
    let step = stepBase;
    let extra = 0;
    this.end = m32[L.JIT_LOG_PTR_OFF >> 2];
    this.p = L.JIT_LOG_OFF;
    this.m32 = m32;
    this.xlateFetch = xlateFetch;
    this.xlateData = xlateData;
    this.priv = priv;
    const replayPass = observer.replayPass;
    this.replaying = true;
    try {
      if (replayPass !== undefined && observer.replayLog !== undefined) {
        // The observer takes the whole log at once (or says it cannot, and goes pass by pass below).
        const x = observer.replayLog(this);
        if (x >= 0) {
          extra += x;
          this.p = this.end;
        } else this.p = L.JIT_LOG_OFF;
      }
      while (this.p < this.end) {
        const hw = this.p >> 2;
        const f = this.factsOf(m32[hw]);
        const k = m32[hw + 1];
        const passNext = m32[hw + 3] * 4294967296 + (m32[hw + 2] >>> 0);
        this.p += LOG_HEADER_BYTES;
        this.facts = f;
        this.k = k;
        if (replayPass !== undefined) {
          // The observer reads the pass itself (it advances p and j as it goes).
          this.passNext = passNext;
          extra += replayPass(f, k, this);
          continue;
        }
        for (let j = 0; j < k; j++) {
          this.j = j + 1;
          const pc = f.pc[j];
          const size = f.size[j];
          const nextPc = j + 1 < k ? f.pc[j + 1] : passNext;
          rec.step = step;
          rec.pc = pc;
          rec.raw = f.raw[j];
          rec.size = size as 2 | 4;
          rec.opId = f.id[j];
          rec.rd = f.rd[j];
          rec.fetchPaddr = f.fetchPa[j];
          rec.nextPc = nextPc;
          rec.taken = nextPc !== pc + size;
          const ev = f.ev[j];
          let xlate = xlateFetch;
          if (ev === EV_LOAD || ev === EV_STORE) {
            const w = this.p >> 2;
            rec.memKind = ev === EV_LOAD ? MEM_LOAD : MEM_STORE;
            rec.memVaddr = m32[w + 1] * 4294967296 + (m32[w] >>> 0);
            const idx = m32[w + 2];
            rec.memPaddr = idx >= L.RAM_OFF ? RAM_BASE + (idx - L.RAM_OFF) : ROM_BASE + (idx - L.ROM_OFF); // Bus.physOf
            rec.memSize = f.memSize[j];
            xlate |= xlateData;
            this.p += ev === EV_LOAD ? LOG_LOAD_BYTES : LOG_STORE_BYTES;
          } else {
            rec.memKind = MEM_NONE;
            rec.memVaddr = 0;
            rec.memPaddr = 0;
            rec.memSize = 0;
            if (ev === EV_MULDIV) {
              const w = this.p >> 2;
              live.rs1Lo = m32[w];
              live.rs1Hi = m32[w + 1];
              live.rs2Lo = m32[w + 2];
              live.rs2Hi = m32[w + 3];
              this.p += LOG_MULDIV_BYTES;
            }
          }
          rec.xlate = xlate;
          const cost = observer(rec);
          // The tier counted 1 cycle per instruction; the observer's figure replaces it (as runObserved).
          const c = cost - cost === 0 ? cost : 1;
          if (c > 1) extra += c - 1;
          step++;
        }
      }
    } finally {
      this.replaying = false;
      this.facts = null;
      rec.memKind = MEM_NONE;
      h.cyc += extra;
    }
  }

  /**
   * While replaying: the 8 bytes at memory offset idx (8-aligned) as they were when the instruction
   * being replayed ran, as [lo, hi] words, or null when no later store of the batch wrote them (the
   * memory holds that value now).
   */
  storedBefore(idx: number): [number, number] | null {
    if (!this.replaying) return null;
    const m32 = this.h.m32;
    let p = this.p;
    let f = this.facts!;
    let j = this.j;
    let k = this.k;
    for (;;) {
      for (; j < k; j++) {
        const ev = f.ev[j];
        if (ev === EV_STORE) {
          const w = p >> 2;
          if ((m32[w + 2] & ~7) === idx) return [m32[w + 4], m32[w + 5]];
          p += LOG_STORE_BYTES;
        } else if (ev === EV_LOAD) p += LOG_LOAD_BYTES;
        else if (ev === EV_MULDIV) p += LOG_MULDIV_BYTES;
      }
      if (p >= this.end) return null;
      f = this.factsOf(m32[p >> 2]);
      k = m32[(p >> 2) + 1];
      j = 0;
      p += LOG_HEADER_BYTES;
    }
  }
}
