// Unit tests of the RV64 machine (emulator/): small programs assembled with rvx's assembler, run on a
// fresh Machine, checked against values derived from the RISC-V specs (unprivileged 20191213,
// privileged 20211203). The big per-instruction conformance suite lives in tests/programs/.

import { describe, expect, it } from 'vitest';
import { Machine, MachineError } from '../emulator/index.js';
import type { CommitRecord, RunResult } from '../emulator/types.js';
import { MEM_LOAD, MEM_STORE } from '../emulator/types.js';
import { assemble, formatDiagnostic } from '../tools/asm/index.js';
import { toLoadable } from '../tools/load.js';
import { encodeOrThrow } from '../isa/codec.js';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);

/** Wrap a test body: mtvec → a handler that saves mcause/mtval/mepc in s9/s10/s11 and exits with 99. */
function frame(body: string, extra = ''): string {
  return `
        .equ PTE_V, 1
        .equ PTE_R, 2
        .equ PTE_W, 4
        .equ PTE_X, 8
        .equ PTE_U, 16
        .equ PTE_A, 64
        .equ PTE_D, 128
        .text
        .globl _start
_start:
        la t0, default_trap
        csrw mtvec, t0
${body}
pass:
        li t0, 1
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b
        .align 2
default_trap:
        csrr s9, mcause
        csrr s10, mtval
        csrr s11, mepc
        li t0, (99 << 1) | 1
        la t1, tohost
        sd t0, 0(t1)
2:      j 2b
${extra}
        .data
        .align 3
        .globl tohost
tohost: .dword 0
        .globl fromhost
fromhost: .dword 0
`;
}

interface Run {
  m: Machine;
  r: RunResult;
  out: string;
  sym: (name: string) => number;
}

function build(src: string, march = 'rv64imac') {
  const a = assemble([{ name: 't.s', text: src }], { march });
  if (!a.ok) throw new Error(a.diagnostics.map(formatDiagnostic).join('\n'));
  return a;
}

function run(src: string, opts: { isa?: string; max?: number; observer?: (r: CommitRecord) => number; mtimeHz?: number } = {}): Run {
  const a = build(src, opts.isa ?? 'rv64imac');
  const out: number[] = [];
  const m = new Machine({ isa: opts.isa, stdout: (b) => out.push(...b), mtimeHz: opts.mtimeHz, ramMiB: 16 });
  m.load(toLoadable(a.image));
  const r = m.run(opts.max ?? 2_000_000, opts.observer);
  const sym = (name: string) => {
    const s = a.image.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return Number(s.value);
  };
  return { m, r, out: Buffer.from(out).toString('latin1'), sym };
}

const reg = (x: Run, i: number) => x.m.getReg(i);
const A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, S9 = 25, S10 = 26, S11 = 27;

describe('reset state and boot ROM', () => {
  it('starts at 0x1000 in M-mode with misa = RV64IMAFDCSU (rv64gc, the default) and jumps to the entry with a0 = mhartid, a1 = 0x1020', () => {
    const m = new Machine({ ramMiB: 4 });
    expect(m.pc).toBe(0x1000);
    expect(m.priv).toBe(3);
    const misa = m.readCsr(0x301);
    expect(misa >> 62n).toBe(2n);
    const letters = [...'ACDFIMSU'].map((c) => 1n << BigInt(c.charCodeAt(0) - 65));
    expect(misa & ((1n << 26n) - 1n)).toBe(letters.reduce((a, b) => a | b));
    expect(m.readCsr(0x300)).toBe((2n << 32n) | (2n << 34n)); // UXL = SXL = 2, everything else 0 (FS Off, as Spike)
    const x = run(frame('        mv a2, a0\n        mv a3, a1'));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A2)).toBe(0n);
    expect(reg(x, A3)).toBe(0x1020n); // where Spike's ROM points a1 (its device tree)
  });

  it('clears misa.C for rv64ima and refuses unknown ISA strings and bad options', () => {
    expect(new Machine({ isa: 'rv64ima', ramMiB: 1 }).readCsr(0x301) & 4n).toBe(0n);
    expect(new Machine({ isa: 'rv64imac', ramMiB: 1 }).readCsr(0x301) & 0x28n).toBe(0n); // no F, D
    expect(() => new Machine({ isa: 'rv64imv' })).toThrow(MachineError);
    expect(new Machine({ isa: 'rv64imadc', ramMiB: 1 }).readCsr(0x301) & 0x28n).toBe(0x28n); // D implies F
    expect(() => new Machine({ ramMiB: 0 })).toThrow(MachineError);
    const m = new Machine({ ramMiB: 1 });
    expect(() => m.load({ segments: [{ paddr: 0x1000, data: new Uint8Array(4), memsz: 4 }], entry: 0x1000 })).toThrow(/not inside RAM/);
  });
});

