// The CSR file (privileged spec chapter 2, §3.1 machine-level CSRs, §4.1 supervisor-level CSRs, and the
// Zicntr counters): what each CSR reads as, its WARL write rules and side effects (TLB flushes, ending the
// interpreter's chunk when an interrupt may have become pending), and the CSR instructions with their
// privilege, read-only and counter-enable checks.
//
// Adding a CSR (e.g. fcsr/frm/fflags for F/D): its state goes in hart-state.ts, a case in csrRead and
// csrWrite here, and, if a field of mstatus governs it (mstatus.FS), the field in MSTATUS_WRITABLE /
// SSTATUS_WRITABLE (hart-constants.ts) and its read-only consequences (SD) in readMstatus.

import * as L from './layout.js';
import * as D from './decode.js';
import * as C from './hart-constants.js';
import { HartTraps } from './traps.js';
import { CSR_BASE } from './hart-state.js';
import { isXpcCsr } from './xpc-hook.js';
import type { Hart } from './hart.js';

const { PRV_M, PRV_S } = C;

/** CSR number → hot slot (layout.ts), or -1: CSR instructions on these need no BigInt. */
const HOT_SLOT = new Int8Array(4096).fill(-1);
HOT_SLOT[0x340] = L.CSR_MSCRATCH;
HOT_SLOT[0x140] = L.CSR_SSCRATCH;
HOT_SLOT[0x341] = L.CSR_MEPC;
HOT_SLOT[0x141] = L.CSR_SEPC;
HOT_SLOT[0x342] = L.CSR_MCAUSE;
HOT_SLOT[0x142] = L.CSR_SCAUSE;
HOT_SLOT[0x343] = L.CSR_MTVAL;
HOT_SLOT[0x143] = L.CSR_STVAL;
HOT_SLOT[0x305] = L.CSR_MTVEC;
HOT_SLOT[0x105] = L.CSR_STVEC;

/** medeleg bits of the XPC exceptions (causes 24–28, docs/xpc.md §6), writable once the engine is attached. */
const XPC_CAUSES = 0x1f << 24;

export abstract class HartCsrs extends HartTraps {
  /** xepc as read: bit 0 zero; bit 1 masked when C is off (privileged spec §3.1.14). */
  private readEpc(v: bigint): bigint {
    return this.isa.c ? v & ~1n : v & ~3n;
  }

  // ================================================================================================
  // CSRs (privileged spec chapter 2 and §3.1, §4.1)
  // ================================================================================================

  /** mstatus as read: the stored fields plus the read-only ones (UXL, SXL; SD once a status field such as FS exists). */
  protected readMstatus(): bigint {
    return BigInt(this.mstatus) | C.MSTATUS_XL_BITS | this.statusSd();
  }

  /** mstatus.SD: FS is Dirty (VS and XS are always Off). */
  private statusSd(): bigint {
    return (this.mstatus & C.MSTATUS_FS) === C.MSTATUS_FS_DIRTY ? C.MSTATUS_SD_BIT : 0n;
  }

  /** Observed runs: a CSR write as Spike's commit log shows it. */
  logCsr(num: number, value: bigint): void {
    const rec = this.rec!;
    const k = rec.csrWriteCount++;
    rec.csrWriteNum[k] = num;
    rec.csrWriteValue[k] = value;
  }

  /** sstatus as read: the S-visible fields of mstatus (privileged spec §4.1.1). */
  protected readSstatus(): bigint {
    return BigInt(this.mstatus & (C.SSTATUS_WRITABLE | C.MSTATUS_FS)) | C.SSTATUS_XL_BITS | this.statusSd();
  }

