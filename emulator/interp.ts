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
import { TLB_ENTRIES, TLB_SETS, TLB_TAG_OFF, TLB_DATA_OFF, FREGS_OFF, WATCH_TLB_OFF } from './layout.js';
import { execFp, FP_WRITES_X } from './fpu/exec.js';
import { execBit } from './bitmanip.js';

const TWO32 = 4294967296;
/** The TLB arrays as int32 indices of the hart's memory: tags (bits 31:12) of entry e at TAG_LO + e, */
const TAG_LO = TLB_TAG_OFF >> 2;
/** its upper word TLB_TAG_HI_DELTA further, its page's memory offset TLB_DATA_DELTA further. */
const TLB_TAG_HI_DELTA = TLB_SETS * TLB_ENTRIES;
const TLB_DATA_DELTA = (TLB_DATA_OFF - TLB_TAG_OFF) >> 2;
/** TLB set of privilege 2 (never filled): observed runs point data lookups here to force the slow path. */
const EMPTY_READ_SET = (0 * 4 + 2) * TLB_ENTRIES;
const EMPTY_WRITE_SET = (1 * 4 + 2) * TLB_ENTRIES;
const NO_WORDS = new Int32Array(4096);
/** `off` value meaning "pc is farPc, not on the current fetch page". */
const FAR_OFF = 0x7fff0000;

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

/** int32 index of f0 in the hart's memory. */
const FREG_BASE = FREGS_OFF >> 2;

/**
 * F/D instruction with mstatus.FS = Off: illegal (privileged spec §3.1.6.6). Otherwise the rounding mode
 * to use: the instruction's, or frm for dyn; -1 (illegal) for the reserved values 5 and 6 and for dyn
 * with a reserved frm (F chapter, "Rounding mode encoding").
 */
function fpRoundingMode(h: Hart, rm: number): number {
  if ((h.mstatus & C.MSTATUS_FS) === 0) return -1;
  const r = rm === 7 ? h.frm : rm;
  return r > 4 ? -1 : r;
}

/**
 * Observed runs: what an F/D instruction wrote, as Spike's commit log reports it: the f register (or x
 * register), fflags when the instruction raised flags, and mstatus when FS became Dirty.
 */
function recordFp(h: Hart, frd: number, xrd: number, flags: number, fsBefore: number): void {
  const rec = h.rec!;
  const m32 = h.m32;
  if (frd >= 0) {
    rec.frd = frd;
    rec.frdLo = m32[FREG_BASE + 2 * frd];
    rec.frdHi = m32[FREG_BASE + 2 * frd + 1];
  }
  if (xrd > 0) {
    rec.rd = xrd;
    rec.rdLo = m32[2 * xrd];
    rec.rdHi = m32[2 * xrd + 1];
  }
  if (flags !== 0) h.logCsr(0x001, BigInt(h.fflags));
  if (fsBefore !== C.MSTATUS_FS_DIRTY && (h.mstatus & C.MSTATUS_FS) === C.MSTATUS_FS_DIRTY) h.logCsr(0x300, h.csrRead(0x300)!);
}

/**
 * execFp while some f registers were never written (Hart.fFresh): binary64 operations read those as the
 * canonical NaN, as Spike does; moves (fmv.x.d, fsgnj reads are arithmetic in Spike) see their zero bits.
 */
function execFpFresh(h: Hart, fop: number, rm: number, rd: number, rs1: number, rs2: number, rs3: number): number {
  const m32 = h.m32;
  const d64 = fop >= 28 && fop !== 54 && fop !== 55 && fop !== 57;
  if (!d64) return execFp(m32, h.f64, FREG_BASE, fop, rm, rd, rs1, rs2, rs3);
  const srcs = [rs1, rs2, rs3];
  const saved: number[] = [];
  for (const r of srcs) {
    if ((h.fFresh & (1 << r)) === 0 || saved.includes(r)) continue;
    saved.push(r, m32[FREG_BASE + 2 * r], m32[FREG_BASE + 2 * r + 1]);
    m32[FREG_BASE + 2 * r] = 0;
    m32[FREG_BASE + 2 * r + 1] = 0x7ff80000;
  }
  const flags = execFp(m32, h.f64, FREG_BASE, fop, rm, rd, rs1, rs2, rs3);
  for (let k = 0; k < saved.length; k += 3) {
    const r = saved[k];
    if (r === rd && FP_WRITES_X[fop] === 0) continue; // overwritten by the result
    m32[FREG_BASE + 2 * r] = saved[k + 1];
    m32[FREG_BASE + 2 * r + 1] = saved[k + 2];
  }
  return flags;
}

