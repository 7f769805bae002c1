// Semantics of Zba, Zbb, Zbc and Zbs (RISC-V Bit-Manipulation ISA-extensions, version 1.0.0, ratified;
// §2.1-2.4 and the instruction pages of chapter 2, RV64), on the interpreter's registers: 32-bit halves in
// m32 (x_i at [2i, 2i+1]; d, s1, s2 are slot indices, d the sink slot for x0). The decoder gives every
// row the one opcode OP_BIT with imm = operation (decode.ts BIT) | shift amount << 8.
//
// No allocation per instruction: plain int32 arithmetic on the halves; the carry-less products use one
// module-level scratch array.

import { BIT } from './decode.js';

const TWO32 = 4294967296;

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** orc.b on one word: each byte 0xff when it is not zero, else 0 (§2.2, orc.b). */
function orcb32(x: number): number {
  let r = 0;
  for (let k = 0; k < 32; k += 8) if ((x >>> k) & 0xff) r |= 0xff << k;
  return r;
}

function rotl32(x: number, n: number): number {
  n &= 31;
  return n === 0 ? x | 0 : (x << n) | (x >>> (32 - n));
}

/** The 128-bit carry-less product of the last clmul*, as four 32-bit words, least significant first. */
const CL = new Int32Array(4);

/** rs1 ⊗ rs2 carry-less, all 128 bits into CL (§2.3: clmul keeps bits 63..0, clmulh 127..64, clmulr 126..63). */
function clmul128(al: number, ah: number, bl: number, bh: number): void {
  CL[0] = 0;
  CL[1] = 0;
  CL[2] = 0;
  CL[3] = 0;
  for (let i = 0; i < 64; i++) {
    if ((((i < 32 ? bl : bh) >>> (i & 31)) & 1) === 0) continue;
    const w = i >>> 5;
    const s = i & 31;
    CL[w] ^= al << s;
    CL[w + 1] ^= s === 0 ? ah : (ah << s) | (al >>> (32 - s));
    if (s !== 0) CL[w + 2] ^= ah >>> (32 - s);
  }
}

/** Write the 64-bit value (lo, hi) to slot d. */
function put(m32: Int32Array, d: number, lo: number, hi: number): void {
  m32[d] = lo;
  m32[d + 1] = hi;
}

/** A 32-bit result sign-extended to 64 bits (the *W forms). */
function putW(m32: Int32Array, d: number, v: number): void {
  m32[d] = v;
  m32[d + 1] = v >> 31;
}

/** b + (a << n) for the 64-bit a = (al, ah), b = (bl, bh), n in 0..3 (sh*add, add.uw). */
function addShifted(m32: Int32Array, d: number, al: number, ah: number, n: number, bl: number, bh: number): void {
  const sl = n === 0 ? al : al << n;
  const sh = n === 0 ? ah : (ah << n) | (al >>> (32 - n));
  const lo = (sl >>> 0) + (bl >>> 0);
  put(m32, d, lo | 0, (sh + bh + (lo >= TWO32 ? 1 : 0)) | 0);
}

/** Rotate the 64-bit (lo, hi) left by n (0..63) into slot d. */
function rotl64(m32: Int32Array, d: number, lo: number, hi: number, n: number): void {
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) put(m32, d, lo, hi);
  else put(m32, d, (lo << n) | (hi >>> (32 - n)), (hi << n) | (lo >>> (32 - n)));
}

