// Per-opcode facts the timing model needs, derived once from the instruction table: the class of each
// instruction (load, branch, divide, ...) and where its source registers sit in the bits. Compressed rows
// take both from the base instruction they expand to, so `c.addi rd, imm` reads rd like `addi rd, rd, imm`.

import { INSTRUCTIONS, INSTRUCTION_BY_NAME, OPERANDS, type InstrDef } from '../../isa/index.js';

export const C_ALU = 0;
export const C_LOAD_WORD = 1; // ld, lw, lwu
export const C_LOAD_SUB = 2; // lb, lbu, lh, lhu
export const C_STORE = 3;
export const C_AMO = 4; // lr, sc, amo*
export const C_MUL = 5;
export const C_DIV = 6; // 64-bit div/rem
export const C_DIVW = 7; // 32-bit divw/remw
export const C_BRANCH = 8;
export const C_JAL = 9;
export const C_JALR = 10;
export const C_CSR = 11;
export const C_XRET = 12; // mret, sret
export const C_SFENCE = 13;
export const C_FENCE_I = 14;
export const C_XPC = 15;
export const C_SYSTEM = 16; // ecall, ebreak, wfi, fence
// F and D, by the Rocket FPU unit that executes them (rocket-chip src/main/scala/tile/FPU.scala).
export const C_FP_LOAD = 17; // flw, fld
export const C_FP_STORE = 18; // fsw, fsd
export const C_FMA_S = 19; // fadd/fsub/fmul/fmadd/... .s (sfma pipe)
export const C_FMA_D = 20; // the same .d (dfma pipe)
export const C_FP_MISC = 21; // sign injection, fmin/fmax, fcvt.s.d/fcvt.d.s (fpmu)
export const C_FP_FROMINT = 22; // fcvt.{s,d}.{w,wu,l,lu}, fmv.w.x, fmv.d.x (ifpu)
export const C_FP_TOINT = 23; // feq/flt/fle, fclass, fcvt.{w,wu,l,lu}.*, fmv.x.* (fpiu, result to an x register)
export const C_FDIV_S = 24; // fdiv.s, fsqrt.s (iterative divide/square-root unit)
export const C_FDIV_D = 25; // fdiv.d, fsqrt.d

/** OpFacts.mulDiv bits (rocket-chip MulDiv's decode: cmdHi, halfWidth, lhsSigned, rhsSigned). */
export const MD_HI = 1;
export const MD_HALF = 2;
export const MD_LHS_SIGNED = 4;
export const MD_RHS_SIGNED = 8;

function mulDivShape(name: string): number {
  const m = /^(mul|mulh|mulhsu|mulhu|div|divu|rem|remu)(w?)$/.exec(name);
  if (!m) return 0;
  const op = m[1];
  let v = m[2] === 'w' ? MD_HALF : 0;
  if (op === 'mulh' || op === 'mulhsu' || op === 'mulhu' || op === 'rem' || op === 'remu') v |= MD_HI;
  if (op === 'mul' || op === 'mulh' || op === 'mulhsu' || op === 'div' || op === 'rem') v |= MD_LHS_SIGNED;
  if (op === 'mul' || op === 'mulh' || op === 'div' || op === 'rem') v |= MD_RHS_SIGNED;
  return v;
}

export interface OpFacts {
  cls: Uint8Array;
  /** Unsigned divide? (divu/remu/divuw/remuw) */
  unsignedDiv: Uint8Array;
  /** Source register k (0, 1): kind 0 none, 1 bit field, 2 fixed register number in srcLo. */
  srcKind: [Uint8Array, Uint8Array];
  srcLo: [Uint8Array, Uint8Array];
  srcMask: [Uint8Array, Uint8Array];
  srcAdd: [Uint8Array, Uint8Array];
  /** Multiply/divide shape (MD_* bits): which half of the result, operand width and signedness. */
  mulDiv: Uint8Array;
  /** XPC row index into XpcParams keys order (xcall, xret, swapseg, xprefetch), else 255. */
  xpcIndex: Uint8Array;
}

