// Boots a kernel image on rvx's own machine (emulator/), with the XPC engine attached, and collects the
// console output. Used by the tests, `rvx kernel` and the IPC benchmarks.

import { Machine } from '../emulator/machine.js';
import { createXpcHook } from '../emulator/xpc/hook.js';
import type { CommitObserver, LoadableProgram, RunResult } from '../emulator/types.js';
import { readElf } from '../tools/elf/read.js';
import type { KernelImage } from './image.js';

/** The loader's view of an ELF: its PT_LOAD segments, entry and HTIF symbols. */
export function loadableFromElf(elf: Uint8Array): LoadableProgram {
  const img = readElf(elf);
  const sym = (n: string) => img.symbols.find((s) => s.name === n);
  const tohost = sym('tohost');
  const fromhost = sym('fromhost');
  return {
    segments: img.segments.map((s) => ({ paddr: Number(s.paddr), data: s.data, memsz: s.memsz })),
    entry: Number(img.entry),
    tohost: tohost ? Number(tohost.value) : undefined,
    fromhost: fromhost ? Number(fromhost.value) : undefined,
  };
}

export interface BootOptions {
  /** Instruction budget (default 50 million). */
  maxInsns?: number;
  /** Attach the XPC engine (default true; the image must have been built with the same setting). */
  xpc?: boolean;
  ramMiB?: number;
  observer?: CommitObserver;
  /** Also pass console bytes here as they come. */
  echo?: (bytes: Uint8Array) => void;
}

export interface BootResult {
  result: RunResult;
  console: string;
  machine: Machine;
}

export function bootImage(image: KernelImage, opts: BootOptions = {}): BootResult {
  const chunks: Uint8Array[] = [];
  const machine = new Machine({
    ramMiB: opts.ramMiB ?? 64,
    stdout: (b) => {
      chunks.push(b.slice());
      opts.echo?.(b);
    },
  });
  if (opts.xpc ?? true) machine.attachXpc(createXpcHook(machine.hart));
  machine.load(loadableFromElf(image.elf));
  const result = machine.run(opts.maxInsns ?? 50_000_000, opts.observer);
  const console = Buffer.concat(chunks).toString('latin1');
  return { result, console, machine };
}
