// Directives: the dispatch of every `.name` statement, with sections, symbol bindings and types,
// assignments, `.option`, `.attribute` and `.include`; data, macro, debug and `.insn` directives call
// their own modules.

import { SHF_ALLOC, SHF_EXECINSTR, SHF_LINK_ORDER, SHF_TLS, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS } from '../elf/model.js';
import { AsmError, E_NUM, E_SYM, evaluate, forEachSymbol, isIdentStart, type Sym } from './expr.js';
import { ATTRIBUTE_TAGS, TAG_ARCH, addExtension, copyIsa, parseIsa, type Isa } from './attributes.js';
import { LineTable } from './dwarf-line.js';
import { FragRef, FixupRecord, FIX_DATA, DATA_DTPOFF, FRAG_ORG, type InputSection } from './section.js';
import { skipWs } from './lex.js';
import { floats, leb128, reloc, stringLit, data, alignTo, fillFrag } from './data.js';
import { condition, beginMacro } from './macros.js';
import { cfi } from './debug-sections.js';
import { insn } from './insn.js';
import type { Unit } from './unit.js';

export function assign(u: Unit, name: string, p: number, end: number, redefine: boolean, namePos: number): void {
  const e = u.expr(skipWs(u.s, p, end), end);
  const s = u.symbol(name);
  if (s.kind === 1 || (!redefine && s.kind !== 0)) {
    throw new AsmError(`symbol '${name}' is already defined${s.defCtx ? ` (first defined at ${s.defCtx.file}:${s.defLine})` : ''}`, namePos);
  }
  let self = false;
  forEachSymbol(e, (x) => {
    if (x === s) self = true;
  });
  const v = u.evalNow(e);
  if (v !== null) {
    s.kind = 2;
    s.value = v;
    s.expr = null;
  } else {
    if (self) throw new AsmError(`cyclic definition of symbol '${name}'`, namePos);
    const rv = evaluate(e, u.nowResolve);
    if (rv && rv.base && e.t === E_SYM && e.kind === 1) {
      // `.set alias, label`: the same location.
      s.kind = 1;
      s.section = e.section;
      s.frag = e.frag;
      s.offset = e.offset;
    } else {
      s.kind = 3;
      s.expr = e;
    }
  }
  if (e.t === E_SYM && e !== s) {
    // `.set alias, sym` takes sym's type and, unless the alias has one, its size as they are at this point
    // (GNU as's copy_symbol_attributes): gcc's `.set f.localalias, f` is a sized function too.
    if (e.type !== 'notype') s.type = e.type;
    if (s.size === null) s.size = e.size;
  }
  u.defineAt(s, namePos);
}

export function symbolList(u: Unit, p: number, end: number, f: (s: Sym, pos: number) => void): void {
  const n = u.splitOperands(p, end);
  if (n === 0) throw new AsmError('expected a symbol name', p);
  for (let i = 0; i < n; i++) f(u.symbol(u.symbolNameOperand(i)), u.opS[i]);
}


/** Data directives by size: with .loc and .cfi_*, most of what gcc -g writes (its debug sections are data). */
const DATA_SIZE = new Map<string, number>([
  ['.byte', 1], ['.half', 2], ['.hword', 2], ['.short', 2], ['.2byte', 2], ['.word', 4], ['.long', 4], ['.int', 4], ['.4byte', 4],
  ['.dword', 8], ['.quad', 8], ['.8byte', 8],
  // GNU as's sized spellings (read.c): .dc is .dc.w; .dc.a is address-sized (riscv-pk's mentry.S).
  ['.dc.b', 1], ['.dc', 2], ['.dc.w', 2], ['.dc.l', 4], ['.dc.a', 8],
]);

export function directive(u: Unit, word: string, p: number, end: number): void {
  // The common directives first, by one lookup: the switch of otherDirective compares the word with its
  // cases in turn. A small function of their own: V8 optimises a function after a number of calls that
  // grows with its size, and directive() with the switch in it (13 KB of bytecode) ran in the baseline
  // tiers for all of a 70,000-line gcc -g file, where nearly every line is one of these.
  const size = DATA_SIZE.get(word);
  if (size !== undefined || word === '.loc' || (word.length > 5 && word.startsWith('.cfi_'))) {
    const listStart = u.wantListing ? u.listingStart() : null;
    if (size !== undefined) {
      u.mapState(2, false);
      data(u, size, p, end);
    }
    else if (word === '.loc') {
      if (!u.lines) throw new AsmError('.loc before any .file N', u.mnemonicPos);
      const label = u.dotSymbol();
      u.lines.loc(u.s.slice(p, end), u.sec, label);
    } else cfi(u, word.slice(5), p, end);
    if (listStart) u.listingEnd(listStart);
    return;
  }
  otherDirective(u, word, p, end);
}

