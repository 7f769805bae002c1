// `rvx disasm prog.elf`: objdump-style listing of an ELF's executable sections (tools/disasm.ts).

import { readFileSync } from 'node:fs';
import { readElf, ElfError } from '../elf/read.js';
import { disassembleListing, type ListingOptions } from '../disasm.js';

const USAGE = `usage: rvx disasm [options] FILE

Disassemble the executable sections of a RISC-V ELF file, like llvm-objdump -d.

options:
  --no-aliases, -M no-aliases   print every instruction as itself (c.* names, no li/mv/ret/...)
  --section NAME, -j NAME       disassemble only section NAME (repeatable; any section)
  --start ADDR                  start at address ADDR (also --start-address=ADDR)
  --stop ADDR                   stop before address ADDR (also --stop-address=ADDR)
  --raw-bytes                   show raw instruction bytes in file order, as llvm-objdump 14 does
  --no-show-raw-insn            omit the raw instruction column
  -h, --help                    show this help`;

function parseAddress(text: string): bigint | null {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return null;
  const v = BigInt(t);
  return v < 1n << 64n ? v : null;
}

export async function main(args: string[]): Promise<number> {
  const opts: ListingOptions = {};
  const sections: string[] = [];
  let file: string | undefined;
  const fail = (message: string): number => {
    process.stderr.write(`rvx disasm: ${message}\n`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        return 0;
      case '--no-aliases':
        opts.aliases = false;
        break;
      case '-M': {
        const v = value();
        if (v !== 'no-aliases') return fail(`unknown disassembler option '${v ?? ''}' (only no-aliases is supported)`);
        opts.aliases = false;
        break;
      }
      case '-j':
      case '--section': {
        const v = value();
        if (!v) return fail(`${flag} needs a section name`);
        sections.push(v);
        break;
      }
      case '--start':
      case '--start-address':
      case '--stop':
      case '--stop-address': {
        const v = value();
        const addr = v === undefined ? null : parseAddress(v);
        if (addr === null) return fail(`${flag} needs an address (decimal or 0x hex), got '${v ?? ''}'`);
        if (flag.startsWith('--start')) opts.start = addr;
        else opts.stop = addr;
        break;
      }
      case '--raw-bytes':
        opts.raw = 'bytes';
        break;
      case '--no-show-raw-insn':
        opts.raw = 'none';
        break;
      default:
        if (a.startsWith('-') && a !== '-') return fail(`unknown option '${a}'\n${USAGE}`);
        if (file !== undefined) return fail(`only one input file is supported (got '${file}' and '${a}')`);
        file = a;
    }
  }
  if (file === undefined) return fail(`no input file\n${USAGE}`);
  if (sections.length) opts.sections = sections;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    process.stderr.write(`rvx disasm: ${file}: ${reason}\n`);
    return 1;
  }
  try {
    const img = readElf(bytes);
    if (sections.length) {
      const missing = sections.filter((s) => !img.sections.some((x) => x.name === s));
      for (const m of missing) process.stderr.write(`rvx disasm: warning: ${file}: section '${m}' not found\n`);
    }
    process.stdout.write(disassembleListing(img, { ...opts, fileName: file }));
    return 0;
  } catch (e) {
    if (e instanceof ElfError) {
      process.stderr.write(`rvx disasm: ${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