/** What execRare did: retired, go on (0); trapped, nothing retired (1); retired, end the chunk with pc
 * at the next instruction (2); retired, end the chunk with pc = h.pc (3). execChunk tests the literals. */
const RARE_NEXT = 0, RARE_TRAP = 1, RARE_NEXT_END = 2, RARE_JUMP_END = 3;

/**
 * The instructions execChunk does not run inline: illegal bits, mulh*, divisions, atomics, system
 * instructions and the bit-manipulation extensions. off is the instruction's offset in the current fetch page (h.fpVa) and i the instructions retired so far in the chunk
 * (for counters and traps). Exceptions are recorded with raise() or by the slow paths.
 */
function execRare(h: Hart, w: number, imm: number, off: number, i: number): number {
  const m32 = h.m32;
  const pc = h.fpVa + off;
  const op = w & 127;
  const d = (w >>> 7) & 127;
  const s1 = (w >>> 14) & 63;
  const s2 = (w >>> 20) & 63;
  h.pc = pc;
  h.liveI = i;
  switch (op) {
    case 1 /* OP_ILLEGAL */:
      h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
      return RARE_TRAP;

    // ---- M: high products and divisions ----
    case 57 /* OP_MULH */:
    case 58 /* OP_MULHSU */:
    case 59 /* OP_MULHU */:
      h.mulh(op, s1, s2, d);
      return RARE_NEXT;
    case 60 /* OP_DIV */:
    case 61 /* OP_DIVU */:
    case 62 /* OP_REM */:
    case 63 /* OP_REMU */:
      div64(h, op, s1, s2, d);
      return RARE_NEXT;
    case 65 /* OP_DIVW */:
    case 67 /* OP_REMW */: {
      const isDiv = op === 65 /* OP_DIVW */;
      const a = m32[s1], b = m32[s2];
      let v: number;
      if (b === 0) v = isDiv ? -1 : a; // division by zero (unprivileged spec, M chapter, table 7.1)
      else if (a === -0x80000000 && b === -1) v = isDiv ? a : 0; // overflow
      else v = isDiv ? (a / b) | 0 : a % b | 0;
      m32[d] = v;
      m32[d + 1] = v >> 31;
      return RARE_NEXT;
    }
    case 66 /* OP_DIVUW */:
    case 68 /* OP_REMUW */: {
      const isDiv = op === 66 /* OP_DIVUW */;
      const a = m32[s1] >>> 0, b = m32[s2] >>> 0;
      let v: number;
      if (b === 0) v = isDiv ? -1 : a | 0;
      else v = (isDiv ? Math.floor(a / b) : a % b) | 0;
      m32[d] = v;
      m32[d + 1] = v >> 31;
      return RARE_NEXT;
    }

    // ---- Zba, Zbb, Zbc, Zbs (emulator/bitmanip.ts) ----
    case 93 /* OP_BIT */:
      execBit(m32, imm, d, s1, s2);
      return RARE_NEXT;

    // ---- A ----
    case 79 /* OP_LR_W */:
    case 80 /* OP_SC_W */:
    case 81 /* OP_LR_D */:
    case 82 /* OP_SC_D */:
    case 83 /* OP_AMO_W */:
    case 84 /* OP_AMO_D */:
      // An SC or AMO that writes tohost ends the run after it (HTIF sets breakChunk), as a store does.
      if (!h.atomic(op, imm, d, s1, s2)) return RARE_TRAP;
      return h.breakChunk ? RARE_NEXT_END : RARE_NEXT;

    // ---- system ----
    case 54 /* OP_ECALL */:
      h.raise(h.priv === C.PRV_M ? C.CAUSE_MACHINE_ECALL : C.CAUSE_USER_ECALL + h.priv, 0n);
      return RARE_TRAP;
    case 55 /* OP_EBREAK */:
      h.raise(C.CAUSE_BREAKPOINT, BigInt.asUintN(64, BigInt(pc)));
      return RARE_TRAP;
    case 69 /* OP_CSRRW */:
    case 70 /* OP_CSRRS */:
    case 71 /* OP_CSRRC */:
    case 72 /* OP_CSRRWI */:
    case 73 /* OP_CSRRSI */:
    case 74 /* OP_CSRRCI */:
      if (!h.csrInstr(op, imm & 0xfff, s1, imm >>> 12, d)) return RARE_TRAP;
      return h.breakChunk ? RARE_NEXT_END : RARE_NEXT;
    case 76 /* OP_MRET */:
    case 75 /* OP_SRET */:
      if (!(op === 76 /* OP_MRET */ ? h.mret() : h.sret())) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
        return RARE_TRAP;
      }
      return RARE_JUMP_END;
    case 77 /* OP_WFI */:
      // U-mode always traps (S is implemented); S-mode traps when mstatus.TW = 1, with a time limit of
      // zero as Spike (privileged spec §3.1.6.5).
      if (h.priv === C.PRV_U || (h.priv === C.PRV_S && (h.mstatus & C.MSTATUS_TW) !== 0)) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
        return RARE_TRAP;
      }
      h.wfiWaiting = true;
      return RARE_NEXT_END;
    case 78 /* OP_SFENCE_VMA */:
      if (h.priv === C.PRV_U || (h.priv === C.PRV_S && (h.mstatus & C.MSTATUS_TVM) !== 0)) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(pc) ?? 0) >>> 0));
        return RARE_TRAP;
      }
      // rvx caches translations per 4 KiB page, also of superpages, so it flushes everything
      // whatever rs1/rs2 name: an allowed over-approximation (privileged spec §4.2.1).
      h.flushTlb();
      return RARE_NEXT_END;
    case 85 /* OP_XPC */: {
      const x = h.xpc;
      if (x === null) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt(imm >>> 0));
        return RARE_TRAP;
      }
      return x.execute(h, imm >>> 0) ? RARE_JUMP_END : RARE_TRAP;
    }

    // ---- F and D ----
    case 88 /* OP_FLW */:
    case 89 /* OP_FLD */: {
      if ((h.mstatus & C.MSTATUS_FS) === 0) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(pc) ?? 0) >>> 0));
        return RARE_TRAP;
      }
      const b = m32[s1];
      const lo = (b + imm) | 0;
      const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
      const size = op === 88 ? 4 : 8;
      if (!h.loadSlow(lo, hi, size)) return RARE_TRAP;
      const f = FREG_BASE + d;
      m32[f] = h.ldLo;
      m32[f + 1] = size === 4 ? -1 : h.ldHi; // flw NaN-boxes
      h.fFresh &= ~(1 << (d >> 1));
      const fsBefore = h.mstatus & C.MSTATUS_FS;
      h.mstatus |= C.MSTATUS_FS_DIRTY;
      if (h.rec !== null) recordFp(h, d >> 1, -1, 0, fsBefore);
      return RARE_NEXT;
    }
    case 90 /* OP_FSW */:
    case 91 /* OP_FSD */: {
      if ((h.mstatus & C.MSTATUS_FS) === 0) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(pc) ?? 0) >>> 0));
        return RARE_TRAP;
      }
      const b = m32[s1];
      const lo = (b + imm) | 0;
      const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
      const f = FREG_BASE + s2;
      // fsw stores the low 32 bits whatever the upper half holds (no NaN-unboxing for moves).
      if (!h.storeSlow(lo, hi, op === 90 ? 4 : 8, m32[f], m32[f + 1])) return RARE_TRAP;
      return h.breakChunk ? RARE_NEXT_END : RARE_NEXT;
    }
    case 92 /* OP_FP */: {
      const rm = fpRoundingMode(h, (imm >>> 13) & 7);
      if (rm < 0) {
        h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(pc) ?? 0) >>> 0));
        return RARE_TRAP;
      }
      const fop = imm & 63;
      const fsBefore = h.mstatus & C.MSTATUS_FS;
      const flags = h.fFresh === 0
        ? execFp(m32, h.f64, FREG_BASE, fop, rm, d >> 1, s1 >> 1, s2 >> 1, (imm >>> 8) & 31)
        : execFpFresh(h, fop, rm, d >> 1, s1 >> 1, s2 >> 1, (imm >>> 8) & 31);
      if (flags !== 0) {
        h.fflags |= flags;
        h.mstatus |= C.MSTATUS_FS_DIRTY;
      }
      const writesX = FP_WRITES_X[fop] === 1;
      if (!writesX) {
        h.mstatus |= C.MSTATUS_FS_DIRTY;
        h.fFresh &= ~(1 << (d >> 1));
      }
      if (h.rec !== null) recordFp(h, writesX ? -1 : d >> 1, writesX ? d >> 1 : 0, flags, fsBefore);
      return RARE_NEXT;
    }

    // ---- without C: jumps and taken branches to targets that are not 4-byte aligned ----
    case 86 /* OP_BRANCH_MISALIGNED */:
      if (!branchTaken(m32, d, s1, s2)) return RARE_NEXT;
      h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(pc + imm)));
      return RARE_TRAP;
    case 87 /* OP_JAL_MISALIGNED */:
      h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, BigInt(pc + imm)));
      return RARE_TRAP;
    default:
      h.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((h.peekRaw(pc) ?? 0) >>> 0));
      return RARE_TRAP;
  }
}

