// Macros, repetitions and conditionals: collecting `.macro`/`.rept`/`.irp`/`.irpc` bodies, expanding
// them with GNU as's argument rules, and evaluating `.if` conditions.

import { AsmError, evaluate, isIdentChar } from './expr.js';
import { skipWs, statementEnd } from './lex.js';
import type { MacroParam, Macro, Collect } from './core.js';
import type { Unit } from './unit.js';

/**
 * Add the statements of s[start, end) to the body being collected, up to the `.endm`/`.endr` that closes
 * it. Returns where the statements after the closing one start, or -1 when the line is used up.
 */
export function collectLine(u: Unit, s: string, start: number, end: number): number {
  const c = u.collect!;
  let p = start;
  for (;;) {
    const stmtEnd = statementEnd(s, p, end);
    // The statement's first word after any `label:` prefixes (GNU's buffer_and_nest skips them too).
    let w0 = skipWs(s, p, stmtEnd);
    let w1 = w0;
    for (;;) {
      w1 = w0;
      while (w1 < stmtEnd && isIdentChar(s.charCodeAt(w1))) w1++;
      const r = skipWs(s, w1, stmtEnd);
      if (w1 > w0 && r < stmtEnd && s.charCodeAt(r) === 58) w0 = skipWs(s, r + 1, stmtEnd);
      else break;
    }
    let closes = false;
    if (w1 > w0 && s.charCodeAt(w0) === 46) {
      const word = s.slice(w0, w1).toLowerCase();
      if (c.kind === 'macro') {
        if (word === '.macro') c.depth++;
        else if (word === '.endm' || word === '.endmacro') {
          if (c.depth === 0) closes = true;
          else c.depth--;
        }
      } else if (word === '.rept' || word === '.irp' || word === '.irpc') c.depth++;
      else if (word === '.endr') {
        if (c.depth === 0) closes = true;
        else c.depth--;
      }
    }
    const more = stmtEnd < end && s.charCodeAt(stmtEnd) === 59;
    if (closes || !more) {
      // Body text from start to here (the whole line in the usual one-statement-per-line case). Labels
      // before the closing directive stay in the body, as in GNU as.
      const bodyEnd = closes ? w0 : end;
      if (skipWs(s, start, bodyEnd) < bodyEnd) {
        const pad = start > u.lineStart ? ' '.repeat(start - u.lineStart) : '';
        c.lines.push(pad + s.slice(start, bodyEnd));
        c.files.push(u.loc.file);
        c.lineNos.push(u.loc.line);
      }
    }
    if (closes) {
      u.collect = null;
      if (c.kind === 'macro') {
        const m = c.macro!;
        m.lines = c.lines;
        m.files = c.files;
        m.lineNos = c.lineNos;
        m.expansions = usesCounter(c.lines) ? null : new Map();
        u.defineMacro(m);
      } else {
        finishRepeat(u, c);
      }
      return more ? stmtEnd + 1 : -1;
    }
    if (!more) return -1;
    p = stmtEnd + 1;
  }
}

/** Count expanded lines against the unit's budget; false (with an error, ending the unit) when exceeded. */
export function budget(u: Unit, n: number): boolean {
  u.expandedLines += n;
  if (u.expandedLines <= 10_000_000) return true;
  u.error('macro and repetition expansions exceed 10,000,000 lines');
  u.ended = true;
  return false;
}

export function finishRepeat(u: Unit, c: Collect): void {
  const total = (c.kind === 'rept' ? c.count : c.irpValues.length) * c.lines.length;
  if (u.expandedLines + total > 10_000_000) {
    budget(u, total);
    return;
  }
  const lines: string[] = [];
  const files: string[] = [];
  const nos: number[] = [];
  const add = (text: string, i: number) => {
    lines.push(text);
    files.push(c.files[i]);
    nos.push(c.lineNos[i]);
  };
  if (c.kind === 'rept') {
    for (let k = 0; k < c.count; k++) for (let i = 0; i < c.lines.length; i++) add(c.lines[i], i);
  } else {
    // The .irp name as the one parameter, its values one at a time.
    const params: MacroParam[] = [{ name: c.irpName, def: null, req: false, vararg: false }];
    for (const v of c.irpValues) {
      const values = [v];
      for (let i = 0; i < c.lines.length; i++) add(substitute(c.lines[i], params, values, -1), i);
    }
  }
  if (lines.length) u.pushExpansion(lines, files, nos, u.loc.note, false);
}

