// The kernel's security claims (docs/kernel.md, "Security model"), attacked family by family (issue #10).
// Each system runs an attacker next to an echo server and its client: the attacks must be refused as
// documented, nothing may print BROKEN, the kernel must never panic, and the survivors must finish.

import { describe, expect, it } from 'vitest';
import { attacks } from '../kernel-images/systems/attacks.js';
import type { SystemSpec } from '../kernel-images/system.js';
import type { KernelConfig } from '../kernel-images/kernel/common.js';
import { boot } from './kernel-helpers.js';

async function run(sys: SystemSpec, cfg: Partial<KernelConfig> = {}) {
  const r = await boot(sys, {}, cfg);
  const out = r.console;
  expect(out).not.toContain('PANIC');
  expect(out).not.toContain('BROKEN');
  expect(r.result, out).toEqual({ reason: 'exit', code: 0 });
  expect(out).toContain('survivor: round trips 200, errors 0\n');
  return out;
}

/** The results printed as "attacker: <what> -> <n>", by <what>. */
function results(out: string, who = 'attacker'): Map<string, number> {
  const m = new Map<string, number>();
  for (const [, what, n] of out.matchAll(new RegExp(`${who}: (.+?) -> (-?\\d+)\\n`, 'g'))) m.set(what, Number(n));
  return m;
}

describe('family 1: (base, length) checks cannot wrap', () => {
  it('relay_alloc, map_shared, write, call/send/reply refuse wrapping ranges; the issue\'s RAM exploit fails', async () => {
    const out = await run(attacks.wrap);
    const r = results(out);
    for (const k of ['relay_alloc(2^64-4096 bytes)', 'relay_alloc(2^64-2^28 bytes at the window top)', 'relay_alloc(va 2^64-4096)',
      'relay_alloc(past the window)', 'relay_alloc(2^63 bytes)', 'relay_alloc(index 2^64-1)', 'relay_alloc(2^64-2^28 bytes)']) {
      expect(r.get(k), k).toBe(-1);
    }
    expect(r.get('relay_alloc(one page)')).toBe(0);
    expect(r.get('nonzero words in a fresh relay page')).toBe(0);
    expect(r.get('forged segment length')).toBe(0);
    for (const k of ['map_shared(va 2^64-4096)', 'map_shared(2 pages at the window top)', 'map_shared(va 2^64-2^17)', 'map_shared(unaligned)']) {
      expect(r.get(k), k).toBe(-1);
    }
    expect(r.get('map_shared(ok)')).toBe(0);
    for (const k of ['write(2^64-16, 32)', 'write(end of the user half)', 'write(upper half)']) expect(r.get(k), k).toBe(-3);
    expect(r.get('write(length 2^64-1)')).toBe(-1);
    expect(r.get('write(length 2^64-2^16)')).toBe(-1);
    expect(out).toContain('ok!attacker: write(ok) -> 3\n');
    for (const k of ['call(length 2^64-1)', 'send(length 2^63)', 'reply(length 2^64-32)']) expect(r.get(k), k).toBe(-1);
    expect(out).not.toContain('[kernel] killed');
  });
});

describe('family 2: exhaustion at run time answers E_NOMEM', () => {
  it('a full x-entry table, then all free memory eaten: xpc_register, map_shared, relay_alloc say E_NOMEM, the kernel goes on', async () => {
    const out = await run(attacks.exhaust);
    const f = results(out);
    expect(f.get('xpc_register(table full)')).toBe(-4);
    expect(f.get('entries registered')).toBe(64);
    expect(f.get('relay_alloc(memory exhausted)')).toBe(-4);
    expect(f.get('xpc_register(16 contexts, memory exhausted)')).toBe(-4);
    expect(f.get('xpc_register(1 context, until refused)')).toBe(-4);
    expect(f.get('map_shared(memory exhausted)')).toBe(-4);
    expect(f.get('xpc_register(16 contexts, again)')).toBe(-4);
    expect(f.get('getpid')).toBeGreaterThan(0);
    expect(out).toMatch(/\[kernel\] attacker \(pid \d+\) exited with code 0\n/);
    expect(out).toMatch(/\[kernel\] filler \(pid \d+\) exited with code 0\n/);
  });
});

describe('family 5: kernel accesses through a relay segment obey its bounds and the seg-mask', () => {
  it('write() inside an xcall prints the 8-byte window and nothing the caller masked off', async () => {
    const out = await run(attacks.maskedWrite);
    const r = results(out);
    expect(r.get('relay_alloc(a page)')).toBe(0);
    expect(r.get('write(past the segment end)')).toBe(-3);
    expect(r.get('write(the window and 8 bytes after it)')).toBe(-3);
    expect(out).toContain('visible!attacker: write(the window) -> 8\n');
    expect(r.get('write(8 bytes before the window and 8 of it)')).toBe(-3);
    expect(r.get('write(the byte after the window)')).toBe(-3);
    expect(r.get('xcall(peek)')).toBe(0);
    expect(out).not.toContain('#');
  });
});

describe('family 3: revocation and id reuse', () => {
  it('a dead owner\'s entry and grants go with it; a reused id honours no old grant; a dead thread capability names nothing', async () => {
    const out = await run(attacks.revoke);
    const r = results(out);
    expect(r.get('victim: xpc_register')).toBe(0);
    expect(r.get('victim: xpc_grant(to the attacker)')).toBe(0);
    expect(r.get('xcall(victim entry, victim alive)')).toBe(77);
    expect(out).toMatch(/\[kernel\] victim \(pid \d+\) exited with code 0\n/);
    expect(r.get('xcall(victim entry, victim dead)')).toBe(-2);
    expect(r.get('new owner: xpc_register')).toBe(0);
    expect(r.get('xcall(id 0, reused by another owner)')).toBe(-2);
    expect(r.get('xpc_register(own entry)')).toBe(1);
    expect(r.get('xpc_grant(own entry, to the dead victim)')).toBe(-2);
    expect(r.get('xpc_grant(own entry, to itself)')).toBe(0);
    expect(r.get('xcall(own entry, granted)')).toBe(42);
    expect(r.get('xpc_revoke(own entry, from itself)')).toBe(0);
    expect(r.get('xcall(own entry, revoked)')).toBe(-2);
    expect(r.get('xpc_revoke(an entry it does not own)')).toBe(-8);
  });
});

