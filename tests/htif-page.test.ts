// HTIF's tohost page (docs/machine.md "HTIF"): stores to the page that leave the tohost doubleword
// alone take the fast paths of every tier (the interpreter's inline store, translated blocks, the
// logging blocks a cycle model replays), counted here by statistics the machine already keeps (TLB
// misses and page walks of the slow path, instructions the jit tier leaves to the interpreter), so the
// check does not depend on timing; and every store that does write tohost's bytes (any width, any
// byte, misaligned, compressed, floating-point, AMOs, SC, from inside a translated loop, through Sv39)
// is still taken by the host at once, on every tier, with the same result and instruction count.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine, type MachineOptions } from '../emulator/machine.js';
import { createCoreModel } from '../emulator/timing/index.js';
import type { RunResult } from '../emulator/types.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/elf/load.js';
import type { ElfImage } from '../tools/elf/model.js';

function build(src: string, march = 'rv64gc'): ElfImage {
  const a = assemble([{ name: 't.s', text: src }], { march });
  if (!a.ok) throw new Error(a.diagnostics.map(formatDiagnostic).join('\n'));
  return a.image;
}

/** The ways rvx runs a program: each tier alone, and each tier observed by the Rocket timing model. */
type Mode = 'interp' | 'jit' | 'interp+rocket' | 'jit+rocket';
const MODES: Mode[] = ['interp', 'jit', 'interp+rocket', 'jit+rocket'];

interface Outcome {
  m: Machine;
  r: RunResult;
  out: string;
  sym: (name: string) => number;
  model: string;
}

function runIn(image: ElfImage, mode: Mode, max = 5_000_000, opts: MachineOptions = {}): Outcome {
  const out: number[] = [];
  const tier = mode.startsWith('jit') ? 'jit' : 'interp';
  const m = new Machine({ ramMiB: 16, ...opts, tier, jitHot: 1, stdout: (b) => out.push(...b) });
  m.load(toLoadable(image));
  const model = mode.endsWith('rocket') ? createCoreModel('rocket', m) : null;
  const r = m.run(max, model?.observer ?? undefined);
  const sym = (name: string) => {
    const s = image.symbols.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no symbol ${name}`);
    return Number(s.value);
  };
  return { m, r, out: Buffer.from(out).toString('latin1'), sym, model: JSON.stringify(model?.stats() ?? null) };
}

// ---- a hot loop storing next to tohost ----

const LOOPS = 20000;

/** Stores of every width to the page of tohost, around tohost but never on it, LOOPS times; then exit 0. */
function loopProgram(paging: boolean): string {
  // With paging: S-mode under Sv39 with the RAM gigapage mapped twice (identity, and again at
  // 0x1_0000_0000), the stores and the final tohost store going through the second mapping.
  const setup = paging
    ? `
        la t0, trap
        csrw mtvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f                              # NAPOT, R W X: S-mode may touch everything
        csrw pmpcfg0, t0
        la t0, root
        li t1, (0x80000000 >> 12) << 10 | 0xcf   # V R W X A D
        sd t1, 2 * 8(t0)
        sd t1, 4 * 8(t0)
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        li t0, 3 << 11
        csrc mstatus, t0
        li t0, 1 << 11
        csrs mstatus, t0                         # MPP = S
        la t0, smode
        csrw mepc, t0
        mret
smode:
        li s2, 0x100000000 - 0x80000000          # the second mapping
`
    : `
        li s2, 0
`;
  return `
        .text
        .globl _start
_start:
${setup}
        la s0, tohost
        add s0, s0, s2
        li s1, ${LOOPS}
        li a1, 0x1122334455667788
1:      sd a1, -8(s0)          # the doubleword below tohost
        sw a1, 8(s0)           # fromhost
        sh a1, 20(s0)
        sb a1, -1(s0)
        sd a1, -2048(s0)       # the first doubleword of the page
        addi s1, s1, -1
        bnez s1, 1b
        li a0, 1
        sd a0, 0(s0)
2:      j 2b
        .balign 4
trap:
        li a0, (99 << 1) | 1
        la t0, tohost
        sd a0, 0(t0)
3:      j 3b
        .data
        .balign 4096
        .zero 2048
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
        .zero 2032
        .bss
        .balign 4096
root:   .zero 4096
`;
}

describe('stores next to tohost take the fast paths', () => {
  for (const paging of [false, true]) {
    const what = paging ? 'S-mode under Sv39, through a second mapping' : 'M-mode, bare';
    const image = build(loopProgram(paging));

    it(`interpreter (${what}): no TLB miss or page walk per store`, () => {
      const x = runIn(image, 'interp');
      expect(x.r).toEqual({ reason: 'exit', code: 0 });
      // Before the watched-page entries every one of these stores missed the write TLB (and, with
      // paging, walked the page table): 5 * LOOPS of each.
      expect(x.m.stats.tlbMisses).toBeLessThan(100);
      expect(x.m.stats.pageWalks).toBeLessThan(100);
      expect(x.m.stats.instret).toBeGreaterThan(BigInt(7 * LOOPS));
    });

    it(`jit tier (${what}): the loop stays in its translated block`, () => {
      const x = runIn(image, 'jit');
      expect(x.r).toEqual({ reason: 'exit', code: 0 });
      const j = x.m.stats.jit!;
      // Before, each of those stores left the block for the interpreter.
      expect(j.interpRetired).toBeLessThan(1000);
      expect(j.jitRetired).toBeGreaterThan(6 * LOOPS);
      expect(x.m.stats.tlbMisses).toBeLessThan(100);
      expect(x.m.stats.pageWalks).toBeLessThan(100);
    });

    it(`jit tier under the Rocket model (${what}): logging blocks store there too, with the interpreter's cycles`, () => {
      const x = runIn(image, 'jit+rocket');
      const y = runIn(image, 'interp+rocket');
      expect(x.r).toEqual({ reason: 'exit', code: 0 });
      expect(y.r).toEqual(x.r);
      expect(x.m.stats.jit!.interpRetired).toBeLessThan(1000);
      expect(x.m.stats.instret).toBe(y.m.stats.instret);
      expect(x.m.stats.cycles).toBe(y.m.stats.cycles);
      expect(x.model).toBe(y.model);
    });
  }
});