describe('RV64IM arithmetic against a BigInt reference', () => {
  // Random and edge operands through every R-type ALU and M instruction; the program stores results.
  const ops: [string, (a: bigint, b: bigint) => bigint][] = [
    ['add', (a, b) => a + b],
    ['sub', (a, b) => a - b],
    ['sll', (a, b) => a << (b & 63n)],
    ['srl', (a, b) => u64(a) >> (b & 63n)],
    ['sra', (a, b) => s64(a) >> (b & 63n)],
    ['slt', (a, b) => (s64(a) < s64(b) ? 1n : 0n)],
    ['sltu', (a, b) => (u64(a) < u64(b) ? 1n : 0n)],
    ['xor', (a, b) => a ^ b],
    ['or', (a, b) => a | b],
    ['and', (a, b) => a & b],
    ['addw', (a, b) => BigInt.asIntN(32, a + b)],
    ['subw', (a, b) => BigInt.asIntN(32, a - b)],
    ['sllw', (a, b) => BigInt.asIntN(32, a << (b & 31n))],
    ['srlw', (a, b) => BigInt.asIntN(32, BigInt.asUintN(32, a) >> (b & 31n))],
    ['sraw', (a, b) => BigInt.asIntN(32, a) >> (b & 31n)],
    ['mul', (a, b) => a * b],
    ['mulh', (a, b) => (s64(a) * s64(b)) >> 64n],
    ['mulhsu', (a, b) => (s64(a) * u64(b)) >> 64n],
    ['mulhu', (a, b) => (u64(a) * u64(b)) >> 64n],
    ['mulw', (a, b) => BigInt.asIntN(32, a * b)],
    ['div', (a, b) => (u64(b) === 0n ? -1n : s64(a) === -(1n << 63n) && s64(b) === -1n ? a : s64(a) / s64(b))],
    ['divu', (a, b) => (u64(b) === 0n ? M64 : u64(a) / u64(b))],
    ['rem', (a, b) => (u64(b) === 0n ? a : s64(a) === -(1n << 63n) && s64(b) === -1n ? 0n : s64(a) % s64(b))],
    ['remu', (a, b) => (u64(b) === 0n ? a : u64(a) % u64(b))],
    ['divw', (a, b) => {
      const x = BigInt.asIntN(32, a), y = BigInt.asIntN(32, b);
      return y === 0n ? -1n : x === -(1n << 31n) && y === -1n ? x : BigInt.asIntN(32, x / y);
    }],
    ['divuw', (a, b) => {
      const x = BigInt.asUintN(32, a), y = BigInt.asUintN(32, b);
      return BigInt.asIntN(32, y === 0n ? (1n << 32n) - 1n : x / y);
    }],
    ['remw', (a, b) => {
      const x = BigInt.asIntN(32, a), y = BigInt.asIntN(32, b);
      return y === 0n ? x : x === -(1n << 31n) && y === -1n ? 0n : BigInt.asIntN(32, x % y);
    }],
    ['remuw', (a, b) => {
      const x = BigInt.asUintN(32, a), y = BigInt.asUintN(32, b);
      return BigInt.asIntN(32, y === 0n ? x : x % y);
    }],
  ];
  const edges = [0n, 1n, 2n, 31n, 32n, 63n, 64n, M64, M64 - 1n, 1n << 63n, (1n << 63n) - 1n, 1n << 31n, (1n << 31n) - 1n,
    (1n << 32n) - 1n, 1n << 32n, 0xffffffff80000000n, 0x123456789abcdef0n, 0xfedcba9876543210n, 7n, M64 - 6n];
  let seed = 12345n;
  const rnd = () => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & M64;
    return seed;
  };
  const pairs: [bigint, bigint][] = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let i = 0; i < 60; i++) pairs.push([rnd(), rnd() >> (rnd() & 63n)]);

  it('matches for every operation on edge and random operands', () => {
    // Data: pairs; the program loops over pairs and ops, storing each result.
    const pairData = pairs.map(([a, b]) => `        .dword 0x${a.toString(16)}, 0x${b.toString(16)}`).join('\n');
    const body = `
        la s0, pairs
        la s1, results
        li s2, ${pairs.length}
loop:
        ld a0, 0(s0)
        ld a1, 8(s0)
${ops.map(([op]) => `        ${op} a2, a0, a1\n        sd a2, 0(s1)\n        addi s1, s1, 8`).join('\n')}
        addi s0, s0, 16
        addi s2, s2, -1
        bnez s2, loop
`;
    const extra = `
        .data
        .align 3
pairs:
${pairData}
results:
        .zero ${pairs.length * ops.length * 8}
`;
    const x = run(frame(body, extra), { max: 1_000_000 });
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    const bytes = x.m.readPhys(x.sym('results'), pairs.length * ops.length * 8);
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const bad: string[] = [];
    pairs.forEach(([a, b], p) => {
      ops.forEach(([op, f], o) => {
        const got = dv.getBigUint64((p * ops.length + o) * 8, true);
        const want = u64(f(a, b));
        if (got !== want && bad.length < 10) bad.push(`${op} 0x${a.toString(16)}, 0x${b.toString(16)}: got 0x${got.toString(16)} want 0x${want.toString(16)}`);
      });
    });
    expect(bad).toEqual([]);
  });

  it('immediate forms: shifts by 63 and 31, addiw sign extension, slti/sltiu against sign-extended immediates', () => {
    const x = run(frame(`
        li a0, -1
        srli a1, a0, 63
        srai a2, a0, 63
        slli a3, a0, 63
        li t0, 0x7fffffff
        addiw a4, t0, 1
        sraiw a5, a4, 31
        li t1, 5
        sltiu s2, t1, -1
        slti s3, t1, -1
        srliw s4, a0, 31
        slliw s5, t0, 31
`));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A1)).toBe(1n);
    expect(reg(x, A2)).toBe(M64);
    expect(reg(x, A3)).toBe(1n << 63n);
    expect(reg(x, A4)).toBe(0xffffffff80000000n);
    expect(reg(x, A5)).toBe(M64);
    expect(reg(x, 18)).toBe(1n); // 5 < 2^64-1 unsigned
    expect(reg(x, 19)).toBe(0n); // 5 < -1 signed: no
    expect(reg(x, 20)).toBe(1n);
    expect(reg(x, 21)).toBe(0xffffffff80000000n);
  });
});

