// Pseudo-instructions (unprivileged spec, "RISC-V Assembly Programmer's Handbook" tables, plus the aliases
// llvm-mc 14 accepts for rv64imac). Each rewrites into table rows; nothing here encodes bits itself except
// `unimp`, whose encodings (c.unimp = 0x0000, csrrw x0, cycle, x0) are not instructions of the table.
// A handler returns false to let the mnemonic's table row parse the operands instead (e.g. `jal rd, L`).

import { materialize } from '../../isa/li.js';
import { INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { AsmError } from './expr.js';
import { isSpace, matchParenBack, parseReg } from './lex.js';
import { FIX_GOT_HI, FIX_PCREL_HI, FIX_PCREL_LO_PAIR, FIX_TLS_GD_HI, FIX_TLS_IE_HI } from './section.js';
import type { Pending, Unit } from './unit.js';

function I(name: string): InstrDef {
  const d = INSTRUCTION_BY_NAME.get(name);
  if (!d) throw new Error(`pseudo-instructions: no row '${name}' in the table`);
  return d;
}

const ADDI = I('addi');
const LD = I('ld');
const ADDIW = I('addiw');
const XORI = I('xori');
const ANDI = I('andi');
const SLTIU = I('sltiu');
const SUB = I('sub');
const SUBW = I('subw');
const SLT = I('slt');
const SLTU = I('sltu');
const JAL = I('jal');
const JALR = I('jalr');
const AUIPC = I('auipc');
const CSRRS = I('csrrs');
const FENCE = I('fence');
const SFENCE = I('sfence.vma');
const C_ADDI = I('c.addi');
const LI_OPS: Record<string, InstrDef> = {
  lui: I('lui'), addi: ADDI, addiw: ADDIW, slli: I('slli'), srli: I('srli'),
  'slli.uw': I('slli.uw'), 'add.uw': I('add.uw'), sh1add: I('sh1add'), sh2add: I('sh2add'), sh3add: I('sh3add'),
  rori: I('rori'), bseti: I('bseti'), bclri: I('bclri'),
};
const NONE: Pending[] = [];
/** attributes.ts ZB_BITS. */
const ZBA = 1, ZBB = 2, ZBS = 8;
const TARGET_PEND: Pending[] = [];
/**
 * Operand values for the common pseudo-instructions' rows, one array per length refilled by ops2/ops3
 * rather than an array literal per statement: emit() keeps nothing of them (a row without pending fields is
 * encoded at once; a branch's target goes to RelaxTable or a FixupRecord, its registers packed into numbers),
 * and each is filled just before the emit() that reads it.
 */
const OPS2 = [0, 0];
const OPS3 = [0, 0, 0];

function ops2(a: number, b: number): number[] {
  const v = OPS2;
  v[0] = a;
  v[1] = b;
  return v;
}

function ops3(a: number, b: number, c: number): number[] {
  const v = OPS3;
  v[0] = a;
  v[1] = b;
  v[2] = c;
  return v;
}

type Handler = (u: Unit, n: number) => boolean;

function count(u: Unit, n: number, want: number, form: string): void {
  if (n < want) throw new AsmError(`too few operands (expected: ${form})`, u.opS[n] ?? -1);
  if (n > want) throw new AsmError(`too many operands (expected: ${form})`, u.opS[want]);
}

/** Emit `def` with a branch/jump target from operand ti in field fi. */
function withTarget(u: Unit, def: InstrDef, values: number[], fi: number, ti: number): void {
  // emit() copies what it keeps out of the pending entries, so one array serves every call. Emptied by
  // pop(): `length = 0` drops the array's backing store, and the next push allocates a fresh one.
  const pend = TARGET_PEND;
  while (pend.length !== 0) pend.pop();
  u.immOperand(def, def.fields[fi], fi, ti, values, pend);
  u.emit(def, values, pend, ti);
}

/** rd, rs -> op rd, <a>, <b> where a/b pick rs or x0 (or an immediate). */
function unary(def: InstrDef, build: (rd: number, rs: number) => number[], form: string): Handler {
  return (u, n) => {
    count(u, n, 2, form);
    u.emit(def, build(u.reg(0), u.reg(1)), NONE, 1);
    return true;
  };
}

/**
 * `mv rd, rs` is `addi rd, rs, 0`. GNU as compresses it only to c.mv, which needs rs != x0, so under
 * `--compat gnu` `mv rd, zero` stays a 4-byte addi (LLVM makes it c.li rd, 0).
 */
function move(form: string): Handler {
  const expected = `${form} rd, rs`;
  return (u, n) => {
    count(u, n, 2, expected);
    const rd = u.reg(0);
    const rs = u.reg(1);
    if (u.gnu && rs === 0) u.noCompress = true;
    u.emit(ADDI, ops3(rd, rs, 0), NONE, 1);
    return true;
  };
}

function branchZero(name: string, rsFirst: boolean): Handler {
  const def = I(name);
  const expected = `${name === 'beq' ? 'beqz' : ''} rs, target`.trim();
  return (u, n) => {
    count(u, n, 2, expected);
    const rs = u.reg(0);
    withTarget(u, def, rsFirst ? ops3(rs, 0, 0) : ops3(0, rs, 0), 2, 1);
    return true;
  };
}

function branchSwap(name: string): Handler {
  const def = I(name);
  return (u, n) => {
    count(u, n, 3, 'rs, rt, target');
    withTarget(u, def, ops3(u.reg(1), u.reg(0), 0), 2, 2);
    return true;
  };
}

/** auipc tmp, %pcrel_hi(e); then `def` with the low part in field lo. */
function pcrelPair(u: Unit, tmp: number, symOp: number, def: InstrDef, values: number[], lo: number, plt = false): void {
  let end = u.opE[symOp];
  // `call foo@plt` (what gcc -fPIC writes): in a statically linked image the PLT entry is the function.
  // (The '@' first: most calls have no suffix, and the slice and lower-casing allocate two strings.)
  if (plt && end - u.opS[symOp] > 4 && u.s.charCodeAt(end - 4) === 64 && u.s.slice(end - 4, end).toLowerCase() === '@plt') end -= 4;
  const e = u.expr(u.opS[symOp], end);
  if (u.s.charCodeAt(u.opS[symOp]) === 37) throw new AsmError('expected a symbol, not a relocation modifier', u.opS[symOp]);
  if (def === JALR) {
    // A call: one fixup record for the pair (section.ts FIX_CALL). GNU as's riscv_call ends the fragment
    // after the jalr (see InstructionEmitter.emitWithFixups).
    u.emitCall(tmp, values, e, symOp);
    if (u.gnu) u.sec.newData();
    return;
  }
  u.emit(AUIPC, [tmp, 0], [{ field: 1, kind: FIX_PCREL_HI, expr: e, pcAdjust: 0, operand: symOp }], symOp);
  u.emit(def, values, [{ field: lo, kind: FIX_PCREL_LO_PAIR, expr: e, pcAdjust: -4, operand: symOp }], symOp);
}

function csrWrite(name: string, immName: string): Handler {
  const def = I(name);
  const idef = I(immName);
  return (u, n) => {
    count(u, n, 2, 'csr, rs|imm');
    const csr = u.csr(0);
    if (u.isReg(1)) u.emit(def, ops3(0, csr, u.reg(1)), NONE, 1);
    else csrImm(u, idef, 0, csr, 1);
    return true;
  };
}

function csrImm(u: Unit, def: InstrDef, rd: number, csr: number, op: number): void {
  const values = [rd, csr, 0];
  const pend: Pending[] = [];
  u.immOperand(def, def.fields[2], 2, op, values, pend);
  if (pend.length) throw new AsmError('CSR immediate must be a constant in the range [0, 31]', u.opS[op]);
  u.emit(def, values, NONE, op);
}

function csrImmOnly(immName: string): Handler {
  const def = I(immName);
  return (u, n) => {
    count(u, n, 2, 'csr, imm');
    csrImm(u, def, 0, u.csr(0), 1);
    return true;
  };
}

/** csrrw/csrrs/csrrc rd, csr, imm -> the i form. */
function csrRegOrImm(immName: string): Handler {
  const idef = I(immName);
  return (u, n) => {
    if (n !== 3 || u.isReg(2)) return false;
    csrImm(u, idef, u.reg(0), u.csr(1), 2);
    return true;
  };
}

function counter(csr: number): Handler {
  return (u, n) => {
    count(u, n, 1, 'rd');
    u.emit(CSRRS, ops3(u.reg(0), csr, 0), NONE);
    return true;
  };
}

/**
 * The floating-point CSR pseudo-instructions (unprivileged spec, "RISC-V Assembly Programmer's Handbook"):
 * `fscsr rd, rs` / `fscsr rs` write fcsr (likewise fsrm/frm, fsflags/fflags), `fsrmi`/`fsflagsi` with an
 * immediate. They are plain Zicsr instructions (so they assemble whatever the ISA string says).
 */
function fpCsrWrite(csr: number, imm: boolean): Handler {
  const def = imm ? I('csrrwi') : I('csrrw');
  return (u, n) => {
    if (n < 1 || n > 2) throw new AsmError(`expected ${imm ? 'rd, imm or imm' : 'rd, rs or rs'}`, u.opS[n > 2 ? 2 : 0] ?? -1);
    const rd = n === 2 ? u.reg(0) : 0;
    const src = n === 2 ? 1 : 0;
    if (imm) csrImm(u, def, rd, csr, src);
    else u.emit(def, ops3(rd, csr, u.reg(src)), NONE, src);
    return true;
  };
}

/** fmv/fneg/fabs.{s,d} rd, rs: sign injection with rs twice (F chapter, "Single-Precision Floating-Point Conversion and Move Instructions"). */
function fpUnary(name: string): Handler {
  const def = I(name);
  return (u, n) => {
    count(u, n, 2, 'rd, rs');
    const rs = u.freg(1);
    u.emit(def, ops3(u.freg(0), rs, rs), NONE, 1);
    return true;
  };
}

/** fgt/fge.{s,d} rd, rs, rt: flt/fle with the sources swapped. */
function fpSwapped(name: string): Handler {
  const def = I(name);
  return (u, n) => {
    count(u, n, 3, 'rd, rs, rt');
    u.emit(def, ops3(u.reg(0), u.freg(2), u.freg(1)), NONE, 1);
    return true;
  };
}

/** The pre-2017 names fmv.x.s and fmv.s.x of fmv.x.w and fmv.w.x. */
function renamed(name: string): Handler {
  const def = I(name);
  return (u) => {
    u.row(def);
    return true;
  };
}

function li(u: Unit, n: number): boolean {
  count(u, n, 2, 'li rd, imm');
  const rd = u.reg(0);
  const a = u.opS[1];
  if (u.s.charCodeAt(a) === 37 || !u.parseValue(a, u.opE[1])) {
    throw new AsmError('operand must be a constant 64-bit integer (use la for addresses)', a);
  }
  const v = u.constNum;
  if (u.gnu) {
    gnuLi(u, rd, u.constVal);
    return true;
  }
  if (!u.constWide) {
    // A 32-bit constant (nearly every li in compiler output; constNum is exact there): isa/li.ts's
    // lui/addi(w) choice in plain numbers, without BigInt steps (the same instructions: at most two, so
    // materialize tries no shifted alternative).
    const hi20 = Math.floor((v + 0x800) / 4096) & 0xfffff;
    const lo12 = (v << 20) >> 20;
    // Each test below runs on every such li, so V8 has seen both outcomes before it optimises (a test
    // reached only in a rare case, as `lo12 === 0` is, deoptimises the optimised code the first time).
    if (hi20 === 0) {
      u.emit(ADDI, ops3(rd, 0, lo12), NONE, 1);
      return true;
    }
    u.emit(LI_OPS.lui, ops2(rd, hi20), NONE, 1);
    if (lo12 !== 0) u.emit(ADDIW, ops3(rd, rd, lo12), NONE, 1);
    return true;
  }
  const zb = u.zb;
  const steps = materialize(u.constVal, zb === 0 ? undefined : { zba: (zb & ZBA) !== 0, zbb: (zb & ZBB) !== 0, zbs: (zb & ZBS) !== 0 });
  let first = true;
  for (const st of steps) {
    const def = LI_OPS[st.op];
    const src = first ? 0 : rd;
    let values: number[];
    if (st.op === 'lui') values = [rd, st.imm];
    else if (st.op === 'add.uw') values = [rd, src, 0]; // zext.w
    else if (st.op === 'sh1add' || st.op === 'sh2add' || st.op === 'sh3add') values = [rd, src, src];
    else values = [rd, src, st.imm];
    u.emit(def, values, NONE, 1);
    first = false;
  }
  return true;
}

/**
 * `li` as GNU as 2.40 expands it (gas/config/tc-riscv.c, load_const): a 12-bit value is one `addi rd,
 * zero, v` (c.li when it fits and rd != x0); a sign-extended 32-bit value is `lui` (when the upper part is
 * not 0) then `addiw` of the low 12 bits (when not 0, or alone); anything wider is built from the value
 * with its low 12 bits removed, shifted right past its trailing zeros (recursively, by the 32-bit rule,
 * where a lone low part is `addiw rd, zero, v`), then `slli` and an `addi` of the low 12 bits. Each step is
 * compressed as GNU as compresses that mnemonic.
 */
function gnuLi(u: Unit, rd: number, value: bigint): void {
  const v = BigInt.asIntN(64, value);
  if (v >= -2048n && v <= 2047n) {
    if (rd === 0) u.noCompress = true;
    u.emit(ADDI, ops3(rd, 0, Number(v)), NONE, 1);
    return;
  }
  gnuLoadConst(u, rd, v);
}

function gnuLoadConst(u: Unit, rd: number, v: bigint): void {
  const lower = BigInt.asIntN(12, v);
  const upper = v - lower;
  if (v !== BigInt.asIntN(32, v)) {
    let shift = 12n;
    while (((upper >> shift) & 1n) === 0n) shift++;
    gnuLoadConst(u, rd, BigInt.asIntN(64, upper) >> shift);
    u.emit(LI_OPS.slli, ops3(rd, rd, Number(shift)), NONE, 1);
    if (lower !== 0n) u.emit(ADDI, ops3(rd, rd, Number(lower)), NONE, 1);
    return;
  }
  let hiReg = 0;
  if (upper !== 0n) {
    u.emit(LI_OPS.lui, ops2(rd, Number(BigInt.asUintN(32, upper) >> 12n)), NONE, 1);
    hiReg = rd;
  }
  if (lower !== 0n || hiReg === 0) u.emit(ADDIW, ops3(rd, hiReg, Number(lower)), NONE, 1);
}

/**
 * zext.w, zext.h, sext.b, sext.h: with the extension that has them (Zba's `add.uw rd, rs, zero`; Zbb's
 * rows) one instruction, else `slli` by `shift` then `srli` (zero-extend) or `srai` (sign-extend), as
 * llvm-mc 14 and GNU as 2.40 expand them without the extension.
 */
function extendPair(name: string, viaRow: string | null, ext: number, shift: number, signed: boolean): Handler {
  const form = `${name} rd, rs`;
  const row = viaRow === null ? I(name) : I(viaRow);
  const right = signed ? I('srai') : I('srli');
  return (u, n) => {
    count(u, n, 2, form);
    const rd = u.reg(0);
    const rs = u.reg(1);
    if ((u.zb & ext) !== 0) u.emit(row, viaRow === null ? ops2(rd, rs) : ops3(rd, rs, 0), NONE, 1);
    else {
      u.emit(I('slli'), ops3(rd, rs, shift), NONE, 1);
      u.emit(right, ops3(rd, rd, shift), NONE, 1);
    }
    return true;
  };
}

function unimp(u: Unit, n: number): boolean {
  count(u, n, 0, 'unimp');
  if (u.sec.type === 8) throw new AsmError(`instructions are not allowed in the NOBITS section '${u.sec.name}'`);
  // c.unimp (all zeros) with C, else `csrrw x0, cycle, x0`, as llvm-mc emits them.
  u.mapState(1, false);
  if (u.rvc) u.sec.put16(0);
  else u.emit(I('csrrw'), ops3(0, 0xc00, 0), NONE);
  u.sec.hasCode = true;
  return true;
}

export const PSEUDOS = new Map<string, Handler>([
  ['nop', (u, n) => (count(u, n, 0, 'nop'), u.emit(ADDI, ops3(0, 0, 0), NONE), true)],
  [
    'c.nop',
    // `c.nop imm`, as GNU as and LLVM take it: c.addi x0, imm, one of the HINTs of the C chapter (C.NOP
    // with a nonzero immediate; riscv-arch-test's cnop-01 uses them). `c.nop` alone is the table's row.
    (u, n) => {
      if (n === 0) return false;
      count(u, n, 1, 'c.nop [imm]');
      const pend = TARGET_PEND;
      pend.length = 0;
      const values = [0, 0];
      u.immOperand(C_ADDI, C_ADDI.fields[1], 1, 0, values, pend);
      // GNU as and LLVM refuse `c.nop 0` too: the plain c.nop has no operand.
      if (pend.length === 0 && values[1] === 0) throw new AsmError('immediate must be non-zero in the range [-32, 31]', u.opS[0]);
      u.emit(C_ADDI, values, pend, 0);
      return true;
    },
  ],
  ['li', li],
  // `la` is `lla` unless `.option pic` is in force: then it loads the address from the GOT (GNU as).
  ['la', (u, n) => (count(u, n, 2, 'la rd, symbol'), u.pic ? u.gotPair(u.reg(0), FIX_GOT_HI, 1, LD, [u.reg(0), 0, u.reg(0)], 1) : pcrelPair(u, u.reg(0), 1, ADDI, [u.reg(0), u.reg(0), 0], 2), true)],
  ['la.tls.ie', (u, n) => (count(u, n, 2, 'la.tls.ie rd, symbol'), u.gotPair(u.reg(0), FIX_TLS_IE_HI, 1, LD, [u.reg(0), 0, u.reg(0)], 1), true)],
  ['la.tls.gd', (u, n) => (count(u, n, 2, 'la.tls.gd rd, symbol'), u.gotPair(u.reg(0), FIX_TLS_GD_HI, 1, ADDI, [u.reg(0), u.reg(0), 0], 2), true)],
  ['la.got', (u, n) => (count(u, n, 2, 'la.got rd, symbol'), u.gotPair(u.reg(0), FIX_GOT_HI, 1, LD, [u.reg(0), 0, u.reg(0)], 1), true)],
  ['lla', (u, n) => (count(u, n, 2, 'lla rd, symbol'), pcrelPair(u, u.reg(0), 1, ADDI, [u.reg(0), u.reg(0), 0], 2), true)],
  ['mv', move('mv')],
  ['move', move('move')],
  ['not', unary(XORI, (rd, rs) => ops3(rd, rs, -1), 'not rd, rs')],
  ['neg', unary(SUB, (rd, rs) => ops3(rd, 0, rs), 'neg rd, rs')],
  ['negw', unary(SUBW, (rd, rs) => ops3(rd, 0, rs), 'negw rd, rs')],
  ['sext.w', unary(ADDIW, (rd, rs) => ops3(rd, rs, 0), 'sext.w rd, rs')],
  ['zext.b', unary(ANDI, (rd, rs) => ops3(rd, rs, 255), 'zext.b rd, rs')],
  ['zext.w', extendPair('zext.w', 'add.uw', ZBA, 32, false)],
  ['zext.h', extendPair('zext.h', null, ZBB, 48, false)],
  ['sext.b', extendPair('sext.b', null, ZBB, 56, true)],
  ['sext.h', extendPair('sext.h', null, ZBB, 48, true)],
  ['seqz', unary(SLTIU, (rd, rs) => ops3(rd, rs, 1), 'seqz rd, rs')],
  ['snez', unary(SLTU, (rd, rs) => ops3(rd, 0, rs), 'snez rd, rs')],
  ['sltz', unary(SLT, (rd, rs) => ops3(rd, rs, 0), 'sltz rd, rs')],
  ['sgtz', unary(SLT, (rd, rs) => ops3(rd, 0, rs), 'sgtz rd, rs')],
  ['sgt', (u, n) => (count(u, n, 3, 'sgt rd, rs, rt'), u.emit(SLT, ops3(u.reg(0), u.reg(2), u.reg(1)), NONE), true)],
  ['sgtu', (u, n) => (count(u, n, 3, 'sgtu rd, rs, rt'), u.emit(SLTU, ops3(u.reg(0), u.reg(2), u.reg(1)), NONE), true)],
  ['beqz', branchZero('beq', true)],
  ['bnez', branchZero('bne', true)],
  ['blez', branchZero('bge', false)],
  ['bgez', branchZero('bge', true)],
  ['bltz', branchZero('blt', true)],
  ['bgtz', branchZero('blt', false)],
  ['bgt', branchSwap('blt')],
  ['ble', branchSwap('bge')],
  ['bgtu', branchSwap('bltu')],
  ['bleu', branchSwap('bgeu')],
  ['j', (u, n) => (count(u, n, 1, 'j target'), withTarget(u, JAL, ops2(0, 0), 1, 0), true)],
  [
    'jal',
    (u, n) => {
      if (n !== 1) return false;
      withTarget(u, JAL, ops2(1, 0), 1, 0);
      return true;
    },
  ],
  [
    'jr',
    (u, n) => {
      if (n === 1 && u.isReg(0)) u.emit(JALR, ops3(0, 0, u.reg(0)), NONE);
      else if (n === 2) jalrRegOffset(u, 0, 0, 1);
      else if (n === 1) jalrMem(u, 0, 0);
      else count(u, n, 1, 'jr rs');
      return true;
    },
  ],
  [
    'jalr',
    (u, n) => {
      if (n === 1) {
        if (u.isReg(0)) u.emit(JALR, ops3(1, 0, u.reg(0)), NONE);
        else jalrMem(u, 1, 0);
        return true;
      }
      if (n === 2 && u.isReg(1)) {
        if (u.gnu) u.noCompress = true;
        u.emit(JALR, ops3(u.reg(0), 0, u.reg(1)), NONE);
        return true;
      }
      if (n === 3) {
        jalrRegOffset(u, u.reg(0), 1, 2);
        return true;
      }
      if (n === 2 && !endsWithBaseRegister(u, 1)) {
        // `jalr rs, imm` links through ra, in GNU as ("s,j") and LLVM: picolibc's memset.S
        // `jalr t0, %pcrel_lo(1b)` is jalr ra, %pcrel_lo(1b)(t0).
        jalrRegOffset(u, 1, 0, 1);
        return true;
      }
      return false;
    },
  ],
  ['ret', (u, n) => (count(u, n, 0, 'ret'), u.emit(JALR, ops3(0, 0, 1), NONE), true)],
  [
    'call',
    (u, n) => {
      if (n === 2) {
        // `call rd, symbol`: LLVM's auipc goes to rd itself; GNU as's (opcodes/riscv-opc.c, "d,c") to t1.
        const rd = u.reg(0);
        const tmp = u.gnu ? 6 : rd;
        pcrelPair(u, tmp, 1, JALR, ops3(rd, 0, tmp), 1, true);
      } else {
        count(u, n, 1, 'call symbol');
        pcrelPair(u, 1, 0, JALR, ops3(1, 0, 1), 1, true);
      }
      return true;
    },
  ],
  ['tail', (u, n) => (count(u, n, 1, 'tail symbol'), pcrelPair(u, 6, 0, JALR, ops3(0, 0, 6), 1, true), true)],
  ['jump', (u, n) => (count(u, n, 2, 'jump symbol, rt'), pcrelPair(u, u.reg(1), 0, JALR, [0, 0, u.reg(1)], 1), true)],
  ['csrr', (u, n) => (count(u, n, 2, 'csrr rd, csr'), u.emit(CSRRS, ops3(u.reg(0), u.csr(1), 0), NONE), true)],
  ['csrw', csrWrite('csrrw', 'csrrwi')],
  ['csrs', csrWrite('csrrs', 'csrrsi')],
  ['csrc', csrWrite('csrrc', 'csrrci')],
  ['csrwi', csrImmOnly('csrrwi')],
  ['csrsi', csrImmOnly('csrrsi')],
  ['csrci', csrImmOnly('csrrci')],
  ['csrrw', csrRegOrImm('csrrwi')],
  ['csrrs', csrRegOrImm('csrrsi')],
  ['csrrc', csrRegOrImm('csrrci')],
  ['fmv.s', fpUnary('fsgnj.s')],
  ['fneg.s', fpUnary('fsgnjn.s')],
  ['fabs.s', fpUnary('fsgnjx.s')],
  ['fmv.d', fpUnary('fsgnj.d')],
  ['fneg.d', fpUnary('fsgnjn.d')],
  ['fabs.d', fpUnary('fsgnjx.d')],
  ['fgt.s', fpSwapped('flt.s')],
  ['fge.s', fpSwapped('fle.s')],
  ['fgt.d', fpSwapped('flt.d')],
  ['fge.d', fpSwapped('fle.d')],
  ['fmv.x.s', renamed('fmv.x.w')],
  ['fmv.s.x', renamed('fmv.w.x')],
  ['frcsr', counter(0x003)],
  ['frsr', counter(0x003)],
  ['fscsr', fpCsrWrite(0x003, false)],
  ['fssr', fpCsrWrite(0x003, false)],
  ['frrm', counter(0x002)],
  ['fsrm', fpCsrWrite(0x002, false)],
  ['fsrmi', fpCsrWrite(0x002, true)],
  ['frflags', counter(0x001)],
  ['fsflags', fpCsrWrite(0x001, false)],
  ['fsflagsi', fpCsrWrite(0x001, true)],
  ['rdcycle', counter(0xc00)],
  ['rdtime', counter(0xc01)],
  ['rdinstret', counter(0xc02)],
  [
    'fence',
    (u, n) => {
      if (n !== 0) return false;
      u.emit(FENCE, ops2(15, 15), NONE);
      return true;
    },
  ],
  [
    'sfence.vma',
    (u, n) => {
      u.privUsed = true;
      if (n === 0) u.emit(SFENCE, ops2(0, 0), NONE);
      else if (n === 1) u.emit(SFENCE, ops2(u.reg(0), 0), NONE);
      else return false;
      return true;
    },
  ],
  // Privileged instructions only mark the unit (GNU as's riscv_is_priv_insn); the table encodes them.
  ...['wfi', 'mret', 'sret'].map((name): [string, Handler] => [name, (u) => ((u.privUsed = true), false)]),
  ['unimp', unimp],
  ['c.unimp', unimp],
  ['scall', (u, n) => (count(u, n, 0, 'scall'), u.emit(I('ecall'), [], NONE), true)],
  ['sbreak', (u, n) => (count(u, n, 0, 'sbreak'), u.emit(I('ebreak'), [], NONE), true)],
]);

// `add rd, rs, imm` and friends: the register-register mnemonics take an immediate third operand as
// their immediate form, as GNU as and llvm-mc accept.
for (const [rr, ri] of [['add', 'addi'], ['and', 'andi'], ['or', 'ori'], ['xor', 'xori'], ['sll', 'slli'], ['srl', 'srli'], ['sra', 'srai'],
  ['slt', 'slti'], ['sltu', 'sltiu'], ['addw', 'addiw'], ['sllw', 'slliw'], ['srlw', 'srliw'], ['sraw', 'sraiw'],
  // Zbb's rotates right and Zbs's (not rol/rolw: GNU as and llvm-mc refuse an immediate there).
  ['ror', 'rori'], ['rorw', 'roriw'], ['bclr', 'bclri'], ['bext', 'bexti'], ['binv', 'binvi'], ['bset', 'bseti']] as const) {
  const idef = I(ri);
  PSEUDOS.set(rr, (u, n) => {
    // `add rd, rs1, tp, %tprel_add(sym)` (TLS local-exec).
    if (rr === 'add' && n === 4 && u.operandText(3).startsWith('%')) {
      u.tpreladd();
      return true;
    }
    if (n !== 3 || u.isReg(2)) return false;
    u.row(idef);
    return true;
  });
}

/** jalr rd, off(rs) written as a memory operand in operand `op`. */
// GNU as compresses jalr/jr only in the one-register forms (`jalr rs`, `jr rs`, `ret`): with --compat gnu
// the forms below (`jalr rd, rs`, `jalr rd, rs, 0`, `jr 0(rs)`...) stay 4 bytes.
function jalrMem(u: Unit, rd: number, op: number): void {
  if (u.gnu) u.noCompress = true;
  // Reuse the table row's memory-operand parsing by presenting `rd, off(rs)`.
  const values = [rd, 0, 0];
  const pend: Pending[] = [];
  const s = u.s;
  const a = u.opS[op];
  const b = u.opE[op];
  if (s.charCodeAt(b - 1) !== 41) throw new AsmError('expected a register or offset(register)', a);
  const open = s.lastIndexOf('(', b - 1);
  if (open < a) throw new AsmError('expected a register or offset(register)', a);
  const base = u.regAt(open + 1, b - 1);
  values[2] = base;
  if (open > a) {
    const saveE = u.opE[op];
    u.opE[op] = open;
    u.immOperand(JALR, JALR.fields[1], 1, op, values, pend);
    u.opE[op] = saveE;
  }
  u.emit(JALR, values, pend, op);
}

/** jalr rd, rs, off / jr rs, off. */
/** Whether operand `op` ends with a base register in parentheses, `off(rs)` (not `%pcrel_lo(1b)`). */
function endsWithBaseRegister(u: Unit, op: number): boolean {
  const s = u.s;
  let b = u.opE[op];
  if (s.charCodeAt(b - 1) !== 41) return false;
  const open = matchParenBack(s, u.opS[op], --b);
  if (open < 0) return false;
  let a = open + 1;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return parseReg(s, a, b) >= 0;
}

function jalrRegOffset(u: Unit, rd: number, rsOp: number, offOp: number): void {
  if (u.gnu) u.noCompress = true;
  const values = [rd, 0, u.reg(rsOp)];
  const pend: Pending[] = [];
  u.immOperand(JALR, JALR.fields[1], 1, offOp, values, pend);
  u.emit(JALR, values, pend, offOp);
}
