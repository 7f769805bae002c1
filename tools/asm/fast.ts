// The assembler's fast lane: a line that is one plain instruction — a base row whose operands are integer
// registers, plain decimal or hex numbers and `offset(register)` — or one of the commonest
// pseudo-instructions with such operands (`mv`, `li`), read and emitted by one function, with no operand
// ranges, expression trees or per-statement objects. It answers false, having changed nothing, for anything
// else (a symbol, a modifier, a comment other than `#`, a second statement, an out-of-range value, an
// upper-case mnemonic, a macro of that name...), and the line goes the general way (unit.ts).
//
// Why it exists: `rvx asm` runs mostly cold, before V8 has optimised the assembler, and most lines of
// compiler output and of the benchmark are of this kind; one loop V8 optimises early reads them at a small
// fraction of the general path's cost (docs/assembler.md, "The fast lane"). The bytes are the general
// path's: the same rows, the same compression (emitPlain), the same choices in --compat gnu.

import { INSTRUCTIONS, INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { encodeBits } from '../../isa/codec.js';
import { SHT_NOBITS } from '../elf/model.js';
import { PSEUDOS, REG_OR_IMM } from './pseudo.js';
import { slotPlan, PCREL_FIELDS } from './operands.js';
import { parseReg } from './lex.js';
import type { InstructionEmitter } from './emit.js';
import type { Frame } from './core.js';

/** Operand kinds of a fast form. */
const K_REG = 0;
const K_IMM = 1;
const K_MEM = 2; // imm(reg)
const K_MEM0 = 3; // (reg), no offset

/** Forms that are not a table row: the pseudo-instructions handled here. */
const F_ROW = 0;
const F_MV = 1;
const F_LI = 2;

interface FastForm {
  form: number;
  def: InstrDef;
  /** Per syntax slot: operand kind, and where its value (and a memory operand's base) goes in def.fields. */
  kinds: Int8Array;
  field: Int8Array;
  base: Int8Array;
}

const FAST = new Map<string, FastForm>();
/** Rows whose pseudo-instruction handler passes three registers on to the row (the fast forms of these rows
 * take registers only). */
const THREE_REGS = new Set<string>(REG_OR_IMM.map(([rr]) => rr));
for (const def of INSTRUCTIONS) {
  // Not a row a pseudo-instruction handler sees first (but for THREE_REGS), nor jal/jalr (GNU compresses
  // them only in pseudo forms).
  if (def.size !== 4 || (PSEUDOS.has(def.name) && !THREE_REGS.has(def.name)) || def.name === 'jal' || def.name === 'jalr') continue;
  const plan = slotPlan(def);
  const n = plan.length;
  if (n === 0) continue;
  const kinds = new Int8Array(n);
  const field = new Int8Array(n);
  const base = new Int8Array(n);
  let ok = true;
  for (let i = 0; i < n && ok; i++) {
    const sp = plan[i];
    if (sp.kind === 0) {
      kinds[i] = K_REG;
      field[i] = sp.field;
    } else if (sp.kind === 1) {
      const f = sp.f!;
      // Plain immediates only: not a CSR, fence set, rounding mode or branch target.
      if (f.kind !== 'imm' || f.name === 'csr' || f.print !== undefined || PCREL_FIELDS.has(f.name)) ok = false;
      kinds[i] = K_IMM;
      field[i] = sp.field;
    } else if (sp.kind === 3 && sp.baseField >= 0) {
      if (sp.off !== null && (sp.off.kind !== 'imm' || sp.off.print !== undefined)) ok = false;
      kinds[i] = sp.off === null ? K_MEM0 : K_MEM;
      field[i] = sp.offField;
      base[i] = sp.baseField;
    } else ok = false;
  }
  if (ok) FAST.set(def.name, { form: F_ROW, def, kinds, field, base });
}
const ADDI = INSTRUCTION_BY_NAME.get('addi')!;
const two = (form: number, second: number): FastForm => ({
  form, def: ADDI, kinds: Int8Array.of(K_REG, second), field: Int8Array.of(0, 1), base: Int8Array.of(0, 0),
});
FAST.set('mv', two(F_MV, K_REG));
FAST.set('li', two(F_LI, K_IMM));

const LUI = INSTRUCTION_BY_NAME.get('lui')!;
const ADDIW = INSTRUCTION_BY_NAME.get('addiw')!;

/** Scratch values: one array for every fast instruction (emitPlain reads, never keeps, them). */
const vals = [0, 0, 0, 0];
const tmp = [0, 0, 0, 0];

/** Blanks: space and tab. */
function blank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Lines of the frame on top (a file or an expansion) through the fast lane, one after another, until one is
 * not of the fast kind, is a C preprocessor line marker, or is the frame's last (the general loop in
 * unit.ts then takes it, and its frame's end). One loop, so V8 optimises it on the stack early.
 */
export function fastRun(u: InstructionEmitter, f: Frame): void {
  const loc = u.loc;
  if (f.lines !== null) {
    const lines = f.lines;
    for (let i = f.idx; i < lines.length; i = f.idx) {
      const line = lines[i];
      loc.file = f.lineFiles![i];
      loc.line = f.lineNos![i];
      loc.col = 1;
      loc.note = f.note;
      u.lineStart = 0;
      if (!fastLine(u, line, 0, line.length)) return;
      f.idx = i + 1;
    }
    return;
  }
  const text = f.text;
  for (;;) {
    const start = f.pos;
    const nl = text.indexOf('\n', start);
    if (nl < 0) return;
    let end = nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (text.charCodeAt(start) === 35) return;
    loc.file = f.markFile ?? f.file;
    loc.line = f.line + 1 + f.markDelta;
    loc.col = 1;
    loc.note = undefined;
    u.lineStart = start;
    if (!fastLine(u, text, start, end)) return;
    f.pos = nl + 1;
    f.line++;
  }
}

/**
 * The statement s[start, end) (a whole line) through the fast lane: true when it was assembled, false when
 * it is not of the fast kind (nothing changed; the caller assembles it the general way).
 */
export function fastLine(u: InstructionEmitter, s: string, start: number, end: number): boolean {
  let p = start;
  while (p < end && blank(s.charCodeAt(p))) p++;
  // The mnemonic: lower-case letters, digits and dots, then a blank.
  const m0 = p;
  for (; p < end; p++) {
    const c = s.charCodeAt(p);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46)) break;
  }
  if (p === m0) return p >= end || s.charCodeAt(p) === 35; // a blank line, or only a comment
  if (p >= end || !blank(s.charCodeAt(p))) return false;
  const word = s.slice(m0, p);
  const form = FAST.get(word);
  if (form === undefined) return false;
  if (u.macros.size !== 0 && u.macros.has(word)) return false;
  const sec = u.sec;
  if (sec.type === SHT_NOBITS) return false;
  const kinds = form.kinds;
  const n = kinds.length;
  const out = form.form === F_ROW ? vals : tmp;
  for (let i = 0; i < n; i++) {
    while (p < end && blank(s.charCodeAt(p))) p++;
    if (i > 0) {
      if (p >= end || s.charCodeAt(p) !== 44) return false;
      p++;
      while (p < end && blank(s.charCodeAt(p))) p++;
    }
    const k = kinds[i];
    if (k === K_REG) {
      const a = p;
      while (p < end && isRegChar(s.charCodeAt(p))) p++;
      const r = parseReg(s, a, p);
      if (r < 0) return false;
      out[form.field[i]] = r;
      continue;
    }
    if (k !== K_MEM0) {
      // A decimal or 0x hex number, optionally negative (a leading 0 other than 0x is GNU octal: not here).
      let neg = false;
      if (p < end && s.charCodeAt(p) === 45) {
        neg = true;
        p++;
      }
      const a = p;
      let v = 0;
      if (p + 1 < end && s.charCodeAt(p) === 48 && (s.charCodeAt(p + 1) | 0x20) === 120) {
        p += 2;
        const h0 = p;
        for (; p < end; p++) {
          const d = s.charCodeAt(p);
          const h = d >= 48 && d <= 57 ? d - 48 : (d | 0x20) >= 97 && (d | 0x20) <= 102 ? (d | 0x20) - 87 : -1;
          if (h < 0) break;
          v = v * 16 + h;
        }
        if (p === h0 || p - h0 > 8) return false;
      } else {
        for (; p < end; p++) {
          const d = s.charCodeAt(p);
          if (d < 48 || d > 57) break;
          v = v * 10 + (d - 48);
        }
        if (p === a || p - a > 10 || (s.charCodeAt(a) === 48 && p - a > 1)) return false;
      }
      // Within a signed 32-bit integer (0 - v: "-0" is +0), so the value is a V8 small integer.
      v = neg ? 0 - v : v;
      if (v < -0x80000000 || v > 0x7fffffff) return false;
      if (k === K_IMM) {
        out[form.field[i]] = v;
        continue;
      }
      out[form.field[i]] = v;
      while (p < end && blank(s.charCodeAt(p))) p++;
    }
    // (reg)
    if (p >= end || s.charCodeAt(p) !== 40) return false;
    p++;
    while (p < end && blank(s.charCodeAt(p))) p++;
    const a = p;
    while (p < end && isRegChar(s.charCodeAt(p))) p++;
    const r = parseReg(s, a, p);
    if (r < 0) return false;
    while (p < end && blank(s.charCodeAt(p))) p++;
    if (p >= end || s.charCodeAt(p) !== 41) return false;
    p++;
    out[form.base[i]] = r;
  }
  // The line's end, or a `#` comment.
  while (p < end && blank(s.charCodeAt(p))) p++;
  if (p < end && s.charCodeAt(p) !== 35) return false;
  u.noCompress = false;
  if (form.form === F_ROW) {
    const def = form.def;
    if (encodeBits(def, vals) < 0) return false;
    sec.hasCode = true;
    u.emitPlain(def, vals, -1, null);
    return true;
  }
  const rd = tmp[0];
  if (form.form === F_MV) {
    // move() in pseudo.ts: addi rd, rs, 0 (GNU as keeps `mv rd, zero` uncompressed).
    if (u.gnu && tmp[1] === 0) u.noCompress = true;
    return emit3(u, ADDI, rd, tmp[1], 0);
  }
  // li() in pseudo.ts, a 32-bit constant, LLVM's choice: addi, or lui then addiw of a non-zero low part.
  if (u.gnu) return false;
  const v = tmp[1];
  const hi20 = Math.floor((v + 0x800) / 4096) & 0xfffff;
  const lo12 = (v << 20) >> 20;
  if (hi20 === 0) return emit3(u, ADDI, rd, 0, lo12);
  if (rd === 0) return false;
  vals[0] = rd;
  vals[1] = hi20;
  sec.hasCode = true;
  u.emitPlain(LUI, vals, -1, null);
  if (lo12 !== 0) emit3(u, ADDIW, rd, rd, lo12);
  return true;
}

function emit3(u: InstructionEmitter, def: InstrDef, a: number, b: number, c: number): boolean {
  vals[0] = a;
  vals[1] = b;
  vals[2] = c;
  if (encodeBits(def, vals) < 0) return false;
  u.sec.hasCode = true;
  u.emitPlain(def, vals, -1, null);
  return true;
}

function isRegChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}
