// `rvx trace prog.elf`: one line per retired instruction in Spike's --log-commits format (or JSONL),
// with modelled cycles (docs/trace-format.md, docs/cycle-model.md).

import type { CommitRecord } from '../../emulator/types.js';
import type { ExtraColumns } from '../trace/format.js';
import { ByteWriter } from '../trace/bytes.js';
import { TraceRing } from '../trace/ring.js';
import { TraceFilter, parsePrivList } from '../trace/filter.js';
import { SymbolTable } from '../trace/symbols.js';
import { BrokenPipe } from '../trace/writer.js';
import { EXIT_TABLE } from './exit.js';
import { commandLine, choiceValue, intValue, UsageError, type CommandSpec } from './flags.js';
import { checkOutputFile, openOutput, OutputSink } from './io.js';
import { GDB_FLAGS, MACHINE_FLAGS, plural, failureStatus, finishRun, gdbOptions, machineOptions, openProgram, runProgram, statsText } from './program.js';

export const TRACE: CommandSpec = {
  name: 'trace',
  synopsis: '[options] prog.elf',
  about: `Runs the program and prints every retired instruction as Spike's --log-commits does:
  core   0: <priv> <pc> (<bits>) [x<rd> <value>] [c<num>_<csr> <value>]... [mem <addr> [<value>]]...
The trace goes to standard output (or -o FILE) and the program's own console output to stderr (to
stdout with -o FILE). prog.elf '-' reads the program from standard input. Filters (--from, --to,
--priv, --skip) choose what is printed; only the limits (--max, --max-insns) stop the machine.`,
  flags: [
    { long: 'format', arg: 'FMT', help: 'text: Spike-style lines (default); jsonl: one JSON object per line' },
    { long: 'disasm', help: "text: add the disassembly after '  #'" },
    { long: 'symbols', help: 'text: add <symbol+offset> of the pc' },
    { long: 'cycles', help: 'text: add the cycles the instruction cost' },
    { long: 'stalls', help: 'text: add cycles and their stall breakdown' },
    { long: 'traps', help: 'text: print Spike -l style lines for exceptions and interrupts taken' },
    { long: 'from', arg: 'SYM|ADDR', help: 'start printing when execution reaches SYM (symbol, symbol+off, address)' },
    { long: 'to', arg: 'SYM|ADDR', help: 'stop printing after the instruction at SYM (printing resumes at --from)' },
    { long: 'priv', arg: 'u,s,m', help: 'print only these privilege modes' },
    { long: 'skip', arg: 'N', help: 'skip the first N lines that pass the filters' },
    { long: 'max', arg: 'N', help: 'print at most N lines, then stop the machine (exit status 124)' },
    { long: 'output', short: 'o', arg: 'FILE', help: "write the trace to FILE ('-': stdout); the console then goes to stdout" },
    ...MACHINE_FLAGS,
    ...GDB_FLAGS,
  ],
  operands: { min: 1, max: 1, what: 'program' },
  footer: EXIT_TABLE,
};

export async function main(args: string[]): Promise<number> {
  const a = commandLine(TRACE, args);
  if (typeof a === 'number') return a;
  let closeOut = () => {};
  // The guest's console: stderr while the trace is on stdout, stdout when the trace goes to a file.
  let console: OutputSink | null = null;
  try {
    const o = machineOptions(a);
    const gdb = gdbOptions(a);
    const file = a.operands[0];
    const format = choiceValue('--format', a.get('format') ?? 'text', ['text', 'jsonl']);
    const skip = a.has('skip') ? intValue('--skip', a.get('skip'), 0) : 0;
    const max = a.has('max') ? intValue('--max', a.get('max'), 1) : Infinity;
    let privMask = 0;
    if (a.has('priv')) {
      const p = parsePrivList(a.get('priv')!);
      if (typeof p === 'string') throw new UsageError(p);
      privMask = p;
    }
    const outFile = a.get('output') ?? '-';
    const toStdout = outFile === '-';
    if (!toStdout) checkOutputFile('-o', outFile);
    if (file === '-' && o.input === '-') throw new UsageError("the program and --input cannot both be standard input ('-')");
    console = new OutputSink(toStdout ? 2 : 1, true);
    const cons = console;
    const s = openProgram(file, o, (b) => cons.write(b), (m) => process.stderr.write(`rvx trace: ${m}\n`));
    const symbols = new SymbolTable(s.image?.symbols ?? []);
    const resolve = (opt: string): number | undefined => {
      const v = a.get(opt);
      if (v === undefined) return undefined;
      const r = symbols.resolve(v);
      if (typeof r === 'string') throw new UsageError(`--${opt} ${v}: ${r}`);
      return r;
    };
    const filter = new TraceFilter({ from: resolve('from'), to: resolve('to'), privMask, skip, max });
    const target = openOutput('-o', outFile);
    closeOut = () => target.close();
    const w = new ByteWriter(target.fd);
    let closed = false;
    const symbolOf = (pc: number) => symbols.describe(pc);
    const cols: ExtraColumns = {
      disasm: a.has('disasm'),
      symbol: a.has('symbols') ? symbolOf : null,
      cycles: a.has('cycles'),
      stalls: a.has('stalls'),
    };
    const traps = a.has('traps');
    const json = format === 'jsonl';
    const ring = new TraceRing(w, { json, cols, symbol: symbolOf });
    // Format what the ring holds and write it; a reader that went away ends the trace.
    const flushRing = () => {
      if (closed) return;
      try {
        ring.flush();
      } catch (e) {
        if (!(e instanceof BrokenPipe)) throw e;
        closed = true;
      }
    };
    let printed = 0;
    const sink = (rec: CommitRecord, cycles: number, stalls: Float64Array): string | null => {
      if (closed || !filter.inside(rec)) return null;
      if (TraceRing.prints(rec, json, traps) && filter.take()) {
        printed++;
        try {
          ring.push(rec, cycles, stalls);
        } catch (e) {
          if (!(e instanceof BrokenPipe)) throw e;
          closed = true;
          return null;
        }
        if (printed >= max) return `--max ${max}: ${plural(max, 'line')} printed`;
      }
      return null;
    };
    const t0 = process.hrtime.bigint();
    const outcome = await runProgram(s, {
      maxInsns: o.maxInsns, sink, closed: () => closed || (!toStdout && cons.closed),
      afterSlice: () => {
        flushRing();
        cons.flush();
      },
      gdb: { flags: gdb, cmd: 'trace', elfPath: file },
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    flushRing();
    console.flush();
    if (o.stats) process.stderr.write(statsText(s, seconds, s.model.name));
    return finishRun('trace', file, s, closed && outcome.reason !== 'exit' ? { reason: 'closed' } : outcome, o.maxInsns);
  } catch (e) {
    return failureStatus('trace', e);
  } finally {
    console?.flush();
    closeOut();
  }
}
