// Branch prediction of Rocket's front end (rocket-chip BTB.scala, BTBParams/BHTParams defaults): a branch
// target buffer (fully associative, LRU standing for Rocket's pseudo-LRU) that says "this pc is a
// taken-able control transfer going to X", a branch history table consulted on BTB hits of conditional
// branches, and a return-address stack for calls and returns (unprivileged spec 2.5, JALR hint table:
// x1/x5 as link registers).
//
// The BHT is Rocket's: `bhtEntries` counters of `bhtCounterBits` bits (1 by default: the last outcome),
// indexed by the branch's fetch-packet address hashed with a global history register of
// `bhtHistoryLength` outcomes, of which `bhtHistoryBits` hashed bits enter the index (BHT.index). Every
// branch shifts its outcome into the history (Rocket advances it at fetch with the prediction and
// repairs it with the outcome on a misprediction).

import { StateRegion } from './state.js';

/** Outcomes of a prediction: right, steered by the fetch stage's predecoder, or wrong. */
export const PRED_OK = 0;
export const PRED_REDIRECT = 1;
export const PRED_WRONG = 2;

/** Buckets of the BTB's pc index (a power of two). */
export const BTB_BUCKETS = 4096;

/** The index bucket of a pc: its halfword number's low bits (pc is an integer of either sign). */
function btbBucket(pc: number): number {
  return ((pc >= 0 && pc < 4294967296 ? pc >>> 1 : Math.floor(pc / 2)) & (BTB_BUCKETS - 1)) >>> 0;
}

export interface BhtShape {
  entries: number;
  counterBits: number;
  historyLength: number;
  historyBits: number;
}

export class BranchPredictor {
  /*
   * The arrays below live in the model's state region (state.ts), where the WebAssembly replay
   * (rocket-wasm.ts) reads and writes them too; scalars: [history, rasTop, rasCount, clock].
   */
  bht!: Uint8Array;
  readonly bhtMask: number;
  readonly counterMax: number;
  readonly takenFrom: number;
  readonly histLen: number;
  private readonly histBits: number;
  private readonly histMul: number;
  readonly indexBits: number;
  histHash!: Uint16Array;
  scalars!: Float64Array;
  private get history(): number {
    return this.scalars[0];
  }
  private set history(v: number) {
    this.scalars[0] = v;
  }
  private get rasTop(): number {
    return this.scalars[1];
  }
  private set rasTop(v: number) {
    this.scalars[1] = v;
  }
  private get rasCount(): number {
    return this.scalars[2];
  }
  private set rasCount(v: number) {
    this.scalars[2] = v;
  }
  private get clock(): number {
    return this.scalars[3];
  }
  private set clock(v: number) {
    this.scalars[3] = v;
  }
  btbPc!: Float64Array;
  btbTarget!: Float64Array;
  btbStamp!: Float64Array;
  /**
   * An exact index over btbPc (a lookup structure only, no model state): per hash bucket of a pc, how
   * many BTB entries hold a pc of that bucket and the entry that last took one. A pc whose bucket is
   * empty is not in the BTB; otherwise the hinted entry is checked before the full scan.
   */
  btbBucketCount!: Int32Array;
  btbBucketHint!: Int32Array;
  ras!: Float64Array;
  private readonly btbEntries: number;
  private readonly rasEntries: number;
  /**
   * The control transfer branch() and jump() resolve: its pc, where it went and its fall-through, set
   * by the caller just before the call. Addresses are doubles (not small integers), and a call that
   * passes doubles as arguments boxes each one: one allocation per argument per branch; stored in
   * these double fields they are written in place.
   */
  pc = NaN;
  nextPc = NaN;
  fallThrough = NaN;