describe('atomics', () => {
  it('LR/SC succeed on the reserved address, fail without a reservation or after a trap; AMOs return the old value', () => {
    const x = run(frame(`
        la s0, word
        lr.d a0, (s0)
        li t0, 42
        sc.d a1, t0, (s0)          # succeeds: a1 = 0
        sc.d a2, t0, (s0)          # no reservation left: a2 = 1
        lr.w a3, (s0)
        ecall                      # a trap clears the reservation (handler skips the ecall)
        sc.w a4, t0, (s0)          # fails: a4 = 1
        li t1, 5
        amoadd.d a5, t1, (s0)      # old 42, new 47
        li t2, -100
        amomin.w s2, t2, (s0)      # old 47, new -100 (word)
        amomaxu.w s3, t1, (s0)     # old -100 (0xffffff9c), unsigned max keeps it
        amoswap.d s4, t1, (s0)     # old 0x00000000ffffff9c
        ld s5, 0(s0)
`, `
        .align 2
ecall_skip:
        csrr t3, mepc
        addi t3, t3, 4
        csrw mepc, t3
        mret
`).replace('la t0, default_trap', 'la t0, ecall_skip').replace('.dword 0\n        .globl fromhost', '.dword 0\n        .globl fromhost') + `
        .data
        .align 3
word:   .dword 7
`);
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A0)).toBe(7n);
    expect(reg(x, A1)).toBe(0n);
    expect(reg(x, A2)).toBe(1n);
    expect(reg(x, A3)).toBe(42n);
    expect(reg(x, A4)).toBe(1n);
    expect(reg(x, A5)).toBe(42n);
    expect(reg(x, 18)).toBe(47n);
    expect(reg(x, 19)).toBe(u64(-100n));
    expect(reg(x, 20)).toBe(0xffffff9cn);
    expect(reg(x, 21)).toBe(5n);
  });

  it('a misaligned AMO raises store/AMO address misaligned and a misaligned LR load address misaligned', () => {
    const amo = run(frame('        la t0, tohost\n        addi t0, t0, 4\n        amoadd.d a0, a0, (t0)'));
    expect(amo.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(amo, S9)).toBe(6n);
    expect(reg(amo, S10)).toBe(BigInt(amo.sym('tohost') + 4));
    const lr = run(frame('        la t0, tohost\n        addi t0, t0, 2\n        lr.w a0, (t0)'));
    expect(reg(lr, S9)).toBe(4n);
  });
});

describe('exceptions: cause and tval', () => {
  const cases: [string, string, bigint, ((x: Run) => bigint) | bigint][] = [
    ['illegal 32-bit: tval = the instruction bits', '        .word 0xffffffff', 2n, 0xffffffffn],
    ['illegal compressed: tval = the 16 bits', '        .half 0x0000', 2n, 0n],
    ['CSR that does not exist', '        csrr a0, 0x7c0', 2n, BigInt(encodeOrThrow('csrrs', [10, 0x7c0, 0]))],
    ['write to a read-only CSR', '        csrw mhartid, a0', 2n, BigInt(encodeOrThrow('csrrw', [0, 0xf14, 10]))],
    ['ebreak: tval = pc', '        ebreak', 3n, (x) => reg(x, S11)],
    ['ecall from M', '        ecall', 11n, 0n],
    ['load from unmapped physical memory: access fault, tval = address', '        li t0, 0x40000000\n        ld a0, 0(t0)', 5n, 0x40000000n],
    ['store to the boot ROM: access fault', '        li t0, 0x1000\n        sw a0, 0(t0)', 7n, 0x1000n],
    ['jump to unmapped memory: instruction access fault, tval = target', '        li t0, 0x3000\n        jr t0', 1n, 0x3000n],
    ['address above the physical space', '        li t0, -8\n        ld a0, 0(t0)', 5n, u64(-8n)],
    ['XPC encodings are illegal without the engine', '        .word 0x0000100b', 2n, 0x100bn],
    ['XPC CSRs are illegal without the engine', '        csrr a0, 0x5c0', 2n, BigInt(encodeOrThrow('csrrs', [10, 0x5c0, 0]))],
    ['mtval2 (H only) is illegal', '        csrr a0, 0x34b', 2n, BigInt(encodeOrThrow('csrrs', [10, 0x34b, 0]))],
  ];
  for (const [name, body, cause, tval] of cases) {
    it(name, () => {
      const x = run(frame(body));
      expect(x.r).toEqual({ reason: 'exit', code: 99 });
      expect(reg(x, S9)).toBe(cause);
      expect(reg(x, S10)).toBe(typeof tval === 'bigint' ? tval : tval(x));
    });
  }

  it('emulates misaligned loads and stores in hardware, also across a page boundary', () => {
    const x = run(frame(`
        la s0, buf
        li t0, 0x1122334455667788
        sd t0, 3(s0)
        ld a0, 3(s0)
        lw a1, 5(s0)
        lhu a2, 2(s0)
        li s1, 0x80100ffd
        sd t0, 0(s1)
        ld a3, 0(s1)
`, '        .data\n        .align 3\nbuf:    .zero 32\n'));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A0)).toBe(0x1122334455667788n);
    expect(reg(x, A1)).toBe(0x33445566n);
    expect(reg(x, A2)).toBe(0x8800n);
    expect(reg(x, A3)).toBe(0x1122334455667788n);
  });

  it('without C, a jump to a 2-byte-aligned target raises instruction-address-misaligned on the jump', () => {
    const x = run(frame(`
        la t4, 1f
        addi t4, t4, 2
        li a0, 5
        jalr a0, 0(t4)
1:      nop
        nop
`), { isa: 'rv64ima' });
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(x, S9)).toBe(0n);
    expect(reg(x, S10)).toBe(reg(x, 29));
    expect(reg(x, A0)).toBe(5n); // rd not written
    expect(x.m.readCsr(0x341)).toBe(reg(x, S11));
  });

  it('stops with trap-loop, naming the first trap, when mtvec points at unmapped memory', () => {
    const x = run(frame('        li t0, 0x4000\n        csrw mtvec, t0\n        ecall'));
    expect(x.r.reason).toBe('trap-loop');
    if (x.r.reason === 'trap-loop') expect(x.r.message).toMatch(/ecall from M-mode at pc 0x800000[0-9a-f]+ \(0x00000073 ecall\)/);
  });
});

