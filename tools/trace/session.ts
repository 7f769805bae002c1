// What `rvx trace` and `rvx profile` share: option parsing helpers, loading an ELF into a Machine with
// the chosen core model, and running it with a per-record callback in slices (so a consumer can stop
// early: `--max`, `--to`, a closed pipe) while the Machine's run loop stays the only interpreter.

import { readFileSync } from 'node:fs';
import { Machine, MachineError, type CommitRecord, type LoadableProgram, type RunResult } from '../../emulator/index.js';
import { CoreParamsError, coreFromOption, type CoreModel } from '../../emulator/timing/index.js';
import { readElf, ElfError } from '../elf/read.js';
import type { ElfImage } from '../elf/model.js';
import { SymbolTable, addrToNumber } from './symbols.js';

/** A user-facing failure (bad option, unreadable file): printed as `rvx <cmd>: message`, exit 2. */
export class UsageError extends Error {}

export interface Session {
  machine: Machine;
  image: ElfImage;
  symbols: SymbolTable;
  model: CoreModel;
}

/** The Machine-loadable form of an ELF image: PT_LOAD segments at their physical addresses, HTIF words. */
function loadableOf(image: ElfImage): LoadableProgram {
  const sym = (name: string) => image.symbols.find((s) => s.name === name && s.section !== null);
  const tohost = sym('tohost');
  const fromhost = sym('fromhost');
  return {
    segments: image.segments.map((s) => ({ paddr: addrToNumber(s.paddr), data: s.data, memsz: s.memsz })),
    entry: addrToNumber(image.entry),
    tohost: tohost ? addrToNumber(tohost.value) : undefined,
    fromhost: fromhost ? addrToNumber(fromhost.value) : undefined,
  };
}

/** Read the ELF, build the machine and the core model. Guest console output goes to `console`. */
export function openSession(elfPath: string, coreOption: string | undefined, console: (b: Uint8Array) => void): Session {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(elfPath);
  } catch (e) {
    throw new UsageError(`cannot read ${elfPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let image: ElfImage;
  try {
    image = readElf(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${elfPath}: ${e.message}`);
    throw e;
  }
  const machine = new Machine({ stdout: console });
  try {
    machine.load(loadableOf(image));
  } catch (e) {
    if (e instanceof MachineError) throw new UsageError(`${elfPath}: ${e.message}`);
    throw e;
  }
  let model: CoreModel;
  try {
    model = coreFromOption(coreOption, machine);
  } catch (e) {
    if (e instanceof CoreParamsError) throw new UsageError(e.message);
    throw e;
  }
  return { machine, image, symbols: new SymbolTable(image.symbols), model };
}

/** Per-record callback: cycles the record cost and its stall breakdown; return false to stop the run. */
export type RecordSink = (rec: CommitRecord, cycles: number, stalls: Float64Array) => boolean;

const SLICE = 1 << 14;

/**
 * Run with the core model and a sink until the program ends, `maxInsns` instructions retire, or the sink
 * says stop ('stopped'). With --core ideal every retired instruction costs 1 cycle (traps 0).
 */
export function runWithSink(s: Session, sink: RecordSink, maxInsns = Infinity): RunResult | { reason: 'stopped' } {
  const model = s.model.observer;
  const stalls = s.model.lastStalls;
  let stop = false;
  const observer = (rec: CommitRecord): number => {
    // ideal: a retired instruction is one cycle and a trap none, as in the Machine's fast loop.
    const c = model ? model(rec) : rec.trapped ? 0 : 1;
    if (!stop && !sink(rec, c, stalls)) stop = true;
    return c;
  };
  let left = maxInsns;
  for (;;) {
    const n = Math.min(SLICE, left);
    const before = s.machine.stats.instret;
    const r = s.machine.run(n, observer);
    left -= Number(s.machine.stats.instret - before);
    if (stop) return { reason: 'stopped' };
    if (r.reason !== 'limit') return r;
    if (left <= 0) return r;
  }
}

/** Minimal option scanner: `--name value`, `--name=value`, flags, one positional file. */
export function parseArgs(
  args: string[],
  valued: readonly string[],
  flags: readonly string[],
): { file?: string; values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const set = new Set<string>();
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      if (valued.includes(name)) {
        let v: string | undefined;
        if (eq >= 0) v = a.slice(eq + 1);
        else v = args[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        values.set(name, v);
      } else if (flags.includes(name) && eq < 0) set.add(name);
      else throw new UsageError(`unknown option '${a}'`);
    } else {
      if (file !== undefined) throw new UsageError(`unexpected argument '${a}' (one ELF file only)`);
      file = a;
    }
  }
  return { file, values, flags: set };
}

/** A non-negative integer option value. */
export function intOption(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} expects a non-negative integer (got '${v}')`);
  return Number(v);
}

/** Exit code for how the run ended: the program's code, 0 when stopped on purpose, 1 otherwise. */
export function exitCodeOf(r: RunResult | { reason: 'stopped' }, cmd: string): number {
  switch (r.reason) {
    case 'exit':
      return r.code;
    case 'stopped':
    case 'limit':
      return 0;
    default:
      process.stderr.write(`rvx ${cmd}: ${r.message}\n`);
      return 1;
  }
}
