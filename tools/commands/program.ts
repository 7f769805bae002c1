// What `rvx run`, `rvx trace`, `rvx profile` and `rvx kernel` share, so their options, limits and exit
// statuses mean the same thing: the machine flags, loading a program, running it in slices (so SIGINT,
// a closed stdout or a trace limit can stop it between slices), and turning how it ended into one
// stderr line and the exit status of the table in exit.ts (docs/cli.md).

import { Machine, MachineError, type MachineStats, type Tier } from '../../emulator/machine.js';
import { CoreParamsError, coreFromOption, type CoreModel, type PassRecord, type PassSummarySink } from '../../emulator/timing/index.js';
import { createXpcHook } from '../../emulator/xpc/hook.js';
import { createMechHook, parseExtList, type Mechanism } from '../../emulator/mech/hook.js';
import type { CommitObserver, CommitRecord, LoadableProgram } from '../../emulator/types.js';
import type { ElfImage } from '../elf/model.js';
import { flatBinary, loadProgramBytes } from '../load.js';
import { parseIsaString } from '../../isa/isa-string.js';
import { EXIT, guestStatus } from './exit.js';
import { UsageError, addressValue, choiceValue, intValue, type FlagSpec, type ParsedArgs } from './flags.js';
import { BrokenPipe, IoError, readInput } from './io.js';
import { parseGdbPort, runUnderGdb, type GdbFlags } from '../gdb/index.js';
import { RefusedError } from './failure.js';

export { failureStatus, RefusedError } from './failure.js';

/** Options every command that runs a program takes, with the same names and meanings. */
export const MACHINE_FLAGS: FlagSpec[] = [
  { long: 'core', arg: 'MODEL', help: 'timing model behind cycle/mcycle: rocket (default), ideal (one cycle per\ninstruction, the fastest) or a JSON parameter file (docs/cycle-model.md)' },
  { long: 'isa', arg: 'ISA', help: 'ISA string, as Spike\'s --isa: rv64gc (default), rv64imac, rv64ima, rv64i,\nrv64imac_zicsr_zifencei, versions such as rv64i2p1, bit manipulation as in\nrv64gc_zba_zbb_zbc_zbs (V, ... are refused)' },
  { long: 'tier', arg: 'TIER', help: 'jit (default) or interp: jit translates hot blocks to WebAssembly (same\nresults and cycles; a cycle model is fed their records); interp runs the interpreter alone' },
  { long: 'no-xpc', help: 'a plain RV64 hart: no XPC engine (custom-0 and the XPC CSRs are illegal)' },
  { long: 'xpc', help: 'attach the XPC engine (the default)' },
  { long: 'ext', arg: 'LIST', help: 'IPC extensions to attach instead, comma-separated: xpc, gate, pkey, asl, or\nnone (docs/mechanisms.md); e.g. --ext xpc,gate' },
  { long: 'ram', arg: 'MiB', help: 'RAM size at 0x80000000, 1 to 2047 MiB (default 128)' },
  { long: 'mtime-hz', arg: 'HZ', help: 'CLINT mtime frequency per 10^9 instructions (default 10000000)' },
  { long: 'max-insns', arg: 'N', help: 'stop after N retired instructions (exit status 124)' },
  { long: 'input', arg: 'FILE', help: "bytes the console reads (UART, HTIF getchar); '-' is standard input" },
  { long: 'bin', arg: 'ADDR', help: 'the file is a flat binary: load it at ADDR and start there (no HTIF)' },
  { long: 'stats', help: 'print instructions, cycles, time, traps and (with a timing core) the stall\nbreakdown and cache/TLB/predictor events to stderr when the run ends' },
];

/** `--gdb PORT` and its companions: the same on run, trace and kernel (docs/debugging.md). */
export const GDB_FLAGS: FlagSpec[] = [
  { long: 'gdb', arg: 'PORT', help: "serve gdb's remote protocol on 127.0.0.1:PORT (0: any free port; the port is\nprinted); the program waits before its first instruction for gdb (docs/debugging.md)" },
  { long: 'gdb-wait', help: "with --gdb: wait for gdb before the first instruction (the default; QEMU's -S)" },
  { long: 'gdb-nowait', help: 'with --gdb: run at once; gdb may attach at any time (QEMU -s without -S)' },
];

