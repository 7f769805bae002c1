// `rvx run prog.elf`: run a bare-metal RV64 program on the machine until it exits through HTIF, the way
// Spike runs riscv-tests. Console output (HTIF console, UART) goes to stdout; diagnostics to stderr.

import { Machine, MachineError } from '../../emulator/machine.js';
import { CoreParamsError, coreFromOption, type CoreModel } from '../../emulator/timing/index.js';
import { createXpcHook } from '../../emulator/xpc/hook.js';
import type { LoadableProgram, RunResult } from '../../emulator/types.js';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ElfImage } from '../elf/model.js';
import { flatBinary, loadElfBytes, readInputFile, symbolAddress } from '../load.js';

/** Exit statuses other than the program's own code. */
export const EXIT_USAGE = 2;
/** --max-insns reached (as timeout(1) does). */
export const EXIT_LIMIT = 124;
/** The hart took the same trap over and over without progress. */
export const EXIT_TRAP_LOOP = 125;
/** The hart could not go on (no trap vector, WFI that can never wake, ...). */
export const EXIT_FATAL = 123;

const USAGE = `usage: rvx run <prog.elf> [options]

Runs a bare-metal RV64 program: ELF PT_LOAD segments at their physical addresses, entry through the
boot ROM at 0x1000 (M mode), HTIF through the ELF's tohost/fromhost symbols.

options:
  --core MODEL     timing model behind cycle/mcycle: rocket (default), ideal (one cycle per
                   instruction; the interpreter's full speed) or a JSON parameter file
                   (docs/cycle-model.md)
  --no-xpc         a plain RV64IMAC hart: no XPC engine (custom-0 and the XPC CSRs are illegal)
  --max-insns N    stop after N retired instructions (default: no limit)
  --ram MiB        RAM size at 0x80000000 (default 128)
  --isa NAME       rv64gc (default), rv64imac, rv64ima, ...
  --mtime-hz N     CLINT mtime frequency, per 10^9 instructions (default 10000000)
  --bin ADDR       the file is a flat binary: load it at ADDR and start there (no HTIF)
  --input FILE     bytes the console reads (UART receiver, HTIF getchar); '-' reads standard input
                   to its end before the run starts (default: no input)
  --stats          print instructions, wall time, MIPS, traps and TLB counts to stderr
  --signature FILE when the program exits, write memory from begin_signature to end_signature
                   to FILE as hex, one --signature-granularity-byte word per line (Spike's format,
                   as riscv-arch-test expects)
  --signature-granularity N   bytes per signature line: 1, 2, 4 (default) or 8

exit status:
  0        the program passed (wrote 1 to tohost)
  N        the program failed with code N (tohost = N << 1 | 1; riscv-tests: test case N);
           codes above 255 are reported as 255 (stderr has the exact value)
  2        bad usage, unreadable or malformed ELF, program does not fit the machine
  123      the hart could not go on (e.g. no trap vector)
  124      --max-insns reached
  125      the hart is stuck in a trap loop
`;

interface RunOptions {
  file: string;
  maxInsns: number;
  ramMiB?: number;
  isa?: string;
  mtimeHz?: number;
  bin?: number;
  stats: boolean;
  signature?: string;
  granularity: number;
  input?: string;
  core?: string;
  xpc: boolean;
}

function parseCount(s: string | undefined, what: string): number | string {
  if (s === undefined) return `${what} needs a value`;
  const t = s.replace(/_/g, '');
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = Number.parseInt(t, 16);
  else if (/^\d+(\.\d+)?(e\d+)?$/i.test(t)) v = Number(t);
  else return `${what}: '${s}' is not a number`;
  if (!Number.isSafeInteger(v) || v <= 0) return `${what}: '${s}' is not a positive integer`;
  return v;
}

