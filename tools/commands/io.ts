// Files and standard streams for the commands: `-` means standard input/output everywhere; outputs are
// checked before any work is done (so a long run never ends in "cannot write"); writes to a closed
// pipe (`rvx run prog.elf | head -1`) stop the command quietly with status 141 (128 + SIGPIPE), as cat
// and Spike end, instead of an EPIPE stack.

import { createRequire } from 'node:module';
import { accessSync, chmodSync, closeSync, existsSync, unlinkSync, constants, fstatSync, openSync, statSync, writeFileSync, writevSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAX_INPUT_BYTES, openInputFile, readError, readInputFile, readOpenedInput } from '../load.js';
import { bytesStream, type SourceStream } from '../asm/source.js';
import { EXIT } from './exit.js';
import { BrokenPipe, writeAllSync } from '../trace/writer.js';

/** An input or output problem with a one-line message and the exit status it maps to. */
export class IoError extends Error {
  override name = 'IoError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// Standard output closed by its reader: the one class the trace writers and the commands share, so
// failureStatus recognises it whichever of them threw it.
export { BrokenPipe };

const STDOUT = 1;

let tty: typeof import('node:tty') | undefined;

/**
 * Is fd a terminal? node:tty is loaded on first use: it brings in Node's net and stream modules (a few
 * milliseconds of a short run's start-up), which a run that prints nothing never needs.
 */
function isTerminal(fd: number): boolean {
  tty ??= createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return tty.isatty(fd);
}

/** Write all of `bytes` to fd, waiting out EAGAIN on a non-blocking pipe; EPIPE throws BrokenPipe. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  try {
    writeAllSync(fd, bytes, bytes.length);
  } catch (e) {
    if (e instanceof BrokenPipe) throw e;
    throw new IoError(`cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, EXIT.OUTPUT);
  }
}

/** Set once standard output's reader has gone (EPIPE), by the handler installStdoutGuard installs. */
let stdoutClosed = false;

/** Has standard output's reader gone away? */
export function stdoutGone(): boolean {
  return stdoutClosed;
}

/**
 * Watch stdout and stderr for EPIPE (Node reports it as an 'error' event): note it instead of dying
 * with an unhandled-error stack; runs check stdoutGone() between slices and end with status 141.
 */
export function installStdoutGuard(onOtherError: (err: NodeJS.ErrnoException) => void): void {
  whenCreated('stdout', (s) =>
    s.on('error', (err: NodeJS.ErrnoException) => {
      // After EPIPE the stream is destroyed, and writes already under way report that too.
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || stdoutClosed) stdoutClosed = true;
      else onOtherError(err);
    }),
  );
  whenCreated('stderr', (s) =>
    s.on('error', () => {
      // Nowhere left to report anything: stay quiet.
    }),
  );
}

/**
 * Run `attach` on process.stdout or process.stderr when something first uses it. Node creates each standard
 * stream on first use, and creating one (a file, pipe or terminal stream) costs milliseconds that a run
 * which never writes to it need not pay; so the guard waits for the stream instead of creating it.
 */
function whenCreated(name: 'stdout' | 'stderr', attach: (s: NodeJS.WriteStream) => void): void {
  const d = Object.getOwnPropertyDescriptor(process, name);
  if (!d?.get || !d.configurable) {
    attach((createdStreams[name] = process[name]));
    return;
  }
  const create = d.get;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: d.enumerable,
    get() {
      Object.defineProperty(process, name, d); // Node's own getter again: it returns the same stream from now on
      const s = create.call(process) as NodeJS.WriteStream;
      createdStreams[name] = s;
      attach(s);
      return s;
    },
  });
}

/** The standard streams made so far (installStdoutGuard sees each as it is made). */
const createdStreams: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream } = {};

/** Whether text written to stdout or stderr is still queued in its stream (not yet handed to the system). */
export function outputPending(): boolean {
  return (createdStreams.stdout?.writableLength ?? 0) > 0 || (createdStreams.stderr?.writableLength ?? 0) > 0;
}

/** Write to the process's stdout or stderr stream (synchronous for files, pipes and terminals on Linux). */
function streamWrite(fd: 1 | 2, bytes: Uint8Array): void {
  if (fd === 1 && stdoutClosed) throw new BrokenPipe();
  (fd === 1 ? process.stdout : process.stderr).write(bytes);
}

