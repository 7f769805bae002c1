// Assemble one of the XPC test programs (this directory) with rvx's assembler, for the tests and the demo.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, formatDiagnostics } from '../../../tools/asm/index.js';
import type { LoadableProgram } from '../../../emulator/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface BuiltProgram {
  program: LoadableProgram;
  symbols: Map<string, bigint>;
}

/** Assemble `file` (a name in this directory, or source text with `text`) with rvtest.inc and xpc.inc available. */
export function buildXpcProgram(file: string, text = readFileSync(join(HERE, file), 'utf8')): BuiltProgram {
  const r = assemble([{ name: file, text }], {
    files: {
      'rvtest.inc': readFileSync(join(HERE, '..', 'include', 'rvtest.inc'), 'utf8'),
      'xpc.inc': readFileSync(join(HERE, 'include', 'xpc.inc'), 'utf8'),
    },
  });
  if (!r.ok) throw new Error(`${file} does not assemble:\n${formatDiagnostics(r)}`);
  const tohost = r.symbols.get('tohost');
  const fromhost = r.symbols.get('fromhost');
  return {
    program: {
      segments: r.image.segments.map((s) => ({ paddr: Number(s.paddr), data: s.data, memsz: s.memsz })),
      entry: Number(r.entry),
      tohost: tohost === undefined ? undefined : Number(tohost),
      fromhost: fromhost === undefined ? undefined : Number(fromhost),
    },
    symbols: r.symbols,
  };
}
