// The interpreter loop: runs up to n instructions of the hart and returns how many retired.
//
// Integer registers are 32-bit halves in h.m32 (x_i at [2i, 2i+1]); the decoder has already turned
// register numbers into those slot indices (rd = x0 into a sink slot). Each case is the spec's
// one-line semantics on halves. Anything unusual (exceptions, CSR writes that may enable an interrupt,
// xRET, WFI, sfence.vma, device writes) ends the chunk, so the caller can check interrupts and timers.
// Exceptions: the slow path records cause and tval in the hart, the case sets `trapped`, and the code
// after the switch takes the trap (the instruction does not retire).

import * as D from './decode.js';
import * as C from './hart-constants.js';
import type { Hart } from './hart.js';
import { TLB_ENTRIES } from './layout.js';

const TWO32 = 4294967296;
/** TLB set of privilege 2 (never filled): observed runs point data lookups here to force the slow path. */
const EMPTY_READ_SET = (0 * 4 + 2) * TLB_ENTRIES;
const EMPTY_WRITE_SET = (1 * 4 + 2) * TLB_ENTRIES;
const NO_WORDS = new Int32Array(4096);
/** `off` value meaning "pc is farPc, not on the current fetch page". */
const FAR = 0x7fff0000;

// Results of mul64 (the high word) — module state avoids allocating a pair.
let mulHiOut = 0;

