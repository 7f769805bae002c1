// RISC-V basic block → one WebAssembly function. A block starts at a pc, runs straight through the
// instructions the tier knows (integer computation, loads and stores, M's mul/div, fences) and ends
// with a jump or branch, before an instruction it leaves to the interpreter (system, CSR, atomics,
// mulh*, illegal bits, an instruction crossing the page), at the end of the page, or at MAX_BLOCK.
//
// The function is `(rb, wb) -> exit`: rb and wb are the data TLB sets of the current privilege
// (HartState.rBase/wBase), exit is EXIT_NEXT (pc in JIT_PC: look the next block up), EXIT_BUDGET (not
// enough of the chunk left for this block: nothing ran) or EXIT_INTERP (pc in JIT_PC is an instruction
// the interpreter must run: a TLB miss, misaligned or device access, a jump the tier does not follow).
// Every exit first subtracts the instructions retired from JIT_LEFT, so counts and pc are exact at the
// instruction where the interpreter takes over: exceptions are then raised by the interpreter itself
// with the same pc, tval and instret.
//
// Registers are the 8-byte slots of the hart's memory (layout.ts), loaded and stored as i64. Loads and
// stores check the software TLB inline exactly as the interpreter does (tag words and alignment) and
// use the same page offsets, so the tier and the interpreter share one MMU.

import * as D from '../decode.js';
import * as L from '../layout.js';
import { Code, I32, I64, Op } from './wasm.js';

export const EXIT_NEXT = 0;
export const EXIT_BUDGET = 1;
export const EXIT_INTERP = 2;
/** Returned by the dispatcher (not by blocks): no translated block for pc in JIT_PC. */
export const EXIT_MISS = 3;

/** Longest block, in instructions. */
export const MAX_BLOCK = 64;

/**
 * The commit log a logging block writes (for a cycle model observing the run, docs/machine.md
 * "Translated blocks under a cycle model"): for every pass through the block a 16-byte header
 * { i32 block table index, i32 instructions retired in the pass, i64 pc after the last of them },
 * followed by one event per retired instruction that has a dynamic fact, in order: a load
 * { i64 virtual address, i32 memory offset of the bytes, i32 0 } (16 bytes), a store the same plus
 * the i64 the aligned 8-byte word held before the store (24 bytes: the model's page walker must read
 * page tables as they were when the access happened), a multiply or divide { i64 rs1, i64 rs2 } (16).
 * Everything else about an instruction is static (the reader has the block's instructions).
 */
export const LOG_HEADER_BYTES = 16;
export const LOG_LOAD_BYTES = 16;
export const LOG_STORE_BYTES = 24;
export const LOG_MULDIV_BYTES = 16;
/** The most log bytes one retired instruction can add (a one-instruction pass of a store). */
export const LOG_MAX_PER_INSN = LOG_HEADER_BYTES + LOG_STORE_BYTES;

/** Interpreter opcodes of loads, stores, and M's multiplies and divides (OP_MUL..OP_REMUW). */
export const isLoadOp = (op: number): boolean => op >= D.OP_LB && op <= D.OP_LWU;
export const isStoreOp = (op: number): boolean => op >= D.OP_SB && op <= D.OP_SD;
export const isMulDivOp = (op: number): boolean => op >= D.OP_MUL && op <= D.OP_REMUW;

const TAG_LO = L.TLB_TAG_OFF;
const TAG_HI = L.TLB_TAG_OFF + 4 * L.TLB_SETS * L.TLB_ENTRIES;
const DATA = L.TLB_DATA_OFF;
/** Constant offset of the watched-page entries from wb / 16 (see watchMiss). */
const WATCH = L.WATCH_TLB_OFF - (L.KIND_WRITE * 4 * L.TLB_ENTRIES) / 16;
if (L.TLB_ENTRIES !== 256) throw new Error('translate: watched-page entry addressing assumes 256 TLB entries per set');

// Locals: parameters first, then scratch, then one i64 per guest register the block uses.
const P_RB = 0;
const P_WB = 1;
const L_A = 2; // i64: address / operand
const L_B = 3; // i64: operand
const L_SINK = 4; // i64: results for x0
const L_C = 5; // i64: mulh partial products
const L_D = 6;
const L_E = 7;
const L_LO = 8; // i32: address bits 31:0
const L_HI = 9; // i32: address bits 63:32
const L_T = 10; // i32: TLB entry byte offset
const L_Q = 11; // i32: 32-bit operand
const L_R = 12; // i32: 32-bit operand
const L_LOG = 13; // i32: next free byte of the commit log (logging blocks)
const L_HDR = 14; // i32: this pass's header in the commit log
const L_H = 15; // i32: memory offset of a store's bytes
const FIRST_REG_LOCAL = 16;
const SCRATCH_LOCALS: [number, number][] = [[6, I64], [8, I32]];

