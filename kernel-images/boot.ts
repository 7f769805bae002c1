// Boots a kernel image on rvx's own machine (emulator/), with the XPC engine attached, and collects the
// console output. Used by the tests, `rvx kernel` and the IPC benchmarks.

import { Machine } from '../emulator/machine.js';
import { createXpcHook } from '../emulator/xpc/hook.js';
import type { CommitObserver, RunResult } from '../emulator/types.js';
import { readElf } from '../tools/elf/read.js';
import { toLoadable } from '../tools/elf/load.js';
import type { KernelImage } from './image.js';

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
  machine.load(toLoadable(readElf(image.elf)));
  const result = machine.run(opts.maxInsns ?? 50_000_000, opts.observer);
  const console = Buffer.concat(chunks).toString('latin1');
  return { result, console, machine };
}
