// `rvx profile prog.elf`: cycles, instructions, CPI and stall breakdown per function and per privilege
// mode under the chosen core model; `--regions FILE` adds the cost of named code paths
// (docs/cycle-model.md, "Regions").

import { readFileSync } from 'node:fs';
import { STALL_NAMES } from '../../emulator/timing/index.js';
import type { CommitRecord } from '../../emulator/types.js';
import { Profiler, type ProfileReport, type ProfileRow } from '../trace/profile.js';
import { RegionAccounting, parseRegions, type RegionResult } from '../trace/regions.js';
import { SESSION_FLAGS, SESSION_VALUED, UsageError, exitCodeOf, intOption, openSession, parseArgs, runWithSink, sessionOptions } from '../trace/session.js';

const USAGE = `usage: rvx profile prog.elf [options]

Runs the program under the core model and prints where the cycles went: per function (ELF symbols),
per privilege mode, and per region. The program's console output goes to stderr.

options:
  --core rocket|ideal|FILE.json  timing model (default rocket; see docs/cycle-model.md)
  --regions FILE                 regions to measure, one per line: 'name: start..end' (end included)
                                 or 'name: start..<end' (end excluded); start/end are symbols,
                                 addresses or mnemonics (e.g. 'trap: trap_entry..sret')
  --top N                        show only the N most expensive functions (default 30; 0 = all)
  --json                         print the report as JSON
  --max-insns N                  stop after N retired instructions
  --isa NAME, --ram MIB, --mtime-hz HZ   machine options, as for rvx run
  --no-xpc                       a plain RV64IMAC hart: no XPC engine (custom-0 and XPC CSRs illegal)
`;

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
    `core ${report.core}: ${report.cycles} cycles, ${report.instructions} instructions, CPI ${report.instructions ? report.cpi.toFixed(3) : '-'}`,
    '',
    renderRows('function', top > 0 ? report.functions.slice(0, top) : report.functions, used),
  ];
  if (top > 0 && report.functions.length > top) parts.push(`(${report.functions.length - top} more functions; --top 0 shows all)`);
  parts.push('', renderRows('mode', report.privileges, used));
  if (regions) parts.push('', renderRegions(regions));
  return parts.join('\n') + '\n';
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const a = parseArgs(args, [...SESSION_VALUED, '--regions', '--top', '--max-insns'], [...SESSION_FLAGS, '--json']);
    if (!a.file) throw new UsageError('no ELF file given (rvx profile prog.elf)');
    const top = intOption('--top', a.values.get('--top'), 30);
    const maxInsns = a.values.has('--max-insns') ? intOption('--max-insns', a.values.get('--max-insns'), 0) : Infinity;
    const s = openSession(a.file, sessionOptions(a.values, a.flags), (b) => process.stderr.write(b));
    let regions: RegionAccounting | null = null;
    const regionsFile = a.values.get('--regions');
    if (regionsFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(regionsFile, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${regionsFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const parsed = parseRegions(text, regionsFile, (t) => s.symbols.resolve(t));
      if ('errors' in parsed) throw new UsageError(parsed.errors.join('\n'));
      regions = new RegionAccounting(parsed.specs);
    }
    const profiler = new Profiler(s.symbols, s.model.name);
    const withStalls = s.model.observer !== null;
    const sink = (rec: CommitRecord, cycles: number, stalls: Float64Array): boolean => {
      profiler.observe(rec, cycles, withStalls ? stalls : null);
      regions?.observe(rec, cycles);
      return true;
    };
    const r = runWithSink(s, sink, maxInsns);
    const report = profiler.report();
    const regionReport = regions ? regions.report() : null;
    if (a.flags.has('--json')) {
      const out = { ...report, exit: r.reason === 'exit' ? r.code : null, stopped: r.reason, regions: regionReport ?? undefined };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      process.stdout.write(renderProfile(report, regionReport, top));
    }
    return exitCodeOf(r, 'profile');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rvx profile: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
