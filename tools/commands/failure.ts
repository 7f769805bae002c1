// The common failure handling of every command, apart from program.ts (which brings in the whole machine),
// so commands that never run a program (asm, ld, disasm, bench, demo) start without loading the emulator.

import { EXIT } from './exit.js';
import { UsageError } from './flags.js';
import { BrokenPipe, IoError } from './io.js';

/** A program that was read and refused: malformed ELF, does not fit, bad core file. Exit 126. */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/**
 * The common error tail of a command: usage errors (125), unreadable inputs (127), refused inputs
 * (126), unwritable outputs (121). Anything else is rethrown (cli.ts reports it as internal, 120).
 */
export function failureStatus(cmd: string, e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`rvx ${cmd}: ${e.message}${e.message.includes('--help') ? '' : ` (see 'rvx ${cmd} --help')`}\n`);
    return EXIT.USAGE;
  }
  if (e instanceof IoError) {
    process.stderr.write(`rvx ${cmd}: ${e.message}\n`);
    return e.status;
  }
  if (e instanceof RefusedError) {
    process.stderr.write(`rvx ${cmd}: ${e.message}\n`);
    return EXIT.REFUSED;
  }
  if (e instanceof BrokenPipe) return EXIT.BROKEN_PIPE;
  throw e;
}
