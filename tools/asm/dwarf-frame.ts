// Call-frame information from `.cfi_*` directives (DWARF 5 §6.4 "Call Frame Information"), written to
// `.debug_frame` when the source asks for it with `.cfi_sections .debug_frame` (what gcc -g writes for
// RISC-V), and to `.eh_frame` (LSB "Exception Frames") unless `.cfi_sections` leaves it out, as GNU as does.
// The CIE is GNU as's for RISC-V (version 3, code alignment 1, data alignment -4, return address x1,
// CFA = sp; in .eh_frame augmentation "zR" with FDE addresses pc-relative 4-byte, DW_EH_PE_pcrel|sdata4);
// each procedure gets an FDE whose instructions advance by label differences in GNU as's shortest form
// (DW_CFA_advance_loc, _loc1, _loc2, _loc4: sized after layout), relocated where GNU as relocates them (see
// fragmentBreaks), so the table has GNU's bytes and relocations. .eh_frame records end at a multiple of 4, the
// last at 8, the section's alignment; .debug_frame records at 8 (GNU as, dw2gencfi.c).
// C++ exceptions (LSB "Exception Frames", "Augmentation String Format"): `.cfi_personality enc, sym` gives
// the procedure's CIE the augmentation 'P' (the encoding and the routine's pointer), `.cfi_lsda enc, sym`
// gives it 'L' (the encoding) and its FDE the pointer to its language-specific data, `.cfi_signal_frame`
// adds 'S', `.cfi_return_column` names the return-address column. As in GNU as (dw2gencfi.c
// select_cie_for_fde), procedures that agree on all of these share a CIE, written before the first FDE
// that needs it. Pointer encodings (DW_EH_PE_*): absolute or pc-relative (0x10), possibly indirect (0x80),
// of address size (0x00, signed 0x08) or 2, 4 or 8 bytes (udata/sdata); g++ writes 0x9b and 0x1b.

import { AsmError, E_BIN, E_NUM, OP_SUB, symbolPlusConstant, type Expr, type Loc, type Sym } from './expr.js';
import { SHF_EXECINSTR } from '../elf/model.js';
import { FIX_CALL, FIX_GOT_HI, FIX_PCREL, FIX_TLS_GD_HI, FIX_TLS_IE_HI, FRAG_ALIGN, FRAG_DATA, FRAG_ORG, endsGnuFragment, type InputSection } from './section.js';
import { sleb, uleb } from './dwarf-line.js';

const DATA_ALIGN = -4;

interface CfiOp {
  label: Sym;
  bytes: number[];
  /** May be one of a CIE's initial instructions (all but DW_CFA_remember_state, _restore_state and escapes:
   * GNU as's initial_cie_insn in dw2gencfi.c). */
  cieable: boolean;
  /** `.cfi_label`: the symbol defined where this (empty) instruction lands in the table, and where the
   * directive was. */
  define?: { name: string; at: Loc };
  /** `.cfi_val_encoded_addr`: the address written after `bytes`, in its encoding. */
  ptr?: EhPointer;
}

/** A pointer of the augmentation data: its DW_EH_PE encoding and what it points to. */
export interface EhPointer {
  enc: number;
  expr: Expr;
}

export interface Proc {
  sec: InputSection;
  start: Sym;
  /** `.cfi_startproc simple`: no initial instructions (CFA = sp) from the target. */
  simple: boolean;
  end: Sym | null;
  ops: CfiOp[];
  cfaOffset: number;
  cfaStack: number[];
  personality: EhPointer | null;
  lsda: EhPointer | null;
  signalFrame: boolean;
  returnColumn: number;
}

const DW_EH_PE_omit = 0xff;
const DW_EH_PE_pcrel = 0x10;

/** Bytes of a pointer in encoding `enc` (address size for absptr, 8 on RV64). */
function encodingSize(enc: number): number {
  switch (enc & 7) {
    case 2: return 2;
    case 3: return 4;
    default: return 8;
  }
}

