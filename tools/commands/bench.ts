// `rvx bench <name>`: runs one benchmark from tools/bench/<name>.ts, which prints its result and records
// it. `npm run bench -- <name>` builds the CLI first and calls this. This file owns the command line of
// every benchmark (a flag table each, like the other commands): --help and bad flags are answered here,
// and outputs are checked, before a benchmark starts, so `rvx bench asm --help` never runs it.
// A benchmark that gains an option adds a row to its table below.

import { parseIsaString } from '../../isa/isa-string.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { commandLine, helpText, UsageError, type CommandSpec, type FlagSpec, type ParsedArgs } from './flags.js';
import { checkOutputDir, checkOutputFile } from './io.js';
import { failureStatus } from './failure.js';

type BenchMain = (args: string[]) => Promise<number>;

interface Bench {
  summary: string;
  spec: CommandSpec;
  /** How the benchmark's own argument reader wants values: `--name value` or `--name=value`. */
  valueStyle: 'separate' | 'inline';
  /** Checks beyond the table (outputs writable, values well formed), before the benchmark runs. */
  check?: (a: ParsedArgs) => void;
  load: () => Promise<{ main: BenchMain }>;
}

function spec(name: string, about: string, flags: FlagSpec[]): CommandSpec {
  return { name: `bench ${name}`, synopsis: '[options]', about, flags, operands: { min: 0, max: 0, what: 'arguments' }, footer: EXIT_TABLE };
}

const BENCHES: Record<string, Bench> = {
  asm: {
    summary: 'assembler throughput on a generated 200,000-line file (lines/s)',
    valueStyle: 'inline',
    spec: spec('asm', 'Assembler throughput: assembles a generated file (warm-up, then the best of several runs) and records lines/s.', [
      { long: 'lines', arg: 'N', help: 'lines in the generated file (default 200000)' },
      { long: 'large-lines', arg: 'N', help: 'lines in the larger file the command is also timed on (default 1000000; 0: none)' },
      { long: 'by-kind', help: 'also time the command on 100,000 lines of each statement kind alone' },
    ]),
    check: (a) => {
      const v = a.get('lines');
      if (v !== undefined && !/^[1-9]\d*$/.test(v)) throw new UsageError(`--lines '${v}': expected a whole number, 1 or more`);
      const l = a.get('large-lines');
      if (l !== undefined && !/^(0|[1-9]\d*)$/.test(l)) throw new UsageError(`--large-lines '${l}': expected a whole number`);
    },
    load: () => import('../bench/asm.js'),
  },
  mips: {
    summary: 'interpreter speed on a bare-metal integer workload (MIPS)',
    valueStyle: 'separate',
    spec: spec('mips', 'Interpreter speed: runs bench/mips.s on the machine and records millions of instructions per second.', [
      { long: 'rounds', arg: 'N', help: 'rounds of the workload (default: the program\'s own)' },
      { long: 'isa', arg: 'ISA', help: 'ISA string (default rv64imac)' },
      // From the interpreter-tier work (wt-split): tools/bench/mips.ts there reads it.
      { long: 'tier', arg: 'interp|jit', help: 'interpreter tier to measure (where the build has the jit tier)' },
      { long: 'core', arg: 'MODEL', help: 'a cycle model observing the run, as rvx run --core (rocket, a named core, a JSON file); default none' },
      { long: 'no-write', help: 'record nothing, only print' },
      { long: 'out', arg: 'FILE', help: 'where the result goes' },
    ]),
    check: (a) => {
      const isa = a.get('isa');
      if (isa !== undefined) {
        const r = parseIsaString(isa);
        if (typeof r === 'string') throw new UsageError(`--isa: ${r}`);
      }
      const out = a.get('out');
      if (out !== undefined) checkOutputFile('--out', out);
    },
    load: () => import('../bench/mips.js'),
  },
  cwork: {
    summary: 'a long compiled C workload on rvx run --core ideal (JIT) against Spike (ratio, MIPS)',
    valueStyle: 'separate',
    spec: spec('cwork', `Runs bench/programs/cwork/cwork.elf (CRC-32, sorts, 64-bit mul/div; about 10^9 instructions) with
'rvx run --core ideal' and, when spike is on PATH or RVX_SPIKE names it, with Spike, and records the
speed ratio (CPU time and wall time) or rvx's MIPS alone.`, [
      { long: 'rounds', arg: 'N', help: 'rounds of the workload (default the ELF\'s 2200, about 10^9 instructions)' },
      { long: 'no-write', help: 'record nothing, only print' },
      { long: 'out', arg: 'FILE', help: 'where the result goes (default bench/results/latest/cwork.json)' },
    ]),
    check: (a) => {
      const out = a.get('out');
      if (out !== undefined) checkOutputFile('--out', out);
    },
    load: () => import('../bench/cwork.js'),
  },
  costs: {
    summary: 'what trace, --stats and profile cost; start-up time; peak memory of a 128 MiB guest',
    valueStyle: 'separate',
    spec: spec('costs', `Measures, through the CLI: rvx trace to a file (lines/s, text and JSONL, ideal and rocket cores),
--stats and rvx profile against the same rvx run (CPU time), the start-up of rvx run on a tiny program,
and the peak RSS of a 128 MiB guest that writes every page (with GNU time).`, [
      { long: 'rounds', arg: 'N', help: 'rounds of bench/programs/mips.s for the traced runs (default 10: 5 M lines)' },
      { long: 'startup', help: 'only the start-up of rvx run (to bench/results/latest/costs-startup.json)' },
      { long: 'no-write', help: 'record nothing, only print' },
      { long: 'out', arg: 'FILE', help: 'where the result goes (default bench/results/latest/costs.json)' },
    ]),
    check: (a) => {
      const out = a.get('out');
      if (out !== undefined) checkOutputFile('--out', out);
    },
    load: () => import('../bench/costs.js'),
  },
  ipc: {
    summary: 'IPC cost on the microkernel: kernel IPC vs XPC, phase by phase (cycles, report page)',
    valueStyle: 'separate',
    spec: spec(
      'ipc',
      `Boots the rvx microkernel with a benchmark client and its servers, once with kernel IPC (seL4-style
call/reply_recv) and once with XPC (xcall/xret, relay segments), measures each workload (docs/bench-ipc.md)
and prints a table; the JSON and the report page are written unless --no-write.`,
      [
        { long: 'mech', arg: 'LIST', help: 'kernel, xpc, gate, asl, pkey (comma-separated) or all (the default)' },
        // The next four come with the IPC-report work (wt-bench); tools/bench/ipc.ts there reads them.
        { long: 'flavour', arg: 'minimal|sel4|all', help: 'kernel fastpaths (default all; docs/bench-ipc.md)' },
        { long: 'isolation', arg: 'trusting|isolated|all', help: 'XPC callers (default all)' },
        { long: 'sweep', arg: 'PARAM=V1,V2,...', help: 'also run the round trips at each value of a core parameter' },
        { long: 'ablations', help: 'also run XPC with each of its parts taken away' },
        { long: 'core', arg: 'MODEL', help: 'core timing model: rocket (default), ideal or a JSON parameter file' },
        { long: 'repeat', arg: 'N', help: 'measured runs per workload (default 16; 1..1000)' },
        { long: 'warmup', arg: 'N', help: 'warm-up iterations before them (default 3)' },
        { long: 'quick', help: '5 runs after 2 warm-up iterations (for tests)' },
        { long: 'no-asid', help: 'skip the ASID-tagged images' },
        { long: 'json', help: 'print the JSON report instead of the table' },
        { long: 'out', arg: 'DIR', help: 'where the JSON and the report page go' },
        { long: 'no-write', help: 'write no files' },
      ],
    ),
    check: (a) => {
      const out = a.get('out');
      if (out !== undefined) checkOutputDir('--out', out);
    },
    load: () => import('../bench/ipc.js'),
  },
};

