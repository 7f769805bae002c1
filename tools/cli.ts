// rvx command-line entry: dispatches `rvx <command> ...` to tools/commands/<command>.ts.
// Each command module exports `main(args: string[]): Promise<number>` returning the exit status
// (tools/commands/exit.ts has the table, docs/cli.md explains it).

import { EXIT } from './commands/exit.js';
import { versionText } from './commands/flags.js';
import { installStdoutGuard, outputPending, stdoutGone } from './commands/io.js';

type CommandMain = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: CommandMain }> }> = {
  asm: { summary: 'assemble GNU-syntax RISC-V into an ELF or flat binary', load: () => import('./commands/asm.js') },
  ld: { summary: 'link objects (.o), archives (.a) and assembly sources into an ELF executable', load: () => import('./commands/ld.js') },
  disasm: { summary: 'disassemble an ELF (objdump style)', load: () => import('./commands/disasm.js') },
  run: { summary: 'run an ELF on the RV64 machine', load: () => import('./commands/run.js') },
  trace: { summary: 'run an ELF and print every instruction (Spike commit-log format or JSONL)', load: () => import('./commands/trace.js') },
  profile: { summary: 'cycles, instructions and stalls per function, privilege mode and region', load: () => import('./commands/profile.js') },
  kernel: { summary: 'build and boot the microkernel with a system description', load: () => import('./commands/kernel.js') },
  bench: { summary: 'run a benchmark (assembler speed, MIPS, IPC cost) and record its result', load: () => import('./commands/bench.js') },
  demo: { summary: 'one IPC between two address spaces, trap-based vs XPC, with modelled cycles', load: () => import('./commands/demo.js') },
};

/** Commands that hold nothing open once their main returns (no server, no child, no timer). */
const BATCH_COMMANDS = new Set(['asm', 'ld', 'disasm']);

function usage(): string {
  const lines = ['usage: rvx <command> [options]', '       rvx --help | --version', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', "Run 'rvx <command> --help' for a command's options; docs/cli.md has the exit statuses.");
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    // No command: a usage error (GNU tools print a short hint on stderr, not the help on stdout).
    process.stderr.write("rvx: no command given (see 'rvx --help')\n");
    return EXIT.USAGE;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest.length > 0 && COMMANDS[rest[0]]) return (await COMMANDS[rest[0]].load()).main(['--help']);
    process.stdout.write(usage());
    return EXIT.OK;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    process.stdout.write(versionText());
    return EXIT.OK;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    const what = cmd.startsWith('-') ? `unknown option '${cmd}'` : `unknown command '${cmd}'`;
    process.stderr.write(`rvx: ${what} (see 'rvx --help'; commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.USAGE;
  }
  const mod = await entry.load();
  return mod.main(rest);
}

// A reader that goes away (`rvx disasm prog.elf | head`) ends rvx quietly, as it ends cat: status 141
// (128 + SIGPIPE). Streams written synchronously (tools/commands/io.ts) report it themselves; this
// catches what goes through process.stdout.
installStdoutGuard((err) => {
  process.stderr.write(`rvx: cannot write standard output (${err.code ?? err.message})\n`);
  process.exit(EXIT.OUTPUT);
});

main(process.argv.slice(2)).then(
  (code) => {
    // Output cut short by its reader ends as cat's does, whatever the command concluded.
    process.exitCode = stdoutGone() && code === EXIT.OK ? EXIT.BROKEN_PIPE : code;
    // A batch command is done once it returns: leave now rather than let Node drain the event loop, where
    // V8's pending tasks (a garbage collection finishing its incremental marking) cost `rvx asm` 25–30 ms
    // after a large file. Only when nothing written to stdout or stderr is still queued (pipes are written
    // asynchronously on some systems); 'exit' listeners (the code cache) still run.
    if (BATCH_COMMANDS.has(process.argv[2]) && !outputPending()) process.exit();
  },
  (err: unknown) => {
    // Every expected failure is reported by the command itself; reaching here is an rvx bug.
    const msg = err instanceof Error ? err.message : String(err);
    const stack = process.env.RVX_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : " (run with RVX_DEBUG=1 for the stack)";
    process.stderr.write(`rvx: internal error: ${msg}${stack}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