/**
 * The encoding of `.cfi_personality`/`.cfi_lsda`, checked as GNU as checks it (dw2gencfi.c): absolute or
 * pc-relative, optionally indirect, fixed size (no LEB128, no text/data/function-relative or aligned forms).
 * A 2-byte absolute pointer has no RISC-V relocation (GNU as fails on it when writing the object).
 */
function checkEncoding(name: string, enc: number, numberOnly = false): void {
  const app = enc & 0x70;
  const form = enc & 7;
  if (enc < 0 || enc > 0xff || (app !== 0 && app !== DW_EH_PE_pcrel) || form === 1 || form > 4) {
    throw new AsmError(`invalid or unsupported encoding 0x${enc.toString(16)} in .cfi_${name} (supported: absolute or pc-relative 0x10, optionally indirect 0x80, of address size 0x00/0x08 or 2, 4, 8 bytes 0x02-0x04/0x0a-0x0c${name === 'val_encoded_addr' ? '' : '; 0xff for none'})`);
  }
  if (app === 0 && form === 2 && !numberOnly) throw new AsmError(`.cfi_${name}: a 2-byte absolute pointer (encoding 0x${enc.toString(16)}) cannot be relocated (RISC-V has no 16-bit absolute relocation)`);
}

export interface FrameSink {
  bytes(b: number[]): void;
  datum(e: Expr, n: number): void;
  /** An `n`-byte pointer to `e` relative to its own address (DW_EH_PE_pcrel). */
  pcrel(e: Expr, n: number): void;
  newLabel(): Sym;
  place(s: Sym): void;
  /** DW_CFA_advance_loc* by the distance from `from` to `to` (code labels), its form chosen after layout;
   * `relocated` when GNU as relocates it (a fragment of its ends between them). */
  advance(to: Sym, from: Sym, relocated: boolean): void;
  /** DW_CFA_nop (0) up to a multiple of `n` bytes from the section's start. */
  align(n: number): void;
  /** Define the symbol `name` here (`.cfi_label`; `at` is the directive, for a redefinition error). */
  label(name: string, at: Loc): void;
}

// Where GNU as starts a new fragment in code: after an instruction with a relocation a linker may relax
// (endsGnuFragment in section.ts; also every 4-byte lui and auipc written with a number, HI20 being their
// operand's default relocation type, li's lui included), at a branch or jump to a symbol (a variable
// fragment), at an alignment and .org. The auipc of a GOT or TLS GOT load (GOT_HI20, TLS_GOT_HI20,
// TLS_GD_HI20) and c.lui do not.
const GOT_FIXUPS = new Set([FIX_GOT_HI, FIX_TLS_IE_HI, FIX_TLS_GD_HI]);

/**
 * Where GNU as's fragments of a code section end, as sorted positions (fragment index * 2^32 + offset of
 * the instruction or fragment): a call-frame advance over one of them is relocated by GNU as (SET6/SUB6...),
 * so that a linker relaxing the code in between can correct it; one within a fragment is written as is.
 */
function fragmentBreaks(sec: InputSection): number[] {
  const breaks: number[] = [];
  const nf = sec.nFrags;
  for (let i = 0; i < nf; i++) {
    const br = sec.fBr[i];
    // A branch leading fragment i: after every position of fragment i - 1, before any of fragment i.
    if (br >= 0) breaks.push(i * 2 ** 32 - 0.5);
    // (br >= -1: a data fragment, InputSection.fBr.)
    if (br === -1 - FRAG_ALIGN || br === -1 - FRAG_ORG) breaks.push(i * 2 ** 32);
  }
  const got = new Set<number>();
  for (const fx of sec.records) {
    const at = fx.frag * 2 ** 32 + fx.offset;
    if (endsGnuFragment(fx.kind) || fx.kind === FIX_PCREL || fx.kind === FIX_CALL) breaks.push(at);
    else if (GOT_FIXUPS.has(fx.kind)) got.add(at);
  }
  // The calls (no records: section.ts CallTable) end fragments too.
  const calls = sec.calls;
  if (calls !== null) for (let c = 0; c < calls.n; c++) breaks.push(calls.frags[c] * 2 ** 32 + calls.offsets[c]);
  // 4-byte lui and auipc (opcodes 0x37, 0x17) with a number: no fixup, still a new fragment in GNU as.
  if (sec.flags & SHF_EXECINSTR) {
    for (let i = 0; i < nf; i++) {
      if (sec.fBr[i] < -1 || sec.fSize[i] === 0) continue; // not a data fragment (fBr), or empty
      const b = sec.fragBytes(i);
      for (let p = 0; p + 1 < b.length; ) {
        if ((b[p] & 3) !== 3) {
          p += 2;
          continue;
        }
        const op = b[p] & 0x7f;
        const at = i * 2 ** 32 + p;
        if ((op === 0x37 || op === 0x17) && !got.has(at)) breaks.push(at);
        p += 4;
      }
    }
  }
  breaks.sort((a, b) => a - b);
  return breaks;
}

