// `rvx demo xpc`: every printed figure comes from the run (with the ideal core, cycles equal
// instructions row by row; ASID tagging changes the XPC round trip), bad options are refused.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../tools/commands/demo.js';

async function demo(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

/** Rows of a table: label -> [instructions, cycles]. */
function rows(out: string, title: string): Map<string, [number, number]> {
  const section = out.slice(out.indexOf(title));
  const m = new Map<string, [number, number]>();
  for (const line of section.split('\n').slice(2)) {
    const r = /^  (.+?)\s+(\d+(?:\.\d)?)\s+(\d+(?:\.\d)?)(?:\s|$)/.exec(line);
    if (!r) break;
    m.set(r[1].trim(), [Number(r[2]), Number(r[3])]);
  }
  return m;
}

afterEach(() => vi.restoreAllMocks());

describe('rvx demo xpc', () => {
  it('with the ideal core every phase costs one cycle per instruction', async () => {
    const r = await demo(['xpc', '--core', 'ideal', '--iterations', '4']);
    expect(r.code).toBe(0);
    const trap = rows(r.out, 'trap-based path');
    const xpc = rows(r.out, 'XPC path');
    expect(trap.size).toBe(11);
    expect(xpc.size).toBe(5);
    for (const [label, [insns, cycles]] of [...trap, ...xpc]) {
      // Traps (ecall) cost a cycle without retiring, so trap-path rows may exceed by the ecalls.
      expect(cycles - insns, label).toBeGreaterThanOrEqual(0);
      expect(cycles - insns, label).toBeLessThanOrEqual(2);
    }
    expect(xpc.get('call: xcall')).toEqual([1, 1]);
    expect(xpc.get('= one-way call')).toEqual([1, 1]);
    // Phases add up to the round trip.
    const sum = [...trap].filter(([k]) => !k.startsWith('=')).reduce((a, [, v]) => a + v[1], 0);
    expect(sum).toBe(trap.get('= round trip')![1]);
    expect(r.out).toContain('664 -> 21 cycles');
  });

  it('with the rocket core, XPC is cheaper than the trap path and ASIDs shorten its round trip', async () => {
    const plain = await demo(['--iterations', '4']);
    const asid = await demo(['--iterations', '4', '--asid']);
    expect(plain.code).toBe(0);
    expect(asid.code).toBe(0);
    const p = rows(plain.out, 'XPC path');
    const a = rows(asid.out, 'XPC path');
    const t = rows(plain.out, 'trap-based path');
    expect(p.get('= one-way call')![1]).toBeLessThan(t.get('= one-way call')![1] / 5);
    expect(a.get('= round trip')![1]).toBeLessThan(p.get('= round trip')![1]);
    expect(a.get('call: xcall')![1]).toBe(p.get('call: xcall')![1]);
  });

  it('refuses bad options with a one-line message and exit 125', async () => {
    for (const args of [['--iterations', '1'], ['--bogus'], ['ipc'], ['--core']]) {
      const r = await demo(args);
      expect(r.code, args.join(' ')).toBe(125);
      expect(r.err.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(/^rvx demo: /);
    }
    const r = await demo(['--core', '/nonexistent.json']);
    expect(r.code).toBe(125);
    expect(r.err).toContain('/nonexistent.json');
  });

  it('prints its program', async () => {
    const r = await demo(['--source']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('xcall t0');
    expect(r.out).toContain('sfence.vma');
  });
});
