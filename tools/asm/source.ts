// Source files read as the assembler uses them. `rvx asm` hands the assembler a stream over each input file
// (SourceFile.stream) instead of the file's bytes: the unit reads and decodes a piece of whole lines at a
// time into one small buffer of its own, so a large file is neither one string nor one buffer of its size.
// On the development VM every page a process touches for the first time costs about 15 µs, and touching
// the pages that read(2) had just filled cost the main thread as much again: a 3.5 MB source read whole
// was about 850 such pages, where the pieces reuse eight (docs/assembler.md "Speed").

import { isAscii } from 'node:buffer';
import { stripBlockComments } from './lex.js';

/** A source file's bytes, read where they are needed. */
export interface SourceStream {
  /** Copy the file's bytes from `position` on into into[offset, offset + length): how many (0 at its end). */
  read(into: Uint8Array, offset: number, length: number, position: number): number;
  /** The file's size in bytes where it is known beforehand (the unit sizes its first tables from it). */
  readonly size?: number;
}

/** A stream over bytes already in memory (standard input, tests). */
export function bytesStream(bytes: Uint8Array): SourceStream {
  return {
    size: bytes.length,
    read(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

/** Source text: UTF-8 without a byte-order mark (which would otherwise show up inside messages). ASCII, what
 * compilers write, is copied as it is (one native pass checks it) instead of going through the UTF-8 decoder,
 * which scans every byte again. */
export function decodeSource(bytes: Uint8Array): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const text = new TextDecoder().decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The most bytes read and decoded at once (unless one line is longer): a piece is a young-generation string,
 * where V8 puts objects of over 128 KB in pages of their own. */
const PIECE_BYTES = 32 << 10;

/**
 * A source file's text, a piece of whole lines at a time. Lines keep their numbers across pieces (the frame
 * reading them counts). A piece that is not all ASCII, or that holds a `/*`, ends the reading by pieces:
 * the rest of the file comes as one text, decoded and stripped of block comments exactly as the whole file
 * would be (decodeSource, stripBlockComments). The lines before it were ASCII, so a character's index in
 * that text is its byte offset, and stripping keeps every character's place.
 */
export class SourceReader {
  /** Set when the last piece has been handed out. */
  done = false;
  private buf: Buffer = Buffer.allocUnsafeSlow(PIECE_BYTES);
  /** Bytes of a line not handed out yet, at buf[0, kept). */
  private kept = 0;
  /** The file offset of buf[0]. */
  private start = 0;
  /** The file offset of the next byte to read. */
  private next = 0;

  constructor(private readonly stream: SourceStream) {}

  /** The next piece: whole lines, the last one possibly without its newline ('' at the end). */
  piece(): string {
    let buf = this.buf;
    let len = this.kept;
    let cut: number;
    for (;;) {
      if (len === buf.length) {
        // One line longer than the buffer.
        const wider = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(wider, 0, 0, len);
        this.buf = buf = wider;
      }
      const n = this.stream.read(buf, len, buf.length - len, this.next);
      if (n === 0) {
        cut = len;
        this.done = true;
        break;
      }
      this.next += n;
      len += n;
      // The kept bytes hold no newline: the last one read ends the piece.
      const nl = buf.lastIndexOf(10, len - 1);
      if (nl >= 0) {
        cut = nl + 1;
        break;
      }
    }
    const bytes = buf.subarray(0, cut);
    if (!isAscii(bytes) || hasBlockComment(bytes)) return this.rest();
    const text = buf.toString('latin1', 0, cut);
    buf.copyWithin(0, cut, len);
    this.kept = len - cut;
    this.start += cut;
    return text;
  }

  /** The file from the current piece to its end as one text (see the class comment). */
  private rest(): string {
    let all = new Uint8Array(Math.max(this.next, PIECE_BYTES) * 2);
    let len = 0;
    for (;;) {
      if (len === all.length) {
        const wider = new Uint8Array(all.length * 2);
        wider.set(all);
        all = wider;
      }
      const n = this.stream.read(all, len, all.length - len, len);
      if (n === 0) break;
      len += n;
    }
    let text = decodeSource(all.subarray(0, len));
    if (text.indexOf('/*') >= 0) text = stripBlockComments(text);
    this.done = true;
    return this.start === 0 ? text : text.slice(this.start);
  }
}

/** Whether bytes hold a `/*` (stripBlockComments' concern). */
function hasBlockComment(b: Uint8Array): boolean {
  for (let i = b.indexOf(47); i >= 0 && i + 1 < b.length; i = b.indexOf(47, i + 1)) if (b[i + 1] === 42) return true;
  return false;
}