/**
 * A procedure's instructions as GNU as lists them (dw2gencfi.c): the target's initial one first (RISC-V:
 * DW_CFA_def_cfa_register sp, the CFA being sp + 0), unless `.cfi_startproc simple`, then the directives'.
 */
function procOps(p: Proc): CfiOp[] {
  return p.simple ? p.ops : [{ label: p.start, bytes: [0x0d, ...uleb(2)], cieable: true }, ...p.ops];
}

/** A CIE as GNU as selects them: what must agree besides its instructions (augmentation, return column, ...),
 * and its initial instructions. */
interface CieChoice {
  key: string;
  ops: number[][];
  label: Sym;
}

/**
 * The CIE for a procedure, as GNU as chooses it (dw2gencfi.c select_cie_for_fde): the most recent CIE with
 * the same `key` whose initial instructions begin the procedure's (those at its start, before any advance);
 * else a new one taking all of the procedure's leading instructions that a CIE may hold. Returns the CIE
 * and how many of `ops` it covers; `made` is set when the CIE is new (its bytes are to be written).
 */
function chooseCie(cies: CieChoice[], key: string, p: Proc, ops: CfiOp[], newLabel: () => Sym): { cie: CieChoice; covered: number; made: boolean } {
  const atStart = (k: number) => k < ops.length && ops[k].cieable && ops[k].label.section === p.start.section && ops[k].label.frag === p.start.frag && ops[k].label.offset === p.start.offset;
  search: for (let c = cies.length - 1; c >= 0; c--) {
    const cie = cies[c];
    if (cie.key !== key) continue;
    for (let k = 0; k < cie.ops.length; k++) {
      if (!atStart(k)) continue search;
      const a = cie.ops[k];
      const b = ops[k].bytes;
      if (a.length !== b.length || a.some((x, n) => x !== b[n])) continue search;
    }
    return { cie, covered: cie.ops.length, made: false };
  }
  let n = 0;
  while (atStart(n)) n++;
  const cie = { key, ops: ops.slice(0, n).map((o) => o.bytes), label: newLabel() };
  cies.push(cie);
  return { cie, covered: n, made: true };
}

/** A record's length field (4 bytes, up to `end`, which the caller places) and its body's start. */
function beginRecord(out: FrameSink, diff: (a: Sym, b: Sym) => Expr): { end: Sym; body: Sym } {
  const end = out.newLabel();
  const body = out.newLabel();
  out.datum(diff(end, body), 4);
  out.place(body);
  return { end, body };
}

export class FrameTable {
  procs: Proc[] = [];
  /** `.cfi_sections`: where the tables go. */
  debugFrame = false;
  ehFrame = true;
  private cur: Proc | null = null;

  sections(text: string): void {
    const names = text.split(',').map((x) => x.trim()).filter(Boolean);
    for (const n of names) if (n !== '.debug_frame' && n !== '.eh_frame') throw new AsmError(`unknown .cfi_sections entry '${n}' (expected .eh_frame or .debug_frame)`);
    this.debugFrame = names.includes('.debug_frame');
    this.ehFrame = names.includes('.eh_frame');
  }

