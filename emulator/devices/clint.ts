// The CLINT (core-local interruptor) of a one-hart machine, laid out as Spike's and SiFive's: msip at
// +0 (4 bytes), mtimecmp at +0x4000, mtime at +0xbff8. mtime is not a free-running clock: it is derived
// from the hart's instruction slots (retired + idle), so runs are deterministic; the hart passes that
// count in (`steps`) and the CLINT keeps only the offset software writes to mtime add.

export const CLINT_BASE = 0x02000000;
export const CLINT_SIZE = 0x10000;

const U64_MAX = 0xffffffffffffffffn;

export class Clint {
  /** MSIP bit of hart 0 (bit 0 of the word at +0). */
  msip = 0;
  mtimecmp = U64_MAX;
  /** mtimecmp as a Number, or Infinity when it is past 2^53 (never reached). */
  mtimecmpNum = Infinity;
  private mtimeAdj = 0;

  /** insnsPerTick: instruction slots per mtime tick. */
  constructor(readonly insnsPerTick: number) {}

  mtime(steps: number): number {
    return Math.floor(steps / this.insnsPerTick) + this.mtimeAdj;
  }

  setMtime(v: number, steps: number): void {
    this.mtimeAdj = v - Math.floor(steps / this.insnsPerTick);
  }

  setMtimecmp(v: bigint): void {
    this.mtimecmp = BigInt.asUintN(64, v);
    this.mtimecmpNum = this.mtimecmp > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(this.mtimecmp);
  }

  /** Whether the timer interrupt (MTIP) is pending: mtime >= mtimecmp. */
  timerPending(steps: number): boolean {
    return this.mtimecmpNum !== Infinity && this.mtime(steps) >= this.mtimecmpNum;
  }

  /** Instruction slots from `steps` until mtime >= mtimecmp (0 if already there, Infinity if never). */
  stepsUntilTimer(steps: number): number {
    if (this.mtimecmpNum === Infinity) return Infinity;
    const target = (this.mtimecmpNum - this.mtimeAdj) * this.insnsPerTick;
    const d = target - steps;
    return d > 0 ? d : 0;
  }

  /** A naturally aligned read at offset `off`: the value, or undefined when nothing answers (access fault). */
  read(off: number, size: number, steps: number): bigint | undefined {
    if (size !== 4 && size !== 8) return undefined;
    // Anything but msip, mtimecmp and mtime faults, as on Spike.
    if (off === 0 && size === 4) return BigInt(this.msip);
    if (off >= 0x4000 && off + size <= 0x4008) return this.mtimecmp >> BigInt((off - 0x4000) * 8);
    if (off >= 0xbff8 && off + size <= 0xc000) return BigInt(this.mtime(steps)) >> BigInt((off - 0xbff8) * 8);
    return undefined;
  }

  /** A naturally aligned write of (lo, hi) at offset `off`; false when nothing answers (access fault). */
  write(off: number, size: number, lo: number, hi: number, steps: number): boolean {
    if (size !== 4 && size !== 8) return false;
    const val = size === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
    if (off === 0 && size === 4) this.msip = lo & 1;
    else if (off >= 0x4000 && off + size <= 0x4008) {
      const shift = BigInt((off - 0x4000) * 8);
      const mask = (size === 8 ? U64_MAX : 0xffffffffn) << shift;
      this.setMtimecmp((this.mtimecmp & ~mask) | ((val << shift) & mask));
    } else if (off >= 0xbff8 && off + size <= 0xc000) {
      const shift = BigInt((off - 0xbff8) * 8);
      const mask = (size === 8 ? U64_MAX : 0xffffffffn) << shift;
      const cur = BigInt(this.mtime(steps));
      this.setMtime(Number(BigInt.asUintN(53, (cur & ~mask) | ((val << shift) & mask))), steps);
    } else return false;
    return true;
  }
}