/** Whether the translator handles opcode op (else the block ends before it). */
export const TRANSLATABLE = new Uint8Array(D.OP_COUNT);
for (let op = D.OP_LUI; op <= D.OP_FENCE_I; op++) TRANSLATABLE[op] = 1;
for (const op of [D.OP_MUL, D.OP_MULH, D.OP_MULHSU, D.OP_MULHU, D.OP_DIV, D.OP_DIVU, D.OP_REM, D.OP_REMU, D.OP_MULW, D.OP_DIVW, D.OP_DIVUW, D.OP_REMW, D.OP_REMUW]) {
  TRANSLATABLE[op] = 1;
}
TRANSLATABLE[D.OP_BIT] = 1;

/** One decoded instruction of a block. */
interface Insn {
  pc: number;
  op: number;
  d: number;
  s1: number;
  s2: number;
  len: number;
  imm: number;
  /** Instruction bits and InstrDef id (for the commit log's reader). */
  raw: number;
  id: number;
  /** A jal whose target the block continues at (on the same page). */
  follow: boolean;
}

/** A scanned block: its instructions in execution order, and how the last one hands on. */
export interface ScannedBlock {
  insns: Insn[];
  /** Where execution goes after the last instruction when it does not jump. */
  endPc: number;
  /** endPc is an instruction the interpreter must run (else the dispatcher looks endPc up). */
  endInterp: boolean;
}

export interface BlockCode {
  body: Code;
  /** Local declarations after the two parameters. */
  locals: [number, number][];
  /** Instructions in the block (the most one pass can retire). */
  count: number;
  /** Bytes of the page the block's instructions lie in, [startOff, endOff) (for invalidation). */
  startOff: number;
  endOff: number;
}

/** Instruction fetch for the translator: the 16-bit parcel at byte offset off of the code page. */
export type ReadParcel = (off: number) => number;


/**
 * Decode the block at pc (virtual; its page's bytes through `parcel`). A block is a trace within pc's
 * page: it runs on through the fall-through side of conditional branches (the taken side leaves the
 * block, or loops back when it targets the block's start) and through jal to targets on the same page;
 * it ends at jalr, at a jal it cannot follow, before an instruction that is not for the tier, at the end
 * of the page or at MAX_BLOCK instructions. No instructions: the first one is not for the tier.
 */
export function scanBlock(pc: number, parcel: ReadParcel, isa: D.IsaConfig, sameRegion?: (a: number, b: number) => boolean): ScannedBlock {
  const insns: Insn[] = [];
  const slot: D.DecodedSlot = { op: 0, f: 0, imm: 0, id: -1 };
  const pageBase = pc - (pc & 4095);
  const seen = new Set<number>();
  let p = pc;
  for (;;) {
    const off = p - pageBase;
    if (insns.length >= MAX_BLOCK || off < 0 || off >= 4096) return { insns, endPc: p, endInterp: false };
    // Profiling: a block never crosses into another function, so its counts belong to one.
    if (sameRegion !== undefined && p !== pc && !sameRegion(pc, p)) return { insns, endPc: p, endInterp: false };
    const low = parcel(off);
    let raw = low;
    if ((low & 3) === 3) {
      if (off === 4094) return { insns, endPc: p, endInterp: true }; // crosses the page: the interpreter fetches it
      raw = (low | (parcel(off + 2) << 16)) >>> 0;
    }
    D.decodeSlot(raw, isa, slot);
    if (!TRANSLATABLE[slot.op]) return { insns, endPc: p, endInterp: true };
    const len = (raw & 3) === 3 ? 4 : 2;
    const f = slot.f;
    const x: Insn = { pc: p, op: slot.op, d: f & 127, s1: (f >>> 7) & 63, s2: (f >>> 13) & 63, len, imm: slot.imm, raw, id: slot.id, follow: false };
    insns.push(x);
    seen.add(p);
    if (slot.op === D.OP_JALR) return { insns, endPc: p + len, endInterp: false };
    if (slot.op === D.OP_JAL) {
      const t = p + slot.imm;
      if (t === pc || seen.has(t) || t - pageBase < 0 || t - pageBase >= 4096 || insns.length >= MAX_BLOCK || (sameRegion !== undefined && !sameRegion(pc, t))) {
        return { insns, endPc: p + len, endInterp: false };
      }
      x.follow = true;
      p = t;
      continue;
    }
    p += len;
    if (seen.has(p)) return { insns, endPc: p, endInterp: false }; // fall-through into the trace: leave
  }
}

const i64c = (v: number): bigint => BigInt.asIntN(64, BigInt(v));

/**
 * Emit the WebAssembly body for the scanned block `insns` (non-empty). With logId >= 0 (the block's
 * table index) the block also writes the commit log (LOG_* above); with profileIndex > 0 it adds what it
 * retires to its profiling counter (layout.ts JIT_PROF_OFF).
 */
