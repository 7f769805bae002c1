// One assembly unit: a top-level source file with what it includes. Reads lines (C preprocessor line
// markers, `;`-separated statements), handles labels and assignments, and dispatches each statement to
// a macro expansion, a directive (directives.ts) or an instruction (pseudo.ts, emit.ts). The state and
// shared services are in core.ts; operands in operands.ts; bytes and fixups in emit.ts and data.ts.

import { INSTRUCTION_BY_NAME, type InstrDef } from '../../isa/instructions.js';
import { AsmError, isIdentChar, isIdentStart } from './expr.js';
import { PSEUDOS } from './pseudo.js';
import { FRAG_ALIGN, FRAG_DATA, type InputSection } from './section.js';
import { SHF_EXECINSTR } from '../elf/model.js';
import { atStatementEnd, skipWs, statementEnd, stripBlockComments } from './lex.js';
import type { SourceFile, Frame, Macro } from './core.js';
import { SourceReader } from './source.js';
import { InstructionEmitter } from './emit.js';
import { assign, directive } from './directives.js';
import { collectLine, budget, expandMacro } from './macros.js';
import { writeFrameTable, writeLineTable } from './debug-sections.js';

// Names other parts of rvx import from here.
export type { SourceFile, IncludeResolver, BinaryResolver, ListingLine, Pending } from './core.js';
export { SECTION_DEFAULTS } from './core.js';
export { hi20, lo12, parseReg, regNumber, skipWs } from './lex.js';

export class Unit extends InstructionEmitter {
  /** statement()'s cache of mnemonics: the word at its wordSlot, '' where none (see there). */
  wordCache: string[] = new Array<string>(WORD_SLOTS).fill('');
  /** The mnemonic of the word at the same slot of wordCache. */
  wordCacheEntry: Mnemonic[] = new Array<Mnemonic>(WORD_SLOTS).fill(NO_MNEMONIC);

  /** Define (or redefine) a macro. Its name now means the macro, so the mnemonic cache is emptied. */
  defineMacro(m: Macro): void {
    this.macros.set(m.name, m);
    this.wordCache.fill('');
  }