function parseArgs(args: string[]): RunOptions | string | 'help' {
  const o: RunOptions = { file: '', maxInsns: Infinity, stats: false, granularity: 4, xpc: true };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : args[++i]);
    let v: number | string;
    switch (name) {
      case '-h':
      case '--help':
        return 'help';
      case '--stats':
        o.stats = true;
        break;
      case '--no-xpc':
        o.xpc = false;
        break;
      case '--xpc':
        o.xpc = true;
        break;
      case '--core': {
        const s = value();
        if (!s) return '--core needs a value: rocket, ideal or a JSON parameter file';
        o.core = s;
        break;
      }
      case '--max-insns':
        if (typeof (v = parseCount(value(), '--max-insns')) === 'string') return v;
        o.maxInsns = v;
        break;
      case '--ram':
        if (typeof (v = parseCount(value(), '--ram')) === 'string') return v;
        o.ramMiB = v;
        break;
      case '--mtime-hz':
        if (typeof (v = parseCount(value(), '--mtime-hz')) === 'string') return v;
        o.mtimeHz = v;
        break;
      case '--bin': {
        const s = value();
        if (s === undefined || !/^(0x[0-9a-f_]+|\d+)$/i.test(s)) return `--bin needs a load address (got '${s ?? ''}')`;
        o.bin = Number(BigInt(s.replace(/_/g, '')));
        break;
      }
      case '--input': {
        const s = value();
        if (!s) return '--input needs a file name (or - for standard input)';
        o.input = s;
        break;
      }
      case '--signature': {
        const s = value();
        if (!s) return '--signature needs a file name';
        o.signature = s;
        break;
      }
      case '--signature-granularity': {
        const s = value();
        if (!s || !['1', '2', '4', '8'].includes(s)) return `--signature-granularity must be 1, 2, 4 or 8 (got '${s ?? ''}')`;
        o.granularity = Number(s);
        break;
      }
      case '--isa': {
        const s = value();
        if (!s) return '--isa needs a value';
        o.isa = s;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
        files.push(a);
    }
  }
  if (files.length !== 1) return files.length === 0 ? 'no program given' : `one program at a time (got ${files.join(', ')})`;
  o.file = files[0];
  return o;
}

function hex(n: number | bigint): string {
  return '0x' + BigInt.asUintN(64, BigInt(n)).toString(16);
}

const PRIV_NAMES = ['U', 'S', '?', 'M'];

