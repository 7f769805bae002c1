// The set of IPC-mechanism extensions attached to one hart (`--ext xpc,gate,asl`), bound to the hart
// through its single XpcHook (emulator/xpc-hook.ts): custom-0 goes to the XPC engine, custom-1 funct3
// 0–3 to the gate engine, funct3 4 to the address-space-list engine; each extension's CSRs to its engine.
// An extension not in the set leaves its encodings and CSRs illegal, exactly as on a hart without it.

import type { Hart } from '../hart.js';
import { RAM_BASE } from '../hart.js';
import type { XpcHook } from '../xpc-hook.js';
import { HartHost, XpcEngineHook } from '../xpc/hook.js';
import type { XpcEngine } from '../xpc/engine.js';
import { AslEngine, CAUSE_ASL } from './asl.js';
import { MECH_EV_SATP_SWITCH } from './events.js';
import { CAUSE_GATE_MISS, CAUSE_GATE_STACK, GATE_CACHE_DEFAULT_ENTRIES, GateEngine } from './gate.js';
import type { PhysMem } from './phys.js';
import { CSR_PKR, PkeyEngine } from './pkey.js';

export const MECHANISMS = ['xpc', 'gate', 'pkey', 'asl'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** Parse `xpc,gate,asl` (or `none`): a clear error for an unknown name. */
export function parseExtList(text: string): Mechanism[] {
  const t = text.trim();
  if (t === '' || t === 'none') return [];
  const out: Mechanism[] = [];
  for (const raw of t.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!(MECHANISMS as readonly string[]).includes(name)) {
      throw new Error(`--ext: unknown extension '${raw.trim()}' (known: ${MECHANISMS.join(', ')}, none)`);
    }
    if (!out.includes(name as Mechanism)) out.push(name as Mechanism);
  }
  return out;
}

export interface MechOptions {
  /** Gate-cache slots (architectural: a gate not in the cache raises a gate miss). Default 16. */
  gateCacheEntries?: number;
}

const CSR_SATP = 0x180;
const CAUSE_ILLEGAL_INSTRUCTION = 2;
const PRV_S = 1;
const MSTATUS_TVM = 1 << 20;
const OPCODE_CUSTOM0 = 0x0b;
const OPCODE_CUSTOM1 = 0x2b;

/**
 * The mechanism engines' view of the hart: the XPC engine's (HartHost: RAM by physical address, code
 * invalidation on writes, satp), with RAM checks on full 64-bit addresses taken from registers.
 */
function hartPhys(hart: Hart): PhysMem {
  const host = new HartHost(hart);
  const ramEnd = BigInt(RAM_BASE + hart.ramBytes);
  return {
    isRam: (paddr, size) => paddr >= BigInt(RAM_BASE) && paddr + BigInt(size) <= ramEnd,
    read64: (paddr) => host.read64(paddr),
    write64: (paddr, value) => host.write64(paddr, value),
    satp: () => host.satp(),
  };
}

export class MechHook implements XpcHook {
  readonly xpc: XpcEngineHook | null;
  readonly gate: GateEngine | null;
  readonly asl: AslEngine | null;
  readonly pkeys: PkeyEngine | null;
  readonly delegableCauses: number;

  constructor(private readonly hart: Hart, exts: readonly Mechanism[], opts: MechOptions = {}) {
    const phys = hartPhys(hart);
    this.xpc = exts.includes('xpc') ? new XpcEngineHook(hart) : null;
    this.gate = exts.includes('gate') ? new GateEngine(phys, opts.gateCacheEntries ?? GATE_CACHE_DEFAULT_ENTRIES) : null;
    this.asl = exts.includes('asl') ? new AslEngine(phys) : null;
    this.pkeys = exts.includes('pkey') ? new PkeyEngine() : null;
    let causes = 0;
    if (this.xpc) causes |= 0x1f << 24;
    if (this.gate) causes |= (1 << CAUSE_GATE_MISS) | (1 << CAUSE_GATE_STACK);
    if (this.asl) causes |= 1 << CAUSE_ASL;
    this.delegableCauses = causes;
  }

  /** The XPC engine, where tools (the gdb stub) look for it. */
  get engine(): XpcEngine | undefined {
    return this.xpc?.engine;
  }

  get segmentActive(): boolean {
    return this.xpc !== null && this.xpc.segmentActive;
  }

  execute(hart: Hart, raw: number): boolean {
    const opcode = raw & 0x7f;
    if (opcode === OPCODE_CUSTOM0 && this.xpc !== null) return this.xpc.execute(hart, raw);
    const funct3 = (raw >>> 12) & 7;
    if (opcode === OPCODE_CUSTOM1 && funct3 <= 3 && this.gate !== null) return this.executeGate(hart, raw, funct3);
    if (opcode === OPCODE_CUSTOM1 && funct3 === 4 && this.asl !== null) return this.executeAsl(hart, raw);
    return this.illegal(hart, raw);
  }