describe('bench/programs/htif-page.s (the measured loop of docs/machine.md)', () => {
  const text = readFileSync(new URL('../bench/programs/htif-page.s', import.meta.url), 'utf8');
  for (const ownPage of [0, 1]) {
    it(`passes with OWN_PAGE = ${ownPage}, its loop translated whole`, () => {
      const image = build(`.equ LOOPS, 5000\n.equ OWN_PAGE, ${ownPage}\n${text}`);
      const buf = Number(image.symbols.find((x) => x.name === 'buf')!.value);
      const tohost = Number(image.symbols.find((x) => x.name === 'tohost')!.value);
      expect(buf >>> 12 === tohost >>> 12).toBe(ownPage === 0);
      for (const mode of MODES) {
        const x = runIn(image, mode);
        expect(x.r, mode).toEqual({ reason: 'exit', code: 0 });
        if (mode.startsWith('jit')) expect(x.m.stats.jit!.interpRetired, mode).toBeLessThan(500);
      }
    });
  }
});

// ---- every store that writes tohost is seen when it happens ----

/** The bytes a store lays on tohost's bytes 0..7 (the rest of the value is 0x5a). */
const TOHOST_BYTES = [0x2b, 0x44, 0x3c, 0x21, 0x6e, 0x77, 0x31, 0x45];
const STEPS = 100;

interface StoreCase {
  name: string;
  size: number;
  /** Offset of the store from tohost (negative: it starts below tohost). */
  off: number;
  /** The store, with the value in a1 (f1 for floating point) and the address in a0. */
  insn: string;
}

function cases(): StoreCase[] {
  const list: StoreCase[] = [];
  const widths: [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8], ['fsw', 4], ['fsd', 8]];
  for (const [op, size] of widths) {
    for (let off = -(size - 1); off <= 7; off++) {
      const insn = op.startsWith('f') ? `${op} f1, 0(a0)` : `${op} a1, 0(a0)`;
      list.push({ name: `${op} at tohost${off < 0 ? '' : '+'}${off}`, size, off, insn });
    }
  }
  // c.sw / c.sd (a0 and a1 are compressible registers; the assembler would pick them anyway).
  for (const off of [0, 4]) list.push({ name: `c.sw at tohost${off < 0 ? '' : '+'}${off}`, size: 4, off, insn: 'c.sw a1, 0(a0)' });
  list.push({ name: 'c.sd at tohost', size: 8, off: 0, insn: 'c.sd a1, 0(a0)' });
  // AMOs and SC (always naturally aligned).
  for (const op of ['amoswap.w', 'amoadd.w', 'amoor.w', 'amoxor.w', 'amomaxu.w']) {
    for (const off of [0, 4]) list.push({ name: `${op} at tohost+${off}`, size: 4, off, insn: `${op} zero, a1, (a0)` });
  }
  for (const op of ['amoswap.d', 'amoadd.d', 'amoor.d', 'amomax.d']) list.push({ name: `${op} at tohost`, size: 8, off: 0, insn: `${op} zero, a1, (a0)` });
  for (const off of [0, 4]) list.push({ name: `sc.w at tohost+${off}`, size: 4, off, insn: 'lr.w t4, (a0)\n        sc.w t5, a1, (a0)' });
  list.push({ name: 'sc.d at tohost', size: 8, off: 0, insn: 'lr.d t4, (a0)\n        sc.d t5, a1, (a0)' });
  return list;
}

/** The value stored: TOHOST_BYTES where it lands on tohost, 0x5a elsewhere. */
function storedValue(c: StoreCase): bigint {
  let v = 0n;
  for (let k = c.size - 1; k >= 0; k--) {
    const j = c.off + k;
    v = (v << 8n) | BigInt(j >= 0 && j < 8 ? TOHOST_BYTES[j] : 0x5a);
  }
  return v;
}

