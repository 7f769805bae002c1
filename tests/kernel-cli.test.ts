// `rvx kernel`: listing, unknown names, --emit-asm, -o and a boot, through the command's main().

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../tools/commands/kernel.js';
import { readElf } from '../tools/elf/read.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(typeof s === 'string' ? s : Buffer.from(s).toString())), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('rvx kernel', () => {
  it('lists the systems', async () => {
    const c = capture();
    expect(await main(['--list'])).toBe(0);
    expect(c.out()).toMatch(/^pingpong\s+a client makes/m);
    expect(c.out()).toMatch(/^xpc-chain\s+/m);
  });
  it('refuses an unknown system, an unknown option and a second system name with status 125', async () => {
    const c = capture();
    expect(await main(['no-such-system'])).toBe(125);
    expect(c.err()).toContain("no system 'no-such-system'");
    expect(await main(['--frobnicate'])).toBe(125);
    expect(c.err()).toContain("unknown option '--frobnicate'");
    expect(await main(['hello', 'pingpong'])).toBe(125);
    expect(c.err()).toContain("unexpected argument 'pingpong'");
  });
  it('writes the generated assembly and the ELF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvx-kernel-'));
    const c = capture();
    expect(await main(['hello', '--emit-asm', dir, '-o', join(dir, 'k.elf')])).toBe(0);
    expect(c.err()).toContain(`wrote 3 files to ${dir}`);
    expect(readdirSync(dir).sort()).toEqual(['hello-hello.s', 'hello-kernel.s', 'hello-world.s', 'k.elf']);
    const elf = readElf(new Uint8Array(readFileSync(join(dir, 'k.elf'))));
    expect(elf.entry).toBe(0x80000000n);
    expect(elf.symbols.some((s) => s.name === 'fastpath_sret')).toBe(true);
    expect(readFileSync(join(dir, 'hello-kernel.s'), 'utf8')).toContain('# M-mode boot stub');
  });
  it('builds and boots the mechanism systems on their own extension (gate, asl, pkey)', async () => {
    const c = capture();
    expect(await main(['--list'])).toBe(0);
    expect(c.out()).toMatch(/^gate-calls\s+\[--ext gate\]/m);
    expect(c.out()).toMatch(/^pkey-domains-peek\s+\[--ext pkey\]/m);
    expect(await main(['gate-calls'])).toBe(0);
    expect(c.out()).toContain('gclient: 100 gate calls ok');
    expect(await main(['asl-leak'])).toBe(0);
    expect(c.out()).toContain('victim: the callee read our key');
    expect(await main(['pkey-domains-none'])).toBe(0);
    expect(c.out()).toContain('pkmain: 8 domain calls through the gate ok');
    expect(await main(['pkey-domains-gatejump'])).toBe(0);
    expect(c.out()).toMatch(/killed pkmain \(pid 0\): breakpoint/);
    expect(await main(['gate-calls', '--no-xpc'])).toBe(125);
    expect(c.err()).toContain("runs on --ext gate");
  });
  it('boots a system and returns 0 when it halts normally', async () => {
    const c = capture();
    expect(await main(['hello'])).toBe(0);
    expect(c.out()).toContain('rvx microkernel: booting');
    expect(c.out()).toContain('[kernel] halt: nothing runnable; 2 exited, 0 killed');
  });
});