describe('privilege: delegation, xRET, counters', () => {
  it('delegated ecall from U goes to S; sret and mret restore modes and stacks as the spec says', () => {
    const x = run(frame(`
        li t0, 1 << 8               # delegate ecall from U
        csrw medeleg, t0
        la t0, s_handler
        csrw stvec, t0
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f                 # NAPOT RWX over everything
        csrw pmpcfg0, t0
        li t0, 0x1800
        csrc mstatus, t0            # MPP = U
        li t0, 0x20000
        csrs mstatus, t0            # MPRV = 1: cleared by an mret to U
        la t0, user
        csrw mepc, t0
        mret
user:
        li a0, 7
        ecall
        j pass_u
        .align 2
s_handler:
        csrr a1, scause
        csrr a2, sepc
        csrr a3, sstatus
        ecall                       # from S: not delegated → M (default_trap) with cause 9
pass_u: j pass
`));
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(x, A1)).toBe(8n);
    expect(reg(x, A3) & 0x100n).toBe(0n); // SPP = U
    expect(reg(x, S9)).toBe(9n);
    const mstatus = x.m.readCsr(0x300);
    expect(mstatus & 0x20000n).toBe(0n); // MPRV cleared by the mret to U (and not set again)
    expect((mstatus >> 11n) & 3n).toBe(1n); // MPP = S: the last trap came from S
    expect(reg(x, A3) & 0x20n).toBe(0n); // SPIE = SIE (0) at the delegated trap
  });

  it('counters: instret counts retired instructions, cycle equals it without an observer, minstret writes win', () => {
    const x = run(frame(`
        csrr a0, instret
        nop
        nop
        csrr a1, instret
        csrr a2, cycle
        csrr a3, mcycle
        csrwi minstret, 0
        csrr a4, minstret
        csrr a5, time
`));
    expect(reg(x, A1) - reg(x, A0)).toBe(3n);
    expect(reg(x, A3) - reg(x, A2)).toBe(1n);
    expect(reg(x, A4)).toBe(0n); // the write replaces the csrwi's own increment
    expect(reg(x, A5)).toBe(0n); // fewer than 100 instructions ran: mtime still 0
  });

  it('U-mode counter access needs mcounteren and scounteren; WFI in U is illegal', () => {
    const prologue = `
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        li t0, 0x1800
        csrc mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:`;
    const denied = run(frame(prologue + '\n        csrr a0, cycle'));
    expect(reg(denied, S9)).toBe(2n);
    const allowed = run(frame('        li t0, 7\n        csrw mcounteren, t0\n        csrw scounteren, t0' + prologue + '\n        csrr a0, instret\n        ecall'));
    expect(reg(allowed, S9)).toBe(8n);
    const wfi = run(frame(prologue + '\n        wfi'));
    expect(reg(wfi, S9)).toBe(2n);
  });
});

describe('interrupts and WFI', () => {
  it('takes the machine timer interrupt when mtime reaches mtimecmp; WFI fast-forwards time', () => {
    const x = run(frame(`
        la t0, irq
        csrw mtvec, t0
        li t0, 0x200bff8
        ld s0, 0(t0)                # mtime now
        addi s0, s0, 1000
        li t1, 0x2004000
        sd s0, 0(t1)                # mtimecmp = now + 1000 ticks
        li t0, 0x80
        csrs mie, t0
        csrsi mstatus, 8
        wfi
        j pass
        .align 2
irq:
        csrr a0, mcause
        li t0, 0x200bff8
        ld a1, 0(t0)
        li t1, 0x2004000
        li t2, -1
        sd t2, 0(t1)                # acknowledge
        mv a2, s0
        j pass
`));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A0)).toBe((1n << 63n) | 7n);
    expect(reg(x, A1)).toBeGreaterThanOrEqual(reg(x, A2));
    expect(x.m.stats.idleSteps).toBeGreaterThan(90_000);
  });

  it('priority: MSI is taken before MTI when both are pending; S-level interrupts wait in M', () => {
    const x = run(frame(`
        la t0, irq
        csrw mtvec, t0
        li t0, 0x2004000
        sd zero, 0(t0)              # mtimecmp = 0: MTIP pending
        li t0, 0x2000000
        li t1, 1
        sw t1, 0(t0)                # MSIP pending
        li t0, 2
        csrs mip, t0                # SSIP pending (not delegated: an M interrupt, lowest of the three)
        li t0, 0x8a
        csrw mie, t0
        csrsi mstatus, 8
        nop
        j pass
        .align 2
irq:
        csrr a0, mcause
        j pass
`));
    expect(reg(x, A0)).toBe((1n << 63n) | 3n);
  });

  it('a delegated S timer interrupt is not taken in M-mode even with MIE set', () => {
    const x = run(frame(`
        li t0, 0x20
        csrs mideleg, t0
        csrs mie, t0
        csrs mip, t0               # STIP
        csrsi mstatus, 10          # MIE and SIE
        li a0, 1
`));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A0)).toBe(1n);
  });

  it('WFI with no interrupt that can ever arrive stops the run with a clear message', () => {
    const x = run(frame('        csrw mie, zero\n        wfi'));
    expect(x.r.reason).toBe('fatal');
    if (x.r.reason === 'fatal') expect(x.r.message).toMatch(/wfi .* never arrive/);
  });
});

// Sv39: one 1 GiB identity gigapage for the program (kernel), plus 4 KiB test pages under a second root.
const SV39 = `
setup_vm:                          # a0 = leaf flags for the test page at VA 0x40000000 → page 'target'
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        la t0, root
        la t1, l1
        srli t1, t1, 12
        slli t1, t1, 10
        ori t1, t1, PTE_V
        sd t1, 8(t0)               # root[1] → l1 (VA 0x40000000..0x7fffffff)
        li t1, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
        sd t1, 16(t0)              # root[2]: identity gigapage at 0x80000000
        la t2, l1
        la t3, l0
        srli t3, t3, 12
        slli t3, t3, 10
        ori t3, t3, PTE_V
        sd t3, 0(t2)               # l1[0] → l0
        la t2, l0
        la t3, target
        srli t3, t3, 12
        slli t3, t3, 10
        or t3, t3, a0
        sd t3, 0(t2)               # l0[0]: VA 0x40000000 → target
        la t0, root
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        ret
enter_s:                           # continue at ra in S-mode
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x800
        csrs mstatus, t0
        csrw mepc, ra
        mret
        .data
        .align 12
root:   .zero 4096
l1:     .zero 4096
l0:     .zero 4096
target: .dword 0x1234
        .zero 4088
`;

