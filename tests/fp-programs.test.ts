// C programs that use float and double, compiled by gcc with its rv64gc/lp64d defaults (-O2), run on rvx
// and compared with QEMU user mode and Spike: the same source is linked twice, for bare metal with HTIF
// (rvx, Spike) and for Linux user mode (qemu-riscv64). Skipped where gcc or an oracle is absent.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as runMain } from '../tools/commands/run.js';
import { captureMain } from './helpers/cli.js';
import { hasTool, spikePath } from './helpers/fp-diff.js';

const SRC = join(__dirname, 'programs/fp');
const PROGRAMS = ['fpmix'];
const GCC = hasTool('riscv64-unknown-elf-gcc');
const QEMU = hasTool('qemu-riscv64');
const SPIKE = spikePath();
const FLAGS = ['-march=rv64gc', '-mabi=lp64d', '-O2', '-fno-math-errno', '-ffreestanding', '-nostdlib', '-nostartfiles', '-static', '-mcmodel=medany'];

const dir = mkdtempSync(join(tmpdir(), 'rvx-fp-programs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(name: string): { htif: string; linux: string } {
  const htif = join(dir, `${name}-htif.elf`);
  const linux = join(dir, `${name}-linux.elf`);
  execFileSync('riscv64-unknown-elf-gcc', [...FLAGS, '-T', join(SRC, 'link-htif.ld'), join(SRC, 'crt-htif.S'), join(SRC, `${name}.c`), '-o', htif]);
  execFileSync('riscv64-unknown-elf-gcc', [...FLAGS, join(SRC, 'crt-linux.S'), join(SRC, `${name}.c`), '-o', linux]);
  return { htif, linux };
}

describe.skipIf(!GCC)(`gcc -march=rv64gc -O2 float/double programs${GCC ? '' : ' (skipped: riscv64-unknown-elf-gcc not on PATH)'}`, () => {
  for (const name of PROGRAMS) {
    it(`${name}: rvx prints what QEMU and Spike print`, async () => {
      const { htif, linux } = build(name);
      const r = await captureMain(runMain, ['--max-insns', '100000000', htif]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('done\n');
      if (QEMU) {
        const q = spawnSync('qemu-riscv64', [linux], { encoding: 'utf8' });
        expect(q.status).toBe(0);
        expect(r.stdout).toBe(q.stdout);
      }
      if (SPIKE) {
        const s = spawnSync(SPIKE, ['--isa=rv64gc', htif], { encoding: 'utf8' });
        expect(s.status).toBe(0);
        expect(r.stdout).toBe(s.stdout);
      }
      if (!QEMU && !SPIKE) console.warn('fp-programs: neither qemu-riscv64 nor spike found: only checked that the program runs');
    });
  }
});
