// Loader glue for the CLI and tools: a file on disk becomes either a program or a one-line reason it
// cannot be run. The ELF-to-program conversion itself is tools/elf/load.ts (shared with kernel-images/);
// what only a command-line user needs checked (file kinds, sizes, ELF types, overlapping segments) is
// here.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LoadableProgram } from '../emulator/types.js';
import type { ElfImage } from './elf/model.js';
import { loadElfBytes, type LoadOutcome } from './elf/load.js';

export { LoadError, loadElfBytes, symbolAddress, toLoadable, type LoadOutcome } from './elf/load.js';

/** Overlapping PT_LOAD ranges (physical): the later one would silently overwrite the earlier. */
function overlapError(program: LoadableProgram): string | null {
  const segs = program.segments
    .map((s, i) => ({ i, lo: s.paddr, hi: s.paddr + Math.max(s.memsz, s.data.length) }))
    .filter((s) => s.hi > s.lo)
    .sort((a, b) => a.lo - b.lo);
  for (let k = 1; k < segs.length; k++) {
    const a = segs[k - 1];
    const b = segs[k];
    if (b.lo < a.hi) return `loadable segments ${a.i} and ${b.i} overlap at 0x${b.lo.toString(16)}..0x${Math.min(a.hi, b.hi).toString(16)}`;
  }
  return null;
}

export type ProgramOutcome = { ok: true; program: LoadableProgram; image: ElfImage; warnings: string[] } | { ok: false; error: string };

/**
 * loadElfBytes with what a user running a file needs to hear: a relocatable object (ET_REL) is refused
 * (it has no load addresses yet: link it); a position-independent file (ET_DYN) loads at its link
 * addresses with a warning, as nothing relocates it; overlapping PT_LOAD segments are refused.
 */
export function loadProgramBytes(bytes: Uint8Array): ProgramOutcome {
  const loaded: LoadOutcome = loadElfBytes(bytes);
  if (!loaded.ok) return loaded;
  const type = bytes[16] | (bytes[17] << 8);
  if (type === 1) return { ok: false, error: 'a relocatable object file (ET_REL), not an executable: link it first' };
  const warnings: string[] = [];
  if (type === 3) warnings.push('position-independent file (ET_DYN): loaded at its link addresses, no relocations applied');
  const overlap = overlapError(loaded.program);
  if (overlap) return { ok: false, error: overlap };
  return { ...loaded, warnings };
}

/** Inputs larger than this are refused (no RV64 program rvx can load is near it; /dev/zero is endless). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Open an input file for reading: its descriptor (`own`: opened here, so the caller closes it) and
 * whether it is a regular file, or a one-line reason (missing, a directory, a device, too large). `-` is
 * standard input. Only regular files, pipes and standard input are accepted, and regular files of at most
 * `maxBytes`, so `/dev/zero` or a terminal is refused instead of read forever.
 */
export function openInputFile(path: string, maxBytes = MAX_INPUT_BYTES): ({ ok: true } & OpenedInput) | { ok: false; error: string } {
  let fd: number;
  let own = false;
  if (path === '-') fd = 0;
  else {
    try {
      fd = openSync(path, 'r');
      own = true;
    } catch (e) {
      return { ok: false, error: readError(e) };
    }
  }
  const refuse = (error: string) => {
    if (own) closeSync(fd);
    return { ok: false as const, error };
  };
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return refuse('is a directory');
    if (!st.isFile() && !st.isFIFO() && !st.isSocket()) {
      return refuse(`not a regular file (${st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : 'a special file'})`);
    }
    if (st.isFile() && st.size > maxBytes) return refuse(`too large (${st.size} bytes; the limit is ${maxBytes})`);
    return { ok: true, fd, own, regular: st.isFile(), size: st.size };
  } catch (e) {
    return refuse(readError(e));
  }
}

/** A failed open or read as the one-line reason the commands print. */
export function readError(e: unknown): string {
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'no such file (a path component is not a directory)',
  };
  const err = e as NodeJS.ErrnoException;
  return (err.code && why[err.code]) ?? `cannot read (${err.code ?? err.message})`;
}

/** An input file opened by openInputFile. */
export type OpenedInput = { fd: number; own: boolean; regular: boolean; size: number };

/**
 * Read an input file: its bytes, or a one-line reason (openInputFile's). At most `maxBytes` are read, so an
 * endless pipe is refused too.
 */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const opened = openInputFile(path, maxBytes);
  if (!opened.ok) return opened;
  try {
    return readOpenedInput(opened, maxBytes);
  } finally {
    if (opened.own) closeSync(opened.fd);
  }
}

/** The rest of an opened input's bytes (readInputFile without the open and the close). */
export function readOpenedInput(opened: OpenedInput, maxBytes = MAX_INPUT_BYTES): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const fd = opened.fd;
  try {
    // A regular file is read into one buffer of its size (a few MB of assembly source in one allocation, no
    // copy); what a growing file, a pipe or standard input adds comes in chunks after it.
    const chunks: Uint8Array[] = [];
    let total = 0;
    let first = opened.regular && opened.size > 0 ? new Uint8Array(opened.size) : null;
    for (;;) {
      const chunk = first ?? new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total));
      let n = 0;
      try {
        // Fill the chunk (a regular file may return less than asked).
        while (n < chunk.length) {
          const k = readSync(fd, chunk, n, chunk.length - n, null);
          if (k === 0) break;
          n += k;
          if (first === null) break;
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          if (n > 0) {
            chunks.push(chunk.subarray(0, n));
            total += n;
            first = null;
          }
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        if ((e as NodeJS.ErrnoException).code !== 'EOF') throw e;
      }
      first = null;
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, error: `too large (more than ${maxBytes} bytes)` };
    }
    if (chunks.length === 1 && chunks[0].byteOffset === 0 && chunks[0].length === chunks[0].buffer.byteLength) return { ok: true, bytes: chunks[0] };
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return { ok: true, bytes };
  } catch (e) {
    return { ok: false, error: readError(e) };
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
