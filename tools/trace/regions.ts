// Region accounting: the cycles and instructions spent between a start point and an end point, every
// time execution passes through (docs/cycle-model.md, "Regions"). Used by `rvx profile --regions` and by
// benchmarks that split an iteration into phases whose costs add up exactly to the iteration's total.
//
// A point is an address (a symbol, `symbol+off`, or a number) or a mnemonic (`sret`: any instruction of
// that name). A region opens at a record that reaches its start point (that instruction counts). It
// closes after an instruction that retires at its end point (`start..end`, end included), or just
// before a record that reaches its end point (`start..<end`, end excluded: consecutive `a..<b`, `b..<c`
// regions partition the time between a and c exactly). "Reaching" means the record is an instruction
// that retired or raised an exception there; an interrupt taken before an instruction reaches nothing.
// Everything executed while a region is open counts, traps and handlers included. A region does not
// nest: its start point is ignored while it is open.

import { INSTRUCTION_BY_NAME, INSTRUCTIONS } from '../../isa/index.js';
import type { CommitRecord } from '../../emulator/types.js';
import { disassemble } from '../../isa/disasm.js';

export type RegionPoint =
  | { kind: 'addr'; addr: number; text: string }
  | { kind: 'op'; ops: Uint8Array; text: string }
  /** An alias the disassembler prints (`ret`, `nop`, `mv`, `j`, ...): instructions whose disassembly starts with it. */
  | { kind: 'alias'; text: string; seen: Map<number, boolean> };

/** Mnemonics the disassembler prints for particular operand values (isa/disasm.ts), usable as points. */
const ALIASES = new Set(['beqz', 'bgez', 'bgtz', 'blez', 'bltz', 'bnez', 'csrc', 'csrci', 'csrr', 'csrs', 'csrsi', 'csrw', 'csrwi', 'j', 'jr', 'li', 'mv', 'neg', 'negw', 'nop', 'not', 'ret', 'seqz', 'sext.w', 'sgtz', 'sltz', 'snez', 'unimp']);

export interface RegionSpec {
  name: string;
  start: RegionPoint;
  end: RegionPoint;
  /** true for `a..b` (the end instruction counts), false for `a..<b`. */
  endInclusive: boolean;
}

export interface RegionResult {
  name: string;
  /** Completed passes. */
  count: number;
  cycles: number;
  instructions: number;
  meanCycles: number;
  meanInstructions: number;
  minCycles: number;
  maxCycles: number;
  /** Per-pass cycles, when kept (keepSamples). */
  samples?: number[];
  /** Still open when the run ended (that partial pass is not counted). */
  open: boolean;
}

/** A mnemonic point matching every row of that name (compressed forms included via their expansion name). */
export function opPoint(name: string): RegionPoint | null {
  const lower = name.toLowerCase();
  if (!INSTRUCTION_BY_NAME.has(lower)) return ALIASES.has(lower) ? { kind: 'alias', text: lower, seen: new Map() } : null;
  const ops = new Uint8Array(INSTRUCTIONS.length);
  for (const d of INSTRUCTIONS) {
    const base = d.expandsTo ? d.expandsTo.split(/\s+/)[0] : d.name;
    if (d.name === lower || base === lower) ops[d.id] = 1;
  }
  return { kind: 'op', ops, text: lower };
}

export function addrPoint(addr: number, text: string): RegionPoint {
  return { kind: 'addr', addr, text };
}

function reaches(p: RegionPoint, rec: CommitRecord): boolean {
  if (rec.trapped && BigInt.asUintN(64, rec.trapCause) >> 63n === 1n) return false;
  if (p.kind === 'addr') return rec.pc === p.addr;
  if (p.kind === 'op') return p.ops[rec.opId] === 1;
  let hit = p.seen.get(rec.raw);
  if (hit === undefined) {
    hit = disassemble(rec.raw, rec.pc).mnemonic === p.text;
    p.seen.set(rec.raw, hit);
  }
  return hit;
}

export class RegionAccounting {
  private readonly active: Uint8Array;
  private readonly curCycles: Float64Array;
  private readonly curInsns: Float64Array;
  private readonly results: RegionResult[];
  private readonly keepSamples: boolean;