  private illegal(hart: Hart, raw: number): boolean {
    hart.raise(CAUSE_ILLEGAL_INSTRUCTION, BigInt(raw >>> 0));
    return false;
  }

  /** Record what the engine did; on success install the new satp and report it among the CSR writes. */
  private commit(hart: Hart, event: number, pa: number, cause: number, tval: bigint, satp: bigint, nextPc: bigint): boolean {
    const rec = hart.rec;
    if (rec !== null) {
      rec.mechEvent = event;
      rec.mechPa = pa;
    }
    if (cause !== 0) {
      hart.raise(cause, tval);
      return false;
    }
    if ((event & MECH_EV_SATP_SWITCH) !== 0) {
      // The hart's own satp write: WARL, software-TLB flush, the fetch page re-translated.
      hart.csrWrite(CSR_SATP, satp);
      if (rec !== null) {
        const k = rec.csrWriteCount++;
        rec.csrWriteNum[k] = CSR_SATP;
        rec.csrWriteValue[k] = hart.satp;
      }
    }
    hart.pc = Number(BigInt.asIntN(64, nextPc));
    return true;
  }

  private executeGate(hart: Hart, raw: number, funct3: number): boolean {
    const g = this.gate!;
    const s = hart.priv === PRV_S;
    const x = hart.getReg((raw >>> 15) & 31);
    const pc = BigInt.asUintN(64, BigInt(hart.pc));
    switch (funct3) {
      case 0:
      case 1: {
        // gcall/gret write satp: under mstatus.TVM S-mode may not (privileged spec §3.1.6.5).
        if (s && (hart.mstatus & MSTATUS_TVM) !== 0) return this.illegal(hart, raw);
        const cause = funct3 === 0 ? g.gcall(x, pc) : g.gret();
        return this.commit(hart, g.event, g.recordPa, cause, g.trapTval, g.newSatp, g.nextPc);
      }
      default:
        // gfill/gflush manage the cache: supervisor only, as sfence.vma is.
        if (hart.priv === 0) return this.illegal(hart, raw);
        if (funct3 === 2) {
          if (!g.gfill(x)) return this.illegal(hart, raw);
        } else g.gflush(x);
        return this.commit(hart, g.event, 0, 0, 0n, 0n, pc + 4n);
    }
  }

  private executeAsl(hart: Hart, raw: number): boolean {
    const a = this.asl!;
    if (hart.priv === PRV_S && (hart.mstatus & MSTATUS_TVM) !== 0) return this.illegal(hart, raw);
    const pc = BigInt.asUintN(64, BigInt(hart.pc));
    const cause = a.switchTo(hart.getReg((raw >>> 15) & 31), hart.getReg((raw >>> 20) & 31), pc);
    return this.commit(hart, a.event, a.entryPa, cause, a.trapTval, a.newSatp, pc + 4n);
  }

  csrRead(hart: Hart, csr: number): bigint | undefined {
    if (csr === CSR_PKR) return this.pkeys?.pkr;
    if (csr >= 0x5d0 && csr <= 0x5d8 || csr === 0xdc0 || csr === 0xcd0) return this.gate?.readCsr(csr);
    if (csr >= 0x5e0 && csr <= 0x5e3) return this.asl?.readCsr(csr);
    return this.xpc?.csrRead(hart, csr);
  }

  csrWrite(hart: Hart, csr: number, value: bigint): boolean {
    if (csr === CSR_PKR) {
      if (this.pkeys === null) return false;
      this.pkeys.pkr = value;
      // The software TLB caches permissions that now depend on pkr.
      hart.flushTlb();
      return true;
    }
    if (csr >= 0x5d0 && csr <= 0x5d8 || csr === 0xdc0 || csr === 0xcd0) return this.gate !== null && this.gate.writeCsr(csr, value);
    if (csr >= 0x5e0 && csr <= 0x5e3) return this.asl !== null && this.asl.writeCsr(csr, value);
    return this.xpc !== null && this.xpc.csrWrite(hart, csr, value);
  }

  translateData(hart: Hart, vaLo: number, vaHi: number, write: boolean, size: number): number {
    return this.xpc === null ? -1 : this.xpc.translateData(hart, vaLo, vaHi, write, size);
  }
}

/** The extensions `exts` for a hart (Machine attaches it for MachineOptions.ext). */
export function createMechHook(hart: Hart, exts: readonly Mechanism[], opts: MechOptions = {}): MechHook {
  return new MechHook(hart, exts, opts);
}