  /** Assemble a whole file. */
  run(file: SourceFile): void {
    this.fileSymbols.push(file.name);
    // The first section (.text) sizes its growing columns for a file of this size (InputSection.expect).
    this.sec.expect(file.stream !== undefined ? (file.stream.size ?? 0) : file.text.length);
    this.pushFile(file, 0);
    this.loop();
    // this.loc is updated in place, never replaced: storing another object in the field would make V8
    // deoptimise every optimised function that reads it (the field stops being constant).
    const endLoc = { ...this.loc };
    if (this.collect) {
      Object.assign(this.loc, this.collect.loc);
      this.error(this.collect.kind === 'macro' ? `unterminated .macro '${this.collect.macro?.name}' (missing .endm)` : `unterminated .${this.collect.kind} (missing .endr)`);
      this.collect = null;
    }
    while (this.conds.length) {
      Object.assign(this.loc, this.conds.pop()!.loc);
      this.error('unterminated conditional (missing .endif)');
    }
    Object.assign(this.loc, endLoc);
    // A forward numeric reference that was never defined.
    for (const [, e] of this.localLabels) {
      if (e.next) e.next.kind = 0;
    }
    if (this.gnu) this.padCodeSections();
    const discarded = this.keptGroups ? this.discardGroups(this.keptGroups) : null;
    if (discarded) {
      // Nothing describes discarded code: its line rows and frame descriptions go with it.
      if (this.lines) this.lines.rows = this.lines.rows.filter((r) => !discarded.has(r.sec));
      if (this.frames_) this.frames_.procs = this.frames_.procs.filter((p) => !discarded.has(p.sec));
      const secs = this.pendingRelocSecs;
      this.pendingRelocs = this.pendingRelocs.filter((_, k) => !discarded.has(secs[k]));
      this.pendingRelocSecs = secs.filter((sec) => !discarded.has(sec));
    }
    // gcc -g's .debug_info names .debug_line (DW_AT_stmt_list) even for a file without code (a table of
    // constants): GNU as then writes the header and file table with no rows, so the unit has a line table.
    if (this.lines && (this.lines.rows.length || this.sections.some((s) => s.name === '.debug_info'))) writeLineTable(this, this.lines);
    if (this.frames_?.open()) {
      this.diags.push({ file: this.loc.file, line: this.loc.line, col: 1, severity: 'error', message: 'missing .cfi_endproc at the end of the file' });
    }
    // .eh_frame before .debug_frame, the order GNU as makes them in (dw2gencfi.c cfi_finish).
    if (this.frames_?.ehFrame && this.frames_.procs.length) writeFrameTable(this, this.frames_, true);
    if (this.frames_?.debugFrame && this.frames_.procs.length) writeFrameTable(this, this.frames_, false);
    // A .weakref target not defined or declared here is a weak undefined reference (GNU as).
    for (const t of this.weakrefTargets) {
      if (t.kind === 0 && !t.global) {
        t.global = true;
        t.weak = true;
      }
    }
    for (const [alias, target, local] of this.symvers) {
      alias.global = target.global && !local;
      alias.weak = target.weak;
      alias.type = target.type;
      alias.size = target.size;
    }
    // .reloc locations: the data fragment that holds the bytes (a location past a fragment's end is in a
    // later one).
    this.pendingRelocs.forEach((r, ri) => {
      const sec = this.pendingRelocSecs[ri];
      const nf = sec.nFrags;
      let k = r.frag;
      let off = r.offset;
      // A branch leading a fragment (fBr) comes before its bytes: a location in it is not in data.
      let inBranch = false;
      while (k < nf && off >= sec.fSize[k] && !(off + r.size <= sec.fSize[k])) {
        off -= sec.fSize[k];
        k++;
        const br = k < nf ? sec.fBr[k] : -1;
        if (br >= 0) {
          const size = sec.relaxes.size(br);
          if (!(off >= size && !(off + r.size <= size))) {
            inBranch = true;
            break;
          }
          off -= size;
        }
      }
      if (inBranch || k >= nf || sec.kind(k) !== FRAG_DATA || off < 0 || off + r.size > sec.fSize[k]) {
        this.diags.push({ file: r.loc.file, line: r.loc.line, col: r.loc.col, severity: 'error', message: '.reloc location is not inside data or instruction bytes of its section' });
        return;
      }
      // Moved in place, not copied: a FixupRecord's packed fields and loc are accessors a spread would lose.
      r.frag = k;
      r.offset = off;
      sec.records.push(r);
    });
  }

  /**
   * Linking (not `-c`): the COMDAT groups of this source whose signature an earlier input of the link already
   * has are discarded with their sections, as GNU ld keeps the first copy of a group (gABI "Section
   * Groups"); the others join `kept`. A global defined in a discarded section becomes a reference (it binds
   * to the kept copy); a local one reads as 0. Returns the discarded sections (null if none).
   */
  discardGroups(kept: Set<string>): Set<InputSection> | null {
    const mine = new Set<string>();
    const gone = new Set<InputSection>();
    for (const sec of this.sections) {
      const g = sec.group;
      if (!g || !g.comdat) continue;
      if (kept.has(g.signature) && !mine.has(g.signature)) gone.add(sec);
      else mine.add(g.signature);
    }
    for (const sig of mine) kept.add(sig);
    if (!gone.size) return null;
    this.sections = this.sections.filter((s) => !gone.has(s));
    for (const sym of this.symbols.values()) {
      if (sym.kind !== 1 || !sym.section || !gone.has(sym.section)) continue;
      sym.section = null;
      sym.frag = -1;
      sym.offset = 0;
      if (sym.global) {
        sym.kind = 0;
        sym.defCtx = null;
        sym.size = null;
      } else {
        sym.kind = 2;
        sym.value = 0n;
        sym.temp = true;
      }
    }
    if (gone.has(this.sec)) this.sec = this.sections[0];
    if (gone.has(this.prevSec)) this.prevSec = this.sections[0];
    return gone;
  }

  /** After --gc-sections removed `gone` (tools/ld/gc.ts): .eh_frame again, without the FDEs of removed
   * code (GNU ld edits them out of an object's .eh_frame the same way). */
  dropFrames(gone: Set<InputSection>): void {
    const f = this.frames_;
    if (!f || !f.ehFrame || !f.procs.some((p) => gone.has(p.sec))) return;
    f.procs = f.procs.filter((p) => !gone.has(p.sec));
    this.sections = this.sections.filter((s) => s.name !== '.eh_frame');
    if (f.procs.length) writeFrameTable(this, f, true);
  }

