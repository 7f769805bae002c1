// What `rvx trace` and `rvx profile` share: option parsing helpers, loading an ELF into a Machine with
// the chosen core model, and running it with a per-record callback in slices (so a consumer can stop
// early: `--max`, `--to`, a closed pipe) while the Machine's run loop stays the only interpreter.

import { Machine, MachineError, type CommitObserver, type CommitRecord, type RunResult } from '../../emulator/index.js';
import { CoreParamsError, coreFromOption, type CoreModel } from '../../emulator/timing/index.js';
import { createXpcHook } from '../../emulator/xpc/hook.js';
import type { ElfImage } from '../elf/model.js';
import { loadElfBytes, readInputFile } from '../load.js';
import { SymbolTable } from './symbols.js';

/** A user-facing failure (bad option, unreadable file): printed as `rvx <cmd>: message`, exit 2. */
export class UsageError extends Error {}

export interface Session {
  machine: Machine;
  image: ElfImage;
  symbols: SymbolTable;
  model: CoreModel;
}

/** Machine options shared with `rvx run`, plus the core model. */
export interface SessionOptions {
  core?: string;
  isa?: string;
  ramMiB?: number;
  mtimeHz?: number;
  /** Attach the XPC engine (xcall/xret/swapseg/xprefetch and the XPC CSRs); on unless false. */
  xpc?: boolean;
}

/** Option names openSession understands, for parseArgs. */
export const SESSION_VALUED = ['--core', '--isa', '--ram', '--mtime-hz'] as const;
export const SESSION_FLAGS = ['--xpc', '--no-xpc'] as const;

/** SessionOptions from parsed arguments. */
export function sessionOptions(values: Map<string, string>, flags: Set<string>): SessionOptions {
  const o: SessionOptions = { core: values.get('--core'), isa: values.get('--isa'), xpc: !flags.has('--no-xpc') };
  if (values.has('--ram')) o.ramMiB = intOption('--ram', values.get('--ram'), 128);
  if (values.has('--mtime-hz')) o.mtimeHz = intOption('--mtime-hz', values.get('--mtime-hz'), 10_000_000);
  return o;
}

/** Read the ELF, build the machine and the core model. Guest console output goes to `console`. */
export function openSession(elfPath: string, opts: SessionOptions, console: (b: Uint8Array) => void): Session {
  const file = readInputFile(elfPath);
  if (!file.ok) throw new UsageError(`${elfPath}: ${file.error}`);
  const loaded = loadElfBytes(file.bytes);
  if (!loaded.ok) throw new UsageError(`${elfPath}: ${loaded.error}`);
  let machine: Machine;
  try {
    machine = new Machine({ stdout: console, isa: opts.isa, ramMiB: opts.ramMiB, mtimeHz: opts.mtimeHz });
    if (opts.xpc !== false) machine.attachXpc(createXpcHook(machine.hart));
    machine.load(loaded.program);
  } catch (e) {
    if (e instanceof MachineError) throw new UsageError(`${elfPath}: ${e.message}`);
    throw e;
  }
  let model: CoreModel;
  try {
    model = coreFromOption(opts.core, machine);
  } catch (e) {
    if (e instanceof CoreParamsError) throw new UsageError(e.message);
    throw e;
  }
  return { machine, image: loaded.image, symbols: new SymbolTable(loaded.image.symbols), model };
}

/** Per-record callback: cycles the record cost and its stall breakdown; return false to stop the run. */
export type RecordSink = (rec: CommitRecord, cycles: number, stalls: Float64Array) => boolean;

const SLICE = 1 << 14;

/**
 * Run with the core model and a sink until the program ends, `maxInsns` instructions retire, or the sink
 * says stop ('stopped'). With --core ideal every retired instruction costs 1 cycle (traps 0).
 */
export function runWithSink(s: Session, sink: RecordSink, maxInsns = Infinity): RunResult | { reason: 'stopped' } {
  const o = sinkObserver(s, sink);
  let left = maxInsns;
  for (;;) {
    const n = Math.min(SLICE, left);
    const before = s.machine.stats.instret;
    const r = s.machine.run(n, o.observer);
    left -= Number(s.machine.stats.instret - before);
    if (o.stopped()) return { reason: 'stopped' };
    if (r.reason !== 'limit') return r;
    if (left <= 0) return r;
  }
}

/**
 * The observer runWithSink runs the machine with: the core model's cost, then the sink. `stopped` turns
 * true once the sink has said stop (the run should end at the next convenient point).
 */
export function sinkObserver(s: Session, sink: RecordSink): { observer: CommitObserver; stopped: () => boolean } {
  const model = s.model.observer;
  const stalls = s.model.lastStalls;
  let stop = false;
  const observer = (rec: CommitRecord): number => {
    // ideal: a retired instruction is one cycle and a trap none, as in the Machine's fast loop.
    const c = model ? model(rec) : rec.trapped ? 0 : 1;
    if (!stop && !sink(rec, c, stalls)) stop = true;
    return c;
  };
  return { observer, stopped: () => stop };
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
