// Buffered, synchronous output for traces that may run to billions of lines: text is gathered into
// chunks of about 64 KiB and written with writeSync, so memory stays flat however long the run is.
// A closed pipe (`rvx trace prog.elf | head`) surfaces as BrokenPipe, which the command treats as "stop".

import { writeSync } from 'node:fs';

/** The reader of an output (standard output, a pipe) has gone away. */
export class BrokenPipe extends Error {
  override name = 'BrokenPipe';
  constructor() {
    super('output closed');
  }
}

const CHUNK = 64 * 1024;

export class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  /** fd 1 for stdout, or a descriptor from openSync. */
  constructor(private readonly fd: number) {}

  write(text: string): void {
    if (this.closed) throw new BrokenPipe();
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.size === 0 || this.closed) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    try {
      writeAllSync(this.fd, buf, buf.length);
    } catch (e) {
      if (e instanceof BrokenPipe) this.closed = true;
      throw e;
    }
  }
}

/**
 * Write bytes [0, n) of buf to fd, whatever it takes: partial writes are continued and a full
 * non-blocking pipe is waited for. EPIPE (the reader went away) throws BrokenPipe.
 */
export function writeAllSync(fd: number, buf: Uint8Array, n: number): void {
  let off = 0;
  while (off < n) {
    try {
      off += writeSync(fd, buf, off, n - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe is full: wait a moment for the reader.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') throw new BrokenPipe();
      throw e;
    }
  }
}
