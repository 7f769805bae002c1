// `rvx bench mips`: interpreter speed. Assembles bench/programs/mips.s with rvx's own assembler, runs it
// on the machine (half in M mode, half in S mode under Sv39), checks it passed, and reports retired
// instructions, wall time and CPU time of the run (this process's user + system time: on a shared
// machine the wall time also counts other jobs), MIPS from each; writes bench/results/mips.json with the
// git revision.
//
// Options: --rounds N (override the program's ROUNDS, for quick runs), --isa NAME, --no-write,
// --out FILE (default bench/results/mips.json).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../emulator/machine.js';
import { assemble, formatDiagnostic } from '../asm/index.js';
import { toLoadable } from '../load.js';

const PROGRAM = 'bench/programs/mips.s';

/** The repository root: where bench/programs/mips.s is, from the working directory or this module. */
function findRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [process.cwd(), resolve(here, '..'), resolve(here, '../..')]) {
    if (existsSync(join(c, PROGRAM))) return c;
  }
  return null;
}

function gitRevision(root: string): { revision: string; dirty: boolean } {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (rev.status !== 0) return { revision: 'unknown', dirty: false };
  const st = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { revision: rev.stdout.trim(), dirty: st.status === 0 && st.stdout.trim() !== '' };
}

export interface MipsResult {
  benchmark: 'mips';
  revision: string;
  dirty: boolean;
  date: string;
  node: string;
  isa: string;
  rounds: number | null;
  instructions: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Instructions per wall-clock microsecond. */
  mips: number;
  /** CPU seconds (user + system) of this process during the run, including V8's compiler threads. */
  cpuSeconds: number;
  /** Instructions per CPU microsecond. */
  mipsCpu: number;
  traps: number;
  tlbMisses: number;
  pageWalks: number;
}

function fail(msg: string): number {
  process.stderr.write(`rvx bench mips: ${msg}\n`);
  return 1;
}

export async function main(args: string[]): Promise<number> {
  let rounds: number | null = null;
  let isa = 'rv64imac';
  let write = true;
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 1) return fail(`--rounds needs a positive integer (got '${args[i] ?? ''}')`);
      rounds = v;
    } else if (a === '--isa') {
      isa = args[++i] ?? '';
    } else if (a === '--no-write') {
      write = false;
    } else if (a === '--out') {
      out = args[++i] ?? null;
      if (!out) return fail('--out needs a file name');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: rvx bench mips [--rounds N] [--isa NAME] [--no-write] [--out FILE]\n');
      return 0;
    } else {
      return fail(`unknown option '${a}'`);
    }
  }

  const root = findRoot();
  if (!root) return fail(`cannot find ${PROGRAM} (run from the repository root)`);
  let text = readFileSync(join(root, PROGRAM), 'utf8');
  if (rounds !== null) text = `.equ ROUNDS, ${rounds}\n` + text;
  const asm = assemble([{ name: PROGRAM, text }], { march: isa.includes('c') ? 'rv64imac' : 'rv64ima' });
  if (!asm.ok) {
    return fail(`assembling ${PROGRAM} failed:\n${asm.diagnostics.map(formatDiagnostic).join('\n')}`);
  }

  const machine = new Machine({ isa });
  machine.load(toLoadable(asm.image));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = machine.run(20e9);
  const cpu = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (r.reason !== 'exit') return fail(`the workload did not finish: ${r.reason}${'message' in r ? ': ' + r.message : ''}`);
  if (r.code !== 0) return fail(`the workload failed its own checks (code ${r.code}; see ${PROGRAM})`);

  const s = machine.stats;
  const instructions = Number(s.instret);
  const result: MipsResult = {
    benchmark: 'mips',
    ...gitRevision(root),
    date: new Date().toISOString(),
    node: process.version,
    isa,
    rounds,
    instructions,
    seconds: Number(seconds.toFixed(3)),
    mips: Number((instructions / seconds / 1e6).toFixed(1)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    mipsCpu: Number((instructions / cpuSeconds / 1e6).toFixed(1)),
    traps: s.traps,
    tlbMisses: s.tlbMisses,
    pageWalks: s.pageWalks,
  };
  process.stdout.write(
    `mips: ${instructions.toLocaleString('en-US')} instructions in ${result.seconds.toFixed(3)} s = ${result.mips} MIPS` +
      ` (CPU ${result.cpuSeconds.toFixed(3)} s = ${result.mipsCpu} MIPS)` +
      ` (revision ${result.revision}${result.dirty ? '+dirty' : ''}, ${isa})\n`,
  );
  if (write) {
    const file = out ?? join(root, 'bench/results/mips.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}
