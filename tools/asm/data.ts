// Data directives: integers (`.byte` ... `.quad`, with fixups for symbols), floats, LEB128, strings,
// `.reloc`, alignment and fill fragments.

import { SHF_EXECINSTR, SHT_NOBITS } from '../elf/model.js';
import { AsmError, E_BIN, E_NUM, E_SYM, E_UN, escapeValue, evaluate, type Expr } from './expr.js';
import { FragRef, FixupRecord, FIX_DATA, FRAG_ALIGN, FRAG_FILL, FRAG_LEB, encodeLeb } from './section.js';
import { skipWs } from './lex.js';
import type { Unit } from './unit.js';

/** `.float`/`.double` values: decimal or 0f/0d-prefixed literals, inf and nan, as IEEE 754 binary32/64. */
export function floats(u: Unit, size: number, p: number, end: number): void {
  const n = u.splitOperands(p, end);
  if (u.sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${u.sec.name}' must be zero`, p);
  for (let i = 0; i < n; i++) {
    let t = u.operandText(i).replace(/^([+-]?)0[fdFDeE](?=[0-9.+-])/, '$1');
    const neg = t.startsWith('-');
    const mag = t.replace(/^[+-]/, '').toLowerCase();
    let v: number;
    if (mag === 'inf' || mag === 'infinity') v = Infinity;
    else if (mag === 'nan') v = NaN;
    else if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(mag)) v = Number(mag);
    else throw new AsmError(`bad floating-point number '${u.operandText(i)}'`, u.opS[i]);
    if (neg) v = -v;
    const b = new Uint8Array(size);
    if (size === 4) new DataView(b.buffer).setFloat32(0, v, true);
    else new DataView(b.buffer).setFloat64(0, v, true);
    u.sec.putBytes(b);
    t = '';
  }
}

/** `.uleb128`/`.sleb128`: a constant is encoded now; a difference of labels after layout (FRAG_LEB). */
export function leb128(u: Unit, signed: boolean, p: number, end: number): void {
  const n = u.splitOperands(p, end);
  if (n === 0) throw new AsmError('expected an expression', p);
  for (let i = 0; i < n; i++) {
    const e = u.expr(u.opS[i], u.opE[i]);
    const v = u.evalNow(e);
    if (u.sec.type === SHT_NOBITS && v !== 0n) throw new AsmError(`data in the NOBITS section '${u.sec.name}' must be zero`, u.opS[i]);
    if (v !== null) {
      u.sec.putBytes(encodeLeb(v, signed));
      continue;
    }
    u.sec.hasLeb = true;
    u.sec.addFrag(FRAG_LEB, { expr: e, signed, loc: u.locAt(u.opS[i]) }, 1);
  }
}

/**
 * `.reloc offset, type[, expr]` (GNU as): in a linked image the named relocation is applied at once.
 * R_RISCV_NONE does nothing; the data relocations set, add to or subtract from the bytes there.
 */
export function reloc(u: Unit, p: number, end: number): void {
  const n = u.splitOperands(p, end);
  if (n < 2 || n > 3) throw new AsmError('expected: .reloc offset, type[, expression]', p);
  const where = evaluate(u.expr(u.opS[0], u.opE[0]), u.nowResolve);
  let frag: number;
  let off: number;
  if (where && where.base === null) {
    // An offset from the start of the section.
    frag = 0;
    off = Number(where.off);
  } else if (where && where.base instanceof FragRef && where.base.sec === u.sec) {
    frag = where.base.frag;
    off = Number(where.off);
  } else throw new AsmError('.reloc offset must be a location in the current section', u.opS[0]);
  const type = u.operandText(1).toUpperCase();
  const m = /^(?:R_RISCV_(NONE|32|64|SET8|SET16|SET32|ADD8|ADD16|ADD32|ADD64|SUB8|SUB16|SUB32|SUB64)|BFD_RELOC_(8|16|32|64|NONE))$/.exec(type);
  if (!m) throw new AsmError(`unsupported relocation '${u.operandText(1)}' for .reloc (rvx supports R_RISCV_NONE, 32, 64, SET8/16/32, ADD8-64, SUB8-64)`, u.opS[1]);
  const kind = m[1] ?? m[2];
  const e = n === 3 ? u.expr(u.opS[2], u.opE[2]) : { t: E_NUM as 0, v: 0n };
  if (kind === 'NONE') return;
  const size = Number(/\d+$/.exec(kind)![0]) / 8;
  const mode = kind.startsWith('ADD') ? 1 : kind.startsWith('SUB') ? 2 : 0;
  u.pendingRelocSecs.push(u.sec);
  u.pendingRelocs.push(new FixupRecord(FIX_DATA, frag, off, e, u.locCtx(), u.loc.line, u.locCol(u.opS[0]), size, null, mode, 0, false));
}