describe('Sv39', () => {
  it('translates through 4 KiB pages from S-mode and the identity gigapage', () => {
    const x = run(frame(`
        li a0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call setup_vm
        call enter_s
        li t0, 0x40000000
        ld a1, 0(t0)
        li t1, 99
        sd t1, 8(t0)
        la t2, target
        ld a2, 8(t2)
        ecall
`, SV39));
    expect(reg(x, S9)).toBe(9n);
    expect(reg(x, A1)).toBe(0x1234n);
    expect(reg(x, A2)).toBe(99n);
    expect(x.m.stats.pageWalks).toBeGreaterThan(0);
  });

  const fault = (flags: string, access: string, pre = '') =>
    run(frame(`
        li a0, ${flags}
        call setup_vm
${pre}
        call enter_s
        li t0, 0x40000008
        ${access}
        li s9, 0
        ecall
`, SV39));

  it('page faults carry the faulting virtual address: store to a read-only page', () => {
    const x = fault('PTE_V | PTE_R | PTE_A | PTE_D', 'sd t0, 0(t0)');
    expect(reg(x, S9)).toBe(15n);
    expect(reg(x, S10)).toBe(0x40000008n);
  });

  it('W without R is reserved: a load page fault', () => {
    expect(reg(fault('PTE_V | PTE_W | PTE_A | PTE_D', 'ld a1, 0(t0)'), S9)).toBe(13n);
  });

  it('S-mode may not touch a U page unless SUM; with SUM it may', () => {
    expect(reg(fault('PTE_V | PTE_R | PTE_U | PTE_A', 'ld a1, 0(t0)'), S9)).toBe(13n);
    const sum = fault('PTE_V | PTE_R | PTE_U | PTE_A', 'ld a1, 0(t0)', '        li t0, 0x40000\n        csrs mstatus, t0');
    expect(reg(sum, S9)).toBe(9n);
  });

  it('MXR makes execute-only pages readable', () => {
    expect(reg(fault('PTE_V | PTE_X | PTE_A', 'ld a1, 0(t0)'), S9)).toBe(13n);
    expect(reg(fault('PTE_V | PTE_X | PTE_A', 'ld a1, 0(t0)', '        li t0, 0x80000\n        csrs mstatus, t0'), S9)).toBe(9n);
  });

  it('A clear faults (Svade); D clear faults on a store; with menvcfg.ADUE the hart sets them', () => {
    expect(reg(fault('PTE_V | PTE_R | PTE_W', 'ld a1, 0(t0)'), S9)).toBe(13n);
    expect(reg(fault('PTE_V | PTE_R | PTE_W | PTE_A', 'sd a1, 0(t0)'), S9)).toBe(15n);
    const x = fault('PTE_V | PTE_R | PTE_W', 'sd a1, 0(t0)', '        li t0, 1\n        slli t0, t0, 61\n        csrs menvcfg, t0');
    expect(reg(x, S9)).toBe(9n);
    const l0 = x.m.readPhys(x.sym('l0'), 8);
    expect(l0[0] & 0xc0).toBe(0xc0);
  });

  it('non-canonical addresses page-fault; reserved PTE bits 63:54 fault', () => {
    const x = fault('PTE_V | PTE_R | PTE_A', 'li t1, 0x4000000000\n        ld a1, 0(t1)');
    expect(reg(x, S9)).toBe(13n);
    expect(reg(x, S10)).toBe(0x4000000000n);
    const pbmt = fault('PTE_V | PTE_R | PTE_A', 'ld a1, 0(t0)', `
        la t2, l0
        ld t3, 0(t2)
        li t4, 1
        slli t4, t4, 61
        or t3, t3, t4
        sd t3, 0(t2)`);
    expect(reg(pbmt, S9)).toBe(13n);
  });

  it('MPRV with MPP = S translates M-mode data accesses', () => {
    const x = run(frame(`
        li a0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call setup_vm
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x800 | 0x20000
        csrs mstatus, t0           # MPP = S, MPRV
        li t0, 0x40000000
        ld a1, 0(t0)
        li t0, 0x20000
        csrc mstatus, t0
`, SV39));
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, A1)).toBe(0x1234n);
  });

  it('sfence.vma makes a changed PTE visible', () => {
    const x = run(frame(`
        li a0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call setup_vm
        call enter_s
        li t0, 0x40000000
        ld a1, 0(t0)               # caches the translation
        la t2, l0
        sd zero, 0(t2)             # unmap
        ld a2, 0(t0)               # stale translation may still be used before the fence
        sfence.vma
        ld a3, 0(t0)               # now faults
        ecall
`, SV39));
    expect(reg(x, A1)).toBe(0x1234n);
    expect(reg(x, S9)).toBe(13n);
    expect(reg(x, S10)).toBe(0x40000000n);
  });
});

describe('decoded-instruction cache', () => {
  it('sees stores into code (self-modifying code) without fence.i', () => {
    const x = run(frame(`
        li s0, 0
        li s1, 3
loop:
patch:  addi a0, zero, 1
        add s0, s0, a0
        la t0, patch
        lw t1, 0(t0)
        li t2, 1 << 20
        add t1, t1, t2             # addi a0, zero, imm+1
        sw t1, 0(t0)
        addi s1, s1, -1
        bnez s1, loop
`), { isa: 'rv64ima' });
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect(reg(x, 8)).toBe(1n + 2n + 3n);
  });
});

