// What the commands (`rvx run`, `rvx kernel`, `rvx trace`) call for `--gdb PORT [--gdb-wait|--gdb-nowait]`
// (their flags are in tools/commands/program.ts): one call that serves gdb until the run is over.

import type { RunResult } from '../../emulator/types.js';
import { EXIT } from '../commands/exit.js';
import type { GdbServeOptions } from './server.js';

export { parseGdbPort } from './port.js';
export type { GdbOutcome } from './stub.js';

/** Exit status of rvx when gdb kills the guest (128 + SIGKILL, as a shell reports a killed process). */
export const EXIT_KILLED = EXIT.KILLED;

export interface GdbFlags {
  port?: number;
  wait: boolean;
}

/**
 * Run under gdb. Returns the guest's RunResult, or an exit status when there is none (gdb killed the
 * run: EXIT_KILLED; the port could not be opened: 2), having said why on stderr as `rvx CMD: ...`.
 */
export async function runUnderGdb(cmd: string, o: Omit<GdbServeOptions, 'wait'> & { wait?: boolean }): Promise<RunResult | { reason: 'finished' } | { exitCode: number }> {
  // The server (and node:net with it) is loaded only for a run under gdb, not at every run's start-up.
  const { GdbServerError, serveGdb } = await import('./server.js');
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
      return { exitCode: EXIT.USAGE };
    }
    throw e;
  }
}
