// DWARF line tables from `.file N` and `.loc` (DWARF 5, §6.2 "Line Number Information"): the assembler
// records a row at each `.loc` (a label at the current location) and, at the end of the unit, writes the
// line-number program into `.debug_line` — version 5 as gcc 12 asks (it writes `.file 0`), else version 3
// (gcc -gdwarf-4), whose file names are split into a directory and a base name as GNU as splits them.
// Addresses come from fragments: DW_LNE_set_address is an 8-byte datum of the first label (a relocation in
// an object) and each advance is a ULEB128 of a label difference, sized after layout (LEB fragments).

import { AsmError, E_BIN, OP_SUB, symbolRef, type Expr, type Sym } from './expr.js';
import type { InputSection } from './section.js';

export interface LineRow {
  sec: InputSection;
  label: Sym;
  file: number;
  line: number;
  col: number;
  isStmt: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  basicBlock: boolean;
  isa: number;
  discriminator: number;
}

export interface LineFile {
  name: string;
  dir: string | null;
  md5: bigint | null;
}

/** What writing the program needs from the assembler. */
export interface LineSink {
  bytes(b: number[]): void;
  /** An n-byte datum of an expression resolved after layout (a relocation in an object). */
  datum(e: Expr, n: number): void;
  /** A ULEB128 of an expression resolved after layout (a label difference). */
  uleb(e: Expr): void;
  /** A new label, placed later with place(). */
  newLabel(): Sym;
  /** Place a label at the current end of .debug_line. */
  place(s: Sym): void;
  /** A label at the current end of `sec`. */
  endOf(sec: InputSection): Sym;
  /** Append a NUL-terminated string to .debug_line_str; a label at it. */
  lineStr(s: string): Sym;
}

const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6, DW_LNS_set_basic_block = 7, DW_LNS_fixed_advance_pc = 9, DW_LNS_set_prologue_end = 10, DW_LNS_set_epilogue_begin = 11, DW_LNS_set_isa = 12;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_set_discriminator = 4;
const DW_LNCT_path = 1, DW_LNCT_directory_index = 2, DW_LNCT_MD5 = 5;
const DW_FORM_udata = 0x0f, DW_FORM_data16 = 0x1e, DW_FORM_line_strp = 0x1f;

