// `rvx ld a.o b.s libgcc.a -o prog.elf`: link relocatable objects (gcc, clang, GNU as), `ar` archives and
// rvx assembly sources into one ELF64 executable, resolving symbols as GNU ld does. Errors go to stderr;
// exit statuses follow the table in exit.ts (126 when the link failed, 125 for a bad command line).

import { join } from 'node:path';
import { assemble, checkLayout, formatDiagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { choiceValue, commandLine, UsageError, type CommandSpec } from './flags.js';
import { checkOutputFile, IoError, readInput, writeOutput } from './io.js';
import { failureStatus } from './failure.js';
import type { LinkInput } from '../ld/inputs.js';

export const LD: CommandSpec = {
  name: 'ld',
  synopsis: 'INPUT... -o out.elf [options]',
  about: `Link ELF64 RISC-V relocatable objects (.o), ar archives (.a, e.g. libgcc.a) and rvx assembly
sources (any other file) into one executable. As in GNU ld, an archive (or -l library) is searched
where it appears on the command line: members are pulled when they define a symbol still undefined
at that point (archives between --start-group and --end-group are searched until none pulls more).
Symbols bind as GNU ld binds them (strong over weak and common; two strong is an error); COMDAT
groups keep their first copy; SHF_MERGE strings and constants are merged; .eh_frame is edited as GNU
ld edits it. Linker relaxation is on by default, as in GNU ld (docs/assembler.md). A GNU ld
linker script (-T FILE) decides sections, addresses and symbols as GNU ld 2.40 would (MEMORY,
SECTIONS, KEEP, SORT, PROVIDE, ASSERT...; docs/assembler.md, "Linker scripts"). GNU spellings
-Ttext, -Ttext-segment, -Map, -( -) are understood; -static, -nostdlib, -m elf64lriscv,
--no-warn-rwx-segments and -z max-page-size=4096 (or common-page-size, RISC-V's default) are accepted
and change nothing.`,
  flags: [
    { long: 'output', short: 'o', arg: 'FILE', help: "output file (required; '-' for standard output)" },
    { long: 'entry', short: 'e', arg: 'SYM', help: 'entry symbol (default _start, else the start of .text)' },
    { long: 'text-segment', arg: 'ADDR', help: "start of the text segment in GNU ld's default layout (default 0x80000000; GNU ld: -Ttext-segment ADDR, its default 0x10000)" },
    { long: 'base', arg: 'ADDR', help: "rvx's own layout instead of GNU ld's: sections placed in turn from ADDR (GNU spelling -Ttext ADDR)" },
    { long: 'rvx-layout', help: "rvx's own layout from 0x80000000 (or --base): .sdata/.sbss in .data/.bss, no headers loaded" },
    { long: 'script', short: 'T', arg: 'FILE', help: 'GNU ld linker script: MEMORY, SECTIONS, symbol assignments, ENTRY (the subset in docs/assembler.md; -TFILE and --script=FILE too)' },
    { long: 'defsym', arg: 'SYM=EXPR', repeat: true, help: 'define SYM as EXPR before the script is read (GNU ld; without -T, EXPR must be a number)' },
    { long: 'layout', arg: 'FILE.json', help: 'section order, addresses and alignment (docs/assembler.md)' },
    { long: 'march', arg: 'ISA', help: 'ISA for the assembly sources (default rv64imac)' },
    { long: 'compat', arg: 'llvm|gnu', help: "the assembly sources' encoding choices: llvm (default) or gnu (as GNU as; see rvx asm)" },
    { long: 'library-path', short: 'L', arg: 'DIR', repeat: true, help: 'search DIR for -l libraries' },
    { long: 'library', short: 'l', arg: 'NAME', repeat: true, help: 'link libNAME.a (-l:FILE: FILE) from the -L directories, searched at this position' },
    { long: 'start-group', help: "start a group of archives searched until none pulls more ('-(')" },
    { long: 'end-group', help: "end the group ('-)')" },
    { long: 'relax', help: 'linker relaxation (the default, as GNU ld)' },
    { long: 'no-relax', help: 'no linker relaxation (R_RISCV_ALIGN padding is still trimmed)' },
    { long: 'no-relax-gp', help: 'relax, but never make accesses relative to __global_pointer$' },
    { long: 'gc-sections', help: "drop allocated sections not reachable from the entry symbol, the script's KEEPs (GNU ld's default script: .init, .fini, .eh_frame, the constructor tables), constructor arrays, notes or -u symbols (GNU ld semantics)" },
    { long: 'no-gc-sections', help: 'keep every section (the default)' },
    { long: 'print-gc-sections', help: "with --gc-sections: list each removed section on stderr (as GNU ld: removing unused section 'S' in file 'F')" },
    { long: 'undefined', short: 'u', arg: 'SYM', repeat: true, help: 'with --gc-sections: keep the section defining SYM as well' },
    { long: 'eh-frame-hdr', help: 'build .eh_frame_hdr (sorted FDE table) and a PT_GNU_EH_FRAME program header, as GNU ld' },
    { long: 'no-eh-frame-hdr', help: 'no .eh_frame_hdr (the default)' },
    { long: 'map', arg: 'FILE', help: "write a symbol map ('-': stdout)" },
  ],
  operands: { min: 0, max: Infinity, what: 'input files' },
  footer: EXIT_TABLE,
};

const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
const isArchive = (b: Uint8Array) => b.length >= 8 && Buffer.from(b.subarray(0, 8)).toString('latin1') === '!<arch>\n';

/** GNU ld's spellings this command understands, as their flag-table names; switches that change nothing for
 * a static RISC-V link (-static, -nostdlib, -m elf64lriscv, --no-warn-rwx-segments) are accepted and dropped. */
function gnuSpellings(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (x === '-static' || x === '-nostdlib' || x === '--no-warn-rwx-segments' || x === '-melf64lriscv') continue;
    if (x === '-m' && argv[i + 1] === 'elf64lriscv') {
      i++;
      continue;
    }
    if (x === '-z' || (x.startsWith('-z') && x.length > 2)) {
      // -z max-page-size=4096 (xv6's Makefile): RISC-V's page sizes are already 0x1000 in GNU ld
      // (ELF_MAXPAGESIZE, ELF_COMMONPAGESIZE), so only that value changes nothing.
      const kw = x === '-z' ? argv[++i] ?? '' : x.slice(2);
      const m = /^(max-page-size|common-page-size)=(0x[0-9a-f]+|\d+)$/i.exec(kw);
      if (m && Number(m[2]) === 0x1000) continue;
      throw new UsageError(`-z ${kw} is not supported (only max-page-size=4096 and common-page-size=4096, RISC-V's default)`);
    }
    if (x === '-Ttext') out.push('--base');
    else if (x === '-Ttext-segment') out.push('--text-segment');
    else if (x.startsWith('-Ttext=')) out.push(`--base=${x.slice(7)}`);
    else if (x.startsWith('-Ttext-segment=')) out.push(`--text-segment=${x.slice(15)}`);
    else if (/^-T(data|bss|rodata-segment|ldata-segment)(=|$)/.test(x)) throw new UsageError(`${x.split('=')[0]} is not supported (use a linker script, -T FILE)`);
    else if (x.startsWith('-T') && x.length > 2) out.push(`--script=${x.slice(2)}`);
    else if (x === '-Map') out.push('--map');
    else if (x.startsWith('-Map=')) out.push(`--map=${x.slice(5)}`);
    else if (x === '-(') out.push('--start-group');
    else if (x === '-)') out.push('--end-group');
    else out.push(x);
  }
  return out;
}