  /** Value of a CSR as software would read it, or undefined for a CSR rvx does not have. No checks. */
  csrRead(n: number): bigint | undefined {
    if (isXpcCsr(n)) return this.xpc === null ? undefined : this.xpc.csrRead(this as unknown as Hart, n);
    switch (n) {
      case 0xc00: return BigInt.asUintN(64, BigInt(this.mcycle()));
      case 0xc01: return BigInt(this.mtime());
      case 0xc02: return BigInt.asUintN(64, BigInt(this.minstret()));
      case 0x100: return this.readSstatus();
      case 0x001: return this.isa.f ? BigInt(this.fflags) : undefined;
      case 0x002: return this.isa.f ? BigInt(this.frm) : undefined;
      case 0x003: return this.isa.f ? BigInt((this.frm << 5) | this.fflags) : undefined;
      case 0x104: return BigInt(this.mie & this.mideleg);
      case 0x105: return this.stvec;
      case 0x106: return BigInt(this.scounteren);
      case 0x10a: return this.senvcfg;
      case 0x140: return this.sscratch;
      case 0x141: return this.readEpc(this.sepc);
      case 0x142: return this.scause;
      case 0x143: return this.stval;
      case 0x144: return BigInt(this.mip() & this.mideleg);
      case 0x180: return this.satp;
      case 0xf11: case 0xf12: case 0xf13: case 0xf14: case 0xf15: return 0n;
      case 0x300: return this.readMstatus();
      case 0x301: return this.misa;
      case 0x302: return BigInt(this.medeleg);
      case 0x303: return BigInt(this.mideleg);
      case 0x304: return BigInt(this.mie);
      case 0x305: return this.mtvec;
      case 0x306: return BigInt(this.mcounteren);
      case 0x30a: return this.menvcfg;
      case 0x320: return BigInt(this.mcountinhibit);
      case 0x340: return this.mscratch;
      case 0x341: return this.readEpc(this.mepc);
      case 0x342: return this.mcause;
      case 0x343: return this.mtval;
      case 0x344: return BigInt(this.mip());
      case 0xb00: return BigInt.asUintN(64, BigInt(this.mcycle()));
      case 0xb02: return BigInt.asUintN(64, BigInt(this.minstret()));
      case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return 0n; // no triggers: tselect 0, tdata1 type 0
    }
    if (n >= 0xc03 && n <= 0xc1f) return 0n;
    if (n >= 0xb03 && n <= 0xb1f) return 0n;
    if (n >= 0x323 && n <= 0x33f) return 0n;
    if (n >= 0x3a0 && n <= 0x3af) return this.pmp.readCfg(n);
    if (n >= 0x3b0 && n <= 0x3ef) return this.pmp.readAddr(n);
    return undefined;
  }

