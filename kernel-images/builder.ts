// A small typed builder that emits readable GNU-syntax RISC-V assembly.
//
// The kernel and the user library are TypeScript functions that append lines to an `Asm`. Registers and
// CSRs are checked names (a typo is a TypeScript error, not an assembler error at boot time), struct
// layouts are defined once (see layout.ts) and emitted as `.equ` lines, and the save/restore sequences
// are generated from those layouts so the assembly and the tests read the same offsets.

import { ABI_NAMES } from '../isa/registers.js';
import { csrByName } from '../isa/csrs.js';

/** ABI register names (x0..x31). */
export type Reg =
  | 'zero' | 'ra' | 'sp' | 'gp' | 'tp' | 't0' | 't1' | 't2' | 's0' | 's1' | 'a0' | 'a1' | 'a2' | 'a3' | 'a4'
  | 'a5' | 'a6' | 'a7' | 's2' | 's3' | 's4' | 's5' | 's6' | 's7' | 's8' | 's9' | 's10' | 's11' | 't3' | 't4'
  | 't5' | 't6';

/** The CSRs the kernel touches (each must exist in isa/csrs.ts; checked when the builder is used). */
export type Csr =
  | 'mstatus' | 'misa' | 'medeleg' | 'mideleg' | 'mie' | 'mip' | 'mtvec' | 'mscratch' | 'mepc' | 'mcause'
  | 'mtval' | 'mcounteren' | 'mhartid' | 'pmpaddr0' | 'pmpcfg0' | 'sstatus' | 'sie' | 'sip' | 'stvec'
  | 'sscratch' | 'sepc' | 'scause' | 'stval' | 'satp' | 'scounteren' | 'cycle' | 'time' | 'instret'
  | 'xentry_base' | 'xentry_size' | 'xcap' | 'xlink_base' | 'xlink_top' | 'xlink_limit' | 'xseglist'
  | 'xseglist_size' | 'xseg_va' | 'xseg_pa' | 'xseg_len' | 'xseg_perm' | 'xsegmask_off' | 'xsegmask_len'
  | 'uxseg_va' | 'uxseg_len' | 'xcaller' | 'gdom' | 'gstack_base' | 'gstack_top' | 'gstack_limit'
  | 'asl_base' | 'asl_size' | 'asl_tramp';

/** Register number of an ABI name. */
export function regNumber(r: Reg): number {
  return ABI_NAMES.indexOf(r);
}

/** ABI name of register number n. */
export function regName(n: number): Reg {
  return ABI_NAMES[n] as Reg;
}

// ---------------------------------------------------------------------------------------------------
// Struct layouts

export interface StructField {
  name: string;
  offset: number;
  size: number;
  doc: string;
}

/** A struct laid out once; `.equ PREFIX_FIELD, offset` lines come from here and tests read `off`. */
export class StructLayout<F extends string = string> {
  readonly fields: StructField[] = [];
  readonly off = {} as Record<F, number>;
  size = 0;
  constructor(
    readonly name: string,
    readonly prefix: string,
    readonly doc: string,
    spec: readonly (readonly [F, number, string])[],
    align = 8,
  ) {
    for (const [field, size, fdoc] of spec) {
      const a = Math.min(size, 8);
      this.size = (this.size + a - 1) & ~(a - 1);
      this.fields.push({ name: field, offset: this.size, size, doc: fdoc });
      this.off[field] = this.size;
      this.size += size;
    }
    this.size = (this.size + align - 1) & ~(align - 1);
  }
  /** Assembly symbol for a field offset, e.g. TCB_PC. */
  sym(field: F): string {
    return `${this.prefix}_${field.toUpperCase()}`;
  }
  /** `.equ` lines for every field and the size. */
  equs(): string[] {
    const lines = [`# struct ${this.name}: ${this.doc}`];
    for (const f of this.fields) lines.push(`.equ ${this.prefix}_${f.name.toUpperCase()}, ${f.offset}    # ${f.doc}`);
    lines.push(`.equ ${this.prefix}_SIZE, ${this.size}`);
    return lines;
  }
}

// ---------------------------------------------------------------------------------------------------
// The assembly builder

export class Asm {
  private readonly lines: string[] = [];
  private readonly checkedCsrs = new Set<string>();

