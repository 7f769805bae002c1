// Which records a trace prints (docs/trace-format.md, "Filters"): a window from `--from` to `--to`,
// privilege modes, and `--skip N --max N` over the records the window lets through.

import type { CommitRecord } from '../../emulator/types.js';

export interface FilterOptions {
  /** The window opens when execution reaches this pc (that instruction included). */
  from?: number;
  /** The window closes after the instruction at this pc retires (that instruction included). */
  to?: number;
  /** Bit (1 << priv) set for each privilege mode to keep; 0 keeps all. */
  privMask: number;
  skip: number;
  max: number;
}

export class TraceFilter {
  private inWindow: boolean;
  private skipped = 0;
  private emitted = 0;
  /** Nothing more can be printed: the caller may stop the machine. */
  done = false;

  constructor(private readonly o: FilterOptions) {
    this.inWindow = o.from === undefined;
    if (o.max <= 0) this.done = true;
  }

  /** Is rec inside the window and of a kept privilege? Call once per record, in order. */
  inside(rec: CommitRecord): boolean {
    const o = this.o;
    if (!this.inWindow && rec.pc === o.from) this.inWindow = true;
    const inside = this.inWindow;
    if (inside && o.to !== undefined && rec.pc === o.to && !rec.trapped) {
      this.inWindow = false;
      if (o.from === undefined) this.done = true; // the window can never open again
    }
    if (!inside) return false;
    return o.privMask === 0 || (o.privMask & (1 << rec.priv)) !== 0;
  }

  /** A record inside the window that would produce output: false while skipping or after max. */
  take(): boolean {
    if (this.skipped < this.o.skip) {
      this.skipped++;
      return false;
    }
    if (this.emitted >= this.o.max) {
      this.done = true;
      return false;
    }
    this.emitted++;
    if (this.emitted >= this.o.max) this.done = true;
    return true;
  }
}

/** `u,s,m` style list to a privilege mask, or an error message. */
export function parsePrivList(text: string): number | string {
  let mask = 0;
  for (const p of text.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean)) {
    if (p === 'u') mask |= 1 << 0;
    else if (p === 's') mask |= 1 << 1;
    else if (p === 'm') mask |= 1 << 3;
    else return `--priv ${text}: expected a list of u, s, m (e.g. --priv u,s)`;
  }
  return mask === 0 ? `--priv ${text}: expected a list of u, s, m` : mask;
}
