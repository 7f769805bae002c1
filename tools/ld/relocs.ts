// RISC-V ELF relocations (psABI "ELF Object Files", relocation table): numbers, names, and how each one
// patches the bytes it applies to, given its value (S + A, or S + A - P for pc-relative ones).

export const R = {
  NONE: 0, R32: 1, R64: 2, RELATIVE: 3, TLS_DTPMOD32: 6, TLS_DTPMOD64: 7, TLS_DTPREL32: 8, TLS_DTPREL64: 9,
  BRANCH: 16, JAL: 17, CALL: 18, CALL_PLT: 19, GOT_HI20: 20, TLS_GOT_HI20: 21, TLS_GD_HI20: 22, PCREL_HI20: 23,
  PCREL_LO12_I: 24, PCREL_LO12_S: 25, HI20: 26, LO12_I: 27, LO12_S: 28, TPREL_HI20: 29, TPREL_LO12_I: 30,
  TPREL_LO12_S: 31, TPREL_ADD: 32, ADD8: 33, ADD16: 34, ADD32: 35, ADD64: 36, SUB8: 37, SUB16: 38, SUB32: 39,
  SUB64: 40, ALIGN: 43, RVC_BRANCH: 44, RVC_JUMP: 45, RVC_LUI: 46,
  // Internal to linker relaxation (GNU ld's numbers, no longer in the psABI): a low part made relative to gp
  // (or x0) and a TPREL low part made relative to tp.
  GPREL_I: 47, GPREL_S: 48, TPREL_I: 49, TPREL_S: 50, RELAX: 51, SUB6: 52, SET6: 53, SET8: 54,
  SET16: 55, SET32: 56, R32_PCREL: 57, PLT32: 59, SET_ULEB128: 60, SUB_ULEB128: 61,
} as const;

const NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(R)) NAMES[v] = 'R_RISCV_' + k.replace(/^R(32|64)/, '$1').replace(/^R32_PCREL$/, '32_PCREL');
NAMES[R.R32_PCREL] = 'R_RISCV_32_PCREL';

export function relocName(type: number): string {
  return NAMES[type] ?? `relocation type ${type}`;
}

/** Relocations whose value is relative to the place (S + A - P). */
export function isPcRel(type: number): boolean {
  return (
    type === R.BRANCH || type === R.JAL || type === R.CALL || type === R.CALL_PLT || type === R.PCREL_HI20 || type === R.GOT_HI20 ||
    type === R.TLS_GOT_HI20 || type === R.TLS_GD_HI20 || type === R.RVC_BRANCH || type === R.RVC_JUMP || type === R.R32_PCREL || type === R.PLT32
  );
}

/** The auipc half of a pc-relative pair: its value is remembered for the %pcrel_lo that names it. */
export function isHi20PcRel(type: number): boolean {
  return type === R.PCREL_HI20 || type === R.GOT_HI20 || type === R.TLS_GOT_HI20 || type === R.TLS_GD_HI20;
}

export class RelocError extends Error {}

/** Set the rs1 field (base register) of the instruction at b[at] (GPREL and TPREL forms of relaxation). */
export function setBaseRegister(b: Uint8Array, at: number, reg: number): void {
  wr32(b, at, ((rd32(b, at) & ~(0x1f << 15)) | (reg << 15)) >>> 0);
}