/** Whether the branch with interpreter opcode op (OP_BEQ..OP_BGEU) on register slots s1, s2 is taken. */
function branchTaken(m32: Int32Array, op: number, s1: number, s2: number): boolean {
  const al = m32[s1] >>> 0, ah = m32[s1 + 1], bl = m32[s2] >>> 0, bh = m32[s2 + 1];
  switch (op) {
    case D.OP_BEQ: return al === bl && ah === bh;
    case D.OP_BNE: return al !== bl || ah !== bh;
    case D.OP_BLT: return ah < bh || (ah === bh && al < bl);
    case D.OP_BGE: return ah > bh || (ah === bh && al >= bl);
    case D.OP_BLTU: return ah >>> 0 < bh >>> 0 || (ah === bh && al < bl);
    default: return ah >>> 0 > bh >>> 0 || (ah === bh && al >= bl); // OP_BGEU
  }
}

/**
 * Run up to n instructions (n a small positive integer); returns how many retired.
 *
 * Written for V8's optimizing compiler: the loop touches one typed array for registers and TLBs (m32;
 * the TLB arrays of the hart are views of the same memory at fixed int32 indices), keeps pc as an int32
 * offset in the current fetch page plus that page's base as int32 halves, and uses int32 arithmetic
 * (`| 0`) for every loop-carried counter so nothing is boxed or overflow-checked per instruction.
 * Trapping cases leave the loop at once (`break loop` with `trapped` set): the common path has no flag
 * test after the switch.
 */