  constructor(bht: BhtShape, btbEntries: number, rasEntries: number, region = new StateRegion()) {
    this.bhtEntries = Math.max(bht.entries, 1);
    this.histEntries = 2 ** bht.historyLength;
    this.btbEntries = btbEntries;
    this.rasEntries = rasEntries;
    this.bind(region);
    this.bhtMask = bht.entries > 0 ? bht.entries - 1 : -1;
    this.counterMax = (1 << bht.counterBits) - 1;
    // A counter predicts taken from its upper half: 1 for 1-bit counters, 2 for 2-bit ones.
    this.takenFrom = 1 << (bht.counterBits - 1);
    this.histLen = bht.historyLength;
    this.histBits = Math.min(bht.historyBits, bht.historyLength);
    // BHT.hashHistory: multiply by floor(sqrt(3)/2 * 2^historyLength), keep the top historyBits bits.
    this.histMul = Math.floor((Math.sqrt(3) / 2) * 2 ** bht.historyLength);
    this.indexBits = bht.entries > 0 ? Math.log2(bht.entries) : 0;
    // The hashed history's contribution to the index, for every history value (BHT.hashHistory, shifted
    // into the index's top bits).
    if (this.histBits > 0) {
      for (let h = 0; h < this.histHash.length; h++) {
        const hashed = Math.floor((this.histMul * h) / 2 ** (this.histLen - this.histBits)) & ((1 << this.histBits) - 1);
        this.histHash[h] = hashed << (this.indexBits - this.histBits);
      }
    }
    this.reset();
  }

  private readonly bhtEntries: number;
  private readonly histEntries: number;

  /** Take the state arrays from `region` (state.ts: the same order every time). */
  bind(region: StateRegion): void {
    this.scalars = region.f64(4);
    this.btbPc = region.f64(this.btbEntries);
    this.btbTarget = region.f64(this.btbEntries);
    this.btbStamp = region.f64(this.btbEntries);
    this.ras = region.f64(this.rasEntries);
    this.btbBucketCount = region.i32(BTB_BUCKETS);
    this.btbBucketHint = region.i32(BTB_BUCKETS);
    this.histHash = region.u16(this.histEntries);
    this.bht = region.u8(this.bhtEntries);
  }

  reset(): void {
    this.bht.fill(0); // Rocket clears the table after reset: predict not taken
    this.history = 0;
    this.btbPc.fill(NaN);
    this.btbStamp.fill(0);
    this.btbBucketCount.fill(0);
    this.rasTop = 0;
    this.rasCount = 0;
    this.clock = 0;
  }

  private btbFind(pc: number): number {
    const b = btbBucket(pc);
    if (this.btbBucketCount[b] === 0) return -1;
    const h = this.btbBucketHint[b];
    if (this.btbPc[h] === pc) return h;
    for (let i = 0; i < this.btbPc.length; i++) if (this.btbPc[i] === pc) return i;
    return -1;
  }

  /** Set pc's BTB target; `found` is btbFind(pc) when the caller already has it. */
  private btbUpdate(pc: number, target: number, found = this.btbFind(pc)): void {
    // scalars: [history, rasTop, rasCount, clock]
    const sc = this.scalars;
    if (this.btbPc.length === 0) return;
    let i = found;
    if (i < 0) {
      i = 0;
      for (let j = 0; j < this.btbPc.length; j++) {
        if (this.btbPc[j] !== this.btbPc[j]) {
          i = j;
          break;
        }
        if (this.btbStamp[j] < this.btbStamp[i]) i = j;
      }
      const old = this.btbPc[i];
      if (old === old) this.btbBucketCount[btbBucket(old)]--;
      this.btbPc[i] = pc;
      const b = btbBucket(pc);
      this.btbBucketCount[b]++;
      this.btbBucketHint[b] = i;
    }
    this.btbTarget[i] = target;
    this.btbStamp[i] = ++sc[3];
  }

  /** BHT.index: the fetch packet's address (4-byte packets) folded, XOR the hashed history in the top bits. */
  private bhtIndex(pc: number, size: number): number {
    // scalars: [history, rasTop, rasCount, clock]
    const sc = this.scalars;
    if (this.bhtMask < 0) return 0;
    // Rocket names a branch by the packet holding its last halfword.
    const a = pc + size - 2;
    const hi = a >= 0 && a < 0x80000000 ? a >>> 2 : Math.floor(a / 4);
    const fold = hi >= 0 && hi < 0x80000000 ? (hi >>> this.indexBits) & 3 : Math.floor(hi / (this.bhtMask + 1)) & 3;
    return ((hi & this.bhtMask) ^ fold ^ this.histHash[sc[0]]) & this.bhtMask;
  }

