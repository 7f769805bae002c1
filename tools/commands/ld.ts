// `rvx ld a.o b.s libgcc.a -o prog.elf`: link relocatable objects (gcc, clang, GNU as), `ar` archives and
// rvx assembly sources into one ELF64 executable, resolving symbols as GNU ld does. Errors go to stderr;
// exit code 1 when there were errors, 2 for bad usage.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, checkLayout, formatDiagnostic, type LayoutSpec, type SourceFile } from '../asm/index.js';

const HELP = `usage: rvx ld INPUT... -o out.elf [options]

Link ELF64 RISC-V relocatable objects (.o), ar archives (.a, e.g. libgcc.a) and rvx assembly sources
(any other file) into one executable. Archive members are pulled when they define a symbol that is
still undefined. Symbols bind as GNU ld binds them (strong over weak and common; two strong is an error).

options:
  -o FILE               output file (required)
  -e, --entry SYM       entry symbol (default _start, else the start of .text)
  --base ADDR           address of the first section (default 0x80000000); also -Ttext ADDR
  --layout FILE.json    section order, addresses and alignment (docs/assembler.md)
  --march ARCH          ISA for the assembly sources (default rv64imac)
  -L DIR                search DIR for -l libraries
  -lNAME                link libNAME.a from the -L directories
  --map FILE            write a symbol map
  -h, --help            this help
`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const inputs: string[] = [];
  const libDirs: string[] = [];
  const libs: string[] = [];
  let output: string | null = null;
  let entry: string | undefined;
  let base: string | undefined;
  let layoutPath: string | null = null;
  let march = 'rv64imac';
  let mapPath: string | null = null;
  const order: ({ kind: 'file'; path: string } | { kind: 'lib'; name: string })[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | null => (i + 1 < argv.length ? argv[++i] : null);
    let v: string | null;
    switch (a) {
      case '-o': output = value(); if (output === null) return usage('-o needs a file'); break;
      case '-e': case '--entry': entry = value() ?? undefined; if (!entry) return usage(`${a} needs a symbol`); break;
      case '--base': case '-Ttext': base = value() ?? undefined; if (!base) return usage(`${a} needs an address`); break;
      case '--layout': layoutPath = value(); if (!layoutPath) return usage('--layout needs a file'); break;
      case '--march': case '-march': v = value(); if (!v) return usage(`${a} needs a value`); march = v; break;
      case '--map': mapPath = value(); if (!mapPath) return usage('--map needs a file'); break;
      case '-L': v = value(); if (!v) return usage('-L needs a directory'); libDirs.push(v); break;
      default:
        if (a.startsWith('-L') && a.length > 2) libDirs.push(a.slice(2));
        else if (a.startsWith('-l') && a.length > 2) order.push({ kind: 'lib', name: a.slice(2) });
        else if (a.startsWith('--entry=')) entry = a.slice(8);
        else if (a.startsWith('-') && a !== '-') return usage(`unknown option '${a}'`);
        else {
          inputs.push(a);
          order.push({ kind: 'file', path: a });
        }
    }
  }
  if (!order.length) return usage('no input files');
  if (!output) return usage('no output file (use -o FILE)');
  const sources: SourceFile[] = [];
  const objects: { name: string; bytes: Uint8Array }[] = [];
  for (const item of order) {
    let path: string;
    if (item.kind === 'lib') {
      const found = libDirs.map((d) => join(d, `lib${item.name}.a`)).find((p) => readBytes(p) !== null);
      if (!found) {
        process.stderr.write(`rvx ld: cannot find -l${item.name} (searched: ${libDirs.join(', ') || 'no -L directories'})\n`);
        return 1;
      }
      path = found;
    } else path = item.path;
    const bytes = readBytes(path);
    if (bytes === null) {
      process.stderr.write(`rvx ld: cannot read '${path}'\n`);
      return 1;
    }
    const elf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    const ar = bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === '!<arch>\n';
    if (elf || ar) objects.push({ name: path, bytes });
    else sources.push({ name: path, text: Buffer.from(bytes).toString('utf8') });
  }
  let layout: LayoutSpec | null = null;
  if (layoutPath) {
    const text = readBytes(layoutPath);
    if (text === null) {
      process.stderr.write(`rvx ld: cannot read layout file '${layoutPath}'\n`);
      return 1;
    }
    try {
      layout = JSON.parse(Buffer.from(text).toString('utf8')) as LayoutSpec;
    } catch (e) {
      process.stderr.write(`${layoutPath}: error: invalid JSON: ${(e as Error).message}\n`);
      return 1;
    }
    const problem = checkLayout(layout);
    if (problem) {
      process.stderr.write(`${layoutPath}: error: ${problem}\n`);
      return 1;
    }
  }
  const r = assemble(sources, { march, base, layout, entry, objects, listing: false });
  for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  if (!r.ok) return 1;
  try {
    writeFileSync(output, r.elf());
    if (mapPath) writeFileSync(mapPath, r.map);
  } catch (e) {
    process.stderr.write(`rvx ld: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`rvx ld: ${msg}\n\n${HELP}`);
  return 2;
}

function readBytes(path: string): Uint8Array | null {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return null;
  }
}
