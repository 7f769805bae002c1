// `rvx asm a.s [b.s ...] -o out.elf [options]`: assemble and link GNU-syntax RISC-V into an ELF64
// executable or a flat binary, with an optional listing and symbol map. Errors go to stderr as
// `file:line:col: error: message`; exit statuses follow the table in exit.ts (126 when there were
// assembly errors, 125 for a bad command line).

import { dirname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { assemble, assembleObject, checkLayout, formatDiagnostic, type Diagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';
import { AsmError } from '../asm/expr.js';
import { parseIsaString } from '../../isa/isa-string.js';
import { readInputFile } from '../load.js';
import { elfPieceList } from '../elf/write.js';
import { decodeSource } from '../asm/source.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { commandLine, choiceValue, UsageError, type CommandSpec } from './flags.js';
import { checkOutputFile, openInputStream, readInput, writeOutput, writeOutputPieces } from './io.js';
import { failureStatus } from './failure.js';

export const ASM: CommandSpec = {
  name: 'asm',
  synopsis: 'a.s [b.s ...] -o out [options]',
  about: `Assemble GNU-syntax RISC-V (RV64IMAFDC + Zicsr, Zifencei, privileged, XPC; Zba, Zbb, Zbc, Zbs when
the ISA names them) and link into one image.
An input '-' is standard input; an output '-' is standard output.`,
  flags: [
    { long: 'output', short: 'o', arg: 'FILE', help: "output file (required; '-' for standard output)" },
    {
      long: 'march',
      arg: 'ISA',
      help: 'ISA string: rv64imac (default, compressed instructions on) or rv64ima; full\nstrings such as rv64imac_zicsr_zifencei or rv64i2p1_m2p0_a2p1_c2p0 are accepted,\nextensions rvx does not implement (V, ...) are refused; F/D instructions\nare always accepted; _zba, _zbb, _zbc, _zbs allow bit-manipulation instructions',
    },
    { long: 'base', arg: 'ADDR', help: 'address of the first section (default 0x80000000)' },
    { long: 'layout', arg: 'FILE.json', help: 'section order, addresses and alignment (see docs/assembler.md)' },
    { long: 'format', arg: 'elf|bin', help: 'ELF64 executable (default) or flat binary from the lowest loadable address' },
    { long: 'entry', arg: 'SYM', help: 'entry symbol (default _start, else the start of .text)' },
    { long: 'listing', arg: 'FILE', help: "write a listing: address, encoding, source line ('-': stdout)" },
    { long: 'map', arg: 'FILE', help: "write a symbol map: sections and symbols by address ('-': stdout)" },
    { long: 'object', short: 'c', help: 'write an ELF64 relocatable object (one input) for GNU ld, lld or rvx ld' },
    { long: 'mabi', arg: 'ABI', help: "with -c: lp64 (default), lp64f or lp64d (the object's float-ABI flags)" },
    { long: 'relax', help: 'with -c: mark the code for linker relaxation as GNU as does (R_RISCV_RELAX,\nR_RISCV_ALIGN), so a linker may relax it (the default, as GNU as; also -mrelax)' },
    { long: 'no-relax', help: 'with -c: no relaxation marks (also -mno-relax)' },
    {
      long: 'compat',
      arg: 'llvm|gnu',
      help: "whose choices to make where GNU as and LLVM differ: llvm (default: llvm-mc's\ncompression, li sequences and nop padding) or gnu (GNU as's, for byte-for-byte\ncomparison with GNU-built code)",
    },
    {
      long: 'include-dir',
      short: 'I',
      arg: 'DIR',
      repeat: true,
      help: "also look for .include and .incbin files in DIR (repeatable; after the including file's\ndirectory and the current directory, as GNU as)",
    },
  ],
  operands: { min: 1, max: Infinity, what: 'input files' },
  footer: EXIT_TABLE,
};

/** GNU as's single-dash spellings (-march=, -mabi=, -mrelax, -mno-relax) as their flag-table names. */
function gnuSpellings(argv: string[]): string[] {
  return argv.map((x) => (/^-(march|mabi)=/.test(x) ? `-${x}` : x === '-mrelax' ? '--relax' : x === '-mno-relax' ? '--no-relax' : x));
}

export async function main(argv: string[]): Promise<number> {
  const a = commandLine(ASM, gnuSpellings(argv));
  if (typeof a === 'number') return a;
  const inputs: { close(): void }[] = [];
  try {
    const output = a.get('output');
    if (output === undefined) throw new UsageError("no output file (use -o FILE, or -o - for standard output)");
    const format = choiceValue('--format', a.get('format') ?? 'elf', ['elf', 'bin']);
    const compat = choiceValue('--compat', a.get('compat') ?? 'llvm', ['llvm', 'gnu']) as 'llvm' | 'gnu';
    const march = a.get('march');
    if (march !== undefined) {
      // The same parser as the assembler's (and rvx run --isa): a bad ISA string is a command-line error.
      const isa = parseIsaString(march);
      if (typeof isa === 'string') throw new UsageError(isa.replace(/^ISA string/, '--march'));
    }
    const listing = a.get('listing');
    const map = a.get('map');
    const outs: [string, string][] = [['-o', output]];
    if (listing !== undefined) outs.push(['--listing', listing]);
    if (map !== undefined) outs.push(['--map', map]);
    if (outs.filter(([, p]) => p === '-').length > 1) throw new UsageError(`only one output can be standard output ('-'): ${outs.filter(([, p]) => p === '-').map(([f]) => f).join(', ')}`);
    if (a.operands.filter((p) => p === '-').length > 1) throw new UsageError("standard input ('-') can be read only once");
    // Every output is checked before any work: a long assembly never ends in "cannot write".
    for (const [flag, path] of outs) checkOutputFile(flag, path);
    const includeDirs = a.all('include-dir');
    // Each source is read as the assembler goes (tools/asm/source.ts): every one is opened and checked here,
    // before any work, and closed when the command ends.
    const sources: SourceFile[] = a.operands.map((path) => {
      const input = openInputStream(path);
      inputs.push(input);
      return { name: path === '-' ? '<stdin>' : path, text: '', stream: input.stream };
    });
    let layout: LayoutSpec | null = null;
    const layoutFile = a.get('layout');
    if (layoutFile !== undefined) {
      const text = decodeSource(readInput(layoutFile, layoutFile, 1 << 20));
      try {
        layout = JSON.parse(text) as LayoutSpec;
      } catch (e) {
        process.stderr.write(`${layoutFile}: error: invalid JSON: ${(e as Error).message}\n`);
        return EXIT.REFUSED;
      }
      const problem = checkLayout(layout);
      if (problem) {
        process.stderr.write(`${layoutFile}: error: ${problem}\n`);
        return EXIT.REFUSED;
      }
    }
    /** Read an included file; a device or FIFO is an error at the directive, not an endless read. */
    const readIncluded = (cand: string): Uint8Array | null => {
      const r = readInputFile(cand, 64 << 20);
      if (r.ok) return r.bytes;
      if (r.error === 'no such file' || r.error.startsWith('no such file') || r.error === 'is a directory') return null;
      throw new AsmError(`'${cand}': ${r.error}`);
    };
    const resolvers = {
      binary: (path: string, from: string) => {
        for (const cand of searchPaths(path, from, includeDirs)) {
          const bytes = readIncluded(cand);
          if (bytes) return bytes;
        }
        return null;
      },
      include: (path: string, from: string) => {
        for (const cand of searchPaths(path, from, includeDirs)) {
          const bytes = readIncluded(cand);
          if (bytes) return { name: cand === resolvePath(dirname(from), path) ? joinRel(from, path) : displayPath(cand), text: decodeSource(bytes) };
        }
        return null;
      },
    };
    if (a.has('object')) {
      if (sources.length !== 1) throw new UsageError(`-c takes exactly one input file (got ${sources.length})`);
      if (format !== 'elf' || layout || listing !== undefined || map !== undefined) throw new UsageError('-c writes a relocatable object: --format, --layout, --listing and --map do not apply');
      const obj = assembleObject(sources[0], { march: a.get('march') ?? 'rv64imac', mabi: a.get('mabi'), relax: a.has('no-relax') ? false : a.has('relax') ? true : undefined, compat, includeDirs, ...resolvers });
      for (const d of uniqueDiagnostics(obj.diagnostics)) process.stderr.write(formatDiagnostic(d) + '\n');
      if (!obj.ok) return EXIT.REFUSED;
      writeOutputPieces('-o', output, obj.pieces);
      return EXIT.OK;
    }
    if (a.has('mabi') || a.has('relax')) throw new UsageError('--mabi and --relax apply to objects (-c) only');
    const result = assemble(sources, {
      march: a.get('march') ?? 'rv64imac',
      base: a.get('base'),
      layout,
      entry: a.get('entry'),
      listing: listing !== undefined,
      compat,
      includeDirs,
      ...resolvers,
    });
    for (const d of uniqueDiagnostics(result.diagnostics)) process.stderr.write(formatDiagnostic(d) + '\n');
    if (!result.ok) return EXIT.REFUSED;
    if (format === 'bin') writeOutput('-o', output, result.binary(), false);
    else writeOutputPieces('-o', output, elfPieceList(result.elfPieces()), true);
    if (listing !== undefined) writeOutput('--listing', listing, result.listing);
    if (map !== undefined) writeOutput('--map', map, result.map);
    return EXIT.OK;
  } catch (e) {
    return failureStatus('asm', e);
  } finally {
    for (const input of inputs) input.close();
  }
}

/**
 * One diagnostic per file:line:col and severity: a second error at the very same place is a consequence
 * of the first (GNU as reports one error per statement).
 */
function uniqueDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.file}:${d.line}:${d.col}:${d.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Where `.include "path"` may be, in order: the including file's directory, the current directory, then each
 * -I directory (GNU as looks in the current directory and then the -I list). An absolute path is itself. */
function searchPaths(path: string, from: string, dirs: string[]): string[] {
  if (isAbsolute(path)) return [path];
  return [resolvePath(dirname(from), path), resolvePath(path), ...dirs.map((d) => resolvePath(d, path))];
}

/** A found file's name for diagnostics: relative to the current directory when inside it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function joinRel(from: string, path: string): string {
  if (path.startsWith('/')) return path;
  const d = dirname(from);
  return d === '.' ? path : `${d}/${path}`;
}