export function emitBlock(block: ScannedBlock, isa: D.IsaConfig, logId = -1, profileIndex = -1): BlockCode {
  const logging = logId >= 0;
  const insns = block.insns;
  const c = new Code();
  const count = insns.length;
  const start = insns[0].pc;
  const misalign = isa.c ? 0 : 2;

  // Guest registers live in locals for the whole block (and across the passes of a self-loop): loaded
  // once on entry, stored back at every exit. Fields an instruction does not have decode as x0 (slot 0),
  // which reads as the constant 0; writes to x0 (the sink slot) go to a scratch local.
  const regLocal = new Map<number, number>();
  const written: number[] = [];
  for (const x of insns) {
    for (const r of [x.s1, x.s2]) if (r !== 0 && !regLocal.has(r)) regLocal.set(r, FIRST_REG_LOCAL + regLocal.size);
    if (D.WRITES_RD[x.op] && x.d !== L.X0_SINK * 2) {
      if (!regLocal.has(x.d)) regLocal.set(x.d, FIRST_REG_LOCAL + regLocal.size);
      if (!written.includes(x.d)) written.push(x.d);
    }
  }
  const reg = (slot: number) => (slot === 0 ? c.i64(0n) : c.get(regLocal.get(slot)!));
  const writeBack = () => {
    for (const slot of written) c.i32(0).get(regLocal.get(slot)!).mem(Op.i64_store, 3, slot * 4);
  };
  /** Retire k instructions of this pass: JIT_LEFT -= k. */
  const retire = (k: number) => {
    if (k === 0) return;
    c.i32(0).i32(0).mem(Op.i32_load, 2, L.JIT_LEFT_OFF).i32(k).op(Op.i32_sub).mem(Op.i32_store, 2, L.JIT_LEFT_OFF);
    if (profileIndex > 0) {
      // Profiling: the block's counter for the current privilege += k.
      const at = L.JIT_PROF_OFF + 32 * profileIndex;
      c.i32(0).mem(Op.i32_load, 2, L.JIT_PRIV_OFF).i32(3).op(Op.i32_shl);
      c.i32(0).mem(Op.i32_load, 2, L.JIT_PRIV_OFF).i32(3).op(Op.i32_shl).mem(Op.i64_load, 3, at);
      c.i64(BigInt(k)).op(Op.i64_add).mem(Op.i64_store, 3, at);
    }
  };
  const setPc = (pc: number) => c.i32(0).i64(i64c(pc)).mem(Op.i64_store, 3, L.JIT_PC_OFF);
  /** Logging: fill this pass's header (k retired; the next pc from `nextPc`, which pushes an i64). */
  const header = (k: number, nextPc: () => void) => {
    if (!logging) return;
    c.get(L_HDR).i32(logId).mem(Op.i32_store, 2, 0);
    c.get(L_HDR).i32(k).mem(Op.i32_store, 2, 4);
    c.get(L_HDR);
    nextPc();
    c.mem(Op.i64_store, 3, 8);
  };
  const saveLog = () => {
    if (logging) c.i32(0).get(L_LOG).mem(Op.i32_store, 2, L.JIT_LOG_PTR_OFF);
  };
  const exit = (k: number, pc: number, code: number, pass = true) => {
    writeBack();
    retire(k);
    setPc(pc);
    if (pass) header(k, () => c.i64(i64c(pc)));
    saveLog();
    c.i32(code).op(Op.return);
  };
  /** A pass ends by looping back to the block's start (k retired). */
  const loopBack = (k: number, depth: number) => {
    retire(k);
    header(k, () => c.i64(i64c(start)));
    c.br(depth);
  };

  for (const [slot, local] of regLocal) c.i32(0).mem(Op.i64_load, 3, slot * 4).set(local);
  if (logging) c.i32(0).mem(Op.i32_load, 2, L.JIT_LOG_PTR_OFF).set(L_LOG);
  // The loop a self-branch jumps back to; each pass first checks the chunk has room for the whole block.
  c.open(Op.loop);
  c.i32(0).mem(Op.i32_load, 2, L.JIT_LEFT_OFF).i32(count).op(Op.i32_lt_s).open(Op.if);
  exit(0, start, EXIT_BUDGET, false);
  c.end();
  if (logging) c.get(L_LOG).tee(L_HDR).i32(LOG_HEADER_BYTES).op(Op.i32_add).set(L_LOG);
  /** Logging: append the i64 on the stack at log offset `at` of the current event (pushes nothing). */
  const logI64 = (value: () => void, at: number) => {
    c.get(L_LOG);
    value();
    c.mem(Op.i64_store, 3, at);
  };
  const logAdvance = (bytes: number) => c.get(L_LOG).i32(bytes).op(Op.i32_add).set(L_LOG);

  /** Address x[s1] + imm into L_A/L_LO/L_HI and its TLB entry into L_T; leaves the miss condition (i32). */
  const tlbCheck = (s1: number, imm: number, size: number, set: number) => {
    reg(s1).i64(BigInt(imm)).op(Op.i64_add).tee(L_A).op(Op.i32_wrap_i64).set(L_LO);
    c.get(L_A).i64(32n).op(Op.i64_shr_u).op(Op.i32_wrap_i64).set(L_HI);
    c.get(set).get(L_LO).i32(12).op(Op.i32_shr_u).i32(L.TLB_ENTRIES - 1).op(Op.i32_and).op(Op.i32_add).i32(2).op(Op.i32_shl).set(L_T);
    c.get(L_T).mem(Op.i32_load, 2, TAG_LO).get(L_LO).i32(12).op(Op.i32_shr_u).op(Op.i32_ne);
    c.get(L_T).mem(Op.i32_load, 2, TAG_HI).get(L_HI).op(Op.i32_ne).op(Op.i32_or);
    if (size > 1) c.get(L_LO).i32(size - 1).op(Op.i32_and).op(Op.i32_or);
  };
  /** Memory offset of the access checked by tlbCheck. */
  const hostAddr = () => c.get(L_T).mem(Op.i32_load, 2, DATA).get(L_LO).i32(4095).op(Op.i32_and).op(Op.i32_add);
  /**
   * After a write-TLB miss of a `size`-byte store at L_LO/L_HI: leaves 1 (i32) unless the data
   * privilege's watched-page entry maps the address, the store is naturally aligned and it leaves the
   * watched doubleword alone. The entry is at WATCH_TLB_OFF + 16·privilege, and the write set wb is
   * (4 + privilege) · TLB_ENTRIES entries, so its byte address is wb / 16 + WATCH_TLB_OFF − 64.
   */
  const watchMiss = (size: number) => {
    c.get(P_WB).i32(4).op(Op.i32_shr_u).set(L_Q);
    c.get(L_Q).mem(Op.i32_load, 2, WATCH).get(L_LO).i32(12).op(Op.i32_shr_u).op(Op.i32_ne);
    c.get(L_Q).mem(Op.i32_load, 2, WATCH + 4).get(L_HI).op(Op.i32_ne).op(Op.i32_or);
    if (size > 1) c.get(L_LO).i32(size - 1).op(Op.i32_and).op(Op.i32_or);
    c.get(L_Q).mem(Op.i32_load, 2, WATCH + 8).i32(4095).op(Op.i32_and).get(L_LO).i32(0xff8).op(Op.i32_and).op(Op.i32_eq).op(Op.i32_or);
  };
  /** Memory offset of the access watchMiss let through. */
  const watchAddr = () => c.get(L_Q).mem(Op.i32_load, 2, WATCH + 8).i32(~4095).op(Op.i32_and).get(L_LO).i32(4095).op(Op.i32_and).op(Op.i32_add);

  for (let k = 0; k < count; k++) {
    const x = insns[k];
    const { op, d, s1, s2, imm, pc, len } = x;
    const next = pc + len;
    const dst = () => c;
    const store = () => c.set(d === L.X0_SINK * 2 ? L_SINK : regLocal.get(d)!);
    const binop = (o: number, b: () => void) => {
      dst();
      reg(s1);
      b();
      c.op(o);
      store();
    };
    const word = (o: number, b: () => void) => {
      // 32-bit operation, result sign-extended (RV64 *W instructions).
      dst();
      reg(s1).op(Op.i32_wrap_i64);
      b();
      c.op(o).op(Op.i64_extend_i32_s);
      store();
    };
    const immv = () => c.i64(BigInt(imm));
    const rs2 = () => reg(s2);
    const rs2w = () => reg(s2).op(Op.i32_wrap_i64);
    /** Zba/Zbb/Zbc/Zbs (emulator/bitmanip.ts has the same operations, with the spec's sections). */
    const bitmanip = (bop: number, shamt: number) => {
      const B = D.BIT;
      const uw = () => reg(s1).op(Op.i32_wrap_i64).op(Op.i64_extend_i32_u); // zext32(rs1)
      const wordOf = (o: number, b: () => void) => {
        reg(s1).op(Op.i32_wrap_i64);
        b();
        c.op(o).op(Op.i64_extend_i32_s);
      };
      const count32 = (o: number) => reg(s1).op(Op.i32_wrap_i64).op(o).op(Op.i64_extend_i32_u);
      const pick = (cmp: number) => {
        // max/min: select(rs1, rs2, rs1 cmp rs2)
        reg(s1);
        reg(s2);
        reg(s1);
        reg(s2);
        c.op(cmp).op(Op.select);
      };
      switch (bop) {
        case B['add.uw']: uw(); rs2(); c.op(Op.i64_add); break;
        case B.sh1add: case B.sh2add: case B.sh3add:
          reg(s1).i64(BigInt(1 + bop - B.sh1add)).op(Op.i64_shl);
          rs2();
          c.op(Op.i64_add);
          break;
        case B['sh1add.uw']: case B['sh2add.uw']: case B['sh3add.uw']:
          uw().i64(BigInt(1 + bop - B['sh1add.uw'])).op(Op.i64_shl);
          rs2();
          c.op(Op.i64_add);
          break;
        case B['slli.uw']: uw().i64(BigInt(shamt)).op(Op.i64_shl); break;
        case B.andn: reg(s1); rs2(); c.i64(-1n).op(Op.i64_xor).op(Op.i64_and); break;
        case B.orn: reg(s1); rs2(); c.i64(-1n).op(Op.i64_xor).op(Op.i64_or); break;
        case B.xnor: reg(s1); rs2(); c.op(Op.i64_xor).i64(-1n).op(Op.i64_xor); break;
        // WebAssembly's clz/ctz of 0 are the width, as Zbb's (64; 32 for the W forms on bits 31..0).
        case B.clz: reg(s1).op(Op.i64_clz); break;
        case B.ctz: reg(s1).op(Op.i64_ctz); break;
        case B.cpop: reg(s1).op(Op.i64_popcnt); break;
        case B.clzw: count32(Op.i32_clz); break;
        case B.ctzw: count32(Op.i32_ctz); break;
        case B.cpopw: count32(Op.i32_popcnt); break;
        case B.max: pick(Op.i64_gt_s); break;
        case B.maxu: pick(Op.i64_gt_u); break;
        case B.min: pick(Op.i64_lt_s); break;
        case B.minu: pick(Op.i64_lt_u); break;
        case B['sext.b']: reg(s1).op(Op.i64_extend8_s); break;
        case B['sext.h']: reg(s1).op(Op.i64_extend16_s); break;
        case B['zext.h']: reg(s1).i64(0xffffn).op(Op.i64_and); break;
        // WebAssembly rotates take the count modulo the width, as rol/ror (rs2[5:0]) and rolw/rorw (rs2[4:0]).
        case B.rol: reg(s1); rs2(); c.op(Op.i64_rotl); break;
        case B.ror: reg(s1); rs2(); c.op(Op.i64_rotr); break;
        case B.rori: reg(s1).i64(BigInt(shamt)).op(Op.i64_rotr); break;
        case B.rolw: wordOf(Op.i32_rotl, rs2w); break;
        case B.rorw: wordOf(Op.i32_rotr, rs2w); break;
        case B.roriw: wordOf(Op.i32_rotr, () => c.i32(shamt)); break;
        case B['orc.b']: {
          // A byte's top bit after ((x & 0x7f..) + 0x7f..) | x is set when the byte is not zero; spread it.
          const low7 = 0x7f7f7f7f7f7f7f7fn;
          reg(s1).set(L_A);
          c.get(L_A).i64(low7).op(Op.i64_and).i64(low7).op(Op.i64_add).get(L_A).op(Op.i64_or);
          c.i64(BigInt.asIntN(64, 0x8080808080808080n)).op(Op.i64_and).i64(7n).op(Op.i64_shr_u).i64(0xffn).op(Op.i64_mul);
          break;
        }
        case B.rev8: {
          // Swap bytes within 16-bit pieces, then 16-bit pieces within words, then the words.
          const m8 = 0x00ff00ff00ff00ffn, m16 = 0x0000ffff0000ffffn;
          reg(s1).set(L_A);
          c.get(L_A).i64(8n).op(Op.i64_shr_u).i64(m8).op(Op.i64_and).get(L_A).i64(m8).op(Op.i64_and).i64(8n).op(Op.i64_shl).op(Op.i64_or).set(L_A);
          c.get(L_A).i64(16n).op(Op.i64_shr_u).i64(m16).op(Op.i64_and).get(L_A).i64(m16).op(Op.i64_and).i64(16n).op(Op.i64_shl).op(Op.i64_or);
          c.i64(32n).op(Op.i64_rotl);
          break;
        }
        case B.clmul: case B.clmulh: case B.clmulr: {
          // For each set bit i of rs2 (lowest first): lo ^= rs1 << i, hi ^= rs1 >> (64 - i), the latter
          // as (rs1 >> 1) >> (63 - i) so that i = 0 adds nothing (WebAssembly shifts are modulo 64).
          reg(s1).set(L_A);
          reg(s2).set(L_B);
          c.i64(0n).set(L_C).i64(0n).set(L_D);
          c.open(Op.block).open(Op.loop);
          c.get(L_B).op(Op.i64_eqz).brIf(1);
          c.get(L_B).op(Op.i64_ctz).set(L_E);
          c.get(L_C).get(L_A).get(L_E).op(Op.i64_shl).op(Op.i64_xor).set(L_C);
          c.get(L_D).get(L_A).i64(1n).op(Op.i64_shr_u).i64(63n).get(L_E).op(Op.i64_sub).op(Op.i64_shr_u).op(Op.i64_xor).set(L_D);
          c.get(L_B).get(L_B).i64(1n).op(Op.i64_sub).op(Op.i64_and).set(L_B);
          c.br(0).end().end();
          if (bop === B.clmul) c.get(L_C);
          else if (bop === B.clmulh) c.get(L_D);
          else c.get(L_D).i64(1n).op(Op.i64_shl).get(L_C).i64(63n).op(Op.i64_shr_u).op(Op.i64_or); // bits 126..63
          break;
        }
        case B.bclr: case B.binv: case B.bset: case B.bext:
        case B.bclri: case B.binvi: case B.bseti: case B.bexti: {
          // The bit index is rs2 modulo 64 (the shift does that) or the immediate.
          const imm = bop === B.bclri || bop === B.binvi || bop === B.bseti || bop === B.bexti;
          const index = () => (imm ? c.i64(BigInt(shamt)) : rs2());
          if (bop === B.bext || bop === B.bexti) {
            reg(s1);
            index();
            c.op(Op.i64_shr_u).i64(1n).op(Op.i64_and);
            break;
          }
          reg(s1);
          c.i64(1n);
          index();
          c.op(Op.i64_shl);
          if (bop === B.bclr || bop === B.bclri) c.i64(-1n).op(Op.i64_xor).op(Op.i64_and);
          else c.op(bop === B.binv || bop === B.binvi ? Op.i64_xor : Op.i64_or);
          break;
        }
        default:
          throw new Error(`jit: no translation for bit-manipulation operation ${bop}`);
      }
      store();
    };
    if (logging && isMulDivOp(op)) {
      logI64(() => reg(s1), 0);
      logI64(() => reg(s2), 8);
      logAdvance(LOG_MULDIV_BYTES);
    }
    switch (op) {
      case D.OP_LUI:
        dst().i64(BigInt(imm));
        store();
        break;
      case D.OP_AUIPC:
        dst().i64(i64c(pc + imm));
        store();
        break;
      case D.OP_JAL:
        dst().i64(i64c(next));
        store();
        if (x.follow) break; // the block goes on at the target
        if (pc + imm === start) loopBack(k + 1, 0);
        else exit(k + 1, pc + imm, EXIT_NEXT);
        break;
      case D.OP_JALR: {
        // Target first (rd may be rs1); a target the interpreter treats specially (misaligned without C,
        // beyond what a Number pc holds) goes back to it.
        reg(s1).i64(BigInt(imm)).op(Op.i64_add).i64(-2n).op(Op.i64_and).tee(L_A);
        c.i64(32n).op(Op.i64_shr_s).op(Op.i32_wrap_i64).i32(0x100000).op(Op.i32_add).i32(0x200000).op(Op.i32_ge_u);
        if (misalign) c.get(L_A).op(Op.i32_wrap_i64).i32(misalign).op(Op.i32_and).op(Op.i32_or);
        c.open(Op.if);
        exit(k, pc, EXIT_INTERP);
        c.end();
        dst().i64(i64c(next));
        store();
        writeBack();
        retire(k + 1);
        c.i32(0).get(L_A).mem(Op.i64_store, 3, L.JIT_PC_OFF);
        header(k + 1, () => c.get(L_A));
        saveLog();
        c.i32(EXIT_NEXT).op(Op.return);
        break;
      }
      case D.OP_BEQ: case D.OP_BNE: case D.OP_BLT: case D.OP_BGE: case D.OP_BLTU: case D.OP_BGEU: {
        const cmp = [Op.i64_eq, Op.i64_ne, Op.i64_lt_s, Op.i64_ge_s, Op.i64_lt_u, Op.i64_ge_u][op - D.OP_BEQ];
        reg(s1);
        reg(s2);
        c.op(cmp).open(Op.if);
        if (pc + imm === start) loopBack(k + 1, 1);
        else exit(k + 1, pc + imm, EXIT_NEXT);
        c.end();
        break; // not taken: the block goes on
      }
      case D.OP_LB: case D.OP_LH: case D.OP_LW: case D.OP_LD: case D.OP_LBU: case D.OP_LHU: case D.OP_LWU: {
        const size = [1, 2, 4, 8, 1, 2, 4][op - D.OP_LB];
        const load = [Op.i64_load8_s, Op.i64_load16_s, Op.i64_load32_s, Op.i64_load, Op.i64_load8_u, Op.i64_load16_u, Op.i64_load32_u][op - D.OP_LB];
        tlbCheck(s1, imm, size, P_RB);
        c.open(Op.if);
        exit(k, pc, EXIT_INTERP);
        c.end();
        if (logging) {
          logI64(() => c.get(L_A), 0);
          c.get(L_LOG);
          hostAddr();
          c.mem(Op.i32_store, 2, 8);
          logAdvance(LOG_LOAD_BYTES);
        }
        dst();
        hostAddr();
        c.mem(load, 0, 0);
        store();
        break;
      }
      case D.OP_SB: case D.OP_SH: case D.OP_SW: case D.OP_SD: {
        const size = 1 << (op - D.OP_SB);
        const st = [Op.i64_store8, Op.i64_store16, Op.i64_store32, Op.i64_store][op - D.OP_SB];
        tlbCheck(s1, imm, size, P_WB);
        c.open(Op.if);
        // A write-TLB miss: the page of tohost stores through the watched-page entry unless the store
        // touches tohost (or is misaligned); everything else is the interpreter's.
        watchMiss(size);
        c.open(Op.if);
        exit(k, pc, EXIT_INTERP);
        c.end();
        watchAddr();
        c.set(L_H);
        c.op(Op.else);
        hostAddr();
        c.set(L_H);
        c.end();
        if (logging) {
          logI64(() => c.get(L_A), 0);
          c.get(L_LOG).get(L_H).mem(Op.i32_store, 2, 8);
          logI64(() => c.get(L_H).i32(-8).op(Op.i32_and).mem(Op.i64_load, 3, 0), 16);
          logAdvance(LOG_STORE_BYTES);
        }
        c.get(L_H);
        reg(s2);
        c.mem(st, 0, 0);
        break;
      }
      case D.OP_ADDI: binop(Op.i64_add, immv); break;
      case D.OP_XORI: binop(Op.i64_xor, immv); break;
      case D.OP_ORI: binop(Op.i64_or, immv); break;
      case D.OP_ANDI: binop(Op.i64_and, immv); break;
      case D.OP_SLTI:
      case D.OP_SLTIU:
        dst();
        reg(s1);
        immv();
        c.op(op === D.OP_SLTI ? Op.i64_lt_s : Op.i64_lt_u).op(Op.i64_extend_i32_u);
        store();
        break;
      case D.OP_SLLI: binop(Op.i64_shl, () => c.i64(BigInt(imm & 63))); break;
      case D.OP_SRLI: binop(Op.i64_shr_u, () => c.i64(BigInt(imm & 63))); break;
      case D.OP_SRAI: binop(Op.i64_shr_s, () => c.i64(BigInt(imm & 63))); break;
      case D.OP_ADD: binop(Op.i64_add, rs2); break;
      case D.OP_SUB: binop(Op.i64_sub, rs2); break;
      case D.OP_SLL: binop(Op.i64_shl, rs2); break; // WebAssembly shifts take the count mod 64, as RV64
      case D.OP_SRL: binop(Op.i64_shr_u, rs2); break;
      case D.OP_SRA: binop(Op.i64_shr_s, rs2); break;
      case D.OP_XOR: binop(Op.i64_xor, rs2); break;
      case D.OP_OR: binop(Op.i64_or, rs2); break;
      case D.OP_AND: binop(Op.i64_and, rs2); break;
      case D.OP_SLT:
      case D.OP_SLTU:
        dst();
        reg(s1);
        reg(s2);
        c.op(op === D.OP_SLT ? Op.i64_lt_s : Op.i64_lt_u).op(Op.i64_extend_i32_u);
        store();
        break;
      case D.OP_ADDIW: word(Op.i32_add, () => c.i32(imm)); break;
      case D.OP_SLLIW: word(Op.i32_shl, () => c.i32(imm & 31)); break;
      case D.OP_SRLIW: word(Op.i32_shr_u, () => c.i32(imm & 31)); break;
      case D.OP_SRAIW: word(Op.i32_shr_s, () => c.i32(imm & 31)); break;
      case D.OP_ADDW: word(Op.i32_add, rs2w); break;
      case D.OP_SUBW: word(Op.i32_sub, rs2w); break;
      case D.OP_SLLW: word(Op.i32_shl, rs2w); break;
      case D.OP_SRLW: word(Op.i32_shr_u, rs2w); break;
      case D.OP_SRAW: word(Op.i32_shr_s, rs2w); break;
      case D.OP_MUL: binop(Op.i64_mul, rs2); break;
      case D.OP_MULW: word(Op.i32_mul, rs2w); break;
      case D.OP_MULH: case D.OP_MULHSU: case D.OP_MULHU: {
        // High 64 bits of the 128-bit product from 32-bit halves (WebAssembly has no wide multiply):
        // unsigned first, then the signed corrections hi -= (a < 0 ? b : 0) + (b < 0 ? a : 0).
        reg(s1).set(L_A);
        reg(s2).set(L_B);
        const lo32 = (l: number) => c.get(l).i64(0xffffffffn).op(Op.i64_and);
        const hi32 = (l: number) => c.get(l).i64(32n).op(Op.i64_shr_u);
        lo32(L_A);
        hi32(L_B);
        c.op(Op.i64_mul).set(L_C); // p1 = aLo * bHi
        hi32(L_A);
        lo32(L_B);
        c.op(Op.i64_mul).set(L_D); // p2 = aHi * bLo
        // mid = (aLo * bLo >> 32) + (p1 & 0xffffffff) + (p2 & 0xffffffff)
        lo32(L_A);
        lo32(L_B);
        c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u);
        lo32(L_C);
        c.op(Op.i64_add);
        lo32(L_D);
        c.op(Op.i64_add).set(L_E);
        // hi = aHi * bHi + (p1 >> 32) + (p2 >> 32) + (mid >> 32)
        hi32(L_A);
        hi32(L_B);
        c.op(Op.i64_mul);
        hi32(L_C);
        c.op(Op.i64_add);
        hi32(L_D);
        c.op(Op.i64_add);
        hi32(L_E);
        c.op(Op.i64_add);
        if (op !== D.OP_MULHU) {
          // a < 0: subtract b (arithmetic shift gives an all-ones mask)
          c.get(L_A).i64(63n).op(Op.i64_shr_s).get(L_B).op(Op.i64_and).op(Op.i64_sub);
        }
        if (op === D.OP_MULH) c.get(L_B).i64(63n).op(Op.i64_shr_s).get(L_A).op(Op.i64_and).op(Op.i64_sub);
        store();
        break;
      }
      case D.OP_DIV: case D.OP_REM: case D.OP_DIVU: case D.OP_REMU: {
        // Division by zero and the signed overflow have defined results (unprivileged spec, M chapter,
        // table 7.1), where WebAssembly traps: divide by 1 instead (which also gives the overflow's
        // quotient and remainder), then pick the by-zero result.
        const signed = op === D.OP_DIV || op === D.OP_REM;
        const isDiv = op === D.OP_DIV || op === D.OP_DIVU;
        reg(s1).set(L_A);
        reg(s2).set(L_B);
        dst();
        if (isDiv) c.i64(-1n);
        else c.get(L_A);
        c.get(L_A).i64(1n).get(L_B).get(L_B).op(Op.i64_eqz);
        if (signed) c.get(L_A).i64(-(1n << 63n)).op(Op.i64_eq).get(L_B).i64(-1n).op(Op.i64_eq).op(Op.i32_and).op(Op.i32_or);
        c.op(Op.select);
        c.op(signed ? (isDiv ? Op.i64_div_s : Op.i64_rem_s) : isDiv ? Op.i64_div_u : Op.i64_rem_u);
        c.get(L_B).op(Op.i64_eqz).op(Op.select);
        store();
        break;
      }
      case D.OP_DIVW: case D.OP_REMW: case D.OP_DIVUW: case D.OP_REMUW: {
        const signed = op === D.OP_DIVW || op === D.OP_REMW;
        const isDiv = op === D.OP_DIVW || op === D.OP_DIVUW;
        reg(s1).op(Op.i32_wrap_i64).set(L_Q);
        reg(s2).op(Op.i32_wrap_i64).set(L_R);
        dst();
        if (isDiv) c.i32(-1);
        else c.get(L_Q);
        c.get(L_Q).i32(1).get(L_R).get(L_R).op(Op.i32_eqz);
        if (signed) c.get(L_Q).i32(-0x80000000).op(Op.i32_eq).get(L_R).i32(-1).op(Op.i32_eq).op(Op.i32_and).op(Op.i32_or);
        c.op(Op.select);
        c.op(signed ? (isDiv ? Op.i32_div_s : Op.i32_rem_s) : isDiv ? Op.i32_div_u : Op.i32_rem_u);
        c.get(L_R).op(Op.i32_eqz).op(Op.select);
        c.op(Op.i64_extend_i32_s);
        store();
        break;
      }
      case D.OP_BIT:
        bitmanip(imm & 0xff, imm >>> 8);
        break;
      case D.OP_FENCE:
      case D.OP_FENCE_I:
        // Nothing to order on one hart; translated code is kept coherent with stores by invalidation
        // (tier.ts), as the decoded-instruction cache is, so fence.i has nothing to do either.
        break;
      default:
        throw new Error(`jit: no translation for opcode ${op}`);
    }
  }
  // Fell off the end (after a branch not taken, at the end of the page or of MAX_BLOCK, or before an
  // instruction for the interpreter). A block that ends with a jump has left already.
  const last = insns[count - 1];
  if (last.op !== D.OP_JALR && !(last.op === D.OP_JAL && !last.follow)) {
    if (block.endPc === start) loopBack(count, 0);
    else exit(count, block.endPc, block.endInterp ? EXIT_INTERP : EXIT_NEXT);
  }
  c.end(); // loop
  c.op(Op.unreachable);
  let lo = 4096, hi = 0;
  for (const x of insns) {
    lo = Math.min(lo, x.pc & 4095);
    hi = Math.max(hi, (x.pc & 4095) + x.len);
  }
  return { body: c, locals: [...SCRATCH_LOCALS, [regLocal.size, I64]], count, startOff: lo, endOff: hi };
}
