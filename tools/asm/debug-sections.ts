// `.cfi_*` directives and the DWARF sections written at the end of a unit (.debug_frame from the
// call-frame table of dwarf-frame.ts, .debug_line from the line table of dwarf-line.ts).

import { SHF_ALLOC, SHT_PROGBITS } from '../elf/model.js';
import { AsmError, E_BIN, OP_SUB, isIdentStart } from './expr.js';
import { cstr, LineTable } from './dwarf-line.js';
import { FrameTable } from './dwarf-frame.js';
import { DATA_PCREL, FixupRecord, FIX_DATA, FRAG_ALIGN, FRAG_LEB } from './section.js';
import { regNumber } from './lex.js';
import { csrByName } from '../../isa/csrs.js';
import { fpRegisterNumber } from '../../isa/registers.js';
import type { Unit } from './unit.js';

/**
 * A register's DWARF number by its name, as GNU as numbers them (tc-riscv.c tc_riscv_regname_to_dw2regnum;
 * names in lower case only): x0-x31 and the ABI names, f0-f31 and theirs from 32, v0-v31 from 96, CSRs from
 * 4096. -1 for any other name.
 */
function dwarfRegister(name: string): number {
  if (name !== name.toLowerCase()) return -1;
  const x = regNumber(name);
  if (x >= 0) return x;
  const f = fpRegisterNumber(name);
  if (f !== undefined) return 32 + f;
  const v = /^v([12]?[0-9]|3[01])$/.exec(name);
  if (v) return 96 + Number(v[1]);
  const csr = csrByName(name);
  return csr ? 4096 + csr.number : -1;
}

/** `.cfi_*`: recorded per procedure; written as .debug_frame at the end (see dwarf-frame.ts). */
export function cfi(u: Unit, name: string, p: number, end: number): void {
  const f = (u.frames_ ??= new FrameTable());
  if (name === 'sections') {
    f.sections(u.s.slice(p, end));
    return;
  }
  const n = u.splitOperands(p, end);
  if (name === 'label') {
    if (n !== 1) throw new AsmError('.cfi_label takes one operand, a symbol name');
    const label = u.symbolNameOperand(0);
    const s = u.symbols.get(label);
    if (s && s.kind !== 0) throw new AsmError(`symbol '${label}' is already defined${s.defCtx ? ` (first defined at ${s.defCtx.file}:${s.defLine})` : ''}`, u.opS[0]);
    f.label(label, () => u.dotSymbol(), { ...u.loc, col: u.locCol(u.opS[0]) });
    return;
  }
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(u.operandText(i));
  // Operand i as a register, read as GNU as reads one (dw2gencfi.c cfi_parse_reg): a name, `%` before it
  // allowed, is a register by its DWARF number; anything else is an absolute expression, of which a C int
  // is kept (4294967297 is 1), and a negative one is an error.
  const reg = (i: number): number => {
    const t = args[i];
    const name = t.charCodeAt(0) === 37 && isIdentStart(t.charCodeAt(1)) ? t.slice(1) : isIdentStart(t.charCodeAt(0)) ? t : null;
    if (name !== null) {
      const r = dwarfRegister(name);
      if (r < 0) throw new AsmError(`bad register expression: '${name}' is not a register`, u.opS[i]);
      return r;
    }
    const v = u.evalNow(u.expr(u.opS[i], u.opE[i]));
    if (v === null) throw new AsmError(`bad register expression: '${t}' is not an absolute number`, u.opS[i]);
    const r = Number(BigInt.asIntN(32, v));
    if (r < 0) throw new AsmError(`bad register expression: ${r} is negative`, u.opS[i]);
    return r;
  };
  f.directive(name, args, reg, () => u.dotSymbol(), u.sec, (i) => u.expr(u.opS[i], u.opE[i]), (i) => u.evalNow(u.expr(u.opS[i], u.opE[i])));
}

