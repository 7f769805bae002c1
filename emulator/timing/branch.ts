// Branch prediction of a Rocket-like front end: a branch target buffer (fully associative, LRU) that
// says "this pc is a taken-able control transfer going to X", a branch history table of 2-bit counters
// consulted on BTB hits of conditional branches, and a return-address stack for calls and returns
// (unprivileged spec 2.5, JALR hint table: x1/x5 as link registers).

export class BranchPredictor {
  private readonly bht: Uint8Array;
  private readonly bhtMask: number;
  private readonly btbPc: Float64Array;
  private readonly btbTarget: Float64Array;
  private readonly btbStamp: Float64Array;
  private readonly ras: Float64Array;
  private rasTop = 0;
  private rasCount = 0;
  private clock = 0;

  constructor(bhtEntries: number, btbEntries: number, rasEntries: number) {
    this.bht = new Uint8Array(Math.max(bhtEntries, 1));
    this.bhtMask = bhtEntries > 0 ? bhtEntries - 1 : -1;
    this.btbPc = new Float64Array(btbEntries).fill(NaN);
    this.btbTarget = new Float64Array(btbEntries);
    this.btbStamp = new Float64Array(btbEntries);
    this.ras = new Float64Array(rasEntries);
    this.reset();
  }

  reset(): void {
    this.bht.fill(1); // weakly not taken
    this.btbPc.fill(NaN);
    this.btbStamp.fill(0);
    this.rasTop = 0;
    this.rasCount = 0;
  }

  private btbFind(pc: number): number {
    for (let i = 0; i < this.btbPc.length; i++) if (this.btbPc[i] === pc) return i;
    return -1;
  }

  /** Set pc's BTB target; `found` is btbFind(pc) when the caller already has it. */
  private btbUpdate(pc: number, target: number, found = this.btbFind(pc)): void {
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
      this.btbPc[i] = pc;
    }
    this.btbTarget[i] = target;
    this.btbStamp[i] = ++this.clock;
  }

  private bhtIndex(pc: number): number {
    // Instructions are 2-byte aligned with C: drop bit 0 only.
    return this.bhtMask < 0 ? 0 : Math.floor(pc / 2) & this.bhtMask;
  }

  /** A conditional branch resolved: returns true when the front end had predicted it wrongly. */
  branch(pc: number, taken: boolean, nextPc: number, fallThrough: number): boolean {
    const i = this.btbFind(pc);
    const k = this.bhtIndex(pc);
    let predicted = fallThrough;
    if (i >= 0) {
      this.btbStamp[i] = ++this.clock;
      if (this.bhtMask >= 0 && this.bht[k] >= 2) predicted = this.btbTarget[i];
    }
    if (this.bhtMask >= 0) {
      const c = this.bht[k];
      this.bht[k] = taken ? (c < 3 ? c + 1 : 3) : c > 0 ? c - 1 : 0;
    }
    // The lookup above already found pc's entry (or its absence); nothing changed the BTB since.
    if (taken) this.btbUpdate(pc, nextPc, i);
    return predicted !== nextPc;
  }

  /**
   * An unconditional jump (jal/jalr) resolved. rd and rs1 are register numbers (rs1 -1 for jal).
   * Returns true on a misprediction.
   */
  jump(pc: number, rd: number, rs1: number, nextPc: number, fallThrough: number): boolean {
    const rdLink = rd === 1 || rd === 5;
    const rs1Link = rs1 === 1 || rs1 === 5;
    let predicted: number;
    let found = -1;
    const isReturn = rs1Link && (!rdLink || rd !== rs1);
    if (isReturn && this.rasCount > 0) {
      this.rasTop = (this.rasTop + this.ras.length - 1) % this.ras.length;
      this.rasCount--;
      predicted = this.ras[this.rasTop];
    } else {
      const i = this.btbFind(pc);
      if (i >= 0) this.btbStamp[i] = ++this.clock;
      predicted = i >= 0 ? this.btbTarget[i] : fallThrough;
      found = i;
    }
    if (rdLink && this.ras.length > 0) {
      this.ras[this.rasTop] = fallThrough;
      this.rasTop = (this.rasTop + 1) % this.ras.length;
      if (this.rasCount < this.ras.length) this.rasCount++;
    }
    // Not a return: the lookup above ran and found pc's entry (or its absence); the RAS push left the BTB alone.
    if (!isReturn) this.btbUpdate(pc, nextPc, found);
    return predicted !== nextPc;
  }
}