export function stringLit(u: Unit, i: number): number[] {
  const s = u.s;
  let p = u.opS[i];
  const end = u.opE[i];
  if (s.charCodeAt(p) !== 34) throw new AsmError('expected a string in double quotes', p);
  const out: number[] = [];
  p++;
  for (;;) {
    if (p >= end) throw new AsmError('unterminated string', u.opS[i]);
    const c = s.charCodeAt(p++);
    if (c === 34) {
      // Adjacent strings are one string (`.string "a" "b"` is "ab\0"), as in GNU as.
      const q = skipWs(s, p, end);
      if (q < end && s.charCodeAt(q) === 34) {
        p = q + 1;
        continue;
      }
      break;
    }
    if (c !== 92) {
      if (c < 0x80) out.push(c);
      else for (const b of new TextEncoder().encode(String.fromCharCode(c))) out.push(b);
      continue;
    }
    if (p >= end) throw new AsmError('unterminated string', u.opS[i]);
    const e = s.charCodeAt(p++);
    if (e >= 48 && e <= 55) {
      let v = e - 48;
      for (let k = 0; k < 2 && p < end && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 55; k++) v = v * 8 + s.charCodeAt(p++) - 48;
      out.push(v & 0xff);
    } else if (e === 120) {
      let v = 0;
      let digits = 0;
      while (p < end && /[0-9a-fA-F]/.test(s[p])) {
        v = ((v << 4) | parseInt(s[p], 16)) & 0xff;
        p++;
        digits++;
      }
      if (!digits) throw new AsmError('bad \\x escape in string', p);
      out.push(v);
    } else {
      const v = escapeValue(e);
      if (v < 0) throw new AsmError(`unknown escape '\\${String.fromCharCode(e)}' in string`, p - 2);
      out.push(v);
    }
  }
  if (skipWs(s, p, end) < end) throw new AsmError('unexpected text after string', p);
  return out;
}

/** The values a data directive of each size (1, 2, 4, 8) holds: below 2^(8 size) in magnitude. A table, not
 * `2 ** (size * 8)` for size < 8: V8 often optimises data() after seeing only one size, and the operation it
 * had not seen run would then deoptimise it. */
const DATA_LIMIT = Float64Array.from({ length: 9 }, (_, size) => (size < 8 ? 2 ** (size * 8) : Infinity));

/** Whether `e` names a label of a code section, itself or through `.set` symbols. */
function namesCodeLabel(e: Expr, depth: number): boolean {
  if (e.t === E_SYM) {
    const s = e;
    if (s.kind === 1) return s.section !== null && (s.section.flags & SHF_EXECINSTR) !== 0;
    return s.kind === 3 && s.expr !== null && depth < 16 && namesCodeLabel(s.expr, depth + 1);
  }
  if (e.t === E_UN) return namesCodeLabel(e.a, depth);
  if (e.t === E_BIN) return namesCodeLabel(e.a, depth) || namesCodeLabel(e.b, depth);
  return false;
}