  constructor(readonly specs: readonly RegionSpec[], opts: { keepSamples?: boolean } = {}) {
    this.active = new Uint8Array(specs.length);
    this.curCycles = new Float64Array(specs.length);
    this.curInsns = new Float64Array(specs.length);
    this.keepSamples = opts.keepSamples ?? false;
    this.results = specs.map((s) => ({
      name: s.name, count: 0, cycles: 0, instructions: 0, meanCycles: 0, meanInstructions: 0,
      minCycles: Infinity, maxCycles: 0, open: false, ...(this.keepSamples ? { samples: [] as number[] } : {}),
    }));
  }

  private close(i: number): void {
    const r = this.results[i];
    const c = this.curCycles[i];
    r.count++;
    r.cycles += c;
    r.instructions += this.curInsns[i];
    if (c < r.minCycles) r.minCycles = c;
    if (c > r.maxCycles) r.maxCycles = c;
    r.samples?.push(c);
    this.active[i] = 0;
  }

  /** Account one record that cost `cycles`. */
  observe(rec: CommitRecord, cycles: number): void {
    for (let i = 0; i < this.specs.length; i++) {
      const s = this.specs[i];
      if (this.active[i] === 1 && !s.endInclusive && reaches(s.end, rec)) this.close(i);
      if (this.active[i] === 0 && reaches(s.start, rec)) {
        this.active[i] = 1;
        this.curCycles[i] = 0;
        this.curInsns[i] = 0;
      }
      if (this.active[i] === 1) {
        this.curCycles[i] += cycles;
        if (!rec.trapped) this.curInsns[i]++;
        if (s.endInclusive && !rec.trapped && reaches(s.end, rec)) this.close(i);
      }
    }
  }

  report(): RegionResult[] {
    return this.results.map((r, i) => ({
      ...r,
      samples: r.samples ? [...r.samples] : undefined,
      minCycles: r.count > 0 ? r.minCycles : 0,
      meanCycles: r.count > 0 ? r.cycles / r.count : 0,
      meanInstructions: r.count > 0 ? r.instructions / r.count : 0,
      open: this.active[i] === 1,
    }));
  }
}

/**
 * Parse a regions file: one region per line, `name: start..end` or `start..end` (named after itself),
 * `..<` for an excluded end, `#` comments. `resolve` turns a symbol/address text into a pc or a message.
 * Returns the specs or the list of `file:line: message` errors.
 */
export function parseRegions(
  text: string,
  file: string,
  resolve: (t: string) => number | string,
): { specs: RegionSpec[] } | { errors: string[] } {
  const specs: RegionSpec[] = [];
  const errors: string[] = [];
  const point = (t: string, where: string): RegionPoint | null => {
    const r = resolve(t);
    if (typeof r === 'number') return addrPoint(r, t);
    const op = opPoint(t);
    if (op) return op;
    errors.push(`${where}: '${t}' is neither a symbol, an address nor an instruction mnemonic (${r})`);
    return null;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    const m = /^(?:([A-Za-z0-9_.$+-]+)\s*:\s*)?(\S+?)\s*\.\.(<?)\s*(\S+)$/.exec(line);
    if (!m) {
      errors.push(`${where}: expected 'name: start..end' or 'start..end' (got '${line}')`);
      return;
    }
    const start = point(m[2], where);
    const end = point(m[4], where);
    const name = m[1] ?? `${m[2]}..${m[3]}${m[4]}`;
    if (specs.some((s) => s.name === name)) errors.push(`${where}: region '${name}' defined twice`);
    if (start && end) specs.push({ name, start, end, endInclusive: m[3] !== '<' });
  });
  if (errors.length === 0 && specs.length === 0) errors.push(`${file}: no regions defined`);
  return errors.length > 0 ? { errors } : { specs };
}

/**
 * Regions for the phases of a repeated path: boundary i starts phase i, which ends just before boundary
 * i + 1 (`b[i]..<b[i+1]`); the last phase ends just before the first boundary, so one pass through all
 * the boundaries is split into phases whose cycles add up exactly to the pass (an IPC round trip split
 * into trap entry, kernel logic, address-space switch, return, ...).
 */
export function phaseRegions(boundaries: readonly { name: string; point: RegionPoint }[]): RegionSpec[] {
  if (boundaries.length === 0) throw new RangeError('phaseRegions needs at least one boundary');
  return boundaries.map((b, i) => ({
    name: b.name,
    start: b.point,
    end: boundaries[(i + 1) % boundaries.length].point,
    endInclusive: false,
  }));
}
