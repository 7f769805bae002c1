import { HTIF_SECTION, htifHexDump } from './htif-dump.js';
// Test helper: random RV64IMAC user-level programs for differential runs (rvx against QEMU). Each program
// sets every register to a random value, runs a random mix of ALU, M, W-form, compressed, load/store,
// AMO, LR/SC and forward-branch instructions (some loads and stores misaligned) over a 256-byte buffer (base s0, never written by the
// body), stores x1..x31 after the buffer, then prints buffer and registers as hex lines through the HTIF
// console and passes. Two machines that agree print the same text.

/** xorshift64*: deterministic 64-bit random numbers from a seed. */
export class Rng {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
  }
  next64(): bigint {
    let x = this.s;
    x ^= x >> 12n;
    x ^= BigInt.asUintN(64, x << 25n);
    x ^= x >> 27n;
    this.s = x;
    return BigInt.asUintN(64, x * 0x2545f4914f6cdd1dn);
  }
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Values that stress edge cases: small, extreme, sign boundaries, random. */
  value(): bigint {
    switch (this.int(8)) {
      case 0: return BigInt(this.int(16)) - 8n;
      case 1: return this.pick([0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x7fffffffn, -0x80000000n, 0xffffffffn, 0x80000000n]);
      case 2: return BigInt.asIntN(32, this.next64());
      case 3: return BigInt(this.int(64));
      default: return BigInt.asIntN(64, this.next64());
    }
  }
}