export function data(u: Unit, size: number, p: number, end: number): void {
  const n = u.splitOperands(p, end);
  const sec = u.sec;
  const lim = DATA_LIMIT[size];
  for (let i = 0; i < n; i++) {
    // A plain number that fits (most of gcc's debug data): no expression tree or BigInt. Anything else,
    // truncation warnings included, takes the general path below.
    const plain = u.plainInt(u.opS[i], u.opE[i]);
    if (plain === plain && plain < lim && plain >= -lim) {
      if (sec.type === SHT_NOBITS && plain !== 0) throw new AsmError(`non-zero data in the NOBITS section '${sec.name}'`, u.opS[i]);
      sec.putIntLE(plain, size);
      continue;
    }
    const e = u.expr(u.opS[i], u.opE[i]);
    // A difference of code labels is a fixup even when both lie in one fragment (GNU as 2.40 never folds
    // one): a linker that relaxes the code between them changes it, so a relaxable object carries it as an
    // ADD/SUB pair (gcc's DWARF function lengths, .LFE-.LFB); elsewhere the fixup resolves to the same value.
    const v = e.t !== E_NUM && namesCodeLabel(e, 0) ? null : u.evalNow(e);
    if (v !== null) {
      if (size < 8) {
        // GNU as truncates with a warning when the value fits neither as unsigned nor as negative.
        const lim = 1n << BigInt(size * 8);
        if (v >= lim || v < -lim) u.warn(`value 0x${BigInt.asUintN(64, v).toString(16)} truncated to 0x${BigInt.asUintN(size * 8, v).toString(16)}`, u.opS[i]);
      }
      if (sec.type === SHT_NOBITS && v !== 0n) throw new AsmError(`non-zero data in the NOBITS section '${sec.name}'`, u.opS[i]);
      sec.putLE(v, size);
    } else {
      if (sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${sec.name}' must be zero`, u.opS[i]);
      sec.records.push(new FixupRecord(FIX_DATA, sec.cur, sec.curSize(), e, u.locCtx(), u.loc.line, u.locCol(u.opS[i]), size, null, 0, 0, false));
      // Zeros until the fixup is written (a number: no BigInt per byte, as putLE takes).
      sec.putIntLE(0, size);
    }
  }
}

export function alignTo(u: Unit, bytes: number, fill: number | null, max: number, pos: number): void {
  if (bytes < 1 || (bytes & (bytes - 1)) !== 0) throw new AsmError(`alignment must be a power of two, got ${bytes}`, pos);
  if (bytes > 1 << 30) throw new AsmError('alignment too large', pos);
  const sec = u.sec;
  if (bytes > sec.align) sec.align = bytes;
  // In code, no fill or a zero fill means nops (llvm-mc: a fill equal to the text fill value, 0); GNU as
  // (read.c, do_align) pads with nops only where no fill is given, and writes any fill given as bytes.
  const nops = (fill === null || (fill === 0 && !u.gnu)) && (sec.flags & SHF_EXECINSTR) !== 0;
  sec.addFrag(FRAG_ALIGN, { align: bytes, fill: fill ?? 0, maxSkip: max, nops, rvc: u.rvc, count: 0, fillSize: 1, fillValue: 0n, norelax: !u.relax, gnuNops: u.gnu });
}

export function fillFrag(u: Unit, count: bigint, size: number, value: bigint, pos: number): void {
  if (count < 0n) {
    u.warn('negative repeat count; ignored', pos);
    return;
  }
  if (count * BigInt(size) > 1n << 30n) throw new AsmError('fill size too large', pos);
  if (u.sec.type === SHT_NOBITS && value !== 0n) throw new AsmError(`non-zero fill in the NOBITS section '${u.sec.name}'`, pos);
  u.sec.addFrag(FRAG_FILL, { align: 1, fill: 0, maxSkip: -1, nops: false, rvc: false, count: Number(count), fillSize: size, fillValue: value }, Number(count) * size);
}
