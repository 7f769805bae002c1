// `rvx bench mips`: interpreter speed. Assembles bench/programs/mips.s with rvx's own assembler, runs it
// on the machine (half in M mode, half in S mode under Sv39), checks it passed, and reports retired
// instructions, wall time and CPU time of the run (this process's user + system time: on a shared
// machine the wall time also counts other jobs), MIPS from each; writes bench/results/latest/mips.json with the
// git revision.
//
// Options: --rounds N (override the program's ROUNDS, for quick runs), --isa NAME, --tier interp|jit
// (default interp), --core NAME (a cycle model observing the run, as `rvx run --core`: rocket, a named
// core or a parameter file; default none, the machine's own one cycle per instruction), --no-write,
// --out FILE (default bench/results/latest/mips.json; mips-jit.json for the jit tier, mips-rocket.json
// and mips-rocket-jit.json with --core rocket). When a `spike` binary is on PATH (or RVX_SPIKE names one) the same ELF also runs on Spike and
// the report gives Spike's CPU-time MIPS and rvx's ratio to it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine } from '../../emulator/machine.js';
import { coreFromOption, CoreParamsError, type CoreModel } from '../../emulator/timing/index.js';
import { assemble, formatDiagnostic } from '../asm/index.js';
import { toLoadable } from '../load.js';
import { writeElf, EF_RISCV_RVC } from '../elf/write.js';
import { tmpdir } from 'node:os';
import { findRepoRoot, gitRevision } from './repo.js';

const PROGRAM = 'bench/programs/mips.s';

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
  tier: 'interp' | 'jit';
  /** Instructions retired in translated blocks (jit tier). */
  jitRetired?: number;
  /** The cycle model that observed the run (--core), its cycle count and stall cycles by category. */
  core?: string;
  cycles?: number;
  stalls?: Record<string, number>;
  /** Spike on the same ELF, when it is installed: its CPU seconds, MIPS, and rvx's CPU-MIPS ratio to it. */
  spike?: { binary: string; cpuSeconds: number; mipsCpu: number; ratio: number };
}

/** Spike's CPU time (user + system of the child, via the shell's `times`) on elf, or null. */
function timeSpike(elf: string, isa: string): { binary: string; cpuSeconds: number } | null {
  const bin = process.env.RVX_SPIKE ?? (spawnSync('sh', ['-c', 'command -v spike'], { encoding: 'utf8' }).stdout.trim() || null);
  if (!bin) return null;
  const r = spawnSync('sh', ['-c', '"$0" "$@" >/dev/null 2>&1; echo "rc=$?"; times', bin, `--isa=${isa}`, elf], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  if (r.status !== 0 || lines[0] !== 'rc=0' || lines.length < 3) return null;
  // `times`: the shell's user/system times, then its children's ("0m0.71s 0m0.00s").
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[2].trim());
  if (!m) return null;
  return { binary: bin, cpuSeconds: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) };
}

function fail(msg: string): number {
  process.stderr.write(`rvx bench mips: ${msg}\n`);
  return 1;
}

export async function main(args: string[]): Promise<number> {
  let rounds: number | null = null;
  let isa = 'rv64imac';
  let tier: 'interp' | 'jit' = 'interp';
  let write = true;
  let out: string | null = null;
  let core: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 1) return fail(`--rounds needs a positive integer (got '${args[i] ?? ''}')`);
      rounds = v;
    } else if (a === '--isa') {
      isa = args[++i] ?? '';
    } else if (a === '--tier') {
      const t = args[++i];
      if (t !== 'interp' && t !== 'jit') return fail(`--tier must be interp or jit (got '${t ?? ''}')`);
      tier = t;
    } else if (a === '--core') {
      core = args[++i] ?? '';
      if (!core) return fail('--core needs a model: rocket, a named core or a JSON parameter file');
    } else if (a === '--no-write') {
      write = false;
    } else if (a === '--out') {
      out = args[++i] ?? null;
      if (!out) return fail('--out needs a file name');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: rvx bench mips [--rounds N] [--isa NAME] [--tier interp|jit] [--core MODEL] [--no-write] [--out FILE]\n');
      return 0;
    } else {
      return fail(`unknown option '${a}'`);
    }
  }

  const root = findRepoRoot(PROGRAM);
  if (!root) return fail(`cannot find ${PROGRAM} (run from the repository root)`);
  let text = readFileSync(join(root, PROGRAM), 'utf8');
  if (rounds !== null) text = `.equ ROUNDS, ${rounds}\n` + text;
  const asm = assemble([{ name: PROGRAM, text }], { march: isa.includes('c') ? 'rv64imac' : 'rv64ima' });
  if (!asm.ok) {
    return fail(`assembling ${PROGRAM} failed:\n${asm.diagnostics.map(formatDiagnostic).join('\n')}`);
  }

  const machine = new Machine({ isa, tier });
  machine.load(toLoadable(asm.image));
  let model: CoreModel | null = null;
  if (core !== null) {
    try {
      model = coreFromOption(core, machine);
    } catch (e) {
      if (e instanceof CoreParamsError) return fail(e.message);
      throw e;
    }
  }
  const observer = model?.observer ?? undefined;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  // Observed runs go in slices as `rvx run` runs them (rvx run's runProgram), so the figure is the command's.
  let r = machine.run(observer ? 1 << 16 : 20e9, observer);
  while (observer && r.reason === 'limit' && machine.stats.instret < 20_000_000_000n) r = machine.run(1 << 16, observer);
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
    tier,
    ...(s.jit ? { jitRetired: s.jit.jitRetired } : {}),
  };
  const cs = model?.stats() ?? null;
  if (cs) {
    result.core = cs.core;
    result.cycles = cs.cycles;
    result.stalls = cs.stalls;
  }
  const elfPath = join(tmpdir(), `rvx-bench-mips-${process.pid}.elf`);
  writeFileSync(elfPath, writeElf(asm.image, { flags: isa.includes('c') ? EF_RISCV_RVC : 0 }));
  const sp = timeSpike(elfPath, isa);
  if (sp && sp.cpuSeconds > 0) {
    const spikeMips = instructions / sp.cpuSeconds / 1e6;
    result.spike = { ...sp, mipsCpu: Number(spikeMips.toFixed(1)), ratio: Number((result.mipsCpu / spikeMips).toFixed(2)) };
  }
  process.stdout.write(
    `mips: ${instructions.toLocaleString('en-US')} instructions in ${result.seconds.toFixed(3)} s = ${result.mips} MIPS` +
      ` (CPU ${result.cpuSeconds.toFixed(3)} s = ${result.mipsCpu} MIPS)` +
      ` (revision ${result.revision}${result.dirty ? '+dirty' : ''}, ${isa}, tier ${tier}${cs ? `, core ${cs.core}: ${cs.cycles} cycles` : ''})\n` +
      (result.spike ? `spike: CPU ${result.spike.cpuSeconds.toFixed(3)} s = ${result.spike.mipsCpu} MIPS; rvx/spike (CPU) = ${result.spike.ratio}\n` : ''),
  );
  if (write) {
    // Results a user generates are git-ignored; the figures the docs quote are in bench/results/reference/.
    const stem = `mips${cs ? `-${cs.core}` : ''}${tier === 'jit' ? '-jit' : ''}`;
    const file = out ?? join(root, `bench/results/latest/${stem}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}
