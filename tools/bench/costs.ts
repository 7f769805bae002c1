// `rvx bench costs`: what observing a run costs, and the fixed costs of a run (issue #12's targets):
//   * `rvx trace` to a file: lines per second, text and JSONL, on the ideal and the rocket core;
//   * `--stats` and `rvx profile` against the same `rvx run` without them, on both cores (the least CPU
//     time of three alternated runs each);
//   * `rvx run` of a tiny program: process start to exit (median of 7, the bin as npm installs it, with
//     `node -e 0` alternated with it for the floor Node itself sets, and `node dist/rvx.mjs` for comparison);
//   * peak RSS of a 128 MiB guest that writes every page of its RAM (with GNU time, when present).
// Every figure comes from the CLI (dist/rvx.cjs, the package's bin) as a child process, so start-up and
// output are included as a user sees them. Writes bench/results/latest/costs.json (`--startup`: the
// start-up alone, to costs-startup.json).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assemble, formatDiagnostic } from '../asm/index.js';
import { timeCommand, type TimedRun } from './cwork.js';
import { findRepoRoot } from './repo.js';

const MIPS = 'bench/programs/mips.s';
const CLI = 'dist/rvx.cjs';

function fail(msg: string): number {
  process.stderr.write(`rvx bench costs: ${msg}\n`);
  return 1;
}

