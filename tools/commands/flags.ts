// Every subcommand's options as a table: one `CommandSpec` per command lists its flags (name, value
// placeholder, help), and `parseCommandLine` reads argv against it the GNU way (getopt_long):
//   --name value, --name=value, -x value, -xVALUE, `--` ends the options, `-` is an operand (stdin/stdout),
//   --help/-h and --version/-V on every command, unknown flags refused.
// A bad command line is one line on stderr naming the flag, with a hint to --help, and exit status
// EXIT.USAGE (docs/cli.md). The help text is generated from the same table, so it cannot drift.

import pkg from '../../package.json';
import { EXIT } from './exit.js';

export interface FlagSpec {
  /** Long name without dashes: 'max-insns'. */
  long: string;
  /** One-letter alias without the dash: 'o'. */
  short?: string;
  /** Value placeholder ('N', 'FILE'): the flag takes a value. Absent: a switch. */
  arg?: string;
  /** Help text; a second line and more may follow with '\n'. */
  help: string;
  /** May be given several times (all values kept, in order). */
  repeat?: boolean;
  /** Other long names meaning the same thing (e.g. 'start-address' for 'start'). */
  aliases?: string[];
}

export interface CommandSpec {
  /** 'run', 'bench ipc', ... (shown as `rvx <name>`). */
  name: string;
  /** What follows the name in the usage line: '[options] prog.elf'. */
  synopsis: string;
  /** A paragraph or two shown under the usage line. */
  about: string;
  flags: FlagSpec[];
  /** How many operands (non-option words) are allowed. */
  operands: { min: number; max: number; what: string };
  /** Text after the options (e.g. exit status notes). */
  footer?: string;
}

/** A command-line mistake: printed as one line `rvx <cmd>: message`, exit status EXIT.USAGE. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  operands: string[];
  /** Last value of a valued flag (by long name). */
  get(long: string): string | undefined;
  /** Every value of a repeatable flag, in order. */
  all(long: string): string[];
  /** A switch (or a valued flag) was given. */
  has(long: string): boolean;
}

const HELP: FlagSpec = { long: 'help', short: 'h', help: 'show this help and exit' };
const VERSION: FlagSpec = { long: 'version', short: 'V', help: 'show the rvx version and exit' };

/** The package version (package.json; the bundler inlines it into dist/rvx.mjs). */
export const VERSION_STRING: string = pkg.version;

export function versionText(): string {
  return `rvx ${VERSION_STRING}\nA RISC-V RV64 machine with the XPC extension, its assembler, microkernel and tracer.\nLicense MIT.\n`;
}

/** Help text generated from the table. */
export function helpText(spec: CommandSpec): string {
  const lines = [`usage: rvx ${spec.name} ${spec.synopsis}`.trimEnd()];
  if (spec.about) lines.push('', ...spec.about.trimEnd().split('\n').flatMap((l) => wrap(l, 100)));
  const all = [...spec.flags, HELP, VERSION];
  const left = all.map((f) => {
    const names = [f.short ? `-${f.short}` : '', `--${f.long}`].filter(Boolean).join(', ');
    return `  ${f.short ? '' : '    '}${names}${f.arg ? ` ${f.arg}` : ''}`;
  });
  const width = Math.min(34, Math.max(...left.map((l) => l.length)) + 2);
  lines.push('', 'options:');
  all.forEach((f, i) => {
    // A flag's help is one paragraph: line breaks in the table are only where its author wrapped it.
    const helpLines = wrap(f.help.replace(/\s*\n\s*/g, ' '), 100 - width);
    const head = left[i];
    if (head.length + 1 > width) {
      lines.push(head);
      for (const h of helpLines) lines.push(' '.repeat(width) + h);
    } else {
      lines.push(head.padEnd(width) + helpLines[0]);
      for (const h of helpLines.slice(1)) lines.push(' '.repeat(width) + h);
    }
  });
  if (spec.footer) lines.push('', spec.footer.trimEnd());
  return lines.join('\n') + '\n';
}

/** Split a line at spaces so that it fits `width` columns. */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  out.push(cur);
  return out;
}

/** What parseCommandLine found: the arguments, or a request for help / the version. */
export type CommandLine = { kind: 'args'; args: ParsedArgs } | { kind: 'help' } | { kind: 'version' };

