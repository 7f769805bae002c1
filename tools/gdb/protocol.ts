// The GDB remote serial protocol's framing (gdb manual, "Overview" and "Packets" of the Remote Protocol
// appendix): `$body#cc` packets with a two-digit modulo-256 checksum, `+`/`-` acknowledgements, `}`
// escapes (byte XOR 0x20) in binary data, and a lone 0x03 byte as the interrupt request (Ctrl-C).
// Nothing here knows about the machine: tools/gdb/stub.ts interprets the bodies.

/** Largest packet body rvx accepts and advertises (qSupported PacketSize, in hex 0x4000). */
export const PACKET_MAX = 0x4000;

export type Incoming =
  /** A complete packet with a correct checksum; body unescaped only for the `}` escape (binary data). */
  | { kind: 'packet'; body: Buffer }
  /** A packet whose checksum did not match: the peer must be sent `-` (retransmit). */
  | { kind: 'bad-checksum' }
  /** A packet longer than PACKET_MAX: its bytes were dropped; the peer gets an error reply. */
  | { kind: 'overlong' }
  /** Ctrl-C outside a packet. */
  | { kind: 'interrupt' }
  | { kind: 'ack' }
  | { kind: 'nack' };

/**
 * Incremental parser for the byte stream from gdb. Bytes outside a packet other than `+`, `-` and 0x03
 * are ignored (as gdbserver does); a `$` inside a packet restarts it (the earlier one was cut off).
 * Memory stays bounded whatever the peer sends: a packet past PACKET_MAX is skipped, not buffered.
 */
export class PacketDecoder {
  private state: 'idle' | 'body' | 'sum1' | 'sum2' = 'idle';
  private body = Buffer.alloc(PACKET_MAX);
  private len = 0;
  private sum = 0;
  private overlong = false;
  private escaped = false;
  private given = 0;

  push(data: Buffer): Incoming[] {
    const out: Incoming[] = [];
    for (const b of data) {
      switch (this.state) {
        case 'idle':
          if (b === 0x24 /* $ */) this.start();
          else if (b === 0x03) out.push({ kind: 'interrupt' });
          else if (b === 0x2b /* + */) out.push({ kind: 'ack' });
          else if (b === 0x2d /* - */) out.push({ kind: 'nack' });
          break;
        case 'body':
          if (b === 0x23 /* # */) {
            this.state = 'sum1';
            break;
          }
          if (b === 0x24) {
            this.start();
            break;
          }
          this.sum = (this.sum + b) & 0xff;
          if (this.overlong) break;
          if (this.len >= PACKET_MAX) {
            this.overlong = true;
            break;
          }
          // The `}` escape is used only in binary data (X, vFile:pwrite); decoding it here is safe for
          // every other packet because gdb never sends `}` unescaped.
          if (this.escaped) {
            this.body[this.len++] = b ^ 0x20;
            this.escaped = false;
          } else if (b === 0x7d) this.escaped = true;
          else this.body[this.len++] = b;
          break;
        case 'sum1': {
          const d = hexDigit(b);
          this.given = d < 0 ? -1 : d << 4;
          this.state = 'sum2';
          break;
        }
        case 'sum2': {
          const d = hexDigit(b);
          this.state = 'idle';
          if (this.overlong) out.push({ kind: 'overlong' });
          else if (this.given < 0 || d < 0 || (this.given | d) !== this.sum) out.push({ kind: 'bad-checksum' });
          else out.push({ kind: 'packet', body: Buffer.from(this.body.subarray(0, this.len)) });
          break;
        }
      }
    }
    return out;
  }

  private start(): void {
    this.state = 'body';
    this.len = 0;
    this.sum = 0;
    this.overlong = false;
    this.escaped = false;
  }
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** `$body#cc` for a reply body; `binary` bodies get `#`, `$`, `}` and `*` escaped. */
export function frame(body: string | Buffer, binary = false): Buffer {
  let data = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  if (binary) data = escapeBinary(data);
  let sum = 0;
  for (const b of data) sum = (sum + b) & 0xff;
  return Buffer.concat([Buffer.from('$'), data, Buffer.from('#' + sum.toString(16).padStart(2, '0'))]);
}

function escapeBinary(data: Buffer): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

/** Bytes as lower-case hex pairs. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Hex pairs to bytes, or null when the text is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** A 64-bit value as 16 hex digits in target (little-endian) byte order, as `g`/`p` carry registers. */
export function regHex(v: bigint, bytes = 8): string {
  let s = '';
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++) {
    s += Number(x & 0xffn).toString(16).padStart(2, '0');
    x >>= 8n;
  }
  return s;
}

/** The value of a little-endian hex register image (`G`/`P`), or null when malformed. */
export function parseRegHex(text: string, bytes = 8): bigint | null {
  if (text.length !== 2 * bytes || !/^[0-9a-fA-F]*$/.test(text)) return null;
  let v = 0n;
  for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(Number.parseInt(text.slice(2 * i, 2 * i + 2), 16));
  return v;
}

/** A big-endian hex number as gdb writes addresses and lengths (at most 16 digits), or null. */
export function parseHexNumber(text: string): bigint | null {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) return null;
  return BigInt('0x' + text);
}