export function condition(u: Unit, word: string, p: number, end: number): boolean {
  const s = u.s;
  if (word === '.ifdef' || word === '.ifndef' || word === '.ifnotdef') {
    const n = u.splitOperands(p, end);
    if (n !== 1) throw new AsmError(`expected: ${word} symbol`, p);
    const sym = u.symbols.get(u.operandText(0));
    const def = !!sym && sym.kind !== 0;
    return word === '.ifdef' ? def : !def;
  }
  if (word === '.ifb' || word === '.ifnb') {
    const blank = skipWs(s, p, end) >= end;
    return word === '.ifb' ? blank : !blank;
  }
  if (word === '.ifc' || word === '.ifnc') {
    // As GNU as reads them (read.c, s_ifc): the first string runs to the first comma, parentheses and
    // quotes included, so `.ifnc(reg, X0)` (riscv-arch-test's LA macro) compares "(reg" with "X0)"; the
    // second runs to the statement's end, further commas included. Blanks around each are dropped, a run
    // of blanks inside counts as one (GNU's input scrubber leaves one), and quotes stay: 'a' is not a.
    const comma = s.indexOf(',', p);
    if (comma < 0 || comma >= end) throw new AsmError(`expected: ${word} string1, string2`, p);
    const text = (a: number, b: number) => s.slice(a, b).trim().replace(/[ \t]+/g, ' ');
    const eq = text(p, comma) === text(comma + 1, end);
    return word === '.ifc' ? eq : !eq;
  }
  const q = skipWs(s, p, end);
  if (q >= end) throw new AsmError(`expected an expression after ${word}`, q);
  const e = u.expr(q, end);
  const r = evaluate(e, u.nowResolve, true);
  if (!r || r.base) throw new AsmError(`${word} needs an absolute expression known at this point`, q);
  const v = r.off;
  switch (word) {
    case '.ifeq': return v === 0n;
    case '.ifgt': return v > 0n;
    case '.ifge': return v >= 0n;
    case '.iflt': return v < 0n;
    case '.ifle': return v <= 0n;
    default: return v !== 0n;
  }
}

export function beginMacro(u: Unit, p: number, end: number): void {
  const s = u.s;
  p = skipWs(s, p, end);
  let q = p;
  while (q < end && isIdentChar(s.charCodeAt(q))) q++;
  if (q === p) throw new AsmError('expected a macro name', p);
  const name = s.slice(p, q).toLowerCase();
  const params: MacroParam[] = [];
  const rest = s.slice(q, end).trim().replace(/^,/, '');
  if (rest) {
    for (const raw of splitMacroParams(rest)) {
      let t = raw.trim();
      if (!t) continue;
      let def: string | null = null;
      const eq = t.indexOf('=');
      if (eq >= 0) {
        def = t.slice(eq + 1).trim();
        t = t.slice(0, eq).trim();
      }
      let req = false;
      let vararg = false;
      const colon = t.indexOf(':');
      if (colon >= 0) {
        const qual = t.slice(colon + 1).trim();
        t = t.slice(0, colon).trim();
        if (qual === 'req') req = true;
        else if (qual === 'vararg') vararg = true;
        else throw new AsmError(`unknown macro parameter qualifier ':${qual}'`, p);
      }
      if (!/^[A-Za-z_.$][\w.$]*$/.test(t)) throw new AsmError(`bad macro parameter name '${t}'`, p);
      if (params.some((x) => x.name === t)) throw new AsmError(`duplicate macro parameter '${t}'`, p);
      params.push({ name: t, def, req, vararg });
    }
  }
  if (u.macros.has(name)) u.warn(`macro '${name}' redefined`, p);
  // A macro may shadow an instruction (as in GNU as): statements look macros up first.
  const m: Macro = { name, params, lines: [], files: [], lineNos: [], noteHead: '', noteFile: null, expansions: null };
  u.collect = { kind: 'macro', depth: 0, lines: [], files: [], lineNos: [], loc: { ...u.loc }, macro: m, count: 0, irpName: '', irpValues: [] };
}

/** The most expansions a macro keeps (Macro.expansions); the first call with new arguments after that ends
 * its cache. */
const MAX_EXPANSIONS = 128;

export function expandMacro(u: Unit, m: Macro, p: number, end: number): void {
  const s = u.s;
  const argText = s.slice(p, end).trim();
  const cache = m.expansions;
  let lines = cache !== null ? cache.get(argText) : undefined;
  if (lines === undefined) {
    lines = expansionLines(u, m, argText);
    if (cache !== null) {
      // A macro whose arguments keep changing past the bound is not looked up again: a miss costs a hash
      // of the arguments and a Map probe.
      if (cache.size < MAX_EXPANSIONS) cache.set(argText, lines);
      else m.expansions = null;
    }
  } else {
    // Counted as a new expansion would be (the body uses no \@, but other macros' do).
    u.macroCounter++;
  }
  const file = u.loc.file;
  if (m.noteFile !== file) {
    m.noteHead = `in expansion of macro '${m.name}' at ${file}:`;
    m.noteFile = file;
  }
  const note = m.noteHead + u.loc.line;
  if (lines.length) u.pushExpansion(lines, m.files, m.lineNos, note, true);
}

/** m's body with the arguments argText substituted (errors for arguments that do not fit m); counts the
 * expansion (\@). */
