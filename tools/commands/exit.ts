// rvx's exit statuses, one table for every command (docs/cli.md, "Exit status").
//
// The guest program's own failure code passes through unchanged as 1..119, as Spike passes the code a
// program writes to tohost; rvx's own outcomes sit above it, at 120..127, where timeout(1) keeps its own
// (124 = the limit ended the run, 125 = the tool itself failed, 126 = found but cannot be run, 127 =
// cannot be found), so a script can always tell the program's verdict from rvx's. A guest code of 119
// or more is reported as 119, with the exact value on stderr.

export const EXIT = {
  /** The program passed (tohost = 1), or the command did what it was asked. */
  OK: 0,
  /** Highest guest code passed through; larger codes are clamped to it. */
  GUEST_MAX: 119,
  /** A bug in rvx (an unexpected exception); the message asks for a report. */
  INTERNAL: 120,
  /** An output file (or standard output) cannot be written. */
  OUTPUT: 121,
  /** The hart is stuck taking the same trap over and over. */
  TRAP_LOOP: 122,
  /** The hart cannot go on (no trap vector, WFI that can never wake, ...). */
  FATAL: 123,
  /** A limit ended the run before the program did (--max-insns, trace --max), as timeout(1). */
  LIMIT: 124,
  /** Bad command line: unknown option, bad value, wrong operands, a --gdb port that cannot be opened
   * (timeout(1): it failed itself). */
  USAGE: 125,
  /** The input was read but refused: assembly errors, malformed ELF, program that does not fit. */
  REFUSED: 126,
  /** An input cannot be read: no such file, a directory, no permission, not a regular file. */
  NO_INPUT: 127,
  /** Interrupted by SIGINT (128 + 2), as a shell reports it. */
  INTERRUPTED: 130,
  /** Standard output was closed by the reader (`| head`): 128 + SIGPIPE, as cat or yes end. */
  BROKEN_PIPE: 141,
  /** gdb killed the program (--gdb, `kill`): 128 + SIGKILL, as a shell reports a killed process. */
  KILLED: 137,
  /** Terminated by SIGTERM (128 + 15). */
  TERMINATED: 143,
} as const;

/** The exit status for a guest's failure code (non-zero): itself up to 119, else 119. */
export function guestStatus(code: number): number {
  if (code <= 0) return EXIT.OK;
  return code > EXIT.GUEST_MAX ? EXIT.GUEST_MAX : code;
}

/** The table, as printed in help texts. */
export const EXIT_TABLE = `exit status (the same for every rvx command; docs/cli.md):
  0        success: the program passed (wrote 1 to tohost), or the command did its work
  1-119    the program failed with this code (tohost = code << 1 | 1; riscv-tests: the failing
           case); 119 also stands for any larger code (stderr has the exact value)
  120      internal error in rvx (please report it)
  121      an output cannot be written
  122      the hart is stuck in a trap loop
  123      the hart cannot go on (no trap vector, WFI that can never wake, ...)
  124      a limit ended the run first (--max-insns, trace --max)
  125      bad command line (unknown option, bad value)
  126      input refused: assembly errors, malformed ELF, program does not fit the machine
  127      an input cannot be read (no such file, directory, not a regular file)
  130/141/143  interrupted (SIGINT) / standard output closed (| head) / terminated (SIGTERM)
  137      gdb killed the program (--gdb)`;
