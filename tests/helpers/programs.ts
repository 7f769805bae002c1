// Test helper: assemble the conformance programs (tests/programs/*.s, with tests/programs/include/) with
// rvx's assembler and run them on the machine; find the source line of a failing case.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../emulator/machine.js';
import type { CommitObserver, RunResult } from '../../emulator/types.js';
import { assemble, formatDiagnostic, type AssembleResult } from '../../tools/asm/index.js';
import { toLoadable } from '../../tools/load.js';

export const PROGRAMS_DIR = fileURLToPath(new URL('../programs/', import.meta.url));
const INCLUDE_DIR = join(PROGRAMS_DIR, 'include');

/** Conformance program file names (tests/programs/*.s). */
export function programNames(): string[] {
  return readdirSync(PROGRAMS_DIR)
    .filter((f) => f.endsWith('.s'))
    .sort();
}

export function programSource(name: string): string {
  return readFileSync(join(PROGRAMS_DIR, name), 'utf8');
}

/** Programs marked `# needs: C` use compressed instructions and only run with C. */
export function needsC(name: string): boolean {
  return /^# needs: C\b/m.test(programSource(name));
}

/** Cases QEMU 7.2 gets wrong, marked `# qemu-deviation: N` (the run on QEMU stops at one of these). */
export function qemuDeviations(name: string): number[] {
  return [...programSource(name).matchAll(/qemu-deviation: (\d+)/g)].map((m) => Number(m[1]));
}

/** Programs QEMU 7.2 cannot run at all (`# qemu-crash: why`): only rvx's result is checked. */
export function qemuCrashes(name: string): boolean {
  return /^# qemu-crash:/m.test(programSource(name));
}

/** Assemble one conformance program; `.include "x"` finds tests/programs/include/x. */
export function assembleProgram(name: string, march = 'rv64imac'): AssembleResult {
  const r = assemble([{ name, text: programSource(name) }], {
    march,
    include: (path) => {
      try {
        return { name: `include/${path}`, text: readFileSync(join(INCLUDE_DIR, path), 'utf8') };
      } catch {
        return null;
      }
    },
  });
  if (!r.ok) throw new Error(`${name} does not assemble:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r;
}

export interface ProgramRun {
  result: RunResult;
  machine: Machine;
  stdout: string;
}

/**
 * Run an assembled program on a fresh machine with an instruction cap; console output is captured. With
 * an observer the machine takes its traced path (one instruction at a time, as `rvx trace` runs).
 */
export function runImage(asm: AssembleResult, isa = 'rv64imac', maxInsns = 5_000_000, observer?: CommitObserver): ProgramRun {
  const out: number[] = [];
  const machine = new Machine({ isa, stdout: (b) => out.push(...b) });
  machine.load(toLoadable(asm.image));
  const result = machine.run(maxInsns, observer);
  return { result, machine, stdout: Buffer.from(out).toString('utf8') };
}

/** The source line that sets up case `n` (for failure messages), or '' when not found. */
export function caseLine(name: string, n: number): string {
  const lines = programSource(name).split('\n');
  const re = new RegExp(`^\\s*(?:\\d+:\\s*)?(?:[A-Z_]+\\s+${n}\\b|li\\s+gp,\\s*${n}\\b)`);
  const i = lines.findIndex((l) => re.test(l));
  return i < 0 ? '' : `${name}:${i + 1}: ${lines[i].trim()}`;
}

/** Human-readable outcome of a run. */
export function describe(name: string, r: RunResult): string {
  switch (r.reason) {
    case 'exit':
      return r.code === 0 ? 'pass' : `failed case ${r.code}  ${caseLine(name, r.code)}`;
    case 'limit':
      return 'instruction limit reached (hung?)';
    default:
      return `${r.reason}: ${r.message}`;
  }
}

/**
 * A program whose code falls through from one symbol into the next (g into h: a translated block then
 * spans two functions) and calls a function on its page: `outer` calls of f, then `inner` rounds of the
 * g/h loop, then HTIF exit 0.
 */
export function fallThroughProgram(outer: number, inner: number): string {
  return `
        .text
        .globl _start
_start: li s0, ${outer}
        li a0, 0
loop:   jal ra, f
        addi s0, s0, -1
        bnez s0, loop
        li t0, ${inner}
g:      addi t0, t0, -1
h:      addi a0, a0, 1
        bnez t0, g
        li a0, 1
        la t0, tohost
        sd a0, 0(t0)
1:      j 1b
f:      addi a0, a0, 3
        ret
        .data
        .balign 8
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;
}