// Libraries and group markers keep their place among the input files: they become operands marked so.
const LIB = '\u0000l';
const START = '\u0000(';
const END = '\u0000)';

function positional(argv: string[]): string[] {
  const valued = new Set<string>();
  for (const f of LD.flags) {
    if (!f.arg || f.long === 'library') continue;
    valued.add(`--${f.long}`);
    if (f.short) valued.add(`-${f.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (valued.has(x)) {
      out.push(x, ...(i + 1 < argv.length ? [argv[++i]] : []));
      continue;
    }
    if (x === '-l' || x === '--library') {
      if (i + 1 < argv.length) out.push(LIB + argv[++i]);
      else out.push(x);
    } else if (x.startsWith('--library=')) out.push(LIB + x.slice(10));
    else if (x.startsWith('-l') && x.length > 2) out.push(LIB + x.slice(2));
    else if (x === '--start-group') out.push(START);
    else if (x === '--end-group') out.push(END);
    else out.push(x);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  let a: ReturnType<typeof commandLine>;
  try {
    a = commandLine(LD, positional(gnuSpellings(argv)));
  } catch (e) {
    return failureStatus('ld', e);
  }
  if (typeof a === 'number') return a;
  try {
    const output = a.get('output');
    if (output === undefined) throw new UsageError('no output file (use -o FILE)');
    if (a.has('relax') && a.has('no-relax')) throw new UsageError('--relax and --no-relax contradict each other');
    const libDirs = a.all('library-path');
    // Input files in order, libraries where they were named, with the group each one is in.
    const paths: { path: string; group?: number }[] = [];
    let group: number | undefined;
    let groups = 0;
    for (const op of a.operands) {
      if (op === START) {
        if (group !== undefined) throw new UsageError('--start-group inside a group');
        group = groups++;
        continue;
      }
      if (op === END) {
        if (group === undefined) throw new UsageError('--end-group without --start-group');
        group = undefined;
        continue;
      }
      if (!op.startsWith(LIB)) {
        paths.push({ path: op, group });
        continue;
      }
      const name = op.slice(LIB.length);
      const file = name.startsWith(':') ? name.slice(1) : `lib${name}.a`;
      const found = libDirs.map((d) => join(d, file)).find((p) => {
        try {
          readInput(p);
          return true;
        } catch {
          return false;
        }
      });
      if (!found) throw new IoError(`cannot find -l${name} (searched: ${libDirs.join(', ') || 'no -L directories'})`, EXIT.NO_INPUT);
      paths.push({ path: found, group });
    }
    if (group !== undefined) throw new UsageError('--start-group without --end-group');
    if (paths.length === 0) throw new UsageError('no input files');
    const map = a.get('map');
    if (output === '-' && map === '-') throw new UsageError("only one output can be standard output ('-'): -o, --map");
    checkOutputFile('-o', output);
    if (map !== undefined) checkOutputFile('--map', map);
    const sources: SourceFile[] = [];
    const objects: LinkInput[] = [];
    const implicitScripts: { name: string; text: string }[] = [];
    for (const { path, group } of paths) {
      const bytes = readInput(path);
      if (isElf(bytes) || isArchive(bytes)) objects.push({ name: path, bytes, group });
      // A linker script among the inputs (GNU ld's implicit script: its assignments extend the layout's).
      else if (/\.(ld|lds|x)$/.test(path)) implicitScripts.push({ name: path, text: Buffer.from(bytes).toString('utf8') });
      else sources.push({ name: path === '-' ? '<stdin>' : path, text: Buffer.from(bytes).toString('utf8') });
    }
    let layout: LayoutSpec | null = null;
    const layoutPath = a.get('layout');
    if (layoutPath !== undefined) {
      try {
        layout = JSON.parse(Buffer.from(readInput(layoutPath, layoutPath, 1 << 20)).toString('utf8')) as LayoutSpec;
      } catch (e) {
        if (e instanceof IoError) throw e;
        process.stderr.write(`${layoutPath}: error: invalid JSON: ${(e as Error).message}\n`);
        return EXIT.REFUSED;
      }
      const problem = checkLayout(layout);
      if (problem) {
        process.stderr.write(`${layoutPath}: error: ${problem}\n`);
        return EXIT.REFUSED;
      }
    }
    let linkerScript: { name: string; text: string } | null = null;
    const scriptPath = a.get('script');
    if (scriptPath !== undefined) {
      if (layoutPath !== undefined) throw new UsageError('--script (-T) and --layout cannot be used together');
      // As GNU ld: the name as given, else in the -L directories.
      const found = [scriptPath, ...(scriptPath.includes('/') ? [] : libDirs.map((d) => join(d, scriptPath)))].find((p) => {
        try {
          readInput(p, p, 1 << 22);
          return true;
        } catch {
          return false;
        }
      });
      const path = found ?? scriptPath;
      linkerScript = { name: path, text: Buffer.from(readInput(path, path, 1 << 22)).toString('utf8') };
    }
    const defsym = a.all('defsym').map((d) => {
      const eq = d.indexOf('=');
      if (eq <= 0) throw new UsageError(`--defsym '${d}': expected SYMBOL=EXPRESSION`);
      return { name: d.slice(0, eq).trim(), expr: d.slice(eq + 1) };
    });
    const compat = choiceValue('--compat', a.get('compat') ?? 'llvm', ['llvm', 'gnu']) as 'llvm' | 'gnu';
    // Without a script or layout: GNU ld's default layout, unless rvx's own is asked for (--base, --rvx-layout).
    const rvxLayout = a.has('rvx-layout') || a.has('base');
    if (rvxLayout && a.has('text-segment')) throw new UsageError('--text-segment is for the GNU layout; --base and --rvx-layout choose rvx\'s own');
    const gnuDefault = !rvxLayout && layoutPath === undefined && scriptPath === undefined;
    const r = assemble(sources, { march: a.get('march') ?? 'rv64imac', base: a.get('base') ?? a.get('text-segment'), gnuDefault, layout, entry: a.get('entry'), objects, listing: false, compat, linkerScript, defsym, implicitScripts, ehFrameHdr: a.has('eh-frame-hdr') && !a.has('no-eh-frame-hdr'), relax: !a.has('no-relax'), relaxGp: !a.has('no-relax-gp'), gcSections: a.has('gc-sections') && !a.has('no-gc-sections'), undefinedRoots: a.all('undefined'),
      onGcRemoved: a.has('print-gc-sections') ? (sec, file) => process.stderr.write(`rvx ld: removing unused section '${sec}' in file '${file}'\n`) : undefined });
    for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (!r.ok) return EXIT.REFUSED;
    writeOutput('-o', output, r.elf(), true);
    if (map !== undefined) writeOutput('--map', map, r.map);
    return EXIT.OK;
  } catch (e) {
    return failureStatus('ld', e);
  }
}
