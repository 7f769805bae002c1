// `rvx kernel`: build and boot the microkernel (kernel-images/) with one of its system descriptions,
// write its ELF, or write out the generated assembly (docs/kernel.md). The boot is an `rvx run` of the
// image: same machine options, limits, console handling and exit statuses (docs/cli.md).

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rvxAssemble, KernelBuildError } from '../../kernel-images/assemble.js';
import { buildImage } from '../../kernel-images/image.js';
import { SystemError } from '../../kernel-images/system.js';
import { MECH_SYSTEMS, mechSystemByName, SYSTEMS, systemByName } from '../../kernel-images/systems/index.js';
import { EXIT, EXIT_TABLE } from './exit.js';
import { commandLine, choiceValue, UsageError, type CommandSpec } from './flags.js';
import { checkOutputDir, checkOutputFile, IoError, OutputSink, writeOutput, writeStdout } from './io.js';
import { GDB_FLAGS, MACHINE_FLAGS, plural, failureStatus, finishRun, gdbOptions, machineOptions, openProgram, runProgram, statsText } from './program.js';

/** The default instruction budget of a boot: every system halts well within it. */
const DEFAULT_MAX_INSNS = 200_000_000;

export const KERNEL: CommandSpec = {
  name: 'kernel',
  synopsis: '[SYSTEM] [options]',
  about: `Builds the rvx microkernel for a system description (default: hello) with rvx's own assembler and
boots it on the rvx machine (64 MiB of RAM, the XPC engine, core model ideal unless --core says
otherwise). Console output goes to stdout. The exit status is the kernel's (0 when it halts normally;
each process's exit code is on the console), or rvx's own from the table below.`,
  flags: [
    { long: 'list', help: 'list the system descriptions' },
    { long: 'emit-asm', arg: 'DIR', help: 'write the generated kernel and user-program assembly to DIR (no boot)' },
    { long: 'output', short: 'o', arg: 'FILE', help: "write the kernel ELF (boot modules inside) to FILE, '-' for stdout (no\nboot); run it with rvx run" },
    { long: 'console', arg: 'uart|htif', help: 'console device (default uart)' },
    // --ext: the XPC systems are built for XPC or none; a mechanism system brings its own extension
    ...MACHINE_FLAGS.filter((f) => f.long !== 'bin' && f.long !== 'max-insns' && f.long !== 'ext'),
    { long: 'max-insns', arg: 'N', help: `instruction budget for the boot (default ${DEFAULT_MAX_INSNS}; exit status 124)` },
    ...GDB_FLAGS.map((f) => (f.long === 'gdb' ? { ...f, help: `${f.help}\n(the kernel ELF is written to a temporary file for gdb's symbols; its path is printed)` } : f)),
  ],
  operands: { min: 0, max: 1, what: 'system name' },
  footer: EXIT_TABLE,
};

