// `rvx profile prog.elf`: cycles, instructions, CPI and stall breakdown per function and per privilege
// mode under the chosen core model; `--regions FILE` adds the cost of named code paths
// (docs/cycle-model.md, "Regions").

import { STALL_NAMES, type PassRecord } from '../../emulator/timing/index.js';
import type { CommitRecord } from '../../emulator/types.js';
import { Profiler, type ProfileReport, type ProfileRow } from '../trace/profile.js';
import { RegionAccounting, parseRegions, type RegionResult } from '../trace/regions.js';
import { SymbolTable } from '../trace/symbols.js';
import { ImageSymbols } from '../trace/image-symbols.js';
import type { KernelImage } from '../../kernel-images/image.js';
import { EXIT_TABLE } from './exit.js';
import { commandLine, intValue, UsageError, type CommandSpec } from './flags.js';
import { checkOutputFile, OutputSink, readInput, writeOutput } from './io.js';
import { MACHINE_FLAGS, plural, failureStatus, finishRun, machineOptions, openProgram, runProgram, statsText } from './program.js';

export const PROFILE: CommandSpec = {
  name: 'profile',
  synopsis: '[options] prog.elf | --kernel SYSTEM',
  about: `Runs the program under the core model and prints where the cycles went: per function (ELF symbols),
per privilege mode, and per region. The program's console output goes to stderr. prog.elf '-' reads
the program from standard input. --kernel SYSTEM builds and boots a microkernel system (as rvx kernel
does) and names user code by its program: '[client] main', '[user] puts' for library code the programs
share.`,
  flags: [
    {
      long: 'regions',
      arg: 'FILE',
      help: "regions to measure, one per line: 'name: start..end' (end included) or 'name: start..<end'\n(end excluded); start/end are symbols, addresses or mnemonics, aliases included\n(e.g. 'trap: trap_entry..sret', 'body: loop..ret'); '-' reads standard input",
    },
    { long: 'top', arg: 'N', help: 'show only the N most expensive functions (default 30; 0 = all)' },
    { long: 'json', help: 'print the report as JSON' },
    { long: 'output', short: 'o', arg: 'FILE', help: "write the report to FILE ('-': stdout, the default)" },
    { long: 'kernel', arg: 'SYSTEM', help: 'profile the microkernel booting SYSTEM (rvx kernel --list), with user symbols' },
    ...MACHINE_FLAGS,
  ],
  operands: { min: 0, max: 1, what: 'program' },
  footer: EXIT_TABLE,
};

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function table(rows: string[][], rightFrom: number): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

function renderRows(title: string, rows: ProfileRow[], stallCols: string[]): string {
  const head = [title, 'cycles', 'share', 'insns', 'CPI', ...stallCols];
  const body = rows.map((r) => [
    r.name,
    String(r.cycles),
    pct(r.share),
    String(r.instructions),
    r.instructions > 0 ? r.cpi.toFixed(2) : '-',
    ...stallCols.map((c) => String(r.stalls[c as keyof typeof r.stalls])),
  ]);
  return table([head, ...body], 1);
}

function renderRegions(regions: RegionResult[]): string {
  const head = ['region', 'count', 'cycles', 'mean', 'min', 'max', 'insns', 'mean insns'];
  const body = regions.map((r) => [
    r.name + (r.open ? ' (open at exit)' : ''),
    String(r.count),
    String(r.cycles),
    r.count ? r.meanCycles.toFixed(1) : '-',
    r.count ? String(r.minCycles) : '-',
    r.count ? String(r.maxCycles) : '-',
    String(r.instructions),
    r.count ? r.meanInstructions.toFixed(1) : '-',
  ]);
  return table([head, ...body], 1);
}

export function renderProfile(report: ProfileReport, regions: RegionResult[] | null, top: number): string {
  const used = STALL_NAMES.filter((n) => report.functions.some((f) => f.stalls[n] > 0));
  const parts = [
    `core ${report.core}: ${plural(report.cycles, 'cycle')}, ${plural(report.instructions, 'instruction')}, CPI ${report.instructions ? report.cpi.toFixed(3) : '-'}`,
    '',
    renderRows('function', top > 0 ? report.functions.slice(0, top) : report.functions, used),
  ];
  if (top > 0 && report.functions.length > top) parts.push(`(${report.functions.length - top} more functions; --top 0 shows all)`);
  parts.push('', renderRows('mode', report.privileges, used));
  if (regions) parts.push('', renderRegions(regions));
  return parts.join('\n') + '\n';
}