  /** Write a CSR (WARL rules applied). False when the write is illegal. */
  csrWrite(n: number, v: bigint): boolean {
    if (isXpcCsr(n)) return this.xpc !== null && this.xpc.csrWrite(this as unknown as Hart, n, v);
    const lo = Number(v & 0xffffffffn);
    switch (n) {
      case 0x100: {
        const w = C.SSTATUS_WRITABLE | (this.isa.f ? C.MSTATUS_FS : 0);
        this.writeMstatus((this.mstatus & ~w) | (lo & w));
        break;
      }
      // fflags, frm, fcsr (F chapter, "Floating-Point Control and Status Register"): writes dirty FS.
      case 0x001: this.fflags = lo & 0x1f; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x002: this.frm = lo & 7; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x003: this.fflags = lo & 0x1f; this.frm = (lo >>> 5) & 7; this.mstatus |= C.MSTATUS_FS_DIRTY; break;
      case 0x104:
        this.mie = (this.mie & ~this.mideleg) | (lo & this.mideleg);
        this.breakChunk = true;
        break;
      case 0x105: this.stvec = v & ~2n; break;
      case 0x106: this.scounteren = lo >>> 0; break;
      case 0x10a: this.senvcfg = v & C.ENVCFG_FIOM; break;
      case 0x140: this.sscratch = v; break;
      case 0x141: this.sepc = v & ~1n; break;
      case 0x142: this.scause = v; break;
      case 0x143: this.stval = v; break;
      case 0x144: {
        const mask = C.MIP_SSIP & this.mideleg;
        this.mipSw = (this.mipSw & ~mask) | (lo & mask);
        this.breakChunk = true;
        break;
      }
      case 0x180: {
        const mode = Number(v >> 60n);
        if (mode !== C.SATP_MODE_BARE && mode !== C.SATP_MODE_SV39) break; // WARL: unsupported mode, no effect
        this.satp = v & ((0xfn << 60n) | (0xffffn << 44n) | ((1n << 44n) - 1n));
        this.satpMode = mode;
        this.satpRoot = Number(this.satp & ((1n << 44n) - 1n)) * 4096;
        this.flushTlb();
        this.breakChunk = true;
        break;
      }
      case 0x300: {
        const w = C.MSTATUS_WRITABLE | (this.isa.f ? C.MSTATUS_FS : 0);
        this.writeMstatus((this.mstatus & ~w) | (lo & w));
        break;
      }
      case 0x301: break; // misa: WARL, fixed by MachineOptions.isa
      case 0x302: this.medeleg = lo & (C.MEDELEG_WRITABLE | (this.xpc !== null ? (this.xpc.delegableCauses ?? XPC_CAUSES) : 0)); break;
      case 0x303: this.mideleg = lo & C.S_INTERRUPTS; this.breakChunk = true; break;
      case 0x304: this.mie = lo & C.ALL_INTERRUPTS; this.breakChunk = true; break;
      case 0x305: this.mtvec = v & ~2n; break;
      case 0x306: this.mcounteren = lo >>> 0; break;
      case 0x30a: this.menvcfg = v & (C.ENVCFG_FIOM | C.MENVCFG_ADUE); this.flushTlb(); this.breakChunk = true; break;
      case 0x320: {
        const old = this.mcountinhibit;
        const cyc = this.mcycle();
        const ins = this.minstret();
        this.mcountinhibit = lo & 0xfffffffd;
        if ((this.mcountinhibit & 1) !== 0 && (old & 1) === 0) this.frozenCycle = cyc;
        if ((this.mcountinhibit & 1) === 0 && (old & 1) !== 0) this.cycleAdj = cyc - (this.cyc + this.liveI);
        if ((this.mcountinhibit & 4) !== 0 && (old & 4) === 0) this.frozenInstret = ins;
        if ((this.mcountinhibit & 4) === 0 && (old & 4) !== 0) this.instretAdj = ins - (this.instret + this.liveI);
        break;
      }
      case 0x340: this.mscratch = v; break;
      case 0x341: this.mepc = v & ~1n; break;
      case 0x342: this.mcause = v; break;
      case 0x343: this.mtval = v; break;
      case 0x344: {
        const mask = C.MIP_SSIP | C.MIP_STIP | C.MIP_SEIP;
        this.mipSw = (this.mipSw & ~mask) | (lo & mask);
        this.breakChunk = true;
        break;
      }
      case 0xb00: {
        // The write takes the place of this instruction's own increment (unprivileged spec, Zicntr).
        const val = Number(BigInt.asIntN(64, v)) - 1;
        if (this.mcountinhibit & 1) this.frozenCycle = val + 1;
        else this.cycleAdj = val - (this.cyc + this.liveI);
        break;
      }
      case 0xb02: {
        const val = Number(BigInt.asIntN(64, v)) - 1;
        if (this.mcountinhibit & 4) this.frozenInstret = val + 1;
        else this.instretAdj = val - (this.instret + this.liveI);
        break;
      }
      case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: break; // no triggers
      default: {
        if (n >= 0xb03 && n <= 0xb1f) break;
        if (n >= 0x323 && n <= 0x33f) break;
        if (n >= 0x3a0 && n <= 0x3af) {
          if (n & 1) return false; // RV64 has only the even pmpcfg registers
          if (n >= 0x3a4) break; // entries 16..63 are not implemented: read-only zero
          this.pmp.writeCfg(n, v);
          this.flushTlb();
          this.breakChunk = true;
          break;
        }
        if (n >= 0x3b0 && n <= 0x3ef) {
          if (this.pmp.writeAddr(n, v)) {
            this.flushTlb();
            this.breakChunk = true;
          }
          break;
        }
        return false;
      }
    }
    return true;
  }

  private writeMstatus(nv: number): void {
    // MPP is WARL over {U, S, M}: the reserved value 2 becomes U, as Spike does.
    if (((nv >>> C.MSTATUS_MPP_SHIFT) & 3) === 2) nv &= ~C.MSTATUS_MPP;
    const old = this.mstatus;
    this.mstatus = nv;
    if ((old ^ nv) & (C.MSTATUS_MPRV | C.MSTATUS_SUM | C.MSTATUS_MXR | C.MSTATUS_MPP)) {
      if ((old ^ nv) & (C.MSTATUS_SUM | C.MSTATUS_MXR)) this.flushTlb();
      this.updateBases();
    }
    this.breakChunk = true;
  }

  /** A CSR instruction: privilege, read-only and counter-enable checks, then read and write. */
  private illegalCsr(): boolean {
    this.raise(C.CAUSE_ILLEGAL_INSTRUCTION, BigInt((this.peekRaw(this.pc) ?? 0) >>> 0));
    return false;
  }