/** `name   description` lines, the names in one column as wide as the longest, within 100 columns. */
function listing(): string {
  const all = [...SYSTEMS, ...MECH_SYSTEMS.map((m) => ({ ...m.system, description: `[--ext ${m.ext.join(',')}] ${m.system.description}` }))];
  const width = Math.max(...all.map((s) => s.name.length)) + 2;
  const lines: string[] = [];
  for (const s of all) {
    let line = s.name.padEnd(width);
    let used = false;
    for (const word of s.description.split(' ')) {
      if (used && line.length + 1 + word.length > 100) {
        lines.push(line);
        line = ' '.repeat(width) + word;
      } else line += (used ? ' ' : '') + word;
      used = true;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

export async function main(args: string[]): Promise<number> {
  const a = commandLine(KERNEL, args);
  if (typeof a === 'number') return a;
  const out = new OutputSink(1, true);
  try {
    if (a.has('list')) {
      if (a.operands.length > 0) throw new UsageError(`--list takes no system name (got '${a.operands[0]}')`);
      writeStdout(listing());
      return EXIT.OK;
    }
    const o = machineOptions(a);
    const gdb = gdbOptions(a);
    if (!a.has('max-insns')) o.maxInsns = DEFAULT_MAX_INSNS;
    o.ramMiB ??= 64;
    o.core ??= 'ideal';
    if (o.input === '-' && a.get('output') === '-') throw new UsageError("-o - writes the ELF to stdout: there is no boot to read --input");
    const consoleDev = choiceValue('--console', a.get('console') ?? 'uart', ['uart', 'htif']);
    const name = a.operands[0] ?? 'hello';
    const sys = systemByName(name);
    if (!sys) throw new UsageError(`no system '${name}' (rvx kernel --list shows them)`);
    const mech = mechSystemByName(name);
    if (mech) {
      // A mechanism system: its own kernel configuration, and the machine gets its extension.
      if (a.has('no-xpc') || a.has('xpc')) throw new UsageError(`system '${name}' runs on --ext ${mech.ext.join(',')} (set by the system): '--xpc' and '--no-xpc' do not apply`);
      o.ext = [...mech.ext];
      o.xpc = false;
    }
    const usesXpc = (sys.xentries?.length ?? 0) > 0 || sys.programs.some((p) => (p.dynamicEntries?.length ?? 0) > 0);
    if (!o.xpc && usesXpc) throw new UsageError(`system '${name}' uses XPC (x-entries): it cannot be built or booted with --no-xpc`);
    const emitDir = a.get('emit-asm');
    const outFile = a.get('output');
    // Outputs are checked before the build: a bad path never costs a build, nor ends in a stack trace.
    if (emitDir !== undefined) checkOutputDir('--emit-asm', emitDir);
    if (outFile !== undefined) checkOutputFile('-o', outFile);
    let image;
    try {
      image = await buildImage(sys, rvxAssemble, { console: consoleDev, xpc: o.xpc, ...(mech?.kernel ?? {}) });
    } catch (e) {
      if (e instanceof KernelBuildError || e instanceof SystemError) {
        process.stderr.write(`rvx kernel: ${e.message}\n`);
        return EXIT.INTERNAL;
      }
      throw e;
    }
    if (emitDir !== undefined || outFile !== undefined) {
      if (emitDir !== undefined) {
        try {
          mkdirSync(emitDir, { recursive: true });
        } catch (e) {
          throw new IoError(`--emit-asm ${emitDir}: cannot create (${(e as NodeJS.ErrnoException).code ?? String(e)})`, EXIT.OUTPUT);
        }
        for (const s of image.sources) writeOutput('--emit-asm', join(emitDir, s.name), s.text);
        process.stderr.write(`rvx kernel: wrote ${plural(image.sources.length, 'file')} to ${emitDir}\n`);
      }
      if (outFile !== undefined) writeOutput('-o', outFile, image.elf);
      return EXIT.OK;
    }
    // Boot: the image goes through the same loader and run loop as `rvx run`.
    const label = `${name}.elf`;
    const s = openProgramBytes(image.elf, label, o, out);
    // Under gdb the ELF goes to a temporary file for gdb's symbols (removed when the run ends).
    const elfPath = gdb.port !== undefined ? join(tmpdir(), `rvx-kernel-${name}-${process.pid}.elf`) : label;
    if (gdb.port !== undefined) writeOutput('--gdb', elfPath, image.elf);
    const t0 = process.hrtime.bigint();
    let outcome;
    try {
      outcome = await runProgram(s, { maxInsns: o.maxInsns, closed: () => out.closed, afterSlice: () => out.flush(), gdb: { flags: gdb, cmd: 'kernel', elfPath } });
    } finally {
      if (gdb.port !== undefined) rmSync(elfPath, { force: true });
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    out.flush();
    if (o.stats) process.stderr.write(statsText(s, seconds, s.model.name));
    return finishRun('kernel', label, s, outcome, o.maxInsns);
  } catch (e) {
    return failureStatus('kernel', e);
  } finally {
    out.flush();
  }
}

/** openProgram for an image in memory: a loader that reads these bytes instead of a file. */
function openProgramBytes(elf: Uint8Array, label: string, o: ReturnType<typeof machineOptions>, out: OutputSink) {
  return openProgram(label, o, (b) => out.write(b), (m) => process.stderr.write(`rvx kernel: ${m}\n`), elf);
}