  /** A raw line (directive or instruction); use sparingly: the typed helpers below are preferred. */
  raw(text: string): this {
    this.lines.push(text);
    return this;
  }
  /** Several raw lines of assembly at once, indented as instructions (a readable block). */
  block(text: string): this {
    for (const l of text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n')) {
      const t = l.trim();
      if (t === '') this.lines.push('');
      else if (t.endsWith(':') || t.startsWith('.') || t.startsWith('#')) this.lines.push(t.startsWith('#') ? `    ${t}` : t);
      else this.lines.push(`    ${t}`);
    }
    return this;
  }
  /** An instruction with an optional comment. */
  i(text: string, comment?: string): this {
    this.lines.push(comment ? `    ${text.padEnd(36)}# ${comment}` : `    ${text}`);
    return this;
  }
  comment(text: string): this {
    for (const l of text.split('\n')) this.lines.push(`    # ${l}`);
    return this;
  }
  /** A section heading: a blank line and a banner comment. */
  heading(text: string): this {
    this.lines.push('', `# ${'-'.repeat(100)}`, ...text.split('\n').map((l) => `# ${l}`), `# ${'-'.repeat(100)}`);
    return this;
  }
  label(name: string): this {
    this.lines.push(`${name}:`);
    return this;
  }
  /** A global label: visible in the symbol table (phase boundaries for `rvx profile --regions`). */
  global(name: string): this {
    this.lines.push(`.globl ${name}`, `${name}:`);
    return this;
  }
  /** A function: global, 4-byte aligned. */
  func(name: string, doc: string): this {
    this.lines.push('', ...doc.split('\n').map((l) => `# ${l}`), '.balign 4', `.globl ${name}`, `${name}:`);
    return this;
  }
  equ(name: string, value: number | bigint | string, comment?: string): this {
    const v = typeof value === 'string' ? value : typeof value === 'bigint' || value > 0xffff || value < 0 ? hex(value) : String(value);
    this.lines.push(comment ? `.equ ${name}, ${v}`.padEnd(40) + `# ${comment}` : `.equ ${name}, ${v}`);
    return this;
  }
  struct(s: StructLayout): this {
    this.lines.push(...s.equs());
    return this;
  }
  section(name: '.text' | '.data' | '.bss' | '.rodata'): this {
    this.lines.push('', `.section ${name}`);
    return this;
  }
  private csr(c: Csr): string {
    if (!this.checkedCsrs.has(c)) {
      if (!csrByName(c)) throw new Error(`builder: CSR '${c}' is not in isa/csrs.ts`);
      this.checkedCsrs.add(c);
    }
    return c;
  }
  csrr(rd: Reg, c: Csr, comment?: string): this {
    return this.i(`csrr ${rd}, ${this.csr(c)}`, comment);
  }
  csrw(c: Csr, rs: Reg, comment?: string): this {
    return this.i(`csrw ${this.csr(c)}, ${rs}`, comment);
  }
  csrs(c: Csr, rs: Reg, comment?: string): this {
    return this.i(`csrs ${this.csr(c)}, ${rs}`, comment);
  }
  csrc(c: Csr, rs: Reg, comment?: string): this {
    return this.i(`csrc ${this.csr(c)}, ${rs}`, comment);
  }
  csrrw(rd: Reg, c: Csr, rs: Reg, comment?: string): this {
    return this.i(`csrrw ${rd}, ${this.csr(c)}, ${rs}`, comment);
  }
  ld(rd: Reg, off: number | string, base: Reg, comment?: string): this {
    return this.i(`ld ${rd}, ${off}(${base})`, comment);
  }
  sd(rs: Reg, off: number | string, base: Reg, comment?: string): this {
    return this.i(`sd ${rs}, ${off}(${base})`, comment);
  }
  li(rd: Reg, v: number | bigint | string, comment?: string): this {
    return this.i(`li ${rd}, ${typeof v === 'string' ? v : hex(v)}`, comment);
  }
  la(rd: Reg, sym: string, comment?: string): this {
    return this.i(`la ${rd}, ${sym}`, comment);
  }
  mv(rd: Reg, rs: Reg, comment?: string): this {
    return this.i(`mv ${rd}, ${rs}`, comment);
  }
  /** Store registers `regs` into the register-file save area at `base + areaOffset + 8*regno`. */
  saveRegs(regs: readonly Reg[], base: Reg, areaOffset: string): this {
    for (const r of regs) this.sd(r, `${areaOffset}+${8 * regNumber(r)}`, base);
    return this;
  }
  /** Load registers `regs` from the save area (the inverse of saveRegs). */
  restoreRegs(regs: readonly Reg[], base: Reg, areaOffset: string): this {
    for (const r of regs) this.ld(r, `${areaOffset}+${8 * regNumber(r)}`, base);
    return this;
  }
  /** Zero-terminated string data under a label. */
  asciz(label: string, text: string): this {
    this.lines.push(`${label}:`, `    .asciz "${escapeString(text)}"`);
    return this;
  }
  /** Bytes as `.byte` lines (16 per line). */
  bytes(data: Uint8Array): this {
    for (let i = 0; i < data.length; i += 16) {
      this.lines.push(`    .byte ${Array.from(data.subarray(i, i + 16), (b) => '0x' + b.toString(16).padStart(2, '0')).join(',')}`);
    }
    return this;
  }
  append(other: Asm): this {
    this.lines.push(...other.lines);
    return this;
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function hex(v: number | bigint): string {
  const b = BigInt(v);
  return b < 0n ? '-0x' + (-b).toString(16) : '0x' + b.toString(16);
}

export function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** All general registers except x0, in order. */
export const ALL_REGS: readonly Reg[] = Array.from({ length: 31 }, (_, k) => regName(k + 1));