/** Write text or bytes to standard output; BrokenPipe once its reader has gone. */
export function writeStdout(data: string | Uint8Array): void {
  streamWrite(1, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/**
 * A byte stream to stdout, stderr or a file, buffered in 64 KiB chunks (and at newlines when
 * line-buffered). Once the reader has gone, it drops everything and `closed` is true, so a guest
 * that writes forever can be stopped between slices.
 */
export class OutputSink {
  private buf = new Uint8Array(64 * 1024);
  private used = 0;
  private gone = false;

  /** The last byte written (-1: none yet). */
  private last = -1;

  /** Flush at newlines? Decided at the first newline (isTerminal loads node:tty). */
  private lineBuffered: boolean | undefined;

  /** `interactive`: flush at every newline when fd is a terminal (else in chunks and at flush()). */
  constructor(
    private readonly fd: number,
    private readonly interactive = false,
  ) {}

  get closed(): boolean {
    return this.gone || (this.fd === 1 && stdoutClosed);
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    let nl = false;
    if (bytes.length > 0) this.last = bytes[bytes.length - 1];
    for (let i = 0; i < bytes.length; i++) {
      if (this.used === this.buf.length) this.flush();
      if (this.closed) return;
      const b = bytes[i];
      this.buf[this.used++] = b;
      if (b === 10) nl = true;
    }
    if (nl && (this.lineBuffered ??= this.interactive && isTerminal(this.fd))) this.flush();
  }

  /** End a line the program left open and flush, so what rvx writes next to the same stream starts a line. */
  endLine(): void {
    if (this.last !== -1 && this.last !== 10) this.write(new Uint8Array([10]));
    this.flush();
  }

  flush(): void {
    if (this.closed || this.used === 0) return;
    const n = this.used;
    this.used = 0;
    // A copy: the stream may keep the chunk after write() returns.
    const chunk = this.buf.slice(0, n);
    try {
      if (this.fd === 1 || this.fd === 2) streamWrite(this.fd, chunk);
      else writeAll(this.fd, chunk);
    } catch (e) {
      if (e instanceof BrokenPipe) {
        this.gone = true;
        return;
      }
      throw e;
    }
  }
}

/** Is this path the standard-stream name? */
export const isDash = (p: string | undefined): boolean => p === '-';

/**
 * Check, before any work, that `path` can be written as a file: `-` (stdout) always can; otherwise it
 * must be a regular file (or a character device such as /dev/null) we may write, or a new name in a
 * writable directory. Throws IoError(EXIT.OUTPUT) with the reason.
 */
export function checkOutputFile(flag: string, path: string): void {
  if (path === '-') return;
  if (path === '') throw new IoError(`${flag}: empty file name`, EXIT.USAGE);
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new IoError(`${flag} ${path}: cannot write (${code})`, EXIT.OUTPUT);
    const dir = dirname(resolve(path));
    let dst;
    try {
      dst = statSync(dir);
    } catch {
      throw new IoError(`${flag} ${path}: no such directory ${dir}`, EXIT.OUTPUT);
    }
    if (!dst.isDirectory()) throw new IoError(`${flag} ${path}: ${dir} is not a directory`, EXIT.OUTPUT);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new IoError(`${flag} ${path}: directory ${dir} is not writable`, EXIT.OUTPUT);
    }
    return;
  }
  if (st.isDirectory()) throw new IoError(`${flag} ${path}: is a directory`, EXIT.OUTPUT);
  if (!st.isFile() && !st.isCharacterDevice() && !st.isFIFO()) throw new IoError(`${flag} ${path}: not a regular file`, EXIT.OUTPUT);
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new IoError(`${flag} ${path}: permission denied`, EXIT.OUTPUT);
  }
}

/**
 * Check, before any work, that `path` can serve as an output directory: an existing directory we may
 * write in, or a name that can be created (its nearest existing ancestor is a writable directory).
 */
export function checkOutputDir(flag: string, path: string): void {
  if (path === '') throw new IoError(`${flag}: empty directory name`, EXIT.USAGE);
  let p = resolve(path);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new IoError(`${flag} ${path}: cannot use (${code})`, EXIT.OUTPUT);
      const up = dirname(p);
      if (up === p) throw new IoError(`${flag} ${path}: cannot be created`, EXIT.OUTPUT);
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new IoError(`${flag} ${path}: ${p === resolve(path) ? 'exists and is not a directory' : `${p} is not a directory`}`, EXIT.OUTPUT);
    try {
      accessSync(p, constants.W_OK);
    } catch {
      throw new IoError(`${flag} ${path}: ${p} is not writable`, EXIT.OUTPUT);
    }
    return;
  }
}

/**
 * Write a whole output: `-` to stdout, else the file. IoError on failure; BrokenPipe leaves quietly. An
 * `executable` file is made anew and gets execute permission where it has read permission, as GNU ld
 * leaves its output (bfd's bfd_close: the mode plus the execute bits the umask allows).
 */
