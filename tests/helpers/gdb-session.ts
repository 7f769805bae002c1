// Drive a real gdb-multiarch in batch mode against an rvx command's --gdb stub, in this process: the
// command's main() runs here (its stdout/stderr captured), gdb runs as a child with a command file.

import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { vi } from 'vitest';

/** The gdb to drive: $RVX_GDB, else gdb-multiarch on PATH; null when there is none. */
export function findGdb(): string | null {
  const env = process.env.RVX_GDB;
  if (env) return env;
  const r = spawnSync('sh', ['-c', 'command -v gdb-multiarch'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface GdbSessionResult {
  /** The command's exit status. */
  code: number;
  stdout: string;
  stderr: string;
  /** gdb's combined output (the session transcript). */
  gdb: string;
  gdbStatus: number | null;
}

/**
 * Run `main(args)` (args contain `--gdb PORT`), wait for its "listening" line, then run gdb in batch mode
 * with `script` (PORT and ELF substituted: ELF is the path the command printed for gdb).
 */
export async function gdbSession(
  gdb: string,
  main: (args: string[]) => Promise<number>,
  args: string[],
  script: string,
  scriptFile: string,
): Promise<GdbSessionResult> {
  let stdout = '';
  let stderr = '';
  let ready!: (line: string) => void;
  const listening = new Promise<string>((r) => (ready = r));
  const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += text(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += text(chunk);
    const m = /gdb-multiarch (\S+) -ex 'target remote 127\.0\.0\.1:(\d+)'/.exec(stderr);
    if (m) ready(m[0]);
    return true;
  });
  try {
    const mainP = main(args);
    const failed = mainP.then((code) => `rvx ended (${code}) before listening:\n${stderr}`);
    const line = await Promise.race([listening, failed]);
    const m = /gdb-multiarch (\S+) -ex 'target remote 127\.0\.0\.1:(\d+)'/.exec(line);
    if (!m) throw new Error(line);
    writeFileSync(scriptFile, script.replace(/\bPORT\b/g, m[2]).replace(/\bELF\b/g, m[1]));
    const child = spawn(gdb, ['-batch', '-nx', '-x', scriptFile, m[1]], { stdio: ['ignore', 'pipe', 'pipe'] });
    let transcript = '';
    child.stdout.on('data', (d: Buffer) => (transcript += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (transcript += d.toString('utf8')));
    // A gdb waiting forever (a stop that never comes) must fail the test, not hang it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const gdbStatus = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    const code = await mainP;
    return { code, stdout, stderr, gdb: transcript, gdbStatus };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