const FIXED: Record<string, number> = { zero: 0, ra: 1, sp: 2 };

function baseName(def: InstrDef): { base: InstrDef; map: Map<string, string> } {
  if (!def.expandsTo) return { base: def, map: new Map(def.fields.map((f) => [f.name, f.name])) };
  const m = /^(\S+)\s*(.*)$/.exec(def.expandsTo)!;
  const base = INSTRUCTION_BY_NAME.get(m[1])!;
  const baseTokens = base.syntax.match(/[a-z0-9_]+/g) ?? [];
  const cTokens = m[2].match(/[a-z0-9_]+/g) ?? [];
  const map = new Map<string, string>();
  baseTokens.forEach((t, i) => map.set(t, cTokens[i]));
  return { base, map };
}

function classify(name: string): number {
  if (['ld', 'lw', 'lwu'].includes(name)) return C_LOAD_WORD;
  if (['lb', 'lbu', 'lh', 'lhu'].includes(name)) return C_LOAD_SUB;
  if (['sb', 'sh', 'sw', 'sd'].includes(name)) return C_STORE;
  if (/^(lr|sc|amo)/.test(name)) return C_AMO;
  if (/^mul/.test(name)) return C_MUL;
  if (/^(div|rem)u?w$/.test(name)) return C_DIVW;
  if (/^(div|rem)u?$/.test(name)) return C_DIV;
  if (/^b(eq|ne|lt|ge|ltu|geu)$/.test(name)) return C_BRANCH;
  if (name === 'jal') return C_JAL;
  if (name === 'jalr') return C_JALR;
  if (/^csrr/.test(name)) return C_CSR;
  if (name === 'mret' || name === 'sret') return C_XRET;
  if (name === 'sfence.vma') return C_SFENCE;
  if (name === 'fence.i') return C_FENCE_I;
  if (['xcall', 'xret', 'swapseg', 'xprefetch'].includes(name)) return C_XPC;
  // The other IPC mechanisms (docs/mechanisms.md): the same engine-step costing (timing/mech.ts).
  if (['gcall', 'gret', 'gfill', 'gflush', 'aslswitch'].includes(name)) return C_XPC;
  if (['ecall', 'ebreak', 'wfi', 'fence', 'fence.tso'].includes(name)) return C_SYSTEM;
  if (name === 'flw' || name === 'fld') return C_FP_LOAD;
  if (name === 'fsw' || name === 'fsd') return C_FP_STORE;
  if (/^f(div|sqrt)\.s$/.test(name)) return C_FDIV_S;
  if (/^f(div|sqrt)\.d$/.test(name)) return C_FDIV_D;
  if (/^f(add|sub|mul|n?madd|n?msub)\.s$/.test(name)) return C_FMA_S;
  if (/^f(add|sub|mul|n?madd|n?msub)\.d$/.test(name)) return C_FMA_D;
  if (/^(feq|flt|fle|fclass|fmv\.x)|^fcvt\.(w|wu|l|lu)\./.test(name)) return C_FP_TOINT;
  if (/^fmv\.[wd]\.x$|^fcvt\.[sd]\.(w|wu|l|lu)$/.test(name)) return C_FP_FROMINT;
  if (/^(fsgnj|fmin|fmax|fcvt\.s\.d|fcvt\.d\.s)/.test(name)) return C_FP_MISC;
  return C_ALU;
}