  /**
   * A conditional branch at this.pc of `size` bytes resolved (to this.nextPc). Returns PRED_OK, PRED_REDIRECT (a BTB miss the fetch stage's
   * predecoder steered right: the BHT said taken and it was) or PRED_WRONG (resolved in execute).
   */
  branch(size: number, taken: boolean): number {
    // scalars: [history, rasTop, rasCount, clock]
    const sc = this.scalars;
    const pc = this.pc;
    const nextPc = this.nextPc;
    const fallThrough = this.fallThrough;
    const i = this.btbFind(pc);
    const k = this.bhtIndex(pc, size);
    const bhtTaken = this.bhtMask < 0 ? i >= 0 : this.bht[k] >= this.takenFrom;
    // BTB hit: the BTB's target when the BHT says taken. BTB miss: the predecoder computes the target
    // of a branch the BHT says taken (Frontend.scala, `predictBranch`) and redirects fetch from there.
    let predicted = fallThrough;
    if (bhtTaken) predicted = i >= 0 ? this.btbTarget[i] : pc + 0.5; // a miss predicts "taken", target exact
    if (i >= 0) this.btbStamp[i] = ++sc[3];
    if (this.bhtMask >= 0) {
      const c = this.bht[k];
      this.bht[k] = taken ? (c < this.counterMax ? c + 1 : c) : c > 0 ? c - 1 : 0;
    }
    let result: number;
    if (i < 0 && bhtTaken) result = taken ? PRED_REDIRECT : PRED_WRONG;
    else result = predicted === nextPc ? PRED_OK : PRED_WRONG;
    // Rocket advances the history at fetch for every branch the predecoder sees on the right path (with
    // the predicted direction) and repairs it with the real outcome on a misprediction (Frontend.scala
    // `bht_advance`, BTB.scala `updateHistory`): in effect every branch shifts in its outcome.
    if (this.histLen > 0) {
      sc[0] = ((sc[0] >>> 1) | ((taken ? 1 : 0) << (this.histLen - 1))) & ((1 << this.histLen) - 1);
    }
    // The lookup above already found pc's entry (or its absence); nothing changed the BTB since.
    if (taken) this.btbUpdate(pc, nextPc, i);
    return result;
  }

  /**
   * An unconditional jump (jal/jalr) at this.pc resolved (to this.nextPc). rd and rs1 are register numbers (rs1 -1 for jal).
   * Returns PRED_OK, PRED_REDIRECT (a BTB miss the predecoder steered: a jal, or a return the RAS
   * predicted) or PRED_WRONG.
   */
  jump(rd: number, rs1: number): number {
    // scalars: [history, rasTop, rasCount, clock]
    const sc = this.scalars;
    const pc = this.pc;
    const nextPc = this.nextPc;
    const fallThrough = this.fallThrough;
    const rdLink = rd === 1 || rd === 5;
    const rs1Link = rs1 === 1 || rs1 === 5;
    const isReturn = rs1Link && (!rdLink || rd !== rs1);
    const i = isReturn ? -1 : this.btbFind(pc);
    let result: number;
    if (isReturn && sc[2] > 0) {
      sc[1] = (sc[1] + this.ras.length - 1) % this.ras.length;
      sc[2]--;
      result = this.ras[sc[1]] === nextPc ? PRED_OK : PRED_WRONG;
    } else if (i >= 0) {
      this.btbStamp[i] = ++sc[3];
      result = this.btbTarget[i] === nextPc ? PRED_OK : PRED_WRONG;
    } else {
      // BTB miss: the predecoder knows a jal's target; a jalr's it cannot.
      result = rs1 < 0 ? PRED_REDIRECT : PRED_WRONG;
    }
    if (rdLink && this.ras.length > 0) {
      this.ras[sc[1]] = fallThrough;
      sc[1] = (sc[1] + 1) % this.ras.length;
      if (sc[2] < this.ras.length) sc[2]++;
    }
    if (!isReturn) this.btbUpdate(pc, nextPc, i);
    return result;
  }
}
