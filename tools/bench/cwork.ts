// `rvx bench cwork`: a long compiled C workload (bench/programs/cwork/: CRC-32, quicksort, heapsort,
// insertion sort, 64-bit multiply/divide, modular exponentiation, gcd; about 10^9 instructions at the
// default 2,200 rounds) run by `rvx run --core ideal` (the JIT tier) and, when `spike` is on PATH or
// RVX_SPIKE names it, by Spike on the same ELF, each as a child process, one after the other, in the
// same invocation: rvx's speed as a ratio to Spike's (CPU time, the fair measure on a shared machine;
// wall time too). Without Spike it reports rvx's MIPS alone. Writes bench/results/latest/cwork.json.
//
// The ELF is committed (built with riscv64-unknown-elf-gcc, command in cwork.c), so no compiler is
// needed; --rounds N patches the program's `bench_rounds` word in a copy of the ELF.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadElfBytes, symbolAddress } from '../elf/load.js';
import { findRepoRoot, gitRevision } from './repo.js';

const ELF = 'bench/programs/cwork/cwork.elf';
const CLI = 'dist/rvx.mjs';

/** File offset of virtual address va in an ELF64 little-endian file (from its PT_LOAD headers), or -1. */
function fileOffsetOf(bytes: Uint8Array, va: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(dv.getBigUint64(0x20, true));
  const phentsize = dv.getUint16(0x36, true);
  const phnum = dv.getUint16(0x38, true);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (dv.getUint32(p, true) !== 1) continue; // PT_LOAD
    const offset = Number(dv.getBigUint64(p + 8, true));
    const vaddr = Number(dv.getBigUint64(p + 16, true));
    const filesz = Number(dv.getBigUint64(p + 32, true));
    if (va >= vaddr && va + 8 <= vaddr + filesz) return offset + (va - vaddr);
  }
  return -1;
}

export interface TimedRun {
  /** Wall-clock seconds of the child process (start-up included). */
  seconds: number;
  /** CPU seconds (user + system) of the child. */
  cpuSeconds: number;
}

/**
 * Run a command under `sh`, its output discarded; its exit status, wall time and CPU time (the shell's
 * `times`: children's user and system time). null when the shell's report cannot be read.
 */
export function timeCommand(argv: string[]): (TimedRun & { status: number }) | null {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', '"$@" >/dev/null 2>&1; echo "rc=$?"; times', 'sh', ...argv], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = r.stdout.trim().split('\n');
  const rc = /^rc=(\d+)$/.exec(lines[0] ?? '');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec((lines[2] ?? '').trim());
  if (!rc || !m) return null;
  return { status: Number(rc[1]), seconds, cpuSeconds: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) };
}

export function spikeBinary(): string | null {
  return process.env.RVX_SPIKE ?? (spawnSync('sh', ['-c', 'command -v spike'], { encoding: 'utf8' }).stdout.trim() || null);
}

function fail(msg: string): number {
  process.stderr.write(`rvx bench cwork: ${msg}\n`);
  return 1;
}

export async function main(args: string[]): Promise<number> {
  let rounds: number | null = null;
  let write = true;
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--rounds') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 1) return fail(`--rounds needs a positive integer (got '${args[i] ?? ''}')`);
      rounds = v;
    } else if (a === '--no-write') write = false;
    else if (a === '--out') {
      out = args[++i] ?? null;
      if (!out) return fail('--out needs a file name');
    } else return fail(`unknown option '${a}'`);
  }
  const root = findRepoRoot(ELF);
  if (!root) return fail(`cannot find ${ELF} (run from the repository root)`);
  const cli = join(root, CLI);
  if (!existsSync(cli)) return fail(`${CLI} is missing: run 'npm run build' (npm run bench does)`);
  let elfPath = join(root, ELF);
  const bytes = new Uint8Array(readFileSync(elfPath));
  const loaded = loadElfBytes(bytes);
  if (!loaded.ok) return fail(`${ELF}: ${loaded.error}`);
  const at = symbolAddress(loaded.image, 'bench_rounds');
  const off = at === undefined ? -1 : fileOffsetOf(bytes, at);
  if (off < 0) return fail(`${ELF}: no bench_rounds word in a loaded segment`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (rounds !== null) {
    dv.setBigUint64(off, BigInt(rounds), true);
    elfPath = join(tmpdir(), `rvx-bench-cwork-${process.pid}.elf`);
    writeFileSync(elfPath, bytes);
  }
  const roundsRun = Number(dv.getBigUint64(off, true));

  // Instructions retired: rvx's --stats line (the ELF is the same for Spike).
  const statsRun = spawnSync(process.execPath, [cli, 'run', '--core', 'ideal', '--stats', elfPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (statsRun.status !== 0) return fail(`rvx run failed (status ${statsRun.status}): ${statsRun.stderr.trim()}`);
  const im = /^instructions\s+(\d+)/m.exec(statsRun.stderr);
  if (!im) return fail('rvx run --stats printed no instruction count');
  const instructions = Number(im[1]);
  const rvx = timeCommand([process.execPath, cli, 'run', '--core', 'ideal', elfPath]);
  if (!rvx || rvx.status !== 0) return fail(`rvx run --core ideal failed (status ${rvx?.status ?? '?'})`);
  const result: Record<string, unknown> = {
    benchmark: 'cwork',
    ...gitRevision(root),
    date: new Date().toISOString(),
    node: process.version,
    rounds: roundsRun,
    instructions,
    rvx: {
      command: `rvx run --core ideal ${ELF}`,
      seconds: Number(rvx.seconds.toFixed(3)),
      cpuSeconds: Number(rvx.cpuSeconds.toFixed(3)),
      mips: Number((instructions / rvx.seconds / 1e6).toFixed(1)),
      mipsCpu: Number((instructions / rvx.cpuSeconds / 1e6).toFixed(1)),
    },
  };
  let line = `cwork: ${instructions.toLocaleString('en-US')} instructions (${roundsRun} rounds); rvx run --core ideal: ${rvx.seconds.toFixed(2)} s wall, ${rvx.cpuSeconds.toFixed(2)} s CPU = ${(instructions / rvx.cpuSeconds / 1e6).toFixed(1)} MIPS (CPU)`;
  const spike = spikeBinary();
  if (spike) {
    const sp = timeCommand([spike, '--isa=rv64imac', elfPath]);
    if (!sp || sp.status !== 0) return fail(`${spike} failed on the workload (status ${sp?.status ?? '?'})`);
    const ratioCpu = sp.cpuSeconds / rvx.cpuSeconds;
    const ratioWall = sp.seconds / rvx.seconds;
    result.spike = {
      binary: spike,
      seconds: Number(sp.seconds.toFixed(3)),
      cpuSeconds: Number(sp.cpuSeconds.toFixed(3)),
      mipsCpu: Number((instructions / sp.cpuSeconds / 1e6).toFixed(1)),
    };
    result.ratioCpu = Number(ratioCpu.toFixed(2));
    result.ratioWall = Number(ratioWall.toFixed(2));
    line += `\nspike: ${sp.seconds.toFixed(2)} s wall, ${sp.cpuSeconds.toFixed(2)} s CPU = ${(instructions / sp.cpuSeconds / 1e6).toFixed(1)} MIPS (CPU); rvx/spike speed = ${ratioCpu.toFixed(2)}x (CPU), ${ratioWall.toFixed(2)}x (wall)`;
  } else line += '\nspike: not found (set RVX_SPIKE or put spike on PATH for the ratio)';
  process.stdout.write(line + '\n');
  if (write) {
    const file = out ?? join(root, 'bench/results/latest/cwork.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}