  /**
   * GNU as pads each code section to its alignment at the end (with nops in GNU's order; with zeros in
   * an object marked for relaxation), so a following input section starts where GNU's would.
   */
  padCodeSections(): void {
    for (const sec of this.sections) {
      if (!(sec.flags & SHF_EXECINSTR) || sec.align <= 1) continue;
      // GNU as's end padding is code alignment for its mapping symbols (riscv_init_frag).
      const save = this.sec;
      this.sec = sec;
      this.mapState(1, true);
      this.sec = save;
      const nops = !this.gnuRelaxObject;
      sec.addFrag(FRAG_ALIGN, { align: sec.align, fill: 0, maxSkip: -1, nops, rvc: this.rvc, count: 0, fillSize: 1, fillValue: 0n, norelax: true, gnuNops: true });
    }
  }

  pushFile(file: SourceFile, includeDepth: number): void {
    let text = file.text;
    const reader = file.stream !== undefined ? new SourceReader(file.stream) : null;
    if (text.indexOf('/*') >= 0) text = stripBlockComments(text);
    const f: Frame = {
      file: file.name, text, pos: 0, line: 0, reader, lines: null, lineFiles: null, lineNos: null, idx: 0, note: undefined,
      macroDepth: this.frame ? this.frame.macroDepth : 0, includeDepth, condDepth: this.conds.length, markFile: null, markDelta: 0, markStack: undefined,
    };
    if (reader !== null) nextPiece(f);
    this.frames.push(f);
  }

  pushExpansion(lines: string[], files: string[], lineNos: number[], note: string | undefined, macro: boolean): void {
    const parent = this.frame;
    const depth = parent.macroDepth + (macro ? 1 : 0);
    if (!budget(this, lines.length)) return;
    if (depth > 100 || this.frames.length > 1000) {
      this.error('macro or repetition nesting too deep (recursive macro?)');
      return;
    }
    const f = this.spareFrame;
    if (f !== null) {
      // An expansion frame's file fields (text, pos, line, reader, markFile, markDelta, markStack)
      // keep the values it was made with: only file frames change them.
      this.spareFrame = null;
      f.file = parent.file;
      f.lines = lines;
      f.lineFiles = files;
      f.lineNos = lineNos;
      f.idx = 0;
      f.note = note;
      f.macroDepth = depth;
      f.includeDepth = parent.includeDepth;
      f.condDepth = this.conds.length;
      this.frames.push(f);
      return;
    }
    this.frames.push({
      file: parent.file, text: '', pos: 0, line: 0, reader: null, lines, lineFiles: files, lineNos, idx: 0, note,
      macroDepth: depth, includeDepth: parent.includeDepth, condDepth: this.conds.length, markFile: null, markDelta: 0, markStack: undefined,
    });
  }

  /** The current line's location (one object per unit, updated in place; copied when kept). */
  setLoc(file: string, line: number, note: string | undefined): void {
    const l = this.loc;
    l.file = file;
    l.line = line;
    l.col = 1;
    l.note = note;
  }

  loop(): void {
    while (this.frames.length > 0 && !this.ended) {
      const f = this.frames[this.frames.length - 1];
      this.frame = f;
      if (f.lines) {
        if (f.idx >= f.lines.length) {
          // Nothing refers to a finished expansion frame once it is off the stack (this.frame is set again
          // below before any line runs): the next expansion reuses it.
          this.frames.pop();
          this.spareFrame = f;
          continue;
        }
        const i = f.idx++;
        const line = f.lines[i];
        this.setLoc(f.lineFiles![i], f.lineNos![i], f.note);
        this.lineStart = 0;
        this.processLine(line, 0, line.length);
      } else {
        if (f.reader !== null && f.pos >= f.text.length) nextPiece(f);
        const text = f.text;
        if (f.pos > text.length || (f.pos === text.length && text.length > 0 && f.line > 0)) {
          this.frames.pop();
          continue;
        }
        let nl = text.indexOf('\n', f.pos);
        if (nl < 0) nl = text.length;
        const start = f.pos;
        f.pos = nl + 1;
        f.line++;
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        if (text.charCodeAt(start) === 35) this.lineMarker(f, text, start, end);
        this.setLoc(f.markFile ?? f.file, f.line + f.markDelta, undefined);
        this.lineStart = start;
        // The last line leaves f.pos past the end: the frame is dropped when it is on top again (a macro
        // called on a last line without a newline runs first).
        this.processLine(text, start, end);
      }
    }
  }