/** Little-endian instruction-field access at byte `at` (shared with relax.ts). */
export function rd32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
export function wr32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}
export function rd16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
export function wr16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}
function rdN(b: Uint8Array, at: number, n: number): bigint {
  let x = 0n;
  for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[at + i]);
  return x;
}
function wrN(b: Uint8Array, at: number, n: number, v: bigint): void {
  let x = BigInt.asUintN(n * 8, v);
  for (let i = 0; i < n; i++) {
    b[at + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function range(v: bigint, bits: number, what: string): number {
  const lim = 1n << BigInt(bits - 1);
  if (v < -lim || v >= lim) throw new RelocError(`${what}: value ${v} out of range (${bits}-bit signed)`);
  return Number(v);
}

export function hi20(v: bigint): number {
  return Number(BigInt.asUintN(20, (v + 0x800n) >> 12n));
}
export function lo12(v: bigint): number {
  return Number(BigInt.asIntN(12, v));
}

function setItype(b: Uint8Array, at: number, imm: number): void {
  wr32(b, at, ((rd32(b, at) & 0xfffff) | ((imm & 0xfff) << 20)) >>> 0);
}
function setStype(b: Uint8Array, at: number, imm: number): void {
  const i = rd32(b, at) & ~0xfe000f80;
  wr32(b, at, (i | ((imm & 0x1f) << 7) | (((imm >> 5) & 0x7f) << 25)) >>> 0);
}
function setUtype(b: Uint8Array, at: number, imm20: number): void {
  wr32(b, at, ((rd32(b, at) & 0xfff) | (imm20 << 12)) >>> 0);
}

/** Read a ULEB128 in place; its length is kept when it is rewritten (the assembler padded it). */
function ulebAt(b: Uint8Array, at: number, end: number): { value: bigint; len: number } {
  let v = 0n;
  let shift = 0n;
  let p = at;
  for (;;) {
    if (p >= end) throw new RelocError('ULEB128 runs past the end of its section');
    const c = b[p++];
    v |= BigInt(c & 0x7f) << shift;
    shift += 7n;
    if (!(c & 0x80)) break;
  }
  return { value: v, len: p - at };
}
function writeUlebFixed(b: Uint8Array, at: number, len: number, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < len; i++) {
    let c = Number(x & 0x7fn);
    x >>= 7n;
    if (i < len - 1) c |= 0x80;
    b[at + i] = c;
  }
  if (x !== 0n) throw new RelocError(`ULEB128 value does not fit in its ${len} bytes`);
}

/**
 * Patch b[at...] for relocation `type`. `value` is S + A for absolute relocations and S + A - P for the
 * pc-relative ones (isPcRel); for %pcrel_lo12 it is the value of the %pcrel_hi20 it pairs with, and for
 * the TPREL ones S + A minus the thread pointer's offset. `end` bounds the section (for ULEB128).
 */
/** Bytes of the field a data relocation writes (0: not a data relocation; SET6/SUB6: the low 6 bits of 1). */
export function dataFieldSize(type: number): number {
  switch (type) {
    case R.R64: case R.ADD64: case R.SUB64: case R.TLS_DTPREL64:
      return 8;
    case R.R32: case R.ADD32: case R.SUB32: case R.SET32: case R.R32_PCREL: case R.TLS_DTPREL32:
      return 4;
    case R.ADD16: case R.SUB16: case R.SET16:
      return 2;
    case R.ADD8: case R.SUB8: case R.SET8: case R.SET6: case R.SUB6:
      return 1;
    default:
      return 0;
  }
}

/**
 * A data relocation that names a symbol of a discarded section is not applied (GNU ld's
 * RELOC_AGAINST_DISCARDED_SECTION and _bfd_clear_contents): its field is cleared, to 1 in .debug_ranges so
 * that a range list is not ended early. Returns false for the relocations this does not cover.
 */
export function clearDiscarded(b: Uint8Array, at: number, type: number, debugRanges: boolean): boolean {
  const n = dataFieldSize(type);
  if (n === 0 || at < 0 || at + n > b.length) return false;
  if (type === R.SET6 || type === R.SUB6) {
    b[at] = (b[at] & 0xc0) | (debugRanges ? 1 : 0);
    return true;
  }
  b.fill(0, at, at + n);
  if (debugRanges) b[at] = 1;
  return true;
}

export function applyReloc(b: Uint8Array, at: number, end: number, type: number, value: bigint): void {
  switch (type) {
    case R.NONE:
    case R.RELAX:
    case R.ALIGN:
    case R.TPREL_ADD:
      return;
    case R.R32:
      if (value < -(1n << 31n) || value >= 1n << 32n) throw new RelocError(`R_RISCV_32: value 0x${BigInt.asUintN(64, value).toString(16)} does not fit in 32 bits`);
      wrN(b, at, 4, value);
      return;
    case R.R64:
    case R.TLS_DTPREL64:
      wrN(b, at, 8, value);
      return;
    case R.TLS_DTPREL32:
    case R.R32_PCREL:
    case R.PLT32:
      wrN(b, at, 4, BigInt(range(value, 32, relocName(type))));
      return;
    case R.ADD8: case R.ADD16: case R.ADD32: case R.ADD64: {
      const n = [1, 2, 4, 8][type - R.ADD8];
      wrN(b, at, n, rdN(b, at, n) + value);
      return;
    }
    case R.SUB8: case R.SUB16: case R.SUB32: case R.SUB64: {
      const n = [1, 2, 4, 8][type - R.SUB8];
      wrN(b, at, n, rdN(b, at, n) - value);
      return;
    }
    case R.SUB6:
      b[at] = (b[at] & 0xc0) | Number(BigInt.asUintN(6, BigInt(b[at] & 0x3f) - value));
      return;
    case R.SET6:
      b[at] = (b[at] & 0xc0) | Number(BigInt.asUintN(6, value));
      return;
    case R.SET8: wrN(b, at, 1, value); return;
    case R.SET16: wrN(b, at, 2, value); return;
    case R.SET32: wrN(b, at, 4, value); return;
    case R.SET_ULEB128: {
      const { len } = ulebAt(b, at, end);
      writeUlebFixed(b, at, len, value);
      return;
    }
    case R.SUB_ULEB128: {
      const { value: old, len } = ulebAt(b, at, end);
      writeUlebFixed(b, at, len, BigInt.asUintN(64, old - value));
      return;
    }
    case R.BRANCH: {
      const v = range(value, 13, 'R_RISCV_BRANCH');
      if (v & 1) throw new RelocError('R_RISCV_BRANCH: odd offset');
      const i = rd32(b, at) & ~0xfe000f80;
      wr32(b, at, (i | (((v >> 12) & 1) << 31) | (((v >> 5) & 0x3f) << 25) | (((v >> 1) & 0xf) << 8) | (((v >> 11) & 1) << 7)) >>> 0);
      return;
    }
    case R.JAL: {
      const v = range(value, 21, 'R_RISCV_JAL');
      if (v & 1) throw new RelocError('R_RISCV_JAL: odd offset');
      const i = rd32(b, at) & 0xfff;
      wr32(b, at, (i | (((v >> 20) & 1) << 31) | (((v >> 1) & 0x3ff) << 21) | (((v >> 11) & 1) << 20) | (((v >> 12) & 0xff) << 12)) >>> 0);
      return;
    }
    case R.CALL:
    case R.CALL_PLT: {
      if (value < -0x80000800n || value >= 0x7ffff800n) throw new RelocError(`${relocName(type)}: target more than 2 GiB away`);
      setUtype(b, at, hi20(value));
      setItype(b, at + 4, lo12(value));
      return;
    }
    case R.PCREL_HI20:
    case R.GOT_HI20:
    case R.TLS_GOT_HI20:
    case R.TLS_GD_HI20:
    case R.TPREL_HI20:
    case R.HI20:
      if (value < -0x80000800n || value >= 0x7ffff800n) throw new RelocError(`${relocName(type)}: value 0x${BigInt.asUintN(64, value).toString(16)} out of range (±2 GiB)`);
      setUtype(b, at, hi20(value));
      return;
    case R.PCREL_LO12_I:
    case R.LO12_I:
    case R.TPREL_LO12_I:
      setItype(b, at, lo12(value));
      return;
    case R.GPREL_I:
    case R.TPREL_I:
      setItype(b, at, range(value, 12, relocName(type)));
      return;
    case R.GPREL_S:
    case R.TPREL_S:
      setStype(b, at, range(value, 12, relocName(type)));
      return;
    case R.PCREL_LO12_S:
    case R.LO12_S:
    case R.TPREL_LO12_S:
      setStype(b, at, lo12(value));
      return;
    case R.RVC_BRANCH: {
      const v = range(value, 9, 'R_RISCV_RVC_BRANCH');
      const i = rd16(b, at) & ~0x1c7c;
      wr16(b, at, i | (((v >> 8) & 1) << 12) | (((v >> 3) & 3) << 10) | (((v >> 6) & 3) << 5) | (((v >> 1) & 3) << 3) | (((v >> 5) & 1) << 2));
      return;
    }
    case R.RVC_JUMP: {
      const v = range(value, 12, 'R_RISCV_RVC_JUMP');
      const i = rd16(b, at) & ~0x1ffc;
      wr16(
        b, at,
        i | (((v >> 11) & 1) << 12) | (((v >> 4) & 1) << 11) | (((v >> 8) & 3) << 9) | (((v >> 10) & 1) << 8) | (((v >> 6) & 1) << 7) |
          (((v >> 7) & 1) << 6) | (((v >> 1) & 7) << 3) | (((v >> 5) & 1) << 2),
      );
      return;
    }
    case R.RVC_LUI: {
      const h = hi20(value);
      const s = BigInt.asIntN(20, BigInt(h));
      if (s === 0n || s < -32n || s >= 32n) throw new RelocError('R_RISCV_RVC_LUI: value out of range');
      const n = Number(s) & 0x3f;
      wr16(b, at, (rd16(b, at) & ~0x107c) | (((n >> 5) & 1) << 12) | ((n & 0x1f) << 2));
      return;
    }
    default:
      throw new RelocError(`unsupported relocation ${relocName(type)}`);
  }
}
