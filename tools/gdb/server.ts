// `--gdb PORT`: the stub on a TCP socket at 127.0.0.1 (never another interface: the stub can read and
// write all of guest memory). One debugger at a time; a second connection is refused while one is open.
// The guest runs in slices between which the event loop delivers gdb's bytes (Ctrl-C among them).

import { createServer, type Server, type Socket } from 'node:net';
import { GdbStub, type DebugTargetOptions, type GdbOutcome } from './stub.js';

export class GdbServerError extends Error {}

export interface GdbServeOptions extends DebugTargetOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (printed). */
  port: number;
  /** Stop before the first instruction and wait for gdb (QEMU's -S); otherwise run while listening. */
  wait: boolean;
  /** Where the listening line goes (default stderr). */
  announce?: (line: string) => void;
  /** ELF file for the gdb command line printed with the port. */
  elfPath?: string;
}

export { parseGdbPort } from './port.js';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE' ? 'the port is in use (another rvx or gdbserver?); pick another with --gdb PORT' :
        e.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : (e.code ?? e.message);
      reject(new GdbServerError(`cannot listen on 127.0.0.1:${port}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

/**
 * Serve gdb until the debugged run ends (the guest exits, its budget runs out, or gdb kills it).
 * Throws GdbServerError when the port cannot be opened.
 */
export async function serveGdb(opts: GdbServeOptions): Promise<GdbOutcome> {
  const server = createServer();
  const port = await listen(server, opts.port);
  const say = opts.announce ?? ((line: string) => process.stderr.write(line + '\n'));
  const elf = opts.elfPath ?? 'prog.elf';
  say(`rvx: gdb stub listening on 127.0.0.1:${port}` + (opts.wait ? ', stopped before the first instruction' : ''));
  say(`rvx:   gdb-multiarch ${elf} -ex 'target remote 127.0.0.1:${port}'`);

  const stub = new GdbStub(opts);
  stub.running = !opts.wait;
  let socket: Socket | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  server.on('connection', (s) => {
    if (socket !== null || stub.ended !== null) {
      s.destroy();
      return;
    }
    socket = s;
    s.setNoDelay(true);
    stub.attach((b) => {
      if (!s.destroyed) s.write(b);
    });
    s.on('data', (d: Buffer) => {
      if (socket === s) stub.onData(d);
      poke();
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (socket !== s) return;
      socket = null;
      // gdb went away without detaching (crashed, quit): as QEMU, the guest runs on.
      if (stub.ended === null) stub.detach();
      poke();
    });
    poke();
  });

  try {
    while (stub.ended === null) {
      if (stub.running) {
        stub.runSlice();
        await new Promise<void>((r) => setImmediate(r));
      } else {
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    }
  } finally {
    const s = socket as Socket | null;
    socket = null;
    if (s !== null) s.end();
    server.close();
  }
  return stub.ended;
}
