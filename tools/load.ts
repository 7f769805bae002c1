// Loader glue between the ELF reader and the machine: an ElfImage becomes a LoadableProgram (PT_LOAD
// segments placed at their physical addresses, the entry point, and the HTIF words found by the
// `tohost`/`fromhost` SYMBOLS, as Spike and QEMU's spike machine do), and a file on disk becomes either a
// program or a one-line reason it cannot be run.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LoadableProgram } from '../emulator/types.js';
import type { ElfImage, ElfSymbol } from './elf/model.js';
import { ElfError, readElf } from './elf/read.js';

/** The program cannot be loaded; the message is one line giving the reason. */
export class LoadError extends Error {
  override name = 'LoadError';
}

const MAX_ADDR = BigInt(Number.MAX_SAFE_INTEGER);

function addr(v: bigint, what: string): number {
  if (v < 0n || v > MAX_ADDR) throw new LoadError(`${what} 0x${v.toString(16)} is outside the physical address range`);
  return Number(v);
}

/**
 * The symbol a bare-metal harness means by `name`: a defined global (or weak) one first, else a local
 * one, never an undefined or absolute-zero placeholder.
 */
function findSymbol(image: ElfImage, name: string): ElfSymbol | undefined {
  let local: ElfSymbol | undefined;
  for (const s of image.symbols) {
    if (s.name !== name || s.section === null) continue;
    if (s.bind !== 'local') return s;
    local ??= s;
  }
  return local;
}

/** Physical address of virtual address `va` through the PT_LOAD segment that holds it (else `va` itself). */
function physicalOf(image: ElfImage, va: bigint): bigint {
  for (const seg of image.segments) {
    if (va >= seg.vaddr && va < seg.vaddr + BigInt(seg.memsz)) return seg.paddr + (va - seg.vaddr);
  }
  return va;
}

/** Physical address of a defined symbol (through the segment holding it), or undefined. */
export function symbolAddress(image: ElfImage, name: string): number | undefined {
  const sym = findSymbol(image, name);
  if (!sym) return undefined;
  const pa = physicalOf(image, sym.value);
  return pa >= 0n && pa <= MAX_ADDR ? Number(pa) : undefined;
}

/** Turn an ELF image into what Machine.load takes. Throws LoadError with a one-line reason. */
export function toLoadable(image: ElfImage): LoadableProgram {
  const segments: LoadableProgram['segments'] = [];
  image.segments.forEach((seg, i) => {
    if (seg.memsz === 0 && seg.data.length === 0) return;
    const paddr = addr(seg.paddr, `segment ${i} physical address`);
    if (paddr + Math.max(seg.memsz, seg.data.length) > Number.MAX_SAFE_INTEGER) {
      throw new LoadError(`segment ${i} at 0x${paddr.toString(16)} is too large (${seg.memsz} bytes)`);
    }
    segments.push({ paddr, data: seg.data, memsz: seg.memsz });
  });
  if (segments.length === 0) throw new LoadError('no loadable (PT_LOAD) segments: not an executable');
  const program: LoadableProgram = { segments, entry: addr(physicalOf(image, image.entry), 'entry point') };
  for (const name of ['tohost', 'fromhost'] as const) {
    const sym = findSymbol(image, name);
    if (!sym) continue;
    const pa = addr(physicalOf(image, sym.value), `symbol '${name}'`);
    // The HTIF words are 64-bit registers the host polls; the machine watches an aligned doubleword.
    if (pa % 8 !== 0) throw new LoadError(`symbol '${name}' at 0x${pa.toString(16)} is not 8-byte aligned (HTIF needs an aligned doubleword)`);
    program[name] = pa;
  }
  return program;
}

export type LoadOutcome = { ok: true; program: LoadableProgram; image: ElfImage; warnings: string[] } | { ok: false; error: string };

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

/**
 * Parse ELF bytes into a program, or a one-line reason. Never throws for bad input. A relocatable
 * object (ET_REL) is refused (it has no load addresses yet: link it); a position-independent file
 * (ET_DYN) loads at its link addresses with a warning, as nothing relocates it.
 */
export function loadElfBytes(bytes: Uint8Array): LoadOutcome {
  try {
    const image = readElf(bytes);
    const type = bytes[16] | (bytes[17] << 8);
    if (type === 1) return { ok: false, error: 'a relocatable object file (ET_REL), not an executable: link it first (rvx asm -o links)' };
    const warnings: string[] = [];
    if (type === 3) warnings.push('position-independent file (ET_DYN): loaded at its link addresses, no relocations applied');
    const program = toLoadable(image);
    const overlap = overlapError(program);
    if (overlap) return { ok: false, error: overlap };
    return { ok: true, program, image, warnings };
  } catch (e) {
    if (e instanceof ElfError || e instanceof LoadError) return { ok: false, error: e.message };
    // The reader promises ElfError for every malformed input; anything else is a bug in it, reported
    // as a refusal rather than a stack trace (tests/run-fuzz.test.ts looks for these).
    return { ok: false, error: `malformed ELF (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Inputs larger than this are refused (no RV64 program rvx can load is near it; /dev/zero is endless). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Read an input file: its bytes, or a one-line reason (missing, a directory, a device, too large).
 * `-` is standard input. Only regular files, pipes and standard input are read, and at most `maxBytes`
 * of them, so `/dev/zero`, a terminal or an endless pipe is refused instead of read forever.
 */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'no such file (a path component is not a directory)',
  };
  const fail = (e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    return { ok: false as const, error: (err.code && why[err.code]) ?? `cannot read (${err.code ?? err.message})` };
  };
  let fd: number;
  let own = false;
  if (path === '-') fd = 0;
  else {
    try {
      fd = openSync(path, 'r');
      own = true;
    } catch (e) {
      return fail(e);
    }
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, error: 'is a directory' };
    if (!st.isFile() && !st.isFIFO() && !st.isSocket()) {
      return { ok: false, error: `not a regular file (${st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : 'a special file'})` };
    }
    if (st.isFile() && st.size > maxBytes) return { ok: false, error: `too large (${st.size} bytes; the limit is ${maxBytes})` };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, error: `too large (more than ${maxBytes} bytes)` };
    }
    return { ok: true, bytes: new Uint8Array(Buffer.concat(chunks, total)) };
  } catch (e) {
    return fail(e);
  } finally {
    if (own) closeSync(fd);
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
