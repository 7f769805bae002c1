// The trap path (privileged spec §3.1.6.1, §3.1.7, §3.1.9, §3.3): taking an exception or an interrupt
// (delegation, xepc/xcause/xtval, the mstatus stack, xtvec), choosing the pending interrupt, and
// mret/sret. Every tier takes traps here, so pc, tval and the counters a handler sees are the same.

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import { HartAccess } from './access.js';
import { CSR_BASE, INV_TWO32, TWO32 } from './hart-state.js';

const { PRV_M, PRV_S, PRV_U } = C;

/** Consecutive traps without a retired instruction after which run() stops with 'trap-loop'. */
const TRAP_LOOP_LIMIT = 64;

export abstract class HartTraps extends HartAccess {
  private trapStreak = 0;
  private lastTrapRetired = -1;
  /** The first trap of the current streak (described only if the streak becomes a trap loop). */
  private firstTrapCause = 0;
  private firstTrapIrq = false;
  private firstTrapTval = 0n;
  private firstTrapEpc = 0;
  private firstTrapEpcBig: bigint | undefined = undefined;
  private firstTrapPriv = 0;

  /** Take the exception recorded in excCause/excTval at this.pc (the instruction does not retire). */
  takeException(): void {
    this.trapInto(this.excCause, false, this.excTval, this.pc);
  }

  /**
   * Enter the trap handler for cause (interrupt when `irq`), with tval and the epc of the trap (a
   * Number pc; epcBig only for an epc no Number can hold).
   */
  trapInto(cause: number, irq: boolean, tval: bigint, epc: number, epcBig?: bigint): void {
    this.traps++;
    if (irq) this.interrupts++;
    const retired = this.instret + this.liveI;
    if (retired === this.lastTrapRetired) {
      this.trapStreak++;
      if (this.trapStreak >= TRAP_LOOP_LIMIT && this.halted === null) {
        const epc0 = this.firstTrapEpcBig ?? BigInt.asUintN(64, BigInt(this.firstTrapEpc));
        const first = this.describeTrap(this.firstTrapCause, this.firstTrapIrq, this.firstTrapTval, epc0, this.firstTrapPriv);
        this.halted = { reason: 'trap-loop', message: `${TRAP_LOOP_LIMIT} traps in a row without retiring an instruction; the first: ${first}` };
        this.breakChunk = true;
      }
    } else {
      this.trapStreak = 1;
      this.lastTrapRetired = retired;
      this.firstTrapCause = cause;
      this.firstTrapIrq = irq;
      this.firstTrapTval = tval;
      this.firstTrapEpc = epc;
      this.firstTrapEpcBig = epcBig;
      this.firstTrapPriv = this.priv;
    }
    this.resValid = false; // the spec allows an xRET or trap to clear the reservation; rvx does (docs)
    const deleg = irq ? this.mideleg : this.medeleg;
    const toS = this.priv <= PRV_S && cause < 32 && ((deleg >>> cause) & 1) !== 0;
    const m32 = this.m32;
    // xepc, xcause, xtval (privileged spec §3.1.14–3.1.16, §4.1.7–4.1.9).
    const e = CSR_BASE + 2 * (toS ? L.CSR_SEPC : L.CSR_MEPC);
    if (epcBig === undefined) {
      m32[e] = (epc | 0) & ~1;
      m32[e + 1] = ((epc - (epc >>> 0)) * INV_TWO32) | 0;
    } else this.setCsr64(toS ? L.CSR_SEPC : L.CSR_MEPC, epcBig & ~1n);
    const c = CSR_BASE + 2 * (toS ? L.CSR_SCAUSE : L.CSR_MCAUSE);
    m32[c] = cause;
    m32[c + 1] = irq ? 0x80000000 | 0 : 0;
    const tv = CSR_BASE + 2 * (toS ? L.CSR_STVAL : L.CSR_MTVAL);
    if (tval === 0n) {
      m32[tv] = 0;
      m32[tv + 1] = 0;
    } else this.setCsr64(toS ? L.CSR_STVAL : L.CSR_MTVAL, tval);
    let s = this.mstatus;
    if (toS) {
      s = (s & ~C.MSTATUS_SPIE) | ((s & C.MSTATUS_SIE) !== 0 ? C.MSTATUS_SPIE : 0);
      s = (s & ~C.MSTATUS_SPP) | (this.priv === PRV_S ? C.MSTATUS_SPP : 0);
      s &= ~C.MSTATUS_SIE;
    } else {
      s = (s & ~C.MSTATUS_MPIE) | ((s & C.MSTATUS_MIE) !== 0 ? C.MSTATUS_MPIE : 0);
      s = (s & ~C.MSTATUS_MPP) | (this.priv << C.MSTATUS_MPP_SHIFT);
      s &= ~C.MSTATUS_MIE;
    }
    this.mstatus = s;
    this.setPriv(toS ? PRV_S : PRV_M);
    // xtvec: BASE, plus 4 × cause for interrupts in vectored mode (§3.1.7).
    const t = CSR_BASE + 2 * (toS ? L.CSR_STVEC : L.CSR_MTVEC);
    const tlo = m32[t];
    let pc = m32[t + 1] * TWO32 + ((tlo & ~3) >>> 0);
    if ((tlo & 3) === 1 && irq) pc += 4 * cause;
    this.pc = pc;
    const rec = this.rec;
    if (rec !== null) {
      rec.trapped = true;
      rec.trapCause = (irq ? 1n << 63n : 0n) | BigInt(cause);
      rec.trapTval = tval;
    }
  }