function expansionLines(u: Unit, m: Macro, argText: string): string[] {
  const params = m.params;
  const args = splitMacroArgs(argText, params.length);
  // Values by parameter index (names are unique): no Map per expansion.
  const values = new Array<string | undefined>(params.length).fill(undefined);
  let positional = 0;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a.indexOf('=') >= 0 && keywordArg(m, a, values)) continue;
    if (positional >= params.length) tooManyArgs(u, m);
    const prm = params[positional];
    if (prm.vararg) {
      values[positional] = args.slice(k).join(', ');
      positional = params.length;
      break;
    }
    values[positional] = unquoteArg(a);
    positional++;
  }
  for (let k = 0; k < params.length; k++) {
    const prm = params[k];
    if (values[k] === undefined || (values[k] === '' && prm.def !== null)) {
      if (prm.req) missingArg(u, m, prm.name);
      values[k] = prm.def ?? '';
    }
  }
  const counter = u.macroCounter++;
  // A plain loop (not map with a closure): less for V8 to compile; the array made at its final length.
  const body = m.lines;
  const lines = new Array<string>(body.length);
  for (let i = 0; i < body.length; i++) lines[i] = substitute(body[i], params, values as string[], counter);
  return lines;
}

/** Whether a body line may use \@ (substitute reads any backslash followed by @ as it). */
function usesCounter(lines: string[]): boolean {
  for (let i = 0; i < lines.length; i++) if (lines[i].indexOf('\\@') >= 0) return true;
  return false;
}

// The rare cases of expandMacro, out of line so that V8 compiles them only where they run.

/** `name=value` naming one of m's parameters: sets it and returns true. */
function keywordArg(m: Macro, a: string, values: (string | undefined)[]): boolean {
  const kw = /^([A-Za-z_.$][\w.$]*)\s*=(?!=)(.*)$/s.exec(a);
  const k = kw ? m.params.findIndex((x) => x.name === kw[1]) : -1;
  if (k < 0) return false;
  values[k] = unquoteArg(kw![2].trim());
  return true;
}

function tooManyArgs(u: Unit, m: Macro): never {
  throw new AsmError(`too many arguments for macro '${m.name}' (it takes ${m.params.length})`, u.mnemonicPos);
}

function missingArg(u: Unit, m: Macro, name: string): never {
  throw new AsmError(`missing value for required parameter '${name}' of macro '${m.name}'`, u.mnemonicPos);
}

function splitMacroParams(text: string): string[] {
  if (text.includes(',')) return text.split(',');
  return text.split(/\s+/);
}

/** Macro call arguments: comma-separated (respecting quotes and parentheses), or blank-separated. */
function splitMacroArgs(text: string, nparams: number): string[] {
  if (!text) return [];
  // Made at the first top-level comma: a one-argument call (the usual `push a1`) makes a one-element
  // array literal, not an array grown by push.
  let out: string[] | null = null;
  let depth = 0;
  let st = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A quoted part is taken whole (commas and parentheses in it do not count).
      const j = text.indexOf('"', i + 1);
      i = j < 0 ? text.length : j;
    } else if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 44 && depth === 0) {
      if (out === null) out = [text.slice(st, i).trim()];
      else out.push(text.slice(st, i).trim());
      st = i + 1;
    }
  }
  if (out !== null) {
    out.push(text.slice(st).trim());
    return out;
  }
  if (nparams > 1) {
    // GNU as also separates arguments by blanks.
    const parts = text.split(/\s+/).filter(Boolean);
    if (parts.length > 1) return parts;
  }
  return [text.slice(st).trim()];
}

/** A macro argument written as one quoted string is passed without its quotes (GNU as and llvm-mc). */
function unquoteArg(a: string): string {
  if (a.length < 2 || a[0] !== '"' || a[a.length - 1] !== '"') return a;
  for (let i = 1; i < a.length - 1; i++) {
    if (a[i] === '\\') i++;
    else if (a[i] === '"') return a;
  }
  return a.slice(1, -1);
}

/**
 * Substitute \\name (params[k].name, by values[k]), \\() and \\@ (the expansion's number `counter`; nothing when it
 * is -1, in .irp bodies) in a macro or .irp body line. Copies the text between backslashes in slices, not
 * character by character.
 */
function substitute(line: string, params: MacroParam[], values: string[], counter: number): string {
  let i = line.indexOf('\\');
  if (i < 0) return line;
  let out = '';
  let last = 0;
  while (i >= 0) {
    out += line.slice(last, i);
    const next = line.charCodeAt(i + 1);
    if (next === 64) {
      if (counter >= 0) out += String(counter);
      i += 2;
    } else if (next === 40 && line.charCodeAt(i + 2) === 41) {
      i += 3;
    } else {
      let j = i + 1;
      while (j < line.length && isIdentChar(line.charCodeAt(j))) j++;
      // GNU takes the longest parameter name that matches (a prefix of the name characters after the
      // backslash), compared in place rather than by slices.
      let best = -1;
      let bestLen = 0;
      for (let k = 0; k < params.length; k++) {
        const name = params[k].name;
        if (name.length > bestLen && name.length <= j - i - 1 && line.startsWith(name, i + 1)) {
          best = k;
          bestLen = name.length;
        }
      }
      if (best >= 0) {
        out += values[best];
        i += 1 + bestLen;
      } else {
        out += '\\';
        i++;
      }
    }
    last = i;
    i = line.indexOf('\\', i);
  }
  return out + line.slice(last);
}