// Registers the body may write: all but x0 and s0 (x8, the buffer base).
const REGS = Array.from({ length: 31 }, (_, i) => i + 1).filter((r) => r !== 8);
// Compressed three-bit registers x8..x15 without s0.
const CREGS = [9, 10, 11, 12, 13, 14, 15];
const x = (r: number) => `x${r}`;

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SHIFT_OPS: [string, number][] = [['slli', 64], ['srli', 64], ['srai', 64], ['slliw', 32], ['srliw', 32], ['sraiw', 32]];
const LOADS: [string, number][] = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwu', 4], ['ld', 8]];
const STORES: [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
const AMOS = ['amoadd', 'amoswap', 'amoxor', 'amoor', 'amoand', 'amomin', 'amomax', 'amominu', 'amomaxu'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const C_ALU = ['c.sub', 'c.xor', 'c.or', 'c.and', 'c.addw', 'c.subw'];
/** Zba, Zbb, Zbc, Zbs (programs made with `bitmanip`; assemble and run them with ..._zba_zbb_zbc_zbs). */
const B_R_OPS = ['add.uw', 'sh1add', 'sh2add', 'sh3add', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw', 'andn', 'orn', 'xnor', 'max', 'maxu',
  'min', 'minu', 'rol', 'rolw', 'ror', 'rorw', 'clmul', 'clmulh', 'clmulr', 'bclr', 'bext', 'binv', 'bset'];
const B_UNARY = ['clz', 'clzw', 'ctz', 'ctzw', 'cpop', 'cpopw', 'sext.b', 'sext.h', 'zext.h', 'zext.w', 'orc.b', 'rev8'];
const B_SHIFTS: [string, number][] = [['slli.uw', 64], ['rori', 64], ['roriw', 32], ['bclri', 64], ['bexti', 64], ['binvi', 64], ['bseti', 64]];

export function bitmanipLine(rng: Rng): string {
  const rd = rng.pick(REGS), a = rng.pick(REGS), b = rng.pick(REGS);
  switch (rng.int(3)) {
    case 0: return `${rng.pick(B_R_OPS)} ${x(rd)}, ${x(a)}, ${x(b)}`;
    case 1: return `${rng.pick(B_UNARY)} ${x(rd)}, ${x(a)}`;
    default: { const [op, w] = rng.pick(B_SHIFTS); return `${op} ${x(rd)}, ${x(a)}, ${rng.int(w)}`; }
  }
}

function simm(rng: Rng, bits: number): number {
  return rng.int(1 << bits) - (1 << (bits - 1));
}

function aluLine(rng: Rng, rvc: boolean): string {
  const rd = rng.pick(REGS), a = rng.pick(REGS), b = rng.pick(REGS);
  const k = rng.int(rvc ? 10 : 7);
  switch (k) {
    case 0: case 1: case 2: return `${rng.pick(R_OPS)} ${x(rd)}, ${x(a)}, ${x(b)}`;
    case 3: return `${rng.pick(I_OPS)} ${x(rd)}, ${x(a)}, ${simm(rng, 12)}`;
    case 4: { const [op, w] = rng.pick(SHIFT_OPS); return `${op} ${x(rd)}, ${x(a)}, ${rng.int(w)}`; }
    case 5: return `lui ${x(rd)}, ${rng.int(1 << 20)}`;
    case 6: return `li ${x(rd)}, ${rng.value()}`;
    case 7: { // compressed register-register on x9..x15
      const cd = rng.pick(CREGS), cs = rng.pick(CREGS);
      return `${rng.pick(C_ALU)} ${x(cd)}, ${x(cs)}`;
    }
    case 8: { // compressed immediates
      const cd = rng.pick(CREGS);
      switch (rng.int(6)) {
        case 0: return `c.addi ${x(rd)}, ${rng.pick([-32, -1, 1, 5, 31])}`;
        case 1: return `c.li ${x(rd)}, ${simm(rng, 6)}`;
        case 2: return `c.slli ${x(rd)}, ${1 + rng.int(63)}`;
        case 3: return `c.srai ${x(cd)}, ${1 + rng.int(63)}`;
        case 4: return `c.srli ${x(cd)}, ${1 + rng.int(63)}`;
        default: return `c.andi ${x(cd)}, ${simm(rng, 6)}`;
      }
    }
    default: {
      const rd2 = rng.pick(REGS.filter((r) => r !== 2));
      switch (rng.int(4)) {
        case 0: return `c.mv ${x(rd)}, ${x(b)}`;
        case 1: return `c.add ${x(rd)}, ${x(b)}`;
        case 2: return `c.addiw ${x(rd)}, ${simm(rng, 6)}`;
        default: return `c.lui ${x(rd2)}, ${rng.pick([1, 7, 31, 0xfffe0, 0xfffff])}`;
      }
    }
  }
}

function offset(rng: Rng, size: number): number {
  return rng.int(8) === 0 ? rng.int(256 - size + 1) : rng.int(256 / size) * size;
}

function memLine(rng: Rng, rvc: boolean): string[] {
  const rd = rng.pick(REGS), rs = rng.pick(REGS);
  switch (rng.int(rvc ? 6 : 4)) {
    // aligned mostly; one in eight misaligned (both machines carry those out in hardware)
    case 0: { const [op, n] = rng.pick(LOADS); return [`${op} ${x(rd)}, ${offset(rng, n)}(s0)`]; }
    case 1: { const [op, n] = rng.pick(STORES); return [`${op} ${x(rs)}, ${offset(rng, n)}(s0)`]; }
    case 2: return [`${rng.pick(AMOS)}.${rng.pick(['w', 'd'])} ${x(rd)}, ${x(rs)}, (s0)`];
    case 3: { const w = rng.pick(['w', 'd']); const rd2 = rng.pick(REGS); return [`lr.${w} ${x(rd)}, (s0)`, `sc.${w} ${x(rd2)}, ${x(rs)}, (s0)`]; }
    case 4: return rng.int(2) ? [`c.ld ${x(rng.pick(CREGS))}, ${rng.int(32) * 8}(s0)`] : [`c.lw ${x(rng.pick(CREGS))}, ${rng.int(32) * 4}(s0)`];
    default: return rng.int(2) ? [`c.sd ${x(rng.pick(CREGS))}, ${rng.int(32) * 8}(s0)`] : [`c.sw ${x(rng.pick(CREGS))}, ${rng.int(32) * 4}(s0)`];
  }
}

/** The assembly text of random program number `seed` with about `length` body instructions. */
export function randomProgram(seed: number, length: number, rvc = true, bitmanip = false): string {
  const rng = new Rng(seed);
  const out: string[] = [`# random program, seed ${seed}`, '        .globl _start', '_start:', '        la s0, buf'];
  for (const r of REGS) out.push(`        li ${x(r)}, ${rng.value()}`);
  let label = 0;
  for (let i = 0; i < length; i++) {
    const k = rng.int(10);
    if (bitmanip && k < 4) out.push('        ' + bitmanipLine(rng));
    else if (k < 6) out.push('        ' + aluLine(rng, rvc));
    else if (k < 9) for (const l of memLine(rng, rvc)) out.push('        ' + l);
    else {
      // a forward branch or jump over one or two instructions
      const l = `skip${label++}`;
      if (rng.int(4) === 0) out.push(`        jal ${x(rng.pick(REGS))}, ${l}`);
      else if (rvc && rng.int(3) === 0) out.push(`        ${rng.pick(['c.beqz', 'c.bnez'])} ${x(rng.pick(CREGS))}, ${l}`);
      else out.push(`        ${rng.pick(BRANCHES)} ${x(rng.pick(REGS))}, ${x(rng.pick(REGS))}, ${l}`);
      for (let j = 0; j <= rng.int(2); j++) out.push('        ' + aluLine(rng, rvc));
      out.push(`${l}:`);
    }
  }
  // registers after the buffer, then everything printed as hex
  for (let r = 1; r < 32; r++) out.push(`        sd x${r}, ${256 + 8 * r}(s0)`);
  out.push(DUMP);
  out.push('        .data', '        .balign 8', 'buf:');
  for (let i = 0; i < 32; i++) out.push(`        .dword ${BigInt.asUintN(64, rng.next64())}`);
  out.push('        .space 256', HTIF_SECTION);
  return out.join('\n') + '\n';
}

const DUMP = `
        # dump: dwords: buffer (32) and x0..x31 (32)
        ${htifHexDump('buf', `64`)}`;