describe('devices', () => {
  it('UART THR writes go to stdout; LSR reports THRE|TEMT; reads of RBR with no input give 0', () => {
    const x = run(frame(`
        li t0, 0x10000000
        li t1, 'h'
        sb t1, 0(t0)
        li t1, 'i'
        sb t1, 0(t0)
        lbu a0, 5(t0)
        lbu a1, 0(t0)
`));
    expect(x.out).toBe('hi');
    expect(reg(x, A0)).toBe(0x60n);
    expect(reg(x, A1)).toBe(0n);
  });

  it('HTIF: console putchar, syscall write and exit, and the exit code of an odd tohost', () => {
    const x = run(frame(`
        la s0, tohost
        li t0, (1 << 56) | (1 << 48) | 'A'
        sd t0, 0(s0)
        la t1, fromhost
        ld a0, 0(t1)
        la s1, magic
        la t2, msg
        li t3, 64
        sd t3, 0(s1)
        li t3, 1
        sd t3, 8(s1)
        sd t2, 16(s1)
        li t3, 3
        sd t3, 24(s1)
        sd s1, 0(s0)
        ld a1, 0(s1)
        li t3, 93
        sd t3, 0(s1)
        li t3, 42
        sd t3, 8(s1)
        sd s1, 0(s0)
        j pass
`, `
        .data
        .align 3
magic:  .zero 64
msg:    .ascii "xyz"
`));
    expect(x.out).toBe('Axyz');
    expect(reg(x, A0)).not.toBe(0n);
    expect(reg(x, A1)).toBe(3n);
    expect(x.r).toEqual({ reason: 'exit', code: 42 });
  });
});

describe('observer', () => {
  it('reports each retired instruction with rd value, memory access, taken, and traps that do not retire', () => {
    const recs: { pc: number; rd: number; v: bigint; mem: number; va: number; taken: boolean; trapped: boolean; cause: bigint; op: number }[] = [];
    const x = run(frame(`
        li a0, 5
        la t0, tohost
        sd a0, 8(t0)
        ld a1, 8(t0)
        beq a0, a1, 1f
        nop
1:      ecall
`), {
      observer: (r) => {
        recs.push({ pc: r.pc, rd: r.rd, v: r.rdValue, mem: r.memKind, va: r.memVaddr, taken: r.taken, trapped: r.trapped, cause: r.trapCause, op: r.opId });
        return 2;
      },
    });
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    const st = recs.find((r) => r.mem === MEM_STORE)!;
    expect(st.va).toBe(x.sym('tohost') + 8);
    const ld = recs.find((r) => r.mem === MEM_LOAD && r.pc >= 0x80000000)!;
    expect(ld.rd).toBe(A1);
    expect(ld.v).toBe(5n);
    expect(recs.find((r) => r.taken)).toBeDefined();
    const trap = recs.find((r) => r.trapped)!;
    expect(trap.cause).toBe(11n);
    // Cycles: the observer charged 2 per retired instruction.
    expect(x.m.stats.cycles).toBe(2n * x.m.stats.instret + 2n * BigInt(recs.filter((r) => r.trapped).length));
    // The same program without an observer gives the same architectural result.
    const y = run(frame(`
        li a0, 5
        la t0, tohost
        sd a0, 8(t0)
        ld a1, 8(t0)
        beq a0, a1, 1f
        nop
1:      ecall
`));
    expect(y.m.stats.instret).toBe(x.m.stats.instret);
    expect(reg(y, S11)).toBe(reg(x, S11));
  });

  it('is deterministic: two runs of the same program give identical traces', () => {
    const src = frame(`
        li s0, 300
1:      csrr a0, time
        csrr a1, cycle
        addi s0, s0, -1
        bnez s0, 1b
`);
    const trace = () => {
      const t: string[] = [];
      run(src, { observer: (r) => (t.push(`${r.pc}:${r.rdValue}`), 1) });
      return t.join(',');
    };
    expect(trace()).toBe(trace());
  });
});