/** Whether character code c separates .loc operands: a comma or what a regular expression's \s matches. */
function isLocSeparator(c: number): boolean {
  if (c < 128) return c === 44 || c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

/**
 * The operands of a .loc directive: `text.split(/[\s,]+/)` without the empty strings, scanned by hand
 * (gcc -g writes a .loc every few lines).
 */
function locTokens(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isLocSeparator(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && !isLocSeparator(text.charCodeAt(j))) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

export class LineTable {
  files = new Map<number, LineFile>();
  rows: LineRow[] = [];
  private isStmt = true;
  /** The ISA of later rows: `.loc ... isa N` sets it until the next one (GNU as, dwarf2dbg.c). */
  private isa = 0;

  /** `.file N ["dir"] "name" [md5 V]` (the text after the directive). */
  file(text: string): void {
    const m = /^(\d+)\s+((?:"(?:[^"\\]|\\.)*"\s*)+)(?:md5\s+(0x[0-9a-fA-F]+|\d+))?\s*$/.exec(text.trim());
    if (!m) throw new AsmError('expected: .file N ["directory"] "name" [md5 value]');
    const strs = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1].replace(/\\(.)/g, '$1'));
    if (strs.length > 2) throw new AsmError('.file takes at most a directory and a name');
    // GNU as's allocation guard (dwarf2dbg.c): a file table of 32-byte entries indexed by a 32-bit number.
    if (fitsIn64(m[1]) > 134217695n) throw new AsmError(`file number ${m[1]} is too big`);
    this.files.set(Number(m[1]), { name: strs[strs.length - 1], dir: strs.length === 2 ? strs[0] : null, md5: m[3] ? BigInt(m[3]) : null });
  }

  /** `.loc file line [column] [options]`: a row at `label`. */
  loc(text: string, sec: InputSection, label: Sym): void {
    const t = locTokens(text);
    if (t.length < 2 || !/^\d+$/.test(t[0]) || !/^\d+$/.test(t[1])) throw new AsmError('expected: .loc file line [column] [options]');
    // Up to 15 digits always fit (gcc writes a .loc every few lines: no BigInt for those).
    for (let k = 0; k < 3 && k < t.length; k++) if (t[k].length > 15 && /^\d+$/.test(t[k])) fitsIn64(t[k]);
    const row: LineRow = { sec, label, file: Number(t[0]), line: Number(t[1]), col: 0, isStmt: this.isStmt, prologueEnd: false, epilogueBegin: false, basicBlock: false, isa: this.isa, discriminator: 0 };
    if (!this.files.has(row.file)) throw new AsmError(`.loc names file ${row.file}, which no .file declared`);
    let i = 2;
    if (i < t.length && /^\d+$/.test(t[i])) row.col = Number(t[i++]);
    while (i < t.length) {
      const k = t[i++];
      const num = (): bigint => {
        const m = i < t.length ? /^(-?)(\d+|0[xX][0-9a-fA-F]+)$/.exec(t[i]) : null;
        if (!m) throw new AsmError(`.loc ${k} needs a number`);
        i++;
        return fitsIn64(m[1] ? `-${m[2]}` : m[2]);
      };
      if (k === 'is_stmt') {
        const v = num();
        if (v !== 0n && v !== 1n) throw new AsmError('.loc is_stmt must be 0 or 1');
        row.isStmt = v === 1n;
        this.isStmt = row.isStmt;
      } else if (k === 'prologue_end') row.prologueEnd = true;
      else if (k === 'epilogue_begin') row.epilogueBegin = true;
      else if (k === 'basic_block') row.basicBlock = true;
      else if (k === 'isa') row.isa = this.isa = unsigned32(num(), 'isa number'); // it stays, as is_stmt does (GNU as)
      else if (k === 'discriminator') row.discriminator = unsigned32(num(), 'discriminator');
      else if (k === 'view') i++; // location views are not part of the line table
      else throw new AsmError(`unknown .loc option '${k}'`);
    }
    this.rows.push(row);
  }

  /** Write the line-number program: header, then one sequence per section that has rows. */
  write(out: LineSink): void {
    const v5 = this.files.has(0);
    const diff = (a: Sym, b: Sym): Expr => ({ t: E_BIN, op: OP_SUB, a, b });
    const afterLength = out.newLabel();
    const end = out.newLabel();
    const headerStart = out.newLabel();
    const programStart = out.newLabel();
    out.datum(diff(end, afterLength), 4);
    out.place(afterLength);
    out.bytes(v5 ? [5, 0, 8, 0] : [3, 0]);
    out.datum(diff(programStart, headerStart), 4);
    out.place(headerStart);
    // min_inst_length 1, [max_ops 1], default_is_stmt 1, line_base -5, line_range 14, opcode_base 13.
    out.bytes(v5 ? [1, 1, 1, 0xfb, 14, 13] : [1, 1, 0xfb, 14, 13]);
    out.bytes([0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
    const maxFile = Math.max(...this.files.keys());
    if (v5) {
      // Directory 0 is file 0's; a name's directory part (up to its last '/') becomes a directory entry of its
      // own, and the name its base name, as GNU as enters them (dwarf2dbg.c allocate_filename_to_slot):
      // directories in the order the .file directives name them, an existing one reused.
      const dirs: string[] = [this.files.get(0)!.dir ?? ''];
      const dirIndex = (d: string) => {
        let k = dirs.indexOf(d);
        if (k < 0) k = dirs.push(d) - 1;
        return k;
      };
      const placed = new Map<number, [LineFile, number]>();
      for (const [n, f] of this.files) {
        const slash = f.name.lastIndexOf('/');
        if (slash > 0) placed.set(n, [{ ...f, name: f.name.slice(slash + 1) }, dirIndex(f.name.slice(0, slash))]);
        else if (slash === 0) placed.set(n, [{ ...f, name: f.name.slice(1) }, 0]);
        else placed.set(n, [f, n === 0 || f.dir === null ? 0 : dirIndex(f.dir)]);
      }
      const entries: [LineFile, number][] = [];
      for (let n = 0; n <= maxFile; n++) entries.push(placed.get(n) ?? [{ name: '', dir: null, md5: null }, 0]);
      // Names as offsets into .debug_line_str, one string per entry (GNU as, dwarf2dbg.c add_line_strp).
      const strp = (name: string) => out.datum(out.lineStr(name), 4);
      out.bytes([1, ...uleb(DW_LNCT_path), ...uleb(DW_FORM_line_strp), ...uleb(dirs.length)]);
      for (const d of dirs) strp(d);
      const md5 = entries.every(([f]) => f.md5 !== null);
      out.bytes([md5 ? 3 : 2, ...uleb(DW_LNCT_path), ...uleb(DW_FORM_line_strp), ...uleb(DW_LNCT_directory_index), ...uleb(DW_FORM_udata)]);
      if (md5) out.bytes([...uleb(DW_LNCT_MD5), ...uleb(DW_FORM_data16)]);
      out.bytes(uleb(entries.length));
      for (const [f, d] of entries) {
        strp(f.name);
        out.bytes(uleb(d));
        if (md5) for (let k = 15; k >= 0; k--) out.bytes([Number((f.md5! >> BigInt(8 * k)) & 0xffn)]);
      }
    } else {
      // A name with a directory part (`.file 1 "src/a.c"`) is entered as that directory and the base name,
      // as GNU as does (dwarf2dbg.c, allocate_filename_to_slot); directories in order of first use.
      const split = (f: LineFile): [string | null, string] => {
        if (f.dir !== null) return [f.dir, f.name];
        const k = f.name.lastIndexOf('/');
        return k < 0 ? [null, f.name] : [k > 0 ? f.name.slice(0, k) : null, f.name.slice(k + 1)];
      };
      const dirs: string[] = [];
      for (const f of this.files.values()) {
        const [d] = split(f);
        if (d !== null && !dirs.includes(d)) dirs.push(d);
      }
      for (const d of dirs) out.bytes(cstr(d));
      out.bytes([0]);
      for (let n = 1; n <= maxFile; n++) {
        const [d, name] = split(this.files.get(n) ?? { name: '', dir: null, md5: null });
        out.bytes([...cstr(name), ...uleb(d === null ? 0 : dirs.indexOf(d) + 1), 0, 0]);
      }
      out.bytes([0]);
    }
    out.place(programStart);
    const bySection = new Map<InputSection, LineRow[]>();
    for (const r of this.rows) {
      let l = bySection.get(r.sec);
      if (!l) bySection.set(r.sec, (l = []));
      l.push(r);
    }
    // One sequence per section, its rows as GNU as writes them for relaxable code (dwarf2dbg.c
    // process_entries with DWARF2_USE_FIXED_ADVANCE_PC, as tc-riscv.h sets it): the row's state changes
    // (file, column, discriminator, ISA, is_stmt, basic block, prologue end, epilogue begin), then for the
    // first row DW_LNE_set_address and the line change (emit_inc_line_addr with no address change: a copy,
    // a special opcode, or DW_LNS_advance_line and a copy), for the others DW_LNS_advance_line (always, even
    // by 0), DW_LNS_fixed_advance_pc of a 2-byte label difference (an ADD16/SUB16 pair in a relaxable
    // object, which the linker keeps right) and DW_LNS_copy; the sequence ends with an advance to the end
    // of the section and DW_LNE_end_sequence.
    for (const [sec, rows] of bySection) {
      let file = 1;
      let line = 1;
      let col = 0;
      let stmt = true;
      let isa = 0;
      let prev: Sym | null = null;
      // Each row's bytes before its address (and after it) go out in one array, built without the spread
      // arrays and BigInt LEB128s of the header's code: gcc -g writes a .loc every few lines, and this runs
      // once, mostly before V8 optimises it.
      for (const r of rows) {
        const b: number[] = [];
        if (r.file !== file) {
          b.push(DW_LNS_set_file);
          pushUleb(b, r.file);
        }
        if (r.col !== col) {
          b.push(DW_LNS_set_column);
          pushUleb(b, r.col);
        }
        if (r.discriminator) {
          const d = uleb(r.discriminator);
          b.push(0);
          pushUleb(b, d.length + 1);
          b.push(DW_LNE_set_discriminator);
          for (let k = 0; k < d.length; k++) b.push(d[k]);
        }
        if (r.isa !== isa) {
          b.push(DW_LNS_set_isa);
          pushUleb(b, r.isa);
        }
        if (r.isStmt !== stmt) b.push(DW_LNS_negate_stmt);
        if (r.basicBlock) b.push(DW_LNS_set_basic_block);
        if (r.prologueEnd) b.push(DW_LNS_set_prologue_end);
        if (r.epilogueBegin) b.push(DW_LNS_set_epilogue_begin);
        const delta = r.line - line;
        if (prev === null) {
          b.push(0, 9, DW_LNE_set_address);
          out.bytes(b);
          out.datum(symbolRef(r.label), 8);
          // line_base -5, line_range 14, opcode_base 13: a special opcode covers deltas -5..8.
          if (delta === 0) out.bytes([DW_LNS_copy]);
          else if (delta >= -5 && delta <= 8) out.bytes([delta + 5 + 13]);
          else {
            const a = [DW_LNS_advance_line];
            pushSleb(a, delta);
            a.push(DW_LNS_copy);
            out.bytes(a);
          }
        } else {
          b.push(DW_LNS_advance_line);
          pushSleb(b, delta);
          b.push(DW_LNS_fixed_advance_pc);
          out.bytes(b);
          out.datum({ t: E_BIN, op: OP_SUB, a: symbolRef(r.label), b: symbolRef(prev) }, 2);
          out.bytes([DW_LNS_copy]);
        }
        file = r.file;
        line = r.line;
        col = r.col;
        isa = r.isa;
        stmt = r.isStmt;
        prev = r.label;
      }
      out.bytes([DW_LNS_fixed_advance_pc]);
      out.datum(diff(out.endOf(sec), prev!), 2);
      out.bytes([0, 1, DW_LNE_end_sequence]);
    }
    out.place(end);
  }
}

/** The ULEB128 bytes of `v` (a non-negative integer) appended to `out`: by 32-bit arithmetic below 2^31,
 * else as a bigint. */
function pushUleb(out: number[], v: number | bigint): void {
  if (typeof v === 'number' && v >= 0 && v <= 0x7fffffff) {
    let x = v;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x) b |= 0x80;
      out.push(b);
    } while (x);
    return;
  }
  let x = BigInt(v);
  // Callers pass counts, sizes and checked values; a negative one would never end the loop below.
  if (x < 0n) throw new Error(`internal: ULEB128 of a negative value (${x})`);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
}