  /**
   * `.cfi_label name` (GNU as 2.26, dw2gencfi.c): no instruction of its own, but `name` is defined in the
   * table where the procedure's next instruction goes (after the advance to this point), for code that
   * patches the unwind data at run time. Never part of a CIE, so it also keeps the instructions after it in
   * the FDE (glibc's RISC-V start.S writes `.cfi_label .Ldummy` before `.cfi_undefined ra` for that).
   */
  label(name: string, here: () => Sym, at: Loc): void {
    if (!this.cur) throw new AsmError('.cfi_label outside .cfi_startproc/.cfi_endproc');
    this.cur.ops.push({ label: here(), bytes: [], cieable: false, define: { name, at } });
  }

  /**
   * One `.cfi_*` directive (name without the prefix, operands as text, operand i as a register through `reg(i)`); `here`
   * places a label at the current location when the directive needs one; `value(i)` is operand i as an
   * absolute expression (GNU as's cfi_parse_const: `4*4`, octal `010`, a symbol set to a number), or null.
   */
  directive(name: string, args: string[], reg: (i: number) => number, here: () => Sym, sec: InputSection, expr: (i: number) => Expr, value: (i: number) => bigint | null): void {
    if (name === 'startproc') {
      if (this.cur) throw new AsmError('.cfi_startproc inside another procedure (missing .cfi_endproc)');
      if (args.length > 1 || (args.length === 1 && args[0] !== 'simple')) throw new AsmError(`.cfi_startproc takes no operand but 'simple'`);
      this.cur = { sec, start: here(), simple: args.length === 1, end: null, ops: [], cfaOffset: 0, cfaStack: [], personality: null, lsda: null, signalFrame: false, returnColumn: 1 };
      return;
    }
    if (name === 'sections') throw new AsmError('internal');
    const p = this.cur;
    if (!p) throw new AsmError(`.cfi_${name} outside .cfi_startproc/.cfi_endproc`);
    const num = (i: number): number => {
      if (args[i] === undefined) throw new AsmError(`.cfi_${name} needs a number as operand ${i + 1}`);
      const v = value(i);
      if (v === null) throw new AsmError(`.cfi_${name} needs an absolute number as operand ${i + 1}, got '${args[i]}'`);
      // Exactly as written or refused: past 2^53 a number would be rounded (GNU as takes 64 bits; no frame
      // needs such offsets or registers).
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new AsmError(`.cfi_${name}: ${args[i]} is out of range`);
      return Number(v);
    };
    const want = (n: number) => {
      if (args.length !== n) throw new AsmError(`.cfi_${name} takes ${n} operand${n === 1 ? '' : 's'}`);
    };
    const offsetOp = (r: number, off: number): number[] => {
      if (off % DATA_ALIGN !== 0) throw new AsmError(`.cfi_${name}: offset ${off} is not a multiple of ${-DATA_ALIGN}`);
      const f = off / DATA_ALIGN;
      if (f >= 0) return r < 64 ? [0x80 | r, ...uleb(f)] : [0x05, ...uleb(r), ...uleb(f)];
      return [0x11, ...uleb(r), ...sleb(f)];
    };
    /** DW_CFA_def_cfa_offset, or for a negative offset DW_CFA_def_cfa_offset_sf (factored and signed), as GNU as. */
    const cfaOffsetOp = (off: number): number[] => (off >= 0 ? [0x0e, ...uleb(off)] : [0x13, ...sleb(Math.trunc(off / DATA_ALIGN))]);
    let bytes: number[];
    switch (name) {
      case 'endproc':
        want(0);
        p.end = here();
        this.procs.push(p);
        this.cur = null;
        return;
      case 'def_cfa_offset':
        want(1);
        p.cfaOffset = num(0);
        bytes = cfaOffsetOp(p.cfaOffset);
        break;
      case 'adjust_cfa_offset':
        want(1);
        p.cfaOffset += num(0);
        bytes = cfaOffsetOp(p.cfaOffset);
        break;
      case 'def_cfa':
        want(2);
        p.cfaOffset = num(1);
        // A negative offset takes the factored, signed form (DWARF 5 §6.4.2.2 DW_CFA_def_cfa_sf), as GNU as
        // writes it (dw2gencfi.c output_cfi_insn), the quotient truncated as C divides.
        bytes = p.cfaOffset >= 0 ? [0x0c, ...uleb(reg(0)), ...uleb(p.cfaOffset)] : [0x12, ...uleb(reg(0)), ...sleb(Math.trunc(p.cfaOffset / DATA_ALIGN))];
        break;
      case 'def_cfa_register':
        want(1);
        bytes = [0x0d, ...uleb(reg(0))];
        break;
      case 'offset':
        want(2);
        bytes = offsetOp(reg(0), num(1));
        break;
      case 'rel_offset':
        want(2);
        bytes = offsetOp(reg(0), num(1) - p.cfaOffset);
        break;
      case 'val_offset': {
        // DWARF 5 §6.4.2.3 DW_CFA_val_offset: the register's value (not where it is saved) is CFA + offset;
        // a negative factored offset takes DW_CFA_val_offset_sf, as GNU as writes it (dw2gencfi.c).
        want(2);
        const r = reg(0);
        const off = num(1);
        if (off % DATA_ALIGN !== 0) throw new AsmError(`.cfi_${name}: offset ${off} is not a multiple of ${-DATA_ALIGN}`);
        const f = off / DATA_ALIGN;
        bytes = f >= 0 ? [0x14, ...uleb(r), ...uleb(f)] : [0x15, ...uleb(r), ...sleb(f)];
        break;
      }
      case 'val_encoded_addr': {
        // DW_CFA_val_expression (DWARF 5 §6.4.2.3): the register's value is an address, written as GNU as
        // writes it (dw2gencfi.c): DW_OP_addr for an absolute address-size pointer (encoding 0), else GNU's
        // DW_OP_GNU_encoded_addr (0xf1) with the encoding byte. Never part of a CIE (it has a relocation).
        want(3);
        const r = reg(0);
        const enc = num(1);
        const ptr: EhPointer = { enc, expr: expr(2) };
        checkEncoding(name, enc, ptr.expr.t === E_NUM);
        if ((enc & 0x70) === DW_EH_PE_pcrel && ptr.expr.t === E_NUM) throw new AsmError(`.cfi_${name}: a pc-relative address (encoding 0x${enc.toString(16)}) needs a symbol, not a number`);
        const size = encodingSize(enc);
        const prefix = enc === 0 ? [0x03] : [0xf1, enc];
        p.ops.push({ label: here(), bytes: [0x16, ...uleb(r), ...uleb(prefix.length + size), ...prefix], cieable: false, ptr });
        return;
      }
      case 'window_save':
        // DW_CFA_GNU_window_save (a SPARC register-window rule GNU as writes for any target): never part of
        // a CIE's initial instructions (GNU as, dw2gencfi.c select_cie_for_fde).
        want(0);
        bytes = [0x2d];
        break;
      case 'restore': {
        want(1);
        const r = reg(0);
        bytes = r < 64 ? [0xc0 | r] : [0x06, ...uleb(r)];
        break;
      }
      case 'undefined':
        want(1);
        bytes = [0x07, ...uleb(reg(0))];
        break;
      case 'same_value':
        want(1);
        bytes = [0x08, ...uleb(reg(0))];
        break;
      case 'register':
        want(2);
        bytes = [0x09, ...uleb(reg(0)), ...uleb(reg(1))];
        break;
      case 'remember_state':
        want(0);
        p.cfaStack.push(p.cfaOffset);
        bytes = [0x0a];
        break;
      case 'restore_state':
        want(0);
        if (p.cfaStack.length === 0) throw new AsmError('CFI state restore without previous remember');
        p.cfaOffset = p.cfaStack.pop()!;
        bytes = [0x0b];
        break;
      case 'escape':
        bytes = args.map((_, i) => num(i) & 0xff);
        break;
      case 'personality':
      case 'lsda': {
        if (args.length === 0) throw new AsmError(`.cfi_${name} needs an encoding and, unless it is 0xff, a symbol`);
        const enc = num(0);
        let ptr: EhPointer | null = null;
        if (enc !== DW_EH_PE_omit) {
          checkEncoding(name, enc);
          want(2);
          ptr = { enc, expr: expr(1) };
          if ((enc & 0x70) === DW_EH_PE_pcrel && ptr.expr.t === E_NUM) throw new AsmError(`.cfi_${name}: a pc-relative pointer (encoding 0x${enc.toString(16)}) needs a symbol, not a number`);
        } else want(1);
        if (name === 'personality') p.personality = ptr;
        else p.lsda = ptr;
        return;
      }
      case 'signal_frame':
        want(0);
        p.signalFrame = true;
        return;
      case 'return_column':
        want(1);
        p.returnColumn = reg(0);
        return;
      default:
        throw new AsmError(`unsupported CFI directive '.cfi_${name}'`);
    }
    p.ops.push({ label: here(), bytes, cieable: name !== 'remember_state' && name !== 'restore_state' && name !== 'escape' && name !== 'window_save' });
  }