describe('interpreter source', () => {
  it('every literal case label in emulator/interp.ts names the opcode decode.ts gives that number', async () => {
    const { readFileSync } = await import('node:fs');
    const D = await import('../emulator/decode.js');
    const src = readFileSync(new URL('../emulator/interp.ts', import.meta.url), 'utf8');
    const labels = [...src.matchAll(/case (\d+) \/\* (OP_[A-Z_0-9]+) \*\//g)];
    expect(labels.length).toBeGreaterThan(80);
    for (const [, num, name] of labels) expect([name, (D as unknown as Record<string, number>)[name]]).toEqual([name, Number(num)]);
  });
});

describe('wild addresses', () => {
  it('a jalr to 2^63 + pc retires (rd written) and then faults on fetch with mepc = mtval = the target', () => {
    const x = run(frame(`
        la t2, pass
        li t4, 1
        slli t4, t4, 63
        xor t4, t4, t2
        li a0, 0
        jalr a0, 0(t4)
`));
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(x, S9)).toBe(1n);
    expect(reg(x, S10)).toBe(reg(x, 29));
    expect(reg(x, S11)).toBe(reg(x, 29));
    expect(reg(x, A0)).not.toBe(0n);
  });
});

describe('observed and unobserved runs agree', () => {
  it('gives the same registers, instret and TLB statistics under Sv39 with and without an observer', () => {
    const src = frame(`
        li a0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call setup_vm
        call enter_s
        li t0, 0x40000000
        li s2, 200
1:      ld a1, 0(t0)
        addi a1, a1, 1
        sd a1, 0(t0)
        sw a1, 3(t0)
        addi s2, s2, -1
        bnez s2, 1b
        ecall
`, SV39);
    const a = run(src);
    let walks = 0;
    const b = run(src, { observer: (r) => ((walks += r.walkLevels), 1) });
    expect(b.m.stats.instret).toBe(a.m.stats.instret);
    expect(reg(b, A1)).toBe(reg(a, A1));
    expect(b.m.stats.pageWalks).toBe(a.m.stats.pageWalks);
    expect(walks).toBeLessThan(40);
  });
});

describe('S-mode traps on TVM, TW, TSR, and PMP', () => {
  const toS = (pmp: boolean, status: string) => `
${pmp ? `        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0` : ''}
        li t0, ${status}
        csrs mstatus, t0
        li t0, 0x1800
        csrc mstatus, t0
        li t0, 0x800
        csrs mstatus, t0
        la t0, 1f
        csrw mepc, t0
        mret
1:`;
  const TVM = 1 << 20, TW = 1 << 21, TSR = 1 << 22;
  it('TVM: satp access and sfence.vma in S are illegal; TW: wfi in S is illegal; TSR: sret in S is illegal', () => {
    expect(reg(run(frame(toS(true, String(TVM)) + '\n        csrr a0, satp')), S9)).toBe(2n);
    expect(reg(run(frame(toS(true, String(TVM)) + '\n        sfence.vma')), S9)).toBe(2n);
    expect(reg(run(frame(toS(true, String(TW)) + '\n        wfi')), S9)).toBe(2n);
    expect(reg(run(frame(toS(true, String(TSR)) + '\n        sret')), S9)).toBe(2n);
    // Without the bits: satp reads, sfence.vma runs, and the S-mode code reaches its ecall.
    expect(reg(run(frame(toS(true, '0') + '\n        csrr a0, satp\n        sfence.vma\n        ecall')), S9)).toBe(9n);
  });

  it('PMP: with no entry set up, S-mode accesses fail (16 entries implemented); a NAPOT entry grants them', () => {
    const none = run(frame(toS(false, '0') + '\n        nop'));
    expect(reg(none, S9)).toBe(1n); // the fetch of the first S-mode instruction
    const readOnly = run(frame(`
        la t0, ro
        srli t0, t0, 2
        ori t0, t0, 0x1ff          # NAPOT 4 KiB at ro, read-only
        csrw pmpaddr0, t0
        li t0, -1
        csrw pmpaddr1, t0
        li t0, (0x1f << 8) | 0x19  # entry 0: NAPOT R; entry 1: NAPOT RWX
        csrw pmpcfg0, t0
${toS(false, '0')}
        la t0, ro
        ld a0, 0(t0)
        sd a0, 0(t0)
`, '        .data\n        .align 12\nro:     .dword 5\n        .align 12\n'));
    expect(reg(readOnly, S9)).toBe(7n);
    expect(reg(readOnly, S10)).toBe(BigInt(readOnly.sym('ro')));
    expect(reg(readOnly, A0)).toBe(5n);
  });

  it('PMP: an entry bound inside a code page holds for every fetch (a locked NA4 entry without X, riscv-arch-test pmp64)', () => {
    // Locked entries bind M-mode too: [0, nox) RWX by TOR, the 4 bytes at nox R only (NA4), the rest RWX.
    // The code around nox runs many times first (so the decoded-instruction cache and the translation tier
    // hold its page); the jump to nox must then fault: instruction access fault, mtval = mepc = nox.
    const src = frame(`
        li s1, 200
0:      addi s1, s1, -1
        bnez s1, 0b
        la t0, nox
        srli t0, t0, 2
        csrw pmpaddr0, t0
        csrw pmpaddr1, t0
        li t0, -1
        csrw pmpaddr2, t0
        li t0, (0x9f << 16) | (0x91 << 8) | 0x8f   # entry 0: TOR RWX L; 1: NA4 R L; 2: NAPOT RWX L
        csrw pmpcfg0, t0
        li s1, 200
0:      addi s1, s1, -1
        bnez s1, 0b
        jal nox
        j pass
        .align 2
nox:    ret
`);
    for (const tier of ['interp', 'jit'] as const) {
      const a = build(src, 'rv64imac');
      const m = new Machine({ ramMiB: 16, tier });
      m.load(toLoadable(a.image));
      m.run(2_000_000);
      const nox = BigInt(Number(a.image.symbols.find((x) => x.name === 'nox')!.value));
      expect([tier, m.getReg(S9), m.getReg(S10), m.getReg(S11)]).toEqual([tier, 1n, nox, nox]);
    }
  });
});

describe('interrupt priority among S-level interrupts', () => {
  it('takes SEI before SSI before STI when all are pending and delegated', () => {
    const x = run(frame(`
        li t0, -1
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        la t0, sirq
        csrw stvec, t0
        li t0, 0x222
        csrw mideleg, t0
        csrw mie, t0
        csrs mip, t0               # SSIP, STIP, SEIP
        li t0, 0x1800
        csrc mstatus, t0           # MPP = U: S-level interrupts are enabled in U whatever SIE
        la t0, 1f
        csrw mepc, t0
        mret
1:      j 1b
        .align 2
sirq:   csrr a0, scause
        ecall
`));
    expect(reg(x, A0)).toBe((1n << 63n) | 9n);
    expect(reg(x, S9)).toBe(9n); // ecall from S
  });
});

describe('UART registers', () => {
  it('keeps DLL/DLM behind LCR.DLAB and stores SCR; IIR says no interrupt', () => {
    const x = run(frame(`
        li t0, 0x10000000
        li t1, 0x80
        sb t1, 3(t0)               # DLAB
        li t1, 12
        sb t1, 0(t0)               # DLL (not transmitted)
        lbu a0, 0(t0)
        sb zero, 3(t0)
        li t1, 0x5a
        sb t1, 7(t0)
        lbu a1, 7(t0)
        lbu a2, 2(t0)
        li t1, 'k'
        sb t1, 0(t0)
`));
    expect(reg(x, A0)).toBe(12n);
    expect(reg(x, A1)).toBe(0x5an);
    expect(reg(x, A2)).toBe(1n);
    expect(x.out).toBe('k');
  });

  it('reads input bytes from stdin through RBR with LSR.DR', () => {
    const input = [...Buffer.from('ok')];
    const a = build(frame(`
        li t0, 0x10000000
        lbu a0, 5(t0)
        lbu a1, 0(t0)
        lbu a2, 0(t0)
        lbu a3, 5(t0)
`));
    const m = new Machine({ ramMiB: 4, stdout: () => {}, stdin: () => input.shift() ?? -1 });
    m.load(toLoadable(a.image));
    expect(m.run(10_000)).toEqual({ reason: 'exit', code: 0 });
    expect(m.getReg(A0) & 1n).toBe(1n);
    expect(m.getReg(A1)).toBe(BigInt('o'.charCodeAt(0)));
    expect(m.getReg(A2)).toBe(BigInt('k'.charCodeAt(0)));
    expect(m.getReg(A3) & 1n).toBe(0n);
  });
});

describe('superpages and vectored traps', () => {
  it('a 2 MiB superpage whose PPN is not 2 MiB-aligned is a page fault; an aligned one translates', () => {
    const body = (ppnOffsetPages: number) => `
        li a0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        call setup_vm
        la t2, l1
        li t3, ((0x80200000 >> 12) + ${ppnOffsetPages}) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
        sd t3, 8(t2)               # l1[1]: VA 0x40200000 → 2 MiB superpage
        sfence.vma
        call enter_s
        li t0, 0x40200010
        ld a1, 0(t0)
        ecall
`;
    const bad = run(frame(body(1), SV39));
    expect(reg(bad, S9)).toBe(13n);
    expect(reg(bad, S10)).toBe(0x40200010n);
    const good = run(frame(body(0) + `
        .data
        .align 3
`, SV39));
    expect(reg(good, S9)).toBe(9n);
    expect(reg(good, A1)).toBe(BigInt(new DataView(good.m.readPhys(0x80200010, 8).buffer).getBigUint64(0, true)));
  });

  it('vectored mtvec sends interrupts to BASE + 4 × cause and exceptions to BASE', () => {
    const x = run(frame(`
        la t0, vec
        ori t0, t0, 1
        csrw mtvec, t0
        csrr a2, mtvec
        li t0, 8
        csrw mie, t0
        li t0, 0x2000000
        li t1, 1
        sw t1, 0(t0)               # MSIP
        csrsi mstatus, 8
        nop
        j pass
        .align 6
vec:    j exc                      # +0: exceptions
        j bad                      # +4: SSI
        j bad                      # +8
        j msi                      # +12: MSI
bad:    li a0, 1
        j pass
msi:    li a0, 3
        li t0, 0x2000000
        sw zero, 0(t0)
        ecall
exc:    csrr a1, mcause
        j pass
`));
    expect(reg(x, A0)).toBe(3n);
    expect(reg(x, A1)).toBe(11n);
    expect(reg(x, A2) & 3n).toBe(1n);
  });
});

describe('F and D: mstatus.FS, SD, misa, frm', () => {
  it('FS Off makes F/D instructions and FP CSRs illegal; Initial → Dirty on an FP write; SD in mstatus and sstatus', () => {
    const off = run(frame('        fadd.d fa0, fa1, fa2'), { isa: 'rv64gc' });
    expect(off.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(off, S9)).toBe(2n); // illegal instruction
    expect(reg(off, S10)).toBe(0x02c5f553n); // mtval: the instruction bits
    const csrOff = run(frame('        frflags a0'), { isa: 'rv64gc' });
    expect(reg(csrOff, S9)).toBe(2n);
    const x = run(frame(`        li t0, 0x2000          # FS = Initial (through sstatus)
        csrs sstatus, t0
        csrr a2, mstatus
        fcvt.d.w fa0, zero
        csrr a3, mstatus
        csrr a4, sstatus
        li t0, 0x2000          # Dirty (3) → Clean (2)
        csrc mstatus, t0
        csrr a5, sstatus
        fmv.x.d a1, fa0        # writes no f register: stays Clean`), { isa: 'rv64gc' });
    expect(x.r).toEqual({ reason: 'exit', code: 0 });
    expect((reg(x, A2) >> 13n) & 3n).toBe(1n);
    expect(reg(x, A3) >> 63n).toBe(1n);
    expect((reg(x, A3) >> 13n) & 3n).toBe(3n);
    expect(reg(x, A4) >> 63n).toBe(1n);
    expect((reg(x, A5) >> 13n) & 3n).toBe(2n);
    expect(reg(x, A5) >> 63n).toBe(0n);
    expect(x.m.getFReg(10)).toBe(0n); // fcvt.d.w of 0
    x.m.setFReg(1, 0xffffffff3f800000n);
    expect(x.m.getFReg(1)).toBe(0xffffffff3f800000n);
  });

  it('dyn with a reserved frm, and reserved static rounding modes, are illegal; fcsr = frm << 5 | fflags', () => {
    const x = run(frame(`        li t0, 0x2000
        csrs mstatus, t0
        li t0, 0xe3            # frm = 7 (reserved), fflags = NV | ... 3
        fscsr t0
        frcsr a2
        frrm a3
        frflags a4
        fadd.d fa0, fa1, fa2   # dyn: frm 7 is reserved`), { isa: 'rv64gc' });
    expect(x.r).toEqual({ reason: 'exit', code: 99 });
    expect(reg(x, S9)).toBe(2n);
    expect(reg(x, A2)).toBe(0xe3n);
    expect(reg(x, A3)).toBe(7n);
    expect(reg(x, A4)).toBe(3n);
    const y = run(frame(`        li t0, 0x2000
        csrs mstatus, t0
        .word 0x02c5d553       # fadd.d fa0, fa1, fa2 with rm = 5`), { isa: 'rv64gc' });
    expect(reg(y, S9)).toBe(2n);
  });

  it('rv64imac has no F/D: misa without them, FP encodings illegal, FS not writable', () => {
    const x = run(frame(`        li t0, 0x2000
        csrs mstatus, t0
        csrr a2, mstatus
        .word 0x02c5f553       # fadd.d`), { isa: 'rv64imac' });
    expect(reg(x, S9)).toBe(2n);
    expect((reg(x, A2) >> 13n) & 3n).toBe(0n);
    expect(x.m.readCsr(0x301) & 0x28n).toBe(0n);
  });
});
