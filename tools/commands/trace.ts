// `rvx trace prog.elf`: one line per retired instruction in Spike's --log-commits format (or JSONL),
// with modelled cycles (docs/trace-format.md, docs/cycle-model.md).

import { closeSync, openSync } from 'node:fs';
import type { CommitRecord } from '../../emulator/types.js';
import { extraColumns, jsonRecord, spikeCommitLine, spikeTrapLines, type ExtraColumns } from '../trace/format.js';
import { TraceFilter, parsePrivList } from '../trace/filter.js';
import { SESSION_FLAGS, SESSION_VALUED, UsageError, exitCodeOf, intOption, openSession, parseArgs, runWithSink, sessionOptions, sinkObserver } from '../trace/session.js';
import { gdbOptionsHelp, parseGdbPort, runUnderGdb } from '../gdb/index.js';
import { BrokenPipe, BufferedWriter } from '../trace/writer.js';

const USAGE = `usage: rvx trace prog.elf [options]

Prints every retired instruction as Spike's --log-commits does:
  core   0: <priv> <pc> (<bits>) [x<rd> <value>] [c<num>_<csr> <value>]... [mem <addr> [<value>]]...
The program's own console output goes to stderr while the trace is on stdout.

options:
  --core rocket|ideal|FILE.json  timing model (default rocket; see docs/cycle-model.md)
  --format text|jsonl            Spike-style text (default) or one JSON object per line
  --disasm                       text: add the disassembly after '  #'
  --symbols                      text: add <symbol+offset> of the pc
  --cycles                       text: add the cycles the instruction cost
  --stalls                       text: add cycles and their stall breakdown
  --traps                        text: print Spike -l style lines for exceptions and interrupts taken
  --from SYM|ADDR                start printing when execution reaches SYM (symbol, symbol+off, address)
  --to SYM|ADDR                  stop printing after the instruction at SYM (reopens at --from)
  --priv u,s,m                   only these privilege modes
  --skip N                       skip the first N lines that pass the filters
  --max N                        print at most N lines, then stop the machine
  --max-insns N                  stop after N retired instructions
  -o FILE                        write the trace to FILE (the console then stays on stdout)
  --isa NAME, --ram MIB, --mtime-hz HZ   machine options, as for rvx run
  --no-xpc                       a plain RV64IMAC hart: no XPC engine (custom-0 and XPC CSRs illegal)
${gdbOptionsHelp(33)}`;

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let out: BufferedWriter | null = null;
  let fd = -1;
  try {
    const a = parseArgs(
      args,
      [...SESSION_VALUED, '--format', '--from', '--to', '--priv', '--skip', '--max', '--max-insns', '-o', '--gdb'],
      [...SESSION_FLAGS, '--disasm', '--symbols', '--cycles', '--stalls', '--traps', '--gdb-wait', '--gdb-nowait'],
    );
    if (!a.file) throw new UsageError('no ELF file given (rvx trace prog.elf)');
    if (!a.values.has('--gdb') && (a.flags.has('--gdb-wait') || a.flags.has('--gdb-nowait'))) throw new UsageError('--gdb-wait and --gdb-nowait need --gdb PORT');
    const format = a.values.get('--format') ?? 'text';
    if (format !== 'text' && format !== 'jsonl') throw new UsageError(`--format ${format}: expected text or jsonl`);
    const skip = intOption('--skip', a.values.get('--skip'), 0);
    const max = a.values.has('--max') ? intOption('--max', a.values.get('--max'), 0) : Infinity;
    const maxInsns = a.values.has('--max-insns') ? intOption('--max-insns', a.values.get('--max-insns'), 0) : Infinity;
    let privMask = 0;
    if (a.values.has('--priv')) {
      const p = parsePrivList(a.values.get('--priv')!);
      if (typeof p === 'string') throw new UsageError(p);
      privMask = p;
    }
    const outFile = a.values.get('-o');
    const toStdout = outFile === undefined;
    // The guest's console must not interleave with a trace on stdout.
    const console = (b: Uint8Array) => {
      process[toStdout ? 'stderr' : 'stdout'].write(b);
    };
    const s = openSession(a.file, sessionOptions(a.values, a.flags), console);
    const resolve = (opt: string): number | undefined => {
      const v = a.values.get(opt);
      if (v === undefined) return undefined;
      const r = s.symbols.resolve(v);
      if (typeof r === 'string') throw new UsageError(`${opt} ${v}: ${r}`);
      return r;
    };
    const filter = new TraceFilter({ from: resolve('--from'), to: resolve('--to'), privMask, skip, max });
    if (outFile !== undefined) {
      try {
        fd = openSync(outFile, 'w');
      } catch (e) {
        throw new UsageError(`cannot write ${outFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    const w = new BufferedWriter(toStdout ? 1 : fd);
    out = w;
    const symbolOf = (pc: number) => s.symbols.describe(pc);
    const cols: ExtraColumns = {
      disasm: a.flags.has('--disasm'),
      symbol: a.flags.has('--symbols') ? symbolOf : null,
      cycles: a.flags.has('--cycles'),
      stalls: a.flags.has('--stalls'),
    };
    const traps = a.flags.has('--traps');
    const json = format === 'jsonl';
    const sink = (rec: CommitRecord, cycles: number, stalls: Float64Array): boolean => {
      if (!filter.inside(rec)) return !filter.done;
      let line: string | null;
      if (json) line = jsonRecord(rec, cycles, stalls, symbolOf);
      else if (rec.trapped) line = traps ? spikeTrapLines(rec) : null;
      else line = spikeCommitLine(rec)! + extraColumns(rec, cols, cycles, stalls);
      if (line !== null && filter.take()) {
        try {
          w.write(line + '\n');
        } catch (e) {
          if (e instanceof BrokenPipe) return false;
          throw e;
        }
      }
      return !filter.done;
    };
    let r: ReturnType<typeof runWithSink>;
    if (a.values.has('--gdb')) {
      const port = parseGdbPort(a.values.get('--gdb'));
      if (typeof port === 'string') throw new UsageError(port);
      const o = sinkObserver(s, sink);
      const g = await runUnderGdb('trace', {
        port, wait: !a.flags.has('--gdb-nowait'), machine: s.machine, observer: o.observer, coreName: s.model.name,
        coreStats: () => s.model.stats(), maxInsns, finished: o.stopped, elfPath: a.file,
      });
      if ('exitCode' in g) return g.exitCode;
      r = g.reason === 'finished' ? { reason: 'stopped' } : g;
    } else r = runWithSink(s, sink, maxInsns);
    try {
      w.flush();
    } catch (e) {
      if (!(e instanceof BrokenPipe)) throw e;
    }
    return exitCodeOf(r, 'trace');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rvx trace: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    if (fd >= 0) closeSync(fd);
    void out;
  }
}