/** Execute OP_BIT: `imm` = operation | shamt << 8. */
export function execBit(m32: Int32Array, imm: number, d: number, s1: number, s2: number): void {
  const al = m32[s1], ah = m32[s1 + 1];
  const bl = m32[s2], bh = m32[s2 + 1];
  const shamt = imm >>> 8;
  switch (imm & 0xff) {
    // ---- Zba (§2.1). The .uw forms take the low 32 bits of rs1 zero-extended ("unsigned word"). ----
    case BIT['add.uw']: addShifted(m32, d, al, 0, 0, bl, bh); break;
    case BIT.sh1add: addShifted(m32, d, al, ah, 1, bl, bh); break;
    case BIT.sh2add: addShifted(m32, d, al, ah, 2, bl, bh); break;
    case BIT.sh3add: addShifted(m32, d, al, ah, 3, bl, bh); break;
    case BIT['sh1add.uw']: addShifted(m32, d, al, 0, 1, bl, bh); break;
    case BIT['sh2add.uw']: addShifted(m32, d, al, 0, 2, bl, bh); break;
    case BIT['sh3add.uw']: addShifted(m32, d, al, 0, 3, bl, bh); break;
    case BIT['slli.uw']: // zext32(rs1) << shamt (6-bit shamt on RV64)
      if (shamt === 0) put(m32, d, al, 0);
      else if (shamt < 32) put(m32, d, al << shamt, al >>> (32 - shamt));
      else put(m32, d, 0, al << (shamt - 32));
      break;

    // ---- Zbb (§2.2) ----
    case BIT.andn: put(m32, d, al & ~bl, ah & ~bh); break;
    case BIT.orn: put(m32, d, al | ~bl, ah | ~bh); break;
    case BIT.xnor: put(m32, d, ~(al ^ bl), ~(ah ^ bh)); break;
    case BIT.clz: put(m32, d, ah !== 0 ? Math.clz32(ah) : 32 + Math.clz32(al), 0); break; // 64 for 0
    case BIT.ctz: put(m32, d, al !== 0 ? ctz32(al) : 32 + ctz32(ah), 0); break; // 64 for 0
    case BIT.cpop: put(m32, d, popcount32(al) + popcount32(ah), 0); break;
    // The W counts look at bits 31..0 of rs1 only (clzw/ctzw of 0 are 32).
    case BIT.clzw: put(m32, d, Math.clz32(al), 0); break;
    case BIT.ctzw: put(m32, d, ctz32(al), 0); break;
    case BIT.cpopw: put(m32, d, popcount32(al), 0); break;
    case BIT.max: case BIT.min: {
      const aBigger = ah > bh || (ah === bh && al >>> 0 > bl >>> 0);
      const takeA = (imm & 0xff) === BIT.max ? aBigger : !aBigger;
      put(m32, d, takeA ? al : bl, takeA ? ah : bh);
      break;
    }
    case BIT.maxu: case BIT.minu: {
      const aBigger = ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 > bl >>> 0);
      const takeA = (imm & 0xff) === BIT.maxu ? aBigger : !aBigger;
      put(m32, d, takeA ? al : bl, takeA ? ah : bh);
      break;
    }
    case BIT['sext.b']: putW(m32, d, (al << 24) >> 24); break;
    case BIT['sext.h']: putW(m32, d, (al << 16) >> 16); break;
    case BIT['zext.h']: put(m32, d, al & 0xffff, 0); break;
    // Rotates by register take the amount modulo XLEN (rs2[5:0]), the W forms modulo 32 (rs2[4:0]), and
    // the W results are sign-extended from bit 31 (§2.2, rol/rolw/ror/rorw).
    case BIT.rol: rotl64(m32, d, al, ah, bl & 63); break;
    case BIT.ror: rotl64(m32, d, al, ah, (64 - (bl & 63)) & 63); break;
    case BIT.rori: rotl64(m32, d, al, ah, (64 - shamt) & 63); break;
    case BIT.rolw: putW(m32, d, rotl32(al, bl & 31)); break;
    case BIT.rorw: putW(m32, d, rotl32(al, (32 - (bl & 31)) & 31)); break;
    case BIT.roriw: putW(m32, d, rotl32(al, (32 - shamt) & 31)); break;
    case BIT['orc.b']: put(m32, d, orcb32(al), orcb32(ah)); break;
    case BIT.rev8: put(m32, d, bswap32(ah), bswap32(al)); break;

    // ---- Zbc (§2.3) ----
    case BIT.clmul: clmul128(al, ah, bl, bh); put(m32, d, CL[0], CL[1]); break;
    case BIT.clmulh: clmul128(al, ah, bl, bh); put(m32, d, CL[2], CL[3]); break;
    case BIT.clmulr: clmul128(al, ah, bl, bh); put(m32, d, (CL[1] >>> 31) | (CL[2] << 1), (CL[2] >>> 31) | (CL[3] << 1)); break;

    // ---- Zbs (§2.4): the bit index is rs2 (or shamt) modulo XLEN. ----
    case BIT.bclr: case BIT.bclri: case BIT.binv: case BIT.binvi: case BIT.bset: case BIT.bseti: case BIT.bext: case BIT.bexti: {
      const op = imm & 0xff;
      const idx = op === BIT.bclri || op === BIT.binvi || op === BIT.bseti || op === BIT.bexti ? shamt : bl & 63;
      const ml = idx < 32 ? 1 << idx : 0;
      const mh = idx < 32 ? 0 : 1 << (idx - 32);
      if (op === BIT.bext || op === BIT.bexti) put(m32, d, (al & ml) | (ah & mh) ? 1 : 0, 0);
      else if (op === BIT.bclr || op === BIT.bclri) put(m32, d, al & ~ml, ah & ~mh);
      else if (op === BIT.binv || op === BIT.binvi) put(m32, d, al ^ ml, ah ^ mh);
      else put(m32, d, al | ml, ah | mh);
      break;
    }
    default:
      throw new Error(`emulator: no bit-manipulation operation ${imm & 0xff}`);
  }
}
