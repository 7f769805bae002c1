// Reading large assembly sources ahead, on libuv's thread pool, while the launcher loads the command's
// bundle. `rvx asm` reads its inputs whole before any work; reading a few MB costs 10–15 ms on the main
// thread, most of it the kernel mapping fresh pages for the buffer (docs/assembler.md "Speed"). Read on
// the pool while the main thread deserialises the bundle (about 30 ms), the same read costs the main thread
// nothing. Only a hint: tools/load.ts takes the bytes read ahead only for the same file, unchanged since
// (device, inode, size, modification and change times), and reads it itself otherwise; any failure here
// just means no read ahead.
//
// The launcher (dist/rvx.cjs) and the command's bundle (dist/cli/asm.cjs) each carry a copy of this module,
// so the reads live in one registry on the global object.

import { closeSync, fstatSync, openSync, read, type Stats } from 'node:fs';

/** Files smaller than this are read where they are used: the thread pool's round trip is not worth it. */
export const PREFETCH_MIN_BYTES = 1 << 20;

interface Prefetch {
  /** The file's identity and state when the read began. */
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  bytes: Uint8Array;
  /** Set once the whole file was read. */
  complete: boolean;
}

interface Registry {
  files: Map<string, Prefetch>;
  /** Settles when every read has finished (or failed). */
  done: Promise<void>;
}

const KEY = Symbol.for('rvx.prefetch');

function registry(): Registry | undefined {
  return (globalThis as { [KEY]?: Registry })[KEY];
}

/** An assembly source by its name, as GNU as's drivers know them (a `.s` or `.S` file). */
function looksLikeSource(arg: string): boolean {
  return !arg.startsWith('-') && (arg.endsWith('.s') || arg.endsWith('.S'));
}

/**
 * Start reading the command line's large assembly sources (`.s`/`.S` operands of at least
 * PREFETCH_MIN_BYTES that are regular files). Outputs are not sources by name, so `-o x.elf` is never read.
 */
export function prefetchInputs(args: readonly string[]): void {
  const files = new Map<string, Prefetch>();
  const reads: Promise<void>[] = [];
  for (const path of args) {
    if (!looksLikeSource(path) || files.has(path)) continue;
    let fd = -1;
    try {
      fd = openSync(path, 'r');
      const st = fstatSync(fd);
      if (!st.isFile() || st.size < PREFETCH_MIN_BYTES || st.size > 0x7ffff000) {
        closeSync(fd);
        continue;
      }
      const p: Prefetch = { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, bytes: new Uint8Array(st.size), complete: false };
      files.set(path, p);
      const file = fd;
      // One read of the whole file: Linux returns a regular file's bytes in full up to 0x7ffff000 (read(2)),
      // and a short read simply leaves the entry incomplete.
      reads.push(
        new Promise<void>((resolve) => {
          read(file, p.bytes, 0, p.size, 0, (err, n) => {
            p.complete = err === null && n === p.size;
            try {
              closeSync(file);
            } catch {
              // nothing to do: the read is over either way
            }
            resolve();
          });
        }),
      );
    } catch {
      if (fd >= 0) closeSync(fd);
    }
  }
  if (files.size === 0) return;
  (globalThis as { [KEY]?: Registry })[KEY] = { files, done: Promise.all(reads).then(() => undefined) };
}

/** A promise for the reads ahead still running, or null when there are none to wait for. */
export function prefetchesPending(): Promise<void> | null {
  const reg = registry();
  return reg && reg.files.size > 0 ? reg.done : null;
}

/**
 * The bytes read ahead for `path` when they are the whole of the file `st` describes (the caller's fstat of
 * the file it opened), else null. Each read ahead is handed out once.
 */
export function takePrefetched(path: string, st: Stats): Uint8Array | null {
  const reg = registry();
  const p = reg?.files.get(path);
  if (!reg || !p) return null;
  reg.files.delete(path);
  const same = p.complete && p.dev === st.dev && p.ino === st.ino && p.size === st.size && p.mtimeMs === st.mtimeMs && p.ctimeMs === st.ctimeMs;
  return same ? p.bytes : null;
}

/** Forget every read ahead not taken (their buffers can then be collected). */
export function dropPrefetched(): void {
  delete (globalThis as { [KEY]?: Registry })[KEY];
}