export function writeOutput(flag: string, path: string, data: string | Uint8Array, executable = false): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path === '-') {
    writeStdout(bytes);
    return;
  }
  try {
    // GNU ld removes an existing output first (ldlang.c, open_output: unlink_if_ordinary): a new file.
    if (executable && existsSync(path) && statSync(path).isFile()) unlinkSync(path);
    writeFileSync(path, bytes);
    if (executable) {
      const st = statSync(path);
      if (st.isFile()) chmodSync(path, (st.mode | ((st.mode & 0o444) >> 2)) & 0o777);
    }
  } catch (e) {
    throw new IoError(`${flag} ${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, EXIT.OUTPUT);
  }
}

/**
 * writeOutput of bytes given as consecutive pieces (an object's parts, an executable's headers and segments),
 * written with writev rather than joined into one array first: a copy the size of the file, every page of
 * it touched anew. An `executable` is made anew and given execute permission, as by writeOutput.
 */
export function writeOutputPieces(flag: string, path: string, pieces: readonly Uint8Array[], executable = false): void {
  if (path === '-') {
    for (const p of pieces) writeStdout(p);
    return;
  }
  try {
    if (executable && existsSync(path) && statSync(path).isFile()) unlinkSync(path);
    const fd = openSync(path, 'w');
    try {
      writevAll(fd, pieces);
    } finally {
      closeSync(fd);
    }
    if (executable) {
      const st = statSync(path);
      if (st.isFile()) chmodSync(path, (st.mode | ((st.mode & 0o444) >> 2)) & 0o777);
    }
  } catch (e) {
    throw new IoError(`${flag} ${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, EXIT.OUTPUT);
  }
}

/** All of `pieces` to `fd`, in order, from where the file is (so a pipe or device named by -o works too):
 * writev takes at most IOV_MAX (1024) buffers and may write less than asked. */
function writevAll(fd: number, pieces: readonly Uint8Array[]): void {
  let i = 0;
  let skip = 0;
  while (i < pieces.length) {
    const batch: Uint8Array[] = [];
    for (let k = i; k < pieces.length && batch.length < 1024; k++) batch.push(k === i ? pieces[k].subarray(skip) : pieces[k]);
    let n = writevSync(fd, batch);
    // Past the pieces written whole, into the one written in part.
    while (i < pieces.length && n >= pieces[i].length - skip) {
      n -= pieces[i].length - skip;
      skip = 0;
      i++;
    }
    skip += n;
  }
}

/** Open an output for streaming: `-` is stdout (fd 1), else the file, created or truncated. */
export function openOutput(flag: string, path: string): { fd: number; close(): void } {
  if (path === '-') return { fd: STDOUT, close() {} };
  try {
    const fd = openSync(path, 'w');
    return { fd, close: () => closeSync(fd) };
  } catch (e) {
    throw new IoError(`${flag} ${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, EXIT.OUTPUT);
  }
}

/**
 * An input read as it is used: a regular file stays open and is read where the stream is asked (`close`
 * when done); standard input or a pipe is read whole first. IoError(EXIT.NO_INPUT) with the reason when the
 * file cannot be opened (readInput's checks) or a later read fails.
 */
export function openInputStream(path: string): { stream: SourceStream; close(): void } {
  const r = openInputFile(path);
  if (!r.ok) throw new IoError(`${path === '-' ? 'standard input' : path}: ${r.error}`, EXIT.NO_INPUT);
  if (!r.regular) {
    // Read from the descriptor already open: a pipe opened again would have lost what was in it.
    let bytes: ReturnType<typeof readOpenedInput>;
    try {
      bytes = readOpenedInput(r);
    } finally {
      if (r.own) closeSync(r.fd);
    }
    if (!bytes.ok) throw new IoError(`${path === '-' ? 'standard input' : path}: ${bytes.error}`, EXIT.NO_INPUT);
    return { stream: bytesStream(bytes.bytes), close: () => {} };
  }
  const fd = r.fd;
  let open = true;
  return {
    stream: {
      size: r.size,
      read(into, offset, length, position) {
        // A file that grows while it is read is still held to the size cap.
        if (position > MAX_INPUT_BYTES) throw new IoError(`${path}: too large (more than ${MAX_INPUT_BYTES} bytes)`, EXIT.NO_INPUT);
        try {
          return readSync(fd, into, offset, length, position);
        } catch (e) {
          throw new IoError(`${path}: ${readError(e)}`, EXIT.NO_INPUT);
        }
      },
    },
    close: () => {
      if (open && r.own) closeSync(fd);
      open = false;
    },
  };
}

/**
 * Read an input: `-` is standard input, else a regular file (readInputFile refuses devices, FIFOs and
 * files past the size cap). IoError(EXIT.NO_INPUT) with the reason otherwise.
 */
export function readInput(path: string, what = path, maxBytes?: number): Uint8Array {
  const r = readInputFile(path, maxBytes);
  if (!r.ok) throw new IoError(`${path === '-' ? 'standard input' : what}: ${r.error}`, EXIT.NO_INPUT);
  return r.bytes;
}

/** Is fd 1 a terminal? */
export function stdoutIsTty(): boolean {
  try {
    return fstatSync(STDOUT).isCharacterDevice() && process.stdout.isTTY === true;
  } catch {
    return false;
  }
}