export async function main(args: string[]): Promise<number> {
  const a = commandLine(PROFILE, args);
  if (typeof a === 'number') return a;
  const console = new OutputSink(2, true);
  try {
    const o = machineOptions(a);
    const system = a.get('kernel');
    if (system !== undefined && a.operands.length > 0) throw new UsageError(`--kernel ${system} and a program ('${a.operands[0]}'): one or the other`);
    if (system === undefined && a.operands.length === 0) throw new UsageError('no program given (rvx profile prog.elf, or --kernel SYSTEM)');
    const file = system === undefined ? a.operands[0] : `${system}.elf`;
    const top = a.has('top') ? intValue('--top', a.get('top'), 0) : 30;
    const outFile = a.get('output') ?? '-';
    checkOutputFile('-o', outFile);
    const regionsFile = a.get('regions');
    const stdinUsers = [file, o.input, regionsFile].filter((x) => x === '-').length;
    if (stdinUsers > 1) throw new UsageError("only one of the program, --input and --regions can be standard input ('-')");
    let regionsText: string | null = null;
    if (regionsFile !== undefined) regionsText = stripBom(new TextDecoder().decode(readInput(regionsFile, regionsFile, 16 << 20)));
    let kernelImage: (KernelImage & { userBase: number }) | null = null;
    if (system !== undefined) {
      kernelImage = await kernelSystemImage(system, o);
      if (!a.has('max-insns')) o.maxInsns = 200_000_000;
      o.ramMiB ??= 64;
    }
    const s = openProgram(file, o, (b) => console.write(b), (m) => process.stderr.write(`rvx profile: ${m}\n`), kernelImage?.elf);
    const elfSymbols = new SymbolTable(s.image?.symbols ?? []);
    const symbols = kernelImage
      ? new ImageSymbols(
          elfSymbols,
          kernelImage.programs.map((p) => ({ name: p.name, bytes: p.bytes, symbols: p.symbols, base: kernelImage!.userBase })),
        )
      : elfSymbols;
    let regions: RegionAccounting | null = null;
    if (regionsText !== null) {
      const parsed = parseRegions(regionsText, regionsFile === '-' ? '<stdin>' : regionsFile!, (t) => elfSymbols.resolve(t));
      if ('errors' in parsed) throw new UsageError(parsed.errors.join('; '));
      regions = new RegionAccounting(parsed.specs);
    }
    const profiler = new Profiler(symbols, s.model.name);
    const withStalls = s.model.observer !== null;
    const sink = (rec: CommitRecord, cycles: number, stalls: Float64Array): null => {
      profiler.observe(rec, cycles, withStalls ? stalls : null);
      regions?.observe(rec, cycles);
      return null;
    };
    // The ideal core needs no records: the jit tier counts instructions and traps per function itself,
    // at its own speed (docs/machine.md, "Costs and limits"). Regions follow the record stream, and the
    // functions of a kernel image's programs are told apart by their code: those observe records.
    const counted = s.model.observer === null && regions === null && kernelImage === null && s.machine.tier === 'jit'
      ? s.machine.enableProfile((pc) => elfSymbols.indexOf(pc), elfSymbols.ranges.length)
      : null;
    const t0 = process.hrtime.bigint();
    // With a cycle model the profiler reads only the pc, privilege and trap flag of each record and the
    // cycles and stalls the model gives it: records replayed from translated blocks serve as well.
    const sinkReplayable = regions === null && kernelImage === null;
    const passSink = (pcs: Float64Array, k: number, priv: number, out: PassRecord): void => profiler.observePass(pcs, k, priv, out);
    const passSummary = {
      summable: (pcs: Float64Array, k: number, priv: number): boolean => profiler.passInOneRun(pcs, k, priv),
      runStart: (): number => profiler.runStart(),
      runEnd: (): number => profiler.runEnd(),
      summed: (k: number, cycles: number, stalls: Float64Array): void => profiler.observePassSum(k, cycles, stalls),
    };
    const r = await runProgram(s, { maxInsns: o.maxInsns, sink: counted ? undefined : sink, sinkReplayable, passSink, passSummary, afterSlice: () => console.flush() });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (counted) {
      counted.collect();
      profiler.addCounts(counted.retired, counted.traps);
    }
    // The program's console shares stderr with rvx's own messages and --stats: end its last line.
    console.endLine();
    const report = profiler.report();
    const regionReport = regions ? regions.report() : null;
    // The report is printed however the run ended (a limit or Ctrl-C included): it covers what ran.
    const text = a.has('json')
      ? JSON.stringify({ ...report, exit: r.reason === 'exit' ? r.code : null, stopped: r.reason, regions: regionReport ?? undefined }, null, 2) + '\n'
      : renderProfile(report, regionReport, top);
    writeOutput('-o', outFile, text);
    if (!kernelImage && elfSymbols.lookup('boot_modules') !== undefined && report.functions.some((f) => f.name === '(no symbol)')) {
      // A kernel image written by `rvx kernel -o`: its user programs' symbols are not in the ELF.
      process.stderr.write(`rvx profile: note: ${file} looks like an rvx kernel image; 'rvx profile --kernel SYSTEM' names its user code\n`);
    }
    if (o.stats) process.stderr.write(statsText(s, seconds, s.model.name));
    return finishRun('profile', file, s, r, o.maxInsns);
  } catch (e) {
    return failureStatus('profile', e);
  } finally {
    console.flush();
  }
}

/**
 * Build a microkernel system's image, as `rvx kernel` does (UsageError for an unknown name), with the
 * user programs' base address. The kernel-image code (and the assembler) is loaded only here, so a
 * profile of a program does not pay for it at start-up.
 */
async function kernelSystemImage(name: string, o: ReturnType<typeof machineOptions>): Promise<KernelImage & { userBase: number }> {
  const [{ rvxAssemble, KernelBuildError }, { buildImage }, { USER_BASE }, { SystemError }, { mechSystemByName, systemByName }] = await Promise.all([
    import('../../kernel-images/assemble.js'),
    import('../../kernel-images/image.js'),
    import('../../kernel-images/layout.js'),
    import('../../kernel-images/system.js'),
    import('../../kernel-images/systems/index.js'),
  ]);
  const sys = systemByName(name);
  if (!sys) throw new UsageError(`--kernel: no system '${name}' (rvx kernel --list shows them)`);
  // A mechanism system: its own kernel configuration, and the machine gets its extension.
  const mech = mechSystemByName(name);
  if (mech) {
    o.ext = [...mech.ext];
    o.xpc = false;
  }
  try {
    return { ...(await buildImage(sys, rvxAssemble, { xpc: o.xpc, ...(mech?.kernel ?? {}) })), userBase: USER_BASE };
  } catch (e) {
    if (e instanceof KernelBuildError || e instanceof SystemError) throw new UsageError(`--kernel ${name}: ${e.message}`);
    throw e;
  }
}

/** A UTF-8 byte-order mark at the start of a text file is not part of its first line. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