  /**
   * A C preprocessor line marker, `# 12 "file.S" 2` (what `gcc -E` leaves): the next line is line 12 of
   * file.S, for diagnostics, as GNU as reads them. Anything else starting with '#' is a comment.
   */
  lineMarker(f: Frame, text: string, start: number, end: number): void {
    const m = /^#[ \t]*(?:line[ \t]+)?(\d+)(?:[ \t]+"((?:[^"\\]|\\.)*)")?((?:[ \t]+\d+)*)[ \t]*$/.exec(text.slice(start, end));
    if (!m) return;
    // Flags (cpp's "Preprocessor Output"): 1 enters a file, 2 returns to one. gcc brackets inline asm with
    // `# 7 "m.c" 1` and `# 0 "" 2`; GNU as takes the empty name on return as "back to where we were", so
    // later diagnostics again name the .s file and its own line numbers.
    const flags = m[3].trim().split(/[ \t]+/);
    if (flags.includes('1')) (f.markStack ??= []).push([f.markFile, f.markDelta]);
    if (flags.includes('2') && f.markStack?.length) {
      const [file, delta] = f.markStack.pop()!;
      if (!m[2]) {
        f.markFile = file;
        f.markDelta = delta;
        return;
      }
    }
    if (m[2]) f.markFile = m[2].replace(/\\(.)/g, '$1');
    else if (m[2] === '') return;
    f.markDelta = Number(m[1]) - (f.line + 1);
  }


  /**
   * One physical line: statements separated by ';', each either collected into a macro or repetition body
   * or assembled. As in GNU as, ';' ends a statement everywhere, so `.macro m; a; b; .endm` on one line
   * defines a two-statement macro and `.rept 2; nop; .endr; ret` repeats only the nop.
   */
  processLine(s: string, start: number, end: number): void {
    this.s = s;
    this.abandonLine = false;
    let p = start;
    for (;;) {
      const before = this.frames.length;
      const top = this.frames[before - 1];
      let next: number;
      if (this.collect) {
        next = collectLine(this, s, p, end);
      } else {
        const stmtEnd = this.statement(s, p, end);
        if (this.ended) return;
        next = stmtEnd < end && s.charCodeAt(stmtEnd) === 59 ? stmtEnd + 1 : -1;
      }
      if (next < 0 || this.abandonLine) return;
      if (this.frames.length !== before || this.frames[before - 1] !== top) {
        // A macro or repetition expansion or an .include started mid-line: the rest of the line runs after
        // it, from a one-line frame placed under the new ones (columns kept by blank padding).
        if (this.frames.length > before && this.frames[before - 1] === top) {
          const rest = ' '.repeat(next - this.lineStart) + s.slice(next, end);
          this.frames.splice(before, 0, {
            file: top.file, text: '', pos: 0, line: 0, reader: null, lines: [rest], lineFiles: [this.loc.file], lineNos: [this.loc.line], idx: 0,
            note: this.loc.note, macroDepth: top.macroDepth, includeDepth: top.includeDepth, condDepth: top.condDepth, markFile: null, markDelta: 0, markStack: undefined,
          });
        }
        return;
      }
      p = next;
      this.s = s;
    }
  }

  // ---- statements -----------------------------------------------------------------------------------