/** Read and check the --gdb flags (UsageError names the bad one). */
export function gdbOptions(a: ParsedArgs): GdbFlags {
  if (a.has('gdb-wait') && a.has('gdb-nowait')) throw new UsageError("'--gdb-wait' and '--gdb-nowait' contradict each other");
  const g: GdbFlags = { wait: !a.has('gdb-nowait') };
  if (a.has('gdb')) {
    const p = parseGdbPort(a.get('gdb'));
    if (typeof p === 'string') throw new UsageError(p);
    g.port = p;
  } else if (a.has('gdb-wait') || a.has('gdb-nowait')) throw new UsageError('--gdb-wait and --gdb-nowait need --gdb PORT');
  return g;
}

export interface MachineOptions {
  core?: string;
  /** --ext: the IPC extensions, replacing the XPC default. */
  ext?: Mechanism[];
  tier?: Tier;
  isa?: string;
  xpc: boolean;
  ramMiB?: number;
  mtimeHz?: number;
  maxInsns: number;
  input?: string;
  bin?: number;
  stats: boolean;
}

/** Read and check the machine flags (UsageError names the bad one). */
export function machineOptions(a: ParsedArgs): MachineOptions {
  const o: MachineOptions = { xpc: !a.has('no-xpc'), maxInsns: Infinity, stats: a.has('stats') };
  if (a.has('no-xpc') && a.has('xpc')) throw new UsageError("'--xpc' and '--no-xpc' contradict each other");
  if (a.has('ext')) {
    if (a.has('no-xpc') || a.has('xpc')) throw new UsageError("--ext names the extensions itself: it does not go with '--xpc' or '--no-xpc'");
    try {
      o.ext = parseExtList(a.get('ext') ?? '');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const core = a.get('core');
  if (core !== undefined) {
    if (core === '') throw new UsageError('--core needs a value: rocket, ideal or a JSON parameter file');
    o.core = core;
  }
  if (a.has('tier')) o.tier = choiceValue('--tier', a.get('tier'), ['jit', 'interp']) as Tier;
  const isa = a.get('isa');
  if (isa !== undefined) {
    const spec = parseIsaString(isa);
    if (typeof spec === 'string') throw new UsageError(`--isa: ${spec}`);
    o.isa = isa;
  }
  if (a.has('ram')) o.ramMiB = intValue('--ram', a.get('ram'), 1, 2047);
  if (a.has('mtime-hz')) o.mtimeHz = intValue('--mtime-hz', a.get('mtime-hz'), 1);
  if (a.has('max-insns')) o.maxInsns = intValue('--max-insns', a.get('max-insns'), 1);
  if (a.has('input')) {
    const v = a.get('input')!;
    if (v === '') throw new UsageError("--input needs a file name (or '-' for standard input)");
    o.input = v;
  }
  if (a.has('bin')) {
    const v = addressValue('--bin', a.get('bin'));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`--bin '${a.get('bin')}': address too large`);
    o.bin = Number(v);
  }
  return o;
}

export interface Session {
  machine: Machine;
  /** The ELF (null for --bin). */
  image: ElfImage | null;
  model: CoreModel;
  program: LoadableProgram;
}

/**
 * Read the program (`-` = standard input), build the machine and the core model. `console` receives
 * the guest's output; `warn` one-line warnings. Throws IoError (unreadable), RefusedError (refused),
 * UsageError (bad --core).
 */
export function openProgram(
  file: string,
  o: MachineOptions,
  console: (b: Uint8Array) => void,
  warn: (msg: string) => void,
  /** The program's bytes when they are already in memory (`file` then only names it). */
  given?: Uint8Array,
): Session {
  const bytes = given ?? readInput(file);
  let program: LoadableProgram;
  let image: ElfImage | null = null;
  if (o.bin !== undefined) {
    if (bytes.length === 0) throw new RefusedError(`${file}: empty file`);
    program = flatBinary(bytes, o.bin);
  } else {
    const loaded = loadProgramBytes(bytes);
    if (!loaded.ok) throw new RefusedError(`${file}: ${loaded.error}`);
    for (const w of loaded.warnings) warn(`${file}: warning: ${w}`);
    program = loaded.program;
    image = loaded.image;
  }
  let input: Uint8Array = new Uint8Array(0);
  if (o.input !== undefined) input = readInput(o.input, o.input);
  let inputPos = 0;
  const stdin = () => (inputPos < input.length ? input[inputPos++] : -1);
  let machine: Machine;
  try {
    machine = new Machine({ stdout: console, stdin, isa: o.isa, ramMiB: o.ramMiB, mtimeHz: o.mtimeHz, tier: o.tier });
    if (o.ext !== undefined) {
      if (o.ext.length > 0) machine.attachXpc(createMechHook(machine.hart, o.ext));
    } else if (o.xpc) machine.attachXpc(createXpcHook(machine.hart));
    machine.load(program);
  } catch (e) {
    if (e instanceof MachineError) throw new RefusedError(`${file}: ${e.message}`);
    throw e;
  }
  let model: CoreModel;
  try {
    model = coreFromOption(o.core, machine);
  } catch (e) {
    if (e instanceof CoreParamsError) throw new UsageError(e.message);
    throw e;
  }
  if (program.tohost === undefined && o.maxInsns === Infinity) {
    // Nothing but HTIF ends a run: say so up front rather than hang silently.
    warn(`${file}: warning: no 'tohost' symbol, so the program cannot end the run through HTIF; stop it with --max-insns N`);
  }
  return { machine, image, model, program };
}

/**
 * How a run ended. `stopped`: the caller's sink asked to stop (a trace limit); `closed`: stdout went
 * away; `status`: the run ended with an exit status already decided and reported (gdb killed it, or its
 * port could not be opened).
 */
export type Outcome =
  | { reason: 'exit'; code: number }
  | { reason: 'status'; status: number }
  | { reason: 'limit' }
  | { reason: 'stopped'; why: string }
  | { reason: 'trap-loop'; message: string }
  | { reason: 'fatal'; message: string }
  | { reason: 'interrupted'; signal: 'SIGINT' | 'SIGTERM' }
  | { reason: 'closed' };

/** Per-record callback: the cycles the record cost and its stall breakdown; return a reason string to stop. */
export type RecordSink = (rec: CommitRecord, cycles: number, stalls: Float64Array) => string | null;

export interface RunControl {
  maxInsns: number;
  /** Observe every record (trace, profile); without it the core model alone observes (or none: ideal). */
  sink?: RecordSink;
  /**
   * The sink reads only what records replayed from translated blocks carry (pc, priv, trapped, and the
   * cycles and stalls it is handed; types.ts CommitObserver.blockReplay): with a model that allows it,
   * the run may then go on the jit tier as it does without the sink.
   */
  sinkReplayable?: boolean;
  /**
   * With sinkReplayable: the sink's reader of whole passes over translated blocks (pcs in order, k
   * retired in mode priv, their cycles and stalls in `out`), so the model may replay them straight from
   * the commit log (CommitObserver.replayPass) instead of a record per instruction.
   */
  passSink?: (pcs: Float64Array, k: number, priv: number, out: PassRecord) => void;
  /**
   * With passSink: the sink's reader of whole passes as sums (PassSummarySink), so the
   * model may replay those in WebAssembly (CoreModel.summarizePasses); its `each` is not used (passSink is).
   */
  passSummary?: Pick<PassSummarySink, 'summable' | 'runStart' | 'runEnd' | 'summed'>;
  /** True once the guest's console output has nowhere to go (stdout closed). */
  closed?: () => boolean;
  /** Called between slices (flush buffered console output). */
  afterSlice?: () => void;
  /** Serve gdb (--gdb PORT) instead of running freely: the command's name and the ELF's path for gdb. */
  gdb?: { flags: GdbFlags; cmd: string; elfPath: string };
}

/**
 * Run in slices until the program ends, a limit is hit, the sink says stop, the console's reader goes
 * away or a SIGINT/SIGTERM arrives (checked between slices: the run loop itself stays synchronous).
 */
export async function runProgram(s: Session, c: RunControl): Promise<Outcome> {
  const model = s.model.observer;
  const stallsOut = s.model.lastStalls;
  let stopWhy: string | null = null;
  // Outside a gdb session, the machine stops right after the record the sink stopped at (trace --max),
  // so the run ends there, not at the end of its slice.
  let stopAtSink = false;
  let observer: CommitObserver | undefined = model ?? undefined;
  if (c.sink) {
    const sink = c.sink;
    observer = (rec: CommitRecord): number => {
      // ideal: a retired instruction is one cycle and a trap none, as in the Machine's fast loop.
      const cost = model ? model(rec) : rec.trapped ? 0 : 1;
      if (stopWhy === null) {
        stopWhy = sink(rec, cost, stallsOut);
        if (stopWhy !== null && stopAtSink) s.machine.stopRequested = true;
      }
      return cost;
    };
    if (c.sinkReplayable === true && model?.blockReplay === true) {
      observer.blockReplay = true;
      const out = c.passSink !== undefined && model.replayPass !== undefined ? s.model.recordPasses(true) : null;
      if (out !== null) {
        const replayPass = model.replayPass!;
        const passSink = c.passSink!;
        observer.replayPass = (f, k, cur) => {
          const extra = replayPass(f, k, cur);
          if (stopWhy === null) passSink(f.pc, k, cur.priv, out);
          return extra;
        };
        const summary = c.passSummary;
        if (summary !== undefined && model.replayLog !== undefined) {
          // Whole passes the sink can sum go to the WebAssembly replay; the rest to replayPass as above.
          s.model.summarizePasses({
            summable: (pcs, k, priv) => stopWhy !== null || summary.summable(pcs, k, priv),
            runStart: () => summary.runStart(),
            runEnd: () => summary.runEnd(),
            summed: (k, cycles, stalls) => {
              if (stopWhy === null) summary.summed(k, cycles, stalls);
            },
            each: (pcs, k, priv, o) => {
              if (stopWhy === null) passSink(pcs, k, priv, o);
            },
          });
          observer.replayLog = model.replayLog;
        }
      }
    }
  }
  if (c.gdb?.flags.port !== undefined) {
    const g = c.gdb;
    const r = await runUnderGdb(g.cmd, {
      port: g.flags.port!, wait: g.flags.wait, machine: s.machine, observer: observer ?? null, coreName: s.model.name,
      coreStats: () => s.model.stats(), maxInsns: c.maxInsns, finished: () => stopWhy !== null, elfPath: g.elfPath,
    });
    c.afterSlice?.();
    if ('exitCode' in r) return { reason: 'status', status: r.exitCode };
    // 'finished': the command's own end (trace --max) while gdb was serving.
    if (r.reason === 'finished') return { reason: 'stopped', why: stopWhy ?? 'the gdb session ended' };
    return r;
  }
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => () => {
    // A second signal while the first is being handled ends the process at once.
    if (signal !== null) process.exit(sig === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED);
    signal = sig;
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // Slices: long enough that the pauses between them cost nothing measurable, short enough that Ctrl-C
  // and a closed pipe are noticed within a fraction of a second.
  const slice = observer ? 1 << 16 : 1 << 22;
  stopAtSink = true;
  let left = c.maxInsns;
  try {
    for (;;) {
      const n = Math.min(slice, left);
      const before = s.machine.stats.instret;
      const r = s.machine.run(n, observer);
      left -= Number(s.machine.stats.instret - before);
      c.afterSlice?.();
      if (stopWhy !== null) return { reason: 'stopped', why: stopWhy };
      if (c.closed?.()) return { reason: 'closed' };
      if (r.reason !== 'limit') return r;
      if (left <= 0) return r;
      await new Promise<void>((res) => setImmediate(res));
      if (signal !== null) return { reason: 'interrupted', signal };
      if (c.closed?.()) return { reason: 'closed' };
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

const PRIV_NAMES = ['U', 'S', '?', 'M'];

/** `1 cycle`, `2 cycles`: a count with its noun, singular or plural. */
export function plural(n: number | bigint, one: string, many = one + 's'): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

function hex(n: number | bigint): string {
  return '0x' + BigInt.asUintN(64, BigInt(n)).toString(16);
}

/**
 * Report how the run ended on stderr (one line; nothing for a pass or a closed pipe) and give the exit
 * status: the guest's code, or rvx's own from the table.
 */
export function finishRun(cmd: string, file: string, s: Session, out: Outcome, maxInsns: number): number {
  const say = (msg: string) => process.stderr.write(`rvx ${cmd}: ${file}: ${msg}\n`);
  const where = () => `at pc ${hex(s.machine.pc)} in ${PRIV_NAMES[s.machine.priv] ?? s.machine.priv} mode`;
  switch (out.reason) {
    case 'exit': {
      if (out.code === 0) return EXIT.OK;
      const status = guestStatus(out.code);
      say(`*** FAILED *** with code ${out.code} (tohost = ${hex((BigInt(out.code) << 1n) | 1n)}; riscv-tests: test case ${out.code})${status !== out.code ? `; exit status ${status}` : ''}`);
      return status;
    }
    case 'limit':
      say(`stopped: --max-insns ${maxInsns} reached ${where()}`);
      return EXIT.LIMIT;
    case 'stopped':
      say(`stopped: ${out.why} ${where()}`);
      return EXIT.LIMIT;
    case 'trap-loop':
      say(`stopped: the hart is stuck in a trap loop: ${out.message}`);
      return EXIT.TRAP_LOOP;
    case 'fatal':
      say(`stopped: ${out.message}`);
      return EXIT.FATAL;
    case 'interrupted':
      say(`interrupted (${out.signal}) ${where()}`);
      return out.signal === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
    case 'closed':
      return EXIT.BROKEN_PIPE;
    case 'status':
      return out.status;
  }
}

/**
 * --stats: which tier ran what. observed: a cycle model observed the run; it ran on the jit tier (its
 * records replayed from translated blocks) when the machine's tier is jit.
 */
function tierLine(s: MachineStats, observed: boolean, replayed: { wasm: number; js: number }): string {
  if (observed && !s.jit) return 'tier          interp (the cycle model observes every instruction)';
  if (!s.jit) return 'tier          interp';
  const j = s.jit;
  const total = j.jitRetired + j.interpRetired;
  // Nothing ran unobserved (trace, profile: every instruction goes to the sink): the interpreter ran it all.
  if (total === 0) return 'tier          interp (every instruction observed)';
  const pct = total > 0 ? ((100 * j.jitRetired) / total).toFixed(1) : '0.0';
  const replayedNote = observed ? ' (their records replayed to the cycle model)' : '';
  const model = observed && replayed.wasm + replayed.js > 0
    ? `;\n              the cycle model replayed ${replayed.wasm} of them in WebAssembly, ${replayed.js} in JavaScript`
    : '';
  return `tier          jit: ${j.jitRetired} instructions in translated blocks${replayedNote} (${pct}%), ${j.interpRetired} interpreted;\n` +
    `              ${plural(j.blocksCompiled, 'block')} compiled (${j.bytesCompiled} bytes of WebAssembly), ${j.invalidations} invalidated, ${plural(j.flushes, 'flush', 'flushes')}${model}`;
}

/** The --stats lines (stderr): printed however the run ended, interrupts included. */
export function statsText(s: Session, seconds: number, coreName: string): string {
  const st = s.machine.stats;
  const insns = Number(st.instret);
  // Below a million instructions the wall time is mostly compilation and start-up: no rate is better
  // than a wrong one.
  const mips = insns >= 1e6 && seconds > 0 ? (insns / seconds / 1e6).toFixed(1) : 'n/a (run too short to time: under a million instructions)';
  const lines = [
    `instructions  ${st.instret}`,
    `cycles        ${st.cycles} (core ${coreName})`,
    `wall time     ${seconds.toFixed(3)} s`,
    `MIPS          ${mips}`,
    `traps         ${st.traps} (${plural(st.interrupts, 'interrupt')})`,
  ];
  lines.push(tierLine(st, s.model.observer !== null, s.model.replayed()));
  // A timing model's own account: where the cycles beyond one per instruction went, and what its caches,
  // TLBs and predictor saw (docs/cycle-model.md names each category).
  const core = s.model.stats();
  if (core !== null) {
    const stalls = Object.entries(core.stalls).filter(([, c]) => c > 0).map(([n, c]) => `${n} ${c}`);
    lines.push(`stalls        ${stalls.length > 0 ? stalls.join(', ') : 'none'} (cycles)`);
    const e = core.events;
    lines.push(`core events   I-cache ${plural(e.icacheMisses, 'miss', 'misses')}, D-cache ${plural(e.dcacheMisses, 'miss', 'misses')}, ` +
      `I-TLB ${plural(e.itlbMisses, 'miss', 'misses')}, D-TLB ${plural(e.dtlbMisses, 'miss', 'misses')}, ${plural(e.pageWalks, 'walk')};`);
    lines.push(`              ${plural(e.branches, 'branch', 'branches')} and jumps, ${plural(e.mispredicts, 'misprediction')}, ${plural(e.flushes, 'pipeline flush', 'pipeline flushes')}`);
  }
  // TLB figures mean something only once address translation was used (a page walk is its first step).
  if (st.pageWalks > 0) {
    lines.push(`TLB           ${plural(st.tlbMisses, 'miss', 'misses')}, ${plural(st.tlbFlushes, 'flush', 'flushes')}, ${plural(st.pageWalks, 'page walk')}`);
  } else lines.push('TLB           not used (no address translation: Bare mode throughout)');
  return lines.join('\n') + '\n';
}
