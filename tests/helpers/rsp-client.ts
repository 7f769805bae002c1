// A small GDB remote-protocol client for the stub's protocol-level tests: sends raw bytes or framed
// packets and reads back acknowledgements and packets (checksums verified) in order.

import { connect, type Socket } from 'node:net';

export type Token = { kind: 'ack' } | { kind: 'nack' } | { kind: 'packet'; body: string };

export class RspClient {
  private buf = Buffer.alloc(0);
  private readonly tokens: Token[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RspClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RspClient(s)));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length === 0) return;
      const c = this.buf[0];
      if (c === 0x2b || c === 0x2d) {
        this.tokens.push({ kind: c === 0x2b ? 'ack' : 'nack' });
        this.buf = this.buf.subarray(1);
        continue;
      }
      if (c !== 0x24) throw new Error(`unexpected byte 0x${c.toString(16)} from the stub`);
      const hash = this.buf.indexOf(0x23);
      if (hash < 0 || this.buf.length < hash + 3) return;
      const body = this.buf.subarray(1, hash);
      let sum = 0;
      for (const b of body) sum = (sum + b) & 0xff;
      const given = Number.parseInt(this.buf.subarray(hash + 1, hash + 3).toString('latin1'), 16);
      if (given !== sum) throw new Error(`bad checksum from the stub on '${body.toString('latin1')}'`);
      this.tokens.push({ kind: 'packet', body: body.toString('latin1') });
      this.buf = this.buf.subarray(hash + 3);
    }
  }

  /** The next token, or null when the connection closed first (timeout: an error). */
  async next(timeoutMs = 20_000): Promise<Token | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.tokens.length === 0) {
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the stub');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    return this.tokens.shift()!;
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  static frame(body: string): string {
    let sum = 0;
    for (const b of Buffer.from(body, 'latin1')) sum = (sum + b) & 0xff;
    return `$${body}#${sum.toString(16).padStart(2, '0')}`;
  }

  send(body: string): void {
    this.sendRaw(RspClient.frame(body));
  }

  /** The next packet body (acks skipped; each packet acknowledged), collecting O console packets. */
  async packet(console: string[] = []): Promise<string | null> {
    for (;;) {
      const t = await this.next();
      if (t === null) return null;
      if (t.kind !== 'packet') continue;
      this.sendRaw('+');
      if (t.body.startsWith('O') && t.body !== 'OK' && /^O([0-9a-f]{2})+$/.test(t.body)) {
        console.push(Buffer.from(t.body.slice(1), 'hex').toString('utf8'));
        continue;
      }
      return t.body;
    }
  }

  /** Send a packet and return the reply body. */
  async request(body: string, console: string[] = []): Promise<string | null> {
    this.send(body);
    return this.packet(console);
  }

  close(): void {
    this.socket.end();
  }
}