  /**
   * .eh_frame: for each procedure, its CIE (written before the first FDE that uses it: CIE id 0,
   * augmentation "z[P][L]R[S]", FDE addresses DW_EH_PE_pcrel|sdata4), then its FDE (CIE pointer relative to
   * the field, its LSDA pointer when the CIE has 'L').
   */
  private writeEh(out: FrameSink, diff: (a: Sym, b: Sym) => Expr): void {
    const breaks = new Map<InputSection, ReturnType<typeof fragmentBreaks>>();
    const names = new Map<Sym, number>();
    const exprKey = (e: Expr): string => {
      const t = symbolPlusConstant(e);
      if (t) {
        if (!names.has(t.sym)) names.set(t.sym, names.size);
        return `${names.get(t.sym)}+${t.add}`;
      }
      if (e.t === E_NUM) return `${e.v}`;
      throw new AsmError('a .cfi_personality/.cfi_lsda pointer must be a symbol plus a constant, or a number');
    };
    const cies: CieChoice[] = [];
    this.procs.forEach((p, i) => {
      const per = p.personality;
      const key = `${per ? `${per.enc}:${exprKey(per.expr)}` : '-'} ${p.lsda ? p.lsda.enc : '-'} ${p.signalFrame} ${p.returnColumn}`;
      const ops = procOps(p);
      const { cie: choice, covered, made } = chooseCie(cies, key, p, ops, () => out.newLabel());
      const cie = choice.label;
      if (made) {
        out.place(cie);
        const cieEnd = beginRecord(out, diff).end;
        const aug = `z${per ? 'P' : ''}${p.lsda ? 'L' : ''}R${p.signalFrame ? 'S' : ''}`;
        out.bytes([0, 0, 0, 0, 3, ...Array.from(aug, (c) => c.charCodeAt(0)), 0, ...uleb(1), ...sleb(DATA_ALIGN), ...uleb(p.returnColumn)]);
        out.bytes(uleb(1 + (p.lsda ? 1 : 0) + (per ? 1 + encodingSize(per.enc) : 0)));
        if (per) {
          out.bytes([per.enc]);
          this.pointer(out, per);
        }
        if (p.lsda) out.bytes([p.lsda.enc]);
        out.bytes([0x1b]);
        for (const b of choice.ops) out.bytes(b);
        out.align(4);
        out.place(cieEnd);
      }
      const { end, body } = beginRecord(out, diff);
      out.datum(diff(body, cie), 4);
      // The code address as GNU as writes it (R_RISCV_32_PCREL in an object): a difference with a label in
      // .eh_frame itself would be relocated against that label, which a linker editing .eh_frame moves
      // (GNU ld then adjusts the value twice: tc-riscv.c md_apply_fix).
      out.pcrel(p.start, 4);
      out.datum(diff(p.end!, p.start), 4);
      if (p.lsda) {
        out.bytes(uleb(encodingSize(p.lsda.enc)));
        this.pointer(out, p.lsda);
      } else out.bytes([0]);
      this.instructions(out, p, breaks, ops, covered);
      out.align(i === this.procs.length - 1 ? 8 : 4);
      out.place(end);
    });
  }

