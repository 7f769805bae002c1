// `rvx kernel`: build and boot the microkernel (kernel-images/) with one of its system descriptions,
// write its ELF, or write out the generated assembly (docs/kernel.md).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rvxAssemble, KernelBuildError } from '../../kernel-images/assemble.js';
import { bootImage } from '../../kernel-images/boot.js';
import { buildImage } from '../../kernel-images/image.js';
import { SystemError } from '../../kernel-images/system.js';
import { SYSTEMS, systemByName } from '../../kernel-images/systems/index.js';
import { tmpdir } from 'node:os';
import { Machine } from '../../emulator/machine.js';
import { createXpcHook } from '../../emulator/xpc/hook.js';
import { readElf } from '../elf/read.js';
import { toLoadable } from '../load.js';
import { gdbFlagsError, gdbOptionsHelp, runUnderGdb, takeGdbOption, type GdbFlags } from '../gdb/index.js';

const USAGE = `usage: rvx kernel [SYSTEM] [options]

Builds the rvx microkernel for a system description (default: hello) with rvx's own assembler and
boots it on the rvx machine with the XPC engine. Console output goes to stdout.

options:
  --list             list the system descriptions
  --emit-asm DIR     write the generated kernel and user-program assembly to DIR (no boot)
  -o FILE            write the kernel ELF (boot modules inside) to FILE (no boot); run it with rvx run
  --console uart|htif  console device (default uart)
  --no-xpc           build without XPC support (the ELF then runs on machines without the engine)
  --max-insns N      instruction budget for the boot (default 200000000)
  --stats            print instructions retired to stderr
${gdbOptionsHelp(21)}  (with --gdb the kernel ELF is written to a temporary file for gdb's symbols; its path is printed)

exit status: 0 when the kernel halted normally, 1 when it panicked or the budget ran out, 2 bad usage,
137 gdb killed it (--gdb).
`;

export async function main(args: string[]): Promise<number> {
  let name = 'hello';
  let emitDir: string | undefined;
  let outFile: string | undefined;
  let consoleDev: 'uart' | 'htif' = 'uart';
  let maxInsns = 200_000_000;
  let stats = false;
  let xpc = true;
  const gdb: GdbFlags = { wait: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const g = takeGdbOption(args, i, gdb);
    if (typeof g === 'string') {
      process.stderr.write(`rvx kernel: ${g}\n`);
      return 2;
    }
    if (g > 0) {
      i += g - 1;
      continue;
    }
    const need = (): string | undefined => {
      const v = args[++i];
      if (v === undefined) process.stderr.write(`rvx kernel: ${a} needs a value\n`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a === '--list') {
      for (const s of SYSTEMS) process.stdout.write(`${s.name.padEnd(24)} ${s.description}\n`);
      return 0;
    } else if (a === '--emit-asm') {
      if ((emitDir = need()) === undefined) return 2;
    } else if (a === '-o') {
      if ((outFile = need()) === undefined) return 2;
    } else if (a === '--console') {
      const v = need();
      if (v !== 'uart' && v !== 'htif') {
        process.stderr.write(`rvx kernel: --console must be uart or htif\n`);
        return 2;
      }
      consoleDev = v;
    } else if (a === '--max-insns') {
      const v = Number(need());
      if (!Number.isSafeInteger(v) || v <= 0) {
        process.stderr.write(`rvx kernel: --max-insns needs a positive integer\n`);
        return 2;
      }
      maxInsns = v;
    } else if (a === '--no-xpc') {
      xpc = false;
    } else if (a === '--stats') {
      stats = true;
    } else if (a.startsWith('-')) {
      process.stderr.write(`rvx kernel: unknown option '${a}'\n${USAGE}`);
      return 2;
    } else {
      name = a;
    }
  }
  const gdbError = gdbFlagsError(gdb);
  if (gdbError) {
    process.stderr.write(`rvx kernel: ${gdbError}\n`);
    return 2;
  }
  const sys = systemByName(name);
  if (!sys) {
    process.stderr.write(`rvx kernel: no system '${name}' (rvx kernel --list shows them)\n`);
    return 2;
  }
  let image;
  try {
    image = await buildImage(sys, rvxAssemble, { console: consoleDev, xpc });
  } catch (e) {
    if (e instanceof KernelBuildError || e instanceof SystemError) {
      process.stderr.write(`rvx kernel: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (emitDir !== undefined || outFile !== undefined) {
    if (emitDir !== undefined) {
      mkdirSync(emitDir, { recursive: true });
      for (const s of image.sources) writeFileSync(join(emitDir, s.name), s.text);
      process.stdout.write(`wrote ${image.sources.length} files to ${emitDir}\n`);
    }
    if (outFile !== undefined) writeFileSync(outFile, image.elf);
    return 0;
  }
  if (gdb.port !== undefined) return debugKernel(image.elf, sys.name, gdb, { maxInsns, xpc, stats });
  const r = bootImage(image, { maxInsns, xpc, echo: (b) => process.stdout.write(b) });
  if (stats) process.stderr.write(`rvx kernel: ${r.machine.stats.instret} instructions retired\n`);
  if (r.result.reason === 'exit') return r.result.code === 0 ? 0 : 1;
  process.stderr.write(`rvx kernel: ${r.result.reason === 'limit' ? `instruction budget (${maxInsns}) exhausted` : r.result.message}\n`);
  return 1;
}

/** `rvx kernel --gdb PORT`: the machine bootImage builds, served to gdb (docs/debugging.md). */
async function debugKernel(elf: Uint8Array, name: string, gdb: GdbFlags, o: { maxInsns: number; xpc: boolean; stats: boolean }): Promise<number> {
  const elfPath = join(tmpdir(), `rvx-kernel-${name}-${process.pid}.elf`);
  writeFileSync(elfPath, elf);
  // As bootImage (kernel-images/boot.ts): 64 MiB, the XPC engine when built with it, the ideal core.
  const machine = new Machine({ ramMiB: 64, stdout: (b) => process.stdout.write(b) });
  if (o.xpc) machine.attachXpc(createXpcHook(machine.hart));
  machine.load(toLoadable(readElf(elf)));
  let r: Awaited<ReturnType<typeof runUnderGdb>>;
  try {
    r = await runUnderGdb('kernel', { port: gdb.port!, wait: gdb.wait, machine, observer: null, coreName: 'ideal', maxInsns: o.maxInsns, elfPath });
  } finally {
    rmSync(elfPath, { force: true });
  }
  if (o.stats) process.stderr.write(`rvx kernel: ${machine.stats.instret} instructions retired\n`);
  if ('exitCode' in r) return r.exitCode;
  if (r.reason === 'exit') return r.code === 0 ? 0 : 1;
  if (r.reason === 'finished') return 0;
  process.stderr.write(`rvx kernel: ${r.reason === 'limit' ? `instruction budget (${o.maxInsns}) exhausted` : r.message}\n`);
  return 1;
}