/** Assemble source text to an ELF file in dir; throws with the diagnostics. */
function buildElf(dir: string, name: string, text: string): string {
  const r = assemble([{ name, text }], { march: 'rv64imac' });
  if (!r.ok) throw new Error(`${name}: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  const f = join(dir, `${name}.elf`);
  writeFileSync(f, r.elf());
  return f;
}

/** A program that writes one doubleword in every 4 KiB page of 127 MiB of RAM, then exits. */
const TOUCH_ALL = `
        .text
        .globl _start
_start: la t0, end_of_image
        li t1, 0x80000000 + 127 * 1024 * 1024
        li t2, 4096
1:      sd t2, 0(t0)
        add t0, t0, t2
        bltu t0, t1, 1b
        li a0, 1
        la t0, tohost
        sd a0, 0(t0)
2:      j 2b
        .data
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
        .balign 4096
end_of_image:
`;

const TINY = `
        .text
        .globl _start
_start: li a0, 1
        la t0, tohost
        sd a0, 0(t0)
1:      j 1b
        .data
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;

export async function main(args: string[]): Promise<number> {
  let write = true;
  let out: string | null = null;
  let rounds = 10;
  let startupOnly = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--no-write') write = false;
    else if (a === '--startup') startupOnly = true;
    else if (a === '--out') {
      out = args[++i] ?? null;
      if (!out) return fail('--out needs a file name');
    } else if (a === '--rounds') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 1) return fail(`--rounds needs a positive integer (got '${args[i] ?? ''}')`);
      rounds = v;
    } else return fail(`unknown option '${a}'`);
  }
  const root = findRepoRoot(MIPS);
  if (!root) return fail(`cannot find ${MIPS} (run from the repository root)`);
  const cli = join(root, CLI);
  if (!existsSync(cli)) return fail(`${CLI} is missing: run 'npm run build' (npm run bench does)`);
  const dir = mkdtempSync(join(tmpdir(), 'rvx-bench-costs-'));
  const result: Record<string, unknown> = { benchmark: 'costs', date: new Date().toISOString(), node: process.version, loadAverage: round2(loadavg()[0]) };
  const lines: string[] = [];
  const rvx = (...argv: string[]): TimedRun => {
    const r = timeCommand([process.execPath, cli, ...argv]);
    if (!r) throw new Error(`could not time rvx ${argv.join(' ')}`);
    if (r.status !== 0) throw new Error(`rvx ${argv.join(' ')} exited with ${r.status}`);
    return r;
  };
  try {
    if (!startupOnly) {
      const source = readFileSync(join(root, MIPS), 'utf8');
      const small = buildElf(dir, 'mips-small', `.equ ROUNDS, ${rounds}\n${source}`);
      const big = buildElf(dir, 'mips-big', `.equ ROUNDS, ${rounds * 10}\n${source}`);

      // Trace throughput: lines written per second of wall and of CPU time.
      const trace: Record<string, unknown> = {};
      for (const core of ['ideal', 'rocket']) {
        for (const format of ['text', 'jsonl']) {
          const file = join(dir, `trace.${format}`);
          const t = rvx('trace', '--core', core, '--format', format, '-o', file, small);
          const text = readFileSync(file);
          let n = 0;
          for (let k = 0; k < text.length; k++) if (text[k] === 10) n++;
          const bytes = statSync(file).size;
          rmSync(file);
          trace[`${format}-${core}`] = { lines: n, bytes, seconds: round3(t.seconds), cpuSeconds: round3(t.cpuSeconds), linesPerSecond: Math.round(n / t.seconds), linesPerCpuSecond: Math.round(n / t.cpuSeconds) };
          lines.push(`trace ${format.padEnd(5)} --core ${core.padEnd(6)}: ${n} lines in ${t.seconds.toFixed(2)} s (${(n / t.seconds / 1e6).toFixed(2)} M lines/s; CPU ${t.cpuSeconds.toFixed(2)} s = ${(n / t.cpuSeconds / 1e6).toFixed(2)} M lines/s)`);
        }
      }
      result.trace = trace;

      // --stats and profile against the plain run: the least CPU time of three alternated runs of each
      // (CPU time, and the least of several, because the machine may be shared).
      const overhead: Record<string, unknown> = {};
      const least = (a: TimedRun, b: TimedRun): TimedRun => (b.cpuSeconds < a.cpuSeconds ? b : a);
      for (const [core, elf] of [['ideal', big], ['rocket', small]] as const) {
        let base = rvx('run', '--core', core, elf);
        let stats = rvx('run', '--core', core, '--stats', elf);
        let prof = rvx('profile', '--core', core, '-o', join(dir, 'profile.txt'), elf);
        for (let k = 1; k < 3; k++) {
          base = least(base, rvx('run', '--core', core, elf));
          stats = least(stats, rvx('run', '--core', core, '--stats', elf));
          prof = least(prof, rvx('profile', '--core', core, '-o', join(dir, 'profile.txt'), elf));
        }
        const pct = (x: TimedRun) => Math.round((100 * (x.cpuSeconds - base.cpuSeconds)) / base.cpuSeconds);
        overhead[core] = {
          run: { seconds: round3(base.seconds), cpuSeconds: round3(base.cpuSeconds) },
          stats: { seconds: round3(stats.seconds), cpuSeconds: round3(stats.cpuSeconds), overheadPercent: pct(stats) },
          profile: { seconds: round3(prof.seconds), cpuSeconds: round3(prof.cpuSeconds), overheadPercent: pct(prof) },
        };
        lines.push(`--core ${core.padEnd(6)}: run ${base.cpuSeconds.toFixed(2)} s CPU; --stats ${stats.cpuSeconds.toFixed(2)} s (${signed(pct(stats))}%); profile ${prof.cpuSeconds.toFixed(2)} s (${signed(pct(prof))}%)`);
      }
      result.overhead = overhead;
    }

    // Start-up: a tiny program, process start to exit, median of 7; `node -e 0` (Node's own start-up and
    // exit, the floor) and `node dist/rvx.mjs` (the ES-module entry) alternated with it.
    const tiny = buildElf(dir, 'tiny', TINY);
    const node0: TimedRun[] = [];
    const bin: TimedRun[] = [];
    const mjs: TimedRun[] = [];
    for (let k = 0; k < 7; k++) {
      const n = timeCommand([process.execPath, '-e', '0']);
      if (n) node0.push(n);
      bin.push(rvx('run', tiny));
      const m = timeCommand([process.execPath, join(root, 'dist/rvx.mjs'), 'run', tiny]);
      if (m && m.status === 0) mjs.push(m);
    }
    const med = (xs: TimedRun[], f: (x: TimedRun) => number) => {
      const v = xs.map(f).sort((x, y) => x - y);
      return v.length ? v[v.length >> 1] : NaN;
    };
    const wall = (x: TimedRun) => x.seconds;
    const cpu = (x: TimedRun) => x.cpuSeconds;
    const times = bin.map(wall).sort((x, y) => x - y);
    result.startup = {
      command: 'rvx run tiny.elf (dist/rvx.cjs, the bin)',
      runs: times.map(round3),
      medianSeconds: round3(med(bin, wall)),
      medianCpuSeconds: round3(med(bin, cpu)),
      nodeAloneMedianSeconds: round3(med(node0, wall)),
      nodeAloneMedianCpuSeconds: round3(med(node0, cpu)),
      mjsMedianSeconds: round3(med(mjs, wall)),
      target: 0.15,
    };
    const ms = (x: number) => (x * 1000).toFixed(0);
    lines.push(`rvx run tiny.elf: median ${ms(med(bin, wall))} ms from process start to exit, CPU ${ms(med(bin, cpu))} ms (of 7: ${times.map(ms).join(', ')} ms; target 150)`);
    lines.push(`  alternated with it: node -e 0 ${ms(med(node0, wall))} ms (CPU ${ms(med(node0, cpu))}), node dist/rvx.mjs run ${ms(med(mjs, wall))} ms; load average ${round2(loadavg()[0])}`);

    if (!startupOnly) {
      // Peak RSS of a 128 MiB guest that touches every page.
      const touch = buildElf(dir, 'touch-all', TOUCH_ALL);
      const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
      if (gnuTime) {
        for (const core of ['ideal', 'rocket']) {
          const r = spawnSync(gnuTime, ['-f', 'maxrss=%M', process.execPath, cli, 'run', '--core', core, '--ram', '128', touch], { encoding: 'utf8' });
          const m = /maxrss=(\d+)/.exec(r.stderr);
          if (r.status === 0 && m) {
            const mib = Number(m[1]) / 1024;
            (result.memory ??= {} as Record<string, unknown>);
            (result.memory as Record<string, unknown>)[core] = { guestMiB: 128, peakRssMiB: Math.round(mib) };
            lines.push(`peak RSS, 128 MiB guest writing every page, --core ${core}: ${mib.toFixed(0)} MiB`);
          }
        }
      } else lines.push('peak RSS: /usr/bin/time (GNU time) not found, not measured');
    }
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (write) {
    const file = out ?? join(root, `bench/results/latest/${startupOnly ? 'costs-startup' : 'costs'}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}

function round3(x: number): number {
  return Number(x.toFixed(3));
}

function round2(x: number): number {
  return Number(x.toFixed(2));
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}