/**
 * Read argv against the command's table. Throws UsageError for an unknown flag, a missing value or a
 * wrong number of operands. --help and --version win over everything before `--` (as GNU tools do).
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const f of [...spec.flags, HELP, VERSION]) {
    byLong.set(f.long, f);
    for (const a of f.aliases ?? []) byLong.set(a, f);
    if (f.short) byShort.set(f.short, f);
  }
  // --help / --version anywhere among the options: answer that and do nothing else.
  for (const a of argv) {
    if (a === '--') break;
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (a === '--version' || a === '-V') return { kind: 'version' };
  }
  const values = new Map<string, string[]>();
  const operands: string[] = [];
  const put = (f: FlagSpec, v: string) => {
    const list = values.get(f.long) ?? [];
    list.push(v);
    values.set(f.long, list);
  };
  let onlyOperands = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyOperands || a === '-' || !a.startsWith('-')) {
      operands.push(a);
      continue;
    }
    if (a === '--') {
      onlyOperands = true;
      continue;
    }
    let f: FlagSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      shown = eq > 0 ? a.slice(0, eq) : a;
      f = byLong.get(shown.slice(2));
      if (eq > 0) inline = a.slice(eq + 1);
      if (f && !f.arg && inline !== undefined) throw new UsageError(`option '${shown}' takes no value (got '${a}')`);
    } else {
      shown = a.slice(0, 2);
      f = byShort.get(a[1]);
      // GNU long options spelled with one dash by habit (-march=..., -help): accept the long name.
      if (f && a.length > 2 && !f.arg) f = undefined;
      if (!f && a.length > 2) {
        const eq = a.indexOf('=');
        const name = eq > 0 ? a.slice(1, eq) : a.slice(1);
        const long = byLong.get(name);
        if (long && long.long !== 'help' && long.long !== 'version') {
          f = long;
          shown = eq > 0 ? a.slice(0, eq) : a;
          if (eq > 0) inline = a.slice(eq + 1);
        } else shown = a;
      } else if (f && a.length > 2) inline = a.slice(2);
    }
    if (!f) throw new UsageError(`unknown option '${shown}'${suggest(shown, spec)}`);
    if (!f.arg) {
      put(f, '');
      continue;
    }
    let v = inline;
    if (v === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option '${shown}' needs a value (${f.arg})`);
      v = argv[++i];
    }
    put(f, v);
  }
  const { min, max, what } = spec.operands;
  if (operands.length < min) throw new UsageError(min === 1 ? `no ${what} given` : `expected at least ${min} ${what}`);
  if (operands.length > max) {
    throw new UsageError(max === 0 ? `unexpected argument '${operands[0]}'` : `unexpected argument '${operands[max]}' (${max === 1 ? `one ${what} only` : `at most ${max} ${what}`})`);
  }
  for (const [long, list] of values) {
    const f = byLong.get(long)!;
    if (list.length > 1 && f.arg && !f.repeat && new Set(list).size > 1) {
      throw new UsageError(`option '--${long}' given twice with different values ('${list[0]}', '${list[list.length - 1]}')`);
    }
  }
  return {
    kind: 'args',
    args: {
      operands,
      get: (long) => {
        const l = values.get(long);
        return l ? l[l.length - 1] : undefined;
      },
      all: (long) => values.get(long) ?? [],
      has: (long) => values.has(long),
    },
  };
}

/** " (did you mean '--max-insns'?)" for a near miss, else a pointer to the help. */
function suggest(shown: string, spec: CommandSpec): string {
  const name = shown.replace(/^-+/, '');
  let best: string | null = null;
  let bestD = 3;
  for (const f of spec.flags) {
    for (const n of [f.long, ...(f.aliases ?? [])]) {
      const d = distance(name, n);
      if (d < bestD || (n.startsWith(name) && name.length >= 3 && bestD > 1)) {
        bestD = n.startsWith(name) ? 1 : d;
        best = n;
      }
    }
  }
  return best ? ` (did you mean '--${best}'? see 'rvx ${spec.name} --help')` : ` (see 'rvx ${spec.name} --help')`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** `rvx <cmd>: message (see 'rvx <cmd> --help')` on stderr; returns EXIT.USAGE. */
export function usageFailure(spec: CommandSpec, message: string): number {
  const hint = message.includes('--help') ? '' : ` (see 'rvx ${spec.name} --help')`;
  process.stderr.write(`rvx ${spec.name}: ${message}${hint}\n`);
  return EXIT.USAGE;
}

/**
 * The common prologue of a command: parse, answer --help/--version, report a usage error. Returns the
 * parsed arguments, or the exit status to return at once.
 */
export function commandLine(spec: CommandSpec, argv: readonly string[]): ParsedArgs | number {
  let cl: CommandLine;
  try {
    cl = parseCommandLine(spec, argv);
  } catch (e) {
    if (e instanceof UsageError) return usageFailure(spec, e.message);
    throw e;
  }
  if (cl.kind === 'help') {
    process.stdout.write(helpText(spec));
    return EXIT.OK;
  }
  if (cl.kind === 'version') {
    process.stdout.write(versionText());
    return EXIT.OK;
  }
  return cl.args;
}

// ---- value parsers: each throws UsageError naming the flag ----------------------------------------

/**
 * A whole number: decimal, 0x hex, with `_` separators, or 1e6 style; within [min, max].
 * The message says what is wrong: not a number, negative, too large.
 */
export function intValue(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) throw new UsageError(`option '${flag}' needs a value`);
  const t = text.trim().replace(/_/g, '');
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = Number.parseInt(t, 16);
  else if (/^[+-]?\d+(\.\d+)?(e\+?\d+)?$/i.test(t)) v = Number(t);
  else throw new UsageError(`${flag} '${text}': not a number`);
  const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'a whole number, 0 or more' : `a whole number, ${min} or more`) : `a whole number from ${min} to ${max}`;
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${flag} '${text}': expected ${range}`);
  return v;
}

/** One of a fixed set of words. */
export function choiceValue<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T {
  if (text !== undefined && (choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} '${text ?? ''}': expected ${choices.slice(0, -1).join(', ')}${choices.length > 1 ? ' or ' : ''}${choices[choices.length - 1]}`);
}

/** An address: decimal or 0x hex (underscores allowed), below 2^64. */
export function addressValue(flag: string, text: string | undefined): bigint {
  const t = (text ?? '').trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UsageError(`${flag} '${text ?? ''}': expected an address (decimal or 0x hex)`);
  const v = BigInt(t);
  if (v >= 1n << 64n) throw new UsageError(`${flag} '${text}': address above 2^64`);
  return v;
}