const BENCH: CommandSpec = {
  name: 'bench',
  synopsis: '<name> [options]',
  about: ['benchmarks:', ...Object.entries(BENCHES).map(([n, b]) => `  ${n.padEnd(8)} ${b.summary}`), '  all      every benchmark above, in order (no options)', '', "Run 'rvx bench <name> --help' for a benchmark's options."].join('\n'),
  flags: [],
  operands: { min: 1, max: 1, what: 'benchmark name' },
  footer: EXIT_TABLE,
};

/** The parsed flags back into the form the benchmark's own reader takes. */
function argvFor(b: Bench, a: ParsedArgs): string[] {
  const out: string[] = [];
  for (const f of b.spec.flags) {
    if (!a.has(f.long)) continue;
    if (!f.arg) out.push(`--${f.long}`);
    else for (const v of f.repeat ? a.all(f.long) : [a.get(f.long)!]) out.push(...(b.valueStyle === 'inline' ? [`--${f.long}=${v}`] : [`--${f.long}`, v]));
  }
  return out;
}

export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-')) {
    // `rvx bench --help`, `rvx bench -V`, or a flag where the name should be.
    const a = commandLine(BENCH, args);
    return typeof a === 'number' ? a : EXIT.USAGE;
  }
  const names = name === 'all' ? Object.keys(BENCHES) : [name];
  if (name === 'all' && rest.length > 0) {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(helpText(BENCH));
      return EXIT.OK;
    }
    process.stderr.write(`rvx bench: 'all' takes no options (got '${rest[0]}'; see 'rvx bench --help')\n`);
    return EXIT.USAGE;
  }
  const plan: { bench: Bench; argv: string[] }[] = [];
  for (const n of names) {
    const b = BENCHES[n];
    if (!b) {
      process.stderr.write(`rvx bench: unknown benchmark '${n}' (see 'rvx bench --help'; benchmarks: ${Object.keys(BENCHES).join(', ')}, all)\n`);
      return EXIT.USAGE;
    }
    const a = commandLine(b.spec, rest);
    if (typeof a === 'number') return a;
    try {
      b.check?.(a);
    } catch (e) {
      return failureStatus(b.spec.name, e);
    }
    plan.push({ bench: b, argv: argvFor(b, a) });
  }
  for (const { bench, argv } of plan) {
    const code = await (await bench.load()).main(argv);
    // The benchmarks' own readers say 2 for a value they refuse: the table's usage status.
    if (code === 2) return EXIT.USAGE;
    if (code !== 0) return code;
  }
  return EXIT.OK;
}