/** Low 64 bits of (ah:al) × (bh:bl): returns the low word, the high word in mulHiOut. */
function mul64(al: number, ah: number, bl: number, bh: number): number {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  const lowWord = low % TWO32;
  const carry = (low - lowWord) / TWO32;
  const highOfLow = a1 * b1 + Math.floor(mid / 65536) + carry; // high word of al×bl (unsigned), < 2^33
  mulHiOut = (highOfLow + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  return lowWord | 0;
}

/** div/divu/rem/remu: exact Number arithmetic when both operands are below 2^52, else BigInt. */
function div64(h: Hart, op: number, s1: number, s2: number, d: number): void {
  const m32 = h.m32;
  const ah = m32[s1 + 1], bh = m32[s2 + 1];
  const signed = op === D.OP_DIV || op === D.OP_REM;
  const small = signed
    ? ((ah + 0x100000) >>> 0) < 0x200000 && ((bh + 0x100000) >>> 0) < 0x200000
    : (ah >>> 0) < 0x100000 && (bh >>> 0) < 0x100000;
  if (!small) {
    h.divBig(op, s1, s2, d);
    return;
  }
  const a = ah * TWO32 + (m32[s1] >>> 0);
  const b = bh * TWO32 + (m32[s2] >>> 0);
  let r: number;
  const isDiv = op === D.OP_DIV || op === D.OP_DIVU;
  if (b === 0) r = isDiv ? -1 : a; // division by zero: quotient all ones, remainder the dividend
  else {
    const rem = a % b; // exact; takes the sign of the dividend like RISC-V rem
    r = isDiv ? (a - rem) / b : rem;
  }
  m32[d] = r | 0;
  m32[d + 1] = ((r - (r >>> 0)) / TWO32) | 0;
}

export function execChunk(h: Hart, n: number): number {
  const m32 = h.m32, m8 = h.m8, m8s = h.m8s, m16 = h.m16, m16s = h.m16s;
  const tagLo = h.tlbTagLo, tagHi = h.tlbTagHi, tdat = h.tlbData;
  const rb = h.observing ? EMPTY_READ_SET : h.rBase;
  const wb = h.observing ? EMPTY_WRITE_SET : h.wBase;
  const noC = !h.isa.c;
  // pc = fpVa + off while executing (off an int32 byte offset in the current fetch page); a pc that is
  // not on that page is parked in farPc with off = FAR, so the hot path never does float arithmetic.
  let fpVa = 0;
  let off = FAR;
  let farPc = h.pc;
  let i = 0;
  let dw = NO_WORDS;
  if (h.fpValid) {
    // Still on the page the last chunk fetched from, with the same translation: no re-translation.
    const o = farPc - h.fpVa;
    if (o >= 0 && o < 4096) {
      fpVa = h.fpVa;
      dw = h.fpDec!.w;
      off = o | 0;
    }
  }
  let trapped = false;
  h.breakChunk = false;

  loop: while (i < n) {
    // ---- fetch: the current page's decoded-instruction cache, refilled when pc leaves the page ----
    if ((off >>> 0) >= 4096) {
      const pc = off === FAR ? farPc : fpVa + off;
      h.pc = pc;
      h.liveI = i;
      if (!h.fetchPage(pc)) {
        h.takeException();
        farPc = h.pc;
        off = FAR;
        break;
      }
      fpVa = h.fpVa;
      dw = h.fpDec!.w;
      off = (pc - fpVa) | 0;
    }
    let w = dw[off];
    let imm = dw[off + 1];
    if (w <= 2) {
      // 0: not decoded yet; 2: OP_CROSS. Every decoded word carries its length, so nothing else is <= 2.
      if (w === 0) {
        w = h.decodeAt(off);
        imm = dw[off + 1];
      }
      if (w === 2) {
        h.pc = fpVa + off;
        h.liveI = i;
        if (!h.fetchCross(fpVa + off)) {
          h.takeException();
          farPc = h.pc;
          off = FAR;
          break;
        }
        w = h.crossWord();
        imm = h.crossImm();
      }
    }
    const op = w & 127;
    const d = (w >>> 7) & 127;
    const s1 = (w >>> 14) & 63;
    const s2 = (w >>> 20) & 63;
    const len = w >>> 27;

    switch (op) {
      case 1 /* OP_ILLEGAL */:
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
        trapped = true;
        break;

      // ---- RV64I: upper immediates and jumps ----
      case 3 /* OP_LUI */:
        m32[d] = imm;
        m32[d + 1] = imm >> 31;
        off += len;
        break;
      case 4 /* OP_AUIPC */: {
        const v = fpVa + off + imm;
        m32[d] = v | 0;
        m32[d + 1] = ((v - (v >>> 0)) / TWO32) | 0;
        off += len;
        break;
      }
      case 5 /* OP_JAL */: {
        const target = fpVa + off + imm;
        if (noC && (imm & 2) !== 0) {
          h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(target)));
          trapped = true;
          break;
        }
        const link = fpVa + off + len;
        m32[d] = link | 0;
        m32[d + 1] = ((link - (link >>> 0)) / TWO32) | 0;
        off += imm;
        break;
      }
      case 6 /* OP_JALR */: {
        const b = m32[s1];
        const lo = ((b + imm) | 0) & ~1;
        const hi = (m32[s1 + 1] + (imm >> 31) + (((b + imm) | 0) >>> 0 < b >>> 0 ? 1 : 0)) | 0;
        if (noC && (lo & 2) !== 0) {
          h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
          trapped = true;
          break;
        }
        const link = fpVa + off + len;
        m32[d] = link | 0;
        m32[d + 1] = ((link - (link >>> 0)) / TWO32) | 0;
        if (((hi + 0x100000) >>> 0) >= 0x200000) {
          // A target no Number pc can hold: it is outside every address space rvx has, so the fetch
          // there faults; the jump itself retires and the trap's epc is the target.
          i++;
          h.liveI = i;
          const t = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
          const translated = h.priv !== C.PRV_M && h.satpMode === C.SATP_MODE_SV39;
          h.trapInto(translated ? C.CAUSE_FETCH_PAGE_FAULT : C.CAUSE_FETCH_ACCESS, false, t, 0, t);
          farPc = h.pc;
          off = FAR;
          break loop;
        }
        const target = hi * TWO32 + (lo >>> 0);
        const o = target - fpVa;
        if (o >= 0 && o < 4096) off = o | 0;
        else {
          farPc = target;
          off = FAR;
        }
        break;
      }

      // ---- branches (a taken branch to a 2-byte-aligned target without C: misaligned, on the branch) ----
      case 7 /* OP_BEQ */:
        if (m32[s1] === m32[s2] && m32[s1 + 1] === m32[s2 + 1]) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;
      case 8 /* OP_BNE */:
        if (m32[s1] !== m32[s2] || m32[s1 + 1] !== m32[s2 + 1]) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;
      case 9 /* OP_BLT */:
        if (m32[s1 + 1] < m32[s2 + 1] || (m32[s1 + 1] === m32[s2 + 1] && m32[s1] >>> 0 < m32[s2] >>> 0)) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;
      case 10 /* OP_BGE */:
        if (m32[s1 + 1] > m32[s2 + 1] || (m32[s1 + 1] === m32[s2 + 1] && m32[s1] >>> 0 >= m32[s2] >>> 0)) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;
      case 11 /* OP_BLTU */:
        if (m32[s1 + 1] >>> 0 < m32[s2 + 1] >>> 0 || (m32[s1 + 1] === m32[s2 + 1] && m32[s1] >>> 0 < m32[s2] >>> 0)) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;
      case 12 /* OP_BGEU */:
        if (m32[s1 + 1] >>> 0 > m32[s2 + 1] >>> 0 || (m32[s1 + 1] === m32[s2 + 1] && m32[s1] >>> 0 >= m32[s2] >>> 0)) {
          if (noC && (imm & 2) !== 0) {
            h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(fpVa + off + imm)));
            trapped = true;
            break;
          }
          off += imm;
        } else off += len;
        break;

      // ---- loads: TLB hit and natural alignment → straight from memory; else the slow path ----
      case 13 /* OP_LB */:
      case 17 /* OP_LBU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & 255);
        let v: number;
        if (tagLo[t] === vpl && tagHi[t] === hi) {
          const x = tdat[t] + (lo & 4095);
          v = op === D.OP_LB ? m8s[x] : m8[x];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 1)) {
            trapped = true;
            break;
          }
          v = op === D.OP_LB ? (h.ldLo << 24) >> 24 : h.ldLo & 0xff;
        }
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 14 /* OP_LH */:
      case 18 /* OP_LHU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & 255);
        let v: number;
        if (tagLo[t] === vpl && tagHi[t] === hi && (lo & 1) === 0) {
          const x = (tdat[t] + (lo & 4095)) >> 1;
          v = op === D.OP_LH ? m16s[x] : m16[x];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 2)) {
            trapped = true;
            break;
          }
          v = op === D.OP_LH ? (h.ldLo << 16) >> 16 : h.ldLo & 0xffff;
        }
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 15 /* OP_LW */:
      case 19 /* OP_LWU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & 255);
        let v: number;
        if (tagLo[t] === vpl && tagHi[t] === hi && (lo & 3) === 0) {
          v = m32[(tdat[t] + (lo & 4095)) >> 2];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 4)) {
            trapped = true;
            break;
          }
          v = h.ldLo | 0;
        }
        m32[d] = v;
        m32[d + 1] = op === D.OP_LW ? v >> 31 : 0;
        off += len;
        break;
      }
      case 16 /* OP_LD */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & 255);
        if (tagLo[t] === vpl && tagHi[t] === hi && (lo & 7) === 0) {
          const x = (tdat[t] + (lo & 4095)) >> 2;
          const vlo = m32[x];
          const vhi = m32[x + 1];
          m32[d] = vlo;
          m32[d + 1] = vhi;
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 8)) {
            trapped = true;
            break;
          }
          m32[d] = h.ldLo;
          m32[d + 1] = h.ldHi;
        }
        off += len;
        break;
      }

      // ---- stores ----
      case 20 /* OP_SB */:
      case 21 /* OP_SH */:
      case 22 /* OP_SW */:
      case 23 /* OP_SD */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vlo = m32[s2];
        const vhi = m32[s2 + 1];
        const size = op === D.OP_SB ? 1 : op === D.OP_SH ? 2 : op === D.OP_SW ? 4 : 8;
        const vpl = lo >>> 12;
        const t = wb + (vpl & 255);
        if (tagLo[t] === vpl && tagHi[t] === hi && (lo & (size - 1)) === 0) {
          const x = tdat[t] + (lo & 4095);
          if (size === 8) {
            m32[x >> 2] = vlo;
            m32[(x >> 2) + 1] = vhi;
          } else if (size === 4) m32[x >> 2] = vlo;
          else if (size === 2) m16[x >> 1] = vlo;
          else m8[x] = vlo;
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.storeSlow(lo, hi, size, vlo, vhi)) {
            trapped = true;
            break;
          }
          if (h.breakChunk) {
            off += len;
            i++;
            break loop;
          }
        }
        off += len;
        break;
      }

      // ---- integer register-immediate ----
      case 24 /* OP_ADDI */: {
        const al = m32[s1];
        const lo = (al + imm) | 0;
        m32[d + 1] = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        m32[d] = lo;
        off += len;
        break;
      }
      case 25 /* OP_SLTI */: {
        const ah = m32[s1 + 1], bh = imm >> 31;
        const v = ah < bh || (ah === bh && (m32[s1] >>> 0) < (imm >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off += len;
        break;
      }
      case 26 /* OP_SLTIU */: {
        const ah = m32[s1 + 1], bh = imm >> 31;
        const v = (ah >>> 0) < (bh >>> 0) || (ah === bh && (m32[s1] >>> 0) < (imm >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off += len;
        break;
      }
      case 27 /* OP_XORI */:
        m32[d + 1] = m32[s1 + 1] ^ (imm >> 31);
        m32[d] = m32[s1] ^ imm;
        off += len;
        break;
      case 28 /* OP_ORI */:
        m32[d + 1] = m32[s1 + 1] | (imm >> 31);
        m32[d] = m32[s1] | imm;
        off += len;
        break;
      case 29 /* OP_ANDI */:
        m32[d + 1] = m32[s1 + 1] & (imm >> 31);
        m32[d] = m32[s1] & imm;
        off += len;
        break;
      case 30 /* OP_SLLI */:
      case 31 /* OP_SRLI */:
      case 32 /* OP_SRAI */:
      case 35 /* OP_SLL */:
      case 39 /* OP_SRL */:
      case 40 /* OP_SRA */: {
        const sh = op <= D.OP_SRAI ? imm & 63 : m32[s2] & 63;
        const al = m32[s1], ah = m32[s1 + 1];
        let lo: number, hi: number;
        if (sh === 0) {
          lo = al;
          hi = ah;
        } else if (op === D.OP_SLLI || op === D.OP_SLL) {
          if (sh < 32) {
            hi = (ah << sh) | (al >>> (32 - sh));
            lo = al << sh;
          } else {
            hi = al << (sh - 32);
            lo = 0;
          }
        } else if (op === D.OP_SRLI || op === D.OP_SRL) {
          if (sh < 32) {
            lo = (al >>> sh) | (ah << (32 - sh));
            hi = ah >>> sh;
          } else {
            lo = ah >>> (sh - 32);
            hi = 0;
          }
        } else if (sh < 32) {
          lo = (al >>> sh) | (ah << (32 - sh));
          hi = ah >> sh;
        } else {
          lo = ah >> (sh - 32);
          hi = ah >> 31;
        }
        m32[d] = lo;
        m32[d + 1] = hi;
        off += len;
        break;
      }

      // ---- integer register-register ----
      case 33 /* OP_ADD */: {
        const al = m32[s1], bl = m32[s2];
        const lo = (al + bl) | 0;
        const hi = (m32[s1 + 1] + m32[s2 + 1] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        m32[d] = lo;
        m32[d + 1] = hi;
        off += len;
        break;
      }
      case 34 /* OP_SUB */: {
        const al = m32[s1], bl = m32[s2];
        const hi = (m32[s1 + 1] - m32[s2 + 1] - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        m32[d] = (al - bl) | 0;
        m32[d + 1] = hi;
        off += len;
        break;
      }
      case 36 /* OP_SLT */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const v = ah < bh || (ah === bh && (m32[s1] >>> 0) < (m32[s2] >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off += len;
        break;
      }
      case 37 /* OP_SLTU */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const v = (ah >>> 0) < (bh >>> 0) || (ah === bh && (m32[s1] >>> 0) < (m32[s2] >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off += len;
        break;
      }
      case 38 /* OP_XOR */:
        m32[d + 1] = m32[s1 + 1] ^ m32[s2 + 1];
        m32[d] = m32[s1] ^ m32[s2];
        off += len;
        break;
      case 41 /* OP_OR */:
        m32[d + 1] = m32[s1 + 1] | m32[s2 + 1];
        m32[d] = m32[s1] | m32[s2];
        off += len;
        break;
      case 42 /* OP_AND */:
        m32[d + 1] = m32[s1 + 1] & m32[s2 + 1];
        m32[d] = m32[s1] & m32[s2];
        off += len;
        break;

      // ---- RV64 word operations: 32-bit result, sign-extended ----
      case 43 /* OP_ADDIW */: {
        const v = (m32[s1] + imm) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 44 /* OP_SLLIW */: {
        const v = m32[s1] << (imm & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 45 /* OP_SRLIW */: {
        const v = (m32[s1] >>> (imm & 31)) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 46 /* OP_SRAIW */: {
        const v = m32[s1] >> (imm & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 47 /* OP_ADDW */: {
        const v = (m32[s1] + m32[s2]) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 48 /* OP_SUBW */: {
        const v = (m32[s1] - m32[s2]) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 49 /* OP_SLLW */: {
        const v = m32[s1] << (m32[s2] & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 50 /* OP_SRLW */: {
        const v = (m32[s1] >>> (m32[s2] & 31)) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 51 /* OP_SRAW */: {
        const v = m32[s1] >> (m32[s2] & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }

      // ---- M ----
      case 56 /* OP_MUL */: {
        const lo = mul64(m32[s1], m32[s1 + 1], m32[s2], m32[s2 + 1]);
        m32[d] = lo;
        m32[d + 1] = mulHiOut;
        off += len;
        break;
      }
      case 57 /* OP_MULH */:
      case 58 /* OP_MULHSU */:
      case 59 /* OP_MULHU */:
        h.mulh(op, s1, s2, d);
        off += len;
        break;
      case 60 /* OP_DIV */:
      case 61 /* OP_DIVU */:
      case 62 /* OP_REM */:
      case 63 /* OP_REMU */:
        div64(h, op, s1, s2, d);
        off += len;
        break;
      case 64 /* OP_MULW */: {
        const v = Math.imul(m32[s1], m32[s2]);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 65 /* OP_DIVW */:
      case 67 /* OP_REMW */: {
        const a = m32[s1], b = m32[s2];
        let v: number;
        if (b === 0) v = op === D.OP_DIVW ? -1 : a;
        else if (a === -0x80000000 && b === -1) v = op === D.OP_DIVW ? a : 0;
        else v = op === D.OP_DIVW ? (a / b) | 0 : a % b | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }
      case 66 /* OP_DIVUW */:
      case 68 /* OP_REMUW */: {
        const a = m32[s1] >>> 0, b = m32[s2] >>> 0;
        let v: number;
        if (b === 0) v = op === D.OP_DIVUW ? -1 : a | 0;
        else v = (op === D.OP_DIVUW ? Math.floor(a / b) : a % b) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off += len;
        break;
      }

      // ---- A ----
      case 79 /* OP_LR_W */:
      case 80 /* OP_SC_W */:
      case 81 /* OP_LR_D */:
      case 82 /* OP_SC_D */:
      case 83 /* OP_AMO_W */:
      case 84 /* OP_AMO_D */:
        h.pc = fpVa + off;
        h.liveI = i;
        if (!h.atomic(op, imm, d, s1, s2)) {
          trapped = true;
          break;
        }
        off += len;
        break;

      // ---- fences: the decoded-instruction cache is kept coherent with stores, so fence.i has nothing to do ----
      case 52 /* OP_FENCE */:
      case 53 /* OP_FENCE_I */:
        off += len;
        break;

      // ---- system ----
      case 54 /* OP_ECALL */:
        h.raise(h.priv === C.PRV_M ? C.CAUSE_MACHINE_ECALL : C.CAUSE_USER_ECALL + h.priv, 0n);
        trapped = true;
        break;
      case 55 /* OP_EBREAK */:
        h.raise(C.CAUSE_BREAKPOINT, BigInt.asUintN(64, BigInt(fpVa + off)));
        trapped = true;
        break;
      case 69 /* OP_CSRRW */:
      case 70 /* OP_CSRRS */:
      case 71 /* OP_CSRRC */:
      case 72 /* OP_CSRRWI */:
      case 73 /* OP_CSRRSI */:
      case 74 /* OP_CSRRCI */:
        h.pc = fpVa + off;
        h.liveI = i;
        if (!h.csrInstr(op, imm & 0xfff, s1, imm >>> 12, d)) {
          trapped = true;
          break;
        }
        off += len;
        if (h.breakChunk) {
          i++;
          break loop;
        }
        break;
      case 76 /* OP_MRET */:
      case 75 /* OP_SRET */:
        h.pc = fpVa + off;
        h.liveI = i;
        if (!(op === D.OP_MRET ? h.mret() : h.sret())) {
          h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
          trapped = true;
          break;
        }
        farPc = h.pc;
        off = FAR;
        i++;
        break loop;
      case 77 /* OP_WFI */:
        // U-mode always traps (S is implemented); S-mode traps when mstatus.TW = 1, with a time limit of
        // zero as Spike (privileged spec §3.1.6.5).
        if (h.priv === C.PRV_U || (h.priv === C.PRV_S && (h.mstatus & C.MSTATUS_TW) !== 0)) {
          h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
          trapped = true;
          break;
        }
        off += len;
        i++;
        h.wfiWaiting = true;
        break loop;
      case 78 /* OP_SFENCE_VMA */:
        if (h.priv === C.PRV_U || (h.priv === C.PRV_S && (h.mstatus & C.MSTATUS_TVM) !== 0)) {
          h.pc = fpVa + off;
          h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(fpVa + off) ?? 0) >>> 0));
          trapped = true;
          break;
        }
        // rvx caches translations per 4 KiB page, also of superpages, so it flushes everything
        // whatever rs1/rs2 name: an allowed over-approximation (privileged spec §4.2.1).
        h.flushTlb();
        off += len;
        i++;
        break loop;
      case 85 /* OP_XPC */: {
        const x = h.xpc;
        if (x === null) {
          h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
          trapped = true;
          break;
        }
        h.pc = fpVa + off;
        h.liveI = i;
        if (!x.execute(h, imm >>> 0)) {
          trapped = true;
          break;
        }
        farPc = h.pc;
        off = FAR;
        i++;
        break loop;
      }
      default:
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(fpVa + off) ?? 0) >>> 0));
        trapped = true;
        break;
    }
    if (trapped) {
      h.pc = fpVa + off;
      h.liveI = i;
      h.takeException();
      farPc = h.pc;
      off = FAR;
      break;
    }
    i++;
  }
  h.pc = off === FAR ? farPc : fpVa + off;
  h.instret += i;
  h.cyc += i;
  h.liveI = 0;
  return i;
}
