// Hostile programs: each is refused with an error or killed with a console line naming the process, the
// pc and the cause, while the kernel and the other processes (an echo server and its client) go on.

import { describe, expect, it } from 'vitest';
import { hostile } from '../kernel-images/systems/hostile.js';
import { ipcServerDies, xpcHostile } from '../kernel-images/systems/xpc.js';
import { boot } from './kernel-helpers.js';

const KILL = /\[kernel\] killed (\S+) \(pid (\d+)\): ([^\n]+) at pc=(0x[0-9a-f]+) tval=(0x[0-9a-f]+)\n/;

async function runHostile(sys: Parameters<typeof boot>[0]) {
  const r = await boot(sys);
  expect(r.result).toEqual({ reason: 'exit', code: 0 });
  expect(r.console).toContain('survivor: round trips 200, errors 0\n');
  expect(r.console).toMatch(/\[kernel\] survivor \(pid \d+\) exited with code 0\n/);
  return r.console;
}

function killed(out: string) {
  const m = KILL.exec(out);
  expect(m, out).not.toBeNull();
  return { name: m![1], cause: m![3], pc: BigInt(m![4]), tval: BigInt(m![5]) };
}

describe('isolation: offenders are killed and named, survivors finish', () => {
  it('reading kernel memory', async () => {
    const k = killed(await runHostile(hostile.kernelRead));
    expect(k).toMatchObject({ name: 'offender', cause: 'load page fault', tval: 0x80000000n });
  });
  it('writing kernel memory', async () => {
    const k = killed(await runHostile(hostile.kernelWrite));
    expect(k).toMatchObject({ name: 'offender', cause: 'store page fault', tval: 0x80001000n });
  });
  it('jumping into the kernel', async () => {
    const k = killed(await runHostile(hostile.kernelJump));
    expect(k).toMatchObject({ name: 'offender', cause: 'instruction page fault', pc: 0x80000000n });
  });
  it('an illegal instruction', async () => {
    const k = killed(await runHostile(hostile.illegal));
    expect(k).toMatchObject({ name: 'offender', cause: 'illegal instruction', tval: 0x100022f3n });
  });
  it('overflowing the stack into the guard page', async () => {
    const k = killed(await runHostile(hostile.stackOverflow));
    expect(k.cause).toBe('store page fault');
    expect(k.tval >= 0x1fb000n && k.tval < 0x1fc000n).toBe(true);
  });
  it('kernel, unmapped and oversized buffers are refused', async () => {
    const out = await runHostile(hostile.badBuffers);
    expect(out).toContain('offender: write(kernel) -> -3\n');
    expect(out).toContain('offender: write(unmapped) -> -3\n');
    expect(out).toContain('offender: write(guard page) -> -3\n');
    expect(out).toContain('offender: write(past the end) -> -3\n');
    expect(out).toContain('offender: call(4097 bytes) -> -1\n');
    expect(out).not.toContain('[kernel] killed');
  });
  it('empty, out-of-range and wrong-type capability slots are refused', async () => {
    const out = await runHostile(hostile.badCaps);
    expect(out).toContain('offender: call(empty slot) -> -2\n');
    expect(out).toContain('offender: send(slot 1000) -> -2\n');
    expect(out).toContain('offender: call(notification slot) -> -2\n');
    expect(out).toContain('offender: signal(endpoint slot) -> -2\n');
    expect(out).toContain('offender: reply(no caller) -> -5\n');
    expect(out).toContain('offender: map_shared(notification slot) -> -2\n');
    expect(out).toContain('offender: syscall 99 -> -9\n');
  });
  it('a server that exits mid-call leaves its caller with E_DEAD', async () => {
    const out = await runHostile(ipcServerDies);
    expect(out).toContain('caller: call(server exits) -> -6\n');
  });
});

