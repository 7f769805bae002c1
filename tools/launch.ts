// The `rvx` launcher (built into dist/rvx.cjs, the package's bin; dist/rvx.mjs loads it too). It runs the
// command's CLI bundle (dist/cli/<command>.cjs: tools/cli.ts with that one command, a CommonJS module the
// build writes inside Node's wrapper function, so this launcher is what runs it, not `require`)
// through a V8 code cache, so a short command does not spend its first tens of milliseconds parsing and
// compiling JavaScript: issue #12's "rvx run of a tiny program in ≤ 150 ms".
//
// The cache (dist/cache/<command>-<node version>-<arch>.v8) is V8's serialized bytecode of the functions a
// command ran (`vm.Script#createCachedData` after the run, so the lazily compiled functions are in it). It is
// written by `npm run build` (tools/build.mjs runs a small asm and run) and again by any run that finds it
// missing, stale or rejected — atomically (a temporary file renamed into place), and only where dist/ is
// writable: a read-only install simply runs without a new cache. Validation: the file starts with the build
// id of the bundles it was made from (a hash of dist/cli/ that the build writes into this launcher) and
// V8 itself refuses data from another V8 version, other V8 flags or another source (`cachedDataRejected`);
// a refused or unreadable cache is ignored silently. RVX_CODE_CACHE=0 turns the cache off (no read, no write).
// For `rvx asm` it also sets a few V8 compiler heuristics first (V8_FLAGS below).

import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { EXIT } from './commands/exit.js';

/** The build id of dist/cli/ (tools/build.mjs defines it; undefined when this file runs unbundled). */
declare const RVX_BUILD_ID: string | undefined;

/** Commands with a bundle and a cache of their own (tools/build.mjs lists the same; tools/cli.ts has them all). */
export const BUNDLED_COMMANDS: readonly string[] = ['asm', 'ld', 'disasm', 'run', 'trace', 'profile', 'kernel', 'bench', 'demo'];

/**
 * V8 compiler options per bundle, set before the bundle is compiled. `rvx asm` is a short process whose
 * hot code is optimised while it runs: on a 200,000-line file about a third of its instructions are
 * TurboFan compiling the assembler (measured with cachegrind, node --single-threaded), more than the
 * optimised code itself runs. Less inlining and no loop peeling or escape analysis make those compiles
 * smaller for slightly slower code: 7% fewer instructions for the command on 200,000 lines, 11% on 50,000
 * (docs/assembler.md "Speed"). No allocation-site pretenuring: the assembler's records (fixups, branch
 * records, symbols, locations) live as long as the unit, so V8 switches their allocation sites to the old
 * generation partway through a large file, and each switch deoptimises every function that allocates them
 * (2–2.5% fewer instructions without it, on the benchmark's file and on gcc output). Functions of up to 80
 * bytes of bytecode are still always inlined (V8's default is 27): the reader's helpers (`skipWs`,
 * `atStatementEnd`, `isSpace`, `matchParenBack`, `newSym`) are 40–80 bytes and called once or more per
 * statement, and the cumulative limit above left them as calls (1.5–2% fewer instructions). The young
 * generation keeps its first size (`--semi-space-growth-factor=1`, which V8 reads whenever it would grow it,
 * so it applies after start-up): left to grow, it reaches 16 MB semi-spaces on a large file, and every page
 * of that is memory the process touches for the first time, which is what costs (on the 2-core development
 * VM a first touch of a page takes about 12 µs: 64 MB cost 0.2 s). On the benchmark's 200,000-line file it
 * takes the command from about 20,600 page faults to 14,300 and its wall time down by about 14%, for more
 * but smaller scavenges (docs/assembler.md "Speed"). Only heuristics: the output is the same.
 */
export const V8_FLAGS: Readonly<Record<string, readonly string[]>> = {
  asm: ['--semi-space-growth-factor=1', '--max-inlined-bytecode-size-cumulative=100', '--no-turbo-loop-peeling', '--no-turbo-escape', '--no-allocation-site-pretenuring', '--max-inlined-bytecode-size-small=80'],
};

/** Which bundle (and cache) a command line runs: its command's ('help CMD' too), or 'cli' for the rest. */
export function bundleFor(argv: readonly string[]): string {
  const cmd = argv[0] === 'help' ? argv[1] : argv[0];
  return cmd !== undefined && BUNDLED_COMMANDS.includes(cmd) ? cmd : 'cli';
}

/**
 * The cache file's header: the bundle's build id, so a cache never outlives the bundle it was made from.
 * Padded with spaces to a multiple of 8 bytes, so the V8 data after it starts pointer-aligned in the buffer
 * the file is read into: V8 copies cache data that is not aligned before deserializing it (another half
 * megabyte for asm's cache, about 130 page faults).
 */
export function cacheHeader(buildId: string): Buffer {
  const text = `rvx-code-cache ${buildId}`;
  return Buffer.from(`${text.padEnd(Math.ceil((text.length + 1) / 8) * 8 - 1)}\n`, 'latin1');
}

/**
 * Run the command line's bundle from dist/cli/ through its code cache in dist/cache/. Never throws because
 * of the cache: any problem with it means running without one.
 */
