// Loader glue for the CLI and tools: a file on disk becomes either a program or a one-line reason it
// cannot be run. The ELF-to-program conversion itself is tools/elf/load.ts (shared with kernel-images/).

import { readFileSync } from 'node:fs';
import type { LoadableProgram } from '../emulator/types.js';
import { loadElfBytes, type LoadOutcome } from './elf/load.js';

export { LoadError, loadElfBytes, symbolAddress, toLoadable, type LoadOutcome } from './elf/load.js';

/** Read a file: its bytes, or a one-line reason (missing, a directory, unreadable). */
export function readInputFile(path: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  try {
    return { ok: true, bytes: readFileSync(path) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why: Record<string, string> = {
      ENOENT: 'no such file',
      EISDIR: 'is a directory',
      EACCES: 'permission denied',
    };
    return { ok: false, error: (err.code && why[err.code]) ?? `cannot read (${err.message})` };
  }
}

/** Read and parse an ELF file into a program, or a one-line reason. */
export function loadElfFile(path: string): LoadOutcome {
  const file = readInputFile(path);
  if (!file.ok) return file;
  return loadElfBytes(file.bytes);
}

/** A flat binary placed at `base` (physical), entered at its first byte; no HTIF symbols. */
export function flatBinary(bytes: Uint8Array, base: number): LoadableProgram {
  return { segments: [{ paddr: base, data: bytes, memsz: bytes.length }], entry: base };
}
