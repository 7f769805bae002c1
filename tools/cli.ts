// rvx command-line entry: dispatches `rvx <command> ...` to tools/commands/<command>.ts.
// Each command module exports `main(args: string[]): Promise<number>` returning the exit code.

type CommandMain = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: CommandMain }> }> = {
  asm: { summary: 'assemble GNU-syntax RISC-V into an ELF or flat binary', load: () => import('./commands/asm.js') },
  ld: { summary: 'link objects (.o), archives (.a) and assembly sources into an ELF executable', load: () => import('./commands/ld.js') },
  disasm: { summary: 'disassemble an ELF (objdump style)', load: () => import('./commands/disasm.js') },
  run: { summary: 'run an ELF on the RV64 machine', load: () => import('./commands/run.js') },
  trace: { summary: 'run an ELF and print a per-instruction trace (Spike commit-log format or JSONL)', load: () => import('./commands/trace.js') },
  profile: { summary: 'cycles, instructions and stalls per function, privilege mode and region', load: () => import('./commands/profile.js') },
  kernel: { summary: 'build and boot the microkernel with a system description', load: () => import('./commands/kernel.js') },
  bench: { summary: 'run a benchmark and record its result under bench/results/', load: () => import('./commands/bench.js') },
  demo: { summary: 'show one IPC between two address spaces, trap-based vs XPC, with modelled cycles', load: () => import('./commands/demo.js') },
};

function usage(): string {
  const lines = ['usage: rvx <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', "Run 'rvx <command> --help' for a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage() + '\n');
    return cmd ? 0 : 2;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    process.stderr.write(`rvx: unknown command '${cmd}'\n${usage()}\n`);
    return 2;
  }
  const mod = await entry.load();
  return mod.main(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Every expected failure is reported by the command itself; reaching here is an rvx bug.
    process.stderr.write(`rvx: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