export function launch(dist: string, buildId: string, argv: readonly string[]): void {
  const name = bundleFor(argv);
  const bundle = join(dist, 'cli', `${name}.cjs`);
  const cacheDir = join(dist, 'cache');
  const useCache = process.env.RVX_CODE_CACHE !== '0';
  const cacheFile = join(cacheDir, `${name}-${process.version}-${process.arch}${flagsTag()}.v8`);
  const header = cacheHeader(buildId);
  // Both files go through one buffer, the bundle first (its text is copied into a string at once) and then
  // the cache over it: every page a process touches for the first time costs, and for asm each file is
  // about half a megabyte, so a buffer of its own for each would be about a hundred more page faults.
  let cacheSize = 0;
  if (useCache) {
    try {
      cacheSize = statSync(cacheFile).size;
    } catch {
      // no cache yet (or unreadable): run without
    }
  }
  // The bundle is ASCII (esbuild escapes everything else), so latin1 reads it exactly and cheaply. The build
  // wrote it inside Node's CommonJS wrapper (a function of exports, require, module, __filename and
  // __dirname), so the text is compiled as read, without a concatenated copy.
  let source: string;
  let buffer: Buffer;
  try {
    buffer = Buffer.allocUnsafeSlow(Math.max(statSync(bundle).size, cacheSize));
    source = readWhole(bundle, buffer).toString('latin1');
  } catch (e) {
    process.stderr.write(`rvx: cannot read ${bundle} (${(e as NodeJS.ErrnoException).code ?? String(e)}): the build is incomplete; run 'npm run build'\n`);
    process.exitCode = EXIT.INTERNAL;
    return;
  }
  let cached: Buffer | undefined;
  if (cacheSize > 0) {
    try {
      const bytes = readWhole(cacheFile, buffer);
      if (bytes.length > header.length && bytes.subarray(0, header.length).equals(header)) cached = bytes.subarray(header.length);
    } catch {
      // gone since (or unreadable): run without
    }
  }
  // Before the Script: V8 checks a code cache against the flags in force, and these are the same each run.
  const flags = V8_FLAGS[name];
  if (flags) {
    // In one call: V8 works out every flag's implications again after each call (about 0.2 M instructions).
    v8FlagSetter(bundle)(flags.join(' '));
  }
  const script = new Script(source, { filename: bundle, cachedData: cached });
  if (useCache && (cached === undefined || script.cachedDataRejected === true) && writable(cacheDir)) {
    // After the run, so the functions it compiled are in the cache; 'exit' also follows process.exit().
    process.once('exit', () => writeCache(script, cacheDir, cacheFile, header));
  }
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, join(bundle, '..'));
}

/**
 * V8's setFlagsFromString. node:v8 exports it, but loading node:v8 loads Node's stream modules with it (its
 * heap-snapshot streams): 3–5 ms and about 120 page faults, the largest part of `rvx asm`'s own start-up
 * before the bundle. The same function of Node's internal v8 binding comes without them, through
 * process.binding('v8'): deprecated (DEP0111, a runtime warning, silenced here for that one call since the
 * caller is this launcher, not the user's code) but still provided by the Node versions rvx supports. Where
 * it is gone or refused (a permission model), node:v8 as before.
 */
function v8FlagSetter(bundle: string): (flags: string) => void {
  const proc = process as unknown as { binding?: (name: string) => { setFlagsFromString?: (flags: string) => void }; noDeprecation?: boolean };
  if (typeof proc.binding === 'function') {
    const had = Object.prototype.hasOwnProperty.call(proc, 'noDeprecation');
    const quiet = proc.noDeprecation;
    proc.noDeprecation = true;
    try {
      const binding = proc.binding('v8');
      const set = binding.setFlagsFromString;
      if (typeof set === 'function') return (flags) => set.call(binding, flags);
    } catch {
      // not provided: node:v8 below
    } finally {
      if (had) proc.noDeprecation = quiet;
      else delete proc.noDeprecation;
    }
  }
  return (createRequire(bundle)('node:v8') as typeof import('node:v8')).setFlagsFromString;
}

/**
 * '' for a plain `node`; else a tag of Node's own options (command line and NODE_OPTIONS). V8 refuses a
 * cache made under other flags, so runs with and without, say, --cpu-prof each keep their own instead of
 * overwriting each other's.
 */
export function flagsTag(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string {
  if (execArgv.length === 0 && nodeOptions === '') return '';
  const text = `${execArgv.join('\0')}\0${nodeOptions}`;
  let h = 0x811c9dc5; // FNV-1a, 32 bits: a name, not a check (the header and V8 do the checking)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `-f${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** A file's bytes, read into `buffer` (or a new buffer if the file has grown beyond it). */
function readWhole(path: string, buffer: Buffer): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const into = buffer.length >= size ? buffer : Buffer.allocUnsafeSlow(size);
    let n = 0;
    while (n < size) {
      const got = readSync(fd, into, n, size - n, n);
      if (got === 0) break;
      n += got;
    }
    return into.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Whether a cache can be written in dir (or in the folder that would hold it): no work for a read-only install. */
function writable(dir: string): boolean {
  for (const d of [dir, join(dir, '..')]) {
    try {
      accessSync(d, constants.W_OK);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return false;
}

function writeCache(script: Script, dir: string, file: string, header: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, Buffer.concat([header, data]));
    renameSync(tmp, file); // atomic: a concurrent run reads the old file or the new one, never half of one
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

// Bundled as dist/rvx.cjs, next to dist/cli/ and dist/cache/.
if (typeof RVX_BUILD_ID === 'string') launch(__dirname, RVX_BUILD_ID, process.argv.slice(2));
