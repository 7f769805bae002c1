// What the commands (`rvx run`, `rvx kernel`, `rvx trace`) call for `--gdb PORT [--gdb-wait|--gdb-nowait]`:
// the option parsing they share and one call that serves gdb until the run is over.

import type { RunResult } from '../../emulator/types.js';
import { GdbServerError, parseGdbPort, serveGdb, type GdbServeOptions } from './server.js';

export { parseGdbPort } from './server.js';
export type { GdbOutcome } from './stub.js';

/** Exit status of rvx when gdb kills the guest (128 + SIGKILL, as a shell reports a killed process). */
export const EXIT_KILLED = 137;

/** The --gdb options' help lines, descriptions starting at column `col` (to match a command's usage). */
export function gdbOptionsHelp(col: number): string {
  const rows: [string, string][] = [
    ['--gdb PORT', "serve gdb's remote protocol on 127.0.0.1:PORT (0: any free port; the port is printed);"],
    ['', 'the program waits before its first instruction for gdb (docs/debugging.md)'],
    ['--gdb-nowait', 'with --gdb: run at once; gdb may attach at any time (QEMU -s without -S)'],
    ['--gdb-wait', "with --gdb: wait for gdb before the first instruction (the default; QEMU's -S)"],
  ];
  return rows.map(([opt, text]) => `  ${opt.padEnd(col - 3)} ${text}\n`).join('');
}

export interface GdbFlags {
  port?: number;
  wait: boolean;
  /** --gdb-wait or --gdb-nowait was given (they need --gdb). */
  waitGiven?: boolean;
}

/** The error for --gdb-wait/--gdb-nowait without --gdb, or null. */
export function gdbFlagsError(flags: GdbFlags): string | null {
  return flags.waitGiven && flags.port === undefined ? '--gdb-wait and --gdb-nowait need --gdb PORT' : null;
}

/**
 * Consume a --gdb/--gdb-wait/--gdb-nowait argument at args[i]. Returns the number of arguments used
 * (0 when args[i] is not one of them) or an error message.
 */
export function takeGdbOption(args: string[], i: number, flags: GdbFlags): number | string {
  const a = args[i];
  if (a === '--gdb-wait' || a === '--gdb-nowait') {
    flags.wait = a === '--gdb-wait';
    flags.waitGiven = true;
    return 1;
  }
  if (a === '--gdb' || a.startsWith('--gdb=')) {
    const v = a === '--gdb' ? args[i + 1] : a.slice(6);
    const p = parseGdbPort(v);
    if (typeof p === 'string') return p;
    flags.port = p;
    return a === '--gdb' ? 2 : 1;
  }
  return 0;
}

/**
 * Run under gdb. Returns the guest's RunResult, or an exit status when there is none (gdb killed the
 * run: EXIT_KILLED; the port could not be opened: 2), having said why on stderr as `rvx CMD: ...`.
 */
export async function runUnderGdb(cmd: string, o: Omit<GdbServeOptions, 'wait'> & { wait?: boolean }): Promise<RunResult | { reason: 'finished' } | { exitCode: number }> {
  try {
    const r = await serveGdb({ ...o, wait: o.wait ?? true });
    if (r.reason === 'killed') {
      process.stderr.write(`rvx ${cmd}: killed by gdb\n`);
      return { exitCode: EXIT_KILLED };
    }
    return r;
  } catch (e) {
    if (e instanceof GdbServerError) {
      process.stderr.write(`rvx ${cmd}: ${e.message}\n`);
      return { exitCode: 2 };
    }
    throw e;
  }
}
