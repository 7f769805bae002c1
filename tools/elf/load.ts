// ELF image to machine program: an ElfImage becomes a LoadableProgram (PT_LOAD segments placed at their
// physical addresses, the entry point, and the HTIF words found by the `tohost`/`fromhost` SYMBOLS, as
// Spike and QEMU's spike machine do). Here, next to the reader, so kernel-images/ and tools/ share one
// loader; reading files from disk stays in tools/load.ts.

import type { LoadableProgram } from '../../emulator/types.js';
import type { ElfImage, ElfSymbol } from './model.js';
import { ElfError, readElf } from './read.js';

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

export type LoadOutcome = { ok: true; program: LoadableProgram; image: ElfImage } | { ok: false; error: string };

/** Parse ELF bytes into a program, or a one-line reason. Never throws for bad input. */
export function loadElfBytes(bytes: Uint8Array): LoadOutcome {
  try {
    const image = readElf(bytes);
    return { ok: true, program: toLoadable(image), image };
  } catch (e) {
    if (e instanceof ElfError || e instanceof LoadError) return { ok: false, error: e.message };
    // The reader promises ElfError for every malformed input; anything else is a bug in it, reported
    // as a refusal rather than a stack trace (tests/run-fuzz.test.ts looks for these).
    return { ok: false, error: `malformed ELF (${e instanceof Error ? e.message : String(e)})` };
  }
}