/** The SLEB128 bytes of integer `v` appended to `out`: by 32-bit arithmetic within ±2^31, else as a bigint. */
function pushSleb(out: number[], v: number | bigint): void {
  if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) {
    let x = v;
    for (;;) {
      const b = x & 0x7f;
      // An arithmetic shift: the value divided by 128, rounded down, as BigInt's >> does.
      x >>= 7;
      if ((x === 0 && !(b & 0x40)) || (x === -1 && b & 0x40)) {
        out.push(b);
        return;
      }
      out.push(b | 0x80);
    }
  }
  let x = BigInt(v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && !(b & 0x40)) || (x === -1n && b & 0x40)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** A number of `.file` or `.loc` as a bigint, refused as GNU as refuses it when it does not fit in 64 bits. */
function fitsIn64(t: string): bigint {
  const v = t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  if (v > 0xffffffffffffffffn || v < -0x8000000000000000n) throw new AsmError('bad or irreducible absolute expression');
  return v;
}

/** A `.loc` ISA or discriminator: GNU as refuses a negative one and keeps the low 32 bits of a larger one
 * (dwarf2dbg.c stores them as unsigned int). */
function unsigned32(v: bigint, what: string): number {
  if (v < 0n) throw new AsmError(`${what} less than zero`);
  return Number(v & 0xffffffffn);
}

/** ULEB128 bytes (of a non-negative value). */
export function uleb(v: number | bigint): number[] {
  const out: number[] = [];
  pushUleb(out, v);
  return out;
}

/** SLEB128 bytes. */
export function sleb(v: number | bigint): number[] {
  const out: number[] = [];
  pushSleb(out, v);
  return out;
}

export function cstr(s: string): number[] {
  return [...new TextEncoder().encode(s), 0];
}