function readStdin(): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  try {
    return { ok: true, bytes: readFileSync(0) };
  } catch (e) {
    return { ok: false, error: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
}

/**
 * Spike's signature dump: each line is one `granularity`-byte little-endian word of memory printed as
 * hex, most significant byte first; a last partial word is padded with zero bytes.
 */
function writeSignature(machine: Machine, begin: number, end: number, granularity: number, file: string): string | null {
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    if (end > begin) bytes = machine.readPhys(begin, end - begin);
  } catch (e) {
    return `--signature: ${e instanceof Error ? e.message : String(e)}`;
  }
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += granularity) {
    let line = '';
    for (let j = granularity - 1; j >= 0; j--) line += (i + j < bytes.length ? bytes[i + j] : 0).toString(16).padStart(2, '0');
    lines.push(line);
  }
  try {
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
  } catch (e) {
    return `--signature: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  return null;
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    process.stderr.write(`rvx run: ${parsed}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const o = parsed;
  const say = (msg: string) => process.stderr.write(`rvx run: ${o.file}: ${msg}\n`);

  const file = readInputFile(o.file);
  if (!file.ok) {
    say(file.error);
    return EXIT_USAGE;
  }
  let program: LoadableProgram;
  let image: ElfImage | null = null;
  if (o.signature !== undefined && o.bin !== undefined) {
    process.stderr.write('rvx run: --signature needs an ELF (begin_signature/end_signature symbols), not --bin\n');
    return EXIT_USAGE;
  }
  if (o.bin !== undefined) {
    if (file.bytes.length === 0) {
      say('empty file');
      return EXIT_USAGE;
    }
    program = flatBinary(file.bytes, o.bin);
  } else {
    const loaded = loadElfBytes(file.bytes);
    if (!loaded.ok) {
      say(loaded.error);
      return EXIT_USAGE;
    }
    program = loaded.program;
    image = loaded.image;
  }
  let signature: { begin: number; end: number } | null = null;
  if (o.signature !== undefined && image) {
    const begin = symbolAddress(image, 'begin_signature');
    const end = symbolAddress(image, 'end_signature');
    if (begin === undefined || end === undefined || end < begin) {
      say('--signature: the program has no begin_signature/end_signature symbols (or end < begin)');
      return EXIT_USAGE;
    }
    signature = { begin, end };
  }

  let input: Uint8Array = new Uint8Array(0);
  if (o.input !== undefined) {
    const got = o.input === '-' ? readStdin() : readInputFile(o.input);
    if (!got.ok) {
      process.stderr.write(`rvx run: ${o.input === '-' ? 'standard input' : o.input}: ${got.error}\n`);
      return EXIT_USAGE;
    }
    input = got.bytes;
  }
  let inputPos = 0;
  const stdin = () => (inputPos < input.length ? input[inputPos++] : -1);

  let machine: Machine;
  let core: CoreModel;
  try {
    machine = new Machine({ ramMiB: o.ramMiB, isa: o.isa, mtimeHz: o.mtimeHz, stdin });
    if (o.xpc) machine.attachXpc(createXpcHook(machine.hart));
    machine.load(program);
    core = coreFromOption(o.core, machine);
  } catch (e) {
    if (e instanceof MachineError || e instanceof CoreParamsError) {
      say(e.message);
      return EXIT_USAGE;
    }
    throw e;
  }

  if (program.tohost === undefined && o.maxInsns === Infinity) {
    // Nothing but HTIF ends a run: say so up front rather than hang silently.
    say("warning: no 'tohost' symbol, so the program cannot end the run through HTIF; stop it with --max-insns N");
  }

  const t0 = process.hrtime.bigint();
  // Without an observer (--core ideal) the machine runs its fast loop: every instruction one cycle.
  const result: RunResult = machine.run(o.maxInsns, core.observer ?? undefined);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  if (o.stats) {
    const s = machine.stats;
    const insns = Number(s.instret);
    const mips = seconds > 0 ? insns / seconds / 1e6 : 0;
    process.stderr.write(
      [
        `instructions  ${s.instret}`,
        `cycles        ${s.cycles} (core ${o.core ?? 'rocket'})`,
        `wall time     ${seconds.toFixed(3)} s`,
        `MIPS          ${mips.toFixed(1)}`,
        `traps         ${s.traps} (interrupts ${s.interrupts})`,
        `TLB           ${s.tlbMisses} misses, ${s.tlbFlushes} flushes, ${s.pageWalks} page walks`,
      ].join('\n') + '\n',
    );
  }

  if (signature && o.signature !== undefined && result.reason === 'exit') {
    const error = writeSignature(machine, signature.begin, signature.end, o.granularity, o.signature);
    if (error) {
      say(error);
      return EXIT_USAGE;
    }
  }

  switch (result.reason) {
    case 'exit':
      if (result.code === 0) return 0;
      say(`*** FAILED *** test case ${result.code} (tohost = ${hex((BigInt(result.code) << 1n) | 1n)})`);
      return Math.min(result.code, 255) || 1;
    case 'limit':
      say(`stopped: --max-insns ${o.maxInsns} reached at pc ${hex(machine.pc)} in ${PRIV_NAMES[machine.priv] ?? machine.priv} mode`);
      return EXIT_LIMIT;
    case 'trap-loop':
      say(`stopped: hart stuck in a trap loop: ${result.message}`);
      return EXIT_TRAP_LOOP;
    case 'fatal':
      say(`stopped: ${result.message}`);
      return EXIT_FATAL;
  }
}