/** What tohost holds right after the store (it held 0). */
function tohostAfter(c: StoreCase): bigint {
  let v = 0n;
  for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(j >= c.off && j < c.off + c.size ? TOHOST_BYTES[j] : 0);
  return v;
}

/**
 * The program: the store runs STEPS times at addresses 16 bytes apart on tohost's page, clear of
 * tohost (so the jit tier has translated the loop and the store takes its fast path), then once
 * on tohost. A request that does not end the run is taken: tohost reads 0 again, exit 0 (exit 1 if
 * the host never saw the store).
 */
function caseProgram(c: StoreCase): string {
  return `
        .text
        .globl _start
_start:
        li t0, 1 << 13
        csrs mstatus, t0                 # FS = Initial
        la s0, tohost
        li a1, ${'0x' + storedValue(c).toString(16)}
        fmv.d.x f1, a1
        addi a0, s0, ${c.off - 16 * STEPS}
        li t2, ${STEPS + 1}
        .globl loop
loop:   ${c.insn}
        .globl after
after:  addi a0, a0, 16
        addi t2, t2, -1
        bnez t2, loop
        ld t0, 0(s0)
        li t3, 3
        bnez t0, 1f
        li t3, 1
1:      sd t3, 0(s0)
2:      j 2b
        .data
        .balign 4096
        .zero 2048
        .globl tohost
tohost: .dword 0
        .zero 248
        .globl fromhost
fromhost: .dword 0
        .zero 1784
`;
}

/** What the host does with the request (docs/machine.md "HTIF"). */
function expected(c: StoreCase): { r: RunResult; halts: boolean } {
  const v = tohostAfter(c);
  if (v >> 48n !== 0n) return { r: { reason: 'exit', code: 0 }, halts: false }; // device or command we lack: taken, ignored
  if (v & 1n) return { r: { reason: 'exit', code: Number(v >> 1n) }, halts: true };
  return { r: { reason: 'fatal', message: `HTIF: syscall block at 0x${v.toString(16)} is not in RAM` }, halts: true };
}

describe('every store that writes tohost is taken when it happens', () => {
  for (const c of cases()) {
    it(c.name, () => {
      const image = build(caseProgram(c));
      const want = expected(c);
      const runs = MODES.map((mode) => ({ mode, x: runIn(image, mode, 100_000) }));
      for (const { mode, x } of runs) {
        expect(x.r, mode).toEqual(want.r);
        // A request that ends the run ends it right after the store, on its last pass.
        if (want.halts) expect(x.m.pc, mode).toBe(x.sym('after'));
        expect(x.m.stats.instret, mode).toBe(runs[0].x.m.stats.instret);
      }
      expect(runs[3].x.m.stats.cycles).toBe(runs[2].x.m.stats.cycles);
      expect(runs[3].x.model).toBe(runs[2].x.model);
      // The loop was translated and its store ran in the block where the tier translates it.
      const j = runs[1].x.m.stats.jit!;
      expect(j.jitRetired + j.interpRetired).toBe(Number(runs[1].x.m.stats.instret));
      if (/^(c\.)?s[bhwd] /.test(c.insn) && (c.off & (c.size - 1)) === 0) expect(j.jitRetired).toBeGreaterThan(3 * STEPS);
    });
  }
});

describe('tohost anywhere', () => {
  it('a tohost that is not 8-byte aligned (a program the ELF loader refuses, given to Machine.load directly), across a page boundary', () => {
    const src = `
        .text
        .globl _start
_start:
        la s0, tohost
        li s1, 1000
        li a1, 0x77
1:      sb a1, -1(s0)
        sb a1, 8(s0)
        addi s1, s1, -1
        bnez s1, 1b
        lbu a2, -1(s0)
        lbu a3, 8(s0)
        add a2, a2, a3
        li t0, 0xee
        bne a2, t0, 2f
        li a1, 0x2a
        sb a1, 7(s0)                # on the second page: device 0x2a, taken and ignored
        ld t0, 0(s0)
        bnez t0, 2f
        li a1, (21 << 1) | 1
        sb a1, 0(s0)
3:      j 3b
2:      li a1, 3
        sd a1, 0(s0)
4:      j 4b
        .data
        .balign 4096
        .zero 4092
        .globl host_word
host_word: .zero 8
`;
    const image = build(src.replaceAll('tohost', 'host_word'));
    const t = Number(image.symbols.find((s) => s.name === 'host_word')!.value);
    expect(t & 0xfff).toBe(0xffc);
    for (const tier of ['interp', 'jit'] as const) {
      const m = new Machine({ ramMiB: 16, tier, jitHot: 1, stdout: () => {} });
      m.load({ ...toLoadable(image), tohost: t });
      expect(m.run(1_000_000), tier).toEqual({ reason: 'exit', code: 21 });
    }
  });
});