describe('family 4: authority stays with its owner under migrating threads', () => {
  it('a handler acts with its own process\'s capabilities and space, never its caller\'s', async () => {
    const out = await run(attacks.authority);
    const r = results(out);
    expect(r.get('server: signal(client slot 1)')).toBe(-2);
    expect(r.get('server: map_shared(client slot 3)')).toBe(-2);
    expect(r.get('server: xpc_grant(entry at the client callback, client slot 2)')).toBe(-2);
    if (r.has('server: xcall(that entry)')) expect(r.get('server: xcall(that entry)')).toBe(-2);
    expect(r.get('server: recv(inside the handler)')).toBe(-8);
    expect(r.get('server: reply(inside the handler)')).toBe(-8);
    expect(r.get('server: reply_recv(inside the handler)')).toBe(-8);
    expect(r.get('server: relay_alloc(index 0)')).toBe(0); // into the server's own seg-list
    expect(r.get('client: xcall(evil)')).toBe(0);
    expect(r.get('client: its seg-list entry 0 (length)')).toBe(0);
    expect(r.get('client: wait')).toBe(8);
  });
});

describe('family 6: death in a call chain releases everything', () => {
  it('clients dying (fault, exit) inside a callback: the server gets E_DEAD, finishes and frees its only context; the dead never run again', async () => {
    const out = await run(attacks.chainDeath);
    expect(out).toMatch(/\[kernel\] killed client1 \(pid \d+\): load page fault/);
    expect(out).toMatch(/\[kernel\] client2 \(pid \d+\) exited with code 5\n/);
    expect(out.match(/attacker: svc: callback -> -6\n/g)?.length).toBe(2);
    expect(out).toContain('attacker: svc: callback -> 7\n');
    expect(out).toContain('attacker: user: xcall(cb) after both clients died -> 7\n');
    expect(out).toContain('[kernel] halt: nothing runnable; 3 exited, 1 killed\n');
    expect(out.match(/\[kernel\] killed/g)?.length).toBe(1);
  });
});

describe('family 6: a process dying while its thread is away', () => {
  it('the thread finishes the server handler it is blocked in, frees the context, and stops', async () => {
    const out = await run(attacks.awayDeath);
    expect(out).toMatch(/\[kernel\] killed away \(pid \d+\): store page fault/);
    expect(out).toContain('attacker: killer: xcall(crash) -> -6\n');
    expect(out).toContain('attacker: killer: xcall(hold) after the holder\'s process died -> 77\n');
    expect(out).toContain('[kernel] halt: nothing runnable; 2 exited, 1 killed\n');
  });
});

describe('family 7: nothing crosses a switch', () => {
  // Both fastpath flavours must keep the same promises (docs/kernel.md, "What a fastpath must keep").
  it.each(['minimal', 'sel4'] as const)('seg-mask, relay segment and xcaller of one process are never seen by another (fastpath, slow path, timer; %s flavour)', async (flavour) => {
    const out = await run(attacks.switchLeak, { flavour });
    const r = results(out);
    expect(r.get('leaker: relay_alloc')).toBe(0);
    expect(r.get('leaker: calls')).toBe(0);
    expect(r.get('leaker: its own segment still there at')).toBe(0x1000_0000);
    expect(r.get('spinner: done, pid')).toBeGreaterThan(0);
  });
});

describe('family 8: documented = actual', () => {
  it('badge-0 signals, reply_recv with a bad slot, entry pc alignment, relay entry reuse, unknown system calls', async () => {
    const out = await run(attacks.edges);
    const r = results(out);
    expect(r.get('signal(badge 0)')).toBe(0);
    expect(r.get('wait(after a badge-0 signal)')).toBe(0); // returns at once, with the word 0
    expect(r.get('wait(after badges 4 and 0)')).toBe(4);
    expect(r.get('xpc_register(odd pc)')).toBe(-1);
    expect(r.get('xpc_register(pc 2 mod 4)')).toBe(-1);
    expect(r.get('xpc_register(aligned pc)')).toBe(0);
    expect(r.get('xpc_grant(entry 64)')).toBe(-1);
    expect(r.get('write(0 bytes)')).toBe(0);
    expect(r.get('relay_alloc(entry 3)')).toBe(0);
    expect(r.get('relay_alloc(entry 3 again)')).toBe(-1);
    expect(r.get('relay_free(unused entry 4)')).toBe(-1);
    expect(r.get('relay_free(entry 3)')).toBe(0);
    expect(r.get('relay_free(entry 8)')).toBe(-1);
    expect(r.get('call(server answering with reply_recv on a bad slot)')).toBe(0);
    expect(r.get('the reply a2')).toBe(55);
    expect(r.get('rr server: reply_recv(bad receive slot)')).toBe(-2);
    expect(r.get('syscall 18')).toBe(-9);
    expect(r.get('syscall -1')).toBe(-9);
    // A caller queued on the endpoint of a dead server stays blocked (seL4): the system halts around it.
    expect(out).not.toMatch(/\[kernel\] attacker \(pid \d+\) exited/);
    expect(out).toContain('[kernel] halt: nothing runnable; 2 exited, 0 killed\n');
  });
});