/** Call-frame tables, written to .debug_frame at the end of the unit. */
export function writeFrameTable(u: Unit, frames: FrameTable, eh: boolean): void {
  const save = u.sec;
  const savePrev = u.prevSec;
  const df = eh ? u.section('.eh_frame', SHF_ALLOC, SHT_PROGBITS) : u.section('.debug_frame', 0, SHT_PROGBITS);
  if (eh) df.align = Math.max(df.align, 8);
  const loc = { ...u.loc };
  try {
    frames.write({
      bytes: (b) => df.putBytes(b),
      datum: (e, n) => {
        df.records.push(new FixupRecord(FIX_DATA, df.cur, df.curSize(), e, loc, loc.line, loc.col, n, null, 0, 0, false));
        df.putIntLE(0, n);
      },
      pcrel: (e, n) => {
        df.records.push(new FixupRecord(FIX_DATA, df.cur, df.curSize(), e, loc, loc.line, loc.col, n, null, DATA_PCREL, 0, false));
        df.putIntLE(0, n);
      },
      advance: (to, from, relocated) => {
        df.hasLeb = true;
        df.addFrag(FRAG_LEB, { expr: { t: E_BIN, op: OP_SUB, a: to, b: from }, signed: false, loc, cfa: { relocated } }, 1);
      },
      align: (n) => {
        df.addFrag(FRAG_ALIGN, { align: n, fill: 0, maxSkip: -1, nops: false, rvc: false, count: 0, fillSize: 1, fillValue: 0n, norelax: true });
      },
      newLabel: () => u.newSym(eh ? '.Leh_frame' : '.Ldebug_frame', true),
      label: (name, at) => {
        // Made now, not at the directive, as GNU as makes it (its place in the symbol table follows).
        const sym = u.symbol(name);
        if (sym.kind !== 0) {
          // Also when both tables are written: each would define it (GNU as: "already defined").
          const message = `symbol '${name}' is already defined${sym.defCtx ? ` (first defined at ${sym.defCtx.file}:${sym.defLine})` : ''}`;
          u.diags.push({ file: at.file, line: at.line, col: at.col, severity: 'error', message: at.note ? `${message} (${at.note})` : message });
          return;
        }
        u.sec = df;
        u.placeLabel(sym);
        sym.defCtx = { file: at.file, note: at.note };
        sym.defLine = at.line;
        sym.defCol = at.col;
      },
      place: (sym) => {
        u.sec = df;
        u.placeLabel(sym);
      },
    }, eh);
  } finally {
    u.sec = save;
    u.prevSec = savePrev;
  }
}

/** The line-number program, appended to this unit's .debug_line (after gcc's `.Ldebug_line0:` label). */
export function writeLineTable(u: Unit, lines: LineTable): void {
  const save = u.sec;
  const savePrev = u.prevSec;
  const dl = u.section('.debug_line', 0, SHT_PROGBITS);
  const loc = { ...u.loc };
  try {
    lines.write({
      bytes: (b) => dl.putBytes(b),
      datum: (e, n) => {
        dl.records.push(new FixupRecord(FIX_DATA, dl.cur, dl.curSize(), e, loc, loc.line, loc.col, n, null, 0, 0, false));
        dl.putIntLE(0, n);
      },
      uleb: (e) => {
        dl.hasLeb = true;
        dl.addFrag(FRAG_LEB, { expr: e, signed: false, loc }, 1);
      },
      newLabel: () => u.newSym('.Ldebug_line', true),
      place: (sym) => {
        u.sec = dl;
        u.placeLabel(sym);
      },
      endOf: (sec) => {
        u.sec = sec;
        const sym = u.newSym('.Lsection_end', true);
        u.placeLabel(sym);
        return sym;
      },
      lineStr: (text) => {
        // gcc's `.section .debug_line_str,"MS",@progbits,1` when it wrote one; else the same section.
        const ls = u.section('.debug_line_str', 0x30 /* SHF_MERGE | SHF_STRINGS */, SHT_PROGBITS);
        if (ls.entsize === 0) ls.entsize = 1;
        u.sec = ls;
        const sym = u.newSym('.Ldebug_line_str', true);
        u.placeLabel(sym);
        ls.putBytes(cstr(text));
        return sym;
      },
    });
  } finally {
    u.sec = save;
    u.prevSec = savePrev;
  }
}
