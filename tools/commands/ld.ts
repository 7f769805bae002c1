// `rvx ld a.o b.s libgcc.a -o prog.elf`: link relocatable objects (gcc, clang, GNU as), `ar` archives and
// rvx assembly sources into one ELF64 executable, resolving symbols as GNU ld does. Errors go to stderr;
// exit statuses follow the table in exit.ts (126 when the link failed, 125 for a bad command line).

import { join } from 'node:path';
import { assemble, checkLayout, formatDiagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { choiceValue, commandLine, UsageError, type CommandSpec } from './flags.js';
import { checkOutputFile, IoError, readInput, writeOutput } from './io.js';
import { failureStatus } from './program.js';

export const LD: CommandSpec = {
  name: 'ld',
  synopsis: 'INPUT... -o out.elf [options]',
  about: `Link ELF64 RISC-V relocatable objects (.o), ar archives (.a, e.g. libgcc.a) and rvx assembly sources
(any other file) into one executable. Archive members are pulled when they define a symbol that is
still undefined. Symbols bind as GNU ld binds them (strong over weak and common; two strong is an
error). -l libraries are searched after all the input files.`,
  flags: [
    { long: 'output', short: 'o', arg: 'FILE', help: "output file (required; '-' for standard output)" },
    { long: 'entry', short: 'e', arg: 'SYM', help: 'entry symbol (default _start, else the start of .text)' },
    { long: 'base', arg: 'ADDR', help: 'address of the first section (default 0x80000000; GNU ld: -Ttext ADDR)' },
    { long: 'layout', arg: 'FILE.json', help: 'section order, addresses and alignment (docs/assembler.md)' },
    { long: 'march', arg: 'ISA', help: 'ISA for the assembly sources (default rv64imac)' },
    { long: 'compat', arg: 'llvm|gnu', help: "the assembly sources' encoding choices: llvm (default) or gnu (as GNU as; see rvx asm)" },
    { long: 'library-path', short: 'L', arg: 'DIR', repeat: true, help: 'search DIR for -l libraries' },
    { long: 'library', short: 'l', arg: 'NAME', repeat: true, help: 'link libNAME.a from the -L directories' },
    { long: 'map', arg: 'FILE', help: "write a symbol map ('-': stdout)" },
  ],
  operands: { min: 0, max: Infinity, what: 'input files' },
  footer: EXIT_TABLE,
};

const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
const isArchive = (b: Uint8Array) => b.length >= 8 && Buffer.from(b.subarray(0, 8)).toString('latin1') === '!<arch>\n';

/** GNU ld's single-dash spellings this command understands, as their flag-table names. */
function gnuSpellings(argv: string[]): string[] {
  return argv.map((x) => (x === '-Ttext' ? '--base' : x.startsWith('-Ttext=') ? `--base=${x.slice(7)}` : x));
}

export async function main(argv: string[]): Promise<number> {
  const a = commandLine(LD, gnuSpellings(argv));
  if (typeof a === 'number') return a;
  try {
    const output = a.get('output');
    if (output === undefined) throw new UsageError('no output file (use -o FILE)');
    const libDirs = a.all('library-path');
    const paths = [...a.operands];
    for (const name of a.all('library')) {
      const found = libDirs.map((d) => join(d, `lib${name}.a`)).find((p) => {
        try {
          readInput(p);
          return true;
        } catch {
          return false;
        }
      });
      if (!found) throw new IoError(`cannot find -l${name} (searched: ${libDirs.join(', ') || 'no -L directories'})`, EXIT.NO_INPUT);
      paths.push(found);
    }
    if (paths.length === 0) throw new UsageError('no input files');
    const map = a.get('map');
    if (output === '-' && map === '-') throw new UsageError("only one output can be standard output ('-'): -o, --map");
    checkOutputFile('-o', output);
    if (map !== undefined) checkOutputFile('--map', map);
    const sources: SourceFile[] = [];
    const objects: { name: string; bytes: Uint8Array }[] = [];
    for (const path of paths) {
      const bytes = readInput(path);
      if (isElf(bytes) || isArchive(bytes)) objects.push({ name: path, bytes });
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
    const compat = choiceValue('--compat', a.get('compat') ?? 'llvm', ['llvm', 'gnu']) as 'llvm' | 'gnu';
    const r = assemble(sources, { march: a.get('march') ?? 'rv64imac', base: a.get('base'), layout, entry: a.get('entry'), objects, listing: false, compat });
    for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (!r.ok) return EXIT.REFUSED;
    writeOutput('-o', output, r.elf());
    if (map !== undefined) writeOutput('--map', map, r.map);
    return EXIT.OK;
  } catch (e) {
    return failureStatus('ld', e);
  }
}
