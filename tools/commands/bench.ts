// `rvx bench <name>`: runs one benchmark from tools/bench/<name>.ts, which prints its result and writes
// it under bench/results/. `npm run bench -- <name>` builds the CLI first and calls this.

type BenchMain = (args: string[]) => Promise<number>;

const BENCHES: Record<string, { summary: string; load: () => Promise<{ main: BenchMain }> }> = {
  asm: { summary: 'assembler throughput on a generated 200,000-line file (lines/s)', load: () => import('../bench/asm.js') },
  mips: { summary: 'interpreter speed on a bare-metal integer workload (MIPS)', load: () => import('../bench/mips.js') },
  ipc: { summary: 'IPC cost on the microkernel: kernel IPC vs XPC, phase by phase (cycles, report page)', load: () => import('../bench/ipc.js') },
};

function usage(): string {
  const lines = ['usage: rvx bench <name> [options]', '', 'benchmarks:'];
  for (const [name, b] of Object.entries(BENCHES)) lines.push(`  ${name.padEnd(8)} ${b.summary}`);
  lines.push('  all      every benchmark above, in order');
  return lines.join('\n');
}

export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const names = name === 'all' ? Object.keys(BENCHES) : [name];
  for (const n of names) {
    const b = BENCHES[n];
    if (!b) {
      process.stderr.write(`rvx bench: unknown benchmark '${n}'\n${usage()}\n`);
      return 2;
    }
    const code = await (await b.load()).main(rest);
    if (code !== 0) return code;
  }
  return 0;
}
