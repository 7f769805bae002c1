// ELF loader fuzz: random bytes, truncations and byte flips of a real executable given to the reader,
// the loader and `rvx run` are refused with a one-line reason (or, when still well-formed, loaded and
// run under an instruction cap) and never escape as an exception. Seeded, so failures reproduce.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.js';
import { assemble } from '../tools/asm/index.js';
import { main as runMain } from '../tools/commands/run.js';
import { ElfError, readElf } from '../tools/elf/read.js';
import { loadElfBytes } from '../tools/load.js';
import { captureMain } from './helpers/cli.js';
import { assembleProgram } from './helpers/programs.js';

/** xorshift32: a small deterministic generator. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const VALID = assembleProgram('alu.s').elf();
const SMALL = assemble([
  {
    name: 's.s',
    text: '.globl _start\n_start: li t0, 1\n la t1, tohost\n sd t0, 0(t1)\n1: j 1b\n .data\n .balign 8\n .globl tohost\ntohost: .dword 0\n',
  },
]).elf();

/** Whatever the bytes, the reader either parses them or throws ElfError; the loader never throws. */
function checkBytes(bytes: Uint8Array, label: string): 'loaded' | 'refused' {
  try {
    readElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`${label}: readElf threw ${String(e)} instead of ElfError`);
  }
  const r = loadElfBytes(bytes);
  if (!r.ok) {
    expect(r.error, label).toMatch(/^[^\n]+$/);
    expect(r.error, label).not.toMatch(/^malformed ELF \(/); // the reader's own bug catch-all
    return 'refused';
  }
  return 'loaded';
}

/** A file that loads must also run (or be refused by the machine) without an exception. */
function runLoaded(bytes: Uint8Array, label: string): void {
  const r = loadElfBytes(bytes);
  if (!r.ok) return;
  const m = new Machine({ ramMiB: 4, stdout: () => {} });
  try {
    m.load(r.program);
  } catch (e) {
    expect((e as Error).name, label).toBe('MachineError');
    return;
  }
  const res = m.run(5_000);
  expect(['exit', 'limit', 'trap-loop', 'fatal'], label).toContain(res.reason);
}

describe('ELF loader fuzz', () => {
  it('refuses random bytes', () => {
    const next = rng(1);
    for (let i = 0; i < 400; i++) {
      const len = next() % 600;
      const b = new Uint8Array(len);
      for (let k = 0; k < len; k++) b[k] = next() & 0xff;
      // half of them start like an ELF64 RISC-V header, so parsing goes further
      if (i % 2 === 0 && len >= 20) b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0), (b[18] = 243), (b[19] = 0), (b[16] = 2);
      expect(checkBytes(b, `random #${i}`)).toBe('refused');
    }
  });

  it('refuses every truncation of a real executable', () => {
    for (const [name, elf] of [['small', SMALL], ['alu', VALID]] as const) {
      const step = elf.length > 4000 ? 13 : 1;
      for (let len = 0; len < elf.length; len += step) {
        const outcome = checkBytes(elf.subarray(0, len), `${name} truncated to ${len}`);
        if (outcome === 'loaded') runLoaded(elf.subarray(0, len), `${name} truncated to ${len}`);
      }
    }
  });

  it('survives byte flips in headers and tables', () => {
    const next = rng(7);
    let loaded = 0;
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(SMALL);
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) {
        // mostly the ELF header and program headers (first 0x100 bytes), sometimes anywhere
        const pos = next() % 4 === 0 ? next() % b.length : next() % Math.min(0x100, b.length);
        b[pos] = next() & 0xff;
      }
      if (checkBytes(b, `flip #${i}`) === 'loaded') {
        loaded++;
        runLoaded(b, `flip #${i}`);
      }
    }
    expect(loaded).toBeGreaterThan(0); // some flips hit harmless bytes: those files still run
  });

  it('rvx run answers every bad file with one line and status 126 (refused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-fuzz-'));
    try {
      const next = rng(99);
      for (let i = 0; i < 40; i++) {
        const b = Uint8Array.from(SMALL.subarray(0, next() % SMALL.length));
        if (i % 2) b[next() % Math.max(1, b.length)] ^= 0xff;
        const path = join(dir, `bad${i}.elf`);
        writeFileSync(path, b);
        const r = await captureMain(runMain, ['--max-insns', '10000', path]);
        if (r.code === 126) {
          expect(r.stderr, `bad${i}`).toMatch(new RegExp(`^rvx run: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\n]+\n$`));
        } else {
          // It ran: passed, or stopped by the hart (123), the limit (124) or a trap loop (122).
          expect([0, 122, 123, 124], `bad${i} exit ${r.code}: ${r.stderr}`).toContain(r.code);
        }
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