  /**
   * A procedure's instructions, each at its label: labels at one place (same fragment and offset) need no
   * advance (GNU's rows, one per address); otherwise an advance by the distance, relocated where GNU as
   * relocates it (a fragment of GNU's ends between the two labels).
   */
  private instructions(out: FrameSink, p: Proc, cache: Map<InputSection, ReturnType<typeof fragmentBreaks>>, ops: CfiOp[], from: number): void {
    let info = cache.get(p.sec);
    if (!info) cache.set(p.sec, (info = fragmentBreaks(p.sec)));
    const breaks = info;
    // (A label in another section, or none: no position in this one.)
    const pos = (s: Sym): number => (s.section === p.sec && s.frag >= 0 ? s.frag * 2 ** 32 + s.offset : NaN);
    let prev = p.start;
    for (let k = from; k < ops.length; k++) {
      const op = ops[k];
      if (op.label.section !== prev.section || op.label.frag !== prev.frag || op.label.offset !== prev.offset) {
        const lo = pos(prev);
        const hi = pos(op.label);
        let relocated = true;
        if (!Number.isNaN(lo) && !Number.isNaN(hi)) {
          // The first break at or after `lo`: does it come before `hi`?
          let a = 0;
          let b = breaks.length;
          while (a < b) {
            const m = (a + b) >> 1;
            if (breaks[m] < lo) a = m + 1;
            else b = m;
          }
          relocated = a < breaks.length && breaks[a] < hi;
        }
        out.advance(op.label, prev, relocated);
        prev = op.label;
      }
      if (op.define) out.label(op.define.name, op.define.at);
      out.bytes(op.bytes);
      if (op.ptr) this.pointer(out, op.ptr);
    }
  }