function build(): OpFacts {
  const n = INSTRUCTIONS.length;
  const mk = () => new Uint8Array(n);
  const facts: OpFacts = {
    cls: mk(),
    unsignedDiv: mk(),
    srcKind: [mk(), mk()],
    srcLo: [mk(), mk()],
    srcMask: [mk(), mk()],
    srcAdd: [mk(), mk()],
    mulDiv: mk(),
    xpcIndex: mk().fill(255),
  };
  for (const def of INSTRUCTIONS) {
    const { base, map } = baseName(def);
    facts.cls[def.id] = classify(base.name);
    facts.unsignedDiv[def.id] = /^(div|rem)uw?$/.test(base.name) ? 1 : 0;
    facts.mulDiv[def.id] = mulDivShape(base.name);
    const xi = ['xcall', 'xret', 'swapseg', 'xprefetch'].indexOf(base.name);
    if (xi >= 0) facts.xpcIndex[def.id] = xi;
    ['rs1', 'rs2'].forEach((src, k) => {
      const own = map.get(src);
      if (own === undefined || !base.fields.some((f) => f.name === src)) return;
      if (own in FIXED) {
        facts.srcKind[k][def.id] = 2;
        facts.srcLo[k][def.id] = FIXED[own];
        return;
      }
      const f = OPERANDS[own];
      if (!f || f.kind !== 'reg') return;
      facts.srcKind[k][def.id] = 1;
      facts.srcLo[k][def.id] = f.lo;
      facts.srcMask[k][def.id] = (1 << (f.hi - f.lo + 1)) - 1;
      facts.srcAdd[k][def.id] = f.prime ? 8 : 0;
    });
  }
  return facts;
}

export const OP_FACTS: OpFacts = build();

/**
 * The f registers an F/D row reads (frs1, frs2, frs3; fsw/fsd's data) and writes (frd), as bit fields
 * of the raw instruction: [lo, lo, lo] of the sources (255: none) and the destination's lo (255: none).
 * Compressed rows (c.fld, c.fsd, c.fldsp, c.fsdsp) take their own fields.
 */
export const FP_SRC_LO: Uint8Array[] = [new Uint8Array(INSTRUCTIONS.length).fill(255), new Uint8Array(INSTRUCTIONS.length).fill(255), new Uint8Array(INSTRUCTIONS.length).fill(255)];
export const FP_SRC_PRIME = new Uint8Array(INSTRUCTIONS.length);
export const FP_DST_LO = new Uint8Array(INSTRUCTIONS.length).fill(255);
export const FP_DST_PRIME = new Uint8Array(INSTRUCTIONS.length);
for (const def of INSTRUCTIONS) {
  let k = 0;
  for (const f of def.fields) {
    if (f.kind !== 'reg' || f.file !== 'f') continue;
    if (f.name === 'frd' || f.name === 'c_frd' || f.name === 'c_frd_p') {
      FP_DST_LO[def.id] = f.lo;
      FP_DST_PRIME[def.id] = f.prime ? 1 : 0;
    } else if (k < 3) {
      FP_SRC_LO[k++][def.id] = f.lo;
      if (f.prime) FP_SRC_PRIME[def.id] = 1;
    }
  }
}

/** f register in the field at bit lo (a 3-bit prime field when prime). */
export function fpRegisterAt(raw: number, lo: number, prime: number): number {
  return prime ? ((raw >>> lo) & 7) + 8 : (raw >>> lo) & 31;
}

const [KIND0, KIND1] = OP_FACTS.srcKind;
const [LO0, LO1] = OP_FACTS.srcLo;
const [MASK0, MASK1] = OP_FACTS.srcMask;
const [ADD0, ADD1] = OP_FACTS.srcAdd;

/** rs1 of an instruction (the register it reads first), or 0 when it has none. */
export function sourceRegister1(opId: number, raw: number): number {
  const kind = KIND0[opId];
  if (kind === 0) return 0;
  if (kind === 2) return LO0[opId];
  return ((raw >>> LO0[opId]) & MASK0[opId]) + ADD0[opId];
}

/** rs2 of an instruction, or 0 when it has none. */
export function sourceRegister2(opId: number, raw: number): number {
  const kind = KIND1[opId];
  if (kind === 0) return 0;
  if (kind === 2) return LO1[opId];
  return ((raw >>> LO1[opId]) & MASK1[opId]) + ADD1[opId];
}

/** Source register k (0 = rs1, 1 = rs2) of an instruction, or 0 when it has none. */
export function sourceRegister(opId: number, raw: number, k: 0 | 1): number {
  return k === 0 ? sourceRegister1(opId, raw) : sourceRegister2(opId, raw);
}
