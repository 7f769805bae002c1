// `rvx ld a.o b.s libgcc.a -o prog.elf`: link relocatable objects (gcc, clang, GNU as), `ar` archives and
// rvx assembly sources into one ELF64 executable, resolving symbols as GNU ld does. Errors go to stderr;
// exit statuses follow the table in exit.ts (126 when the link failed, 125 for a bad command line).

import { join } from 'node:path';
import { parseAddress } from '../asm/link.js';
import { assemble, checkLayout, formatDiagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { choiceValue, commandLine, UsageError, versionText, type CommandSpec } from './flags.js';
import { checkOutputFile, IoError, readInput, writeOutput } from './io.js';
import { failureStatus } from './failure.js';
import type { LinkInput } from '../ld/inputs.js';
import { stripDebug } from '../ld/strip.js';
import { isLocalLabel } from '../ld/symtab.js';
import { describedSections, parseSectionAddress } from '../ld/script/section-start.js';
import { parseScript } from '../ld/script/parse.js';
import { defaultScript } from '../ld/script/default.js';
import { writeElf } from '../elf/write.js';

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
-Ttext, -Ttext-segment, -Map, -( -) are understood, and -v prints the version line and goes on
linking (--version prints it and stops); -static, -Bstatic, -nostdlib, -m elf64lriscv, -EL, -O<n>,
--build-id=none, --no-undefined, --no-warn-rwx-segments and -z max-page-size=4096 (or
common-page-size, RISC-V's default) are accepted and change nothing, as in GNU ld's static RISC-V links.
--build-id (a .note.gnu.build-id) and --hash-style (dynamic linking only) are refused.`,
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
    { long: 'map', arg: 'FILE', help: "write a symbol map ('-': stdout; GNU spelling -Map FILE)" },
    { long: 'print-map', short: 'M', help: 'write the map to standard output (as --map -)' },
    { long: 'strip-all', short: 's', help: 'no symbol table (.symtab, .strtab) and no debugging sections in the output (GNU ld -s)' },
    { long: 'strip-debug', short: 'S', help: 'no debugging sections (.debug_*, .zdebug*, .line, .stab*, .gdb_index) in the output (GNU ld -S)' },
    { long: 'discard-all', short: 'x', help: "no local symbols of the inputs in the symbol table (FILE symbols included; section symbols and the linker's own stay, as GNU ld -x)" },
    { long: 'discard-locals', short: 'X', help: "drop only local labels (.L*, ..*, _.L_*) from the symbol table: GNU ld's default for RISC-V, so this changes nothing" },
    { long: 'whole-archive', help: 'load every member of the archives that follow (in member order), not just those that define a needed symbol' },
    { long: 'no-whole-archive', help: 'back to searching archives for needed members (the default)' },
    { long: 'wrap', arg: 'SYM', repeat: true, help: 'undefined references to SYM go to __wrap_SYM, and references to __real_SYM to SYM (GNU ld --wrap; --wrap=SYM too)' },
    { long: 'section-start', arg: 'SECTION=ADDR', repeat: true, help: 'start output section SECTION at ADDR (hexadecimal, 0x optional, as GNU ld reads it); -Tdata ADDR and -Tbss ADDR name .data and .bss' },
    { long: 'fatal-warnings', help: 'warnings are errors: the link fails (exit status 126) and writes nothing' },
    { long: 'warn-common', help: "warn where a common symbol meets another common or a definition (GNU ld's five cases)" },
    { long: 'verbose', help: "print the version and rvx ld's default linker script (GNU ld's default layout with its --text-segment), then link any inputs (-v: the version only)" },
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
    // Also no-ops in GNU ld's static RISC-V links (its output is the same with and without them, checked
    // with riscv64-unknown-elf-ld 2.40): the byte order RISC-V already has, -O<level> (ld optimises only
    // shared-library hash tables), -Bstatic, no build-id note, and --no-undefined (a static link refuses
    // undefined symbols anyway).
    if (x === '-EL' || /^-O[0-9]+$/.test(x) || x === '-Bstatic' || x === '--build-id=none' || x === '--no-undefined') continue;
    if (x === '-O' && /^[0-9]+$/.test(argv[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (x === '--build-id' || x.startsWith('--build-id=')) throw new UsageError(`${x}: rvx ld writes no .note.gnu.build-id (--build-id=none, the default, is accepted)`);
    if (x === '-N' || x === '--omagic' || x === '-n' || x === '--nmagic') throw new UsageError(`${x}: GNU ld's ${x === '-N' || x === '--omagic' ? 'omagic' : 'nmagic'} layout (one unpaged segment, file offsets not page-aligned) is not carried out by rvx ld; link without it, or give the layout as a linker script (-T)`);
    if (x === '--emit-relocs' || x === '-q') throw new UsageError(`${x}: rvx ld does not keep relocation sections in an executable`);
    if (x.startsWith('--hash-style')) throw new UsageError(`${x.split('=')[0]}: no dynamic symbol tables in a static link (riscv64-unknown-elf-ld 2.40 does not accept the option either)`);

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
    else if (x === '-Tdata' || x === '-Tbss') {
      if (i + 1 >= argv.length) throw new UsageError(`option '${x}' needs a value (ADDR)`);
      out.push(`--section-start=.${x.slice(2)}=${argv[++i]}`);
    } else if (x.startsWith('-Tdata=') || x.startsWith('-Tbss=')) out.push(`--section-start=.${x.slice(2, x.indexOf('='))}=${x.slice(x.indexOf('=') + 1)}`);
    else if (/^-T(rodata-segment|ldata-segment)(=|$)/.test(x)) throw new UsageError(`${x.split('=')[0]} is not supported (use a linker script, -T FILE)`);
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
const WHOLE = '\u0000w+';
const NOT_WHOLE = '\u0000w-';

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
    else if (x === '--whole-archive') out.push(WHOLE);
    else if (x === '--no-whole-archive') out.push(NOT_WHOLE);
    else out.push(x);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  // GNU ld -v: print the version, then link whatever the command line asks for (--version prints it and
  // stops, in both).
  const optionsEnd = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  const dashV = argv.slice(0, optionsEnd).includes('-v');
  if (dashV) argv = argv.filter((x, i) => x !== '-v' || i > optionsEnd);
  let a: ReturnType<typeof commandLine>;
  let spelled: string[] = [];
  try {
    spelled = gnuSpellings(argv);
    a = commandLine(LD, positional(spelled));
  } catch (e) {
    return failureStatus('ld', e);
  }
  if (typeof a === 'number') return a;
  try {
    if (dashV || a.has('verbose')) process.stdout.write(versionText().split('\n')[0] + '\n');
    if (a.has('verbose')) {
      let textSegment = 0x80000000n;
      try {
        textSegment = parseAddress(a.get('text-segment') ?? '0x80000000', 'text segment');
      } catch {
        // reported by the link itself
      }
      const script = defaultScript(textSegment);
      const rule = '='.repeat(50);
      process.stdout.write(`using internal linker script (GNU ld's default layout, as rvx ld carries it out):\n${rule}${script}${rule}\n`);
    }
    // As GNU ld: -v or --verbose alone prints and links nothing.
    if ((dashV || a.has('verbose')) && a.operands.every((op) => op.startsWith('\u0000')) && a.get('output') === undefined) return EXIT.OK;
    const output = a.get('output');
    if (output === undefined) throw new UsageError('no output file (use -o FILE)');
    if (a.has('relax') && a.has('no-relax')) throw new UsageError('--relax and --no-relax contradict each other');
    const libDirs = a.all('library-path');
    // Input files in order, libraries where they were named, with the group each one is in.
    const paths: { path: string; group?: number; whole: boolean }[] = [];
    let group: number | undefined;
    let groups = 0;
    let whole = false;
    for (const op of a.operands) {
      if (op === WHOLE || op === NOT_WHOLE) {
        whole = op === WHOLE;
        continue;
      }
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
        paths.push({ path: op, group, whole });
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
      paths.push({ path: found, group, whole });
    }
    if (group !== undefined) throw new UsageError('--start-group without --end-group');
    if (paths.length === 0) throw new UsageError('no input files');
    if (output === '-' && (dashV || a.has('verbose'))) throw new UsageError("-v and --verbose print on standard output: the output file cannot be '-' with them");
    if (a.has('print-map') && a.get('map') !== undefined && a.get('map') !== '-') throw new UsageError('--print-map (-M) and --map FILE: choose one place for the map');
    const map = a.has('print-map') ? '-' : a.get('map');
    if (output === '-' && map === '-') throw new UsageError(`only one output can be standard output ('-'): -o, ${a.has('print-map') ? '--print-map (-M)' : '--map'}`);
    checkOutputFile('-o', output);
    if (map !== undefined) checkOutputFile('--map', map);
    const sources: SourceFile[] = [];
    const objects: LinkInput[] = [];
    const implicitScripts: { name: string; text: string }[] = [];
    for (const { path, group, whole } of paths) {
      const bytes = readInput(path);
      if (isElf(bytes) || isArchive(bytes)) objects.push({ name: path, bytes, group, whole: whole && isArchive(bytes) });
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
    const sectionStarts = a.all('section-start').map((d) => {
      const eq = d.lastIndexOf('=');
      const name = d.slice(0, Math.max(eq, 0));
      const addr = parseSectionAddress(d.slice(eq + 1));
      if (eq <= 0 || !/^[A-Za-z0-9._$-]+$/.test(name)) throw new UsageError(`--section-start '${d}': expected SECTION=ADDR`);
      if (addr === null) throw new UsageError(`--section-start '${d}': '${d.slice(eq + 1)}' is not a hexadecimal address`);
      return { name, addr, first: true };
    });
    // GNU ld makes the output section of a section start when it reads the option; a -T script is read
    // where -T stands, its default script after all options. So a section start before -T, or any without
    // a script, comes first in the section header table; one after -T keeps the script's place.
    if (linkerScript) {
      const end = spelled.indexOf('--') < 0 ? spelled.length : spelled.indexOf('--');
      const scriptAt = spelled.findIndex((x, i) => i < end && (x === '-T' || x === '--script' || x.startsWith('--script=')));
      let k = 0;
      spelled.forEach((x, i) => {
        if (i >= end || !(x === '--section-start' || x.startsWith('--section-start='))) return;
        if (k < sectionStarts.length) sectionStarts[k].first = i < scriptAt;
        k++;
      });
    }
    if (sectionStarts.length && (a.has('rvx-layout') || a.has('base') || layoutPath !== undefined)) throw new UsageError("--section-start, -Tdata and -Tbss need GNU ld's default layout or a linker script (-T), not --base/--rvx-layout/--layout");
    if (sectionStarts.length) {
      // A section the layout has no statement for (an orphan): GNU ld makes it an output section statement
      // of its own after the script's; rvx ld does not place such a section yet.
      let described: Set<string> | null = null;
      try {
        described = describedSections(parseScript(linkerScript?.text ?? defaultScript(0n), linkerScript?.name ?? '<default script>'));
      } catch {
        // a script that does not parse is reported by the link
      }
      const orphan = described && sectionStarts.find((st) => !described!.has(st.name));
      if (orphan) throw new UsageError(`--section-start ${orphan.name}: ${linkerScript ? 'the linker script' : "GNU ld's default layout"} has no output section '${orphan.name}' (rvx ld places a section start only on a section the layout names)`);
    }
    const compat = choiceValue('--compat', a.get('compat') ?? 'llvm', ['llvm', 'gnu']) as 'llvm' | 'gnu';
    // Without a script or layout: GNU ld's default layout, unless rvx's own is asked for (--base, --rvx-layout).
    const rvxLayout = a.has('rvx-layout') || a.has('base');
    if (rvxLayout && a.has('text-segment')) throw new UsageError('--text-segment is for the GNU layout; --base and --rvx-layout choose rvx\'s own');
    const gnuDefault = !rvxLayout && layoutPath === undefined && scriptPath === undefined;
    const r = assemble(sources, { march: a.get('march') ?? 'rv64imac', base: a.get('base') ?? a.get('text-segment'), gnuDefault, layout, entry: a.get('entry'), objects, listing: false, compat, linkerScript, defsym, implicitScripts, ehFrameHdr: a.has('eh-frame-hdr') && !a.has('no-eh-frame-hdr'), relax: !a.has('no-relax'), relaxGp: !a.has('no-relax-gp'), gcSections: a.has('gc-sections') && !a.has('no-gc-sections'), undefinedRoots: a.all('undefined'),
      onGcRemoved: a.has('print-gc-sections') ? (sec, file) => process.stderr.write(`rvx ld: removing unused section '${sec}' in file '${file}'\n`) : undefined,
      discardLocals: a.has('discard-all') ? 'all' : 'temporary', wrap: a.all('wrap'), warnCommon: a.has('warn-common'), sectionStarts });
    for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (!r.ok) return EXIT.REFUSED;
    if (a.has('fatal-warnings') && r.diagnostics.some((d) => d.severity === 'warning')) {
      process.stderr.write('rvx ld: error: warnings are fatal (--fatal-warnings): no output written\n');
      return EXIT.REFUSED;
    }
    // rvx's own layout (--base, --rvx-layout, --layout) writes its symbol table itself: -x and -X act on it here.
    if (!gnuDefault && !linkerScript && (a.has('discard-all') || a.has('discard-locals'))) {
      r.image.symbols = r.image.symbols.filter((s) => s.bind !== 'local' || s.type === 'section' || (!a.has('discard-all') && !isLocalLabel(s.name)));
    }
    const stripAll = a.has('strip-all');
    if (stripAll || a.has('strip-debug')) stripDebug(r.image);
    writeOutput('-o', output, writeElf(r.image, { flags: r.eFlags, symbolTable: !stripAll }), true);
    if (map !== undefined) writeOutput('--map', map, r.map);
    return EXIT.OK;
  } catch (e) {
    return failureStatus('ld', e);
  }
}
