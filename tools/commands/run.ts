// `rvx run prog.elf`: run a bare-metal RV64 program on the machine until it exits through HTIF, the way
// Spike runs riscv-tests. Console output (HTIF console, UART) goes to stdout; diagnostics to stderr.

import type { Machine } from '../../emulator/machine.js';
import { symbolAddress } from '../load.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { commandLine, UsageError, choiceValue, type CommandSpec } from './flags.js';
import { checkOutputFile, OutputSink, writeOutput } from './io.js';
import { GDB_FLAGS, MACHINE_FLAGS, failureStatus, finishRun, gdbOptions, machineOptions, openProgram, RefusedError, runProgram, statsText } from './program.js';

/** Exit statuses other than the program's own code (exit.ts has the whole table). */
export const EXIT_USAGE = EXIT.USAGE;
export const EXIT_LIMIT = EXIT.LIMIT;
export const EXIT_TRAP_LOOP = EXIT.TRAP_LOOP;
export const EXIT_FATAL = EXIT.FATAL;

export const RUN: CommandSpec = {
  name: 'run',
  synopsis: '[options] prog.elf',
  about: `Runs a bare-metal RV64 program: ELF PT_LOAD segments at their physical addresses, entry through the
boot ROM at 0x1000 (M mode), HTIF through the ELF's tohost/fromhost symbols. prog.elf '-' reads the
program from standard input. The program's console output goes to standard output.`,
  flags: [
    ...MACHINE_FLAGS,
    ...GDB_FLAGS,
    {
      long: 'signature',
      arg: 'FILE',
      help: "when the program exits, write memory from begin_signature to end_signature to FILE\n('-': stdout) as hex, one word per line (Spike's format, as riscv-arch-test expects)",
    },
    { long: 'signature-granularity', arg: 'N', help: 'bytes per signature line: 1, 2, 4 (default) or 8' },
  ],
  operands: { min: 1, max: 1, what: 'program' },
  footer: EXIT_TABLE,
};

/**
 * Spike's signature dump: each line is one `granularity`-byte little-endian word of memory printed as
 * hex, most significant byte first; a last partial word is padded with zero bytes.
 */
function signatureText(machine: Machine, begin: number, end: number, granularity: number): string {
  const bytes = end > begin ? machine.readPhys(begin, end - begin) : new Uint8Array(0);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += granularity) {
    let line = '';
    for (let j = granularity - 1; j >= 0; j--) line += (i + j < bytes.length ? bytes[i + j] : 0).toString(16).padStart(2, '0');
    lines.push(line);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export async function main(args: string[]): Promise<number> {
  const a = commandLine(RUN, args);
  if (typeof a === 'number') return a;
  const out = new OutputSink(1, true);
  try {
    const o = machineOptions(a);
    const gdb = gdbOptions(a);
    const file = a.operands[0];
    const sigFile = a.get('signature');
    const granularity = a.has('signature-granularity') ? Number(choiceValue('--signature-granularity', a.get('signature-granularity'), ['1', '2', '4', '8'])) : 4;
    if (sigFile !== undefined) {
      if (o.bin !== undefined) throw new UsageError('--signature needs an ELF (begin_signature/end_signature symbols), not --bin');
      checkOutputFile('--signature', sigFile);
    }
    if (file === '-' && o.input === '-') throw new UsageError("the program and --input cannot both be standard input ('-')");
    const s = openProgram(file, o, (b) => out.write(b), (m) => process.stderr.write(`rvx run: ${m}\n`));
    let signature: { begin: number; end: number } | null = null;
    if (sigFile !== undefined && s.image) {
      const begin = symbolAddress(s.image, 'begin_signature');
      const end = symbolAddress(s.image, 'end_signature');
      if (begin === undefined || end === undefined || end < begin) {
        throw new RefusedError(`${file}: --signature: the program has no begin_signature/end_signature symbols (or end < begin)`);
      }
      signature = { begin, end };
    }
    const t0 = process.hrtime.bigint();
    const outcome = await runProgram(s, {
      maxInsns: o.maxInsns, closed: () => out.closed, afterSlice: () => out.flush(), gdb: { flags: gdb, cmd: 'run', elfPath: file },
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    out.flush();
    if (o.stats) process.stderr.write(statsText(s, seconds, s.model.name));
    if (signature && sigFile !== undefined && outcome.reason === 'exit') {
      let text: string;
      try {
        text = signatureText(s.machine, signature.begin, signature.end, granularity);
      } catch (e) {
        throw new RefusedError(`${file}: --signature: ${e instanceof Error ? e.message : String(e)}`);
      }
      writeOutput('--signature', sigFile, text);
    }
    return finishRun('run', file, s, outcome, o.maxInsns);
  } catch (e) {
    return failureStatus('run', e);
  } finally {
    out.flush();
  }
}
