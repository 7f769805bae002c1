// The register file as gdb sees it: one table that yields target.xml (gdb manual, "Target Descriptions";
// the RISC-V features are those gdb's riscv-tdep.c reads: org.gnu.gdb.riscv.cpu / .fpu / .csr / .virtual)
// and the `g`/`p`/`P` register numbers.
//
// Numbering follows gdb's own RISC-V numbering (riscv-tdep.h), which QEMU and OpenOCD use too, so the
// numbers in `p`/`P` packets mean the same to every tool: x0..x31 = 0..31, pc = 32, f0..f31 = 33..64,
// CSR n = 65 + n, priv = 65 + 4096 = 4161.
//
// A register group is one entry in registerGroups() (the f registers are fpuGroup, present with D).
//
// fflags/frm/fcsr need nothing: csrGroup lists them as soon as the hart's csrRead answers for 0x001..0x003,
// and gdb looks for them in the csr feature as well as in the fpu one.

import { csrByNumber } from '../../isa/csrs.js';
import type { Machine } from '../../emulator/machine.js';
import { isXpcCsr } from '../../emulator/xpc-hook.js';

export interface RegisterDef {
  name: string;
  /** gdb's register number (the `p`/`P` argument and the `regnum` attribute). */
  regnum: number;
  bits: number;
  /** target.xml type: int, code_ptr, data_ptr, ieee_double, ... */
  type?: string;
  group?: string;
  read(): bigint;
  /** False when the value cannot be written (read-only CSR, x0's writes are accepted and dropped). */
  write(v: bigint): boolean;
}

export interface RegisterGroup {
  feature: string;
  regs: RegisterDef[];
}

export const PC_REGNUM = 32;
export const CSR_REGNUM_BASE = 65;
export const PRIV_REGNUM = 65 + 4096;

/** ABI names gdb's 64bit-cpu.xml uses for x0..x31. */
const ABI = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

function cpuGroup(m: Machine): RegisterGroup {
  const regs: RegisterDef[] = ABI.map((name, i) => ({
    name,
    regnum: i,
    bits: 64,
    type: i === 1 ? 'code_ptr' : i === 2 || i === 8 ? 'data_ptr' : 'int',
    read: () => m.getReg(i),
    write: (v: bigint) => {
      m.setReg(i, v);
      return true;
    },
  }));
  regs.push({
    name: 'pc',
    regnum: PC_REGNUM,
    bits: 64,
    type: 'code_ptr',
    read: () => BigInt.asUintN(64, BigInt(m.pc)),
    write: (v: bigint) => {
      // The hart keeps pc as a sign-extended Number (exact below 2^53; Sv39 addresses are).
      m.pc = Number(BigInt.asIntN(64, v));
      return true;
    },
  });
  return { feature: 'org.gnu.gdb.riscv.cpu', regs };
}

/**
 * Every CSR the hart implements: those csrRead answers for, named as isa/csrs.ts names them (the
 * assembler's and disassembler's names). Writes go through the hart's csrWrite, so WARL rules apply.
 */
function csrGroup(m: Machine): RegisterGroup {
  const regs: RegisterDef[] = [];
  const hart = m.hart;
  for (let n = 0; n < 4096; n++) {
    const def = csrByNumber(n);
    if (!def || def.unimplemented || def.rv32Only) continue;
    if (isXpcCsr(n) ? hart.xpc === null : hart.csrRead(n) === undefined) continue;
    regs.push({
      name: def.name,
      regnum: CSR_REGNUM_BASE + n,
      bits: 64,
      group: 'csr',
      read: () => hart.csrRead(n) ?? 0n,
      // Bits 11:10 = 3 mark read-only CSRs (privileged spec §2.1).
      write: (v: bigint) => (n >>> 10) !== 3 && hart.csrWrite(n, v),
    });
  }
  return { feature: 'org.gnu.gdb.riscv.csr', regs };
}

/** gdb's `priv` pseudo-register: the current privilege mode (0 U, 1 S, 3 M). */
function virtualGroup(m: Machine): RegisterGroup {
  return {
    feature: 'org.gnu.gdb.riscv.virtual',
    regs: [
      {
        name: 'priv',
        regnum: PRIV_REGNUM,
        bits: 64,
        read: () => BigInt(m.priv),
        write: (v: bigint) => {
          if (v !== 0n && v !== 1n && v !== 3n) return false;
          m.hart.setPriv(Number(v));
          return true;
        },
      },
    ],
  };
}

/** ABI names of f0..f31 (the psABI's, as gdb's 64bit-fpu.xml names them). */
const FP_ABI = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

/** f0..f31 when the hart has D (64 bits, singles NaN-boxed); read and written as the raw register bits. */
function fpuGroup(m: Machine): RegisterGroup | null {
  if (!m.hart.isa.d) return null;
  return {
    feature: 'org.gnu.gdb.riscv.fpu',
    regs: FP_ABI.map((name, i) => ({
      name,
      regnum: 33 + i,
      bits: 64,
      type: 'ieee_double',
      group: 'float',
      read: () => m.getFReg(i),
      write: (v: bigint) => {
        m.setFReg(i, v);
        return true;
      },
    })),
  };
}

/** The register groups in target.xml order. New register files are one entry here (see the top). */
export function registerGroups(m: Machine): RegisterGroup[] {
  const fpu = fpuGroup(m);
  return [cpuGroup(m), ...(fpu ? [fpu] : []), csrGroup(m), virtualGroup(m)];
}

export class RegisterFile {
  readonly groups: RegisterGroup[];
  private readonly byNum = new Map<number, RegisterDef>();
  /** Registers of the `g` packet, in order: x0..x31 and pc. */
  readonly general: RegisterDef[];

  constructor(m: Machine) {
    this.groups = registerGroups(m);
    for (const g of this.groups) for (const r of g.regs) this.byNum.set(r.regnum, r);
    this.general = this.groups[0].regs;
  }

  get(regnum: number): RegisterDef | undefined {
    return this.byNum.get(regnum);
  }

  targetXml(): string {
    const lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target version="1.0">', '  <architecture>riscv:rv64</architecture>',
      // Bare metal: without this gdb assumes GNU/Linux for an ELF without an OS ABI note, and on RISC-V
      // GNU/Linux it single-steps by planting breakpoints at the next pc it predicts, which cannot
      // follow a trap, an xRET or an xcall. With no OS ABI gdb steps with vCont;s, which the stub does
      // exactly (one committed record).
      '  <osabi>none</osabi>',
    ];
    for (const g of this.groups) {
      lines.push(`  <feature name="${g.feature}">`);
      for (const r of g.regs) {
        let attrs = `name="${r.name}" bitsize="${r.bits}" regnum="${r.regnum}"`;
        if (r.type) attrs += ` type="${r.type}"`;
        if (r.group) attrs += ` group="${r.group}"`;
        lines.push(`    <reg ${attrs}/>`);
      }
      lines.push('  </feature>');
    }
    lines.push('</target>');
    return lines.join('\n') + '\n';
  }
}