export function execChunk(h: Hart, n: number): number {
  // Module-level constants are context-slot loads of unknown type in optimized code (even `const`),
  // so the loop uses literals and these int32-typed locals instead.
  const FAR = FAR_OFF | 0;
  const TAG_HI_DELTA = TLB_TAG_HI_DELTA | 0;
  const DATA_DELTA = TLB_DATA_DELTA | 0;
  const TLB_MASK = TLB_ENTRIES - 1;
  /** 2^-32 exactly: splitting a Number into words multiplies instead of dividing. */
  const INV_TWO32 = 2.3283064365386963e-10;
  const m32 = h.m32;
  const rb = (TAG_LO + (h.observing ? EMPTY_READ_SET : h.rBase)) | 0;
  const wb = (TAG_LO + (h.observing ? EMPTY_WRITE_SET : h.wBase)) | 0;
  /**
   * The data privilege's watched-page write entry (layout.ts WATCH_TLB_OFF) as an int32 index: a store
   * that misses the write TLB but hits it, aligned and clear of tohost, goes to memory here too. Observed
   * runs point at privilege 2's entry, which is never filled.
   */
  const ww = ((WATCH_TLB_OFF >> 2) + (h.observing ? 2 * 4 : h.wWatch)) | 0;
  /** jalr targets must be 4-byte aligned without C (bit 1), anything even with C. */
  const misalign = h.isa.c ? 0 : 2;
  n = n | 0;
  // pc = fpVa + off while executing (off an int32 byte offset in the current fetch page); a pc that is
  // not on that page is parked in farPc with off = FAR, so the hot path never does float arithmetic.
  // fpLo/fpHi: the page base as int32 halves (link addresses and jalr targets in integer arithmetic).
  let fpVa = 0;
  let fpLo = 0;
  let fpHi = 0;
  let off = FAR;
  let farPc = h.pc;
  let i = 0;
  let dw = NO_WORDS;
  if (h.fpValid) {
    // Still on the page the last chunk fetched from, with the same translation: no re-translation.
    const o = farPc - h.fpVa;
    if (o >= 0 && o < 4096) {
      fpVa = h.fpVa;
      fpLo = fpVa | 0;
      fpHi = ((fpVa - (fpVa >>> 0)) * INV_TWO32) | 0;
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
        h.breakChunk = true;
        farPc = h.pc;
        off = FAR;
        break;
      }
      fpVa = h.fpVa;
      fpLo = fpVa | 0;
      fpHi = ((fpVa - (fpVa >>> 0)) * INV_TWO32) | 0;
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
          h.breakChunk = true;
          farPc = h.pc;
          off = FAR;
          break;
        }
        w = h.crossWord();
        imm = h.crossImm();
      }
    }
    const d = (w >>> 7) & 127;
    const s1 = (w >>> 14) & 63;
    const s2 = (w >>> 20) & 63;
    const len = w >>> 27;

    switch (w & 127) {
      // ---- RV64I: upper immediates and jumps ----
      case 3 /* OP_LUI */:
        m32[d] = imm;
        m32[d + 1] = imm >> 31;
        off = (off + len) | 0;
        break;
      case 4 /* OP_AUIPC */: {
        const v = fpVa + off + imm;
        m32[d] = v | 0;
        m32[d + 1] = ((v - (v >>> 0)) * INV_TWO32) | 0;
        off = (off + len) | 0;
        break;
      }
      case 5 /* OP_JAL */: {
        const link = (fpLo + off + len) | 0;
        m32[d] = link;
        m32[d + 1] = (fpHi + ((link >>> 0) < (fpLo >>> 0) ? 1 : 0)) | 0;
        off = (off + imm) | 0;
        break;
      }
      case 6 /* OP_JALR */: {
        const b = m32[s1];
        const lo = ((b + imm) | 0) & ~1;
        const hi = (m32[s1 + 1] + (imm >> 31) + (((b + imm) | 0) >>> 0 < b >>> 0 ? 1 : 0)) | 0;
        if ((lo & misalign) !== 0) {
          h.raise(C.CAUSE_MISALIGNED_FETCH, BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0)));
          trapped = true;
          break loop;
        }
        const link = (fpLo + off + len) | 0;
        m32[d] = link;
        m32[d + 1] = (fpHi + ((link >>> 0) < (fpLo >>> 0) ? 1 : 0)) | 0;
        if (hi === fpHi && ((lo - fpLo) >>> 0) < 4096) {
          off = (lo - fpLo) | 0; // same page: stay on it
          break;
        }
        if (((hi + 0x100000) >>> 0) >= 0x200000) {
          // A target no Number pc can hold: it is outside every address space rvx has, so the fetch
          // there faults; the jump itself retires and the trap's epc is the target.
          i = (i + 1) | 0;
          h.liveI = i;
          const t = BigInt.asUintN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
          const translated = h.priv !== C.PRV_M && h.satpMode === C.SATP_MODE_SV39;
          h.trapInto(translated ? C.CAUSE_FETCH_PAGE_FAULT : C.CAUSE_FETCH_ACCESS, false, t, 0, t);
          h.breakChunk = true;
          farPc = h.pc;
          off = FAR;
          break loop;
        }
        farPc = hi * TWO32 + (lo >>> 0);
        off = FAR;
        break;
      }

      // ---- branches (every compare is evaluated every time: no branch-on-first-use in optimized code;
      // without C, misaligned targets were given OP_BRANCH_MISALIGNED by the decoder) ----
      case 7 /* OP_BEQ */:
        if (((m32[s1] ^ m32[s2]) | (m32[s1 + 1] ^ m32[s2 + 1])) === 0) off = (off + imm) | 0;
        else off = (off + len) | 0;
        break;
      case 8 /* OP_BNE */:
        if (((m32[s1] ^ m32[s2]) | (m32[s1 + 1] ^ m32[s2 + 1])) !== 0) off = (off + imm) | 0;
        else off = (off + len) | 0;
        break;
      case 9 /* OP_BLT */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const hiLt = ah < bh, hiEq = ah === bh, loLt = m32[s1] >>> 0 < m32[s2] >>> 0;
        if (hiLt || (hiEq && loLt)) off = (off + imm) | 0;
        else off = (off + len) | 0;
        break;
      }
      case 10 /* OP_BGE */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const hiLt = ah < bh, hiEq = ah === bh, loLt = m32[s1] >>> 0 < m32[s2] >>> 0;
        if (hiLt || (hiEq && loLt)) off = (off + len) | 0;
        else off = (off + imm) | 0;
        break;
      }
      case 11 /* OP_BLTU */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const hiLt = ah >>> 0 < bh >>> 0, hiEq = ah === bh, loLt = m32[s1] >>> 0 < m32[s2] >>> 0;
        if (hiLt || (hiEq && loLt)) off = (off + imm) | 0;
        else off = (off + len) | 0;
        break;
      }
      case 12 /* OP_BGEU */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const hiLt = ah >>> 0 < bh >>> 0, hiEq = ah === bh, loLt = m32[s1] >>> 0 < m32[s2] >>> 0;
        if (hiLt || (hiEq && loLt)) off = (off + len) | 0;
        else off = (off + imm) | 0;
        break;
      }

      // ---- loads: TLB hit and natural alignment → straight from memory; else the slow path ----
      // The TLB entry of a virtual page: tag (bits 31:12) at m32[rb + e], upper word at
      // m32[rb + TAG_HI_DELTA + e], memory offset of the page at m32[rb + DATA_DELTA + e].
      case 13 /* OP_LB */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        let v: number;
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi) {
          v = h.m8s[m32[t + DATA_DELTA] + (lo & 4095)];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 1)) {
            trapped = true;
            break loop;
          }
          v = (h.ldLo << 24) >> 24;
        }
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 17 /* OP_LBU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        let v: number;
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi) {
          v = h.m8[m32[t + DATA_DELTA] + (lo & 4095)];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 1)) {
            trapped = true;
            break loop;
          }
          v = h.ldLo & 0xff;
        }
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 14 /* OP_LH */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        let v: number;
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 1) === 0) {
          v = h.m16s[(m32[t + DATA_DELTA] + (lo & 4095)) >> 1];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 2)) {
            trapped = true;
            break loop;
          }
          v = (h.ldLo << 16) >> 16;
        }
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 18 /* OP_LHU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        let v: number;
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 1) === 0) {
          v = h.m16[(m32[t + DATA_DELTA] + (lo & 4095)) >> 1];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 2)) {
            trapped = true;
            break loop;
          }
          v = h.ldLo & 0xffff;
        }
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 15 /* OP_LW */:
      case 19 /* OP_LWU */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        let v: number;
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 3) === 0) {
          v = m32[(m32[t + DATA_DELTA] + (lo & 4095)) >> 2];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 4)) {
            trapped = true;
            break loop;
          }
          v = h.ldLo | 0;
        }
        m32[d] = v;
        m32[d + 1] = (w & 127) === 15 /* OP_LW */ ? v >> 31 : 0;
        off = (off + len) | 0;
        break;
      }
      case 16 /* OP_LD */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = rb + (vpl & TLB_MASK);
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 7) === 0) {
          const x = (m32[t + DATA_DELTA] + (lo & 4095)) >> 2;
          const vlo = m32[x];
          const vhi = m32[x + 1];
          m32[d] = vlo;
          m32[d + 1] = vhi;
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.loadSlow(lo, hi, 8)) {
            trapped = true;
            break loop;
          }
          m32[d] = h.ldLo;
          m32[d + 1] = h.ldHi;
        }
        off = (off + len) | 0;
        break;
      }

      // ---- stores: write-TLB hit (or watched-page entry hit clear of tohost) and natural alignment →
      // straight to memory; else the slow path (which also keeps decoded code coherent and handles HTIF
      // and devices) ----
      case 20 /* OP_SB */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = wb + (vpl & TLB_MASK);
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi) {
          h.m8[m32[t + DATA_DELTA] + (lo & 4095)] = m32[s2];
        } else if (m32[ww] === vpl && m32[ww + 1] === hi && (lo & 0xff8) !== (m32[ww + 2] & 4095)) {
          h.m8[(m32[ww + 2] & -4096) + (lo & 4095)] = m32[s2];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.storeSlow(lo, hi, 1, m32[s2], m32[s2 + 1])) {
            trapped = true;
            break loop;
          }
          if (h.breakChunk) {
            off = (off + len) | 0;
            i = (i + 1) | 0;
            break loop;
          }
        }
        off = (off + len) | 0;
        break;
      }
      case 21 /* OP_SH */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = wb + (vpl & TLB_MASK);
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 1) === 0) {
          h.m16[(m32[t + DATA_DELTA] + (lo & 4095)) >> 1] = m32[s2];
        } else if (m32[ww] === vpl && m32[ww + 1] === hi && (lo & 1) === 0 && (lo & 0xff8) !== (m32[ww + 2] & 4095)) {
          h.m16[((m32[ww + 2] & -4096) + (lo & 4095)) >> 1] = m32[s2];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.storeSlow(lo, hi, 2, m32[s2], m32[s2 + 1])) {
            trapped = true;
            break loop;
          }
          if (h.breakChunk) {
            off = (off + len) | 0;
            i = (i + 1) | 0;
            break loop;
          }
        }
        off = (off + len) | 0;
        break;
      }
      case 22 /* OP_SW */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = wb + (vpl & TLB_MASK);
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 3) === 0) {
          m32[(m32[t + DATA_DELTA] + (lo & 4095)) >> 2] = m32[s2];
        } else if (m32[ww] === vpl && m32[ww + 1] === hi && (lo & 3) === 0 && (lo & 0xff8) !== (m32[ww + 2] & 4095)) {
          m32[((m32[ww + 2] & -4096) + (lo & 4095)) >> 2] = m32[s2];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.storeSlow(lo, hi, 4, m32[s2], m32[s2 + 1])) {
            trapped = true;
            break loop;
          }
          if (h.breakChunk) {
            off = (off + len) | 0;
            i = (i + 1) | 0;
            break loop;
          }
        }
        off = (off + len) | 0;
        break;
      }
      case 23 /* OP_SD */: {
        const b = m32[s1];
        const lo = (b + imm) | 0;
        const hi = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
        const vpl = lo >>> 12;
        const t = wb + (vpl & TLB_MASK);
        if (m32[t] === vpl && m32[t + TAG_HI_DELTA] === hi && (lo & 7) === 0) {
          const x = (m32[t + DATA_DELTA] + (lo & 4095)) >> 2;
          m32[x] = m32[s2];
          m32[x + 1] = m32[s2 + 1];
        } else if (m32[ww] === vpl && m32[ww + 1] === hi && (lo & 7) === 0 && (lo & 0xff8) !== (m32[ww + 2] & 4095)) {
          const x = ((m32[ww + 2] & -4096) + (lo & 4095)) >> 2;
          m32[x] = m32[s2];
          m32[x + 1] = m32[s2 + 1];
        } else {
          h.pc = fpVa + off;
          h.liveI = i;
          if (!h.storeSlow(lo, hi, 8, m32[s2], m32[s2 + 1])) {
            trapped = true;
            break loop;
          }
          if (h.breakChunk) {
            off = (off + len) | 0;
            i = (i + 1) | 0;
            break loop;
          }
        }
        off = (off + len) | 0;
        break;
      }

      // ---- integer register-immediate ----
      case 24 /* OP_ADDI */: {
        const al = m32[s1];
        const lo = (al + imm) | 0;
        m32[d + 1] = (m32[s1 + 1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        m32[d] = lo;
        off = (off + len) | 0;
        break;
      }
      case 25 /* OP_SLTI */: {
        const ah = m32[s1 + 1], bh = imm >> 31;
        const v = ah < bh || (ah === bh && (m32[s1] >>> 0) < (imm >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 26 /* OP_SLTIU */: {
        const ah = m32[s1 + 1], bh = imm >> 31;
        const v = (ah >>> 0) < (bh >>> 0) || (ah === bh && (m32[s1] >>> 0) < (imm >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 27 /* OP_XORI */:
        m32[d + 1] = m32[s1 + 1] ^ (imm >> 31);
        m32[d] = m32[s1] ^ imm;
        off = (off + len) | 0;
        break;
      case 28 /* OP_ORI */:
        m32[d + 1] = m32[s1 + 1] | (imm >> 31);
        m32[d] = m32[s1] | imm;
        off = (off + len) | 0;
        break;
      case 29 /* OP_ANDI */:
        m32[d + 1] = m32[s1 + 1] & (imm >> 31);
        m32[d] = m32[s1] & imm;
        off = (off + len) | 0;
        break;

      // ---- shifts (amount: imm[5:0] or rs2[5:0]) ----
      case 30 /* OP_SLLI */:
      case 35 /* OP_SLL */: {
        const sh = (w & 127) === 30 /* OP_SLLI */ ? imm & 63 : m32[s2] & 63;
        const al = m32[s1];
        if (sh === 0) {
          m32[d + 1] = m32[s1 + 1];
          m32[d] = al;
        } else if (sh < 32) {
          m32[d + 1] = (m32[s1 + 1] << sh) | (al >>> (32 - sh));
          m32[d] = al << sh;
        } else {
          m32[d + 1] = al << (sh - 32);
          m32[d] = 0;
        }
        off = (off + len) | 0;
        break;
      }
      case 31 /* OP_SRLI */:
      case 39 /* OP_SRL */: {
        const sh = (w & 127) === 31 /* OP_SRLI */ ? imm & 63 : m32[s2] & 63;
        const ah = m32[s1 + 1];
        if (sh === 0) {
          m32[d] = m32[s1];
          m32[d + 1] = ah;
        } else if (sh < 32) {
          m32[d] = (m32[s1] >>> sh) | (ah << (32 - sh));
          m32[d + 1] = ah >>> sh;
        } else {
          m32[d] = ah >>> (sh - 32);
          m32[d + 1] = 0;
        }
        off = (off + len) | 0;
        break;
      }
      case 32 /* OP_SRAI */:
      case 40 /* OP_SRA */: {
        const sh = (w & 127) === 32 /* OP_SRAI */ ? imm & 63 : m32[s2] & 63;
        const ah = m32[s1 + 1];
        if (sh === 0) {
          m32[d] = m32[s1];
          m32[d + 1] = ah;
        } else if (sh < 32) {
          m32[d] = (m32[s1] >>> sh) | (ah << (32 - sh));
          m32[d + 1] = ah >> sh;
        } else {
          m32[d] = ah >> (sh - 32);
          m32[d + 1] = ah >> 31;
        }
        off = (off + len) | 0;
        break;
      }

      // ---- integer register-register ----
      case 33 /* OP_ADD */: {
        const al = m32[s1];
        const lo = (al + m32[s2]) | 0;
        const hi = (m32[s1 + 1] + m32[s2 + 1] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        m32[d] = lo;
        m32[d + 1] = hi;
        off = (off + len) | 0;
        break;
      }
      case 34 /* OP_SUB */: {
        const al = m32[s1], bl = m32[s2];
        const hi = (m32[s1 + 1] - m32[s2 + 1] - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
        m32[d] = (al - bl) | 0;
        m32[d + 1] = hi;
        off = (off + len) | 0;
        break;
      }
      case 36 /* OP_SLT */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const v = ah < bh || (ah === bh && (m32[s1] >>> 0) < (m32[s2] >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 37 /* OP_SLTU */: {
        const ah = m32[s1 + 1], bh = m32[s2 + 1];
        const v = (ah >>> 0) < (bh >>> 0) || (ah === bh && (m32[s1] >>> 0) < (m32[s2] >>> 0)) ? 1 : 0;
        m32[d] = v;
        m32[d + 1] = 0;
        off = (off + len) | 0;
        break;
      }
      case 38 /* OP_XOR */:
        m32[d + 1] = m32[s1 + 1] ^ m32[s2 + 1];
        m32[d] = m32[s1] ^ m32[s2];
        off = (off + len) | 0;
        break;
      case 41 /* OP_OR */:
        m32[d + 1] = m32[s1 + 1] | m32[s2 + 1];
        m32[d] = m32[s1] | m32[s2];
        off = (off + len) | 0;
        break;
      case 42 /* OP_AND */:
        m32[d + 1] = m32[s1 + 1] & m32[s2 + 1];
        m32[d] = m32[s1] & m32[s2];
        off = (off + len) | 0;
        break;

      // ---- RV64 word operations: 32-bit result, sign-extended ----
      case 43 /* OP_ADDIW */: {
        const v = (m32[s1] + imm) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 44 /* OP_SLLIW */: {
        const v = m32[s1] << (imm & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 45 /* OP_SRLIW */: {
        const v = (m32[s1] >>> (imm & 31)) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 46 /* OP_SRAIW */: {
        const v = m32[s1] >> (imm & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 47 /* OP_ADDW */: {
        const v = (m32[s1] + m32[s2]) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 48 /* OP_SUBW */: {
        const v = (m32[s1] - m32[s2]) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 49 /* OP_SLLW */: {
        const v = m32[s1] << (m32[s2] & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 50 /* OP_SRLW */: {
        const v = (m32[s1] >>> (m32[s2] & 31)) | 0;
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      case 51 /* OP_SRAW */: {
        const v = m32[s1] >> (m32[s2] & 31);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }

      // ---- M ----
      case 56 /* OP_MUL */: {
        // Low 64 bits of the product: al×bl in full (16-bit pieces, all exact in int32/uint32 range),
        // plus the cross terms al×bh + ah×bl, which only reach the high word.
        const al = m32[s1], bl = m32[s2];
        const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
        const p01 = a0 * b1, p10 = a1 * b0;
        const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
        const hiLL = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
        m32[d + 1] = (hiLL + Math.imul(al, m32[s2 + 1]) + Math.imul(m32[s1 + 1], bl)) | 0;
        m32[d] = Math.imul(al, bl);
        off = (off + len) | 0;
        break;
      }
      case 64 /* OP_MULW */: {
        const v = Math.imul(m32[s1], m32[s2]);
        m32[d] = v;
        m32[d + 1] = v >> 31;
        off = (off + len) | 0;
        break;
      }
      // ---- fences: the decoded-instruction cache is kept coherent with stores, so fence.i has nothing to do ----
      case 52 /* OP_FENCE */:
      case 53 /* OP_FENCE_I */:
        off = (off + len) | 0;
        break;

      default: {
        // Everything else (illegal bits, mulh*, divisions, atomics, system instructions) runs out of
        // line: it keeps this loop small, and instructions a program meets late do not throw away
        // this function's optimized code.
        const r = execRare(h, w, imm, off, i);
        if (r === 0 /* RARE_NEXT */) {
          off = (off + len) | 0;
          break;
        }
        if (r === 1 /* RARE_TRAP */) {
          trapped = true;
          break loop;
        }
        i = (i + 1) | 0;
        h.breakChunk = true; // the chunk ends here (the translation tier ends its chunk with it)
        if (r === 2 /* RARE_NEXT_END */) off = (off + len) | 0;
        else {
          farPc = h.pc;
          off = FAR;
        }
        break loop;
      }
    }
    i = (i + 1) | 0;
  }
  if (trapped) {
    // The instruction at fpVa + off did not retire: take the exception recorded by raise()/the slow path.
    h.pc = fpVa + off;
    h.liveI = i;
    h.takeException();
    h.breakChunk = true;
  } else {
    h.pc = off === FAR ? farPc : fpVa + off;
  }
  h.instret += i;
  h.cyc += i;
  h.liveI = 0;
  return i;
}