  describeTrap(cause: number, irq: boolean, tval: bigint, epc: bigint, priv = this.priv): string {
    const names: Record<number, string> = irq
      ? { 1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt', 7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt' }
      : {
          0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction', 3: 'breakpoint',
          4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
          8: 'ecall from U-mode', 9: 'ecall from S-mode', 11: 'ecall from M-mode', 12: 'instruction page fault',
          13: 'load page fault', 15: 'store/AMO page fault',
        };
    const raw = this.peekRaw(Number(BigInt.asIntN(64, epc)));
    const insn = raw === undefined ? 'instruction unreadable' : `0x${(raw >>> 0).toString(16).padStart((raw & 3) === 3 ? 8 : 4, '0')} ${D.describeInstruction(raw, Number(BigInt.asIntN(64, epc)))}`;
    const lacks = !irq && cause === 2 && raw !== undefined ? D.missingExtension(raw, this.isa) : null;
    const hint = lacks === null ? '' : ` (the hart lacks ${lacks}${/^Zb[abcs]$/.test(lacks) ? `: add _${lacks.toLowerCase()} to --isa` : ''})`;
    return `${names[cause] ?? `cause ${cause}`} at pc 0x${epc.toString(16)} (${insn})${hint}, tval 0x${tval.toString(16)}, mode ${'USHM'[priv]}`;
  }

  /** The highest-priority interrupt that is pending and enabled now, or -1 (privileged spec §3.1.9). */
  pendingInterrupt(): number {
    const pend = this.mip() & this.mie;
    if (pend === 0) return -1;
    const mEnabled = this.priv < PRV_M || (this.mstatus & C.MSTATUS_MIE) !== 0;
    const sEnabled = this.priv < PRV_S || (this.priv === PRV_S && (this.mstatus & C.MSTATUS_SIE) !== 0);
    const m = mEnabled ? pend & ~this.mideleg : 0;
    const s = sEnabled ? pend & this.mideleg : 0;
    const bits = m !== 0 ? m : s;
    if (bits === 0) return -1;
    for (const irq of C.IRQ_PRIORITY) if ((bits >>> irq) & 1) return irq;
    return -1;
  }

  takeInterrupt(irq: number): void {
    this.wfiWaiting = false;
    this.trapInto(irq, true, 0n, this.pc);
  }

  /** xepc as a Number pc for xRET (bit 0 zero; bit 1 masked without C). */
  private epcPc(k: number): number {
    const i = CSR_BASE + 2 * k;
    const lo = this.m32[i] & (this.isa.c ? ~1 : ~3);
    return this.m32[i + 1] * TWO32 + (lo >>> 0);
  }

  /** mret (privileged spec §3.3.2). */
  mret(): boolean {
    if (this.priv < PRV_M) return false;
    let s = this.mstatus;
    const mpp = (s >>> C.MSTATUS_MPP_SHIFT) & 3;
    s = (s & ~C.MSTATUS_MIE) | ((s & C.MSTATUS_MPIE) !== 0 ? C.MSTATUS_MIE : 0);
    s |= C.MSTATUS_MPIE;
    s &= ~C.MSTATUS_MPP; // MPP = U, the least-privileged mode
    if (mpp !== PRV_M) s &= ~C.MSTATUS_MPRV; // §3.1.6.1: xRET to a mode below M clears MPRV
    this.mstatus = s;
    this.logMstatusWrite();
    this.resValid = false;
    this.setPriv(mpp);
    this.pc = this.epcPc(L.CSR_MEPC);
    return true;
  }

  sret(): boolean {
    if (this.priv < PRV_S || (this.priv === PRV_S && (this.mstatus & C.MSTATUS_TSR) !== 0)) return false;
    let s = this.mstatus;
    const spp = (s & C.MSTATUS_SPP) !== 0 ? PRV_S : PRV_U;
    s = (s & ~C.MSTATUS_SIE) | ((s & C.MSTATUS_SPIE) !== 0 ? C.MSTATUS_SIE : 0);
    s |= C.MSTATUS_SPIE;
    s &= ~C.MSTATUS_SPP;
    s &= ~C.MSTATUS_MPRV; // sret always returns below M
    this.mstatus = s;
    this.logMstatusWrite();
    this.resValid = false;
    this.setPriv(spp);
    this.pc = this.epcPc(L.CSR_SEPC);
    return true;
  }

  /** Observed runs: xRET's mstatus update is a CSR write of the instruction, as Spike's commit log shows it. */
  private logMstatusWrite(): void {
    const rec = this.rec;
    if (rec === null) return;
    const k = rec.csrWriteCount++;
    rec.csrWriteNum[k] = 0x300;
    rec.csrWriteValue[k] = this.csrRead(0x300)!;
  }
}
