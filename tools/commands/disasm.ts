// `rvx disasm prog.elf`: objdump-style listing of an ELF's executable sections (tools/disasm.ts).

import { readElf, ElfError } from '../elf/read.js';
import { disassembleListing, type ListingOptions } from '../disasm.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { addressValue, commandLine, UsageError, type CommandSpec } from './flags.js';
import { readInput, writeStdout } from './io.js';
import { failureStatus, RefusedError } from './failure.js';

export const DISASM: CommandSpec = {
  name: 'disasm',
  synopsis: '[options] FILE',
  about: "Disassemble the executable sections of a RISC-V ELF file, like llvm-objdump -d.\nFILE '-' is standard input.",
  flags: [
    { long: 'no-aliases', help: 'print every instruction as itself (c.* names, no li/mv/ret/...)' },
    { long: 'disassembler-options', short: 'M', arg: 'OPT', help: 'objdump style: -M no-aliases is --no-aliases' },
    { long: 'section', short: 'j', arg: 'NAME', repeat: true, help: 'disassemble only section NAME (repeatable; any section)' },
    { long: 'start', aliases: ['start-address'], arg: 'ADDR', help: 'start at address ADDR (also --start-address=ADDR)' },
    { long: 'stop', aliases: ['stop-address'], arg: 'ADDR', help: 'stop before address ADDR (also --stop-address=ADDR)' },
    { long: 'raw-bytes', help: 'show raw instruction bytes in file order, as llvm-objdump 14 does' },
    { long: 'no-show-raw-insn', help: 'omit the raw instruction column' },
  ],
  operands: { min: 1, max: 1, what: 'input file' },
  footer: EXIT_TABLE,
};

export async function main(args: string[]): Promise<number> {
  const a = commandLine(DISASM, args);
  if (typeof a === 'number') return a;
  try {
    const opts: ListingOptions = {};
    if (a.has('no-aliases')) opts.aliases = false;
    for (const m of a.all('disassembler-options')) {
      for (const opt of m.split(',')) {
        if (opt !== 'no-aliases') throw new UsageError(`-M '${opt}': unknown disassembler option (only no-aliases is supported)`);
        opts.aliases = false;
      }
    }
    if (a.has('start')) opts.start = addressValue('--start', a.get('start'));
    if (a.has('stop')) opts.stop = addressValue('--stop', a.get('stop'));
    if (a.has('raw-bytes') && a.has('no-show-raw-insn')) throw new UsageError("'--raw-bytes' and '--no-show-raw-insn' contradict each other");
    if (a.has('raw-bytes')) opts.raw = 'bytes';
    if (a.has('no-show-raw-insn')) opts.raw = 'none';
    const sections = a.all('section');
    if (sections.length) opts.sections = sections;
    const file = a.operands[0];
    const bytes = readInput(file);
    let img;
    try {
      img = readElf(bytes);
    } catch (e) {
      if (e instanceof ElfError) throw new RefusedError(`${file}: ${e.message}`);
      throw e;
    }
    for (const m of sections.filter((s) => !img.sections.some((x) => x.name === s))) {
      process.stderr.write(`rvx disasm: warning: ${file}: section '${m}' not found\n`);
    }
    writeStdout(disassembleListing(img, { ...opts, fileName: file === '-' ? '<stdin>' : file }));
    return EXIT.OK;
  } catch (e) {
    return failureStatus('disasm', e);
  }
}