/** The directives other than data, `.loc` and `.cfi_*`. */
function otherDirective(u: Unit, word: string, p: number, end: number): void {
  const s = u.s;
  const listStart = u.wantListing ? u.listingStart() : null;
  switch (word) {
    case '.text':
    case '.data':
    case '.rodata':
    case '.bss':
      noOperands(u, p, end, word);
      u.switchSection(u.section(word, null, null));
      break;
    case '.section':
    case '.pushsection': {
      const n = u.splitOperands(p, end);
      if (n === 0) throw new AsmError('expected a section name', p);
      let name = u.operandText(0);
      if (name.startsWith('"')) name = name.slice(1, -1);
      let flags: number | null = null;
      let type: number | null = null;
      let grouped = false;
      let inherit = false;
      if (n >= 2) {
        const ft = u.operandText(1);
        if (!ft.startsWith('"')) throw new AsmError('expected section flags in double quotes, e.g. "ax"', u.opS[1]);
        flags = 0;
        for (const ch of ft.slice(1, -1)) {
          if (ch === 'a') flags |= SHF_ALLOC;
          else if (ch === 'w') flags |= SHF_WRITE;
          else if (ch === 'x') flags |= SHF_EXECINSTR;
          else if (ch === 'T') flags |= SHF_TLS;
          else if (ch === 'M') flags |= 0x10; // SHF_MERGE
          else if (ch === 'S') flags |= 0x20; // SHF_STRINGS
          else if (ch === 'G') grouped = true;
          else if (ch === '?') inherit = true;
          else if (ch === 'o') flags |= SHF_LINK_ORDER;
          else if ('Re'.includes(ch)) continue;
          else throw new AsmError(`unknown section flag '${ch}'`, u.opS[1]);
        }
      }
      if (n >= 3) {
        const t = u.operandText(2).replace(/^[@%]/, '');
        if (t === 'progbits') type = SHT_PROGBITS;
        else if (t === 'nobits') type = SHT_NOBITS;
        else if (t === 'note' || t === 'init_array' || t === 'fini_array' || t === 'preinit_array') type = SHT_PROGBITS;
        else throw new AsmError(`unknown section type '${u.operandText(2)}'`, u.opS[2]);
      }
      // After the type (GNU as, obj_elf_section): the entry size of an "M" section, the linked-to symbol of
      // an "o" one, the group signature of a "G" one and `comdat` (or `.gnu.linkonce`), then `unique, N`.
      let k = 3;
      let entsize: number | null = null;
      if (flags !== null && flags & 0x10 && k < n) entsize = Number(u.absolute(k++, 'entry size'));
      let linkOrder: InputSection['linkOrder'] = null;
      if (flags !== null && flags & SHF_LINK_ORDER) {
        if (k >= n) throw new AsmError("expected the linked-to symbol of an 'o' section after its type", u.opS[1]);
        linkOrder = { symbol: u.operandText(k).replace(/^"(.*)"$/, '$1'), loc: u.locAt(u.opS[k]) };
        k++;
      }
      let group: InputSection['group'] = null;
      if (grouped) {
        if (k >= n) throw new AsmError('group name for SHF_GROUP not specified', u.opS[1]);
        let sig = u.operandText(k);
        if (sig.startsWith('"')) sig = sig.slice(1, -1);
        if (!sig) throw new AsmError('expected a group name', u.opS[k]);
        k++;
        let comdat = false;
        if (k < n && (u.operandText(k) === 'comdat' || u.operandText(k) === '.gnu.linkonce')) {
          comdat = true;
          k++;
        }
        group = { signature: sig, comdat };
      } else if (inherit && u.sec.group) group = u.sec.group;
      let uniqueId = -1;
      if (k < n && u.operandText(k) === 'unique') {
        if (k + 1 >= n) throw new AsmError("expected an id after 'unique'", u.opS[k]);
        const id = u.absolute(k + 1, 'unique id');
        if (id < 0n || id > 0xffffffffn) throw new AsmError('unique id out of range', u.opS[k + 1]);
        uniqueId = Number(id);
        k += 2;
      }
      if (k < n) u.warn(`ignoring '${u.operandText(k)}' in .section`, u.opS[k]);
      const existing = u.sections.find((x) => x.name === name && (x.group?.signature ?? null) === (group?.signature ?? null) && x.uniqueId === uniqueId && (x.linkOrder?.symbol ?? null) === (linkOrder?.symbol ?? null));
      if (existing && flags !== null && existing.flags !== flags && n >= 2) {
        u.warn(`changed section flags for '${name}' ignored`, u.opS[1]);
      }
      const sec = existing ?? u.section(name, flags, type, group, uniqueId, linkOrder);
      if (entsize !== null) sec.entsize = entsize;
      if (word === '.pushsection') u.secStack.push([u.sec, u.prevSec]);
      u.switchSection(sec);
      break;
    }
    case '.popsection': {
      const top = u.secStack.pop();
      if (!top) throw new AsmError('.popsection without .pushsection', u.mnemonicPos);
      [u.sec, u.prevSec] = top;
      break;
    }
    case '.previous': {
      const t = u.sec;
      u.sec = u.prevSec;
      u.prevSec = t;
      break;
    }
    case '.globl':
    case '.global':
      symbolList(u, p, end, (sym) => {
        sym.global = true;
      });
      break;
    case '.weak':
      symbolList(u, p, end, (sym) => {
        sym.global = true;
        sym.weak = true;
      });
      break;
    case '.local':
      symbolList(u, p, end, (sym) => {
        sym.global = false;
        u.declaredLocal.add(sym);
      });
      break;
    case '.hidden':
    case '.protected':
    case '.internal': {
      // st_other's STV_* value (ELF gABI, "Symbol Visibility").
      const v = word === '.internal' ? 1 : word === '.hidden' ? 2 : 3;
      symbolList(u, p, end, (sym) => void u.visibility.set(sym, v));
      break;
    }
    case '.type': {
      const n = u.splitOperands(p, end);
      if (n !== 2) throw new AsmError('expected: .type symbol, @function|@object', p);
      const sym = u.symbol(u.symbolNameOperand(0));
      const t = u.operandText(1).replace(/^[@%"]/, '').replace(/"$/, '').toLowerCase();
      if (t === 'function' || t === 'stt_func') sym.type = 'func';
      else if (t === 'object' || t === 'stt_object') sym.type = 'object';
      else if (t === 'gnu_unique_object') {
        // STB_GNU_UNIQUE: a global object the dynamic linker keeps one copy of; a static link binds it globally.
        sym.type = 'object';
        sym.global = true;
      } else if (t === 'tls_object' || t === 'stt_tls') sym.type = 'object';
      else if (t === 'notype' || t === 'stt_notype') sym.type = 'notype';
      else throw new AsmError(`unsupported symbol type '${u.operandText(1)}'`, u.opS[1]);
      break;
    }
    case '.size': {
      const n = u.splitOperands(p, end);
      if (n !== 2) throw new AsmError('expected: .size symbol, expression', p);
      const sym = u.symbol(u.symbolNameOperand(0));
      sym.size = u.expr(u.opS[1], u.opE[1]);
      break;
    }
    case '.equ':
    case '.set':
    case '.equiv': {
      const n = u.splitOperands(p, end);
      if (n !== 2) throw new AsmError(`expected: ${word} symbol, expression`, p);
      const name = u.operandText(0);
      if (!isIdentStart(name.charCodeAt(0))) throw new AsmError(`expected a symbol name, got '${name}'`, u.opS[0]);
      assign(u, name, u.opS[1], u.opE[1], word !== '.equiv', u.opS[0]);
      break;
    }
    case '.dtprelword':
    case '.dtpreldword': {
      // The offset of a TLS symbol in its module's TLS block (DWARF location expressions).
      const n = u.splitOperands(p, end);
      const size = word === '.dtprelword' ? 4 : 8;
      for (let i = 0; i < n; i++) {
        const e = u.expr(u.opS[i], u.opE[i]);
        u.sec.records.push(new FixupRecord(FIX_DATA, u.sec.cur, u.sec.curSize(), e, u.locCtx(), u.loc.line, u.locCol(u.opS[i]), size, null, DATA_DTPOFF, 0, false));
        u.sec.putIntLE(0, size);
      }
      break;
    }
    case '.float':
    case '.single':
    case '.double':
    case '.dc.s':
    case '.dc.d':
      u.mapState(2, false);
      floats(u, word === '.double' || word === '.dc.d' ? 8 : 4, p, end);
      break;
    case '.uleb128':
    case '.sleb128':
      u.mapState(2, false);
      leb128(u, word === '.sleb128', p, end);
      break;
    case '.reloc':
      reloc(u, p, end);
      break;
    case '.weakref': {
      const n = u.splitOperands(p, end);
      if (n !== 2) throw new AsmError('expected: .weakref alias, target', p);
      const alias = u.symbol(u.symbolNameOperand(0));
      const target = u.symbol(u.symbolNameOperand(1));
      if (alias.kind !== 0) throw new AsmError(`symbol '${alias.name}' is already defined`, u.opS[0]);
      alias.kind = 3;
      alias.expr = target;
      alias.temp = true;
      u.defineAt(alias, u.opS[0]);
      u.weakrefTargets.push(target);
      break;
    }
    case '.symver': {
      // `.symver name, name2@VER`: name2@VER is another name for name (its binding at the end of the
      // file). Versions matter to the dynamic linker only; in a static image it is a plain alias.
      const n = u.splitOperands(p, end);
      if (n < 2 || n > 3) throw new AsmError('expected: .symver name, name2@nodename[, visibility]', p);
      const target = u.symbol(u.symbolNameOperand(0));
      const vname = u.operandText(1);
      if (!/^[A-Za-z_.$][\w.$]*@@?@?[\w.$]+$/.test(vname)) throw new AsmError(`expected name@version, got '${vname}'`, u.opS[1]);
      if (n === 3 && !['local', 'hidden', 'remove'].includes(u.operandText(2))) throw new AsmError(`unknown .symver visibility '${u.operandText(2)}' (expected local, hidden or remove)`, u.opS[2]);
      if (n === 3 && u.operandText(2) === 'remove') break;
      const alias = u.symbol(vname.replace('@@@', '@@'));
      if (alias.kind !== 0) throw new AsmError(`symbol '${alias.name}' is already defined`, u.opS[1]);
      alias.kind = 3;
      alias.expr = target;
      u.defineAt(alias, u.opS[1]);
      u.symvers.push([alias, target, n === 3]);
      break;
    }
    case '.ascii':
    case '.asciz':
    case '.string': {
      const n = u.splitOperands(p, end);
      if (n === 0) throw new AsmError('expected a string', p);
      u.mapState(2, false);
      for (let i = 0; i < n; i++) {
        const bytes = stringLit(u, i);
        if (word !== '.ascii') bytes.push(0);
        if (u.sec.type === SHT_NOBITS) throw new AsmError(`strings are not allowed in the NOBITS section '${u.sec.name}'`, u.opS[i]);
        u.sec.putBytes(bytes);
      }
      break;
    }
    case '.zero':
    case '.space':
    case '.skip': {
      const n = u.splitOperands(p, end);
      if (n < 1 || n > 2) throw new AsmError(`expected: ${word} size[, fill]`, p);
      const count = u.absolute(0, 'size');
      const fill = n > 1 ? u.absolute(1, 'fill value') : 0n;
      if (word === '.zero' && n > 1) throw new AsmError('.zero takes one operand', u.opS[1]);
      u.mapState(2, false);
      fillFrag(u, count, 1, fill & 0xffn, u.opS[0]);
      break;
    }
    case '.fill': {
      const n = u.splitOperands(p, end);
      if (n < 1 || n > 3) throw new AsmError('expected: .fill repeat[, size[, value]]', p);
      const count = u.absolute(0, 'repeat count');
      const size = n > 1 ? Number(u.absolute(1, 'size')) : 1;
      const value = n > 2 ? u.absolute(2, 'value') : 0n;
      if (size < 0) throw new AsmError('.fill size must not be negative', u.opS[1]);
      const sz = Math.min(size, 8);
      u.mapState(2, false);
      fillFrag(u, count, sz, sz >= 4 ? BigInt.asUintN(32, value) : value, u.opS[0]);
      break;
    }
    case '.align':
    case '.p2align':
    case '.balign': {
      // `.p2align 4,,15`: an empty fill means the default (nops in code).
      const n = u.splitOperands(p, end, true);
      if (n >= 1 && u.opS[0] === u.opE[0]) throw new AsmError('missing operand', u.opS[0]);
      if (n < 1 || n > 3) throw new AsmError(`expected: ${word} alignment[, fill[, max]]`, p);
      const a = u.absolute(0, 'alignment');
      let bytes: number;
      if (word === '.balign') bytes = Number(a);
      else {
        if (a < 0n || a > 30n) throw new AsmError(`alignment exponent must be in [0, 30], got ${a}`, u.opS[0]);
        bytes = 1 << Number(a);
      }
      const fill = n > 1 && u.opE[1] > u.opS[1] ? Number(u.absolute(1, 'fill') & 0xffn) : null;
      const max = n > 2 && u.opE[2] > u.opS[2] ? Number(u.absolute(2, 'maximum skip')) : -1;
      if (u.gnu && fill === null && u.sec.flags & SHF_EXECINSTR && bytes <= (u.rvc ? 2 : 4)) {
        // GNU as (tc-riscv.c, riscv_frag_align_code through md_do_align) leaves code aligned to no more than
        // an instruction's alignment as it is: it records the section's alignment and pads nothing.
        if (bytes > u.sec.align) u.sec.align = bytes;
        break;
      }
      // GNU as 2.40: code alignment (no fill, in code) is code for its mapping symbols, a filled one data.
      if (u.sec.flags & SHF_EXECINSTR && (fill !== null || bytes > (u.rvc ? 2 : 4))) u.mapState(fill === null ? 1 : 2, true);
      alignTo(u, bytes, fill, max, u.opS[0]);
      break;
    }
    case '.org': {
      // Section-relative, as in GNU as; the gap is filled (with zeros by default).
      const n = u.splitOperands(p, end);
      if (n < 1 || n > 2) throw new AsmError('expected: .org offset[, fill]', p);
      const e = u.expr(u.opS[0], u.opE[0]);
      const rv = evaluate(e, u.nowResolve);
      // An absolute offset, or `label + k` for a label already placed in this section: then the target moves
      // with the label when fragments before it relax (LLVM's MCOrgFragment evaluates it during layout too).
      let target: bigint | null = null;
      let base = -1;
      if (rv && rv.base === null) target = rv.off;
      else if (rv && rv.base instanceof FragRef && rv.base.sec === u.sec) {
        base = rv.base.frag;
        target = rv.off;
      }
      if (target === null) throw new AsmError('.org needs an absolute expression (an offset in the section) known at this point', u.opS[0]);
      if (target < (base >= 0 ? -(1n << 30n) : 0n) || target > 1n << 30n) throw new AsmError(`.org offset ${target} out of range`, u.opS[0]);
      const fill = n > 1 ? Number(u.absolute(1, 'fill') & 0xffn) : 0;
      u.sec.addFrag(FRAG_ORG, { align: Number(target), fill, maxSkip: -1, nops: false, rvc: false, count: 0, fillSize: 1, fillValue: 0n, loc: u.locAt(u.opS[0]), base });
      break;
    }
    case '.option': {
      const n = u.splitOperands(p, end);
      if (n < 1) throw new AsmError('expected: .option rvc|norvc|push|pop|relax|norelax|pic|nopic|arch, ...', p);
      const o = u.operandText(0).toLowerCase();
      if (o === 'arch') {
        if (n < 2) throw new AsmError('expected: .option arch, +ext | -ext | rv64...', p);
        optionArch(u, n);
        break;
      }
      if (n !== 1) throw new AsmError(`unexpected operands after .option ${o}`, u.opS[1]);
      if (o === 'rvc') u.rvc = true;
      else if (o === 'norvc') u.rvc = false;
      else if (o === 'push') u.optStack.push([u.rvc, u.pic, u.relax, copyIsa(u.arch), u.attrs.arch]);
      else if (o === 'pop') {
        if (!u.optStack.length) throw new AsmError('.option pop with no .option push', u.opS[0]);
        let arch: Isa;
        [u.rvc, u.pic, u.relax, arch, u.attrs.arch] = u.optStack.pop()!;
        u.setMarch(arch);
      } else if (o === 'pic' || o === 'nopic') u.pic = o === 'pic';
      else if (o === 'relax' || o === 'norelax') {
        // rvx's own linking does no relaxation; `rvx asm -c --relax` marks relaxable code (not in norelax regions).
        u.relax = o === 'relax';
      } else throw new AsmError(`unknown option '${o}' (expected rvc, norvc, push, pop, relax, norelax, pic, nopic or arch)`, u.opS[0]);
      break;
    }
    case '.file': {
      // `.file "name"` names the unit (its FILE symbol); `.file N ...` is a DWARF line-table file.
      const q = skipWs(s, p, end);
      if (q < end && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) {
        (u.lines ??= new LineTable()).file(s.slice(q, end));
        break;
      }
      if (q + 1 < end && s.charCodeAt(q) === 45 && s.charCodeAt(q + 1) >= 48 && s.charCodeAt(q + 1) <= 57) throw new AsmError('file number less than one', q);
      if (u.splitOperands(p, end) >= 1 && u.s.charCodeAt(u.opS[0]) === 34) {
        const name = u.operandText(0).slice(1, -1);
        if (u.nops === 1) u.fileSymbols.push(name);
      }
      break;
    }
    case '.extern':
      // GNU as ignores the line (read.c: s_ignore): an undefined symbol is external anyway.
      break;
    case '.ident': {
      // The compiler's identification, in .comment (GNU as: a NUL, then each string NUL-terminated).
      const n = u.splitOperands(p, end);
      if (n !== 1) throw new AsmError('expected: .ident "string"', p);
      const bytes = stringLit(u, 0);
      const save = u.sec;
      const fresh = !u.sections.some((x) => x.name === '.comment');
      const sec = u.section('.comment', 0x30, SHT_PROGBITS);
      sec.entsize = 1;
      if (fresh) sec.putBytes([0]);
      sec.putBytes([...bytes, 0]);
      u.sec = save;
      break;
    }
    case '.attribute':
      attribute(u, p, end);
      break;
    case '.addrsig':
    case '.addrsig_sym':
    case '.eabi_attribute':
      break;
    case '.comm':
    case '.lcomm': {
      const n = u.splitOperands(p, end);
      if (n < 2 || n > 3) throw new AsmError(`expected: ${word} symbol, size[, align]`, p);
      const sym = u.symbol(u.operandText(0));
      const size = u.absolute(1, 'size');
      if (word === '.comm' && u.objectFile && !u.declaredLocal.has(sym)) {
        // An object leaves a common symbol to the linker, as GNU as does: SHN_COMMON, its value the alignment
        // (without one, the size rounded up to a power of two, at most 16, as GNU as 2.40 writes it).
        if (sym.kind !== 0 || (sym.global && !sym.common && sym.defCtx)) throw new AsmError(`symbol '${sym.name}' is already defined`, u.opS[0]);
        const align = n > 2 ? Number(u.absolute(2, 'alignment')) : Math.min(16, 2 ** Math.ceil(Math.log2(Math.max(1, Number(size)))));
        if (!sym.common) {
          sym.size = { t: E_NUM, v: size };
          sym.commonAlign = align || 1;
        } else {
          // Again: GNU as keeps the first size (with a warning) and takes a new alignment given.
          if (sym.size && sym.size.t === E_NUM && size !== sym.size.v) u.warn(`size of '${sym.name}' is already ${sym.size.v}; not changing to ${size}`, u.opS[1]);
          if (n > 2) sym.commonAlign = align || 1;
        }
        sym.global = true;
        sym.common = true;
        sym.type = 'object';
        u.defineAt(sym, u.opS[0]);
        break;
      }
      // GNU as's implicit .lcomm alignment (read.c, TC_IMPLICIT_LCOMM_ALIGNMENT): 8, 4 or 2 by the size.
      const implicit = u.gnu ? (size >= 8n ? 8 : size >= 4n ? 4 : size >= 2n ? 2 : 1) : Math.min(16, Number(size) >= 8 ? 8 : 1);
      const align = n > 2 ? Number(u.absolute(2, 'alignment')) : implicit;
      const save = u.sec;
      const savePrev = u.prevSec;
      u.sec = u.section('.bss', null, null);
      alignTo(u, align || 1, null, -1, u.opS[2 < n ? 2 : 1]);
      if (sym.kind !== 0) throw new AsmError(`symbol '${sym.name}' is already defined`, u.opS[0]);
      u.placeLabel(sym);
      u.defineAt(sym, u.opS[0]);
      sym.type = 'object';
      sym.size = { t: E_NUM, v: size };
      // `.local x` then `.comm x, ...` (gcc's static zero-initialised data) stays local, as in GNU as.
      if (word === '.comm' && !u.declaredLocal.has(sym)) {
        sym.global = true;
        sym.common = true;
      }
      fillFrag(u, size, 1, 0n, u.opS[1]);
      u.sec = save;
      u.prevSec = savePrev;
      break;
    }
    case '.insn':
      u.splitOperands(p, end);
      u.mapState(1, false);
      insn(u);
      break;
    default:
      if (!rareDirective(u, word, p, end)) return;
  }
  if (listStart) u.listingEnd(listStart);
}

/**
 * The directives compiler output rarely has (includes, macros, repetitions, conditionals, messages), out
 * of directive(): a smaller function for V8 to compile, and fewer cases it meets for the first time after
 * optimising it (each such case deoptimised directive(), compiled four times on gcc -g output). False when
 * the statement ended the rest of its line (.exitm): no listing line.
 */
function rareDirective(u: Unit, word: string, p: number, end: number): boolean {
  const s = u.s;
  switch (word) {
    case '.include': {
      const n = u.splitOperands(p, end);
      if (n !== 1 || s.charCodeAt(u.opS[0]) !== 34) throw new AsmError('expected: .include "file"', p);
      const path = u.operandText(0).slice(1, -1);
      if (u.frame.includeDepth >= 32) throw new AsmError('.include nesting too deep', u.opS[0]);
      const f = u.include ? u.include(path, u.frame.file) : null;
      if (!f) throw new AsmError(`cannot find include file '${path}'`, u.opS[0]);
      u.pushFile(f, u.frame.includeDepth + 1);
      break;
    }
    case '.incbin': {
      const n = u.splitOperands(p, end);
      if (n < 1 || n > 3 || s.charCodeAt(u.opS[0]) !== 34) throw new AsmError('expected: .incbin "file"[, skip[, count]]', p);
      const path = u.operandText(0).slice(1, -1);
      const bytes = u.binary ? u.binary(path, u.frame.file) : null;
      if (!bytes) throw new AsmError(`cannot find file '${path}' for .incbin`, u.opS[0]);
      const skip = n > 1 ? Number(u.absolute(1, 'skip')) : 0;
      const count = n > 2 ? Number(u.absolute(2, 'count')) : bytes.length - skip;
      if (skip < 0 || skip > bytes.length) throw new AsmError(`.incbin skip ${skip} is outside the file (${bytes.length} bytes)`, u.opS[1]);
      if (count < 0 || skip + count > bytes.length) throw new AsmError(`.incbin count ${count} goes past the end of the file (${bytes.length} bytes)`, u.opS[2]);
      if (u.sec.type === SHT_NOBITS) throw new AsmError(`data in the NOBITS section '${u.sec.name}' must be zero`, u.opS[0]);
      u.mapState(2, false);
      u.sec.putBytes(bytes.subarray(skip, skip + count));
      break;
    }
    case '.macro':
      beginMacro(u, p, end);
      break;
    case '.endm':
    case '.endmacro':
      throw new AsmError(`${word} without .macro`, u.mnemonicPos);
    case '.exitm': {
      // Leave the innermost macro expansion.
      for (let k = u.frames.length - 1; k >= 0; k--) {
        const f = u.frames[k];
        if (f.lines && f.macroDepth > (k > 0 ? u.frames[k - 1].macroDepth : 0)) {
          f.idx = f.lines.length;
          u.conds.length = f.condDepth;
          u.frames.length = k + 1;
          u.abandonLine = true;
          return false;
        }
      }
      throw new AsmError('.exitm outside a macro', u.mnemonicPos);
    }
    case '.purgem': {
      const n = u.splitOperands(p, end);
      if (n !== 1) throw new AsmError('expected: .purgem name', p);
      if (!u.macros.delete(u.operandText(0).toLowerCase()) && !u.macros.delete(u.operandText(0))) {
        throw new AsmError(`macro '${u.operandText(0)}' is not defined`, u.opS[0]);
      }
      break;
    }
    case '.rept': {
      const n = u.splitOperands(p, end);
      if (n !== 1) throw new AsmError('expected: .rept count', p);
      const count = u.absolute(0, 'repeat count');
      if (count < 0n) throw new AsmError('repeat count must not be negative', u.opS[0]);
      if (count > 1000000n) throw new AsmError('repeat count too large', u.opS[0]);
      u.collect = { kind: 'rept', depth: 0, lines: [], files: [], lineNos: [], loc: { ...u.loc }, macro: null, count: Number(count), irpName: '', irpValues: [] };
      break;
    }
    case '.irp':
    case '.irpc': {
      const n = u.splitOperands(p, end);
      let name: string;
      let values: string[];
      if (n === 0) throw new AsmError(`expected: ${word} symbol, values...`, p);
      const first = u.operandText(0);
      const sp = first.search(/\s/);
      if (n === 1 && sp > 0) {
        name = first.slice(0, sp);
        values = [first.slice(sp).trim()];
      } else {
        name = first;
        values = [];
        for (let i = 1; i < n; i++) values.push(u.operandText(i));
      }
      if (word === '.irpc') values = values.length ? [...values.join(',')] : [];
      if (values.length === 0) values = [''];
      u.collect = { kind: word === '.irp' ? 'irp' : 'irpc', depth: 0, lines: [], files: [], lineNos: [], loc: { ...u.loc }, macro: null, count: 0, irpName: name, irpValues: values };
      break;
    }
    case '.endr':
      throw new AsmError('.endr without .rept or .irp', u.mnemonicPos);
    case '.if':
    case '.ifne':
    case '.ifeq':
    case '.ifgt':
    case '.ifge':
    case '.iflt':
    case '.ifle':
    case '.ifdef':
    case '.ifndef':
    case '.ifnotdef':
    case '.ifc':
    case '.ifnc':
    case '.ifb':
    case '.ifnb': {
      const parent = u.conds.length === 0 || u.conds[u.conds.length - 1].active;
      let cond = false;
      // A malformed condition is reported and opens a false block, as in GNU as, so its .else and
      // .endif do not add errors of their own.
      try {
        if (parent) cond = condition(u, word, p, end);
      } finally {
        u.conds.push({ active: parent && cond, taken: cond, parent, loc: { ...u.loc } });
      }
      break;
    }
    case '.elseif': {
      const c = u.conds[u.conds.length - 1];
      if (!c) throw new AsmError('.elseif without .if', u.mnemonicPos);
      if (c.parent && !c.taken) {
        const v = condition(u, '.if', p, end);
        c.active = v;
        c.taken = v;
      } else c.active = false;
      break;
    }
    case '.else': {
      const c = u.conds[u.conds.length - 1];
      if (!c) throw new AsmError('.else without .if', u.mnemonicPos);
      c.active = c.parent && !c.taken;
      c.taken = true;
      break;
    }
    case '.endif':
      if (!u.conds.pop()) throw new AsmError('.endif without .if', u.mnemonicPos);
      break;
    case '.err':
      throw new AsmError('.err encountered', u.mnemonicPos);
    case '.error': {
      const n = u.splitOperands(p, end);
      const msg = n >= 1 ? String.fromCharCode(...stringLit(u, 0)) : '.error directive invoked';
      throw new AsmError(msg, u.mnemonicPos);
    }
    case '.warning': {
      const n = u.splitOperands(p, end);
      u.warn(n >= 1 ? String.fromCharCode(...stringLit(u, 0)) : '.warning directive invoked', u.mnemonicPos);
      break;
    }
    case '.print':
      break;
    case '.end':
      u.ended = true;
      break;
    default:
      if (word.startsWith('.cfi_')) {
        cfi(u, word.slice(5), p, end);
        break;
      }
      throw new AsmError(`unknown directive '${word}'`, u.mnemonicPos);
  }
  return true;
}

/**
 * `.attribute tag, value` (tag by name or number): recorded for the `.riscv.attributes` section. The
 * arch attribute also sets the instruction set, as in GNU as: without C, nothing is compressed.
 */
export function attribute(u: Unit, p: number, end: number): void {
  const n = u.splitOperands(p, end);
  if (n !== 2) throw new AsmError('expected: .attribute tag, value', p);
  const name = u.operandText(0).toLowerCase().replace(/^tag_riscv_/, '');
  let tag = ATTRIBUTE_TAGS[name];
  if (tag === undefined) {
    if (!/^\d+$/.test(name)) throw new AsmError(`unknown attribute '${u.operandText(0)}' (expected arch, stack_align, unaligned_access, priv_spec, priv_spec_minor, priv_spec_revision or a number)`, u.opS[0]);
    tag = Number(name);
  }
  if (tag % 2 === 1) {
    if (u.s.charCodeAt(u.opS[1]) !== 34) throw new AsmError('expected a string value for this attribute', u.opS[1]);
    const text = String.fromCharCode(...stringLit(u, 1));
    if (tag === TAG_ARCH) {
      const isa = parseIsa(text);
      if (typeof isa === 'string') throw new AsmError(isa, u.opS[1]);
      if (isa.xlen !== 64) throw new AsmError('rvx assembles RV64 only (arch attribute names rv32)', u.opS[1]);
      u.attrs.arch = isa;
      u.rvc = isa.exts.has('c');
      u.setMarch(copyIsa(isa));
    } else u.attrs.strs.set(tag, text);
  } else {
    u.attrs.ints.set(tag, u.absolute(1, 'attribute value'));
  }
}

/**
 * `.option arch, +c, -zbb, rv64gc_zba`: extensions on or off from here (GNU as 2.40). C changes encodings;
 * Zba/Zbb/Zbc/Zbs allow their instructions. As in GNU as, the `.riscv.attributes` arch string is the
 * instruction set in force at the end of the unit (`.option pop` included).
 */
export function optionArch(u: Unit, n: number): void {
  const arch = copyIsa(u.arch);
  for (let i = 1; i < n; i++) {
    const t = u.operandText(i).toLowerCase();
    if (t.startsWith('+') || t.startsWith('-')) {
      const v = /^([a-z][a-z0-9]*?)(?:(\d+)(?:p(\d+))?)?$/.exec(t.slice(1));
      if (!v) throw new AsmError(`bad extension '${t}'`, u.opS[i]);
      const ext = v[1];
      if (ext === 'c' || ext === 'zca') u.rvc = t[0] === '+';
      if (t[0] === '+') addExtension(arch, ext, v[2] !== undefined ? [Number(v[2]), Number(v[3] ?? 0)] : undefined);
      else arch.exts.delete(ext);
    } else {
      const isa = parseIsa(t);
      if (typeof isa === 'string') throw new AsmError(isa, u.opS[i]);
      if (isa.xlen !== 64) throw new AsmError('rvx assembles RV64 only (.option arch names rv32)', u.opS[i]);
      u.rvc = isa.exts.has('c');
      arch.exts = isa.exts;
    }
  }
  u.setMarch(arch);
  u.attrs.arch = copyIsa(arch);
}

export function noOperands(u: Unit, p: number, end: number, word: string): void {
  const q = skipWs(u.s, p, end);
  if (q < end) throw new AsmError(`unexpected operands after ${word}`, q);
}
