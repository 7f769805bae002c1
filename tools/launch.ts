// The `rvx` launcher (built into dist/rvx.cjs, the package's bin; dist/rvx.mjs loads it too). It runs the
// CLI bundle (dist/cli.cjs, every command in one CommonJS file whose commands are initialised only when
// they run) through a V8 code cache, so a short command does not spend its first tens of milliseconds
// parsing and compiling JavaScript: issue #12's "rvx run of a tiny program in ≤ 150 ms".
//
// The cache (dist/cache/<command>-<node version>-<arch>.v8) is V8's serialized bytecode of the functions a
// command ran (`vm.Script#createCachedData` after the run, so the lazily compiled functions are in it). It is
// written by `npm run build` (tools/build.mjs runs a small asm and run) and again by any run that finds it
// missing, stale or rejected — atomically (a temporary file renamed into place), and only where dist/ is
// writable: a read-only install simply runs without a new cache. Validation: the file starts with the build
// id of the bundle it was made from (a hash of dist/cli.cjs that the build writes into this launcher) and
// V8 itself refuses data from another V8 version, other V8 flags or another source (`cachedDataRejected`);
// a refused or unreadable cache is ignored silently. RVX_CODE_CACHE=0 turns the cache off (no read, no write).

import { accessSync, constants, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

/** The build id of dist/cli.cjs (tools/build.mjs defines it; 'dev' when this file runs unbundled). */
declare const RVX_BUILD_ID: string | undefined;

/** Commands that get a cache of their own (what one command compiles is of little use to another). */
export const CACHED_COMMANDS: readonly string[] = ['asm', 'ld', 'disasm', 'run', 'trace', 'profile', 'kernel', 'bench', 'demo'];

/** Which cache a command line uses: its command, or 'cli' for help, version and mistakes. */
export function cacheKey(argv: readonly string[]): string {
  const cmd = argv[0];
  return cmd !== undefined && CACHED_COMMANDS.includes(cmd) ? cmd : 'cli';
}

/** The cache file's header: the bundle's build id, so a cache never outlives the bundle it was made from. */
export function cacheHeader(buildId: string): Buffer {
  return Buffer.from(`rvx-code-cache ${buildId}\n`, 'latin1');
}

/** Node's CommonJS wrapper, so the bundle sees the same five names as under `require`. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';

/**
 * Run the CLI bundle `bundle` (a CommonJS file) through the code cache in `cacheDir`. Never throws because
 * of the cache: any problem with it means running without one.
 */
export function launch(bundle: string, cacheDir: string, buildId: string, argv: readonly string[]): void {
  const useCache = process.env.RVX_CODE_CACHE !== '0' && buildId !== 'dev';
  const cacheFile = join(cacheDir, `${cacheKey(argv)}-${process.version}-${process.arch}.v8`);
  const header = cacheHeader(buildId);
  let cached: Buffer | undefined;
  if (useCache) {
    try {
      const bytes = readFileSync(cacheFile);
      if (bytes.length > header.length && bytes.subarray(0, header.length).equals(header)) cached = bytes.subarray(header.length);
    } catch {
      // no cache yet (or unreadable): run without
    }
  }
  // The bundle is ASCII (esbuild escapes everything else), so latin1 reads it exactly and cheaply.
  const source = readFileSync(bundle, 'latin1');
  const script = new Script(WRAP_HEAD + source + WRAP_TAIL, { filename: bundle, cachedData: cached });
  if (useCache && (cached === undefined || script.cachedDataRejected === true) && writable(cacheDir)) {
    // After the run, so the functions it compiled are in the cache; 'exit' also follows process.exit().
    process.once('exit', () => writeCache(script, cacheDir, cacheFile, header));
  }
  const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, join(bundle, '..'));
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

// Bundled as dist/rvx.cjs, next to dist/cli.cjs and dist/cache/.
if (typeof RVX_BUILD_ID === 'string') launch(join(__dirname, 'cli.cjs'), join(__dirname, 'cache'), RVX_BUILD_ID, process.argv.slice(2));
