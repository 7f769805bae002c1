// Byte-level output for traces that run to billions of lines: text is formatted straight into one
// large preallocated buffer (hex digits, decimals and cached ASCII pieces, no strings per line) and
// written with a few large writeSync calls. A closed pipe surfaces as BrokenPipe, as with
// BufferedWriter (writer.ts), which shares the write loop.

import { BrokenPipe, writeAllSync } from './writer.js';

/** Default buffer: 1 MiB, so a trace file is written in 1 MiB writes. */
const DEFAULT_SIZE = 1 << 20;
const HEX_DIGITS = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));
const INV_TWO32 = 1 / 4294967296;
const encoder = new TextEncoder();

/** ASCII/UTF-8 bytes of a string (for the constant pieces of a line). */
export function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  private closed = false;

  /** fd 1 for stdout, or a descriptor from openSync. */
  constructor(private readonly fd: number, size = DEFAULT_SIZE) {
    this.buf = new Uint8Array(size);
  }

  /**
   * Make room for n more bytes: flush when they do not fit, and grow the buffer for a single piece
   * larger than it (a very long symbol name).
   */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, 2 * this.buf.length));
  }

  flush(): void {
    if (this.pos === 0) return;
    if (this.closed) throw new BrokenPipe();
    const n = this.pos;
    this.pos = 0;
    try {
      writeAllSync(this.fd, this.buf, n);
    } catch (e) {
      if (e instanceof BrokenPipe) this.closed = true;
      throw e;
    }
  }

  /** Bytes that fit (the caller made room). */
  put(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n > 64) {
      this.buf.set(bytes, this.pos);
      this.pos += n;
      return;
    }
    // A loop beats TypedArray.set for the short pieces of a line.
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) b[p++] = bytes[k];
    this.pos = p;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** A string, UTF-8 encoded (rare pieces: lines formatted by the string formatters). */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(3 * s.length);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /** The low `digits` hex digits (1..8) of a 32-bit word. */
  hex32(v: number, digits: number): void {
    if (digits === 8) {
      this.hex8(v);
      return;
    }
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    for (let i = 0; i < digits; i++) {
      b[--p] = HEX_DIGITS[v & 15];
      v >>>= 4;
    }
  }

  /** 8 hex digits of a 32-bit word (unrolled: the hottest formatter of a trace). */
  hex8(v: number): void {
    const b = this.buf;
    const p = this.pos;
    const H = HEX_DIGITS;
    b[p] = H[v >>> 28];
    b[p + 1] = H[(v >>> 24) & 15];
    b[p + 2] = H[(v >>> 20) & 15];
    b[p + 3] = H[(v >>> 16) & 15];
    b[p + 4] = H[(v >>> 12) & 15];
    b[p + 5] = H[(v >>> 8) & 15];
    b[p + 6] = H[(v >>> 4) & 15];
    b[p + 7] = H[v & 15];
    this.pos = p + 8;
  }

  /** 16 hex digits of the 64-bit word hi:lo. */
  hex64(lo: number, hi: number): void {
    this.hex8(hi);
    this.hex8(lo);
  }

  /** 16 hex digits of a sign-extended 64-bit address held in a JS number (|n| < 2^53), as format.ts hex64. */
  hexNum(n: number): void {
    const lo = n >>> 0;
    this.hex8(((n - lo) * INV_TWO32) | 0);
    this.hex8(lo);
  }

  /** A value of `bytes` bytes (1, 2, 4 or 8) from its two 32-bit halves, 2 hex digits per byte. */
  hexSized(lo: number, hi: number, bytes: number): void {
    if (bytes === 8) this.hex64(lo, hi);
    else this.hex32(lo, 2 * bytes);
  }

  /** A number as JSON.stringify prints it: digits for a non-negative safe integer, else its own text. */
  num(n: number): void {
    if (n >= 0 && n <= 9007199254740991 && Math.floor(n) === n) {
      const b = this.buf;
      if (n < 10) {
        b[this.pos++] = 48 + n;
        return;
      }
      let digits = 1;
      for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
      let p = this.pos + digits;
      this.pos = p;
      if (n < 2147483648) {
        for (let v = n | 0; v > 0; v = (v / 10) | 0) b[--p] = 48 + (v % 10);
      } else {
        for (let v = n; v > 0; v = Math.floor(v / 10)) b[--p] = 48 + (v % 10);
      }
      return;
    }
    this.text(JSON.stringify(n));
  }
}