  csrInstr(op: number, csr: number, s1: number, zimm: number, d: number): boolean {
    const imm = op >= D.OP_CSRRWI;
    const isRw = op === D.OP_CSRRW || op === D.OP_CSRRWI;
    const writes = isRw || (imm ? zimm !== 0 : s1 !== 0);
    const k = HOT_SLOT[csr];
    if (k >= 0 && ((csr >>> 8) & 3) <= this.priv) {
      // scratch, epc, cause, tval, tvec: plain read/write registers, done on 32-bit halves.
      const m32 = this.m32;
      const i = CSR_BASE + 2 * k;
      let oLo = m32[i];
      const oHi = m32[i + 1];
      if (k === L.CSR_MEPC || k === L.CSR_SEPC) oLo &= this.isa.c ? ~1 : ~3;
      if (writes) {
        const sLo = imm ? zimm : m32[s1];
        const sHi = imm ? 0 : m32[s1 + 1];
        let nLo: number, nHi: number;
        if (isRw) {
          nLo = sLo;
          nHi = sHi;
        } else if (op === D.OP_CSRRS || op === D.OP_CSRRSI) {
          nLo = oLo | sLo;
          nHi = oHi | sHi;
        } else {
          nLo = oLo & ~sLo;
          nHi = oHi & ~sHi;
        }
        if (k === L.CSR_MEPC || k === L.CSR_SEPC) nLo &= ~1;
        else if (k === L.CSR_MTVEC || k === L.CSR_STVEC) nLo &= ~2; // MODE 2/3 are reserved: bit 1 reads 0 (Spike)
        m32[i] = nLo;
        m32[i + 1] = nHi;
        const rec = this.rec;
        if (rec !== null) {
          const n = rec.csrWriteCount++;
          rec.csrWriteNum[n] = csr;
          rec.csrWriteValue[n] = this.csrRead(csr)!;
        }
      }
      m32[d] = oLo;
      m32[d + 1] = oHi;
      return true;
    }
    if (((csr >>> 8) & 3) > this.priv) return this.illegalCsr();
    if (writes && (csr >>> 10) === 3) return this.illegalCsr();
    // The FP CSRs are inaccessible while mstatus.FS is Off (privileged spec §3.1.6.6).
    if (csr >= 0x001 && csr <= 0x003 && (this.mstatus & C.MSTATUS_FS) === 0) return this.illegalCsr();
    if (csr >= 0xc00 && csr <= 0xc1f) {
      const bit = 1 << (csr - 0xc00);
      if (this.priv < PRV_M && (this.mcounteren & bit) === 0) return this.illegalCsr();
      if (this.priv < PRV_S && (this.scounteren & bit) === 0) return this.illegalCsr();
    }
    if (csr === 0x180 && this.priv === PRV_S && (this.mstatus & C.MSTATUS_TVM) !== 0) return this.illegalCsr();
    const old = this.csrRead(csr);
    if (old === undefined) return this.illegalCsr();
    const fsBefore = this.mstatus & C.MSTATUS_FS;
    if (writes) {
      const src = imm ? BigInt(zimm) : this.slotBig(s1);
      let nv: bigint;
      if (isRw) nv = src;
      else if (op === D.OP_CSRRS || op === D.OP_CSRRSI) nv = old | src;
      else nv = old & ~src;
      if (!this.csrWrite(csr, BigInt.asUintN(64, nv))) return this.illegalCsr();
      const rec = this.rec;
      if (rec !== null) {
        // As Spike's commit log: the S-level views sstatus/sie/sip are logged as the M-level register
        // they write (mstatus/mie/mip), with its whole new value.
        const logged = csr === 0x100 ? 0x300 : csr === 0x104 ? 0x304 : csr === 0x144 ? 0x344 : csr;
        if (csr === 0x003) {
          // fcsr is frm and fflags to Spike: it logs the two fields it writes, and mstatus when FS
          // becomes Dirty.
          this.logCsr(0x001, BigInt(this.fflags));
          this.logCsr(0x002, BigInt(this.frm));
        } else this.logCsr(logged, this.csrRead(logged) ?? nv);
        if (csr <= 0x003 && fsBefore !== C.MSTATUS_FS_DIRTY) this.logCsr(0x300, this.csrRead(0x300)!);
      }
    }
    this.setSlot(d, old);
    return true;
  }
}