  /** A pointer in its encoding: pc-relative (to the field) or absolute, of the encoding's size. */
  private pointer(out: FrameSink, ptr: EhPointer): void {
    const n = encodingSize(ptr.enc);
    if ((ptr.enc & 0x70) === DW_EH_PE_pcrel) out.pcrel(ptr.expr, n);
    else out.datum(ptr.expr, n);
  }

  /** Unterminated procedure, for the end-of-unit diagnostic. */
  open(): boolean {
    return this.cur !== null;
  }

  write(out: FrameSink, eh = false): void {
    const diff = (a: Sym, b: Sym): Expr => ({ t: E_BIN, op: OP_SUB, a, b });
    if (eh) {
      this.writeEh(out, diff);
      return;
    }
    const breaks = new Map<InputSection, ReturnType<typeof fragmentBreaks>>();
    // CIEs selected as in .eh_frame (GNU as's select_cie_for_fde serves both tables); no augmentation data.
    // (Personality and LSDA encodings do not count here: GNU as sets them aside for .debug_frame.)
    const cies: CieChoice[] = [];
    for (const p of this.procs) {
      const ops = procOps(p);
      const { cie: choice, covered, made } = chooseCie(cies, `${p.signalFrame} ${p.returnColumn}`, p, ops, () => out.newLabel());
      const cie = choice.label;
      if (made) {
        out.place(cie);
        const cieEnd = beginRecord(out, diff).end;
        // .debug_frame records end at a multiple of the address size (GNU as, dw2gencfi.c cfi_finish).
        out.bytes([0xff, 0xff, 0xff, 0xff, 3, ...(p.signalFrame ? [0x53] : []), 0, ...uleb(1), ...sleb(DATA_ALIGN), ...uleb(p.returnColumn)]);
        for (const b of choice.ops) out.bytes(b);
        out.align(8);
        out.place(cieEnd);
      }
      const { end, body } = beginRecord(out, diff);
      out.datum(cie, 4);
      out.datum(p.start, 8);
      out.datum(diff(p.end!, p.start), 8);
      this.instructions(out, p, breaks, ops, covered);
      out.align(8);
      out.place(end);
    }
  }
}