describe('isolation: XPC', () => {
  it('an xcall of an entry not granted (or out of range) is refused', async () => {
    const out = await runHostile(xpcHostile.ungranted);
    expect(out).toContain('offender: xcall(not granted) -> -2\n');
    expect(out).toContain('offender: xcall(id 1000) -> -2\n');
    expect(out).toContain('user: 50 xcalls ok\n');
  });
  it('a forged xret kills the process', async () => {
    const out = await runHostile(xpcHostile.forgedXret);
    expect(killed(out)).toMatchObject({ name: 'offender', cause: 'XPC invalid linkage (forged xret)' });
    expect(out).toContain('user: 50 xcalls ok\n');
  });
  it('exhausting a server XPC contexts is refused with E_BUSY', async () => {
    const out = await runHostile(xpcHostile.exhaust);
    expect(out).toContain('offender: xcall(no free context) -> -7\n');
    expect(out).toContain('holder: xcall -> 77\n');
  });
  it('exhausting every context of a multi-context entry is refused with E_BUSY', async () => {
    const out = await runHostile(xpcHostile.exhaustMany);
    expect(out).toContain('offender: xcall(both contexts taken) -> -7\n');
    expect(out).toContain('holder1: xcall -> 77\n');
    expect(out).toContain('holder2: xcall -> 77\n');
  });
  it('the XPC calling convention: callee-saved registers survive; after E_DEAD only sp, ra are kept, the rest (gp, tp too) is zero', async () => {
    const out = await runHostile(xpcHostile.abi);
    expect(out).toContain('abi: a normal xcall return keeps sp, ra, gp, tp, s0-s11: ok\n');
    expect(out).toContain('abi: E_DEAD through a nested call leaves sp, ra and zeroes the rest: ok\n');
    expect(out).toContain('abi: a handler stack overflow into the guard page gives E_DEAD with sp and ra: ok\n');
    expect(out).toMatch(/\[kernel\] killed dier \(pid \d+\): load page fault/);
    expect(out).toMatch(/\[kernel\] killed deep \(pid \d+\): store page fault/);
    expect(out).toMatch(/\[kernel\] abi \(pid \d+\) exited with code 0\n/);
  });
  it('a callee that faults mid-call is killed; callers up the chain get E_DEAD', async () => {
    const out = await runHostile(xpcHostile.serverDies);
    expect(killed(out)).toMatchObject({ name: 'svc', cause: 'load page fault', tval: 0x80000000n });
    expect(out).toContain('caller: xcall(mid -> crashing svc) -> 994\n'); // mid got E_DEAD (-6) and added 1000
    expect(out).toContain('caller: xcall(dead svc) -> -2\n');
    expect(out).not.toContain('killed mid');
    expect(out).not.toContain('killed caller');
  });
  it('threads blocked inside a callee that dies are returned to their callers with E_DEAD', async () => {
    const out = await runHostile(xpcHostile.othersInside);
    expect(killed(out)).toMatchObject({ name: 'svc', cause: 'store page fault', tval: 0n });
    expect(out).toContain('crasher: xcall(crash) -> -6\n');
    expect(out).toContain('holder: xcall(blocked inside svc when it dies) -> -6\n');
  });
  it('a bad seg-mask, swapseg out of range, link-stack exhaustion and bad registrations are refused; run-time registration works', async () => {
    const out = await runHostile(xpcHostile.misuse);
    expect(out).toContain('offender: xcall(seg-mask without a segment) -> -1\n');
    expect(out).toContain('offender: swapseg(99) -> -1\n');
    expect(out).toContain('offender: xcall 40 deep -> -4\n'); // the 32nd nested xcall finds the link stack full
    expect(out).toContain('offender: xcall 20 deep -> 0\n');
    expect(out).toContain('offender: xpc_register(kernel pc) -> -3\n');
    expect(out).toContain('offender: xpc_register(0 contexts) -> -1\n');
    expect(out).toContain('offender: xpc_grant(an entry of svc) -> -8\n');
    expect(out).toContain('offender: xpc_grant(its own entry, to itself) -> 0\n');
    expect(out).toContain('offender: xcall(its own entry, 41) -> 42\n');
    expect(out).not.toContain('[kernel] killed');
  });
});
