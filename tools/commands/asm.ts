// `rvx asm a.s [b.s ...] -o out.elf [options]`: assemble and link GNU-syntax RISC-V into an ELF64
// executable or a flat binary, with an optional listing and symbol map. Errors go to stderr as
// `file:line:col: error: message`; the exit code is 1 when there were errors, 2 for bad usage.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { assemble, assembleObject, checkLayout, formatDiagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';

const HELP = `usage: rvx asm a.s [b.s ...] -o out [options]

Assemble GNU-syntax RISC-V (RV64IMAC + Zicsr, Zifencei, privileged, XPC) and link into one image.

options:
  -o, --output FILE     output file (required)
  --march ARCH          rv64imac (default, compressed instructions on) or rv64ima
                        (GNU forms such as rv64gc or rv64ima_zicsr_zifencei are accepted)
  --base ADDR           address of the first section (default 0x80000000)
  --layout FILE.json    section order, addresses and alignment (see docs/assembler.md)
  --format elf|bin      ELF64 executable (default) or flat binary from the lowest loadable address
  --entry SYM           entry symbol (default _start, else the start of .text)
  --listing FILE        write a listing: address, encoding, source line
  --map FILE            write a symbol map: sections and symbols by address
  -c                    write an ELF64 relocatable object (one input) for GNU ld, lld or rvx ld
  --mabi ABI            with -c: lp64 (default), lp64f or lp64d (the object's float-ABI flags)
  --relax, -mrelax      with -c: mark the code for linker relaxation as GNU as does (R_RISCV_RELAX,
                        R_RISCV_ALIGN), so GNU ld relaxes it; -mno-relax: do not (the default)
  -I DIR                also look for .include and .incbin files in DIR (repeatable; after the
                        including file's directory and the current directory, as GNU as)
  -h, --help            this help
`;

interface Args {
  inputs: string[];
  output: string | null;
  march: string;
  base: string | undefined;
  layout: string | null;
  format: string;
  entry: string | undefined;
  listing: string | null;
  map: string | null;
  includeDirs: string[];
  object: boolean;
  mabi: string | undefined;
  relax: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { inputs: [], output: null, march: 'rv64imac', base: undefined, layout: null, format: 'elf', entry: undefined, listing: null, map: null, includeDirs: [], object: false, mabi: undefined, relax: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    // GNU as spells some options -march=..., -mabi=...
    const eq = arg.startsWith('--') || arg.startsWith('-march=') || arg.startsWith('-mabi=') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new Error(`option ${arg} needs a value`);
      return v;
    };
    try {
      switch (arg) {
        case '-o':
        case '--output':
          a.output = value();
          break;
        case '--march':
        case '-march':
          a.march = value();
          break;
        case '--base':
          a.base = value();
          break;
        case '--layout':
          a.layout = value();
          break;
        case '--format':
          a.format = value();
          break;
        case '--entry':
          a.entry = value();
          break;
        case '-c':
          a.object = true;
          break;
        case '--relax':
        case '-mrelax':
          a.relax = true;
          break;
        case '--no-relax':
        case '-mno-relax':
          a.relax = false;
          break;
        case '--mabi':
        case '-mabi':
          a.mabi = value();
          break;
        case '--listing':
          a.listing = value();
          break;
        case '--map':
          a.map = value();
          break;
        case '-I':
        case '--include-dir':
          a.includeDirs.push(value());
          break;
        default:
          // GNU's attached form: -Idir.
          if (arg.startsWith('-I') && arg.length > 2) {
            a.includeDirs.push(arg.slice(2));
            break;
          }
          if (arg.startsWith('-') && arg !== '-') return `unknown option '${arg}'`;
          a.inputs.push(arg);
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (!a.inputs.length) return 'no input files';
  if (!a.output) return 'no output file (use -o FILE)';
  if (a.object && a.inputs.length !== 1) return '-c takes exactly one input file';
  if (a.format !== 'elf' && a.format !== 'bin') return `unknown --format '${a.format}' (expected elf or bin)`;
  return a;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`rvx asm: ${args}\n\n${HELP}`);
    return 2;
  }
  const sources: SourceFile[] = [];
  for (const path of args.inputs) {
    const text = path === '-' ? readText('/dev/stdin') : readText(path);
    if (text === null) {
      process.stderr.write(`rvx asm: cannot read '${path}'\n`);
      return 1;
    }
    sources.push({ name: path, text });
  }
  let layout: LayoutSpec | null = null;
  if (args.layout) {
    const text = readText(args.layout);
    if (text === null) {
      process.stderr.write(`rvx asm: cannot read layout file '${args.layout}'\n`);
      return 1;
    }
    try {
      layout = JSON.parse(text) as LayoutSpec;
    } catch (e) {
      process.stderr.write(`${args.layout}: error: invalid JSON: ${(e as Error).message}\n`);
      return 1;
    }
    const problem = checkLayout(layout);
    if (problem) {
      process.stderr.write(`${args.layout}: error: ${problem}\n`);
      return 1;
    }
  }
  if (args.object) {
    const obj = assembleObject(sources[0], { march: args.march, mabi: args.mabi, relax: args.relax, include: (path, from) => includeFile(path, from, args.includeDirs), binary: (path, from) => binaryFile(path, from, args.includeDirs) });
    for (const d of obj.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (!obj.ok) return 1;
    try {
      writeFileSync(args.output!, obj.bytes);
    } catch (e) {
      process.stderr.write(`rvx asm: ${(e as Error).message}\n`);
      return 1;
    }
    return 0;
  }
  const result = assemble(sources, {
    march: args.march,
    base: args.base,
    layout,
    entry: args.entry,
    listing: args.listing !== null,
    includeDirs: args.includeDirs,
    binary: (path, from) => {
      for (const cand of searchPaths(path, from, args.includeDirs)) {
        try {
          return new Uint8Array(readFileSync(cand));
        } catch {
          // try the next place
        }
      }
      return null;
    },
    include: (path, from) => {
      for (const cand of searchPaths(path, from, args.includeDirs)) {
        const text = readText(cand);
        if (text !== null) return { name: cand === resolvePath(dirname(from), path) ? joinRel(from, path) : displayPath(cand), text };
      }
      return null;
    },
  });
  for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!result.ok) return 1;
  try {
    const bytes = args.format === 'bin' ? result.binary() : result.elf();
    writeFileSync(args.output!, bytes);
    if (args.listing) writeFileSync(args.listing, result.listing);
    if (args.map) writeFileSync(args.map, result.map);
  } catch (e) {
    process.stderr.write(`rvx asm: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

function includeFile(path: string, from: string, dirs: string[]): SourceFile | null {
  for (const cand of searchPaths(path, from, dirs)) {
    const text = readText(cand);
    if (text !== null) return { name: cand === resolvePath(dirname(from), path) ? joinRel(from, path) : displayPath(cand), text };
  }
  return null;
}

function binaryFile(path: string, from: string, dirs: string[]): Uint8Array | null {
  for (const cand of searchPaths(path, from, dirs)) {
    try {
      return new Uint8Array(readFileSync(cand));
    } catch {
      // try the next place
    }
  }
  return null;
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