  /**
   * The statement starting at `start` on a line ending at `lineEnd`; returns where the statement ends (at
   * ';', a comment or the line's end). Its end is found by the instruction's operand scan (splitStatement)
   * where it can be, so an instruction line is read once, else by statementEnd from `start`.
   */
  statement(s: string, start: number, lineEnd: number): number {
    this.s = s;
    this.stmtStart = start;
    let p = skipWs(s, start, lineEnd);
    if (atStatementEnd(s, p, lineEnd)) return (this.stmtEnd = p);
    const active = this.conds.length === 0 || this.conds[this.conds.length - 1].active;
    // Until `exact`, `end` is the line's end: the label scan below reads only identifiers, digits, blanks
    // and colons, which end no statement, so it stops where it would at the statement's end. A quoted
    // label (a string: it may hold ';' or '#') first finds the statement's end.
    let end = lineEnd;
    let exact = false;
    try {
      // Labels (`name:`, `N:`, possibly several), an assignment `name = expr`, then the mnemonic or
      // directive, whose identifier the label scan has already measured.
      let q = p;
      let upper = false;
      for (;;) {
        const c = s.charCodeAt(p);
        if (active && c >= 48 && c <= 57) {
          q = p;
          while (q < end && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
          const r = skipWs(s, q, end);
          if (r < end && s.charCodeAt(r) === 58) {
            this.loc.col = p - this.lineStart + 1;
            this.defineLocalLabel(s.slice(p, q));
            p = skipWs(s, r + 1, end);
            if (exact ? p >= end : atStatementEnd(s, p, end)) return (this.stmtEnd = p);
            continue;
          }
          if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
          return (this.stmtEnd = exact ? end : statementEnd(s, start, lineEnd));
        }
        if (active && c === 34) {
          if (!exact) {
            end = statementEnd(s, start, lineEnd);
            exact = true;
          }
          q = s.indexOf('"', p + 1);
          if (q < 0 || q >= end) break;
          q++;
          const r = skipWs(s, q, end);
          if (r < end && s.charCodeAt(r) === 58) {
            this.defineLabel(s.slice(p + 1, q - 1), p);
            p = skipWs(s, r + 1, end);
            if (p >= end) return (this.stmtEnd = p);
            continue;
          }
          break;
        }
        if (!isIdentStart(c)) {
          if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
          return (this.stmtEnd = exact ? end : statementEnd(s, start, lineEnd));
        }
        q = p + 1;
        upper = c >= 65 && c <= 90;
        while (q < end) {
          const d = s.charCodeAt(q);
          if (!isIdentChar(d)) break;
          if (d >= 65 && d <= 90) upper = true;
          q++;
        }
        if (!active) break;
        let r = q;
        let d = r < end ? s.charCodeAt(r) : -1;
        if (d === 32 || d === 9) {
          r = skipWs(s, q, end);
          d = r < end ? s.charCodeAt(r) : -1;
        }
        if (d === 58) {
          this.defineLabel(s.slice(p, q), p);
          p = skipWs(s, r + 1, end);
          if (exact ? p >= end : atStatementEnd(s, p, end)) return (this.stmtEnd = p);
          continue;
        }
        if (d === 61 && (r + 1 >= end || s.charCodeAt(r + 1) !== 61)) {
          if (!exact) end = statementEnd(s, start, lineEnd);
          this.stmtEnd = end;
          this.loc.col = p - this.lineStart + 1;
          assign(this, s.slice(p, q), r + 1, end, true, p);
          return end;
        }
        break;
      }
      const c = s.charCodeAt(p);
      if (!isIdentStart(c)) {
        if (active) this.error(`unexpected character '${s[p]}' at the start of a statement`, p);
        return (this.stmtEnd = exact ? end : statementEnd(s, start, lineEnd));
      }
      this.mnemonicPos = p;
      this.loc.col = p - this.lineStart + 1;
      // A mnemonic met before (in lower case, not a macro's name since) is found in a small direct-mapped
      // cache of the words by their characters, without cutting the word out of the line: a fresh string
      // per statement, its hash and the macro and mnemonic Map look-ups were about a tenth of the warm
      // statement path and an eighth of the bytes a large file allocates (docs/assembler.md "Speed").
      let slot = -1;
      if (c !== 46 && active && !upper) {
        slot = wordSlot(s, p, q);
        const cached = this.wordCache[slot];
        if (cached.length === q - p && s.startsWith(cached, p)) {
          const m = this.wordCacheEntry[slot];
          if (exact) {
            this.stmtEnd = end;
            this.instruction(cached, m, q, end, true);
            return end;
          }
          return this.instruction(cached, m, q, lineEnd, false);
        }
      }
      let word = s.slice(p, q);
      if (upper) word = word.toLowerCase();
      if (c !== 46 && active && (this.macros.size === 0 || !this.macros.has(word))) {
        // An instruction: its operand scan finds the statement's end (unless a quoted label found it).
        const m = MNEMONICS.get(word);
        if (m !== undefined && slot >= 0) {
          this.wordCache[slot] = word;
          this.wordCacheEntry[slot] = m;
        }
        if (exact) {
          this.stmtEnd = end;
          this.instruction(word, m, q, end, true);
          return end;
        }
        return this.instruction(word, m, q, lineEnd, false);
      }
      if (!exact) end = statementEnd(s, start, lineEnd);
      this.stmtEnd = end;
      if (!active) {
        if (c === 46 && (word.startsWith('.if') || word === '.else' || word === '.elseif' || word === '.endif')) directive(this, word, q, end);
        return end;
      }
      if (this.macros.size !== 0) {
        const m = this.macros.get(word);
        if (m) {
          expandMacro(this, m, q, end);
          return end;
        }
      }
      directive(this, word, q, end);
      return end;
    } catch (e) {
      if (e instanceof AsmError) this.error(e.message, e.pos);
      else if (e instanceof RangeError) this.error(`input nested too deeply (${e.message})`, this.mnemonicPos);
      else throw e;
      // The statement's end, if the error came before it was found.
      return (this.stmtEnd = exact ? end : statementEnd(s, start, lineEnd));
    }
  }

  /** An instruction statement (operands from p; `exact`: `end` is the statement's end, else the line's);
   * returns the statement's end. */
  instruction(word: string, m: Mnemonic | undefined, p: number, end: number, exact: boolean): number {
    const listStart = this.wantListing ? this.listingStart() : null;
    this.noCompress = false;
    if (exact) this.splitOperands(p, end);
    else end = this.splitStatement(p, end);
    if (!m) {
      throw new AsmError(`unknown instruction '${word}'`, this.mnemonicPos);
    }
    if (!m.pseudo || !m.pseudo(this, this.nops)) {
      if (!m.def) throw new AsmError(`invalid operands for '${word}'`, this.mnemonicPos);
      this.row(m.def);
    }
    if (listStart) this.listingEnd(listStart);
    return end;
  }
}

/** The frame's next piece of its file's text. Lines keep their numbers: the frame's line count goes on. */
function nextPiece(f: Frame): void {
  const r = f.reader!;
  f.text = r.piece();
  f.pos = 0;
  if (r.done) {
    f.reader = null;
    // Nothing after the last newline: the frame ends here, as a whole text's frame ends after its last line.
    if (f.text.length === 0 && f.line > 0) f.pos = 1;
  }
}

/** A mnemonic: its pseudo-instruction handler (tried first) and its table row. */
interface Mnemonic {
  pseudo: ((u: Unit, n: number) => boolean) | null;
  def: InstrDef | null;
}

/** Every mnemonic by its name. */
const MNEMONICS = new Map<string, Mnemonic>();
/** What an empty slot of the mnemonic cache holds (never read: its word is ''). */
const NO_MNEMONIC: Mnemonic = { pseudo: null, def: null };

/** Slots in the mnemonic cache (a power of two). */
const WORD_SLOTS = 512;

/**
 * The mnemonic cache's slot for the word s[p, q) (p < q): a mix of its length and its first, second,
 * third and last characters. With these factors each of the hundred mnemonics gcc writes most often has a
 * slot of its own; two words that share a slot only cost each other the Map look-up.
 */
function wordSlot(s: string, p: number, q: number): number {
  const n = q - p;
  return (n * 3 + s.charCodeAt(p) * 41 + (n > 1 ? s.charCodeAt(p + 1) : 0) + (n > 2 ? s.charCodeAt(p + 2) : 0) + s.charCodeAt(q - 1) * 13) & (WORD_SLOTS - 1);
}
for (const d of INSTRUCTION_BY_NAME.values()) MNEMONICS.set(d.name, { pseudo: PSEUDOS.get(d.name) ?? null, def: d });
for (const [name, h] of PSEUDOS) if (!MNEMONICS.has(name)) MNEMONICS.set(name, { pseudo: h, def: null });
